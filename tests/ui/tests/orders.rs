//! 工单 in headless Chromium against the real browser door: a call taken on the phone
//! intake and carried to payment, a walk-in by a new caller without the mouse, a step
//! refused because the order changed behind the page's back, a completion refused for want
//! of stock, a confirmation clock about to break on the board and the order, and the
//! settings the clocks and dispatch rest on. The desk's clock is fixed (AFTERSALES_CLOCK)
//! so nothing depends on when the tests run; data is prepared through the CLI door.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-11-23 10:00 in Beijing: a working morning.
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

/// A door whose clock stands at Monday 10:00.
fn door() -> Door {
    Door::start_with_env(&[(CLOCK, MONDAY_10)])
}

/// A command through the CLI with the desk's clock at Monday 10:00, like the door's.
fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

struct Seed {
    customer: i64,
    machine: i64,
    part: i64,
    main: i64,
    van: i64,
    li: i64,
    wang: i64,
}

/// 张伟 (海淀) with a machine bought a month ago under a 12-month policy; part P100 with 5
/// in the main store, 1 of them moved to Li's van; engineers 李强 (海淀, the van) and 王磊
/// (朝阳); a past call about the model taught the desk the common fault 不点火.
fn seed(door: &Door) -> Seed {
    let model = id(&desk(
        door,
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id(&desk(
        door,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号",
               "region": "北京"}),
    ));
    let machine = id(&desk(
        door,
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-IN-0001",
               "purchase_date": date_days_ago(30)}),
    ));
    let part = id(&desk(
        door,
        "parts.save",
        json!({"code": "P100", "name": "点火针", "spec": "通用", "unit": "个", "models": ["JSQ25-13"],
               "cost_fen": 1000, "price_fen": 3500, "barcode": "6900000000100", "bin": "A-01",
               "min_stock": 1}),
    ));
    let stores = desk(door, "stores.list", json!({}));
    let main = stores["items"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == json!("main")))
        .map(id)
        .unwrap_or_else(|| panic!("no main store: {stores}"));
    let van = id(&desk(
        door,
        "stores.save",
        json!({"code": "VAN-LI", "name": "李工车载库", "kind": "van", "engineer": "李强"}),
    ));
    desk(
        door,
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 5, "unit_cost_fen": 1000,
               "supplier": "宁波配件厂", "note": ""}),
    );
    desk(
        door,
        "stock.transfer",
        json!({"part_id": part, "from_store_id": main, "to_store_id": van, "quantity": 1, "note": "装车"}),
    );
    let li = id(&desk(
        door,
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀 西城"}),
    ));
    let wang = id(&desk(
        door,
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    ));
    // An earlier call about this model: its fault is learnt; it was then cancelled.
    let past = id(&desk(
        door,
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault_tags": ["不点火"], "confirmed": true}),
    ));
    desk(
        door,
        "orders.move",
        json!({"id": past, "to": "cancelled", "reason": "客户自己修好了"}),
    );
    Seed {
        customer,
        machine,
        part,
        main,
        van,
        li,
        wang,
    }
}

/// A fresh order for 张伟's machine, registered at Monday 10:00.
fn new_order(door: &Door, s: &Seed, fault: &str) -> i64 {
    id(&desk(
        door,
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": s.machine, "kind": "repair",
               "channel": "phone", "mode": "on_site", "fault": fault, "confirmed": true}),
    ))
}

/// Opens the door's URL (with its #token), waits for the frame, then goes to `hash`.
async fn open_at(door: &Door, c: &Client, hash: &str) {
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日).
    find(c, "#day").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        h == "#/day" && !h.contains("token")
    })
    .await;
    if !hash.is_empty() {
        go(c, hash).await;
    }
}

/// Waits until the element's attribute has this value.
async fn wait_attr(c: &Client, css: &str, name: &str, value: &str) {
    wait_until(&format!("`{css}` [{name}={value:?}]"), || async move {
        let seen = c.find(Locator::Css(css)).await?.attr(name).await?;
        Ok(if seen.as_deref() == Some(value) {
            Ok(())
        } else {
            Err(format!("{seen:?}"))
        })
    })
    .await
}

/// Waits until nothing matches `css`.
async fn wait_gone(c: &Client, css: &str) {
    wait_until(&format!("`{css}` to go"), || async move {
        let n = c.find_all(Locator::Css(css)).await?.len();
        Ok(if n == 0 {
            Ok(())
        } else {
            Err(format!("{n} left"))
        })
    })
    .await
}

/// The value property of the element.
async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {css}: {e}"))
        .unwrap_or_default()
}

/// Waits for the order file to show this status.
async fn wait_status(c: &Client, label: &str) {
    wait_text(c, "#order-status", label).await;
}

/// Presses a plain key (a letter shortcut) on whatever has the focus.
async fn key(c: &Client, k: char) {
    press(c, &[], k).await;
}

