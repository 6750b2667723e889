//! Spreadsheets read into a plain grid of text: .xlsx, .xls, and .csv in UTF-8, UTF-8 with
//! BOM, UTF-16 with BOM or GBK/GB18030 (what a Chinese Excel writes when it saves CSV). The
//! customer import and the stocktake's counted sheet both read their files here; what the
//! columns mean is theirs.
//!
//! Writing (at the end): what every workbook the desk makes shares — the number formats of
//! money and dates, and sheet names made from titles within the xlsx rules.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, DataRef, Range, Reader, Xls, Xlsx, XlsxError};

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

// ---- limits ---------------------------------------------------------------------------
// A spreadsheet is a customer's attachment: it is checked against these before any grid
// is built, so that a small hostile file (a sparse sheet, a zip bomb, a lying header)
// gets `invalid` on `file` and never an abort or a huge allocation.

/// The largest file taken, bytes (the documented upload size).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Rows and columns of the used rectangle of a sheet, and cells in it (rows × columns).
pub const MAX_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 200;
pub const MAX_CELLS: usize = 4_000_000;
/// Characters in one cell (Excel's own limit) and bytes of text in the whole sheet.
pub const MAX_CELL_CHARS: usize = 32_767;
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;
/// Bytes of an .xlsx once inflated, all its parts together.
pub const MAX_INFLATED_BYTES: u64 = 200 * 1024 * 1024;
/// Bytes of one inflated part that is neither a worksheet nor the shared strings
/// (workbook, styles, relationships): a few KB in a real file.
const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
/// Sheets of an .xlsx looked at for the first one with a filled cell, and cells (blank
/// ones too) streamed from them all.
const MAX_SHEETS: usize = 16;
const MAX_STREAMED_CELLS: usize = 50_000_000;
/// Parts of an .xlsx: a real one has a dozen.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Bytes of sheet records walked in an .xls, over all its sheets (a sheet listed twice is
/// walked twice, by us and by the library).
const MAX_WALKED_BYTES: u64 = 4 * MAX_FILE_BYTES as u64;
/// Σ (continuation records of a record)² in an .xls: the reader takes them one by one
/// from the front of a list, so this is its work; a real file stays far below.
const MAX_CONTINUE_WORK: u64 = 200_000_000;

fn too_large() -> Error {
    unreadable(format!(
        "表格超出上限：最多 {} 行、{} 列、{} 个单元格；请把它分成几个文件再导入",
        thousands(MAX_ROWS),
        thousands(MAX_COLUMNS),
        thousands(MAX_CELLS)
    ))
}

fn text_too_long() -> Error {
    unreadable(format!(
        "表格内容超出上限：每个单元格最多 {} 个字符，全部文字最多 {} MB",
        thousands(MAX_CELL_CHARS),
        MAX_TEXT_BYTES >> 20
    ))
}

