//! 打印标签 and the purchase request as PDF, in headless Chromium against the real browser
//! door: labels printed from a part file with the keyboard (defaults, a refused copy
//! count, a bin label as QR code), from the parts list for the ticked parts, and the
//! purchase request PDF from the 低库存 tab. Every PDF is the browser's own download, read
//! back with `pdftotext`. Data is prepared through the CLI door.

use std::path::{Path, PathBuf};
use std::process::Command;

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::json;
use ui_tests::*;

/// A part through the CLI; below its minimum of 3 (nothing received); returns its id.
fn seed_part(door: &Door, code: &str, name: &str, barcode: &str, bin: &str) -> i64 {
    let part = door.call(
        "parts.save",
        json!({"code": code, "name": name, "spec": "通用", "unit": "个", "models": [],
               "cost_fen": 2500, "price_fen": 5000, "barcode": barcode,
               "bin": bin, "min_stock": 3}),
    );
    part["id"].as_i64().expect("part id")
}

/// The text of a PDF, as `pdftotext` reads it, without whitespace (wrapped lines join).
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

fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count for {}", pdf.display()))
}

/// Waits for the one finished PDF download, moves it out of the way (so the next wait
/// sees only the next one) and returns where it went.
async fn take_pdf(downloads: &Path, kept: &Path, name: &str) -> PathBuf {
    let file = wait_download(downloads, ".pdf").await;
    let to = kept.join(format!("{name}.pdf"));
    std::fs::rename(&file, &to).expect("move the download");
    // Also where people can look at it.
    let samples = screenshot_dir().join(format!("{name}.pdf"));
    std::fs::copy(&to, samples).ok();
    to
}

async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

async fn dialog_open(c: &Client) -> bool {
    c.execute(
        "return document.getElementById('label-dialog')?.open === true",
        vec![],
    )
    .await
    .expect("dialog state")
    .as_bool()
    .unwrap_or(false)
}

async fn wait_dialog(c: &Client, open: bool) {
    wait_until(&format!("#label-dialog open = {open}"), || async move {
        Ok(if dialog_open(c).await == open {
            Ok(())
        } else {
            Err(format!("open = {}", !open))
        })
    })
    .await
}

