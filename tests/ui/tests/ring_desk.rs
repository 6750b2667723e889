//! 来电弹屏 (issue 20) in headless Chromium through the real browser door: a call centre's
//! ring (`POST /cti/ring` with the manager's secret) reaches a logged-in desk's screen; the
//! pop-up shows the open order first, stays when the clerk changes screens, queues a second
//! ring, closes with Esc and takes the call into 来电登记 with the number filled (Enter);
//! an unknown number offers 新客户 with the number; F8 rings a number by hand.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::json;
use ui_tests::*;

const SECRET: &str = "s3cret-for-the-call-centre";

/// `POST /cti/ring` as a call centre sends it; the status.
fn webhook(url: &str, body: &str) -> u16 {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut s = TcpStream::connect(&host).unwrap();
    write!(
        s,
        "POST /cti/ring HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nX-Cti-Secret: {SECRET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    reply[9..12].parse().unwrap()
}

/// Latin words of two letters or more on the pop-up, less the keys' names and the test's
/// own codes (model, serial, order number: letters with digits): a Chinese screen shows
/// none (as tests/ui/tests/i18n.rs holds for the screens).
fn latin_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .flat_map(|w| w.split('-'))
        .filter(|w| w.len() >= 2 && !["Enter", "Esc"].contains(w))
        .map(str::to_string)
        .collect()
}

async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {css}: {e}"))
        .unwrap_or_default()
}

async fn wait_gone(c: &Client, css: &str) {
    wait_until(&format!("{css} to go"), || async move {
        let n = c.find_all(fantoccini::Locator::Css(css)).await?.len();
        Ok(if n == 0 {
            Ok(())
        } else {
            Err(format!("{n} left"))
        })
    })
    .await
}

/// Waits until the desk's ring stream is connected (`body[data-rings=ready]`).
async fn wait_stream(c: &Client) {
    wait_until("the desk's ring stream", || async move {
        let state = c
            .execute("return document.body.dataset.rings ?? ''", vec![])
            .await?;
        let state = state.as_str().unwrap_or_default().to_string();
        Ok(if state == "ready" { Ok(()) } else { Err(state) })
    })
    .await
}

