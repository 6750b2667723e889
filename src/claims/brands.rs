//! The brands the centre repairs for under their warranty (厂家): which models each covers,
//! its rate card (the labour it pays per order kind and fault category) and the column
//! layout of its monthly claim workbook. Owns `brand`, `brand_model`, `brand_rate` and
//! `brand_column`.
//!
//! A model belongs to at most one brand (the primary key of `brand_model`): an order's
//! brand is its model's. The rate card's line for an order is the one of its kind and
//! fault category, else the one of its kind with no category (''): a brand pays 维修 by
//! fault, or one price for every 维修. Saving a brand replaces its models, rates and
//! columns in one transaction; claims already made keep the amounts they were made with.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::models::ModelId;
use crate::claims::words::ClaimField;
use crate::orders::words::OrderKind;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::Desk;

crate::ids! {
    /// A brand's id.
    pub struct BrandId;
}

/// The most a rate card pays for one order's labour: ¥100,000.
pub const MAX_LABOUR_FEN: i64 = 10_000_000;
const MAX_MODELS: usize = 500;
const MAX_RATES: usize = 100;
const MAX_COLUMNS: usize = 40;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rate {
    pub kind: OrderKind,
    /// '' = any fault category of this kind.
    #[serde(default)]
    pub fault_category: String,
    pub labour_fen: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Column {
    pub field: ClaimField,
    /// The brand's own header text; empty: the field's name.
    #[serde(default)]
    pub header: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BrandModel {
    pub id: ModelId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Brand {
    pub id: BrandId,
    pub name: String,
    /// A month's batch is due by this working day of the month after (第N个工作日).
    pub submit_workdays: i64,
    pub models: Vec<BrandModel>,
    pub rates: Vec<Rate>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Serialize)]
pub struct BrandList {
    pub items: Vec<Brand>,
    /// Every field a column may hold, with its name, for the layout editor.
    pub fields: Vec<FieldWord>,
}

#[derive(Debug, Serialize)]
pub struct FieldWord {
    pub field: ClaimField,
    pub label: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoArgs {}

/// 厂家列表, by name, with the fields a layout may use.
pub fn list(desk: &mut Desk, _: NoArgs) -> Result<BrandList> {
    let conn = desk.conn();
    let ids: Vec<BrandId> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM brand ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.extend(load(conn, id)?);
    }
    Ok(BrandList {
        items,
        fields: ClaimField::ALL
            .iter()
            .map(|&field| FieldWord {
                field,
                label: field.label(),
            })
            .collect(),
    })
}

pub(crate) fn load(conn: &Db, id: BrandId) -> Result<Option<Brand>> {
    let head: Option<(String, i64)> = conn
        .prepare_cached("SELECT name, submit_workdays FROM brand WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((name, submit_workdays)) = head else {
        return Ok(None);
    };
    let models = {
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.code, m.name FROM brand_model b JOIN product_model m ON m.id = b.model_id
             WHERE b.brand_id = ?1 ORDER BY m.code",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(BrandModel {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let rates = {
        let mut stmt = conn.prepare_cached(
            "SELECT kind, fault_category, labour_fen FROM brand_rate WHERE brand_id = ?1
             ORDER BY kind, fault_category",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Rate {
                kind: r.get(0)?,
                fault_category: r.get(1)?,
                labour_fen: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(Some(Brand {
        id,
        name,
        submit_workdays,
        models,
        rates,
        columns: columns(conn, id)?,
    }))
}

/// The brand's workbook layout: its own, else the default one with the fields' names.
pub(crate) fn columns(conn: &Db, id: BrandId) -> Result<Vec<Column>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, header FROM brand_column WHERE brand_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Column {
            field: r.get(0)?,
            header: r.get(1)?,
        })
    })?;
    let own = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    if !own.is_empty() {
        return Ok(own);
    }
    Ok(ClaimField::DEFAULT_LAYOUT
        .iter()
        .map(|&field| Column {
            field,
            header: field.label().to_string(),
        })
        .collect())
}

/// The brand of a model, if one covers it: (id, name).
pub(crate) fn of_model(conn: &Db, model: ModelId) -> Result<Option<(BrandId, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT b.id, b.name FROM brand_model m JOIN brand b ON b.id = m.brand_id WHERE m.model_id = ?1",
        )?
        .query_row([model], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The labour the brand pays for an order of `kind` and `fault_category`: the rate of the
/// kind and category, else the kind's rate for any category.
pub(crate) fn labour(
    conn: &Db,
    brand: BrandId,
    kind: OrderKind,
    fault_category: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT labour_fen FROM brand_rate WHERE brand_id = ?1 AND kind = ?2
               AND fault_category IN (?3, '')
             ORDER BY fault_category DESC LIMIT 1",
        )?
        .query_row(params![brand, kind, fault_category], |r| r.get(0))
        .optional()?)
}

fn default_workdays() -> i64 {
    5
}

#[derive(Debug, Deserialize)]
pub struct SaveArgs {
    #[serde(default)]
    pub id: Option<BrandId>,
    #[serde(default)]
    pub name: String,
    #[serde(default = "default_workdays")]
    pub submit_workdays: i64,
    #[serde(default)]
    pub models: Vec<ModelId>,
    #[serde(default)]
    pub rates: Vec<Rate>,
    /// Empty: the default layout.
    #[serde(default)]
    pub columns: Vec<Column>,
}

