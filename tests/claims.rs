//! 厂家索赔 (issue 21): the brand's rate card and workbook layout, one claim per
//! in-warranty order that was done, parts claimed only when their defective units went
//! back to the factory through the ledger, the batch of a brand's month (across a month's
//! end at midnight Beijing time, a leap day, and due dates on the State Council's
//! holidays and 调休), the brand's answer and payment with who and when, the workbook in
//! the brand's columns, the receivables from brands in the monthly reports. Runs on
//! either engine (AFTERSALES_TEST_ENGINE=postgres).

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

struct Setup {
    customer: i64,
    /// A 海尔 machine in warranty (bought 2023-06-01, 5 years).
    machine: i64,
    /// A 海尔 machine long out of warranty.
    old_machine: i64,
    /// A machine of a model no brand covers.
    stray_machine: i64,
    model: i64,
    stray_model: i64,
    part: i64,
    main: i64,
    engineer: i64,
    brand: i64,
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// The brand 海尔 with its model, a rate card (维修 by fault 不加热 ¥80, any other 维修
/// ¥50, 安装 ¥30), due on the 5th working day; a customer with three machines; a part at
/// cost ¥12.34 with 10 in the main store; an engineer. The clock at `start`.
fn setup(t: &mut TestDesk, start: &str) -> Setup {
    clock(t, start);
    let policy = json!([{"component": "", "months": 60, "basis": "purchase"}]);
    let model = id(&t.ok(
        "models.save",
        json!({"code": "EC6002-MT3", "name": "电热水器 60L", "policies": policy}),
    ));
    let stray_model = id(&t.ok(
        "models.save",
        json!({"code": "X-1", "name": "杂牌机", "policies": policy}),
    ));
    let customer = id(&t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    let machine = |t: &mut TestDesk, model: i64, serial: &str, bought: &str| {
        id(&t.ok(
            "equipment.create",
            json!({"customer_id": customer, "model_id": model, "serial": serial, "purchase_date": bought}),
        ))
    };
    let m1 = machine(t, model, "HR-0001", "2023-06-01");
    let m2 = machine(t, model, "HR-0002", "2015-01-01");
    let m3 = machine(t, stray_model, "X-0003", "2023-06-01");
    let part = id(&t.ok(
        "parts.save",
        json!({"code": "HT-01", "name": "加热管", "unit": "个", "cost_fen": 1234, "price_fen": 5000}),
    ));
    let main = t.ok("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 10, "unit_cost_fen": 1234}),
    );
    let engineer = id(&t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "海淀"}),
    ));
    let brand = id(&t.ok(
        "claims.brand_save",
        json!({"name": "海尔", "submit_workdays": 5, "models": [model],
               "rates": [{"kind": "repair", "fault_category": "不加热", "labour_fen": 8000},
                         {"kind": "repair", "fault_category": "", "labour_fen": 5000},
                         {"kind": "installation", "labour_fen": 3000}],
               "columns": [{"field": "order_no", "header": "服务单号"},
                           {"field": "serial", "header": "产品编码"},
                           {"field": "completed_on", "header": "完工日期"},
                           {"field": "parts", "header": "更换配件"},
                           {"field": "labour_fen", "header": "劳务费"},
                           {"field": "parts_fen", "header": "配件费"},
                           {"field": "claimed_fen", "header": "合计"}]}),
    ));
    Setup {
        customer,
        machine: m1,
        old_machine: m2,
        stray_machine: m3,
        model,
        stray_model,
        part,
        main,
        engineer,
        brand,
    }
}

/// An order on `machine` with the fault tag `tag`, registered, dispatched and started at
/// `start`, completed at `done` with `parts` units of the part (none when 0).
fn done_order(
    t: &mut TestDesk,
    s: &Setup,
    machine: i64,
    tag: &str,
    start: &str,
    done: &str,
    parts: i64,
) -> Value {
    clock(t, start);
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault_tags": [tag], "fault": "热水器不出热水", "confirmed": true}),
    );
    let oid = id(&o);
    t.ok(
        "orders.assign",
        json!({"id": oid, "engineer_id": s.engineer}),
    );
    t.ok("orders.move", json!({"id": oid, "to": "in_progress"}));
    clock(t, done);
    let mut args = json!({"id": oid, "diagnosis": "加热管烧坏", "work_done": "更换加热管，试机正常",
                          "late_reason": "客户改约"});
    if parts > 0 {
        args["parts"] = json!([{"part_id": s.part, "store_id": s.main, "quantity": parts}]);
    }
    t.ok("orders.complete", args)
}

fn field(e: &Value) -> &str {
    e["field"].as_str().unwrap_or_default()
}

fn message(e: &Value) -> &str {
    e["message"].as_str().unwrap_or_default()
}

fn count(t: &TestDesk, sql: &str) -> i64 {
    t.sql(sql)
}

