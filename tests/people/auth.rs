//! Issue 16, logins, sessions and the first run: the one-time setup code and a wizard that
//! takes the company only (finding 2), throttled guessing that never locks the right
//! password out, unknown logins at the same cost, failed logins audited (finding 9),
//! password rules and a demo that keeps out of real data (finding 10), sessions with a
//! lifetime that end when their user's password, roles or state change (finding 11).

use std::net::IpAddr;

use aftersales::api::{call_in_session, Caller};
use aftersales::people::users::{self, LOGIN_FREE_FAILURES, PEER_FREE_FAILURES};
use aftersales::Role;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn from(ip: &str, session: Option<&str>) -> Caller {
    Caller {
        session: session.map(str::to_string),
        peer: Some(ip.parse::<IpAddr>().unwrap()),
        background: false,
    }
}

fn run(t: &mut TestDesk, caller: &Caller, command: &str, args: Value) -> Result<Value, Value> {
    call_in_session(&mut t.desk, caller, command, args)
        .map(|reply| reply.value())
        .map_err(|e| e.to_json())
}

fn login(t: &mut TestDesk, caller: &Caller, login: &str, password: &str) -> Result<Value, Value> {
    run(
        t,
        caller,
        "auth.login",
        json!({"login": login, "password": password}),
    )
}

