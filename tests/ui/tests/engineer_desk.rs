//! Issue 15, the engineer's desk: 6 (我的工单: an account linked to an engineer in 用户管理
//! sees exactly his orders, Enter opens one, the completion form is a step away; at a
//! phone's width nothing runs off the screen) and the 用户管理 part of 10 (the list and
//! the form in the desk's style, Ctrl+S saves, Esc does not lose what was typed).

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use ui_tests::*;

/// Today's date in the desk's zone (UTC+8), as appointments are typed.
fn desk_today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
        + 8 * 3600;
    // Days since 1970-01-01 to year, month, day in the proleptic Gregorian calendar.
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let of_era = days - era * 146_097;
    let year_of_era = (of_era - of_era / 1460 + of_era / 36_524 - of_era / 146_096) / 365;
    let day_of_year = of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

struct Orders {
    wang: i64,
    /// Wang's order with an appointment today, being worked on.
    today: Value,
    /// Wang's other open order, dispatched without an appointment.
    later: Value,
    /// Li's order.
    other: Value,
}

/// Two engineers, a customer with a machine, and three orders dispatched through the
/// command line: two to Wang (one with an appointment today, in progress), one to Li.
fn dispatch_orders(s: &Screen) -> Orders {
    let id = |v: &Value| v["id"].as_i64().unwrap();
    let wang = id(&s.call(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    ));
    let li = id(&s.call(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀"}),
    ));
    let model = id(&s.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"],
               "address": "北京市朝阳区建国路88号", "region": "朝阳"}),
    ));
    let machine = id(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-0001",
               "purchase_date": date_days_ago(30)}),
    ));
    let order = |fault: &str| {
        s.call(
            "orders.create",
            json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
                   "channel": "phone", "mode": "on_site", "fault": fault, "confirmed": true}),
        )
    };
    let today = order("打开热水后没有火");
    let later = order("水温忽冷忽热");
    let other = order("漏水");
    let day = desk_today();
    s.call(
        "orders.assign",
        json!({"id": today["id"], "engineer_id": wang,
               "appointment_from": format!("{day} 14:00"), "appointment_to": format!("{day} 16:00")}),
    );
    let today = s.call(
        "orders.move",
        json!({"id": today["id"], "to": "in_progress", "reason": "到达现场"}),
    );
    let later = s.call(
        "orders.assign",
        json!({"id": later["id"], "engineer_id": wang}),
    );
    let other = s.call(
        "orders.assign",
        json!({"id": other["id"], "engineer_id": li}),
    );
    Orders {
        wang,
        today,
        later,
        other,
    }
}

/// A screenshot once the engine has painted what the DOM holds (two animation frames: the
/// desktop window's driver otherwise may capture the frame before).
async fn shot(s: &Screen, name: &str) {
    s.client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .expect("wait for a painted frame");
    s.screenshot(name).await;
}

fn number(order: &Value) -> String {
    order["number"].as_str().unwrap().to_string()
}

/// The order numbers the cards of 我的工单 show, in screen order.
async fn card_numbers(s: &Screen) -> Result<Vec<String>, fantoccini::error::CmdError> {
    let mut numbers = Vec::new();
    for card in s
        .client()
        .find_all(Locator::Css("#mine .mine-card .mine-number"))
        .await?
    {
        numbers.push(card.prop("textContent").await?.unwrap_or_default());
    }
    Ok(numbers)
}

async fn wait_cards(s: &Screen, want: &[String]) {
    wait_until("我的工单 to list exactly his orders", || async {
        let seen = card_numbers(s).await?;
        Ok(if seen == want {
            Ok(())
        } else {
            Err(format!("{seen:?}"))
        })
    })
    .await;
}

/// Waits until the card of order `id` has the keyboard focus.
async fn wait_card_focus(s: &Screen, id: &str) {
    wait_until(
        &format!("the card of order {id} to have the focus"),
        || async {
            let focused = s
                .client()
                .active_element()
                .await?
                .attr("data-id")
                .await?
                .unwrap_or_default();
            Ok(if focused == id { Ok(()) } else { Err(focused) })
        },
    )
    .await;
}

// ---- 6: 我的工单 ------------------------------------------------------------------------------

