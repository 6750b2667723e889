//! 定期保养 (issue 21) in headless Chromium at 1366×768 through the browser door, by
//! keyboard where the clerk's hands are: the model's plan on 型号与保修 (a bad interval
//! refused under its field first), the machine file's card (the due date on the National
//! Day holiday kept, the visit suggested on the next working day), a machine's own plan
//! with P (refused, then saved), the order the desk makes ahead shown on the card and in
//! the machine's history, a counter reading recorded with G, and the day board's
//! 本周到期保养. Data is made through the CLI door on the door's own database, so the test
//! holds on a PostgreSQL door too.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-09-28 10:00 in Beijing: the week ends Sunday 2026-10-04, inside the
/// National Day holiday (2026-10-01…07 off, Saturday 10-10 worked).
const MONDAY_10: &str = "2026-09-28T10:00:00+08:00";

#[tokio::test]
async fn plans_on_the_model_and_the_machine_and_the_week_on_the_day_board_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let model = id(&s.call(
        "models.save",
        json!({"code": "JSQ-300", "name": "商用净水器", "category": "净水器",
               "policies": [{"component": "", "months": 12, "basis": "install"}]}),
    ));
    let customer = id(&s.call(
        "customers.create",
        json!({"name": "海底捞（中关村店）", "phones": ["13812345678"],
               "address": "北京市海淀区中关村大街1号"}),
    ));
    let machine = |serial: &str, day: &str| {
        id(&s.call(
            "equipment.create",
            json!({"customer_id": customer, "model_id": model, "serial": serial,
                   "purchase_date": day, "install_date": day}),
        ))
    };
    // Due 2026-10-01 (a holiday), 2026-09-20 (past), and one given its own plan.
    let holiday = machine("JSQ-A001", "2026-04-01");
    let late = machine("JSQ-A002", "2026-03-20");
    let own = machine("JSQ-A003", "2026-04-02");

    // 型号与保修: the model's plan, a bad interval refused under its field.
    go(c, "#/settings/models").await;
    click(c, &format!("#models-table tr[data-id=\"{model}\"]")).await;
    find(c, "#model-plan-form").await;
    wait_inner(c, "#model-plan-current", &["还没有保养计划"]).await;
    type_into(c, "#model-plan-every_months", "六").await;
    type_into(c, "#model-plan-starts_on", "2026-01-01").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        "#model-plan-form .field-error[data-for=\"every_months\"]",
        "保养间隔应是整数：六",
    )
    .await;
    wait_focus(c, "model-plan-every_months").await;
    type_into(c, "#model-plan-every_months", "61").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        "#model-plan-form .field-error[data-for=\"every_months\"]",
        "保养间隔应在1到60个月之间",
    )
    .await;
    type_into(c, "#model-plan-every_months", "6").await;
    ctrl(c, 's').await;
    wait_inner(
        c,
        "#model-plan-current",
        &["当前计划：每6个月，自 2026-01-01 起"],
    )
    .await;
    assert_eq!(
        s.call("plans.list", json!({"model_id": model}))["items"][0]["every_months"],
        6
    );
    into_view(c, "#model-plan").await;
    s.screenshot("plans-model").await;

    // The machine file: due on the holiday, the visit suggested after it.
    go(c, &format!("#/equipment/{holiday}")).await;
    wait_inner(
        c,
        "#machine-plan-summary",
        &[
            "每6个月",
            "按型号 JSQ-300",
            "安装日期 2026-04-01",
            "2026-10-01",
            "即将到期",
            "2026-10-08",
            "顺延到下一个工作日",
        ],
    )
    .await;
    into_view(c, "#machine-plan").await;
    s.screenshot("plans-machine-due").await;

    // P: the machine's own plan; 0 months refused by the core under its field.
    go(c, &format!("#/equipment/{own}")).await;
    find(c, "#machine-plan-summary").await;
    press(c, &[], 'p').await;
    wait_focus(c, "machine-plan-basis").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "machine-plan-every_months").await;
    type_here(c, "0").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        "#machine-plan-form .field-error[data-for=\"every_months\"]",
        "保养间隔应在1到60个月之间",
    )
    .await;
    wait_focus(c, "machine-plan-every_months").await;
    type_into(c, "#machine-plan-every_months", "3").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "machine-plan-starts_on").await;
    type_here(c, "2026-01-01").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await; // 执行中
    wait_focus(c, "machine-plan-note").await;
    type_here(c, "后厨2号机，客户要求每季度保养").await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#machine-plan-summary",
        &["每3个月", "本机计划", "2026-07-02", "已到期"],
    )
    .await;
    let own_plan = s.call("plans.list", json!({"equipment_id": own}));
    assert_eq!(own_plan["items"][0]["every_months"], 3);
    assert_eq!(
        own_plan["items"][0]["note"],
        "后厨2号机，客户要求每季度保养"
    );

    // The desk makes the orders ahead (what the hourly job does): on the card and in the
    // machine's history.
    let run = s.call("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 3, "{run}");
    go(c, &format!("#/equipment/{holiday}")).await;
    let order = s.call("plans.machine", json!({"equipment_id": holiday}))["next"]["order"].clone();
    let number = order["number"].as_str().unwrap().to_string();
    wait_inner(c, "#machine-plan-order", &[&number, "已登记"]).await;
    wait_inner(
        c,
        &format!("#machine-plan-visits tr[data-number=\"{number}\"]"),
        &[&number, "2026-09-28", "2026-10-01", "已登记"],
    )
    .await;
    into_view(c, "#machine-plan").await;
    s.screenshot("plans-machine-order").await;

    // 今日: the week's maintenance, the late one first and in red.
    go(c, "#/day").await;
    click(c, "#day-refresh").await;
    let week = wait_inner(
        c,
        "#day-maintenance-list",
        &[
            "2026-09-20",
            "已到期",
            "JSQ-A002",
            "2026-10-01",
            "即将到期",
            "JSQ-A001",
        ],
    )
    .await;
    assert!(
        week.find("JSQ-A002").unwrap() < week.find("JSQ-A001").unwrap(),
        "{week}"
    );
    assert!(week.contains(&format!("保养工单 {number}")), "{week}");
    assert!(week.contains("JSQ-A003"), "{week}");
    // The late machine's item opens the order made for it.
    let href = find(c, &format!("#day-maintenance-list a[data-id=\"{late}\"]"))
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(href.starts_with("#/orders/"), "{href}");
    s.screenshot("plans-day-board").await;
    s.close().await;
}

