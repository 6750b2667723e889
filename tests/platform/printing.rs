//! Printing without a script (issue 16, finding 4): the printer's name reaches the OS as one
//! argument of its own, never inside the text of a program, and a name carrying quotes or
//! a shell's syntax is refused when saved and again before use.

use std::path::Path;

use aftersales::platform::printing::{self, ShellPrint};
use serde_json::json;

use crate::util::desk;

/// What PowerShell ends a quoted string at (the typographic quotes included), and what a
/// shell reads as syntax.
const HOSTILE: &[&str] = &[
    "‘", "’", "‚", "‛", ";", "#", "$", "`", "'", "\"", "“", "”", "„", "|", "&", "<", ">", "%",
];

// f04: the Windows invocation (built on every OS) refuses each hostile character, and a
// good name arrives as the verb's one quoted parameter.
#[test]
fn f04_the_windows_invocation_takes_the_printer_as_one_inert_argument_or_refuses_it() {
    let file = Path::new(r"C:\Users\前台\AppData\Roaming\com.aftersales.desk\spool\slip-1.pdf");
    for bad in HOSTILE {
        for name in [
            format!("HP{bad}x"),
            format!("HP{bad}; Start-Process calc{bad}"),
            bad.to_string(),
        ] {
            let refused = printing::windows_invocation(file, Some(&name))
                .expect_err(&format!("{name} should be refused"));
            assert_eq!(refused.field(), Some("printers"), "{name}");
            let refused = printing::lp_arguments(file, "服务单-FW1", Some(&name), 1)
                .expect_err(&format!("{name} should be refused by lp too"));
            assert_eq!(refused.field(), Some("printers"), "{name}");
        }
    }
    for good in [
        "HP LaserJet 1020 (前台)",
        r"\\print-server\Kyocera M2040",
        "Front-Desk_2.0",
        "映美 FP-630K+",
    ] {
        let shell = printing::windows_invocation(file, Some(good)).unwrap();
        assert_eq!(
            shell,
            ShellPrint {
                verb: "printto",
                file: file.to_path_buf(),
                parameters: Some(format!("\"{good}\"")),
            }
        );
        // One argument: its only quotes are the two around it.
        let p = shell.parameters.unwrap();
        assert_eq!(p.matches('"').count(), 2, "{p}");
        let lp = printing::lp_arguments(file, "服务单-FW1", Some(good), 1).unwrap();
        assert_eq!(lp[0], "-d");
        assert_eq!(lp[1], good);
        assert_eq!(lp[4], file.as_os_str());
    }
    let default = printing::windows_invocation(file, None).unwrap();
    assert_eq!(default.verb, "print");
    assert_eq!(default.parameters, None);
}

// f04: printer names are checked when saved, each refusal naming the field and the paper,
// nothing saved.
#[test]
fn f04_printer_names_are_checked_when_saved() {
    let mut t = desk();
    t.ok("settings.save", json!({"printers": {"a4": "Front-Desk"}}));
    let long = "P".repeat(printing::PRINTER_NAME_MAX + 1);
    let mut bad: Vec<String> = HOSTILE.iter().map(|c| format!("HP{c}1020")).collect();
    bad.extend([long, "HP\n1020".into(), "HP\u{7}".into(), "-oraw".into()]);
    for name in bad {
        let e = t.err("settings.save", json!({"printers": {"a4": name}}));
        assert_eq!(e["code"], "invalid", "{name}: {e}");
        assert_eq!(e["field"], "printers", "{name}: {e}");
        assert!(
            e["message"].as_str().unwrap().starts_with("A4打印机名称"),
            "{name}: {e}"
        );
    }
    let s = t.ok("settings.get", json!({}));
    assert_eq!(s["printers"]["a4"], "Front-Desk");
    let s = t.ok(
        "settings.save",
        json!({"printers": {"thermal": "  映美 FP-630K+ (前台)  "}}),
    );
    assert_eq!(s["printers"]["thermal"], "映美 FP-630K+ (前台)");
}

// f14: what a crash left in the spool for more than a day is swept when the data folder
// opens; younger files (a print in progress on another desk) stay.
#[test]
fn f14_stale_spool_files_are_swept_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let spool = printing::spool_dir(dir.path());
    std::fs::create_dir_all(&spool).unwrap();
    let old = spool.join("slip-old.pdf");
    let young = spool.join("slip-young.pdf");
    std::fs::write(&old, b"%PDF-").unwrap();
    std::fs::write(&young, b"%PDF-").unwrap();
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    let _desk = aftersales::Desk::open_dir(dir.path()).unwrap();
    assert!(!old.exists());
    assert!(young.exists());
}
