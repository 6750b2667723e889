//! The 80 mm service slip as ESC/POS (issue 18), for a thermal printer set as an ESC/POS
//! printer in 设置: the same content as the 80 mm PDF roll ([`super::render`]'s
//! `thermal`), in the printer's own font, with its own QR code and cut.
//!
//! Company (bold), 服务交接单, the copy's label and the reprint mark, the slip number in
//! double width and height, bold, then the QR code of the slip and order numbers, the
//! lines of the hand-over (order, customer, machine, warranty, fault, dates, money), a
//! rule, the note and the hotline; then the cut. Three copies are three receipts, each cut.

use super::render::{number_or_pending, qr_text, Copies, COPY_LABELS};
use super::SlipData;
use crate::platform::error::Result;
use crate::platform::escpos::{Align, Correction, Receipt};
use crate::platform::money;

/// Dots per QR module: 6 dots (0.75 mm) keeps a version 3 symbol about 22 mm wide on an
/// 80 mm receipt, readable by any phone or desk scanner.
pub const QR_MODULE: u8 = 6;

/// The slip as one ESC/POS job; returns its bytes and the codes of the characters GBK
/// lacks (printed as □).
pub fn encode(d: &SlipData, copies: Copies) -> Result<(Vec<u8>, Vec<String>)> {
    let labels: Vec<Option<&str>> = match copies {
        Copies::One => vec![None],
        Copies::Three => COPY_LABELS.iter().map(|l| Some(*l)).collect(),
    };
    let mut r = Receipt::new();
    for label in labels {
        receipt(&mut r, d, label)?;
    }
    Ok(r.finish())
}

fn receipt(r: &mut Receipt, d: &SlipData, label: Option<&str>) -> Result<()> {
    let o = &d.order;
    r.align(Align::Center).bold(true);
    r.text(&d.settings.company_name);
    r.text("服务交接单");
    r.bold(false);
    if let Some(label) = label {
        r.text(&format!("【{label}】"));
    }
    if d.reprint > 0 {
        r.bold(true)
            .text(&format!("补打（第{}次）", d.reprint))
            .bold(false);
    }
    r.feed(1);
    // The number the customer reads out on the phone: big.
    r.bold(true).size(2, 2).text(number_or_pending(d));
    r.size(1, 1).bold(false).feed(1);
    r.qr(&qr_text(d), QR_MODULE, Correction::M)?;
    r.feed(1).align(Align::Left);
    for line in super::render::roll_lines(d) {
        r.text(&line);
    }
    if o.total_fen > 0 {
        r.text(&format!(
            "费用：{}（{}）",
            money::yuan(o.total_fen),
            money::capitals(o.total_fen)
        ));
    }
    r.rule();
    r.align(Align::Center).text("凭此单取机，请妥善保管。");
    if !d.settings.company_hotline.is_empty() {
        r.bold(true)
            .text(&format!("服务热线 {}", d.settings.company_hotline))
            .bold(false);
    }
    r.align(Align::Left).cut();
    Ok(())
}
