use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

/// Monday 2026-11-23 10:00 in Beijing: a working morning.
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn clock(t: &mut TestDesk, text: &str) {
    t.desk.set_clock(Some(at(text)));
}

struct Setup {
    customer: i64,
    machine_in: i64,
    machine_out: i64,
    model: i64,
    part: i64,
    main: i64,
    van: i64,
    wang: i64,
    li: i64,
}

/// A customer with a machine in warranty and one out of it, a part with 5 in the main
/// store and 1 in Li's van, engineers Wang (朝阳) and Li (海淀).
fn setup(t: &mut TestDesk) -> Setup {
    clock(t, MONDAY_10);
    let model = t.ok(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )["id"]
        .as_i64()
        .unwrap();
    let customer = t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号", "region": "北京"}),
    )["id"]
        .as_i64()
        .unwrap();
    let today = t.desk.today();
    let recent = (today - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let old = (today - chrono::Duration::days(800))
        .format("%Y-%m-%d")
        .to_string();
    let machine_in = t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-IN-0001", "purchase_date": recent}),
    )["id"]
        .as_i64()
        .unwrap();
    let machine_out = t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-OUT-0002", "purchase_date": old}),
    )["id"]
        .as_i64()
        .unwrap();
    let part = t.ok(
        "parts.save",
        json!({"code": "P100", "name": "点火针", "unit": "个", "cost_fen": 1000, "price_fen": 3500}),
    )["id"]
        .as_i64()
        .unwrap();
    let main = t.ok("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    let van = t.ok(
        "stores.save",
        json!({"code": "VAN-LI", "name": "李工车载库", "kind": "van", "engineer": "李强"}),
    )["id"]
        .as_i64()
        .unwrap();
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 5, "unit_cost_fen": 1000}),
    );
    t.ok(
        "stock.transfer",
        json!({"part_id": part, "from_store_id": main, "to_store_id": van, "quantity": 1}),
    );
    let wang = t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    )["id"]
        .as_i64()
        .unwrap();
    let li = t.ok(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀 西城"}),
    )["id"]
        .as_i64()
        .unwrap();
    Setup {
        customer,
        machine_in,
        machine_out,
        model,
        part,
        main,
        van,
        wang,
        li,
    }
}

fn order(t: &mut TestDesk, s: &Setup, machine: i64) -> Value {
    t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault_tags": ["不点火"], "fault": "打开热水后没有火", "confirmed": true}),
    )
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