/// The batch of `brand` in `month`.
fn batch(t: &mut TestDesk, month: &str, brand: i64) -> Value {
    let l = t.ok("claims.list", json!({"month": month, "brand_id": brand}));
    l["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["brand_id"] == brand)
        .cloned()
        .unwrap_or_else(|| panic!("no batch in {l}"))
}

fn defective(t: &mut TestDesk, s: &Setup, order: &str, quantity: i64, form: &str) -> Value {
    t.ok(
        "stock.defective",
        json!({"part_id": s.part, "store_id": s.main, "quantity": quantity, "form_no": form,
               "reason": "加热管烧断", "work_order": order}),
    )
}

#[test]
fn a_brand_bounds_every_field_and_names_it_and_writes_nothing_when_refused() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T10:00:00+08:00");
    let rate = json!([{"kind": "repair", "labour_fen": 5000}]);
    let cases = [
        (json!({"name": "", "rates": rate}), "name", "请填写厂家名称"),
        (
            json!({"name": "海尔", "rates": rate}),
            "name",
            "已有名为“海尔”的厂家",
        ),
        (
            json!({"name": "美的", "rates": []}),
            "rates",
            "至少要有一行",
        ),
        (
            json!({"name": "美的", "rates": [{"kind": "repair", "labour_fen": 10_000_001}]}),
            "rates",
            "第1行的工时费",
        ),
        (
            json!({"name": "美的", "rates": [{"kind": "repair", "labour_fen": -1}]}),
            "rates",
            "第1行的工时费",
        ),
        (
            json!({"name": "美的", "rates": [{"kind": "repair", "labour_fen": 1}, {"kind": "repair", "fault_category": " ", "labour_fen": 2}]}),
            "rates",
            "第2行重复：维修/所有故障",
        ),
        (
            json!({"name": "美的", "submit_workdays": 21, "rates": rate}),
            "submit_workdays",
            "第1到第20个工作日",
        ),
        (
            json!({"name": "美的", "submit_workdays": 0, "rates": rate}),
            "submit_workdays",
            "第1到第20个工作日",
        ),
        (
            json!({"name": "美的", "rates": rate, "models": [s.model]}),
            "models",
            "型号 EC6002-MT3 已属于厂家“海尔”",
        ),
        (
            json!({"name": "美的", "rates": rate, "models": [99999]}),
            "models",
            "型号不存在",
        ),
        (
            json!({"name": "美的", "rates": rate, "columns": [{"field": "serial"}, {"field": "serial", "header": "编码"}]}),
            "columns",
            "第2列重复：机身编号",
        ),
        (
            json!({"name": "美的", "rates": rate, "columns": [{"field": "serial", "header": "码".repeat(41)}]}),
            "columns",
            "第1列的表头不能超过40个字",
        ),
        (
            json!({"name": "美的".repeat(21), "rates": rate}),
            "name",
            "不能超过40个字",
        ),
    ];
    let brands = count(&t, "SELECT count(*) FROM brand");
    let rates = count(&t, "SELECT count(*) FROM brand_rate");
    for (args, f, words) in cases {
        let e = t.err("claims.brand_save", args.clone());
        assert_eq!(field(&e), f, "{args}: {e}");
        assert!(message(&e).contains(words), "{args}: {e}");
    }
    // An unknown field word or order kind is the request's shape, refused too.
    let e = t.err(
        "claims.brand_save",
        json!({"name": "美的", "rates": [{"kind": "washing", "labour_fen": 1}]}),
    );
    assert!(message(&e).contains("服务类型"), "{e}");
    assert_eq!(count(&t, "SELECT count(*) FROM brand"), brands);
    assert_eq!(count(&t, "SELECT count(*) FROM brand_rate"), rates);

    // The brand as saved: its models, rates, its own layout; the list offers every field.
    let list = t.ok("claims.brands", json!({}));
    let haier = &list["items"][0];
    assert_eq!(haier["name"], "海尔");
    assert_eq!(haier["models"][0]["code"], "EC6002-MT3");
    assert_eq!(haier["rates"].as_array().unwrap().len(), 3);
    assert_eq!(haier["columns"][0]["header"], "服务单号");
    assert!(list["fields"].as_array().unwrap().len() >= 20);
    // A brand saved without a layout gets the default one; moving the model to it after
    // taking it off 海尔 works (a model belongs to at most one brand).
    let mut haier_args = json!({"id": s.brand, "name": "海尔", "submit_workdays": 5, "models": [],
                                "rates": haier["rates"].clone(), "columns": haier["columns"].clone()});
    t.ok("claims.brand_save", haier_args.clone());
    let midea = t.ok(
        "claims.brand_save",
        json!({"name": "美的", "rates": rate, "models": [s.model]}),
    );
    assert_eq!(midea["submit_workdays"], 5);
    assert_eq!(midea["columns"][0]["field"], "claim_no");
    assert_eq!(midea["columns"][0]["header"], "索赔单号");
    t.ok(
        "claims.brand_save",
        json!({"id": id(&midea), "name": "美的", "rates": rate, "models": []}),
    );
    haier_args["models"] = json!([s.model]);
    let again = t.ok("claims.brand_save", haier_args);
    assert_eq!(again["models"][0]["id"], s.model);
    // Who saved it is in the audit trail.
    assert!(
        count(
            &t,
            "SELECT count(*) FROM audit_entry WHERE action = 'brand_saved'"
        ) >= 4
    );
    let _ = s.stray_model;
}

