use std::path::{Path, PathBuf};

use aftersales::people::backup::{self, Automatic, Kind};
use aftersales::Desk;
use serde_json::json;

use crate::util::{desk, TestDesk};

fn at(rfc3339: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&chrono::Utc),
    )
}

fn add(t: &mut TestDesk, name: &str) {
    t.ok(
        "customers.create",
        json!({"name": name, "phones": ["13812345678"]}),
    );
}

fn names(desk: &mut Desk) -> Vec<String> {
    let page = aftersales::api::call(
        desk,
        "customers.search",
        json!({"query": "", "page_size": 200}),
    )
    .unwrap()
    .value();
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
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn data_dir(t: &TestDesk) -> PathBuf {
    t.desk.path().parent().unwrap().to_path_buf()
}

#[test]
fn a_backup_is_a_checked_complete_copy_made_while_the_desk_runs() {
    let mut t = desk();
    t.desk.set_clock(at("2026-11-23T10:00:00+08:00"));
    add(&mut t, "张伟");
    add(&mut t, "李娜");
    // Another door on the same file, in the middle of reading.
    let other = t.db();
    other
        .execute_batch("BEGIN; SELECT count(*) FROM customer;")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("新建文件夹");
    let made = backup::backup_to(&t.desk, &dir).unwrap();
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(made.name, "desk-20261123-100000.db");
    assert_eq!(made.kind, Kind::Manual);
    assert_eq!(made.at, "2026-11-23T02:00:00Z");
    assert_eq!(made.size, std::fs::metadata(&made.file).unwrap().len());
    // One self-contained file: nothing half-written or in a WAL beside it.
    assert_eq!(files(&dir), ["desk-20261123-100000.db"]);
    let mut copy = Desk::open(Path::new(&made.file)).unwrap();
    assert_eq!(names(&mut copy), ["张伟", "李娜"]);
    // A second one in the same second gets its own name.
    let again = backup::backup_to(&t.desk, &dir).unwrap();
    assert_eq!(again.name, "desk-20261123-100000-2.db");
}

#[test]
fn automatic_backups_rotate_and_backups_made_on_demand_stay() {
    let mut t = desk();
    add(&mut t, "张伟");
    t.ok("settings.save", json!({"backup_keep": 3}));
    let folder = data_dir(&t).join("backups");
    t.desk.set_clock(at("2026-11-01T09:00:00+08:00"));
    let manual = backup::now(&mut t.desk, backup::NowArgs::default())
        .unwrap()
        .name;
    assert_eq!(manual, "desk-20261101-090000.db");
    let daily = backup::automatic(&t.desk, Automatic::Daily)
        .unwrap()
        .unwrap();
    assert_eq!(daily.name, "desk-20261101-090000-daily.db");
    // Once a day only; closing the app backs up every time.
    assert_eq!(backup::automatic(&t.desk, Automatic::Daily).unwrap(), None);
    t.desk.set_clock(at("2026-11-01T18:00:00+08:00"));
    assert_eq!(
        backup::automatic(&t.desk, Automatic::Close)
            .unwrap()
            .unwrap()
            .kind,
        Kind::Close
    );
    assert_eq!(backup::automatic(&t.desk, Automatic::Daily).unwrap(), None);
    for day in 2..=5 {
        t.desk
            .set_clock(at(&format!("2026-11-{day:02}T08:45:00+08:00")));
        assert!(backup::automatic(&t.desk, Automatic::Daily)
            .unwrap()
            .is_some());
    }
    let listing = backup::list(&t.desk).unwrap();
    assert_eq!(listing.folder, folder.display().to_string());
    assert_eq!(listing.keep, 3);
    let names: Vec<&str> = listing.items.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "desk-20261105-084500-daily.db",
            "desk-20261104-084500-daily.db",
            "desk-20261103-084500-daily.db",
            "desk-20261101-090000.db",
        ]
    );
    assert_eq!(files(&folder).len(), 4);
}

