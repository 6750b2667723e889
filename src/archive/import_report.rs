//! The import's report (导入报告, command `import.report`): the rows an import leaves
//! out, as an .xlsx the clerk mends and imports again. The rows are the clerk's own, as
//! the file has them, under the file's own headers, with one more column, 原因 (every
//! problem of the row, with its row number in the original file).
//!
//! The report is made from the file again (the same planning the preview and the commit
//! run, rolled back), so it needs no state between calls and says what the import would
//! refuse now. Cells are typed as the customer export types them: dates as dates, numbers
//! of columns that feed no text field as numbers, and every phone, serial, model code and
//! name as text (a phone is never a number, and text that looks like a formula stays text).

use base64::Engine as _;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::archive::import::{self, Column, ImportArgs};
use crate::platform::error::Result;
use crate::platform::files::Exported;
use crate::platform::sheet;
use crate::Desk;

/// The header of the reasons' column; the import recognises no field in it, so the
/// mended report imports as it is.
pub const REASON_HEADER: &str = "原因";

/// 下载导入报告: the rows the import would leave out, with their reasons, as .xlsx.
pub fn report(desk: &mut Desk, args: ImportArgs) -> Result<Exported> {
    let (sheet_in, columns, rejected) = import::plan(desk, &args)?;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format(sheet::DATE_FORMAT);
    let out = book.add_worksheet();
    out.set_name(sheet::sheet_name("导入报告"))
        .map_err(sheet::write_error)?;
    let reason_col = columns.len() as u16;
    for (i, c) in columns.iter().enumerate() {
        out.write_string_with_format(0, i as u16, &c.header, &bold)
            .map_err(sheet::write_error)?;
        out.set_column_width(i as u16, width(&c.header))
            .map_err(sheet::write_error)?;
    }
    out.write_string_with_format(0, reason_col, REASON_HEADER, &bold)
        .map_err(sheet::write_error)?;
    out.set_column_width(reason_col, 60)
        .map_err(sheet::write_error)?;
    let by_number: std::collections::HashMap<usize, &sheet::Row> =
        sheet_in.rows.iter().map(|r| (r.number, r)).collect();
    let mut at: u32 = 0;
    for r in &rejected {
        let Some(row) = by_number.get(&r.row) else {
            continue;
        };
        at += 1;
        for (i, text) in row.cells.iter().enumerate() {
            if let Some(column) = columns.get(i) {
                write_cell(out, at, i as u16, column, text, &date).map_err(sheet::write_error)?;
            }
        }
        out.write_string(at, reason_col, format!("第 {} 行：{}", r.row, r.reason))
            .map_err(sheet::write_error)?;
    }
    out.set_freeze_panes(1, 0).map_err(sheet::write_error)?;
    let bytes = book.save_to_buffer().map_err(sheet::write_error)?;
    let stem = args
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .rsplit_once('.')
        .map(|(stem, _)| stem.to_string())
        .unwrap_or_else(|| args.file_name.clone());
    Ok(Exported {
        file_name: format!(
            "导入报告-{}.xlsx",
            stem.chars().take(60).collect::<String>()
        ),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: at as usize,
        unprintable: Vec::new(),
    })
}

fn width(header: &str) -> f64 {
    (header.chars().count() as f64 * 2.2 + 4.0).clamp(10.0, 40.0)
}

/// One cell of the clerk's row, typed by the field its column feeds.
fn write_cell(
    out: &mut Worksheet,
    row: u32,
    col: u16,
    column: &Column,
    text: &str,
    date: &Format,
) -> std::result::Result<(), XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    match column.field {
        Some("purchase_date" | "install_date") => {
            use chrono::Datelike;
            if let Some(day) =
                crate::platform::dates::parse(text).filter(|d| (1900..=9999).contains(&d.year()))
            {
                let cell =
                    ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
                out.write_datetime_with_format(row, col, &cell, date)?;
                return Ok(());
            }
        }
        None => {
            if let Some(n) = plain_number(text) {
                out.write_number(row, col, n)?;
                return Ok(());
            }
        }
        Some(_) => {}
    }
    out.write_string(row, col, text)?;
    Ok(())
}

/// A number as Excel would have typed it: digits with an optional sign and decimals, no
/// leading zero (`007` is a code), at most 15 significant digits (Excel's precision).
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.trim_start_matches('-');
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
        && !(whole.len() > 1 && whole.starts_with('0'))
        && whole.len() + fraction.len() <= 15
        && !(digits.contains('.') && fraction.is_empty());
    if ok {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::plain_number;

    #[test]
    fn only_plain_numbers_are_written_as_numbers() {
        assert_eq!(plain_number("12"), Some(12.0));
        assert_eq!(plain_number("-3.5"), Some(-3.5));
        assert_eq!(plain_number("0.25"), Some(0.25));
        for text in ["007", "1.", "1e5", "13812345678901234", "=1+1", "12a", ""] {
            assert_eq!(plain_number(text), None, "{text}");
        }
    }
}
