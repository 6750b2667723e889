//! The fonts every PDF of the desk is set in, compiled into the binary so a desk prints
//! the same on every machine with no font installed (assets/fonts/, the scripts there say
//! how each was cut):
//!
//! 1. WenQuanYi Micro Hei cut to GBK: the main font, parsed once per process, and all an
//!    ordinary paper uses;
//! 2. Hanazono Mincho A cut to the BMP Chinese characters WenQuanYi lacks (CJK Extension
//!    A, the unified ideographs added after GBK, radicals, strokes, compatibility forms);
//! 3. Hanazono Mincho B cut to the Supplementary Ideographic Plane (Extensions B–F);
//! 4. on Windows, the system's fonts named in [`system_font_files`] (SimSun-ExtB and
//!    others), read from disk.
//!
//! Text switches font character by character: each character is set in the first font of
//! that order that has it. A fallback font is parsed only when a text asks for a character
//! the fonts before it lack, so an ordinary slip costs nothing more. A character no font
//! has is never refused: it is drawn as its code (`U+2A6D7`) in a small box, with the same
//! width here as on paper, and the document lists it ([`super::Pdf::unprintable`]) so the
//! clerk is told.

use std::path::PathBuf;
use std::sync::OnceLock;

use printpdf::ParsedFont;

static MAIN: &[u8] = include_bytes!("../../../assets/fonts/wqy-microhei-gbk.ttf");
static HANAZONO_BMP: &[u8] = include_bytes!("../../../assets/fonts/hanazono-bmp.ttf");
static HANAZONO_SIP: &[u8] = include_bytes!("../../../assets/fonts/hanazono-sip.ttf");

/// A system font file larger than this is not read (the largest Windows CJK font,
/// SimSun-ExtB, is about 30 MB).
const MAX_FONT_FILE: u64 = 64 * 1024 * 1024;

/// Points per millimetre.
pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;

/// The code of a character no font has is set at this fraction of the text's size.
const CODE_SIZE: f32 = 0.4;
/// Space between a code box and its neighbours, and inside it around the code, in ems of
/// the text.
const CODE_GAP: f32 = 0.08;
const CODE_PAD: f32 = 0.06;

/// A parsed face and the few metrics layout needs, as fractions of the font size.
pub(crate) struct Face {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Height above the baseline, per unit of font size.
    pub ascent: f32,
    /// Depth below the baseline (positive), per unit of font size.
    pub descent: f32,
}

impl Face {
    fn parse(bytes: &[u8]) -> Option<Face> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
        let metrics = &parsed.font_metrics;
        let units_per_em = f32::from(metrics.units_per_em);
        if units_per_em <= 0.0 {
            return None;
        }
        Some(Face {
            ascent: metrics.ascent / units_per_em,
            descent: metrics.descent.abs() / units_per_em,
            units_per_em,
            parsed,
        })
    }

    /// The glyph of `c`, if the font has one (`None` for .notdef).
    pub fn glyph(&self, c: char) -> Option<u16> {
        self.parsed
            .lookup_glyph_index(u32::from(c))
            .filter(|&gid| gid != 0)
    }

    /// Advance of the glyph `gid`, in ems.
    fn advance(&self, gid: u16) -> f32 {
        f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
    }
}

/// Where a font's bytes come from.
enum Source {
    Compiled(&'static [u8]),
    File(PathBuf),
}

/// One font of the chain, parsed on first use.
pub(crate) struct Slot {
    source: Source,
    /// The characters it is asked about: the Hanazono cuts hold nothing outside their
    /// range, so a miss there never parses them.
    covers: fn(char) -> bool,
    face: OnceLock<Option<Face>>,
}

impl Slot {
    fn compiled(bytes: &'static [u8], covers: fn(char) -> bool) -> Slot {
        Slot {
            source: Source::Compiled(bytes),
            covers,
            face: OnceLock::new(),
        }
    }

    fn file(path: PathBuf) -> Slot {
        Slot {
            source: Source::File(path),
            covers: |_| true,
            face: OnceLock::new(),
        }
    }

