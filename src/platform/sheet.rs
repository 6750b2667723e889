//! Spreadsheets read into a plain grid of text: .xlsx, .xls, and .csv in UTF-8, UTF-8 with
//! BOM, UTF-16 with BOM or GBK/GB18030 (what a Chinese Excel writes when it saves CSV). The
//! customer import and the stocktake's counted sheet both read their files here; what the
//! columns mean is theirs.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xls, Xlsx};

use crate::platform::error::{Error, Result};

/// A file read as text: the header row and the data rows below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// As the spreadsheet shows it: 1 is the first row of the file.
    pub number: usize,
    /// One per header, trimmed.
    pub cells: Vec<String>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn unreadable(message: impl Into<String>) -> Error {
    Error::invalid("file", message)
}

/// Reads .xlsx / .xls / .csv by content first (a renamed file still works), by name second.
/// `is_header` tells a header cell the caller recognises (a row among the first ten non-blank ones with such a cell is the header row).
pub fn read(file_name: &str, bytes: &[u8], is_header: &dyn Fn(&str) -> bool) -> Result<Sheet> {
    if bytes.is_empty() {
        return Err(unreadable("文件是空的"));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let grid = if bytes.starts_with(ZIP_MAGIC) {
        let book = Xlsx::new(Cursor::new(bytes))
            .map_err(|_| unreadable("无法读取这个 Excel 文件（.xlsx），文件可能已损坏"))?;
        first_sheet(book)?
    } else if bytes.starts_with(OLE_MAGIC) {
        let book = Xls::new(Cursor::new(bytes))
            .map_err(|_| unreadable("无法读取这个 Excel 文件（.xls），文件可能已损坏或加了密码"))?;
        first_sheet(book)?
    } else if matches!(ext.as_str(), "csv" | "txt" | "tsv" | "xls" | "") {
        // Some systems write "xls" files that are really text (tab-separated or a web page).
        let text = decode(bytes)?;
        if text.trim_start().starts_with('<') {
            return Err(unreadable(
                "这个文件实际上是网页格式，不是 Excel 表格；请用 Excel 打开后另存为 .xlsx 再导入",
            ));
        }
        parse_delimited(&text)
    } else if matches!(ext.as_str(), "xlsx" | "xlsm") {
        return Err(unreadable(
            "这个文件不是有效的 Excel 文件（.xlsx），可能已损坏",
        ));
    } else {
        return Err(unreadable(format!(
            "不能导入 .{ext} 文件：请选择 Excel（.xlsx、.xls）或 CSV 文件"
        )));
    };
    sheet_from_grid(grid, is_header)
}

/// Rows of cells; the first entry is the row number the spreadsheet shows.
type Grid = Vec<(usize, Vec<String>)>;

/// The first worksheet that has any cell filled.
fn first_sheet<'a, R: Reader<Cursor<&'a [u8]>>>(mut book: R) -> Result<Grid> {
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let range = match book.worksheet_range_at(i) {
            Some(Ok(range)) => range,
            Some(Err(_)) => return Err(unreadable(format!("无法读取工作表“{name}”"))),
            None => break,
        };
        if range.get_size().0 > 0 && range.used_cells().next().is_some() {
            return Ok(grid_of(&range));
        }
    }
    Err(unreadable("文件里没有任何数据"))
}

fn grid_of(range: &Range<Data>) -> Grid {
    // A range starts at its first used cell; row numbers count from the sheet's top.
    let first = range.start().map(|(row, _)| row as usize).unwrap_or(0);
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| (first + i + 1, cells.iter().map(cell_text).collect()))
        .collect()
}

/// A cell as the clerk sees it: numbers without a trailing `.0` or exponent (phones are
/// often typed into number cells), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, d, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Text files: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
/// else GB18030, which also reads GBK and GB2312.
fn decode(bytes: &[u8]) -> Result<String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, bad) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if bad {
            return Err(unreadable(format!(
                "文件内容与它的编码标记（{}）不符，无法读取",
                encoding.name()
            )));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad || text.contains('\0') {
        return Err(unreadable(
            "无法识别文件的编码（应为 UTF-8 或 GBK），或者它不是表格文件",
        ));
    }
    Ok(text.into_owned())
}

