//! The browser door's guards (issue 16): which names the door answers to (`Host`), which
//! pages may post to its API (`Origin`, `Content-Type`), how much a request may send before
//! anyone has logged in, and the headers every reply carries.
//!
//! A web page the clerk happens to visit can make the browser send requests to
//! `http://127.0.0.1:PORT/`; with DNS rebinding it can even read the replies, under its own
//! host name. The door therefore answers only its own names, refuses API posts from foreign
//! origins and anything but a JSON body (a cross-site form or a `text/plain` fetch needs no
//! permission from the browser), and forbids being framed.

use std::net::{IpAddr, Ipv4Addr};

use aftersales::people::settings::Lan;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::json;

/// Largest body of a request that comes without a live session: a login, a logout, the
/// status of the desk. A login is a few hundred bytes.
pub const PRE_SESSION_LIMIT: usize = 64 * 1024;
/// Largest body of any other command in a live session (a signature of 20,000 points and a
/// 512 KB logo as base64 both fit).
pub const SESSION_LIMIT: usize = 2 * 1024 * 1024;
/// The commands that carry a file, and their largest body in a live session: a 64 MB
/// spreadsheet as base64 (4/3 of its size) plus the JSON around it.
pub const FILE_LIMIT: usize = 90 * 1024 * 1024;
const FILE_COMMANDS: &[&str] = &[
    "import.preview",
    "import.commit",
    "import.report",
    "stocktake.count_file",
];
/// `backup.restore` with an uploaded backup (the administrator's): the core's largest
/// upload as base64 plus the JSON around it.
pub const RESTORE_LIMIT: usize = aftersales::people::backup::UPLOAD_MAX_BYTES / 3 * 4 + 64 * 1024;
/// `orders.attach` (issue 20: a photo or a PDF on an order): the core's 10 MB as base64 (4/3
/// of it, as a `data:` address too) plus the JSON around it.
pub const ATTACH_LIMIT: usize =
    aftersales::orders::attachments::MAX_BYTES.div_ceil(3) * 4 + 64 * 1024;
/// `auth.setup` comes before anyone can log in and may carry the company logo (512 KB as
/// base64, about 700 KB): it alone gets 1 MB without a session.
pub const SETUP_LIMIT: usize = 1024 * 1024;

/// The Content-Security-Policy of every reply: the desktop window's (src-tauri/tauri.conf.json)
/// with `connect-src 'self'` only, since a browser talks to nothing but this door (the
/// window's `ipc:` sources mean nothing here). A unit test keeps the two in step.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
frame-src 'self' blob:; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

/// The names and the origin this door answers to, fixed at start.
#[derive(Debug, Clone)]
pub struct Guard {
    /// `http` or `https`: the scheme of the door's own pages, which every `Origin` must use.
    scheme: &'static str,
    /// The port the door listens on; a `Host` without one means the scheme's default.
    port: u16,
    /// Host names and addresses as they appear in a `Host` header (lower case, IPv6 in
    /// brackets), without the port.
    hosts: Vec<String>,
}

impl Guard {
    /// The door at `scheme://…:port`. Loopback names always; with the LAN open also the
    /// PC's own addresses `own` and the names the administrator listed (`lan_names`).
    pub fn new(scheme: &'static str, port: u16, lan: &Lan, own: &[IpAddr]) -> Guard {
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .map(String::from)
            .to_vec();
        if lan.open {
            for ip in own {
                let text = match ip {
                    IpAddr::V4(v4) => v4.to_string(),
                    IpAddr::V6(v6) => format!("[{v6}]"),
                };
                if !hosts.contains(&text) {
                    hosts.push(text);
                }
            }
            for name in &lan.names {
                if !hosts.contains(name) {
                    hosts.push(name.clone());
                }
            }
        }
        Guard {
            scheme,
            port,
            hosts,
        }
    }

    /// The host names the door answers to, for the console.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Whether `host[:port]` (a `Host` header, or the authority of an origin) names this
    /// door: one of its names, and its port (or none when the port is the scheme's default).
    fn names_me(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        let (host, port) = match authority.rfind(':') {
            // `[::1]:8765` and `127.0.0.1:8765`; a bare `[::1]` has its colon inside.
            Some(at) if !authority[at..].contains(']') => {
                (&authority[..at], authority[at + 1..].parse::<u16>().ok())
            }
            _ => (
                authority.as_str(),
                Some(if self.scheme == "https" { 443 } else { 80 }),
            ),
        };
        port == Some(self.port) && self.hosts.iter().any(|h| h == host)
    }

    /// Whether an `Origin` header is one of this door's own pages.
    fn same_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix(self.scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|authority| !authority.contains('/') && self.names_me(authority))
    }
}

/// The PC's own addresses (loopback left out): what other PCs type to reach it.
pub fn own_addresses() -> Vec<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces
            .iter()
            .map(|i| i.ip())
            .filter(|ip| !ip.is_loopback())
            .collect(),
        Err(e) => {
            eprintln!("无法读取本机的网络接口：{e}");
            Vec::new()
        }
    }
}