#[tokio::test]
async fn labels_from_the_part_file_and_the_list_and_the_purchase_request_pdf() {
    let door = Door::start();
    let valve = seed_part(
        &door,
        "P100",
        "喆玥堃赟牌燃气热水器水气联动阀",
        "6901234567892",
        "A-01-02",
    );
    let igniter = seed_part(&door, "P200", "点火针", "", "B-12");

    let downloads = tempfile::tempdir().expect("temp download folder");
    let kept = tempfile::tempdir().expect("temp folder for the PDFs");
    std::fs::create_dir_all(screenshot_dir()).expect("screenshot folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        h == "#/day" && !h.contains("token")
    })
    .await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;

    // ---- the part file: 打印标签 with the defaults, two copies, from the keyboard --------
    go(c, &format!("#/parts/{valve}")).await;
    wait_text(c, "#part-file .part-name", "水气联动阀").await;
    click(c, "#part-labels").await;
    wait_dialog(c, true).await;
    wait_focus(c, "label-kind").await;
    assert_eq!(value_of(c, "#label-kind").await, "part");
    assert_eq!(value_of(c, "#label-code").await, "barcode");
    assert_eq!(value_of(c, "#label-size").await, "50x30");
    assert_eq!(value_of(c, "#label-copies").await, "1");
    wait_inner(c, "#label-summary", &["P100"]).await;
    screenshot(c, "labels-dialog").await;

    // A copy count the desk does not take: the message under the field, nothing made.
    type_into(c, "#label-copies", "0").await;
    press_key(c, Key::Enter).await;
    wait_text(c, ".field-error[data-for=\"copies\"]", "1 到 100").await;
    assert!(dialog_open(c).await, "the dialog stays open");
    screenshot(c, "labels-dialog-error").await;

    type_into(c, "#label-copies", "2").await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "已生成 2 张标签").await;
    wait_dialog(c, false).await;
    wait_focus(c, "part-labels").await;
    let pdf = take_pdf(downloads.path(), kept.path(), "labels-part-file").await;
    let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(".pdf"), "{name}");
    let text = pdf_text(&pdf);
    for needle in [
        "P100",
        "喆玥堃赟牌燃气热水器水气联动阀",
        "A-01-02",
        "6901234567892",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    assert_eq!(pdf_pages(&pdf), 2, "two copies of a 50×30 roll label");

    // L opens it again; a bin label as QR code, chosen with the keyboard; Esc first
    // closes without leaving the part file.
    press(c, &[], 'l').await;
    wait_dialog(c, true).await;
    press_key(c, Key::Escape).await;
    wait_dialog(c, false).await;
    let hash = c.execute("return location.hash", vec![]).await.unwrap();
    assert_eq!(hash.as_str(), Some(format!("#/parts/{valve}").as_str()));
    press(c, &[], 'L').await;
    wait_dialog(c, true).await;
    wait_focus(c, "label-kind").await;
    find(c, "#label-kind")
        .await
        .select_by_value("bin")
        .await
        .unwrap();
    find(c, "#label-code")
        .await
        .select_by_value("qr")
        .await
        .unwrap();
    find(c, "#label-size")
        .await
        .select_by_value("40x30")
        .await
        .unwrap();
    // Enter on a list makes the PDF as well.
    c.execute("document.getElementById('label-size').focus()", vec![])
        .await
        .unwrap();
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "已生成 1 张标签").await;
    let pdf = take_pdf(downloads.path(), kept.path(), "labels-bin-qr").await;
    let text = pdf_text(&pdf);
    assert!(text.contains("A-01-02") && text.contains("P100"), "{text}");

    // ---- the parts list: tick two parts, print their labels -----------------------------
    click(c, "a[data-view=\"parts\"]").await;
    wait_inner(c, "#parts-table tbody", &["P100", "P200"]).await;
    wait_text(c, "#print-labels", "打印标签").await;
    click(
        c,
        &format!("#parts-table tr[data-id=\"{valve}\"] input.pick"),
    )
    .await;
    wait_text(c, "#print-labels", "已选 1").await;
    assert_eq!(
        c.execute("return location.hash", vec![])
            .await
            .unwrap()
            .as_str(),
        Some("#/parts"),
        "ticking a part does not open it"
    );
    // Space on a row ticks it too: Enter in the search box moves to the first row (P100),
    // ↓ to P200.
    type_into(c, "#part-search", "P").await;
    press_key(c, Key::Enter).await;
    wait_focus_in_rows(c).await;
    press_key(c, Key::Down).await;
    press_key(c, Key::Space).await;
    wait_text(c, "#print-labels", "已选 2").await;
    let ticked = find(
        c,
        &format!("#parts-table tr[data-id=\"{igniter}\"] input.pick"),
    )
    .await
    .prop("checked")
    .await
    .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"), "Space ticked 点火针");
    screenshot(c, "labels-parts-list-ticked").await;
    click(c, "#print-labels").await;
    wait_dialog(c, true).await;
    wait_inner(c, "#label-summary", &["2 种备件", "P100", "P200"]).await;
    // The desk remembers the kind, code and size it used last.
    assert_eq!(value_of(c, "#label-kind").await, "bin");
    find(c, "#label-kind")
        .await
        .select_by_value("part")
        .await
        .unwrap();
    find(c, "#label-size")
        .await
        .select_by_value("a4-70x37")
        .await
        .unwrap();
    screenshot(c, "labels-dialog-list").await;
    click(c, "#label-print").await;
    wait_text(c, "#toast", "已生成 2 张标签（1 页）").await;
    let pdf = take_pdf(downloads.path(), kept.path(), "labels-list-a4").await;
    let text = pdf_text(&pdf);
    assert!(text.contains("P100") && text.contains("点火针"), "{text}");
    assert_eq!(pdf_pages(&pdf), 1);

    // ---- 低库存: the purchase request as a PDF --------------------------------------------
    go(c, "#/stock-report?tab=low").await;
    wait_inner(c, "#low-table tbody", &["P100", "P200"]).await;
    click(c, "#purchase-request-pdf").await;
    wait_text(c, "#toast", "已生成采购申请：2 种备件").await;
    let pdf = take_pdf(downloads.path(), kept.path(), "purchase-request").await;
    let text = pdf_text(&pdf);
    for needle in [
        "备件采购申请",
        "P100",
        "喆玥堃赟",
        "点火针",
        "建议采购",
        "合计：¥300.00",
        "审批：",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    screenshot(c, "labels-purchase-request-pdf").await;

    // Every print run is in the audit trail.
    let log = door.call("audit.list", json!({"action": "labels"}));
    assert_eq!(log["items"].as_array().map(Vec::len), Some(3), "{log}");
    session.close().await;
}

/// Waits until a row of the parts list has the focus (after Enter in the search box).
async fn wait_focus_in_rows(c: &Client) {
    wait_until("a row of the parts list to have the focus", || async move {
        let inside = c
            .execute(
                "return document.activeElement?.closest('#parts-table tbody tr[data-id]') != null",
                vec![],
            )
            .await?;
        Ok(if inside.as_bool() == Some(true) {
            Ok(())
        } else {
            Err("focus elsewhere".to_string())
        })
    })
    .await
}
