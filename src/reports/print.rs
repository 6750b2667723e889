//! The monthly numbers on paper: every report of a period with its comparisons as an
//! Excel workbook (a sheet per report) and as an A4 PDF.

use super::{Line, Report, Reports};
use crate::platform::error::Result;

/// One row of a report's table: key, label, then each column for this period, the
/// previous, last year (`None`: the period has no such line).
type TableRow = (String, String, Vec<[Option<f64>; 3]>);

fn table_rows(r: &Report) -> Vec<TableRow> {
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
            (l.key.clone(), l.label.clone(), cells)
        })
        .collect()
}

/// Whether the cell of a line and column holds no figure (see [`super::NO_FIGURE`]).
fn no_figure(r: &Report, key: &str, col: usize) -> bool {
    super::NO_FIGURE.contains(&(r.name, key, col))
}

/// A note under a report whose lines are not all figures of the three periods.
fn note(r: &Report) -> Option<&'static str> {
    (r.name == "parts").then_some(
        "期末库存按库存流水计算到各期的最后一天；低于最低库存的备件是此刻的数字（最低库存没有历史记录），上期与去年同期不填。",
    )
}

/// Every report of the period as a workbook, a sheet per report named by its title:
/// numbers as numbers, money with the money format.
pub(crate) fn xlsx(all: &Reports) -> Result<Vec<u8>> {
    use crate::platform::sheet;
    use rust_xlsxwriter::{Format, Workbook};
    let err = sheet::write_error;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format(sheet::MONEY_FORMAT);
    for r in &all.items {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet::sheet_name(r.title)).map_err(err)?;
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
        let rows = table_rows(r);
        for (i, (key, label, cells)) in rows.iter().enumerate() {
            let row = 3 + i as u32;
            sheet.write_string(row, 0, label).map_err(err)?;
            let mut col = 1u16;
            for (c, triple) in cells.iter().enumerate() {
                let is_money = super::is_money(r.columns[c]);
                for v in triple {
                    match v {
                        Some(_) if no_figure(r, key, c) => {}
                        Some(v) if is_money => {
                            sheet
                                .write_number_with_format(row, col, *v, &money)
                                .map_err(err)?;
                        }
                        Some(v) => {
                            sheet.write_number(row, col, *v).map_err(err)?;
                        }
                        None => {}
                    }
                    col += 1;
                }
            }
        }
        if let Some(note) = note(r) {
            sheet
                .write_string(4 + rows.len() as u32, 0, note)
                .map_err(err)?;
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

/// Yuan as the screens show them: thousands separated, always two decimals (17,596.46).
fn money(v: Option<f64>) -> String {
    let Some(v) = v else {
        return "—".into();
    };
    let fen = (v * 100.0).round() as i64;
    let (sign, fen) = if fen < 0 { ("-", -fen) } else { ("", fen) };
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
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
        let rows: Vec<Vec<String>> = table_rows(r)
            .into_iter()
            .map(|(key, label, cells)| {
                let mut row = vec![label];
                row.extend(cells.iter().enumerate().map(|(c, t)| {
                    let show = |v: Option<f64>| {
                        if no_figure(r, &key, c) {
                            "—".to_string()
                        } else if super::is_money(r.columns[c]) {
                            money(v)
                        } else {
                            number(v)
                        }
                    };
                    format!("{} / {} / {}", show(t[0]), show(t[1]), show(t[2]))
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
        let below = doc.table(&table, 26.0, &rows);
        if let Some(note) = note(r) {
            if below + 8.0 > 198.0 {
                doc.add_page(297.0, 210.0);
            }
            let y = if below + 8.0 > 198.0 {
                12.0
            } else {
                below + 2.0
            };
            doc.text_box(Area::new(12.0, y, 273.0, 6.0), TextBox::new(8.0), note);
        }
    }
    let unprintable = codes(doc.unprintable());
    Ok((doc.finish()?, unprintable))
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_prints_with_thousands_and_two_decimals() {
        assert_eq!(money(Some(17596.46)), "17,596.46");
        assert_eq!(money(Some(1330.0)), "1,330.00");
        assert_eq!(money(Some(0.5)), "0.50");
        assert_eq!(money(Some(-1234567.8)), "-1,234,567.80");
        assert_eq!(money(None), "—");
    }
}
