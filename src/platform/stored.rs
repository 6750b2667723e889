//! Stored files: bytes kept by the desk under the SHA-256 of their content (issue 20, the
//! photos taken at intake), so a name chosen by whoever sent the file never becomes a path
//! and the same file sent twice is kept once.
//!
//! Every stored file has its row in `stored_file (sha256, size, content)`. On SQLite the
//! bytes live beside the database, in the data folder's `files/` (owner-only, `0700`),
//! one owner-only file (`0600`) named by the 64 hex digits of its hash; the row's
//! `content` is NULL. On PostgreSQL the bytes are in the row (`content`, bytea), so the
//! server's backups (pg_dump) carry them with everything else.
//!
//! A file is written before the row that names it commits: under a temporary unguessable
//! name, flushed, then renamed to its hash, so no half-written file ever carries a hash
//! as its name. Reading checks the hash again: a file altered on the disk is refused, not
//! handed out.
//!
//! Backups (people/backup.rs): a SQLite backup is one file; [`embed`] fills the backup
//! copy's `content` from the folder, [`check_embedded`] checks each row of a backup before
//! a restore (missing or altered bytes are named), [`unpack`] writes them back into the
//! folder and empties `content` again.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::platform::db::{Db, Engine, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::files;

/// The folder of a SQLite desk's stored files inside its data folder.
pub const FOLDER: &str = "files";

/// The 64 lowercase hex digits of the SHA-256 of `bytes`.
pub fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `text` is a hash as [`hash`] writes it (so it can name a file and nothing else).
fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where the file of `sha256` lives in the data folder `data`.
fn path_of(data: &Path, sha256: &str) -> Result<PathBuf> {
    if !is_hash(sha256) {
        return Err(Error::Storage(format!("存储文件的名称无效：{sha256}")));
    }
    Ok(data.join(FOLDER).join(sha256))
}

/// Keeps `bytes` (inside the caller's write transaction `tx`): the row, and on SQLite the
/// file in `data/files/`. Returns the hash. Keeping bytes already kept changes nothing.
pub fn put(tx: &Db, data: &Path, bytes: &[u8]) -> Result<String> {
    let sha = hash(bytes);
    let known = tx
        .prepare_cached("SELECT 1 FROM stored_file WHERE sha256 = ?1")?
        .exists([&sha])?;
    match tx.engine() {
        Engine::Sqlite => {
            // Written (again) even when the row exists: a file lost from the folder comes
            // back when the same bytes are sent again.
            write_file(data, &sha, bytes)?;
            if !known {
                tx.prepare_cached(
                    "INSERT INTO stored_file (sha256, size, content) VALUES (?1, ?2, NULL)",
                )?
                .execute(rusqlite::params![sha, bytes.len() as i64])?;
            }
        }
        Engine::Postgres => {
            if !known {
                tx.prepare_cached(
                    "INSERT INTO stored_file (sha256, size, content) VALUES (?1, ?2, ?3)",
                )?
                .execute(rusqlite::params![sha, bytes.len() as i64, bytes])?;
            }
        }
    }
    Ok(sha)
}

/// Writes `bytes` as the file of `sha` in `data/files/` unless an intact one is there: to a
/// temporary owner-only file first, flushed, then renamed to its hash.
fn write_file(data: &Path, sha: &str, bytes: &[u8]) -> Result<()> {
    let target = path_of(data, sha)?;
    if std::fs::read(&target).is_ok_and(|have| hash(&have) == sha) {
        return Ok(());
    }
    let part = files::private_copy(&data.join(FOLDER), ".part-", "", bytes)?;
    std::fs::rename(&part, &target).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::io(&target, e)
    })
}

