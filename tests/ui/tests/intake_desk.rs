//! 来电登记 as the front desk works it (issue 15, the intake's part), each scenario in
//! headless Chromium through the browser door and in the real desktop window:
//! - p02: a typed intake survives leaving by a nav link and a reload (a draft), and goes
//!   once the order is registered;
//! - p03: a second caller's number starts a fresh intake (nothing of the first caller on
//!   the second's order), with 撤销;
//! - p04: `+86 …` and full-width numbers find the caller (intake and global search), and a
//!   new caller with a known mobile is stopped by the duplicate warning;
//! - p05: a new caller with a refused machine saves nothing and shows every error at once;
//! - p11: 已与来电人确认 starts unticked and only a tick stops the confirmation clock.
//!
//! The desk's clock is fixed (Monday 2026-11-23 10:00 in Beijing); data is made through
//! the CLI door on the same folder.

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

async fn open(engine: Engine) -> Screen {
    Screen::open_with(engine, &[(CLOCK, MONDAY_10)], |_| {}).await
}

/// Two callers on file, each with a machine: 张伟 (in warranty) and 李强 (out of it).
struct Seed {
    model: i64,
    zhang: i64,
    li: i64,
}

fn seed(s: &Screen) -> Seed {
    let model = id(&s.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let zhang = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    s.call(
        "equipment.create",
        json!({"customer_id": zhang, "model_id": model, "serial": "SN-ZW-0001", "purchase_date": "2026-10-01"}),
    );
    let li = id(&s.call(
        "customers.create",
        json!({"name": "李强", "phones": ["13900002222"], "address": "北京市朝阳区建国路8号"}),
    ));
    s.call(
        "equipment.create",
        json!({"customer_id": li, "model_id": model, "serial": "SN-LQ-0002", "purchase_date": "2023-01-01"}),
    );
    Seed { model, zhang, li }
}

async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {css}: {e}"))
        .unwrap_or_default()
}

/// Waits until the control's value is `expected`.
async fn wait_value(c: &Client, css: &str, expected: &str) {
    wait_until(&format!("{css} to hold {expected:?}"), || async move {
        let v = find(c, css).await.prop("value").await?.unwrap_or_default();
        Ok(if v == expected { Ok(()) } else { Err(v) })
    })
    .await
}

/// Sets a date-time input as its picker would (engines differ in typing into one).
async fn set_value(c: &Client, css: &str, value: &str) {
    find(c, css).await;
    c.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];
         el.dispatchEvent(new Event('input', {bubbles: true}));
         el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("setting {css}: {e}"));
    wait_value(c, css, value).await;
}

