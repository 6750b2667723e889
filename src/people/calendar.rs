//! The working calendar the service-level clocks run on (DOMAIN.md, "Time rules").
//!
//! Working days are Monday to Friday, changed day by day in the calendar: a public holiday
//! is a day `off`, a make-up working day (调休, often a Saturday or Sunday) is a day `work`.
//! Working hours (e.g. 08:30–17:30) are a setting; times are the desk's local time, China
//! Standard Time (UTC+8), and stored as UTC.
//!
//! How a limit runs on it (written down because the users' rules say "3 minutes", "24
//! hours", "2 days" and mean the desk's working time):
//! - a limit in minutes counts working minutes only: 3 minutes from 17:29 ends at 08:32 on
//!   the next working day;
//! - a limit in days counts working days and keeps the time of day: 1 day from Friday 16:00
//!   ends Monday 16:00 (24 h = one working day); a request that arrives outside working
//!   hours starts its clock when the next working day begins.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::time;
use crate::{people::settings, Desk};

#[derive(Debug, Clone)]
pub struct Calendar {
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Days whose kind differs from the week's rule: true = working.
    pub days: HashMap<NaiveDate, bool>,
}

impl Calendar {
    /// The calendar of this desk: working hours from the settings, the days listed.
    pub fn load(conn: &Connection) -> Result<Calendar> {
        let s = settings::load(conn)?;
        let mut stmt = conn.prepare_cached("SELECT day, kind FROM calendar_day")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut days = HashMap::new();
        for row in rows {
            let (day, kind) = row?;
            if let Some(d) = crate::platform::dates::parse(&day) {
                days.insert(d, kind == "work");
            }
        }
        Ok(Calendar {
            start: s.work_start,
            end: s.work_end,
            days,
        })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.days
            .get(&d)
            .copied()
            .unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The first working day after `d`.
    fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d + Duration::days(1);
        // A calendar with no working day at all would loop forever: a year is the limit.
        for _ in 0..366 {
            if self.is_working_day(day) {
                return day;
            }
            day += Duration::days(1);
        }
        day
    }

    /// The first working moment at or after `at` (local time).
    fn working_moment(&self, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        let day = at.date_naive();
        if self.is_working_day(day) {
            if at.time() < self.start {
                return time::local(day, self.start);
            }
            if at.time() < self.end {
                return at;
            }
        }
        time::local(self.next_working_day(day), self.start)
    }

    /// `at` plus `minutes` of working time.
    pub fn add_minutes(&self, at: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let zone = time::zone();
        let mut cur = self.working_moment(at.with_timezone(&zone));
        let mut left = Duration::minutes(minutes);
        loop {
            let end_today = time::local(cur.date_naive(), self.end);
            let room = end_today - cur;
            if left <= room {
                return (cur + left).with_timezone(&Utc);
            }
            left -= room;
            cur = time::local(self.next_working_day(cur.date_naive()), self.start);
        }
    }

    /// `at` plus `n` working days at the same time of day (from the next working moment).
    pub fn add_days(&self, at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let zone = time::zone();
        let cur = self.working_moment(at.with_timezone(&zone));
        let mut day = cur.date_naive();
        for _ in 0..n {
            day = self.next_working_day(day);
        }
        time::local(day, cur.time()).with_timezone(&Utc)
    }

    /// Whether `at` is inside working hours on a working day.
    pub fn is_working_time(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&time::zone());
        self.is_working_day(local.date_naive())
            && local.time() >= self.start
            && local.time() < self.end
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: String,
    /// `off` (holiday) or `work` (make-up working day, 调休).
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearArgs {
    pub year: i32,
}

#[derive(Debug, Serialize)]
pub struct CalendarDays {
    pub items: Vec<CalendarDay>,
}

/// 工作日历: the holidays and make-up working days of a year (all years when 0).
pub fn list(desk: &mut Desk, a: YearArgs) -> Result<CalendarDays> {
    let (from, to) = if a.year == 0 {
        ("0000".to_string(), "9999".to_string())
    } else {
        (
            format!("{:04}-01-01", a.year),
            format!("{:04}-12-31", a.year),
        )
    };
    let mut stmt = desk.conn().prepare_cached(
        "SELECT day, kind, name FROM calendar_day WHERE day >= ?1 AND day <= ?2 ORDER BY day",
    )?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok(CalendarDay {
            day: r.get(0)?,
            kind: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    Ok(CalendarDays {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayArgs {
    pub day: String,
    /// `off`, `work`, or `normal` to take the day back to the week's rule.
    pub kind: String,
    pub name: String,
}

/// Marks one day as a holiday or a make-up working day, or back to normal.
pub fn save_day(desk: &mut Desk, a: DayArgs) -> Result<CalendarDays> {
    let day = crate::platform::dates::field("day", "日期", Some(&a.day))?
        .ok_or_else(|| Error::invalid("day", "请填写日期"))?;
    let name = crate::platform::text::field("name", "名称", &a.name, 20, false)?;
    let day_text = crate::platform::dates::show(day);
    let at = desk.stamp();
    let tx = desk.write()?;
    match a.kind.as_str() {
        "off" | "work" => {
            tx.execute(
                "INSERT INTO calendar_day (day, kind, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
                params![day_text, a.kind, name],
            )?;
        }
        "normal" => {
            tx.execute("DELETE FROM calendar_day WHERE day = ?1", [&day_text])?;
        }
        _ => {
            return Err(Error::invalid(
                "kind",
                "日期类型只能是“休息日”“调休上班”或“恢复正常”",
            ))
        }
    }
    let what = match a.kind.as_str() {
        "off" => "休息日",
        "work" => "调休上班",
        _ => "恢复正常",
    };
    crate::people::audit::record(
        &tx,
        &at,
        "calendar_day",
        "setting",
        0,
        &format!("{day_text} {what} {name}"),
    )?;
    tx.commit()?;
    list(desk, YearArgs { year: day.year() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar {
            start: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            days: HashMap::new(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn minutes_run_in_working_hours_only() {
        let c = cal();
        // Monday 2026-11-23 10:00 +08:00.
        assert_eq!(
            c.add_minutes(at("2026-11-23T10:00:00+08:00"), 3),
            at("2026-11-23T10:03:00+08:00")
        );
        // 17:29 + 3 min: one minute today, two tomorrow.
        assert_eq!(
            c.add_minutes(at("2026-11-23T17:29:00+08:00"), 3),
            at("2026-11-24T08:32:00+08:00")
        );
        // Friday evening → Monday morning.
        assert_eq!(
            c.add_minutes(at("2026-11-27T20:00:00+08:00"), 3),
            at("2026-11-30T08:33:00+08:00")
        );
    }

    #[test]
    fn days_keep_the_time_of_day_and_skip_weekends() {
        let c = cal();
        assert_eq!(
            c.add_days(at("2026-11-27T16:00:00+08:00"), 1),
            at("2026-11-30T16:00:00+08:00")
        );
        // Saturday: the clock starts Monday 08:30.
        assert_eq!(
            c.add_days(at("2026-11-28T11:00:00+08:00"), 2),
            at("2026-12-02T08:30:00+08:00")
        );
    }
}
