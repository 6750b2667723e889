//! Printing on Windows ourselves, through GDI and the print spooler: a [`Drawing`]'s
//! pages drawn on the printer's device context, with no PDF reader and no dialog.
//!
//! - The printer: the one named (the setting for the paper's format), or the system's
//!   default; opened first, and its spooler status read (`GetPrinterW`, level 2): a
//!   printer that does not exist, is offline, out of paper, paused or in error is refused
//!   with a Chinese message before any job is made ([`super::printing::printer_problem`]).
//! - The paper: from each page's size (A4 and A5 by their paper codes, A5 landscape
//!   turned; any other size, the 241 mm continuous form or the 80 mm roll, as a custom
//!   size in tenths of millimetres), merged into the printer's own settings
//!   (`DocumentPropertiesW`), copies there too; a page of another size resets the device
//!   context between pages (`ResetDCW`).
//! - Actual size: millimetres map to device pixels by the device's resolution
//!   (`LOGPIXELSX/Y`) less the unprintable margin (`PHYSICALOFFSETX/Y`), so a mark lands
//!   where it is on the PDF, measured from the paper's corner. Nothing is scaled to fit.
//! - Fonts: the same font bytes the PDF embeds, given to GDI for this process only
//!   (`AddFontMemResourceEx`), looked up by the family name in their `name` table; each
//!   text run of the drawing is already in one font of the chain (the per-character
//!   switching of `pdf::font`), and each character is placed at the advance our layout
//!   measured (`ExtTextOutW`'s `lpDx`), so lines break and align as on the PDF.
//!   Characters beyond the BMP go as UTF-16 surrogate pairs (Windows' GDI looks them up
//!   in the font's full cmap; Wine 8's printer driver does not, and prints a box: see
//!   docs/WINDOWS.md).
//! - The job counts as printed only when the spooler took it: `EndDoc` succeeded.
//!
//! [`metafile`] draws a page the same way into an enhanced metafile (EMF), where what GDI
//! was asked to draw can be read back.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use windows_sys::Win32::Foundation::{COLORREF, HANDLE, POINT, RECT};
use windows_sys::Win32::Graphics::Gdi::{
    AddFontMemResourceEx, CloseEnhMetaFile, CreateDCW, CreateEnhMetaFileW, CreateFontIndirectW,
    CreateSolidBrush, DeleteDC, DeleteEnhMetaFile, DeleteObject, ExtCreatePen, ExtTextOutW,
    FillRect, GetDeviceCaps, GetStockObject, LineTo, MoveToEx, Rectangle, ResetDCW, SelectObject,
    SetBkMode, SetGraphicsMode, SetStretchBltMode, SetTextAlign, SetTextColor, StretchDIBits,
    BITMAPINFO, BITMAPINFOHEADER, BI_RGB, BS_SOLID, CLIP_DEFAULT_PRECIS, DEFAULT_CHARSET, DEVMODEW,
    DIB_RGB_COLORS, DMORIENT_LANDSCAPE, DMORIENT_PORTRAIT, DMPAPER_A4, DMPAPER_A5, DMPAPER_USER,
    DM_COPIES, DM_IN_BUFFER, DM_ORIENTATION, DM_OUT_BUFFER, DM_PAPERLENGTH, DM_PAPERSIZE,
    DM_PAPERWIDTH, FW_BOLD, FW_NORMAL, GM_ADVANCED, HALFTONE, HDC, HFONT, HGDIOBJ, HORZRES,
    HORZSIZE, LOGBRUSH, LOGFONTW, LOGPIXELSX, LOGPIXELSY, NULL_BRUSH, OUT_TT_ONLY_PRECIS,
    PHYSICALOFFSETX, PHYSICALOFFSETY, PS_ENDCAP_FLAT, PS_GEOMETRIC, PS_JOIN_MITER, PS_SOLID,
    SRCCOPY, TA_BASELINE, TA_LEFT, TRANSPARENT, VERTRES, VERTSIZE,
};
use windows_sys::Win32::Graphics::Printing::{
    ClosePrinter, DocumentPropertiesW, GetDefaultPrinterW, GetPrinterW, OpenPrinterW,
    PRINTER_HANDLE, PRINTER_INFO_2W,
};
use windows_sys::Win32::Storage::Xps::{AbortDoc, EndDoc, EndPage, StartDocW, StartPage, DOCINFOW};

