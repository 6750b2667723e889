//! The audit trail (`audit_entry`): an append-only list of who did what to which record,
//! each with a sentence a manager can read. Triggers refuse UPDATE and DELETE, so not even
//! a bug in our own code can rewrite history. Machine histories, customer timelines and
//! the export log are read from here.

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::Result;
use crate::platform::time::{self, Stamp};
use crate::Desk;

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
/// `at` is the use case's now, from the desk.
pub fn record(
    tx: &Db,
    at: &Stamp,
    action: &str,
    entity: &str,
    entity_id: impl Into<i64>,
    detail: &str,
) -> Result<()> {
    let entity_id: i64 = entity_id.into();
    tx.prepare_cached(
        "INSERT INTO audit_entry (at, \"user\", action, entity, entity_id, detail) VALUES (?1, desk_user(), ?2, ?3, ?4, ?5)",
    )?
    .execute(params![at, action, entity, entity_id, detail])?;
    Ok(())
}

/// One row of `table` as (column, value as text), for [`changes`]. Empty when absent.
pub(crate) fn snapshot(
    conn: &Db,
    table: &str,
    id: impl Into<i64>,
) -> Result<Vec<(String, String)>> {
    let id: i64 = id.into();
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let names: Vec<String> = stmt.column_names();
    let values = stmt
        .query_row([id], |r| {
            (0..names.len())
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                        rusqlite::types::ValueRef::Blob(b) => format!("{} 字节", b.len()),
                    })
                })
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .optional()?
        .unwrap_or_default();
    Ok(names.into_iter().zip(values).collect())
}

/// "名称 旧 → 新；…" for the columns that changed between two snapshots, labelled by
/// `labels` (column, label); columns without a label (ids, timestamps) are left out.
pub(crate) fn changes(
    before: &[(String, String)],
    after: &[(String, String)],
    labels: &[(&str, &str)],
) -> String {
    let value = |row: &[(String, String)], col: &str| {
        row.iter()
            .find(|(c, _)| c == col)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let shown = |v: String| {
        if v.is_empty() {
            "（空）".to_string()
        } else {
            v
        }
    };
    labels
        .iter()
        .filter_map(|(col, label)| {
            let (old, new) = (value(before, col), value(after, col));
            (old != new).then(|| format!("{label} {} → {}", shown(old), shown(new)))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Entries of one record, newest first.
pub(crate) fn of(conn: &Db, entity: &str, entity_id: impl Into<i64>) -> Result<Vec<Entry>> {
    let entity_id: i64 = entity_id.into();
    query(
        conn,
        "SELECT id, at, \"user\", action, entity, entity_id, detail FROM audit_entry
         WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC",
        params![entity, entity_id],
    )
}

fn query(conn: &Db, sql: &str, p: impl crate::platform::db::Args) -> Result<Vec<Entry>> {
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
    /// One action, e.g. `export`, `opened`, `login`.
    pub action: Option<String>,
    /// One kind of record, e.g. `customer`, `user`, `work_order`.
    pub entity: Option<String>,
    /// Who (the name as recorded; part of it is enough).
    pub user: Option<String>,
    /// Words in the sentence of the entry.
    pub text: Option<String>,
    /// Local dates `YYYY-MM-DD`, both included.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: u32,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            action: None,
            entity: None,
            user: None,
            text: None,
            from: None,
            to: None,
            limit: 100,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ListPage {
    pub items: Vec<Entry>,
}

fn date(field: &'static str, text: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| crate::Error::invalid(field, "日期格式应为 2026-11-22"))
}

/// 审计记录: the newest entries matching every filter given (a manager's search).
pub fn list(desk: &mut Desk, args: ListArgs) -> Result<ListPage> {
    let limit = args.limit.clamp(1, 1000);
    let mut sql = String::from(
        "SELECT id, at, \"user\", action, entity, entity_id, detail FROM audit_entry WHERE 1 = 1",
    );
    let mut values: Vec<String> = Vec::new();
    let mut filter = |clause: &str, value: String| {
        values.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    if let Some(v) = given(&args.action) {
        filter(" AND action = ?", v.to_string());
    }
    if let Some(v) = given(&args.entity) {
        filter(" AND entity = ?", v.to_string());
    }
    if let Some(v) = given(&args.user) {
        filter(" AND instr(\"user\", ?) > 0", v.to_string());
    }
    if let Some(v) = given(&args.text) {
        filter(" AND instr(detail, ?) > 0", v.to_string());
    }
    // Entries are stamped in UTC; the manager thinks in local days.
    let stamp = |day: chrono::NaiveDate| time::stamp(time::midnight(day)).to_string();
    if let Some(v) = given(&args.from) {
        filter(" AND at >= ?", stamp(date("from", v)?));
    }
    if let Some(v) = given(&args.to) {
        let next = date("to", v)? + chrono::Duration::days(1);
        filter(" AND at < ?", stamp(next));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    let items = query(desk.conn(), &sql, values.as_slice())?;
    Ok(ListPage { items })
}