#[tokio::test]
async fn a_counter_reading_is_recorded_on_the_machine_file_with_g_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let model = id(&s.call(
        "models.save",
        json!({"code": "FYJ-700", "name": "数码复印机", "category": "办公设备",
               "policies": [{"component": "", "months": 12, "basis": "install"}]}),
    ));
    let customer = id(&s.call(
        "customers.create",
        json!({"name": "中关村科技有限公司", "phones": ["13912345678"],
               "address": "北京市海淀区中关村大街27号"}),
    ));
    let copier = id(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "FYJ-0001",
               "purchase_date": "2026-01-05", "install_date": "2026-01-05"}),
    ));
    s.call(
        "plans.save",
        json!({"model_id": model, "basis": "counter", "every_count": 10000, "starts_on": "2026-01-01"}),
    );
    s.call(
        "plans.reading",
        json!({"equipment_id": copier, "reading": 1200, "read_on": "2026-01-05"}),
    );
    go(c, &format!("#/equipment/{copier}")).await;
    wait_inner(
        c,
        "#machine-plan-summary",
        &[
            "每10000计数",
            "读数到 11200",
            "未到期",
            "1200（2026-01-05）",
        ],
    )
    .await;
    press(c, &[], 'g').await;
    wait_focus(c, "machine-reading-reading").await;
    type_here(c, "900").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        "#machine-reading-form .field-error[data-for=\"reading\"]",
        "读数不能小于此前的读数 1200（2026-01-05）",
    )
    .await;
    wait_focus(c, "machine-reading-reading").await;
    type_into(c, "#machine-reading-reading", "11250").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#machine-plan-summary",
        &["已到期", "2026-09-28", "11250（2026-09-28）"],
    )
    .await;
    wait_inner(
        c,
        "#machine-plan-readings",
        &["11250（2026-09-28）", "1200（2026-01-05）"],
    )
    .await;
    into_view(c, "#machine-plan").await;
    s.screenshot("plans-machine-counter").await;
    s.close().await;
}
