//! The headless door driven as a script or another program would: the real binary on a
//! real data folder, and the browser door over real HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

fn aftersales(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

fn call(dir: &std::path::Path, command: &str, args: Value) -> (bool, Value) {
    let out = aftersales(dir)
        .args(["call", command, &args.to_string()])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

#[test]
fn call_round_trips_the_customer_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, c) = call(
        dir.path(),
        "customers.create",
        json!({"name": "欧阳玥", "phones": ["139 1234 5678"]}),
    );
    assert!(ok, "{c}");
    let id = c["id"].clone();
    let (ok, got) = call(dir.path(), "customers.get", json!({"id": id}));
    assert!(ok);
    assert_eq!(got["phones"][0]["display"], "139 1234 5678");
    let (ok, _) = call(
        dir.path(),
        "customers.update",
        json!({"id": id, "name": "欧阳玥", "phones": ["13912345678"], "class": "vip"}),
    );
    assert!(ok);
    let (ok, page) = call(dir.path(), "customers.search", json!({"query": "阳玥"}));
    assert!(ok);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["class"], "vip");
}

#[test]
fn call_failure_prints_the_error_json_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, e) = call(
        dir.path(),
        "customers.create",
        json!({"name": "", "phones": ["1381234567"]}),
    );
    assert!(!ok);
    assert_eq!(
        e,
        json!({
            "code": "invalid", "field": "name", "message": "客户名称不能为空",
            // Every refused field at once (issue 15), the first one also as field/message.
            "fields": [
                {"field": "name", "message": "客户名称不能为空"},
                {"field": "phones", "message": "手机号码应为11位数字（第1个电话：1381234567）"}
            ]
        })
    );
    let out = aftersales(dir.path())
        .args(["call", "customers.get", "{not json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["code"], "bad_request");
}

#[test]
fn commands_lists_the_table_with_roles() {
    let out = Command::new(env!("CARGO_BIN_EXE_aftersales"))
        .arg("commands")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l == "customers.create\tclerk,manager\t新建客户"),
        "{text}"
    );
    assert_eq!(text.lines().count(), aftersales::api::commands().len());
}

#[test]
fn demo_fills_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let out = aftersales(dir.path())
        .args(["demo", "--customers", "40", "--parts", "12"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, info) = call(dir.path(), "app.info", json!({}));
    assert_eq!(info["customers"], 40);
    let (_, parts) = call(dir.path(), "parts.list", json!({}));
    assert_eq!(parts["total"], 12);
    let (_, report) = call(dir.path(), "stock.report", json!({}));
    assert!(report["total_value_fen"].as_i64().unwrap() > 0, "{report}");
}

/// Kills the server even when an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn post(port: u16, path: &str, session: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let session = session
        .map(|t| format!("X-Desk-Session: {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{session}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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
    (status, body)
}

/// Starts `aftersales serve` on a free port; the port.
fn serve(dir: &std::path::Path) -> (Server, u16) {
    let child = aftersales(dir)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("UI: http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{line}"));
    (server, port.parse().unwrap())
}

fn add_user(dir: &std::path::Path, login: &str, name: &str, roles: &[&str]) {
    let (ok, out) = call(
        dir,
        "users.save",
        json!({"login": login, "name": name, "roles": roles, "password": "pass-1234"}),
    );
    assert!(ok, "{out}");
}

fn login(port: u16, login: &str) -> String {
    let body = json!({"login": login, "password": "pass-1234"}).to_string();
    let (status, body) = post(port, "/api/auth.login", None, &body);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn serve_answers_only_in_a_session_and_by_role() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "wangf", "王芳", &["clerk"]);
    let (_server, port) = serve(dir.path());

    // Without a session only the login screen's commands answer.
    let (status, body) = post(port, "/api/app.info", None, "{}");
    assert_eq!(status, 401, "{body}");
    let (status, _) = post(port, "/api/app.info", Some("wrong"), "{}");
    assert_eq!(status, 401);
    let (status, body) = post(port, "/api/auth.status", None, "{}");
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        port,
        "/api/auth.login",
        None,
        r#"{"login":"wangf","password":"nope-nope"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["field"],
        "password"
    );
    let token = login(port, "wangf");
    let session = Some(token.as_str());

    let (status, body) = post(
        port,
        "/api/customers.create",
        session,
        r#"{"name":"张伟","phones":["138"]}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["field"],
        "phones"
    );
    let (status, body) = post(
        port,
        "/api/customers.create",
        session,
        r#"{"name":"张伟","phones":["13812345678"]}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        port,
        "/api/customers.search",
        session,
        r#"{"query":"5678"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 1);
    // A clerk is not the administrator: refused, with the reason.
    let (status, body) = post(port, "/api/users.list", session, "{}");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("没有权限"), "{body}");
    let (status, _) = post(port, "/api/no.such", session, "{}");
    assert_eq!(status, 404);
    // Logged out, the session is dead.
    let logout = json!({"session": token}).to_string();
    assert_eq!(post(port, "/api/auth.logout", None, &logout).0, 200);
    assert_eq!(post(port, "/api/app.info", session, "{}").0, 401);
}

