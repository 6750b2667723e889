//! The channels' settings (每个服务商的地址和密钥) and the one place a message is handed to a
//! provider ([`deliver`]): SMS through Aliyun (`SendSms`, V3 signature ACS3-HMAC-SHA256)
//! or Tencent Cloud (`SendSms`, TC3-HMAC-SHA256), the 企业微信 group robot, WeChat
//! service-account template messages. Each endpoint is a setting, so that tests point it
//! at a local fake; each secret is kept but never shown back and never logged.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::words::NotifyChannel;
use super::{aliyun, tencent, wechat, wecom};
use crate::people::audit;
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::Desk;

/// One setting of the channels: its key in `setting`, its label, whether it is a secret,
/// its longest value and its default.
struct Key {
    key: &'static str,
    label: &'static str,
    secret: bool,
    max: usize,
    default: &'static str,
}

const KEYS: &[Key] = &[
    Key {
        key: "notify_sms_provider",
        label: "短信服务商",
        secret: false,
        max: 16,
        default: "",
    },
    Key {
        key: "notify_sms_per_second",
        label: "短信每秒最多",
        secret: false,
        max: 4,
        default: "10",
    },
    Key {
        key: "notify_aliyun_endpoint",
        label: "阿里云短信地址",
        secret: false,
        max: 200,
        default: "https://dysmsapi.aliyuncs.com/",
    },
    Key {
        key: "notify_aliyun_access_key_id",
        label: "阿里云 AccessKey ID",
        secret: false,
        max: 64,
        default: "",
    },
    Key {
        key: "notify_aliyun_access_key_secret",
        label: "阿里云 AccessKey Secret",
        secret: true,
        max: 128,
        default: "",
    },
    Key {
        key: "notify_aliyun_sign_name",
        label: "阿里云短信签名",
        secret: false,
        max: 32,
        default: "",
    },
    Key {
        key: "notify_tencent_endpoint",
        label: "腾讯云短信地址",
        secret: false,
        max: 200,
        default: "https://sms.tencentcloudapi.com/",
    },
    Key {
        key: "notify_tencent_region",
        label: "腾讯云地域",
        secret: false,
        max: 32,
        default: "ap-guangzhou",
    },
    Key {
        key: "notify_tencent_secret_id",
        label: "腾讯云 SecretId",
        secret: false,
        max: 64,
        default: "",
    },
    Key {
        key: "notify_tencent_secret_key",
        label: "腾讯云 SecretKey",
        secret: true,
        max: 128,
        default: "",
    },
    Key {
        key: "notify_tencent_sdk_app_id",
        label: "腾讯云短信应用 SdkAppId",
        secret: false,
        max: 32,
        default: "",
    },
    Key {
        key: "notify_tencent_sign_name",
        label: "腾讯云短信签名",
        secret: false,
        max: 32,
        default: "",
    },
    Key {
        key: "notify_wecom_webhook",
        label: "企业微信群机器人地址",
        secret: true,
        max: 300,
        default: "",
    },
    Key {
        key: "notify_wecom_msgtype",
        label: "企业微信消息类型",
        secret: false,
        max: 16,
        default: "text",
    },
    Key {
        key: "notify_wechat_endpoint",
        label: "微信公众号接口地址",
        secret: false,
        max: 200,
        default: "https://api.weixin.qq.com",
    },
    Key {
        key: "notify_wechat_app_id",
        label: "微信公众号 AppID",
        secret: false,
        max: 64,
        default: "",
    },
    Key {
        key: "notify_wechat_app_secret",
        label: "微信公众号 AppSecret",
        secret: true,
        max: 128,
        default: "",
    },
];

/// The channels' settings as read, secrets included: for sending, never for a reply.
#[derive(Debug, Clone, Default)]
pub struct Config {
    values: std::collections::BTreeMap<&'static str, String>,
}

impl Config {
    pub fn load(db: &Db) -> Result<Config> {
        let mut values = std::collections::BTreeMap::new();
        let mut stmt = db.prepare_cached("SELECT key, value FROM setting")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for k in KEYS {
            let v = rows
                .iter()
                .find(|(key, _)| key == k.key)
                .map_or(k.default.to_string(), |(_, v)| v.clone());
            values.insert(k.key, v);
        }
        Ok(Config { values })
    }

