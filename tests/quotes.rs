//! 保外报价 (issue 21): a quote's bounds, the clocks paused while it waits (across a month's
//! end, the National Day holiday and a leap day), the customer's answer with who and how,
//! the bill held to the approved total, a new approval for more work, the deposit on the
//! one money path, a refusal ending with the diagnostic fee and the order closed. Runs on
//! either engine (AFTERSALES_TEST_ENGINE=postgres).

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

/// An open repair order (no machine on file: warranty unknown, quoted like 保外).
fn open_order(t: &mut TestDesk, name: &str, phone: &str) -> i64 {
    let customer = t.ok(
        "customers.create",
        json!({"name": name, "phones": [phone], "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .clone();
    t.ok(
        "orders.create",
        json!({"customer_id": customer, "fault": "空调不制冷", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// The order dispatched to a new engineer and in progress.
fn in_progress(t: &mut TestDesk, id: i64) {
    let engineer = t.ok(
        "engineers.save",
        json!({"name": format!("工程师{id}"), "region": "海淀"}),
    )["id"]
        .clone();
    t.ok("orders.assign", json!({"id": id, "engineer_id": engineer}));
    t.ok("orders.move", json!({"id": id, "to": "in_progress"}));
}

fn quote(t: &mut TestDesk, id: i64, fen: i64, until: &str) -> Value {
    t.ok(
        "orders.quote",
        json!({"order_id": id, "valid_until": until,
               "lines": [{"kind": "parts", "description": "压缩机", "amount_fen": fen - 10000},
                         {"kind": "labour", "description": "更换压缩机", "amount_fen": 10000}]}),
    )
}

fn decide(t: &mut TestDesk, id: i64, approved: bool) -> Value {
    t.ok(
        "orders.quote_decision",
        json!({"order_id": id, "approved": approved, "by": "张伟本人", "how": "phone"}),
    )
}

fn complete_args(id: i64, labour_fen: i64) -> Value {
    json!({"id": id, "work_done": "更换压缩机，加氟",
           "fees": [{"kind": "labour", "amount_fen": labour_fen}]})
}

fn field(e: &Value) -> &str {
    e["field"].as_str().unwrap_or_default()
}

fn count(t: &TestDesk, sql: &str) -> i64 {
    t.sql(sql)
}

/// A line of the monthly fees report of `month`, by its key, in yuan.
fn fees_line(t: &mut TestDesk, month: &str, key: &str) -> f64 {
    let r = t.ok("reports.get", json!({"report": "fees", "month": month}));
    r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {r}"))["values"][0]
        .as_f64()
        .unwrap()
}

/// The monthly fees report's 实收（含退款） of `month`, in yuan.
fn collected(t: &mut TestDesk, month: &str) -> f64 {
    fees_line(t, month, "collected")
}

#[test]
fn a_quote_bounds_every_field_and_names_it_and_writes_nothing_when_refused() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    let line =
        |kind: &str, fen: i64| json!({"kind": kind, "description": "压缩机", "amount_fen": fen});
    let cases = [
        (
            json!({"lines": [], "valid_until": "2026-12-07"}),
            "lines",
            "至少",
        ),
        (
            json!({"lines": vec![line("labour", 100); 21], "valid_until": "2026-12-07"}),
            "lines",
            "最多 20 行",
        ),
        (
            json!({"lines": [line("labour", 100), line("tips", 100)], "valid_until": "2026-12-07"}),
            "lines",
            "第2行费用类型",
        ),
        (
            json!({"lines": [line("labour", 0)], "valid_until": "2026-12-07"}),
            "lines",
            "第1行工时费金额应在 ¥0.01 到 ¥100,000.00 之间",
        ),
        (
            json!({"lines": [line("parts", 10_000_001)], "valid_until": "2026-12-07"}),
            "lines",
            "第1行备件费",
        ),
        (
            json!({"lines": [line("parts", 6_000_000), line("labour", 6_000_000)], "valid_until": "2026-12-07"}),
            "lines",
            "报价合计 ¥120,000.00 超过上限",
        ),
        (
            json!({"lines": [{"kind": "labour", "description": "修".repeat(61), "amount_fen": 100}], "valid_until": "2026-12-07"}),
            "lines",
            "第1行项目说明最多 60 个字",
        ),
        (
            json!({"lines": [line("labour", 100)], "valid_until": ""}),
            "valid_until",
            "报价有效期",
        ),
        (
            json!({"lines": [line("labour", 100)], "valid_until": "2026-11-31"}),
            "valid_until",
            "报价有效期",
        ),
        (
            json!({"lines": [line("labour", 100)], "valid_until": "2026-11-29"}),
            "valid_until",
            "今天（2026-11-30）到 2027-02-28 之间",
        ),
        (
            json!({"lines": [line("labour", 100)], "valid_until": "2027-03-01"}),
            "valid_until",
            "2027-02-28",
        ),
        (
            json!({"lines": [line("labour", 100)], "valid_until": "2026-12-07", "note": "说".repeat(201)}),
            "note",
            "报价说明",
        ),
    ];
    for (mut args, want_field, want_text) in cases {
        args["order_id"] = json!(id);
        let e = t.err("orders.quote", args.clone());
        assert_eq!(field(&e), want_field, "{args} → {e}");
        assert!(
            e["message"].as_str().unwrap().contains(want_text),
            "{args} → {e}"
        );
    }
    assert_eq!(count(&t, "SELECT count(*) FROM quote"), 0);
    assert_eq!(count(&t, "SELECT count(*) FROM order_pause"), 0);
    // The last day of the 90 is taken; an order in warranty is not quoted.
    quote(&mut t, id, 80000, "2027-02-28");
    let model = t.ok(
        "models.save",
        json!({"code": "KFR-35", "name": "空调 1.5匹",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )["id"]
        .clone();
    let customer = t.ok(
        "customers.create",
        json!({"name": "李娜", "phones": ["13912345678"], "address": "北京市朝阳区建国路1号"}),
    )["id"]
        .clone();
    let machine = t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-Q-0001", "purchase_date": "2026-10-01"}),
    )["id"]
        .clone();
    let in_warranty = t.ok(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "fault": "不制冷", "confirmed": true}),
    );
    assert_eq!(in_warranty["warranty"], "in");
    let e = t.err(
        "orders.quote",
        json!({"order_id": in_warranty["id"], "valid_until": "2026-12-07",
               "lines": [line("labour", 100)]}),
    );
    assert_eq!(field(&e), "order_id");
    assert!(e["message"].as_str().unwrap().contains("保内"), "{e}");
    let phone = t.ok(
        "orders.create",
        json!({"customer_id": customer, "kind": "consultation", "mode": "phone_help",
               "fault": "问怎么清洗滤网", "confirmed": true}),
    );
    let e = t.err(
        "orders.quote",
        json!({"order_id": phone["id"], "valid_until": "2026-12-07",
               "lines": [line("labour", 100)]}),
    );
    assert!(e["message"].as_str().unwrap().contains("电话服务"), "{e}");
}

#[test]
fn a_waiting_quote_pauses_the_clocks_across_month_end_and_the_national_day() {
    let mut t = desk();
    // Quoted Monday 2026-11-30 16:30, approved Tuesday 2026-12-01 10:00: 16:30–17:30 and
    // 08:30–10:00 are working time, 150 minutes.
    clock(&mut t, "2026-11-30T09:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    clock(&mut t, "2026-11-30T16:30:00+08:00");
    let q = quote(&mut t, id, 80000, "2026-12-07");
    assert_eq!(q["pause"]["reason"], "quote_pending");
    assert_eq!(q["pause"]["note"], "第1次报价 ¥800.00");
    assert_eq!(q["quotes"][0]["decision"], Value::Null);
    assert_eq!(q["quotes"][0]["decision_label"], "待客户确认");
    assert_eq!(q["quotes"][0]["total_capitals"], "捌佰元整");
    assert_eq!(q["quotes"][0]["lines"][0]["description"], "压缩机");
    // The answer is what the order waits for: the main step.
    let main: Vec<&Value> = q["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["main"] == true)
        .collect();
    assert_eq!(main[0]["name"], "quote_decision");
    assert_eq!(q["quote_waiting"], true);
    clock(&mut t, "2026-12-01T10:00:00+08:00");
    let d = decide(&mut t, id, true);
    assert!(d["pause"].is_null(), "{d}");
    assert_eq!(d["pauses"][0]["reason"], "quote_pending");
    assert_eq!(d["pauses"][0]["working_minutes"], 150);
    assert_eq!(d["quotes"][0]["decision"], "approved");
    assert_eq!(d["quotes"][0]["answered_by"], "张伟本人");
    assert_eq!(d["quotes"][0]["how"], "phone");
    assert_eq!(d["status"], "registered");
    let detail = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "quote_decided")
        .unwrap()["detail"]
        .clone();
    assert_eq!(detail, "第1次报价 ¥800.00：客户同意（张伟本人 电话确认）");

    // Quoted 2026-09-30 16:30, approved 2026-10-08 11:00: the National Day holiday (10-01
    // to 10-07) counts nothing: 60 + 150 = 210 minutes.
    clock(&mut t, "2026-09-30T09:00:00+08:00");
    let other = open_order(&mut t, "王芳", "13712345678");
    clock(&mut t, "2026-09-30T16:30:00+08:00");
    quote(&mut t, other, 50000, "2026-10-10");
    clock(&mut t, "2026-10-08T11:00:00+08:00");
    let d = decide(&mut t, other, true);
    assert_eq!(d["pauses"][0]["working_minutes"], 210);
}

#[test]
fn a_quote_is_valid_through_its_last_day_a_leap_day_included() {
    let mut t = desk();
    clock(&mut t, "2028-02-28T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    // 90 days from 2028-02-28 is 2028-05-28 (February has 29 days).
    let e = t.err(
        "orders.quote",
        json!({"order_id": id, "valid_until": "2028-05-29",
               "lines": [{"kind": "labour", "amount_fen": 100}]}),
    );
    assert!(e["message"].as_str().unwrap().contains("2028-05-28"), "{e}");
    quote(&mut t, id, 80000, "2028-02-29");
    // On the leap day it is still valid; the next day it is expired and not accepted.
    clock(&mut t, "2028-02-29T17:00:00+08:00");
    let seen = t.ok("orders.get", json!({"id": id}));
    assert_eq!(seen["quotes"][0]["expired"], false);
    clock(&mut t, "2028-03-01T09:00:00+08:00");
    let seen = t.ok("orders.get", json!({"id": id}));
    assert_eq!(seen["quotes"][0]["expired"], true);
    let e = t.err(
        "orders.quote_decision",
        json!({"order_id": id, "approved": true, "by": "张伟", "how": "phone"}),
    );
    assert_eq!(field(&e), "valid_until");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("2028-02-29，已过期"),
        "{e}"
    );
    // A new quote replaces it (never deleted), the pause goes on, and it is approved.
    let q = quote(&mut t, id, 80000, "2028-03-08");
    assert_eq!(q["quotes"][0]["decision"], "superseded");
    assert_eq!(q["quotes"][1]["seq"], 2);
    assert_eq!(q["pauses"].as_array().unwrap().len(), 1);
    assert_eq!(
        count(&t, "SELECT count(*) FROM quote WHERE decision IS NULL"),
        1
    );
    let d = decide(&mut t, id, true);
    assert_eq!(d["quotes"][1]["decision"], "approved");
}

#[test]
fn the_answer_names_who_and_how() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    let e = t.err(
        "orders.quote_decision",
        json!({"order_id": id, "approved": true, "by": "张伟", "how": "phone"}),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("没有等待客户确认的报价"),
        "{e}"
    );
    quote(&mut t, id, 80000, "2026-12-07");
    for (args, want) in [
        (json!({"by": "", "how": "phone"}), "by"),
        (json!({"by": "张".repeat(41), "how": "phone"}), "by"),
        (json!({"by": "张伟", "how": ""}), "how"),
        (json!({"by": "张伟", "how": "email"}), "how"),
        (
            json!({"by": "张伟", "how": "signature", "note": "注".repeat(201)}),
            "note",
        ),
    ] {
        let mut a = args.clone();
        a["order_id"] = json!(id);
        a["approved"] = json!(true);
        let e = t.err("orders.quote_decision", a);
        assert_eq!(field(&e), want, "{args} → {e}");
    }
    assert_eq!(
        count(&t, "SELECT count(*) FROM quote WHERE decision IS NULL"),
        1
    );
}

#[test]
fn the_bill_stays_within_the_approved_quote_and_more_work_needs_a_new_approval() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    in_progress(&mut t, id);
    quote(&mut t, id, 80000, "2026-12-07");
    // Waiting for the answer: not completed.
    let e = t.err("orders.complete", complete_args(id, 50000));
    assert_eq!(field(&e), "quote");
    assert!(
        e["message"].as_str().unwrap().contains("还在等客户确认"),
        "{e}"
    );
    decide(&mut t, id, true);
    // Above the approved ¥800: refused, nothing written.
    let e = t.err("orders.complete", complete_args(id, 80001));
    assert_eq!(field(&e), "fees");
    assert_eq!(
        e["message"],
        "费用合计 ¥800.01 超出客户同意的报价 ¥800.00，请重新报价并取得客户同意"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM fee_line"), 0);
    // More work: a second quote of ¥1,200; refused, the first approval stands.
    quote(&mut t, id, 120000, "2026-12-07");
    let d = decide(&mut t, id, false);
    assert_eq!(d["status"], "in_progress");
    assert_eq!(d["quotes"][1]["decision"], "refused");
    assert!(count(&t, "SELECT count(*) FROM fee_line") == 0);
    let e = t.err("orders.complete", complete_args(id, 100000));
    assert_eq!(field(&e), "fees");
    // A third, approved: the bill may reach ¥1,200.
    quote(&mut t, id, 120000, "2026-12-07");
    decide(&mut t, id, true);
    let done = t.ok("orders.complete", complete_args(id, 120000));
    assert_eq!(done["status"], "completed");
    assert_eq!(done["total_fen"], 120000);
    // Completed, the order is no longer quoted.
    let e = t.err(
        "orders.quote",
        json!({"order_id": id, "valid_until": "2026-12-07",
               "lines": [{"kind": "labour", "amount_fen": 100}]}),
    );
    assert_eq!(field(&e), "order_id");
}

#[test]
fn a_deposit_is_a_payment_counted_against_the_final_bill() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    in_progress(&mut t, id);
    let deposit = |fen: i64, method: &str| json!({"id": id, "kind": "deposit", "method": method, "amount_fen": fen});
    // No approved quote yet.
    let e = t.err("orders.pay", deposit(30000, "cash"));
    assert_eq!(field(&e), "kind");
    quote(&mut t, id, 80000, "2026-12-07");
    let e = t.err("orders.pay", deposit(30000, "cash"));
    assert_eq!(field(&e), "kind");
    decide(&mut t, id, true);
    for (args, want) in [
        (deposit(0, "cash"), "amount_fen"),
        (deposit(-100, "cash"), "amount_fen"),
        (deposit(80001, "cash"), "amount_fen"),
        (deposit(30000, "on_account"), "method"),
        (
            json!({"id": id, "kind": "advance", "method": "cash", "amount_fen": 100}),
            "kind",
        ),
    ] {
        let e = t.err("orders.pay", args.clone());
        assert_eq!(field(&e), want, "{args} → {e}");
    }
    let o = t.ok("orders.pay", deposit(30000, "wechat"));
    assert_eq!(o["paid_fen"], 30000);
    assert_eq!(o["payments"][0]["kind"], "deposit");
    assert_eq!(
        o["events"].as_array().unwrap().last().unwrap()["kind"],
        "deposit"
    );
    let e = t.err("orders.pay", deposit(50001, "cash"));
    assert!(
        e["message"].as_str().unwrap().contains("最多 ¥500.00"),
        "{e}"
    );
    // Completed at ¥750 on 1 December: ¥450 is left to pay.
    clock(&mut t, "2026-12-01T10:00:00+08:00");
    let done = t.ok("orders.complete", complete_args(id, 75000));
    assert_eq!(done["outstanding_fen"], 45000);
    let e = t.err("orders.pay", deposit(100, "cash"));
    assert_eq!(field(&e), "kind");
    t.ok(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": 45000}),
    );
    // The deposit is money received in November, the rest in December.
    assert_eq!(collected(&mut t, "2026-11"), 300.0);
    assert_eq!(collected(&mut t, "2026-12"), 450.0);
    // 其中定金: the deposit in the month it was taken.
    assert_eq!(fees_line(&mut t, "2026-11", "deposits"), 300.0);
    assert_eq!(fees_line(&mut t, "2026-12", "deposits"), 0.0);
    assert_eq!(fees_line(&mut t, "2026-12", "diagnostic"), 0.0);
}

#[test]
fn a_cancelled_orders_deposit_is_refunded() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    quote(&mut t, id, 80000, "2026-12-07");
    decide(&mut t, id, true);
    t.ok(
        "orders.pay",
        json!({"id": id, "kind": "deposit", "method": "cash", "amount_fen": 20000}),
    );
    let cancelled = t.ok(
        "orders.move",
        json!({"id": id, "to": "cancelled", "reason": "客户改为购买新机"}),
    );
    // The money held is refunded through 收款, offered while there is any.
    let names = |o: &Value| -> Vec<String> {
        o["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        names(&cancelled).contains(&"pay".to_string()),
        "{cancelled}"
    );
    let e = t.err(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": -20000}),
    );
    assert_eq!(field(&e), "note");
    let e = t.err(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": -20001, "note": "退定金"}),
    );
    assert_eq!(field(&e), "amount_fen");
    let o = t.ok(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": -20000, "note": "退定金"}),
    );
    assert_eq!(o["paid_fen"], 0);
    assert!(!names(&o).contains(&"pay".to_string()), "{o}");
    // Nothing more is taken on a cancelled order.
    let e = t.err(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": 100}),
    );
    assert_eq!(field(&e), "id");
}

#[test]
fn a_refused_quote_ends_with_the_diagnostic_fee_and_the_order_closed() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    for bad in [-1, 500_001] {
        let e = t.err("settings.save", json!({"diagnostic_fee_fen": bad}));
        assert_eq!(field(&e), "diagnostic_fee_fen");
    }
    assert_eq!(t.ok("settings.get", json!({}))["diagnostic_fee_fen"], 5000);
    t.ok("settings.save", json!({"diagnostic_fee_fen": 8000}));
    let id = open_order(&mut t, "张伟", "13812345678");
    in_progress(&mut t, id);
    quote(&mut t, id, 80000, "2026-12-07");
    clock(&mut t, "2026-12-01T09:00:00+08:00");
    let o = t.ok(
        "orders.quote_decision",
        json!({"order_id": id, "approved": false, "by": "张伟", "how": "in_person",
               "note": "嫌贵，不修了"}),
    );
    assert_eq!(o["status"], "closed");
    assert_eq!(o["total_fen"], 8000);
    assert_eq!(o["outstanding_fen"], 8000);
    assert_eq!(o["work_done"], "客户不同意报价，未维修");
    assert_eq!(
        o["fees"],
        json!([{"kind": "other", "description": "检测费", "amount_fen": 8000}])
    );
    assert!(o["pause"].is_null());
    // 10:00–17:30 on Monday and 08:30–09:00 on Tuesday.
    assert_eq!(o["pauses"][0]["working_minutes"], 450 + 30);
    let last = o["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to_status"], "closed");
    assert_eq!(last["detail"], "客户不同意报价，未维修；收取检测费 ¥80.00");
    // A receivable until paid; then paid like any bill.
    let r = t.ok("orders.receivables", json!({}));
    assert!(
        r.to_string()
            .contains(&o["number"].as_str().unwrap().to_string()),
        "{r}"
    );
    let paid = t.ok(
        "orders.pay",
        json!({"id": id, "method": "cash", "amount_fen": 8000}),
    );
    assert_eq!(paid["outstanding_fen"], 0);
    // 其中检测费: billed in December, the month the order closed on the refusal.
    assert_eq!(fees_line(&mut t, "2026-12", "diagnostic"), 80.0);
    assert_eq!(fees_line(&mut t, "2026-12", "billed"), 80.0);
    assert_eq!(fees_line(&mut t, "2026-11", "diagnostic"), 0.0);
    // A closed order takes no more answers or quotes.
    let e = t.err(
        "orders.quote",
        json!({"order_id": id, "valid_until": "2026-12-07",
               "lines": [{"kind": "labour", "amount_fen": 100}]}),
    );
    assert_eq!(field(&e), "order_id");
}

#[test]
fn a_quote_on_an_order_waiting_for_parts_leaves_the_parts_pause() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    t.ok("settings.save", json!({"diagnostic_fee_fen": 0}));
    let id = open_order(&mut t, "张伟", "13812345678");
    in_progress(&mut t, id);
    t.ok(
        "orders.move",
        json!({"id": id, "to": "waiting_parts", "reason": "等压缩机"}),
    );
    let q = quote(&mut t, id, 80000, "2026-12-07");
    assert_eq!(q["pause"]["reason"], "parts");
    assert_eq!(q["pauses"].as_array().unwrap().len(), 1);
    // Refused with no fee set: closed, nothing billed; the parts pause ended by the close.
    let d = decide(&mut t, id, false);
    assert_eq!(d["status"], "closed");
    assert_eq!(d["total_fen"], 0);
    assert!(d["fees"].as_array().unwrap().is_empty());
}

#[test]
fn the_quote_prints_on_a4_a5_and_the_roll_with_its_total_in_capitals() {
    use crate::platform::pdf::{save_pdf, squeezed, text};
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    t.ok(
        "settings.save",
        json!({"company_name": "海淀家电售后服务中心", "company_hotline": "400-800-1234"}),
    );
    let id = open_order(&mut t, "张伟", "13812345678");
    t.ok(
        "orders.quote",
        json!({"order_id": id, "valid_until": "2026-12-07", "note": "压缩机需订货，约3天",
               "lines": [{"kind": "parts", "description": "压缩机 QXA-B141", "amount_fen": 68000},
                         {"kind": "labour", "description": "更换压缩机、抽真空、加氟", "amount_fen": 12050}]}),
    );
    for format in ["a4", "a5", "thermal"] {
        let r = t.ok(
            "orders.quote_pdf",
            json!({"order_id": id, "format": format}),
        );
        assert!(r["file_name"].as_str().unwrap().ends_with("-1.pdf"), "{r}");
        let (path, _) = save_pdf(&r, &format!("quote-{format}"));
        let read = squeezed(&text(&path, None));
        for want in [
            "维修报价单",
            "第1次报价",
            "有效期至：2026-12-07",
            "压缩机QXA-B141",
            "¥680.00",
            "¥120.50",
            "合计：¥800.50",
            "大写：捌佰元伍角整",
            "收取检测费¥50.00（伍拾元整）",
            "客户意见：待客户确认",
            "客户签字",
            "400-800-1234",
        ] {
            assert!(read.contains(want), "{format}: no {want} in {read}");
        }
    }
    decide(&mut t, id, true);
    let r = t.ok("orders.quote_pdf", json!({"order_id": id, "seq": 1}));
    let (path, _) = save_pdf(&r, "quote-approved");
    let read = squeezed(&text(&path, None));
    assert!(
        read.contains("客户意见：客户同意：张伟本人电话确认，2026-11-30"),
        "{read}"
    );
    let e = t.err("orders.quote_pdf", json!({"order_id": id, "seq": 2}));
    assert_eq!(field(&e), "seq");
    let e = t.err("orders.quote_pdf", json!({"order_id": id, "format": "a3"}));
    assert_eq!(field(&e), "format");
}

#[test]
fn cancelling_an_order_withdraws_its_waiting_quote() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let id = open_order(&mut t, "张伟", "13812345678");
    quote(&mut t, id, 80000, "2026-12-07");
    let o = t.ok(
        "orders.move",
        json!({"id": id, "to": "cancelled", "reason": "客户不修了"}),
    );
    assert_eq!(o["quote_waiting"], false);
    assert_eq!(o["quotes"][0]["decision"], "withdrawn");
    assert_eq!(o["quotes"][0]["decision_label"], "已撤回（工单取消）");
    assert!(o["pause"].is_null());
    let e = t.err(
        "orders.quote_decision",
        json!({"order_id": id, "approved": true, "by": "张伟", "how": "phone"}),
    );
    assert_eq!(field(&e), "order_id");
}
