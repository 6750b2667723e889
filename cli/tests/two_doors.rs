//! Issue 19: two `aftersales serve` processes on one database, as two doors of a desk (or
//! two machines of a chain) run them — the real binary, real HTTP on loopback, and the
//! store each door reads its sessions from: one data folder on SQLite, one PostgreSQL
//! database (`--database-url`) when `AFTERSALES_TEST_PG` names a server. Neither door
//! keeps a login of its own: a session opened through one works through the other,
//! ends for both when logged out through either, and wrong passwords sent to both count
//! together; the setup code the first door printed is the one the second prints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// Wrong passwords an address may send before it waits (`users::PEER_FREE_FAILURES`).
const PEER_FREE_FAILURES: usize = 5;

/// Where the two doors' desk is: one data folder, or one PostgreSQL database (each door
/// then has a data folder of its own for its print spool).
struct Store {
    shared: tempfile::TempDir,
    url: Option<String>,
    /// Drops the PostgreSQL database when the test is done.
    _database: Option<Database>,
}

impl Store {
    /// On SQLite, or on PostgreSQL with `AFTERSALES_TEST_PG` set: a new database of its
    /// own there. `engine` names which the test asks for; None when it cannot run.
    fn new(engine: &str, test: &str) -> Option<Store> {
        let shared = tempfile::tempdir().unwrap();
        if engine == "sqlite" {
            return Some(Store {
                shared,
                url: None,
                _database: None,
            });
        }
        let Some(server) = std::env::var("AFTERSALES_TEST_PG")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            // Under `cargo xtask test` a missing server is a failure, not a skip.
            assert!(
                std::env::var_os("AFTERSALES_REQUIRE_PG").is_none(),
                "two_doors::{test}: AFTERSALES_REQUIRE_PG is set but AFTERSALES_TEST_PG is not"
            );
            eprintln!(
                "two_doors::{test} on PostgreSQL: did not run (AFTERSALES_TEST_PG is not set)"
            );
            return None;
        };
        let name = format!("two_doors_{test}_{}", std::process::id());
        let database = Database::create(&server, &name);
        Some(Store {
            shared,
            url: Some(database.url.clone()),
            _database: Some(database),
        })
    }

    /// `aftersales` on this store; `own` is the door's own folder (PostgreSQL).
    fn aftersales(&self, own: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
        cmd.env_remove("AFTERSALES_DATA_DIR")
            .env_remove("AFTERSALES_DATABASE_URL");
        match &self.url {
            None => cmd.arg("--data-dir").arg(self.shared.path()),
            Some(url) => cmd
                .arg("--data-dir")
                .arg(own)
                .arg("--database-url")
                .arg(url),
        };
        cmd
    }

    fn call(&self, command: &str, args: Value) -> Value {
        let out = self
            .aftersales(&self.shared.path().join("cli"))
            .args(["call", command, &args.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Starts a door (`serve` on a free port); it and what it printed before its UI line.
    fn serve(&self, name: &str) -> (Door, Vec<String>) {
        let child = self
            .aftersales(&self.shared.path().join(name))
            .args(["serve", "--port", "0"])
            .env("AFTERSALES_UI_DIR", ui_dir())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut door = Door { child, port: 0 };
        let mut out = BufReader::new(door.child.stdout.take().unwrap());
        let mut before = Vec::new();
        loop {
            let mut line = String::new();
            assert_ne!(
                out.read_line(&mut line).unwrap(),
                0,
                "serve printed no UI line"
            );
            if let Some(rest) = line.trim().strip_prefix("UI: http://127.0.0.1:") {
                door.port = rest.trim_end_matches('/').parse().unwrap();
                return (door, before);
            }
            before.push(line.trim().to_string());
        }
    }
}

/// A PostgreSQL database of the test's own, dropped at the end.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    fn create(server: &str, name: &str) -> Database {
        let mut admin = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("no PostgreSQL answers at {server}: {e}"));
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, query) = server.split_once('?').unwrap_or((server, ""));
        let cut = base
            .rfind('/')
            .filter(|&i| i > "postgres://".len())
            .unwrap_or(base.len());
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Database {
            admin: server.to_string(),
            name: name.to_string(),
            url: format!("{}/{name}{query}", &base[..cut]),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A running `serve`, killed even when an assertion fails.
struct Door {
    child: Child,
    port: u16,
}

impl Drop for Door {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Door {
    /// `POST /api/{command}`: the status and the JSON answer.
    fn post(&self, command: &str, session: Option<&str>, body: Value) -> (u16, Value) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let session = session
            .map(|t| format!("X-Desk-Session: {t}\r\n"))
            .unwrap_or_default();
        let body = body.to_string();
        write!(
            s,
            "POST /api/{command} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{session}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        let status = reply[9..12].parse().unwrap();
        let body = reply
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    fn login(&self, password: &str) -> (u16, Value) {
        self.post(
            "auth.login",
            None,
            json!({"login": "wangf", "password": password}),
        )
    }
}

/// The workspace's ui/: `serve` finds it only when told.
fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

fn a_session_through_one_door_is_one_through_the_other(engine: &str) {
    let Some(store) = Store::new(engine, &format!("sessions_{engine}")) else {
        return;
    };
    store.call(
        "users.save",
        json!({"login": "wangf", "name": "王芳", "roles": ["clerk"], "password": "pass-1234"}),
    );
    let (a, _) = store.serve("a");
    let (b, _) = store.serve("b");
    let (status, logged) = a.login("pass-1234");
    assert_eq!(status, 200, "{logged}");
    let session = logged["session"].as_str().unwrap().to_string();
    // Opened through A, it works through B.
    let (status, me) = b.post("auth.status", Some(&session), json!({}));
    assert_eq!(
        (status, &me["user"]["login"]),
        (200, &json!("wangf")),
        "{me}"
    );
    let (status, info) = b.post("app.info", Some(&session), json!({}));
    assert_eq!(status, 200, "{info}");
    // Logged out through B, A refuses it.
    let (status, out) = b.post("auth.logout", Some(&session), json!({"session": session}));
    assert_eq!(status, 200, "{out}");
    let (status, refused) = a.post("app.info", Some(&session), json!({}));
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["code"], "unauthorized");

    // Wrong passwords sent to both count together: neither had all of them, yet both
    // make the address (127.0.0.1 for both) wait, even with the right password.
    for i in 0..PEER_FREE_FAILURES {
        let door = if i % 2 == 0 { &a } else { &b };
        let (status, wrong) = door.login("nope-nope");
        assert_eq!(status, 400, "{wrong}");
        assert!(
            wrong["message"].as_str().unwrap().contains("不正确"),
            "try {i}: {wrong}"
        );
    }
    for door in [&a, &b] {
        let (status, wait) = door.login("pass-1234");
        assert_eq!(status, 400, "{wait}");
        assert!(
            wait["message"].as_str().unwrap().contains("后再试"),
            "{wait}"
        );
    }
}

#[test]
fn a_session_through_one_door_is_one_through_the_other_on_sqlite() {
    a_session_through_one_door_is_one_through_the_other("sqlite");
}

#[test]
fn a_session_through_one_door_is_one_through_the_other_on_postgresql() {
    a_session_through_one_door_is_one_through_the_other("postgres");
}

fn the_setup_code_the_first_door_printed_is_the_one_the_second_takes(engine: &str) {
    let Some(store) = Store::new(engine, &format!("setup_{engine}")) else {
        return;
    };
    let code_in = |printed: &[String]| -> String {
        let line = printed
            .iter()
            .find(|l| l.starts_with("首次设置码"))
            .unwrap_or_else(|| panic!("no setup code printed: {printed:?}"));
        line.split_whitespace().nth(1).unwrap().to_string()
    };
    let (_a, printed_a) = store.serve("a");
    let (b, printed_b) = store.serve("b");
    let code = code_in(&printed_a);
    assert_eq!(code_in(&printed_b), code, "one code for every door");
    let (status, done) = b.post(
        "auth.setup",
        None,
        json!({"login": "admin", "name": "李经理", "password": "s3cret-pw",
               "password_again": "s3cret-pw", "setup_code": code,
               "settings": {"company_name": "华东制冷售后服务部"}}),
    );
    assert_eq!(status, 200, "{done}");
}

#[test]
fn the_setup_code_the_first_door_printed_is_the_one_the_second_takes_on_sqlite() {
    the_setup_code_the_first_door_printed_is_the_one_the_second_takes("sqlite");
}

#[test]
fn the_setup_code_the_first_door_printed_is_the_one_the_second_takes_on_postgresql() {
    the_setup_code_the_first_door_printed_is_the_one_the_second_takes("postgres");
}
