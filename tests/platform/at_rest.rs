//! Data at rest (issue 16, finding 14): the data folder, the database with its `-wal` and
//! `-shm`, backups, the copies a restore works on and uploaded backups are the owner's
//! only on Unix, made so as they are created.

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use aftersales::people::backup;
    use aftersales::Desk;
    use serde_json::json;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    fn call(desk: &mut Desk, command: &str, args: serde_json::Value) -> serde_json::Value {
        desk.act_as(aftersales::Actor::script());
        aftersales::api::call(desk, command, args)
            .unwrap_or_else(|e| panic!("{command}: {}", e.to_json()))
            .value()
    }

    // f14: a fresh data folder is 0700, desk.db and its -wal and -shm 0600, even under a
    // umask that would let everyone read.
    #[test]
    fn f14_a_fresh_data_folder_is_the_owners_only() {
        let root = tempfile::tempdir().unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = root.path().join("售后数据");
        let mut desk = Desk::open_dir(&data).unwrap();
        call(
            &mut desk,
            "customers.create",
            json!({"name": "张伟", "phones": ["13812345678"]}),
        );
        assert_eq!(mode(&data), 0o700);
        let db = data.join("desk.db");
        assert_eq!(mode(&db), 0o600);
        for companion in ["desk.db-wal", "desk.db-shm"] {
            let p = data.join(companion);
            assert!(p.exists(), "{companion}: WAL mode keeps it while open");
            assert_eq!(mode(&p), 0o600, "{companion}");
        }
    }

    // f14: backups (automatic, on demand, the safety copy before a restore) and their
    // folder are the owner's only; a restore and an upload leave no copy behind.
    #[test]
    fn f14_backups_are_the_owners_only() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let mut desk = Desk::open_dir(&data).unwrap();
        call(
            &mut desk,
            "customers.create",
            json!({"name": "张伟", "phones": ["13812345678"]}),
        );
        let made = call(&mut desk, "backup.now", json!({}));
        let file = Path::new(made["file"].as_str().unwrap()).to_path_buf();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        let elsewhere = root.path().join("U盘").join("备份");
        let other = backup::backup_to(&desk, &elsewhere).unwrap();
        assert_eq!(mode(Path::new(&other.file)), 0o600);
        assert_eq!(mode(&elsewhere), 0o700);
        // A backup copied in by hand with loose permissions: the restore's copies are not.
        std::fs::set_permissions(&other.file, std::fs::Permissions::from_mode(0o644)).unwrap();
        use base64::Engine as _;
        let content =
            base64::engine::general_purpose::STANDARD.encode(std::fs::read(&other.file).unwrap());
        let done = call(
            &mut desk,
            "backup.restore",
            json!({"file_name": "desk.db", "content_base64": content}),
        );
        let safety = Path::new(done["safety"]["file"].as_str().unwrap()).to_path_buf();
        assert_eq!(mode(&safety), 0o600);
        assert_eq!(mode(&data.join("desk.db")), 0o600);
        let left: Vec<String> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
