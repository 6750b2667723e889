//! Status messages to the customer (issue 20, 通知): a template per order status and
//! channel, switched on per status; the channels' settings; a customer's opt-out; the log
//! of every attempt, shown on the order's timeline.
//!
//! How a message travels: the status change puts it in the outbox in its own transaction
//! (`orders::notice`, with the order's facts at that moment); the jobs ([`outbox::send_due`],
//! from `jobs::tick`, once across the doors) render it, check the customer's opt-out and
//! the template's approval, and hand it to the provider only after that transaction
//! committed, never inside one; a failure the provider may get over is retried with
//! back-off. Every attempt, sent or not, is a row of `notify_attempt` with whom, what,
//! the provider's reply and the outcome.
//!
//! The templates are Chinese text with the fields `{客户}` `{工单号}` `{工程师}`
//! `{预约时间}` `{金额}` `{查询链接}`. `{查询链接}` is the order's status page at the desk's
//! public address (`public_url`); empty while 设置 has none.
//!
//! Secrets (access keys, the robot's webhook key, the service account's secret) are kept
//! as settings rows but never shown back ([`settings`] says only whether one is set) and
//! never written in the log.

pub mod aliyun;
pub mod channels;
pub mod http;
pub mod outbox;
pub mod sign;
pub mod tencent;
pub mod wechat;
pub mod wecom;
pub mod words;

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::customers::CustomerId;
use crate::orders::notice::{self, Facts, TRIGGERS};
use crate::orders::words::Notice;
use crate::orders::OrderId;
use crate::people::audit;
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::{platform::money, Desk};
pub use words::{AttemptStatus, NotifyChannel, OutboxState};

/// The fields a template may name, with the key an SMS template's variable takes at the
/// provider (Aliyun's `${customer}`; Tencent's are numbered by their order in the text).
pub const FIELDS: &[(&str, &str)] = &[
    ("客户", "customer"),
    ("工单号", "order_no"),
    ("工程师", "engineer"),
    ("预约时间", "appointment"),
    ("金额", "amount"),
    ("查询链接", "link"),
];

/// The longest template, in characters (an SMS of 70 characters is billed per part; a
/// few parts is plenty for a status message).
pub const MAX_BODY: usize = 500;

/// A WeChat template message's value may be at most this many characters (the platform's
/// rule for `thing` values since 2023; longer values are cut, the log shows what went).
pub const WECHAT_VALUE_MAX: usize = 20;

/// One template as the 通知 screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub status: Notice,
    pub status_label: &'static str,
    pub channel: NotifyChannel,
    pub channel_label: &'static str,
    pub enabled: bool,
    pub body: String,
    /// The provider's template code (Aliyun `SMS_…`, Tencent's TemplateId, WeChat's
    /// template_id); "" for the 企业微信 group.
    pub provider_template: String,
    /// Marked approved by the provider (only then sent: SMS and WeChat).
    pub approved: bool,
    /// Never saved: the default text.
    pub saved: bool,
}

impl Template {
    /// Whether the provider will take it: the 企业微信 group always; SMS and WeChat only a
    /// template marked approved with the provider's template code.
    pub fn approved_for_sending(&self) -> bool {
        !self.channel.needs_approval() || (self.approved && !self.provider_template.is_empty())
    }
}

/// The default text of a template.
pub fn default_body(status: Notice, channel: NotifyChannel) -> String {
    if channel == NotifyChannel::Wechat {
        return format!(
            "thing1={{客户}}\ncharacter_string2={{工单号}}\nphrase3={}",
            status.label()
        );
    }
    match status {
        Notice::Registered => {
            "{客户}您好，您的报修已登记，工单号{工单号}，我们会尽快安排工程师与您联系。进度查询：{查询链接}"
        }
        Notice::Dispatched => {
            "{客户}您好，工单{工单号}已安排{工程师}工程师上门，预约时间{预约时间}，请保持电话畅通。"
        }
        Notice::WaitingParts => {
            "{客户}您好，工单{工单号}正在等待配件，配件到后我们会第一时间与您联系。"
        }
        Notice::MaintenanceDue => {
            "{客户}您好，您的设备定期保养即将到期，已为您安排保养工单{工单号}，建议上门时间{预约时间}，如需改约请致电我们。"
        }
        Notice::Completed => "{客户}您好，工单{工单号}已完工，应付金额{金额}。感谢您的信任！",
        _ => "{客户}您好，感谢您对工单{工单号}的回访反馈，祝您生活愉快！",
    }
    .to_string()
}