/// The bytes kept as `sha256`, checked against their hash. A file missing from the folder
/// or altered there is an error naming it.
pub fn get(conn: &Db, data: &Path, sha256: &str) -> Result<Vec<u8>> {
    let bytes = match conn.engine() {
        Engine::Sqlite => {
            let path = path_of(data, sha256)?;
            std::fs::read(&path).map_err(|e| {
                Error::Storage(format!("存储的文件不见了（{}）：{e}", path.display()))
            })?
        }
        Engine::Postgres => conn
            .prepare_cached("SELECT content FROM stored_file WHERE sha256 = ?1")?
            .query_row([sha256], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()?
            .flatten()
            .ok_or_else(|| Error::Storage(format!("存储的文件不见了（{sha256}）")))?,
    };
    if hash(&bytes) != sha256 {
        return Err(Error::Storage(format!(
            "存储的文件已被改动，与登记时不同（{sha256}）"
        )));
    }
    Ok(bytes)
}

/// On a PostgreSQL desk `tx` just filled from a SQLite desk's file (`aftersales
/// migrate-from`): the bytes of every row still without them, read from the SQLite desk's
/// data folder `data` and checked against their hash. A missing or altered file fails the
/// migration naming it.
pub fn fill_from_folder(tx: &Db, data: &Path) -> Result<()> {
    let hashes: Vec<String> = tx
        .prepare("SELECT sha256 FROM stored_file WHERE content IS NULL ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for sha in hashes {
        let path = path_of(data, &sha)?;
        let bytes = std::fs::read(&path)
            .ok()
            .filter(|b| hash(b) == sha)
            .ok_or_else(|| {
                Error::Storage(format!(
                    "附件文件 {} 缺失或已被改动，迁移已全部撤销",
                    path.display()
                ))
            })?;
        tx.prepare_cached("UPDATE stored_file SET content = ?2 WHERE sha256 = ?1")?
            .execute(rusqlite::params![sha, bytes])?;
    }
    Ok(())
}

/// Fills `content` of every row of the SQLite backup copy `copy` from the live desk's
/// folder `data/files/`, each file checked against its hash. A file missing or altered
/// fails the backup naming it (a backup must not claim what it does not hold), unless
/// `lenient` (the safety copy taken before a restore, which must not stop the restore that
/// may bring such a file back): the row is then left without content, and a restore of
/// that copy refuses it.
pub fn embed(copy: &rusqlite::Connection, data: &Path, lenient: bool) -> Result<()> {
    let db_err = |e: rusqlite::Error| Error::Storage(e.to_string());
    if !has_table(copy).map_err(db_err)? {
        return Ok(());
    }
    let hashes: Vec<String> = copy
        .prepare("SELECT sha256 FROM stored_file ORDER BY sha256")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db_err)?;
    for sha in hashes {
        let bytes = path_of(data, &sha).and_then(|p| {
            std::fs::read(&p).map_err(|e| Error::Storage(format!("{}：{e}", p.display())))
        });
        let bytes = match bytes {
            Ok(b) if hash(&b) == sha => b,
            Ok(_) if lenient => continue,
            Err(_) if lenient => continue,
            Ok(_) => {
                return Err(Error::Storage(format!(
                    "数据文件夹里的附件文件 {sha} 已被改动，与登记时不同，备份未完成"
                )))
            }
            Err(e) => {
                return Err(Error::Storage(format!(
                    "数据文件夹里缺少附件文件 {sha}（{e}），备份未完成"
                )))
            }
        };
        copy.execute(
            "UPDATE stored_file SET content = ?2 WHERE sha256 = ?1",
            rusqlite::params![sha, bytes],
        )
        .map_err(db_err)?;
    }
    Ok(())
}

fn has_table(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'stored_file'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Checks every row of a SQLite backup `copy` before it is restored: its content is there
/// and has its hash and size. The first problem, in words, else Ok.
pub fn check_embedded(copy: &rusqlite::Connection) -> std::result::Result<(), String> {
    if !has_table(copy).map_err(|e| e.to_string())? {
        return Ok(());
    }
    let mut stmt = copy
        .prepare("SELECT sha256, size, content FROM stored_file ORDER BY sha256")
        .map_err(|e| e.to_string())?;
    let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        let sha: String = row.get(0).map_err(|e| e.to_string())?;
        let size: i64 = row.get(1).map_err(|e| e.to_string())?;
        let content: Option<Vec<u8>> = row.get(2).map_err(|e| e.to_string())?;
        let Some(content) = content else {
            return Err(format!("缺少附件文件 {sha}"));
        };
        if hash(&content) != sha || content.len() as i64 != size {
            return Err(format!("附件文件 {sha} 已被改动"));
        }
    }
    Ok(())
}

/// Writes every file of a checked SQLite backup `copy` into `data/files/` (what is there
/// intact stays), then empties `content` in the copy and gives the space back, so the
/// restored database holds rows only, as a live one does.
pub fn unpack(copy: &rusqlite::Connection, data: &Path) -> Result<()> {
    let db_err = |e: rusqlite::Error| Error::Storage(e.to_string());
    if !has_table(copy).map_err(db_err)? {
        return Ok(());
    }
    let hashes: Vec<String> = copy
        .prepare("SELECT sha256 FROM stored_file ORDER BY sha256")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db_err)?;
    for sha in &hashes {
        let content: Vec<u8> = copy
            .query_row(
                "SELECT content FROM stored_file WHERE sha256 = ?1",
                [sha],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        write_file(data, sha, &content)?;
    }
    if !hashes.is_empty() {
        copy.execute_batch("UPDATE stored_file SET content = NULL; VACUUM;")
            .map_err(db_err)?;
    }
    Ok(())
}

/// Checks the rows of `stored_file` as a pg_dump archive carries them (the data lines of
/// its `COPY public.stored_file (sha256, size, content)` block, text format: bytea as
/// `\\x` and hex digits). The first problem, in words, else Ok.
pub fn check_dump_row(line: &[u8]) -> std::result::Result<(), String> {
    let text = std::str::from_utf8(line).map_err(|_| "附件文件的数据行无法读取".to_string())?;
    let mut cols = text.trim_end_matches(['\n', '\r']).split('\t');
    let (Some(sha), Some(size), Some(content)) = (cols.next(), cols.next(), cols.next()) else {
        return Err("附件文件的数据行不完整".into());
    };
    let Some(hex) = content.strip_prefix("\\\\x") else {
        return Err(format!("缺少附件文件 {sha}"));
    };
    let bytes = decode_hex(hex).ok_or_else(|| format!("附件文件 {sha} 已损坏"))?;
    if hash(&bytes) != sha || size.parse::<usize>().ok() != Some(bytes.len()) {
        return Err(format!("附件文件 {sha} 已被改动"));
    }
    Ok(())
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = hex.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}
