//! Search at 1,000,000 customers and 3,000,000 machines, through the command table as a
//! door calls it (JSON in, JSON out), each search kind side by side with the same
//! question asked as a plain `LIKE` scan, and then the same calls on a PostgreSQL desk
//! (`Desk::open_postgres`) filled from the same generated desk by the core's migration
//! (`people::migrate::from_sqlite`, what `migrate-from` runs), then `VACUUM (ANALYZE)`.
//! Run by `cargo xtask bench`, which starts a throw-away PostgreSQL server and names it in
//! `AFTERSALES_BENCH_PG`; without that variable only SQLite is measured. Writes its
//! figures into docs/PERFORMANCE.md between the `bench:search` markers.
//!
//! The generated database is kept in the target folder and reused, so a second run
//! measures without waiting for generation again; so is the PostgreSQL database
//! `bench_search_<customers>` when the server still holds it with every customer.
//! `AFTERSALES_BENCH_SEARCH_CUSTOMERS` sets another size (default 1,000,000), for a
//! shorter run; the report says the size it measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod report;

use aftersales::{api, Desk};
use serde_json::{json, Value};

const DEFAULT_CUSTOMERS: usize = 1_000_000;
const MACHINES_PER_CUSTOMER: usize = 3;
const RUNS: usize = 40;
const TARGET_MS: f64 = 5.0;
/// The target on PostgreSQL (issue 19): p95 per kind.
const PG_TARGET_MS: f64 = 10.0;

