//! Issue 17, every name prints: names with Chinese characters beyond GBK (CJK Extension A
//! 䶮, Extension B 𠮷, Extension E 𬌗) print on every slip format, a label, the purchase
//! request and a report, and read back exactly with pdftotext (the fonts' ToUnicode maps,
//! surrogate pairs included); a character no font has prints as its code in a box and the
//! reply lists it, never a refusal.

use serde_json::{json, Value};

use crate::platform::pdf::{samples, save_pdf, squeezed, text};
use crate::slips::completed_order;
use crate::util::{desk, TestDesk};

/// A name with one character of Extension A, B and E each.
const RARE_NAME: &str = "刘䶮𠮷𬌗";

/// The fonts a PDF embeds, as `pdffonts` lists them (base names without the subset tag).
fn fonts_of(pdf: &std::path::Path) -> Vec<String> {
    let out = crate::platform::pdf::run(std::process::Command::new("pdffonts").arg(pdf));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .map(|name| name.split_once('+').map_or(name, |(_, n)| n).to_string())
        .collect()
}

/// The text of every page as laid out on the paper (`pdftotext -layout`), without
/// whitespace: a boxed code reads between its neighbours wherever the layout puts blocks.
fn laid_out(pdf: &std::path::Path) -> String {
    let out = crate::platform::pdf::run(
        std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(pdf)
            .arg("-"),
    );
    squeezed(&String::from_utf8(out).unwrap())
}

fn print(t: &mut TestDesk, order: i64, format: &str) -> Value {
    t.ok("slips.print", json!({"order_id": order, "format": format}))
}

#[test]
fn every_slip_format_prints_extension_a_b_and_e_names_and_reads_them_back() {
    let mut t = desk();
    let order = completed_order(&mut t, RARE_NAME, "广州市越秀区𠮷祥路䶮园 3 号", 2);
    for format in ["a4", "a5", "continuous", "thermal"] {
        let out = print(&mut t, order, format);
        assert_eq!(out["unprintable"], json!([]), "{format}");
        let (pdf, bytes) = save_pdf(&out, &format!("fonts-slip-{format}"));
        let words = squeezed(&text(&pdf, None));
        assert!(words.contains(RARE_NAME), "{format}: {words}");
        // The receipt of the thermal printer carries no address.
        if format != "thermal" {
            assert!(
                words.contains("广州市越秀区𠮷祥路䶮园3号"),
                "{format}: {words}"
            );
        }
        // The main font and the two Hanazono cuts, each cut to the glyphs used.
        assert_eq!(fonts_of(&pdf).len(), 3, "{format}: {:?}", fonts_of(&pdf));
        if format == "a4" {
            assert!(bytes.len() <= 60 * 1024, "A4 slip is {} bytes", bytes.len());
        }
    }
    // Looked at by a person: samples()/fonts-slip-a4-1.png.
    let png = samples().join("fonts-slip-a4");
    crate::platform::pdf::run(
        std::process::Command::new("pdftoppm")
            .args(["-r", "110", "-png", "-f", "1", "-l", "1"])
            .arg(samples().join("fonts-slip-a4.pdf"))
            .arg(&png),
    );
}

#[test]
fn an_ordinary_slip_embeds_the_main_font_only() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街 1 号", 1);
    let out = print(&mut t, order, "a4");
    let (pdf, _) = save_pdf(&out, "fonts-slip-ordinary");
    assert_eq!(fonts_of(&pdf).len(), 1, "{:?}", fonts_of(&pdf));
    let ext_a = completed_order(&mut t, "刘䶮", "北京", 0);
    let out = print(&mut t, ext_a, "a4");
    let (pdf, _) = save_pdf(&out, "fonts-slip-ext-a");
    // 䶮 brings the BMP cut only, not the 30 MB one of the supplementary plane.
    assert_eq!(fonts_of(&pdf).len(), 2, "{:?}", fonts_of(&pdf));
    assert!(squeezed(&text(&pdf, None)).contains("刘䶮"));
}

#[test]
fn a_character_no_font_has_prints_as_its_boxed_code_and_is_listed() {
    let mut t = desk();
    // U+F0000 is private use: no font has it. The slip is not refused, a number is used.
    let order = completed_order(&mut t, "张\u{F0000}伟", "北京", 0);
    let out = print(&mut t, order, "a4");
    assert_eq!(out["unprintable"], json!(["U+F0000"]), "{out:#}");
    assert_eq!(out["slip"]["number"], "FW2026000001");
    let (pdf, _) = save_pdf(&out, "fonts-slip-code-box");
    let words = squeezed(&text(&pdf, None));
    assert!(words.contains("张U+F0000伟"), "{words}");
    // Each format the same way.
    for format in ["a5", "continuous", "thermal"] {
        let out = print(&mut t, order, format);
        assert_eq!(out["unprintable"], json!(["U+F0000"]), "{format}");
        let (pdf, _) = save_pdf(&out, &format!("fonts-slip-code-box-{format}"));
        assert!(laid_out(&pdf).contains("张U+F0000伟"), "{format}");
    }
    crate::platform::pdf::run(
        std::process::Command::new("pdftoppm")
            .args([
                "-r", "200", "-png", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "1654",
                "-H", "700",
            ])
            .arg(samples().join("fonts-slip-code-box.pdf"))
            .arg(samples().join("fonts-slip-code-box")),
    );
}

