//! Issue 16, findings 3 and 15: the LAN door over TLS, a second desk's desktop window
//! working with it from its own embedded UI, and the 未加密 bar on plain HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use ui_tests::*;

/// The second desk's `serve`, ended when dropped (also when a test fails).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `aftersales serve` on `data_dir` (opened to the LAN beforehand); returns once it has
/// printed its LAN lines (it listens by then).
fn serve_lan(data_dir: &Path) -> Served {
    serve_lan_with_path(data_dir, &std::env::var("PATH").unwrap_or_default())
}

/// [`serve_lan`] with `path` as the server's PATH (its `lp`).
fn serve_lan_with_path(data_dir: &Path, path: &str) -> Served {
    let mut proc = Served(
        aftersales()
            .arg("--data-dir")
            .arg(door_path(data_dir))
            .arg("serve")
            .env_remove("AFTERSALES_DATA_DIR")
            .env(
                "AFTERSALES_UI_DIR",
                door_path(&required_path("AFTERSALES_UI_DIR")),
            )
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aftersales serve"),
    );
    let stdout = proc.0.stdout.take().expect("serve's stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("serve's console");
        let done = line.starts_with("LAN allowed: ");
        seen.push(line);
        if done {
            std::thread::spawn(move || lines.for_each(drop));
            return proc;
        }
    }
    panic!("`aftersales serve` ended before its LAN lines: {seen:?}");
}

/// A second desk's data folder opened to the LAN on a free port, with the tests' account
/// and a customer that exists only there.
fn second_desk(extra: serde_json::Value) -> (tempfile::TempDir, u16) {
    let dir = tempfile::tempdir().expect("temp data dir");
    let port = free_port();
    let mut settings = json!({"lan_open": true, "lan_port": port});
    for (key, value) in extra.as_object().into_iter().flatten() {
        settings[key] = value.clone();
    }
    cli_call(dir.path(), "settings.save", settings);
    ensure_desk_user(dir.path());
    cli_call(
        dir.path(),
        "customers.create",
        json!({"name": "远端客户欧阳", "phones": ["13900001111"]}),
    );
    (dir, port)
}

