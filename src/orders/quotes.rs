//! 保外报价 (issue 21): the quote of out-of-warranty work, the customer's answer, and what
//! the answer allows.
//!
//! A quote is a row of `quote` with its lines (`quote_line`): what the work will cost, line
//! by line, valid until a date (the desk's UTC+8 calendar day, the last day it may be
//! accepted). An order may be quoted several times; each quote is numbered in the order
//! (`seq` 1, 2, …). At most one quote of an order waits for its answer (a partial unique
//! index says so in the database): quoting again while one waits replaces it (`superseded`),
//! it is never deleted.
//!
//! The rules, enforced here whatever door the request came through:
//! - only an open order out of warranty (保外, or not yet known) is quoted: in warranty the
//!   customer pays nothing, and a charge there has its own reason at completion; nor is a
//!   phone-help order (电话服务: nothing is repaired);
//! - a quote waiting starts the order's `quote_pending` pause (docs/DECISIONS.md, "clocks
//!   that pause"), unless the order is already paused for another reason (its clocks then
//!   already stand still); the answer ends a `quote_pending` pause;
//! - the answer names who answered and how (phone, signature, in person); an expired quote
//!   is not accepted (a new one is made);
//! - approved: the work may go on up to the approved total. [`cap`] is the latest approved
//!   total, and `orders.complete` refuses a bill above it ([`check_bill`]): work beyond
//!   needs a new quote and a new approval. While a quote waits, the order is not completed;
//! - refused with no earlier approval: the order ends. The diagnostic fee (setting
//!   `diagnostic_fee_fen`) is its one fee line, and the order is closed with the reason on
//!   its timeline. Refused after an earlier approval (more work was asked for): the earlier
//!   approval stands, the order goes on within it;
//! - a deposit (定金) is a payment of kind `deposit` taken through `orders.pay` on an open
//!   order with an approved quote, at most the approved total less what is paid; it is paid
//!   towards the bill (`paid_fen`), so the bill at completion is what is left to pay.

use chrono::{Days, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::{EventKind, FeeKind, Mode, OrderStatus, PauseReason, QuoteDecision, QuoteHow};
use super::{event, load, not_found, Order, OrderId};
use crate::archive::warranty::Status;
use crate::people::calendar::Calendar;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::money::yuan;
use crate::platform::time::stamp;
use crate::platform::{dates, text};
use crate::Desk;

/// The most lines a quote takes (it prints on one A5 page).
pub const MAX_LINES: usize = 20;
/// The largest line and the largest quote: ¥100,000 (a household or office machine; a typed
/// slip of three zeros must not become a quote the customer signs).
pub const MAX_QUOTE_FEN: i64 = 10_000_000;
/// The furthest `valid_until`, in days after today.
pub const MAX_VALID_DAYS: u64 = 90;
const DESCRIPTION_MAX: usize = 60;
const NOTE_MAX: usize = 200;
const ANSWERED_BY_MAX: usize = 40;

/// One line of a quote.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct QuoteLine {
    /// labour, parts, callout, other.
    pub kind: String,
    pub description: String,
    pub amount_fen: i64,
}

/// A quote as the order shows it (`order.quotes`, oldest first).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Quote {
    pub id: i64,
    /// 1, 2, … within the order.
    pub seq: i64,
    pub lines: Vec<QuoteLine>,
    pub total_fen: i64,
    pub total_capitals: String,
    /// The last day it may be accepted, `YYYY-MM-DD`.
    pub valid_until: String,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    /// None: waiting for the customer's answer.
    pub decision: Option<QuoteDecision>,
    pub decision_label: &'static str,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    /// Who answered on the customer's side.
    pub answered_by: String,
    pub how: Option<QuoteHow>,
    pub decision_note: String,
    /// Waiting and past its `valid_until`.
    pub expired: bool,
}

/// The quotes of order `id`, oldest first; `today` decides `expired`.
pub(crate) fn of_order(conn: &Db, id: OrderId, today: NaiveDate) -> Result<Vec<Quote>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, total_fen, valid_until, note, created_at, created_by, decision,
                decided_at, decided_by, answered_by, how, decision_note
         FROM quote WHERE order_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id], |r| {
        let decision: Option<QuoteDecision> = r.get(7)?;
        let valid_until: String = r.get(3)?;
        let total_fen: i64 = r.get(2)?;
        Ok(Quote {
            id: r.get(0)?,
            seq: r.get(1)?,
            lines: Vec::new(),
            total_fen,
            total_capitals: crate::platform::money::capitals(total_fen),
            expired: decision.is_none() && dates::parse(&valid_until).is_some_and(|d| d < today),
            valid_until,
            note: r.get(4)?,
            created_at: r.get(5)?,
            created_by: r.get(6)?,
            decision_label: decision.map_or("待客户确认", QuoteDecision::label),
            decision,
            decided_at: r.get(8)?,
            decided_by: r.get(9)?,
            answered_by: r.get(10)?,
            how: r.get(11)?,
            decision_note: r.get(12)?,
        })
    })?;
    let mut list: Vec<Quote> = rows.collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT kind, description, amount_fen FROM quote_line WHERE quote_id = ?1 ORDER BY id",
    )?;
    for q in &mut list {
        let lines = stmt.query_map([q.id], |r| {
            Ok(QuoteLine {
                kind: r.get(0)?,
                description: r.get(1)?,
                amount_fen: r.get(2)?,
            })
        })?;
        q.lines = lines.collect::<rusqlite::Result<_>>()?;
    }
    Ok(list)
}

