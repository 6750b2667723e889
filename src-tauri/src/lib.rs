//! The desktop door: a Tauri window showing `ui/`, and one IPC command, `call`, that hands
//! every request to the core's command table (`aftersales::api::call`).
//!
//! Nothing here knows a domain rule. This crate only:
//! - finds the data folder (`--data-dir DIR`, else `AFTERSALES_DATA_DIR`, else the OS
//!   app-data folder, e.g. `%APPDATA%\com.aftersales.desk` on Windows; see [`launch`]),
//! - opens the one [`Desk`] before any window exists (so no call can arrive without it),
//! - runs each call on a blocking thread, because the core is synchronous (rusqlite),
//! - returns errors as the core's error JSON `{code, message, field?}`,
//! - keeps the timer of the core's background jobs ([`aftersales::jobs`]) and shows the
//!   alerts they return as system notifications;
//! - sends the window the rings of 来电弹屏 ([`rings`], issue 20) once it asks with its
//!   session;
//! - or, launched with `--server https://HOST:PORT/`, opens no database and sends every
//!   call to that PC's door over HTTPS instead ([`remote`]), the window still showing its
//!   own embedded UI.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use aftersales::api::{Caller, Reply};
use aftersales::jobs::{self, Jobs};
use aftersales::Desk;
use serde_json::{json, Value};
use tauri::{Manager, Runtime};

pub mod launch;
mod os;
pub mod remote;
pub mod rings;
#[cfg(test)]
mod tests;

pub use launch::{Launch, DATA_DIR_ENV, SERVER_ENV};

/// Label of the one window; its settings (title, size, minimum size) are in tauri.conf.json.
pub const MAIN_WINDOW: &str = "main";

/// What the window's calls go to: this PC's open database, shared by all calls (the core
/// is `&mut`-based, so calls take turns), or another PC's door on the LAN.
pub enum DeskState {
    Local(Arc<Mutex<Desk>>),
    Remote(Arc<remote::Remote>),
}

impl DeskState {
    pub fn new(desk: Desk) -> Self {
        DeskState::Local(Arc::new(Mutex::new(desk)))
    }
}

/// Runs one command against the desk as the user of `session` (the window's login).
/// Used by the IPC command on a blocking thread.
///
/// A poisoned lock (an earlier call panicked) is taken over rather than failing every
/// later call: the core runs one transaction per call, so an aborted call left no trace.
pub fn forward(
    desk: &Mutex<Desk>,
    caller: &Caller,
    command: &str,
    args: Value,
) -> Result<Reply, Value> {
    let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
    aftersales::api::call_in_session(&mut desk, caller, command, args).map_err(|err| err.to_json())
}

/// `auth.setup`'s arguments with the desk's one-time setup code (none once a user exists).
fn with_setup_code(desk: &Mutex<Desk>, mut args: Value) -> Value {
    let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
    if let (Ok(Some(code)), Some(map)) = (
        aftersales::people::users::setup_code(&mut desk),
        args.as_object_mut(),
    ) {
        map.insert("setup_code".into(), Value::String(code));
    }
    args
}

/// The one IPC command: `invoke('call', {command, args, session})`.
///
/// `args` may be left out, which means `{}`; `session` is what `auth.login` returned
/// (left out before logging in). The result is the command's JSON, the core's reply text
/// handed to the window as it is (not parsed and serialized again); a failure rejects the
/// promise with the core's error JSON.
#[tauri::command]
async fn call(
    state: tauri::State<'_, DeskState>,
    command: String,
    args: Option<Value>,
    session: Option<String>,
    background: Option<bool>,
) -> Result<tauri::ipc::Response, Value> {
    let args = args.unwrap_or_else(|| json!({}));
    let caller = Caller {
        session,
        peer: None,
        background: background.unwrap_or(false),
    };
    let desk = match state.inner() {
        DeskState::Local(desk) => Arc::clone(desk),
        DeskState::Remote(server) => {
            let reply = match remote::print::handle(server, &caller, &command, &args).await {
                Some(answered) => answered?,
                None => remote::forward(server, &caller, &command, &args).await?,
            };
            return Ok(tauri::ipc::Response::new(shown_remote(
                server, &command, reply,
            )));
        }
    };
    let work = move || {
        // The window is the desk's own screen: the first run's code is put in here, the
        // person at the desk never types it (the browser door prints it instead).
        let args = if command == "auth.setup" {
            with_setup_code(&desk, args)
        } else {
            args
        };
        forward(&desk, &caller, &command, args)
    };
    match tauri::async_runtime::spawn_blocking(work).await {
        Ok(result) => result.map(|reply| tauri::ipc::Response::new(reply.into_string())),
        Err(join_error) => Err(aftersales::api::internal_error(join_error)),
    }
}

