//! [`Pdf`]: a document being drawn, in millimetres from each page's top-left corner (as a
//! ruler on paper measures). It lays out (text boxes, codes, images) and records the
//! result as a [`Drawing`] of our own marks, which becomes the PDF ([`Pdf::finish`]) or
//! is drawn on a printer. Pages may be of any size and differ within a document.

use serde::{Deserialize, Serialize};

use super::code128::Barcode;
use super::drawing::{Drawing, Mark, Picture, Run, Sheet};
use super::font::{self, face, fonts, PT_PER_MM};
use super::qr::Qr;
use crate::platform::error::Result;

// The preview's 预览 across a page (issue 17, slips).
mod watermark;

/// Distance between baselines, as a multiple of the font size.
pub const LEADING: f32 = 1.2;
/// The smallest step a text box shrinks by, in points.
const SHRINK_STEP: f32 = 0.5;
/// Clear space a text box keeps inside its left and right edges, in ems: some glyphs
/// reach past their advance (the J of "JSQ25" by 0.09 em).
const SIDE_BEARING: f32 = 0.1;

/// A rectangle on the page: millimetres from the top-left corner, width and height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Area {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Area {
        Area { x, y, w, h }
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    /// The area shrunk by `dx` left and right and `dy` top and bottom.
    pub fn inset(self, dx: f32, dy: f32) -> Area {
        Area::new(
            self.x + dx,
            self.y + dy,
            (self.w - 2.0 * dx).max(0.0),
            (self.h - 2.0 * dy).max(0.0),
        )
    }

    /// Cuts `h` mm off the top: (the strip, the rest below it).
    pub fn take_top(self, h: f32) -> (Area, Area) {
        let h = h.min(self.h);
        (
            Area::new(self.x, self.y, self.w, h),
            Area::new(self.x, self.y + h, self.w, self.h - h),
        )
    }

    /// Cuts `h` mm off the bottom: (the strip, the rest above it).
    pub fn take_bottom(self, h: f32) -> (Area, Area) {
        let h = h.min(self.h);
        (
            Area::new(self.x, self.bottom() - h, self.w, h),
            Area::new(self.x, self.y, self.w, self.h - h),
        )
    }

    /// Cuts `w` mm off the right: (the strip, the rest left of it).
    pub fn take_right(self, w: f32) -> (Area, Area) {
        let w = w.min(self.w);
        (
            Area::new(self.right() - w, self.y, w, self.h),
            Area::new(self.x, self.y, self.w - w, self.h),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// How a line of text is set: size in points, alignment to the x it is drawn at, bold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub align: Align,
    pub bold: bool,
}

impl Style {
    pub fn new(size: f32) -> Style {
        Style {
            size,
            align: Align::Left,
            bold: false,
        }
    }

    pub fn bold(self) -> Style {
        Style { bold: true, ..self }
    }

    pub fn align(self, align: Align) -> Style {
        Style { align, ..self }
    }
}

/// How text is fitted into an [`Area`]: wrapped at `size`; if it does not fit, set
/// smaller, down to `min_size`; if it still does not fit, cut with `…` (and [`Fit::cut`]
/// says so). `max_lines` limits the lines (e.g. 1 for a one-line field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    pub size: f32,
    pub min_size: f32,
    pub max_lines: Option<usize>,
    pub align: Align,
    pub valign: VAlign,
    pub bold: bool,
}

impl TextBox {
    pub fn new(size: f32) -> TextBox {
        TextBox {
            size,
            min_size: size,
            max_lines: None,
            align: Align::Left,
            valign: VAlign::Top,
            bold: false,
        }
    }

    pub fn shrink_to(self, min_size: f32) -> TextBox {
        TextBox {
            min_size: min_size.min(self.size),
            ..self
        }
    }

    pub fn max_lines(self, lines: usize) -> TextBox {
        TextBox {
            max_lines: Some(lines.max(1)),
            ..self
        }
    }

    pub fn align(self, align: Align) -> TextBox {
        TextBox { align, ..self }
    }

    pub fn valign(self, valign: VAlign) -> TextBox {
        TextBox { valign, ..self }
    }

    pub fn bold(self) -> TextBox {
        TextBox { bold: true, ..self }
    }
}

