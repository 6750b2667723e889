//! 工程师提成 (issue 21): the rule sets and their effective day (the past stays as
//! computed), every item — per visit, share of labour, share of parts sold, the first-visit
//! bonus, the deductions for a justified complaint and for a repeat repair within 30 days —
//! with dates across month ends, the National Day and Spring Festival holidays and a leap
//! February; an order handed over between two engineers; the report, its items and orders,
//! the export. Runs on either engine (AFTERSALES_TEST_ENGINE=postgres).

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

struct Shop {
    customer: i64,
    model: i64,
    part: i64,
    store: i64,
    wang: i64,
    li: i64,
}

/// A model, a part in stock (sold at ¥35.00), two engineers.
fn shop(t: &mut TestDesk) -> Shop {
    let customer = t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .as_i64()
        .unwrap();
    let model = t.ok(
        "models.save",
        json!({"code": "KFR-35", "name": "变频空调 1.5匹",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )["id"]
        .as_i64()
        .unwrap();
    let part = t.ok(
        "parts.save",
        json!({"code": "P100", "name": "电容", "unit": "个", "cost_fen": 1000, "price_fen": 3500}),
    )["id"]
        .as_i64()
        .unwrap();
    let store = t.ok("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": store, "quantity": 20, "unit_cost_fen": 1000}),
    );
    let mut engineer = |name: &str| {
        t.ok(
            "engineers.save",
            json!({"name": name, "phone": "13900001111", "region": "海淀"}),
        )["id"]
            .as_i64()
            .unwrap()
    };
    let wang = engineer("王磊");
    let li = engineer("李强");
    Shop {
        customer,
        model,
        part,
        store,
        wang,
        li,
    }
}

