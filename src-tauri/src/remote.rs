//! The desktop as a LAN client (`--server https://HOST:PORT/`): the window keeps showing
//! its own embedded UI, and every IPC `call` is sent from here, in Rust, to the other
//! PC's browser door over HTTPS. The remote page is never loaded into the window, so no
//! page from the network ever gets to use this window's IPC.
//!
//! The other PC's certificate is self-signed (there is no certificate authority on an
//! office LAN), so it is trusted on first use, as SSH does: the first connection to a
//! `host:port` records the SHA-256 of its certificate in this desk's own data folder
//! ([`PINS_FILE`]), and every later connection must present the same certificate, else
//! the call fails with a Chinese message naming both fingerprints and what to do. The
//! handshake's signatures are verified as usual, so presenting the pinned certificate
//! means holding its key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aftersales::api::Caller;
use aftersales::platform::tls::fingerprint;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde_json::{json, Value};

/// The pinned certificates, in the desktop's data folder: `{"host:port": "AB:CD:…"}`.
pub const PINS_FILE: &str = "servers.json";

/// How long connecting and the TLS handshake may take (a LAN answers in milliseconds).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest reply taken: an export of the whole archive as base64.
const REPLY_LIMIT: usize = 256 * 1024 * 1024;

/// The other PC's door this window works with.
pub struct Remote {
    /// `https://HOST:PORT/` as given.
    pub url: tauri::Url,
    /// `host:port`, the key of its pin.
    pub address: String,
    host: String,
    port: u16,
    pins: PathBuf,
    /// Read-modify-write of the pins file, one call at a time.
    pin_lock: Mutex<()>,
}

impl Remote {
    /// The door at `url` (https only), its pin kept in `data_dir`.
    pub fn new(url: tauri::Url, data_dir: &Path) -> Result<Remote, String> {
        if url.scheme() != "https" {
            return Err(format!(
                "--server 应以 https:// 开头（局域网服务须加密）：{url}"
            ));
        }
        // An IPv6 address comes in brackets: `[fd00::2]`.
        let Some(shown) = url.host_str().filter(|h| !h.is_empty()).map(str::to_string) else {
            return Err(format!("--server 中缺少服务器地址：{url}"));
        };
        let host = shown
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let address = format!("{shown}:{port}");
        Ok(Remote {
            url,
            address,
            host,
            port,
            pins: data_dir.join(PINS_FILE),
            pin_lock: Mutex::new(()),
        })
    }

    fn pinned(&self) -> Option<String> {
        read_pins(&self.pins).remove(&self.address)
    }

    fn pin(&self, fingerprint: &str) -> Result<(), Value> {
        let _guard = self.pin_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pins = read_pins(&self.pins);
        pins.insert(self.address.clone(), fingerprint.to_string());
        let text = serde_json::to_string_pretty(&pins).unwrap_or_default();
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.pins.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let temporary = self.pins.with_extension("json.tmp");
            std::fs::write(&temporary, text)?;
            std::fs::rename(&temporary, &self.pins)
        };
        write().map_err(|e| {
            error(
                "io",
                format!("记不下服务器证书（{}）：{e}", self.pins.display()),
            )
        })
    }
}

fn read_pins(path: &Path) -> BTreeMap<String, String> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn error(code: &str, message: String) -> Value {
    json!({"code": code, "message": message})
}

/// Accepts the certificate pinned for this server, or any on first use; remembers what it
/// saw either way, for the message when it is refused.
#[derive(Debug)]
struct TrustOnFirstUse {
    pinned: Option<String>,
    seen: Mutex<Option<String>>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for TrustOnFirstUse {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint(end_entity);
        let matches = self.pinned.as_ref().is_none_or(|pin| *pin == seen);
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(seen);
        if matches {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The message when the server shows another certificate than the one pinned.
pub fn changed_message(address: &str, pinned: &str, seen: &str, pins: &Path) -> String {
    format!(
        "证书已改变，已拒绝连接：服务器 {address} 现在出示的证书指纹是 {seen}，\
         而本机第一次连接时记下的是 {pinned}。可能有人在冒充服务器，也可能服务器重新生成了证书。\
         请先停止使用，并请管理员在服务器的“设置 → 备份与局域网”中读出证书指纹：与新指纹一致时，\
         删除本机 {} 中 {address} 这一行后重新打开；不一致时请勿继续。",
        pins.display()
    )
}

/// Sends one command to the remote door as `caller` (its session and background flag);
/// the reply's JSON text, or the error JSON `{code, message, field?}`.
pub async fn forward(
    remote: &Remote,
    caller: &Caller,
    command: &str,
    args: &Value,
) -> Result<String, Value> {
    let unreachable = |e: &dyn std::fmt::Display| {
        error("network", format!("连不上服务器 {}：{e}", remote.address))
    };
    let pinned = remote.pinned();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(TrustOnFirstUse {
        pinned: pinned.clone(),
        seen: Mutex::new(None),
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unreachable(&e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = ServerName::try_from(remote.host.clone()).map_err(|e| unreachable(&e))?;

    let connect = async {
        let socket = tokio::net::TcpStream::connect((remote.host.as_str(), remote.port)).await?;
        socket.set_nodelay(true)?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, socket)
            .await
    };
    let tls = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            let seen = verifier
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            return Err(match (pinned, seen) {
                (Some(pinned), Some(seen)) if pinned != seen => error(
                    "certificate_changed",
                    changed_message(&remote.address, &pinned, &seen, &remote.pins),
                ),
                _ => unreachable(&e),
            });
        }
        Err(_) => return Err(unreachable(&"超时")),
    };
    if pinned.is_none() {
        // First use: the certificate this handshake proved is the one from now on.
        let seen = verifier
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(seen) = seen {
            remote.pin(&seen)?;
        }
    }

    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .map_err(|e| unreachable(&e))?;
    tokio::spawn(connection);
    let mut request = hyper::Request::post(format!("/api/{command}"))
        .header(hyper::header::HOST, remote.address.as_str())
        .header(hyper::header::CONTENT_TYPE, "application/json");
    if let Some(session) = caller.session.as_deref().filter(|s| !s.is_empty()) {
        request = request.header("X-Desk-Session", session);
    }
    if caller.background {
        request = request.header("X-Desk-Background", "1");
    }
    let request = request
        .body(Full::new(Bytes::from(args.to_string())))
        .map_err(|e| unreachable(&e))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| unreachable(&e))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), REPLY_LIMIT)
        .collect()
        .await
        .map_err(|e| unreachable(&e))?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    if status.is_success() {
        return Ok(text);
    }
    // The door's error JSON as it is; anything else (a proxy's page) in words.
    match serde_json::from_str::<Value>(&text) {
        Ok(value) if value["code"].is_string() => Err(value),
        _ => Err(error(
            if status == hyper::StatusCode::UNAUTHORIZED {
                "unauthorized"
            } else {
                "http"
            },
            format!("服务器 {} 答复 {status}", remote.address),
        )),
    }
}

#[cfg(test)]
mod tests {
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
        let boss =
            json!({"login": "boss", "name": "老板", "roles": ["admin"], "password": PASSWORD});
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
}