    /// The value of `key` (without its `notify_` prefix).
    pub fn get(&self, key: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k.strip_prefix("notify_") == Some(key))
            .map_or("", |(_, v)| v.as_str())
    }

    /// SMS requests per second at most (the provider's rate).
    pub fn sms_per_second(&self) -> u32 {
        self.get("sms_per_second")
            .parse()
            .unwrap_or(10)
            .clamp(1, 100)
    }
}

/// The channels' settings as the 通知 screen shows them: every secret only as set or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    /// key (without `notify_`) → value; a secret's value is never here.
    pub values: std::collections::BTreeMap<String, String>,
    /// The secrets that are set (key without `notify_`).
    pub secrets_set: Vec<String>,
    /// The secrets' keys, for the screen's password fields.
    pub secrets: Vec<String>,
}

fn shown(config: &Config) -> Shown {
    let mut values = std::collections::BTreeMap::new();
    let mut secrets_set = Vec::new();
    let mut secrets = Vec::new();
    for k in KEYS {
        let name = k.key.trim_start_matches("notify_").to_string();
        let v = config.values.get(k.key).cloned().unwrap_or_default();
        if k.secret {
            if !v.is_empty() {
                secrets_set.push(name.clone());
            }
            secrets.push(name);
        } else {
            values.insert(name, v);
        }
    }
    Shown {
        values,
        secrets_set,
        secrets,
    }
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// notify.settings: the channels' settings, secrets only as set or not.
pub fn settings(desk: &mut Desk, _: NoArgs) -> Result<Shown> {
    Ok(shown(&Config::load(desk.conn())?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    /// key (without `notify_`) → new value; a key not given is kept. A secret given as ""
    /// is cleared.
    pub values: std::collections::BTreeMap<String, String>,
}

/// An endpoint: an http(s) URL without spaces (http for a local fake or a proxy).
fn check_url(label: &str, v: &str) -> Result<()> {
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "values",
            format!("{label}应以 https:// 开头，不含空格"),
        ))
    }
}

/// notify.save_settings: the keys given, each checked before any is written.
pub fn save_settings(desk: &mut Desk, a: SaveArgs) -> Result<Shown> {
    if a.values.len() > KEYS.len() {
        return Err(Error::invalid("values", "设置项太多"));
    }
    let mut out = Vec::new();
    for (name, value) in &a.values {
        let Some(k) = KEYS
            .iter()
            .find(|k| k.key.strip_prefix("notify_") == Some(name.as_str()))
        else {
            return Err(Error::invalid(
                "values",
                format!("没有“{name}”这个通知设置"),
            ));
        };
        let v = value.trim();
        if v.chars().count() > k.max {
            return Err(Error::invalid(
                "values",
                format!("{}不能超过{}个字", k.label, k.max),
            ));
        }
        if v.chars().any(char::is_control) {
            return Err(Error::invalid("values", format!("{}含有控制字符", k.label)));
        }
        match name.as_str() {
            "sms_provider" if !["", "aliyun", "tencent"].contains(&v) => {
                return Err(Error::invalid(
                    "values",
                    "短信服务商只能是：aliyun（阿里云）、tencent（腾讯云）或不用",
                ))
            }
            "sms_per_second" if v.parse::<u32>().map_or(true, |n| !(1..=100).contains(&n)) => {
                return Err(Error::invalid("values", "短信每秒最多应为 1–100"))
            }
            "wecom_msgtype" if !["text", "markdown"].contains(&v) => {
                return Err(Error::invalid(
                    "values",
                    "企业微信消息类型只能是 text 或 markdown",
                ))
            }
            n if (n.ends_with("endpoint") || n == "wecom_webhook") && !v.is_empty() => {
                check_url(k.label, v)?
            }
            _ => {}
        }
        out.push((k, v.to_string()));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    let before = Config::load(&tx)?;
    let mut changed = Vec::new();
    for (k, v) in &out {
        if before.values.get(k.key).map(String::as_str) == Some(v.as_str()) {
            continue;
        }
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![k.key, v],
        )?;
        // A secret's value never reaches the audit trail.
        changed.push(if k.secret {
            format!(
                "{}：{}",
                k.label,
                if v.is_empty() {
                    "已清除"
                } else {
                    "已更换"
                }
            )
        } else {
            format!("{}：{v}", k.label)
        });
    }
    if !changed.is_empty() {
        audit::record(&tx, &at, "settings", "setting", 0, &changed.join("；"))?;
    }
    let config = Config::load(&tx)?;
    tx.commit()?;
    Ok(shown(&config))
}

