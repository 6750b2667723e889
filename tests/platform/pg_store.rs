//! The store on PostgreSQL when the server goes away (issue 19): a command that meets a
//! lost connection fails with `storage` and a Chinese message, nothing it began is left
//! half-written, and the desk works again once the server answers, without a restart.
//! The server's side is played by an admin connection: `pg_terminate_backend` ends the
//! desk's sessions (what a server restart does to them), `ALLOW_CONNECTIONS false` keeps
//! it away. On SQLite the tests say they did not run.

use serde_json::json;

use crate::util::{desk, on_postgres, pg, TestDesk};

/// The test database's name.
fn name(t: &TestDesk) -> String {
    let url = t.database_url().expect("a PostgreSQL run");
    url.split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Ends every session of the test's database (the admin's own is in another database).
fn cut(t: &TestDesk) {
    pg::run(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
        name(t)
    ));
}

fn customers(t: &mut TestDesk) -> i64 {
    t.ok("customers.search", json!({}))["total"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_lost_connection_fails_one_command_with_storage_and_the_next_reconnects() {
    if !on_postgres() {
        eprintln!("SQLite run: this PostgreSQL test did not run");
        return;
    }
    let mut t = desk();
    t.ok(
        "customers.create",
        json!({"name": "王建国", "phones": ["13812345678"]}),
    );
    cut(&t);
    // The command that finds the connection gone is refused as storage, in Chinese.
    let e = t.err(
        "customers.create",
        json!({"name": "李红", "phones": ["13912345678"]}),
    );
    assert_eq!(e["code"], "storage", "{e}");
    assert!(e["message"].as_str().unwrap().contains("连接已断开"), "{e}");
    // The next one opens a new connection: the desk did not need a restart, and what was
    // committed before the cut is there.
    t.ok(
        "customers.create",
        json!({"name": "李红", "phones": ["13912345678"]}),
    );
    assert_eq!(customers(&mut t), 2);
    assert_eq!(t.search("李红"), vec!["李红"]);
}

#[test]
fn while_the_server_turns_the_desk_away_commands_fail_and_then_it_recovers() {
    if !on_postgres() {
        eprintln!("SQLite run: this PostgreSQL test did not run");
        return;
    }
    let mut t = desk();
    t.ok(
        "customers.create",
        json!({"name": "赵敏", "phones": ["13712345678"]}),
    );
    let db = name(&t);
    pg::run(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"));
    cut(&t);
    for _ in 0..2 {
        let e = t.err("customers.search", json!({"query": "赵敏"}));
        assert_eq!(e["code"], "storage", "{e}");
    }
    pg::run(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"));
    assert_eq!(t.search("赵敏"), vec!["赵敏"]);
    t.ok(
        "customers.create",
        json!({"name": "钱强", "phones": ["13612345678"]}),
    );
    assert_eq!(customers(&mut t), 2);
}

#[test]
fn a_command_cut_off_inside_its_transaction_leaves_nothing_half_written() {
    if !on_postgres() {
        eprintln!("SQLite run: this PostgreSQL test did not run");
        return;
    }
    let mut t = desk();
    // The customer's row goes in first; its search row waits on the server long enough
    // for the session to be ended in the middle of the transaction.
    t.db()
        .execute_batch(
            "CREATE FUNCTION slow_index() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;
             CREATE TRIGGER slow_index BEFORE INSERT ON customer_name_text
               FOR EACH ROW EXECUTE FUNCTION slow_index();",
        )
        .unwrap();
    let cutter = {
        let db = name(&t);
        std::thread::spawn(move || {
            // Until the desk's INSERT is seen waiting in the trigger, then end it.
            for _ in 0..200 {
                std::thread::sleep(std::time::Duration::from_millis(50));
                let mut admin =
                    postgres::Client::connect(pg::server().unwrap(), postgres::NoTls).unwrap();
                let ended: i64 = admin
                    .query_one(
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                          WHERE datname = $1 AND query LIKE '%customer_name_text%'
                            AND state = 'active') AS e",
                        &[&db],
                    )
                    .unwrap()
                    .get(0);
                if ended > 0 {
                    return true;
                }
            }
            false
        })
    };
    let e = t.err(
        "customers.create",
        json!({"name": "孙丽", "phones": ["13512345678"]}),
    );
    assert!(cutter.join().unwrap(), "the insert was never seen waiting");
    assert_eq!(e["code"], "storage", "{e}");
    t.db()
        .execute_batch("DROP TRIGGER slow_index ON customer_name_text")
        .unwrap();
    // Neither the customer nor its phone nor its audit entry was kept.
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM customer"), 0);
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM customer_phone"), 0);
    assert_eq!(
        t.sql::<i64>("SELECT count(*) FROM audit_entry WHERE entity = 'customer'"),
        0
    );
    // And the desk goes on.
    t.ok(
        "customers.create",
        json!({"name": "孙丽", "phones": ["13512345678"]}),
    );
    assert_eq!(customers(&mut t), 1);
}
