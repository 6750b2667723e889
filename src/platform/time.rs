//! The desk's one clock and its zone, and how instants are written down.
//!
//! - [`Clock`]: the real time, or a fixed instant (training, tests) taken from
//!   [`CLOCK_VAR`]. The desk owns one; every use case asks the desk (`Desk::now`,
//!   `Desk::today`, `Desk::stamp`) and passes what it got down to the helpers it calls.
//!   This module is the only place that reads the wall clock.
//! - [`zone`]: the desk's local time, China Standard Time (UTC+8, no daylight saving),
//!   whatever zone the PC itself is set to. Days, working hours and what a clerk types
//!   are in this zone.
//! - [`Stamp`]: an instant as stored and sent, UTC text `2026-11-23T02:00:00Z`; it sorts
//!   as text in the order of time, which is what the indexes and range queries rely on.
//! - local days ([`midnight`], [`day_bounds`]), [`parse`] and [`local_text`].

use std::fmt;
use std::ops::Deref;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};

/// Environment variable that fixes the desk's clock (RFC 3339, e.g.
/// `2026-11-23T10:00:00+08:00`) for training and for tests of the service-level clocks,
/// which must not depend on when they run. Unset in normal use.
pub const CLOCK_VAR: &str = "AFTERSALES_CLOCK";

/// How an instant is stored: UTC, whole seconds, a `Z`.
const STORED: &str = "%Y-%m-%dT%H:%M:%SZ";

/// China Standard Time, the desk's local time.
pub fn zone() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Where the desk's "now" comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The computer's clock.
    #[default]
    Real,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The clock [`CLOCK_VAR`] asks for: fixed when it is set, real otherwise.
    pub fn from_env() -> Result<Clock> {
        match std::env::var(CLOCK_VAR) {
            Ok(text) if !text.trim().is_empty() => DateTime::parse_from_rfc3339(text.trim())
                .map(|t| Clock::Fixed(t.with_timezone(&Utc)))
                .map_err(|e| Error::BadRequest(format!("{CLOCK_VAR}={text}: {e}"))),
            _ => Ok(Clock::Real),
        }
    }

    /// Now, by this clock.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::Real => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Today, the desk's local day, by this clock.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&zone()).date_naive()
    }
}

/// An instant as stored: `2026-11-23T02:00:00Z`. In JSON it is that string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Stamp(String);

impl Stamp {
    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant it names.
    pub fn instant(&self) -> DateTime<Utc> {
        parse(&self.0).expect("a Stamp always holds a valid instant")
    }
}

impl From<DateTime<Utc>> for Stamp {
    fn from(t: DateTime<Utc>) -> Stamp {
        Stamp(t.format(STORED).to_string())
    }
}

impl From<Stamp> for DateTime<Utc> {
    fn from(s: Stamp) -> DateTime<Utc> {
        s.instant()
    }
}

impl From<Stamp> for String {
    fn from(s: Stamp) -> String {
        s.0
    }
}

impl From<Stamp> for rusqlite::types::Value {
    fn from(s: Stamp) -> rusqlite::types::Value {
        rusqlite::types::Value::Text(s.0)
    }
}

impl TryFrom<String> for Stamp {
    type Error = String;

    /// Any instant [`parse`] reads, written back as stored.
    fn try_from(text: String) -> std::result::Result<Stamp, String> {
        parse(&text)
            .map(Stamp::from)
            .ok_or_else(|| format!("not a time: {text}"))
    }
}

impl Deref for Stamp {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.as_str()))
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Stamp> {
        let text = value.as_str()?;
        parse(text)
            .map(Stamp::from)
            .ok_or_else(|| FromSqlError::Other(format!("not a time: {text}").into()))
    }
}

/// `t` as stored (see [`Stamp`]).
pub fn stamp(t: DateTime<Utc>) -> Stamp {
    Stamp::from(t)
}

/// An instant written as RFC 3339 (what is stored, or with an offset) as UTC; `None` when
/// the text is not one.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `time` on local `day`, in the desk's zone.
pub fn local(day: NaiveDate, time: NaiveTime) -> DateTime<FixedOffset> {
    zone()
        .from_local_datetime(&day.and_time(time))
        .single()
        .expect("a fixed offset has exactly one local time")
}

/// Midnight (local) starting `day`, as a UTC instant.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    local(day, NaiveTime::MIN).with_timezone(&Utc)
}

/// The local day `t` falls on: from its midnight to the next, as UTC instants.
pub fn day_bounds(t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = midnight(t.with_timezone(&zone()).date_naive());
    (start, start + Duration::days(1))
}

/// A stored instant as a clerk reads it, local: `2026-11-23 14:05`; empty when `utc` is
/// not an instant.
pub fn local_text(utc: &str) -> String {
    match parse(utc) {
        Some(t) => t
            .with_timezone(&zone())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_the_stored_text_and_reads_back() {
        let t = parse("2026-11-23T10:05:06+08:00").unwrap();
        let s = stamp(t);
        assert_eq!(s.as_str(), "2026-11-23T02:05:06Z");
        assert_eq!(s.instant(), t);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            "\"2026-11-23T02:05:06Z\""
        );
        let back: Stamp = serde_json::from_str("\"2026-11-23T02:05:06Z\"").unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<Stamp>("\"yesterday\"").is_err());
    }

    #[test]
    fn local_days_start_at_midnight_china_time() {
        let t = parse("2026-11-23T17:00:00Z").unwrap(); // 01:00 on the 24th, local
        let (from, to) = day_bounds(t);
        assert_eq!(stamp(from).as_str(), "2026-11-23T16:00:00Z");
        assert_eq!(stamp(to).as_str(), "2026-11-24T16:00:00Z");
        assert_eq!(
            Clock::Fixed(t).today(),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        assert_eq!(local_text("2026-11-23T17:00:00Z"), "2026-11-24 01:00");
        assert_eq!(local_text("soon"), "");
    }
}