#[test]
fn one_claim_per_in_warranty_order_that_was_done_with_the_labour_of_its_rate_card() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    // An order still open is refused, naming the order and its status.
    clock(&mut t, "2025-09-01T09:30:00+08:00");
    let open = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "equipment_id": s.machine, "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault": "不加热", "confirmed": true}),
    );
    let e = t.err("claims.create", json!({"order_id": id(&open)}));
    assert_eq!(field(&e), "order_id");
    assert!(message(&e).contains("已登记，完工后才能索赔"), "{e}");
    // Out of warranty: refused.
    let old = done_order(
        &mut t,
        &s,
        s.old_machine,
        "不加热",
        "2025-09-02T09:00:00+08:00",
        "2025-09-02T15:00:00+08:00",
        0,
    );
    assert_eq!(old["warranty"], "out");
    let e = t.err("claims.create", json!({"order_id": id(&old)}));
    assert!(
        message(&e).contains("保外工单，只有保内工单向厂家索赔"),
        "{e}"
    );
    // A model no brand covers: refused, saying what to do.
    let stray = done_order(
        &mut t,
        &s,
        s.stray_machine,
        "不加热",
        "2025-09-02T09:00:00+08:00",
        "2025-09-02T16:00:00+08:00",
        0,
    );
    let e = t.err("claims.create", json!({"order_id": id(&stray)}));
    assert!(message(&e).contains("型号 X-1 没有所属厂家"), "{e}");
    // No such order.
    let e = t.err("claims.create", json!({"order_id": 999999}));
    assert_eq!(field(&e), "order_id");
    assert_eq!(count(&t, "SELECT count(*) FROM claim"), 0);

    // The fault category's rate, else the kind's rate for any category.
    let hot = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-03T09:00:00+08:00",
        "2025-09-03T11:00:00+08:00",
        0,
    );
    let c = t.ok("claims.create", json!({"order_id": id(&hot)}));
    assert_eq!(c["status"], "draft");
    assert_eq!(c["labour_fen"], 8000);
    assert_eq!(c["claimed_fen"], 8000);
    assert_eq!(c["month"], "2025-09");
    assert_eq!(c["brand"], "海尔");
    assert_eq!(c["lines"][0]["description"], "维修工时（不加热）");
    assert!(c["number"].as_str().unwrap().starts_with("SP202509"), "{c}");
    assert_eq!(c["events"][0]["to"], "draft");
    assert!(c["events"][0]["user"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));
    let leak = done_order(
        &mut t,
        &s,
        s.machine,
        "漏水",
        "2025-09-04T09:00:00+08:00",
        "2025-09-04T11:00:00+08:00",
        0,
    );
    let c2 = t.ok("claims.create", json!({"order_id": id(&leak)}));
    assert_eq!(c2["labour_fen"], 5000);
    assert_eq!(c2["lines"][0]["description"], "维修工时（漏水）");
    // A second claim of the same order: refused, naming the first.
    let e = t.err("claims.create", json!({"order_id": id(&hot)}));
    assert!(
        message(&e).contains(&format!("已有索赔 {}", c["number"].as_str().unwrap())),
        "{e}"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM claim"), 2);
    // A kind the rate card has no line for: refused, naming it.
    t.ok(
        "claims.brand_save",
        json!({"id": s.brand, "name": "海尔", "models": [s.model],
               "rates": [{"kind": "installation", "labour_fen": 3000}]}),
    );
    let third = done_order(
        &mut t,
        &s,
        s.machine,
        "漏水",
        "2025-09-05T09:00:00+08:00",
        "2025-09-05T11:00:00+08:00",
        0,
    );
    let e = t.err("claims.create", json!({"order_id": id(&third)}));
    assert!(
        message(&e).contains("费率表没有维修（漏水）的工时费"),
        "{e}"
    );
    // Claims made keep the amounts they were made with.
    let l = batch(&mut t, "2025-09", s.brand);
    assert_eq!(l["claims"][0]["labour_fen"], 8000);
    // The order without a claim is offered; those claimed and out of warranty are not.
    let all = t.ok("claims.list", json!({"month": "2025-09"}));
    let offered: Vec<&str> = all["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(offered, vec![third["number"].as_str().unwrap()]);
}

#[test]
fn the_batch_is_the_month_the_order_was_completed_in_beijing_and_opens_when_it_ends() {
    let mut t = desk();
    let s = setup(&mut t, "2024-01-30T09:00:00+08:00");
    // 23:30 on 31 January in Beijing is 15:30 UTC: January's.
    let jan = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2024-01-31T09:00:00+08:00",
        "2024-01-31T23:30:00+08:00",
        0,
    );
    // 00:10 on 1 February in Beijing is still 31 January in UTC: February's.
    let feb = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2024-01-31T23:40:00+08:00",
        "2024-02-01T00:10:00+08:00",
        0,
    );
    // The leap day, late in the evening: February's.
    let leap = done_order(
        &mut t,
        &s,
        s.machine,
        "漏水",
        "2024-02-29T09:00:00+08:00",
        "2024-02-29T23:59:00+08:00",
        0,
    );
    let months: Vec<String> = [&jan, &feb, &leap]
        .iter()
        .map(|o| {
            t.ok("claims.create", json!({"order_id": id(o)}))["month"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(months, ["2024-01", "2024-02", "2024-02"]);
    assert_eq!(
        batch(&mut t, "2024-02", s.brand)["claims"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // On the leap day February is not over: its batch is refused, saying when it opens.
    let e = t.err(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2024-02"}),
    );
    assert_eq!(field(&e), "month");
    assert!(message(&e).contains("从 2024-03-01 起才能提交"), "{e}");
    assert!(!batch(&mut t, "2024-02", s.brand)["may_submit"]
        .as_bool()
        .unwrap());
    // January's may go.
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2024-01"}),
    );
    assert_eq!(b["claims"][0]["status"], "submitted");
    assert_eq!(b["drafts"], 0);
    // 1 March: February opens. Its due day is March's 5th working day (1, 4, 5, 6, 7).
    clock(&mut t, "2024-03-01T08:30:00+08:00");
    let b = batch(&mut t, "2024-02", s.brand);
    assert_eq!(b["opens"], "2024-03-01");
    assert_eq!(b["due"], "2024-03-07");
    assert!(b["may_submit"].as_bool().unwrap());
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2024-02"}),
    );
    assert_eq!(b["submitted_on"], "2024-03-01");
    assert_eq!(b["late"], false);
    assert_eq!(b["claimed_fen"], 13000);
    // Nothing left to submit: refused.
    let e = t.err(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2024-02"}),
    );
    assert!(message(&e).contains("没有待提交的索赔"), "{e}");
    // A month written wrongly names the field.
    for bad in ["2024-13", "24-02", "2024/02", ""] {
        let e = t.err("claims.submit", json!({"brand_id": s.brand, "month": bad}));
        assert_eq!(field(&e), "month", "{bad}: {e}");
    }
}

#[test]
fn the_due_day_counts_working_days_on_the_state_councils_calendar() {
    let mut t = desk();
    let s = setup(&mut t, "2025-01-02T09:00:00+08:00");
    // September 2025: 1–8 October off (国庆、中秋), 11 October (Saturday) a working day:
    // 9, 10, 11, 13, 14 → the 5th is 14 October.
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-30T09:00:00+08:00",
        "2025-09-30T17:00:00+08:00",
        0,
    );
    t.ok("claims.create", json!({"order_id": id(&o)}));
    assert_eq!(batch(&mut t, "2025-09", s.brand)["due"], "2025-10-14");
    // Submitted on the 14th: in time; the day after would be late.
    clock(&mut t, "2025-10-14T17:00:00+08:00");
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    assert_eq!(b["late"], false);
    // January 2025 with the 4th working day: 28 Jan–4 Feb off (春节), 8 February
    // (Saturday) a working day: 5, 6, 7, 8 → 8 February. Submitted on the 10th: late,
    // and the claim's timeline says so.
    t.ok(
        "claims.brand_save",
        json!({"id": s.brand, "name": "海尔", "submit_workdays": 4, "models": [s.model],
               "rates": [{"kind": "repair", "labour_fen": 5000}]}),
    );
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-01-27T09:00:00+08:00",
        "2025-01-27T11:00:00+08:00",
        0,
    );
    t.ok("claims.create", json!({"order_id": id(&o)}));
    clock(&mut t, "2025-02-08T17:00:00+08:00");
    let b = batch(&mut t, "2025-01", s.brand);
    assert_eq!(b["due"], "2025-02-08");
    assert_eq!(b["late"], false, "on its due day: not late yet");
    clock(&mut t, "2025-02-10T09:00:00+08:00");
    assert_eq!(
        batch(&mut t, "2025-01", s.brand)["late"],
        true,
        "past its due day and not submitted: late"
    );
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-01"}),
    );
    assert_eq!(b["late"], true);
    let detail = b["claims"][0]["events"][1]["detail"].as_str().unwrap();
    assert!(
        detail.contains("逾期提交（应于 2025-02-08 前）"),
        "{detail}"
    );
    // December 2025 with the 1st working day: 1–3 January 2026 off, 4 January (Sunday) a
    // working day.
    t.ok(
        "claims.brand_save",
        json!({"id": s.brand, "name": "海尔", "submit_workdays": 1, "models": [s.model],
               "rates": [{"kind": "repair", "labour_fen": 5000}]}),
    );
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-12-31T09:00:00+08:00",
        "2025-12-31T11:00:00+08:00",
        0,
    );
    t.ok("claims.create", json!({"order_id": id(&o)}));
    assert_eq!(batch(&mut t, "2025-12", s.brand)["due"], "2026-01-04");
}