    /// The face, parsed now if it was not yet; `None` when its file is missing, too
    /// large or not a font (a system font is then skipped, never an error).
    fn face(&self) -> Option<&Face> {
        self.face
            .get_or_init(|| match &self.source {
                Source::Compiled(bytes) => Face::parse(bytes),
                Source::File(path) => {
                    let size = std::fs::metadata(path).ok()?.len();
                    if size > MAX_FONT_FILE {
                        return None;
                    }
                    Face::parse(&std::fs::read(path).ok()?)
                }
            })
            .as_ref()
    }

    /// Whether the face has been parsed (for the test that an ordinary text parses no
    /// fallback).
    #[cfg(test)]
    pub fn is_parsed(&self) -> bool {
        self.face.get().is_some()
    }
}

/// The fonts text is set in, in the order a character is looked up.
pub(crate) struct Fonts {
    pub slots: Vec<Slot>,
}

fn in_bmp(c: char) -> bool {
    u32::from(c) <= 0xFFFF
}

fn in_sip(c: char) -> bool {
    (0x20000..=0x2FFFF).contains(&u32::from(c))
}

impl Fonts {
    /// The compiled fonts, then the font files `extra` (the system's, in order).
    pub fn new(extra: Vec<PathBuf>) -> Fonts {
        let mut slots = vec![
            Slot::compiled(MAIN, |_| true),
            Slot::compiled(HANAZONO_BMP, in_bmp),
            Slot::compiled(HANAZONO_SIP, in_sip),
        ];
        slots.extend(extra.into_iter().map(Slot::file));
        Fonts { slots }
    }

    /// The main font.
    pub fn main(&self) -> &Face {
        self.slots[0]
            .face()
            // The bytes are part of the binary; a test parses them.
            .expect("assets/fonts/wqy-microhei-gbk.ttf is a TrueType font")
    }

    /// The first font that has `c`: its place in [`Fonts::slots`] and its face. Whitespace
    /// is the main font's space.
    pub fn find(&self, c: char) -> Option<(usize, &Face)> {
        if c.is_whitespace() {
            return Some((0, self.main()));
        }
        self.slots.iter().enumerate().find_map(|(i, slot)| {
            if !(slot.covers)(c) {
                return None;
            }
            let face = slot.face()?;
            face.glyph(c).map(|_| (i, face))
        })
    }

    /// The face of a slot [`Fonts::find`] returned (parsed then).
    pub fn face_of_slot(&self, slot: usize) -> &Face {
        self.slots[slot]
            .face()
            .expect("a slot find() returned has a parsed face")
    }

    /// Advance of `c` in ems: its font's glyph, a space for whitespace, the code box for
    /// a character no font has.
    fn advance(&self, c: char) -> f32 {
        let c = if c.is_whitespace() { ' ' } else { c };
        match self.find(c) {
            Some((_, face)) => face.glyph(c).map_or(0.0, |gid| face.advance(gid)),
            None => self.code_box(c).0,
        }
    }

    /// For a character no font has: the width of its box with the gaps beside it, in
    /// ems of the text, and the code written in it.
    pub fn code_box(&self, c: char) -> (f32, String) {
        let code = code_of(c);
        let main = self.main();
        let label: f32 = code
            .chars()
            .filter_map(|k| main.glyph(k))
            .map(|gid| main.advance(gid))
            .sum();
        (label * CODE_SIZE + 2.0 * (CODE_GAP + CODE_PAD), code)
    }
}

/// Where the font of a slot comes from, for drawing it outside the PDF (a Windows
/// printer's device context): the bytes compiled into the program, or a font file of the
/// system (installed there already).
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) enum SlotFont {
    Compiled(&'static [u8]),
    File(PathBuf),
}

#[cfg_attr(not(windows), allow(dead_code))]
impl Fonts {
    /// The source of slot `slot`, if there is such a slot.
    pub(crate) fn source_of_slot(&self, slot: usize) -> Option<SlotFont> {
        Some(match &self.slots.get(slot)?.source {
            Source::Compiled(bytes) => SlotFont::Compiled(bytes),
            Source::File(path) => SlotFont::File(path.clone()),
        })
    }
}

/// The family name a font file gives itself (the `name` table's name 1, Windows
/// platform, US English first), as GDI looks a font up by; the first face of a
/// collection (`.ttc`). `None` when the bytes are not such a font.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn family_name(bytes: &[u8]) -> Option<String> {
    let u16_at = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
    };
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let face = if bytes.get(0..4)? == b"ttcf" {
        u32_at(12)?
    } else {
        0
    };
    let tables = usize::from(u16_at(face + 4)?);
    let name = (0..tables)
        .map(|i| face + 12 + i * 16)
        .find(|&record| bytes.get(record..record + 4) == Some(b"name"))
        .and_then(|record| u32_at(record + 8))?;
    let count = usize::from(u16_at(name + 2)?);
    let strings = name + usize::from(u16_at(name + 4)?);
    let mut best: Option<(u8, String)> = None;
    for i in 0..count {
        let r = name + 6 + i * 12;
        let (platform, encoding, language, id) =
            (u16_at(r)?, u16_at(r + 2)?, u16_at(r + 4)?, u16_at(r + 6)?);
        if platform != 3 || !(encoding == 1 || encoding == 10) || id != 1 {
            continue;
        }
        let (len, off) = (usize::from(u16_at(r + 8)?), usize::from(u16_at(r + 10)?));
        let raw = bytes.get(strings + off..strings + off + len)?;
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let Ok(text) = String::from_utf16(&units) else {
            continue;
        };
        let rank = if language == 0x0409 { 0 } else { 1 };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, text));
        }
    }
    best.map(|(_, name)| name).filter(|n| !n.is_empty())
}

