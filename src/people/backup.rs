//! Backups (备份与恢复): copies of the database file made while the desk runs, and
//! restoring one of them into the running desk.
//!
//! A backup is SQLite's online backup of the live connection: a consistent snapshot even
//! while other windows or doors write (in WAL mode readers never block writers). It is
//! written under a hidden temporary name (`.desk-….db.part`), switched out of WAL into a
//! single self-contained file, checked with `PRAGMA integrity_check`, flushed to disk and
//! only then renamed to `desk-YYYYMMDD-HHMMSS[-reason].db` (the desk's local time, China
//! Standard Time). A backup cut short by a crash or a full disk therefore never looks
//! like a complete one.
//!
//! Automatic backups (on close, daily) go to the backup folder (a setting; by default
//! `backups/` beside the database file) and are rotated: the newest
//! [`settings::DEFAULT_BACKUP_KEEP`] (a setting) are kept. Only files named as automatic
//! ones (`-close`, `-daily`) are ever deleted; a backup made on demand and the safety copy
//! taken before a restore are never rotated away.
//!
//! Restore checks the file before touching anything: it must be an SQLite file, pass the
//! integrity check, hold our tables and not come from a newer program (its
//! `user_version` at most ours). It works on a private copy (so a file that disappears or
//! changes half-way cannot matter), brings that copy's schema up to date, makes a safety
//! backup of the current data, and then copies the checked copy into the live connection
//! with the online backup API in one step: the running app keeps its connection, and a
//! failure at any point leaves the current data as it was.
//!
//! Paths are the administrator's (issue 16): a backup to a folder of one's choice
//! (`backup.now {dir}`) is theirs alone, a network path (`\\server\share`) is refused
//! unless they allowed network paths in the settings, and `backup.restore` takes a backup
//! of the backup folder by its name or a file uploaded with the request, never a path (only
//! the file's owner on the command line names a path): its errors can then tell nobody
//! whether some file exists elsewhere on the PC. Backups are owner-only files (`0600` on
//! Unix, made so as they are created), and every backup made on demand is in the audit
//! trail.
//!
//! On PostgreSQL (a chain's desk, issue 19) the server's own tools do the copying: a
//! backup is `pg_dump -Fc` (its custom format, a consistent snapshot taken in one
//! transaction while the desk runs) into the same folder, with the same names (ending in
//! `.dump` instead of `.db`), rotation and audit; it is read back whole with `pg_restore`
//! before it is renamed into place. Restore makes the same checks first — a file that is
//! not a pg_dump archive, or one without our tables, is not our backup; `pg_restore
//! --list` reads its table of contents and then every block of it is read through, so a
//! damaged file is refused; its schema version (the `aftersales_version` row inside) must
//! not be newer than ours — then takes the safety backup and runs `pg_restore --clean
//! --single-transaction` into the database: all of it or nothing. The tools are found on
//! the PATH, else in PostgreSQL's usual folders; the password reaches them in an
//! owner-only password file (`PGPASSFILE`), never on a command line, in the environment
//! or in a message.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::platform::db::Engine;
use crate::platform::error::{Error, Result};
use crate::{people::settings, Desk};

/// Why a backup was made; written into its file name (except for manual ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// On demand (the screen, `aftersales backup`): never rotated away.
    Manual,
    /// Automatic, when the app closes.
    Close,
    /// Automatic, once a day.
    Daily,
    /// The safety copy of the current data taken before a restore: never rotated away.
    BeforeRestore,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Manual => "",
            Kind::Close => "close",
            Kind::Daily => "daily",
            Kind::BeforeRestore => "before-restore",
        }
    }

    fn from_suffix(s: &str) -> Kind {
        match s {
            "close" => Kind::Close,
            "daily" => Kind::Daily,
            "before-restore" => Kind::BeforeRestore,
            _ => Kind::Manual,
        }
    }

    /// Made by the app on its own, and so rotated.
    pub fn automatic(self) -> bool {
        matches!(self, Kind::Close | Kind::Daily)
    }
}

/// The automatic backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// When the app closes: always made.
    Close,
    /// Once a day: made only when no automatic backup exists for today yet.
    Daily,
}

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    /// File name, e.g. `desk-20261123-100000-daily.db`.
    pub name: String,
    /// Full path.
    pub file: String,
    /// Bytes.
    pub size: u64,
    /// When it was made (from its name), UTC as stored elsewhere: `2026-11-23T02:00:00Z`.
    pub at: String,
    pub kind: Kind,
}

/// What `backup.list` shows.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// The backup folder.
    pub folder: String,
    /// Automatic backups kept.
    pub keep: u32,
    /// Newest first.
    pub items: Vec<BackupFile>,
}

