//! A brand's monthly claim workbook (.xlsx): one row per claim of the batch that has been
//! submitted (drafts are not the brand's business), in the brand's own column layout
//! (brands.rs: an ordered list of fields, each under the brand's header text). The
//! header is the first row, so the brand's system can read the sheet as it is; money
//! cells are numbers in yuan with the money format, dates real dates. The export is
//! written to the audit trail: it carries customers' names and phones.

use chrono::{Datelike, NaiveDate};
use rusqlite::params;
use serde::Deserialize;

use super::brands::{self, BrandId};
use super::words::{ClaimField, ClaimStatus};
use super::{list, Claim, ListArgs};
use crate::platform::error::{Error, Result};
use crate::platform::files::Exported;
use crate::platform::sheet;
use crate::Desk;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportArgs {
    pub brand_id: BrandId,
    pub month: String,
}

/// What a row needs beyond the claim: the order's and the machine's details.
struct Details {
    phone: String,
    address: String,
    model_name: String,
    purchase_date: Option<String>,
    fault: String,
    work_done: String,
    engineer: String,
}

fn details(conn: &crate::platform::db::Db, c: &Claim) -> Result<Details> {
    Ok(conn.query_row(
        "SELECT o.phone, o.address, coalesce(m.name, ''), e.purchase_date, o.fault, o.work_done,
                coalesce(g.name, '')
         FROM work_order o LEFT JOIN product_model m ON m.id = o.model_id
         LEFT JOIN equipment e ON e.id = o.equipment_id
         LEFT JOIN engineer g ON g.id = o.engineer_id
         WHERE o.id = ?1",
        params![c.order_id],
        |r| {
            Ok(Details {
                phone: r.get(0)?,
                address: r.get(1)?,
                model_name: r.get(2)?,
                purchase_date: r.get(3)?,
                fault: r.get(4)?,
                work_done: r.get(5)?,
                engineer: r.get(6)?,
            })
        },
    )?)
}

enum Cell {
    Text(String),
    Money(i64),
    Date(Option<NaiveDate>),
}

fn cell(field: ClaimField, c: &Claim, d: &Details) -> Cell {
    use ClaimField::*;
    let parts = || {
        c.lines
            .iter()
            .filter(|l| l.kind == super::words::LineKind::Part && l.returned > 0)
            .map(|l| format!("{}×{}", l.description, l.returned))
            .collect::<Vec<_>>()
            .join("；")
    };
    match field {
        ClaimNo => Cell::Text(c.number.clone()),
        OrderNo => Cell::Text(c.order_number.clone()),
        CompletedOn => Cell::Date(
            c.completed_at
                .get(..10)
                .and_then(crate::platform::dates::parse),
        ),
        Customer => Cell::Text(c.customer.clone()),
        Phone => Cell::Text(d.phone.clone()),
        Address => Cell::Text(d.address.clone()),
        Model => Cell::Text(c.model.clone()),
        ModelName => Cell::Text(d.model_name.clone()),
        Serial => Cell::Text(c.serial.clone()),
        PurchaseDate => Cell::Date(
            d.purchase_date
                .as_deref()
                .and_then(crate::platform::dates::parse),
        ),
        Kind => Cell::Text(c.kind.label().to_string()),
        FaultCategory => Cell::Text(c.fault_category.clone()),
        Fault => Cell::Text(d.fault.clone()),
        WorkDone => Cell::Text(d.work_done.clone()),
        Engineer => Cell::Text(d.engineer.clone()),
        Parts => Cell::Text(parts()),
        DefectiveForms => {
            let mut forms: Vec<String> = Vec::new();
            for l in &c.lines {
                for f in &l.forms {
                    if !forms.contains(f) {
                        forms.push(f.clone());
                    }
                }
            }
            Cell::Text(forms.join("；"))
        }
        LabourFen => Cell::Money(c.labour_fen),
        PartsFen => Cell::Money(c.parts_fen),
        ClaimedFen => Cell::Money(c.claimed_fen),
        Status => Cell::Text(c.status.label().to_string()),
        ApprovedFen => match c.approved_fen {
            Some(f) => Cell::Money(f),
            None => Cell::Text(String::new()),
        },
        Reason => Cell::Text(c.reason.clone()),
    }
}

/// 导出索赔表: a brand's batch of a month as .xlsx in the brand's layout.
pub fn export(desk: &mut Desk, a: ExportArgs) -> Result<Exported> {
    use base64::Engine as _;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let brand = brands::load(desk.conn(), a.brand_id)?.ok_or_else(|| {
        Error::invalid("brand_id", format!("没有这个厂家（编号 {}）", a.brand_id))
    })?;
    let listed = list(
        desk,
        ListArgs {
            month: a.month.clone(),
            brand_id: Some(a.brand_id),
        },
    )?;
    let month = listed.month.clone();
    let claims: Vec<Claim> = listed
        .batches
        .into_iter()
        .flat_map(|b| b.claims)
        .filter(|c| c.status != ClaimStatus::Draft)
        .collect();
    if claims.is_empty() {
        return Err(Error::invalid(
            "month",
            format!(
                "厂家“{}”{month}还没有提交的索赔，提交批次后再导出",
                brand.name
            ),
        ));
    }
    let conn = desk.conn();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format(sheet::MONEY_FORMAT);
    let date = Format::new().set_num_format(sheet::DATE_FORMAT);
    let ws = book.add_worksheet();
    ws.set_name(sheet::sheet_name(&format!("{}{month}索赔", brand.name)))
        .map_err(sheet::write_error)?;
    for (col, c) in brand.columns.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, &c.header, &bold)
            .map_err(sheet::write_error)?;
        let width = match c.field {
            ClaimField::Address | ClaimField::WorkDone | ClaimField::Fault | ClaimField::Parts => {
                30.0
            }
            _ => 14.0,
        };
        ws.set_column_width(col, width)
            .map_err(sheet::write_error)?;
    }
    for (i, claim) in claims.iter().enumerate() {
        let row = i as u32 + 1;
        let d = details(conn, claim)?;
        for (col, c) in brand.columns.iter().enumerate() {
            let col = col as u16;
            match cell(c.field, claim, &d) {
                Cell::Text(t) => ws.write_string(row, col, t),
                Cell::Money(f) => ws.write_number_with_format(row, col, f as f64 / 100.0, &money),
                Cell::Date(Some(day)) => {
                    let when = ExcelDateTime::from_ymd(
                        day.year() as u16,
                        day.month() as u8,
                        day.day() as u8,
                    )
                    .map_err(sheet::write_error)?;
                    ws.write_datetime_with_format(row, col, &when, &date)
                }
                Cell::Date(None) => ws.write_string(row, col, ""),
            }
            .map_err(sheet::write_error)?;
        }
    }
    let bytes = book.save_to_buffer().map_err(sheet::write_error)?;
    let file_name = format!("厂家索赔-{}-{month}.xlsx", brand.name);
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(
        &tx,
        &at,
        "exported",
        "brand",
        a.brand_id,
        &format!("导出{file_name}（{}张索赔）", claims.len()),
    )?;
    tx.commit()?;
    Ok(Exported {
        file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: claims.len(),
        unprintable: Vec::new(),
    })
}
