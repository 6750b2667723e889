use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

const MAIN: i64 = 1;

fn part(t: &mut TestDesk, code: &str, cost_fen: i64) -> i64 {
    t.ok("parts.save", json!({"code": code, "name": format!("备件{code}"), "unit": "个", "cost_fen": cost_fen, "barcode": format!("69{code}"), "min_stock": 2}))["id"]
        .as_i64()
        .unwrap()
}

fn van(t: &mut TestDesk) -> i64 {
    t.ok(
        "stores.save",
        json!({"code": "VAN1", "name": "张工车载库", "kind": "van", "engineer": "张工"}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn on_hand(t: &mut TestDesk, part_id: i64) -> Value {
    t.ok("parts.get", json!({"id": part_id}))["stock"].clone()
}

#[test]
fn receipt_issue_and_a_refused_issue_that_changes_nothing() {
    let mut t = desk();
    let p = part(&mut t, "P001", 300);
    let r = t.ok("stock.receive", json!({"part_id": p, "store_id": MAIN, "quantity": 10, "unit_cost_fen": 300, "supplier": "厂家"}));
    assert_eq!(r["movements"][0]["balance"], 10);
    t.ok(
        "stock.issue",
        json!({"part_id": p, "store_id": MAIN, "quantity": 9, "work_order": "WO-1"}),
    );
    let before = on_hand(&mut t, p);
    let e = t.err(
        "stock.issue",
        json!({"part_id": p, "store_id": MAIN, "quantity": 2, "work_order": "WO-2"}),
    );
    assert_eq!(
        e,
        json!({"code": "invalid", "field": "quantity", "message": "库存不足：备件 P001 备件P001 在 主仓库 现有 1 个，要出 2 个"})
    );
    assert_eq!(on_hand(&mut t, p), before);
    assert_eq!(
        t.ok("stock.ledger", json!({"part_id": p}))["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        t.err(
            "stock.issue",
            json!({"part_id": p, "store_id": MAIN, "quantity": 1, "work_order": " "})
        )["field"],
        "work_order"
    );
    assert_eq!(
        t.err(
            "stock.receive",
            json!({"part_id": p, "store_id": MAIN, "quantity": 0})
        )["field"],
        "quantity"
    );
}

#[test]
fn moving_average_value_and_a_ledger_with_running_balance() {
    let mut t = desk();
    let p = part(&mut t, "P002", 0);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 10, "unit_cost_fen": 100}),
    );
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 10, "unit_cost_fen": 200}),
    );
    let out = t.ok(
        "stock.issue",
        json!({"part_id": p, "store_id": MAIN, "quantity": 5, "work_order": "WO-1"}),
    );
    assert_eq!(out["movements"][0]["value_fen"], -750, "average 150 fen");
    let report = t.ok("stock.report", json!({}));
    assert_eq!(report["items"][0]["on_hand"], 15);
    assert_eq!(report["items"][0]["value_fen"], 2250);
    assert_eq!(report["items"][0]["avg_cost_fen"], 150);
    assert_eq!(report["items"][0]["stores"], json!([[MAIN, 15, 2250]]));
    assert_eq!(report["total_value_fen"], 2250);
    assert_eq!(report["stores"][0]["code"], "MAIN");
    let ledger = t.ok("stock.ledger", json!({"part_id": p, "store_id": MAIN}));
    let balances: Vec<i64> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["balance"].as_i64().unwrap())
        .collect();
    assert_eq!(balances, [10, 20, 15]);
    // Issuing everything leaves no value behind.
    t.ok(
        "stock.issue",
        json!({"part_id": p, "store_id": MAIN, "quantity": 15, "work_order": "WO-2"}),
    );
    assert_eq!(on_hand(&mut t, p)[0]["value_fen"], 0);
}