fn add_user(t: &mut TestDesk, login: &str, name: &str, roles: &[Role]) -> i64 {
    t.ok(
        "users.save",
        json!({"login": login, "name": name, "roles": roles, "password": "pass-1234"}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

fn wizard(code: Option<&str>) -> Value {
    let mut args = json!({
        "login": "admin", "name": "李经理", "password": "s3cret-pw", "password_again": "s3cret-pw",
        "settings": {"company_name": "华东制冷售后服务部", "company_hotline": "400-800-1234"}
    });
    if let Some(code) = code {
        args["setup_code"] = json!(code);
    }
    args
}

fn users_count(t: &TestDesk) -> i64 {
    t.sql("SELECT count(*) FROM app_user")
}

// ---- finding 2: a first run that cannot be taken -------------------------------------------

#[test]
fn f02_setup_needs_the_one_time_code() {
    let mut t = desk();
    let code = users::setup_code(&mut t.desk).unwrap().unwrap();
    assert_eq!(code.len(), 8);
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
    // Asked again, the same code: one per process, kept in memory.
    assert_eq!(users::setup_code(&mut t.desk).unwrap().unwrap(), code);
    let local = from("127.0.0.1", None);
    let window = Caller::with(None);

    let none = run(&mut t, &local, "auth.setup", wizard(None)).unwrap_err();
    assert_eq!(none["code"], "forbidden");
    assert!(
        none["message"].as_str().unwrap().contains("首次设置码"),
        "{none}"
    );
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let err = run(&mut t, &window, "auth.setup", wizard(Some(wrong))).unwrap_err();
    assert_eq!(err["code"], "forbidden");
    assert!(err["message"].as_str().unwrap().contains("不正确"), "{err}");
    assert_eq!(users_count(&t), 0, "nothing written");

    // The code as the console shows it (1234-5678) is taken too.
    let shown = users::setup_code_shown(&code);
    assert_eq!(shown.len(), 9);
    let out = run(&mut t, &local, "auth.setup", wizard(Some(&shown))).unwrap();
    assert!(out["session"].as_str().is_some());
    assert_eq!(users_count(&t), 1);
    // One time only: gone with the first account.
    assert_eq!(users::setup_code(&mut t.desk).unwrap(), None);
}

#[test]
fn f02_setup_from_another_computer_is_always_forbidden() {
    let mut t = desk();
    let code = users::setup_code(&mut t.desk).unwrap().unwrap();
    for peer in ["192.168.1.20", "10.0.0.8", "fe80::1", "2001:db8::5"] {
        let err = run(&mut t, &from(peer, None), "auth.setup", wizard(Some(&code))).unwrap_err();
        assert_eq!(err["code"], "forbidden", "{peer}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains("这台电脑"),
            "{err}"
        );
    }
    assert_eq!(users_count(&t), 0);
    // Loopback written as IPv6 is this computer.
    run(
        &mut t,
        &from("::ffff:127.0.0.1", None),
        "auth.setup",
        wizard(Some(&code)),
    )
    .unwrap();
    assert_eq!(users_count(&t), 1);
}

#[test]
fn f02_the_owner_in_process_needs_no_code() {
    let mut t = desk();
    // `aftersales call auth.setup` on the PC's own files: whoever opens the file holds it.
    let out = t.ok("auth.setup", wizard(None));
    assert_eq!(out["user"]["name"], "李经理");
}

#[test]
fn f02_wrong_codes_make_the_address_wait() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    let code = users::setup_code(&mut t.desk).unwrap().unwrap();
    let wrong = if code == "12345678" {
        "87654321"
    } else {
        "12345678"
    };
    let local = from("127.0.0.1", None);
    for _ in 0..PEER_FREE_FAILURES {
        run(&mut t, &local, "auth.setup", wizard(Some(wrong))).unwrap_err();
    }
    let err = run(&mut t, &local, "auth.setup", wizard(Some(&code))).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("秒后再试"),
        "{err}"
    );
    assert_eq!(users_count(&t), 0);
    t.desk
        .set_clock(Some(start() + Duration::seconds(users::FIRST_WAIT_SECONDS)));
    run(&mut t, &local, "auth.setup", wizard(Some(&code))).unwrap();
}

#[test]
fn f02_the_wizard_takes_the_company_only() {
    let mut t = desk();
    let code = users::setup_code(&mut t.desk).unwrap().unwrap();
    let window = Caller::with(None);
    let settings_before: i64 = t.sql("SELECT count(*) FROM setting");
    for (field, value) in [
        ("lan_open", json!(true)),
        ("lan_allow", json!("0.0.0.0/0")),
        ("lan_port", json!(8765)),
        ("backup_folder", json!("/tmp/elsewhere")),
        ("backup_keep", json!(3)),
        ("printers", json!({"slip": "HP"})),
    ] {
        let mut args = wizard(Some(&code));
        args["settings"][field] = value;
        let err = run(&mut t, &window, "auth.setup", args).unwrap_err();
        assert_eq!(err["field"], field, "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(
            message.contains("管理员") && message.contains("设置"),
            "{err}"
        );
    }
    assert_eq!(users_count(&t), 0);
    let settings_after: i64 = t.sql("SELECT count(*) FROM setting");
    assert_eq!(settings_after, settings_before, "no setting written");
    // The company fields go in.
    let out = run(&mut t, &window, "auth.setup", wizard(Some(&code))).unwrap();
    let session = out["session"].as_str().unwrap();
    let settings = run(
        &mut t,
        &Caller::with(Some(session)),
        "settings.get",
        json!({}),
    )
    .unwrap();
    assert_eq!(settings["company_hotline"], "400-800-1234");
    assert_eq!(settings["lan_open"], false);
}

// ---- finding 9: login abuse ---------------------------------------------------------------

#[test]
fn f09_a_foreign_address_cannot_lock_out_the_right_password() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    add_user(&mut t, "admin1", "管理员", &[Role::Admin]);
    // Two foreign machines send every wrong password they are let send: together enough
    // for the login to count as under attack.
    let attackers = ["10.0.0.66", "10.0.0.67"];
    for ip in attackers {
        for _ in 0..PEER_FREE_FAILURES {
            let err = login(&mut t, &from(ip, None), "admin1", "guess-guess").unwrap_err();
            assert!(err["message"].as_str().unwrap().contains("不正确"), "{err}");
        }
    }
    assert!(attackers.len() as u32 * PEER_FREE_FAILURES >= LOGIN_FREE_FAILURES);
    // Each of them now waits, even with the right password.
    let err = login(&mut t, &from("10.0.0.66", None), "admin1", "pass-1234").unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("秒后再试"),
        "{err}"
    );
    // The desk that knows the password gets in at once, from its own address and from
    // the desk's own window.
    login(&mut t, &from("10.0.0.5", None), "admin1", "pass-1234").unwrap();
    login(&mut t, &Caller::with(None), "admin1", "pass-1234").unwrap();
    // A fresh foreign address gets one try; after it, the login's failures slow it.
    login(&mut t, &from("10.0.0.99", None), "admin1", "guess-again").unwrap_err();
    let err = login(&mut t, &from("10.0.0.99", None), "admin1", "guess-3").unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("后再试"), "{err}");
}

