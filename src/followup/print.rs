//! The follow-up's printouts: a campaign's service report (服务报告) for one account, an
//! A4 PDF of the machines checked, the faults found and what is still open, with a line
//! for the service company's stamp and the customer's signature.

use crate::followup::campaigns::{still_open, Campaign};
use crate::followup::words::TaskStatus;
use crate::platform::error::Result;
use crate::platform::pdf::{self, Align, Area, Column, Pdf, Table, TextBox};

/// The service report of `c` (already narrowed to the account's tasks) for `account`,
/// from `company`, dated `at` (the desk's now, its local day printed under the title).
pub(crate) fn campaign_report(
    c: &Campaign,
    account: &str,
    company: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, Vec<String>)> {
    let mut doc = Pdf::new(&format!("服务报告 {account}"), at);
    let local = crate::platform::time::local_text(&crate::platform::time::stamp(at));
    let today = local.get(..10).unwrap_or_default();
    doc.add_page(210.0, 297.0);
    let (x, w) = (15.0, 180.0);
    doc.text_box(
        Area::new(x, 15.0, w, 9.0),
        TextBox::new(16.0)
            .align(Align::Center)
            .bold()
            .max_lines(1)
            .shrink_to(10.0),
        &format!("{account} 服务报告"),
    );
    doc.text_box(
        Area::new(x, 25.0, w, 6.0),
        TextBox::new(10.0)
            .align(Align::Center)
            .max_lines(1)
            .shrink_to(7.0),
        &format!("{}　{}　{}", c.name, company, today),
    );
    let checked = c
        .tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Open)
        .count();
    let summary = format!(
        "本次共 {} 台设备：已检查 {checked} 台，发现故障 {} 台，其中已修复 {} 台、仍在处理 {} 台；未联系上 {} 台，尚未检查 {} 台。",
        c.total,
        c.faults,
        c.faults - c.still_open,
        c.still_open,
        c.tasks.iter().filter(|t| t.status == TaskStatus::Unreachable).count(),
        c.total - checked,
    );
    doc.text_box(
        Area::new(x, 34.0, w, 12.0),
        TextBox::new(10.0).shrink_to(8.0),
        &summary,
    );
    let columns = [
        Column {
            title: "网点 / 客户",
            width: 38.0,
            align: Align::Left,
            one_line: false,
        },
        Column {
            title: "型号",
            width: 30.0,
            align: Align::Left,
            one_line: false,
        },
        Column {
            title: "序列号",
            width: 28.0,
            align: Align::Left,
            one_line: true,
        },
        Column {
            title: "结果",
            width: 16.0,
            align: Align::Center,
            one_line: true,
        },
        Column {
            title: "情况与措施",
            width: 44.0,
            align: Align::Left,
            one_line: false,
        },
        Column {
            title: "工单 / 状态",
            width: 24.0,
            align: Align::Left,
            one_line: false,
        },
    ];
    let rows: Vec<Vec<String>> = c
        .tasks
        .iter()
        .map(|t| {
            let state = match t.status {
                TaskStatus::Ok => "正常",
                TaskStatus::Fault if still_open(t) => "故障·处理中",
                TaskStatus::Fault => "故障·已修复",
                TaskStatus::Unreachable => "未联系上",
                TaskStatus::Open => "未检查",
            };
            let order = match (&t.order_number, &t.order_status) {
                (Some(n), Some(s)) => format!("{n} {}", s.label()),
                _ => String::new(),
            };
            let place = if t.site.is_empty() {
                t.customer.clone()
            } else {
                format!("{} {}", t.customer, t.site)
            };
            vec![
                place,
                t.model.clone(),
                t.serial.clone(),
                state.into(),
                t.result.clone(),
                order,
            ]
        })
        .collect();
    let table = Table {
        columns: &columns,
        size: 8.5,
        x,
        bottom: 280.0,
        continue_at: 15.0,
    };
    let end = doc.table(&table, 48.0, &rows);
    if end + 20.0 < 280.0 {
        doc.text(
            x,
            end + 12.0,
            pdf::Style::new(9.0),
            "服务单位（盖章）：____________________　　客户确认：____________________",
        );
    }
    let unprintable = pdf::codes(doc.unprintable());
    Ok((doc.finish()?, unprintable))
}
