//! The monthly numbers on paper: every report of a period with its comparisons as an
//! Excel workbook (a sheet per report) and as an A4 PDF.

use super::{Line, Report, Reports};
use crate::platform::error::{Error, Result};

/// Rows of one report: label, then each column for this period, the previous, last year.
fn table_rows(r: &Report) -> Vec<(String, Vec<[Option<f64>; 3]>)> {
    let find = |lines: &[Line], key: &str| {
        lines
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.values.clone())
    };
    r.current_lines
        .iter()
        .map(|l| {
            let prev = find(&r.previous_lines, &l.key);
            let last = find(&r.last_year_lines, &l.key);
            let cells = (0..l.values.len())
                .map(|i| {
                    [
                        Some(l.values[i]),
                        prev.as_ref().and_then(|v| v.get(i).copied()),
                        last.as_ref().and_then(|v| v.get(i).copied()),
                    ]
                })
                .collect();
            (l.label.clone(), cells)
        })
        .collect()
}

pub(crate) fn xlsx(all: &Reports) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| Error::Storage(format!("无法生成 Excel 文件：{e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for r in &all.items {
        let sheet = book.add_worksheet();
        sheet
            .set_name(r.title.replace(['（', '）'], "_"))
            .map_err(err)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!("{}（{} 至 {}）", r.title, r.period.from, r.period.to),
                &bold,
            )
            .map_err(err)?;
        sheet
            .write_string_with_format(2, 0, "项目", &bold)
            .map_err(err)?;
        sheet.set_column_width(0, 28).map_err(err)?;
        let mut col = 1u16;
        for c in &r.columns {
            for (suffix, _) in [("本期", 0), ("上期", 1), ("去年同期", 2)] {
                sheet
                    .write_string_with_format(2, col, format!("{c}·{suffix}"), &bold)
                    .map_err(err)?;
                sheet.set_column_width(col, 14).map_err(err)?;
                col += 1;
            }
        }
        for (i, (label, cells)) in table_rows(r).iter().enumerate() {
            let row = 3 + i as u32;
            sheet.write_string(row, 0, label).map_err(err)?;
            let mut col = 1u16;
            for triple in cells {
                for v in triple {
                    if let Some(v) = v {
                        sheet.write_number(row, col, *v).map_err(err)?;
                    }
                    col += 1;
                }
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

fn number(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

pub(crate) fn pdf(
    all: &Reports,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, Vec<String>)> {
    use crate::platform::pdf::{codes, Align, Area, Column, Pdf, Table, TextBox};
    let mut doc = Pdf::new("统计报表", at);
    for r in &all.items {
        doc.add_page(297.0, 210.0);
        doc.text_box(
            Area::new(12.0, 10.0, 273.0, 8.0),
            TextBox::new(14.0).bold().max_lines(1).align(Align::Center),
            &format!("{}　{} 至 {}", r.title, r.period.from, r.period.to),
        );
        doc.text_box(
            Area::new(12.0, 18.0, 273.0, 5.0),
            TextBox::new(8.0).max_lines(1).align(Align::Center),
            &format!(
                "每格：本期 / 上期（{} 至 {}）/ 去年同期（{} 至 {}）",
                r.previous.from, r.previous.to, r.last_year.from, r.last_year.to
            ),
        );
        let value_w = ((273.0 - 60.0) / r.columns.len() as f32).min(60.0);
        let mut columns = vec![Column {
            title: "项目",
            width: 60.0,
            align: Align::Left,
            one_line: false,
        }];
        for c in &r.columns {
            columns.push(Column {
                title: c,
                width: value_w,
                align: Align::Right,
                one_line: true,
            });
        }
        let rows: Vec<Vec<String>> =
            table_rows(r)
                .into_iter()
                .map(|(label, cells)| {
                    let mut row = vec![label];
                    row.extend(cells.iter().map(|t| {
                        format!("{} / {} / {}", number(t[0]), number(t[1]), number(t[2]))
                    }));
                    row
                })
                .collect();
        let table = Table {
            columns: &columns,
            size: 8.5,
            x: 12.0,
            bottom: 198.0,
            continue_at: 12.0,
        };
        doc.table(&table, 26.0, &rows);
    }
    let unprintable = codes(doc.unprintable());
    Ok((doc.finish()?, unprintable))
}
