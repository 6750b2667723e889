//! Clocks that pause (issue 21, 待料 / 待客户): the reply and slip clocks stand still while
//! an order waits, count only the working time a pause covered on the desk's calendar
//! (the State Council's holidays, month ends, a leap day), end on the order's next move,
//! raise no alert, and the reports count the paused time apart.

use serde_json::{json, Value};

use super::{clock, clock_of, setup};
use crate::util::desk;

fn events_of(o: &Value, kind: &str) -> Vec<String> {
    o["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["detail"].as_str().unwrap().to_string())
        .collect()
}

fn has_action(o: &Value, name: &str) -> bool {
    o["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == name)
}

#[test]
fn a_pause_across_month_end_and_the_national_day_holiday_counts_only_working_time() {
    let mut t = desk();
    let s = setup(&mut t);
    // Wednesday 2026-09-30 10:00: reply due the next working day. The State Council's
    // notice of 2026 (shipped) makes 10-01…10-07 off: next working day Thursday 10-08.
    clock(&mut t, "2026-09-30T10:00:00+08:00");
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "不出热水", "confirmed": true}),
    );
    let id = o["id"].clone();
    assert_eq!(clock_of(&o, "reply")["due"], "2026-10-08T02:00:00Z");
    assert_eq!(clock_of(&o, "slip")["due"], "2026-10-09T02:00:00Z");
    assert!(has_action(&o, "pause") && !has_action(&o, "unpause"));
    // 16:30: the customer does not answer.
    clock(&mut t, "2026-09-30T16:30:00+08:00");
    let paused = t.ok(
        "orders.pause",
        json!({"id": id, "reason": "customer_unreachable", "note": "打了三次没人接", "version": o["version"]}),
    );
    assert_eq!(paused["pause"]["reason"], "customer_unreachable");
    assert_eq!(paused["pause"]["reason_label"], "待客户：联系不上");
    assert_eq!(paused["pause"]["since"], "2026-09-30T08:30:00Z");
    assert!(paused["version"].as_i64() > o["version"].as_i64());
    assert!(has_action(&paused, "unpause") && !has_action(&paused, "pause"));
    assert_eq!(
        events_of(&paused, "paused"),
        ["待客户：联系不上：打了三次没人接"]
    );
    // Thursday 10-08 10:30: past the reply clock's first due time, but it stands still
    // where the pause found it: paused, no warning on the board, no alert.
    clock(&mut t, "2026-10-08T10:30:00+08:00");
    let now = t.ok("orders.get", json!({"id": id}));
    let reply = clock_of(&now, "reply");
    assert_eq!(reply["state"], "paused");
    // Wall-clock minutes from 09-30 16:30 to 10-08 10:00, as a running clock counts them.
    assert_eq!(reply["minutes_left"], 7 * 1440 + 17 * 60 + 30);
    assert_eq!(clock_of(&now, "confirm")["state"], "kept");
    assert_eq!(t.ok("orders.board", json!({}))["warnings"], 0);
    let alerts = t.ok("day.alerts", json!({}));
    assert!(alerts["items"].as_array().unwrap().is_empty(), "{alerts}");
    // The compliance report does not count it broken while it is paused.
    let r = t.ok(
        "reports.get",
        json!({"report": "clocks", "from": "2026-09-01", "to": "2026-09-30"}),
    );
    let reply_line = &r["items"][0]["current_lines"][1];
    assert_eq!(reply_line["key"], "reply");
    assert_eq!(reply_line["values"][2], 0.0);
    // Resumed at 11:00: 16:30–17:30 on 09-30 and 08:30–11:00 on 10-08 are working time,
    // the holiday is not: 3 h 30 min. The due times move on by that much.
    clock(&mut t, "2026-10-08T11:00:00+08:00");
    let back = t.ok(
        "orders.unpause",
        json!({"id": id, "version": now["version"]}),
    );
    assert!(back["pause"].is_null());
    assert_eq!(back["paused_minutes"], 210);
    assert_eq!(clock_of(&back, "reply")["due"], "2026-10-08T05:30:00Z");
    // 2 h 30 min left: within the reply clock's 4-hour warning.
    assert_eq!(clock_of(&back, "reply")["state"], "warning");
    assert_eq!(clock_of(&back, "reply")["minutes_left"], 150);
    assert_eq!(clock_of(&back, "slip")["due"], "2026-10-09T05:30:00Z");
    assert_eq!(
        events_of(&back, "resumed"),
        ["待客户：联系不上，暂停工作时间 3小时30分"]
    );
    let p = &back["pauses"][0];
    assert_eq!(p["working_minutes"], 210);
    assert_eq!(p["ended_at"], "2026-10-08T03:00:00Z");
    // Dispatched at 13:00: kept (it would have been missed without the pause).
    clock(&mut t, "2026-10-08T13:00:00+08:00");
    let d = t.ok("orders.assign", json!({"id": id, "engineer_id": s.wang}));
    assert_eq!(clock_of(&d, "reply")["state"], "kept");
    // The reports count the paused time apart: September's pauses (it began on 09-30).
    let r = t.ok(
        "reports.get",
        json!({"report": "pauses", "from": "2026-09-01", "to": "2026-09-30"}),
    );
    let lines = &r["items"][0]["current_lines"];
    let unreachable = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "customer_unreachable")
        .unwrap();
    assert_eq!(unreachable["values"], json!([1.0, 1.0, 3.5]));
    let total = lines.as_array().unwrap().last().unwrap();
    assert_eq!(total["key"], "total");
    assert_eq!(total["values"], json!([1.0, 1.0, 3.5]));
    // October has none of it.
    let r = t.ok(
        "reports.get",
        json!({"report": "pauses", "from": "2026-10-01", "to": "2026-10-31"}),
    );
    let total = r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(total["values"], json!([0.0, 0.0, 0.0]));
}