/// What a restore did.
#[derive(Debug, Serialize)]
pub struct Restored {
    /// The backup now in use.
    pub restored_from: String,
    /// The data as it was just before, kept in the backup folder.
    pub safety: BackupFile,
}

const PREFIX: &str = "desk-";
/// A SQLite desk's backups: copies of its file.
const EXTENSION: &str = ".db";
/// A PostgreSQL desk's backups: pg_dump's custom format.
const DUMP_EXTENSION: &str = ".dump";
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// How pg_dump's custom-format archives begin.
const DUMP_MAGIC: &[u8; 5] = b"PGDMP";

/// The extension of this desk's backups.
fn extension(desk: &Desk) -> &'static str {
    match desk.engine() {
        Engine::Sqlite => EXTENSION,
        Engine::Postgres => DUMP_EXTENSION,
    }
}

/// The desk's own folder: the one holding the SQLite file, or a PostgreSQL desk's data
/// folder (print spool, certificate).
pub(crate) fn data_dir(desk: &Desk) -> PathBuf {
    match desk.engine() {
        Engine::Sqlite => desk.path().parent().unwrap_or(Path::new(".")).to_path_buf(),
        Engine::Postgres => desk.path().to_path_buf(),
    }
}

/// The largest backup taken as an upload by `backup.restore`, bytes (a desk of a few
/// hundred thousand customers with their orders is well under it).
pub const UPLOAD_MAX_BYTES: usize = 256 * 1024 * 1024;

/// The backup folder: the setting, else `backups/` beside the database file. A network
/// folder while network paths are not allowed (a value from before they were, or edited
/// into the file) is refused rather than written to.
pub fn folder(desk: &Desk) -> Result<PathBuf> {
    let s = settings::load(desk.conn())?;
    let configured = s.backup_folder.trim();
    if crate::platform::files::is_network_path(configured) && !s.allow_network_paths {
        return Err(Error::invalid(
            "backup_folder",
            settings::network_refusal("备份文件夹", configured),
        ));
    }
    if !configured.is_empty() {
        return Ok(PathBuf::from(configured));
    }
    Ok(data_dir(desk).join("backups"))
}

/// Backs the live database up into `dir` (created when missing), on demand. Never rotated.
pub fn backup_to(desk: &Desk, dir: &Path) -> Result<BackupFile> {
    write(desk, dir, Kind::Manual, "dir")
}

/// An automatic backup into the backup folder, then the rotation. `Daily` makes nothing
/// (`None`) when an automatic backup of today is already there.
pub fn automatic(desk: &Desk, why: Automatic) -> Result<Option<BackupFile>> {
    let dir = folder(desk)?;
    let kind = match why {
        Automatic::Close => Kind::Close,
        Automatic::Daily => {
            let today = desk.today().format("%Y%m%d").to_string();
            let done = files_in(&dir, extension(desk))?
                .iter()
                .any(|f| f.kind.automatic() && f.name[PREFIX.len()..].starts_with(&today));
            if done {
                return Ok(None);
            }
            Kind::Daily
        }
    };
    let made = write(desk, &dir, kind, "backup_folder")?;
    rotate(
        &dir,
        extension(desk),
        settings::load(desk.conn())?.backup_keep as usize,
    );
    Ok(Some(made))
}

/// Deletes the automatic backups beyond the newest `keep`. Best effort: a file that cannot
/// be deleted (open in another program) stays and is tried again next time.
fn rotate(dir: &Path, extension: &str, keep: usize) {
    let Ok(files) = files_in(dir, extension) else {
        return;
    };
    for old in files
        .iter()
        .filter(|f| f.kind.automatic())
        .skip(keep.max(1))
    {
        let _ = std::fs::remove_file(&old.file);
    }
}

/// The backups in the backup folder, newest first.
pub fn list(desk: &Desk) -> Result<Listing> {
    let dir = folder(desk)?;
    Ok(Listing {
        folder: dir.display().to_string(),
        keep: settings::load(desk.conn())?.backup_keep,
        items: files_in(&dir, extension(desk))?,
    })
}

/// Backup files in `dir` (named as we name them, ending in `extension`), newest first. A
/// missing folder has none.
fn files_in(dir: &Path, extension: &str) -> Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(extension) {
            continue;
        }
        let Some((at, kind)) = parse_name(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        out.push(BackupFile {
            file: entry.path().display().to_string(),
            name,
            size: meta.len(),
            at,
            kind,
        });
    }
    // Names start with the local time, so name order is time order.
    out.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(out)
}

