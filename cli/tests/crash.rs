//! The crash test (issue 9): a child process (`aftersales exercise`) does real user actions
//! in a loop on one database file and reports each one after it was committed; it is
//! killed with SIGKILL at random moments, 100 times, always on the same file. After every
//! kill the file must open (migrations and all), pass `PRAGMA integrity_check`, hold every
//! action the child ever reported, and keep the stock invariant (each balance equals the
//! sum of its movements, in units and value; nothing negative; zero units worth zero).
//!
//! The moments are random but the seed is fixed, so a failure can be run again. Figures
//! go to docs/RELIABILITY.md (run with `--nocapture` to see them).
#![cfg(unix)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 100;
const SEED: u64 = 0x2026_0009;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Everything the children said they did, over all runs.
#[derive(Default)]
struct Promised {
    customers: HashSet<i64>,
    movements: HashSet<i64>,
    orders: HashSet<String>,
}

impl Promised {
    fn take(&mut self, line: &str) -> bool {
        let Some((what, key)) = line.split_once(' ') else {
            return false;
        };
        match what {
            "customer" => self.customers.insert(key.parse().expect("customer id")),
            "movement" => self.movements.insert(key.parse().expect("movement id")),
            "order" => self.orders.insert(key.to_string()),
            _ => return false,
        };
        true
    }
}

fn ids(conn: &rusqlite::Connection, sql: &str) -> HashSet<i64> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn check(file: &Path, promised: &Promised, kill: usize) {
    // The desk opens it as the app would: pragmas, migrations.
    drop(aftersales::Desk::open(file).unwrap_or_else(|e| panic!("kill {kill}: open: {e}")));
    let conn = rusqlite::Connection::open(file).unwrap();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(integrity, ["ok"], "kill {kill}: integrity_check");
    let customers = ids(&conn, "SELECT id FROM customer");
    let lost: Vec<_> = promised.customers.difference(&customers).collect();
    assert!(lost.is_empty(), "kill {kill}: customers lost: {lost:?}");
    let movements = ids(&conn, "SELECT id FROM stock_movement");
    let lost: Vec<_> = promised.movements.difference(&movements).collect();
    assert!(lost.is_empty(), "kill {kill}: movements lost: {lost:?}");
    let mut stmt = conn
        .prepare("SELECT number FROM work_order WHERE status = 'completed' AND EXISTS (SELECT 1 FROM order_part p WHERE p.order_id = work_order.id)")
        .unwrap();
    let completed: HashSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lost: Vec<_> = promised.orders.difference(&completed).collect();
    assert!(
        lost.is_empty(),
        "kill {kill}: completed orders lost: {lost:?}"
    );

    let mut stmt = conn
        .prepare(
            "SELECT b.part_id, b.store_id, b.quantity, b.value_fen,
                    coalesce(sum(m.quantity), 0), coalesce(sum(m.value_fen), 0)
             FROM stock_balance b LEFT JOIN stock_movement m
               ON m.part_id = b.part_id AND m.store_id = b.store_id
             GROUP BY b.part_id, b.store_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, i64>(5)?,
            ])
        })
        .unwrap();
    for row in rows {
        let [part, store, qty, value, sum_qty, sum_value] = row.unwrap();
        assert_eq!(
            (qty, value),
            (sum_qty, sum_value),
            "kill {kill}: part {part} store {store}: balance against its movements"
        );
        assert!(
            qty >= 0 && value >= 0,
            "kill {kill}: part {part}: {qty} worth {value}"
        );
        assert!(
            qty > 0 || value == 0,
            "kill {kill}: part {part}: nothing worth {value}"
        );
    }
    // No movement without its balance row.
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM stock_movement m WHERE NOT EXISTS (SELECT 1 FROM stock_balance b
               WHERE b.part_id = m.part_id AND b.store_id = m.store_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "kill {kill}: movements without a balance");
}

#[test]
fn killed_a_hundred_times_the_desk_loses_nothing_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(aftersales::DB_FILE);
    let mut rng = Rng(SEED);
    let mut promised = Promised::default();
    let started = Instant::now();
    let mut ready = 0;
    for kill in 1..=KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aftersales"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["exercise", "--seed", &(SEED + kill as u64).to_string()])
            .env_remove("AFTERSALES_DATA_DIR")
            .env_remove("AFTERSALES_CLOCK")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        // Mostly while it works; now and then during start-up (open, migrations, fixture).
        let delay = if kill == 1 {
            // The first start creates the file: die in the middle of the migrations.
            rng.next() % 15
        } else if rng.next().is_multiple_of(10) {
            rng.next() % 40
        } else {
            40 + rng.next() % 600
        };
        std::thread::sleep(Duration::from_millis(delay));
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).ok();
            panic!("kill {kill}: the child stopped by itself ({status}): {err}");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Complete lines only: a line cut by the kill was never a promise.
        for line in reader.join().unwrap() {
            if line == "ready" {
                ready += 1;
            } else {
                assert!(promised.take(&line), "kill {kill}: odd line {line:?}");
            }
        }
        check(&file, &promised, kill);
    }
    let took = started.elapsed();
    let actions = promised.customers.len() + promised.movements.len() + promised.orders.len();
    eprintln!(
        "crash test: {KILLS} SIGKILLs survived ({ready} after start-up), {actions} committed actions checked \
         ({} customers, {} movements, {} completed orders), {:.1} s",
        promised.customers.len(),
        promised.movements.len(),
        promised.orders.len(),
        took.as_secs_f64()
    );
    assert!(
        actions > 100,
        "the child did too little to prove anything: {actions}"
    );
}
