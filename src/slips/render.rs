//! Drawing a slip on the desk's paper:
//! - `a4`: A4 portrait; `a5`: A5 landscape; `continuous`: 241 mm continuous form for
//!   dot-matrix printers (9½ × 11 in, sprocket margins), three-part carbonless paper in one
//!   pass; all three the same ruled layout, scaled to the paper;
//! - `thermal`: 80 mm receipt paper, a short hand-over form for walk-ins, as long as its
//!   content.
//!
//! A5 is laid out tighter than A4 (issue 17): customer and machine three cells a row, the
//! fault, its cause and the work done side by side, the money beside the customer's
//! opinion and signature, so that a slip with up to eight part lines and the terms (never
//! under 7 pt on any sheet) fits one page.
//!
//! With `copies: three` the slip is drawn three times, each copy labelled (第一联 存根 /
//! 第二联 财务联 / 第三联 客户联: the third always stays with the customer). Long text wraps,
//! then shrinks, inside its box; parts beyond the first page continue on the next with the
//! slip's header (number, customer, machine) and the table header repeated; the foot
//! (money, opinion and signature, terms) is measured whole and, when it does not fit, goes
//! to a new page with that header too. A preview carries 预览 across every page. Every text
//! is checked for glyphs first, so a missing character is refused with the field named.
//!
//! The company logo (settings `company_logo`), when there is one, goes in the head of every
//! page left of the company name, scaled into a fixed box keeping its proportions
//! ([`logo_box`]); the file carries it once however many pages and copies show it. 套打
//! prints onto a pre-printed form, which has its own: no logo there.