fn save_part(t: &mut TestDesk, code: &str, name: &str, bin: &str) -> i64 {
    t.ok(
        "parts.save",
        json!({"code": code, "name": name, "spec": "Φ60", "unit": "个", "cost_fen": 12_345,
               "price_fen": 20_000, "barcode": "", "bin": bin, "min_stock": 5}),
    )["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_label_and_the_purchase_request_print_rare_names_and_boxed_codes() {
    let mut t = desk();
    let rare = save_part(&mut t, "P001", &format!("{RARE_NAME}牌滤网"), "A-1");
    let emoji = save_part(&mut t, "P002", "点火针", "一号架😀");
    let out = t.ok(
        "parts.labels",
        json!({"part_ids": [rare], "kind": "part", "code": "qr", "size": "60x40"}),
    );
    assert_eq!(out["unprintable"], json!([]));
    let (pdf, _) = save_pdf(&out, "fonts-label");
    assert!(squeezed(&text(&pdf, None)).contains(&format!("{RARE_NAME}牌滤网")));
    let out = t.ok(
        "parts.labels",
        json!({"part_ids": [emoji], "kind": "bin", "code": "qr", "size": "60x40"}),
    );
    assert_eq!(out["unprintable"], json!(["U+1F600"]), "{out:#}");
    let (pdf, _) = save_pdf(&out, "fonts-label-code-box");
    assert!(squeezed(&text(&pdf, None)).contains("一号架U+1F600"));

    let out = t.ok("stock.purchase_request", json!({"format": "pdf"}));
    assert_eq!(out["unprintable"], json!([]));
    let (pdf, _) = save_pdf(&out, "fonts-purchase-request");
    assert!(squeezed(&text(&pdf, None)).contains(&format!("{RARE_NAME}牌滤网")));
    let xlsx = t.ok("stock.purchase_request", json!({"format": "xlsx"}));
    assert_eq!(xlsx["unprintable"], json!([]));
}

#[test]
fn a_report_prints_an_engineer_with_a_rare_name() {
    let mut t = desk();
    t.ok(
        "engineers.save",
        json!({"name": RARE_NAME, "region": "越秀"}),
    );
    completed_order(&mut t, "张伟", "北京", 0);
    let out = t.ok(
        "reports.export",
        json!({"month": "2026-11", "format": "pdf"}),
    );
    assert_eq!(out["unprintable"], json!([]));
    let (pdf, _) = save_pdf(&out, "fonts-report");
    assert!(squeezed(&text(&pdf, None)).contains(RARE_NAME));
}

/// `font` (a TrueType font) wrapped as a one-face TrueType collection, as Windows ships
/// SimSun, Microsoft YaHei and MingLiU-ExtB (`.ttc`): the collection header, then the face
/// with its table offsets moved by the header's length.
fn as_collection(font: &[u8]) -> Vec<u8> {
    const HEADER: u32 = 16; // 'ttcf', version 1.0, one face, its offset
    let mut out = Vec::with_capacity(font.len() + HEADER as usize);
    out.extend_from_slice(b"ttcf");
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&HEADER.to_be_bytes());
    let mut face = font.to_vec();
    let tables = u16::from_be_bytes([face[4], face[5]]) as usize;
    for i in 0..tables {
        let at = 12 + 16 * i + 8;
        let offset = u32::from_be_bytes(face[at..at + 4].try_into().unwrap());
        face[at..at + 4].copy_from_slice(&(offset + HEADER).to_be_bytes());
    }
    out.extend_from_slice(&face);
    out
}

/// On Windows the fallback reads `.ttc` collections (face 0): such a face embeds and reads
/// back (the collection built here from the compiled main font).
#[test]
fn a_font_collection_face_embeds_and_reads_back() {
    use printpdf::{
        Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem,
        TextMatrix,
    };
    let main = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/wqy-microhei-gbk.ttf"),
    )
    .unwrap();
    let ttc = as_collection(&main);
    let face = ParsedFont::from_bytes(&ttc, 0, &mut Vec::new()).expect("face 0 of the collection");
    let mut doc = PdfDocument::new("ttc");
    let id = doc.add_font(&face);
    let ops = vec![
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(id),
            size: Pt(12.0),
        },
        Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Mm(10.0).into(), Mm(20.0).into()),
        },
        Op::ShowText {
            items: vec![TextItem::Text("刘德华 喆玥".into())],
        },
        Op::EndTextSection,
    ];
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let bytes = doc
        .with_pages(vec![PdfPage::new(Mm(100.0), Mm(40.0), ops)])
        .save(&options, &mut Vec::new());
    let path = samples().join("fonts-ttc-face.pdf");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(squeezed(&text(&path, None)), "刘德华喆玥");
    assert!(bytes.len() < 20 * 1024, "subset: {} bytes", bytes.len());
}
