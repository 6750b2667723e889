//! The door on PostgreSQL (issue 19): `aftersales --database-url … ` against the test
//! cluster `cargo xtask test` starts (`AFTERSALES_TEST_PG`). What IT sees when the URL is
//! wrong — the server unreachable, a wrong password, a missing database — is a Chinese
//! sentence naming the place, never the password, and a failing exit code; a URL kept in a
//! file must be the owner's only.
//!
//! TLS to the server: the cluster has TLS with a certificate for 127.0.0.1 signed by a CA
//! of its own (`AFTERSALES_TEST_PG_CA`), a role that may log in over TLS only
//! (`desk_tls_check`), and a Unix socket on which it speaks plain text only
//! (`AFTERSALES_TEST_PG_SOCKET`).

#[path = "support/cli.rs"]
#[allow(dead_code)] // `call` runs on a data folder's file; these tests name a URL
mod cli;
use cli::{aftersales, free_port};

use std::process::Output;

/// The test cluster's admin URL; None (the test says so) outside `cargo xtask test`,
/// where `AFTERSALES_REQUIRE_PG=1` makes a missing server a failure.
fn server() -> Option<String> {
    match std::env::var("AFTERSALES_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("AFTERSALES_REQUIRE_PG").is_none(),
                "AFTERSALES_REQUIRE_PG is set but AFTERSALES_TEST_PG is not"
            );
            eprintln!("no PostgreSQL (AFTERSALES_TEST_PG unset): this test did not run");
            None
        }
    }
}

/// The admin URL's `host:port`.
fn host_port(url: &str) -> String {
    let after = url.split_once('@').map_or(url, |(_, rest)| rest);
    after.split('/').next().unwrap().to_string()
}

fn admin(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// A fresh database of the test's own, named `name`.
fn database(url: &str, name: &str) -> String {
    let mut c = admin(url);
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    format!("postgres://postgres@{}/{name}", host_port(url))
}

/// What the program said, on either stream (`call` answers a refusal as JSON on stdout).
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn an_unreachable_server_is_named_with_its_port_and_the_door_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = aftersales(dir.path())
        .args([
            "--database-url",
            &format!("postgres://desk@127.0.0.1:{port}/desk"),
        ])
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains(&format!("无法打开数据库 127.0.0.1:{port}/desk"))
            && told.contains("连不上服务器"),
        "{told}"
    );
}

#[test]
fn a_wrong_password_is_named_without_echoing_it() {
    let Some(url) = server() else { return };
    let mut c = admin(&url);
    c.batch_execute(
        "DROP ROLE IF EXISTS desk_password_check;
         CREATE ROLE desk_password_check LOGIN PASSWORD 'right-horse-battery'",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = "wrong-staple-8841";
    let out = aftersales(dir.path())
        .args([
            "--database-url",
            &format!(
                "postgres://desk_password_check:{secret}@{}/postgres",
                host_port(&url)
            ),
        ])
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains("用户 desk_password_check 的密码不正确"),
        "{told}"
    );
    assert!(!told.contains(secret), "the password was echoed: {told}");
    // The right password passes the same check (so the refusal above was the password's).
    let out = aftersales(dir.path())
        .args([
            "--database-url",
            &format!(
                "postgres://desk_password_check:right-horse-battery@{}/postgres",
                host_port(&url)
            ),
        ])
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(
        !said(&out).contains("密码不正确"),
        "the right password was refused: {}",
        said(&out)
    );
    // Over verified TLS the password goes by SCRAM-SHA-256-PLUS, bound to the server's
    // certificate (tls-server-end-point): `channel_binding=require` fails without it.
    let out = aftersales(dir.path())
        .args([
            "--database-url",
            &format!(
                "postgres://desk_password_check:right-horse-battery@{}/postgres?sslmode=verify-full&sslrootcert={}&channel_binding=require",
                host_port(&url),
                ca()
            ),
        ])
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(
        !said(&out).contains("无法打开数据库"),
        "SCRAM with channel binding over TLS was refused: {}",
        said(&out)
    );
}

