//! Phone numbers by libphonenumber's rules (issue 17), as a Chinese front desk writes them:
//! `138 1234 5678`, `(+86) 138-1234-5678`, `86 138…`, `０２１－６１２３４５６７`,
//! `021-61234567 转 801`, `021-6123 4567 ext. 801`, `400-800-1234`, `+852 9123 4567`.
//!
//! The metadata is libphonenumber's, through the `phonenumber` crate (parsing, country
//! codes, extensions, formatting). The crate's own validity check matches a pattern's
//! *prefix* (so `021-1234567` and any `10…` passed); here a number is valid only when the
//! whole national number matches a number type of its region (anchored patterns, the
//! region's possible lengths), as libphonenumber decides. Default region: mainland China.
//!
//! What we add on top: the Chinese extension markers (`转`, `分机`) and the desk's
//! `021-61234567-801` (a last dash group after a whole landline is its extension), which
//! libphonenumber reads as one long number; full-width digits; a mobile with an extension
//! is refused; an extension has at most 6 digits; and the reasons a number is refused, in
//! words a clerk understands (区号 026 不存在, 上海的固定电话应为8位号码, …).
//!
//! The stored form ([`Phone::number`]): a mainland number as dialled inside China, digits
//! only (`13812345678`, `02161234567`, `4008001234`); any other country or region in E.164
//! (`+85291234567`); an extension after one `-` (`02161234567-801`). Shown
//! ([`Phone::display`]) in libphonenumber's national grouping at home (`021 6123 4567 转
//! 801`) and its international one elsewhere, after the place (`香港 +852 9123 4567`).
//!
//! 95xxx numbers (95555, 95588, …) are short service codes: libphonenumber's number
//! checker refuses them (only its separate short-number table knows them) and so do we,
//! saying why: they reach a company's call centre, never the customer.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use phonenumber::country::{Id, Source};
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::{Mode, NationalNumber, ParseError, PhoneNumber};
use regex::Regex;

/// The longest text read as one phone number, in characters.
pub const MAX_CHARS: usize = 40;
/// The longest extension kept, in digits.
const MAX_EXTENSION: usize = 6;
/// The most digits a number (without extension) may have: E.164 allows 15 plus a prefix.
const MAX_DIGITS: usize = 20;

/// A valid, normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// The main number: mainland digits as dialled at home, else E.164 (`+85291234567`).
    pub digits: String,
    /// Extension, digits only.
    pub extension: Option<String>,
}

/// Why a typed number is not acceptable, as a sentence for the clerk (without saying
/// which phone it was; the caller adds that).
pub type Problem = String;

impl Phone {
    /// Normalises and checks what was typed.
    pub fn parse(input: &str) -> Result<Phone, Problem> {
        let typed = Typed::read(input)?;
        match typed.phone() {
            Ok(phone) => Ok(phone),
            Err(problem) => {
                // `021-61234567-801` (and the stored `02161234567-801`): a last dash group
                // of up to 6 digits after a whole landline is its extension.
                if typed.extension.is_none() {
                    if let Some((main, ext)) = typed.main.rsplit_once('-') {
                        let ext = ext.trim();
                        if (1..=MAX_EXTENSION).contains(&ext.len())
                            && ext.bytes().all(|b| b.is_ascii_digit())
                        {
                            if let Ok(shorter) = Typed::read(main) {
                                if let Ok(mut phone) = shorter.phone() {
                                    if phone.kind() != Some(Kind::Mobile) {
                                        phone.extension = Some(ext.to_string());
                                        return Ok(phone);
                                    }
                                }
                            }
                        }
                    }
                }
                Err(problem)
            }
        }
    }

    /// The stored form: `13812345678`, `02161234567-801`, `+85291234567`.
    pub fn number(&self) -> String {
        match &self.extension {
            Some(ext) => format!("{}-{}", self.digits, ext),
            None => self.digits.clone(),
        }
    }

