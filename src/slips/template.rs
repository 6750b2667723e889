//! 套打: printing only the data onto the company's own pre-printed slip forms.
//!
//! A template keeps the form's paper size and where each field's box is (mm from the
//! form's top-left corner), plus an x/y offset in 0.5 mm steps that moves everything at
//! once to make up for where the printer actually puts it. The calibration page draws
//! each box outlined with its name, and a ruler, at the offset: print it on a blank form,
//! hold it to the light, adjust the offset, print again.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::render::{field_value, tick_of};
use super::SlipData;
use crate::platform::error::{Error, Result};
use crate::platform::pdf::{self, Align, Area, Pdf, Style, TextBox, VAlign};
use crate::Desk;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Box {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Font size, points.
    #[serde(default = "default_size")]
    pub size: f32,
}

fn default_size() -> f32 {
    10.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Paper width and height, mm.
    pub paper_w: f32,
    pub paper_h: f32,
    /// Shift of everything printed, mm (0.5 mm steps; right and down are positive).
    pub offset_x: f32,
    pub offset_y: f32,
    pub fields: BTreeMap<String, Box>,
}

/// Every field a template may place, with its Chinese name (the calibration page and the
/// settings screen show it). `parts` is the parts table area (one line per part);
/// `tick_*` are the boxes of 客户意见.
pub const FIELDS: &[(&str, &str)] = &[
    ("number", "服务单号"),
    ("order_number", "工单号"),
    ("date", "日期"),
    ("customer", "客户"),
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("address", "服务地址"),
    ("model", "型号"),
    ("serial", "序列号"),
    ("purchase_date", "购买日期"),
    ("warranty", "保修"),
    ("fault", "故障现象"),
    ("diagnosis", "故障原因"),
    ("work_done", "处理结果"),
    ("parts", "备件明细"),
    ("fees", "费用明细"),
    ("total", "合计（小写）"),
    ("total_capitals", "合计（大写）"),
    ("engineer", "工程师"),
    ("tick_satisfied", "满意（勾）"),
    ("tick_basically", "基本满意（勾）"),
    ("tick_unsatisfied", "不满意（勾）"),
    ("remarks", "客户意见"),
];

fn b(x: f32, y: f32, w: f32, h: f32) -> Box {
    Box {
        x,
        y,
        w,
        h,
        size: 10.0,
    }
}

