//! 统计报表 in headless Chromium against the real browser door. A small October and
//! November 2026 is built step by step through the CLI door, each step at its own time
//! (AFTERSALES_CLOCK): in October one repair completed and paid in full; in November one
//! completed with a labour fee and paid in part, one cancelled, one left open until its
//! reply and slip clocks broke. The door's clock stands in December, so the reports open
//! on an empty month; PageUp goes to November, whose figures are checked on screen against
//! October beside them; numbers open the orders behind them and an order opens from the
//! list (and Back comes back to the list); the period exports as .xlsx (read back with
//! calamine) and as PDF (read back with pdftotext).

use std::path::Path;
use std::process::Command;

use calamine::Reader as _;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Where the desk's clock stands while the manager reads the reports: early December.
const DECEMBER: &str = "2026-12-02T10:00:00+08:00";

/// One command through the CLI door at `when` (Beijing time, `YYYY-MM-DDTHH:MM:SS`).
fn at(door: &Door, when: &str, command: &str, args: Value) -> Value {
    let clock = format!("{when}+08:00");
    door.call_with_env(&[(CLOCK, clock.as_str())], command, args)
}

struct Month {
    model: i64,
    /// November: completed, ¥150.00 labour, ¥50.00 paid.
    paid_in_part: i64,
    paid_in_part_number: String,
    /// November: cancelled.
    cancelled: i64,
    /// November: registered and left alone (its reply and slip clocks broke).
    open: i64,
}

