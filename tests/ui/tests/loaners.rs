//! 备用机 (issue 21) in headless Chromium at 1366×768 through the browser door, by keyboard:
//! the manager registers a loaner on 备用机 (a bad serial refused under its field first),
//! the clerk lends it on the order (J; a past return date refused under its field), the
//! deposit shows among the order's payments, then takes it back damaged (the note asked
//! for, then kept) and the refund shows; a loaner lent earlier and not back stands on the
//! day board as overdue. Data is made through the CLI door on the door's own database
//! (`aftersales_on`), so the test holds on a PostgreSQL door too.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Friday 2026-11-27 10:00 in Beijing.
const FRIDAY_10: &str = "2026-11-27T10:00:00+08:00";

#[tokio::test]
async fn a_loaner_is_registered_lent_and_returned_by_keyboard_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, FRIDAY_10)], |_| {}).await;
    let c = s.client();
    let zhang = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let order = id(&s.call(
        "orders.create",
        json!({"customer_id": zhang, "kind": "repair", "fault": "洗衣机不脱水", "confirmed": true}),
    ));

    // 备用机: the empty register, the focus in the form's first field.
    click(c, "a[data-view=\"loaners\"]").await;
    find(c, "#loaners-empty").await;
    wait_focus(c, "loaner-model").await;
    type_here(c, "小天鹅 TG100V120WDG").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "loaner-serial").await;
    type_here(c, "ln 0001").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await; // 状况: 完好
    wait_focus(c, "loaner-deposit_fen").await;
    type_here(c, "500").await;
    ctrl(c, 's').await;
    // A serial with a space: refused under its field, the focus back on it, selected.
    wait_text(
        c,
        ".field-error[data-for=\"serial\"]",
        "序列号只能包含字母、数字和 - / .",
    )
    .await;
    wait_focus(c, "loaner-serial").await;
    type_here(c, "ln-0001").await;
    ctrl(c, 's').await;
    let row = wait_inner(
        c,
        "#loaners-table tbody tr[data-serial=\"LN-0001\"]",
        &["LN-0001", "小天鹅", "完好", "¥500.00", "在库"],
    )
    .await;
    assert!(!row.contains("借给"), "{row}");
    s.screenshot("loaners-register").await;

    // On the order: J to 借出备用机; the deposit comes from the register.
    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-lend-form").await;
    press(c, &[], 'j').await;
    wait_focus(c, "order-lend-loaner_id").await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-lend-deposit_fen").await;
    let deposit = c
        .execute("return document.activeElement.value", vec![])
        .await
        .unwrap();
    assert_eq!(deposit, json!("500.00"));
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await; // 付款方式: 现金
    wait_focus(c, "order-lend-due_date").await;
    ctrl(c, 'a').await;
    type_here(c, "2026-11-20").await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        ".field-error[data-for=\"due_date\"]",
        "应还日期应在今天（2026-11-27）到 2027-05-26 之间",
    )
    .await;
    wait_focus(c, "order-lend-due_date").await;
    type_here(c, "2026-12-04").await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#order-loans li[data-serial=\"LN-0001\"]",
        &["LN-0001", "押金 ¥500.00（现金）", "应还 2026-12-04"],
    )
    .await;
    wait_inner(c, "#order-payments", &["¥500.00", "备用机押金"]).await;
    wait_inner(c, "#order-timeline", &["借出备用机"]).await;
    let list = s.call("loaners.list", json!({}));
    assert_eq!(list["items"][0]["loan"]["order_id"], order);
    assert_eq!(list["items"][0]["loan"]["due_date"], "2026-12-04");
    // The deposit is held apart: nothing is paid towards the order.
    assert_eq!(s.call("orders.get", json!({"id": order}))["paid_fen"], 0);
    into_view(c, "#order-loaners").await;
    s.screenshot("loaners-order-lent").await;

    // 归还 from the keyboard: the focus is on it after lending; damaged needs a note.
    wait_until("the focus on 归还", || async move {
        let cls = c
            .execute("return document.activeElement.className", vec![])
            .await?;
        Ok(
            if cls.as_str().unwrap_or_default().contains("loan-return") {
                Ok(())
            } else {
                Err(cls.to_string())
            },
        )
    })
    .await;
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-return-condition").await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Down).await;
    let chosen = c
        .execute("return document.activeElement.value", vec![])
        .await
        .unwrap();
    assert_eq!(chosen, json!("damaged"));
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-return-note").await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        "#order-return-form .field-error[data-for=\"note\"]",
        "备用机损坏，请写明损坏情况",
    )
    .await;
    into_view(c, "#order-loaners").await;
    s.screenshot("loaners-order-return-refused").await;
    type_here(c, "门封圈破裂").await;
    press_key(c, Key::Enter).await;
    find(c, "#order-loans-empty").await;
    wait_inner(c, "#order-payments", &["-¥500.00", "退备用机押金"]).await;
    wait_inner(c, "#order-timeline", &["归还备用机", "门封圈破裂"]).await;
    let back = &s.call("loaners.list", json!({}))["items"][0];
    assert!(back["loan"].is_null(), "{back}");
    assert_eq!(back["condition"], "damaged");
    assert_eq!(back["note"], "2026-11-27 归还损坏：门封圈破裂");
    into_view(c, "#order-loaners").await;
    s.screenshot("loaners-order-returned").await;
    s.close().await;
}

