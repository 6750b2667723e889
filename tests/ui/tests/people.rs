//! People at the desk (issue 9) in headless Chromium on the real browser door: the
//! first-run wizard on an empty desk, the administrator adding a clerk, the clerk logging
//! in and seeing only what a clerk may do (a screen of another role refused with the
//! reason), the audit trail searched by the administrator, logging out.

use serde_json::json;
use ui_tests::*;

#[tokio::test]
async fn first_run_wizard_then_a_clerk_sees_only_the_clerks_desk() {
    let door = Door::start_empty();
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");

    // No account yet: the wizard, not the login screen.
    find(c, "#setup").await;
    screenshot(c, "people-setup").await;
    type_into(c, "#setup-name", "李经理").await;
    type_into(c, "#setup-password", "s3cret-pw").await;
    type_into(c, "#setup-password_again", "s3cret-px").await;
    type_into(c, "#setup-company_name", "华东制冷售后服务部").await;
    type_into(c, "#setup-company_hotline", "400-800-1234").await;
    click(c, "#setup-submit").await;
    wait_inner(c, ".field-error[data-for=\"password_again\"]", &["不一致"]).await;
    // Nothing was written by the refused attempt.
    assert_eq!(door.call("users.list", json!({}))["items"], json!([]));
    type_into(c, "#setup-password_again", "s3cret-pw").await;
    click(c, "#setup-submit").await;
    find(c, "#day").await;
    wait_content(c, "#status-user", "李经理").await;
    assert_eq!(
        door.call("settings.get", json!({}))["company_name"],
        "华东制冷售后服务部"
    );

    // The administrator adds a clerk.
    go(c, "#/users").await;
    click(c, "#user-new").await;
    find(c, "#user-form").await;
    type_into(c, "#user-login", "wangf").await;
    type_into(c, "#user-name", "王芳").await;
    click(c, "#user-roles input[value=\"clerk\"]").await;
    type_into(c, "#user-password", "pass-1234").await;
    click(c, "#user-save").await;
    wait_inner(c, "#users-table", &["wangf", "王芳", "前台"]).await;
    screenshot(c, "people-users").await;

    // Out, and in as the clerk.
    click(c, "#status-logout").await;
    find(c, "#login").await;
    screenshot(c, "people-login").await;
    type_into(c, "#login-login", "wangf").await;
    type_into(c, "#login-password", "wrong-one").await;
    click(c, "#login-submit").await;
    wait_inner(c, ".field-error[data-for=\"password\"]", &["不正确"]).await;
    log_in_on_screen(c, "wangf", "pass-1234").await;
    wait_content(c, "#status-user", "王芳").await;
    find(c, "#day").await;

    // The clerk's navigation: customers and intake, no users, audit, reports or stocktake.
    let nav = wait_inner(c, ".sidenav", &["客户"]).await;
    for hidden in ["用户管理", "审计记录", "统计报表", "盘点"] {
        assert!(!nav.contains(hidden), "a clerk sees {hidden}: {nav}");
    }
    // Typed in by hand, another role's screen is refused by the core, with the reason.
    go(c, "#/users").await;
    wait_inner(c, "#view", &["没有权限", "管理员"]).await;
    screenshot(c, "people-refused").await;

    // The administrator finds the clerk's login in the audit trail.
    click(c, "#status-logout").await;
    log_in_on_screen(c, "admin", "s3cret-pw").await;
    go(c, "#/audit").await;
    type_into(c, "#audit-user", "王芳").await;
    // Only the clerk's entries: her login and logout, nobody else's.
    wait_until("the audit trail filtered to 王芳", || async {
        let text = inner_text(c, "#audit-table tbody").await?;
        Ok(
            if text.contains("王芳") && text.contains("登录") && !text.contains("李经理") {
                Ok(())
            } else {
                Err(text)
            },
        )
    })
    .await;
    screenshot(c, "people-audit").await;
}
