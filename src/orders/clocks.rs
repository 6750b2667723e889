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
//! kept is read from them. A running clock warns before it breaks: 1 minute before for the
//! confirmation call, 4 hours for the reply, 8 hours for the slip.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::people::calendar::Calendar;

pub const CONFIRM_MINUTES: i64 = 3;
pub const REPLY_DAYS: u32 = 1;
pub const SLIP_DAYS: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confirm,
    Reply,
    Slip,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Confirm => "confirm",
            Kind::Reply => "reply",
            Kind::Slip => "slip",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Confirm => "3分钟回电确认",
            Kind::Reply => "24小时答复",
            Kind::Slip => "2天交回服务单",
        }
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
    pub kind: &'static str,
    pub label: &'static str,
    pub due: String,
    pub done_at: Option<String>,
    /// `running`, `warning` (about to break), `broken` (past due, still running), `kept`,
    /// `missed` (stopped late), `stopped` (the order was cancelled before it stopped).
    pub state: &'static str,
    /// Minutes left (negative: minutes over), for a running clock.
    pub minutes_left: Option<i64>,
}

/// One clock as it stands at `now`.
pub fn state(
    kind: Kind,
    due: &str,
    done_at: Option<&str>,
    cancelled: bool,
    now: DateTime<Utc>,
) -> Clock {
    let due_t = crate::platform::time::parse(due).unwrap_or(now);
    let (state, minutes_left) = match done_at {
        Some(done) => {
            let done_t = crate::platform::time::parse(done).unwrap_or(now);
            (if done_t <= due_t { "kept" } else { "missed" }, None)
        }
        None if cancelled => ("stopped", None),
        None => {
            let left = due_t - now;
            let state = if left < Duration::zero() {
                "broken"
            } else if left <= kind.warn_before() {
                "warning"
            } else {
                "running"
            };
            // Whole minutes, rounded towards the deadline: 30 s left shows as 0.
            (state, Some(left.num_seconds().div_euclid(60)))
        }
    };
    Clock {
        kind: kind.name(),
        label: kind.label(),
        due: due.to_string(),
        done_at: done_at.map(str::to_string),
        state,
        minutes_left,
    }
}
