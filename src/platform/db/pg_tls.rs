//! TLS between the desk and its PostgreSQL server (issue 19). The URL speaks libpq's words:
//! `sslmode` (disable | prefer | require | verify-ca | verify-full) and `sslrootcert` (a PEM
//! file of the CA certificates to trust, or `system`). The `postgres` crate knows only
//! disable | prefer | require and no root certificate, so both are taken out of the URL
//! before it parses the rest, and they make the rustls client (the `ring` provider) that
//! `tokio-postgres-rustls` hands the crate. What each mode does here is written in
//! docs/DECISIONS.md, "Issue 19: TLS to PostgreSQL"; in short:
//!
//! - `disable`: plain text, never TLS.
//! - `prefer` (no sslmode): TLS when the server offers it, else plain text (libpq's
//!   default); the certificate is checked against `sslrootcert` when one is named.
//! - `require`: TLS or nothing; the certificate is checked against `sslrootcert` when one
//!   is named (libpq's rule), else only the encryption is had.
//! - `verify-ca`: TLS, the certificate's chain to `sslrootcert` (or the system's roots).
//! - `verify-full`: that, and the host name of the URL in the certificate. A URL that
//!   names `sslrootcert` without an sslmode means this.

use std::error::Error as StdError;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::platform::error::{Error, Result};

/// The field a bad URL is reported under.
const FIELD: &str = "database_url";
/// The longest URL looked at (a URL with a password and every option fits in far less).
pub const URL_MAX: usize = 4096;
/// The largest `sslrootcert` file read (a bundle of every public root is ~220 KB).
const ROOT_CERT_MAX: u64 = 1 << 20;

/// libpq's `sslmode`, as this desk carries it out (see the module's text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// The URL's word for it.
    pub fn word(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(value: &str) -> Result<SslMode> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            "allow" => {
                return Err(Error::invalid(
                    FIELD,
                    "数据库地址的 sslmode=allow 不支持（先试明文，不安全）：请用 disable、prefer、require、verify-ca 或 verify-full",
                ))
            }
            other => {
                return Err(Error::invalid(
                    FIELD,
                    format!(
                        "数据库地址的 sslmode 值“{}”不对：应为 disable、prefer、require、verify-ca 或 verify-full",
                        shown(other)
                    ),
                ))
            }
        })
    }

    /// What the `postgres` crate is told: it asks for TLS, the verifier does the rest.
    fn crate_mode(self) -> postgres::config::SslMode {
        match self {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        }
    }
}

/// Which certificate authorities the server's certificate must chain to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    /// None named: `prefer` and `require` then check nothing, the `verify-` modes use the
    /// system's.
    Unnamed,
    /// `sslrootcert=FILE`: the PEM certificates in it.
    File(PathBuf),
    /// `sslrootcert=system`: the operating system's trusted roots (the Windows
    /// certificate store, the CA bundle on Linux).
    System,
}

/// The URL's TLS options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsOptions {
    pub mode: SslMode,
    pub roots: Roots,
}

/// A value of the URL as a message may show it: at most 40 characters.
fn shown(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// `%XX` decoded, as the `postgres` crate decodes the URL's parts.
fn decode(part: &str) -> Result<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::invalid(FIELD, "数据库地址里的 % 后面应是两位十六进制数"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::invalid(FIELD, "数据库地址解码后不是 UTF-8 文字"))
}