#[test]
fn transfer_to_a_van_and_its_reversal() {
    let mut t = desk();
    let p = part(&mut t, "P003", 500);
    let v = van(&mut t);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 4, "unit_cost_fen": 500}),
    );
    let moved = t.ok(
        "stock.transfer",
        json!({"part_id": p, "from_store_id": MAIN, "to_store_id": v, "quantity": 3}),
    );
    let kinds: Vec<&str> = moved["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["transfer_out", "transfer_in"]);
    assert_eq!(
        t.err(
            "stock.transfer",
            json!({"part_id": p, "from_store_id": v, "to_store_id": v, "quantity": 1})
        )["field"],
        "to_store_id"
    );
    let out_id = moved["movements"][0]["id"].clone();
    let back = t.ok(
        "stock.reverse",
        json!({"movement_id": out_id, "reason": "装错车"}),
    );
    assert_eq!(
        back["movements"].as_array().unwrap().len(),
        2,
        "both halves reversed"
    );
    let stock = on_hand(&mut t, p);
    assert_eq!(stock[0]["on_hand"], 4);
    assert_eq!(stock[0]["value_fen"], 2000);
    assert_eq!(stock[1]["on_hand"], 0);
    let e = t.err(
        "stock.reverse",
        json!({"movement_id": out_id, "reason": "再来一次"}),
    );
    assert!(
        e["message"].as_str().unwrap().contains("已经冲销过了"),
        "{e}"
    );
    assert_eq!(
        t.err(
            "stock.reverse",
            json!({"movement_id": out_id, "reason": ""})
        )["field"],
        "reason"
    );
}

#[test]
fn a_reversal_cannot_take_back_what_is_gone() {
    let mut t = desk();
    let p = part(&mut t, "P004", 100);
    let r = t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 2, "unit_cost_fen": 100}),
    );
    t.ok(
        "stock.issue",
        json!({"part_id": p, "store_id": MAIN, "quantity": 2, "work_order": "WO-1"}),
    );
    let e = t.err(
        "stock.reverse",
        json!({"movement_id": r["movements"][0]["id"], "reason": "录错"}),
    );
    assert_eq!(e["field"], "quantity");
    assert!(
        e["message"].as_str().unwrap().starts_with("库存不足"),
        "{e}"
    );
}

#[test]
fn defective_parts_go_back_with_a_claim() {
    let mut t = desk();
    let p = part(&mut t, "P005", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 3, "unit_cost_fen": 100}),
    );
    let e = t.err(
        "stock.defective",
        json!({"part_id": p, "store_id": MAIN, "quantity": 1, "reason": "漏水"}),
    );
    assert_eq!(e["field"], "form_no");
    let d = t.ok("stock.defective", json!({"part_id": p, "store_id": MAIN, "quantity": 1, "form_no": "NC-001", "reason": "漏水"}));
    let id = d["movements"][0]["id"].clone();
    assert_eq!(d["movements"][0]["claim"]["status"], "pending");
    assert_eq!(
        t.err(
            "stock.claim",
            json!({"movement_id": id, "status": "settled"})
        )["field"],
        "status"
    );
    t.ok("stock.claim", json!({"movement_id": id, "status": "sent"}));
    assert_eq!(
        t.ok(
            "stock.claim",
            json!({"movement_id": id, "status": "settled"})
        )["status"],
        "settled"
    );
}

#[test]
fn low_and_slow_lists() {
    let mut t = desk();
    let a = part(&mut t, "A1", 100);
    let b = part(&mut t, "B1", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": a, "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100}),
    );
    t.ok(
        "stock.receive",
        json!({"part_id": b, "store_id": MAIN, "quantity": 5, "unit_cost_fen": 100}),
    );
    t.ok(
        "stock.issue",
        json!({"part_id": b, "store_id": MAIN, "quantity": 1, "work_order": "WO-1"}),
    );
    let low = t.ok("stock.low", json!({}));
    assert_eq!(
        low["items"],
        json!([{"part_id": a, "code": "A1", "name": "备件A1", "on_hand": 1, "min_stock": 2, "shortage": 1}])
    );
    // The low list as a purchase request workbook, read back.
    let request = t.ok("stock.purchase_request", json!({}));
    assert_eq!(request["rows"], 1);
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(request["content_base64"].as_str().unwrap())
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader as _;
    let range = book.worksheet_range("采购申请").unwrap();
    assert_eq!(range.get_value((3, 0)).unwrap().to_string(), "A1");
    assert_eq!(
        range.get_value((3, 6)).unwrap().to_string(),
        "3",
        "back to twice the minimum of 2"
    );
    let slow = t.ok("stock.slow", json!({"days": 30}));
    let codes: Vec<&str> = slow["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["A1"], "B1 was issued today");
}

