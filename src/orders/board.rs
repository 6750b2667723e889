//! The dispatcher's view: the board of unassigned and active orders with their clocks and
//! the parts they probably need (learnt per model from past orders) with what the main
//! store and the engineer's van hold; engineers with today's load; suggestions ranked by
//! part availability, region and load, each with its reason. And receivables.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::rc::Rc;

use crate::platform::db::Db;
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{clocks, not_found, read, Machine, Named, OrderId, OrderKind, OrderStatus, Priority};
use crate::archive::{customers::CustomerId, models::ModelId};
use crate::orders::engineers::{self, Engineer, EngineerId};
use crate::platform::error::Result;
use crate::platform::time::stamp;
use crate::stock::parts::{PartId, StoreId};
use crate::Desk;

/// Orders shown per column of the board.
const BOARD_LIMIT: i64 = 300;
/// Probable parts shown per order.
const PROBABLE: i64 = 3;

#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    pub part_id: crate::stock::parts::PartId,
    pub code: String,
    pub name: String,
    /// How many past orders of this model used it.
    pub uses: i64,
    pub main_on_hand: i64,
    /// On hand in the assigned engineer's van (None: not assigned, or no van).
    pub van_on_hand: Option<i64>,
}

/// Parts shared by the cards of one model and van (one list, not a copy per card).
#[derive(Debug, Clone, Default)]
pub struct Parts(Rc<[Availability]>);

impl Serialize for Parts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl std::ops::Deref for Parts {
    type Target = [Availability];
    fn deref(&self) -> &[Availability] {
        &self.0
    }
}

/// An order as the board shows it: what a dispatcher reads on a card (the order file has
/// the rest), and the parts it probably needs.
#[derive(Debug, Serialize)]
pub struct Card {
    pub id: OrderId,
    pub number: String,
    pub customer: super::Named<CustomerId>,
    pub equipment: Option<super::Machine>,
    pub address: String,
    pub kind: OrderKind,
    pub kind_label: &'static str,
    pub status: OrderStatus,
    pub status_label: &'static str,
    pub priority: Priority,
    pub fault: String,
    pub warranty: String,
    pub warranty_reason: String,
    pub engineer: Option<super::Named<EngineerId>>,
    pub appointment_from: Option<String>,
    pub appointment_to: Option<String>,
    pub clocks: Vec<super::clocks::Clock>,
    /// The open pause (待料 / 待客户): its clocks stand still, no alert.
    pub pause: Option<super::pauses::Current>,
    pub parts: Parts,
}

/// The columns of an order a card shows, with the clocks' due and stop times.
const CARD_SELECT: &str = "SELECT o.id, o.number, o.customer_id, c.name, o.equipment_id,
        o.model_id, m.code || ' ' || m.name, e.serial, o.address, o.kind, o.status, o.priority,
        o.fault, o.warranty, o.warranty_reason, o.engineer_id, g.name, o.appointment_from,
        o.appointment_to, o.confirm_due, o.confirm_at, o.reply_due, o.reply_at, o.slip_due,
        o.slip_at, p.reason, p.note, p.started_at, p.started_by
    FROM work_order o JOIN customer c ON c.id = o.customer_id
    LEFT JOIN equipment e ON e.id = o.equipment_id
    LEFT JOIN product_model m ON m.id = o.model_id
    LEFT JOIN engineer g ON g.id = o.engineer_id
    LEFT JOIN order_pause p ON p.order_id = o.id AND p.ended_at IS NULL";

/// Column `i` as text, borrowed from the row (None: NULL).
fn text<'r>(
    r: &'r crate::platform::db::Row<'_, '_>,
    i: usize,
) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

