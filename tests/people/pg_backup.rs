//! Backups of a desk on PostgreSQL (issue 19): `pg_dump -Fc` into the backup folder with
//! the desk's names, rotation and audit, and restore through `pg_restore` after the same
//! checks as a file's, each refusal changing nothing. Run against a real server and the
//! real tools (found as the desk finds them: PATH, then PostgreSQL's folders).
//!
//! The server comes from `AFTERSALES_TEST_PG`; without it these tests print that they did
//! not run and pass (see `people::migrate`).

use std::path::{Path, PathBuf};

use aftersales::Desk;
use serde_json::{json, Value};

use super::migrate::{pg_database, PgDatabase};

fn call(desk: &mut Desk, command: &str, args: Value) -> Value {
    aftersales::api::call(desk, command, args.clone())
        .unwrap_or_else(|e| panic!("{command} {args}: {}", e.to_json()))
        .value()
}

fn refused(desk: &mut Desk, command: &str, args: Value) -> Value {
    match aftersales::api::call(desk, command, args.clone()) {
        Ok(v) => panic!("{command} {args} should fail, gave {}", v.value()),
        Err(e) => e.to_json(),
    }
}

fn add(desk: &mut Desk, name: &str) {
    call(
        desk,
        "customers.create",
        json!({"name": name, "phones": ["13812345678"]}),
    );
}

fn names(desk: &mut Desk) -> Vec<String> {
    let page = call(
        desk,
        "customers.search",
        json!({"query": "", "page_size": 200}),
    );
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A desk on its own database, its data folder in `dir`.
fn pg_desk(test: &str, dir: &Path) -> Option<(Desk, PgDatabase)> {
    let pg = pg_database(test)?;
    let desk = Desk::open_postgres(&pg.url, dir)
        .unwrap_or_else(|e| panic!("open {}: {}", pg.url, e.to_json()));
    Some((desk, pg))
}

#[test]
fn a_postgres_backup_is_a_pg_dump_archive_restored_into_the_running_desk() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut desk, _pg)) = pg_desk("people_pg_backup_restore", dir.path()) else {
        return;
    };
    add(&mut desk, "张伟");
    add(&mut desk, "李娜");
    let made = call(&mut desk, "backup.now", json!({}));
    let name = made["name"].as_str().unwrap().to_string();
    assert!(
        name.starts_with("desk-") && name.ends_with(".dump"),
        "{name}"
    );
    let file = PathBuf::from(made["file"].as_str().unwrap());
    assert_eq!(file.parent().unwrap(), dir.path().join("backups"));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PGDMP"), "pg_dump's custom format");
    assert_eq!(made["size"].as_u64().unwrap(), bytes.len() as u64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    // Nothing else left in the folders: no part file, no password file.
    assert_eq!(files(&dir.path().join("backups")), vec![name.clone()]);
    assert!(
        !files(dir.path()).iter().any(|f| f.starts_with('.')),
        "{:?}",
        files(dir.path())
    );
    let listed = call(&mut desk, "backup.list", json!({}));
    assert_eq!(listed["items"][0]["name"], name.as_str());
    assert_eq!(listed["items"][0]["kind"], "manual");

    // Changed after the backup; the restore brings back the two customers, in the same
    // running desk, and it works on.
    add(&mut desk, "王芳");
    let done = call(&mut desk, "backup.restore", json!({"name": name}));
    assert_eq!(done["restored_from"], name.as_str());
    let safety = done["safety"]["name"].as_str().unwrap().to_string();
    assert!(safety.ends_with("-before-restore.dump"), "{safety}");
    assert_eq!(names(&mut desk), vec!["张伟", "李娜"]);
    add(&mut desk, "赵敏");
    assert_eq!(names(&mut desk), vec!["张伟", "李娜", "赵敏"]);
    let version: i64 = desk
        .another_connection()
        .unwrap()
        .query_row("SELECT version FROM aftersales_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version as usize,
        aftersales::platform::db::PG_MIGRATIONS.len()
    );
    let audit: Vec<String> = desk
        .another_connection()
        .unwrap()
        .prepare("SELECT detail FROM audit_entry WHERE action IN ('backup', 'restore') ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        audit.len(),
        1,
        "{audit:?}: the restored data has the backup's trail"
    );
    assert!(
        audit[0].starts_with(&format!("从备份 {name} 恢复数据；恢复前的数据已备份为 ")),
        "{audit:?}"
    );

    // The safety copy holds the data as it was just before the restore.
    call(&mut desk, "backup.restore", json!({"name": safety}));
    assert_eq!(names(&mut desk), vec!["张伟", "李娜", "王芳"]);
}

