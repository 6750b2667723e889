//! The spare-parts ledger at 10,000 parts and 5,000,000 movements, through the command
//! table as a door calls it. Targets (issue 4): stock of one part ≤ 1 ms; the whole stock
//! report ≤ 200 ms; posting a 5,000-line stocktake ≤ 1 s. Run by `cargo xtask bench`;
//! writes its figures into docs/PERFORMANCE.md between the `bench:stock` markers. The
//! generated database is kept in the target folder and reused.

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod report;

use aftersales::{api, Desk};
use serde_json::json;

const PARTS: usize = 10_000;
const MOVEMENTS: usize = 5_000_000;
const RUNS: usize = 40;

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/stock-{PARTS}-{MOVEMENTS}"));
    let mut desk = Desk::open_dir(&dir).expect("open bench desk");
    let parts = api::call(&mut desk, "parts.list", json!({"page_size": 1}))
        .unwrap()
        .value()["total"]
        .as_u64()
        .unwrap();
    let mut generation = String::new();
    if parts as usize != PARTS {
        drop(desk);
        let _ = std::fs::remove_dir_all(&dir);
        desk = Desk::open_dir(&dir).unwrap();
        let start = Instant::now();
        aftersales::demo::fill_stock(&mut desk, PARTS, MOVEMENTS).unwrap();
        generation = format!(
            " Generating them took {:.0} s.",
            start.elapsed().as_secs_f64()
        );
        println!("generated in {:.1} s", start.elapsed().as_secs_f64());
    }
    let scan = rusqlite::Connection::open(desk.path()).unwrap();
    let movements: i64 = scan
        .query_row("SELECT count(*) FROM stock_movement", [], |r| r.get(0))
        .unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut rows = Vec::new();
    let mut time = |label: &str, runs: usize, target_ms: f64, f: &mut dyn FnMut(usize)| {
        let mut t: Vec<Duration> = (0..runs)
            .map(|i| {
                let start = Instant::now();
                f(i);
                start.elapsed()
            })
            .collect();
        t.sort();
        let (median, p95) = (ms(t[runs / 2]), ms(t[(runs * 95 / 100).min(runs - 1)]));
        let ok = if p95 <= target_ms { "yes" } else { "no" };
        let row = format!("| {label} | {runs} | {median:.2} | {p95:.2} | ≤ {target_ms} ms: {ok} |");
        println!("{row}");
        rows.push(row);
    };
    time(
        "stock of one part (`parts.get`, all stores)",
        RUNS,
        1.0,
        &mut |i| {
            api::call(
                &mut desk,
                "parts.get",
                json!({"id": 1 + (i * 7919) % PARTS}),
            )
            .unwrap();
        },
    );
    time(
        "whole stock report (`stock.report`)",
        10,
        200.0,
        &mut |_| {
            api::call(&mut desk, "stock.report", json!({})).unwrap();
        },
    );
    time(
        "a part's ledger (`stock.ledger`, ~500 movements)",
        RUNS,
        50.0,
        &mut |i| {
            api::call(
                &mut desk,
                "stock.ledger",
                json!({"part_id": 1 + (i * 104_729) % PARTS}),
            )
            .unwrap();
        },
    );
    // A 5,000-line count sheet, every line off by one, then posting it.
    let take = api::call(&mut desk, "stocktake.start", json!({"store_id": 1}))
        .unwrap()
        .value();
    let lines: Vec<serde_json::Value> = take["lines"]
        .as_array()
        .unwrap()
        .iter()
        .take(5000)
        .map(|l| json!({"part": l["code"], "counted": l["expected"].as_i64().unwrap() + 1}))
        .collect();
    let id = take["id"].clone();
    time(
        "enter a 5,000-line count sheet (`stocktake.count`)",
        1,
        1000.0,
        &mut |_| {
            let r = api::call(
                &mut desk,
                "stocktake.count",
                json!({"id": id, "lines": lines}),
            )
            .unwrap();
            assert_eq!(r.value()["stored"], true);
        },
    );
    time(
        "post a 5,000-line stocktake (`stocktake.post`)",
        1,
        1000.0,
        &mut |_| {
            let r = api::call(&mut desk, "stocktake.post", json!({"id": id})).unwrap();
            assert_eq!(r.value()["variances"], 5000);
        },
    );
    let section = format!(
        "{PARTS} parts in 6 stores and {movements} ledger movements, through `api::call` with JSON in and \
         out.{generation} The stocktake run adds its 5,000 adjustments to the database each time.\n\n\
         | what | runs | median ms | p95 ms | target |\n|---|---:|---:|---:|---|\n{}\n",
        rows.join("\n")
    );
    report::write_section("stock", &section);
}
