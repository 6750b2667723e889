//! Service slips: numbers given once and never again, reprints counted, voids kept, the
//! continuity report, the customer's opinion and signature; and the PDFs themselves read
//! back with pdftotext and pdftoppm in every format.

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
    let conn = t.db();
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
    let conn = t.db();
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

/// The printer is handed the PDF only after the print is committed. A printer that does
/// not exist refuses it: the clerk is told the slip is recorded but not printed, the
/// number stays taken, the print is marked unsent, and the next print is the original.
#[test]
fn a_refused_printer_leaves_the_slip_recorded_and_marked_unsent() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京", 0);
    t.ok(
        "settings.save",
        json!({"printers": {"a4": "no-such-printer-for-tests"}}),
    );
    let e = t.err(
        "slips.print",
        json!({"order_id": a, "format": "a4", "send": true}),
    );
    assert_eq!(e["code"], "invalid");
    assert_eq!(e["field"], "printer");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("服务单 FW2026000001 已记录，但没有打印出来："),
        "{message}"
    );
    let slips = t.ok("slips.list", json!({"order_id": a}));
    assert_eq!(slips["items"][0]["number"], "FW2026000001");
    // Recorded, but no print reached the printer yet.
    assert_eq!(slips["items"][0]["prints"], 0);
    let unsent: String = t.sql(
        "SELECT u.reason FROM slip_print_unsent u JOIN slip_print p ON p.id = u.print_id
         JOIN slip s ON s.id = p.slip_id WHERE s.number = 'FW2026000001'",
    );
    assert!(message.contains(&unsent), "{unsent}");
    let timeline: String = t.sql("SELECT group_concat(detail, '|') FROM order_event");
    assert!(
        timeline.contains("服务单 FW2026000001 未送到打印机"),
        "{timeline}"
    );
    // Printed again (here as a PDF to download): the same number, the original.
    let again = print(&mut t, a, "a4");
    assert_eq!(again["slip"]["number"], "FW2026000001");
    assert_eq!(again["reprint"], 0);
    let slips = t.ok("slips.list", json!({"order_id": a}));
    assert_eq!(slips["items"][0]["prints"], 1);
    let marks: i64 = t.sql("SELECT count(*) FROM slip_print_unsent");
    assert_eq!(marks, 1);
    // The mark is append-only like the print itself.
    let conn = t.db();
    assert!(conn.execute("DELETE FROM slip_print_unsent", []).is_err());
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
    use crate::platform::pdf::{page_count, rasterise, save_pdf, squeezed, text, RARE};
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

// ---- the company logo ---------------------------------------------------------------------

