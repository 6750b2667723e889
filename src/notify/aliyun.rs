//! SMS through Aliyun 短信服务 (dysmsapi, `SendSms`, API version 2017-05-25), signed with
//! Aliyun's V3 signature (ACS3-HMAC-SHA256) as its documentation lays it out: the
//! parameters in the query string, an empty body; the canonical request (method, `/`,
//! the query sorted by name and RFC 3986-encoded, the `host` and `x-acs-*` headers
//! lowercase and sorted, their names, the body's SHA-256), the string to sign
//! `ACS3-HMAC-SHA256\n` + its SHA-256, and the signature HMAC-SHA256 under the AccessKey
//! secret, in hex. A test holds [`authorization`] to the documentation's worked example.

use super::channels::{nonce, Config, Message, Outcome};
use super::http;
use super::sign::{hex, hmac_sha256, percent, sha256_hex};

pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2017-05-25";

/// The query string of `params`, sorted by name, each name and value RFC 3986-encoded.
pub fn canonical_query(params: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent(k), percent(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` header of a request with `headers` (lowercase names, the signed
/// ones: `host` and `x-acs-*`), the canonical `query` and an empty body.
pub fn authorization(
    method: &str,
    query: &str,
    headers: &[(&str, String)],
    key_id: &str,
    secret: &str,
) -> String {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{method}\n/\n{query}\n{canonical_headers}\n{signed}\n{}",
        sha256_hex(b"")
    );
    let to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes()));
    let signature = hex(&hmac_sha256(secret.as_bytes(), to_sign.as_bytes()));
    format!("ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={signed},Signature={signature}")
}

/// `https://host[:port]/…` → `host[:port]`.
pub fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or("")
}

/// Aliyun's answer: `Code` "OK" is sent; throttling and the server's own errors may pass
/// later; anything else (signature, template, sign name, number) will not.
fn outcome(answer: http::Answer) -> Outcome {
    let code = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["Code"].as_str().map(str::to_string))
        .unwrap_or_default();
    if answer.status == 200 && code == "OK" {
        return Outcome::Sent(answer.body);
    }
    let retry = answer.status >= 500
        || answer.status == 429
        || code.contains("LIMIT_CONTROL")
        || code.starts_with("Throttling")
        || code.contains("ServiceUnavailable");
    Outcome::Failed {
        reply: format!("HTTP {}：{}", answer.status, answer.body),
        retry,
    }
}

/// Sends `m` (its `params` as `TemplateParam`, keyed as the template's variables).
pub fn send(config: &Config, m: &Message, now: chrono::DateTime<chrono::Utc>) -> Outcome {
    let (key_id, secret, sign_name) = (
        config.get("aliyun_access_key_id"),
        config.get("aliyun_access_key_secret"),
        config.get("aliyun_sign_name"),
    );
    if key_id.is_empty() || secret.is_empty() || sign_name.is_empty() {
        return Outcome::Refused("未设置阿里云短信的 AccessKey 或签名".into());
    }
    let template_param: serde_json::Map<String, serde_json::Value> = m
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let query = canonical_query(&[
        ("PhoneNumbers", m.recipient.clone()),
        ("SignName", sign_name.to_string()),
        ("TemplateCode", m.provider_template.clone()),
        (
            "TemplateParam",
            serde_json::Value::Object(template_param).to_string(),
        ),
    ]);
    let endpoint = config.get("aliyun_endpoint");
    let headers = [
        ("host", authority(endpoint).to_string()),
        ("x-acs-action", ACTION.to_string()),
        ("x-acs-content-sha256", sha256_hex(b"")),
        ("x-acs-date", now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ("x-acs-signature-nonce", nonce(16)),
        ("x-acs-version", VERSION.to_string()),
    ];
    let auth = authorization("POST", &query, &headers, key_id, secret);
    let mut sent: Vec<(&str, String)> = headers
        .iter()
        .filter(|(k, _)| *k != "host")
        .cloned()
        .collect();
    sent.push(("Authorization", auth));
    let url = format!("{}/?{query}", endpoint.trim_end_matches('/'));
    http::post_judged(&url, &sent, b"", outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Aliyun's "V3 请求体&签名机制": ECS RunInstances on
    /// ecs.cn-shanghai.aliyuncs.com with the documentation's fixed key, date and nonce.
    #[test]
    fn signs_the_documented_example() {
        let query = canonical_query(&[
            ("RegionId", "cn-shanghai".into()),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".into(),
            ),
        ]);
        assert_eq!(
            query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        let headers = [
            ("x-acs-action", "RunInstances".to_string()),
            ("host", "ecs.cn-shanghai.aliyuncs.com".to_string()),
            (
                "x-acs-content-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_string(),
            ),
            ("x-acs-date", "2023-10-26T10:22:32Z".to_string()),
            (
                "x-acs-signature-nonce",
                "3156853299f313e23d1673dc12e1703d".to_string(),
            ),
            ("x-acs-version", "2014-05-26".to_string()),
        ];
        assert_eq!(
            authorization(
                "POST",
                &query,
                &headers,
                "YourAccessKeyId",
                "YourAccessKeySecret"
            ),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;\
             x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }
}
