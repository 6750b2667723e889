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
//!
//! Which days are off or working comes from three layers, the later winning for a day:
//! the week's rule (Monday to Friday), the official days (the State Council's notice of
//! the year: shipped with the desk or loaded by the manager, [`official`]), and the
//! manager's own entries (`calendar_day`), which nothing but the manager changes.

pub mod notice;
pub mod official;

use std::collections::HashMap;

use crate::platform::db::Db;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use rusqlite::params;
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
    /// The calendar of this desk: working hours from the settings; the official days,
    /// then the manager's own days over them.
    pub fn load(conn: &Db) -> Result<Calendar> {
        let s = settings::load(conn)?;
        let mut days = HashMap::new();
        for year in official::years(conn)?.into_values() {
            for d in year.days {
                days.insert(d.day, !d.off);
            }
        }
        let mut stmt = conn.prepare_cached("SELECT day, kind FROM calendar_day")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
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
        self.add_working(at, Duration::minutes(minutes))
    }

    /// The working time between `from` and `to` (zero when `to` is not later): nights,
    /// days off and holidays count nothing. What a pause of an order's clocks covered
    /// (orders/pauses.rs).
    pub fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let zone = time::zone();
        let end = to.with_timezone(&zone);
        let mut cur = self.working_moment(from.with_timezone(&zone));
        let mut total = Duration::zero();
        while cur < end {
            let stop = time::local(cur.date_naive(), self.end).min(end);
            total += stop - cur;
            cur = time::local(self.next_working_day(cur.date_naive()), self.start);
        }
        total
    }

    /// `at` plus `working` time on the calendar.
    pub fn add_working(&self, at: DateTime<Utc>, working: Duration) -> DateTime<Utc> {
        let zone = time::zone();
        let mut cur = self.working_moment(at.with_timezone(&zone));
        let mut left = working;
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

crate::words! {
    /// Whose entry decides a day: the State Council's notice or the manager.
    pub enum DaySource("来源") {
        Official = "official", "国务院通知";
        Manager = "manager", "本店设置";
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: String,
    /// `off` (holiday) or `work` (make-up working day, 调休).
    pub kind: String,
    pub name: String,
    pub source: DaySource,
    /// What the notice says of a day the manager set otherwise (`off` / `work`).
    pub official_kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearArgs {
    pub year: i32,
}

#[derive(Debug, Serialize)]
pub struct CalendarDays {
    pub items: Vec<CalendarDay>,
    /// The notice the official days of the year come from (none: not loaded yet, or all
    /// years asked).
    pub official: Option<official::Year>,
}

fn kind_word(off: bool) -> &'static str {
    if off {
        "off"
    } else {
        "work"
    }
}

/// 工作日历: the holidays and make-up working days of a year (all years when 0), official
/// and the manager's own, each with its source.
pub fn list(desk: &mut Desk, a: YearArgs) -> Result<CalendarDays> {
    let (from, to) = if a.year == 0 {
        ("0000".to_string(), "9999".to_string())
    } else {
        (
            format!("{:04}-01-01", a.year),
            format!("{:04}-12-31", a.year),
        )
    };
    let years = official::years(desk.conn())?;
    let mut merged: std::collections::BTreeMap<String, CalendarDay> = Default::default();
    for y in years.values() {
        for d in &y.days {
            let day = crate::platform::dates::show(d.day);
            if day >= from && day <= to {
                merged.insert(
                    day.clone(),
                    CalendarDay {
                        day,
                        kind: kind_word(d.off).into(),
                        name: d.name.clone(),
                        source: DaySource::Official,
                        official_kind: None,
                    },
                );
            }
        }
    }
    let mut stmt = desk.conn().prepare_cached(
        "SELECT day, kind, name FROM calendar_day WHERE day >= ?1 AND day <= ?2 ORDER BY day",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (day, kind, name) in rows {
        let official_kind = merged.get(&day).map(|o| o.kind.clone());
        merged.insert(
            day.clone(),
            CalendarDay {
                day,
                kind,
                name,
                source: DaySource::Manager,
                official_kind,
            },
        );
    }
    let official = if a.year == 0 {
        None
    } else {
        years.get(&a.year).cloned()
    };
    Ok(CalendarDays {
        items: merged.into_values().collect(),
        official,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayArgs {
    pub day: String,
    /// `off`, `work`, or `normal` to drop the manager's own entry (the day follows the
    /// official notice again, or the week's rule).
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
        _ => "取消本店设置",
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeArgs {
    /// The notice's text as published (pasted, or read from a small .txt file).
    pub text: String,
    /// The year chosen on the screen; 0 takes it from the text.
    pub year: i32,
}

/// A day of a notice as the preview shows it.
#[derive(Debug, Serialize)]
pub struct NoticeDay {
    pub day: String,
    pub kind: String,
    pub name: String,
    /// The manager's own entry for that day, which stays and keeps winning.
    pub manager_kind: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NoticePreview {
    pub year: i32,
    pub title: String,
    pub number: String,
    pub source: String,
    pub items: Vec<notice::Item>,
    pub days: Vec<NoticeDay>,
    pub off_count: usize,
    pub work_count: usize,
    /// The official days of that year the notice replaces (shipped or loaded before).
    pub replaces: Option<official::Year>,
}

/// Reads the notice and checks the year against today: last year, this year or next.
fn read_notice(desk: &Desk, a: &NoticeArgs) -> Result<notice::Notice> {
    let this = desk.today().year();
    if a.year != 0 && !(this - 1..=this + 1).contains(&a.year) {
        return Err(Error::invalid(
            "year",
            format!("只能载入{}年到{}年的通知", this - 1, this + 1),
        ));
    }
    let n = notice::read(&a.text, a.year)?;
    if !(this - 1..=this + 1).contains(&n.year) {
        return Err(Error::invalid(
            "year",
            format!(
                "这是{}年的通知；只能载入{}年到{}年的通知",
                n.year,
                this - 1,
                this + 1
            ),
        ));
    }
    Ok(n)
}

/// 预览节假日通知: what loading the notice would set, nothing written.
pub fn preview_notice(desk: &mut Desk, a: NoticeArgs) -> Result<NoticePreview> {
    let n = read_notice(desk, &a)?;
    let mut own = HashMap::new();
    {
        let mut stmt = desk
            .conn()
            .prepare_cached("SELECT day, kind FROM calendar_day WHERE day >= ?1 AND day <= ?2")?;
        let rows = stmt.query_map(
            params![
                format!("{:04}-12-01", n.year - 1),
                format!("{:04}-12-31", n.year)
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        for row in rows {
            let (day, kind) = row?;
            own.insert(day, kind);
        }
    }
    let days: Vec<NoticeDay> = official::days_of(&n)
        .into_iter()
        .map(|d| {
            let day = crate::platform::dates::show(d.day);
            NoticeDay {
                manager_kind: own.get(&day).cloned(),
                day,
                kind: kind_word(d.off).into(),
                name: d.name,
            }
        })
        .collect();
    let replaces = official::years(desk.conn())?.remove(&n.year);
    Ok(NoticePreview {
        year: n.year,
        source: n.source(),
        off_count: days.iter().filter(|d| d.kind == "off").count(),
        work_count: days.iter().filter(|d| d.kind == "work").count(),
        title: n.title,
        number: n.number,
        items: n.items,
        days,
        replaces,
    })
}

/// 载入节假日通知: the notice's days become the official days of its year, in one
/// transaction; the manager's own days are kept and keep winning.
pub fn load_notice(desk: &mut Desk, a: NoticeArgs) -> Result<CalendarDays> {
    let n = read_notice(desk, &a)?;
    let at = desk.stamp();
    let by = match desk.actor() {
        a if a.name.is_empty() => a.login.clone(),
        a => a.name.clone(),
    };
    let tx = desk.write()?;
    let count = official::store(&tx, &n, at.as_str(), &by)?;
    crate::people::audit::record(
        &tx,
        &at,
        "calendar_notice",
        "setting",
        0,
        &format!("{}年 {}，{count}天", n.year, n.source()),
    )?;
    tx.commit()?;
    list(desk, YearArgs { year: n.year })
}

/// Whether the official days of `year` are on this desk (shipped or loaded).
pub fn has_official_year(conn: &Db, year: i32) -> Result<bool> {
    Ok(official::years(conn)?.contains_key(&year))
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
