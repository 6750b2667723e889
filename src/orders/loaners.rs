//! 备用机 (issue 21): the register of loaner machines the centre lends to a customer while
//! their own machine is in repair, and the loans.
//!
//! A loaner is in the register once (its serial is unique); it is never deleted, only
//! retired (报废/停用), and a retired one is not lent. A loan ties a loaner to an open work
//! order and that order's customer, with a deposit and an expected return date (a calendar
//! date, the desk's UTC+8 day). At most one loan per loaner is open: checked in the
//! command's write transaction, and held by the partial unique index `loan_open` whatever
//! the engine or the door.
//!
//! Money goes the one way the desk keeps money: the deposit taken is a row of `payment` on
//! the loan's order (amount > 0), its refund on return another (amount < 0), both with
//! `loan_id` set. They are held for the customer, not paid towards the order's bill, so
//! `work_order.paid_fen` and the monthly 回款 leave them out (docs/DECISIONS.md, issue 21).
//! A loaner that comes back damaged keeps the return's note in the register's note.

use chrono::{Days, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::{LoanerCondition, Method};
use super::{event, not_found, EventKind, OrderId, OrderStatus};
use crate::archive::customers::CustomerId;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::money::yuan;
use crate::platform::time::Stamp;
use crate::platform::{dates, text};
use crate::Desk;

crate::ids! {
    /// A loaner machine's id.
    pub struct LoanerId;
}

crate::ids! {
    /// A loan's id.
    pub struct LoanId;
}

/// The largest deposit: ¥50,000 (a loaner is a household or office machine; a typing
/// slip of three zeros must not become a receipt).
pub const MAX_DEPOSIT_FEN: i64 = 5_000_000;
/// The furthest expected return date, in days after today.
pub const MAX_LOAN_DAYS: u64 = 180;
const SERIAL_MAX: usize = 40;
const MODEL_MAX: usize = 60;
const NOTE_MAX: usize = 200;

/// A loan as the register, the order and the day board show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Loan {
    pub id: LoanId,
    pub loaner_id: LoanerId,
    pub model: String,
    pub serial: String,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer_id: CustomerId,
    pub customer: String,
    pub lent_at: String,
    pub lent_by: String,
    /// The expected return date, `YYYY-MM-DD`.
    pub due_date: String,
    pub deposit_fen: i64,
    pub deposit_method: Method,
    pub lent_condition: LoanerCondition,
    pub returned_at: Option<String>,
    pub return_condition: Option<LoanerCondition>,
    pub return_note: String,
    /// Days past the due date (today's local date), 0 when not late or returned.
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Loaner {
    pub id: LoanerId,
    pub model: String,
    pub serial: String,
    pub condition: LoanerCondition,
    pub condition_label: &'static str,
    pub deposit_fen: i64,
    pub retired: bool,
    pub note: String,
    /// The open loan, when it is out.
    pub loan: Option<Loan>,
}

const LOAN_SELECT: &str = "SELECT l.id, l.loaner_id, r.model, r.serial, l.order_id, o.number,
        l.customer_id, c.name, l.lent_at, l.lent_by, l.due_date, l.deposit_fen, l.deposit_method,
        l.lent_condition, l.returned_at, l.return_condition, l.return_note
    FROM loan l JOIN loaner r ON r.id = l.loaner_id
    JOIN work_order o ON o.id = l.order_id JOIN customer c ON c.id = l.customer_id";

fn loans(
    conn: &Db,
    tail: &str,
    p: impl crate::platform::db::Args,
    today: NaiveDate,
) -> Result<Vec<Loan>> {
    let mut stmt = conn.prepare_cached(&format!("{LOAN_SELECT} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        let due_date: String = r.get(10)?;
        let returned_at: Option<String> = r.get(14)?;
        let days_overdue = match (returned_at.as_ref(), dates::parse(&due_date)) {
            (None, Some(due)) if due < today => (today - due).num_days(),
            _ => 0,
        };
        Ok(Loan {
            id: r.get(0)?,
            loaner_id: r.get(1)?,
            model: r.get(2)?,
            serial: r.get(3)?,
            order_id: r.get(4)?,
            order_number: r.get(5)?,
            customer_id: r.get(6)?,
            customer: r.get(7)?,
            lent_at: r.get(8)?,
            lent_by: r.get(9)?,
            due_date,
            deposit_fen: r.get(11)?,
            deposit_method: r.get(12)?,
            lent_condition: r.get(13)?,
            returned_at,
            return_condition: r.get(15)?,
            return_note: r.get(16)?,
            days_overdue,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn loaners(
    conn: &Db,
    tail: &str,
    p: impl crate::platform::db::Args,
    today: NaiveDate,
) -> Result<Vec<Loaner>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, model, serial, condition, deposit_fen, retired, note FROM loaner {tail}"
    ))?;
    let rows = stmt.query_map(p, |r| {
        let condition: LoanerCondition = r.get(3)?;
        Ok(Loaner {
            id: r.get(0)?,
            model: r.get(1)?,
            serial: r.get(2)?,
            condition_label: condition.label(),
            condition,
            deposit_fen: r.get(4)?,
            retired: r.get::<_, i64>(5)? == 1,
            note: r.get(6)?,
            loan: None,
        })
    })?;
    let mut items: Vec<Loaner> = rows.collect::<rusqlite::Result<_>>()?;
    let open = loans(conn, "WHERE l.returned_at IS NULL", [], today)?;
    for item in &mut items {
        item.loan = open.iter().find(|l| l.loaner_id == item.id).cloned();
    }
    Ok(items)
}

fn load(conn: &Db, id: LoanerId, today: NaiveDate) -> Result<Loaner> {
    loaners(conn, "WHERE id = ?1", [id], today)?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("备用机不存在（编号 {id}）")))
}

/// The open loans of a customer (what the slip prints and the order shows).
pub(crate) fn out_with(conn: &Db, customer: CustomerId, today: NaiveDate) -> Result<Vec<Loan>> {
    loans(
        conn,
        "WHERE l.customer_id = ?1 AND l.returned_at IS NULL ORDER BY l.id",
        [customer],
        today,
    )
}

/// Loans past their expected return date, the longest late first (the day board).
pub(crate) fn overdue(conn: &Db, today: NaiveDate) -> Result<Vec<Loan>> {
    loans(
        conn,
        "WHERE l.returned_at IS NULL AND l.due_date < ?1 ORDER BY l.due_date, l.id",
        [dates::show(today)],
        today,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    /// Also the retired ones.
    pub all: bool,
    /// Only the loans of this order's customer (the order screen).
    pub order_id: Option<OrderId>,
}

#[derive(Debug, Serialize)]
pub struct LoanerList {
    pub items: Vec<Loaner>,
    /// The open loans of the order's customer, when `order_id` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_loans: Option<Vec<Loan>>,
    pub overdue: usize,
}

/// 备用机登记簿: every loaner (in use first by serial), each with its open loan.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<LoanerList> {
    let today = desk.today();
    let conn = desk.conn();
    let tail = if a.all {
        "ORDER BY retired, serial"
    } else {
        "WHERE retired = 0 ORDER BY serial"
    };
    let items = loaners(conn, tail, [], today)?;
    let customer_loans = match a.order_id {
        Some(id) => {
            let customer: CustomerId = conn
                .query_row(
                    "SELECT customer_id FROM work_order WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found(id))?;
            Some(out_with(conn, customer, today)?)
        }
        None => None,
    };
    Ok(LoanerList {
        overdue: overdue(conn, today)?.len(),
        items,
        customer_loans,
    })
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    pub id: Option<LoanerId>,
    pub model: String,
    pub serial: String,
    pub condition: String,
    pub deposit_fen: i64,
    pub retired: bool,
    pub note: String,
}

impl Default for SaveArgs {
    fn default() -> Self {
        SaveArgs {
            id: None,
            model: String::new(),
            serial: String::new(),
            condition: LoanerCondition::Good.as_str().into(),
            deposit_fen: 0,
            retired: false,
            note: String::new(),
        }
    }
}

fn deposit(field: &'static str, fen: i64) -> Result<i64> {
    if !(0..=MAX_DEPOSIT_FEN).contains(&fen) {
        return Err(Error::invalid(
            field,
            format!("押金应在 ¥0.00 到 {} 之间", yuan(MAX_DEPOSIT_FEN)),
        ));
    }
    Ok(fen)
}

/// A serial as printed on the machine: letters, digits and - / . only, so that it reads
/// the same on the slip, the label and the phone.
fn serial(value: &str) -> Result<String> {
    let s = text::field("serial", "序列号", value, SERIAL_MAX, true)?.to_uppercase();
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
    {
        return Err(Error::invalid("serial", "序列号只能包含字母、数字和 - / ."));
    }
    Ok(s)
}

/// 保存备用机: adds one to the register or changes it. Nothing is deleted: one no longer
/// lent is retired. A loaner out on loan cannot be retired until it is back.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Loaner> {
    let model = text::field("model", "型号", &a.model, MODEL_MAX, true)?;
    let serial = serial(&a.serial)?;
    let condition = LoanerCondition::parse(&a.condition, "condition")?;
    let deposit_fen = deposit("deposit_fen", a.deposit_fen)?;
    let note = text::field("note", "备注", &a.note, NOTE_MAX, false)?;
    let today = desk.today();
    let at = desk.stamp();
    let tx = desk.write()?;
    if let Some(id) = a.id {
        // Retiring races a lending of the same machine: both write this row first.
        touch(&tx, id, &at)?;
    }
    let clash: Option<LoanerId> = tx
        .query_row(
            "SELECT id FROM loaner WHERE serial = ?1 AND id IS DISTINCT FROM ?2",
            params![serial, a.id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(Error::invalid(
            "serial",
            format!("序列号 {serial} 已在备用机登记簿中"),
        ));
    }
    let id = match a.id {
        Some(id) => {
            if a.retired && open_loan(&tx, id)?.is_some() {
                return Err(Error::invalid(
                    "retired",
                    format!("备用机 {serial} 还在借出中，归还后才能停用"),
                ));
            }
            let n = tx.execute(
                "UPDATE loaner SET model = ?2, serial = ?3, condition = ?4, deposit_fen = ?5,
                     retired = ?6, note = ?7, updated_at = ?8 WHERE id = ?1",
                params![
                    id,
                    model,
                    serial,
                    condition,
                    deposit_fen,
                    a.retired as i64,
                    note,
                    at
                ],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("备用机不存在（编号 {id}）")));
            }
            id
        }
        None => {
            tx.execute(
                "INSERT INTO loaner (model, serial, condition, deposit_fen, retired, note, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![model, serial, condition, deposit_fen, a.retired as i64, note, at],
            )?;
            LoanerId(tx.last_insert_rowid()?)
        }
    };
    crate::people::audit::record(
        &tx,
        &at,
        "loaner_saved",
        "loaner",
        id,
        &format!(
            "备用机 {model} {serial}，{}，押金 {}{}",
            condition.label(),
            yuan(deposit_fen),
            if a.retired { "，已停用" } else { "" }
        ),
    )?;
    tx.commit()?;
    load(desk.conn(), id, today)
}

