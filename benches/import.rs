//! Import of a 100,000-row .xlsx (one customer and one machine per row), through the
//! command table as a door calls it: base64 in, JSON report out. Target: ≤ 10 s for the
//! commit in release. Run by `cargo xtask bench`; writes its figures into
//! docs/PERFORMANCE.md between the `bench:import` markers.
//!
//! Then what one durable commit costs on this disk (`bench:commit`): a payment through
//! the desk (`synchronous=FULL`, as every desk opens its file), and the same one-row
//! commit in plain SQLite with the desk's pragmas under `NORMAL` and under `FULL`.

use std::path::PathBuf;
use std::time::Instant;

mod report;

use aftersales::{api, archive::import, Desk};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

const ROWS: usize = 100_000;
const MODELS: [&str; 3] = ["JSQ25-13", "KFR-35GW", "XQG100"];

/// A sheet as a desk keeps it: name, phone, address, region, model, serial, purchase date.
fn generate(path: &PathBuf) {
    const SURNAMES: &[&str] = &[
        "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
    ];
    const GIVEN: &[&str] = &[
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
    ];
    const CITIES: &[(&str, &str)] = &[
        ("上海", "上海市浦东新区"),
        ("江苏", "南京市鼓楼区"),
        ("浙江", "杭州市西湖区"),
        ("广东", "广州市天河区"),
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "客户名称",
        "联系电话",
        "地址",
        "地区",
        "型号",
        "序列号",
        "购买日期",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..ROWS {
        let row = i as u32 + 1;
        let name = format!(
            "{}{}{}",
            SURNAMES[i % SURNAMES.len()],
            GIVEN[(i / SURNAMES.len()) % GIVEN.len()],
            GIVEN[(i / 7) % GIVEN.len()]
        );
        let (region, city) = CITIES[i % CITIES.len()];
        sheet.write_string(row, 0, &name).unwrap();
        sheet.write_string(row, 1, format!("138{:08}", i)).unwrap();
        sheet
            .write_string(row, 2, format!("{city}{}号", i % 999 + 1))
            .unwrap();
        sheet.write_string(row, 3, region).unwrap();
        sheet
            .write_string(row, 4, MODELS[i % MODELS.len()])
            .unwrap();
        sheet.write_string(row, 5, format!("SN{i:08}")).unwrap();
        sheet
            .write_string(row, 6, format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1))
            .unwrap();
    }
    book.save(path).unwrap();
}

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/import-{ROWS}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("customers.xlsx");
    if !file.exists() {
        let start = Instant::now();
        generate(&file);
        println!(
            "generated {} in {:.1} s",
            file.display(),
            start.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::read(&file).unwrap();
    let size_mb = bytes.len() as f64 / 1e6;
    let args = serde_json::to_value(import::args_for_file("customers.xlsx", &bytes)).unwrap();

    let desk_dir = dir.join("desk");
    let _ = std::fs::remove_dir_all(&desk_dir);
    let mut desk = Desk::open_dir(&desk_dir).unwrap();
    for code in MODELS {
        api::call(
            &mut desk,
            "models.save",
            json!({"code": code, "name": code, "category": "热水器",
                   "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
        )
        .unwrap();
    }

    let mut rows = Vec::new();
    let mut measure = |label: &str, command: &str, desk: &mut Desk| -> f64 {
        let start = Instant::now();
        let out = api::call(desk, command, args.clone()).expect(label);
        let secs = start.elapsed().as_secs_f64();
        let out = out.value();
        let added = out
            .get("added")
            .or_else(|| out.get("to_add"))
            .cloned()
            .unwrap_or_default();
        let row = format!(
            "| {label} | {} | {} | {} | {} | {secs:.2} |",
            added["customers"],
            added["equipment"],
            out["already_present"],
            out["rejected"].as_array().map(Vec::len).unwrap_or(0)
        );
        println!("{row}");
        rows.push(row);
        secs
    };
    measure(
        "preview (checks every row, writes nothing)",
        "import.preview",
        &mut desk,
    );
    let commit = measure("commit into an empty archive", "import.commit", &mut desk);
    measure(
        "same file again (everything already present)",
        "import.commit",
        &mut desk,
    );

    let verdict = if commit <= 10.0 { "met" } else { "NOT met" };
    // Two cores are easily shared with a build or another benchmark: say how busy.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let section = format!(
        "Import of a generated .xlsx of {ROWS} rows ({size_mb:.1} MB; each row one customer with \
         one machine), through `api::call` with the file as base64, as the doors send it. \
         Target: commit ≤ 10 s — {verdict}. Load average at the end: {load}.\n\n\
         | run | customers | machines | already present | rejected | seconds |\n\
         |---|---:|---:|---:|---:|---:|\n{}\n",
        rows.join("\n")
    );
    report::write_section("import", &section);

    commits(&dir, &mut desk);
}

/// Median and 95th percentile, in ms.
fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

/// The cost of a commit that must survive a power cut.
fn commits(dir: &std::path::Path, desk: &mut Desk) {
    const PAYMENTS: usize = 200;
    const ROUNDS: usize = 15;
    const PER_ROUND: usize = 20;
    let mut call =
        |command: &str, args: Value| api::call(desk, command, args).expect(command).value();
    // One completed order with enough owed to take 200 payments of 1 yuan.
    let engineer = call("engineers.save", json!({"name": "李强", "region": "海淀"}))["id"].clone();
    let order = call(
        "orders.create",
        json!({"customer_id": 1, "fault": "不点火", "confirmed": true}),
    )["id"]
        .clone();
    call(
        "orders.assign",
        json!({"id": order, "engineer_id": engineer}),
    );
    call("orders.move", json!({"id": order, "to": "in_progress"}));
    call(
        "orders.complete",
        json!({"id": order, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 100_000}]}),
    );
    let mut pay = Vec::new();
    for _ in 0..PAYMENTS {
        let start = Instant::now();
        call(
            "orders.pay",
            json!({"id": order, "method": "cash", "amount_fen": 100}),
        );
        pay.push(start.elapsed().as_secs_f64() * 1e3);
    }

    // The same commit in plain SQLite, NORMAL and FULL in alternating rounds (so that a
    // busy moment of the machine falls on both), each on its own file beside the desk.
    let open = |name: &str, mode: &str| {
        let path = dir.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", mode).unwrap();
        conn.execute_batch(
            "CREATE TABLE payment (id INTEGER PRIMARY KEY, order_id INTEGER, at TEXT,
                                   method TEXT, amount_fen INTEGER)",
        )
        .unwrap();
        conn
    };
    let modes = [
        ("NORMAL", open("normal.db", "NORMAL")),
        ("FULL", open("full.db", "FULL")),
    ];
    let mut plain: Vec<Vec<f64>> = vec![Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        for (i, (_, conn)) in modes.iter().enumerate() {
            for _ in 0..PER_ROUND {
                let start = Instant::now();
                conn.execute(
                    "INSERT INTO payment (order_id, at, method, amount_fen)
                     VALUES (1, '2026-12-03 10:00:00', 'cash', 100)",
                    [],
                )
                .unwrap();
                plain[i].push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
    }

    let mut rows = Vec::new();
    let (median, p95) = stats(pay);
    rows.push(format!(
        "| one payment through the desk (`orders.pay`, FULL) | {PAYMENTS} | {median:.2} | {p95:.2} |"
    ));
    for ((mode, _), ms) in modes.iter().zip(plain) {
        let runs = ms.len();
        let (median, p95) = stats(ms);
        rows.push(format!(
            "| one-row commit, plain SQLite, WAL + `synchronous={mode}` | {runs} | {median:.2} | {p95:.2} |"
        ));
    }
    for row in &rows {
        println!("{row}");
    }
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    report::write_section(
        "commit",
        &format!(
            "What a commit that must survive a power cut costs on this disk (files beside the \
             import's, in the target folder). Load average at the end: {load}.\n\n\
             | what | runs | median ms | p95 ms |\n|---|---:|---:|---:|\n{}\n",
            rows.join("\n")
        ),
    );
}
