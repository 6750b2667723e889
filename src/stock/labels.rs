//! 标签: part labels (code, name, spec, bin and the part's barcode, or its code when it
//! has none, as Code 128 or QR) and bin labels (the bin location big, with it as a
//! barcode or QR), as one PDF to print.
//!
//! Sizes are what storekeepers' label printers take on a roll, one label per page of
//! exactly that size (40 × 30, 50 × 30, 60 × 40, 100 × 50 mm), and the office's A4
//! sheets of 3 × 8 labels of 70 × 37 mm. One layout per kind, scaled to the label: long
//! names wrap and shrink within it and never run outside; what would still not fit is cut
//! with an ellipsis and reported. Everything is checked before anything is drawn: a
//! character the font lacks, a barcode value Code 128 cannot carry, a barcode too long
//! to print readably on the size chosen — each refused with the field named. Every print
//! run is recorded in the audit trail.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::pdf::{self, code128, Align, Area, Barcode, Pdf, Qr, TextBox, VAlign};
use crate::stock::parts::{self, Part, PartId};
use crate::{people::audit, Desk};

/// The most parts one print run takes, and the most labels.
const MAX_PARTS: usize = 500;
const MAX_LABELS: usize = 2000;
const MAX_COPIES: i64 = 100;
/// A QR module smaller than this (mm) is two dots at 203 dpi or less: hard to scan.
const MIN_QR_MODULE: f32 = 0.3;

/// One label stock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// As the API names it: `40x30`, …, `a4-70x37`.
    pub id: &'static str,
    /// As a clerk reads it.
    pub title: &'static str,
    /// Label width and height, mm.
    pub w: f32,
    pub h: f32,
    /// An A4 sheet of `columns` × `rows` labels; `None` for a roll (one label a page).
    pub sheet: Option<(usize, usize)>,
}

pub const SIZES: &[Size] = &[
    Size {
        id: "40x30",
        title: "40×30 毫米",
        w: 40.0,
        h: 30.0,
        sheet: None,
    },
    Size {
        id: "50x30",
        title: "50×30 毫米",
        w: 50.0,
        h: 30.0,
        sheet: None,
    },
    Size {
        id: "60x40",
        title: "60×40 毫米",
        w: 60.0,
        h: 40.0,
        sheet: None,
    },
    Size {
        id: "100x50",
        title: "100×50 毫米",
        w: 100.0,
        h: 50.0,
        sheet: None,
    },
    Size {
        id: "a4-70x37",
        title: "A4 不干胶 24 格（70×37 毫米）",
        w: 70.0,
        h: 37.0,
        sheet: Some((3, 8)),
    },
];

const A4: (f32, f32) = (210.0, 297.0);

impl Size {
    /// White kept inside each label's edge (x, y), mm. On a roll the printer prints to
    /// the label's edge; on a sheet an office printer cannot print the outer 4–5 mm of the
    /// paper, and its labels sit right at the paper's edge.
    pub fn margin(&self) -> (f32, f32) {
        if self.sheet.is_some() {
            (5.0, 4.0)
        } else {
            let m = (self.w.min(self.h) * 0.05).max(1.5);
            (m, m)
        }
    }

    /// The box of label number `index` (from 0) on its page, and whether it starts a page.
    pub fn cell(&self, index: usize) -> (Area, bool) {
        match self.sheet {
            None => (Area::new(0.0, 0.0, self.w, self.h), true),
            Some((columns, rows)) => {
                let per_page = columns * rows;
                let n = index % per_page;
                let left = (A4.0 - columns as f32 * self.w) / 2.0;
                let top = (A4.1 - rows as f32 * self.h) / 2.0;
                let area = Area::new(
                    left + (n % columns) as f32 * self.w,
                    top + (n / columns) as f32 * self.h,
                    self.w,
                    self.h,
                );
                (area, n == 0)
            }
        }
    }

    /// Page size, mm.
    pub fn page(&self) -> (f32, f32) {
        match self.sheet {
            None => (self.w, self.h),
            Some(_) => A4,
        }
    }

    /// The area inside the margin, where everything is drawn.
    pub fn inner(&self, cell: Area) -> Area {
        let (mx, my) = self.margin();
        cell.inset(mx, my)
    }
}

