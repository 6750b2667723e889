//! Issue 18 (escpos): an ESC/POS label printer known to the system by name, fed raw. A
//! real CUPS scheduler (Debian's `cups`, started here with a configuration of its own in a
//! temporary folder, reached through `CUPS_SERVER`) has a raw queue whose device is a TCP
//! listener of this test (`socket://127.0.0.1:PORT`, as a network receipt printer would
//! be): `aftersales call parts.labels {send: true}` goes through `lp -o raw`, CUPS and its
//! socket backend, and the listener receives the ESC/POS bytes unchanged. A queue CUPS
//! does not know is refused in Chinese, naming it, and nothing is recorded. The Windows
//! build does the same under Wine through the spooler's API (`OpenPrinterW`,
//! `StartDocPrinterW` with the RAW datatype, `WritePrinter`): Wine hands the job to the
//! same CUPS queue.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// A private cupsd, stopped when dropped.
struct Cups {
    child: Child,
    socket: PathBuf,
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn program(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

/// Starts cupsd in `dir`, or None (with a note) where CUPS is not installed; under
/// `cargo xtask test` (which installs it) a missing CUPS fails instead.
fn cups(dir: &Path) -> Option<Cups> {
    let Some(cupsd) = program("cupsd").filter(|_| program("lp").is_some()) else {
        assert!(
            std::env::var_os("AFTERSALES_XTASK").is_none(),
            "cupsd and lp (Debian's cups) are needed under cargo xtask test"
        );
        eprintln!("note: cupsd or lp not installed: RAW printing through CUPS not tried");
        return None;
    };
    // The backends run as `lp`: they must reach the spooled job.
    for sub in ["spool", "cache", "state", "log", "etc"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.join("spool"), std::fs::Permissions::from_mode(0o777))
            .unwrap();
    }
    let socket = dir.join("cups.sock");
    let d = dir.display();
    std::fs::write(
        dir.join("etc/cupsd.conf"),
        format!(
            "Listen {}\nLogLevel warn\nErrorLog {d}/log/error_log\nAccessLog {d}/log/access_log\n\
             PageLog {d}/log/page_log\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
             <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
            socket.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("etc/cups-files.conf"),
        format!(
            "RequestRoot {d}/spool\nCacheDir {d}/cache\nStateDir {d}/state\nTempDir {d}/spool\n\
             ErrorLog {d}/log/error_log\nAccessLog {d}/log/access_log\nPageLog {d}/log/page_log\n\
             User lp\nGroup lp\nSandboxing relaxed\n"
        ),
    )
    .unwrap();
    let child = Command::new(cupsd)
        .arg("-f")
        .arg("-c")
        .arg(dir.join("etc/cupsd.conf"))
        .arg("-s")
        .arg(dir.join("etc/cups-files.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cupsd");
    let cups = Cups { child, socket };
    // Ready when it answers: `lpstat -r` says "scheduler is running".
    for _ in 0..200 {
        let out = Command::new("lpstat")
            .arg("-r")
            .env("CUPS_SERVER", &cups.socket)
            .output()
            .expect("lpstat");
        if String::from_utf8_lossy(&out.stdout).contains("is running") {
            return Some(cups);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "cupsd did not start: {}",
        std::fs::read_to_string(dir.join("log/error_log")).unwrap_or_default()
    );
}

fn call(data: &Path, cups: &Cups, command: &str, args: Value) -> (bool, Value) {
    run(
        Command::new(env!("CARGO_BIN_EXE_aftersales"))
            .arg("--data-dir")
            .arg(data),
        cups,
        command,
        args,
    )
}

/// `aftersales call COMMAND ARGS` as `program` has been set up to start it.
fn run(program: &mut Command, cups: &Cups, command: &str, args: Value) -> (bool, Value) {
    let out = program
        .env_remove("AFTERSALES_DATA_DIR")
        .env("AFTERSALES_CLOCK", "2026-11-23T10:00:00+08:00")
        .env("CUPS_SERVER", &cups.socket)
        .args(["call", command, &args.to_string()])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn labels_fed_raw_to_a_cups_queue_reach_the_printer_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(cups) = cups(&tmp.path().join("cups")) else {
        return;
    };
    let printer = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = printer.local_addr().unwrap().port();
    let receiver = std::thread::spawn(move || {
        let (mut conn, _) = printer.accept().expect("CUPS' socket backend connects");
        let mut job = Vec::new();
        conn.read_to_end(&mut job).unwrap();
        job
    });
    let added = Command::new("lpadmin")
        .args(["-p", "XP-80C", "-E", "-v"])
        .arg(format!("socket://127.0.0.1:{port}"))
        .args(["-m", "raw"])
        .env("CUPS_SERVER", &cups.socket)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let data = tmp.path().join("desk");
    let (ok, part) = call(
        &data,
        &cups,
        "parts.save",
        json!({"code": "P-7731", "name": "燃气热水器水流传感器总成", "unit": "个", "bin": "A-03-2",
               "barcode": "6901234567892"}),
    );
    assert!(ok, "{part}");

    // A queue CUPS does not know: refused naming it, nothing recorded.
    let (ok, _) = call(
        &data,
        &cups,
        "settings.save",
        json!({"printers": {"label": "no-such-queue"}, "printer_kinds": {"label": "escpos_raw"}}),
    );
    assert!(ok);
    let (ok, e) = call(
        &data,
        &cups,
        "parts.labels",
        json!({"part_ids": [part["id"]], "send": true}),
    );
    assert!(!ok);
    assert_eq!(e["field"], "printer", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("打印到“no-such-queue”失败："),
        "{e}"
    );

    let (ok, _) = call(
        &data,
        &cups,
        "settings.save",
        json!({"printers": {"label": "XP-80C"}}),
    );
    assert!(ok);
    let (ok, out) = call(
        &data,
        &cups,
        "parts.labels",
        json!({"part_ids": [part["id"]], "send": true}),
    );
    assert!(ok, "{out}");
    assert!(
        out["sent"]
            .as_str()
            .unwrap()
            .starts_with("request id is XP-80C-"),
        "{out}"
    );
    let job = receiver.join().unwrap();
    assert_eq!(&job[..4], b"\x1b@\x1c&");
    assert!(contains(&job, b"\x1bE\x01\x1d!\x11P-7731\n"));
    assert!(contains(&job, &gbk("燃气热水器水流传感器总成\n")));
    assert!(contains(&job, b"\x1dkI\x0f{B6901234567892"));
    assert!(job.ends_with(b"\x1bd\x06\x1dV\x01"));
    // Only the run the printer took is in the audit trail.
    let db = rusqlite::Connection::open(data.join("desk.db")).unwrap();
    let runs: i64 = db
        .query_row(
            "SELECT count(*) FROM audit_entry WHERE action = 'labels'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 1);
}

/// `AFTERSALES_WINE_EXE`: the Windows `aftersales.exe` (with the bcryptprimitives shim
/// beside it for Wine 8), when the Windows build has been made; else the test says so.
#[test]
fn under_wine_the_windows_build_feeds_labels_raw_through_the_spooler_to_cups() {
    let Some(exe) = std::env::var_os("AFTERSALES_WINE_EXE").map(PathBuf::from) else {
        eprintln!(
            "note: AFTERSALES_WINE_EXE not set: the Windows spooler's RAW path not tried under Wine"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(cups) = cups(&tmp.path().join("cups")) else {
        return;
    };
    let printer = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = printer.local_addr().unwrap().port();
    let receiver = std::thread::spawn(move || {
        let (mut conn, _) = printer.accept().expect("CUPS' socket backend connects");
        let mut job = Vec::new();
        conn.read_to_end(&mut job).unwrap();
        job
    });
    let added = Command::new("lpadmin")
        .args(["-p", "XP80C", "-E", "-v"])
        .arg(format!("socket://127.0.0.1:{port}"))
        .args(["-m", "raw"])
        .env("CUPS_SERVER", &cups.socket)
        .output()
        .unwrap();
    assert!(added.status.success());
    // Wine sees CUPS' queues as Windows printers of the same name.
    let data = format!("Z:{}", tmp.path().join("desk").display());
    let prefix = tmp.path().join("prefix");
    let wine = |command: &str, args: Value| {
        let mut cmd = Command::new("wine");
        cmd.arg(&exe)
            .arg("--data-dir")
            .arg(&data)
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        let (ok, v) = run(&mut cmd, &cups, command, args);
        assert!(ok, "{command}: {v}");
        v
    };
    let part = wine(
        "parts.save",
        json!({"code": "P-7731", "name": "燃气热水器水流传感器总成", "unit": "个", "bin": "A-03-2",
               "barcode": "6901234567892"}),
    );
    wine(
        "settings.save",
        json!({"printers": {"label": "XP80C"}, "printer_kinds": {"label": "escpos_raw"}}),
    );
    let out = wine(
        "parts.labels",
        json!({"part_ids": [part["id"]], "send": true}),
    );
    // What our spooler code says once EndDocPrinter succeeded: the printer and the job.
    assert!(
        out["sent"]
            .as_str()
            .unwrap()
            .starts_with("已发送到XP80C（任务 "),
        "{out}"
    );
    let job = receiver.join().unwrap();
    assert_eq!(&job[..4], b"\x1b@\x1c&");
    assert!(contains(&job, &gbk("燃气热水器水流传感器总成\n")));
    assert!(contains(&job, b"\x1dkI\x0f{B6901234567892"));
    assert!(job.ends_with(b"\x1bd\x06\x1dV\x01"));
}
