//! Money as the desk writes it. Amounts are integer fen everywhere; this module only turns
//! them into text: `¥1,234.50` and the capitals of a receipt (大写), as the People's Bank
//! rules for bills write them: 壹仟贰佰叁拾肆元伍角整, 壹佰元零伍分, 零元整.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// `¥1,234.50` (negative: `-¥12.00`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{:02}", abs % 100)
}

/// One group of up to four digits (1..=9999), with a single 零 for inner zeros.
fn group(n: u64, out: &mut String) {
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let (mut started, mut zero) = (false, false);
    for (d, unit) in digits.iter().zip(UNITS) {
        if *d == 0 {
            zero |= started;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[*d as usize]);
        out.push_str(unit);
        started = true;
    }
}

/// Whole yuan (> 0) in capitals, without the 元.
fn integer(n: u64, out: &mut String) {
    let start = out.len();
    let mut gap = false;
    for (g, unit) in [
        (n / 100_000_000, "亿"),
        (n / 10_000 % 10_000, "万"),
        (n % 10_000, ""),
    ] {
        if g == 0 {
            gap |= out.len() > start;
            continue;
        }
        if out.len() > start && (gap || g < 1000) {
            out.push('零');
        }
        gap = false;
        if g >= 10_000 {
            integer(g, out); // more than 9999 亿: the 亿 part is itself a number
        } else {
            group(g, out);
        }
        out.push_str(unit);
    }
}

/// The amount in capitals: 壹仟贰佰叁拾肆元伍角整.
pub fn capitals(fen: i64) -> String {
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    let abs = fen.unsigned_abs();
    let (whole, jiao, fen) = (abs / 100, abs / 10 % 10, abs % 10);
    if whole > 0 {
        integer(whole, &mut out);
        out.push('元');
    }
    if jiao == 0 && fen == 0 {
        if whole == 0 {
            out.push_str("零元");
        }
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push(DIGITS[jiao as usize]);
        out.push('角');
    } else if whole > 0 {
        out.push('零');
    }
    if fen > 0 {
        out.push(DIGITS[fen as usize]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_as_a_bank_writes_them() {
        for (fen, text) in [
            (0, "零元整"),
            (5, "伍分"),
            (50, "伍角整"),
            (100, "壹元整"),
            (1000, "壹拾元整"),
            (10005, "壹佰元零伍分"),
            (123_450, "壹仟贰佰叁拾肆元伍角整"),
            (100_200, "壹仟零贰元整"),
            (1_000_000, "壹万元整"),
            (10_000_500, "壹拾万零伍元整"),
            (10_500_000_000, "壹亿零伍佰万元整"),
            (10_000_000_100, "壹亿零壹元整"),
            (
                1_234_567_890_123,
                "壹佰贰拾叁亿肆仟伍佰陆拾柒万捌仟玖佰零壹元贰角叁分",
            ),
            (-35_000, "负叁佰伍拾元整"),
        ] {
            assert_eq!(capitals(fen), text, "{fen}");
        }
    }

    #[test]
    fn yuan_with_grouping() {
        assert_eq!(yuan(0), "¥0.00");
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(yuan(-1200), "-¥12.00");
    }
}
