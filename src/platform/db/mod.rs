//! Opening the database file and keeping its schema current.
//!
//! One file, WAL journal with `synchronous=FULL`, foreign keys on, a busy timeout so a
//! second door on the same file waits instead of failing, and reads through a memory map.
//!
//! `FULL` because a commit hands out slip and order numbers and records money: in WAL mode
//! it syncs the WAL at every commit, so a commit that returned survives a power cut
//! (`NORMAL` syncs only at checkpoints, and a cut may roll back the last commits). Proved
//! by tests/durability.rs; what it costs is in docs/PERFORMANCE.md ("durable commits").
//!
//! Migrations are append-only: entry `i` of [`MIGRATIONS`] takes the schema from
//! `user_version = i` to `i + 1`. They all run in one transaction right after open, so a
//! failing migration leaves the file exactly as it was. Never edit or remove an entry;
//! add a new one.
//!
//! One writer path: a use case that writes anything (a row, an audit entry, a preview
//! that writes then rolls back) opens its transaction with `Desk::write()`, which is
//! `BEGIN IMMEDIATE`: it takes the write lock at the start, so a second door on the same
//! file waits on the busy timeout for its turn. A deferred transaction that reads first
//! and writes later would instead fail at once with `SQLITE_BUSY` when its lock upgrade
//! meets another writer. Only a use case that never writes may open a deferred
//! transaction (for a consistent view of several reads). Nothing slow or external
//! (printing, files other than the database, the network) happens while one is open.

use std::path::Path;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, TransactionBehavior};

use crate::platform::error::{Error, Result};

mod migrations;
mod migrations_pg;
pub mod pg_tls;
pub mod postgres;
mod store;

pub use migrations::MIGRATIONS;
pub use migrations_pg::PG_MIGRATIONS;
pub use store::{
    Args, Both, Column, Db, DbError, DbResult, Engine, Optional, Row, Rows, Sql, Stmt, Tx,
};

/// Counters that number records per year without a gap (work orders, slips, complaints).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counter {
    Order,
    Slip,
    Complaint,
}

/// The next number of `year` on `counter`, taken in the caller's transaction: a rolled-back
/// transaction gives its number back, a committed one never gives it again.
pub(crate) fn next_in_year(tx: &Db, counter: Counter, year: i32) -> Result<i64> {
    let table = match counter {
        Counter::Order => "order_counter",
        Counter::Slip => "slip_counter",
        Counter::Complaint => "complaint_counter",
    };
    Ok(tx
        .prepare_cached(&format!(
            "INSERT INTO {table} (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
        ))?
        .query_row([year], |r| r.get(0))?)
}

