//! Moving a desk onto PostgreSQL (issue 19): `aftersales --database-url … migrate-from
//! desk.db` copies a grown desk's whole history out of its SQLite file into an empty
//! PostgreSQL database at the same schema version.
//!
//! The target's catalogue drives the copy: every table of the schema, in the order its
//! foreign keys impose (a table after the tables it refers to), each row with its own id.
//! A table that refers to itself (a customer merged into a later one) has that key checked
//! at the end of the copy instead of at each row: the key is made `DEFERRABLE` for the
//! copy and put back as it was before the commit. Identity sequences are then moved past
//! the highest id copied (`setval`), so the next row gets the next id.
//!
//! Everything happens in one PostgreSQL transaction. Before it writes, it refuses a
//! target that holds any row (beyond the two the schema itself puts in: the main store
//! and the customer count at zero) and a source file at another schema version. After
//! the copy, and still inside the transaction, each table is read back on both sides in
//! key order and summed up the same way ([`Tally`]: the row count and a SHA-256 over every
//! value in a canonical text form); any difference rolls the whole copy back.
//!
//! The full-text tables are not copied (SQLite's FTS5 tables keep no readable rows): they
//! are rebuilt from the customers copied, with the same index form every write uses.
//! Append-only tables refuse UPDATE and DELETE, not INSERT: the copy only inserts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::types::{Value, ValueRef};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::platform::db::{Db, Engine};
use crate::platform::error::{Error, Result};
use crate::Desk;

/// The search index's tables: rebuilt from the customers, not copied (the pair lists
/// of PostgreSQL's migration 29 by the text tables' triggers as their rows go in).
const SEARCH_TABLES: [&str; 4] = [
    "customer_name_text",
    "customer_address_text",
    "customer_name_text_pair",
    "customer_address_text_pair",
];

/// Tables that are not the desk's data: the PostgreSQL schema's own version.
const NOT_DATA: [&str; 1] = ["aftersales_version"];

/// Rows the schema itself puts into a new database (table, the rows that are its own):
/// the main store and the count of customers at zero. A target holding only these is
/// empty; they are replaced by the source's.
const SEEDED: [(&str, &str); 2] = [("store", "code = 'MAIN'"), ("customer_count", "n = 0")];

/// Rows inserted per statement at most (fewer for wide tables: PostgreSQL takes at most
/// 65,535 values in one statement).
const BATCH_ROWS: usize = 500;

/// One table as copied: its rows and their checksum, equal on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub table: String,
    pub rows: u64,
    /// SHA-256 (hex) over the rows in key order, each value in its canonical form.
    pub checksum: String,
}

/// What a migration did.
#[derive(Debug, Serialize)]
pub struct Migrated {
    /// The schema version of both sides.
    pub version: usize,
    /// Every table copied, in the order copied.
    pub tables: Vec<Copied>,
    /// The search index's tables as rebuilt: (table, rows).
    pub rebuilt: Vec<(String, u64)>,
}

/// A table's row count and checksum, computed the same way whichever engine reads it.
///
/// The canonical form of a row: each value as a tag and its content — `N` for NULL, `I`
/// and the decimal digits of an integer, `R` and the shortest text that reads back as the
/// same real, `T` or `B` and the byte length, `:` and the bytes of a text or blob — and a
/// newline after the row. Lengths make the form unambiguous whatever the texts hold.
#[derive(Default)]
struct Tally {
    rows: u64,
    hash: Sha256,
}

impl Tally {
    fn add(&mut self, row: &[Value]) {
        for v in row {
            match ValueRef::from(v) {
                ValueRef::Null => self.hash.update(b"N"),
                ValueRef::Integer(i) => self.hash.update(format!("I{i}")),
                ValueRef::Real(f) => self.hash.update(format!("R{f:?}")),
                ValueRef::Text(t) => {
                    self.hash.update(format!("T{}:", t.len()));
                    self.hash.update(t);
                }
                ValueRef::Blob(b) => {
                    self.hash.update(format!("B{}:", b.len()));
                    self.hash.update(b);
                }
            }
        }
        self.hash.update(b"\n");
        self.rows += 1;
    }

