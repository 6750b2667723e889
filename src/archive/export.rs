//! Customer export (客户导出): the archive, or one search result, as an .xlsx a clerk can
//! open in Excel and a desk can import again. One row per machine (the customer repeated on
//! each), one row for a customer without machines; the columns carry the headers the
//! import recognises, so a re-import of an export adds nothing.
//!
//! Customer data is confidential: every export is recorded in the audit trail (who, when,
//! how many rows, which query) in the same transaction that reads the rows.

use base64::Engine as _;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde::Deserialize;

use crate::archive::customers::{self, Customer, SearchArgs};
use crate::archive::equipment::{self, Equipment, ListArgs};
use crate::platform::error::{Error, Result};
use crate::platform::files::Exported;
use crate::{people::audit, Desk};

/// `customers.export` arguments: the list's search box (empty: the whole archive).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportArgs {
    pub query: String,
}

/// An exported workbook before it crosses a door.
pub struct ExportFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub rows: usize,
}

/// Header and column width, in the order written. The headers are ones the import
/// recognises (客户编号, 产品名称 and 保修 are for people and ignored on import).
const COLUMNS: &[(&str, f64)] = &[
    ("客户编号", 9.0),
    ("客户名称", 24.0),
    ("客户类型", 9.0),
    ("联系电话", 30.0),
    ("地址", 36.0),
    ("地区", 9.0),
    ("客户级别", 9.0),
    ("客户来源", 10.0),
    ("备注", 20.0),
    ("总部", 20.0),
    ("型号", 14.0),
    ("产品名称", 18.0),
    ("序列号", 18.0),
    ("购买日期", 12.0),
    ("安装日期", 12.0),
    ("安装位置", 14.0),
    ("保修", 40.0),
];

/// 导出客户 (command `customers.export`).
pub fn customers(desk: &mut Desk, args: ExportArgs) -> Result<Exported> {
    let book = customers_xlsx(desk, &args.query)?;
    Ok(Exported {
        file_name: book.file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(&book.bytes),
        rows: book.rows,
        unprintable: Vec::new(),
    })
}

fn sheet_error(e: XlsxError) -> Error {
    Error::Storage(format!("无法生成 Excel 文件：{e}"))
}

/// The customers a search finds (all of them, not one page), with their own machines
/// (a head office's row does not repeat its branches' machines: they have their own rows).
pub fn customers_xlsx(desk: &mut Desk, query: &str) -> Result<ExportFile> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("客户档案").map_err(sheet_error)?;
    for (col, (header, width)) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *header, &bold)
            .map_err(sheet_error)?;
        sheet
            .set_column_width(col as u16, *width)
            .map_err(sheet_error)?;
    }
    let mut row: u32 = 0;
    let mut page = 1;
    loop {
        let found = customers::search(
            desk,
            SearchArgs {
                query: query.to_string(),
                page,
                page_size: 200,
            },
        )?;
        if found.items.is_empty() {
            break;
        }
        // A search counts to 1,000: exporting only part of what it matched would look
        // like the whole result. Say so instead.
        if found.more {
            return Err(Error::invalid(
                "query",
                "查询结果超过1000位客户，只能导出其中一部分：请输入更多字缩小范围，或清空查询后导出全部客户",
            ));
        }
        for c in &found.items {
            let machines: Vec<Equipment> = equipment::list(desk, ListArgs { customer_id: c.id })?
                .items
                .into_iter()
                .filter(|e| e.customer_id == c.id)
                .collect();
            if machines.is_empty() {
                row += 1;
                write_customer(sheet, row, c).map_err(sheet_error)?;
            }
            for e in &machines {
                row += 1;
                write_customer(sheet, row, c).map_err(sheet_error)?;
                write_machine(sheet, row, e, &date).map_err(sheet_error)?;
            }
        }
        page += 1;
    }
    sheet.set_freeze_panes(1, 0).map_err(sheet_error)?;
    sheet
        .autofilter(0, 0, row.max(1), COLUMNS.len() as u16 - 1)
        .map_err(sheet_error)?;
    let bytes = book.save_to_buffer().map_err(sheet_error)?;
    let rows = row as usize;
    let (at, today) = (desk.stamp(), desk.today());
    let tx = desk.write()?;
    let what = if query.trim().is_empty() {
        "全部客户".to_string()
    } else {
        format!("查询：{}", query.trim())
    };
    audit::record(
        &tx,
        &at,
        "export",
        "customer",
        0,
        &format!("导出客户 {rows} 行（{what}）"),
    )?;
    tx.commit()?;
    Ok(ExportFile {
        file_name: format!("客户档案-{}.xlsx", today.format("%Y%m%d")),
        bytes,
        rows,
    })
}

fn write_customer(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    c: &Customer,
) -> std::result::Result<(), XlsxError> {
    let phones: Vec<&str> = c.phones.iter().map(|p| p.display.as_str()).collect();
    let (kind, class) = (c.kind.label(), c.class.label());
    sheet.write_number(row, 0, c.id.get() as f64)?;
    let texts = [
        c.name.as_str(),
        kind,
        &phones.join("，"),
        &c.address,
        &c.region,
        class,
        &c.source,
        &c.notes,
        c.parent.as_ref().map(|p| p.name.as_str()).unwrap_or(""),
    ];
    for (i, text) in texts.iter().enumerate() {
        if !text.is_empty() {
            sheet.write_string(row, 1 + i as u16, *text)?;
        }
    }
    Ok(())
}

fn write_machine(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    e: &Equipment,
    date: &Format,
) -> std::result::Result<(), XlsxError> {
    sheet.write_string(row, 10, &e.model.code)?;
    sheet.write_string(row, 11, &e.model.name)?;
    sheet.write_string(row, 12, &e.serial)?;
    for (col, day) in [(13, &e.purchase_date), (14, &e.install_date)] {
        if let Some(day) = day.as_deref().and_then(crate::platform::dates::parse) {
            use chrono::Datelike;
            let cell =
                ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
            sheet.write_datetime_with_format(row, col, &cell, date)?;
        }
    }
    if !e.site.is_empty() {
        sheet.write_string(row, 15, &e.site)?;
    }
    sheet.write_string(row, 16, &e.warranty.reason)?;
    Ok(())
}
