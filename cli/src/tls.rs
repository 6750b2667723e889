//! The LAN door's TLS identity: a self-signed certificate made on the first start in LAN
//! mode and kept in `<data folder>/tls/` (see [`aftersales::platform::tls`]), and the
//! rustls server configuration built from it.
//!
//! The certificate names this PC as a second desk or a browser reaches it: its host name,
//! its interface IPv4 addresses, `localhost` and `127.0.0.1`. Nobody checks those names
//! against a certificate authority (there is none on an office LAN): a desk pins the
//! certificate's fingerprint on first use, a browser shows its warning once. So the same
//! certificate is kept for good, even when an address changes later; deleting the `tls`
//! folder makes a new one on the next start (and every desk then refuses it until told).

use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;

use aftersales::platform::tls::{self, CERT_FILE, KEY_FILE};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The certificate and key this door serves with.
pub struct Identity {
    pub cert: Vec<u8>,
    key: Vec<u8>,
    /// [`tls::fingerprint`] of `cert`.
    pub fingerprint: String,
}

/// This PC's IPv4 addresses on its network interfaces (the guard's enumeration, loopback
/// and link-local left out), in the OS's order (the first is the one the console shows).
pub fn interface_addresses() -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    for ip in crate::guard::own_addresses() {
        if let IpAddr::V4(ip) = ip {
            if !ip.is_link_local() && !out.contains(&ip) {
                out.push(ip);
            }
        }
    }
    out
}

/// The identity kept in `data_dir`, made (and kept) first when there is none. A folder
/// with only one of the two files (a start stopped halfway) gets a new pair, valid from a
/// day before `now` (the desk's clock) for twenty years.
pub fn load_or_create(data_dir: &Path, now: std::time::SystemTime) -> io::Result<Identity> {
    let folder = tls::folder(data_dir);
    let (cert_path, key_path) = (folder.join(CERT_FILE), folder.join(KEY_FILE));
    if cert_path.is_file() && key_path.is_file() {
        let cert = fs::read(&cert_path)?;
        let key = fs::read(&key_path)?;
        let fingerprint = tls::fingerprint(&cert);
        return Ok(Identity {
            cert,
            key,
            fingerprint,
        });
    }
    let identity = generate(now)?;
    create_private_dir(&folder)?;
    // The key first, then the certificate: a certificate on disk always has its key.
    write_new(&key_path, &identity.key, true)?;
    write_new(&cert_path, &identity.cert, false)?;
    Ok(identity)
}

/// A new self-signed certificate (ECDSA P-256) for this PC's names and addresses.
fn generate(now: std::time::SystemTime) -> io::Result<Identity> {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let mut names: Vec<String> = Vec::new();
    // A host name is a DNS name in the certificate only when it is one (ASCII labels).
    let dns_like = |n: &str| {
        !n.is_empty()
            && n.len() <= 253
            && n.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    if dns_like(&host) {
        names.push(host.clone());
    }
    names.push("localhost".into());
    names.push(Ipv4Addr::LOCALHOST.to_string());
    names.extend(interface_addresses().iter().map(Ipv4Addr::to_string));
    let mut params = rcgen::CertificateParams::new(names).map_err(io::Error::other)?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, format!("售后服务台 {host}"));
    params.distinguished_name = dn;
    params.not_before = (now - std::time::Duration::from_secs(24 * 3600)).into();
    params.not_after = (now + std::time::Duration::from_secs(20 * 365 * 24 * 3600)).into();
    let key = rcgen::KeyPair::generate().map_err(io::Error::other)?;
    let cert = params.self_signed(&key).map_err(io::Error::other)?;
    let cert = cert.der().to_vec();
    Ok(Identity {
        fingerprint: tls::fingerprint(&cert),
        cert,
        key: key.serialize_der(),
    })
}

/// The rustls server configuration: TLS 1.2 and 1.3 with the `ring` provider's defaults,
/// HTTP/1.1 only (the door's only protocol).
pub fn server_config(identity: &Identity) -> io::Result<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(identity.cert.clone())], key)
        .map_err(|e| {
            io::Error::other(format!(
                "局域网证书无法使用（{e}）：删除数据文件夹中的 tls 文件夹后重新启动，会生成新证书"
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificate's folder, owner-only on Unix (0700).
fn create_private_dir(folder: &Path) -> io::Result<()> {
    fs::create_dir_all(folder)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(folder, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` (replacing a leftover); `private`: owner-only on Unix (0600)
/// from the moment the file exists, never readable by others even briefly.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let _ = fs::remove_file(path);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
