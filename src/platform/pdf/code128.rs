//! Code 128 barcodes (ISO/IEC 15417), the kind every label printer's scanner reads: the
//! printable ASCII characters in code set B, with runs of digits packed two to a symbol in
//! code set C when that makes the barcode shorter (an EAN-13 number is 8 symbols in C
//! instead of 13 in B, which is what makes it fit a 40 mm label).

/// Bar and space widths, in modules, of symbol values 0–105 (bar first); the stop
/// symbol is [`STOP`]. Every symbol is 11 modules wide.
const PATTERNS: [&str; 106] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232",
];
/// The stop symbol with its final bar: 13 modules.
const STOP: &str = "2331112";

const START_B: u8 = 104;
const START_C: u8 = 105;
/// In code set B: continue in C. In code set C: continue in B.
const TO_C: u8 = 99;
const TO_B: u8 = 100;

/// Quiet zone each side, in modules, as the standard asks.
pub const QUIET_MODULES: u32 = 10;

#[derive(Clone, Copy, PartialEq)]
enum Set {
    B,
    C,
}

/// The symbol values for `text`: start, data, checksum (not the stop symbol).
/// `None` when `text` is empty or has a character outside printable ASCII.
pub fn symbols(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(|b| (b' '..=b'~').contains(b)) {
        return None;
    }
    let n = bytes.len();
    let mut out: Vec<u8> = Vec::with_capacity(n + 4);
    let mut set: Option<Set> = None;
    let mut switch = |out: &mut Vec<u8>, to: Set| {
        if set != Some(to) {
            out.push(match (set, to) {
                (None, Set::B) => START_B,
                (None, Set::C) => START_C,
                (Some(_), Set::B) => TO_B,
                (Some(_), Set::C) => TO_C,
            });
            set = Some(to);
        }
    };
    let mut i = 0;
    while i < n {
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        // Set C pays off when it saves more symbols than the switches into and out of it
        // cost: the whole text from two digits, four at either end, six in the middle.
        let worth = if run == n {
            run >= 2
        } else if i == 0 || i + run == n {
            run >= 4
        } else {
            run >= 6
        };
        if !worth {
            switch(&mut out, Set::B);
            out.push(bytes[i] - b' ');
            i += 1;
            continue;
        }
        if run % 2 == 1 {
            switch(&mut out, Set::B);
            out.push(bytes[i] - b' ');
            i += 1;
        }
        switch(&mut out, Set::C);
        for pair in bytes[i..i + run - run % 2].chunks(2) {
            out.push((pair[0] - b'0') * 10 + (pair[1] - b'0'));
        }
        i += run - run % 2;
    }
    let sum: u32 = out
        .iter()
        .enumerate()
        .map(|(weight, &v)| u32::from(v) * (weight as u32).max(1))
        .sum();
    out.push((sum % 103) as u8);
    Some(out)
}

/// The bars of `text` as `(start, width)` in modules from the left edge of the first
/// bar, and the width of the whole symbol in modules (without the quiet zones).
pub fn bars(text: &str) -> Option<(Vec<(u32, u32)>, u32)> {
    let values = symbols(text)?;
    let mut bars = Vec::new();
    let mut x = 0;
    let patterns = values
        .iter()
        .map(|&v| PATTERNS[usize::from(v)])
        .chain(std::iter::once(STOP));
    for pattern in patterns {
        for (i, w) in pattern.bytes().map(|b| u32::from(b - b'0')).enumerate() {
            if i % 2 == 0 {
                bars.push((x, w));
            }
            x += w;
        }
    }
    Some((bars, x))
}

/// Narrowest module a label printer at 203 dpi (8 dots per mm) prints so that scanners
/// still read it: a little under two dots.
pub const MIN_MODULE: f32 = 0.19;
/// Widest module worth printing: wider only makes the barcode longer, not easier to read.
pub const MAX_MODULE: f32 = 0.5;

/// A Code 128 symbol ready to draw with [`super::Pdf::barcode`].
#[derive(Debug, Clone)]
pub struct Barcode {
    bars: Vec<(u32, u32)>,
    modules: u32,
}

impl Barcode {
    /// `None` when `text` is empty or has a character outside printable ASCII.
    pub fn code128(text: &str) -> Option<Barcode> {
        let (bars, modules) = bars(text)?;
        Some(Barcode { bars, modules })
    }

    /// Width of the symbol in modules, quiet zones not included.
    pub fn modules(&self) -> u32 {
        self.modules
    }

    /// Bars as `(start, width)` in modules.
    pub fn bars(&self) -> &[(u32, u32)] {
        &self.bars
    }

    /// The module width, mm, for bars within `width` mm with `quiet` mm of white beside
    /// each side that the quiet zones (10 modules) may use: as wide as fits, at most
    /// [`MAX_MODULE`]. Below [`MIN_MODULE`] it will not scan well.
    pub fn module_for(&self, width: f32, quiet: f32) -> f32 {
        let modules = self.modules as f32;
        let within = width / modules;
        let with_quiet = (width + 2.0 * quiet) / (modules + 2.0 * QUIET_MODULES as f32);
        within.min(with_quiet).min(MAX_MODULE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_is_eleven_modules_with_even_bars() {
        let mut seen = std::collections::HashSet::new();
        for p in PATTERNS {
            let widths: Vec<u32> = p.bytes().map(|b| u32::from(b - b'0')).collect();
            assert_eq!(widths.iter().sum::<u32>(), 11, "{p}");
            let bars: u32 = widths.iter().step_by(2).sum();
            assert_eq!(bars % 2, 0, "bars of {p} are even");
            assert!(seen.insert(p), "{p} twice");
        }
        assert_eq!(STOP.bytes().map(|b| u32::from(b - b'0')).sum::<u32>(), 13);
    }

    #[test]
    fn set_b_with_its_checksum() {
        // Start B (104) + P(48) 0(16) 0(16) 1(17): (104 + 48 + 32 + 48 + 68) % 103 = 94.
        assert_eq!(symbols("P001").unwrap(), [104, 48, 16, 16, 17, 94]);
    }

    #[test]
    fn digit_runs_go_to_set_c_when_shorter() {
        // Thirteen digits: one in B, then six pairs in C.
        let ean = symbols("6901234567892").unwrap();
        assert_eq!(&ean[..3], &[104, 22, 99]);
        assert_eq!(&ean[3..9], &[90, 12, 34, 56, 78, 92]);
        assert_eq!(ean.len(), 10);
        // A short run in the middle stays in B.
        assert_eq!(symbols("A12B").unwrap().len(), 6);
        // Four digits at the end switch.
        assert_eq!(symbols("P-1234").unwrap(), {
            let v = vec![104, 48, 13, 99, 12, 34];
            let sum: u32 = v
                .iter()
                .enumerate()
                .map(|(i, &x)| u32::from(x) * (i as u32).max(1))
                .sum();
            let mut v = v;
            v.push((sum % 103) as u8);
            v
        });
    }

    #[test]
    fn only_printable_ascii() {
        assert!(symbols("").is_none());
        assert!(symbols("滤网").is_none());
        assert!(symbols("A\tB").is_none());
        let (bars, width) = bars("P001").unwrap();
        assert_eq!(width, 6 * 11 + 13);
        assert_eq!(bars.first(), Some(&(0, 2)));
    }
}