#[test]
fn the_backup_folder_and_the_count_kept_are_checked_settings() {
    let mut t = desk();
    let e = t.err("settings.save", json!({"backup_folder": "backups"}));
    assert_eq!(e["field"], "backup_folder");
    for keep in [0, 366] {
        let e = t.err("settings.save", json!({"backup_keep": keep}));
        assert_eq!(e["field"], "backup_keep");
        assert!(e["message"].as_str().unwrap().contains("1到365"));
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().join("备份");
    let saved = t.ok(
        "settings.save",
        json!({"backup_folder": folder.display().to_string(), "backup_keep": 30}),
    );
    assert_eq!(saved["backup_keep"], 30);
    let made = backup::automatic(&t.desk, Automatic::Close)
        .unwrap()
        .unwrap();
    assert!(Path::new(&made.file).starts_with(&folder));
    // Made on demand to a folder the clerk names: the folder must be a full path.
    let e = backup::now(
        &mut t.desk,
        backup::NowArgs {
            dir: Some("relative/dir".into()),
        },
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("dir"));
}

#[test]
fn the_lan_settings_are_checked_and_read_as_ranges() {
    let mut t = desk();
    let lan = aftersales::people::settings::lan(&t.desk).unwrap();
    assert!(!lan.open);
    assert_eq!(lan.port, 8765);
    // No ranges set: the browser door takes its own interfaces' subnets (issue 16).
    assert!(lan.allow.is_empty(), "{:?}", lan.allow);
    assert!(!lan.allows("8.8.8.8".parse().unwrap()));
    for (args, field) in [
        (json!({"lan_port": 80}), "lan_port"),
        (json!({"lan_port": 70000}), "lan_port"),
        (json!({"lan_allow": "192.168.1.0/24, 网段"}), "lan_allow"),
        (json!({"lan_allow": "0.0.0.0/0"}), "lan_allow"),
        (json!({"lan_names": "http://desk-pc:8765"}), "lan_names"),
    ] {
        assert_eq!(t.err("settings.save", args)["field"], field);
    }
    let saved = t.ok(
        "settings.save",
        json!({"lan_open": true, "lan_port": 9000, "lan_allow": "192.168.1.9/24；10.8.0.1"}),
    );
    assert_eq!(saved["lan_allow"], "192.168.1.0/24,10.8.0.1/32");
    let lan = aftersales::people::settings::lan(&t.desk).unwrap();
    assert!(lan.open && lan.port == 9000);
    assert!(lan.allows("192.168.1.200".parse().unwrap()));
    assert!(!lan.allows("192.168.2.1".parse().unwrap()));
    assert!(lan.allows("127.0.0.1".parse().unwrap()));
}

#[test]
fn a_restore_brings_the_backup_back_into_the_running_desk() {
    let mut t = desk();
    add(&mut t, "张伟");
    let out = tempfile::tempdir().unwrap();
    let made = backup::backup_to(&t.desk, out.path()).unwrap();
    add(&mut t, "李娜");
    // Another door with the same file open.
    let mut other = Desk::open(t.desk.path()).unwrap();
    assert_eq!(names(&mut other), ["张伟", "李娜"]);

    let done = backup::restore(&mut t.desk, Path::new(&made.file)).unwrap();
    assert_eq!(done.restored_from, made.name);
    assert_eq!(names(&mut t.desk), ["张伟"]);
    assert_eq!(names(&mut other), ["张伟"]);
    // The data as it was before is in the backup folder, and is never rotated away.
    assert_eq!(done.safety.kind, Kind::BeforeRestore);
    assert!(done.safety.name.ends_with("-before-restore.db"));
    let mut before = Desk::open(Path::new(&done.safety.file)).unwrap();
    assert_eq!(names(&mut before), ["张伟", "李娜"]);
    // The running desk goes on working on its connection.
    add(&mut t, "王磊");
    assert_eq!(names(&mut t.desk), ["张伟", "王磊"]);
    // No working copies left beside the database.
    assert!(files(&data_dir(&t))
        .iter()
        .all(|f| !f.starts_with(".restore")));
}

#[test]
fn an_older_backup_is_brought_up_to_date_when_restored() {
    let mut t = desk();
    add(&mut t, "张伟");
    let out = tempfile::tempdir().unwrap();
    let old = out.path().join("old.db");
    {
        let mut conn = rusqlite::Connection::open(&old).unwrap();
        aftersales::platform::db::migrate(&mut conn, &aftersales::platform::db::MIGRATIONS[..1])
            .unwrap();
    }
    backup::restore(&mut t.desk, &old).unwrap();
    assert_eq!(names(&mut t.desk), Vec::<String>::new());
    add(&mut t, "李娜");
    assert_eq!(names(&mut t.desk), ["李娜"]);
    let version: i64 = rusqlite::Connection::open(t.desk.path())
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, aftersales::platform::db::MIGRATIONS.len());
}