#[tokio::test]
async fn an_overdue_loaner_stands_on_the_day_board_and_is_taken_back_on_the_register_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, FRIDAY_10)], |_| {}).await;
    let c = s.client();
    let li = id(&s.call(
        "customers.create",
        json!({"name": "李娜", "phones": ["13912345678"], "address": "北京市朝阳区建国路88号"}),
    ));
    let order = id(&s.call(
        "orders.create",
        json!({"customer_id": li, "kind": "repair", "fault": "冰箱不制冷", "confirmed": true}),
    ));
    let fridge = id(&s.call(
        "loaners.save",
        json!({"model": "海尔 BCD-216", "serial": "LN-0002", "condition": "good", "deposit_fen": 80000}),
    ));
    // Lent a week before, due two days ago.
    let earlier = [(CLOCK, "2026-11-20T10:00:00+08:00")];
    cli_call_with_env(
        s.data_dir(),
        &earlier,
        "loaners.lend",
        json!({"loaner_id": fridge, "order_id": order, "method": "wechat", "due_date": "2026-11-25"}),
    );
    // The desk opened on 今日 before the loan: 刷新 reads the board again.
    go(c, "#/day").await;
    click(c, "#day-refresh").await;
    let strip = wait_inner(
        c,
        "#day-loaners",
        &[
            "逾期未还的备用机：1 台",
            "LN-0002",
            "李娜",
            "逾期 2 天",
            "应还 2026-11-25",
        ],
    )
    .await;
    assert!(strip.contains("¥800.00"), "{strip}");
    s.screenshot("loaners-day-board").await;

    // The register says so too; R on the row takes it back.
    go(c, "#/loaners").await;
    wait_inner(
        c,
        "#loaners-table tbody tr[data-serial=\"LN-0002\"]",
        &["借给 李娜", "逾期 2 天"],
    )
    .await;
    wait_inner(c, "#loaners-count", &["逾期未还 1 台"]).await;
    c.execute(
        "document.querySelector('#loaners-table tbody tr').focus()",
        vec![],
    )
    .await
    .unwrap();
    press(c, &[], 'r').await;
    wait_focus(c, "loaners-return-condition").await;
    press_key(c, Key::Enter).await;
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#loaners-table tbody tr[data-serial=\"LN-0002\"]",
        &["在库"],
    )
    .await;
    go(c, "#/day").await;
    find(c, "#day-clocks-list").await;
    wait_until("the strip to go", || async move {
        let hidden = c
            .execute(
                "return document.getElementById('day-loaners').hidden",
                vec![],
            )
            .await?;
        Ok(if hidden == json!(true) {
            Ok(())
        } else {
            Err(hidden.to_string())
        })
    })
    .await;
    s.close().await;
}
