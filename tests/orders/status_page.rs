//! 进度查询 (issue 20): every order's status code, its page's public view (what it shows,
//! and that a customer's phone, address, full name, fault and notes never appear), revoking,
//! the per-peer limit, the codes the migration gives orders made before it, and the
//! slip's QR code read back from the PDF. On both engines.

use std::net::IpAddr;

use aftersales::orders::status_page::{self, Lookup, PublicStatus, HITS_PER_MINUTE};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// A customer with phone, address and notes, an order for them (fault typed).
fn customer_and_order(t: &mut TestDesk, name: &str) -> (i64, i64) {
    t.desk.set_clock(Some(at(MONDAY_10)));
    let customer = t.ok(
        "customers.create",
        json!({"name": name, "phones": ["13812345678", "010-62345678"],
               "address": "北京市海淀区中关村大街1号院3号楼502", "notes": "老客户，家里有狗"}),
    )["id"]
        .as_i64()
        .unwrap();
    let order = t.ok(
        "orders.create",
        json!({"customer_id": customer, "fault": "打开热水后没有火，有异味", "confirmed": true,
               "contact": "张先生的妻子", "phone": "13912349876", "address": "备用地址朝阳区某小区"}),
    )["id"]
        .as_i64()
        .unwrap();
    (customer, order)
}

fn path_of(t: &mut TestDesk, order: i64) -> String {
    t.ok("orders.get", json!({"id": order}))["status_path"]
        .as_str()
        .unwrap_or_else(|| panic!("order {order} has no status_path"))
        .to_string()
}

fn code(path: &str) -> &str {
    path.strip_prefix("/s/").unwrap()
}

fn view(t: &TestDesk, path: &str) -> Option<PublicStatus> {
    status_page::public_view(&t.desk, code(path)).unwrap()
}

#[test]
fn every_order_has_its_own_96_bit_code_and_its_detail_shows_the_path() {
    let mut t = desk();
    let (_, a) = customer_and_order(&mut t, "张伟");
    let (_, b) = customer_and_order(&mut t, "李娜");
    let (pa, pb) = (path_of(&mut t, a), path_of(&mut t, b));
    for p in [&pa, &pb] {
        let c = code(p);
        assert_eq!(c.len(), 24, "{p}");
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{p}"
        );
    }
    assert_ne!(pa, pb);
    // The same order keeps its code.
    assert_eq!(path_of(&mut t, a), pa);
    // Lists carry no codes: the link is on the order's detail only.
    let list = t.ok("orders.list", json!({}));
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o.get("status_path").is_none()),
        "{list}"
    );
    // Unique in the store.
    let db = t.db();
    let (n, distinct): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(DISTINCT code) FROM order_status_code",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, distinct), (2, 2));
    let dup = db.execute(
        "UPDATE order_status_code SET code = ?1 WHERE order_id = ?2",
        rusqlite::params![code(&pa), b],
    );
    assert!(dup.is_err(), "two orders with one code");
}

/// Over many codes every hex digit turns up in every position about as often: the 96 bits
/// are random, not a counter or a clock.
#[test]
fn codes_spread_over_every_digit_in_every_position() {
    let codes: Vec<String> = (0..2000)
        .map(|_| status_page::new_code().unwrap())
        .collect();
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), codes.len());
    for pos in 0..24 {
        let mut seen = [0u32; 16];
        for c in &codes {
            let d = (c.as_bytes()[pos] as char).to_digit(16).unwrap();
            seen[d as usize] += 1;
        }
        // 2000 / 16 = 125 expected each; a fair digit stays well inside 60..200.
        for (digit, n) in seen.iter().enumerate() {
            assert!((60..200).contains(n), "position {pos} digit {digit:x}: {n}");
        }
    }
}

