//! The quote as paper (维修报价单, issue 21): A4, A5 or an 80 mm roll, for the counter's
//! printer or to send the customer as a PDF. One layout, scaled to the paper: the order and
//! the machine, the lines, the total in figures and in capitals (大写, as every amount the
//! desk prints), how long it is valid, the rules the customer agrees to (work beyond it is
//! quoted again; a refusal costs the diagnostic fee), the answer when there is one, and a
//! line for the customer's signature. Reading a quote writes nothing.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::quotes::Quote;
use super::words::FeeKind;
use super::{Order, OrderId};
use crate::platform::error::{Error, Result};
use crate::platform::money::{capitals, yuan};
use crate::platform::pdf::{self, Align, Area, Column, Pdf, Table, TextBox};
use crate::Desk;

/// The paper of a quote.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Paper {
    A4,
    A5,
    Roll,
}

impl Paper {
    fn parse(word: &str) -> Result<Paper> {
        match word.trim() {
            "" | "a4" => Ok(Paper::A4),
            "a5" => Ok(Paper::A5),
            "thermal" => Ok(Paper::Roll),
            _ => Err(Error::invalid(
                "format",
                "报价单纸张只能是 A4、A5 或 80mm 热敏纸",
            )),
        }
    }

    /// Width, height, margin (mm) and the body's size (points).
    fn measures(self, lines: usize) -> (f32, f32, f32, f32) {
        match self {
            Paper::A4 => (210.0, 297.0, 15.0, 10.5),
            Paper::A5 => (148.0, 210.0, 10.0, 9.0),
            // A roll is as long as its text: 110 mm of head and foot, 9 mm a line.
            Paper::Roll => (80.0, 120.0 + 9.0 * lines as f32, 4.0, 8.0),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrintArgs {
    pub order_id: OrderId,
    /// Which quote (1, 2, …); None: the latest.
    pub seq: Option<i64>,
    /// `a4` (default), `a5`, `thermal` (80 mm).
    pub format: String,
}

#[derive(Debug, Serialize)]
pub struct Printed {
    pub file_name: String,
    pub content_base64: String,
    /// Codes (`U+2A6D7`) of the characters no font has, printed as the code in a box.
    pub unprintable: Vec<String>,
}

/// 报价单: the order's quote as a PDF.
pub fn print(desk: &mut Desk, a: PrintArgs) -> Result<Printed> {
    let paper = Paper::parse(&a.format)?;
    let now = desk.now();
    let order = super::load(desk.conn(), desk.actor(), a.order_id, now)?;
    let quotes = order.quotes.clone().unwrap_or_default();
    let quote = match a.seq {
        Some(seq) => quotes.iter().find(|q| q.seq == seq),
        None => quotes.last(),
    }
    .ok_or_else(|| Error::invalid("seq", format!("工单 {} 没有这次报价", order.number)))?;
    let settings = crate::people::settings::load(desk.conn())?;
    let (bytes, unprintable) = render(&order, quote, &settings, paper, now)?;
    Ok(Printed {
        file_name: format!("报价单-{}-{}.pdf", order.number, quote.seq),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        unprintable,
    })
}

/// What the customer agrees to, in one paragraph.
fn terms(q: &Quote, diagnostic_fee_fen: i64) -> String {
    let mut t = format!(
        "本报价有效期至 {}。维修中如需超出本报价的项目或金额，须另行报价并经客户同意后方可进行。",
        q.valid_until
    );
    if diagnostic_fee_fen > 0 {
        t.push_str(&format!(
            "客户不同意本报价的，收取检测费 {}（{}），机器按原状交还。",
            yuan(diagnostic_fee_fen),
            capitals(diagnostic_fee_fen)
        ));
    } else {
        t.push_str("客户不同意本报价的，机器按原状交还，不收取检测费。");
    }
    t
}

/// The answer as the paper states it.
fn answer(q: &Quote) -> String {
    match (&q.decision, &q.how, &q.decided_at) {
        (Some(d), Some(how), Some(at)) => format!(
            "{}：{} {}，{}",
            d.label(),
            q.answered_by,
            how.label(),
            crate::platform::time::local_text(at)
        ),
        (Some(d), _, _) => d.label().to_string(),
        _ => "待客户确认".into(),
    }
}

fn render(
    o: &Order,
    q: &Quote,
    s: &crate::people::settings::Settings,
    paper: Paper,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, Vec<String>)> {
    let (pw, ph, m, size) = paper.measures(q.lines.len());
    let w = pw - 2.0 * m;
    let mut doc = Pdf::new(&format!("维修报价单 {} 第{}次", o.number, q.seq), at);
    doc.add_page(pw, ph);
    let line_h = size * 0.55;
    let mut y = m;
    doc.text_box(
        Area::new(m, y, w, size * 0.7),
        TextBox::new(size + 1.5)
            .align(Align::Center)
            .bold()
            .max_lines(1)
            .shrink_to(7.0),
        &s.company_name,
    );
    y += size * 0.75;
    doc.text_box(
        Area::new(m, y, w, size * 0.8),
        TextBox::new(size + 4.0)
            .align(Align::Center)
            .bold()
            .max_lines(1)
            .shrink_to(8.0),
        "维修报价单",
    );
    y += size * 0.95;
    let machine = o
        .equipment
        .as_ref()
        .map(|e| format!("{} {}", e.model, e.serial))
        .unwrap_or_else(|| "—".into());
    let head = [
        format!("工单号：{}　第{}次报价", o.number, q.seq),
        format!(
            "报价日期：{}　有效期至：{}",
            crate::platform::time::local_text(&q.created_at)
                .get(..10)
                .unwrap_or_default(),
            q.valid_until
        ),
        format!("客户：{}　电话：{}", o.customer.name, o.phone),
        format!("机器：{machine}　保修：{}", o.warranty.label()),
        format!("故障现象：{}", o.fault),
    ];
    for text in &head {
        let fit = doc.text_box(
            Area::new(m, y, w, line_h * 3.0),
            TextBox::new(size).max_lines(3).shrink_to(6.5),
            text,
        );
        y += line_h * fit.lines as f32 + 1.0;
    }
    y += 1.5;
    let (no_w, kind_w, amount_w) = match paper {
        Paper::Roll => (6.0, 0.0, 22.0),
        Paper::A5 => (10.0, 18.0, 28.0),
        Paper::A4 => (12.0, 22.0, 36.0),
    };
    let mut columns = vec![Column {
        // The roll's narrow column takes no two-character title.
        title: if paper == Paper::Roll { "#" } else { "序号" },
        width: no_w,
        align: Align::Center,
        one_line: true,
    }];
    if kind_w > 0.0 {
        columns.push(Column {
            title: "类型",
            width: kind_w,
            align: Align::Left,
            one_line: true,
        });
    }
    columns.push(Column {
        title: "项目",
        width: w - no_w - kind_w - amount_w,
        align: Align::Left,
        one_line: false,
    });
    columns.push(Column {
        title: "金额",
        width: amount_w,
        align: Align::Right,
        one_line: true,
    });
    let rows: Vec<Vec<String>> = q
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![(i + 1).to_string()];
            if kind_w > 0.0 {
                row.push(FeeKind::from_word(&l.kind).map_or("", |k| k.label()).into());
            }
            row.push(l.description.clone());
            row.push(yuan(l.amount_fen));
            row
        })
        .collect();
    let table = Table {
        columns: &columns,
        size: size - 0.5,
        x: m,
        bottom: ph - m,
        continue_at: m,
    };
    y = doc.table(&table, y, &rows) + 2.0;
    let blocks = [
        (
            format!(
                "合计：{}　大写：{}",
                yuan(q.total_fen),
                capitals(q.total_fen)
            ),
            true,
        ),
        (
            if q.note.is_empty() {
                String::new()
            } else {
                format!("说明：{}", q.note)
            },
            false,
        ),
        (terms(q, s.diagnostic_fee_fen), false),
        (format!("客户意见：{}", answer(q)), false),
        (
            "客户签字：________________　日期：____________".into(),
            false,
        ),
        (
            if s.company_hotline.is_empty() {
                String::new()
            } else {
                format!("服务电话：{}", s.company_hotline)
            },
            false,
        ),
    ];
    for (text, bold) in blocks {
        if text.is_empty() {
            continue;
        }
        let mut how = TextBox::new(size).max_lines(6).shrink_to(6.5);
        if bold {
            how = how.bold();
        }
        let fit = doc.text_box(Area::new(m, y, w, line_h * 6.0), how, &text);
        y += line_h * fit.lines as f32 + 2.0;
    }
    let unprintable = pdf::codes(doc.unprintable());
    Ok((doc.finish()?, unprintable))
}
