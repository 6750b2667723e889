//! Clocks that pause (issue 21, 待料 / 待客户): while an order waits for parts or for the
//! customer (not answering, not home, a quote not yet approved), its reply and slip clocks
//! stand still.
//!
//! The model: a pause is a row of `order_pause` with its reason, note, who and when it
//! began and ended, and the working time it covered. At most one pause of an order is open
//! (a partial unique index says so in the database, not only here). A pause is a change of
//! the order: it moves the order's `version` on, and its start and end are on the order's
//! timeline.
//!
//! The rules, enforced here whatever door the request came through:
//! - only an open order (registered, dispatched, in progress, waiting for parts) may be
//!   paused; a paused order may not be paused again; only a paused order is resumed;
//! - the pause ends by 恢复 ([`unpause`]) or by the order's next move: any status change,
//!   dispatch, completion, the confirmation call (flow.rs calls [`end`] in the same
//!   transaction);
//! - moving the order to 待料 (waiting for parts) pauses it with the reason `parts`: the
//!   status already says the order waits, the clocks should not run against the desk;
//! - when a pause ends, the due times of the reply and slip clocks that are still running
//!   move on by the working time the pause covered, on the desk's one working calendar
//!   (nights, weekends and holidays covered count nothing); a clock already broken when
//!   the pause began stays broken by the same amount. Kept and missed are then read from
//!   the stored times as before, so every report and board that reads them is right.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::{EventKind, OrderStatus, PauseReason};
use super::{event, load, not_found, Order, OrderId};
use crate::people::calendar::Calendar;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::platform::time::{self, stamp};
use crate::Desk;

/// The order's open pause, as every read of an order shows it (`order.pause`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Current {
    pub reason: PauseReason,
    pub reason_label: &'static str,
    pub note: String,
    /// When it began (UTC stamp).
    pub since: String,
    pub by: String,
}

/// The order's open pause from the columns `p.reason, p.note, p.started_at, p.started_by`
/// starting at column `i`, `p` being `LEFT JOIN order_pause p ON p.order_id = o.id AND
/// p.ended_at IS NULL` (at most one row: the partial unique index). None: not paused.
pub(crate) fn current_at(
    r: &crate::platform::db::Row<'_, '_>,
    i: usize,
) -> rusqlite::Result<Option<Current>> {
    let Some(reason) = r.get::<_, Option<PauseReason>>(i)? else {
        return Ok(None);
    };
    Ok(Some(Current {
        reason,
        reason_label: reason.label(),
        note: r.get(i + 1)?,
        since: r.get(i + 2)?,
        by: r.get(i + 3)?,
    }))
}

/// One pause of the order's history (`orders.get`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pause {
    pub reason: PauseReason,
    pub reason_label: &'static str,
    pub note: String,
    pub started_at: String,
    pub started_by: String,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    /// Working minutes it covered (an open one: up to now).
    pub working_minutes: i64,
}

/// The order's pauses, oldest first, and their working minutes in all (an open one up
/// to `now`).
pub(crate) fn history(
    conn: &Db,
    cal: &Calendar,
    id: OrderId,
    now: DateTime<Utc>,
) -> Result<(Vec<Pause>, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT reason, note, started_at, started_by, ended_at, ended_by, working_seconds
         FROM order_pause WHERE order_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let reason: PauseReason = r.get(0)?;
        let started_at: String = r.get(2)?;
        let seconds: Option<i64> = r.get(6)?;
        Ok(Pause {
            reason,
            reason_label: reason.label(),
            note: r.get(1)?,
            working_minutes: seconds
                .unwrap_or_else(|| working(cal, &started_at, now).num_seconds())
                .div_euclid(60),
            started_at,
            started_by: r.get(3)?,
            ended_at: r.get(4)?,
            ended_by: r.get(5)?,
        })
    })?;
    let list: Vec<Pause> = rows.collect::<rusqlite::Result<_>>()?;
    let total = list.iter().map(|p| p.working_minutes).sum();
    Ok((list, total))
}

/// The working time from the stamp `since` to `now`.
pub(crate) fn working(cal: &Calendar, since: &str, now: DateTime<Utc>) -> Duration {
    cal.working_between(time::parse(since).unwrap_or(now), now)
}

/// Working time as the timeline says it: "3小时20分", "45分钟", "不到1分钟".
pub fn working_text(d: Duration) -> String {
    let m = d.num_minutes();
    match (m / 60, m % 60) {
        (0, 0) => "不到1分钟".into(),
        (0, m) => format!("{m}分钟"),
        (h, 0) => format!("{h}小时"),
        (h, m) => format!("{h}小时{m}分"),
    }
}

