//! The screen's words: ui/i18n/<lang>/<area>.json. Every language has the same area files,
//! every area file the same keys in every language, and a key lives in one area only (its
//! text may be empty where a screen wants nothing). Plain
//! file reads, no browser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

fn i18n_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/i18n")
}

/// area → (key → text) of one language, every value a string.
fn tables(lang: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let dir = i18n_dir().join(lang);
    let mut areas = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let area = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_string();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let table: BTreeMap<String, String> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a table of strings: {e}", path.display()));
        areas.insert(area, table);
    }
    assert!(!areas.is_empty(), "no i18n files in {}", dir.display());
    areas
}

#[test]
fn i18n_key_sets_are_equal() {
    let all: BTreeMap<&str, _> = LANGUAGES.iter().map(|lang| (*lang, tables(lang))).collect();
    let mut problems = Vec::new();
    let areas: BTreeSet<&String> = all.values().flat_map(|areas| areas.keys()).collect();
    for area in areas {
        let keys: BTreeMap<&str, BTreeSet<&String>> = all
            .iter()
            .map(|(lang, areas)| {
                (
                    *lang,
                    areas
                        .get(area)
                        .map(|t| t.keys().collect())
                        .unwrap_or_default(),
                )
            })
            .collect();
        for (lang, mine) in &keys {
            for (other, theirs) in &keys {
                let missing: Vec<&&String> = theirs.difference(mine).collect();
                if !missing.is_empty() {
                    problems.push(format!(
                        "{lang}/{area}.json lacks {} key(s) that {other}/{area}.json has: {missing:?}",
                        missing.len()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the languages differ:\n{}",
        problems.join("\n")
    );
}

#[test]
fn i18n_keys_live_in_one_area() {
    for lang in LANGUAGES {
        let mut seen: BTreeMap<&String, &String> = BTreeMap::new();
        let areas = tables(lang);
        for (area, table) in &areas {
            for key in table.keys() {
                if let Some(first) = seen.insert(key, area) {
                    panic!("{lang}: {key} is in both {first}.json and {area}.json");
                }
            }
        }
    }
}
