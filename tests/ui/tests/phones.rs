//! Phone numbers by libphonenumber's rules in the UI (issue 17), in headless Chromium at
//! 1366×768 against the browser door: the customer form names what is wrong with a number
//! in Chinese, a Hong Kong number is shown with its place, and the numbers an earlier
//! version accepted that no longer parse are listed above the customer list (待核对号码).

use fantoccini::Locator;
use serde_json::json;
use ui_tests::*;

async fn open(door: &Door, session: &Session) {
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The door hands the session over in the address; where a browser does not take it,
    // the login screen does the same.
    let landed = wait_until("the day board or the login screen", || async move {
        Ok(if c.find(Locator::Css("#day")).await.is_ok() {
            Ok(false)
        } else if c.find(Locator::Css("#login")).await.is_ok() {
            Ok(true)
        } else {
            Err("neither yet".to_string())
        })
    })
    .await;
    if landed {
        log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;
    }
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
}

#[tokio::test]
async fn the_form_names_a_bad_area_code_and_a_hong_kong_number_shows_its_place() {
    let door = Door::start();
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;

    go(c, "#/customers/new").await;
    find(c, "form#customer-form").await;
    fill(c, "name", "陈家明").await;
    fill(c, "phones", "026-12345678").await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, ".field-error[data-for=\"phones\"]").await;
    assert!(
        message.contains("区号 026 不存在"),
        "the area code named in Chinese: {message:?}"
    );
    wait_focus(c, "customer-phones").await;
    screenshot(c, "phones-bad-area-code").await;

    fill(c, "phones", "+852 9123 4567").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    let file = wait_text(c, "#customer-file", "香港 +852 9123 4567").await;
    assert!(file.contains("陈家明"), "{file}");
    screenshot(c, "phones-hong-kong-in-file").await;

    // Stored in E.164, found by its last digits like any other number.
    go(c, "#/customers").await;
    type_into(c, "#customer-search", "4567").await;
    wait_rows(c, "陈家明 by the last digits", 1, |r| {
        r.contains("陈家明") && r.contains("香港 +852 9123 4567")
    })
    .await;
    session.close().await;
}

#[tokio::test]
async fn numbers_to_check_are_listed_above_the_customer_list() {
    let door = Door::start();
    let made = door.call(
        "customers.create",
        json!({"kind": "company", "name": "恒泰商贸", "phones": ["13812345678"]}),
    );
    let id = made["id"].as_i64().unwrap();
    // What the re-reading migration leaves for a number the old rules accepted and
    // today's do not: the number kept as written, and its row in phone_review.
    let sql = format!(
        "UPDATE customer_phone SET number = '02612345678', digits = '02612345678' WHERE customer_id = {id};
         INSERT INTO phone_review (owner, owner_id, number, problem)
           VALUES ('customer', {id}, '02612345678', '区号 026 不存在');"
    );
    let st = std::process::Command::new("sqlite3")
        .arg(door.data_file())
        .arg(&sql)
        .status()
        .expect("sqlite3 (cargo xtask test installs it)");
    assert!(st.success());

    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    let summary = wait_text(c, "#phone-review summary", "待核对").await;
    assert!(summary.contains('1'), "{summary}");
    // Keyboard: the summary opens the list; the customer's name is a link to its file.
    find(c, "#phone-review summary")
        .await
        .click()
        .await
        .unwrap();
    let list = wait_inner(
        c,
        "#phone-review",
        &["恒泰商贸", "02612345678", "区号 026 不存在"],
    )
    .await;
    assert!(list.contains("原样"), "{list}");
    screenshot(c, "phones-review-list").await;
    find(c, "#phone-review a").await.click().await.unwrap();
    wait_text(c, "#customer-file", "02612345678").await;

    // Corrected in the customer's form, the number leaves the list.
    door.call(
        "customers.update",
        json!({"id": id, "kind": "company", "name": "恒泰商贸", "phones": ["025-8456 7890"]}),
    );
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    // The panel marks itself loaded once it has asked the core.
    wait_until("the list of numbers to check to go", || async move {
        let panel = find(c, "#phone-review[data-loaded]").await;
        let hidden = panel.attr("hidden").await?;
        Ok(if hidden.is_some() {
            Ok(())
        } else {
            Err("still shown".to_string())
        })
    })
    .await;
    session.close().await;
}
