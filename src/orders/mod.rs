//! Work orders (工单): one service request from the phone call to payment.
//!
//! - [`create`] takes the request with the caller on the line: customer, machine (its
//!   warranty verdict is copied onto the order with the reason), type, channel, mode,
//!   priority, fault, appointment. Numbers are `{prefix}{year}{sequence:06}`, counted per
//!   year in the same transaction as the order, so there is no gap and none is reused.
//! - [`flow`]: the status flow of DOMAIN.md, enforced here; dispatch, confirmation call,
//!   completion (parts out through the ledger in the same transaction), payment.
//! - [`board`]: the dispatch board, engineer suggestions, receivables.
//! - [`clocks`]: the service-level clocks on the working calendar.
//! - [`pauses`]: 暂停 / 恢复, the clocks standing still while the order waits for parts
//!   or the customer (issue 21).
//! - [`plans`]: 定期保养, maintenance plans and the orders made ahead of their due dates
//!   (issue 21).
//!
//! Every change is an event on the order's timeline (`order_event`, append-only) with who
//! and when; money is integer fen.

pub mod attachments;
pub mod board;
pub mod clocks;
pub mod contact;
pub mod engineers;
pub mod flow;
pub mod history;
pub mod loaners;
pub mod notice;
pub mod pauses;
pub mod plans;
pub mod quote_print;
pub mod quotes;
pub mod status_page;
pub mod words;

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::customers::{self, CustomerId};
use crate::people::calendar::Calendar;
use crate::platform::error::{Error, Problems, Result};
use crate::platform::phone::Phone;
use crate::platform::time::{self, stamp};
use crate::{archive::equipment, archive::warranty, people::settings, platform::text, Actor, Desk};

pub use words::{
    Action, AttachmentKind, Channel, EventKind, Mode, Opinion, OrderKind, OrderStatus, Priority,
    Step,
};

crate::ids! {
    /// A work order's id.
    pub struct OrderId;
}

