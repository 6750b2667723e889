//! The background jobs, written once for every door: the daily automatic backup (with its
//! rotation), the maintenance orders of the plans (issue 21, hourly), the service-level clock alerts a desktop shows as system notifications, the
//! status messages to customers waiting in the outbox (issue 20, `notify::outbox`), and
//! the backup left behind when a door closes.
//!
//! These are plain synchronous functions on the desk. A door keeps only a timer that calls
//! [`tick`] every [`EVERY`] on a blocking thread, shows the alerts it returns (the desktop
//! as system notifications), logs its errors, and calls [`on_close`] when it stops. What a
//! job decides (when a backup is due, which alert is new) is decided here, by the desk's
//! clock, so two doors on the same database behave alike.
//!
//! The jobs run once across the doors of one database (issue 19): a tick first takes the
//! jobs' turn for its whole run, and a door whose tick meets another's skips this one and
//! looks again at its next. On PostgreSQL the turn is a session-level advisory lock
//! ([`JOBS_LOCK`], `pg_try_advisory_lock`), which the server gives back if the door dies.
//! SQLite has no such lock, and its write lock alone is not enough: the daily backup is
//! written outside any transaction, and two doors started together both found no backup
//! of today and wrote the same file at once (the two-door test saw it). There the turn is
//! a lease in the database (`job_turn`), taken by one statement and given back at the
//! end, or by itself after [`TURN_LEASE`] if the door died. What a job hands out once (an
//! alert to notify) is recorded in the database (`alert_notified`), in a write
//! transaction: each alert is notified by one door, whichever ticks first.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::followup::dayboard::{self, Alert};
use crate::people::backup::{self, BackupFile};
use crate::platform::db::{Engine, Optional};
use crate::platform::error::Result;
use crate::{Actor, Desk};

/// Key of the advisory lock the doors of one PostgreSQL database take to run their jobs
/// (the migrations take `...0001`: see `platform::db`).
pub const JOBS_LOCK: i64 = 0x6166_7465_7273_0002;

/// How long a SQLite door's turn lasts at most: a door that died in its tick holds the
/// jobs no longer than this (a daily backup of a large desk takes seconds).
pub const TURN_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// How often a door calls [`tick`]: the clocks are minutes long.
pub const EVERY: Duration = Duration::from_secs(60);

/// How long after one look for the daily backup the next one is due (by the desk's
/// clock): a desk left running overnight makes the next day's within the hour.
const BACKUP_LOOK_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// How often the maintenance plans are looked at (issue 21): their orders are made days
/// ahead, so an hour late is never late.
const PLANS_LOOK_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What the jobs remember between ticks; one per door, kept in the door's timer task.
/// (Which alerts were notified is the database's, shared by the doors.)
#[derive(Debug)]
pub struct Jobs {
    /// Look for clock alerts (a desktop that notifies); the browser door has no one to
    /// notify and leaves it off.
    alerts: bool,
    /// When the daily backup is looked at next; `None`: at the first tick.
    next_backup: Option<DateTime<Utc>>,
    /// When the maintenance plans are looked at next; `None`: at the first tick.
    next_plans: Option<DateTime<Utc>>,
}

impl Jobs {
    /// The jobs of a door that notifies (the desktop): backups and clock alerts.
    pub fn with_alerts() -> Jobs {
        Jobs {
            alerts: true,
            next_backup: None,
            next_plans: None,
        }
    }

    /// The jobs of a door without notifications (the browser door): backups only.
    pub fn backups_only() -> Jobs {
        Jobs {
            alerts: false,
            ..Jobs::with_alerts()
        }
    }
}

/// What one [`tick`] did.
#[derive(Debug, Default)]
pub struct Ticked {
    /// The daily backup, when this tick made it.
    pub backup: Option<BackupFile>,
    /// Alerts new since the last tick, for the door to notify.
    pub notify: Vec<Alert>,
    /// What failed, as a sentence for the door's log; the other jobs ran anyway.
    pub errors: Vec<String>,
    /// The status messages this tick handed to their providers (issue 20).
    pub messages: crate::notify::outbox::Run,
    /// The maintenance orders this tick made ahead of their plans' due dates (issue 21).
    pub maintenance: crate::orders::plans::Run,
}

/// Runs the jobs that are due: the daily automatic backup (at the first tick, then once
/// an hour by the desk's clock; made only when today has no automatic backup, then
/// rotated) and, for [`Jobs::with_alerts`], the clock alerts no door has returned before.
/// While another door of the same PostgreSQL database runs its jobs, this tick does
/// nothing (and looks again at the next).
///
/// The jobs run as the system (the app's own work, not a person's request); the desk acts
/// as whoever it acted as before once the tick is over.
pub fn tick(desk: &mut Desk, jobs: &mut Jobs) -> Ticked {
    let before = desk.actor().clone();
    desk.act_as(Actor::script());
    let mut out = Ticked::default();
    if let Err(err) = desk.tell_store_who_acts() {
        out.errors.push(format!("后台任务无法开始：{err}"));
    }
    match take_turn(desk) {
        Ok(Some(turn)) => {
            run(desk, jobs, &mut out);
            if let Err(err) = give_turn(desk, &turn) {
                out.errors.push(format!("后台任务结束时出错：{err}"));
            }
        }
        Ok(None) => {}
        Err(err) => out.errors.push(format!("后台任务无法开始：{err}")),
    }
    desk.act_as(before);
    out
}