/// `parts.labels` arguments.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct LabelArgs {
    pub part_ids: Vec<PartId>,
    /// `part` (default) or `bin`.
    pub kind: String,
    /// `barcode` (Code 128, default) or `qr`.
    pub code: String,
    /// One of [`SIZES`]' ids; default `50x30`.
    pub size: String,
    /// Copies of each label, 1–100.
    pub copies: i64,
    /// Also send them to the label printer of the settings (issue 18): an ESC/POS printer
    /// gets them in its own commands ([`escpos`]), any other the PDF.
    pub send: bool,
}

impl Default for LabelArgs {
    fn default() -> Self {
        LabelArgs {
            part_ids: Vec::new(),
            kind: "part".into(),
            code: "barcode".into(),
            size: "50x30".into(),
            copies: 1,
            send: false,
        }
    }
}

/// The PDF, as the download helper of the UI takes it, with what the clerk should know.
#[derive(Debug, Serialize)]
pub struct Printed {
    pub file_name: String,
    pub content_base64: String,
    /// Labels printed (copies included).
    pub rows: usize,
    pub pages: usize,
    /// Part codes (or bins) whose text had to be cut to fit the label.
    pub cut: Vec<String>,
    /// Part codes left out: a bin label was asked for and the part has no bin.
    pub skipped: Vec<String>,
    /// Codes (`U+2A6D7`) of the characters no font has, printed as the code in a box
    /// (or GBK lacks, printed as □ on an ESC/POS printer).
    pub unprintable: Vec<String>,
    /// What the printer (or the print system) said, when they were sent to one.
    pub sent: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Part,
    Bin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    Barcode,
    Qr,
}

/// What one label shows, checked and ready to draw.
pub struct Label {
    /// Big line: the part code (part label) or the bin (bin label).
    pub title: String,
    /// Right of the title on a part label: the bin.
    pub bin: String,
    /// The part's name, or on a bin label the parts kept there.
    pub name: String,
    pub spec: String,
    /// What the barcode or QR code carries.
    pub value: String,
    /// Who to name when the text had to be cut.
    pub who: String,
}

enum Symbol {
    Bar(Barcode),
    Qr(Qr),
}

/// Sizes of a label's text, points, and of its barcode, mm, scaled to the label.
struct Scale(f32);

impl Scale {
    fn of(inner: Area) -> Scale {
        Scale(inner.h / 27.0)
    }
    fn header(&self) -> f32 {
        9.0 * self.0
    }
    fn name(&self) -> f32 {
        8.0 * self.0
    }
    fn small(&self) -> f32 {
        6.5 * self.0
    }
    fn caption(&self) -> f32 {
        6.0 * self.0
    }
    fn bars(&self) -> f32 {
        7.0 * self.0
    }
    fn gap(&self) -> f32 {
        0.6 * self.0
    }
}

/// The smallest text a label sets, points: still legible on a 203 dpi printer.
const MIN_TEXT: f32 = 5.0;

