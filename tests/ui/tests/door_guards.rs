//! The browser door's guards (issue 16) as the administrator meets them on the 设置 screen
//! in headless Chromium, the page itself loaded under the door's Content-Security-Policy:
//! the names the LAN door answers to (`lan_names`) saved in lower case, a name with a
//! wildcard refused under its field, an address range wider than /8 refused under its
//! field, and an empty range list taken as "this PC's own subnets".

use serde_json::json;
use ui_tests::*;

#[tokio::test]
async fn f01_lan_names_and_ranges_are_checked_on_the_settings_screen() {
    let door = Door::start();
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    go(c, "#/settings?section=backup").await;
    find(c, "#settings-backup-lan").await;

    fill_in(c, "#backup-settings-form", "lan_names", "*.office.lan").await;
    click(c, "#backup-settings-save").await;
    wait_inner(
        c,
        ".field-error[data-for=\"lan_names\"]",
        &["本机的局域网名称", "*.office.lan"],
    )
    .await;
    fill_in(
        c,
        "#backup-settings-form",
        "lan_names",
        "Shouhou-PC，shouhou.office.lan",
    )
    .await;
    fill_in(c, "#backup-settings-form", "lan_allow", "0.0.0.0/0").await;
    click(c, "#backup-settings-save").await;
    wait_inner(c, ".field-error[data-for=\"lan_allow\"]", &["太大", "/8"]).await;
    screenshot(c, "door-guards-lan-allow-too-wide").await;
    assert_eq!(door.call("settings.get", json!({}))["lan_names"], "");

    fill_in(c, "#backup-settings-form", "lan_allow", "").await;
    click(c, "#backup-settings-save").await;
    wait_inner(c, "#toast", &["已保存"]).await;
    let saved = door.call("settings.get", json!({}));
    assert_eq!(saved["lan_names"], "shouhou-pc,shouhou.office.lan");
    assert_eq!(saved["lan_allow"], "");
    screenshot(c, "door-guards-lan-names-saved").await;
}