fn main() {
    let customers: usize = std::env::var("AFTERSALES_BENCH_SEARCH_CUSTOMERS")
        .ok()
        .map(|n| {
            n.parse()
                .expect("AFTERSALES_BENCH_SEARCH_CUSTOMERS: a number")
        })
        .unwrap_or(DEFAULT_CUSTOMERS);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/search-v2-{customers}"));
    let mut desk = Desk::open_dir(&dir).expect("open bench desk");
    let have = api::call(&mut desk, "app.info", json!({})).unwrap().value()["customers"]
        .as_u64()
        .unwrap();
    if have as usize != customers {
        drop(desk);
        let _ = std::fs::remove_dir_all(&dir);
        desk = Desk::open_dir(&dir).unwrap();
        let start = Instant::now();
        aftersales::demo::fill_with(&mut desk, customers, MACHINES_PER_CUSTOMER).unwrap();
        println!("generated in {:.1} s", start.elapsed().as_secs_f64());
    }
    let file_mb = std::fs::metadata(desk.path()).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let scan = rusqlite::Connection::open(desk.path()).unwrap();
    let count = |sql: &str| -> i64 { scan.query_row(sql, [], |r| r.get(0)).unwrap() };
    let machines = count("SELECT count(*) FROM equipment");

    // Real values from the generated data: a customer near the middle (page 5,000 of 100
    // at 1M) and one of its machines.
    let middle = api::call(
        &mut desk,
        "customers.search",
        json!({"page": (customers / 200).max(1), "page_size": 100}),
    )
    .unwrap()
    .value();
    let sample = &middle["items"][0];
    let mobile = sample["phones"][0]["number"].as_str().unwrap().to_string();
    let name = sample["name"].as_str().unwrap().to_string();
    let two: String = name.chars().take(2).collect();
    let id = sample["id"].clone();
    let serial: String = scan
        .query_row(
            "SELECT serial FROM equipment WHERE id = (SELECT max(id) / 2 FROM equipment)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let tail = serial[serial.len() - 6..].to_string();

    // (label, command, args, the same question as a LIKE scan or "")
    let cases: Vec<(String, &str, Value, String)> = vec![
        (
            format!("name, 2 characters ({two})"),
            "customers.search",
            json!({"query": two}),
            format!("SELECT count(*) FROM customer WHERE name LIKE '%{two}%' OR address LIKE '%{two}%'"),
        ),
        (
            "name, 1 character (王)".into(),
            "customers.search",
            json!({"query": "王"}),
            "SELECT count(*) FROM customer WHERE name LIKE '%王%' OR address LIKE '%王%'".into(),
        ),
        (
            "company fragment (恒泰商贸)".into(),
            "customers.search",
            json!({"query": "恒泰商贸"}),
            "SELECT count(*) FROM customer WHERE name LIKE '%恒泰商贸%' OR address LIKE '%恒泰商贸%'".into(),
        ),
        (
            "address fragment (浦东新区)".into(),
            "customers.search",
            json!({"query": "浦东新区"}),
            "SELECT count(*) FROM customer WHERE name LIKE '%浦东新区%' OR address LIKE '%浦东新区%'".into(),
        ),
        (
            "whole mobile".into(),
            "customers.search",
            json!({"query": mobile}),
            format!("SELECT count(*) FROM customer_phone WHERE number LIKE '%{mobile}%'"),
        ),
        (
            "mobile, first 7 digits".into(),
            "customers.search",
            json!({"query": &mobile[..7]}),
            format!("SELECT count(*) FROM customer_phone WHERE number LIKE '{}%'", &mobile[..7]),
        ),
        (
            "phone, last 4 digits".into(),
            "customers.search",
            json!({"query": &mobile[7..]}),
            format!("SELECT count(*) FROM customer_phone WHERE digits LIKE '%{}'", &mobile[7..]),
        ),
        (
            format!("serial, whole ({serial})"),
            "search.global",
            json!({"query": serial}),
            format!("SELECT count(*) FROM equipment WHERE serial LIKE '%{serial}%'"),
        ),
        (
            format!("serial, last 6 ({tail})"),
            "search.global",
            json!({"query": tail}),
            format!("SELECT count(*) FROM equipment WHERE serial LIKE '%{tail}'"),
        ),
        (
            format!("one box: name fragment ({two})"),
            "search.global",
            json!({"query": two}),
            String::new(),
        ),
        ("list, page 1 (exact total)".into(), "customers.search", json!({"query": ""}), String::new()),
        ("customer file (get by id)".into(), "customers.get", json!({"id": id}), String::new()),
        ("machines of a customer".into(), "equipment.list", json!({"customer_id": id}), String::new()),
    ];

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let sqlite: Vec<Timed> = cases
        .iter()
        .map(|(label, command, args, _)| time_calls(&mut desk, label, command, args))
        .collect();
    let sqlite_path = desk.path().to_path_buf();
    drop(desk);

    let pg_url = std::env::var("AFTERSALES_BENCH_PG")
        .ok()
        .filter(|u| !u.is_empty());
    let (postgres, pg_note): (Option<Vec<Timed>>, String) = match &pg_url {
        Some(url) => {
            let (mut pg_desk, note) = postgres_desk(url, &sqlite_path, &target, customers);
            let timed = cases
                .iter()
                .map(|(label, command, args, _)| time_calls(&mut pg_desk, label, command, args))
                .collect();
            (Some(timed), note)
        }
        None => (
            None,
            "PostgreSQL was not measured in this run (no `AFTERSALES_BENCH_PG`: run it through \
             `cargo xtask bench`)."
                .to_string(),
        ),
    };

    let mut rows = Vec::new();
    for (i, (label, _, _, like)) in cases.iter().enumerate() {
        let s = &sqlite[i];
        let (like_ms, ratio) = if like.is_empty() {
            ("–".to_string(), "–".to_string())
        } else {
            let mut t: Vec<Duration> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    count(like);
                    start.elapsed()
                })
                .collect();
            t.sort();
            let l = ms(t[2]);
            (
                format!("{l:.1}"),
                format!("{:.0}×", l / s.median.max(0.001)),
            )
        };
        let ok = yes_no(s.median <= TARGET_MS && s.p95 <= TARGET_MS);
        let pg = match &postgres {
            Some(timed) => {
                let p = &timed[i];
                format!(
                    "{} | {:.2} | {:.2} | {} | {}",
                    p.total,
                    p.median,
                    p.p95,
                    yes_no(p.p95 <= PG_TARGET_MS),
                    yes_no(p.answer == s.answer)
                )
            }
            None => "– | – | – | – | –".to_string(),
        };
        let row = format!(
            "| {label} | {} | {:.2} | {:.2} | {ok} | {like_ms} | {ratio} | {pg} |",
            s.total, s.median, s.p95
        );
        println!("{row}");
        rows.push(row);
    }

    // Other processes' work shows in the p95 column: say how busy the machine was.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let section = format!(
        "{customers} customers and {machines} machines (database file {file_mb:.0} MB), {RUNS} runs each, \
         through `api::call` with JSON in and out, page size 50 (the one box: 20). Target on SQLite \
         (issue 3): median and p95 ≤ {TARGET_MS} ms. The LIKE column asks the same question as a plain \
         scan of the SQLite file (median of 5), the ratio is LIKE ÷ SQLite's median. Searches count \
         matches up to 1,000 (\"1000+\").\n\n\
         PostgreSQL (issue 19): the same calls, timed the same way, on a desk opened with \
         `Desk::open_postgres`; target p95 ≤ {PG_TARGET_MS} ms per kind. \"Same\": PostgreSQL's answer names \
         the same records in the same order as SQLite's (the items' ids, or the record's). {pg_note} \
         Load average at the end: {load}.\n\n\
         | search | matches | SQLite median ms | SQLite p95 ms | ≤ {TARGET_MS} ms | LIKE scan ms | ratio \
         | PostgreSQL matches | PostgreSQL median ms | PostgreSQL p95 ms | p95 ≤ {PG_TARGET_MS} ms | same |\n\
         |---|---:|---:|---:|:-:|---:|---:|---:|---:|---:|:-:|:-:|\n{}\n",
        rows.join("\n")
    );
    report::write_section("search", &section);
}

fn yes_no(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "no"
    }
}

/// One kind's figures on one engine.
struct Timed {
    /// Matches as the answer gives them ("1000+" when it stopped counting).
    total: String,
    /// Which records the answer named, in its order: the items' ids (or the record's).
    answer: Value,
    median: f64,
    p95: f64,
}

