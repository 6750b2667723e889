//! A font's glyphs named after their characters, for printers that speak PostScript.
//!
//! A Windows PostScript printer driver (Wine's among them) sends a TrueType font to the
//! printer glyph by glyph, naming each glyph from the font's `post` table. Our fonts were
//! cut without glyph names (`post` format 3), so the driver names them `g0123`, and the
//! page that comes out (a PDF printer, a PostScript file, a document server) has the
//! right shapes but no text: nothing can be searched or copied, and a test cannot read it
//! back. [`with_glyph_names`] gives the driver a copy of the font whose `post` table
//! (format 2, as the OpenType specification lays it out) names each glyph by the
//! character it draws, in the Adobe Glyph List's convention (`uni670D`, `u2A6D7`), which
//! PDF readers turn back into the character. The outlines and every other table are
//! the font's own.

/// The character names PostScript readers map back to Unicode: `uniXXXX` in the Basic
/// Multilingual Plane, `uXXXXX` above it (Adobe Glyph List specification, section 2).
fn name_of(code: u32) -> String {
    if code <= 0xFFFF {
        format!("uni{code:04X}")
    } else {
        format!("u{code:05X}")
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A table's checksum: the sum of its big-endian 32-bit words, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A `post` table of format 2: the 32-byte header of `old` (italic angle, underline,
/// fixed pitch) kept, or zeros; each glyph `code_of` knows named by its character, the
/// others (glyph 0, and the cut fonts' empty glyphs, which no text draws) `.notdef`.
fn post_table(old: Option<&[u8]>, glyphs: u16, code_of: &[Option<u32>]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(34 + usize::from(glyphs) * 10);
    match old.and_then(|t| t.get(..32)) {
        Some(header) => out.extend_from_slice(header),
        None => out.extend_from_slice(&[0; 32]),
    }
    out[..4].copy_from_slice(&0x0002_0000u32.to_be_bytes());
    out.extend_from_slice(&glyphs.to_be_bytes());
    let mut names = Vec::new();
    // Names of our own are numbered after the 258 standard Macintosh names, whose first
    // (index 0) is .notdef.
    let mut next: u16 = 258;
    for gid in 0..glyphs {
        let code = (gid != 0)
            .then(|| code_of.get(usize::from(gid)).copied().flatten())
            .flatten();
        let Some(code) = code else {
            out.extend_from_slice(&0u16.to_be_bytes());
            continue;
        };
        out.extend_from_slice(&next.to_be_bytes());
        next = next.checked_add(1)?;
        let name = name_of(code);
        names.push(u8::try_from(name.len()).ok()?);
        names.extend_from_slice(name.as_bytes());
    }
    out.extend_from_slice(&names);
    Some(out)
}

/// `bytes` (one TrueType font, not a collection) with its `post` table replaced by one
/// naming every glyph; `lookup` gives the glyph of a code point (the font's own cmap).
/// `None` when the bytes are not a font this can rewrite: the caller keeps the original.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn with_glyph_names(
    bytes: &[u8],
    lookup: impl Fn(u32) -> Option<u16>,
) -> Option<Vec<u8>> {
    let version = u32_at(bytes, 0)?;
    if version != 0x0001_0000 && version != u32::from_be_bytes(*b"true") {
        return None;
    }
    let count = usize::from(u16_at(bytes, 4)?);
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::with_capacity(count + 1);
    for i in 0..count {
        let record = 12 + i * 16;
        let tag: [u8; 4] = bytes.get(record..record + 4)?.try_into().ok()?;
        let offset = usize::try_from(u32_at(bytes, record + 8)?).ok()?;
        let length = usize::try_from(u32_at(bytes, record + 12)?).ok()?;
        tables.push((tag, bytes.get(offset..offset.checked_add(length)?)?));
    }
    let table = |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, d)| *d);
    let glyphs = u16_at(table(b"maxp")?, 4)?;
    if table(b"head")?.len() < 12 {
        return None;
    }

    // Each glyph's character: the lowest code point that maps to it, over the planes
    // our fonts cover (the BMP, and the ideographic planes 2 and 3).
    let mut code_of: Vec<Option<u32>> = vec![None; usize::from(glyphs)];
    for code in (0x20..=0xFFFFu32).chain(0x2_0000..=0x3_FFFF) {
        if (0xD800..=0xDFFF).contains(&code) {
            continue;
        }
        if let Some(gid) = lookup(code).filter(|&g| g != 0 && g < glyphs) {
            code_of[usize::from(gid)].get_or_insert(code);
        }
    }
    let post = post_table(table(b"post"), glyphs, &code_of)?;

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = tables
        .iter()
        .filter(|(tag, _)| tag != b"post")
        .map(|(tag, data)| (*tag, data.to_vec()))
        .collect();
    out_tables.push((*b"post", post));
    out_tables.sort_by_key(|(tag, _)| *tag);
    // head's checkSumAdjustment is zero while the font's sum is taken (OpenType, head).
    for (tag, data) in &mut out_tables {
        if tag == b"head" {
            data[8..12].copy_from_slice(&[0; 4]);
        }
    }

    let n = u16::try_from(out_tables.len()).ok()?;
    let entry_selector = 15 - n.leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::with_capacity(bytes.len() + 16 * 1024);
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&entry_selector.to_be_bytes());
    out.extend_from_slice(&(n * 16 - search_range).to_be_bytes());
    let mut offset = 12 + out_tables.len() * 16;
    let mut head_at = None;
    for (tag, data) in &out_tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        out.extend_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &out_tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let head_at = head_at?;
    out[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::ParsedFont;

    /// The name the `post` table of `font` gives glyph `gid` (format 2 only).
    fn glyph_name(font: &[u8], gid: u16) -> Option<String> {
        let count = usize::from(u16_at(font, 4)?);
        let post = (0..count).map(|i| 12 + i * 16).find_map(|r| {
            (font.get(r..r + 4)? == b"post").then(|| u32_at(font, r + 8).map(|o| o as usize))?
        })?;
        assert_eq!(u32_at(font, post)?, 0x0002_0000);
        let glyphs = u16_at(font, post + 32)?;
        let index = u16_at(font, post + 34 + 2 * usize::from(gid))?;
        if index < 258 {
            return (index == 0).then(|| ".notdef".to_string());
        }
        let mut at = post + 34 + 2 * usize::from(glyphs);
        for _ in 258..index {
            at += 1 + usize::from(font[at]);
        }
        let len = usize::from(font[at]);
        String::from_utf8(font[at + 1..at + 1 + len].to_vec()).ok()
    }

    #[test]
    fn every_glyph_is_named_by_its_character_and_the_font_still_reads_the_same() {
        let fonts = super::super::font::fonts();
        let Some(super::super::font::SlotFont::Compiled(main)) = fonts.source_of_slot(0) else {
            panic!("the main font is compiled in");
        };
        let parsed = ParsedFont::from_bytes(main, 0, &mut Vec::new()).unwrap();
        let named = with_glyph_names(main, |c| parsed.lookup_glyph_index(c)).unwrap();
        let again = ParsedFont::from_bytes(&named, 0, &mut Vec::new()).unwrap();
        for c in "服务维修单喆玥FW2026000001，¥".chars() {
            let gid = parsed.lookup_glyph_index(u32::from(c)).unwrap();
            assert_eq!(again.lookup_glyph_index(u32::from(c)), Some(gid), "{c}");
            assert_eq!(
                parsed.get_horizontal_advance(gid),
                again.get_horizontal_advance(gid)
            );
            assert_eq!(
                glyph_name(&named, gid).unwrap(),
                format!("uni{:04X}", u32::from(c))
            );
        }
        assert_eq!(glyph_name(&named, 0).as_deref(), Some(".notdef"));
        // A whole font's checksum comes to 0xB1B0AFBA (OpenType, head.checkSumAdjustment).
        assert_eq!(checksum(&named), 0xB1B0_AFBA);
        // Every table's recorded checksum is its own.
        let count = usize::from(u16_at(&named, 4).unwrap());
        for r in (0..count).map(|i| 12 + i * 16) {
            let offset = u32_at(&named, r + 8).unwrap() as usize;
            let length = u32_at(&named, r + 12).unwrap() as usize;
            let mut data = named[offset..offset + length].to_vec();
            if &named[r..r + 4] == b"head" {
                data[8..12].copy_from_slice(&[0; 4]);
            }
            assert_eq!(checksum(&data), u32_at(&named, r + 4).unwrap());
        }
    }

    #[test]
    fn names_follow_the_adobe_glyph_list() {
        assert_eq!(name_of(0x670D), "uni670D");
        assert_eq!(name_of(0x41), "uni0041");
        assert_eq!(name_of(0x2A6D7), "u2A6D7");
        let post = post_table(None, 4, &[None, Some(0x670D), None, Some(0x20BB7)]).unwrap();
        let mut font = vec![0u8; 12];
        font[4..6].copy_from_slice(&1u16.to_be_bytes());
        font.extend_from_slice(b"post");
        font.extend_from_slice(&[0; 4]);
        font.extend_from_slice(&28u32.to_be_bytes());
        font.extend_from_slice(&(post.len() as u32).to_be_bytes());
        font.extend_from_slice(&post);
        let names: Vec<String> = (0..4).map(|g| glyph_name(&font, g).unwrap()).collect();
        assert_eq!(names, [".notdef", "uni670D", ".notdef", "u20BB7"]);
    }

    #[test]
    fn what_is_not_a_truetype_font_is_left_alone() {
        assert!(with_glyph_names(b"not a font at all", |_| None).is_none());
        assert!(with_glyph_names(b"ttcf\0\0\0\0\0\0\0\0", |_| None).is_none());
    }
}