use crate::platform::error::{Error, Result};
use crate::platform::pdf::font::{family_name, fonts, SlotFont};
use crate::platform::pdf::glyph_names::with_glyph_names;
use crate::platform::pdf::{text_width, Drawing, Mark, Picture, Run, Sheet};
use crate::platform::printing::printer_problem;

fn wide(s: &str) -> Vec<u16> {
    OsStr::new(s)
        .encode_wide()
        .chain(std::iter::once(0))
        .collect()
}

fn refused(message: String) -> Error {
    Error::invalid("printer", message)
}

/// The system's default printer, or a message saying there is none.
pub fn default_printer() -> Result<String> {
    let mut len: u32 = 0;
    // SAFETY: a null buffer with a zero length asks for the length needed.
    unsafe { GetDefaultPrinterW(std::ptr::null_mut(), &mut len) };
    if len == 0 {
        return Err(refused(
            "这台电脑没有设置默认打印机：请在 Windows 的“打印机和扫描仪”中设一台默认打印机，或在 设置 → 打印机 中为这种纸张选择打印机".into(),
        ));
    }
    let mut buf = vec![0u16; len as usize];
    // SAFETY: `buf` holds `len` UTF-16 units, as the call was told.
    let ok = unsafe { GetDefaultPrinterW(buf.as_mut_ptr(), &mut len) };
    if ok == 0 {
        return Err(refused("无法读取这台电脑的默认打印机".into()));
    }
    let end = buf.iter().position(|&u| u == 0).unwrap_or(buf.len());
    Ok(String::from_utf16_lossy(&buf[..end]))
}

/// An open printer, closed when dropped.
struct Printer {
    handle: PRINTER_HANDLE,
    name: Vec<u16>,
    shown: String,
}

impl Printer {
    fn open(name: &str) -> Result<Printer> {
        let wide_name = wide(name);
        let mut handle = PRINTER_HANDLE {
            Value: std::ptr::null_mut(),
        };
        // SAFETY: the name is NUL-terminated UTF-16 alive for the call; no defaults.
        let ok = unsafe { OpenPrinterW(wide_name.as_ptr(), &mut handle, std::ptr::null()) };
        if ok == 0 || handle.Value.is_null() {
            return Err(refused(format!(
                "找不到打印机“{name}”：请确认它已安装在这台电脑上（Windows 的“打印机和扫描仪”），或在 设置 → 打印机 中改选一台"
            )));
        }
        Ok(Printer {
            handle,
            name: wide_name,
            shown: name.to_string(),
        })
    }

    /// The spooler's status and attributes of the printer (PRINTER_INFO_2).
    fn status(&self) -> Option<(u32, u32)> {
        let mut needed: u32 = 0;
        // SAFETY: a null buffer of size 0 asks for the size needed.
        unsafe { GetPrinterW(self.handle, 2, std::ptr::null_mut(), 0, &mut needed) };
        if needed == 0 {
            return None;
        }
        // u64s: the buffer must be aligned for PRINTER_INFO_2W's pointers.
        let mut buf = vec![0u64; (needed as usize).div_ceil(8)];
        // SAFETY: `buf` is at least `needed` bytes and 8-aligned.
        let ok = unsafe {
            GetPrinterW(
                self.handle,
                2,
                buf.as_mut_ptr().cast(),
                (buf.len() * 8) as u32,
                &mut needed,
            )
        };
        if ok == 0 {
            return None;
        }
        // SAFETY: the call filled a PRINTER_INFO_2W at the start of the buffer.
        let info = unsafe { &*(buf.as_ptr() as *const PRINTER_INFO_2W) };
        Some((info.Status, info.Attributes))
    }

