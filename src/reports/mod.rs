//! The monthly numbers for the manager (统计报表), DOMAIN.md "The numbers a manager asks
//! for every month". Each report is computed for the chosen period and, to compare, the
//! period before and the same period a year earlier.
//!
//! What counts where (written down because the numbers must be honest):
//! - **repairs**: orders of type 维修 registered in the period, cancelled ones left out; by
//!   product model and by fault category (the first common fault picked at intake).
//! - **engineers**: orders completed in the period by their engineer; on-site visits are
//!   the starts (→ 处理中, reopenings included) of those orders done on site; time on site
//!   is, per order, from its first start to completion; first-visit fix: completed orders
//!   started once, never waiting for parts and never reopened.
//! - **callbacks**: callbacks due in the period: made, made in time (by their 2 days);
//!   satisfaction of those reached.
//! - **complaints**: registered in the period, by cause; replied, replied within the
//!   24 hours, mean hours to reply (wall-clock), justified.
//! - **clocks**: the three clocks of orders registered in the period (cancelled left
//!   out): kept, missed, broken (past due, still running), compliance = kept / all ended
//!   or broken.
//! - **pauses** (issue 21): the pauses (待料 / 待客户) begun in the period, by reason and in
//!   all: how many, on how many orders, the working hours they covered (an open one up
//!   to now), on the desk's working calendar; **paused_longest**: the ten orders whose
//!   pauses begun in the period covered the most working time. The clocks above already
//!   leave paused time out (a pause moves the due times on), so these say how much was
//!   left out and where.
//! - **fees**: billed = totals of out-of-warranty orders completed in the period;
//!   collected = payments received in the period less refunds (cash basis; a loaner's
//!   deposit and its refund left out, issue 21); outstanding =
//!   what is still owed today of everything billed up to the period's end, aged at the
//!   period's end (for this month: the receivables as they stand).
//! - **claims** (厂家索赔, issue 21), by brand: claimed = the claims submitted in the
//!   period (their claimed amounts); approved = the brand's answers recorded in the period
//!   (approved, partly: the approved amount; rejected: nothing); paid = the brand's
//!   payments dated in the period; outstanding = approved before the period's end and not
//!   paid by its last day (what the brands owe the centre at the period's end). The fees
//!   report carries the same four in all, as the receivables from brands beside the
//!   customers'.
//! - **sanbao** (三包, issue 21): by model, the repair orders registered in the period
//!   with a 三包 verdict (a model covered by 三包), and of them those whose verdict at
//!   intake was 退货 or 换货 — what the customer was entitled to, the quality signal;
//!   cancelled orders count too, since an order is often cancelled because the machine
//!   was returned or exchanged instead of repaired.
//! - **commission** (工程师提成, issue 21): per engineer, what the commission rules in
//!   force on each item's day pay and deduct in the period (commission.rs says how), with
//!   the items behind each figure (`reports.commission`) and their orders.
//! - **parts**: issued to orders in the period less returns (units, value at cost); the
//!   stock (units, value) at the period's end, summed from the stock ledger (append-only,
//!   and the balances are held equal to its sums), so each period has its own; parts
//!   below their minimum stock: the state now only (minimum stocks keep no history), so
//!   the earlier periods have no such line.
//!
//! A period is `[from, to]` in local days; times are compared in UTC.

use crate::platform::db::{Both, Db};
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::warranty;
use crate::claims::words::ClaimStatus;
use crate::followup::words::Cause;
use crate::orders::words::{Method, Mode, Opinion, OrderKind, OrderStatus};
use crate::platform::error::{Error, Result};
use crate::platform::time::{self, stamp};
use crate::stock::words::MovementKind;
use crate::Desk;

pub mod commission;
pub mod print;

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    /// UTC bounds: [start, end).
    #[serde(skip)]
    start: String,
    #[serde(skip)]
    end: String,
    /// Now, by the desk's clock: a running clock past its due time counts as broken.
    #[serde(skip)]
    now: String,
}

impl Period {
    fn of(from: NaiveDate, to: NaiveDate, now: &str) -> Period {
        let bound = |d: NaiveDate| String::from(stamp(time::midnight(d)));
        Period {
            from: crate::platform::dates::show(from),
            to: crate::platform::dates::show(to),
            start: bound(from),
            end: bound(to + chrono::Duration::days(1)),
            now: now.to_string(),
        }
    }

    fn dates(&self) -> (NaiveDate, NaiveDate) {
        (
            crate::platform::dates::parse(&self.from).expect("a period's own date"),
            crate::platform::dates::parse(&self.to).expect("a period's own date"),
        )
    }