#[test]
fn a_missing_database_is_named() {
    let Some(url) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = aftersales(dir.path())
        .args([
            "--database-url",
            &format!("postgres://postgres@{}/no_such_desk", host_port(&url)),
        ])
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let told = said(&out);
    assert!(told.contains("数据库 no_such_desk 不存在"), "{told}");
}

#[test]
fn a_url_file_must_be_the_owners_only_and_then_opens_the_chains_desk() {
    let Some(url) = server() else { return };
    let desk_url = database(&url, "door_url_file");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("database-url");
    std::fs::write(&file, format!("{desk_url}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = aftersales(dir.path())
            .arg("--database-url-file")
            .arg(&file)
            .args(["call", "app.info"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(said(&out).contains("chmod 600"), "{}", said(&out));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = aftersales(dir.path())
        .arg("--database-url-file")
        .arg(&file)
        .args(["call", "app.info"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        info["data_file"],
        format!("PostgreSQL {}/door_url_file", host_port(&url))
    );
    // The desk's tables are on the server, not in a file beside the door.
    assert!(!dir.path().join("desk.db").exists());
    let tables: i64 = admin(&desk_url)
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'work_order'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);
}

/// The CA that signed the test server's certificate (`cargo xtask` sets it beside
/// `AFTERSALES_TEST_PG`).
fn ca() -> String {
    std::env::var("AFTERSALES_TEST_PG_CA")
        .expect("AFTERSALES_TEST_PG_CA: the test cluster's CA (cargo xtask test / pg set it)")
}

/// The role that may log in over TLS only (xtask/src/postgres.rs `TLS_ROLE`).
const TLS_ROLE: &str = "desk_tls_check";

/// A fresh database owned by the TLS-only role (made first where missing): the desk's
/// schema is made by that role, over TLS or not at all. The URL has no options yet.
fn tls_database(url: &str, name: &str) -> String {
    let mut c = admin(url);
    for sql in [
        format!(
            "DO $$ BEGIN CREATE ROLE {TLS_ROLE} LOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ),
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name} OWNER {TLS_ROLE}"),
    ] {
        c.batch_execute(&sql).unwrap();
    }
    format!("postgres://{TLS_ROLE}@{}/{name}", host_port(url))
}

/// `aftersales --database-url URL call app.info`.
fn app_info(url: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    aftersales(dir.path())
        .args(["--database-url", url])
        .args(["call", "app.info"])
        .output()
        .unwrap()
}

/// A CA of the test's own that signed nothing the server shows.
fn stranger_ca(dir: &std::path::Path) -> String {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "aftersales test CA");
    params.distinguished_name = dn;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let file = dir.join("stranger-ca.pem");
    // PEM by hand (rcgen's `pem` feature is not compiled): base64 lines of 64.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.der());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    std::fs::write(&file, pem).unwrap();
    file.display().to_string()
}

#[test]
fn verified_tls_opens_the_desk_for_a_role_the_server_admits_over_tls_only() {
    let Some(url) = server() else { return };
    let desk = tls_database(&url, "door_tls_verified");
    let out = app_info(&format!("{desk}?sslmode=verify-full&sslrootcert={}", ca()));
    assert!(out.status.success(), "{}", said(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        info["data_file"],
        format!("PostgreSQL {}/door_tls_verified", host_port(&url))
    );
    // The desk's schema was made by that role: it logged in, so over TLS.
    let owner: String = admin(&format!(
        "postgres://postgres@{}/door_tls_verified",
        host_port(&url)
    ))
    .query_one(
        "SELECT tableowner::text FROM pg_tables WHERE tablename = 'work_order'",
        &[],
    )
    .unwrap()
    .get(0);
    assert_eq!(owner, TLS_ROLE);
    // A named CA alone means verify-full; verify-ca checks the chain and not the name.
    let out = app_info(&format!("{desk}?sslrootcert={}", ca()));
    assert!(out.status.success(), "{}", said(&out));
    let by_name = desk.replace("127.0.0.1", "localhost");
    let out = app_info(&format!(
        "{by_name}?hostaddr=127.0.0.1&sslmode=verify-ca&sslrootcert={}",
        ca()
    ));
    assert!(out.status.success(), "verify-ca: {}", said(&out));
}

#[test]
fn a_certificate_from_another_ca_is_refused_and_the_door_does_not_start() {
    let Some(url) = server() else { return };
    let desk = tls_database(&url, "door_tls_stranger");
    let dir = tempfile::tempdir().unwrap();
    let stranger = stranger_ca(dir.path());
    let out = app_info(&format!(
        "{desk}?sslmode=verify-full&sslrootcert={stranger}"
    ));
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains(&format!(
            "无法打开数据库 {}/door_tls_stranger：服务器的证书不是由 sslrootcert 文件 {stranger} 里的 CA 签发的",
            host_port(&url)
        )),
        "{told}"
    );
    // verify-ca checks the same chain.
    let out = app_info(&format!("{desk}?sslmode=verify-ca&sslrootcert={stranger}"));
    assert!(!out.status.success());
    assert!(said(&out).contains("里的 CA 签发的"), "{}", said(&out));
    // The browser door refuses to start on it, with a failing exit.
    let data = tempfile::tempdir().unwrap();
    let out = aftersales(data.path())
        .args([
            "--database-url",
            &format!("{desk}?sslmode=verify-full&sslrootcert={stranger}"),
        ])
        .args(["serve", "--port", &free_port().to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "serve started: {}", said(&out));
    assert!(said(&out).contains("里的 CA 签发的"), "{}", said(&out));
}

#[test]
fn a_host_name_the_certificate_does_not_carry_is_refused() {
    let Some(url) = server() else { return };
    // The server's certificate is for 127.0.0.1 only; the name localhost at the same
    // address (hostaddr: the connection goes there, the certificate is checked for the
    // name) is another server as far as the certificate says.
    let desk = tls_database(&url, "door_tls_name").replace("127.0.0.1", "localhost");
    let out = app_info(&format!(
        "{desk}?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert={}",
        ca()
    ));
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains("无法打开数据库 localhost:")
            && told.contains("服务器的证书上没有地址里的主机名 localhost"),
        "{told}"
    );
}

#[test]
fn tls_required_of_a_path_without_tls_is_refused_not_sent_in_plain_text() {
    let Some(url) = server() else { return };
    let socket = std::env::var("AFTERSALES_TEST_PG_SOCKET")
        .expect("AFTERSALES_TEST_PG_SOCKET: the test cluster's socket folder");
    let port = host_port(&url).rsplit_once(':').unwrap().1.to_string();
    // PostgreSQL answers "no TLS" on its Unix socket.
    let plain = format!(
        "postgres://postgres@{}:{port}/postgres",
        socket.replace('/', "%2F")
    );
    let out = app_info(&format!("{plain}?sslmode=require"));
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains(&format!("无法打开数据库 {socket}:{port}/postgres"))
            && told
                .contains("服务器不接受加密连接（TLS），而数据库地址要求加密（sslmode=require）"),
        "{told}"
    );
    // prefer falls back to plain text there, as libpq's does.
    let out = app_info(&format!("{plain}?sslmode=prefer"));
    assert!(out.status.success(), "{}", said(&out));
}

#[test]
fn plain_text_to_a_tls_only_role_is_refused_by_the_server_with_the_reason() {
    let Some(url) = server() else { return };
    let desk = tls_database(&url, "door_tls_plain");
    let out = app_info(&format!("{desk}?sslmode=disable"));
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains(&format!(
            "无法打开数据库 {}/door_tls_plain：数据库服务器不认识用户 desk_tls_check，或不允许它从这里登录；本连接没有加密（sslmode=disable），服务器可能只允许加密连接",
            host_port(&url)
        )),
        "{told}"
    );
}

#[test]
fn a_bad_sslmode_is_named_before_any_connection() {
    // No server needed: the URL is refused as it is read.
    let out = app_info("postgres://desk@127.0.0.1:1/desk?sslmode=verify");
    assert!(!out.status.success());
    let told = said(&out);
    assert!(
        told.contains("database_url") && told.contains("sslmode 值“verify”不对"),
        "{told}"
    );
}
