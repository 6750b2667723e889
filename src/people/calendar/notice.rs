//! The State Council's yearly notice on holidays (国务院办公厅关于YYYY年部分节假日安排的通知),
//! read from its text as published.
//!
//! The notice has a fixed shape: a numbered paragraph per holiday, `一、元旦：1月1日（周四）至3日
//! （周六）放假调休，共3天。1月4日（周日）上班。`. A paragraph gives the days off (a range
//! with `至`, or single days with `放假`/`补休`) and the make-up working days (a sentence
//! ending in `上班`); weekdays in brackets and `共N天` are checked against the dates, so a
//! misread date is caught rather than loaded. A paragraph that cannot be read is named in
//! the error and nothing is returned: the caller loads all of a notice or none of it.
//!
//! The text is bounded before it is read ([`MAX_CHARS`]); the year must be told by the
//! text or by the caller.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::platform::error::{Error, Result};

/// A notice is about 1,000 characters; a page copied whole with its surroundings stays
/// well under this.
pub const MAX_CHARS: usize = 20_000;

/// One paragraph of a notice: a holiday, its days off and its make-up working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub name: String,
    pub off: Vec<NaiveDate>,
    pub work: Vec<NaiveDate>,
}

/// A notice as read: the year it is for, its title and document number, its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub year: i32,
    pub title: String,
    /// 文号, e.g. 国办发明电〔2025〕7号; empty when the pasted text did not carry it.
    pub number: String,
    pub items: Vec<Item>,
}

impl Notice {
    /// The standard title of the notice for `year`.
    pub fn title_for(year: i32) -> String {
        format!("国务院办公厅关于{year}年部分节假日安排的通知")
    }

    /// How the notice is named to a user: title and number.
    pub fn source(&self) -> String {
        if self.number.is_empty() {
            self.title.clone()
        } else {
            format!("{}（{}）", self.title, self.number)
        }
    }
}

const NUMERALS: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// Reads a notice. `year` is the year the manager chose (0: take it from the text); when
/// both are given they must agree.
pub fn read(text: &str, year: i32) -> Result<Notice> {
    if text.chars().count() > MAX_CHARS {
        return Err(Error::invalid(
            "text",
            format!("通知文本太长（最多{MAX_CHARS}字），请只粘贴通知正文"),
        ));
    }
    let text = normalise(text);
    if text.trim().is_empty() {
        return Err(Error::invalid("text", "请粘贴节假日安排通知的正文"));
    }
    let told = year_in(&text);
    let year = match (year, told) {
        (0, Some(y)) => y,
        (0, None) => {
            return Err(Error::invalid(
                "year",
                "通知中没有找到年份（如“2026年元旦、春节……”），请选择年份",
            ))
        }
        (y, Some(t)) if y != t => {
            return Err(Error::invalid(
                "year",
                format!("选择的是{y}年，但通知写的是{t}年"),
            ))
        }
        (y, _) => y,
    };
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", "年份应在2000到2100之间"));
    }
    let number = number_in(&text);
    let mut items = Vec::new();
    let mut at = 0;
    let mut starts = Vec::new();
    for (i, numeral) in NUMERALS.iter().enumerate() {
        match paragraph_start(&text, at, numeral) {
            Some((start, body)) => {
                starts.push((i, start, body));
                at = body;
            }
            None => break,
        }
    }
    if starts.is_empty() {
        return Err(Error::invalid(
            "text",
            "没有找到“一、元旦：……”这样的分段，请粘贴通知中列出各节日安排的正文",
        ));
    }
    for (k, &(i, _, body)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(text.len(), |s| s.1);
        let (item, last) = read_item(year, NUMERALS[i], &text[body..end])?;
        items.push(item);
        if last {
            break;
        }
    }
    let notice = Notice {
        year,
        title: Notice::title_for(year),
        number,
        items,
    };
    check(&notice)?;
    Ok(notice)
}

/// Full-width punctuation and digits to one form; spaces gone, line breaks kept.
fn normalise(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '（' => Some('('),
            '）' => Some(')'),
            '：' => Some(':'),
            '，' => Some(','),
            '；' => Some(';'),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '\r' => Some('\n'),
            '\n' => Some('\n'),
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect()
}

fn digits_at(text: &str, at: usize) -> Option<(u32, usize)> {
    let len = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .map(char::len_utf8)
        .sum::<usize>();
    if len == 0 || len > 4 {
        return None;
    }
    Some((text[at..at + len].parse().ok()?, at + len))
}

/// The year named by the notice: "关于2026年部分节假日" or "现将2026年".
fn year_in(text: &str) -> Option<i32> {
    for lead in ["关于", "现将"] {
        let mut from = 0;
        while let Some(p) = text[from..].find(lead) {
            let at = from + p + lead.len();
            if let Some((y, after)) = digits_at(text, at) {
                if text[after..].starts_with('年') && (1000..=9999).contains(&y) {
                    return Some(y as i32);
                }
            }
            from = at;
        }
    }
    None
}

