//! The real desktop window (Tauri on WebKitGTK) through tauri-driver, under `xvfb-run -a`.

use fantoccini::key::Key;
use ui_tests::*;

#[tokio::test]
async fn desktop_window_creates_a_customer() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let session = Session::desktop(data_dir.path()).await;
    let c = &session.client;

    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    let data_file = data_dir.path().join("desk.db");
    wait_content(c, "#status-data-file", &data_file.display().to_string()).await;
    wait_text(c, "#customer-empty", "F4").await;

    find(c, "#new-customer")
        .await
        .click()
        .await
        .expect("click 新建客户");
    find(c, "form#customer-form").await;
    fill(c, "name", "司马昇").await;
    fill(c, "phones", "13512340000").await;
    fill(c, "region", "广东").await;
    find(c, "#customer-save")
        .await
        .click()
        .await
        .expect("click 保存");
    wait_text(c, "#customer-file .customer-name", "司马昇").await;
    screenshot(c, "desktop-customer-file").await;

    press_key(c, Key::Escape).await;
    wait_rows(c, "the new customer in the list", 1, |r| {
        r.contains("司马昇") && r.contains("135 1234 0000")
    })
    .await;
    screenshot(c, "desktop-customer-list").await;

    let found = cli_call(
        data_dir.path(),
        "customers.search",
        serde_json::json!({"query": "司马"}),
    );
    assert_eq!(found["total"], serde_json::json!(1), "{found}");
    session.close().await;
}

#[tokio::test]
async fn desktop_window_finds_a_serial_tail_and_opens_the_machine() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    let model = cli_call(
        d,
        "models.save",
        serde_json::json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
            "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    );
    let owner = cli_call(
        d,
        "customers.create",
        serde_json::json!({"name": "锦江酒店浦东店", "kind": "company", "phones": ["13900001111"]}),
    );
    cli_call(
        d,
        "equipment.create",
        serde_json::json!({"customer_id": owner["id"], "model_id": model["id"],
            "serial": "SN2023000777", "purchase_date": "2024-01-10"}),
    );
    let session = Session::desktop(d).await;
    let c = &session.client;
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;

    press_key(c, Key::F3).await;
    wait_focus(c, "global-search").await;
    let (_, index) = global_search(c, "0777", "equipment", "serial", "SN2023000777").await;
    screenshot(c, "desktop-global-search").await;
    for _ in 0..=index {
        press_key(c, Key::Down).await;
    }
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#equipment-list tbody tr.is-highlighted",
        &["SN2023000777", "保外"],
    )
    .await;
    click(c, "#equipment-list tbody tr.is-highlighted a").await;
    wait_inner(c, "#warranty-reason", &["保外"]).await;
    wait_inner(c, "#equipment-file", &["SN2023000777", "锦江酒店浦东店"]).await;
    screenshot(c, "desktop-machine-file").await;
    session.close().await;
}
