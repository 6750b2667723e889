//! Slips from the command line: `aftersales call slips.print … --out FILE` writes the PDF,
//! and `send: true` hands it to CUPS' `lp` after the print is committed (here an `lp` on
//! PATH that refuses, or records what it was given, since this machine has no print
//! server; the real `lp` takes the same arguments).

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

fn call_env(
    dir: &Path,
    path_var: Option<&str>,
    command: &str,
    args: Value,
    out: Option<&Path>,
) -> (bool, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR")
        .env("AFTERSALES_CLOCK", "2026-11-23T10:00:00+08:00")
        .args(["call", command, &args.to_string()]);
    if let Some(out) = out {
        cmd.arg("--out").arg(out);
    }
    if let Some(p) = path_var {
        cmd.env("PATH", p);
    }
    let out = cmd.output().unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

fn call(dir: &Path, command: &str, args: Value) -> Value {
    let (ok, v) = call_env(dir, None, command, args, None);
    assert!(ok, "{command}: {v}");
    v
}

fn pdftotext(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// A registered order of a customer with a rare-character name.
fn order(dir: &Path) -> i64 {
    call(
        dir,
        "customers.create",
        json!({"name": "赵玥", "phones": ["13812345678"], "address": "北京市西城区"}),
    );
    call(
        dir,
        "orders.create",
        json!({"customer_id": 1, "fault": "不加热", "mode": "carry_in", "confirmed": true}),
    )["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_slip_pdf_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let id = order(dir.path());
    let file = dir.path().join("slip.pdf");
    let (ok, v) = call_env(
        dir.path(),
        None,
        "slips.print",
        json!({"order_id": id, "format": "thermal"}),
        Some(&file),
    );
    assert!(ok, "{v}");
    assert_eq!(v["saved_to"], file.display().to_string());
    assert_eq!(v["content_base64"], Value::Null);
    let text = pdftotext(&file);
    assert!(
        text.contains("FW2026000001") && text.contains("赵玥"),
        "{text}"
    );
    // A command that makes no file refuses --out.
    let (ok, e) = call_env(
        dir.path(),
        None,
        "orders.get",
        json!({"id": id}),
        Some(&file),
    );
    assert!(!ok);
    assert_eq!(e["code"], "bad_request");
}

#[test]
fn sending_a_slip_to_the_printer_set_for_its_paper() {
    let dir = tempfile::tempdir().unwrap();
    let id = order(dir.path());
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"a4": "Front-Desk"}}),
    );
    // An `lp` on PATH: first one that refuses, then one that keeps its arguments and a
    // copy of the file.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.path().join("lp.args");
    let copy = dir.path().join("lp.pdf");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // A printer that refuses: the clerk sees why, and that the slip is recorded anyway
    // (the print was committed before the printer was asked) but not printed.
    let (ok, e) = call_env(
        dir.path(),
        Some(&path),
        "slips.print",
        json!({"order_id": id, "format": "a4", "send": true}),
        None,
    );
    assert!(!ok);
    assert_eq!(e["field"], "printer");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("Front-Desk"), "{e}");
    assert!(
        message.contains("The printer or class does not exist"),
        "{e}"
    );
    assert!(
        message.starts_with("服务单 FW2026000001 已记录，但没有打印出来"),
        "{e}"
    );
    let slips = call(dir.path(), "slips.list", json!({"order_id": id}));
    assert_eq!(slips["items"][0]["number"], "FW2026000001");

    // The printer works again: the same slip, printed as the original.
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nfor last; do :; done\ncp \"$last\" '{}'\necho 'request id is Front-Desk-7 (1 file(s))'\n",
            log.display(),
            copy.display()
        ),
    )
    .unwrap();
    let (ok, v) = call_env(
        dir.path(),
        Some(&path),
        "slips.print",
        json!({"order_id": id, "format": "a4", "send": true}),
        None,
    );
    assert!(ok, "{v}");
    assert_eq!(v["sent"], "request id is Front-Desk-7 (1 file(s))");
    assert_eq!(v["reprint"], 0);
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(
        args.starts_with("-d Front-Desk -t 服务单-FW2026000001 "),
        "{args}"
    );
    let text = pdftotext(&copy);
    assert!(text.contains("FW2026000001"), "{text}");
    assert!(
        !text.contains("补打"),
        "the original, not a reprint: {text}"
    );
}

// f14 (issue 16): the slip is spooled in the data folder's spool, owner-only, under a name
// nobody can guess, and gone once `lp` has taken the job; the print system gets the
// printer as one argument.
#[test]
fn f14_a_spooled_slip_is_private_and_gone_after_printing() {
    let dir = tempfile::tempdir().unwrap();
    let id = order(dir.path());
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"a4": "Front Desk (前台)"}}),
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.path().join("lp.seen");
    let lp = bin.join("lp");
    // Records each argument on its own line, then the file's mode as lp found it.
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\nfor a; do echo \"$a\"; done > '{log}'\nfor last; do :; done\nstat -c '%a' \"$last\" >> '{log}'\necho 'request id is Front-8 (1 file(s))'\n",
            log = log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (ok, v) = call_env(
        dir.path(),
        Some(&path),
        "slips.print",
        json!({"order_id": id, "format": "a4", "send": true}),
        None,
    );
    assert!(ok, "{v}");
    let seen = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(
        lines[..4],
        ["-d", "Front Desk (前台)", "-t", "服务单-FW2026000001"]
    );
    let spooled = Path::new(lines[4]);
    let spool = dir.path().join("spool");
    assert_eq!(spooled.parent(), Some(spool.as_path()), "{seen}");
    let name = spooled.file_name().unwrap().to_string_lossy();
    assert!(
        !name.contains("FW2026000001") && name.len() >= 32,
        "an unguessable name: {name}"
    );
    assert_eq!(lines[5], "600", "the spooled slip was owner-only: {seen}");
    let mode = std::fs::metadata(&spool).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let left: Vec<_> = std::fs::read_dir(&spool).unwrap().collect();
    assert!(
        left.is_empty(),
        "the spool is empty after printing: {left:?}"
    );
}
