//! Slips from the command line: `aftersales call slips.print … --out FILE` writes the PDF,
//! and `send: true` hands it to CUPS' `lp` after the print is committed: here to the real
//! CUPS server `cargo xtask` starts (xtask/src/cups.rs), whose cups-pdf queue turns each
//! job into a PDF, read back with poppler (page size, text).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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

/// The queue of `cargo xtask`'s CUPS server (xtask/src/cups.rs: `CUPS_SERVER`, inherited
/// by the `aftersales` started here and by its `lp`) and the folder its PDFs land in; None
/// (said) when not run under it, a failure under xtask.
fn cups() -> Option<(String, PathBuf)> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (var("AFTERSALES_CUPS_QUEUE"), var("AFTERSALES_CUPS_PDF_DIR")) {
        (Some(q), Some(d)) if var("CUPS_SERVER").is_some() => Some((q, PathBuf::from(d))),
        _ if var("AFTERSALES_XTASK").is_some() => {
            panic!("no CUPS queue: cargo xtask starts one and sets AFTERSALES_CUPS_QUEUE")
        }
        _ => {
            eprintln!("no CUPS queue (CUPS_SERVER, AFTERSALES_CUPS_QUEUE): see cargo xtask cups");
            None
        }
    }
}

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect()
}

/// The PDF the queue makes of the job `request` (`AftersalesPDF-12`): cups-pdf names it
/// after the job's number; waited for (bounded) until complete.
fn queued_pdf(dir: &Path, request: &str) -> PathBuf {
    let job = request
        .split_whitespace()
        .find_map(|w| w.rsplit_once('-').and_then(|(_, n)| n.parse::<u32>().ok()))
        .unwrap_or_else(|| panic!("no job number in {request}"));
    let suffix = format!("job_{job}.pdf");
    let started = Instant::now();
    loop {
        if let Some(p) = pdfs(dir)
            .into_iter()
            .find(|p| p.to_string_lossy().ends_with(&suffix))
        {
            let size = std::fs::metadata(&p).unwrap().len();
            std::thread::sleep(Duration::from_millis(300));
            if size > 0 && std::fs::metadata(&p).unwrap().len() == size {
                return p;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no {suffix} from the queue in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `pdfinfo`'s page size, in points (rounded).
fn page_size(file: &Path) -> (u32, u32) {
    let out = Command::new("pdfinfo").arg(file).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or_else(|| panic!("{info}"));
    let n: Vec<f32> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0].round() as u32, n[1].round() as u32)
}

#[test]
fn a_slip_sent_to_the_printer_set_for_its_paper_lands_in_the_real_cups_queue() {
    let Some((queue, out)) = cups() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let id = order(dir.path());
    // A printer the server does not have: CUPS' own refusal reaches the clerk, and the
    // slip is recorded anyway (the print was committed before the printer was asked) but
    // not printed.
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"a4": "Front-Desk"}}),
    );
    let (ok, e) = call_env(
        dir.path(),
        None,
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

    // The printer set right: the same slip, printed as the original, on A4.
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"a4": queue}}),
    );
    let (ok, v) = call_env(
        dir.path(),
        None,
        "slips.print",
        json!({"order_id": id, "format": "a4", "send": true}),
        None,
    );
    assert!(ok, "{v}");
    let sent = v["sent"].as_str().unwrap();
    assert!(
        sent.starts_with(&format!("request id is {queue}-")),
        "{sent}"
    );
    assert_eq!(v["reprint"], 0);
    let pdf = queued_pdf(&out, sent);
    // A4 is 595 × 842 points.
    assert_eq!(page_size(&pdf), (595, 842));
    let text: String = pdftotext(&pdf)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for expected in ["服务维修单", "售后服务中心", "赵玥"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(
        !text.contains("补打"),
        "the original, not a reprint: {text}"
    );

    // The 80 mm receipt: on a custom paper 80 mm wide (226.8 points; Ghostscript writes
    // whole points), as long as it is.
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"thermal": queue}}),
    );
    let (ok, v) = call_env(
        dir.path(),
        None,
        "slips.print",
        json!({"order_id": id, "format": "thermal", "send": true}),
        None,
    );
    assert!(ok, "{v}");
    let pdf = queued_pdf(&out, v["sent"].as_str().unwrap());
    let (w, h) = page_size(&pdf);
    assert!((226..=227).contains(&w), "80 mm wide: {w} pt");
    assert!(h > 200 && h < 1000, "as long as the receipt: {h} pt");
}

// f14 (issue 16): the slip is spooled in the data folder's spool, owner-only, under a name
// nobody can guess, and gone once `lp` has taken the job; the print system gets the
// printer as one argument. Seen by an `lp` on PATH that notes what it was given and then
// hands it to the real `lp` (and the real queue).
#[test]
fn f14_a_spooled_slip_is_private_and_gone_after_printing() {
    let Some((queue, out)) = cups() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let id = order(dir.path());
    call(
        dir.path(),
        "settings.save",
        json!({"printers": {"a4": queue}}),
    );
    let real_lp = ["/usr/bin/lp", "/bin/lp"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("CUPS' lp");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.path().join("lp.seen");
    let lp = bin.join("lp");
    // Records each argument on its own line, then the file's mode as lp found it.
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\nfor a; do echo \"$a\"; done > '{log}'\nfor last; do :; done\nstat -c '%a' \"$last\" >> '{log}'\nexec {real_lp} \"$@\"\n",
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
        lines[..8],
        [
            "-d",
            queue.as_str(),
            "-o",
            "media=A4",
            "-o",
            "print-scaling=none",
            "-t",
            "服务单-FW2026000001"
        ]
    );
    let spooled = Path::new(lines[8]);
    let spool = dir.path().join("spool");
    assert_eq!(spooled.parent(), Some(spool.as_path()), "{seen}");
    let name = spooled.file_name().unwrap().to_string_lossy();
    assert!(
        !name.contains("FW2026000001") && name.len() >= 32,
        "an unguessable name: {name}"
    );
    assert_eq!(lines[9], "600", "the spooled slip was owner-only: {seen}");
    let mode = std::fs::metadata(&spool).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let left: Vec<_> = std::fs::read_dir(&spool).unwrap().collect();
    assert!(
        left.is_empty(),
        "the spool is empty after printing: {left:?}"
    );
    // And the job reached the queue.
    let pdf = queued_pdf(&out, v["sent"].as_str().unwrap());
    assert_eq!(page_size(&pdf), (595, 842));
}