/// A machine bought long ago (out of warranty: its fees are the customer's).
fn machine(t: &mut TestDesk, s: &Shop, serial: &str) -> i64 {
    t.ok(
        "equipment.create",
        json!({"customer_id": s.customer, "model_id": s.model, "serial": serial,
               "purchase_date": "2020-01-01"}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn order(t: &mut TestDesk, s: &Shop, machine: i64, mode: &str) -> i64 {
    t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": machine, "kind": "repair",
               "mode": mode, "fault": "不制冷", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn start(t: &mut TestDesk, id: i64, engineer: i64) {
    t.ok("orders.assign", json!({"id": id, "engineer_id": engineer}));
    t.ok("orders.move", json!({"id": id, "to": "in_progress"}));
}

/// Completed with `labour` fen of labour and `parts` units of the part.
fn complete(t: &mut TestDesk, s: &Shop, id: i64, labour: i64, parts: i64) {
    let parts = if parts > 0 {
        json!([{"part_id": s.part, "store_id": s.store, "quantity": parts}])
    } else {
        json!([])
    };
    t.ok(
        "orders.complete",
        json!({"id": id, "work_done": "更换电容", "late_reason": "补录纸质服务单",
               "fees": [{"kind": "labour", "amount_fen": labour}], "parts": parts}),
    );
}

fn rule(kind: &str, mode: &str, visit: i64, labour_bp: i64, parts_bp: i64) -> Value {
    json!({"kind": kind, "mode": mode, "visit_fen": visit, "labour_bp": labour_bp,
           "parts_bp": parts_bp, "first_fix_fen": 2000, "complaint_fen": 5000,
           "repeat_fen": 8000})
}

/// Repairs on site: ¥30 a visit, 10% of labour, 5% of parts, ¥20 first-visit bonus, ¥50
/// off for a justified complaint, ¥80 off for a repeat repair; carry-in: ¥10 a visit.
fn rules_a(from: &str) -> Value {
    json!({"effective_from": from, "note": "2026年提成方案",
           "rules": [rule("repair", "on_site", 3000, 1000, 500),
                     rule("repair", "carry_in", 1000, 1000, 500)]})
}

/// The commission report of `month`: the line of `key` (engineer id or `total`), its values.
fn line(t: &mut TestDesk, month: &str, key: &str) -> Option<Vec<f64>> {
    let r = t.ok(
        "reports.get",
        json!({"report": "commission", "month": month}),
    );
    assert_eq!(r["items"][0]["columns"][7], "合计（元）");
    r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .map(|l| {
            l["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
}

/// The items of an engineer in `month`: (item, amount in fen, rule_from).
fn items(t: &mut TestDesk, month: &str, engineer: i64) -> Vec<(String, i64, String)> {
    let d = t.ok(
        "reports.commission",
        json!({"month": month, "engineer_id": engineer}),
    );
    d["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["item"].as_str().unwrap().to_string(),
                e["amount_fen"].as_i64().unwrap(),
                e["rule_from"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn rules_are_bounded_each_refusal_names_its_field_and_writes_nothing() {
    let mut t = desk();
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let ok = rule("repair", "on_site", 3000, 1000, 500);
    let cases = [
        (
            json!({"effective_from": "2026-11-29", "rules": [ok]}),
            "effective_from",
            "不能早于今天（2026-11-30）",
        ),
        (
            json!({"effective_from": "2027-12-02", "rules": [ok]}),
            "effective_from",
            "一年之后",
        ),
        (
            json!({"effective_from": "2026-02-30", "rules": [ok]}),
            "effective_from",
            "生效日期",
        ),
        (json!({"rules": [ok]}), "effective_from", "请填写生效日期"),
        (
            json!({"effective_from": "2026-12-01", "rules": [ok, rule("tune", "on_site", 1, 0, 0)]}),
            "rules",
            "第2行服务类型只能是",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [rule("repair", "drone", 1, 0, 0)]}),
            "rules",
            "第1行服务方式只能是",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [ok, ok]}),
            "rules",
            "第2行（维修·上门）重复",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [rule("repair", "on_site", 100_001, 0, 0)]}),
            "rules",
            "第1行（维修·上门）按次提成应在 ¥0.00 到 ¥1,000.00 之间",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [rule("repair", "on_site", -1, 0, 0)]}),
            "rules",
            "按次提成",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [rule("repair", "carry_in", 0, 10_001, 0)]}),
            "rules",
            "第1行（维修·送修）工时费提成比例应在 0% 到 100% 之间",
        ),
        (
            json!({"effective_from": "2026-12-01", "rules": [rule("repair", "carry_in", 0, 0, -5)]}),
            "rules",
            "配件提成比例",
        ),
        (
            json!({"effective_from": "2026-12-01", "note": "长".repeat(201), "rules": [ok]}),
            "note",
            "说明",
        ),
    ];
    for (args, field, words) in cases {
        let e = t.err("reports.commission_rules.save", args.clone());
        assert_eq!(e["field"], field, "{args}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{args}: {e}"
        );
    }
    let sets: i64 = t.sql("SELECT count(*) FROM commission_rule_set");
    let rules: i64 = t.sql("SELECT count(*) FROM commission_rule");
    assert_eq!((sets, rules), (0, 0));
    // 16 rows cannot all be different pairs: 5 kinds × 3 modes.
    let many: Vec<Value> = (0..16)
        .map(|_| rule("repair", "on_site", 0, 0, 0))
        .collect();
    let e = t.err(
        "reports.commission_rules.save",
        json!({"effective_from": "2026-12-01", "rules": many}),
    );
    assert!(e["message"].as_str().unwrap().contains("最多 15 行"), "{e}");
}