/// Every way a restore can be refused; each leaves the data and the backup folder as they
/// were.
#[test]
fn a_failed_restore_leaves_the_current_data_untouched() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 120).unwrap();
    let out = tempfile::tempdir().unwrap();
    let good = backup::backup_to(&t.desk, out.path()).unwrap();
    let good_bytes = std::fs::read(&good.file).unwrap();
    add(&mut t, "最后一位客户");
    let expected = names(&mut t.desk);
    let folder = data_dir(&t).join("backups");
    let file = |name: &str, bytes: &[u8]| {
        let p = out.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };

    let text = file("客户.csv", "客户名称,电话\n张伟,13812345678\n".as_bytes());
    let empty = file("empty.db", b"");
    let truncated = file("truncated.db", &good_bytes[..good_bytes.len() / 2]);
    let mut damaged = good_bytes.clone();
    let page = 4096;
    for b in &mut damaged[page * 2..good_bytes.len() - page] {
        *b = 0x5A;
    }
    let corrupted = file("corrupted.db", &damaged);
    let newer = file("newer.db", &good_bytes);
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let foreign = out.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let gone = out.path().join("gone.db");
    std::fs::copy(&good.file, &gone).unwrap();
    std::fs::remove_file(&gone).unwrap();

    let cases: [(&Path, &str); 8] = [
        (&text, "不是 SQLite"),
        (&empty, "不是 SQLite"),
        (&truncated, "已损坏"),
        (&corrupted, "已损坏"),
        (&newer, "更新版本"),
        (&foreign, "没有客户档案"),
        (&gone, "找不到备份文件"),
        (out.path(), "文件夹"),
    ];
    for (path, says) in cases {
        let e = backup::restore(&mut t.desk, path).unwrap_err();
        let json = e.to_json();
        assert_eq!(json["code"], "invalid", "{}: {json}", path.display());
        assert_eq!(json["field"], "file", "{}: {json}", path.display());
        let message = json["message"].as_str().unwrap();
        assert!(message.contains(says), "{}: {message}", path.display());
        assert_eq!(names(&mut t.desk), expected, "{}", path.display());
        assert_eq!(files(&folder), Vec::<String>::new(), "{}", path.display());
    }
    assert!(files(&data_dir(&t))
        .iter()
        .all(|f| !f.starts_with(".restore")));
    // And the good one still restores.
    backup::restore(&mut t.desk, Path::new(&good.file)).unwrap();
    assert!(!names(&mut t.desk).contains(&"最后一位客户".to_string()));
}

// ---- issue 16, finding 7: paths and the LAN are the administrator's --------------------

fn person(name: &str, roles: &[aftersales::Role]) -> aftersales::Actor {
    aftersales::Actor {
        id: Some(900),
        login: name.into(),
        name: name.into(),
        roles: roles.to_vec(),
        engineer_id: None,
    }
}

/// Calls `command` as `actor` (a logged-in user), the reply or the error's JSON.
fn call_as(
    t: &mut TestDesk,
    actor: &aftersales::Actor,
    command: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    t.desk.act_as(actor.clone());
    let out = aftersales::api::call(&mut t.desk, command, args)
        .map(|r| r.value())
        .map_err(|e| e.to_json());
    t.desk.act_as(aftersales::Actor::script());
    out
}

