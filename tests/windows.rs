//! What a Windows front desk does to files, checked on every platform and, cross-compiled
//! for `x86_64-pc-windows-gnu`, under Wine by `cargo xtask test` (these tests need no
//! poppler, zbar or printer, so they run where Windows' own file rules apply):
//! a data folder with Chinese characters and a space in its name, the database held open
//! by another program, two doors on one file, and import files as a Chinese Excel on
//! Windows saves them (GBK, CRLF, line breaks inside a cell) read from disk.
//!
//! `cargo xtask test` runs the Windows build with the filter `windows::` (and `import::`,
//! `db::`), so every test here must pass under Wine as well as natively.

use std::path::{Path, PathBuf};

use aftersales::Desk;
use base64::Engine as _;
use serde_json::{json, Value};

/// The folder a clerk might choose: Chinese, a space, nested below the temp folder.
fn chinese_folder(root: &Path) -> PathBuf {
    root.join("售后 数据").join("客户档案（2026）")
}

fn call(desk: &mut Desk, command: &str, args: Value) -> Value {
    match aftersales::api::call(desk, command, args.clone()) {
        Ok(reply) => reply.value(),
        Err(e) => panic!("{command} {args}: {}", e.to_json()),
    }
}

fn names(desk: &mut Desk, query: &str) -> Vec<String> {
    call(desk, "customers.search", json!({"query": query}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn import_file(desk: &mut Desk, path: &Path) -> Value {
    // As the command line does: the file's bytes, under the file's own name.
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    call(
        desk,
        "import.commit",
        json!({
            "kind": "customers",
            "file_name": name,
            "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
    )
}

#[test]
fn a_data_folder_with_chinese_characters_and_spaces_opens_and_reopens() {
    let root = tempfile::tempdir().unwrap();
    let dir = chinese_folder(root.path());
    {
        let mut desk = Desk::open_dir(&dir).unwrap();
        call(
            &mut desk,
            "customers.create",
            json!({"name": "欧阳玥", "phones": ["138 1234 5678"]}),
        );
        let info = call(&mut desk, "app.info", json!({}));
        // The path comes back as the OS spells it (backslashes on Windows), Chinese intact.
        assert_eq!(
            info["data_file"].as_str().unwrap(),
            dir.join(aftersales::DB_FILE).display().to_string()
        );
    }
    assert!(dir.join(aftersales::DB_FILE).is_file());
    let mut desk = Desk::open_dir(&dir).unwrap();
    assert_eq!(names(&mut desk, "欧阳"), ["欧阳玥"]);
}

#[test]
fn two_doors_on_one_file_see_each_others_writes() {
    // The desktop window and `aftersales` on the command line, open at the same time.
    let root = tempfile::tempdir().unwrap();
    let dir = chinese_folder(root.path());
    let mut window = Desk::open_dir(&dir).unwrap();
    let mut cli = Desk::open_dir(&dir).unwrap();
    call(
        &mut window,
        "customers.create",
        json!({"name": "祎旻", "phones": ["13900001111"]}),
    );
    assert_eq!(names(&mut cli, "祎旻"), ["祎旻"]);
    call(
        &mut cli,
        "customers.create",
        json!({"name": "赟", "phones": ["13900002222"]}),
    );
    assert_eq!(names(&mut window, "赟"), ["赟"]);
}

#[test]
fn the_default_data_folder_is_the_users_roaming_app_data() {
    let Some(dir) = aftersales::default_data_dir() else {
        // No APPDATA/HOME at all (a bare service account): the doors then ask for
        // --data-dir, which is their business.
        return;
    };
    assert!(
        dir.ends_with(aftersales::APP_IDENTIFIER),
        "{}",
        dir.display()
    );
    if cfg!(windows) {
        let appdata = PathBuf::from(std::env::var_os("APPDATA").unwrap());
        assert_eq!(dir, appdata.join("com.aftersales.desk"));
    }
}

#[test]
fn a_gbk_csv_saved_by_chinese_excel_imports_from_a_chinese_path() {
    // Excel's "CSV (逗号分隔)" on a Chinese Windows: GBK, CRLF between rows, a bare LF
    // inside a quoted cell (Alt+Enter), quotes doubled, and no line end after the last row.
    let text = "客户名称,手机,地址,备注\r\n\
                喆玥堃,13812345678,\"上海市浦东新区\n张江路 88 号\",\"说\"\"加急\"\"\"\r\n\
                王芳,021-61234567,江苏省苏州市,\r\n\
                \r\n\
                赵强,13900003333,浙江省杭州市,末行无换行";
    let (bytes, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    let root = tempfile::tempdir().unwrap();
    let folder = chinese_folder(root.path());
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("客户 名单.csv");
    std::fs::write(&file, &bytes).unwrap();

    let mut desk = Desk::open_dir(&folder.join("数据")).unwrap();
    let report = import_file(&mut desk, &file);
    assert_eq!(report["added"]["customers"], 3, "{report}");
    assert_eq!(report["rejected"], json!([]), "{report}");
    let found = call(&mut desk, "customers.search", json!({"query": "喆玥堃"}));
    let c = &found["items"][0];
    assert_eq!(c["notes"], "说\"加急\"");
    let whole = c.to_string();
    assert!(whole.contains("张江路 88 号"), "{whole}");
    assert!(
        !whole.contains('\r'),
        "no CR may survive into the archive: {whole}"
    );
    let found = call(&mut desk, "customers.search", json!({"query": "赵强"}));
    assert_eq!(found["items"][0]["notes"], "末行无换行");
}

#[test]
fn crlf_lf_and_lone_cr_line_ends_read_the_same() {
    let rows = ["客户名称,手机", "王芳,13812345678", "李四,13912345678"];
    let root = tempfile::tempdir().unwrap();
    // Windows (CRLF), Unix (LF) and old Mac Excel's "CSV (Macintosh)" (a lone CR).
    for (label, end) in [("crlf", "\r\n"), ("lf", "\n"), ("cr", "\r")] {
        let file = root.path().join(format!("名单-{label}.csv"));
        std::fs::write(&file, encoding_rs::GBK.encode(&rows.join(end)).0).unwrap();
        let mut desk = Desk::open_dir(&root.path().join(label)).unwrap();
        let report = import_file(&mut desk, &file);
        assert_eq!(report["added"]["customers"], 2, "{label}: {report}");
        assert_eq!(names(&mut desk, "王芳"), ["王芳"], "{label}");
    }
}

#[test]
fn an_export_saved_to_a_chinese_path_imports_again_unchanged() {
    let root = tempfile::tempdir().unwrap();
    let folder = chinese_folder(root.path());
    let mut desk = Desk::open_dir(&folder.join("数据")).unwrap();
    call(
        &mut desk,
        "customers.create",
        json!({"name": "堃", "phones": ["13812345678"], "address": "北京市朝阳区\n望京 SOHO"}),
    );
    let out = call(&mut desk, "customers.export", json!({}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out["content_base64"].as_str().unwrap())
        .unwrap();
    let file = folder.join(out["file_name"].as_str().unwrap());
    std::fs::write(&file, bytes).unwrap();

    let mut other = Desk::open_dir(&folder.join("新电脑")).unwrap();
    let report = import_file(&mut other, &file);
    assert_eq!(report["added"]["customers"], 1, "{report}");
    assert_eq!(names(&mut other, "堃"), ["堃"]);
}

/// Windows keeps an open file from being deleted or replaced (Linux does not): the data
/// folder can only be copied to a new PC, or a backup restored over it, with the program
/// closed. This is why the README says "close 售后服务台 first".
#[cfg(windows)]
#[test]
fn an_open_database_cannot_be_deleted_on_windows() {
    let root = tempfile::tempdir().unwrap();
    let dir = chinese_folder(root.path());
    let desk = Desk::open_dir(&dir).unwrap();
    let file = dir.join(aftersales::DB_FILE);
    assert!(std::fs::remove_file(&file).is_err());
    drop(desk);
    std::fs::remove_file(&file).unwrap();
}

/// Another program holds `desk.db` without sharing it (a copy tool, a backup program, a
/// database viewer): opening the desk fails with the storage error that names the file,
/// in Chinese, and does not panic; once the file is free, the desk opens.
#[cfg(windows)]
#[test]
fn a_database_held_by_another_program_is_a_storage_error_naming_the_file() {
    use std::os::windows::fs::OpenOptionsExt;

    let root = tempfile::tempdir().unwrap();
    let dir = chinese_folder(root.path());
    drop(Desk::open_dir(&dir).unwrap());
    let file = dir.join(aftersales::DB_FILE);
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .share_mode(0)
        .open(&file)
        .unwrap();
    let err = match Desk::open_dir(&dir) {
        Ok(_) => panic!("{} is held without sharing, yet it opened", file.display()),
        Err(e) => e.to_json(),
    };
    assert_eq!(err["code"], "storage", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("售后 数据"), "{message}");
    drop(held);
    Desk::open_dir(&dir).unwrap();
}

/// Issue 17 on Windows: names beyond GBK (Extensions A, B and E) print from the fonts
/// compiled into the binary, with no font installed; a character no font has prints as its
/// boxed code and is listed; the system fonts looked in are only files that exist (under
/// `%SystemRoot%\Fonts` on Windows; none elsewhere).
#[test]
fn every_name_prints_on_windows_from_the_fonts_compiled_in() {
    let mut t = crate::util::desk();
    let o = crate::slips::completed_order(&mut t, "刘䶮𠮷𬌗\u{F0000}", "广州", 0);
    let out = t.ok("slips.print", json!({"order_id": o, "format": "a4"}));
    assert_eq!(out["unprintable"], json!(["U+F0000"]), "{out:#}");
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(out["content_base64"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // WenQuanYi and the two Hanazono cuts, each embedded once.
    let fonts = pdf.windows(10).filter(|w| w == b"/FontFile2").count();
    assert_eq!(fonts, 3);
    assert!(pdf.len() <= 60 * 1024, "{} bytes", pdf.len());
    let files = aftersales::platform::pdf::system_font_files();
    assert!(files.iter().all(|f| f.is_file()), "{files:?}");
    #[cfg(windows)]
    {
        let root = std::env::var_os("SystemRoot").or_else(|| std::env::var_os("windir"));
        let fonts_dir = PathBuf::from(root.expect("SystemRoot is set")).join("Fonts");
        assert!(files.iter().all(|f| f.starts_with(&fonts_dir)), "{files:?}");
        eprintln!("system fonts looked in: {files:?}");
        // Where Segoe UI Symbol is installed (every Windows since 7; not Wine's own C:
        // drive), ☺ (none of the compiled fonts has it) comes from it instead of a box.
        if files.iter().any(|f| f.ends_with("seguisym.ttf")) {
            let smile = crate::slips::completed_order(&mut t, "王☺", "广州", 0);
            let out = t.ok("slips.print", json!({"order_id": smile, "format": "a4"}));
            assert_eq!(out["unprintable"], json!([]), "{out:#}");
        }
    }
    #[cfg(not(windows))]
    assert!(files.is_empty(), "{files:?}");
}