fn clock_of<'a>(order: &'a Value, kind: &str) -> &'a Value {
    order["clocks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["kind"] == json!(kind)))
        .unwrap_or_else(|| panic!("no {kind} clock in {order}"))
}

#[tokio::test]
async fn a_call_from_the_phone_intake_to_the_payment() {
    let door = door();
    let s = seed(&door);
    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, "").await;

    // F2 from anywhere: the phone intake, the number box has the focus.
    press_key(c, Key::F2).await;
    wait_hash(c, "the intake", |h| h == "#/orders/new").await;
    wait_focus(c, "caller-phone").await;
    wait_attr(c, "a[data-view=\"intake\"]", "aria-current", "page").await;

    // The last four digits find 张伟 with his machine, its warranty and the reason.
    find(c, "#caller-phone")
        .await
        .send_keys("5678")
        .await
        .expect("type the number");
    let machine_option = format!(
        "#caller-results li[role=option][data-type=\"machine\"][data-equipment-id=\"{}\"]",
        s.machine
    );
    let option = wait_inner(
        c,
        &machine_option,
        &["JSQ25-13", "SN-IN-0001", "保内", "购买日期"],
    )
    .await;
    assert!(option.contains("12 个月"), "{option}");
    wait_inner(c, "#caller-results", &["张伟", "138 1234 5678"]).await;
    screenshot(c, "orders-intake-caller").await;

    // ↓ marks the machine, Enter chooses it; the focus goes on to the order.
    press_key(c, Key::Down).await;
    wait_attr(c, &machine_option, "aria-selected", "true").await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟", "SN-IN-0001"]).await;
    wait_text(c, "#intake-warranty", "保内").await;
    wait_text(c, "#intake-warranty-reason", "购买日期").await;
    wait_focus(c, "intake-kind-repair").await;
    assert_eq!(
        value_of(c, "#intake-address").await,
        "北京市海淀区中关村大街1号",
        "the customer's address is the service address"
    );

    // Tab through type, channel, mode and priority (defaults: 维修 电话 上门 普通) to the
    // model's common faults; Space ticks one; Tab to the fault in the caller's words.
    let chip = "#intake-fault-tags button[data-fault=\"不点火\"]";
    find(c, chip).await;
    for _ in 0..4 {
        press_key(c, Key::Tab).await;
    }
    wait_until("the fault chip to have the focus", || async move {
        let active = c.active_element().await?;
        let fault = active.attr("data-fault").await?;
        Ok(if fault.as_deref() == Some("不点火") {
            Ok(())
        } else {
            Err(format!("{fault:?}"))
        })
    })
    .await;
    press_key(c, Key::Space).await;
    wait_attr(c, chip, "aria-pressed", "true").await;
    press_key(c, Key::Tab).await;
    wait_focus(c, "intake-fault").await;
    find(c, "#intake-fault")
        .await
        .send_keys("打开热水后没有火")
        .await
        .expect("type the fault");
    // Confirmed with the caller on this call: the clerk ticks it (unticked by default).
    click(c, "#intake-confirmed").await;
    screenshot(c, "orders-intake-filled").await;
    ctrl(c, 's').await;

    // The order file: number, status, warranty with its reason, the fault.
    let hash = wait_hash(c, "the order file", |h| {
        h.starts_with("#/orders/") && h != "#/orders/new"
    })
    .await;
    let order_id: i64 = hash
        .trim_start_matches("#/orders/")
        .parse()
        .expect("order id");
    wait_text(c, "#toast", "已登记工单").await;
    wait_status(c, "已登记").await;
    let number = wait_nonempty(c, "#order-number").await;
    assert!(number.starts_with("WO2026"), "{number}");
    wait_text(c, "#order-warranty", "保内").await;
    wait_text(c, "#order-warranty-reason", "购买日期").await;
    wait_text(c, "#order-fault", "不点火；打开热水后没有火").await;
    wait_inner(
        c,
        "#order-clocks",
        &["3分钟回电确认", "按时完成", "24小时答复"],
    )
    .await;
    screenshot(c, "orders-file-registered").await;

    // D: dispatch. Li comes first (his van holds nothing yet learnt, but he serves 海淀).
    key(c, 'd').await;
    find(c, "form#assign-form").await;
    let first = wait_inner(
        c,
        "#assign-engineers label[data-rank=\"1\"]",
        &["李强", "海淀"],
    )
    .await;
    assert!(first.contains("推荐"), "{first}");
    wait_focus(c, &format!("assign-engineer-{}", s.li)).await;
    screenshot(c, "orders-assign").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已派给 李强").await;
    wait_status(c, "已派工").await;
    wait_text(c, "#order-engineer", "李强").await;

    // S: start.
    key(c, 's').await;
    wait_status(c, "处理中").await;

    // F: complete with the part (scanned barcode) from Li's van and a labour fee.
    key(c, 'f').await;
    find(c, "form#complete-form").await;
    type_into(c, "#complete-diagnosis", "点火针积碳").await;
    type_into(c, "#complete-work_done", "更换点火针，试机正常").await;
    let finder = "#complete-parts tr.part-line .part-find-input";
    type_into(c, finder, "6900000000100").await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#complete-parts tr.part-line td.col-money", "保内免费").await;
    assert_eq!(
        value_of(c, finder).await,
        "P100 点火针",
        "the scanned part is chosen"
    );
    assert_eq!(
        value_of(c, "#complete-parts tr.part-line .part-store").await,
        s.van.to_string(),
        "the engineer's van, which holds the part, is offered first"
    );
    type_into(c, "#complete-fees tr.fee-line .fee-amount", "50").await;
    wait_text(c, "#complete-total-amount", "¥50.00").await;
    type_into(c, "#complete-fee_reason", "客户要求当天上门").await;
    screenshot(c, "orders-complete-form").await;
    ctrl(c, 's').await;
    click(c, "#complete-confirm").await;
    wait_text(c, "#toast", "已完工").await;
    wait_status(c, "已完工").await;
    wait_text(c, "#order-total", "¥50.00").await;
    wait_text(c, "#order-outstanding", "¥50.00").await;
    wait_inner(
        c,
        "#order-lines",
        &["P100 点火针", "保内免费", "工时费", "¥50.00"],
    )
    .await;

    // P: payment by WeChat; the amount is what is owed.
    key(c, 'p').await;
    find(c, "form#pay-form").await;
    assert_eq!(value_of(c, "#pay-amount_fen").await, "50.00");
    click(c, "label[for=\"pay-method-wechat\"]").await;
    screenshot(c, "orders-pay-form").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已收款 ¥50.00").await;
    wait_text(c, "#order-outstanding", "¥0.00").await;
    wait_text(c, "#order-settled", "已结清").await;
    wait_status(c, "已完工").await;
    wait_inner(c, "#order-payments", &["微信", "¥50.00"]).await;
    let timeline = wait_inner(
        c,
        "#order-timeline",
        &["登记工单", "派工", "状态改为处理中", "完工", "收款"],
    )
    .await;
    assert!(timeline.contains(DESK_USER_NAME), "who did it: {timeline}");
    screenshot(c, "orders-file-paid").await;

    // The core agrees: paid, and the part left Li's van with the order number.
    let order = door.call("orders.get", json!({"id": order_id}));
    assert_eq!(order["status"], json!("completed"), "{order}");
    assert_eq!(order["outstanding_fen"], json!(0), "{order}");
    assert_eq!(order["payments"][0]["method"], json!("wechat"), "{order}");
    let ledger = door.call("stock.ledger", json!({"part_id": s.part}));
    let issue = ledger["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["kind"] == json!("issue")).cloned())
        .unwrap_or_else(|| panic!("no issue in {ledger}"));
    assert_eq!(issue["reference"], json!(number), "{issue}");
    assert_eq!(issue["quantity"], json!(-1), "{issue}");
    assert_eq!(issue["store_id"], json!(s.van), "{issue}");

    // The customer file lists the order; the search box opens it by its number.
    go(c, &format!("#/customers/{}", s.customer)).await;
    let row = wait_inner(
        c,
        &format!("#customer-orders tr[data-id=\"{order_id}\"]"),
        &[number.as_str(), "已完工"],
    )
    .await;
    assert!(row.contains("李强"), "{row}");
    wait_inner(c, "#customer-timeline", &[number.as_str()]).await;
    screenshot(c, "orders-customer-file").await;

    // F2 on the customer file: the intake with this customer, the first machine marked.
    find(c, "#customer-new-order").await;
    press_key(c, Key::F2).await;
    wait_hash(c, "the intake for 张伟", |h| {
        h == format!("#/orders/new?customer={}", s.customer)
    })
    .await;
    wait_focus(c, "caller-phone").await;
    wait_attr(c, &machine_option, "aria-selected", "true").await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟", "SN-IN-0001"]).await;
    press_key(c, Key::Escape).await;
    wait_hash(c, "back to the customer file", |h| {
        h == format!("#/customers/{}", s.customer)
    })
    .await;

    let (options, at) = global_search(c, &number, "order", "order", &number).await;
    assert_eq!(at, 0, "the order comes first: {options:?}");
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_hash(c, "the order from the search box", |h| {
        h == format!("#/orders/{order_id}")
    })
    .await;
    wait_status(c, "已完工").await;
    session.close().await;
}

