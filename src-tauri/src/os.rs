//! What the desktop door does differently on Windows, where the clerks are:
//!
//! - one window per PC user: a second launch (a double-click on the desktop shortcut while
//!   the desk is already open, often behind other windows) brings the open window to the
//!   front and exits, instead of a second window on the same database;
//! - start-up errors in a dialog: a release build is a GUI program without a console, so
//!   a message printed to stderr would never be seen.
//!
//! Everything Windows-only is behind `cfg(windows)` and compile-checked on Linux by
//! `cargo xtask test` (its windows-check step). On other systems these are no-ops.

use tauri::Runtime;

/// Whether this launch should be the only one: only when the desk runs on the OS's own
/// data folder (no `--data-dir`, no `AFTERSALES_DATA_DIR`). A launch on a chosen folder
/// (tests, training data, the WebDriver suite running several windows side by side) is
/// left alone.
pub fn wants_single_instance(data_dir: &Result<Option<std::path::PathBuf>, String>) -> bool {
    cfg!(windows) && matches!(data_dir, Ok(None))
}

/// Adds the single-instance plugin on Windows; elsewhere returns the builder unchanged.
/// Tauri's documentation asks for this plugin to be the first one registered.
pub fn single_instance<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    #[cfg(windows)]
    {
        builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            bring_to_front(app)
        }))
    }
    #[cfg(not(windows))]
    {
        builder
    }
}

/// Shows, un-minimises and focuses the main window.
#[cfg(windows)]
fn bring_to_front<R: Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Tells the clerk why the desk cannot start: on stderr, and on Windows in a message box.
pub fn startup_error(message: &str) {
    eprintln!("售后服务台无法启动：{message}");
    #[cfg(windows)]
    message_box("售后服务台无法启动", message);
}

#[cfg(windows)]
fn message_box(title: &str, text: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        MessageBoxW, MB_ICONERROR, MB_OK, MB_SETFOREGROUND,
    };
    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }
    let (text, title) = (wide(text), wide(title));
    // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call; no owner window.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR | MB_SETFOREGROUND,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_default_data_folder_is_single_instance() {
        assert_eq!(wants_single_instance(&Ok(None)), cfg!(windows));
        assert!(!wants_single_instance(&Ok(Some("D:/培训".into()))));
        assert!(!wants_single_instance(&Err("--data-dir".into())));
    }
}