/// The document number, written back in its standard form: 国办发明电〔2025〕7号.
fn number_in(text: &str) -> String {
    let Some(p) = text.find("国办发明电") else {
        return String::new();
    };
    let mut rest = text[p + "国办发明电".len()..].chars();
    if !matches!(rest.next(), Some('〔' | '[' | '【' | '(' | '［')) {
        return String::new();
    }
    let rest = rest.as_str();
    let Some((y, after)) = digits_at(rest, 0) else {
        return String::new();
    };
    let mut tail = rest[after..].chars();
    if !matches!(tail.next(), Some('〕' | ']' | '】' | ')' | '］')) {
        return String::new();
    }
    let tail = tail.as_str();
    match digits_at(tail, 0) {
        Some((n, a)) if tail[a..].starts_with('号') => format!("国办发明电〔{y}〕{n}号"),
        _ => String::new(),
    }
}

/// Where the paragraph `numeral、` starts at or after `from`: at the start of the text, of a
/// line or of a sentence (so "腊月二十八、" inside a paragraph is not taken for one).
fn paragraph_start(text: &str, from: usize, numeral: &str) -> Option<(usize, usize)> {
    let mark = format!("{numeral}、");
    let mut at = from;
    while let Some(p) = text[at..].find(&mark) {
        let start = at + p;
        let before = text[..start].chars().next_back();
        if matches!(before, None | Some('\n' | '。' | ':')) {
            return Some((start, start + mark.len()));
        }
        at = start + mark.len();
    }
    None
}

/// A date written in a sentence, with what its brackets said.
struct Written {
    date: NaiveDate,
    note: String,
}

fn weekday_of(note: &str) -> Option<Weekday> {
    for lead in ["星期", "周"] {
        if let Some(p) = note.find(lead) {
            let c = note[p + lead.len()..].chars().next()?;
            return Some(match c {
                '一' => Weekday::Mon,
                '二' => Weekday::Tue,
                '三' => Weekday::Wed,
                '四' => Weekday::Thu,
                '五' => Weekday::Fri,
                '六' => Weekday::Sat,
                '日' | '天' => Weekday::Sun,
                _ => continue,
            });
        }
    }
    None
}