use super::SlipData;
use crate::orders::Opinion;
use crate::platform::error::{Error, Result};
use crate::platform::money;
use crate::platform::pdf::{
    self, Align, Area, Column, Drawing, Image, Pdf, Qr, Style, Table, TextBox, VAlign,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    A4,
    A5,
    Continuous,
    Thermal,
    /// 套打: the data only, onto the company's pre-printed form ([`super::template`]).
    Overlay,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format> {
        Ok(match text {
            "" | "a4" => Format::A4,
            "a5" => Format::A5,
            "continuous" => Format::Continuous,
            "thermal" => Format::Thermal,
            "overlay" => Format::Overlay,
            _ => {
                return Err(Error::invalid(
                    "format",
                    "纸张格式只能是 A4、A5 横向、241mm 连续纸、80mm 热敏纸或套打",
                ))
            }
        })
    }

    /// The paper whose printer setting it uses ([`crate::people::settings::PRINTER_FORMATS`]).
    pub fn paper(self) -> &'static str {
        match self {
            Format::A4 => "a4",
            Format::A5 => "a5",
            Format::Continuous | Format::Overlay => "continuous",
            Format::Thermal => "thermal",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::A4 => "a4",
            Format::A5 => "a5",
            Format::Continuous => "continuous",
            Format::Thermal => "thermal",
            Format::Overlay => "overlay",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copies {
    One,
    Three,
}

impl Copies {
    pub fn parse(text: &str) -> Result<Copies> {
        match text {
            "" | "one" => Ok(Copies::One),
            "three" => Ok(Copies::Three),
            _ => Err(Error::invalid("copies", "联数只能是一联或三联")),
        }
    }
}

/// The three parts, in the order they come off the printer.
pub const COPY_LABELS: [&str; 3] = ["第一联 存根", "第二联 财务联", "第三联 客户联"];

/// Sizes of one paper format, mm and points.
struct Layout {
    w: f32,
    h: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    /// Body text, points.
    size: f32,
    /// Height of a one-line row, mm.
    row: f32,
}

impl Layout {
    fn of(format: Format) -> Layout {
        match format {
            Format::A4 | Format::Thermal | Format::Overlay => Layout {
                w: 210.0,
                h: 297.0,
                left: 12.0,
                right: 12.0,
                top: 12.0,
                bottom: 12.0,
                size: 10.0,
                row: 7.5,
            },
            // 6 mm top and bottom: inside what laser and inkjet printers reach (4–5 mm), and
            // the room eight part lines need.
            Format::A5 => Layout {
                w: 210.0,
                h: 148.0,
                left: 8.0,
                right: 8.0,
                top: 6.0,
                bottom: 6.0,
                size: 8.0,
                row: 5.0,
            },
            // 9½ × 11 in fan-fold: 12.7 mm sprocket strips each side, plus a little.
            Format::Continuous => Layout {
                w: 241.3,
                h: 279.4,
                left: 17.0,
                right: 17.0,
                top: 10.0,
                bottom: 10.0,
                size: 10.0,
                row: 7.5,
            },
        }
    }

    fn width(&self) -> f32 {
        self.w - self.left - self.right
    }

    fn k(&self) -> f32 {
        self.size / 10.0
    }
}

/// The logo's box on a sheet (A4, A5, continuous; scaled with the paper's `k`), mm: right of
/// the numbers block, left of the company name; the name starts [`LOGO_GAP`] after it. (An
/// A4 slip's default name, 售后服务中心, centred without a logo, still clears it.)
const LOGO_W: f32 = 22.0;
const LOGO_H: f32 = 14.0;
const LOGO_GAP: f32 = 3.0;
/// The logo's box on the 80 mm receipt, mm, at its top-left corner.
const THERMAL_LOGO: Area = Area {
    x: 4.0,
    y: 3.0,
    w: 16.0,
    h: 10.0,
};

/// Where the logo goes on the first page of a slip in `format` (mm from the page's top-left
/// corner); the same box on every page, copy and continuation. `None` for 套打.
pub fn logo_box(format: Format) -> Option<Area> {
    match format {
        Format::Overlay => None,
        Format::Thermal => Some(THERMAL_LOGO),
        _ => Some(sheet_logo_box(&Layout::of(format))),
    }
}

/// Right of the numbers block (52 mm × k wide from the left margin), at the top margin.
fn sheet_logo_box(l: &Layout) -> Area {
    let k = l.k();
    Area::new(l.left + 52.0 * k + 2.0, l.top, LOGO_W * k, LOGO_H * k)
}

const RULE: f32 = 0.25;
const LABEL_GREY: f32 = 0.92;

/// The warranty verdict as printed: the reason already names it (保内：…); a bare verdict
/// when there is no reason.
pub(crate) fn warranty_text(o: &crate::orders::Order) -> String {
    if !o.warranty_reason.is_empty() {
        return o.warranty_reason.clone();
    }
    match o.warranty.as_str() {
        "in" => "保内",
        "out" => "保外",
        _ => "待定",
    }
    .to_string()
}

/// `SlipData` drawn in `format`; returns the drawing (for the PDF, [`Drawing::to_pdf`], or
/// a printer), the page count and the codes of the characters no font has (drawn as boxed
/// codes).
pub fn render(
    d: &SlipData,
    format: Format,
    copies: Copies,
) -> Result<(Drawing, usize, Vec<String>)> {
    let labels: Vec<Option<&str>> = match copies {
        Copies::One => vec![None],
        Copies::Three => COPY_LABELS.iter().map(|l| Some(*l)).collect(),
    };
    // The document is dated when the slip was printed.
    let made = d.printed;
    let mut doc = Pdf::new(&format!("服务维修单 {}", d.number), made);
    // Added to the document once, drawn on every page by reference. A logo that no longer
    // decodes (the settings table edited by hand) is left out rather than the slip refused.
    let logo = match format {
        Format::Overlay => None,
        _ => d.settings.logo_bytes().and_then(|b| doc.add_image(&b)),
    };
    let logo = logo.as_ref();
    for label in labels {
        match format {
            Format::Thermal => {
                // Measured on a scratch page first: the receipt is as long as its content.
                let mut scratch = Pdf::new("", made);
                let h = thermal(&mut scratch, d, label, 2000.0, logo);
                thermal(&mut doc, d, label, h, logo);
            }
            Format::Overlay => super::template::overlay(&mut doc, &d.template, d),
            _ => sheet(&mut doc, d, &Layout::of(format), format, label, logo),
        }
    }
    let pages = doc.page_count();
    if d.preview {
        for page in 0..pages {
            doc.select_page(page);
            doc.watermark(PREVIEW_MARK, PREVIEW_GREY);
        }
    }
    let unprintable = pdf::codes(doc.unprintable());
    Ok((doc.into_drawing(), pages, unprintable))
}

/// What a preview carries across every page, and how light (0 black … 1 white): seen at
/// once, the slip still readable through it.
pub const PREVIEW_MARK: &str = "预览";
const PREVIEW_GREY: f32 = 0.82;

/// Which 客户意见 box is ticked: `satisfied`, `basically`, `unsatisfied`.
pub(crate) fn tick_of(opinion: &Option<Opinion>) -> Option<&'static str> {
    opinion.map(Opinion::as_str)
}

/// A template field's text (套打).
pub(crate) fn field_value(d: &SlipData, key: &str) -> String {
    let o = &d.order;
    let machine =
        |f: fn(&crate::orders::Machine) -> String| o.equipment.as_ref().map(f).unwrap_or_default();
    match key {
        "number" => d.number.clone(),
        "order_number" => o.number.clone(),
        "date" => d.printed_at.get(..10).unwrap_or_default().to_string(),
        "customer" => o.customer.name.clone(),
        "contact" => o.contact.clone(),
        "phone" => o.phone.clone(),
        "address" => o.address.clone(),
        "model" => machine(|m| m.model.clone()),
        "serial" => machine(|m| m.serial.clone()),
        "purchase_date" => d.purchase_date.clone().unwrap_or_default(),
        "warranty" => warranty_text(o),
        "fault" => o.fault.clone(),
        "diagnosis" => o.diagnosis.clone(),
        "work_done" => o.work_done.clone(),
        "parts" => o
            .parts
            .iter()
            .flatten()
            .map(|p| {
                format!(
                    "{} {} ×{} {}",
                    p.code,
                    p.name,
                    p.quantity,
                    money::yuan(p.charged_fen)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "fees" => o
            .fees
            .iter()
            .flatten()
            .map(|f| format!("{} {}", f.description, money::yuan(f.amount_fen)))
            .collect::<Vec<_>>()
            .join("；"),
        "total" => money::yuan(o.total_fen),
        "total_capitals" => money::capitals(o.total_fen),
        "engineer" => o
            .engineer
            .as_ref()
            .map(|e| e.name.clone())
            .unwrap_or_default(),
        "remarks" => d.order.opinion_remarks.clone(),
        _ => String::new(),
    }
}

/// The QR code's text: with the status page's address set (`public_url`, issue 20) the
/// order's page, `{public_url}/s/{code}`, which the customer opens on their phone; else
/// the slip and order numbers, so a scanner at the desk finds both (the numbers are
/// printed beside it either way).
pub(crate) fn qr_text(d: &SlipData) -> String {
    if let Some(url) = &d.order.status_url {
        return url.clone();
    }
    if d.number.is_empty() {
        // A preview before the first print: no slip number exists yet.
        return d.order.number.clone();
    }
    format!("{} {}", d.number, d.order.number)
}

/// The slip number, or on a preview before the first print what stands in its place.
pub(crate) fn number_or_pending(d: &SlipData) -> &str {
    if d.number.is_empty() {
        "打印时编号"
    } else {
        &d.number
    }
}

/// The slip number as the sheet's head shows it.
fn number_text(d: &SlipData) -> String {
    if d.number.is_empty() {
        format!("单号 {}", number_or_pending(d))
    } else {
        format!("单号 No. {}", d.number)
    }
}

/// Height of a continuation page's head (numbers, 续页, customer and machine), in units of
/// the paper's `k`; the parts table continues below it.
const CONTINUED_HEAD: f32 = 22.0;

/// The slip's head: company (and logo), title, numbers, QR, reprint mark, copy label.
/// Returns the y below it.
fn head(
    doc: &mut Pdf,
    d: &SlipData,
    l: &Layout,
    label: Option<&str>,
    continued: bool,
    logo: Option<&Image>,
) -> f32 {
    let k = l.k();
    let (x, y, w) = (l.left, l.top, l.width());
    let qr_side = if continued { 0.0 } else { 22.0 * k };
    if !continued {
        if let Some(code) = Qr::new(&qr_text(d)) {
            doc.qr(Area::new(x + w - qr_side, y, qr_side, qr_side), &code);
        }
    }
    let text_w = w - 2.0 * qr_side - 4.0;
    // Without a logo the name and title are centred between the QR's width each side; with
    // one they start after the logo's box, left-aligned, and end where they did.
    let (name_x, name_w, align) = match logo {
        None => (x + qr_side + 2.0, text_w, Align::Center),
        Some(image) => {
            let boxed = sheet_logo_box(l);
            doc.image(boxed, image, Align::Right);
            let name_x = boxed.right() + LOGO_GAP * k;
            (name_x, x + w - qr_side - 2.0 - name_x, Align::Left)
        }
    };
    doc.text_box(
        Area::new(name_x, y, name_w, 8.0 * k),
        TextBox::new(15.0 * k)
            .shrink_to(9.0)
            .max_lines(1)
            .align(align)
            .bold(),
        &d.settings.company_name,
    );
    let sub = if continued {
        "服务维修单（续页）"
    } else {
        "服务维修单"
    };
    doc.text_box(
        Area::new(name_x, y + 8.5 * k, name_w, 6.0 * k),
        TextBox::new(12.0 * k).max_lines(1).align(align).bold(),
        sub,
    );
    let small = 8.0 * k;
    let mut info = vec![
        number_text(d),
        format!("工单号 {}", d.order.number),
        if d.preview {
            format!("预览 {}", d.printed_at)
        } else {
            format!("打印 {}", d.printed_at)
        },
    ];
    if d.reprint > 0 {
        info.push(format!("补打（第{}次）", d.reprint));
    }
    doc.text_box(
        Area::new(x, y, qr_side.max(22.0 * k) + 30.0 * k, 22.0 * k),
        TextBox::new(small).shrink_to(6.0).max_lines(4),
        &info.join("\n"),
    );
    if let Some(label) = label {
        doc.text_box(
            Area::new(name_x, y + 15.0 * k, name_w, 5.0 * k),
            TextBox::new(10.0 * k).max_lines(1).align(align).bold(),
            &format!("【{label}】"),
        );
    }
    if d.reprint > 0 && !continued {
        doc.text_box(
            Area::new(x + w - qr_side - 24.0 * k, y + 15.0 * k, 22.0 * k, 6.0 * k),
            TextBox::new(11.0 * k)
                .max_lines(1)
                .align(Align::Right)
                .bold(),
            "补打",
        );
    }
    if continued {
        // Whose slip this page belongs to, should the pages come apart.
        let o = &d.order;
        let machine = o
            .equipment
            .as_ref()
            .map(|m| format!("　设备 {} {}", m.model, m.serial))
            .unwrap_or_default();
        doc.text_box(
            Area::new(x, y + 16.0 * k, w, 5.0 * k),
            TextBox::new(small).shrink_to(6.0).max_lines(1),
            &format!("客户 {}　电话 {}{machine}", o.customer.name, o.phone),
        );
        return y + CONTINUED_HEAD * k;
    }
    y + 24.0 * k
}

/// A ruled cell: a grey label box and its value, the value wrapped and shrunk to fit.
fn cell(doc: &mut Pdf, area: Area, label: &str, value: &str, size: f32, label_w: f32) {
    let (label_area, value_area) = (
        Area::new(area.x, area.y, label_w, area.h),
        Area::new(area.x + label_w, area.y, area.w - label_w, area.h),
    );
    doc.fill(label_area, LABEL_GREY);
    doc.rect(label_area, RULE);
    doc.rect(value_area, RULE);
    doc.text_box(
        label_area.inset(1.0, 0.5),
        TextBox::new(size)
            .shrink_to(6.0)
            .align(Align::Center)
            .valign(VAlign::Middle),
        label,
    );
    let lines = ((area.h - 1.0) / pdf::block_height(1, size).max(0.1))
        .floor()
        .max(1.0) as usize;
    doc.text_box(
        value_area.inset(1.2, 0.6),
        TextBox::new(size)
            .shrink_to((size * 0.6).max(5.0))
            .max_lines(lines.max(2))
            .valign(VAlign::Middle),
        value,
    );
}

fn date_only(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

/// One copy of the ruled sheet being drawn: the slip, its layout, the copy's label and the
/// logo, and the measures every band uses (the paper's scale `k`, the ruled area's left
/// `x` and width `w`, the body text `size`, the width of a cell's label); every step below
/// draws one band of it from `y` down and returns where it ended.
#[derive(Clone, Copy)]
struct Sheet<'a> {
    d: &'a SlipData,
    l: &'a Layout,
    format: Format,
    label: Option<&'a str>,
    logo: Option<&'a Image>,
    k: f32,
    x: f32,
    w: f32,
    size: f32,
    label_w: f32,
}

impl Sheet<'_> {
    /// The slip's head on the current page (`continued`: a page the parts ran onto).
    fn head(&self, doc: &mut Pdf, continued: bool) -> f32 {
        head(doc, self.d, self.l, self.label, continued, self.logo)
    }
}

/// The ruled sheet (A4, A5, continuous) for one copy: head, the order's details, the parts
/// over as many pages as they take, money and warranty, the customer's opinion and
/// signature, the terms, and page numbers when the copy has several pages.
fn sheet(
    doc: &mut Pdf,
    d: &SlipData,
    l: &Layout,
    format: Format,
    label: Option<&str>,
    logo: Option<&Image>,
) {
    let first_page = doc.page_count();
    doc.add_page(l.w, l.h);
    let s = Sheet {
        d,
        l,
        format,
        label,
        logo,
        k: l.k(),
        x: l.left,
        w: l.width(),
        size: l.size,
        label_w: 20.0 * l.k(),
    };
    let mut y = s.head(doc, false);
    y = details(doc, &s, y);
    y = parts_table(doc, &s, y);
    foot(doc, &s, y);
    page_numbers(doc, l, first_page);
}

/// Customer, machine, service and the fault, in labelled cells.
fn details(doc: &mut Pdf, s: &Sheet, mut y: f32) -> f32 {
    let Sheet {
        d,
        l,
        k,
        x,
        w,
        size,
        label_w,
        ..
    } = *s;
    let o = &d.order;
    let half = w / 2.0;
    let model = o
        .equipment
        .as_ref()
        .map(|m| m.model.clone())
        .unwrap_or_default();
    let serial = o
        .equipment
        .as_ref()
        .map(|m| m.serial.clone())
        .unwrap_or_default();
    let engineer = o
        .engineer
        .as_ref()
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let kind = format!("{} · {}", o.kind_label, o.mode.label());
    let reported = crate::platform::time::local_text(&o.created_at);
    // Two lines of body text, with a little air.
    let tall = pdf::block_height(2, size) + 2.0;
    // A long address gets two lines rather than a tiny one.
    let one_line =
        pdf::box_lines(&o.address, size, w - label_w - 2.4, true).is_some_and(|l| l.len() <= 1);
    let address_h = if one_line { l.row } else { tall };
    if s.format == Format::A5 {
        // A5 is wide and short: three cells a row, the warranty verdict (often a
        // sentence) across the sheet, the fault, its cause and the work done side by side.
        let third = w / 3.0;
        let rows = [
            [
                ("客户", o.customer.name.clone()),
                ("联系电话", o.phone.clone()),
                ("联系人", o.contact.clone()),
            ],
            [("型号", model), ("序列号", serial), ("工程师", engineer)],
            [
                ("购买日期", date_only(&d.purchase_date)),
                ("服务类型", kind),
                ("报修时间", reported),
            ],
        ];
        for row in &rows {
            for (i, (label, value)) in row.iter().enumerate() {
                let area = Area::new(x + third * i as f32, y, third, l.row);
                cell(doc, area, label, value, size, label_w);
            }
            y += l.row;
        }
        for (label, value, h) in [
            ("保修", warranty_text(o), l.row),
            ("服务地址", o.address.clone(), address_h),
        ] {
            cell(doc, Area::new(x, y, w, h), label, &value, size, label_w);
            y += h;
        }
        y = sanbao_row(doc, s, y);
        y = loaner_row(doc, s, y);
        for (i, (label, value)) in [
            ("故障现象", &o.fault),
            ("故障原因", &o.diagnosis),
            ("处理结果", &o.work_done),
        ]
        .into_iter()
        .enumerate()
        {
            let area = Area::new(x + third * i as f32, y, third, tall);
            cell(doc, area, label, value, size, label_w);
        }
        y += tall;
        return y + 1.5 * k;
    }
    let pairs = [
        ("客户", o.customer.name.clone(), "联系电话", o.phone.clone()),
        ("联系人", o.contact.clone(), "工程师", engineer),
        ("型号", model, "序列号", serial),
        (
            "购买日期",
            date_only(&d.purchase_date),
            "保修",
            warranty_text(o),
        ),
        ("服务类型", kind, "报修时间", reported),
    ];
    for (l1, v1, l2, v2) in &pairs {
        cell(doc, Area::new(x, y, half, l.row), l1, v1, size, label_w);
        cell(
            doc,
            Area::new(x + half, y, half, l.row),
            l2,
            v2,
            size,
            label_w,
        );
        y += l.row;
    }
    for (label, value, h) in [
        ("服务地址", o.address.as_str(), address_h),
        ("故障现象", o.fault.as_str(), tall),
        ("故障原因", o.diagnosis.as_str(), tall),
        ("处理结果", o.work_done.as_str(), tall),
    ] {
        cell(doc, Area::new(x, y, w, h), label, value, size, label_w);
        y += h;
    }
    y = sanbao_row(doc, s, y);
    y = loaner_row(doc, s, y);
    y += 2.0 * k;
    y
}

/// 备用机 (issue 21): the loaners the customer has out and the date each is due back,
/// across the sheet, when there are any.
fn loaner_row(doc: &mut Pdf, s: &Sheet, y: f32) -> f32 {
    if s.d.loaners.is_empty() {
        return y;
    }
    across(doc, s, y, "备用机", &s.d.loaners.join("；"))
}

/// 三包 (issue 21): the remedy the machine was entitled to at intake and the 三包 period,
/// both in the verdict's sentence, across the sheet; only for a model covered by 三包.
fn sanbao_row(doc: &mut Pdf, s: &Sheet, y: f32) -> f32 {
    match &s.d.order.sanbao {
        Some(sanbao) => across(doc, s, y, "三包", &sanbao.reason),
        None => y,
    }
}

/// A labelled cell across the sheet, on two lines when the text needs them.
fn across(doc: &mut Pdf, s: &Sheet, y: f32, label: &str, text: &str) -> f32 {
    let one_line =
        pdf::box_lines(text, s.size, s.w - s.label_w - 2.4, true).is_some_and(|l| l.len() <= 1);
    let h = if one_line {
        s.l.row
    } else {
        pdf::block_height(2, s.size) + 2.0
    };
    cell(
        doc,
        Area::new(s.x, y, s.w, h),
        label,
        text,
        s.size,
        s.label_w,
    );
    y + h
}

/// The parts used, in a ruled table over as many pages as it takes; the pages it runs
/// onto get the slip's head too.
fn parts_table(doc: &mut Pdf, s: &Sheet, mut y: f32) -> f32 {
    let Sheet {
        d,
        l,
        k,
        x,
        w,
        size,
        ..
    } = *s;
    let o = &d.order;
    let parts = o.parts.clone().unwrap_or_default();
    let col = |title, share: f32, align, one_line| Column {
        title,
        width: w * share,
        align,
        one_line,
    };
    let columns = [
        col("序号", 0.07, Align::Center, true),
        col("备件编码", 0.17, Align::Left, true),
        col("备件名称", 0.36, Align::Left, false),
        col("数量", 0.08, Align::Right, true),
        col("单价", 0.12, Align::Right, true),
        col("金额", 0.12, Align::Right, true),
        col("保内", 0.08, Align::Center, true),
    ];
    let rows: Vec<Vec<String>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.code.clone(),
                p.name.clone(),
                format!("{}{}", p.quantity, p.unit),
                money::yuan(p.unit_price_fen),
                money::yuan(p.charged_fen),
                if p.in_warranty {
                    "是".into()
                } else {
                    "".into()
                },
            ]
        })
        .collect();
    let continue_at = l.top + CONTINUED_HEAD * k;
    let table = Table {
        columns: &columns,
        size: size * 0.9,
        x,
        bottom: l.h - l.bottom,
        continue_at,
    };
    if !rows.is_empty() {
        let before = doc.page_count();
        y = doc.table(&table, y, &rows) + 2.0 * k;
        // Pages the table ran onto get the slip's header too (number, company, 续页).
        let after = doc.page_count();
        for page in before..after {
            doc.select_page(page);
            s.head(doc, true);
        }
        doc.select_page(after - 1);
    }
    y
}

