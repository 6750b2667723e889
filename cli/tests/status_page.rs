//! The status page on the real browser door (issue 20): `GET /s/{code}` without a session,
//! its headers, every typed value escaped, one and the same 404 for a code that never
//! existed, a revoked one and anything else under /s/, and the per-peer limit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;

use cli::{aftersales, call};

/// The desk's clock for the door: fixed, so that the limit's minute does not turn during
/// a test.
const CLOCK: &str = "2026-11-23T10:00:00+08:00";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> (Server, u16) {
    let child = aftersales(dir)
        .args(["serve", "--port", "0"])
        .env(
            "AFTERSALES_UI_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui"),
        )
        .env("AFTERSALES_CLOCK", CLOCK)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut out = BufReader::new(server.0.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "serve printed no UI line"
        );
        if let Some(rest) = line.trim().strip_prefix("UI: http://127.0.0.1:") {
            return (server, rest.trim_end_matches('/').parse().unwrap());
        }
    }
}

/// A reply: status, headers (names lower case, in order), body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` as a phone's browser sends it: no session, no cookie.
fn get(port: u16, path: &str) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: Mozilla/5.0 (iPhone)\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A desk with a hostile company name and customer, and one order: the order's path.
fn desk_with_order(dir: &Path) -> (i64, String) {
    call(
        dir,
        "settings.save",
        json!({"company_name": "<script>alert('x')</script>维修", "company_hotline": "400-800-1234"}),
    );
    let customer = call(
        dir,
        "customers.create",
        json!({"name": "<script>alert(1)</script>", "phones": ["13812345678"],
               "address": "北京市海淀区中关村大街1号", "notes": "内部备注"}),
    )["id"]
        .clone();
    let order = call(
        dir,
        "orders.create",
        json!({"customer_id": customer, "fault": "<img src=x onerror=alert(1)>不点火", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap();
    let path = call(dir, "orders.get", json!({"id": order}))["status_path"]
        .as_str()
        .unwrap()
        .to_string();
    (order, path)
}

#[test]
fn the_page_answers_without_a_session_escaped_and_private_fields_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = desk_with_order(dir.path());
    let (_server, port) = serve(dir.path());
    let r = get(port, &path);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        r.body.contains("data-field=\"number\">WO2026000001<"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("data-field=\"status\">已登记<"),
        "{}",
        r.body
    );
    // Every typed value escaped: the company's name whole, the customer's cut to "<**".
    assert!(
        r.body
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;维修"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("data-field=\"customer\">&lt;**<"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<script"), "{}", r.body);
    assert!(!r.body.contains("<img"), "{}", r.body);
    for private in [
        "13812345678",
        "5678",
        "中关村",
        "内部备注",
        "不点火",
        "onerror",
    ] {
        assert!(!r.body.contains(private), "{private}: {}", r.body);
    }
    // Its headers: a policy that loads nothing, no caching, no referrer, no framing.
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.header("x-robots-tag"), Some("noindex, nofollow"));
    assert!(r.header("set-cookie").is_none());
    // The API still wants a session.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/orders.get HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{{\"id\":1}}"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
}

/// Unknown, revoked and malformed codes: the same status, headers and body; and about the
/// same time (both are one miss in the code's index).
#[test]
fn unknown_and_revoked_codes_get_the_same_404() {
    let dir = tempfile::tempdir().unwrap();
    let (order, old) = desk_with_order(dir.path());
    let new = call(
        dir.path(),
        "orders.status_code_revoke",
        json!({"order_id": order}),
    )["status_path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new, old);
    let (_server, port) = serve(dir.path());
    assert_eq!(get(port, &new).status, 200);
    let never = "/s/0123456789abcdef01234567";
    let first = get(port, &old);
    assert_eq!(first.status, 404, "{}", first.body);
    assert!(
        first.body.contains("此查询链接无效或已失效"),
        "{}",
        first.body
    );
    let names = |r: &Reply| -> Vec<String> {
        r.headers
            .iter()
            .filter(|(n, _)| n != "date")
            .map(|(n, v)| format!("{n}: {v}"))
            .collect()
    };
    for path in [
        never,
        "/s/",
        "/s/zz",
        "/s/0123456789ABCDEF01234567",
        "/s/%3Cscript%3E",
        "/s/a/b/../../etc/passwd",
        &format!("{}x", old),
    ] {
        let r = get(port, path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body, first.body, "{path}");
        assert_eq!(names(&r), names(&first), "{path}");
    }
    // Timing: interleaved, the medians of each kind.
    let (mut revoked, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        for (path, into) in [(&old, &mut revoked), (&never.to_string(), &mut unknown)] {
            let t = Instant::now();
            assert_eq!(get(port, path).status, 404);
            into.push(t.elapsed());
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (r, u) = (median(&mut revoked), median(&mut unknown));
    eprintln!("status page 404: revoked median {r:?}, never existed median {u:?}");
    let gap = r.abs_diff(u);
    assert!(
        gap < Duration::from_millis(5) || gap < r.max(u) / 2,
        "{r:?} vs {u:?}"
    );
}

#[test]
fn a_peer_asking_too_often_is_told_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = desk_with_order(dir.path());
    let (_server, port) = serve(dir.path());
    let limit = aftersales::orders::status_page::HITS_PER_MINUTE;
    for i in 0..limit {
        let r = get(port, if i % 2 == 0 { &path } else { "/s/nope" });
        assert_ne!(r.status, 429, "hit {i}");
    }
    let r = get(port, &path);
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("60"));
    assert!(r.body.contains("查询过于频繁"), "{}", r.body);
    assert!(!r.body.contains("WO2026"), "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
}
