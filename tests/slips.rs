//! Service slips: numbers given once and never again, reprints counted, voids kept, the
//! continuity report, the customer's opinion and signature; and the PDFs themselves read
//! back with pdftotext and pdftoppm in every format.

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

/// A completed order: customer, machine, engineer, `parts` part lines, labour.
pub fn completed_order(t: &mut TestDesk, name: &str, address: &str, parts: usize) -> i64 {
    clock(t, MONDAY_10);
    let model = match t.ok("models.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .first()
    {
        Some(m) => m["id"].clone(),
        None => t.ok(
            "models.save",
            json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
                   "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
        )["id"]
            .clone(),
    };
    let customer = t.ok(
        "customers.create",
        json!({"name": name, "phones": ["13812345678"], "address": address}),
    )["id"]
        .clone();
    let serial = format!(
        "SN{:08}",
        t.ok("orders.list", json!({}))["items"]
            .as_array()
            .unwrap()
            .len()
            + 1
    );
    let machine = t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": serial, "purchase_date": "2020-01-01"}),
    )["id"]
        .clone();
    let engineer = match t.ok("engineers.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .first()
    {
        Some(e) => e["id"].clone(),
        None => t.ok("engineers.save", json!({"name": "李强", "region": "海淀"}))["id"].clone(),
    };
    let mut lines = Vec::new();
    for i in 0..parts {
        let code = format!(
            "P{:03}-{}",
            i + 1,
            t.ok("parts.list", json!({"page_size": 1}))["total"]
        );
        let part = t.ok(
            "parts.save",
            json!({"code": code, "name": format!("备件{}号 燃气热水器水流传感器总成", i + 1), "unit": "个",
                   "cost_fen": 1000, "price_fen": 2500 + i as i64}),
        )["id"]
            .clone();
        t.ok(
            "stock.receive",
            json!({"part_id": part, "store_id": 1, "quantity": 5, "unit_cost_fen": 1000}),
        );
        lines.push(json!({"part_id": part, "store_id": 1, "quantity": 1}));
    }
    let o = t.ok(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "fault": "不点火，显示E1", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap();
    t.ok("orders.assign", json!({"id": o, "engineer_id": engineer}));
    t.ok("orders.move", json!({"id": o, "to": "in_progress"}));
    t.ok(
        "orders.complete",
        json!({"id": o, "diagnosis": "点火针积碳", "work_done": "更换点火针，试机正常", "parts": lines,
               "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    o
}

fn print(t: &mut TestDesk, order: i64, format: &str) -> Value {
    t.ok("slips.print", json!({"order_id": order, "format": format}))
}

#[test]
fn numbers_are_given_once_reprints_are_counted_and_voids_keep_their_number() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 1);
    let b = completed_order(&mut t, "李娜", "北京市朝阳区建国路88号", 0);
    let first = print(&mut t, a, "a4");
    assert_eq!(first["slip"]["number"], "FW2026000001");
    assert_eq!(first["reprint"], 0);
    assert_eq!(print(&mut t, b, "a4")["slip"]["number"], "FW2026000002");
    // A reprint keeps the number and is counted.
    let again = print(&mut t, a, "thermal");
    assert_eq!(again["slip"]["number"], "FW2026000001");
    assert_eq!(again["reprint"], 1);
    assert_eq!(again["slip"]["prints"], 2);
    // A void needs a reason; the number stays, the next print takes a new one.
    let e = t.err("slips.void", json!({"number": "FW2026000001"}));
    assert_eq!(e["field"], "reason");
    let voided = t.ok(
        "slips.void",
        json!({"number": "fw2026000001", "reason": "打印时卡纸"}),
    );
    assert_eq!(voided["void"]["reason"], "打印时卡纸");
    let e = t.err(
        "slips.void",
        json!({"number": "FW2026000001", "reason": "x"}),
    );
    assert_eq!(e["field"], "number");
    let fresh = print(&mut t, a, "a4");
    assert_eq!(fresh["slip"]["number"], "FW2026000003");
    assert_eq!(fresh["reprint"], 0);
    let slips = t.ok("slips.list", json!({"order_id": a}));
    assert_eq!(slips["items"].as_array().unwrap().len(), 2);
    // The order's timeline has the prints and the void.
    let order = t.ok("orders.get", json!({"id": a}));
    let details: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        details.contains(&"补打服务单 FW2026000001（第1次补打）"),
        "{details:?}"
    );
    assert!(
        details.contains(&"作废服务单 FW2026000001：打印时卡纸"),
        "{details:?}"
    );
    // The continuity report: printed, voided, nothing missing.
    let report = t.ok(
        "slips.continuity",
        json!({"from": "2026-11-01", "to": "2026-11-30"}),
    );
    let states: Vec<(&str, &str)> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["number"].as_str().unwrap(), l["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("FW2026000001", "voided"),
            ("FW2026000002", "printed"),
            ("FW2026000003", "printed")
        ]
    );
    assert_eq!(report["missing"], 0);
    // Slips are append-only.
    let conn = Connection::open(t.desk.path()).unwrap();
    assert!(conn.execute("DELETE FROM slip WHERE seq = 2", []).is_err());
    assert!(conn.execute("DELETE FROM slip_void", []).is_err());
    assert!(conn
        .execute("UPDATE slip_print SET reprint = 0", [])
        .is_err());
    // A cancelled order prints no slip.
    let c = t.ok(
        "orders.create",
        json!({"customer_id": 1, "fault": "x", "confirmed": true}),
    )["id"]
        .clone();
    t.ok(
        "orders.move",
        json!({"id": c, "to": "cancelled", "reason": "重复登记"}),
    );
    let e = t.err("slips.print", json!({"order_id": c}));
    assert_eq!(e["field"], "order_id");
    let e = t.err("slips.print", json!({"order_id": a, "format": "b5"}));
    assert_eq!(e["field"], "format");
}

#[test]
fn a_missing_number_shows_in_the_continuity_report() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京", 0);
    print(&mut t, a, "a4");
    // A number taken by the counter but never printed (as if a row were lost).
    let conn = Connection::open(t.desk.path()).unwrap();
    conn.execute("UPDATE slip_counter SET last = last + 1", [])
        .unwrap();
    drop(conn);
    let b = completed_order(&mut t, "李娜", "北京", 0);
    print(&mut t, b, "a4");
    let report = t.ok(
        "slips.continuity",
        json!({"from": "2026-11-23", "to": "2026-11-23"}),
    );
    assert_eq!(report["missing"], 1);
    assert_eq!(report["items"][1]["number"], "FW2026000002");
    assert_eq!(report["items"][1]["state"], "missing");
    let e = t.err(
        "slips.continuity",
        json!({"from": "2026-11-30", "to": "2026-11-01"}),
    );
    assert_eq!(e["field"], "to");
}

