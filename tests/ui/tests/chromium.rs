//! The UI in headless Chromium against the real browser door (`aftersales serve`).
//! Chromium is also the engine of WebView2, the desktop window on Windows.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

/// Opens the door's URL (with its #token) and waits until the list and status bar are up.
async fn open(door: &Door, session: &Session) {
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    wait_content(c, "#status-data-file", &door.data_file_shown()).await;
    // The token left the address bar; the day board (今日) is the home screen. These
    // tests start from the customer list.
    wait_hash(c, "the hash to become #/day", |h| {
        h == "#/day" && !h.contains("token")
    })
    .await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
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

    // Three digits are a phone number being typed: no one yet, and the list says so.
    find(c, "a[data-view=\"customers\"]")
        .await
        .click()
        .await
        .expect("click 客户");
    wait_rows(c, "both customers in the list", 2, |_| true).await;
    type_into(c, "#customer-search", "139").await;
    wait_text(c, "#customer-empty", "请继续输入电话号码").await;
    screenshot(c, "chromium-customer-list-number-being-typed").await;

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
    // Esc asks first (issue 15: nothing typed is lost); 放弃 leaves for the (still empty) list.
    press_key(c, Key::Escape).await;
    click(c, "#leave-discard").await;
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

// ---- issue 3: customer archive and machine files ------------------------------------------

/// A model with a whole-machine 12-month and a 36-month 压缩机 policy, through the CLI.
fn seed_model(door: &Door, code: &str) -> i64 {
    let model = door.call(
        "models.save",
        json!({"code": code, "name": "商用热水机 200L", "category": "热水器", "policies": [
            {"component": "", "months": 12, "basis": "purchase"},
            {"component": "压缩机", "months": 36, "basis": "purchase"}]}),
    );
    model["id"].as_i64().expect("model id")
}

fn seed_customer(door: &Door, args: serde_json::Value) -> i64 {
    door.call("customers.create", args)["id"]
        .as_i64()
        .expect("customer id")
}

#[tokio::test]
async fn global_search_finds_every_kind_and_opens_the_machine() {
    let door = Door::start();
    let model = seed_model(&door, "RSJ-200");
    seed_customer(
        &door,
        json!({"name": "欧阳玥", "phones": ["13812345678"], "address": "上海市浦东新区张杨路 500 号"}),
    );
    let company = seed_customer(
        &door,
        json!({"name": "上海海鸥电器有限公司", "kind": "company", "phones": ["021-61234567"],
               "address": "北京市朝阳区建国路 88 号"}),
    );
    door.call(
        "equipment.create",
        json!({"customer_id": company, "model_id": model, "serial": "SN2024000123",
               "purchase_date": "2024-03-15", "install_date": "2024-03-20", "site": "3楼机房"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    wait_rows(c, "two customers", 2, |_| true).await;

    press_key(c, Key::F3).await;
    wait_focus(c, "global-search").await;
    // Every kind of query, each answered with what matched.
    for (query, kind, matched, title) in [
        ("13812345678", "customer", "phone", "欧阳玥"),
        ("5678", "customer", "phone", "欧阳玥"),
        ("阳玥", "customer", "name", "欧阳玥"),
        ("海鸥", "customer", "name", "上海海鸥电器"),
        ("张杨路", "customer", "address", "欧阳玥"),
        ("SN2024000123", "equipment", "serial", "SN2024000123"),
        ("000123", "equipment", "serial", "SN2024000123"),
    ] {
        let (options, _) = global_search(c, query, kind, matched, title).await;
        let label = match matched {
            "phone" => "电话",
            "name" => "名称",
            "address" => "地址",
            _ => "序列号",
        };
        assert!(
            options.iter().any(|o| o.text.contains(label)),
            "{query}: the result should say it matched by {label}: {options:?}"
        );
    }
    screenshot(c, "chromium-global-search-dropdown").await;

    // The serial tail is on screen: arrow down to the machine and open it with Enter.
    let (_, index) = global_search(c, "000123", "equipment", "serial", "SN2024000123").await;
    for _ in 0..=index {
        press_key(c, Key::Down).await;
    }
    wait_until("the machine result to be selected", || async move {
        let options = search_options(c).await?;
        Ok(
            if options.iter().any(|o| o.selected && o.kind == "equipment") {
                Ok(())
            } else {
                Err(format!("{options:?}"))
            },
        )
    })
    .await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#customer-file .customer-name", "上海海鸥电器有限公司").await;
    // That machine is marked in the file and has the focus; Enter opens its own file.
    let row = wait_inner(
        c,
        "#equipment-list tbody tr.is-highlighted",
        &["SN2024000123", "RSJ-200"],
    )
    .await;
    assert!(row.contains("3楼机房"), "{row}");
    wait_until("the marked machine to have the focus", || async move {
        let active = c.active_element().await?;
        let class = active.attr("class").await?.unwrap_or_default();
        Ok(if class.contains("is-highlighted") {
            Ok(())
        } else {
            Err(class)
        })
    })
    .await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#equipment-file",
        &["SN2024000123", "上海海鸥电器有限公司"],
    )
    .await;

    // Enter with nothing chosen and one hit opens it (issue 15); several go to the list.
    press_key(c, Key::F3).await;
    type_into(c, "#global-search", "海鸥").await;
    wait_until("the dropdown to show", || async move {
        let options = search_options(c).await?;
        Ok(if options.is_empty() {
            Err("closed".to_string())
        } else {
            Ok(())
        })
    })
    .await;
    let hits = search_options(c).await.expect("the dropdown").len();
    press_key(c, Key::Enter).await;
    if hits == 1 {
        wait_hash(c, "the one hit's file", |h| h.starts_with("#/customers/")).await;
        wait_inner(c, "#view", &["海鸥"]).await;
    } else {
        wait_rows(c, "only the company for 海鸥", 1, |r| r.contains("海鸥")).await;
    }
    session.close().await;
}

#[tokio::test]
async fn models_machines_warranty_and_override() {
    let door = Door::start();
    seed_customer(
        &door,
        json!({"name": "陈静", "phones": ["13911112222"], "address": "南京市鼓楼区中山路 1 号"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;

    // 设置 → 型号与保修: empty, then a model with a whole-machine and a compressor term.
    click(c, "a[data-view=\"settings\"]").await;
    click(c, "#settings-models").await;
    wait_inner(c, "#models-empty", &["还没有型号"]).await;
    fill_in(c, "form#model-form", "code", "KFR-35GW").await;
    fill_in(c, "form#model-form", "name", "壁挂式空调 1.5匹").await;
    fill_in(c, "form#model-form", "category", "空调").await;
    let months = find(c, "#policy-rows tr.policy-row:nth-child(1) .policy-months").await;
    months.clear().await.unwrap();
    months.send_keys("12").await.unwrap();
    click(c, "#add-policy").await;
    let second = "#policy-rows tr.policy-row:nth-child(2)";
    find(c, &format!("{second} .policy-component"))
        .await
        .send_keys("压缩机")
        .await
        .unwrap();
    let months = find(c, &format!("{second} .policy-months")).await;
    months.clear().await.unwrap();
    months.send_keys("36").await.unwrap();
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    wait_inner(
        c,
        "#models-table tbody",
        &["KFR-35GW", "整机 12 个月", "压缩机 36 个月"],
    )
    .await;
    screenshot(c, "chromium-models").await;
    let models = door.call("models.list", json!({}));
    let model_id = models["items"][0]["id"].as_i64().expect("saved model");

    // The customer's file: no machines yet, and the empty state says what to do.
    press_key(c, Key::F3).await;
    let (_, i) = global_search(c, "陈静", "customer", "name", "陈静").await;
    for _ in 0..=i {
        press_key(c, Key::Down).await;
    }
    press_key(c, Key::Enter).await;
    wait_inner(c, "#equipment-empty", &["Insert", "添加设备"]).await;

    // Insert opens the machine form; a machine bought two years ago.
    find(c, "body").await.click().await.unwrap();
    press_key(c, Key::Insert).await;
    find(c, "form#equipment-form").await;
    let bought = date_years_ago(c, 2).await;
    find(c, "form#equipment-form [name=\"model_id\"]")
        .await
        .select_by_value(&model_id.to_string())
        .await
        .expect("choose the model");
    fill_in(c, "form#equipment-form", "serial", "kfr2023-0042").await;
    fill_in(c, "form#equipment-form", "purchase_date", &bought).await;
    fill_in(c, "form#equipment-form", "install_date", &bought).await;
    fill_in(c, "form#equipment-form", "site", "客厅").await;
    screenshot(c, "chromium-equipment-form").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;

    // Back in the file: the machine, out of warranty, its reason on the chip.
    let row = wait_inner(
        c,
        "#equipment-list tbody tr.is-highlighted",
        &["KFR2023-0042", "保外"],
    )
    .await;
    assert!(row.contains("客厅"), "{row}");
    let chip = find(c, "#equipment-list tbody tr .chip-warranty").await;
    let reason = chip.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        reason.contains("保外") && reason.contains("12 个月"),
        "the chip's tooltip should give the reason: {reason:?}"
    );
    wait_inner(c, "#customer-timeline", &["KFR2023-0042"]).await;
    screenshot(c, "chromium-customer-file-machines").await;

    // Its own file: whole machine out, compressor still in.
    press_key(c, Key::Enter).await;
    wait_inner(c, "#warranty-status", &["保外"]).await;
    let why = wait_inner(c, "#warranty-reason", &["保外", "12 个月"]).await;
    assert!(has_chinese(&why));
    wait_inner(c, "#warranty-components", &["压缩机", "保内"]).await;
    screenshot(c, "chromium-machine-file").await;

    // Override: the reason is required, then the new end, kept in the history.
    click(c, "#warranty-override").await;
    find(c, "form#override-form").await;
    let until = date_years_ago(c, -1).await;
    fill_in(c, "form#override-form", "warranty_end", &until).await;
    click(c, "#override-save").await;
    let message = wait_nonempty(c, "#override-form .field-error[data-for=\"reason\"]").await;
    assert!(has_chinese(&message), "{message:?}");
    wait_focus(c, "override-reason").await;
    fill_in(c, "form#override-form", "reason", "经理特批延保").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "保修已调整").await;
    wait_inner(c, "#warranty-status", &["保内"]).await;
    wait_inner(c, "#warranty-override-info", &["经理特批延保"]).await;
    wait_inner(c, "#equipment-history", &["经理特批延保"]).await;
    screenshot(c, "chromium-machine-file-override").await;

    // A second machine with the same serial and model names the owner under the serial.
    press_key(c, Key::Escape).await;
    find(c, "#customer-file").await;
    click(c, "#add-equipment").await;
    find(c, "form#equipment-form [name=\"model_id\"]")
        .await
        .select_by_value(&model_id.to_string())
        .await
        .unwrap();
    fill_in(c, "form#equipment-form", "serial", "KFR2023-0042").await;
    click(c, "#equipment-save").await;
    let clash = wait_nonempty(c, "#equipment-form .field-error[data-for=\"serial\"]").await;
    assert!(
        clash.contains("陈静"),
        "the clash should name the owner: {clash:?}"
    );
    session.close().await;
}

#[tokio::test]
async fn typing_an_existing_phone_warns_of_a_duplicate() {
    let door = Door::start();
    seed_customer(
        &door,
        json!({"name": "张伟", "phones": ["13812345678"], "address": "上海市浦东新区张杨路 500 号"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    press_key(c, Key::F4).await;
    find(c, "form#customer-form").await;
    fill(c, "name", "张先生").await;
    fill(c, "phones", "138-1234-5678").await;
    let warning = wait_inner(c, "#duplicate-warning", &["张伟", "电话相同"]).await;
    assert!(warning.contains("138 1234 5678"), "{warning}");
    find(c, "#duplicate-warning a[href=\"#/customers/1\"]").await;
    screenshot(c, "chromium-duplicate-warning").await;
    // A warning, not a gate: the clerk may still save.
    ctrl(c, 's').await;
    wait_text(c, "#customer-file .customer-name", "张先生").await;
    session.close().await;
}

#[tokio::test]
async fn merging_two_customers_moves_the_machines_and_marks_the_other_file() {
    let door = Door::start();
    let model = seed_model(&door, "RSJ-300");
    let keep = seed_customer(
        &door,
        json!({"name": "王芳", "phones": ["13600002222"], "address": "杭州市西湖区文三路 90 号"}),
    );
    let other = seed_customer(
        &door,
        json!({"name": "王芳女士", "phones": ["13700003333"], "region": "浙江"}),
    );
    for serial in ["RSJ3000001", "RSJ3000002"] {
        door.call(
            "equipment.create",
            json!({"customer_id": other, "model_id": model, "serial": serial,
                   "purchase_date": "2024-05-01"}),
        );
    }
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    go(c, &format!("#/customers/{keep}")).await;
    wait_inner(c, "#equipment-empty", &["Insert"]).await;

    click(c, "#customer-merge").await;
    find(c, "#merge-dialog[open]").await;
    wait_focus(c, "merge-other").await;
    type_into(c, "#merge-other", "13700003333").await;
    wait_inner(c, "#merge-other-results", &["王芳女士"]).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    // The confirm step says exactly what will happen.
    let summary = wait_inner(c, "#merge-summary", &["王芳女士", "2 台设备"]).await;
    for needle in ["137 0000 3333", "不会删除", "无法撤销", "已合并"] {
        assert!(summary.contains(needle), "{needle} missing: {summary}");
    }
    screenshot(c, "chromium-merge-confirm").await;
    click(c, "#merge-confirm").await;
    wait_text(c, "#toast", "已合并").await;

    // The kept file has the machines and the phone; the timeline records the merge.
    let list = wait_inner(c, "#equipment-list tbody", &["RSJ3000001", "RSJ3000002"]).await;
    assert!(list.contains("RSJ-300"), "{list}");
    wait_inner(c, "#customer-file", &["137 0000 3333", "浙江"]).await;
    wait_inner(c, "#customer-timeline", &["合并"]).await;
    screenshot(c, "chromium-merged-keep").await;

    // The other file is kept, marked, and links to the kept one.
    go(c, &format!("#/customers/{other}")).await;
    wait_inner(c, "#merged-notice", &["已合并到", "王芳"]).await;
    assert!(
        c.find(fantoccini::Locator::Css("#customer-merge"))
            .await
            .is_err(),
        "a merged file cannot be merged again"
    );
    screenshot(c, "chromium-merged-other").await;
    click(c, "#merged-notice a").await;
    wait_text(c, "#customer-file .customer-name", "王芳").await;
    wait_hash(c, "the kept file", |h| h == format!("#/customers/{keep}")).await;
    session.close().await;
}

#[tokio::test]
async fn a_branch_chooses_its_head_office_and_its_machines_roll_up() {
    let door = Door::start();
    let model = seed_model(&door, "RSJ-500");
    let head = seed_customer(
        &door,
        json!({"name": "锦江酒店集团", "kind": "company", "phones": ["021-64661234"],
               "address": "上海市徐汇区漕溪北路 100 号"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;

    // A new branch: source typed, head office chosen from the search-select.
    press_key(c, Key::F4).await;
    find(c, "form#customer-form").await;
    choose(c, "kind", "company").await;
    fill(c, "name", "锦江酒店浦东店").await;
    fill(c, "phones", "13900001111").await;
    fill(c, "source", "转介绍").await;
    type_into(c, "#customer-parent_id", "锦江").await;
    wait_inner(c, "#customer-parent_id-results", &["锦江酒店集团"]).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_until("the head office to be chosen", || async move {
        let chosen = find(c, "form#customer-form .picker")
            .await
            .attr("data-chosen-id")
            .await?
            .unwrap_or_default();
        Ok(if chosen == head.to_string() {
            Ok(())
        } else {
            Err(chosen)
        })
    })
    .await;
    ctrl(c, 's').await;
    wait_text(c, "#customer-file .customer-name", "锦江酒店浦东店").await;
    wait_inner(c, "#customer-file", &["转介绍", "锦江酒店集团"]).await;
    let branch = door.call("customers.search", json!({"query": "浦东店"}))["items"][0]["id"]
        .as_i64()
        .expect("the branch saved");
    door.call(
        "equipment.create",
        json!({"customer_id": branch, "model_id": model, "serial": "RSJ5000001",
               "purchase_date": "2024-06-01", "site": "锅炉房"}),
    );

    // The head office lists the branch and the branch's machine, with its owner.
    click(c, "#customer-parent a").await;
    wait_text(c, "#customer-file .customer-name", "锦江酒店集团").await;
    wait_inner(c, "#customer-branches", &["锦江酒店浦东店"]).await;
    wait_inner(
        c,
        "#equipment-list tbody",
        &["RSJ5000001", "锦江酒店浦东店", "锅炉房"],
    )
    .await;
    screenshot(c, "chromium-head-office").await;
    session.close().await;
}

/// A clerk who presses F3 and types while a screen is still loading keeps the search box:
/// the screen's own first focus, when its data arrives, does not take it, and the results
/// are shown (found under load in the orders test: Esc back to the customer file, F3 and
/// an order number, the file finished loading and took the focus). The customer file's
/// last request is held back 1.5 s by the page's fetch, as a slow network would.
#[tokio::test]
async fn typing_into_the_search_box_while_a_screen_loads_keeps_the_focus() {
    let door = Door::start();
    let zhang = door.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13600004444"], "region": "北京"}),
    );
    let session = Session::chromium().await;
    let c = &session.client;
    open(&door, &session).await;
    c.execute(
        "const real = window.fetch;
         window.fetch = (url, init) => String(url).includes('customers.timeline')
           ? new Promise((ok) => setTimeout(ok, 1500)).then(() => real(url, init))
           : real(url, init);",
        vec![],
    )
    .await
    .expect("hold back the timeline");
    let hash = format!("#/customers/{}", zhang["id"]);
    c.execute("location.hash = arguments[0];", vec![json!(hash)])
        .await
        .expect("open the customer file");
    press_key(c, Key::F3).await;
    wait_focus(c, "global-search").await;
    c.active_element()
        .await
        .unwrap()
        .send_keys("13600004444")
        .await
        .unwrap();
    // The file has finished loading (its timeline came) ...
    wait_until("the customer file loaded", || async move {
        let busy = c
            .execute(
                "return document.getElementById('view').getAttribute('aria-busy') ?? ''",
                vec![],
            )
            .await?;
        let loaded = c
            .execute(
                "return !!document.getElementById('customer-timeline')",
                vec![],
            )
            .await?;
        Ok(if busy == json!("") && loaded == json!(true) {
            Ok(())
        } else {
            Err(format!("busy {busy}, timeline {loaded}"))
        })
    })
    .await;
    // ... and the clerk is still in the search box, with the caller found.
    assert_eq!(active_id(c).await.unwrap(), "global-search");
    wait_until("the caller in the search box's results", || async move {
        let options = search_options(c).await?;
        Ok(
            if options
                .iter()
                .any(|o| o.kind == "customer" && o.matched == "phone" && o.text.contains("张伟"))
            {
                Ok(())
            } else {
                Err(format!("{options:?}"))
            },
        )
    })
    .await;
    assert_eq!(active_id(c).await.unwrap(), "global-search");
    press_key(c, Key::Escape).await;
    screenshot(c, "search-kept-while-loading").await;
}