fn inflated_too_large() -> Error {
    unreadable(format!(
        "表格文件解压后超出上限：最多 {} MB",
        MAX_INFLATED_BYTES >> 20
    ))
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a used rectangle of `rows` × `columns` is within the limits.
fn fits(rows: u64, columns: u64) -> bool {
    rows <= MAX_ROWS as u64
        && columns <= MAX_COLUMNS as u64
        && rows.saturating_mul(columns) <= MAX_CELLS as u64
}

/// Text of cells as they are taken into a grid: each cell, and all of them together.
#[derive(Default)]
struct TextBudget {
    bytes: usize,
}

impl TextBudget {
    fn take(&mut self, text: &str) -> Result<()> {
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(text_too_long());
        }
        self.bytes += text.len();
        if self.bytes > MAX_TEXT_BYTES {
            return Err(text_too_long());
        }
        Ok(())
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const XLSX_DAMAGED: &str = "无法读取这个 Excel 文件（.xlsx），文件可能已损坏";
const XLS_DAMAGED: &str = "无法读取这个 Excel 文件（.xls），文件可能已损坏或加了密码";

fn unreadable(message: impl Into<String>) -> Error {
    Error::invalid("file", message)
}

/// Reads .xlsx / .xls / .csv by content first (a renamed file still works), by name second.
/// `is_header` tells a header cell the caller recognises (a row among the first ten non-blank ones with such a cell is the header row).
pub fn read(file_name: &str, bytes: &[u8], is_header: &dyn Fn(&str) -> bool) -> Result<Sheet> {
    if bytes.is_empty() {
        return Err(unreadable("文件是空的"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "文件超出上限：最多 {} MB",
            MAX_FILE_BYTES >> 20
        )));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let grid = if bytes.starts_with(ZIP_MAGIC) {
        read_xlsx(bytes)?
    } else if bytes.starts_with(OLE_MAGIC) {
        read_xls(bytes)?
    } else if matches!(ext.as_str(), "csv" | "txt" | "tsv" | "xls" | "") {
        // Some systems write "xls" files that are really text (tab-separated or a web page).
        let text = decode(bytes)?;
        if text.trim_start().starts_with('<') {
            return Err(unreadable(
                "这个文件实际上是网页格式，不是 Excel 表格；请用 Excel 打开后另存为 .xlsx 再导入",
            ));
        }
        parse_delimited(&text)?
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

/// Runs the spreadsheet library on a file already checked against the limits; should it
/// still panic on a malformed file (its arithmetic is checked in debug builds), the
/// file is refused instead of the desk going down.
fn guarded<T>(damaged: &'static str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|_| Err(unreadable(damaged)))
}

// ---- .xlsx ------------------------------------------------------------------------------

/// An .xlsx: its zip checked (parts, sizes as declared and as really inflated), then the
/// first worksheet with a filled cell streamed cell by cell, its declared `<dimension>`
/// and every cell's place checked as they come; the grid holds only the filled cells.
fn read_xlsx(bytes: &[u8]) -> Result<Grid> {
    check_zip(bytes)?;
    guarded(XLSX_DAMAGED, || {
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable(XLSX_DAMAGED))?;
        // Cells streamed over every sheet looked at, blank ones too: one pass over the
        // largest sheet allowed, not one per sheet of a workbook that lists the same
        // empty sheet a thousand times.
        let mut streamed = 0usize;
        for name in book.sheet_names().into_iter().take(MAX_SHEETS) {
            let unreadable_sheet = || unreadable(format!("无法读取工作表“{name}”"));
            let mut cells = match book.worksheet_cells_reader(&name) {
                Ok(cells) => cells,
                Err(XlsxError::NotAWorksheet(_)) => continue,
                Err(_) => return Err(unreadable_sheet()),
            };
            let declared = cells.dimensions();
            let span = |a: u32, b: u32| u64::from(a.abs_diff(b)) + 1;
            if !fits(
                span(declared.start.0, declared.end.0),
                span(declared.start.1, declared.end.1),
            ) {
                return Err(too_large());
            }
            let mut sparse = Sparse::default();
            while let Some(cell) = cells.next_cell().map_err(|_| unreadable_sheet())? {
                streamed += 1;
                if streamed > MAX_STREAMED_CELLS {
                    return Err(too_large());
                }
                let text = match cell.get_value() {
                    DataRef::Empty => continue,
                    DataRef::SharedString(s) => {
                        let s = s.trim();
                        sparse.text.take(s)?;
                        s.to_string()
                    }
                    other => {
                        let text = cell_text(&Data::from(other.clone()));
                        sparse.text.take(&text)?;
                        text
                    }
                };
                sparse.add(cell.get_position(), text)?;
            }
            if !sparse.cells.is_empty() {
                return Ok(sparse.into_grid());
            }
        }
        Err(unreadable("文件里没有任何数据"))
    })
}

/// The filled cells of a sheet as they stream by, with the rectangle they span.
#[derive(Default)]
struct Sparse {
    cells: Vec<((u32, u32), String)>,
    rows: Option<(u32, u32)>,
    columns: Option<(u32, u32)>,
    text: TextBudget,
}

impl Sparse {
    fn add(&mut self, (row, column): (u32, u32), text: String) -> Result<()> {
        let widen = |span: Option<(u32, u32)>, at: u32| match span {
            None => (at, at),
            Some((low, high)) => (low.min(at), high.max(at)),
        };
        let rows = widen(self.rows, row);
        let columns = widen(self.columns, column);
        if !fits(
            u64::from(rows.1 - rows.0) + 1,
            u64::from(columns.1 - columns.0) + 1,
        ) {
            return Err(too_large());
        }
        (self.rows, self.columns) = (Some(rows), Some(columns));
        self.cells.push(((row, column), text));
        Ok(())
    }

    /// Rows that have a cell, in order; columns counted from the leftmost filled one; a
    /// cell given twice keeps its last value (as the spreadsheet library does).
    fn into_grid(mut self) -> Grid {
        let left = self.columns.map_or(0, |(low, _)| low);
        self.cells.sort_by_key(|(at, _)| *at);
        let mut grid = Grid::new();
        for ((row, column), text) in self.cells {
            let number = row as usize + 1;
            if grid.last().is_none_or(|(n, _)| *n != number) {
                grid.push((number, Vec::new()));
            }
            let cells = &mut grid.last_mut().expect("a row was just pushed").1;
            let at = (column - left) as usize;
            if cells.len() <= at {
                cells.resize(at + 1, String::new());
            }
            cells[at] = text;
        }
        grid
    }
}

/// The zip under an .xlsx, before the spreadsheet library opens it: not too many parts,
/// their declared sizes within the limit, and each part really inflated (into nothing,
/// counting) to check that it holds no more than it declares, since a zip can lie. The
/// shared strings (which the library loads whole) are counted on the way.
fn check_zip(bytes: &[u8]) -> Result<()> {
    let damaged = |_| unreadable(XLSX_DAMAGED);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(unreadable(XLSX_DAMAGED));
    }
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(damaged)?;
        declared_total = declared_total.saturating_add(entry.size());
    }
    if declared_total > MAX_INFLATED_BYTES {
        return Err(inflated_too_large());
    }
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(damaged)?;
        let name = entry.name().to_ascii_lowercase().replace('\\', "/");
        let declared = entry.size();
        let worksheet = name.contains("worksheets/");
        let strings = name.ends_with("sharedstrings.xml");
        if !worksheet
            && !strings
            && (name.ends_with(".xml") || name.ends_with(".rels"))
            && declared > MAX_PART_BYTES
        {
            return Err(inflated_too_large());
        }
        // Never more than one byte past what it declares is inflated.
        let mut limited = Counted {
            inner: entry.take(declared + 1),
            count: 0,
        };
        if strings {
            count_shared_strings(&mut limited)?;
        }
        std::io::copy(&mut limited, &mut std::io::sink()).map_err(|_| unreadable(XLSX_DAMAGED))?;
        if limited.count > declared {
            return Err(unreadable(
                "这个 Excel 文件（.xlsx）里记录的大小与实际内容不符，文件可能已损坏或被改动过",
            ));
        }
    }
    Ok(())
}

