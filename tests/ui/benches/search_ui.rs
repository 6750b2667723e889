//! Search as you type in the real browser at 1,000,000 customers: keystroke → results
//! painted, measured in the page (the keydown's timestamp to the frame after the dropdown
//! shows the results for that keystroke's text or a later one), real keystrokes through
//! WebDriver into headless Chromium on the browser door. Run by `cargo xtask bench`, which
//! sets AFTERSALES_BIN (a release build) and AFTERSALES_UI_DIR; writes its figures into
//! docs/PERFORMANCE.md between the `bench:search-ui` markers.
//!
//! The data is the search benchmark's (`<target>/bench-data/search-v2-1000000`, made by
//! benches/search.rs of the core, which `cargo xtask bench` runs first); it is never
//! regenerated here. The only change made to it: the benchmark's login (through the CLI,
//! as the file's owner) if it is not there yet.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../../benches/report/mod.rs"]
mod report;

use fantoccini::{Client, Locator};
use serde_json::json;
use ui_tests::{
    cli_call, ensure_desk_user, find, log_in_on_screen, required_path, wait_until, Proc, Session,
    DESK_LOGIN, DESK_PASSWORD,
};

const CUSTOMERS: usize = 1_000_000;
const ROUNDS: usize = 3;
const TARGET_MS: f64 = 50.0;

/// Where the core's search benchmark keeps its database (same rule as benches/search.rs).
fn data_dir() -> PathBuf {
    let target = std::env::var_os("SEARCH_UI_TARGET")
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR"))
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join(format!("bench-data/search-v2-{CUSTOMERS}"))
}