fn count(t: &TestDesk, sql: &str) -> i64 {
    let conn = t.db();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn numbers_run_without_gaps_per_year_and_survive_a_prefix_change() {
    let mut t = desk();
    let s = setup(&mut t);
    let a = order(&mut t, &s, s.machine_in);
    assert_eq!(a["number"], "WO2026000001");
    // A refused order takes no number.
    let e = t.err(
        "orders.create",
        json!({"customer_id": s.customer, "kind": "repair", "fault": ""}),
    );
    assert_eq!(e["field"], "fault");
    let b = order(&mut t, &s, s.machine_in);
    assert_eq!(b["number"], "WO2026000002");
    t.ok(
        "settings.save",
        json!({"order_prefix": "sh", "work_start": "08:30", "work_end": "17:30"}),
    );
    assert_eq!(order(&mut t, &s, s.machine_in)["number"], "SH2026000003");
    // A new year starts again at 1.
    clock(&mut t, "2027-01-04T09:00:00+08:00");
    assert_eq!(order(&mut t, &s, s.machine_in)["number"], "SH2027000001");
    let e = t.err(
        "settings.save",
        json!({"order_prefix": "工单", "work_start": "08:30", "work_end": "17:30"}),
    );
    assert_eq!(e["field"], "order_prefix");
}

#[test]
fn intake_copies_the_warranty_verdict_and_checks_every_field() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = order(&mut t, &s, s.machine_in);
    assert_eq!(o["warranty"], "in");
    assert!(
        o["warranty_reason"].as_str().unwrap().contains("购买日期"),
        "{o}"
    );
    assert_eq!(o["status"], "registered");
    assert_eq!(o["contact"], "张伟");
    assert_eq!(o["phone"], "138 1234 5678");
    assert_eq!(o["fault"], "不点火；打开热水后没有火");
    let out = order(&mut t, &s, s.machine_out);
    assert_eq!(out["warranty"], "out");
    // Learnt faults for the model: the tag and the free text.
    let faults = t.ok("orders.faults", json!({"model_id": s.model}));
    assert_eq!(faults["items"][0], "不点火");
    assert!(faults["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "打开热水后没有火"));
    for (args, field) in [
        (json!({"customer_id": 999, "fault": "x"}), "customer_id"),
        (
            json!({"customer_id": s.customer, "fault": "x", "kind": "fix"}),
            "kind",
        ),
        (
            json!({"customer_id": s.customer, "fault": "x", "channel": "fax"}),
            "channel",
        ),
        (
            json!({"customer_id": s.customer, "fault": "x", "phone": "12"}),
            "phone",
        ),
        (
            json!({"customer_id": s.customer, "fault": "x", "appointment_from": "明天"}),
            "appointment_from",
        ),
        (
            json!({"customer_id": s.customer, "fault": "x", "appointment_from": "2026-11-24 14:00",
                   "appointment_to": "2026-11-24 12:00"}),
            "appointment_to",
        ),
        (
            json!({"customer_id": s.customer, "fault": "x", "equipment_id": 999}),
            "equipment_id",
        ),
    ] {
        let e = t.err("orders.create", args.clone());
        assert_eq!(e["field"], field, "{args}: {e}");
        assert!(e["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
    // Someone else's machine.
    let other = t.ok(
        "customers.create",
        json!({"name": "李娜", "phones": ["13987654321"]}),
    )["id"]
        .clone();
    let e = t.err(
        "orders.create",
        json!({"customer_id": other, "equipment_id": s.machine_in, "fault": "x", "mode": "carry_in"}),
    );
    assert_eq!(e["field"], "equipment_id");
    assert_eq!(count(&t, "SELECT count(*) FROM work_order"), 2);
    // The caller lookup: the customer, machines with warranty, open orders.
    let caller = t.ok("orders.caller", json!({"phone": "5678"}));
    let m = &caller["items"][0];
    assert_eq!(m["customer"]["name"], "张伟");
    assert_eq!(m["machines"].as_array().unwrap().len(), 2);
    assert_eq!(m["open_orders"].as_array().unwrap().len(), 2);
    // The search box and the customer's timeline find the order by its number.
    let hits = t.ok("search.global", json!({"query": "wo2026000001"}));
    assert_eq!(hits["items"][0]["kind"], "order");
    assert_eq!(hits["items"][0]["order_id"], o["id"]);
    let hits = t.ok("search.global", json!({"query": "2026000002"}));
    assert_eq!(hits["items"][0]["order_id"], out["id"]);
    let timeline = t.ok("customers.timeline", json!({"id": s.customer}));
    assert!(timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["title"].as_str().unwrap().contains("WO2026000001")));
    let history = t.ok("orders.list", json!({"customer_id": s.customer}));
    assert_eq!(history["items"][0]["number"], "WO2026000002");
}

/// Puts a fresh order into `status` by legal moves.
fn order_in(t: &mut TestDesk, s: &Setup, status: &str) -> i64 {
    let o = id(&order(t, s, s.machine_out));
    let steps: &[&str] = match status {
        "registered" => &[],
        "dispatched" => &["assign"],
        "in_progress" => &["assign", "in_progress"],
        "waiting_parts" => &["assign", "in_progress", "waiting_parts"],
        "completed" => &["assign", "in_progress", "complete"],
        "called_back" => &["assign", "in_progress", "complete", "called_back"],
        "closed" => &["assign", "in_progress", "complete", "called_back", "closed"],
        "cancelled" => &["cancelled"],
        _ => unreachable!(),
    };
    for step in steps {
        match *step {
            "assign" => {
                t.ok("orders.assign", json!({"id": o, "engineer_id": s.wang}));
            }
            "complete" => {
                t.ok(
                    "orders.complete",
                    json!({"id": o, "work_done": "更换点火针"}),
                );
            }
            to => {
                t.ok("orders.move", json!({"id": o, "to": to, "reason": "测试"}));
            }
        }
    }
    o
}

#[test]
fn every_status_transition_is_allowed_or_refused_with_a_reason() {
    let mut t = desk();
    let s = setup(&mut t);
    let statuses = [
        "registered",
        "dispatched",
        "in_progress",
        "waiting_parts",
        "completed",
        "called_back",
        "closed",
        "cancelled",
    ];
    // By a bare move (assign and complete have their own commands).
    let allowed = [
        ("registered", "cancelled"),
        ("dispatched", "in_progress"),
        ("dispatched", "cancelled"),
        ("in_progress", "waiting_parts"),
        ("in_progress", "cancelled"),
        ("waiting_parts", "in_progress"),
        ("waiting_parts", "cancelled"),
        ("completed", "called_back"),
        ("completed", "in_progress"),
        ("called_back", "closed"),
        ("called_back", "in_progress"),
    ];
    for from in statuses {
        for to in statuses {
            let o = order_in(&mut t, &s, from);
            let before = t.ok("orders.get", json!({"id": o}));
            let result = aftersales::api::call(
                &mut t.desk,
                "orders.move",
                json!({"id": o, "to": to, "reason": "客户要求"}),
            );
            if allowed.contains(&(from, to)) {
                let after = result
                    .unwrap_or_else(|e| panic!("{from} → {to}: {}", e.to_json()))
                    .value();
                assert_eq!(after["status"], to);
                let events = after["events"].as_array().unwrap();
                let last = events.last().unwrap();
                assert_eq!(last["from_status"], from);
                assert_eq!(last["to_status"], to);
                assert_eq!(last["user"], "系统");
            } else {
                let e = result
                    .expect_err(&format!("{from} → {to} should be refused"))
                    .to_json();
                assert_eq!(e["field"], "status", "{from} → {to}: {e}");
                let after = t.ok("orders.get", json!({"id": o}));
                assert_eq!(after, before, "{from} → {to} changed the order");
            }
        }
    }
    // Cancelling and reopening need a reason.
    let o = order_in(&mut t, &s, "dispatched");
    let e = t.err("orders.move", json!({"id": o, "to": "cancelled"}));
    assert_eq!(e["field"], "reason");
    let o = order_in(&mut t, &s, "completed");
    let e = t.err("orders.move", json!({"id": o, "to": "in_progress"}));
    assert_eq!(e["field"], "reason");
    // Completing needs the work started (phone help may complete at once).
    let o = order_in(&mut t, &s, "dispatched");
    let e = t.err("orders.complete", json!({"id": o, "work_done": "x"}));
    assert!(
        e["message"].as_str().unwrap().contains("请先开始处理"),
        "{e}"
    );
    let phone = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "kind": "consultation", "mode": "phone_help", "fault": "怎么调水温"}),
    );
    let done = t.ok(
        "orders.complete",
        json!({"id": id(&phone), "work_done": "电话指导调节"}),
    );
    assert_eq!(done["status"], "completed");
    // Reassigning needs a reason; the same engineer twice is refused.
    let o = order_in(&mut t, &s, "in_progress");
    let e = t.err("orders.assign", json!({"id": o, "engineer_id": s.li}));
    assert_eq!(e["field"], "reason");
    let e = t.err(
        "orders.assign",
        json!({"id": o, "engineer_id": s.wang, "reason": "x"}),
    );
    assert_eq!(e["field"], "engineer_id");
    let moved = t.ok(
        "orders.assign",
        json!({"id": o, "engineer_id": s.li, "reason": "王工请假"}),
    );
    assert_eq!(moved["engineer"]["name"], "李强");
    assert_eq!(moved["status"], "in_progress");
    let last = moved["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "reassigned");
    assert_eq!(last["detail"], "王磊 → 李强：王工请假");
}

#[test]
fn completion_takes_parts_out_of_the_ledger_in_one_transaction() {
    let mut t = desk();
    let s = setup(&mut t);
    // In warranty: the part is recorded and costs the customer nothing.
    let o = id(&order(&mut t, &s, s.machine_in));
    t.ok("orders.assign", json!({"id": o, "engineer_id": s.li}));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    let done = t.ok(
        "orders.complete",
        json!({"id": o, "diagnosis": "点火针积碳", "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.van, "quantity": 1}],
               "fees": [{"kind": "callout", "amount_fen": 3000}], "fee_reason": "客户要求加急上门"}),
    );
    assert_eq!(done["parts"][0]["charged_fen"], 0);
    assert_eq!(done["parts"][0]["in_warranty"], true);
    assert_eq!(done["total_fen"], 3000);
    assert_eq!(done["total_capitals"], "叁拾元整");
    let ledger = t.ok("stock.ledger", json!({"part_id": s.part}));
    let last = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "issue")
        .unwrap()
        .clone();
    assert_eq!(last["reference"], done["number"]);
    assert_eq!(last["quantity"], -1);

    // Out of warranty: parts at the sale price, plus labour; 大写 total.
    let o = id(&order(&mut t, &s, s.machine_out));
    t.ok("orders.assign", json!({"id": o, "engineer_id": s.wang}));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    // More than the main store holds (4): refused, naming part and store; nothing changes.
    let movements = count(&t, "SELECT count(*) FROM stock_movement");
    let e = t.err(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.main, "quantity": 1},
                         {"part_id": s.part, "store_id": s.main, "quantity": 4}],
               "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    assert_eq!(e["field"], "parts");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("P100") && message.contains("主仓库") && message.contains("现有 3"),
        "{message}"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM stock_movement"), movements);
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM fee_line WHERE order_id = {o}")
        ),
        0
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM order_part WHERE order_id = {o}")
        ),
        0
    );
    assert_eq!(
        t.ok("orders.get", json!({"id": o}))["status"],
        "in_progress"
    );
    // A fee line may not claim to be the parts fee.
    let e = t.err(
        "orders.complete",
        json!({"id": o, "work_done": "x", "fees": [{"kind": "parts", "amount_fen": 1}]}),
    );
    assert_eq!(e["field"], "fees");
    let done = t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.main, "quantity": 2}],
               "fees": [{"kind": "labour", "amount_fen": 5000}, {"kind": "other", "description": "", "amount_fen": 0}]}),
    );
    assert_eq!(done["total_fen"], 12000);
    assert_eq!(done["total_capitals"], "壹佰贰拾元整");
    let fees: Vec<(String, i64)> = done["fees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(fees, vec![("parts".into(), 7000), ("labour".into(), 5000)]);
    assert_eq!(
        t.ok("stock.report", json!({}))["items"][0]["on_hand"],
        json!(2),
        "5 in, 1 to the van and out, 2 out of the main store"
    );

    // Payment: part, too much refused, the rest on account → a receivable.
    let e = t.err(
        "orders.pay",
        json!({"id": o, "method": "wechat", "amount_fen": 20000}),
    );
    assert_eq!(e["field"], "amount_fen");
    let paid = t.ok(
        "orders.pay",
        json!({"id": o, "method": "wechat", "amount_fen": 2000}),
    );
    assert_eq!(paid["outstanding_fen"], 10000);
    let e = t.err(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": -500}),
    );
    assert_eq!(e["field"], "note");
    let refunded = t.ok(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": -500, "note": "多收了上门费"}),
    );
    assert_eq!(refunded["paid_fen"], 1500);
    t.ok("orders.pay", json!({"id": o, "method": "on_account"}));
    let r = t.ok("orders.receivables", json!({}));
    // This order's 105 yuan and the first order's 30 yuan call-out fee, both unpaid.
    assert_eq!(r["total_fen"], 13500);
    assert_eq!(r["aged_fen"], json!([13500, 0, 0, 0]));
    assert_eq!(r["items"].as_array().unwrap().len(), 2);
    // Payments are append-only.
    let conn = t.db();
    assert!(conn
        .execute("UPDATE payment SET amount_fen = 0", [])
        .is_err());
    assert!(conn.execute("DELETE FROM order_event", []).is_err());
    // A registered order takes no payment.
    let fresh = id(&order(&mut t, &s, s.machine_out));
    let e = t.err(
        "orders.pay",
        json!({"id": fresh, "method": "cash", "amount_fen": 100}),
    );
    assert_eq!(e["field"], "id");
}

fn clock_of<'a>(o: &'a Value, kind: &str) -> &'a Value {
    o["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap()
}

#[test]
fn clocks_run_on_the_working_calendar_warn_and_keep_their_outcome() {
    let mut t = desk();
    let s = setup(&mut t);
    // Friday 2026-11-27 17:29, unconfirmed: 3 working minutes end Monday 08:32.
    clock(&mut t, "2026-11-27T17:29:00+08:00");
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": s.machine_out, "fault": "漏水"}),
    );
    let confirm = clock_of(&o, "confirm");
    assert_eq!(confirm["due"], "2026-11-30T00:32:00Z");
    assert_eq!(clock_of(&o, "reply")["due"], "2026-11-30T09:29:00Z");
    assert_eq!(clock_of(&o, "slip")["due"], "2026-12-01T09:29:00Z");
    // Monday 08:31: one minute left → warning; 08:33 → broken.
    clock(&mut t, "2026-11-30T08:31:00+08:00");
    let now = t.ok("orders.get", json!({"id": o["id"]}));
    assert_eq!(clock_of(&now, "confirm")["state"], "warning");
    assert_eq!(clock_of(&now, "reply")["state"], "running");
    let board = t.ok("orders.board", json!({}));
    assert_eq!(board["warnings"], 1);
    clock(&mut t, "2026-11-30T08:33:00+08:00");
    let now = t.ok("orders.get", json!({"id": o["id"]}));
    assert_eq!(clock_of(&now, "confirm")["state"], "broken");
    // Confirmed late: missed, and it stays missed.
    let confirmed = t.ok(
        "orders.confirm",
        json!({"id": o["id"], "note": "约周二上午"}),
    );
    assert_eq!(clock_of(&confirmed, "confirm")["state"], "missed");
    let e = t.err("orders.confirm", json!({"id": o["id"]}));
    assert_eq!(e["field"], "id");
    // Dispatched in time: the reply clock is kept.
    let dispatched = t.ok(
        "orders.assign",
        json!({"id": o["id"], "engineer_id": s.wang}),
    );
    assert_eq!(clock_of(&dispatched, "reply")["state"], "kept");
    t.ok("orders.move", json!({"id": o["id"], "to": "in_progress"}));
    // The slip comes back on Wednesday: late, a reason is required.
    clock(&mut t, "2026-12-02T09:00:00+08:00");
    let e = t.err(
        "orders.complete",
        json!({"id": o["id"], "work_done": "更换密封圈"}),
    );
    assert_eq!(e["field"], "late_reason");
    let done = t.ok(
        "orders.complete",
        json!({"id": o["id"], "work_done": "更换密封圈", "late_reason": "客户不在家，改约"}),
    );
    assert_eq!(clock_of(&done, "slip")["state"], "missed");
    assert_eq!(done["slip_late_reason"], "客户不在家，改约");
    // Cancelled before it stopped: a clock is stopped, not broken.
    let c = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "x", "confirmed": true}),
    );
    assert_eq!(clock_of(&c, "confirm")["state"], "kept");
    let c = t.ok(
        "orders.move",
        json!({"id": c["id"], "to": "cancelled", "reason": "客户自己修好了"}),
    );
    assert_eq!(clock_of(&c, "reply")["state"], "stopped");
}

