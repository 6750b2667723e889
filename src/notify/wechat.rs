//! WeChat service-account template messages (公众号模板消息), as the platform documents
//! them: an access token from `GET /cgi-bin/token?grant_type=client_credential&appid=…
//! &secret=…` (the secret in the address: never logged), then `POST
//! /cgi-bin/message/template/send?access_token=…` with `{"touser", "template_id",
//! "data": {key: {"value"}}}`; each value at most 20 characters (the platform's rule
//! since 2023: cut, the log shows the values sent). The answer `{"errcode":0,…}` is
//! sent; `-1` (busy), `45009` (too many) and an expired token may pass later.

use serde_json::json;

use super::channels::{Config, Message, Outcome, Session};
use super::http;
use super::sign::percent;

/// The access token, fetched once per run of the jobs.
fn token(config: &Config, session: &mut Session) -> Result<String, Outcome> {
    if let Some(t) = &session.wechat_token {
        return Ok(t.clone());
    }
    let (app, secret) = (config.get("wechat_app_id"), config.get("wechat_app_secret"));
    if app.is_empty() || secret.is_empty() {
        return Err(Outcome::Refused(
            "未设置微信公众号的 AppID 或 AppSecret".into(),
        ));
    }
    let url = format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        config.get("wechat_endpoint").trim_end_matches('/'),
        percent(app),
        percent(secret)
    );
    let answer = http::get(&url).map_err(|e| Outcome::Failed {
        reply: format!("获取 access_token 失败：{e}"),
        retry: true,
    })?;
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
    match v["access_token"].as_str() {
        Some(t) if answer.status == 200 && !t.is_empty() => {
            session.wechat_token = Some(t.to_string());
            Ok(t.to_string())
        }
        _ => Err(Outcome::Failed {
            retry: answer.status >= 500 || v["errcode"].as_i64() == Some(-1),
            // The reply names the error, never the secret.
            reply: format!(
                "获取 access_token 失败：HTTP {}：{}",
                answer.status, answer.body
            ),
        }),
    }
}

/// The body of a template message: `m.text`'s `key=value` lines as `data`.
pub fn body(m: &Message) -> serde_json::Value {
    let data: serde_json::Map<String, serde_json::Value> = super::wechat_data(&m.text)
        .into_iter()
        .map(|(k, v)| (k, json!({ "value": v })))
        .collect();
    json!({"touser": m.recipient, "template_id": m.provider_template, "data": data})
}

pub fn send(config: &Config, session: &mut Session, m: &Message) -> Outcome {
    let token = match token(config, session) {
        Ok(t) => t,
        Err(outcome) => return outcome,
    };
    let url = format!(
        "{}/cgi-bin/message/template/send?access_token={}",
        config.get("wechat_endpoint").trim_end_matches('/'),
        percent(&token)
    );
    let payload = body(m).to_string();
    // An expired or refused token (40001, 42001) is fetched anew at the next attempt.
    let mut stale = false;
    let outcome = http::post_judged(
        &url,
        &[("Content-Type", "application/json".to_string())],
        payload.as_bytes(),
        |answer| {
            let (outcome, code) = http::errcode(answer, &[-1, 45009, 40001, 42001]);
            stale = matches!(code, Some(40001) | Some(42001));
            outcome
        },
    );
    if stale {
        session.wechat_token = None;
    }
    outcome
}