#[tokio::test]
async fn a_walk_in_by_a_new_caller_without_the_mouse() {
    let door = door();
    let s = seed(&door);
    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, "#/board").await;
    find(c, "#board").await;
    // Nothing on the board yet: each column says what to do.
    wait_text(c, "#board-unassigned-empty", "F2").await;
    wait_inner(c, "#board-active-empty", &["派工"]).await;
    screenshot(c, "orders-board-empty").await;
    press_key(c, Key::F1).await;
    wait_inner(c, "#help-panel", &["F2", "派工看板"]).await;
    screenshot(c, "orders-help").await;
    press_key(c, Key::Escape).await;
    wait_until("the help panel to close", || async move {
        let open = c
            .execute("return document.getElementById('help-panel').open", vec![])
            .await?;
        Ok(if open == json!(false) {
            Ok(())
        } else {
            Err(open.to_string())
        })
    })
    .await;

    press_key(c, Key::F2).await;
    wait_focus(c, "caller-phone").await;
    find(c, "#caller-phone")
        .await
        .send_keys("13987654321")
        .await
        .expect("type the number");
    wait_text(c, "#caller-none", "13987654321").await;
    // The only choice is a new customer: Enter opens its form with the number filled in.
    press_key(c, Key::Enter).await;
    find(c, "form#intake-customer-form").await;
    wait_focus(c, "newcust-name").await;
    assert_eq!(value_of(c, "#newcust-phones").await, "13987654321");
    find(c, "#newcust-name")
        .await
        .send_keys("赵敏")
        .await
        .expect("type the name");
    // Enter, Enter: past the number to the address, then to the model.
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-address").await;
    find(c, "#newcust-address")
        .await
        .send_keys("北京市海淀区学院路5号")
        .await
        .expect("type the address");
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-model_id").await;
    press_key(c, Key::Down).await; // the first (only) model
    wait_until("a model to be chosen", || async move {
        let v = c
            .find(Locator::Css("#newcust-model_id"))
            .await?
            .prop("value")
            .await?;
        Ok(match v {
            Some(v) if !v.is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        })
    })
    .await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-serial").await;
    find(c, "#newcust-serial")
        .await
        .send_keys("SN-WALK-0009")
        .await
        .expect("type the serial");
    press_key(c, Key::Enter).await;
    wait_focus(c, "newcust-purchase_date").await;
    find(c, "#newcust-purchase_date")
        .await
        .send_keys("2026-11-13") // ten days before the desk's fixed clock
        .await
        .expect("type the date");
    screenshot(c, "orders-intake-new-customer").await;
    press_key(c, Key::Enter).await;

    // Checked and chosen (saved with the order, one transaction); focus on 类型.
    wait_text(c, "#toast", "新客户“赵敏”将随工单一起保存").await;
    wait_inner(c, "#caller-chosen", &["赵敏", "SN-WALK-0009"]).await;
    wait_text(c, "#intake-warranty", "保内").await;
    wait_focus(c, "intake-kind-repair").await;
    // Tab to 来源, → to 来访: 服务方式 follows to 送修.
    press_key(c, Key::Tab).await;
    wait_focus(c, "intake-channel-phone").await;
    press_key(c, Key::Right).await;
    wait_focus(c, "intake-channel-walk_in").await;
    wait_until("送修 to follow 来访", || async move {
        let checked = c
            .execute(
                "return document.querySelector('#intake-mode input:checked')?.value ?? ''",
                vec![],
            )
            .await?;
        Ok(if checked == json!("carry_in") {
            Ok(())
        } else {
            Err(checked.to_string())
        })
    })
    .await;
    // Shift-free path to the fault: Enter moves on through mode and priority.
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "intake-fault").await;
    find(c, "#intake-fault")
        .await
        .send_keys("热水忽冷忽热")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;

    wait_text(c, "#toast", "已登记工单").await;
    wait_status(c, "已登记").await;
    let hash = wait_hash(c, "the order file", |h| {
        h.starts_with("#/orders/") && h != "#/orders/new"
    })
    .await;
    let order_id: i64 = hash.trim_start_matches("#/orders/").parse().unwrap();
    let order = door.call("orders.get", json!({"id": order_id}));
    assert_eq!(order["customer"]["name"], json!("赵敏"), "{order}");
    assert_eq!(order["channel"], json!("walk_in"), "{order}");
    assert_eq!(order["mode"], json!("carry_in"), "{order}");
    assert_eq!(order["warranty"], json!("in"), "{order}");
    assert_eq!(order["fault"], json!("热水忽冷忽热"), "{order}");
    // 已与来电人确认 starts unticked (issue 15): untouched, the confirmation call is owed.
    assert_ne!(
        clock_of(&order, "confirm")["state"],
        json!("kept"),
        "not confirmed unless ticked"
    );
    // Nobody else was touched: 张伟 still has his one machine.
    let machines = door.call("equipment.list", json!({"customer_id": s.customer}));
    assert_eq!(machines["items"].as_array().map(Vec::len), Some(1));
    screenshot(c, "orders-file-walk-in").await;
    session.close().await;
}

