//! 三包 (issue 21) in headless Chromium at the browser door: the manager marks a model as
//! covered on 设置 → 型号与保修 (the checkbox ticked, Ctrl+S), the list shows it; at
//! the phone intake a covered machine bought 8 days ago shows 三包：可换货 with its rule
//! and dates beside the warranty; the order registered for it shows the verdict it had
//! at intake. Data is made through the CLI door on the door's own database, so the test
//! holds on a PostgreSQL door too.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Friday 2026-02-06 10:00 in Beijing: a machine bought on Thursday 2026-01-29 is past
/// its 7 days (02-05) and within its 15 (02-13).
const FRIDAY_10: &str = "2026-02-06T10:00:00+08:00";

#[tokio::test]
async fn a_model_marked_for_sanbao_and_the_verdict_at_intake_and_on_the_order_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, FRIDAY_10)], |_| {}).await;
    let c = s.client();

    // 设置 → 型号与保修: a new model, 三包 ticked, saved with Ctrl+S.
    go(c, "#/settings/models").await;
    find(c, "form#model-form").await;
    fill_in(c, "form#model-form", "code", "KFR-35GW").await;
    fill_in(c, "form#model-form", "name", "变频空调 1.5匹").await;
    fill_in(c, "form#model-form", "category", "空调").await;
    find(c, "#model-sanbao").await.click().await.unwrap();
    wait_until("三包 to be ticked", || async move {
        let on = c
            .execute(
                "return document.querySelector('#model-sanbao').checked",
                vec![],
            )
            .await?;
        Ok(if on == json!(true) {
            Ok(())
        } else {
            Err(on.to_string())
        })
    })
    .await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    wait_inner(
        c,
        "#models-table tbody",
        &["KFR-35GW", "整机 12 个月", "三包"],
    )
    .await;
    s.screenshot("sanbao-models").await;
    let models = s.call("models.list", json!({}));
    assert_eq!(models["items"][0]["sanbao"], json!(true), "{models}");
    let model = id(&models["items"][0]);

    // A customer with a covered machine bought on 2026-01-29.
    let customer = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let machine = id(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SB-0001",
               "purchase_date": "2026-01-29"}),
    ));

    // F2: the phone intake; the last four digits find the machine; ↓ Enter chooses it.
    go(c, "#/").await;
    press_key(c, Key::F2).await;
    wait_focus(c, "caller-phone").await;
    find(c, "#caller-phone")
        .await
        .send_keys("5678")
        .await
        .expect("type the number");
    let option = format!(
        "#caller-results li[role=option][data-type=\"machine\"][data-equipment-id=\"{machine}\"]"
    );
    wait_inner(c, &option, &["KFR-35GW", "SB-0001"]).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#intake-warranty", "保内").await;
    wait_text(c, "#intake-sanbao", "三包：可换货").await;
    wait_text(c, "#intake-sanbao", "至 2026-02-13").await;
    wait_inner(
        c,
        "#intake-sanbao-reason",
        &[
            "换货：购买日期 2026-01-29 起 15 日内（至 2026-02-13）",
            "三包有效期",
        ],
    )
    .await;
    s.screenshot("sanbao-intake").await;

    // The fault in the caller's words, Ctrl+S: the order is registered and opens with
    // the verdict it had at intake.
    find(c, "#intake-fault")
        .await
        .send_keys("空调不制冷")
        .await
        .expect("type the fault");
    ctrl(c, 's').await;
    wait_hash(c, "the new order", |h| {
        h.starts_with("#/orders/") && h != "#/orders/new"
    })
    .await;
    wait_text(c, "#order-sanbao", "三包：可换货").await;
    wait_inner(
        c,
        "#order-sanbao-reason",
        &["15 日内（至 2026-02-13）", "12 个月至 2027-01-28"],
    )
    .await;
    s.screenshot("sanbao-order").await;
    let orders = s.call("orders.list", json!({}));
    assert_eq!(
        orders["items"][0]["sanbao"]["remedy"], "exchange",
        "{orders}"
    );

    // The machine's file shows today's verdict under the warranty.
    go(c, &format!("#/equipment/{machine}")).await;
    wait_text(c, "#warranty-sanbao-chip", "三包：可换货").await;
    wait_text(c, "#warranty-sanbao", "三包有效期自购买日期 2026-01-29").await;
    s.screenshot("sanbao-machine").await;

    // 统计报表, the 11th tab (no digit key: ← → reach it): this month's order of the model,
    // entitled to an exchange.
    go(c, "#/reports").await;
    click(c, "#reports-tab-sanbao").await;
    wait_inner(
        c,
        "#report-table-sanbao",
        &[
            "KFR-35GW 变频空调 1.5匹",
            "三包维修单数",
            "可换货",
            "退换率%",
        ],
    )
    .await;
    let cell = format!(
        "#report-table-sanbao tr[data-key=\"{model}\"][data-col=\"2\"] td[data-of=\"current\"]"
    );
    wait_text(c, &cell, "1").await;
    s.screenshot("sanbao-report").await;
}