/// The smallest the terms are ever set, points (issue 17: A5 printed them at 5.6 pt).
const TERMS_MIN: f32 = 7.0;

/// The terms as they print: the company's, hotline and address, and on one-pass
/// carbonless paper which part is which.
fn terms_text(s: &Sheet) -> String {
    let mut terms = s.d.settings.terms_line();
    if s.format == Format::Continuous && s.label.is_none() {
        terms.push_str(
            "\n第一联 存根（白）　第二联 财务联（红）　第三联 客户联（黄），第三联交客户保存",
        );
    }
    terms
}

/// The terms' size and height (mm) across the sheet: all of them, never cut.
fn terms_measure(s: &Sheet) -> (f32, f32) {
    let size = (s.size * 0.7).max(TERMS_MIN);
    let lines = pdf::box_lines(&terms_text(s), size, s.w, true).map_or(1, |l| l.len());
    (size, pdf::block_height(lines, size) + 0.5)
}

/// A5 sets the foot in two columns: the money on the left, opinion and signature on the
/// right.
fn two_column_foot(s: &Sheet) -> bool {
    s.format == Format::A5
}

/// Heights of the three money rows (fees, total, repair warranty), mm: on the half-width
/// A5 column the total and the warranty take two lines.
fn money_rows(s: &Sheet) -> [f32; 3] {
    let row = s.l.row;
    if two_column_foot(s) {
        let two = pdf::block_height(2, s.size * 0.9) + 1.2;
        [row, two.max(row), two.max(row)]
    } else {
        [row; 3]
    }
}

