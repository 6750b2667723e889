//! The PostgreSQL schema (`src/platform/db/pg_schema.sql`, issue 19) held against SQLite's.
//!
//! Each test runs the script in a fresh database of a real PostgreSQL server and reads a
//! freshly migrated desk file beside it: the two catalogues compared table by table and
//! column by column (SQLite's pragmas against `information_schema` and `pg_catalog`), then
//! what the triggers and the carried-over index keys do, on both engines side by side, and
//! a snapshot of PostgreSQL's own description of the schema (`tests/fixtures/schema_pg.sql`,
//! rewritten with `UPDATE_SNAPSHOTS=1`).
//!
//! The server comes from `AFTERSALES_TEST_PG`, a URL the tests may create databases
//! through (`cargo xtask test` starts a throw-away cluster and sets it). Without it these
//! tests print that they did not run and pass; with `AFTERSALES_REQUIRE_PG=1` (xtask sets
//! it) a missing URL fails them, and a URL no server answers always does.

use std::collections::{BTreeMap, BTreeSet};

use postgres::error::SqlState;
use postgres::NoTls;
use rusqlite::Connection;

/// Version 18's whole schema: the tables, then the search's (which later migrations
/// build on).
const SCRIPT: &str = concat!(
    include_str!("../../src/platform/db/pg_schema.sql"),
    include_str!("../../src/platform/db/pg_search.sql")
);

/// A database of its own on the test server, dropped afterwards.
struct PgDb {
    client: Option<postgres::Client>,
    url: String,
    name: String,
}

impl PgDb {
    fn client(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("connected until dropped")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // Our own connection first, so that nothing but leftovers needs forcing out.
        drop(self.client.take());
        if let Ok(mut admin) = postgres::Client::connect(&self.url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A fresh database named after the test with the script run in it (one transaction, as
/// a migration runs), or None when no server was given and none is required.
fn schema_on_pg(test: &str) -> Option<PgDb> {
    let url = match std::env::var("AFTERSALES_TEST_PG") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("AFTERSALES_REQUIRE_PG").as_deref() != Ok("1"),
                "AFTERSALES_REQUIRE_PG=1 but AFTERSALES_TEST_PG is not set"
            );
            eprintln!("platform::pg_schema::{test}: did not run (AFTERSALES_TEST_PG is not set)");
            return None;
        }
    };
    let mut admin = postgres::Client::connect(&url, NoTls)
        .unwrap_or_else(|e| panic!("no PostgreSQL answers at {url}: {e}"));
    let name = format!("pg_schema_{test}_{}", std::process::id());
    // Two statements: CREATE DATABASE refuses to run in the implicit transaction of a
    // multi-statement query.
    for statement in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .batch_execute(&statement)
            .unwrap_or_else(|e| panic!("{statement}: {}", why(&e)));
    }
    let mut config: postgres::Config = url.parse().expect("AFTERSALES_TEST_PG is a URL");
    config.dbname(&name);
    let client = config
        .connect(NoTls)
        .unwrap_or_else(|e| panic!("connect to {name}: {}", why(&e)));
    let mut db = PgDb {
        client: Some(client),
        url,
        name,
    };
    let mut tx = db.client().transaction().unwrap();
    tx.batch_execute(SCRIPT)
        .unwrap_or_else(|e| panic!("pg_schema.sql on an empty database: {}", why(&e)));
    // The migrations written for both engines after the whole schema of version 18 (from
    // issue 19 on), as every desk's database gets them: SQLite's side is migrated to the
    // last version too.
    for (i, later) in aftersales::platform::db::PG_MIGRATIONS
        .iter()
        .enumerate()
        .skip(18)
    {
        tx.batch_execute(later)
            .unwrap_or_else(|e| panic!("PostgreSQL migration {}: {}", i + 1, why(&e)));
    }
    tx.commit().unwrap();
    Some(db)
}

/// The server's own words for an error (the client's Display says only "db error").
fn why(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// A freshly migrated desk file and a plain connection to it (foreign keys on, as the
/// desk opens it); the folder lives as long as the pair.
fn migrated_sqlite() -> (crate::util::TestDesk, Connection) {
    let t = crate::util::desk();
    let conn = Connection::open(t.desk.path()).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    (t, conn)
}

// ---------------------------------------------------------------------------------------
// The two catalogues in one shape

#[derive(Debug, PartialEq)]
struct Column {
    name: String,
    /// `integer`, `text`, `real`, `blob`; on PostgreSQL only BIGINT, TEXT COLLATE "C",
    /// DOUBLE PRECISION and BYTEA earn those words, anything else is shown as it is.
    class: String,
    not_null: bool,
    default: Option<String>,
    /// An id the database hands out: SQLite's rowid alias named `id`, PostgreSQL's
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    identity: bool,
}

#[derive(Debug, PartialEq)]
struct Index {
    unique: bool,
    keys: Vec<String>,
    /// The partial index's condition without spaces, parentheses or `::text` casts.
    predicate: Option<String>,
}

#[derive(Debug, Default)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    uniques: BTreeSet<Vec<String>>,
    /// `(cols) -> table(cols) ON UPDATE … ON DELETE …`.
    foreign_keys: BTreeSet<String>,
    /// Indexes made by CREATE INDEX, by name (not the ones behind a key).
    indexes: BTreeMap<String, Index>,
    checks: usize,
    /// `BEFORE UPDATE`, `AFTER UPDATE OF merged_into`… by trigger name.
    triggers: BTreeMap<String, String>,
}