/// October and November, step by step.
fn october_and_november(door: &Door) -> Month {
    let setup = "2026-10-01T09:00:00";
    let model = id(&at(
        door,
        setup,
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器", "policies": [{"months": 12, "basis": "purchase"}]}),
    ));
    let zhang = id(&at(
        door,
        setup,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    // Bought in 2020: long out of warranty, so its repairs are billed.
    let machine = id(&at(
        door,
        setup,
        "equipment.create",
        json!({"customer_id": zhang, "model_id": model, "serial": "A0001", "purchase_date": "2020-01-01"}),
    ));
    let wang = id(&at(door, setup, "engineers.save", json!({"name": "王磊"})));
    let repair = |tag: &str| json!({"customer_id": zhang, "equipment_id": machine, "fault_tags": [tag], "confirmed": true});

    // October: 漏水, one hour's work, ¥80.00 paid in full.
    let october = id(&at(
        door,
        "2026-10-20T09:00:00",
        "orders.create",
        repair("漏水"),
    ));
    at(
        door,
        "2026-10-20T09:10:00",
        "orders.assign",
        json!({"id": october, "engineer_id": wang}),
    );
    at(
        door,
        "2026-10-20T09:30:00",
        "orders.move",
        json!({"id": october, "to": "in_progress"}),
    );
    at(
        door,
        "2026-10-20T10:30:00",
        "orders.complete",
        json!({"id": october, "work_done": "更换密封圈", "fees": [{"kind": "labour", "amount_fen": 8000}]}),
    );
    at(
        door,
        "2026-10-20T10:35:00",
        "orders.pay",
        json!({"id": october, "method": "cash", "amount_fen": 8000}),
    );

    // November: 漏水 again, an hour and a half, ¥150.00 billed, ¥50.00 paid.
    let created = at(door, "2026-11-03T09:00:00", "orders.create", repair("漏水"));
    let paid_in_part = id(&created);
    let paid_in_part_number = created["number"]
        .as_str()
        .expect("order number")
        .to_string();
    at(
        door,
        "2026-11-03T09:10:00",
        "orders.assign",
        json!({"id": paid_in_part, "engineer_id": wang}),
    );
    at(
        door,
        "2026-11-03T09:30:00",
        "orders.move",
        json!({"id": paid_in_part, "to": "in_progress"}),
    );
    at(
        door,
        "2026-11-03T11:00:00",
        "orders.complete",
        json!({"id": paid_in_part, "work_done": "更换进水阀", "fees": [{"kind": "labour", "amount_fen": 15000}]}),
    );
    at(
        door,
        "2026-11-03T11:05:00",
        "orders.pay",
        json!({"id": paid_in_part, "method": "wechat", "amount_fen": 5000}),
    );

    // A duplicate, cancelled: it counts nowhere.
    let cancelled = id(&at(
        door,
        "2026-11-04T09:00:00",
        "orders.create",
        repair("不点火"),
    ));
    at(
        door,
        "2026-11-04T09:05:00",
        "orders.move",
        json!({"id": cancelled, "to": "cancelled", "reason": "重复登记"}),
    );

    // 不点火, registered and never dispatched.
    let open = id(&at(
        door,
        "2026-11-10T09:00:00",
        "orders.create",
        repair("不点火"),
    ));
    Month {
        model,
        paid_in_part,
        paid_in_part_number,
        cancelled,
        open,
    }
}

/// The CSS of one cell: `of` is current, previous, last_year, mom or yoy.
fn cell(report: &str, key: &str, col: usize, of: &str) -> String {
    format!(
        "#report-table-{report} tr[data-key=\"{key}\"][data-col=\"{col}\"] td[data-of=\"{of}\"]"
    )
}

/// Waits until the cell reads exactly `expected`.
async fn wait_cell(c: &Client, report: &str, key: &str, col: usize, of: &str, expected: &str) {
    let css = &cell(report, key, col, of);
    wait_until(&format!("`{css}` to read {expected:?}"), || async move {
        let text = inner_text(c, css).await?;
        Ok(if text.trim() == expected {
            Ok(())
        } else {
            Err(format!("{text:?}"))
        })
    })
    .await;
}

/// The ids of the orders the drill-down list shows, once it shows `count` of them.
async fn listed_orders(c: &Client, count: usize) -> Vec<i64> {
    wait_until(&format!("{count} orders in the list"), || async move {
        let mut ids = Vec::new();
        for row in c
            .find_all(Locator::Css(
                "#report-orders[open] #report-orders-table tbody tr[data-id]",
            ))
            .await?
        {
            let id = row.attr("data-id").await?.unwrap_or_default();
            ids.push(id.parse::<i64>().unwrap_or(-1));
        }
        Ok(if ids.len() == count {
            Ok(ids)
        } else {
            Err(format!("{ids:?}"))
        })
    })
    .await
}

/// Waits until the drill-down dialog is closed.
async fn wait_closed(c: &Client) {
    wait_until("the list of orders to close", || async move {
        let open = c
            .execute(
                "return document.getElementById('report-orders')?.open ?? null",
                vec![],
            )
            .await?;
        Ok(if open == json!(false) {
            Ok(())
        } else {
            Err(format!("open: {open}"))
        })
    })
    .await;
}

/// Chooses a report by its number key and waits for its tab to be the selected one.
async fn tab(c: &Client, key: char, name: &str) {
    press(c, &[], key).await;
    find(c, &format!("#reports-tab-{name}[aria-selected=\"true\"]")).await;
    find(c, &format!("#reports-panel-{name} #report-{name}")).await;
}

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

#[tokio::test]
async fn a_month_of_reports_drilled_down_to_its_orders_and_exported() {
    let door = Door::start_with_env(&[(CLOCK, DECEMBER)]);
    let m = october_and_november(&door);
    let model = m.model.to_string();

    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");

    // This month by the desk's clock: December, nothing yet; November is its 上期.
    wait_text(c, "a[data-view=\"reports\"]", "统计报表").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        !h.contains("token")
    })
    .await;
    click(c, "a[data-view=\"reports\"]").await;
    wait_inner(
        c,
        "#reports-period",
        &[
            "本期 2026-12-01 至 2026-12-31",
            "上期 2026-11-01 至 2026-11-30",
            "去年同期 2025-12-01 至 2025-12-31",
        ],
    )
    .await;
    wait_inner(
        c,
        "#report-empty-repairs_by_model",
        &["2026-12-01 至 2026-12-31 没有"],
    )
    .await;
    wait_cell(c, "repairs_by_model", &model, 0, "current", "0").await;
    wait_cell(c, "repairs_by_model", &model, 0, "previous", "2").await;
    let month = find(c, "#reports-month").await.prop("value").await.unwrap();
    assert_eq!(month.as_deref(), Some("2026-12"));
    screenshot(c, "reports-december-empty").await;

    // PageUp: November, beside October.
    wait_focus(c, "reports-tab-repairs_by_model").await;
    press_key(c, Key::PageUp).await;
    wait_inner(
        c,
        "#reports-period",
        &[
            "本期 2026-11-01 至 2026-11-30",
            "上期 2026-10-01 至 2026-10-31",
        ],
    )
    .await;
    wait_hash(c, "the month in the address", |h| {
        h.contains("month=2026-11")
    })
    .await;
    // Two repairs in November (the cancelled one left out), one in October.
    wait_cell(c, "repairs_by_model", &model, 0, "current", "2").await;
    wait_cell(c, "repairs_by_model", &model, 0, "previous", "1").await;
    wait_cell(c, "repairs_by_model", &model, 0, "last_year", "0").await;
    let change = inner_text(c, &cell("repairs_by_model", &model, 0, "mom"))
        .await
        .unwrap();
    assert!(
        change.contains("+1") && change.contains("+100%"),
        "{change:?}"
    );
    find(c, "#report-chart-repairs_by_model svg.chart").await;
    screenshot(c, "reports-november-models").await;

    // 2 → the two orders behind it, not the cancelled one; Esc closes the list and the
    // focus is back on the number.
    click(
        c,
        &format!(
            "{} button.drill",
            cell("repairs_by_model", &model, 0, "current")
        ),
    )
    .await;
    let mut ids = listed_orders(c, 2).await;
    ids.sort_unstable();
    assert_eq!(
        ids,
        [m.paid_in_part, m.open],
        "cancelled order {}",
        m.cancelled
    );
    wait_inner(c, "#report-orders-summary", &["本期", "共 2 张工单"]).await;
    wait_hash(c, "the list in the address", |h| h.contains("drill=")).await;
    press_key(c, Key::Escape).await;
    wait_closed(c).await;
    wait_until("the focus back on the number", || async move {
        let el = c.active_element().await?;
        let class = el.attr("class").await?.unwrap_or_default();
        let of = el.attr("data-of").await?.unwrap_or_default();
        Ok(if class == "drill" && of == "current" {
            Ok(())
        } else {
            Err(format!("class {class:?}, data-of {of:?}"))
        })
    })
    .await;

    // By fault: the cancelled 不点火 is not counted.
    tab(c, '2', "repairs_by_fault").await;
    wait_cell(c, "repairs_by_fault", "漏水", 0, "current", "1").await;
    wait_cell(c, "repairs_by_fault", "漏水", 0, "previous", "1").await;
    wait_cell(c, "repairs_by_fault", "不点火", 0, "current", "1").await;

    // Engineers: 王磊 completed one order in each month, 1.5 hours in November.
    tab(c, '3', "engineers").await;
    let wang = c
        .find(Locator::Css("#report-table-engineers tbody[data-key]"))
        .await
        .expect("王磊's line")
        .attr("data-key")
        .await
        .unwrap()
        .unwrap_or_default();
    wait_cell(c, "engineers", &wang, 0, "current", "1").await;
    wait_cell(c, "engineers", &wang, 2, "current", "1.5").await;
    wait_cell(c, "engineers", &wang, 2, "previous", "1.0").await;
    wait_cell(c, "engineers", &wang, 3, "current", "100.0%").await;
    screenshot(c, "reports-engineers").await;

    // Callbacks: the November completion's callback is due in November, not yet made.
    tab(c, '4', "callbacks").await;
    wait_cell(c, "callbacks", "all", 0, "current", "1").await;
    wait_cell(c, "callbacks", "all", 1, "current", "0").await;
    screenshot(c, "reports-callbacks").await;

    // No complaints at all: the empty state says so, and there is no table.
    tab(c, '5', "complaints").await;
    wait_inner(
        c,
        "#report-empty-complaints",
        &["2026-11-01 至 2026-11-30 没有"],
    )
    .await;
    assert!(
        c.find_all(Locator::Css("#report-table-complaints"))
            .await
            .unwrap()
            .is_empty(),
        "no table when no period has a complaint"
    );
    screenshot(c, "reports-complaints-empty").await;

    // Clocks: the open order broke its reply clock; its number lists that order only.
    tab(c, '6', "clocks").await;
    wait_cell(c, "clocks", "reply", 0, "current", "1").await;
    wait_cell(c, "clocks", "reply", 2, "current", "1").await;
    wait_cell(c, "clocks", "reply", 3, "current", "50.0%").await;
    screenshot(c, "reports-clocks").await;
    click(
        c,
        &format!("{} button.drill", cell("clocks", "reply", 2, "current")),
    )
    .await;
    assert_eq!(listed_orders(c, 1).await, [m.open]);
    wait_inner(c, "#report-orders-table", &["24小时答复", "已超时"]).await;
    press_key(c, Key::Escape).await;
    wait_closed(c).await;

    // Fees: billed ¥150.00 (¥80.00 in October), collected ¥50.00, ¥100.00 outstanding.
    tab(c, '7', "fees").await;
    wait_cell(c, "fees", "billed", 0, "current", "¥150.00").await;
    wait_cell(c, "fees", "billed", 0, "previous", "¥80.00").await;
    wait_cell(c, "fees", "collected", 0, "current", "¥50.00").await;
    wait_cell(c, "fees", "outstanding", 0, "current", "¥100.00").await;
    wait_cell(c, "fees", "aged_0_30", 0, "current", "¥100.00").await;
    let change = inner_text(c, &cell("fees", "billed", 0, "mom"))
        .await
        .unwrap();
    assert!(change.contains("+¥70.00"), "{change:?}");
    screenshot(c, "reports-fees").await;

    // ¥150.00 → the order billed, with what it owes; it opens from the list.
    click(
        c,
        &format!("{} button.drill", cell("fees", "billed", 0, "current")),
    )
    .await;
    assert_eq!(listed_orders(c, 1).await, [m.paid_in_part]);
    let row = wait_inner(
        c,
        "#report-orders-table tbody tr[data-id]",
        &[
            &m.paid_in_part_number,
            "张伟",
            "¥150.00",
            "¥50.00",
            "¥100.00",
        ],
    )
    .await;
    assert!(row.contains("已完工"), "{row:?}");
    screenshot(c, "reports-fees-orders").await;
    click(c, "#report-orders-table a.order-link").await;
    wait_hash(c, "the order file", |h| {
        h == format!("#/orders/{}", m.paid_in_part)
    })
    .await;
    wait_text(c, "#order-number", &m.paid_in_part_number).await;
    // Back: the same month, the same report and the same list.
    c.back().await.expect("back");
    assert_eq!(listed_orders(c, 1).await, [m.paid_in_part]);
    wait_inner(c, "#report-orders-summary", &["2026-11-01 至 2026-11-30"]).await;
    press_key(c, Key::Escape).await;
    wait_closed(c).await;

    // Parts: nothing issued; the stock of each period is the ledger's at its end (issue
    // 17: it was today's in every column), the shortages are the state now only.
    tab(c, '8', "parts").await;
    wait_inner(c, "#report-empty-parts", &["没有"]).await;
    wait_cell(c, "parts", "stock_value", 0, "previous", "0").await;
    wait_cell(c, "parts", "shortages", 0, "previous", "—").await;
    screenshot(c, "reports-parts").await;

    // A month that does not exist: the core's message under the period, the focus on the
    // month; a month written the Chinese way is understood.
    type_into(c, "#reports-month", "2026-13").await;
    press_key(c, Key::Enter).await;
    wait_text(
        c,
        "#reports-period-error[data-for=\"month\"]",
        "月份应写成 2026-11",
    )
    .await;
    wait_focus(c, "reports-month").await;
    let invalid = find(c, "#reports-month")
        .await
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    type_into(c, "#reports-month", "2026年11月").await;
    press_key(c, Key::Enter).await;
    wait_cell(c, "parts", "stock_value", 0, "current", "0").await;
    wait_hash(c, "November again", |h| h.contains("month=2026-11")).await;
    let error = inner_text(c, "#reports-period-error").await.unwrap();
    assert!(error.is_empty(), "{error:?}");

    // .xlsx of the whole period, read back: a sheet per report, the fees beside October.
    click(c, "#reports-export-xlsx").await;
    wait_text(c, "#toast", "已导出 统计报表-2026-11-01-2026-11-30.xlsx").await;
    let file = wait_download(downloads.path(), ".xlsx").await;
    assert_eq!(
        file.file_name().unwrap().to_string_lossy(),
        "统计报表-2026-11-01-2026-11-30.xlsx"
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("an .xlsx");
    let sheets = book.sheet_names().to_vec();
    assert_eq!(sheets.len(), 13, "{sheets:?}");
    // Each sheet named by its report's title, brackets kept (issue 17).
    assert_eq!(sheets[0], "维修量（按型号）");
    assert_eq!(sheets[4], "投诉（按原因）");
    let fees = book
        .worksheet_range("保外收费与应收")
        .expect("the fees sheet");
    let text = |row: u32, col: u32| {
        fees.get_value((row, col))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(text(3, 0), "保外应收（完工）");
    assert_eq!(
        [text(3, 1), text(3, 2), text(3, 3)],
        ["150", "80", "0"],
        "this month, last month, last year"
    );
    // Rows 4 and 6: 其中检测费 and 其中定金 (issue 21).
    assert_eq!(text(4, 0), "其中检测费");
    assert_eq!(text(6, 0), "其中定金");
    assert_eq!(text(7, 0), "期末应收未收（至今）");
    assert_eq!(text(7, 1), "100");

    // PDF of the same period, read back.
    click(c, "#reports-export-pdf").await;
    wait_text(c, "#toast", "统计报表-2026-11-01-2026-11-30.pdf").await;
    let pdf = wait_download(downloads.path(), ".pdf").await;
    std::fs::copy(&pdf, screenshot_dir().join("reports-2026-11.pdf")).ok();
    let text = pdf_text(&pdf);
    for needle in [
        "保外收费与应收2026-11-01至2026-11-30",
        // The short lines 其中检测费 / 其中定金 (issue 21) come in pdftotext's reading
        // order as one block before their figures.
        "保外应收（完工）其中检测费实收（含退款）其中定金金额（元）150.00/80.00/0.00",
        "期末应收未收（至今）100.00/",
        "维修量（按型号）",
    ] {
        assert!(text.contains(needle), "{needle} not in the PDF: {text}");
    }

    // In English the same figures, with the table's words translated.
    c.execute("localStorage.setItem('desk.lang', 'en')", vec![])
        .await
        .expect("choose English");
    c.refresh().await.expect("reload");
    click(c, "#reports-tab-fees").await;
    wait_text(c, "#reports-tab-fees[aria-selected=\"true\"]", "Fees").await;
    wait_inner(
        c,
        "#report-table-fees thead",
        &["Current", "Previous", "Change", "Year ago", "YoY"],
    )
    .await;
    wait_inner(
        c,
        "#report-table-fees tbody[data-key=\"billed\"]",
        &["Billed (completed, out of warranty)", "¥150.00"],
    )
    .await;
    screenshot(c, "reports-fees-en").await;

    session.close().await;
}
