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

// ---- the Chinese screens, as every role sees them ---------------------------------------

use serde_json::{json, Value};
use ui_tests::{go, wait_until, Engine, Screen};

/// Latin words a Chinese screen may show: keys, file formats, network words, units.
const ALLOWED: &[&str] = &[
    "Ctrl",
    "Esc",
    "Enter",
    "Shift",
    "Alt",
    "Tab",
    "Insert",
    "Delete",
    "Backspace",
    "Space",
    "PageUp",
    "PageDown",
    "Home",
    "End",
    "PDF",
    "Excel",
    "xlsx",
    "csv",
    "CSV",
    "IP",
    "LAN",
    "TLS",
    "QR",
    "SN",
    "URL",
    "English",
    "mm",
    "dpi",
    "kg",
    "Wi",
    "Fi",
    "VIP",
    "UTF",
    "GBK",
    "xls",
    "IPv",
    "KB",
    "MB",
    "PNG",
    "JPEG",
    // WeChat's own name for a follower's id, as its console and documents write it.
    "OpenID",
];

fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

/// Every visible text of the page: the body's innerText and the title, placeholder and
/// aria-label attributes (the data file's path in the status bar left out).
const VISIBLE_TEXT: &str = r#"
    const file = document.getElementById('status-data-file');
    let text = document.body.innerText;
    if (file && file.innerText) text = text.split(file.innerText).join(' ');
    const out = [text];
    for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label]')) {
      if (el.closest('#status-data-file')) continue;
      for (const name of ['title', 'placeholder', 'aria-label']) {
        const value = el.getAttribute(name);
        if (value) out.push(value);
      }
    }
    return out.join('\n');
"#;

