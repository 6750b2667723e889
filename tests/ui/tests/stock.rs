//! 备件 · 出入库 · 盘点 in headless Chromium against the real browser door: a receipt, an
//! issue refused for want of stock, a transfer to a van, a reversal, and a stocktake counted
//! with a barcode scanner (a fast burst of keys ending in Enter). Data is prepared through
//! the CLI door; what is under test is driven through the UI.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

/// Opens the door's URL (with its #token), waits for the frame, then goes to `hash`.
async fn open_at(door: &Door, session: &Session, hash: &str) {
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
    go(c, hash).await;
}

/// A part in the catalogue, through the CLI; returns its id.
fn seed_part(door: &Door, code: &str, name: &str, barcode: &str, cost_fen: i64) -> i64 {
    let part = door.call(
        "parts.save",
        json!({"code": code, "name": name, "spec": "通用", "unit": "个", "models": [],
               "cost_fen": cost_fen, "price_fen": cost_fen * 2, "barcode": barcode,
               "bin": "A-01", "min_stock": 2}),
    );
    part["id"].as_i64().expect("part id")
}

/// The main store's id.
fn main_store(door: &Door) -> i64 {
    let stores = door.call("stores.list", json!({}));
    stores["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["kind"] == json!("main")))
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_else(|| panic!("no main store: {stores}"))
}

fn receive(door: &Door, part: i64, store: i64, quantity: i64, unit_cost_fen: i64) {
    door.call(
        "stock.receive",
        json!({"part_id": part, "store_id": store, "quantity": quantity,
               "unit_cost_fen": unit_cost_fen, "supplier": "宁波配件厂", "note": ""}),
    );
}

fn ledger(door: &Door, part: i64) -> Vec<Value> {
    let result = door.call("stock.ledger", json!({"part_id": part}));
    result["items"].as_array().cloned().unwrap_or_default()
}

/// innerText of every ledger row, oldest first.
async fn ledger_rows(c: &Client) -> Result<Vec<String>, fantoccini::error::CmdError> {
    let mut rows = Vec::new();
    for row in c
        .find_all(Locator::Css("#part-ledger tbody tr[data-id]"))
        .await?
    {
        rows.push(row.prop("innerText").await?.unwrap_or_default());
    }
    Ok(rows)
}

/// Waits until the ledger shows `count` rows and returns them.
async fn wait_ledger(c: &Client, count: usize) -> Vec<String> {
    wait_until(&format!("{count} ledger rows"), || async move {
        let rows = ledger_rows(c).await?;
        Ok(if rows.len() == count {
            Ok(rows)
        } else {
            Err(format!("{rows:?}"))
        })
    })
    .await
}

/// Types `text` as a burst of key presses into whatever has the focus, the way a
/// keyboard-wedge barcode scanner does; `\n` is Enter.
async fn burst(c: &Client, text: &str) {
    let mut actions = KeyActions::new("scanner".to_string());
    for ch in text.chars() {
        let key = if ch == '\n' { Key::Enter.into() } else { ch };
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    c.perform_actions(actions)
        .await
        .unwrap_or_else(|e| panic!("typing {text:?}: {e}"));
}

#[tokio::test]
async fn new_part_receipt_and_an_issue_refused_for_want_of_stock() {
    let door = Door::start();
    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, &session, "#/parts").await;

    // The nav shows 备件; the empty list says what to do next.
    wait_text(c, "a[data-view=\"parts\"]", "备件").await;
    wait_text(c, "#parts-empty", "Insert").await;

    // Insert opens the part form; yuan are typed, fen are stored.
    find(c, "#part-search").await;
    press_key(c, Key::Insert).await;
    find(c, "form#part-form").await;
    wait_focus(c, "part-code").await;
    let form = "form#part-form";
    fill_in(c, form, "code", "P001").await;
    fill_in(c, form, "name", "燃气热水器滤网").await;
    fill_in(c, form, "spec", "13L 不锈钢").await;
    fill_in(c, form, "unit", "个").await;
    fill_in(c, form, "models", "JSQ25-13，JSQ30-16").await;
    fill_in(c, form, "cost_fen", "12.50").await;
    fill_in(c, form, "price_fen", "1,280").await;
    fill_in(c, form, "barcode", "6901234500017").await;
    fill_in(c, form, "bin", "A-01-03").await;
    fill_in(c, form, "min_stock", "5").await;
    screenshot(c, "stock-part-form").await;
    ctrl(c, 's').await;

    wait_text(c, "#toast", "已保存").await;
    let file = wait_inner(
        c,
        "#part-file",
        &["燃气热水器滤网", "P001", "¥12.50", "¥1,280.00"],
    )
    .await;
    assert!(file.contains("低于下限"), "no stock yet: {file}");
    let saved = door.call("parts.list", json!({"query": "P001"}));
    let part = &saved["items"][0];
    assert_eq!(part["cost_fen"], json!(1250), "{saved}");
    assert_eq!(part["price_fen"], json!(128000), "{saved}");
    assert_eq!(part["models"], json!(["JSQ25-13", "JSQ30-16"]), "{saved}");
    let part_id = part["id"].as_i64().unwrap();

    // 入库: 3 at ¥12.50 from a supplier, all with the keyboard.
    click(c, "#receive").await;
    find(c, "form#movement-form[data-kind=\"receive\"]").await;
    wait_focus(c, "movement-quantity").await;
    let form = "form#movement-form";
    fill_in(c, form, "quantity", "3").await;
    fill_in(c, form, "unit_cost_fen", "12.50").await;
    fill_in(c, form, "supplier", "宁波配件厂").await;
    fill_in(c, form, "note", "首批").await;
    press_key(c, Key::Enter).await; // Enter on the last field books it
    wait_text(c, "#toast", "已入库").await;
    let rows = wait_ledger(c, 1).await;
    for needle in ["入库", "主仓库", "+3", "¥37.50", "宁波配件厂"] {
        assert!(rows[0].contains(needle), "{needle} missing: {rows:?}");
    }
    wait_inner(c, "#part-stock", &["主仓库", "3 个", "¥37.50"]).await;
    screenshot(c, "stock-part-file-receipt").await;

    // 出库 5 of 3: refused, the core's message under the quantity, nothing changes.
    click(c, "#issue").await;
    find(c, "form#movement-form[data-kind=\"issue\"]").await;
    fill_in(c, form, "quantity", "5").await;
    fill_in(c, form, "work_order", "WO-2026-0001").await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, "form#movement-form .field-error[data-for=\"quantity\"]").await;
    assert!(
        message.contains("库存不足") && message.contains("现有 3") && message.contains("P001"),
        "{message}"
    );
    wait_focus(c, "movement-quantity").await;
    let work_order = find(c, "form#movement-form [name=\"work_order\"]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        work_order.as_deref(),
        Some("WO-2026-0001"),
        "typed text kept"
    );
    assert_eq!(ledger_rows(c).await.unwrap().len(), 1, "ledger unchanged");
    assert_eq!(ledger(&door, part_id).len(), 1, "nothing booked");
    screenshot(c, "stock-issue-refused").await;

    // An issue within stock goes through.
    fill_in(c, form, "quantity", "2").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已出库").await;
    let rows = wait_ledger(c, 2).await;
    assert!(
        rows[1].contains("领料出库") && rows[1].contains("-2") && rows[1].contains("WO-2026-0001"),
        "{rows:?}"
    );

    // The list: quantities, the 低于下限 chip, the value.
    click(c, "a[data-view=\"parts\"]").await;
    let row = wait_inner(
        c,
        "#parts-table tbody tr[data-id]",
        &["P001", "燃气热水器滤网", "低于下限", "¥12.50"],
    )
    .await;
    assert!(row.contains("A-01-03"), "{row}");
    type_into(c, "#part-search", "滤网").await;
    wait_inner(c, "#parts-table tbody", &["P001"]).await;
    screenshot(c, "stock-parts-list").await;

    // A second part with the same code: the core's message under the code, nothing lost.
    click(c, "#new-part").await;
    find(c, "form#part-form").await;
    let form = "form#part-form";
    fill_in(c, form, "code", "P001").await;
    fill_in(c, form, "name", "另一个滤网").await;
    fill_in(c, form, "cost_fen", "3.5").await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, "form#part-form .field-error[data-for=\"code\"]").await;
    assert!(has_chinese(&message), "{message}");
    wait_focus(c, "part-code").await;
    let name = find(c, "form#part-form [name=\"name\"]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("另一个滤网"));
    // A bad amount is caught before it reaches the core.
    fill_in(c, form, "code", "P002").await;
    fill_in(c, form, "cost_fen", "12.345").await;
    ctrl(c, 's').await;
    wait_nonempty(c, "form#part-form .field-error[data-for=\"cost_fen\"]").await;
    wait_focus(c, "part-cost_fen").await;
    let listed = door.call("parts.list", json!({"query": ""}));
    assert_eq!(listed["total"], json!(1), "{listed}");
    screenshot(c, "stock-part-form-errors").await;
    session.close().await;
}