/// The latest approved total of order `id`: what its bill may reach. None: never approved.
pub(crate) fn cap(tx: &Db, id: OrderId) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(
            "SELECT total_fen FROM quote WHERE order_id = ?1 AND decision = 'approved'
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The waiting quote of order `id`: its row id, seq and total.
fn pending(tx: &Db, id: OrderId) -> Result<Option<(i64, i64, i64, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, seq, total_fen, valid_until FROM quote
             WHERE order_id = ?1 AND decision IS NULL",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?)
}

/// What `orders.complete` asks before it bills `total`: no quote waits for its answer, and
/// a quoted order's bill stays within the latest approved total. Called inside its
/// transaction, after the bill is written (a refusal rolls everything back).
pub(crate) fn check_bill(tx: &Db, id: OrderId, number: &str, total: i64) -> Result<()> {
    if let Some((_, seq, fen, _)) = pending(tx, id)? {
        return Err(Error::invalid(
            "quote",
            format!(
                "工单 {number} 的第{seq}次报价（{}）还在等客户确认，确认后才能完工",
                yuan(fen)
            ),
        ));
    }
    if let Some(approved) = cap(tx, id)? {
        if total > approved {
            return Err(Error::invalid(
                "fees",
                format!(
                    "费用合计 {} 超出客户同意的报价 {}，请重新报价并取得客户同意",
                    yuan(total),
                    yuan(approved)
                ),
            ));
        }
    }
    Ok(())
}

/// What `orders.pay` asks before it takes a deposit of `fen` on an order (its number and
/// status, what is paid already): open, approved, within the approved total.
pub(crate) fn check_deposit(
    tx: &Db,
    id: OrderId,
    (number, status): (&str, OrderStatus),
    paid: i64,
    fen: i64,
) -> Result<()> {
    if !status.is_open() {
        return Err(Error::invalid(
            "kind",
            format!(
                "工单 {number} 当前为“{}”，定金只在维修前收取；完工后请直接收款",
                status.label()
            ),
        ));
    }
    let Some(approved) = cap(tx, id)? else {
        return Err(Error::invalid(
            "kind",
            format!("工单 {number} 还没有客户同意的报价，不能收定金"),
        ));
    };
    if fen <= 0 {
        return Err(Error::invalid("amount_fen", "定金金额应大于0"));
    }
    let room = approved - paid;
    if fen > room {
        return Err(Error::invalid(
            "amount_fen",
            format!(
                "定金不能超过报价 {} 减去已收 {}，最多 {}",
                yuan(approved),
                yuan(paid),
                yuan(room.max(0))
            ),
        ));
    }
    Ok(())
}

/// The order's row as a quote needs it.
fn row(tx: &Db, id: OrderId) -> Result<(String, OrderStatus, Status, i64, Mode)> {
    tx.prepare_cached(
        "SELECT number, status, warranty, version, mode FROM work_order WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// The lines as typed, checked: 1 to [`MAX_LINES`], each with a kind, a description and an
/// amount from ¥0.01 to the bound; the total within the bound too.
fn lines(typed: &[QuoteLine]) -> Result<(Vec<QuoteLine>, i64)> {
    if typed.is_empty() {
        return Err(Error::invalid("lines", "报价至少要有一行费用"));
    }
    if typed.len() > MAX_LINES {
        return Err(Error::invalid("lines", format!("报价最多 {MAX_LINES} 行")));
    }
    let mut out = Vec::new();
    let mut total = 0i64;
    for (i, l) in typed.iter().enumerate() {
        let n = i + 1;
        let Some(kind) = FeeKind::from_word(&l.kind) else {
            return Err(Error::invalid(
                "lines",
                format!("第{n}行费用类型只能是工时费、备件费、上门费或其他"),
            ));
        };
        let description = text::field("lines", "报价项目", &l.description, DESCRIPTION_MAX, false)
            .map_err(|_| {
                Error::invalid(
                    "lines",
                    format!("第{n}行项目说明最多 {DESCRIPTION_MAX} 个字"),
                )
            })?;
        if !(1..=MAX_QUOTE_FEN).contains(&l.amount_fen) {
            return Err(Error::invalid(
                "lines",
                format!(
                    "第{n}行{}金额应在 ¥0.01 到 {} 之间",
                    kind.label(),
                    yuan(MAX_QUOTE_FEN)
                ),
            ));
        }
        total += l.amount_fen;
        out.push(QuoteLine {
            kind: kind.as_str().into(),
            description: if description.is_empty() {
                kind.label().into()
            } else {
                description
            },
            amount_fen: l.amount_fen,
        });
    }
    if total > MAX_QUOTE_FEN {
        return Err(Error::invalid(
            "lines",
            format!("报价合计 {} 超过上限 {}", yuan(total), yuan(MAX_QUOTE_FEN)),
        ));
    }
    Ok((out, total))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuoteArgs {
    pub order_id: OrderId,
    pub lines: Vec<QuoteLine>,
    /// The last day the customer may accept it (`2026-12-31`), today to 90 days on.
    pub valid_until: String,
    pub note: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 报价: quotes the out-of-warranty work of an open order; the order's clocks pause until
/// the customer answers. A quote still waiting is replaced (superseded) by this one.
pub fn quote(desk: &mut Desk, a: QuoteArgs) -> Result<Order> {
    let (lines, total) = lines(&a.lines)?;
    let today = desk.today();
    let until = dates::field("valid_until", "报价有效期", Some(&a.valid_until))?
        .ok_or_else(|| Error::invalid("valid_until", "请填写报价有效期"))?;
    let latest = today + Days::new(MAX_VALID_DAYS);
    if until < today || until > latest {
        return Err(Error::invalid(
            "valid_until",
            format!(
                "报价有效期应在今天（{}）到 {} 之间",
                dates::show(today),
                dates::show(latest)
            ),
        ));
    }
    let note = text::field("note", "报价说明", &a.note, NOTE_MAX, false)?;
    let now = desk.now();
    let at = stamp(now);
    let tx = desk.write()?;
    let (number, status, warranty, version, mode) = row(&tx, a.order_id)?;
    if !status.is_open() {
        return Err(Error::invalid(
            "order_id",
            format!(
                "工单 {number} 当前为“{}”，只有未完工的工单可以报价",
                status.label()
            ),
        ));
    }
    if mode == Mode::PhoneHelp {
        return Err(Error::invalid(
            "order_id",
            format!("工单 {number} 是电话服务，不需要报价"),
        ));
    }
    if warranty == Status::In {
        return Err(Error::invalid(
            "order_id",
            format!("工单 {number} 在保修期内（保内），不需要报价"),
        ));
    }
    super::check_version(&number, a.version, version)?;
    let replaced = pending(&tx, a.order_id)?;
    if let Some((old, _, _, _)) = replaced {
        tx.prepare_cached(
            "UPDATE quote SET decision = 'superseded', decided_at = ?2, decided_by = desk_user()
             WHERE id = ?1",
        )?
        .execute(params![old, at])?;
    }
    let seq: i64 = tx
        .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM quote WHERE order_id = ?1")?
        .query_row([a.order_id], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO quote (order_id, seq, total_fen, valid_until, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, desk_user())",
    )?
    .execute(params![
        a.order_id,
        seq,
        total,
        dates::show(until),
        note,
        at
    ])?;
    let quote_id = tx.last_insert_rowid()?;
    for l in &lines {
        tx.prepare_cached(
            "INSERT INTO quote_line (quote_id, kind, description, amount_fen) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![quote_id, l.kind, l.description, l.amount_fen])?;
    }
    // The wait for the customer's answer stops the clocks, unless they already stand.
    super::pauses::start_if_running(
        &tx,
        a.order_id,
        PauseReason::QuotePending,
        &format!("第{seq}次报价 {}", yuan(total)),
        &at,
    )?;
    let mut detail = format!(
        "第{seq}次报价 {}（{}），有效期至 {}",
        yuan(total),
        lines
            .iter()
            .map(|l| format!("{} {}", l.description, yuan(l.amount_fen)))
            .collect::<Vec<_>>()
            .join("，"),
        dates::show(until)
    );
    if replaced.is_some() {
        detail.push_str(&format!("；替代第{}次报价", seq - 1));
    }
    if !note.is_empty() {
        detail.push_str(&format!("；{note}"));
    }
    event(
        &tx,
        a.order_id,
        &at,
        EventKind::Quoted,
        (None, None),
        &detail,
    )?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.order_id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionArgs {
    pub order_id: OrderId,
    pub approved: bool,
    /// Who answered on the customer's side (name, or "本人").
    pub by: String,
    /// phone, signature, in_person.
    pub how: String,
    pub note: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 报价确认: records the customer's answer to the waiting quote. Approved: the work goes
/// on within it. Refused: see the module's rules (the diagnostic fee and the order closed,
/// or the earlier approval standing).
pub fn decide(desk: &mut Desk, a: DecisionArgs) -> Result<Order> {
    let by = text::field("by", "确认人", &a.by, ANSWERED_BY_MAX, true)?;
    let how = if a.how.trim().is_empty() {
        return Err(Error::invalid(
            "how",
            "请选择客户确认方式：电话、签字或当面",
        ));
    } else {
        QuoteHow::parse(a.how.trim(), "how")?
    };
    let note = text::field("note", "备注", &a.note, NOTE_MAX, false)?;
    let today = desk.today();
    let now = desk.now();
    let at = stamp(now);
    let fee = crate::people::settings::load(desk.conn())?.diagnostic_fee_fen;
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let (number, status, _, version, _) = row(&tx, a.order_id)?;
    let Some((quote_id, seq, total, until)) = pending(&tx, a.order_id)? else {
        return Err(Error::invalid(
            "order_id",
            format!("工单 {number} 没有等待客户确认的报价"),
        ));
    };
    if !status.is_open() {
        return Err(Error::invalid(
            "order_id",
            format!("工单 {number} 当前为“{}”，不能再确认报价", status.label()),
        ));
    }
    if a.approved && dates::parse(&until).is_some_and(|d| d < today) {
        return Err(Error::invalid(
            "valid_until",
            format!("第{seq}次报价有效期至 {until}，已过期，请重新报价"),
        ));
    }
    super::check_version(&number, a.version, version)?;
    let decision = if a.approved {
        QuoteDecision::Approved
    } else {
        QuoteDecision::Refused
    };
    tx.prepare_cached(
        "UPDATE quote SET decision = ?2, decided_at = ?3, decided_by = desk_user(),
             answered_by = ?4, how = ?5, decision_note = ?6 WHERE id = ?1",
    )?
    .execute(params![quote_id, decision, at, by, how, note])?;
    // The customer answered: a wait for this answer is over (another wait stays).
    super::pauses::end_if(
        &tx,
        &cal,
        a.order_id,
        PauseReason::QuotePending,
        now,
        EventKind::QuoteDecided.label(),
    )?;
    let mut detail = format!(
        "第{seq}次报价 {}：{}（{} {}）",
        yuan(total),
        decision.label(),
        by,
        how.label()
    );
    if !note.is_empty() {
        detail.push_str(&format!("；{note}"));
    }
    event(
        &tx,
        a.order_id,
        &at,
        EventKind::QuoteDecided,
        (None, None),
        &detail,
    )?;
    let earlier = cap(&tx, a.order_id)?;
    if !a.approved && earlier.is_none() {
        super::pauses::end(&tx, &cal, a.order_id, now, "客户不同意报价")?;
        refused(&tx, a.order_id, status, fee, &at)?;
    }
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.order_id, now)
}

/// The order is cancelled (`orders.move`, in its transaction): a quote still waiting is
/// withdrawn, so that nothing waits for an answer on an order that has ended.
pub(crate) fn withdraw(tx: &Db, id: OrderId, at: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE quote SET decision = 'withdrawn', decided_at = ?2, decided_by = desk_user()
         WHERE order_id = ?1 AND decision IS NULL",
    )?
    .execute(params![id, at])?;
    Ok(())
}

/// The quote refused and nothing approved before: the diagnostic fee is billed (when the
/// setting is above ¥0) and the order is closed, the reason on its timeline (the caller
/// ended any pause).
fn refused(tx: &Db, id: OrderId, from: OrderStatus, fee: i64, at: &str) -> Result<()> {
    const WHY: &str = "客户不同意报价，未维修";
    if fee > 0 {
        tx.prepare_cached(
            "INSERT INTO fee_line (order_id, kind, description, amount_fen) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, FeeKind::Other, "检测费", fee])?;
    }
    let total: i64 = tx
        .prepare_cached("SELECT coalesce(sum(amount_fen), 0) FROM fee_line WHERE order_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    tx.prepare_cached(
        "UPDATE work_order SET work_done = ?2, total_fen = ?3, completed_at = ?4,
             reply_at = coalesce(reply_at, ?4), slip_at = coalesce(slip_at, ?4)
         WHERE id = ?1",
    )?
    .execute(params![id, WHY, total, at])?;
    super::flow::set_status(tx, id, from, OrderStatus::Closed, at)?;
    let detail = if fee > 0 {
        format!("{WHY}；收取检测费 {}", yuan(fee))
    } else {
        WHY.to_string()
    };
    event(
        tx,
        id,
        at,
        EventKind::Status,
        (Some(from), Some(OrderStatus::Closed)),
        &detail,
    )
}