/// Index keys that are not plain columns, carried over by hand (docs/DECISIONS.md): the
/// index, the key as written in SQLite's CREATE INDEX, the key as PostgreSQL shows it.
/// `a_carried_over_key_finds_what_sqlite_finds` holds each pair to the same behaviour.
const CARRIED_OVER_KEYS: &[(&str, &str, &str)] = &[
    // `right` is a keyword, so PostgreSQL shows the function's name quoted.
    (
        "customer_phone_tail",
        "substr(digits, -4)",
        "\"right\"(digits, 4)",
    ),
    ("app_user_login", "login COLLATE NOCASE", "lower(login)"),
];

fn squeeze(predicate: &str) -> String {
    predicate
        .replace("::text", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect::<String>()
        .to_lowercase()
}

fn sqlite_class(declared: &str) -> String {
    // SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), in their order.
    let t = declared.to_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.is_empty() || t.contains("BLOB") {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
    .to_string()
}

fn sqlite_catalogue(conn: &Connection) -> BTreeMap<String, Table> {
    let mut tables = BTreeMap::new();
    let names: Vec<(String, bool, String)> = conn
        .prepare(
            "SELECT l.name, l.wr, m.sql FROM pragma_table_list l
               JOIN sqlite_master m ON m.name = l.name AND m.type = 'table'
             WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite_%'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (name, without_rowid, sql) in names {
        let mut table = Table::default();
        let cols: Vec<(String, String, bool, Option<String>, i64)> = conn
            .prepare(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)
                 ORDER BY cid",
            )
            .unwrap()
            .query_map([&name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let pk_len = cols.iter().filter(|c| c.4 > 0).count();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (col, declared, not_null, default, pk_pos) in cols {
            let rowid_alias = !without_rowid
                && pk_len == 1
                && pk_pos == 1
                && declared.eq_ignore_ascii_case("INTEGER");
            if pk_pos > 0 {
                pk.push((pk_pos, col.clone()));
            }
            table.columns.push(Column {
                class: sqlite_class(&declared),
                // A rowid alias is never NULL, nor is a key column of a WITHOUT ROWID
                // table, though table_info says notnull = 0 for both.
                not_null: not_null || rowid_alias || (without_rowid && pk_pos > 0),
                default,
                identity: rowid_alias && col == "id",
                name: col,
            });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();

        let indexes: Vec<(String, bool, String, bool)> = conn
            .prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")
            .unwrap()
            .query_map([&name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (index, unique, origin, partial) in indexes {
            let keys: Vec<String> = conn
                .prepare(
                    "SELECT cid, name, coll, \"desc\" FROM pragma_index_xinfo(?1)
                     WHERE key ORDER BY seqno",
                )
                .unwrap()
                .query_map([&index], |r| {
                    let cid: i64 = r.get(0)?;
                    let col: Option<String> = r.get(1)?;
                    let coll: String = r.get(2)?;
                    let desc: bool = r.get(3)?;
                    let mut key = match (cid, col) {
                        (c, Some(col)) if c >= 0 => col,
                        _ => "<expression>".to_string(),
                    };
                    if coll != "BINARY" {
                        key = format!("{key} COLLATE {coll}");
                    }
                    if desc {
                        key.push_str(" DESC");
                    }
                    Ok(key)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    table.uniques.insert(keys);
                }
                _ => {
                    let sql: String = conn
                        .query_row(
                            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                            [&index],
                            |r| r.get(0),
                        )
                        .unwrap();
                    let keys = keys
                        .into_iter()
                        .map(|key| {
                            if !key.contains("<expression>") && !key.contains(" COLLATE ") {
                                return key;
                            }
                            CARRIED_OVER_KEYS
                                .iter()
                                .find(|(i, written, _)| *i == index && sql.contains(written))
                                .map_or(key, |(_, _, pg)| pg.to_string())
                        })
                        .collect();
                    let predicate = partial.then(|| {
                        let at = sql.find(" WHERE ").expect("a partial index has WHERE");
                        squeeze(&sql[at + " WHERE ".len()..])
                    });
                    table.indexes.insert(
                        index,
                        Index {
                            unique,
                            keys,
                            predicate,
                        },
                    );
                }
            }
        }

        let fks: Vec<String> = conn
            .prepare(
                "SELECT '(' || group_concat(\"from\", ', ' ORDER BY seq) || ') -> '
                        || \"table\" || '(' || group_concat(\"to\", ', ' ORDER BY seq)
                        || ') ON UPDATE ' || on_update || ' ON DELETE ' || on_delete
                 FROM pragma_foreign_key_list(?1) GROUP BY id",
            )
            .unwrap()
            .query_map([&name], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        table.foreign_keys.extend(fks);
        table.checks = sql.matches("CHECK").count();
        tables.insert(name, table);
    }

    let triggers: Vec<(String, String, String)> = conn
        .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (name, table, sql) in triggers {
        // CREATE TRIGGER name BEFORE|AFTER INSERT|UPDATE|DELETE [OF col] ON table …
        let words: Vec<&str> = sql.split_whitespace().collect();
        let mut what = format!("{} {}", words[3], words[4]);
        if words[5] == "OF" {
            what = format!("{what} OF {}", words[6]);
        }
        tables
            .get_mut(&table)
            .unwrap_or_else(|| panic!("trigger {name} on {table}, a table not compared"))
            .triggers
            .insert(name, what);
    }
    tables
}

fn pg_fk_action(code: &str) -> &'static str {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => "?",
    }
}

fn pg_catalogue(client: &mut postgres::Client) -> BTreeMap<String, Table> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for row in client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .unwrap()
    {
        let name: String = row.get(0);
        // The search's tables are designed apart on each engine (see the SQLite side).
        if !(name.ends_with("_text") || name.contains("_text_")) {
            tables.insert(name, Table::default());
        }
    }
    for row in client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text,
                    column_default::text, is_identity::text, identity_generation::text,
                    collation_name::text
             FROM information_schema.columns WHERE table_schema = 'public'
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .unwrap()
    {
        let table: String = row.get(0);
        let data_type: String = row.get(2);
        let collation: Option<String> = row.get(7);
        let class = match (data_type.as_str(), collation.as_deref()) {
            ("bigint", None) => "integer".to_string(),
            ("text", Some("C")) => "text".to_string(),
            ("double precision", None) => "real".to_string(),
            ("bytea", None) => "blob".to_string(),
            (other, Some(c)) => format!("{other} COLLATE {c}"),
            (other, None) => other.to_string(),
        };
        let identity = row.get::<_, String>(5) == "YES";
        let generation: Option<String> = row.get(6);
        assert!(
            !identity || generation.as_deref() == Some("BY DEFAULT"),
            "{table}.{}: ids are GENERATED BY DEFAULT (explicit ids are written on import)",
            row.get::<_, String>(1)
        );
        let default: Option<String> = row.get(4);
        if let Some(t) = tables.get_mut(&table) {
            t.columns.push(Column {
                name: row.get(1),
                class,
                not_null: row.get::<_, String>(3) == "NO",
                default: default.map(|d| d.trim_end_matches("::text").to_string()),
                identity,
            });
        }
    }
    for row in client
        .query(
            "SELECT cl.relname::text, con.contype::text,
                    array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n
                          ORDER BY k.i),
                    coalesce(fcl.relname::text, ''),
                    array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n
                          ORDER BY k.i),
                    con.confupdtype::text, con.confdeltype::text, con.condeferrable
             FROM pg_constraint con
             JOIN pg_class cl ON cl.oid = con.conrelid
             JOIN pg_namespace ns ON ns.oid = cl.relnamespace
             LEFT JOIN pg_class fcl ON fcl.oid = con.confrelid
             WHERE ns.nspname = 'public'",
            &[],
        )
        .unwrap()
    {
        let Some(t) = tables.get_mut(&row.get::<_, String>(0)) else {
            continue;
        };
        let cols: Vec<String> = row.get(2);
        match row.get::<_, String>(1).as_str() {
            "p" => t.primary_key = cols,
            "u" => {
                t.uniques.insert(cols);
            }
            "c" => t.checks += 1,
            "f" => {
                let to: Vec<String> = row.get(4);
                let deferrable = if row.get::<_, bool>(7) {
                    " DEFERRABLE"
                } else {
                    ""
                };
                t.foreign_keys.insert(format!(
                    "({}) -> {}({}) ON UPDATE {} ON DELETE {}{deferrable}",
                    cols.join(", "),
                    row.get::<_, String>(3),
                    to.join(", "),
                    pg_fk_action(&row.get::<_, String>(5)),
                    pg_fk_action(&row.get::<_, String>(6)),
                ));
            }
            other => panic!("constraint of kind {other} on {}", row.get::<_, String>(0)),
        }
    }
    for row in client
        .query(
            "SELECT t.relname::text, i.relname::text, x.indisunique,
                    array(SELECT pg_get_indexdef(x.indexrelid, k, true)
                          FROM generate_series(1, x.indnkeyatts::int) k ORDER BY k),
                    pg_get_expr(x.indpred, x.indrelid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace ns ON ns.oid = t.relnamespace
             WHERE ns.nspname = 'public'
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                                 AND c.contype IN ('p', 'u', 'x'))",
            &[],
        )
        .unwrap()
    {
        let predicate: Option<String> = row.get(4);
        if let Some(t) = tables.get_mut(&row.get::<_, String>(0)) {
            t.indexes.insert(
                row.get(1),
                Index {
                    unique: row.get(2),
                    keys: row.get(3),
                    predicate: predicate.map(|p| squeeze(&p)),
                },
            );
        }
    }
    for row in client
        .query(
            "SELECT t.trigger_name::text, t.event_object_table::text,
                    t.action_timing::text, t.event_manipulation::text,
                    (SELECT string_agg(c.event_object_column::text, ', ')
                     FROM information_schema.triggered_update_columns c
                     WHERE c.trigger_name = t.trigger_name
                       AND c.event_object_table = t.event_object_table)
             FROM information_schema.triggers t
             WHERE t.trigger_schema = 'public' AND t.action_orientation = 'ROW'",
            &[],
        )
        .unwrap()
    {
        let columns: Option<String> = row.get(4);
        let mut what = format!("{} {}", row.get::<_, String>(2), row.get::<_, String>(3));
        if let Some(columns) = columns {
            what = format!("{what} OF {columns}");
        }
        if let Some(t) = tables.get_mut(&row.get::<_, String>(1)) {
            t.triggers.insert(row.get(0), what);
        }
    }
    tables
}

/// Every difference, named by table and column (or index, key, trigger).
fn differences(sqlite: &BTreeMap<String, Table>, pg: &BTreeMap<String, Table>) -> Vec<String> {
    let mut out = Vec::new();
    for name in sqlite.keys().filter(|n| !pg.contains_key(*n)) {
        out.push(format!("table {name}: in SQLite, not on PostgreSQL"));
    }
    for name in pg.keys().filter(|n| !sqlite.contains_key(*n)) {
        out.push(format!("table {name}: on PostgreSQL, not in SQLite"));
    }
    for (name, s) in sqlite {
        let Some(p) = pg.get(name) else { continue };
        let s_names: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
        let p_names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        if s_names != p_names {
            out.push(format!(
                "table {name}: columns (in order) SQLite {s_names:?}, PostgreSQL {p_names:?}"
            ));
        }
        for sc in &s.columns {
            let Some(pc) = p.columns.iter().find(|c| c.name == sc.name) else {
                continue;
            };
            if sc != pc {
                out.push(format!(
                    "column {name}.{}: SQLite {sc:?}, PostgreSQL {pc:?}",
                    sc.name
                ));
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "table {name}: primary key SQLite {:?}, PostgreSQL {:?}",
                s.primary_key, p.primary_key
            ));
        }
        if s.uniques != p.uniques {
            out.push(format!(
                "table {name}: UNIQUE SQLite {:?}, PostgreSQL {:?}",
                s.uniques, p.uniques
            ));
        }
        for fk in s.foreign_keys.symmetric_difference(&p.foreign_keys) {
            let side = if s.foreign_keys.contains(fk) {
                "only in SQLite"
            } else {
                "only on PostgreSQL"
            };
            out.push(format!("table {name}: foreign key {fk} {side}"));
        }
        for (index, si) in &s.indexes {
            match p.indexes.get(index) {
                None => out.push(format!("index {index} on {name}: not on PostgreSQL")),
                Some(pi) if pi != si => out.push(format!(
                    "index {index} on {name}: SQLite {si:?}, PostgreSQL {pi:?}"
                )),
                Some(_) => {}
            }
        }
        for index in p.indexes.keys().filter(|i| !s.indexes.contains_key(*i)) {
            out.push(format!("index {index} on {name}: not in SQLite"));
        }
        if s.checks != p.checks {
            out.push(format!(
                "table {name}: {} CHECKs in SQLite, {} on PostgreSQL",
                s.checks, p.checks
            ));
        }
        if s.triggers != p.triggers {
            out.push(format!(
                "table {name}: triggers SQLite {:?}, PostgreSQL {:?}",
                s.triggers, p.triggers
            ));
        }
    }
    out
}

#[test]
fn pg_schema_has_every_table_column_key_index_and_trigger_sqlite_has() {
    let Some(mut pg) = schema_on_pg("catalogue") else {
        return;
    };
    let (_desk, conn) = migrated_sqlite();
    let sqlite = sqlite_catalogue(&conn);
    // The comparison itself must see something: the ledger, the orders, the merges.
    assert!(sqlite.len() > 30, "{:?}", sqlite.keys());
    assert!(sqlite["work_order"].indexes.contains_key("work_order_done"));
    assert!(sqlite["customer"]
        .triggers
        .contains_key("customer_count_merge"));
    // Full-text search on PostgreSQL is designed apart (issue 19); pragma_table_list
    // already shows the FTS5 tables as `virtual` and `shadow`, never as `table`.
    assert!(!sqlite
        .keys()
        .any(|t| t.ends_with("_text") || t.contains("_text_")));

    let pg_tables = pg_catalogue(pg.client());
    let diff = differences(&sqlite, &pg_tables);
    assert!(
        diff.is_empty(),
        "pg_schema.sql differs from the migrated SQLite schema:\n  {}",
        diff.join("\n  ")
    );
}

#[test]
fn pg_schema_inserts_the_rows_the_migrations_insert() {
    let Some(mut pg) = schema_on_pg("seed") else {
        return;
    };
    let (_desk, conn) = migrated_sqlite();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM pragma_table_list
             WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in &tables {
        let in_sqlite: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        let on_pg: i64 = pg
            .client()
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(on_pg, in_sqlite, "rows in {table}");
    }
    let store = "SELECT id, code, name, kind, engineer, created_at FROM store";
    let s: (i64, String, String, String, String, String) = conn
        .query_row(store, [], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap();
    let row = pg.client().query_one(store, &[]).unwrap();
    let p: (i64, String, String, String, String, String) = (
        row.get(0),
        row.get(1),
        row.get(2),
        row.get(3),
        row.get(4),
        row.get(5),
    );
    assert_eq!((p.0, &p.1, &p.2, &p.3, &p.4), (s.0, &s.1, &s.2, &s.3, &s.4));
    // Both stamp the main store with the migration's UTC time, in the stored form.
    for stamp in [&s.5, &p.5] {
        let shape: String = stamp
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(shape, "9999-99-99T99:99:99Z", "{stamp}");
    }
    let n: i64 = pg
        .client()
        .query_one("SELECT n FROM customer_count", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

/// One row in every append-only table (and what they hang on), valid on both engines.
const ONE_OF_EACH: &str = r#"
    INSERT INTO customer (id, kind, name, created_at, updated_at)
        VALUES (1, 'person', '张三', 't', 't');
    INSERT INTO engineer (id, name, created_at) VALUES (1, '王工', 't');
    INSERT INTO part (id, code, name, created_at, updated_at) VALUES (1, 'P1', '滤芯', 't', 't');
    INSERT INTO work_order (id, number, customer_id, kind, channel, mode, priority, warranty,
                            status, created_at, updated_at, confirm_due, reply_due, slip_due)
        VALUES (1, 'W1', 1, 'repair', 'phone', 'on_site', 'normal', 'in', 'registered',
                't', 't', 't', 't', 't');
    INSERT INTO audit_entry (id, at, "user", action, entity, entity_id)
        VALUES (1, 't', 'u', 'created', 'customer', 1);
    INSERT INTO stock_movement (id, at, "user", kind, part_id, store_id, quantity, value_fen)
        VALUES (1, 't', 'u', 'receipt', 1, 1, 1, 100);
    INSERT INTO order_event (id, order_id, at, "user", kind) VALUES (1, 1, 't', 'u', 'created');
    INSERT INTO payment (id, order_id, at, "user", method, amount_fen)
        VALUES (1, 1, 't', 'u', 'cash', 100);
    INSERT INTO slip (id, number, year, seq, order_id, created_at, "user")
        VALUES (1, 'S1', 2026, 1, 1, 't', 'u');
    INSERT INTO slip_print (id, slip_id, at, "user", format, reprint)
        VALUES (1, 1, 't', 'u', 'a4', 0);
    INSERT INTO slip_void (slip_id, at, "user", reason) VALUES (1, 't', 'u', '污损');
    INSERT INTO slip_print_unsent (print_id, at, reason) VALUES (1, 't', '缺纸');
    INSERT INTO callback (id, order_id, created_at, due, overdue, status)
        VALUES (1, 1, 't', 't', 't', 'open');
    INSERT INTO callback_attempt (id, callback_id, at, "user", reached)
        VALUES (1, 1, 't', 'u', 1);
    INSERT INTO complaint (id, number, customer_id, against, channel, content, status,
                           created_at, reply_due, updated_at)
        VALUES (1, 'C1', 1, 'company', 'phone', '太慢', 'open', 't', 't', 't');
    INSERT INTO complaint_event (id, complaint_id, at, "user", kind)
        VALUES (1, 1, 't', 'u', 'created');
    INSERT INTO app_user (id, login, name, password_hash, roles, created_at)
        VALUES (1, 'admin', '管理员', 'h', 'admin', 't');
    INSERT INTO stored_file (sha256, size)
        VALUES ('0000000000000000000000000000000000000000000000000000000000000000', 1);
    INSERT INTO order_attachment (id, order_id, sha256, file_name, kind, size, at, "user")
        VALUES (1, 1, '0000000000000000000000000000000000000000000000000000000000000000',
                'a.jpg', 'jpeg', 1, 't', 'u');
    INSERT INTO brand (id, name, submit_workdays, created_at, updated_at)
        VALUES (1, '海尔', 5, 't', 't');
    INSERT INTO claim (id, brand_id, order_id, month, status, labour_fen, parts_fen, claimed_fen, created_at)
        VALUES (1, 1, 1, '2025-09', 'draft', 5000, 0, 5000, 't');
    INSERT INTO claim_event (id, claim_id, at, "user", to_status) VALUES (1, 1, 't', 'u', 'draft');
"#;

#[test]
fn append_only_tables_refuse_changes_on_pg_with_sqlite_text() {
    let Some(mut pg) = schema_on_pg("append_only") else {
        return;
    };
    let (_desk, conn) = migrated_sqlite();
    conn.execute_batch(ONE_OF_EACH).unwrap();
    pg.client().batch_execute(ONE_OF_EACH).unwrap();

    // Every trigger SQLite has that refuses: `<table>_no_update` / `_no_delete`.
    let refusing: Vec<(String, String)> = conn
        .prepare(
            "SELECT tbl_name, name FROM sqlite_master
             WHERE type = 'trigger' AND sql LIKE '%RAISE(ABORT%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(refusing.len() >= 21, "{refusing:?}");
    let mut tables = BTreeSet::new();
    for (table, trigger) in &refusing {
        tables.insert(table.clone());
        let first: String = conn
            .query_row(
                "SELECT name FROM pragma_table_info(?1) WHERE cid = 0",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let statement = if trigger.ends_with("_no_update") {
            format!("UPDATE {table} SET {first} = {first}")
        } else if trigger.ends_with("_no_delete") {
            format!("DELETE FROM {table}")
        } else {
            panic!("trigger {trigger}: neither _no_update nor _no_delete")
        };
        let sqlite_text = match conn.execute(&statement, []) {
            Err(rusqlite::Error::SqliteFailure(e, Some(text))) => {
                assert_eq!(
                    e.code,
                    rusqlite::ErrorCode::ConstraintViolation,
                    "{statement}"
                );
                text
            }
            other => panic!("SQLite {statement}: {other:?} (does ONE_OF_EACH fill {table}?)"),
        };
        let e = pg.client().execute(&statement, &[]).expect_err(&statement);
        let db = e
            .as_db_error()
            .unwrap_or_else(|| panic!("{statement}: {e}"));
        assert_eq!(
            db.message(),
            sqlite_text,
            "{trigger}: PostgreSQL's text for {statement}"
        );
        assert_eq!(
            db.code(),
            &SqlState::INTEGRITY_CONSTRAINT_VIOLATION,
            "{statement}"
        );
    }
    for table in &tables {
        let left: i64 = pg
            .client()
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(left, 1, "{table} keeps its row");
        // TRUNCATE skips row triggers; each table refuses it with the same text.
        // CASCADE, so a table others point at reaches its own trigger first.
        let want: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1
                 AND name LIKE '%_no_delete'",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let want = want.split('\'').nth(1).unwrap().to_string();
        let statement = format!("TRUNCATE {table} CASCADE");
        let e = pg.client().execute(&statement, &[]).expect_err(&statement);
        assert_eq!(e.as_db_error().map(|d| d.message()), Some(want.as_str()));
    }
}

/// PostgreSQL's search pairs (migration 29) follow every change of the text tables:
/// rows put in, changed in place, taken out and truncated; desk_text_matches reads them.
#[test]
fn the_search_pairs_follow_every_change_of_the_text_tables() {
    let Some(mut pg) = schema_on_pg("pairs") else {
        return;
    };
    let c = pg.client();
    let pairs = |c: &mut postgres::Client| -> Vec<(String, i64)> {
        c.query(
            "SELECT pair, rowid FROM customer_address_text_pair ORDER BY rowid, pair",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    };
    let matches = |c: &mut postgres::Client, q: &str| -> Vec<i64> {
        c.query("SELECT desk_text_matches('address', $1, 10)", &[&q])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let owned = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
        v.iter().map(|(p, r)| (p.to_string(), *r)).collect()
    };
    c.batch_execute(
        "INSERT INTO customer_address_text (rowid, address) VALUES
            (1, ' 浦  东  新  区 '), (2, ' 新  区 12 号  新  区 ')",
    )
    .unwrap();
    // Byte order: 东 U+4E1C, 区 U+533A, 新 U+65B0, 浦 U+6D66; a pair twice in a row once.
    assert_eq!(
        pairs(c),
        owned(&[
            ("东 新", 1),
            ("新 区", 1),
            ("浦 东", 1),
            ("12 号", 2),
            ("区 12", 2),
            ("号 新", 2),
            ("新 区", 2)
        ])
    );
    assert_eq!(matches(c, "\"新 区\""), [2, 1]);
    assert_eq!(matches(c, "\"浦 东 新 区\""), [1]);
    assert_eq!(matches(c, "\"新 区 1\"*"), [2]);
    assert_eq!(matches(c, "\"区 12 号\""), [2]);
    assert_eq!(matches(c, "\"东 新 区 12\""), Vec::<i64>::new());
    c.batch_execute("UPDATE customer_address_text SET address = ' 人  民  路 ' WHERE rowid = 1")
        .unwrap();
    c.batch_execute("DELETE FROM customer_address_text WHERE rowid = 2")
        .unwrap();
    assert_eq!(pairs(c), owned(&[("人 民", 1), ("民 路", 1)]));
    assert_eq!(matches(c, "\"新 区\""), Vec::<i64>::new());
    assert_eq!(matches(c, "\"人 民 路\""), [1]);
    c.batch_execute("TRUNCATE customer_address_text").unwrap();
    assert_eq!(pairs(c), Vec::<(String, i64)>::new());
}

#[test]
fn merging_a_customer_counts_down_on_pg_as_in_sqlite() {
    let Some(mut pg) = schema_on_pg("count") else {
        return;
    };
    let (_desk, conn) = migrated_sqlite();
    let steps = [
        "INSERT INTO customer (id, kind, name, created_at, updated_at) VALUES
            (11, 'person', '甲', 't', 't'), (12, 'person', '乙', 't', 't'),
            (13, 'company', '丙公司', 't', 't')",
        // The code adds new customers itself, once per transaction.
        "UPDATE customer_count SET n = n + 3",
        "UPDATE customer SET merged_into = 12 WHERE id = 11",
        // Already merged: no second count.
        "UPDATE customer SET merged_into = 13 WHERE id = 11",
        "UPDATE customer SET notes = '老客户'",
        "UPDATE customer SET notes = '', merged_into = merged_into WHERE id = 12",
        "UPDATE customer SET merged_into = 13 WHERE id IN (12, 13)",
        "UPDATE customer SET merged_into = NULL WHERE id = 11",
    ];
    let mut in_sqlite = Vec::new();
    let mut on_pg = Vec::new();
    for step in steps {
        conn.execute(step, []).unwrap();
        in_sqlite.push(
            conn.query_row("SELECT n FROM customer_count", [], |r| r.get::<_, i64>(0))
                .unwrap(),
        );
        pg.client().execute(step, &[]).unwrap();
        on_pg.push(
            pg.client()
                .query_one("SELECT n FROM customer_count", &[])
                .unwrap()
                .get::<_, i64>(0),
        );
    }
    assert_eq!(in_sqlite, [0, 3, 2, 2, 2, 2, 0, 0]);
    assert_eq!(on_pg, in_sqlite);
}

/// The index keys of CARRIED_OVER_KEYS: the same logins collide on both engines, the same
/// last four digits are found, and PostgreSQL answers the tail through the index.
#[test]
fn a_carried_over_key_finds_what_sqlite_finds() {
    let Some(mut pg) = schema_on_pg("keys") else {
        return;
    };
    let (_desk, conn) = migrated_sqlite();
    // NOCASE folds ASCII letters only: Ä and ä are different logins, Äb and ÄB are not.
    let logins = [
        "Admin", "ADMIN", "admin2", "Äb", "äb", "ÄB", "张三", "张三 ",
    ];
    let mut outcomes = Vec::new();
    for (i, login) in logins.iter().enumerate() {
        let insert = format!(
            "INSERT INTO app_user (id, login, name, password_hash, roles, created_at)
             VALUES ({}, '{login}', 'x', 'h', 'clerk', 't')",
            i + 1
        );
        let s = conn.execute(&insert, []).is_ok();
        let p = match pg.client().execute(&insert, &[]) {
            Ok(_) => true,
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => false,
            Err(e) => panic!("{insert}: {}", why(&e)),
        };
        assert_eq!(p, s, "login {login:?}: PostgreSQL and SQLite disagree");
        outcomes.push(s);
    }
    assert_eq!(outcomes, [true, false, true, true, true, false, true, true]);

    let customer = "INSERT INTO customer (id, kind, name, created_at, updated_at)
                    VALUES (1, 'person', '张三', 't', 't')";
    conn.execute(customer, []).unwrap();
    pg.client().execute(customer, &[]).unwrap();
    let digits = [
        "13812345678",
        "02512345678",
        "5678",
        "678",
        "",
        "85291235678",
    ];
    for (i, d) in digits.iter().enumerate() {
        let insert = format!("INSERT INTO customer_phone VALUES (1, {i}, '{d}', '{d}')");
        conn.execute(&insert, []).unwrap();
        pg.client().execute(&insert, &[]).unwrap();
    }
    for tail in ["5678", "678", "", "1234"] {
        let s: Vec<i64> = conn
            .prepare(
                "SELECT position FROM customer_phone WHERE substr(digits, -4) = ?1
                 ORDER BY position",
            )
            .unwrap()
            .query_map([tail], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let p: Vec<i64> = pg
            .client()
            .query(
                "SELECT position FROM customer_phone WHERE right(digits, 4) = $1
                 ORDER BY position",
                &[&tail],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(p, s, "tail {tail:?}");
    }
    // With sequential scans priced out, the plan shows the expression index is usable
    // by the query as written.
    let mut tx = pg.client().transaction().unwrap();
    tx.batch_execute("SET LOCAL enable_seqscan = off").unwrap();
    let plan: Vec<String> = tx
        .query(
            "EXPLAIN SELECT position FROM customer_phone WHERE right(digits, 4) = '5678'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        plan.iter().any(|l| l.contains("customer_phone_tail")),
        "{plan:#?}"
    );
}

#[test]
fn desk_user_on_pg_is_the_session_setting_or_empty() {
    let Some(mut pg) = schema_on_pg("desk_user") else {
        return;
    };
    let who = |c: &mut postgres::Client| -> String {
        c.query_one("SELECT desk_user()", &[]).unwrap().get(0)
    };
    assert_eq!(who(pg.client()), "");
    // `user` is a reserved word: `SET aftersales.user = …` is a syntax error, so the store
    // sets it with set_config (which also takes the name as a bound value).
    pg.client()
        .query_one(
            "SELECT set_config('aftersales.user', $1, false)",
            &[&"李娜"],
        )
        .unwrap();
    assert_eq!(who(pg.client()), "李娜");
    pg.client()
        .batch_execute("RESET aftersales.\"user\"")
        .unwrap();
    assert_eq!(who(pg.client()), "");
}

/// PostgreSQL's own description of the public schema, sorted and free of oids: functions,
/// tables (columns in order, then constraints by name), indexes, triggers.
fn describe(client: &mut postgres::Client) -> String {
    let mut out = String::new();
    for row in client
        .query(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p
             JOIN pg_namespace ns ON ns.oid = p.pronamespace
             WHERE ns.nspname = 'public' ORDER BY p.proname",
            &[],
        )
        .unwrap()
    {
        out.push_str(row.get::<_, String>(0).trim_end());
        out.push_str(";\n");
    }
    let columns = client
        .query(
            "SELECT c.relname::text, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
                    CASE WHEN a.attcollation <> t.typcollation
                         THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END,
                    CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                    coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''),
                    CASE a.attidentity WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY'
                                       WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                       ELSE '' END
             FROM pg_class c
             JOIN pg_namespace ns ON ns.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             JOIN pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_collation co ON co.oid = a.attcollation
             LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
             WHERE ns.nspname = 'public' AND c.relkind = 'r'
             ORDER BY c.relname, a.attnum",
            &[],
        )
        .unwrap();
    let constraints = client
        .query(
            "SELECT c.relname::text, con.conname::text, pg_get_constraintdef(con.oid)
             FROM pg_constraint con
             JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace ns ON ns.oid = c.relnamespace
             WHERE ns.nspname = 'public' ORDER BY c.relname, con.conname",
            &[],
        )
        .unwrap();
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &columns {
        let line = format!(
            "{} {}{}{}{}{}",
            row.get::<_, String>(1),
            row.get::<_, String>(2),
            row.get::<_, String>(3),
            row.get::<_, String>(4),
            row.get::<_, String>(5),
            row.get::<_, String>(6)
        );
        tables.entry(row.get(0)).or_default().push(line);
    }
    for row in &constraints {
        tables.entry(row.get(0)).or_default().push(format!(
            "CONSTRAINT {} {}",
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ));
    }
    for (table, lines) in tables {
        out.push_str(&format!(
            "CREATE TABLE {table} (\n    {}\n);\n",
            lines.join(",\n    ")
        ));
    }
    for (sql, what) in [
        (
            "SELECT pg_get_indexdef(i.oid) FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_namespace ns ON ns.oid = i.relnamespace
             WHERE ns.nspname = 'public' ORDER BY i.relname",
            "index",
        ),
        (
            "SELECT pg_get_triggerdef(g.oid) FROM pg_trigger g
             JOIN pg_class c ON c.oid = g.tgrelid
             JOIN pg_namespace ns ON ns.oid = c.relnamespace
             WHERE ns.nspname = 'public' AND NOT g.tgisinternal ORDER BY g.tgname, c.relname",
            "trigger",
        ),
    ] {
        for row in client.query(sql, &[]).unwrap() {
            let def: String = row.get(0);
            assert!(!def.is_empty(), "an empty {what} definition");
            out.push_str(&def);
            out.push_str(";\n");
        }
    }
    out
}

#[test]
fn pg_schema_matches_snapshot() {
    let Some(mut pg) = schema_on_pg("snapshot") else {
        return;
    };
    let now = describe(pg.client());
    // A deliberate change to pg_schema.sql updates tests/fixtures/schema_pg.sql in the same
    // commit: run once with UPDATE_SNAPSHOTS=1, then read the diff.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema_pg.sql");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &now).unwrap();
    }
    let snapshot = std::fs::read_to_string(path).unwrap_or_default();
    if let Some((n, was)) = now.lines().zip(snapshot.lines()).find(|(a, b)| a != b) {
        panic!("the PostgreSQL schema differs from {path}:\n  now:      {n}\n  snapshot: {was}");
    }
    assert_eq!(
        now, snapshot,
        "the PostgreSQL schema differs in length from {path}"
    );
}
