//! The sources of a ring besides the clerk's F-key, and their settings (设置 → 来电弹屏):
//! a cloud call centre's webhook (`POST /cti/ring` on the browser door, with a shared
//! secret) and a USB caller-ID box on a serial (COM) port that sends each number as a
//! line of text.
//!
//! The secret is set by the manager and kept only as its SHA-256: a stolen backup does
//! not carry it, and the settings never show it again. A presented secret is hashed and
//! compared with the stored hash in constant time. No secret set: the webhook is off and
//! every request to it is refused. The doors hold no copy of any of this: each request
//! reads the setting, so a secret changed at one door of a chain holds at every door.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::{ring_from, RingArgs, Screen, Source};
use crate::people::audit;
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::Desk;

/// The largest webhook body read (a ring is a number and a line name; call centres add a
/// few fields of their own, which are ignored).
pub const WEBHOOK_MAX_BODY: usize = 4096;
/// A caller-ID box's line, at most (longer lines are cut there before the pattern runs).
pub const SERIAL_MAX_LINE: usize = 256;
/// The shortest and longest secret the manager may set.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=128;
/// The pattern a caller-ID box's line is read with when none is set: the first run of 7
/// to 20 digits (spaces and dashes inside allowed, a `+` before), whatever the box writes
/// around it (`RING`, `NMBR = 13812345678`, `CID:013812345678,DATE:1204`).
pub const DEFAULT_PATTERN: &str = r"(\+?[0-9][0-9 \-]{5,22}[0-9])";
const MAX_PATTERN_CHARS: usize = 200;
const DEFAULT_BAUD: u32 = 9600;

const KEY_SECRET: &str = "cti_secret_sha256";
const KEY_PORT: &str = "cti_serial_port";
const KEY_BAUD: &str = "cti_serial_baud";
const KEY_PATTERN: &str = "cti_serial_pattern";

/// 来电弹屏 settings as 设置 shows them (the secret never: only whether one is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CtiSettings {
    /// A secret is set: `POST /cti/ring` is on.
    pub webhook_on: bool,
    /// The caller-ID box's port (`COM3`, `/dev/ttyUSB0`); empty: no box.
    pub serial_port: String,
    pub serial_baud: u32,
    /// The pattern its lines are read with (the first capture group is the number).
    pub serial_pattern: String,
}

fn value(conn: &Db, key: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM setting WHERE key = ?1")?;
    let mut rows = stmt.query_map([key], |r| r.get::<_, String>(0))?;
    Ok(rows.next().transpose()?)
}

