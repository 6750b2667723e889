//! Issue 17 (slips): a preview is not a print — it carries 预览 and leaves no trace (no
//! number, no print, no timeline event, no audit entry), so 补打 marks only a real second
//! print; and A5 fits a slip with eight part lines on one page with the terms at 7 pt or
//! more, a longer one continuing with the slip's header (number, customer, machine).
//! PDFs read back with poppler (`pdftotext`, `pdfinfo`, `pdftotext -bbox` for sizes,
//! `pdftoppm` for the mark's grey in the middle of the page).

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::completed_order;
use crate::platform::pdf::{page_count, run, save_pdf, squeezed, text};
use crate::util::{desk, TestDesk};

/// What a preview must not change: slips, prints, counters, timeline events, audit.
fn traces(t: &TestDesk) -> Vec<i64> {
    let conn = t.db();
    [
        "SELECT count(*) FROM slip",
        "SELECT count(*) FROM slip_print",
        "SELECT coalesce(sum(last), 0) FROM slip_counter",
        "SELECT count(*) FROM order_event",
        "SELECT count(*) FROM audit_entry",
    ]
    .iter()
    .map(|q| conn.query_row(q, [], |r| r.get(0)).unwrap())
    .collect()
}

/// The text in content-stream order (`pdftotext -raw`).
fn raw_text(pdf: &Path) -> String {
    String::from_utf8(run(Command::new("pdftotext").arg("-raw").arg(pdf).arg("-"))).unwrap()
}

fn preview(t: &mut TestDesk, order: i64, format: &str) -> Value {
    t.ok(
        "slips.preview",
        json!({"order_id": order, "format": format}),
    )
}

#[test]
fn a_preview_records_nothing_and_only_a_real_second_print_says_reprint() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 2);
    let before = traces(&t);
    // Before the first print: no number yet, 预览 on the paper, nothing recorded.
    for format in ["a4", "a5", "continuous", "thermal", "overlay"] {
        let p = preview(&mut t, order, format);
        assert_eq!(p["number"], "", "{format}: {p}");
        let (path, _) = save_pdf(&p, &format!("slip-preview-{format}"));
        // The mark is drawn first, under the slip: in the text layer's own order it is the
        // first text (poppler's reading order may take a diagonal word apart).
        let raw = squeezed(&raw_text(&path));
        assert!(raw.starts_with("预览"), "{format}: {raw}");
        let all = squeezed(&text(&path, None));
        assert!(!all.contains("补打"), "{format}: {all}");
        assert!(
            !all.contains("FW2026"),
            "{format}: a number before any print: {all}"
        );
        assert_eq!(traces(&t), before, "{format}: a preview left a trace");
    }
    let p = preview(&mut t, order, "a4");
    let (path, _) = save_pdf(&p, "slip-preview-a4-unnumbered");
    assert!(squeezed(&text(&path, None)).contains("打印时编号"));
    let slips = t.ok("slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"], json!([]), "{slips}");

    // The first real print: the year's first number, the original (no 补打, no 预览).
    let first = t.ok("slips.print", json!({"order_id": order, "format": "a4"}));
    assert_eq!(first["slip"]["number"], "FW2026000001");
    assert_eq!(first["reprint"], 0);
    let (path, _) = save_pdf(&first, "slip-first-after-preview");
    let all = squeezed(&raw_text(&path));
    assert!(!all.contains("补打") && !all.contains("预览"), "{all}");

    // A preview after it shows the slip's number, still no 补打, still nothing recorded.
    let after_print = traces(&t);
    let p = preview(&mut t, order, "a4");
    assert_eq!(p["number"], "FW2026000001");
    let (path, _) = save_pdf(&p, "slip-preview-numbered");
    let all = squeezed(&text(&path, None));
    assert!(all.contains("FW2026000001"), "{all}");
    assert!(squeezed(&raw_text(&path)).starts_with("预览"));
    assert!(!all.contains("补打"), "{all}");
    assert_eq!(traces(&t), after_print);
    let slips = t.ok("slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 1, "{slips}");

    // The second real print is the reprint.
    let second = t.ok("slips.print", json!({"order_id": order, "format": "a4"}));
    assert_eq!(second["reprint"], 1);
    let (path, _) = save_pdf(&second, "slip-second-print");
    let all = squeezed(&raw_text(&path));
    assert!(all.contains("补打") && !all.contains("预览"), "{all}");
}

/// Pixels of page 1 at 40 dpi in the preview mark's light grey (0.82 ≈ 209 of 255; the
/// label cells' 0.92 and the table header's 0.88 are lighter) in the middle ninth of the page.
fn mark_grey_in_the_middle(pdf: &Path) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("page");
    run(Command::new("pdftoppm")
        .args(["-r", "40", "-gray", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem));
    let bytes = std::fs::read(stem.with_extension("pgm")).unwrap();
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte a pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let px = &bytes[at + 1..];
    (h / 3..h * 2 / 3)
        .flat_map(|row| (w / 3..w * 2 / 3).map(move |col| row * w + col))
        .filter(|&i| (195..=220).contains(&px[i]))
        .count()
}

#[test]
fn the_preview_mark_lies_across_the_middle_of_every_format() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 2);
    for format in ["a4", "a5", "continuous", "thermal", "overlay"] {
        let p = preview(&mut t, order, format);
        let (previewed, _) = save_pdf(&p, &format!("slip-preview-mark-{format}"));
        let r = t.ok("slips.print", json!({"order_id": order, "format": format}));
        let (printed, _) = save_pdf(&r, &format!("slip-print-no-mark-{format}"));
        let (marked, plain) = (
            mark_grey_in_the_middle(&previewed),
            mark_grey_in_the_middle(&printed),
        );
        assert!(
            marked > plain + 150,
            "{format}: {marked} light-grey pixels in the middle of the preview, {plain} in the print"
        );
    }
}

