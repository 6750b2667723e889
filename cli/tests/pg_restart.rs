//! Issue 19: the PostgreSQL server stopped and started again under load. Two real
//! `aftersales --database-url URL serve` doors on one database, client threads taking
//! calls through HTTP (a new caller and their order in one intake, the order assigned,
//! started and completed with a part from stock), each keeping what the door answered as
//! saved. Mid-run the server goes away twice: a fast shutdown (`pg_ctl stop -m fast`) and
//! a crash (`-m immediate`: no checkpoint, sessions killed), some seconds each, then
//! `pg_ctl start`. Afterwards:
//! - every write a door acknowledged is in the database;
//! - nothing is half-written: each order has its customer and each new customer its
//!   order, its audit entries, numbers unique and gapless, the stock's balance the sum
//!   of its ledger and never negative, one issue of the part per completed order;
//! - what failed failed as `storage` with a Chinese message, only while the server was
//!   away (or the first request after it), and within [`ANSWER_BOUND`]: a probe asks
//!   both doors all through each outage;
//! - both doors never exited and answer normally afterwards, without being restarted.
//!
//! The server is a cluster of the test's own, since it is stopped: `cargo xtask test`
//! starts a second throw-away cluster for this test alone and names it in
//! `AFTERSALES_TEST_PG_RESTART_URL` (the server), `…_CTL` (its `pg_ctl`), `…_DATA` (its
//! data folder), `…_LOG` (its log) and `…_AS` (the user the server runs as, when the test
//! runs as root). Without them the test says it did not run, and fails under
//! `AFTERSALES_REQUIRE_PG` (xtask).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a door may take to answer, also while the server is away.
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// How long each outage lasts.
const OUTAGE: Duration = Duration::from_secs(4);
/// Load before the first outage, between them and after the last.
const STEADY: Duration = Duration::from_secs(6);
/// Client threads per door.
const CLIENTS_PER_DOOR: usize = 3;
const LOGIN: &str = "desk";
const PASSWORD: &str = "restart-pass-1";
const PART_CODE: &str = "IGN-RESTART";
const STOCK: i64 = 100_000;

/// The restartable server the environment names.
struct Server {
    url: String,
    ctl: PathBuf,
    data: PathBuf,
    log: PathBuf,
    run_as: Option<String>,
}

impl Server {
    fn from_env() -> Option<Server> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let Some(url) = var("AFTERSALES_TEST_PG_RESTART_URL") else {
            // Under `cargo xtask test` a missing server is a failure, not a skip.
            assert!(
                std::env::var_os("AFTERSALES_REQUIRE_PG").is_none(),
                "pg_restart: AFTERSALES_REQUIRE_PG is set but AFTERSALES_TEST_PG_RESTART_URL \
                 is not (cargo xtask test starts a cluster of its own for this test)"
            );
            eprintln!("pg_restart: did not run (AFTERSALES_TEST_PG_RESTART_URL is not set)");
            return None;
        };
        let need = |name: &str| {
            PathBuf::from(var(name).unwrap_or_else(|| panic!("{name} is not set beside the URL")))
        };
        Some(Server {
            url,
            ctl: need("AFTERSALES_TEST_PG_RESTART_CTL"),
            data: need("AFTERSALES_TEST_PG_RESTART_DATA"),
            log: need("AFTERSALES_TEST_PG_RESTART_LOG"),
            run_as: var("AFTERSALES_TEST_PG_RESTART_AS"),
        })
    }

    /// `pg_ctl ARGS` as the server's owner; panics when it fails.
    fn pg_ctl(&self, args: &[&str]) {
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&self.ctl);
                c
            }
            None => Command::new(&self.ctl),
        };
        // The server's user may not enter the test's working folder.
        cmd.current_dir(self.data.parent().unwrap_or(Path::new("/")))
            .arg("-D")
            .arg(&self.data)
            .args(args)
            .stdin(Stdio::null());
        let out = cmd.output().expect("run pg_ctl");
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn stop(&self, mode: &str) {
        self.pg_ctl(&["-m", mode, "-w", "-t", "60", "stop"]);
    }

    fn start(&self) {
        let log = self.log.display().to_string();
        self.pg_ctl(&["-l", &log, "-w", "-t", "120", "start"]);
    }

    /// A new database of the test's own; dropped when the guard drops.
    fn database(&self, name: &str) -> Database {
        let mut admin = postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("no PostgreSQL answers at {}: {e}", self.url));
        // Two statements apart: neither may run inside a transaction block.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let base = self.url.split('?').next().unwrap();
        let cut = base
            .rfind('/')
            .filter(|&i| i > "postgres://".len())
            .unwrap();
        Database {
            admin: self.url.clone(),
            name: name.to_string(),
            url: format!("{}/{name}", &base[..cut]),
        }
    }
}

