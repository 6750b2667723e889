//! 备件 in the real desktop window (Tauri on WebKitGTK through tauri-driver, under
//! `xvfb-run -a`): a part prepared through the CLI is opened from the 备件 list, an issue
//! is booked and shows in the ledger with the new balance, and an issue beyond the stock is
//! refused with the shortage under the quantity.

use fantoccini::{Client, Locator};
use serde_json::json;
use ui_tests::*;

/// innerText of every ledger row of the open part file, oldest first.
async fn wait_ledger(c: &Client, count: usize) -> Vec<String> {
    wait_until(&format!("{count} ledger rows"), || async move {
        let mut rows = Vec::new();
        for row in c
            .find_all(Locator::Css("#part-ledger tbody tr[data-id]"))
            .await?
        {
            rows.push(row.prop("innerText").await?.unwrap_or_default());
        }
        Ok(if rows.len() == count {
            Ok(rows)
        } else {
            Err(format!("{rows:?}"))
        })
    })
    .await
}

#[tokio::test]
async fn desktop_part_issue_and_a_shortage() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    let part = cli_call(
        d,
        "parts.save",
        json!({"code": "P501", "name": "燃气热水器滤网", "spec": "13L", "unit": "个",
               "models": [], "cost_fen": 1250, "price_fen": 2500, "barcode": "",
               "bin": "A-01", "min_stock": 0}),
    );
    let part_id = part["id"].as_i64().expect("part id");
    let stores = cli_call(d, "stores.list", json!({}));
    let main = stores["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["kind"] == json!("main")))
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_else(|| panic!("no main store: {stores}"));
    cli_call(
        d,
        "stock.receive",
        json!({"part_id": part_id, "store_id": main, "quantity": 5, "unit_cost_fen": 1250,
               "supplier": "宁波配件厂", "note": ""}),
    );

    let session = Session::desktop(d).await;
    let c = &session.client;
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;

    // 备件 → the part's row → its file with the receipt.
    click(c, "a[data-view=\"parts\"]").await;
    wait_inner(
        c,
        &format!("#parts-table tbody tr[data-id=\"{part_id}\"]"),
        &["P501", "燃气热水器滤网"],
    )
    .await;
    click(
        c,
        &format!("#parts-table tbody tr[data-id=\"{part_id}\"] a"),
    )
    .await;
    wait_hash(c, "the part file", |h| h == format!("#/parts/{part_id}")).await;
    wait_ledger(c, 1).await;
    wait_inner(c, "#part-stock", &["主仓库", "5 个"]).await;

    // 出库 2 against a work order: a ledger row, 3 left.
    click(c, "#issue").await;
    find(c, "form#movement-form[data-kind=\"issue\"]").await;
    let form = "form#movement-form";
    fill_in(c, form, "quantity", "2").await;
    fill_in(c, form, "work_order", "WO-2026-0501").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已出库").await;
    let rows = wait_ledger(c, 2).await;
    for needle in ["领料出库", "-2", "WO-2026-0501"] {
        assert!(rows[1].contains(needle), "{needle} missing: {rows:?}");
    }
    wait_inner(c, "#part-stock", &["主仓库", "3 个"]).await;
    screenshot(c, "desktop-stock-issue").await;

    // 出库 9 of 3: refused, the shortage under the quantity, nothing booked.
    click(c, "#issue").await;
    find(c, "form#movement-form[data-kind=\"issue\"]").await;
    fill_in(c, form, "quantity", "9").await;
    fill_in(c, form, "work_order", "WO-2026-0502").await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, "form#movement-form .field-error[data-for=\"quantity\"]").await;
    assert!(
        message.contains("库存不足") && message.contains("现有 3"),
        "{message}"
    );
    assert_eq!(wait_ledger(c, 2).await.len(), 2, "ledger unchanged");
    let ledger = cli_call(d, "stock.ledger", json!({"part_id": part_id}));
    assert_eq!(
        ledger["items"].as_array().map(Vec::len),
        Some(2),
        "nothing booked: {ledger}"
    );
    screenshot(c, "desktop-stock-shortage").await;
    session.close().await;
}