#[test]
fn an_order_is_paid_by_the_set_in_force_on_its_completion_day_across_the_month_end() {
    let mut t = desk();
    clock(&mut t, "2026-11-20T09:00:00+08:00");
    let s = shop(&mut t);
    let got = t.ok("reports.commission_rules.save", rules_a("2026-11-20"));
    assert_eq!(got["sets"][0]["effective_from"], "2026-11-20");
    assert_eq!(got["sets"][0]["in_force"], true);
    // Every pair is listed, the ones without a row at zero.
    assert_eq!(got["sets"][0]["rules"].as_array().unwrap().len(), 15);
    let stored: i64 = t.sql("SELECT count(*) FROM commission_rule");
    assert_eq!(stored, 2);
    let audit: i64 = t.sql(
        "SELECT count(*) FROM audit_entry WHERE action = 'commission_rules_saved'
         AND detail LIKE '%2026-11-20起生效%维修·上门：每次¥30.00，工时10%，配件5%%'",
    );
    assert_eq!(audit, 1);

    // Completed at 23:30 on 30 November, Beijing (15:30 UTC): November's.
    let m1 = machine(&mut t, &s, "SN-1");
    let late = order(&mut t, &s, m1, "on_site");
    start(&mut t, late, s.wang);
    // The set for December is saved on the last day of November.
    clock(&mut t, "2026-11-30T10:00:00+08:00");
    let b = json!({"effective_from": "2026-12-01", "note": "12月起上门每次¥50",
                   "rules": [rule("repair", "on_site", 5000, 1500, 500)]});
    let got = t.ok("reports.commission_rules.save", b);
    assert_eq!(got["sets"][0]["effective_from"], "2026-12-01");
    assert_eq!(got["sets"][0]["future"], true);
    assert_eq!(got["sets"][1]["in_force"], true);
    clock(&mut t, "2026-11-30T23:30:00+08:00");
    complete(&mut t, &s, late, 20_000, 1);
    // ¥30 visit + 10% of ¥200 labour + 5% of ¥35 parts + ¥20 first-visit bonus.
    assert_eq!(
        line(&mut t, "2026-11", &s.wang.to_string()),
        Some(vec![1.0, 30.0, 20.0, 1.75, 20.0, 0.0, 0.0, 71.75])
    );
    assert_eq!(
        items(&mut t, "2026-11", s.wang),
        [
            ("visit".to_string(), 3000, "2026-11-20".to_string()),
            ("labour".into(), 2000, "2026-11-20".into()),
            ("parts".into(), 175, "2026-11-20".into()),
            ("first_fix".into(), 2000, "2026-11-20".into()),
        ]
    );
    let november = t.ok(
        "reports.get",
        json!({"report": "commission", "month": "2026-11"}),
    )["items"][0]["current_lines"]
        .clone();

    // Ten minutes past midnight on 1 December (16:10 UTC on the 30th): December's, by the
    // new set.
    let m2 = machine(&mut t, &s, "SN-2");
    let early = order(&mut t, &s, m2, "on_site");
    start(&mut t, early, s.wang);
    clock(&mut t, "2026-12-01T00:10:00+08:00");
    complete(&mut t, &s, early, 20_000, 0);
    assert_eq!(
        line(&mut t, "2026-12", &s.wang.to_string()),
        Some(vec![1.0, 50.0, 30.0, 0.0, 20.0, 0.0, 0.0, 100.0])
    );
    // The carry-in rule ended with the old set: a carry-in order now pays nothing.
    let m3 = machine(&mut t, &s, "SN-3");
    let carried = order(&mut t, &s, m3, "carry_in");
    start(&mut t, carried, s.li);
    complete(&mut t, &s, carried, 10_000, 0);
    assert_eq!(line(&mut t, "2026-12", &s.li.to_string()), None);

    // A set cannot reach back: November stays as it was computed.
    clock(&mut t, "2026-12-02T09:00:00+08:00");
    let e = t.err(
        "reports.commission_rules.save",
        json!({"effective_from": "2026-11-25", "rules": [rule("repair", "on_site", 9900, 0, 0)]}),
    );
    assert_eq!(e["field"], "effective_from");
    let again = t.ok(
        "reports.get",
        json!({"report": "commission", "month": "2026-11"}),
    )["items"][0]["current_lines"]
        .clone();
    assert_eq!(again, november);
    // The report's 合计 line sums the engineers.
    assert_eq!(
        line(&mut t, "2026-11", "total"),
        Some(vec![1.0, 30.0, 20.0, 1.75, 20.0, 0.0, 0.0, 71.75])
    );
    // The monthly export has the sheet, money in yuan.
    use base64::Engine as _;
    use calamine::Reader as _;
    let x = t.ok("reports.export", json!({"month": "2026-11"}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(x["content_base64"].as_str().unwrap())
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("工程师提成").unwrap();
    let row = sheet
        .rows()
        .find(|r| r.first().map(|c| c.to_string()) == Some("王磊".into()))
        .expect("王磊's row");
    let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert!(cells.contains(&"71.75".to_string()), "{cells:?}");
    let pdf = t.ok(
        "reports.export",
        json!({"month": "2026-11", "format": "pdf"}),
    );
    assert!(pdf["file_name"].as_str().unwrap().ends_with(".pdf"));
}

#[test]
fn a_set_whose_day_has_not_passed_is_replaced_one_in_force_earlier_is_kept() {
    let mut t = desk();
    clock(&mut t, "2026-12-01T09:00:00+08:00");
    t.ok("reports.commission_rules.save", rules_a("2026-12-10"));
    let b = json!({"effective_from": "2026-12-10", "note": "改为每次¥40",
                   "rules": [rule("repair", "on_site", 4000, 0, 0)]});
    let got = t.ok("reports.commission_rules.save", b);
    let sets = got["sets"].as_array().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["note"], "改为每次¥40");
    assert_eq!(sets[0]["future"], true);
    assert_eq!(sets[0]["in_force"], false);
    let stored: i64 = t.sql("SELECT count(*) FROM commission_rule");
    assert_eq!(stored, 1);
    let replaced: i64 = t.sql(
        "SELECT count(*) FROM audit_entry WHERE action = 'commission_rules_saved' AND detail LIKE '替换%'",
    );
    assert_eq!(replaced, 1);
    // On its day it is in force, and may still be put right that day.
    clock(&mut t, "2026-12-10T08:00:00+08:00");
    t.ok("reports.commission_rules.save", rules_a("2026-12-10"));
    // The next day it has paid a day: it stays.
    clock(&mut t, "2026-12-11T08:00:00+08:00");
    let e = t.err("reports.commission_rules.save", rules_a("2026-12-10"));
    assert_eq!(e["field"], "effective_from");
    let got = t.ok("reports.commission_rules", json!({}));
    assert_eq!(got["today"], "2026-12-11");
    assert_eq!(got["sets"][0]["in_force"], true);
    assert_eq!(got["sets"][0]["rules"][0]["visit_fen"], 3000);
    assert_eq!(got["kinds"][0]["label"], "维修");
    assert_eq!(got["modes"][0]["label"], "上门");
}

#[test]
fn a_repeat_repair_within_30_days_deducts_the_earlier_engineer_across_a_leap_february() {
    let mut t = desk();
    clock(&mut t, "2028-02-01T09:00:00+08:00");
    let s = shop(&mut t);
    t.ok("reports.commission_rules.save", rules_a("2028-02-01"));
    // Two machines repaired by 李强 on 10 February 2028.
    let (m1, m2) = (machine(&mut t, &s, "SN-A"), machine(&mut t, &s, "SN-B"));
    let (a1, a2) = (
        order(&mut t, &s, m1, "on_site"),
        order(&mut t, &s, m2, "on_site"),
    );
    start(&mut t, a1, s.li);
    start(&mut t, a2, s.li);
    clock(&mut t, "2028-02-10T16:00:00+08:00");
    complete(&mut t, &s, a1, 10_000, 0);
    complete(&mut t, &s, a2, 10_000, 0);
    let february = line(&mut t, "2028-02", &s.li.to_string());
    assert_eq!(
        february,
        Some(vec![2.0, 60.0, 20.0, 0.0, 40.0, 0.0, 0.0, 120.0])
    );
    // 11 March is the 30th day after 10 February in a leap year (29 days of February):
    // a repeat. 12 March is the 31st: not one.
    clock(&mut t, "2028-03-11T23:50:00+08:00");
    let again = order(&mut t, &s, m1, "on_site");
    clock(&mut t, "2028-03-12T00:05:00+08:00");
    order(&mut t, &s, m2, "on_site");
    // A second call on the first machine within the 30 days is not a second repeat.
    order(&mut t, &s, m1, "on_site");
    assert_eq!(
        line(&mut t, "2028-03", &s.li.to_string()),
        Some(vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -80.0, -80.0])
    );
    let d = t.ok(
        "reports.commission",
        json!({"month": "2028-03", "engineer_id": s.li}),
    );
    assert_eq!(d["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (d["count"].clone(), d["more"].clone()),
        (json!(1), json!(false))
    );
    assert_eq!(d["items"][0]["order_id"], a1);
    assert_eq!(d["items"][0]["day"], "2028-03-11");
    assert_eq!(d["total_fen"], -8000);
    let note = d["items"][0]["note"].as_str().unwrap();
    assert!(note.contains("2028-02-10 完工后第 30 天"), "{note}");
    let number = t.ok("orders.get", json!({"id": again}))["number"].clone();
    assert!(note.contains(number.as_str().unwrap()), "{note}");
    // February keeps what it had: the deduction lands in the month of the new order.
    assert_eq!(line(&mut t, "2028-02", &s.li.to_string()), february);
    // The drill-down lists the earlier order.
    let page = t.ok(
        "reports.orders",
        json!({"report": "commission", "key": s.li.to_string(), "month": "2028-03"}),
    );
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a1]);
}

