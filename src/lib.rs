//! The core of the after-sales desk (售后服务台): every domain rule, the database and the
//! printable slips. It knows nothing of windows, HTTP or printers' dialogs; the doors
//! (`src-tauri`, `cli`) call [`api::call_in_session`] and get JSON back.
//!
//! Map. The areas are folders; each uses only the areas listed before it (a test,
//! `tests/architecture.rs`, fails on a dependency the other way):
//! - [`platform`]: what every area stands on and that knows no domain word: the database
//!   file, pragmas and migrations (`db`), the one error type (`error`), text fields and the
//!   search index's tokens, the PDF drawing layer (`pdf`), spreadsheets read in (`sheet`)
//!   and files sent out (`files`), money, phone numbers, dates as people write them,
//!   handing a file to the printer (`printing`), and the desk's one clock and zone
//!   (`time`): a use case takes now and today from the desk ([`Desk::now`], [`Desk::today`],
//!   [`Desk::stamp`]) and writes in the transaction [`Desk::write`] opens.
//! - [`people`]: accounts, roles and sessions (`users`), the audit trail, settings, the
//!   working calendar (hours, holidays, 调休), backups, service engineers.
//! - [`archive`]: customers, machines, models and warranty, import and export.
//! - [`stock`]: spare parts and stores, the movement ledger, stocktakes, labels.
//! - [`orders`]: work orders: intake and numbering, the status flow, dispatch, completion,
//!   payment, the dispatch board, the service-level clocks, a customer's order history.
//! - [`slips`]: service slips (服务维修单): numbers, prints, voids, continuity, every paper
//!   format, 套打 templates.
//! - [`claims`]: 厂家索赔, the brands' rate cards and workbook layouts, a claim per
//!   in-warranty order, the monthly batch per brand, the brand's answer and payment
//!   (beside `slips`: neither uses the other).
//! - [`followup`]: callbacks, complaints, proactive campaigns, the day board.
//! - [`calls`]: 来电弹屏, the caller's screen when the phone rings and the rings pushed to
//!   the desks (beside `followup`: neither uses the other).
//! - [`reports`]: the monthly numbers, drill-down and export.
//!
//! Above the areas: [`Desk`] (one open database file; every use case takes `&mut Desk` and
//! runs as one transaction, so a user action either fully happens or leaves no trace),
//! [`api`] (the one command table: name → handler, roles allowed), [`search`] (the one
//! search box across customers, machines and orders) and [`demo`] (realistic generated data
//! for the demo database and the benchmarks).

pub mod api;
pub mod archive;
pub mod calls;
pub mod claims;
pub mod demo;
pub mod followup;
pub mod jobs;
pub mod notify;
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

/// Whether `actor` may run the command `name`: the command table's role check
/// ([`api::allows`]), for an area that offers a user only what they may do (an order's
/// `actions`) and sits below the table.
pub fn may(actor: &Actor, name: &str) -> bool {
    api::allows(actor, name)
}

/// File name of the database inside a data directory.
pub const DB_FILE: &str = "desk.db";

/// One open desk database. Not `Sync`: doors keep it behind a mutex and call it from a
/// blocking thread.
pub struct Desk {
    conn: platform::db::Db,
    path: PathBuf,
    clock: platform::time::Clock,
    actor: Actor,
    /// The actor's name as SQL reads it (`desk_user()`), for every row that records who.
    acting: Arc<Mutex<String>>,
    sessions: people::users::Sessions,
    /// Who the current request came from (its door's view), for the duration of one call.
    caller: api::Caller,
}

pub use platform::time::CLOCK_VAR;