/// Every template, saved or default, in the screen's order (status, then channel).
pub fn all_templates(db: &Db) -> Result<Vec<Template>> {
    let mut saved: BTreeMap<(String, String), (bool, String, String, bool)> = BTreeMap::new();
    let mut stmt = db.prepare_cached(
        "SELECT status, channel, enabled, body, provider_template, approved FROM notify_template",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
            (
                r.get::<_, i64>(2)? == 1,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, i64>(5)? == 1,
            ),
        ))
    })?;
    for row in rows {
        let (k, v) = row?;
        saved.insert(k, v);
    }
    let mut out = Vec::new();
    for &status in TRIGGERS {
        for &channel in NotifyChannel::ALL {
            let key = (status.as_str().to_string(), channel.as_str().to_string());
            let t = match saved.get(&key) {
                Some((enabled, body, code, approved)) => Template {
                    status,
                    status_label: status.label(),
                    channel,
                    channel_label: channel.label(),
                    enabled: *enabled,
                    body: body.clone(),
                    provider_template: code.clone(),
                    approved: *approved,
                    saved: true,
                },
                None => Template {
                    status,
                    status_label: status.label(),
                    channel,
                    channel_label: channel.label(),
                    enabled: false,
                    body: default_body(status, channel),
                    provider_template: String::new(),
                    approved: false,
                    saved: false,
                },
            };
            out.push(t);
        }
    }
    Ok(out)
}