/// Takes `sslmode` and `sslrootcert` out of a `postgres://` URL: the URL the `postgres`
/// crate then parses, and the options. A URL in libpq's `key=value` form is passed on
/// whole (its sslmode, one of the crate's three, is read back after parsing).
pub fn split(url: &str) -> Result<(String, Option<TlsOptions>)> {
    if url.len() > URL_MAX {
        return Err(Error::invalid(
            FIELD,
            format!("数据库地址太长（超过 {URL_MAX} 字节）"),
        ));
    }
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return Ok((url.to_string(), None));
    };
    // As the crate reads it: the user and password run to the first `@`, which may hold a
    // `?`; the query starts at the first `?` after them.
    let after_user = rest.find('@').map_or(0, |i| i + 1);
    let Some(q) = rest[after_user..].find('?').map(|i| i + after_user) else {
        return Ok((
            url.to_string(),
            Some(TlsOptions {
                mode: SslMode::Prefer,
                roots: Roots::Unnamed,
            }),
        ));
    };
    let base = &url[..url.len() - rest.len() + q];
    let mut mode: Option<SslMode> = None;
    let mut root: Option<String> = None;
    let mut kept = Vec::new();
    for part in rest[q + 1..].split('&') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match decode(key)?.as_str() {
            "sslmode" => {
                if mode.is_some() {
                    return Err(Error::invalid(FIELD, "数据库地址里 sslmode 写了两次"));
                }
                mode = Some(SslMode::parse(&decode(value)?)?);
            }
            "sslrootcert" => {
                if root.is_some() {
                    return Err(Error::invalid(FIELD, "数据库地址里 sslrootcert 写了两次"));
                }
                let value = decode(value)?;
                if value.trim().is_empty() {
                    return Err(Error::invalid(
                        FIELD,
                        "数据库地址的 sslrootcert 是空的：应为 CA 证书文件的路径（PEM），或 system",
                    ));
                }
                root = Some(value);
            }
            "sslcert"
            | "sslkey"
            | "sslpassword"
            | "sslcrl"
            | "sslcrldir"
            | "sslsni"
            | "sslcompression"
            | "ssl_min_protocol_version"
            | "ssl_max_protocol_version" => {
                return Err(Error::invalid(
                    FIELD,
                    format!(
                        "数据库地址的 {} 本程序不支持：TLS 只用 sslmode 和 sslrootcert 设置",
                        shown(&decode(key)?)
                    ),
                ))
            }
            _ => kept.push(part),
        }
    }
    let roots = match root.as_deref() {
        None => Roots::Unnamed,
        Some("system") => Roots::System,
        Some(file) => Roots::File(PathBuf::from(file)),
    };
    let mode = match (mode, &roots) {
        (Some(m), Roots::System) if m != SslMode::VerifyFull => {
            return Err(Error::invalid(
                FIELD,
                format!(
                "数据库地址的 sslrootcert=system 只能与 sslmode=verify-full 一起用（现在是 {}）",
                m.word()
            ),
            ))
        }
        (Some(m), _) => m,
        // A CA named means it is to be checked, host name and all.
        (None, Roots::File(_) | Roots::System) => SslMode::VerifyFull,
        (None, Roots::Unnamed) => SslMode::Prefer,
    };
    if mode == SslMode::Disable && roots != Roots::Unnamed {
        return Err(Error::invalid(
            FIELD,
            "数据库地址写了 sslmode=disable（不加密）又写了 sslrootcert：请去掉其中一个",
        ));
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, Some(TlsOptions { mode, roots })))
}

/// How a connection is made: the options and, unless `disable`, the rustls client.
#[derive(Clone)]
pub struct Tls {
    pub options: TlsOptions,
    connector: Option<MakeRustlsConnect>,
}

impl Tls {
    /// Reads the URL's options (`options` None: the crate's own sslmode of a `key=value`
    /// URL) and makes the client, the CA file read now. The crate's config is told the
    /// sslmode it must carry out.
    pub fn new(options: Option<TlsOptions>, config: &mut postgres::Config) -> Result<Tls> {
        let options = options.unwrap_or_else(|| TlsOptions {
            mode: match config.get_ssl_mode() {
                postgres::config::SslMode::Disable => SslMode::Disable,
                postgres::config::SslMode::Require => SslMode::Require,
                _ => SslMode::Prefer,
            },
            roots: Roots::Unnamed,
        });
        config.ssl_mode(options.mode.crate_mode());
        let connector = match options.mode {
            SslMode::Disable => None,
            _ => Some(MakeRustlsConnect::new(client_config(&options)?)),
        };
        Ok(Tls { options, connector })
    }

    /// Opens a connection with `config`.
    pub fn connect(
        &self,
        config: &postgres::Config,
    ) -> std::result::Result<postgres::Client, postgres::Error> {
        match &self.connector {
            Some(tls) => config.connect(tls.clone()),
            None => config.connect(postgres::NoTls),
        }
    }

