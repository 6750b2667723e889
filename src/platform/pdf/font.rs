//! The one font every PDF of the desk is set in: WenQuanYi Micro Hei cut to the GBK
//! repertoire (assets/fonts/, see cut-font.sh there), compiled into the binary so a
//! desk prints the same on every machine, with no font installed.
//!
//! It is parsed once per process. What the font cannot draw is refused before anything is
//! drawn ([`check`]): a PDF viewer would show nothing, or an empty box, for a character
//! without a glyph, and a label or a slip with a silently missing character in a name is
//! worse than a clear message.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::platform::error::{Error, Result};

static FONT: &[u8] = include_bytes!("../../../assets/fonts/wqy-microhei-gbk.ttf");

/// Points per millimetre.
pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;

/// The parsed face and the few metrics layout needs, as fractions of the font size.
pub(crate) struct Face {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Height above the baseline, per unit of font size.
    pub ascent: f32,
    /// Depth below the baseline (positive), per unit of font size.
    pub descent: f32,
}

pub(crate) fn face() -> &'static Face {
    static FACE: OnceLock<Face> = OnceLock::new();
    FACE.get_or_init(|| {
        let parsed = ParsedFont::from_bytes(FONT, 0, &mut Vec::new())
            // The bytes are part of the binary; a test parses them.
            .expect("assets/fonts/wqy-microhei-gbk.ttf is a TrueType font");
        let metrics = &parsed.font_metrics;
        let units_per_em = f32::from(metrics.units_per_em);
        Face {
            ascent: metrics.ascent / units_per_em,
            descent: metrics.descent.abs() / units_per_em,
            units_per_em,
            parsed,
        }
    })
}

impl Face {
    /// The glyph of `c`, if the font has one (`None` for .notdef).
    pub fn glyph(&self, c: char) -> Option<u16> {
        self.parsed
            .lookup_glyph_index(u32::from(c))
            .filter(|&gid| gid != 0)
    }

    /// Advance of `c` in ems; whitespace advances as a space, a missing glyph as one em
    /// (it is refused before drawing, measuring it must not be zero).
    fn advance(&self, c: char) -> f32 {
        let c = if c.is_whitespace() { ' ' } else { c };
        match self.glyph(c) {
            Some(gid) => f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em,
            None => 1.0,
        }
    }
}

/// Characters of `text` the font has no glyph for, each once, in order of appearance.
/// Whitespace is never missing: it is drawn as a space.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let face = face();
    let mut missing = Vec::new();
    for c in text.chars() {
        if !c.is_whitespace() && face.glyph(c).is_none() && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// Refuses `text` when the font cannot print all of it: `invalid` on `field`, naming
/// what it is (`label`, e.g. "备件名称" or "备件 P001 的名称") and the characters, e.g.
/// `备件名称中的「𠀀」无法打印（字库中没有这个字）`.
pub fn check(field: &'static str, label: &str, text: &str) -> Result<()> {
    let missing = missing_glyphs(text);
    if missing.is_empty() {
        return Ok(());
    }
    let chars: Vec<String> = missing.iter().map(|c| format!("「{c}」")).collect();
    let which = if missing.len() == 1 {
        "这个字"
    } else {
        "这些字"
    };
    Err(Error::invalid(
        field,
        format!("{label}中的{}无法打印（字库中没有{which}）", chars.concat()),
    ))
}

/// Width of `text` set at `size` points, in millimetres (advances only: the font has no
/// kerning the PDF would apply).
pub fn text_width(text: &str, size: f32) -> f32 {
    let face = face();
    let ems: f32 = text.chars().map(|c| face.advance(c)).sum();
    ems * size / PT_PER_MM
}

/// Closing marks never start a line (避头): they stay with what they close.
fn is_closing(c: char) -> bool {
    "，。、；：？！）」』》〉】〕”’…—,.;:!?)]}%％·".contains(c)
}

/// Opening marks never end a line (避尾): they go with what they open.
fn is_opening(c: char) -> bool {
    "（「『《〈【〔“‘([{".contains(c)
}

/// Chinese and full-width characters: a line may break before and after each.
fn is_wide(c: char) -> bool {
    u32::from(c) >= 0x2E80
}

/// A piece a line may not break inside: a Latin word, one Chinese character, with the
/// marks glued to it.
struct Piece {
    text: String,
    /// Whitespace before it in the source: written as one space unless it starts a line.
    space_before: bool,
}

fn pieces(paragraph: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut space = false;
    for c in paragraph.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let glue = match out.last() {
            Some(last) if !space => {
                let end = last.text.chars().next_back().unwrap_or(' ');
                is_opening(end) || is_closing(c) || (!is_wide(c) && !is_wide(end))
            }
            _ => false,
        };
        match out.last_mut() {
            Some(last) if glue => last.text.push(c),
            _ => out.push(Piece {
                text: c.to_string(),
                space_before: space,
            }),
        }
        space = false;
    }
    out
}