struct Database {
    admin: String,
    name: String,
    url: String,
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

/// `aftersales --data-dir OWN --database-url URL …`.
fn aftersales(own: &Path, url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.env_remove("AFTERSALES_DATA_DIR")
        .env_remove("AFTERSALES_DATABASE_URL")
        .arg("--data-dir")
        .arg(own)
        .arg("--database-url")
        .arg(url);
    cmd
}

/// A running `serve`, killed when the test ends however it ends.
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
    fn start(own: &Path, url: &str) -> Door {
        let child = aftersales(own, url)
            .args(["serve", "--port", "0"])
            .env(
                "AFTERSALES_UI_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui"),
            )
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut door = Door { child, port: 0 };
        let mut lines = BufReader::new(door.child.stdout.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.trim().strip_prefix("UI: http://127.0.0.1:") {
                door.port = rest.trim_end_matches('/').parse().unwrap();
                break;
            }
        }
        assert_ne!(door.port, 0, "serve printed no UI line");
        // Whatever it prints later is read, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        door
    }

    /// Still running (never exited)?
    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

/// One answer of a door.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    body: Value,
    took: Duration,
    /// When the request was sent, from the run's start.
    at: Duration,
}

impl Answer {
    fn ok(&self) -> bool {
        self.status == 200
    }
}

/// `POST /api/COMMAND` on `port`, a connection of its own; a read that waits past twice
/// the bound fails the request (status 0), which the checks then refuse.
fn post(port: u16, session: Option<&str>, command: &str, args: &Value, t0: Instant) -> Answer {
    let started = Instant::now();
    let at = started - t0;
    let failed = |why: String| Answer {
        status: 0,
        body: json!({"transport": why}),
        took: started.elapsed(),
        at,
    };
    let mut s = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => return failed(format!("connect: {e}")),
    };
    s.set_read_timeout(Some(ANSWER_BOUND * 2)).unwrap();
    let session = session
        .map(|t| format!("X-Desk-Session: {t}\r\n"))
        .unwrap_or_default();
    let body = args.to_string();
    let sent = write!(
        s,
        "POST /api/{command} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{session}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Err(e) = sent {
        return failed(format!("send: {e}"));
    }
    let mut reply = String::new();
    if let Err(e) = s.read_to_string(&mut reply) {
        return failed(format!("read: {e}"));
    }
    let Some(status) = reply.get(9..12).and_then(|s| s.parse().ok()) else {
        return failed(format!("no status line: {reply:?}"));
    };
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| serde_json::from_str(b).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    Answer {
        status,
        body,
        took: started.elapsed(),
        at,
    }
}

/// What one client thread was told.
#[derive(Default)]
struct Told {
    /// (customer id, customer name, order id, order number) of each intake answered Ok.
    intakes: Vec<(i64, String, i64, String)>,
    /// Orders whose completion was answered Ok.
    completed: Vec<i64>,
    /// Every answer that was not Ok: (command, answer).
    failures: Vec<(String, Answer)>,
    /// Every answer (for counts).
    answers: usize,
}

struct Setup {
    engineer: i64,
    part: i64,
    store: i64,
}