/// `desk-20261123-100000[-reason][-n].db` (or `.dump`) → (UTC time, kind).
fn parse_name(name: &str) -> Option<(String, Kind)> {
    let name = name.strip_prefix(PREFIX)?;
    let stem = name
        .strip_suffix(EXTENSION)
        .or_else(|| name.strip_suffix(DUMP_EXTENSION))?;
    let stamp = stem.get(..15)?;
    let local = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()?;
    let rest = &stem[15..];
    if !(rest.is_empty() || rest.starts_with('-')) {
        return None;
    }
    let mut reason = rest.trim_start_matches('-');
    // A second backup in the same second carries `-2`, `-3`, …
    if let Some((r, n)) = reason.rsplit_once('-').or(Some(("", reason))) {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            reason = r;
        }
    }
    let at = crate::platform::time::local(local.date(), local.time()).with_timezone(&chrono::Utc);
    let at = crate::platform::time::stamp(at).into();
    Some((at, Kind::from_suffix(reason)))
}

/// Writes one backup of `desk` into `dir`; `field` names the setting or argument the
/// folder came from, for the error message.
fn write(desk: &Desk, dir: &Path, kind: Kind, field: &'static str) -> Result<BackupFile> {
    crate::platform::files::private_dir(dir)
        .map_err(|e| Error::invalid(field, format!("无法使用备份文件夹 {}：{e}", dir.display())))?;
    let stamp = desk
        .now()
        .with_timezone(&crate::platform::time::zone())
        .format("%Y%m%d-%H%M%S")
        .to_string();
    let base = match kind.suffix() {
        "" => format!("{PREFIX}{stamp}"),
        s => format!("{PREFIX}{stamp}-{s}"),
    };
    let extension = extension(desk);
    let mut name = format!("{base}{extension}");
    let mut n = 1;
    while dir.join(&name).exists() {
        n += 1;
        name = format!("{base}-{n}{extension}");
    }
    let target = dir.join(&name);
    let part = dir.join(format!(".{name}.part"));
    let copied = match desk.engine() {
        Engine::Sqlite => {
            // The safety copy before a restore takes what files there are: it must not
            // stop the restore that may bring a lost one back.
            let lenient = kind == Kind::BeforeRestore;
            copy_live(desk.sqlite_file()?, &part, &data_dir(desk), lenient)
        }
        Engine::Postgres => dump_live(desk, &part),
    };
    let result =
        copied.and_then(|()| std::fs::rename(&part, &target).map_err(|e| Error::io(&target, e)));
    if let Err(e) = result {
        remove_with_companions(&part);
        return Err(e);
    }
    let size = std::fs::metadata(&target)
        .map_err(|e| Error::io(&target, e))?
        .len();
    let (at, _) = parse_name(&name).expect("we name backups so that they parse");
    Ok(BackupFile {
        file: target.display().to_string(),
        name,
        size,
        at,
        kind,
    })
}