/// Two desks on one browser door, 1,000 mixed actions at once (500 each): new customers,
/// stock received and issued on one shared part, work orders. Nothing is lost (every
/// accepted action is there exactly once), no stock goes negative, the ledger equals the
/// balance, order numbers are unique and without gaps.
#[test]
fn two_desks_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "desk1", "前台一", &["clerk", "storekeeper"]);
    add_user(dir.path(), "desk2", "前台二", &["clerk", "storekeeper"]);
    let (ok, part) = call(
        dir.path(),
        "parts.save",
        json!({"code": "P-1", "name": "压缩机继电器", "unit": "个", "cost_fen": 500}),
    );
    assert!(ok, "{part}");
    let part = part["id"].as_i64().unwrap();
    let (ok, customer) = call(
        dir.path(),
        "customers.create",
        json!({"name": "共用客户", "phones": ["13800000000"]}),
    );
    assert!(ok);
    let customer = customer["id"].as_i64().unwrap();
    let (_server, port) = serve(dir.path());

    let desk = |name: &'static str, seed: u64| {
        let session = login(port, name);
        std::thread::spawn(move || {
            let mut rng = seed;
            let mut tally = Tally::default();
            for i in 0..500 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let (command, body) = match rng % 4 {
                    0 => (
                        "customers.create",
                        json!({"name": format!("{name}客户{i}"), "phones": [format!("139{:08}", seed % 100 * 1_000_000 + i)]}),
                    ),
                    1 => (
                        "stock.receive",
                        json!({"part_id": part, "store_id": 1, "quantity": 1, "unit_cost_fen": 500}),
                    ),
                    2 => (
                        "stock.issue",
                        json!({"part_id": part, "store_id": 1, "quantity": 2, "work_order": format!("{name}-{i}")}),
                    ),
                    _ => (
                        "orders.create",
                        json!({"customer_id": customer, "kind": "consultation", "channel": "phone",
                               "mode": "phone_help", "fault": format!("{name} 第{i}次来电")}),
                    ),
                };
                let (status, reply) = post(
                    port,
                    &format!("/api/{command}"),
                    Some(&session),
                    &body.to_string(),
                );
                match (command, status) {
                    (_, 200) => tally.accepted(command, &reply),
                    // Not enough stock for this issue: refused whole, with the field named.
                    ("stock.issue", 400) => {
                        assert!(reply.contains("quantity"), "{reply}");
                        tally.refused_issues += 1;
                    }
                    _ => panic!("{command} {body}: {status} {reply}"),
                }
            }
            tally
        })
    };
    let one = desk("desk1", 0x9E37_79B9_7F4A_7C15);
    let two = desk("desk2", 0xD1B5_4A32_D192_ED03);
    let (one, two) = (one.join().unwrap(), two.join().unwrap());
    let actions =
        |t: &Tally| t.customers + t.receipts + t.issues + t.refused_issues + t.orders.len();
    assert_eq!(actions(&one) + actions(&two), 1000);

    // Every accepted customer is there.
    let (_, found) = call(dir.path(), "customers.search", json!({"query": ""}));
    assert_eq!(found["total"], 1 + one.customers + two.customers);
    // Stock: receipts minus issues, never below zero, the ledger agrees.
    let received = one.receipts + two.receipts;
    let issued = 2 * (one.issues + two.issues);
    let (_, p) = call(dir.path(), "parts.get", json!({"id": part}));
    let on_hand = p["on_hand"].as_i64().unwrap_or_else(|| panic!("{p}"));
    assert_eq!(on_hand, (received - issued) as i64);
    assert!(on_hand >= 0);
    let conn = rusqlite::Connection::open(dir.path().join("desk.db")).unwrap();
    let (ledger, negative): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT coalesce(sum(quantity), 0) FROM stock_movement WHERE part_id = ?1),
                    (SELECT count(*) FROM stock_balance WHERE quantity < 0)",
            [part],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(ledger, on_hand);
    assert_eq!(negative, 0);
    // Order numbers: unique, without gaps, one per accepted intake.
    let mut numbers: Vec<String> = one.orders.iter().chain(&two.orders).cloned().collect();
    numbers.sort();
    let total = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), total, "a number was given twice");
    let seqs: Vec<u64> = numbers
        .iter()
        .map(|n| n[n.len() - 6..].parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>());
    eprintln!(
        "two desks: {} customers, {received} received, {issued} issued ({} issues refused for want of stock), {total} orders",
        one.customers + two.customers,
        one.refused_issues + two.refused_issues
    );
}

#[derive(Default)]
struct Tally {
    customers: usize,
    receipts: usize,
    issues: usize,
    refused_issues: usize,
    orders: Vec<String>,
}

impl Tally {
    fn accepted(&mut self, command: &str, reply: &str) {
        match command {
            "customers.create" => self.customers += 1,
            "stock.receive" => self.receipts += 1,
            "stock.issue" => self.issues += 1,
            _ => {
                let order: Value = serde_json::from_str(reply).unwrap();
                self.orders
                    .push(order["number"].as_str().unwrap().to_string());
            }
        }
    }
}