fn audit_details(t: &TestDesk, action: &str) -> Vec<(String, String)> {
    let conn = t.db();
    let mut stmt = conn
        .prepare("SELECT \"user\", detail FROM audit_entry WHERE action = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

// f07: a manager saving the LAN, the backup folder or the network-path switch is refused,
// naming the setting in Chinese, and nothing of that save is written; the rest of 设置
// (and the same values sent back unchanged) stays theirs.
#[test]
fn f07_a_manager_cannot_change_the_lan_or_the_paths() {
    use aftersales::Role::*;
    let mut t = desk();
    let manager = person("周主管", &[Manager]);
    let admin = person("管理员", &[Admin]);
    let folder = tempfile::tempdir().unwrap();
    let folder = folder.path().display().to_string();
    for (args, label) in [
        (json!({"lan_open": true}), "向局域网开放"),
        (json!({"lan_port": 9000}), "局域网端口"),
        (json!({"lan_allow": "10.0.0.0/8"}), "允许的地址范围"),
        (json!({"backup_folder": folder}), "备份文件夹"),
        (json!({"allow_network_paths": true}), "允许使用网络路径"),
        (
            json!({"company_name": "新公司", "lan_open": true}),
            "向局域网开放",
        ),
    ] {
        let e = call_as(&mut t, &manager, "settings.save", args.clone()).unwrap_err();
        assert_eq!(e["code"], "forbidden", "{args}: {e}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(label), "{args}: {message}");
        assert!(message.contains("只有管理员"), "{message}");
    }
    let s = t.ok("settings.get", json!({}));
    assert_eq!(s["lan_open"], false);
    // Empty: the door answers the subnets of this PC's own interfaces (issue 16).
    assert_eq!(s["lan_allow"], "");
    assert_eq!(s["backup_folder"], "");
    assert_ne!(s["company_name"], "新公司");
    // The screen sends the whole form back: unchanged admin-only values are no change.
    let saved = call_as(
        &mut t,
        &manager,
        "settings.save",
        json!({"company_name": "新公司", "lan_open": false, "lan_port": 8765,
               "lan_allow": s["lan_allow"], "backup_folder": "", "backup_keep": 20}),
    )
    .unwrap();
    assert_eq!(saved["company_name"], "新公司");
    assert_eq!(saved["backup_keep"], 20);
    // Any later `lan_` key is the administrator's too.
    assert!(aftersales::people::settings::admin_only("lan_names"));
    assert!(aftersales::people::settings::admin_only("lan_plain_http"));
    assert!(!aftersales::people::settings::admin_only("backup_keep"));
    // The administrator may.
    let saved = call_as(
        &mut t,
        &admin,
        "settings.save",
        json!({"lan_open": true, "lan_allow": "192.168.1.0/24", "backup_folder": folder}),
    )
    .unwrap();
    assert_eq!(saved["lan_open"], true);
    assert_eq!(saved["backup_folder"], folder);
}

// f07: network paths (UNC in every spelling) are refused as the backup folder and as a
// backup's folder until the administrator allows them; turning the switch off under a
// network folder is refused too.
#[test]
fn f07_network_paths_need_the_administrators_setting() {
    use aftersales::platform::files::is_network_path;
    for network in [
        r"\\server\share",
        "//server/share",
        r"\\?\UNC\server\share\备份",
        r"\\.\UNC\server\share",
        r"/\server\share",
        r"  \\192.168.1.5\d$",
    ] {
        assert!(is_network_path(network), "{network}");
    }
    for local in [
        r"C:\售后备份",
        r"\\?\D:\backups",
        "/home/desk/backups",
        "",
        r"\backups",
    ] {
        assert!(!is_network_path(local), "{local}");
    }
    let mut t = desk();
    // A share as the OS spells a full path to one.
    let share = if cfg!(windows) {
        r"\\nas\售后备份"
    } else {
        "//nas/售后备份"
    };
    let e = t.err("settings.save", json!({"backup_folder": share}));
    assert_eq!(e["field"], "backup_folder");
    assert!(e["message"].as_str().unwrap().contains("网络路径"), "{e}");
    let e = t.err("backup.now", json!({"dir": share}));
    assert_eq!(e["field"], "dir");
    assert!(e["message"].as_str().unwrap().contains("网络路径"), "{e}");
    let saved = t.ok(
        "settings.save",
        json!({"allow_network_paths": true, "backup_folder": share}),
    );
    assert_eq!(saved["backup_folder"], share);
    assert_eq!(saved["allow_network_paths"], true);
    let e = t.err("settings.save", json!({"allow_network_paths": false}));
    assert_eq!(e["field"], "allow_network_paths");
}

// f07: a manager backs up into the backup folder but not to a folder of their choice; the
// administrator may; every backup made on demand is in the audit trail, by whom, where.
#[test]
fn f07_backup_now_to_a_folder_is_the_administrators_and_audited() {
    use aftersales::Role::*;
    let mut t = desk();
    add(&mut t, "张伟");
    let manager = person("周主管", &[Manager]);
    let admin = person("管理员", &[Admin]);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("U盘");
    let made = call_as(&mut t, &manager, "backup.now", json!({})).unwrap();
    let e = call_as(
        &mut t,
        &manager,
        "backup.now",
        json!({"dir": dir.display().to_string()}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    assert!(e["message"].as_str().unwrap().contains("只有管理员"), "{e}");
    assert!(!dir.exists());
    let elsewhere = call_as(
        &mut t,
        &admin,
        "backup.now",
        json!({"dir": dir.display().to_string()}),
    )
    .unwrap();
    assert!(Path::new(elsewhere["file"].as_str().unwrap()).starts_with(&dir));
    let audit = audit_details(&t, "backup");
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0].0, "周主管");
    assert!(
        audit[0].1.contains(made["file"].as_str().unwrap()),
        "{audit:?}"
    );
    assert_eq!(audit[1].0, "管理员");
    assert!(audit[1].1.contains(elsewhere["file"].as_str().unwrap()));
}

// f07: a logged-in administrator restores from the backup folder by name or from an
// upload, never from a path: a path is refused with the same words whether or not a file
// is there, a name with a folder in it is refused, an upload goes through every check and
// leaves no copy behind.
#[test]
fn f07_restore_only_from_the_backup_folder_or_an_upload() {
    use aftersales::Role::*;
    use base64::Engine as _;
    let mut t = desk();
    add(&mut t, "张伟");
    let admin = person("管理员", &[Admin]);
    let made = call_as(&mut t, &admin, "backup.now", json!({})).unwrap();
    let name = made["name"].as_str().unwrap().to_string();
    add(&mut t, "李娜");
    let there = made["file"].as_str().unwrap().to_string();
    let elsewhere = tempfile::tempdir().unwrap();
    let nowhere = elsewhere.path().join("none.db").display().to_string();
    let a = call_as(&mut t, &admin, "backup.restore", json!({"file": there})).unwrap_err();
    let b = call_as(&mut t, &admin, "backup.restore", json!({"file": nowhere})).unwrap_err();
    assert_eq!(a, b, "a path's refusal says nothing of the file");
    assert_eq!(a["field"], "file");
    for bad in [
        "../desk.db",
        "desk-20261123-100000.db/../../x.db",
        "/etc/passwd",
        "desk.db",
    ] {
        let e = call_as(&mut t, &admin, "backup.restore", json!({"name": bad})).unwrap_err();
        assert_eq!(e["field"], "name", "{bad}: {e}");
    }
    let e = call_as(
        &mut t,
        &admin,
        "backup.restore",
        json!({"name": "desk-20200101-000000.db"}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "name");
    assert_eq!(names(&mut t.desk), ["张伟", "李娜"]);

    // By name.
    let done = call_as(&mut t, &admin, "backup.restore", json!({"name": name})).unwrap();
    assert_eq!(done["restored_from"], name);
    assert_eq!(names(&mut t.desk), ["张伟"]);

    // An upload: a damaged one is refused under its own name, a good one restores.
    add(&mut t, "王磊");
    let bytes = std::fs::read(&there).unwrap();
    let encode = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let e = call_as(
        &mut t,
        &admin,
        "backup.restore",
        json!({"file_name": "客户.csv", "content_base64": encode(b"name,phone\n")}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "file");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("客户.csv") && message.contains("不是 SQLite"),
        "{message}"
    );
    let e = call_as(
        &mut t,
        &admin,
        "backup.restore",
        json!({"file_name": "x.db", "content_base64": "不是base64"}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "file");
    let done = call_as(
        &mut t,
        &admin,
        "backup.restore",
        json!({"file_name": "C:\\备份\\周一.db", "content_base64": encode(&bytes)}),
    )
    .unwrap();
    assert_eq!(done["restored_from"], "周一.db");
    assert_eq!(names(&mut t.desk), ["张伟"]);
    assert!(
        files(&data_dir(&t)).iter().all(|f| !f.starts_with('.')),
        "{:?}",
        files(&data_dir(&t))
    );
    // Two at once is a mistake, not a choice made for the clerk.
    let e = call_as(
        &mut t,
        &admin,
        "backup.restore",
        json!({"name": name, "file_name": "x.db", "content_base64": encode(&bytes)}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "file");
    // The trail is the restored backup's, and then the restore itself.
    let audit = audit_details(&t, "restore");
    let (who, what) = audit.last().unwrap();
    assert_eq!(who, "管理员");
    assert!(what.contains("周一.db"), "{what}");
}