#[test]
fn f09_an_address_waits_longer_after_each_failure_up_to_a_cap() {
    let mut t = desk();
    let mut now = start();
    t.desk.set_clock(Some(now));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let peer = from("192.168.1.77", None);
    for _ in 0..PEER_FREE_FAILURES {
        login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    }
    // Doubling waits: 30 s, 1 min, 2 min… each try refused until its wait is over.
    let mut waited = Vec::new();
    for step in 0..8 {
        let err = login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
        let message = err["message"].as_str().unwrap().to_string();
        assert!(message.contains("后再试"), "step {step}: {message}");
        if step == 0 {
            assert!(message.contains("请 30 秒后再试"), "{message}");
        }
        let wait = (users::FIRST_WAIT_SECONDS << step).min(users::PEER_MAX_WAIT_SECONDS);
        // One second short, it still waits.
        t.desk.set_clock(Some(now + Duration::seconds(wait - 1)));
        login(&mut t, &peer, "wangf", "pass-1234").unwrap_err();
        waited.push(wait);
        now += Duration::seconds(wait);
        t.desk.set_clock(Some(now));
        login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    }
    assert_eq!(*waited.last().unwrap(), users::PEER_MAX_WAIT_SECONDS);
    let err = login(&mut t, &peer, "wangf", "pass-1234").unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("15 分钟后再试"),
        "capped at 15 minutes: {err}"
    );
    // After the wait the right password works, and the address starts afresh.
    now += Duration::seconds(users::PEER_MAX_WAIT_SECONDS);
    t.desk.set_clock(Some(now));
    login(&mut t, &peer, "wangf", "pass-1234").unwrap();
    let err = login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("不正确"), "{err}");
    // Failures are forgotten after an hour.
    for _ in 0..PEER_FREE_FAILURES {
        login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    }
    now += Duration::minutes(users::FAILURE_MEMORY_MINUTES + 1);
    t.desk.set_clock(Some(now));
    let err = login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("不正确"), "{err}");
}

#[test]
fn f09_unknown_logins_cost_the_same_argon2_work() {
    let mut t = desk();
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let peer = from("192.168.1.9", None);
    let before = users::password_checks(&t.desk);
    let known = login(&mut t, &peer, "wangf", "nope-nope").unwrap_err();
    let after_known = users::password_checks(&t.desk);
    let unknown = login(&mut t, &peer, "nobody-here", "nope-nope").unwrap_err();
    let after_unknown = users::password_checks(&t.desk);
    assert_eq!(after_known - before, 1, "a known login: one argon2 check");
    assert_eq!(after_unknown - after_known, 1, "an unknown login: one too");
    assert_eq!(known, unknown, "and the same answer");
    // The right password: one check as well.
    login(&mut t, &peer, "wangf", "pass-1234").unwrap();
    assert_eq!(users::password_checks(&t.desk) - after_unknown, 1);
}

