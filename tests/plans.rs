//! 定期保养 (issue 21): maintenance plans per model or machine, due dates by calendar
//! months (clamped to the month's end, leap years) or by counter, the appointment moved
//! off rest days (the State Council's 2026 schedule), orders made ahead once (two doors,
//! two runs), counted from the last maintenance completed, plans paused and ended, the
//! reminder in the outbox, the day board's week. Runs on either engine
//! (AFTERSALES_TEST_ENGINE=postgres).

use aftersales::jobs::{self, Jobs};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

fn field(e: &Value) -> &str {
    e["field"].as_str().unwrap_or_default()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// A model, a customer with an address and a mobile, and `installs` machines of the
/// model installed on those days (`YYYY-MM-DD`).
struct Site {
    model: i64,
    customer: i64,
    machines: Vec<i64>,
}

fn site(t: &mut TestDesk, code: &str, installs: &[&str]) -> Site {
    let model = id(&t.ok(
        "models.save",
        json!({"code": code, "name": "商用净水器", "category": "净水器",
               "policies": [{"component": "", "months": 12, "basis": "install"}]}),
    ));
    let customer = id(&t.ok(
        "customers.create",
        json!({"name": "海底捞（中关村店）", "phones": ["13812345678"],
               "address": "北京市海淀区中关村大街1号"}),
    ));
    let machines = installs
        .iter()
        .enumerate()
        .map(|(i, day)| {
            id(&t.ok(
                "equipment.create",
                json!({"customer_id": customer, "model_id": model,
                       "serial": format!("{code}-SN{i:03}"),
                       "purchase_date": day, "install_date": day}),
            ))
        })
        .collect();
    Site {
        model,
        customer,
        machines,
    }
}

fn next(t: &mut TestDesk, machine: i64) -> Value {
    t.ok("plans.machine", json!({"equipment_id": machine}))["next"].clone()
}

fn orders_of(t: &TestDesk, machine: i64) -> i64 {
    t.sql(&format!(
        "SELECT count(*) FROM work_order WHERE equipment_id = {machine} AND kind = 'maintenance'"
    ))
}

/// Takes order `order` through dispatch to completion at the desk's clock.
fn complete(t: &mut TestDesk, order: i64) {
    let engineer = match t.ok("engineers.list", json!({}))["items"]
        .as_array()
        .and_then(|a| a.first().cloned())
    {
        Some(e) => id(&e),
        None => id(&t.ok("engineers.save", json!({"name": "李强", "region": "海淀"}))),
    };
    t.ok(
        "orders.assign",
        json!({"id": order, "engineer_id": engineer}),
    );
    t.ok(
        "orders.move",
        json!({"id": order, "to": "in_progress", "reason": ""}),
    );
    t.ok(
        "orders.complete",
        json!({"id": order, "work_done": "更换滤芯，清洗水箱",
               "late_reason": "客户改约，保养日期推迟"}),
    );
}

#[test]
fn a_plan_refuses_every_bad_field_by_name_and_writes_nothing() {
    let mut t = desk();
    clock(&mut t, "2026-06-01T10:00:00+08:00");
    let s = site(&mut t, "JSQ-100", &["2026-03-01"]);
    let base = json!({"model_id": s.model, "basis": "months", "every_months": 6});
    let with = |k: &str, v: Value| {
        let mut a = base.clone();
        a[k] = v;
        a
    };
    for (args, name, words) in [
        (with("every_months", json!(0)), "every_months", "1到60个月"),
        (with("every_months", json!(61)), "every_months", "1到60个月"),
        (
            with("every_months", Value::Null),
            "every_months",
            "1到60个月",
        ),
        (
            with("basis", json!("counter")),
            "every_count",
            "保养间隔读数",
        ),
        (with("basis", json!("weeks")), "basis", "保养周期"),
        (with("state", json!("done")), "state", "计划状态"),
        (
            with("starts_on", json!("2026-02-30")),
            "starts_on",
            "计划开始日期",
        ),
        (
            with("starts_on", json!("2032-01-01")),
            "starts_on",
            "5年之内",
        ),
        (with("note", json!("很".repeat(201))), "note", "200"),
        (
            with("model_id", Value::Null),
            "model_id",
            "请选择一个型号，或一台设备",
        ),
        (
            with("equipment_id", json!(s.machines[0])),
            "model_id",
            "请选择一个型号，或一台设备",
        ),
        (with("model_id", json!(999)), "model_id", "型号不存在"),
    ] {
        let e = t.err("plans.save", args.clone());
        assert_eq!(field(&e), name, "{args}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{args}: {e}"
        );
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM maintenance_plan"), 0);
    // Every problem at once.
    let e = t.err(
        "plans.save",
        json!({"basis": "months", "every_months": 0, "starts_on": "x"}),
    );
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["every_months", "starts_on", "model_id"], "{e}");
    // Saved once per model: saving again changes it.
    let p = t.ok("plans.save", base.clone());
    assert_eq!(p["described"], "每6个月");
    assert_eq!(p["starts_on"], "2026-06-01", "today by default");
    assert_eq!(p["target"], "型号 JSQ-100 商用净水器");
    let again = t.ok("plans.save", with("every_months", json!(3)));
    assert_eq!(again["id"], p["id"]);
    assert_eq!(again["described"], "每3个月");
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM maintenance_plan"), 1);
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM audit_entry WHERE action = 'plan_saved'"),
        2
    );
}

