//! The official days: the State Council's holidays and make-up working days (调休).
//!
//! Two origins, one shape ([`Notice`]):
//! - shipped: the notices of 2024–2026, written here as data with their title and number
//!   (checked day by day against the PyPI packages `chinesecalendar` and `holidays` by
//!   `tests/people/calendar.rs`). They are read from the code each time the calendar is
//!   loaded, never copied into the database: every desk, new, demo or years old, has them
//!   as soon as it runs this version, and a correction in a later release reaches every
//!   desk the same way;
//! - loaded: a notice the manager pasted when it was announced (`official_year`,
//!   `official_day`). A loaded year replaces the shipped one of that year as a whole.
//!
//! Neither is ever written over a manager's own day (`calendar_day`): the manager's entry
//! for a day wins, see [`super::Calendar::load`].

use std::collections::BTreeMap;

use crate::platform::db::Db;
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

use super::notice::{Item, Notice};
use crate::platform::error::Result;

/// A paragraph as shipped: name, first and last day off (month, day), make-up days.
type Shipped = (&'static str, (u32, u32), (u32, u32), &'static [(u32, u32)]);

/// 国务院办公厅关于2024年部分节假日安排的通知, 国办发明电〔2023〕7号 (2023-10-25).
const Y2024: &[Shipped] = &[
    ("元旦", (1, 1), (1, 1), &[]),
    ("春节", (2, 10), (2, 17), &[(2, 4), (2, 18)]),
    ("清明节", (4, 4), (4, 6), &[(4, 7)]),
    ("劳动节", (5, 1), (5, 5), &[(4, 28), (5, 11)]),
    ("端午节", (6, 10), (6, 10), &[]),
    ("中秋节", (9, 15), (9, 17), &[(9, 14)]),
    ("国庆节", (10, 1), (10, 7), &[(9, 29), (10, 12)]),
];

/// 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号 (2024-11-12).
const Y2025: &[Shipped] = &[
    ("元旦", (1, 1), (1, 1), &[]),
    ("春节", (1, 28), (2, 4), &[(1, 26), (2, 8)]),
    ("清明节", (4, 4), (4, 6), &[]),
    ("劳动节", (5, 1), (5, 5), &[(4, 27)]),
    ("端午节", (5, 31), (6, 2), &[]),
    ("国庆节、中秋节", (10, 1), (10, 8), &[(9, 28), (10, 11)]),
];

/// 国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号 (2025-11-04).
const Y2026: &[Shipped] = &[
    ("元旦", (1, 1), (1, 3), &[(1, 4)]),
    ("春节", (2, 15), (2, 23), &[(2, 14), (2, 28)]),
    ("清明节", (4, 4), (4, 6), &[]),
    ("劳动节", (5, 1), (5, 5), &[(5, 9)]),
    ("端午节", (6, 19), (6, 21), &[]),
    ("中秋节", (9, 25), (9, 27), &[]),
    ("国庆节", (10, 1), (10, 7), &[(9, 20), (10, 10)]),
];

const SHIPPED: &[(i32, &str, &[Shipped])] = &[
    (2024, "国办发明电〔2023〕7号", Y2024),
    (2025, "国办发明电〔2024〕12号", Y2025),
    (2026, "国办发明电〔2025〕7号", Y2026),
];

fn ymd(year: i32, (m, d): (u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, m, d).expect("shipped dates are valid")
}

/// The notices shipped with this version, oldest first.
pub fn shipped() -> Vec<Notice> {
    SHIPPED
        .iter()
        .map(|&(year, number, items)| Notice {
            year,
            title: Notice::title_for(year),
            number: number.to_string(),
            items: items
                .iter()
                .map(|&(name, from, to, work)| {
                    let mut off = Vec::new();
                    let mut d = ymd(year, from);
                    while d <= ymd(year, to) {
                        off.push(d);
                        d = d.succ_opt().expect("shipped dates are valid");
                    }
                    Item {
                        name: name.to_string(),
                        off,
                        work: work.iter().map(|&w| ymd(year, w)).collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

crate::words! {
    /// Where a year's official days came from.
    pub enum Origin("来源") {
        Shipped = "shipped", "随软件提供";
        Loaded = "loaded", "经理载入";
    }
}

/// One official day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub off: bool,
    pub name: String,
}

/// The days of a notice, in date order; a make-up day is named after its holiday.
pub fn days_of(n: &Notice) -> Vec<Day> {
    let mut out: Vec<Day> = n
        .items
        .iter()
        .flat_map(|i| {
            i.off
                .iter()
                .map(|&d| Day {
                    day: d,
                    off: true,
                    name: i.name.clone(),
                })
                .chain(i.work.iter().map(|&d| Day {
                    day: d,
                    off: false,
                    name: format!("{}调休上班", i.name),
                }))
        })
        .collect();
    out.sort_by_key(|d| d.day);
    out
}

/// One year's official days as the desk has them.
#[derive(Debug, Clone, Serialize)]
pub struct Year {
    pub year: i32,
    pub title: String,
    pub number: String,
    /// Title and number as shown: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）.
    pub source: String,
    pub origin: Origin,
    /// When a manager loaded it (none for shipped years).
    pub loaded_at: Option<String>,
    pub loaded_by: Option<String>,
    #[serde(skip)]
    pub days: Vec<Day>,
}

/// Every year with official days on this desk: shipped ones, each replaced by a loaded
/// notice of the same year.
pub fn years(conn: &Db) -> Result<BTreeMap<i32, Year>> {
    let mut out = BTreeMap::new();
    for n in shipped() {
        out.insert(
            n.year,
            Year {
                year: n.year,
                title: n.title.clone(),
                number: n.number.clone(),
                source: n.source(),
                origin: Origin::Shipped,
                loaded_at: None,
                loaded_by: None,
                days: days_of(&n),
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT year, title, number, loaded_at, loaded_by FROM official_year ORDER BY year",
    )?;
    let loaded = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut day_stmt = conn
        .prepare_cached("SELECT day, kind, name FROM official_day WHERE year = ?1 ORDER BY day")?;
    for (year, title, number, loaded_at, loaded_by) in loaded {
        let days = day_stmt
            .query_map([year], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|(day, kind, name)| {
                Some(Day {
                    day: crate::platform::dates::parse(&day)?,
                    off: kind == "off",
                    name,
                })
            })
            .collect();
        let n = Notice {
            year,
            title,
            number,
            items: Vec::new(),
        };
        out.insert(
            year,
            Year {
                year,
                source: n.source(),
                title: n.title,
                number: n.number,
                origin: Origin::Loaded,
                loaded_at: Some(crate::platform::time::local_text(&loaded_at)),
                loaded_by: Some(loaded_by),
                days,
            },
        );
    }
    Ok(out)
}

/// Puts a notice in place of the official days of its year, inside the caller's
/// transaction. The manager's own days are not touched.
pub fn store(tx: &Db, n: &Notice, at: &str, by: &str) -> Result<usize> {
    tx.execute("DELETE FROM official_day WHERE year = ?1", [n.year])?;
    tx.execute(
        "INSERT INTO official_year (year, title, number, loaded_at, loaded_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year) DO UPDATE SET title = excluded.title, number = excluded.number,
           loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
        params![n.year, n.title, n.number, at, by],
    )?;
    let days = days_of(n);
    let mut ins = tx.prepare_cached(
        "INSERT INTO official_day (day, year, kind, name) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for d in &days {
        ins.execute(params![
            crate::platform::dates::show(d.day),
            n.year,
            if d.off { "off" } else { "work" },
            d.name
        ])?;
    }
    Ok(days.len())
}