/// Latin words (2+ letters, not allowed) and raw i18n keys in `text`, after removing the
/// test's own data (codes, numbers, logins).
fn findings(text: &str, data: &[String]) -> Vec<String> {
    let mut text = text.to_string();
    for item in data {
        text = text.replace(item.as_str(), " ");
    }
    let mut found = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || !c.is_ascii()) {
        // A file path or an address is data, not a word of the screen.
        if token.contains('/') || token.contains('\\') {
            continue;
        }
        // A file name (desk-20261204-daily.db, or .dump: pg_dump's on PostgreSQL) is data too.
        if [".db", ".dump", ".xlsx", ".csv", ".pdf", ".png", ".jpg"]
            .iter()
            .any(|ext| token.to_ascii_lowercase().ends_with(ext))
        {
            continue;
        }
        let token =
            token.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_');
        let token = token.trim_matches('.');
        let is_key = token.contains('.')
            && token.split('.').next().is_some_and(|head| {
                !head.is_empty() && head.chars().all(|c| c.is_ascii_lowercase())
            })
            && token.split('.').skip(1).all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            });
        if is_key {
            found.push(format!("raw key `{token}`"));
            continue;
        }
        for word in token.split(|c: char| !c.is_ascii_alphanumeric()) {
            // Letters with digits are a code (FW2026000001, P100, IPv4, F12), not a word.
            if word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            if word.len() >= 2 && !ALLOWED.contains(&word) {
                found.push(format!("`{word}`"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Up to 24 characters either side of the first `word` in `text`, on one line.
fn context(text: &str, word: &str) -> String {
    let Some(at) = text.find(word) else {
        return String::new();
    };
    let before: String = text[..at]
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[at..].chars().take(word.chars().count() + 24).collect();
    format!("{before}{after}").replace('\n', " ⏎ ")
}

/// Data on every screen: a model, customer, machine, order, part with stock, an engineer,
/// a complaint. Returns the routes to visit and the test's own codes.
fn i18n_data(s: &Screen) -> (Vec<String>, Vec<String>) {
    let model = id_of(&s.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id_of(&s.call(
        "customers.create",
        json!({"name": "龚秀英", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号",
               "region": "北京"}),
    ));
    let machine = id_of(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SNI18N0001",
               "purchase_date": "2025-01-15"}),
    ));
    // 定期保养 (issue 21): the model has a plan, so the machine's file shows its card.
    s.call(
        "plans.save",
        json!({"model_id": model, "every_months": 6, "starts_on": "2025-01-15"}),
    );
    let part = id_of(&s.call(
        "parts.save",
        json!({"code": "P100", "name": "点火针", "spec": "通用", "unit": "个", "models": ["JSQ25-13"],
               "cost_fen": 1000, "price_fen": 3500, "barcode": "6900000000100", "bin": "A-01",
               "min_stock": 1}),
    ));
    s.call(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀"}),
    );
    let order = s.call(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault_tags": ["不点火"], "confirmed": true}),
    );
    let order_id = id_of(&order);
    let number = order["number"].as_str().unwrap_or_default().to_string();
    let complaint = s.call(
        "complaints.create",
        json!({"customer_id": customer, "against": "company", "channel": "letter",
               "cause": "fees", "content": "上门费收得太高"}),
    );
    let complaint_number = complaint["number"].as_str().unwrap_or_default().to_string();
    let complaint = id_of(&complaint);
    // 备用机 (issue 21): one lent on the order, so the register and the order show a loan.
    let loaner = id_of(&s.call(
        "loaners.save",
        json!({"model": "小天鹅 洗衣机", "serial": "LNI18N0001", "condition": "good", "deposit_fen": 50000}),
    ));
    let due = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    s.call(
        "loaners.lend",
        json!({"loaner_id": loaner, "order_id": order_id, "method": "cash", "due_date": due}),
    );
    // 厂家索赔 (issue 21): a brand with the model, so its batch and rate card show.
    s.call(
        "claims.brand_save",
        json!({"name": "海尔", "models": [model],
               "rates": [{"kind": "repair", "labour_fen": 5000}]}),
    );
    let routes = [
        "#/day".to_string(),
        "#/customers".to_string(),
        "#/customers/new".to_string(),
        "#/customers/import".to_string(),
        format!("#/customers/{customer}"),
        format!("#/customers/{customer}/edit"),
        format!("#/customers/{customer}/equipment/new"),
        format!("#/equipment/{machine}"),
        format!("#/equipment/{machine}/edit"),
        "#/orders/new".to_string(),
        format!("#/orders/{order_id}"),
        "#/board".to_string(),
        "#/callbacks".to_string(),
        "#/complaints".to_string(),
        "#/complaints/new".to_string(),
        format!("#/complaints/{complaint}"),
        "#/campaigns".to_string(),
        "#/campaigns/new".to_string(),
        "#/loaners".to_string(),
        "#/claims".to_string(),
        "#/parts".to_string(),
        "#/parts/new".to_string(),
        format!("#/parts/{part}"),
        format!("#/parts/{part}/edit"),
        "#/stock-report".to_string(),
        "#/stocktake".to_string(),
        "#/reports".to_string(),
        "#/settings".to_string(),
        "#/settings/models".to_string(),
        "#/settings/commission".to_string(),
        "#/settings/slip-template".to_string(),
        "#/slips/continuity".to_string(),
        "#/users".to_string(),
        "#/backup".to_string(),
        "#/audit".to_string(),
    ]
    .to_vec();
    let mut data = vec![
        "JSQ25-13".to_string(),
        "SNI18N0001".to_string(),
        "LNI18N0001".to_string(),
        "P100".to_string(),
        number,
        complaint_number,
        // the main store's own code
        "MAIN".to_string(),
        ui_tests::DESK_LOGIN.to_string(),
    ];
    data.retain(|d| !d.is_empty());
    (routes, data)
}

/// Waits until the screen on show has rendered (not busy, something in the view).
async fn wait_rendered(s: &Screen, hash: &str) {
    let c = s.client();
    wait_until(&format!("{hash} on show"), || async move {
        let state = c
            .execute(
                "const v = document.getElementById('view');
                 return [location.hash.split('?')[0], v.getAttribute('aria-busy'), v.innerText.trim().length];",
                vec![],
            )
            .await?;
        Ok(if state[0] == json!(hash) && state[1].is_null() && state[2].as_u64().unwrap_or(0) > 0 {
            Ok(())
        } else {
            Err(format!("{state}"))
        })
    })
    .await
}

async fn every_screen_in_chinese(s: &Screen) {
    let (routes, mut data) = i18n_data(s);
    let mut problems: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut contexts: BTreeMap<String, String> = BTreeMap::new();
    for (role, name) in [
        ("clerk", "前台小周"),
        ("dispatcher", "派工老孙"),
        ("engineer", "工程师小吴"),
        ("storekeeper", "库管老郑"),
        ("manager", "主管老王"),
        ("admin", "管理员小冯"),
    ] {
        let login = format!("zh-{role}");
        data.push(login.clone());
        s.log_in_as(&login, name, &[role]).await;
        for hash in &routes {
            go(s.client(), hash).await;
            wait_rendered(s, hash).await;
            let text = s
                .client()
                .execute(VISIBLE_TEXT, vec![])
                .await
                .expect("visible text");
            let text = text.as_str().unwrap_or_default();
            for found in findings(text, &data) {
                let word = found
                    .trim_start_matches("raw key ")
                    .trim_matches('`')
                    .to_string();
                contexts
                    .entry(found.clone())
                    .or_insert_with(|| context(text, &word));
                problems
                    .entry(found)
                    .or_default()
                    .insert(format!("{hash} ({role})"));
            }
        }
    }
    let report: Vec<String> = problems
        .iter()
        .map(|(word, wheres)| {
            let wheres: Vec<&String> = wheres.iter().collect();
            let seen = contexts.get(word).map(String::as_str).unwrap_or_default();
            format!("{word} in «{seen}» on {wheres:?}")
        })
        .collect();
    assert!(
        report.is_empty(),
        "English words or raw keys on the Chinese screens:\n{}",
        report.join("\n")
    );
}

#[test]
fn i18n_findings_see_words_and_keys() {
    let data = vec!["JSQ25-13".to_string()];
    assert_eq!(
        findings("按 Ctrl+S 保存，型号 JSQ25-13", &data),
        Vec::<String>::new()
    );
    assert_eq!(
        findings("状态 started", &data),
        vec!["`started`".to_string()]
    );
    assert_eq!(
        findings("字段 slip.field.number", &data),
        vec!["raw key `slip.field.number`".to_string()]
    );
    assert_eq!(
        findings("F2 新建工单 · 导出 PDF", &data),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn p10_every_screen_shows_chinese_words_only_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    every_screen_in_chinese(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p10_every_screen_shows_chinese_words_only_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    every_screen_in_chinese(&s).await;
    s.close().await;
}