#[test]
fn the_public_view_has_exactly_the_allowed_fields_and_nothing_private() {
    let mut t = desk();
    let (_, o) = customer_and_order(&mut t, "张伟");
    let wang = t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "朝阳"}),
    )["id"]
        .clone();
    t.desk.set_clock(Some(at("2026-11-23T10:30:00+08:00")));
    t.ok(
        "orders.assign",
        json!({"id": o, "engineer_id": wang, "appointment_from": "2026-11-24 14:00",
               "appointment_to": "2026-11-24 16:00"}),
    );
    t.desk.set_clock(Some(at("2026-11-24T14:10:00+08:00")));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    t.desk.set_clock(Some(at("2026-11-24T15:20:00+08:00")));
    t.ok(
        "orders.complete",
        json!({"id": o, "diagnosis": "点火针积碳（内部）", "work_done": "更换点火针",
               "fees": [{"kind": "labour", "amount_fen": 8000}]}),
    );
    t.ok(
        "orders.pay",
        json!({"id": o, "method": "cash", "amount_fen": 3000, "note": "余款月底结"}),
    );
    let path = path_of(&mut t, o);
    let v = view(&t, &path).expect("the order's page");
    let json = serde_json::to_value(&v).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "appointment",
            "company",
            "customer",
            "due_fen",
            "engineer",
            "hotline",
            "number",
            "paid_fen",
            "status",
            "status_at",
            "status_label",
            "steps",
            "total_fen"
        ]
    );
    assert_eq!(v.number, "WO2026000001");
    assert_eq!(v.customer, "张**");
    assert_eq!(v.engineer.as_deref(), Some("王师傅"));
    assert_eq!(v.appointment.as_deref(), Some("2026-11-24 14:00 – 16:00"));
    assert_eq!(v.status_label, "已完工");
    assert_eq!(v.status_at, "2026-11-24 15:20");
    assert_eq!((v.total_fen, v.paid_fen, v.due_fen), (8000, 3000, 5000));
    let steps: Vec<(&str, &str)> = v
        .steps
        .iter()
        .map(|s| (s.status_label, s.at.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("已登记", "2026-11-23 10:00"),
            ("已派工", "2026-11-23 10:30"),
            ("处理中", "2026-11-24 14:10"),
            ("已完工", "2026-11-24 15:20"),
        ]
    );
    let text = json.to_string();
    for private in [
        "13812345678",
        "5678",
        "62345678",
        "13912349876",
        "9876",
        "中关村",
        "海淀",
        "502",
        "朝阳",
        "张伟",
        "张先生",
        "王磊",
        "13900001111",
        "打开热水",
        "异味",
        "家里有狗",
        "点火针",
        "余款",
        "现金",
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[test]
fn a_new_order_shows_no_engineer_appointment_or_amount_yet() {
    let mut t = desk();
    let (_, o) = customer_and_order(&mut t, "Smith & <script>alert(1)</script>");
    let path = path_of(&mut t, o);
    let v = view(&t, &path).unwrap();
    assert_eq!(v.customer, "S**");
    assert_eq!(v.engineer, None);
    assert_eq!(v.appointment, None);
    assert_eq!((v.total_fen, v.due_fen), (0, 0));
    assert_eq!(v.status_label, "已登记");
    assert_eq!(v.steps.len(), 1);
}

#[test]
fn revoking_replaces_the_code_at_once_and_is_audited() {
    let mut t = desk();
    let (_, o) = customer_and_order(&mut t, "张伟");
    let (_, other) = customer_and_order(&mut t, "李娜");
    let old = path_of(&mut t, o);
    let other_path = path_of(&mut t, other);
    let r = t.ok("orders.status_code_revoke", json!({"order_id": o}));
    let new = r["status_path"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(path_of(&mut t, o), new);
    assert!(view(&t, &old).is_none(), "the old link still works");
    assert_eq!(view(&t, &new).unwrap().number, "WO2026000001");
    // Other orders keep theirs.
    assert_eq!(path_of(&mut t, other), other_path);
    assert!(view(&t, &other_path).is_some());
    // One code per order: the old one is gone from the store.
    let n: i64 = t.sql("SELECT count(*) FROM order_status_code");
    assert_eq!(n, 2);
    let audit = t.ok("audit.list", json!({}));
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "status_link_revoked")
        .unwrap_or_else(|| panic!("no audit entry: {audit}"));
    assert_eq!(entry["entity"], "work_order");
    assert_eq!(entry["entity_id"], o);
    assert!(entry["detail"].as_str().unwrap().contains("WO2026000001"));
    assert!(!entry["detail"].as_str().unwrap().contains(code(&new)));
    // An order that does not exist.
    let e = t.err("orders.status_code_revoke", json!({"order_id": 999}));
    assert_eq!(e["code"], "not_found");
}

/// A revoked code and one that never existed are the same answer; so is anything that is
/// not a code's shape.
#[test]
fn unknown_revoked_and_malformed_codes_are_all_not_found() {
    let mut t = desk();
    let (_, o) = customer_and_order(&mut t, "张伟");
    let old = path_of(&mut t, o);
    t.ok("orders.status_code_revoke", json!({"order_id": o}));
    let peer: Option<IpAddr> = Some("198.51.100.7".parse().unwrap());
    let never = status_page::new_code().unwrap();
    for c in [
        code(&old),
        never.as_str(),
        "",
        "x",
        &code(&old).to_uppercase(),
        "' OR 1=1 --",
        &"a".repeat(10_000),
    ] {
        assert_eq!(
            status_page::lookup(&t.desk, peer, c).unwrap(),
            Lookup::NotFound,
            "{c}"
        );
    }
}

#[test]
fn a_peer_is_limited_per_minute_and_others_are_not() {
    let mut t = desk();
    let (_, o) = customer_and_order(&mut t, "张伟");
    let path = path_of(&mut t, o);
    let c = code(&path).to_string();
    t.desk.set_clock(Some(at("2026-11-23T10:00:05+08:00")));
    let me: Option<IpAddr> = Some("203.0.113.9".parse().unwrap());
    let other: Option<IpAddr> = Some("203.0.113.10".parse().unwrap());
    for i in 0..HITS_PER_MINUTE {
        // Found and not found count alike.
        let asked = if i % 2 == 0 { c.as_str() } else { "nope" };
        assert_ne!(
            status_page::lookup(&t.desk, me, asked).unwrap(),
            Lookup::Limited,
            "hit {i}"
        );
    }
    assert_eq!(
        status_page::lookup(&t.desk, me, &c).unwrap(),
        Lookup::Limited
    );
    // A second door on the same store counts the same peer (issue 19: no door state).
    let second = t.second_desk();
    let mut second = second;
    second.set_clock(Some(at("2026-11-23T10:00:30+08:00")));
    assert_eq!(
        status_page::lookup(&second, me, &c).unwrap(),
        Lookup::Limited
    );
    assert!(matches!(
        status_page::lookup(&t.desk, other, &c).unwrap(),
        Lookup::Found(_)
    ));
    // The next minute it answers again, and the minutes gone are swept.
    t.desk.set_clock(Some(at("2026-11-23T10:01:00+08:00")));
    assert!(matches!(
        status_page::lookup(&t.desk, me, &c).unwrap(),
        Lookup::Found(_)
    ));
    let rows: i64 = t.sql("SELECT count(*) FROM status_page_hit");
    assert_eq!(rows, 1);
}

/// Orders made before the status page get a code from its migration, on either engine:
/// its two tables dropped and its entry (23, index 22) run again as the migrator runs it.
/// (Taking the whole desk back to version 22 would run the later migrations again, and
/// those add columns that cannot be dropped first.)
#[test]
fn the_migration_gives_every_existing_order_a_code() {
    let mut t = desk();
    for name in ["张伟", "李娜", "王芳"] {
        customer_and_order(&mut t, name);
    }
    let entry = match t.database_url() {
        None => aftersales::platform::db::MIGRATIONS[22],
        Some(_) => aftersales::platform::db::PG_MIGRATIONS[22],
    };
    assert!(entry.contains("CREATE TABLE order_status_code"), "{entry}");
    let db = t.db();
    db.execute_batch("DROP TABLE status_page_hit; DROP TABLE order_status_code;")
        .unwrap();
    db.execute_batch(entry).unwrap();
    drop(db);
    let db = t.db();
    let codes: Vec<String> = db
        .prepare("SELECT code FROM order_status_code ORDER BY order_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(codes.len(), 3);
    for c in &codes {
        assert!(status_page::well_formed(c), "{c}");
    }
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 3);
    let v = status_page::public_view(&t.desk, &codes[1])
        .unwrap()
        .unwrap();
    assert_eq!(v.customer, "李**");
}

/// With `public_url` set the slip's QR code is the page's full address; without, the
/// slip and order numbers as before. Read back from the PDF: pdftoppm, then zbarimg.
#[test]
fn the_slips_qr_code_is_the_pages_address_once_public_url_is_set() {
    let mut t = desk();
    let o = crate::slips::completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 0);
    let r = t.ok("slips.print", json!({"order_id": o, "format": "a5"}));
    let (pdf, _) = crate::platform::pdf::save_pdf(&r, "status-qr-before");
    assert_eq!(
        crate::platform::pdf::scan(&pdf, 200),
        ["QR-Code:FW2026000001 WO2026000001"]
    );
    let e = t.err(
        "settings.save",
        json!({"public_url": "javascript:alert(1)"}),
    );
    assert_eq!(e["field"], "public_url");
    let s = t.ok(
        "settings.save",
        json!({"public_url": "https://Fuwu.Example.com/"}),
    );
    assert_eq!(s["public_url"], "https://fuwu.example.com");
    let path = path_of(&mut t, o);
    assert_eq!(
        t.ok("orders.get", json!({"id": o}))["status_url"],
        format!("https://fuwu.example.com{path}")
    );
    for format in ["a5", "thermal"] {
        let r = t.ok("slips.print", json!({"order_id": o, "format": format}));
        let (pdf, _) = crate::platform::pdf::save_pdf(&r, &format!("status-qr-{format}"));
        assert_eq!(
            crate::platform::pdf::scan(&pdf, 200),
            [format!("QR-Code:https://fuwu.example.com{path}")],
            "{format}"
        );
    }
    // Revoked: the next print carries the new address.
    let new = t.ok("orders.status_code_revoke", json!({"order_id": o}))["status_path"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t.ok("slips.print", json!({"order_id": o, "format": "a5"}));
    let (pdf, _) = crate::platform::pdf::save_pdf(&r, "status-qr-revoked");
    assert_eq!(
        crate::platform::pdf::scan(&pdf, 200),
        [format!("QR-Code:https://fuwu.example.com{new}")]
    );
    let _: Value = t.ok("settings.save", json!({"public_url": ""}));
}
