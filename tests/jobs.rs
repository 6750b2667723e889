//! The background jobs both doors tick (`aftersales::jobs`): the daily automatic backup,
//! once a day by the desk's clock, and the clock alerts, each returned once while it lasts.

use aftersales::jobs::{self, Jobs};
use serde_json::json;

use crate::slips::completed_order;
use crate::util::{desk, TestDesk};

fn clock(t: &mut TestDesk, text: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    t.desk.set_clock(Some(at));
}

fn backups(t: &mut TestDesk) -> Vec<String> {
    t.ok("backup.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect()
}

/// A backup's name on this desk's engine: a SQLite file's copies end in `.db`, a
/// PostgreSQL desk's pg_dump archives in `.dump`.
fn named(t: &TestDesk, stem: &str) -> String {
    match t.desk.engine() {
        aftersales::platform::db::Engine::Sqlite => format!("{stem}.db"),
        aftersales::platform::db::Engine::Postgres => format!("{stem}.dump"),
    }
}

#[test]
fn the_daily_backup_is_made_once_a_day_and_rotated() {
    let mut t = desk();
    t.ok("settings.save", json!({"backup_keep": 2}));
    let mut jobs = Jobs::backups_only();
    clock(&mut t, "2026-11-23T09:00:00+08:00");
    let first = jobs::tick(&mut t.desk, &mut jobs);
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(
        first.backup.map(|b| b.name),
        Some(named(&t, "desk-20261123-090000-daily"))
    );
    // The next look is an hour later; then today already has one.
    clock(&mut t, "2026-11-23T09:59:00+08:00");
    assert!(jobs::tick(&mut t.desk, &mut jobs).backup.is_none());
    clock(&mut t, "2026-11-23T10:00:00+08:00");
    assert!(jobs::tick(&mut t.desk, &mut jobs).backup.is_none());
    assert_eq!(backups(&mut t).len(), 1);
    // A desk left running overnight makes the next day's, and the next.
    for day in ["2026-11-24T00:30:00+08:00", "2026-11-25T00:30:00+08:00"] {
        clock(&mut t, day);
        assert!(jobs::tick(&mut t.desk, &mut jobs).backup.is_some(), "{day}");
    }
    // Rotated: the newest two automatic backups are kept.
    assert_eq!(
        backups(&mut t),
        vec![
            named(&t, "desk-20261125-003000-daily"),
            named(&t, "desk-20261124-003000-daily")
        ]
    );
    // A door closing leaves one more behind, rotated alike.
    let closed = jobs::on_close(&t.desk).unwrap();
    assert_eq!(closed.name, named(&t, "desk-20261125-003000-close"));
    assert_eq!(backups(&mut t).len(), 2);
    // The browser door's jobs never look at alerts.
    assert!(jobs::tick(&mut t.desk, &mut jobs).notify.is_empty());
}

#[test]
fn each_clock_alert_is_returned_once_while_it_lasts() {
    let mut t = desk();
    let o = completed_order(&mut t, "张伟", "北京市海淀区", 0);
    clock(&mut t, "2026-11-27T16:00:00+08:00");
    let k = t.ok(
        "complaints.create",
        json!({"customer_id": 1, "order_id": o, "against": "engineer", "channel": "phone",
               "cause": "attitude", "content": "工程师态度差"}),
    );
    let key = format!("complaint:{}", k["id"]);
    let mut jobs = Jobs::with_alerts();
    // Friday: the reply is due Monday 16:00, nothing to say yet.
    let quiet = jobs::tick(&mut t.desk, &mut jobs);
    assert!(quiet.notify.is_empty(), "{:?}", quiet.notify);
    // Monday 13:00: under four hours left.
    clock(&mut t, "2026-11-30T13:00:00+08:00");
    let ticked = jobs::tick(&mut t.desk, &mut jobs);
    assert!(ticked.errors.is_empty(), "{:?}", ticked.errors);
    let keys: Vec<&str> = ticked.notify.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, vec![key.as_str()]);
    assert_eq!(ticked.notify[0].title, "投诉24小时答复即将超时");
    // A minute later the same alert is still there: not returned again. The tick runs
    // as the system and leaves the desk acting as before (here: nobody, as between two
    // requests of a door).
    clock(&mut t, "2026-11-30T13:01:00+08:00");
    t.desk.act_as(aftersales::Actor::nobody());
    assert!(jobs::tick(&mut t.desk, &mut jobs).notify.is_empty());
    assert!(t.desk.actor().is_nobody());
    // Issue 19: what was notified is the database's, not a door's memory: a second door's
    // jobs do not notify it again.
    let mut other = Jobs::with_alerts();
    assert!(jobs::tick(&mut t.desk, &mut other).notify.is_empty());
}