/// Calls `command` RUNS times through the command table, as a door does, and times each
/// call (JSON in, JSON out).
fn time_calls(desk: &mut Desk, label: &str, command: &str, args: &Value) -> Timed {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut total = String::new();
    let mut answer = Value::Null;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = api::call(desk, command, args.clone()).expect(label);
        times.push(start.elapsed());
        let out = out.value();
        total = match (&out["total"], &out["items"]) {
            (Value::Number(n), _) if out["more"] == true => format!("{n}+"),
            (Value::Number(n), _) => n.to_string(),
            (_, Value::Array(items)) => items.len().to_string(),
            _ => "1".into(),
        };
        answer = match &out["items"] {
            Value::Array(items) => items.iter().map(|i| i["id"].clone()).collect(),
            _ => out["id"].clone(),
        };
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Timed {
        total,
        answer,
        median: ms(times[RUNS / 2]),
        p95: ms(times[RUNS * 95 / 100]),
    }
}

/// `url` with its database replaced by `database` (a `postgres://` URL or a
/// `key=value` connection string, the two forms the store accepts).
fn with_database(url: &str, database: &str) -> String {
    if let Some(at) = url.find("://") {
        let (base, query) = match url.find('?') {
            Some(q) => (&url[..q], &url[q..]),
            None => (url, ""),
        };
        let host_end = base[at + 3..].find('/').map_or(base.len(), |i| at + 3 + i);
        format!("{}/{database}{query}", &base[..host_end])
    } else {
        format!("{url} dbname={database}")
    }
}

/// A desk on PostgreSQL holding what the SQLite desk at `sqlite` holds: the database
/// `bench_search_<customers>` on the server at `url`, reused when it holds every customer
/// of the file (the migration is one transaction: all or nothing), else made anew, filled
/// by the core's migration from the file and then vacuumed and analysed. Returns the
/// desk and a sentence for the report saying how it was filled.
fn postgres_desk(url: &str, sqlite: &Path, target: &Path, customers: usize) -> (Desk, String) {
    let name = format!("bench_search_{customers}");
    let bench_url = with_database(url, &name);
    let mut admin =
        postgres::Client::connect(url, postgres::NoTls).expect("connect to AFTERSALES_BENCH_PG");
    let file = rusqlite::Connection::open(sqlite).unwrap();
    let want: i64 = file
        .query_row("SELECT count(*) FROM customer", [], |r| r.get(0))
        .unwrap();
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .is_some();
    let have: Option<i64> = if exists {
        let mut c = postgres::Client::connect(&bench_url, postgres::NoTls).unwrap();
        c.query_opt("SELECT count(*) FROM customer", &[])
            .ok()
            .flatten()
            .map(|r| r.get(0))
    } else {
        None
    };
    let dir = target.join(format!("bench-data/search-v2-{customers}-postgres"));
    let show = |admin: &mut postgres::Client, what: &str| -> String {
        admin
            .query_one(&format!("SHOW {what}"), &[])
            .unwrap()
            .get(0)
    };
    let version = format!(
        "{} (shared_buffers {}, fsync {})",
        show(&mut admin, "server_version"),
        show(&mut admin, "shared_buffers"),
        show(&mut admin, "fsync")
    );
    let note = if have == Some(want) {
        println!("PostgreSQL: reusing database {name} ({want} customers)");
        format!(
            "PostgreSQL {version}, database filled by an earlier run with `people::migrate::from_sqlite` \
             from the same SQLite file, then `VACUUM (ANALYZE)`."
        )
    } else {
        // Two statements: sent as one string they would run in one transaction block,
        // where neither is allowed.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let start = Instant::now();
        let mut desk = Desk::open_postgres(&bench_url, &dir).expect("open the PostgreSQL desk");
        let migrated =
            aftersales::people::migrate::from_sqlite(&mut desk, sqlite).expect("migrate-from");
        let copy_s = start.elapsed().as_secs_f64();
        drop(desk);
        let rows: u64 = migrated.tables.iter().map(|t| t.rows).sum();
        let start = Instant::now();
        let mut c = postgres::Client::connect(&bench_url, postgres::NoTls).unwrap();
        c.batch_execute("VACUUM (ANALYZE)").unwrap();
        let analyse_s = start.elapsed().as_secs_f64();
        println!(
            "PostgreSQL: migrated {rows} rows in {copy_s:.0} s, VACUUM (ANALYZE) in {analyse_s:.0} s"
        );
        format!(
            "PostgreSQL {version}, filled from the same SQLite file by the core's migration \
             (`people::migrate::from_sqlite`, what `migrate-from` runs: {rows} rows copied and \
             checked, the search tables rebuilt) in {copy_s:.0} s, then `VACUUM (ANALYZE)` in \
             {analyse_s:.0} s."
        )
    };
    let desk = Desk::open_postgres(&bench_url, &dir).expect("open the PostgreSQL desk");
    (desk, note)
}
