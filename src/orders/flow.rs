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

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;

use super::{event, load, not_found, status_label, FeeLine, Order, OrderId};
use crate::platform::error::{Error, Result};
use crate::platform::time::stamp;
use crate::stock::ledger;
use crate::stock::parts::{self, MAX_MONEY_FEN};
use crate::{people::engineers, platform::text, Desk};

/// Where each status may go by [`move_to`] (assign and complete have their own rules).
pub fn moves_from(status: &str) -> &'static [&'static str] {
    match status {
        "registered" => &["dispatched", "cancelled"],
        "dispatched" => &["in_progress", "cancelled"],
        "in_progress" => &["waiting_parts", "completed", "cancelled"],
        "waiting_parts" => &["in_progress", "cancelled"],
        "completed" => &["called_back", "in_progress"],
        "called_back" => &["closed", "in_progress"],
        _ => &[],
    }
}

/// The timeline's words for an event.
pub fn event_title(kind: &str, to: Option<&str>) -> String {
    match kind {
        "created" => "登记工单".into(),
        "confirmed" => "已回电确认".into(),
        "assigned" => "派工".into(),
        "reassigned" => "改派".into(),
        "completed" => "完工".into(),
        "payment" => "收款".into(),
        "refund" => "退款".into(),
        "on_account" => "挂账".into(),
        "reopened" => "重新处理".into(),
        "status" => format!("状态改为{}", status_label(to.unwrap_or(""))),
        _ => "记录".into(),
    }
}

/// The order's row as the flow needs it, read inside the write transaction.
struct Row {
    number: String,
    status: String,
    kind: String,
    mode: String,
    warranty: String,
    engineer_id: Option<i64>,
    model_id: Option<i64>,
    slip_due: String,
    total_fen: i64,
    paid_fen: i64,
}

fn row(tx: &Transaction, id: OrderId) -> Result<Row> {
    tx.prepare_cached(
        "SELECT number, status, kind, mode, warranty, engineer_id, model_id, slip_due,
                total_fen, paid_fen FROM work_order WHERE id = ?1",
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
        })
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

fn refused(o: &Row, to: &str, hint: &str) -> Error {
    Error::invalid(
        "status",
        format!(
            "工单 {} 当前为“{}”，不能改为“{}”{hint}",
            o.number,
            status_label(&o.status),
            status_label(to)
        ),
    )
}

