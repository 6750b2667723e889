//! The desk's settings (设置): numbering, working hours, the company as the slips print
//! it (name, hotline, address, logo), the printer of each paper format, where backups go and how many automatic ones are
//! kept, and whether the browser door is open to the LAN (port, allowed address ranges).
//! Stored as key/value rows; a key never saved has its default. Saving changes only the
//! keys given, and every value is checked before any is written.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use crate::platform::db::Db;
use chrono::NaiveTime;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::escpos::{Kind, Target};
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
    /// The company logo printed in the head of every slip (not on 套打 forms): a PNG or
    /// JPEG as a `data:image/png;base64,…` URL, ready for an `<img>`; empty when there is
    /// none. Checked on saving ([`logo`]).
    pub company_logo: String,
    /// Terms printed at the foot of every slip.
    pub slip_terms: String,
    /// Warranty given on a repair (parts replaced and the work), in days; printed on the slip.
    pub repair_warranty_days: u32,
    /// Printer per paper format (`a4`, `a5`, `continuous`, `thermal`, `label`); none: the
    /// system's default printer.
    pub printers: BTreeMap<String, String>,
    /// How the `thermal` and `label` printers are reached (issue 18), both always listed:
    /// `system` (the PDF to the printer named in `printers`, default), `escpos_network`
    /// (ESC/POS sent raw over TCP to the `host:port` in `printers`) or `escpos_raw`
    /// (ESC/POS fed raw to the system printer named in `printers`).
    pub printer_kinds: BTreeMap<String, String>,
    /// Folder of the automatic backups (and the default for backups made on demand); empty:
    /// `backups/` beside the database file.
    pub backup_folder: String,
    /// Automatic backups kept (older ones are deleted); backups made on demand never are.
    pub backup_keep: u32,
    /// The browser door listens on the LAN (not only on this PC). Off by default.
    pub lan_open: bool,
    pub lan_port: u16,
    /// IPv4 ranges (CIDR) allowed to reach the door from the LAN, comma-separated; empty:
    /// the subnets of this PC's own network interfaces (the door works them out at start).
    pub lan_allow: String,
    /// Host names other PCs use to reach this one (`desk-pc`, `shouhou.office.lan`),
    /// comma-separated; the browser door answers those names besides its own addresses.
    pub lan_names: String,
    /// Network paths (`\\server\share`) may be used as backup folders. Off by default;
    /// the administrator's alone, like every path and the LAN ([`admin_only`]).
    pub allow_network_paths: bool,
    /// The LAN door speaks plain HTTP instead of TLS (passwords and the archive in clear
    /// on the office network). Off by default; only an explicit choice turns it on, and
    /// every page then shows a permanent 未加密 banner to LAN clients.
    pub lan_plain_http: bool,
    /// SHA-256 of the LAN door's certificate (`AB:CD:…`), for the administrator to read
    /// out to a second desk; `None` before the door first opened to the LAN over TLS.
    /// Read from the data folder by [`get`] and [`save`], never stored as a setting.
    pub lan_fingerprint: Option<String>,
    /// Where customers reach the status page from outside (issue 20): the address of the
    /// company's gateway in front of the browser door, `https://fuwu.example.com`, without
    /// a trailing `/`; the slip's QR code is this plus `/s/{code}`. Empty: the QR code
    /// holds the slip and order numbers, as before.
    pub public_url: String,
    /// 检测费: what a customer who refuses the quote of out-of-warranty work pays for the
    /// diagnosis, in fen (issue 21); 0: nothing. Default ¥50.
    pub diagnostic_fee_fen: i64,
    /// 保养提前天数 (issue 21, 定期保养): how many days before a plan's due date its
    /// maintenance order is made and the customer reminded. Default 14, at most 90.
    pub maintenance_days_ahead: u32,
}

/// Days ahead a maintenance order is made, by default and at most.
pub const DEFAULT_MAINTENANCE_DAYS_AHEAD: u32 = 14;
pub const MAX_MAINTENANCE_DAYS_AHEAD: u32 = 90;

/// The diagnostic fee by default (¥50) and at most (¥5,000).
pub const DEFAULT_DIAGNOSTIC_FEE_FEN: i64 = 5_000;
pub const MAX_DIAGNOSTIC_FEE_FEN: i64 = 500_000;

/// Automatic backups kept by default: two weeks of daily backups (a close on a busy day
/// adds one more, so in practice 1–2 weeks back).
pub const DEFAULT_BACKUP_KEEP: u32 = 14;
pub const DEFAULT_LAN_PORT: u16 = 8765;
/// What `lan_allow` held by default before issue 16 (every private range of RFC 1918, guest
/// Wi-Fi included) and what the 设置 screen then wrote back on every save: read as empty,
/// that is the subnets of this PC's own interfaces.
const OLD_DEFAULT_LAN_ALLOW: &str = "192.168.0.0/16,10.0.0.0/8,172.16.0.0/12";
/// The narrowest network prefix `lan_allow` takes: `/8` (a class-A private network);
/// anything wider (`0.0.0.0/0`) is most of the internet.
pub const LAN_ALLOW_MIN_PREFIX: u8 = 8;
/// At most this many names in `lan_names`, each a host name of at most 253 characters.
pub const LAN_NAMES_MAX: usize = 10;
/// The longest text `lan_allow` and `lan_names` take, characters (32 ranges, 10 long names).
pub const LAN_ALLOW_MAX_CHARS: usize = 1000;
pub const LAN_NAMES_MAX_CHARS: usize = 2600;