/// A reader that counts the bytes it gives.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The shared strings part: its declared `uniqueCount` (the library reserves that much)
/// and its `<si>` entries, both at most [`MAX_CELLS`].
fn count_shared_strings(part: &mut impl Read) -> Result<()> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut entries = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"sst" => {
                    for attr in e.attributes() {
                        let attr = attr.map_err(|_| unreadable(XLSX_DAMAGED))?;
                        if attr.key.as_ref() == b"uniqueCount" {
                            let n = std::str::from_utf8(&attr.value)
                                .ok()
                                .and_then(|v| v.parse::<u64>().ok())
                                .ok_or_else(|| unreadable(XLSX_DAMAGED))?;
                            if n > MAX_CELLS as u64 {
                                return Err(too_large());
                            }
                        }
                    }
                }
                b"si" => {
                    entries += 1;
                    if entries > MAX_CELLS {
                        return Err(too_large());
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(_) => return Err(unreadable(XLSX_DAMAGED)),
        }
    }
}

// ---- .xls -------------------------------------------------------------------------------

/// An .xls: its workbook stream taken out of the compound file, checked and made safe
/// (see [`biff_scan`]), put alone into a fresh compound file, and only that one read by
/// the spreadsheet library, which builds every sheet's grid as it opens a file.
fn read_xls(bytes: &[u8]) -> Result<Grid> {
    let clean = xls_checked(bytes)?;
    guarded(XLS_DAMAGED, || {
        let book = Xls::new(Cursor::new(clean.as_slice())).map_err(|_| unreadable(XLS_DAMAGED))?;
        first_sheet(book)
    })
}