/// The online backup of `live` into a new file at `path`, with the stored files of the
/// data folder `data` inside it (platform/stored.rs; `lenient`: see `stored::embed`),
/// checked and on disk.
fn copy_live(live: &Connection, path: &Path, data: &Path, lenient: bool) -> Result<()> {
    remove_with_companions(path);
    // Created owner-only before SQLite opens it (and so its journal too).
    crate::platform::files::private_file(path).map_err(|e| Error::io(path, e))?;
    let mut copy = Connection::open(path).map_err(|e| storage(path, e))?;
    run_backup(live, &mut copy).map_err(|e| storage(path, e))?;
    crate::platform::stored::embed(&copy, data, lenient)?;
    // One self-contained file: no -wal/-shm beside it once closed.
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| storage(path, e))?;
    integrity(&copy).map_err(|problem| {
        Error::Storage(format!(
            "备份副本未通过完整性检查（{problem}），备份未完成（{}）",
            path.display()
        ))
    })?;
    copy.close().map_err(|(_, e)| storage(path, e))?;
    // Opened for writing: on Windows, FlushFileBuffers (what sync_all calls) refuses a
    // handle without GENERIC_WRITE with "Access denied" (Microsoft's documentation of
    // FlushFileBuffers), which failed every backup there (found under Wine, issue 18).
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Copies every page of `from` into `to` in one step (one read transaction on `from`, one
/// write transaction on `to`), waiting while another connection holds a lock.
fn run_backup(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
    let backup = Backup::new(from, to)?;
    let mut waits = 0;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ => {
                waits += 1;
                if waits > 100 {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some("数据文件被其他程序占用".into()),
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// `PRAGMA integrity_check`: Ok when it says "ok", else its first findings.
fn integrity(conn: &Connection) -> std::result::Result<(), String> {
    let findings: Vec<String> = conn
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| e.to_string())?;
    if findings.len() == 1 && findings[0] == "ok" {
        Ok(())
    } else {
        Err(findings.join("；"))
    }
}

fn storage(path: &Path, e: rusqlite::Error) -> Error {
    Error::Storage(format!("{e}（{}）", path.display()))
}

fn remove_with_companions(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Replaces the desk's data with the backup in `file` (see the module comment for the
/// checks and the order of the steps). On any error the current data is untouched.
pub fn restore(desk: &mut Desk, file: &Path) -> Result<Restored> {
    restore_shown(desk, file, &file.display().to_string())
}

/// [`restore`], the file called `shown` in messages and the audit trail (an upload's own
/// name, not the temporary file it was written to).
fn restore_shown(desk: &mut Desk, file: &Path, shown: &str) -> Result<Restored> {
    let bad = |why: String| Error::invalid("file", why);
    let mut head = [0u8; 16];
    // Asked before opening: Windows refuses to open a folder as a file ("Access denied"),
    // which said nothing about the mistake (found under Wine, issue 18).
    if std::fs::metadata(file).is_ok_and(|m| m.is_dir()) {
        return Err(bad(format!("{shown} 是文件夹，请选择一个备份文件")));
    }
    let mut opened = std::fs::File::open(file).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            bad(format!("找不到备份文件 {shown}"))
        } else {
            bad(format!("无法读取备份文件 {shown}：{e}"))
        }
    })?;
    let read = opened.read_exact(&mut head).is_ok();
    if desk.engine() == Engine::Postgres {
        drop(opened);
        if !read || !head.starts_with(DUMP_MAGIC) {
            return Err(bad(format!(
                "{shown} 不是售后服务台的备份文件（不是 PostgreSQL 的 pg_dump 备份），未做任何改动"
            )));
        }
        return restore_dump(desk, file, shown);
    }
    if !read || &head != SQLITE_MAGIC {
        return Err(bad(format!(
            "{shown} 不是售后服务台的备份文件（不是 SQLite 数据文件），未做任何改动"
        )));
    }
    drop(opened);

    // A private copy beside the live file: what we check is what we restore. Its name is
    // unique by process and a counter (not by time: the desk's clock may stand still);
    // what a crashed process of the same id may have left there is cleared first.
    static RESTORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RESTORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = desk
        .path()
        .with_file_name(format!(".restore-{}-{n}.db", std::process::id()));
    remove_with_companions(&work);
    let result = restore_from_copy(desk, file, shown, &work);
    remove_with_companions(&work);
    result
}

/// Copies `file` into the new owner-only file `work` (`std::fs::copy` would give the copy
/// the permissions of the original).
fn private_copy_of(file: &Path, work: &Path) -> std::io::Result<()> {
    let mut from = std::fs::File::open(file)?;
    let mut to = crate::platform::files::private_file(work)?;
    std::io::copy(&mut from, &mut to)?;
    to.sync_all()
}

fn restore_from_copy(desk: &mut Desk, file: &Path, shown: &str, work: &Path) -> Result<Restored> {
    let bad = |why: String| Error::invalid("file", why);
    private_copy_of(file, work).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            bad(format!("找不到备份文件 {shown}"))
        } else {
            bad(format!("无法读取备份文件 {shown}：{e}"))
        }
    })?;
    let ours = crate::platform::db::MIGRATIONS.len() as i64;
    {
        let copy = Connection::open(work).map_err(|e| storage(work, e))?;
        let damaged = |detail: String| {
            bad(format!(
                "备份文件 {shown} 已损坏，不能恢复（{detail}），未做任何改动"
            ))
        };
        let version: i64 = copy
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| damaged(e.to_string()))?;
        if version > ours {
            return Err(bad(format!(
                "这个备份来自更新版本的售后服务台（数据版本 {version}，本程序只认到 {ours}），请先升级程序再恢复，未做任何改动"
            )));
        }
        integrity(&copy).map_err(damaged)?;
        // Every stored file (the orders' photos) is in the backup, as it was.
        crate::platform::stored::check_embedded(&copy).map_err(damaged)?;
        let tables: i64 = copy
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('customer', 'customer_phone')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| damaged(e.to_string()))?;
        if version < 1 || tables < 2 {
            return Err(bad(format!(
                "{shown} 不是售后服务台的备份文件（没有客户档案等数据表），未做任何改动"
            )));
        }
    }
    // Bring the copy's schema up to date before it replaces anything: a migration that
    // fails here fails on the copy.
    let source = crate::platform::db::open(work).map_err(|e| match e {
        Error::Storage(m) => bad(format!("备份文件 {shown} 无法升级到本程序的数据版本：{m}")),
        other => other,
    })?;
    let safety = write(desk, &folder(desk)?, Kind::BeforeRestore, "backup_folder")?;
    // The backup's files back into the data folder, then the copy holds rows only.
    crate::platform::stored::unpack(&source, &data_dir(desk))?;
    run_backup(&source, desk.sqlite_file_mut()?)
        .map_err(|e| Error::Storage(format!("恢复失败，当前数据未改动：{e}")))?;
    drop(source);
    // The restored file already has our schema; this also re-reads it on this connection.
    crate::platform::db::migrate(desk.sqlite_file_mut()?, crate::platform::db::MIGRATIONS)?;
    finish_restore(desk, shown, safety)
}