mod hhmm {
    use chrono::NaiveTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }
}

/// Paper formats that can have their own printer.
pub const PRINTER_FORMATS: &[&str] = &["a4", "a5", "continuous", "thermal", "label"];
/// Paper formats whose printer may be an ESC/POS printer (receipts and labels on a roll).
pub const ESCPOS_FORMATS: &[&str] = &["thermal", "label"];

const DEFAULT_TERMS: &str = "1. 保内维修免收工时费和备件费；保外维修按公司收费标准收取。\
2. 本次维修更换的部件及维修工作在保修天数内出现同一故障免费返修。\
3. 人为损坏、私自拆修、不可抗力造成的故障不在保修范围内。\
4. 请核对服务内容后签字确认，第三联由客户保存。";

fn hm(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

fn values(conn: &Db) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load(conn: &Db) -> Result<Settings> {
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
    let printer_kinds = ESCPOS_FORMATS
        .iter()
        .map(|f| {
            let word = v
                .get(&format!("printer_kind.{f}"))
                .map_or("", String::as_str);
            let kind = Kind::parse(word).unwrap_or(Kind::System);
            (f.to_string(), kind.word().to_string())
        })
        .collect();
    Ok(Settings {
        order_prefix: text("order_prefix", "WO"),
        slip_prefix: text("slip_prefix", "FW"),
        work_start: time("work_start", (8, 30)),
        work_end: time("work_end", (17, 30)),
        company_name: text("company_name", "售后服务中心"),
        company_hotline: text("company_hotline", ""),
        company_address: text("company_address", ""),
        company_logo: text("company_logo", ""),
        slip_terms: text("slip_terms", DEFAULT_TERMS),
        repair_warranty_days: v
            .get("repair_warranty_days")
            .and_then(|d| d.parse().ok())
            .unwrap_or(90),
        printers,
        printer_kinds,
        backup_folder: text("backup_folder", ""),
        backup_keep: v
            .get("backup_keep")
            .and_then(|d| d.parse().ok())
            .unwrap_or(DEFAULT_BACKUP_KEEP),
        lan_open: v.get("lan_open").is_some_and(|o| o == "true"),
        lan_port: v
            .get("lan_port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_LAN_PORT),
        lan_allow: match text("lan_allow", "") {
            old if old == OLD_DEFAULT_LAN_ALLOW => String::new(),
            allow => allow,
        },
        lan_names: text("lan_names", ""),
        allow_network_paths: v.get("allow_network_paths").is_some_and(|o| o == "true"),
        lan_plain_http: v.get("lan_plain_http").is_some_and(|o| o == "true"),
        lan_fingerprint: None,
        public_url: text("public_url", ""),
        diagnostic_fee_fen: v
            .get("diagnostic_fee_fen")
            .and_then(|d| d.parse().ok())
            .unwrap_or(DEFAULT_DIAGNOSTIC_FEE_FEN),
        maintenance_days_ahead: v
            .get("maintenance_days_ahead")
            .and_then(|d| d.parse().ok())
            .unwrap_or(DEFAULT_MAINTENANCE_DAYS_AHEAD),
    })
}

/// [`load`], with the LAN certificate's fingerprint read from the data folder.
fn load_shown(desk: &Desk) -> Result<Settings> {
    let mut s = load(desk.conn())?;
    s.lan_fingerprint = desk
        .path()
        .parent()
        .and_then(crate::platform::tls::stored_fingerprint);
    Ok(s)
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

pub fn get(desk: &mut Desk, _: NoArgs) -> Result<Settings> {
    load_shown(desk)
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
    /// PNG or JPEG, base64 or a `data:` URL; empty: remove the logo.
    pub company_logo: Option<String>,
    pub slip_terms: Option<String>,
    pub repair_warranty_days: Option<u32>,
    pub printers: Option<BTreeMap<String, String>>,
    /// `thermal` / `label` → `system`, `escpos_network` or `escpos_raw`.
    pub printer_kinds: Option<BTreeMap<String, String>>,
    pub backup_folder: Option<String>,
    pub backup_keep: Option<u32>,
    pub lan_open: Option<bool>,
    pub lan_port: Option<u32>,
    pub lan_allow: Option<String>,
    pub lan_names: Option<String>,
    pub allow_network_paths: Option<bool>,
    pub lan_plain_http: Option<bool>,
    pub public_url: Option<String>,
    pub diagnostic_fee_fen: Option<i64>,
    pub maintenance_days_ahead: Option<i64>,
}

fn prefix(field: &'static str, label: &str, value: &str) -> Result<String> {
    let p = crate::platform::text::field(field, label, value, 8, false)?;
    if !p.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
        return Err(Error::invalid(
            field,
            format!("{label}只能用英文字母和“-”（例如 WO 或 SH-）"),
        ));
    }
    Ok(p.to_uppercase())
}

/// Settings only the administrator may change: where files go and who reaches the desk
/// over the network. Every `lan_` key (those added later too), the backup folder and
/// whether network paths are allowed. A manager keeps the rest of 设置.
pub fn admin_only(key: &str) -> bool {
    key.starts_with("lan_") || matches!(key, "backup_folder" | "allow_network_paths")
}

/// Saves the settings given. A prefix changes only numbers given from now on: numbers
/// already given are never touched, and the year's sequence goes on without a gap.
/// A user without the administrator's role who would change an [`admin_only`] setting is
/// refused, naming it, and nothing is saved; the same value sent back unchanged is fine.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<Settings> {
    let admin = desk.actor().holds_any(&[crate::Role::Admin]);
    let at = desk.stamp();
    let tx = desk.write()?;
    save_checked(&tx, &at, &a, admin)?;
    tx.commit()?;
    load_shown(desk)
}

/// [`save`] inside the caller's transaction (the first-run wizard saves the company with
/// the administrator, in one); `at` is the use case's now. The caller decides what may
/// be given: no role is checked here.
pub(crate) fn save_in(
    tx: &crate::platform::db::Db,
    at: &crate::platform::time::Stamp,
    a: &SaveArgs,
) -> Result<()> {
    save_checked(tx, at, a, true)
}

fn save_checked(
    tx: &crate::platform::db::Db,
    at: &crate::platform::time::Stamp,
    a: &SaveArgs,
    admin: bool,
) -> Result<()> {
    let current = load(tx)?;
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
            let v = crate::platform::text::field(key, label, v, max, key == "company_name")?;
            out.push((key.into(), v));
        }
    }
    // The logo is long: the audit says what it is, not its bytes.
    let mut logo_note = None;
    if let Some(value) = &a.company_logo {
        let checked = logo(value)?;
        logo_note = Some(
            checked
                .as_ref()
                .map_or("（已删除）".to_string(), Logo::describe),
        );
        let url = checked.map(|l| l.data_url()).unwrap_or_default();
        out.push(("company_logo".into(), url));
    }
    if let Some(fen) = a.diagnostic_fee_fen {
        if !(0..=MAX_DIAGNOSTIC_FEE_FEN).contains(&fen) {
            return Err(Error::invalid(
                "diagnostic_fee_fen",
                format!(
                    "检测费应在 ¥0.00 到 {} 之间",
                    crate::platform::money::yuan(MAX_DIAGNOSTIC_FEE_FEN)
                ),
            ));
        }
        out.push(("diagnostic_fee_fen".into(), fen.to_string()));
    }
    if let Some(days) = a.maintenance_days_ahead {
        if !(0..=i64::from(MAX_MAINTENANCE_DAYS_AHEAD)).contains(&days) {
            return Err(Error::invalid(
                "maintenance_days_ahead",
                format!("保养提前天数应在0到{MAX_MAINTENANCE_DAYS_AHEAD}之间"),
            ));
        }
        out.push(("maintenance_days_ahead".into(), days.to_string()));
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
            let key = format!("printer.{format}");
            let p = crate::platform::printing::printer_name(&label(&key), printer)?;
            out.push((key, p));
        }
    }
    printer_kinds(&current, a, &mut out)?;
    if let Some(folder) = &a.backup_folder {
        let folder =
            crate::platform::text::field("backup_folder", "备份文件夹", folder, 260, false)?;
        if !folder.is_empty() && !std::path::Path::new(&folder).is_absolute() {
            return Err(Error::invalid(
                "backup_folder",
                "备份文件夹应写完整路径（例如 D:\\售后备份），留空则用数据文件旁的 backups 文件夹",
            ));
        }
        out.push(("backup_folder".into(), folder));
    }
    if let Some(allow) = a.allow_network_paths {
        out.push(("allow_network_paths".into(), allow.to_string()));
    }
    // A network folder needs the setting that allows one, as saved after this.
    let folder = a
        .backup_folder
        .as_deref()
        .map_or(current.backup_folder.as_str(), str::trim);
    let network_allowed = a.allow_network_paths.unwrap_or(current.allow_network_paths);
    if crate::platform::files::is_network_path(folder) && !network_allowed {
        let field = if a.backup_folder.is_some() {
            "backup_folder"
        } else {
            "allow_network_paths"
        };
        return Err(Error::invalid(field, network_refusal("备份文件夹", folder)));
    }
    if let Some(keep) = a.backup_keep {
        if !(1..=365).contains(&keep) {
            return Err(Error::invalid(
                "backup_keep",
                "保留的自动备份份数应在1到365之间",
            ));
        }
        out.push(("backup_keep".into(), keep.to_string()));
    }
    if let Some(open) = a.lan_open {
        out.push(("lan_open".into(), open.to_string()));
    }
    if let Some(port) = a.lan_port {
        if !(1024..=65535).contains(&port) {
            return Err(Error::invalid(
                "lan_port",
                format!("局域网端口应在1024到65535之间（现为 {port}）"),
            ));
        }
        out.push(("lan_port".into(), port.to_string()));
    }
    if let Some(allow) = &a.lan_allow {
        let ranges = parse_ranges(allow)?;
        let text: Vec<String> = ranges
            .iter()
            .map(|(ip, bits)| format!("{ip}/{bits}"))
            .collect();
        out.push(("lan_allow".into(), text.join(",")));
    }
    if let Some(names) = &a.lan_names {
        out.push(("lan_names".into(), parse_names(names)?.join(",")));
    }
    if let Some(plain) = a.lan_plain_http {
        out.push(("lan_plain_http".into(), plain.to_string()));
    }
    if let Some(url) = &a.public_url {
        out.push(("public_url".into(), public_url(url)?));
    }
    if !admin {
        if let Some((key, _)) = out.iter().find(|(k, v)| {
            admin_only(k) && current_value(&current, k).as_deref() != Some(v.as_str())
        }) {
            return Err(Error::Forbidden(format!(
                "没有权限：只有管理员可以修改“{}”，未做任何改动",
                label(key)
            )));
        }
    }
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
        .map(|(k, v)| match (k.as_str(), &logo_note) {
            ("company_logo", Some(note)) => format!("{}：{note}", label(k)),
            _ => format!("{}：{}", label(k), shown(k, v)),
        })
        .collect();
    if !changed.is_empty() {
        crate::people::audit::record(tx, at, "settings", "setting", 0, &changed.join("；"))?;
    }
    Ok(())
}

