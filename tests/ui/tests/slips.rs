//! 服务单 in headless Chromium against the real browser door: the customer signs on the
//! signature pad (mouse and touch, as WebDriver pointer actions) and ticks 满意; the
//! company and the A4 printer are set on the settings page; the slip is previewed (预览
//! across it, nothing recorded: no number, no print in the order's history — issue 17),
//! made as a PDF (the browser's own download, read back with `pdftotext`), previewed again
//! (still one print), made again (a reprint, marked 补打), sent to the printer (an `lp` on the door's PATH that records what
//! it was given, since this machine has no print server), voided with a reason, and printed
//! again under a new number; the continuity report lists every number. The overlay
//! template's offset moves in 0.5 mm steps and is saved. The desk's clock is fixed, data is
//! prepared through the CLI door.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fantoccini::actions::{
    InputSource, MouseActions, PointerAction, TouchActions, MOUSE_BUTTON_LEFT,
};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-11-23 10:00 in Beijing.
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

/// A command through the CLI with the desk's clock at Monday 10:00, like the door's.
fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

/// An `lp` that keeps its arguments in `lp.args` and a copy of the file in `lp.pdf`, and
/// answers like CUPS. Returns the folder to put first on PATH.
fn fake_lp(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin folder");
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{args}'\nfor last; do :; done\ncp \"$last\" '{copy}'\n\
         echo 'request id is Front-Desk-A4-7 (1 file(s))'\n",
        args = dir.join("lp.args").display(),
        copy = dir.join("lp.pdf").display(),
    );
    let lp = bin.join("lp");
    std::fs::write(&lp, script).expect("write lp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod lp");
    }
    bin
}

/// The orders of the test: two completed repairs of 王喆玥's out-of-warranty water heater,
/// each with the part P200 点火针 (¥35.00) from the main store and ¥50.00 labour.
struct Seed {
    signed: i64,
    unsigned: i64,
}

fn seed(door: &Door) -> Seed {
    let model = id(&desk(
        door,
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id(&desk(
        door,
        "customers.create",
        json!({"name": "王喆玥", "phones": ["13812345678"], "address": "宁波市海曙区中山西路1号"}),
    ));
    let machine = id(&desk(
        door,
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-SLIP-0001",
               "purchase_date": "2020-01-01"}),
    ));
    let engineer = id(&desk(
        door,
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海曙"}),
    ));
    let part = id(&desk(
        door,
        "parts.save",
        json!({"code": "P200", "name": "点火针", "spec": "通用", "unit": "个", "models": ["JSQ25-13"],
               "cost_fen": 1000, "price_fen": 3500, "barcode": "", "bin": "A-02", "min_stock": 1}),
    ));
    let stores = desk(door, "stores.list", json!({}));
    let main = stores["items"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == json!("main")))
        .map(id)
        .unwrap_or_else(|| panic!("no main store: {stores}"));
    desk(
        door,
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 5, "unit_cost_fen": 1000,
               "supplier": "宁波配件厂", "note": ""}),
    );
    let completed = |fault: &str| {
        let order = id(&desk(
            door,
            "orders.create",
            json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
                   "channel": "phone", "mode": "on_site", "fault": fault, "confirmed": true}),
        ));
        desk(
            door,
            "orders.assign",
            json!({"id": order, "engineer_id": engineer}),
        );
        desk(
            door,
            "orders.move",
            json!({"id": order, "to": "in_progress"}),
        );
        let done = desk(
            door,
            "orders.complete",
            json!({"id": order, "diagnosis": "点火针积碳", "work_done": "更换点火针，试机正常",
                   "parts": [{"part_id": part, "store_id": main, "quantity": 1}],
                   "fees": [{"kind": "labour", "description": "上门维修", "amount_fen": 5000}]}),
        );
        assert_eq!(done["status"], "completed", "{done}");
        assert_eq!(done["total_fen"], 8500, "{done}");
        order
    };
    Seed {
        signed: completed("不点火，显示E1"),
        unsigned: completed("不点火，显示E1"),
    }
}

