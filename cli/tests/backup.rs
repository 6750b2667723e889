//! `aftersales backup [DIR]` and `aftersales restore FILE` as an admin's script runs them:
//! the real binary on a real data folder; a failure exits non-zero with the Chinese message.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

fn aftersales(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftersales"))
        .arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn call(dir: &Path, command: &str, args: Value) -> Value {
    let out = aftersales(dir, &["call", command, &args.to_string()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn total(dir: &Path) -> Value {
    call(dir, "customers.search", json!({"query": ""}))["total"].clone()
}

fn db_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    out.sort();
    out
}

#[test]
fn backup_and_restore_from_a_script() {
    let data = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let d = data.path();
    call(
        d,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    );

    // To a folder given on the command line (created when missing).
    let target = elsewhere.path().join("U盘备份");
    let out = aftersales(d, &["backup", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let made = db_files(&target);
    assert_eq!(made.len(), 1);
    assert!(
        text(&out.stdout).contains("完整性检查通过"),
        "{}",
        text(&out.stdout)
    );

    // Without a folder: the backup folder beside the database.
    let out = aftersales(d, &["backup"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(db_files(&d.join("backups")).len(), 1);

    // The daily automatic backup is made once a day.
    let out = aftersales(d, &["backup", "--auto", "daily"]);
    assert!(out.status.success());
    let out = aftersales(d, &["backup", "--auto", "daily"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("今天已有自动备份"));
    assert_eq!(db_files(&d.join("backups")).len(), 2);

    call(
        d,
        "customers.create",
        json!({"name": "李娜", "phones": ["13912345678"]}),
    );
    assert_eq!(total(d), 2);
    let out = aftersales(d, &["restore", made[0].to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("恢复前的数据已备份到"));
    assert_eq!(total(d), 1);
    // The safety backup holds 李娜.
    assert_eq!(db_files(&d.join("backups")).len(), 3);
}

#[test]
fn a_restore_that_fails_says_why_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    call(
        d,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    );
    let not_a_backup = d.join("客户.csv");
    std::fs::write(&not_a_backup, "客户名称,电话\n").unwrap();
    for (file, says) in [
        (d.join("missing.db"), "找不到备份文件"),
        (not_a_backup, "不是 SQLite"),
    ] {
        let out = aftersales(d, &["restore", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains(says), "{err}");
        assert_eq!(total(d), 1);
    }
    assert!(
        !d.join("backups").exists(),
        "no safety backup for a refused file"
    );
}