#[test]
fn a_make_up_working_day_and_a_holiday_move_the_deadlines() {
    let mut t = desk();
    let s = setup(&mut t);
    // Saturday 2026-11-28 is a make-up working day (调休); Monday 11-30 a holiday.
    t.ok(
        "calendar.save",
        json!({"day": "2026-11-28", "kind": "work", "name": "调休上班"}),
    );
    t.ok(
        "calendar.save",
        json!({"day": "2026-11-30", "kind": "off", "name": "假日"}),
    );
    let e = t.err("calendar.save", json!({"day": "2026-13-01", "kind": "off"}));
    assert_eq!(e["field"], "day");
    clock(&mut t, "2026-11-27T16:00:00+08:00");
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "x", "confirmed": true}),
    );
    // Friday 16:00 + 1 working day = Saturday 16:00 (调休); + 2 = Tuesday 16:00 (Sunday
    // off, Monday a holiday).
    assert_eq!(clock_of(&o, "reply")["due"], "2026-11-28T08:00:00Z");
    assert_eq!(clock_of(&o, "slip")["due"], "2026-12-01T08:00:00Z");
    let days = t.ok("calendar.list", json!({"year": 2026}));
    let own = days["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "manager")
        .count();
    assert_eq!(own, 2);
    // Back to normal: Saturday is off again.
    t.ok(
        "calendar.save",
        json!({"day": "2026-11-28", "kind": "normal"}),
    );
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "x", "confirmed": true}),
    );
    assert_eq!(clock_of(&o, "reply")["due"], "2026-12-01T08:00:00Z");
    // Working hours are a setting.
    let e = t.err(
        "settings.save",
        json!({"order_prefix": "WO", "work_start": "18:00", "work_end": "09:00"}),
    );
    assert_eq!(e["field"], "work_end");
}

#[test]
fn the_board_shows_parts_in_stock_and_suggests_the_engineer_who_has_them() {
    let mut t = desk();
    let s = setup(&mut t);
    // A past order of this model used the part: the model now "needs" it.
    let past = order_in(&mut t, &s, "in_progress");
    t.ok(
        "orders.complete",
        json!({"id": past, "work_done": "换针", "parts": [{"part_id": s.part, "store_id": s.main, "quantity": 1}]}),
    );
    let o = id(&order(&mut t, &s, s.machine_out));
    let board = t.ok("orders.board", json!({}));
    let card = board["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == o)
        .unwrap()
        .clone();
    assert_eq!(card["parts"][0]["code"], "P100");
    assert_eq!(card["parts"][0]["main_on_hand"], 3);
    assert_eq!(card["parts"][0]["van_on_hand"], Value::Null);
    // Li has the part in his van and serves 海淀 (the customer's district): first.
    let suggestions = t.ok("orders.suggest", json!({"id": o}));
    let first = &suggestions["items"][0];
    assert_eq!(first["engineer"]["name"], "李强");
    let reason = first["reason"].as_str().unwrap();
    assert!(
        reason.contains("车载库") && reason.contains("海淀"),
        "{reason}"
    );
    t.ok(
        "orders.assign",
        json!({"id": o, "engineer_id": s.li, "appointment_from": "2026-11-23 14:00", "appointment_to": "2026-11-23 16:00"}),
    );
    let board = t.ok("orders.board", json!({}));
    let card = board["active"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == o)
        .unwrap()
        .clone();
    assert_eq!(card["parts"][0]["van_on_hand"], 1);
    let li = board["engineers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == s.li)
        .unwrap()
        .clone();
    assert_eq!(li["active"], 1);
    assert_eq!(li["today"][0]["order_id"], o);
    assert!(board["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != o));
}

#[test]
fn generated_orders_are_numbered_in_order_and_readable() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 200).unwrap();
    aftersales::demo::fill_stock(&mut t.desk, 30, 600).unwrap();
    aftersales::demo::fill_orders(&mut t.desk, 2000, 15).unwrap();
    let conn = t.db();
    // Per year: numbers 1..=n without a gap, in time order, and the counter at n.
    let mut stmt = conn
        .prepare("SELECT number, created_at FROM work_order ORDER BY id")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut last: std::collections::HashMap<String, (i64, String)> = Default::default();
    for (number, created) in &rows {
        let (year, seq) = (
            number[2..6].to_string(),
            number[6..].parse::<i64>().unwrap(),
        );
        let prev = last.get(&year).cloned().unwrap_or((0, String::new()));
        assert_eq!(seq, prev.0 + 1, "{number}");
        assert!(*created >= prev.1, "{number} out of time order");
        last.insert(year, (seq, created.clone()));
    }
    for (year, (seq, _)) in &last {
        let counter: i64 = conn
            .query_row(
                "SELECT last FROM order_counter WHERE year = ?1",
                [year],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(counter, *seq);
    }
    let board = t.ok("orders.board", json!({}));
    let open =
        board["unassigned"].as_array().unwrap().len() + board["active"].as_array().unwrap().len();
    assert_eq!(open, 15);
    let engineers = t.ok("engineers.list", json!({}));
    assert_eq!(engineers["items"].as_array().unwrap().len(), 8);
    // The next order continues the year's sequence.
    let c = t.ok("customers.search", json!({"query": ""}))["items"][0]["id"].clone();
    let o = t.ok(
        "orders.create",
        json!({"customer_id": c, "fault": "不加热", "confirmed": true}),
    );
    let year = o["number"].as_str().unwrap()[2..6].to_string();
    assert_eq!(
        o["number"].as_str().unwrap()[6..].parse::<i64>().unwrap(),
        last[&year].0 + 1
    );
}

/// The names of the order's `actions`, the main one marked with `*`: the flow's steps
/// (`contact`, offered in every status, is pinned on its own in
/// `a_contact_edit_is_offered_in_every_status_to_those_who_may_run_it`).
fn actions(o: &Value) -> Vec<String> {
    o["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions in {o}"))
        .iter()
        .filter(|a| a["name"] != "contact")
        .map(|a| {
            let name = a["name"].as_str().unwrap().to_string();
            if a["main"] == json!(true) {
                format!("{name}*")
            } else {
                name
            }
        })
        .collect()
}

#[test]
fn actions_follow_the_flow_status_by_status_for_a_user_with_every_role() {
    let mut t = desk();
    let s = setup(&mut t);
    let expected: &[(&str, &[&str])] = &[
        // 暂停计时 on every open order; 待料 is itself a pause (issue 21): 恢复计时.
        // 报价 on every open order out of warranty (issue 21).
        ("registered", &["assign*", "pause", "quote", "cancel"]),
        (
            "dispatched",
            &["reassign", "start*", "pause", "quote", "cancel"],
        ),
        (
            "in_progress",
            &["reassign", "wait", "pause", "quote", "complete*", "cancel"],
        ),
        (
            "waiting_parts",
            &["reassign", "resume*", "unpause", "quote", "cancel"],
        ),
        // Nothing to pay (no fees): no 收款, 已回访 is next.
        ("completed", &["reopen", "called_back*"]),
        ("called_back", &["reopen", "close*"]),
        ("closed", &[]),
        ("cancelled", &[]),
    ];
    for (status, want) in expected {
        let o = order_in(&mut t, &s, status);
        let got = t.ok("orders.get", json!({ "id": o }));
        assert_eq!(got["status"], *status);
        assert_eq!(actions(&got), *want, "{status}");
    }

    // Not confirmed on the call: 回电确认 comes first while the order is open.
    let unconfirmed = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "kind": "repair", "mode": "on_site", "fault": "漏水"}),
    );
    assert_eq!(
        actions(&unconfirmed),
        ["confirm", "assign*", "pause", "quote", "cancel"]
    );
    let confirmed = t.ok("orders.confirm", json!({"id": unconfirmed["id"]}));
    assert_eq!(actions(&confirmed), ["assign*", "pause", "quote", "cancel"]);

    // Phone help: completed straight from registered, and that is the main step.
    let phone = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "kind": "consultation", "mode": "phone_help",
               "fault": "问怎么调水温", "confirmed": true}),
    );
    assert_eq!(actions(&phone), ["assign", "pause", "complete*", "cancel"]);
    // Carry-in is not phone help: it is dispatched first, as the core enforces.
    let carried = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "kind": "repair", "mode": "carry_in",
               "fault": "不出热水", "confirmed": true}),
    );
    assert_eq!(actions(&carried), ["assign*", "pause", "quote", "cancel"]);
    let e = t.err(
        "orders.complete",
        json!({"id": carried["id"], "work_done": "修好了"}),
    );
    assert_eq!(e["field"], "status");
    let done = t.ok(
        "orders.complete",
        json!({"id": phone["id"], "work_done": "电话指导调好了"}),
    );
    assert_eq!(done["status"], "completed");

    // Something owed: 收款 is the main step, and stays offered once paid (refunds).
    let o = order_in(&mut t, &s, "in_progress");
    let billed = t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    assert_eq!(actions(&billed), ["reopen", "pay*", "called_back"]);
    let paid = t.ok(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": 5000}),
    );
    assert_eq!(actions(&paid), ["reopen", "pay", "called_back*"]);
    // Every flow command answers with the order and its actions.
    let closed = t.ok(
        "orders.move",
        json!({"id": o, "to": "called_back", "reason": ""}),
    );
    assert_eq!(actions(&closed), ["reopen", "pay", "close*"]);
}

