//! One clock: with the desk's clock fixed far from the day the tests run, every row a
//! command writes carries desk time, and dates are checked against the desk's own day
//! (China Standard Time), not the computer's.

use aftersales::platform::db::{Both, Db};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

/// Years from whenever the tests run, so no wall-clock stamp can pass for it.
const FIXED: &str = "2031-02-03T04:05:06Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

/// Every column named `at` or `…_at` in the file, as (table, column).
fn time_columns(conn: &Db) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(&Both {
            sqlite: "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND (p.name = 'at' OR p.name LIKE '%\\_at' ESCAPE '\\')
             ORDER BY m.name, p.name",
            postgres: "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema()
               AND (column_name = 'at' OR column_name LIKE '%\\_at' ESCAPE '\\')
             ORDER BY 1, 2",
        })
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
fn a_fixed_clock_stamps_every_row_it_writes_with_desk_time() {
    let mut t: TestDesk = desk();
    t.desk.set_clock(Some(at(FIXED)));

    t.ok(
        "settings.save",
        json!({"company_name": "华东制冷售后服务部"}),
    );
    let model = id(&t.ok(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id(&t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    t.ok(
        "customers.update",
        json!({"id": customer, "name": "张伟", "phones": ["13812345678", "13900001111"],
               "address": "北京市海淀区中关村大街1号"}),
    );
    let machine = id(&t.ok(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-0001",
               "purchase_date": "2020-01-20"}),
    ));
    let part = id(&t.ok(
        "parts.save",
        json!({"code": "P100", "name": "点火针", "unit": "个", "cost_fen": 1000, "price_fen": 3500}),
    ));
    let main = t.ok("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .unwrap();
    let van = id(&t.ok(
        "stores.save",
        json!({"code": "VAN-LI", "name": "李工车载库", "kind": "van", "engineer": "李强"}),
    ));
    t.ok(
        "stock.receive",
        json!({"part_id": part, "store_id": main, "quantity": 5, "unit_cost_fen": 1000}),
    );
    t.ok(
        "stock.issue",
        json!({"part_id": part, "store_id": main, "quantity": 1, "work_order": "WO-X"}),
    );
    t.ok(
        "stock.transfer",
        json!({"part_id": part, "from_store_id": main, "to_store_id": van, "quantity": 2}),
    );
    let li = id(&t.ok(
        "engineers.save",
        json!({"name": "李强", "phone": "13900002222", "region": "海淀"}),
    ));
    let order = id(&t.ok(
        "orders.create",
        json!({"customer_id": customer, "equipment_id": machine, "kind": "repair",
               "channel": "phone", "mode": "on_site", "fault_tags": ["不点火"],
               "fault": "打开热水后没有火", "confirmed": true}),
    ));
    t.ok("orders.assign", json!({"id": order, "engineer_id": li}));
    t.ok("orders.move", json!({"id": order, "to": "in_progress"}));
    t.ok(
        "orders.complete",
        json!({"id": order, "work_done": "更换点火针",
               "parts": [{"part_id": part, "store_id": van, "quantity": 1}],
               "fees": [{"kind": "callout", "amount_fen": 3000}]}),
    );
    t.ok(
        "orders.pay",
        json!({"id": order, "method": "wechat", "amount_fen": 1000}),
    );
    t.ok(
        "users.save",
        json!({"login": "wang", "name": "王芳", "roles": ["clerk"], "password": "pass-1234"}),
    );
    t.ok(
        "auth.login",
        json!({"login": "wang", "password": "pass-1234"}),
    );

    let conn = t.db();
    let mut stamped = Vec::new();
    let mut wrong = Vec::new();
    for (table, column) in time_columns(&conn) {
        // The main store is made by a migration when the file is created, not by a command.
        let skip = if table == "store" {
            " AND code <> 'MAIN'"
        } else {
            ""
        };
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {column} FROM {table} WHERE {column} IS NOT NULL{skip}"
            ))
            .unwrap();
        let values: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        if !values.is_empty() {
            stamped.push(format!("{table}.{column}"));
        }
        wrong.extend(
            values
                .into_iter()
                .filter(|v| v != FIXED)
                .map(|v| format!("{table}.{column} = {v}")),
        );
    }
    assert!(wrong.is_empty(), "not desk time: {wrong:#?}");
    // What the commands above wrote, so the check above cannot pass on empty tables.
    for written in [
        "app_user.created_at",
        "audit_entry.at",
        "customer.created_at",
        "customer.updated_at",
        "engineer.created_at",
        "equipment.created_at",
        "order_event.at",
        "part.created_at",
        "payment.at",
        "product_model.created_at",
        "stock_balance.last_issue_at",
        "stock_movement.at",
        "store.created_at",
        "work_order.completed_at",
        "work_order.created_at",
    ] {
        assert!(
            stamped.iter().any(|s| s == written),
            "{written} not written: {stamped:?}"
        );
    }
    let logins: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_entry WHERE action = 'login' AND at = ?1",
            [FIXED],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logins, 1);
    // The JSON shows the same stamp.
    let o = t.ok("orders.get", json!({"id": order}));
    assert_eq!(o["created_at"], FIXED);
}

#[test]
fn a_purchase_date_is_checked_against_the_desks_day() {
    let mut t = desk();
    // 2031-02-03 17:30 UTC is already 2031-02-04 01:30 at the desk (UTC+8).
    t.desk.set_clock(Some(at("2031-02-03T17:30:00Z")));
    assert_eq!(t.desk.today().to_string(), "2031-02-04");
    let model = id(&t.ok(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let customer = id(&t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    ));
    let machine = |serial: &str, date: &str| {
        json!({"customer_id": customer, "model_id": model, "serial": serial,
               "purchase_date": date})
    };
    // The desk's today is fine (the computer's UTC date is still the 3rd).
    t.ok("equipment.create", machine("SN-0001", "2031-02-04"));
    // The day after the desk's today is refused.
    let e = t.err("equipment.create", machine("SN-0002", "2031-02-05"));
    assert_eq!(e["field"], "purchase_date", "{e}");
    assert_eq!(e["message"], "购买日期不能晚于今天");
    // And so is an install date after it.
    let e = t.err(
        "equipment.create",
        json!({"customer_id": customer, "model_id": model, "serial": "SN-0003",
               "purchase_date": "2031-02-04", "install_date": "2031-02-05"}),
    );
    assert_eq!(e["field"], "install_date", "{e}");
}

#[test]
fn a_pdf_is_dated_by_the_desks_clock() {
    let mut t: TestDesk = desk();
    let order = crate::slips::completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 1);
    t.desk.set_clock(Some(at(FIXED)));
    let slip = t.ok("slips.print", json!({"order_id": order, "format": "a4"}));
    let calibration = t.ok("slips.calibration", json!({}));
    for (result, name) in [(slip, "clock-slip"), (calibration, "clock-calibration")] {
        let (file, _) = crate::platform::pdf::save_pdf(&result, name);
        let info = crate::platform::pdf::run(
            std::process::Command::new("pdfinfo")
                .arg("-isodates")
                .arg(&file),
        );
        let info = String::from_utf8_lossy(&info);
        let created = info
            .lines()
            .find_map(|l| l.strip_prefix("CreationDate:"))
            .unwrap_or_else(|| panic!("no CreationDate in:\n{info}"))
            .trim()
            .to_string();
        assert_eq!(created, FIXED, "{name}'s creation date:\n{info}");
    }
}
