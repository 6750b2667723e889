//! Issue 18, print where the clerk is: a browser on another PC, reaching the LAN door at
//! this PC's own LAN address (so the door sees a non-loopback peer), prints through
//! `slips.render` and `slips.record` and never reaches the server's printer; its
//! `slips.print` with `send` is refused in Chinese. The server's printer is an `lp` on the
//! door's PATH that logs every job, so a job sent to it would show; a loopback client's
//! 打印 does reach it (the log is not empty for a reason that cannot happen).

#[path = "support/cli.rs"]
mod cli;
use cli::{aftersales, call, free_port};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const PASSWORD: &str = "Lan-print-2026";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An `lp` that appends its arguments to `lp.log` and answers like CUPS; the folder to
/// put first on PATH.
fn logging_lp(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho 'request id is Server-A4-1 (1 file(s))'\n",
            dir.join("lp.log").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// `serve` (LAN mode, plain HTTP) with `path` as its PATH; the LAN address it printed.
fn serve(dir: &Path, path: &str) -> (Server, String) {
    let child = aftersales(dir)
        .arg("serve")
        .env(
            "AFTERSALES_UI_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui"),
        )
        .env("PATH", path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut lan = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("LAN: http://") {
            lan = url.trim_end_matches('/').to_string();
        } else if line.starts_with("LAN allowed: ") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (server, lan)
}

/// POST to `address` (`HOST:PORT`) as a browser there would; status and body.
fn post(address: &str, command: &str, session: Option<&str>, args: Value) -> (u16, Value) {
    let body = args.to_string();
    let session = session
        .map(|t| format!("X-Desk-Session: {t}\r\n"))
        .unwrap_or_default();
    let mut socket = TcpStream::connect(address).unwrap();
    write!(
        socket,
        "POST /api/{command} HTTP/1.1\r\nHost: {address}\r\n{session}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = Vec::new();
    socket.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply);
    let status = reply[9..12].parse().unwrap();
    let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn pdftotext(pdf: &[u8], dir: &Path) -> String {
    let file = dir.join("rendered.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_browser_on_another_pc_prints_without_touching_the_servers_printer() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    call(
        dir.path(),
        "settings.save",
        json!({"lan_open": true, "lan_port": port, "lan_plain_http": true,
               "printers": {"a4": "Server-A4"}}),
    );
    call(
        dir.path(),
        "users.save",
        json!({"login": "front", "name": "前台", "roles": ["clerk"], "password": PASSWORD}),
    );
    call(
        dir.path(),
        "customers.create",
        json!({"name": "欧阳娜", "phones": ["13812345678"], "address": "北京市西城区"}),
    );
    let order = call(
        dir.path(),
        "orders.create",
        json!({"customer_id": 1, "fault": "不加热", "mode": "carry_in", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap();
    let bin = logging_lp(dir.path());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let log = dir.path().join("lp.log");
    let (_server, lan) = serve(dir.path(), &path);
    // The door's LAN address is this PC's own, not loopback: the peer it sees is too.
    let host: IpAddr = lan.rsplit_once(':').unwrap().0.parse().unwrap();
    assert!(!host.is_loopback(), "{lan}");

    let (status, login) = post(
        &lan,
        "auth.login",
        None,
        json!({"login": "front", "password": PASSWORD}),
    );
    assert_eq!(status, 200, "{login}");
    let session = login["session"].as_str().unwrap().to_string();
    let (_, info) = post(&lan, "app.info", Some(&session), json!({}));
    assert_eq!(info["prints_here"], false, "{info}");

    // 打印 to the server's printer from here: refused in Chinese, nothing made.
    let (status, refused) = post(
        &lan,
        "slips.print",
        Some(&session),
        json!({"order_id": order, "format": "a4", "send": true}),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["field"], "printer");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("不能用服务器的打印机打印"),
        "{refused}"
    );
    let (_, slips) = post(
        &lan,
        "slips.list",
        Some(&session),
        json!({"order_id": order}),
    );
    assert_eq!(slips["items"], json!([]), "{slips}");

    // The browser's way: the paper rendered, printed on its own PC, then recorded.
    let (status, rendered) = post(
        &lan,
        "slips.render",
        Some(&session),
        json!({"order_id": order, "format": "a4"}),
    );
    assert_eq!(status, 200, "{rendered}");
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(rendered["content_base64"].as_str().unwrap())
        .unwrap();
    let words = pdftotext(&pdf, dir.path());
    assert!(words.contains("FW") && words.contains("欧阳娜"), "{words}");
    let (_, slips) = post(
        &lan,
        "slips.list",
        Some(&session),
        json!({"order_id": order}),
    );
    assert_eq!(slips["items"][0]["prints"], 0, "{slips}");
    let (status, recorded) = post(
        &lan,
        "slips.record",
        Some(&session),
        json!({"token": rendered["token"]}),
    );
    assert_eq!(status, 200, "{recorded}");
    assert_eq!(recorded["slip"]["prints"], 1);
    // Replayed: refused.
    let (status, again) = post(
        &lan,
        "slips.record",
        Some(&session),
        json!({"token": rendered["token"]}),
    );
    assert_eq!(
        (status, again["field"].as_str()),
        (400, Some("token")),
        "{again}"
    );
    assert!(
        !log.exists(),
        "the server's printer was used: {:?}",
        std::fs::read_to_string(&log)
    );

    // The server's own PC (loopback) still prints on the server's printer in one call: the
    // log above would have shown a job.
    let local = format!("127.0.0.1:{port}");
    let (_, session) = post(
        &local,
        "auth.login",
        None,
        json!({"login": "front", "password": PASSWORD}),
    );
    let session = session["session"].as_str().unwrap().to_string();
    let (status, sent) = post(
        &local,
        "slips.print",
        Some(&session),
        json!({"order_id": order, "format": "a4", "send": true}),
    );
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["reprint"], 1);
    let jobs = std::fs::read_to_string(&log).expect("the server's lp was called");
    assert!(
        jobs.starts_with("-d Server-A4 ") && jobs.contains(" -t 服务单-FW"),
        "{jobs}"
    );
    assert_eq!(jobs.lines().count(), 1, "{jobs}");
}
