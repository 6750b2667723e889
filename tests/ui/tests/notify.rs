//! 通知 in headless Chromium against the real browser door: the manager writes a template
//! with its live preview filled from a real order, switches it on, sets the 企业微信 robot's
//! address (a local fake robot) and sends a test; a status change's message, sent by the
//! core's jobs, shows on the order's timeline with the robot's reply; the customer file's
//! opt-out is saved. Data is prepared and checked through the CLI door.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use fantoccini::Locator;
use serde_json::{json, Value};
use ui_tests::*;

/// A 企业微信 robot: answers `{"errcode":0}` and keeps the JSON bodies it received.
fn robot() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the robot");
    let url = format!(
        "http://{}/cgi-bin/webhook/send?key=ui-robot-key",
        listener.local_addr().unwrap()
    );
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            if let Ok(v) = serde_json::from_slice(&body) {
                seen.lock().unwrap().push(v);
            }
            let reply = r#"{"errcode":0,"errmsg":"ok"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, got)
}

#[tokio::test]
async fn templates_preview_channels_test_send_timeline_and_opt_out() {
    let door = Door::start();
    let customer = door.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .as_i64()
        .unwrap();
    let first = door.call(
        "orders.create",
        json!({"customer_id": customer, "fault": "打开热水后没有火", "mode": "carry_in"}),
    );
    let first_number = first["number"].as_str().unwrap().to_string();
    let (robot_url, received) = robot();

    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    go(c, "#/settings").await;
    click(c, "#settings-notify").await;
    find(c, "#notify-overview").await;

    // The template of 已登记 on the 企业微信 group: picked from the overview, written, the
    // preview filled with the latest order's values while typing, switched on and saved.
    click(
        c,
        "#notify-overview tr[data-status=\"registered\"] td[data-channel=\"wecom\"] button",
    )
    .await;
    fill_in(
        c,
        "#notify-template-form",
        "body",
        "新工单{工单号}：{客户}，{金额}",
    )
    .await;
    wait_inner(
        c,
        "#notify-preview",
        &[&format!("新工单{first_number}：张伟，¥0.00"), &first_number],
    )
    .await;
    // A field that does not exist: the preview says so.
    fill_in(c, "#notify-template-form", "body", "{电话}").await;
    wait_inner(c, "#notify-preview", &["没有", "{电话}"]).await;
    fill_in(c, "#notify-template-form", "body", "新工单{工单号}：{客户}").await;
    click(c, "#notify-enabled").await;
    click(c, "#notify-template-save").await;
    wait_until("the overview says on", || async {
        let cell = c
            .find(Locator::Css(
                "#notify-overview tr[data-status=\"registered\"] td[data-channel=\"wecom\"]",
            ))
            .await?;
        let state = cell.attr("data-state").await?.unwrap_or_default();
        Ok(if state == "on" { Ok(()) } else { Err(state) })
    })
    .await;

    c.execute(
        "document.querySelector('#notify-overview').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "notify-templates").await;

    // The robot's address: a secret, typed in, never shown back.
    fill_in(c, "#notify-settings-form", "wecom_webhook", &robot_url).await;
    click(c, "#notify-settings-save").await;
    wait_until("the webhook is saved", || async {
        let shown = door.call("notify.settings", json!({}));
        let set = shown["secrets_set"]
            .as_array()
            .is_some_and(|s| s.iter().any(|k| k == "wecom_webhook"));
        Ok(if set { Ok(()) } else { Err(shown.to_string()) })
    })
    .await;
    let page = inner_text(c, "#notify-settings-form").await.unwrap();
    assert!(!page.contains("ui-robot-key"), "{page}");
    let placeholder = find(c, "#notify-wecom_webhook")
        .await
        .attr("placeholder")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(placeholder.contains("已设置"), "{placeholder}");

    // A test message to the robot, sent now.
    find(c, "#notify-test-channel")
        .await
        .select_by_value("wecom")
        .await
        .unwrap();
    click(c, "#notify-test").await;
    wait_inner(c, "#notify-test-result", &["已发送"]).await;
    wait_inner(c, "#notify-log", &["企业微信群", "已发送", "测试"]).await;
    assert_eq!(received.lock().unwrap().len(), 1);
    screenshot(c, "notify-settings").await;

    // A new order queues its message; the core's jobs (what every door's timer runs, here
    // through the command line) send it; the order's timeline shows the attempt.
    let second = door.call(
        "orders.create",
        json!({"customer_id": customer, "fault": "漏水", "mode": "carry_in"}),
    );
    let (second_id, second_number) = (
        second["id"].as_i64().unwrap(),
        second["number"].as_str().unwrap().to_string(),
    );
    let out = aftersales_on(door.data_dir.path())
        .args(["backup", "--auto", "daily"])
        .output()
        .expect("run the jobs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the robot got the order's message", || async {
        let got = received.lock().unwrap().clone();
        let want = json!(format!("新工单{second_number}：张伟"));
        Ok(if got.iter().any(|v| v["text"]["content"] == want) {
            Ok(())
        } else {
            Err(format!("{got:?}"))
        })
    })
    .await;
    go(c, &format!("#/orders/{second_id}")).await;
    wait_inner(
        c,
        "#order-timeline",
        &[
            "通知 · 企业微信群 · 已发送",
            &format!("新工单{second_number}：张伟"),
            "errcode",
        ],
    )
    .await;
    find(c, "#order-timeline li[data-kind=\"notify-sent\"]").await;
    c.execute(
        "document.querySelector('#order-timeline li[data-kind=\"notify-sent\"]').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "notify-order-timeline").await;

    // The customer file: opting out is saved and shown.
    go(c, &format!("#/customers/{customer}")).await;
    wait_inner(c, "#customer-notify-state", &["会按已开启的模板"]).await;
    click(c, "#customer-notify-opt-out").await;
    click(c, "#customer-notify-save").await;
    wait_inner(c, "#customer-notify-state", &["不接收通知"]).await;
    assert_eq!(
        door.call("notify.customer", json!({"customer_id": customer}))["opt_out"],
        true
    );
    find(c, "#customer-notify").await;
    c.execute(
        "document.querySelector('#customer-notify').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "notify-customer-opt-out").await;
    session.close().await;
}