    /// The period of the same length just before; a whole month gives the month before.
    fn previous(&self) -> Period {
        let (from, to) = self.dates();
        if is_month(from, to) {
            let start = from - Months::new(1);
            return Period::of(start, from - chrono::Duration::days(1), &self.now);
        }
        let days = (to - from).num_days() + 1;
        Period::of(
            from - chrono::Duration::days(days),
            from - chrono::Duration::days(1),
            &self.now,
        )
    }

    /// The same period a year earlier.
    fn last_year(&self) -> Period {
        let (from, to) = self.dates();
        let back = |d: NaiveDate| d - Months::new(12);
        if is_month(from, to) {
            let start = back(from);
            return Period::of(
                start,
                start + Months::new(1) - chrono::Duration::days(1),
                &self.now,
            );
        }
        Period::of(back(from), back(to), &self.now)
    }
}

fn is_month(from: NaiveDate, to: NaiveDate) -> bool {
    from.day() == 1 && to == from + Months::new(1) - chrono::Duration::days(1)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodArgs {
    /// `YYYY-MM` (default: this month), or `from` and `to` days.
    pub month: String,
    pub from: String,
    pub to: String,
}

fn period(desk: &Desk, a: &PeriodArgs) -> Result<Period> {
    let now = stamp(desk.now());
    // Years of four digits, for the period and the ones compared with it (a year before);
    // found by fuzzing (issue 16): year -258 panicked when a period read its dates back.
    let in_range = |field: &'static str, d: NaiveDate| {
        if (1901..=9999).contains(&d.year()) {
            Ok(d)
        } else {
            Err(Error::invalid(
                field,
                format!("日期超出范围（1901 年到 9999 年）：{}", d.year()),
            ))
        }
    };
    if !a.from.trim().is_empty() || !a.to.trim().is_empty() {
        let from = crate::platform::dates::field("from", "开始日期", Some(&a.from))?
            .ok_or_else(|| Error::invalid("from", "请填写开始日期"))?;
        let to = crate::platform::dates::field("to", "结束日期", Some(&a.to))?
            .ok_or_else(|| Error::invalid("to", "请填写结束日期"))?;
        let (from, to) = (in_range("from", from)?, in_range("to", to)?);
        if to < from {
            return Err(Error::invalid("to", "结束日期应不早于开始日期"));
        }
        if (to - from).num_days() > 366 {
            return Err(Error::invalid("to", "统计期间不能超过一年"));
        }
        return Ok(Period::of(from, to, &now));
    }
    let first = if a.month.trim().is_empty() {
        let today = desk.today();
        today.with_day(1).unwrap_or(today)
    } else {
        let first = NaiveDate::parse_from_str(&format!("{}-01", a.month.trim()), "%Y-%m-%d")
            .map_err(|_| {
                Error::invalid("month", format!("月份应写成 2026-11：{}", a.month.trim()))
            })?;
        in_range("month", first)?
    };
    Ok(Period::of(
        first,
        first + Months::new(1) - chrono::Duration::days(1),
        &now,
    ))
}

/// One line of a report: a key to drill down by, a label, and its numbers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub values: Vec<f64>,
}

/// One report over the three periods: the same columns in each.
#[derive(Debug, Serialize)]
pub struct Report {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub period: Period,
    pub previous: Period,
    pub last_year: Period,
    pub current_lines: Vec<Line>,
    pub previous_lines: Vec<Line>,
    pub last_year_lines: Vec<Line>,
}

type Compute = fn(&Db, &Period) -> Result<Vec<Line>>;

/// Lines that are the state now (report, line key): only the period asked for has them.
pub(crate) const NOW_LINES: &[(&str, &str)] = &[("parts", "shortages")];

/// Cells without meaning (report, line key, column): the shortage line counts parts and
/// has no value.
pub(crate) const NO_FIGURE: &[(&str, &str, usize)] = &[("parts", "shortages", 1)];

/// Whether a column of a report is money in yuan (its values are yuan with fen).
pub(crate) fn is_money(column: &str) -> bool {
    column.ends_with("（元）")
}