#[test]
fn stocktake_freezes_reports_every_bad_line_and_posts_variances() {
    let mut t = desk();
    let a = part(&mut t, "A1", 100);
    let b = part(&mut t, "B1", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": a, "store_id": MAIN, "quantity": 5, "unit_cost_fen": 100}),
    );
    t.ok(
        "stock.receive",
        json!({"part_id": b, "store_id": MAIN, "quantity": 2, "unit_cost_fen": 100}),
    );
    let st = t.ok("stocktake.start", json!({"store_id": MAIN}));
    let id = st["id"].clone();
    assert_eq!(st["lines"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.ok("stocktake.start", json!({"store_id": MAIN}))["id"],
        id,
        "starting again resumes the open one"
    );
    let e = t.err(
        "stock.issue",
        json!({"part_id": a, "store_id": MAIN, "quantity": 1, "work_order": "WO-1"}),
    );
    assert!(e["message"].as_str().unwrap().contains("正在盘点"), "{e}");
    let bad = t.ok("stocktake.count", json!({"id": id, "lines": [
        {"part": "A1", "counted": 4}, {"part": "NOPE", "counted": 1}, {"part": "69B1", "counted": -1}]}));
    assert_eq!(bad["stored"], false);
    assert_eq!(
        bad["errors"],
        json!([
        {"line": 2, "message": "第2行：找不到备件“NOPE”"},
        {"line": 3, "message": "第3行：数量应为0到1000000之间的整数（-1）"}])
    );
    assert_eq!(
        t.ok("stocktake.get", json!({"id": id}))["counted"],
        0,
        "nothing of a bad sheet is stored"
    );
    let ok = t.ok(
        "stocktake.count",
        json!({"id": id, "lines": [{"part": "a1", "counted": 4}, {"part": "69B1", "counted": 3}]}),
    );
    assert_eq!(ok["stored"], true);
    let got = t.ok("stocktake.get", json!({"id": id}));
    assert_eq!(got["variances"], 2);
    let posted = t.ok("stocktake.post", json!({"id": id}));
    assert_eq!(posted["status"], "posted");
    assert_eq!(on_hand(&mut t, a)[0]["on_hand"], 4);
    assert_eq!(on_hand(&mut t, b)[0]["on_hand"], 3);
    assert_eq!(on_hand(&mut t, b)[0]["value_fen"], 300);
    // The store is open again.
    t.ok(
        "stock.issue",
        json!({"part_id": a, "store_id": MAIN, "quantity": 1, "work_order": "WO-1"}),
    );
    assert_eq!(t.err("stocktake.post", json!({"id": id}))["field"], "id");
}

#[test]
fn the_ledger_is_append_only() {
    let mut t = desk();
    let p = part(&mut t, "P9", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100}),
    );
    let conn = t.db();
    assert!(conn
        .execute("UPDATE stock_movement SET quantity = 5", [])
        .is_err());
    assert!(conn.execute("DELETE FROM stock_movement", []).is_err());
}

/// A small deterministic generator for the property test.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: i64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as i64
    }
}

/// For every part and store: balance = sum of movement quantities, value = sum of
/// movement values, never negative, and zero units are worth zero.
fn assert_invariant(t: &TestDesk, context: &str) {
    let conn = t.db();
    let mut stmt = conn
        .prepare(
            "SELECT b.part_id, b.store_id, b.quantity, b.value_fen, coalesce(sum(m.quantity), 0), coalesce(sum(m.value_fen), 0)
             FROM stock_balance b LEFT JOIN stock_movement m ON m.part_id = b.part_id AND m.store_id = b.store_id
             GROUP BY b.part_id, b.store_id",
        )
        .unwrap();
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (part, store, qty, value, sum_qty, sum_value) in rows {
        assert_eq!(
            (qty, value),
            (sum_qty, sum_value),
            "{context}: part {part} store {store}"
        );
        assert!(
            qty >= 0 && value >= 0,
            "{context}: part {part} store {store}: {qty} units worth {value}"
        );
        if qty == 0 {
            assert_eq!(
                value, 0,
                "{context}: part {part} store {store}: no units but value {value}"
            );
        }
    }
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT part_id, store_id FROM stock_movement EXCEPT SELECT part_id, store_id FROM stock_balance) AS orphan",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "{context}: movements without a balance");
}