impl Desk {
    /// Opens (or creates) the database file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Desk> {
        let conn = platform::db::open(path)?;
        let clock = platform::time::Clock::from_env()?;
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
            conn: platform::db::Db::sqlite(conn),
            path: path.to_path_buf(),
            clock,
            actor,
            acting,
            sessions: people::users::Sessions::default(),
            caller: api::Caller::default(),
        })
    }

    /// Opens the desk of a chain on the PostgreSQL database at `url`, bringing its schema
    /// up to date; `dir` is this door's own data folder (print spool, certificate),
    /// created owner-only when missing.
    pub fn open_postgres(url: &str, dir: &Path) -> Result<Desk> {
        platform::files::private_dir(dir)?;
        let conn = platform::db::open_postgres(url)?;
        let actor = Actor::script();
        let acting = Arc::new(Mutex::new(actor.name.clone()));
        let desk = Desk {
            conn,
            path: dir.to_path_buf(),
            clock: platform::time::Clock::from_env()?,
            actor: Actor::script(),
            acting,
            sessions: people::users::Sessions::default(),
            caller: api::Caller::default(),
        };
        desk.tell_store_who_acts()?;
        platform::printing::sweep(dir, desk.now());
        Ok(desk)
    }

    /// From now on, commands run as `actor` (their role checked, their name recorded).
    pub fn act_as(&mut self, actor: Actor) {
        *self
            .acting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = actor.name.clone();
        self.actor = actor;
    }

    /// PostgreSQL reads who acts from the session (`desk_user()`); SQLite calls back into
    /// `acting`. Set before each command runs.
    pub(crate) fn tell_store_who_acts(&self) -> Result<()> {
        if let Some(pg) = self.conn.pg() {
            pg.set_user(&self.actor.name)?;
        }
        Ok(())
    }

    /// A second connection to the same store, apart from this desk's (a test's look at
    /// the rows, a second door): the same file, or the same PostgreSQL database.
    pub fn another_connection(&self) -> Result<platform::db::Db> {
        match self.conn.pg() {
            Some(pg) => Ok(platform::db::Db::postgres(pg.reopen()?)),
            None => {
                let conn = rusqlite::Connection::open(&self.path)
                    .map_err(|e| Error::Storage(format!("{e}（{}）", self.path.display())))?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(platform::db::Db::sqlite(conn))
            }
        }
    }

    /// Where the desk's data is, as the status bar and 设置 show it: the SQLite file's
    /// path, or `PostgreSQL host:port/database` (never a password).
    pub fn store_name(&self) -> String {
        match self.conn.pg() {
            Some(pg) => format!("PostgreSQL {}", pg.place()),
            None => self.path.display().to_string(),
        }
    }

    /// Which engine holds this desk.
    pub fn engine(&self) -> platform::db::Engine {
        self.conn.engine()
    }

    /// Who commands run as now.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Where the current request came from, as its door saw it (set by
    /// [`api::call_in_session`] for one call; the default between calls).
    pub fn caller(&self) -> &api::Caller {
        &self.caller
    }

    /// Opens `dir/desk.db`, creating the directory (owner-only) when it does not exist
    /// yet; the print spool's leftovers older than a day are swept.
    pub fn open_dir(dir: &Path) -> Result<Desk> {
        platform::files::private_dir(dir)?;
        let desk = Desk::open(&dir.join(DB_FILE))?;
        platform::printing::sweep(dir, desk.now());
        Ok(desk)
    }

    /// The database file this desk works on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fixes the desk's clock (None: the real time). For tests and training.
    pub fn set_clock(&mut self, at: Option<chrono::DateTime<chrono::Utc>>) {
        self.clock = at.map_or(platform::time::Clock::Real, platform::time::Clock::Fixed);
    }

    /// Now, by the desk's clock: the only "now" a use case uses.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Now, by the desk's clock, as stored (`2026-11-23T02:00:00Z`).
    pub fn stamp(&self) -> platform::time::Stamp {
        platform::time::stamp(self.now())
    }

    /// Today, the desk's local day (China Standard Time) by its clock, whatever zone the
    /// PC is set to.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Opens the transaction of a use case that writes: `BEGIN IMMEDIATE`, so it takes the
    /// write lock first thing. A second door on the same file then waits on the busy
    /// timeout for its turn instead of failing half-way when a deferred read transaction
    /// tries to upgrade to a write (SQLite answers that with `SQLITE_BUSY` at once).
    ///
    /// The rule (see `platform::db`): every use case that writes, even only an audit
    /// entry, and every preview that writes then rolls back, opens its transaction here.
    /// A use case that only reads may open a deferred transaction on [`Desk::conn_mut`]
    /// for a consistent view of several queries.
    pub fn write(&mut self) -> Result<platform::db::Tx<'_>> {
        Ok(self.conn.write()?)
    }

    pub(crate) fn conn(&self) -> &platform::db::Db {
        &self.conn
    }

    /// The SQLite file's own connection, for what works on the file itself (its online
    /// backup and restore); on PostgreSQL the server's own tools do that.
    pub(crate) fn sqlite_file(&self) -> Result<&rusqlite::Connection> {
        self.conn.sqlite_conn().ok_or_else(not_a_file)
    }

    pub(crate) fn sqlite_file_mut(&mut self) -> Result<&mut rusqlite::Connection> {
        self.conn.sqlite_conn_mut().ok_or_else(not_a_file)
    }
}

fn not_a_file() -> Error {
    Error::Storage(
        "这个服务台的数据在 PostgreSQL 数据库服务器上，不是一个数据文件：这项操作请用数据库服务器的工具".into(),
    )
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
