//! Customer search at 1,000,000 customers, through the command table as a door calls it
//! (JSON in, JSON out). Run by `cargo xtask bench`; writes its figures into
//! docs/PERFORMANCE.md between the `bench:search` markers.
//!
//! The generated database is kept in the target folder and reused, so a second run
//! measures without waiting for generation again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aftersales::{api, Desk};
use serde_json::{json, Value};

const CUSTOMERS: usize = 1_000_000;
const RUNS: usize = 40;

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/customers-{CUSTOMERS}"));
    let mut desk = Desk::open_dir(&dir).expect("open bench desk");
    let have = api::call(&mut desk, "app.info", json!({})).unwrap()["customers"]
        .as_u64()
        .unwrap();
    let mut generation = String::new();
    if have as usize != CUSTOMERS {
        drop(desk);
        let _ = std::fs::remove_dir_all(&dir);
        desk = Desk::open_dir(&dir).unwrap();
        let start = Instant::now();
        aftersales::demo::fill(&mut desk, CUSTOMERS).unwrap();
        generation = format!(
            "Generating {CUSTOMERS} customers in one transaction took {:.1} s.",
            start.elapsed().as_secs_f64()
        );
        println!("{generation}");
    }
    let file_mb = std::fs::metadata(desk.path()).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    // Real values from the generated data: a customer near the middle.
    let middle = api::call(
        &mut desk,
        "customers.search",
        json!({"page": 5000, "page_size": 100}),
    )
    .unwrap();
    let sample = &middle["items"][0];
    let mobile = sample["phones"][0]["number"].as_str().unwrap().to_string();
    let name = sample["name"].as_str().unwrap().to_string();
    let two: String = name.chars().take(2).collect();
    let id = sample["id"].clone();

    let cases: Vec<(String, &str, Value)> = vec![
        (
            format!("name, 2 characters ({two})"),
            "customers.search",
            json!({"query": two}),
        ),
        (
            "name, 1 character (王), ranked".into(),
            "customers.search",
            json!({"query": "王"}),
        ),
        (
            "company fragment (恒泰商贸)".into(),
            "customers.search",
            json!({"query": "恒泰商贸"}),
        ),
        (
            "address fragment (浦东新区), ranked".into(),
            "customers.search",
            json!({"query": "浦东新区"}),
        ),
        (
            "whole mobile".into(),
            "customers.search",
            json!({"query": mobile}),
        ),
        (
            "mobile, first 7 digits".into(),
            "customers.search",
            json!({"query": &mobile[..7]}),
        ),
        (
            "phone, last 4 digits".into(),
            "customers.search",
            json!({"query": &mobile[7..]}),
        ),
        (
            "list, page 1".into(),
            "customers.search",
            json!({"query": ""}),
        ),
        (
            "list, page 1000".into(),
            "customers.search",
            json!({"query": "", "page": 1000}),
        ),
        (
            "customer file (get by id)".into(),
            "customers.get",
            json!({"id": id}),
        ),
    ];

    let mut rows = Vec::new();
    for (label, command, args) in &cases {
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            let out = api::call(&mut desk, command, args.clone()).expect(label);
            times.push(start.elapsed());
            total = out["total"].as_u64().unwrap_or(1);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let row = format!(
            "| {label} | {total} | {:.2} | {:.2} |",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100])
        );
        println!("{row}");
        rows.push(row);
    }

    let section = format!(
        "Customer search, {CUSTOMERS} customers (database file {file_mb:.0} MB), {RUNS} runs each, \
         through `api::call` with JSON in and out, page size 50. Target: every search ≤ 50 ms (the \
         list updates while the clerk types). {generation}\n\n\
         | search | matches | median ms | p95 ms |\n|---|---:|---:|---:|\n{}\n",
        rows.join("\n")
    );
    write_section("search", &section);
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in
/// docs/PERFORMANCE.md (adding it when missing), with a dated header of the machine.
fn write_section(name: &str, body: &str) {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/PERFORMANCE.md"));
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Performance\n\nMeasured by `cargo xtask bench` on generated data. Each section is rewritten by its \
         benchmark.\n"
            .to_string()
    });
    let (open, close) = (
        format!("<!-- bench:{name} -->"),
        format!("<!-- /bench:{name} -->"),
    );
    let section = format!(
        "{open}\n## {name}\n\nMeasured {} on {}.\n\n{body}{close}",
        today(),
        machine()
    );
    let doc = match (doc.find(&open), doc.find(&close)) {
        (Some(a), Some(b)) => format!("{}{section}{}", &doc[..a], &doc[b + close.len()..]),
        _ => format!("{}\n{section}\n", doc.trim_end()),
    };
    std::fs::write(&path, doc).expect("write docs/PERFORMANCE.md");
    println!("figures written to {}", path.display());
}

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("PRETTY_NAME="))
                .map(|l| l[12..].trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    format!("{cores} cores ({cpu}), {os}, release build")
}
