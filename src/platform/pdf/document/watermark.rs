//! A word set light and diagonally across a page, under everything drawn on it: a
//! preview's 预览. It is real text (a PDF reader's search and `pdftotext` find it, so a
//! preview cannot pass for a print even as text), drawn through [`Pdf::text`] like every
//! other text (same font checks), then turned and moved beneath the page's content.

use super::{Mark, Pdf, Style, PT_PER_MM};

impl Pdf {
    /// `text` in `grey` (0 black … 1 white) rising from left to right across the current
    /// page (along its diagonal, at most 45°), centred, as large as fits well inside the
    /// page; drawn under what the page already holds.
    pub fn watermark(&mut self, text: &str, grey: f32) {
        let (w, h) = self.page_size();
        if w <= 0.0 || h <= 0.0 || text.trim().is_empty() {
            return;
        }
        let diagonal = (w * w + h * h).sqrt();
        // Along the diagonal, but never steeper than 45° (a tall receipt): text readers
        // (poppler, PDFium) keep a word together up to there.
        let angle = h.atan2(w).min(std::f32::consts::FRAC_PI_4);
        let (sin, cos) = angle.sin_cos();
        // Wide enough to be seen at a glance, small enough to stay inside the margins.
        let unit = super::font::text_width(text, 1.0).max(0.001); // mm per point
        let size = (diagonal * 0.55 / unit).min(w.min(h) * 0.45 * PT_PER_MM);
        let width = unit * size;
        let em = size / PT_PER_MM;
        // The middle of the word (its width, and about 0.38 em above the baseline) on the
        // middle of the page, in mm from the top-left (y down).
        let (cx, cy) = (w / 2.0, h / 2.0);
        let (half, lift) = (width / 2.0, 0.38 * em);
        let x0 = cx - half * cos + lift * sin;
        let y0 = cy + half * sin + lift * cos;
        let before = self.page().marks.len();
        // Drawn level at the page's top-left corner, then each text run turned about the
        // word's start (a run's offset along the line kept along the slope).
        self.text(0.0, 0.0, Style::new(size), text);
        let mut under: Vec<Mark> = self.page().marks.drain(before..).collect();
        for mark in &mut under {
            if let Mark::Text(run) = mark {
                let along = run.x;
                run.x = x0 + along * cos;
                run.y = y0 - along * sin;
                run.angle = angle;
                run.grey = grey.clamp(0.0, 1.0);
            }
        }
        self.page().marks.splice(0..0, under);
    }
}