#[test]
fn an_unprintable_character_uses_no_number() {
    let mut t = desk();
    // 𠀀 (U+20000) is outside GBK: the font has no glyph for it.
    let a = completed_order(&mut t, "张𠀀", "北京", 0);
    let e = t.err("slips.print", json!({"order_id": a}));
    assert_eq!(e["field"], "customer");
    assert!(e["message"].as_str().unwrap().contains("𠀀"), "{e}");
    let conn = Connection::open(t.desk.path()).unwrap();
    let slips: i64 = conn
        .query_row("SELECT count(*) FROM slip", [], |r| r.get(0))
        .unwrap();
    assert_eq!(slips, 0);
    let counter: Option<i64> = conn
        .query_row("SELECT last FROM slip_counter", [], |r| r.get(0))
        .ok();
    assert_eq!(counter, None);
}

#[test]
fn opinion_and_signature_are_checked_and_kept() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京", 0);
    let e = t.err("slips.opinion", json!({"order_id": a, "opinion": "great"}));
    assert_eq!(e["field"], "opinion");
    let e = t.err(
        "slips.opinion",
        json!({"order_id": a, "opinion": "satisfied", "signature": [[[0.5, 1.5]]]}),
    );
    assert_eq!(e["field"], "signature");
    let o = t.ok(
        "slips.opinion",
        json!({"order_id": a, "opinion": "basically", "remarks": "上门晚了半小时",
               "signature": [[[0.1, 0.5], [0.4, 0.2], [0.8, 0.7]]]}),
    );
    let last = o["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["detail"], "客户意见：基本满意，已签名 上门晚了半小时");
}

#[test]
fn the_overlay_template_is_checked_and_moves_in_half_millimetres() {
    let mut t = desk();
    let view = t.ok("slips.template", json!({}));
    let mut template = view["template"].clone();
    assert!(template["fields"]["customer"]["x"].as_f64().unwrap() > 0.0);
    template["offset_x"] = json!(1.5);
    template["offset_y"] = json!(-0.5);
    let saved = t.ok("slips.template_save", template.clone());
    assert_eq!(saved["template"]["offset_x"], 1.5);
    for (path, value, field) in [
        ("offset_x", json!(0.3), "offset_x"),
        ("offset_y", json!(25.0), "offset_y"),
        ("paper_w", json!(10.0), "paper_w"),
    ] {
        let mut bad = template.clone();
        bad[path] = value;
        let e = t.err("slips.template_save", bad);
        assert_eq!(e["field"], field);
    }
    let mut bad = template.clone();
    bad["fields"]["customer"]["x"] = json!(400.0);
    let e = t.err("slips.template_save", bad);
    assert_eq!(e["field"], "fields");
    assert!(e["message"].as_str().unwrap().contains("客户"), "{e}");
    let mut bad = template.clone();
    bad["fields"]["nonsense"] = json!({"x": 1, "y": 1, "w": 1, "h": 1});
    assert_eq!(t.err("slips.template_save", bad)["field"], "fields");
    // The overlay and the calibration page print on the template's paper.
    let a = completed_order(&mut t, "张伟", "北京", 1);
    let overlay = t.ok("slips.print", json!({"order_id": a, "format": "overlay"}));
    assert_eq!(overlay["pages"], 1);
    let calibration = t.ok("slips.calibration", json!({}));
    assert!(calibration["file_name"].as_str().unwrap().ends_with(".pdf"));
}