    /// The printer's own settings with the paper of a `w` × `h` mm page and `copies`.
    fn devmode(&self, w: f32, h: f32, copies: u32) -> Result<DevMode> {
        let fail = || refused(format!("无法读取打印机“{}”的设置", self.shown));
        // SAFETY: mode 0 with null buffers asks for the size of the printer's DEVMODE.
        let size = unsafe {
            DocumentPropertiesW(
                std::ptr::null_mut(),
                self.handle,
                self.name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null(),
                0,
            )
        };
        if size < std::mem::size_of::<DEVMODEW>() as i32 {
            return Err(fail());
        }
        let mut mode = DevMode(vec![0u64; (size as usize).div_ceil(8)]);
        // SAFETY: the buffer holds `size` bytes, 8-aligned.
        let got = unsafe {
            DocumentPropertiesW(
                std::ptr::null_mut(),
                self.handle,
                self.name.as_ptr(),
                mode.ptr(),
                std::ptr::null(),
                DM_OUT_BUFFER,
            )
        };
        if got < 0 {
            return Err(fail());
        }
        {
            let dm = mode.get();
            let (paper, orientation, width, length) = paper_of(w, h);
            dm.dmFields |= DM_PAPERSIZE | DM_ORIENTATION | DM_COPIES;
            // SAFETY: the printer fields of the union are the ones a printer's DEVMODE uses.
            let p = unsafe { &mut dm.Anonymous1.Anonymous1 };
            p.dmPaperSize = paper as i16;
            p.dmOrientation = orientation as i16;
            p.dmCopies = copies.min(i16::MAX as u32) as i16;
            if paper == DMPAPER_USER {
                dm.dmFields |= DM_PAPERWIDTH | DM_PAPERLENGTH;
                let p = unsafe { &mut dm.Anonymous1.Anonymous1 };
                p.dmPaperWidth = width;
                p.dmPaperLength = length;
            }
        }
        let input = mode.clone();
        // SAFETY: both buffers are DEVMODEs of the printer's size; the driver merges ours
        // into its own and writes the result.
        let merged = unsafe {
            DocumentPropertiesW(
                std::ptr::null_mut(),
                self.handle,
                self.name.as_ptr(),
                mode.ptr(),
                input.get_const(),
                DM_IN_BUFFER | DM_OUT_BUFFER,
            )
        };
        if merged < 0 {
            return Err(fail());
        }
        Ok(mode)
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        // SAFETY: opened by OpenPrinterW, closed once.
        unsafe { ClosePrinter(self.handle) };
    }
}

/// A DEVMODEW with the driver's private part after it, 8-aligned.
#[derive(Clone)]
struct DevMode(Vec<u64>);

impl DevMode {
    fn ptr(&mut self) -> *mut DEVMODEW {
        self.0.as_mut_ptr().cast()
    }
    fn get(&mut self) -> &mut DEVMODEW {
        // SAFETY: the buffer is at least size_of::<DEVMODEW>() bytes and aligned.
        unsafe { &mut *self.ptr() }
    }
    fn get_const(&self) -> *const DEVMODEW {
        self.0.as_ptr().cast()
    }
}

/// The paper code, orientation and (for a custom size) width and length in tenths of a
/// millimetre of a `w` × `h` mm page: A4 and A5 by their codes (landscape when wider than
/// tall), anything else a custom size.
pub fn paper_of(w: f32, h: f32) -> (u32, u32, i16, i16) {
    let near = |a: f32, b: f32| (a - b).abs() < 1.0;
    let (short, long) = (w.min(h), w.max(h));
    let orientation = if w > h + 1.0 {
        DMORIENT_LANDSCAPE
    } else {
        DMORIENT_PORTRAIT
    };
    if near(short, 210.0) && near(long, 297.0) {
        return (DMPAPER_A4, orientation, 0, 0);
    }
    if near(short, 148.0) && near(long, 210.0) {
        return (DMPAPER_A5, orientation, 0, 0);
    }
    let tenths = |mm: f32| (mm * 10.0).round().clamp(1.0, i16::MAX as f32) as i16;
    (DMPAPER_USER, DMORIENT_PORTRAIT, tenths(w), tenths(h))
}

/// A device context, deleted when dropped.
struct Dc(HDC);

impl Drop for Dc {
    fn drop(&mut self) {
        // SAFETY: created by CreateDCW, deleted once.
        unsafe { DeleteDC(self.0) };
    }
}

