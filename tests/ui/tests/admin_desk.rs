//! Issue 16, paths and the archive on screen, in both engines: 7 (a manager sees the
//! administrator's settings — the backup folder, network paths, the LAN — read-only with
//! 仅管理员可修改 and still saves the rest; the backup screen's folder of one's choice is
//! the administrator's; the administrator restores from the list by name and from an
//! uploaded file) and 8 (an engineer finds a customer by name in the list and the global
//! search, is told to type something instead of seeing everyone, and 我的工单 still opens;
//! the dispatcher's board and search box work as before).

use serde_json::json;
use ui_tests::*;

/// Whether the control `css` is disabled.
async fn disabled(s: &Screen, css: &str) -> bool {
    find(s.client(), css)
        .await
        .prop("disabled")
        .await
        .expect("read disabled")
        .as_deref()
        == Some("true")
}

async fn manager_sees_the_administrators_settings_read_only(engine: Engine) {
    let s = Screen::open(engine).await;
    s.log_in_as("zhou", "周主管", &["manager"]).await;
    let c = s.client();
    go(c, "#/settings?section=backup").await;
    find(c, "#settings-backup-lan").await;
    for css in [
        "#settings-backup_folder",
        "#settings-allow_network_paths",
        "#settings-lan_open",
        "#settings-lan_port",
        "#settings-lan_allow",
    ] {
        assert!(disabled(&s, css).await, "{css} read-only for a manager");
    }
    assert!(!disabled(&s, "#settings-backup_keep").await);
    wait_inner(
        c,
        "#settings-backup-lan .field-lan_allow",
        &["仅管理员可修改"],
    )
    .await;
    wait_inner(
        c,
        "#settings-backup-lan .field-backup_folder",
        &["仅管理员可修改"],
    )
    .await;
    s.screenshot("admin-only-settings-manager").await;
    // What is the manager's is saved; the administrator's settings are untouched.
    fill_in(c, "#backup-settings-form", "backup_keep", "21").await;
    click(c, "#backup-settings-save").await;
    wait_inner(c, "#toast", &["已保存"]).await;
    let saved = s.call("settings.get", json!({}));
    assert_eq!(saved["backup_keep"], 21);
    assert_eq!(saved["lan_open"], false);
    assert_eq!(saved["backup_folder"], "");

    // 备份与恢复: a backup into the backup folder, but not to a folder of one's choice.
    go(c, "#/backup").await;
    find(c, "#backup-now").await;
    assert!(disabled(&s, "#backup-dir").await);
    wait_inner(c, "#backup-now-card", &["仅管理员可修改"]).await;
    click(c, "#backup-now").await;
    wait_inner(c, "#backup-result", &["完整性检查通过"]).await;
    s.screenshot("admin-only-backup-manager").await;
    s.close().await;
}

#[tokio::test]
async fn f07_a_manager_sees_the_administrators_settings_read_only_chromium() {
    manager_sees_the_administrators_settings_read_only(Engine::Chromium).await;
}

#[tokio::test]
async fn f07_a_manager_sees_the_administrators_settings_read_only_desktop() {
    manager_sees_the_administrators_settings_read_only(Engine::Desktop).await;
}