/// The open pause of order `id`: its row id, reason and start.
fn open(tx: &Db, id: OrderId) -> Result<Option<(i64, PauseReason, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, reason, started_at FROM order_pause
             WHERE order_id = ?1 AND ended_at IS NULL",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// `due` as it will stand once the order's open pause (if any) ends at `now`: what a
/// command that reads a due time before it ends the pause must compare with.
pub(crate) fn due_after(
    tx: &Db,
    cal: &Calendar,
    id: OrderId,
    due: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    Ok(match (open(tx, id)?, time::parse(due)) {
        (Some((_, _, since)), Some(d)) => {
            stamp(cal.add_working(d, working(cal, &since, now))).into()
        }
        _ => due.to_string(),
    })
}

/// Starts a pause of order `id` at `at` (the caller has checked the order may pause).
fn start(tx: &Db, id: OrderId, reason: PauseReason, note: &str, at: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_pause (order_id, reason, note, started_at, started_by)
         VALUES (?1, ?2, ?3, ?4, desk_user())",
    )?
    .execute(params![id, reason, note, at])?;
    // A pause is a change of the order: its version moves on (the trigger of issue 19).
    tx.prepare_cached("UPDATE work_order SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, at])?;
    let detail = if note.is_empty() {
        reason.label().to_string()
    } else {
        format!("{}：{note}", reason.label())
    };
    event(tx, id, at, EventKind::Paused, (None, None), &detail)
}

/// Starts a pause of order `id` for `reason` unless one is open already (its clocks then
/// already stand still): a quote waiting for the customer's answer (quotes.rs). The order
/// must be open (the caller checked).
pub(crate) fn start_if_running(
    tx: &Db,
    id: OrderId,
    reason: PauseReason,
    note: &str,
    at: &str,
) -> Result<bool> {
    if open(tx, id)?.is_some() {
        return Ok(false);
    }
    start(tx, id, reason, note, at)?;
    Ok(true)
}

/// Ends the open pause of order `id` if it is for `reason` (see [`end`]); a pause for
/// another reason stays.
pub(crate) fn end_if(
    tx: &Db,
    cal: &Calendar,
    id: OrderId,
    reason: PauseReason,
    now: DateTime<Utc>,
    why: &str,
) -> Result<Option<Duration>> {
    match open(tx, id)? {
        Some((_, r, _)) if r == reason => end(tx, cal, id, now, why),
        _ => Ok(None),
    }
}

/// Ends the open pause of order `id` at `now`, if there is one: records the working time
/// it covered and moves the running reply and slip clocks' due times on by it; the
/// timeline says so (`why`: what ended it, "" for 恢复 itself). Returns the working time,
/// None when the order was not paused.
pub(crate) fn end(
    tx: &Db,
    cal: &Calendar,
    id: OrderId,
    now: DateTime<Utc>,
    why: &str,
) -> Result<Option<Duration>> {
    let Some((pause_id, reason, since)) = open(tx, id)? else {
        return Ok(None);
    };
    let covered = working(cal, &since, now);
    let at = stamp(now);
    tx.prepare_cached(
        "UPDATE order_pause SET ended_at = ?2, ended_by = desk_user(), working_seconds = ?3
         WHERE id = ?1",
    )?
    .execute(params![pause_id, at, covered.num_seconds()])?;
    let (reply_due, reply_at, slip_due, slip_at): (String, Option<String>, String, Option<String>) =
        tx.prepare_cached(
            "SELECT reply_due, reply_at, slip_due, slip_at FROM work_order WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let moved = |due: String, done: Option<String>| -> String {
        match (done, time::parse(&due)) {
            (None, Some(d)) => stamp(cal.add_working(d, covered)).into(),
            _ => due,
        }
    };
    tx.prepare_cached(
        "UPDATE work_order SET reply_due = ?2, slip_due = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id,
        moved(reply_due, reply_at),
        moved(slip_due, slip_at),
        at
    ])?;
    let mut detail = format!("{}，暂停工作时间 {}", reason.label(), working_text(covered));
    if !why.is_empty() {
        detail.push_str(&format!("（{why}）"));
    }
    event(tx, id, &at, EventKind::Resumed, (None, None), &detail)?;
    Ok(Some(covered))
}

/// What moving to `to` does to the pause: the move ends an open one, and a move to 待料
/// starts one for the parts (`note`: the move's reason). Called by `orders.move` after its
/// checks, in its transaction.
pub(crate) fn on_move(
    tx: &Db,
    cal: &Calendar,
    id: OrderId,
    to: OrderStatus,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    end(tx, cal, id, now, &format!("状态改为{}", to.label()))?;
    if to == OrderStatus::WaitingParts {
        start(tx, id, PauseReason::Parts, note, &stamp(now))?;
    }
    Ok(())
}

/// The order's row as a pause needs it.
fn row(tx: &Db, id: OrderId) -> Result<(String, OrderStatus, i64)> {
    tx.prepare_cached("SELECT number, status, version FROM work_order WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| not_found(id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PauseArgs {
    pub id: OrderId,
    /// parts, customer_unreachable, customer_away, quote_pending.
    pub reason: String,
    pub note: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 暂停计时: the order waits for parts or the customer; its reply and slip clocks stop.
pub fn pause(desk: &mut Desk, a: PauseArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    if a.reason.trim().is_empty() {
        return Err(Error::invalid(
            "reason",
            "请选择暂停原因：待料，或待客户（联系不上、不在家、报价待确认）",
        ));
    }
    let reason = PauseReason::parse(a.reason.trim(), "reason")?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let tx = desk.write()?;
    let (number, status, version) = row(&tx, a.id)?;
    if !status.is_open() {
        return Err(Error::invalid(
            "status",
            format!(
                "工单 {number} 当前为“{}”，不能暂停计时（只有未完工的工单可以暂停）",
                status.label()
            ),
        ));
    }
    if let Some((_, was, since)) = open(&tx, a.id)? {
        return Err(Error::invalid(
            "pause",
            format!(
                "工单 {number} 已在暂停（{}，自 {} 起），请先恢复再重新暂停",
                was.label(),
                time::local_text(&since)
            ),
        ));
    }
    super::check_version(&number, a.version, version)?;
    start(&tx, a.id, reason, &note, &at)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnpauseArgs {
    pub id: OrderId,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 恢复计时: the parts came or the customer answered; the clocks run again from where they
/// stood, their due times moved on by the working time paused.
pub fn unpause(desk: &mut Desk, a: UnpauseArgs) -> Result<Order> {
    let now = desk.now();
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let (number, _, version) = row(&tx, a.id)?;
    if open(&tx, a.id)?.is_none() {
        return Err(Error::invalid(
            "pause",
            format!("工单 {number} 没有暂停计时，不需要恢复"),
        ));
    }
    super::check_version(&number, a.version, version)?;
    end(&tx, &cal, a.id, now, "")?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}