/// What a text box did: the size it used, the lines it drew, whether text was cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub size: f32,
    pub lines: usize,
    pub cut: bool,
}

/// Height in mm of `lines` lines at `size` points: from the top of the first line's
/// ascent to the bottom of the last line's descent.
pub fn block_height(lines: usize, size: f32) -> f32 {
    if lines == 0 {
        return 0.0;
    }
    let em = size / PT_PER_MM;
    let f = face();
    (lines - 1) as f32 * LEADING * em + (f.ascent + f.descent) * em
}

/// Room for text in a text box `w` mm wide at `size` points (its side bearings off).
fn box_width(w: f32, size: f32) -> f32 {
    (w - 2.0 * SIDE_BEARING * size / PT_PER_MM).max(0.0)
}

/// The lines a [`TextBox`] `width` mm wide sets `text` in at `size` points; with
/// `break_words` false, `None` when a word is longer than a line. For callers that lay
/// out around text before they draw it (a table's row height, a label's name and spec).
pub fn box_lines(text: &str, size: f32, width: f32, break_words: bool) -> Option<Vec<String>> {
    font::wrap_with(text, size, box_width(width, size), break_words)
}

/// Distance in mm from the top of a line's box to its baseline at `size` points.
pub fn ascent(size: f32) -> f32 {
    face().ascent * size / PT_PER_MM
}

/// A document being drawn. Text is set in the fonts of [`super::font`], switching font per
/// character; a character no font has is drawn as its code in a box and listed in
/// [`Pdf::unprintable`], never refused.
pub struct Pdf {
    drawing: Drawing,
    current: usize,
}

impl Pdf {
    /// An empty document; `title` goes into the PDF's properties, and so does `at` (the
    /// desk's time the document is made: by the one clock, so a fixed clock makes the same
    /// file).
    pub fn new(title: &str, at: chrono::DateTime<chrono::Utc>) -> Pdf {
        Pdf {
            drawing: Drawing {
                title: title.to_string(),
                made_at: at.timestamp(),
                pages: Vec::new(),
                images: Vec::new(),
                unprintable: Vec::new(),
            },
            current: 0,
        }
    }

    /// The characters drawn as a code box so far (no font has them), each once, in order.
    pub fn unprintable(&self) -> &[char] {
        &self.drawing.unprintable
    }

    /// Starts a new page of `w` × `h` mm; drawing goes to it.
    pub fn add_page(&mut self, w: f32, h: f32) {
        self.drawing.pages.push(Sheet {
            w,
            h,
            marks: Vec::new(),
        });
        self.current = self.drawing.pages.len() - 1;
    }

    pub fn page_count(&self) -> usize {
        self.drawing.pages.len()
    }

    /// Goes back to page `index` (from 0), e.g. to write "第 1 / 3 页" once the count is
    /// known.
    pub fn select_page(&mut self, index: usize) {
        assert!(
            index < self.drawing.pages.len(),
            "page {index} does not exist"
        );
        self.current = index;
    }

    /// Width and height of the current page, mm.
    pub fn page_size(&self) -> (f32, f32) {
        self.drawing
            .pages
            .get(self.current)
            .map_or((0.0, 0.0), |p| (p.w, p.h))
    }

    fn page(&mut self) -> &mut Sheet {
        if self.drawing.pages.is_empty() {
            // Drawing before the first page: an A4 page, rather than a panic.
            self.add_page(210.0, 297.0);
        }
        &mut self.drawing.pages[self.current]
    }

    fn mark(&mut self, mark: Mark) {
        self.page().marks.push(mark);
    }

    /// One line of text with its baseline at `y`; `x` is its left edge, centre or right
    /// edge as `style.align` says. Returns its width, mm.
    pub fn text(&mut self, x: f32, y: f32, style: Style, text: &str) -> f32 {
        let text: String = text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let width = font::text_width(&text, style.size);
        let mut left = match style.align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        if text.trim().is_empty() {
            return width;
        }
        for run in font::runs(&text) {
            let w = font::text_width(&run.text, style.size);
            match run.slot {
                Some(slot) => self.show(left, y, style, slot, run.text),
                None => {
                    for c in run.text.chars() {
                        self.code_box(left, y, style, c);
                        if !self.drawing.unprintable.contains(&c) {
                            self.drawing.unprintable.push(c);
                        }
                    }
                }
            }
            left += w;
        }
        width
    }

