//! 库存报表 in headless Chromium against the real browser door: the stock of every part in
//! every store with its value and the grand total, the parts below their minimum with a
//! purchase request downloaded as .xlsx, the slow-moving parts (one never issued), and a
//! 返厂 claim advanced 待寄出 → 已寄出 → 已结算 from the part file. Data is prepared through
//! the CLI door; what is under test is driven through the UI.

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};
use ui_tests::*;

/// A part in the catalogue with its minimum stock, through the CLI; returns its id.
fn seed_part(door: &Door, code: &str, name: &str, cost_fen: i64, min_stock: i64) -> i64 {
    let part = door.call(
        "parts.save",
        json!({"code": code, "name": name, "spec": "通用", "unit": "个", "models": [],
               "cost_fen": cost_fen, "price_fen": cost_fen * 2, "barcode": "",
               "bin": "A-01", "min_stock": min_stock}),
    );
    part["id"].as_i64().expect("part id")
}

fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {value}"))
}

/// The claim status of the part's 返厂 movement, as the core has it.
fn claim_status(door: &Door, part: i64) -> String {
    let ledger = door.call("stock.ledger", json!({"part_id": part}));
    ledger["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["kind"] == json!("defective")))
        .and_then(|m| m["claim"]["status"].as_str())
        .unwrap_or_else(|| panic!("no claim in {ledger}"))
        .to_string()
}

/// innerText of the row of `code` in the table `table_css`.
async fn row_of(c: &Client, table_css: &str, code: &str, needles: &[&str]) -> String {
    let row = format!("{table_css} tbody tr[data-id=\"{code}\"]");
    wait_inner(c, &row, needles).await
}

#[tokio::test]
async fn stock_report_low_stock_purchase_request_slow_parts_and_a_claim() {
    let door = Door::start();
    let stores = door.call("stores.list", json!({}));
    let main = stores["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["kind"] == json!("main")))
        .map(id_of)
        .unwrap_or_else(|| panic!("no main store: {stores}"));
    let van = id_of(&door.call(
        "stores.save",
        json!({"code": "VAN1", "name": "王师傅车载", "kind": "van", "engineer": "王师傅"}),
    ));

    // 滤网: 10 in, 6 issued, 1 back to the factory → 3 on hand, below its minimum of 5.
    let filter = seed_part(&door, "P100", "燃气热水器滤网", 1250, 5);
    door.call(
        "stock.receive",
        json!({"part_id": filter, "store_id": main, "quantity": 10, "unit_cost_fen": 1250,
               "supplier": "宁波配件厂", "note": ""}),
    );
    door.call(
        "stock.issue",
        json!({"part_id": filter, "store_id": main, "quantity": 6,
               "work_order": "WO-2026-0001", "note": ""}),
    );
    door.call(
        "stock.defective",
        json!({"part_id": filter, "store_id": main, "quantity": 1,
               "form_no": "NCR-2026-007", "reason": "滤网破损"}),
    );
    // 点火针: 4 in at ¥30, one moved to the van, never issued.
    let needle = seed_part(&door, "P200", "点火针", 3000, 0);
    door.call(
        "stock.receive",
        json!({"part_id": needle, "store_id": main, "quantity": 4, "unit_cost_fen": 3000,
               "supplier": "宁波配件厂", "note": ""}),
    );
    door.call(
        "stock.transfer",
        json!({"part_id": needle, "from_store_id": main, "to_store_id": van, "quantity": 1,
               "note": "随车备用"}),
    );

    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        h == "#/day" && !h.contains("token")
    })
    .await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;

    // 库存: one column per store, the total on hand, the average cost and the value.
    click(c, "a[data-view=\"stock-report\"]").await;
    wait_text(c, "a[data-view=\"stock-report\"]", "库存报表").await;
    find(c, "#stock-report [role=\"tablist\"]").await;
    let head = wait_inner(c, "#stock-table thead", &["主仓库", "王师傅车载"]).await;
    assert!(head.contains("平均成本"), "{head}");
    let filter_row = row_of(c, "#stock-table", &filter.to_string(), &["P100"]).await;
    for cell in ["燃气热水器滤网", "3", "¥12.50", "¥37.50"] {
        assert!(filter_row.contains(cell), "{cell} missing: {filter_row:?}");
    }
    let needle_row = row_of(c, "#stock-table", &needle.to_string(), &["P200"]).await;
    let cells: Vec<&str> = needle_row.split('\t').map(str::trim).collect();
    assert_eq!(
        cells,
        ["P200", "点火针", "3", "1", "4", "¥30.00", "¥120.00"],
        "{needle_row:?}"
    );
    wait_inner(c, "#stock-total", &["共 2 种备件", "¥157.50"]).await;
    wait_inner(c, "#stock-table tfoot", &["合计", "7", "¥157.50"]).await;
    screenshot(c, "stock-report-stock").await;

    // The store filter: only the van's column and stock.
    find(c, "#stock-store").await;
    c.execute(
        "const s = document.getElementById('stock-store'); s.value = arguments[0]; \
         s.dispatchEvent(new Event('change'));",
        vec![json!(van.to_string())],
    )
    .await
    .expect("choose the van");
    wait_hash(c, "the store in the address", |h| {
        h.contains(&format!("store={van}"))
    })
    .await;
    // The table is drawn again after the store's stock is read: wait for the new one (the
    // old head has the van's column too).
    wait_until(
        "only the van's column in `#stock-table thead`",
        || async move {
            let head = inner_text(c, "#stock-table thead").await?;
            Ok(if head.contains("王师傅车载") && !head.contains("主仓库") {
                Ok(())
            } else {
                Err(format!("{head:?}"))
            })
        },
    )
    .await;
    wait_inner(c, "#stock-total", &["¥30.00"]).await;

    // 低库存, reached with the keyboard: the focused tab, then →.
    click(c, "#tab-stock").await;
    press_key(c, Key::Right).await;
    wait_focus(c, "tab-low").await;
    let selected = find(c, "#tab-low").await.attr("aria-selected").await;
    assert_eq!(selected.unwrap().as_deref(), Some("true"));
    let low = row_of(c, "#low-table", &filter.to_string(), &["P100"]).await;
    let cells: Vec<&str> = low.split('\t').map(str::trim).collect();
    assert_eq!(cells, ["P100", "燃气热水器滤网", "3", "5", "2"], "{low:?}");
    let all = inner_text(c, "#low-table tbody").await.unwrap();
    assert!(!all.contains("P200"), "点火针 has no minimum: {all}");

    // 生成采购申请: an .xlsx the browser downloads, and a toast with the count.
    click(c, "#purchase-request").await;
    wait_text(c, "#toast", "已生成采购申请：1 种备件").await;
    let file = wait_download(downloads.path(), ".xlsx").await;
    let size = std::fs::metadata(&file).expect("the download").len();
    assert!(size > 0, "{} is empty", file.display());
    screenshot(c, "stock-report-low").await;

    // 呆滞件: 180 days by default; the part never issued is listed as such.
    click(c, "#tab-slow").await;
    let days = find(c, "#slow-days").await.prop("value").await.unwrap();
    assert_eq!(days.as_deref(), Some("180"));
    let slow = row_of(c, "#slow-table", &needle.to_string(), &["P200", "从未出库"]).await;
    assert!(slow.contains("¥120.00"), "{slow:?}");
    let all = inner_text(c, "#slow-table tbody").await.unwrap();
    assert!(!all.contains("P100"), "滤网 was issued today: {all}");
    screenshot(c, "stock-report-slow").await;

    // A row opens the part file; its 返厂 claim goes 待寄出 → 已寄出 → 已结算.
    click(c, "#tab-low").await;
    click(
        c,
        &format!("#low-table tbody tr[data-id=\"{filter}\"] td.col-pname"),
    )
    .await;
    wait_hash(c, "the part file", |h| h == format!("#/parts/{filter}")).await;
    let claim = "#part-ledger tbody tr[data-kind=\"defective\"]";
    wait_inner(c, claim, &["待寄出", "NCR-2026-007", "标记已寄出"]).await;
    screenshot(c, "stock-report-claim-pending").await;
    click(c, &format!("{claim} button.claim-next")).await;
    wait_text(c, "#toast", "返厂件已寄出").await;
    wait_inner(c, claim, &["已寄出", "标记已结算"]).await;
    assert_eq!(claim_status(&door, filter), "sent");
    click(c, &format!("{claim} button.claim-next")).await;
    wait_text(c, "#toast", "返厂索赔已结算").await;
    let row = wait_inner(c, claim, &["已结算"]).await;
    assert!(
        !row.contains("标记"),
        "a settled claim has no next step: {row}"
    );
    assert_eq!(claim_status(&door, filter), "settled");
    screenshot(c, "stock-report-claim-settled").await;

    session.close().await;
}

