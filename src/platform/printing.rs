//! Sending a paper's [`Drawing`] to a printer without a dialog ([`send`] with a
//! [`PrintJob`]: the printer set for its paper format in the settings, or the system's
//! default printer; copies).
//!
//! No shell ever runs, and no text of a program is ever built from a setting: the printer's
//! name reaches the OS as one argument of its own.
//!
//! - Linux and other Unix: the drawing's PDF to CUPS' `lp`, started directly with its
//!   arguments as separate argv elements (`lp -d PRINTER -n COPIES -o media=A5 -o
//!   print-scaling=none -t TITLE FILE`: the paper of the first page, actual size); no
//!   shell reads them.
//! - Windows: the drawing drawn on the printer's page through GDI and the print spooler
//!   ([`super::gdi`]): the printer's status checked first, the paper from the page size,
//!   actual size, our own fonts, copies; no PDF, no PDF reader, no file. (Until issue 18
//!   the PDF went to the shell's `printto` verb, which on a Windows with only Edge as its
//!   PDF reader opened a window instead of printing.)
//!
//! A printer name is checked when it is saved ([`printer_name`]) and again before it is
//! used (a value edited into the file by hand): no control characters, no quotes of any
//! kind, none of the characters a shell or a command line gives a meaning to.
//!
//! On Linux the PDF is spooled into the data folder (`<data>/spool/`, owner-only), under a
//! name nobody can guess, and deleted as soon as `lp` has answered (CUPS copies a job into
//! its own spool before `lp` returns). What a crash leaves behind is swept at the next
//! start ([`sweep`]: spool files older than a day).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::pdf::Drawing;

/// The spool folder inside the data folder.
pub const SPOOL_FOLDER: &str = "spool";
/// A spooled file older than this is left over from a crash: removed at start.
pub const SPOOL_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest printer name taken, characters (CUPS allows 127; Windows' share names are
/// shorter than that).
pub const PRINTER_NAME_MAX: usize = 127;

/// Characters a printer name never needs and a shell or a command line reads as syntax:
/// every kind of quote (ASCII, typographic, low-9, reversed, guillemets, full-width, CJK
/// corner brackets), and `; # $ ` | & < > % ^ * ?`.
const REFUSED: &[char] = &[
    '\'', '"', '`', '‘', '’', '‚', '‛', '“', '”', '„', '‟', '‹', '›', '«', '»', '＂', '＇', '′',
    '″', '〝', '〞', '〟', '「', '」', '『', '』', ';', '#', '$', '|', '&', '<', '>', '%', '^',
    '*', '?',
];

/// The spool folder of the data folder `data_dir`.
pub fn spool_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(SPOOL_FOLDER)
}

