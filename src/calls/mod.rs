//! 来电弹屏 (issue 20): the caller's screen when the phone rings, and the rings themselves.
//!
//! A ring is a number (and the line it rang on) from one of three sources: a cloud call
//! centre's webhook on the browser door, a USB caller-ID box on a serial port, or the
//! clerk's own F-key 来电. Whatever the source, [`ring`] reads the number the house's way
//! (libphonenumber's rules, `platform::phone`, plus the `0` a switchboard puts before a
//! mobile from another city), builds the caller's screen once and records the ring in
//! `call_ring` with that screen, in one transaction. Every door that serves desks polls
//! `call_ring` for rings after the last it saw ([`rings_after`]) and pushes each screen to
//! its logged-in desks: a ring at one door of a chain reaches the desks of every other door
//! on the same PostgreSQL, and no door keeps a ring of its own (docs/DECISIONS.md, issue 20).
//!
//! The screen ([`Screen`]) answers RepairDesk's complaints: every customer with the number
//! (a shared landline has several; those with an open order first), their machines with the
//! warranty verdict, their **open** orders first with status and clocks, then the last
//! completed order and what is still unpaid. Orders are shown as [`OrderLine`]s, which hold
//! no user's actions: the same screen goes to every desk.
//!
//! Rings are a short-lived call log: those older than [`KEEP_DAYS`] are deleted as a new
//! one is recorded.

pub mod cti;

use chrono::Duration;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::customers::{self, Customer, CustomerId};
use crate::archive::equipment::{self, Equipment};
use crate::orders::clocks::Clock;
use crate::orders::words::OrderStatus;
use crate::orders::{self, Machine, Named, Order};
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::platform::phone::{self, Phone};
use crate::Desk;

/// At most this many customers on one screen (a switchboard's number shared by a whole
/// building); `more` says when there were others.
pub const MAX_CUSTOMERS: usize = 10;
/// Open orders shown per customer.
const MAX_OPEN: u32 = 20;
/// Rings are kept this long (a call log for the day's questions, not an archive).
pub const KEEP_DAYS: i64 = 7;
/// The longest line name a ring may carry (`line`: the hotline or extension it rang on).
pub const MAX_LINE_CHARS: usize = 40;

crate::words! {
    /// Where a ring came from.
    pub enum Source("来电来源") {
        Desk = "desk", "前台按键";
        Webhook = "webhook", "呼叫中心";
        Serial = "serial", "来电盒";
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RingArgs {
    /// The number that rings, as the caller-ID shows it.
    pub phone: String,
    /// The line it rang on (a hotline, an extension, a queue), shown on the pop-up.
    pub line: Option<String>,
}

/// One order as the pop-up shows it: who, what, where it stands, its clocks, what is due.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    pub id: orders::OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub status_label: &'static str,
    pub open: bool,
    pub kind_label: &'static str,
    pub fault: String,
    pub equipment: Option<Machine>,
    pub engineer: Option<Named<orders::engineers::EngineerId>>,
    pub appointment_from: Option<String>,
    pub appointment_to: Option<String>,
    pub clocks: Vec<Clock>,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub outstanding_fen: i64,
}

impl From<Order> for OrderLine {
    fn from(o: Order) -> OrderLine {
        OrderLine {
            id: o.id,
            number: o.number,
            open: o.status.is_open(),
            status: o.status,
            status_label: o.status_label,
            kind_label: o.kind_label,
            fault: o.fault,
            equipment: o.equipment,
            engineer: o.engineer,
            appointment_from: o.appointment_from,
            appointment_to: o.appointment_to,
            clocks: o.clocks,
            created_at: o.created_at,
            completed_at: o.completed_at,
            outstanding_fen: o.outstanding_fen,
        }
    }
}

/// One customer with the number that rang.
#[derive(Debug, Serialize)]
pub struct CallerFile {
    pub customer: Customer,
    pub machines: Vec<Equipment>,
    /// Open orders, the oldest waiting first: the one the caller rings about.
    pub open_orders: Vec<OrderLine>,
    /// The last completed order (completed, called back or closed), if any.
    pub last_completed: Option<OrderLine>,
    /// Completed orders not fully paid, in fen.
    pub unpaid_fen: i64,
}

/// The caller's screen: what the pop-up shows, pushed to every desk that takes calls.
#[derive(Debug, Serialize)]
pub struct Screen {
    /// The ring's number in `call_ring`: a desk shows each ring once.
    pub ring_id: i64,
    /// When it rang (stored UTC).
    pub at: String,
    pub source: Source,
    pub source_label: &'static str,
    /// The number in its stored form (`13812345678`), what 来电登记 and 新客户 are filled with.
    pub phone: String,
    /// As shown (`138 1234 5678`, `021 6123 4567`).
    pub phone_display: String,
    pub line: String,
    /// Every customer with that number, those with an open order first.
    pub customers: Vec<CallerFile>,
    /// More customers share the number than the screen shows.
    pub more: bool,
}

/// Reads the number that rings: a whole valid number by the house's rules, in its stored
/// form. A switchboard dials a mobile of another city with a `0` before it (`013812345678`)
/// and some send `0` before a 400 number; both are the number without it. A bad number is
/// refused naming `phone`.
pub fn ring_number(input: &str) -> Result<Phone> {
    if input.chars().count() > phone::MAX_CHARS {
        return Err(Error::invalid(
            "phone",
            format!("来电号码太长：最多 {} 个字符", phone::MAX_CHARS),
        ));
    }
    if input.trim().is_empty() {
        return Err(Error::invalid("phone", "请输入来电号码"));
    }
    match Phone::parse(input) {
        Ok(p) => Ok(p),
        Err(problem) => {
            let digits: String = input
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
                .collect();
            if let Some(rest) = digits.strip_prefix('0') {
                let trunk = (rest.starts_with('1') && rest.len() == 11)
                    || ((rest.starts_with("400") || rest.starts_with("800")) && rest.len() == 10);
                if trunk && rest.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(p) = Phone::parse(rest) {
                        return Ok(p);
                    }
                }
            }
            Err(Error::invalid("phone", format!("来电号码有误：{problem}")))
        }
    }
}