/// Height of the opinion and signature block, mm.
fn opinion_height(s: &Sheet) -> f32 {
    if two_column_foot(s) {
        money_rows(s).iter().sum()
    } else {
        s.l.row * 2.6
    }
}

/// Money and warranty, the customer's opinion and signature, and the terms, measured whole:
/// when they do not fit below `y`, they go to a new page with the slip's head (number,
/// customer, machine), so they never stand on a page that does not say whose they are.
fn foot(doc: &mut Pdf, s: &Sheet, mut y: f32) {
    let Sheet { l, k, x, w, .. } = *s;
    let (terms_size, terms_h) = terms_measure(s);
    let money_h: f32 = money_rows(s).iter().sum();
    let block_h = if two_column_foot(s) {
        money_h.max(opinion_height(s))
    } else {
        money_h + opinion_height(s)
    };
    let foot_h = block_h + 1.5 * k + terms_h;
    if y + foot_h > l.h - l.bottom {
        doc.add_page(l.w, l.h);
        y = s.head(doc, true);
    }
    if two_column_foot(s) {
        let half = w / 2.0;
        money(doc, s, x, y, half);
        opinion_and_signature(doc, s, Area::new(x + half, y, half, opinion_height(s)));
        y += block_h;
    } else {
        y = money(doc, s, x, y, w);
        y = opinion_and_signature(doc, s, Area::new(x, y, w, opinion_height(s)));
    }
    y += 1.5 * k;
    let area = Area::new(x, y, w, (l.h - l.bottom - y).max(terms_h));
    doc.text_box(
        area,
        TextBox::new(terms_size).shrink_to(TERMS_MIN),
        &terms_text(s),
    );
}