async fn p06_engineer_sees_his_own_orders(s: &Screen) {
    let c = s.client();
    let orders = dispatch_orders(s);

    // The administrator links a new account to Wang in 用户管理.
    go(c, "#/users").await;
    click(c, "#user-new").await;
    find(c, "#user-form").await;
    type_into(c, "#user-login", "wanglei").await;
    type_into(c, "#user-name", "王磊师傅").await;
    click(c, "#user-roles input[value=\"engineer\"]").await;
    find(c, "#user-engineer_id")
        .await
        .select_by_value(&orders.wang.to_string())
        .await
        .expect("choose the engineer");
    type_into(c, "#user-password", "wanglei-pass-1").await;
    ctrl(c, 's').await;
    wait_inner(c, "#users-table", &["wanglei", "王磊师傅", "王磊"]).await;
    let linked = s.call("users.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "wanglei")
        .cloned()
        .unwrap();
    assert_eq!(linked["engineer"]["id"], orders.wang, "{linked}");

    // He logs in: 我的工单 is in his navigation and lists his two orders, today's first,
    // not Li's.
    s.log_out().await;
    log_in_on_screen(c, "wanglei", "wanglei-pass-1").await;
    wait_inner(c, ".sidenav", &["我的工单"]).await;
    // His first screen after logging in is 我的工单.
    wait_hash(c, "我的工单 first", |h| h == "#/mine").await;
    find(c, "#mine").await;
    wait_cards(s, &[number(&orders.today), number(&orders.later)]).await;
    let text = wait_inner(c, "#mine-today", &["今天预约", "张伟", "14:00"]).await;
    assert!(!text.contains(&number(&orders.later)), "{text}");
    let screen = inner_text(c, "#mine").await.unwrap();
    assert!(
        !screen.contains(&number(&orders.other)),
        "Li's order on Wang's screen: {screen}"
    );
    shot(s, "p06-my-orders").await;

    // ↓ moves to the next card, ↑ back; Enter opens the focused one.
    let today = orders.today["id"].to_string();
    let later = orders.later["id"].to_string();
    wait_card_focus(s, &today).await;
    press_key(c, Key::Down).await;
    wait_card_focus(s, &later).await;
    press_key(c, Key::Up).await;
    wait_card_focus(s, &today).await;
    press_key(c, Key::Enter).await;
    let want = format!("#/orders/{}", orders.today["id"]);
    wait_hash(c, &format!("the hash {want}"), |h| h == want).await;

    // The completion action is there for him, and opens the completion form.
    click(c, "[data-action=\"complete\"]").await;
    find(c, "#complete-form").await;
    shot(s, "p06-my-order-complete").await;
}

#[tokio::test]
async fn p06_engineer_sees_his_own_orders_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p06_engineer_sees_his_own_orders(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p06_engineer_sees_his_own_orders_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p06_engineer_sees_his_own_orders(&s).await;
    s.close().await;
}

async fn p06_my_orders_at_a_phones_width(s: &Screen) {
    let c = s.client();
    let orders = dispatch_orders(s);
    s.call(
        "users.save",
        json!({"login": "wanglei", "name": "王磊师傅", "roles": ["engineer"],
               "password": "wanglei-pass-1", "engineer_id": orders.wang}),
    );
    c.set_window_size(390, 844).await.expect("a phone's window");
    s.log_out().await;
    log_in_on_screen(c, "wanglei", "wanglei-pass-1").await;
    go(c, "#/mine").await;
    wait_cards(s, &[number(&orders.today), number(&orders.later)]).await;
    shot(s, "p06-my-orders-phone").await;

    let layout = c
        .execute(
            "const cards = [...document.querySelectorAll('#mine .mine-card')];
             const refresh = document.getElementById('mine-refresh').getBoundingClientRect();
             return {
               inner: window.innerWidth,
               scroll: document.documentElement.scrollWidth,
               body: document.body.scrollWidth,
               cardRight: Math.max(...cards.map((e) => e.getBoundingClientRect().right)),
               cardLefts: cards.map((e) => Math.round(e.getBoundingClientRect().left)),
               refreshHeight: refresh.height,
               refreshRight: refresh.right,
             };",
            vec![],
        )
        .await
        .expect("measure the page");
    let num = |k: &str| layout[k].as_f64().unwrap_or(f64::NAN);
    assert!(num("inner") <= 414.0, "not a phone's width: {layout}");
    assert!(
        num("scroll") <= num("inner") && num("body") <= num("inner"),
        "the page scrolls sideways at a phone's width: {layout}"
    );
    assert!(
        num("cardRight") <= num("inner") && num("refreshRight") <= num("inner"),
        "something runs off the screen: {layout}"
    );
    // Cards stack: one column, each under the other.
    let lefts = layout["cardLefts"].as_array().unwrap();
    assert!(lefts.windows(2).all(|w| w[0] == w[1]), "{layout}");
    assert!(
        num("refreshHeight") >= 44.0,
        "a button too small for a finger: {layout}"
    );

    // Enter opens the order; its completion action is on screen at this width too.
    press_key(c, Key::Enter).await;
    let want = format!("#/orders/{}", orders.today["id"]);
    wait_hash(c, &format!("the hash {want}"), |h| h == want).await;
    click(c, "[data-action=\"complete\"]").await;
    find(c, "#complete-form").await;
    shot(s, "p06-my-order-phone").await;
    let widths = c
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth,
                     document.getElementById('complete-form').getBoundingClientRect().right];",
            vec![],
        )
        .await
        .expect("measure the order");
    let [inner, scroll, form] = [0, 1, 2].map(|i| widths[i].as_f64().unwrap_or(f64::NAN));
    assert!(
        scroll <= inner && form <= inner,
        "the order file runs off a phone's screen: {widths}"
    );
}

