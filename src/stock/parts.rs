//! The spare-parts catalogue (备件) and the stores that hold them: the main store and a
//! van store per engineer. Owns `part` and `store`; stock itself lives in [`crate::stock::ledger`].

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::Desk;

crate::ids! {
    /// A spare part's id.
    pub struct PartId;
    /// A store's id (the main store, a van).
    pub struct StoreId;
}

/// The largest price or cost a form accepts: 1亿元, in fen.
pub(crate) const MAX_MONEY_FEN: i64 = 10_000_000_000;

/// The part's columns as the audit trail names them (before → after on every edit).
const PART_LABELS: &[(&str, &str)] = &[
    ("code", "编码"),
    ("name", "名称"),
    ("spec", "规格"),
    ("unit", "单位"),
    ("models", "适用机型"),
    ("cost_fen", "成本（分）"),
    ("price_fen", "售价（分）"),
    ("barcode", "条码"),
    ("bin", "库位"),
    ("min_stock", "最低库存"),
];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Store {
    pub id: StoreId,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub engineer: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StoreArgs {
    pub id: Option<StoreId>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub engineer: String,
}

#[derive(Debug, Serialize)]
pub struct StoreList {
    pub items: Vec<Store>,
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// 仓库列表: the main store first, then vans by code.
pub fn stores(desk: &mut Desk, _: NoArgs) -> Result<StoreList> {
    let mut stmt = desk.conn().prepare_cached(
        "SELECT id, code, name, kind, engineer FROM store ORDER BY kind <> 'main', code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Store {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            engineer: r.get(4)?,
        })
    })?;
    Ok(StoreList {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

pub(crate) fn store(conn: &Db, id: StoreId) -> Result<Store> {
    conn.prepare_cached("SELECT id, code, name, kind, engineer FROM store WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Store {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                kind: r.get(3)?,
                engineer: r.get(4)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::invalid("store_id", format!("仓库不存在（编号 {id}）")))
}

/// 保存仓库.
pub fn save_store(desk: &mut Desk, args: StoreArgs) -> Result<Store> {
    let code = text::field("code", "仓库编码", &args.code, 20, true)?.to_uppercase();
    let name = text::field("name", "仓库名称", &args.name, 40, true)?;
    let kind = match args.kind.as_str() {
        "main" | "" => "main",
        "van" => "van",
        _ => {
            return Err(Error::invalid(
                "kind",
                "仓库类型只能是“主仓库”或“工程师车载库”",
            ))
        }
    };
    let engineer = text::field("engineer", "工程师", &args.engineer, 20, kind == "van")?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let clash: Option<i64> = tx
        .query_row(
            "SELECT id FROM store WHERE code = ?1 AND id IS DISTINCT FROM ?2",
            params![code, args.id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(Error::invalid("code", format!("仓库编码 {code} 已存在")));
    }
    let id = match args.id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE store SET code = ?2, name = ?3, kind = ?4, engineer = ?5 WHERE id = ?1",
                params![id, code, name, kind, engineer],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("仓库不存在（编号 {id}）")));
            }
            id
        }
        None => {
            tx.execute(
                "INSERT INTO store (code, name, kind, engineer, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![code, name, kind, engineer, at],
            )?;
            StoreId(tx.last_insert_rowid()?)
        }
    };
    crate::people::audit::record(
        &tx,
        &at,
        "saved",
        "store",
        id,
        &format!("仓库 {code} {name}"),
    )?;
    tx.commit()?;
    store(desk.conn(), id)
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoreStock {
    pub store_id: StoreId,
    pub store_name: String,
    pub on_hand: i64,
    pub value_fen: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Part {
    pub id: PartId,
    pub code: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub models: Vec<String>,
    pub cost_fen: i64,
    pub price_fen: i64,
    pub barcode: Option<String>,
    pub bin: String,
    pub min_stock: i64,
    pub on_hand: i64,
    pub value_fen: i64,
    pub stock: Vec<StoreStock>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PartArgs {
    pub id: Option<PartId>,
    pub code: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub models: Vec<String>,
    pub cost_fen: i64,
    pub price_fen: i64,
    pub barcode: Option<String>,
    pub bin: String,
    pub min_stock: i64,
}

#[derive(Debug, Deserialize)]
pub struct GetArgs {
    pub id: PartId,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    pub query: String,
    pub page: u32,
    pub page_size: u32,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            query: String::new(),
            page: 1,
            page_size: 50,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PartPage {
    pub items: Vec<Part>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// 保存备件.
pub fn save(desk: &mut Desk, args: PartArgs) -> Result<Part> {
    let code = text::field("code", "备件编码", &args.code, 40, true)?.to_uppercase();
    let name = text::field("name", "备件名称", &args.name, 60, true)?;
    let spec = text::field("spec", "规格", &args.spec, 100, false)?;
    let unit = match text::field("unit", "单位", &args.unit, 6, false)? {
        u if u.is_empty() => "个".to_string(),
        u => u,
    };
    let models: Vec<String> = args
        .models
        .iter()
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    for (field, label, v) in [
        ("cost_fen", "成本价", args.cost_fen),
        ("price_fen", "销售价", args.price_fen),
    ] {
        if !(0..=MAX_MONEY_FEN).contains(&v) {
            return Err(Error::invalid(field, format!("{label}应在0到1亿元之间")));
        }
    }
    if !(0..=1_000_000).contains(&args.min_stock) {
        return Err(Error::invalid("min_stock", "最低库存应在0到1000000之间"));
    }
    let barcode = args
        .barcode
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_string);
    let bin = text::field("bin", "库位", &args.bin, 20, false)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    if let Some(other) = tx
        .query_row(
            "SELECT name FROM part WHERE code = ?1 AND id IS DISTINCT FROM ?2",
            params![code, args.id],
            |r| r.get::<_, String>(0),
        )
        .optional()?
    {
        return Err(Error::invalid(
            "code",
            format!("备件编码 {code} 已用于“{other}”"),
        ));
    }
    if let Some(b) = &barcode {
        if let Some(other) = tx
            .query_row(
                "SELECT code FROM part WHERE barcode = ?1 AND id IS DISTINCT FROM ?2",
                params![b, args.id],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        {
            return Err(Error::invalid(
                "barcode",
                format!("条码 {b} 已用于备件 {other}"),
            ));
        }
    }
    let models_text = models.join(",");
    let before = match args.id {
        Some(id) => crate::people::audit::snapshot(&tx, "part", id)?,
        None => Vec::new(),
    };
    let id = match args.id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE part SET code = ?2, name = ?3, spec = ?4, unit = ?5, models = ?6, cost_fen = ?7, price_fen = ?8,
                        barcode = ?9, bin = ?10, min_stock = ?11, updated_at = ?12 WHERE id = ?1",
                params![id, code, name, spec, unit, models_text, args.cost_fen, args.price_fen, barcode, bin, args.min_stock, at],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("备件不存在（编号 {id}）")));
            }
            id
        }
        None => {
            tx.execute(
                "INSERT INTO part (code, name, spec, unit, models, cost_fen, price_fen, barcode, bin, min_stock, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                params![code, name, spec, unit, models_text, args.cost_fen, args.price_fen, barcode, bin, args.min_stock, at],
            )?;
            PartId(tx.last_insert_rowid()?)
        }
    };
    let detail = if before.is_empty() {
        format!("新建备件 {code} {name}")
    } else {
        let after = crate::people::audit::snapshot(&tx, "part", id)?;
        let changed = crate::people::audit::changes(&before, &after, PART_LABELS);
        format!(
            "备件 {code} {name}：{}",
            if changed.is_empty() {
                "未改动"
            } else {
                &changed
            }
        )
    };
    crate::people::audit::record(&tx, &at, "saved", "part", id, &detail)?;
    tx.commit()?;
    load(desk.conn(), id)?.ok_or_else(|| Error::NotFound(format!("备件不存在（编号 {id}）")))
}

