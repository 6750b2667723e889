//! Phone numbers as a Chinese front desk writes them: `138 1234 5678`, `+86 138-1234-5678`,
//! `０２１－６１２３４５６７`, `021-61234567 转 801`, `400-800-1234`.
//!
//! A number is stored normalised: digits only, with a landline extension after one `-`
//! (`02161234567-801`). It is shown formatted (`138 1234 5678`, `021-6123 4567 转 801`).
//! Rules: a mobile has 11 digits and starts with 1; a landline keeps its area code (0 plus
//! 2–3 digits) followed by 7–8 digits; 400/800 service numbers have 10 digits.

/// A valid, normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// The main number, digits only.
    pub digits: String,
    /// Landline extension, digits only.
    pub extension: Option<String>,
}

/// Why a typed number is not acceptable, as a sentence for the clerk (without saying
/// which phone it was; the caller adds that).
pub type Problem = &'static str;

impl Phone {
    /// Normalises and checks what was typed.
    pub fn parse(input: &str) -> Result<Phone, Problem> {
        let text = fold(input);
        let text = text.trim();
        if text.is_empty() {
            return Err("电话号码不能为空");
        }
        let lower = text.to_lowercase();
        // An explicit extension marker splits the number first.
        let (main, mut extension) = match ["转", "分机", "ext", "#", "x"]
            .iter()
            .find_map(|m| lower.find(m).map(|i| (i, m.len())))
        {
            Some((i, n)) => (
                &lower[..i],
                Some(only_digits(&lower[i + n..]).ok_or("分机号只能是数字")?),
            ),
            None => (lower.as_str(), None),
        };
        if extension.as_deref() == Some("") {
            extension = None;
        }
        let groups: Vec<&str> = main.split(is_separator).filter(|g| !g.is_empty()).collect();
        let mut digits = String::new();
        for g in &groups {
            digits.push_str(&only_digits(g.trim_start_matches('+')).ok_or("电话号码只能包含数字")?);
        }
        strip_country(&mut digits, main.trim_start().starts_with('+'), 10);
        // `021-61234567-801`: a trailing dash group after a complete landline is an extension.
        if extension.is_none() && digits.starts_with('0') && groups.len() >= 3 {
            let last = groups[groups.len() - 1];
            let without = &digits[..digits.len() - last.len()];
            if (10..=12).contains(&without.len()) && last.len() <= 6 {
                extension = Some(last.to_string());
                digits.truncate(without.len());
            }
        }
        let phone = Phone { digits, extension };
        phone.check()?;
        Ok(phone)
    }

    fn check(&self) -> Result<(), Problem> {
        let d = &self.digits;
        let n = d.len();
        if d.starts_with('1') {
            if n != 11 {
                return Err("手机号码应为11位数字");
            }
            if self.extension.is_some() {
                return Err("手机号码不能带分机号");
            }
        } else if d.starts_with("400") || d.starts_with("800") {
            if n != 10 {
                return Err("400/800电话应为10位数字");
            }
        } else if d.starts_with('0') {
            if !(10..=12).contains(&n) || d.starts_with("00") {
                return Err("固定电话应为区号加7到8位号码");
            }
        } else {
            return Err("固定电话请加区号（如 021），手机号码应以1开头");
        }
        if self.extension.as_ref().is_some_and(|e| e.len() > 6) {
            return Err("分机号最多6位");
        }
        Ok(())
    }

    /// The stored form: `13812345678` or `02161234567-801`.
    pub fn number(&self) -> String {
        match &self.extension {
            Some(ext) => format!("{}-{}", self.digits, ext),
            None => self.digits.clone(),
        }
    }

    /// Reads back a stored form (assumed valid).
    pub fn from_stored(number: &str) -> Phone {
        match number.split_once('-') {
            Some((d, e)) => Phone {
                digits: d.to_string(),
                extension: Some(e.to_string()),
            },
            None => Phone {
                digits: number.to_string(),
                extension: None,
            },
        }
    }

    /// The form people read: `138 1234 5678`, `021-6123 4567 转 801`, `400-800-1234`.
    pub fn display(&self) -> String {
        let d = &self.digits;
        let mut out = if d.starts_with('1') && d.len() == 11 {
            format!("{} {} {}", &d[..3], &d[3..7], &d[7..])
        } else if (d.starts_with("400") || d.starts_with("800")) && d.len() == 10 {
            format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..])
        } else if d.starts_with('0') {
            let area = area_code_len(d);
            let local = &d[area..];
            let split = local.len() - 4;
            format!("{}-{} {}", &d[..area], &local[..split], &local[split..])
        } else {
            d.clone()
        };
        if let Some(ext) = &self.extension {
            out.push_str(" 转 ");
            out.push_str(ext);
        }
        out
    }
}