#[test]
fn months_are_added_by_the_calendar_clamped_to_the_month_end_and_leap_years() {
    let mut t = desk();
    clock(&mut t, "2027-09-01T10:00:00+08:00");
    // Installed after the plan's start: counted from the install date.
    let s = site(
        &mut t,
        "JSQ-200",
        &["2026-08-31", "2026-01-31", "2027-08-31", "2026-03-31"],
    );
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "basis": "months", "every_months": 6, "starts_on": "2026-01-01"}),
    );
    let n = next(&mut t, s.machines[0]);
    assert_eq!(n["due_on"], "2027-02-28", "{n}");
    assert_eq!(n["counted_from"], "安装日期 2026-08-31");
    assert_eq!(n["from_model"], true);
    // 2027-08-31 + 6 months: 2028-02-29, a leap year.
    assert_eq!(next(&mut t, s.machines[2])["due_on"], "2028-02-29");
    // Each machine's own plan wins over its model's.
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[1], "basis": "months", "every_months": 1,
               "starts_on": "2026-01-01"}),
    );
    let own = next(&mut t, s.machines[1]);
    assert_eq!(own["from_model"], false);
    assert_eq!(own["due_on"], "2026-02-28", "Jan 31 + 1 month");
    assert_eq!(own["state"], "overdue");
    // 2026-03-31 + 6: 2026-09-30, the month has 30 days (counted from the install: the
    // plan started before it).
    assert_eq!(next(&mut t, s.machines[3])["due_on"], "2026-09-30");
    // A plan started after the install: counted from the plan's start.
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[3], "basis": "months", "every_months": 12,
               "starts_on": "2028-02-29"}),
    );
    let from_start = next(&mut t, s.machines[3]);
    assert_eq!(from_start["counted_from"], "计划开始 2028-02-29");
    assert_eq!(from_start["due_on"], "2029-02-28", "Feb 29 + 12 months");
}

