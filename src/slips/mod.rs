//! Service slips (服务维修单): a work order printed for the customer to sign.
//!
//! Numbers: a slip number (`{slip_prefix}{year}{sequence:06}`) is given when an order's
//! slip is first rendered for a print (issue 18: the paper must carry it, whichever PC
//! prints it; see `print.rs` for the render/record split and its print token), and
//! never given again. Printing it again is a reprint (补打, counted and marked on the paper).
//! A spoiled slip is voided with a reason: its number stays, marked void, and the order's
//! next print takes a new number. The continuity report lists every number of a period
//! as printed, voided or missing. `slip`, `slip_print` and `slip_void` are append-only.
//!
//! The PDF is drawn by [`render`] from a [`SlipData`] in one of the paper formats; a
//! character the font lacks is refused with the field named before any number is used.
//!
//! A preview ([`preview`], issue 17) is not a print: it draws the same slip with 预览 across
//! every page, reads the database and writes nothing — no number is given, no print is
//! counted, nothing goes on the order's timeline — so the first paper the customer takes
//! home is the original, and 补打 marks only a real second print.

mod print;
pub mod receipt;
pub mod render;
pub mod template;

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Datelike, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::orders::{self, Opinion, Order, OrderId, OrderStatus};
use crate::people::settings::{self, Settings};
use crate::platform::error::{Error, Result};
use crate::platform::time::{local_text, stamp};
use crate::Desk;

