//! PDF: the foundation every printed paper of the desk is drawn on (part and bin labels,
//! the purchase request, and the service slips to come), in embedded Chinese fonts.
//!
//! - [`font`]: the fonts (WenQuanYi Micro Hei cut to GBK, then Hanazono Mincho cut to
//!   the rest of GB 18030's Chinese characters, then on Windows the system's fonts), each
//!   parsed when first needed; text switches font per character, and a character no font
//!   has is drawn as its code in a box ([`missing_glyphs`], [`Pdf::unprintable`]), never
//!   refused; text measuring ([`text_width`]) and line breaking ([`wrap`]).
//! - [`Pdf`]: a document in millimetres from each page's top-left corner; pages of any
//!   size (A4, A5, 241 mm continuous, 80 mm thermal, 40 × 30 mm labels); text at a point,
//!   [`TextBox`] (wrap, then shrink, then cut with `…` and say so in [`Fit`]), lines,
//!   rectangles, Code 128 barcodes ([`Barcode`]), QR codes ([`Qr`]) and ruled tables over
//!   several pages ([`Table`]).
//!
//! - [`Drawing`]: what [`Pdf`] records, in our own marks (text runs, lines, outlines,
//!   fills, black rectangles, images), serde both ways: [`Drawing::to_pdf`] makes the PDF,
//!   `platform::gdi` draws the same marks on a Windows printer.
//!
//! Layout is our own, on printpdf's drawing operations: printpdf's HTML layout engine is
//! not compiled in (the `text_layout` feature alone is what subsets the font, so a PDF
//! is tens of kilobytes, not the 3 MB of the whole font).

pub mod code128;
mod document;
pub mod drawing;
pub mod font;
pub(crate) mod glyph_names;
mod qr;
mod table;

pub use code128::Barcode;
pub use document::{
    ascent, block_height, box_lines, Align, Area, Fit, Image, Pdf, Style, TextBox, VAlign, LEADING,
};
pub use drawing::{Drawing, Mark, Picture, Run, Sheet};
pub use font::{code_of, codes, missing_glyphs, system_font_files, text_width, wrap};
pub use qr::Qr;
pub use table::{Column, Table};