/// A local date-time typed at the desk (`2026-11-23T14:00`, `2026-11-23 14:00`, or RFC
/// 3339) as UTC.
fn local_time(field: &'static str, label: &str, text: &str) -> Result<Option<DateTime<Utc>>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(utc) = crate::platform::time::parse(t) {
        return Ok(Some(utc));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            if let Some(local) = time::zone().from_local_datetime(&naive).single() {
                return Ok(Some(local.with_timezone(&Utc)));
            }
        }
    }
    Err(Error::invalid(
        field,
        format!("{label}不是有效的时间：{t}（请写成 2026-11-23 14:00）"),
    ))
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Named<I> {
    pub id: I,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Machine {
    pub id: crate::archive::equipment::EquipmentId,
    pub model_id: crate::archive::models::ModelId,
    pub model: String,
    pub serial: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Event {
    pub at: String,
    pub user: String,
    pub kind: EventKind,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartLine {
    pub part_id: crate::stock::parts::PartId,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub store_id: crate::stock::parts::StoreId,
    pub store_name: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub charged_fen: i64,
    pub in_warranty: bool,
    pub movement_id: crate::stock::ledger::MovementId,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeeLine {
    pub kind: String,
    #[serde(default)]
    pub description: String,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Payment {
    /// payment or deposit (定金, on an approved quote before the work is done).
    pub kind: words::PaymentKind,
    pub at: String,
    pub user: String,
    pub method: String,
    pub amount_fen: i64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub customer: Named<CustomerId>,
    pub equipment: Option<Machine>,
    pub contact: String,
    pub phone: String,
    pub address: String,
    pub kind: OrderKind,
    pub kind_label: &'static str,
    pub channel: Channel,
    pub mode: Mode,
    pub priority: Priority,
    pub fault: String,
    pub warranty: warranty::Status,
    pub warranty_reason: String,
    /// The machine's 三包 verdict at intake (issue 21), for a model covered by 三包;
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanbao: Option<crate::archive::sanbao::Sanbao>,
    pub appointment_from: Option<String>,
    pub appointment_to: Option<String>,
    pub engineer: Option<Named<crate::orders::engineers::EngineerId>>,
    pub status: OrderStatus,
    pub status_label: &'static str,
    pub diagnosis: String,
    pub work_done: String,
    pub total_fen: i64,
    pub paid_fen: i64,
    pub outstanding_fen: i64,
    pub total_capitals: String,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub slip_late_reason: String,
    /// 客户意见: satisfied, basically, unsatisfied, or "" (not given yet).
    #[serde(serialize_with = "words::opinion_or_empty")]
    pub opinion: Option<Opinion>,
    pub opinion_remarks: String,
    /// The customer's signature as pen strokes in a 0–1 box (empty: not signed on screen).
    pub signature: Vec<Vec<[f32; 2]>>,
    pub clocks: Vec<clocks::Clock>,
    /// The open pause (待料 / 待客户, issue 21): its reply and slip clocks stand still.
    pub pause: Option<pauses::Current>,
    /// Statuses the order may move to now by `orders.move`.
    pub moves: Vec<OrderStatus>,
    /// What the acting user may do on the order now, in display order (the buttons).
    pub actions: Vec<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<PartLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<Vec<FeeLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<Payment>>,
    /// Every pause of the order, oldest first (one order's detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pauses: Option<Vec<pauses::Pause>>,
    /// A quote waits for the customer's answer (保外报价, issue 21).
    pub quote_waiting: bool,
    /// The order's quotes (保外报价), oldest first (one order's detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Vec<quotes::Quote>>,
    /// The working minutes it was paused in all, an open pause up to now (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_minutes: Option<i64>,
    /// How many times the order's row has changed (1 when registered): what a command that
    /// changes the order is given back, so that a change made meanwhile at another desk is
    /// not overwritten unseen (see [`check_version`]).
    pub version: i64,
    /// The customer's status page (进度查询, issue 20): `/s/{code}` on the browser door,
    /// no login; on one order's detail only (`orders.get`), not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_path: Option<String>,
    /// The page's full address when 设置 has the public one (`public_url` + path): what
    /// the slip's QR code holds and the clerk copies for the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

pub(crate) const SELECT: &str =
    "SELECT o.id, o.number, o.customer_id, c.name, o.equipment_id, o.model_id,
        m.code || ' ' || m.name, e.serial, o.contact, o.phone, o.address, o.kind, o.channel, o.mode,
        o.priority, o.fault, o.warranty, o.warranty_reason, o.appointment_from, o.appointment_to,
        o.engineer_id, g.name, o.status, o.diagnosis, o.work_done, o.total_fen, o.paid_fen,
        o.created_at, o.completed_at, o.slip_late_reason, o.confirm_due, o.confirm_at,
        o.reply_due, o.reply_at, o.slip_due, o.slip_at, o.opinion, o.opinion_remarks, o.signature, o.version,
        p.reason, p.note, p.started_at, p.started_by, o.sanbao_remedy, o.sanbao_until, o.sanbao_reason,
        EXISTS (SELECT 1 FROM quote q WHERE q.order_id = o.id AND q.decision IS NULL)
    FROM work_order o JOIN customer c ON c.id = o.customer_id
    LEFT JOIN equipment e ON e.id = o.equipment_id
    LEFT JOIN product_model m ON m.id = o.model_id
    LEFT JOIN engineer g ON g.id = o.engineer_id
    LEFT JOIN order_pause p ON p.order_id = o.id AND p.ended_at IS NULL";

/// Reads orders with `SELECT … {tail}`; clocks as they stand at `now`, actions as
/// `actor` may take them.
pub(crate) fn read(
    conn: &Db,
    actor: &Actor,
    tail: &str,
    p: impl crate::platform::db::Args,
    now: DateTime<Utc>,
) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        let status: OrderStatus = r.get(22)?;
        let cancelled = status == OrderStatus::Cancelled;
        let equipment_id: Option<crate::archive::equipment::EquipmentId> = r.get(4)?;
        let engineer_id: Option<crate::orders::engineers::EngineerId> = r.get(20)?;
        let total_fen: i64 = r.get(25)?;
        let paid_fen: i64 = r.get(26)?;
        let pause = pauses::current_at(r, 40)?;
        let since = pause.as_ref().map(|p| p.since.as_str());
        let clock = |kind, due: usize| -> rusqlite::Result<clocks::Clock> {
            let due_text: String = r.get(due)?;
            let done: Option<String> = r.get(due + 1)?;
            Ok(clocks::state(
                kind,
                &due_text,
                done.as_deref(),
                cancelled,
                since,
                now,
            ))
        };
        let phone: String = r.get(9)?;
        let kind: OrderKind = r.get(11)?;
        let opinion: String = r.get(36)?;
        Ok(Order {
            id: r.get(0)?,
            number: r.get(1)?,
            customer: Named {
                id: r.get(2)?,
                name: r.get(3)?,
            },
            equipment: match equipment_id {
                Some(id) => Some(Machine {
                    id,
                    model_id: r.get::<_, Option<_>>(5)?.unwrap_or_default(),
                    model: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    serial: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                }),
                None => None,
            },
            contact: r.get(8)?,
            phone: if phone.is_empty() {
                phone
            } else {
                Phone::from_stored(&phone).display()
            },
            address: r.get(10)?,
            kind_label: kind.label(),
            kind,
            channel: r.get(12)?,
            mode: r.get(13)?,
            priority: r.get(14)?,
            fault: r.get(15)?,
            warranty: r.get(16)?,
            warranty_reason: r.get(17)?,
            sanbao: match r.get::<_, Option<crate::archive::sanbao::Remedy>>(44)? {
                Some(remedy) => Some(crate::archive::sanbao::Sanbao {
                    remedy,
                    until: r.get(45)?,
                    reason: r.get(46)?,
                    end: None,
                }),
                None => None,
            },
            appointment_from: r.get(18)?,
            appointment_to: r.get(19)?,
            engineer: match engineer_id {
                Some(id) => Some(Named {
                    id,
                    name: r.get::<_, Option<String>>(21)?.unwrap_or_default(),
                }),
                None => None,
            },
            status_label: status.label(),
            moves: status.moves().to_vec(),
            actions: Vec::new(),
            status,
            diagnosis: r.get(23)?,
            work_done: r.get(24)?,
            total_fen,
            paid_fen,
            outstanding_fen: total_fen - paid_fen,
            total_capitals: crate::platform::money::capitals(total_fen),
            created_at: r.get(27)?,
            completed_at: r.get(28)?,
            slip_late_reason: r.get(29)?,
            opinion: Opinion::from_word(&opinion),
            opinion_remarks: r.get(37)?,
            signature: r
                .get::<_, Option<String>>(38)?
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
            clocks: vec![
                clock(clocks::Kind::Confirm, 30)?,
                clock(clocks::Kind::Reply, 32)?,
                clock(clocks::Kind::Slip, 34)?,
            ],
            pause,
            quote_waiting: r.get(47)?,
            events: None,
            parts: None,
            fees: None,
            payments: None,
            pauses: None,
            paused_minutes: None,
            quotes: None,
            version: r.get(39)?,
            status_path: None,
            status_url: None,
        })
    })?;
    let mut orders: Vec<Order> = rows.collect::<rusqlite::Result<_>>()?;
    let allowed = words::allowed_steps(actor);
    for o in &mut orders {
        o.actions = words::actions(o, &allowed);
    }
    Ok(orders)
}

pub(crate) fn not_found(id: OrderId) -> Error {
    Error::NotFound(format!("工单不存在（编号 {id}）"))
}

/// Refuses a change to the order when the clerk decided it on an older state of it:
/// `seen` is the `version` their screen showed (None from a script that did not say,
/// which changes the order as it stands now), `current` the version read in the command's
/// own write transaction. The version moves on with every change of the order's row (a
/// trigger, migration of issue 19), so a second desk that saved first makes the first
/// desk's version stale. Each command checks it after the order's own rules and before
/// its first write: a step the order no longer allows is refused with that reason (it says
/// more), a step still allowed but decided on an older state is refused here. On PostgreSQL two desks that read the same version at once both
/// pass here, but only one can update the row: SERIALIZABLE fails the other (40001), and
/// when the command table runs it again it reads the new version and is refused here.
pub(crate) fn check_version(number: &str, seen: Option<i64>, current: i64) -> Result<()> {
    match seen {
        Some(seen) if seen != current => Err(Error::invalid(
            "version",
            format!("工单 {number} 在你打开后已被其他服务台修改，请核对后重新操作。"),
        )),
        _ => Ok(()),
    }
}

/// The full address of order `id`'s status page (`public_url` and the page's path), when
/// the desk has a public address and the order a code.
pub(crate) fn status_url(conn: &Db, id: OrderId) -> Result<Option<String>> {
    let Some(path) = status_page::path_of(conn, id)? else {
        return Ok(None);
    };
    let base = settings::load(conn)?.public_url;
    Ok((!base.is_empty()).then(|| format!("{base}{path}")))
}

/// One order with its timeline, parts, fees and payments.
pub(crate) fn load(conn: &Db, actor: &Actor, id: OrderId, now: DateTime<Utc>) -> Result<Order> {
    let mut o = read(conn, actor, "WHERE o.id = ?1", [id], now)?
        .pop()
        .ok_or_else(|| not_found(id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, \"user\", kind, from_status, to_status, detail FROM order_event
         WHERE order_id = ?1 ORDER BY id",
    )?;
    let events = stmt.query_map([id], |r| {
        let kind: EventKind = r.get(2)?;
        let to: Option<OrderStatus> = r.get(4)?;
        Ok(Event {
            at: r.get(0)?,
            user: r.get(1)?,
            title: flow::event_title(kind, to),
            kind,
            from_status: r.get(3)?,
            to_status: to,
            detail: r.get(5)?,
        })
    })?;
    o.events = Some(events.collect::<rusqlite::Result<_>>()?);
    o.status_path = status_page::path_of(conn, id)?;
    o.status_url = status_url(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.part_id, p.code, p.name, p.unit, l.store_id, s.name, l.quantity, l.unit_price_fen,
                l.charged_fen, l.in_warranty, l.movement_id
         FROM order_part l JOIN part p ON p.id = l.part_id JOIN store s ON s.id = l.store_id
         WHERE l.order_id = ?1 ORDER BY l.id",
    )?;
    let parts = stmt.query_map([id], |r| {
        Ok(PartLine {
            part_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            unit: r.get(3)?,
            store_id: r.get(4)?,
            store_name: r.get(5)?,
            quantity: r.get(6)?,
            unit_price_fen: r.get(7)?,
            charged_fen: r.get(8)?,
            in_warranty: r.get::<_, i64>(9)? == 1,
            movement_id: r.get(10)?,
        })
    })?;
    o.parts = Some(parts.collect::<rusqlite::Result<_>>()?);
    let mut stmt = conn.prepare_cached(
        "SELECT kind, description, amount_fen FROM fee_line WHERE order_id = ?1 ORDER BY id",
    )?;
    let fees = stmt.query_map([id], |r| {
        Ok(FeeLine {
            kind: r.get(0)?,
            description: r.get(1)?,
            amount_fen: r.get(2)?,
        })
    })?;
    o.fees = Some(fees.collect::<rusqlite::Result<_>>()?);
    let mut stmt = conn.prepare_cached(
        "SELECT at, \"user\", method, amount_fen, note, kind FROM payment WHERE order_id = ?1 ORDER BY id",
    )?;
    let payments = stmt.query_map([id], |r| {
        Ok(Payment {
            at: r.get(0)?,
            user: r.get(1)?,
            method: r.get(2)?,
            amount_fen: r.get(3)?,
            note: r.get(4)?,
            kind: r.get(5)?,
        })
    })?;
    o.payments = Some(payments.collect::<rusqlite::Result<_>>()?);
    let cal = crate::people::calendar::Calendar::load(conn)?;
    let (list, minutes) = pauses::history(conn, &cal, id, now)?;
    o.pauses = Some(list);
    o.paused_minutes = Some(minutes);
    let today = now
        .with_timezone(&crate::platform::time::zone())
        .date_naive();
    o.quotes = Some(quotes::of_order(conn, id, today)?);
    Ok(o)
}

/// Appends one event to the order's timeline.
pub(crate) fn event(
    tx: &Db,
    order_id: OrderId,
    at: &str,
    kind: EventKind,
    (from, to): (Option<OrderStatus>, Option<OrderStatus>),
    detail: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_event (order_id, at, \"user\", kind, from_status, to_status, detail)
         VALUES (?1, ?2, desk_user(), ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order_id, at, kind, from, to, detail])?;
    // A new status may tell the customer: its messages join the outbox in this transaction.
    match to {
        Some(status) if from != to => notice::queue(tx, order_id, status, at),
        _ => Ok(()),
    }
}

/// The next number of `year`, counted in the caller's transaction.
fn next_number(tx: &Db, prefix: &str, year: i32) -> Result<String> {
    let n = crate::platform::db::next_in_year(tx, crate::platform::db::Counter::Order, year)?;
    Ok(format!("{prefix}{year}{n:06}"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateArgs {
    pub customer_id: CustomerId,
    pub equipment_id: Option<crate::archive::equipment::EquipmentId>,
    /// Who called, if not the customer (defaults to the customer's name).
    pub contact: String,
    /// Phone to call back (defaults to the customer's first phone).
    pub phone: String,
    /// Service address (defaults to the customer's address).
    pub address: String,
    pub kind: String,
    pub channel: String,
    pub mode: String,
    pub priority: String,
    pub fault: String,
    /// Common faults picked from the model's list; learnt for the next caller.
    pub fault_tags: Vec<String>,
    pub appointment_from: String,
    pub appointment_to: String,
    /// The clerk confirmed time, address, model and fault with the caller on this call.
    pub confirmed: bool,
}

/// Checks a request and works out what the order will hold; nothing is written. Every
/// problem at once.
pub(crate) fn prepare(desk: &mut Desk, a: CreateArgs) -> Result<Intake> {
    let mut p = Problems::new();
    let customer = p.keep_opt(caller_of(desk.conn(), a.customer_id))?;
    let intake = check_order(
        desk.conn(),
        (desk.now(), desk.today()),
        customer.as_ref(),
        "",
        a,
        &mut p,
    )?;
    p.finish(intake)
}

/// The customer an order is for: on file and not merged away.
fn caller_of(conn: &Db, id: CustomerId) -> Result<customers::Customer> {
    let customer =
        customers::load(conn, id)?.ok_or_else(|| Error::invalid("customer_id", "请先选择客户"))?;
    if let Some(into) = customer.merged_into {
        return Err(Error::invalid(
            "customer_id",
            format!(
                "客户“{}”已合并到编号 {into} 的客户，请选择合并后的客户",
                customer.name
            ),
        ));
    }
    Ok(customer)
}

/// The order's own fields, each problem noted in `p`. `customer` is `None` when the
/// caller was refused (a new customer with a bad field): the fields that do not depend on
/// the customer are still checked, and `address` (the new customer's typed address)
/// stands in for the customer's. The value returned is only used when `p` stays empty.
fn check_order(
    conn: &Db,
    (now, today): (DateTime<Utc>, chrono::NaiveDate),
    customer: Option<&customers::Customer>,
    address_typed: &str,
    a: CreateArgs,
    p: &mut Problems,
) -> Result<Intake> {
    let kind = p
        .keep_opt(OrderKind::parse_or_first(&a.kind, "kind"))?
        .unwrap_or(OrderKind::Repair);
    let channel = p
        .keep_opt(Channel::parse_or_first(&a.channel, "channel"))?
        .unwrap_or(Channel::Phone);
    let mode = p.keep_opt(Mode::parse_or_first(&a.mode, "mode"))?;
    let priority = p
        .keep_opt(Priority::parse_or_first(&a.priority, "priority"))?
        .unwrap_or(Priority::Normal);
    let mut tags = Vec::new();
    for tag in &a.fault_tags {
        let tag = p.keep(text::field("fault_tags", "常见故障", tag, 30, false))?;
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let free = p.keep(text::field("fault", "故障现象", &a.fault, 500, false))?;
    let fault = match (tags.is_empty(), free.is_empty()) {
        (true, true) => {
            if kind == OrderKind::Repair && !p.has("fault") {
                p.note(Error::invalid(
                    "fault",
                    "请填写故障现象（或选一个常见故障）",
                ))?;
            }
            String::new()
        }
        (false, false) => format!("{}；{free}", tags.join("、")),
        (false, true) => tags.join("、"),
        (true, false) => free.clone(),
    };
    let contact = p.keep(text::field("contact", "联系人", &a.contact, 40, false))?;
    let contact = match customer {
        Some(c) if contact.is_empty() => c.name.clone(),
        _ => contact,
    };
    let phone = p.keep(text::field("phone", "联系电话", &a.phone, 40, false))?;
    let phone = if phone.is_empty() {
        customer
            .and_then(|c| c.phones.first())
            .map(|p| p.number.clone())
            .unwrap_or_default()
    } else {
        p.keep(
            Phone::parse(&phone)
                .map(|p| p.number())
                .map_err(|m| Error::invalid("phone", format!("联系电话：{m}"))),
        )?
    };
    let address = p.keep(text::field("address", "服务地址", &a.address, 200, false))?;
    let address = if !address.is_empty() {
        address
    } else if let Some(c) = customer {
        c.address.clone()
    } else {
        address_typed.trim().to_string()
    };
    if mode == Some(Mode::OnSite) && address.is_empty() && !p.has("address") {
        p.note(Error::invalid("address", "上门服务请填写服务地址"))?;
    }
    let from = p.keep(local_time(
        "appointment_from",
        "预约开始时间",
        &a.appointment_from,
    ))?;
    let to = p.keep(local_time(
        "appointment_to",
        "预约结束时间",
        &a.appointment_to,
    ))?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            p.note(Error::invalid(
                "appointment_to",
                "预约结束时间应晚于开始时间",
            ))?;
        }
    }
    let mut machine = (
        None,
        None,
        warranty::Status::Unknown,
        "未选择设备，保修待定".to_string(),
    );
    let mut sanbao = None;
    if let (Some(id), Some(customer)) = (a.equipment_id, customer) {
        let found = match equipment::load(conn, today, id) {
            Ok(e) => Ok(e),
            Err(Error::NotFound(_)) => Err(Error::invalid(
                "equipment_id",
                format!("设备不存在（编号 {id}）"),
            )),
            Err(e) => Err(e),
        };
        if let Some(e) = p.keep_opt(found)? {
            let owner_ok = e.customer_id == customer.id
                || customer.branches.iter().any(|b| b.id == e.customer_id)
                || customer
                    .parent
                    .as_ref()
                    .is_some_and(|p| p.id == e.customer_id);
            if owner_ok {
                // The same-fault rule looks at the fault the caller reports, when the
                // clerk classified it (the first tag is the order's fault category).
                sanbao = match (&e.warranty.sanbao, tags.first()) {
                    (Some(_), Some(category)) => Some(crate::archive::sanbao::for_machine(
                        conn,
                        &e,
                        today,
                        Some(category.as_str()),
                    )?),
                    (s, _) => s.clone(),
                };
                machine = (
                    Some(e.id),
                    Some(e.model.id),
                    e.warranty.status,
                    e.warranty.reason,
                );
            } else {
                p.note(Error::invalid(
                    "equipment_id",
                    format!("设备 {} 不属于客户“{}”", e.serial, customer.name),
                ))?;
            }
        }
    }
    let (equipment_id, model_id, verdict, reason) = machine;
    let s = settings::load(conn)?;
    let cal = Calendar::load(conn)?;
    Ok(Intake {
        now,
        prefix: s.order_prefix,
        due: clocks::due(&cal, now),
        customer_id: customer.map(|c| c.id).unwrap_or_default(),
        equipment_id,
        model_id,
        contact,
        phone,
        address,
        kind,
        channel,
        mode: mode.unwrap_or(Mode::OnSite),
        priority,
        fault,
        tags,
        free,
        verdict,
        reason,
        sanbao,
        from,
        to,
        confirmed: a.confirmed,
    })
}

/// A request checked by [`prepare`], ready to be written by [`insert`].
pub(crate) struct Intake {
    now: DateTime<Utc>,
    prefix: String,
    due: [DateTime<Utc>; 3],
    customer_id: CustomerId,
    equipment_id: Option<crate::archive::equipment::EquipmentId>,
    model_id: Option<crate::archive::models::ModelId>,
    contact: String,
    phone: String,
    address: String,
    kind: OrderKind,
    channel: Channel,
    mode: Mode,
    priority: Priority,
    fault: String,
    tags: Vec<String>,
    free: String,
    verdict: warranty::Status,
    reason: String,
    sanbao: Option<crate::archive::sanbao::Sanbao>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    confirmed: bool,
}

/// 登记工单: the request as the caller gives it.
pub fn create(desk: &mut Desk, a: CreateArgs) -> Result<Order> {
    let intake = prepare(desk, a)?;
    let tx = desk.write()?;
    let id = insert(&tx, &intake)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), id, intake.now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntakeArgs {
    /// The caller on file…
    pub customer_id: Option<CustomerId>,
    /// …or a new one, as `customers.create` takes it (wins over `customer_id`).
    pub customer: Option<customers::CustomerInput>,
    /// The machine on file (of the caller, a branch or the head office)…
    pub equipment_id: Option<equipment::EquipmentId>,
    /// …or a new one for the caller, as `equipment.create` takes it (its `customer_id` is
    /// the caller's; wins over `equipment_id`).
    pub equipment: Option<equipment::EquipmentInput>,
    /// The request, as `orders.create` takes it (its `customer_id`/`equipment_id` are the
    /// intake's). May be left out only by a check.
    pub order: Option<CreateArgs>,
    /// Check everything and answer what would be saved, saving nothing.
    pub check: bool,
}

#[derive(Debug, Serialize)]
pub struct IntakeDone {
    /// The caller as saved (a check: as it would be; a new one then has id 0).
    pub customer: customers::Customer,
    /// The machine the order is for, if any, with its warranty verdict (a check: a new one
    /// has id 0).
    pub equipment: Option<equipment::Equipment>,
    /// The order registered; `null` for a check.
    pub order: Option<Order>,
}

/// 来电登记 as one action: a new caller and/or a new machine and the order, all saved in
/// one transaction or nothing. Every problem of every part comes back at once, the new
/// customer's fields as `customer.<field>`, the new machine's as `equipment.<field>`, the
/// order's as `orders.create` names them. A new customer or machine needs the roles of
/// `customers.create` / `equipment.create`.
pub fn intake(desk: &mut Desk, a: IntakeArgs) -> Result<IntakeDone> {
    let (now, today, at) = (desk.now(), desk.today(), desk.stamp());
    for (asked, command, what) in [
        (a.customer.is_some(), "customers.create", "新建客户档案"),
        (a.equipment.is_some(), "equipment.create", "登记新设备"),
    ] {
        if asked && !crate::may(desk.actor(), command) {
            return Err(Error::Forbidden(format!(
                "{}没有{what}的权限，请选择已有的客户和设备，或请前台登记",
                desk.actor().name
            )));
        }
    }
    if a.order.is_none() && !a.check {
        return Err(Error::BadRequest("缺少工单内容（order）".into()));
    }
    let tx = desk.write()?;
    let mut p = Problems::new();
    // The caller: a new one is written first (in this transaction) so the machine and
    // the order can point at it; a refusal anywhere rolls it back.
    let mut address_typed = String::new();
    let new_customer = a.customer.is_some();
    let customer_id = match (a.customer, a.customer_id) {
        (Some(input), _) => {
            address_typed = input.address.clone();
            let checked = customers::checked(&tx, &input, None).map_err(|e| e.within("customer"));
            match p.keep_opt(checked)? {
                Some(valid) => Some(customers::add(&tx, &valid, &at)?),
                None => None,
            }
        }
        (None, Some(id)) => Some(id),
        (None, None) => {
            p.note(Error::invalid("customer_id", "请先选择客户，或填写新客户"))?;
            None
        }
    };
    let customer = match customer_id {
        Some(id) => p.keep_opt(caller_of(&tx, id))?,
        None => None,
    };
    let new_machine = a.equipment.is_some();
    let equipment_id = match a.equipment {
        Some(mut input) => {
            input.customer_id = customer.as_ref().map(|c| c.id).unwrap_or_default();
            let mut mp = Problems::new();
            let valid = equipment::check_fields(&tx, &input, None, today, &mut mp)?;
            match mp.finish(valid) {
                Ok(valid) if customer.is_some() => Some(equipment::add(&tx, &valid, &at)?),
                Ok(_) => None,
                Err(e) => {
                    p.note(e.within("equipment"))?;
                    None
                }
            }
        }
        None => a.equipment_id,
    };
    let order = match a.order {
        Some(o) => {
            let o = CreateArgs {
                customer_id: customer.as_ref().map(|c| c.id).unwrap_or_default(),
                equipment_id,
                ..o
            };
            Some(check_order(
                &tx,
                (now, today),
                customer.as_ref(),
                &address_typed,
                o,
                &mut p,
            )?)
        }
        None => None,
    };
    // Refused: dropping the transaction rolls back the customer and machine written.
    let customer = p
        .finish(customer)?
        .ok_or_else(|| Error::invalid("customer_id", "请先选择客户，或填写新客户"))?;
    let equipment = match equipment_id {
        Some(id) => Some(equipment::load(&tx, today, id)?),
        None => None,
    };
    if a.check {
        drop(tx);
        let mut customer = customer;
        let mut equipment = equipment;
        if new_customer {
            customer.id = CustomerId::default();
            if let Some(e) = equipment.as_mut() {
                e.customer_id = CustomerId::default();
            }
        }
        if new_machine {
            if let Some(e) = equipment.as_mut() {
                e.id = equipment::EquipmentId::default();
            }
        }
        return Ok(IntakeDone {
            customer,
            equipment,
            order: None,
        });
    }
    let order_id = match &order {
        Some(i) => Some(insert(&tx, i)?),
        None => None,
    };
    tx.commit()?;
    let order = match order_id {
        Some(id) => Some(load(desk.conn(), desk.actor(), id, now)?),
        None => None,
    };
    Ok(IntakeDone {
        customer,
        equipment,
        order,
    })
}

/// Writes a prepared order, its number and first events, in the caller's transaction.
pub(crate) fn insert(tx: &Db, i: &Intake) -> Result<OrderId> {
    let [confirm_due, reply_due, slip_due] = i.due;
    let at = stamp(i.now);
    let year = i.now.with_timezone(&time::zone()).year();
    let number = next_number(tx, &i.prefix, year)?;
    tx.prepare_cached(
        "INSERT INTO work_order (number, customer_id, equipment_id, model_id, contact, phone, address,
             kind, channel, mode, priority, fault, warranty, warranty_reason, appointment_from,
             appointment_to, status, created_at, updated_at, confirm_due, confirm_at, reply_due, slip_due,
             fault_category, sanbao_remedy, sanbao_until, sanbao_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?23,
             ?17, ?17, ?18, ?19, ?20, ?21, ?22, ?24, ?25, ?26)",
    )?
    .execute(params![
        number,
        i.customer_id,
        i.equipment_id,
        i.model_id,
        i.contact,
        i.phone,
        i.address,
        i.kind,
        i.channel,
        i.mode,
        i.priority,
        i.fault,
        i.verdict,
        i.reason,
        i.from.map(stamp),
        i.to.map(stamp),
        at,
        stamp(confirm_due),
        i.confirmed.then(|| at.clone()),
        stamp(reply_due),
        stamp(slip_due),
        i.tags.first().cloned().unwrap_or_default(),
        OrderStatus::Registered,
        i.sanbao.as_ref().map(|s| s.remedy),
        i.sanbao.as_ref().and_then(|s| s.until.clone()),
        i.sanbao.as_ref().map(|s| s.reason.clone()).unwrap_or_default(),
    ])?;
    let id = OrderId(tx.last_insert_rowid()?);
    status_page::issue(tx, id)?;
    let detail = format!(
        "{} · {} · {}{}",
        i.kind.label(),
        i.channel.label(),
        i.mode.label(),
        if i.fault.is_empty() {
            String::new()
        } else {
            format!(" · {}", i.fault)
        }
    );
    event(
        tx,
        id,
        &at,
        EventKind::Created,
        (None, Some(OrderStatus::Registered)),
        &detail,
    )?;
    if i.confirmed {
        // A proactive order (主动服务, a maintenance plan's) has no caller to call back.
        let detail = if i.channel == Channel::Proactive {
            "主动服务：由服务台发起，无需回电确认"
        } else {
            "登记时已与来电人确认"
        };
        event(tx, id, &at, EventKind::Confirmed, (None, None), detail)?;
    }
    if let Some(model_id) = i.model_id {
        learn_faults(tx, model_id, &i.tags, &i.free)?;
    }
    Ok(id)
}

/// Counts the faults of a new order for its model: the picked ones, and short phrases of
/// the free text (split at punctuation), so the next caller's list offers them.
fn learn_faults(
    tx: &Db,
    model_id: crate::archive::models::ModelId,
    tags: &[String],
    free: &str,
) -> Result<()> {
    let mut phrases: Vec<String> = tags.to_vec();
    for piece in free.split(['，', ',', '；', ';', '、', '。', '\n']) {
        let piece = piece.trim();
        let n = text::char_len(piece);
        if (2..=12).contains(&n) && !phrases.iter().any(|p| p == piece) {
            phrases.push(piece.to_string());
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO model_fault (model_id, fault, uses) VALUES (?1, ?2, 1)
         ON CONFLICT (model_id, fault) DO UPDATE SET uses = model_fault.uses + 1",
    )?;
    for p in phrases {
        stmt.execute(params![model_id, p])?;
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GetArgs {
    pub id: OrderId,
    /// Or by number, as printed on the slip.
    pub number: String,
}

/// 工单详情.
pub fn get(desk: &mut Desk, a: GetArgs) -> Result<Order> {
    let id = if a.number.trim().is_empty() {
        a.id
    } else {
        let number = a.number.trim().to_uppercase();
        desk.conn()
            .prepare_cached("SELECT id FROM work_order WHERE number = ?1")?
            .query_row([&number], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("没有工单号 {number}")))?
    };
    load(desk.conn(), desk.actor(), id, desk.now())
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    pub customer_id: Option<CustomerId>,
    pub equipment_id: Option<crate::archive::equipment::EquipmentId>,
    /// `open` (not done yet), `all`, or one status.
    pub status: String,
    /// 我的工单: only the orders of the engineer the acting user's account is linked to
    /// (then customer_id and equipment_id are not looked at).
    pub mine: bool,
    pub page: u32,
    pub page_size: u32,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            customer_id: None,
            equipment_id: None,
            status: "all".into(),
            mine: false,
            page: 1,
            page_size: 50,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct OrderPage {
    pub items: Vec<Order>,
    pub page: u32,
    pub page_size: u32,
    /// Whether there is a next page.
    pub more: bool,
}

/// 工单列表: a customer's or a machine's history (newest first), all orders of a status, or
/// the acting engineer's own (`mine`). An account linked to no engineer asking for its own
/// orders is refused with the reason, naming `mine`.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<OrderPage> {
    let engineer = match (a.mine, desk.actor().engineer_id) {
        (false, _) => None,
        (true, Some(engineer)) => Some(engineer),
        (true, None) => {
            return Err(Error::invalid(
                "mine",
                "我的工单：您的账号还没有关联工程师，请管理员在“用户管理”中关联",
            ))
        }
    };
    let page = a.page.max(1);
    let size = a.page_size.clamp(1, 200);
    let one;
    let statuses: &[OrderStatus] = match a.status.as_str() {
        "" | "all" => OrderStatus::ALL,
        "open" => OrderStatus::OPEN,
        s => {
            one = [OrderStatus::parse(s, "status")?];
            &one
        }
    };
    let statuses =
        serde_json::to_string(&statuses).map_err(|e| Error::BadRequest(e.to_string()))?;
    let (filter, key) = match (engineer, a.customer_id, a.equipment_id) {
        (Some(g), _, _) => ("o.engineer_id = ?1", g),
        (None, _, Some(e)) => ("o.equipment_id = ?1", e.get()),
        (None, Some(c), None) => ("o.customer_id = ?1", c.get()),
        (None, None, None) => ("?1 = 0", 0),
    };
    let offset = i64::from(page - 1) * i64::from(size);
    let mut items = read(
        desk.conn(),
        desk.actor(),
        &format!(
            "WHERE {filter} AND o.status IN (SELECT value FROM json_each(?2))
             ORDER BY o.id DESC LIMIT ?3 OFFSET ?4"
        ),
        params![key, statuses, i64::from(size) + 1, offset],
        desk.now(),
    )?;
    let more = items.len() > size as usize;
    items.truncate(size as usize);
    Ok(OrderPage {
        items,
        page,
        page_size: size,
        more,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallerArgs {
    pub phone: String,
}

#[derive(Debug, Serialize)]
pub struct CallerMatch {
    pub customer: customers::Customer,
    pub machines: Vec<equipment::Equipment>,
    pub open_orders: Vec<Order>,
}

#[derive(Debug, Serialize)]
pub struct Caller {
    pub items: Vec<CallerMatch>,
}

/// 来电: the customers with this phone (whole or its last 4+ digits), each with their
/// machines (warranty shown) and open orders. The first screen of a phone intake.
pub fn caller(desk: &mut Desk, a: CallerArgs) -> Result<Caller> {
    let Some(digits) = customers::phone_digits(&a.phone) else {
        return Err(Error::invalid("phone", "请输入来电号码（至少4位数字）"));
    };
    let ids: Vec<CustomerId> = customers::by_phone(desk.conn(), &digits)?
        .into_iter()
        .take(10)
        .collect();
    let mut items = Vec::new();
    let now = desk.now();
    for customer in customers::load_many(desk.conn(), &ids)? {
        let machines = equipment::list(
            desk,
            equipment::ListArgs {
                customer_id: customer.id,
            },
        )?
        .items;
        let open_orders = read(
            desk.conn(),
            desk.actor(),
            &format!(
                "WHERE o.customer_id = ?1 AND o.status IN {}
                 ORDER BY o.id DESC LIMIT 20",
                OrderStatus::sql_list(OrderStatus::OPEN)
            ),
            [customer.id],
            now,
        )?;
        items.push(CallerMatch {
            customer,
            machines,
            open_orders,
        });
    }
    Ok(Caller { items })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FaultsArgs {
    pub model_id: crate::archive::models::ModelId,
}

#[derive(Debug, Serialize)]
pub struct Faults {
    pub items: Vec<String>,
}

/// 常见故障: what callers most often reported for this model.
pub fn faults(desk: &mut Desk, a: FaultsArgs) -> Result<Faults> {
    let mut stmt = desk.conn().prepare_cached(
        "SELECT fault FROM model_fault WHERE model_id = ?1 ORDER BY uses DESC, fault LIMIT 12",
    )?;
    let rows = stmt.query_map([a.model_id], |r| r.get(0))?;
    Ok(Faults {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

/// The order whose number was typed in the search box: the whole number in any case, or
/// its ten digits (year and sequence) without the prefix. Shorter digit strings are left to
/// the phone search (a phone's last 4 digits must not bring up an order).
pub(crate) fn find_number(
    conn: &Db,
    actor: &Actor,
    query: &str,
    now: DateTime<Utc>,
) -> Result<Option<Order>> {
    let q = query.trim().to_uppercase();
    if q.len() < 10 || q.len() > 30 || !q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(None);
    }
    let mut candidates = vec![q.clone()];
    if q.len() == 10 && q.starts_with('2') && q.chars().all(|c| c.is_ascii_digit()) {
        candidates.push(format!("{}{q}", settings::load(conn)?.order_prefix));
    }
    for number in candidates {
        if let Some(o) = read(conn, actor, "WHERE o.number = ?1", [&number], now)?.pop() {
            return Ok(Some(o));
        }
    }
    Ok(None)
}
