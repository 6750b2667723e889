//! Issue 15, the screens of the desk as each role sees them, in both engines (Chromium
//! through the browser door, the real desktop window): a role never sees a button it may
//! not press (设置's saves, 收款, 过账); 设置 in sections with one save each; the audit trail
//! and the 套打 template without internal words; completion confirmed with a summary (Enter
//! does not complete); a fee in warranty asks for its reason; 开始盘点 confirms first.

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};
use ui_tests::*;

// ---- data, made through the CLI door as the file's owner --------------------------------------

/// A customer with a machine in warranty and one out of it, a part (P100, ¥35) with 4 in
/// the main store and 1 in engineer 李强's van.
struct Data {
    machine_in: i64,
    machine_out: i64,
    customer: i64,
    part: i64,
    main: i64,
    van: i64,
    li: i64,
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn seed(s: &Screen) -> Data {
    let model = id_of(&s.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id_of(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let machine_in = id_of(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-IN-0001",
               "purchase_date": date_days_ago(30)}),
    ));
    let machine_out = id_of(&s.call(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-OUT-0002",
               "purchase_date": date_days_ago(900)}),
    ));
    let part = id_of(&s.call(
        "parts.save",
        json!({"code": "P100", "name": "点火针", "unit": "个", "cost_fen": 1000, "price_fen": 3500}),
    ));
    let stores = s.call("stores.list", json!({}));
    let main = id_of(&stores["items"][0]);
    let van = id_of(&s.call(
        "stores.save",
        json!({"code": "VAN-LI", "name": "李工车载库", "kind": "van", "engineer": "李强"}),
    ));
    s.call(
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 5, "unit_cost_fen": 1000}),
    );
    s.call(
        "stock.transfer",
        json!({"part_id": part, "from_store_id": main, "to_store_id": van, "quantity": 1}),
    );
    let li = id_of(&s.call(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀"}),
    ));
    Data {
        machine_in,
        machine_out,
        customer,
        part,
        main,
        van,
        li,
    }
}

/// A repair order on `machine`, dispatched to 李强 and started.
fn working_order(s: &Screen, d: &Data, machine: i64) -> i64 {
    let o = id_of(&s.call(
        "orders.create",
        json!({"customer_id": d.customer, "equipment_id": machine, "kind": "repair",
               "channel": "phone", "mode": "on_site", "fault": "打开热水后没有火",
               "confirmed": true}),
    ));
    s.call("orders.assign", json!({"id": o, "engineer_id": d.li}));
    s.call("orders.move", json!({"id": o, "to": "in_progress"}));
    o
}