/// Fees, total (with the amount in capitals), and this repair's own warranty, in a column
/// `w` wide at `x`; returns the y below them.
fn money(doc: &mut Pdf, s: &Sheet, x: f32, mut y: f32, w: f32) -> f32 {
    let Sheet {
        d, size, label_w, ..
    } = *s;
    let o = &d.order;
    let [fees_h, total_h, warranty_h] = money_rows(s);
    let fees = o.fees.clone().unwrap_or_default();
    let fee_text: Vec<String> = fees
        .iter()
        .map(|f| format!("{} {}", f.description, money::yuan(f.amount_fen)))
        .collect();
    cell(
        doc,
        Area::new(x, y, w, fees_h),
        "费用明细",
        &if fee_text.is_empty() {
            "无".to_string()
        } else {
            fee_text.join("；")
        },
        size,
        label_w,
    );
    y += fees_h;
    cell(
        doc,
        Area::new(x, y, w, total_h),
        "合计",
        &format!(
            "{}　大写：{}　已收 {}　未收 {}",
            money::yuan(o.total_fen),
            money::capitals(o.total_fen),
            money::yuan(o.paid_fen),
            money::yuan(o.outstanding_fen)
        ),
        size,
        label_w,
    );
    y += total_h;
    let days = d.settings.repair_warranty_days;
    let scope = if days == 0 {
        "本次维修不另行保修".to_string()
    } else {
        format!("本次维修更换的部件及维修工作保修 {days} 天（自完工之日起），同一故障免费返修")
    };
    cell(
        doc,
        Area::new(x, y, w, warranty_h),
        "维修保修",
        &scope,
        size,
        label_w,
    );
    y + warranty_h
}