/// `U+4DAE`, `U+2A6D7`: how a character is named where it cannot be drawn.
pub fn code_of(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// The codes of `chars` ([`code_of`]): the list a print reply carries for the clerk.
pub fn codes(chars: &[char]) -> Vec<String> {
    chars.iter().map(|&c| code_of(c)).collect()
}

/// Geometry of a code box drawn for a character at `size` points: (gap before the box,
/// box width, box top above the baseline, box height, code size), all in mm but the size.
pub(crate) fn code_box_geometry(width_em: f32, size: f32) -> (f32, f32, f32, f32, f32) {
    let em = size / PT_PER_MM;
    let gap = CODE_GAP * em;
    (
        gap,
        width_em * em - 2.0 * gap,
        0.78 * em,
        0.94 * em,
        CODE_SIZE * size,
    )
}

/// The fonts of this process: the compiled ones, then the system's.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts::new(system_font_files()))
}

/// The main font (its metrics set the lines of every text).
pub(crate) fn face() -> &'static Face {
    fonts().main()
}

/// The system fonts looked in, in order, when none of the compiled fonts has a character.
///
/// On Windows, from `%SystemRoot%\Fonts`: SimSun-ExtB and MingLiU-ExtB (Extension B, as
/// the system cut it), SimSun-ExtG (Extensions G and H, on Windows 11), SimSun and
/// Microsoft YaHei (the BMP), Microsoft Yi Baiti (Yi), Segoe UI Symbol and Segoe UI Emoji
/// (symbols and emoji, drawn in outline). Scripts that need shaping (Tibetan, Mongolian,
/// Uyghur) are left out on purpose: printpdf does not shape text, and unjoined letters
/// would print a different word, where a code box says plainly what is missing.
/// Elsewhere: none.
pub fn system_font_files() -> Vec<PathBuf> {
    #[cfg(windows)]
    {
        let root = std::env::var_os("SystemRoot")
            .or_else(|| std::env::var_os("windir"))
            .map_or_else(|| PathBuf::from(r"C:\Windows"), PathBuf::from);
        let dir = root.join("Fonts");
        [
            "simsunb.ttf",
            "mingliub.ttc",
            "SimsunExtG.ttf",
            "simsun.ttc",
            "msyh.ttc",
            "msyi.ttf",
            "seguisym.ttf",
            "seguiemj.ttf",
        ]
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| p.is_file())
        .collect()
    }
    #[cfg(not(windows))]
    {
        Vec::new()
    }
}

/// Characters of `text` no font has (drawn as their code in a box), each once, in order
/// of appearance. Whitespace is never missing: it is drawn as a space.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let fonts = fonts();
    let mut missing = Vec::new();
    for c in text.chars() {
        if !missing.contains(&c) && fonts.find(c).is_none() {
            missing.push(c);
        }
    }
    missing
}

/// A stretch of text set in one font (`Some(slot)`), or one character no font has
/// (`None`).
pub(crate) struct Run {
    pub slot: Option<usize>,
    pub text: String,
}

