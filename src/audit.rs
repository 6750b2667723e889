//! The audit trail (`audit_entry`): an append-only list of who did what to which record,
//! each with a sentence a manager can read. Triggers refuse UPDATE and DELETE, so not even
//! a bug in our own code can rewrite history. Machine histories, customer timelines and
//! the export log are read from here.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{Desk, DESK_USER};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub detail: String,
}

/// Appends one entry inside the caller's transaction, so it lands only with the change.
pub fn record(
    tx: &Transaction,
    action: &str,
    entity: &str,
    entity_id: i64,
    detail: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_entry (at, user, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![crate::now_utc(), DESK_USER, action, entity, entity_id, detail])?;
    Ok(())
}

/// Entries of one record, newest first.
pub(crate) fn of(conn: &Connection, entity: &str, entity_id: i64) -> Result<Vec<Entry>> {
    query(
        conn,
        "SELECT id, at, user, action, entity, entity_id, detail FROM audit_entry
         WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC",
        params![entity, entity_id],
    )
}

fn query(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| {
        Ok(Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            user: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    pub action: Option<String>,
    pub limit: u32,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            action: None,
            limit: 100,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ListPage {
    pub items: Vec<Entry>,
}

/// 审计记录: the newest entries, optionally of one action (e.g. every `export`).
pub fn list(desk: &mut Desk, args: ListArgs) -> Result<ListPage> {
    let limit = args.limit.clamp(1, 1000);
    let items = match &args.action {
        Some(action) => query(
            desk.conn(),
            "SELECT id, at, user, action, entity, entity_id, detail FROM audit_entry
             WHERE action = ?1 ORDER BY id DESC LIMIT ?2",
            params![action, limit],
        )?,
        None => query(
            desk.conn(),
            "SELECT id, at, user, action, entity, entity_id, detail FROM audit_entry ORDER BY id DESC LIMIT ?1",
            params![limit],
        )?,
    };
    Ok(ListPage { items })
}
