//! The one search box (F3 / Ctrl+K): customers by phone, name, company or address,
//! machines by serial number, whole or its tail, and work orders by number, in one ranked
//! list. Each kind is read
//! from its own index, so every query touches only the rows it returns.
//!
//! Bounded like the customer search (`archive::customers`): a role that does not keep the
//! archive gets at most [`customers::GLANCE_PAGE_SIZE`] hits, and more than
//! [`customers::BULK_READ`] customers in one answer are recorded in the audit trail.

use crate::platform::db::Db;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::customers::{self, CustomerId};
use crate::archive::equipment::normalise_serial;
use crate::platform::error::Result;
use crate::Desk;

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct GlobalArgs {
    pub query: String,
    pub limit: u32,
}

impl Default for GlobalArgs {
    fn default() -> Self {
        GlobalArgs {
            query: String::new(),
            limit: 20,
        }
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Hit {
    pub kind: &'static str,
    pub customer_id: CustomerId,
    pub equipment_id: Option<crate::archive::equipment::EquipmentId>,
    pub order_id: Option<crate::orders::OrderId>,
    pub title: String,
    pub detail: String,
    pub matched: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Hits {
    pub items: Vec<Hit>,
}

/// Machines whose serial equals, starts with or ends with `q` (4+ characters), exact first.
fn serial_hits(conn: &Db, q: &str, limit: i64) -> Result<Vec<Hit>> {
    let rev: String = q.chars().rev().collect();
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.customer_id, e.serial, m.code, c.name FROM equipment e
           JOIN product_model m ON m.id = e.model_id JOIN customer c ON c.id = e.customer_id
         WHERE e.id IN (
             SELECT id FROM (SELECT id FROM equipment WHERE serial >= ?1 AND serial < ?4 LIMIT ?3) AS a
             UNION
             SELECT id FROM (SELECT id FROM equipment WHERE serial_rev >= ?2 AND serial_rev < ?5 LIMIT ?3) AS b)
         ORDER BY e.serial <> ?1, e.id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![
            q,
            rev,
            limit,
            customers::past_every_start(q),
            customers::past_every_start(&rev)
        ],
        |r| {
            let serial: String = r.get(2)?;
            let code: String = r.get(3)?;
            Ok(Hit {
                kind: "equipment",
                customer_id: r.get(1)?,
                equipment_id: Some(r.get(0)?),
                order_id: None,
                title: format!("{code} · {serial}"),
                detail: r.get(4)?,
                matched: "serial",
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn customer_hits(conn: &Db, ids: &[CustomerId], matched: &'static str) -> Result<Vec<Hit>> {
    Ok(customers::load_many(conn, ids)?
        .into_iter()
        .map(|c| {
            let phones: Vec<&str> = c.phones.iter().map(|p| p.display.as_str()).collect();
            let mut detail = phones.join("，");
            if !c.address.is_empty() {
                detail.push_str(" · ");
                detail.push_str(&c.address);
            }
            Hit {
                kind: "customer",
                customer_id: c.id,
                equipment_id: None,
                order_id: None,
                title: c.name,
                detail,
                matched,
            }
        })
        .collect())
}

/// 全局搜索.
pub fn global(desk: &mut Desk, args: GlobalArgs) -> Result<Hits> {
    let query = args.query.trim().to_string();
    let query = query.as_str();
    let cap = if customers::keeps_archive(desk.actor()) {
        100
    } else {
        customers::GLANCE_PAGE_SIZE
    };
    let limit = i64::from(args.limit.clamp(1, cap));
    let conn = desk.conn();
    let mut items = Vec::new();
    if query.is_empty() {
        return Ok(Hits { items });
    }
    let take = |ids: Vec<CustomerId>| ids.into_iter().take(limit as usize).collect::<Vec<_>>();
    if let Some(digits) = customers::phone_digits(query) {
        items = customer_hits(conn, &take(customers::by_phone(conn, &digits)?), "phone")?;
    } else if !customers::number_being_typed(query) {
        // 1–3 digits name no customer (a phone being typed) but may be this year's order.
        items = customer_hits(conn, &take(customers::by_text(conn, query)?), "name")?;
        let needle = query.to_lowercase();
        for hit in &mut items {
            if !hit.title.to_lowercase().contains(&needle) {
                hit.matched = "address";
            }
        }
    }
    let serial = normalise_serial(query);
    if serial.chars().count() >= 4 && serial.chars().all(|c| c.is_ascii_graphic()) {
        // A serial match is the most precise thing a clerk can type: it goes first.
        let mut serials = serial_hits(conn, &serial, limit)?;
        serials.append(&mut items);
        items = serials;
    }
    // A work-order number (or this year's sequence) is the most precise of all.
    if let Some(o) = crate::orders::find_number(conn, desk.actor(), query, desk.now())? {
        items.insert(
            0,
            Hit {
                kind: "order",
                customer_id: o.customer.id,
                equipment_id: o.equipment.as_ref().map(|e| e.id),
                order_id: Some(o.id),
                title: format!("{} · {}", o.number, o.status_label),
                detail: format!("{} · {} · {}", o.customer.name, o.kind_label, o.fault),
                matched: "order",
            },
        );
    }
    items.truncate(limit as usize);
    let found = items.iter().filter(|h| h.kind == "customer").count();
    if found > customers::BULK_READ {
        customers::record_bulk_read(desk, &format!("搜索“{query}”"), found)?;
    }
    Ok(Hits { items })
}