#[test]
fn a_due_date_on_a_holiday_is_kept_and_the_appointment_moves_to_the_next_working_day() {
    let mut t = desk();
    clock(&mut t, "2026-09-20T10:00:00+08:00");
    // 国庆节 2026: 10-01…10-07 off, Saturday 10-10 a make-up working day (调休); 春节
    // 2026-02-15…23.
    let s = site(
        &mut t,
        "JSQ-300",
        &["2026-04-01", "2026-04-10", "2025-08-15", "2026-04-20"],
    );
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    let holiday = next(&mut t, s.machines[0]);
    assert_eq!(holiday["due_on"], "2026-10-01");
    assert_eq!(holiday["suggested_on"], "2026-10-08", "{holiday}");
    let makeup = next(&mut t, s.machines[1]);
    assert_eq!(makeup["due_on"], "2026-10-10");
    assert_eq!(makeup["suggested_on"], "2026-10-10", "a Saturday worked");
    // Past due (the Spring Festival's first day): suggested from today, a working Sunday
    // of 调休 (2026-09-20) is today itself.
    let past = next(&mut t, s.machines[2]);
    assert_eq!(past["due_on"], "2026-02-15");
    assert_eq!(past["state"], "overdue");
    assert_eq!(past["suggested_on"], "2026-09-20");
    // A plain Tuesday stays.
    assert_eq!(next(&mut t, s.machines[3])["suggested_on"], "2026-10-20");

    // The orders made: 14 days ahead (default) reaches 10-04; the 10-01 machine's order
    // is on 10-08 in working hours.
    let run = t.ok("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 2, "{run}");
    let o = &next(&mut t, s.machines[0])["order"];
    let order = t.ok("orders.get", json!({"id": o["id"]}));
    assert_eq!(order["kind"], "maintenance");
    assert_eq!(order["channel"], "proactive");
    assert_eq!(order["mode"], "on_site");
    assert_eq!(order["address"], "北京市海淀区中关村大街1号");
    assert_eq!(order["appointment_from"], "2026-10-08T00:30:00Z", "{order}");
    assert!(order["fault"].as_str().unwrap().contains("到期 2026-10-01"));
    // Its clocks run from the appointment; the confirmation call is not owed.
    let confirm = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "confirmed")
        .unwrap()
        .clone();
    assert!(confirm["detail"].as_str().unwrap().contains("主动服务"));
    let slip = order["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "slip")
        .unwrap()
        .clone();
    assert!(slip["due"].as_str().unwrap() > "2026-10-09", "{slip}");
    assert_eq!(next(&mut t, s.machines[1])["order"], Value::Null);
    // The desk's fault line is not learnt as a common fault of the model.
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM model_fault"), 0);
}

#[test]
fn orders_are_made_days_ahead_once_even_from_two_doors() {
    let mut t = desk();
    clock(&mut t, "2026-11-13T10:00:00+08:00");
    let s = site(&mut t, "JSQ-400", &["2026-05-31"]);
    let m = s.machines[0];
    t.ok("settings.save", json!({"maintenance_days_ahead": 7}));
    for bad in [-1, 91] {
        let e = t.err("settings.save", json!({"maintenance_days_ahead": bad}));
        assert_eq!(field(&e), "maintenance_days_ahead");
    }
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2026-01-01"}),
    );
    // Due 2026-11-30 (May 31 + 6, November has 30 days); 7 days ahead is 11-23.
    assert_eq!(next(&mut t, m)["due_on"], "2026-11-30");
    assert_eq!(next(&mut t, m)["state"], "upcoming");
    assert!(t.ok("plans.run", json!({}))["made"]
        .as_array()
        .unwrap()
        .is_empty());
    clock(&mut t, "2026-11-22T23:59:00+08:00");
    assert!(t.ok("plans.run", json!({}))["made"]
        .as_array()
        .unwrap()
        .is_empty());
    clock(&mut t, "2026-11-23T00:00:00+08:00");
    assert_eq!(next(&mut t, m)["state"], "soon");
    // Two doors' jobs at the same hour: one order.
    let mut other = t.second_desk();
    other.set_clock(Some(t.desk.now()));
    let first = jobs::tick(&mut other, &mut Jobs::backups_only());
    assert!(
        first.errors.iter().all(|e| !e.contains("保养")),
        "{:?}",
        first.errors
    );
    assert_eq!(first.maintenance.made.len(), 1);
    let second = jobs::tick(&mut t.desk, &mut Jobs::backups_only());
    assert!(second.maintenance.made.is_empty());
    assert!(t.ok("plans.run", json!({}))["made"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(orders_of(&t, m), 1);
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM maintenance_due"), 1);
    // The same due is never made twice, not even after its order was cancelled.
    let order = next(&mut t, m)["order"]["id"].as_i64().unwrap();
    t.ok(
        "orders.move",
        json!({"id": order, "to": "cancelled", "reason": "客户说本月不需要"}),
    );
    clock(&mut t, "2026-12-02T10:00:00+08:00");
    assert!(t.ok("plans.run", json!({}))["made"]
        .as_array()
        .unwrap()
        .is_empty());
    let n = next(&mut t, m);
    assert_eq!(n["state"], "overdue");
    assert_eq!(n["order"]["status"], "cancelled");
    assert_eq!(orders_of(&t, m), 1);
}

#[test]
fn the_next_due_counts_from_the_last_maintenance_completed_not_the_planned_date() {
    let mut t = desk();
    clock(&mut t, "2026-01-20T10:00:00+08:00");
    let s = site(&mut t, "JSQ-500", &["2025-07-31"]);
    let m = s.machines[0];
    t.ok(
        "plans.save",
        json!({"equipment_id": m, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    // Due 2026-01-31; made now (11 days ahead).
    let run = t.ok("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 1);
    let order = next(&mut t, m)["order"]["id"].as_i64().unwrap();
    // Done late, on 2026-02-27 (a Friday after the Spring Festival).
    clock(&mut t, "2026-02-27T15:00:00+08:00");
    complete(&mut t, order);
    let n = next(&mut t, m);
    assert_eq!(n["counted_from"], "上次保养完工 2026-02-27");
    assert_eq!(n["due_on"], "2026-08-27", "{n}");
    assert_eq!(n["order"], Value::Null);
    let card = t.ok("plans.machine", json!({"equipment_id": m}));
    let visits = card["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["due_on"], "2026-01-31");
    assert_eq!(visits[0]["from_plan"], true);
    assert_eq!(visits[0]["status"], "completed");
    // A maintenance order made by hand counts as well, and an open one takes the next due
    // instead of a second order.
    clock(&mut t, "2026-08-20T10:00:00+08:00");
    let by_hand = id(&t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": m, "kind": "maintenance",
               "fault": "客户预约保养", "confirmed": true}),
    ));
    let run = t.ok("plans.run", json!({}));
    assert!(run["made"].as_array().unwrap().is_empty(), "{run}");
    assert_eq!(run["tied"].as_array().unwrap().len(), 1);
    assert_eq!(next(&mut t, m)["order"]["id"], by_hand);
    clock(&mut t, "2026-08-31T10:00:00+08:00");
    complete(&mut t, by_hand);
    // 2026-08-31 + 6 months: 2027-02-28.
    assert_eq!(next(&mut t, m)["due_on"], "2027-02-28");
}

#[test]
fn paused_and_ended_plans_make_nothing_and_a_machine_may_leave_its_models_plan() {
    let mut t = desk();
    clock(&mut t, "2026-06-25T10:00:00+08:00");
    let s = site(
        &mut t,
        "JSQ-600",
        &["2025-12-31", "2025-12-31", "2025-12-31"],
    );
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[1], "every_months": 6, "state": "paused",
               "starts_on": "2025-01-01"}),
    );
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[2], "every_months": 6, "state": "ended",
               "starts_on": "2025-01-01"}),
    );
    assert_eq!(next(&mut t, s.machines[1])["state"], "stopped");
    assert_eq!(next(&mut t, s.machines[1])["plan"]["state_label"], "已暂停");
    let run = t.ok("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 1, "{run}");
    assert_eq!(orders_of(&t, s.machines[0]), 1);
    assert_eq!(orders_of(&t, s.machines[1]), 0);
    assert_eq!(orders_of(&t, s.machines[2]), 0);
    // The model's plan paused: nothing more; active again: the machine resumed.
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "state": "paused", "starts_on": "2025-01-01"}),
    );
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[1], "every_months": 6, "starts_on": "2025-01-01"}),
    );
    let run = t.ok("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 1, "{run}");
    assert_eq!(orders_of(&t, s.machines[1]), 1);
    let list = t.ok("plans.list", json!({}))["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[0]["model_id"], s.model, "models first");
}

#[test]
fn a_counter_plan_is_due_at_the_last_maintenance_reading_plus_its_interval() {
    let mut t = desk();
    clock(&mut t, "2026-03-02T10:00:00+08:00");
    let s = site(&mut t, "FYJ-700", &["2026-01-05"]);
    let m = s.machines[0];
    t.ok(
        "plans.save",
        json!({"equipment_id": m, "basis": "counter", "every_count": 10000, "starts_on": "2026-01-01"}),
    );
    assert_eq!(next(&mut t, m)["state"], "no_reading");
    for (args, name) in [
        (json!({"equipment_id": m, "reading": -1}), "reading"),
        (json!({"equipment_id": m}), "reading"),
        (
            json!({"equipment_id": m, "reading": 100_000_000_001i64}),
            "reading",
        ),
        (
            json!({"equipment_id": m, "reading": 5, "read_on": "2026-03-03"}),
            "read_on",
        ),
        (json!({"equipment_id": 999, "reading": 5}), "equipment_id"),
    ] {
        let e = t.err("plans.reading", args.clone());
        assert_eq!(field(&e), name, "{args}: {e}");
    }
    t.ok(
        "plans.reading",
        json!({"equipment_id": m, "reading": 1200, "read_on": "2026-01-05"}),
    );
    let n = next(&mut t, m);
    assert_eq!(n["due_count"], 11200);
    assert_eq!(n["state"], "upcoming");
    // A counter only goes up.
    let e = t.err(
        "plans.reading",
        json!({"equipment_id": m, "reading": 1100, "read_on": "2026-02-01"}),
    );
    assert_eq!(field(&e), "reading");
    assert!(e["message"].as_str().unwrap().contains("1200"), "{e}");
    t.ok(
        "plans.reading",
        json!({"equipment_id": m, "reading": 9000, "read_on": "2026-02-27"}),
    );
    assert!(t.ok("plans.run", json!({}))["made"]
        .as_array()
        .unwrap()
        .is_empty());
    let card = t.ok(
        "plans.reading",
        json!({"equipment_id": m, "reading": 11250, "read_on": "2026-03-02"}),
    );
    assert_eq!(card["next"]["state"], "overdue");
    assert_eq!(card["next"]["due_on"], "2026-03-02");
    assert_eq!(card["readings"][0]["reading"], 11250, "newest first");
    // The reading is in the machine's history too.
    let history = t.ok("equipment.get", json!({"id": m}))["history"].clone();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["title"] == "记录读数" && h["detail"].as_str().unwrap().contains("11250")),
        "{history}"
    );
    let run = t.ok("plans.run", json!({}));
    assert_eq!(run["made"].as_array().unwrap().len(), 1);
    let order = next(&mut t, m)["order"]["id"].as_i64().unwrap();
    let o = t.ok("orders.get", json!({"id": order}));
    assert!(o["fault"].as_str().unwrap().contains("读数到 11200"), "{o}");
    // Done with a reading at the visit: the next is that reading plus 10000.
    clock(&mut t, "2026-03-04T10:00:00+08:00");
    t.ok(
        "plans.reading",
        json!({"equipment_id": m, "reading": 11400, "order_id": order}),
    );
    complete(&mut t, order);
    let n = next(&mut t, m);
    assert_eq!(n["due_count"], 21400, "{n}");
    assert_eq!(n["state"], "upcoming");
    // A reading tied to another machine's order is refused.
    let other = site(&mut t, "FYJ-800", &["2026-01-05"]).machines[0];
    let e = t.err(
        "plans.reading",
        json!({"equipment_id": other, "reading": 10, "order_id": order}),
    );
    assert_eq!(field(&e), "order_id");
}

