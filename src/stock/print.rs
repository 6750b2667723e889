//! The storekeeper's printouts: the purchase request (备件采购申请) as an Excel sheet and as
//! an A4 PDF, from the lines the ledger computes ([`crate::stock::ledger::purchase_lines`]).

use crate::platform::error::{Error, Result};
use crate::stock::ledger::PurchaseLine;

pub(crate) fn purchase_xlsx(lines: &[PurchaseLine], today: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Storage(format!("无法生成 Excel 文件：{e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("¥#,##0.00");
    let sheet = book.add_worksheet();
    sheet.set_name("采购申请").map_err(xlsx)?;
    sheet
        .write_string_with_format(0, 0, format!("备件采购申请（{today}）"), &bold)
        .map_err(xlsx)?;
    for (col, (h, w)) in PURCHASE_COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(2, col as u16, *h, &bold)
            .map_err(xlsx)?;
        sheet.set_column_width(col as u16, *w).map_err(xlsx)?;
    }
    let mut total = 0i64;
    for (i, line) in lines.iter().enumerate() {
        let part = &line.part;
        total += line.amount_fen;
        let row = 3 + i as u32;
        sheet.write_string(row, 0, &part.code).map_err(xlsx)?;
        sheet.write_string(row, 1, &part.name).map_err(xlsx)?;
        sheet.write_string(row, 2, &part.spec).map_err(xlsx)?;
        sheet.write_string(row, 3, &part.unit).map_err(xlsx)?;
        for (col, n) in [(4, line.on_hand), (5, line.min_stock), (6, line.suggested)] {
            sheet.write_number(row, col, n as f64).map_err(xlsx)?;
        }
        for (col, fen) in [(7, part.cost_fen), (8, line.amount_fen)] {
            sheet
                .write_number_with_format(row, col, fen as f64 / 100.0, &money)
                .map_err(xlsx)?;
        }
    }
    let last = 3 + lines.len() as u32;
    sheet
        .write_string_with_format(last, 7, "合计", &bold)
        .map_err(xlsx)?;
    sheet
        .write_number_with_format(last, 8, total as f64 / 100.0, &money)
        .map_err(xlsx)?;
    book.save_to_buffer().map_err(xlsx)
}

/// Headers of the purchase request and their widths in the workbook, in characters.
const PURCHASE_COLUMNS: [(&str, f64); 9] = [
    ("备件编码", 14.0),
    ("名称", 24.0),
    ("规格", 16.0),
    ("单位", 6.0),
    ("现有", 8.0),
    ("最低库存", 9.0),
    ("建议采购", 9.0),
    ("参考单价", 12.0),
    ("金额", 14.0),
];

/// The purchase request on A4 portrait: title and date, the table (its header on every
/// page it runs over), the total, and lines for the applicant's and the approver's
/// signatures; "第 n / m 页" at the foot of each page.
pub(crate) fn purchase_pdf(
    lines: &[PurchaseLine],
    today: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, Vec<String>)> {
    use crate::platform::money::yuan;
    use crate::platform::pdf::{Align, Column, Pdf, Style, Table};
    const W: f32 = 210.0;
    const H: f32 = 297.0;
    const MARGIN: f32 = 15.0;
    let column = |title, width, align, one_line| Column {
        title,
        width,
        align,
        one_line,
    };
    let columns = [
        column("编码", 20.0, Align::Left, false),
        column("名称", 41.0, Align::Left, false),
        column("规格", 28.0, Align::Left, false),
        column("单位", 9.0, Align::Center, false),
        column("现有", 11.0, Align::Right, true),
        column("最低库存", 15.0, Align::Right, true),
        column("建议采购", 15.0, Align::Right, true),
        column("参考单价", 19.0, Align::Right, true),
        column("金额", 22.0, Align::Right, true),
    ];
    let right = W - MARGIN;
    let mut pdf = Pdf::new("备件采购申请", at);
    pdf.add_page(W, H);
    pdf.text(
        W / 2.0,
        MARGIN + crate::platform::pdf::ascent(18.0),
        Style::new(18.0).bold().align(Align::Center),
        "备件采购申请",
    );
    let info_y = MARGIN + 14.0;
    pdf.text(MARGIN, info_y, Style::new(10.0), &format!("日期：{today}"));
    pdf.text(
        right,
        info_y,
        Style::new(10.0).align(Align::Right),
        &format!("共 {} 种备件", lines.len()),
    );
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.part.code.clone(),
                l.part.name.clone(),
                l.part.spec.clone(),
                l.part.unit.clone(),
                l.on_hand.to_string(),
                l.min_stock.to_string(),
                l.suggested.to_string(),
                yuan(l.part.cost_fen),
                yuan(l.amount_fen),
            ]
        })
        .collect();
    // Room at the foot of each page for its number.
    let bottom = H - MARGIN - 6.0;
    let table = Table {
        columns: &columns,
        size: 9.0,
        x: MARGIN,
        bottom,
        continue_at: MARGIN + 4.0,
    };
    let mut y = pdf.table(&table, info_y + 4.0, &rows);

    // The total and the signatures stay together; on a new page if they do not fit.
    const CLOSING: f32 = 34.0;
    if y + CLOSING > bottom {
        pdf.add_page(W, H);
        y = table.continue_at;
    }
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    y += 7.0;
    pdf.text(
        right,
        y,
        Style::new(11.0).bold().align(Align::Right),
        &format!("合计：{}", yuan(total)),
    );
    y += 18.0;
    let half = (right - MARGIN) / 2.0;
    for (i, who) in ["申请人", "审批"].iter().enumerate() {
        let x = MARGIN + i as f32 * half;
        let label = format!("{who}：");
        let w = pdf.text(x, y, Style::new(11.0), &label);
        pdf.line((x + w, y + 1.0), (x + half - 32.0, y + 1.0), 0.25);
        let w = pdf.text(x + half - 30.0, y, Style::new(11.0), "日期：");
        pdf.line(
            (x + half - 30.0 + w, y + 1.0),
            (x + half - 4.0, y + 1.0),
            0.25,
        );
    }

    let pages = pdf.page_count();
    for page in 0..pages {
        pdf.select_page(page);
        if page > 0 {
            pdf.text(
                MARGIN,
                MARGIN + 1.0,
                Style::new(8.0),
                &format!("备件采购申请（{today}，续）"),
            );
        }
        pdf.text(
            W / 2.0,
            H - MARGIN,
            Style::new(8.0).align(Align::Center),
            &format!("第 {} / {pages} 页", page + 1),
        );
    }
    let unprintable = crate::platform::pdf::codes(pdf.unprintable());
    Ok((pdf.finish()?, unprintable))
}
