//! Fuzzing (issue 9): what a clerk, a spreadsheet or a buggy script can send must never
//! panic the core, only give an `Err` with a message (or succeed).
//!
//! - The import parsers, through `import.preview` and `stocktake.count_file`: random bytes
//!   under every file name we accept, CSV-ish text (quotes, separators, line breaks,
//!   Chinese) in UTF-8, UTF-8 with BOM and GBK, and real .xlsx files cut short or with
//!   bytes flipped.
//! - The command table: every command of `api::commands()` gets random JSON (mostly objects
//!   whose keys are the API's field names, with values of every JSON type), on a desk with
//!   demo data so ids point at real records.
//!
//! Sandboxed: `slips.print` never gets `send` (it would hand a PDF to the real printer),
//! `backup.now` never gets `dir` (random absolute paths would create folders anywhere; it
//! still backs up, into the temp folder's `backups/`).
//!
//! - The kept corpus of the cargo-fuzz targets (issue 16): every file of `fuzz/corpus/*`
//!   through the same entry points as the targets (`fuzz/entry.rs`), so an input that once
//!   crashed a target stays a regression test in the normal run.
//! - Hostile logos: headers that declare 60000 × 60000 pixels are refused before any
//!   pixel is decoded.
//!
//! Deterministic (proptest with a fixed seed), so a failure can be run again. Case counts
//! are chosen so the whole module runs in well under a minute in a debug build; the counts
//! tried are printed (`--nocapture`) and recorded in docs/RELIABILITY.md.

use std::cell::RefCell;

use aftersales::{api, archive::import};
use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};

use crate::util::desk;

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]))
}

/// Runs `test` over `cases` inputs; a panic (or a result that is neither Ok nor an error
/// with a message) is a failure, returned with the smallest input proptest found.
fn fuzz<S: Strategy>(
    what: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> Option<String>
where
    S::Value: std::fmt::Debug,
{
    match runner(cases).run(&strategy, test) {
        Ok(()) => None,
        Err(e) => Some(format!("{what}: {e}")),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An error must say something a person can read.
fn clear<T>(result: aftersales::Result<T>) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        let message = e.to_string();
        prop_assert!(!message.trim().is_empty(), "empty message for {}", e.code());
    }
    Ok(())
}

// ---- the import parsers ---------------------------------------------------------------

const FILE_NAMES: &[&str] = &[
    "客户.csv",
    "客户.CSV",
    "customers.xlsx",
    "customers.xls",
    "list.txt",
    "noextension",
    "",
];

const CELLS: &[&str] = &[
    "客户名称",
    "联系电话",
    "地址",
    "型号",
    "序列号",
    "购买日期",
    "备件编码",
    "实盘数量",
    "张伟",
    "13812345678",
    "021-6123 4567 转 801",
    "2024/3/15",
    "45000",
    "\"",
    "\"\"",
    "\"a,b\"",
    ",",
    ";",
    "\t",
    "\r\n",
    "\n",
    "",
    " ",
    "=1+1",
    "\u{feff}",
    "喆玥堃赟",
    "🚀",
    "-1",
    "9999999999999999999999",
];

/// CSV-ish text: rows of cells from a pool of headers, values and separators, or random.
fn csvish() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        3 => prop::sample::select(CELLS).prop_map(str::to_string),
        1 => ".{0,8}",
    ];
    let row = prop::collection::vec(cell, 0..7).prop_flat_map(|cells| {
        prop::sample::select(vec![",", "\t", ";", "，"]).prop_map(move |sep| cells.join(sep))
    });
    prop::collection::vec(row, 0..12).prop_map(|rows| rows.join("\n"))
}

/// The text as a file in one of the encodings Chinese Excel writes.
fn encoded(text: &str, how: u8) -> Vec<u8> {
    match how % 4 {
        0 => text.as_bytes().to_vec(),
        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        2 => encoding_rs::GBK.encode(text).0.into_owned(),
        // GBK cut in the middle of a character.
        _ => {
            let mut b = encoding_rs::GBK.encode(text).0.into_owned();
            if b.len() > 1 {
                b.truncate(b.len() - 1);
            }
            b
        }
    }
}

