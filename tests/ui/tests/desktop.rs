//! The real desktop window (Tauri on WebKitGTK) through tauri-driver, under `xvfb-run -a`.

use fantoccini::key::Key;
use ui_tests::*;

#[tokio::test]
async fn desktop_window_creates_a_customer() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let session = Session::desktop(data_dir.path()).await;
    let c = &session.client;

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
