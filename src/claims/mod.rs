//! 厂家索赔 (issue 21): what the centre claims from each brand for the in-warranty repairs
//! it did on the brand's machines: the labour by the brand's rate card and the parts whose
//! defective units went back to the factory through the stock ledger (返厂).
//!
//! The rules, enforced here whatever door the request came through (docs/DECISIONS.md,
//! "厂家索赔", says where each comes from):
//! - one claim per order (`claim.order_id` is unique), only for an order that was done
//!   (completed, called back or closed) and in warranty (保内), whose model belongs to a
//!   brand with a rate card line for the order's kind (brands.rs);
//! - a claim belongs to the batch of its brand and the month its order was completed, on
//!   the desk's calendar (UTC+8): an order completed at 23:30 on 31 January is January's;
//! - a part line claims the units whose defective part was returned to the factory with
//!   the order's number on the 返厂 row (stock.defective's `work_order`), at the cost the
//!   issue took off the ledger; the other units are pending (待返件). A draft reads the
//!   ledger as it stands; submitting freezes the lines;
//! - a month's batch is submitted once the month is over, all its drafts at once; it is
//!   due by the brand's Nth working day of the month after (the desk's working calendar:
//!   State Council holidays and 调休), later is recorded as late. Drafts with parts still
//!   pending are not submitted unless the parts are left out of the claim on purpose;
//! - the brand's answer: approved (the whole amount), partly (less, with the reason) or
//!   rejected (nothing, with the reason); then paid (the approved amount, on a date not
//!   before the claim was submitted nor after today). Each move is a row of the claim's
//!   timeline with who and when, and an audit entry.

pub mod brands;
pub mod export;
pub mod words;

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::warranty;
use crate::orders::words::{OrderKind, OrderStatus};
use crate::orders::OrderId;
use crate::people::calendar::Calendar;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::money::yuan;
use crate::platform::text;
use crate::platform::time;
use crate::{Desk, Role};
use brands::BrandId;
use words::{ClaimStatus, LineKind};

crate::ids! {
    /// A claim's id.
    pub struct ClaimId;
}

/// The claim's number as the brand sees it: SP, the batch's month, the id.
pub fn number(month: &str, id: ClaimId) -> String {
    format!("SP{}{:05}", month.replace('-', ""), id.get())
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub kind: LineKind,
    pub description: String,
    /// Units used (labour: 1).
    pub quantity: i64,
    /// Units whose defective part was returned (labour: 1).
    pub returned: i64,
    /// Units used whose defective part is not returned: not claimed.
    pub pending: i64,
    pub amount_fen: i64,
    /// The nonconformity forms (不合格处理单) of the returned units.
    pub forms: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: String,
    pub user: String,
    pub from: Option<ClaimStatus>,
    pub to: ClaimStatus,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub id: ClaimId,
    pub number: String,
    pub brand_id: BrandId,
    pub brand: String,
    pub month: String,
    pub status: ClaimStatus,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer: String,
    pub model: String,
    pub serial: String,
    /// Local, `YYYY-MM-DD HH:mm`.
    pub completed_at: String,
    pub kind: OrderKind,
    pub fault_category: String,
    pub labour_fen: i64,
    pub parts_fen: i64,
    pub claimed_fen: i64,
    pub approved_fen: Option<i64>,
    pub reason: String,
    pub paid_on: Option<String>,
    /// Units of parts not returned (a draft: as the ledger stands now).
    pub pending: i64,
    pub lines: Vec<Line>,
    pub events: Vec<Event>,
    /// Where the acting user may move it by `claims.settle`.
    pub settle_to: Vec<ClaimStatus>,
}

/// What a claim is made from: the order's row.
struct OrderRow {
    number: String,
    status: OrderStatus,
    warranty: warranty::Status,
    completed_at: Option<String>,
    model_id: Option<crate::archive::models::ModelId>,
    model_code: String,
    kind: OrderKind,
    fault_category: String,
}

