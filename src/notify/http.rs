//! The HTTP client the messages go out through: `ureq`, synchronous like the core, over
//! rustls with the `ring` provider the LAN door already compiles and Mozilla's roots
//! (webpki-roots) built in, so it needs no OpenSSL and builds for Windows alike
//! (docs/DECISIONS.md, "Issue 20: status messages"). Every request has a time limit and
//! every reply body a size limit; redirects are not followed (a provider never answers
//! with one, and a redirect would carry the signed request elsewhere).

use std::io::Read;
use std::time::Duration;

/// The longest wait for a provider, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The most of a reply read (a provider's JSON is a few hundred bytes).
pub const MAX_REPLY: u64 = 64 * 1024;

/// A provider's answer: the HTTP status and the body as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent("aftersales-desk")
        .build()
        .into()
}

fn answer(reply: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
    let reply = reply.map_err(|e| failed(&e))?;
    let status = reply.status().as_u16();
    let mut body = String::new();
    reply
        .into_body()
        .into_reader()
        .take(MAX_REPLY)
        .read_to_string(&mut body)
        .map_err(|e| format!("读取服务商回复失败：{e}"))?;
    Ok(Answer { status, body })
}

/// What went wrong, in words that never carry the address (it may hold a key or a token).
fn failed(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "连接服务商超时".into(),
        ureq::Error::HostNotFound => "找不到服务商的地址（域名解析失败）".into(),
        ureq::Error::ConnectionFailed => "无法连接服务商".into(),
        ureq::Error::Io(io) => format!("与服务商的网络连接出错（{}）", io.kind()),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            "与服务商的加密连接失败（证书或 TLS）".into()
        }
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => "服务商地址不正确".into(),
        _ => "请求服务商失败".into(),
    }
}

/// POSTs `body` to `url` with `headers`.
pub fn post(url: &str, headers: &[(&str, String)], body: &[u8]) -> Result<Answer, String> {
    let mut request = agent().post(url);
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    answer(request.send(body))
}

/// POSTs `body` to `url` and judges the answer with `judge`; a request that got no answer
/// (no connection, a time-out) may pass later.
pub fn post_judged(
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    judge: impl FnOnce(Answer) -> super::channels::Outcome,
) -> super::channels::Outcome {
    match post(url, headers, body) {
        Ok(answer) => judge(answer),
        Err(e) => super::channels::Outcome::Failed {
            reply: e,
            retry: true,
        },
    }
}

/// The answer of Tencent's WeChat platforms (企业微信 robot, service account): `errcode` 0
/// is sent; a 5xx or one of `passing` (busy, too many) may pass later. Returns the
/// `errcode` too.
pub fn errcode(answer: Answer, passing: &[i64]) -> (super::channels::Outcome, Option<i64>) {
    let code = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["errcode"].as_i64());
    let outcome = match code {
        Some(0) if answer.status == 200 => super::channels::Outcome::Sent(answer.body),
        code => super::channels::Outcome::Failed {
            retry: answer.status >= 500 || code.is_some_and(|c| passing.contains(&c)),
            reply: format!("HTTP {}：{}", answer.status, answer.body),
        },
    };
    (outcome, code)
}

/// GETs `url`.
pub fn get(url: &str) -> Result<Answer, String> {
    answer(agent().get(url).call())
}