    /// `text`, all of it in the font of `slot`, from `x` on the baseline `y`.
    fn show(&mut self, x: f32, y: f32, style: Style, slot: usize, text: String) {
        self.mark(Mark::Text(Run {
            x,
            y,
            size: style.size,
            bold: style.bold,
            slot,
            text,
            grey: 0.0,
            angle: 0.0,
        }));
    }

    /// A character no font has, at `x` on the baseline `y`: its code (`U+2A6D7`) small in
    /// a thin box as wide as [`font::text_width`] measured it.
    fn code_box(&mut self, x: f32, y: f32, style: Style, c: char) {
        let (em, code) = fonts().code_box(c);
        let (gap, w, above, h, size) = font::code_box_geometry(em, style.size);
        let area = Area::new(x + gap, y - above, w, h);
        self.rect(area, 0.1);
        let main = face();
        let baseline =
            area.y + area.h / 2.0 + (main.ascent - main.descent) / 2.0 * size / PT_PER_MM;
        let code_style = Style::new(size).align(Align::Center);
        let centre = area.x + area.w / 2.0;
        self.text(centre, baseline, code_style, &code);
    }

    /// Sets `text` inside `area` as `how` says (wrap, shrink, cut); nothing is drawn
    /// outside the area.
    pub fn text_box(&mut self, area: Area, how: TextBox, text: &str) -> Fit {
        let fits = |lines: usize, size: f32| {
            how.max_lines.is_none_or(|m| lines <= m) && block_height(lines, size) <= area.h + 0.001
        };
        let mut size = how.size;
        let (size, lines, cut) = loop {
            // Above the smallest size a word too long for a line makes the text smaller
            // rather than break the word.
            let last = size <= how.min_size;
            let width = box_width(area.w, size);
            if let Some(lines) = box_lines(text, size, area.w, last) {
                if fits(lines.len(), size) {
                    break (size, lines, false);
                }
            }
            if last {
                let lines = font::wrap(text, size, width);
                // Even at the smallest size it is too long: as many lines as fit, the
                // last one ending in an ellipsis.
                let mut room = how.max_lines.unwrap_or(usize::MAX).min(lines.len());
                while room > 0 && !fits(room, size) {
                    room -= 1;
                }
                let mut kept: Vec<String> = lines.into_iter().take(room).collect();
                if let Some(last) = kept.last_mut() {
                    *last = font::ellipsize(last, size, width);
                }
                break (size, kept, true);
            }
            size = (size - SHRINK_STEP).max(how.min_size);
        };
        let block = block_height(lines.len(), size);
        let top = match how.valign {
            VAlign::Top => area.y,
            VAlign::Middle => area.y + (area.h - block) / 2.0,
            VAlign::Bottom => area.bottom() - block,
        };
        let bearing = SIDE_BEARING * size / PT_PER_MM;
        let x = match how.align {
            Align::Left => area.x + bearing,
            Align::Center => area.x + area.w / 2.0,
            Align::Right => area.right() - bearing,
        };
        let style = Style {
            size,
            align: how.align,
            bold: how.bold,
        };
        let em = size / PT_PER_MM;
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + ascent(size) + i as f32 * LEADING * em;
            self.text(x, baseline, style, line);
        }
        Fit {
            size,
            lines: lines.len(),
            cut,
        }
    }

    /// A straight line `width` mm thick.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.mark(Mark::Line { from, to, width });
    }

    /// The outline of `area`, `width` mm thick, drawn inside the area.
    pub fn rect(&mut self, area: Area, width: f32) {
        let area = area.inset(width / 2.0, width / 2.0);
        self.mark(Mark::Outline { area, width });
    }

    /// `area` filled with grey (0 black … 1 white).
    pub fn fill(&mut self, area: Area, grey: f32) {
        let grey = grey.clamp(0.0, 1.0);
        self.mark(Mark::Fill { area, grey });
    }

    /// Black rectangles, e.g. bars and modules (one fill per rectangle).
    fn black(&mut self, areas: impl IntoIterator<Item = Area>) {
        for area in areas {
            self.mark(Mark::Black { area });
        }
    }

    /// A Code 128 barcode with its bars inside `area` (filling its height, centred), and
    /// `quiet` mm of white beside the area on each side for the quiet zones; the module is
    /// [`Barcode::module_for`]. Returns the module width, mm.
    pub fn barcode(&mut self, area: Area, quiet: f32, code: &Barcode) -> f32 {
        let module = code.module_for(area.w, quiet);
        let left = area.x + (area.w - code.modules() as f32 * module) / 2.0;
        let bars: Vec<Area> = code
            .bars()
            .iter()
            .map(|&(start, width)| {
                Area::new(
                    left + start as f32 * module,
                    area.y,
                    width as f32 * module,
                    area.h,
                )
            })
            .collect();
        self.black(bars);
        module
    }

    /// A QR code as large as fits the square centred in `area`, its 4-module quiet zone
    /// inside that square. Returns the module size, mm.
    pub fn qr(&mut self, area: Area, code: &Qr) -> f32 {
        let side = area.w.min(area.h);
        let module = code.module_for(side);
        let n = code.width();
        let left = area.x + (area.w - side) / 2.0 + Qr::QUIET as f32 * module;
        let top = area.y + (area.h - side) / 2.0 + Qr::QUIET as f32 * module;
        // One rectangle per horizontal run of dark modules: fewer operations, and no
        // hairline seams between neighbours in a viewer.
        let mut runs = Vec::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if !code.dark(col, row) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && code.dark(col, row) {
                    col += 1;
                }
                runs.push(Area::new(
                    left + start as f32 * module,
                    top + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ));
            }
        }
        self.black(runs);
        module
    }

    /// What was drawn, page by page: for the PDF ([`Drawing::to_pdf`]) or a printer.
    pub fn drawing(&self) -> &Drawing {
        &self.drawing
    }

    /// The drawing, done.
    pub fn into_drawing(self) -> Drawing {
        self.drawing
    }

    /// The PDF's bytes, each font cut down to the glyphs used. Characters no font has
    /// were drawn as their codes ([`Pdf::unprintable`] lists them): never refused.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.drawing.to_pdf()
    }
}

