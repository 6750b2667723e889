//! The door on PostgreSQL (issue 19): `aftersales --database-url … ` against the test
//! cluster `cargo xtask test` starts (`AFTERSALES_TEST_PG`). What IT sees when the URL is
//! wrong — the server unreachable, a wrong password, a missing database — is a Chinese
//! sentence naming the place, never the password, and a failing exit code; a URL kept in a
//! file must be the owner's only.

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
