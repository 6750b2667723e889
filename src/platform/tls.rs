//! Where the LAN door's certificate lives, and its fingerprint.
//!
//! The browser door (`aftersales serve`) makes a self-signed certificate the first time it
//! opens to the LAN and keeps it in `<data folder>/tls/` (certificate and key as DER). The
//! core generates nothing: it only reads the certificate to show its SHA-256 fingerprint
//! in 设置 (`settings.get`, `lan_fingerprint`), so the administrator can read it out to a
//! second desk, which compares it with what its own first connection pinned.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The folder of the certificate and its key, inside the data folder.
pub const FOLDER: &str = "tls";
/// The certificate, DER (X.509), readable by anyone who may read the data folder.
pub const CERT_FILE: &str = "cert.der";
/// The private key, DER (PKCS #8); owner-only on Unix (0600).
pub const KEY_FILE: &str = "key.der";

/// `<data folder>/tls`.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(FOLDER)
}

/// SHA-256 of a DER certificate as people compare it: 32 bytes in uppercase hex, separated
/// by colons (`AB:CD:…`), as browsers and `openssl x509 -fingerprint -sha256` show it.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{byte:02X}"));
    }
    out
}

/// The fingerprint of the certificate kept in `data_dir`; `None` before the door has made
/// one (the desk never opened to the LAN) or when it cannot be read.
pub fn stored_fingerprint(data_dir: &Path) -> Option<String> {
    let der = std::fs::read(folder(data_dir).join(CERT_FILE)).ok()?;
    (!der.is_empty()).then(|| fingerprint(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_uppercase_hex_pairs_joined_by_colons() {
        // SHA-256 of the empty input, a published test vector.
        let empty = fingerprint(b"");
        assert!(empty.starts_with("E3:B0:C4:42:98:FC:1C:14"), "{empty}");
        assert!(empty.ends_with(":78:52:B8:55"), "{empty}");
        assert_eq!(empty.len(), 32 * 3 - 1);
    }

    #[test]
    fn no_certificate_means_no_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(stored_fingerprint(dir.path()), None);
        std::fs::create_dir_all(folder(dir.path())).unwrap();
        std::fs::write(folder(dir.path()).join(CERT_FILE), b"abc").unwrap();
        assert_eq!(
            stored_fingerprint(dir.path()).as_deref(),
            Some(fingerprint(b"abc").as_str())
        );
    }
}
