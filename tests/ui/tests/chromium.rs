//! The UI in headless Chromium against the real browser door (`aftersales serve`).
//! Chromium is also the engine of WebView2, the desktop window on Windows.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

/// Opens the door's URL (with its #token) and waits until the list and status bar are up.
async fn open(door: &Door, session: &Session) {
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#customer-search").await;
    let file = door.data_file();
    wait_content(c, "#status-data-file", &file.display().to_string()).await;
    // The token left the address bar; the list is the home screen.
    wait_hash(c, "the hash to become #/customers", |h| {
        h.starts_with("#/customers") && !h.contains("token")
    })
    .await;
}

/// Waits until a row of the customer table has the keyboard focus.
async fn wait_row_focus(c: &fantoccini::Client) {
    wait_until("a result row to have the focus", || async move {
        let active = c.active_element().await?;
        let tag = active.tag_name().await?.to_lowercase();
        let id = active.attr("data-id").await?;
        Ok(if tag == "tr" && id.is_some() {
            Ok(())
        } else {
            Err(tag)
        })
    })
    .await
}

#[tokio::test]
async fn add_customer_then_find_by_name_fragment_and_phone_tail() {
    let door = Door::start();
    // Someone else in the file, so that a search has something to leave out.
    door.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "region": "上海"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    wait_rows(c, "the one existing customer", 1, |r| r.contains("张伟")).await;

    // F4 opens the new-customer form; fill it with the keyboard's usual moves.
    press_key(c, Key::F4).await;
    find(c, "form#customer-form").await;
    wait_focus(c, "customer-name").await;
    choose(c, "kind", "person").await;
    fill(c, "name", "欧阳玥").await;
    fill(c, "phones", "139 0876 4321").await;
    fill(c, "region", "华东").await;
    fill(c, "address", "杭州市西湖区文三路 90 号").await;
    choose(c, "class", "vip").await;
    fill(c, "notes", "周末上门").await;
    ctrl(c, 's').await;

    // Saved: toast, then the customer file.
    wait_text(c, "#toast", "已保存").await;
    wait_text(c, "#customer-file .customer-name", "欧阳玥").await;
    let file = wait_text(c, "#customer-file", "139 0876 4321").await;
    assert!(file.contains("VIP"), "class chip missing: {file}");
    assert!(
        file.contains("杭州市西湖区文三路"),
        "address missing: {file}"
    );
    screenshot(c, "chromium-customer-file").await;

    // Back to the list through the navigation; search by a 2-character name fragment.
    find(c, "a[data-view=\"customers\"]")
        .await
        .click()
        .await
        .expect("click 客户");
    find(c, "#customer-search").await;
    wait_rows(c, "both customers in the list", 2, |_| true).await;
    type_into(c, "#customer-search", "欧阳").await;
    wait_rows(c, "only 欧阳玥 for 欧阳", 1, |r| r.contains("欧阳玥")).await;
    screenshot(c, "chromium-customer-list-search").await;
    // Enter in the search box moves to the first row; Enter there opens the file.
    press_key(c, Key::Enter).await;
    wait_row_focus(c).await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#customer-file .customer-name", "欧阳玥").await;

    // And by the last 4 digits of the phone.
    press_key(c, Key::Escape).await;
    find(c, "#customer-search").await;
    type_into(c, "#customer-search", "4321").await;
    wait_rows(c, "only 欧阳玥 for 4321", 1, |r| {
        r.contains("欧阳玥") && r.contains("139 0876 4321")
    })
    .await;
    find(c, "#customer-table tbody tr[data-id]")
        .await
        .click()
        .await
        .expect("click the row");
    wait_text(c, "#customer-file .customer-name", "欧阳玥").await;

    // The full list screenshot, for people to look at.
    find(c, "a[data-view=\"customers\"]")
        .await
        .click()
        .await
        .expect("click 客户");
    wait_rows(c, "both customers in the list", 2, |_| true).await;
    screenshot(c, "chromium-customer-list").await;
    session.close().await;
}