/// The line a ring names, checked: at most [`MAX_LINE_CHARS`] characters, no control
/// characters.
fn line_of(line: Option<&str>) -> Result<String> {
    let line = line.unwrap_or("").trim();
    if line.chars().count() > MAX_LINE_CHARS {
        return Err(Error::invalid(
            "line",
            format!("线路名称最多 {MAX_LINE_CHARS} 个字符"),
        ));
    }
    if line.chars().any(char::is_control) {
        return Err(Error::invalid("line", "线路名称不能含控制字符"));
    }
    Ok(line.to_string())
}

/// 来电 (the clerk's F-key, or a door for its sources): records a ring of `phone` and
/// answers the caller's screen, which every desk that takes calls is then shown.
pub fn ring(desk: &mut Desk, a: RingArgs) -> Result<Screen> {
    ring_from(desk, Source::Desk, a)
}

/// A ring from `source`: the number read ([`ring_number`]), the screen built, the ring
/// recorded with it in one transaction (older rings than [`KEEP_DAYS`] removed).
pub fn ring_from(desk: &mut Desk, source: Source, a: RingArgs) -> Result<Screen> {
    let number = ring_number(&a.phone)?;
    let line = line_of(a.line.as_deref())?;
    let at = desk.stamp();
    let old = crate::platform::time::stamp(desk.now() - Duration::days(KEEP_DAYS));
    let mut screen = screen_of(desk, &number)?;
    screen.at = at.to_string();
    screen.source = source;
    screen.source_label = source.label();
    screen.line = line;
    let tx = desk.write()?;
    // The id is known only once inserted: the screen is written with a placeholder and
    // completed in the same transaction, so no poller ever reads a ring without it.
    tx.prepare_cached(
        "INSERT INTO call_ring (at, phone, line, source, screen) VALUES (?1, ?2, ?3, ?4, '')",
    )?
    .execute(params![at, screen.phone, screen.line, source])?;
    screen.ring_id = tx.last_insert_rowid()?;
    let json = serde_json::to_string(&screen).map_err(|e| Error::BadRequest(e.to_string()))?;
    tx.prepare_cached("UPDATE call_ring SET screen = ?1 WHERE id = ?2")?
        .execute(params![json, screen.ring_id])?;
    tx.prepare_cached("DELETE FROM call_ring WHERE at < ?1")?
        .execute(params![old])?;
    tx.commit()?;
    Ok(screen)
}