fn order_row(conn: &Db, id: OrderId) -> Result<OrderRow> {
    conn.prepare_cached(
        "SELECT o.number, o.status, o.warranty, o.completed_at, o.model_id, coalesce(m.code, ''),
                o.kind, o.fault_category
         FROM work_order o LEFT JOIN product_model m ON m.id = o.model_id WHERE o.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(OrderRow {
            number: r.get(0)?,
            status: r.get(1)?,
            warranty: r.get(2)?,
            completed_at: r.get(3)?,
            model_id: r.get(4)?,
            model_code: r.get(5)?,
            kind: r.get(6)?,
            fault_category: r.get(7)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::invalid("order_id", format!("工单不存在（编号 {id}）")))
}

/// The month (`YYYY-MM`) of a stored UTC time, on the desk's calendar.
fn month_of(utc: &str) -> Option<String> {
    time::parse(utc).map(|t| t.with_timezone(&time::zone()).format("%Y-%m").to_string())
}

/// A month typed or sent as `YYYY-MM`: its first day.
fn parse_month(text: &str) -> Result<NaiveDate> {
    let bad = || Error::invalid("month", format!("月份不正确：{text}（请写成 2025-09）"));
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2099).contains(&y) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)
}

/// The day a month's batch is due: the brand's `n`th working day of the month after, on
/// the desk's working calendar.
pub fn due(cal: &Calendar, month: NaiveDate, n: i64) -> NaiveDate {
    let mut day = month + Months::new(1);
    let mut counted = 0;
    // A calendar with no working day in a year would never reach n: a year is the limit.
    for _ in 0..366 {
        if cal.is_working_day(day) {
            counted += 1;
            if counted >= n {
                return day;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    day
}

/// A part used on the order, with what of it went back to the factory.
struct PartUse {
    order_part_id: i64,
    description: String,
    quantity: i64,
    returned: i64,
    /// What the issue took off the ledger for `quantity` units (fen, positive).
    cost_fen: i64,
    forms: Vec<String>,
}

impl PartUse {
    /// The claimed amount: the cost of the returned units, rounded half up.
    fn amount(&self) -> i64 {
        if self.quantity == 0 {
            return 0;
        }
        let (cost, n, q) = (
            self.cost_fen as i128,
            self.returned as i128,
            self.quantity as i128,
        );
        ((cost * n * 2 + q) / (q * 2)) as i64
    }
}

/// The in-warranty parts used on the order and the defective units returned for each:
/// the 返厂 rows naming the order (not reversed), shared out over the order's lines of the
/// same part in their order.
fn part_uses(conn: &Db, order_id: OrderId, number: &str) -> Result<Vec<PartUse>> {
    let rows: Vec<(i64, i64, String, i64, i64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT op.id, op.part_id, p.code || ' ' || p.name, op.quantity, -m.value_fen
             FROM order_part op JOIN part p ON p.id = op.part_id
             JOIN stock_movement m ON m.id = op.movement_id
             WHERE op.order_id = ?1 AND op.in_warranty = 1 ORDER BY op.id",
        )?;
        let rows = stmt.query_map([order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut left: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (id, part_id, description, quantity, cost_fen) in rows {
        let (returned_all, forms) = returned(conn, number, part_id)?;
        let left = left.entry(part_id).or_insert(returned_all);
        let returned = (*left).min(quantity);
        *left -= returned;
        out.push(PartUse {
            order_part_id: id,
            description,
            quantity,
            returned,
            cost_fen,
            forms,
        });
    }
    Ok(out)
}

/// Defective units of `part_id` returned to the factory for the order `number`, and their
/// forms.
pub(crate) fn returned(conn: &Db, number: &str, part_id: i64) -> Result<(i64, Vec<String>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT -m.quantity, c.form_no FROM defective_claim c
         JOIN stock_movement m ON m.id = c.movement_id
         WHERE c.work_order = ?1 AND m.part_id = ?2
           AND NOT EXISTS (SELECT 1 FROM stock_movement r WHERE r.reverses = m.id)
         ORDER BY m.id",
    )?;
    let rows = stmt.query_map(params![number, part_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut total = 0;
    let mut forms = Vec::new();
    for row in rows {
        let (n, form) = row?;
        total += n;
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    Ok((total, forms))
}

fn labour_line(kind: OrderKind, fault_category: &str, labour_fen: i64) -> Line {
    let description = if fault_category.is_empty() {
        format!("{}工时", kind.label())
    } else {
        format!("{}工时（{fault_category}）", kind.label())
    };
    Line {
        kind: LineKind::Labour,
        description,
        quantity: 1,
        returned: 1,
        pending: 0,
        amount_fen: labour_fen,
        forms: Vec::new(),
    }
}

fn part_line(u: &PartUse) -> Line {
    Line {
        kind: LineKind::Part,
        description: u.description.clone(),
        quantity: u.quantity,
        returned: u.returned,
        pending: u.quantity - u.returned,
        amount_fen: u.amount(),
        forms: u.forms.clone(),
    }
}

const CLAIM: &str = "SELECT c.id, c.brand_id, b.name, c.month, c.status, c.order_id, o.number,
        cu.name, coalesce(m.code, ''), coalesce(e.serial, ''), o.completed_at, o.kind,
        o.fault_category, c.labour_fen, c.parts_fen, c.claimed_fen, c.approved_fen, c.reason,
        c.paid_on
     FROM claim c JOIN brand b ON b.id = c.brand_id JOIN work_order o ON o.id = c.order_id
     JOIN customer cu ON cu.id = o.customer_id
     LEFT JOIN product_model m ON m.id = o.model_id
     LEFT JOIN equipment e ON e.id = o.equipment_id";

fn claims(conn: &Db, sql: &str, p: impl crate::platform::db::Args) -> Result<Vec<Claim>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| {
        let month: String = r.get(3)?;
        let id: ClaimId = r.get(0)?;
        Ok(Claim {
            id,
            number: number(&month, id),
            brand_id: r.get(1)?,
            brand: r.get(2)?,
            month,
            status: r.get(4)?,
            order_id: r.get(5)?,
            order_number: r.get(6)?,
            customer: r.get(7)?,
            model: r.get(8)?,
            serial: r.get(9)?,
            completed_at: time::local_text(&r.get::<_, Option<String>>(10)?.unwrap_or_default()),
            kind: r.get(11)?,
            fault_category: r.get(12)?,
            labour_fen: r.get(13)?,
            parts_fen: r.get(14)?,
            claimed_fen: r.get(15)?,
            approved_fen: r.get(16)?,
            reason: r.get(17)?,
            paid_on: r.get(18)?,
            pending: 0,
            lines: Vec::new(),
            events: Vec::new(),
            settle_to: Vec::new(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Fills a claim's lines and timeline: a draft's from the ledger as it stands (with its
/// amounts), a submitted one's as frozen.
fn complete(conn: &Db, c: &mut Claim, may_settle: bool) -> Result<()> {
    if c.status == ClaimStatus::Draft {
        let uses = part_uses(conn, c.order_id, &c.order_number)?;
        c.lines = vec![labour_line(c.kind, &c.fault_category, c.labour_fen)];
        c.lines.extend(uses.iter().map(part_line));
        c.parts_fen = uses.iter().map(PartUse::amount).sum();
        c.claimed_fen = c.labour_fen + c.parts_fen;
    } else {
        let mut stmt = conn.prepare_cached(
            "SELECT kind, description, quantity, returned, amount_fen, order_part_id FROM claim_line
             WHERE claim_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([c.id], |r| {
            Ok((
                Line {
                    kind: r.get(0)?,
                    description: r.get(1)?,
                    quantity: r.get(2)?,
                    returned: r.get(3)?,
                    pending: r.get::<_, i64>(2)? - r.get::<_, i64>(3)?,
                    amount_fen: r.get(4)?,
                    forms: Vec::new(),
                },
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let lines: Vec<(Line, Option<i64>)> = rows.collect::<rusqlite::Result<_>>()?;
        c.lines = Vec::with_capacity(lines.len());
        for (mut line, order_part) in lines {
            if let Some(op) = order_part {
                let part_id: i64 =
                    conn.query_row("SELECT part_id FROM order_part WHERE id = ?1", [op], |r| {
                        r.get(0)
                    })?;
                line.forms = returned(conn, &c.order_number, part_id)?.1;
            }
            c.lines.push(line);
        }
    }
    c.pending = c.lines.iter().map(|l| l.pending).sum();
    let mut stmt = conn.prepare_cached(
        "SELECT at, \"user\", from_status, to_status, detail FROM claim_event WHERE claim_id = ?1
         ORDER BY id",
    )?;
    let rows = stmt.query_map([c.id], |r| {
        Ok(Event {
            at: time::local_text(&r.get::<_, String>(0)?),
            user: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    c.events = rows.collect::<rusqlite::Result<_>>()?;
    c.settle_to = if may_settle {
        c.status.settles_to().to_vec()
    } else {
        Vec::new()
    };
    Ok(())
}

fn may_settle(desk: &Desk) -> bool {
    desk.actor().holds_any(SETTLE_ROLES)
}

/// Who records the brand's answer and its payment: money owed to the centre.
pub const SETTLE_ROLES: &[Role] = &[Role::Manager];

fn load(desk: &Desk, id: ClaimId) -> Result<Claim> {
    let conn = desk.conn();
    let mut c = claims(conn, &format!("{CLAIM} WHERE c.id = ?1"), [id])?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("没有这条索赔（编号 {id}）")))?;
    complete(conn, &mut c, may_settle(desk))?;
    Ok(c)
}

fn event(
    tx: &Db,
    at: &time::Stamp,
    id: ClaimId,
    from: Option<ClaimStatus>,
    to: ClaimStatus,
    detail: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO claim_event (claim_id, at, \"user\", from_status, to_status, detail)
         VALUES (?1, ?2, desk_user(), ?3, ?4, ?5)",
    )?
    .execute(params![id, at, from, to, detail])?;
    Ok(())
}

// ---- the list ----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    /// `YYYY-MM`; empty: last month (the batch a desk works on in the first days of a month).
    pub month: String,
    pub brand_id: Option<BrandId>,
}

/// One brand's batch of a month.
#[derive(Debug, Serialize)]
pub struct Batch {
    pub brand_id: BrandId,
    pub brand: String,
    pub month: String,
    /// The first day it may be submitted (the month is over).
    pub opens: String,
    /// The brand's Nth working day of the month after.
    pub due: String,
    pub drafts: usize,
    /// The local day its claims were first submitted, if any.
    pub submitted_on: Option<String>,
    /// Submitted after its due day, or not yet submitted and past it.
    pub late: bool,
    /// Drafts may be submitted now (the month is over and some wait).
    pub may_submit: bool,
    pub claimed_fen: i64,
    pub approved_fen: i64,
    pub paid_fen: i64,
    /// Approved or partly approved, not yet paid.
    pub owed_fen: i64,
    pub claims: Vec<Claim>,
}

/// An in-warranty order done in the month, of a brand's model, with no claim yet.
#[derive(Debug, Serialize)]
pub struct Candidate {
    pub order_id: OrderId,
    pub number: String,
    pub brand_id: BrandId,
    pub brand: String,
    pub customer: String,
    pub model: String,
    pub completed_at: String,
}

#[derive(Debug, Serialize)]
pub struct ClaimList {
    pub month: String,
    pub batches: Vec<Batch>,
    pub candidates: Vec<Candidate>,
}

/// 厂家索赔: a month's batches (a brand with claims or orders to claim that month), their
/// claims, and the orders that may still be claimed.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<ClaimList> {
    let today = desk.today();
    let first = if a.month.trim().is_empty() {
        NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today) - Months::new(1)
    } else {
        parse_month(&a.month)?
    };
    let month = first.format("%Y-%m").to_string();
    let conn = desk.conn();
    let (start, end) = (
        String::from(time::stamp(time::midnight(first))),
        String::from(time::stamp(time::midnight(first + Months::new(1)))),
    );
    let brand_filter = a.brand_id.map(|b| b.get()).unwrap_or(0);
    let mut all = claims(
        conn,
        &format!(
            "{CLAIM} WHERE c.month = ?1 AND (?2 = 0 OR c.brand_id = ?2) ORDER BY b.name, o.completed_at, c.id"
        ),
        params![month, brand_filter],
    )?;
    let settle = may_settle(desk);
    for c in &mut all {
        complete(conn, c, settle)?;
    }
    let done = OrderStatus::sql_list(OrderStatus::DONE);
    let in_warranty = warranty::Status::In;
    let candidates: Vec<Candidate> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT o.id, o.number, b.id, b.name, cu.name, coalesce(pm.code, ''), o.completed_at
             FROM work_order o JOIN brand_model bm ON bm.model_id = o.model_id
             JOIN brand b ON b.id = bm.brand_id JOIN customer cu ON cu.id = o.customer_id
             LEFT JOIN product_model pm ON pm.id = o.model_id
             WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.status IN {done}
               AND o.warranty = '{in_warranty}' AND (?3 = 0 OR b.id = ?3)
               AND NOT EXISTS (SELECT 1 FROM claim c WHERE c.order_id = o.id)
             ORDER BY b.name, o.completed_at, o.id"
        ))?;
        let rows = stmt.query_map(params![start, end, brand_filter], |r| {
            Ok(Candidate {
                order_id: r.get(0)?,
                number: r.get(1)?,
                brand_id: r.get(2)?,
                brand: r.get(3)?,
                customer: r.get(4)?,
                model: r.get(5)?,
                completed_at: time::local_text(&r.get::<_, String>(6)?),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // The brands of the month: those with claims, then those with orders to claim.
    let mut brands: Vec<(BrandId, String)> = Vec::new();
    for (id, name) in all
        .iter()
        .map(|c| (c.brand_id, c.brand.clone()))
        .chain(candidates.iter().map(|c| (c.brand_id, c.brand.clone())))
    {
        if !brands.iter().any(|(b, _)| *b == id) {
            brands.push((id, name));
        }
    }
    brands.sort_by(|a, b| a.1.cmp(&b.1));
    let cal = Calendar::load(conn)?;
    let opens = first + Months::new(1);
    let mut batches = Vec::with_capacity(brands.len());
    for (brand_id, brand) in brands {
        let n: i64 = conn.query_row(
            "SELECT submit_workdays FROM brand WHERE id = ?1",
            [brand_id],
            |r| r.get(0),
        )?;
        let due_day = due(&cal, first, n);
        let claims: Vec<Claim> = all
            .iter()
            .filter(|c| c.brand_id == brand_id)
            .cloned()
            .collect();
        let submitted: Option<String> = conn.query_row(
            "SELECT min(e.at) FROM claim_event e JOIN claim c ON c.id = e.claim_id
             WHERE c.brand_id = ?1 AND c.month = ?2 AND e.to_status = ?3",
            params![brand_id, month, ClaimStatus::Submitted],
            |r| r.get(0),
        )?;
        let submitted_on = submitted
            .as_deref()
            .and_then(time::parse)
            .map(|t| t.with_timezone(&time::zone()).date_naive());
        let drafts = claims
            .iter()
            .filter(|c| c.status == ClaimStatus::Draft)
            .count();
        let sum = |f: &dyn Fn(&Claim) -> i64| claims.iter().map(f).sum::<i64>();
        batches.push(Batch {
            brand_id,
            brand,
            month: month.clone(),
            opens: crate::platform::dates::show(opens),
            due: crate::platform::dates::show(due_day),
            drafts,
            submitted_on: submitted_on.map(crate::platform::dates::show),
            late: match submitted_on {
                Some(d) => d > due_day,
                None => today > due_day,
            },
            may_submit: drafts > 0 && today >= opens,
            claimed_fen: sum(&|c| {
                if c.status == ClaimStatus::Draft {
                    0
                } else {
                    c.claimed_fen
                }
            }),
            approved_fen: sum(&|c| c.approved_fen.unwrap_or(0)),
            paid_fen: sum(&|c| {
                if c.status == ClaimStatus::Paid {
                    c.approved_fen.unwrap_or(0)
                } else {
                    0
                }
            }),
            owed_fen: sum(&|c| {
                if ClaimStatus::OWED.contains(&c.status) {
                    c.approved_fen.unwrap_or(0)
                } else {
                    0
                }
            }),
            claims,
        });
    }
    Ok(ClaimList {
        month,
        batches,
        candidates,
    })
}

// ---- create --------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct CreateArgs {
    pub order_id: OrderId,
}

/// 建索赔: a draft claim for one in-warranty order that was done.
pub fn create(desk: &mut Desk, a: CreateArgs) -> Result<Claim> {
    let at = desk.stamp();
    let tx = desk.write()?;
    let o = order_row(&tx, a.order_id)?;
    let refuse = |why: String| Err(Error::invalid("order_id", why));
    if o.warranty != warranty::Status::In {
        return refuse(format!(
            "工单 {} 是{}工单，只有保内工单向厂家索赔",
            o.number,
            o.warranty.label()
        ));
    }
    if !OrderStatus::DONE.contains(&o.status) {
        return refuse(format!(
            "工单 {} {}，完工后才能索赔",
            o.number,
            o.status.label()
        ));
    }
    let existing: Option<(ClaimId, String)> = tx
        .query_row(
            "SELECT id, month FROM claim WHERE order_id = ?1",
            [a.order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, month)) = existing {
        return refuse(format!(
            "工单 {} 已有索赔 {}，一张工单只索赔一次",
            o.number,
            number(&month, id)
        ));
    }
    let Some(model) = o.model_id else {
        return refuse(format!("工单 {} 没有型号，不知道向哪个厂家索赔", o.number));
    };
    let Some((brand, brand_name)) = brands::of_model(&tx, model)? else {
        return refuse(format!(
            "型号 {} 没有所属厂家，请先在厂家设置里把它加到厂家下",
            o.model_code
        ));
    };
    let Some(labour) = brands::labour(&tx, brand, o.kind, &o.fault_category)? else {
        let category = if o.fault_category.is_empty() {
            "未分类".to_string()
        } else {
            o.fault_category.clone()
        };
        return refuse(format!(
            "厂家“{brand_name}”的费率表没有{}（{category}）的工时费",
            o.kind.label()
        ));
    };
    let Some(month) = o.completed_at.as_deref().and_then(month_of) else {
        return refuse(format!("工单 {} 没有完工时间", o.number));
    };
    let uses = part_uses(&tx, a.order_id, &o.number)?;
    let parts: i64 = uses.iter().map(PartUse::amount).sum();
    let id: ClaimId = tx.query_row(
        "INSERT INTO claim (brand_id, order_id, month, status, labour_fen, parts_fen, claimed_fen, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![brand, a.order_id, month, ClaimStatus::Draft, labour, parts, labour + parts, at],
        |r| r.get(0),
    )?;
    write_lines(&tx, id, &o, labour, &uses)?;
    let pending: i64 = uses.iter().map(|u| u.quantity - u.returned).sum();
    let mut detail = format!(
        "工单 {}：工时费 {}，备件费 {}",
        o.number,
        yuan(labour),
        yuan(parts)
    );
    if pending > 0 {
        detail.push_str(&format!("（{pending}件坏件待返厂）"));
    }
    event(&tx, &at, id, None, ClaimStatus::Draft, &detail)?;
    crate::people::audit::record(&tx, &at, "claim_created", "claim", id, &detail)?;
    tx.commit()?;
    load(desk, id)
}

fn write_lines(tx: &Db, id: ClaimId, o: &OrderRow, labour: i64, uses: &[PartUse]) -> Result<()> {
    tx.execute("DELETE FROM claim_line WHERE claim_id = ?1", [id])?;
    let l = labour_line(o.kind, &o.fault_category, labour);
    let mut insert = tx.prepare_cached(
        "INSERT INTO claim_line (claim_id, kind, description, order_part_id, quantity, returned, amount_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    insert.execute(params![
        id,
        l.kind,
        l.description,
        None::<i64>,
        1,
        1,
        l.amount_fen
    ])?;
    for u in uses {
        insert.execute(params![
            id,
            LineKind::Part,
            u.description,
            u.order_part_id,
            u.quantity,
            u.returned,
            u.amount()
        ])?;
    }
    Ok(())
}

// ---- submit --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitArgs {
    pub brand_id: BrandId,
    pub month: String,
    /// Submit drafts whose parts are not all returned, claiming only the returned units.
    pub leave_pending: bool,
}

/// 提交批次: every draft of a brand's month, once the month is over; the lines are frozen
/// as the ledger stands.
pub fn submit(desk: &mut Desk, a: SubmitArgs) -> Result<Batch> {
    let first = parse_month(&a.month)?;
    let month = first.format("%Y-%m").to_string();
    let today = desk.today();
    let opens = first + Months::new(1);
    if today < opens {
        return Err(Error::invalid(
            "month",
            format!(
                "{month} 还没有过完，这个月的索赔批次从 {} 起才能提交",
                crate::platform::dates::show(opens)
            ),
        ));
    }
    let cal = Calendar::load(desk.conn())?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let brand: Option<(String, i64)> = tx
        .query_row(
            "SELECT name, submit_workdays FROM brand WHERE id = ?1",
            [a.brand_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((brand_name, n)) = brand else {
        return Err(Error::invalid(
            "brand_id",
            format!("没有这个厂家（编号 {}）", a.brand_id),
        ));
    };
    let drafts: Vec<(ClaimId, OrderId, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, order_id, labour_fen FROM claim WHERE brand_id = ?1 AND month = ?2 AND status = ?3
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![a.brand_id, month, ClaimStatus::Draft], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if drafts.is_empty() {
        return Err(Error::invalid(
            "month",
            format!("厂家“{brand_name}”{month}没有待提交的索赔"),
        ));
    }
    let due_day = due(&cal, first, n);
    let late = today > due_day;
    let mut total = 0;
    for (id, order_id, labour) in &drafts {
        let o = order_row(&tx, *order_id)?;
        let uses = part_uses(&tx, *order_id, &o.number)?;
        if let Some(u) = uses.iter().find(|u| u.returned < u.quantity) {
            if !a.leave_pending {
                return Err(Error::invalid(
                    "leave_pending",
                    format!(
                        "工单 {} 的备件 {} 还有{}件坏件未返厂：返厂后再提交，或选择未返厂的备件不索赔",
                        o.number,
                        u.description,
                        u.quantity - u.returned
                    ),
                ));
            }
        }
        let parts: i64 = uses.iter().map(PartUse::amount).sum();
        let pending: i64 = uses.iter().map(|u| u.quantity - u.returned).sum();
        write_lines(&tx, *id, &o, *labour, &uses)?;
        tx.execute(
            "UPDATE claim SET status = ?2, parts_fen = ?3, claimed_fen = ?4, submitted_at = ?5 WHERE id = ?1",
            params![id, ClaimStatus::Submitted, parts, labour + parts, at],
        )?;
        let mut detail = format!("索赔 {}", yuan(labour + parts));
        if pending > 0 {
            detail.push_str(&format!("；{pending}件坏件未返厂，不索赔"));
        }
        if late {
            detail.push_str(&format!(
                "；逾期提交（应于 {} 前）",
                crate::platform::dates::show(due_day)
            ));
        }
        event(
            &tx,
            &at,
            *id,
            Some(ClaimStatus::Draft),
            ClaimStatus::Submitted,
            &detail,
        )?;
        total += labour + parts;
    }
    crate::people::audit::record(
        &tx,
        &at,
        "claim_submitted",
        "brand",
        a.brand_id,
        &format!(
            "厂家“{brand_name}”{month}索赔批次提交{}张，共 {}",
            drafts.len(),
            yuan(total)
        ),
    )?;
    tx.commit()?;
    let mut listed = list(
        desk,
        ListArgs {
            month,
            brand_id: Some(a.brand_id),
        },
    )?;
    listed
        .batches
        .pop()
        .ok_or_else(|| Error::NotFound("没有这个批次".into()))
}

// ---- settle ------------------------------------------------------------------------------

/// A claim as settling reads it: status, claimed, month, submitted at, approved.
type SettleRow = (ClaimStatus, i64, String, Option<String>, Option<i64>);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettleArgs {
    pub id: ClaimId,
    /// approved | partly | rejected | paid
    pub status: String,
    /// partly: what the brand approved (less than claimed).
    pub approved_fen: Option<i64>,
    pub reason: String,
    /// paid: the day the brand's money came in.
    pub paid_on: Option<String>,
}

/// 厂家结算: the brand's answer to a submitted claim (approved, partly, rejected), then
/// its payment.
pub fn settle(desk: &mut Desk, a: SettleArgs) -> Result<Claim> {
    let to = ClaimStatus::parse(&a.status, "status")?;
    let reason = text::field("reason", "原因", &a.reason, 200, false)?;
    let paid_on = crate::platform::dates::field("paid_on", "回款日期", a.paid_on.as_deref())?;
    let today = desk.today();
    let at = desk.stamp();
    let tx = desk.write()?;
    let row: Option<SettleRow> = tx
        .query_row(
            "SELECT status, claimed_fen, month, submitted_at, approved_fen FROM claim WHERE id = ?1",
            [a.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((from, claimed, month, submitted_at, approved_before)) = row else {
        return Err(Error::NotFound(format!("没有这条索赔（编号 {}）", a.id)));
    };
    let no = number(&month, a.id);
    if !from.settles_to().contains(&to) {
        let hint = match from {
            ClaimStatus::Draft => "（请先提交批次）",
            ClaimStatus::Submitted => "（请先登记厂家的核准结果）",
            _ => "",
        };
        return Err(Error::invalid(
            "status",
            format!("索赔 {no} {}，不能改为{}{hint}", from.label(), to.label()),
        ));
    }
    let (approved, detail) = match to {
        ClaimStatus::Approved => {
            if a.approved_fen.is_some_and(|f| f != claimed) {
                return Err(Error::invalid(
                    "approved_fen",
                    format!(
                        "全额核准的金额就是索赔金额 {}；核减请选“部分核准”",
                        yuan(claimed)
                    ),
                ));
            }
            (claimed, format!("核准 {}", yuan(claimed)))
        }
        ClaimStatus::Partly => {
            let Some(f) = a.approved_fen else {
                return Err(Error::invalid("approved_fen", "请填写厂家核准的金额"));
            };
            if f <= 0 || f >= claimed {
                return Err(Error::invalid(
                    "approved_fen",
                    format!(
                        "部分核准的金额应大于 ¥0.00 且小于索赔金额 {}",
                        yuan(claimed)
                    ),
                ));
            }
            if reason.is_empty() {
                return Err(Error::invalid("reason", "请填写核减原因"));
            }
            (
                f,
                format!(
                    "核准 {}（索赔 {}，核减 {}）：{reason}",
                    yuan(f),
                    yuan(claimed),
                    yuan(claimed - f)
                ),
            )
        }
        ClaimStatus::Rejected => {
            if a.approved_fen.is_some_and(|f| f != 0) {
                return Err(Error::invalid(
                    "approved_fen",
                    "驳回的索赔核准金额为 ¥0.00；核准了一部分请选“部分核准”",
                ));
            }
            if reason.is_empty() {
                return Err(Error::invalid("reason", "请填写驳回原因"));
            }
            (0, format!("驳回：{reason}"))
        }
        ClaimStatus::Paid => {
            let Some(day) = paid_on else {
                return Err(Error::invalid("paid_on", "请填写回款日期"));
            };
            if day > today {
                return Err(Error::invalid("paid_on", "回款日期不能晚于今天"));
            }
            let submitted_on = submitted_at
                .as_deref()
                .and_then(time::parse)
                .map(|t| t.with_timezone(&time::zone()).date_naive());
            if let Some(s) = submitted_on.filter(|s| day < *s) {
                return Err(Error::invalid(
                    "paid_on",
                    format!(
                        "回款日期不能早于提交日期 {}",
                        crate::platform::dates::show(s)
                    ),
                ));
            }
            let amount = approved_before.unwrap_or(0);
            let mut detail = format!(
                "{} 回款 {}",
                crate::platform::dates::show(day),
                yuan(amount)
            );
            if !reason.is_empty() {
                detail.push_str(&format!("：{reason}"));
            }
            (amount, detail)
        }
        ClaimStatus::Draft | ClaimStatus::Submitted => {
            // settles_to never offers these.
            return Err(Error::invalid("status", "请选择核准、部分核准、驳回或回款"));
        }
    };
    if to == ClaimStatus::Paid {
        tx.execute(
            "UPDATE claim SET status = ?2, paid_on = ?3, paid_at = ?4 WHERE id = ?1",
            params![a.id, to, paid_on.map(crate::platform::dates::show), at],
        )?;
    } else {
        tx.execute(
            "UPDATE claim SET status = ?2, approved_fen = ?3, reason = ?4, settled_at = ?5 WHERE id = ?1",
            params![a.id, to, approved, reason, at],
        )?;
    }
    event(&tx, &at, a.id, Some(from), to, &detail)?;
    crate::people::audit::record(
        &tx,
        &at,
        "claim_settled",
        "claim",
        a.id,
        &format!("索赔 {no}：{} → {}，{detail}", from.label(), to.label()),
    )?;
    tx.commit()?;
    load(desk, a.id)
}
