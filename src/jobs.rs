//! The background jobs, written once for every door: the daily automatic backup (with its
//! rotation), the service-level clock alerts a desktop shows as system notifications, and
//! the backup left behind when a door closes.
//!
//! These are plain synchronous functions on the desk. A door keeps only a timer that calls
//! [`tick`] every [`EVERY`] on a blocking thread, shows the alerts it returns (the desktop
//! as system notifications), logs its errors, and calls [`on_close`] when it stops. What a
//! job decides (when a backup is due, which alert is new) is decided here, by the desk's
//! clock, so two doors on the same database behave alike.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::followup::dayboard::{self, Alert};
use crate::people::backup::{self, BackupFile};
use crate::{Actor, Desk};

/// How often a door calls [`tick`]: the clocks are minutes long.
pub const EVERY: Duration = Duration::from_secs(60);

/// How long after one look for the daily backup the next one is due (by the desk's
/// clock): a desk left running overnight makes the next day's within the hour.
const BACKUP_LOOK_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What the jobs remember between ticks; one per door, kept in the door's timer task.
#[derive(Debug)]
pub struct Jobs {
    /// Look for clock alerts (a desktop that notifies); the browser door has no one to
    /// notify and leaves it off.
    alerts: bool,
    /// Keys of the alerts already returned, kept while the alert lasts: each alert is
    /// notified once, and again only if it goes away and comes back.
    seen: HashSet<String>,
    /// When the daily backup is looked at next; `None`: at the first tick.
    next_backup: Option<DateTime<Utc>>,
}

impl Jobs {
    /// The jobs of a door that notifies (the desktop): backups and clock alerts.
    pub fn with_alerts() -> Jobs {
        Jobs {
            alerts: true,
            seen: HashSet::new(),
            next_backup: None,
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
}

/// Runs the jobs that are due: the daily automatic backup (at the first tick, then once
/// an hour by the desk's clock; made only when today has no automatic backup, then
/// rotated) and, for [`Jobs::with_alerts`], the clock alerts not returned before.
///
/// The jobs run as the system (the app's own work, not a person's request); the desk acts
/// as whoever it acted as before once the tick is over.
pub fn tick(desk: &mut Desk, jobs: &mut Jobs) -> Ticked {
    let before = desk.actor().clone();
    desk.act_as(Actor::script());
    let mut out = Ticked::default();
    let now = desk.now();
    if jobs.next_backup.is_none_or(|due| now >= due) {
        jobs.next_backup = Some(now + BACKUP_LOOK_EVERY);
        match backup::automatic(desk, backup::Automatic::Daily) {
            Ok(made) => out.backup = made,
            Err(err) => out.errors.push(format!("自动备份失败：{err}")),
        }
    }
    if jobs.alerts {
        match dayboard::alerts(desk, dayboard::NoArgs {}) {
            Ok(alerts) => out.notify = fresh(&mut jobs.seen, alerts.items),
            Err(err) => out.errors.push(format!("读取超时提醒失败：{err}")),
        }
    }
    desk.act_as(before);
    out
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

/// The alerts whose key is not in `seen`; `seen` then holds exactly the keys of `alerts`
/// (an alert gone is forgotten, so it is notified again if it comes back).
fn fresh(seen: &mut HashSet<String>, alerts: Vec<Alert>) -> Vec<Alert> {
    let now: HashSet<&str> = alerts.iter().map(|a| a.key.as_str()).collect();
    seen.retain(|k| now.contains(k.as_str()));
    alerts
        .into_iter()
        .filter(|a| seen.insert(a.key.clone()))
        .collect()
}
