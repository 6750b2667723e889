//! [`Drawing`]: what a paper of the desk is, page by page, in our own few marks (text runs
//! in one font slot, lines, outlines, fills, black rectangles, images), in millimetres from
//! each page's top-left corner. [`super::Pdf`] records it; it becomes a PDF
//! ([`Drawing::to_pdf`], through printpdf) or is drawn on a Windows printer
//! (`platform::gdi`, through GDI): one drawing, the same marks on both.
//!
//! A drawing is plain data (serde both ways), so it can travel: the server sends it to a
//! desktop client that prints it on its own PC. Before anything is drawn from a drawing
//! that came from elsewhere, [`Drawing::check`] bounds it (pages, marks, sizes, font slots,
//! images).

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix, TextRenderingMode,
};
use serde::{Deserialize, Serialize};

use super::document::Area;
use super::font::fonts;
use crate::platform::error::{Error, Result};

/// The most pages a drawing may have (a long purchase request is tens of pages).
pub const MAX_PAGES: usize = 1000;
/// The most marks on one page (a QR code is a few hundred rectangles, a table a few
/// thousand marks).
pub const MAX_MARKS: usize = 50_000;
/// The largest page side, mm (a continuous form of several metres would be wrong).
pub const MAX_SIDE: f32 = 5000.0;
/// The most characters in one text run.
pub const MAX_RUN: usize = 10_000;
/// The most images, and the largest image file, bytes.
pub const MAX_IMAGES: usize = 16;
pub const MAX_IMAGE_BYTES: usize = 4 * 1024 * 1024;
/// The largest text size, points.
pub const MAX_SIZE: f32 = 2000.0;

/// A paper drawn: its pages and the images they show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    /// The document's title (PDF properties, the print job's name).
    pub title: String,
    /// When it was made, Unix seconds (by the desk's clock: a fixed clock makes the same
    /// file).
    pub made_at: i64,
    pub pages: Vec<Sheet>,
    /// The images pages refer to by index ([`Mark::Image`]), each carried once.
    pub images: Vec<Picture>,
    /// The characters no font has, drawn as their code in a box: each once, in order.
    pub unprintable: Vec<char>,
}

/// One page: its size in mm and what is on it, in drawing order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub w: f32,
    pub h: f32,
    pub marks: Vec<Mark>,
}

/// What is drawn. Positions in mm from the page's top-left corner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mark {
    Text(Run),
    /// A straight line `width` mm thick.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
    /// A rectangle's outline, `width` mm thick, centred on the edges of `area`.
    Outline {
        area: Area,
        width: f32,
    },
    /// `area` filled with grey (0 black … 1 white).
    Fill {
        area: Area,
        grey: f32,
    },
    /// `area` filled black: a bar of a barcode, a run of QR modules.
    Black {
        area: Area,
    },
    /// Image `image` of [`Drawing::images`] stretched over `area`.
    Image {
        image: usize,
        area: Area,
    },
}

/// Text all in one font of the chain ([`super::font`]'s slot), one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Start of the baseline, mm from the top-left.
    pub x: f32,
    pub y: f32,
    /// Points.
    pub size: f32,
    pub bold: bool,
    /// The font: its place in the chain (0 the main font).
    pub slot: usize,
    pub text: String,
    /// 0 black … 1 white.
    pub grey: f32,
    /// Turned about its start, radians, counter-clockwise (a preview's 预览).
    pub angle: f32,
}

/// A PNG or JPEG as it was given, with its size in pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    pub width: usize,
    pub height: usize,
}

/// Bytes as base64 text in JSON (a third of the size of a list of numbers).
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() > super::MAX_IMAGE_BYTES / 3 * 4 + 4 {
            return Err(serde::de::Error::custom("图片太大"));
        }
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

impl Picture {
    /// Decoded to 8 bits a channel (printpdf's decoder, the one the logo check uses).
    pub(crate) fn decode(&self) -> Option<printpdf::RawImage> {
        let raw = printpdf::RawImage::decode_from_bytes(&self.bytes, &mut Vec::new()).ok()?;
        (raw.width == self.width && raw.height == self.height).then(|| eight_bit(raw))
    }
}

fn bad(message: String) -> Error {
    Error::invalid("drawing", message)
}

fn finite_area(a: &Area) -> bool {
    [a.x, a.y, a.w, a.h].iter().all(|v| v.is_finite()) && a.w >= 0.0 && a.h >= 0.0
}