#[test]
fn a_pause_over_the_leap_day_ends_with_the_next_move_and_saves_the_clock() {
    let mut t = desk();
    let s = setup(&mut t);
    // Monday 2028-02-28 10:00: reply due Tuesday 02-29 10:00 (a leap day, a working day).
    clock(&mut t, "2028-02-28T10:00:00+08:00");
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "压缩机不启动", "confirmed": true}),
    );
    let id = o["id"].clone();
    assert_eq!(clock_of(&o, "reply")["due"], "2028-02-29T02:00:00Z");
    // 17:00: the part is not in stock; the dispatcher pauses before sending anyone.
    clock(&mut t, "2028-02-28T17:00:00+08:00");
    t.ok("orders.pause", json!({"id": id, "reason": "parts"}));
    // Wednesday 03-01 09:00 the part is in and the order is dispatched: the move ends the
    // pause. 30 min on 02-28, 9 h on 02-29, 30 min on 03-01: 10 working hours.
    clock(&mut t, "2028-03-01T09:00:00+08:00");
    let d = t.ok("orders.assign", json!({"id": id, "engineer_id": s.wang}));
    assert!(d["pause"].is_null());
    assert_eq!(d["paused_minutes"], 600);
    // 02-29 10:00 + 10 working hours = 03-01 11:00: dispatched at 09:00, kept.
    assert_eq!(clock_of(&d, "reply")["due"], "2028-03-01T03:00:00Z");
    assert_eq!(clock_of(&d, "reply")["state"], "kept");
    assert_eq!(
        events_of(&d, "resumed"),
        ["待料，暂停工作时间 10小时（派工）"]
    );
    // The slip clock moved on too: 03-01 10:00 + 10 h = 03-02 11:00.
    assert_eq!(clock_of(&d, "slip")["due"], "2028-03-02T03:00:00Z");
    // The longest-paused list of February names it.
    let r = t.ok(
        "reports.get",
        json!({"report": "paused_longest", "from": "2028-02-01", "to": "2028-02-29"}),
    );
    let lines = r["items"][0]["current_lines"].as_array().unwrap().clone();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["key"], id.to_string());
    assert!(lines[0]["label"]
        .as_str()
        .unwrap()
        .starts_with(d["number"].as_str().unwrap()));
    assert_eq!(lines[0]["values"], json!([10.0, 1.0]));
    let drill = t.ok(
        "reports.orders",
        json!({"report": "paused_longest", "key": lines[0]["key"], "from": "2028-02-01", "to": "2028-02-29"}),
    );
    assert_eq!(drill["items"][0]["id"], id);
    let drill = t.ok(
        "reports.orders",
        json!({"report": "pauses", "key": "parts", "from": "2028-02-01", "to": "2028-02-29"}),
    );
    assert_eq!(drill["items"].as_array().unwrap().len(), 1);
    let drill = t.ok(
        "reports.orders",
        json!({"report": "pauses", "key": "customer_away", "from": "2028-02-01", "to": "2028-02-29"}),
    );
    assert!(drill["items"].as_array().unwrap().is_empty());
}