/// The draft kept in this browser's localStorage, or null.
async fn draft(c: &Client) -> Value {
    let text = c
        .execute("return localStorage.getItem('draft.intake')", vec![])
        .await
        .expect("read localStorage");
    match text.as_str() {
        Some(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

/// Opens 来电登记 by its navigation link (the focus goes where the work is: the number
/// box, or the fault of a restored draft).
async fn open_intake(c: &Client) {
    click(c, "a[data-view=\"intake\"]").await;
    find(c, "#intake").await;
}

/// Types a number into the intake's number box (replacing it) and waits for the caller.
async fn look_up(c: &Client, number: &str, customer: i64) {
    type_into(c, "#caller-phone", number).await;
    find(
        c,
        &format!("#caller-results li[role=option][data-type=\"machine\"][data-customer-id=\"{customer}\"]"),
    )
    .await;
}

/// The order that the page shows after Ctrl+S, read through the CLI.
async fn registered(s: &Screen) -> Value {
    let hash = wait_hash(s.client(), "the order file", |h| {
        h.starts_with("#/orders/") && h != "#/orders/new" && !h.contains('?')
    })
    .await;
    let order_id: i64 = hash.trim_start_matches("#/orders/").parse().unwrap();
    s.call("orders.get", json!({"id": order_id}))
}

// ---- p02 ---------------------------------------------------------------------------------

async fn p02_esc_or_reload_keeps_the_typed_intake(s: &Screen) {
    let c = s.client();
    let seed = seed(s);
    open_intake(c).await;
    look_up(c, "13812345678", seed.zhang).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟", "SN-ZW-0001"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("热水忽冷忽热")
        .await
        .expect("type the fault");
    wait_until("the draft to be kept", || async move {
        let d = draft(c).await;
        Ok(if d["order"]["fault"] == json!("热水忽冷忽热") {
            Ok(())
        } else {
            Err(d.to_string())
        })
    })
    .await;

    // Away by the navigation or by Esc: the frame asks first, and 继续编辑 keeps every word.
    click(c, "a[data-view=\"board\"]").await;
    answer_leave(c, "#leave-stay").await;
    press_key(c, Key::Escape).await;
    answer_leave(c, "#leave-stay").await;
    find(c, "#intake").await;
    wait_value(c, "#intake-fault", "热水忽冷忽热").await;
    wait_inner(c, "#caller-chosen", &["张伟", "SN-ZW-0001"]).await;
    assert_eq!(value_of(c, "#caller-phone").await, "13812345678");

    // A reload of the whole page: the same.
    c.refresh().await.expect("reload");
    find(c, "#intake").await;
    wait_text(c, "#intake-draft", "已恢复未完成的登记").await;
    wait_value(c, "#intake-fault", "热水忽冷忽热").await;
    wait_inner(c, "#caller-chosen", &["张伟"]).await;
    s.screenshot("intake-draft-restored").await;

    // Discarded on request: an empty intake, no draft.
    click(c, "#intake-draft-discard").await;
    wait_value(c, "#intake-fault", "").await;
    wait_value(c, "#caller-phone", "").await;
    assert_eq!(draft(c).await, Value::Null);

    // Typed again and registered: the draft goes with the order.
    look_up(c, "13812345678", seed.zhang).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("漏水")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_eq!(order["fault"], json!("漏水"), "{order}");
    assert_eq!(draft(c).await, Value::Null);
    open_intake(c).await;
    assert_eq!(value_of(c, "#intake-fault").await, "");
    let notice_hidden = c
        .execute(
            "return document.getElementById('intake-draft').hidden",
            vec![],
        )
        .await
        .expect("read the notice");
    assert_eq!(notice_hidden, json!(true));

    // Typed, then left with 放弃: the intake and its draft go.
    find(c, "#intake-fault")
        .await
        .send_keys("异响")
        .await
        .expect("type the fault");
    wait_until("the draft to be kept", || async move {
        Ok(if draft(c).await.is_null() {
            Err("no draft".to_string())
        } else {
            Ok(())
        })
    })
    .await;
    click(c, "a[data-view=\"board\"]").await;
    answer_leave(c, "#leave-discard").await;
    find(c, "#board").await;
    assert_eq!(draft(c).await, Value::Null);
}

/// Waits for the frame's 保存 / 放弃 / 继续编辑 question and answers it with `button`.
async fn answer_leave(c: &Client, button: &str) {
    wait_until("the leave question", || async move {
        let open = c
            .execute(
                "const d = document.getElementById('leave-dialog'); return Boolean(d && d.open);",
                vec![],
            )
            .await?;
        Ok(if open == json!(true) {
            Ok(())
        } else {
            Err("not asked".to_string())
        })
    })
    .await;
    click(c, button).await;
}

#[tokio::test]
async fn p02_esc_or_reload_keeps_the_typed_intake_chromium() {
    let s = open(Engine::Chromium).await;
    p02_esc_or_reload_keeps_the_typed_intake(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p02_esc_or_reload_keeps_the_typed_intake_desktop() {
    let s = open(Engine::Desktop).await;
    p02_esc_or_reload_keeps_the_typed_intake(&s).await;
    s.close().await;
}

// ---- p03 ---------------------------------------------------------------------------------

async fn p03_a_second_number_resets_the_callers_fields(s: &Screen) {
    let c = s.client();
    let seed = seed(s);
    open_intake(c).await;
    look_up(c, "13812345678", seed.zhang).await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#intake-warranty", "保内").await;
    wait_value(c, "#intake-phone", "13812345678").await;
    find(c, "#intake-fault")
        .await
        .send_keys("打开热水后没有火")
        .await
        .expect("type the fault");
    type_into(c, "#intake-contact", "张太太").await;
    set_value(c, "#intake-appointment_from", "2026-11-24T09:00").await;

    // The line rings again: another number, another caller.
    look_up(c, "13900002222", seed.li).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["李强", "SN-LQ-0002"]).await;
    wait_text(c, "#intake-warranty", "保外").await;
    wait_inner(c, "#intake-reset", &["李强", "撤销"]).await;
    assert_eq!(value_of(c, "#intake-fault").await, "");
    assert_eq!(value_of(c, "#intake-contact").await, "");
    assert_eq!(value_of(c, "#intake-appointment_from").await, "");
    assert_eq!(value_of(c, "#intake-phone").await, "13900002222");
    assert_eq!(
        value_of(c, "#intake-address").await,
        "北京市朝阳区建国路8号"
    );
    s.screenshot("intake-second-caller").await;

    // Undo brings the first caller back with what was typed for him…
    click(c, "#intake-reset-undo").await;
    wait_inner(c, "#caller-chosen", &["张伟", "SN-ZW-0001"]).await;
    wait_value(c, "#intake-fault", "打开热水后没有火").await;
    assert_eq!(value_of(c, "#intake-contact").await, "张太太");
    assert_eq!(
        value_of(c, "#intake-appointment_from").await,
        "2026-11-24T09:00"
    );
    assert_eq!(value_of(c, "#intake-phone").await, "13812345678");
    assert_eq!(value_of(c, "#caller-phone").await, "13812345678");

    // …and the second caller again gets a clean order, which carries only his details.
    look_up(c, "13900002222", seed.li).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["李强"]).await;
    wait_value(c, "#intake-fault", "").await;
    find(c, "#intake-fault")
        .await
        .send_keys("不出热水")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_eq!(order["customer"]["id"], json!(seed.li), "{order}");
    assert_eq!(order["phone"], json!("139 0000 2222"), "{order}");
    assert_eq!(order["contact"], json!("李强"), "{order}");
    assert_eq!(order["fault"], json!("不出热水"), "{order}");
    assert_eq!(order["address"], json!("北京市朝阳区建国路8号"), "{order}");
    assert_eq!(order["appointment_from"], Value::Null, "{order}");
    assert_eq!(order["equipment"]["serial"], json!("SN-LQ-0002"), "{order}");
}

#[tokio::test]
async fn p03_a_second_number_resets_the_callers_fields_chromium() {
    let s = open(Engine::Chromium).await;
    p03_a_second_number_resets_the_callers_fields(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p03_a_second_number_resets_the_callers_fields_desktop() {
    let s = open(Engine::Desktop).await;
    p03_a_second_number_resets_the_callers_fields(&s).await;
    s.close().await;
}

// ---- p04 ---------------------------------------------------------------------------------

async fn p04_intake_recognises_plus86_and_fullwidth_numbers_and_warns_of_duplicates(s: &Screen) {
    let c = s.client();
    let seed = seed(s);
    let yao = id(&s.call(
        "customers.create",
        json!({"name": "姚霞", "phones": ["17612345678"], "address": "北京市西城区金融街3号"}),
    ));
    s.call(
        "equipment.create",
        json!({"customer_id": yao, "model_id": seed.model, "serial": "SN-YX-0003", "purchase_date": "2026-09-01"}),
    );
    open_intake(c).await;
    for typed in [
        "+86 176 1234 5678",
        "１７６１２３４５６７８",
        "0086-176-1234-5678",
    ] {
        // No stale list: a number nobody has first.
        type_into(c, "#caller-phone", "1111").await;
        find(c, "#caller-none").await;
        look_up(c, typed, yao).await;
    }
    s.screenshot("intake-plus86").await;
    // The global search box folds them the same way.
    global_search(c, "+86 176 1234", "customer", "phone", "姚霞").await;
    global_search(c, "１７６１２３４５６７８", "customer", "phone", "姚霞").await;
    press_key(c, Key::Escape).await;

    // 「姚女士」 with 姚霞's mobile: the new-customer form warns and will not go on.
    let before = customer_count(s.data_dir());
    click(c, "#caller-phone").await;
    type_into(c, "#caller-phone", "13700001111").await;
    find(c, "#caller-none").await;
    press_key(c, Key::Enter).await;
    find(c, "form#intake-customer-form").await;
    wait_focus(c, "newcust-name").await;
    find(c, "#newcust-name")
        .await
        .send_keys("姚女士")
        .await
        .expect("type the name");
    type_into(c, "#newcust-phones", "176 1234 5678").await;
    wait_inner(c, "#intake-duplicates", &["姚霞", "电话相同"]).await;
    // Enter through to the end: stopped, the focus on 用这个客户.
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-address").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-model_id").await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#intake-duplicates .dup-stop", "已有客户").await;
    let focused = c
        .execute(
            "return document.activeElement.classList.contains('dup-use') ? document.activeElement.dataset.id : ''",
            vec![],
        )
        .await
        .expect("read the focus");
    assert_eq!(focused, json!(yao.to_string()));
    s.screenshot("intake-duplicate-warning").await;
    // Ctrl+S is stopped the same way.
    ctrl(c, 's').await;
    wait_text(c, "#intake-duplicates .dup-stop", "已有客户").await;
    assert_eq!(customer_count(s.data_dir()), before);

    // 用这个客户: 姚霞's machines to choose from; the order is hers.
    click(
        c,
        &format!("#intake-duplicates .dup-use[data-id=\"{yao}\"]"),
    )
    .await;
    find(
        c,
        &format!("#caller-results li[role=option][data-type=\"machine\"][data-customer-id=\"{yao}\"][aria-selected=\"true\"]"),
    )
    .await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["姚霞", "SN-YX-0003"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("点不着火")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_eq!(order["customer"]["id"], json!(yao), "{order}");
    assert_eq!(customer_count(s.data_dir()), before);
}

#[tokio::test]
async fn p04_intake_recognises_plus86_and_fullwidth_numbers_and_warns_of_duplicates_chromium() {
    let s = open(Engine::Chromium).await;
    p04_intake_recognises_plus86_and_fullwidth_numbers_and_warns_of_duplicates(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p04_intake_recognises_plus86_and_fullwidth_numbers_and_warns_of_duplicates_desktop() {
    let s = open(Engine::Desktop).await;
    p04_intake_recognises_plus86_and_fullwidth_numbers_and_warns_of_duplicates(&s).await;
    s.close().await;
}

// ---- p05 ---------------------------------------------------------------------------------

async fn p05_intake_is_one_transaction_and_shows_every_error(s: &Screen) {
    let c = s.client();
    let seed = seed(s);
    let before = customer_count(s.data_dir());
    open_intake(c).await;
    type_into(c, "#caller-phone", "13987654321").await;
    find(c, "#caller-none").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-name").await;
    find(c, "#newcust-name")
        .await
        .send_keys("赵敏")
        .await
        .expect("type the name");
    find(c, "#newcust-model_id")
        .await
        .select_by_value(&seed.model.to_string())
        .await
        .expect("choose the model");
    type_into(c, "#newcust-serial", "SN 坏#1").await;
    type_into(c, "#newcust-purchase_date", "2099-01-01").await;
    // Straight to Ctrl+S, nothing typed for the order: one refusal with everything.
    ctrl(c, 's').await;
    wait_nonempty(c, "#intake-customer-form .field-error[data-for=\"serial\"]").await;
    wait_text(
        c,
        "#intake-customer-form .field-error[data-for=\"purchase_date\"]",
        "不能晚于今天",
    )
    .await;
    wait_text(c, "#intake-form .field-error[data-for=\"fault\"]", "故障").await;
    wait_text(c, "#intake-form .field-error[data-for=\"address\"]", "地址").await;
    wait_focus(c, "newcust-serial").await;
    assert_eq!(customer_count(s.data_dir()), before, "nothing saved");
    let page = inner_text(c, ".page-intake").await.unwrap_or_default();
    assert!(!page.contains("已保存"), "{page}");
    s.screenshot("intake-every-error").await;

    // Put right, all of it is saved at once.
    type_into(c, "#newcust-serial", "SN-ZM-0009").await;
    type_into(c, "#newcust-purchase_date", "2026-11-01").await;
    type_into(c, "#newcust-address", "北京市海淀区学院路5号").await;
    find(c, "#intake-fault")
        .await
        .send_keys("热水忽冷忽热")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_eq!(order["customer"]["name"], json!("赵敏"), "{order}");
    assert_eq!(order["equipment"]["serial"], json!("SN-ZM-0009"), "{order}");
    assert_eq!(order["warranty"], json!("in"), "{order}");
    assert_eq!(order["address"], json!("北京市海淀区学院路5号"), "{order}");
    assert_eq!(customer_count(s.data_dir()), before + 1);
}

#[tokio::test]
async fn p05_intake_is_one_transaction_and_shows_every_error_chromium() {
    let s = open(Engine::Chromium).await;
    p05_intake_is_one_transaction_and_shows_every_error(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p05_intake_is_one_transaction_and_shows_every_error_desktop() {
    let s = open(Engine::Desktop).await;
    p05_intake_is_one_transaction_and_shows_every_error(&s).await;
    s.close().await;
}

// ---- p11 ---------------------------------------------------------------------------------

fn confirm_clock(order: &Value) -> Value {
    order["clocks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["kind"] == json!("confirm")).cloned())
        .unwrap_or_else(|| panic!("no confirm clock in {order}"))
}

async fn p11_intake_confirmation_starts_unticked(s: &Screen) {
    let c = s.client();
    let seed = seed(s);
    open_intake(c).await;
    find(c, "#intake-confirmed").await;
    let ticked = c
        .execute(
            "return document.getElementById('intake-confirmed').checked",
            vec![],
        )
        .await
        .expect("read the tick");
    assert_eq!(ticked, json!(false));
    s.screenshot("intake-confirmed-unticked").await;

    // Registered without the tick: the confirmation call is still owed.
    look_up(c, "13812345678", seed.zhang).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("漏水")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_ne!(confirm_clock(&order)["state"], json!("kept"), "{order}");
    assert!(
        order["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != json!("confirmed")),
        "{order}"
    );

    // Ticked by the clerk: the clock is kept.
    open_intake(c).await;
    look_up(c, "13900002222", seed.li).await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["李强"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("不出热水")
        .await
        .expect("type the fault");
    click(c, "#intake-confirmed").await;
    ctrl(c, 's').await;
    let order = registered(s).await;
    assert_eq!(confirm_clock(&order)["state"], json!("kept"), "{order}");
}

#[tokio::test]
async fn p11_intake_confirmation_starts_unticked_chromium() {
    let s = open(Engine::Chromium).await;
    p11_intake_confirmation_starts_unticked(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p11_intake_confirmation_starts_unticked_desktop() {
    let s = open(Engine::Desktop).await;
    p11_intake_confirmation_starts_unticked(&s).await;
    s.close().await;
}