#[test]
fn the_30_days_are_calendar_days_the_spring_festival_does_not_stretch_them() {
    let mut t = desk();
    clock(&mut t, "2026-01-04T09:00:00+08:00");
    let s = shop(&mut t);
    t.ok("reports.commission_rules.save", rules_a("2026-01-04"));
    let (m1, m2) = (machine(&mut t, &s, "SN-C"), machine(&mut t, &s, "SN-D"));
    let (a1, a2) = (
        order(&mut t, &s, m1, "carry_in"),
        order(&mut t, &s, m2, "carry_in"),
    );
    start(&mut t, a1, s.wang);
    start(&mut t, a2, s.wang);
    // Completed on 28 January 2026; the Spring Festival holiday (春节, 15–23 February 2026
    // on the State Council's notice) falls within the next 30 days: 27 February is the
    // 30th day, 28 February (a make-up working day) the 31st.
    clock(&mut t, "2026-01-28T11:00:00+08:00");
    complete(&mut t, &s, a1, 5000, 0);
    complete(&mut t, &s, a2, 5000, 0);
    clock(&mut t, "2026-02-27T10:00:00+08:00");
    order(&mut t, &s, m1, "carry_in");
    clock(&mut t, "2026-02-28T10:00:00+08:00");
    order(&mut t, &s, m2, "carry_in");
    let got = items(&mut t, "2026-02", s.wang);
    assert_eq!(
        got,
        [("repeat".to_string(), -8000, "2026-01-04".to_string())]
    );
    let d = t.ok(
        "reports.commission",
        json!({"month": "2026-02", "engineer_id": s.wang}),
    );
    assert_eq!(d["items"][0]["order_id"], a1);
}