#[tokio::test]
async fn f15_desktop_as_lan_client_over_tls_desktop() {
    let (server_dir, port) = second_desk(json!({}));
    let _server = serve_lan(server_dir.path());
    let url = format!("https://127.0.0.1:{port}/");

    // This desk's own folder: empty, no database of its own is made in it.
    let own = tempfile::tempdir().expect("own data dir");
    let driver_port = free_port();
    let native_port = free_port();
    let _driver = Proc::spawn(
        "tauri-driver",
        Command::new(tauri_driver())
            .args([
                "--port",
                &driver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
    );
    wait_listening(driver_port);
    let serde_json::Value::Object(caps) = json!({
        "browserName": "wry",
        "tauri:options": {
            "application": required_path("AFTERSALES_DESKTOP_BIN"),
            "args": ["--data-dir", own.path(), "--server", url],
        }
    }) else {
        unreachable!("an object")
    };
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session on the desktop window");

    // The window shows its own embedded UI, not the server's page.
    let page = c.current_url().await.expect("the window's address");
    assert!(
        !page.as_str().starts_with("https://127.0.0.1"),
        "the window navigated to the server: {page}"
    );
    // It logs in with the server's account (no such user exists on this PC).
    log_in_on_screen(&c, DESK_LOGIN, DESK_PASSWORD).await;
    // The status bar names the server the window works with.
    wait_content(&c, "#status-data-file", &format!("127.0.0.1:{port}")).await;
    // Data that exists only on the server.
    go(&c, "#/customers").await;
    type_into(&c, "#customer-search", "欧阳").await;
    wait_text(&c, "main", "远端客户欧阳").await;
    screenshot(&c, "lan-desk-desktop-client").await;

    // The first use pinned the server's certificate in this desk's own folder, and made
    // no database there.
    let pins = std::fs::read_to_string(own.path().join("servers.json")).expect("pins");
    let fingerprint = cli_call(server_dir.path(), "settings.get", json!({}))["lan_fingerprint"]
        .as_str()
        .expect("the server's fingerprint")
        .to_string();
    assert!(pins.contains(&fingerprint), "{pins} vs {fingerprint}");
    assert!(!own.path().join("desk.db").exists());

    // 设置 on this window shows the server's fingerprint, to compare with what was pinned.
    go(&c, "#/settings?section=backup").await;
    wait_until("设置 to show the server's fingerprint", || async {
        let value = c
            .find(Locator::Css("#settings-lan_fingerprint"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(if value == fingerprint {
            Ok(())
        } else {
            Err(value)
        })
    })
    .await;
    c.execute(
        "document.getElementById('settings-lan_fingerprint').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .expect("scroll to the fingerprint");
    screenshot(&c, "lan-desk-desktop-fingerprint").await;
    if let Err(e) = c.close().await {
        eprintln!("closing the WebDriver session: {e}");
    }
}

#[tokio::test]
async fn f03_plain_http_on_the_lan_shows_the_unencrypted_bar_chromium() {
    // The admin chose plain HTTP; a PC on the LAN (here: this PC by its LAN address)
    // gets the red bar on every page, this PC itself by loopback does not.
    let lan_ip = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .expect("a LAN address");
    assert!(!lan_ip.is_loopback(), "{lan_ip}");
    let (server_dir, port) = second_desk(json!({
        "lan_plain_http": true,
        "lan_allow": format!("{lan_ip}/32"),
    }));
    let _server = serve_lan(server_dir.path());
    let session = Session::chromium().await;
    let c = &session.client;

    c.goto(&format!("http://{lan_ip}:{port}/"))
        .await
        .expect("open the door by its LAN address");
    let bar = wait_text(c, "#unencrypted-banner", "未加密").await;
    assert!(bar.contains("明文"), "{bar}");
    log_in_on_screen(c, DESK_LOGIN, DESK_PASSWORD).await;
    go(c, "#/customers").await;
    wait_text(c, "#unencrypted-banner", "未加密").await;
    screenshot(c, "lan-desk-unencrypted-bar").await;

    c.goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .expect("open the door by loopback");
    find(c, "#login").await;
    let hidden = c
        .find(Locator::Css("#unencrypted-banner"))
        .await
        .expect("the bar's element")
        .is_displayed()
        .await
        .expect("its visibility");
    assert!(!hidden, "loopback is not the network: no bar");
    session.close().await;
}

fn tauri_driver() -> PathBuf {
    if let Some(bin) = std::env::var_os("TAURI_DRIVER").filter(|v| !v.is_empty()) {
        return PathBuf::from(bin);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let installed = home.join(".cargo/bin/tauri-driver");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Waits until `port` on loopback accepts connections (the driver is up).
fn wait_listening(port: u16) {
    let deadline = std::time::Instant::now() + TIMEOUT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "tauri-driver did not listen on port {port} within {TIMEOUT:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// An `lp` that appends each job's arguments to `NAME.log` and keeps the last file as
/// `NAME.pdf`, answering like CUPS; the folder to put first on PATH.
fn logging_lp(dir: &Path, name: &str) -> PathBuf {
    let bin = dir.join(format!("{name}-bin"));
    std::fs::create_dir_all(&bin).expect("bin folder");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{log}'\nfor last; do :; done\ncp \"$last\" '{copy}'\n\
             echo 'request id is {name}-1 (1 file(s))'\n",
            log = dir.join(format!("{name}.log")).display(),
            copy = dir.join(format!("{name}.pdf")).display(),
        ),
    )
    .expect("write lp");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod lp");
    bin
}

// Issue 18, print where the clerk is: the desktop as a LAN client sets its own A4 printer
// on 设置 (kept in its own data folder, not on the server), and 打印 prints the slip the
// server rendered on this PC's own `lp` (an `lp` on the window's PATH that logs the job
// and keeps the file), then records the print on the server. The server's `lp` (another
// logging `lp` on serve's PATH) is never asked.
#[tokio::test]
async fn the_lan_client_prints_on_its_own_printer_and_records_on_the_server_desktop() {
    let logs = tempfile::tempdir().expect("temp folder");
    let (server_dir, port) = second_desk(json!({"printers": {"a4": "Server-A4"}}));
    let order = cli_call(
        server_dir.path(),
        "orders.create",
        json!({"customer_id": 1, "fault": "不制冷", "mode": "carry_in", "confirmed": true}),
    )["id"]
        .as_i64()
        .expect("an order on the server");
    let server_path = format!(
        "{}:{}",
        logging_lp(logs.path(), "server").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let _server = serve_lan_with_path(server_dir.path(), &server_path);
    let url = format!("https://127.0.0.1:{port}/");
    let own = tempfile::tempdir().expect("own data dir");
    let client_path = format!(
        "{}:{}",
        logging_lp(logs.path(), "client").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let driver_port = free_port();
    let native_port = free_port();
    let _driver = Proc::spawn(
        "tauri-driver",
        Command::new(tauri_driver())
            .args([
                "--port",
                &driver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // Passed on to WebKitWebDriver and so to the app: its `lp` is the client's.
            .env("PATH", &client_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
    );
    wait_listening(driver_port);
    let serde_json::Value::Object(caps) = json!({
        "browserName": "wry",
        "tauri:options": {
            "application": required_path("AFTERSALES_DESKTOP_BIN"),
            "args": ["--data-dir", own.path(), "--server", url],
        }
    }) else {
        unreachable!("an object")
    };
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session on the desktop window");
    log_in_on_screen(&c, DESK_LOGIN, DESK_PASSWORD).await;

    // ---- 设置: this PC's printer for A4, kept here; the server's stays the server's ---------
    go(&c, "#/settings?section=slips").await;
    wait_text(&c, "#settings-printers-hint", "本机的打印机").await;
    let field = find(&c, "#settings-printer-a4").await;
    assert_eq!(
        field.prop("value").await.expect("value").as_deref(),
        Some(""),
        "the server's printer is not shown as this PC's"
    );
    field.clear().await.expect("clear");
    field.send_keys("Client-A4").await.expect("type");
    click(&c, "#slip-settings-save").await;
    wait_text(&c, "#toast", "已保存").await;
    let kept = std::fs::read_to_string(own.path().join("printers.json")).expect("printers.json");
    assert!(kept.contains("\"a4\": \"Client-A4\""), "{kept}");
    let server = cli_call(server_dir.path(), "settings.get", json!({}));
    assert_eq!(server["printers"]["a4"], "Server-A4", "{server}");

    // ---- 打印 on the order: printed here, recorded there -----------------------------------
    go(&c, &format!("#/orders/{order}")).await;
    click(&c, "#order-slip-options").await;
    wait_text(&c, "#slip-printer", "Client-A4").await;
    click(&c, "#slip-send").await;
    wait_text(&c, "#slip-sent", "request id is client-1").await;
    screenshot(&c, "lan-desk-client-printed").await;
    let job = std::fs::read_to_string(logs.path().join("client.log")).expect("the client's lp");
    assert!(
        job.starts_with("-d Client-A4 ") && job.contains(" -t 服务单-FW"),
        "{job}"
    );
    let out = Command::new("pdftotext")
        .arg(logs.path().join("client.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("远端客户欧阳") && text.contains("FW"),
        "{text}"
    );
    let slips = cli_call(server_dir.path(), "slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 1, "{slips}");
    assert!(
        !logs.path().join("server.log").exists(),
        "the server's printer was used"
    );
    if let Err(e) = c.close().await {
        eprintln!("closing the WebDriver session: {e}");
    }
}