#[tokio::test]
async fn a_step_the_order_no_longer_allows_is_refused_and_the_page_shows_the_truth() {
    let door = door();
    let s = seed(&door);
    // One order dispatched to Li, one Li is working on.
    let dispatched = new_order(&door, &s, "漏水");
    desk(
        &door,
        "orders.assign",
        json!({"id": dispatched, "engineer_id": s.li}),
    );
    let working = new_order(&door, &s, "显示E1");
    desk(
        &door,
        "orders.assign",
        json!({"id": working, "engineer_id": s.li}),
    );
    desk(
        &door,
        "orders.move",
        json!({"id": working, "to": "in_progress", "reason": ""}),
    );

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, &format!("#/orders/{dispatched}")).await;
    wait_status(c, "已派工").await;
    find(c, "#order-actions [data-action=\"start\"]").await;

    // Behind the page's back: the customer cancels on another desk.
    desk(
        &door,
        "orders.move",
        json!({"id": dispatched, "to": "cancelled", "reason": "客户改约别家"}),
    );
    let before = desk(&door, "orders.get", json!({"id": dispatched}));

    // The stale 开始处理 button: the core refuses; the page says so and shows 已取消.
    click(c, "#order-actions [data-action=\"start\"]").await;
    let message = wait_nonempty(c, "#order-error").await;
    assert!(
        message.contains("已取消") && message.contains("处理中") && has_chinese(&message),
        "{message}"
    );
    wait_status(c, "已取消").await;
    wait_gone(c, "#order-actions [data-action=\"start\"]").await;
    wait_text(c, "#order-final", "已结束").await;
    screenshot(c, "orders-refused-stale").await;
    let after = desk(&door, "orders.get", json!({"id": dispatched}));
    assert_eq!(after, before, "the refused step changed nothing");

    // The same with a form open: what was typed stays.
    go(c, &format!("#/orders/{working}")).await;
    wait_status(c, "处理中").await;
    key(c, 'f').await;
    find(c, "form#complete-form").await;
    type_into(c, "#complete-work_done", "更换主板").await;
    desk(
        &door,
        "orders.move",
        json!({"id": working, "to": "cancelled", "reason": "客户不修了"}),
    );
    let before = desk(&door, "orders.get", json!({"id": working}));
    ctrl(c, 's').await;
    click(c, "#complete-confirm").await;
    let message = wait_nonempty(c, "form#complete-form .form-error").await;
    assert!(
        message.contains("已取消") && message.contains("已完工"),
        "{message}"
    );
    wait_status(c, "已取消").await;
    assert_eq!(
        value_of(c, "#complete-work_done").await,
        "更换主板",
        "nothing typed is lost"
    );
    screenshot(c, "orders-refused-form").await;
    let after = desk(&door, "orders.get", json!({"id": working}));
    assert_eq!(after, before, "the refused completion changed nothing");
    session.close().await;
}