/// Checks a printer name as typed on the 设置 screen for `what` (A4打印机, 热敏纸打印机…;
/// empty: 打印机):
/// trimmed, at most [`PRINTER_NAME_MAX`] characters, no control characters, none of
/// [`REFUSED`], not starting with `-` (so no program can take it for an option). Empty is
/// allowed: the system's default printer. The error names the field `printers`.
pub fn printer_name(what: &str, value: &str) -> Result<String> {
    let name = value.trim();
    let what = if what.is_empty() { "打印机" } else { what };
    let bad = |why: String| Error::invalid("printers", format!("{what}名称{why}"));
    let count = name.chars().count();
    if count > PRINTER_NAME_MAX {
        return Err(bad(format!(
            "太长（{count} 个字符），最多 {PRINTER_NAME_MAX} 个字符"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("不能含有换行、制表符等控制字符".into()));
    }
    if let Some(c) = name.chars().find(|c| REFUSED.contains(c)) {
        return Err(bad(format!(
            "不能含有“{c}”：打印机名称里不能有引号，也不能有 ; # $ ` | & < > % ^ * ? 这些符号"
        )));
    }
    if name.starts_with('-') {
        return Err(bad("不能以“-”开头".into()));
    }
    Ok(name.to_string())
}

/// Spooler status bits of a Windows printer (`PRINTER_INFO_2.Status`) that mean a job
/// would not print now, and the attribute of a printer set to work offline.
pub mod status {
    pub const PAUSED: u32 = 0x1;
    pub const ERROR: u32 = 0x2;
    pub const PENDING_DELETION: u32 = 0x4;
    pub const PAPER_JAM: u32 = 0x8;
    pub const PAPER_OUT: u32 = 0x10;
    pub const PAPER_PROBLEM: u32 = 0x40;
    pub const OFFLINE: u32 = 0x80;
    pub const NOT_AVAILABLE: u32 = 0x1000;
    pub const NO_TONER: u32 = 0x40000;
    pub const USER_INTERVENTION: u32 = 0x100000;
    pub const DOOR_OPEN: u32 = 0x400000;
    pub const SERVER_UNKNOWN: u32 = 0x800000;
    /// `PRINTER_INFO_2.Attributes`: 脱机使用打印机 ticked.
    pub const ATTRIBUTE_WORK_OFFLINE: u32 = 0x400;
}

/// What keeps `printer` from printing now, in the words the clerk reads, from its spooler
/// `status` and `attributes` (Windows' `PRINTER_INFO_2`); `None` when it is ready. The
/// most pressing first: offline before out of paper before paused.
pub fn printer_problem(printer: &str, status: u32, attributes: u32) -> Option<String> {
    use status::*;
    let has = |bit: u32| status & bit != 0;
    let why = if has(OFFLINE)
        || has(NOT_AVAILABLE)
        || has(SERVER_UNKNOWN)
        || attributes & ATTRIBUTE_WORK_OFFLINE != 0
    {
        "处于脱机状态：请检查打印机的电源和数据线（或网络），并在 Windows 的“打印机和扫描仪”中取消“脱机使用打印机”"
    } else if has(PAPER_OUT) {
        "缺纸：请装好纸后再打印"
    } else if has(PAPER_JAM) {
        "卡纸：请取出卡住的纸后再打印"
    } else if has(PAPER_PROBLEM) {
        "纸张有问题：请检查纸张后再打印"
    } else if has(DOOR_OPEN) {
        "机盖打开着：请合上后再打印"
    } else if has(NO_TONER) {
        "缺墨或缺碳粉：请更换后再打印"
    } else if has(PAUSED) {
        "已暂停：请在 Windows 的“打印机和扫描仪”中打开它的打印队列，选择“继续”后再打印"
    } else if has(PENDING_DELETION) {
        "正在被删除：请在 设置 → 打印机 中改选一台"
    } else if has(ERROR) || has(USER_INTERVENTION) {
        "报告了错误，需要处理：请查看打印机上的提示"
    } else {
        return None;
    };
    Some(format!("打印机“{printer}”{why}"))
}

/// CUPS' name for the paper of a `w` × `h` mm page: `A4` and `A5` (either way round;
/// CUPS turns a landscape page onto them), any other size `Custom.WxHmm` (the 241 mm
/// continuous form, the 80 mm roll as long as the receipt).
pub fn lp_media(w: f32, h: f32) -> String {
    let near = |a: f32, b: f32| (a - b).abs() < 1.0;
    let (short, long) = (w.min(h), w.max(h));
    if near(short, 210.0) && near(long, 297.0) {
        return "A4".into();
    }
    if near(short, 148.0) && near(long, 210.0) {
        return "A5".into();
    }
    let mm = |v: f32| {
        let v = (v * 10.0).round() / 10.0;
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    format!("Custom.{}x{}mm", mm(w), mm(h))
}

/// The arguments of CUPS' `lp` for printing `copies` of `file` as `title` on `printer`
/// (None: the default printer) on the paper of a `page` (w, h mm; None: the printer's
/// own), at actual size, one argv element each. A name that does not pass
/// [`printer_name`] is refused.
pub fn lp_arguments(
    file: &Path,
    title: &str,
    printer: Option<&str>,
    copies: u32,
    page: Option<(f32, f32)>,
) -> Result<Vec<OsString>> {
    let mut args: Vec<OsString> = Vec::new();
    if let Some(p) = printer {
        args.push("-d".into());
        args.push(printer_name("", p)?.into());
    }
    if copies > 1 {
        args.push("-n".into());
        args.push(copies.to_string().into());
    }
    if let Some((w, h)) = page {
        args.push("-o".into());
        args.push(format!("media={}", lp_media(w, h)).into());
        args.push("-o".into());
        args.push("print-scaling=none".into());
    }
    args.push("-t".into());
    args.push(title.into());
    args.push(file.as_os_str().to_owned());
    Ok(args)
}

/// Removes the spooled files in `data_dir`'s spool older than [`SPOOL_MAX_AGE`] at `now`
/// (the desk's clock): what a crash or a reader that never ended left there. Best effort
/// (a file still open in a PDF reader on Windows stays until the next time).
pub fn sweep(data_dir: &Path, now: chrono::DateTime<chrono::Utc>) {
    let Ok(entries) = std::fs::read_dir(spool_dir(data_dir)) else {
        return;
    };
    let max_age = chrono::Duration::from_std(SPOOL_MAX_AGE).unwrap_or(chrono::Duration::MAX);
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .map(chrono::DateTime::<chrono::Utc>::from)
            .is_some_and(|at| now - at > max_age);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn printer_error(message: String) -> Error {
    Error::invalid("printer", message)
}

/// How a drawing is printed: on which printer (None: the system's default printer), how
/// many copies the print system makes of it (1–99).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrintJob {
    pub printer: Option<String>,
    pub copies: u32,
}

impl Default for PrintJob {
    fn default() -> Self {
        PrintJob {
            printer: None,
            copies: 1,
        }
    }
}

/// The most copies one job asks the print system for.
pub const MAX_COPIES: u32 = 99;

/// Prints `drawing` as `title` on the printer `job` names, spooled in the data folder
/// `data_dir` where the print system needs a file. Returns what the print system said
/// (e.g. `request id is Office-12 (1 file(s))`); `Ok` only once the print system has
/// accepted the job.
pub fn send(data_dir: &Path, title: &str, drawing: &Drawing, job: &PrintJob) -> Result<String> {
    // Checked before anything is written: a bad name or count spools nothing.
    let printer = match job.printer.as_deref() {
        Some(p) => Some(printer_name("", p).map_err(|e| printer_error(e.to_string()))?),
        None => None,
    };
    if !(1..=MAX_COPIES).contains(&job.copies) {
        return Err(printer_error(format!(
            "打印份数应为 1 到 {MAX_COPIES} 份，收到 {}",
            job.copies
        )));
    }
    drawing.check()?;
    let said = hand_over(data_dir, title, drawing, printer.as_deref(), job.copies)?;
    Ok(if said.is_empty() {
        format!("已发送到{}", printer.as_deref().unwrap_or("默认打印机"))
    } else {
        said
    })
}

/// The PDF of `drawing`, spooled into the data folder, given to CUPS' `lp`. CUPS has its
/// copy of the job once `lp` returns: the spooled file goes then, printed or refused.
#[cfg(not(windows))]
fn hand_over(
    data_dir: &Path,
    title: &str,
    drawing: &Drawing,
    printer: Option<&str>,
    copies: u32,
) -> Result<String> {
    let bytes = drawing.to_pdf()?;
    let file = crate::platform::files::private_copy(&spool_dir(data_dir), "slip-", ".pdf", &bytes)?;
    let page = drawing.pages.first().map(|p| (p.w, p.h));
    let result = lp_arguments(&file, title, printer, copies, page).and_then(|args| {
        std::process::Command::new("lp")
            .args(args)
            .output()
            .map_err(|e| {
                printer_error(format!(
                    "无法启动打印（{e}）。请检查打印服务，或先下载 PDF 再打印"
                ))
            })
    });
    let _ = std::fs::remove_file(&file);
    let out = result?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let which = printer.unwrap_or("默认打印机");
        return Err(printer_error(format!("打印到“{which}”失败：{err}")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `drawing` drawn on the printer through GDI ([`super::gdi`]): no file, no PDF reader.
#[cfg(windows)]
fn hand_over(
    _data_dir: &Path,
    title: &str,
    drawing: &Drawing,
    printer: Option<&str>,
    copies: u32,
) -> Result<String> {
    super::gdi::print(title, drawing, printer, copies)
}
