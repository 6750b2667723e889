//! Moving a desk onto PostgreSQL (`aftersales --database-url … migrate-from desk.db`,
//! issue 19): a demo desk's SQLite file copied into a fresh database of a real PostgreSQL
//! server, every table's rows and checksum equal; a target that holds rows, or a file at
//! another schema version, refused with nothing changed; and the moved desk working on.
//!
//! The server comes from `AFTERSALES_TEST_PG` (`cargo xtask test` and `cargo xtask pg`
//! set it). Without it these tests print that they did not run and pass; with
//! `AFTERSALES_REQUIRE_PG=1` a missing URL fails them.

use std::collections::BTreeMap;
use std::path::Path;

use aftersales::people::migrate;
use aftersales::platform::db::Db;
use aftersales::Desk;
use serde_json::json;

use crate::util::pg::with_database;

const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn monday() -> Option<chrono::DateTime<chrono::Utc>> {
    Some(
        chrono::DateTime::parse_from_rfc3339(MONDAY_10)
            .unwrap()
            .with_timezone(&chrono::Utc),
    )
}

/// A database of its own on the test server, dropped (connections and all) afterwards.
pub struct PgDatabase {
    pub url: String,
    admin: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A new, empty database named after the test, or None (said on stderr) when no server
/// was given and none is required.
pub fn pg_database(test: &str) -> Option<PgDatabase> {
    let admin = match std::env::var("AFTERSALES_TEST_PG") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("AFTERSALES_REQUIRE_PG").as_deref() != Ok("1"),
                "AFTERSALES_REQUIRE_PG=1 but AFTERSALES_TEST_PG is not set"
            );
            eprintln!("{test}: did not run (AFTERSALES_TEST_PG is not set)");
            return None;
        }
    };
    // Unique per process and test: both passes of the suite may share one server.
    let name = format!("{test}_{}", std::process::id()).to_lowercase();
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to {admin}: {e}"));
    // Two calls: a batch of several statements is one transaction, which these refuse.
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    Some(PgDatabase {
        url: with_database(&admin, &name),
        admin,
        name,
    })
}

/// A grown desk in `dir`: the demo's customers, stock, three years of orders and its
/// users, plus a customer merged into a newer one (a key that points forward in id order).
fn demo_desk(dir: &Path) -> Desk {
    let mut desk = Desk::open_dir(dir).unwrap();
    desk.set_clock(monday());
    aftersales::demo::fill(&mut desk, 120).unwrap();
    aftersales::demo::fill_stock(&mut desk, 12, 240).unwrap();
    aftersales::demo::fill_orders(&mut desk, 150, 10).unwrap();
    aftersales::demo::fill_users(&mut desk).unwrap();
    let call = |desk: &mut Desk, c: &str, a: serde_json::Value| {
        aftersales::api::call(desk, c, a)
            .unwrap_or_else(|e| panic!("{c}: {}", e.to_json()))
            .value()
    };
    let old = call(
        &mut desk,
        "customers.create",
        json!({"name": "迁移测试旧户", "phones": ["13900001111"]}),
    )["id"]
        .as_i64()
        .unwrap();
    let new = call(
        &mut desk,
        "customers.create",
        json!({"name": "迁移测试", "phones": ["13900002222"], "address": "上海市浦东新区世纪大道8号"}),
    )["id"]
        .as_i64()
        .unwrap();
    call(
        &mut desk,
        "customers.merge",
        json!({"keep_id": new, "merge_id": old}),
    );
    desk
}

/// Every table's row count on one side.
fn counts(db: &Db, tables: &[String]) -> BTreeMap<String, i64> {
    tables
        .iter()
        .map(|t| {
            let n: i64 = db
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap_or_else(|e| panic!("{t}: {e}"));
            (t.clone(), n)
        })
        .collect()
}