/// Moves the order from `from` to `status`, keeping its counts for the monthly numbers:
/// when work first started, the starts (visits) and the setbacks (waiting for parts,
/// reopened).
pub(crate) fn set_status(
    tx: &Transaction,
    id: OrderId,
    from: &str,
    status: &str,
    at: &str,
) -> Result<()> {
    let reopened = matches!(from, "completed" | "called_back") && status == "in_progress";
    tx.prepare_cached(
        "UPDATE work_order SET status = ?2, updated_at = ?3,
             started_at = CASE WHEN ?2 = 'in_progress' THEN coalesce(started_at, ?3) ELSE started_at END,
             starts = starts + (?2 = 'in_progress'),
             setbacks = setbacks + (?2 = 'waiting_parts' OR ?4)
         WHERE id = ?1",
    )?
    .execute(params![id, status, at, reopened])?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveArgs {
    pub id: OrderId,
    pub to: String,
    pub reason: String,
}

/// 改状态: start, wait for parts, resume, called back, close, reopen, cancel.
pub fn move_to(desk: &mut Desk, a: MoveArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let reason = text::field("reason", "原因", &a.reason, 200, false)?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let to = a.to.as_str();
    if !moves_from(&o.status).contains(&to) {
        let hint = match (o.status.as_str(), to) {
            ("closed" | "cancelled", _) => "（已结束的工单不能再改）",
            ("registered", "in_progress" | "completed") => "（请先派工）",
            (_, "closed") => "（请先完成回访）",
            (_, "called_back") => "（请先完工）",
            _ => "",
        };
        return Err(refused(&o, to, hint));
    }
    match to {
        "dispatched" => {
            return Err(Error::invalid(
                "status",
                format!("工单 {} 请用“派工”选择工程师", o.number),
            ))
        }
        "completed" => {
            return Err(Error::invalid(
                "status",
                format!("工单 {} 请用“完工”填写处理结果、备件和费用", o.number),
            ))
        }
        "cancelled" if reason.is_empty() => {
            return Err(Error::invalid("reason", "取消工单请填写原因"));
        }
        "in_progress"
            if matches!(o.status.as_str(), "completed" | "called_back") && reason.is_empty() =>
        {
            return Err(Error::invalid("reason", "重新处理已完工的工单请填写原因"));
        }
        _ => {}
    }
    set_status(&tx, a.id, &o.status, to, &at)?;
    let kind = if to == "in_progress" && matches!(o.status.as_str(), "completed" | "called_back") {
        "reopened"
    } else {
        "status"
    };
    event(&tx, a.id, &at, kind, (Some(&o.status), Some(to)), &reason)?;
    tx.commit()?;
    load(desk.conn(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignArgs {
    pub id: OrderId,
    pub engineer_id: i64,
    /// Required when another engineer had the order.
    pub reason: String,
    pub appointment_from: String,
    pub appointment_to: String,
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
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let (kind, to_status) = match (o.status.as_str(), o.engineer_id) {
        ("registered", _) => ("assigned", "dispatched"),
        ("dispatched" | "in_progress" | "waiting_parts", Some(old)) if old == engineer.id => {
            return Err(Error::invalid(
                "engineer_id",
                format!("工单 {} 已派给 {}", o.number, engineer.name),
            ))
        }
        ("dispatched" | "in_progress" | "waiting_parts", _) => {
            if reason.is_empty() {
                return Err(Error::invalid("reason", "改派请填写原因"));
            }
            ("reassigned", o.status.as_str())
        }
        _ => return Err(refused(&o, "dispatched", "（只有未完工的工单可以派工）")),
    };
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
        (Some(&o.status), Some(to_status)),
        &detail,
    )?;
    tx.commit()?;
    load(desk.conn(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmArgs {
    pub id: OrderId,
    pub note: String,
}

/// 回电确认: the confirmation call was made (stops the 3-minute clock).
pub fn confirm(desk: &mut Desk, a: ConfirmArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    if matches!(o.status.as_str(), "closed" | "cancelled") {
        return Err(refused(&o, &o.status, "（已结束的工单不需要确认）"));
    }
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
    event(&tx, a.id, &at, "confirmed", (None, None), &note)?;
    tx.commit()?;
    load(desk.conn(), a.id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PartUse {
    pub part_id: i64,
    pub store_id: i64,
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
}

const FEE_KINDS: &[(&str, &str)] = &[
    ("labour", "工时费"),
    ("callout", "上门费"),
    ("other", "其他"),
];

/// 完工: diagnosis, work done, parts used (each line out through the ledger in this same
/// transaction; in warranty they cost the customer nothing but are recorded), fee lines
/// and the total. Stops the reply and slip clocks. Nothing is written if anything is wrong,
/// a part short in its store included.
pub fn complete(desk: &mut Desk, a: CompleteArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let diagnosis = text::field("diagnosis", "故障原因", &a.diagnosis, 500, false)?;
    let work_done = text::field("work_done", "处理结果", &a.work_done, 500, true)?;
    let late_reason = text::field("late_reason", "服务单逾期原因", &a.late_reason, 200, false)?;
    let mut fees = Vec::new();
    for (i, f) in a.fees.iter().enumerate() {
        let Some((kind, label)) = FEE_KINDS.iter().find(|(k, _)| *k == f.kind) else {
            let hint = if f.kind == "parts" {
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
                format!("第{}行{label}应在0到1亿元之间", i + 1),
            ));
        }
        let description = text::field("fees", "费用说明", &f.description, 60, false)?;
        if f.amount_fen > 0 {
            fees.push(FeeLine {
                kind: kind.to_string(),
                description: if description.is_empty() {
                    label.to_string()
                } else {
                    description
                },
                amount_fen: f.amount_fen,
            });
        }
    }
    for (i, p) in a.parts.iter().enumerate() {
        if p.quantity <= 0 || p.quantity > 1_000_000 {
            return Err(Error::invalid(
                "parts",
                format!("第{}行备件数量应为正整数", i + 1),
            ));
        }
    }
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    let allowed = o.status == "in_progress" || (o.status == "registered" && o.mode == "phone_help");
    if !allowed {
        let hint = match o.status.as_str() {
            "registered" | "dispatched" => "（请先开始处理）",
            "waiting_parts" => "（备件到了请先继续处理）",
            _ => "",
        };
        return Err(refused(&o, "completed", hint));
    }
    let late = crate::platform::time::parse(&o.slip_due).is_some_and(|due| now > due);
    if late && late_reason.is_empty() {
        return Err(Error::invalid(
            "late_reason",
            "服务单超过2个工作日才交回，请填写逾期原因",
        ));
    }
    let in_warranty = o.warranty == "in";
    let mut parts_fee = 0i64;
    let mut names = Vec::new();
    for (i, p) in a.parts.iter().enumerate() {
        let part = parts::load(&tx, p.part_id)?
            .ok_or_else(|| Error::invalid("parts", format!("第{}行备件不存在", i + 1)))?;
        parts::store(&tx, p.store_id).map_err(|_| {
            Error::invalid(
                "parts",
                format!("第{}行仓库不存在（编号 {}）", i + 1, p.store_id),
            )
        })?;
        let balance = ledger::balance(&tx, p.part_id, p.store_id)?;
        let value = ledger::out_value(balance, p.quantity);
        let movement = ledger::post(
            &tx,
            &ledger::Post {
                kind: "issue",
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
            &at,
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
            a.id,
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
                 ON CONFLICT (model_id, part_id) DO UPDATE SET uses = uses + 1",
            )?
            .execute(params![model_id, p.part_id])?;
        }
        names.push(format!("{} {}×{}", part.code, part.name, p.quantity));
    }
    if parts_fee > 0 {
        fees.insert(
            0,
            FeeLine {
                kind: "parts".into(),
                description: "备件费".into(),
                amount_fen: parts_fee,
            },
        );
    }
    for f in &fees {
        tx.prepare_cached(
            "INSERT INTO fee_line (order_id, kind, description, amount_fen) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![a.id, f.kind, f.description, f.amount_fen])?;
    }
    // A reopened order completed again keeps what it billed the first time.
    let total: i64 = tx
        .prepare_cached("SELECT coalesce(sum(amount_fen), 0) FROM fee_line WHERE order_id = ?1")?
        .query_row([a.id], |r| r.get(0))?;
    tx.prepare_cached(
        "UPDATE work_order SET status = 'completed', diagnosis = ?2, work_done = ?3, total_fen = ?4,
             completed_at = ?5, updated_at = ?5, reply_at = coalesce(reply_at, ?5), slip_at = ?5,
             slip_late_reason = ?6
         WHERE id = ?1",
    )?
    .execute(params![a.id, diagnosis, work_done, total, at, late_reason])?;
    let mut detail = format!("{work_done}；合计 {}", crate::platform::money::yuan(total));
    if !names.is_empty() {
        detail.push_str(&format!("；用料 {}", names.join("，")));
    }
    if in_warranty && !names.is_empty() {
        detail.push_str("（保内备件不收费）");
    }
    event(
        &tx,
        a.id,
        &at,
        "completed",
        (Some(&o.status), Some("completed")),
        &detail,
    )?;
    crate::followup::callbacks::open_for(&tx, a.id, &o.kind, now, &cal)?;
    tx.commit()?;
    load(desk.conn(), a.id, now)
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
}

const METHODS: &[(&str, &str)] = &[
    ("cash", "现金"),
    ("transfer", "银行转账"),
    ("wechat", "微信"),
    ("alipay", "支付宝"),
    ("on_account", "挂账"),
];

/// 收款: a payment, a refund, or the rest put on account (挂账, it stays a receivable).
/// Payments are append-only: a mistake is put right with a refund line.
pub fn pay(desk: &mut Desk, a: PayArgs) -> Result<Order> {
    let now = desk.now();
    let at = stamp(now);
    let (method, label) = *METHODS
        .iter()
        .find(|(m, _)| *m == a.method)
        .ok_or_else(|| {
            Error::invalid("method", "付款方式只能是现金、银行转账、微信、支付宝或挂账")
        })?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let tx = desk.write()?;
    let o = row(&tx, a.id)?;
    if !matches!(o.status.as_str(), "completed" | "called_back" | "closed") {
        return Err(Error::invalid(
            "id",
            format!("工单 {} 还没有完工，完工后才能收款", o.number),
        ));
    }
    let owed = o.total_fen - o.paid_fen;
    let (amount, kind) = if method == "on_account" {
        if owed <= 0 {
            return Err(Error::invalid(
                "method",
                format!("工单 {} 没有未收金额", o.number),
            ));
        }
        (owed, "on_account")
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
        (a.amount_fen, "payment")
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
        (a.amount_fen, "refund")
    } else {
        return Err(Error::invalid("amount_fen", "请填写金额"));
    };
    tx.prepare_cached(
        "INSERT INTO payment (order_id, at, user, method, amount_fen, note) VALUES (?1, ?2, desk_user(), ?3, ?4, ?5)",
    )?
    .execute(params![a.id, at, method, amount, note])?;
    if kind != "on_account" {
        tx.prepare_cached(
            "UPDATE work_order SET paid_fen = paid_fen + ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![a.id, amount, at])?;
    }
    let detail = format!(
        "{label} {}{}",
        crate::platform::money::yuan(amount),
        if note.is_empty() {
            String::new()
        } else {
            format!("：{note}")
        }
    );
    event(&tx, a.id, &at, kind, (None, None), &detail)?;
    tx.commit()?;
    load(desk.conn(), a.id, now)
}