#[test]
fn a_part_is_claimed_at_cost_once_its_defective_unit_went_back_to_the_factory() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-10T09:00:00+08:00",
        "2025-09-10T11:00:00+08:00",
        3,
    );
    let number = o["number"].as_str().unwrap().to_string();
    let c = t.ok("claims.create", json!({"order_id": id(&o)}));
    // Three used, none returned: the part line is pending and claims nothing.
    assert_eq!(c["lines"][1]["kind"], "part");
    assert_eq!(c["lines"][1]["description"], "HT-01 加热管");
    assert_eq!(c["lines"][1]["quantity"], 3);
    assert_eq!(c["lines"][1]["pending"], 3);
    assert_eq!(c["lines"][1]["amount_fen"], 0);
    assert_eq!(c["pending"], 3);
    assert_eq!(c["claimed_fen"], 8000);

    // 返厂 naming the order: bounded by what the order used, for a part it used.
    let e = t.err(
        "stock.defective",
        json!({"part_id": s.part, "store_id": s.main, "quantity": 1, "form_no": "BHG-1",
               "reason": "烧断", "work_order": "WO-NONE"}),
    );
    assert_eq!(field(&e), "work_order");
    assert!(message(&e).contains("没有工单号为 WO-NONE 的工单"), "{e}");
    let other = id(&t.ok(
        "parts.save",
        json!({"code": "TH-02", "name": "温控器", "unit": "个", "cost_fen": 500, "price_fen": 2000}),
    ));
    t.ok(
        "stock.receive",
        json!({"part_id": other, "store_id": s.main, "quantity": 1, "unit_cost_fen": 500}),
    );
    let e = t.err(
        "stock.defective",
        json!({"part_id": other, "store_id": s.main, "quantity": 1, "form_no": "BHG-1",
               "reason": "烧断", "work_order": number}),
    );
    assert!(message(&e).contains("没有保内使用这个备件"), "{e}");
    let e = t.err(
        "stock.defective",
        json!({"part_id": s.part, "store_id": s.main, "quantity": 4, "form_no": "BHG-1",
               "reason": "烧断", "work_order": number}),
    );
    assert_eq!(field(&e), "quantity");
    assert!(message(&e).contains("最多还能返厂3件"), "{e}");
    assert_eq!(count(&t, "SELECT count(*) FROM defective_claim"), 0);

    // Two of three returned: the draft reads the ledger as it stands. Cost: the issue took
    // 3 × ¥12.34 = ¥37.02 off the ledger; two of three claim ¥24.68.
    let m = defective(&mut t, &s, &number, 2, "BHG-0001");
    assert_eq!(m["movements"][0]["claim"]["work_order"], number);
    let l = batch(&mut t, "2025-09", s.brand);
    let c = &l["claims"][0];
    assert_eq!(c["lines"][1]["returned"], 2);
    assert_eq!(c["lines"][1]["pending"], 1);
    assert_eq!(c["lines"][1]["amount_fen"], 2468);
    assert_eq!(c["lines"][1]["forms"][0], "BHG-0001");
    assert_eq!(c["claimed_fen"], 8000 + 2468);
    let e = t.err(
        "stock.defective",
        json!({"part_id": s.part, "store_id": s.main, "quantity": 2, "form_no": "BHG-2",
               "reason": "烧断", "work_order": number}),
    );
    assert!(message(&e).contains("已返厂2件，最多还能返厂1件"), "{e}");

    // September is over; with a unit pending the batch is refused, naming order and part.
    clock(&mut t, "2025-10-09T09:00:00+08:00");
    let e = t.err(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    assert_eq!(field(&e), "leave_pending");
    assert!(
        message(&e).contains(&format!(
            "工单 {number} 的备件 HT-01 加热管 还有1件坏件未返厂"
        )),
        "{e}"
    );
    assert_eq!(batch(&mut t, "2025-09", s.brand)["drafts"], 1);
    // A reversed 返厂 row no longer counts; the last unit returned makes it whole.
    let first = m["movements"][0]["id"].as_i64().unwrap();
    t.ok(
        "stock.reverse",
        json!({"movement_id": first, "reason": "单号写错"}),
    );
    assert_eq!(
        batch(&mut t, "2025-09", s.brand)["claims"][0]["lines"][1]["returned"],
        0
    );
    defective(&mut t, &s, &number, 3, "BHG-0002");
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    let c = &b["claims"][0];
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["parts_fen"], 3702);
    assert_eq!(c["claimed_fen"], 11702);
    assert_eq!(c["lines"][1]["forms"], json!(["BHG-0002"]));
    // Frozen once submitted: the stored lines are what the brand was sent.
    let stored: i64 = t.sql(&format!(
        "SELECT sum(amount_fen) FROM claim_line WHERE claim_id = {}",
        c["id"]
    ));
    assert_eq!(stored, 11702);
}