fn xls_checked(bytes: &[u8]) -> Result<Vec<u8>> {
    let damaged = |_| unreadable(XLS_DAMAGED);
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    let mut stream = None;
    for name in ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"] {
        if let Ok(s) = file.open_stream(name) {
            let mut data = Vec::new();
            s.take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut data)
                .map_err(damaged)?;
            stream = Some(data);
            break;
        }
    }
    let mut stream = stream.ok_or_else(|| unreadable(XLS_DAMAGED))?;
    if stream.len() > MAX_FILE_BYTES {
        return Err(unreadable(XLS_DAMAGED));
    }
    biff_scan(&mut stream, true)?;
    // Made safe once; a second look must find nothing more to change (records that
    // overlap differently from different starting points would) and fit the limits.
    let scan = biff_scan(&mut stream, false)?;
    if scan.changes > 0 {
        return Err(unreadable(XLS_DAMAGED));
    }
    scan.check()?;
    // Version 3 (512-byte sectors): what Excel writes, and what the library reads.
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
        .map_err(damaged)?;
    {
        let mut s = out.create_stream("/Workbook").map_err(damaged)?;
        s.write_all(&stream).map_err(damaged)?;
    }
    out.flush().map_err(damaged)?;
    Ok(out.into_inner().into_inner())
}

/// What the library would build from a workbook stream, as upper bounds.
#[derive(Debug, Default)]
struct BiffScan {
    /// Records changed (or, looking only, that would be).
    changes: usize,
    /// Cells of every sheet, and the rectangles they span, summed over the sheets.
    cells: usize,
    area: u64,
    /// Bytes of text the cells would hold, at most.
    text: u64,
    continue_work: u64,
    /// Bytes of sheet records walked, over every sheet.
    walked: u64,
}

impl BiffScan {
    fn check(&self) -> Result<()> {
        if self.cells > MAX_CELLS || self.area > MAX_CELLS as u64 {
            return Err(too_large());
        }
        if self.text > MAX_TEXT_BYTES as u64 {
            return Err(text_too_long());
        }
        if self.continue_work > MAX_CONTINUE_WORK {
            return Err(unreadable(XLS_DAMAGED));
        }
        Ok(())
    }
}

/// One BIFF record: its type, the place of its data, and of the continuation records
/// that follow it (read as the library reads them).
struct Record {
    typ: u16,
    at: usize,
    data: std::ops::Range<usize>,
    more: Vec<std::ops::Range<usize>>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The records from `at` to the end (or the first that does not fit, an error).
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = Result<Record>> + '_ {
    const CONTINUE: u16 = 0x003C;
    std::iter::from_fn(move || {
        let rest = stream.len().checked_sub(at)?;
        if rest == 0 {
            return None;
        }
        let broken = || Some(Err(unreadable(XLS_DAMAGED)));
        let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) else {
            at = stream.len();
            return broken();
        };
        let len = usize::from(len);
        if rest < len + 4 {
            at = stream.len();
            return broken();
        }
        let start = at;
        let data = at + 4..at + 4 + len;
        at += len + 4;
        let mut more = Vec::new();
        while stream.len() - at > 4 && u16_at(stream, at) == Some(CONTINUE) {
            let len = usize::from(u16_at(stream, at + 2).unwrap_or(0));
            if stream.len() - at < len + 4 {
                at = stream.len();
                return broken();
            }
            more.push(at + 4..at + 4 + len);
            at += len + 4;
        }
        Some(Ok(Record {
            typ,
            at: start,
            data,
            more,
        }))
    })
}

