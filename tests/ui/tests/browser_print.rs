//! Issue 18, print where the clerk is: a browser desk on another PC prints 服务单 through
//! its own print dialog. Headless Chromium reaches the real LAN door (plain HTTP) at this
//! PC's own LAN address, so the door sees a peer that is not loopback, as it would see a
//! second PC. The print dialog itself cannot be driven in headless Chromium; what is
//! tested: 打印 fetches the paper rendered for print (`slips.render`) into the hidden
//! frame the dialog prints from (its PDF read back with pdftotext), nothing is recorded
//! until the clerk answers 已打印, the answer records it once, 没有打印出来 records it as
//! not printed, a refusal shows in Chinese by the print buttons (never outlined on 纸张),
//! and the server's printer (an `lp` on the door's PATH that logs every job) is never used.

use std::path::{Path, PathBuf};
use std::process::Command;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

/// An `lp` that appends each job's arguments to `lp.log`; the folder to put first on PATH.
fn logging_lp(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin folder");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho 'request id is Server-1 (1 file(s))'\n",
            dir.join("lp.log").display()
        ),
    )
    .expect("write lp");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod lp");
    bin
}

/// This PC's own address on its LAN (the one a packet to the LAN would leave from).
fn lan_address() -> String {
    let ip = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .expect("a LAN address");
    assert!(!ip.is_loopback(), "{ip}");
    ip.to_string()
}

fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

/// The PDF in the hidden print frame, from its Blob (the page's CSP lets no script fetch
/// a `blob:` URL; `window.__blobs` keeps each Blob the page turned into a URL).
async fn print_frame_pdf(c: &Client) -> Vec<u8> {
    let bytes = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const src = document.getElementById('slip-print-frame').src;
             window.__blobs.get(src).arrayBuffer()
               .then((b) => done(Array.from(new Uint8Array(b))));",
            vec![],
        )
        .await
        .expect("the print frame's PDF");
    bytes
        .as_array()
        .expect("the PDF's bytes")
        .iter()
        .map(|b| b.as_u64().unwrap_or_default() as u8)
        .collect()
}

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

fn pdf_text(bytes: &[u8], dir: &Path, name: &str) -> String {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, bytes).expect("save the PDF");
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", file.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn prints(door: &Door, order: i64) -> Value {
    desk(door, "slips.list", json!({"order_id": order}))["items"].clone()
}