#[tokio::test]
async fn completing_with_more_parts_than_on_hand_is_refused_naming_part_store_and_stock() {
    let door = door();
    let s = seed(&door);
    // Wang has no van: the part comes from the main store, which holds 4.
    let o = new_order(&door, &s, "不点火");
    desk(
        &door,
        "orders.assign",
        json!({"id": o, "engineer_id": s.wang}),
    );
    desk(
        &door,
        "orders.move",
        json!({"id": o, "to": "in_progress", "reason": ""}),
    );
    let ledger_before = door.call("stock.ledger", json!({"part_id": s.part}));

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, &format!("#/orders/{o}")).await;
    wait_status(c, "处理中").await;
    key(c, 'f').await;
    find(c, "form#complete-form").await;
    type_into(c, "#complete-work_done", "更换点火针").await;
    let finder = "#complete-parts tr.part-line .part-find-input";
    type_into(c, finder, "点火").await;
    let option = "#complete-parts .part-results li[role=option][data-code=\"P100\"]";
    wait_inner(c, option, &["主仓库 4", "李工车载库 1"]).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_focus_class(c, "part-qty").await;
    assert_eq!(
        value_of(c, "#complete-parts tr.part-line .part-store").await,
        s.main.to_string()
    );
    type_into(c, "#complete-parts tr.part-line .part-qty", "5").await;
    ctrl(c, 's').await;
    click(c, "#complete-confirm").await;

    let message = wait_nonempty(c, "form#complete-form .field-error[data-for=\"parts\"]").await;
    assert!(
        message.contains("P100") && message.contains("主仓库") && message.contains("现有 4"),
        "{message}"
    );
    wait_status(c, "处理中").await;
    assert_eq!(
        value_of(c, "#complete-work_done").await,
        "更换点火针",
        "nothing typed is lost"
    );
    screenshot(c, "orders-complete-short").await;
    let order = door.call("orders.get", json!({"id": o}));
    assert_eq!(order["status"], json!("in_progress"), "{order}");
    assert_eq!(order["parts"], json!([]), "{order}");
    let ledger_after = door.call("stock.ledger", json!({"part_id": s.part}));
    assert_eq!(ledger_after, ledger_before, "the ledger is unchanged");
    session.close().await;
}