/// A client thread: calls taken one after the other until `stop`; a failed step ends
/// the call, and the next call starts afresh.
fn client(
    port: u16,
    session: &str,
    who: usize,
    setup: &Setup,
    stop: &AtomicBool,
    t0: Instant,
) -> Told {
    let mut told = Told::default();
    let call = |told: &mut Told, command: &str, args: Value| -> Option<Value> {
        // A clerk's pace, roughly: 100–250 ms between requests, not in step with the
        // other threads. (Back to back, two doors completing with the one part collide
        // on its balance row so often that eight tries are not always enough, and the
        // clerk is told `contended`: a load no desk makes.)
        let pause = 100 + (who as u64 * 37 + told.answers as u64 * 53) % 150;
        std::thread::sleep(Duration::from_millis(pause));
        let answer = post(port, Some(session), command, &args, t0);
        told.answers += 1;
        if answer.ok() {
            Some(answer.body)
        } else {
            told.failures.push((command.to_string(), answer));
            // A pause, as a clerk would take before trying again.
            std::thread::sleep(Duration::from_millis(100));
            None
        }
    };
    let mut seq = 0u32;
    while !stop.load(Ordering::Relaxed) {
        seq += 1;
        let name = format!("重启客户{who:02}号{seq:04}");
        let phone = format!("139{who:02}{seq:06}");
        let Some(intake) = call(
            &mut told,
            "orders.intake",
            json!({"customer": {"name": name, "phones": [phone], "address": "杭州市西湖区文三路 90 号"},
                   "order": {"kind": "repair", "fault": "不打火，点火针有火花",
                             "channel": "phone", "priority": "normal"}}),
        ) else {
            continue;
        };
        let customer = intake["customer"]["id"].as_i64().expect("a customer id");
        let order = intake["order"]["id"].as_i64().expect("an order id");
        let number = intake["order"]["number"].as_str().unwrap().to_string();
        assert_eq!(intake["customer"]["name"], json!(name), "{intake}");
        told.intakes.push((customer, name, order, number));
        if call(
            &mut told,
            "orders.assign",
            json!({"id": order, "engineer_id": setup.engineer}),
        )
        .is_none()
            || call(
                &mut told,
                "orders.move",
                json!({"id": order, "to": "in_progress"}),
            )
            .is_none()
        {
            continue;
        }
        let done = call(
            &mut told,
            "orders.complete",
            json!({"id": order, "diagnosis": "点火针积碳", "work_done": "更换点火针",
                   "parts": [{"part_id": setup.part, "store_id": setup.store, "quantity": 1}],
                   "fees": [{"kind": "labour", "amount_fen": 5000}]}),
        );
        if let Some(done) = done {
            assert_eq!(done["status"], json!("completed"), "{done}");
            told.completed.push(order);
        }
    }
    told
}

