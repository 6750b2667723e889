//! The order's side of status messages (issue 20, 通知): when an order reaches a status
//! that may tell the customer, one message per channel switched on for that status is put
//! in the outbox (`notify_outbox`), in the status change's own transaction, with the
//! order's facts as they are at that moment (customer, number, engineer, appointment,
//! amount due). A change that rolls back leaves no message; a message is sent only by the
//! jobs, after the change committed (`notify::outbox`, which renders the template, checks
//! the customer's opt-out and talks to the provider). The messages' area stands above this
//! one, so this file writes the outbox by its table alone.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::{Notice, OrderStatus};
use super::{not_found, OrderId, OrderKind};
use crate::platform::db::{Db, Optional};
use crate::platform::error::Result;
use crate::platform::time;

/// What may send a message: the status changes of issue 20 in flow order, then the
/// maintenance reminder (issue 21, 定期保养).
pub const TRIGGERS: &[Notice] = Notice::ALL;

/// An order's facts a message may name, as they were when its status changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    pub order_id: i64,
    pub customer_id: i64,
    /// 客户: the customer's name.
    pub customer: String,
    /// 工单号.
    pub number: String,
    /// 工程师: the engineer's name, "" before dispatch.
    pub engineer: String,
    /// 预约时间, local (`2026-11-23 14:00`), "" when none.
    pub appointment: String,
    /// 金额: what is still due, in fen.
    pub due_fen: i64,
    /// The order's phone to call back (where an SMS goes).
    pub phone: String,
    /// 查询链接: the order's status page, the public address (`public_url`) and its
    /// path; "" while the desk has no public address or the code was revoked.
    pub link: String,
}

/// The facts of order `id` now, read in the caller's transaction.
pub fn facts(tx: &Db, id: OrderId) -> Result<Facts> {
    tx.prepare_cached(
        "SELECT o.id, o.customer_id, c.name, o.number, coalesce(e.name, ''),
                coalesce(o.appointment_from, ''), o.total_fen - o.paid_fen, o.phone
         FROM work_order o JOIN customer c ON c.id = o.customer_id
         LEFT JOIN engineer e ON e.id = o.engineer_id
         WHERE o.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Facts {
            order_id: r.get(0)?,
            customer_id: r.get(1)?,
            customer: r.get(2)?,
            number: r.get(3)?,
            engineer: r.get(4)?,
            appointment: time::local_text(&r.get::<_, String>(5)?),
            due_fen: r.get(6)?,
            phone: r.get(7)?,
            link: String::new(),
        })
    })
    .optional()?
    .ok_or_else(|| not_found(id))
    .and_then(|mut facts| {
        facts.link = super::status_url(tx, id)?.unwrap_or_default();
        Ok(facts)
    })
}

/// Puts the messages of order `id` reaching `status` in the outbox (nothing when the
/// status sends none or no channel is switched on for it), in the caller's transaction.
/// A maintenance order registered by the desk itself (channel 主动服务: a plan's order, or
/// one the clerk scheduled) sends the maintenance reminder instead of 已登记: nobody
/// reported a fault.
pub(crate) fn queue(tx: &Db, id: OrderId, status: OrderStatus, at: &str) -> Result<()> {
    let Some(mut notice) = Notice::of_status(status) else {
        return Ok(());
    };
    if notice == Notice::Registered {
        let (kind, channel): (OrderKind, super::Channel) = tx
            .prepare_cached("SELECT kind, channel FROM work_order WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if kind == OrderKind::Maintenance && channel == super::Channel::Proactive {
            notice = Notice::MaintenanceDue;
        }
    }
    send(tx, id, notice, at)
}

/// Puts the messages `notice` sends about order `id` in the outbox, one per channel
/// switched on for it, in the caller's transaction.
fn send(tx: &Db, id: OrderId, status: Notice, at: &str) -> Result<()> {
    let channels: Vec<String> = tx
        .prepare_cached(
            "SELECT channel FROM notify_template WHERE status = ?1 AND enabled = 1 ORDER BY channel",
        )?
        .query_map([status], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if channels.is_empty() {
        return Ok(());
    }
    let facts =
        serde_json::to_string(&facts(tx, id)?).map_err(|e| crate::Error::Storage(e.to_string()))?;
    for channel in channels {
        tx.prepare_cached(
            "INSERT INTO notify_outbox (order_id, status, channel, facts, created_at, state, attempts, next_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?5)",
        )?
        .execute(params![id, status, channel, facts, at])?;
    }
    Ok(())
}