/// Prints `drawing` as `title` on `printer` (None: the default printer), `copies` times.
/// `Ok` (what to tell the clerk) only when the spooler accepted the whole job.
pub fn print(title: &str, drawing: &Drawing, printer: Option<&str>, copies: u32) -> Result<String> {
    let name = match printer {
        Some(p) => p.to_string(),
        None => default_printer()?,
    };
    let printer = Printer::open(&name)?;
    if let Some((status, attributes)) = printer.status() {
        if let Some(problem) = printer_problem(&name, status, attributes) {
            return Err(refused(problem));
        }
    }
    let Some(first) = drawing.pages.first() else {
        return Err(refused("没有可打印的页面".into()));
    };
    let mode = printer.devmode(first.w, first.h, copies)?;
    // SAFETY: the device name is NUL-terminated, the DEVMODE is the driver's own merged.
    let dc = unsafe {
        CreateDCW(
            std::ptr::null(),
            printer.name.as_ptr(),
            std::ptr::null(),
            mode.get_const(),
        )
    };
    if dc.is_null() {
        return Err(refused(format!("无法连接打印机“{name}”")));
    }
    let dc = Dc(dc);
    let doc_name = wide(title);
    let info = DOCINFOW {
        cbSize: std::mem::size_of::<DOCINFOW>() as i32,
        lpszDocName: doc_name.as_ptr(),
        lpszOutput: std::ptr::null(),
        lpszDatatype: std::ptr::null(),
        fwType: 0,
    };
    // SAFETY: `info` and its strings outlive the call.
    let job = unsafe { StartDocW(dc.0, &info) };
    if job <= 0 {
        return Err(refused(format!(
            "打印机“{name}”没有接受打印任务（{}）",
            std::io::Error::last_os_error()
        )));
    }
    let images = decode_images(drawing);
    let mut size = (first.w, first.h);
    for (n, page) in drawing.pages.iter().enumerate() {
        let fail = |what: &str| {
            // SAFETY: the document was started on this DC.
            unsafe { AbortDoc(dc.0) };
            refused(format!("打印到“{name}”时第 {} 页{what}", n + 1))
        };
        if (page.w, page.h) != size {
            size = (page.w, page.h);
            let next = printer.devmode(page.w, page.h, copies)?;
            // SAFETY: between pages, with a DEVMODE of this printer.
            if unsafe { ResetDCW(dc.0, next.get_const()) }.is_null() {
                return Err(fail("换纸张大小失败"));
            }
        }
        // SAFETY: a document is open on this DC.
        if unsafe { StartPage(dc.0) } <= 0 {
            return Err(fail("无法开始"));
        }
        let device = Device::of_printer(dc.0);
        device.page(page, &images);
        // SAFETY: a page is open on this DC.
        if unsafe { EndPage(dc.0) } <= 0 {
            return Err(fail("没有被打印机接受"));
        }
    }
    // SAFETY: the document was started on this DC; EndDoc hands it to the spooler.
    if unsafe { EndDoc(dc.0) } <= 0 {
        return Err(refused(format!(
            "打印机“{name}”没有接受打印任务（{}）",
            std::io::Error::last_os_error()
        )));
    }
    Ok(format!("已发送到“{name}”（打印任务 {job}）"))
}

/// Draws page `index` of `drawing` into the enhanced metafile `file`, at the page's size,
/// exactly as a printer page is drawn (at the resolution of the screen the metafile
/// refers to).
pub fn metafile(drawing: &Drawing, index: usize, file: &Path) -> Result<()> {
    let page = drawing
        .pages
        .get(index)
        .ok_or_else(|| Error::invalid("drawing", format!("没有第 {} 页", index + 1)))?;
    // The frame in hundredths of a millimetre.
    let frame = RECT {
        left: 0,
        top: 0,
        right: (page.w * 100.0).round() as i32,
        bottom: (page.h * 100.0).round() as i32,
    };
    let path: Vec<u16> = file.as_os_str().encode_wide().chain([0]).collect();
    let description = wide(&format!("售后服务台\0{}\0", drawing.title));
    // SAFETY: null reference DC (the screen); the strings and the frame outlive the call.
    let dc = unsafe {
        CreateEnhMetaFileW(
            std::ptr::null_mut(),
            path.as_ptr(),
            &frame,
            description.as_ptr(),
        )
    };
    if dc.is_null() {
        return Err(Error::invalid("drawing", "无法创建 EMF 文件"));
    }
    let images = decode_images(drawing);
    Device::of_metafile(dc).page(page, &images);
    // SAFETY: the DC came from CreateEnhMetaFileW; closing it writes the file.
    let emf = unsafe { CloseEnhMetaFile(dc) };
    if emf.is_null() {
        return Err(Error::invalid("drawing", "无法写入 EMF 文件"));
    }
    // SAFETY: the handle came from CloseEnhMetaFile.
    unsafe { DeleteEnhMetaFile(emf) };
    Ok(())
}