#[tokio::test]
async fn transfer_to_a_van_store() {
    let door = Door::start();
    let main = main_store(&door);
    let van = door.call(
        "stores.save",
        json!({"code": "VAN-01", "name": "王师傅车载库", "kind": "van", "engineer": "王师傅"}),
    );
    let van_id = van["id"].as_i64().expect("van id");
    let part = seed_part(&door, "P100", "点火针", "6900000000100", 450);
    receive(&door, part, main, 10, 450);

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, &session, &format!("#/parts/{part}")).await;
    wait_ledger(c, 1).await;

    click(c, "#transfer").await;
    find(c, "form#movement-form[data-kind=\"transfer\"]").await;
    let form = "form#movement-form";
    find(c, &format!("{form} [name=\"from_store_id\"]"))
        .await
        .select_by_value(&main.to_string())
        .await
        .expect("choose 主仓库");
    find(c, &format!("{form} [name=\"to_store_id\"]"))
        .await
        .select_by_value(&van_id.to_string())
        .await
        .expect("choose the van");
    fill_in(c, form, "quantity", "4").await;
    fill_in(c, form, "note", "装车").await;
    screenshot(c, "stock-transfer-form").await;
    ctrl(c, 's').await;

    wait_text(c, "#toast", "已调拨").await;
    let rows = wait_ledger(c, 3).await;
    assert!(
        rows.iter()
            .any(|r| r.contains("调出") && r.contains("-4") && r.contains("主仓库")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("调入") && r.contains("+4") && r.contains("王师傅车载库")),
        "{rows:?}"
    );
    let stock = wait_inner(
        c,
        "#part-stock",
        &["王师傅车载库", "4 个", "主仓库", "6 个"],
    )
    .await;
    assert!(stock.contains("10 个"), "the total stays 10: {stock}");
    let got = door.call("parts.get", json!({"id": part}));
    let van_stock = got["stock"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["store_id"] == json!(van_id)).cloned())
        .unwrap_or_else(|| panic!("no van stock: {got}"));
    assert_eq!(van_stock["on_hand"], json!(4), "{got}");
    screenshot(c, "stock-transfer-done").await;

    // 返厂 one from the main store with its nonconformity form: a pending claim.
    click(c, "#defective").await;
    find(c, "form#movement-form[data-kind=\"defective\"]").await;
    fill_in(c, form, "quantity", "1").await;
    fill_in(c, form, "form_no", "NCR-2026-007").await;
    fill_in(c, form, "reason", "点火不良").await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "返厂").await;
    let rows = wait_ledger(c, 4).await;
    for needle in ["返厂", "-1", "NCR-2026-007", "待寄出", "点火不良"] {
        assert!(rows[3].contains(needle), "{needle} missing: {rows:?}");
    }
    wait_inner(c, "#part-stock", &["5 个", "9 个"]).await;
    screenshot(c, "stock-defective").await;
    session.close().await;
}

