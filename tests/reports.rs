//! The monthly numbers against a small month worked out by hand (November 2026, with
//! October before it): an order spanning the two months, a cancelled order, a refund, a
//! reopened order, an order that waited for parts, a late confirmation call.

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn at(t: &mut TestDesk, text: &str) {
    let when = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(when));
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

fn go(t: &mut TestDesk, when: &str, command: &str, args: Value) -> Value {
    at(t, &format!("{when}+08:00"));
    t.ok(command, args)
}

/// The month, step by step (times are Beijing time).
fn november(t: &mut TestDesk) -> [i64; 5] {
    at(t, "2026-10-01T09:00:00+08:00");
    let a = id(&t.ok("models.save", json!({"code": "JSQ25-13", "name": "燃气热水器", "policies": [{"months": 12, "basis": "purchase"}]})));
    let b = id(&t.ok("models.save", json!({"code": "ZKT-50", "name": "制冰机", "policies": [{"months": 12, "basis": "purchase"}]})));
    let zhang = id(&t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区"}),
    ));
    let li = id(&t.ok(
        "customers.create",
        json!({"name": "李娜", "phones": ["13987654321"], "address": "北京市朝阳区"}),
    ));
    let old = id(&t.ok("equipment.create", json!({"customer_id": zhang, "model_id": a, "serial": "A0001", "purchase_date": "2020-01-01"})));
    let new = id(&t.ok(
        "equipment.create",
        json!({"customer_id": li, "model_id": b, "serial": "B0001", "purchase_date": "2026-06-01"}),
    ));
    let wang = id(&t.ok("engineers.save", json!({"name": "王磊"})));
    let qiang = id(&t.ok("engineers.save", json!({"name": "李强"})));
    let part = id(&t.ok(
        "parts.save",
        json!({"code": "P100", "name": "点火针", "cost_fen": 1000, "price_fen": 3500}),
    ));
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": 1, "quantity": 5, "unit_cost_fen": 1000}),
    );
    let repair = |customer: i64, machine: i64, tag: &str, confirmed: bool| json!({"customer_id": customer, "equipment_id": machine, "fault_tags": [tag], "confirmed": confirmed});

    // O1: registered Friday 30 October, completed Monday 2 November (spans the months).
    let o1 = id(&go(
        t,
        "2026-10-30T10:00:00",
        "orders.create",
        repair(zhang, old, "不点火", true),
    ));
    go(
        t,
        "2026-10-30T10:30:00",
        "orders.assign",
        json!({"id": o1, "engineer_id": wang}),
    );
    go(
        t,
        "2026-10-30T10:40:00",
        "orders.move",
        json!({"id": o1, "to": "in_progress"}),
    );
    go(
        t,
        "2026-11-02T11:00:00",
        "orders.complete",
        json!({"id": o1, "work_done": "换点火器", "fees": [{"kind": "labour", "amount_fen": 10000}]}),
    );
    go(
        t,
        "2026-11-02T11:05:00",
        "orders.pay",
        json!({"id": o1, "method": "cash", "amount_fen": 6000}),
    );

    // O2: confirmed late, waited for parts, one part used; paid 85 then refunded 20.
    let o2 = id(&go(
        t,
        "2026-11-03T09:00:00",
        "orders.create",
        repair(zhang, old, "漏水", false),
    ));
    go(
        t,
        "2026-11-03T09:10:00",
        "orders.confirm",
        json!({"id": o2}),
    );
    go(
        t,
        "2026-11-03T09:20:00",
        "orders.assign",
        json!({"id": o2, "engineer_id": qiang}),
    );
    go(
        t,
        "2026-11-03T09:30:00",
        "orders.move",
        json!({"id": o2, "to": "in_progress"}),
    );
    go(
        t,
        "2026-11-03T10:00:00",
        "orders.move",
        json!({"id": o2, "to": "waiting_parts"}),
    );
    go(
        t,
        "2026-11-03T11:00:00",
        "orders.move",
        json!({"id": o2, "to": "in_progress"}),
    );
    go(
        t,
        "2026-11-03T11:30:00",
        "orders.complete",
        json!({"id": o2, "work_done": "换密封圈", "parts": [{"part_id": part, "store_id": 1, "quantity": 1}],
               "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    go(
        t,
        "2026-11-03T11:35:00",
        "orders.pay",
        json!({"id": o2, "method": "wechat", "amount_fen": 8500}),
    );
    go(
        t,
        "2026-11-04T09:00:00",
        "orders.pay",
        json!({"id": o2, "method": "wechat", "amount_fen": -2000, "note": "多收工时费"}),
    );

    // O3: cancelled.
    let o3 = id(&go(
        t,
        "2026-11-04T09:00:00",
        "orders.create",
        repair(li, new, "不点火", true),
    ));
    go(
        t,
        "2026-11-04T09:05:00",
        "orders.move",
        json!({"id": o3, "to": "cancelled", "reason": "重复登记"}),
    );

    // O4: maintenance in warranty, first visit; its callback satisfied.
    let o4 = id(&go(
        t,
        "2026-11-05T09:00:00",
        "orders.create",
        json!({"customer_id": li, "equipment_id": new, "kind": "maintenance", "fault": "保养", "confirmed": true}),
    ));
    go(
        t,
        "2026-11-05T09:10:00",
        "orders.assign",
        json!({"id": o4, "engineer_id": wang}),
    );
    go(
        t,
        "2026-11-05T09:20:00",
        "orders.move",
        json!({"id": o4, "to": "in_progress"}),
    );
    go(
        t,
        "2026-11-05T10:20:00",
        "orders.complete",
        json!({"id": o4, "work_done": "清洗保养"}),
    );
    let cb = go(
        t,
        "2026-11-06T10:00:00",
        "callbacks.get",
        json!({"order_id": o4}),
    );
    go(
        t,
        "2026-11-06T10:00:00",
        "callbacks.record",
        json!({"id": cb["id"], "reached": true, "solved": true, "satisfaction": "satisfied"}),
    );

    // O5: completed, callback finds it not solved (unsatisfied, a complaint), reopened,
    // completed again.
    let o5 = id(&go(
        t,
        "2026-11-06T09:00:00",
        "orders.create",
        repair(zhang, old, "漏水", true),
    ));
    go(
        t,
        "2026-11-06T09:10:00",
        "orders.assign",
        json!({"id": o5, "engineer_id": qiang}),
    );
    go(
        t,
        "2026-11-06T09:30:00",
        "orders.move",
        json!({"id": o5, "to": "in_progress"}),
    );
    go(
        t,
        "2026-11-06T10:00:00",
        "orders.complete",
        json!({"id": o5, "work_done": "紧固接头", "fees": [{"kind": "labour", "amount_fen": 8000}]}),
    );
    let cb = go(
        t,
        "2026-11-09T10:30:00",
        "callbacks.get",
        json!({"order_id": o5}),
    );
    let r = go(
        t,
        "2026-11-09T10:30:00",
        "callbacks.record",
        json!({"id": cb["id"], "reached": true, "solved": false, "satisfaction": "unsatisfied", "remarks": "还漏",
               "complaint": {"cause": "quality"}}),
    );
    let complaint = r["complaint"]["id"].clone();
    go(
        t,
        "2026-11-09T15:00:00",
        "orders.complete",
        json!({"id": o5, "work_done": "更换接头"}),
    );
    go(
        t,
        "2026-11-09T16:00:00",
        "complaints.update",
        json!({"id": complaint, "step": "reply", "justified": true, "measures": "返修", "reply": "已安排返修"}),
    );
    at(t, "2026-12-01T09:00:00+08:00");
    [o1, o2, o3, o4, o5]
}

fn report(t: &mut TestDesk, name: &str, month: &str) -> Value {
    t.ok("reports.get", json!({"report": name, "month": month}))["items"][0].clone()
}

fn values(r: &Value, which: &str) -> Vec<(String, Vec<f64>)> {
    r[which]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap().to_string(),
                l["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

fn row(label: &str, v: &[f64]) -> (String, Vec<f64>) {
    (label.to_string(), v.to_vec())
}

#[test]
fn every_figure_of_a_month_worked_out_by_hand() {
    let mut t = desk();
    let [o1, o2, _o3, _o4, o5] = november(&mut t);
    // Repairs registered in November (O2, O5; O3 cancelled, O4 maintenance); O1 in October.
    let r = report(&mut t, "repairs_by_model", "2026-11");
    assert_eq!(
        values(&r, "current_lines"),
        [row("JSQ25-13 燃气热水器", &[2.0])]
    );
    assert_eq!(
        values(&r, "previous_lines"),
        [row("JSQ25-13 燃气热水器", &[1.0])]
    );
    assert_eq!(r["previous"]["from"], "2026-10-01");
    assert_eq!(r["last_year"]["from"], "2025-11-01");
    assert!(values(&r, "last_year_lines").is_empty());
    let r = report(&mut t, "repairs_by_fault", "2026-11");
    assert_eq!(values(&r, "current_lines"), [row("漏水", &[2.0])]);
    // Engineers: completed in November. 王磊: O1 (started 30 Oct 10:40, done 2 Nov 11:00:
    // 72.33 h) and O4 (1 h), one visit each, both first-visit fixes. 李强: O2 (2 h, waited
    // for parts: two visits) and O5 (6 Nov 09:30 → 9 Nov 15:00: 77.5 h, reopened: two).
    let r = report(&mut t, "engineers", "2026-11");
    assert_eq!(
        values(&r, "current_lines"),
        [
            row("李强", &[2.0, 4.0, 79.5, 0.0]),
            row("王磊", &[2.0, 2.0, 73.3, 100.0])
        ]
    );
    // Callbacks due in November: O1, O2 (never made), O4 (made, satisfied), O5 first
    // (made in time, unsatisfied), O5 second (open).
    let r = report(&mut t, "callbacks", "2026-11");
    assert_eq!(
        values(&r, "current_lines"),
        [row("全部", &[5.0, 2.0, 2.0, 40.0, 1.0, 0.0, 1.0, 50.0])]
    );
    // The complaint from O5's callback: replied in 5.5 hours, justified.
    let r = report(&mut t, "complaints", "2026-11");
    assert_eq!(
        values(&r, "current_lines"),
        [row("维修质量", &[1.0, 1.0, 1.0, 5.5, 1.0])]
    );
    // Clocks of O2, O4, O5 (O3 cancelled): O2's confirmation was 7 minutes late.
    let r = report(&mut t, "clocks", "2026-11");
    assert_eq!(
        values(&r, "current_lines"),
        [
            row("3分钟回电确认", &[2.0, 1.0, 0.0, 66.7]),
            row("24小时答复", &[3.0, 0.0, 0.0, 100.0]),
            row("2天交回服务单", &[3.0, 0.0, 0.0, 100.0]),
        ]
    );
    // Fees: billed O1 100 + O2 85 (50 labour + 35 part) + O5 80; collected 60 + 85 − 20;
    // outstanding at the end of November 40 + 20 + 80, all under 30 days.
    let r = report(&mut t, "fees", "2026-11");
    let fees = values(&r, "current_lines");
    assert_eq!(fees[0], row("保外应收（完工）", &[265.0]));
    // 保外报价 (issue 21): no diagnostic fee, no deposit this month.
    assert_eq!(fees[1], row("其中检测费", &[0.0]));
    assert_eq!(fees[2], row("实收（含退款）", &[125.0]));
    assert_eq!(fees[3], row("其中定金", &[0.0]));
    assert_eq!(fees[4], row("期末应收未收（至今）", &[140.0]));
    assert_eq!(fees[5], row("账龄 0–30 天", &[140.0]));
    // October billed nothing: O1 was completed in November.
    assert_eq!(
        values(&r, "previous_lines")[0],
        row("保外应收（完工）", &[0.0])
    );
    // Parts: one 点火针 out to O2 at 10 yuan.
    let r = report(&mut t, "parts", "2026-11");
    let parts = values(&r, "current_lines");
    assert_eq!(parts[0], row("P100 点火针", &[1.0, 10.0]));
    assert_eq!(parts[1], row("期末库存（数量、金额）", &[4.0, 40.0]));
    // Issue 17: the earlier periods' stock is the ledger's at their end (October: the
    // five received on 1 October; a year before: nothing), not today's; the shortage line
    // is the state now and only the period asked for has it.
    let before = values(&r, "previous_lines");
    assert_eq!(before[0], row("期末库存（数量、金额）", &[5.0, 50.0]));
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(
        values(&r, "last_year_lines"),
        [row("期末库存（数量、金额）", &[0.0, 0.0])]
    );

    // Drill down: the orders behind a number.
    let drill = t.ok(
        "reports.orders",
        json!({"report": "repairs_by_fault", "key": "漏水", "month": "2026-11"}),
    );
    let ids: Vec<i64> = drill["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [o5, o2]);
    let drill = t.ok(
        "reports.orders",
        json!({"report": "clocks", "key": "confirm", "month": "2026-11"}),
    );
    assert_eq!(drill["items"][0]["id"], o2);
    let drill = t.ok(
        "reports.orders",
        json!({"report": "fees", "key": "billed", "month": "2026-11"}),
    );
    assert_eq!(drill["items"].as_array().unwrap().len(), 3);
    assert!(drill["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == o1));
    // Bad periods name the field.
    assert_eq!(
        t.err("reports.get", json!({"month": "2026-13"}))["field"],
        "month"
    );
    assert_eq!(
        t.err(
            "reports.get",
            json!({"from": "2026-11-30", "to": "2026-11-01"})
        )["field"],
        "to"
    );
    assert_eq!(
        t.err("reports.get", json!({"report": "nonsense"}))["field"],
        "report"
    );
}

#[test]
fn the_reports_export_to_xlsx_and_pdf() {
    use base64::Engine as _;
    let mut t = desk();
    november(&mut t);
    let x = t.ok("reports.export", json!({"month": "2026-11"}));
    assert_eq!(x["file_name"], "统计报表-2026-11-01-2026-11-30.xlsx");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(x["content_base64"].as_str().unwrap())
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader as _;
    let sheets = book.sheet_names().to_vec();
    assert_eq!(sheets.len(), 13, "{sheets:?}");
    let fees = book.worksheet_range(&sheets[6]).unwrap();
    // Row 4: 保外应收 this month / last month / last year.
    assert_eq!(
        fees.get_value((3, 0)).unwrap().to_string(),
        "保外应收（完工）"
    );
    assert_eq!(fees.get_value((3, 1)).unwrap().to_string(), "265");
    let p = t.ok(
        "reports.export",
        json!({"month": "2026-11", "format": "pdf"}),
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(p["content_base64"].as_str().unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out =
        crate::tools::output(std::process::Command::new("pdftotext").arg(&file).arg("-")).unwrap();
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        // The fees table's short lines (其中检测费, 其中定金, issue 21) come first in
        // pdftotext's reading order as one block, then their figures.
        text.contains("工程师工作量")
            && text.contains("保外应收（完工）其中检测费实收（含退款）其中定金金额（元）265.00/0.00/0.000.00/0.00/0.00125.00/0.00/0.00"),
        "{text}"
    );
    // Money with two decimals (17596.5 was printed for 17,596.46), counts as they are.
    assert!(
        text.contains("期末库存（数量、金额）4/5/040.00/50.00/0.00"),
        "{text}"
    );
    assert!(
        text.contains("低于最低库存的备件（种）0/—/——/—/—"),
        "{text}"
    );
}

/// The styles of an .xlsx: the number format code of each cell style (`s` index).
fn cell_formats(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>) -> Vec<String> {
    use std::io::Read as _;
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let custom: Vec<(String, String)> = styles
        .split("<numFmt ")
        .skip(1)
        .map(|t| {
            let t = format!(" {t}");
            (
                attr(&t, "numFmtId").unwrap(),
                attr(&t, "formatCode").unwrap(),
            )
        })
        .collect();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .map(|t| {
            let id = attr(&format!(" {t}"), "numFmtId").unwrap_or_else(|| "0".into());
            custom
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, code)| code.replace("&amp;", "&"))
                .unwrap_or(format!("builtin {id}"))
        })
        .collect()
}

/// The format code of cell `r` (A1 style) of sheet `n` (1-based), and whether it holds a
/// value.
fn format_of(
    zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>,
    formats: &[String],
    n: usize,
    r: &str,
) -> Option<String> {
    use std::io::Read as _;
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let at = xml.find(&format!("<c r=\"{r}\""))?;
    let tag = &xml[at..at + xml[at..].find('>').unwrap()];
    let s = tag
        .split(" s=\"")
        .nth(1)
        .map(|t| t[..t.find('"').unwrap()].parse::<usize>().unwrap())
        .unwrap_or(0);
    Some(formats[s].clone())
}

#[test]
fn report_exports_format_money_keep_titles_as_sheet_names_and_the_ledgers_past_stock() {
    use base64::Engine as _;
    use calamine::{Data, Reader as _};
    // Issue 17: money cells without a money format, the parts report's past columns
    // showing today's stock, sheet names without their brackets.
    let mut t = desk();
    november(&mut t);
    let x = t.ok("reports.export", json!({"month": "2026-11"}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(x["content_base64"].as_str().unwrap())
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "维修量（按型号）",
            "维修量（按故障类别）",
            "工程师工作量",
            "回访",
            "投诉（按原因）",
            "服务时限达成",
            "保外收费与应收",
            "备件消耗",
            "暂停计时（待料、待客户）",
            "暂停最久的工单",
            "三包退换（按型号）",
            "厂家索赔（按厂家）",
            "工程师提成",
        ]
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let formats = cell_formats(&mut zip);
    // 保外收费与应收 (sheet 7): 保外应收 this month, last month, last year, all money.
    for cell in ["B4", "C4", "D4", "B5"] {
        assert_eq!(
            format_of(&mut zip, &formats, 7, cell).as_deref(),
            Some("¥#,##0.00"),
            "{cell}"
        );
    }
    // A count is no money: 维修单数 (sheet 1).
    assert_ne!(
        format_of(&mut zip, &formats, 1, "B4").as_deref(),
        Some("¥#,##0.00")
    );
    // 备件消耗 (sheet 8): 数量 (B–D) plain, 成本（元）(E–G) money.
    assert_ne!(
        format_of(&mut zip, &formats, 8, "B4").as_deref(),
        Some("¥#,##0.00")
    );
    assert_eq!(
        format_of(&mut zip, &formats, 8, "E4").as_deref(),
        Some("¥#,##0.00")
    );
    let parts = book.worksheet_range("备件消耗").unwrap();
    let cell = |r: u32, c: u32| parts.get_value((r, c)).cloned();
    assert_eq!(
        cell(4, 0),
        Some(Data::String("期末库存（数量、金额）".into()))
    );
    // Stock at the end of November, October, November a year before; then value.
    assert_eq!(cell(4, 1), Some(Data::Float(4.0)));
    assert_eq!(cell(4, 2), Some(Data::Float(5.0)));
    assert_eq!(cell(4, 3), Some(Data::Float(0.0)));
    assert_eq!(cell(4, 5), Some(Data::Float(50.0)));
    // The shortage line is the state now: no earlier figures, no value, and a note says so.
    assert_eq!(
        cell(5, 0),
        Some(Data::String("低于最低库存的备件（种）".into()))
    );
    assert_eq!(cell(5, 1), Some(Data::Float(0.0)));
    for c in [2, 3, 4, 5, 6] {
        assert!(
            matches!(cell(5, c), None | Some(Data::Empty)),
            "column {c}: {:?}",
            cell(5, c)
        );
    }
    let note = cell(7, 0).unwrap().to_string();
    assert!(note.contains("期末库存按库存流水计算"), "{note}");
}