/// `aftersales call slips.print … --out FILE` with the desk's clock: the PDF in a file.
fn cli_print(door: &Door, order: i64, file: &Path) -> Value {
    let out = aftersales_on(door.data_dir.path())
        .env(CLOCK, MONDAY_10)
        .args([
            "call",
            "slips.print",
            &json!({"order_id": order, "format": "a4"}).to_string(),
        ])
        .arg("--out")
        .arg(door_path(file))
        .output()
        .expect("run aftersales call slips.print");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "slips.print: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The text of a PDF as `pdftotext` reads it, without whitespace (wrapped lines join).
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Page 1 of a PDF as greyscale pixels at 72 dpi: (width, height, one byte per pixel).
fn gray_page(pdf: &Path) -> (usize, usize, Vec<u8>) {
    let stem = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "72", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success(), "pdftoppm {}", pdf.display());
    let bytes = std::fs::read(stem.with_extension("pgm")).expect("the greyscale page");
    // Binary PGM: "P5\n<w> <h>\n255\n" then the pixels.
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
    assert_eq!(fields[0], "P5", "not a binary PGM");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[at + 1..].to_vec();
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

/// Also renders the PDF at 60 dpi as PNG beside the screenshots, for people to look at.
fn keep_for_people(pdf: &Path, name: &str) {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).ok();
    std::fs::copy(pdf, dir.join(format!("{name}.pdf"))).ok();
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(dir.join(name))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
}

/// Waits for the one finished PDF download, moves it to `kept/name.pdf` (so the next wait
/// sees only the next one) and returns where it went.
async fn take_pdf(downloads: &Path, kept: &Path, name: &str) -> PathBuf {
    let file = wait_download(downloads, ".pdf").await;
    let to = kept.join(format!("{name}.pdf"));
    std::fs::rename(&file, &to).expect("move the download");
    keep_for_people(&to, name);
    to
}

/// Keeps every Blob the page turns into a URL (`window.__blobs`, by URL): the page's
/// content security policy lets no script fetch a `blob:` URL, so the test reads the
/// preview frame's PDF from its Blob.
async fn keep_blobs(c: &Client) {
    c.execute(
        "if (!window.__blobs) {
           window.__blobs = new Map();
           const make = URL.createObjectURL;
           URL.createObjectURL = (blob) => {
             const url = make.call(URL, blob);
             window.__blobs.set(url, blob);
             return url;
           };
         }",
        vec![],
    )
    .await
    .expect("keep the page's blobs");
}

/// The PDF of the preview the dialog just made: from its frame (the engine shows PDFs) or
/// its download (it does not), saved as `kept/name.pdf`. [`keep_blobs`] first.
async fn previewed_pdf(c: &Client, downloads: &Path, kept: &Path, name: &str) -> PathBuf {
    find(c, "#slip-result[data-preview=\"true\"]").await;
    if c.find(Locator::Css("#slip-preview-frame")).await.is_err() {
        return take_pdf(downloads, kept, name).await;
    }
    let bytes = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const src = document.getElementById('slip-preview-frame').src;
             window.__blobs.get(src).arrayBuffer()
               .then((b) => done(Array.from(new Uint8Array(b))));",
            vec![],
        )
        .await
        .expect("the preview frame's PDF");
    let bytes: Vec<u8> = bytes
        .as_array()
        .expect("the PDF's bytes")
        .iter()
        .map(|b| b.as_u64().unwrap_or_default() as u8)
        .collect();
    let to = kept.join(format!("{name}.pdf"));
    std::fs::write(&to, bytes).expect("save the preview");
    keep_for_people(&to, name);
    to
}

/// The text in the PDF's own content order (`pdftotext -raw`), without whitespace: a
/// preview's 预览 is drawn first, under the slip.
fn raw_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext -raw {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Opens the door's URL (with its #token), waits for the first screen (whichever is the
/// home screen), then goes to `hash`.
async fn open_at(door: &Door, c: &Client, hash: &str) {
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#view > section").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        h.starts_with("#/") && !h.contains("token")
    })
    .await;
    go(c, hash).await;
}