/// Everything a brand's form holds, checked before anything is written.
fn checked(a: &SaveArgs) -> Result<(String, Vec<Rate>, Vec<Column>)> {
    let name = text::field("name", "厂家名称", &a.name, 40, true)?;
    if !(1..=20).contains(&a.submit_workdays) {
        return Err(Error::invalid(
            "submit_workdays",
            "提交期限应在次月第1到第20个工作日之间",
        ));
    }
    if a.models.len() > MAX_MODELS {
        return Err(Error::invalid(
            "models",
            format!("一个厂家最多{MAX_MODELS}个型号"),
        ));
    }
    if a.rates.is_empty() {
        return Err(Error::invalid("rates", "费率表至少要有一行工时费"));
    }
    if a.rates.len() > MAX_RATES {
        return Err(Error::invalid("rates", format!("费率表最多{MAX_RATES}行")));
    }
    let mut rates: Vec<Rate> = Vec::with_capacity(a.rates.len());
    for (i, r) in a.rates.iter().enumerate() {
        let n = i + 1;
        let category = r.fault_category.trim().to_string();
        if text::char_len(&category) > 40 {
            return Err(Error::invalid(
                "rates",
                format!("费率表第{n}行的故障类别不能超过40个字"),
            ));
        }
        if !(0..=MAX_LABOUR_FEN).contains(&r.labour_fen) {
            return Err(Error::invalid(
                "rates",
                format!("费率表第{n}行的工时费应在 ¥0.00 到 ¥100,000.00 之间"),
            ));
        }
        if rates
            .iter()
            .any(|o| o.kind == r.kind && o.fault_category == category)
        {
            let what = if category.is_empty() {
                "所有故障".to_string()
            } else {
                category.clone()
            };
            return Err(Error::invalid(
                "rates",
                format!("费率表第{n}行重复：{}/{what}", r.kind.label()),
            ));
        }
        rates.push(Rate {
            kind: r.kind,
            fault_category: category,
            labour_fen: r.labour_fen,
        });
    }
    if a.columns.len() > MAX_COLUMNS {
        return Err(Error::invalid(
            "columns",
            format!("索赔表最多{MAX_COLUMNS}列"),
        ));
    }
    let mut columns: Vec<Column> = Vec::with_capacity(a.columns.len());
    for (i, c) in a.columns.iter().enumerate() {
        let n = i + 1;
        let header = c.header.trim();
        if text::char_len(header) > 40 {
            return Err(Error::invalid(
                "columns",
                format!("索赔表第{n}列的表头不能超过40个字"),
            ));
        }
        if columns.iter().any(|o| o.field == c.field) {
            return Err(Error::invalid(
                "columns",
                format!("索赔表第{n}列重复：{}", c.field.label()),
            ));
        }
        columns.push(Column {
            field: c.field,
            header: if header.is_empty() {
                c.field.label().to_string()
            } else {
                header.to_string()
            },
        });
    }
    Ok((name, rates, columns))
}

/// 保存厂家: a new brand (no id) or a change to one; its models, rates and columns are
/// replaced by those given, all at once.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Brand> {
    let (name, rates, columns) = checked(&a)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let same_name: Option<BrandId> = tx
        .query_row("SELECT id FROM brand WHERE name = ?1", [&name], |r| {
            r.get(0)
        })
        .optional()?;
    if same_name.is_some() && same_name != a.id {
        return Err(Error::invalid("name", format!("已有名为“{name}”的厂家")));
    }
    let id = match a.id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE brand SET name = ?2, submit_workdays = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, name, a.submit_workdays, at],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("没有这个厂家（编号 {id}）")));
            }
            tx.execute("DELETE FROM brand_model WHERE brand_id = ?1", [id])?;
            tx.execute("DELETE FROM brand_rate WHERE brand_id = ?1", [id])?;
            tx.execute("DELETE FROM brand_column WHERE brand_id = ?1", [id])?;
            id
        }
        None => tx.query_row(
            "INSERT INTO brand (name, submit_workdays, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             RETURNING id",
            params![name, a.submit_workdays, at],
            |r| r.get(0),
        )?,
    };
    for model in &a.models {
        let code: Option<String> = tx
            .query_row(
                "SELECT code FROM product_model WHERE id = ?1",
                [model],
                |r| r.get(0),
            )
            .optional()?;
        let Some(code) = code else {
            return Err(Error::invalid(
                "models",
                format!("型号不存在（编号 {model}）"),
            ));
        };
        if let Some((_, other)) = of_model(&tx, *model)? {
            return Err(Error::invalid(
                "models",
                format!("型号 {code} 已属于厂家“{other}”"),
            ));
        }
        tx.execute(
            "INSERT INTO brand_model (model_id, brand_id) VALUES (?1, ?2)",
            params![model, id],
        )?;
    }
    for r in &rates {
        tx.execute(
            "INSERT INTO brand_rate (brand_id, kind, fault_category, labour_fen) VALUES (?1, ?2, ?3, ?4)",
            params![id, r.kind, r.fault_category, r.labour_fen],
        )?;
    }
    for (i, c) in columns.iter().enumerate() {
        tx.execute(
            "INSERT INTO brand_column (brand_id, position, field, header) VALUES (?1, ?2, ?3, ?4)",
            params![id, i as i64, c.field, c.header],
        )?;
    }
    crate::people::audit::record(
        &tx,
        &at,
        "brand_saved",
        "brand",
        id,
        &format!(
            "厂家“{name}”：{}个型号，费率{}行，索赔表{}列",
            a.models.len(),
            rates.len(),
            if columns.is_empty() {
                "默认".to_string()
            } else {
                columns.len().to_string()
            }
        ),
    )?;
    tx.commit()?;
    load(desk.conn(), id)?.ok_or_else(|| Error::NotFound(format!("没有这个厂家（编号 {id}）")))
}
