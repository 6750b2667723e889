//! After the repair: callbacks, complaints, proactive campaigns, the day board; their
//! clocks on the working calendar (a weekend, a make-up working day).

use serde_json::{json, Value};

use crate::slips::completed_order;
use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

fn callback_of(t: &mut TestDesk, order: i64) -> Value {
    t.ok("callbacks.get", json!({"order_id": order}))
}

#[test]
fn a_completed_order_gets_a_callback_due_the_next_working_day() {
    let mut t = desk();
    // Completed Monday 2026-11-23 10:00 (completed_order's clock).
    let o = completed_order(&mut t, "张伟", "北京市海淀区", 0);
    let c = callback_of(&mut t, o);
    assert_eq!(c["due"], "2026-11-24T02:00:00Z");
    assert_eq!(c["overdue"], "2026-11-25T02:00:00Z");
    assert_eq!(c["state"], "upcoming");
    assert!(c["script"].as_str().unwrap().contains("李强"), "{c}");
    clock(&mut t, "2026-11-24T09:00:00+08:00");
    assert_eq!(callback_of(&mut t, o)["state"], "due");
    clock(&mut t, "2026-11-25T10:30:00+08:00");
    let q = t.ok("callbacks.queue", json!({}));
    assert_eq!(q["overdue"], 1);
    // Not reached: kept, still in the queue.
    let r = t.ok(
        "callbacks.record",
        json!({"id": c["id"], "reached": false, "remarks": "无人接听"}),
    );
    assert_eq!(r["callback"]["status"], "open");
    assert_eq!(r["callback"]["attempts"].as_array().unwrap().len(), 1);
    // Reached without the outcome: refused, naming the field.
    let e = t.err(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "solved": true}),
    );
    assert_eq!(e["field"], "satisfaction");
    let e = t.err(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "satisfaction": "satisfied"}),
    );
    assert_eq!(e["field"], "solved");
    // Solved and satisfied: the order is 已回访, the callback done.
    let r = t.ok(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "solved": true, "satisfaction": "satisfied", "remarks": "使用正常"}),
    );
    assert_eq!(r["order"]["status"], "called_back");
    assert_eq!(r["callback"]["status"], "done");
    let e = t.err(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "solved": true, "satisfaction": "satisfied"}),
    );
    assert_eq!(e["field"], "id");
    assert_eq!(
        t.ok("callbacks.queue", json!({}))["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Consultations need no callback.
    let phone = t.ok(
        "orders.create",
        json!({"customer_id": 1, "kind": "consultation", "mode": "phone_help", "fault": "怎么除垢"}),
    )["id"]
        .clone();
    t.ok(
        "orders.complete",
        json!({"id": phone, "work_done": "电话指导"}),
    );
    assert_eq!(
        t.err("callbacks.get", json!({"order_id": phone}))["code"],
        "not_found"
    );
}

#[test]
fn an_unsolved_unsatisfied_callback_reopens_the_order_and_opens_a_complaint() {
    let mut t = desk();
    let o = completed_order(&mut t, "张伟", "北京市海淀区", 0);
    let c = callback_of(&mut t, o);
    clock(&mut t, "2026-11-24T10:00:00+08:00");
    let e = t.err(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "solved": false, "satisfaction": "basically",
               "complaint": {"cause": "quality", "content": "x"}}),
    );
    assert_eq!(e["field"], "complaint");
    let r = t.ok(
        "callbacks.record",
        json!({"id": c["id"], "reached": true, "solved": false, "satisfaction": "unsatisfied",
               "remarks": "还是打不着火", "complaint": {"cause": "quality", "against": "order"}}),
    );
    assert_eq!(r["order"]["status"], "in_progress");
    let last = r["order"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "reopened")
        .unwrap()
        .clone();
    assert!(
        last["detail"].as_str().unwrap().contains("问题未解决"),
        "{last}"
    );
    let k = &r["complaint"];
    assert_eq!(k["number"], "TS202600001");
    assert_eq!(k["channel"], "callback");
    assert_eq!(k["content"], "还是打不着火");
    assert_eq!(k["engineer"], "李强");
    // Completed again: a new callback cycle.
    t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换点火器"}),
    );
    assert_eq!(callback_of(&mut t, o)["status"], "open");
}