/// A remote door's reply as the window gets it: `app.info` also names the server this
/// window works with (the status bar shows it), and says that 打印 prints on this PC
/// (`prints_here`: the window prints on its own printers, see `remote::print`); every
/// other reply as it came.
fn shown_remote(server: &remote::Remote, command: &str, reply: String) -> String {
    if command != "app.info" {
        return reply;
    }
    match serde_json::from_str::<Value>(&reply) {
        Ok(Value::Object(mut info)) => {
            info.insert("server".into(), Value::String(server.address.clone()));
            info.insert("prints_here".into(), Value::Bool(true));
            Value::Object(info).to_string()
        }
        _ => reply,
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

/// The timer of the core's background jobs ([`aftersales::jobs`]): a tick every
/// [`jobs::EVERY`] on a blocking thread (the daily backup when due, the clock alerts);
/// the alerts it returns become system notifications, its errors go to the log.
fn tick_jobs<R: Runtime>(app: tauri::AppHandle<R>, desk: Arc<Mutex<Desk>>) {
    use tauri_plugin_notification::NotificationExt;
    let memory = Arc::new(Mutex::new(Jobs::with_alerts()));
    tauri::async_runtime::spawn(async move {
        let mut timer = tokio::time::interval(jobs::EVERY);
        loop {
            timer.tick().await;
            let (desk, memory) = (Arc::clone(&desk), Arc::clone(&memory));
            let ticked = tauri::async_runtime::spawn_blocking(move || {
                let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
                let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
                jobs::tick(&mut desk, &mut memory)
            })
            .await;
            let Ok(ticked) = ticked else { continue };
            for error in &ticked.errors {
                eprintln!("{error}");
            }
            for alert in ticked.notify {
                // No notification service (e.g. a bare X server): the board still shows it.
                let _ = (app.notification().builder())
                    .title(alert.title)
                    .body(alert.body)
                    .show();
            }
        }
    });
}

/// Prints why the desk cannot start and ends the process with exit code 1.
fn fail(message: &str) -> ! {
    os::startup_error(message);
    std::process::exit(1)
}

/// Builds the application for `launch`. Generic over the runtime, so a test hands it
/// Tauri's mock runtime (`tauri::test::mock_builder`, feature "test") instead of a real
/// window (see tests.rs).
///
/// The main window is declared in tauri.conf.json with `"create": false` and built here,
/// after the desk is open and managed.
pub fn build_app<R: Runtime>(
    builder: tauri::Builder<R>,
    context: tauri::Context<R>,
    launch: Launch,
) -> tauri::Result<tauri::App<R>> {
    // Tauri's docs: the single-instance plugin is registered first.
    let builder = if os::wants_single_instance(&launch.data_dir) {
        os::single_instance(builder)
    } else {
        builder
    };
    builder
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![call, rings::rings])
        .setup(move |app| {
            let dir = match launch.data_dir {
                Ok(Some(dir)) => dir,
                Ok(None) => app
                    .path()
                    .app_data_dir()
                    .unwrap_or_else(|e| fail(&format!("找不到系统的应用数据文件夹（{e}）"))),
                Err(message) => fail(&message),
            };
            let mut window = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == MAIN_WINDOW)
                .cloned()
                .ok_or("tauri.conf.json 中缺少主窗口（main）")?;
            // The window always shows its own embedded UI, never a page from the network:
            // with `--server` only the calls go to the other PC (see `remote`).
            match launch.server {
                Ok(Some(url)) => {
                    let server = remote::Remote::new(url, &dir).unwrap_or_else(|m| fail(&m));
                    window.title = format!("{} — 服务器 {}", window.title, server.address);
                    app.manage(DeskState::Remote(Arc::new(server)));
                }
                Ok(None) => {
                    let desk = Desk::open_dir(&dir).unwrap_or_else(|err| {
                        fail(&format!("打不开数据文件夹 {}：{err}", dir.display()))
                    });
                    let desk = Arc::new(Mutex::new(desk));
                    tick_jobs(app.handle().clone(), Arc::clone(&desk));
                    app.manage(DeskState::Local(desk));
                }
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

/// The app's context from tauri.conf.json (windows, security, the embedded ui/), for any
/// runtime: the real one in [`run`], the mock one in the boot test.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop application and blocks until its window is closed.
pub fn run() {
    match build_app(tauri::Builder::default(), context(), Launch::from_os()) {
        Ok(app) => app.run(|app, event| on_event(app, &event)),
        Err(err) => fail(&err.to_string()),
    }
}

/// What the door does on the app's events: closing the desk leaves a backup behind
/// (automatic, rotated).
fn on_event<R: Runtime>(app: &tauri::AppHandle<R>, event: &tauri::RunEvent) {
    if let tauri::RunEvent::Exit = event {
        // Another PC's door keeps its own backups.
        if let Some(DeskState::Local(desk)) = app.try_state::<DeskState>().as_deref() {
            let desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(err) = jobs::on_close(&desk) {
                eprintln!("{err}");
            }
        }
    }
}
