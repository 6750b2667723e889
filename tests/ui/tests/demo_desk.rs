//! Issue 15, problem 12: the demo a buyer judges the product by. A demo database made by
//! `aftersales demo` (the desk's clock fixed mid-month) opened in both engines: the
//! reports have this month's, last month's and last year's numbers, the stock report has
//! parts below their minimum and slow movers, and a gas water heater's file shows repairs
//! with heater faults and the heater parts used.

use std::path::Path;

use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// A Thursday afternoon in the middle of a month.
const NOW: &str = "2026-05-14T14:00:00+08:00";

/// What callers say about a gas water heater (the demo's catalogue).
const HEATER_FAULTS: &[&str] = &[
    "不点火",
    "开水不启动",
    "打火不着",
    "水温忽高忽低",
    "风机异响",
    "显示E1",
    "机身漏水",
    "水不热",
];
/// The demo's model codes.
const MODELS: &[&str] = &["JSQ", "KFR", "BCD", "XQG", "CXW", "DSZF", "ZKT", "SK-X7"];
/// What other categories say and a heater never does.
const OTHER_FAULTS: &[&str] = &["不制冷", "不出冰", "打印不清", "不排水", "冷冻室结霜"];

/// `aftersales --data-dir D demo` with the desk's clock.
fn make_demo(dir: &Path) {
    let out = aftersales_on(dir)
        .env(CLOCK, NOW)
        .arg("demo")
        .output()
        .expect("run aftersales demo");
    assert!(
        out.status.success(),
        "aftersales demo: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A completed repair of a JSQ25-13 over the last year that used a part (the core's drill-down).
fn heater_repair(s: &Screen) -> Value {
    let models = s.call("models.list", json!({}));
    let model = models["items"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["code"] == "JSQ25-13"))
        .unwrap_or_else(|| panic!("no JSQ25-13 in {models}"))["id"]
        .clone();
    let orders = s.call(
        "reports.orders",
        json!({"report": "repairs_by_model", "key": model.to_string(),
               "from": "2025-05-15", "to": "2026-05-14"}),
    );
    let items = orders["items"].as_array().expect("drill-down items");
    assert!(items.len() >= 3, "few heater repairs: {orders}");
    for o in items {
        let fault = o["fault"].as_str().unwrap();
        assert!(HEATER_FAULTS.contains(&fault), "a heater with {fault}: {o}");
    }
    items
        .iter()
        .find(|o| {
            o["status"] == "closed"
                && o["work_done"]
                    .as_str()
                    .is_some_and(|w| w.starts_with("更换"))
        })
        .unwrap_or_else(|| panic!("no closed heater repair with a part: {orders}"))
        .clone()
}

async fn p12_the_demo_makes_sense(s: &Screen) {
    let c = s.client();
    let order = heater_repair(s);

    // 统计报表: this month beside last month and a year ago, each with repairs by model,
    // by fault and parts used.
    click(c, "a[data-view=\"reports\"]").await;
    wait_inner(
        c,
        "#reports-period",
        &[
            "本期 2026-05-01 至 2026-05-31",
            "上期 2026-04-01 至 2026-04-30",
            "去年同期 2025-05-01 至 2025-05-31",
        ],
    )
    .await;
    let by_model = wait_until("demo models in the repairs by model", || async move {
        let text = inner_text(c, "#report-table-repairs_by_model").await?;
        Ok(if MODELS.iter().any(|m| text.contains(m)) {
            Ok(text)
        } else {
            Err(text)
        })
    })
    .await;
    let cells = c
        .find_all(fantoccini::Locator::Css(
            "#report-table-repairs_by_model td[data-of=\"current\"]",
        ))
        .await
        .unwrap();
    let mut this_month = 0.0;
    for cell in cells {
        this_month += cell
            .text()
            .await
            .unwrap()
            .trim()
            .parse::<f64>()
            .unwrap_or(0.0);
    }
    assert!(this_month > 0.0, "no repair this month: {by_model}");
    s.screenshot("p12-demo-reports").await;
    click(c, "#reports-tab-parts").await;
    find(c, "#reports-tab-parts[aria-selected=\"true\"]").await;
    let parts = wait_nonempty(c, "#report-table-parts tbody").await;
    assert!(parts.contains("BJ0"), "no part used: {parts}");
    s.screenshot("p12-demo-parts-used").await;

    // 库存报表: below the minimum, and parts lying for half a year.
    click(c, "a[data-view=\"stock-report\"]").await;
    find(c, "#stock-report [role=\"tablist\"]").await;
    wait_nonempty(c, "#stock-table tbody").await;
    click(c, "#tab-low").await;
    let low = wait_nonempty(c, "#low-table tbody").await;
    assert!(low.contains("BJ0"), "{low}");
    s.screenshot("p12-demo-low-stock").await;
    click(c, "#tab-slow").await;
    let slow = wait_nonempty(c, "#slow-table tbody").await;
    assert!(slow.contains("BJ0"), "{slow}");
    s.screenshot("p12-demo-slow-movers").await;

    // The heater owner's file: the repair with its heater fault, every heater order with
    // a heater fault; the order says what was replaced; the machine is the heater.
    let customer = order["customer"]["id"]
        .as_i64()
        .expect("the order's customer");
    let number = order["number"].as_str().unwrap();
    let fault = order["fault"].as_str().unwrap();
    go(c, &format!("#/customers/{customer}")).await;
    let row = format!("#customer-orders tbody tr[data-id=\"{}\"]", order["id"]);
    wait_inner(c, &row, &[number, "JSQ25-13", fault]).await;
    let rows = c
        .find_all(fantoccini::Locator::Css(
            "#customer-orders tbody tr[data-id]",
        ))
        .await
        .unwrap();
    for r in rows {
        let text = r.text().await.unwrap();
        if text.contains("燃气热水器") {
            assert!(
                !OTHER_FAULTS.iter().any(|f| text.contains(f)),
                "a heater order with another category's fault: {text}"
            );
        }
    }
    s.screenshot("p12-demo-heater-owner").await;
    click(c, &format!("{row} a")).await;
    let work_done = order["work_done"].as_str().unwrap();
    wait_inner(c, "#view", &[number, fault, work_done]).await;
    s.screenshot("p12-demo-heater-repair").await;
    let machine = order["equipment"]["id"]
        .as_i64()
        .expect("the order's machine");
    go(c, &format!("#/equipment/{machine}")).await;
    wait_inner(c, "#equipment-file", &["JSQ25-13"]).await;
}

async fn open_demo(engine: Engine) -> Screen {
    Screen::open_with(engine, &[(CLOCK, NOW)], make_demo).await
}

#[tokio::test]
async fn p12_the_demo_makes_sense_chromium() {
    let s = open_demo(Engine::Chromium).await;
    p12_the_demo_makes_sense(&s).await;
    s.close().await;
}

#[tokio::test]
async fn p12_the_demo_makes_sense_desktop() {
    let s = open_demo(Engine::Desktop).await;
    p12_the_demo_makes_sense(&s).await;
    s.close().await;
}