/// Logs in a new user with `roles` and returns the session.
fn session_with(t: &mut TestDesk, login: &str, roles: &[&str]) -> String {
    t.ok(
        "users.save",
        json!({"login": login, "name": login, "roles": roles, "password": "pass-1234"}),
    );
    let out = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(None),
        "auth.login",
        json!({"login": login, "password": "pass-1234"}),
    )
    .unwrap_or_else(|e| panic!("login {login}: {}", e.to_json()))
    .value();
    out["session"].as_str().unwrap().to_string()
}

fn get_as(t: &mut TestDesk, session: &str, id: i64) -> Value {
    aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(session)),
        "orders.get",
        json!({ "id": id }),
    )
    .unwrap_or_else(|e| panic!("orders.get: {}", e.to_json()))
    .value()
}

#[test]
fn actions_offer_only_what_the_users_roles_may_run() {
    let mut t = desk();
    let s = setup(&mut t);
    let clerk = session_with(&mut t, "qiantai", &["clerk"]);
    let engineer = session_with(&mut t, "gongchengshi", &["engineer"]);
    let storekeeper = session_with(&mut t, "kuguan", &["storekeeper"]);
    let dispatcher = session_with(&mut t, "paigong", &["dispatcher"]);

    let registered = order_in(&mut t, &s, "registered");
    let working = order_in(&mut t, &s, "in_progress");
    let owed = order_in(&mut t, &s, "in_progress");
    t.ok(
        "orders.complete",
        json!({"id": owed, "work_done": "更换点火针",
               "fees": [{"kind": "callout", "amount_fen": 3000}]}),
    );
    // (order, clerk, engineer, storekeeper, dispatcher)
    type Case<'a> = (
        i64,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        (
            registered,
            &["pause", "quote", "cancel"],
            &["pause", "quote", "cancel"],
            &[],
            &["assign*", "pause", "cancel"],
        ),
        (
            working,
            &["wait", "pause", "quote", "complete*", "cancel"],
            &["wait", "pause", "quote", "complete*", "cancel"],
            &[],
            &["reassign", "wait", "pause", "cancel"],
        ),
        (
            owed,
            &["reopen", "pay*", "called_back"],
            &["reopen", "called_back"],
            &[],
            &["reopen", "called_back"],
        ),
    ];
    for (id, for_clerk, for_engineer, for_storekeeper, for_dispatcher) in cases {
        for (who, session, want) in [
            ("clerk", &clerk, for_clerk),
            ("engineer", &engineer, for_engineer),
            ("storekeeper", &storekeeper, for_storekeeper),
            ("dispatcher", &dispatcher, for_dispatcher),
        ] {
            let o = get_as(&mut t, session, *id);
            assert_eq!(actions(&o), *want, "{who} on order {id} ({})", o["status"]);
        }
    }

    // What is not offered is refused by the command table too: the engineer cannot take
    // payment, the clerk cannot dispatch.
    let e = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(&engineer)),
        "orders.pay",
        json!({"id": owed, "method": "cash", "amount_fen": 3000}),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(e["code"], "forbidden");
    let e = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(&clerk)),
        "orders.assign",
        json!({"id": registered, "engineer_id": s.wang}),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(e["code"], "forbidden");
}

#[test]
fn the_order_words_keep_their_wire_and_stored_spelling() {
    use aftersales::orders::{
        Channel, EventKind, Mode, Opinion, OrderKind, OrderStatus, Priority, Step,
    };
    fn words<T: serde::Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .map(|w| {
                serde_json::to_value(w)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }
    fn back<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(all: &[T], w: &[String]) {
        let read: Vec<T> = w
            .iter()
            .map(|w| serde_json::from_value(json!(w)).unwrap())
            .collect();
        assert_eq!(read, all);
    }
    let cases: Vec<(Vec<String>, &[&str])> = vec![
        (
            words(OrderStatus::ALL),
            &[
                "registered",
                "dispatched",
                "in_progress",
                "waiting_parts",
                "completed",
                "called_back",
                "closed",
                "cancelled",
            ],
        ),
        (
            words(OrderKind::ALL),
            &[
                "repair",
                "maintenance",
                "installation",
                "inspection",
                "consultation",
            ],
        ),
        (
            words(Channel::ALL),
            &["phone", "walk_in", "on_site", "proactive"],
        ),
        (words(Mode::ALL), &["on_site", "phone_help", "carry_in"]),
        (words(Priority::ALL), &["normal", "urgent"]),
        (
            words(Opinion::ALL),
            &["satisfied", "basically", "unsatisfied"],
        ),
        (
            words(Step::ALL),
            &[
                "confirm",
                "assign",
                "reassign",
                "start",
                "resume",
                "reopen",
                "wait",
                "complete",
                "pay",
                "called_back",
                "close",
                "cancel",
                "contact",
                "pause",
                "unpause",
                "quote",
                "quote_decision",
            ],
        ),
        (
            words(EventKind::ALL),
            &[
                "created",
                "confirmed",
                "assigned",
                "reassigned",
                "completed",
                "payment",
                "refund",
                "on_account",
                "reopened",
                "status",
                "opinion",
                "slip",
                "slip_void",
                "callback",
                "complaint",
                "contact",
                "attached",
                "attachment_void",
                "paused",
                "resumed",
                "loaner_lent",
                "loaner_returned",
                "quoted",
                "quote_decided",
                "deposit",
            ],
        ),
    ];
    for (got, want) in &cases {
        assert_eq!(got, want);
    }
    back(OrderStatus::ALL, &cases[0].0);
    back(OrderKind::ALL, &cases[1].0);
    back(Channel::ALL, &cases[2].0);
    back(Mode::ALL, &cases[3].0);
    back(Priority::ALL, &cases[4].0);
    back(Opinion::ALL, &cases[5].0);
    back(Step::ALL, &cases[6].0);
    back(EventKind::ALL, &cases[7].0);
    assert!(serde_json::from_value::<OrderStatus>(json!("done")).is_err());
    assert_eq!(OrderStatus::InProgress.label(), "处理中");
    assert_eq!(OrderKind::Consultation.label(), "咨询");
    assert_eq!(
        OrderStatus::OPEN,
        &[
            OrderStatus::Registered,
            OrderStatus::Dispatched,
            OrderStatus::InProgress,
            OrderStatus::WaitingParts
        ]
    );

    // Stored as the same words: the rows say what the JSON says.
    let mut t = desk();
    let s = setup(&mut t);
    let o = order_in(&mut t, &s, "waiting_parts");
    let row: String = t.sql(&format!(
        "SELECT status || ' ' || kind || ' ' || channel || ' ' || mode || ' ' || priority
         FROM work_order WHERE id = {o}"
    ));
    assert_eq!(row, "waiting_parts repair phone on_site normal");
    let got = t.ok("orders.get", json!({ "id": o }));
    assert_eq!(got["status_label"], "待料");
    assert_eq!(got["moves"], json!(["in_progress", "cancelled"]));
    assert_eq!(got["opinion"], "");
    assert_eq!(got["customer"]["id"], json!(s.customer));
}

#[test]
fn an_unknown_word_is_refused_naming_its_field() {
    let mut t = desk();
    let s = setup(&mut t);
    let base = json!({"customer_id": s.customer, "kind": "repair", "channel": "phone",
                      "mode": "on_site", "priority": "normal", "fault": "漏水"});
    for (field, message) in [
        ("kind", "服务类型只能是：维修、维护保养、安装、巡检、咨询"),
        ("channel", "来源渠道只能是：电话、来访、现场发现、主动服务"),
        ("mode", "服务方式只能是：上门、电话服务、送修"),
        ("priority", "优先级只能是：普通、加急"),
    ] {
        let mut args = base.clone();
        args[field] = json!("bogus");
        let e = t.err("orders.create", args);
        assert_eq!(e["code"], "invalid", "{field}");
        assert_eq!(e["field"], field);
        assert_eq!(e["message"], message);
    }
    let e = t.err("orders.list", json!({"status": "bogus"}));
    assert_eq!(
        (&e["code"], &e["field"]),
        (&json!("invalid"), &json!("status"))
    );
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("工单状态只能是：已登记、"));
    let o = order_in(&mut t, &s, "registered");
    let e = t.err("orders.move", json!({"id": o, "to": "bogus"}));
    assert_eq!(e["field"], "status");
    let e = t.err("slips.opinion", json!({"order_id": o, "opinion": "great"}));
    assert_eq!(e["field"], "opinion");
    assert_eq!(e["message"], "客户意见只能是满意、基本满意或不满意");
    let e = t.err(
        "callbacks.record",
        json!({"id": 1, "reached": true, "solved": true, "satisfaction": "great"}),
    );
    assert_eq!(e["field"], "satisfaction");
}