/// A real customer workbook, as a desk would have it.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["客户名称", "联系电话", "地址", "型号", "序列号", "购买日期"],
        [
            "张伟",
            "13812345678",
            "北京市海淀区",
            "JSQ25-13",
            "SN001",
            "2024-03-15",
        ],
        [
            "李娜",
            "021-61234567",
            "上海市浦东新区",
            "JSQ25-13",
            "SN002",
            "2024/3/16",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    sheet.write_number(3, 0, 45000.0).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn the_import_parsers_never_panic() {
    let t = RefCell::new(desk());
    let preview = |name: &str, bytes: &[u8]| -> Result<(), TestCaseError> {
        let args = import::args_for_file(name, bytes);
        let result = import::preview(&mut t.borrow_mut().desk, args).map(|_| Value::Null);
        clear(result)
    };
    let stocktake = {
        let mut t = t.borrow_mut();
        t.ok("stocktake.start", json!({"store_id": 1}))["id"].clone()
    };
    let count_file = |name: &str, bytes: &[u8]| -> Result<(), TestCaseError> {
        let args = json!({"id": stocktake, "file_name": name, "content_base64": b64(bytes)});
        clear(api::call(
            &mut t.borrow_mut().desk,
            "stocktake.count_file",
            args,
        ))
    };
    let book = workbook();
    // The untouched workbook reads.
    preview("customers.xlsx", &book).unwrap();

    let mut failures = Vec::new();
    let mut tried = 0;
    let mut run = |what: &str, cases: u32, failure: Option<String>| {
        tried += cases;
        eprintln!("fuzz {what}: {cases} inputs");
        failures.extend(failure);
    };
    run(
        "import: random bytes",
        300,
        fuzz(
            "random bytes",
            300,
            (
                prop::sample::select(FILE_NAMES),
                prop::collection::vec(any::<u8>(), 0..600),
            ),
            |(name, bytes)| preview(name, &bytes),
        ),
    );
    run(
        "import: csv-ish text, utf-8/bom/gbk",
        400,
        fuzz(
            "csv-ish text",
            400,
            (csvish(), any::<u8>(), prop::sample::select(FILE_NAMES)),
            |(text, how, name)| {
                let bytes = encoded(&text, how);
                preview(name, &bytes)?;
                count_file(name, &bytes)
            },
        ),
    );
    run(
        "import: xlsx cut short or with flipped bytes",
        300,
        fuzz(
            "damaged xlsx",
            300,
            (
                0..book.len(),
                prop::collection::vec((0..book.len(), any::<u8>()), 0..4),
                prop::sample::select(vec!["customers.xlsx", "customers.xls"]),
            ),
            |(cut, flips, name)| {
                let mut bytes = book.clone();
                for (at, byte) in flips {
                    bytes[at] = byte;
                }
                bytes.truncate(cut.max(1));
                preview(name, &bytes)?;
                count_file(name, &bytes)
            },
        ),
    );
    // A file that is not base64 at all.
    clear(api::call(
        &mut t.borrow_mut().desk,
        "import.preview",
        json!({"file_name": "a.csv", "content_base64": "%%%"}),
    ))
    .unwrap();
    eprintln!("fuzz import parsers: {tried} inputs in all");
    assert!(failures.is_empty(), "panics:\n{}", failures.join("\n"));
}

// ---- the command table ------------------------------------------------------------------

/// Field names the commands take (from their argument structs), so that random objects
/// get past the shape check often enough to reach the rules behind it.
const KEYS: &[&str] = &[
    "action",
    "active",
    "address",
    "all",
    "amount_fen",
    "appointment_from",
    "appointment_to",
    "backup_folder",
    "backup_keep",
    "barcode",
    "basis",
    "bin",
    "category",
    "cause",
    "channel",
    "class",
    "code",
    "company_address",
    "company_hotline",
    "company_name",
    "complaint",
    "component",
    "confirmed",
    "contact",
    "content_base64",
    "copies",
    "cost_fen",
    "count",
    "counted",
    "criteria",
    "customer_id",
    "day",
    "days",
    "description",
    "detail",
    "diagnosis",
    "end",
    "engineer",
    "engineer_id",
    "entity",
    "entity_id",
    "equipment_id",
    "exclude_id",
    "fault",
    "fault_tags",
    "feedback",
    "fees",
    "file",
    "file_name",
    "form_no",
    "format",
    "from",
    "from_store_id",
    "id",
    "install_date",
    "items",
    "justified",
    "keep_id",
    "kind",
    "lan_allow",
    "lan_open",
    "lan_port",
    "late_reason",
    "limit",
    "lines",
    "login",
    "mapping",
    "measures",
    "merge_id",
    "method",
    "min_age_months",
    "min_stock",
    "mode",
    "model_id",
    "models",
    "month",
    "months",
    "movement_id",
    "name",
    "new_password",
    "new_password_again",
    "no_service_months",
    "note",
    "notes",
    "number",
    "offset_x",
    "offset_y",
    "old_password",
    "opinion",
    "order_id",
    "order_prefix",
    "page",
    "page_size",
    "paper_h",
    "paper_w",
    "parent_id",
    "part",
    "part_id",
    "part_ids",
    "parts",
    "password",
    "password_again",
    "period",
    "phone",
    "phones",
    "policies",
    "price_fen",
    "printers",
    "priority",
    "purchase_date",
    "quantity",
    "query",
    "reason",
    "region",
    "remarks",
    "repair_warranty_days",
    "reply",
    "result",
    "roles",
    "satisfaction",
    "serial",
    "session",
    "signature",
    "site",
    "size",
    "slip_prefix",
    "slip_terms",
    "solved",
    "source",
    "spec",
    "start",
    "status",
    "step",
    "store_id",
    "supplier",
    "task_id",
    "text",
    "title",
    "to",
    "to_store_id",
    "unit",
    "unit_cost_fen",
    "warranty_end",
    "work_done",
    "work_end",
    "work_order",
    "work_start",
    "x",
    "y",
    "year",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "张伟",
    "13812345678",
    "+86 138-1234-5678",
    "021-61234567转801",
    "2026-11-23",
    "2024/3/15",
    "2024年3月15日",
    "2026-11-24 14:00",
    "08:30",
    "25:99",
    "WO2026000001",
    "FW2026000001",
    "P100",
    "MAIN",
    "repair",
    "on_site",
    "carry_in",
    "phone_help",
    "in_progress",
    "completed",
    "cancelled",
    "cash",
    "wechat",
    "labour",
    "parts",
    "a4",
    "thermal",
    "label",
    "manager",
    "admin",
    "clerk",
    "person",
    "company",
    "vip",
    "purchase",
    "192.168.0.0/16",
    "0.0.0.0/0",
    "-1",
    "1e400",
    "NaN",
    "\u{0}",
    "'; DROP TABLE customer; --",
    "%",
    "_",
    "\"",
    "喆玥堃赟",
    "🚀",
    "ＡＢＣ１２３",
    "/tmp",
    "C:\\Windows",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        2 => (-3i64..40).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1, 0, 1 << 53, 100_000_000_000]).prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        3 => prop::sample::select(STRINGS).prop_map(Value::from),
        1 => ".{0,16}".prop_map(Value::from),
        1 => (1usize..3000).prop_map(|n| Value::from("长".repeat(n))),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-z_]{0,8}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn args() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => value(),
        8 => prop::collection::btree_map(key(), value(), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
    ]
}

