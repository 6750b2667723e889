//! The desktop door: a Tauri window showing `ui/`, and one IPC command, `call`, that hands
//! every request to the core's command table (`aftersales::api::call`).
//!
//! Nothing here knows a domain rule. This crate only:
//! - finds the data folder (`--data-dir DIR`, else `AFTERSALES_DATA_DIR`, else the OS
//!   app-data folder, e.g. `%APPDATA%\com.aftersales.desk` on Windows),
//! - opens the one [`Desk`] before any window exists (so no call can arrive without it),
//! - runs each call on a blocking thread, because the core is synchronous (rusqlite),
//! - returns errors as the core's error JSON `{code, message, field?}`.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aftersales::Desk;
use serde_json::{json, Value};
use tauri::{Manager, Runtime};

mod os;

/// The environment variable that names the data folder when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "AFTERSALES_DATA_DIR";

/// Label of the one window; its settings (title, size, minimum size) are in tauri.conf.json.
pub const MAIN_WINDOW: &str = "main";

/// The open database, shared by all calls. The core is `&mut`-based, so calls take turns.
pub struct DeskState(Arc<Mutex<Desk>>);

impl DeskState {
    pub fn new(desk: Desk) -> Self {
        DeskState(Arc::new(Mutex::new(desk)))
    }
}

/// Reads `--data-dir DIR` or `--data-dir=DIR` from the program arguments (without the
/// program name), else the value of [`DATA_DIR_ENV`] when it is set and not empty.
/// `Ok(None)` means "use the OS app-data folder". Other arguments are ignored: launchers
/// such as WebDriver may add their own.
pub fn data_dir_from(
    args: impl IntoIterator<Item = OsString>,
    env: Option<OsString>,
) -> Result<Option<PathBuf>, String> {
    let mut args = args.into_iter();
    let mut found = None;
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            match args.next() {
                Some(value) if !value.is_empty() => found = Some(PathBuf::from(value)),
                _ => return Err("--data-dir 后面需要给出数据文件夹".to_string()),
            }
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            if value.is_empty() {
                return Err("--data-dir 后面需要给出数据文件夹".to_string());
            }
            found = Some(PathBuf::from(value));
        }
    }
    if found.is_none() {
        found = env.filter(|v| !v.is_empty()).map(PathBuf::from);
    }
    Ok(found)
}

/// Runs one command against the desk as the user of `session` (the window's login).
/// Used by the IPC command on a blocking thread.
///
/// A poisoned lock (an earlier call panicked) is taken over rather than failing every
/// later call: the core runs one transaction per call, so an aborted call left no trace.
pub fn forward(
    desk: &Mutex<Desk>,
    session: Option<&str>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
    aftersales::api::call_in_session(&mut desk, session, command, args).map_err(|err| err.to_json())
}

/// The error JSON for a call that did not come back at all (the worker thread panicked).
/// The core promises not to panic on user input, so this is a bug, not a user mistake.
fn internal_error(detail: impl std::fmt::Display) -> Value {
    json!({
        "code": "internal",
        "message": format!("程序内部错误，请重试或联系管理员（{detail}）"),
    })
}

/// The one IPC command: `invoke('call', {command, args, session})`.
///
/// `args` may be left out, which means `{}`; `session` is what `auth.login` returned
/// (left out before logging in). The result is the command's JSON; a failure rejects the
/// promise with the core's error JSON.
#[tauri::command]
async fn call(
    state: tauri::State<'_, DeskState>,
    command: String,
    args: Option<Value>,
    session: Option<String>,
) -> Result<Value, Value> {
    let desk = Arc::clone(&state.0);
    let args = args.unwrap_or_else(|| json!({}));
    let work = move || forward(&desk, session.as_deref(), &command, args);
    match tauri::async_runtime::spawn_blocking(work).await {
        Ok(result) => result,
        Err(join_error) => Err(internal_error(join_error)),
    }
}

/// Where files the UI hands over (exports) are saved: the user's Downloads folder
/// (Windows: 下载), or `~/Downloads` where the OS names none.
fn download_folder<R: Runtime>(app: &tauri::AppHandle<R>) -> PathBuf {
    let path = app.path();
    path.download_dir()
        .or_else(|_| path.home_dir().map(|home| home.join("Downloads")))
        .unwrap_or_else(|_| std::env::temp_dir())
}

