//! Dates as people and spreadsheets write them: `2024-03-15`, `2024/3/15`, `2024.3.15`,
//! `2024年3月15日`, and Excel serial day numbers (`45366`, days since 1899-12-30, which is
//! what a date cell becomes when a sheet is saved as CSV with the wrong format). Stored
//! and shown as `YYYY-MM-DD`. An impossible date (2023-02-29) is refused, never rolled over.

use chrono::NaiveDate;

use crate::platform::error::{Error, Result};

/// Parses one date; `None` when the text is not a date.
pub fn parse(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 6 && t.chars().all(|c| c.is_ascii_digit()) {
        // Excel serial: 1 = 1900-01-01 (with Excel's fictional 1900-02-29 accounted for by
        // counting from 1899-12-30); accept 1950..2100 only, so "2024" is not a date.
        let n: i64 = t.parse().ok()?;
        if !(18264..=73415).contains(&n) {
            return None;
        }
        return NaiveDate::from_ymd_opt(1899, 12, 30)?
            .checked_add_signed(chrono::Duration::days(n));
    }
    // An Excel date cell read as text may carry a time: "2024-03-15 00:00:00".
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let t = t.trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    if parts[0].len() != 4 || parts[1].len() > 2 || parts[2].len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    )
}

/// Parses an optional date field of a form: empty means none; a bad value is an error
/// that names the field (`label` is its Chinese name) and repeats what was typed.
pub fn field(field: &'static str, label: &str, text: Option<&str>) -> Result<Option<NaiveDate>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match parse(text) {
        Some(d) => Ok(Some(d)),
        None => Err(Error::invalid(
            field,
            format!("{label}不是有效的日期：{text}（请写成 2024-03-15）"),
        )),
    }
}

/// `YYYY-MM-DD` (chrono's ISO 8601 display: the same text as `%Y-%m-%d` without parsing
/// a format string each time; a month's report shows a day per item).
pub fn show(d: NaiveDate) -> String {
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse(s).map(show)
    }

    #[test]
    fn shows_as_the_format_does() {
        for (y, m, day) in [
            (1, 1, 1),
            (999, 12, 31),
            (2024, 2, 29),
            (2026, 10, 1),
            (9999, 12, 31),
        ] {
            let d = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            assert_eq!(show(d), d.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn accepts_the_ways_dates_are_written() {
        for s in [
            "2024-03-15",
            "2024/3/15",
            "2024.03.15",
            "2024年3月15日",
            "2024年03月15日",
            "45366",
            "2024-03-15 00:00:00",
        ] {
            assert_eq!(p(s).as_deref(), Some("2024-03-15"), "{s}");
        }
    }

    #[test]
    fn refuses_impossible_and_ambiguous_dates() {
        for s in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "15/03/2024",
            "2024",
            "24-3-15",
            "2024-3",
            "明天",
            "100",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
        let e = field("purchase_date", "购买日期", Some("2023-02-29")).unwrap_err();
        assert_eq!(e.field(), Some("purchase_date"));
        assert_eq!(
            e.to_string(),
            "购买日期不是有效的日期：2023-02-29（请写成 2024-03-15）"
        );
        assert_eq!(
            field("purchase_date", "购买日期", Some("  ")).unwrap(),
            None
        );
    }
}