/// What the command may not be given in a test (see the module comment).
fn sandbox(command: &str, mut args: Value) -> Value {
    let banned: &[&str] = match command {
        "slips.print" => &["send"],
        "backup.now" => &["dir"],
        _ => &[],
    };
    if let Value::Object(map) = &mut args {
        for key in banned {
            map.remove(*key);
        }
    }
    args
}

/// Demo data, so random small ids often name a real customer, machine, part or order.
fn seeded() -> crate::util::TestDesk {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 30).unwrap();
    aftersales::demo::fill_stock(&mut t.desk, 8, 80).unwrap();
    aftersales::demo::fill_orders(&mut t.desk, 30, 10).unwrap();
    t
}

const CASES_PER_COMMAND: u32 = 80;

#[test]
fn every_command_takes_any_json_without_panicking() {
    let t = RefCell::new(seeded());
    let mut failures = Vec::new();
    let mut tried = 0u32;
    let started = std::time::Instant::now();
    for command in api::commands() {
        let name = command.name;
        let failure = fuzz(name, CASES_PER_COMMAND, args(), |args| {
            let args = sandbox(name, args);
            clear(api::call(&mut t.borrow_mut().desk, name, args))
        });
        tried += CASES_PER_COMMAND;
        failures.extend(failure);
    }
    // Unknown names and non-object arguments are refused, not panicked on.
    for (name, args) in [
        ("no.such", json!({})),
        ("customers.get", json!([1, 2])),
        ("customers.get", json!("x")),
        ("customers.get", json!(7)),
    ] {
        assert!(api::call(&mut t.borrow_mut().desk, name, args).is_err());
    }
    eprintln!(
        "fuzz command table: {} commands × {CASES_PER_COMMAND} = {tried} calls in {:.1} s",
        api::commands().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "panics:\n{}", failures.join("\n"));
}

