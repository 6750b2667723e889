//! What the SQLite desk answers, for holding PostgreSQL's answers against it
//! (benches/pg_search/measure.py): for each query on standard input, one JSON line with
//! every customer id `customers.search` returns (all pages, in order, at most the count
//! cap + 1) and the hits of `search.global` (kind and id, the box's 20).
//!
//!   search_answers DESK_DIR < queries.txt

use std::io::BufRead;

use aftersales::{api, Desk};
use serde_json::{json, Value};

fn main() {
    let dir = std::env::args().nth(1).expect("desk folder");
    let mut desk = Desk::open_dir(std::path::Path::new(&dir)).expect("open desk");
    for line in std::io::stdin().lock().lines() {
        let query = line.expect("read query");
        let mut customers = Vec::new();
        for page in 1.. {
            let out = api::call(
                &mut desk,
                "customers.search",
                json!({"query": query, "page": page, "page_size": 200}),
            )
            .expect("customers.search")
            .value();
            let items = out["items"].as_array().expect("items").clone();
            customers.extend(items.iter().map(|c| c["id"].clone()));
            if items.len() < 200 {
                break;
            }
        }
        let global = api::call(
            &mut desk,
            "search.global",
            json!({"query": query, "limit": 20}),
        )
        .expect("search.global")
        .value();
        let hits: Vec<Value> = global["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|h| {
                let id = match h["kind"].as_str() {
                    Some("equipment") => &h["equipment_id"],
                    Some("order") => &h["order_id"],
                    _ => &h["customer_id"],
                };
                json!([h["kind"], id])
            })
            .collect();
        println!(
            "{}",
            json!({"query": query, "customers": customers, "global": hits})
        );
    }
}