impl Default for Template {
    /// A common pre-printed form: 241 × 140 mm (9½ × 5½ in continuous, three-part).
    fn default() -> Template {
        let fields = [
            ("number", b(190.0, 14.0, 40.0, 6.0)),
            ("order_number", b(190.0, 21.0, 40.0, 6.0)),
            ("date", b(150.0, 21.0, 36.0, 6.0)),
            ("customer", b(35.0, 30.0, 70.0, 7.0)),
            ("contact", b(130.0, 30.0, 40.0, 7.0)),
            ("phone", b(190.0, 30.0, 40.0, 7.0)),
            ("address", b(35.0, 38.0, 195.0, 7.0)),
            ("model", b(35.0, 46.0, 55.0, 7.0)),
            ("serial", b(110.0, 46.0, 50.0, 7.0)),
            ("purchase_date", b(190.0, 46.0, 40.0, 7.0)),
            ("warranty", b(35.0, 54.0, 195.0, 7.0)),
            ("fault", b(35.0, 62.0, 195.0, 10.0)),
            ("diagnosis", b(35.0, 73.0, 195.0, 10.0)),
            ("work_done", b(35.0, 84.0, 195.0, 10.0)),
            ("parts", b(35.0, 95.0, 195.0, 16.0)),
            ("fees", b(35.0, 112.0, 95.0, 7.0)),
            ("total", b(150.0, 112.0, 30.0, 7.0)),
            ("total_capitals", b(35.0, 120.0, 120.0, 7.0)),
            ("engineer", b(190.0, 120.0, 40.0, 7.0)),
            ("tick_satisfied", b(35.0, 129.0, 4.0, 4.0)),
            ("tick_basically", b(60.0, 129.0, 4.0, 4.0)),
            ("tick_unsatisfied", b(90.0, 129.0, 4.0, 4.0)),
            ("remarks", b(110.0, 128.0, 120.0, 6.0)),
        ];
        Template {
            paper_w: 241.3,
            paper_h: 139.7,
            offset_x: 0.0,
            offset_y: 0.0,
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// The saved template, or the default.
pub fn load(conn: &crate::platform::db::Db) -> Result<Template> {
    let text: Option<String> = crate::platform::db::Optional::optional(conn.query_row(
        "SELECT value FROM setting WHERE key = 'slip_template'",
        [],
        |r| r.get(0),
    ))?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

#[derive(Debug, Serialize)]
pub struct TemplateView {
    pub template: Template,
    /// Field key and Chinese name, in form order.
    pub fields: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// 套打模板.
pub fn get(desk: &mut Desk, _: NoArgs) -> Result<TemplateView> {
    Ok(TemplateView {
        template: load(desk.conn())?,
        fields: FIELDS.to_vec(),
    })
}

fn half_mm(field: &'static str, label: &str, v: f32) -> Result<f32> {
    if !(-20.0..=20.0).contains(&v) || (v * 2.0).fract() != 0.0 {
        return Err(Error::invalid(
            field,
            format!("{label}应在 -20 到 20 毫米之间，按 0.5 毫米调整"),
        ));
    }
    Ok(v)
}

/// Saves the template after checking every box lies on the paper.
pub fn save(desk: &mut Desk, t: Template) -> Result<TemplateView> {
    if !(50.0..=450.0).contains(&t.paper_w) || !(50.0..=450.0).contains(&t.paper_h) {
        return Err(Error::invalid(
            "paper_w",
            "纸张宽和高应在 50 到 450 毫米之间",
        ));
    }
    half_mm("offset_x", "左右偏移", t.offset_x)?;
    half_mm("offset_y", "上下偏移", t.offset_y)?;
    for (key, f) in &t.fields {
        let Some((_, name)) = FIELDS.iter().find(|(k, _)| k == key) else {
            return Err(Error::invalid(
                "fields",
                format!("套打模板没有“{key}”这个栏目"),
            ));
        };
        let inside = f.x >= 0.0
            && f.y >= 0.0
            && f.w > 0.0
            && f.h > 0.0
            && f.x + f.w <= t.paper_w
            && f.y + f.h <= t.paper_h;
        if !inside {
            return Err(Error::invalid(
                "fields",
                format!("“{name}”的位置超出了纸张"),
            ));
        }
        if !(5.0..=24.0).contains(&f.size) {
            return Err(Error::invalid(
                "fields",
                format!("“{name}”的字号应在 5 到 24 之间"),
            ));
        }
    }
    let text = serde_json::to_string(&t).map_err(|e| Error::BadRequest(e.to_string()))?;
    let at = desk.stamp();
    let tx = desk.write()?;
    tx.execute(
        "INSERT INTO setting (key, value) VALUES ('slip_template', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![text],
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "slip_template",
        "setting",
        0,
        &format!("套打模板：偏移 x {} mm，y {} mm", t.offset_x, t.offset_y),
    )?;
    tx.commit()?;
    get(desk, NoArgs {})
}

fn shifted(t: &Template, f: &Box) -> Area {
    Area::new(f.x + t.offset_x, f.y + t.offset_y, f.w, f.h)
}

/// The data only, at the template's places: for the pre-printed form.
pub(crate) fn overlay(doc: &mut Pdf, t: &Template, d: &SlipData) {
    doc.add_page(t.paper_w, t.paper_h);
    for (key, f) in &t.fields {
        let area = shifted(t, f);
        if let Some(which) = key.strip_prefix("tick_") {
            if tick_of(&d.order.opinion) == Some(which) {
                let (x, y, s) = (area.x, area.y, area.w.min(area.h));
                doc.line(
                    (x + s * 0.15, y + s * 0.5),
                    (x + s * 0.4, y + s * 0.85),
                    0.45,
                );
                doc.line(
                    (x + s * 0.4, y + s * 0.85),
                    (x + s * 0.9, y + s * 0.1),
                    0.45,
                );
            }
            continue;
        }
        let value = field_value(d, key);
        let lines = (area.h / pdf::block_height(1, f.size)).floor().max(1.0) as usize;
        doc.text_box(
            area,
            TextBox::new(f.size)
                .shrink_to((f.size * 0.6).max(5.0))
                .max_lines(lines.max(1))
                .valign(VAlign::Middle),
            &value,
        );
    }
}

#[derive(Debug, Serialize)]
pub struct Calibration {
    pub file_name: String,
    pub content_base64: String,
}

/// 校准页: every box outlined with its name at the offset, and a millimetre ruler along
/// the top and left edges (not shifted), to lay over a blank form.
pub fn calibration(desk: &mut Desk, _: NoArgs) -> Result<Calibration> {
    use base64::Engine as _;
    let t = load(desk.conn())?;
    let mut doc = Pdf::new("套打校准页", desk.now());
    doc.add_page(t.paper_w, t.paper_h);
    // Rulers: a tick every mm, longer every 5, numbered every 10.
    let mut x = 0.0;
    while x <= t.paper_w {
        let long = (x as i32) % 10 == 0;
        let tick = if long {
            4.0
        } else if (x as i32) % 5 == 0 {
            2.5
        } else {
            1.2
        };
        doc.line((x, 0.0), (x, tick), 0.1);
        if long && x > 0.0 && x + 4.0 < t.paper_w {
            doc.text(
                x,
                7.0,
                Style::new(5.0).align(Align::Center),
                &format!("{}", x as i32),
            );
        }
        x += 1.0;
    }
    let mut y = 0.0;
    while y <= t.paper_h {
        let long = (y as i32) % 10 == 0;
        let tick = if long {
            4.0
        } else if (y as i32) % 5 == 0 {
            2.5
        } else {
            1.2
        };
        doc.line((0.0, y), (tick, y), 0.1);
        if long && y > 0.0 && y + 2.0 < t.paper_h {
            doc.text(5.0, y + 1.5, Style::new(5.0), &format!("{}", y as i32));
        }
        y += 1.0;
    }
    for (key, f) in &t.fields {
        let area = shifted(&t, f);
        doc.rect(area, 0.2);
        let name = FIELDS
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, n)| *n)
            .unwrap_or("");
        if !key.starts_with("tick_") {
            doc.text_box(
                area.inset(0.5, 0.3),
                TextBox::new(7.0)
                    .shrink_to(4.0)
                    .max_lines(1)
                    .valign(VAlign::Middle),
                name,
            );
        }
    }
    doc.text_box(
        Area::new(20.0, t.paper_h - 4.0, t.paper_w - 40.0, 3.5),
        TextBox::new(6.5).shrink_to(4.5).max_lines(1).align(Align::Center),
        &format!(
            "套打校准页　偏移：左右 {:+.1} mm，上下 {:+.1} mm　将本页叠在空白单据上对光检查，方框应落在各栏目内",
            t.offset_x, t.offset_y
        ),
    );
    let bytes = doc.finish()?;
    Ok(Calibration {
        file_name: "套打校准页.pdf".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}