/// Asks every door `customers.search` again and again while `going`: (door, answer).
fn probe(ports: &[u16], session: &str, going: &AtomicBool, t0: Instant) -> Vec<(u16, Answer)> {
    let mut seen = Vec::new();
    while going.load(Ordering::Relaxed) {
        for &port in ports {
            let args = json!({"query": "重启客户", "page_size": 5});
            seen.push((
                port,
                post(port, Some(session), "customers.search", &args, t0),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    seen
}

/// A window of the run while which requests may fail: from the stop's start to the
/// server answering again, plus `grace` (a door's first request on a connection the
/// server dropped fails, and the next one reconnects).
#[derive(Clone, Copy, Debug)]
struct Window {
    from: Duration,
    to: Duration,
}

/// Whether the request was under way at some moment of a window.
fn during(windows: &[Window], a: &Answer) -> bool {
    windows
        .iter()
        .any(|w| a.at + a.took >= w.from && a.at <= w.to)
}

/// The failure is the one the UI shows: `storage`, a Chinese sentence, nothing raw.
fn check_storage_failure(command: &str, a: &Answer) {
    assert_eq!(a.status, 500, "{command} at {:?}: {a:?}", a.at);
    assert_eq!(a.body["code"], json!("storage"), "{command}: {a:?}");
    let message = a.body["message"].as_str().unwrap_or("");
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{command}: a Chinese message: {a:?}"
    );
    assert!(
        message.contains("数据库"),
        "{command}: the message names the database: {a:?}"
    );
    assert!(
        a.took <= ANSWER_BOUND,
        "{command} took {:?} to fail: {a:?}",
        a.took
    );
}

#[test]
fn the_cluster_restarted_under_load_loses_nothing_committed() {
    let Some(server) = Server::from_env() else {
        return;
    };
    let db = server.database(&format!("pg_restart_{}", std::process::id()));
    let dirs = tempfile::tempdir().unwrap();
    let own = |name: &str| dirs.path().join(name);
    let cli = |command: &str, args: Value| -> Value {
        let out = aftersales(&own("cli"), &db.url)
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
    };
    cli(
        "users.save",
        json!({"login": LOGIN, "name": "重启前台", "password": PASSWORD,
               "roles": ["clerk", "dispatcher", "storekeeper", "manager"]}),
    );
    let engineer = cli(
        "engineers.save",
        json!({"name": "刘师傅", "phone": "13800001111", "region": "城东", "active": true}),
    )["id"]
        .as_i64()
        .expect("an engineer id");
    let store = cli("stores.list", json!({}))["items"][0]["id"]
        .as_i64()
        .expect("a store");
    let part = cli(
        "parts.save",
        json!({"code": PART_CODE, "name": "点火针", "unit": "个",
               "cost_fen": 1000, "price_fen": 3500}),
    )["id"]
        .as_i64()
        .expect("a part id");
    cli(
        "stock.receive",
        json!({"part_id": part, "store_id": store, "quantity": STOCK,
               "unit_cost_fen": 1000, "supplier": "厂家"}),
    );
    let setup = Setup {
        engineer,
        part,
        store,
    };

    let mut doors = [
        Door::start(&own("a"), &db.url),
        Door::start(&own("b"), &db.url),
    ];
    let ports: Vec<u16> = doors.iter().map(|d| d.port).collect();
    let t0 = Instant::now();
    let login = post(
        ports[0],
        None,
        "auth.login",
        &json!({"login": LOGIN, "password": PASSWORD}),
        t0,
    );
    assert!(login.ok(), "{login:?}");
    let session = login.body["session"].as_str().unwrap().to_string();

    let stop = AtomicBool::new(false);
    let probing = AtomicBool::new(true);
    let windows: Mutex<Vec<Window>> = Mutex::new(Vec::new());
    let probes: Arc<Mutex<Vec<(u16, Answer)>>> = Arc::default();
    let told: Vec<Told> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS_PER_DOOR * ports.len())
            .map(|who| {
                let (port, session, setup, stop) =
                    (ports[who % ports.len()], &session, &setup, &stop);
                scope.spawn(move || client(port, session, who, setup, stop, t0))
            })
            .collect();
        std::thread::sleep(STEADY);
        for mode in ["fast", "immediate"] {
            let from = t0.elapsed();
            probing.store(true, Ordering::Relaxed);
            let prober = {
                let (ports, session, probing, probes) = (&ports, &session, &probing, &probes);
                scope.spawn(move || {
                    // Starts once the server is going: what it sees is the outage.
                    let seen = probe(ports, session, probing, t0);
                    probes.lock().unwrap().extend(seen);
                })
            };
            server.stop(mode);
            eprintln!("pg_restart: server stopped ({mode}) at {:?}", t0.elapsed());
            std::thread::sleep(OUTAGE);
            probing.store(false, Ordering::Relaxed);
            prober.join().unwrap();
            server.start();
            let back = t0.elapsed();
            eprintln!("pg_restart: server started again at {back:?}");
            windows.lock().unwrap().push(Window {
                from,
                to: back + ANSWER_BOUND,
            });
            std::thread::sleep(STEADY);
        }
        stop.store(true, Ordering::Relaxed);
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let windows = windows.into_inner().unwrap();

    // The doors never exited, and answer normally without having been restarted.
    for door in &mut doors {
        assert!(door.running(), "the door on port {} exited", door.port);
    }
    for &port in &ports {
        for command in ["customers.search", "orders.board"] {
            let a = post(port, Some(&session), command, &json!({}), t0);
            assert!(a.ok(), "door {port} after the restarts: {command}: {a:?}");
        }
    }

    // While the server was away the doors answered, in time, with the storage error.
    let probes = probes.lock().unwrap();
    for &port in &ports {
        let outage: Vec<&Answer> = probes
            .iter()
            .filter(|(p, _)| *p == port)
            .map(|(_, a)| a)
            .collect();
        let failed = outage.iter().filter(|a| !a.ok()).count();
        assert!(
            failed >= 4,
            "door {port}: the probe saw the outage in {failed} of {} answers",
            outage.len()
        );
        for a in &outage {
            if !a.ok() {
                check_storage_failure("customers.search (probe)", a);
            }
        }
    }
    // Every failure of the load was the storage error, and only while the server was
    // away; the load did real work before, between and after.
    let mut failures = 0;
    for t in &told {
        for (command, a) in &t.failures {
            check_storage_failure(command, a);
            assert!(
                during(&windows, a),
                "{command} failed at {:?}, outside the outages {windows:?}: {a:?}",
                a.at
            );
            failures += 1;
        }
    }
    let intakes: Vec<&(i64, String, i64, String)> =
        told.iter().flat_map(|t| t.intakes.iter()).collect();
    let completed: BTreeSet<i64> = told
        .iter()
        .flat_map(|t| t.completed.iter().copied())
        .collect();
    let answers: usize = told.iter().map(|t| t.answers).sum();
    eprintln!(
        "pg_restart: {answers} answers, {failures} storage failures, {} intakes and {} \
         completions acknowledged; probes: {} answers; outages {windows:?}",
        intakes.len(),
        completed.len(),
        probes.len()
    );
    assert!(failures > 0, "no request of the load met an outage");
    assert!(intakes.len() >= 20, "too little work: {}", intakes.len());

    // What the database holds, read directly.
    let mut pg = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let count =
        |pg: &mut postgres::Client, sql: &str| -> i64 { pg.query_one(sql, &[]).unwrap().get(0) };
    // Every acknowledged intake: its customer with its name and phone, its order with its
    // number and customer.
    let orders: BTreeMap<i64, (String, i64, String)> = pg
        .query(
            "SELECT id, number, customer_id, status FROM work_order",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    let customers: BTreeMap<i64, String> = pg
        .query("SELECT id, name FROM customer", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (customer, name, order, number) in &intakes {
        assert_eq!(
            customers.get(customer),
            Some(name),
            "customer {customer} lost"
        );
        let (n, c, _) = orders
            .get(order)
            .unwrap_or_else(|| panic!("order {order} {number} was acknowledged and is lost"));
        assert_eq!((n, c), (number, customer), "order {order}");
    }
    for order in &completed {
        assert_eq!(
            orders[order].2, "completed",
            "order {order} completion lost"
        );
    }
    // Nothing half-written: each intake's customer has exactly its one order and one
    // phone, and each order its customer (acknowledged or not: a commit whose answer was
    // lost with the server is whole too).
    assert_eq!(
        count(
            &mut pg,
            "SELECT count(*) FROM customer c
              WHERE (SELECT count(*) FROM work_order o WHERE o.customer_id = c.id) <> 1
                 OR (SELECT count(*) FROM customer_phone p WHERE p.customer_id = c.id) <> 1"
        ),
        0,
        "a customer without its order or phone"
    );
    assert_eq!(
        count(
            &mut pg,
            "SELECT count(*) FROM work_order o
              WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = o.customer_id)"
        ),
        0,
        "an order without its customer"
    );
    // Each customer has its audit entry and each order its history: an event that
    // brought it to its status, and its part when completed; no audit entry names a
    // customer that is not there.
    for (what, sql) in [
        (
            "a customer without its audit entry",
            "SELECT count(*) FROM customer c WHERE NOT EXISTS (SELECT 1 FROM audit_entry a
               WHERE a.entity = 'customer' AND a.action = 'created' AND a.entity_id = c.id)",
        ),
        (
            "an audit entry of a customer that is not there",
            "SELECT count(*) FROM audit_entry a WHERE a.entity = 'customer' AND a.entity_id <> 0
               AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = a.entity_id)",
        ),
        (
            "an order without the event of its status",
            "SELECT count(*) FROM work_order o WHERE NOT EXISTS (SELECT 1 FROM order_event e
               WHERE e.order_id = o.id AND e.to_status = o.status)",
        ),
        (
            "a completed order without its one part, or a part on an order not completed",
            "SELECT count(*) FROM work_order o WHERE (o.status = 'completed')
               <> ((SELECT count(*) FROM order_part p WHERE p.order_id = o.id) = 1)",
        ),
    ] {
        assert_eq!(count(&mut pg, sql), 0, "{what}");
    }
    // Numbers: unique and gapless per year.
    let mut per_year: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (number, _, _) in orders.values() {
        let digits = number.len() - 6;
        per_year
            .entry(number[digits - 4..digits].to_string())
            .or_default()
            .push(number[digits..].parse().expect("a six-digit sequence"));
    }
    for (year, mut seqs) in per_year {
        seqs.sort_unstable();
        let expected: Vec<u32> = (1..=seqs.len() as u32).collect();
        assert_eq!(
            seqs, expected,
            "order numbers of {year}: unique and gapless"
        );
    }
    // Stock: the balance is its ledger's sum, never negative, and one issue per completed
    // order (whatever was acknowledged).
    let balance: i64 = pg
        .query_one(
            "SELECT quantity FROM stock_balance WHERE part_id = $1 AND store_id = $2",
            &[&part, &store],
        )
        .unwrap()
        .get(0);
    let ledger: i64 = pg
        .query_one(
            "SELECT coalesce(sum(quantity), 0)::bigint FROM stock_movement
              WHERE part_id = $1 AND store_id = $2",
            &[&part, &store],
        )
        .unwrap()
        .get(0);
    let done = orders.values().filter(|o| o.2 == "completed").count() as i64;
    assert_eq!(balance, ledger, "the balance is its ledger's sum");
    assert!(balance >= 0);
    assert_eq!(balance, STOCK - done, "one part issued per completed order");
    assert!(done >= completed.len() as i64);
}