/// Writes the loaner's row before anything is read of it. Two desks lending (or taking
/// back) the same machine at once then queue on that row: on SQLite the write lock already
/// does it; on PostgreSQL the later transaction, at SERIALIZABLE, is rolled back when the
/// first commits (40001) and the command table runs it again, when it reads the loan the
/// first one made and is refused in words. Without it both would read "not lent" and the
/// later one would meet the unique index `loan_open` as a bare storage error.
fn touch(tx: &Db, id: LoanerId, at: &Stamp) -> Result<()> {
    tx.execute(
        "UPDATE loaner SET updated_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

fn open_loan(tx: &Db, id: LoanerId) -> Result<Option<LoanId>> {
    Ok(tx
        .query_row(
            "SELECT id FROM loan WHERE loaner_id = ?1 AND returned_at IS NULL",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LendArgs {
    pub loaner_id: LoanerId,
    pub order_id: OrderId,
    /// None: the register's deposit for this loaner.
    pub deposit_fen: Option<i64>,
    /// cash, transfer, wechat, alipay (a deposit is never put on account).
    pub method: String,
    /// The expected return date (`2026-12-20`), today at the earliest.
    pub due_date: String,
}

/// Writes a deposit or its refund as a payment of the loan's order (see the module's
/// comment), and the order's timeline.
fn money(
    tx: &Db,
    at: &Stamp,
    loan: LoanId,
    order: OrderId,
    method: Method,
    fen: i64,
    note: &str,
) -> Result<()> {
    if fen == 0 {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO payment (order_id, at, \"user\", method, amount_fen, note, loan_id)
         VALUES (?1, ?2, desk_user(), ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order, at, method, fen, note, loan])?;
    Ok(())
}

/// The order's timeline and the audit trail for a loan lent or returned: the audit's
/// action is the event's word (`loaner_lent`, `loaner_returned`).
fn record(
    tx: &Db,
    at: &Stamp,
    (order, number): (OrderId, &str),
    loaner: LoanerId,
    kind: EventKind,
    what: &str,
) -> Result<()> {
    event(tx, order, at, kind, (None, None), what)?;
    crate::people::audit::record(
        tx,
        at,
        kind.as_str(),
        "loaner",
        loaner,
        &format!("工单 {number} {what}"),
    )
}

/// 借出备用机: lends a loaner to an open order's customer, takes the deposit.
pub fn lend(desk: &mut Desk, a: LendArgs) -> Result<Loaner> {
    let method = Method::from_word(&a.method)
        .filter(|m| *m != Method::OnAccount)
        .ok_or_else(|| {
            Error::invalid("method", "押金付款方式只能是现金、银行转账、微信或支付宝")
        })?;
    let today = desk.today();
    let due = dates::field("due_date", "应还日期", Some(&a.due_date))?
        .ok_or_else(|| Error::invalid("due_date", "请填写应还日期"))?;
    let latest = today + Days::new(MAX_LOAN_DAYS);
    if due < today || due > latest {
        return Err(Error::invalid(
            "due_date",
            format!(
                "应还日期应在今天（{}）到 {} 之间",
                dates::show(today),
                dates::show(latest)
            ),
        ));
    }
    if let Some(fen) = a.deposit_fen {
        deposit("deposit_fen", fen)?;
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    touch(&tx, a.loaner_id, &at)?;
    let loaner = load(&tx, a.loaner_id, today)?;
    if loaner.retired {
        return Err(Error::invalid(
            "loaner_id",
            format!("备用机 {} 已停用，不能借出", loaner.serial),
        ));
    }
    if let Some(l) = &loaner.loan {
        return Err(Error::invalid(
            "loaner_id",
            format!(
                "备用机 {} 已借给 {}（工单 {}），归还后才能再借出",
                loaner.serial, l.customer, l.order_number
            ),
        ));
    }
    let (number, customer, status): (String, CustomerId, OrderStatus) = tx
        .query_row(
            "SELECT number, customer_id, status FROM work_order WHERE id = ?1",
            [a.order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| not_found(a.order_id))?;
    if !status.is_open() {
        return Err(Error::invalid(
            "order_id",
            format!(
                "工单 {number} {}，只能给维修中的工单借出备用机",
                status.label()
            ),
        ));
    }
    let deposit_fen = a.deposit_fen.unwrap_or(loaner.deposit_fen);
    tx.execute(
        "INSERT INTO loan (loaner_id, order_id, customer_id, lent_at, lent_by, due_date,
             deposit_fen, deposit_method, lent_condition)
         VALUES (?1, ?2, ?3, ?4, desk_user(), ?5, ?6, ?7, ?8)",
        params![
            a.loaner_id,
            a.order_id,
            customer,
            at,
            dates::show(due),
            deposit_fen,
            method,
            loaner.condition
        ],
    )?;
    let loan = LoanId(tx.last_insert_rowid()?);
    let what = format!(
        "备用机 {} {}，押金 {}（{}），应还 {}",
        loaner.model,
        loaner.serial,
        yuan(deposit_fen),
        method.label(),
        dates::show(due)
    );
    money(
        &tx,
        &at,
        loan,
        a.order_id,
        method,
        deposit_fen,
        &format!("备用机押金：{} {}", loaner.model, loaner.serial),
    )?;
    record(
        &tx,
        &at,
        (a.order_id, &number),
        loaner.id,
        EventKind::LoanerLent,
        &what,
    )?;
    tx.commit()?;
    load(desk.conn(), a.loaner_id, today)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnArgs {
    pub loaner_id: LoanerId,
    /// The condition it came back in.
    pub condition: String,
    /// What is wrong with it (required when damaged).
    pub note: String,
}

/// 归还备用机: records the condition it came back in, refunds the whole deposit the way
/// it was taken; a damaged one keeps the note in the register. Charging the customer for
/// damage is a fee line of the order, not a deduction from the deposit.
pub fn return_loaner(desk: &mut Desk, a: ReturnArgs) -> Result<Loaner> {
    let condition = LoanerCondition::parse(&a.condition, "condition")?;
    let note = text::field("note", "损坏说明", &a.note, NOTE_MAX, false)?;
    if condition == LoanerCondition::Damaged && note.is_empty() {
        return Err(Error::invalid("note", "备用机损坏，请写明损坏情况"));
    }
    let today = desk.today();
    let at = desk.stamp();
    let tx = desk.write()?;
    touch(&tx, a.loaner_id, &at)?;
    let loaner = load(&tx, a.loaner_id, today)?;
    let Some(loan) = loaner.loan else {
        return Err(Error::invalid(
            "loaner_id",
            format!("备用机 {} 没有借出，无需归还", loaner.serial),
        ));
    };
    tx.execute(
        "UPDATE loan SET returned_at = ?2, returned_by = desk_user(), return_condition = ?3,
             return_note = ?4 WHERE id = ?1 AND returned_at IS NULL",
        params![loan.id, at, condition, note],
    )?;
    let kept_note = if note.is_empty() {
        loaner.note.clone()
    } else {
        let line = format!("{} 归还{}：{note}", dates::show(today), condition.label());
        let joined = if loaner.note.is_empty() {
            line
        } else {
            format!("{}；{line}", loaner.note)
        };
        // The register's note stays within its bound: the newest words are kept.
        let len = joined.chars().count();
        joined.chars().skip(len.saturating_sub(NOTE_MAX)).collect()
    };
    tx.execute(
        "UPDATE loaner SET condition = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
        params![loaner.id, condition, kept_note, at],
    )?;
    let what = format!(
        "备用机 {} {} 归还，{}{}，退押金 {}",
        loaner.model,
        loaner.serial,
        condition.label(),
        if note.is_empty() {
            String::new()
        } else {
            format!("（{note}）")
        },
        yuan(loan.deposit_fen)
    );
    money(
        &tx,
        &at,
        loan.id,
        loan.order_id,
        loan.deposit_method,
        -loan.deposit_fen,
        &format!("退备用机押金：{} {}", loaner.model, loaner.serial),
    )?;
    record(
        &tx,
        &at,
        (loan.order_id, &loan.order_number),
        loaner.id,
        EventKind::LoanerReturned,
        &what,
    )?;
    tx.commit()?;
    load(desk.conn(), a.loaner_id, today)
}
