//! The model catalogue (型号) and each model's warranty policies: a whole-machine term and
//! optional per-component terms. Owns `product_model` and `warranty_policy`.

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::warranty::{Basis, Policy};
use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::platform::time::Stamp;
use crate::Desk;

crate::ids! {
    /// A product model's id.
    pub struct ModelId;
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Model {
    pub id: ModelId,
    pub code: String,
    pub name: String,
    pub category: String,
    /// Covered by 三包 (issue 21): its machines' warranty verdict carries `sanbao`.
    pub sanbao: bool,
    pub policies: Vec<Policy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    pub id: Option<ModelId>,
    pub code: String,
    pub name: String,
    pub category: String,
    /// Covered by 三包; absent: not covered.
    pub sanbao: bool,
    pub policies: Vec<Policy>,
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

#[derive(Debug, Serialize)]
pub struct ModelList {
    pub items: Vec<Model>,
}

/// 型号列表, by code.
pub fn list(desk: &mut Desk, _: NoArgs) -> Result<ModelList> {
    let conn = desk.conn();
    let ids: Vec<ModelId> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM product_model ORDER BY code")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.extend(load(conn, id)?);
    }
    Ok(ModelList { items })
}

pub(crate) fn load(conn: &Db, id: ModelId) -> Result<Option<Model>> {
    let model = conn
        .prepare_cached("SELECT id, code, name, category, sanbao FROM product_model WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Model {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                category: r.get(3)?,
                sanbao: r.get::<_, i64>(4)? == 1,
                policies: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut model) = model else {
        return Ok(None);
    };
    model.policies = policies(conn, id)?;
    Ok(Some(model))
}

/// The model's policies, whole machine first.
pub(crate) fn policies(conn: &Db, id: ModelId) -> Result<Vec<Policy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT component, months, basis FROM warranty_policy WHERE model_id = ?1 ORDER BY component <> '', component",
    )?;
    let rows = stmt.query_map([id], |r| {
        let basis: String = r.get(2)?;
        Ok(Policy {
            component: r.get(0)?,
            months: r.get(1)?,
            basis: if basis == "install" {
                Basis::Install
            } else {
                Basis::Purchase
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The id of the model with this code (as an import file names it).
pub fn id_by_code(conn: &Db, code: &str) -> Result<Option<ModelId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM product_model WHERE code = ?1")?
        .query_row([code.trim()], |r| r.get(0))
        .optional()?)
}

/// The policies of a model form, checked: months in range, no component twice, a
/// whole-machine term present.
pub(crate) fn check_policies(given: &[Policy]) -> Result<Vec<Policy>> {
    let mut policies: Vec<Policy> = Vec::new();
    for p in given {
        let component = p.component.trim().to_string();
        let label = if component.is_empty() {
            "整机".to_string()
        } else {
            component.clone()
        };
        if !(1..=240).contains(&p.months) {
            return Err(Error::invalid(
                "policies",
                format!("{label}的保修月数应在1到240之间"),
            ));
        }
        if policies.iter().any(|q| q.component == component) {
            return Err(Error::invalid(
                "policies",
                format!("{label}的保修政策重复了"),
            ));
        }
        policies.push(Policy {
            component,
            months: p.months,
            basis: p.basis,
        });
    }
    if !policies.iter().any(|p| p.component.is_empty()) {
        return Err(Error::invalid(
            "policies",
            "请填写整机保修政策（部件留空即为整机）",
        ));
    }
    Ok(policies)
}

/// Whether the model is covered by 三包.
pub(crate) fn sanbao(conn: &Db, id: ModelId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT sanbao FROM product_model WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, i64>(0))
        .optional()?
        == Some(1))
}

/// Adds a model that is not in the catalogue yet (its code checked free by the caller)
/// with its policies, inside the caller's transaction, and records it in the audit trail.
/// `models.save` and the import's new models both add models here.
pub(crate) fn insert(
    tx: &Db,
    (code, name, category): (&str, &str, &str),
    sanbao: bool,
    policies: &[Policy],
    at: &Stamp,
) -> Result<ModelId> {
    tx.prepare_cached(
        "INSERT INTO product_model (code, name, category, created_at, sanbao) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![code, name, category, at, i64::from(sanbao)])?;
    let id = ModelId(tx.last_insert_rowid()?);
    write_policies(tx, id, (policies, sanbao), at, code)?;
    Ok(id)
}

/// Writes the model's policies and the audit entry of the save (the terms, and 三包 when
/// the model is covered).
fn write_policies(
    tx: &Db,
    id: ModelId,
    (policies, sanbao): (&[Policy], bool),
    at: &Stamp,
    code: &str,
) -> Result<()> {
    for p in policies {
        let basis = match p.basis {
            Basis::Purchase => "purchase",
            Basis::Install => "install",
        };
        tx.prepare_cached(
            "INSERT INTO warranty_policy (model_id, component, months, basis) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, p.component, p.months, basis])?;
    }
    let terms: Vec<String> = policies
        .iter()
        .map(|p| {
            format!(
                "{} {}个月",
                if p.component.is_empty() {
                    "整机"
                } else {
                    &p.component
                },
                p.months
            )
        })
        .collect();
    crate::people::audit::record(
        tx,
        at,
        "saved",
        "model",
        id,
        &format!(
            "型号 {code}：{}{}",
            terms.join("，"),
            if sanbao { "；适用三包" } else { "" }
        ),
    )
}

/// 保存型号: creates, or replaces the fields and the whole policy list.
pub fn save(desk: &mut Desk, args: SaveArgs) -> Result<Model> {
    let code = text::field("code", "型号", &args.code, 40, true)?;
    let name = text::field("name", "型号名称", &args.name, 60, true)?;
    let category = args.category.trim().to_string();
    let policies = check_policies(&args.policies)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    if let Some(other) = tx
        .prepare_cached("SELECT id FROM product_model WHERE code = ?1 AND id IS DISTINCT FROM ?2")?
        .query_row(params![code, args.id], |r| r.get::<_, i64>(0))
        .optional()?
    {
        return Err(Error::invalid(
            "code",
            format!("型号 {code} 已存在（编号 {other}）"),
        ));
    }
    let id = match args.id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE product_model SET code = ?2, name = ?3, category = ?4, sanbao = ?5 WHERE id = ?1",
                params![id, code, name, category, i64::from(args.sanbao)],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("型号不存在（编号 {id}）")));
            }
            tx.execute("DELETE FROM warranty_policy WHERE model_id = ?1", [id])?;
            write_policies(&tx, id, (&policies, args.sanbao), &at, &code)?;
            id
        }
        None => insert(&tx, (&code, &name, &category), args.sanbao, &policies, &at)?,
    };
    tx.commit()?;
    load(desk.conn(), id)?.ok_or_else(|| Error::NotFound(format!("型号不存在（编号 {id}）")))
}