    /// libpq's environment for the same protection (the server's own tools, pg_dump and
    /// pg_restore, are told where the desk's database is through it).
    pub fn libpq_env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        let mut env = vec![("PGSSLMODE", self.options.mode.word().into())];
        match &self.options.roots {
            Roots::File(path) => env.push(("PGSSLROOTCERT", path.clone().into_os_string())),
            Roots::System => env.push(("PGSSLROOTCERT", "system".into())),
            Roots::Unnamed
                if matches!(self.options.mode, SslMode::VerifyCa | SslMode::VerifyFull) =>
            {
                env.push(("PGSSLROOTCERT", "system".into()))
            }
            Roots::Unnamed => {}
        }
        env
    }
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The rustls client for `options` (not `disable`).
fn client_config(options: &TlsOptions) -> Result<rustls::ClientConfig> {
    let provider = provider();
    let chain = |roots: Arc<RootCertStore>| -> Result<Arc<WebPkiServerVerifier>> {
        WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| Error::Storage(format!("无法建立数据库的证书检查：{e}")))
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (options.mode, &options.roots) {
        (SslMode::Prefer | SslMode::Require, Roots::Unnamed) => {
            Arc::new(EncryptionOnly(provider.clone()))
        }
        (SslMode::VerifyFull, roots) => chain(root_store(roots)?)?,
        (_, roots) => Arc::new(ChainOnly(chain(root_store(roots)?)?)),
    };
    Ok(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Storage(format!("无法建立数据库的加密连接设置：{e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    )
}

/// The trusted roots: the CA file's certificates, or the system's (read once a process).
fn root_store(roots: &Roots) -> Result<Arc<RootCertStore>> {
    match roots {
        Roots::File(path) => Ok(Arc::new(read_root_file(path)?)),
        Roots::System | Roots::Unnamed => {
            static SYSTEM: OnceLock<std::result::Result<Arc<RootCertStore>, String>> =
                OnceLock::new();
            SYSTEM
                .get_or_init(|| {
                    let found = rustls_native_certs::load_native_certs();
                    let mut store = RootCertStore::empty();
                    store.add_parsable_certificates(found.certs);
                    if store.is_empty() {
                        let why = found
                            .errors
                            .first()
                            .map_or_else(String::new, |e| format!("（{e}）"));
                        Err(format!(
                            "这台电脑上找不到系统信任的根证书{why}：请在数据库地址里用 sslrootcert=文件 指定数据库服务器的 CA 证书"
                        ))
                    } else {
                        Ok(Arc::new(store))
                    }
                })
                .clone()
                .map_err(Error::Storage)
        }
    }
}

/// The CA certificates of a PEM file, its size bounded before it is read.
fn read_root_file(path: &Path) -> Result<RootCertStore> {
    let name = path.display();
    let cannot = |e: std::io::Error| {
        Error::invalid(
            FIELD,
            format!("读不了数据库地址的 sslrootcert 文件 {name}：{e}"),
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(ROOT_CERT_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > ROOT_CERT_MAX {
        return Err(Error::invalid(
            FIELD,
            format!("sslrootcert 文件 {name} 太大（超过 1 MB），不像 CA 证书"),
        ));
    }
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| {
            Error::invalid(
                FIELD,
                format!("sslrootcert 文件 {name} 不是完好的 PEM 证书：{e}"),
            )
        })?;
        store.add(cert).map_err(|e| {
            Error::invalid(
                FIELD,
                format!("sslrootcert 文件 {name} 里有一张证书无法使用：{e}"),
            )
        })?;
    }
    if store.is_empty() {
        return Err(Error::invalid(
            FIELD,
            format!("sslrootcert 文件 {name} 里没有证书（应为 PEM 格式的 CA 证书，-----BEGIN CERTIFICATE-----）"),
        ));
    }
    Ok(store)
}

/// `verify-ca` (and `prefer`/`require` with a CA file): the chain to the trusted roots,
/// dates and usage checked as for `verify-full`; only a name that does not match is let
/// through (rustls checks the name last, after the chain).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` with no CA named (libpq's meaning): the traffic is encrypted,
/// whoever the server is. The handshake's signatures are still checked against the
/// certificate shown, so the session's keys belong to it.
#[derive(Debug)]
struct EncryptionOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptionOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The clerk's words for a connection TLS refused: the certificate not trusted, another
/// host's, out of its dates, or a server without TLS when TLS was required. None when the
/// failure was not TLS's.
pub fn explain(e: &postgres::Error, tls: &Tls, host: &str) -> Option<String> {
    let mode = tls.options.mode;
    let whose_ca = match &tls.options.roots {
        Roots::File(path) => format!("由 sslrootcert 文件 {} 里的 CA ", path.display()),
        _ => "由这台电脑系统信任的证书机构".to_string(),
    };
    let mut source: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = source {
        let rustls_error = s.downcast_ref::<rustls::Error>().or_else(|| {
            s.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(r) = rustls_error {
            return Some(match r {
                rustls::Error::InvalidCertificate(c) => match c {
                    CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
                        "服务器的证书不是{whose_ca}签发的，无法确认对方就是数据库服务器（sslmode={}），没有连接",
                        mode.word()
                    ),
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. } => format!(
                        "服务器的证书上没有地址里的主机名 {host}，对方可能不是数据库服务器（sslmode=verify-full 要求主机名与证书一致），没有连接"
                    ),
                    CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                        "服务器的证书已过期，没有连接".to_string()
                    }
                    CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                        "服务器的证书还未生效（请核对这台电脑和服务器的时钟），没有连接".to_string()
                    }
                    other => format!("服务器的证书未通过检查（{other:?}），没有连接"),
                },
                other => format!("与服务器的加密握手失败（{other}），没有连接"),
            });
        }
        if s.to_string() == "server does not support TLS" {
            return Some(format!(
                "服务器不接受加密连接（TLS），而数据库地址要求加密（sslmode={}），没有以明文连接；请 IT 在服务器上开启 ssl",
                mode.word()
            ));
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(url: &str) -> (String, TlsOptions) {
        let (rest, options) = split(url).unwrap();
        (rest, options.unwrap())
    }

    #[test]
    fn sslmode_and_sslrootcert_leave_the_url_and_the_rest_stays() {
        let (url, o) = options(
            "postgres://desk:p%3Fw@db/desk?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        );
        assert_eq!(url, "postgres://desk:p%3Fw@db/desk?application_name=x");
        assert_eq!(o.mode, SslMode::VerifyFull);
        assert_eq!(o.roots, Roots::File(PathBuf::from("/etc/ca.pem")));
        // A `?` in the password is the password's, as the crate reads it.
        let (url, o) = options("postgres://desk:a?b@db/desk?sslmode=require");
        assert_eq!(url, "postgres://desk:a?b@db/desk");
        assert_eq!(o.mode, SslMode::Require);
        assert_eq!(o.roots, Roots::Unnamed);
    }

    #[test]
    fn the_default_is_prefer_and_a_named_ca_means_verify_full() {
        assert_eq!(options("postgres://desk@db/desk").1.mode, SslMode::Prefer);
        assert_eq!(
            options("postgresql://desk@db/desk?sslrootcert=ca.pem")
                .1
                .mode,
            SslMode::VerifyFull
        );
        let o = options("postgres://desk@db/desk?sslrootcert=system").1;
        assert_eq!((o.mode, o.roots), (SslMode::VerifyFull, Roots::System));
        // libpq's form passes whole.
        let (url, o) = split("host=db user=desk sslmode=require").unwrap();
        assert_eq!(url, "host=db user=desk sslmode=require");
        assert!(o.is_none());
    }

    #[test]
    fn bad_options_are_refused_naming_database_url() {
        for (url, says) in [
            (
                "postgres://d@db/d?sslmode=verify_full",
                "sslmode 值“verify_full”不对",
            ),
            ("postgres://d@db/d?sslmode=allow", "sslmode=allow 不支持"),
            (
                "postgres://d@db/d?sslmode=require&sslmode=disable",
                "sslmode 写了两次",
            ),
            ("postgres://d@db/d?sslrootcert=", "sslrootcert 是空的"),
            (
                "postgres://d@db/d?sslrootcert=system&sslmode=require",
                "只能与 sslmode=verify-full",
            ),
            (
                "postgres://d@db/d?sslmode=disable&sslrootcert=ca.pem",
                "又写了 sslrootcert",
            ),
            ("postgres://d@db/d?sslcert=me.pem", "sslcert 本程序不支持"),
            ("postgres://d@db/d?sslmode=%zz", "两位十六进制数"),
        ] {
            let e = split(url).unwrap_err();
            assert_eq!(e.field(), Some(FIELD), "{url}");
            assert!(e.to_string().contains(says), "{url}: {e}");
        }
        let long = format!("postgres://d@db/d?application_name={}", "x".repeat(URL_MAX));
        assert!(split(&long).unwrap_err().to_string().contains("太长"));
    }

    #[test]
    fn a_root_file_without_certificates_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a certificate\n").unwrap();
        let e = read_root_file(&file).unwrap_err();
        assert_eq!(e.field(), Some(FIELD));
        assert!(e.to_string().contains("里没有证书"), "{e}");
        let e = read_root_file(&dir.path().join("missing.pem")).unwrap_err();
        assert!(e.to_string().contains("读不了"), "{e}");
    }
}
