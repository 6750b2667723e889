//! The core of the after-sales desk (售后服务台): every domain rule, the database and,
//! later, the printable slips. It knows nothing of windows, HTTP or printers; the doors
//! (`src-tauri`, `cli`) call [`api::call`] and get JSON back.
//!
//! Map:
//! - [`Desk`]: one open database file. Every use case takes `&mut Desk` and runs as one
//!   transaction, so a user action either fully happens or leaves no trace.
//! - [`api`]: the one command table (name → typed handler, roles allowed).
//! - [`error`]: the one error type; it crosses a door as `{code, message, field?}`.
//! - [`db`]: opening the file (pragmas) and the append-only migrations.
//! - [`customers`], [`phone`]: the customer archive and phone-number rules.
//! - [`demo`]: realistic generated data for the demo database and benchmarks.

pub mod api;
pub mod archive;
pub mod demo;
pub mod followup;
pub mod jobs;
pub mod orders;
pub mod people;
pub mod platform;
pub mod reports;
pub mod search;
pub mod slips;
pub mod stock;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use people::users::{Actor, Role};
pub use platform::error::{Error, Result};

/// Now, UTC, as stored: `2026-11-22T05:40:00Z`.
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// File name of the database inside a data directory.
pub const DB_FILE: &str = "desk.db";

/// One open desk database. Not `Sync`: doors keep it behind a mutex and call it from a
/// blocking thread.
pub struct Desk {
    conn: rusqlite::Connection,
    path: PathBuf,
    clock: Option<chrono::DateTime<chrono::Utc>>,
    actor: Actor,
    /// The actor's name as SQL reads it (`desk_user()`), for every row that records who.
    acting: Arc<Mutex<String>>,
    sessions: people::users::Sessions,
}

/// Environment variable that fixes the desk's clock (RFC 3339, e.g.
/// `2026-11-23T10:00:00+08:00`) for training and for tests of the service-level clocks,
/// which must not depend on when they run. Unset in normal use.
pub const CLOCK_VAR: &str = "AFTERSALES_CLOCK";

impl Desk {
    /// Opens (or creates) the database file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Desk> {
        let conn = platform::db::open(path)?;
        let clock = match std::env::var(CLOCK_VAR) {
            Ok(text) if !text.trim().is_empty() => Some(
                chrono::DateTime::parse_from_rfc3339(text.trim())
                    .map_err(|e| Error::BadRequest(format!("{CLOCK_VAR}={text}: {e}")))?
                    .with_timezone(&chrono::Utc),
            ),
            _ => None,
        };
        let actor = Actor::script();
        let acting = Arc::new(Mutex::new(actor.name.clone()));
        let shared = Arc::clone(&acting);
        // `desk_user()` in SQL: who is acting, for the `user` column of audit entries,
        // movements, events and payments, without threading a name through every call.
        conn.create_scalar_function(
            "desk_user",
            0,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            move |_| {
                Ok(shared
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .clone())
            },
        )?;
        Ok(Desk {
            conn,
            path: path.to_path_buf(),
            clock,
            actor,
            acting,
            sessions: people::users::Sessions::default(),
        })
    }

    /// From now on, commands run as `actor` (their role checked, their name recorded).
    pub fn act_as(&mut self, actor: Actor) {
        *self
            .acting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = actor.name.clone();
        self.actor = actor;
    }

    /// Who commands run as now.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Opens `dir/desk.db`, creating the directory when it does not exist yet.
    pub fn open_dir(dir: &Path) -> Result<Desk> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Desk::open(&dir.join(DB_FILE))
    }

    /// The database file this desk works on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fixes the desk's clock (None: the real time). For tests and training.
    pub fn set_clock(&mut self, at: Option<chrono::DateTime<chrono::Utc>>) {
        self.clock = at;
    }

    /// Now, by the desk's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.unwrap_or_else(chrono::Utc::now)
    }

    /// Today, the desk's local day (China Standard Time) by its clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now()
            .with_timezone(&people::calendar::local_zone())
            .date_naive()
    }

    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut rusqlite::Connection {
        &mut self.conn
    }
}

/// The app's identifier; the OS data folder is named after it (same as the desktop's).
pub const APP_IDENTIFIER: &str = "com.aftersales.desk";

/// The OS's per-user data folder for the app, where the desktop door keeps its data too:
/// Windows `%APPDATA%\com.aftersales.desk`, Linux `$XDG_DATA_HOME` or
/// `~/.local/share/com.aftersales.desk`, macOS `~/Library/Application Support/…`.
pub fn default_data_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("APPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library/Application Support")
    } else {
        var("XDG_DATA_HOME").or_else(|| Some(var("HOME")?.join(".local/share")))?
    };
    Some(base.join(APP_IDENTIFIER))
}
