//! The search benchmark's data, generated once: 1,000,000 customers with about 3 machines
//! each, by `demo::fill_with` with the same seed as `benches/search.rs`, into the same
//! SQLite desk (`<target>/bench-data/search-v2-1000000/`). `benches/pg_search/load.sh`
//! copies its searchable tables into PostgreSQL, so both engines are measured on the same
//! rows.

use std::path::PathBuf;
use std::time::Instant;

const CUSTOMERS: usize = 1_000_000;
const MACHINES_PER_CUSTOMER: usize = 3;

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join(format!("bench-data/search-v2-{CUSTOMERS}"));
    let mut desk = aftersales::Desk::open_dir(&dir).expect("open bench desk");
    if aftersales::archive::customers::count(&desk).expect("count") as usize != CUSTOMERS {
        drop(desk);
        let _ = std::fs::remove_dir_all(&dir);
        desk = aftersales::Desk::open_dir(&dir).expect("open bench desk");
        let start = Instant::now();
        aftersales::demo::fill_with(&mut desk, CUSTOMERS, MACHINES_PER_CUSTOMER).expect("fill");
        eprintln!("generated in {:.1} s", start.elapsed().as_secs_f64());
    }
    println!("{}", desk.path().display());
}
