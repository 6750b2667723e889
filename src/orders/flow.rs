//! The order's life (DOMAIN.md, "Work order"): registered → dispatched → in progress ⇄
//! waiting for parts → completed → called back → closed; cancelled from any open state
//! with a reason. Enforced here, whatever door the request came through:
//! - dispatching is [`assign`] (an engineer is named), completing is [`complete`] (the
//!   work done, parts and fees are recorded): neither is a bare status move;
//! - a phone-help order (电话服务) may be completed straight from registered: it was solved
//!   on the phone, nobody was sent;
//! - a completed or called-back order may be reopened (back to in progress) with a reason,
//!   e.g. when the callback finds the problem not solved;
//! - closed and cancelled are final.

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Deserialize;

use super::words::{
    EventKind, FeeKind, Method, Mode, OrderKind, OrderStatus, OrderStatus::*, PaymentKind,
};
use super::{event, load, not_found, FeeLine, Order, OrderId};
use crate::archive::warranty::Status;
use crate::people::calendar::Calendar;
use crate::platform::error::{Error, Result};
use crate::platform::time::{stamp, Stamp};
use crate::stock::ledger;
use crate::stock::parts::{self, MAX_MONEY_FEN};
use crate::stock::words::MovementKind;
use crate::{orders::engineers, platform::text, Desk};

/// The timeline's words for an event.
pub fn event_title(kind: EventKind, to: Option<OrderStatus>) -> String {
    match kind {
        EventKind::Status => format!("状态改为{}", to.map_or("未知状态", OrderStatus::label)),
        kind => kind.label().into(),
    }
}

/// The order's row as the flow needs it, read inside the write transaction.
struct Row {
    number: String,
    status: OrderStatus,
    kind: OrderKind,
    mode: Mode,
    warranty: Status,
    engineer_id: Option<crate::orders::engineers::EngineerId>,
    model_id: Option<crate::archive::models::ModelId>,
    slip_due: String,
    total_fen: i64,
    paid_fen: i64,
    version: i64,
}

impl Row {
    /// Refused when the clerk's screen showed an older version (see `check_version`).
    fn seen(&self, version: Option<i64>) -> Result<()> {
        super::check_version(&self.number, version, self.version)
    }
}