#[tokio::test]
async fn a_confirmation_clock_about_to_break_shows_on_the_board_and_stops_when_confirmed() {
    let door = door();
    let s = seed(&door);
    // A past order used the part: the board now expects it for the model. Then the main
    // store's last units go to the van, so the board marks the main store 缺货.
    let past = new_order(&door, &s, "不点火");
    desk(
        &door,
        "orders.assign",
        json!({"id": past, "engineer_id": s.wang}),
    );
    desk(
        &door,
        "orders.move",
        json!({"id": past, "to": "in_progress", "reason": ""}),
    );
    desk(
        &door,
        "orders.complete",
        json!({"id": past, "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.main, "quantity": 1}]}),
    );
    desk(
        &door,
        "stock.transfer",
        json!({"part_id": s.part, "from_store_id": s.main, "to_store_id": s.van, "quantity": 3, "note": "装车"}),
    );
    // Registered at 09:57:30 without confirming: its 3 minutes end at 10:00:30, and the
    // door's clock says 10:00.
    let late = door.call_with_env(
        &[(CLOCK, "2026-11-23T09:57:30+08:00")],
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": s.machine, "kind": "repair",
               "mode": "on_site", "channel": "phone", "fault": "漏水", "confirmed": false}),
    );
    let late = id(&late);
    // And one dispatched to Li with an appointment today.
    let booked = new_order(&door, &s, "噪音大");
    desk(
        &door,
        "orders.assign",
        json!({"id": booked, "engineer_id": s.li,
               "appointment_from": "2026-11-23T14:00", "appointment_to": "2026-11-23T16:00"}),
    );

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, "#/board").await;
    let card = format!("#board-unassigned a.order-card[data-id=\"{late}\"]");
    wait_attr(c, &card, "data-clock", "warning").await;
    let chip = wait_inner(
        c,
        &format!("{card} .chip-clock[data-kind=\"confirm\"][data-state=\"warning\"]"),
        &["3分钟回电确认", "即将超时"],
    )
    .await;
    assert!(chip.contains("不到 1 分钟"), "{chip}");
    wait_text(c, "#board-warnings", "1 个").await;
    wait_inner(c, &card, &["张伟", "JSQ25-13", "漏水", "P100", "缺货"]).await;
    let active = format!("#board-active a.order-card[data-id=\"{booked}\"]");
    wait_inner(c, &active, &["李强", "14:00–16:00", "车载 4"]).await;
    wait_inner(
        c,
        &format!("#board-engineers li[data-id=\"{}\"]", s.li),
        &["在办 1 单", "14:00–16:00", "张伟"],
    )
    .await;
    wait_text(c, "#board-refreshed", "30").await;
    screenshot(c, "orders-board-warning").await;

    // The card opens the order: the same warning, and 回电确认 stands out.
    click(c, &card).await;
    wait_hash(c, "the late order", |h| h == format!("#/orders/{late}")).await;
    wait_inner(
        c,
        "#order-clocks li[data-kind=\"confirm\"][data-state=\"warning\"]",
        &["即将超时"],
    )
    .await;
    let button = find(c, "#order-actions [data-action=\"confirm\"]").await;
    let class = button.attr("class").await.unwrap().unwrap_or_default();
    assert!(class.contains("btn-urgent"), "{class}");
    screenshot(c, "orders-file-warning").await;

    // C, a note, Enter: confirmed in time, the clock is kept and the button goes.
    key(c, 'c').await;
    wait_focus(c, "confirm-note").await;
    find(c, "#confirm-note")
        .await
        .send_keys("约今天下午，客户在家")
        .await
        .expect("type the note");
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "已记录回电确认").await;
    wait_attr(
        c,
        "#order-clocks li[data-kind=\"confirm\"]",
        "data-state",
        "kept",
    )
    .await;
    wait_gone(c, "#order-actions [data-action=\"confirm\"]").await;
    let order = door.call("orders.get", json!({"id": late}));
    assert_eq!(
        clock_of(&order, "confirm")["state"],
        json!("kept"),
        "{order}"
    );
    wait_inner(c, "#order-timeline", &["已回电确认", "约今天下午"]).await;

    // Esc: back on the board, the card is calm again.
    press_key(c, Key::Escape).await;
    wait_attr(c, &card, "data-clock", "ok").await;
    wait_until("no warning count", || async move {
        let text = inner_text(c, "#board-warnings").await?;
        Ok(if text.trim().is_empty() {
            Ok(())
        } else {
            Err(text)
        })
    })
    .await;
    screenshot(c, "orders-board-calm").await;
    session.close().await;
}