/// Every report: name, title, columns, how it is computed.
const REPORTS: &[(&str, &str, &[&str], Compute)] = &[
    (
        "repairs_by_model",
        "维修量（按型号）",
        &["维修单数"],
        repairs_by_model,
    ),
    (
        "repairs_by_fault",
        "维修量（按故障类别）",
        &["维修单数"],
        repairs_by_fault,
    ),
    (
        "engineers",
        "工程师工作量",
        &["完工单数", "上门次数", "在场小时", "一次修复率%"],
        engineers,
    ),
    (
        "callbacks",
        "回访",
        &[
            "应回访",
            "已回访",
            "按时回访",
            "完成率%",
            "满意",
            "基本满意",
            "不满意",
            "满意率%",
        ],
        callbacks,
    ),
    (
        "complaints",
        "投诉（按原因）",
        &["投诉数", "已答复", "24小时内答复", "平均答复小时", "属实"],
        complaints,
    ),
    (
        "clocks",
        "服务时限达成",
        &["按时", "超时", "进行中已超时", "达成率%"],
        clocks,
    ),
    ("fees", "保外收费与应收", &["金额（元）"], fees),
    ("parts", "备件消耗", &["数量", "成本（元）"], parts),
    (
        "pauses",
        "暂停计时（待料、待客户）",
        &["暂停次数", "工单数", "暂停工作小时"],
        pauses,
    ),
    (
        "paused_longest",
        "暂停最久的工单",
        &["暂停工作小时", "暂停次数"],
        paused_longest,
    ),
    (
        "sanbao",
        "三包退换（按型号）",
        &["三包维修单数", "可退货", "可换货", "退换率%"],
        sanbao,
    ),
    (
        "claims",
        "厂家索赔（按厂家）",
        &["索赔（元）", "核准（元）", "回款（元）", "应收未收（元）"],
        claims,
    ),
    (
        "commission",
        "工程师提成",
        &[
            "工单数",
            "按次提成（元）",
            "工时提成（元）",
            "配件提成（元）",
            "一次修复奖（元）",
            "投诉扣减（元）",
            "返修扣减（元）",
            "合计（元）",
        ],
        commission::report,
    ),
];

fn lines(conn: &Db, sql: &str, p: impl crate::platform::db::Args, n: usize) -> Result<Vec<Line>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| {
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(r.get::<_, Option<f64>>(2 + i)?.unwrap_or(0.0));
        }
        use rusqlite::types::Value;
        let key = match r.get::<_, Value>(0)? {
            Value::Integer(i) => i.to_string(),
            Value::Text(t) => t,
            Value::Real(f) => f.to_string(),
            _ => String::new(),
        };
        Ok(Line {
            key,
            label: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            values,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        (part * 1000.0 / whole).round() / 10.0
    }
}

fn repairs_by_model(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let (repair, cancelled) = (OrderKind::Repair, OrderStatus::Cancelled);
    lines(
        conn,
        &format!(
            "SELECT coalesce(o.model_id, 0), coalesce(m.code || ' ' || m.name, '未选设备'), count(*)
         FROM work_order o LEFT JOIN product_model m ON m.id = o.model_id
         WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}' AND o.status <> '{cancelled}'
         GROUP BY o.model_id, m.code, m.name ORDER BY count(*) DESC, 2"
        ),
        params![p.start, p.end],
        1,
    )
}

fn sanbao(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    use crate::archive::sanbao::Remedy;
    let repair = OrderKind::Repair;
    let (ret, exchange) = (Remedy::Return, Remedy::Exchange);
    let mut out = lines(
        conn,
        &format!(
            "SELECT o.model_id, m.code || ' ' || m.name, count(*),
                    sum(CASE WHEN o.sanbao_remedy = '{ret}' THEN 1 ELSE 0 END),
                    sum(CASE WHEN o.sanbao_remedy = '{exchange}' THEN 1 ELSE 0 END)
         FROM work_order o JOIN product_model m ON m.id = o.model_id
         WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}'
           AND o.sanbao_remedy IS NOT NULL
         GROUP BY o.model_id, m.code, m.name
         ORDER BY sum(CASE WHEN o.sanbao_remedy IN ('{ret}', '{exchange}') THEN 1 ELSE 0 END) DESC, 2"
        ),
        params![p.start, p.end],
        3,
    )?;
    for l in &mut out {
        l.values.push(pct(l.values[1] + l.values[2], l.values[0]));
    }
    Ok(out)
}

fn repairs_by_fault(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let (repair, cancelled) = (OrderKind::Repair, OrderStatus::Cancelled);
    lines(
        conn,
        &format!(
            "SELECT o.fault_category, CASE WHEN o.fault_category = '' THEN '未分类' ELSE o.fault_category END, count(*)
         FROM work_order o
         WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}' AND o.status <> '{cancelled}'
         GROUP BY o.fault_category ORDER BY count(*) DESC, 2"
        ),
        params![p.start, p.end],
        1,
    )
}