#[tokio::test]
async fn a_receipt_put_right_with_a_reversal() {
    let door = Door::start();
    let main = main_store(&door);
    let part = seed_part(&door, "P200", "温控器", "6900000000200", 2000);
    receive(&door, part, main, 5, 2000);
    let receipt = ledger(&door, part)[0]["id"].as_i64().unwrap();

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, &session, &format!("#/parts/{part}")).await;
    wait_ledger(c, 1).await;

    click(c, &format!("button.reverse[data-id=\"{receipt}\"]")).await;
    find(c, "#reverse-dialog[open]").await;
    wait_focus(c, "reverse-reason").await;
    wait_inner(c, "#reverse-dialog", &["入库", "+5"]).await;
    // A reason is required.
    click(c, "#reverse-confirm").await;
    let message = wait_nonempty(c, "#reverse-dialog .field-error[data-for=\"reason\"]").await;
    assert!(has_chinese(&message), "{message}");
    assert_eq!(
        ledger(&door, part).len(),
        1,
        "nothing booked without a reason"
    );
    type_into(c, "#reverse-reason", "供应商送错型号，整批退回").await;
    screenshot(c, "stock-reverse-dialog").await;
    press_key(c, Key::Enter).await;

    wait_text(c, "#toast", "已冲销").await;
    let rows = wait_ledger(c, 2).await;
    assert!(rows[0].contains("已冲销"), "{rows:?}");
    assert!(
        rows[1].contains("冲销") && rows[1].contains("-5") && rows[1].contains("供应商送错型号"),
        "{rows:?}"
    );
    let done = ledger(&door, part);
    assert_eq!(done[0]["reversed_by"], done[1]["id"], "{done:?}");
    assert_eq!(done[1]["balance"], json!(0), "{done:?}");
    // A reversed movement offers no second reversal.
    let again = c
        .find_all(Locator::Css(&format!(
            "button.reverse[data-id=\"{receipt}\"]"
        )))
        .await
        .unwrap();
    assert!(again.is_empty(), "reversed once only");
    screenshot(c, "stock-reversed").await;
    session.close().await;
}

