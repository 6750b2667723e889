//! Sending a paper's [`Drawing`] to a printer without a dialog ([`send`] with a
//! [`PrintJob`]: the printer set for its paper format in the settings, or the system's
//! default printer; copies).
//!
//! No shell ever runs, and no text of a program is ever built from a setting: the printer's
//! name reaches the OS as one argument of its own.
//!
//! - Linux and other Unix: the drawing's PDF to CUPS' `lp`, started directly with its
//!   arguments as separate argv elements (`lp -d PRINTER -n COPIES -t TITLE FILE`); no
//!   shell reads them.
//! - Windows: the shell's `printto` verb (`print` for the default printer) on the PDF,
//!   asked of the Windows API (`ShellExecuteExW`) with the printer as the verb's parameter.
//!   It is carried out by the PDF reader registered on that PC (Adobe Reader, Foxit and
//!   SumatraPDF print silently; see docs/WINDOWS.md for what could not be tried here).
//!   Until issue 16 this was a PowerShell script with the name quoted inside it, and
//!   PowerShell also ends a quoted string at ‘ ’ ‚ ‛: a printer name could run code.
//!
//! A printer name is checked when it is saved ([`printer_name`]) and again before it is
//! used (a value edited into the file by hand): no control characters, no quotes of any
//! kind, none of the characters a shell or a command line gives a meaning to.
//!
//! The PDF is spooled into the data folder (`<data>/spool/`, owner-only), under a name
//! nobody can guess, and deleted once the print system has it: CUPS copies a job into its
//! own spool before `lp` returns, so the file goes as soon as `lp` has answered; on
//! Windows the PDF reader reads it after `ShellExecuteExW` returns, so it is deleted when
//! the reader's process ends (or after a few minutes when the reader was already running
//! and no process is handed back). What a crash leaves behind is swept at the next start
//! ([`sweep`]: spool files older than a day).

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

/// What is asked of the Windows shell to print `file`: a verb on the file, with the
/// printer as the verb's parameter. Plain data, built (and tested) on every OS; only
/// Windows carries it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellPrint {
    /// `printto` with a printer, `print` for the default one.
    pub verb: &'static str,
    pub file: PathBuf,
    /// The printer, in double quotes so that the reader's registered command line
    /// (`"%1" "%2"`) takes it as one argument; None for the default printer. The name has
    /// passed [`printer_name`], so it holds no quote that could end the quoted argument.
    pub parameters: Option<String>,
}

/// The Windows invocation for printing `file` on `printer` (None: the default printer).
/// A name that does not pass [`printer_name`] is refused here too.
pub fn windows_invocation(file: &Path, printer: Option<&str>) -> Result<ShellPrint> {
    Ok(match printer {
        Some(p) => {
            let name = printer_name("", p)?;
            ShellPrint {
                verb: "printto",
                file: file.to_path_buf(),
                parameters: Some(format!("\"{name}\"")),
            }
        }
        None => ShellPrint {
            verb: "print",
            file: file.to_path_buf(),
            parameters: None,
        },
    })
}

/// The arguments of CUPS' `lp` for printing `copies` of `file` as `title` on `printer`
/// (None: the default printer), one argv element each. A name that does not pass
/// [`printer_name`] is refused.
pub fn lp_arguments(
    file: &Path,
    title: &str,
    printer: Option<&str>,
    copies: u32,
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
    let result = lp_arguments(&file, title, printer, copies).and_then(|args| {
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

/// Until the GDI path: the PDF of `drawing` handed to the shell's `printto` verb.
#[cfg(windows)]
fn hand_over(
    data_dir: &Path,
    _title: &str,
    drawing: &Drawing,
    printer: Option<&str>,
    _copies: u32,
) -> Result<String> {
    let bytes = drawing.to_pdf()?;
    let file = crate::platform::files::private_copy(&spool_dir(data_dir), "slip-", ".pdf", &bytes)?;
    let invocation = match windows_invocation(&file, printer) {
        Ok(i) => i,
        Err(e) => {
            let _ = std::fs::remove_file(&file);
            return Err(e);
        }
    };
    match shell::execute(&invocation) {
        Ok(process) => {
            shell::remove_when_done(file.to_path_buf(), process);
            Ok(String::new())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&file);
            let which = printer.unwrap_or("默认打印机");
            Err(printer_error(format!(
                "打印到“{which}”失败（{e}）。请确认这台电脑装有能打印 PDF 的阅读器，或先下载 PDF 再打印"
            )))
        }
    }
}

/// The Windows shell, asked through its API: no command line, no script.
#[cfg(windows)]
mod shell {
    use std::os::windows::ffi::OsStrExt;
    use std::path::PathBuf;
    use std::time::Duration;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::Threading::WaitForSingleObject;
    use windows_sys::Win32::UI::Shell::{
        ShellExecuteExW, SEE_MASK_FLAG_NO_UI, SEE_MASK_NOASYNC, SEE_MASK_NOCLOSEPROCESS,
        SHELLEXECUTEINFOW,
    };
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_HIDE;

    use super::ShellPrint;

    /// The reader's process, when the shell started one.
    pub struct Process(HANDLE);
    // A process handle may be waited on and closed from any thread.
    unsafe impl Send for Process {}

    fn wide(s: &std::ffi::OsStr) -> Vec<u16> {
        s.encode_wide().chain(std::iter::once(0)).collect()
    }

    pub fn execute(p: &ShellPrint) -> std::io::Result<Option<Process>> {
        let verb = wide(p.verb.as_ref());
        let file = wide(p.file.as_os_str());
        let parameters = p.parameters.as_deref().map(|s| wide(s.as_ref()));
        // SAFETY: SHELLEXECUTEINFOW is a plain C struct for which all-zero is the documented
        // "nothing set" state; every pointer set below outlives the call.
        let mut info: SHELLEXECUTEINFOW = unsafe { std::mem::zeroed() };
        info.cbSize = std::mem::size_of::<SHELLEXECUTEINFOW>() as u32;
        info.fMask = SEE_MASK_NOCLOSEPROCESS | SEE_MASK_FLAG_NO_UI | SEE_MASK_NOASYNC;
        info.lpVerb = verb.as_ptr();
        info.lpFile = file.as_ptr();
        info.lpParameters = parameters.as_ref().map_or(std::ptr::null(), |w| w.as_ptr());
        info.nShow = SW_HIDE;
        // SAFETY: `info` is initialised as the API requires (cbSize set, strings
        // NUL-terminated UTF-16 alive for the call).
        let ok = unsafe { ShellExecuteExW(&mut info) };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((!info.hProcess.is_null()).then_some(Process(info.hProcess)))
    }

    /// Deletes `file` once the reader's process has ended (waited on for at most ten
    /// minutes), or after a few minutes when no process was handed back (a reader already
    /// running took the job over). On a thread of its own: the clerk does not wait.
    pub fn remove_when_done(file: PathBuf, process: Option<Process>) {
        std::thread::spawn(move || {
            match process {
                Some(Process(handle)) => {
                    // SAFETY: the handle came from ShellExecuteExW with NOCLOSEPROCESS and
                    // is closed exactly once, here.
                    unsafe {
                        WaitForSingleObject(handle, 10 * 60 * 1000);
                        CloseHandle(handle);
                    }
                }
                None => std::thread::sleep(Duration::from_secs(3 * 60)),
            }
            let _ = std::fs::remove_file(&file);
        });
    }
}