    fn finish(self) -> (u64, String) {
        let digest = self.hash.finalize();
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.rows, hex)
    }
}

/// A table of the target's schema: its columns in order, the key it is read in, and the
/// identity column, if any.
struct Table {
    name: String,
    columns: Vec<String>,
    key: Vec<String>,
    identity: Option<String>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every row, every column, in key order: the same text on both engines (SQLite's
    /// BINARY order and PostgreSQL's "C" collation both compare bytes).
    fn select_all(&self) -> String {
        let order = if self.key.is_empty() {
            &self.columns
        } else {
            &self.key
        };
        let order = order.iter().map(|c| quoted(c)).collect::<Vec<_>>();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.column_list(),
            quoted(&self.name),
            order.join(", ")
        )
    }

    /// `INSERT … VALUES (…), (…)` for `rows` rows.
    fn insert(&self, rows: usize) -> String {
        let n = self.columns.len();
        let groups: Vec<String> = (0..rows)
            .map(|r| {
                let marks: Vec<String> = (1..=n).map(|c| format!("?{}", r * n + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES {}",
            quoted(&self.name),
            self.column_list(),
            groups.join(", ")
        )
    }
}

/// Copies the SQLite desk file `source` into `desk`, a desk on an empty PostgreSQL
/// database (see the module comment). Nothing is written unless every table matches.
pub fn from_sqlite(desk: &mut Desk, source: &Path) -> Result<Migrated> {
    if desk.engine() != Engine::Postgres {
        return Err(Error::invalid(
            "database_url",
            "迁移的目标必须是 PostgreSQL 数据库（用 --database-url 指定），不能是另一个数据文件",
        ));
    }
    let mut file = Db::sqlite(open_source(source)?);
    // One read transaction: a consistent view of the file even while a desk still writes.
    let src = file.read()?;
    let version = source_version(&src, source)?;

    let at = desk.stamp();
    let tx = desk.write()?;
    let tables = target_tables(&tx)?;
    refuse_rows(&tx, &tables)?;
    check_source_tables(&src, &tables, source)?;
    let copied_order = dependency_order(&tx, &tables)?;
    let self_keys = self_references(&tx)?;

    for (table, key) in &self_keys {
        tx.execute_batch(&format!(
            "ALTER TABLE {} ALTER CONSTRAINT {} DEFERRABLE INITIALLY DEFERRED",
            quoted(table),
            quoted(key)
        ))?;
    }
    for (table, own) in SEEDED {
        tx.execute(&format!("DELETE FROM {table} WHERE {own}"), [])?;
    }
    for name in &copied_order {
        copy_table(&src, &tx, &tables[name]).map_err(|e| {
            Error::Storage(format!(
                "复制表 {name} 时出错，已全部撤销，数据库未改动：{}",
                match e {
                    Error::Storage(m) => m,
                    other => other.to_string(),
                }
            ))
        })?;
    }
    // The self-references are checked here, then the keys are as the schema made them.
    tx.execute_batch("SET CONSTRAINTS ALL IMMEDIATE")?;
    for (table, key) in &self_keys {
        tx.execute_batch(&format!(
            "ALTER TABLE {} ALTER CONSTRAINT {} NOT DEFERRABLE INITIALLY IMMEDIATE",
            quoted(table),
            quoted(key)
        ))?;
    }
    for name in &copied_order {
        let t = &tables[name];
        if let Some(id) = &t.identity {
            tx.query_row(
                &format!(
                    // The table's name is parsed as SQL (quoted); the column's is taken
                    // literally (PostgreSQL's documentation of pg_get_serial_sequence).
                    "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), coalesce(max({2}), 0) + 1, false) FROM {0}",
                    quoted(&t.name),
                    id.replace('\'', "''"),
                    quoted(id)
                ),
                [],
                |r| r.get::<_, i64>(0),
            )?;
        }
    }
    let rebuilt = rebuild_search(&tx)?;

    let mut out = Vec::new();
    let mut wrong = Vec::new();
    for name in &copied_order {
        let t = &tables[name];
        let (rows, checksum) = tally(&src, t)?;
        let (their_rows, theirs) = tally(&tx, t)?;
        if (rows, &checksum) != (their_rows, &theirs) {
            wrong.push(format!(
                "{name}（数据文件 {rows} 行，数据库 {their_rows} 行{}）",
                if rows == their_rows {
                    "，内容不同"
                } else {
                    ""
                }
            ));
        }
        out.push(Copied {
            table: name.clone(),
            rows,
            checksum,
        });
    }
    let active: i64 = src.query_row(
        "SELECT count(*) FROM customer WHERE merged_into IS NULL",
        [],
        |r| r.get(0),
    )?;
    for (table, rows) in &rebuilt {
        if *rows != active as u64 {
            wrong.push(format!(
                "{table}（应有 {active} 位在用客户，重建了 {rows} 行）"
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(Error::Storage(format!(
            "迁移后核对不一致，已全部撤销，数据库未改动：{}",
            wrong.join("；")
        )));
    }
    // The stored files (the orders' photos) were files beside the SQLite desk; on
    // PostgreSQL their bytes are in their rows (platform/stored.rs).
    crate::platform::stored::fill_from_folder(&tx, source.parent().unwrap_or(Path::new(".")))?;
    let total: u64 = out.iter().map(|c| c.rows).sum();
    crate::people::audit::record(
        &tx,
        &at,
        "migrate",
        "database",
        0,
        &format!(
            "从数据文件 {} 迁移到 PostgreSQL：{} 张表 {} 行，逐表核对行数与校验和一致",
            source.display(),
            out.len(),
            total
        ),
    )?;
    tx.commit()?;
    Ok(Migrated {
        version,
        tables: out,
        rebuilt,
    })
}

/// The source file, opened read-only: the migration never changes it (not even its
/// schema: a file at another version is refused, not upgraded).
fn open_source(source: &Path) -> Result<rusqlite::Connection> {
    let bad = |why: String| Error::invalid("file", why);
    let shown = source.display();
    let meta = std::fs::metadata(source).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad(format!("找不到数据文件 {shown}")),
        _ => bad(format!("无法读取数据文件 {shown}：{e}")),
    })?;
    if meta.is_dir() {
        return Err(bad(format!(
            "{shown} 是文件夹，请指定数据文件（例如 desk.db）"
        )));
    }
    let mut head = [0u8; 16];
    let magic = std::fs::File::open(source)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"SQLite format 3\0";
    if !magic {
        return Err(bad(format!(
            "{shown} 不是售后服务台的数据文件（不是 SQLite 数据文件）"
        )));
    }
    let conn = rusqlite::Connection::open_with_flags(
        source,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(format!("无法打开数据文件 {shown}：{e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// The source's schema version, which must be this program's.
fn source_version(src: &Db, source: &Path) -> Result<usize> {
    let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let ours = crate::platform::db::MIGRATIONS.len() as i64;
    if version != ours {
        let what = if version > ours {
            "请先升级本程序".to_string()
        } else {
            format!("请先用本程序打开它一次（升级到第 {ours} 版）再迁移")
        };
        return Err(Error::invalid(
            "file",
            format!(
                "数据文件 {} 的数据版本是 {version}，本程序是 {ours}：{what}；数据库未改动",
                source.display()
            ),
        ));
    }
    Ok(version as usize)
}

/// The target's tables, by name, with their columns, keys and identity columns.
fn target_tables(tx: &Db) -> Result<BTreeMap<String, Table>> {
    let mut tables = BTreeMap::new();
    let names: Vec<String> = tx
        .prepare(
            "SELECT relname FROM pg_class
              WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'
              ORDER BY relname",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in names {
        if NOT_DATA.contains(&name.as_str()) {
            continue;
        }
        let columns: Vec<(String, bool)> = tx
            .prepare(
                "SELECT a.attname, a.attidentity <> '' FROM pg_attribute a
                   JOIN pg_class c ON c.oid = a.attrelid
                  WHERE c.relname = ?1 AND c.relnamespace = current_schema()::regnamespace
                    AND a.attnum > 0 AND NOT a.attisdropped
                  ORDER BY a.attnum",
            )?
            .query_map([&name], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))?
            .collect::<rusqlite::Result<_>>()?;
        let key: Vec<String> = tx
            .prepare(
                "SELECT a.attname FROM pg_index i
                   JOIN pg_class c ON c.oid = i.indrelid
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                  WHERE c.relname = ?1 AND c.relnamespace = current_schema()::regnamespace
                    AND i.indisprimary
                  ORDER BY array_position(CAST(i.indkey AS SMALLINT[]), a.attnum)",
            )?
            .query_map([&name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let identity = columns.iter().find(|c| c.1).map(|c| c.0.clone());
        tables.insert(
            name.clone(),
            Table {
                name,
                columns: columns.into_iter().map(|c| c.0).collect(),
                key,
                identity,
            },
        );
    }
    Ok(tables)
}

/// Refuses a target that holds a row of its own, naming the first such table.
fn refuse_rows(tx: &Db, tables: &BTreeMap<String, Table>) -> Result<()> {
    for name in tables.keys() {
        let own = SEEDED
            .iter()
            .find(|(t, _)| t == name)
            .map_or_else(String::new, |(_, own)| format!(" WHERE NOT ({own})"));
        let rows: i64 = tx.query_row(
            &format!("SELECT count(*) FROM {}{own}", quoted(name)),
            [],
            |r| r.get(0),
        )?;
        if rows > 0 {
            return Err(Error::invalid(
                "database_url",
                format!(
                    "目标数据库不是空的：表 {name} 已有 {rows} 行数据。迁移只能进入一个新建的空数据库，未做任何改动"
                ),
            ));
        }
    }
    Ok(())
}

/// The source must have every table to copy, with the same columns.
fn check_source_tables(src: &Db, tables: &BTreeMap<String, Table>, source: &Path) -> Result<()> {
    for t in tables.values() {
        if SEARCH_TABLES.contains(&t.name.as_str()) {
            continue;
        }
        let theirs: BTreeSet<String> = src
            .prepare("SELECT name FROM pragma_table_info(?1)")?
            .query_map([&t.name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let ours: BTreeSet<String> = t.columns.iter().cloned().collect();
        if theirs != ours {
            return Err(Error::invalid(
                "file",
                format!(
                    "数据文件 {} 的表 {} 与数据库的不一致（数据文件的列：{}；数据库的列：{}），数据库未改动",
                    source.display(),
                    t.name,
                    theirs.into_iter().collect::<Vec<_>>().join(", "),
                    t.columns.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The tables to copy, each after every table its foreign keys refer to (the search
/// tables left out); ties in name order, so the order is the same every time.
fn dependency_order(tx: &Db, tables: &BTreeMap<String, Table>) -> Result<Vec<String>> {
    let edges: Vec<(String, String)> = tx
        .prepare(
            "SELECT (SELECT relname FROM pg_class WHERE oid = conrelid),
                    (SELECT relname FROM pg_class WHERE oid = confrelid)
               FROM pg_constraint
              WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = tables
        .keys()
        .filter(|n| !SEARCH_TABLES.contains(&n.as_str()))
        .map(|n| (n.as_str(), BTreeSet::new()))
        .collect();
    for (from, to) in &edges {
        if from != to {
            if let Some(set) = needs.get_mut(from.as_str()) {
                set.insert(to.as_str());
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !needs.contains_key(d)))
            .map(|(n, _)| *n)
            .collect();
        if ready.is_empty() {
            let stuck: Vec<&str> = needs.keys().copied().collect();
            return Err(Error::Storage(format!(
                "数据库的外键成环，无法确定复制顺序：{}",
                stuck.join(", ")
            )));
        }
        for n in ready {
            needs.remove(n);
            order.push(n.to_string());
        }
    }
    Ok(order)
}

/// The foreign keys from a table to itself: (table, constraint).
fn self_references(tx: &Db) -> Result<Vec<(String, String)>> {
    Ok(tx
        .prepare(
            "SELECT (SELECT relname FROM pg_class WHERE oid = conrelid), conname
               FROM pg_constraint
              WHERE contype = 'f' AND conrelid = confrelid
                AND connamespace = current_schema()::regnamespace
              ORDER BY 1, 2",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// One table's rows from the source into the target, in key order, a batch of rows per
/// statement.
fn copy_table(src: &Db, tx: &Db, t: &Table) -> Result<()> {
    let width = t.columns.len();
    let per = (60_000 / width).clamp(1, BATCH_ROWS);
    let full = t.insert(per);
    let mut stmt = src.prepare(&t.select_all())?;
    let rows = stmt.query_map([], |r| row_values(r, width))?;
    let mut batch: Vec<Value> = Vec::with_capacity(per * width);
    for row in rows {
        batch.extend(row?);
        if batch.len() == per * width {
            tx.execute(&full, std::mem::take(&mut batch))?;
        }
    }
    if !batch.is_empty() {
        tx.execute(&t.insert(batch.len() / width), batch)?;
    }
    Ok(())
}

fn row_values(r: &crate::platform::db::Row<'_, '_>, width: usize) -> rusqlite::Result<Vec<Value>> {
    (0..width)
        .map(|i| {
            Ok(match r.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Integer(n),
                ValueRef::Real(f) => Value::Real(f),
                // PostgreSQL stores UTF-8 only: a text that is not is refused, not mended.
                ValueRef::Text(t) => Value::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| rusqlite::Error::Utf8Error(i, e))?
                        .to_string(),
                ),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            })
        })
        .collect()
}

/// A table's rows and checksum as `db` holds them.
fn tally(db: &Db, t: &Table) -> Result<(u64, String)> {
    let width = t.columns.len();
    let mut tally = Tally::default();
    let mut stmt = db.prepare(&t.select_all())?;
    for row in stmt.query_map([], |r| row_values(r, width))? {
        tally.add(&row?);
    }
    Ok(tally.finish())
}

/// Fills the search index's tables from the customers copied, as every write fills them:
/// each customer still in use (not merged away), its name and address in the index form.
fn rebuild_search(tx: &Db) -> Result<Vec<(String, u64)>> {
    let customers: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, name, address FROM customer WHERE merged_into IS NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (table, column, pick) in [
        (
            "customer_name_text",
            "name",
            (|c: &(i64, String, String)| c.1.clone()) as fn(&(i64, String, String)) -> String,
        ),
        ("customer_address_text", "address", |c| c.2.clone()),
    ] {
        for chunk in customers.chunks(BATCH_ROWS) {
            let marks: Vec<String> = (0..chunk.len())
                .map(|i| format!("(?{}, ?{})", 2 * i + 1, 2 * i + 2))
                .collect();
            let values: Vec<Value> = chunk
                .iter()
                .flat_map(|c| {
                    [
                        Value::Integer(c.0),
                        Value::Text(crate::platform::text::index_form(&pick(c))),
                    ]
                })
                .collect();
            tx.execute(
                &format!(
                    "INSERT INTO {table} (rowid, {column}) VALUES {}",
                    marks.join(", ")
                ),
                values,
            )?;
        }
        let rows: i64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        out.push((table.to_string(), rows as u64));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_tells_apart_rows_that_concatenate_alike() {
        let sum = |rows: &[&[Value]]| {
            let mut t = Tally::default();
            for r in rows {
                t.add(r);
            }
            t.finish()
        };
        let a = sum(&[&[Value::Text("ab".into()), Value::Text("c".into())]]);
        let b = sum(&[&[Value::Text("a".into()), Value::Text("bc".into())]]);
        assert_ne!(a, b);
        let null = sum(&[&[Value::Null]]);
        let empty = sum(&[&[Value::Text(String::new())]]);
        assert_ne!(null, empty);
        let int = sum(&[&[Value::Integer(1)]]);
        let text = sum(&[&[Value::Text("1".into())]]);
        assert_ne!(int, text);
        assert_eq!(a.0, 1);
    }
}