#[test]
fn property_random_movements_keep_balance_equal_to_the_ledger() {
    for seed in 1..=12u64 {
        let mut t = desk();
        let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let parts: Vec<i64> = (0..3)
            .map(|i| part(&mut t, &format!("R{i}"), 100 + i * 37))
            .collect();
        let v = van(&mut t);
        let stores = [MAIN, v];
        let mut done: Vec<i64> = Vec::new();
        for step in 0..150 {
            let p = parts[dice.below(3) as usize];
            let s = stores[dice.below(2) as usize];
            let q = 1 + dice.below(7);
            let result = match dice.below(7) {
                0 | 1 => aftersales::api::call(
                    &mut t.desk,
                    "stock.receive",
                    json!({"part_id": p, "store_id": s, "quantity": q, "unit_cost_fen": 50 + dice.below(500)}),
                ),
                2 => aftersales::api::call(
                    &mut t.desk,
                    "stock.issue",
                    json!({"part_id": p, "store_id": s, "quantity": q, "work_order": "WO"}),
                ),
                3 => aftersales::api::call(
                    &mut t.desk,
                    "stock.return",
                    json!({"part_id": p, "store_id": s, "quantity": q, "work_order": "WO"}),
                ),
                4 => aftersales::api::call(
                    &mut t.desk,
                    "stock.transfer",
                    json!({"part_id": p, "from_store_id": s, "to_store_id": stores[1 - dice.below(2) as usize], "quantity": q}),
                ),
                5 => aftersales::api::call(
                    &mut t.desk,
                    "stock.defective",
                    json!({"part_id": p, "store_id": s, "quantity": q, "form_no": "NC", "reason": "坏"}),
                ),
                _ => match done.get(dice.below(done.len().max(1) as i64) as usize) {
                    Some(id) => aftersales::api::call(
                        &mut t.desk,
                        "stock.reverse",
                        json!({"movement_id": id, "reason": "随机冲销"}),
                    ),
                    None => continue,
                },
            };
            match result {
                Ok(v) => done.extend(
                    v.value()["movements"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| m["id"].as_i64().unwrap()),
                ),
                // Refusals are part of the game (shortage, same store, already reversed); they must leave no trace.
                Err(e) => assert_eq!(e.code(), "invalid", "seed {seed} step {step}: {e}"),
            }
            assert_invariant(&t, &format!("seed {seed} step {step}"));
        }
        assert!(
            done.len() > 50,
            "seed {seed}: too few movements succeeded ({})",
            done.len()
        );
    }
}

