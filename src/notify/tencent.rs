//! SMS through Tencent Cloud 短信 (`SendSms`, API version 2021-01-11), signed with
//! TC3-HMAC-SHA256 as Tencent Cloud's "签名方法 v3" lays it out: the canonical request
//! (POST, `/`, an empty query, the `content-type` and `host` headers lowercase, their
//! names, the body's SHA-256), the string to sign (algorithm, timestamp, the scope
//! `date/sms/tc3_request` with the UTC date, the canonical request's SHA-256), the key
//! derived from `TC3` + SecretKey through the date, the service and `tc3_request`, and
//! the signature in hex. A test holds [`signature`] to the documentation's worked example.

use serde::Serialize;

use super::aliyun::authority;
use super::channels::{Config, Message, Outcome};
use super::http;
use super::sign::{hex, hmac_sha256, sha256_hex};

pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2021-01-11";
pub const SERVICE: &str = "sms";
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The signature of a POST with `payload` to `host`, at `timestamp` (seconds), for
/// `service`, and the scope it was made for.
pub fn signature(
    secret_key: &str,
    service: &str,
    host: &str,
    payload: &[u8],
    timestamp: i64,
) -> (String, String) {
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{}\n\ncontent-type;host\n{}",
        host.to_ascii_lowercase(),
        sha256_hex(payload)
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    (
        hex(&hmac_sha256(&secret_signing, to_sign.as_bytes())),
        scope,
    )
}

/// The body of `SendSms`, in the documentation's field names.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSms<'a> {
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<&'a str>,
}

/// Tencent's answer: every `SendStatusSet` entry `Ok` is sent; `LimitExceeded…`,
/// `RequestLimitExceeded` and `InternalError…` may pass later; the rest will not.
fn outcome(answer: http::Answer) -> Outcome {
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
    let r = &v["Response"];
    let error = r["Error"]["Code"].as_str().unwrap_or("");
    let status = r["SendStatusSet"][0]["Code"].as_str().unwrap_or("");
    if answer.status == 200 && error.is_empty() && status == "Ok" {
        return Outcome::Sent(answer.body);
    }
    let code = if error.is_empty() { status } else { error };
    let retry = answer.status >= 500
        || code.starts_with("LimitExceeded")
        || code.starts_with("RequestLimitExceeded")
        || code.starts_with("InternalError");
    Outcome::Failed {
        reply: format!("HTTP {}：{}", answer.status, answer.body),
        retry,
    }
}

/// Sends `m` (its `params`' values, in the order the text names them, as
/// `TemplateParamSet`).
pub fn send(config: &Config, m: &Message, now: chrono::DateTime<chrono::Utc>) -> Outcome {
    let (id, key, app, sign_name) = (
        config.get("tencent_secret_id"),
        config.get("tencent_secret_key"),
        config.get("tencent_sdk_app_id"),
        config.get("tencent_sign_name"),
    );
    if id.is_empty() || key.is_empty() || app.is_empty() || sign_name.is_empty() {
        return Outcome::Refused("未设置腾讯云短信的 SecretId、SecretKey、SdkAppId 或签名".into());
    }
    let body = SendSms {
        phone_number_set: [format!("+86{}", m.recipient)],
        sms_sdk_app_id: app,
        sign_name,
        template_id: &m.provider_template,
        template_param_set: m.params.iter().map(|(_, v)| v.as_str()).collect(),
    };
    let payload = serde_json::to_vec(&body).unwrap_or_default();
    let endpoint = config.get("tencent_endpoint");
    let host = authority(endpoint);
    let timestamp = now.timestamp();
    let (sig, scope) = signature(key, SERVICE, host, &payload, timestamp);
    let headers = [
        (
            "Authorization",
            format!(
                "TC3-HMAC-SHA256 Credential={id}/{scope}, SignedHeaders=content-type;host, Signature={sig}"
            ),
        ),
        ("Content-Type", CONTENT_TYPE.to_string()),
        ("X-TC-Action", ACTION.to_string()),
        ("X-TC-Version", VERSION.to_string()),
        ("X-TC-Timestamp", timestamp.to_string()),
        ("X-TC-Region", config.get("tencent_region").to_string()),
    ];
    http::post_judged(endpoint, &headers, &payload, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent Cloud's "签名方法 v3": CVM DescribeInstances at
    /// 1551113065 with the documentation's example SecretKey.
    #[test]
    fn signs_the_documented_example() {
        let payload = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(
            sha256_hex(payload),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let (sig, scope) = signature(
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            "cvm.tencentcloudapi.com",
            payload,
            1_551_113_065,
        );
        assert_eq!(scope, "2019-02-25/cvm/tc3_request");
        assert_eq!(
            sig,
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }
}