#[tokio::test]
async fn a_browser_desk_prints_in_its_own_dialog_and_records_on_printed() {
    let tmp = tempfile::tempdir().expect("temp folder");
    let bin = logging_lp(tmp.path());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let log = tmp.path().join("lp.log");
    let port = free_port();
    let door = Door::start_prepared(&[(CLOCK, MONDAY_10), ("PATH", &path)], |dir| {
        cli_call(
            dir,
            "settings.save",
            json!({"lan_open": true, "lan_port": port, "lan_plain_http": true,
                   "printers": {"a4": "Server-A4"}}),
        );
    });
    desk(
        &door,
        "customers.create",
        json!({"name": "欧阳娜", "phones": ["13812345678"], "address": "北京市西城区"}),
    );
    let order = desk(
        &door,
        "orders.create",
        json!({"customer_id": 1, "fault": "不加热", "mode": "carry_in", "confirmed": true}),
    )["id"]
        .as_i64()
        .expect("an order");
    // The same door (in LAN mode it listens on every interface at `lan_port`), reached as a
    // second PC reaches it.
    assert!(
        door.url.starts_with(&format!("http://127.0.0.1:{port}/")),
        "{}",
        door.url
    );
    let url = door.url.replacen("127.0.0.1", &lan_address(), 1);
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&url).await.expect("open the LAN door");
    find(c, "#view > section").await;
    wait_hash(c, "the session to leave the address bar", |h| {
        h.starts_with("#/") && !h.contains("session")
    })
    .await;
    keep_blobs(c).await;
    go(c, &format!("#/orders/{order}")).await;

    // ---- the dialog says where 打印 goes: this browser's print dialog --------------------------
    click(c, "#order-slip-options").await;
    wait_text(c, "#slip-printer", "本机浏览器的打印对话框").await;
    let hidden = find(c, "#slip-printer-settings")
        .await
        .attr("hidden")
        .await
        .expect("the settings link's hidden");
    assert!(
        hidden.is_some(),
        "the server's printer settings are not this PC's"
    );
    click(c, "#slip-send").await;

    // ---- the paper rendered for print in the frame the dialog prints; nothing recorded -------
    wait_text(
        c,
        "#slip-browser-question",
        "服务单 FW2026000001（首次打印）",
    )
    .await;
    let frame = find(c, "#slip-print-frame").await;
    let src = frame.attr("src").await.expect("src").unwrap_or_default();
    assert!(src.starts_with("blob:"), "{src}");
    let text = pdf_text(&print_frame_pdf(c).await, tmp.path(), "browser-print-first");
    assert!(
        text.contains("FW2026000001") && text.contains("欧阳娜") && !text.contains("预览"),
        "{text}"
    );
    assert_eq!(prints(&door, order)[0]["prints"], 0);
    wait_text(c, ".slip-browser-confirm .hint", "实际大小").await;
    screenshot(c, "browser-print-question").await;
    assert_eq!(active_id(c).await.expect("focus"), "slip-printed");

    // ---- 已打印 (Enter: the focus is on it after the dialog): recorded once --------------------
    press_key(c, Key::Enter).await;
    wait_text(c, "#slip-sent", "已记为打印").await;
    assert_eq!(prints(&door, order)[0]["prints"], 1);
    find(
        c,
        "#order-slip-table tr[data-number=\"FW2026000001\"][data-prints=\"1\"]",
    )
    .await;
    assert!(
        c.find(Locator::Css("#slip-browser-confirm:not([hidden])"))
            .await
            .is_err(),
        "the question stays after it was answered"
    );

    // ---- the one click (打印 remembered): the dialog opens with the question ----------------
    click(c, "#slip-cancel").await;
    wait_until("the print dialog to close", || async {
        let open = c
            .execute("return document.getElementById('slip-dialog').open", vec![])
            .await?;
        Ok(if open == json!(false) {
            Ok(())
        } else {
            Err(open.to_string())
        })
    })
    .await;
    click(c, "#order-slip-print").await;
    wait_text(c, "#slip-browser-question", "补打（第 1 次）").await;
    assert_eq!(prints(&door, order)[0]["prints"], 1);

    // ---- 没有打印出来: recorded as not printed, said in Chinese by the buttons ------------------
    click(c, "#slip-not-printed").await;
    wait_text(c, "#slip-print-error", "已记录，但没有打印出来").await;
    assert_eq!(prints(&door, order)[0]["prints"], 1);

    // ---- a refusal (the slip voided on another desk meanwhile): Chinese, by the buttons ------
    click(c, "#slip-send").await;
    wait_text(c, "#slip-browser-question", "补打（第 1 次）").await;
    desk(
        &door,
        "slips.void",
        json!({"number": "FW2026000001", "reason": "客户姓名写错"}),
    );
    click(c, "#slip-printed").await;
    let error = wait_text(c, "#slip-print-error", "已作废").await;
    assert!(has_chinese(&error), "{error}");
    // The question goes with a token the core will never take; the message stays.
    find(c, "#slip-browser-confirm[hidden]").await;
    assert_eq!(prints(&door, order)[0]["prints"], 1);
    let outlined = c
        .find_all(Locator::Css("#slip-form [aria-invalid=\"true\"]"))
        .await
        .expect("outlined fields");
    assert!(outlined.is_empty(), "a print error outlined a field");
    assert_eq!(
        find(c, "#slip-send")
            .await
            .attr("aria-describedby")
            .await
            .expect("aria-describedby")
            .as_deref(),
        Some("slip-print-error")
    );
    screenshot(c, "browser-print-refused").await;

    // The server's printer was never asked for anything.
    assert!(
        !log.exists(),
        "the server's lp was used: {:?}",
        std::fs::read_to_string(&log)
    );
    session.close().await;
}