/// How many rows the stock table shows, once it shows `count`.
async fn wait_stock_rows(c: &Client, count: usize) {
    wait_until(&format!("{count} rows in #stock-table"), || async move {
        let n = c
            .find_all(fantoccini::Locator::Css("#stock-table tbody tr[data-id]"))
            .await?
            .len();
        Ok(if n == count {
            Ok(())
        } else {
            Err(n.to_string())
        })
    })
    .await
}

#[tokio::test]
async fn stock_report_pages_a_long_list_and_totals_every_row() {
    let door = Door::start();
    let main = 1; // the main store the new database starts with
    for n in 1..=120 {
        let part = seed_part(&door, &format!("Q{n:04}"), &format!("测试件{n}"), 100, 0);
        door.call(
            "stock.receive",
            json!({"part_id": part, "store_id": main, "quantity": 2, "unit_cost_fen": 100,
                   "supplier": "", "note": ""}),
        );
    }

    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    go(c, "#/stock-report").await;

    // 100 rows on page 1; the total line and the footer count all 120 parts.
    wait_text(c, "#stock-page", "第 1 / 2 页").await;
    wait_stock_rows(c, 100).await;
    wait_inner(c, "#stock-total", &["共 120 种备件", "¥240.00"]).await;
    wait_inner(c, "#stock-table tfoot", &["合计", "240", "¥240.00"]).await;
    wait_inner(c, "#stock-range", &["第 1–100 种", "共 120 种"]).await;
    let prev = find(c, "#stock-prev").await.prop("disabled").await.unwrap();
    assert_eq!(prev.as_deref(), Some("true"), "no page before the first");
    screenshot(c, "stock-report-paged").await;

    // 下一页: the last 20, the footer unchanged, the page in the address.
    click(c, "#stock-next").await;
    wait_text(c, "#stock-page", "第 2 / 2 页").await;
    wait_stock_rows(c, 20).await;
    wait_inner(c, "#stock-table tfoot", &["240", "¥240.00"]).await;
    wait_hash(c, "the page in the address", |h| h.contains("page=2")).await;
    let next = find(c, "#stock-next").await.prop("disabled").await.unwrap();
    assert_eq!(next.as_deref(), Some("true"), "no page after the last");
    screenshot(c, "stock-report-paged-2").await;

    // PageUp back to page 1, from the keyboard.
    click(c, "#tab-stock").await;
    press_key(c, Key::PageUp).await;
    wait_text(c, "#stock-page", "第 1 / 2 页").await;
    wait_stock_rows(c, 100).await;
    press_key(c, Key::PageDown).await;
    wait_text(c, "#stock-page", "第 2 / 2 页").await;
    session.close().await;
}
