//! QR codes: the module matrix from the `qrcode` crate, drawn by [`super::Pdf::qr`] as
//! black squares (no image, so it stays sharp at any printer resolution).

use qrcode::{Color, EcLevel, QrCode};

/// A QR symbol ready to draw.
pub struct Qr {
    code: QrCode,
}

impl Qr {
    /// Light modules kept around the symbol, as the standard asks.
    pub const QUIET: usize = 4;

    /// `text` as a QR code at error-correction level M (15 %: a scuffed label still
    /// reads). `None` when it is too long for any QR version.
    pub fn new(text: &str) -> Option<Qr> {
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .ok()
            .map(|code| Qr { code })
    }

    /// Modules per side, quiet zone not included.
    pub fn width(&self) -> usize {
        self.code.width()
    }

    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.code[(x, y)] == Color::Dark
    }

    /// Module size, mm, when the symbol and its quiet zone fill a square of `side` mm.
    pub fn module_for(&self, side: f32) -> f32 {
        side / (self.width() + 2 * Self::QUIET) as f32
    }
}