/// Walks a workbook stream as the library does (the globals from the start, then each
/// sheet from the place its BoundSheet record gives), sums what it would build, and
/// makes two kinds of record harmless when `fix`: defined names (their formulas can
/// repeat long sheet names many times over) become an unknown record, and the formula
/// tokens of formula cells are zeroed (their values stay; we never read formulas).
fn biff_scan(stream: &mut [u8], fix: bool) -> Result<BiffScan> {
    let damaged = || unreadable(XLS_DAMAGED);
    let mut scan = BiffScan::default();
    let mut sheets = Vec::new();
    let mut strings: Vec<u64> = Vec::new();
    let mut renames = Vec::new();
    for record in records(stream, 0) {
        let r = record?;
        let k = r.more.len() as u64;
        scan.continue_work = scan.continue_work.saturating_add(k * k);
        let data = &stream[r.data.clone()];
        match r.typ {
            0x0085 => {
                let pos = u32_at(data, 0).ok_or_else(damaged)? as usize;
                if data.len() < 5 || pos > stream.len() {
                    return Err(damaged());
                }
                sheets.push(pos);
            }
            0x00FC => strings = shared_string_lengths(stream, &r)?,
            0x0018 => renames.push(r.at),
            0x000A => break,
            _ => {}
        }
    }
    let mut zeroes = Vec::new();
    for &pos in &sheets {
        let mut rows: Option<(u32, u32)> = None;
        let mut columns: Option<(u32, u32)> = None;
        let mut at_formula = (0u32, 0u32);
        let mut place = |(row, column): (u32, u32), scan: &mut BiffScan| {
            scan.cells += 1;
            for (span, at) in [(&mut rows, row), (&mut columns, column)] {
                *span = Some(span.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at))));
            }
        };
        for record in records(stream, pos) {
            let r = record?;
            // Every BoundSheet record is walked (and parsed by the library), even when
            // they all point at the same place: the bytes walked are bounded too.
            let end = r.more.last().map_or(r.data.end, |m| m.end);
            scan.walked += (end - r.at) as u64;
            if scan.walked > MAX_WALKED_BYTES {
                return Err(damaged());
            }
            let k = r.more.len() as u64;
            scan.continue_work = scan.continue_work.saturating_add(k * k);
            let data = &stream[r.data.clone()];
            let row_col = || -> Result<(u32, u32)> {
                Ok((
                    u32::from(u16_at(data, 0).ok_or_else(damaged)?),
                    u32::from(u16_at(data, 2).ok_or_else(damaged)?),
                ))
            };
            match r.typ {
                0x0200 => {
                    let (rf, rl, mut cf, cl) = match data.len() {
                        10 | 14 => {
                            let wide = data.len() == 14;
                            let n16 = |at| u32::from(u16_at(data, at).unwrap_or(0));
                            if wide {
                                (
                                    u32_at(data, 0).unwrap_or(0),
                                    u32_at(data, 4).unwrap_or(0),
                                    n16(8),
                                    n16(10),
                                )
                            } else {
                                (n16(0), n16(2), n16(4), n16(6))
                            }
                        }
                        _ => return Err(damaged()),
                    };
                    if cf > 0xFF || cl < cf {
                        cf = 0;
                    }
                    let (start, end) = if rl >= 1 && cl >= 1 {
                        ((rf, cf), (rl - 1, cl - 1))
                    } else {
                        ((rf, cf), (rf, cf))
                    };
                    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
                    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
                    if !fits(rows, cols) {
                        return Err(too_large());
                    }
                }
                0x0203 | 0x0205 | 0x027E => place(row_col()?, &mut scan),
                0x0204 => {
                    place(row_col()?, &mut scan);
                    scan.text += 3 * data.len() as u64;
                }
                0x00FD => {
                    place(row_col()?, &mut scan);
                    let i = u32_at(data, 6).ok_or_else(damaged)? as usize;
                    scan.text += 6 * strings.get(i).copied().unwrap_or(0);
                }
                0x0207 => {
                    place(at_formula, &mut scan);
                    scan.text += 3 * data.len() as u64;
                }
                0x00BD => {
                    let (row, first) = row_col()?;
                    let last = u32::from(u16_at(data, data.len().saturating_sub(2)).unwrap_or(0));
                    if data.len() < 6 || last < first {
                        return Err(damaged());
                    }
                    place((row, first), &mut scan);
                    place((row, last), &mut scan);
                    scan.cells += (last - first) as usize;
                }
                0x0006 => {
                    if data.len() < 20 {
                        return Err(damaged());
                    }
                    at_formula = row_col()?;
                    place(at_formula, &mut scan);
                    // The formula's own text ("Unrecognised formula for cell …").
                    scan.text += 128;
                    if data[20..].iter().any(|&b| b != 0) {
                        zeroes.push(r.data.start + 20..r.data.end);
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        if let (Some(rows), Some(columns)) = (rows, columns) {
            let (h, w) = (
                u64::from(rows.1 - rows.0) + 1,
                u64::from(columns.1 - columns.0) + 1,
            );
            if !fits(h, w) {
                return Err(too_large());
            }
            scan.area += h * w;
        }
        if scan.cells > MAX_CELLS || scan.area > MAX_CELLS as u64 {
            return Err(too_large());
        }
    }
    scan.changes = renames.len() + zeroes.len();
    if fix {
        for at in renames {
            stream[at..at + 2].copy_from_slice(&[0, 0]);
        }
        for range in zeroes {
            stream[range].fill(0);
        }
    }
    Ok(scan)
}

/// The length in characters of each string of the shared string table (SST), read
/// exactly as the library reads them across continuation records.
fn shared_string_lengths(stream: &[u8], r: &Record) -> Result<Vec<u64>> {
    let damaged = || unreadable(XLS_DAMAGED);
    let mut more = r.more.iter().map(|range| &stream[range.clone()]);
    let mut data = stream[r.data.clone()].get(8..).ok_or_else(damaged)?;
    let mut lengths = Vec::new();
    fn skip<'a>(
        data: &mut &'a [u8],
        more: &mut impl Iterator<Item = &'a [u8]>,
        mut n: usize,
    ) -> Result<()> {
        while n > 0 {
            if data.is_empty() {
                *data = more.next().ok_or_else(|| unreadable(XLS_DAMAGED))?;
            }
            let l = n.min(data.len());
            *data = &data[l..];
            n -= l;
        }
        Ok(())
    }
    loop {
        if data.is_empty() {
            match more.next() {
                Some(next) => data = next,
                None => break,
            }
        }
        if data.is_empty() {
            lengths.push(0);
            continue;
        }
        if data.len() < 3 {
            return Err(damaged());
        }
        let chars = u16_at(data, 0).ok_or_else(damaged)?;
        let flags = data[2];
        data = &data[3..];
        let mut wide = flags & 0x1 != 0;
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(data, 0).ok_or_else(damaged)?);
            data = &data[2..];
        }
        let mut extra = 0usize;
        if flags & 0x4 != 0 {
            extra = u32_at(data, 0).ok_or_else(damaged)? as i32 as usize;
            data = &data[4..];
        }
        let mut left = usize::from(chars);
        while left > 0 {
            let per = if wide { 2 } else { 1 };
            let l = (data.len() / per).min(left);
            data = &data[l * per..];
            left -= l;
            if left > 0 {
                let next = more.next().ok_or_else(damaged)?;
                let (&flag, rest) = next.split_first().ok_or_else(damaged)?;
                wide = flag & 0x1 != 0;
                data = rest;
            }
        }
        lengths.push(u64::from(chars));
        skip(&mut data, &mut more, runs * 4)?;
        skip(&mut data, &mut more, extra)?;
    }
    Ok(lengths)
}