#[tokio::test]
async fn stocktake_with_a_barcode_scanner() {
    let door = Door::start();
    let main = main_store(&door);
    let filter = seed_part(&door, "P301", "滤网", "6900000000301", 300);
    let igniter = seed_part(&door, "P302", "点火针", "6900000000302", 450);
    let valve = seed_part(&door, "P303", "水阀", "6900000000303", 1200);
    receive(&door, filter, main, 10, 300);
    receive(&door, igniter, main, 5, 450);
    receive(&door, valve, main, 2, 1200);

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, &session, "#/parts").await;
    click(c, "a[data-view=\"stocktake\"]").await;
    find(c, "#stocktake").await;
    find(c, "#stocktake-store")
        .await
        .select_by_value(&main.to_string())
        .await
        .expect("choose 主仓库");
    click(c, "#stocktake-start").await;
    click(c, "#stocktake-start-confirm").await;
    wait_focus(c, "scan").await;
    wait_inner(c, "#stocktake-lines", &["P301", "P302", "P303", "未盘"]).await;

    // One scan, slowly: Enter moves to the quantity, Enter there back to the scan field.
    burst(c, "6900000000301\n").await;
    wait_focus(c, "scan-qty").await;
    burst(c, "9\n").await;
    wait_focus(c, "scan").await;
    // Then bursts, as fast as a scanner: a wrong barcode, a code, another wrong code.
    burst(c, "6900000000399\n5\nP303\n4\nNOPE-1\n1\n").await;
    wait_until("four pending lines", || async move {
        let n = c
            .find_all(Locator::Css("#stocktake-pending tbody tr"))
            .await?
            .len();
        Ok(if n == 4 { Ok(()) } else { Err(n.to_string()) })
    })
    .await;
    wait_focus(c, "scan").await;

    // Save: every error of the sheet at once, nothing stored.
    click(c, "#stocktake-save").await;
    let errors = wait_until("both errors listed", || async move {
        let items = c.find_all(Locator::Css("#stocktake-errors li")).await?;
        let mut texts = Vec::new();
        for li in items {
            texts.push(li.text().await?);
        }
        Ok(if texts.len() == 2 {
            Ok(texts)
        } else {
            Err(format!("{texts:?}"))
        })
    })
    .await;
    assert!(
        errors[0].contains("6900000000399") && errors[1].contains("NOPE-1"),
        "{errors:?}"
    );
    let take = door.call("stocktake.get", json!({"id": 1}));
    assert_eq!(take["counted"], json!(0), "nothing stored: {take}");
    screenshot(c, "stock-stocktake-errors").await;

    // Fix: correct line 2's barcode, drop line 4; save with Ctrl+S.
    type_into(
        c,
        "#stocktake-pending tr[data-line=\"2\"] .pending-code",
        "6900000000302",
    )
    .await;
    click(c, "#stocktake-pending tr[data-line=\"4\"] .pending-remove").await;
    wait_focus(c, "scan").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存 3 行").await;
    wait_until("the errors to go", || async move {
        let n = c
            .find_all(Locator::Css("#stocktake-errors li"))
            .await?
            .len();
        Ok(if n == 0 { Ok(()) } else { Err(n.to_string()) })
    })
    .await;

    // Variances: 10 → 9 (-1), 5 → 5, 2 → 4 (+2); non-zero rows highlighted.
    let lines = wait_inner(c, "#stocktake-lines", &["-1", "+2"]).await;
    let highlighted = c
        .find_all(Locator::Css("#stocktake-lines tr.has-variance"))
        .await
        .unwrap();
    assert_eq!(highlighted.len(), 2, "{lines}");
    screenshot(c, "stock-stocktake-variances").await;

    // Post, after a confirm that says how many adjustments.
    click(c, "#stocktake-post").await;
    find(c, "#post-dialog[open]").await;
    wait_inner(c, "#post-what", &["2 笔"]).await;
    screenshot(c, "stock-stocktake-confirm").await;
    click(c, "#post-confirm").await;
    wait_text(c, "#toast", "已过账 2 笔").await;
    wait_text(c, "#stocktake-status", "已过账").await;
    screenshot(c, "stock-stocktake-posted").await;

    // The adjustment is in the part's ledger.
    click(c, &format!("#stocktake-lines a[href=\"#/parts/{valve}\"]")).await;
    let rows = wait_ledger(c, 2).await;
    assert!(
        rows[1].contains("盘点调整") && rows[1].contains("+2"),
        "{rows:?}"
    );
    wait_inner(c, "#part-stock", &["4 个"]).await;
    screenshot(c, "stock-part-file-adjustment").await;
    let adjusted = ledger(&door, igniter);
    assert_eq!(adjusted.len(), 1, "no adjustment without a variance");
    session.close().await;
}