#[test]
fn f09_failed_logins_are_audited_without_the_password() {
    let mut t = desk();
    let id = add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    login(
        &mut t,
        &from("192.168.1.23", None),
        "wangf",
        "Secret-Typo-1",
    )
    .unwrap_err();
    login(&mut t, &Caller::with(None), "ghost", "Secret-Typo-2").unwrap_err();
    let trail = t.ok("audit.list", json!({"action": "login_failed"}));
    let items = trail["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{trail}");
    let text = trail.to_string();
    assert!(!text.contains("Secret-Typo"), "never the password: {text}");
    let on_wangf = items.iter().find(|e| e["entity_id"] == id).unwrap();
    let detail = on_wangf["detail"].as_str().unwrap();
    assert!(
        detail.contains("wangf") && detail.contains("192.168.1.23"),
        "{detail}"
    );
    let on_ghost = items.iter().find(|e| e["entity_id"] == 0).unwrap();
    let detail = on_ghost["detail"].as_str().unwrap();
    assert!(
        detail.contains("ghost") && detail.contains("本机"),
        "{detail}"
    );
    assert_eq!(on_ghost["user"], "未登录");
}

#[test]
fn f09_the_failure_tables_stay_small() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    // Long garbage logins are refused before anything is counted.
    let long = "x".repeat(5000);
    let err = login(&mut t, &from("10.1.1.1", None), &long, "nope-nope").unwrap_err();
    assert_eq!(err["field"], "login");
    assert_eq!(users::failure_table_sizes(&t.desk).unwrap(), (0, 0));
    // IPv6 addresses count by their /64: one machine cannot rotate out of its wait.
    for i in 1..=PEER_FREE_FAILURES {
        let ip = format!("2001:db8:1:2::{i:x}");
        login(&mut t, &from(&ip, None), &format!("nobody{i}"), "nope-nope").unwrap_err();
    }
    assert_eq!(users::failure_table_sizes(&t.desk).unwrap().0, 1);
    let err = login(&mut t, &from("2001:db8:1:2::ff", None), "x", "nope-nope").unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("后再试"), "{err}");
}

// ---- finding 10: weak passwords and the demo ------------------------------------------------

#[test]
fn f10_passwords_have_eight_characters_and_are_not_common() {
    let mut t = desk();
    let save =
        |pw: &str| json!({"login": "li", "name": "李四", "roles": ["clerk"], "password": pw});
    let err = t.err("users.save", save("abc-123"));
    assert_eq!(err["field"], "password");
    assert!(
        err["message"].as_str().unwrap().contains("密码至少 8 位"),
        "{err}"
    );
    for common in [
        "123456789",
        "Password",
        "QWERTYUI",
        "11111111",
        "woaini1314",
        "a1234567",
        "iloveyou",
        "52013140",
        "abababab",
    ] {
        let err = t.err("users.save", save(common));
        assert_eq!(err["field"], "password", "{common}");
        assert!(
            err["message"].as_str().unwrap().contains("太常见"),
            "{common}: {err}"
        );
    }
    assert!(users::is_common_password("WoAiNi1314"));
    assert!(!users::is_common_password(aftersales::demo::DEMO_PASSWORD));
    t.ok("users.save", save("lisi-2026"));

    // The first run and one's own password change follow the same rules.
    let mut fresh = desk();
    let mut args = wizard(None);
    args["password"] = json!("12345678");
    args["password_again"] = json!("12345678");
    let err = fresh.err("auth.setup", args);
    assert_eq!(err["field"], "password");
    let session = login(&mut t, &Caller::with(None), "li", "lisi-2026").unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let err = run(
        &mut t,
        &Caller::with(Some(&session)),
        "auth.password",
        json!({"old_password": "lisi-2026", "new_password": "iloveyou", "new_password_again": "iloveyou"}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "new_password");
    assert!(
        err["message"].as_str().unwrap().starts_with("新密码"),
        "{err}"
    );
}

#[test]
fn f10_the_demo_keeps_out_of_real_data() {
    use aftersales::demo;
    // An empty folder takes the demo; a folder the demo filled takes it again.
    let mut t = desk();
    demo::refuse_real_data(&t.desk).unwrap();
    demo::fill(&mut t.desk, 5).unwrap();
    demo::fill_users(&mut t.desk).unwrap();
    demo::mark_demo(&mut t.desk).unwrap();
    demo::refuse_real_data(&t.desk).unwrap();
    // Once a person has added a customer, it is real.
    t.ok(
        "customers.create",
        json!({"name": "张三", "phones": ["13812345678"]}),
    );
    let err = demo::refuse_real_data(&t.desk).unwrap_err().to_json();
    assert!(
        err["message"].as_str().unwrap().contains("真实数据"),
        "{err}"
    );

    // A real desk with only its administrator: refused (no demo admin added to it), even
    // when its administrator is called admin.
    let mut real = desk();
    real.ok("auth.setup", wizard(None));
    let err = demo::refuse_real_data(&real.desk).unwrap_err().to_json();
    assert!(
        err["message"].as_str().unwrap().contains("新的空文件夹"),
        "{err}"
    );
    // Customers imported before any account: refused too.
    let mut imported = desk();
    imported.ok(
        "customers.create",
        json!({"name": "李四", "phones": ["13912345678"]}),
    );
    demo::refuse_real_data(&imported.desk).unwrap_err();
    // A demo folder where someone added an account of their own.
    add_user(&mut t, "zhangs", "张三丰", &[Role::Clerk]);
    let err = demo::refuse_real_data(&t.desk).unwrap_err().to_json();
    assert!(err["message"].as_str().unwrap().contains("zhangs"), "{err}");
}

// ---- finding 11: sessions that end ------------------------------------------------------------

#[test]
fn f11_a_session_ends_twelve_hours_after_login_however_busy() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let s = login(&mut t, &Caller::with(None), "wangf", "pass-1234").unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let me = Caller::with(Some(&s));
    for hour in 1..=users::SESSION_LIFETIME_HOURS {
        t.desk.set_clock(Some(start() + Duration::hours(hour)));
        run(&mut t, &me, "app.info", json!({})).unwrap();
    }
    t.desk.set_clock(Some(
        start() + Duration::hours(users::SESSION_LIFETIME_HOURS) + Duration::minutes(1),
    ));
    assert!(!aftersales::api::session_alive(&t.desk, &s));
    let err = run(&mut t, &me, "app.info", json!({})).unwrap_err();
    assert_eq!(err["code"], "unauthorized");
}