/// A device context and how millimetres from the paper's top-left corner map onto it.
struct Device {
    dc: HDC,
    /// Pixels per mm, across and down.
    sx: f32,
    sy: f32,
    /// The unprintable margin, pixels (the device's origin is the printable area's corner).
    ox: f32,
    oy: f32,
}

fn caps(dc: HDC, index: u32) -> f32 {
    // SAFETY: a valid DC and a documented index.
    unsafe { GetDeviceCaps(dc, index as i32) as f32 }
}

fn rgb(grey: f32) -> COLORREF {
    let g = (grey.clamp(0.0, 1.0) * 255.0).round() as u32;
    g | (g << 8) | (g << 16)
}

impl Device {
    fn of_printer(dc: HDC) -> Device {
        Device {
            dc,
            sx: caps(dc, LOGPIXELSX) / 25.4,
            sy: caps(dc, LOGPIXELSY) / 25.4,
            ox: caps(dc, PHYSICALOFFSETX),
            oy: caps(dc, PHYSICALOFFSETY),
        }
    }

    /// A metafile records in the reference device's pixels; its size in mm and pixels
    /// give the scale.
    fn of_metafile(dc: HDC) -> Device {
        let per_mm = |res: u32, size: u32| {
            let mm = caps(dc, size);
            if mm > 0.0 {
                caps(dc, res) / mm
            } else {
                96.0 / 25.4
            }
        };
        Device {
            dc,
            sx: per_mm(HORZRES, HORZSIZE),
            sy: per_mm(VERTRES, VERTSIZE),
            ox: 0.0,
            oy: 0.0,
        }
    }

    fn x(&self, mm: f32) -> i32 {
        (mm * self.sx - self.ox).round() as i32
    }

    fn y(&self, mm: f32) -> i32 {
        (mm * self.sy - self.oy).round() as i32
    }

    fn rect(&self, area: &crate::platform::pdf::Area) -> RECT {
        RECT {
            left: self.x(area.x),
            top: self.y(area.y),
            right: self.x(area.right()),
            bottom: self.y(area.bottom()),
        }
    }

    fn page(&self, page: &Sheet, images: &[Option<Bitmap>]) {
        // SAFETY: plain state setters on a valid DC.
        unsafe {
            SetGraphicsMode(self.dc, GM_ADVANCED);
            SetBkMode(self.dc, TRANSPARENT as i32);
            SetTextAlign(self.dc, TA_BASELINE | TA_LEFT);
        }
        let mut fonts = FontCache::default();
        for mark in &page.marks {
            match mark {
                Mark::Text(run) => self.text(run, &mut fonts),
                Mark::Line { from, to, width } => {
                    let pen = self.pen(*width);
                    // SAFETY: the pen is selected, used and deselected before deletion.
                    unsafe {
                        let old = SelectObject(self.dc, pen);
                        MoveToEx(
                            self.dc,
                            self.x(from.0),
                            self.y(from.1),
                            std::ptr::null_mut::<POINT>(),
                        );
                        LineTo(self.dc, self.x(to.0), self.y(to.1));
                        SelectObject(self.dc, old);
                        DeleteObject(pen);
                    }
                }
                Mark::Outline { area, width } => {
                    let pen = self.pen(*width);
                    let r = self.rect(area);
                    // SAFETY: as for a line; the stock null brush leaves the inside alone.
                    unsafe {
                        let old_pen = SelectObject(self.dc, pen);
                        let old_brush = SelectObject(self.dc, GetStockObject(NULL_BRUSH));
                        Rectangle(self.dc, r.left, r.top, r.right, r.bottom);
                        SelectObject(self.dc, old_brush);
                        SelectObject(self.dc, old_pen);
                        DeleteObject(pen);
                    }
                }
                Mark::Fill { area, grey } => self.fill(area, *grey),
                Mark::Black { area } => self.fill(area, 0.0),
                Mark::Image { image, area } => {
                    if let Some(Some(bitmap)) = images.get(*image) {
                        self.image(bitmap, area);
                    }
                }
            }
        }
    }

