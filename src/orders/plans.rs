//! 定期保养 (issue 21): maintenance plans, the orders made ahead of their due dates, the
//! counter readings taken at visits, and where each machine stands.
//!
//! A plan belongs to a model (it applies to every machine of that model) or to one
//! machine; a machine's own plan wins over its model's whatever its state, so a machine
//! is taken out of its model's plan by a plan of its own that is paused or ended. One plan
//! per model and one per machine, held by partial unique indexes.
//!
//! When a machine is due (docs/DECISIONS.md, issue 21, 定期保养):
//! - every N months: N calendar months after the day its last maintenance order was
//!   completed; never maintained on the desk, after the later of its install date (or
//!   purchase date) and the plan's start date. chrono's `checked_add_months` clamps to the
//!   month's end: 2027-01-31 + 1 month = 2027-02-28, 2028-01-31 + 1 = 2028-02-29. Counting
//!   from the last completion each time, a clamped date never drifts (the 31st stays the
//!   31st after a short month).
//! - every N on the counter: at the reading taken with the last completed maintenance
//!   order plus N (no reading with it: the first reading on or after the day counted
//!   from); due on the day of the first reading that reaches it.
//!
//! A due date on a rest day (the working calendar: weekends, the State Council's holidays,
//! 调休) is kept as it is; the appointment suggested moves to the next working day.
//!
//! [`generate`] makes the orders: from `maintenance_days_ahead` days before the due date
//! (a counter plan: once reached), one maintenance order (channel 主动服务, on site) per
//! machine and due, recorded in `maintenance_due` whose UNIQUE (machine, due) makes a
//! second one impossible whichever door's job or which manager runs it. A machine that
//! already has an open maintenance order gets no second one: the due is tied to that order.
//! The background jobs call it once across the doors (src/jobs.rs).

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::{Channel, DueState, OrderKind, OrderStatus, PlanBasis, PlanState};
use super::{CreateArgs, OrderId};
use crate::archive::customers::CustomerId;
use crate::archive::equipment::EquipmentId;
use crate::archive::models::ModelId;
use crate::people::{audit, calendar::Calendar, settings};
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Problems, Result};
use crate::platform::time;
use crate::platform::{dates, text};
use crate::Desk;

crate::ids! {
    /// A maintenance plan's id.
    pub struct PlanId;
}

/// The longest interval in months (five years).
pub const MAX_EVERY_MONTHS: i64 = 60;
/// The largest counter interval.
pub const MAX_EVERY_COUNT: i64 = 100_000_000;
/// The largest counter reading (a counter of eleven digits).
pub const MAX_READING: i64 = 100_000_000_000;
/// A plan's start date lies at most this many years from today.
const START_YEARS: u32 = 5;
const NOTE_MAX: usize = 200;

/// A plan as saved.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    /// The model it is for (every machine of it), or…
    pub model_id: Option<ModelId>,
    /// …the one machine.
    pub equipment_id: Option<EquipmentId>,
    /// 型号 `code name`, or 设备 `serial`: what the plan is for, in words.
    pub target: String,
    pub basis: PlanBasis,
    pub basis_label: &'static str,
    pub every_months: Option<i64>,
    pub every_count: Option<i64>,
    /// `YYYY-MM-DD`: a machine never maintained is counted from this day at the earliest.
    pub starts_on: String,
    pub state: PlanState,
    pub state_label: &'static str,
    pub note: String,
    /// 每6个月 / 每10000计数.
    pub described: String,
    pub updated_at: String,
}

const PLAN_SELECT: &str = "SELECT p.id, p.model_id, p.equipment_id,
        coalesce(m.code || ' ' || m.name, e.serial), p.basis, p.every_months, p.every_count,
        p.starts_on, p.state, p.note, p.updated_at
    FROM maintenance_plan p LEFT JOIN product_model m ON m.id = p.model_id
    LEFT JOIN equipment e ON e.id = p.equipment_id";

fn describe(basis: PlanBasis, months: Option<i64>, count: Option<i64>) -> String {
    match basis {
        PlanBasis::Months => format!("每{}个月", months.unwrap_or(0)),
        PlanBasis::Counter => format!("每{}计数", count.unwrap_or(0)),
    }
}

