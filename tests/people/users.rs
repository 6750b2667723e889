//! Users, logins, sessions and roles (issue 9): the first-run wizard, argon2 hashes,
//! sessions that expire, the last administrator, who is recorded — and every command of
//! the table called by a user lacking its role, refused. Issue 16's logins, sessions and
//! first run (findings 2, 9, 10, 11) are in tests/people/auth.rs.

use aftersales::api::{self, call_in_session, Caller};
use aftersales::platform::db::Both;
use aftersales::{Actor, Role};
use chrono::{Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

/// `args` with the desk's one-time setup code, as the desktop window hands it over.
fn with_code(t: &mut TestDesk, mut args: Value) -> Value {
    let code = aftersales::people::users::setup_code(&mut t.desk)
        .unwrap()
        .expect("no user yet: a setup code");
    args["setup_code"] = json!(code);
    args
}

fn session_of(t: &mut TestDesk, login: &str, password: &str) -> String {
    let out = call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.login",
        json!({"login": login, "password": password}),
    )
    .unwrap_or_else(|e| panic!("login {login}: {}", e.to_json()))
    .value();
    out["session"].as_str().unwrap().to_string()
}

fn as_session(t: &mut TestDesk, session: &str, command: &str, args: Value) -> Result<Value, Value> {
    call_in_session(&mut t.desk, &Caller::with(Some(session)), command, args)
        .map(|reply| reply.value())
        .map_err(|e| e.to_json())
}

fn add_user(t: &mut TestDesk, login: &str, name: &str, roles: &[Role]) {
    t.ok(
        "users.save",
        json!({"login": login, "name": name, "roles": roles, "password": "pass-1234"}),
    );
}

#[test]
fn the_first_run_wizard_creates_the_admin_and_the_company_once() {
    let mut t = desk();
    let status = call_in_session(&mut t.desk, &Caller::with(None), "auth.status", json!({}))
        .unwrap()
        .value();
    assert_eq!(status["needs_setup"], true);
    assert!(status["user"].is_null());

    let code = aftersales::people::users::setup_code(&mut t.desk)
        .unwrap()
        .unwrap();
    let setup = |password_again: &str| {
        json!({
            "login": "admin", "name": "李经理", "password": "s3cret-pw",
            "password_again": password_again, "setup_code": code,
            "settings": {"company_name": "华东制冷售后服务部", "company_hotline": "400-800-1234",
                         "slip_prefix": "HD"}
        })
    };
    // A typo in the repeated password: nothing is written.
    let err = call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.setup",
        setup("s3cret-px"),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(err["field"], "password_again");
    let users: i64 = t.sql("SELECT count(*) FROM app_user");
    assert_eq!(users, 0);
    // A refused company setting: no administrator either (one transaction).
    let mut bad = setup("s3cret-pw");
    bad["settings"]["slip_prefix"] = json!("服务");
    let err = call_in_session(&mut t.desk, &Caller::with(None), "auth.setup", bad)
        .unwrap_err()
        .to_json();
    assert_eq!(err["field"], "slip_prefix");
    let users: i64 = t.sql("SELECT count(*) FROM app_user");
    assert_eq!(users, 0);

    let out = call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.setup",
        setup("s3cret-pw"),
    )
    .unwrap()
    .value();
    let session = out["session"].as_str().unwrap().to_string();
    assert_eq!(
        out["user"]["roles"].as_array().unwrap().len(),
        Role::ALL.len()
    );
    let settings = as_session(&mut t, &session, "settings.get", json!({})).unwrap();
    assert_eq!(settings["company_name"], "华东制冷售后服务部");
    assert_eq!(settings["slip_prefix"], "HD");

    // The hash is argon2id and does not contain the password.
    let hash: String = t.sql("SELECT password_hash FROM app_user");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("s3cret-pw"));

    // Only once.
    let again = call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.setup",
        setup("s3cret-pw"),
    )
    .unwrap_err()
    .to_json();
    assert_eq!(again["field"], "login");
    let status = as_session(&mut t, &session, "auth.status", json!({})).unwrap();
    assert_eq!(status["needs_setup"], false);
    assert_eq!(status["user"]["name"], "李经理");
    assert!(status["commands"]
        .as_array()
        .unwrap()
        .contains(&json!("users.save")));
}

