//! The headless door driven as a script or another program would: the real binary on a
//! real data folder, and the browser door over real HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

fn aftersales(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

fn call(dir: &std::path::Path, command: &str, args: Value) -> (bool, Value) {
    let out = aftersales(dir)
        .args(["call", command, &args.to_string()])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

#[test]
fn call_round_trips_the_customer_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, c) = call(
        dir.path(),
        "customers.create",
        json!({"name": "欧阳玥", "phones": ["139 1234 5678"]}),
    );
    assert!(ok, "{c}");
    let id = c["id"].clone();
    let (ok, got) = call(dir.path(), "customers.get", json!({"id": id}));
    assert!(ok);
    assert_eq!(got["phones"][0]["display"], "139 1234 5678");
    let (ok, _) = call(
        dir.path(),
        "customers.update",
        json!({"id": id, "name": "欧阳玥", "phones": ["13912345678"], "class": "vip"}),
    );
    assert!(ok);
    let (ok, page) = call(dir.path(), "customers.search", json!({"query": "阳玥"}));
    assert!(ok);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["class"], "vip");
}

#[test]
fn call_failure_prints_the_error_json_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, e) = call(
        dir.path(),
        "customers.create",
        json!({"name": "", "phones": ["1381234567"]}),
    );
    assert!(!ok);
    assert_eq!(
        e,
        json!({"code": "invalid", "field": "name", "message": "客户名称不能为空"})
    );
    let out = aftersales(dir.path())
        .args(["call", "customers.get", "{not json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["code"], "bad_request");
}

#[test]
fn commands_lists_the_table_with_roles() {
    let out = Command::new(env!("CARGO_BIN_EXE_aftersales"))
        .arg("commands")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l == "customers.create\tclerk,manager"),
        "{text}"
    );
    assert_eq!(text.lines().count(), aftersales::api::commands().len());
}

#[test]
fn demo_fills_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let out = aftersales(dir.path())
        .args(["demo", "--customers", "40", "--parts", "12"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, info) = call(dir.path(), "app.info", json!({}));
    assert_eq!(info["customers"], 40);
    let (_, parts) = call(dir.path(), "parts.list", json!({}));
    assert_eq!(parts["total"], 12);
    let (_, report) = call(dir.path(), "stock.report", json!({}));
    assert!(report["total_value_fen"].as_i64().unwrap() > 0, "{report}");
}

/// Kills the server even when an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn post(port: u16, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let token = token
        .map(|t| format!("X-Desk-Token: {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{token}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let status = reply[9..12].parse().unwrap();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_answers_only_with_the_launch_token() {
    let dir = tempfile::tempdir().unwrap();
    let child = aftersales(dir.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("UI: http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{line}"));
    let (port, token) = url.split_once("/#token=").unwrap();
    let port: u16 = port.parse().unwrap();
    assert_eq!(token.len(), 32);

    let (status, body) = post(port, "/api/app.info", None, "{}");
    assert_eq!(status, 401, "{body}");
    let (status, _) = post(port, "/api/app.info", Some("wrong"), "{}");
    assert_eq!(status, 401);

    let (status, body) = post(
        port,
        "/api/customers.create",
        Some(token),
        r#"{"name":"张伟","phones":["138"]}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["field"],
        "phones"
    );
    let (status, body) = post(
        port,
        "/api/customers.create",
        Some(token),
        r#"{"name":"张伟","phones":["13812345678"]}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        port,
        "/api/customers.search",
        Some(token),
        r#"{"query":"5678"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 1);
    let (status, _) = post(port, "/api/no.such", Some(token), "{}");
    assert_eq!(status, 404);
}