impl Drawing {
    /// Checks a drawing before it is drawn, above all one that came over the network:
    /// page count and sizes, marks per page, numbers finite, font slots and images that
    /// exist, text runs and images of bounded size. The message says what is wrong.
    pub fn check(&self) -> Result<()> {
        if self.pages.len() > MAX_PAGES {
            return Err(bad(format!(
                "打印内容有 {} 页，最多 {MAX_PAGES} 页",
                self.pages.len()
            )));
        }
        if self.images.len() > MAX_IMAGES {
            return Err(bad(format!("打印内容的图片太多（最多 {MAX_IMAGES} 张）")));
        }
        for picture in &self.images {
            if picture.bytes.len() > MAX_IMAGE_BYTES || picture.width == 0 || picture.height == 0 {
                return Err(bad("打印内容里的图片太大或是空的".into()));
            }
        }
        let slots = fonts().slots.len();
        for (n, page) in self.pages.iter().enumerate() {
            let n = n + 1;
            let side = |v: f32| v.is_finite() && v > 0.0 && v <= MAX_SIDE;
            if !side(page.w) || !side(page.h) {
                return Err(bad(format!("打印内容第 {n} 页的纸张大小不对")));
            }
            if page.marks.len() > MAX_MARKS {
                return Err(bad(format!("打印内容第 {n} 页的内容太多")));
            }
            for mark in &page.marks {
                let ok = match mark {
                    Mark::Text(r) => {
                        [r.x, r.y, r.size, r.grey, r.angle]
                            .iter()
                            .all(|v| v.is_finite())
                            && r.size > 0.0
                            && r.size <= MAX_SIZE
                            && r.slot < slots
                            && r.text.chars().count() <= MAX_RUN
                    }
                    Mark::Line { from, to, width } => [from.0, from.1, to.0, to.1, *width]
                        .iter()
                        .all(|v| v.is_finite()),
                    Mark::Outline { area, width } => finite_area(area) && width.is_finite(),
                    Mark::Fill { area, grey } => finite_area(area) && grey.is_finite(),
                    Mark::Black { area } => finite_area(area),
                    Mark::Image { image, area } => finite_area(area) && *image < self.images.len(),
                };
                if !ok {
                    return Err(bad(format!("打印内容第 {n} 页有无法绘制的内容")));
                }
            }
        }
        Ok(())
    }

    /// The PDF: each page at its size, each font of the chain the text uses embedded cut
    /// down to the glyphs used, each image once.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        self.check()?;
        let mut doc = PdfDocument::new(&self.title);
        let now = printpdf::OffsetDateTime::from_unix_timestamp(self.made_at)
            .unwrap_or_else(|_| printpdf::OffsetDateTime::epoch());
        let info = &mut doc.metadata.info;
        info.creation_date = now;
        info.modification_date = now;
        info.metadata_date = now;
        info.creator = "售后服务台".to_string();
        let mut images = Vec::with_capacity(self.images.len());
        for picture in &self.images {
            let raw = picture
                .decode()
                .ok_or_else(|| bad("打印内容里的图片无法读取".into()))?;
            images.push((doc.add_image(&raw), picture.width, picture.height));
        }
        let mut fonts: Vec<Option<FontId>> = vec![None; fonts().slots.len()];
        let mut pages = Vec::with_capacity(self.pages.len().max(1));
        for page in &self.pages {
            let mut out = PdfOps {
                doc: &mut doc,
                fonts: &mut fonts,
                h: page.h,
                ops: Vec::new(),
            };
            for mark in &page.marks {
                out.mark(mark, &images);
            }
            let ops = out.ops;
            pages.push(PdfPage::new(Mm(page.w), Mm(page.h), ops));
        }
        if pages.is_empty() {
            pages.push(PdfPage::new(Mm(210.0), Mm(297.0), Vec::new()));
        }
        let options = PdfSaveOptions {
            subset_fonts: true,
            ..PdfSaveOptions::default()
        };
        Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
    }
}

/// One page's marks turned into printpdf's operations (points from the bottom-left).
struct PdfOps<'a> {
    doc: &'a mut PdfDocument,
    fonts: &'a mut Vec<Option<FontId>>,
    h: f32,
    ops: Vec<Op>,
}

