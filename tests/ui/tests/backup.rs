//! 备份与恢复 in headless Chromium against the real browser door: a backup now, the list,
//! a restore from the list after the confirmation that says what will happen (the safety
//! backup appears in the list, the data is the backup's), a refused restore that says why
//! and changes nothing, a folder that is not a full path refused under its field; and the
//! backup and LAN settings on the settings screen, a bad address range named under its
//! field. Data is prepared and checked through the CLI door.

use serde_json::json;
use ui_tests::*;

fn total(door: &Door) -> i64 {
    door.call("customers.search", json!({"query": ""}))["total"]
        .as_i64()
        .expect("total")
}

#[tokio::test]
async fn back_up_now_restore_from_the_list_and_a_refused_restore() {
    let door = Door::start();
    door.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    go(c, "#/settings").await;
    click(c, "#settings-backup").await;
    find(c, "#backup-now").await;
    // The door made today's automatic backup when it started.
    wait_inner(c, "#backup-table tbody", &["每日自动"]).await;

    // A folder that is not a full path: refused under the field, nothing made.
    fill_in(c, "#backup-form", "dir", "U盘").await;
    click(c, "#backup-now").await;
    wait_inner(c, ".field-error[data-for=\"dir\"]", &["完整路径"]).await;
    fill_in(c, "#backup-form", "dir", "").await;

    click(c, "#backup-now").await;
    wait_inner(c, "#backup-result", &["完整性检查通过"]).await;
    wait_inner(c, "#backup-table tbody", &["手动", "desk-"]).await;
    screenshot(c, "backup-list").await;

    // After the backup, a second customer; the restore takes the desk back to one.
    door.call(
        "customers.create",
        json!({"name": "李娜", "phones": ["13912345678"]}),
    );
    assert_eq!(total(&door), 2);
    click(c, "#backup-table tbody tr .backup-restore").await;
    let steps = wait_inner(c, "#restore-steps", &["备份文件夹", "替换"]).await;
    assert!(has_chinese(&steps));
    screenshot(c, "backup-restore-confirm").await;
    click(c, "#restore-confirm").await;
    // The accounts are the backup's now: everyone logs in again, told why.
    wait_inner(
        c,
        "#login-notice",
        &["已从", "恢复前的数据已备份为", "重新登录"],
    )
    .await;
    log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;
    go(c, "#/backup").await;
    wait_inner(c, "#backup-table tbody", &["恢复前安全备份", "手动"]).await;
    assert_eq!(total(&door), 1);

    // A file that is not a backup: the dialog says why; nothing changes.
    let not_a_backup = door.data_dir.path().join("客户.csv");
    std::fs::write(&not_a_backup, "客户名称,电话\n").expect("write the csv");
    upload(c, "#restore-file", &not_a_backup).await;
    click(c, "#restore-open").await;
    click(c, "#restore-confirm").await;
    wait_inner(
        c,
        "#restore-dialog .notice-error",
        &["不是", "未做任何改动"],
    )
    .await;
    click(c, "#restore-cancel").await;
    assert_eq!(total(&door), 1);
}

#[tokio::test]
async fn backup_and_lan_settings_are_saved_and_checked() {
    let door = Door::start();
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    go(c, "#/settings?section=backup").await;
    find(c, "#settings-backup-lan").await;

    fill_in(
        c,
        "#backup-settings-form",
        "lan_allow",
        "192.168.1.0/24，局域网",
    )
    .await;
    click(c, "#backup-settings-save").await;
    wait_inner(c, ".field-error[data-for=\"lan_allow\"]", &["局域网"]).await;

    fill_in(c, "#backup-settings-form", "backup_keep", "30").await;
    fill_in(c, "#backup-settings-form", "lan_port", "9000").await;
    fill_in(c, "#backup-settings-form", "lan_allow", "192.168.1.7/24").await;
    click(c, "#settings-lan_open").await;
    click(c, "#backup-settings-save").await;
    wait_inner(c, "#toast", &["已保存"]).await;
    let saved = door.call("settings.get", json!({}));
    assert_eq!(saved["backup_keep"], 30);
    assert_eq!(saved["lan_open"], true);
    assert_eq!(saved["lan_port"], 9000);
    assert_eq!(saved["lan_allow"], "192.168.1.0/24");
}