#[tokio::test]
async fn p06_my_orders_at_a_phones_width_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p06_my_orders_at_a_phones_width(&s).await;
    s.close().await;
}

// ---- 10: 用户管理 in the desk's style, Ctrl+S saves -----------------------------------------

async fn p10_user_management_in_the_desk_style_and_ctrl_s_saves(s: &Screen) {
    let c = s.client();
    go(c, "#/users").await;
    find(c, "#users-table").await;
    // The desk's list: a page head with the action, a dense table in its frame with sticky
    // headers, the rows reached with the keyboard.
    let style = c
        .execute(
            "const table = document.getElementById('users-table');
             return {
               wrapped: Boolean(table.closest('.table-wrap')),
               grid: table.classList.contains('grid'),
               sticky: getComputedStyle(table.querySelector('thead th')).position,
               head: Boolean(document.querySelector('.page-users .page-head h1')),
               focused: document.activeElement?.closest?.('#users-table tbody') !== null,
             };",
            vec![],
        )
        .await
        .expect("read the list's style");
    assert_eq!(
        style,
        json!({"wrapped": true, "grid": true, "sticky": "sticky", "head": true, "focused": true}),
        "用户管理 in its own style"
    );
    shot(s, "p10-users-list").await;

    // Insert opens a new account in the desk's form; a bad login is refused in Chinese
    // under its field, nothing typed is lost; Ctrl+S saves.
    press_key(c, Key::Insert).await;
    find(c, "form#user-form.form .form-actions").await;
    wait_inner(c, "#user-form .form-actions", &["保存", "Ctrl+S", "Esc"]).await;
    type_into(c, "#user-login", "zhao lei").await;
    type_into(c, "#user-name", "赵磊").await;
    click(c, "#user-roles input[value=\"engineer\"]").await;
    type_into(c, "#user-password", "zhaolei-pass-1").await;
    ctrl(c, 's').await;
    let error = wait_inner(c, ".field-error[data-for=\"login\"]", &["登录名"]).await;
    assert!(has_chinese(&error), "{error}");
    let name = find(c, "#user-name")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(name, "赵磊", "what was typed is kept");
    shot(s, "p10-users-refused").await;
    type_into(c, "#user-login", "zhaolei").await;
    ctrl(c, 's').await;
    wait_inner(c, "#users-table", &["zhaolei", "赵磊", "工程师"]).await;
    let saved = s.call("users.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["login"] == "zhaolei" && u["name"] == "赵磊");
    assert!(saved, "Ctrl+S did not save the new account");

    // Enter on its row opens it; Esc with a change typed warns instead of dropping it;
    // Ctrl+S saves the change.
    let row = "#users-table tbody tr[data-login=\"zhaolei\"]";
    find(c, row).await;
    c.execute(
        "document.querySelector(arguments[0]).focus()",
        vec![json!(row)],
    )
    .await
    .expect("focus the row");
    press_key(c, Key::Enter).await;
    find(c, "#user-form").await;
    wait_focus(c, "user-name").await;
    type_into(c, "#user-name", "赵磊师傅").await;
    // Esc with a change typed: the frame asks; 继续编辑 keeps it.
    press_key(c, Key::Escape).await;
    wait_inner(c, "#leave-dialog", &["保存", "放弃", "继续编辑"]).await;
    click(c, "#leave-stay").await;
    find(c, "#user-form").await;
    assert_eq!(
        find(c, "#user-name")
            .await
            .prop("value")
            .await
            .expect("name")
            .as_deref(),
        Some("赵磊师傅")
    );
    shot(s, "p10-users-form").await;
    ctrl(c, 's').await;
    wait_inner(c, "#users-table", &["赵磊师傅"]).await;
    let renamed = s.call("users.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["login"] == "zhaolei" && u["name"] == "赵磊师傅");
    assert!(renamed, "Ctrl+S did not save the change");
}

#[tokio::test]
async fn p10_user_management_in_the_desk_style_and_ctrl_s_saves_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p10_user_management_in_the_desk_style_and_ctrl_s_saves(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p10_user_management_in_the_desk_style_and_ctrl_s_saves_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p10_user_management_in_the_desk_style_and_ctrl_s_saves(&s).await;
    s.close().await;
}
