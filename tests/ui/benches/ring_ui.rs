//! 来电弹屏 at 1,000,000 customers (issue 20): a call centre's ring (`POST /cti/ring` with
//! the secret) → the caller's pop-up painted in a logged-in headless Chromium desk on the
//! browser door. The clock of the POST's sending (wall clock, ms) against the page's own
//! wall clock (`performance.timeOrigin + performance.now()`) in the frame after the pop-up
//! shows that ring: both on this one machine. Run by `cargo xtask bench` after the search
//! benchmarks (AFTERSALES_BIN a release build, AFTERSALES_UI_DIR); writes its figures into
//! docs/PERFORMANCE.md between the `bench:ring-ui` markers.
//!
//! The data is the search benchmark's (`<target>/bench-data/search-v2-<N>`, made by
//! benches/search.rs of the core; `RING_UI_CUSTOMERS` picks another size it made, e.g. a
//! small one for a trial run); it is never regenerated here. The changes made to it: the
//! benchmark's login and the webhook's secret (through the CLI, as the file's owner), and
//! the rings themselves (the call log, kept 7 days).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "../../../benches/report/mod.rs"]
mod report;

use fantoccini::Client;
use serde_json::json;
use ui_tests::{
    cli_call, ensure_desk_user, find, log_in_on_screen, required_path, wait_until, Proc, Session,
    DESK_LOGIN, DESK_PASSWORD,
};

const DEFAULT_CUSTOMERS: usize = 1_000_000;
const ROUNDS: usize = 30;
const TARGET_MS: f64 = 300.0;
const SECRET: &str = "bench-secret-of-the-call-centre";

fn data_dir(customers: usize) -> PathBuf {
    let target = std::env::var_os("SEARCH_UI_TARGET")
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR"))
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join(format!("bench-data/search-v2-{customers}"))
}

fn serve(dir: &Path) -> (Proc, String) {
    let bin = required_path("AFTERSALES_BIN");
    let ui = required_path("AFTERSALES_UI_DIR");
    let log = std::env::temp_dir().join(format!("ring-ui-serve-{}.log", std::process::id()));
    let out = std::fs::File::create(&log).expect("serve log");
    let proc = Proc::spawn(
        "aftersales serve",
        Command::new(bin)
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--port", "0"])
            .env("AFTERSALES_UI_DIR", ui)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::inherit()),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let url = loop {
        let printed = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(url) = printed
            .lines()
            .find_map(|line| line.strip_prefix("UI: "))
            .filter(|_| printed.ends_with('\n'))
        {
            break url.trim().to_string();
        }
        assert!(Instant::now() < deadline, "no `UI:` line: {printed}");
        std::thread::sleep(Duration::from_millis(100));
    };
    (proc, url)
}