/// CSV as Excel writes and reads it: fields in double quotes may hold the separator, line
/// breaks and doubled quotes; the separator is a comma, tab or semicolon, whichever the
/// first line uses most. Every line break outside quotes starts a new spreadsheet row,
/// blank lines included, so row numbers match what Excel shows.
fn parse_delimited(text: &str) -> Grid {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let separator = [',', '\t', ';']
        .into_iter()
        .max_by_key(|s| (first_line.matches(*s).count(), *s == ','))
        .unwrap_or(',');
    let mut grid = Grid::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    let mut finish_record = |record: &mut Vec<String>, field: &mut String| {
        record.push(std::mem::take(field).trim().to_string());
        let number = grid.len() + 1;
        grid.push((number, std::mem::take(record)));
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                finish_record(&mut record, &mut field);
                at_field_start = true;
            }
            c if c == separator => {
                record.push(std::mem::take(&mut field).trim().to_string());
                at_field_start = true;
            }
            c => {
                // Spaces before an opening quote do not make the field unquoted.
                if !(at_field_start && c == ' ') {
                    at_field_start = false;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        finish_record(&mut record, &mut field);
    }
    grid
}

/// The header is the first row, among the first few non-blank ones, that has a column we
/// recognise as the customer's name (a sheet may open with a title such as
/// “2024年客户清单”), else the first non-blank row. Rows above it are ignored; blank rows
/// below it are skipped (they keep their numbers); columns without a header are dropped
/// at the right and named `第N列` inside; a repeated header gets `（2）` so that a mapping
/// can tell them apart.
fn sheet_from_grid(grid: Grid, is_header: &dyn Fn(&str) -> bool) -> Result<Sheet> {
    let blank = |cells: &[String]| cells.iter().all(|c| c.is_empty());
    let names_a_customer = |cells: &[String]| cells.iter().any(|c| is_header(c));
    let candidates: Vec<usize> = (0..grid.len())
        .filter(|&i| !blank(&grid[i].1))
        .take(10)
        .collect();
    let Some(&first) = candidates.first() else {
        return Err(unreadable("文件里没有任何数据"));
    };
    let at = candidates
        .iter()
        .copied()
        .find(|&i| names_a_customer(&grid[i].1))
        .unwrap_or(first);
    let mut rows = grid.into_iter().skip(at);
    let Some((_, mut headers)) = rows.next() else {
        return Err(unreadable("文件里没有任何数据"));
    };
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter_mut().enumerate() {
        if h.is_empty() {
            *h = format!("第{}列", i + 1);
        }
        let n = seen.entry(h.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            *h = format!("{h}（{n}）");
        }
    }
    let width = headers.len();
    let rows = rows
        .filter(|(_, cells)| !blank(cells))
        .map(|(number, mut cells)| {
            cells.resize(width, String::new());
            Row { number, cells }
        })
        .collect();
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_header(_: &str) -> bool {
        false
    }

    fn grid(text: &str) -> Vec<Vec<String>> {
        parse_delimited(text).into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn csv_handles_quotes_line_breaks_and_blank_lines() {
        let text = "姓名,电话,备注\r\n\"王, 小明\",13812345678,\"说\"\"好\"\"的\n第二行\"\r\n\r\n李四,021-61234567,\n";
        let rows = parse_delimited(text);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].1, ["王, 小明", "13812345678", "说\"好\"的\n第二行"]);
        assert_eq!(rows[2], (3, vec![String::new()]));
        assert_eq!(
            rows[3],
            (4, vec!["李四".into(), "021-61234567".into(), String::new()])
        );
        // Tabs (Excel's "text" export) and semicolons are found from the header line.
        assert_eq!(grid("姓名\t电话\n张三\t1,2\n")[1], ["张三", "1,2"]);
        assert_eq!(grid("姓名;电话\n张三;138\n")[1], ["张三", "138"]);
    }

    #[test]
    fn text_files_in_the_encodings_chinese_excel_writes() {
        let text = "客户名称,电话\n喆玥堃,13812345678\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk).unwrap(), text);
        let (gb18030, _, _) = encoding_rs::GB18030.encode("𠀀王,13812345678\n");
        assert_eq!(decode(&gb18030).unwrap(), "𠀀王,13812345678\n");
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap(), text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16).unwrap(), text);
        let e = read("a.csv", &[0x81, 0x20, 0xFF, 0x00], &no_header).unwrap_err();
        assert_eq!(e.field(), Some("file"));
    }

    #[test]
    fn header_row_is_the_first_non_blank_row_and_keeps_row_numbers() {
        let sheet = read(
            "a.csv",
            ",,\n姓名,电话,,\n\n张三,13812345678\n".as_bytes(),
            &no_header,
        )
        .unwrap();
        assert_eq!(sheet.headers, ["姓名", "电话"]);
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].number, 4);
        let sheet = read("a.csv", "电话,,电话\n1,2,3\n".as_bytes(), &no_header).unwrap();
        assert_eq!(sheet.headers, ["电话", "第2列", "电话（2）"]);
    }

    #[test]
    fn files_that_are_not_tables_are_refused_in_chinese() {
        for (name, bytes) in [
            ("a.csv", b"".as_slice()),
            ("a.pdf", b"%PDF-1.4".as_slice()),
            ("a.xlsx", b"not a zip".as_slice()),
            ("a.xlsx", b"PK\x03\x04garbage".as_slice()),
            ("a.xls", b"<html><table></table></html>".as_slice()),
            ("a.csv", b"\n\n".as_slice()),
        ] {
            let e = read(name, bytes, &no_header).unwrap_err();
            assert_eq!(e.field(), Some("file"), "{name}");
            assert!(!e.to_string().is_ascii(), "{name}: {e}");
        }
    }
}