/// The longest address a customer may have (200 characters would be absurd; 100 is a
/// real hotel-chain branch with directions).
const LONG_ADDRESS: &str = "内蒙古自治区呼和浩特市赛罕区大学东街与昭乌达路交汇处东南角内蒙古师范大学盛乐校区家属院三号楼二单元六零二室请从南门进入后右转第二个路口左转到底门卫处登记后上楼电梯坏了走楼梯";

#[test]
fn every_format_prints_inside_its_paper_for_a_normal_and_a_worst_case_order() {
    use crate::pdf::{page_count, rasterise, save_pdf, squeezed, text, RARE};
    let mut t = desk();
    let normal = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 2);
    let worst = completed_order(&mut t, &format!("欧阳{RARE}"), LONG_ADDRESS, 30);
    t.ok(
        "settings.save",
        json!({"company_name": "华北燃气热水器售后服务中心", "company_hotline": "400-800-1234"}),
    );
    // Where each paper must stay blank: sheet margins, the continuous form's sprocket
    // strips (12.7 mm each side), the thermal paper's unprintable edges.
    let bands: [(&str, f32, f32); 5] = [
        ("a4", 5.0, 5.0),
        ("a5", 2.5, 2.5),
        ("continuous", 13.0, 4.0),
        ("thermal", 2.5, 1.0),
        ("overlay", 1.0, 1.0),
    ];
    for (case, order) in [("normal", normal), ("worst", worst)] {
        let number = format!("FW20260000{:02}", if case == "normal" { 1 } else { 2 });
        for (i, (format, side, top)) in bands.iter().enumerate() {
            let r = t.ok("slips.print", json!({"order_id": order, "format": format}));
            assert_eq!(r["slip"]["number"], number);
            let (path, bytes) = save_pdf(&r, &format!("slip-{format}-{case}"));
            assert!(
                bytes.len() < 90 * 1024,
                "{format} {case}: {} bytes",
                bytes.len()
            );
            let all = squeezed(&text(&path, None));
            assert!(all.contains(&number), "{format} {case}: {all}");
            let name = if case == "normal" {
                "张伟".to_string()
            } else {
                format!("欧阳{RARE}")
            };
            assert!(
                all.contains(&name),
                "{format} {case}: the name, rare characters and all: {all}"
            );
            assert_eq!(
                all.contains("补打"),
                i > 0 && *format != "overlay",
                "{format} {case}"
            );
            if *format != "overlay" && *format != "thermal" {
                assert!(
                    all.contains("服务维修单") && all.contains("客户签名"),
                    "{format} {case}"
                );
                assert!(
                    all.contains("伍拾元整") || all.contains("元"),
                    "{format} {case}"
                );
            }
            if *format != "thermal" {
                // The whole address, however long: wrapped or smaller, never cut.
                let address = if case == "normal" {
                    "北京市海淀区中关村大街1号"
                } else {
                    LONG_ADDRESS
                };
                assert!(all.contains(address), "{format} {case}: address cut: {all}");
            }
            if case == "worst" && !matches!(*format, "thermal" | "overlay") {
                for n in 1..=30 {
                    let code = format!("P{n:03}-");
                    assert!(all.contains(&code), "{format}: part line {n} missing");
                }
                assert!(
                    page_count(&path) >= 2,
                    "{format}: 30 part lines fit one page?"
                );
                let second = squeezed(&text(&path, Some(2)));
                assert!(
                    second.contains("续页") && second.contains(&number),
                    "{format} page 2: {second}"
                );
            }
            for (p, page) in rasterise(&path, 50).iter().enumerate() {
                let (w, h) = (page.w as f32 * 25.4 / 50.0, page.h as f32 * 25.4 / 50.0);
                let outside = page.ink(0.0, 0.0, *side, h)
                    + page.ink(w - side, 0.0, *side, h)
                    + page.ink(0.0, 0.0, w, *top)
                    + page.ink(0.0, h - top, w, *top);
                assert_eq!(
                    outside,
                    0,
                    "{format} {case} page {}: ink in the paper's margin",
                    p + 1
                );
            }
        }
    }
    // Three copies on a laser printer: three labelled pages, the customer's copy last.
    let r = t.ok(
        "slips.print",
        json!({"order_id": normal, "format": "a4", "copies": "three"}),
    );
    let (path, _) = save_pdf(&r, "slip-a4-three");
    assert_eq!(page_count(&path), 3);
    for (page, label) in ["第一联存根", "第二联财务联", "第三联客户联"]
        .iter()
        .enumerate()
    {
        assert!(
            squeezed(&text(&path, Some(page + 1))).contains(label),
            "page {}",
            page + 1
        );
    }
}
