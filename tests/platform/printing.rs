//! Printing without a script (issue 16, finding 4): the printer's name reaches the OS as one
//! argument of its own, never inside the text of a program, and a name carrying quotes or
//! a shell's syntax is refused when saved and again before use. A Windows printer's
//! spooler status becomes a Chinese message (issue 18).

use std::path::Path;

use aftersales::platform::pdf::{Drawing, Pdf, Style};
use aftersales::platform::printing::{self, PrintJob};
use serde_json::json;

use crate::util::desk;

/// What PowerShell ends a quoted string at (the typographic quotes included), and what a
/// shell reads as syntax.
const HOSTILE: &[&str] = &[
    "‘", "’", "‚", "‛", ";", "#", "$", "`", "'", "\"", "“", "”", "„", "|", "&", "<", ">", "%",
];

/// A one-page drawing to send.
fn a_page() -> Drawing {
    let at = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let mut pdf = Pdf::new("服务单-FW1", at);
    pdf.add_page(210.0, 297.0);
    pdf.text(20.0, 20.0, Style::new(12.0), "服务维修单");
    pdf.into_drawing()
}

// f04: `lp`'s arguments refuse each hostile character and carry a good name as one
// argument of its own; `send` refuses them too (on every OS, Windows' GDI path included)
// before anything is spooled, and so a count of copies out of 1–99.
#[test]
fn f04_the_printer_reaches_the_print_system_as_one_inert_argument_or_is_refused() {
    let file = Path::new("/home/desk/.local/share/aftersales/spool/slip-1.pdf");
    let dir = tempfile::tempdir().unwrap();
    let drawing = a_page();
    for bad in HOSTILE {
        for name in [
            format!("HP{bad}x"),
            format!("HP{bad}; Start-Process calc{bad}"),
            bad.to_string(),
        ] {
            let refused = printing::lp_arguments(file, "服务单-FW1", Some(&name), 1, None)
                .expect_err(&format!("{name} should be refused by lp"));
            assert_eq!(refused.field(), Some("printers"), "{name}");
            let job = PrintJob {
                printer: Some(name.clone()),
                copies: 1,
            };
            let refused = printing::send(dir.path(), "服务单-FW1", &drawing, &job)
                .expect_err(&format!("{name} should be refused by send"));
            assert_eq!(refused.field(), Some("printer"), "{name}");
        }
    }
    for copies in [0, printing::MAX_COPIES + 1] {
        let job = PrintJob {
            printer: Some("Front-Desk".into()),
            copies,
        };
        let refused = printing::send(dir.path(), "服务单-FW1", &drawing, &job).unwrap_err();
        assert!(
            refused.to_string().contains("打印份数应为 1 到 99 份"),
            "{refused}"
        );
    }
    assert!(
        !printing::spool_dir(dir.path()).exists()
            || std::fs::read_dir(printing::spool_dir(dir.path()))
                .unwrap()
                .next()
                .is_none(),
        "nothing spooled"
    );
    for good in [
        "HP LaserJet 1020 (前台)",
        r"\\print-server\Kyocera M2040",
        "Front-Desk_2.0",
        "映美 FP-630K+",
    ] {
        let lp = printing::lp_arguments(file, "服务单-FW1", Some(good), 1, None).unwrap();
        assert_eq!(lp[0], "-d");
        assert_eq!(lp[1], good);
        assert_eq!(lp[4], file.as_os_str());
    }
    let three = printing::lp_arguments(file, "服务单-FW1", None, 3, Some((80.0, 171.26))).unwrap();
    assert_eq!(
        three,
        [
            "-n",
            "3",
            "-o",
            "media=Custom.80x171.3mm",
            "-o",
            "print-scaling=none",
            "-t",
            "服务单-FW1",
            file.to_str().unwrap()
        ]
    );
    // The slips' papers by CUPS' names; A5 landscape is A5 (CUPS turns the page).
    assert_eq!(printing::lp_media(210.0, 297.0), "A4");
    assert_eq!(printing::lp_media(210.0, 148.0), "A5");
    assert_eq!(printing::lp_media(241.0, 279.4), "Custom.241x279.4mm");
}

// A Windows printer that cannot print now is named with what to do about it, in Chinese,
// from its spooler status (the bits of PRINTER_INFO_2, as Windows documents them).
#[test]
fn a_printer_offline_out_of_paper_or_paused_is_refused_with_what_to_do() {
    use printing::status::*;
    let said =
        |status: u32, attributes: u32| printing::printer_problem("前台 A4", status, attributes);
    assert_eq!(said(0, 0), None);
    // Printing (IO_ACTIVE 0x100, PRINTING 0x400) or warming up (0x10000) is no problem.
    assert_eq!(said(0x100 | 0x400 | 0x10000, 0), None);
    let offline = said(OFFLINE, 0).unwrap();
    assert!(
        offline.starts_with("打印机“前台 A4”处于脱机状态"),
        "{offline}"
    );
    assert_eq!(said(0, ATTRIBUTE_WORK_OFFLINE), Some(offline.clone()));
    assert_eq!(said(NOT_AVAILABLE, 0), Some(offline.clone()));
    // Offline says more than out of paper: it comes first.
    assert_eq!(said(OFFLINE | PAPER_OUT, 0), Some(offline));
    assert_eq!(
        said(PAPER_OUT, 0).unwrap(),
        "打印机“前台 A4”缺纸：请装好纸后再打印"
    );
    assert!(said(PAUSED, 0).unwrap().contains("已暂停"));
    assert!(said(PAPER_JAM, 0).unwrap().contains("卡纸"));
    assert!(said(DOOR_OPEN, 0).unwrap().contains("机盖打开"));
    assert!(said(NO_TONER, 0).unwrap().contains("缺墨"));
    assert!(said(ERROR, 0).unwrap().contains("报告了错误"));
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