/// A completed order out of warranty that still owes ¥50.
fn owing_order(s: &Screen, d: &Data) -> i64 {
    let o = working_order(s, d, d.machine_out);
    s.call(
        "orders.complete",
        json!({"id": o, "work_done": "清理燃烧室", "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    o
}

// ---- reading the screen --------------------------------------------------------------------

/// Whether the element exists and takes up room on the page (not display:none, not in a
/// hidden ancestor).
async fn shown(c: &Client, css: &str) -> bool {
    c.execute(
        "const el = document.querySelector(arguments[0]);
         return !!el && el.getClientRects().length > 0;",
        vec![json!(css)],
    )
    .await
    .map(|v| v.as_bool().unwrap_or(false))
    .unwrap_or(false)
}

/// Waits until `css` is on show (`true`) or not (`false`).
async fn wait_shown(c: &Client, css: &str, want: bool) {
    wait_until(
        &format!("`{css}` {}", if want { "shown" } else { "not shown" }),
        || async move {
            let now = shown(c, css).await;
            Ok(if now == want {
                Ok(())
            } else {
                Err(format!("shown: {now}"))
            })
        },
    )
    .await
}

/// The visible texts of every element matching `css`.
async fn texts(c: &Client, css: &str) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll(arguments[0])]
               .filter((el) => el.getClientRects().length > 0)
               .map((el) => el.innerText);",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("reading {css}: {e}"));
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|t| t.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The order's buttons once the order file shows.
async fn order_buttons(c: &Client, order: i64) -> Vec<String> {
    go(c, &format!("#/orders/{order}")).await;
    find(c, &format!("#order-file[data-id=\"{order}\"]")).await;
    wait_until("the order's buttons", || async move {
        let v = c
            .execute(
                "return [...document.querySelectorAll('#order-actions [data-action]')]
                   .map((b) => b.dataset.action);",
                vec![],
            )
            .await?;
        let list: Vec<String> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Ok(if list.is_empty() && !shown(c, "#order-final").await {
            Err("no buttons yet".to_string())
        } else {
            Ok(list)
        })
    })
    .await
}

/// A word of Latin letters (an internal key such as `started` or `order_number`).
fn latin_word(text: &str) -> Option<String> {
    text.split(|ch: char| !(ch.is_ascii_alphabetic() || ch == '_'))
        .find(|w| w.len() >= 3)
        .map(String::from)
}

const SECTIONS: [&str; 6] = [
    "general",
    "orders",
    "calendar",
    "engineers",
    "slips",
    "backup",
];

// ---- p01: each role sees only the buttons it may use ------------------------------------------

async fn p01_each_role_sees_only_buttons_it_may_use(s: &Screen) {
    let c = s.client();
    let d = seed(s);
    let registered = id_of(&s.call(
        "orders.create",
        json!({"customer_id": d.customer, "equipment_id": d.machine_out, "kind": "repair",
               "channel": "phone", "mode": "on_site", "fault": "不点火", "confirmed": true}),
    ));
    let owing = owing_order(s, &d);
    let take = id_of(&s.call("stocktake.start", json!({"store_id": d.van})));

    // 前台: 设置 is read-only in every section (no save anywhere), the order waiting for
    // dispatch offers no 派工, the order that owes offers 收款.
    s.log_in_as("qt15", "前台小周", &["clerk"]).await;
    go(c, "#/settings").await;
    find(c, "#settings-tab-general").await;
    for section in SECTIONS {
        click(c, &format!("#settings-tab-{section}")).await;
        wait_shown(
            c,
            &format!("#settings-tab-{section}[aria-selected=\"true\"]"),
            true,
        )
        .await;
        let saves = texts(c, ".settings-panel button[type=submit]").await;
        assert!(saves.is_empty(), "前台 sees a save in {section}: {saves:?}");
    }
    click(c, "#settings-tab-orders").await;
    wait_inner(c, "#settings-orders .settings-readonly", &["主管或管理员"]).await;
    s.screenshot("p01-clerk-settings").await;
    let buttons = order_buttons(c, registered).await;
    assert!(
        !buttons.contains(&"assign".to_string()),
        "前台 sees 派工: {buttons:?}"
    );
    assert!(buttons.contains(&"cancel".to_string()), "{buttons:?}");
    let buttons = order_buttons(c, owing).await;
    assert!(buttons.contains(&"pay".to_string()), "{buttons:?}");
    s.screenshot("p01-clerk-order").await;

    // 工程师: no 收款 on the order that owes; he may print its slip.
    s.log_in_as("gcs15", "工程师小李", &["engineer"]).await;
    let buttons = order_buttons(c, owing).await;
    assert!(
        !buttons.contains(&"pay".to_string()),
        "工程师 sees 收款: {buttons:?}"
    );
    wait_shown(c, "#order-slip-print", true).await;
    s.screenshot("p01-engineer-order").await;

    // 库管: counts the stocktake, does not see 过账 (the manager's approval).
    s.log_in_as("kg15", "库管小陈", &["storekeeper"]).await;
    go(c, &format!("#/stocktake/{take}")).await;
    find(c, &format!("#stocktake[data-id=\"{take}\"]")).await;
    wait_shown(c, "#scan", true).await;
    wait_shown(c, "#stocktake-post", false).await;
    s.screenshot("p01-storekeeper-stocktake").await;

    // 主管: the same sheet offers 过账; 设置 has its saves.
    s.log_in_as("zg15", "主管老王", &["manager"]).await;
    go(c, &format!("#/stocktake/{take}")).await;
    find(c, &format!("#stocktake[data-id=\"{take}\"]")).await;
    wait_shown(c, "#stocktake-post", true).await;
    go(c, "#/settings?section=orders").await;
    wait_shown(c, "#order-settings-save", true).await;
}

#[tokio::test]
async fn p01_each_role_sees_only_buttons_it_may_use_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p01_each_role_sees_only_buttons_it_may_use(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p01_each_role_sees_only_buttons_it_may_use_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p01_each_role_sees_only_buttons_it_may_use(&s).await;
    s.close().await;
}

// ---- p10: 设置 in sections, one save each ----------------------------------------------------

async fn p10_settings_in_sections_with_one_save_each(s: &Screen) {
    let c = s.client();
    go(c, "#/settings").await;
    find(c, "#settings-tab-general").await;
    wait_focus(c, "settings-language").await;
    // The section list by keyboard: ↓ moves to the next section and shows only it.
    click(c, "#settings-tab-general").await;
    for (at, section) in SECTIONS.iter().enumerate() {
        if at > 0 {
            press_key(c, Key::Down).await;
        }
        wait_focus(c, &format!("settings-tab-{section}")).await;
        let panels = texts(c, ".settings-panel").await;
        assert_eq!(panels.len(), 1, "one section on show at {section}");
        let saves = texts(c, ".settings-panel button[type=submit]").await;
        let want = usize::from(*section != "general");
        assert_eq!(saves.len(), want, "saves in {section}: {saves:?}");
        s.screenshot(&format!("p10-settings-{section}")).await;
    }
    // ↓ from the last wraps to the first.
    press_key(c, Key::Down).await;
    wait_focus(c, "settings-tab-general").await;

    // Ctrl+S saves the section with the focus, and only its fields.
    press_key(c, Key::Down).await;
    wait_focus(c, "settings-tab-orders").await;
    type_into(c, "#settings-order_prefix", "sh").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    let saved = s.call("settings.get", json!({}));
    assert_eq!(saved["order_prefix"], json!("SH"), "{saved}");
    go(c, "#/settings?section=slips").await;
    type_into(c, "#settings-company_name", "宁波喆达电器售后服务部").await;
    ctrl(c, 's').await;
    wait_until("the company name saved", || async move {
        let now = s.call("settings.get", json!({}));
        Ok(if now["company_name"] == json!("宁波喆达电器售后服务部") {
            Ok(())
        } else {
            Err(now["company_name"].to_string())
        })
    })
    .await;

    // The two hints that said what the desk does not do now say what it does.
    go(c, "#/settings?section=orders").await;
    let example = wait_nonempty(c, "#order-prefix-example").await;
    assert!(!example.contains("下一年度"), "{example}");
    assert!(example.contains("每年第一张"), "{example}");
    click(c, "#settings-tab-engineers").await;
    let hint = wait_nonempty(c, "#settings-engineers .field-active .hint").await;
    assert!(!hint.contains("在备件里建"), "{hint}");
    assert!(hint.contains("按姓名对应"), "{hint}");
}

#[tokio::test]
async fn p10_settings_in_sections_with_one_save_each_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p10_settings_in_sections_with_one_save_each(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p10_settings_in_sections_with_one_save_each_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p10_settings_in_sections_with_one_save_each(&s).await;
    s.close().await;
}

// ---- p10: the audit trail and the 套打 template in words ------------------------------------------

async fn p10_audit_and_slip_template_show_no_internal_words(s: &Screen) {
    let c = s.client();
    let d = seed(s);
    // A stocktake started (`started`), posted (`posted`), settings changed, a template saved.
    let take = id_of(&s.call("stocktake.start", json!({"store_id": d.main})));
    s.call(
        "stocktake.count",
        json!({"id": take, "lines": [{"part": "P100", "counted": 3}]}),
    );
    s.call("stocktake.post", json!({"id": take}));
    s.call(
        "settings.save",
        json!({"order_prefix": "SH", "lan_open": true}),
    );
    let template = s.call("slips.template", json!({}));
    s.call("slips.template_save", template["template"].clone());

    go(c, "#/audit").await;
    wait_until("the audit rows", || async move {
        let n = texts(c, "#audit-table tbody tr").await.len();
        Ok(if n >= 5 {
            Ok(())
        } else {
            Err(format!("{n} rows"))
        })
    })
    .await;
    let kinds = texts(
        c,
        "#audit-table tbody td:nth-child(3), #audit-table tbody td:nth-child(4)",
    )
    .await;
    for kind in &kinds {
        assert!(
            latin_word(kind).is_none() && has_chinese(kind),
            "an untranslated word in the audit: {kind:?} (all: {kinds:?})"
        );
    }
    let all = texts(c, "#audit-table tbody").await.join("\n");
    for word in [
        "started",
        "posted",
        "order_prefix",
        "lan_open",
        "slip_template",
    ] {
        assert!(!all.contains(word), "`{word}` in the audit:\n{all}");
    }
    assert!(all.contains("开始盘点"), "{all}");
    assert!(all.contains("工单号前缀：SH"), "{all}");
    let options = texts(c, "#audit-action option").await;
    s.screenshot("p10-audit").await;
    assert!(
        options.iter().all(|o| latin_word(o).is_none()),
        "{options:?}"
    );

    go(c, "#/settings/slip-template").await;
    find(c, "#template-fields tbody tr").await;
    let names = texts(c, "#template-fields tbody th").await;
    assert_eq!(names.len(), 23, "{names:?}");
    for name in &names {
        assert!(
            latin_word(name).is_none() && has_chinese(name),
            "an internal key in the template: {name:?}"
        );
    }
    assert!(names.iter().any(|n| n == "工单号"), "{names:?}");
    let sketch = texts(c, "#template-sketch").await.join(" ");
    assert!(!sketch.contains("order_number"), "{sketch}");
    s.screenshot("p10-slip-template").await;
}

#[tokio::test]
async fn p10_audit_and_slip_template_show_no_internal_words_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p10_audit_and_slip_template_show_no_internal_words(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p10_audit_and_slip_template_show_no_internal_words_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p10_audit_and_slip_template_show_no_internal_words(&s).await;
    s.close().await;
}

/// The arguments of a call whose text starts after its `(`, split at its own commas (not
/// those inside brackets or strings), each trimmed.
fn call_arguments(text: &str) -> Vec<String> {
    let (mut args, mut arg, mut depth, mut quoted, mut escaped) =
        (Vec::new(), String::new(), 0u32, false, false);
    for c in text.chars() {
        if quoted {
            arg.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                arg.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                arg.push(c);
            }
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => {
                depth -= 1;
                arg.push(c);
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut arg).trim().to_string()),
            _ => arg.push(c),
        }
    }
    if !arg.trim().is_empty() {
        args.push(arg.trim().to_string());
    }
    args
}