#[test]
fn f11_background_polling_does_not_keep_a_session_alive() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let s = login(&mut t, &Caller::with(None), "wangf", "pass-1234").unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let board = Caller {
        session: Some(s.clone()),
        peer: None,
        background: true,
    };
    // The board polls every ten minutes: each poll answers while the session lives…
    let mut at = start();
    while at + Duration::minutes(10) <= start() + Duration::minutes(users::SESSION_IDLE_MINUTES) {
        at += Duration::minutes(10);
        t.desk.set_clock(Some(at));
        run(&mut t, &board, "app.info", json!({})).unwrap();
    }
    // …but none of them counts as the person: past the idle time it ends.
    t.desk.set_clock(Some(
        start() + Duration::minutes(users::SESSION_IDLE_MINUTES + 1),
    ));
    let err = run(&mut t, &board, "app.info", json!({})).unwrap_err();
    assert_eq!(err["code"], "unauthorized");
}

fn sessions(t: &mut TestDesk, login_name: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            login(t, &Caller::with(None), login_name, "pass-1234").unwrap()["session"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn f11_a_password_change_ends_the_users_other_sessions() {
    let mut t = desk();
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    add_user(&mut t, "liuq", "刘强", &[Role::Dispatcher]);
    let mine = sessions(&mut t, "wangf", 2);
    let other = sessions(&mut t, "liuq", 1);
    run(
        &mut t,
        &Caller::with(Some(&mine[0])),
        "auth.password",
        json!({"old_password": "pass-1234", "new_password": "fresh-pw-77", "new_password_again": "fresh-pw-77"}),
    )
    .unwrap();
    assert!(
        aftersales::api::session_alive(&t.desk, &mine[0]),
        "the one that changed it stays"
    );
    assert!(
        !aftersales::api::session_alive(&t.desk, &mine[1]),
        "another window of the same user ends"
    );
    assert!(aftersales::api::session_alive(&t.desk, &other[0]));
}

#[test]
fn f11_a_reset_a_role_change_or_a_deactivation_ends_the_users_sessions() {
    let mut t = desk();
    add_user(&mut t, "boss", "管理员", &[Role::Admin]);
    let id = add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let admin = sessions(&mut t, "boss", 1).remove(0);
    let as_admin = Caller::with(Some(&admin));
    let account = |roles: &[&str], active: bool, password: Option<&str>| {
        let mut a =
            json!({"id": id, "login": "wangf", "name": "王芳", "roles": roles, "active": active});
        if let Some(p) = password {
            a["password"] = json!(p);
        }
        a
    };
    // A reset by the administrator.
    let s = sessions(&mut t, "wangf", 2);
    run(
        &mut t,
        &as_admin,
        "users.save",
        account(&["clerk"], true, Some("reset-pw-12")),
    )
    .unwrap();
    assert!(s
        .iter()
        .all(|s| !aftersales::api::session_alive(&t.desk, s)));
    // A change of roles.
    let s = login(&mut t, &Caller::with(None), "wangf", "reset-pw-12").unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    run(
        &mut t,
        &as_admin,
        "users.save",
        account(&["clerk", "dispatcher"], true, None),
    )
    .unwrap();
    assert!(!aftersales::api::session_alive(&t.desk, &s));
    // A save that changes nothing of the kind keeps them.
    let s = login(&mut t, &Caller::with(None), "wangf", "reset-pw-12").unwrap()["session"]
        .as_str()
        .unwrap()
        .to_string();
    run(
        &mut t,
        &as_admin,
        "users.save",
        account(&["clerk", "dispatcher"], true, None),
    )
    .unwrap();
    assert!(aftersales::api::session_alive(&t.desk, &s));
    // A deactivation.
    run(
        &mut t,
        &as_admin,
        "users.save",
        account(&["clerk", "dispatcher"], false, None),
    )
    .unwrap();
    assert!(!aftersales::api::session_alive(&t.desk, &s));
    // The administrator's own session was never touched.
    assert!(aftersales::api::session_alive(&t.desk, &admin));
}

#[test]
fn f11_the_session_handover_is_for_test_builds_only() {
    let mut t = desk();
    let status = run(&mut t, &Caller::with(None), "auth.status", json!({})).unwrap();
    let hooks = std::env::var(aftersales::api::TEST_HOOKS_VAR).is_ok_and(|v| v == "1");
    assert_eq!(
        status["session_handover"],
        json!(cfg!(debug_assertions) && hooks),
        "{status}"
    );
    if !hooks {
        assert_eq!(status["session_handover"], false);
    }
}

// ---- issue 19: doors that hold no state of their own ---------------------------------------

fn session_of(reply: Value) -> String {
    reply["session"].as_str().unwrap().to_string()
}

fn in_session(
    desk: &mut aftersales::Desk,
    caller: &Caller,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    call_in_session(desk, caller, command, args)
        .map(|reply| reply.value())
        .map_err(|e| e.to_json())
}

#[test]
fn i19_a_session_opened_through_one_door_works_through_another_until_logged_out() {
    let mut t = desk();
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let mut other = t.second_desk();
    let s = session_of(login(&mut t, &Caller::with(None), "wangf", "pass-1234").unwrap());
    let me = Caller::with(Some(&s));
    let info = in_session(&mut other, &me, "auth.status", json!({})).unwrap();
    assert_eq!(info["user"]["login"], "wangf", "{info}");
    assert!(aftersales::api::session_alive(&other, &s));
    // Only the token's SHA-256 is stored.
    use sha2::Digest as _;
    let hash: String = sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored: i64 = t.sql(&format!(
        "SELECT count(*) FROM login_session WHERE hash = '{hash}'"
    ));
    let plain: i64 = t.sql(&format!(
        "SELECT count(*) FROM login_session WHERE hash = '{s}'"
    ));
    assert_eq!((stored, plain), (1, 0));
    // Logged out through the second door, the first refuses it.
    in_session(&mut other, &me, "auth.logout", json!({"session": s})).unwrap();
    let err = in_session(&mut t.desk, &me, "app.info", json!({})).unwrap_err();
    assert_eq!(err["code"], "unauthorized", "{err}");
    assert!(!aftersales::api::session_alive(&t.desk, &s));
}

#[test]
fn i19_a_password_change_through_one_door_ends_the_sessions_another_door_serves() {
    let mut t = desk();
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let mut other = t.second_desk();
    let here = session_of(login(&mut t, &Caller::with(None), "wangf", "pass-1234").unwrap());
    let there = session_of(
        in_session(
            &mut other,
            &Caller::with(None),
            "auth.login",
            json!({"login": "wangf", "password": "pass-1234"}),
        )
        .unwrap(),
    );
    run(
        &mut t,
        &Caller::with(Some(&here)),
        "auth.password",
        json!({"old_password": "pass-1234", "new_password": "fresh-pw-77", "new_password_again": "fresh-pw-77"}),
    )
    .unwrap();
    let err = in_session(
        &mut other,
        &Caller::with(Some(&there)),
        "app.info",
        json!({}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "unauthorized", "{err}");
    in_session(
        &mut other,
        &Caller::with(Some(&here)),
        "app.info",
        json!({}),
    )
    .unwrap();
}

#[test]
fn i19_idle_time_counts_a_persons_request_through_any_door() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let mut other = t.second_desk();
    let s = session_of(login(&mut t, &Caller::with(None), "wangf", "pass-1234").unwrap());
    let me = Caller::with(Some(&s));
    // A request through the other door, shortly before the idle time is up…
    let late = start() + Duration::minutes(users::SESSION_IDLE_MINUTES - 1);
    other.set_clock(Some(late));
    in_session(&mut other, &me, "app.info", json!({})).unwrap();
    // …keeps it alive through the first door past the first idle end.
    t.desk
        .set_clock(Some(late + Duration::minutes(users::SESSION_IDLE_MINUTES)));
    run(&mut t, &me, "app.info", json!({})).unwrap();
}

#[test]
fn i19_wrong_passwords_through_two_doors_count_together() {
    let mut t = desk();
    t.desk.set_clock(Some(start()));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let mut other = t.second_desk();
    other.set_clock(Some(start()));
    let peer = from("192.168.1.77", None);
    let wrong = json!({"login": "wangf", "password": "nope-nope"});
    for i in 0..PEER_FREE_FAILURES {
        let err = if i % 2 == 0 {
            login(&mut t, &peer, "wangf", "nope-nope").unwrap_err()
        } else {
            in_session(&mut other, &peer, "auth.login", wrong.clone()).unwrap_err()
        };
        assert!(err["message"].as_str().unwrap().contains("不正确"), "{err}");
    }
    // Neither door had all of them, yet both now make the address wait.
    for err in [
        login(&mut t, &peer, "wangf", "pass-1234").unwrap_err(),
        in_session(&mut other, &peer, "auth.login", wrong).unwrap_err(),
    ] {
        assert!(
            err["message"].as_str().unwrap().contains("秒后再试"),
            "{err}"
        );
    }
}

#[test]
fn i19_the_setup_code_of_the_first_door_is_the_one_every_door_accepts() {
    let mut t = desk();
    let mut other = t.second_desk();
    let code = users::setup_code(&mut t.desk).unwrap().unwrap();
    assert_eq!(users::setup_code(&mut other).unwrap().unwrap(), code);
    let local = from("127.0.0.1", None);
    in_session(&mut other, &local, "auth.setup", wizard(Some(&code))).unwrap();
    assert_eq!(users_count(&t), 1);
    // Used once: gone for every door.
    assert_eq!(users::setup_code(&mut t.desk).unwrap(), None);
    let left: i64 = t.sql("SELECT count(*) FROM setup_code");
    assert_eq!(left, 0);
    let err = run(&mut t, &local, "auth.setup", wizard(Some(&code))).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("已经设置过"),
        "{err}"
    );
}

/// Fills the address table with `n` failures of keys `{prefix}{i}` at `at`.
fn seed_failures(t: &TestDesk, prefix: &str, n: usize, at: DateTime<Utc>) {
    let at = aftersales::platform::time::stamp(at);
    t.db()
        .execute_batch(&format!(
            "INSERT INTO login_failure (kind, key, failures, last_at)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             SELECT 'peer', '{prefix}' || i, 1, '{at}' FROM n"
        ))
        .unwrap();
}

#[test]
fn f09_a_full_failure_table_drops_the_forgotten_then_the_oldest() {
    let mut t = desk();
    seed_failures(&t, "10.9.0.", users::FAILURE_TABLE_MAX, start());
    assert_eq!(
        users::failure_table_sizes(&t.desk).unwrap().0,
        users::FAILURE_TABLE_MAX
    );
    // All forgotten by now: a new address clears them out.
    t.desk.set_clock(Some(
        start() + Duration::minutes(users::FAILURE_MEMORY_MINUTES + 1),
    ));
    login(&mut t, &from("10.1.1.1", None), "ghost", "nope-nope").unwrap_err();
    assert_eq!(users::failure_table_sizes(&t.desk).unwrap().0, 1);

    let mut t = desk();
    seed_failures(&t, "10.8.0.", 1, start());
    seed_failures(
        &t,
        "10.9.0.",
        users::FAILURE_TABLE_MAX - 1,
        start() + Duration::minutes(1),
    );
    t.desk.set_clock(Some(start() + Duration::minutes(2)));
    login(&mut t, &from("10.1.1.1", None), "ghost", "nope-nope").unwrap_err();
    assert_eq!(
        users::failure_table_sizes(&t.desk).unwrap().0,
        users::FAILURE_TABLE_MAX,
        "never more"
    );
    let first: i64 = t.sql("SELECT count(*) FROM login_failure WHERE key = '10.8.0.1'");
    assert_eq!(first, 0, "the oldest went");
    // A known address does not evict anything, and counts on.
    login(&mut t, &from("10.1.1.1", None), "ghost", "nope-nope").unwrap_err();
    assert_eq!(
        users::failure_table_sizes(&t.desk).unwrap().0,
        users::FAILURE_TABLE_MAX
    );
    let count: i64 = t.sql("SELECT failures FROM login_failure WHERE key = '10.1.1.1'");
    assert_eq!(count, 2);
}

/// Regression: two doors of a PostgreSQL database starting at once both make a setup
/// code; the second's insert met the first's uncommitted row and, under SERIALIZABLE, failed
/// to serialise (40001) instead of reading the first door's code, and `serve` would not
/// start. Here the other door's insert waits uncommitted until this door's is blocked on it.
#[test]
fn i19_two_doors_making_the_setup_code_at_once_both_get_the_first_ones() {
    let t = desk();
    let Some(server) = crate::util::pg::server() else {
        eprintln!("not run: needs PostgreSQL (AFTERSALES_TEST_ENGINE=postgres)");
        return;
    };
    let url = crate::util::pg::with_database(server, &t.sql::<String>("SELECT current_database()"));
    let mut first = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = first
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::Serializable)
        .start()
        .unwrap();
    tx.execute(
        "INSERT INTO setup_code (id, code, made_at) VALUES (1, '24681357', '2026-11-23T01:00:00Z')",
        &[],
    )
    .unwrap();
    let mut second = t.second_desk();
    let door = std::thread::spawn(move || users::setup_code(&mut second).map_err(|e| e.to_json()));
    // Wait until the second door's insert is blocked on the first one's row (or the door
    // is done already, which the assertion below then judges).
    let mut watch = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    while !door.is_finished() {
        let waiting: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        std::thread::yield_now();
    }
    tx.commit().unwrap();
    let code = door.join().unwrap();
    assert_eq!(code, Ok(Some("24681357".to_string())));
}