#[test]
fn parts_still_pending_may_be_left_out_of_the_batch_on_purpose() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "漏水",
        "2025-09-30T09:00:00+08:00",
        "2025-09-30T11:00:00+08:00",
        1,
    );
    t.ok("claims.create", json!({"order_id": id(&o)}));
    clock(&mut t, "2025-10-09T09:00:00+08:00");
    let b = t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09", "leave_pending": true}),
    );
    let c = &b["claims"][0];
    assert_eq!(c["claimed_fen"], 5000);
    assert_eq!(c["pending"], 1);
    let detail = c["events"][1]["detail"].as_str().unwrap();
    assert!(detail.contains("1件坏件未返厂，不索赔"), "{detail}");
}

#[test]
fn the_brands_answer_and_payment_move_forward_with_amounts_reasons_and_dates() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let mut ids = Vec::new();
    for day in ["02", "03", "04"] {
        let o = done_order(
            &mut t,
            &s,
            s.machine,
            "不加热",
            &format!("2025-09-{day}T09:00:00+08:00"),
            &format!("2025-09-{day}T11:00:00+08:00"),
            0,
        );
        ids.push(id(&t.ok("claims.create", json!({"order_id": id(&o)}))));
    }
    // A draft is not answered.
    let e = t.err("claims.settle", json!({"id": ids[0], "status": "approved"}));
    assert!(
        message(&e).contains("草稿，不能改为已核准（请先提交批次）"),
        "{e}"
    );
    clock(&mut t, "2025-10-09T10:00:00+08:00");
    t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    clock(&mut t, "2025-10-20T10:00:00+08:00");
    // Approved: the whole claim; another amount is refused.
    let e = t.err(
        "claims.settle",
        json!({"id": ids[0], "status": "approved", "approved_fen": 7000}),
    );
    assert_eq!(field(&e), "approved_fen");
    let a = t.ok("claims.settle", json!({"id": ids[0], "status": "approved"}));
    assert_eq!(a["approved_fen"], 8000);
    assert!(a["settle_to"].as_array().unwrap().contains(&json!("paid")));
    // Partly: less than claimed, more than nothing, with a reason.
    for (fen, reason, f) in [
        (json!(8000), "x", "approved_fen"),
        (json!(0), "x", "approved_fen"),
        (json!(null), "x", "approved_fen"),
        (json!(6000), "", "reason"),
    ] {
        let e = t.err(
            "claims.settle",
            json!({"id": ids[1], "status": "partly", "approved_fen": fen, "reason": reason}),
        );
        assert_eq!(field(&e), f, "{fen} {reason}: {e}");
    }
    let p = t.ok(
        "claims.settle",
        json!({"id": ids[1], "status": "partly", "approved_fen": 6000, "reason": "工时按标准核减"}),
    );
    assert_eq!(p["status"], "partly");
    assert_eq!(p["approved_fen"], 6000);
    assert_eq!(p["reason"], "工时按标准核减");
    let last = p["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["from"], "submitted");
    assert_eq!(last["to"], "partly");
    assert!(last["at"].as_str().unwrap().starts_with("2025-10-20 10:00"));
    assert!(
        last["detail"].as_str().unwrap().contains("核减 ¥20.00"),
        "{last}"
    );
    // Rejected: with a reason; then nothing more.
    let e = t.err("claims.settle", json!({"id": ids[2], "status": "rejected"}));
    assert_eq!(field(&e), "reason");
    let r = t.ok(
        "claims.settle",
        json!({"id": ids[2], "status": "rejected", "reason": "超出保修范围"}),
    );
    assert_eq!(r["approved_fen"], 0);
    assert_eq!(r["settle_to"], json!([]));
    let e = t.err(
        "claims.settle",
        json!({"id": ids[2], "status": "paid", "paid_on": "2025-10-20"}),
    );
    assert!(message(&e).contains("已驳回，不能改为已回款"), "{e}");
    // Paid: a date, not after today nor before the claim was submitted.
    for (day, words) in [
        (json!(null), "请填写回款日期"),
        (json!("2025-10-21"), "不能晚于今天"),
        (json!("2025-10-08"), "不能早于提交日期 2025-10-09"),
        (json!("2025-02-30"), "不是有效的日期"),
    ] {
        let e = t.err(
            "claims.settle",
            json!({"id": ids[1], "status": "paid", "paid_on": day}),
        );
        assert_eq!(field(&e), "paid_on", "{day}: {e}");
        assert!(message(&e).contains(words), "{day}: {e}");
    }
    let paid = t.ok(
        "claims.settle",
        json!({"id": ids[1], "status": "paid", "paid_on": "2025-10-20"}),
    );
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_on"], "2025-10-20");
    let e = t.err(
        "claims.settle",
        json!({"id": ids[1], "status": "paid", "paid_on": "2025-10-20"}),
    );
    assert_eq!(field(&e), "status");
    // An unknown word names the field; an unknown claim is not found.
    let e = t.err("claims.settle", json!({"id": ids[0], "status": "done"}));
    assert_eq!(field(&e), "status");
    let e = t.err("claims.settle", json!({"id": 99999, "status": "approved"}));
    assert_eq!(e["code"], "not_found");
    // The batch's sums: claimed 240, approved 80 + 60, paid 60, owed 80.
    let b = batch(&mut t, "2025-09", s.brand);
    assert_eq!(b["claimed_fen"], 24000);
    assert_eq!(b["approved_fen"], 14000);
    assert_eq!(b["paid_fen"], 6000);
    assert_eq!(b["owed_fen"], 8000);
    // The timeline is append-only.
    let db = t.db();
    assert!(db.execute("DELETE FROM claim_event", []).is_err());
    assert!(db
        .execute("UPDATE claim_event SET detail = 'x'", [])
        .is_err());
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM audit_entry WHERE action = 'claim_settled'"
        ),
        4
    );
}