/// The subnets of the PC's own IPv4 interfaces (loopback left out, and any wider than the
/// settings would take): the LAN door's allow-list when the administrator set none.
pub fn own_subnets() -> Vec<(Ipv4Addr, u8)> {
    let mut out = Vec::new();
    for interface in if_addrs::get_if_addrs().unwrap_or_default() {
        if let if_addrs::IfAddr::V4(v4) = interface.addr {
            if v4.ip.is_loopback() {
                continue;
            }
            if let Some(net) = subnet(v4.ip, v4.prefixlen) {
                if !out.contains(&net) {
                    out.push(net);
                }
            }
        }
    }
    out
}

/// The network of `ip` with a `bits` prefix; none for a prefix the settings would refuse.
fn subnet(ip: Ipv4Addr, bits: u8) -> Option<(Ipv4Addr, u8)> {
    if !(aftersales::people::settings::LAN_ALLOW_MIN_PREFIX..=32).contains(&bits) {
        return None;
    }
    let mask = u32::MAX << (32 - u32::from(bits));
    Some((Ipv4Addr::from(u32::from(ip) & mask), bits))
}

/// A refusal: the status and the error JSON, message in Chinese.
fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({"code": code, "message": message}).to_string(),
    )
        .into_response()
}

/// Every request: the `Host` (and an absolute request target) must name this door, else
/// 421. API posts: a foreign `Origin` → 403, a body that is not `application/json` → 415.
/// Nothing runs for a refused request.
pub async fn check(
    State(guard): State<std::sync::Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let target = request.uri().authority().map(|a| a.as_str());
    let named = match (host, target) {
        (Some(h), Some(t)) => guard.names_me(h) && guard.names_me(t),
        (Some(one), None) | (None, Some(one)) => guard.names_me(one),
        (None, None) => false,
    };
    if !named {
        let shown: String = host.unwrap_or("").chars().take(100).collect();
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected",
            format!(
                "此服务台不以“{shown}”这个名称提供服务，请用本机地址或管理员在设置中登记的名称访问"
            ),
        );
    }
    if request.method() == Method::POST && is_api(request.uri()) {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let ok = origin.to_str().is_ok_and(|o| guard.same_origin(o));
            if !ok {
                let shown: String = String::from_utf8_lossy(origin.as_bytes())
                    .chars()
                    .take(100)
                    .collect();
                return refuse(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    format!("拒绝来自其他网页（{shown}）的请求：只有本服务台自己的页面可以调用它"),
                );
            }
        }
        if !is_json(request.headers()) {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求内容应为 JSON（Content-Type: application/json）".to_string(),
            );
        }
    }
    next.run(request).await
}

fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Every reply: the content policy, no sniffing, no framing, no referrer; API replies are
/// never stored by the browser (they hold customers' data and session tokens).
///
/// The status page (`/s/…`, issue 20) has its own stricter policy (nothing loads, its
/// inline style by hash), is never stored by the browser or a proxy on the way (the code
/// in its address is its key), and asks search engines to keep out.
pub async fn headers(request: Request, next: Next) -> Response {
    let api = is_api(request.uri());
    let status = crate::status_page::is_status_path(request.uri().path());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let policy = if status {
        HeaderValue::from_str(&crate::status_page::CSP).unwrap_or(HeaderValue::from_static(CSP))
    } else {
        HeaderValue::from_static(CSP)
    };
    h.insert(header::CONTENT_SECURITY_POLICY, policy);
    if status {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The largest body `command` may send: [`FILE_LIMIT`] for the commands carrying a file and
/// [`SESSION_LIMIT`] for the others in a live session, [`PRE_SESSION_LIMIT`] without one
/// (`auth.setup` [`SETUP_LIMIT`]; an uploaded backup [`RESTORE_LIMIT`]; a photo
/// [`ATTACH_LIMIT`]).
pub fn body_limit(command: &str, session_alive: bool) -> usize {
    match (session_alive, command) {
        (_, "auth.setup") => SETUP_LIMIT,
        (false, _) => PRE_SESSION_LIMIT,
        (true, c) if FILE_COMMANDS.contains(&c) => FILE_LIMIT,
        (true, "backup.restore") => RESTORE_LIMIT,
        (true, "orders.attach") => ATTACH_LIMIT,
        (true, _) => SESSION_LIMIT,
    }
}

/// The declared `Content-Length`, if any (and readable).
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// The body, read up to `limit` bytes: a declared length over it is refused before a byte is
/// read, and a body that goes on past it (chunked, or longer than declared) is refused as
/// soon as it does; what was read is dropped. 413 names the limit.
pub async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    session_alive: bool,
) -> Result<Bytes, Response> {
    let too_large = || {
        let why = if session_alive {
            ""
        } else {
            "；未登录时只接受登录等小请求"
        };
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("请求内容过大：此操作最多 {}{why}", size(limit)),
        )
    };
    let declared = declared_length(headers);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = body;
    let mut out = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            refuse(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("请求内容没有收完整：{e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(out))
}

/// `64 KB`, `2 MB`.
fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lan(open: bool, names: &[&str]) -> Lan {
        Lan {
            open,
            port: 8765,
            allow: vec![],
            names: names.iter().map(|n| n.to_string()).collect(),
            plain_http: false,
        }
    }

    #[test]
    fn the_door_answers_its_own_names_on_its_own_port() {
        let own: Vec<IpAddr> = vec!["192.168.1.20".parse().unwrap(), "fd00::5".parse().unwrap()];
        let shut = Guard::new("http", 8765, &lan(false, &["desk-pc"]), &own);
        for yes in ["127.0.0.1:8765", "LOCALHOST:8765", "[::1]:8765"] {
            assert!(shut.names_me(yes), "{yes}");
        }
        for no in [
            "127.0.0.1",
            "127.0.0.1:8766",
            "localhost.:8765",
            "evil.example:8765",
            "192.168.1.20:8765",
            "desk-pc:8765",
            "127.0.0.1:8765:1",
            "",
        ] {
            assert!(!shut.names_me(no), "{no}");
        }
        let open = Guard::new("https", 8765, &lan(true, &["desk-pc"]), &own);
        for yes in ["192.168.1.20:8765", "[fd00::5]:8765", "desk-pc:8765"] {
            assert!(open.names_me(yes), "{yes}");
        }
        assert!(!open.names_me("desk-pc.evil.example:8765"));
        let default_port = Guard::new("https", 443, &lan(false, &[]), &[]);
        assert!(default_port.names_me("localhost"));
        assert!(default_port.names_me("[::1]"));
    }

    #[test]
    fn an_origin_must_be_the_doors_own_scheme_and_name() {
        let g = Guard::new("http", 8765, &lan(false, &[]), &[]);
        assert!(g.same_origin("http://127.0.0.1:8765"));
        assert!(g.same_origin("http://localhost:8765"));
        for no in [
            "https://127.0.0.1:8765",
            "http://evil.example:8765",
            "http://127.0.0.1:8765/x",
            "null",
            "http://127.0.0.1:1",
        ] {
            assert!(!g.same_origin(no), "{no}");
        }
    }

    #[test]
    fn the_limits_depend_on_the_session_and_the_command() {
        assert_eq!(body_limit("auth.login", false), PRE_SESSION_LIMIT);
        assert_eq!(body_limit("import.preview", false), PRE_SESSION_LIMIT);
        assert_eq!(body_limit("import.preview", true), FILE_LIMIT);
        assert_eq!(body_limit("stocktake.count_file", true), FILE_LIMIT);
        assert_eq!(body_limit("backup.restore", true), RESTORE_LIMIT);
        assert_eq!(body_limit("backup.restore", false), PRE_SESSION_LIMIT);
        assert_eq!(body_limit("customers.create", true), SESSION_LIMIT);
        assert_eq!(body_limit("auth.setup", false), SETUP_LIMIT);
        assert_eq!(body_limit("orders.attach", true), ATTACH_LIMIT);
        assert_eq!(body_limit("orders.attach", false), PRE_SESSION_LIMIT);
        // Every file command is a real command.
        for c in FILE_COMMANDS {
            assert!(
                aftersales::api::commands().iter().any(|d| d.name == *c),
                "{c}"
            );
        }
        assert_eq!(size(PRE_SESSION_LIMIT), "64 KB");
        assert_eq!(size(FILE_LIMIT), "90 MB");
    }

    #[test]
    fn subnets_are_networks_no_wider_than_the_settings_take() {
        assert_eq!(
            subnet("192.168.1.77".parse().unwrap(), 24),
            Some(("192.168.1.0".parse().unwrap(), 24))
        );
        assert_eq!(
            subnet("10.1.2.3".parse().unwrap(), 8),
            Some(("10.0.0.0".parse().unwrap(), 8))
        );
        assert_eq!(subnet("10.1.2.3".parse().unwrap(), 7), None);
        assert_eq!(subnet("10.1.2.3".parse().unwrap(), 0), None);
    }

    /// The browser door's policy is the window's, directive for directive, but for
    /// `connect-src` (the window also reaches its IPC; a browser only this door).
    #[test]
    fn the_csp_is_the_desktop_windows() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../src-tauri/tauri.conf.json")).unwrap();
        let window = conf["app"]["security"]["csp"].as_object().unwrap();
        let ours: Vec<(&str, &str)> = CSP
            .split(';')
            .map(|d| d.trim().split_once(' ').unwrap())
            .collect();
        assert_eq!(ours.len(), window.len(), "{CSP}");
        for (name, value) in ours {
            if name == "connect-src" {
                assert_eq!(value, "'self'");
                continue;
            }
            assert_eq!(window[name].as_str(), Some(value), "{name}");
        }
        assert_eq!(window["frame-ancestors"], "'none'");
    }
}