fn engineers(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    // From the counts the status flow keeps on each order (starts, setbacks, first start).
    let on_site = Mode::OnSite;
    let mut out = lines(
        conn,
        &format!(
            "SELECT g.id, g.name, count(*), sum(CASE WHEN o.mode = '{on_site}' THEN o.starts ELSE 0 END),
                round(sum(CASE WHEN o.started_at IS NULL THEN 0
                    ELSE (julianday(o.completed_at) - julianday(o.started_at)) * 24 END), 1),
                sum(o.starts <= 1 AND o.setbacks = 0)
         FROM work_order o JOIN engineer g ON g.id = o.engineer_id
         WHERE o.completed_at >= ?1 AND o.completed_at < ?2
         GROUP BY g.id ORDER BY count(*) DESC, g.name"
        ),
        params![p.start, p.end],
        4,
    )?;
    for l in &mut out {
        l.values[3] = pct(l.values[3], l.values[0]);
    }
    Ok(out)
}

fn callbacks(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let (satisfied, basically, unsatisfied) =
        (Opinion::Satisfied, Opinion::Basically, Opinion::Unsatisfied);
    let mut out = lines(
        conn,
        &format!(
            "SELECT 'all', '全部', count(*), count(done_at), sum(done_at IS NOT NULL AND done_at <= overdue),
                0, sum(satisfaction = '{satisfied}'), sum(satisfaction = '{basically}'),
                sum(satisfaction = '{unsatisfied}'), 0
         FROM callback WHERE due >= ?1 AND due < ?2"
        ),
        params![p.start, p.end],
        8,
    )?;
    for l in &mut out {
        l.values[3] = pct(l.values[1], l.values[0]);
        let answered = l.values[4] + l.values[5] + l.values[6];
        l.values[7] = pct(l.values[4], answered);
    }
    Ok(out)
}

fn complaints(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let mut out = lines(
        conn,
        "SELECT cause, cause, count(*), count(replied_at), sum(replied_at IS NOT NULL AND replied_at <= reply_due),
                avg(CASE WHEN replied_at IS NOT NULL
                    THEN (julianday(replied_at) - julianday(created_at)) * 24 END),
                sum(justified = 1)
         FROM complaint WHERE created_at >= ?1 AND created_at < ?2
         GROUP BY cause ORDER BY count(*) DESC",
        params![p.start, p.end],
        5,
    )?;
    for l in &mut out {
        l.label = Cause::from_word(&l.key)
            .map(|c| c.label().to_string())
            .unwrap_or_else(|| l.key.clone());
        l.values[3] = (l.values[3] * 10.0).round() / 10.0;
    }
    Ok(out)
}

fn clocks(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    // One pass over the period's orders for the three clocks: kept, missed, broken.
    let cancelled = OrderStatus::Cancelled;
    let counts: Vec<f64> = conn
        .prepare_cached(&format!(
            "SELECT sum(confirm_at <= confirm_due), sum(confirm_at > confirm_due),
                    sum(confirm_at IS NULL AND confirm_due < ?3),
                    sum(reply_at <= reply_due), sum(reply_at > reply_due),
                    sum(reply_at IS NULL AND reply_due < now_at),
                    sum(slip_at <= slip_due), sum(slip_at > slip_due),
                    sum(slip_at IS NULL AND slip_due < now_at)
             FROM (SELECT o.confirm_at, o.confirm_due, o.reply_at, o.reply_due, o.slip_at, o.slip_due,
                          o.created_at, o.status,
                          -- a paused order's clock stands still where the pause found it
                          coalesce(p.started_at, ?3) AS now_at
                   FROM work_order o
                   LEFT JOIN order_pause p ON p.order_id = o.id AND p.ended_at IS NULL) w
             WHERE created_at >= ?1 AND created_at < ?2 AND status <> '{cancelled}'",
        ))?
        .query_row(params![p.start, p.end, p.now], |r| {
            (0..9)
                .map(|i| Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0)))
                .collect::<rusqlite::Result<Vec<f64>>>()
        })?;
    Ok([
        ("confirm", "3分钟回电确认"),
        ("reply", "24小时答复"),
        ("slip", "2天交回服务单"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (key, label))| {
        let (kept, missed, broken) = (counts[3 * i], counts[3 * i + 1], counts[3 * i + 2]);
        Line {
            key: key.to_string(),
            label: label.to_string(),
            values: vec![kept, missed, broken, pct(kept, kept + missed + broken)],
        }
    })
    .collect())
}