// ---- images -----------------------------------------------------------------------------

/// A PNG or JPEG added to a document once ([`Pdf::add_image`]): one image object in the
/// file, drawn on any number of pages by reference (three copies of a slip over several
/// pages still carry the company logo once).
#[derive(Debug, Clone)]
pub struct Image {
    /// Its place in [`Drawing::images`].
    id: usize,
    /// Size in pixels.
    pub width: usize,
    pub height: usize,
}

impl Image {
    /// Where the image goes when drawn as large as fits `area` keeping its proportions:
    /// against the side `align` names (or centred), centred vertically.
    pub fn fit(&self, area: Area, align: Align) -> Area {
        let ratio = self.width as f32 / self.height.max(1) as f32;
        let (w, h) = if area.w > area.h * ratio {
            (area.h * ratio, area.h)
        } else {
            (area.w, area.w / ratio)
        };
        let x = match align {
            Align::Left => area.x,
            Align::Center => area.x + (area.w - w) / 2.0,
            Align::Right => area.right() - w,
        };
        Area::new(x, area.y + (area.h - h) / 2.0, w, h)
    }
}

impl Pdf {
    /// Decodes a PNG or JPEG (printpdf's `png` and `jpeg` features) and adds it to the
    /// document; `None` when the bytes are not such an image.
    pub fn add_image(&mut self, bytes: &[u8]) -> Option<Image> {
        let raw = printpdf::RawImage::decode_from_bytes(bytes, &mut Vec::new()).ok()?;
        if raw.width == 0 || raw.height == 0 {
            return None;
        }
        let (width, height) = (raw.width, raw.height);
        let id = self.drawing.images.len();
        self.drawing.images.push(Picture {
            bytes: bytes.to_vec(),
            width,
            height,
        });
        Some(Image { id, width, height })
    }

    /// Draws `image` where [`Image::fit`] puts it in `area`; returns that area.
    pub fn image(&mut self, area: Area, image: &Image, align: Align) -> Area {
        let at = image.fit(area, align);
        self.mark(Mark::Image {
            image: image.id,
            area: at,
        });
        at
    }
}