/// `text` cut where its font changes.
pub(crate) fn runs(text: &str) -> Vec<Run> {
    let fonts = fonts();
    let mut out: Vec<Run> = Vec::new();
    for c in text.chars() {
        let slot = fonts.find(c).map(|(i, _)| i);
        match out.last_mut() {
            Some(run) if slot.is_some() && run.slot == slot => run.text.push(c),
            _ => out.push(Run {
                slot,
                text: c.to_string(),
            }),
        }
    }
    out
}

/// Width of `text` set at `size` points, in millimetres (advances only: the fonts have no
/// kerning the PDF would apply).
pub fn text_width(text: &str, size: f32) -> f32 {
    let fonts = fonts();
    let ems: f32 = text.chars().map(|c| fonts.advance(c)).sum();
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
    fn each_compiled_font_names_its_family_as_gdi_looks_it_up() {
        assert_eq!(family_name(MAIN).as_deref(), Some("WenQuanYi Micro Hei"));
        assert_eq!(family_name(HANAZONO_BMP).as_deref(), Some("HanaMinA"));
        assert_eq!(family_name(HANAZONO_SIP).as_deref(), Some("HanaMinB"));
        assert_eq!(family_name(b"not a font"), None);
        assert_eq!(family_name(&MAIN[..64]), None);
    }

    #[test]
    fn the_font_has_the_gbk_only_given_names_and_the_desk_symbols() {
        let fonts = Fonts::new(Vec::new());
        for c in "喆玥堃昇珺垚彧祎旻赟¥×№①⑩✓ＡＢ１２，。「」…—".chars()
        {
            assert_eq!(fonts.find(c).map(|(slot, _)| slot), Some(0), "{c}");
        }
    }

    #[test]
    fn extension_a_and_b_to_f_come_from_the_hanazono_cuts_and_only_when_asked() {
        let fonts = Fonts::new(Vec::new());
        // An ordinary name parses no fallback font.
        for c in "张伟 王芳 Φ60 ¥1,230.00".chars() {
            assert_eq!(fonts.find(c).map(|(slot, _)| slot), Some(0), "{c}");
        }
        assert!(!fonts.slots[1].is_parsed() && !fonts.slots[2].is_parsed());
        // 䶮 (Extension A) from the BMP cut; 𠮷 (B) and 𬌗 (E) from the SIP cut.
        assert_eq!(fonts.find('䶮').map(|(slot, _)| slot), Some(1));
        assert!(!fonts.slots[2].is_parsed());
        assert_eq!(fonts.find('𠮷').map(|(slot, _)| slot), Some(2));
        assert_eq!(fonts.find('𬌗').map(|(slot, _)| slot), Some(2));
        // A private-use character and an emoji: no font, and the SIP cut is not asked
        // about the emoji's plane.
        let fonts = Fonts::new(Vec::new());
        assert!(fonts.find('\u{F0000}').is_none());
        assert!(fonts.find('😀').is_none());
        assert!(!fonts.slots[2].is_parsed());
    }

    #[test]
    fn a_font_file_after_the_compiled_ones_is_asked_last_and_a_bad_one_is_skipped() {
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
        let fonts = Fonts::new(vec![
            assets.join("no-such-font.ttf"),
            assets.join("cut-font.sh"),
            assets.join("wqy-microhei-gbk.ttf"),
        ]);
        assert_eq!(fonts.slots.len(), 6);
        // The compiled fonts win for what they have; the files are read only on a miss.
        assert_eq!(fonts.find('中').map(|(slot, _)| slot), Some(0));
        assert!(!fonts.slots[5].is_parsed());
        assert!(fonts.find('😀').is_none());
        assert!(fonts.slots[3].is_parsed() && fonts.slots[5].is_parsed());
    }

    #[test]
    fn a_character_no_font_has_is_measured_as_its_code_box() {
        assert_eq!(
            missing_glyphs("A\u{F0000}B😀\u{F0000} \t䶮𠮷"),
            vec!['\u{F0000}', '😀']
        );
        assert_eq!(code_of('\u{2A6D7}'), "U+2A6D7");
        assert_eq!(code_of('䶮'), "U+4DAE");
        let (em, code) = fonts().code_box('😀');
        assert_eq!(code, "U+1F600");
        assert!(em > 1.0 && em < 3.0, "{em}");
        let w = text_width("😀", 10.0);
        assert!((w - em * 10.0 / PT_PER_MM).abs() < 0.001, "{w}");
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