/// One pause begun in the period: its order (id, number, customer), reason and the
/// working seconds it covered (an open one up to the period's now).
struct Paused {
    order_id: i64,
    order: String,
    reason: crate::orders::words::PauseReason,
    seconds: i64,
}

fn paused_in(conn: &Db, p: &Period) -> Result<Vec<Paused>> {
    let cal = crate::people::calendar::Calendar::load(conn)?;
    // The period's now is the desk's clock, always a stamp; nothing is open without it.
    let Some(now) = time::parse(&p.now) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT p.order_id, o.number || ' ' || c.name, p.reason, p.started_at, p.working_seconds
         FROM order_pause p JOIN work_order o ON o.id = p.order_id
         JOIN customer c ON c.id = o.customer_id
         WHERE p.started_at >= ?1 AND p.started_at < ?2 ORDER BY p.id",
    )?;
    let rows = stmt.query_map(params![p.start, p.end], |r| {
        let started: String = r.get(3)?;
        let seconds: Option<i64> = r.get(4)?;
        Ok(Paused {
            order_id: r.get(0)?,
            order: r.get(1)?,
            reason: r.get(2)?,
            seconds: seconds.unwrap_or_else(|| {
                crate::orders::pauses::working(&cal, &started, now).num_seconds()
            }),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Working seconds as hours with one decimal.
fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 360.0).round() / 10.0
}

fn pauses(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    use crate::orders::words::PauseReason;
    let all = paused_in(conn, p)?;
    let line = |key: &str, label: &str, of: &dyn Fn(&Paused) -> bool| {
        let chosen: Vec<&Paused> = all.iter().filter(|x| of(x)).collect();
        let mut orders: Vec<i64> = chosen.iter().map(|x| x.order_id).collect();
        orders.sort_unstable();
        orders.dedup();
        Line {
            key: key.to_string(),
            label: label.to_string(),
            values: vec![
                chosen.len() as f64,
                orders.len() as f64,
                hours(chosen.iter().map(|x| x.seconds).sum()),
            ],
        }
    };
    let mut out: Vec<Line> = PauseReason::ALL
        .iter()
        .map(|r| line(r.as_str(), r.label(), &|x: &Paused| x.reason == *r))
        .collect();
    out.push(line("total", "合计", &|_: &Paused| true));
    Ok(out)
}

fn paused_longest(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let mut by_order: Vec<(i64, String, i64, i64)> = Vec::new();
    for x in paused_in(conn, p)? {
        match by_order.iter_mut().find(|o| o.0 == x.order_id) {
            Some(o) => {
                o.2 += x.seconds;
                o.3 += 1;
            }
            None => by_order.push((x.order_id, x.order, x.seconds, 1)),
        }
    }
    // Longest first; the same time: the earlier order first.
    by_order.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(by_order
        .into_iter()
        .take(10)
        .map(|(id, order, seconds, n)| Line {
            key: id.to_string(),
            label: order,
            values: vec![hours(seconds), n as f64],
        })
        .collect())
}

fn fees(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let one = |sql: &str| -> Result<i64> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row(params![p.start, p.end], |r| r.get::<_, Option<i64>>(0))?
            .unwrap_or(0))
    };
    let (in_warranty, cancelled) = (warranty::Status::In, OrderStatus::Cancelled);
    let on_account = Method::OnAccount;
    let billed = one(&format!(
        "SELECT sum(total_fen) FROM work_order
         WHERE completed_at >= ?1 AND completed_at < ?2 AND warranty <> '{in_warranty}' AND status <> '{cancelled}'",
    ))?;
    let collected = one(&format!(
        // A loaner's deposit and its refund (issue 21) are held for the customer, not collected.
        "SELECT sum(amount_fen) FROM payment WHERE at >= ?1 AND at < ?2 AND method <> '{on_account}' AND loan_id IS NULL",
    ))?;
    // 保外报价 (issue 21): the deposits among what was collected, and the diagnostic fees
    // among what was billed (the orders closed on a refused quote never approved).
    let deposits =
        one("SELECT sum(amount_fen) FROM payment WHERE at >= ?1 AND at < ?2 AND kind = 'deposit'")?;
    let diagnostic = one(
        "SELECT sum(o.total_fen) FROM work_order o
         WHERE o.completed_at >= ?1 AND o.completed_at < ?2
           AND EXISTS (SELECT 1 FROM quote q WHERE q.order_id = o.id AND q.decision = 'refused')
           AND NOT EXISTS (SELECT 1 FROM quote q WHERE q.order_id = o.id AND q.decision = 'approved')",
    )?;
    // Still owed today of what was billed up to the period's end (through the index of
    // orders owing), aged at the period's end.
    // (SQLite is told the index; PostgreSQL's planner reads its statistics.)
    let owed = |hint: &str| {
        format!(
            "SELECT o.completed_at, o.total_fen - o.paid_fen FROM work_order o {hint}
         WHERE o.total_fen > o.paid_fen AND o.completed_at IS NOT NULL AND o.completed_at < ?1
           AND o.status <> '{cancelled}'",
        )
    };
    let mut stmt = conn.prepare_cached(&Both {
        sqlite: owed("INDEXED BY work_order_owed"),
        postgres: owed(""),
    })?;
    let end = time::parse(&p.end).expect("a period's own bound");
    let mut aged = [0i64; 4];
    for row in stmt.query_map([&p.end], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (completed, owed) = row?;
        if owed <= 0 {
            continue;
        }
        let days = crate::platform::time::parse(&completed)
            .map(|t| (end - t).num_days())
            .unwrap_or(0);
        aged[match days {
            ..=30 => 0,
            31..=60 => 1,
            61..=90 => 2,
            _ => 3,
        }] += owed;
    }
    let brands = brand_money(conn, p)?
        .into_iter()
        .fold(BrandMoney::default(), |all, (_, _, m)| BrandMoney {
            claimed: all.claimed + m.claimed,
            approved: all.approved + m.approved,
            paid: all.paid + m.paid,
            owed: all.owed + m.owed,
        });
    let yuan = |fen: i64| fen as f64 / 100.0;
    let line = |key: &str, label: &str, fen: i64| Line {
        key: key.into(),
        label: label.into(),
        values: vec![yuan(fen)],
    };
    Ok(vec![
        line("billed", "保外应收（完工）", billed),
        line("diagnostic", "其中检测费", diagnostic),
        line("collected", "实收（含退款）", collected),
        line("deposits", "其中定金", deposits),
        line("outstanding", "期末应收未收（至今）", aged.iter().sum()),
        line("aged_0_30", "账龄 0–30 天", aged[0]),
        line("aged_31_60", "账龄 31–60 天", aged[1]),
        line("aged_61_90", "账龄 61–90 天", aged[2]),
        line("aged_90", "账龄 90 天以上", aged[3]),
        line("claims_claimed", "厂家索赔（本期提交）", brands.claimed),
        line("claims_approved", "厂家核准（本期结算）", brands.approved),
        line("claims_paid", "厂家回款", brands.paid),
        line("claims_outstanding", "厂家应收未收（期末）", brands.owed),
    ])
}

