//! The desk's settings (设置): numbering, working hours, the company as the slips print
//! it, and the printer of each paper format. Stored as key/value rows; a key never saved
//! has its default. Saving changes only the keys given.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::Desk;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Work-order numbers are `{prefix}{year}{sequence:06}`: WO2026000001.
    pub order_prefix: String,
    /// Slip numbers likewise: FW2026000001.
    pub slip_prefix: String,
    #[serde(with = "hhmm")]
    pub work_start: NaiveTime,
    #[serde(with = "hhmm")]
    pub work_end: NaiveTime,
    pub company_name: String,
    pub company_hotline: String,
    pub company_address: String,
    /// Terms printed at the foot of every slip.
    pub slip_terms: String,
    /// Warranty given on a repair (parts replaced and the work), in days; printed on the slip.
    pub repair_warranty_days: u32,
    /// Printer per paper format (`a4`, `a5`, `continuous`, `thermal`, `label`); none: the
    /// system's default printer.
    pub printers: BTreeMap<String, String>,
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }
}

/// Paper formats that can have their own printer.
pub const PRINTER_FORMATS: &[&str] = &["a4", "a5", "continuous", "thermal", "label"];

const DEFAULT_TERMS: &str = "1. 保内维修免收工时费和备件费；保外维修按公司收费标准收取。\
2. 本次维修更换的部件及维修工作在保修天数内出现同一故障免费返修。\
3. 人为损坏、私自拆修、不可抗力造成的故障不在保修范围内。\
4. 请核对服务内容后签字确认，第三联由客户保存。";

fn hm(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

fn values(conn: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load(conn: &Connection) -> Result<Settings> {
    let v = values(conn)?;
    let text = |key: &str, default: &str| v.get(key).cloned().unwrap_or_else(|| default.into());
    let time = |key: &str, default: (u32, u32)| {
        v.get(key)
            .and_then(|t| hm(t))
            .unwrap_or_else(|| NaiveTime::from_hms_opt(default.0, default.1, 0).expect("valid"))
    };
    let printers = PRINTER_FORMATS
        .iter()
        .filter_map(|f| {
            v.get(&format!("printer.{f}"))
                .map(|p| (f.to_string(), p.clone()))
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    Ok(Settings {
        order_prefix: text("order_prefix", "WO"),
        slip_prefix: text("slip_prefix", "FW"),
        work_start: time("work_start", (8, 30)),
        work_end: time("work_end", (17, 30)),
        company_name: text("company_name", "售后服务中心"),
        company_hotline: text("company_hotline", ""),
        company_address: text("company_address", ""),
        slip_terms: text("slip_terms", DEFAULT_TERMS),
        repair_warranty_days: v
            .get("repair_warranty_days")
            .and_then(|d| d.parse().ok())
            .unwrap_or(90),
        printers,
    })
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

pub fn get(desk: &mut Desk, _: NoArgs) -> Result<Settings> {
    load(desk.conn())
}

/// What `settings.save` takes: any of the settings; those left out stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    pub order_prefix: Option<String>,
    pub slip_prefix: Option<String>,
    pub work_start: Option<String>,
    pub work_end: Option<String>,
    pub company_name: Option<String>,
    pub company_hotline: Option<String>,
    pub company_address: Option<String>,
    pub slip_terms: Option<String>,
    pub repair_warranty_days: Option<u32>,
    pub printers: Option<BTreeMap<String, String>>,
}

fn prefix(field: &'static str, label: &str, value: &str) -> Result<String> {
    let p = crate::text::field(field, label, value, 8, false)?;
    if !p.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
        return Err(Error::invalid(
            field,
            format!("{label}只能用英文字母和“-”（例如 WO 或 SH-）"),
        ));
    }
    Ok(p.to_uppercase())
}

/// Saves the settings given. A prefix changes only numbers given from now on: numbers
/// already given are never touched, and the year's sequence goes on without a gap.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Settings> {
    let current = load(desk.conn())?;
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(p) = &a.order_prefix {
        out.push((
            "order_prefix".into(),
            prefix("order_prefix", "工单号前缀", p)?,
        ));
    }
    if let Some(p) = &a.slip_prefix {
        out.push((
            "slip_prefix".into(),
            prefix("slip_prefix", "服务单号前缀", p)?,
        ));
    }
    let start = match &a.work_start {
        Some(t) => hm(t).ok_or_else(|| Error::invalid("work_start", "上班时间应写成 08:30"))?,
        None => current.work_start,
    };
    let end = match &a.work_end {
        Some(t) => hm(t).ok_or_else(|| Error::invalid("work_end", "下班时间应写成 17:30"))?,
        None => current.work_end,
    };
    if end <= start {
        return Err(Error::invalid("work_end", "下班时间应晚于上班时间"));
    }
    out.push(("work_start".into(), start.format("%H:%M").to_string()));
    out.push(("work_end".into(), end.format("%H:%M").to_string()));
    let texts: [(&Option<String>, &'static str, &str, usize); 4] = [
        (&a.company_name, "company_name", "公司名称", 40),
        (&a.company_hotline, "company_hotline", "服务热线", 40),
        (&a.company_address, "company_address", "公司地址", 100),
        (&a.slip_terms, "slip_terms", "服务条款", 600),
    ];
    for (value, key, label, max) in texts {
        if let Some(v) = value {
            let v = crate::text::field(key, label, v, max, key == "company_name")?;
            crate::pdf::check(key, label, &v)?;
            out.push((key.into(), v));
        }
    }
    if let Some(days) = a.repair_warranty_days {
        if days > 3650 {
            return Err(Error::invalid(
                "repair_warranty_days",
                "维修保修天数应在0到3650之间",
            ));
        }
        out.push(("repair_warranty_days".into(), days.to_string()));
    }
    if let Some(printers) = &a.printers {
        for (format, printer) in printers {
            if !PRINTER_FORMATS.contains(&format.as_str()) {
                return Err(Error::invalid(
                    "printers",
                    format!("没有“{format}”这种纸张格式"),
                ));
            }
            let p = crate::text::field("printers", "打印机名称", printer, 100, false)?;
            out.push((format!("printer.{format}"), p));
        }
    }
    let tx = desk.conn_mut().transaction()?;
    for (key, value) in &out {
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
    }
    let changed: Vec<String> = out
        .iter()
        .filter(|(k, v)| current_value(&current, k).as_deref() != Some(v.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !changed.is_empty() {
        crate::audit::record(&tx, "settings", "setting", 0, &changed.join("；"))?;
    }
    tx.commit()?;
    load(desk.conn())
}

fn current_value(s: &Settings, key: &str) -> Option<String> {
    Some(match key {
        "order_prefix" => s.order_prefix.clone(),
        "slip_prefix" => s.slip_prefix.clone(),
        "work_start" => s.work_start.format("%H:%M").to_string(),
        "work_end" => s.work_end.format("%H:%M").to_string(),
        "company_name" => s.company_name.clone(),
        "company_hotline" => s.company_hotline.clone(),
        "company_address" => s.company_address.clone(),
        "slip_terms" => s.slip_terms.clone(),
        "repair_warranty_days" => s.repair_warranty_days.to_string(),
        k => s.printers.get(k.strip_prefix("printer.")?)?.clone(),
    })
}