    /// Reads back a stored form. A number kept as written because it did not parse (see
    /// [`stored_form`]) comes back as it is, and shows as it is.
    pub fn from_stored(number: &str) -> Phone {
        match number.rsplit_once('-') {
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

    /// The country or region of a number outside the mainland, in Chinese (`香港`, `美国`;
    /// else the main region of its country code). `None` at home.
    pub fn country(&self) -> Option<String> {
        self.digits.strip_prefix('+')?;
        self.shown().and_then(|(_, place)| place)
    }

    /// How the stored digits show, and the place abroad; `None` when they do not parse.
    /// Remembered per number (a customer list shows the same numbers again and again, and
    /// reading one costs tens of µs); the memory is emptied when it holds 10,000 numbers.
    fn shown(&self) -> Option<(String, Option<String>)> {
        type Shown = HashMap<String, Option<(String, Option<String>)>>;
        static SHOWN: OnceLock<Mutex<Shown>> = OnceLock::new();
        let memory = SHOWN.get_or_init(Default::default);
        if let Some(known) = memory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&self.digits)
        {
            return known.clone();
        }
        let shown = self.reading().map(|read| {
            if read.meta.id() == "CN" {
                (read.number.format().mode(Mode::National).to_string(), None)
            } else {
                let place = region_name(read.meta.id());
                let text = read.number.format().mode(Mode::International);
                (format!("{place} {text}"), Some(place))
            }
        });
        let mut memory = memory.lock().unwrap_or_else(|e| e.into_inner());
        if memory.len() >= 10_000 {
            memory.clear();
        }
        memory.insert(self.digits.clone(), shown.clone());
        shown
    }

    /// The stored digits read again (`None` when they do not parse as a valid number).
    fn reading(&self) -> Option<Reading> {
        let read = match self.digits.strip_prefix('+') {
            Some(rest) => Reading::of(true, rest),
            None => Reading::of(false, &self.digits),
        };
        read.ok().filter(|r| r.kind.is_some())
    }

    /// The form people read: `138 1234 5678`, `021 6123 4567 转 801`, `400 800 1234`,
    /// `香港 +852 9123 4567`. A number that does not parse shows as stored.
    pub fn display(&self) -> String {
        let mut out = match self.shown() {
            Some((text, _)) => text,
            None => self.digits.clone(),
        };
        if let Some(ext) = &self.extension {
            out.push_str(" 转 ");
            out.push_str(ext);
        }
        out
    }

    /// libphonenumber's own forms of this number (without its extension), `None` when it
    /// does not parse: what other implementations of libphonenumber print, so this one can
    /// be held against them (tests/platform/phone.rs).
    pub fn forms(&self) -> Option<Forms> {
        let read = self.reading()?;
        let number = &read.number;
        Some(Forms {
            e164: number.format().mode(Mode::E164).to_string(),
            national: number.format().mode(Mode::National).to_string(),
            international: number.format().mode(Mode::International).to_string(),
            region: read.meta.id().to_string(),
        })
    }

    /// What kind of number this is, `None` when it does not parse.
    fn kind(&self) -> Option<Kind> {
        self.reading()?.kind
    }
}

/// A number as libphonenumber writes it: `+862161234567`, `021 6123 4567`,
/// `+86 21 6123 4567`, region `CN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forms {
    pub e164: String,
    pub national: String,
    pub international: String,
    pub region: String,
}

/// The stored form of an existing number re-read by today's rules, `None` when it does not
/// parse (it is then kept as written and listed for the clerk, with [`problem`]).
pub fn stored_form(number: &str) -> Option<String> {
    Phone::parse(number).ok().map(|p| p.number())
}

/// Why an existing number no longer parses (empty when it does).
pub fn problem(number: &str) -> String {
    Phone::parse(number).err().unwrap_or_default()
}

/// What a lookup or a search box looks for when a clerk types a number or a piece of one:
/// the stored form of a whole valid number ([`Phone::number`]); else the digits, folded the
/// same way as [`Phone::parse`] folds them (full-width digits, `+86`/`0086`, spaces, dashes,
/// brackets), so `+86 176 1234`, `０１７６１２３４` and `176-1234` find what was stored; a
/// piece after another country code keeps it as stored (`+852 9123` → `+8529123`).
/// `None` when the text is not a number (a letter in it) or has fewer than 4 digits.
pub fn lookup_digits(input: &str) -> Option<String> {
    if input.chars().count() > MAX_CHARS {
        return None;
    }
    if let Ok(phone) = Phone::parse(input) {
        return Some(phone.number());
    }
    let text: String = input.chars().map(half_width).collect();
    let text = text.trim();
    let plus = text.trim_start_matches('(').starts_with('+');
    let mut digits = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' | '(' | ')' | '-' => {}
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    // A piece of a number: the country code goes as soon as anything follows it. Without a
    // '+', a leading 00 is the international prefix only with at least 4 digits after it:
    // a number's last four digits are often 00xx (0037), and a tail is what the clerk types.
    let abroad = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00").filter(|rest| rest.len() >= 4)
    };
    let digits = match abroad {
        Some(rest) if rest.starts_with("86") && rest.len() > 2 => rest[2..].to_string(),
        Some(rest) if !rest.starts_with("86") && !rest.is_empty() => {
            return (rest.len() >= 4).then(|| format!("+{rest}"));
        }
        _ => digits,
    };
    (digits.len() >= 4).then_some(digits)
}