#[tokio::test]
async fn a_call_centres_ring_pops_up_and_is_taken_into_intake() {
    let door = Door::start_prepared(&[], |dir| {
        let model = id(&cli_call(
            dir,
            "models.save",
            json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
                   "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
        ));
        let zhang = id(&cli_call(
            dir,
            "customers.create",
            json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
        ));
        let machine = id(&cli_call(
            dir,
            "equipment.create",
            json!({"customer_id": zhang, "model_id": model, "serial": "SN-ZW-0001",
                   "purchase_date": date_days_ago(60)}),
        ));
        // The open order first, then a newer one completed: the pop-up shows the open one
        // first, not the newest.
        cli_call(
            dir,
            "orders.create",
            json!({"customer_id": zhang, "equipment_id": machine, "kind": "repair", "channel": "phone",
                   "mode": "on_site", "fault": "打开热水后没有火", "confirmed": true}),
        );
        cli_call(dir, "calls.settings.save", json!({"secret": SECRET}));
    });
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    wait_nonempty(c, "#status-user").await;
    wait_stream(c).await;

    let sent = Instant::now();
    assert_eq!(
        webhook(
            &door.url,
            r#"{"phone": "+86 138 1234 5678", "line": "400热线"}"#
        ),
        200
    );
    let text = wait_inner(c, "#ring-popup", &["张伟", "138 1234 5678"]).await;
    let took = sent.elapsed();
    eprintln!("webhook → pop-up on screen (Chromium, one SQLite door): {took:?}");
    assert!(text.contains("打开热水后没有火"), "{text}");
    assert!(text.contains("400热线"), "{text}");
    assert!(text.contains("呼叫中心"), "{text}");
    let first_open = inner_text(c, "#ring-popup .ring-open .ring-order")
        .await
        .unwrap();
    assert!(first_open.contains("已登记"), "{first_open}");
    screenshot(c, "ring-popup-known-chromium").await;
    assert_eq!(latin_words(&text), Vec::<String>::new(), "{text}");

    // Another screen: the pop-up stays.
    go(c, "#/customers").await;
    wait_hash(c, "the customer list", |h| h.starts_with("#/customers")).await;
    wait_inner(c, "#ring-popup", &["张伟"]).await;

    // A second ring queues behind the first.
    assert_eq!(webhook(&door.url, r#"{"phone": "139 0000 2222"}"#), 200);
    wait_inner(c, "#ring-queue", &["1"]).await;
    screenshot(c, "ring-popup-queued-chromium").await;
    // The list took the focus when the clerk went there; F8 goes back to the waiting
    // pop-up. Esc closes the first: the second, unknown, offers 新客户.
    press_key(c, Key::F8).await;
    wait_focus(c, "ring-take").await;
    press_key(c, Key::Escape).await;
    wait_inner(
        c,
        "#ring-popup",
        &["139 0000 2222", "没有找到这个号码的客户"],
    )
    .await;
    find(c, "#ring-new").await;
    screenshot(c, "ring-popup-unknown-chromium").await;
    let unknown = inner_text(c, "#ring-popup").await.unwrap();
    assert_eq!(latin_words(&unknown), Vec::<String>::new(), "{unknown}");
    // Enter on 来电登记 (focused as the next ring shows): the intake with the number, the
    // pop-up gone.
    wait_focus(c, "ring-take").await;
    press_key(c, Key::Enter).await;
    wait_hash(c, "the intake with the number", |h| {
        h.starts_with("#/orders/new") && h.contains("13900002222")
    })
    .await;
    wait_gone(c, "#ring-popup").await;
    wait_until("the caller's number in 来电登记", || async move {
        let v = find(c, "#caller-phone")
            .await
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(if v == "13900002222" { Ok(()) } else { Err(v) })
    })
    .await;
    screenshot(c, "ring-intake-filled-chromium").await;

    // F8: the clerk rings a number by hand; a bad one is refused under the field.
    go(c, "#/customers").await;
    wait_hash(c, "the customer list", |h| h.starts_with("#/customers")).await;
    press_key(c, Key::F8).await;
    find(c, "#ring-ask-phone").await;
    type_into(c, "#ring-ask-phone", "12345").await;
    press_key(c, Key::Enter).await;
    let error = wait_nonempty(c, "#ring-ask-error").await;
    assert!(error.contains("来电号码"), "{error}");
    find(c, "#ring-ask-phone").await.clear().await.unwrap();
    type_into(c, "#ring-ask-phone", "138-1234-5678").await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#ring-popup", &["张伟", "前台按键"]).await;
    // The same ring also comes back on the stream: shown once.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(
        c.find_all(fantoccini::Locator::Css("#ring-queue"))
            .await
            .unwrap()
            .is_empty(),
        "the desk's own F8 ring is not queued twice"
    );
    // 新客户 path for an unknown one: the customer form with the number.
    press_key(c, Key::Escape).await;
    wait_gone(c, "#ring-popup").await;
    press_key(c, Key::F8).await;
    type_into(c, "#ring-ask-phone", "021-6123 4567").await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#ring-popup", &["021 6123 4567"]).await;
    click(c, "#ring-new").await;
    wait_hash(c, "the new customer form", |h| {
        h.starts_with("#/customers/new")
    })
    .await;
    let phones = value_of(c, "form#customer-form [name=\"phones\"]").await;
    assert_eq!(phones, "02161234567");
    session.close().await;
}

/// A pseudo-terminal pair standing in for the caller-ID box's serial port: the master (the
/// box's end, written to), the slave's path (the "port" the settings name) and the slave
/// kept open so that the line stays up while the door reads it.
#[cfg(unix)]
fn pseudo_terminal() -> (std::fs::File, String, std::fs::File) {
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty only writes the two descriptors it opens; the other arguments are null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    let path = std::fs::read_link(format!("/proc/self/fd/{slave}"))
        .expect("the slave's path")
        .to_string_lossy()
        .into_owned();
    // SAFETY: both descriptors were just opened by openpty and are owned here alone.
    unsafe {
        (
            std::fs::File::from_raw_fd(master),
            path,
            std::fs::File::from_raw_fd(slave),
        )
    }
}

/// A USB caller-ID box on a serial port (a pseudo-terminal here): the line it sends when
/// the phone rings reaches the logged-in clerk's screen as the pop-up, marked 来电盒, with
/// the caller's open order; Esc closes it.
#[cfg(unix)]
#[tokio::test]
async fn a_caller_id_box_on_a_serial_line_pops_up_on_the_desk() {
    let (mut master, port, _slave) = pseudo_terminal();
    let door = Door::start_prepared(&[], |dir| {
        let li = id(&cli_call(
            dir,
            "customers.create",
            json!({"name": "李娜", "phones": ["13698765432"], "address": "上海市徐汇区漕溪北路88号"}),
        ));
        cli_call(
            dir,
            "orders.create",
            json!({"customer_id": li, "kind": "repair", "channel": "phone",
                   "mode": "on_site", "fault": "洗衣机不脱水", "confirmed": true}),
        );
        cli_call(
            dir,
            "calls.settings.save",
            json!({"serial_port": port, "serial_baud": 9600}),
        );
    });
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    wait_nonempty(c, "#status-user").await;
    wait_stream(c).await;

    // The box sends a RING line (no number: ignored), then the number with the trunk's 0
    // before a mobile. The door opened the port as it started; should it still be opening,
    // the line is sent again (a ring then waits behind the first: counted below).
    let mut sent_lines = 0;
    let sent = Instant::now();
    let text = loop {
        master
            .write_all(b"RING\r\nNMBR = 013698765432\r\n")
            .expect("write to the box's line");
        sent_lines += 1;
        let shown = wait_until_or_none(c, "#ring-popup", &["李娜", "136 9876 5432"]).await;
        if let Some(text) = shown {
            break text;
        }
        assert!(sent_lines < 5, "the box's ring never reached the screen");
    };
    eprintln!(
        "caller-ID line → pop-up on screen: {:?} ({sent_lines} line(s) sent)",
        sent.elapsed()
    );
    assert!(text.contains("来电盒"), "{text}");
    assert!(text.contains("洗衣机不脱水"), "{text}");
    assert_eq!(
        find(c, "#ring-popup")
            .await
            .attr("data-phone")
            .await
            .unwrap()
            .as_deref(),
        Some("13698765432")
    );
    // The phone rang: the focus is on the pop-up's 来电登记, so Esc reaches it.
    wait_focus(c, "ring-take").await;
    press_key(c, Key::Escape).await;
    if sent_lines == 1 {
        wait_gone(c, "#ring-popup").await;
    }
    session.close().await;
}

/// The pop-up's text once it holds every needle, or None after two seconds.
async fn wait_until_or_none(c: &Client, css: &str, needles: &[&str]) -> Option<String> {
    let until = Instant::now() + std::time::Duration::from_secs(2);
    while Instant::now() < until {
        if let Ok(text) = inner_text(c, css).await {
            if needles.iter().all(|n| text.contains(n)) {
                return Some(text);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}