/// `parts.labels`: the labels of `part_ids` as one PDF, recorded in the audit trail.
pub fn print(desk: &mut Desk, args: LabelArgs) -> Result<Printed> {
    let kind = match args.kind.as_str() {
        "part" | "" => Kind::Part,
        "bin" => Kind::Bin,
        _ => {
            return Err(Error::invalid(
                "kind",
                "标签类型只能是“备件标签”或“库位标签”",
            ))
        }
    };
    let symbology = match args.code.as_str() {
        "barcode" | "" => Symbology::Barcode,
        "qr" => Symbology::Qr,
        _ => return Err(Error::invalid("code", "码制只能是“条形码”或“二维码”")),
    };
    let size_id = if args.size.is_empty() {
        "50x30"
    } else {
        args.size.as_str()
    };
    let size = *SIZES.iter().find(|s| s.id == size_id).ok_or_else(|| {
        let all: Vec<&str> = SIZES.iter().map(|s| s.title).collect();
        Error::invalid("size", format!("标签尺寸只能是：{}", all.join("、")))
    })?;
    if !(1..=MAX_COPIES).contains(&args.copies) {
        return Err(Error::invalid(
            "copies",
            format!("每种标签的份数应在1到{MAX_COPIES}之间"),
        ));
    }
    let mut ids: Vec<PartId> = Vec::new();
    for id in args.part_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(Error::invalid("part_ids", "请先选择要打印标签的备件"));
    }
    if ids.len() > MAX_PARTS {
        return Err(Error::invalid(
            "part_ids",
            format!("一次最多为{MAX_PARTS}种备件打印标签"),
        ));
    }
    let mut parts: Vec<Part> = Vec::with_capacity(ids.len());
    for id in ids {
        let part = parts::load(desk.conn(), id)?
            .ok_or_else(|| Error::invalid("part_ids", format!("备件不存在（编号 {id}）")))?;
        parts.push(part);
    }
    let (labels, skipped) = match kind {
        Kind::Part => (parts.iter().map(part_label).collect(), Vec::new()),
        Kind::Bin => bin_labels(&parts)?,
    };
    let total = labels.len() * args.copies as usize;
    if total > MAX_LABELS {
        return Err(Error::invalid(
            "copies",
            format!("一次最多打印{MAX_LABELS}张标签（现在是 {total} 张）"),
        ));
    }
    let mut rendered = render(
        &labels,
        kind,
        symbology,
        size,
        args.copies as usize,
        desk.now(),
    )?;
    // Only the printers of the PC this core runs on can be sent to: a browser on another
    // PC (or a desktop using this door) prints the PDF on its own side (issue 18).
    if args.send {
        if let Some(peer) = desk.caller().peer.filter(|_| desk.caller().is_another_pc()) {
            return Err(Error::invalid(
                "printer",
                format!("这台电脑（{peer}）不能用服务器的标签打印机打印：请生成 PDF，在本机打印"),
            ));
        }
    }
    // Sent before the print run is recorded: only labels the printer took are recorded.
    let sent = if args.send {
        let settings = crate::people::settings::load(desk.conn())?;
        let title = format!("标签-{}", desk.today().format("%Y%m%d"));
        Some(match settings.escpos_printer("label")? {
            Some(target) => {
                let (job, missing) = escpos(&labels, kind, symbology, args.copies as usize)?;
                rendered.unprintable.extend(missing);
                rendered.unprintable.sort();
                rendered.unprintable.dedup();
                crate::platform::escpos::send(&target, &title, &job)?
            }
            None => {
                let data_dir = desk.path().parent().unwrap_or(std::path::Path::new("."));
                let job = crate::platform::printing::PrintJob {
                    printer: settings.printers.get("label").cloned(),
                    copies: 1,
                };
                crate::platform::printing::send(data_dir, &title, &rendered.drawing, &job)?
            }
        })
    } else {
        None
    };

    let what = match kind {
        Kind::Part => "备件标签",
        Kind::Bin => "库位标签",
    };
    let code_name = match symbology {
        Symbology::Barcode => "条形码",
        Symbology::Qr => "二维码",
    };
    let (at, today) = (desk.stamp(), desk.today());
    let tx = desk.write()?;
    audit::record(
        &tx,
        &at,
        "labels",
        "part",
        0,
        &format!(
            "打印{what}：{} 种 × {} 份，共 {total} 张（{}，{code_name}）",
            labels.len(),
            args.copies,
            size.title
        ),
    )?;
    tx.commit()?;
    Ok(Printed {
        file_name: format!("{what}-{}.pdf", today.format("%Y%m%d")),
        content_base64: base64::engine::general_purpose::STANDARD.encode(&rendered.bytes),
        rows: total,
        pages: rendered.pages,
        cut: rendered.cut,
        skipped,
        unprintable: rendered.unprintable,
        sent,
    })
}

/// The labels as one ESC/POS job for an 80 mm roll printer, `copies` of each, each cut:
/// the code (or bin) big and bold, the bin, name and spec, then the barcode (Code 128) or
/// QR code drawn by the printer. Returns the bytes and the codes of the characters GBK
/// lacks. A barcode too long for the roll is refused naming the part.
pub fn escpos(
    labels: &[Label],
    kind: Kind,
    symbology: Symbology,
    copies: usize,
) -> Result<(Vec<u8>, Vec<String>)> {
    use crate::platform::escpos::{Align, Correction, Receipt};
    let mut r = Receipt::new();
    for label in labels {
        for _ in 0..copies {
            r.align(Align::Center)
                .bold(true)
                .size(2, 2)
                .text(&label.title);
            r.size(1, 1).bold(false);
            if kind == Kind::Part && !label.bin.trim().is_empty() {
                r.text(&format!("库位：{}", label.bin));
            }
            r.text(&label.name);
            if !label.spec.trim().is_empty() {
                r.text(&label.spec);
            }
            r.feed(1);
            match symbology {
                Symbology::Barcode => {
                    r.code128(&label.value, 80)
                        .map_err(|e| Error::invalid("code", format!("{}：{e}", label.who)))?;
                }
                Symbology::Qr => {
                    r.qr(&label.value, 6, Correction::M)?;
                }
            }
            r.align(Align::Left).cut();
        }
    }
    Ok(r.finish())
}