#[test]
fn a_justified_complaint_deducts_in_the_month_it_was_judged_across_the_national_day() {
    let mut t = desk();
    clock(&mut t, "2026-09-01T09:00:00+08:00");
    let s = shop(&mut t);
    t.ok("reports.commission_rules.save", rules_a("2026-09-01"));
    let m1 = machine(&mut t, &s, "SN-E");
    let o = order(&mut t, &s, m1, "on_site");
    start(&mut t, o, s.wang);
    clock(&mut t, "2026-09-30T15:00:00+08:00");
    complete(&mut t, &s, o, 10_000, 0);
    let september = line(&mut t, "2026-09", &s.wang.to_string());
    assert_eq!(
        september,
        Some(vec![1.0, 30.0, 10.0, 0.0, 20.0, 0.0, 0.0, 60.0])
    );
    let complain = |t: &mut TestDesk, against: &str| {
        t.ok(
            "complaints.create",
            json!({"customer_id": s.customer, "order_id": o, "against": against,
                   "channel": "phone", "cause": "quality", "content": "修完第二天又不制冷"}),
        )["id"]
            .as_i64()
            .unwrap()
    };
    let reply = |t: &mut TestDesk, id: i64, justified: bool| {
        t.ok(
            "complaints.update",
            json!({"id": id, "step": "reply", "justified": justified,
                   "measures": "安排复查", "reply": "已致歉并上门复查"}),
        );
    };
    let (k1, k2, k3) = (
        complain(&mut t, "engineer"),
        complain(&mut t, "engineer"),
        complain(&mut t, "company"),
    );
    // Judged after the National Day holiday (1–7 October 2026).
    clock(&mut t, "2026-10-09T09:30:00+08:00");
    reply(&mut t, k1, true);
    reply(&mut t, k2, false);
    // Against the company: not the engineer's doing.
    reply(&mut t, k3, true);
    assert_eq!(
        line(&mut t, "2026-10", &s.wang.to_string()),
        Some(vec![0.0, 0.0, 0.0, 0.0, 0.0, -50.0, 0.0, -50.0])
    );
    assert_eq!(line(&mut t, "2026-09", &s.wang.to_string()), september);
    let d = t.ok("reports.commission", json!({"month": "2026-10"}));
    assert_eq!(d["items"].as_array().unwrap().len(), 1);
    assert_eq!(d["items"][0]["item_label"], "投诉扣减");
    assert!(d["items"][0]["note"].as_str().unwrap().contains("属实"));
}