#[tokio::test]
async fn bad_input_shows_the_message_under_the_field_and_saves_nothing() {
    let door = Door::start();
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    wait_text(c, "#customer-empty", "F4").await;

    find(c, "#new-customer")
        .await
        .click()
        .await
        .expect("click 新建客户");
    find(c, "form#customer-form").await;
    fill(c, "name", "").await;
    fill(c, "phones", "1390876432").await; // 10 digits: one short
    fill(c, "address", "北京市朝阳区建国路 1 号").await;
    find(c, "#customer-save")
        .await
        .click()
        .await
        .expect("click 保存");

    // Empty name first: a Chinese message under the name, the name marked and focused.
    let message = wait_nonempty(c, ".field-error[data-for=\"name\"]").await;
    assert!(
        has_chinese(&message),
        "the message should be Chinese: {message:?}"
    );
    let name = form_field(c, "name").await;
    assert_eq!(
        name.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    wait_focus(c, "customer-name").await;
    // Nothing typed is lost.
    let phones = form_field(c, "phones").await;
    assert_eq!(
        phones.prop("value").await.unwrap().as_deref(),
        Some("1390876432")
    );
    let address = form_field(c, "address").await;
    assert_eq!(
        address.prop("value").await.unwrap().as_deref(),
        Some("北京市朝阳区建国路 1 号")
    );
    screenshot(c, "chromium-customer-form-name-error").await;

    // Fix the name; now the phone is the problem. Submit with Enter from the keyboard flow.
    fill(c, "name", "李雷").await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, ".field-error[data-for=\"phones\"]").await;
    assert!(
        has_chinese(&message),
        "the message should be Chinese: {message:?}"
    );
    assert!(
        message.contains("1390876432"),
        "the message should quote the number: {message:?}"
    );
    wait_focus(c, "customer-phones").await;
    let name_error = find(c, ".field-error[data-for=\"name\"]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        name_error, "",
        "the name error should be gone once the name is fixed"
    );
    assert_eq!(
        form_field(c, "phones")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        form_field(c, "name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("李雷")
    );
    screenshot(c, "chromium-customer-form-errors").await;

    // Nothing was saved.
    let found = door.call("customers.search", json!({"query": ""}));
    assert_eq!(found["total"], json!(0), "nothing should be saved: {found}");
    // Esc leaves the form for the (still empty) list.
    press_key(c, Key::Escape).await;
    wait_text(c, "#customer-empty", "F4").await;
    session.close().await;
}

#[tokio::test]
async fn global_search_and_editing_a_customer() {
    let door = Door::start();
    for (name, phone) in [
        ("王建国", "13600001111"),
        ("王芳", "13600002222"),
        ("刘洋", "13600003333"),
    ] {
        door.call(
            "customers.create",
            json!({"name": name, "phones": [phone], "region": "北京"}),
        );
    }
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    wait_rows(c, "three customers", 3, |_| true).await;

    // Ctrl+K and F3 both focus the one global search box.
    find(c, "body").await.click().await.expect("click the page");
    ctrl(c, 'k').await;
    wait_focus(c, "global-search").await;
    press_key(c, Key::Escape).await;
    wait_until("the global search to lose the focus", || async move {
        let id = active_id(c).await?;
        Ok(if id != "global-search" {
            Ok(())
        } else {
            Err(id)
        })
    })
    .await;
    press_key(c, Key::F3).await;
    wait_focus(c, "global-search").await;

    // Typing and Enter show the matching customers in the list.
    c.active_element()
        .await
        .unwrap()
        .send_keys("王")
        .await
        .unwrap();
    press_key(c, Key::Enter).await;
    let rows = wait_rows(c, "the two 王 customers", 2, |r| r.contains('王')).await;
    assert!(rows.iter().all(|r| !r.contains("刘洋")), "{rows:?}");
    let search = find(c, "#customer-search").await;
    assert_eq!(search.prop("value").await.unwrap().as_deref(), Some("王"));

    // The results have the focus: arrow down to 王建国 (the older one) and open it.
    wait_row_focus(c).await;
    let rows = row_texts(c).await.unwrap();
    let target = rows
        .iter()
        .position(|r| r.contains("王建国"))
        .expect("王建国 listed");
    for _ in 0..target {
        press_key(c, Key::Down).await;
    }
    press_key(c, Key::Enter).await;
    wait_text(c, "#customer-file .customer-name", "王建国").await;

    // Edit: new region, class and a second phone; see it in the file.
    find(c, "#customer-edit")
        .await
        .click()
        .await
        .expect("click 编辑");
    find(c, "form#customer-form").await;
    wait_until("the form to hold the customer's phone", || async move {
        let v = form_field(c, "phones")
            .await
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(if v.contains("13600001111") {
            Ok(())
        } else {
            Err(v)
        })
    })
    .await;
    fill(c, "region", "天津").await;
    choose(c, "class", "key").await;
    fill(c, "phones", "13600001111、022-23456789").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    let file = wait_text(c, "#customer-file", "天津").await;
    assert!(
        file.contains("大客户"),
        "class chip should read 大客户: {file}"
    );
    assert!(
        file.contains("136 0000 1111"),
        "first phone missing: {file}"
    );
    assert!(file.contains("2345"), "second phone missing: {file}");
    screenshot(c, "chromium-customer-file-edited").await;

    let saved = door.call("customers.search", json!({"query": "王建国"}));
    assert_eq!(saved["items"][0]["region"], json!("天津"), "{saved}");
    session.close().await;
}