/// Regression: the wizard once saved the company settings in one transaction and the
/// administrator in another, so a failing account insert left the settings behind. Here
/// the account insert is made to fail (a trigger on the file refuses it): the company
/// settings must not be written either, and the desk still asks for the wizard.
#[test]
fn wizard_failing_account_leaves_no_settings() {
    let mut t = desk();
    let settings_before: i64 = t.sql("SELECT count(*) FROM setting");
    let conn = t.db();
    conn.execute_batch(&Both {
        sqlite: "CREATE TRIGGER refuse_accounts BEFORE INSERT ON app_user
         BEGIN SELECT RAISE(ABORT, 'no accounts today'); END;",
        postgres: "CREATE FUNCTION refuse_accounts() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RAISE EXCEPTION 'no accounts today'; END $$;
         CREATE TRIGGER refuse_accounts BEFORE INSERT ON app_user
           FOR EACH ROW EXECUTE FUNCTION refuse_accounts();",
    })
    .unwrap();
    drop(conn);
    let setup = with_code(
        &mut t,
        json!({
            "login": "admin", "name": "李经理", "password": "s3cret-pw",
            "password_again": "s3cret-pw",
            "settings": {"company_name": "华东制冷售后服务部", "slip_prefix": "HD"}
        }),
    );
    let err = call_in_session(&mut t.desk, &Caller::with(None), "auth.setup", setup).unwrap_err();
    assert!(
        err.to_string().contains("no accounts today"),
        "the trigger refused the account: {err}"
    );
    let users: i64 = t.sql("SELECT count(*) FROM app_user");
    assert_eq!(users, 0);
    let settings_after: i64 = t.sql("SELECT count(*) FROM setting");
    assert_eq!(settings_after, settings_before, "no setting written");
    let company: i64 =
        t.sql("SELECT count(*) FROM setting WHERE key IN ('company_name', 'slip_prefix')");
    assert_eq!(company, 0);
    let status = call_in_session(&mut t.desk, &Caller::with(None), "auth.status", json!({}))
        .unwrap()
        .value();
    assert_eq!(status["needs_setup"], true);
}

#[test]
fn wrong_logins_read_the_same_and_sessions_expire() {
    let mut t = desk();
    let start = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
    t.desk.set_clock(Some(start));
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);

    // A wrong login name and a wrong password read the same.
    let wrong = |t: &mut TestDesk, login: &str, pw: &str| {
        call_in_session(
            &mut t.desk,
            &Caller::with(None),
            "auth.login",
            json!({"login": login, "password": pw}),
        )
        .unwrap_err()
        .to_json()
    };
    let a = wrong(&mut t, "nobody", "pass-1234");
    let b = wrong(&mut t, "wangf", "nope-nope");
    assert_eq!(a, b);
    let session = session_of(&mut t, "Wangf", "pass-1234");

    // Used within the idle limit, the session lives on; idle past it, it ends.
    let idle = aftersales::people::users::SESSION_IDLE_MINUTES;
    let mut at = start;
    for _ in 0..3 {
        at += Duration::minutes(idle - 1);
        t.desk.set_clock(Some(at));
        as_session(&mut t, &session, "customers.search", json!({"query": ""})).unwrap();
    }
    t.desk.set_clock(Some(at + Duration::minutes(idle + 1)));
    let err = as_session(&mut t, &session, "customers.search", json!({"query": ""})).unwrap_err();
    assert_eq!(err["code"], "unauthorized");

    // Logging out ends it at once; a deactivated user's sessions end too.
    let s1 = session_of(&mut t, "wangf", "pass-1234");
    call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.logout",
        json!({"session": s1}),
    )
    .unwrap();
    assert_eq!(
        as_session(&mut t, &s1, "app.info", json!({})).unwrap_err()["code"],
        "unauthorized"
    );
    let s2 = session_of(&mut t, "wangf", "pass-1234");
    let id = t.sql::<i64>("SELECT id FROM app_user WHERE login = 'wangf'");
    t.ok(
        "users.save",
        json!({"id": id, "login": "wangf", "name": "王芳", "roles": ["clerk"], "active": false}),
    );
    assert_eq!(
        as_session(&mut t, &s2, "app.info", json!({})).unwrap_err()["code"],
        "unauthorized"
    );
    let gone = call_in_session(
        &mut t.desk,
        &Caller::with(None),
        "auth.login",
        json!({"login": "wangf", "password": "pass-1234"}),
    )
    .unwrap_err()
    .to_json();
    assert!(gone["message"].as_str().unwrap().contains("停用"), "{gone}");
}