/// What a lookup or a search box looks for when a clerk types a number or a piece of one:
/// the stored form of a whole valid number ([`Phone::number`]); else the digits, folded the
/// same way as [`Phone::parse`] folds them (full-width digits, `+86`/`0086`, spaces, dashes,
/// brackets), so `+86 176 1234`, `０１７６１２３４` and `176-1234` find what was stored.
/// `None` when the text is not a number (a letter in it) or has fewer than 4 digits.
pub fn lookup_digits(input: &str) -> Option<String> {
    if let Ok(phone) = Phone::parse(input) {
        return Some(phone.number());
    }
    let text = fold(input);
    let text = text.trim();
    let plus = text.starts_with('+');
    let mut digits = String::new();
    for g in text.split(is_separator).filter(|g| !g.is_empty()) {
        digits.push_str(&only_digits(g.trim_start_matches('+'))?);
    }
    // A piece of a number: the country code goes as soon as anything follows it.
    strip_country(&mut digits, plus, 1);
    (digits.len() >= 4).then_some(digits)
}

/// Full-width digits and signs as their ASCII selves, long dashes as `-`.
fn fold(input: &str) -> String {
    input.chars().map(half_width).collect()
}

/// What may stand between the groups of one number.
fn is_separator(c: char) -> bool {
    c == '-' || c.is_whitespace() || "()（）".contains(c)
}

/// Drops the country code: `0086` always, `86` only after a `+`, when at least `rest`
/// digits follow it.
fn strip_country(digits: &mut String, plus: bool, rest: usize) {
    for cc in ["0086", "86"] {
        if digits.starts_with(cc) && (plus || cc == "0086") && digits.len() >= cc.len() + rest {
            digits.drain(..cc.len());
            break;
        }
    }
}

/// Beijing 010 and the 02x cities have 3-digit area codes; the rest have 4.
fn area_code_len(d: &str) -> usize {
    if d.starts_with("010") || d.starts_with("02") {
        3
    } else {
        4
    }
}

fn half_width(c: char) -> char {
    match c {
        '０'..='９' | '＋' | '－' | '＃' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '—' | '–' | '‐' => '-',
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn only_digits(s: &str) -> Option<String> {
    let s = s.trim();
    s.chars().all(|c| c.is_ascii_digit()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        Phone::parse(s).unwrap().number()
    }

    #[test]
    fn normalises_what_clerks_type() {
        assert_eq!(n("138 1234 5678"), "13812345678");
        assert_eq!(n("+86 138-1234-5678"), "13812345678");
        assert_eq!(n("0086 13812345678"), "13812345678");
        assert_eq!(n("１３８１２３４５６７８"), "13812345678");
        assert_eq!(n("021-61234567"), "02161234567");
        assert_eq!(n("(0755) 8765 4321"), "075587654321");
        assert_eq!(n("021-61234567-801"), "02161234567-801");
        assert_eq!(n("021-61234567 转 801"), "02161234567-801");
        assert_eq!(n("０２１－６１２３４５６７"), "02161234567");
        assert_eq!(n("400-800-1234"), "4008001234");
    }

    #[test]
    fn refuses_with_a_reason() {
        assert_eq!(Phone::parse("1381234567"), Err("手机号码应为11位数字"));
        assert_eq!(
            Phone::parse("61234567"),
            Err("固定电话请加区号（如 021），手机号码应以1开头")
        );
        assert_eq!(Phone::parse("138abc"), Err("电话号码只能包含数字"));
        assert_eq!(Phone::parse("  "), Err("电话号码不能为空"));
        assert_eq!(Phone::parse("021-123"), Err("固定电话应为区号加7到8位号码"));
    }

    #[test]
    fn lookups_fold_like_storage() {
        let l = |s: &str| lookup_digits(s);
        assert_eq!(l("+86 176 1234 5678").as_deref(), Some("17612345678"));
        assert_eq!(l("0086-17612345678").as_deref(), Some("17612345678"));
        assert_eq!(l("１７６１２３４５６７８").as_deref(), Some("17612345678"));
        assert_eq!(l("+86 1761").as_deref(), Some("1761"));
        assert_eq!(l("００８６ １７６１").as_deref(), Some("1761"));
        assert_eq!(l("5678").as_deref(), Some("5678"));
        assert_eq!(l("176-1234").as_deref(), Some("1761234"));
        assert_eq!(l("021-61234567 转 801").as_deref(), Some("02161234567-801"));
        assert_eq!(l("+86"), None);
        assert_eq!(l("567"), None);
        assert_eq!(l("张伟"), None);
        assert_eq!(l("SN1234"), None);
    }

    #[test]
    fn displays_grouped() {
        let show = |s: &str| Phone::from_stored(&n(s)).display();
        assert_eq!(show("13812345678"), "138 1234 5678");
        assert_eq!(show("021-61234567-801"), "021-6123 4567 转 801");
        assert_eq!(show("0755-87654321"), "0755-8765 4321");
        assert_eq!(show("0931-8123456"), "0931-812 3456");
        assert_eq!(show("4008001234"), "400-800-1234");
    }
}
