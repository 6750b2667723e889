//! Callbacks (回访): the phone follow-up after an order is completed (DOMAIN.md,
//! "Callback"). Created in the same transaction as the completion, due the next working
//! day and overdue after two. Every call attempt is kept (append-only). A reached callback
//! records whether the problem is solved, the satisfaction and remarks: solved moves the
//! order to called back; not solved reopens it; 不满意 can open a complaint in the same step.

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::followup::complaints;
use crate::followup::words::{Against, ComplaintChannel};
use crate::orders::{self, Opinion, OrderId, OrderKind, OrderStatus};
use crate::people::calendar::Calendar;
use crate::platform::error::{Error, Result};
use crate::platform::time::stamp;
use crate::{platform::text, Desk};

crate::ids! {
    /// A callback's id.
    pub struct CallbackId;
}

crate::words! {
    /// Whether the callback is still to be made.
    pub enum CallbackStatus("回访状态") {
        Open = "open", "待回访";
        Done = "done", "已回访";
    }
}

crate::words! {
    /// Where an open callback stands today.
    pub enum CallbackState("回访进度") {
        Upcoming = "upcoming", "未到期";
        Due = "due", "今日应回访";
        Overdue = "overdue", "已逾期";
        Done = "done", "已完成";
    }
}

/// 完工 (the command `orders.complete`): the order's completion by its flow
/// ([`orders::flow::complete`]) and, in the same transaction, its callback.
pub fn complete(desk: &mut Desk, a: orders::flow::CompleteArgs) -> Result<orders::Order> {
    orders::flow::complete(desk, a, open_for)
}