fn put(conn: &Db, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// The settings as stored (defaults for those never saved).
pub fn load(conn: &Db) -> Result<CtiSettings> {
    Ok(CtiSettings {
        webhook_on: value(conn, KEY_SECRET)?.is_some_and(|s| !s.is_empty()),
        serial_port: value(conn, KEY_PORT)?.unwrap_or_default(),
        serial_baud: value(conn, KEY_BAUD)?
            .and_then(|b| b.parse().ok())
            .unwrap_or(DEFAULT_BAUD),
        serial_pattern: value(conn, KEY_PATTERN)?
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| DEFAULT_PATTERN.to_string()),
    })
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// 查看来电设置.
pub fn get(desk: &mut Desk, _: NoArgs) -> Result<CtiSettings> {
    load(desk.conn())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SaveArgs {
    /// The webhook's shared secret (16–128 visible ASCII characters); empty: webhook off.
    pub secret: Option<String>,
    pub serial_port: Option<String>,
    pub serial_baud: Option<u32>,
    /// Empty: the default pattern.
    pub serial_pattern: Option<String>,
}

/// A serial port's name as the settings take it: `COM1`…`COM256` on Windows, a device
/// under `/dev/` elsewhere; empty: no box.
fn port_name(port: &str) -> Result<String> {
    let port = port.trim();
    if port.is_empty() {
        return Ok(String::new());
    }
    let com = port
        .strip_prefix("COM")
        .or_else(|| port.strip_prefix("com"))
        .and_then(|n| n.parse::<u16>().ok())
        .is_some_and(|n| (1..=256).contains(&n));
    let dev = port.starts_with("/dev/")
        && port.len() <= 64
        && !port.contains("..")
        && port[5..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'));
    if com {
        Ok(port.to_uppercase())
    } else if dev {
        Ok(port.to_string())
    } else {
        Err(Error::invalid(
            "serial_port",
            "串口应写成 COM3（Windows）或 /dev/ttyUSB0（Linux）",
        ))
    }
}

/// A caller-ID pattern, checked: at most 200 characters, a regular expression of bounded
/// size with exactly one capture group (the number).
pub fn pattern(text: &str) -> Result<regex::Regex> {
    if text.chars().count() > MAX_PATTERN_CHARS {
        return Err(Error::invalid(
            "serial_pattern",
            format!("号码格式最多 {MAX_PATTERN_CHARS} 个字符"),
        ));
    }
    let re = regex::RegexBuilder::new(text)
        .size_limit(1 << 16)
        .build()
        .map_err(|_| {
            Error::invalid(
                "serial_pattern",
                "号码格式不是有效的正则表达式（例如 (\\+?[0-9]{7,20})）",
            )
        })?;
    if re.captures_len() != 2 {
        return Err(Error::invalid(
            "serial_pattern",
            "号码格式应有且只有一个括号分组，括住号码",
        ));
    }
    Ok(re)
}

/// 保存来电设置: the secret (only its hash is kept), the caller-ID box's port, speed and
/// pattern; every value checked before any is written, the change in the audit trail
/// (the secret as 已设置 / 已关闭, never itself).
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<CtiSettings> {
    let mut out: Vec<(&str, String)> = Vec::new();
    let mut noted: Vec<String> = Vec::new();
    if let Some(secret) = &a.secret {
        let secret = secret.trim();
        if secret.is_empty() {
            out.push((KEY_SECRET, String::new()));
            noted.push("来电接口：已关闭".into());
        } else {
            if !SECRET_CHARS.contains(&secret.chars().count())
                || !secret.chars().all(|c| c.is_ascii_graphic())
            {
                return Err(Error::invalid(
                    "secret",
                    "接口密钥应为16到128个英文字母、数字或符号（不含空格和汉字）",
                ));
            }
            out.push((KEY_SECRET, hex(&sha2::Sha256::digest(secret.as_bytes()))));
            noted.push("来电接口密钥：已设置".into());
        }
    }
    if let Some(port) = &a.serial_port {
        let port = port_name(port)?;
        noted.push(format!(
            "来电盒串口：{}",
            if port.is_empty() { "无" } else { &port }
        ));
        out.push((KEY_PORT, port));
    }
    if let Some(baud) = a.serial_baud {
        if ![1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200].contains(&baud) {
            return Err(Error::invalid(
                "serial_baud",
                "波特率应为 1200、2400、4800、9600、19200、38400、57600 或 115200",
            ));
        }
        noted.push(format!("来电盒波特率：{baud}"));
        out.push((KEY_BAUD, baud.to_string()));
    }
    if let Some(text) = &a.serial_pattern {
        let text = text.trim();
        if !text.is_empty() {
            pattern(text)?;
        }
        noted.push(format!(
            "来电盒号码格式：{}",
            if text.is_empty() { "默认" } else { text }
        ));
        out.push((KEY_PATTERN, text.to_string()));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    for (key, value) in &out {
        put(&tx, key, value)?;
    }
    if !noted.is_empty() {
        audit::record(&tx, &at, "cti_settings", "setting", 0, &noted.join("；"))?;
    }
    tx.commit()?;
    load(desk.conn())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal byte strings of the same length, in time that depends on the length only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a call centre posts: the number and, optionally, the line; any other field of
/// theirs is ignored. `caller` is taken for `phone` (several call centres name it so).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WebhookBody {
    #[serde(alias = "caller")]
    phone: Option<serde_json::Value>,
    line: Option<serde_json::Value>,
}

fn text_field(v: Option<serde_json::Value>, field: &'static str) -> Result<Option<String>> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::invalid(field, "应为文字")),
    }
}

/// The webhook's gate: whether `presented` (the `X-Cti-Secret` header's bytes) is the
/// secret the manager set. No secret set: refused as off (`not_found`); a missing or
/// wrong one: `unauthorized`. Compared as SHA-256 digests in constant time.
pub fn check_secret(conn: &Db, presented: Option<&[u8]>) -> Result<()> {
    let stored = value(conn, KEY_SECRET)?.unwrap_or_default();
    if stored.is_empty() {
        return Err(Error::NotFound(
            "来电接口未开启：主管在“设置 → 来电弹屏”中设定接口密钥后才接受来电推送".into(),
        ));
    }
    let Some(presented) = presented else {
        return Err(Error::Unauthorized);
    };
    let digest = hex(&sha2::Sha256::digest(presented));
    if same(digest.as_bytes(), stored.as_bytes()) {
        Ok(())
    } else {
        Err(Error::Unauthorized)
    }
}

/// A ring pushed by a call centre (`POST /cti/ring`): the secret checked first
/// ([`check_secret`]), then the body (at most [`WEBHOOK_MAX_BODY`] bytes of JSON
/// `{"phone": "…", "line": "…"}`), then the ring recorded as from the webhook.
pub fn webhook(desk: &mut Desk, presented: Option<&[u8]>, body: &[u8]) -> Result<Screen> {
    check_secret(desk.conn(), presented)?;
    if body.len() > WEBHOOK_MAX_BODY {
        return Err(Error::invalid(
            "body",
            format!("来电推送内容过大：最多 {WEBHOOK_MAX_BODY} 字节"),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::BadRequest(format!("来电推送应为 JSON 对象：{e}")))?;
    if !value.is_object() {
        return Err(Error::BadRequest("来电推送应为 JSON 对象".into()));
    }
    let parsed: WebhookBody = serde_json::from_value(value)
        .map_err(|e| Error::BadRequest(format!("来电推送应为 JSON 对象：{e}")))?;
    let phone = text_field(parsed.phone, "phone")?
        .ok_or_else(|| Error::invalid("phone", "来电推送缺少来电号码（phone）"))?;
    let line = text_field(parsed.line, "line")?;
    ring_from(desk, Source::Webhook, RingArgs { phone, line })
}

/// A line from the caller-ID box: the number found by the settings' pattern and rung as
/// from the box; `None` for a line with no number in it (the box's `RING`, a date line).
/// A line longer than [`SERIAL_MAX_LINE`] is cut there first.
pub fn serial_line(desk: &mut Desk, line: &str) -> Result<Option<Screen>> {
    let line: String = line.chars().take(SERIAL_MAX_LINE).collect();
    let settings = load(desk.conn())?;
    let re = pattern(&settings.serial_pattern)?;
    let Some(number) = re
        .captures(&line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
    else {
        return Ok(None);
    };
    ring_from(
        desk,
        Source::Serial,
        RingArgs {
            phone: number,
            line: None,
        },
    )
    .map(Some)
}
