use aftersales::platform::db::{migrate, MIGRATIONS};
use aftersales::Desk;
use rusqlite::Connection;

#[test]
fn open_sets_wal_and_foreign_keys() {
    let t = crate::util::desk();
    let conn = t.db();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, MIGRATIONS.len());
}

#[test]
fn migrating_twice_changes_nothing_and_schema_matches_snapshot() {
    let t = crate::util::desk();
    let first = t.desk.schema().unwrap();
    let path = t.desk.path().to_path_buf();
    drop(t.desk);
    let again = Desk::open(&path).unwrap();
    assert_eq!(again.schema().unwrap(), first);
    // A deliberate schema change updates tests/fixtures/schema.sql in the same commit:
    // run once with UPDATE_SNAPSHOTS=1, then read the diff.
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema.sql"),
            &first,
        )
        .unwrap();
    }
    let snapshot = include_str!("../fixtures/schema.sql");
    if let Some((now, was)) = first.lines().zip(snapshot.lines()).find(|(a, b)| a != b) {
        panic!(
            "schema differs from tests/fixtures/schema.sql:\n  now:      {now}\n  snapshot: {was}"
        );
    }
    assert_eq!(
        first, snapshot,
        "schema differs in length from tests/fixtures/schema.sql"
    );
}

#[test]
fn a_failing_migration_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("x.db")).unwrap();
    let broken: &[&str] = &[
        "CREATE TABLE a (x INTEGER);",
        "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;",
    ];
    let err = migrate(&mut conn, broken).unwrap_err();
    assert_eq!(err.code(), "storage");
    assert!(err.to_string().contains("第2版"), "{err}");
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        tables, 0,
        "migration 1 must be rolled back with migration 2"
    );
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 0);
}

#[test]
fn a_newer_file_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("x.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
    assert!(err.to_string().contains("请升级程序"), "{err}");
}

/// Migration 4 moved names and addresses into their own full-text tables, re-tokenised by
/// a Rust function registered at open: customers written under version 3 must still be found.
#[test]
fn customers_from_before_the_text_split_are_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &MIGRATIONS[..3]).unwrap();
        conn.execute_batch(
            "INSERT INTO customer (kind, name, address, created_at, updated_at)
               VALUES ('person', '欧阳玥', '杭州市西湖区文三路1号', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO customer_phone VALUES (1, 0, '13812345678', '13812345678');",
        )
        .unwrap();
    }
    let mut desk = Desk::open(&path).unwrap();
    let mut find = |q: &str| {
        aftersales::api::call(
            &mut desk,
            "customers.search",
            serde_json::json!({"query": q}),
        )
        .unwrap()
        .value()["total"]
            .clone()
    };
    assert_eq!(find("阳玥"), 1);
    assert_eq!(find("文三路"), 1);
    assert_eq!(find("5678"), 1);
}