/// Numbers of customers on file, spread over the data (their first phone).
fn numbers(dir: &Path, customers: usize) -> Vec<String> {
    let pages = (customers / 100).max(1);
    (0..ROUNDS)
        .filter_map(|i| {
            let page = 1 + (i * 7919) % pages;
            let found = cli_call(
                dir,
                "customers.search",
                json!({"page": page, "page_size": 100}),
            );
            found["items"][i % 100]["phones"][0]["number"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// The wall clock in ms.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn ring(url: &str, phone: &str) -> (u16, f64) {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let body = json!({"phone": phone, "line": "bench"}).to_string();
    let mut s = TcpStream::connect(&host).unwrap();
    let sent = epoch_ms();
    write!(
        s,
        "POST /cti/ring HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nX-Cti-Secret: {SECRET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    (reply[9..12].parse().unwrap(), sent)
}

const INSTRUMENT: &str = r#"
    const m = window.__ring = { shown: {} };
    new MutationObserver(() => {
      const popup = document.getElementById('ring-popup');
      const id = popup?.dataset.ring;
      if (!id || m.shown[id]) return;
      m.shown[id] = -1;
      requestAnimationFrame(() => setTimeout(() => {
        m.shown[id] = performance.timeOrigin + performance.now();
      }, 0));
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-ring'] });
    return true;
"#;

async fn painted(c: &Client, ring_id: i64) -> f64 {
    wait_until(&format!("ring {ring_id} painted"), || async move {
        let m = c.execute("return window.__ring.shown", vec![]).await?;
        let at = m[ring_id.to_string()].as_f64().unwrap_or(-1.0);
        Ok(if at > 0.0 {
            Ok(at)
        } else {
            Err(format!("{m}"))
        })
    })
    .await
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let size: usize = std::env::var("RING_UI_CUSTOMERS")
        .ok()
        .map(|n| n.parse().expect("RING_UI_CUSTOMERS: a number"))
        .unwrap_or(DEFAULT_CUSTOMERS);
    let dir = data_dir(size);
    assert!(
        dir.join("desk.db").exists(),
        "{} has no desk.db: run the core's search benchmark first",
        dir.display()
    );
    ensure_desk_user(&dir);
    cli_call(&dir, "calls.settings.save", json!({"secret": SECRET}));
    let customers = cli_call(&dir, "app.info", json!({}))["customers"]
        .as_u64()
        .unwrap_or(0);
    let asked = numbers(&dir, size);
    let (_door, url) = serve(&dir);
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&url).await.expect("open the door");
    log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;
    wait_until("the ring stream", || async {
        let s = c
            .execute("return document.body.dataset.rings ?? ''", vec![])
            .await?;
        Ok(if s == "ready" {
            Ok(())
        } else {
            Err(format!("{s}"))
        })
    })
    .await;
    c.execute(INSTRUMENT, vec![]).await.expect("instrument");
    let mut all = Vec::new();
    // The first ring warms the pages of the database file; it is not counted.
    // Rings a quarter of a second apart at least: the webhook takes 5 a second after its
    // burst (cli/src/cti.rs), more than a call centre's lines ring; faster, it says 429.
    let mut last: Option<Instant> = None;
    for (i, phone) in std::iter::once(&asked[0]).chain(asked.iter()).enumerate() {
        if let Some(wait) = last.and_then(|at| Duration::from_millis(250).checked_sub(at.elapsed()))
        {
            std::thread::sleep(wait);
        }
        last = Some(Instant::now());
        let (status, sent) = ring(&url, phone);
        assert_eq!(status, 200, "ring {phone}");
        let id = c
            .execute(
                "return new Promise((ok) => { const t = setInterval(() => { const p = document.getElementById('ring-popup'); if (p) { clearInterval(t); ok(Number(p.dataset.ring)); } }, 5); })",
                vec![],
            )
            .await
            .expect("the pop-up")
            .as_i64()
            .unwrap();
        let at = painted(c, id).await;
        if i > 0 {
            all.push(at - sent);
        }
        c.execute("document.getElementById('ring-close').click()", vec![])
            .await
            .expect("close the pop-up");
        find(c, "body").await;
        wait_until("the pop-up closed", || async {
            let gone = c
                .execute("return !document.getElementById('ring-popup')", vec![])
                .await?;
            Ok(if gone == json!(true) {
                Ok(())
            } else {
                Err("open".to_string())
            })
        })
        .await;
    }
    session.close().await;
    all.sort_by(|a, b| a.total_cmp(b));
    let p95 = percentile(&all, 95.0);
    let verdict = if p95 <= TARGET_MS {
        format!("p95 {p95:.1} ms ≤ {TARGET_MS} ms target: met.")
    } else {
        format!("p95 {p95:.1} ms > {TARGET_MS} ms target: **missed**.")
    };
    // The target is the issue's, at a million customers: a smaller trial says so.
    let verdict = if size == DEFAULT_CUSTOMERS {
        verdict
    } else {
        format!(
            "{verdict} A trial at {size} customers (`RING_UI_CUSTOMERS`), not the target's \
             {DEFAULT_CUSTOMERS}: it says the path works and what it costs apart from the \
             data's size, not that the target is met."
        )
    };
    let section = format!(
        "A call centre's ring (`POST /cti/ring`, secret checked, the caller's screen built and \
         recorded) → the pop-up painted in a logged-in headless Chromium desk (the door's event \
         stream; the frame after the pop-up shows that ring), on {customers} customers, one \
         SQLite door (`aftersales serve`, {} build). {} rings to numbers on file after one \
         warm-up ring; the POST's sending time against the page's wall clock on the same machine.\n\n\
         | rings | median ms | p95 ms | max ms |\n|---:|---:|---:|---:|\n| {} | {:.1} | {:.1} | {:.1} |\n\n{verdict}\n\n",
        build_of(&required_path("AFTERSALES_BIN")),
        all.len(),
        all.len(),
        percentile(&all, 50.0),
        p95,
        all.last().copied().unwrap_or(f64::NAN),
    );
    println!("{section}");
    report::write_section("ring-ui", &section);
}

/// `release` or `debug`: which build of the door was measured (its folder in the target).
fn build_of(bin: &Path) -> &'static str {
    if bin.components().any(|c| c.as_os_str() == "debug") {
        "debug"
    } else {
        "release"
    }
}