/// After either engine's restore: the audit entry, and everyone logs in again.
fn finish_restore(desk: &mut Desk, shown: &str, safety: BackupFile) -> Result<Restored> {
    let name = Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string());
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(
        &tx,
        &at,
        "restore",
        "backup",
        0,
        &format!(
            "从备份 {shown} 恢复数据；恢复前的数据已备份为 {}",
            safety.file
        ),
    )?;
    // The accounts are now those of the backup: a session may name someone else now, so
    // everyone logs in again.
    crate::people::users::forget_all_logins(&tx)?;
    tx.commit()?;
    Ok(Restored {
        restored_from: name,
        safety,
    })
}

// ---- PostgreSQL: pg_dump and pg_restore ------------------------------------------------

/// The server's tool `name` (`pg_dump`, `pg_restore`): on the PATH, else in PostgreSQL's
/// usual folders (Debian's `/usr/lib/postgresql/<version>/bin`, the Windows installer's
/// `C:\Program Files\PostgreSQL\<version>\bin`), the newest version first.
fn pg_tool(name: &str) -> Result<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(found) = on_path.iter().map(|d| d.join(&file)).find(|f| f.is_file()) {
        return Ok(found);
    }
    for base in ["/usr/lib/postgresql", "C:\\Program Files\\PostgreSQL"] {
        let Ok(entries) = std::fs::read_dir(base) else {
            continue;
        };
        let mut versions: Vec<(u32, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let version = e.file_name().to_string_lossy().parse::<f64>().ok()?;
                let tool = e.path().join("bin").join(&file);
                tool.is_file().then_some(((version * 100.0) as u32, tool))
            })
            .collect();
        versions.sort();
        if let Some((_, tool)) = versions.pop() {
            return Ok(tool);
        }
    }
    Err(Error::Storage(format!(
        "找不到 PostgreSQL 的 {name} 程序（PATH 里和 PostgreSQL 的安装文件夹里都没有）：请在这台电脑上安装 PostgreSQL 客户端工具（与数据库服务器同一大版本或更新），或把它所在的文件夹加入 PATH"
    )))
}

/// An owner-only password file for one run of a tool, deleted when dropped.
struct PassFile(Option<PathBuf>);

impl Drop for PassFile {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A command running `tool` against the desk's database: where it is through libpq's
/// environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE, and PGSSLMODE,
/// PGSSLROOTCERT for the same TLS as the desk's), the password in an
/// owner-only password file named by PGPASSFILE (PostgreSQL's documentation advises
/// against PGPASSWORD, which some systems show to other users). The file lives as long
/// as the returned guard.
fn pg_command(desk: &Desk, tool: &Path) -> Result<(std::process::Command, PassFile)> {
    let pg = desk
        .conn()
        .pg()
        .ok_or_else(|| Error::Storage("不是 PostgreSQL 数据库".into()))?;
    let config = pg.config();
    let mut cmd = std::process::Command::new(tool);
    // Whatever the caller's environment says, the tool goes where this desk goes.
    for var in [
        "PGPASSWORD",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGHOSTADDR",
        "PGOPTIONS",
        "PGPASSFILE",
        "PGSSLROOTCERT",
    ] {
        cmd.env_remove(var);
    }
    match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => {
            cmd.env("PGHOST", host);
        }
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(dir)) => {
            cmd.env("PGHOST", dir);
        }
        None => {}
    }
    if let Some(port) = config.get_ports().first() {
        cmd.env("PGPORT", port.to_string());
    }
    if let Some(user) = config.get_user() {
        cmd.env("PGUSER", user);
    }
    if let Some(db) = database(config) {
        cmd.env("PGDATABASE", db);
    }
    cmd.env("PGAPPNAME", "aftersales-backup");
    cmd.env("PGCONNECT_TIMEOUT", "10");
    // The same TLS as the desk's own connection (sslmode, sslrootcert of its URL).
    cmd.envs(pg.libpq_tls_env());
    let mut guard = PassFile(None);
    if let Some(password) = config.get_password() {
        let password = String::from_utf8_lossy(password);
        // One line matching any host, port, database and user; `\` and `:` escaped
        // (PostgreSQL's documentation of the password file).
        let line = format!(
            "*:*:*:*:{}\n",
            password.replace('\\', "\\\\").replace(':', "\\:")
        );
        let file =
            crate::platform::files::private_copy(&data_dir(desk), ".pgpass-", "", line.as_bytes())?;
        cmd.env("PGPASSFILE", &file);
        guard.0 = Some(file);
    }
    cmd.stdin(std::process::Stdio::null());
    Ok((cmd, guard))
}

