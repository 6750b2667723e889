//! 保外报价 (issue 21) in headless Chromium at the browser door, by keyboard: the clerk
//! quotes an order on its 保外报价 card (Q; a validity date in the past refused under its
//! field, then the quote sent), the order's clocks pause and 报价确认 becomes its main step;
//! A records the customer's approval by phone; a deposit is taken and shows among the
//! payments as 定金; a second order's quote is refused and the order closes with the
//! diagnostic fee. Data is made through the CLI door on the door's own database, so the
//! test holds on a PostgreSQL door too.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-11-30 10:00 in Beijing: the quote is valid across the month's end.
const MONDAY_10: &str = "2026-11-30T10:00:00+08:00";

fn order_for(s: &Screen, name: &str, phone: &str) -> i64 {
    let customer = id(&s.call(
        "customers.create",
        json!({"name": name, "phones": [phone], "address": "北京市海淀区中关村大街1号"}),
    ));
    id(&s.call(
        "orders.create",
        json!({"customer_id": customer, "kind": "repair", "mode": "carry_in",
               "fault": "空调不制冷", "confirmed": true}),
    ))
}

#[tokio::test]
async fn a_quote_is_made_approved_and_a_deposit_taken_by_keyboard_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let order = order_for(&s, "张伟", "13812345678");

    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-quotes-empty").await;
    find(c, "#order-actions [data-action=\"quote\"]").await;
    press(c, &[], 'q').await;
    wait_focus(c, "order-quote-kind-1").await;
    press_key(c, Key::Enter).await; // 备件费
    wait_focus(c, "order-quote-description-1").await;
    type_here(c, "压缩机 QXA-B141").await;
    press_key(c, Key::Enter).await;
    type_here(c, "680").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-quote-kind-2").await;
    press_key(c, Key::Enter).await; // 工时费
    type_here(c, "更换压缩机、加氟").await;
    press_key(c, Key::Enter).await;
    type_here(c, "120.50").await;
    press_key(c, Key::Enter).await;
    // The third line left empty.
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-quote-valid_until").await;
    // Reached by Enter, in sight above the sticky 提交报价 bar (it once scrolled under it).
    wait_in_sight(c, "order-quote-valid_until").await;
    ctrl(c, 'a').await;
    type_here(c, "2026-11-20").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        "#order-quote-form .field-error[data-for=\"valid_until\"]",
        "报价有效期应在今天（2026-11-30）到 2027-02-28 之间",
    )
    .await;
    wait_focus(c, "order-quote-valid_until").await;
    into_view(c, "#order-quotes").await;
    s.screenshot("quotes-refused-date").await;
    ctrl(c, 'a').await;
    type_here(c, "2026-12-07").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#order-quote-list li[data-seq=\"1\"]",
        &[
            "第1次报价",
            "¥800.50",
            "待客户确认",
            "有效期至 2026-12-07",
            "压缩机 QXA-B141",
        ],
    )
    .await;
    // The clocks pause; the answer is what the order waits for.
    let o = s.call("orders.get", json!({"id": order}));
    assert_eq!(o["pause"]["reason"], "quote_pending", "{o}");
    find(
        c,
        "#order-actions .btn-primary[data-action=\"quote_decision\"]",
    )
    .await;
    into_view(c, "#order-quotes").await;
    s.screenshot("quotes-waiting").await;
    // Scrolled so, the new quote's 有效期至 lies under the sticky 提交报价 bar; reached as
    // the forms' Enter reaches a field (focus()), it comes up into sight.
    c.execute(
        "document.getElementById('order-quote-valid_until').focus()",
        vec![],
    )
    .await
    .unwrap();
    wait_in_sight(c, "order-quote-valid_until").await;

    // A: the customer's answer, by phone, from the contact on the order.
    c.execute(
        "document.activeElement && document.activeElement.blur()",
        vec![],
    )
    .await
    .unwrap();
    press(c, &[], 'a').await;
    wait_focus(c, "order-quote-decision-approved").await;
    press_key(c, Key::Enter).await; // 同意维修
    wait_focus(c, "order-quote-decision-by").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await; // 电话确认
    press_key(c, Key::Enter).await; // no note: sent
    wait_inner(
        c,
        "#order-quote-list li[data-seq=\"1\"]",
        &["客户同意", "电话确认"],
    )
    .await;
    let o = s.call("orders.get", json!({"id": order}));
    assert!(o["pause"].is_null(), "{o}");
    assert_eq!(o["quotes"][0]["decision"], "approved");

    // 收定金: counted against the bill.
    wait_inner(
        c,
        "#order-deposit-lead",
        &["最多还可收 ¥800.50", "同意的报价 ¥800.50", "已收 ¥0.00"],
    )
    .await;
    click(c, "#order-deposit-amount_fen").await;
    type_here(c, "300").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await; // 现金
    wait_inner(c, "#order-payments", &["定金", "¥300.00"]).await;
    wait_inner(c, "#order-timeline", &["报价", "报价确认", "收定金"]).await;
    assert_eq!(
        s.call("orders.get", json!({"id": order}))["paid_fen"],
        30000
    );
    into_view(c, "#order-quotes").await;
    s.screenshot("quotes-approved-deposit").await;
    s.close().await;
}

#[tokio::test]
async fn a_refused_quote_closes_the_order_with_the_diagnostic_fee_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let order = order_for(&s, "李娜", "13912345678");
    s.call(
        "orders.quote",
        json!({"order_id": order, "valid_until": "2026-12-07",
               "lines": [{"kind": "parts", "description": "主板", "amount_fen": 90000}]}),
    );
    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-quote-decision-form").await;
    press(c, &[], 'a').await;
    wait_focus(c, "order-quote-decision-approved").await;
    press_key(c, Key::Down).await; // 不同意
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-quote-decision-by").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Down).await; // 签字确认
    press_key(c, Key::Enter).await;
    type_here(c, "嫌贵，不修了").await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#order-quote-list li[data-seq=\"1\"]",
        &["客户不同意", "签字确认", "嫌贵，不修了"],
    )
    .await;
    wait_inner(c, "#order-money", &["检测费", "¥50.00"]).await;
    wait_inner(c, "#order-timeline", &["客户不同意报价，未维修"]).await;
    let o = s.call("orders.get", json!({"id": order}));
    assert_eq!(o["status"], "closed");
    assert_eq!(o["outstanding_fen"], 5000);
    into_view(c, "#order-quotes").await;
    s.screenshot("quotes-refused-closed").await;
    s.close().await;
}
