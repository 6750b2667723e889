//! 厂家索赔 (issue 21) in headless Chromium at 1366×768 through the browser door: the
//! manager adds the brand on 厂家索赔 (a nameless brand refused under its field), picks
//! its model and rate; claims September's in-warranty order from the list of orders to
//! claim (Enter); the batch is refused while the defective part is not back (said under
//! the batch), submitted once the 返厂 names the order; exported; the brand's partial
//! approval asked for its amount and reason under their fields, then recorded; the payment
//! refused before the submission day, then recorded, the totals showing it. Data is made
//! through the CLI door on the door's own database with its own clocks, so the test holds
//! on a PostgreSQL door too (AFTERSALES_TEST_ENGINE=postgres under `cargo xtask pg`).

use fantoccini::key::Key;
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Thursday 2025-10-09 10:00 in Beijing: the first working day after the National Day
/// holiday; September's batches are open, due on 14 October.
const OCT_9: &str = "2025-10-09T10:00:00+08:00";

/// A September order on an in-warranty machine of the model, completed on the 30th at
/// 23:30 Beijing time with one heating element from the main store. Returns its number.
fn september_order(s: &Screen, model: i64) -> String {
    let at = |t: &'static str| [(CLOCK, t)];
    let call = |t: &'static str, command: &str, args: Value| {
        cli_call_with_env(s.data_dir(), &at(t), command, args)
    };
    let early = "2025-09-30T09:00:00+08:00";
    let customer = id(&call(
        early,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let machine = id(&call(
        early,
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "HR-0001", "purchase_date": "2024-06-01"}),
    ));
    let part = id(&call(
        early,
        "parts.save",
        json!({"code": "HT-01", "name": "加热管", "unit": "个", "cost_fen": 2500, "price_fen": 6000}),
    ));
    let main = call(early, "stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    call(
        early,
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 3, "unit_cost_fen": 2500}),
    );
    let engineer = id(&call(
        early,
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "海淀"}),
    ));
    let order = call(
        early,
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault_tags": ["不加热"], "fault": "热水器不出热水", "confirmed": true}),
    );
    let oid = id(&order);
    call(
        early,
        "orders.assign",
        json!({"id": oid, "engineer_id": engineer}),
    );
    call(
        early,
        "orders.move",
        json!({"id": oid, "to": "in_progress"}),
    );
    let done = call(
        "2025-09-30T23:30:00+08:00",
        "orders.complete",
        json!({"id": oid, "diagnosis": "加热管烧坏", "work_done": "更换加热管，试机正常",
               "late_reason": "客户晚上才在家",
               "parts": [{"part_id": part, "store_id": main, "quantity": 1}]}),
    );
    assert_eq!(done["warranty"], "in", "{done}");
    order["number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_brands_month_is_claimed_submitted_exported_answered_and_paid_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, OCT_9)], |_| {}).await;
    let c = s.client();
    let model = id(&s.call(
        "models.save",
        json!({"code": "EC6002-MT3", "name": "电热水器 60L",
               "policies": [{"component": "", "months": 36, "basis": "purchase"}]}),
    ));
    let number = september_order(&s, model);

    // 厂家索赔 opens on last month, with no brand yet: the brand form is below.
    click(c, "a[data-view=\"claims\"]").await;
    find(c, "#claims-empty").await;
    wait_inner(c, "#claims-empty", &["还没有厂家"]).await;
    assert_eq!(
        c.execute(
            "return document.getElementById('claims-month').value",
            vec![]
        )
        .await
        .unwrap(),
        json!("2025-09")
    );
    into_view(c, "#brand-form").await;
    s.screenshot("claims-empty").await;
    click(c, "#brand-name").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        "#brand-form .field-error[data-for=\"name\"]",
        "请填写厂家名称",
    )
    .await;
    wait_focus(c, "brand-name").await;
    type_into(c, "#brand-name", "海尔").await;
    click(
        c,
        &format!("#brand-form .brand-model input[value=\"{model}\"]"),
    )
    .await;
    type_into(c, "#brand-form .rate-labour", "80").await;
    into_view(c, "#claims-brands").await;
    s.screenshot("claims-brand-form").await;
    click(c, "#brand-save").await;
    wait_inner(
        c,
        "#brands-table",
        &["海尔", "EC6002-MT3", "维修 ¥80.00", "次月第 5 个工作日"],
    )
    .await;

    // The September order waits to be claimed: Enter on its row claims it.
    let row = format!("#claims-candidates-table tr[data-number=\"{number}\"]");
    wait_inner(c, &row, &[&number, "海尔", "张伟", "2025-09-30 23:30"]).await;
    c.execute(
        "document.querySelector(arguments[0]).focus()",
        vec![json!(row)],
    )
    .await
    .unwrap();
    press_key(c, Key::Enter).await;
    let batch = ".claim-batch[data-month=\"2025-09\"]";
    wait_inner(
        c,
        batch,
        &[
            "海尔 · 2025-09 批次",
            "截止 2025-10-14",
            "待提交 1 张",
            "¥80.00",
            "待返件 1",
            "草稿",
        ],
    )
    .await;
    find(c, "#claims-candidates-empty").await;
    s.screenshot("claims-draft").await;

    // The defective part is not back: the batch is refused, said under it.
    click(c, &format!("{batch} .batch-submit")).await;
    wait_inner(
        c,
        &format!("{batch} .batch-error"),
        &[&number, "HT-01 加热管", "还有1件坏件未返厂"],
    )
    .await;
    s.screenshot("claims-submit-refused").await;
    // 返厂 with the order's number (the storekeeper, on the part's file or here by CLI).
    let part = s.call("parts.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    let main = s.call("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    s.call(
        "stock.defective",
        json!({"part_id": part, "store_id": main, "quantity": 1, "form_no": "BHG-0001",
               "reason": "加热管烧断", "work_order": number}),
    );
    // The month after and back: the ledger read again.
    click(c, "#claims-after").await;
    wait_hash(c, "October", |h| h.contains("2025-10")).await;
    find(c, "#claims-empty").await;
    click(c, "#claims-before").await;
    wait_hash(c, "September", |h| h.contains("2025-09")).await;
    wait_inner(c, batch, &["¥105.00"]).await;
    click(c, &format!("{batch} .batch-submit")).await;
    wait_inner(c, batch, &["2025-10-09 已提交", "已提交", "¥105.00"]).await;
    let listed = s.call("claims.list", json!({"month": "2025-09"}));
    assert_eq!(listed["batches"][0]["claims"][0]["status"], "submitted");
    assert_eq!(listed["batches"][0]["claims"][0]["claimed_fen"], 10500);

    // 导出 Excel: the brand's workbook, said in a toast.
    click(c, &format!("{batch} .batch-export")).await;
    wait_text(c, ".toast", "厂家索赔-海尔-2025-09.xlsx").await;

    // 结算: partly approved needs its amount and its reason, each under its field.
    let claim_row = format!("{batch} .claims-table tbody tr");
    c.execute(
        "document.querySelector(arguments[0]).focus()",
        vec![json!(claim_row)],
    )
    .await
    .unwrap();
    press_key(c, Key::Enter).await;
    wait_focus(c, "claim-settle-status").await;
    find(c, "#claim-settle-status")
        .await
        .select_by_value("partly")
        .await
        .unwrap();
    click(c, "#claim-settle-save").await;
    wait_text(
        c,
        "#claim-settle-form .field-error[data-for=\"approved_fen\"]",
        "请填写厂家核准的金额",
    )
    .await;
    type_into(c, "#claim-settle-approved_fen", "90").await;
    click(c, "#claim-settle-save").await;
    wait_text(
        c,
        "#claim-settle-form .field-error[data-for=\"reason\"]",
        "请填写核减原因",
    )
    .await;
    wait_focus(c, "claim-settle-reason").await;
    into_view(c, "#claim-settle-form").await;
    s.screenshot("claims-settle-refused").await;
    type_into(c, "#claim-settle-reason", "配件按厂家价格核减").await;
    click(c, "#claim-settle-save").await;
    wait_inner(c, &claim_row, &["部分核准", "¥90.00"]).await;
    wait_inner(c, batch, &["¥90.00"]).await;

    // 回款: not before the day it was submitted; then paid, and the totals say so.
    click(c, &format!("{claim_row} .claim-settle")).await;
    wait_focus(c, "claim-settle-status").await;
    type_into(c, "#claim-settle-paid_on", "2025-10-08").await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        "#claim-settle-form .field-error[data-for=\"paid_on\"]",
        "回款日期不能早于提交日期 2025-10-09",
    )
    .await;
    type_into(c, "#claim-settle-paid_on", "2025-10-09").await;
    press_key(c, Key::Enter).await;
    wait_inner(c, &claim_row, &["已回款", "2025-10-09"]).await;
    let totals = wait_inner(c, &format!("{batch} .claim-totals"), &["¥105.00", "¥90.00"]).await;
    assert!(totals.contains("已回款"), "{totals}");
    let paid = inner_text(c, &format!("{batch} .total-paid"))
        .await
        .unwrap();
    assert_eq!(paid, "¥90.00");
    let owed = inner_text(c, &format!("{batch} .total-owed"))
        .await
        .unwrap();
    assert_eq!(owed, "¥0.00");
    let claim = &s.call("claims.list", json!({"month": "2025-09"}))["batches"][0]["claims"][0];
    assert_eq!(claim["status"], "paid");
    assert_eq!(claim["approved_fen"], 9000);
    assert_eq!(claim["paid_on"], "2025-10-09");
    into_view(c, batch).await;
    s.screenshot("claims-paid").await;

    // The monthly report shows the brand's line.
    go(c, "#/reports?month=2025-10&tab=claims").await;
    wait_inner(c, "#view", &["海尔", "105.00", "90.00"]).await;
    s.screenshot("claims-report").await;
    s.close().await;
}