/// The database a URL names; without one, the user's name (the rule of the client and of
/// libpq alike).
fn database(config: &postgres::Config) -> Option<&str> {
    config.get_dbname().or(config.get_user())
}

/// Runs a prepared tool command; its stderr is the reason when it fails.
fn run_tool(mut cmd: std::process::Command, what: &str) -> Result<std::process::Output> {
    let out = cmd
        .output()
        .map_err(|e| Error::Storage(format!("无法运行 {what}：{e}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(Error::Storage(format!(
            "{what} 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// `pg_dump -Fc` of the desk's database into the new owner-only file `path`, then read
/// back whole (see [`read_dump`]) and flushed to disk.
fn dump_live(desk: &Desk, path: &Path) -> Result<()> {
    let tool = pg_tool("pg_dump")?;
    remove_with_companions(path);
    // Created owner-only first: pg_dump then writes into it and keeps its permissions.
    drop(crate::platform::files::private_file(path).map_err(|e| Error::io(path, e))?);
    let (mut cmd, _pass) = pg_command(desk, &tool)?;
    cmd.arg("--format=custom").arg("--file").arg(path);
    run_tool(cmd, "pg_dump").map_err(|e| match e {
        Error::Storage(m) => Error::Storage(format!("备份未完成：{m}")),
        other => other,
    })?;
    read_dump(path).map_err(|problem| {
        Error::Storage(format!(
            "备份副本读不回来（{problem}），备份未完成（{}）",
            path.display()
        ))
    })?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// What a pg_dump archive holds, as far as restore asks.
#[derive(Debug)]
struct DumpContents {
    /// The tables in its table of contents.
    tables: Vec<String>,
    /// The row of `aftersales_version`, when the archive has it.
    version: Option<i64>,
}

/// Reads the archive at `path` through: `pg_restore --list` (its table of contents),
/// then every block of it into a script that is read and dropped, keeping only the
/// schema version. A damaged or truncated archive fails one or the other.
fn read_dump(path: &Path) -> std::result::Result<DumpContents, String> {
    use std::io::BufRead as _;
    let tool = pg_tool("pg_restore").map_err(|e| e.to_string())?;
    let list = std::process::Command::new(&tool)
        .arg("--list")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("无法运行 pg_restore：{e}"))?;
    if !list.status.success() {
        return Err(String::from_utf8_lossy(&list.stderr).trim().to_string());
    }
    // Lines as `215; 1259 16390 TABLE public customer postgres`.
    let tables = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| !l.starts_with(';'))
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip_while(|w| *w != "TABLE");
            words.next()?;
            let _schema = words.next()?;
            words.next().map(str::to_string)
        })
        .collect();
    let mut child = std::process::Command::new(&tool)
        .arg("--file=-")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("无法运行 pg_restore：{e}"))?;
    let mut version = None;
    let mut in_version = false;
    // The stored files' rows (the orders' photos): each checked against its hash.
    let mut in_files = false;
    let mut files_problem = None;
    let mut line = Vec::new();
    if let Some(out) = child.stdout.take() {
        let mut out = std::io::BufReader::new(out);
        loop {
            line.clear();
            match out.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if in_files {
                if line == b"\\.\n" {
                    in_files = false;
                } else if files_problem.is_none() {
                    files_problem = crate::platform::stored::check_dump_row(&line).err();
                }
            } else if line.starts_with(b"COPY public.stored_file ") {
                in_files = true;
            } else if in_version {
                if version.is_none() {
                    version = std::str::from_utf8(&line)
                        .ok()
                        .and_then(|l| l.trim().parse::<i64>().ok());
                }
                in_version = false;
            } else if line.starts_with(b"COPY ")
                && line
                    .windows(b"aftersales_version ".len())
                    .any(|w| w == b"aftersales_version ")
            {
                in_version = true;
            }
        }
    }
    let done = child
        .wait_with_output()
        .map_err(|e| format!("pg_restore：{e}"))?;
    if !done.status.success() {
        return Err(String::from_utf8_lossy(&done.stderr).trim().to_string());
    }
    if let Some(problem) = files_problem {
        return Err(problem);
    }
    Ok(DumpContents { tables, version })
}