// ---- the cargo-fuzz corpus (issue 16) ----------------------------------------------------

#[path = "../fuzz/entry.rs"]
mod entry;

#[test]
fn the_kept_fuzz_corpus_runs_through_the_fuzz_entry_points() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut harness = entry::Harness::new();
    for target in ["csv", "xlsx", "xls", "count_sheet", "logo", "api"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fuzz/corpus/{target} is empty");
        for file in &files {
            let data = std::fs::read(file).unwrap();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
                "csv" => harness.csv(&data),
                "xlsx" => harness.xlsx(&data),
                "xls" => harness.xls(&data),
                "count_sheet" => harness.count_sheet(&data),
                "logo" => entry::logo(&data),
                _ => harness.command(&data),
            }));
            assert!(run.is_ok(), "{} panicked", file.display());
        }
        eprintln!("fuzz corpus {target}: {} files", files.len());
    }
}

// ---- hostile logos (issue 16) -------------------------------------------------------------

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut crc = !0u32;
    for &b in &ihdr {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(ihdr);
    png.extend((!crc).to_be_bytes());
    png
}

fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    jpeg.extend(height.to_be_bytes());
    jpeg.extend(width.to_be_bytes());
    jpeg.extend([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xFF, 0xD9]);
    jpeg
}

#[test]
fn f05_a_logo_declaring_60000_by_60000_pixels_is_refused_before_decoding() {
    use aftersales::people::settings;
    for (what, file) in [
        ("PNG", png_header(60_000, 60_000)),
        ("JPEG", jpeg_header(60_000, 60_000)),
    ] {
        let e = settings::logo(&b64(&file)).unwrap_err();
        assert_eq!(e.field(), Some("company_logo"), "{what}");
        assert!(e.to_string().contains("60000×60000"), "{what}: {e}");
        // Through the command too, and nothing stored.
        let mut t = desk();
        let e = t.err("settings.save", json!({"company_logo": b64(&file)}));
        assert_eq!(e["field"], "company_logo", "{what}: {e}");
        assert_eq!(
            t.ok("settings.get", json!({}))["company_logo"],
            "",
            "{what}"
        );
    }
    // The window's own icon is a fine logo: the check refuses the size, not PNGs.
    let icon = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src-tauri/icons/32x32.png"
    ))
    .unwrap();
    let logo = settings::logo(&b64(&icon)).unwrap().unwrap();
    assert_eq!((logo.width, logo.height), (32, 32));
}

// ---- crashes the cargo-fuzz targets found (issue 16) --------------------------------------

/// `api` target, 2026-12-04: `reports.get {"month": "-258-04"}` panicked ("a period's own
/// date") when the period read back a date with a negative year; a period from year 0
/// did the same through its year-earlier comparison. The input is kept in
/// fuzz/corpus/api/crash-reports-negative-year.
#[test]
fn a_report_period_outside_four_digit_years_is_refused_not_a_panic() {
    let mut t = desk();
    for (args, field) in [
        (json!({"month": "-258-04"}), "month"),
        (json!({"month": "0001-01"}), "month"),
        (json!({"month": "10000-01"}), "month"),
        (json!({"from": "0000-01-01", "to": "0000-01-02"}), "from"),
    ] {
        let result = api::call(&mut t.desk, "reports.get", args.clone());
        let e = result.expect_err(&format!("reports.get {args}"));
        assert_eq!(e.field(), Some(field), "{args}: {e}");
    }
    t.ok("reports.get", json!({"month": "2026-11"}));
}
