//! The LAN door over TLS (issue 16, finding 3): the real `aftersales serve` on a data
//! folder opened to the LAN, on a free port, reached by a rustls client that pins the
//! fingerprint the console printed.

#[path = "support/pinned.rs"]
mod pinned;

#[path = "support/cli.rs"]
mod cli;
use cli::{aftersales, call, free_port};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::{json, Value};

const PASSWORD: &str = "Lan-desk-2026";

/// A data folder opened to the LAN on a free port, with one administrator.
fn lan_folder(plain_http: bool) -> (tempfile::TempDir, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    call(
        dir.path(),
        "settings.save",
        json!({"lan_open": true, "lan_port": port, "lan_plain_http": plain_http}),
    );
    call(
        dir.path(),
        "users.save",
        json!({"login": "boss", "name": "老板", "roles": ["admin"], "password": PASSWORD}),
    );
    (dir, port)
}

/// Kills the server even when an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What `serve` printed: the UI line, the LAN line and the fingerprint (if any).
struct Console {
    ui: String,
    lan: String,
    fingerprint: Option<String>,
}

/// Starts `serve` and reads its console up to the list of allowed ranges (the last line
/// it prints about the LAN).
fn serve(dir: &Path) -> (Server, Console) {
    let child = aftersales(dir)
        .arg("serve")
        // `serve` takes only the UI it is told of or the one beside it (issue 16, finding 13).
        .env(
            "AFTERSALES_UI_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui"),
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let (mut ui, mut lan, mut fingerprint) = (String::new(), String::new(), None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("UI: ") {
            ui = url.to_string();
        } else if let Some(url) = line.strip_prefix("LAN: http") {
            lan = format!("http{url}");
        } else if let Some(f) = line.strip_prefix("TLS fingerprint (SHA-256): ") {
            fingerprint = Some(f.to_string());
        } else if line.starts_with("LAN allowed: ") {
            break;
        }
    }
    // Keep reading (and dropping) what it prints later, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (
        server,
        Console {
            ui,
            lan,
            fingerprint,
        },
    )
}

/// One HTTP/1.1 request's text.
fn request(port: u16, command: &str, session: Option<&str>, body: &str) -> String {
    let session = session
        .map(|t| format!("X-Desk-Session: {t}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /api/{command} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{session}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Status and body of a reply's text.
fn parse(reply: &str) -> (u16, Value) {
    let status = reply[9..12].parse().unwrap();
    let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// POST over TLS to 127.0.0.1:`port`, accepting only the certificate `pin`.
fn post_tls(
    port: u16,
    pin: &str,
    command: &str,
    session: Option<&str>,
    args: Value,
) -> Result<(u16, Value), std::io::Error> {
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let connection = rustls::ClientConnection::new(pinned::client(pin), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port))?;
    let mut tls = rustls::StreamOwned::new(connection, socket);
    tls.write_all(request(port, command, session, &args.to_string()).as_bytes())?;
    let mut reply = Vec::new();
    match tls.read_to_end(&mut reply) {
        Ok(_) => {}
        // The server closed after its reply without a close_notify: the reply is whole.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !reply.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(parse(&String::from_utf8_lossy(&reply)))
}

fn login(port: u16, pin: &str) -> String {
    let (status, body) = post_tls(
        port,
        pin,
        "auth.login",
        None,
        json!({"login": "boss", "password": PASSWORD}),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    body["session"].as_str().unwrap().to_string()
}

#[test]
fn f03_lan_door_speaks_tls_under_the_printed_fingerprint() {
    let (dir, port) = lan_folder(false);
    let (server, console) = serve(dir.path());
    let pin = console.fingerprint.clone().expect("a TLS fingerprint line");
    assert_eq!(console.ui, format!("https://127.0.0.1:{port}/"));
    assert!(
        console.lan.starts_with("https://") && console.lan.ends_with(&format!(":{port}/")),
        "{}",
        console.lan
    );
    // 32 bytes, uppercase hex, colon-separated.
    assert_eq!(pin.len(), 95, "{pin}");
    assert!(pin.split(':').all(|b| b.len() == 2
        && b.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())));

    // A client pinning the printed fingerprint logs in and calls a command.
    let session = login(port, &pin);
    let (status, settings) =
        post_tls(port, &pin, "settings.get", Some(&session), json!({})).unwrap();
    assert_eq!(status, 200, "{settings}");
    // 设置 shows the very fingerprint the console printed.
    assert_eq!(settings["lan_fingerprint"], json!(pin));
    assert_eq!(settings["lan_plain_http"], json!(false));

    // A client pinning anything else never gets to send its request.
    let other = pin.replace(&pin[..2], if &pin[..2] == "00" { "01" } else { "00" });
    let refused = post_tls(port, &other, "auth.status", None, json!({}));
    assert!(refused.is_err(), "{refused:?}");

    // Plain HTTP on the LAN port is not answered as HTTP.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain
        .write_all(request(port, "auth.status", None, "{}").as_bytes())
        .unwrap();
    let mut reply = Vec::new();
    let _ = plain.read_to_end(&mut reply);
    assert!(
        !reply.starts_with(b"HTTP/"),
        "{}",
        String::from_utf8_lossy(&reply)
    );

    // The key is the owner's only; the certificate is the one whose fingerprint was shown.
    let folder = dir.path().join("tls");
    let cert = std::fs::read(folder.join("cert.der")).unwrap();
    assert_eq!(aftersales::platform::tls::fingerprint(&cert), pin);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder.join("key.der")), 0o600);
        assert_eq!(mode(&folder), 0o700);
    }

    // After a restart: the same certificate, and the same pin still works.
    drop(server);
    let (_server, again) = serve(dir.path());
    assert_eq!(again.fingerprint.as_deref(), Some(pin.as_str()));
    let session = login(port, &pin);
    let (status, _) = post_tls(port, &pin, "auth.status", Some(&session), json!({})).unwrap();
    assert_eq!(status, 200);
}

#[test]
fn f03_settings_show_no_fingerprint_before_the_lan_door_made_one() {
    let dir = tempfile::tempdir().unwrap();
    let settings = call(dir.path(), "settings.get", json!({}));
    assert_eq!(settings["lan_fingerprint"], Value::Null);
    assert_eq!(settings["lan_plain_http"], json!(false));
    assert!(!dir.path().join("tls").exists());
}

#[test]
fn f03_plain_http_on_the_lan_only_by_the_admins_choice() {
    let (dir, port) = lan_folder(true);
    let (_server, console) = serve(dir.path());
    assert_eq!(console.ui, format!("http://127.0.0.1:{port}/"));
    assert!(console.lan.starts_with("http://"), "{}", console.lan);
    assert_eq!(console.fingerprint, None);
    // No certificate is made for a door that does not use one.
    assert!(!dir.path().join("tls").exists());
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain
        .write_all(request(port, "auth.status", None, "{}").as_bytes())
        .unwrap();
    let mut reply = String::new();
    plain.read_to_string(&mut reply).unwrap();
    assert_eq!(parse(&reply).0, 200, "{reply}");
}