#[test]
fn the_customer_is_reminded_through_the_maintenance_template_not_the_registration_one() {
    let mut t = desk();
    clock(&mut t, "2026-06-25T10:00:00+08:00");
    let s = site(&mut t, "JSQ-900", &["2025-12-31"]);
    for status in ["registered", "maintenance_due"] {
        t.ok(
            "notify.save_template",
            json!({"status": status, "channel": "wecom", "enabled": true,
                   "body": format!("{status} {{客户}} {{工单号}} {{预约时间}}")}),
        );
    }
    let templates = t.ok("notify.templates", json!({}))["items"].clone();
    let due = templates
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["status"] == "maintenance_due" && x["channel"] == "sms")
        .unwrap()
        .clone();
    assert_eq!(due["status_label"], "保养到期提醒");
    assert!(due["body"].as_str().unwrap().contains("定期保养"), "{due}");
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    t.ok("plans.run", json!({}));
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM notify_outbox"), 1);
    let queued: String = t.sql("SELECT status FROM notify_outbox");
    assert_eq!(queued, "maintenance_due");
    let facts: String = t.sql("SELECT facts FROM notify_outbox");
    assert!(facts.contains("2026-06-30 08:30"), "{facts}");
    // A repair registered the usual way still sends 已登记.
    t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "漏水", "confirmed": true}),
    );
    let queued: String = t.sql("SELECT status FROM notify_outbox ORDER BY id DESC LIMIT 1");
    assert_eq!(queued, "registered");
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM notify_outbox"), 2);
}