/// Checks the printer kinds given, and every ESC/POS printer as it will be saved (its
/// kind and its printer, each from this save or as it was): a network printer's address
/// is checked and written with its port. Errors name the field `printers`.
fn printer_kinds(current: &Settings, a: &SaveArgs, out: &mut Vec<(String, String)>) -> Result<()> {
    if let Some(kinds) = &a.printer_kinds {
        for (format, word) in kinds {
            if !ESCPOS_FORMATS.contains(&format.as_str()) {
                return Err(Error::invalid(
                    "printers",
                    format!("只有热敏纸和标签打印机可以设为 ESC/POS 打印机（不能用于“{format}”）"),
                ));
            }
            let kind = Kind::parse(word).ok_or_else(|| {
                Error::invalid(
                    "printers",
                    format!(
                        "{}的连接方式只能是系统打印机、网络 ESC/POS 打印机或按名称的 ESC/POS 打印机（不是“{word}”）",
                        label(&format!("printer.{format}"))
                    ),
                )
            })?;
            out.push((format!("printer_kind.{format}"), kind.word().to_string()));
        }
    }
    for format in ESCPOS_FORMATS {
        let kind_key = format!("printer_kind.{format}");
        let printer_key = format!("printer.{format}");
        let kind = out
            .iter()
            .find(|(k, _)| *k == kind_key)
            .map(|(_, v)| v.clone())
            .or_else(|| current.printer_kinds.get(*format).cloned())
            .unwrap_or_default();
        let kind = Kind::parse(&kind).unwrap_or(Kind::System);
        let given = out.iter().position(|(k, _)| *k == printer_key);
        let printer = given
            .map(|i| out[i].1.clone())
            .or_else(|| current.printers.get(*format).cloned())
            .unwrap_or_default();
        if let Some(Target::Network(address)) = Target::of(&label(&printer_key), kind, &printer)? {
            match given {
                Some(i) => out[i].1 = address,
                None if address != printer => out.push((printer_key, address)),
                None => {}
            }
        }
    }
    Ok(())
}