#[tokio::test]
async fn settings_for_order_numbers_the_working_calendar_and_engineers() {
    let door = door();
    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, "#/settings?section=orders").await;
    find(c, "#settings-orders").await;

    // Prefix and hours.
    type_into(c, "#settings-order_prefix", "sh").await;
    click(c, "#order-settings-save").await;
    wait_text(c, "#toast", "已保存").await;
    assert_eq!(value_of(c, "#settings-order_prefix").await, "SH");
    // A bad prefix: the core's message under the field, nothing saved.
    type_into(c, "#settings-order_prefix", "工单").await;
    click(c, "#order-settings-save").await;
    let message = wait_nonempty(
        c,
        "#order-settings-form .field-error[data-for=\"order_prefix\"]",
    )
    .await;
    assert!(has_chinese(&message), "{message}");
    let saved = door.call("settings.get", json!({}));
    assert_eq!(saved["order_prefix"], json!("SH"), "{saved}");

    // A holiday and a make-up working day; one of them back to normal.
    click(c, "#settings-tab-calendar").await;
    type_into(c, "#calendar-day", "2026-12-31").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "calendar-kind-off").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "calendar-name").await;
    type_into(c, "#calendar-name", "元旦前").await;
    press_key(c, Key::Enter).await; // the last field saves
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2026-12-31\"]",
        &["休息日", "元旦前", "周四"],
    )
    .await;
    type_into(c, "#calendar-day", "2026/12/27").await;
    click(c, "label[for=\"calendar-kind-work\"]").await;
    type_into(c, "#calendar-name", "调休").await;
    click(c, "#calendar-save").await;
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2026-12-27\"]",
        &["调休上班", "周日"],
    )
    .await;
    // The manager's own two days (the State Council's days of 2026 are listed too).
    let own = |days: &Value| -> Vec<Value> {
        days["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["source"] == "manager")
            .cloned()
            .collect()
    };
    let days = door.call("calendar.list", json!({"year": 2026}));
    assert_eq!(own(&days).len(), 2, "{days}");
    click(
        c,
        "#calendar-days button.calendar-normal[data-day=\"2026-12-31\"]",
    )
    .await;
    wait_gone(c, "#calendar-days tr[data-day=\"2026-12-31\"]").await;
    let days = door.call("calendar.list", json!({"year": 2026}));
    assert_eq!(own(&days)[0]["day"], json!("2026-12-27"), "{days}");

    // An engineer, then edited to inactive.
    click(c, "#settings-tab-engineers").await;
    wait_inner(c, "#engineers-empty", &["还没有工程师"]).await;
    type_into(c, "#engineer-name", "李强").await;
    type_into(c, "#engineer-phone", "139 0000 2222").await;
    type_into(c, "#engineer-region", "海淀 西城").await;
    click(c, "#engineer-save").await;
    wait_text(c, "#toast", "已保存工程师 李强").await;
    let row = wait_inner(
        c,
        "#engineers-table tbody tr",
        &["李强", "海淀 西城", "在职"],
    )
    .await;
    assert!(row.contains("13900002222"), "{row}");
    // A bad phone: the message under the phone, the name kept.
    type_into(c, "#engineer-name", "王磊").await;
    type_into(c, "#engineer-phone", "12").await;
    click(c, "#engineer-save").await;
    let message = wait_nonempty(c, "#engineer-form .field-error[data-for=\"phone\"]").await;
    assert!(has_chinese(&message), "{message}");
    assert_eq!(value_of(c, "#engineer-name").await, "王磊");
    screenshot(c, "orders-settings").await;
    click(c, "#engineers-table button.engineer-edit").await;
    assert_eq!(value_of(c, "#engineer-name").await, "李强");
    click(c, "label[for=\"engineer-active\"]").await;
    click(c, "#engineer-save").await;
    wait_inner(c, "#engineers-table tbody tr", &["李强", "停用"]).await;
    let list = door.call("engineers.list", json!({"all": true}));
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["active"], json!(false), "{list}");
    session.close().await;
}

/// Waits until the focused element has this class.
async fn wait_focus_class(c: &Client, class: &str) {
    wait_until(
        &format!("an element .{class} to have the focus"),
        || async move {
            let active = c.active_element().await?;
            let classes = active.attr("class").await?.unwrap_or_default();
            Ok(if classes.split_whitespace().any(|k| k == class) {
                Ok(())
            } else {
                Err(classes)
            })
        },
    )
    .await
}