/// The caller's screen for a number (no ring recorded: `ring_id` 0).
fn screen_of(desk: &mut Desk, number: &Phone) -> Result<Screen> {
    let stored = number.digits.clone();
    let mut ids = customers_with(desk.conn(), &stored)?;
    let more = ids.len() > MAX_CUSTOMERS;
    ids.truncate(MAX_CUSTOMERS);
    let now = desk.now();
    let mut files = Vec::new();
    for customer in customers::load_many(desk.conn(), &ids)? {
        let machines = equipment::list(
            desk,
            equipment::ListArgs {
                customer_id: customer.id,
            },
        )?
        .items;
        let open_orders = orders::read(
            desk.conn(),
            desk.actor(),
            &format!(
                "WHERE o.customer_id = ?1 AND o.status IN {} ORDER BY o.id LIMIT {MAX_OPEN}",
                OrderStatus::sql_list(OrderStatus::OPEN)
            ),
            [customer.id],
            now,
        )?
        .into_iter()
        .map(OrderLine::from)
        .collect();
        let last_completed = orders::read(
            desk.conn(),
            desk.actor(),
            &format!(
                "WHERE o.customer_id = ?1 AND o.status IN {} AND o.completed_at IS NOT NULL
                 ORDER BY o.completed_at DESC, o.id DESC LIMIT 1",
                OrderStatus::sql_list(OrderStatus::DONE)
            ),
            [customer.id],
            now,
        )?
        .pop()
        .map(OrderLine::from);
        let unpaid_fen = unpaid(desk.conn(), customer.id)?;
        files.push(CallerFile {
            customer,
            machines,
            open_orders,
            last_completed,
            unpaid_fen,
        });
    }
    // Those with an open order first (the call is most likely about it), then newest.
    files.sort_by_key(|f| (f.open_orders.is_empty(), std::cmp::Reverse(f.customer.id)));
    Ok(Screen {
        ring_id: 0,
        at: String::new(),
        source: Source::Desk,
        source_label: Source::Desk.label(),
        phone: stored,
        phone_display: Phone {
            digits: number.digits.clone(),
            extension: None,
        }
        .display(),
        line: String::new(),
        customers: files,
        more,
    })
}

/// Customers (not merged) with `number` among their phones, the number alone or with an
/// extension (`02161234567-801`): a shared landline rings for all of them. Newest first,
/// one more than [`MAX_CUSTOMERS`].
fn customers_with(conn: &Db, number: &str) -> Result<Vec<CustomerId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT p.customer_id FROM customer_phone p JOIN customer c ON c.id = p.customer_id
          WHERE (p.number = ?1 OR (p.number > ?2 AND p.number < ?3)) AND c.merged_into IS NULL
          ORDER BY p.customer_id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![
            number,
            format!("{number}-"),
            format!("{number}."),
            (MAX_CUSTOMERS + 1) as i64
        ],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a customer still owes on completed orders, in fen.
fn unpaid(conn: &Db, customer: CustomerId) -> Result<i64> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT COALESCE(SUM(total_fen - paid_fen), 0) FROM work_order
          WHERE customer_id = ?1 AND total_fen > paid_fen AND status IN {}",
        OrderStatus::sql_list(OrderStatus::DONE)
    ))?;
    Ok(stmt.query_row([customer], |r| r.get(0))?)
}

/// A recorded ring as a door pushes it: its id and the screen's JSON text as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub id: i64,
    pub screen: String,
}

/// The ids of the rings recorded after ring `after` (at most `limit`, oldest first): what
/// a door's poller looks at; `conn` is the poller's own connection. Ids only, so that a
/// poll that looks back a little (PostgreSQL may commit rings out of id order) reads no
/// screen twice.
pub fn ring_ids_after(conn: &Db, after: i64, limit: u32) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM call_ring WHERE id > ?1 AND screen <> '' ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, i64::from(limit)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A recorded ring as its door pushes it (None when it is gone).
pub fn pushed(conn: &Db, id: i64) -> Result<Option<Pushed>> {
    let mut stmt = conn.prepare_cached("SELECT id, screen FROM call_ring WHERE id = ?1")?;
    let mut rows = stmt.query_map([id], |r| {
        Ok(Pushed {
            id: r.get(0)?,
            screen: r.get(1)?,
        })
    })?;
    Ok(rows.next().transpose()?)
}

/// Rings recorded after ring `after` with their screens (at most `limit`, oldest first).
pub fn rings_after(conn: &Db, after: i64, limit: u32) -> Result<Vec<Pushed>> {
    let mut out = Vec::new();
    for id in ring_ids_after(conn, after, limit)? {
        out.extend(pushed(conn, id)?);
    }
    Ok(out)
}

/// The newest ring's id (0 when none): where a door that starts begins, so that it never
/// pushes the rings of before it started.
pub fn last_ring(conn: &Db) -> Result<i64> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM call_ring", [], |r| {
            r.get(0)
        })?,
    )
}
