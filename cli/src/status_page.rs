//! `GET /s/{code}`: the status page (进度查询, issue 20), the browser door's only page
//! with data that needs no session. The core decides what it shows
//! ([`aftersales::orders::status_page`]); here it becomes one small HTML page for a
//! phone, every value escaped (names are typed by customers and staff). A code that is
//! not one (never was, revoked, not even a code's shape, anything under `/s/`) gets one
//! and the same 404 page; a peer over the limit a 429 page. Its headers (a content policy
//! of its own, no caching, no referrer) are set by [`crate::guard::headers`].

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};

use aftersales::orders::status_page::{self, Lookup, PublicStatus};
use aftersales::platform::money::yuan;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::Digest;

use crate::serve::Door;

/// The page's one stylesheet, inline (the page is self-contained: a gateway in front of
/// the door needs to pass `/s/` only) and allowed by its hash in [`CSP`].
const STYLE: &str = "\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;\
color:#1f2329;background:#f2f3f5}\
main{max-width:480px;margin:0 auto;padding:16px}\
h1{font-size:18px;margin:8px 0 0}\
.sub{color:#646a73;margin:0 0 12px}\
.status{background:#fff;border-radius:8px;padding:16px;margin-bottom:12px}\
.status .value{font-size:28px;font-weight:600;color:#1456f0}\
.status .at,.steps time,.note{color:#646a73;font-size:14px}\
dl{background:#fff;border-radius:8px;padding:8px 16px;margin:0 0 12px;\
display:grid;grid-template-columns:auto 1fr;gap:8px 16px}\
dt{color:#646a73}dd{margin:0;text-align:right;word-break:break-all}\
.due{font-weight:600;color:#d83931}\
h2{font-size:16px;margin:16px 0 8px}\
.steps{background:#fff;border-radius:8px;margin:0;padding:8px 16px 8px 36px}\
.steps li{padding:4px 0}.steps time{float:right}\
footer{margin-top:16px;color:#646a73;font-size:14px;text-align:center}\
a{color:#1456f0}";

/// The page's Content-Security-Policy: nothing may load or run; only its own inline
/// stylesheet, by hash; no form, no base, no framing.
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// Whether `path` is a status page's (what [`crate::guard::headers`] gives this page's
/// headers to).
pub fn is_status_path(path: &str) -> bool {
    path.starts_with("/s/")
}

/// `GET /s/{*rest}`: the path as sent, never decoded (a code is plain hex; anything
/// percent-encoded simply is not one).
pub async fn page(
    State(door): State<Arc<Door>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let code: String = request
        .uri()
        .path()
        .strip_prefix("/s/")
        .unwrap_or("")
        .chars()
        .take(status_page::CODE_CHARS + 1)
        .collect();
    let looked = tokio::task::spawn_blocking(move || {
        let desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
        status_page::lookup(&desk, Some(peer.ip()), &code)
    })
    .await;
    match looked {
        Ok(Ok(Lookup::Found(view))) => html(StatusCode::OK, &found(&view)),
        Ok(Ok(Lookup::NotFound)) => not_found(),
        Ok(Ok(Lookup::Limited)) => {
            let mut r = html(
                StatusCode::TOO_MANY_REQUESTS,
                &message_page("查询过于频繁", "查询过于频繁，请一分钟后再试。"),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            r
        }
        Ok(Err(e)) => {
            eprintln!("进度查询：{e}");
            unavailable()
        }
        Err(e) => {
            eprintln!("进度查询：{e}");
            unavailable()
        }
    }
}

/// The one page for every code that is not one.
pub fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        &message_page(
            "链接无效",
            "此查询链接无效或已失效。如需查询维修进度，请拨打服务热线或联系服务网点。",
        ),
    )
}

fn unavailable() -> Response {
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        &message_page("暂时无法查询", "暂时无法查询，请稍后再试。"),
    )
}

fn html(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// `text` for HTML text and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body><main>",
        escape(title)
    )
}

const TAIL: &str = "</main></body></html>\n";

fn message_page(title: &str, message: &str) -> String {
    format!(
        "{}<h1>维修进度查询</h1><p class=\"note\" data-field=\"message\">{}</p>{TAIL}",
        head(title),
        escape(message)
    )
}

/// The page of one order.
pub fn found(v: &PublicStatus) -> String {
    let mut out = head(&format!("维修进度 · {}", v.company));
    out.push_str(&format!(
        "<h1 data-field=\"company\">{}</h1><p class=\"sub\">维修进度查询</p>",
        escape(&v.company)
    ));
    out.push_str(&format!(
        "<section class=\"status\"><div>当前状态</div>\
         <div class=\"value\" data-field=\"status\">{}</div>\
         <div class=\"at\" data-field=\"status_at\">{}</div></section>",
        escape(v.status_label),
        escape(&v.status_at)
    ));
    let row = |label: &str, field: &str, value: &str, class: &str| {
        format!(
            "<dt>{}</dt><dd data-field=\"{field}\"{class}>{}</dd>",
            escape(label),
            escape(value)
        )
    };
    out.push_str("<dl>");
    out.push_str(&row("工单号", "number", &v.number, ""));
    out.push_str(&row("客户", "customer", &v.customer, ""));
    out.push_str(&row(
        "工程师",
        "engineer",
        v.engineer.as_deref().unwrap_or("待派工"),
        "",
    ));
    out.push_str(&row(
        "预约时间",
        "appointment",
        v.appointment.as_deref().unwrap_or("未预约"),
        "",
    ));
    if v.total_fen > 0 {
        out.push_str(&row("费用合计", "total", &yuan(v.total_fen), ""));
        out.push_str(&row("已付", "paid", &yuan(v.paid_fen), ""));
        out.push_str(&row("待付金额", "due", &yuan(v.due_fen), " class=\"due\""));
    }
    out.push_str("</dl><h2>进度</h2><ol class=\"steps\" data-field=\"steps\">");
    for step in &v.steps {
        out.push_str(&format!(
            "<li><span>{}</span> <time>{}</time></li>",
            escape(step.status_label),
            escape(&step.at)
        ));
    }
    out.push_str("</ol>");
    if !v.hotline.is_empty() {
        out.push_str(&format!(
            "<footer>服务热线 <span data-field=\"hotline\">{}</span></footer>",
            escape(&v.hotline)
        ));
    }
    out.push_str(TAIL);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_typed_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
    }

    #[test]
    fn the_style_is_allowed_by_its_hash_and_nothing_else_loads() {
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(STYLE));
        assert!(CSP.contains(&format!("'sha256-{hash}'")));
        assert!(CSP.starts_with("default-src 'none';"));
        assert!(!STYLE.contains("</style"));
    }
}