/// What the brands were claimed, approved, paid and owe for a period (fen); per brand, or
/// in all.
#[derive(Debug, Default)]
struct BrandMoney {
    claimed: i64,
    approved: i64,
    paid: i64,
    owed: i64,
}

/// The claims' figures of the period by brand (id, name, figures), by brand name.
fn brand_money(conn: &Db, p: &Period) -> Result<Vec<(i64, String, BrandMoney)>> {
    let owed = ClaimStatus::sql_list(&[
        ClaimStatus::Approved,
        ClaimStatus::Partly,
        ClaimStatus::Paid,
    ]);
    let sql = format!(
        "SELECT b.id, b.name,
            coalesce(sum(CASE WHEN c.submitted_at >= ?1 AND c.submitted_at < ?2 THEN c.claimed_fen END), 0),
            coalesce(sum(CASE WHEN c.settled_at >= ?1 AND c.settled_at < ?2 THEN c.approved_fen END), 0),
            coalesce(sum(CASE WHEN c.paid_on >= ?3 AND c.paid_on <= ?4 THEN c.approved_fen END), 0),
            coalesce(sum(CASE WHEN c.status IN {owed} AND c.settled_at < ?2
                               AND (c.paid_on IS NULL OR c.paid_on > ?4) THEN c.approved_fen END), 0)
         FROM brand b JOIN claim c ON c.brand_id = b.id
         GROUP BY b.id, b.name ORDER BY b.name"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![p.start, p.end, p.from, p.to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            BrandMoney {
                claimed: r.get(2)?,
                approved: r.get(3)?,
                paid: r.get(4)?,
                owed: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn claims(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let yuan = |fen: i64| fen as f64 / 100.0;
    Ok(brand_money(conn, p)?
        .into_iter()
        .filter(|(_, _, m)| m.claimed != 0 || m.approved != 0 || m.paid != 0 || m.owed != 0)
        .map(|(id, name, m)| Line {
            key: id.to_string(),
            label: name,
            values: vec![
                yuan(m.claimed),
                yuan(m.approved),
                yuan(m.paid),
                yuan(m.owed),
            ],
        })
        .collect())
}

fn parts(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let mut out = lines(
        conn,
        &format!(
            "SELECT p.id, p.code || ' ' || p.name, -sum(m.quantity), -sum(m.value_fen) / 100.0
             FROM stock_movement m JOIN part p ON p.id = m.part_id
             WHERE m.at >= ?1 AND m.at < ?2 AND m.kind IN {}
             GROUP BY p.id HAVING sum(m.quantity) <> 0 ORDER BY -sum(m.value_fen) DESC LIMIT 50",
            MovementKind::sql_list(MovementKind::USED_ON_ORDERS)
        ),
        params![p.start, p.end],
        2,
    )?;
    // The ledger as of the period's end (for a period still running: as it stands).
    let (units, value): (i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(sum(quantity), 0), coalesce(sum(value_fen), 0) FROM stock_movement
             WHERE at < ?1",
        )?
        .query_row([&p.end], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let short: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT p.id FROM part p LEFT JOIN stock_balance b ON b.part_id = p.id
         WHERE p.min_stock > 0 GROUP BY p.id HAVING coalesce(sum(b.quantity), 0) < p.min_stock) AS short",
        [],
        |r| r.get(0),
    )?;
    out.push(Line {
        key: "stock_value".into(),
        label: "期末库存（数量、金额）".into(),
        values: vec![units as f64, value as f64 / 100.0],
    });
    out.push(Line {
        key: "shortages".into(),
        label: "低于最低库存的备件（种）".into(),
        values: vec![short as f64, 0.0],
    });
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportArgs {
    /// One of the report names; empty: all of them.
    pub report: String,
    #[serde(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Serialize)]
pub struct Reports {
    pub items: Vec<Report>,
}

/// 统计报表: one report or all, for the period, the one before, and a year earlier.
pub fn get(desk: &mut Desk, a: ReportArgs) -> Result<Reports> {
    let current = period(desk, &a.period)?;
    let (previous, last_year) = (current.previous(), current.last_year());
    let chosen: Vec<_> = REPORTS
        .iter()
        .filter(|(name, ..)| a.report.is_empty() || *name == a.report)
        .collect();
    if chosen.is_empty() {
        return Err(Error::invalid(
            "report",
            format!("没有“{}”这个报表", a.report),
        ));
    }
    let conn = desk.conn();
    let mut items = Vec::new();
    for (name, title, columns, compute) in chosen {
        let earlier = |p: &Period| -> Result<Vec<Line>> {
            let mut lines = compute(conn, p)?;
            lines.retain(|l| !NOW_LINES.contains(&(*name, l.key.as_str())));
            Ok(lines)
        };
        items.push(Report {
            name,
            title,
            columns: columns.to_vec(),
            current_lines: compute(conn, &current)?,
            previous_lines: earlier(&previous)?,
            last_year_lines: earlier(&last_year)?,
            period: current.clone(),
            previous: previous.clone(),
            last_year: last_year.clone(),
        });
    }
    Ok(Reports { items })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DrillArgs {
    pub report: String,
    pub key: String,
    #[serde(flatten)]
    pub period: PeriodArgs,
}

/// The orders behind a number (at most 500, newest first).
pub fn orders(desk: &mut Desk, a: DrillArgs) -> Result<crate::orders::OrderPage> {
    let p = period(desk, &a.period)?;
    let now = desk.now();
    let key = a.key.clone();
    let (repair, cancelled) = (OrderKind::Repair, OrderStatus::Cancelled);
    let in_warranty = warranty::Status::In;
    let (tail, args): (String, Vec<String>) = match a.report.as_str() {
        "repairs_by_model" => (
            format!(
                "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}' AND o.status <> '{cancelled}'
               AND coalesce(o.model_id, 0) = CAST(?3 AS INTEGER)"
            ),
            vec![p.start, p.end, key],
        ),
        "repairs_by_fault" => (
            format!(
                "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}' AND o.status <> '{cancelled}'
               AND o.fault_category = ?3"
            ),
            vec![p.start, p.end, key],
        ),
        "sanbao" => (
            format!(
                "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.kind = '{repair}'
               AND o.sanbao_remedy IN ('{}', '{}') AND o.model_id = CAST(?3 AS INTEGER)",
                crate::archive::sanbao::Remedy::Return,
                crate::archive::sanbao::Remedy::Exchange
            ),
            vec![p.start, p.end, key],
        ),
        "engineers" => (
            "WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.engineer_id = CAST(?3 AS INTEGER)"
                .to_string(),
            vec![p.start, p.end, key],
        ),
        "clocks" => {
            let (due, done) = match key.as_str() {
                "confirm" => ("confirm_due", "confirm_at"),
                "reply" => ("reply_due", "reply_at"),
                "slip" => ("slip_due", "slip_at"),
                _ => return Err(Error::invalid("key", "没有这个时限")),
            };
            let tail = match (due, done) {
                ("confirm_due", _) => format!("WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status <> '{cancelled}'
                    AND (o.confirm_at > o.confirm_due OR (o.confirm_at IS NULL AND o.confirm_due < ?3))"),
                ("reply_due", _) => format!("WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status <> '{cancelled}'
                    AND (o.reply_at > o.reply_due OR (o.reply_at IS NULL AND o.reply_due < coalesce(p.started_at, ?3)))"),
                _ => format!("WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status <> '{cancelled}'
                    AND (o.slip_at > o.slip_due OR (o.slip_at IS NULL AND o.slip_due < coalesce(p.started_at, ?3)))"),
            };
            (tail, vec![p.start, p.end, stamp(now).into()])
        }
        "pauses" => {
            let reason = match key.as_str() {
                "total" => String::new(),
                word => crate::orders::words::PauseReason::parse(word, "key")?
                    .as_str()
                    .to_string(),
            };
            (
                "WHERE o.id IN (SELECT order_id FROM order_pause
                   WHERE started_at >= ?1 AND started_at < ?2 AND (?3 = '' OR reason = ?3))"
                    .to_string(),
                vec![p.start, p.end, reason],
            )
        }
        "paused_longest" => {
            let id: i64 = key
                .parse()
                .map_err(|_| Error::invalid("key", "没有这张工单"))?;
            (
                "WHERE o.id = CAST(?1 AS INTEGER)".to_string(),
                vec![id.to_string()],
            )
        }
        "claims" => (
            "WHERE o.id IN (SELECT order_id FROM claim
               WHERE submitted_at >= ?1 AND submitted_at < ?2 AND brand_id = CAST(?3 AS INTEGER))"
                .to_string(),
            vec![p.start, p.end, key],
        ),
        "commission" => (
            commission::orders_of(desk.conn(), &p, &key)?,
            Vec::new(),
        ),
        "fees" if key == "billed" => (
            format!(
                "WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.warranty <> '{in_warranty}'
               AND o.status <> '{cancelled}' AND o.total_fen > 0"
            ),
            vec![p.start, p.end],
        ),
        _ => {
            return Err(Error::invalid(
                "report",
                "这个报表的数字不能展开到工单",
            ))
        }
    };
    let mut items = crate::orders::read(
        desk.conn(),
        desk.actor(),
        &format!("{tail} ORDER BY o.id DESC LIMIT 501"),
        args,
        now,
    )?;
    let more = items.len() > 500;
    items.truncate(500);
    Ok(crate::orders::OrderPage {
        items,
        page: 1,
        page_size: 500,
        more,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportArgs {
    /// `xlsx` (default) or `pdf`.
    pub format: String,
    #[serde(flatten)]
    pub period: PeriodArgs,
}

/// 导出报表: every report of the period, with the comparisons, as .xlsx (a sheet per report)
/// or a PDF.
pub fn export(desk: &mut Desk, a: ExportArgs) -> Result<crate::platform::files::Exported> {
    use base64::Engine as _;
    let all = get(
        desk,
        ReportArgs {
            report: String::new(),
            period: a.period,
        },
    )?;
    let p = &all.items[0].period;
    let stem = format!("统计报表-{}-{}", p.from, p.to);
    let (bytes, name, unprintable) = match a.format.as_str() {
        "" | "xlsx" => (print::xlsx(&all)?, format!("{stem}.xlsx"), Vec::new()),
        "pdf" => {
            let (bytes, unprintable) = print::pdf(&all, desk.now())?;
            (bytes, format!("{stem}.pdf"), unprintable)
        }
        _ => return Err(Error::invalid("format", "导出格式只能是 Excel 或 PDF")),
    };
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(&tx, &at, "exported", "report", 0, &format!("导出{name}"))?;
    tx.commit()?;
    Ok(crate::platform::files::Exported {
        file_name: name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: all.items.iter().map(|r| r.current_lines.len()).sum(),
        unprintable,
    })
}