/// The first worksheet that has any cell filled.
fn first_sheet<'a, R: Reader<Cursor<&'a [u8]>>>(mut book: R) -> Result<Grid> {
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let range = match book.worksheet_range_at(i) {
            Some(Ok(range)) => range,
            Some(Err(_)) => return Err(unreadable(format!("无法读取工作表“{name}”"))),
            None => break,
        };
        if range.get_size().0 > 0 && range.used_cells().next().is_some() {
            return grid_of(&range);
        }
    }
    Err(unreadable("文件里没有任何数据"))
}

fn grid_of(range: &Range<Data>) -> Result<Grid> {
    let (height, width) = range.get_size();
    if !fits(height as u64, width as u64) {
        return Err(too_large());
    }
    // A range starts at its first used cell; row numbers count from the sheet's top.
    let first = range.start().map(|(row, _)| row as usize).unwrap_or(0);
    let mut budget = TextBudget::default();
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let cells = cells
                .iter()
                .map(|c| {
                    let text = cell_text(c);
                    budget.take(&text).map(|()| text)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((first + i + 1, cells))
        })
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
/// blank lines included, so row numbers match what Excel shows. Rows, fields per row,
/// cells and characters per field are held to the limits as the text is read.
fn parse_delimited(text: &str) -> Result<Grid> {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let separator = [',', '\t', ';']
        .into_iter()
        .max_by_key(|s| (first_line.matches(*s).count(), *s == ','))
        .unwrap_or(',');
    let mut grid = Grid::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut field_chars = 0usize;
    let mut cells = 0usize;
    let mut quoted = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    let end_field = |record: &mut Vec<String>, field: &mut String, cells: &mut usize| {
        *cells += 1;
        if record.len() >= MAX_COLUMNS || *cells > MAX_CELLS {
            return Err(too_large());
        }
        record.push(std::mem::take(field).trim().to_string());
        Ok(())
    };
    let mut finish_record = |record: &mut Vec<String>, field: &mut String, cells: &mut usize| {
        end_field(record, field, cells)?;
        if grid.len() >= MAX_ROWS {
            return Err(too_large());
        }
        let number = grid.len() + 1;
        grid.push((number, std::mem::take(record)));
        Ok::<(), Error>(())
    };
    let push = |field: &mut String, field_chars: &mut usize, c: char| {
        *field_chars += 1;
        if *field_chars > MAX_CELL_CHARS {
            return Err(text_too_long());
        }
        field.push(c);
        Ok(())
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    push(&mut field, &mut field_chars, '"')?;
                } else {
                    quoted = false;
                }
            } else {
                push(&mut field, &mut field_chars, c)?;
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
                finish_record(&mut record, &mut field, &mut cells)?;
                field_chars = 0;
                at_field_start = true;
            }
            c if c == separator => {
                end_field(&mut record, &mut field, &mut cells)?;
                field_chars = 0;
                at_field_start = true;
            }
            c => {
                // Spaces before an opening quote do not make the field unquoted.
                if !(at_field_start && c == ' ') {
                    at_field_start = false;
                }
                push(&mut field, &mut field_chars, c)?;
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        finish_record(&mut record, &mut field, &mut cells)?;
    }
    Ok(grid)
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

// ---- writing ---------------------------------------------------------------------------

/// The number format of money cells: yuan with thousands separators and two decimals, as
/// the screens show money (the value stays a number Excel can add up).
pub const MONEY_FORMAT: &str = "¥#,##0.00";
/// The number format of date cells (the value is a real date).
pub const DATE_FORMAT: &str = "yyyy-mm-dd";
/// The longest sheet name Excel opens, in UTF-16 units.
pub const MAX_SHEET_NAME: usize = 31;

/// A sheet's name from a title: the characters an xlsx sheet name may not hold
/// (`[ ] : * ? / \`) become their full-width forms (`[]` → 【】, the others → ：＊？／＼),
/// so brackets stay brackets; an apostrophe may not start or end it; at most
/// [`MAX_SHEET_NAME`] UTF-16 units (a character outside the BMP counts two, as in Excel).
pub fn sheet_name(title: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in title.trim().chars() {
        let c = match c {
            '[' => '【',
            ']' => '】',
            ':' => '：',
            '*' => '＊',
            '?' => '？',
            '/' => '／',
            '\\' => '＼',
            c if c.is_control() => ' ',
            c => c,
        };
        if units + c.len_utf16() > MAX_SHEET_NAME {
            break;
        }
        units += c.len_utf16();
        out.push(c);
    }
    if out.starts_with('\'') {
        out.replace_range(..1, "’");
    }
    if out.ends_with('\'') {
        out.pop();
        out.push('’');
    }
    if out.trim().is_empty() {
        "Sheet1".into()
    } else {
        out
    }
}

/// An error of the xlsx writer, as the desk reports it.
pub fn write_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Storage(format!("无法生成 Excel 文件：{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_keep_brackets_in_their_full_width_forms() {
        assert_eq!(sheet_name("维修量（按型号）"), "维修量（按型号）");
        assert_eq!(
            sheet_name("备件[主仓]: a/b\\c*?"),
            "备件【主仓】： a／b＼c＊？"
        );
        assert_eq!(sheet_name("'引号'"), "’引号’");
        let long = "一".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
        // Outside the BMP a character is two UTF-16 units, as Excel counts.
        assert_eq!(sheet_name(&"𠮷".repeat(20)).chars().count(), 15);
        assert_eq!(sheet_name("  "), "Sheet1");
    }

    fn no_header(_: &str) -> bool {
        false
    }

    fn grid(text: &str) -> Vec<Vec<String>> {
        parse_delimited(text)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[test]
    fn csv_handles_quotes_line_breaks_and_blank_lines() {
        let text = "姓名,电话,备注\r\n\"王, 小明\",13812345678,\"说\"\"好\"\"的\n第二行\"\r\n\r\n李四,021-61234567,\n";
        let rows = parse_delimited(text).unwrap();
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