#[test]
fn a_complaint_through_to_its_close_with_its_clock_across_a_weekend() {
    let mut t = desk();
    let o = completed_order(&mut t, "张伟", "北京市海淀区", 0);
    // Friday 16:00: one working day later is Monday 16:00.
    clock(&mut t, "2026-11-27T16:00:00+08:00");
    let e = t.err(
        "complaints.create",
        json!({"customer_id": 1, "against": "order", "channel": "phone", "content": "x"}),
    );
    assert_eq!(e["field"], "order_id");
    let e = t.err(
        "complaints.create",
        json!({"customer_id": 1, "against": "company", "channel": "fax", "content": "x"}),
    );
    assert_eq!(e["field"], "channel");
    let e = t.err(
        "complaints.create",
        json!({"customer_id": 1, "against": "company", "channel": "phone"}),
    );
    assert_eq!(e["field"], "content");
    let k = t.ok(
        "complaints.create",
        json!({"customer_id": 1, "order_id": o, "against": "engineer", "channel": "phone",
               "cause": "attitude", "content": "工程师态度差"}),
    );
    assert_eq!(k["reply_clock"]["due"], "2026-11-30T08:00:00Z");
    assert_eq!(k["engineer"], "李强");
    assert_eq!(k["escalated"], false);
    // Monday 13:00: under 4 hours left → escalated to the manager, and an alert.
    clock(&mut t, "2026-11-30T13:00:00+08:00");
    let list = t.ok("complaints.list", json!({}));
    assert_eq!(list["escalated"], 1);
    let alerts = t.ok("day.alerts", json!({}));
    assert!(alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["key"] == format!("complaint:{}", k["id"])));
    let day = t.ok("day.board", json!({}));
    assert_eq!(day["complaints"][0]["escalated"], true);
    // Closing before a reply is refused; the reply needs the verdict and measures.
    let e = t.err(
        "complaints.update",
        json!({"id": k["id"], "step": "close", "feedback": "好"}),
    );
    assert_eq!(e["field"], "step");
    t.ok(
        "complaints.update",
        json!({"id": k["id"], "step": "assign", "handler": "赵主管"}),
    );
    let e = t.err(
        "complaints.update",
        json!({"id": k["id"], "step": "reply", "measures": "x", "reply": "y"}),
    );
    assert_eq!(e["field"], "justified");
    let replied = t.ok(
        "complaints.update",
        json!({"id": k["id"], "step": "reply", "justified": true, "measures": "对工程师批评教育，扣当月绩效",
               "reply": "已致歉并说明处理结果"}),
    );
    assert_eq!(replied["reply_clock"]["state"], "kept");
    assert_eq!(replied["escalated"], false);
    let closed = t.ok(
        "complaints.update",
        json!({"id": k["id"], "step": "close", "feedback": "客户表示接受"}),
    );
    assert_eq!(closed["status"], "closed");
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "assigned", "replied", "closed"]);
    let e = t.err(
        "complaints.update",
        json!({"id": k["id"], "step": "assign", "handler": "x"}),
    );
    assert_eq!(e["field"], "step");
    // The order's timeline shows the complaint.
    let order = t.ok("orders.get", json!({"id": o}));
    assert!(order["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "complaint"));
}

#[test]
fn a_complaint_on_the_eve_of_a_make_up_working_day() {
    let mut t = desk();
    completed_order(&mut t, "张伟", "北京", 0);
    // Saturday 2026-11-28 is a make-up working day: Friday's complaint is due Saturday.
    t.ok(
        "calendar.save",
        json!({"day": "2026-11-28", "kind": "work", "name": "调休上班"}),
    );
    clock(&mut t, "2026-11-27T09:00:00+08:00");
    let k = t.ok(
        "complaints.create",
        json!({"customer_id": 1, "against": "company", "channel": "letter", "content": "收费太高"}),
    );
    assert_eq!(k["reply_clock"]["due"], "2026-11-28T01:00:00Z");
    // Saturday 10:00: broken.
    clock(&mut t, "2026-11-28T10:00:00+08:00");
    let got = t.ok("complaints.get", json!({"id": k["id"]}));
    assert_eq!(got["reply_clock"]["state"], "broken");
}

#[test]
fn a_campaign_finds_the_machines_records_results_and_reports_per_account() {
    let mut t = desk();
    // A hotel chain: head office and two branches with a machine each.
    let hq = t.ok("customers.create", json!({"name": "如家酒店集团", "kind": "company", "phones": ["01061234567"], "address": "北京市东城区王府井大街1号"}))["id"].clone();
    let model = t.ok(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器", "policies": [{"months": 12, "basis": "purchase"}]}),
    )["id"]
        .clone();
    let mut machines = Vec::new();
    for (i, name) in ["如家酒店朝阳店", "如家酒店海淀店"].iter().enumerate() {
        let b = t.ok(
            "customers.create",
            json!({"name": name, "kind": "company", "phones": [format!("0106123456{i}")], "parent_id": hq}),
        )["id"]
            .clone();
        machines.push(
            t.ok(
                "equipment.create",
                json!({"customer_id": b, "model_id": model, "serial": format!("HX0000{i}"), "purchase_date": "2020-05-01", "site": "锅炉房"}),
            )["id"]
                .clone(),
        );
    }
    let other = t.ok(
        "customers.create",
        json!({"name": "李娜", "phones": ["13900001111"]}),
    )["id"]
        .clone();
    t.ok(
        "equipment.create",
        json!({"customer_id": other, "model_id": model, "serial": "HX99999", "purchase_date": "2025-10-01"}),
    );
    let e = t.err("campaigns.create", json!({"name": "x", "criteria": {}}));
    assert_eq!(e["field"], "criteria");
    let preview = t.ok("campaigns.preview", json!({"customer_id": hq}));
    assert_eq!(preview["machines"], 2);
    let by_age = t.ok(
        "campaigns.preview",
        json!({"model_id": model, "min_age_months": 24}),
    );
    assert_eq!(by_age["machines"], 2);
    let c = t.ok(
        "campaigns.create",
        json!({"name": "冬季安全巡检", "kind": "inspection", "criteria": {"customer_id": hq}}),
    );
    assert_eq!(c["total"], 2);
    let tasks = c["tasks"].as_array().unwrap().clone();
    assert!(
        tasks.iter().all(|t| t["account"] == "如家酒店集团"),
        "{tasks:?}"
    );
    let fine = t.ok(
        "campaigns.record",
        json!({"task_id": tasks[0]["id"], "status": "ok", "result": "运行正常"}),
    );
    assert_eq!(fine["status"], "ok");
    let e = t.err(
        "campaigns.record",
        json!({"task_id": tasks[1]["id"], "status": "fault"}),
    );
    assert_eq!(e["field"], "result");
    let fault = t.ok(
        "campaigns.record",
        json!({"task_id": tasks[1]["id"], "status": "fault", "result": "烟道漏气", "open_order": true}),
    );
    assert_eq!(fault["order_status"], "registered");
    let order = t.ok("orders.get", json!({"id": fault["order_id"]}));
    assert_eq!(order["channel"], "proactive");
    assert_eq!(order["fault"], "烟道漏气");
    let again = t.err(
        "campaigns.record",
        json!({"task_id": tasks[0]["id"], "status": "ok"}),
    );
    assert_eq!(again["field"], "task_id");
    let got = t.ok("campaigns.get", json!({"id": c["id"]}));
    assert_eq!(
        (
            got["done"].clone(),
            got["faults"].clone(),
            got["still_open"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    let report = t.ok(
        "campaigns.report",
        json!({"id": c["id"], "customer_id": hq}),
    );
    let (file, _) = crate::platform::pdf::save_pdf(&report, "campaign-report");
    let pdf = crate::platform::pdf::text(&file, None);
    let squeezed: String = pdf.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains("如家酒店集团服务报告"), "{pdf}");
    assert!(
        squeezed.contains("发现故障1台") && squeezed.contains("仍在处理1台"),
        "{pdf}"
    );
    assert!(
        squeezed.contains("烟道漏气") && squeezed.contains("如家酒店海淀店"),
        "{pdf}"
    );
    let e = t.err(
        "campaigns.report",
        json!({"id": c["id"], "customer_id": other}),
    );
    assert_eq!(e["field"], "customer_id");
}

#[test]
fn the_day_board_gathers_the_day() {
    let mut t = desk();
    let o = completed_order(&mut t, "张伟", "北京市海淀区", 0);
    let open = t.ok(
        "orders.create",
        json!({"customer_id": 1, "fault": "漏水", "appointment_from": "2026-11-24 14:00", "appointment_to": "2026-11-24 16:00"}),
    );
    clock(&mut t, "2026-11-24T09:00:00+08:00");
    let day = t.ok("day.board", json!({}));
    assert_eq!(day["appointments"][0]["id"], open["id"]);
    assert_eq!(day["callbacks"][0]["order_id"], o);
    // The unconfirmed order's 3-minute clock broke long ago.
    assert_eq!(day["clocks"][0]["id"], open["id"]);
    assert_eq!(day["receivables"]["total_fen"], 5000);
    assert!(day["low_stock"].is_array());
}

/// Issue 19: complaints registered at several desks at once are numbered per year with no
/// gap and no repeat, each complaint its own number.
#[test]
fn complaints_registered_at_n_desks_at_once_are_numbered_without_gap_or_repeat() {
    let mut t = desk();
    let customer = t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区"}),
    )["id"]
        .as_i64()
        .unwrap();
    let outcomes = crate::at_once::at_once(&t, 4, 12, move |desk, round| {
        (
            "complaints.create",
            json!({"customer_id": customer, "against": "company", "channel": "phone",
                   "content": format!("第{round}轮{desk}号台登记的投诉")}),
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
        .prepare("SELECT number FROM complaint ORDER BY number")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), 48);
    told.sort();
    assert_eq!(told, stored);
    crate::at_once::assert_gapless(&stored, 5, "complaints");
}
