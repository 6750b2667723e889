//! 暂停计时 / 恢复计时 (issue 21) in headless Chromium at 1366×768 against the real browser
//! door: an order whose customer does not answer is paused from the keyboard (H, the
//! reason, Enter), its reply and slip clocks show 已暂停 and the board raises no warning
//! for it, then it is resumed with H. The door's clock is fixed (AFTERSALES_CLOCK); data is
//! prepared through the CLI on the door's own database (`aftersales_on`), so the test
//! holds on a PostgreSQL door too.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-11-23 10:00 in Beijing: a working morning.
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

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

#[tokio::test]
async fn an_order_is_paused_for_the_customer_and_resumed_from_the_keyboard() {
    let door = Door::start_with_env(&[(CLOCK, MONDAY_10)]);
    let customer = id(&desk(
        &door,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    // Registered last Thursday 10:00: its reply clock (Friday 10:00) is broken by now…
    let late = id(&door.call_with_env(
        &[(CLOCK, "2026-11-19T10:00:00+08:00")],
        "orders.create",
        json!({"customer_id": customer, "fault": "不出热水", "confirmed": true}),
    ));
    // …and one registered this morning at 09:00 runs: 23 working hours left.
    let order = id(&door.call_with_env(
        &[(CLOCK, "2026-11-23T09:00:00+08:00")],
        "orders.create",
        json!({"customer_id": customer, "fault": "漏水", "confirmed": true}),
    ));

    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    wait_hash(c, "the token to leave the address bar", |h| h == "#/day").await;
    go(c, &format!("#/orders/{order}")).await;
    wait_text(c, "#order-number", "").await;
    wait_attr(
        c,
        "#order-clocks li[data-kind=\"reply\"]",
        "data-state",
        "running",
    )
    .await;

    // H opens the pause form: the reason list has the focus; ↓ picks 待客户：联系不上.
    press(c, &[], 'h').await;
    wait_focus(c, "pause-reason").await;
    wait_inner(c, "#pause-form", &["暂停计时", "待料"]).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "pause-note").await;
    find(c, "#pause-note")
        .await
        .send_keys("打了三次电话无人接听")
        .await
        .expect("type the note");
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "已暂停计时").await;
    wait_inner(
        c,
        "#order-pause",
        &["待客户：联系不上", "自 2026-11-23 10:00 起"],
    )
    .await;
    wait_attr(
        c,
        "#order-clocks li[data-kind=\"reply\"]",
        "data-state",
        "paused",
    )
    .await;
    wait_inner(c, "#order-clocks li[data-kind=\"slip\"]", &["已暂停，剩"]).await;
    find(c, "#order-actions [data-action=\"unpause\"]").await;
    wait_gone(c, "#order-actions [data-action=\"pause\"]").await;
    wait_inner(c, "#order-timeline", &["暂停计时", "打了三次电话无人接听"]).await;
    let paused = door.call("orders.get", json!({"id": order}));
    assert_eq!(
        paused["pause"]["reason"],
        json!("customer_unreachable"),
        "{paused}"
    );
    screenshot(c, "pauses-order-paused").await;

    // The same pause by the CLI on the late order: the board's warnings leave it out.
    let before = desk(&door, "orders.board", json!({}))["warnings"].clone();
    desk(
        &door,
        "orders.pause",
        json!({"id": late, "reason": "parts", "note": "主板缺货"}),
    );
    let after = desk(&door, "orders.board", json!({}))["warnings"].clone();
    assert!(
        after.as_i64() < before.as_i64(),
        "warnings {before} → {after}"
    );
    // On the board its card is calm and says its clocks are paused.
    go(c, "#/board").await;
    let card = format!("#board-unassigned a.order-card[data-id=\"{late}\"]");
    wait_attr(c, &card, "data-clock", "ok").await;
    wait_inner(
        c,
        &format!("{card} .chip-clock[data-kind=\"reply\"][data-state=\"paused\"]"),
        &["24小时答复", "已暂停"],
    )
    .await;
    screenshot(c, "pauses-board").await;
    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-actions [data-action=\"unpause\"]").await;

    // H again: resumed at once, the clocks run and the timeline says so.
    press(c, &[], 'h').await;
    wait_text(c, "#toast", "已恢复计时").await;
    wait_attr(
        c,
        "#order-clocks li[data-kind=\"reply\"]",
        "data-state",
        "running",
    )
    .await;
    wait_gone(c, "#order-pause-reason").await;
    find(c, "#order-actions [data-action=\"pause\"]").await;
    wait_inner(c, "#order-timeline", &["恢复计时", "暂停工作时间"]).await;
    let back = door.call("orders.get", json!({"id": order}));
    assert!(back["pause"].is_null(), "{back}");
    assert_eq!(back["pauses"].as_array().map(Vec::len), Some(1), "{back}");
    screenshot(c, "pauses-order-resumed").await;

    // 统计报表, key 9: this month's pauses, by reason and in all (the late order's is still
    // open); key 0: the orders paused longest.
    click(c, "a[data-view=\"reports\"]").await;
    find(c, "#reports-period").await;
    press(c, &[], '9').await;
    find(c, "#reports-tab-pauses[aria-selected=\"true\"]").await;
    let cell = |key: &str, col: usize| {
        format!("#report-table-pauses tr[data-key=\"{key}\"][data-col=\"{col}\"] td[data-of=\"current\"]")
    };
    wait_text(c, &cell("total", 0), "2").await;
    wait_text(c, &cell("customer_unreachable", 0), "1").await;
    wait_text(c, &cell("parts", 1), "1").await;
    screenshot(c, "pauses-report").await;
    press(c, &[], '0').await;
    find(c, "#reports-tab-paused_longest[aria-selected=\"true\"]").await;
    wait_inner(
        c,
        "#report-table-paused_longest",
        &["WO2026000001", "WO2026000002"],
    )
    .await;
    session.close().await;
}