async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {css}: {e}"))
        .unwrap_or_default()
}

/// Waits until `css` matches exactly `n` elements.
async fn wait_count(c: &Client, css: &str, n: usize) {
    wait_until(&format!("{n} × `{css}`"), || async move {
        let seen = c.find_all(Locator::Css(css)).await?.len();
        Ok(if seen == n {
            Ok(())
        } else {
            Err(format!("{seen}"))
        })
    })
    .await
}

async fn dialog_open(c: &Client, id: &str) -> bool {
    c.execute(
        "return document.getElementById(arguments[0])?.open === true",
        vec![json!(id)],
    )
    .await
    .expect("dialog state")
    .as_bool()
    .unwrap_or(false)
}

async fn wait_dialog(c: &Client, id: &str, open: bool) {
    wait_until(
        &format!("#{id} to be {}", if open { "open" } else { "closed" }),
        || async move {
            Ok(if dialog_open(c, id).await == open {
                Ok(())
            } else {
                Err(format!("open: {}", !open))
            })
        },
    )
    .await
}

/// Two strokes on the signature pad: a zigzag with the mouse, a line with a finger.
async fn sign(c: &Client) {
    let canvas = find(c, "#signature-pad-canvas").await;
    // Pointer actions do not scroll: bring the pad into the window first.
    c.execute(
        "document.getElementById('signature-pad-canvas').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .expect("scroll to the pad");
    let step = |x: f64, y: f64| PointerAction::MoveBy {
        duration: Some(Duration::from_millis(40)),
        x,
        y,
    };
    let mouse = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: canvas.clone(),
            duration: None,
            x: -150.0,
            y: 20.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(step(30.0, -35.0))
        .then(step(30.0, 40.0))
        .then(step(30.0, -40.0))
        .then(step(30.0, 35.0))
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(mouse)
        .await
        .expect("a stroke with the mouse");
    let finger = TouchActions::new("finger".to_string())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: 20.0,
            y: -10.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(step(60.0, 15.0))
        .then(step(60.0, 5.0))
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(finger)
        .await
        .expect("a stroke with a finger");
}

#[tokio::test]
async fn a_signed_slip_printed_reprinted_voided_and_printed_again_under_a_new_number() {
    let tmp = tempfile::tempdir().expect("temp folder");
    let lp_bin = fake_lp(tmp.path());
    let path = format!(
        "{}:{}",
        lp_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let door = Door::start_with_env(&[(CLOCK, MONDAY_10), ("PATH", &path)]);
    let s = seed(&door);
    let capitals = desk(&door, "orders.get", json!({"id": s.signed}))["total_capitals"]
        .as_str()
        .expect("total in capitals")
        .to_string();
    assert_eq!(capitals, "捌拾伍元整");
    // The other order: the same repair, the same opinion, no signature; its slip (the
    // year's first number) is the measure of what the signature adds to the paper.
    desk(
        &door,
        "slips.opinion",
        json!({"order_id": s.unsigned, "opinion": "satisfied", "remarks": "师傅很专业"}),
    );
    let unsigned_pdf = tmp.path().join("unsigned.pdf");
    let printed = cli_print(&door, s.unsigned, &unsigned_pdf);
    assert_eq!(printed["slip"]["number"], "FW2026000001");

    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;

    // ---- 设置: the company as the slip prints it, and the A4 printer --------------------------
    open_at(&door, c, "#/settings?section=slips").await;
    find(c, "#settings-slips").await;
    type_into(c, "#settings-company_name", "宁波喆达电器售后服务部").await;
    type_into(c, "#settings-company_hotline", "400-820-1234").await;
    type_into(c, "#settings-printer-a4", "Front-Desk-A4").await;
    // 检测费 (issue 21): ¥50.00 by default; a bad amount is refused under its field.
    let fee = c
        .execute(
            "return document.getElementById('settings-diagnostic_fee_fen').value",
            vec![],
        )
        .await
        .expect("the diagnostic fee");
    assert_eq!(fee, json!("50.00"));
    type_into(c, "#settings-diagnostic_fee_fen", "五十").await;
    click(c, "#slip-settings-save").await;
    wait_text(
        c,
        ".field-error[data-for=\"diagnostic_fee_fen\"]",
        "检测费不是有效的金额：五十",
    )
    .await;
    type_into(c, "#settings-diagnostic_fee_fen", "80").await;
    screenshot(c, "slips-settings").await;
    click(c, "#slip-settings-save").await;
    wait_text(c, "#toast", "已保存").await;
    let settings = desk(&door, "settings.get", json!({}));
    assert_eq!(settings["diagnostic_fee_fen"], 8000, "{settings}");
    assert_eq!(settings["company_name"], "宁波喆达电器售后服务部");
    assert_eq!(settings["printers"]["a4"], "Front-Desk-A4", "{settings}");

    // ---- 客户意见与签名 ------------------------------------------------------------------------
    go(c, &format!("#/orders/{}", s.signed)).await;
    wait_text(c, "#order-status", "已完工").await;
    find(c, "#order-slips-empty").await;
    sign(c).await;
    find(c, "#signature-pad[data-strokes=\"2\"]").await;
    click(c, "label[for=\"opinion-satisfied\"]").await;
    type_into(c, "#opinion-remarks", "师傅很专业").await;
    screenshot(c, "slips-order-signed").await;
    click(c, "#opinion-save").await;
    wait_text(c, "#toast", "客户意见已保存").await;
    // The saved signature is shown as SVG, one polyline per stroke, inside its 400 × 100 box.
    wait_count(c, "#opinion-signature svg polyline", 2).await;
    let points = c
        .execute(
            "return [...document.querySelectorAll('#opinion-signature polyline')]
               .map((p) => p.getAttribute('points'));",
            vec![],
        )
        .await
        .expect("polyline points");
    for line in points.as_array().expect("points") {
        let line = line.as_str().unwrap_or_default();
        let pairs: Vec<(f64, f64)> = line
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').expect("x,y");
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert!(pairs.len() >= 2, "{line}");
        assert!(
            pairs
                .iter()
                .all(|&(x, y)| (0.0..=400.0).contains(&x) && (0.0..=100.0).contains(&y)),
            "{line}"
        );
    }
    wait_text(c, "#opinion-saved .chip-opinion", "满意").await;
    let order = desk(&door, "orders.get", json!({"id": s.signed}));
    let last = order["events"]
        .as_array()
        .and_then(|e| e.iter().rev().find(|e| e["kind"] == "opinion"))
        .unwrap_or_else(|| panic!("no opinion event: {order}"));
    assert_eq!(last["detail"], "客户意见：满意，已签名 师傅很专业");

    // ---- 预览 (issue 17): 预览 across the paper, no number, nothing recorded -----------------
    keep_blobs(c).await;
    ctrl(c, 'p').await;
    wait_dialog(c, "slip-dialog", true).await;
    assert_eq!(value_of(c, "#slip-format").await, "a4");
    wait_text(c, "#slip-printer", "Front-Desk-A4").await;
    click(c, "#slip-preview").await;
    let previewed = previewed_pdf(c, downloads.path(), tmp.path(), "slip-a4-preview").await;
    find(c, "#slip-result[data-preview=\"true\"][data-number=\"\"]").await;
    wait_text(c, "#slip-result", "未记为打印").await;
    screenshot(c, "slips-preview-dialog").await;
    let raw = raw_text(&previewed);
    assert!(raw.starts_with("预览"), "{raw}");
    let text = pdf_text(&previewed);
    assert!(
        text.contains("打印时编号") && text.contains("王喆玥"),
        "{text}"
    );
    assert!(!text.contains("FW2026") && !text.contains("补打"), "{text}");
    let slips = desk(&door, "slips.list", json!({"order_id": s.signed}));
    assert_eq!(
        slips["items"],
        json!([]),
        "a preview recorded a slip: {slips}"
    );
    // The order's history behind the dialog still has no slip.
    find(c, "#order-slips-empty").await;

    // ---- 下载 PDF 打印: the first real print, the PDF downloaded ------------------------------
    click(c, "#slip-download").await;
    let first = take_pdf(downloads.path(), tmp.path(), "slip-a4-first").await;
    find(
        c,
        "#slip-result[data-number=\"FW2026000002\"][data-reprint=\"0\"]",
    )
    .await;
    screenshot(c, "slips-print-dialog").await;
    let text = pdf_text(&first);
    for needle in [
        "FW2026000002",
        "王喆玥",
        "宁波喆达电器售后服务部",
        "400-820-1234",
        "P200",
        "点火针",
        "¥35.00",
        "大写：捌拾伍元整",
        "意见：师傅很专业",
    ] {
        assert!(text.contains(needle), "{needle} not in the slip: {text}");
    }
    assert!(
        !text.contains("补打") && !raw_text(&first).contains("预览"),
        "a first print is no reprint, and no preview: {text}"
    );
    // The signature is on the paper: below the header (numbers, QR code) the signed slip
    // differs from the same repair's unsigned one only where the strokes are.
    let (w, h, signed_px) = gray_page(&first);
    let (w2, h2, unsigned_px) = gray_page(&unsigned_pdf);
    assert_eq!((w, h), (w2, h2));
    let differing = (h * 3 / 10 * w..w * h)
        .filter(|&i| (signed_px[i] < 128) != (unsigned_px[i] < 128))
        .count();
    assert!(
        differing > 40,
        "the signature should show on the slip ({differing} pixels differ)"
    );
    // Esc closes the dialog and stays on the order.
    press_key(c, Key::Escape).await;
    wait_dialog(c, "slip-dialog", false).await;
    let hash = c.execute("return location.hash", vec![]).await.unwrap();
    assert_eq!(hash, json!(format!("#/orders/{}", s.signed)));
    find(
        c,
        "#order-slip-table tr[data-number=\"FW2026000002\"][data-state=\"live\"][data-prints=\"1\"]",
    )
    .await;

    // ---- one click: the remembered way (the PDF) again — a reprint, marked 补打 --------------
    wait_text(c, "#order-slip-print", "服务单 PDF").await;
    wait_text(c, "#order-slip-print", "A4").await;
    click(c, "#order-slip-print").await;
    let again = take_pdf(downloads.path(), tmp.path(), "slip-a4-reprint").await;
    find(
        c,
        "#slip-result[data-number=\"FW2026000002\"][data-reprint=\"1\"]",
    )
    .await;
    let text = pdf_text(&again);
    assert!(
        text.contains("FW2026000002") && text.contains("补打"),
        "{text}"
    );

    // ---- 预览 of the printed slip: its number, no 补打, still two prints -----------------------
    click(c, "#slip-preview").await;
    let previewed =
        previewed_pdf(c, downloads.path(), tmp.path(), "slip-a4-preview-numbered").await;
    find(
        c,
        "#slip-result[data-preview=\"true\"][data-number=\"FW2026000002\"]",
    )
    .await;
    let text = pdf_text(&previewed);
    assert!(
        text.contains("FW2026000002") && !text.contains("补打"),
        "{text}"
    );
    assert!(raw_text(&previewed).starts_with("预览"));
    let slips = desk(&door, "slips.list", json!({"order_id": s.signed}));
    assert_eq!(slips["items"][0]["prints"], 2, "{slips}");
    find(
        c,
        "#order-slip-table tr[data-number=\"FW2026000002\"][data-prints=\"2\"]",
    )
    .await;

    // ---- 打印: straight to the A4 printer; what the print system said is shown ---------------
    click(c, "#slip-send").await;
    wait_text(c, "#slip-sent", "request id is Front-Desk-A4-7").await;
    let args = std::fs::read_to_string(tmp.path().join("lp.args")).expect("lp was called");
    assert!(
        args.starts_with("-d Front-Desk-A4 ") && args.contains(" -t 服务单-FW2026000002 "),
        "{args}"
    );
    let sent = pdf_text(&tmp.path().join("lp.pdf"));
    assert!(sent.contains("补打（第2次）"), "{sent}");
    click(c, "#slip-cancel").await;
    wait_dialog(c, "slip-dialog", false).await;
    find(
        c,
        "#order-slip-table tr[data-number=\"FW2026000002\"][data-prints=\"3\"]",
    )
    .await;
    assert_eq!(
        inner_text(
            c,
            "#order-slip-table tr[data-number=\"FW2026000002\"] .col-slip-reprints"
        )
        .await
        .unwrap()
        .trim(),
        "2"
    );
    // The button now says what one click does: print to the printer.
    wait_text(c, "#order-slip-print", "打印服务单").await;

    // ---- 作废: a reason is required, the number stays, marked void ----------------------------
    click(c, "button.slip-void[data-number=\"FW2026000002\"]").await;
    wait_dialog(c, "slip-void-dialog", true).await;
    wait_text(c, "#slip-void-lead", "FW2026000002").await;
    click(c, "#slip-void-confirm").await;
    wait_text(
        c,
        "#slip-void-form .field-error[data-for=\"reason\"]",
        "作废原因",
    )
    .await;
    assert!(dialog_open(c, "slip-void-dialog").await);
    type_into(c, "#slip-void-reason", "打印时卡纸").await;
    screenshot(c, "slips-void-dialog").await;
    press_key(c, Key::Enter).await;
    wait_dialog(c, "slip-void-dialog", false).await;
    wait_text(
        c,
        "#order-slip-table tr[data-number=\"FW2026000002\"][data-state=\"void\"]",
        "打印时卡纸",
    )
    .await;
    let slips = desk(&door, "slips.list", json!({"order_id": s.signed}));
    assert_eq!(slips["items"][0]["void"]["reason"], "打印时卡纸", "{slips}");

    // ---- the next one click prints under a new number ---------------------------------------
    click(c, "#order-slip-print").await;
    wait_text(c, "#toast", "FW2026000003").await;
    find(
        c,
        "#order-slip-table tr[data-number=\"FW2026000003\"][data-state=\"live\"]",
    )
    .await;
    let sent = pdf_text(&tmp.path().join("lp.pdf"));
    assert!(
        sent.contains("FW2026000003") && !sent.contains("补打"),
        "{sent}"
    );
    assert!(!dialog_open(c, "slip-dialog").await);
    wait_text(c, "#order-timeline", "作废服务单 FW2026000002：打印时卡纸").await;
    c.execute(
        "document.getElementById('order-slips').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .expect("scroll to the slips");
    screenshot(c, "slips-order-history").await;

    // ---- 服务单连号报表: this month by default, every number, each leading to its order -------
    go(c, "#/slips/continuity").await;
    find(c, "#continuity-table tr[data-number=\"FW2026000003\"]").await;
    assert_eq!(value_of(c, "#continuity-from").await, "2026-11-01");
    assert_eq!(value_of(c, "#continuity-to").await, "2026-11-23");
    let rows = c
        .execute(
            "return [...document.querySelectorAll('#continuity-table tbody tr')]
               .map((r) => [r.dataset.number, r.dataset.state, r.innerText]);",
            vec![],
        )
        .await
        .expect("report rows");
    let rows: Vec<(String, String, String)> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_string(),
                r[1].as_str().unwrap_or_default().to_string(),
                r[2].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let states: Vec<(&str, &str)> = rows
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("FW2026000001", "printed"),
            ("FW2026000002", "voided"),
            ("FW2026000003", "printed")
        ]
    );
    assert!(rows[1].2.contains("打印时卡纸"), "{rows:?}");
    assert!(rows[1].2.contains("已作废"), "{rows:?}");
    wait_text(c, "#continuity-printed", "2").await;
    wait_text(c, "#continuity-voided", "1").await;
    wait_text(c, "#continuity-missing", "0").await;
    wait_text(c, "#continuity-verdict", "没有缺号").await;
    screenshot(c, "slips-continuity").await;
    // The previous month has none.
    click(c, "#continuity-prev").await;
    wait_text(c, "#continuity-empty", "2026-10-01").await;
    click(c, "#continuity-month").await;
    let link = "#continuity-table tr[data-number=\"FW2026000003\"] a.continuity-order";
    click(c, link).await;
    let want = format!("#/orders/{}", s.signed);
    wait_hash(c, "the order of slip FW2026000003", |h| h == want).await;
    find(c, "#order-file").await;
    session.close().await;
}

#[tokio::test]
async fn the_overlay_template_moves_in_half_millimetres_and_is_saved() {
    let door = Door::start();
    let downloads = tempfile::tempdir().expect("temp download folder");
    let kept = tempfile::tempdir().expect("temp folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    open_at(&door, c, "#/settings").await;
    click(c, "#settings-slip-template").await;
    wait_hash(c, "the template screen", |h| {
        h == "#/settings/slip-template"
    })
    .await;
    find(c, "#template-fields tr[data-key=\"customer\"]").await;
    assert_eq!(value_of(c, "#template-offset_x").await, "0.0");
    // The pad has the focus: → moves the print 0.5 mm right; the button 0.5 mm down, twice.
    wait_focus(c, "template-offset-pad").await;
    press_key(c, Key::Right).await;
    assert_eq!(value_of(c, "#template-offset_x").await, "0.5");
    click(c, "#template-offset_y-plus").await;
    click(c, "#template-offset_y-plus").await;
    c.execute(
        "document.getElementById('template-offset-pad').focus()",
        vec![],
    )
    .await
    .expect("focus the offset pad");
    press_key(c, Key::Up).await;
    assert_eq!(value_of(c, "#template-offset_y").await, "0.5");
    wait_text(c, "#template-state", "未保存").await;
    // Nothing is saved before Ctrl+S.
    let before = door.call("slips.template", json!({}));
    assert_eq!(before["template"]["offset_x"], 0.0, "{before}");
    screenshot(c, "slips-template").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "套打模板已保存").await;
    let saved = door.call("slips.template", json!({}));
    assert_eq!(saved["template"]["offset_x"], 0.5, "{saved}");
    assert_eq!(saved["template"]["offset_y"], 0.5, "{saved}");

    // A value off the 0.5 mm grid is refused under its field, and nothing is saved.
    type_into(c, "#template-offset_x", "0.3").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        "#template-form .field-error[data-for=\"offset_x\"]",
        "0.5",
    )
    .await;
    let after = door.call("slips.template", json!({}));
    assert_eq!(after["template"]["offset_x"], 0.5, "{after}");

    // A box moved in the table; 打印校准页 saves it first, then downloads the page.
    type_into(c, "#template-offset_x", "1").await;
    let x = "#template-fields tr[data-key=\"customer\"] .tpl-x";
    type_into(c, x, "36.5").await;
    click(c, "#template-calibration").await;
    let page = wait_download(downloads.path(), ".pdf").await;
    let to = kept.path().join("calibration.pdf");
    std::fs::rename(&page, &to).expect("move the download");
    keep_for_people(&to, "slips-calibration");
    let text = pdf_text(&to);
    assert!(
        text.contains("套打校准页") && text.contains("+1.0mm"),
        "{text}"
    );
    let saved = door.call("slips.template", json!({}));
    assert_eq!(saved["template"]["offset_x"], 1.0, "{saved}");
    assert_eq!(
        saved["template"]["fields"]["customer"]["x"], 36.5,
        "{saved}"
    );
    session.close().await;
}