fn plans(conn: &Db, tail: &str, p: impl crate::platform::db::Args) -> Result<Vec<Plan>> {
    let mut stmt = conn.prepare_cached(&format!("{PLAN_SELECT} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        let basis: PlanBasis = r.get(4)?;
        let state: PlanState = r.get(8)?;
        let every_months: Option<i64> = r.get(5)?;
        let every_count: Option<i64> = r.get(6)?;
        let model_id: Option<ModelId> = r.get(1)?;
        let target: String = r.get(3)?;
        Ok(Plan {
            id: r.get(0)?,
            equipment_id: r.get(2)?,
            target: if model_id.is_some() {
                format!("型号 {target}")
            } else {
                format!("设备 {target}")
            },
            model_id,
            basis_label: basis.label(),
            basis,
            every_months,
            every_count,
            starts_on: r.get(7)?,
            state_label: state.label(),
            state,
            note: r.get(9)?,
            described: describe(basis, every_months, every_count),
            updated_at: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn plan(conn: &Db, id: PlanId) -> Result<Plan> {
    plans(conn, "WHERE p.id = ?1", [id])?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("保养计划不存在（编号 {id}）")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    pub model_id: Option<ModelId>,
    pub equipment_id: Option<EquipmentId>,
}

#[derive(Debug, Serialize)]
pub struct PlanList {
    pub items: Vec<Plan>,
}

/// plans.list: every plan (models first, by code; then machines), or a model's or a
/// machine's own.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<PlanList> {
    let conn = desk.conn();
    let items = match (a.model_id, a.equipment_id) {
        (Some(m), _) => plans(conn, "WHERE p.model_id = ?1", [m])?,
        (None, Some(e)) => plans(conn, "WHERE p.equipment_id = ?1", [e])?,
        (None, None) => plans(
            conn,
            "ORDER BY p.model_id IS NULL, m.code, e.serial, p.id",
            [],
        )?,
    };
    Ok(PlanList { items })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    /// The plan of this model…
    pub model_id: Option<ModelId>,
    /// …or of this machine (one of the two).
    pub equipment_id: Option<EquipmentId>,
    /// months (default) or counter.
    pub basis: String,
    pub every_months: Option<i64>,
    pub every_count: Option<i64>,
    /// `2026-12-01`; empty: today.
    pub starts_on: String,
    /// active (default), paused or ended.
    pub state: String,
    pub note: String,
}

/// plans.save: the plan of a model or a machine, made or changed (one each). Every problem
/// at once, each under its field.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Plan> {
    let today = desk.today();
    let mut p = Problems::new();
    let basis = p
        .keep_opt(PlanBasis::parse_or_first(&a.basis, "basis"))?
        .unwrap_or(PlanBasis::Months);
    let state = p
        .keep_opt(PlanState::parse_or_first(&a.state, "state"))?
        .unwrap_or(PlanState::Active);
    let (mut every_months, mut every_count) = (None, None);
    match basis {
        PlanBasis::Months => match a.every_months {
            Some(n) if (1..=MAX_EVERY_MONTHS).contains(&n) => every_months = Some(n),
            _ => p.note(Error::invalid(
                "every_months",
                format!("保养间隔应在1到{MAX_EVERY_MONTHS}个月之间"),
            ))?,
        },
        PlanBasis::Counter => match a.every_count {
            Some(n) if (1..=MAX_EVERY_COUNT).contains(&n) => every_count = Some(n),
            _ => p.note(Error::invalid(
                "every_count",
                format!("保养间隔读数应在1到{MAX_EVERY_COUNT}之间"),
            ))?,
        },
    }
    let starts_on = p
        .keep(dates::field(
            "starts_on",
            "计划开始日期",
            Some(&a.starts_on),
        ))?
        .unwrap_or(today);
    let (earliest, latest) = (
        today.checked_sub_months(Months::new(START_YEARS * 12)),
        today.checked_add_months(Months::new(START_YEARS * 12)),
    );
    if earliest.is_some_and(|e| starts_on < e) || latest.is_some_and(|l| starts_on > l) {
        p.note(Error::invalid(
            "starts_on",
            format!("计划开始日期应在今天前后{START_YEARS}年之内"),
        ))?;
    }
    let note = p.keep(text::field("note", "备注", &a.note, NOTE_MAX, false))?;
    let target = match (a.model_id, a.equipment_id) {
        (Some(_), Some(_)) | (None, None) => {
            p.note(Error::invalid(
                "model_id",
                "保养计划请选择一个型号，或一台设备",
            ))?;
            None
        }
        (m, e) => Some((m, e)),
    };
    let at = desk.stamp();
    let tx = desk.write()?;
    if let Some((m, e)) = target {
        let exists: Option<String> = match (m, e) {
            (Some(m), _) => tx
                .query_row(
                    "SELECT code || ' ' || name FROM product_model WHERE id = ?1",
                    [m],
                    |r| r.get(0),
                )
                .optional()?,
            (None, Some(e)) => tx
                .query_row("SELECT serial FROM equipment WHERE id = ?1", [e], |r| {
                    r.get(0)
                })
                .optional()?,
            (None, None) => None,
        };
        if exists.is_none() {
            let (field, what) = if m.is_some() {
                ("model_id", "型号不存在")
            } else {
                ("equipment_id", "设备不存在")
            };
            p.note(Error::invalid(field, what))?;
        }
    }
    let (model_id, equipment_id) = p.finish(target)?.unwrap_or((None, None));
    // One statement makes the target's plan or changes it: the partial unique index of
    // the target (a model's, or a machine's own) is the conflict, as on both engines.
    let target = if model_id.is_some() {
        "model_id"
    } else {
        "equipment_id"
    };
    let id: PlanId = tx.query_row(
        &format!(
            "INSERT INTO maintenance_plan (model_id, equipment_id, basis, every_months,
                 every_count, starts_on, state, note, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             ON CONFLICT ({target}) WHERE {target} IS NOT NULL DO UPDATE SET
                 basis = excluded.basis, every_months = excluded.every_months,
                 every_count = excluded.every_count, starts_on = excluded.starts_on,
                 state = excluded.state, note = excluded.note, updated_at = excluded.updated_at
             RETURNING id"
        ),
        params![
            model_id,
            equipment_id,
            basis,
            every_months,
            every_count,
            dates::show(starts_on),
            state,
            note,
            at
        ],
        |r| r.get(0),
    )?;
    let saved = plan(&tx, id)?;
    audit::record(
        &tx,
        &at,
        "plan_saved",
        "maintenance_plan",
        id,
        &format!(
            "{}：{}，自 {} 起，{}",
            saved.target, saved.described, saved.starts_on, saved.state_label
        ),
    )?;
    tx.commit()?;
    Ok(saved)
}

/// A counter reading.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reading {
    pub reading: i64,
    /// `YYYY-MM-DD`.
    pub read_on: String,
    /// The visit's order, when taken at one.
    pub order_number: Option<String>,
    pub user: String,
}

/// A reading as the rules read it: its value, day and visit, and as the card shows it.
struct Taken {
    value: i64,
    day: NaiveDate,
    order: Option<OrderId>,
    shown: Reading,
}

/// The machine's readings, oldest first.
fn readings(conn: &Db, machine: EquipmentId) -> Result<Vec<Taken>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.reading, r.read_on, r.order_id, o.number, r.\"user\" FROM counter_reading r
         LEFT JOIN work_order o ON o.id = r.order_id
         WHERE r.equipment_id = ?1 ORDER BY r.read_on, r.id",
    )?;
    let rows = stmt.query_map([machine], |r| {
        let read_on: String = r.get(1)?;
        Ok((
            r.get::<_, Option<OrderId>>(2)?,
            Reading {
                reading: r.get(0)?,
                read_on,
                order_number: r.get(3)?,
                user: r.get(4)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (order, shown) = row?;
        if let Some(day) = dates::parse(&shown.read_on) {
            out.push(Taken {
                value: shown.reading,
                day,
                order,
                shown,
            });
        }
    }
    Ok(out)
}

/// The order a due is tied to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DueOrder {
    pub id: OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub status_label: &'static str,
}

/// Where one machine stands against its plan today.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Next {
    pub equipment_id: EquipmentId,
    pub customer_id: CustomerId,
    pub customer: String,
    pub model: String,
    pub serial: String,
    /// The plan that applies: the machine's own, else its model's.
    pub plan: Plan,
    pub from_model: bool,
    /// What the due is counted from, in words: 上次保养完工 2026-03-31 / 安装日期 … /
    /// 计划开始 …
    pub counted_from: String,
    /// The due date (`YYYY-MM-DD`); a counter plan's: the day the reading reached it.
    pub due_on: Option<String>,
    /// A counter plan's due reading.
    pub due_count: Option<i64>,
    /// The latest reading.
    pub last_reading: Option<Reading>,
    /// The appointment suggested: the due date, or the first working day after it when it
    /// falls on a rest day; not before today.
    pub suggested_on: Option<String>,
    pub state: DueState,
    pub state_label: &'static str,
    /// The order made (or found open) for this due.
    pub order: Option<DueOrder>,
    /// The key of this due in `maintenance_due`: `date:2027-02-28` or `count:12000`.
    #[serde(skip)]
    key: Option<String>,
}

/// A machine with a plan, as read before its due is worked out.
struct Planned {
    equipment_id: EquipmentId,
    customer_id: CustomerId,
    customer: String,
    model: String,
    serial: String,
    installed: Option<NaiveDate>,
    plan: Plan,
    from_model: bool,
}

/// Every machine a plan applies to (or the one asked for), its own plan first.
fn planned(conn: &Db, machine: Option<EquipmentId>) -> Result<Vec<Planned>> {
    let by_id: HashMap<PlanId, Plan> = plans(conn, "", [])?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.customer_id, c.name, m.code || ' ' || m.name, e.serial,
                coalesce(e.install_date, e.purchase_date), pe.id, pm.id
         FROM equipment e JOIN customer c ON c.id = e.customer_id
         JOIN product_model m ON m.id = e.model_id
         LEFT JOIN maintenance_plan pe ON pe.equipment_id = e.id
         LEFT JOIN maintenance_plan pm ON pm.model_id = e.model_id
         WHERE (pe.id IS NOT NULL OR pm.id IS NOT NULL) AND e.id = coalesce(?1, e.id)
         ORDER BY e.id",
    )?;
    let rows = stmt.query_map([machine], |r| {
        Ok((
            r.get::<_, EquipmentId>(0)?,
            r.get::<_, CustomerId>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<PlanId>>(6)?,
            r.get::<_, Option<PlanId>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (equipment_id, customer_id, customer, model, serial, installed, own, of_model) = row?;
        let Some(plan) = own.or(of_model).and_then(|id| by_id.get(&id)).cloned() else {
            continue;
        };
        out.push(Planned {
            equipment_id,
            customer_id,
            customer,
            model,
            serial,
            installed: installed.as_deref().and_then(dates::parse),
            plan,
            from_model: own.is_none(),
        });
    }
    Ok(out)
}

/// The last completed maintenance order of every machine: (order, local completion day).
fn last_maintenance(conn: &Db) -> Result<HashMap<EquipmentId, (OrderId, NaiveDate)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT equipment_id, id, completed_at FROM work_order
         WHERE kind = ?1 AND equipment_id IS NOT NULL AND completed_at IS NOT NULL
           AND status IN {}
         ORDER BY completed_at, id",
        OrderStatus::sql_list(OrderStatus::DONE)
    ))?;
    let rows = stmt.query_map([OrderKind::Maintenance], |r| {
        Ok((
            r.get::<_, EquipmentId>(0)?,
            r.get::<_, OrderId>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (machine, order, at) = row?;
        if let Some(t) = time::parse(&at) {
            out.insert(
                machine,
                (order, t.with_timezone(&time::zone()).date_naive()),
            );
        }
    }
    Ok(out)
}

/// `day` plus `months` calendar months, clamped to the month's end.
pub fn add_months(day: NaiveDate, months: i64) -> Option<NaiveDate> {
    day.checked_add_months(Months::new(u32::try_from(months).ok()?))
}

/// The first working day on or after `day` (a year at most: a calendar with no working
/// day at all gives `day` back).
pub fn working_day_from(cal: &Calendar, day: NaiveDate) -> NaiveDate {
    let mut d = day;
    for _ in 0..366 {
        if cal.is_working_day(d) {
            return d;
        }
        d = d + Days::new(1);
    }
    day
}

/// Works out where machine `m` stands on `today`.
fn next_of(
    conn: &Db,
    cal: &Calendar,
    m: Planned,
    last: Option<(OrderId, NaiveDate)>,
    (today, days_ahead): (NaiveDate, u32),
) -> Result<Next> {
    let plan_start = dates::parse(&m.plan.starts_on).unwrap_or(today);
    let (from_day, counted_from) = match (last, m.installed) {
        (Some((_, done)), _) => (done, format!("上次保养完工 {}", dates::show(done))),
        (None, Some(installed)) if installed > plan_start => {
            (installed, format!("安装日期 {}", dates::show(installed)))
        }
        (None, _) => (plan_start, format!("计划开始 {}", dates::show(plan_start))),
    };
    let all = if m.plan.basis == PlanBasis::Counter {
        readings(conn, m.equipment_id)?
    } else {
        Vec::new()
    };
    let last_reading = all.last().map(|r| r.shown.clone());
    let (mut due_on, mut due_count, mut key, mut state) = (None, None, None, DueState::Upcoming);
    match m.plan.basis {
        PlanBasis::Months => {
            if let Some(due) = m.plan.every_months.and_then(|n| add_months(from_day, n)) {
                state = if today > due {
                    DueState::Overdue
                } else if today + Days::new(u64::from(days_ahead)) >= due {
                    DueState::Soon
                } else {
                    DueState::Upcoming
                };
                key = Some(format!("date:{}", dates::show(due)));
                due_on = Some(due);
            }
        }
        PlanBasis::Counter => {
            let base = last
                .and_then(|(order, _)| {
                    all.iter()
                        .filter(|r| r.order == Some(order))
                        .map(|r| r.value)
                        .max()
                })
                .or_else(|| all.iter().find(|r| r.day >= from_day).map(|r| r.value));
            match (base, m.plan.every_count) {
                (Some(base), Some(n)) => {
                    let target = base + n;
                    due_count = Some(target);
                    key = Some(format!("count:{target}"));
                    if let Some(reached) =
                        all.iter().find(|r| r.day >= from_day && r.value >= target)
                    {
                        due_on = Some(reached.day);
                        state = DueState::Overdue;
                    }
                }
                _ => state = DueState::NoReading,
            }
        }
    }
    if m.plan.state != PlanState::Active {
        state = DueState::Stopped;
    }
    let order = match &key {
        Some(k) => conn
            .prepare_cached(
                "SELECT o.id, o.number, o.status FROM maintenance_due d
                 JOIN work_order o ON o.id = d.order_id
                 WHERE d.equipment_id = ?1 AND d.due_key = ?2",
            )?
            .query_row(params![m.equipment_id, k], |r| {
                let status: OrderStatus = r.get(2)?;
                Ok(DueOrder {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    status_label: status.label(),
                    status,
                })
            })
            .optional()?,
        None => None,
    };
    let suggested_on = due_on.map(|d| dates::show(working_day_from(cal, d.max(today))));
    Ok(Next {
        equipment_id: m.equipment_id,
        customer_id: m.customer_id,
        customer: m.customer,
        model: m.model,
        serial: m.serial,
        plan: m.plan,
        from_model: m.from_model,
        counted_from,
        due_on: due_on.map(dates::show),
        due_count,
        last_reading,
        suggested_on,
        state_label: state.label(),
        state,
        order,
        key,
    })
}

/// Where every planned machine (or the one asked for) stands on `today`.
fn standing(conn: &Db, today: NaiveDate, machine: Option<EquipmentId>) -> Result<Vec<Next>> {
    let cal = Calendar::load(conn)?;
    let days_ahead = settings::load(conn)?.maintenance_days_ahead;
    let last = last_maintenance(conn)?;
    planned(conn, machine)?
        .into_iter()
        .map(|m| {
            let l = last.get(&m.equipment_id).copied();
            next_of(conn, &cal, m, l, (today, days_ahead))
        })
        .collect()
}

/// One maintenance order of a machine, for its file's history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Visit {
    pub order_id: OrderId,
    pub number: String,
    pub created_at: String,
    pub status: OrderStatus,
    pub status_label: &'static str,
    pub completed_at: Option<String>,
    /// The plan's due date the order was made for (empty: made by hand).
    pub due_on: String,
    /// Made by the plan (channel 主动服务 with a due), or by hand.
    pub from_plan: bool,
    pub work_done: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MachineArgs {
    pub equipment_id: EquipmentId,
}

/// The machine file's 定期保养 card.
#[derive(Debug, Serialize)]
pub struct MachinePlan {
    /// Where the machine stands; None: no plan applies to it.
    pub next: Option<Next>,
    /// The machine's own plan (None: it follows its model's, if any).
    pub own: Option<Plan>,
    /// Its maintenance orders, the newest first.
    pub visits: Vec<Visit>,
    /// Its counter readings, the newest first.
    pub readings: Vec<Reading>,
}

/// plans.machine: the machine's plan, where it stands, its maintenance history, readings.
pub fn machine(desk: &mut Desk, a: MachineArgs) -> Result<MachinePlan> {
    let today = desk.today();
    let conn = desk.conn();
    let exists: Option<i64> = conn
        .query_row(
            "SELECT id FROM equipment WHERE id = ?1",
            [a.equipment_id],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Err(Error::NotFound(format!(
            "设备不存在（编号 {}）",
            a.equipment_id
        )));
    }
    let next = standing(conn, today, Some(a.equipment_id))?.pop();
    let own = plans(conn, "WHERE p.equipment_id = ?1", [a.equipment_id])?.pop();
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.number, o.created_at, o.status, o.completed_at, d.due_on, o.work_done
         FROM work_order o LEFT JOIN maintenance_due d ON d.order_id = o.id AND d.equipment_id = o.equipment_id
         WHERE o.equipment_id = ?1 AND o.kind = ?2 ORDER BY o.created_at DESC, o.id DESC",
    )?;
    let visits = stmt
        .query_map(params![a.equipment_id, OrderKind::Maintenance], |r| {
            let status: OrderStatus = r.get(3)?;
            let due: Option<String> = r.get(5)?;
            Ok(Visit {
                order_id: r.get(0)?,
                number: r.get(1)?,
                created_at: r.get(2)?,
                status_label: status.label(),
                status,
                completed_at: r.get(4)?,
                from_plan: due.is_some(),
                due_on: due.unwrap_or_default(),
                work_done: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut readings: Vec<Reading> = readings(conn, a.equipment_id)?
        .into_iter()
        .map(|r| r.shown)
        .collect();
    readings.reverse();
    Ok(MachinePlan {
        next,
        own,
        visits,
        readings,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReadingArgs {
    pub equipment_id: EquipmentId,
    pub reading: Option<i64>,
    /// `2026-12-01`; empty: today.
    pub read_on: String,
    /// The visit it was taken at (an order of this machine), if any.
    pub order_id: Option<OrderId>,
}

/// plans.reading: a counter reading of a machine, taken at a visit or told on the phone.
/// A counter only goes up: a reading below an earlier one is refused.
pub fn reading(desk: &mut Desk, a: ReadingArgs) -> Result<MachinePlan> {
    let today = desk.today();
    let mut p = Problems::new();
    let value = match a.reading {
        Some(n) if (0..=MAX_READING).contains(&n) => n,
        _ => {
            p.note(Error::invalid(
                "reading",
                format!("读数应是0到{MAX_READING}之间的整数"),
            ))?;
            0
        }
    };
    let read_on = p
        .keep(dates::field("read_on", "读数日期", Some(&a.read_on)))?
        .unwrap_or(today);
    if read_on > today {
        p.note(Error::invalid("read_on", "读数日期不能晚于今天"))?;
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    let serial: Option<String> = tx
        .query_row(
            "SELECT serial FROM equipment WHERE id = ?1",
            [a.equipment_id],
            |r| r.get(0),
        )
        .optional()?;
    if serial.is_none() {
        p.note(Error::invalid("equipment_id", "设备不存在"))?;
    }
    if let Some(order) = a.order_id {
        let of: Option<Option<EquipmentId>> = tx
            .query_row(
                "SELECT equipment_id FROM work_order WHERE id = ?1",
                [order],
                |r| r.get(0),
            )
            .optional()?;
        if of != Some(Some(a.equipment_id)) {
            p.note(Error::invalid("order_id", "这张工单不是这台设备的"))?;
        }
    }
    if !p.has("reading") && !p.has("read_on") {
        let before: Option<(i64, String)> = tx
            .query_row(
                "SELECT reading, read_on FROM counter_reading
                 WHERE equipment_id = ?1 AND read_on <= ?2 ORDER BY reading DESC LIMIT 1",
                params![a.equipment_id, dates::show(read_on)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let after: Option<(i64, String)> = tx
            .query_row(
                "SELECT reading, read_on FROM counter_reading
                 WHERE equipment_id = ?1 AND read_on > ?2 ORDER BY reading LIMIT 1",
                params![a.equipment_id, dates::show(read_on)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((n, day)) = before.filter(|(n, _)| value < *n) {
            p.note(Error::invalid(
                "reading",
                format!("读数不能小于此前的读数 {n}（{day}）"),
            ))?;
        } else if let Some((n, day)) = after.filter(|(n, _)| value > *n) {
            p.note(Error::invalid(
                "reading",
                format!("读数不能大于此后的读数 {n}（{day}）"),
            ))?;
        }
    }
    p.finish(())?;
    tx.execute(
        "INSERT INTO counter_reading (equipment_id, order_id, reading, read_on, at, \"user\")
         VALUES (?1, ?2, ?3, ?4, ?5, desk_user())",
        params![a.equipment_id, a.order_id, value, dates::show(read_on), at],
    )?;
    audit::record(
        &tx,
        &at,
        "counter_read",
        "equipment",
        a.equipment_id,
        &format!(
            "设备 {} 读数 {value}（{}）",
            serial.unwrap_or_default(),
            dates::show(read_on)
        ),
    )?;
    tx.commit()?;
    machine(
        desk,
        MachineArgs {
            equipment_id: a.equipment_id,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// What one [`generate`] did.
#[derive(Debug, Default, Serialize)]
pub struct Run {
    /// The numbers of the orders made.
    pub made: Vec<String>,
    /// Dues tied to a maintenance order already open for the machine.
    pub tied: Vec<String>,
    /// Machines whose order could not be made, and why.
    pub refused: Vec<String>,
}

/// plans.run: makes now the maintenance orders that are due (what the jobs do once an
/// hour).
pub fn run(desk: &mut Desk, _: NoArgs) -> Result<Run> {
    generate(desk)
}

/// Makes the maintenance orders of every active plan's machine that is due, within
/// `maintenance_days_ahead` days, and not made before; in one write transaction, so two
/// runs at once queue on it (SQLite) or one fails and is not retried here (PostgreSQL's
/// serializable transactions; UNIQUE (machine, due) holds either way).
pub fn generate(desk: &mut Desk) -> Result<Run> {
    let (now, today, at) = (desk.now(), desk.today(), desk.stamp());
    let tx = desk.write()?;
    let cal = Calendar::load(&tx)?;
    let s = settings::load(&tx)?;
    let mut out = Run::default();
    for next in standing(&tx, today, None)? {
        let (Some(key), Some(due_on), Some(suggested)) = (
            next.key.as_ref(),
            next.due_on.as_ref(),
            next.suggested_on.as_ref(),
        ) else {
            continue;
        };
        if !matches!(next.state, DueState::Soon | DueState::Overdue) || next.order.is_some() {
            continue;
        }
        let done: Option<i64> = tx
            .query_row(
                "SELECT id FROM maintenance_due WHERE equipment_id = ?1 AND due_key = ?2",
                params![next.equipment_id, key],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_some() {
            continue;
        }
        let open: Option<(OrderId, String)> = tx
            .query_row(
                &format!(
                    "SELECT id, number FROM work_order WHERE equipment_id = ?1 AND kind = ?2
                       AND status IN {} ORDER BY id LIMIT 1",
                    OrderStatus::sql_list(OrderStatus::OPEN)
                ),
                params![next.equipment_id, OrderKind::Maintenance],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let order = match open {
            Some((id, number)) => {
                out.tied.push(number);
                id
            }
            None => match make_order(&tx, &cal, &s, &next, (now, today), (due_on, suggested))? {
                Ok((id, number)) => {
                    out.made.push(number);
                    id
                }
                Err(why) => {
                    out.refused
                        .push(format!("{} {}：{why}", next.model, next.serial));
                    continue;
                }
            },
        };
        tx.execute(
            "INSERT INTO maintenance_due (plan_id, equipment_id, due_key, due_on, order_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![next.plan.id, next.equipment_id, key, due_on, order, at],
        )?;
    }
    tx.commit()?;
    Ok(out)
}

/// Registers the maintenance order of `next` through the intake's own checks, in `tx`:
/// on site at the customer's address, the appointment on the suggested working day in
/// working hours. Its clocks run from that appointment, as if the request came then: the
/// desk made it early on purpose, and the confirmation call is not owed (nobody called).
/// `Ok(Err(why))`: the intake refused it (a customer merged away, no address…).
fn make_order(
    tx: &Db,
    cal: &Calendar,
    s: &settings::Settings,
    next: &Next,
    (now, today): (chrono::DateTime<chrono::Utc>, NaiveDate),
    (due_on, suggested): (&str, &str),
) -> Result<std::result::Result<(OrderId, String), String>> {
    let customer = match super::caller_of(tx, next.customer_id) {
        Ok(c) => c,
        Err(Error::Invalid { message, .. }) => return Ok(Err(message)),
        Err(e) => return Err(e),
    };
    let due_words = match next.due_count {
        Some(count) => format!("读数到 {count}"),
        None => format!("到期 {due_on}"),
    };
    let args = CreateArgs {
        customer_id: next.customer_id,
        equipment_id: Some(next.equipment_id),
        kind: OrderKind::Maintenance.as_str().into(),
        channel: Channel::Proactive.as_str().into(),
        mode: super::Mode::OnSite.as_str().into(),
        fault: format!("定期保养（{}，{due_words}）", next.plan.described),
        appointment_from: format!("{suggested} {}", s.work_start.format("%H:%M")),
        appointment_to: format!("{suggested} {}", s.work_end.format("%H:%M")),
        confirmed: true,
        ..CreateArgs::default()
    };
    let mut p = Problems::new();
    let intake = super::check_order(tx, (now, today), Some(&customer), "", args, &mut p)?;
    let mut intake = match p.finish(intake) {
        Ok(i) => i,
        Err(e) => {
            let why = e
                .fields()
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join("；");
            return Ok(Err(if why.is_empty() { e.to_string() } else { why }));
        }
    };
    if let Some(start) = intake.from {
        intake.due = super::clocks::due(cal, start);
    }
    // The fault line is the desk's own words, not a fault a caller reported: the model's
    // list of common faults offered at intake does not learn it.
    intake.free.clear();
    let id = super::insert(tx, &intake)?;
    let number: String =
        tx.query_row("SELECT number FROM work_order WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    Ok(Ok((id, number)))
}

/// 本周到期保养 on the day board: the machines of active plans due by the end of this week
/// (Sunday), those already due and not yet maintained among them, the earliest first.
pub fn this_week(conn: &Db, today: NaiveDate) -> Result<Vec<Next>> {
    let sunday = today + Days::new(u64::from(6 - today.weekday().num_days_from_monday()));
    let mut items: Vec<Next> = standing(conn, today, None)?
        .into_iter()
        .filter(|n| n.state != DueState::Stopped)
        .filter(|n| {
            n.due_on
                .as_deref()
                .and_then(dates::parse)
                .is_some_and(|d| d <= sunday)
        })
        .collect();
    items.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.serial.cmp(&b.serial)));
    Ok(items)
}
