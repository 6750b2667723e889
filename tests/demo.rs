//! The demo database a buyer judges the product by: models, faults and parts that belong
//! together, prices above cost, a year of history at working times, visits in working
//! hours, and every report and stock list with something in it. Made at the CLI's sizes
//! on a desk whose clock is fixed mid-month.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

/// A Thursday, 14:00 in China, in the middle of a month.
const NOW: &str = "2026-05-14T06:00:00Z";

fn demo_desk() -> TestDesk {
    let mut t = desk();
    t.desk.set_clock(Some(
        DateTime::parse_from_rfc3339(NOW)
            .unwrap()
            .with_timezone(&Utc),
    ));
    aftersales::demo::fill(&mut t.desk, 300).unwrap();
    aftersales::demo::fill_stock(&mut t.desk, 60, 1800).unwrap();
    aftersales::demo::fill_orders(&mut t.desk, 400, 12).unwrap();
    t
}

fn rows<T: rusqlite::types::FromSql>(t: &TestDesk, sql: &str) -> Vec<Vec<T>> {
    let conn = t.db();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| (0..n).map(|i| r.get::<_, T>(i)).collect())
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Whether the local day of a stored UTC time is a working day on the desk's calendar
/// (the official holidays and make-up days, issue 17), as `calendar.list` gives it.
fn working_day(t: &mut TestDesk) -> impl Fn(&str) -> bool {
    let listed: std::collections::HashMap<String, bool> = t.ok("calendar.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["day"].as_str().unwrap().to_string(), d["kind"] == "work"))
        .collect();
    move |utc: &str| {
        let local = DateTime::parse_from_rfc3339(utc)
            .unwrap()
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        let day = local.format("%Y-%m-%d").to_string();
        let weekday = !matches!(
            chrono::Datelike::weekday(&local),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        listed.get(&day).copied().unwrap_or(weekday)
    }
}

/// A stored UTC stamp as [local weekday (0 = Sunday), local time, the stamp itself].
fn local(stamp: &str) -> [String; 3] {
    let at = DateTime::parse_from_rfc3339(stamp).unwrap() + chrono::Duration::hours(8);
    [
        at.format("%w").to_string(),
        at.format("%H:%M:%S").to_string(),
        stamp.to_string(),
    ]
}

#[test]
fn every_part_is_sold_above_its_cost_at_a_price_list_amount() {
    let t = demo_desk();
    let parts: Vec<Vec<Value>> = rows::<String>(
        &t,
        "SELECT code, name, CAST(cost_fen AS TEXT), CAST(price_fen AS TEXT) FROM part",
    )
    .into_iter()
    .map(|r| {
        vec![json!([
            r[0],
            r[1],
            r[2].parse::<i64>().unwrap(),
            r[3].parse::<i64>().unwrap()
        ])]
    })
    .collect();
    assert_eq!(parts.len(), 60);
    for p in parts {
        let (cost, price) = (p[0][2].as_i64().unwrap(), p[0][3].as_i64().unwrap());
        assert!(
            price * 100 >= cost * 120 && price * 100 <= cost * 181,
            "margin out of 20–80 %: {}",
            p[0]
        );
        assert_eq!(price % 50, 0, "price not in whole yuan or .50: {}", p[0]);
        assert_eq!(cost % 100, 0, "cost not in whole yuan: {}", p[0]);
    }
    // Fees are price-list amounts too.
    let odd: i64 =
        t.sql("SELECT count(*) FROM fee_line WHERE amount_fen % 50 <> 0 OR amount_fen <= 0");
    assert_eq!(odd, 0);
    let kinds: i64 = t.sql("SELECT count(DISTINCT kind) FROM fee_line");
    assert!(
        kinds >= 3,
        "parts, call-out and labour fees expected, {kinds} kinds"
    );
}

#[test]
fn models_faults_and_parts_belong_to_one_category() {
    let t = demo_desk();
    // model_part links a model only to parts of its own category.
    let links = rows::<String>(
        &t,
        "SELECT m.code, m.category, p.name FROM model_part mp JOIN product_model m ON m.id = mp.model_id
         JOIN part p ON p.id = mp.part_id",
    );
    assert!(links.len() >= 20, "only {} model-part links", links.len());
    for l in &links {
        let own = aftersales::demo::category_parts(&l[1]);
        assert!(!own.is_empty(), "no parts for category {}", l[1]);
        assert!(
            own.contains(&l[2].as_str()),
            "{} ({}) linked to {}",
            l[0],
            l[1],
            l[2]
        );
    }
    // Every order's fault is one of its model's category (or a service's own phrase).
    let orders = rows::<String>(
        &t,
        "SELECT o.number, m.category, o.fault, o.kind FROM work_order o JOIN product_model m ON m.id = o.model_id",
    );
    assert_eq!(orders.len(), 400);
    for o in &orders {
        let faults = aftersales::demo::category_faults(&o[1]);
        assert!(
            faults.contains(&o[2].as_str())
                || (o[3] != "repair" && aftersales::demo::SERVICE_PHRASES.contains(&o[2].as_str())),
            "order {} of a {} says {} ({})",
            o[0],
            o[1],
            o[2],
            o[3]
        );
    }
    // No water heater that does not cool, no cash register without ice.
    let wrong: i64 = t.sql(
        "SELECT count(*) FROM work_order o JOIN product_model m ON m.id = o.model_id
         WHERE (m.category LIKE '%热水器' AND o.fault IN ('不制冷', '不出冰'))
            OR (m.category = '收款机' AND o.fault IN ('不出冰', '不制冷', '不点火'))",
    );
    assert_eq!(wrong, 0);
    // Completed repairs used parts of their own category, drawn before completion.
    let used = rows::<String>(
        &t,
        "SELECT o.number, m.category, p.name, s.at, o.completed_at, s.kind, o.created_at
         FROM order_part op JOIN work_order o ON o.id = op.order_id
         JOIN product_model m ON m.id = o.model_id JOIN part p ON p.id = op.part_id
         JOIN stock_movement s ON s.id = op.movement_id",
    );
    assert!(used.len() >= 10, "only {} orders used parts", used.len());
    for u in &used {
        assert!(
            aftersales::demo::category_parts(&u[1]).contains(&u[2].as_str()),
            "{u:?}"
        );
        assert_eq!(u[5], "issue", "{u:?}");
        assert!(
            u[6] <= u[3] && u[3] <= u[4],
            "drawn outside the order's time: {u:?}"
        );
    }
    // A machine is bought before its first call; the warranty is its own on that day.
    let wrong: i64 = t.sql(
        "SELECT count(*) FROM work_order o JOIN equipment e ON e.id = o.equipment_id
         JOIN warranty_policy w ON w.model_id = e.model_id AND w.component = ''
         WHERE e.purchase_date > date(o.created_at, '+8 hours')
            OR (o.warranty = 'in') <> (date(o.created_at, '+8 hours')
                   <= date(e.purchase_date, '+' || w.months || ' months', '-1 day'))",
    );
    assert_eq!(wrong, 0);
    // Completion records the part on the order as the desk would.
    let priced: i64 = t.sql(
        "SELECT count(*) FROM order_part op JOIN part p ON p.id = op.part_id
         WHERE op.unit_price_fen <> p.price_fen
            OR op.charged_fen <> CASE WHEN op.in_warranty = 1 THEN 0 ELSE p.price_fen * op.quantity END",
    );
    assert_eq!(priced, 0);
}

#[test]
fn a_year_of_history_at_working_times() {
    let mut t = demo_desk();
    let working = working_day(&mut t);
    // The demo desk has the State Council's days (issue 17): Spring Festival off, its
    // make-up Saturday a working day.
    assert!(!working("2026-02-17T02:00:00Z"));
    assert!(working("2026-02-14T02:00:00Z"));
    let months: i64 = rows::<String>(&t, "SELECT at FROM stock_movement")
        .iter()
        .map(|r| {
            (DateTime::parse_from_rfc3339(&r[0]).unwrap() + chrono::Duration::hours(8))
                .format("%Y-%m")
                .to_string()
        })
        .collect::<std::collections::HashSet<_>>()
        .len() as i64;
    assert!(months >= 13, "stock movements in only {months} months");
    let kinds: i64 = t.sql("SELECT count(DISTINCT kind) FROM stock_movement");
    assert!(
        kinds >= 5,
        "receipts, issues, transfers and returns expected"
    );
    for (what, column) in [
        ("stock_movement", "at"),
        ("work_order", "created_at"),
        ("work_order", "completed_at"),
        ("payment", "at"),
        ("callback", "done_at"),
        ("complaint", "created_at"),
    ] {
        let found: Vec<[String; 3]> = rows::<String>(
            &t,
            &format!("SELECT {column} FROM {what} WHERE {column} IS NOT NULL"),
        )
        .iter()
        .map(|r| local(&r[0]))
        .collect();
        assert!(!found.is_empty(), "no {what}.{column}");
        for r in &found {
            assert!(
                working(&r[2]),
                "{what}.{column} on a day off (weekend or holiday): {}",
                r[2]
            );
            assert!(
                ("08:00:00".."18:30:00").contains(&r[1].as_str()),
                "{what}.{column} outside working hours: {}",
                r[2]
            );
        }
        let late: i64 = t.sql(&format!(
            "SELECT count(*) FROM {what} WHERE {column} > '{NOW}'"
        ));
        assert_eq!(late, 0, "{what}.{column} after now");
    }
    // Movements and orders are in time order by id (the ledger and the numbers read so).
    for (what, column) in [("stock_movement", "at"), ("work_order", "created_at")] {
        let back: i64 = t.sql(&format!(
            "SELECT count(*) FROM {what} a JOIN {what} b ON b.id = a.id + 1 WHERE b.{column} < a.{column}"
        ));
        assert_eq!(back, 0, "{what} out of time order");
    }
}

#[test]
fn visits_are_booked_in_working_hours_and_some_are_coming() {
    let mut t = demo_desk();
    let working = working_day(&mut t);
    let visits: Vec<Vec<String>> = rows::<String>(
        &t,
        "SELECT appointment_from, appointment_to, o.status FROM work_order o WHERE appointment_from IS NOT NULL",
    )
    .iter()
    .map(|r| {
        let mut v: Vec<String> = local(&r[0]).into();
        v.extend(local(&r[1]));
        v.push(r[2].clone());
        v
    })
    .collect();
    assert!(visits.len() > 100, "only {} visits", visits.len());
    for v in &visits {
        assert!(
            working(&v[2]),
            "visit on a day off (weekend or holiday): {v:?}"
        );
        assert!(
            v[1].as_str() >= "08:30:00" && v[4].as_str() <= "17:30:00",
            "{v:?}"
        );
        assert!(v[2] < v[5], "visit ends before it starts: {v:?}");
        assert_eq!(&v[2][..10], &v[5][..10], "{v:?}");
    }
    let coming: i64 = t.sql(&format!(
        "SELECT count(*) FROM work_order WHERE appointment_from > '{NOW}' AND status IN ('dispatched', 'waiting_parts')"
    ));
    assert!(coming > 0, "no visit booked for the coming days");
}

fn nonzero(lines: &Value) -> bool {
    lines.as_array().unwrap().iter().any(|l| {
        l["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_f64().unwrap() != 0.0)
    })
}

#[test]
fn every_report_and_stock_list_has_content() {
    let mut t = demo_desk();
    assert!(!t.ok("stock.low", json!({}))["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let slow = t.ok("stock.slow", json!({}));
    assert!(!slow["items"].as_array().unwrap().is_empty(), "{slow}");
    assert!(!t.ok("stock.report", json!({}))["items"]
        .as_array()
        .unwrap()
        .is_empty());
    for month in ["", "2026-04"] {
        let all = t.ok("reports.get", json!({"month": month}));
        for r in all["items"].as_array().unwrap() {
            for lines in ["current_lines", "previous_lines", "last_year_lines"] {
                assert!(
                    nonzero(&r[lines]),
                    "{} empty in {lines} for month {month:?}: {}",
                    r["name"],
                    r[lines]
                );
            }
        }
        // No part comes back more than went out in any period.
        let parts = &all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "parts")
            .unwrap();
        for lines in ["current_lines", "previous_lines", "last_year_lines"] {
            for l in parts[lines].as_array().unwrap() {
                assert!(
                    l["values"][0].as_f64().unwrap() >= 0.0,
                    "{month:?} {lines}: {l}"
                );
            }
        }
        // The parts report counts parts used, not only the stock value.
        let parts = &all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "parts")
            .unwrap();
        let used = parts["current_lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["key"] != "stock_value" && l["key"] != "shortages")
            .count();
        assert!(used >= 5, "only {used} parts used in {month:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_demo() {
    let (a, b) = (demo_desk(), demo_desk());
    for sql in [
        "SELECT group_concat(number || fault || total_fen || created_at || coalesce(appointment_from, ''), '|') FROM work_order",
        "SELECT group_concat(kind || part_id || store_id || quantity || value_fen || at, '|') FROM stock_movement",
        "SELECT group_concat(code || name || cost_fen || price_fen || min_stock, '|') FROM part",
        "SELECT group_concat(number || content || created_at, '|') FROM complaint",
    ] {
        assert_eq!(a.sql::<String>(sql), b.sql::<String>(sql), "{sql}");
    }
}