/// 客户意见 ticks and remarks on the left of `area`, the signature on the right (on A5's
/// narrower column the ticks run across the top, remarks and signature below). Returns
/// the y below the block.
fn opinion_and_signature(doc: &mut Pdf, s: &Sheet, area: Area) -> f32 {
    let Sheet { d, k, size, .. } = *s;
    let o = &d.order;
    let Area { x, y, w, h } = area;
    let half = w / 2.0;
    let compact = two_column_foot(s);
    let tick = 3.2 * k;
    let ty = y + 2.0 * k;
    let (remark_area, sign_top) = if compact {
        doc.rect(area, RULE);
        doc.line((x + half, ty + tick + 1.0 * k), (x + half, y + h), RULE);
        doc.line((x, ty + tick + 1.0 * k), (x + w, ty + tick + 1.0 * k), RULE);
        let below = ty + tick + 1.0 * k;
        (
            Area::new(
                x + 2.0,
                below + 1.0 * k,
                half - 4.0,
                y + h - below - 2.0 * k,
            ),
            below,
        )
    } else {
        doc.rect(Area::new(x, y, half, h), RULE);
        doc.rect(Area::new(x + half, y, half, h), RULE);
        (
            Area::new(x + 2.0, ty + tick + 1.5 * k, half - 4.0, h - tick - 4.0 * k),
            y,
        )
    };
    let mut tx = x + 2.0;
    doc.text(tx, ty + tick * 0.85, Style::new(size).bold(), "客户意见：");
    tx += pdf::text_width("客户意见：", size) + 1.0;
    for &key in Opinion::ALL {
        let text = key.label();
        let boxed = Area::new(tx, ty, tick, tick);
        doc.rect(boxed, 0.25);
        if d.order.opinion == Some(key) {
            doc.line(
                (tx + tick * 0.15, ty + tick * 0.5),
                (tx + tick * 0.4, ty + tick * 0.85),
                0.45,
            );
            doc.line(
                (tx + tick * 0.4, ty + tick * 0.85),
                (tx + tick * 0.9, ty + tick * 0.1),
                0.45,
            );
        }
        tx += tick + 1.0;
        tx += doc.text(tx, ty + tick * 0.85, Style::new(size), text) + 3.0;
    }
    let remark = if d.order.opinion_remarks.is_empty() {
        format!("意见：{}", d.order.opinion.map_or("", Opinion::label))
    } else {
        format!("意见：{}", d.order.opinion_remarks)
    };
    doc.text_box(
        remark_area,
        TextBox::new(size * 0.9).shrink_to(6.0).max_lines(3),
        &remark,
    );
    doc.text(
        x + half + 2.0,
        sign_top + 4.0 * k,
        Style::new(size).bold(),
        "客户签名：",
    );
    let sign_area = Area::new(
        x + half + 2.0,
        sign_top + 5.0 * k,
        half - 4.0,
        (y + h - sign_top - 10.0 * k).max(2.0),
    );
    if d.order.signature.is_empty() {
        let base = sign_area.bottom();
        doc.line(
            (sign_area.x + 16.0 * k, base),
            (sign_area.right() - 2.0, base),
            0.2,
        );
    } else {
        signature(doc, sign_area, &d.order.signature);
    }
    let date_line = format!(
        "工程师：{}　　完工：{}",
        o.engineer
            .as_ref()
            .map(|e| e.name.as_str())
            .unwrap_or("________"),
        o.completed_at
            .as_deref()
            .map(super::local_text)
            .unwrap_or_else(|| "____年__月__日".into())
    );
    doc.text_box(
        Area::new(x + half + 2.0, y + h - 4.5 * k, half - 4.0, 4.0 * k),
        TextBox::new(size * 0.8)
            .shrink_to(5.5)
            .max_lines(1)
            .align(Align::Right),
        &date_line,
    );
    y + h
}