/// Two desks (two connections, as two PCs on one file) issue the last unit at once.
#[test]
fn two_clerks_issuing_the_last_unit_exactly_one_succeeds() {
    let mut t = desk();
    let p = part(&mut t, "LAST", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100}),
    );
    for round in 0..5 {
        if round > 0 {
            t.ok(
                "stock.receive",
                json!({"part_id": p, "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100}),
            );
        }
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let mut desk = t.second_desk();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    aftersales::api::call(&mut desk, "stock.issue", json!({"part_id": p, "store_id": MAIN, "quantity": 1, "work_order": format!("WO-{i}")}))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(
            refused.field(),
            Some("quantity"),
            "round {round}: {refused}"
        );
        assert_eq!(on_hand(&mut t, p)[0]["on_hand"], 0);
    }
    assert_invariant(&t, "after the race");
}

/// The benchmark's generator posts through the same code: its data must hold the invariant.
#[test]
fn generated_stock_keeps_the_invariant() {
    let mut t = desk();
    let n = aftersales::demo::fill_stock(&mut t.desk, 40, 3000).unwrap();
    assert!(n >= 3000);
    assert_invariant(&t, "generated");
    let report = t.ok("stock.report", json!({}));
    assert!(report["total_value_fen"].as_i64().unwrap() > 0);
}

/// A count sheet from Excel/CSV: errors name the spreadsheet's rows, all at once.
#[test]
fn a_count_sheet_file_is_checked_whole() {
    use base64::Engine as _;
    let mut t = desk();
    let a = part(&mut t, "A1", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": a, "store_id": MAIN, "quantity": 5, "unit_cost_fen": 100}),
    );
    part(&mut t, "B1", 100);
    let id = t.ok("stocktake.start", json!({"store_id": MAIN}))["id"].clone();
    let file = |csv: &str| base64::engine::general_purpose::STANDARD.encode(csv.as_bytes());
    let bad = t.ok(
        "stocktake.count_file",
        json!({"id": id, "file_name": "盘点表.csv", "content_base64": file("备件编码,名称,盘点数\nA1,滤网,4\nZZ9,?,1\n69B1,,三\n")}),
    );
    assert_eq!(
        bad["errors"],
        json!([
        {"line": 3, "message": "第3行：找不到备件“ZZ9”"},
        {"line": 4, "message": "第4行：盘点数不是整数（三）"}])
    );
    let good = t.ok(
        "stocktake.count_file",
        json!({"id": id, "file_name": "盘点表.csv", "content_base64": file("条码,盘点数\n69A1,4\n69B1,2\n")}),
    );
    assert_eq!(good["stored"], true);
    let st = t.ok("stocktake.get", json!({"id": id}));
    assert_eq!(st["counted"], 2);
    assert_eq!(st["variances"], 2, "A1 one short, B1 two found");
    let e = t.err(
        "stocktake.count_file",
        json!({"id": id, "file_name": "x.csv", "content_base64": file("名称,数量\n滤网,1\n")}),
    );
    assert_eq!(e["field"], "file");
}

/// Issue 18: part labels sent to a label printer set as an ESC/POS printer on the network
/// reach it in its own commands — the code bold and double size, the bin, name and spec in
/// GBK, the printer's own Code 128 barcode of the part's barcode, a cut after every label —
/// and the print run is recorded only once the printer took them.
#[test]
fn part_labels_reach_a_network_label_printer_as_escpos() {
    use crate::platform::escpos::{closed_address, find, gbk, Listener};
    let mut t = desk();
    let p = t.ok("parts.save", json!({"code": "P-7731", "name": "燃气热水器水流传感器总成", "spec": "DN15 12V", "unit": "个", "bin": "A-03-2", "barcode": "6901234567892"}))["id"].clone();
    let audits =
        |t: &TestDesk| -> i64 { t.sql("SELECT count(*) FROM audit_entry WHERE action = 'labels'") };
    // Refused: nothing recorded, the printer named.
    let closed = closed_address();
    t.ok(
        "settings.save",
        json!({"printers": {"label": closed}, "printer_kinds": {"label": "escpos_network"}}),
    );
    let before = audits(&t);
    let e = t.err(
        "parts.labels",
        json!({"part_ids": [p], "copies": 2, "send": true}),
    );
    assert_eq!(e["field"], "printer");
    assert!(e["message"].as_str().unwrap().contains(&closed), "{e}");
    assert_eq!(audits(&t), before);

    let printer = Listener::start();
    t.ok(
        "settings.save",
        json!({"printers": {"label": printer.address}}),
    );
    let out = t.ok(
        "parts.labels",
        json!({"part_ids": [p], "copies": 2, "send": true}),
    );
    let address = printer.address.clone();
    let job = printer.job();
    assert!(out["sent"].as_str().unwrap().contains(&address), "{out}");
    assert_eq!(audits(&t), before + 1);
    assert_eq!(&job[..4], b"\x1b@\x1c&");
    let mut code = b"\x1bE\x01\x1d!\x11".to_vec();
    code.extend_from_slice(b"P-7731\n");
    assert_eq!(
        job.windows(code.len())
            .filter(|w| *w == code.as_slice())
            .count(),
        2
    );
    for text in ["库位：A-03-2", "燃气热水器水流传感器总成", "DN15 12V"] {
        let mut line = gbk(text);
        line.push(b'\n');
        assert!(find(&job, &line).is_some(), "{text}");
    }
    let mut bars = b"\x1dkI\x0f{B".to_vec();
    bars.extend_from_slice(b"6901234567892");
    assert_eq!(
        job.windows(bars.len())
            .filter(|w| *w == bars.as_slice())
            .count(),
        2
    );
    assert_eq!(
        job.windows(6)
            .filter(|w| w == b"\x1bd\x06\x1dV\x01")
            .count(),
        2
    );

    // As QR codes: the printer's own QR command carrying the barcode.
    let printer = Listener::start();
    t.ok(
        "settings.save",
        json!({"printers": {"label": printer.address}}),
    );
    t.ok(
        "parts.labels",
        json!({"part_ids": [p], "code": "qr", "send": true}),
    );
    let job = printer.job();
    assert!(find(&job, b"\x1d(k\x10\x001P06901234567892\x1d(k\x03\x001Q0").is_some());
}

/// Issue 18: a browser on another PC (or a desktop using this door) cannot send labels to
/// the label printer of the PC the door runs on: it gets the PDF and prints on its own side.
/// From this PC itself the same call still sends.
#[test]
fn labels_cannot_be_sent_to_the_servers_printer_from_another_pc() {
    use crate::platform::escpos::Listener;
    use aftersales::api::{self, Caller};
    use aftersales::Role;
    let mut t = desk();
    let p = part(&mut t, "P-9001", 1200);
    let printer = Listener::start();
    t.ok(
        "settings.save",
        json!({"printers": {"label": printer.address}, "printer_kinds": {"label": "escpos_network"}}),
    );
    t.ok(
        "users.save",
        json!({"login": "keeper", "name": "库管", "roles": [Role::Storekeeper], "password": "pass-1234"}),
    );
    let session = api::call_in_session(
        &mut t.desk,
        &Caller::default(),
        "auth.login",
        json!({"login": "keeper", "password": "pass-1234"}),
    )
    .unwrap()
    .value()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let from = |peer: &str| Caller {
        session: Some(session.clone()),
        peer: Some(peer.parse().unwrap()),
        background: false,
    };
    let audits =
        |t: &TestDesk| -> i64 { t.sql("SELECT count(*) FROM audit_entry WHERE action = 'labels'") };
    let args = json!({"part_ids": [p], "copies": 1, "send": true});
    let e = api::call_in_session(
        &mut t.desk,
        &from("192.0.2.9"),
        "parts.labels",
        args.clone(),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(e["field"], "printer", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("这台电脑（192.0.2.9）不能用服务器的标签打印机打印"),
        "{e}"
    );
    assert_eq!(audits(&t), 0, "nothing recorded for a refused send");
    // The PDF for its own side is still there.
    let pdf = api::call_in_session(
        &mut t.desk,
        &from("192.0.2.9"),
        "parts.labels",
        json!({"part_ids": [p], "copies": 1}),
    )
    .unwrap()
    .value();
    assert!(
        pdf["content_base64"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{pdf}"
    );
    // From this PC itself (loopback) it is sent.
    api::call_in_session(&mut t.desk, &from("127.0.0.1"), "parts.labels", args).unwrap();
    assert!(!printer.job().is_empty(), "the label printer got the job");
}

/// Issue 19: desks issuing and receiving the same part in the same store at once, more
/// asked for than there is: a balance never below zero and always the sum of its ledger,
/// and every call either done or refused in a sentence (a shortage, or at worst the
/// “try again” of a command that kept colliding).
#[test]
fn issues_and_receipts_at_n_desks_at_once_never_go_negative_and_keep_ledger_equal_to_balance() {
    let mut t = desk();
    let p = part(&mut t, "RACE", 100);
    t.ok(
        "stock.receive",
        json!({"part_id": p, "store_id": MAIN, "quantity": 2, "unit_cost_fen": 100}),
    );
    // Three desks issue one each, one desk receives one: the store runs short most rounds.
    let outcomes = crate::at_once::at_once(&t, 4, 25, move |desk, round| {
        if desk == 3 {
            (
                "stock.receive",
                json!({"part_id": p, "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100 + round}),
            )
        } else {
            (
                "stock.issue",
                json!({"part_id": p, "store_id": MAIN, "quantity": 1, "work_order": format!("WO-{desk}-{round}")}),
            )
        }
    });
    let (mut issued, mut received, mut short) = (0, 0, 0);
    for (desk, results) in outcomes.iter().enumerate() {
        for (round, r) in results.iter().enumerate() {
            let context = format!("desk {desk} round {round}");
            match r {
                Ok(_) if desk == 3 => received += 1,
                Ok(_) => issued += 1,
                Err(e) if e.field() == Some("quantity") => short += 1,
                Err(e) => crate::at_once::assert_told_plainly(e, &context),
            }
        }
        assert_invariant(&t, &format!("after desk {desk}"));
    }
    assert!(issued > 0 && short > 0, "issued {issued}, short {short}");
    assert_eq!(on_hand(&mut t, p)[0]["on_hand"], 2 + received - issued);
    assert_invariant(&t, "after the race");
}

/// Issue 19: the first receipts of a part into a store at several desks at once: the
/// store's balance row is made once, and holds every unit received.
#[test]
fn first_receipts_of_a_part_at_n_desks_at_once_make_one_balance_with_every_unit() {
    let mut t = desk();
    let parts: Vec<i64> = (0..10)
        .map(|i| part(&mut t, &format!("NEW{i}"), 100))
        .collect();
    let round_parts = parts.clone();
    let outcomes = crate::at_once::at_once(&t, 4, parts.len(), move |_, round| {
        (
            "stock.receive",
            json!({"part_id": round_parts[round], "store_id": MAIN, "quantity": 1, "unit_cost_fen": 100}),
        )
    });
    for (desk, results) in outcomes.iter().enumerate() {
        for (round, r) in results.iter().enumerate() {
            if let Err(e) = r {
                panic!("desk {desk} round {round}: {}", e.to_json());
            }
        }
    }
    for p in parts {
        assert_eq!(on_hand(&mut t, p)[0]["on_hand"], 4, "part {p}");
    }
    assert_invariant(&t, "after the first receipts");
}