#[test]
fn the_day_board_lists_the_maintenance_due_by_sunday() {
    let mut t = desk();
    // Wednesday 2026-12-30: the week ends Sunday 2027-01-03, across the year's end.
    clock(&mut t, "2026-12-30T10:00:00+08:00");
    let s = site(
        &mut t,
        "JSQ-950",
        &["2026-07-03", "2026-07-04", "2026-06-15", "2026-07-05"],
    );
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2026-01-01"}),
    );
    t.ok(
        "plans.save",
        json!({"equipment_id": s.machines[3], "every_months": 6, "state": "paused",
               "starts_on": "2026-01-01"}),
    );
    let board = t.ok("day.board", json!({}));
    let week: Vec<(String, String)> = board["maintenance_week"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["due_on"].as_str().unwrap().to_string(),
                n["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        week,
        [
            ("2026-12-15".to_string(), "overdue".to_string()),
            ("2027-01-03".to_string(), "soon".to_string())
        ],
        "{board}"
    );
    // 2027-01-04 is next Monday: not this week.
    assert_eq!(next(&mut t, s.machines[1])["due_on"], "2027-01-04");
}

#[test]
fn a_machine_the_intake_refuses_is_named_and_nothing_is_written() {
    let mut t = desk();
    clock(&mut t, "2026-06-25T10:00:00+08:00");
    let model = id(&t.ok(
        "models.save",
        json!({"code": "JSQ-990", "name": "商用净水器", "category": "净水器",
               "policies": [{"component": "", "months": 12, "basis": "install"}]}),
    ));
    // No address: an on-site order cannot be registered for this customer.
    let customer = id(&t.ok(
        "customers.create",
        json!({"name": "王芳", "phones": ["13812345678"]}),
    ));
    t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "JSQ-990-SN001",
               "purchase_date": "2025-12-31", "install_date": "2025-12-31"}),
    );
    t.ok(
        "plans.save",
        json!({"model_id": model, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    let run = t.ok("plans.run", json!({}));
    assert!(run["made"].as_array().unwrap().is_empty(), "{run}");
    let why = run["refused"][0].as_str().unwrap_or_default().to_string();
    assert!(
        why.contains("JSQ-990-SN001") && why.contains("服务地址"),
        "{run}"
    );
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM work_order"), 0);
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM maintenance_due"), 0);
    // The job says so in the door's log, and tries again later.
    let ticked = jobs::tick(&mut t.desk, &mut Jobs::backups_only());
    assert!(
        ticked
            .errors
            .iter()
            .any(|e| e.contains("保养工单未生成") && e.contains("JSQ-990-SN001")),
        "{:?}",
        ticked.errors
    );
}

#[test]
fn four_desks_making_the_orders_at_the_same_moment_make_each_once() {
    let mut t = desk();
    clock(&mut t, "2026-06-25T10:00:00+08:00");
    let s = site(
        &mut t,
        "JSQ-995",
        &["2025-12-31", "2025-12-30", "2025-12-29"],
    );
    t.ok(
        "plans.save",
        json!({"model_id": s.model, "every_months": 6, "starts_on": "2025-01-01"}),
    );
    let now = t.desk.now();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mut door = t.second_desk();
            door.set_clock(Some(now));
            door.act_as(aftersales::Actor::script());
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                aftersales::api::call(&mut door, "plans.run", json!({})).map(|r| r.value())
            })
        })
        .collect();
    let mut made = 0;
    for thread in threads {
        match thread.join().expect("a desk's thread") {
            Ok(run) => made += run["made"].as_array().unwrap().len(),
            Err(e) => crate::at_once::assert_told_plainly(&e, "plans.run at once"),
        }
    }
    assert_eq!(made, 3);
    for m in &s.machines {
        assert_eq!(orders_of(&t, *m), 1, "machine {m}");
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM maintenance_due"), 3);
}
