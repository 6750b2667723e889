//! Issue 18 (escpos) in headless Chromium against the real browser door: on 设置 the
//! thermal printer is set as a network ESC/POS printer (a bad port refused under the
//! printer table first), and an 80 mm slip printed with 打印 from the order reaches a real
//! TCP listener on this machine as ESC/POS: init, the slip's text in GBK, the QR command,
//! the cut. A part label sent with 打印 from the 打印标签 dialog reaches an ESC/POS label
//! printer the same way. The desk's clock is fixed; data is prepared through the CLI door.

use std::io::Read;
use std::net::TcpListener;

use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

/// A completed repair of 王喆玥's water heater (no parts, labour only).
fn completed_order(door: &Door) -> i64 {
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
        json!({"customer_id": customer, "model_id": model, "serial": "SN-THERMAL-01",
               "purchase_date": "2020-01-01"}),
    ));
    let engineer = id(&desk(
        door,
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海曙"}),
    ));
    let order = id(&desk(
        door,
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
               "channel": "phone", "mode": "on_site", "fault": "不点火，显示E1", "confirmed": true}),
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
    desk(
        door,
        "orders.complete",
        json!({"id": order, "diagnosis": "点火针积碳", "work_done": "清理点火针",
               "fees": [{"kind": "labour", "description": "上门维修", "amount_fen": 5000}]}),
    );
    order
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad, "{text}");
    bytes.into_owned()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_network_thermal_printer_set_on_screen_receives_the_80mm_slip_as_escpos() {
    let door = Door::start_with_env(&[(CLOCK, MONDAY_10)]);
    let order = completed_order(&door);
    let got = desk(&door, "orders.get", json!({"id": order}));
    let order_number = got["number"].as_str().unwrap().to_string();
    let phone = got["phone"].as_str().unwrap().to_string();
    // The thermal printer's raw port on this machine: one job, read to its end.
    let socket = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let address = socket.local_addr().unwrap().to_string();
    let printer = std::thread::spawn(move || {
        let (mut conn, _) = socket.accept().expect("the job's connection");
        let mut job = Vec::new();
        conn.read_to_end(&mut job).expect("read the job");
        job
    });

    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#view > section").await;
    go(c, "#/settings?section=slips").await;
    find(c, "#settings-slips").await;

    // A port no printer has: refused under the printer table, nothing saved.
    find(c, "#settings-printer-kind-thermal")
        .await
        .select_by_value("escpos_network")
        .await
        .expect("choose the network ESC/POS printer");
    let placeholder = find(c, "#settings-printer-thermal")
        .await
        .attr("placeholder")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(placeholder.contains("9100"), "{placeholder}");
    type_into(c, "#settings-printer-thermal", "127.0.0.1:99999").await;
    click(c, "#slip-settings-save").await;
    wait_text(
        c,
        ".field-error[data-for=\"printers\"]",
        "热敏纸打印机地址“127.0.0.1:99999”的端口不对",
    )
    .await;
    screenshot(c, "thermal-settings-refused").await;
    let settings = desk(&door, "settings.get", json!({}));
    assert_eq!(settings["printer_kinds"]["thermal"], "system", "{settings}");

    type_into(c, "#settings-printer-thermal", &address).await;
    click(c, "#slip-settings-save").await;
    wait_text(c, "#toast", "已保存").await;
    screenshot(c, "thermal-settings").await;
    let settings = desk(&door, "settings.get", json!({}));
    assert_eq!(settings["printer_kinds"]["thermal"], "escpos_network");
    assert_eq!(settings["printers"]["thermal"], json!(address));

    // 打印 on the 80 mm paper, from the order.
    go(c, &format!("#/orders/{order}")).await;
    wait_text(c, "#order-status", "已完工").await;
    ctrl(c, 'p').await;
    find(c, "#slip-dialog[open]").await;
    find(c, "#slip-format")
        .await
        .select_by_value("thermal")
        .await
        .expect("choose 80 mm");
    wait_text(c, "#slip-printer", &address).await;
    click(c, "#slip-send").await;
    let said = wait_text(c, "#slip-sent", "已发送到热敏打印机").await;
    assert!(said.contains(&address), "{said}");
    screenshot(c, "thermal-sent").await;

    let job = printer.join().expect("the printer's thread");
    assert_eq!(&job[..4], b"\x1b@\x1c&", "init and Chinese mode first");
    assert!(job.ends_with(b"\x1bd\x06\x1dV\x01"), "the cut last");
    for text in [
        "服务交接单".to_string(),
        format!("工单号：{order_number}"),
        format!("客户：王喆玥　{phone}"),
        "故障：不点火，显示E1".to_string(),
    ] {
        assert!(contains(&job, &gbk(&text)), "{text} in GBK");
    }
    let mut qr = format!("1P0FW2026000001 {order_number}").into_bytes();
    qr.extend_from_slice(b"\x1d(k\x03\x001Q0");
    assert!(
        contains(&job, &qr),
        "the QR code of the slip and order numbers"
    );
    let slips = desk(&door, "slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 1, "{slips}");

    // ---- 打印标签 → 打印: a part label straight to the ESC/POS label printer ---------------
    let part = id(&desk(
        &door,
        "parts.save",
        json!({"code": "P200", "name": "点火针", "spec": "通用", "unit": "个",
               "barcode": "6901234567892", "bin": "B-12"}),
    ));
    let socket = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let label_address = socket.local_addr().unwrap().to_string();
    let label_printer = std::thread::spawn(move || {
        let (mut conn, _) = socket.accept().expect("the job's connection");
        let mut job = Vec::new();
        conn.read_to_end(&mut job).expect("read the job");
        job
    });
    desk(
        &door,
        "settings.save",
        json!({"printers": {"label": label_address}, "printer_kinds": {"label": "escpos_network"}}),
    );
    go(c, &format!("#/parts/{part}")).await;
    wait_text(c, "#part-file .part-name", "点火针").await;
    click(c, "#part-labels").await;
    find(c, "#label-dialog[open]").await;
    screenshot(c, "thermal-label-dialog").await;
    click(c, "#label-send").await;
    let toast = wait_text(c, "#toast", "1 张标签已发送").await;
    assert!(toast.contains(&label_address), "{toast}");
    let job = label_printer.join().expect("the label printer's thread");
    assert!(
        contains(&job, b"\x1bE\x01\x1d!\x11P200\n"),
        "the code big and bold"
    );
    assert!(contains(&job, &gbk("库位：B-12")));
    assert!(
        contains(&job, b"\x1dkI\x0f{B6901234567892"),
        "the printer's own Code 128"
    );
    assert!(job.ends_with(b"\x1bd\x06\x1dV\x01"), "the cut last");
    session.close().await;
}