/// A PNG of `w` × `h` RGB pixels, written by hand without compression (stored deflate
/// blocks): the tests need no image encoder, and noise cannot be made small.
pub(crate) fn png(w: usize, h: usize, rgb: impl Fn(usize, usize) -> [u8; 3]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut raw = Vec::with_capacity(h * (w * 3 + 1));
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend(rgb(x, y));
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let n = block.len() as u16;
        z.extend(n.to_le_bytes());
        z.extend((!n).to_le_bytes());
        z.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend((w as u32).to_be_bytes());
    ihdr.extend((h as u32).to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8 bits, RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A dark 2:1 logo, solid: every pixel of it prints as ink.
fn solid_logo() -> Vec<u8> {
    png(240, 120, |_, _| [0x1a, 0x3a, 0x8a])
}

/// A 96 × 48 JPEG (blue with a red square), as a camera or a drawing program writes one.
const JPEG_LOGO: &str = concat!(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJ",
    "DRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ",
    "EBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAwAGADAREAAhEBAxEB/8QAGQABAQEBAQEAAAAAAAAAAAAAAAYEBwMI/8QA",
    "KRABAAAEAQwDAQAAAAAAAAAAAAECAwUEBxESFTE1RVV0g7LCE5TRFP/EABoBAQADAQEBAAAAAAAAAAAAAAAFBwgGCQT/",
    "xAAzEQABAgIECwgDAQAAAAAAAAAAAQMCEQQFBnMHCBIWMTU2RIOTwyFFVFWys9HSFBVBcf/aAAwDAQACEQMRAD8A+RF8",
    "HBAAAAAAAAAAAAAAAAAAAAAAAAFvk14j2fdSGGTcuJ0zSuLx3lweqW6kTSoAAHH75vu4dVV84tg2Z1JQ7pv0IefVtNpa",
    "wv3vciMKcOaAAAAAAAALfJrxHs+6kMMm5cTpmlcXjvLg9Ut1ImlQAAOP3zfdw6qr5xbBszqSh3TfoQ8+rabS1hfve5EY",
    "U4c0AAAAAAAAW+TXiPZ91IYZNy4nTNK4vHeXB6pbqRNKgAAcfvm+7h1VXzi2DZnUlDum/Qh59W02lrC/e9yIwpw5oAAA",
    "AAAAAt8mvEez7qQwyblxOmaVxeO8uD1S3UiaVAAA4/fN93DqqvnFsGzOpKHdN+hDz6tptLWF+97kRhThzQAAAAAAAB74",
    "bHY3BaX8eMr0NPNpfFUjLpZtmfNt2xfDTasoNY5P5jMDmTOWVCkUp6ZTRZTkk/8ACSq6uqyqjK/XUhxrKlPIjihnKcp5",
    "KpOU1lPRNT315e+cY77E/wCvhzZqTwbXLg+CTz0tL5g/znPsNeXvnGO+xP8ApmzUng2uXB8DPS0vmD/Oc+w15e+cY77E",
    "/wCmbNSeDa5cHwM9LS+YP85z7GOpUnqzzVas80888YzTTTRzxjGO2MYplpqBiCFpqFIYYUREREkiImhET+In8Q55552k",
    "uxPPRLFHEqqqqs1VV7VVVXtVVXtVV0n/2Q==",
);
/// The logo's box (mm from the page's top-left corner) in each format, as
/// `render::logo_box` puts it: right of the numbers block (52 mm × k from the left margin),
/// 22 × 14 mm × k; the receipt's at its top-left corner. The name starts 3 mm × k after it.
const LOGO_BOXES: [(&str, MmBox, f32); 4] = [
    ("a4", (66.0, 12.0, 22.0, 14.0), 3.0),
    // A5's top margin is 6 mm since issue 17 (room for eight part lines).
    ("a5", (51.6, 6.0, 17.6, 11.2), 2.4),
    ("continuous", (71.0, 10.0, 22.0, 14.0), 3.0),
    ("thermal", (4.0, 3.0, 16.0, 10.0), 2.0),
];

/// x, y, width, height in mm.
type MmBox = (f32, f32, f32, f32);

/// Where `pdftotext -bbox` found a word containing `text` on page 1: xMin, yMin, xMax,
/// yMax in mm.
fn word_box(pdf: &std::path::Path, text: &str) -> Option<MmBox> {
    let out = crate::platform::pdf::run(
        std::process::Command::new("pdftotext")
            .args(["-bbox", "-f", "1", "-l", "1"])
            .arg(pdf)
            .arg("-"),
    );
    let html = String::from_utf8(out).unwrap();
    let line = html
        .lines()
        .find(|l| l.contains("<word") && l.contains(text))?;
    let attr = |name: &str| -> f32 {
        let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = line[at..].find('"').unwrap();
        line[at..at + end].parse::<f32>().unwrap() * 25.4 / 72.0
    };
    Some((attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")))
}

/// Image objects in the file, each counted once however many pages draw it.
fn image_objects(pdf: &std::path::Path) -> (usize, usize) {
    let out = crate::platform::pdf::run(
        std::process::Command::new("pdfimages")
            .arg("-list")
            .arg(pdf),
    );
    let list = String::from_utf8(out).unwrap();
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .filter(|r: &Vec<&str>| r.len() > 11)
        .collect();
    let mut objects: Vec<&str> = rows.iter().map(|r| r[10]).collect();
    objects.sort();
    objects.dedup();
    (rows.len(), objects.len())
}

#[test]
fn the_logo_prints_in_its_box_left_of_the_company_name_in_every_format() {
    use crate::platform::pdf::{page_count, rasterise, save_pdf, squeezed, text};
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 2);
    let long = completed_order(&mut t, "李娜", "北京市朝阳区建国路88号", 30);
    let name = "华北燃气热水器售后服务中心";
    t.ok("settings.save", json!({"company_name": name}));
    let mut plain = Vec::new();
    for (format, ..) in LOGO_BOXES {
        let r = t.ok("slips.print", json!({"order_id": order, "format": format}));
        plain.push(save_pdf(&r, &format!("slip-{format}-no-logo")).1.len());
    }
    let logo = solid_logo();
    let saved = t.ok(
        "settings.save",
        json!({"company_logo": format!("data:image/png;base64,{}", b64(&logo))}),
    );
    assert_eq!(
        saved["company_logo"],
        format!("data:image/png;base64,{}", b64(&logo))
    );
    assert_eq!(
        t.ok("settings.get", json!({}))["company_logo"],
        saved["company_logo"]
    );
    let dpi = 100;
    for (i, (format, (x, y, w, h), gap)) in LOGO_BOXES.iter().enumerate() {
        let r = t.ok("slips.print", json!({"order_id": order, "format": format}));
        let (path, bytes) = save_pdf(&r, &format!("slip-{format}-logo"));
        let grown = bytes.len() as i64 - plain[i] as i64;
        assert!(
            grown < 20 * 1024,
            "{format}: the logo added {grown} bytes ({} → {})",
            plain[i],
            bytes.len()
        );
        assert_eq!(image_objects(&path), (1, 1), "{format}");
        assert!(squeezed(&text(&path, None)).contains(name), "{format}");
        let page = &rasterise(&path, dpi)[0];
        // The 2:1 logo fills the box's width, centred in its height: solid ink well inside.
        let (ix, iy, iw, ih) = (x + 1.0, y + h / 2.0 - w / 4.0 + 1.0, w - 2.0, w / 2.0 - 2.0);
        let px = (iw * dpi as f32 / 25.4) * (ih * dpi as f32 / 25.4);
        let ink = page.ink(ix, iy, iw, ih) as f32;
        assert!(
            ink > px * 0.9,
            "{format}: {ink} of {px} pixels inked in the logo"
        );
        // Nothing in the gap between the logo and the name, and the name starts after it.
        assert_eq!(
            page.ink(x + w + 0.3, *y, gap - 0.6, *h),
            0,
            "{format}: the gap"
        );
        let (name_x, name_top, _, name_bottom) =
            word_box(&path, name).unwrap_or_else(|| panic!("{format}: no name"));
        assert!(
            name_x >= x + w + gap - 0.5,
            "{format}: the name starts at {name_x} mm, the logo's box ends at {}",
            x + w
        );
        assert!(
            name_top < y + h && name_bottom > *y,
            "{format}: name beside the logo"
        );
    }
    // Three copies over several pages: the logo is in the file once, drawn on every page.
    for format in ["a4", "continuous"] {
        let one = t.ok("slips.print", json!({"order_id": long, "format": format}));
        let (path, one) = save_pdf(&one, &format!("slip-{format}-logo-long"));
        let pages = page_count(&path);
        assert!(pages >= 2, "{format}");
        assert_eq!(image_objects(&path), (pages, 1), "{format}");
        let three = t.ok(
            "slips.print",
            json!({"order_id": long, "format": format, "copies": "three"}),
        );
        let (path, three) = save_pdf(&three, &format!("slip-{format}-logo-three"));
        assert_eq!(image_objects(&path), (3 * pages, 1), "{format}");
        assert!(
            three.len() < one.len() * 2,
            "{format}: {} vs {}",
            three.len(),
            one.len()
        );
        for page in rasterise(&path, 50).iter().skip(1) {
            let (x, y, w, h) = LOGO_BOXES[if format == "a4" { 0 } else { 2 }].1;
            assert!(page.ink(x + 1.0, y + 3.0, w - 2.0, h - 6.0) > 0, "{format}");
        }
    }
    // 套打 prints onto a form that has its own logo.
    let r = t.ok(
        "slips.print",
        json!({"order_id": order, "format": "overlay"}),
    );
    let (path, _) = save_pdf(&r, "slip-overlay-logo");
    assert_eq!(image_objects(&path), (0, 0));
}

#[test]
fn without_a_logo_the_box_is_blank_and_the_logo_can_be_removed() {
    use crate::platform::pdf::{rasterise, save_pdf};
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 1);
    assert_eq!(t.ok("settings.get", json!({}))["company_logo"], "");
    let blank = |t: &mut TestDesk, name: &str| {
        for (format, (x, y, w, h), _) in LOGO_BOXES {
            let r = t.ok("slips.print", json!({"order_id": order, "format": format}));
            let (path, _) = save_pdf(&r, &format!("slip-{format}-{name}"));
            assert_eq!(image_objects(&path), (0, 0), "{format} {name}");
            if format != "thermal" {
                // (On the receipt the centred name takes the line the logo would share.)
                assert_eq!(
                    rasterise(&path, 100)[0].ink(x, y, w, h),
                    0,
                    "{format} {name}"
                );
            }
        }
    };
    blank(&mut t, "default");
    // A JPEG as plain base64 (no data: prefix) is taken too.
    let saved = t.ok("settings.save", json!({"company_logo": JPEG_LOGO}));
    assert_eq!(
        saved["company_logo"],
        format!("data:image/jpeg;base64,{JPEG_LOGO}")
    );
    let r = t.ok("slips.print", json!({"order_id": order, "format": "a5"}));
    let (path, _) = save_pdf(&r, "slip-a5-jpeg-logo");
    assert_eq!(image_objects(&path), (1, 1));
    let (x, y, w, h) = LOGO_BOXES[1].1;
    assert!(rasterise(&path, 100)[0].ink(x, y, w, h) > 0);
    // Empty removes it, and the audit trail says so without the picture's bytes.
    assert_eq!(
        t.ok("settings.save", json!({"company_logo": ""}))["company_logo"],
        ""
    );
    blank(&mut t, "removed");
    let trail: String =
        t.sql("SELECT group_concat(detail, ' | ') FROM audit_entry WHERE entity = 'setting'");
    assert!(trail.contains("公司标志：JPEG 96×48"), "{trail}");
    assert!(trail.contains("公司标志：（已删除）"), "{trail}");
    assert!(!trail.contains(JPEG_LOGO.get(..40).unwrap()), "{trail}");
}

#[test]
fn a_bad_logo_is_refused_with_the_field_named_and_nothing_saved() {
    let mut t = desk();
    let good = b64(&solid_logo());
    t.ok("settings.save", json!({"company_logo": good}));
    let noise = png(600, 400, |x, y| {
        let v = (x * 7919 + y * 104_729) as u32;
        let v = v.wrapping_mul(2_654_435_761);
        [(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8]
    });
    let mut truncated = solid_logo();
    truncated.truncate(400);
    let gif = b"GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04".to_vec();
    let cases: Vec<(&str, String, &str)> = vec![
        ("not base64", "这不是图片".to_string(), "base64"),
        (
            "a text file",
            b64("公司简介：我们是一家燃气热水器售后服务公司".as_bytes()),
            "PNG 或 JPEG",
        ),
        ("a GIF", b64(&gif), "PNG 或 JPEG"),
        ("too big", b64(&noise), "512 KB"),
        (
            "too big, as a data URL",
            format!("data:image/png;base64,{}", b64(&noise)),
            "512 KB",
        ),
        ("too small", b64(&png(8, 8, |_, _| [0, 0, 0])), "像素"),
        ("too thin", b64(&png(400, 20, |_, _| [0, 0, 0])), "细长"),
        ("truncated", b64(&truncated), "无法读取"),
        (
            "a data URL not in base64",
            "data:image/svg+xml,<svg/>".to_string(),
            "base64",
        ),
    ];
    for (case, value, says) in cases {
        let e = t.err(
            "settings.save",
            json!({"company_name": "改过的名字", "company_logo": value}),
        );
        assert_eq!(e["field"], "company_logo", "{case}: {e}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("公司标志") && message.contains(says),
            "{case}: {message}"
        );
        let now = t.ok("settings.get", json!({}));
        assert_eq!(now["company_name"], "售后服务中心", "{case}: nothing saved");
        assert_eq!(
            now["company_logo"],
            format!("data:image/png;base64,{good}"),
            "{case}: the logo kept"
        );
    }
}

// Issue 17: a preview is not a print; A5 fits eight part lines.
mod preview;

// Issue 18: the 80 mm slip straight to an ESC/POS thermal printer.
mod escpos;
mod render_record;

/// Issue 19: slips printed at several desks at once, two desks at a time on the same
/// order's first print: one number per order (the other desk's paper is its reprint), and
/// the numbers run on per year with no gap and no repeat.
#[test]
fn slips_printed_at_n_desks_at_once_take_one_number_per_order_without_gap() {
    let mut t = desk();
    const ROUNDS: usize = 5;
    let orders: Vec<i64> = (0..2 * ROUNDS)
        .map(|i| completed_order(&mut t, &format!("客户{i}"), "北京市海淀区", 0))
        .collect();
    let of_round = orders.clone();
    let outcomes = crate::at_once::at_once(&t, 4, ROUNDS, move |desk, round| {
        (
            "slips.print",
            json!({"order_id": of_round[2 * round + desk / 2], "format": "a4"}),
        )
    });
    let rounds = outcomes[0]
        .iter()
        .zip(&outcomes[1])
        .zip(outcomes[2].iter().zip(&outcomes[3]));
    for (round, (first_pair, second_pair)) in rounds.enumerate() {
        for (pair, (a, b)) in [(0, first_pair), (2, second_pair)] {
            let got: Vec<&Value> = [(pair, a), (pair + 1, b)]
                .into_iter()
                .map(|(desk, outcome)| match outcome {
                    Ok(v) => v,
                    Err(e) => panic!("desk {desk} round {round}: {}", e.to_json()),
                })
                .collect();
            assert_eq!(
                got[0]["slip"]["number"], got[1]["slip"]["number"],
                "round {round}"
            );
            let mut reprints = [got[0]["reprint"].as_i64(), got[1]["reprint"].as_i64()];
            reprints.sort();
            assert_eq!(reprints, [Some(0), Some(1)], "round {round}");
        }
    }
    let conn = t.db();
    let numbers: Vec<String> = conn
        .prepare("SELECT number FROM slip")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(numbers.len(), orders.len());
    crate::at_once::assert_gapless(&numbers, 6, "slips");
    for o in orders {
        let slips: i64 = conn
            .query_row("SELECT count(*) FROM slip WHERE order_id = ?1", [o], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(slips, 1, "order {o}");
    }
}
