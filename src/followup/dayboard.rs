//! The day board (今日看板): what the desk starts the day with, in one read: today's
//! appointments, service-level clocks about to break (orders and complaints), callbacks
//! due, open complaints, low stock, unpaid receivables, loaners not back on time, maintenance due this week. And the alerts the doors' background
//! job turns into system notifications.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::orders::clocks::ClockState;
use crate::orders::{self, Order, OrderStatus};
use crate::platform::error::Result;
use crate::platform::time::stamp;
use crate::{followup::callbacks, followup::complaints, stock::ledger, Desk};

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

#[derive(Debug, Serialize)]
pub struct Receivables {
    pub count: usize,
    pub total_fen: i64,
    pub aged_fen: [i64; 4],
    /// The oldest ten.
    pub oldest: Vec<orders::board::Receivable>,
}

#[derive(Debug, Serialize)]
pub struct DayBoard {
    pub now: String,
    pub appointments: Vec<Order>,
    /// Open orders with a clock about to break or broken, the most urgent first.
    pub clocks: Vec<Order>,
    pub callbacks: Vec<callbacks::Callback>,
    pub complaints: Vec<complaints::Complaint>,
    pub low_stock: Vec<ledger::LowLine>,
    pub receivables: Receivables,
    /// Loaners past their expected return date (calendar days), the longest late first.
    pub overdue_loaners: Vec<orders::loaners::Loan>,
    /// 本周到期保养 (issue 21): machines of active maintenance plans due by Sunday, those
    /// due earlier and not yet maintained among them, the earliest first.
    pub maintenance_week: Vec<orders::plans::Next>,
    /// From December 1: next year has no official holidays on this desk yet.
    pub calendar_warning: Option<CalendarWarning>,
}

/// Next year's State Council notice is not loaded: deadlines across its holidays would be
/// wrong. `may_fix`: the user may load it (the screen links to the calendar settings).
#[derive(Debug, Serialize)]
pub struct CalendarWarning {
    pub year: i32,
    pub message: String,
    pub may_fix: bool,
}

/// The warning, from December 1 while next year's official days are missing.
fn calendar_warning(desk: &Desk) -> Result<Option<CalendarWarning>> {
    let today = desk.today();
    if today.month() != 12 {
        return Ok(None);
    }
    let year = today.year() + 1;
    if crate::people::calendar::has_official_year(desk.conn(), year)? {
        return Ok(None);
    }
    let may_fix = crate::may(desk.actor(), "calendar.notice.load");
    let message = if may_fix {
        format!("{year}年的法定节假日还没有载入：国务院公布通知后，请在“设置 › 工作日历”中粘贴通知载入，否则节假日前后的时限会算错。")
    } else {
        format!("{year}年的法定节假日还没有载入，节假日前后的时限会算错。请告诉经理在“设置 › 工作日历”中载入国务院的通知。")
    };
    Ok(Some(CalendarWarning {
        year,
        message,
        may_fix,
    }))
}

fn urgent(o: &Order) -> bool {
    o.clocks.iter().any(|c| c.state.alarming())
}

/// 今日看板.
pub fn board(desk: &mut Desk, _: NoArgs) -> Result<DayBoard> {
    let now = desk.now();
    let (from, to) = crate::platform::time::day_bounds(now);
    let (from, to) = (stamp(from), stamp(to));
    let conn = desk.conn();
    let open = OrderStatus::sql_list(OrderStatus::OPEN);
    let appointments = orders::read(
        conn,
        desk.actor(),
        &format!(
            "WHERE o.status IN {open}
               AND o.appointment_from >= ?1 AND o.appointment_from < ?2 ORDER BY o.appointment_from"
        ),
        [&from, &to],
        now,
    )?;
    let mut clocks: Vec<Order> = orders::read(
        conn,
        desk.actor(),
        &format!("WHERE o.status IN {open} ORDER BY o.id"),
        [],
        now,
    )?
    .into_iter()
    .filter(urgent)
    .collect();
    clocks.sort_by_key(|o| {
        o.clocks
            .iter()
            .filter_map(|c| c.minutes_left)
            .min()
            .unwrap_or(i64::MAX)
    });
    let callbacks = callbacks::queue(desk, callbacks::QueueArgs::default())?
        .items
        .into_iter()
        .filter(|c| c.state != callbacks::CallbackState::Upcoming)
        .collect();
    let complaints = complaints::list(desk, complaints::ListArgs::default())?.items;
    let low_stock = ledger::low(desk, crate::stock::parts::NoArgs {})?.items;
    let r = orders::board::receivables(desk, orders::board::NoArgs {})?;
    let calendar_warning = calendar_warning(desk)?;
    let overdue_loaners = orders::loaners::overdue(desk.conn(), desk.today())?;
    let maintenance_week = orders::plans::this_week(desk.conn(), desk.today())?;
    Ok(DayBoard {
        now: stamp(now).into(),
        appointments,
        clocks,
        callbacks,
        complaints,
        low_stock,
        receivables: Receivables {
            count: r.items.len(),
            total_fen: r.total_fen,
            aged_fen: r.aged_fen,
            oldest: r.items.into_iter().take(10).collect(),
        },
        overdue_loaners,
        maintenance_week,
        calendar_warning,
    })
}

#[derive(Debug, Serialize)]
pub struct Alert {
    /// Stable while the condition lasts: a door notifies each key once.
    pub key: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Serialize)]
pub struct Alerts {
    pub items: Vec<Alert>,
}

/// 提醒: clocks about to break (orders and complaints), for a system notification.
pub fn alerts(desk: &mut Desk, _: NoArgs) -> Result<Alerts> {
    let now = desk.now();
    let mut items = Vec::new();
    for o in orders::read(
        desk.conn(),
        desk.actor(),
        &format!(
            "WHERE o.status IN {} ORDER BY o.id",
            OrderStatus::sql_list(OrderStatus::OPEN)
        ),
        [],
        now,
    )? {
        // About to break, or broken in the last 10 minutes (a 3-minute clock can pass its
        // one-minute warning between two looks).
        let fresh = |c: &&crate::orders::clocks::Clock| {
            c.state == ClockState::Warning
                || (c.state == ClockState::Broken && c.minutes_left.is_some_and(|m| m >= -10))
        };
        for c in o.clocks.iter().filter(fresh) {
            items.push(Alert {
                key: format!("order:{}:{}", o.id, c.kind),
                title: if c.state == ClockState::Broken {
                    format!("{}已超时", c.label)
                } else {
                    format!("{}即将超时", c.label)
                },
                body: format!(
                    "工单 {} {}，还剩 {} 分钟",
                    o.number,
                    o.customer.name,
                    c.minutes_left.unwrap_or(0).max(0)
                ),
            });
        }
    }
    for k in complaints::list(desk, complaints::ListArgs::default())?.items {
        if k.reply_clock.state == ClockState::Warning {
            items.push(Alert {
                key: format!("complaint:{}", k.id),
                title: "投诉24小时答复即将超时".into(),
                body: format!("投诉 {} {}，请主管处理", k.number, k.customer),
            });
        }
    }
    Ok(Alerts { items })
}
