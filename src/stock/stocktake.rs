//! Stocktake (盘点): freeze a store's expected quantities, take counts (a scanner sheet or
//! an imported one), see the variances, and post every adjustment in one transaction.
//! While a stocktake is open its store takes no other movements, so "expected" stays what
//! the shelf should hold. A count sheet is checked whole: every bad line is reported at
//! once and nothing of it is stored until all lines are good.

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::stock::ledger::{self, Post};
use crate::stock::parts::{self, PartId, StoreId};
use crate::stock::words::{MovementKind, StocktakeStatus};
use crate::Desk;

#[derive(Debug, Serialize)]
pub struct Line {
    pub part_id: PartId,
    pub code: String,
    pub name: String,
    pub barcode: Option<String>,
    pub bin: String,
    pub expected: i64,
    pub counted: Option<i64>,
    pub variance: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Stocktake {
    pub id: i64,
    pub store_id: StoreId,
    pub store_name: String,
    pub status: StocktakeStatus,
    pub started_at: String,
    pub posted_at: Option<String>,
    pub lines: Vec<Line>,
    pub counted: usize,
    pub variances: usize,
}

#[derive(Debug, Deserialize)]
pub struct StartArgs {
    pub store_id: StoreId,
}

#[derive(Debug, Deserialize)]
pub struct IdArgs {
    pub id: i64,
}

fn load(conn: &Db, id: i64) -> Result<Stocktake> {
    let head = conn
        .query_row(
            "SELECT t.store_id, s.name, t.status, t.started_at, t.posted_at FROM stocktake t JOIN store s ON s.id = t.store_id
             WHERE t.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("盘点单不存在（编号 {id}）")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.part_id, p.code, p.name, p.barcode, p.bin, l.expected, l.counted
         FROM stocktake_line l JOIN part p ON p.id = l.part_id WHERE l.stocktake_id = ?1 ORDER BY p.bin, p.code",
    )?;
    let rows = stmt.query_map([id], |r| {
        let expected: i64 = r.get(5)?;
        let counted: Option<i64> = r.get(6)?;
        Ok(Line {
            part_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            barcode: r.get(3)?,
            bin: r.get(4)?,
            expected,
            counted,
            variance: counted.map(|c| c - expected),
        })
    })?;
    let lines: Vec<Line> = rows.collect::<rusqlite::Result<_>>()?;
    let counted = lines.iter().filter(|l| l.counted.is_some()).count();
    let variances = lines
        .iter()
        .filter(|l| l.variance.is_some_and(|v| v != 0))
        .count();
    Ok(Stocktake {
        id,
        store_id: head.0,
        store_name: head.1,
        status: head.2,
        started_at: head.3,
        posted_at: head.4,
        lines,
        counted,
        variances,
    })
}

/// 开始盘点: freezes the store and lists what it should hold; when the store already has
/// an open stocktake (started at another desk, or before a restart), that one is resumed.
pub fn start(desk: &mut Desk, a: StartArgs) -> Result<Stocktake> {
    let store = parts::store(desk.conn(), a.store_id)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let open: Option<i64> = tx
        .query_row(
            &format!(
                "SELECT id FROM stocktake WHERE store_id = ?1 AND status = '{}'",
                StocktakeStatus::Open
            ),
            [store.id],
            |r| r.get(0),
        )
        .optional()?;
    // One open stocktake per store: starting again resumes it (from any desk).
    if let Some(open) = open {
        drop(tx);
        return load(desk.conn(), open);
    }
    tx.execute(
        "INSERT INTO stocktake (store_id, status, \"user\", started_at) VALUES (?1, ?2, desk_user(), ?3)",
        params![store.id, StocktakeStatus::Open, at],
    )?;
    let id = tx.last_insert_rowid()?;
    tx.execute(
        "INSERT INTO stocktake_line (stocktake_id, part_id, expected)
         SELECT ?1, part_id, quantity FROM stock_balance WHERE store_id = ?2 AND quantity > 0",
        params![id, store.id],
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "started",
        "stocktake",
        id,
        &format!("{} 开始盘点", store.name),
    )?;
    tx.commit()?;
    load(desk.conn(), id)
}

/// 盘点单.
pub fn get(desk: &mut Desk, a: IdArgs) -> Result<Stocktake> {
    load(desk.conn(), a.id)
}

#[derive(Debug, Deserialize)]
pub struct CountLine {
    pub part: String,
    pub counted: i64,
}

#[derive(Debug, Deserialize)]
pub struct CountArgs {
    pub id: i64,
    pub lines: Vec<CountLine>,
}

#[derive(Debug, Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct CountResult {
    pub stored: bool,
    pub errors: Vec<LineError>,
}

/// 录入盘点数: a whole sheet; all of it or, with every error listed, none of it.
pub fn count(desk: &mut Desk, a: CountArgs) -> Result<CountResult> {
    let lines = a
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l.part, Ok(l.counted)))
        .collect();
    store_counts(desk, a.id, lines)
}

#[derive(Debug, Deserialize)]
pub struct CountFileArgs {
    pub id: i64,
    pub file_name: String,
    pub content_base64: String,
}