/// This door's turn to run the jobs: on SQLite, the lease's holder.
struct Turn(String);

/// Takes the jobs' turn without waiting; None while another door has it. Each statement
/// is its own transaction: the jobs open and close theirs inside the turn. The one place
/// that asks the engine: what each offers for this differs in kind, not in wording.
fn take_turn(desk: &Desk) -> Result<Option<Turn>> {
    let db = desk.conn();
    match db.engine() {
        Engine::Postgres => {
            let taken: bool =
                db.query_row("SELECT pg_try_advisory_lock(?1)", [JOBS_LOCK], |r| r.get(0))?;
            Ok(taken.then(|| Turn(String::new())))
        }
        Engine::Sqlite => {
            let now = desk.now();
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes)
                .map_err(|e| crate::Error::Storage(format!("无法生成随机数：{e}")))?;
            let holder: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let taken: Option<String> = db
                .query_row(
                    "INSERT INTO job_turn (id, holder, until) VALUES (1, ?1, ?2)
                     ON CONFLICT (id) DO UPDATE
                       SET holder = excluded.holder, until = excluded.until
                       WHERE job_turn.until <= ?3
                     RETURNING holder",
                    rusqlite::params![
                        holder,
                        crate::platform::time::stamp(now + TURN_LEASE),
                        crate::platform::time::stamp(now)
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(taken.map(Turn))
        }
    }
}

fn give_turn(desk: &Desk, turn: &Turn) -> Result<()> {
    let db = desk.conn();
    match db.engine() {
        Engine::Postgres => {
            db.query_row("SELECT pg_advisory_unlock(?1)", [JOBS_LOCK], |r| {
                r.get::<_, bool>(0)
            })?;
        }
        Engine::Sqlite => {
            db.execute("DELETE FROM job_turn WHERE holder = ?1", [&turn.0])?;
        }
    }
    Ok(())
}

/// The jobs themselves, once this door has the turn.
fn run(desk: &mut Desk, jobs: &mut Jobs, out: &mut Ticked) {
    let now = desk.now();
    if jobs.next_backup.is_none_or(|due| now >= due) {
        jobs.next_backup = Some(now + BACKUP_LOOK_EVERY);
        match backup::automatic(desk, backup::Automatic::Daily) {
            Ok(made) => out.backup = made,
            Err(err) => out.errors.push(format!("自动备份失败：{err}")),
        }
    }
    // Maintenance orders of the plans (issue 21), before the messages: their reminders
    // then go out in this same tick.
    if jobs.next_plans.is_none_or(|due| now >= due) {
        jobs.next_plans = Some(now + PLANS_LOOK_EVERY);
        match crate::orders::plans::generate(desk) {
            Ok(run) => {
                // A machine the intake refused (a customer without an address…) is for
                // the door's log; it is looked at again at the next hour.
                for why in &run.refused {
                    out.errors.push(format!("保养工单未生成：{why}"));
                }
                out.maintenance = run;
            }
            Err(err) => {
                // Nothing was written (one transaction): look again at the next tick.
                jobs.next_plans = None;
                out.errors.push(format!("生成保养工单失败：{err}"));
            }
        }
    }
    // Status messages whose change committed (issue 20): every door's jobs send them, once
    // across the doors (this turn), never inside a transaction.
    match crate::notify::outbox::send_due(desk) {
        Ok(run) => out.messages = run,
        Err(err) => out.errors.push(format!("发送通知失败：{err}")),
    }
    if jobs.alerts {
        match dayboard::alerts(desk, dayboard::NoArgs {}).and_then(|a| fresh(desk, a.items)) {
            Ok(alerts) => out.notify = alerts,
            Err(err) => out.errors.push(format!("读取超时提醒失败：{err}")),
        }
    }
}

/// The backup a door leaves behind when it stops (always made, then rotated). The error,
/// if any, is a sentence for the door's log.
pub fn on_close(desk: &Desk) -> Result<BackupFile, String> {
    match backup::automatic(desk, backup::Automatic::Close) {
        Ok(Some(made)) => Ok(made),
        Ok(None) => Err("关闭时的自动备份未生成".to_string()),
        Err(err) => Err(format!("关闭时的自动备份失败：{err}")),
    }
}

/// The alerts no door has returned yet, recorded as returned; the record then holds
/// exactly the keys of `alerts` (an alert gone is forgotten, so it is notified again if
/// it comes back). One write transaction: of two doors ticking at once, the second waits
/// for the first (SQLite's write lock) or cannot commit alongside it (PostgreSQL), and
/// finds the keys already there.
fn fresh(desk: &mut Desk, alerts: Vec<Alert>) -> Result<Vec<Alert>> {
    let at = desk.stamp();
    let tx = desk.write()?;
    let recorded: Vec<String> = tx
        .prepare_cached("SELECT key FROM alert_notified")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for gone in recorded
        .iter()
        .filter(|k| !alerts.iter().any(|a| &a.key == *k))
    {
        tx.execute("DELETE FROM alert_notified WHERE key = ?1", [gone])?;
    }
    let mut new = Vec::new();
    for alert in alerts {
        let added = tx
            .prepare_cached(
                "INSERT INTO alert_notified (key, at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            )?
            .execute(rusqlite::params![alert.key, at])?;
        if added == 1 {
            new.push(alert);
        }
    }
    tx.commit()?;
    Ok(new)
}