#[test]
fn only_the_storekeeper_and_the_manager_claim_and_only_the_manager_settles() {
    use aftersales::Role::*;
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-02T09:00:00+08:00",
        "2025-09-02T11:00:00+08:00",
        0,
    );
    let call = |t: &mut TestDesk, role: aftersales::Role, command: &str, args: Value| {
        t.desk.act_as(aftersales::Actor {
            id: Some(900),
            login: "someone".into(),
            name: "某人".into(),
            roles: vec![role],
            engineer_id: None,
        });
        let out = aftersales::api::call(&mut t.desk, command, args).map_err(|e| e.to_json());
        t.desk.act_as(aftersales::Actor::script());
        out.map(|r| r.value())
    };
    for role in [Clerk, Dispatcher, Engineer, Admin] {
        let e = call(&mut t, role, "claims.create", json!({"order_id": id(&o)})).unwrap_err();
        assert_eq!(e["code"], "forbidden", "{role:?}");
        assert!(message(&e).contains("建索赔"), "{e}");
    }
    let c = call(
        &mut t,
        Storekeeper,
        "claims.create",
        json!({"order_id": id(&o)}),
    )
    .unwrap();
    // The storekeeper is not offered the brand's answer, and may not record it.
    assert_eq!(c["settle_to"], json!([]));
    assert_eq!(c["events"][0]["user"], "某人");
    clock(&mut t, "2025-10-09T10:00:00+08:00");
    call(
        &mut t,
        Storekeeper,
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    )
    .unwrap();
    let e = call(
        &mut t,
        Storekeeper,
        "claims.settle",
        json!({"id": c["id"], "status": "approved"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    let e = call(
        &mut t,
        Storekeeper,
        "claims.brand_save",
        json!({"name": "x"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    let a = call(
        &mut t,
        Manager,
        "claims.settle",
        json!({"id": c["id"], "status": "approved"}),
    )
    .unwrap();
    assert_eq!(a["status"], "approved");
}

#[test]
fn the_workbook_has_the_brands_columns_under_its_own_headers() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let o = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-30T09:00:00+08:00",
        "2025-09-30T23:30:00+08:00",
        2,
    );
    let number = o["number"].as_str().unwrap().to_string();
    t.ok("claims.create", json!({"order_id": id(&o)}));
    // Drafts only: nothing to send yet.
    let e = t.err(
        "claims.export",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    assert!(message(&e).contains("还没有提交的索赔"), "{e}");
    defective(&mut t, &s, &number, 2, "BHG-0009");
    clock(&mut t, "2025-10-09T09:00:00+08:00");
    t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    let x = t.ok(
        "claims.export",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    assert_eq!(x["file_name"], "厂家索赔-海尔-2025-09.xlsx");
    assert_eq!(x["rows"], 1);
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(x["content_base64"].as_str().unwrap())
        .unwrap();
    let sheet = aftersales::platform::sheet::read("a.xlsx", &bytes, &|h| h == "服务单号").unwrap();
    assert_eq!(
        sheet.headers,
        [
            "服务单号",
            "产品编码",
            "完工日期",
            "更换配件",
            "劳务费",
            "配件费",
            "合计"
        ]
    );
    let row = &sheet.rows[0].cells;
    assert_eq!(row[0], number);
    assert_eq!(row[1], "HR-0001");
    assert_eq!(
        row[2], "2025-09-30",
        "completed at 23:30 Beijing time: the 30th"
    );
    assert_eq!(row[3], "HT-01 加热管×2");
    let money = |s: &str| s.replace(['¥', ','], "").parse::<f64>().unwrap();
    assert_eq!(money(&row[4]), 80.0);
    assert_eq!(money(&row[5]), 24.68);
    assert_eq!(money(&row[6]), 104.68);
    // The export is in the audit trail.
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM audit_entry WHERE action = 'exported' AND entity = 'brand'"
        ),
        1
    );
    // An unknown brand names the field.
    let e = t.err(
        "claims.export",
        json!({"brand_id": 9999, "month": "2025-09"}),
    );
    assert_eq!(field(&e), "brand_id");
}

/// A line of a report of `month`, by its key.
fn report_line(t: &mut TestDesk, report: &str, month: &str, key: &str) -> Vec<f64> {
    let r = t.ok("reports.get", json!({"report": report, "month": month}));
    r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {r}"))["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[test]
fn the_monthly_reports_carry_what_the_brands_were_claimed_approved_paid_and_owe() {
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let a = done_order(
        &mut t,
        &s,
        s.machine,
        "不加热",
        "2025-09-02T09:00:00+08:00",
        "2025-09-02T11:00:00+08:00",
        0,
    );
    let b = done_order(
        &mut t,
        &s,
        s.machine,
        "漏水",
        "2025-09-03T09:00:00+08:00",
        "2025-09-03T11:00:00+08:00",
        0,
    );
    let ca = id(&t.ok("claims.create", json!({"order_id": id(&a)})));
    let cb = id(&t.ok("claims.create", json!({"order_id": id(&b)})));
    // Submitted in October (a batch of September), answered on 31 October at 23:00
    // Beijing time (October's, though UTC is still the 31st), paid in November.
    clock(&mut t, "2025-10-09T09:00:00+08:00");
    t.ok(
        "claims.submit",
        json!({"brand_id": s.brand, "month": "2025-09"}),
    );
    clock(&mut t, "2025-10-31T23:00:00+08:00");
    t.ok("claims.settle", json!({"id": ca, "status": "approved"}));
    t.ok(
        "claims.settle",
        json!({"id": cb, "status": "partly", "approved_fen": 3000, "reason": "工时核减"}),
    );
    clock(&mut t, "2025-11-03T09:00:00+08:00");
    t.ok(
        "claims.settle",
        json!({"id": ca, "status": "paid", "paid_on": "2025-11-01"}),
    );

    let brand = s.brand.to_string();
    assert_eq!(report_line_len(&mut t, "2025-09", &brand), 0);
    assert_eq!(
        report_line(&mut t, "claims", "2025-10", &brand),
        vec![130.0, 110.0, 0.0, 110.0]
    );
    assert_eq!(
        report_line(&mut t, "claims", "2025-11", &brand),
        vec![0.0, 0.0, 80.0, 30.0]
    );
    assert_eq!(
        report_line(&mut t, "fees", "2025-10", "claims_claimed"),
        vec![130.0]
    );
    assert_eq!(
        report_line(&mut t, "fees", "2025-10", "claims_approved"),
        vec![110.0]
    );
    assert_eq!(
        report_line(&mut t, "fees", "2025-10", "claims_outstanding"),
        vec![110.0]
    );
    assert_eq!(
        report_line(&mut t, "fees", "2025-11", "claims_paid"),
        vec![80.0]
    );
    assert_eq!(
        report_line(&mut t, "fees", "2025-11", "claims_outstanding"),
        vec![30.0]
    );
    // The brand's number opens the orders behind it.
    let page = t.ok(
        "reports.orders",
        json!({"report": "claims", "key": brand, "month": "2025-10"}),
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let _ = (s.old_machine, s.stray_machine);
}

/// September has no claims figures: the brand's line is left out (0 when absent).
fn report_line_len(t: &mut TestDesk, month: &str, brand: &str) -> usize {
    let r = t.ok("reports.get", json!({"report": "claims", "month": month}));
    r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["key"] == brand)
        .count()
}

/// Four desks claim the same order at the same moment, round after round, then submit the
/// same batch at once: one claim per order and one submission, the others told in
/// Chinese, whatever the engine (SQLite's single writer; PostgreSQL's SERIALIZABLE and the
/// unique `claim.order_id`).
#[test]
fn four_desks_claiming_one_order_at_once_claim_it_once() {
    const ROUNDS: usize = 4;
    let mut t = desk();
    let s = setup(&mut t, "2025-09-01T09:00:00+08:00");
    let orders: Vec<i64> = (0..ROUNDS)
        .map(|i| {
            let day = format!("2025-09-{:02}", i + 2);
            id(&done_order(
                &mut t,
                &s,
                s.machine,
                "不加热",
                &format!("{day}T09:00:00+08:00"),
                &format!("{day}T11:00:00+08:00"),
                0,
            ))
        })
        .collect();
    let o = orders.clone();
    let outcomes = crate::at_once::at_once(&t, 4, ROUNDS, move |_, round| {
        ("claims.create", json!({"order_id": o[round]}))
    });
    for round in 0..ROUNDS {
        let won = outcomes.iter().filter(|d| d[round].is_ok()).count();
        assert_eq!(won, 1, "round {round}: {outcomes:?}");
        for d in &outcomes {
            if let Err(e) = &d[round] {
                crate::at_once::assert_told_plainly(e, "claim at once");
                assert_eq!(e.field(), Some("order_id"), "{e:?}");
            }
        }
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM claim"), ROUNDS as i64);
    // The desks of at_once keep the real clock: September 2025 is long over.
    let brand = s.brand;
    let outcomes = crate::at_once::at_once(&t, 4, 1, move |_, _| {
        (
            "claims.submit",
            json!({"brand_id": brand, "month": "2025-09"}),
        )
    });
    let won = outcomes.iter().filter(|d| d[0].is_ok()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    for d in &outcomes {
        if let Err(e) = &d[0] {
            crate::at_once::assert_told_plainly(e, "submit at once");
        }
    }
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM claim_event WHERE to_status = 'submitted'"),
        ROUNDS as i64
    );
}