#[test]
fn the_last_administrator_stays_and_names_tell_people_apart() {
    let mut t = desk();
    add_user(&mut t, "admin", "管理员甲", &[Role::Admin]);
    let id = t.sql::<i64>("SELECT id FROM app_user WHERE login = 'admin'");
    let err = t.err(
        "users.save",
        json!({"id": id, "login": "admin", "name": "管理员甲", "roles": ["manager"]}),
    );
    assert_eq!(err["field"], "roles");
    let err = t.err(
        "users.save",
        json!({"id": id, "login": "admin", "name": "管理员甲", "roles": ["admin"], "active": false}),
    );
    assert_eq!(err["field"], "roles");
    // With a second administrator, the first may step down.
    add_user(&mut t, "admin2", "管理员乙", &[Role::Admin]);
    t.ok(
        "users.save",
        json!({"id": id, "login": "admin", "name": "管理员甲", "roles": ["manager"]}),
    );

    let err = t.err(
        "users.save",
        json!({"login": "ADMIN2", "name": "别人", "roles": ["clerk"], "password": "pass-1234"}),
    );
    assert_eq!(err["field"], "login");
    let err = t.err(
        "users.save",
        json!({"login": "li", "name": "管理员乙", "roles": ["clerk"], "password": "pass-1234"}),
    );
    assert_eq!(err["field"], "name");
    let err = t.err(
        "users.save",
        json!({"login": "li", "name": "李四", "roles": [], "password": "pass-1234"}),
    );
    assert_eq!(err["field"], "roles");
    let err = t.err(
        "users.save",
        json!({"login": "li", "name": "李四", "roles": ["clerk"], "password": "123"}),
    );
    assert_eq!(err["field"], "password");
    let err = t.err(
        "users.save",
        json!({"login": "li", "name": "李四", "roles": ["clerk"]}),
    );
    assert_eq!(err["field"], "password");
    // The changes are in the audit trail, before and after.
    let audit = t.ok("audit.list", json!({"entity": "user"}));
    let text = audit.to_string();
    assert!(text.contains("角色 管理员 → 主管"), "{text}");
}

