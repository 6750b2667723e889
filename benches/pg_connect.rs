//! What TLS adds to opening a connection to PostgreSQL (issue 19): `Pg::connect` a few
//! hundred times in plain text, over TLS without checking the certificate (`prefer`, the
//! default) and over verified TLS (`verify-full` with the CA file), against the test
//! cluster on loopback. Run by hand beside a cluster:
//! `cargo xtask pg cargo bench --bench pg_connect`; writes its figures into
//! docs/PERFORMANCE.md between the `bench:pg-connect` markers.

use std::time::{Duration, Instant};

mod report;

use aftersales::platform::db::postgres::Pg;

const CONNECTS: usize = 300;

fn main() {
    let server = std::env::var("AFTERSALES_TEST_PG").expect(
        "AFTERSALES_TEST_PG: run beside a cluster (cargo xtask pg cargo bench --bench pg_connect)",
    );
    let ca = std::env::var("AFTERSALES_TEST_PG_CA").expect("AFTERSALES_TEST_PG_CA");
    let ways = [
        (
            "plain text (`sslmode=disable`)",
            format!("{server}?sslmode=disable"),
        ),
        (
            "TLS, certificate not checked (`prefer`, the default)",
            server.clone(),
        ),
        (
            "TLS, verified (`verify-full`, `sslrootcert`)",
            format!("{server}?sslmode=verify-full&sslrootcert={ca}"),
        ),
    ];
    let mut rows = String::new();
    let mut plain_median = Duration::ZERO;
    for (i, (label, url)) in ways.iter().enumerate() {
        // Warm: the first connection pays for the process's first TLS set-up.
        drop(Pg::connect(url).expect("connect"));
        let mut times: Vec<Duration> = (0..CONNECTS)
            .map(|_| {
                let started = Instant::now();
                let pg = Pg::connect(url).expect("connect");
                let took = started.elapsed();
                drop(pg);
                took
            })
            .collect();
        times.sort();
        let median = times[times.len() / 2];
        let p95 = times[times.len() * 95 / 100];
        if i == 0 {
            plain_median = median;
        }
        let adds = if i == 0 {
            "".to_string()
        } else {
            format!(
                "+{:.2}",
                (median.as_secs_f64() - plain_median.as_secs_f64()) * 1e3
            )
        };
        eprintln!("{label}: median {median:?}, p95 {p95:?}");
        rows.push_str(&format!(
            "| {label} | {:.2} / {:.2} | {adds} |\n",
            median.as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3
        ));
    }
    let profile = if cfg!(debug_assertions) {
        "debug build (`cargo xtask pg cargo test --bench pg_connect`)"
    } else {
        "release build (`cargo xtask pg cargo bench --bench pg_connect`)"
    };
    report::write_section(
        "pg-connect",
        &format!(
            "`Pg::connect` to the test cluster on loopback (PostgreSQL 15, trust \
             authentication, a new connection each, closed after), {CONNECTS} connects each, \
             {profile}. TLS: rustls \
             (ring), TLS 1.3, ECDSA P-256 certificate signed by the cluster's CA.\n\n\
             | connection | ms, median / 95th percentile | TLS adds, median (ms) |\n\
             | --- | --- | --- |\n{rows}\n"
        ),
    );
}
