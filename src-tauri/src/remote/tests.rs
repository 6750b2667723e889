//! The LAN client against the real `aftersales serve` over TLS (issue 16, finding 15).
use super::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const PASSWORD: &str = "Lan-desk-2026";

/// The `aftersales` program: `AFTERSALES_BIN` (set by `cargo xtask test`), else the
/// workspace's debug build.
fn aftersales(dir: &Path) -> Command {
    let bin = std::env::var_os("AFTERSALES_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/aftersales")
        });
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p aftersales-cli)",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

fn cli(dir: &Path, command: &str, args: Value) {
    let out = aftersales(dir)
        .args(["call", command, &args.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{command}: {out:?}");
}

/// A data folder opened to the LAN on `port` with one administrator and one customer.
fn lan_desk(port: u16, customer: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    cli(
        dir.path(),
        "settings.save",
        json!({"lan_open": true, "lan_port": port}),
    );
    let boss = json!({"login": "boss", "name": "老板", "roles": ["admin"], "password": PASSWORD});
    cli(dir.path(), "users.save", boss);
    cli(
        dir.path(),
        "customers.create",
        json!({"name": customer, "phones": ["13812345678"]}),
    );
    dir
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve` on `dir`; the fingerprint it printed.
fn serve(dir: &Path) -> (Server, String) {
    let child = aftersales(dir)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut fingerprint = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(f) = line.strip_prefix("TLS fingerprint (SHA-256): ") {
            fingerprint = Some(f.to_string());
        } else if line.starts_with("LAN allowed: ") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (server, fingerprint.expect("a fingerprint line"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn call(
    remote: &Remote,
    session: Option<&str>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    let caller = Caller {
        session: session.map(str::to_string),
        peer: None,
        background: false,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(forward(remote, &caller, command, &args))
        .map(|text| serde_json::from_str(&text).unwrap())
}

#[test]
fn f15_first_use_pins_the_server_and_a_changed_certificate_is_refused() {
    let port = free_port();
    let own = tempfile::tempdir().unwrap();
    let url: tauri::Url = format!("https://127.0.0.1:{port}/").parse().unwrap();
    let remote = Remote::new(url.clone(), own.path()).unwrap();
    assert_eq!(remote.address, format!("127.0.0.1:{port}"));

    let first = lan_desk(port, "只在服务器上的客户");
    let (server, printed) = serve(first.path());
    // Nothing pinned yet: the first call pins what the server showed.
    let status = call(&remote, None, "auth.status", json!({})).unwrap();
    assert_eq!(status["needs_setup"], false, "{status}");
    let pins = read_pins(&own.path().join(PINS_FILE));
    assert_eq!(pins.get(&remote.address), Some(&printed));

    // Through the pin: log in and read data that exists only on the server.
    let login = json!({"login": "boss", "password": PASSWORD});
    let session = call(&remote, None, "auth.login", login).unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let found = call(
        &remote,
        Some(&session),
        "customers.search",
        json!({"query": "只在服务器"}),
    )
    .unwrap();
    assert_eq!(found["items"][0]["name"], "只在服务器上的客户", "{found}");
    // The door's own errors come back as its error JSON.
    let err = call(&remote, None, "customers.search", json!({"query": ""})).unwrap_err();
    assert_eq!(err["code"], "unauthorized", "{err}");
    drop(server);

    // Another desk, another certificate, on the same address: refused, in Chinese,
    // naming both fingerprints; the pin stays as it was.
    let second = lan_desk(port, "冒充者的客户");
    let (_impostor, other) = serve(second.path());
    assert_ne!(other, printed);
    let err = call(&remote, None, "auth.status", json!({})).unwrap_err();
    assert_eq!(err["code"], "certificate_changed", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("证书已改变"), "{message}");
    assert!(
        message.contains(&printed) && message.contains(&other),
        "{message}"
    );
    assert!(message.contains(PINS_FILE), "{message}");
    let pins = read_pins(&own.path().join(PINS_FILE));
    assert_eq!(pins.get(&remote.address), Some(&printed));
}

#[test]
fn f15_only_https_servers_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let plain: tauri::Url = "http://192.168.1.10:8765/".parse().unwrap();
    let err = Remote::new(plain, dir.path()).err().unwrap();
    assert!(err.contains("https://"), "{err}");
    let v6: tauri::Url = "https://[fd00::2]:8765/".parse().unwrap();
    let remote = Remote::new(v6, dir.path()).unwrap();
    assert_eq!(remote.address, "[fd00::2]:8765");
    assert_eq!(remote.host, "fd00::2");
}

fn handled(remote: &Remote, session: &str, command: &str, args: Value) -> Result<Value, Value> {
    let caller = Caller {
        session: Some(session.to_string()),
        peer: None,
        background: false,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(print::handle(remote, &caller, command, &args))
        .expect("answered on this PC")
        .map(|text| serde_json::from_str(&text).unwrap())
}

// Issue 18: a LAN client's printers are its own: kept in its data folder, never in the
// server's settings; a bad name saves nothing, here or there.
#[test]
fn the_clients_printers_are_kept_here_and_the_rest_goes_to_the_server() {
    let port = free_port();
    let own = tempfile::tempdir().unwrap();
    let url: tauri::Url = format!("https://127.0.0.1:{port}/").parse().unwrap();
    let remote = Remote::new(url, own.path()).unwrap();
    let server_dir = lan_desk(port, "客户");
    cli(
        server_dir.path(),
        "settings.save",
        json!({"printers": {"a4": "Server-A4"}}),
    );
    let (_server, _) = serve(server_dir.path());
    let login = json!({"login": "boss", "password": PASSWORD});
    let session = call(&remote, None, "auth.login", login).unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let file = own.path().join(print::PRINTERS_FILE);

    // Refused as the core refuses it, before anything is sent: nothing saved anywhere.
    let bad = json!({"company_name": "新名字", "printers": {"a4": "Front;A4"}});
    let err = handled(&remote, &session, "settings.save", bad).unwrap_err();
    assert_eq!(err["field"], "printers", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("本机打印机名称"),
        "{err}"
    );
    assert!(!file.exists());
    let on_server = call(&remote, Some(&session), "settings.get", json!({})).unwrap();
    assert_ne!(on_server["company_name"], "新名字");

    // Taken: the printer here, the company there; the server's printer untouched.
    let good = json!({"company_name": "新名字", "printers": {"a4": "Client-A4", "thermal": ""}});
    let saved = handled(&remote, &session, "settings.save", good).unwrap();
    assert_eq!(saved["printers"], json!({"a4": "Client-A4"}), "{saved}");
    assert_eq!(saved["company_name"], "新名字");
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains("Client-A4"), "{kept}");
    let on_server = call(&remote, Some(&session), "settings.get", json!({})).unwrap();
    assert_eq!(
        on_server["printers"],
        json!({"a4": "Server-A4"}),
        "{on_server}"
    );
    assert_eq!(on_server["company_name"], "新名字");
    // What the window reads: this PC's printers.
    let shown = handled(&remote, &session, "settings.get", json!({})).unwrap();
    assert_eq!(shown["printers"], json!({"a4": "Client-A4"}), "{shown}");
}