/// Page numbers of this copy, when it has more than one page.
fn page_numbers(doc: &mut Pdf, l: &Layout, first_page: usize) {
    let count = doc.page_count() - first_page;
    if count > 1 {
        for i in 0..count {
            doc.select_page(first_page + i);
            doc.text(
                l.w - l.right,
                l.h - l.bottom / 2.0,
                Style::new(7.0).align(Align::Right),
                &format!("第 {} / {} 页", i + 1, count),
            );
        }
        doc.select_page(first_page + count - 1);
    }
}

/// The customer's pen strokes, scaled into `area` keeping their proportions (the capture
/// box is 4:1).
fn signature(doc: &mut Pdf, area: Area, strokes: &[super::Stroke]) {
    let (w, h) = if area.w / area.h > 4.0 {
        (area.h * 4.0, area.h)
    } else {
        (area.w, area.w / 4.0)
    };
    let left = area.x + (area.w - w) / 2.0;
    let top = area.y + (area.h - h) / 2.0;
    for stroke in strokes {
        for pair in stroke.windows(2) {
            let [a, b] = [pair[0], pair[1]];
            doc.line(
                (left + a[0] * w, top + a[1] * h),
                (left + b[0] * w, top + b[1] * h),
                0.35,
            );
        }
    }
}