#[test]
fn a_preview_is_refused_as_a_print_is() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京", 0);
    let e = t.err("slips.preview", json!({"order_id": order, "format": "b5"}));
    assert_eq!(e["field"], "format");
    let e = t.err("slips.preview", json!({"order_id": order, "copies": "two"}));
    assert_eq!(e["field"], "copies");
    let e = t.err("slips.preview", json!({"order_id": 999}));
    assert_eq!(e["field"], "order_id");
    let c = t.ok(
        "orders.create",
        json!({"customer_id": 1, "fault": "x", "confirmed": true}),
    )["id"]
        .clone();
    t.ok(
        "orders.move",
        json!({"id": c, "to": "cancelled", "reason": "重复登记"}),
    );
    let e = t.err("slips.preview", json!({"order_id": c}));
    assert_eq!(e["field"], "order_id");
}

/// Words of page `page` (from 1) with their box height in points, from `pdftotext -bbox`.
fn words(pdf: &Path, page: usize) -> Vec<(String, f32)> {
    let p = page.to_string();
    let html = String::from_utf8(run(Command::new("pdftotext")
        .args(["-bbox", "-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")))
    .unwrap();
    let attr = |line: &str, name: &str| -> f32 {
        let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| {
            let word = l.split('>').nth(1).unwrap().split('<').next().unwrap();
            (word.to_string(), attr(l, "yMax") - attr(l, "yMin"))
        })
        .collect()
}

/// The size in points of the text on `page` whose word contains `start`,
/// measured against the slip's title (服务维修单, 12 pt × the paper's scale `k`): poppler's
/// word box is the font size times the same factor for every word of one font.
fn size_of(pdf: &Path, page: usize, start: &str, title_pt: f32) -> f32 {
    let words = words(pdf, page);
    let title = words
        .iter()
        .find(|(w, _)| w.starts_with("服务维修单"))
        .unwrap_or_else(|| panic!("no title in {words:?}"))
        .1;
    let found = words
        .iter()
        .find(|(w, _)| w.contains(start))
        .unwrap_or_else(|| panic!("no {start} in {words:?}"))
        .1;
    found / title * title_pt
}

#[test]
fn a5_fits_eight_part_lines_on_one_page_with_the_terms_at_seven_points() {
    let mut t = desk();
    // A company that fills in its hotline and address: one more line of terms.
    t.ok(
        "settings.save",
        json!({"company_name": "华北燃气热水器售后服务中心", "company_hotline": "400-800-1234",
               "company_address": "北京市海淀区中关村南大街5号理工科技大厦一层"}),
    );
    for parts in [3, 8] {
        let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", parts);
        let r = t.ok("slips.print", json!({"order_id": order, "format": "a5"}));
        let (path, _) = save_pdf(&r, &format!("slip-a5-{parts}-parts"));
        assert_eq!(r["pages"], 1, "{parts} part lines");
        assert_eq!(page_count(&path), 1, "{parts} part lines");
        let all = squeezed(&text(&path, None));
        for n in 1..=parts {
            assert!(all.contains(&format!("P{n:03}-")), "part {n}: {all}");
        }
        for needle in [
            "合计",
            "大写：",
            "客户签名",
            "维修保修",
            "保内维修免收工时费",
            "请核对服务内容后签字确认",
            "服务热线：400-800-1234",
        ] {
            assert!(all.contains(needle), "{needle}: {all}");
        }
        // The terms (1. 保内维修…, and the last, …第三联由客户保存) at 7 pt or more: A5's
        // title is 12 pt × 0.8.
        for start in ["1.", "第三联由客户保存"] {
            let size = size_of(&path, 1, start, 9.6);
            assert!(size >= 6.95, "{parts} parts: terms {start} at {size:.2} pt");
        }
    }
}

#[test]
fn a5_with_twelve_part_lines_continues_with_the_slips_header() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 12);
    let r = t.ok("slips.print", json!({"order_id": order, "format": "a5"}));
    let (path, _) = save_pdf(&r, "slip-a5-12-parts");
    assert_eq!(page_count(&path), 2);
    assert_eq!(r["pages"], 2);
    let number = r["slip"]["number"].as_str().unwrap();
    let serial = t.ok("orders.get", json!({"id": order}))["equipment"]["serial"]
        .as_str()
        .unwrap()
        .to_string();
    for page in [1, 2] {
        let words = squeezed(&text(&path, Some(page)));
        for needle in [number, "张伟", "13812345678", "JSQ25-13", serial.as_str()] {
            assert!(
                words.contains(needle),
                "page {page} lacks {needle}: {words}"
            );
        }
        assert!(
            words.contains(&format!("第{page}/2页")),
            "page {page}: {words}"
        );
    }
    let second = squeezed(&text(&path, Some(2)));
    assert!(second.contains("续页"), "{second}");
    // Every part line printed once; the foot never split from a header.
    let all = squeezed(&text(&path, None));
    for n in 1..=12 {
        assert_eq!(all.matches(&format!("P{n:03}-")).count(), 1, "part {n}");
    }
    for needle in ["合计", "客户签名", "保内维修免收工时费"] {
        let on: Vec<usize> = [1, 2]
            .into_iter()
            .filter(|&p| squeezed(&text(&path, Some(p))).contains(needle))
            .collect();
        assert_eq!(on.len(), 1, "{needle} on pages {on:?}");
    }
    let size = size_of(&path, 2, "1.", 9.6);
    assert!(size >= 6.95, "terms at {size:.2} pt");
}