fn part_label(part: &Part) -> Label {
    Label {
        title: part.code.clone(),
        bin: part.bin.clone(),
        name: part.name.clone(),
        spec: part.spec.clone(),
        value: part
            .barcode
            .clone()
            .filter(|b| !b.trim().is_empty())
            .unwrap_or_else(|| part.code.clone()),
        who: part.code.clone(),
    }
}

/// One label per bin, in the order the parts came, naming the parts chosen that are kept
/// there; parts without a bin are skipped (and named), unless no part has one.
fn bin_labels(parts: &[Part]) -> Result<(Vec<Label>, Vec<String>)> {
    let mut labels: Vec<Label> = Vec::new();
    let mut skipped = Vec::new();
    for part in parts {
        let bin = part.bin.trim();
        if bin.is_empty() {
            skipped.push(part.code.clone());
            continue;
        }
        let kept = format!("{} {}", part.code, part.name);
        match labels.iter_mut().find(|l| l.title == bin) {
            Some(label) => {
                label.name.push('、');
                label.name.push_str(&kept);
            }
            None => labels.push(Label {
                title: bin.to_string(),
                bin: String::new(),
                name: kept,
                spec: String::new(),
                value: bin.to_string(),
                who: format!("库位 {bin}"),
            }),
        }
    }
    if labels.is_empty() {
        return Err(Error::invalid(
            "part_ids",
            "选中的备件都没有登记库位，无法打印库位标签（请先在备件档案中填写库位）",
        ));
    }
    Ok((labels, skipped))
}

/// A rendered set of labels.
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// The same labels as marks, for a printer drawn on directly (Windows' GDI).
    pub drawing: crate::platform::pdf::Drawing,
    pub pages: usize,
    /// Who had text cut to fit (see [`Label::who`]), each once.
    pub cut: Vec<String>,
    /// Codes of the characters no font has, drawn as boxed codes.
    pub unprintable: Vec<String>,
}

