//! The house's rules, read off the source tree (docs/ARCHITECTURE.md): the areas of `src/`
//! depend one way, nothing reads the wall clock but the time module, few loose files, thin
//! doors. A change that breaks one fails here with the file and the line to look at.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comment lines (doc links may name any module).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The areas of the core from the bottom up: an area may use those before it, never one
/// after it; `archive` and `stock` stand side by side and do not use each other.
const LAYERS: &[&[&str]] = &[
    &["platform"],
    &["people"],
    &["archive", "stock"],
    &["orders"],
    &["slips", "claims"],
    &["followup", "calls"],
    &["notify"],
    &["reports"],
];

fn layer_of(area: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&area))
}

/// The first path segment of everything a piece of code names under `crate::`, including
/// the items of `use crate::{a::b, c}` groups.
fn crate_roots(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group, up to its closing brace.
            let mut depth = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            found.insert(first_segment(&item));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.remove("");
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn areas_depend_one_way() {
    let src = root().join("src");
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let Some(area) = relative.iter().next().and_then(|a| a.to_str()) else {
            continue;
        };
        // Loose files at the top (lib, api, search, demo, jobs) stand above every area.
        let Some(own) = layer_of(area) else {
            assert!(
                relative.components().count() == 1,
                "{} is in a folder that is not an area: add it to LAYERS",
                relative.display()
            );
            continue;
        };
        let mut code = String::new();
        for (_, line) in code_lines(&file) {
            code.push_str(&line);
            code.push('\n');
        }
        for used in crate_roots(&code) {
            if used == area {
                continue;
            }
            let allowed = match layer_of(&used) {
                Some(layer) => layer < own,
                // The crate root's items (Desk, Error, Result, Actor, Role) are for everyone;
                // the top-level modules above the areas are not.
                None => !["api", "search", "demo", "jobs"].contains(&used.as_str()),
            };
            if !allowed {
                wrong.push(format!("{} uses crate::{used}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "areas must depend one way ({LAYERS:?}):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_dependency_reader_sees_grouped_imports() {
    let roots = crate_roots(
        "use crate::{orders::flow, people::{audit, users}, Desk};\nx(crate::stock::ledger::post);",
    );
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    assert_eq!(roots, ["Desk", "orders", "people", "stock"]);
}

#[test]
fn only_the_time_module_reads_the_wall_clock() {
    let mut wrong = Vec::new();
    for dir in ["src", "cli/src", "src-tauri/src"] {
        for file in rust_files(&root().join(dir)) {
            if file.ends_with("src/platform/time.rs") {
                continue;
            }
            for (number, line) in code_lines(&file) {
                for clock in [
                    "Utc::now",
                    "Local::now",
                    "chrono::Local",
                    "SystemTime::now",
                    "OffsetDateTime::now",
                ] {
                    if line.contains(clock) {
                        let shown = file.strip_prefix(root()).unwrap().display().to_string();
                        wrong.push(format!("{shown}:{number}: {}", line.trim()));
                        break;
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the wall clock is read outside src/platform/time.rs (take now/today from the desk):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn few_loose_files_at_the_top_of_the_core() {
    let loose: Vec<String> = fs::read_dir(root().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        loose.len() <= 8,
        "{} loose files at the top of src/ (at most 8; put them in their area): {loose:?}",
        loose.len()
    );
}

#[test]
fn the_desktop_door_is_thin() {
    for file in rust_files(&root().join("src-tauri/src")) {
        let lines = fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 400,
            "{} has {lines} lines: a door file holds at most 400 (move rules into the core)",
            file.display()
        );
    }
}

/// The stored and wire words of the order's status and of the stock's movement kinds, each
/// with the files allowed to spell it: the file of its enum, and the file of another
/// vocabulary that happens to use the same word.
const VOCABULARIES: &[(&[&str], &[&str])] = &[
    (
        &[
            "registered",
            "dispatched",
            "in_progress",
            "waiting_parts",
            "completed",
            "called_back",
        ],
        &["src/orders/words.rs"],
    ),
    // 三包 (issue 21) reads the machine's repair orders in the archive, which may not
    // depend on the orders area (areas depend one way): it spells the one status it
    // leaves out.
    (
        &["cancelled"],
        &["src/orders/words.rs", "src/archive/sanbao.rs"],
    ),
    // A complaint is closed too (followup::words::ComplaintStatus).
    (
        &["closed"],
        &["src/orders/words.rs", "src/followup/words.rs"],
    ),
    (
        &[
            "receipt",
            "issue",
            "transfer_out",
            "transfer_in",
            "defective",
            "adjustment",
            "reversal",
        ],
        &["src/stock/words.rs"],
    ),
    // 三包's remedy 退货 is `return` too (archive::sanbao::Remedy, issue 21).
    (
        &["return"],
        &["src/stock/words.rs", "src/archive/sanbao.rs"],
    ),
];

/// Whether `line` holds `word` as a double-quoted string or a single-quoted SQL literal.
fn spells(line: &str, word: &str) -> bool {
    line.contains(&format!("\"{word}\"")) || line.contains(&format!("'{word}'"))
}

#[test]
fn the_word_reader_sees_both_quotes() {
    assert!(spells(r#"if s == "cancelled" {"#, "cancelled"));
    assert!(spells("WHERE status <> 'cancelled'", "cancelled"));
    assert!(!spells("WHERE status <> '{cancelled}'", "cancelled"));
    assert!(!spells("OrderStatus::Cancelled", "cancelled"));
}

#[test]
fn status_words_live_only_in_their_enums() {
    let src = root().join("src");
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        // With `/` on every platform: the homes above are written so (built for Windows and
        // run under Wine, the path has `\`).
        let shown = file
            .strip_prefix(root())
            .unwrap()
            .display()
            .to_string()
            .replace('\\', "/");
        // The migrations are history: append-only, they keep the words they were written with.
        if shown == "src/platform/db/migrations.rs" || shown == "src/platform/db/migrations_pg.rs" {
            continue;
        }
        for (number, line) in code_lines(&file) {
            for (words, homes) in VOCABULARIES {
                if homes.contains(&shown.as_str()) {
                    continue;
                }
                for word in words.iter().filter(|w| spells(&line, w)) {
                    wrong.push(format!("{shown}:{number}: \"{word}\": {}", line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "an order status or movement kind spelt outside its enum (use OrderStatus / \
         MovementKind, and their sql_list in SQL):\n{}",
        wrong.join("\n")
    );
}
