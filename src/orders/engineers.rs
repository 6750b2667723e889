//! Service engineers (服务工程师): who can be dispatched, their phone and region. An
//! engineer's van store is the store of kind `van` whose engineer is this name.

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::{platform::text, Desk};

crate::ids! {
    /// An engineer's id.
    pub struct EngineerId;
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Engineer {
    pub id: EngineerId,
    pub name: String,
    pub phone: String,
    /// The phone as people read it (`139 0000 2222`).
    pub phone_display: String,
    /// Regions or districts served, separated by spaces or commas (matched against the
    /// customer's region and address).
    pub region: String,
    pub active: bool,
    /// The engineer's van store, if there is one.
    pub van_store_id: Option<crate::stock::parts::StoreId>,
}

const SELECT: &str = "SELECT e.id, e.name, e.phone, e.region, e.active,
        (SELECT s.id FROM store s WHERE s.kind = 'van' AND s.engineer = e.name ORDER BY s.id LIMIT 1)
    FROM engineer e";

fn row(r: &crate::platform::db::Row<'_, '_>) -> rusqlite::Result<Engineer> {
    let phone: String = r.get(2)?;
    Ok(Engineer {
        id: r.get(0)?,
        name: r.get(1)?,
        phone_display: if phone.is_empty() {
            String::new()
        } else {
            crate::platform::phone::Phone::from_stored(&phone).display()
        },
        phone,
        region: r.get(3)?,
        active: r.get::<_, i64>(4)? == 1,
        van_store_id: r.get(5)?,
    })
}

pub(crate) fn load(conn: &Db, id: EngineerId) -> Result<Option<Engineer>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE e.id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// Active engineers by name.
pub(crate) fn active(conn: &Db) -> Result<Vec<Engineer>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE e.active = 1 ORDER BY e.name"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Serialize)]
pub struct EngineerList {
    pub items: Vec<Engineer>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    /// Also those no longer active.
    pub all: bool,
}

/// 工程师列表.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<EngineerList> {
    let sql = if a.all {
        format!("{SELECT} ORDER BY e.active DESC, e.name")
    } else {
        format!("{SELECT} WHERE e.active = 1 ORDER BY e.name")
    };
    let mut stmt = desk.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map([], row)?;
    Ok(EngineerList {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    pub id: Option<EngineerId>,
    pub name: String,
    pub phone: String,
    pub region: String,
    pub active: bool,
}

impl Default for SaveArgs {
    fn default() -> Self {
        SaveArgs {
            id: None,
            name: String::new(),
            phone: String::new(),
            region: String::new(),
            active: true,
        }
    }
}

/// 保存工程师. Engineers are never deleted (orders name them); one who left is inactive.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Engineer> {
    let name = text::field("name", "工程师姓名", &a.name, 20, true)?;
    let phone = text::field("phone", "电话", &a.phone, 30, false)?;
    let phone = if phone.is_empty() {
        phone
    } else {
        crate::platform::phone::Phone::parse(&phone)
            .map_err(|m| Error::invalid("phone", format!("电话：{m}")))?
            .number()
    };
    let region = text::field("region", "服务区域", &a.region, 60, false)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let clash: Option<i64> = tx
        .query_row(
            "SELECT id FROM engineer WHERE name = ?1 AND id IS DISTINCT FROM ?2",
            params![name, a.id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(Error::invalid("name", format!("已有名为 {name} 的工程师")));
    }
    let id = match a.id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE engineer SET name = ?2, phone = ?3, region = ?4, active = ?5 WHERE id = ?1",
                params![id, name, phone, region, a.active as i64],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("工程师不存在（编号 {id}）")));
            }
            id
        }
        None => {
            tx.execute(
                "INSERT INTO engineer (name, phone, region, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, phone, region, a.active as i64, at],
            )?;
            EngineerId(tx.last_insert_rowid()?)
        }
    };
    crate::people::audit::record(
        &tx,
        &at,
        "saved",
        "engineer",
        id,
        &format!("工程师 {name} {region}"),
    )?;
    tx.commit()?;
    load(desk.conn(), id)?.ok_or_else(|| Error::NotFound(format!("工程师不存在（编号 {id}）")))
}