/// The desk's tables as SQLite lists them, less the full-text index and its shadows.
fn sqlite_tables(db: &Db) -> Vec<String> {
    db.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE 'customer_name_text%' AND name NOT LIKE 'customer_address_text%'
         ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| r.get(0))
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn a_demo_desk_moves_to_postgres_with_every_table_counted_and_checksummed() {
    let Some(pg) = pg_database("people_migrate_demo") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = demo_desk(&dir.path().join("file"));
    let file = source.path().to_path_buf();
    let old_db = source.another_connection().unwrap();
    let tables = sqlite_tables(&old_db);
    let before = counts(&old_db, &tables);
    let (kept_id, gone_id): (i64, i64) = old_db
        .query_row(
            "SELECT merged_into, id FROM customer WHERE merged_into IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(kept_id > gone_id, "the merge points forward in id order");
    let (active, highest): (i64, i64) = old_db
        .query_row(
            "SELECT count(*) FILTER (WHERE merged_into IS NULL), max(id) FROM customer",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(source);

    let mut desk = Desk::open_postgres(&pg.url, &dir.path().join("door")).unwrap();
    desk.set_clock(monday());
    let done = migrate::from_sqlite(&mut desk, &file)
        .unwrap_or_else(|e| panic!("migrate: {}", e.to_json()));
    assert_eq!(done.version, aftersales::platform::db::MIGRATIONS.len());

    // Every table of the file was copied, and the counts the report gives are the file's.
    let copied: BTreeMap<String, i64> = done
        .tables
        .iter()
        .map(|c| (c.table.clone(), c.rows as i64))
        .collect();
    assert_eq!(copied, before, "the report's counts are the file's");
    // Counted again on the server, by a connection of its own: the same, plus the one
    // audit entry that records the migration.
    let new_db = desk.another_connection().unwrap();
    let mut after = counts(&new_db, &tables);
    *after.get_mut("audit_entry").unwrap() -= 1;
    assert_eq!(after, before);
    for c in &done.tables {
        assert_eq!(c.checksum.len(), 64, "{}: a SHA-256 in hex", c.table);
    }
    assert!(
        before["customer"] > 100 && before["stock_movement"] > 100 && before["order_event"] > 100
    );
    let detail: String = new_db
        .query_row(
            "SELECT detail FROM audit_entry WHERE action = 'migrate'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.contains("逐表核对行数与校验和一致"), "{detail}");
    // The merged customer still points at the one it was merged into, and the keys are
    // back to what the schema says (not deferrable).
    let into: i64 = new_db
        .query_row(
            "SELECT merged_into FROM customer WHERE id = ?1",
            [gone_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(into, kept_id);
    let deferrable: i64 = new_db
        .query_row(
            "SELECT count(*) FROM pg_constraint WHERE condeferrable",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(deferrable, 0);

    // The search tables were rebuilt: one row per customer in use, in the index form.
    for table in ["customer_name_text", "customer_address_text"] {
        let rows: i64 = new_db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, active, "{table}");
    }
    let indexed: String = new_db
        .query_row(
            "SELECT name FROM customer_name_text WHERE rowid = ?1",
            [kept_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, " 迁  移  测  试 ");
    let gone: i64 = new_db
        .query_row(
            "SELECT count(*) FROM customer_name_text WHERE rowid = ?1",
            [gone_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(gone, 0, "a merged customer is not in the index");

    // The moved desk works on: it finds a customer by phone, a new customer gets the next
    // id (a new order's number: the next test).
    let found = aftersales::api::call(
        &mut desk,
        "customers.search",
        json!({"query": "13900002222", "page_size": 20}),
    )
    .unwrap_or_else(|e| panic!("search: {}", e.to_json()))
    .value();
    assert_eq!(found["items"][0]["name"], "迁移测试");
    let added = aftersales::api::call(
        &mut desk,
        "customers.create",
        json!({"name": "迁移之后", "phones": ["13900003333"]}),
    )
    .unwrap_or_else(|e| panic!("create: {}", e.to_json()))
    .value();
    assert_eq!(added["id"].as_i64().unwrap(), highest + 1);
}

#[test]
fn a_target_holding_rows_is_refused_and_left_untouched() {
    let Some(pg) = pg_database("people_migrate_not_empty") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = {
        let mut source = Desk::open_dir(&dir.path().join("file")).unwrap();
        aftersales::api::call(
            &mut source,
            "customers.create",
            json!({"name": "源客户", "phones": ["13812345678"]}),
        )
        .unwrap();
        source.path().to_path_buf()
    };
    let mut desk = Desk::open_postgres(&pg.url, &dir.path().join("door")).unwrap();
    aftersales::api::call(
        &mut desk,
        "customers.create",
        json!({"name": "已在库里", "phones": ["13900004444"]}),
    )
    .unwrap_or_else(|e| panic!("customers.create: {}", e.to_json()));
    let db = desk.another_connection().unwrap();
    let tables: Vec<String> = [
        "audit_entry",
        "customer",
        "customer_count",
        "customer_name_text",
        "customer_phone",
        "store",
    ]
    .map(String::from)
    .to_vec();
    let before = counts(&db, &tables);

    let e = migrate::from_sqlite(&mut desk, &file)
        .unwrap_err()
        .to_json();
    assert_eq!(e["field"], "database_url", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("目标数据库不是空的：表 ")
            && message.contains("已有")
            && message.ends_with("未做任何改动"),
        "{message}"
    );
    let named = message
        .trim_start_matches("目标数据库不是空的：表 ")
        .split(' ')
        .next()
        .unwrap();
    assert!(["audit_entry", "customer"].contains(&named), "{message}");
    assert_eq!(counts(&db, &tables), before, "nothing changed");
    let store: String = db
        .query_row("SELECT code FROM store", [], |r| r.get(0))
        .unwrap();
    assert_eq!(store, "MAIN");
    let count: i64 = db
        .query_row("SELECT n FROM customer_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn a_copy_that_fails_half_way_leaves_the_target_as_it_was() {
    let Some(pg) = pg_database("people_migrate_half_way") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = {
        let mut source = Desk::open_dir(&dir.path().join("file")).unwrap();
        for (name, phone) in [("甲", "13812345678"), ("乙", "13812345679")] {
            aftersales::api::call(
                &mut source,
                "customers.create",
                json!({"name": name, "phones": [phone]}),
            )
            .unwrap();
        }
        source.path().to_path_buf()
    };
    // SQLite keeps a text in an INTEGER column (its keys unchecked here); PostgreSQL
    // refuses it, after the tables before `customer` were already copied.
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.execute("UPDATE customer SET parent_id = 'x' WHERE name = '乙'", [])
        .unwrap();
    drop(conn);
    let mut desk = Desk::open_postgres(&pg.url, &dir.path().join("door")).unwrap();
    let db = desk.another_connection().unwrap();
    let tables: Vec<String> = [
        "app_user",
        "audit_entry",
        "customer",
        "customer_count",
        "store",
    ]
    .map(String::from)
    .to_vec();
    let before = counts(&db, &tables);

    let e = migrate::from_sqlite(&mut desk, &file)
        .unwrap_err()
        .to_json();
    assert_eq!(e["code"], "storage", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("复制表 customer 时出错，已全部撤销，数据库未改动："),
        "{e}"
    );
    assert_eq!(counts(&db, &tables), before);
    let audit: i64 = before["audit_entry"];
    assert_eq!(audit, 0);
    let (store, count): (String, i64) = db
        .query_row(
            "SELECT (SELECT code FROM store), (SELECT n FROM customer_count)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (store.as_str(), count),
        ("MAIN", 0),
        "the seed rows are back"
    );
    let deferrable: i64 = db
        .query_row(
            "SELECT count(*) FROM pg_constraint WHERE condeferrable",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(deferrable, 0, "the keys are as the schema made them");
}

#[test]
fn a_source_at_another_schema_version_is_refused_and_the_target_left_empty() {
    let Some(pg) = pg_database("people_migrate_version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = {
        let mut source = Desk::open_dir(&dir.path().join("file")).unwrap();
        aftersales::api::call(
            &mut source,
            "customers.create",
            json!({"name": "源客户", "phones": ["13812345678"]}),
        )
        .unwrap();
        source.path().to_path_buf()
    };
    let ours = aftersales::platform::db::MIGRATIONS.len();
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.pragma_update(None, "user_version", ours as i64 + 1)
        .unwrap();
    drop(conn);
    let mut desk = Desk::open_postgres(&pg.url, &dir.path().join("door")).unwrap();
    let e = migrate::from_sqlite(&mut desk, &file)
        .unwrap_err()
        .to_json();
    assert_eq!(e["field"], "file", "{e}");
    assert_eq!(
        e["message"],
        format!(
            "数据文件 {} 的数据版本是 {}，本程序是 {ours}：请先升级本程序；数据库未改动",
            file.display(),
            ours + 1
        )
    );
    let db = desk.another_connection().unwrap();
    let customers: i64 = db
        .query_row("SELECT count(*) FROM customer", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 0);

    // A file that is not a desk's is refused as such.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "不是数据文件，只是一段文字").unwrap();
    let e = migrate::from_sqlite(&mut desk, &text)
        .unwrap_err()
        .to_json();
    assert_eq!(
        e["message"],
        format!(
            "{} 不是售后服务台的数据文件（不是 SQLite 数据文件）",
            text.display()
        )
    );
}

#[test]
fn a_migrated_desk_gives_a_new_order_the_next_number_of_the_year() {
    let Some(pg) = pg_database("people_migrate_next_order") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = demo_desk(&dir.path().join("file"));
    let file = source.path().to_path_buf();
    let last_order: i64 = source
        .another_connection()
        .unwrap()
        .query_row(
            "SELECT last FROM order_counter WHERE year = 2026",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(source);
    let mut desk = Desk::open_postgres(&pg.url, &dir.path().join("door")).unwrap();
    desk.set_clock(monday());
    migrate::from_sqlite(&mut desk, &file).unwrap_or_else(|e| panic!("migrate: {}", e.to_json()));
    let new_db = desk.another_connection().unwrap();
    let (owner, machine): (i64, i64) = new_db
        .query_row(
            "SELECT customer_id, id FROM equipment ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let order = aftersales::api::call(
        &mut desk,
        "orders.create",
        json!({"customer_id": owner, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault": "迁移后的第一张工单", "confirmed": true}),
    )
    .unwrap_or_else(|e| panic!("order: {}", e.to_json()))
    .value();
    let number = order["number"].as_str().unwrap();
    assert!(
        number.ends_with(&format!("{:06}", last_order + 1)),
        "{number} follows {last_order}"
    );
}
