//! PDFs read back the way a person would see them: `pdftotext` for the words, `pdftoppm`
//! for the ink (nothing outside a label's box or the page's safe margin), `zbarimg` for
//! the barcodes and QR codes a scanner would read. Every PDF made here is also saved under
//! `<target>/pdf-samples/` for people to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

const MAIN: i64 = 1;

/// Given names that are in GBK but not in GB2312: a GB2312 font prints them blank.
pub(crate) const RARE: &str = "喆玥堃赟";

// ---- tools ------------------------------------------------------------------------------

/// `<target>/pdf-samples/`, where every PDF and its pictures are kept for people to see.
pub(crate) fn samples() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("pdf-samples");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PDF of an `Exported`-shaped result, saved as `samples()/name.pdf`.
pub(crate) fn save_pdf(result: &Value, name: &str) -> (PathBuf, Vec<u8>) {
    use base64::Engine as _;
    let file = result["file_name"].as_str().unwrap();
    assert!(file.ends_with(".pdf"), "{file}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(result["content_base64"].as_str().unwrap())
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let path = samples().join(format!("{name}.pdf"));
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

pub(crate) fn run(command: &mut Command) -> Vec<u8> {
    let out = crate::tools::output(command)
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e} (cargo xtask test installs it)"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The text of page `page` (from 1), or of every page when `None`.
pub(crate) fn text(pdf: &Path, page: Option<usize>) -> String {
    let mut c = Command::new("pdftotext");
    if let Some(p) = page {
        c.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    String::from_utf8(run(c.arg(pdf).arg("-"))).unwrap()
}

/// `text` without any whitespace: a wrapped name reads as one string again.
pub(crate) fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub(crate) fn page_count(pdf: &Path) -> usize {
    let info = String::from_utf8(run(Command::new("pdfinfo").arg(pdf))).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"))
}

/// One page as grey pixels (0 black … 255 white).
pub(crate) struct Raster {
    pub(crate) w: usize,
    pub(crate) h: usize,
    dpi: f32,
    pub(crate) px: Vec<u8>,
}

impl Raster {
    /// Pixels darker than mid-grey inside the rectangle (mm from the top-left).
    pub(crate) fn ink(&self, x: f32, y: f32, w: f32, h: f32) -> usize {
        let to_px = |mm: f32| (mm * self.dpi / 25.4).round().max(0.0) as usize;
        let (x0, y0) = (to_px(x), to_px(y));
        let (x1, y1) = (to_px(x + w).min(self.w), to_px(y + h).min(self.h));
        let mut n = 0;
        for row in y0..y1 {
            for col in x0..x1 {
                if self.px[row * self.w + col] < 128 {
                    n += 1;
                }
            }
        }
        n
    }

    /// Ink in the band between the edge of the box and `band` mm inside it.
    pub(crate) fn ink_in_border(&self, x: f32, y: f32, w: f32, h: f32, band: f32) -> usize {
        self.ink(x, y, w, band)
            + self.ink(x, y + h - band, w, band)
            + self.ink(x, y + band, band, h - 2.0 * band)
            + self.ink(x + w - band, y + band, band, h - 2.0 * band)
    }
}

/// Every page of `pdf` at `dpi`, in grey; also saved as PNGs beside it (first pages).
pub(crate) fn rasterise(pdf: &Path, dpi: u32) -> Vec<Raster> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    run(Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray"])
        .arg(pdf)
        .arg(&prefix));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let png = pdf.with_extension("");
    run(Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png", "-l", "3"])
        .arg(pdf)
        .arg(&png));
    files.iter().map(|f| read_pgm(f, dpi as f32)).collect()
}

/// A binary PGM (P5, 8-bit), as pdftoppm writes it.
fn read_pgm(path: &Path, dpi: f32) -> Raster {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5", "{}", path.display());
    assert_eq!(fields[3], "255");
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let px = bytes[i + 1..].to_vec();
    assert_eq!(px.len(), w * h);
    Raster { w, h, dpi, px }
}

/// What a scanner reads from the page pictures: `CODE-128:P001`, `QR-Code:A-01`, …
pub(crate) fn scan(pdf: &Path, dpi: u32) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    run(Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png"])
        .arg(pdf)
        .arg(dir.path().join("p")));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        // zbarimg exits 4 when it finds nothing: not a failure here.
        let out = crate::tools::output(
            Command::new("zbarimg")
                .args(["-q", "--nodbus"])
                .arg(entry.unwrap().path()),
        )
        .expect("zbarimg (zbar-tools; cargo xtask test installs it)");
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    found.sort();
    found
}

/// What a scanner reads from one rectangle (mm) of page `page` (from 1).
fn scan_area(pdf: &Path, page: usize, (x, y, w, h): (f32, f32, f32, f32), dpi: u32) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let px = |mm: f32| ((mm * dpi as f32 / 25.4).round() as u32).to_string();
    let png = dir.path().join("cell");
    run(Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args(["-x", &px(x), "-y", &px(y), "-W", &px(w), "-H", &px(h)])
        .arg(pdf)
        .arg(&png));
    let out = crate::tools::output(
        Command::new("zbarimg")
            .args(["-q", "--nodbus"])
            .arg(png.with_extension("png")),
    )
    .expect("zbarimg (zbar-tools; cargo xtask test installs it)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

// ---- data -------------------------------------------------------------------------------

/// A 60-character name (the longest a part may have), with the rare given-name characters.
fn long_name() -> String {
    let name = format!("{RARE}牌燃气热水器原装水气联动阀组件含密封圈及安装螺丝适用于十三升和十六升强排式机型备用替换件特别加长型号请勿与其他型号混用以免漏气");
    let name: String = name.chars().take(60).collect();
    assert_eq!(name.chars().count(), 60);
    name
}

fn save_part(
    t: &mut TestDesk,
    code: &str,
    name: &str,
    spec: &str,
    barcode: &str,
    bin: &str,
) -> i64 {
    t.ok(
        "parts.save",
        json!({"code": code, "name": name, "spec": spec, "unit": "个", "cost_fen": 12_345,
               "price_fen": 20_000, "barcode": barcode, "bin": bin, "min_stock": 5}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// Three parts: an ordinary one with an EAN-13 barcode, one with the longest name and a
/// long spec and no barcode, one sharing the first one's bin.
fn three_parts(t: &mut TestDesk) -> Vec<i64> {
    vec![
        save_part(
            t,
            "P001",
            "燃气热水器滤网",
            "Φ60 不锈钢",
            "6901234567892",
            "A-01-02",
        ),
        save_part(
            t,
            "P002",
            &long_name(),
            "JSQ25-13/16 通用，含两个O形圈，长度120毫米，接口G1/2",
            "",
            "B-12",
        ),
        save_part(t, "P003", "点火针", "", "", "A-01-02"),
    ]
}

fn labels(t: &mut TestDesk, ids: &[i64], kind: &str, code: &str, size: &str, copies: i64) -> Value {
    t.ok(
        "parts.labels",
        json!({"part_ids": ids, "kind": kind, "code": code, "size": size, "copies": copies}),
    )
}

// ---- labels -----------------------------------------------------------------------------

/// Roll sizes: one label per page of that exact size; the margin each keeps (mm).
const ROLLS: [(&str, f32, f32, f32); 4] = [
    ("40x30", 40.0, 30.0, 1.5),
    ("50x30", 50.0, 30.0, 1.5),
    ("60x40", 60.0, 40.0, 2.0),
    ("100x50", 100.0, 50.0, 2.5),
];

#[test]
fn every_roll_label_prints_inside_its_box_and_scans() {
    let mut t = desk();
    let ids = three_parts(&mut t);
    for (size, w, h, margin) in ROLLS {
        for code in ["barcode", "qr"] {
            let name = format!("labels-part-{size}-{code}");
            let out = labels(&mut t, &ids, "part", code, size, 1);
            let (pdf, bytes) = save_pdf(&out, &name);
            assert_eq!(out["rows"], 3, "{name}");
            assert_eq!(
                out["cut"],
                json!([]),
                "{name}: the longest name and a long spec fit"
            );
            assert!(bytes.len() < 80_000, "{name}: {} bytes", bytes.len());
            assert_eq!(page_count(&pdf), 3, "{name}");
            let all = squeezed(&text(&pdf, None));
            for needle in [
                "P001",
                "燃气热水器滤网",
                "Φ60不锈钢",
                "A-01-02",
                "P002",
                "B-12",
                "点火针",
            ] {
                assert!(all.contains(needle), "{name}: {needle} not in {all}");
            }
            assert!(
                all.contains(&long_name()),
                "{name}: the long name in full: {all}"
            );
            let pages = rasterise(&pdf, 300);
            for (i, page) in pages.iter().enumerate() {
                assert!(
                    (page.w as f32 - w * 300.0 / 25.4).abs() <= 1.0
                        && (page.h as f32 - h * 300.0 / 25.4).abs() <= 1.0,
                    "{name} page {i}: {}×{} px",
                    page.w,
                    page.h
                );
                // Nothing in the margin (less a hair for anti-aliasing), and ink inside.
                let stray = page.ink_in_border(0.0, 0.0, w, h, margin - 0.2);
                assert_eq!(stray, 0, "{name} page {}: ink in the margin", i + 1);
                assert!(
                    page.ink(0.0, 0.0, w, h) > 2000,
                    "{name} page {}: blank",
                    i + 1
                );
            }
            let read = scan(&pdf, 300);
            let expected = if code == "barcode" {
                ["CODE-128:6901234567892", "CODE-128:P002", "CODE-128:P003"]
            } else {
                ["QR-Code:6901234567892", "QR-Code:P002", "QR-Code:P003"]
            };
            assert_eq!(read, expected, "{name}");
        }
    }
}

#[test]
fn an_a4_sheet_of_24_keeps_every_label_inside_its_cell() {
    let mut t = desk();
    let ids = three_parts(&mut t);
    // 3 parts × 9 copies = 27 labels: a full sheet and 3 on the next.
    for code in ["barcode", "qr"] {
        let name = format!("labels-part-a4-{code}");
        let started = std::time::Instant::now();
        let out = labels(&mut t, &ids, "part", code, "a4-70x37", 9);
        eprintln!("{name}: {:?}", started.elapsed());
        assert_eq!(out["rows"], 27);
        assert_eq!(out["pages"], 2);
        let (pdf, bytes) = save_pdf(&out, &name);
        assert!(bytes.len() < 100_000, "{name}: {} bytes", bytes.len());
        assert_eq!(page_count(&pdf), 2);
        let first = squeezed(&text(&pdf, Some(1)));
        assert_eq!(first.matches("P001").count(), 9, "{first}");
        // A part without a barcode carries its code: printed above the bars and, as
        // their human-readable line, under them (a QR code has none).
        let per_label = if code == "barcode" { 2 } else { 1 };
        assert_eq!(first.matches("P002").count(), 9 * per_label);
        assert_eq!(
            first.matches("P003").count(),
            6 * per_label,
            "a full sheet is 24"
        );
        let second = squeezed(&text(&pdf, Some(2)));
        assert_eq!(second.matches("P003").count(), 3 * per_label, "{second}");
        assert!(first.contains(&long_name()), "{first}");

        let pages = rasterise(&pdf, 150);
        assert_eq!((pages[0].w, pages[0].h), (1241, 1754), "A4 at 150 dpi");
        for (p, page) in pages.iter().enumerate() {
            for cell in 0..24 {
                let (x, y) = ((cell % 3) as f32 * 70.0, 0.5 + (cell / 3) as f32 * 37.0);
                // Labels sit at the paper's edge: 5 mm (sides) and 4 mm (top, bottom)
                // of white inside each, so an office printer's margin cuts nothing.
                let stray = page.ink(x, y, 70.0, 3.8)
                    + page.ink(x, y + 37.0 - 3.8, 70.0, 3.8)
                    + page.ink(x, y, 4.8, 37.0)
                    + page.ink(x + 70.0 - 4.8, y, 4.8, 37.0);
                assert_eq!(
                    stray,
                    0,
                    "{name} page {} cell {cell}: ink near its edge",
                    p + 1
                );
                let used = page.ink(x, y, 70.0, 37.0) > 500;
                assert_eq!(
                    used,
                    p == 0 || cell < 3,
                    "{name} page {} cell {cell}",
                    p + 1
                );
            }
        }
        // Each cell read on its own (a scanner sees one label at a time, and zbar
        // reports identical codes in one picture once).
        let prefix = if code == "barcode" {
            "CODE-128:"
        } else {
            "QR-Code:"
        };
        let mut read = Vec::new();
        for n in 0..27 {
            let (page, cell) = (n / 24 + 1, n % 24);
            let (x, y) = ((cell % 3) as f32 * 70.0, 0.5 + (cell / 3) as f32 * 37.0);
            let found = scan_area(&pdf, page, (x, y, 70.0, 37.0), 300);
            assert_eq!(found.len(), 1, "{name} page {page} cell {cell}: {found:?}");
            read.push(found[0].clone());
        }
        assert!(read.iter().all(|r| r.starts_with(prefix)), "{read:?}");
        let expected: Vec<String> = [("6901234567892", 9), ("P002", 9), ("P003", 9)]
            .iter()
            .flat_map(|(v, n)| std::iter::repeat_n(format!("{prefix}{v}"), *n))
            .collect();
        assert_eq!(read, expected, "{name}");
    }
}

#[test]
fn bin_labels_one_per_bin_with_the_bin_big_and_scannable() {
    let mut t = desk();
    let mut ids = three_parts(&mut t);
    // A part without a bin is left out, and named.
    ids.push(save_part(&mut t, "P004", "密封圈", "", "", ""));
    for (size, w, h, margin) in ROLLS {
        for code in ["barcode", "qr"] {
            let name = format!("labels-bin-{size}-{code}");
            let out = labels(&mut t, &ids, "bin", code, size, 1);
            let (pdf, _) = save_pdf(&out, &name);
            assert_eq!(out["rows"], 2, "{name}: A-01-02 and B-12");
            assert_eq!(out["skipped"], json!(["P004"]), "{name}");
            let first = squeezed(&text(&pdf, Some(1)));
            assert!(first.contains("A-01-02"), "{name}: {first}");
            assert!(
                first.contains("P001"),
                "{name}: what is kept there: {first}"
            );
            for (i, page) in rasterise(&pdf, 300).iter().enumerate() {
                let stray = page.ink_in_border(0.0, 0.0, w, h, margin - 0.2);
                assert_eq!(stray, 0, "{name} page {}: ink in the margin", i + 1);
                assert!(
                    page.ink(0.0, 0.0, w, h) > 2000,
                    "{name} page {}: blank",
                    i + 1
                );
            }
            let prefix = if code == "barcode" {
                "CODE-128"
            } else {
                "QR-Code"
            };
            assert_eq!(
                scan(&pdf, 300),
                [format!("{prefix}:A-01-02"), format!("{prefix}:B-12")],
                "{name}"
            );
        }
    }
    let out = labels(&mut t, &ids, "bin", "barcode", "a4-70x37", 1);
    let (pdf, _) = save_pdf(&out, "labels-bin-a4-barcode");
    assert_eq!(page_count(&pdf), 1);
    let only_unbinned = t.err("parts.labels", json!({"part_ids": [ids[3]], "kind": "bin"}));
    assert_eq!(only_unbinned["field"], "part_ids", "{only_unbinned}");
}

#[test]
fn defaults_copies_and_the_audit_record() {
    let mut t = desk();
    let ids = three_parts(&mut t);
    // Part label, barcode, 50×30, one copy.
    let out = t.ok("parts.labels", json!({"part_ids": [ids[0]]}));
    assert_eq!(out["rows"], 1);
    assert!(out["file_name"].as_str().unwrap().starts_with("备件标签-"));
    let (pdf, _) = save_pdf(&out, "labels-default");
    let raster = rasterise(&pdf, 300);
    assert_eq!(
        (raster[0].w, raster[0].h),
        (591, 355),
        "50×30 mm at 300 dpi"
    );
    assert_eq!(scan(&pdf, 300), ["CODE-128:6901234567892"]);
    let out = labels(&mut t, &ids[..1], "part", "barcode", "40x30", 3);
    assert_eq!(out["rows"], 3);
    assert_eq!(out["pages"], 3);
    let log = t.ok("audit.list", json!({"action": "labels"}));
    let details: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details
            .iter()
            .any(|d| d.contains("1 种 × 3 份，共 3 张") && d.contains("40×30")),
        "{details:?}"
    );
}

#[test]
fn a_name_too_long_even_at_the_smallest_size_is_cut_and_reported() {
    let mut t = desk();
    // The longest name and the longest spec on the smallest label, as a QR label (the
    // text has half the width).
    let spec: String = "规格很长".repeat(25);
    let id = save_part(&mut t, "P009", &long_name(), &spec, "", "C-1");
    let out = labels(&mut t, &[id], "part", "qr", "40x30", 1);
    let (pdf, _) = save_pdf(&out, "labels-cut");
    assert_eq!(out["cut"], json!(["P009"]), "{out:#}");
    let words = squeezed(&text(&pdf, None));
    assert!(words.contains('…'), "the cut is shown: {words}");
    assert!(
        words.contains(&long_name()),
        "the name comes first: {words}"
    );
    let page = &rasterise(&pdf, 300)[0];
    assert_eq!(page.ink_in_border(0.0, 0.0, 40.0, 30.0, 1.3), 0);
}

#[test]
fn what_cannot_be_printed_is_refused_with_the_field_named() {
    let mut t = desk();
    let ids = three_parts(&mut t);
    // (A character no font has is not refused: tests/platform/fonts.rs.)
    // Code 128 carries ASCII only: a Chinese bin goes on a QR code instead.
    let chinese_bin = save_part(&mut t, "P012", "阀", "", "", "一号架");
    let e = t.err(
        "parts.labels",
        json!({"part_ids": [chinese_bin], "kind": "bin", "code": "barcode"}),
    );
    assert_eq!(e["field"], "code", "{e}");
    assert!(e["message"].as_str().unwrap().contains("二维码"), "{e}");
    let out = labels(&mut t, &[chinese_bin], "bin", "qr", "40x30", 1);
    let (pdf, _) = save_pdf(&out, "labels-bin-chinese-qr");
    assert_eq!(scan(&pdf, 300), ["QR-Code:一号架"]);

    // A barcode too long to print readably on a small label: choose a bigger one.
    let long = save_part(
        &mut t,
        "P013",
        "阀",
        "",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-2026",
        "",
    );
    let e = t.err("parts.labels", json!({"part_ids": [long], "size": "40x30"}));
    assert_eq!(e["field"], "size", "{e}");
    let out = labels(&mut t, &[long], "part", "barcode", "100x50", 1);
    let (pdf, _) = save_pdf(&out, "labels-long-barcode");
    assert_eq!(
        scan(&pdf, 300),
        ["CODE-128:ABCDEFGHIJKLMNOPQRSTUVWXYZ-2026"]
    );

    for (args, field) in [
        (json!({"part_ids": []}), "part_ids"),
        (json!({"part_ids": [999]}), "part_ids"),
        (json!({"part_ids": [ids[0]], "kind": "box"}), "kind"),
        (json!({"part_ids": [ids[0]], "code": "datamatrix"}), "code"),
        (json!({"part_ids": [ids[0]], "size": "10x10"}), "size"),
        (json!({"part_ids": [ids[0]], "copies": 0}), "copies"),
        (json!({"part_ids": [ids[0]], "copies": 101}), "copies"),
    ] {
        let e = t.err("parts.labels", args.clone());
        assert_eq!(e["code"], "invalid", "{args}: {e}");
        assert_eq!(e["field"], field, "{args}: {e}");
    }
    assert_eq!(
        t.ok("audit.list", json!({"action": "labels"}))["items"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "refused print runs are not recorded"
    );
}

// ---- the purchase request ----------------------------------------------------------------

fn receive(t: &mut TestDesk, part: i64, quantity: i64) {
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": MAIN, "quantity": quantity, "unit_cost_fen": 12_345}),
    );
}

#[test]
fn the_purchase_request_as_a_pdf_to_sign() {
    let mut t = desk();
    let ids = three_parts(&mut t);
    receive(&mut t, ids[0], 2);
    // min 5, 2 on hand → buy 8; the others have none → buy 10 each.
    let out = t.ok("stock.purchase_request", json!({"format": "pdf"}));
    assert_eq!(out["rows"], 3);
    assert!(out["file_name"].as_str().unwrap().starts_with("采购申请-"));
    let (pdf, bytes) = save_pdf(&out, "purchase-request");
    assert!(bytes.len() < 80_000, "{} bytes", bytes.len());
    assert_eq!(page_count(&pdf), 1);
    let words = text(&pdf, None);
    let all = squeezed(&words);
    for needle in [
        "备件采购申请",
        "日期：",
        "编码",
        "名称",
        "规格",
        "单位",
        "现有",
        "最低库存",
        "建议采购",
        "参考单价",
        "金额",
        "P001",
        "燃气热水器滤网",
        "¥123.45",
        "¥987.60",
        "¥1,234.50",
        "合计：¥3,456.60",
        "申请人：",
        "审批：",
        "第1/1页",
    ] {
        assert!(all.contains(needle), "{needle} not in {words}");
    }
    assert!(all.contains(&long_name()), "{words}");
    assert!(!all.contains('…'), "nothing is cut: {words}");
    let page = &rasterise(&pdf, 100)[0];
    assert_eq!(
        page.ink_in_border(0.0, 0.0, 210.0, 297.0, 10.0),
        0,
        "ink outside the safe margin"
    );
    // The xlsx is still the default.
    let xlsx = t.ok("stock.purchase_request", json!({}));
    assert!(xlsx["file_name"].as_str().unwrap().ends_with(".xlsx"));
    let e = t.err("stock.purchase_request", json!({"format": "doc"}));
    assert_eq!(e["field"], "format", "{e}");
    let log = t.ok("audit.list", json!({"action": "purchase_request"}));
    let details = log.to_string();
    assert!(
        details.contains("生成采购申请（PDF）：3 种备件"),
        "{details}"
    );
}

#[test]
fn a_long_purchase_request_runs_over_pages_with_its_header_on_each() {
    let mut t = desk();
    let started = std::time::Instant::now();
    for n in 1..=60 {
        let name: String = format!("{n:02}{}", long_name()).chars().take(60).collect();
        save_part(
            &mut t,
            &format!("Q{n:03}"),
            &name,
            "适用JSQ25-13/16，含两个O形圈，长度120毫米，接口G1/2，进口材料",
            "",
            "",
        );
    }
    eprintln!("60 parts saved in {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let out = t.ok("stock.purchase_request", json!({"format": "pdf"}));
    eprintln!("purchase request of 60 lines: {:?}", started.elapsed());
    assert_eq!(out["rows"], 60);
    let (pdf, bytes) = save_pdf(&out, "purchase-request-long");
    assert!(bytes.len() < 150_000, "{} bytes", bytes.len());
    let pages = page_count(&pdf);
    assert!(pages >= 4, "60 tall rows take several pages: {pages}");
    let mut seen = 0;
    for p in 1..=pages {
        let words = squeezed(&text(&pdf, Some(p)));
        assert!(
            words.contains("建议采购"),
            "page {p} repeats the header: {words}"
        );
        assert!(!words.contains('…'), "nothing is cut: {words}");
        assert!(
            words.contains(&format!("第{p}/{pages}页")),
            "page {p}: {words}"
        );
        seen += (1..=60)
            .filter(|n| words.contains(&format!("Q{n:03}")))
            .count();
        if p == pages {
            // 60 lines × 10 × ¥123.45
            assert!(words.contains("合计：¥74,070.00"), "{words}");
            assert!(words.contains("审批："), "{words}");
        }
    }
    assert_eq!(seen, 60, "every line once, none split or lost");
    for (i, page) in rasterise(&pdf, 100).iter().enumerate() {
        let stray = page.ink_in_border(0.0, 0.0, 210.0, 297.0, 10.0);
        assert_eq!(stray, 0, "page {}: ink outside the safe margin", i + 1);
    }
}

#[test]
fn a_purchase_request_with_a_name_no_font_has_prints_its_code() {
    let mut t = desk();
    save_part(&mut t, "P020", "滤网\u{F0000}", "", "", "");
    let out = t.ok("stock.purchase_request", json!({"format": "pdf"}));
    assert_eq!(out["unprintable"], json!(["U+F0000"]), "{out:#}");
    let (pdf, _) = save_pdf(&out, "purchase-request-code-box");
    assert!(squeezed(&text(&pdf, None)).contains("滤网U+F0000"));
    // The workbook keeps the character as it is.
    let out = t.ok("stock.purchase_request", json!({"format": "xlsx"}));
    assert_eq!(out["unprintable"], json!([]));
}