/// Every action and record kind the core writes to the audit trail has its words in both
/// languages (read from the source, so a new kind without words fails here).
#[test]
fn every_audit_kind_the_core_records_has_words_in_both_languages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut words = std::collections::BTreeSet::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for (at, _) in text.match_indices("audit::record(") {
                // record(tx, at, action, entity, …): the third and fourth arguments. The
                // entity is always a literal; an action that is an expression (the loaners'
                // `kind.as_str()`) cannot be read here and is left out.
                let args = call_arguments(&text[at + "audit::record(".len()..]);
                let literal = |i: usize| {
                    args.get(i)
                        .and_then(|a| a.strip_prefix('"'))
                        .and_then(|a| a.strip_suffix('"'))
                        .map(str::to_string)
                };
                if let Some(action) = literal(2) {
                    words.insert(format!("audit.action.{action}"));
                }
                let entity = literal(3).unwrap_or_else(|| {
                    panic!(
                        "{}: the audit entity is not a literal: {args:?}",
                        path.display()
                    )
                });
                words.insert(format!("audit.entity.{entity}"));
            }
        }
    }
    assert!(words.contains("audit.action.started"), "{words:?}");
    for lang in ["zh-CN", "en"] {
        let file = root.join(format!("ui/i18n/{lang}/people.json"));
        let table: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("i18n")).expect("json");
        for key in &words {
            assert!(
                table.get(key).and_then(Value::as_str).is_some(),
                "{lang}: no words for {key}"
            );
        }
    }
}