/// Breaks `text` into lines no wider than `width` mm at `size` points: between Chinese
/// characters, at spaces between Latin words, never before a closing mark or after an
/// opening one; a word longer than a line is broken between letters. `\n` starts a new
/// line.
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    wrap_with(text, size, width, true).unwrap_or_default()
}

/// [`wrap`]; with `break_words` false, `None` when a word is longer than a line (a text
/// box then tries a smaller size before it breaks a code like `JSQ25-13/16` in two).
pub(crate) fn wrap_with(
    text: &str,
    size: f32,
    width: f32,
    break_words: bool,
) -> Option<Vec<String>> {
    // A hair of tolerance so a line measured to exactly the width still fits.
    let width = width + 0.001;
    let space = text_width(" ", size);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for piece in pieces(paragraph) {
            let w = text_width(&piece.text, size);
            let gap = if piece.space_before && !line.is_empty() {
                space
            } else {
                0.0
            };
            if used + gap + w <= width {
                if gap > 0.0 {
                    line.push(' ');
                }
                line.push_str(&piece.text);
                used += gap + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            if w <= width {
                line.push_str(&piece.text);
                used = w;
                continue;
            }
            if !break_words {
                return None;
            }
            for c in piece.text.chars() {
                let cw = text_width(c.encode_utf8(&mut [0; 4]), size);
                if used + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    Some(lines)
}

/// The longest start of `text` that, followed by `…`, is no wider than `width` mm.
pub(crate) fn ellipsize(text: &str, size: f32, width: f32) -> String {
    let mut out: String = text.trim_end().to_string();
    while !out.is_empty() && text_width(&format!("{out}…"), size) > width + 0.001 {
        out.pop();
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_the_gbk_only_given_names_and_the_desk_symbols() {
        assert_eq!(missing_glyphs("喆玥堃昇珺垚彧祎旻赟"), Vec::<char>::new());
        assert_eq!(
            missing_glyphs("¥×№①⑩✓ＡＢ１２，。「」…—"),
            Vec::<char>::new()
        );
        assert_eq!(missing_glyphs("A𠀀B😀𠀀 \t"), vec!['𠀀', '😀']);
    }

    #[test]
    fn a_missing_glyph_is_refused_naming_field_and_character() {
        let e = check("name", "备件名称", "滤网𠀀").unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert_eq!(
            e.to_string(),
            "备件名称中的「𠀀」无法打印（字库中没有这个字）"
        );
        assert!(check("name", "备件名称", "滤网 Φ60").is_ok());
    }

    #[test]
    fn chinese_is_one_em_and_latin_narrower() {
        let w = text_width("中文", 10.0);
        assert!((w - 20.0 / PT_PER_MM).abs() < 0.01, "{w}");
        assert!(text_width("ab", 10.0) < w);
    }

    #[test]
    fn wrapping_breaks_between_chinese_keeps_words_and_marks() {
        let size = 10.0;
        let em = 10.0 / PT_PER_MM;
        // Four characters per line.
        let lines = wrap("燃气热水器滤网组件，进口", size, 4.0 * em);
        assert_eq!(lines, ["燃气热水", "器滤网组", "件，进口"]);
        // The comma never starts a line: its character goes down with it.
        assert_eq!(wrap("燃气热水，器", size, 4.0 * em), ["燃气热", "水，器"]);
        let lines = wrap("Filter ASSY 60mm", size, text_width("Filter ASSY", size));
        assert_eq!(lines, ["Filter ASSY", "60mm"]);
        let lines = wrap("ABCDEFGHIJ", size, text_width("ABCD", size));
        assert_eq!(lines, ["ABCD", "EFGH", "IJ"]);
        assert_eq!(
            wrap_with("ABCDEFGHIJ", size, text_width("ABCD", size), false),
            None
        );
        assert_eq!(wrap("一\n二", size, 100.0), ["一", "二"]);
    }

    #[test]
    fn ellipsis_fits_the_width() {
        let size = 10.0;
        let w = text_width("燃气热", size);
        assert_eq!(ellipsize("燃气热水器", size, w), "燃气…");
    }
}