pub(crate) fn load(conn: &Db, id: PartId) -> Result<Option<Part>> {
    let part = conn
        .prepare_cached(
            "SELECT id, code, name, spec, unit, models, cost_fen, price_fen, barcode, bin, min_stock FROM part WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let models: String = r.get(5)?;
            Ok(Part {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                spec: r.get(3)?,
                unit: r.get(4)?,
                models: models.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect(),
                cost_fen: r.get(6)?,
                price_fen: r.get(7)?,
                barcode: r.get(8)?,
                bin: r.get(9)?,
                min_stock: r.get(10)?,
                on_hand: 0,
                value_fen: 0,
                stock: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut part) = part else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT b.store_id, s.name, b.quantity, b.value_fen FROM stock_balance b JOIN store s ON s.id = b.store_id
         WHERE b.part_id = ?1 ORDER BY s.kind <> 'main', s.code",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(StoreStock {
            store_id: r.get(0)?,
            store_name: r.get(1)?,
            on_hand: r.get(2)?,
            value_fen: r.get(3)?,
        })
    })?;
    for row in rows {
        let s = row?;
        part.on_hand += s.on_hand;
        part.value_fen += s.value_fen;
        part.stock.push(s);
    }
    Ok(Some(part))
}

/// 备件档案.
pub fn get(desk: &mut Desk, args: GetArgs) -> Result<Part> {
    load(desk.conn(), args.id)?
        .ok_or_else(|| Error::NotFound(format!("备件不存在（编号 {}）", args.id)))
}

/// 备件列表: by code; the query matches code, barcode, name or spec.
pub fn list(desk: &mut Desk, args: ListArgs) -> Result<PartPage> {
    if args.page_size == 0 || args.page_size > 200 {
        return Err(Error::invalid("page_size", "每页条数应在1到200之间"));
    }
    let page = args.page.max(1);
    let like = format!("%{}%", args.query.trim().replace(['%', '_'], "")).to_lowercase();
    let conn = desk.conn();
    const WHERE: &str = "WHERE lower(code) LIKE ?1 OR lower(name) LIKE ?1 OR lower(spec) LIKE ?1 OR lower(barcode) LIKE ?1";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM part {WHERE}"),
        [&like],
        |r| r.get(0),
    )?;
    let ids: Vec<PartId> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT id FROM part {WHERE} ORDER BY code LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = stmt.query_map(
            params![
                like,
                args.page_size,
                i64::from(page - 1) * i64::from(args.page_size)
            ],
            |r| r.get(0),
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.extend(load(conn, id)?);
    }
    Ok(PartPage {
        items,
        total,
        page,
        page_size: args.page_size,
    })
}

/// The part with this code or barcode (as a scanner types it).
pub(crate) fn find(conn: &Db, code_or_barcode: &str) -> Result<Option<(PartId, String)>> {
    let key = code_or_barcode.trim();
    Ok(conn
        .prepare_cached("SELECT id, code FROM part WHERE code = upper(?1) OR barcode = ?1 LIMIT 1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
