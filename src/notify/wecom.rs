//! The 企业微信 group robot (群机器人): a POST of JSON to the group's webhook address
//! (`notify_wecom_webhook`, which carries the robot's key: a secret, never logged), as
//! its documentation describes: `{"msgtype":"text","text":{"content":…}}` or
//! `{"msgtype":"markdown","markdown":{"content":…}}`; the answer `{"errcode":0,…}`.
//! The robot takes 20 messages a minute (outbox.rs keeps to it); `45009` (too many) may
//! pass later.

use serde_json::json;

use super::channels::{Config, Message, Outcome};
use super::http;

/// The JSON body of `text` as `msgtype` (`text` or `markdown`).
pub fn body(msgtype: &str, text: &str) -> serde_json::Value {
    match msgtype {
        "markdown" => json!({"msgtype": "markdown", "markdown": {"content": text}}),
        _ => json!({"msgtype": "text", "text": {"content": text}}),
    }
}

pub fn send(config: &Config, m: &Message) -> Outcome {
    let webhook = config.get("wecom_webhook");
    if webhook.is_empty() {
        return Outcome::Refused("未设置企业微信群机器人地址".into());
    }
    let payload = body(config.get("wecom_msgtype"), &m.text).to_string();
    http::post_judged(
        webhook,
        &[("Content-Type", "application/json".to_string())],
        payload.as_bytes(),
        |answer| http::errcode(answer, &[-1, 45009]).0,
    )
}