/// 我的工单 (issue 15): `orders.list {mine: true}` gives the orders of the engineer the
/// acting user's account is linked to, and nobody else's; an account without a link is
/// refused with the reason, naming `mine`.
#[test]
fn mine_lists_the_linked_engineers_orders_only() {
    let mut t = desk();
    let s = setup(&mut t);
    let his_working = order_in(&mut t, &s, "in_progress");
    let his_done = order_in(&mut t, &s, "completed");
    let other = id(&order(&mut t, &s, s.machine_in));
    t.ok("orders.assign", json!({"id": other, "engineer_id": s.li}));
    let unassigned = id(&order(&mut t, &s, s.machine_in));

    let linked = session_with(&mut t, "wanglei", &["engineer"]);
    let user = t.sql::<i64>("SELECT id FROM app_user WHERE login = 'wanglei'");
    t.ok(
        "users.save",
        json!({"id": user, "login": "wanglei", "name": "wanglei", "roles": ["engineer"],
               "engineer_id": s.wang}),
    );
    let mine = |t: &mut TestDesk, session: &str, status: &str| {
        aftersales::api::call_in_session(
            &mut t.desk,
            &aftersales::api::Caller::with(Some(session)),
            "orders.list",
            json!({"mine": true, "status": status}),
        )
        .map(|page| {
            page.value()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(id)
                .collect::<Vec<_>>()
        })
        .map_err(|e| e.to_json())
    };
    assert_eq!(
        mine(&mut t, &linked, "all").unwrap(),
        [his_done, his_working]
    );
    assert_eq!(mine(&mut t, &linked, "open").unwrap(), [his_working]);
    // The customer filter does not widen it.
    let page = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(&linked)),
        "orders.list",
        json!({"mine": true, "customer_id": s.customer}),
    )
    .unwrap()
    .value();
    let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(id).collect();
    assert!(
        !ids.contains(&other) && !ids.contains(&unassigned),
        "{ids:?}"
    );

    // An engineer's login without a link, and the script owner: refused with the reason.
    let unlinked = session_with(&mut t, "nolink", &["engineer"]);
    let err = mine(&mut t, &unlinked, "open").unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert_eq!(err["field"], "mine");
    assert!(
        err["message"].as_str().unwrap().contains("用户管理"),
        "{err}"
    );
    let err = t.err("orders.list", json!({"mine": true}));
    assert_eq!(err["field"], "mine");
    // Without `mine`, the list is as before: everyone's.
    let all = t.ok("orders.list", json!({"status": "all"}));
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
}

#[test]
fn a_fee_on_an_order_in_warranty_needs_its_reason_and_keeps_it_on_the_timeline() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = id(&order(&mut t, &s, s.machine_in));
    t.ok("orders.assign", json!({"id": o, "engineer_id": s.li}));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    let movements = count(&t, "SELECT count(*) FROM stock_movement");
    // A ¥50 labour fee in warranty without a reason: refused, naming the field and the
    // amount; nothing is written, the part stays in the van.
    let e = t.err(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.van, "quantity": 1}],
               "fees": [{"kind": "labour", "amount_fen": 5000}], "fee_reason": "   "}),
    );
    assert_eq!(e["code"], "invalid");
    assert_eq!(e["field"], "fee_reason");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("保内收费原因") && message.contains("50.00"),
        "{message}"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM stock_movement"), movements);
    assert_eq!(
        t.ok("orders.get", json!({"id": o}))["status"],
        "in_progress"
    );
    // Too long a reason is refused like any text field.
    let e = t.err(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "fees": [{"kind": "labour", "amount_fen": 5000}], "fee_reason": "长".repeat(201)}),
    );
    assert_eq!(e["field"], "fee_reason");
    // With the reason: completed, the fee billed, the reason on the completion's entry.
    let done = t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针",
               "parts": [{"part_id": s.part, "store_id": s.van, "quantity": 1}],
               "fees": [{"kind": "labour", "amount_fen": 5000}], "fee_reason": "客户自行拆机造成损坏"}),
    );
    assert_eq!(done["status"], "completed");
    assert_eq!(done["total_fen"], 5000);
    let entry = done["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "completed")
        .unwrap()
        .clone();
    let detail = entry.to_string();
    assert!(
        detail.contains("保内收费原因：客户自行拆机造成损坏"),
        "{entry}"
    );

    // In warranty without a fee, and out of warranty with one: no reason asked.
    let free = id(&order(&mut t, &s, s.machine_in));
    t.ok("orders.assign", json!({"id": free, "engineer_id": s.li}));
    t.ok("orders.move", json!({"id": free, "to": "in_progress"}));
    let done = t.ok(
        "orders.complete",
        json!({"id": free, "work_done": "调整燃气阀", "fees": [{"kind": "labour", "amount_fen": 0}]}),
    );
    assert_eq!(done["total_fen"], 0);
    let paid = id(&order(&mut t, &s, s.machine_out));
    t.ok("orders.assign", json!({"id": paid, "engineer_id": s.wang}));
    t.ok("orders.move", json!({"id": paid, "to": "in_progress"}));
    let done = t.ok(
        "orders.complete",
        json!({"id": paid, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    assert_eq!(done["total_fen"], 5000);
    assert!(!done.to_string().contains("保内收费原因"));
}

/// The intake's one command: a new caller, a new machine and the order, one transaction.
fn intake_args(serial: &str, purchase: &str, fault: &str) -> Value {
    json!({
        "customer": {"name": "赵敏", "phones": ["+86 139 8765 4321"], "address": "北京市海淀区学院路5号"},
        "equipment": {"model_id": 0, "serial": serial, "purchase_date": purchase},
        "order": {"kind": "repair", "channel": "walk_in", "mode": "carry_in", "fault": fault}
    })
}

#[test]
fn intake_saves_caller_machine_and_order_together_or_nothing() {
    let mut t = desk();
    let s = setup(&mut t);
    let counts = |t: &TestDesk| {
        [
            "SELECT count(*) FROM customer",
            "SELECT count(*) FROM customer_phone",
            "SELECT n FROM customer_count",
            "SELECT count(*) FROM equipment",
            "SELECT count(*) FROM work_order",
            "SELECT count(*) FROM audit_entry WHERE action IN ('created', 'equipment_added')",
        ]
        .map(|sql| count(t, sql))
    };
    let before = counts(&t);

    // The machine is refused (a bad serial, a purchase in the future) and the fault is
    // missing: nothing of the caller is saved, every problem comes back at once.
    let mut args = intake_args("SN 坏#1", "2099-01-01", "");
    args["equipment"]["model_id"] = json!(s.model);
    let e = t.err("orders.intake", args.clone());
    assert_eq!(e["code"], "invalid", "{e}");
    assert_eq!(e["field"], "equipment.serial", "{e}");
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["equipment.serial", "equipment.purchase_date", "fault"],
        "{e}"
    );
    assert_eq!(e["message"], e["fields"][0]["message"]);
    assert_eq!(counts(&t), before, "a refused intake leaves no trace");

    // The customer is refused too: its fields come first, named as its part.
    args["customer"]["name"] = json!("");
    args["customer"]["phones"] = json!(["1381234"]);
    let e = t.err("orders.intake", args.clone());
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "customer.name",
            "customer.phones",
            "equipment.serial",
            "equipment.purchase_date",
            "fault"
        ],
        "{e}"
    );
    assert_eq!(counts(&t), before);

    // A check answers what would be saved, the warranty verdict included, saving nothing.
    let recent = (t.desk.today() - chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let mut good = intake_args("sn-walk-0009", &recent, "热水忽冷忽热");
    good["equipment"]["model_id"] = json!(s.model);
    let mut check = good.clone();
    check["check"] = json!(true);
    check["order"] = Value::Null;
    let seen = t.ok("orders.intake", check);
    assert_eq!(seen["customer"]["name"], "赵敏");
    assert_eq!(seen["customer"]["id"], 0);
    assert_eq!(seen["customer"]["phones"][0]["number"], "13987654321");
    assert_eq!(seen["equipment"]["serial"], "SN-WALK-0009");
    assert_eq!(seen["equipment"]["warranty"]["status"], "in");
    assert_eq!(seen["order"], Value::Null);
    assert_eq!(counts(&t), before, "a check saves nothing");

    // All valid: one transaction writes the three.
    let done = t.ok("orders.intake", good);
    let order = &done["order"];
    assert_eq!(order["customer"]["name"], "赵敏");
    assert_eq!(order["customer"]["id"], done["customer"]["id"]);
    assert_eq!(order["equipment"]["serial"], "SN-WALK-0009");
    assert_eq!(order["warranty"], "in");
    assert_eq!(order["address"], "北京市海淀区学院路5号");
    assert_eq!(order["phone"], "139 8765 4321");
    assert_eq!(order["mode"], "carry_in");
    let after = counts(&t);
    assert_eq!(
        [after[0], after[2], after[3], after[4], after[5]],
        [
            before[0] + 1,
            before[2] + 1,
            before[3] + 1,
            before[4] + 1,
            before[5] + 2
        ]
    );

    // A caller on file with a machine on file: as orders.create.
    let same = t.ok(
        "orders.intake",
        json!({"customer_id": s.customer, "equipment_id": s.machine_out,
               "order": {"kind": "repair", "fault": "漏水"}}),
    );
    assert_eq!(same["order"]["warranty"], "out");
    assert_eq!(same["equipment"]["id"], s.machine_out);
    // Another customer's machine is refused by name.
    let e = t.err(
        "orders.intake",
        json!({"customer_id": done["customer"]["id"], "equipment_id": s.machine_in,
               "order": {"kind": "repair", "fault": "漏水"}}),
    );
    assert_eq!(e["field"], "equipment_id", "{e}");
    // No caller at all.
    let e = t.err(
        "orders.intake",
        json!({"order": {"kind": "repair", "fault": "漏水"}}),
    );
    assert_eq!(e["field"], "customer_id", "{e}");
}

#[test]
fn intake_of_a_new_customer_needs_the_clerks_roles() {
    let mut t = desk();
    let s = setup(&mut t);
    let dispatcher = session_with(&mut t, "paigong", &["dispatcher"]);
    let before = count(&t, "SELECT count(*) FROM customer");
    let mut args = intake_args("SN-D-1", "", "不点火");
    args["equipment"]["model_id"] = json!(s.model);
    let e = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(&dispatcher)),
        "orders.intake",
        args,
    )
    .unwrap_err()
    .to_json();
    assert_eq!(e["code"], "forbidden", "{e}");
    assert!(
        !e["message"].as_str().unwrap().contains("customers.create"),
        "{e}"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM customer"), before);
    // A caller on file is the dispatcher's to register.
    let done = aftersales::api::call_in_session(
        &mut t.desk,
        &aftersales::api::Caller::with(Some(&dispatcher)),
        "orders.intake",
        json!({"customer_id": s.customer, "order": {"kind": "repair", "fault": "漏水"}}),
    )
    .unwrap_or_else(|e| panic!("{}", e.to_json()))
    .value();
    assert_eq!(done["order"]["customer"]["id"], s.customer);
}

