//! The desktop door's tests: downloads, forwarding to the core, and the whole app booted
//! on Tauri's mock runtime with its `call` command invoked through IPC.

use super::*;

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
fn forward_returns_results_and_error_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut opened = Desk::open_dir(dir.path()).unwrap();
    let user =
        json!({"login": "wang", "name": "王芳", "roles": ["clerk"], "password": "secret-12"});
    aftersales::api::call(&mut opened, "users.save", user).unwrap();
    let desk = Mutex::new(opened);

    // The window is not logged in yet: only the login screen's commands answer.
    let err = forward(&desk, &Caller::with(None), "app.info", json!({})).unwrap_err();
    assert_eq!(err["code"], "unauthorized");
    let login = json!({"login": "wang", "password": "secret-12"});
    let session = forward(&desk, &Caller::with(None), "auth.login", login)
        .unwrap()
        .value()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let info = forward(&desk, &Caller::with(Some(&session)), "app.info", json!({}))
        .unwrap()
        .value();
    assert!(info["data_file"]
        .as_str()
        .unwrap()
        .ends_with(aftersales::DB_FILE));
    assert_eq!(info["user"]["name"], "王芳");
    // A clerk is not the administrator.
    let err = forward(
        &desk,
        &Caller::with(Some(&session)),
        "users.list",
        json!({}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "forbidden");
    assert_eq!(
        err["message"],
        "没有权限：王芳（前台）不能“查看用户”，需要以下角色之一：管理员"
    );

    let err = forward(
        &desk,
        &Caller::with(Some(&session)),
        "no.such.command",
        json!({}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "unknown_command");
    assert!(err["message"].is_string());
}

/// One IPC request to the `call` command, as the window's `invoke('call', body)` sends it.
fn invoke(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    body: Value,
) -> Result<Value, Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: "call".into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: if cfg!(windows) {
            "http://tauri.localhost"
        } else {
            "tauri://localhost"
        }
        .parse()
        .unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(window, request).map(|b| b.deserialize::<Value>().unwrap())
}

/// The app as `run` builds it (the real tauri.conf.json: its window, its capabilities),
/// run on the mock runtime and a temporary data folder: once ready, the main window
/// exists and `call` reaches the core through Tauri's IPC, results and errors alike;
/// closing the window ends the app, which leaves its closing backup behind.
#[test]
fn the_app_boots_on_the_mock_runtime_and_answers_call() {
    let dir = tempfile::tempdir().unwrap();
    let app = build_app(
        tauri::test::mock_builder(),
        context(),
        Launch::on_dir(dir.path()),
    )
    .expect("the app builds");
    let mut checks = None;
    app.run_return(move |app, event| {
        if let tauri::RunEvent::Ready = event {
            let window = app
                .get_webview_window(MAIN_WINDOW)
                .expect("the main window");
            // The IPC calls from another thread, as a webview's would come, while this
            // event loop goes on; closing the window ends it.
            checks = Some(std::thread::spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    talk_to_the_core(&window)
                }));
                window.close().unwrap();
                if let Err(panic) = outcome {
                    std::panic::resume_unwind(panic);
                }
            }));
        }
        on_event(app, &event);
        if let tauri::RunEvent::Exit = event {
            if let Some(checks) = checks.take() {
                if let Err(panic) = checks.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    });
    let backups: Vec<String> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        backups.iter().any(|name| name.ends_with("-close.db")),
        "{backups:?}"
    );
}

fn talk_to_the_core(window: &tauri::WebviewWindow<tauri::test::MockRuntime>) {
    let status = invoke(window, json!({"command": "auth.status"})).unwrap();
    assert_eq!(status["needs_setup"], true);
    assert!(status["user"].is_null());

    let setup = json!({"login": "admin", "name": "李经理", "password": "s3cret-pw",
                       "password_again": "s3cret-pw",
                       "settings": {"company_name": "华东制冷售后服务部"}});
    let done = invoke(window, json!({"command": "auth.setup", "args": setup})).unwrap();
    let session = done["session"].as_str().unwrap().to_string();

    // The window's session is the `session` argument.
    let found = invoke(
        window,
        json!({"command": "customers.search", "args": {"query": ""}, "session": session}),
    )
    .unwrap();
    assert_eq!(found["items"], json!([]));
    let info = invoke(window, json!({"command": "app.info", "session": session})).unwrap();
    assert_eq!(info["user"]["name"], "李经理");

    // Without the session the core refuses, and the promise rejects with its error JSON.
    let err = invoke(window, json!({"command": "app.info"})).unwrap_err();
    assert_eq!(err["code"], "unauthorized");
    assert!(err["message"].as_str().unwrap().contains("登录"), "{err}");
}