pub use print::{
    print, record, render_for_print, PrintArgs, Printed, RecordArgs, RenderArgs, Rendered,
    TOKEN_LIFETIME_MINUTES,
};
pub use render::{Copies, Format};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Void {
    pub at: String,
    pub user: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Slip {
    pub id: i64,
    pub number: String,
    pub order_id: OrderId,
    pub created_at: String,
    /// Times printed (the first print included); a print the printer refused does not
    /// count (it is recorded in `slip_print_unsent`).
    pub prints: i64,
    pub void: Option<Void>,
}

const SELECT: &str = "SELECT s.id, s.number, s.order_id, s.created_at,
        (SELECT count(*) FROM slip_print p WHERE p.slip_id = s.id
            AND NOT EXISTS (SELECT 1 FROM slip_print_unsent u WHERE u.print_id = p.id)), v.at, v.\"user\", v.reason
    FROM slip s LEFT JOIN slip_void v ON v.slip_id = s.id";

fn row(r: &crate::platform::db::Row<'_, '_>) -> rusqlite::Result<Slip> {
    let at: Option<String> = r.get(5)?;
    Ok(Slip {
        id: r.get(0)?,
        number: r.get(1)?,
        order_id: r.get(2)?,
        created_at: r.get(3)?,
        prints: r.get(4)?,
        void: match at {
            Some(at) => Some(Void {
                at,
                user: r.get(6)?,
                reason: r.get(7)?,
            }),
            None => None,
        },
    })
}

/// The slips of an order, oldest first (voided ones included).
pub(crate) fn of_order(conn: &Db, order_id: OrderId) -> Result<Vec<Slip>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE s.order_id = ?1 ORDER BY s.id"))?;
    let rows = stmt.query_map([order_id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A pen stroke of the customer's signature: points in a 0–1 box (x right, y down), as
/// captured on screen; drawn as lines on the slip.
pub type Stroke = Vec<[f32; 2]>;

/// Everything a slip shows.
#[derive(Debug, Clone)]
pub struct SlipData {
    /// The company as it prints: name, hotline, terms, and the logo (`company_logo`, drawn
    /// in the head of every format but 套打).
    pub settings: Settings,
    /// The slip's number; empty on a preview of a slip not printed yet (the number is given
    /// by the first print).
    pub number: String,
    /// 0 for the first print, n for the n-th reprint (补打); always 0 on a preview.
    pub reprint: i64,
    /// A preview: 预览 across every page, nothing recorded.
    pub preview: bool,
    /// When this print was made, by the desk's clock (the PDF is dated by it)…
    pub printed: DateTime<Utc>,
    /// …and as the slip shows it, local time.
    pub printed_at: String,
    pub order: Order,
    pub purchase_date: Option<String>,
    pub install_date: Option<String>,
    /// Where 套打 puts each field.
    pub template: template::Template,
    /// The loaners the order's customer has out (issue 21), one line each: model, serial,
    /// deposit and the date it is due back.
    pub loaners: Vec<String>,
}

/// The data of order `id`'s slip `number` (not checked for printability yet).
pub(crate) fn data(
    conn: &Db,
    id: OrderId,
    number: &str,
    reprint: i64,
    now: DateTime<Utc>,
) -> Result<SlipData> {
    let order = orders::load(conn, &crate::Actor::nobody(), id, now)?;
    let order_customer = order.customer.id;
    let (purchase_date, install_date) = match &order.equipment {
        Some(m) => conn
            .prepare_cached("SELECT purchase_date, install_date FROM equipment WHERE id = ?1")?
            .query_row([m.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((None, None)),
        None => (None, None),
    };
    Ok(SlipData {
        settings: settings::load(conn)?,
        number: number.to_string(),
        reprint,
        preview: false,
        printed: now,
        printed_at: local_text(&stamp(now)),
        order,
        purchase_date,
        install_date,
        template: template::load(conn)?,
        loaners: orders::loaners::out_with(
            conn,
            order_customer,
            now.with_timezone(&crate::platform::time::zone())
                .date_naive(),
        )?
        .iter()
        .map(|l| {
            format!(
                "{} {}，押金 {}，应还日期 {}",
                l.model,
                l.serial,
                crate::platform::money::yuan(l.deposit_fen),
                l.due_date
            )
        })
        .collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreviewArgs {
    pub order_id: OrderId,
    /// As [`PrintArgs::format`].
    pub format: String,
    /// As [`PrintArgs::copies`].
    pub copies: String,
}

#[derive(Debug, Serialize)]
pub struct Previewed {
    /// The number the slip prints under: the live slip's, or empty when the order has
    /// none yet (the first print gives it).
    pub number: String,
    pub pages: usize,
    pub file_name: String,
    pub content_base64: String,
    /// As [`Printed::unprintable`].
    pub unprintable: Vec<String>,
}

/// 预览服务单: the order's slip as it would print, with 预览 across every page. Reads only:
/// no number is given, no print recorded, nothing on the timeline, no audit entry; the
/// paper shows the live slip's number if there is one, else says the number comes with
/// the print. Refused as a print is: an unknown or cancelled order, an unknown paper.
pub fn preview(desk: &mut Desk, a: PreviewArgs) -> Result<Previewed> {
    use base64::Engine as _;
    let format = Format::parse(&a.format)?;
    let copies = Copies::parse(&a.copies)?;
    let now = desk.now();
    let conn = desk.conn();
    let order_number = printable_order(conn, a.order_id)?;
    let number: String = conn
        .prepare_cached(
            "SELECT s.number FROM slip s WHERE s.order_id = ?1
               AND NOT EXISTS (SELECT 1 FROM slip_void v WHERE v.slip_id = s.id)",
        )?
        .query_row([a.order_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let mut data = data(conn, a.order_id, &number, 0, now)?;
    data.preview = true;
    let (drawing, pages, unprintable) = render::render(&data, format, copies)?;
    let bytes = drawing.to_pdf()?;
    let shown = if number.is_empty() {
        order_number
    } else {
        number.clone()
    };
    Ok(Previewed {
        number,
        pages,
        file_name: format!("服务单预览-{shown}.pdf"),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        unprintable,
    })
}

/// The number of an order whose slip may be drawn (printed or previewed): refused for an
/// unknown order and for a cancelled one.
pub(crate) fn printable_order(conn: &Db, order_id: OrderId) -> Result<String> {
    let (number, status): (String, OrderStatus) = conn
        .prepare_cached("SELECT number, status FROM work_order WHERE id = ?1")?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::invalid("order_id", format!("工单不存在（编号 {order_id}）")))?;
    if status == OrderStatus::Cancelled {
        return Err(Error::invalid(
            "order_id",
            format!("工单 {number} 已取消，不能打印服务单"),
        ));
    }
    Ok(number)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoidArgs {
    pub number: String,
    pub reason: String,
}

/// 作废服务单: the number stays, marked void with the reason.
pub fn void(desk: &mut Desk, a: VoidArgs) -> Result<Slip> {
    let reason = crate::platform::text::field("reason", "作废原因", &a.reason, 200, true)?;
    let number = a.number.trim().to_uppercase();
    let now = desk.now();
    let at = stamp(now);
    let tx = desk.write()?;
    let (slip_id, order_id): (i64, OrderId) = tx
        .prepare_cached("SELECT id, order_id FROM slip WHERE number = ?1")?
        .query_row([&number], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::invalid("number", format!("没有服务单号 {number}")))?;
    let done = tx
        .prepare_cached(
            "INSERT INTO slip_void (slip_id, at, \"user\", reason) VALUES (?1, ?2, desk_user(), ?3)
             ON CONFLICT (slip_id) DO NOTHING",
        )?
        .execute(params![slip_id, at, reason])?;
    if done == 0 {
        return Err(Error::invalid(
            "number",
            format!("服务单 {number} 已经作废"),
        ));
    }
    orders::event(
        &tx,
        order_id,
        &at,
        orders::EventKind::SlipVoid,
        (None, None),
        &format!("作废服务单 {number}：{reason}"),
    )?;
    tx.commit()?;
    of_order(desk.conn(), order_id)?
        .into_iter()
        .find(|s| s.id == slip_id)
        .ok_or(Error::NotFound(number))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrderArgs {
    pub order_id: OrderId,
}

#[derive(Debug, Serialize)]
pub struct SlipList {
    pub items: Vec<Slip>,
}

/// 工单的服务单: every slip of the order, voided ones included.
pub fn list(desk: &mut Desk, a: OrderArgs) -> Result<SlipList> {
    Ok(SlipList {
        items: of_order(desk.conn(), a.order_id)?,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpinionArgs {
    pub order_id: OrderId,
    /// `satisfied` 满意, `basically` 基本满意, `unsatisfied` 不满意, or "" (not given).
    pub opinion: String,
    pub remarks: String,
    /// The signature as pen strokes in a 0–1 box; empty: sign on paper.
    pub signature: Vec<Stroke>,
}

/// 客户意见和签名: ticks, remarks and the signature captured on screen, kept on the order
/// for its slip.
pub fn opinion(desk: &mut Desk, a: OpinionArgs) -> Result<Order> {
    let opinion = Opinion::parse_optional(&a.opinion, "opinion")
        .map_err(|_| Error::invalid("opinion", "客户意见只能是满意、基本满意或不满意"))?;
    let remarks = crate::platform::text::field("remarks", "客户意见", &a.remarks, 200, false)?;
    let points: usize = a.signature.iter().map(Vec::len).sum();
    if points > 20_000
        || a.signature
            .iter()
            .flatten()
            .any(|[x, y]| !(0.0..=1.0).contains(x) || !(0.0..=1.0).contains(y))
    {
        return Err(Error::invalid(
            "signature",
            "签名数据无效，请清除后重新签名",
        ));
    }
    let signature = if a.signature.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&a.signature).map_err(|e| Error::BadRequest(e.to_string()))?)
    };
    let now = desk.now();
    let at = stamp(now);
    let tx = desk.write()?;
    let status: OrderStatus = tx
        .prepare_cached("SELECT status FROM work_order WHERE id = ?1")?
        .query_row([a.order_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::invalid("order_id", format!("工单不存在（编号 {}）", a.order_id)))?;
    if status == OrderStatus::Cancelled {
        return Err(Error::invalid("order_id", "工单已取消"));
    }
    tx.prepare_cached(
        "UPDATE work_order SET opinion = ?2, opinion_remarks = ?3, signature = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![
        a.order_id,
        opinion.map_or("", Opinion::as_str),
        remarks,
        signature,
        at
    ])?;
    let label = opinion.map_or("未选", Opinion::label);
    let signed = if signature.is_some() {
        "，已签名"
    } else {
        ""
    };
    orders::event(
        &tx,
        a.order_id,
        &at,
        orders::EventKind::Opinion,
        (None, None),
        &format!("客户意见：{label}{signed} {remarks}"),
    )?;
    tx.commit()?;
    orders::load(desk.conn(), desk.actor(), a.order_id, now)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContinuityArgs {
    /// First and last day (local), `YYYY-MM-DD`; default: this month.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize)]
pub struct ContinuityLine {
    pub number: String,
    /// `printed`, `voided` or `missing`.
    pub state: &'static str,
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    pub prints: i64,
    pub created_at: Option<String>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Continuity {
    pub from: String,
    pub to: String,
    pub items: Vec<ContinuityLine>,
    pub printed: usize,
    pub voided: usize,
    pub missing: usize,
}

/// 服务单连号报表: every slip number given in the period, in order, as printed or voided,
/// and any number missing between the first and the last (there should be none).
pub fn continuity(desk: &mut Desk, a: ContinuityArgs) -> Result<Continuity> {
    let today = desk.today();
    let from = crate::platform::dates::field("from", "开始日期", Some(&a.from))?
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = crate::platform::dates::field("to", "结束日期", Some(&a.to))?.unwrap_or(today);
    if to < from {
        return Err(Error::invalid("to", "结束日期应不早于开始日期"));
    }
    let bound = |d: chrono::NaiveDate| stamp(crate::platform::time::midnight(d));
    let (start, end) = (bound(from), bound(to + chrono::Duration::days(1)));
    let mut stmt = desk.conn().prepare_cached(
        "SELECT s.year, s.seq, s.number, o.number, s.created_at,
                (SELECT count(*) FROM slip_print p WHERE p.slip_id = s.id
            AND NOT EXISTS (SELECT 1 FROM slip_print_unsent u WHERE u.print_id = p.id)), v.reason, o.id
         FROM slip s JOIN work_order o ON o.id = s.order_id
         LEFT JOIN slip_void v ON v.slip_id = s.id
         WHERE s.created_at >= ?1 AND s.created_at < ?2 ORDER BY s.year, s.seq",
    )?;
    type Found = (
        i32,
        i64,
        String,
        String,
        String,
        i64,
        Option<String>,
        OrderId,
    );
    let found: Vec<Found> = stmt
        .query_map(params![start, end], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let prefix_of = |number: &str, year: i32| {
        number
            .split_once(&year.to_string())
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    };
    let mut items = Vec::new();
    let mut last: Option<(i32, i64, String)> = None;
    for (year, seq, number, order_number, created_at, prints, reason, order_id) in found {
        if let Some((y, s, prefix)) = &last {
            if *y == year {
                for gap in s + 1..seq {
                    items.push(ContinuityLine {
                        number: format!("{prefix}{year}{gap:06}"),
                        state: "missing",
                        order_id: None,
                        order_number: None,
                        prints: 0,
                        created_at: None,
                        void_reason: None,
                    });
                }
            }
        }
        last = Some((year, seq, prefix_of(&number, year)));
        items.push(ContinuityLine {
            number,
            state: if reason.is_some() {
                "voided"
            } else {
                "printed"
            },
            order_id: Some(order_id),
            order_number: Some(order_number),
            prints,
            created_at: Some(created_at),
            void_reason: reason,
        });
    }
    let count = |state| items.iter().filter(|l| l.state == state).count();
    Ok(Continuity {
        from: crate::platform::dates::show(from),
        to: crate::platform::dates::show(to),
        printed: count("printed"),
        voided: count("voided"),
        missing: count("missing"),
        items,
    })
}
