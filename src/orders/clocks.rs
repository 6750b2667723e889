//! The service-level clocks of an order (DOMAIN.md, "Time rules"), on the working
//! calendar ([`crate::people::calendar`]):
//! - `confirm`: call the customer back to confirm time, address, model, purchase date and
//!   fault within 3 working minutes of the request; stopped by a recorded confirmation
//!   (an order taken with the caller on the line is confirmed as it is registered);
//! - `reply`: the request gets a reply within 24 h (one working day); stopped when an
//!   engineer is dispatched, or when the order is completed (phone help);
//! - `slip`: the signed slip is handed in within 2 working days; stopped at completion,
//!   and a late one needs a recorded reason.
//!
//! Due times and the moment each clock stopped are stored on the order; whether it was
//! kept is read from them. While the order is paused (待料 / 待客户, [`super::pauses`]) the
//! reply and slip clocks stand still (`paused`, their time left as it was when the pause
//! began, never an alert); when the pause ends their due times move on by the working
//! time it covered, so kept and missed are read from the stored times as before. A running clock warns before it breaks: 1 minute before for the
//! confirmation call, 4 hours for the reply, 8 hours for the slip.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::people::calendar::Calendar;

pub const CONFIRM_MINUTES: i64 = 3;
pub const REPLY_DAYS: u32 = 1;
pub const SLIP_DAYS: u32 = 2;

crate::words! {
    /// Which service-level clock.
    pub enum Kind("时限") {
        Confirm = "confirm", "3分钟回电确认";
        Reply = "reply", "24小时答复";
        Slip = "slip", "2天交回服务单";
    }
}

crate::words! {
    /// Where a clock stands: `running`, `warning` (about to break), `broken` (past due,
    /// still running), `paused` (the order waits for parts or the customer), `kept`,
    /// `missed` (stopped late), `stopped` (the order was cancelled before it stopped).
    pub enum ClockState("时限状态") {
        Running = "running", "进行中";
        Warning = "warning", "即将超时";
        Broken = "broken", "已超时";
        Paused = "paused", "已暂停";
        Kept = "kept", "按时完成";
        Missed = "missed", "超时完成";
        Stopped = "stopped", "已停止";
    }
}

impl ClockState {
    /// About to break or broken: the desk is alerted (never while paused).
    pub fn alarming(self) -> bool {
        matches!(self, ClockState::Warning | ClockState::Broken)
    }
}

impl Kind {
    /// The clocks a pause stops: the reply and the slip (the 3-minute confirmation call
    /// is the desk's own call, nobody waits for it).
    pub fn pauses(self) -> bool {
        matches!(self, Kind::Reply | Kind::Slip)
    }

    fn warn_before(self) -> Duration {
        match self {
            Kind::Confirm => Duration::minutes(1),
            Kind::Reply => Duration::hours(4),
            Kind::Slip => Duration::hours(8),
        }
    }
}

/// Due times of a request registered at `at`.
pub fn due(cal: &Calendar, at: DateTime<Utc>) -> [DateTime<Utc>; 3] {
    [
        cal.add_minutes(at, CONFIRM_MINUTES),
        cal.add_days(at, REPLY_DAYS),
        cal.add_days(at, SLIP_DAYS),
    ]
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Clock {
    pub kind: Kind,
    pub label: &'static str,
    pub due: String,
    pub done_at: Option<String>,
    pub state: ClockState,
    /// Minutes left (negative: minutes over), for a running clock.
    pub minutes_left: Option<i64>,
}

/// One clock as it stands at `now`; `paused_since`: when the order's open pause began.
pub fn state(
    kind: Kind,
    due: &str,
    done_at: Option<&str>,
    cancelled: bool,
    paused_since: Option<&str>,
    now: DateTime<Utc>,
) -> Clock {
    let due_t = crate::platform::time::parse(due).unwrap_or(now);
    let paused = paused_since
        .filter(|_| kind.pauses())
        .map(|since| crate::platform::time::parse(since).unwrap_or(now));
    let (state, minutes_left) = match done_at {
        Some(done) => {
            let done_t = crate::platform::time::parse(done).unwrap_or(now);
            (
                if done_t <= due_t {
                    ClockState::Kept
                } else {
                    ClockState::Missed
                },
                None,
            )
        }
        None if cancelled => (ClockState::Stopped, None),
        // Standing still: the time left as the pause found it.
        None if paused.is_some() => {
            let left = due_t - paused.unwrap_or(now);
            (ClockState::Paused, Some(left.num_seconds().div_euclid(60)))
        }
        None => {
            let left = due_t - now;
            let state = if left < Duration::zero() {
                ClockState::Broken
            } else if left <= kind.warn_before() {
                ClockState::Warning
            } else {
                ClockState::Running
            };
            // Whole minutes, rounded towards the deadline: 30 s left shows as 0.
            (state, Some(left.num_seconds().div_euclid(60)))
        }
    };
    Clock {
        kind,
        label: kind.label(),
        due: due.to_string(),
        done_at: done_at.map(str::to_string),
        state,
        minutes_left,
    }
}