#[test]
fn waiting_for_parts_pauses_and_completion_judges_the_moved_slip_clock() {
    let mut t = desk();
    let s = setup(&mut t);
    // Monday 2026-11-23 10:00; slip due Wednesday 11-25 10:00.
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "漏水", "confirmed": true}),
    );
    let id = o["id"].clone();
    t.ok("orders.assign", json!({"id": id, "engineer_id": s.wang}));
    t.ok("orders.move", json!({"id": id, "to": "in_progress"}));
    // 待料 as a status pauses the clocks with the reason parts.
    clock(&mut t, "2026-11-23T15:00:00+08:00");
    let w = t.ok(
        "orders.move",
        json!({"id": id, "to": "waiting_parts", "reason": "缺主板"}),
    );
    assert_eq!(w["pause"]["reason"], "parts");
    assert_eq!(w["pause"]["note"], "缺主板");
    assert_eq!(clock_of(&w, "slip")["state"], "paused");
    // Two pauses in a row: refused, naming the pause.
    let e = t.err("orders.pause", json!({"id": id, "reason": "customer_away"}));
    assert_eq!(e["field"], "pause");
    assert!(e["message"].as_str().unwrap().contains("已在暂停"), "{e}");
    // Friday 11-27 15:00 the board arrives; 继续处理 ends the pause: Mon 15:00–17:30,
    // Tue, Wed, Thu whole days, Fri 08:30–15:00 = 2.5 + 27 + 6.5 = 36 working hours.
    clock(&mut t, "2026-11-27T15:00:00+08:00");
    let r = t.ok("orders.move", json!({"id": id, "to": "in_progress"}));
    assert!(r["pause"].is_null());
    assert_eq!(r["paused_minutes"], 36 * 60);
    // Slip due Wed 11-25 10:00 + 36 h (4 working days) = Tue 12-01 10:00, across the
    // month end: completing on Monday 11-30 is in time, no late reason asked.
    assert_eq!(clock_of(&r, "slip")["due"], "2026-12-01T02:00:00Z");
    clock(&mut t, "2026-11-30T16:00:00+08:00");
    // Paused again for the customer, then completed: completion ends the pause and the
    // slip is judged against the due time moved on by this pause too.
    t.ok("orders.pause", json!({"id": id, "reason": "quote_pending"}));
    clock(&mut t, "2026-12-01T12:00:00+08:00");
    let done = t.ok(
        "orders.complete",
        json!({"id": id, "work_done": "更换主板"}),
    );
    assert_eq!(clock_of(&done, "slip")["state"], "kept");
    assert!(done["pause"].is_null());
    // 36 h + (16:00–17:30 and 08:30–12:00 = 5 h).
    assert_eq!(done["paused_minutes"], 41 * 60);
    assert_eq!(done["pauses"].as_array().unwrap().len(), 2);
    // A completed order is not paused; resuming what is not paused is refused.
    let e = t.err("orders.pause", json!({"id": id, "reason": "parts"}));
    assert_eq!(e["field"], "status");
    let e = t.err("orders.unpause", json!({"id": id}));
    assert_eq!(e["field"], "pause");
    assert!(!has_action(&done, "pause") && !has_action(&done, "unpause"));
}

#[test]
fn a_pause_is_refused_with_the_field_named_and_nothing_written() {
    let mut t = desk();
    let s = setup(&mut t);
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "x", "confirmed": true}),
    );
    let id = o["id"].clone();
    for (args, field) in [
        (json!({"id": id, "reason": ""}), "reason"),
        (json!({"id": id, "reason": "lunch"}), "reason"),
        (
            json!({"id": id, "reason": "parts", "note": "长".repeat(201)}),
            "note",
        ),
        (
            json!({"id": id, "reason": "parts", "version": 0}),
            "version",
        ),
    ] {
        let e = t.err("orders.pause", args.clone());
        assert_eq!(e["field"], field, "{args} → {e}");
    }
    let e = t.err("orders.pause", json!({"id": 999_999, "reason": "parts"}));
    assert_eq!(e["code"], "not_found");
    let same = t.ok("orders.get", json!({"id": id}));
    assert_eq!(same["version"], o["version"]);
    assert!(same["pauses"].as_array().unwrap().is_empty());
    // A cancelled order is not paused; a pause ends when the order is cancelled.
    t.ok("orders.pause", json!({"id": id, "reason": "customer_away"}));
    let stale = t.err("orders.unpause", json!({"id": id, "version": o["version"]}));
    assert_eq!(stale["field"], "version");
    let c = t.ok(
        "orders.move",
        json!({"id": id, "to": "cancelled", "reason": "客户不修了"}),
    );
    assert!(c["pause"].is_null());
    assert_eq!(clock_of(&c, "reply")["state"], "stopped");
    let e = t.err("orders.pause", json!({"id": id, "reason": "parts"}));
    assert_eq!(e["field"], "status");
}