/// Opens or creates the file and migrates it. A new file is created owner-only first
/// (`0600` on Unix; SQLite gives its `-wal` and `-shm` the same permissions), see
/// `platform::files`.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    // A `file:` URI names its own VFS (the power-cut tests): SQLite creates that file.
    if !path.to_string_lossy().starts_with("file:") {
        crate::platform::files::private_database(path)?;
    }
    let mut conn =
        Connection::open(path).map_err(|e| Error::Storage(format!("{e}（{}）", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Set after the journal mode: every commit syncs the WAL before it returns.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Reads through a memory map and a 64 MB page cache: a page of search results touches
    // ~200 B-tree pages scattered over the file, and one read() system call per page made
    // a customer file cost 70 µs at a million customers.
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    // One plan per statement text, whatever its bound values: without this, SQLite (built
    // with STAT4) re-prepares a cached statement at every run when it thinks a value might
    // change the plan (an ORDER BY on a key, `IN` lists): parsing and planning were ~40 %
    // of the caller's screen. We keep no statistics tables, so no value ever changes a plan.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // Migrations that fill the full-text index need our tokenising (see text.rs).
    conn.create_scalar_function(
        "aftersales_index_form",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::platform::text::index_form(&ctx.get::<String>(0)?)),
    )?;
    // The migration that re-reads stored phone numbers by today's rules (issue 17): the
    // new stored form (NULL when it no longer parses), and why not.
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("aftersales_phone_form", 1, pure, |ctx| {
        Ok(crate::platform::phone::stored_form(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("aftersales_phone_problem", 1, pure, |ctx| {
        Ok(crate::platform::phone::problem(&ctx.get::<String>(0)?))
    })?;
    migrate(&mut conn, MIGRATIONS)?;
    Ok(conn)
}

/// Runs the migrations the file has not seen yet, all in one transaction.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if version > migrations.len() {
        return Err(Error::Storage(format!(
            "数据文件版本（{version}）比本程序新（{}），请升级程序",
            migrations.len()
        )));
    }
    for (i, sql) in migrations.iter().enumerate().skip(version) {
        tx.execute_batch(sql)
            .map_err(|e| Error::Storage(format!("升级数据文件到第{}版失败：{e}", i + 1)))?;
    }
    if version < migrations.len() {
        tx.pragma_update(None, "user_version", migrations.len() as i64)?;
    }
    tx.commit()?;
    Ok(())
}

/// The schema as SQLite stores it, one statement per line, sorted: for snapshot tests.
pub fn schema(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = String::new();
    for row in rows {
        out.push_str(&row?);
        out.push_str(";\n");
    }
    Ok(out)
}

/// Key of the advisory lock the doors of one PostgreSQL database take to migrate it, so
/// two starting at once migrate it once.
const PG_MIGRATE_LOCK: i64 = 0x6166_7465_7273_0001;

/// Connects to a PostgreSQL database and brings its schema up to date: the same version
/// numbers as SQLite's list, kept in `aftersales_version`, every pending migration in one
/// transaction under an advisory lock (PostgreSQL's DDL is transactional, so a failing
/// migration leaves the database as it was).
pub fn open_postgres(url: &str) -> Result<Db> {
    let pg = postgres::Pg::connect(url)?;
    let db = Db::postgres(pg);
    migrate_postgres(&db, PG_MIGRATIONS)?;
    Ok(db)
}

/// Runs the PostgreSQL migrations `db` has not seen yet.
pub fn migrate_postgres(db: &Db, migrations: &[&str]) -> Result<()> {
    let pg = db
        .pg()
        .ok_or_else(|| Error::Storage("不是 PostgreSQL 数据库".into()))?;
    pg.begin(true)?;
    let done = (|| -> Result<()> {
        db.execute("SELECT pg_advisory_xact_lock(?1)", [PG_MIGRATE_LOCK])?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS aftersales_version (version BIGINT NOT NULL);
             INSERT INTO aftersales_version (version)
               SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM aftersales_version);",
        )?;
        let version: i64 =
            db.query_row("SELECT version FROM aftersales_version", [], |r| r.get(0))?;
        let version = version as usize;
        if version > migrations.len() {
            return Err(Error::Storage(format!(
                "数据库版本（{version}）比本程序新（{}），请升级程序",
                migrations.len()
            )));
        }
        for (i, sql) in migrations.iter().enumerate().skip(version) {
            if !sql.trim().is_empty() {
                db.execute_batch(*sql)
                    .map_err(|e| Error::Storage(format!("升级数据库到第{}版失败：{e}", i + 1)))?;
            }
        }
        db.execute(
            "UPDATE aftersales_version SET version = ?1",
            [migrations.len() as i64],
        )?;
        Ok(())
    })();
    match done {
        Ok(()) => Ok(pg.end("COMMIT")?),
        Err(e) => {
            let _ = pg.end("ROLLBACK");
            Err(e)
        }
    }
}

/// The schema as PostgreSQL describes it (tables and columns, indexes, constraints,
/// triggers), one line each, sorted: for snapshot tests.
pub fn schema_postgres(db: &Db) -> Result<String> {
    let mut stmt = db.prepare(
        "SELECT line FROM (
           SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
                  || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
                  || coalesce(' default ' || column_default, '') AS line
             FROM information_schema.columns WHERE table_schema = current_schema()
           UNION ALL
           SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
           UNION ALL
           SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
                  || pg_get_constraintdef(oid)
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
           UNION ALL
           SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger
            WHERE NOT tgisinternal
              AND tgrelid IN (SELECT oid FROM pg_class
                              WHERE relnamespace = current_schema()::regnamespace)
         ) AS s ORDER BY line",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = String::new();
    for row in rows {
        out.push_str(&row?);
        out.push('\n');
    }
    Ok(out)
}

impl crate::Desk {
    /// The schema of this desk's store (see [`schema`] and [`schema_postgres`]).
    pub fn schema(&self) -> Result<String> {
        match self.conn().sqlite_conn() {
            Some(c) => schema(c),
            None => schema_postgres(self.conn()),
        }
    }
}