impl Settings {
    /// The ESC/POS printer set for `paper` (`thermal`, `label`), or None when that paper
    /// goes to a system printer as a PDF. A value edited into the database by hand that no
    /// longer passes is refused here, on `printer`.
    pub fn escpos_printer(&self, paper: &str) -> Result<Option<Target>> {
        let kind = self
            .printer_kinds
            .get(paper)
            .and_then(|w| Kind::parse(w))
            .unwrap_or(Kind::System);
        let printer = self.printers.get(paper).map_or("", String::as_str);
        Target::of(&label(&format!("printer.{paper}")), kind, printer)
            .map_err(|e| Error::invalid("printer", format!("{e}。请在设置中改正打印机")))
    }
}

/// What the audit trail calls a setting: its name on the 设置 screen, never its key.
fn label(key: &str) -> String {
    let name = match key {
        "order_prefix" => "工单号前缀",
        "slip_prefix" => "服务单号前缀",
        "work_start" => "上班时间",
        "work_end" => "下班时间",
        "company_name" => "公司名称",
        "company_hotline" => "服务热线",
        "company_address" => "公司地址",
        "company_logo" => "公司标志",
        "slip_terms" => "服务条款",
        "repair_warranty_days" => "维修保修天数",
        "backup_folder" => "备份文件夹",
        "backup_keep" => "自动备份保留份数",
        "lan_open" => "向局域网开放",
        "lan_port" => "局域网端口",
        "lan_allow" => "允许的地址范围",
        "lan_names" => "本机的局域网名称",
        "allow_network_paths" => "允许使用网络路径",
        "public_url" => "进度查询网址",
        "maintenance_days_ahead" => "保养提前天数",
        // A LAN setting without its own words yet still reads as one in Chinese.
        "lan_plain_http" => "局域网不加密（HTTP）",
        other if other.starts_with("lan_") => "局域网设置",
        other => {
            let paper = match other.strip_prefix("printer.") {
                Some("a4") => "A4",
                Some("a5") => "A5",
                Some("continuous") => "连续纸",
                Some("thermal") => "热敏纸",
                Some("label") => "标签",
                _ => other,
            };
            if let Some(format) = other.strip_prefix("printer_kind.") {
                return format!("{}连接方式", label(&format!("printer.{format}")));
            }
            return format!("{paper}打印机");
        }
    };
    name.to_string()
}