/// The template of `status` on `channel`.
pub fn template(db: &Db, status: Notice, channel: NotifyChannel) -> Result<Template> {
    all_templates(db)?
        .into_iter()
        .find(|t| t.status == status && t.channel == channel)
        .ok_or_else(|| Error::invalid("status", "这个状态不发送通知"))
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

#[derive(Debug, Serialize)]
pub struct Templates {
    pub items: Vec<Template>,
    /// The fields a template may name, as written: `{客户}`….
    pub fields: Vec<String>,
}

/// notify.templates: every template (status × channel), saved or default.
pub fn templates(desk: &mut Desk, _: NoArgs) -> Result<Templates> {
    Ok(Templates {
        items: all_templates(desk.conn())?,
        fields: FIELDS.iter().map(|(f, _)| format!("{{{f}}}")).collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateArgs {
    pub status: String,
    pub channel: String,
    pub enabled: bool,
    pub body: String,
    pub provider_template: String,
    pub approved: bool,
}

/// A template's status and channel from outside.
fn which(status: &str, channel: &str) -> Result<(Notice, NotifyChannel)> {
    let s = Notice::from_word(status).ok_or_else(|| {
        Error::invalid(
            "status",
            format!("只有这些时机发送通知：{}", Notice::labels(TRIGGERS)),
        )
    })?;
    Ok((s, NotifyChannel::parse(channel, "channel")?))
}

/// Checks a template's text: its length, every `{字段}` one of [`FIELDS`], and on WeChat
/// one `key=value` line per field of the platform's template.
pub fn check_body(channel: NotifyChannel, body: &str) -> Result<String> {
    let body = text::field("body", "通知内容", body, MAX_BODY, true)?;
    let mut rest = body.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(Error::invalid("body", "通知内容里的“{”没有配对的“}”"));
        };
        let name = &after[..close];
        if !FIELDS.iter().any(|(f, _)| *f == name) {
            return Err(Error::invalid(
                "body",
                format!(
                    "没有“{{{name}}}”这个字段，可用：{}",
                    FIELDS
                        .iter()
                        .map(|(f, _)| format!("{{{f}}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
        rest = &after[close + 1..];
    }
    if channel == NotifyChannel::Wechat {
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let ok = line.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim();
                !k.is_empty()
                    && k.len() <= 32
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            if !ok {
                return Err(Error::invalid(
                    "body",
                    format!(
                        "微信模板消息每行写“关键词=内容”，例如 thing1={{客户}}；这一行不对：{line}"
                    ),
                ));
            }
        }
    }
    Ok(body)
}

/// notify.save_template: a template's text, its provider code, approval and switch.
pub fn save_template(desk: &mut Desk, a: TemplateArgs) -> Result<Template> {
    let (status, channel) = which(&a.status, &a.channel)?;
    let body = check_body(channel, &a.body)?;
    let code = text::field(
        "provider_template",
        "模板编号",
        &a.provider_template,
        64,
        false,
    )?;
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Error::invalid(
            "provider_template",
            "模板编号只能是字母、数字、下划线和连字符",
        ));
    }
    if a.approved && channel.needs_approval() && code.is_empty() {
        return Err(Error::invalid(
            "provider_template",
            "标记为已审核前，请填写服务商审核通过的模板编号",
        ));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    tx.execute(
        "INSERT INTO notify_template (status, channel, enabled, body, provider_template, approved, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (status, channel) DO UPDATE SET enabled = excluded.enabled, body = excluded.body,
             provider_template = excluded.provider_template, approved = excluded.approved,
             updated_at = excluded.updated_at",
        params![
            status,
            channel,
            i64::from(a.enabled),
            body,
            code,
            i64::from(a.approved),
            at
        ],
    )?;
    audit::record(
        &tx,
        &at,
        "notify_template",
        "setting",
        0,
        &format!(
            "{}·{}：{}{}；{}",
            status.label(),
            channel.label(),
            if a.enabled { "开启" } else { "关闭" },
            if channel.needs_approval() {
                if a.approved {
                    "，已审核"
                } else {
                    "，未审核"
                }
            } else {
                ""
            },
            body
        ),
    )?;
    let t = template(&tx, status, channel)?;
    tx.commit()?;
    Ok(t)
}

/// The values of the fields for `facts`: what each `{字段}` becomes.
pub fn values(facts: &Facts) -> Vec<(&'static str, String)> {
    FIELDS
        .iter()
        .map(|&(f, _)| {
            let v = match f {
                "客户" => facts.customer.clone(),
                "工单号" => facts.number.clone(),
                "工程师" => facts.engineer.clone(),
                "预约时间" => facts.appointment.clone(),
                "金额" => money::yuan(facts.due_fen),
                _ => facts.link.clone(),
            };
            (f, v)
        })
        .collect()
}

/// `body` with its fields filled from `facts`.
pub fn render(body: &str, facts: &Facts) -> String {
    let mut out = body.to_string();
    for (f, v) in values(facts) {
        out = out.replace(&format!("{{{f}}}"), &v);
    }
    out
}

/// The fields `body` names, in the order they first appear, with their values: an SMS
/// template's variables (Aliyun by key, Tencent by position).
pub fn params(body: &str, facts: &Facts) -> Vec<(&'static str, String)> {
    let values = values(facts);
    let mut found: Vec<(usize, &'static str, String)> = Vec::new();
    for (f, key) in FIELDS {
        if let Some(at) = body.find(&format!("{{{f}}}")) {
            let v = values
                .iter()
                .find(|(n, _)| n == f)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            found.push((at, key, v));
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    found.into_iter().map(|(_, k, v)| (k, v)).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreviewArgs {
    pub status: String,
    pub channel: String,
    /// The text being edited (not saved yet).
    pub body: String,
    /// The order whose values fill it; none: the latest order.
    pub order_id: Option<OrderId>,
}

#[derive(Debug, Serialize)]
pub struct Preview {
    pub text: String,
    /// The order the values came from ("" on a desk without orders: the fields stay as
    /// example values).
    pub order_number: String,
    /// WeChat: the values as sent, each cut to the platform's limit.
    pub wechat: Vec<(String, String)>,
}

/// An example order for a desk that has none yet.
fn example() -> Facts {
    Facts {
        customer: "张先生".into(),
        number: "WO2026000001".into(),
        engineer: "李工".into(),
        appointment: "2026-11-23 14:00".into(),
        due_fen: 12_000,
        ..Facts::default()
    }
}

/// notify.preview: the text being edited, filled with a real order's values (nothing
/// saved).
pub fn preview(desk: &mut Desk, a: PreviewArgs) -> Result<Preview> {
    let (_, channel) = which(&a.status, &a.channel)?;
    let body = check_body(channel, &a.body)?;
    let db = desk.conn();
    let id = match a.order_id {
        Some(id) => Some(id),
        None => db
            .query_row("SELECT max(id) FROM work_order", [], |r| {
                r.get::<_, Option<OrderId>>(0)
            })
            .optional()?
            .flatten(),
    };
    let facts = match id {
        Some(id) => notice::facts(db, id)?,
        None => {
            // The address a real order's page would have, when the desk has one.
            let base = crate::people::settings::load(db)?.public_url;
            Facts {
                link: if base.is_empty() {
                    String::new()
                } else {
                    format!("{base}/s/…")
                },
                ..example()
            }
        }
    };
    let text = render(&body, &facts);
    let wechat = if channel == NotifyChannel::Wechat {
        wechat_data(&text)
    } else {
        Vec::new()
    };
    Ok(Preview {
        text,
        order_number: if id.is_some() {
            facts.number
        } else {
            String::new()
        },
        wechat,
    })
}

/// A rendered WeChat template as its `key=value` pairs, each value cut to
/// [`WECHAT_VALUE_MAX`] characters.
pub fn wechat_data(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_string(),
                v.trim().chars().take(WECHAT_VALUE_MAX).collect(),
            )
        })
        .collect()
}

/// A customer's choices about messages (客户档案 · 通知).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomerChoice {
    pub customer_id: CustomerId,
    /// 不接收通知: no SMS, no WeChat message.
    pub opt_out: bool,
    /// The customer's openid on the service account (WeChat template messages).
    pub wechat_openid: String,
}

/// The choices of `customer` (defaults when never saved).
pub fn choice(db: &Db, customer: CustomerId) -> Result<CustomerChoice> {
    Ok(db
        .prepare_cached(
            "SELECT opt_out, wechat_openid FROM notify_customer WHERE customer_id = ?1",
        )?
        .query_row([customer], |r| {
            Ok(CustomerChoice {
                customer_id: customer,
                opt_out: r.get::<_, i64>(0)? == 1,
                wechat_openid: r.get(1)?,
            })
        })
        .optional()?
        .unwrap_or(CustomerChoice {
            customer_id: customer,
            ..CustomerChoice::default()
        }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CustomerArgs {
    pub customer_id: CustomerId,
}

fn customer_exists(db: &Db, id: CustomerId) -> Result<()> {
    let found: Option<i64> = db
        .query_row("SELECT id FROM customer WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| Error::NotFound(format!("客户不存在（编号 {id}）")))
}

/// notify.customer: whether a customer takes messages.
pub fn customer(desk: &mut Desk, a: CustomerArgs) -> Result<CustomerChoice> {
    customer_exists(desk.conn(), a.customer_id)?;
    choice(desk.conn(), a.customer_id)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveCustomerArgs {
    pub customer_id: CustomerId,
    pub opt_out: bool,
    pub wechat_openid: String,
}

/// notify.save_customer: a customer's opt-out and WeChat openid.
pub fn save_customer(desk: &mut Desk, a: SaveCustomerArgs) -> Result<CustomerChoice> {
    let openid = text::field("wechat_openid", "微信 openid", &a.wechat_openid, 64, false)?;
    if !openid
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Error::invalid(
            "wechat_openid",
            "微信 openid 只能是字母、数字、下划线和连字符",
        ));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    customer_exists(&tx, a.customer_id)?;
    let before = choice(&tx, a.customer_id)?;
    tx.execute(
        "INSERT INTO notify_customer (customer_id, opt_out, wechat_openid) VALUES (?1, ?2, ?3)
         ON CONFLICT (customer_id) DO UPDATE SET opt_out = excluded.opt_out,
             wechat_openid = excluded.wechat_openid",
        params![a.customer_id, i64::from(a.opt_out), openid],
    )?;
    let mut changed = Vec::new();
    if before.opt_out != a.opt_out {
        changed.push(if a.opt_out {
            "不接收通知"
        } else {
            "接收通知"
        });
    }
    if before.wechat_openid != openid {
        changed.push(if openid.is_empty() {
            "解除微信绑定"
        } else {
            "绑定微信"
        });
    }
    if !changed.is_empty() {
        audit::record(
            &tx,
            &at,
            "notify_customer",
            "customer",
            a.customer_id,
            &changed.join("；"),
        )?;
    }
    let out = choice(&tx, a.customer_id)?;
    tx.commit()?;
    Ok(out)
}

/// One attempt as the log and the order's timeline show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub id: i64,
    pub order_id: Option<OrderId>,
    pub order_number: String,
    pub at: String,
    pub channel: NotifyChannel,
    pub channel_label: &'static str,
    /// To whom: the phone, the WeChat openid, or 企业微信群.
    pub recipient: String,
    /// What: the text as sent.
    pub body: String,
    /// The provider's reply (or why it was not sent).
    pub reply: String,
    pub status: AttemptStatus,
    pub status_label: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogArgs {
    /// One order's attempts (its timeline); none: the latest of the desk.
    pub order_id: Option<OrderId>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct Log {
    pub items: Vec<Attempt>,
}

/// notify.log: the attempts, newest first: to whom, what, the provider's reply, status.
pub fn log(desk: &mut Desk, a: LogArgs) -> Result<Log> {
    let limit = i64::from(a.limit.unwrap_or(100).clamp(1, 500));
    let db = desk.conn();
    // Two texts rather than `?1 IS NULL OR …`: PostgreSQL cannot type a parameter seen
    // only beside IS NULL.
    let (sql, args): (&str, Vec<i64>) = match a.order_id {
        Some(id) => (
            "SELECT a.id, a.order_id, coalesce(o.number, ''), a.at, a.channel, a.recipient, a.body,
                    a.reply, a.status
             FROM notify_attempt a LEFT JOIN work_order o ON o.id = a.order_id
             WHERE a.order_id = ?1 ORDER BY a.id DESC LIMIT ?2",
            vec![id.get(), limit],
        ),
        None => (
            "SELECT a.id, a.order_id, coalesce(o.number, ''), a.at, a.channel, a.recipient, a.body,
                    a.reply, a.status
             FROM notify_attempt a LEFT JOIN work_order o ON o.id = a.order_id
             ORDER BY a.id DESC LIMIT ?1",
            vec![limit],
        ),
    };
    let mut stmt = db.prepare_cached(sql)?;
    let items = stmt
        .query_map(args, |r| {
            let channel: NotifyChannel = r.get(4)?;
            let status: AttemptStatus = r.get(8)?;
            Ok(Attempt {
                id: r.get(0)?,
                order_id: r.get(1)?,
                order_number: r.get(2)?,
                at: r.get(3)?,
                channel,
                channel_label: channel.label(),
                recipient: r.get(5)?,
                body: r.get(6)?,
                reply: r.get(7)?,
                status,
                status_label: status.label(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Log { items })
}

pub use channels::{save_settings, settings, test};