/// Checks and draws `labels`, `copies` of each, on `size`. Nothing is drawn until every
/// label has passed: a barcode or QR code that can carry its value and still scan at this
/// size. Text is never refused: a character no font has prints as its code in a box.
pub fn render(
    labels: &[Label],
    kind: Kind,
    symbology: Symbology,
    size: Size,
    copies: usize,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Rendered> {
    let (cell, _) = size.cell(0);
    let inner = size.inner(cell);
    let mut symbols = Vec::with_capacity(labels.len());
    for label in labels {
        symbols.push(symbol(label, kind, symbology, size, inner)?);
    }
    let title = match kind {
        Kind::Part => "备件标签",
        Kind::Bin => "库位标签",
    };
    let mut pdf = Pdf::new(title, at);
    let mut cut = Vec::new();
    let mut n = 0;
    for (label, symbol) in labels.iter().zip(&symbols) {
        for _ in 0..copies {
            let (cell, new_page) = size.cell(n);
            if new_page {
                let (w, h) = size.page();
                pdf.add_page(w, h);
            }
            let was_cut = draw(&mut pdf, size, size.inner(cell), label, kind, symbol);
            if was_cut && !cut.contains(&label.who) {
                cut.push(label.who.clone());
            }
            n += 1;
        }
    }
    let pages = pdf.page_count();
    let unprintable = pdf::codes(pdf.unprintable());
    let drawing = pdf.into_drawing();
    Ok(Rendered {
        bytes: drawing.to_pdf()?,
        drawing,
        pages,
        cut,
        unprintable,
    })
}

/// The barcode or QR code of a label, refused when it cannot carry the value or would
/// not scan at this size.
fn symbol(
    label: &Label,
    kind: Kind,
    symbology: Symbology,
    size: Size,
    inner: Area,
) -> Result<Symbol> {
    let what = match kind {
        Kind::Part => format!("备件 {} 的条码「{}」", label.who, label.value),
        Kind::Bin => format!("库位「{}」", label.value),
    };
    match symbology {
        Symbology::Barcode => {
            let code = Barcode::code128(&label.value).ok_or_else(|| {
                Error::invalid(
                    "code",
                    format!("{what}含有条形码表示不了的字符（如汉字），请改用二维码"),
                )
            })?;
            let (mx, _) = size.margin();
            if code.module_for(inner.w, mx) < code128::MIN_MODULE {
                return Err(Error::invalid(
                    "size",
                    format!(
                        "{what}太长，{}的标签上条形码印不清楚：请选更宽的标签，或改用二维码",
                        size.title
                    ),
                ));
            }
            Ok(Symbol::Bar(code))
        }
        Symbology::Qr => {
            let code = Qr::new(&label.value)
                .ok_or_else(|| Error::invalid("code", format!("{what}太长，做不成二维码")))?;
            let side = qr_side(inner, kind);
            if code.module_for(side) < MIN_QR_MODULE {
                return Err(Error::invalid(
                    "size",
                    format!(
                        "{what}太长，{}的标签上二维码印不清楚：请选更大的标签",
                        size.title
                    ),
                ));
            }
            Ok(Symbol::Qr(code))
        }
    }
}

/// Side of the QR square on a label: the height below the header of a part label, the
/// whole height of a bin label, and never more than about half the width.
fn qr_side(inner: Area, kind: Kind) -> f32 {
    let s = Scale::of(inner);
    let height = match kind {
        Kind::Part => inner.h - pdf::block_height(1, s.header()) - s.gap(),
        Kind::Bin => inner.h,
    };
    height.min(inner.w * 0.46)
}

/// Draws one label inside `inner`; true when some of its text had to be cut.
fn draw(
    pdf: &mut Pdf,
    size: Size,
    inner: Area,
    label: &Label,
    kind: Kind,
    symbol: &Symbol,
) -> bool {
    match kind {
        Kind::Part => draw_part(pdf, size, inner, label, symbol),
        Kind::Bin => draw_bin(pdf, size, inner, label, symbol),
    }
}

fn draw_part(pdf: &mut Pdf, size: Size, inner: Area, label: &Label, symbol: &Symbol) -> bool {
    let s = Scale::of(inner);
    let mut cut = false;
    // Code (bold) left, bin right, on one line.
    let (header, body) = inner.take_top(pdf::block_height(1, s.header()));
    let bin_w = if label.bin.is_empty() {
        0.0
    } else {
        (pdf::text_width(&label.bin, s.header()) + 1.0).min(header.w * 0.45)
    };
    let (bin_area, code_area) = header.take_right(bin_w);
    let one_line = TextBox::new(s.header())
        .shrink_to(MIN_TEXT)
        .max_lines(1)
        .bold();
    cut |= pdf.text_box(code_area, one_line, &label.title).cut;
    if !label.bin.is_empty() {
        cut |= pdf
            .text_box(bin_area, one_line.align(Align::Right), &label.bin)
            .cut;
    }
    let (_, body) = body.take_top(s.gap());
    let show_value = label.value != label.title;
    match symbol {
        Symbol::Bar(code) => {
            let caption = pdf::block_height(1, s.caption());
            let (bars_block, rest) = body.take_bottom(s.bars() + 0.3 * s.0 + caption);
            let (bars, text) = bars_block.take_top(s.bars());
            let (_, text) = text.take_top(0.3 * s.0);
            pdf.barcode(bars, size.margin().0, code);
            let caption_box = TextBox::new(s.caption())
                .shrink_to(MIN_TEXT)
                .max_lines(1)
                .align(Align::Center);
            cut |= pdf.text_box(text, caption_box, &label.value).cut;
            cut |= name_and_spec(pdf, &s, rest.take_top(rest.h - s.gap()).0, label);
        }
        Symbol::Qr(code) => {
            let side = qr_side(inner, Kind::Part);
            let (qr_col, text_col) = body.take_right(side);
            pdf.qr(
                Area::new(qr_col.x, qr_col.bottom() - side, side, side),
                code,
            );
            // The text column stops short of the QR code's quiet zone.
            let text_col = Area::new(text_col.x, text_col.y, text_col.w - 0.5, text_col.h);
            let rest = if show_value {
                let (value_area, rest) = text_col.take_bottom(pdf::block_height(1, s.caption()));
                let value_box = TextBox::new(s.caption()).shrink_to(MIN_TEXT).max_lines(1);
                cut |= pdf.text_box(value_area, value_box, &label.value).cut;
                rest
            } else {
                text_col
            };
            cut |= name_and_spec(pdf, &s, rest, label);
        }
    }
    cut
}

/// The name with the spec right under it, in `area`: both set smaller together until
/// both fit whole; if they cannot, the name comes first and the spec is cut.
fn name_and_spec(pdf: &mut Pdf, s: &Scale, area: Area, label: &Label) -> bool {
    let gap = 0.4 * s.0;
    if label.spec.trim().is_empty() {
        let name_box = TextBox::new(s.name()).shrink_to(MIN_TEXT);
        return pdf.text_box(area, name_box, &label.name).cut;
    }
    let mut size = s.name();
    loop {
        let spec_size = (size * s.small() / s.name()).max(MIN_TEXT);
        let last = size <= MIN_TEXT;
        let name = pdf::box_lines(&label.name, size, area.w, last);
        let spec = pdf::box_lines(&label.spec, spec_size, area.w, last);
        if let (Some(name), Some(spec)) = (name, spec) {
            let name_h = pdf::block_height(name.len(), size);
            if name_h + gap + pdf::block_height(spec.len(), spec_size) <= area.h {
                pdf.text_box(area, TextBox::new(size), &label.name);
                let below = Area::new(area.x, area.y + name_h + gap, area.w, area.h - name_h - gap);
                pdf.text_box(below, TextBox::new(spec_size), &label.spec);
                return false;
            }
        }
        if last {
            break;
        }
        size = (size - 0.5).max(MIN_TEXT);
    }
    let spec_h = pdf::block_height(1, MIN_TEXT) + gap;
    let name_box = TextBox::new(MIN_TEXT);
    let name = pdf.text_box(area.take_top(area.h - spec_h).0, name_box, &label.name);
    let below = pdf::block_height(name.lines, name.size) + gap;
    let spec_area = Area::new(area.x, area.y + below, area.w, area.h - below);
    let spec = pdf.text_box(spec_area, TextBox::new(MIN_TEXT), &label.spec);
    name.cut || spec.cut
}

fn draw_bin(pdf: &mut Pdf, size: Size, inner: Area, label: &Label, symbol: &Symbol) -> bool {
    let s = Scale::of(inner);
    let big = TextBox::new(26.0 * s.0)
        .shrink_to(8.0)
        .max_lines(2)
        .align(Align::Center)
        .valign(VAlign::Middle)
        .bold();
    // What is kept there, small, at most two lines: a reminder, so cutting it is fine.
    let kept = TextBox::new(s.caption()).max_lines(2);
    let kept_h = pdf::block_height(2, s.caption());
    match symbol {
        Symbol::Bar(code) => {
            let (kept_area, rest) = inner.take_bottom(kept_h);
            pdf.text_box(kept_area, kept.align(Align::Center), &label.name);
            let (bars, rest) = rest.take_bottom(s.bars() + s.gap());
            let bars = bars.take_top(s.bars()).0;
            pdf.barcode(bars, size.margin().0, code);
            pdf.text_box(rest.take_top(rest.h - s.gap()).0, big, &label.title)
                .cut
        }
        Symbol::Qr(code) => {
            let side = qr_side(inner, Kind::Bin);
            let (qr_col, text_col) = inner.take_right(side);
            pdf.qr(
                Area::new(qr_col.x, qr_col.y + (qr_col.h - side) / 2.0, side, side),
                code,
            );
            let text_col = Area::new(text_col.x, text_col.y, text_col.w - 0.5, text_col.h);
            let (kept_area, rest) = text_col.take_bottom(kept_h);
            pdf.text_box(kept_area, kept, &label.name);
            pdf.text_box(rest, big, &label.title).cut
        }
    }
}
