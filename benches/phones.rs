//! Phone numbers by libphonenumber's rules (issue 17): what a number costs to read, show
//! and look up, and what re-reading an existing desk's numbers costs when a file from
//! before issue 17 is opened (the migration). Run by `cargo xtask bench`; writes its
//! figures into docs/PERFORMANCE.md between the `bench:phones` markers.

use std::time::{Duration, Instant};

mod report;

use aftersales::platform::phone::{lookup_digits, Phone};

/// Numbers as clerks type them, every kind.
const TYPED: &[&str] = &[
    "138 1234 5678",
    "+86 139-0876-4321",
    "0086 13600001111",
    "021-61234567",
    "0755 8765 4321",
    "021-61234567 转 801",
    "0931-8123456",
    "400-800-1234",
    "+852 9123 4567",
    "+1 415 555 2671",
    "026-12345678",
    "12012345678",
];
const ROUNDS: usize = 2_000;
/// Customer phones in the file re-read by the migration.
const STORED: usize = 200_000;

fn per_call(mut f: impl FnMut(), calls: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / calls as f64
}

fn main() {
    // Warm the compiled patterns once, as a running desk has.
    for t in TYPED {
        let _ = Phone::parse(t);
    }
    let parse = per_call(
        || {
            for t in TYPED {
                std::hint::black_box(Phone::parse(t).ok());
            }
        },
        ROUNDS,
    ) / TYPED.len() as f64;
    let stored: Vec<Phone> = TYPED.iter().filter_map(|t| Phone::parse(t).ok()).collect();
    // First sight of a number (distinct numbers, more than the memory keeps between
    // clearings) and a number shown before (the same page again).
    let mut next = 0u64;
    let cold = per_call(
        || {
            next += 1;
            let p = Phone::from_stored(&format!("139{:08}", next % 100_000_000));
            std::hint::black_box(p.display());
        },
        ROUNDS * TYPED.len(),
    );
    let display = per_call(
        || {
            for p in &stored {
                std::hint::black_box(p.display());
            }
        },
        ROUNDS,
    ) / stored.len() as f64;
    let lookup = per_call(
        || {
            for q in ["5678", "138 1234", "+852 9123 4567", "13812345678"] {
                std::hint::black_box(lookup_digits(q));
            }
        },
        ROUNDS,
    ) / 4.0;

    // A file as the version before issue 17 left it: its stored forms, a few numbers that
    // no longer parse, then opened (the migration runs once, in one transaction).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    {
        let mut conn = before_phones::desk_before_phone_migration(&path);
        let tx = conn.transaction().unwrap();
        {
            let at = "2026-01-05T09:00:00+08:00";
            let mut customer = tx
                .prepare("INSERT INTO customer (id, kind, name, created_at, updated_at) VALUES (?1, 'person', '客户', ?2, ?2)")
                .unwrap();
            let mut phone = tx
                .prepare("INSERT INTO customer_phone (customer_id, position, number, digits) VALUES (?1, 0, ?2, ?2)")
                .unwrap();
            for i in 0..STORED as i64 {
                customer.execute(rusqlite::params![i + 1, at]).unwrap();
                let number = match i % 100 {
                    0 => format!("026{:08}", i % 100_000_000),
                    1..=24 => format!("021{}{:07}", 2 + i % 7, i % 10_000_000),
                    _ => format!("13{}{:08}", i % 10, i % 100_000_000),
                };
                phone.execute(rusqlite::params![i + 1, number]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let start = Instant::now();
    let desk = aftersales::Desk::open(&path).unwrap();
    let migration = start.elapsed();
    drop(desk);
    let check = rusqlite::Connection::open(&path).unwrap();
    let listed: i64 = check
        .query_row("SELECT count(*) FROM phone_review", [], |r| r.get(0))
        .unwrap();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let body = format!(
        "Release build, one thread. Per number, over {ROUNDS} rounds of {} typed numbers of every kind \
         (mobiles, landlines with and without extension, 400, Hong Kong, the US, and two that are \
         refused with their reason).\n\n\
         | what | µs per number |\n|---|---:|\n\
         | `Phone::parse` (read, check, stored form; a refusal with its reason) | {parse:.1} |\n\
         | `Phone::display` of a stored number seen for the first time | {cold:.1} |\n\
         | `Phone::display` of a stored number shown before (a list shown again) | {display:.1} |\n\
         | `lookup_digits` (what the search box and 来电登记 look for) | {lookup:.1} |\n\n\
         Opening a file from before issue 17 with {STORED} customer phones (mobiles, Shanghai \
         landlines, 1 % under the non-existent area code 026): the \
         migration re-reads every number in {:.0} ms ({:.1} µs a number) and lists {listed} for the clerk.\n\n",
        TYPED.len(),
        ms(migration),
        migration.as_secs_f64() * 1e6 / STORED as f64,
    );
    print!("{body}");
    report::write_section("phones", &body);
}

#[path = "../tests/fixtures/before_phones.rs"]
mod before_phones;