/// Issue 17: the contact and phone of a completed order are corrected from the keyboard
/// (E opens the form, Enter moves on and saves), the change shows in the timeline, and Esc
/// with typing asks before the typing is lost.
#[tokio::test]
async fn the_contact_of_a_completed_order_is_corrected_from_the_keyboard() {
    let door = door();
    let s = seed(&door);
    let o = new_order(&door, &s, "不点火");
    desk(
        &door,
        "orders.assign",
        json!({"id": o, "engineer_id": s.li}),
    );
    desk(
        &door,
        "orders.move",
        json!({"id": o, "to": "in_progress", "reason": ""}),
    );
    desk(
        &door,
        "orders.complete",
        json!({"id": o, "diagnosis": "点火针积碳", "work_done": "更换点火针"}),
    );

    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    open_at(&door, c, &format!("#/orders/{o}")).await;
    wait_status(c, "已完工").await;
    find(c, "#order-actions [data-action=\"contact\"]").await;

    // Esc with typing asks first; 继续编辑 keeps what was typed.
    key(c, 'e').await;
    find(c, "#contact-form").await;
    wait_focus(c, "contact-contact").await;
    assert_eq!(value_of(c, "#contact-contact").await, "张伟");
    type_into(c, "#contact-contact", "刘䶮").await;
    press_key(c, Key::Escape).await;
    find(c, "#leave-dialog").await;
    screenshot(c, "orders-contact-esc-asks").await;
    press_key(c, Key::Escape).await;
    wait_gone(c, "#leave-dialog").await;
    assert_eq!(value_of(c, "#contact-contact").await, "刘䶮");

    // A phone the normaliser refuses: the message under the field, nothing saved.
    type_into(c, "#contact-phone", "12345").await;
    press_key(c, Key::Enter).await;
    let message = wait_nonempty(c, "#contact-phone-error").await;
    assert!(has_chinese(&message), "{message}");
    assert_eq!(
        desk(&door, "orders.get", json!({"id": o}))["contact"],
        "张伟"
    );

    type_into(c, "#contact-phone", "139 0000 1111").await;
    screenshot(c, "orders-contact-form").await;
    ctrl(c, 's').await;
    wait_gone(c, "#contact-form").await;
    wait_text(c, "#order-details", "刘䶮").await;
    wait_text(c, "#order-timeline", "联系人：张伟 → 刘䶮").await;
    wait_status(c, "已完工").await;
    screenshot(c, "orders-contact-saved").await;
    let saved = desk(&door, "orders.get", json!({"id": o}));
    assert_eq!(saved["contact"], "刘䶮");
    assert_eq!(saved["phone"], "139 0000 1111");
    assert_eq!(saved["status"], "completed");

    // A character no font has (private use): the slip prints it as its code, and says so.
    key(c, 'e').await;
    type_into(c, "#contact-contact", "刘\u{F0000}").await;
    ctrl(c, 's').await;
    wait_gone(c, "#contact-form").await;
    ctrl(c, 'p').await;
    // 下载 PDF 打印: the recorded print that downloads (预览 shows in the dialog instead).
    click(c, "#slip-download").await;
    let warning = wait_nonempty(c, "#slip-unprintable").await;
    assert_eq!(warning, "以下字符无字形，已以编码代替：U+F0000");
    let pdf = wait_download(downloads.path(), ".pdf").await;
    let text = String::from_utf8(
        std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext")
            .stdout,
    )
    .unwrap();
    // The code is set small in its box: pdftotext reads it as a block of its own.
    assert!(text.contains("U+F0000") && text.contains("刘"), "{text}");
    screenshot(c, "orders-slip-unprintable").await;
}

/// Issue 19: an order changed at another desk while the clerk had it open. The clerk's
/// step carries the version the page showed; the core refuses it, the page reads the order
/// again, the notice says another desk changed it, and what was typed stays. Sent again on
/// the order as it now is, the step goes through.
#[tokio::test]
async fn an_order_changed_at_another_desk_is_read_again_and_the_clerk_told() {
    let door = door();
    let s = seed(&door);
    let o = new_order(&door, &s, "不点火");

    let session = Session::chromium().await;
    let c = &session.client;
    open_at(&door, c, &format!("#/orders/{o}")).await;
    wait_status(c, "已登记").await;
    find(c, "#order-actions [data-action=\"contact\"]").await;
    key(c, 'e').await;
    find(c, "#contact-form").await;
    type_into(c, "#contact-contact", "刘䶮").await;

    // Behind the page's back: another desk corrects the contact first.
    desk(
        &door,
        "orders.set_contact",
        json!({"order_id": o, "contact": "王芳", "phone": "13812345678"}),
    );
    let before = desk(&door, "orders.get", json!({"id": o}));

    ctrl(c, 's').await;
    let message = wait_nonempty(c, "#order-error").await;
    assert!(
        message.contains("其他服务台") && message.contains("最新内容"),
        "{message}"
    );
    // The page shows the other desk's change; the typing is still in the form.
    wait_text(c, "#order-details", "王芳").await;
    assert_eq!(value_of(c, "#contact-contact").await, "刘䶮");
    screenshot(c, "orders-changed-elsewhere").await;
    assert_eq!(
        desk(&door, "orders.get", json!({"id": o})),
        before,
        "the refused step changed nothing"
    );

    // Sent again, now on the order as it is: saved over the other desk's change, seen.
    ctrl(c, 's').await;
    wait_gone(c, "#contact-form").await;
    wait_text(c, "#order-details", "刘䶮").await;
    wait_text(c, "#order-timeline", "联系人：王芳 → 刘䶮").await;
    let saved = desk(&door, "orders.get", json!({"id": o}));
    assert_eq!(saved["contact"], "刘䶮");
    assert_eq!(saved["version"], before["version"].as_i64().unwrap() + 1);
    session.close().await;
}