#[test]
fn the_confirmation_call_clock_stops_only_when_ticked() {
    let mut t = desk();
    let s = setup(&mut t);
    for args in [
        json!({"customer_id": s.customer, "kind": "repair", "fault": "漏水"}),
        json!({"customer_id": s.customer, "kind": "repair", "fault": "漏水", "confirmed": false}),
    ] {
        let o = t.ok("orders.create", args.clone());
        assert_eq!(clock_of(&o, "confirm")["state"], "running", "{args}");
        assert!(
            o["events"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["kind"] != "confirmed"),
            "{o}"
        );
    }
    let unticked = t.ok(
        "orders.intake",
        json!({"customer_id": s.customer, "order": {"kind": "repair", "fault": "漏水"}}),
    );
    assert_eq!(clock_of(&unticked["order"], "confirm")["state"], "running");
    let ticked = t.ok(
        "orders.intake",
        json!({"customer_id": s.customer, "order": {"kind": "repair", "fault": "漏水", "confirmed": true}}),
    );
    assert_eq!(clock_of(&ticked["order"], "confirm")["state"], "kept");
}

#[test]
fn the_caller_lookup_folds_numbers_as_they_are_stored() {
    let mut t = desk();
    let s = setup(&mut t);
    let callers = |t: &mut TestDesk, typed: &str| -> Vec<Value> {
        let found = t.ok("orders.caller", json!({"phone": typed}));
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["customer"]["id"].clone())
            .collect()
    };
    for typed in [
        "+86 138 1234 5678",
        "0086-13812345678",
        "１３８１２３４５６７８",
        "＋８６ １３８１",
        "138-1234",
        "5678",
    ] {
        assert_eq!(callers(&mut t, typed), [json!(s.customer)], "{typed}");
    }
    let e = t.err("orders.caller", json!({"phone": "+86"}));
    assert_eq!(e["field"], "phone");
    // Last four digits 0037 are a tail, not 00 (the international prefix) before 37: the
    // orders bench's caller line found the caller screen refusing them.
    let zeros = t.ok(
        "customers.create",
        json!({"name": "赵敏", "phones": ["13912340037"], "address": "北京市朝阳区建国路1号"}),
    );
    for typed in ["0037", "１２３４００３７"] {
        assert_eq!(callers(&mut t, typed), [zeros["id"].clone()], "{typed}");
    }
}

