//! Issue 18 (escpos): the 80 mm slip sent straight to a thermal printer set as an ESC/POS
//! printer on the network — the byte stream a real TCP listener on this machine receives
//! (init, Chinese mode, the slip's text in GBK, the number bold and double size, the
//! printer's own QR code of the slip and order numbers, the cut); a refused connection
//! told in Chinese with nothing counted as printed; the setting checked when saved.

use serde_json::json;

use super::completed_order;
use crate::platform::escpos::{closed_address, find, gbk, Listener};
use crate::util::{desk, TestDesk};

fn network_thermal(t: &mut TestDesk, address: &str) {
    t.ok(
        "settings.save",
        json!({"printers": {"thermal": address}, "printer_kinds": {"thermal": "escpos_network"}}),
    );
}

#[test]
fn an_80mm_slip_reaches_a_network_thermal_printer_as_escpos() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 1);
    t.ok(
        "settings.save",
        json!({"company_name": "海淀家电售后服务中心", "company_hotline": "400-800-1234"}),
    );
    let printer = Listener::start();
    network_thermal(&mut t, &printer.address);
    let printed = t.ok(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "send": true}),
    );
    let address = printer.address.clone();
    let job = printer.job();
    let sent = printed["sent"].as_str().unwrap();
    assert_eq!(
        sent,
        format!("已发送到热敏打印机 {address}（{} 字节）", job.len())
    );
    assert_eq!(printed["slip"]["prints"], 1);
    assert_eq!(printed["unprintable"], json!([]));
    let order = t.ok("orders.get", json!({"id": a}));
    let number = printed["slip"]["number"].as_str().unwrap();
    let order_number = order["number"].as_str().unwrap();
    let machine = &order["equipment"];

    // Init and Chinese character mode first; the partial cut last.
    assert_eq!(&job[..4], b"\x1b@\x1c&");
    assert!(job.ends_with(b"\x1bd\x06\x1dV\x01"), "ends with the cut");
    // The number: bold, double width and height, on a line of its own.
    let mut big = b"\x1bE\x01\x1d!\x11".to_vec();
    big.extend_from_slice(number.as_bytes());
    big.push(b'\n');
    assert!(
        find(&job, &big).is_some(),
        "the number bold and double size"
    );
    // The printer's own QR code: model 2, 6-dot modules, level M, the slip and order
    // numbers stored, then printed.
    let data = format!("{number} {order_number}");
    let mut qr = b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x06\x1d(k\x03\x001E1".to_vec();
    qr.extend_from_slice(&[
        0x1d,
        b'(',
        b'k',
        (data.len() + 3) as u8,
        0,
        b'1',
        b'P',
        b'0',
    ]);
    qr.extend_from_slice(data.as_bytes());
    qr.extend_from_slice(b"\x1d(k\x03\x001Q0");
    let at_qr = find(&job, &qr).expect("the QR code command");
    assert!(
        find(&job, &big).unwrap() < at_qr,
        "the number above the QR code"
    );
    // The slip's text in GBK, each line whole.
    for text in [
        "海淀家电售后服务中心".to_string(),
        "服务交接单".to_string(),
        format!("工单号：{order_number}"),
        format!("客户：张伟　{}", order["phone"].as_str().unwrap()),
        format!(
            "设备：{} 序列号 {}",
            machine["model"].as_str().unwrap(),
            machine["serial"].as_str().unwrap()
        ),
        "故障：不点火，显示E1".to_string(),
        "凭此单取机，请妥善保管。".to_string(),
        "服务热线 400-800-1234".to_string(),
    ] {
        let mut line = gbk(&text);
        line.push(b'\n');
        assert!(find(&job, &line).is_some(), "{text} in GBK");
    }
    // No line wider than the paper: 48 columns, 24 with double width.
    let text_lines = job.split(|&b| b == b'\n').filter(|l| !l.contains(&0x1d));
    for line in text_lines {
        assert!(line.len() <= 48 + 6, "{} bytes", line.len());
    }
    // A reprint goes the same way, marked 补打.
    let printer = Listener::start();
    network_thermal(&mut t, &printer.address);
    let again = t.ok(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "send": true}),
    );
    assert_eq!(again["reprint"], 1);
    let mut mark = gbk("补打（第1次）");
    mark.push(b'\n');
    assert!(find(&printer.job(), &mark).is_some());
}

#[test]
fn three_copies_are_three_receipts_each_labelled_and_cut() {
    let mut t = desk();
    let a = completed_order(&mut t, "李娜", "北京", 0);
    let printer = Listener::start();
    network_thermal(&mut t, &printer.address);
    t.ok(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "copies": "three", "send": true}),
    );
    let job = printer.job();
    let cuts = job
        .windows(6)
        .filter(|w| w == b"\x1bd\x06\x1dV\x01")
        .count();
    assert_eq!(cuts, 3);
    for label in ["【第一联 存根】", "【第二联 财务联】", "【第三联 客户联】"]
    {
        assert!(find(&job, &gbk(label)).is_some(), "{label}");
    }
}