/// Restores the pg_dump archive `file` into the desk's database, after the checks (see the
/// module comment); on any refusal nothing is changed.
fn restore_dump(desk: &mut Desk, file: &Path, shown: &str) -> Result<Restored> {
    let bad = |why: String| Error::invalid("file", why);
    static RESTORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RESTORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = data_dir(desk).join(format!(".restore-{}-{n}.dump", std::process::id()));
    let _ = std::fs::remove_file(&work);
    let result = (|| {
        private_copy_of(file, &work).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                bad(format!("找不到备份文件 {shown}"))
            } else {
                bad(format!("无法读取备份文件 {shown}：{e}"))
            }
        })?;
        // Found before the checks: a missing tool is said as such, not as a damaged file.
        let tool = pg_tool("pg_restore")?;
        let contents = read_dump(&work).map_err(|detail| {
            bad(format!(
                "备份文件 {shown} 已损坏，不能恢复（{detail}），未做任何改动"
            ))
        })?;
        let ours_tables = ["customer", "customer_phone", "aftersales_version"]
            .iter()
            .all(|t| contents.tables.iter().any(|have| have == t));
        let Some(version) = contents.version.filter(|_| ours_tables) else {
            return Err(bad(format!(
                "{shown} 不是售后服务台的备份文件（没有客户档案等数据表），未做任何改动"
            )));
        };
        let ours = crate::platform::db::PG_MIGRATIONS.len() as i64;
        if version > ours {
            return Err(bad(format!(
                "这个备份来自更新版本的售后服务台（数据版本 {version}，本程序只认到 {ours}），请先升级程序再恢复，未做任何改动"
            )));
        }
        let safety = write(desk, &folder(desk)?, Kind::BeforeRestore, "backup_folder")?;
        let (mut cmd, _pass) = pg_command(desk, &tool)?;
        // One transaction: every object dropped and made again with its rows, or nothing.
        cmd.args([
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
        ]);
        if let Some(db) = desk.conn().pg().and_then(|p| database(p.config())) {
            cmd.arg(format!("--dbname={db}"));
        }
        cmd.arg(&work);
        run_tool(cmd, "pg_restore")
            .map_err(|e| Error::Storage(format!("恢复失败，当前数据未改动：{e}")))?;
        // An older backup's schema is brought up to ours (PostgreSQL's DDL is
        // transactional: a migration that fails leaves the restored data as restored).
        crate::platform::db::migrate_postgres(desk.conn(), crate::platform::db::PG_MIGRATIONS)?;
        Ok(safety)
    })();
    let _ = std::fs::remove_file(&work);
    let safety = result?;
    finish_restore(desk, shown, safety)
}

// ---- commands ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ListArgs {}

/// `backup.list`: the backup folder and its backups, newest first.
pub fn list_command(desk: &mut Desk, _: ListArgs) -> Result<Listing> {
    list(desk)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NowArgs {
    /// A folder (full path) for this backup, the administrator's only; empty: the backup
    /// folder.
    pub dir: Option<String>,
}

/// `backup.now`: a backup on demand, to the backup folder or (the administrator) the
/// folder given; recorded in the audit trail.
pub fn now(desk: &mut Desk, a: NowArgs) -> Result<BackupFile> {
    let dir = a.dir.as_deref().map(str::trim).unwrap_or("");
    let made = if dir.is_empty() {
        write(desk, &folder(desk)?, Kind::Manual, "dir")?
    } else {
        if !desk.actor().holds_any(&[crate::Role::Admin]) {
            return Err(Error::Forbidden(
                "没有权限：只有管理员可以备份到其他文件夹（“备份到文件夹”），请留空备份到备份文件夹"
                    .into(),
            ));
        }
        let text = crate::platform::text::field("dir", "备份到文件夹", dir, 260, false)?;
        if !Path::new(&text).is_absolute() {
            return Err(Error::invalid(
                "dir",
                format!("备份文件夹应写完整路径（例如 D:\\售后备份），“{text}”不是"),
            ));
        }
        if crate::platform::files::is_network_path(&text)
            && !settings::load(desk.conn())?.allow_network_paths
        {
            return Err(Error::invalid(
                "dir",
                settings::network_refusal("备份到文件夹", &text),
            ));
        }
        backup_to(desk, Path::new(&text))?
    };
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(
        &tx,
        &at,
        "backup",
        "backup",
        0,
        &format!(
            "立即备份到 {}（{} KB）",
            made.file,
            made.size.div_ceil(1024)
        ),
    )?;
    tx.commit()?;
    Ok(made)
}

/// What `backup.restore` takes: one of a backup in the backup folder by its name, a file
/// uploaded with the request, or (the file's owner on the command line only) a path.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RestoreArgs {
    /// A backup of the backup folder, by its file name (`desk-20261123-180000.db`).
    pub name: Option<String>,
    /// An uploaded backup: its own name (for messages) and its bytes in base64.
    pub file_name: Option<String>,
    pub content_base64: Option<String>,
    /// A full path: only for the file's owner acting in-process (`aftersales restore
    /// FILE`), who can open the file anyway; refused to every logged-in user.
    pub file: Option<String>,
}