/// One message ready for a provider.
#[derive(Debug, Clone)]
pub struct Message {
    pub channel: NotifyChannel,
    /// The phone, the openid; "" for the 企业微信 group.
    pub recipient: String,
    /// The text as rendered (the 企业微信 group's content; SMS: what the provider's
    /// template says with these values; WeChat: the `key=value` lines).
    pub text: String,
    /// SMS: the template's variables in the order they appear, with Aliyun's keys.
    pub params: Vec<(&'static str, String)>,
    /// The provider's template code.
    pub provider_template: String,
}

/// What a provider did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted: the provider's reply.
    Sent(String),
    /// Not accepted: the reply (or what went wrong); `retry` when a later try may pass
    /// (the network, the provider busy or rate-limited).
    Failed { reply: String, retry: bool },
    /// Not handed over at all, and why (not configured, not approved).
    Refused(String),
}

/// A channel's own memory during one run of the jobs (WeChat's access token).
#[derive(Debug, Default)]
pub struct Session {
    pub wechat_token: Option<String>,
}

/// Hands `m` to its provider, now. `now` is the desk's clock (signatures carry it).
pub fn deliver(
    config: &Config,
    session: &mut Session,
    m: &Message,
    now: chrono::DateTime<chrono::Utc>,
) -> Outcome {
    match m.channel {
        NotifyChannel::Wecom => wecom::send(config, m),
        NotifyChannel::Wechat => wechat::send(config, session, m),
        NotifyChannel::Sms => match config.get("sms_provider") {
            "aliyun" => aliyun::send(config, m, now),
            "tencent" => tencent::send(config, m, now),
            _ => Outcome::Refused("未设置短信服务商".into()),
        },
    }
}

/// A random hex string of `bytes` bytes (nonces).
pub fn nonce(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    // The OS's random source does not fail in practice; a zero nonce would still be sent
    // once (the provider refuses a replay, and the message is retried).
    let _ = getrandom::fill(&mut b);
    super::sign::hex(&b)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestArgs {
    pub channel: String,
    /// SMS: the phone; WeChat: the openid (the 企业微信 group needs none).
    pub to: String,
}

#[derive(Debug, Serialize)]
pub struct Tested {
    pub sent: bool,
    pub reply: String,
}

/// notify.test: sends a test message on `channel` now and logs the attempt.
pub fn test(desk: &mut Desk, a: TestArgs) -> Result<Tested> {
    let channel = NotifyChannel::parse(&a.channel, "channel")?;
    let to = crate::platform::text::field("to", "接收人", &a.to, 64, false)?;
    let recipient = match channel {
        NotifyChannel::Sms => super::outbox::mobile(&to)
            .ok_or_else(|| Error::invalid("to", "请填写接收测试短信的手机号（11 位）"))?,
        NotifyChannel::Wechat if to.is_empty() => {
            return Err(Error::invalid("to", "请填写接收测试消息的微信 openid"))
        }
        NotifyChannel::Wechat => to,
        NotifyChannel::Wecom => String::new(),
    };
    let config = Config::load(desk.conn())?;
    let template = super::template(
        desk.conn(),
        crate::orders::words::Notice::Registered,
        channel,
    )?;
    let facts = crate::orders::notice::Facts {
        customer: "测试".into(),
        number: "TEST".into(),
        ..Default::default()
    };
    let text = match channel {
        NotifyChannel::Wecom => "【售后服务台】测试消息：企业微信群机器人已接通。".to_string(),
        _ => super::render(&template.body, &facts),
    };
    let m = Message {
        channel,
        recipient,
        params: super::params(&template.body, &facts),
        text,
        provider_template: template.provider_template.clone(),
    };
    let outcome = if !template.approved_for_sending() {
        Outcome::Refused(format!(
            "“{}”的{}模板未通过审核，不能发送（测试用“已登记”的模板）",
            crate::orders::words::Notice::Registered.label(),
            channel.label()
        ))
    } else {
        deliver(&config, &mut Session::default(), &m, desk.now())
    };
    let at = desk.stamp();
    let tx = desk.write()?;
    let (status, reply) = super::outbox::record(&tx, None, None, &at, &m, &outcome)?;
    audit::record(
        &tx,
        &at,
        "notify_test",
        "setting",
        0,
        &format!("{}：{}", channel.label(), status.label()),
    )?;
    tx.commit()?;
    Ok(Tested {
        sent: status == super::AttemptStatus::Sent,
        reply,
    })
}