    /// A solid pen `width` mm wide with square ends, as the PDF strokes.
    fn pen(&self, width: f32) -> HGDIOBJ {
        let brush = LOGBRUSH {
            lbStyle: BS_SOLID,
            lbColor: 0,
            lbHatch: 0,
        };
        let px = (width * self.sx).round().max(1.0) as u32;
        // SAFETY: a geometric pen from a solid brush; no style array.
        unsafe {
            ExtCreatePen(
                (PS_GEOMETRIC | PS_SOLID | PS_ENDCAP_FLAT | PS_JOIN_MITER) as u32,
                px,
                &brush,
                0,
                std::ptr::null(),
            )
        }
    }

    fn fill(&self, area: &crate::platform::pdf::Area, grey: f32) {
        let r = self.rect(area);
        // SAFETY: a brush made, used and deleted here.
        unsafe {
            let brush = CreateSolidBrush(rgb(grey));
            FillRect(self.dc, &r, brush);
            DeleteObject(brush);
        }
    }

    fn text(&self, run: &Run, fonts: &mut FontCache) {
        let Some(family) = family_of_slot(run.slot) else {
            return;
        };
        let height = (run.size / 72.0 * 25.4 * self.sy).round().max(1.0) as i32;
        let tenths = (run.angle.to_degrees() * 10.0).round() as i32;
        let font = fonts.get(&family, height, run.bold, tenths);
        // Each character where our layout put it: cumulative positions rounded, so the
        // rounding never adds up along a line.
        let mut at = 0.0f32;
        let mut last = 0i32;
        let dx: Vec<i32> = run
            .text
            .chars()
            .map(|c| {
                at += text_width(&c.to_string(), run.size);
                let next = (at * self.sx).round() as i32;
                let step = next - last;
                last = next;
                step
            })
            .collect();
        // One advance per UTF-16 unit: a character beyond the BMP (a surrogate pair) has
        // its advance on the first unit and none on the second.
        let units: Vec<u16> = run.text.encode_utf16().collect();
        let dx: Vec<i32> = run
            .text
            .chars()
            .zip(dx)
            .flat_map(|(c, step)| {
                if c.len_utf16() == 2 {
                    vec![step, 0]
                } else {
                    vec![step]
                }
            })
            .collect();
        // SAFETY: the font is selected for the call and deselected after; the string and
        // the advances (one per UTF-16 unit) outlive the call.
        unsafe {
            let old = SelectObject(self.dc, font);
            SetTextColor(self.dc, rgb(run.grey));
            ExtTextOutW(
                self.dc,
                self.x(run.x),
                self.y(run.y),
                0,
                std::ptr::null(),
                units.as_ptr(),
                units.len() as u32,
                dx.as_ptr(),
            );
            SelectObject(self.dc, old);
        }
    }

    fn image(&self, bitmap: &Bitmap, area: &crate::platform::pdf::Area) {
        let r = self.rect(area);
        let info = BITMAPINFO {
            bmiHeader: BITMAPINFOHEADER {
                biSize: std::mem::size_of::<BITMAPINFOHEADER>() as u32,
                biWidth: bitmap.width as i32,
                // Negative: rows top to bottom.
                biHeight: -(bitmap.height as i32),
                biPlanes: 1,
                biBitCount: 32,
                biCompression: BI_RGB,
                ..Default::default()
            },
            bmiColors: [Default::default()],
        };
        // SAFETY: `pixels` holds width × height BGRX pixels as the header says.
        unsafe {
            SetStretchBltMode(self.dc, HALFTONE);
            StretchDIBits(
                self.dc,
                r.left,
                r.top,
                r.right - r.left,
                r.bottom - r.top,
                0,
                0,
                bitmap.width as i32,
                bitmap.height as i32,
                bitmap.pixels.as_ptr().cast(),
                &info,
                DIB_RGB_COLORS,
                SRCCOPY,
            );
        }
    }
}

/// The fonts made for one page, deleted with it.
#[derive(Default)]
struct FontCache(HashMap<(String, i32, bool, i32), HFONT>);

