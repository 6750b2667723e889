//! 三包 (issue 21): a model marked as covered, its machines' verdict (退货 within 7 days,
//! 换货 within 15, 修理 within the period extended by the days in repair, 换货 for the same
//! fault repaired twice and for a repair past its legal limit, the repair's own 90 days),
//! on the desk's official calendar (the National Day holiday of 2026, 劳动节), copied onto
//! the order at intake. Runs on either engine (AFTERSALES_TEST_ENGINE=postgres).

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

fn model(t: &mut TestDesk, code: &str, sanbao: bool) -> i64 {
    t.ok(
        "models.save",
        json!({"code": code, "name": "变频空调 1.5匹", "sanbao": sanbao,
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// A customer with one machine of `model` bought on `purchase`; (customer, machine).
fn machine(t: &mut TestDesk, model: i64, serial: &str, purchase: &str) -> (i64, i64) {
    let customer = t.ok(
        "customers.create",
        json!({"name": format!("客户{serial}"), "phones": ["13812345678"],
               "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .as_i64()
        .unwrap();
    let machine = t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": serial, "purchase_date": purchase}),
    )["id"]
        .as_i64()
        .unwrap();
    (customer, machine)
}

fn sanbao_of(t: &mut TestDesk, machine: i64) -> Value {
    t.ok("equipment.get", json!({"id": machine}))["warranty"]["sanbao"].clone()
}

fn repair_order(t: &mut TestDesk, customer: i64, machine: i64, fault: &str) -> Value {
    t.ok(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
               "mode": "carry_in", "fault_tags": [fault], "confirmed": true}),
    )
}

/// Assigned to an engineer and started (the engineer added once).
fn start(t: &mut TestDesk, order: &Value) {
    let engineer = match t.ok("engineers.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .first()
    {
        Some(e) => e["id"].clone(),
        None => t.ok("engineers.save", json!({"name": "李强", "region": "海淀"}))["id"].clone(),
    };
    t.ok(
        "orders.assign",
        json!({"id": order["id"], "engineer_id": engineer}),
    );
    t.ok(
        "orders.move",
        json!({"id": order["id"], "to": "in_progress"}),
    );
}

fn complete(t: &mut TestDesk, order: &Value) {
    if t.ok("orders.get", json!({"id": order["id"]}))["status"] != "in_progress" {
        t.ok(
            "orders.move",
            json!({"id": order["id"], "to": "in_progress"}),
        );
    }
    t.ok(
        "orders.complete",
        json!({"id": order["id"], "diagnosis": "压缩机启动电容损坏", "work_done": "更换电容，试机正常",
               "late_reason": "等配件"}),
    );
}

#[test]
fn a_model_is_marked_and_only_its_machines_get_a_sanbao_verdict() {
    let mut t = desk();
    clock(&mut t, "2026-02-05T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    let plain = model(&mut t, "JSQ25-13", false);
    let models = t.ok("models.list", json!({}));
    let flags: Vec<(String, bool)> = models["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["code"].as_str().unwrap().to_string(),
                m["sanbao"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("JSQ25-13".to_string(), false),
            ("KFR-35GW".to_string(), true)
        ]
    );
    // Bought Thursday 2026-01-29: the 7th day is Thursday 02-05.
    let (_, m) = machine(&mut t, covered, "SB-0001", "2026-01-29");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "return", "{s}");
    assert_eq!(s["until"], "2026-02-05");
    assert_eq!(s["end"], "2027-01-28");
    assert_eq!(
        s["reason"],
        "退货：购买日期 2026-01-29 起 7 日内（至 2026-02-05）出现性能故障，可选择退货、换货或修理；三包有效期自购买日期 2026-01-29 起 12 个月至 2027-01-28"
    );
    clock(&mut t, "2026-02-06T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(
        (s["remedy"].as_str(), s["until"].as_str()),
        (Some("exchange"), Some("2026-02-13"))
    );
    clock(&mut t, "2026-02-14T10:00:00+08:00");
    assert_eq!(sanbao_of(&mut t, m)["remedy"], "repair");
    // A model not covered: no sanbao in the verdict, and none on its orders.
    let (c, other) = machine(&mut t, plain, "SB-0002", "2026-01-29");
    let e = t.ok("equipment.get", json!({"id": other}));
    assert!(e["warranty"].get("sanbao").is_none(), "{e}");
    let o = repair_order(&mut t, c, other, "不点火");
    assert!(o.get("sanbao").is_none(), "{o}");
    // The model's history says it is covered.
    let audit: String = t
        .db()
        .query_row(
            "SELECT detail FROM audit_entry WHERE entity = 'model' AND entity_id = ?1 ORDER BY id LIMIT 1",
            [covered],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, "型号 KFR-35GW：整机 12个月；适用三包");
    // Unmarking the model takes the verdict away.
    t.ok(
        "models.save",
        json!({"id": covered, "code": "KFR-35GW", "name": "变频空调 1.5匹", "sanbao": false,
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    );
    assert!(sanbao_of(&mut t, m).is_null());
}

#[test]
fn the_windows_end_on_the_next_working_day_of_the_official_calendar() {
    let mut t = desk();
    clock(&mut t, "2026-10-08T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    // Bought Sunday 2026-09-27: the 7th day, 10-04, is in the National Day holiday
    // (10-01…10-07 off in the State Council's notice of 2026): the window runs to 10-08.
    let (_, m) = machine(&mut t, covered, "SB-0101", "2026-09-27");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "return", "{s}");
    assert_eq!(s["until"], "2026-10-08");
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("第 7 日 2026-10-04 为休息日，顺延至 2026-10-08"),
        "{s}"
    );
    clock(&mut t, "2026-10-09T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "exchange", "{s}");
    // The 15th day, Monday 10-12, is a working day.
    assert_eq!(s["until"], "2026-10-12");
}

#[test]
fn days_in_repair_extend_the_period_and_the_same_fault_twice_entitles_an_exchange() {
    let mut t = desk();
    clock(&mut t, "2026-02-27T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    // Bought 2026-01-31: 12 months run through 2027-01-30.
    let (c, m) = machine(&mut t, covered, "SB-0201", "2026-01-31");
    let first = repair_order(&mut t, c, m, "不制冷");
    assert_eq!(first["sanbao"]["remedy"], "repair", "{first}");
    assert_eq!(first["sanbao"]["until"], "2027-01-30");
    start(&mut t, &first);
    // It waits for parts over the month's end and is repaired on 03-03: 4 days.
    t.ok(
        "orders.move",
        json!({"id": first["id"], "to": "waiting_parts"}),
    );
    clock(&mut t, "2026-03-03T15:00:00+08:00");
    complete(&mut t, &first);
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["end"], "2027-02-03", "{s}");
    // The same fault again over 劳动节 (05-01…05-05 off): 04-30 to 05-06, 6 days.
    clock(&mut t, "2026-04-30T10:00:00+08:00");
    let second = repair_order(&mut t, c, m, "不制冷");
    assert_eq!(second["sanbao"]["remedy"], "repair");
    start(&mut t, &second);
    clock(&mut t, "2026-05-06T16:00:00+08:00");
    complete(&mut t, &second);
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "exchange", "{s}");
    assert_eq!(s["until"], "2027-02-09");
    let reason = s["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("换货：同一故障（不制冷）已修理两次（工单 "),
        "{reason}"
    );
    assert!(
        reason.ends_with("三包有效期自购买日期 2026-01-31 起 12 个月至 2027-01-30，加修理占用 10 日顺延至 2027-02-09"),
        "{reason}"
    );
    // At intake the fault reported decides: another fault is repaired, the same one
    // exchanged; each order keeps the verdict it was registered with.
    clock(&mut t, "2026-06-01T10:00:00+08:00");
    let leak = repair_order(&mut t, c, m, "漏水");
    assert_eq!(leak["sanbao"]["remedy"], "repair", "{leak}");
    let again = repair_order(&mut t, c, m, "不制冷");
    assert_eq!(again["sanbao"]["remedy"], "exchange", "{again}");
    assert_eq!(again["sanbao"]["until"], "2027-02-09");
    let got = t.ok("orders.get", json!({"id": again["id"]}));
    assert_eq!(got["sanbao"], again["sanbao"]);
    t.ok(
        "orders.move",
        json!({"id": again["id"], "to": "cancelled", "reason": "客户同意换货，转销售办理"}),
    );
    // The 漏水 repair still open on 07-02: 31 days of the repairer's own time.
    clock(&mut t, "2026-07-02T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "exchange", "{s}");
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("自送修之日 2026-06-01 起修理已占用 31 日（待料时间除外，超过 30 日）未修好"),
        "{s}"
    );
    // The order registered then still says repair: the verdict is the intake's.
    assert_eq!(
        t.ok("orders.get", json!({"id": leak["id"]}))["sanbao"]["remedy"],
        "repair"
    );
    // The month's 三包 report by model: June's two repair orders of the covered model,
    // one of them entitled to an exchange (cancelled for it, and still counted).
    let r = t.ok(
        "reports.get",
        json!({"report": "sanbao", "month": "2026-06"}),
    );
    let report = &r["items"][0];
    assert_eq!(report["title"], "三包退换（按型号）");
    assert_eq!(
        report["columns"],
        json!(["三包维修单数", "可退货", "可换货", "退换率%"])
    );
    assert_eq!(
        report["current_lines"],
        json!([{"key": covered.to_string(), "label": "KFR-35GW 变频空调 1.5匹",
                "values": [2.0, 0.0, 1.0, 50.0]}])
    );
    // May: none registered (the second repair was registered on 04-30).
    assert_eq!(report["previous_lines"], json!([]));
    let april = t.ok(
        "reports.get",
        json!({"report": "sanbao", "month": "2026-04"}),
    );
    assert_eq!(
        april["items"][0]["current_lines"][0]["values"],
        json!([1.0, 0.0, 0.0, 0.0])
    );
    let drill = t.ok(
        "reports.orders",
        json!({"report": "sanbao", "key": covered.to_string(), "month": "2026-06"}),
    );
    let numbers: Vec<&Value> = drill["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["number"])
        .collect();
    assert_eq!(numbers, [&again["number"]]);
}

#[test]
fn after_the_period_the_repair_keeps_its_own_ninety_days() {
    let mut t = desk();
    // Bought on the leap day 2024-02-29: 12 months run through 2025-02-27.
    clock(&mut t, "2025-02-20T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    let (c, m) = machine(&mut t, covered, "SB-0301", "2024-02-29");
    let o = repair_order(&mut t, c, m, "不开机");
    start(&mut t, &o);
    clock(&mut t, "2025-02-21T11:00:00+08:00");
    complete(&mut t, &o);
    // One day in repair: the period ends 2025-02-28.
    clock(&mut t, "2025-02-28T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(
        (s["remedy"].as_str(), s["until"].as_str()),
        (Some("repair"), Some("2025-02-28")),
        "{s}"
    );
    clock(&mut t, "2025-03-01T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "repair", "{s}");
    // 90 days from 2025-02-21.
    assert_eq!(s["until"], "2025-05-22");
    clock(&mut t, "2025-05-23T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "none", "{s}");
    assert!(s["until"].is_null());
    // The setting changes the repair's own warranty.
    t.ok("settings.save", json!({"repair_warranty_days": 180}));
    assert_eq!(sanbao_of(&mut t, m)["until"], "2025-08-20");
}

#[test]
fn the_slip_prints_the_remedy_and_the_period() {
    use crate::platform::pdf::{save_pdf, squeezed, text};
    let mut t = desk();
    clock(&mut t, "2026-02-06T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    let (c, m) = machine(&mut t, covered, "SB-0401", "2026-01-29");
    let o = repair_order(&mut t, c, m, "不制冷");
    start(&mut t, &o);
    complete(&mut t, &o);
    for format in ["a4", "a5", "continuous"] {
        let r = t.ok(
            "slips.print",
            json!({"order_id": o["id"], "format": format}),
        );
        let (path, _) = save_pdf(&r, &format!("slip-sanbao-{format}"));
        let read = squeezed(&text(&path, None));
        assert!(
            // The sentence takes two lines beside its label: pdftotext reads them apart.
            read.contains("换货：购买日期2026-01-29起15日内（至2026-02-13）出现性能故障，可选择换货或修理；三包有效期自购买日期2026-01-29起12个月至2027-01-28"),
            "{format}: {read}"
        );
    }
    // A model not covered prints no 三包 row.
    let plain = model(&mut t, "JSQ25-13", false);
    let (c, m) = machine(&mut t, plain, "SB-0402", "2026-01-29");
    let o = repair_order(&mut t, c, m, "不点火");
    start(&mut t, &o);
    complete(&mut t, &o);
    let r = t.ok("slips.print", json!({"order_id": o["id"], "format": "a4"}));
    let (path, _) = save_pdf(&r, "slip-sanbao-plain");
    assert!(!squeezed(&text(&path, None)).contains("三包"));
}

#[test]
fn a_repair_waiting_for_parts_past_ninety_days_entitles_an_exchange() {
    let mut t = desk();
    clock(&mut t, "2026-03-02T10:00:00+08:00");
    let covered = model(&mut t, "KFR-35GW", true);
    let (c, m) = machine(&mut t, covered, "SB-0501", "2025-12-31");
    let o = repair_order(&mut t, c, m, "压缩机不启动");
    start(&mut t, &o);
    // 待料 from the day it came in: the order's pause for parts runs from then.
    t.ok("orders.move", json!({"id": o["id"], "to": "waiting_parts"}));
    // 90 days after 送修 (05-31), still within the limit: repair, the period grown by them.
    clock(&mut t, "2026-05-31T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "repair", "{s}");
    assert_eq!(s["end"], "2027-03-30");
    // The 91st day: exchange, the order and its day named.
    clock(&mut t, "2026-06-01T10:00:00+08:00");
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "exchange", "{s}");
    let number = o["number"].as_str().unwrap();
    assert!(
        s["reason"].as_str().unwrap().starts_with(&format!(
            "换货：工单 {number} 自送修之日 2026-03-02 起已 91 日（超过 90 日）因缺零配件未修好"
        )),
        "{s}"
    );
    // Parts came and it was repaired: the repair was taken, the period keeps the 92 days.
    t.ok("orders.move", json!({"id": o["id"], "to": "in_progress"}));
    clock(&mut t, "2026-06-02T10:00:00+08:00");
    complete(&mut t, &o);
    let s = sanbao_of(&mut t, m);
    assert_eq!(s["remedy"], "repair", "{s}");
    assert_eq!(s["end"], "2027-04-01");
}