/// A setting's value as the audit trail shows it: yes/no in words, empty as 「（空）」.
fn shown(key: &str, value: &str) -> String {
    match (key, value) {
        ("lan_open" | "allow_network_paths", "true") => "是".into(),
        ("lan_open" | "allow_network_paths", "false") => "否".into(),
        ("lan_plain_http", "true") => "是".into(),
        ("lan_plain_http", "false") => "否".into(),
        (k, v) if k.starts_with("printer_kind.") => match v {
            "escpos_network" => "网络 ESC/POS 打印机".into(),
            "escpos_raw" => "ESC/POS 打印机（按名称）".into(),
            _ => "系统打印机（PDF）".into(),
        },
        (_, "") => "（空）".into(),
        _ => value.to_string(),
    }
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
        "company_logo" => s.company_logo.clone(),
        "slip_terms" => s.slip_terms.clone(),
        "repair_warranty_days" => s.repair_warranty_days.to_string(),
        "backup_folder" => s.backup_folder.clone(),
        "backup_keep" => s.backup_keep.to_string(),
        "lan_open" => s.lan_open.to_string(),
        "lan_port" => s.lan_port.to_string(),
        "lan_allow" => s.lan_allow.clone(),
        "lan_names" => s.lan_names.clone(),
        "allow_network_paths" => s.allow_network_paths.to_string(),
        "lan_plain_http" => s.lan_plain_http.to_string(),
        "public_url" => s.public_url.clone(),
        k if k.starts_with("printer_kind.") => s
            .printer_kinds
            .get(k.strip_prefix("printer_kind.")?)?
            .clone(),
        k => s.printers.get(k.strip_prefix("printer.")?)?.clone(),
    })
}

/// The longest `public_url`, characters: a QR code on the slip holds it with the page's
/// `/s/` and a 24-character code.
pub const PUBLIC_URL_MAX_CHARS: usize = 200;

/// `public_url` checked: empty, or `http(s)://host[:port][/path]` with a host name or IPv4
/// address, no user, query or fragment, path characters that need no escaping; written
/// without its trailing `/`.
pub fn public_url(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    let bad = |why: &str| {
        Error::invalid(
            "public_url",
            format!(
                "进度查询网址{why}，应写成 https://fuwu.example.com 这样（公司网关对外的地址）"
            ),
        )
    };
    if v.chars().count() > PUBLIC_URL_MAX_CHARS {
        return Err(bad(&format!("太长（最多 {PUBLIC_URL_MAX_CHARS} 个字符）")));
    }
    let lower = v.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &v[8..]
    } else if lower.starts_with("http://") {
        &v[7..]
    } else {
        return Err(bad("应以 https:// 或 http:// 开头"));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(bad("的主机名不对"));
    }
    if let Some(port) = port {
        if !port.parse::<u16>().is_ok_and(|p| p > 0) || port.starts_with('0') {
            return Err(bad("的端口不对"));
        }
    }
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~'));
    if !path_ok || path.contains("//") {
        return Err(bad("的路径只能有字母、数字和 / - . _ ~（不能带 ? # 等）"));
    }
    let scheme_len = v.len() - rest.len();
    Ok(format!(
        "{}{}{}",
        &lower[..scheme_len],
        authority.to_ascii_lowercase(),
        path.trim_end_matches('/')
    ))
}

/// Why a network path (`\\server\share`) is refused for `what` (备份文件夹…).
pub fn network_refusal(what: &str, path: &str) -> String {
    format!(
        "{what}“{path}”是网络路径（\\\\服务器\\共享）：备份里有全部客户档案和密码，默认只能放在本机或 U 盘上；确需放到网络上，请管理员先在设置中打开“允许使用网络路径”"
    )
}

// ---- the company logo --------------------------------------------------------------------

/// The largest logo file taken, bytes: a logo for a slip head needs a few tens of KB.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;
/// Smallest and largest side, pixels: smaller is a blur on paper, larger is a photo (and a
/// small file of a huge plain picture would take hundreds of MB to decode).
pub const LOGO_MIN_SIDE: usize = 16;
pub const LOGO_MAX_SIDE: usize = 4096;
/// The longer side at most this many times the shorter: it has to fit a box in the head.
pub const LOGO_MAX_RATIO: usize = 10;
/// Memory the decoder may take for a logo: the largest one as 16-bit RGBA, and its buffers.
const LOGO_MAX_DECODED_BYTES: u64 = 160 * 1024 * 1024;