/// A complaint whose 24-hour reply is under four hours from due at the clock set: one
/// clock alert. Its key.
fn one_alert(t: &mut TestDesk) -> String {
    let o = completed_order(t, "张伟", "北京市海淀区", 0);
    clock(t, "2026-11-27T16:00:00+08:00");
    let k = t.ok(
        "complaints.create",
        json!({"customer_id": 1, "order_id": o, "against": "engineer", "channel": "phone",
               "cause": "attitude", "content": "工程师态度差"}),
    );
    clock(t, "2026-11-30T13:00:00+08:00");
    format!("complaint:{}", k["id"])
}

#[test]
fn a_clock_alert_is_notified_by_one_door_of_the_database_only() {
    let mut t = desk();
    let key = one_alert(&mut t);
    let mut other = t.second_desk();
    other.set_clock(Some(t.desk.now()));
    let first = jobs::tick(&mut other, &mut Jobs::with_alerts());
    let keys: Vec<&str> = first.notify.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, vec![key.as_str()]);
    assert!(jobs::tick(&mut t.desk, &mut Jobs::with_alerts())
        .notify
        .is_empty());
    let recorded: i64 = t.sql("SELECT count(*) FROM alert_notified");
    assert_eq!(recorded, 1);
}

#[test]
fn a_door_skips_its_jobs_while_another_door_has_their_turn() {
    let mut t = desk();
    clock(&mut t, "2026-11-23T09:00:00+08:00");
    let now = t.desk.now();
    let postgres = t.desk.engine() == aftersales::platform::db::Engine::Postgres;
    // Another door has the turn, as during its own tick: PostgreSQL's advisory lock on its
    // own connection, SQLite's lease row.
    let other = t.db();
    if postgres {
        let taken: bool = other
            .query_row("SELECT pg_try_advisory_lock(?1)", [jobs::JOBS_LOCK], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(taken);
    } else {
        other
            .execute(
                "INSERT INTO job_turn (id, holder, until) VALUES (1, 'another door', ?1)",
                [aftersales::platform::time::stamp(now + jobs::TURN_LEASE)],
            )
            .unwrap();
    }
    // The daily backup is due at a door's first tick: skipped, it is not even tried.
    let mut memory = Jobs::backups_only();
    let skipped = jobs::tick(&mut t.desk, &mut memory);
    assert!(skipped.backup.is_none());
    assert!(skipped.errors.is_empty(), "{:?}", skipped.errors);
    assert!(backups(&mut t).is_empty(), "nothing ran");
    if postgres {
        // Given back by the other door.
        let released: bool = other
            .query_row("SELECT pg_advisory_unlock(?1)", [jobs::JOBS_LOCK], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(released);
    } else {
        // Never given back (the door died): the lease runs out.
        t.desk.set_clock(Some(now + jobs::TURN_LEASE));
    }
    // The next tick runs the jobs: the backup is made (SQLite) or tried (PostgreSQL, where
    // a desk has no file to copy and the job says so).
    let ran = jobs::tick(&mut t.desk, &mut memory);
    assert!(
        ran.backup.is_some() || ran.errors.iter().any(|e| e.contains("自动备份")),
        "{ran:?}"
    );
    // And the tick gave the turn back.
    if postgres {
        let free: bool = other
            .query_row("SELECT pg_try_advisory_lock(?1)", [jobs::JOBS_LOCK], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(free, "the lock was given back");
    } else {
        let held: i64 = t.sql("SELECT count(*) FROM job_turn");
        assert_eq!(held, 0, "the lease was given back");
    }
}