/// What was typed, read: the main number (folded, lower-case) and an explicit extension.
struct Typed {
    main: String,
    extension: Option<String>,
}

impl Typed {
    fn read(input: &str) -> Result<Typed, Problem> {
        if input.chars().count() > MAX_CHARS {
            return Err(format!("电话号码太长（最多{MAX_CHARS}个字符）"));
        }
        let text: String = input
            .chars()
            .map(half_width)
            .collect::<String>()
            .to_lowercase();
        let text = text.trim();
        if text.is_empty() {
            return Err("电话号码不能为空".into());
        }
        let (main, extension) = split_extension(text)?;
        Ok(Typed {
            main: main.trim().to_string(),
            extension,
        })
    }

    /// The number the main part is, by libphonenumber's metadata.
    fn phone(&self) -> Result<Phone, Problem> {
        let (plus, digits) = main_digits(&self.main)?;
        if digits.is_empty() {
            return Err("电话号码只能包含数字".into());
        }
        if digits.len() > MAX_DIGITS {
            return Err(format!("电话号码位数太多（{}位）", digits.len()));
        }
        let read = match Reading::of(plus, &digits) {
            Ok(read) => read,
            Err(ParseError::InvalidCountryCode) => return Err(no_country(&digits)),
            Err(_) => return Err(explain(plus, &digits)),
        };
        let (Some(kind), parsed, meta) = (read.kind, &read.number, read.meta) else {
            return Err(explain(plus, &digits));
        };
        let extension = self.extension.clone().or_else(|| read.extension.clone());
        if let Some(ext) = &extension {
            if ext.len() > MAX_EXTENSION {
                return Err(format!("分机号最多{MAX_EXTENSION}位"));
            }
            if kind == Kind::Mobile && meta.id() == "CN" {
                return Err("手机号码不能带分机号".into());
            }
        }
        let digits = if meta.id() == "CN" {
            let shown = parsed.format().mode(Mode::National).to_string();
            shown.chars().filter(char::is_ascii_digit).collect()
        } else {
            parsed.format().mode(Mode::E164).to_string()
        };
        Ok(Phone { digits, extension })
    }
}

/// Splits off an extension after `转`, `分机`, `ext`, `ext.`, `x` or `#`.
fn split_extension(text: &str) -> Result<(&str, Option<String>), Problem> {
    const MARKERS: [&str; 6] = ["转", "分机", "ext.", "ext", "x", "#"];
    let Some(at) = MARKERS.iter().filter_map(|m| text.find(m)).min() else {
        return Ok((text, None));
    };
    let mut rest = &text[at..];
    loop {
        let before = rest;
        for m in MARKERS {
            rest = rest.trim_start_matches(m);
        }
        rest = rest.trim_start_matches([' ', '.', ':', '：', '-']);
        if rest == before {
            break;
        }
    }
    let ext = rest.trim();
    if !ext.bytes().all(|b| b.is_ascii_digit()) {
        return Err("分机号只能是数字".into());
    }
    Ok((&text[..at], (!ext.is_empty()).then(|| ext.to_string())))
}

/// The digits of the main part and whether it began with `+` (`(+86)` too).
fn main_digits(main: &str) -> Result<(bool, String), Problem> {
    let mut plus = false;
    let mut digits = String::new();
    for c in main.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if !plus && digits.is_empty() => plus = true,
            '-' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            _ => return Err("电话号码只能包含数字".into()),
        }
    }
    Ok((plus, digits))
}

/// A number read by libphonenumber's rules: the crate's parse (country code, extension),
/// its national number corrected where the crate strips a national prefix that
/// libphonenumber keeps, and what region and kind of number that is.
struct Reading {
    /// With the corrected national number and no extension: what the formatter reads.
    number: PhoneNumber,
    meta: &'static Metadata,
    /// `None`: not a valid number.
    kind: Option<Kind>,
    extension: Option<String>,
}