/// Issue 15, item 13: the suggestion and the board cite only parts that fit the order's
/// model (a part listing other models is left out, even when a past order of this model
/// used it), and every engineer says whether their regions cover the address; when none
/// does, the reply says so.
#[test]
fn the_suggestion_cites_only_the_models_parts_and_says_who_does_not_cover_the_region() {
    let mut t = desk();
    clock(&mut t, MONDAY_10);
    let model = |t: &mut TestDesk, code: &str, name: &str, category: &str| {
        id(&t.ok(
            "models.save",
            json!({"code": code, "name": name, "category": category,
                   "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
        ))
    };
    let fridge = model(&mut t, "BCD-215", "双门冰箱 215L", "冰箱");
    model(&mut t, "KFR-35GW", "挂壁空调 1.5匹", "空调");
    let main = t.ok("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    let mut part = |code: &str, name: &str, models: Value| {
        let p = id(&t.ok(
            "parts.save",
            json!({"code": code, "name": name, "models": models, "cost_fen": 1000, "price_fen": 3000}),
        ));
        t.ok(
            "stock.receive",
            json!({"part_id": p, "store_id": main, "quantity": 5, "unit_cost_fen": 1000}),
        );
        p
    };
    let capacitor = part("AC-CAP", "压缩机启动电容", json!(["KFR-35GW"]));
    let thermostat = part("BX-TH", "冰箱温控器", json!(["bcd-215"]));
    let fuse = part("FUSE-5A", "保险管", json!([]));
    let li = id(&t.ok(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀 西城"}),
    ));
    t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    );
    t.ok(
        "engineers.save",
        json!({"name": "赵勇", "phone": "13900003333"}),
    );
    let customer = |t: &mut TestDesk, name: &str, phone: &str, address: &str, region: &str| {
        let c = id(&t.ok(
            "customers.create",
            json!({"name": name, "phones": [phone], "address": address, "region": region}),
        ));
        let m = id(&t.ok(
            "equipment.create",
            json!({"customer_id": c, "model_id": fridge, "serial": format!("SN-{phone}")}),
        ));
        (c, m)
    };
    let new_order = |t: &mut TestDesk, (c, m): (i64, i64)| {
        id(&t.ok(
            "orders.create",
            json!({"customer_id": c, "equipment_id": m, "kind": "repair", "channel": "phone",
                   "mode": "on_site", "fault": "不制冷", "confirmed": true}),
        ))
    };
    let haidian = customer(
        &mut t,
        "张伟",
        "13812345678",
        "北京市海淀区中关村大街1号",
        "",
    );
    // A past fridge order used all three parts: the capacitor was booked on it by mistake.
    let past = new_order(&mut t, haidian);
    t.ok("orders.assign", json!({"id": past, "engineer_id": li}));
    t.ok(
        "orders.move",
        json!({"id": past, "to": "in_progress", "reason": ""}),
    );
    let parts: Vec<Value> = [capacitor, thermostat, fuse]
        .iter()
        .map(|p| json!({"part_id": p, "store_id": main, "quantity": 1}))
        .collect();
    t.ok(
        "orders.complete",
        json!({"id": past, "work_done": "更换温控器", "parts": parts}),
    );

    let o = new_order(&mut t, haidian);
    let board = t.ok("orders.board", json!({}));
    let card = board["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == o)
        .unwrap()
        .clone();
    let mut codes: Vec<&str> = card["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, ["BX-TH", "FUSE-5A"]);
    let s = t.ok("orders.suggest", json!({"id": o}));
    assert_eq!(s["covered"], true);
    assert_eq!(s["notice"], Value::Null);
    let items = s["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        let reason = item["reason"].as_str().unwrap();
        assert!(reason.contains("冰箱温控器"), "{reason}");
        assert!(!reason.contains("压缩机"), "{reason}");
    }
    let by_name = |name: &str| {
        items
            .iter()
            .find(|i| i["engineer"]["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("李强")["region"], true);
    assert_eq!(by_name("李强")["region_note"], "负责区域含“海淀”");
    assert_eq!(by_name("王磊")["region"], false);
    assert_eq!(
        by_name("王磊")["region_note"],
        "不负责该地区（服务区域：朝阳）"
    );
    assert!(by_name("王磊")["reason"]
        .as_str()
        .unwrap()
        .contains("不负责该地区"));
    assert_eq!(
        by_name("赵勇")["region_note"],
        "不负责该地区（未设服务区域）"
    );

    // An address no engineer covers: each is marked, and the reply says so.
    let tongzhou = customer(
        &mut t,
        "刘芳",
        "13712345678",
        "北京市通州区新华大街8号",
        "通州",
    );
    let far = new_order(&mut t, tongzhou);
    let s = t.ok("orders.suggest", json!({"id": far}));
    assert_eq!(s["covered"], false);
    assert_eq!(s["notice"], "没有工程师负责该地区（通州）");
    assert!(s["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["region"] == false
            && i["region_note"]
                .as_str()
                .unwrap()
                .starts_with("不负责该地区")));
}

// ---- issue 17: the contact and phone of an order are editable ------------------------------

fn as_role(t: &mut TestDesk, login: &str, role: aftersales::Role) {
    t.desk.act_as(aftersales::Actor {
        id: None,
        login: login.into(),
        name: login.into(),
        roles: vec![role],
        engineer_id: None,
    });
}

#[test]
fn a_completed_orders_contact_and_phone_are_corrected_and_kept_in_its_timeline() {
    let mut t = desk();
    let o = crate::slips::completed_order(&mut t, "刘䶮", "广州", 0);
    let before: (i64, i64) = (
        t.sql(&format!("SELECT total_fen FROM work_order WHERE id = {o}")),
        t.sql(&format!("SELECT paid_fen FROM work_order WHERE id = {o}")),
    );
    let got = t.ok("orders.get", json!({"id": o}));
    assert_eq!(got["status"], "completed");
    // A clerk corrects it; the phone goes through the one normaliser.
    as_role(&mut t, "wangf", aftersales::Role::Clerk);
    let edited = aftersales::api::call(
        &mut t.desk,
        "orders.set_contact",
        json!({"order_id": o, "contact": "刘䶮（儿子）", "phone": "139 0000 1111"}),
    )
    .unwrap()
    .value();
    assert_eq!(edited["contact"], "刘䶮（儿子）");
    assert_eq!(edited["phone"], "139 0000 1111");
    let stored: String = t.sql(&format!("SELECT phone FROM work_order WHERE id = {o}"));
    assert_eq!(stored, "13900001111");
    let (kind, user, detail): (String, String, String) = {
        let conn = t.db();
        conn.query_row(
            "SELECT kind, \"user\", detail FROM order_event WHERE order_id = ?1 ORDER BY id DESC LIMIT 1",
            [o],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(kind, "contact");
    assert_eq!(user, "wangf");
    assert_eq!(
        detail,
        "联系人：刘䶮 → 刘䶮（儿子）；联系电话：138 1234 5678 → 139 0000 1111"
    );
    // The money and the status did not move.
    let after: (i64, i64) = (
        t.sql(&format!("SELECT total_fen FROM work_order WHERE id = {o}")),
        t.sql(&format!("SELECT paid_fen FROM work_order WHERE id = {o}")),
    );
    assert_eq!(before, after);
    assert_eq!(t.ok("orders.get", json!({"id": o}))["status"], "completed");
    // The slip prints the corrected contact.
    let slip = t.ok("slips.print", json!({"order_id": o}));
    let (pdf, _) = crate::platform::pdf::save_pdf(&slip, "order-contact-edited");
    let words = crate::platform::pdf::squeezed(&crate::platform::pdf::text(&pdf, None));
    assert!(
        words.contains("刘䶮（儿子）") && words.contains("13900001111"),
        "{words}"
    );
    // The same pair again records nothing.
    let events: i64 = count(
        &t,
        &format!("SELECT count(*) FROM order_event WHERE order_id = {o} AND kind = 'contact'"),
    );
    t.ok(
        "orders.set_contact",
        json!({"order_id": o, "contact": "刘䶮（儿子）", "phone": "13900001111"}),
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM order_event WHERE order_id = {o} AND kind = 'contact'")
        ),
        events
    );
}

#[test]
fn a_contact_edit_is_refused_for_a_bad_phone_an_empty_name_and_an_engineer() {
    let mut t = desk();
    let o = crate::slips::completed_order(&mut t, "张伟", "北京", 0);
    for (args, field) in [
        (
            json!({"order_id": o, "contact": "", "phone": "13900001111"}),
            "contact",
        ),
        (
            json!({"order_id": o, "contact": "张伟", "phone": "12345"}),
            "phone",
        ),
        (
            json!({"order_id": o, "contact": "张".repeat(41), "phone": ""}),
            "contact",
        ),
    ] {
        let e = t.err("orders.set_contact", args.clone());
        assert_eq!(e["field"], field, "{args}: {e}");
    }
    let e = t.err(
        "orders.set_contact",
        json!({"order_id": 9999, "contact": "张伟"}),
    );
    assert_eq!(e["code"], "not_found", "{e}");
    as_role(&mut t, "lis", aftersales::Role::Engineer);
    let e = aftersales::api::call(
        &mut t.desk,
        "orders.set_contact",
        json!({"order_id": o, "contact": "李四"}),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(e["code"], "forbidden", "{e}");
    // Nothing was written.
    let contact: String = t.sql(&format!("SELECT contact FROM work_order WHERE id = {o}"));
    assert_eq!(contact, "张伟");
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM order_event WHERE kind = 'contact'"
        ),
        0
    );
}

#[test]
fn a_contact_edit_is_offered_in_every_status_to_those_who_may_run_it() {
    let mut t = desk();
    let s = setup(&mut t);
    let offered = |o: &Value| {
        o["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "contact" && a["main"] == json!(false))
    };
    for status in [
        "registered",
        "dispatched",
        "in_progress",
        "waiting_parts",
        "completed",
        "called_back",
        "closed",
        "cancelled",
    ] {
        let o = order_in(&mut t, &s, status);
        let got = t.ok("orders.get", json!({ "id": o }));
        assert!(offered(&got), "{status}: {}", got["actions"]);
        // And the core takes it in that status.
        let edited = t.ok(
            "orders.set_contact",
            json!({"order_id": o, "contact": "王芳", "phone": "010-6552 9988"}),
        );
        assert_eq!(edited["contact"], "王芳", "{status}");
        assert_eq!(edited["status"], *status);
        // An engineer is not offered it.
        as_role(&mut t, "lis", aftersales::Role::Engineer);
        let seen = aftersales::api::call(&mut t.desk, "orders.get", json!({ "id": o }))
            .unwrap()
            .value();
        assert!(!offered(&seen), "{status}: {}", seen["actions"]);
    }
}

fn stale(e: &Value) -> bool {
    e["code"] == "invalid"
        && e["field"] == "version"
        && e["message"]
            .as_str()
            .unwrap()
            .contains("已被其他服务台修改")
}

/// Issue 19: every command that changes an order is given the version the clerk saw; a
/// stale one is refused whole, a script that sends none changes the order as it stands.
#[test]
fn a_stale_order_version_is_refused_and_changes_nothing() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = order(&mut t, &s, s.machine_out);
    assert_eq!(o["version"], 1);
    let o = id(&o);
    let edited = t.ok(
        "orders.set_contact",
        json!({"order_id": o, "contact": "张伟（前台）", "phone": "", "version": 1}),
    );
    assert_eq!(edited["version"], 2);
    let events = |t: &TestDesk| {
        count(
            t,
            &format!("SELECT count(*) FROM order_event WHERE order_id = {o}"),
        )
    };
    let before = events(&t);
    // Every command a clerk sends from the order's screen, with the version seen before.
    for (command, args) in [
        (
            "orders.set_contact",
            json!({"order_id": o, "contact": "别人", "phone": "", "version": 1}),
        ),
        ("orders.confirm", json!({"id": o, "version": 1})),
        (
            "orders.assign",
            json!({"id": o, "engineer_id": s.wang, "version": 1}),
        ),
        (
            "orders.move",
            json!({"id": o, "to": "cancelled", "reason": "客户不修了", "version": 1}),
        ),
    ] {
        let e = t.err(command, args);
        assert!(stale(&e), "{command}: {e}");
    }
    assert_eq!(events(&t), before);
    let now = t.ok("orders.get", json!({"id": o}));
    assert_eq!(
        (now["version"].as_i64(), now["contact"].as_str()),
        (Some(2), Some("张伟（前台）"))
    );
    assert_eq!(now["status"], "registered");
    // The current version goes through and moves on; no version at all (a script) too.
    let v = t.ok(
        "orders.assign",
        json!({"id": o, "engineer_id": s.wang, "version": 2}),
    )["version"]
        .clone();
    assert_eq!(v, 3);
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    let e = t.err(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 5000}], "version": 3}),
    );
    assert!(stale(&e), "{e}");
    let done = t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 5000}], "version": 4}),
    );
    let v = done["version"].as_i64().unwrap();
    let e = t.err(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": 5000, "version": v - 1}),
    );
    assert!(stale(&e), "{e}");
    assert_eq!(t.ok("orders.get", json!({"id": o}))["paid_fen"], 0);
    let paid = t.ok(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": 2000, "version": v}),
    );
    assert_eq!(paid["version"], v + 1);
    // A change made in another area (the customer's opinion on the slip) moves it on too.
    let opinion = t.ok(
        "slips.opinion",
        json!({"order_id": o, "opinion": "satisfied"}),
    );
    assert_eq!(opinion["version"], v + 2);
    let e = t.err(
        "orders.pay",
        json!({"id": o, "method": "on_account", "version": v + 1}),
    );
    assert!(stale(&e), "{e}");
    // What is owed put on account receives nothing, and still moves the version on.
    let on_account = t.ok(
        "orders.pay",
        json!({"id": o, "method": "on_account", "version": v + 2}),
    );
    assert_eq!(on_account["version"], v + 3);
    assert_eq!(on_account["paid_fen"], 2000);
    assert_eq!(on_account["outstanding_fen"], 3000);
}