/// `backup.restore`: replaces the data with a backup, after the checks and a safety backup.
pub fn restore_command(desk: &mut Desk, a: RestoreArgs) -> Result<Restored> {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let upload = a.content_base64.as_deref().filter(|c| !c.is_empty());
    if [name.is_some(), upload.is_some(), given(&a.file)]
        .iter()
        .filter(|g| **g)
        .count()
        > 1
    {
        return Err(Error::invalid(
            "file",
            "请只选择一个备份：备份文件夹里的一份，或上传一个备份文件",
        ));
    }
    if let Some(name) = name {
        return restore_by_name(desk, name);
    }
    if let Some(content) = upload {
        return restore_upload(desk, a.file_name.as_deref().unwrap_or(""), content);
    }
    let file = a.file.as_deref().map(str::trim).unwrap_or("");
    if file.is_empty() {
        return Err(Error::invalid("file", "请选择要恢复的备份文件"));
    }
    // Logged-in users (whatever door) have an id; the owner acting in-process has none.
    if desk.actor().id.is_some() {
        return Err(Error::invalid(
            "file",
            "只能从备份文件夹里的备份恢复，或上传一个备份文件；不能按路径打开文件",
        ));
    }
    if !Path::new(file).is_absolute() {
        return Err(Error::invalid(
            "file",
            format!("备份文件应写完整路径，“{file}”不是"),
        ));
    }
    restore(desk, Path::new(file))
}

/// A backup of the backup folder, by a name as we name backups (no folder in it).
fn restore_by_name(desk: &mut Desk, name: &str) -> Result<Restored> {
    if parse_name(name).is_none() || name.contains(['/', '\\']) {
        return Err(Error::invalid(
            "name",
            format!(
                "请从备份列表里选择一份备份（文件名形如 desk-20261123-180000{}）",
                extension(desk)
            ),
        ));
    }
    let dir = folder(desk)?;
    let file = dir.join(name);
    if !files_in(&dir, extension(desk))?
        .iter()
        .any(|f| f.name == name)
    {
        return Err(Error::invalid(
            "name",
            format!("备份文件夹里没有“{name}”，请刷新备份列表后重新选择"),
        ));
    }
    restore_shown(desk, &file, name)
}

/// An uploaded backup: written owner-only under an unguessable name into the data folder,
/// restored with every check, then deleted.
fn restore_upload(desk: &mut Desk, file_name: &str, content: &str) -> Result<Restored> {
    use base64::Engine as _;
    let shown = crate::platform::text::field("file_name", "备份文件名", file_name, 200, false)?;
    // Only the name, whichever OS's separators the path a browser sent was written with.
    let shown = shown
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("上传的备份文件")
        .to_string();
    let too_big = |bytes: usize| {
        Error::invalid(
            "file",
            format!(
                "上传的备份文件太大（{} MB），最多 {} MB",
                bytes.div_ceil(1024 * 1024),
                UPLOAD_MAX_BYTES / (1024 * 1024)
            ),
        )
    };
    // Refused before decoding when the text alone is already too long.
    if content.len() / 4 * 3 > UPLOAD_MAX_BYTES + 3 {
        return Err(too_big(content.len() / 4 * 3));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim().as_bytes())
        .map_err(|_| Error::invalid("file", "上传的备份文件内容不是有效的 base64"))?;
    if bytes.len() > UPLOAD_MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    let upload =
        crate::platform::files::private_copy(&data_dir(desk), ".upload-", extension(desk), &bytes)?;
    drop(bytes);
    let result = restore_shown(desk, &upload, &shown);
    remove_with_companions(&upload);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_to_their_time_and_kind() {
        assert_eq!(
            parse_name("desk-20261123-100000.db"),
            Some(("2026-11-23T02:00:00Z".into(), Kind::Manual))
        );
        assert_eq!(
            parse_name("desk-20261123-100000-daily-3.db"),
            Some(("2026-11-23T02:00:00Z".into(), Kind::Daily))
        );
        assert_eq!(
            parse_name("desk-20261123-100000-before-restore.db").map(|p| p.1),
            Some(Kind::BeforeRestore)
        );
        assert_eq!(
            parse_name("desk-20261123-100000-2.db").map(|p| p.1),
            Some(Kind::Manual)
        );
        assert_eq!(
            parse_name("desk-20261123-100000-close.dump"),
            Some(("2026-11-23T02:00:00Z".into(), Kind::Close))
        );
        for other in [
            "desk.db",
            "desk-2026.db",
            ".desk-20261123-100000.db.part",
            "desk-20261323-100000.db",
            "desk-20261123-100000x.db",
            "desk-20261123-100000.dump.part",
            "desk-20261123-100000.sql",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }
}