impl Reading {
    /// `digits` as typed (after `+` when `plus`), default region mainland China.
    fn of(plus: bool, digits: &str) -> Result<Reading, ParseError> {
        let clean = if plus {
            format!("+{digits}")
        } else {
            digits.to_string()
        };
        let parsed = phonenumber::parse(Some(Id::CN), &clean)?;
        let code = parsed.code().value();
        let main = DATABASE
            .by_code(&code)
            .and_then(|m| m.into_iter().next())
            .ok_or(ParseError::InvalidCountryCode)?;
        let national = significant(digits, &parsed, main);
        let unchanged = parsed.national().to_string() == national
            && parsed.extension().is_none()
            && parsed.carrier().is_none();
        let number = if unchanged {
            parsed.clone()
        } else {
            with_national(&parsed, &national).ok_or(ParseError::NoNumber)?
        };
        let extension = parsed.extension().map(|e| e.to_string());
        let (meta, kind) = match classify(code, &national) {
            Some((meta, kind)) => (meta, Some(kind)),
            None => (main, None),
        };
        Ok(Reading {
            number,
            meta,
            kind,
            extension,
        })
    }
}

/// libphonenumber's national significant number of what was typed: after the country
/// code the crate found, the national prefix stripped by libphonenumber's rule. (The
/// crate strips it even when that leaves no valid number: `+60 12-345 6789` became
/// `+60 6789`.)
fn significant(digits: &str, parsed: &PhoneNumber, meta: &'static Metadata) -> String {
    let code = parsed.code().value().to_string();
    let raw = match parsed.code().source() {
        Source::Plus | Source::Number => digits.strip_prefix(code.as_str()),
        Source::Idd => digits
            .strip_prefix("00")
            .and_then(|d| d.strip_prefix(code.as_str())),
        Source::Default => Some(digits),
    };
    match raw {
        Some(raw) => strip_national_prefix(meta, raw),
        None => parsed.national().to_string(),
    }
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode` followed by its length test:
/// the prefix goes only when what remains is still a number of the region (or what was
/// typed was none to begin with) and is not too short.
fn strip_national_prefix(meta: &'static Metadata, raw: &str) -> String {
    // Without a pattern of its own, the national prefix itself (as libphonenumber's
    // metadata builder sets it): Taiwan's `0`.
    let prefix = match meta.national_prefix_for_parsing() {
        Some(pattern) => pattern.as_str(),
        None => match meta.national_prefix() {
            Some(prefix) => prefix,
            None => return raw.to_string(),
        },
    };
    let Some(re) = compiled(prefix, false) else {
        return raw.to_string();
    };
    let Some(found) = re.captures(raw) else {
        return raw.to_string();
    };
    let general = meta.descriptors().general();
    let general_pattern = general.national_number().as_str();
    let viable = whole_match(general_pattern, raw);
    let last_group = (found.len() > 1)
        .then(|| found.get(found.len() - 1))
        .flatten();
    let candidate = match (meta.national_prefix_transform_rule(), last_group) {
        (Some(rule), Some(_)) => {
            // `$1` in the metadata; `${1}` for the regex crate (a digit may follow).
            let mut braced = String::new();
            let mut chars = rule.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek().copied()) {
                    ('$', Some(d)) if d.is_ascii_digit() => {
                        braced.push_str(&format!("${{{d}}}"));
                        chars.next();
                    }
                    _ => braced.push(c),
                }
            }
            re.replace(raw, braced.as_str()).into_owned()
        }
        _ => raw[found.get(0).map_or(0, |m| m.end())..].to_string(),
    };
    if viable && !whole_match(general_pattern, &candidate) {
        return raw.to_string();
    }
    let too_short = general
        .possible_length()
        .first()
        .is_some_and(|min| candidate.len() < usize::from(*min));
    let local_only = general
        .possible_local_length()
        .contains(&(candidate.len() as u16));
    if too_short || local_only {
        return raw.to_string();
    }
    candidate
}

/// The crate's number with another national number and no extension. The crate has no
/// constructor for a number; its serde form is its public shape, so the national number
/// is swapped there.
fn with_national(parsed: &PhoneNumber, national: &str) -> Option<PhoneNumber> {
    let zeros = national.bytes().take_while(|b| *b == b'0').count();
    let value: u64 = if zeros == national.len() {
        0
    } else {
        national[zeros..].parse().ok()?
    };
    let national = NationalNumber::new(value, u8::try_from(zeros).ok()?).ok()?;
    let mut shape = serde_json::to_value(parsed).ok()?;
    shape["national"] = serde_json::to_value(national).ok()?;
    shape["extension"] = serde_json::Value::Null;
    shape["carrier"] = serde_json::Value::Null;
    serde_json::from_value(shape).ok()
}

/// The kinds of number the desk tells apart (libphonenumber's types, grouped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FixedLine,
    Mobile,
    FixedOrMobile,
    Other,
}

/// The region and kind of a valid number; `None` when it is not a valid number of any
/// region of its country code (libphonenumber's `isValidNumber`).
fn classify(code: u16, national: &str) -> Option<(&'static Metadata, Kind)> {
    let regions = DATABASE.region(&code)?;
    let many = regions.len() > 1;
    for id in regions {
        let Some(meta) = DATABASE.by_id(id) else {
            continue;
        };
        if many {
            if let Some(leading) = meta.leading_digits() {
                if leading.find(national).is_some_and(|m| m.start() == 0) {
                    return kind(meta, national).map(|k| (meta, k));
                }
                continue;
            }
        }
        if let Some(k) = kind(meta, national) {
            return Some((meta, k));
        }
    }
    None
}

/// libphonenumber's `getNumberType`, with whole-number matches; `None` for unknown.
fn kind(meta: &'static Metadata, national: &str) -> Option<Kind> {
    let d = meta.descriptors();
    let general = d.general();
    if !matches(Some(general), general, national) {
        return None;
    }
    let others = [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    if others.into_iter().any(|o| matches(o, general, national)) {
        return Some(Kind::Other);
    }
    match (
        matches(d.fixed_line(), general, national),
        matches(d.mobile(), general, national),
    ) {
        (true, true) => Some(Kind::FixedOrMobile),
        (true, false) => Some(Kind::FixedLine),
        (false, true) => Some(Kind::Mobile),
        (false, false) => None,
    }
}

/// Whether the whole of `national` is a number of this description: one of its possible
/// lengths (the general ones when it lists none) and its pattern, anchored at both ends.
fn matches(desc: Option<&'static Descriptor>, general: &Descriptor, national: &str) -> bool {
    let Some(desc) = desc else {
        return false;
    };
    let lengths = if desc.possible_length().is_empty() {
        general.possible_length()
    } else {
        desc.possible_length()
    };
    if !lengths.is_empty() && !lengths.contains(&(national.len() as u16)) {
        return false;
    }
    whole_match(desc.national_number().as_str(), national)
}

fn whole_match(pattern: &'static str, text: &str) -> bool {
    compiled(pattern, true).is_some_and(|re| re.is_match(text))
}

/// A metadata pattern compiled once, anchored at its start (and its end when `whole`).
/// Patterns live in the crate's static database, so their address names them (some are
/// kilobytes long: hashing the text at every match cost more than the match).
fn compiled(pattern: &'static str, whole: bool) -> Option<Regex> {
    type Cache = HashMap<(usize, usize, bool), Option<Regex>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry((pattern.as_ptr() as usize, pattern.len(), whole))
        .or_insert_with(|| {
            // The metadata's patterns are laid out over several lines with spaces.
            let compact: String = pattern.split_whitespace().collect();
            let end = if whole { "$" } else { "" };
            Regex::new(&format!("^(?:{compact}){end}")).ok()
        })
        .clone()
}

/// Why a number with no country code we know is refused.
fn no_country(digits: &str) -> Problem {
    let shown: String = digits.trim_start_matches("00").chars().take(4).collect();
    format!("“+{shown}…”开头的国家或地区代码不存在")
}

/// Why a number that parsed is not valid, as a clerk understands it.
fn explain(plus: bool, digits: &str) -> Problem {
    // Abroad: `+852 …`, `00852 …` (anything but 86).
    let abroad = if plus {
        Some(digits)
    } else {
        digits.strip_prefix("00")
    };
    let home: &str = match abroad {
        Some(rest) if rest.starts_with("86") => &rest[2..],
        Some(rest) => return explain_abroad(rest),
        // `86 138…`: the country code without `+` (as libphonenumber reads it).
        None if digits.starts_with("86") && digits.len() >= 12 => &digits[2..],
        None => digits,
    };
    let trunk = home.starts_with('0');
    let n = if trunk { &home[1..] } else { home };
    if n.is_empty() {
        return "请填写完整的电话号码".into();
    }
    if n.starts_with("400") || n.starts_with("800") {
        return if n.len() != 10 {
            format!("400/800电话应为10位数字（现为{}位）", n.len())
        } else {
            format!("{n} 不是有效的400/800电话号码")
        };
    }
    if !trunk && home.len() == digits.len() && n.len() < 5 {
        return format!("电话号码位数太少（{}位）", n.len());
    }
    if !trunk && home.len() == digits.len() && n.len() <= 6 && n.starts_with(['1', '9']) {
        return format!("{n} 是服务短号，不能作为客户的联系电话，请填写手机号码或带区号的固定电话");
    }
    let beijing_without_zero = n.starts_with("10") && (9..=10).contains(&n.len());
    if trunk || (home.len() != digits.len() && !n.starts_with('1')) || beijing_without_zero {
        return explain_landline(n);
    }
    if n.starts_with('1') {
        return if n.len() != 11 {
            "手机号码应为11位数字".to_string()
        } else {
            format!("手机号码 {} 开头不是有效的手机号段", &n[..3])
        };
    }
    if (n.starts_with("95") || n.starts_with("96")) && n.len() <= 8 {
        return format!(
            "{n} 是企业客服短号，不能作为客户的联系电话，请填写手机号码或带区号的固定电话"
        );
    }
    for (code, place) in [("852", "香港"), ("853", "澳门"), ("886", "台湾")] {
        if let Some(rest) = n.strip_prefix(code) {
            if (8..=9).contains(&rest.len()) {
                return format!("{place}的号码请在前面加 +{code}（如 +{code} {rest}）");
            }
        }
    }
    if n.len() <= 8 {
        return "固定电话请加区号（如 021-6123 4567），手机号码应为11位数字".into();
    }
    format!(
        "不是有效的电话号码（{}位）：固定电话以区号0开头，手机号码以1开头",
        n.len()
    )
}

/// A mainland landline without its leading 0: which part is wrong, the area code or the
/// number after it.
fn explain_landline(n: &str) -> Problem {
    let area_len = if n.starts_with('1') || n.starts_with('2') {
        2
    } else {
        3
    };
    if n.len() <= area_len {
        return format!("区号 0{n} 后缺少电话号码");
    }
    let (area, local) = n.split_at(area_len);
    let lengths = local_lengths(area);
    if lengths.is_empty() {
        return format!("区号 0{area} 不存在");
    }
    let place = match city(area) {
        Some(city) => city.to_string(),
        None => format!("区号 0{area} "),
    };
    if !lengths.contains(&local.len()) {
        let want: Vec<String> = lengths.iter().map(|l| l.to_string()).collect();
        return format!(
            "{place}的固定电话应为{}位号码（区号后现为{}位）",
            want.join("或"),
            local.len()
        );
    }
    let hint = if local.starts_with('0') || local.starts_with('1') {
        "（区号后的号码不以0或1开头）"
    } else {
        ""
    };
    format!("{place}的固定电话号码 {local} 不是有效号码{hint}")
}

/// The lengths of local numbers under a mainland area code (without its 0), found by
/// asking the fixed-line metadata about sample numbers; empty when the area code does not
/// exist.
fn local_lengths(area: &str) -> BTreeSet<usize> {
    static KNOWN: OnceLock<Mutex<HashMap<String, BTreeSet<usize>>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    if let Some(found) = known.lock().unwrap_or_else(|e| e.into_inner()).get(area) {
        return found.clone();
    }
    let found = probe_lengths(area);
    known
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(area.to_string(), found.clone());
    found
}

fn probe_lengths(area: &str) -> BTreeSet<usize> {
    let mut found = BTreeSet::new();
    let Some(cn) = DATABASE.by_id("CN") else {
        return found;
    };
    // Ordinary local numbers have 7 or 8 digits (the metadata also lists short service
    // numbers under some area codes).
    for len in 7..=8 {
        'probe: for first in '2'..='9' {
            for second in '0'..='9' {
                for fill in ['0', '5'] {
                    let mut sample = format!("{area}{first}{second}");
                    sample.extend(std::iter::repeat_n(fill, len - 2));
                    let d = cn.descriptors();
                    if matches(Some(d.general()), d.general(), &sample)
                        && matches(d.fixed_line(), d.general(), &sample)
                    {
                        found.insert(len);
                        break 'probe;
                    }
                }
            }
        }
    }
    found
}

/// Why a number with a foreign country code is not valid.
fn explain_abroad(rest: &str) -> Problem {
    let Ok(read) = Reading::of(true, rest) else {
        return no_country(rest);
    };
    let code = read.number.code().value();
    let national = read.number.national().to_string();
    let meta = read.meta;
    let place = region_name(meta.id());
    let lengths = meta.descriptors().general().possible_length();
    if !lengths.is_empty() && !lengths.contains(&(national.len() as u16)) {
        let want: Vec<String> = lengths.iter().map(|l| l.to_string()).collect();
        return format!(
            "{place}的电话号码在 +{code} 之后应为{}位（现为{}位）",
            want.join("或"),
            national.len()
        );
    }
    format!("+{code} {national} 不是有效的{place}电话号码")
}

/// Chinese names of the places a desk meets most; another region shows the name of its
/// country code's main region (`GG` under +44: 英国), else 国外.
fn region_name(id: &str) -> String {
    if let Some(name) = known_region(id) {
        return name.to_string();
    }
    DATABASE
        .by_id(id)
        .and_then(|meta| DATABASE.by_code(&meta.country_code()))
        .and_then(|metas| metas.into_iter().find(|m| m.is_main_country_for_code()))
        .and_then(|main| known_region(main.id()))
        .unwrap_or("国外")
        .to_string()
}

fn known_region(id: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("HK", "香港"),
        ("MO", "澳门"),
        ("TW", "台湾"),
        ("US", "美国"),
        ("CA", "加拿大"),
        ("GB", "英国"),
        ("JP", "日本"),
        ("KR", "韩国"),
        ("SG", "新加坡"),
        ("MY", "马来西亚"),
        ("TH", "泰国"),
        ("VN", "越南"),
        ("PH", "菲律宾"),
        ("ID", "印度尼西亚"),
        ("IN", "印度"),
        ("AU", "澳大利亚"),
        ("NZ", "新西兰"),
        ("DE", "德国"),
        ("FR", "法国"),
        ("IT", "意大利"),
        ("ES", "西班牙"),
        ("NL", "荷兰"),
        ("CH", "瑞士"),
        ("RU", "俄罗斯"),
        ("KZ", "哈萨克斯坦"),
        ("MN", "蒙古"),
        ("AE", "阿联酋"),
        ("SA", "沙特阿拉伯"),
        ("BR", "巴西"),
        ("MX", "墨西哥"),
        ("ZA", "南非"),
        ("PK", "巴基斯坦"),
        ("MM", "缅甸"),
        ("LA", "老挝"),
        ("KH", "柬埔寨"),
    ];
    NAMES
        .iter()
        .find(|(code, _)| *code == id)
        .map(|(_, name)| *name)
}

/// The cities of the area codes a clerk meets most (without the 0), for messages.
fn city(area: &str) -> Option<&'static str> {
    const CITIES: &[(&str, &str)] = &[
        ("10", "北京"),
        ("20", "广州"),
        ("21", "上海"),
        ("22", "天津"),
        ("23", "重庆"),
        ("24", "沈阳"),
        ("25", "南京"),
        ("27", "武汉"),
        ("28", "成都"),
        ("29", "西安"),
        ("311", "石家庄"),
        ("351", "太原"),
        ("371", "郑州"),
        ("411", "大连"),
        ("431", "长春"),
        ("451", "哈尔滨"),
        ("471", "呼和浩特"),
        ("510", "无锡"),
        ("512", "苏州"),
        ("531", "济南"),
        ("532", "青岛"),
        ("551", "合肥"),
        ("571", "杭州"),
        ("574", "宁波"),
        ("591", "福州"),
        ("592", "厦门"),
        ("731", "长沙"),
        ("755", "深圳"),
        ("756", "珠海"),
        ("757", "佛山"),
        ("760", "中山"),
        ("769", "东莞"),
        ("771", "南宁"),
        ("791", "南昌"),
        ("851", "贵阳"),
        ("871", "昆明"),
        ("891", "拉萨"),
        ("898", "海口"),
        ("931", "兰州"),
        ("951", "银川"),
        ("971", "西宁"),
        ("991", "乌鲁木齐"),
    ];
    CITIES.iter().find(|(a, _)| *a == area).map(|(_, c)| *c)
}

/// Full-width digits and signs as their ASCII selves, long dashes as `-`, full-width
/// brackets and the ideographic space as theirs.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' | '＋' | '－' | '＃' | '（' | '）' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        'ｘ' | 'Ｘ' => 'x',
        '—' | '–' | '‐' | '‑' | '−' => '-',
        '：' => ':',
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        Phone::parse(s).unwrap().number()
    }

    fn why(s: &str) -> String {
        Phone::parse(s).unwrap_err()
    }

    #[test]
    fn normalises_what_clerks_type() {
        assert_eq!(n("138 1234 5678"), "13812345678");
        assert_eq!(n("+86 138-1234-5678"), "13812345678");
        assert_eq!(n("(+86) 138 1234 5678"), "13812345678");
        assert_eq!(n("86 138 1234 5678"), "13812345678");
        assert_eq!(n("0086 13812345678"), "13812345678");
        assert_eq!(n("１３８１２３４５６７８"), "13812345678");
        assert_eq!(n("021-61234567"), "02161234567");
        assert_eq!(n("+86 10 6552 9988"), "01065529988");
        assert_eq!(n("(0755) 8765 4321"), "075587654321");
        assert_eq!(n("0755 8601 33 88"), "075586013388");
        assert_eq!(n("021-61234567-801"), "02161234567-801");
        assert_eq!(n("02161234567-801"), "02161234567-801");
        assert_eq!(n("021-61234567 转 801"), "02161234567-801");
        assert_eq!(n("021-61234567 分机801"), "02161234567-801");
        assert_eq!(n("021 6123 4567 ext. 801"), "02161234567-801");
        assert_eq!(n("021-61234567 x801"), "02161234567-801");
        assert_eq!(n("０２１－６１２３４５６７"), "02161234567");
        assert_eq!(n("400-800-1234"), "4008001234");
        assert_eq!(n("0400-1234567"), "4001234567");
        assert_eq!(n("+1 415 555 2671"), "+14155552671");
        assert_eq!(n("+852 9123 4567"), "+85291234567");
        assert_eq!(n("00852 2123 4567"), "+85221234567");
    }

    #[test]
    fn refuses_with_a_reason_a_clerk_understands() {
        assert_eq!(why("1381234567"), "手机号码应为11位数字");
        assert_eq!(why("12012345678"), "手机号码 120 开头不是有效的手机号段");
        assert_eq!(why("026-12345678"), "区号 026 不存在");
        assert_eq!(why("011-12345678"), "区号 011 不存在");
        assert_eq!(
            why("021-1234567"),
            "上海的固定电话应为8位号码（区号后现为7位）"
        );
        assert_eq!(
            why("0755-123456"),
            "深圳的固定电话应为8位号码（区号后现为6位）"
        );
        assert_eq!(why("138abc"), "电话号码只能包含数字");
        assert_eq!(why("  "), "电话号码不能为空");
        assert_eq!(why("13812345678 转 8"), "手机号码不能带分机号");
        assert_eq!(why("021-61234567 转 1234567"), "分机号最多6位");
        assert!(why("95555").contains("服务短号"), "{}", why("95555"));
        assert!(why("10086").contains("服务短号"), "{}", why("10086"));
        assert!(why("61234567").starts_with("固定电话请加区号"));
        assert_eq!(
            why("852 9123 4567"),
            "香港的号码请在前面加 +852（如 +852 91234567）"
        );
        assert!(why(&"1".repeat(41)).starts_with("电话号码太长"));
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
        // The last four digits of 138 1234 0037, not the prefix 00 before a country 37.
        assert_eq!(l("0037").as_deref(), Some("0037"));
        assert_eq!(l("00371").as_deref(), Some("00371"));
        assert_eq!(l("0086").as_deref(), Some("0086"));
        assert_eq!(l("00852 9123").as_deref(), Some("+8529123"));
        assert_eq!(l("176-1234").as_deref(), Some("1761234"));
        assert_eq!(l("021-61234567 转 801").as_deref(), Some("02161234567-801"));
        assert_eq!(l("+852 9123 4567").as_deref(), Some("+85291234567"));
        assert_eq!(l("+852 9123").as_deref(), Some("+8529123"));
        assert_eq!(l("+86"), None);
        assert_eq!(l("567"), None);
        assert_eq!(l("张伟"), None);
        assert_eq!(l("SN1234"), None);
    }

    #[test]
    fn displays_grouped_with_the_place_abroad() {
        let show = |s: &str| Phone::from_stored(&n(s)).display();
        assert_eq!(show("13812345678"), "138 1234 5678");
        assert_eq!(show("021-61234567-801"), "021 6123 4567 转 801");
        assert_eq!(show("0755-87654321"), "0755 8765 4321");
        assert_eq!(show("0931-8123456"), "0931 812 3456");
        assert_eq!(show("4008001234"), "400 800 1234");
        assert_eq!(show("+852 9123 4567"), "香港 +852 9123 4567");
        assert_eq!(show("+1 415 555 2671"), "美国 +1 415-555-2671");
        assert_eq!(Phone::from_stored("02612345678").display(), "02612345678");
        assert_eq!(
            Phone::parse("+853 2882 3456").unwrap().country().as_deref(),
            Some("澳门")
        );
        assert_eq!(Phone::parse("13812345678").unwrap().country(), None);
    }
}
