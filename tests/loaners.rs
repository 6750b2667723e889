//! 备用机 (issue 21): the register, lending once, the deposit taken and refunded as the
//! order's payments, damage kept in a note, overdue loans on the day board, the loaner on
//! the service slip read back with pdftotext. Runs on either engine
//! (AFTERSALES_TEST_ENGINE=postgres).

use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

/// Friday 2026-11-27 10:00 in Beijing: the loan below is due across the month's end.
const FRIDAY_10: &str = "2026-11-27T10:00:00+08:00";

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

/// An open repair order of a new customer `name`.
fn open_order(t: &mut TestDesk, name: &str, phone: &str) -> i64 {
    let customer = t.ok(
        "customers.create",
        json!({"name": name, "phones": [phone], "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .clone();
    t.ok(
        "orders.create",
        json!({"customer_id": customer, "fault": "洗衣机不脱水", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn loaner(t: &mut TestDesk, serial: &str, deposit_fen: i64) -> i64 {
    t.ok(
        "loaners.save",
        json!({"model": "小天鹅 TG100V120WDG", "serial": serial, "condition": "good",
               "deposit_fen": deposit_fen}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn money_of_loans(t: &TestDesk) -> (i64, i64) {
    t.db()
        .query_row(
            "SELECT count(*), coalesce(sum(amount_fen), 0) FROM payment WHERE loan_id IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// The monthly fees report's 实收（含退款） of `month`, in yuan.
fn collected(t: &mut TestDesk, month: &str) -> f64 {
    let r = t.ok("reports.get", json!({"report": "fees", "month": month}));
    r["items"][0]["current_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "实收（含退款）")
        .unwrap_or_else(|| panic!("no 实收 in {r}"))["values"][0]
        .as_f64()
        .unwrap()
}

fn field(e: &Value) -> &str {
    e["field"].as_str().unwrap_or_default()
}

#[test]
fn the_register_bounds_every_field_and_names_it() {
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let base = json!({"model": "小天鹅 TG100", "serial": "LN-0001", "condition": "good", "deposit_fen": 50000});
    let with = |k: &str, v: Value| {
        let mut a = base.clone();
        a[k] = v;
        a
    };
    for (args, name, words) in [
        (with("serial", json!("")), "serial", "请填写序列号"),
        (
            with("serial", json!("X".repeat(41))),
            "serial",
            "不能超过40个字",
        ),
        (with("serial", json!("LN 0001")), "serial", "只能包含"),
        (with("serial", json!("LN-0001\u{0}")), "serial", "只能包含"),
        (with("model", json!(" ")), "model", "请填写型号"),
        (with("deposit_fen", json!(-1)), "deposit_fen", "押金应在"),
        (
            with("deposit_fen", json!(5_000_001)),
            "deposit_fen",
            "押金应在",
        ),
        (
            with("condition", json!("new")),
            "condition",
            "备用机状况只能是",
        ),
        (
            with("note", json!("很".repeat(201))),
            "note",
            "不能超过200个字",
        ),
    ] {
        let e = t.err("loaners.save", args.clone());
        assert_eq!(field(&e), name, "{args}: {e}");
        assert!(e["message"].as_str().unwrap().contains(words), "{e}");
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM loaner"), 0);
    let saved = t.ok("loaners.save", with("serial", json!("ln-0001")));
    assert_eq!(saved["serial"], "LN-0001");
    assert_eq!(saved["condition_label"], "完好");
    let e = t.err("loaners.save", base.clone());
    assert_eq!(field(&e), "serial");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("已在备用机登记簿中"));
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM audit_entry WHERE action = 'loaner_saved'"),
        1
    );
}

#[test]
fn a_loaner_out_is_not_lent_twice_and_its_return_refunds_the_deposit() {
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let zhang = open_order(&mut t, "张伟", "13812345678");
    let li = open_order(&mut t, "李娜", "13912345678");
    let washer = loaner(&mut t, "LN-0001", 50000);
    let lent = t.ok(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": zhang, "method": "cash", "due_date": "2026-12-04"}),
    );
    assert_eq!(lent["loan"]["customer"], "张伟");
    assert_eq!(lent["loan"]["due_date"], "2026-12-04");
    assert_eq!(lent["loan"]["deposit_fen"], 50000);
    // The deposit is a payment of the order, held apart from its bill.
    assert_eq!(money_of_loans(&t), (1, 50000));
    let order = t.ok("orders.get", json!({"id": zhang}));
    assert_eq!(order["paid_fen"], 0);
    let payments = order["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["amount_fen"], 50000);
    assert_eq!(payments[0]["method"], "cash");
    assert!(order["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "loaner_lent"));

    // Nor is it 回款 in the month's numbers: money held, not income.
    assert_eq!(collected(&mut t, "2026-11"), 0.0);

    // Lent twice: refused, naming the loaner and who has it; nothing written.
    let e = t.err(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": li, "method": "cash", "due_date": "2026-12-04"}),
    );
    assert_eq!(field(&e), "loaner_id");
    assert!(
        e["message"].as_str().unwrap().contains("已借给 张伟"),
        "{e}"
    );
    assert_eq!(money_of_loans(&t), (1, 50000));
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM loan"), 1);
    // Nor retired while it is out.
    let e = t.err(
        "loaners.save",
        json!({"id": washer, "model": "小天鹅 TG100V120WDG", "serial": "LN-0001",
               "condition": "good", "deposit_fen": 50000, "retired": true}),
    );
    assert_eq!(field(&e), "retired");

    // Damaged needs a note; the return refunds the whole deposit the way it was taken.
    let e = t.err(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "damaged"}),
    );
    assert_eq!(field(&e), "note");
    clock(&mut t, "2026-12-01T16:00:00+08:00");
    let back = t.ok(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "damaged", "note": "门封圈破裂"}),
    );
    assert!(back["loan"].is_null());
    assert_eq!(back["condition"], "damaged");
    assert_eq!(back["note"], "2026-12-01 归还损坏：门封圈破裂");
    assert_eq!(money_of_loans(&t), (2, 0));
    let refund: (i64, String) = t
        .db()
        .query_row(
            "SELECT amount_fen, method FROM payment WHERE loan_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(refund, (-50000, "cash".to_string()));
    assert_eq!(
        t.sql::<String>("SELECT return_note FROM loan"),
        "门封圈破裂"
    );
    assert_eq!(t.ok("orders.get", json!({"id": zhang}))["paid_fen"], 0);
    assert_eq!(collected(&mut t, "2026-12"), 0.0);
    // Returned twice: refused.
    let e = t.err(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "good"}),
    );
    assert!(e["message"].as_str().unwrap().contains("没有借出"), "{e}");

    // Back, it may be lent again, with another deposit; retired, it may not.
    let again = t.ok(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": li, "method": "wechat", "deposit_fen": 0,
               "due_date": "2026-12-01"}),
    );
    assert_eq!(again["loan"]["customer"], "李娜");
    assert_eq!(money_of_loans(&t), (2, 0), "no payment row for no deposit");
    t.ok(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "good"}),
    );
    t.ok(
        "loaners.save",
        json!({"id": washer, "model": "小天鹅 TG100V120WDG", "serial": "LN-0001",
               "condition": "damaged", "deposit_fen": 50000, "retired": true}),
    );
    let e = t.err(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": li, "method": "cash", "due_date": "2026-12-04"}),
    );
    assert_eq!(field(&e), "loaner_id");
    assert!(e["message"].as_str().unwrap().contains("已停用"), "{e}");
    assert_eq!(t.ok("loaners.list", json!({}))["items"], json!([]));
    assert_eq!(
        t.ok("loaners.list", json!({"all": true}))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for action in ["loaner_lent", "loaner_returned"] {
        assert_eq!(
            t.sql::<i64>(&format!(
                "SELECT count(*) FROM audit_entry WHERE action = '{action}'"
            )),
            2
        );
    }
}

#[test]
fn lending_checks_the_order_the_method_and_the_return_date() {
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let zhang = open_order(&mut t, "张伟", "13812345678");
    let washer = loaner(&mut t, "LN-0001", 50000);
    let lend = |due: &str, method: &str, deposit: Value| {
        json!({"loaner_id": washer, "order_id": zhang, "method": method, "due_date": due,
               "deposit_fen": deposit})
    };
    for (args, name, words) in [
        (
            lend("2026-11-26", "cash", Value::Null),
            "due_date",
            "应还日期应在今天（2026-11-27）到 2027-05-26 之间",
        ),
        (
            lend("2027-05-27", "cash", Value::Null),
            "due_date",
            "到 2027-05-26 之间",
        ),
        (
            lend("2026-02-30", "cash", Value::Null),
            "due_date",
            "不是有效的日期",
        ),
        (lend("", "cash", Value::Null), "due_date", "请填写应还日期"),
        (
            lend("2026-12-04", "on_account", Value::Null),
            "method",
            "押金付款方式",
        ),
        (
            lend("2026-12-04", "cash", json!(-100)),
            "deposit_fen",
            "押金应在",
        ),
        (
            lend("2026-12-04", "cash", json!(5_000_001)),
            "deposit_fen",
            "押金应在",
        ),
    ] {
        let e = t.err("loaners.lend", args.clone());
        assert_eq!(field(&e), name, "{args}: {e}");
        assert!(e["message"].as_str().unwrap().contains(words), "{e}");
    }
    // Due today is allowed: the customer brings it back with their own machine.
    t.ok("loaners.lend", lend("2026-11-27", "cash", Value::Null));
    t.ok(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "good"}),
    );
    // A cancelled order lends nothing.
    t.ok(
        "orders.move",
        json!({"id": zhang, "to": "cancelled", "reason": "客户自行修好"}),
    );
    let e = t.err("loaners.lend", lend("2026-12-04", "cash", Value::Null));
    assert_eq!(field(&e), "order_id");
    assert!(e["message"].as_str().unwrap().contains("已取消"), "{e}");
    let e = t.err(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": 999, "method": "cash", "due_date": "2026-12-04"}),
    );
    assert_eq!(e["code"], "not_found");
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM loan"), 1);
}

#[test]
fn overdue_loaners_are_on_the_day_board_by_calendar_days_across_the_month_end() {
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let zhang = open_order(&mut t, "张伟", "13812345678");
    let li = open_order(&mut t, "李娜", "13912345678");
    let a = loaner(&mut t, "LN-0001", 50000);
    let b = loaner(&mut t, "LN-0002", 30000);
    t.ok(
        "loaners.lend",
        json!({"loaner_id": a, "order_id": zhang, "method": "cash", "due_date": "2026-11-30"}),
    );
    t.ok(
        "loaners.lend",
        json!({"loaner_id": b, "order_id": li, "method": "alipay", "due_date": "2026-12-02"}),
    );
    let overdue = |t: &mut TestDesk| -> Vec<(String, i64)> {
        t.ok("day.board", json!({}))["overdue_loaners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["serial"].as_str().unwrap().to_string(),
                    l["days_overdue"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // On the due day (a Monday, 23:59 local) nothing is late yet.
    clock(&mut t, "2026-11-30T23:59:00+08:00");
    assert_eq!(overdue(&mut t), vec![]);
    // Past midnight in Beijing (still Nov 30 in UTC), the first is one day late.
    clock(&mut t, "2026-12-01T00:01:00+08:00");
    assert_eq!(overdue(&mut t), vec![("LN-0001".into(), 1)]);
    clock(&mut t, "2026-12-03T09:00:00+08:00");
    assert_eq!(
        overdue(&mut t),
        vec![("LN-0001".into(), 3), ("LN-0002".into(), 1)]
    );
    assert_eq!(t.ok("loaners.list", json!({}))["overdue"], 2);
    t.ok(
        "loaners.return",
        json!({"loaner_id": a, "condition": "worn"}),
    );
    assert_eq!(overdue(&mut t), vec![("LN-0002".into(), 1)]);
}

#[test]
fn the_slip_prints_the_loaner_and_its_return_date() {
    use crate::platform::pdf::{save_pdf, squeezed, text};
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let zhang = open_order(&mut t, "张伟", "13812345678");
    let washer = loaner(&mut t, "LN-0001", 50000);
    t.ok(
        "loaners.lend",
        json!({"loaner_id": washer, "order_id": zhang, "method": "cash", "due_date": "2026-12-04"}),
    );
    let engineer = t.ok("engineers.save", json!({"name": "李强", "region": "海淀"}))["id"].clone();
    t.ok(
        "orders.assign",
        json!({"id": zhang, "engineer_id": engineer}),
    );
    t.ok("orders.move", json!({"id": zhang, "to": "in_progress"}));
    t.ok(
        "orders.complete",
        json!({"id": zhang, "diagnosis": "排水泵堵塞", "work_done": "清理排水泵",
               "fees": [{"kind": "labour", "amount_fen": 5000}]}),
    );
    for format in ["a4", "a5", "continuous"] {
        let r = t.ok("slips.print", json!({"order_id": zhang, "format": format}));
        let (path, _) = save_pdf(&r, &format!("slip-loaner-{format}"));
        let read = squeezed(&text(&path, None));
        assert!(
            read.contains("备用机小天鹅TG100V120WDGLN-0001，押金¥500.00，应还日期2026-12-04"),
            "{format}: {read}"
        );
    }
    // Returned, the next print no longer shows it.
    t.ok(
        "loaners.return",
        json!({"loaner_id": washer, "condition": "good"}),
    );
    let r = t.ok("slips.print", json!({"order_id": zhang, "format": "a4"}));
    let (path, _) = save_pdf(&r, "slip-loaner-returned");
    assert!(!squeezed(&text(&path, None)).contains("LN-0001"));
}

/// Four desks lend the same loaner at the same moment, round after round: one wins, the
/// others are told in Chinese who has it; one loan and one deposit per loaner, whatever
/// the engine (SQLite's single writer, PostgreSQL's SERIALIZABLE and the partial unique
/// index `loan_open`).
#[test]
fn four_desks_lending_one_loaner_at_once_lend_it_once() {
    const ROUNDS: usize = 6;
    let mut t = desk();
    clock(&mut t, FRIDAY_10);
    let orders: Vec<i64> = (0..4)
        .map(|i| open_order(&mut t, &format!("客户{i}"), &format!("1381234560{i}")))
        .collect();
    let loaners: Vec<i64> = (0..ROUNDS)
        .map(|i| loaner(&mut t, &format!("LN-{i:04}"), 20000))
        .collect();
    let (o, l) = (orders.clone(), loaners.clone());
    let outcomes = crate::at_once::at_once(&t, 4, ROUNDS, move |desk, round| {
        (
            "loaners.lend",
            json!({"loaner_id": l[round], "order_id": o[desk], "method": "cash",
                   "due_date": "2026-12-20"}),
        )
    });
    for round in 0..ROUNDS {
        let won = outcomes.iter().filter(|d| d[round].is_ok()).count();
        assert_eq!(won, 1, "round {round}: {outcomes:?}");
        for d in &outcomes {
            if let Err(e) = &d[round] {
                crate::at_once::assert_told_plainly(e, "lend at once");
                assert_eq!(e.field(), Some("loaner_id"), "{e:?}");
            }
        }
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM loan"), ROUNDS as i64);
    assert_eq!(
        t.sql::<i64>("SELECT count(DISTINCT loaner_id) FROM loan WHERE returned_at IS NULL"),
        ROUNDS as i64
    );
    assert_eq!(money_of_loans(&t), (ROUNDS as i64, ROUNDS as i64 * 20000));
}