/// A logo as checked: its file, type and size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Vec<u8>,
    /// `image/png` or `image/jpeg`.
    pub mime: &'static str,
    pub width: usize,
    pub height: usize,
}

impl Logo {
    pub fn data_url(&self) -> String {
        use base64::Engine as _;
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }

    /// What the audit trail says: `PNG 240×120，18 KB`.
    fn describe(&self) -> String {
        let kind = if self.mime == "image/png" {
            "PNG"
        } else {
            "JPEG"
        };
        format!(
            "{kind} {}×{}，{} KB",
            self.width,
            self.height,
            self.bytes.len().div_ceil(1024)
        )
    }
}

impl Settings {
    /// The logo's file, when there is one (as saved: checked then).
    pub fn logo_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let (_, data) = self.company_logo.split_once(";base64,")?;
        base64::engine::general_purpose::STANDARD.decode(data).ok()
    }
}

/// `company_logo` as given to `settings.save`: base64 or a `data:` URL of a PNG or JPEG
/// file. `None`: empty, the logo is removed. The file is decoded, so a renamed document
/// or a broken download is refused now, not on the first slip.
pub fn logo(value: &str) -> Result<Option<Logo>> {
    use base64::Engine as _;
    let bad = |message: String| Error::invalid("company_logo", message);
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let data = match value.strip_prefix("data:") {
        Some(url) => {
            url.split_once(',')
                .filter(|(head, _)| head.ends_with(";base64"))
                .ok_or_else(|| {
                    bad("公司标志的 data: 地址应是 base64 编码（data:image/png;base64,…）".into())
                })?
                .1
        }
        None => value,
    };
    let data: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    // Refused before decoding when the text alone is already too long.
    let too_big = |bytes: usize| {
        bad(format!(
            "公司标志图片太大（{} KB），请用不超过 {} KB 的 PNG 或 JPEG 图片",
            bytes.div_ceil(1024),
            LOGO_MAX_BYTES / 1024
        ))
    };
    if data.len() / 4 * 3 > LOGO_MAX_BYTES + 3 {
        return Err(too_big(data.len() / 4 * 3));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(data.as_bytes()))
        .map_err(|_| {
            bad("公司标志不是有效的图片数据（应为 PNG 或 JPEG 文件的 base64 编码）".into())
        })?;
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    let (mime, size) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("image/png", png_size(&bytes))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", jpeg_size(&bytes))
    } else {
        return Err(bad("公司标志只能是 PNG 或 JPEG 图片".into()));
    };
    let unreadable =
        || bad("公司标志图片无法读取（文件不完整或已损坏），请重新导出为 PNG 或 JPEG".into());
    let (width, height) = size.ok_or_else(unreadable)?;
    let (short, long) = (width.min(height), width.max(height));
    if short < LOGO_MIN_SIDE || long > LOGO_MAX_SIDE {
        return Err(bad(format!(
            "公司标志图片为 {width}×{height} 像素，每边应在 {LOGO_MIN_SIDE} 到 {LOGO_MAX_SIDE} 像素之间"
        )));
    }
    if long > short * LOGO_MAX_RATIO {
        return Err(bad(format!(
            "公司标志图片为 {width}×{height} 像素，太细长：长边不能超过短边的 {LOGO_MAX_RATIO} 倍"
        )));
    }
    // Sizes known and sane: now the whole picture is decoded, as the slips will, by the
    // same decoder held to the same sides and to a memory budget, so a file whose header
    // reads one way here and another way to the decoder (a second frame header) cannot
    // make it allocate more.
    let format = if mime == "image/png" {
        image::ImageFormat::Png
    } else {
        image::ImageFormat::Jpeg
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(LOGO_MAX_SIDE as u32);
    limits.max_image_height = Some(LOGO_MAX_SIDE as u32);
    limits.max_alloc = Some(LOGO_MAX_DECODED_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| unreadable())?;
    if (decoded.width() as usize, decoded.height() as usize) != (width, height) {
        return Err(unreadable());
    }
    Ok(Some(Logo {
        bytes,
        mime,
        width,
        height,
    }))
}

/// Width and height from a PNG's header (IHDR).
fn png_size(b: &[u8]) -> Option<(usize, usize)> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    let n = |at: usize| Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize);
    Some((n(16)?, n(20)?))
}

/// Width and height from a JPEG's frame header (SOFn), walking the markers before it.
fn jpeg_size(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        match marker {
            0xFF => i += 1, // fill byte
            0x01 | 0xD0..=0xD7 => i += 2,
            0xD8..=0xDA => return None, // image data before any frame header
            _ => {
                let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
                let sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if sof {
                    let n = |at: usize| {
                        Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize)
                    };
                    return Some((n(i + 7)?, n(i + 5)?));
                }
                i += 2 + len;
            }
        }
    }
}

// ---- the LAN door -------------------------------------------------------------------------

