//! 工程师提成 (issue 21) in headless Chromium at the browser door: the manager opens 设置 →
//! 提成规则 (empty), types the rules for on-site repairs by keyboard; a figure that is not
//! one is refused under the rules naming its row, a day before today under 生效日期; Ctrl+S
//! saves and the set shows 执行中. An order completed that day pays 王磊 under 统计报表 →
//! 工程师提成, and the figure opens its items, each with its order. Data is made through the
//! CLI door on the door's own database, so the test holds on a PostgreSQL door too.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Monday 2026-11-30 10:00 in Beijing, the last day of the month.
const MONDAY_10: &str = "2026-11-30T10:00:00+08:00";

#[tokio::test]
async fn the_manager_sets_the_rules_and_reads_the_commission_with_its_items_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();

    // 设置 → 提成规则, reached from 设置.
    go(c, "#/settings").await;
    click(c, "#settings-commission").await;
    wait_hash(c, "the rules", |h| h == "#/settings/commission").await;
    wait_text(c, "#commission-sets-empty", "还没有提成规则").await;
    wait_focus(c, "commission-effective_from").await;
    // 维修·上门: ¥30 a visit, 10 % of labour, 5 % of parts, ¥20 first-visit bonus, ¥50 and
    // ¥80 deductions; one figure mistyped.
    type_into(c, "#commission-effective_from", "2026-11-29").await;
    type_into(c, "#commission-note", "2026年12月方案").await;
    type_into(c, "#commission-repair-on_site-visit_fen", "30").await;
    type_into(c, "#commission-repair-on_site-labour_bp", "十").await;
    type_into(c, "#commission-repair-on_site-parts_bp", "5").await;
    type_into(c, "#commission-repair-on_site-first_fix_fen", "20").await;
    type_into(c, "#commission-repair-on_site-complaint_fen", "50").await;
    type_into(c, "#commission-repair-on_site-repeat_fen", "80").await;
    ctrl(c, 's').await;
    wait_text(
        c,
        ".field-error[data-for=\"rules\"]",
        "第1行（维修·上门）工时费%应填写数字",
    )
    .await;
    type_into(c, "#commission-repair-on_site-labour_bp", "10").await;
    ctrl(c, 's').await;
    // The day before today is refused under its field; nothing typed is lost.
    wait_text(
        c,
        ".field-error[data-for=\"effective_from\"]",
        "生效日期不能早于今天（2026-11-30）",
    )
    .await;
    wait_focus(c, "commission-effective_from").await;
    s.screenshot("commission-rules-refused").await;
    let sets = s.call("reports.commission_rules", json!({}));
    assert_eq!(sets["sets"], json!([]), "{sets}");
    type_into(c, "#commission-effective_from", "2026-11-30").await;
    ctrl(c, 's').await;
    wait_text(c, "#toast", "已保存").await;
    wait_inner(
        c,
        "#commission-sets tbody",
        &["2026-11-30", "执行中", "2026年12月方案"],
    )
    .await;
    s.screenshot("commission-rules").await;
    let sets = s.call("reports.commission_rules", json!({}));
    let on_site = sets["sets"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "repair" && r["mode"] == "on_site")
        .cloned()
        .unwrap();
    assert_eq!(
        on_site,
        json!({"kind": "repair", "mode": "on_site", "visit_fen": 3000, "labour_bp": 1000,
               "parts_bp": 500, "first_fix_fen": 2000, "complaint_fen": 5000, "repeat_fen": 8000})
    );

    // An on-site repair by 王磊 completed today with ¥200 of labour.
    let customer = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let wang = id(&s.call(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "海淀"}),
    ));
    let order = id(&s.call(
        "orders.create",
        json!({"customer_id": customer, "kind": "repair", "mode": "on_site",
               "fault": "空调不制冷", "confirmed": true}),
    ));
    s.call("orders.assign", json!({"id": order, "engineer_id": wang}));
    s.call("orders.move", json!({"id": order, "to": "in_progress"}));
    let done = s.call(
        "orders.complete",
        json!({"id": order, "work_done": "更换电容",
               "fees": [{"kind": "labour", "amount_fen": 20000}]}),
    );
    let number = done["number"].as_str().unwrap().to_string();

    // 统计报表 → 工程师提成 (the 13th tab, reached with ←/→ or a click): ¥30 + ¥20 + ¥20.
    go(c, "#/reports?month=2026-11").await;
    click(c, "#reports-tab-commission").await;
    wait_inner(
        c,
        "#report-table-commission",
        &["王磊", "按次提成", "一次修复奖", "提成合计", "合计"],
    )
    .await;
    let total = format!(
        "#report-table-commission tr[data-key=\"{wang}\"][data-col=\"7\"] td[data-of=\"current\"]"
    );
    wait_text(c, &total, "¥70.00").await;
    s.screenshot("commission-report").await;
    // The total opens its items, each naming the order.
    click(c, &format!("{total} button.drill")).await;
    wait_inner(
        c,
        "#report-commission-table",
        &[&number, "按次提成", "工时提成", "一次修复奖", "¥30.00"],
    )
    .await;
    wait_text(c, "#report-orders-summary", "3 项，合计 ¥70.00").await;
    s.screenshot("commission-items").await;
    // ↓ Enter opens the order.
    press_key(c, Key::Down).await;
    press_key(c, Key::Enter).await;
    wait_hash(c, "the order", |h| h == format!("#/orders/{order}")).await;
}