impl PdfOps<'_> {
    fn point(&self, x: f32, y: f32) -> Point {
        Point {
            x: Mm(x).into(),
            y: Mm(self.h - y).into(),
        }
    }

    /// The document's font for `slot`, added on its first use.
    fn font(&mut self, slot: usize) -> PdfFontHandle {
        let id = match &self.fonts[slot] {
            Some(id) => id.clone(),
            None => {
                let face = fonts().face_of_slot(slot);
                let id = self.doc.add_font(&face.parsed);
                self.fonts[slot] = Some(id.clone());
                id
            }
        };
        PdfFontHandle::External(id)
    }

    fn rectangle(&self, area: &Area, mode: PaintMode) -> Rect {
        let bottom_left = self.point(area.x, area.bottom());
        Rect {
            x: bottom_left.x,
            y: bottom_left.y,
            width: Mm(area.w).into(),
            height: Mm(area.h).into(),
            mode: Some(mode),
            winding_order: None,
        }
    }

    fn grey(percent: f32) -> Op {
        Op::SetFillColor {
            col: Color::Greyscale(Greyscale {
                percent: percent.clamp(0.0, 1.0),
                icc_profile: None,
            }),
        }
    }

    fn mark(&mut self, mark: &Mark, images: &[(printpdf::XObjectId, usize, usize)]) {
        match mark {
            Mark::Text(run) => self.text(run),
            Mark::Line { from, to, width } => {
                let a = self.point(from.0, from.1);
                let b = self.point(to.0, to.1);
                self.ops.push(Op::SetOutlineThickness {
                    pt: Mm(*width).into(),
                });
                self.ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: a,
                                bezier: false,
                            },
                            LinePoint {
                                p: b,
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            Mark::Outline { area, width } => {
                let rectangle = self.rectangle(area, PaintMode::Stroke);
                self.ops.push(Op::SetOutlineThickness {
                    pt: Mm(*width).into(),
                });
                self.ops.push(Op::DrawRectangle { rectangle });
            }
            Mark::Fill { area, grey } => {
                let rectangle = self.rectangle(area, PaintMode::Fill);
                self.ops.push(Self::grey(*grey));
                self.ops.push(Op::DrawRectangle { rectangle });
                self.ops.push(Self::grey(0.0));
            }
            Mark::Black { area } => {
                let rectangle = self.rectangle(area, PaintMode::Fill);
                self.ops.push(Op::DrawRectangle { rectangle });
            }
            Mark::Image { image, area } => {
                // printpdf sizes an image at `dpi` (1 px = 25.4 / dpi mm), then scales it.
                let dpi = 300.0;
                let natural = |px: usize| px as f32 * 25.4 / dpi;
                let Some((id, w, h)) = images.get(*image) else {
                    return;
                };
                let transform = printpdf::XObjectTransform {
                    translate_x: Some(Mm(area.x).into()),
                    translate_y: Some(Mm(self.h - area.bottom()).into()),
                    scale_x: Some(area.w / natural(*w)),
                    scale_y: Some(area.h / natural(*h)),
                    dpi: Some(dpi),
                    ..Default::default()
                };
                self.ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform,
                });
            }
        }
    }

    fn text(&mut self, run: &Run) {
        let at = self.point(run.x, run.y);
        let font = self.font(run.slot);
        let tinted = run.grey > 0.0;
        if tinted || run.bold {
            self.ops.push(Op::SaveGraphicsState);
        }
        if tinted {
            self.ops.push(Self::grey(run.grey));
        }
        if run.bold {
            // Bold from the one regular face: the outline stroked as well as filled.
            self.ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            });
            self.ops.push(Op::SetOutlineThickness {
                pt: Pt(run.size * 0.04),
            });
        }
        let matrix = if run.angle == 0.0 {
            TextMatrix::Translate(at.x, at.y)
        } else {
            let (sin, cos) = run.angle.sin_cos();
            TextMatrix::Raw([cos, sin, -sin, cos, at.x.0, at.y.0])
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(run.size),
            },
            Op::SetTextMatrix { matrix },
            Op::ShowText {
                items: vec![TextItem::Text(run.text.clone())],
            },
            Op::EndTextSection,
        ]);
        if tinted || run.bold {
            self.ops.push(Op::RestoreGraphicsState);
        }
    }
}

/// 8 bits a channel, as printpdf compresses and masks best: it writes a 16-bit picture
/// uncompressed (a 1.5 KB logo became 27 KB of PDF) and a 16-bit one with alpha blank.
fn eight_bit(raw: printpdf::RawImage) -> printpdf::RawImage {
    use printpdf::{RawImageData, RawImageFormat as F};
    let data_format = match raw.data_format {
        F::R16 => F::R8,
        F::RG16 => F::RG8,
        F::RGB16 | F::RGBF32 => F::RGB8,
        F::RGBA16 | F::RGBAF32 => F::RGBA8,
        other => other,
    };
    let pixels = match raw.pixels {
        RawImageData::U16(p) => RawImageData::U8(p.iter().map(|v| (v >> 8) as u8).collect()),
        RawImageData::F32(p) => RawImageData::U8(
            p.iter()
                .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect(),
        ),
        eight => eight,
    };
    printpdf::RawImage {
        pixels,
        data_format,
        ..raw
    }
}