/// What the browser door needs to know to open itself to the LAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lan {
    pub open: bool,
    pub port: u16,
    /// Allowed IPv4 ranges: network address (host bits cleared) and prefix length. Empty
    /// when the administrator set none: the browser door then fills in the subnets of this
    /// PC's own interfaces (it can list them; the core does not).
    pub allow: Vec<(Ipv4Addr, u8)>,
    /// Host names (lower case) the door answers besides loopback and its own addresses.
    pub names: Vec<String>,
    /// Plain HTTP on the LAN instead of TLS (`lan_plain_http`).
    pub plain_http: bool,
}

impl Lan {
    /// Whether a client at `ip` may use the door. This PC itself (loopback) always may;
    /// an IPv4 client (also as an IPv4-mapped IPv6 address) when it is in an allowed range;
    /// other IPv6 clients never (the ranges are IPv4).
    pub fn allows(&self, ip: IpAddr) -> bool {
        if ip.is_loopback() {
            return true;
        }
        let v4 = match ip {
            IpAddr::V4(v4) => v4,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if v4.is_loopback() => return true,
                Some(v4) => v4,
                None => return false,
            },
        };
        self.allow
            .iter()
            .any(|&(net, bits)| u32::from(v4) & mask(bits) == u32::from(net))
    }
}

fn mask(bits: u8) -> u32 {
    match bits {
        0 => 0,
        b => u32::MAX << (32 - u32::from(b.min(32))),
    }
}

/// The LAN settings, ranges parsed. A stored value that no longer parses (edited by hand)
/// is an error naming the field rather than a door silently open to more than intended.
pub fn lan(desk: &Desk) -> Result<Lan> {
    let s = load(desk.conn())?;
    Ok(Lan {
        open: s.lan_open,
        port: s.lan_port,
        allow: parse_ranges(&s.lan_allow)?,
        names: parse_names(&s.lan_names)?,
        plain_http: s.lan_plain_http,
    })
}

/// The separators people type between items of a list: `,` `，` `;` `；` `、`, spaces, new
/// lines.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '，', ';', '；', ' ', '\n', '\r', '\t', '、'])
        .map(str::trim)
        .filter(|i| !i.is_empty())
}

/// `192.168.0.0/16, 10.0.0.0/8` (also separated by `，` `;` `；`, spaces or new lines) into
/// ranges. A bare address is one host (`/32`); host bits set (`192.168.1.5/24`) are
/// cleared. Nothing at all is the default (this PC's own subnets); a range wider than
/// [`LAN_ALLOW_MIN_PREFIX`] (`0.0.0.0/0`, `10.0.0.0/7`) is refused.
pub fn parse_ranges(text: &str) -> Result<Vec<(Ipv4Addr, u8)>> {
    if text.chars().count() > LAN_ALLOW_MAX_CHARS {
        return Err(Error::invalid(
            "lan_allow",
            format!("允许的地址范围最多{LAN_ALLOW_MAX_CHARS}个字符"),
        ));
    }
    let mut out = Vec::new();
    for item in items(text) {
        let bad = || {
            Error::invalid(
                "lan_allow",
                format!("允许的地址范围“{item}”写法不对，应写成 192.168.1.0/24 这样的 IPv4 网段"),
            )
        };
        let (addr, bits) = match item.split_once('/') {
            Some((a, b)) => (a, b.trim().parse::<u8>().map_err(|_| bad())?),
            None => (item, 32),
        };
        if bits > 32 {
            return Err(bad());
        }
        if bits < LAN_ALLOW_MIN_PREFIX {
            return Err(Error::invalid(
                "lan_allow",
                format!(
                    "允许的地址范围“{item}”太大：网段前缀至少为 /{LAN_ALLOW_MIN_PREFIX}（例如 192.168.1.0/24）；留空则只允许本机所在的网段"
                ),
            ));
        }
        let ip: Ipv4Addr = addr.trim().parse().map_err(|_| bad())?;
        let net = Ipv4Addr::from(u32::from(ip) & mask(bits));
        if !out.contains(&(net, bits)) {
            out.push((net, bits));
        }
    }
    Ok(out)
}