impl FontCache {
    fn get(&mut self, family: &str, height: i32, bold: bool, tenths: i32) -> HFONT {
        *self
            .0
            .entry((family.to_string(), height, bold, tenths))
            .or_insert_with(|| {
                let mut face = [0u16; 32];
                for (slot, unit) in face.iter_mut().zip(family.encode_utf16().take(31)) {
                    *slot = unit;
                }
                let lf = LOGFONTW {
                    // Negative: the em height, as the PDF sets a size.
                    lfHeight: -height,
                    lfEscapement: tenths,
                    lfOrientation: tenths,
                    lfWeight: if bold { FW_BOLD } else { FW_NORMAL } as i32,
                    lfCharSet: DEFAULT_CHARSET,
                    lfOutPrecision: OUT_TT_ONLY_PRECIS,
                    lfClipPrecision: CLIP_DEFAULT_PRECIS,
                    lfFaceName: face,
                    ..Default::default()
                };
                // SAFETY: a filled LOGFONTW.
                unsafe { CreateFontIndirectW(&lf) }
            })
    }
}

impl Drop for FontCache {
    fn drop(&mut self) {
        for font in self.0.values() {
            // SAFETY: made by CreateFontIndirectW, no longer selected.
            unsafe { DeleteObject(*font) };
        }
    }
}

/// The family name GDI knows slot `slot`'s font by: a compiled font is added to this
/// process's fonts on first use (`AddFontMemResourceEx`, kept for the process's life); a
/// system font file is installed already. `None` when the font cannot be had.
fn family_of_slot(slot: usize) -> Option<String> {
    static FAMILIES: OnceLock<Mutex<HashMap<usize, Option<String>>>> = OnceLock::new();
    let mut known = FAMILIES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    known
        .entry(slot)
        .or_insert_with(|| match fonts().source_of_slot(slot)? {
            SlotFont::Compiled(bytes) => {
                let family = family_name(bytes)?;
                // The glyphs named by their characters, so a PostScript driver's page
                // keeps its text (glyph_names.rs); the original bytes if that fails.
                let face = fonts().face_of_slot(slot);
                let bytes: &'static [u8] =
                    match with_glyph_names(bytes, |c| face.parsed.lookup_glyph_index(c)) {
                        // Kept for the process's life, like the font GDI made of it.
                        Some(named) => Vec::leak(named),
                        None => bytes,
                    };
                let mut count: u32 = 0;
                // SAFETY: the bytes live as long as the process; GDI copies what it needs.
                let handle: HANDLE = unsafe {
                    AddFontMemResourceEx(
                        bytes.as_ptr().cast(),
                        bytes.len() as u32,
                        std::ptr::null(),
                        // Written by GDI (windows-sys declares it const).
                        std::ptr::addr_of_mut!(count).cast_const(),
                    )
                };
                (!handle.is_null() && count > 0).then_some(family)
            }
            SlotFont::File(path) => family_name(&std::fs::read(path).ok()?),
        })
        .clone()
}

/// An image as GDI takes it: 32-bit BGRX rows, top to bottom, on white where it was
/// transparent.
struct Bitmap {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

fn decode_images(drawing: &Drawing) -> Vec<Option<Bitmap>> {
    drawing.images.iter().map(bitmap).collect()
}

fn bitmap(picture: &Picture) -> Option<Bitmap> {
    use printpdf::{RawImageData, RawImageFormat as F};
    let raw = picture.decode()?;
    let RawImageData::U8(px) = &raw.pixels else {
        return None;
    };
    let channels = match raw.data_format {
        F::R8 => 1,
        F::RG8 => 2,
        F::RGB8 | F::BGR8 => 3,
        F::RGBA8 | F::BGRA8 => 4,
        _ => return None,
    };
    let bgr = matches!(raw.data_format, F::BGR8 | F::BGRA8);
    let n = raw.width * raw.height;
    if px.len() < n * channels {
        return None;
    }
    let mut pixels = Vec::with_capacity(n * 4);
    for p in px.chunks_exact(channels).take(n) {
        let (r, g, b, a) = match channels {
            1 => (p[0], p[0], p[0], 255),
            2 => (p[0], p[0], p[0], p[1]),
            3 if bgr => (p[2], p[1], p[0], 255),
            3 => (p[0], p[1], p[2], 255),
            _ if bgr => (p[2], p[1], p[0], p[3]),
            _ => (p[0], p[1], p[2], p[3]),
        };
        // On white paper: what is transparent shows the paper.
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
        pixels.extend([over(b), over(g), over(r), 0]);
    }
    Some(Bitmap {
        width: raw.width,
        height: raw.height,
        pixels,
    })
}
