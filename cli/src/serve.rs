//! The browser door: `ui/` as static files and `POST /api/{command}` on 127.0.0.1 only.
//!
//! Other programs on the same PC can reach loopback too, so every API request must carry
//! the per-launch token (header `X-Desk-Token`) that only the printed URL knows. The UI
//! reads it from the URL's `#token=…`, which browsers never send to a server or put in a
//! Referer. Static files need no token: they hold no data.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aftersales::{api, Desk};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tower_http::services::ServeDir;

/// Largest request body: a 64 MB spreadsheet as base64.
const IMPORT_LIMIT: usize = 90 * 1024 * 1024;

struct Door {
    desk: Mutex<Desk>,
    token: String,
}

pub fn run(desk: Desk, port: u16) -> std::io::Result<()> {
    let token = new_token()?;
    let door = Arc::new(Door {
        desk: Mutex::new(desk),
        token: token.clone(),
    });
    let app = Router::new()
        .route("/api/{command}", post(api_call))
        // Imports arrive as base64 in the JSON body; axum's default cap is 2 MB, less
        // than a 100,000-row spreadsheet.
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT))
        .fallback_service(ServeDir::new(ui_dir()))
        .with_state(door);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let port = listener.local_addr()?.port();
        let mut out = std::io::stdout().lock();
        writeln!(out, "UI: http://127.0.0.1:{port}/#token={token}")?;
        out.flush()?;
        drop(out);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}

/// 128 random bits from the OS, hex.
fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `AFTERSALES_UI_DIR`, else the source tree's ui/ (a developer build), else ui/ beside
/// the executable (an installed copy).
fn ui_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AFTERSALES_UI_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui"));
    if source.join("index.html").exists() {
        return source;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("ui")))
        .unwrap_or_else(|| PathBuf::from("ui"))
}

async fn api_call(
    State(door): State<Arc<Door>>,
    Path(command): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers.get("x-desk-token").and_then(|v| v.to_str().ok());
    if token != Some(door.token.as_str()) {
        let body =
            json!({"code": "unauthorized", "message": "未授权的访问：请用启动时显示的网址打开"});
        return reply(StatusCode::UNAUTHORIZED, body);
    }
    let args: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return error_reply(aftersales::Error::BadRequest(e.to_string())),
        }
    };
    let result = tokio::task::spawn_blocking(move || {
        let mut desk = door
            .desk
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        api::call(&mut desk, &command, args)
    })
    .await;
    match result {
        Ok(Ok(value)) => reply(StatusCode::OK, value),
        Ok(Err(e)) => error_reply(e),
        // A panic in a use case is a bug, not the clerk's doing; same code as the desktop door.
        Err(e) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"code": "internal", "message": format!("程序内部错误：{e}")}),
        ),
    }
}

fn error_reply(e: aftersales::Error) -> Response {
    let status = match e.code() {
        "invalid" | "bad_request" => StatusCode::BAD_REQUEST,
        "not_found" | "unknown_command" => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    reply(status, e.to_json())
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}