/// `desk-pc, shouhou.office.lan` into lower-case host names (separated like
/// [`parse_ranges`]'s ranges): letters, digits and `-` in dot-separated labels of 1–63
/// characters, no label starting or ending with `-`, at most 253 characters, at most
/// [`LAN_NAMES_MAX`] names. No ports, schemes or wildcards: a name is matched whole.
pub fn parse_names(text: &str) -> Result<Vec<String>> {
    if text.chars().count() > LAN_NAMES_MAX_CHARS {
        return Err(Error::invalid(
            "lan_names",
            format!("本机的局域网名称最多{LAN_NAMES_MAX_CHARS}个字符"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items(text) {
        let name = item.to_ascii_lowercase();
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if name.len() > 253 || !name.split('.').all(label_ok) {
            return Err(Error::invalid(
                "lan_names",
                format!(
                    "本机的局域网名称“{}”写法不对，应写成 shouhou-pc 或 shouhou.office.lan 这样的主机名（不带 http:// 和端口）",
                    item.chars().take(80).collect::<String>()
                ),
            ));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.len() > LAN_NAMES_MAX {
        return Err(Error::invalid(
            "lan_names",
            format!(
                "本机的局域网名称最多填写{LAN_NAMES_MAX}个（现有{}个）",
                out.len()
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_is_an_http_address_without_query_or_user() {
        for (given, kept) in [
            ("", ""),
            ("  https://Fuwu.Example.com/  ", "https://fuwu.example.com"),
            ("http://203.0.113.7:8443", "http://203.0.113.7:8443"),
            (
                "HTTPS://desk.example.com/shouhou/",
                "https://desk.example.com/shouhou",
            ),
        ] {
            assert_eq!(public_url(given).unwrap(), kept, "{given}");
        }
        let long = format!("https://{}.example.com", "a".repeat(200));
        for bad in [
            "fuwu.example.com",
            "javascript:alert(1)",
            "ftp://example.com",
            "https://",
            "https://user@example.com",
            "https://example.com/?q=1",
            "https://example.com/#x",
            "https://example.com:0",
            "https://example.com:99999",
            "https://exa mple.com",
            "https://example.com/<script>",
            "https://-x.example.com",
            "https://[::1]",
            long.as_str(),
        ] {
            let e = public_url(bad).unwrap_err();
            assert_eq!(e.field(), Some("public_url"), "{bad}");
        }
    }

    fn lan(allow: &str) -> Lan {
        Lan {
            open: true,
            port: DEFAULT_LAN_PORT,
            allow: parse_ranges(allow).unwrap(),
            names: Vec::new(),
            plain_http: false,
        }
    }

    #[test]
    fn ranges_let_in_their_addresses_and_loopback_always() {
        let l = lan("192.168.0.0/16,10.0.0.0/8,172.16.0.0/12");
        for ip in [
            "192.168.1.20",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "127.0.0.1",
            "::1",
            "::ffff:192.168.3.4",
        ] {
            assert!(l.allows(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "172.32.0.1",
            "8.8.8.8",
            "192.169.0.1",
            "fe80::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!l.allows(ip.parse().unwrap()), "{ip}");
        }
        let one = lan("192.168.1.5");
        assert!(one.allows("192.168.1.5".parse().unwrap()));
        assert!(!one.allows("192.168.1.6".parse().unwrap()));
        // No range (the door had no interface to take one from): loopback only.
        let none = lan("");
        assert!(none.allows("127.0.0.1".parse().unwrap()));
        assert!(!none.allows("192.168.1.5".parse().unwrap()));
    }

    #[test]
    fn ranges_are_written_like_people_write_them_and_bad_ones_are_named() {
        assert_eq!(
            parse_ranges("192.168.1.77/24， 10.0.0.0/8;10.0.0.0/8").unwrap(),
            vec![
                (Ipv4Addr::new(192, 168, 1, 0), 24),
                (Ipv4Addr::new(10, 0, 0, 0), 8)
            ]
        );
        for bad in [
            "192.168.1.0/33",
            "192.168.1/24",
            "fe80::/10",
            "局域网",
            "10.0.0.0/x",
        ] {
            let e = parse_ranges(bad).unwrap_err();
            assert_eq!(e.field(), Some("lan_allow"));
            assert!(
                e.to_string().contains(bad.split('/').next().unwrap()),
                "{e}"
            );
        }
        // Nothing: the default, this PC's own subnets.
        assert_eq!(parse_ranges(" , ").unwrap(), vec![]);
        for wide in ["0.0.0.0/0", "10.0.0.0/7", "128.0.0.0/1"] {
            let e = parse_ranges(wide).unwrap_err();
            assert_eq!(e.field(), Some("lan_allow"));
            assert!(e.to_string().contains("太大"), "{e}");
        }
        assert_eq!(
            parse_ranges("10.0.0.0/8").unwrap(),
            vec![(Ipv4Addr::new(10, 0, 0, 0), 8)]
        );
    }

    #[test]
    fn lan_names_are_host_names_bounded_in_number_and_length() {
        assert_eq!(
            parse_names("Shouhou-PC， shouhou.office.lan shouhou-pc").unwrap(),
            vec!["shouhou-pc".to_string(), "shouhou.office.lan".to_string()]
        );
        assert_eq!(parse_names("").unwrap(), Vec::<String>::new());
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        for bad in [
            "http://desk",
            "desk:8765",
            "*.office.lan",
            "-desk",
            "desk-.lan",
            "desk..lan",
            "前台电脑",
            "desk_pc",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            let e = parse_names(bad).unwrap_err();
            assert_eq!(e.field(), Some("lan_names"), "{bad}");
            assert!(e.to_string().contains("本机的局域网名称"), "{e}");
        }
        let many: Vec<String> = (0..=LAN_NAMES_MAX).map(|i| format!("desk{i}")).collect();
        let e = parse_names(&many.join(",")).unwrap_err();
        assert_eq!(e.field(), Some("lan_names"));
        assert!(e.to_string().contains("最多"), "{e}");
        // Repeats do not slip a long text through.
        let e = parse_names(&"desk,".repeat(1000)).unwrap_err();
        assert_eq!(e.field(), Some("lan_names"));
        let e = parse_ranges(&"10.0.0.0/8,".repeat(100)).unwrap_err();
        assert_eq!(e.field(), Some("lan_allow"));
    }
}