async fn administrator_restores_from_the_list_and_an_upload(engine: Engine) {
    let outside = tempfile::tempdir().expect("temp dir");
    let s = Screen::open(engine).await;
    let c = s.client();
    s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    );
    let in_list = s.call("backup.now", json!({}));
    let name = in_list["name"].as_str().expect("name").to_string();
    s.call(
        "customers.create",
        json!({"name": "李娜", "phones": ["13912345678"]}),
    );
    // A backup carried on a USB stick: two customers.
    let carried = s.call(
        "backup.now",
        json!({"dir": door_path(outside.path()).to_string_lossy()}),
    );
    let upload_file = outside.path().join("周一备份.db");
    std::fs::rename(
        host_path(carried["file"].as_str().expect("file")),
        &upload_file,
    )
    .expect("rename");
    s.call(
        "customers.create",
        json!({"name": "王磊", "phones": ["13712345678"]}),
    );
    assert_eq!(customer_count(s.data_dir()), 3);

    // From the list, by its name.
    go(c, "#/backup").await;
    click(
        c,
        &format!("#backup-table tbody tr[data-name=\"{name}\"] .backup-restore"),
    )
    .await;
    wait_inner(c, "#restore-what", &[name.as_str()]).await;
    click(c, "#restore-confirm").await;
    wait_inner(c, "#login-notice", &["已从", "重新登录"]).await;
    assert_eq!(customer_count(s.data_dir()), 1);
    log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;

    // From a file chosen on this PC: uploaded, checked, restored.
    go(c, "#/backup").await;
    upload(c, "#restore-file", &upload_file).await;
    click(c, "#restore-open").await;
    wait_inner(c, "#restore-what", &["周一备份.db"]).await;
    s.screenshot("admin-restore-upload-confirm").await;
    click(c, "#restore-confirm").await;
    wait_inner(c, "#login-notice", &["周一备份.db", "重新登录"]).await;
    assert_eq!(customer_count(s.data_dir()), 2);
    // Nothing of the upload is left in the data folder.
    let left: Vec<String> = std::fs::read_dir(s.data_dir())
        .expect("data dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".upload") || n.starts_with(".restore"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    s.close().await;
}

#[tokio::test]
async fn f07_the_administrator_restores_from_the_list_and_an_upload_chromium() {
    administrator_restores_from_the_list_and_an_upload(Engine::Chromium).await;
}

#[tokio::test]
async fn f07_the_administrator_restores_from_the_list_and_an_upload_desktop() {
    administrator_restores_from_the_list_and_an_upload(Engine::Desktop).await;
}

async fn engineer_finds_a_customer_but_cannot_list_everyone(engine: Engine) {
    let s = Screen::open(engine).await;
    for n in 0..25 {
        s.call(
            "customers.create",
            json!({"name": format!("测试客户{n:02}"), "phones": [format!("139{n:08}")]}),
        );
    }
    s.log_in_as("wang", "王工", &["engineer"]).await;
    let c = s.client();
    // 我的工单 still opens for him.
    go(c, "#/mine").await;
    wait_hash(c, "我的工单", |h| h == "#/mine").await;
    // The list asks for a name or a phone instead of showing everyone.
    go(c, "#/customers").await;
    wait_inner(c, "#customer-empty", &["请输入"]).await;
    s.screenshot("archive-bounded-engineer").await;
    type_into(c, "#customer-search", "测试客户07").await;
    wait_inner(c, "#customer-table", &["测试客户07"]).await;
    // The global search finds him a customer too.
    global_search(c, "13900000011", "customer", "phone", "测试客户11").await;

    // The dispatcher's board and search box work as before.
    let order = s.call(
        "orders.create",
        json!({"customer_id": 1, "fault": "不制冷", "mode": "carry_in", "confirmed": true}),
    );
    s.log_in_as("sun", "派工老孙", &["dispatcher"]).await;
    go(c, "#/board").await;
    wait_inner(
        c,
        &format!(
            "#board-unassigned a.order-card[data-id=\"{}\"]",
            order["id"]
        ),
        &["测试客户00"],
    )
    .await;
    global_search(c, "测试客户2", "customer", "name", "测试客户24").await;
    s.close().await;
}

#[tokio::test]
async fn f08_an_engineer_finds_a_customer_but_cannot_list_everyone_chromium() {
    engineer_finds_a_customer_but_cannot_list_everyone(Engine::Chromium).await;
}

#[tokio::test]
async fn f08_an_engineer_finds_a_customer_but_cannot_list_everyone_desktop() {
    engineer_finds_a_customer_but_cannot_list_everyone(Engine::Desktop).await;
}
