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
//!
//! Printing is the one call not simply forwarded: the slip is rendered on the server and
//! printed on this PC's own printers, then the print recorded on the server ([`print`]).

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
    /// This desk's own data folder (its pins, its printers, its print spool).
    pub data_dir: PathBuf,
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
            data_dir: data_dir.to_path_buf(),
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

pub mod print;
#[cfg(test)]
mod tests;