#[test]
fn changes_record_who_made_them() {
    let mut t = desk();
    add_user(&mut t, "wangf", "王芳", &[Role::Clerk]);
    let session = session_of(&mut t, "wangf", "pass-1234");
    let customer = as_session(
        &mut t,
        &session,
        "customers.create",
        json!({"name": "张三", "phones": ["13812345678"]}),
    )
    .unwrap();
    let id = customer["id"].as_i64().unwrap();
    let who: String = t.sql(&format!(
        "SELECT \"user\" FROM audit_entry WHERE entity = 'customer' AND entity_id = {id} AND action = 'created'"
    ));
    assert_eq!(who, "王芳");
    // Opening the file is recorded too, with who.
    as_session(&mut t, &session, "customers.get", json!({"id": id})).unwrap();
    let opened: String = t.sql(&format!(
        "SELECT \"user\" FROM audit_entry WHERE entity = 'customer' AND entity_id = {id} AND action = 'opened'"
    ));
    assert_eq!(opened, "王芳");

    // An edit records before and after, field by field.
    let part = t.ok(
        "parts.save",
        json!({"code": "P-9", "name": "点火针", "unit": "个", "cost_fen": 500}),
    );
    t.ok(
        "parts.save",
        json!({"id": part["id"], "code": "P-9", "name": "点火针", "unit": "个", "cost_fen": 800, "bin": "A-01"}),
    );
    let trail = t.ok("audit.list", json!({"entity": "part", "action": "saved"}));
    let latest = trail["items"][0]["detail"].as_str().unwrap().to_string();
    assert!(latest.contains("成本（分） 500 → 800"), "{latest}");
    assert!(latest.contains("库位 （空） → A-01"), "{latest}");
    assert!(
        !latest.contains("名称"),
        "unchanged fields are not listed: {latest}"
    );

    // Own password: the old one must be right, then only the new one works.
    let err = as_session(
        &mut t,
        &session,
        "auth.password",
        json!({"old_password": "wrong-one", "new_password": "new-pass-9", "new_password_again": "new-pass-9"}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "old_password");
    as_session(
        &mut t,
        &session,
        "auth.password",
        json!({"old_password": "pass-1234", "new_password": "new-pass-9", "new_password_again": "new-pass-9"}),
    )
    .unwrap();
    session_of(&mut t, "wangf", "new-pass-9");
}

/// Every command of the table, called by a user holding each role it does not list:
/// refused with `forbidden`, and by nobody: `unauthorized`. With a role it lists, the
/// role check lets it through (whatever the empty arguments then lead to).
#[test]
fn every_command_refuses_a_user_lacking_its_role() {
    let mut t = desk();
    let mut sessions = Vec::new();
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let login = format!("user{i}");
        add_user(&mut t, &login, &format!("用户{i}"), &[role]);
        sessions.push((role, session_of(&mut t, &login, "pass-1234")));
    }
    let mut refused = 0;
    let mut let_through = 0;
    for command in api::commands() {
        let public = command.roles.is_empty();
        for (role, session) in &sessions {
            let result = as_session(&mut t, session, command.name, json!({}));
            let code = result.as_ref().err().map(|e| e["code"].clone());
            if public || command.roles.contains(role) {
                assert_ne!(
                    code,
                    Some(json!("forbidden")),
                    "{} as {role:?}",
                    command.name
                );
                assert_ne!(
                    code,
                    Some(json!("unauthorized")),
                    "{} as {role:?}",
                    command.name
                );
                let_through += 1;
            } else {
                assert_eq!(
                    code,
                    Some(json!("forbidden")),
                    "{} as {role:?}",
                    command.name
                );
                let message = result.unwrap_err()["message"].as_str().unwrap().to_string();
                assert!(message.contains("没有权限"), "{message}");
                refused += 1;
            }
        }
        if !public {
            let err = call_in_session(&mut t.desk, &Caller::with(None), command.name, json!({}))
                .unwrap_err()
                .to_json();
            assert_eq!(err["code"], "unauthorized", "{} as nobody", command.name);
        }
    }
    // Every role is refused somewhere, and the table has commands nobody may reach.
    assert!(refused > 100, "{refused} refusals");
    assert!(let_through > 100, "{let_through}");
    // The session actor does not linger on the shared desk after a request.
    assert_eq!(t.desk.actor(), &Actor::nobody());
}