/// The cards of `SELECT … {tail}` (parts are added later); clocks as they stand at `now`.
fn read_cards(conn: &Db, tail: &str, now: DateTime<Utc>) -> Result<Vec<Card>> {
    let mut stmt = conn.prepare_cached(&format!("{CARD_SELECT} {tail}"))?;
    let rows = stmt.query_map([BOARD_LIMIT], |r| {
        let status: OrderStatus = r.get(10)?;
        let cancelled = status == OrderStatus::Cancelled;
        let pause = super::pauses::current_at(r, 25)?;
        let since = pause.as_ref().map(|p| p.since.as_str());
        let clock = |kind, due: usize| -> rusqlite::Result<clocks::Clock> {
            Ok(clocks::state(
                kind,
                text(r, due)?.unwrap_or_default(),
                text(r, due + 1)?,
                cancelled,
                since,
                now,
            ))
        };
        let kind: OrderKind = r.get(9)?;
        Ok(Card {
            id: r.get(0)?,
            number: r.get(1)?,
            customer: Named {
                id: r.get(2)?,
                name: r.get(3)?,
            },
            equipment: match r.get::<_, Option<_>>(4)? {
                Some(id) => Some(Machine {
                    id,
                    model_id: r.get::<_, Option<_>>(5)?.unwrap_or_default(),
                    model: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    serial: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                }),
                None => None,
            },
            address: r.get(8)?,
            kind_label: kind.label(),
            kind,
            status_label: status.label(),
            status,
            priority: r.get(11)?,
            fault: r.get(12)?,
            warranty: r.get(13)?,
            warranty_reason: r.get(14)?,
            engineer: match r.get::<_, Option<_>>(15)? {
                Some(id) => Some(Named {
                    id,
                    name: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
                }),
                None => None,
            },
            appointment_from: r.get(17)?,
            appointment_to: r.get(18)?,
            clocks: vec![
                clock(clocks::Kind::Confirm, 19)?,
                clock(clocks::Kind::Reply, 21)?,
                clock(clocks::Kind::Slip, 23)?,
            ],
            pause,
            parts: Parts::default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Serialize)]
pub struct EngineerLoad {
    pub id: EngineerId,
    pub name: String,
    pub phone: String,
    /// The phone as people read it (`139 0000 2222`).
    pub phone_display: String,
    pub region: String,
    pub van_store_id: Option<crate::stock::parts::StoreId>,
    /// Orders dispatched, in progress or waiting for parts.
    pub active: i64,
    /// Appointments starting today (local), by time.
    pub today: Vec<Appointment>,
}

#[derive(Debug, Serialize)]
pub struct Appointment {
    pub order_id: OrderId,
    pub number: String,
    pub from: String,
    pub to: Option<String>,
    pub customer: String,
}

#[derive(Debug, Serialize)]
pub struct Board {
    pub unassigned: Vec<Card>,
    pub active: Vec<Card>,
    pub engineers: Vec<EngineerLoad>,
    /// Clocks about to break or broken, over both columns.
    pub warnings: usize,
    pub now: String,
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

fn main_store(conn: &Db) -> Result<StoreId> {
    Ok(conn
        .prepare_cached("SELECT id FROM store WHERE kind = 'main' ORDER BY id LIMIT 1")?
        .query_row([], |r| r.get(0))?)
}

fn on_hand(conn: &Db, part_id: PartId, store_id: StoreId) -> Result<i64> {
    Ok(crate::stock::ledger::balance(conn, part_id, store_id)?.0)
}

/// The parts past orders of `model_id` used most: id, code, name, uses. Only parts that
/// fit the model: a part whose 适用机型 (`models`) lists model codes is cited for those
/// models only; a part that lists none is taken to fit any (a screw, a fuse).
fn model_parts(conn: &Db, model_id: ModelId) -> Result<Vec<(PartId, String, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.code, p.name, mp.uses FROM model_part mp JOIN part p ON p.id = mp.part_id
           JOIN product_model m ON m.id = mp.model_id
         WHERE mp.model_id = ?1
           AND (p.models = ''
                OR instr(',' || upper(p.models) || ',', ',' || upper(m.code) || ',') > 0)
         ORDER BY mp.uses DESC, p.code LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![model_id, PROBABLE], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The parts past orders of `model_id` used most, with stock in the main store and `van`.
fn probable(
    conn: &Db,
    model_id: Option<ModelId>,
    main: StoreId,
    van: Option<StoreId>,
) -> Result<Vec<Availability>> {
    let Some(model_id) = model_id else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (part_id, code, name, uses) in model_parts(conn, model_id)? {
        out.push(Availability {
            part_id,
            code,
            name,
            uses,
            main_on_hand: on_hand(conn, part_id, main)?,
            van_on_hand: match van {
                Some(v) => Some(on_hand(conn, part_id, v)?),
                None => None,
            },
        });
    }
    Ok(out)
}

/// Fills in the probable parts of every card: each model's parts read once, each part's
/// stock in every store read once.
fn add_parts(conn: &Db, cards: &mut [&mut Card], engineers: &[Engineer]) -> Result<()> {
    let main = main_store(conn)?;
    let vans: HashMap<EngineerId, Option<StoreId>> =
        engineers.iter().map(|e| (e.id, e.van_store_id)).collect();
    let mut models: HashMap<ModelId, Vec<(PartId, String, String, i64)>> = HashMap::new();
    let mut stock: HashMap<(PartId, StoreId), i64> = HashMap::new();
    let mut balances =
        conn.prepare_cached("SELECT store_id, quantity FROM stock_balance WHERE part_id = ?1")?;
    let mut known: HashMap<(ModelId, Option<StoreId>), Parts> = HashMap::new();
    for card in cards.iter_mut() {
        let Some(model) = card.equipment.as_ref().map(|m| m.model_id) else {
            continue;
        };
        let van = card
            .engineer
            .as_ref()
            .and_then(|e| vans.get(&e.id).copied().flatten());
        if let Some(parts) = known.get(&(model, van)) {
            card.parts = parts.clone();
            continue;
        }
        if let Entry::Vacant(slot) = models.entry(model) {
            let parts = model_parts(conn, model)?;
            for (part_id, ..) in &parts {
                if stock.contains_key(&(*part_id, main)) {
                    continue;
                }
                stock.insert((*part_id, main), 0);
                let rows = balances.query_map([part_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                for row in rows {
                    let (store, quantity): (StoreId, i64) = row?;
                    stock.insert((*part_id, store), quantity);
                }
            }
            slot.insert(parts);
        }
        let on_hand =
            |part: PartId, store: StoreId| stock.get(&(part, store)).copied().unwrap_or(0);
        let parts: Vec<Availability> = models[&model]
            .iter()
            .map(|(part_id, code, name, uses)| Availability {
                part_id: *part_id,
                code: code.clone(),
                name: name.clone(),
                uses: *uses,
                main_on_hand: on_hand(*part_id, main),
                van_on_hand: van.map(|v| on_hand(*part_id, v)),
            })
            .collect();
        let parts = Parts(parts.into());
        known.insert((model, van), parts.clone());
        card.parts = parts;
    }
    Ok(())
}

/// Each engineer's load and today's appointments, from the active column when it holds every
/// active order, else from the database.
fn loads(
    conn: &Db,
    engineers: &[Engineer],
    active: &[Card],
    (from, to): (&str, &str),
) -> Result<Vec<EngineerLoad>> {
    let complete = active.len() < BOARD_LIMIT as usize;
    let mut out = Vec::with_capacity(engineers.len());
    for e in engineers {
        let (n, today) = if complete {
            let mine: Vec<&Card> = active
                .iter()
                .filter(|c| c.engineer.as_ref().is_some_and(|g| g.id == e.id))
                .collect();
            let mut today: Vec<Appointment> = mine
                .iter()
                .filter_map(|c| {
                    let at = c.appointment_from.as_deref()?;
                    (at >= from && at < to).then(|| Appointment {
                        order_id: c.id,
                        number: c.number.clone(),
                        from: at.to_string(),
                        to: c.appointment_to.clone(),
                        customer: c.customer.name.clone(),
                    })
                })
                .collect();
            today.sort_by(|a, b| a.from.cmp(&b.from));
            (mine.len() as i64, today)
        } else {
            let active = OrderStatus::sql_list(OrderStatus::ACTIVE);
            let n: i64 = conn
                .prepare_cached(&format!(
                    "SELECT count(*) FROM work_order WHERE engineer_id = ?1 AND status IN {active}"
                ))?
                .query_row([e.id], |r| r.get(0))?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT o.id, o.number, o.appointment_from, o.appointment_to, c.name
                 FROM work_order o JOIN customer c ON c.id = o.customer_id
                 WHERE o.engineer_id = ?1 AND o.status IN {active}
                   AND o.appointment_from >= ?2 AND o.appointment_from < ?3
                 ORDER BY o.appointment_from"
            ))?;
            let today = stmt
                .query_map(params![e.id, from, to], |r| {
                    Ok(Appointment {
                        order_id: r.get(0)?,
                        number: r.get(1)?,
                        from: r.get(2)?,
                        to: r.get(3)?,
                        customer: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            (n, today)
        };
        out.push(EngineerLoad {
            id: e.id,
            name: e.name.clone(),
            phone: e.phone.clone(),
            phone_display: e.phone_display.clone(),
            region: e.region.clone(),
            van_store_id: e.van_store_id,
            active: n,
            today,
        });
    }
    Ok(out)
}

/// 派工看板.
pub fn board(desk: &mut Desk, _: NoArgs) -> Result<Board> {
    let now = desk.now();
    let conn = desk.conn();
    let engineers = engineers::active(conn)?;
    let mut unassigned = read_cards(
        conn,
        &format!(
            "WHERE o.status = '{}' ORDER BY o.priority = '{}' DESC, o.id LIMIT ?1",
            OrderStatus::Registered,
            Priority::Urgent
        ),
        now,
    )?;
    let mut active = read_cards(
        conn,
        &format!(
            "WHERE o.status IN {} ORDER BY o.id LIMIT ?1",
            OrderStatus::sql_list(OrderStatus::ACTIVE)
        ),
        now,
    )?;
    let warnings = unassigned
        .iter()
        .chain(&active)
        .flat_map(|o| &o.clocks)
        .filter(|c| c.state.alarming())
        .count();
    let mut all: Vec<&mut Card> = unassigned.iter_mut().chain(active.iter_mut()).collect();
    add_parts(conn, &mut all, &engineers)?;
    let (from, to) = crate::platform::time::day_bounds(now);
    let engineers = loads(conn, &engineers, &active, (&stamp(from), &stamp(to)))?;
    Ok(Board {
        unassigned,
        active,
        engineers,
        warnings,
        now: stamp(now).into(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuggestArgs {
    pub id: OrderId,
}

#[derive(Debug, Serialize)]
pub struct Suggestion {
    pub engineer: Engineer,
    /// 2: the van holds every probable part; 1: the main store does; 0: neither (or none
    /// known).
    pub parts: u8,
    /// Whether one of the engineer's regions covers the customer's region or address.
    pub region: bool,
    /// The region as the list shows it: `负责区域含“海淀”`, or why not: `不负责该地区（…）`.
    pub region_note: String,
    pub active: i64,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
    /// Whether some engineer's regions cover the address (false too with no engineer).
    pub covered: bool,
    /// `没有工程师负责该地区（…）` when engineers exist but none covers the address.
    pub notice: Option<String>,
}

/// Whether one of the engineer's regions appears in the customer's region or address.
fn region_match(engineer: &Engineer, place: &str) -> Option<String> {
    engineer
        .region
        .split([' ', ',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .find(|r| place.contains(r))
        .map(str::to_string)
}

/// 推荐工程师: ranked by part availability, then region, then load; each with its reason.
pub fn suggest(desk: &mut Desk, a: SuggestArgs) -> Result<Suggestions> {
    let now = desk.now();
    let conn = desk.conn();
    let order = read(conn, desk.actor(), "WHERE o.id = ?1", [a.id], now)?
        .pop()
        .ok_or_else(|| not_found(a.id))?;
    let region: String = conn
        .prepare_cached("SELECT region FROM customer WHERE id = ?1")?
        .query_row([order.customer.id], |r| r.get(0))?;
    let place = format!("{region} {}", order.address);
    let main = main_store(conn)?;
    let model = order.equipment.as_ref().map(|m| m.model_id);
    let mut items = Vec::new();
    for e in engineers::active(conn)? {
        let needed = probable(conn, model, main, e.van_store_id)?;
        let van_all = !needed.is_empty() && needed.iter().all(|p| p.van_on_hand.unwrap_or(0) > 0);
        let main_all = !needed.is_empty() && needed.iter().all(|p| p.main_on_hand > 0);
        let parts = if van_all {
            2
        } else if main_all {
            1
        } else {
            0
        };
        let active: i64 = conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM work_order WHERE engineer_id = ?1 AND status IN {}",
                OrderStatus::sql_list(OrderStatus::ACTIVE)
            ))?
            .query_row([e.id], |r| r.get(0))?;
        let matched = region_match(&e, &place);
        let mut reasons = Vec::new();
        let names: Vec<String> = needed.iter().map(|p| p.name.clone()).collect();
        reasons.push(match parts {
            2 => format!("车载库有常用备件（{}）", names.join("、")),
            1 => format!("主仓库有常用备件（{}），需领料", names.join("、")),
            _ if needed.is_empty() => "该型号暂无用料记录".to_string(),
            _ => format!("常用备件（{}）库存不全", names.join("、")),
        });
        let region_note = match &matched {
            Some(r) => format!("负责区域含“{r}”"),
            None if e.region.trim().is_empty() => "不负责该地区（未设服务区域）".to_string(),
            None => format!("不负责该地区（服务区域：{}）", e.region.trim()),
        };
        reasons.push(region_note.clone());
        reasons.push(format!("在办 {active} 单"));
        items.push(Suggestion {
            engineer: e,
            parts,
            region: matched.is_some(),
            region_note,
            active,
            reason: reasons.join(" · "),
        });
    }
    items.sort_by(|a, b| {
        b.parts
            .cmp(&a.parts)
            .then(b.region.cmp(&a.region))
            .then(a.active.cmp(&b.active))
            .then(a.engineer.name.cmp(&b.engineer.name))
    });
    let covered = items.iter().any(|s| s.region);
    let area = match region.trim() {
        "" => order.address.trim(),
        r => r,
    };
    let notice = (!covered && !items.is_empty()).then(|| match area {
        "" => "没有工程师负责该地区（客户未填地址）".to_string(),
        a => format!("没有工程师负责该地区（{a}）"),
    });
    Ok(Suggestions {
        items,
        covered,
        notice,
    })
}

#[derive(Debug, Serialize)]
pub struct Receivable {
    pub order_id: OrderId,
    pub number: String,
    pub customer_id: crate::archive::customers::CustomerId,
    pub customer: String,
    pub completed_at: String,
    pub outstanding_fen: i64,
    pub days: i64,
}

#[derive(Debug, Serialize)]
pub struct Receivables {
    pub items: Vec<Receivable>,
    pub total_fen: i64,
    /// Outstanding by age since completion: 0–30, 31–60, 61–90, over 90 days.
    pub aged_fen: [i64; 4],
}

/// 应收款: completed orders not fully paid, oldest first, with their age.
pub fn receivables(desk: &mut Desk, _: NoArgs) -> Result<Receivables> {
    let now = desk.now();
    let mut stmt = desk.conn().prepare_cached(&format!(
        "SELECT o.id, o.number, o.customer_id, c.name, o.completed_at, o.total_fen - o.paid_fen
         FROM work_order o JOIN customer c ON c.id = o.customer_id
         WHERE o.total_fen > o.paid_fen AND o.completed_at IS NOT NULL
           AND o.status IN {}
         ORDER BY o.completed_at",
        OrderStatus::sql_list(OrderStatus::DONE)
    ))?;
    let rows = stmt.query_map([], |r| {
        let completed_at: String = r.get(4)?;
        let days = crate::platform::time::parse(&completed_at)
            .map(|t| (now - t).num_days())
            .unwrap_or(0);
        Ok(Receivable {
            order_id: r.get(0)?,
            number: r.get(1)?,
            customer_id: r.get(2)?,
            customer: r.get(3)?,
            completed_at,
            outstanding_fen: r.get(5)?,
            days,
        })
    })?;
    let items: Vec<Receivable> = rows.collect::<rusqlite::Result<_>>()?;
    let mut aged = [0i64; 4];
    for r in &items {
        let bucket = match r.days {
            ..=30 => 0,
            31..=60 => 1,
            61..=90 => 2,
            _ => 3,
        };
        aged[bucket] += r.outstanding_fen;
    }
    Ok(Receivables {
        total_fen: items.iter().map(|r| r.outstanding_fen).sum(),
        items,
        aged_fen: aged,
    })
}