fn row(tx: &Db, id: OrderId) -> Result<Row> {
    tx.prepare_cached(
        "SELECT number, status, kind, mode, warranty, engineer_id, model_id, slip_due,
                total_fen, paid_fen, version FROM work_order WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Row {
            number: r.get(0)?,
            status: r.get(1)?,
            kind: r.get(2)?,
            mode: r.get(3)?,
            warranty: r.get(4)?,
            engineer_id: r.get(5)?,
            model_id: r.get(6)?,
            slip_due: r.get(7)?,
            total_fen: r.get(8)?,
            paid_fen: r.get(9)?,
            version: r.get(10)?,
        })
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

fn refused(o: &Row, to: OrderStatus, hint: &str) -> Error {
    Error::invalid(
        "status",
        format!(
            "工单 {} 当前为“{}”，不能改为“{}”{hint}",
            o.number,
            o.status.label(),
            to.label()
        ),
    )
}

/// What a reached callback does to its order: solved, a completed order is called back
/// (已回访); not solved, a completed or called-back order is reopened (back in progress);
/// otherwise the callback is only told on the order's history. `detail` says what the
/// customer said.
pub(crate) fn called_back(
    tx: &Db,
    id: OrderId,
    from: OrderStatus,
    solved: bool,
    at: &str,
    detail: &str,
) -> Result<()> {
    let (to, kind) = match (solved, from) {
        (true, Completed) => (CalledBack, EventKind::Status),
        (false, Completed | CalledBack) => (InProgress, EventKind::Reopened),
        _ => return event(tx, id, at, EventKind::Callback, (None, None), detail),
    };
    set_status(tx, id, from, to, at)?;
    event(tx, id, at, kind, (Some(from), Some(to)), detail)
}

/// Moves the order from `from` to `status`, keeping its counts for the monthly numbers:
/// when work first started, the starts (visits) and the setbacks (waiting for parts,
/// reopened).
pub(crate) fn set_status(
    tx: &Db,
    id: OrderId,
    from: OrderStatus,
    status: OrderStatus,
    at: &str,
) -> Result<()> {
    let reopened = is_reopening(from, status);
    let started = status == OrderStatus::InProgress;
    let setback = status == OrderStatus::WaitingParts || reopened;
    tx.prepare_cached(
        "UPDATE work_order SET status = ?2, updated_at = ?3,
             started_at = CASE WHEN ?5 = 1 THEN coalesce(started_at, ?3) ELSE started_at END,
             starts = starts + ?5,
             setbacks = setbacks + ?4
         WHERE id = ?1",
    )?
    // Counts as integers: PostgreSQL types a parameter by its first use, and `?5` is both
    // a condition and a number here.
    .execute(params![
        id,
        status,
        at,
        i64::from(setback),
        i64::from(started)
    ])?;
    if started {
        // Each start is a visit by the order's engineer of the moment (issue 21, 提成): an
        // order handed over pays each engineer the visits he made.
        tx.prepare_cached(
            "INSERT INTO order_visit (order_id, engineer_id, at)
             SELECT id, engineer_id, ?2 FROM work_order WHERE id = ?1 AND engineer_id IS NOT NULL",
        )?
        .execute(params![id, at])?;
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveArgs {
    pub id: OrderId,
    pub to: String,
    pub reason: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 改状态: start, wait for parts, resume, called back, close, reopen, cancel.
pub fn move_to(desk: &mut Desk, a: MoveArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let reason = text::field("reason", "原因", &a.reason, 200, false)?;
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let Some(to) = OrderStatus::from_word(&a.to) else {
        return Err(Error::invalid(
            "status",
            format!(
                "工单 {} 当前为“{}”，不能改为“未知状态”",
                o.number,
                o.status.label()
            ),
        ));
    };
    if !o.status.may_move_to(to) {
        let hint = match (o.status, to) {
            (Closed | Cancelled, _) => "（已结束的工单不能再改）",
            (Registered, InProgress | Completed) => "（请先派工）",
            (_, Closed) => "（请先完成回访）",
            (_, CalledBack) => "（请先完工）",
            _ => "",
        };
        return Err(refused(&o, to, hint));
    }
    match to {
        Dispatched => {
            return Err(Error::invalid(
                "status",
                format!("工单 {} 请用“派工”选择工程师", o.number),
            ))
        }
        Completed => {
            return Err(Error::invalid(
                "status",
                format!("工单 {} 请用“完工”填写处理结果、备件和费用", o.number),
            ))
        }
        Cancelled if reason.is_empty() => {
            return Err(Error::invalid("reason", "取消工单请填写原因"));
        }
        InProgress if is_reopening(o.status, to) && reason.is_empty() => {
            return Err(Error::invalid("reason", "重新处理已完工的工单请填写原因"));
        }
        _ => {}
    }
    o.seen(a.version)?;
    super::pauses::on_move(&tx, &cal, a.id, to, &reason, now)?;
    if to == Cancelled {
        super::quotes::withdraw(&tx, a.id, &at)?;
    }
    set_status(&tx, a.id, o.status, to, &at)?;
    let kind = if is_reopening(o.status, to) {
        EventKind::Reopened
    } else {
        EventKind::Status
    };
    event(&tx, a.id, &at, kind, (Some(o.status), Some(to)), &reason)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}

/// Back to in progress from completed or called back: reopened, with a reason.
fn is_reopening(from: OrderStatus, to: OrderStatus) -> bool {
    matches!(from, Completed | CalledBack) && to == InProgress
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignArgs {
    pub id: OrderId,
    pub engineer_id: crate::orders::engineers::EngineerId,
    /// Required when another engineer had the order.
    pub reason: String,
    pub appointment_from: String,
    pub appointment_to: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 派工 / 改派: names the engineer (and may set the appointment); stops the reply clock.
pub fn assign(desk: &mut Desk, a: AssignArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let reason = text::field("reason", "改派原因", &a.reason, 200, false)?;
    let engineer = engineers::load(desk.conn(), a.engineer_id)?
        .filter(|e| e.active)
        .ok_or_else(|| Error::invalid("engineer_id", "请选择一位在职的工程师"))?;
    let from = super::local_time("appointment_from", "预约开始时间", &a.appointment_from)?;
    let to = super::local_time("appointment_to", "预约结束时间", &a.appointment_to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(Error::invalid(
                "appointment_to",
                "预约结束时间应晚于开始时间",
            ));
        }
    }
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let (kind, to_status) = match (o.status, o.engineer_id) {
        (Registered, _) => (EventKind::Assigned, Dispatched),
        (Dispatched | InProgress | WaitingParts, Some(old)) if old == engineer.id => {
            return Err(Error::invalid(
                "engineer_id",
                format!("工单 {} 已派给 {}", o.number, engineer.name),
            ))
        }
        (Dispatched | InProgress | WaitingParts, _) => {
            if reason.is_empty() {
                return Err(Error::invalid("reason", "改派请填写原因"));
            }
            (EventKind::Reassigned, o.status)
        }
        _ => return Err(refused(&o, Dispatched, "（只有未完工的工单可以派工）")),
    };
    o.seen(a.version)?;
    super::pauses::end(&tx, &cal, a.id, now, kind.label())?;
    tx.prepare_cached(
        "UPDATE work_order SET engineer_id = ?2, status = ?3, updated_at = ?4,
             reply_at = coalesce(reply_at, ?4),
             appointment_from = coalesce(?5, appointment_from),
             appointment_to = coalesce(?6, appointment_to)
         WHERE id = ?1",
    )?
    .execute(params![
        a.id,
        engineer.id,
        to_status,
        at,
        from.map(stamp),
        to.map(stamp)
    ])?;
    let old_name: Option<String> = match o.engineer_id {
        Some(old) => engineers::load(&tx, old)?.map(|e| e.name),
        None => None,
    };
    let detail = match old_name {
        Some(old) => format!("{old} → {}：{reason}", engineer.name),
        None if reason.is_empty() => engineer.name.clone(),
        None => format!("{}：{reason}", engineer.name),
    };
    event(
        &tx,
        a.id,
        &at,
        kind,
        (Some(o.status), Some(to_status)),
        &detail,
    )?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmArgs {
    pub id: OrderId,
    pub note: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 回电确认: the confirmation call was made (stops the 3-minute clock).
pub fn confirm(desk: &mut Desk, a: ConfirmArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let cal = Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    if !o.status.is_open() {
        // Only an open order waits for its confirmation call.
        return Err(Error::invalid(
            "status",
            format!(
                "工单 {} 当前为“{}”，不需要回电确认",
                o.number,
                o.status.label()
            ),
        ));
    }
    o.seen(a.version)?;
    let n = tx.execute(
        "UPDATE work_order SET confirm_at = ?2, updated_at = ?2 WHERE id = ?1 AND confirm_at IS NULL",
        params![a.id, at],
    )?;
    if n == 0 {
        return Err(Error::invalid(
            "id",
            format!("工单 {} 已经确认过", o.number),
        ));
    }
    // The customer was reached: a wait for them is over.
    super::pauses::end(&tx, &cal, a.id, now, EventKind::Confirmed.label())?;
    event(&tx, a.id, &at, EventKind::Confirmed, (None, None), &note)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PartUse {
    pub part_id: crate::stock::parts::PartId,
    pub store_id: crate::stock::parts::StoreId,
    pub quantity: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompleteArgs {
    pub id: OrderId,
    pub diagnosis: String,
    pub work_done: String,
    pub parts: Vec<PartUse>,
    /// Labour, call-out and other fees; the parts fee is computed from the parts used.
    pub fees: Vec<FeeLine>,
    /// Why the slip comes back after its 2 working days (required then).
    pub late_reason: String,
    /// Why an order in warranty is charged a fee (labour, call-out, other): required then,
    /// recorded in the completion's entry of the order's timeline.
    pub fee_reason: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// 完工: diagnosis, work done, parts used (each line out through the ledger in this same
/// transaction; in warranty they cost the customer nothing but are recorded), fee lines
/// and the total. A fee on an order in warranty needs its reason (`fee_reason`), written
/// into the completion's timeline entry. Stops the reply and slip clocks. Nothing is written if anything is wrong,
/// a part short in its store included.
///
/// `then` runs last, inside the same transaction, with the completed order's id, kind,
/// completion time and the working calendar: the follow-up area opens the order's callback
/// there (`followup::callbacks::complete`, which is what the command `orders.complete`
/// runs), so the order never depends on what comes after it.
pub fn complete(
    desk: &mut Desk,
    a: CompleteArgs,
    then: impl FnOnce(&Db, OrderId, OrderKind, DateTime<Utc>, &Calendar) -> Result<()>,
) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let diagnosis = text::field("diagnosis", "故障原因", &a.diagnosis, 500, false)?;
    let work_done = text::field("work_done", "处理结果", &a.work_done, 500, true)?;
    let late_reason = text::field("late_reason", "服务单逾期原因", &a.late_reason, 200, false)?;
    let fee_reason = text::field("fee_reason", "保内收费原因", &a.fee_reason, 200, false)?;
    let mut fees = fee_lines(&a.fees)?;
    check_quantities(&a.parts)?;
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    if !o.status.may_complete(o.mode) {
        let hint = match o.status {
            Registered | Dispatched => "（请先开始处理）",
            WaitingParts => "（备件到了请先继续处理）",
            _ => "",
        };
        return Err(refused(&o, Completed, hint));
    }
    // A paused order's slip clock is judged as it stands once completion ends the pause.
    let slip_due = super::pauses::due_after(&tx, &cal, a.id, &o.slip_due, now)?;
    let late = crate::platform::time::parse(&slip_due).is_some_and(|due| now > due);
    if late && late_reason.is_empty() {
        return Err(Error::invalid(
            "late_reason",
            "服务单超过2个工作日才交回，请填写逾期原因",
        ));
    }
    let in_warranty = o.warranty == Status::In;
    let charged: i64 = fees.iter().map(|f| f.amount_fen).sum();
    if in_warranty && charged > 0 && fee_reason.is_empty() {
        return Err(Error::invalid(
            "fee_reason",
            format!(
                "保内工单收取费用（{}）须填写保内收费原因",
                crate::platform::money::yuan(charged)
            ),
        ));
    }
    o.seen(a.version)?;
    super::pauses::end(&tx, &cal, a.id, now, EventKind::Completed.label())?;
    let (parts_fee, names) = use_parts(&tx, a.id, &o, &a.parts, in_warranty, &at)?;
    if parts_fee > 0 {
        fees.insert(
            0,
            FeeLine {
                kind: FeeKind::Parts.to_string(),
                description: FeeKind::Parts.label().into(),
                amount_fen: parts_fee,
            },
        );
    }
    let total = bill(&tx, a.id, &fees)?;
    // 保外报价: no answer pending, and not above what the customer approved.
    super::quotes::check_bill(&tx, a.id, &o.number, total)?;
    tx.prepare_cached(
        "UPDATE work_order SET status = ?7, diagnosis = ?2, work_done = ?3, total_fen = ?4,
             completed_at = ?5, updated_at = ?5, reply_at = coalesce(reply_at, ?5), slip_at = ?5,
             slip_late_reason = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        a.id,
        diagnosis,
        work_done,
        total,
        at,
        late_reason,
        Completed
    ])?;
    let mut detail = format!("{work_done}；合计 {}", crate::platform::money::yuan(total));
    if !names.is_empty() {
        detail.push_str(&format!("；用料 {}", names.join("，")));
    }
    if in_warranty && !names.is_empty() {
        detail.push_str("（保内备件不收费）");
    }
    if in_warranty && charged > 0 {
        detail.push_str(&format!("；保内收费原因：{fee_reason}"));
    }
    event(
        &tx,
        a.id,
        &at,
        EventKind::Completed,
        (Some(o.status), Some(Completed)),
        &detail,
    )?;
    then(&tx, a.id, o.kind, now, &cal)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}

/// The fee lines the engineer typed (labour, call-out, other), checked; lines of ¥0 are
/// dropped. Parts are billed from the parts used, never typed.
fn fee_lines(typed: &[FeeLine]) -> Result<Vec<FeeLine>> {
    let mut fees = Vec::new();
    for (i, f) in typed.iter().enumerate() {
        let typed = FeeKind::from_word(&f.kind).filter(|k| FeeKind::TYPED.contains(k));
        let Some(kind) = typed else {
            let hint = if f.kind == FeeKind::Parts.as_str() {
                "（备件费按所用备件自动计算）"
            } else {
                ""
            };
            return Err(Error::invalid(
                "fees",
                format!("第{}行费用类型只能是工时费、上门费或其他{hint}", i + 1),
            ));
        };
        if !(0..=MAX_MONEY_FEN).contains(&f.amount_fen) {
            return Err(Error::invalid(
                "fees",
                format!("第{}行{}应在0到1亿元之间", i + 1, kind.label()),
            ));
        }
        let description = text::field("fees", "费用说明", &f.description, 60, false)?;
        if f.amount_fen > 0 {
            fees.push(FeeLine {
                kind: kind.to_string(),
                description: if description.is_empty() {
                    kind.label().to_string()
                } else {
                    description
                },
                amount_fen: f.amount_fen,
            });
        }
    }
    Ok(fees)
}

/// Every part line's quantity is a positive whole number (checked before anything is read).
fn check_quantities(parts: &[PartUse]) -> Result<()> {
    for (i, p) in parts.iter().enumerate() {
        if p.quantity <= 0 || p.quantity > 1_000_000 {
            return Err(Error::invalid(
                "parts",
                format!("第{}行备件数量应为正整数", i + 1),
            ));
        }
    }
    Ok(())
}

/// Issues every part used through the ledger (a part short in its store refuses the whole
/// completion), records it on the order at its price (nothing charged in warranty) and
/// counts it for the model's probable parts. Returns the parts fee and the lines as the
/// order's history tells them.
fn use_parts(
    tx: &Db,
    id: OrderId,
    o: &Row,
    used: &[PartUse],
    in_warranty: bool,
    at: &Stamp,
) -> Result<(i64, Vec<String>)> {
    let mut parts_fee = 0i64;
    let mut names = Vec::new();
    for (i, p) in used.iter().enumerate() {
        let part = parts::load(tx, p.part_id)?
            .ok_or_else(|| Error::invalid("parts", format!("第{}行备件不存在", i + 1)))?;
        // Only a missing store is the clerk's to mend; a database error (a server restarting)
        // stays one, so the door answers "try again", not "no such store".
        parts::store(tx, p.store_id).map_err(|e| match e {
            Error::Invalid { .. } => Error::invalid(
                "parts",
                format!("第{}行仓库不存在（编号 {}）", i + 1, p.store_id),
            ),
            other => other,
        })?;
        let balance = ledger::balance(tx, p.part_id, p.store_id)?;
        let value = ledger::out_value(balance, p.quantity);
        let movement = ledger::post(
            tx,
            &ledger::Post {
                kind: MovementKind::Issue,
                part_id: p.part_id,
                store_id: p.store_id,
                quantity: -p.quantity,
                value_fen: -value,
                reference: &o.number,
                note: "完工用料",
                pair_id: None,
                reverses: None,
                stocktake_id: None,
            },
            at,
        )
        .map_err(|e| match e {
            Error::Invalid { message, .. } => Error::invalid("parts", message),
            e => e,
        })?;
        let charged = if in_warranty {
            0
        } else {
            part.price_fen * p.quantity
        };
        parts_fee += charged;
        tx.prepare_cached(
            "INSERT INTO order_part (order_id, part_id, store_id, quantity, unit_price_fen, charged_fen,
                                     in_warranty, movement_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            p.part_id,
            p.store_id,
            p.quantity,
            part.price_fen,
            charged,
            in_warranty as i64,
            movement
        ])?;
        if let Some(model_id) = o.model_id {
            tx.prepare_cached(
                "INSERT INTO model_part (model_id, part_id, uses) VALUES (?1, ?2, 1)
                 ON CONFLICT (model_id, part_id) DO UPDATE SET uses = model_part.uses + 1",
            )?
            .execute(params![model_id, p.part_id])?;
        }
        names.push(format!("{} {}×{}", part.code, part.name, p.quantity));
    }
    Ok((parts_fee, names))
}

/// Writes the fee lines and returns the order's total: a reopened order completed again
/// keeps what it billed the first time.
fn bill(tx: &Db, id: OrderId, fees: &[FeeLine]) -> Result<i64> {
    for f in fees {
        tx.prepare_cached(
            "INSERT INTO fee_line (order_id, kind, description, amount_fen) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, f.kind, f.description, f.amount_fen])?;
    }
    let total: i64 = tx
        .prepare_cached("SELECT coalesce(sum(amount_fen), 0) FROM fee_line WHERE order_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok(total)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PayArgs {
    pub id: OrderId,
    /// cash, transfer, wechat, alipay; `on_account` puts what is still owed on account.
    pub method: String,
    /// Received (> 0) or refunded (< 0, with a reason in `note`).
    pub amount_fen: i64,
    pub note: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
    /// `payment` (or empty) or `deposit`: 定金 on an approved quote, before the work is
    /// done (quotes.rs).
    pub kind: String,
}

/// 收款: a payment, a refund, or the rest put on account (挂账, it stays a receivable).
/// Payments are append-only: a mistake is put right with a refund line. A deposit (定金)
/// is taken on an open order with an approved quote (see `quotes::check_deposit`); a
/// cancelled order's deposit is refunded here too.
pub fn pay(desk: &mut Desk, a: PayArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let method = Method::from_word(&a.method).ok_or_else(|| {
        Error::invalid("method", "付款方式只能是现金、银行转账、微信、支付宝或挂账")
    })?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let deposit = match a.kind.trim() {
        "" => PaymentKind::Payment,
        word => PaymentKind::parse(word, "kind")?,
    } == PaymentKind::Deposit;
    if deposit && method == Method::OnAccount {
        return Err(Error::invalid(
            "method",
            "定金付款方式只能是现金、银行转账、微信或支付宝",
        ));
    }
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let refund_of_cancelled = o.status == Cancelled && a.amount_fen < 0 && !deposit;
    if deposit {
        super::quotes::check_deposit(&tx, a.id, (&o.number, o.status), o.paid_fen, a.amount_fen)?;
    } else if !OrderStatus::DONE.contains(&o.status) && !refund_of_cancelled {
        return Err(Error::invalid(
            "id",
            format!("工单 {} 还没有完工，完工后才能收款", o.number),
        ));
    }
    let owed = o.total_fen - o.paid_fen;
    let (amount, kind) = if deposit {
        (a.amount_fen, EventKind::Deposit)
    } else if method == Method::OnAccount {
        if owed <= 0 {
            return Err(Error::invalid(
                "method",
                format!("工单 {} 没有未收金额", o.number),
            ));
        }
        (owed, EventKind::OnAccount)
    } else if a.amount_fen > 0 {
        if a.amount_fen > owed {
            return Err(Error::invalid(
                "amount_fen",
                format!(
                    "收款金额超过未收金额 {}",
                    crate::platform::money::yuan(owed.max(0))
                ),
            ));
        }
        (a.amount_fen, EventKind::Payment)
    } else if a.amount_fen < 0 {
        if note.is_empty() {
            return Err(Error::invalid("note", "退款请在备注中写明原因"));
        }
        if -a.amount_fen > o.paid_fen {
            return Err(Error::invalid(
                "amount_fen",
                format!(
                    "退款金额超过已收金额 {}",
                    crate::platform::money::yuan(o.paid_fen)
                ),
            ));
        }
        (a.amount_fen, EventKind::Refund)
    } else {
        return Err(Error::invalid("amount_fen", "请填写金额"));
    };
    o.seen(a.version)?;
    tx.prepare_cached(
        "INSERT INTO payment (order_id, at, \"user\", method, amount_fen, note, kind)
         VALUES (?1, ?2, desk_user(), ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        a.id,
        at,
        method,
        amount,
        note,
        if deposit {
            PaymentKind::Deposit
        } else {
            PaymentKind::Payment
        }
    ])?;
    // Put on account, nothing is received: the row is still touched, so that the order's
    // version moves on (a desk that saw what was owed before must not act on it unseen).
    let received = if kind == EventKind::OnAccount {
        0
    } else {
        amount
    };
    tx.prepare_cached(
        "UPDATE work_order SET paid_fen = paid_fen + ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![a.id, received, at])?;
    let detail = format!(
        "{} {}{}",
        method.label(),
        crate::platform::money::yuan(amount),
        if note.is_empty() {
            String::new()
        } else {
            format!("：{note}")
        }
    );
    event(&tx, a.id, &at, kind, (None, None), &detail)?;
    tx.commit()?;
    load(desk.conn(), desk.actor(), a.id, now)
}