/// The webview suggests a file name; keep it, in `folder`, without overwriting: a second
/// `客户档案-20261122.xlsx` becomes `客户档案-20261122 (2).xlsx`.
pub fn save_path(folder: &std::path::Path, suggested: &std::path::Path) -> PathBuf {
    let name = suggested
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("导出.xlsx"));
    let _ = std::fs::create_dir_all(folder);
    let first = folder.join(&name);
    if !first.exists() {
        return first;
    }
    let stem = name
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = name
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| folder.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// How often the background job looks for clocks about to break.
const ALERT_EVERY: Duration = Duration::from_secs(60);

/// The alerts of a `day.alerts` result not notified yet, as (title, body); `seen` keeps
/// the keys notified while they last, so each alert shows once, and again only if it goes
/// away and comes back.
pub fn fresh_alerts(seen: &mut HashSet<String>, alerts: &Value) -> Vec<(String, String)> {
    let items = alerts["items"].as_array().cloned().unwrap_or_default();
    let now: HashSet<String> = items
        .iter()
        .filter_map(|a| a["key"].as_str().map(str::to_string))
        .collect();
    seen.retain(|k| now.contains(k));
    let mut out = Vec::new();
    for a in &items {
        let Some(key) = a["key"].as_str() else {
            continue;
        };
        if seen.insert(key.to_string()) {
            out.push((
                a["title"].as_str().unwrap_or_default().to_string(),
                a["body"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

/// The background job of the desktop door: once a minute, the clocks about to break become
/// system notifications (the day board in the window refreshes itself).
fn watch_clocks<R: Runtime>(app: tauri::AppHandle<R>, desk: Arc<Mutex<Desk>>) {
    use tauri_plugin_notification::NotificationExt;
    tauri::async_runtime::spawn(async move {
        let mut seen = HashSet::new();
        let mut tick = tokio::time::interval(ALERT_EVERY);
        loop {
            tick.tick().await;
            let desk = Arc::clone(&desk);
            // The app's own job, not a person's request: it runs as the system.
            let found = tauri::async_runtime::spawn_blocking(move || {
                let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
                desk.act_as(aftersales::Actor::script());
                let alerts = aftersales::api::call(&mut desk, "day.alerts", json!({}));
                desk.act_as(aftersales::Actor::nobody());
                alerts.map_err(|err| err.to_json())
            })
            .await;
            let Ok(Ok(alerts)) = found else { continue };
            for (title, body) in fresh_alerts(&mut seen, &alerts) {
                // No notification service (e.g. a bare X server): the board still shows it.
                let _ = app.notification().builder().title(title).body(body).show();
            }
        }
    });
}

/// Another PC's browser door this desktop works on instead of its own data (several desks
/// on a LAN): `--server http://192.168.1.10:8765/` or [`SERVER_ENV`]. Its window then
/// shows that PC's desk, with that PC's logins.
pub const SERVER_ENV: &str = "AFTERSALES_SERVER";

/// Reads `--server URL` from the program arguments, else [`SERVER_ENV`].
pub fn server_from(
    args: impl IntoIterator<Item = OsString>,
    env: Option<OsString>,
) -> Result<Option<tauri::Url>, String> {
    let mut args = args.into_iter();
    let mut found = env.filter(|v| !v.is_empty());
    while let Some(arg) = args.next() {
        if arg == "--server" {
            found = args.next();
        }
    }
    let Some(text) = found else { return Ok(None) };
    let text = text.to_string_lossy().trim().to_string();
    let url = tauri::Url::parse(&text).map_err(|e| {
        format!("--server 应为另一台电脑的网址，如 http://192.168.1.10:8765/（{e}）")
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("--server 应以 http:// 开头：{text}"));
    }
    Ok(Some(url))
}

/// The desktop's backup job: an automatic backup at start when today has none, then a
/// look once an hour (a desk left running overnight gets the next day's).
fn keep_backups(desk: Arc<Mutex<Desk>>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let desk = Arc::clone(&desk);
            let made = tauri::async_runtime::spawn_blocking(move || {
                let desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
                aftersales::people::backup::automatic(
                    &desk,
                    aftersales::people::backup::Automatic::Daily,
                )
            })
            .await;
            if let Ok(Err(err)) = made {
                eprintln!("自动备份失败：{err}");
            }
        }
    });
}

/// Prints why the desk cannot start and ends the process with exit code 1.
fn fail(message: &str) -> ! {
    os::startup_error(message);
    std::process::exit(1)
}

/// Builds the application. Generic over the runtime, so a test can hand it Tauri's mock
/// runtime (`tauri::test::mock_builder`, feature "test") instead of a real window.
///
/// The main window is declared in tauri.conf.json with `"create": false` and built here,
/// after the desk is open and managed.
pub fn build_app<R: Runtime>(
    builder: tauri::Builder<R>,
    context: tauri::Context<R>,
) -> tauri::Result<tauri::App<R>> {
    // Tauri's docs: the single-instance plugin is registered first.
    let data_dir = data_dir_from(std::env::args_os().skip(1), std::env::var_os(DATA_DIR_ENV));
    let builder = if os::wants_single_instance(&data_dir) {
        os::single_instance(builder)
    } else {
        builder
    };
    builder
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![call])
        .setup(|app| {
            let dir =
                match data_dir_from(std::env::args_os().skip(1), std::env::var_os(DATA_DIR_ENV)) {
                    Ok(Some(dir)) => dir,
                    Ok(None) => app
                        .path()
                        .app_data_dir()
                        .unwrap_or_else(|e| fail(&format!("找不到系统的应用数据文件夹（{e}）"))),
                    Err(message) => fail(&message),
                };
            let desk = Desk::open_dir(&dir)
                .unwrap_or_else(|err| fail(&format!("打不开数据文件夹 {}：{err}", dir.display())));
            let state = DeskState::new(desk);
            watch_clocks(app.handle().clone(), Arc::clone(&state.0));
            keep_backups(Arc::clone(&state.0));
            app.manage(state);

            let mut window = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == MAIN_WINDOW)
                .cloned()
                .ok_or("tauri.conf.json 中缺少主窗口（main）")?;
            match server_from(std::env::args_os().skip(1), std::env::var_os(SERVER_ENV)) {
                Ok(Some(url)) => window.url = tauri::WebviewUrl::External(url),
                Ok(None) => {}
                Err(message) => fail(&message),
            }
            let downloads = download_folder(app.handle());
            tauri::WebviewWindowBuilder::from_config(app.handle(), &window)?
                .on_download(move |_, event| {
                    if let tauri::webview::DownloadEvent::Requested { destination, .. } = event {
                        *destination = save_path(&downloads, destination);
                    }
                    true
                })
                .build()?;
            Ok(())
        })
        .build(context)
}

/// Starts the desktop application and blocks until its window is closed.
pub fn run() {
    match build_app(tauri::Builder::default(), tauri::generate_context!()) {
        Ok(app) => app.run(|app, event| {
            // Closing the desk leaves a backup behind (automatic, rotated).
            if let tauri::RunEvent::Exit = event {
                let state = app.state::<DeskState>();
                let desk = state.0.lock().unwrap_or_else(PoisonError::into_inner);
                if let Err(err) = aftersales::people::backup::automatic(
                    &desk,
                    aftersales::people::backup::Automatic::Close,
                ) {
                    eprintln!("关闭时的自动备份失败：{err}");
                }
            }
        }),
        Err(err) => fail(&err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn server_comes_from_the_argument_or_the_environment() {
        let none = server_from(args(&["--data-dir", "x"]), None).unwrap();
        assert_eq!(none, None);
        let arg = server_from(args(&["--server", "http://192.168.1.10:8765/"]), None)
            .unwrap()
            .unwrap();
        assert_eq!(arg.as_str(), "http://192.168.1.10:8765/");
        let env = server_from(args(&[]), Some("http://10.0.0.2:8765".into()))
            .unwrap()
            .unwrap();
        assert_eq!(env.host_str(), Some("10.0.0.2"));
        let err = server_from(args(&["--server", "192.168.1.10"]), None).unwrap_err();
        assert!(err.contains("网址"), "{err}");
        let err = server_from(args(&["--server", "file:///etc/passwd"]), None).unwrap_err();
        assert!(err.contains("http://"), "{err}");
    }

    #[test]
    fn data_dir_argument_wins_over_environment() {
        let got = data_dir_from(args(&["--data-dir", "/a"]), Some("/b".into()));
        assert_eq!(got, Ok(Some(PathBuf::from("/a"))));
        let got = data_dir_from(args(&["--x", "--data-dir=/c"]), Some("/b".into()));
        assert_eq!(got, Ok(Some(PathBuf::from("/c"))));
    }

    #[test]
    fn data_dir_falls_back_to_environment_then_os_folder() {
        assert_eq!(
            data_dir_from(args(&[]), Some("/b".into())),
            Ok(Some(PathBuf::from("/b")))
        );
        assert_eq!(data_dir_from(args(&[]), Some("".into())), Ok(None));
        assert_eq!(data_dir_from(args(&["--other"]), None), Ok(None));
    }

    #[test]
    fn data_dir_without_value_is_an_error() {
        assert!(data_dir_from(args(&["--data-dir"]), None).is_err());
        assert!(data_dir_from(args(&["--data-dir="]), None).is_err());
    }

    #[test]
    fn downloads_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let suggested = PathBuf::from("/somewhere/else/客户档案-20261122.xlsx");
        let first = save_path(dir.path(), &suggested);
        assert_eq!(first, dir.path().join("客户档案-20261122.xlsx"));
        std::fs::write(&first, b"x").unwrap();
        assert_eq!(
            save_path(dir.path(), &suggested),
            dir.path().join("客户档案-20261122 (2).xlsx")
        );
    }

    #[test]
    fn each_alert_is_notified_once_while_it_lasts() {
        let mut seen = HashSet::new();
        let alerts = |keys: &[&str]| json!({"items": keys.iter().map(|k| json!({"key": k, "title": format!("t{k}"), "body": "b"})).collect::<Vec<_>>()});
        assert_eq!(fresh_alerts(&mut seen, &alerts(&["a", "b"])).len(), 2);
        assert_eq!(fresh_alerts(&mut seen, &alerts(&["a", "b"])), vec![]);
        // "a" is dealt with, then comes back: notified again.
        assert_eq!(fresh_alerts(&mut seen, &alerts(&["b"])), vec![]);
        assert_eq!(
            fresh_alerts(&mut seen, &alerts(&["a", "b"])),
            vec![("ta".to_string(), "b".to_string())]
        );
    }

    #[test]
    fn forward_returns_results_and_error_json() {
        let dir = tempfile::tempdir().unwrap();
        let mut opened = Desk::open_dir(dir.path()).unwrap();
        let user =
            json!({"login": "wang", "name": "王芳", "roles": ["clerk"], "password": "secret1"});
        aftersales::api::call(&mut opened, "users.save", user).unwrap();
        let desk = Mutex::new(opened);

        // The window is not logged in yet: only the login screen's commands answer.
        let err = forward(&desk, None, "app.info", json!({})).unwrap_err();
        assert_eq!(err["code"], "unauthorized");
        let login = json!({"login": "wang", "password": "secret1"});
        let session = forward(&desk, None, "auth.login", login).unwrap()["session"]
            .as_str()
            .unwrap()
            .to_string();
        let info = forward(&desk, Some(&session), "app.info", json!({})).unwrap();
        assert!(info["data_file"]
            .as_str()
            .unwrap()
            .ends_with(aftersales::DB_FILE));
        assert_eq!(info["user"]["name"], "王芳");
        // A clerk is not the administrator.
        let err = forward(&desk, Some(&session), "users.list", json!({})).unwrap_err();
        assert_eq!(err["code"], "forbidden");

        let err = forward(&desk, Some(&session), "no.such.command", json!({})).unwrap_err();
        assert_eq!(err["code"], "unknown_command");
        assert!(err["message"].is_string());
    }
}