// ---- p11: completion confirms with a summary ---------------------------------------------------

/// Opens the completion form of `order` and picks P100 from the list; the store offered
/// first stays.
async fn start_completion(c: &Client, order: i64) {
    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-actions [data-action=\"complete\"]").await;
    click(c, "#order-actions [data-action=\"complete\"]").await;
    find(c, "form#complete-form").await;
    type_into(c, "#complete-work_done", "更换点火针，试机正常").await;
    let finder = "#complete-parts tr.part-line .part-find-input";
    type_into(c, finder, "P100").await;
    find(
        c,
        "#complete-parts .part-results li[role=option][data-code=\"P100\"]",
    )
    .await;
    press_key(c, Key::Enter).await;
    wait_until("P100 chosen", || async move {
        let store = find(c, "#complete-parts tr.part-line .part-store")
            .await
            .prop("disabled")
            .await?;
        Ok(if store.as_deref() == Some("false") {
            Ok(())
        } else {
            Err(format!("store select disabled: {store:?}"))
        })
    })
    .await;
}

async fn p11_completion_confirms_with_a_summary_and_enter_does_not_complete(s: &Screen) {
    let c = s.client();
    let d = seed(s);
    let o = working_order(s, &d, d.machine_out);
    start_completion(c, o).await;
    // The last field is the fee amount: Enter there asks, it does not complete.
    let amount = "#complete-fees tr.fee-line .fee-amount";
    type_into(c, amount, "50").await;
    press_key(c, Key::Enter).await;
    wait_shown(c, "#complete-confirm-dialog", true).await;
    let summary = wait_inner(
        c,
        "#complete-summary",
        &["P100 点火针", "李工车载库", "应收金额", "¥85.00"],
    )
    .await;
    assert!(summary.contains("车载库"), "{summary}");
    s.screenshot("p11-complete-confirm").await;
    // A second Enter does not complete either (the focus is not on 确认完工).
    press_key(c, Key::Enter).await;
    let now = s.call("orders.get", json!({"id": o}));
    assert_eq!(now["status"], json!("in_progress"), "{now}");
    // Esc goes back to the form with everything typed.
    press_key(c, Key::Escape).await;
    wait_shown(c, "#complete-confirm-dialog", false).await;
    find(c, "form#complete-form").await;
    let typed = find(c, amount).await.prop("value").await.ok().flatten();
    assert_eq!(typed.as_deref(), Some("50"));
    let now = s.call("orders.get", json!({"id": o}));
    assert_eq!(now["status"], json!("in_progress"), "{now}");
    // Ctrl+S asks too; only 确认完工 completes, and the part leaves the van.
    ctrl(c, 's').await;
    wait_shown(c, "#complete-confirm-dialog", true).await;
    click(c, "#complete-confirm").await;
    wait_text(c, "#toast", "已完工").await;
    let done = s.call("orders.get", json!({"id": o}));
    assert_eq!(done["status"], json!("completed"), "{done}");
    assert_eq!(done["total_fen"], json!(8500), "{done}");
    let ledger = s.call("stock.ledger", json!({"part_id": d.part}));
    let issue = ledger["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["kind"] == json!("issue")).cloned())
        .unwrap_or_else(|| panic!("no issue in {ledger}"));
    assert_eq!(issue["store_id"], json!(d.van), "{issue}");
    assert_ne!(issue["store_id"], json!(d.main), "{issue}");
}

#[tokio::test]
async fn p11_completion_confirms_with_a_summary_and_enter_does_not_complete_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p11_completion_confirms_with_a_summary_and_enter_does_not_complete(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p11_completion_confirms_with_a_summary_and_enter_does_not_complete_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p11_completion_confirms_with_a_summary_and_enter_does_not_complete(&s).await;
    s.close().await;
}

// ---- p11: a fee in warranty asks for its reason ---------------------------------------------------

async fn p11_in_warranty_fee_asks_for_a_reason(s: &Screen) {
    let c = s.client();
    let d = seed(s);
    let o = working_order(s, &d, d.machine_in);
    start_completion(c, o).await;
    wait_shown(c, "#complete-fee_reason", false).await;
    type_into(c, "#complete-fees tr.fee-line .fee-amount", "50").await;
    // A fee in warranty: the reason field appears, and completing without it is refused
    // under that field, before any confirmation.
    wait_shown(c, "#complete-fee_reason", true).await;
    ctrl(c, 's').await;
    let message = wait_nonempty(c, "#complete-form .field-error[data-for=\"fee_reason\"]").await;
    assert!(message.contains("保内收费原因"), "{message}");
    assert!(!shown(c, "#complete-confirm-dialog").await);
    wait_focus(c, "complete-fee_reason").await;
    s.screenshot("p11-fee-reason").await;
    type_into(c, "#complete-fee_reason", "客户自行拆机造成损坏").await;
    ctrl(c, 's').await;
    wait_inner(
        c,
        "#complete-summary",
        &["保内收费原因", "客户自行拆机造成损坏", "¥50.00"],
    )
    .await;
    click(c, "#complete-confirm").await;
    wait_text(c, "#toast", "已完工").await;
    wait_inner(
        c,
        "#order-timeline",
        &["保内收费原因：客户自行拆机造成损坏"],
    )
    .await;
    let done = s.call("orders.get", json!({"id": o}));
    assert_eq!(done["total_fen"], json!(5000), "{done}");
}

#[tokio::test]
async fn p11_in_warranty_fee_asks_for_a_reason_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p11_in_warranty_fee_asks_for_a_reason(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p11_in_warranty_fee_asks_for_a_reason_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p11_in_warranty_fee_asks_for_a_reason(&s).await;
    s.close().await;
}

// ---- p11: 开始盘点 confirms with a summary ---------------------------------------------------------

async fn p11_starting_a_stocktake_confirms(s: &Screen) {
    let c = s.client();
    let d = seed(s);
    go(c, "#/stocktake").await;
    let select = find(c, "#stocktake-store").await;
    select
        .select_by_value(&d.main.to_string())
        .await
        .expect("choose the main store");
    click(c, "#stocktake-start").await;
    wait_shown(c, "#stocktake-start-dialog", true).await;
    let summary = wait_inner(
        c,
        "#stocktake-start-summary",
        &["主仓库", "1 种备件", "共 4 件", "过账"],
    )
    .await;
    assert!(summary.contains("拒绝"), "movements stop: {summary}");
    s.screenshot("p11-stocktake-confirm").await;
    // 取消 (the focus starts there): still nothing frozen.
    press_key(c, Key::Enter).await;
    wait_shown(c, "#stocktake-start-dialog", false).await;
    // (s.call fails the test on a refusal: the store is not frozen.)
    s.call(
        "stock.transfer",
        json!({"part_id": d.part, "from_store_id": d.main, "to_store_id": d.van, "quantity": 1}),
    );
    // Confirmed: frozen, the sheet opens.
    click(c, "#stocktake-start").await;
    wait_shown(c, "#stocktake-start-dialog", true).await;
    wait_inner(c, "#stocktake-start-summary", &["共 3 件"]).await;
    click(c, "#stocktake-start-confirm").await;
    let hash = wait_hash(c, "the stocktake sheet", |h| h.starts_with("#/stocktake/")).await;
    let take: i64 = hash
        .trim_start_matches("#/stocktake/")
        .parse()
        .unwrap_or_else(|_| panic!("{hash}"));
    let sheet = s.call("stocktake.get", json!({"id": take}));
    assert_eq!(sheet["status"], json!("open"), "{sheet}");
    assert_eq!(sheet["store_id"], json!(d.main), "{sheet}");
}

#[tokio::test]
async fn p11_starting_a_stocktake_confirms_chromium() {
    let s = Screen::open(Engine::Chromium).await;
    p11_starting_a_stocktake_confirms(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p11_starting_a_stocktake_confirms_desktop() {
    let s = Screen::open(Engine::Desktop).await;
    p11_starting_a_stocktake_confirms(&s).await;
    s.close().await;
}