/// Opens the order's callback (one per completion: an order completed again after a
/// reopen gets a new one, unless one is still open). Consultations answered on the phone
/// need none.
pub(crate) fn open_for(
    tx: &Db,
    order_id: OrderId,
    kind: OrderKind,
    completed: DateTime<Utc>,
    cal: &Calendar,
) -> Result<()> {
    if kind == OrderKind::Consultation {
        return Ok(());
    }
    let due = stamp(cal.add_days(completed, 1));
    let overdue = stamp(cal.add_days(completed, 2));
    tx.prepare_cached(
        "INSERT INTO callback (order_id, created_at, due, overdue, status)
         SELECT ?1, ?2, ?3, ?4, ?5
         WHERE NOT EXISTS (SELECT 1 FROM callback WHERE order_id = ?1 AND status = ?5)",
    )?
    .execute(params![
        order_id,
        stamp(completed),
        due,
        overdue,
        CallbackStatus::Open
    ])?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub at: String,
    pub user: String,
    pub reached: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Callback {
    pub id: CallbackId,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer_id: crate::archive::customers::CustomerId,
    pub customer: String,
    pub phone: String,
    pub model: String,
    pub fault: String,
    pub work_done: String,
    pub engineer: String,
    pub completed_at: String,
    pub due: String,
    pub overdue: String,
    pub status: CallbackStatus,
    /// `upcoming` (not due yet), `due`, `overdue` (past its two days), or `done`.
    pub state: CallbackState,
    pub done_at: Option<String>,
    pub solved: Option<bool>,
    pub satisfaction: Option<Opinion>,
    pub remarks: String,
    pub attempts: Vec<Attempt>,
    /// What to say, with this order's facts filled in.
    pub script: String,
}

const SELECT: &str = "SELECT b.id, b.order_id, o.number, o.customer_id, c.name, o.phone,
        coalesce(m.code || ' ' || m.name, ''), o.fault, o.work_done, coalesce(g.name, ''),
        coalesce(o.completed_at, ''), b.due, b.overdue, b.status, b.done_at, b.solved,
        b.satisfaction, b.remarks
    FROM callback b JOIN work_order o ON o.id = b.order_id JOIN customer c ON c.id = o.customer_id
    LEFT JOIN product_model m ON m.id = o.model_id LEFT JOIN engineer g ON g.id = o.engineer_id";

fn read(
    conn: &Db,
    tail: &str,
    p: impl crate::platform::db::Args,
    now: DateTime<Utc>,
) -> Result<Vec<Callback>> {
    let company = crate::people::settings::load(conn)?.company_name;
    let mut stmt = conn.prepare_cached(&format!("{SELECT} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        let phone: String = r.get(5)?;
        let status: CallbackStatus = r.get(13)?;
        let due: String = r.get(11)?;
        let overdue: String = r.get(12)?;
        let state = if status == CallbackStatus::Done {
            CallbackState::Done
        } else if crate::platform::time::parse(&overdue).is_some_and(|t| now > t) {
            CallbackState::Overdue
        } else if crate::platform::time::parse(&due).is_some_and(|t| now >= crate::platform::time::day_bounds(t).0) {
            CallbackState::Due
        } else {
            CallbackState::Upcoming
        };
        let model: String = r.get(6)?;
        let fault: String = r.get(7)?;
        let engineer: String = r.get(9)?;
        let completed: String = r.get(10)?;
        let script = format!(
            "您好，我是{company}的客服。您报修的{}（{}）已于{}由{}工程师处理完毕。请问现在使用正常吗？您对这次服务满意吗？还有什么需要我们改进的？",
            if model.is_empty() { "设备".to_string() } else { model.clone() },
            fault,
            crate::platform::time::local_text(&completed).get(..10).unwrap_or_default(),
            if engineer.is_empty() { "我们的".to_string() } else { engineer.clone() },
        );
        Ok(Callback {
            id: r.get(0)?,
            order_id: r.get(1)?,
            order_number: r.get(2)?,
            customer_id: r.get(3)?,
            customer: r.get(4)?,
            phone: if phone.is_empty() {
                phone
            } else {
                crate::platform::phone::Phone::from_stored(&phone).display()
            },
            model,
            fault,
            work_done: r.get(8)?,
            engineer,
            completed_at: completed,
            due,
            overdue,
            status,
            state,
            done_at: r.get(14)?,
            solved: r.get::<_, Option<i64>>(15)?.map(|v| v == 1),
            satisfaction: r.get(16)?,
            remarks: r.get(17)?,
            attempts: Vec::new(),
            script,
        })
    })?;
    let mut out: Vec<Callback> = rows.collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, \"user\", reached, note FROM callback_attempt WHERE callback_id = ?1 ORDER BY id",
    )?;
    for c in &mut out {
        let rows = stmt.query_map([c.id], |r| {
            Ok(Attempt {
                at: r.get(0)?,
                user: r.get(1)?,
                reached: r.get::<_, i64>(2)? == 1,
                note: r.get(3)?,
            })
        })?;
        c.attempts = rows.collect::<rusqlite::Result<_>>()?;
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct QueueArgs {
    /// `open` (default: every callback still to make, the most urgent first) or `done`.
    pub status: String,
    pub limit: u32,
}

impl Default for QueueArgs {
    fn default() -> Self {
        QueueArgs {
            status: "open".into(),
            limit: 200,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Queue {
    pub items: Vec<Callback>,
    pub due: usize,
    pub overdue: usize,
}

/// 回访队列.
pub fn queue(desk: &mut Desk, a: QueueArgs) -> Result<Queue> {
    let now = desk.now();
    let limit = i64::from(a.limit.clamp(1, 1000));
    let items = match CallbackStatus::from_word(&a.status) {
        Some(CallbackStatus::Done) => read(
            desk.conn(),
            "WHERE b.done_at IS NOT NULL ORDER BY b.done_at DESC LIMIT ?1",
            [limit],
            now,
        )?,
        _ => read(
            desk.conn(),
            "WHERE b.status = ?2 ORDER BY b.due, b.id LIMIT ?1",
            params![limit, CallbackStatus::Open],
            now,
        )?,
    };
    Ok(Queue {
        due: items
            .iter()
            .filter(|c| c.state == CallbackState::Due)
            .count(),
        overdue: items
            .iter()
            .filter(|c| c.state == CallbackState::Overdue)
            .count(),
        items,
    })
}

pub(crate) fn load(conn: &Db, id: CallbackId, now: DateTime<Utc>) -> Result<Callback> {
    read(conn, "WHERE b.id = ?1", [id], now)?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("回访不存在（编号 {id}）")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GetArgs {
    pub id: CallbackId,
    /// Or the order's callback.
    pub order_id: Option<OrderId>,
}

pub fn get(desk: &mut Desk, a: GetArgs) -> Result<Callback> {
    let now = desk.now();
    match a.order_id {
        Some(order) => read(
            desk.conn(),
            "WHERE b.order_id = ?1 ORDER BY b.id DESC LIMIT 1",
            [order],
            now,
        )?
        .pop()
        .ok_or_else(|| Error::NotFound("这个工单还没有回访".into())),
        None => load(desk.conn(), a.id, now),
    }
}

/// A complaint opened from an unsatisfied callback, in the same step.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComplaintInput {
    pub cause: String,
    pub content: String,
    pub against: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecordArgs {
    pub id: CallbackId,
    pub reached: bool,
    /// When reached: whether the problem is solved.
    pub solved: Option<bool>,
    /// When reached: satisfied, basically, unsatisfied.
    pub satisfaction: String,
    pub remarks: String,
    pub complaint: Option<ComplaintInput>,
}

#[derive(Debug, Serialize)]
pub struct Recorded {
    pub callback: Callback,
    pub order: orders::Order,
    pub complaint: Option<complaints::Complaint>,
}

/// 记录回访: one call attempt. Not reached: kept, the callback stays in the queue. Reached:
/// the outcome; solved → the order is 已回访; not solved → the order is reopened; 不满意
/// with `complaint` → a complaint is opened against the order. One transaction.
pub fn record(desk: &mut Desk, a: RecordArgs) -> Result<Recorded> {
    let now = desk.now();
    let at = stamp(now);
    let (remarks, satisfaction) = check(&a)?;
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let called = open_callback(&tx, a.id)?;
    tx.prepare_cached(
        "INSERT INTO callback_attempt (callback_id, at, \"user\", reached, note) VALUES (?1, ?2, desk_user(), ?3, ?4)",
    )?
    .execute(params![a.id, at, a.reached as i64, remarks])?;
    let mut complaint_id = None;
    if a.reached {
        let solved = a.solved.unwrap_or(false);
        tx.prepare_cached(
            "UPDATE callback SET status = ?6, done_at = ?2, solved = ?3, satisfaction = ?4, remarks = ?5
             WHERE id = ?1",
        )?
        .execute(params![
            a.id,
            at,
            solved as i64,
            satisfaction,
            remarks,
            CallbackStatus::Done
        ])?;
        let label = satisfaction.unwrap_or(Opinion::Unsatisfied).label();
        let detail = format!(
            "回访：{}，{label}{}",
            if solved {
                "问题已解决"
            } else {
                "问题未解决"
            },
            suffix("。", &remarks)
        );
        orders::flow::called_back(
            &tx,
            called.order_id,
            called.order_status,
            solved,
            &at,
            &detail,
        )?;
        if let Some(c) = &a.complaint {
            let args = complaint_args(&called, c, &remarks);
            complaint_id = Some(complaints::insert(&tx, &cal, now, &args)?);
        }
    } else {
        let detail = format!("回访未接通{}", suffix("：", &remarks));
        orders::event(
            &tx,
            called.order_id,
            &at,
            orders::EventKind::Callback,
            (None, None),
            &detail,
        )?;
    }
    tx.commit()?;
    let conn = desk.conn();
    Ok(Recorded {
        callback: load(conn, a.id, now)?,
        order: orders::load(conn, desk.actor(), called.order_id, now)?,
        complaint: match complaint_id {
            Some(id) => Some(complaints::load(conn, id, now)?),
            None => None,
        },
    })
}

/// `text` after `lead`, or nothing when it is empty.
fn suffix(lead: &str, text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("{lead}{text}")
    }
}

/// The record's own rules, before anything is read: the remarks, and the satisfaction a
/// reached customer must give; a complaint only from an unsatisfied customer.
fn check(a: &RecordArgs) -> Result<(String, Option<Opinion>)> {
    let remarks = text::field("remarks", "回访记录", &a.remarks, 300, false)?;
    let satisfaction = match Opinion::from_word(&a.satisfaction) {
        Some(o) => Some(o),
        None if a.satisfaction.is_empty() && !a.reached => None,
        None if a.satisfaction.is_empty() => {
            return Err(Error::invalid("satisfaction", "请选择客户满意度"))
        }
        None => {
            return Err(Error::invalid(
                "satisfaction",
                "满意度只能是满意、基本满意或不满意",
            ))
        }
    };
    if a.reached && a.solved.is_none() {
        return Err(Error::invalid("solved", "请选择问题是否已解决"));
    }
    if a.complaint.is_some() && satisfaction != Some(Opinion::Unsatisfied) {
        return Err(Error::invalid(
            "complaint",
            "只有客户不满意时才从回访转投诉",
        ));
    }
    Ok((remarks, satisfaction))
}

/// The callback being recorded and its order, as they stand.
struct Called {
    order_id: OrderId,
    order_status: OrderStatus,
    customer_id: crate::archive::customers::CustomerId,
    engineer_id: Option<crate::orders::engineers::EngineerId>,
}

/// The callback `id`, refused when it does not exist or is already done.
fn open_callback(tx: &Db, id: CallbackId) -> Result<Called> {
    let (status, called): (CallbackStatus, Called) = tx
        .prepare_cached(
            "SELECT b.status, b.order_id, o.status, o.customer_id, o.engineer_id
             FROM callback b JOIN work_order o ON o.id = b.order_id WHERE b.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                Called {
                    order_id: r.get(1)?,
                    order_status: r.get(2)?,
                    customer_id: r.get(3)?,
                    engineer_id: r.get(4)?,
                },
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("回访不存在（编号 {id}）")))?;
    if status == CallbackStatus::Done {
        return Err(Error::invalid("id", "这次回访已经完成"));
    }
    Ok(called)
}

/// The complaint an unsatisfied customer makes on the callback: about the order unless
/// they name what, in their words or else the callback's remarks.
fn complaint_args(called: &Called, c: &ComplaintInput, remarks: &str) -> complaints::CreateArgs {
    complaints::CreateArgs {
        customer_id: called.customer_id,
        order_id: Some(called.order_id),
        engineer_id: called.engineer_id,
        against: if c.against.is_empty() {
            Against::Order.to_string()
        } else {
            c.against.clone()
        },
        channel: ComplaintChannel::Callback.to_string(),
        cause: c.cause.clone(),
        content: if c.content.trim().is_empty() {
            remarks.to_string()
        } else {
            c.content.clone()
        },
    }
}