fn weekday_text(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// The dates of one sentence; `month` carries over ("1月1日至3日").
fn dates_in(
    sentence: &str,
    year: i32,
    month: &mut Option<u32>,
    what: &dyn Fn(String) -> Error,
) -> Result<Vec<Written>> {
    let mut out = Vec::new();
    let mut explicit_year = None;
    let mut i = 0;
    while i < sentence.len() {
        let Some((n, after)) = digits_at(sentence, i) else {
            i += sentence[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let unit = sentence[after..].chars().next();
        i = after;
        match unit {
            Some('年') => explicit_year = Some(n as i32),
            Some('月') => *month = Some(n),
            Some('日') => {
                let Some(m) = *month else {
                    return Err(what(format!("{n}日没有写月份")));
                };
                let y = explicit_year.take().unwrap_or(year);
                let date = NaiveDate::from_ymd_opt(y, m, n)
                    .ok_or_else(|| what(format!("{y}年{m}月{n}日不是有效日期")))?;
                i += '日'.len_utf8();
                let mut note = String::new();
                if sentence[i..].starts_with('(') {
                    if let Some(close) = sentence[i..].find(')') {
                        note = sentence[i + 1..i + close].to_string();
                        i += close + 1;
                    }
                }
                out.push(Written { date, note });
            }
            _ => {}
        }
    }
    for w in &out {
        if let Some(day) = weekday_of(&w.note) {
            if day != w.date.weekday() {
                return Err(what(format!(
                    "{}月{}日写的是{}，但那天是{}",
                    w.date.month(),
                    w.date.day(),
                    weekday_text(day),
                    weekday_text(w.date.weekday())
                )));
            }
        }
    }
    Ok(out)
}

/// "共8天" in a sentence.
fn total_in(sentence: &str) -> Option<u32> {
    let p = sentence.find('共')?;
    let (n, after) = digits_at(sentence, p + '共'.len_utf8())?;
    sentence[after..].starts_with('天').then_some(n)
}

/// One paragraph; the flag says the notice's signature was met (nothing follows).
fn read_item(year: i32, numeral: &str, body: &str) -> Result<(Item, bool)> {
    let colon = body.find(':');
    let name = colon.map(|c| body[..c].trim()).unwrap_or("");
    let label = if name.is_empty() {
        format!("第{numeral}段")
    } else {
        format!("第{numeral}段“{name}”")
    };
    let what = |why: String| Error::invalid("text", format!("{label}读不懂：{why}"));
    if name.is_empty() || name.chars().count() > 12 || name.chars().any(|c| c.is_ascii_digit()) {
        return Err(what("应以节日名称和冒号开头，如“元旦：”".into()));
    }
    let rest = &body[colon.map_or(0, |c| c + 1)..];
    let mut item = Item {
        name: name.to_string(),
        off: Vec::new(),
        work: Vec::new(),
    };
    let mut month = None;
    let mut last = false;
    for sentence in rest.split(['。', '\n']) {
        let sentence = sentence.trim();
        if sentence.is_empty() {
            continue;
        }
        if sentence.contains("国务院办公厅") {
            last = true;
            break;
        }
        let dates = dates_in(sentence, year, &mut month, &what)?;
        if sentence.starts_with("鼓励") || sentence.starts_with("节假日期间") {
            continue;
        }
        if dates.is_empty() {
            continue;
        }
        if sentence.contains("放假") || sentence.contains("补休") {
            // "2月15日…至23日…放假" is a range; otherwise each date named is a day off
            // ("1月1日放假，1月2日（星期一）补休").
            let mut days = Vec::new();
            if sentence.contains('至') {
                if dates.len() != 2 {
                    return Err(what(format!("“{sentence}”应写成“某日至某日放假”")));
                }
                let (from, to) = (dates[0].date, dates[1].date);
                if to < from || (to - from).num_days() > 31 {
                    return Err(what(format!("“{sentence}”的起止日期不对")));
                }
                let mut d = from;
                while d <= to {
                    days.push(d);
                    d = d.succ_opt().expect("a date before 2101 has a next day");
                }
            } else {
                days.extend(dates.iter().map(|w| w.date));
            }
            if let Some(n) = total_in(sentence) {
                if n as usize != days.len() {
                    return Err(what(format!(
                        "写的是共{n}天，但日期算出来是{}天",
                        days.len()
                    )));
                }
            }
            item.off.extend(days);
        } else if sentence.ends_with("上班") {
            item.work.extend(dates.iter().map(|w| w.date));
        } else {
            return Err(what(format!("“{sentence}”既不是放假日期，也不是上班日期")));
        }
    }
    if item.off.is_empty() {
        return Err(what("没有找到放假日期（应如“1月1日至3日放假”）".into()));
    }
    item.off.sort();
    item.off.dedup();
    item.work.sort();
    item.work.dedup();
    Ok((item, last))
}

/// The notice as a whole: its days in its year (a make-up day may fall in the December
/// before), no day both off and working, no day in two paragraphs.
fn check(n: &Notice) -> Result<()> {
    let mut seen = std::collections::BTreeMap::new();
    for item in &n.items {
        for (d, off) in item
            .off
            .iter()
            .map(|d| (d, true))
            .chain(item.work.iter().map(|d| (d, false)))
        {
            let fits = d.year() == n.year || (d.year() == n.year - 1 && d.month() == 12);
            if !fits {
                return Err(Error::invalid(
                    "text",
                    format!(
                        "“{}”中的{}不在{}年",
                        item.name,
                        crate::platform::dates::show(*d),
                        n.year
                    ),
                ));
            }
            if let Some(other) = seen.insert(*d, (item.name.clone(), off)) {
                return Err(Error::invalid(
                    "text",
                    format!(
                        "{}在“{}”和“{}”中都出现了",
                        crate::platform::dates::show(*d),
                        other.0,
                        item.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn a_paragraph_with_a_range_and_make_up_days() {
        let n = read(
            "一、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
            2026,
        )
        .unwrap();
        assert_eq!(n.items.len(), 1);
        assert_eq!(n.items[0].name, "春节");
        assert_eq!(n.items[0].off.len(), 9);
        assert_eq!(n.items[0].off[0], d(2, 15));
        assert_eq!(n.items[0].work, vec![d(2, 14), d(2, 28)]);
    }

    #[test]
    fn a_wrong_weekday_names_the_paragraph() {
        let e = read(
            "一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。",
            2026,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "第一段“元旦”读不懂：1月1日写的是周五，但那天是周四"
        );
    }

    #[test]
    fn a_count_that_does_not_match_the_range_is_refused() {
        let e = read("一、元旦：1月1日至3日放假调休，共4天。", 2026).unwrap_err();
        assert!(e.to_string().contains("共4天"), "{e}");
    }

    #[test]
    fn the_year_of_the_text_and_the_chosen_year_must_agree() {
        let e = read(
            "现将2027年元旦安排通知如下。一、元旦：1月1日放假，共1天。",
            2026,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("year"));
    }

    #[test]
    fn too_long_a_text_is_refused_before_reading() {
        let e = read(&"一".repeat(MAX_CHARS + 1), 2026).unwrap_err();
        assert_eq!(e.field(), Some("text"));
    }
}