/// Issue 19: the same order edited at two desks at once, many times over: each time one
/// desk's change is kept and the other desk is told, never both kept one over the other.
#[test]
fn the_same_order_edited_at_two_desks_one_wins_and_the_other_is_told() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = id(&order(&mut t, &s, s.machine_out));
    const ROUNDS: usize = 20;
    // Exactly one change per round: the version both desks saw at round r is 1 + r.
    let outcomes = crate::at_once::at_once(&t, 2, ROUNDS, move |desk, round| {
        (
            "orders.set_contact",
            json!({"order_id": o, "contact": format!("第{round}轮{desk}号台"), "phone": "13812345678",
                   "version": 1 + round}),
        )
    });
    let mut winners = Vec::new();
    for (round, (a, b)) in outcomes[0].iter().zip(&outcomes[1]).enumerate() {
        let (won, lost) = match (a, b) {
            (Ok(_), Err(e)) => (0, e),
            (Err(e), Ok(_)) => (1, e),
            _ => panic!("round {round}: not one winner and one told: {a:?} {b:?}"),
        };
        assert!(stale(&lost.to_json()), "round {round}: {}", lost.to_json());
        winners.push(format!("第{round}轮{won}号台"));
    }
    let now = t.ok("orders.get", json!({"id": o}));
    assert_eq!(now["version"], 1 + ROUNDS as i64);
    assert_eq!(now["contact"], winners.last().unwrap().as_str());
    // The timeline holds each winner's change, each from the one before it: nothing lost.
    let conn = t.db();
    let details: Vec<String> = conn
        .prepare(
            "SELECT detail FROM order_event WHERE order_id = ?1 AND kind = 'contact' ORDER BY id",
        )
        .unwrap()
        .query_map([o], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut was = "张伟".to_string();
    let want: Vec<String> = winners
        .iter()
        .map(|w| format!("联系人：{} → {w}", std::mem::replace(&mut was, w.clone())))
        .collect();
    assert_eq!(details, want);
}

/// Issue 19: orders opened at several desks at once take numbers that run on per year
/// with no gap and no repeat, each order its own.
#[test]
fn orders_opened_at_n_desks_at_once_are_numbered_without_gap_or_repeat() {
    let mut t = desk();
    let s = setup(&mut t);
    let (customer, machine) = (s.customer, s.machine_in);
    let outcomes = crate::at_once::at_once(&t, 4, 12, move |_, _| {
        (
            "orders.create",
            json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
                   "fault_tags": ["不点火"], "fault": "打开热水后没有火", "confirmed": true}),
        )
    });
    let mut told: Vec<String> = Vec::new();
    for (desk, results) in outcomes.iter().enumerate() {
        for (round, r) in results.iter().enumerate() {
            match r {
                Ok(v) => told.push(v["number"].as_str().unwrap().to_string()),
                Err(e) => panic!("desk {desk} round {round}: {}", e.to_json()),
            }
        }
    }
    let conn = t.db();
    let stored: Vec<String> = conn
        .prepare("SELECT number FROM work_order ORDER BY number")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), 48);
    told.sort();
    assert_eq!(
        told, stored,
        "the numbers the desks were told are the ones stored"
    );
    crate::at_once::assert_gapless(&stored, 6, "orders");
}

/// Issue 19: a command whose transaction PostgreSQL could not serialise is run again, and
/// what the clerk sees is its result or a sentence, never the server's error. Here a
/// transaction at another connection holds the order's row changed while a desk changes
/// it too: the desk's first try must fail on PostgreSQL (SQLite's writer waits instead),
/// and its rerun reads what the other committed.
#[test]
fn a_serialisation_failure_is_run_again_and_reads_what_the_other_desk_committed() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = id(&order(&mut t, &s, s.machine_out));
    for round in 0..5 {
        // Opened first: opening a desk migrates, which waits for SQLite's writer.
        let mut desk = t.second_desk();
        desk.act_as(aftersales::Actor::script());
        let mut other = t.db();
        let tx = other.write().unwrap();
        tx.execute(
            "UPDATE work_order SET contact = ?2 WHERE id = ?1",
            rusqlite::params![o, format!("另一台{round}")],
        )
        .unwrap();
        let edit = std::thread::spawn(move || {
            aftersales::api::call(
                &mut desk,
                "orders.set_contact",
                json!({"order_id": o, "contact": format!("本台{round}"), "phone": "13812345678"}),
            )
            .map(|r| r.value())
        });
        if t.desk.engine() == aftersales::platform::db::Engine::Postgres {
            wait_until_a_desk_waits_for_a_row(&t);
        }
        tx.commit().unwrap();
        let edited = edit
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("round {round}: {}", e.to_json()));
        assert_eq!(edited["contact"], format!("本台{round}"));
        let detail: String = t.sql(&format!(
            "SELECT detail FROM order_event WHERE order_id = {o} AND kind = 'contact' ORDER BY id DESC LIMIT 1"
        ));
        assert_eq!(detail, format!("联系人：另一台{round} → 本台{round}"));
    }
}

/// Until another session of this test's database waits for a lock (PostgreSQL).
fn wait_until_a_desk_waits_for_a_row(t: &TestDesk) {
    let conn = t.db();
    for _ in 0..6000 {
        let waiting: i64 = conn
            .query_row(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if waiting > 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no desk ever waited for the row the other transaction holds");
}

/// Issue 19: many desks pay on one order at once (no version: a script's way, the rows
/// collide every time): every call is paid or told in a sentence, and what was paid is
/// exactly what the order and its payments say.
#[test]
fn desks_colliding_on_one_order_are_paid_or_told_and_nothing_is_counted_twice() {
    let mut t = desk();
    let o = crate::slips::completed_order(&mut t, "张伟", "北京", 0);
    let outcomes = crate::at_once::at_once(&t, 4, 15, move |_, _| {
        (
            "orders.pay",
            json!({"id": o, "method": "cash", "amount_fen": 10}),
        )
    });
    let mut paid = 0;
    for (desk, results) in outcomes.iter().enumerate() {
        for (round, r) in results.iter().enumerate() {
            match r {
                Ok(_) => paid += 10,
                Err(e) => {
                    crate::at_once::assert_told_plainly(e, &format!("desk {desk} round {round}"))
                }
            }
        }
    }
    assert!(paid > 0);
    assert_eq!(
        t.sql::<i64>(&format!("SELECT paid_fen FROM work_order WHERE id = {o}")),
        paid
    );
    assert_eq!(
        t.sql::<i64>(&format!(
            "SELECT sum(amount_fen) FROM payment WHERE order_id = {o}"
        )),
        paid
    );
}

// 进度查询 (issue 20): status codes, the public view, revoking, the limit, the slip's QR.
mod pauses;
mod status_page;

/// A database error while a completion or a transfer reads its store (the PostgreSQL
/// server restarting: the restart test caught 第1行仓库不存在 there) stays a database error,
/// not the clerk's "no such store"; nothing is written, and once the store is readable the
/// same request goes through.
#[test]
fn a_database_error_reading_the_store_is_not_a_missing_store() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = id(&order(&mut t, &s, s.machine_in));
    t.ok("orders.assign", json!({"id": o, "engineer_id": s.li}));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    let movements = count(&t, "SELECT count(*) FROM stock_movement");
    let complete = json!({"id": o, "work_done": "更换点火针",
        "parts": [{"part_id": s.part, "store_id": s.van, "quantity": 1}]});
    let transfer =
        json!({"part_id": s.part, "from_store_id": s.main, "to_store_id": s.van, "quantity": 1});
    let db = t.db();
    // The store's row is read with its van engineer; without that column the read fails
    // as a dropped connection does, while the part and the order still read.
    db.execute_batch("ALTER TABLE store RENAME COLUMN engineer TO engineer_away")
        .unwrap();
    for (command, args) in [
        ("orders.complete", &complete),
        ("stock.transfer", &transfer),
    ] {
        let e = t.err(command, args.clone());
        assert_ne!(e["code"], "invalid", "{command}: {e}");
        assert!(!e.to_string().contains("仓库不存在"), "{command}: {e}");
        assert!(!e.to_string().contains("请选择"), "{command}: {e}");
    }
    assert_eq!(count(&t, "SELECT count(*) FROM stock_movement"), movements);
    db.execute_batch("ALTER TABLE store RENAME COLUMN engineer_away TO engineer")
        .unwrap();
    t.ok("orders.complete", complete);
    t.ok("stock.transfer", transfer);
}