/// 用户管理 links an account to the service engineer it works as (issue 15): one that
/// exists and is active, at most one account per engineer, each refusal naming the field;
/// the link shows in the list, in the session's user and in the audit trail.
#[test]
fn an_account_links_to_one_active_engineer_named_in_every_refusal() {
    let mut t = desk();
    let engineer = |t: &mut TestDesk, name: &str, active: bool| {
        t.ok(
            "engineers.save",
            json!({"name": name, "region": "海淀", "active": active}),
        )["id"]
            .as_i64()
            .unwrap()
    };
    let wang = engineer(&mut t, "王磊", true);
    let li = engineer(&mut t, "李强", true);
    let gone = engineer(&mut t, "赵鹏", false);
    let zhao = t.ok(
        "users.save",
        json!({"login": "zhaol", "name": "赵磊", "roles": ["engineer"], "password": "pass-1234",
               "engineer_id": wang}),
    );
    assert_eq!(
        zhao["engineer"],
        json!({"id": wang, "name": "王磊", "active": true})
    );
    let zhao_id = zhao["id"].as_i64().unwrap();
    let listed = t.ok("users.list", json!({}));
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "zhaol")
        .unwrap()
        .clone();
    assert_eq!(row["engineer"]["name"], "王磊");

    // A second account for the same engineer, an unknown one, one who left: refused,
    // naming the field and the engineer, nothing written.
    let err = t.err(
        "users.save",
        json!({"login": "other", "name": "别人", "roles": ["engineer"], "password": "pass-1234",
               "engineer_id": wang}),
    );
    assert_eq!(err["field"], "engineer_id");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("关联工程师") && message.contains("王磊") && message.contains("zhaol"),
        "{message}"
    );
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM app_user WHERE login = 'other'"),
        0
    );
    let err = t.err(
        "users.save",
        json!({"login": "other", "name": "别人", "roles": ["engineer"], "password": "pass-1234",
               "engineer_id": 9999}),
    );
    assert_eq!(err["field"], "engineer_id");
    assert!(err["message"].as_str().unwrap().contains("9999"), "{err}");
    let err = t.err(
        "users.save",
        json!({"login": "other", "name": "别人", "roles": ["engineer"], "password": "pass-1234",
               "engineer_id": gone}),
    );
    assert_eq!(err["field"], "engineer_id");
    assert!(err["message"].as_str().unwrap().contains("停用"), "{err}");

    // The session's user carries the link, read afresh on every request.
    let session = session_of(&mut t, "zhaol", "pass-1234");
    let status = as_session(&mut t, &session, "auth.status", json!({})).unwrap();
    assert_eq!(status["user"]["engineer_id"], wang);
    t.ok(
        "users.save",
        json!({"id": zhao_id, "login": "zhaol", "name": "赵磊", "roles": ["engineer"],
               "engineer_id": li}),
    );
    let status = as_session(&mut t, &session, "auth.status", json!({})).unwrap();
    assert_eq!(status["user"]["engineer_id"], li);

    // An engineer who leaves keeps his account's link through later edits.
    t.ok(
        "engineers.save",
        json!({"id": li, "name": "李强", "region": "海淀", "active": false}),
    );
    let kept = t.ok(
        "users.save",
        json!({"id": zhao_id, "login": "zhaol", "name": "赵磊二", "roles": ["engineer"],
               "engineer_id": li}),
    );
    assert_eq!(
        kept["engineer"],
        json!({"id": li, "name": "李强", "active": false})
    );
    // Unlinked by saving without it; the freed engineer can go to another account.
    let unlinked = t.ok(
        "users.save",
        json!({"id": zhao_id, "login": "zhaol", "name": "赵磊", "roles": ["engineer"]}),
    );
    assert!(unlinked["engineer"].is_null());
    t.ok(
        "users.save",
        json!({"login": "other", "name": "别人", "roles": ["engineer"], "password": "pass-1234",
               "engineer_id": wang}),
    );

    let trail = t.ok("audit.list", json!({"entity": "user"})).to_string();
    for needle in [
        "关联工程师 王磊",
        "关联工程师 王磊 → 李强",
        "取消关联工程师 李强",
    ] {
        assert!(trail.contains(needle), "{needle} in {trail}");
    }
}

/// The demo's engineer login is linked to a demo engineer who has open orders, and
/// running the demo accounts again changes nothing.
#[test]
fn the_demo_engineer_login_is_linked_to_an_engineer_with_orders() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 50).unwrap();
    aftersales::demo::fill_orders(&mut t.desk, 60, 12).unwrap();
    aftersales::demo::fill_users(&mut t.desk).unwrap();
    let user = t.ok("users.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "gongchengshi")
        .unwrap()
        .clone();
    let engineer = user["engineer"]["name"].as_str().unwrap().to_string();
    assert!(user["name"].as_str().unwrap().contains(&engineer), "{user}");
    let session = session_of(&mut t, "gongchengshi", aftersales::demo::DEMO_PASSWORD);
    let mine = as_session(
        &mut t,
        &session,
        "orders.list",
        json!({"mine": true, "status": "open"}),
    )
    .unwrap();
    let items = mine["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{engineer} has no open orders");
    assert!(items.iter().all(|o| o["engineer"]["name"] == engineer));
    assert_eq!(aftersales::demo::fill_users(&mut t.desk).unwrap(), 0);
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM app_user WHERE engineer_id IS NOT NULL"),
        1
    );
}