/// The 80 mm receipt: what the walk-in customer takes home. Returns its length, mm.
fn thermal(
    doc: &mut Pdf,
    d: &SlipData,
    label: Option<&str>,
    length: f32,
    logo: Option<&Image>,
) -> f32 {
    const W: f32 = 80.0;
    const M: f32 = 4.0;
    doc.add_page(W, length);
    let o = &d.order;
    let w = W - 2.0 * M;
    let mut y = 3.0;
    let put = |doc: &mut Pdf, y: &mut f32, text: &str, how: TextBox| {
        let lines = pdf::box_lines(text, how.size, w, true)
            .map_or(1, |l| l.len())
            .clamp(1, 6);
        let h = pdf::block_height(lines, how.size) + 0.5;
        let fit = doc.text_box(Area::new(M, *y, w, h), how.max_lines(6), text);
        *y += pdf::block_height(fit.lines.max(1), fit.size) + 1.2;
    };
    match logo {
        None => put(
            doc,
            &mut y,
            &d.settings.company_name,
            TextBox::new(11.0)
                .shrink_to(8.0)
                .align(Align::Center)
                .bold(),
        ),
        // The logo fits the receipt: 16 × 10 mm at the left leaves the name 52 mm (13
        // characters at 11 pt, more as it shrinks to 8 pt, then up to three lines), and a
        // thermal head prints a small picture well enough (dithered).
        Some(image) => {
            doc.image(THERMAL_LOGO, image, Align::Right);
            let name_x = THERMAL_LOGO.right() + 2.0;
            let name_w = W - M - name_x;
            let lines = pdf::box_lines(&d.settings.company_name, 8.0, name_w, true)
                .map_or(1, |l| l.len())
                .clamp(1, 3);
            let h = pdf::block_height(lines, 11.0).max(THERMAL_LOGO.h);
            doc.text_box(
                Area::new(name_x, y, name_w, h),
                TextBox::new(11.0)
                    .shrink_to(8.0)
                    .max_lines(3)
                    .valign(VAlign::Middle)
                    .bold(),
                &d.settings.company_name,
            );
            y += h + 1.2;
        }
    }
    put(
        doc,
        &mut y,
        "服务交接单",
        TextBox::new(10.0).align(Align::Center).bold(),
    );
    if let Some(label) = label {
        put(
            doc,
            &mut y,
            &format!("【{label}】"),
            TextBox::new(8.0).align(Align::Center),
        );
    }
    if d.reprint > 0 {
        put(
            doc,
            &mut y,
            &format!("补打（第{}次）", d.reprint),
            TextBox::new(8.0).align(Align::Center).bold(),
        );
    }
    if let Some(code) = Qr::new(&qr_text(d)) {
        let side = 26.0;
        doc.qr(Area::new((W - side) / 2.0, y, side, side), &code);
        y += side + 1.0;
    }
    let body = TextBox::new(8.0).shrink_to(6.5);
    for line in roll_lines(d) {
        put(doc, &mut y, &line, body);
    }
    if o.total_fen > 0 {
        put(
            doc,
            &mut y,
            &format!(
                "费用：{}（{}）",
                money::yuan(o.total_fen),
                money::capitals(o.total_fen)
            ),
            body,
        );
    }
    y += 1.0;
    doc.line((M, y), (W - M, y), 0.2);
    y += 2.0;
    put(
        doc,
        &mut y,
        "凭此单取机，请妥善保管。",
        TextBox::new(8.0).align(Align::Center),
    );
    if !d.settings.company_hotline.is_empty() {
        put(
            doc,
            &mut y,
            &format!("服务热线 {}", d.settings.company_hotline),
            TextBox::new(9.0).align(Align::Center).bold(),
        );
    }
    y + 4.0
}

impl crate::people::settings::Settings {
    /// The foot of a slip: the terms, then hotline and address.
    pub(crate) fn terms_line(&self) -> String {
        let mut out = self.slip_terms.clone();
        let mut contact = Vec::new();
        if !self.company_hotline.is_empty() {
            contact.push(format!("服务热线：{}", self.company_hotline));
        }
        if !self.company_address.is_empty() {
            contact.push(format!("地址：{}", self.company_address));
        }
        if !contact.is_empty() {
            out.push('\n');
            out.push_str(&contact.join("　"));
        }
        out
    }
}

/// The body lines of the 80 mm roll slip, the same on the PDF and on the ESC/POS receipt:
/// numbers, customer, machine, warranty, fault, when registered and when printed.
pub(crate) fn roll_lines(d: &SlipData) -> [String; 8] {
    let o = &d.order;
    let machine = o
        .equipment
        .as_ref()
        .map(|m| format!("{} 序列号 {}", m.model, m.serial))
        .unwrap_or_else(|| "—".into());
    [
        format!("单号：{}", number_or_pending(d)),
        format!("工单号：{}", o.number),
        format!("客户：{}　{}", o.customer.name, o.phone),
        format!("设备：{machine}"),
        format!("保修：{}", warranty_text(o)),
        format!("故障：{}", o.fault),
        format!("登记：{}", crate::platform::time::local_text(&o.created_at)),
        if d.preview {
            format!("预览：{}", d.printed_at)
        } else {
            format!("打印：{}", d.printed_at)
        },
    ]
}