/// Headers a count sheet may use for the part and for the counted quantity.
const PART_HEADERS: &[&str] = &[
    "备件编码",
    "编码",
    "条码",
    "备件条码",
    "料号",
    "代码",
    "code",
    "barcode",
];
const COUNT_HEADERS: &[&str] = &[
    "盘点数",
    "实盘数",
    "实盘数量",
    "盘点数量",
    "数量",
    "counted",
    "qty",
];

/// 导入盘点表: a count sheet from Excel or CSV (part code or barcode, counted quantity);
/// errors name the row as the spreadsheet shows it.
pub fn count_file(desk: &mut Desk, a: CountFileArgs) -> Result<CountResult> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a.content_base64.trim())
        .map_err(|_| Error::invalid("file", "文件内容无法读取（不是有效的 base64）"))?;
    // The first non-blank row is the header (no customer-name column to look for).
    let sheet = crate::platform::sheet::read(&a.file_name, &bytes, &|_| false)?;
    let find = |names: &[&str]| {
        sheet
            .headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(part), Some(counted)) = (find(PART_HEADERS), find(COUNT_HEADERS)) else {
        return Err(Error::invalid(
            "file",
            "盘点表需要“备件编码”（或“条码”）和“盘点数”两列",
        ));
    };
    let lines = sheet
        .rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .map(|r| {
            let text = r.cells.get(counted).cloned().unwrap_or_default();
            let n = text
                .trim()
                .trim_end_matches(".0")
                .parse::<i64>()
                .map_err(|_| text);
            (r.number, r.cells.get(part).cloned().unwrap_or_default(), n)
        })
        .collect();
    store_counts(desk, a.id, lines)
}

/// Checks every (line number, part, counted) and stores them all, or none with every error.
fn store_counts(
    desk: &mut Desk,
    id: i64,
    lines: Vec<(usize, String, Result<i64, String>)>,
) -> Result<CountResult> {
    let t = load(desk.conn(), id)?;
    if t.status != StocktakeStatus::Open {
        return Err(Error::invalid(
            "id",
            format!("盘点单 {id} 已过账，不能再录入"),
        ));
    }
    if lines.is_empty() {
        return Err(Error::invalid("lines", "没有要录入的盘点数"));
    }
    let mut errors = Vec::new();
    let mut good: Vec<(PartId, i64)> = Vec::new();
    for (n, key, counted) in &lines {
        let n = *n;
        let key = key.trim();
        match (parts::find(desk.conn(), key)?, counted) {
            (None, _) if key.is_empty() => errors.push(LineError {
                line: n,
                message: format!("第{n}行：没有备件编码或条码"),
            }),
            (None, _) => errors.push(LineError {
                line: n,
                message: format!("第{n}行：找不到备件“{key}”"),
            }),
            (Some(_), Err(text)) => errors.push(LineError {
                line: n,
                message: format!("第{n}行：盘点数不是整数（{text}）"),
            }),
            (Some(_), Ok(c)) if !(0..=1_000_000).contains(c) => errors.push(LineError {
                line: n,
                message: format!("第{n}行：数量应为0到1000000之间的整数（{c}）"),
            }),
            (Some((part_id, _)), Ok(c)) => good.push((part_id, *c)),
        }
    }
    if !errors.is_empty() {
        return Ok(CountResult {
            stored: false,
            errors,
        });
    }
    let tx = desk.write()?;
    for (part_id, counted) in good {
        let expected = ledger::balance(&tx, part_id, t.store_id)?.0;
        tx.prepare_cached(
            "INSERT INTO stocktake_line (stocktake_id, part_id, expected, counted) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (stocktake_id, part_id) DO UPDATE SET counted = excluded.counted",
        )?
        .execute(params![id, part_id, expected, counted])?;
    }
    tx.commit()?;
    Ok(CountResult {
        stored: true,
        errors: Vec::new(),
    })
}

/// 盘点过账: one adjustment per counted line that differs, in one transaction; the store
/// opens again.
pub fn post(desk: &mut Desk, a: IdArgs) -> Result<Stocktake> {
    let t = load(desk.conn(), a.id)?;
    if t.status != StocktakeStatus::Open {
        return Err(Error::invalid("id", format!("盘点单 {} 已过账", a.id)));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    let note = format!("盘点单 {}", a.id);
    let mut adjusted = 0;
    for line in &t.lines {
        let Some(variance) = line.variance.filter(|v| *v != 0) else {
            continue;
        };
        let bal = ledger::balance(&tx, line.part_id, t.store_id)?;
        let value = if variance > 0 {
            variance * ledger::in_unit_cost(&tx, line.part_id, bal)?
        } else {
            -ledger::out_value(bal, -variance)
        };
        ledger::post(
            &tx,
            &Post {
                kind: MovementKind::Adjustment,
                part_id: line.part_id,
                store_id: t.store_id,
                quantity: variance,
                value_fen: value,
                reference: &note,
                note: "",
                pair_id: None,
                reverses: None,
                stocktake_id: Some(a.id),
            },
            &at,
        )?;
        adjusted += 1;
    }
    tx.execute(
        "UPDATE stocktake SET status = ?3, posted_at = ?2 WHERE id = ?1",
        params![a.id, at, StocktakeStatus::Posted],
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "posted",
        "stocktake",
        a.id,
        &format!(
            "{} 盘点过账：清点 {} 项，调整 {adjusted} 项",
            t.store_name, t.counted
        ),
    )?;
    tx.commit()?;
    load(desk.conn(), a.id)
}