#[test]
fn a_name_gbk_lacks_prints_as_a_box_and_is_reported() {
    let mut t = desk();
    // 㐀 (U+3400): a rare character of a name, in GB18030 but not in GBK.
    let a = completed_order(&mut t, "王㐀", "北京", 0);
    let printer = Listener::start();
    network_thermal(&mut t, &printer.address);
    let printed = t.ok(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "send": true}),
    );
    let list: Vec<&str> = printed["unprintable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(list.contains(&"U+3400"), "{list:?}");
    assert!(find(&printer.job(), &gbk("客户：王□")).is_some());
}

#[test]
fn a_refused_thermal_printer_is_named_in_chinese_and_counts_no_print() {
    let mut t = desk();
    let a = completed_order(&mut t, "张伟", "北京", 0);
    let address = closed_address();
    network_thermal(&mut t, &address);
    let e = t.err(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "send": true}),
    );
    assert_eq!(e["field"], "printer");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("服务单 FW2026000001 已记录，但没有打印出来：连不上热敏打印机"),
        "{message}"
    );
    assert!(message.contains(&address), "{message}");
    assert!(message.contains("拒绝连接"), "{message}");
    let slips = t.ok("slips.list", json!({"order_id": a}));
    assert_eq!(slips["items"][0]["prints"], 0);
    // The printer back: the next print is the original, not 补打.
    let printer = Listener::start();
    network_thermal(&mut t, &printer.address);
    let printed = t.ok(
        "slips.print",
        json!({"order_id": a, "format": "thermal", "send": true}),
    );
    assert_eq!(printed["reprint"], 0);
    assert!(find(&printer.job(), &gbk("补打")).is_none());
}

#[test]
fn a_thermal_printer_setting_is_checked_on_save_naming_the_field() {
    let mut t = desk();
    let before = t.ok("settings.get", json!({}));
    assert_eq!(
        before["printer_kinds"],
        json!({"label": "system", "thermal": "system"})
    );
    for (args, says) in [
        (
            json!({"printers": {"thermal": "192.168.1.300"}, "printer_kinds": {"thermal": "escpos_network"}}),
            "热敏纸打印机地址“192.168.1.300”不是有效的 IP 地址",
        ),
        (
            json!({"printers": {"thermal": "192.168.1.50:99999"}, "printer_kinds": {"thermal": "escpos_network"}}),
            "热敏纸打印机地址“192.168.1.50:99999”的端口不对",
        ),
        (
            json!({"printers": {"thermal": ""}, "printer_kinds": {"thermal": "escpos_network"}}),
            "热敏纸打印机设为网络 ESC/POS 打印机时，须写它的地址",
        ),
        (
            json!({"printers": {"label": ""}, "printer_kinds": {"label": "escpos_raw"}}),
            "标签打印机设为 ESC/POS（按打印机名称）时，须写打印机名称",
        ),
        (
            json!({"printer_kinds": {"a4": "escpos_network"}}),
            "只有热敏纸和标签打印机可以设为 ESC/POS 打印机",
        ),
        (
            json!({"printer_kinds": {"thermal": "bluetooth"}}),
            "热敏纸打印机的连接方式只能是",
        ),
    ] {
        let e = t.err("settings.save", args.clone());
        assert_eq!(e["field"], "printers", "{args}");
        let message = e["message"].as_str().unwrap();
        assert!(message.starts_with(says), "{args}: {message}");
        // Nothing of a refused save is kept.
        assert_eq!(t.ok("settings.get", json!({})), before, "{args}");
    }
    // An address without a port gets 9100; the kind alone is checked against the printer
    // already saved.
    let saved = t.ok(
        "settings.save",
        json!({"printers": {"thermal": " 192.168.1.50 "}, "printer_kinds": {"thermal": "escpos_network"}}),
    );
    assert_eq!(saved["printers"]["thermal"], "192.168.1.50:9100");
    assert_eq!(saved["printer_kinds"]["thermal"], "escpos_network");
    let e = t.err(
        "settings.save",
        json!({"printers": {"thermal": "前台小票机"}}),
    );
    assert_eq!(e["field"], "printers");
    let saved = t.ok(
        "settings.save",
        json!({"printers": {"label": "XP-80C"}, "printer_kinds": {"label": "escpos_raw"}}),
    );
    assert_eq!(saved["printer_kinds"]["label"], "escpos_raw");
    let audit: String = t.sql("SELECT group_concat(detail, '|') FROM audit_entry");
    assert!(
        audit.contains("热敏纸打印机连接方式：网络 ESC/POS 打印机"),
        "{audit}"
    );
}