/// `aftersales serve` on the bench data; the URL it printed.
fn serve(dir: &Path) -> (Proc, String) {
    let bin = required_path("AFTERSALES_BIN");
    let ui = required_path("AFTERSALES_UI_DIR");
    let log = std::env::temp_dir().join(format!("search-ui-serve-{}.log", std::process::id()));
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
        assert!(
            Instant::now() < deadline,
            "`aftersales serve` printed no `UI:` line: {printed}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    (proc, url)
}

/// Real values from the data: phone tails, 2-character names, whole names.
fn queries(dir: &Path) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for page in [1200, 3700, 5000, 8100] {
        let found = cli_call(
            dir,
            "customers.search",
            json!({"page": page, "page_size": 100}),
        );
        let sample = &found["items"][7];
        let phone = sample["phones"][0]["number"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = sample["name"].as_str().unwrap_or_default().to_string();
        if phone.len() >= 4 {
            out.push(("phone tail, 4 digits", phone[phone.len() - 4..].to_string()));
        }
        let two: String = name.chars().take(2).collect();
        if two.chars().count() == 2 {
            out.push(("name, 2 characters", two));
        }
        if page == 5000 || page == 8100 {
            out.push(("whole name, typed character by character", name));
        }
    }
    out
}

const INSTRUMENT: &str = r#"
    const input = document.getElementById('global-search');
    const list = document.getElementById('global-search-results');
    const m = window.__measure = { keys: [], done: [] };
    // A keystroke: its keydown's time and the text it made (a character the driver inserts
    // without a keydown counts from its input event).
    input.addEventListener('keydown', (event) => {
      m.keys.push({ at: event.timeStamp, text: null, latency: null });
    }, true);
    input.addEventListener('input', (event) => {
      if (!event.isTrusted) return;
      const last = m.keys[m.keys.length - 1];
      if (last && last.text === null) last.text = input.value.trim();
      else m.keys.push({ at: event.timeStamp, text: input.value.trim(), latency: null });
    }, true);
    new MutationObserver(() => {
      if (list.hidden) return;
      const query = list.dataset.query;
      const painted = () => {
        const now = performance.now();
        // The results of keystroke k's text, or of a later one, answer keystroke k.
        let upto = -1;
        m.keys.forEach((k, i) => { if (k.text === query) upto = i; });
        for (let i = 0; i <= upto; i += 1) {
          if (m.keys[i].latency === null) m.keys[i].latency = now - m.keys[i].at;
        }
        m.painted = query;
      };
      requestAnimationFrame(() => setTimeout(painted, 0));
    }).observe(list, { childList: true, attributes: true, attributeFilter: ['data-query', 'hidden'] });
    return true;
"#;

async fn clear_box(c: &Client) {
    c.execute(
        "const i = document.getElementById('global-search'); i.value = '';
         i.dispatchEvent(new Event('input')); window.__measure.keys = []; window.__measure.painted = null;",
        vec![],
    )
    .await
    .expect("clear the box");
}

async fn type_query(c: &Client, query: &str) -> Vec<f64> {
    clear_box(c).await;
    let input = c
        .find(Locator::Css("#global-search"))
        .await
        .expect("search box");
    for ch in query.chars() {
        input.send_keys(&ch.to_string()).await.expect("a keystroke");
    }
    wait_until(&format!("the results for {query:?}"), || async move {
        let m = c.execute("return window.__measure", vec![]).await?;
        let keys = m["keys"].as_array().cloned().unwrap_or_default();
        let all = !keys.is_empty() && keys.iter().all(|k| k["latency"].is_number());
        Ok(if m["painted"] == json!(query) && all {
            Ok(keys
                .iter()
                .filter_map(|k| k["latency"].as_f64())
                .collect::<Vec<f64>>())
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
    let dir = data_dir();
    assert!(
        dir.join("desk.db").exists(),
        "{} has no desk.db: run the core's search benchmark first \
         (`cargo xtask bench` does: `cargo bench -p aftersales --bench search`)",
        dir.display()
    );
    let started = Instant::now();
    ensure_desk_user(&dir);
    let info = cli_call(&dir, "app.info", json!({}));
    let customers = info["customers"].as_u64().unwrap_or(0);
    let asked = queries(&dir);
    let (_door, url) = serve(&dir);
    let session = Session::chromium().await;
    let c = &session.client;
    // A release build takes no session from the address: log in on the screen.
    c.goto(&url).await.expect("open the door");
    log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;
    find(c, "#global-search").await;
    wait_until("the desk to open", || async {
        let class = c.execute("return document.body.className", vec![]).await?;
        Ok(
            if class.as_str().unwrap_or_default().contains("signed-out") {
                Err(format!("{class}"))
            } else {
                Ok(())
            },
        )
    })
    .await;
    find(c, "#global-search-results").await;
    c.execute(INSTRUMENT, vec![])
        .await
        .expect("instrument the page");
    find(c, "#global-search")
        .await
        .click()
        .await
        .expect("focus the box");
    // Warm up: the first queries pay for cold pages of the database file.
    for (_, q) in &asked {
        type_query(c, q).await;
    }

    let mut by_kind: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut all: Vec<f64> = Vec::new();
    for _ in 0..ROUNDS {
        for (kind, q) in &asked {
            let latencies = type_query(c, q).await;
            all.extend(&latencies);
            match by_kind.iter_mut().find(|(k, _)| k == kind) {
                Some((_, list)) => list.extend(latencies),
                None => by_kind.push((kind, latencies)),
            }
        }
    }
    session.close().await;

    let row = |label: &str, values: &[f64]| {
        let mut sorted = values.to_vec();
        sorted.sort_by(|a, b| a.total_cmp(b));
        format!(
            "| {label} | {} | {:.1} | {:.1} | {:.1} |\n",
            sorted.len(),
            percentile(&sorted, 50.0),
            percentile(&sorted, 95.0),
            sorted.last().copied().unwrap_or(f64::NAN),
        )
    };
    let mut table = String::from(
        "| keystrokes | runs | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|\n",
    );
    for (kind, values) in &by_kind {
        table.push_str(&row(kind, values));
    }
    table.push_str(&row("**all**", &all));
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let p95 = percentile(&sorted, 95.0);
    let verdict = if p95 <= TARGET_MS {
        format!("p95 {p95:.1} ms ≤ {TARGET_MS} ms target: met.")
    } else {
        format!("p95 {p95:.1} ms > {TARGET_MS} ms target: **missed**.")
    };
    let queries_text: Vec<String> = asked.iter().map(|(k, q)| format!("{q} ({k})")).collect();
    let section = format!(
        "Keystroke → results painted in the global search box, in headless Chromium through \
         the browser door (`aftersales serve`, release build) on {customers} customers; \
         measured in the page from the keydown's timestamp to the frame after the dropdown \
         shows the results for that keystroke's text or a later one (requestAnimationFrame, \
         then a macrotask). Real keystrokes through WebDriver, one character at a time, \
         {ROUNDS} rounds after a warm-up round; {}. Queries from the data: {}.\n\n{table}\n{verdict}\n\n",
        chromium_version(),
        queries_text.join(", ")
    );
    println!("{section}");
    println!("took {:.1} s", started.elapsed().as_secs_f64());
    report::write_section("search-ui", &section);
}

/// `Chromium 156.0…` as the browser reports itself.
fn chromium_version() -> String {
    Command::new(std::env::var_os("CHROMIUM_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
