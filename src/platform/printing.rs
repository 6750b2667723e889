//! Sending a finished PDF to a printer without a dialog: the printer set for its paper
//! format in the settings, or the system's default printer.
//!
//! - Linux and other Unix: CUPS' `lp` (`lp -d PRINTER -t TITLE FILE`).
//! - Windows: the shell's `printto` verb (`print` for the default printer) on the PDF, run
//!   hidden through PowerShell's `Start-Process`. It is carried out by the PDF reader
//!   registered on that PC (Adobe Reader, Foxit and SumatraPDF print silently; see
//!   docs/WINDOWS.md for what could not be tried here).
//!
//! The file is written to the temp folder first, named after the document.

use std::path::PathBuf;
use std::process::Command;

use crate::platform::error::{Error, Result};

/// Where a document is written before it is handed to the printer.
fn spool_file(title: &str, bytes: &[u8]) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join("aftersales-print");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let safe: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{safe}.pdf"));
    std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

fn printer_error(message: String) -> Error {
    Error::invalid("printer", message)
}

/// Sends `bytes` (a PDF) to `printer` (None: the default printer). Returns what the print
/// system said (e.g. `request id is Office-12 (1 file(s))`).
pub fn send(title: &str, bytes: &[u8], printer: Option<&str>) -> Result<String> {
    let file = spool_file(title, bytes)?;
    let mut command = command(&file, title, printer);
    let out = command.output().map_err(|e| {
        printer_error(format!(
            "无法启动打印（{e}）。请检查打印服务，或先下载 PDF 再打印"
        ))
    })?;
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let which = printer.unwrap_or("默认打印机");
        return Err(printer_error(format!("打印到“{which}”失败：{err}")));
    }
    Ok(if said.is_empty() {
        format!("已发送到{}", printer.unwrap_or("默认打印机"))
    } else {
        said
    })
}

#[cfg(not(windows))]
fn command(file: &std::path::Path, title: &str, printer: Option<&str>) -> Command {
    let mut c = Command::new("lp");
    if let Some(p) = printer {
        c.args(["-d", p]);
    }
    c.args(["-t", title]).arg(file);
    c
}

#[cfg(windows)]
fn command(file: &std::path::Path, _title: &str, printer: Option<&str>) -> Command {
    use std::os::windows::process::CommandExt;
    /// No console window flashes up at the desk.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    // PowerShell single-quoted strings: a quote is written twice.
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let script = match printer {
        Some(p) => format!(
            "Start-Process -FilePath {} -Verb PrintTo -ArgumentList {} -WindowStyle Hidden",
            quote(&file.display().to_string()),
            quote(&format!("\"{p}\""))
        ),
        None => format!(
            "Start-Process -FilePath {} -Verb Print -WindowStyle Hidden",
            quote(&file.display().to_string())
        ),
    };
    let mut c = Command::new("powershell.exe");
    c.args(["-NoProfile", "-NonInteractive", "-Command", &script])
        .creation_flags(CREATE_NO_WINDOW);
    c
}