#[test]
fn an_order_handed_over_pays_each_engineer_his_visits_and_the_finisher_the_shares() {
    let mut t = desk();
    clock(&mut t, "2026-11-02T09:00:00+08:00");
    let s = shop(&mut t);
    t.ok("reports.commission_rules.save", rules_a("2026-11-02"));
    let m1 = machine(&mut t, &s, "SN-F");
    let o = order(&mut t, &s, m1, "on_site");
    start(&mut t, o, s.wang);
    t.ok("orders.move", json!({"id": o, "to": "waiting_parts"}));
    t.ok(
        "orders.assign",
        json!({"id": o, "engineer_id": s.li, "reason": "王磊休假"}),
    );
    clock(&mut t, "2026-11-04T09:00:00+08:00");
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    complete(&mut t, &s, o, 30_000, 2);
    // 王磊: his visit. 李强: his visit, 10% of ¥300, 5% of ¥70; no first-visit bonus (two
    // visits, waited for parts).
    assert_eq!(
        items(&mut t, "2026-11", s.wang),
        [("visit".to_string(), 3000, "2026-11-02".to_string())]
    );
    assert_eq!(
        line(&mut t, "2026-11", &s.li.to_string()),
        Some(vec![1.0, 30.0, 30.0, 3.5, 0.0, 0.0, 0.0, 63.5])
    );
    assert_eq!(
        line(&mut t, "2026-11", "total"),
        Some(vec![1.0, 60.0, 30.0, 3.5, 0.0, 0.0, 0.0, 93.5])
    );
    // Each engineer's orders: the same one.
    for g in [s.wang, s.li] {
        let page = t.ok(
            "reports.orders",
            json!({"report": "commission", "key": g.to_string(), "month": "2026-11"}),
        );
        assert_eq!(page["items"][0]["id"], o);
    }
    let e = t.err(
        "reports.commission",
        json!({"month": "2026-11", "engineer_id": 999}),
    );
    assert_eq!(e["field"], "engineer_id");
    let e = t.err(
        "reports.orders",
        json!({"report": "commission", "key": "王", "month": "2026-11"}),
    );
    assert_eq!(e["field"], "key");
}

#[test]
fn an_order_closed_on_a_refused_quote_pays_the_visit_not_the_bonus() {
    let mut t = desk();
    clock(&mut t, "2026-11-02T09:00:00+08:00");
    let s = shop(&mut t);
    t.ok("reports.commission_rules.save", rules_a("2026-11-02"));
    let m1 = machine(&mut t, &s, "SN-G");
    let o = order(&mut t, &s, m1, "on_site");
    start(&mut t, o, s.wang);
    t.ok(
        "orders.quote",
        json!({"order_id": o, "valid_until": "2026-11-09",
               "lines": [{"kind": "labour", "description": "更换压缩机", "amount_fen": 80000}]}),
    );
    t.ok(
        "orders.quote_decision",
        json!({"order_id": o, "approved": false, "by": "张伟本人", "how": "phone"}),
    );
    assert_eq!(
        items(&mut t, "2026-11", s.wang),
        [("visit".to_string(), 3000, "2026-11-02".to_string())]
    );
}

#[test]
fn without_rules_nothing_is_paid_and_the_export_has_the_sheet() {
    let mut t = desk();
    clock(&mut t, "2026-11-02T09:00:00+08:00");
    let s = shop(&mut t);
    let m1 = machine(&mut t, &s, "SN-H");
    let o = order(&mut t, &s, m1, "on_site");
    start(&mut t, o, s.wang);
    complete(&mut t, &s, o, 10_000, 0);
    let r = t.ok(
        "reports.get",
        json!({"report": "commission", "month": "2026-11"}),
    );
    assert_eq!(r["items"][0]["current_lines"], json!([]));
    assert_eq!(r["items"][0]["title"], "工程师提成");
    let x = t.ok("reports.export", json!({"month": "2026-11"}));
    assert!(x["file_name"].as_str().unwrap().ends_with(".xlsx"));
}
