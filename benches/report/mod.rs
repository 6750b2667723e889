//! What every benchmark shares: writing its figures into docs/PERFORMANCE.md between its
//! own markers, with the date and the machine they were measured on.

use std::path::{Path, PathBuf};

/// docs/PERFORMANCE.md of the workspace: the first one found from the benchmark's package
/// up (the core's benches and the UI benchmark in tests/ui share this module).
fn performance_md() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("docs/PERFORMANCE.md"))
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/PERFORMANCE.md"))
        })
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in
/// docs/PERFORMANCE.md (adding it when missing), with a dated header of the machine.
pub fn write_section(name: &str, body: &str) {
    let path = performance_md();
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
