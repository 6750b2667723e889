//! 来电弹屏 (issue 20): `calls.ring`, the caller's screen (a shared landline, the open
//! order first, the unpaid balance, an unknown number, a bad one), the rings every door
//! polls, and the sources' gate: the webhook's secret and the caller-ID box's lines.

use aftersales::calls;
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

fn customer(t: &mut TestDesk, name: &str, phones: &[&str]) -> i64 {
    t.ok("customers.create", json!({"name": name, "phones": phones}))["id"]
        .as_i64()
        .unwrap()
}

struct Shop {
    model: i64,
    engineer: i64,
}

fn shop(t: &mut TestDesk) -> Shop {
    clock(t, "2026-11-23T02:00:00Z");
    let model = t.ok(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )["id"]
        .as_i64()
        .unwrap();
    let engineer = t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    )["id"]
        .as_i64()
        .unwrap();
    Shop { model, engineer }
}

fn machine(t: &mut TestDesk, s: &Shop, customer: i64, serial: &str) -> i64 {
    t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": s.model, "serial": serial, "purchase_date": "2026-06-01"}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn order(t: &mut TestDesk, customer: i64, machine: i64, fault: &str) -> i64 {
    t.ok(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "carry_in", "fault": fault, "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// An order completed with a fee of `fen`, nothing paid.
fn completed(t: &mut TestDesk, s: &Shop, customer: i64, machine: i64, fen: i64) -> i64 {
    let o = order(t, customer, machine, "漏水");
    t.ok("orders.assign", json!({"id": o, "engineer_id": s.engineer}));
    t.ok(
        "orders.move",
        json!({"id": o, "to": "in_progress", "reason": "上门"}),
    );
    t.ok(
        "orders.complete",
        json!({"id": o, "work_done": "更换密封圈", "fees": [{"kind": "labour", "amount_fen": fen}],
               "fee_reason": "人为损坏"}),
    );
    o
}

fn ids(screen: &Value) -> Vec<i64> {
    screen["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["customer"]["id"].as_i64().unwrap())
        .collect()
}

/// A shared landline rings for everyone who has it (the number alone or with their
/// extension), whatever prefix the switchboard sends; the customer with an open order
/// comes first; someone else's number is not theirs.
#[test]
fn a_shared_landline_brings_up_every_customer_with_it() {
    let mut t = desk();
    let s = shop(&mut t);
    let office = customer(&mut t, "上海浦江物业", &["021-6123 4567"]);
    let guard = customer(&mut t, "门卫 老李", &["021-61234567 转 801"]);
    customer(&mut t, "隔壁商店", &["021-6123 4568"]);
    let m = machine(&mut t, &s, office, "SN-OFFICE-1");
    order(&mut t, office, m, "不点火");
    for typed in [
        "021-6123 4567",
        "+86 21 6123 4567",
        "02161234567",
        "(021) 61234567",
    ] {
        let screen = t.ok("calls.ring", json!({"phone": typed, "line": "总机"}));
        // The office has an open order: first, although the guard is newer.
        assert_eq!(ids(&screen), [office, guard], "{typed}");
        assert_eq!(screen["phone"], "02161234567", "{typed}");
        assert_eq!(screen["line"], "总机");
        assert_eq!(screen["source"], "desk");
        assert_eq!(screen["more"], false);
    }
}

/// RepairDesk's complaint: the open order, not the newest, comes first; the last completed
/// order and the unpaid balance are on the screen, and the machines with their verdict.
#[test]
fn the_open_order_comes_first_with_the_last_completed_and_the_balance() {
    let mut t = desk();
    let s = shop(&mut t);
    let c = customer(&mut t, "张伟", &["138 1234 5678"]);
    let m = machine(&mut t, &s, c, "SN-ZW-1");
    let open = order(&mut t, c, m, "不点火");
    clock(&mut t, "2026-11-24T02:00:00Z");
    let first_done = completed(&mut t, &s, c, m, 8000);
    clock(&mut t, "2026-11-25T02:00:00Z");
    let last_done = completed(&mut t, &s, c, m, 5000);
    t.ok(
        "orders.pay",
        json!({"id": first_done, "amount_fen": 8000, "method": "cash"}),
    );
    let screen = t.ok("calls.ring", json!({"phone": "13812345678"}));
    let file = &screen["customers"][0];
    assert_eq!(file["customer"]["id"], c);
    let opens: Vec<i64> = file["open_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(opens, [open], "only the open order is listed as open");
    assert_eq!(file["open_orders"][0]["status"], "registered");
    assert_eq!(file["open_orders"][0]["status_label"], "已登记");
    assert!(!file["open_orders"][0]["clocks"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(file["last_completed"]["id"], last_done);
    assert_eq!(file["unpaid_fen"], 5000);
    assert_eq!(file["machines"][0]["serial"], "SN-ZW-1");
    assert_eq!(file["machines"][0]["warranty"]["status"], "in");
    // No user's buttons travel on a screen pushed to every desk.
    assert!(file["open_orders"][0].get("actions").is_none());
}

/// A mobile with or without +86, 86, 0086 or the 0 a switchboard dials before another
/// city's mobile; a 400 number with or without its 0: the same customer.
#[test]
fn every_prefix_of_a_number_finds_the_same_customer() {
    let mut t = desk();
    shop(&mut t);
    let mobile = customer(&mut t, "欧阳玥", &["13812345678"]);
    let hotline = customer(&mut t, "某品牌客服", &["400-800-1234"]);
    for (typed, who) in [
        ("13812345678", mobile),
        ("+8613812345678", mobile),
        ("8613812345678", mobile),
        ("0086 138 1234 5678", mobile),
        ("013812345678", mobile),
        ("4008001234", hotline),
        ("400-800-1234", hotline),
        ("04008001234", hotline),
        ("+86 400 800 1234", hotline),
    ] {
        let screen = t.ok("calls.ring", json!({"phone": typed}));
        assert_eq!(ids(&screen), [who], "{typed}");
    }
}

/// A number nobody has: an empty screen with the number, which the pop-up offers as
/// 新客户. Bad numbers are refused naming `phone`, nothing recorded.
#[test]
fn an_unknown_number_rings_empty_and_a_bad_one_is_refused() {
    let mut t = desk();
    shop(&mut t);
    customer(&mut t, "张伟", &["13812345678"]);
    let screen = t.ok("calls.ring", json!({"phone": "139 0000 2222"}));
    assert_eq!(screen["customers"], json!([]));
    assert_eq!(screen["phone"], "13900002222");
    assert_eq!(screen["phone_display"], "139 0000 2222");
    let rings_before = calls::last_ring(&t.db()).unwrap();
    for bad in [
        "",
        "12345",
        "abc",
        "5678",
        "+86",
        &"1".repeat(41),
        "021-1234567",
    ] {
        let e = t.err("calls.ring", json!({"phone": bad}));
        assert_eq!(e["field"], "phone", "{bad}: {e}");
        assert_eq!(e["code"], "invalid", "{bad}");
        assert!(
            e["message"].as_str().unwrap().contains("来电号码"),
            "{bad}: {e}"
        );
    }
    let e = t.err(
        "calls.ring",
        json!({"phone": "13812345678", "line": "x".repeat(41)}),
    );
    assert_eq!(e["field"], "line");
    let e = t.err(
        "calls.ring",
        json!({"phone": "13812345678", "colour": "red"}),
    );
    assert_eq!(e["code"], "bad_request");
    assert_eq!(calls::last_ring(&t.db()).unwrap(), rings_before);
}

/// Every ring is recorded with its screen for the doors to push, in order; a door that
/// starts begins after the last; rings older than a week are gone.
#[test]
fn rings_are_recorded_with_their_screen_for_every_door() {
    let mut t = desk();
    shop(&mut t);
    customer(&mut t, "张伟", &["13812345678"]);
    let start = calls::last_ring(&t.db()).unwrap();
    let a = t.ok("calls.ring", json!({"phone": "13812345678"}));
    let b = t.ok(
        "calls.ring",
        json!({"phone": "13900002222", "line": "400热线"}),
    );
    let pushed = calls::rings_after(&t.db(), start, 10).unwrap();
    assert_eq!(pushed.len(), 2);
    assert_eq!(pushed[0].id, a["ring_id"].as_i64().unwrap());
    assert_eq!(pushed[1].id, b["ring_id"].as_i64().unwrap());
    let screen: Value = serde_json::from_str(&pushed[0].screen).unwrap();
    assert_eq!(screen, a, "the pushed screen is the one the ring answered");
    assert_eq!(
        calls::rings_after(&t.db(), pushed[0].id, 10).unwrap().len(),
        1
    );
    assert_eq!(calls::last_ring(&t.db()).unwrap(), pushed[1].id);
    clock(&mut t, "2026-12-01T02:00:01Z");
    t.ok("calls.ring", json!({"phone": "13812345678"}));
    assert_eq!(
        calls::rings_after(&t.db(), start, 10).unwrap().len(),
        1,
        "rings older than 7 days are deleted"
    );
}

/// The webhook is off until the manager sets a secret; then only that secret opens it,
/// compared as a hash (the secret itself is stored nowhere); the body is bounded and read.
#[test]
fn the_webhook_takes_only_the_managers_secret() {
    let mut t = desk();
    shop(&mut t);
    customer(&mut t, "张伟", &["13812345678"]);
    let body = br#"{"phone": "+86 138 1234 5678", "line": "400-800-1234", "call_id": "abc"}"#;
    let off = calls::cti::webhook(&mut t.desk, Some(b"whatever-secret-1234".as_slice()), body)
        .unwrap_err();
    assert_eq!(off.code(), "not_found");
    let e = t.err("calls.settings.save", json!({"secret": "short"}));
    assert_eq!(e["field"], "secret");
    let secret = "s3cret-for-the-call-centre";
    let saved = t.ok("calls.settings.save", json!({"secret": secret}));
    assert_eq!(saved["webhook_on"], true);
    assert!(!saved.to_string().contains(secret));
    let kept: i64 = t.sql(&format!(
        "SELECT count(*) FROM setting WHERE value LIKE '%{secret}%'"
    ));
    assert_eq!(kept, 0, "the secret is kept as its hash");
    for wrong in [
        None,
        Some(&b"s3cret-for-the-call-centrX"[..]),
        Some(&b""[..]),
    ] {
        let e = calls::cti::webhook(&mut t.desk, wrong, body).unwrap_err();
        assert_eq!(e.code(), "unauthorized", "{wrong:?}");
    }
    let screen = calls::cti::webhook(&mut t.desk, Some(secret.as_bytes()), body).unwrap();
    assert_eq!(screen.source, calls::Source::Webhook);
    assert_eq!(screen.customers.len(), 1);
    assert_eq!(screen.line, "400-800-1234");
    let big = format!(r#"{{"phone": "13812345678", "x": "{}"}}"#, "a".repeat(5000));
    let e = calls::cti::webhook(&mut t.desk, Some(secret.as_bytes()), big.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "invalid");
    let e = calls::cti::webhook(&mut t.desk, Some(secret.as_bytes()), b"[1]").unwrap_err();
    assert_eq!(e.code(), "bad_request");
    let e = calls::cti::webhook(&mut t.desk, Some(secret.as_bytes()), b"{\"phone\": \"12\"}")
        .unwrap_err();
    assert_eq!(e.field(), Some("phone"));
    // The call centre's own name for the number.
    let s = calls::cti::webhook(
        &mut t.desk,
        Some(secret.as_bytes()),
        br#"{"caller": 13812345678}"#,
    )
    .unwrap();
    assert_eq!(s.phone, "13812345678");
    // Off again: refused again.
    t.ok("calls.settings.save", json!({"secret": ""}));
    let e = calls::cti::webhook(&mut t.desk, Some(secret.as_bytes()), body).unwrap_err();
    assert_eq!(e.code(), "not_found");
    let audit: i64 = t.sql("SELECT count(*) FROM audit_entry WHERE action = 'cti_settings'");
    assert_eq!(audit, 2);
}

/// A caller-ID box's lines: the number found by the pattern (the default one, or the
/// manager's), a line without one ignored; bad settings refused naming their field.
#[test]
fn a_caller_id_boxs_line_rings_with_the_number_in_it() {
    let mut t = desk();
    shop(&mut t);
    let c = customer(&mut t, "张伟", &["13812345678"]);
    assert!(calls::cti::serial_line(&mut t.desk, "RING")
        .unwrap()
        .is_none());
    for line in [
        "NMBR = 013812345678",
        "CID:13812345678,DATE:1204",
        "13812345678\r",
    ] {
        let s = calls::cti::serial_line(&mut t.desk, line).unwrap().unwrap();
        assert_eq!(s.source, calls::Source::Serial, "{line}");
        assert_eq!(s.customers[0].customer.id.get(), c, "{line}");
    }
    for (field, args) in [
        ("serial_port", json!({"serial_port": "LPT1"})),
        ("serial_port", json!({"serial_port": "/dev/../etc/passwd"})),
        ("serial_baud", json!({"serial_baud": 1234})),
        ("serial_pattern", json!({"serial_pattern": "([0-9]+"})),
        ("serial_pattern", json!({"serial_pattern": "[0-9]+"})),
    ] {
        let e = t.err("calls.settings.save", args);
        assert_eq!(e["field"], field, "{e}");
    }
    let saved = t.ok(
        "calls.settings.save",
        json!({"serial_port": "com3", "serial_baud": 1200, "serial_pattern": "TEL=([0-9]+)"}),
    );
    assert_eq!(saved["serial_port"], "COM3");
    assert_eq!(saved["serial_baud"], 1200);
    assert!(calls::cti::serial_line(&mut t.desk, "NMBR = 13812345678")
        .unwrap()
        .is_none());
    let s = calls::cti::serial_line(&mut t.desk, "TEL=13812345678;")
        .unwrap()
        .unwrap();
    assert_eq!(s.phone, "13812345678");
}
