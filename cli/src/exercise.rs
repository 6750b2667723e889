//! `aftersales exercise` (hidden): the child of the crash test (cli/tests/crash.rs). It does
//! what a desk does all day — new customers, stock received and issued, work orders taken,
//! dispatched and completed with parts — through the command table, forever, and prints
//! one line per action AFTER the command returned Ok, flushed at once:
//!
//! ```text
//! customer 123
//! movement 456
//! order WO2026000012
//! ```
//!
//! A line on stdout is therefore a promise that the action was committed; the test kills
//! this process at random moments and then checks every promise against the file.

use std::io::Write as _;

use aftersales::{api, Desk, Error, Result};
use serde_json::{json, Value};

/// SplitMix64: a few lines of deterministic randomness, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SURNAMES: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明",
];

/// What every action needs: a part, the main store, an engineer and one customer.
struct Fixture {
    part: i64,
    store: i64,
    engineer: i64,
    customer: i64,
}

fn call(desk: &mut Desk, command: &str, args: Value) -> Result<Value> {
    api::call(desk, command, args).map(|reply| reply.value())
}

fn id(v: &Value) -> Result<i64> {
    v["id"]
        .as_i64()
        .ok_or_else(|| Error::BadRequest(format!("no id in {v}")))
}

/// Finds or makes the fixture; safe to run again after a kill at any point.
fn fixture(desk: &mut Desk) -> Result<Fixture> {
    let parts = call(desk, "parts.list", json!({"query": "CRASH1"}))?;
    let part = match parts["items"].as_array().and_then(|a| a.first()) {
        Some(p) => id(p)?,
        None => id(&call(
            desk,
            "parts.save",
            json!({"code": "CRASH1", "name": "点火针", "unit": "个", "cost_fen": 1000, "price_fen": 3500}),
        )?)?,
    };
    let store = id(&call(desk, "stores.list", json!({}))?["items"][0])?;
    let engineers = call(desk, "engineers.list", json!({"all": true}))?;
    let engineer = match engineers["items"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["name"] == "测试工"))
    {
        Some(e) => id(e)?,
        None => id(&call(
            desk,
            "engineers.save",
            json!({"name": "测试工", "phone": "13900001111", "region": "海淀"}),
        )?)?,
    };
    let customers = call(
        desk,
        "customers.search",
        json!({"query": "", "page_size": 1}),
    )?;
    let customer = match customers["items"].as_array().and_then(|a| a.first()) {
        Some(c) => id(c)?,
        None => id(&call(
            desk,
            "customers.create",
            json!({"name": "崩溃测试", "phones": ["13800000000"], "address": "北京市海淀区"}),
        )?)?,
    };
    Ok(Fixture {
        part,
        store,
        engineer,
        customer,
    })
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // The parent reads this pipe; if it is gone the test is over and so are we.
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Loops until killed.
pub fn run(mut desk: Desk, seed: u64) -> Result<()> {
    let mut rng = Rng(seed);
    let f = fixture(&mut desk)?;
    say("ready");
    loop {
        match rng.below(10) {
            0..=2 => {
                let name = format!(
                    "{}{}{}",
                    SURNAMES[rng.below(SURNAMES.len() as u64) as usize],
                    GIVEN[rng.below(GIVEN.len() as u64) as usize],
                    GIVEN[rng.below(GIVEN.len() as u64) as usize]
                );
                let phone = format!("139{:08}", rng.below(100_000_000));
                let c = call(
                    &mut desk,
                    "customers.create",
                    json!({"name": name, "phones": [phone], "address": "上海市浦东新区世纪大道100号"}),
                )?;
                say(&format!("customer {}", id(&c)?));
            }
            3..=5 => {
                let posted = call(
                    &mut desk,
                    "stock.receive",
                    json!({"part_id": f.part, "store_id": f.store, "quantity": 1 + rng.below(5),
                           "unit_cost_fen": 900 + rng.below(300), "supplier": "厂家"}),
                )?;
                say(&format!("movement {}", id(&posted["movements"][0])?));
            }
            6..=7 => {
                // Refused when the store has too few: nothing committed, nothing said.
                if let Ok(posted) = call(
                    &mut desk,
                    "stock.issue",
                    json!({"part_id": f.part, "store_id": f.store, "quantity": 1 + rng.below(3),
                           "work_order": "WO-CRASH"}),
                ) {
                    say(&format!("movement {}", id(&posted["movements"][0])?));
                }
            }
            _ => {
                let o = call(
                    &mut desk,
                    "orders.create",
                    json!({"customer_id": f.customer, "fault": "不打火", "kind": "repair"}),
                )?;
                let o = id(&o)?;
                call(
                    &mut desk,
                    "orders.assign",
                    json!({"id": o, "engineer_id": f.engineer}),
                )?;
                call(
                    &mut desk,
                    "orders.move",
                    json!({"id": o, "to": "in_progress"}),
                )?;
                let done = call(
                    &mut desk,
                    "orders.complete",
                    json!({"id": o, "work_done": "更换点火针",
                           "parts": [{"part_id": f.part, "store_id": f.store, "quantity": 1}],
                           "fees": [{"kind": "labour", "amount_fen": 5000}]}),
                );
                if let Ok(done) = done {
                    say(&format!("order {}", done["number"].as_str().unwrap_or("")));
                }
            }
        }
    }
}
