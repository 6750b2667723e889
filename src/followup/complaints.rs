//! Complaints (投诉), DOMAIN.md "Complaint": by phone, letter, visit, or from a callback;
//! against an order, an engineer or the company. The 24-hour reply clock (one working day,
//! [`crate::people::calendar`]) starts when it is registered and stops when the reply is given;
//! near the deadline an unanswered complaint is escalated to the manager (shown on the
//! day board and in the list). Then: justified or not, the measures taken, the reply told
//! to the customer, their feedback, closed. Every step is an event (append-only).

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Datelike, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::customers::CustomerId;
pub use crate::followup::words::ComplaintStatus;
use crate::followup::words::{Against, Cause, ComplaintChannel};
use crate::orders::clocks;
use crate::people::calendar::Calendar;
use crate::platform::error::{Error, Result};
use crate::platform::time::{self, stamp};
use crate::{platform::text, Desk};

crate::ids! {
    /// A complaint's id.
    pub struct ComplaintId;
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: String,
    pub user: String,
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Complaint {
    pub id: ComplaintId,
    pub number: String,
    pub customer_id: crate::archive::customers::CustomerId,
    pub customer: String,
    pub order_id: Option<crate::orders::OrderId>,
    pub order_number: Option<String>,
    pub engineer_id: Option<crate::orders::engineers::EngineerId>,
    pub engineer: Option<String>,
    pub against: Against,
    pub channel: ComplaintChannel,
    /// The stored cause ([`Cause`]'s word); a text column without a check, so read as text.
    pub cause: String,
    pub cause_label: &'static str,
    pub content: String,
    pub handler: String,
    pub status: ComplaintStatus,
    pub created_at: String,
    pub reply_clock: clocks::Clock,
    /// Unanswered and about to break (or broken): the manager must see it.
    pub escalated: bool,
    pub justified: Option<bool>,
    pub measures: String,
    pub reply: String,
    pub feedback: String,
    pub closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
}

const SELECT: &str =
    "SELECT k.id, k.number, k.customer_id, c.name, k.order_id, o.number, k.engineer_id,
        g.name, k.against, k.channel, k.cause, k.content, k.handler, k.status, k.created_at,
        k.reply_due, k.replied_at, k.justified, k.measures, k.reply, k.feedback, k.closed_at
    FROM complaint k JOIN customer c ON c.id = k.customer_id
    LEFT JOIN work_order o ON o.id = k.order_id LEFT JOIN engineer g ON g.id = k.engineer_id";

fn read(
    conn: &Db,
    tail: &str,
    p: impl crate::platform::db::Args,
    now: DateTime<Utc>,
) -> Result<Vec<Complaint>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        let due: String = r.get(15)?;
        let replied: Option<String> = r.get(16)?;
        let clock = clocks::state(
            clocks::Kind::Reply,
            &due,
            replied.as_deref(),
            false,
            None,
            now,
        );
        let cause: String = r.get(10)?;
        Ok(Complaint {
            id: r.get(0)?,
            number: r.get(1)?,
            customer_id: r.get(2)?,
            customer: r.get(3)?,
            order_id: r.get(4)?,
            order_number: r.get(5)?,
            engineer_id: r.get(6)?,
            engineer: r.get(7)?,
            against: r.get(8)?,
            channel: r.get(9)?,
            cause_label: Cause::from_word(&cause).map_or("", Cause::label),
            cause,
            content: r.get(11)?,
            handler: r.get(12)?,
            status: r.get(13)?,
            created_at: r.get(14)?,
            escalated: clock.state.alarming(),
            reply_clock: clock,
            justified: r.get::<_, Option<i64>>(17)?.map(|v| v == 1),
            measures: r.get(18)?,
            reply: r.get(19)?,
            feedback: r.get(20)?,
            closed_at: r.get(21)?,
            events: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn load(conn: &Db, id: ComplaintId, now: DateTime<Utc>) -> Result<Complaint> {
    let mut c = read(conn, "WHERE k.id = ?1", [id], now)?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("投诉不存在（编号 {id}）")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, \"user\", kind, detail FROM complaint_event WHERE complaint_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Event {
            at: r.get(0)?,
            user: r.get(1)?,
            kind: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    c.events = Some(rows.collect::<rusqlite::Result<_>>()?);
    Ok(c)
}

fn event(tx: &Db, id: ComplaintId, at: &str, kind: &str, detail: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO complaint_event (complaint_id, at, \"user\", kind, detail) VALUES (?1, ?2, desk_user(), ?3, ?4)",
    )?
    .execute(params![id, at, kind, detail])?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateArgs {
    pub customer_id: crate::archive::customers::CustomerId,
    pub order_id: Option<crate::orders::OrderId>,
    pub engineer_id: Option<crate::orders::engineers::EngineerId>,
    /// `order`, `engineer` or `company`.
    pub against: String,
    /// `phone`, `letter`, `visit` or `callback`.
    pub channel: String,
    pub cause: String,
    pub content: String,
}

/// Registers a complaint inside the caller's transaction; returns its id.
pub(crate) fn insert(
    tx: &Db,
    cal: &Calendar,
    now: DateTime<Utc>,
    a: &CreateArgs,
) -> Result<ComplaintId> {
    let against = Against::parse(&a.against, "against")?;
    let channel = ComplaintChannel::parse(&a.channel, "channel")?;
    let cause = if a.cause.is_empty() {
        Cause::Other
    } else {
        Cause::parse(&a.cause, "cause")?
    };
    let content = text::field("content", "投诉内容", &a.content, 1000, true)?;
    let exists: bool = tx
        .prepare_cached("SELECT 1 FROM customer WHERE id = ?1")?
        .query_row([a.customer_id], |_| Ok(()))
        .optional()?
        .is_some();
    if !exists {
        return Err(Error::invalid("customer_id", "请先选择客户"));
    }
    let mut engineer_id = a.engineer_id;
    if let Some(order) = a.order_id {
        let found: Option<(CustomerId, Option<crate::orders::engineers::EngineerId>)> = tx
            .prepare_cached("SELECT customer_id, engineer_id FROM work_order WHERE id = ?1")?
            .query_row([order], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((customer, engineer)) if customer == a.customer_id => {
                engineer_id = engineer_id.or(engineer)
            }
            Some(_) => return Err(Error::invalid("order_id", "这个工单不是该客户的")),
            None => return Err(Error::invalid("order_id", "工单不存在")),
        }
    } else if against == Against::Order {
        return Err(Error::invalid("order_id", "投诉工单请选择是哪一个工单"));
    }
    if against == Against::Engineer && engineer_id.is_none() {
        return Err(Error::invalid(
            "engineer_id",
            "投诉工程师请选择是哪一位工程师",
        ));
    }
    let at = stamp(now);
    let year = now.with_timezone(&time::zone()).year();
    let n = crate::platform::db::next_in_year(tx, crate::platform::db::Counter::Complaint, year)?;
    let number = format!("TS{year}{n:05}");
    let due = stamp(cal.add_days(now, 1));
    tx.prepare_cached(
        "INSERT INTO complaint (number, customer_id, order_id, engineer_id, against, channel, cause, content,
             status, created_at, reply_due, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?9, ?10, ?9)",
    )?
    .execute(params![
        number,
        a.customer_id,
        a.order_id,
        engineer_id,
        against,
        channel,
        cause,
        content,
        at,
        due,
        ComplaintStatus::Open
    ])?;
    let id = ComplaintId(tx.last_insert_rowid()?);
    event(
        tx,
        id,
        &at,
        "created",
        &format!(
            "{}投诉{}：{}",
            channel.label(),
            against.label(),
            cause.label()
        ),
    )?;
    if let Some(order) = a.order_id {
        crate::orders::event(
            tx,
            order,
            &at,
            crate::orders::EventKind::Complaint,
            (None, None),
            &format!("客户投诉 {number}：{content}"),
        )?;
    }
    Ok(id)
}

/// 登记投诉: the 24-hour reply clock starts.
pub fn create(desk: &mut Desk, a: CreateArgs) -> Result<Complaint> {
    let now = desk.now();
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let id = insert(&tx, &cal, now, &a)?;
    tx.commit()?;
    load(desk.conn(), id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateArgs {
    pub id: ComplaintId,
    /// `assign` (handler), `reply` (justified, measures, reply: stops the clock),
    /// `close` (feedback).
    pub step: String,
    pub handler: String,
    pub justified: Option<bool>,
    pub measures: String,
    pub reply: String,
    pub feedback: String,
}

/// 处理投诉: assign a handler, give the reply, close with the customer's feedback.
pub fn update(desk: &mut Desk, a: UpdateArgs) -> Result<Complaint> {
    let now = desk.now();
    let at = stamp(now);
    let tx = desk.write()?;
    let (status, number): (ComplaintStatus, String) = tx
        .prepare_cached("SELECT status, number FROM complaint WHERE id = ?1")?
        .query_row([a.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("投诉不存在（编号 {}）", a.id)))?;
    if status == ComplaintStatus::Closed {
        return Err(Error::invalid("step", format!("投诉 {number} 已关闭")));
    }
    match a.step.as_str() {
        "assign" => {
            let handler = text::field("handler", "处理人", &a.handler, 20, true)?;
            tx.execute(
                "UPDATE complaint SET handler = ?2, updated_at = ?3 WHERE id = ?1",
                params![a.id, handler, at],
            )?;
            event(&tx, a.id, &at, "assigned", &format!("处理人：{handler}"))?;
        }
        "reply" => {
            let justified = a
                .justified
                .ok_or_else(|| Error::invalid("justified", "请判定投诉是否属实"))?;
            let measures = text::field("measures", "处理措施", &a.measures, 1000, true)?;
            let reply = text::field("reply", "答复客户的内容", &a.reply, 1000, true)?;
            if status != ComplaintStatus::Open {
                return Err(Error::invalid("step", format!("投诉 {number} 已经答复过")));
            }
            tx.execute(
                "UPDATE complaint SET justified = ?2, measures = ?3, reply = ?4, replied_at = ?5,
                     status = ?6, updated_at = ?5 WHERE id = ?1",
                params![
                    a.id,
                    justified as i64,
                    measures,
                    reply,
                    at,
                    ComplaintStatus::Replied
                ],
            )?;
            let verdict = if justified { "属实" } else { "不属实" };
            event(
                &tx,
                a.id,
                &at,
                ComplaintStatus::Replied.as_str(),
                &format!("{verdict}；措施：{measures}；答复：{reply}"),
            )?;
        }
        "close" => {
            if status != ComplaintStatus::Replied {
                return Err(Error::invalid("step", "请先答复客户，再关闭投诉"));
            }
            let feedback = text::field("feedback", "客户反馈", &a.feedback, 500, true)?;
            tx.execute(
                "UPDATE complaint SET feedback = ?2, status = ?4, closed_at = ?3, updated_at = ?3 WHERE id = ?1",
                params![a.id, feedback, at, ComplaintStatus::Closed],
            )?;
            let what = ComplaintStatus::Closed.as_str();
            event(&tx, a.id, &at, what, &format!("客户反馈：{feedback}"))?;
        }
        _ => return Err(Error::invalid("step", "处理步骤只能是指派、答复或关闭")),
    }
    tx.commit()?;
    load(desk.conn(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GetArgs {
    pub id: ComplaintId,
}

pub fn get(desk: &mut Desk, a: GetArgs) -> Result<Complaint> {
    load(desk.conn(), a.id, desk.now())
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    /// `open` (not closed; default), `all`, or `escalated`.
    pub status: String,
    pub customer_id: Option<crate::archive::customers::CustomerId>,
    pub limit: u32,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            status: "open".into(),
            customer_id: None,
            limit: 200,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ComplaintList {
    pub items: Vec<Complaint>,
    pub escalated: usize,
}

/// 投诉列表: open ones by reply deadline, the escalated first.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<ComplaintList> {
    let now = desk.now();
    let limit = i64::from(a.limit.clamp(1, 1000));
    let mut items = match (a.customer_id, a.status.as_str()) {
        (Some(c), _) => read(
            desk.conn(),
            "WHERE k.customer_id = ?1 ORDER BY k.id DESC LIMIT ?2",
            params![c, limit],
            now,
        )?,
        (None, "all") => read(desk.conn(), "ORDER BY k.id DESC LIMIT ?1", [limit], now)?,
        _ => read(
            desk.conn(),
            "WHERE k.status <> ?2 ORDER BY k.reply_due LIMIT ?1",
            params![limit, ComplaintStatus::Closed],
            now,
        )?,
    };
    if a.status == "escalated" {
        items.retain(|c| c.escalated);
    }
    items.sort_by_key(|c| !c.escalated);
    Ok(ComplaintList {
        escalated: items.iter().filter(|c| c.escalated).count(),
        items,
    })
}

/// The cause list for the form.
#[derive(Debug, Serialize)]
pub struct Causes {
    pub items: Vec<(&'static str, &'static str)>,
}

pub fn causes(_: &mut Desk, _: crate::people::settings::NoArgs) -> Result<Causes> {
    Ok(Causes {
        items: Cause::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
    })
}