#[test]
fn refused_postgres_restores_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut desk, _pg)) = pg_desk("people_pg_backup_refused", dir.path()) else {
        return;
    };
    add(&mut desk, "张伟");
    let good = call(&mut desk, "backup.now", json!({}));
    let good_file = PathBuf::from(good["file"].as_str().unwrap());
    // A backup of a newer program: its version row says so.
    let db = desk.another_connection().unwrap();
    let ours = aftersales::platform::db::PG_MIGRATIONS.len() as i64;
    db.execute("UPDATE aftersales_version SET version = ?1", [ours + 1])
        .unwrap();
    let newer = call(&mut desk, "backup.now", json!({}));
    db.execute("UPDATE aftersales_version SET version = ?1", [ours])
        .unwrap();
    add(&mut desk, "李娜");
    let backups = dir.path().join("backups");
    let before_files = files(&backups);
    let before = names(&mut desk);

    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let text = outside.join("notes.dump");
    std::fs::write(&text, "不是备份，只是一段文字").unwrap();
    let sqlite = outside.join("desk.db");
    drop(Desk::open(&sqlite).unwrap());
    let cut = outside.join("cut.dump");
    let bytes = std::fs::read(&good_file).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();

    for (file, says) in [
        (
            &text,
            format!(
                "{} 不是售后服务台的备份文件（不是 PostgreSQL 的 pg_dump 备份），未做任何改动",
                text.display()
            ),
        ),
        (
            &sqlite,
            format!(
                "{} 不是售后服务台的备份文件（不是 PostgreSQL 的 pg_dump 备份），未做任何改动",
                sqlite.display()
            ),
        ),
        (
            &cut,
            format!("备份文件 {} 已损坏，不能恢复（", cut.display()),
        ),
    ] {
        let e = refused(
            &mut desk,
            "backup.restore",
            json!({"file": file.display().to_string()}),
        );
        assert_eq!(e["field"], "file", "{e}");
        let message = e["message"].as_str().unwrap();
        assert!(message.starts_with(&says), "{message}");
        assert!(message.ends_with("未做任何改动"), "{message}");
    }
    let e = refused(&mut desk, "backup.restore", json!({"name": newer["name"]}));
    assert_eq!(
        e["message"],
        format!(
            "这个备份来自更新版本的售后服务台（数据版本 {}，本程序只认到 {ours}），请先升级程序再恢复，未做任何改动",
            ours + 1
        )
    );
    // Nothing changed: the same customers, no safety backup taken, no work file left.
    assert_eq!(names(&mut desk), before);
    assert_eq!(files(&backups), before_files);
    assert!(
        !files(dir.path()).iter().any(|f| f.starts_with('.')),
        "{:?}",
        files(dir.path())
    );
}

#[test]
fn automatic_postgres_backups_rotate_and_backups_made_on_demand_stay() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut desk, _pg)) = pg_desk("people_pg_backup_rotate", dir.path()) else {
        return;
    };
    call(&mut desk, "settings.save", json!({"backup_keep": 2}));
    let manual = call(&mut desk, "backup.now", json!({}))["name"]
        .as_str()
        .unwrap()
        .to_string();
    let mut automatic = Vec::new();
    for minute in 0..4 {
        desk.set_clock(Some(
            chrono::DateTime::parse_from_rfc3339(&format!("2026-11-23T10:0{minute}:00+08:00"))
                .unwrap()
                .with_timezone(&chrono::Utc),
        ));
        let made = aftersales::people::backup::automatic(
            &desk,
            aftersales::people::backup::Automatic::Close,
        )
        .unwrap()
        .unwrap();
        automatic.push(made.name);
    }
    let mut kept = vec![manual];
    kept.extend(automatic[2..].iter().cloned());
    kept.sort();
    assert_eq!(files(&dir.path().join("backups")), kept);
    assert!(kept.iter().all(|n| n.ends_with(".dump")));
}
