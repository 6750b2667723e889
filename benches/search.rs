//! Search at 1,000,000 customers and 3,000,000 machines, through the command table as a
//! door calls it (JSON in, JSON out), each search kind side by side with the same
//! question asked as a plain `LIKE` scan. Run by `cargo xtask bench`; writes its figures
//! into docs/PERFORMANCE.md between the `bench:search` markers.
//!
//! The generated database is kept in the target folder and reused, so a second run
//! measures without waiting for generation again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod report;

use aftersales::{api, Desk};
use serde_json::{json, Value};

const CUSTOMERS: usize = 1_000_000;
const MACHINES_PER_CUSTOMER: usize = 3;
const RUNS: usize = 40;
const TARGET_MS: f64 = 5.0;

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/search-v2-{CUSTOMERS}"));
    let mut desk = Desk::open_dir(&dir).expect("open bench desk");
    let have = api::call(&mut desk, "app.info", json!({})).unwrap().value()["customers"]
        .as_u64()
        .unwrap();
    if have as usize != CUSTOMERS {
        drop(desk);
        let _ = std::fs::remove_dir_all(&dir);
        desk = Desk::open_dir(&dir).unwrap();
        let start = Instant::now();
        aftersales::demo::fill_with(&mut desk, CUSTOMERS, MACHINES_PER_CUSTOMER).unwrap();
        println!("generated in {:.1} s", start.elapsed().as_secs_f64());
    }
    let file_mb = std::fs::metadata(desk.path()).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let scan = rusqlite::Connection::open(desk.path()).unwrap();
    let count = |sql: &str| -> i64 { scan.query_row(sql, [], |r| r.get(0)).unwrap() };
    let machines = count("SELECT count(*) FROM equipment");

    // Real values from the generated data: a customer near the middle and one of its machines.
    let middle = api::call(
        &mut desk,
        "customers.search",
        json!({"page": 5000, "page_size": 100}),
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
    let mut rows = Vec::new();
    for (label, command, args, like) in &cases {
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut total = String::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            let out = api::call(&mut desk, command, args.clone()).expect(label);
            times.push(start.elapsed());
            let out = out.value();
            total = match (&out["total"], &out["items"]) {
                (Value::Number(n), _) if out["more"] == true => format!("{n}+"),
                (Value::Number(n), _) => n.to_string(),
                (_, Value::Array(items)) => items.len().to_string(),
                _ => "1".into(),
            };
        }
        times.sort();
        let (median, p95) = (ms(times[RUNS / 2]), ms(times[RUNS * 95 / 100]));
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
            (format!("{l:.1}"), format!("{:.0}×", l / median.max(0.001)))
        };
        let ok = if median <= TARGET_MS && p95 <= TARGET_MS {
            "yes"
        } else {
            "no"
        };
        let row =
            format!("| {label} | {total} | {median:.2} | {p95:.2} | {ok} | {like_ms} | {ratio} |");
        println!("{row}");
        rows.push(row);
    }

    let section = format!(
        "{CUSTOMERS} customers and {machines} machines (database file {file_mb:.0} MB), {RUNS} runs each, \
         through `api::call` with JSON in and out, page size 50 (the one box: 20). Target (issue 3): \
         median and p95 ≤ {TARGET_MS} ms. The LIKE column asks the same question as a plain scan \
         (median of 5), the ratio is LIKE ÷ our median. Searches count matches up to 1,000 (\"1000+\").\n\n\
         | search | matches | median ms | p95 ms | ≤ {TARGET_MS} ms | LIKE scan ms | ratio |\n\
         |---|---:|---:|---:|:-:|---:|---:|\n{}\n",
        rows.join("\n")
    );
    report::write_section("search", &section);
}
