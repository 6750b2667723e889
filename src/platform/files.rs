//! Files: a download crossing a door (name + base64), and the desk's own files at rest.
//!
//! A download (spreadsheet, PDF) travels as JSON with its name and its bytes in base64, and
//! the UI saves it under that name.
//!
//! At rest, everything the desk writes holds customers' names, phones, addresses,
//! signatures or password hashes: the data folder, the database and its `-wal`/`-shm`,
//! backups, the print spool and uploaded backups. On Unix they are the owner's only: folders
//! are made `0700` and files `0600` *when they are created* ([`private_dir`],
//! [`private_file`]), so there is no moment in which another account on the PC could open
//! them (a chmod after creation leaves one). SQLite gives a database's `-wal` and `-shm`
//! the permissions of the database file itself, so creating `desk.db` (or a backup) empty
//! with `0600` before SQLite opens it is enough for its companions. On Windows the files
//! inherit the ACL of the user's profile folder (`%APPDATA%`), which is already private.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::platform::error::{Error, Result};

/// A file for the user to save: an export, a report sheet, a purchase request.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub file_name: String,
    pub content_base64: String,
    /// Data rows in the file (a customer export: one per machine, one for a customer
    /// without machines).
    pub rows: usize,
    /// For a PDF: codes (`U+2A6D7`) of the characters no font has, printed as the code in
    /// a box. Empty for a workbook.
    pub unprintable: Vec<String>,
}

/// Creates `dir` (and its missing parents) as a folder only its owner can enter (`0700` on
/// Unix, set as it is made). A folder that already exists is left as it is.
pub fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// Creates the new file `path` for writing, readable and writable by its owner only
/// (`0600` on Unix, set as it is made). Fails when the file already exists: nothing of
/// someone else's (a file or a link planted there) is ever opened instead.
pub fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes sure the database file `path` exists, created empty and owner-only when it does
/// not (SQLite then makes its `-wal` and `-shm` with the same permissions). An existing
/// file is left as it is.
pub fn private_database(path: &Path) -> Result<()> {
    match private_file(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// A name nobody can guess: `{prefix}{32 random hex digits}{extension}`, for files in a
/// folder others might watch (the print spool, an uploaded backup).
pub fn unguessable_name(prefix: &str, extension: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("无法生成随机数：{e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{prefix}{hex}{extension}"))
}

/// Writes `bytes` into a new owner-only file with an unguessable name in `dir` (created
/// owner-only when missing) and returns its path. The file is flushed to disk.
pub fn private_copy(dir: &Path, prefix: &str, extension: &str, bytes: &[u8]) -> Result<PathBuf> {
    use std::io::Write as _;
    private_dir(dir)?;
    let path = dir.join(unguessable_name(prefix, extension)?);
    let mut file = private_file(&path).map_err(|e| Error::io(&path, e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(Error::io(&path, e));
    }
    Ok(path)
}

/// Whether `path` names a place on another computer: `\\server\share`, `//server/share`,
/// `\\?\UNC\server\share`, or any other path starting with two separators (the device
/// namespace `\\.\` too), except the long form of a local drive (`\\?\C:\…`). A mapped
/// network drive (`Z:\`) or a share mounted into a local folder cannot be told from a
/// local disk by its text and is not caught: the setting that allows network paths is
/// about what the text says (docs/SECURITY.md).
pub fn is_network_path(path: &str) -> bool {
    let sep = |c: char| c == '\\' || c == '/';
    let mut chars = path.trim().chars();
    let (Some(a), Some(b)) = (chars.next(), chars.next()) else {
        return false;
    };
    if !(sep(a) && sep(b)) {
        return false;
    }
    let rest: Vec<char> = chars.take(4).collect();
    let local_long_form = rest.len() == 4
        && rest[0] == '?'
        && sep(rest[1])
        && rest[2].is_ascii_alphabetic()
        && rest[3] == ':';
    !local_long_form
}

/// The first line of a small file holding a secret (a database URL with its password),
/// refused when other accounts could read it (Unix: any group or other permission bit)
/// or when it is not a small text file. `field` names the option for the message.
pub fn read_secret(path: &Path, field: &'static str) -> Result<String> {
    const LIMIT: u64 = 4096;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::invalid(field, format!("无法读取文件 {shown}：{e}")))?;
    if !meta.is_file() || meta.len() > LIMIT {
        return Err(Error::invalid(
            field,
            format!("{shown} 应是一个不超过 {LIMIT} 字节的文本文件"),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::invalid(
                field,
                format!("{shown} 的权限是 {mode:o}，其他账户也能读到其中的密码：请改为 600（chmod 600）"),
            ));
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(field, format!("无法读取文件 {shown}：{e}")))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.is_empty() {
        return Err(Error::invalid(field, format!("{shown} 是空的")));
    }
    Ok(line.to_string())
}
