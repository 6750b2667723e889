//! The browser door: `ui/` as static files and `POST /api/{command}`.
//!
//! By default it listens on 127.0.0.1 only. When the settings open it to the LAN
//! (`lan_open`), it listens on every interface at `lan_port` and answers only addresses in
//! `lan_allow` (empty: the subnets of this PC's own interfaces) and loopback; other desks
//! then use it from a browser or from their own desktop app pointed at this PC. On the LAN
//! it speaks TLS (the certificate of [`crate::tls`], its fingerprint on the console and in
//! 设置), on every address of that one listener, loopback included; plain HTTP only when
//! the admin chose `lan_plain_http`.
//!
//! Every API request runs as the user of its session (header `X-Desk-Session`, from
//! `auth.login`); without one only the login screen's commands answer. Static files need
//! no session: they hold no data. The guards of [`crate::guard`] come first: the `Host`
//! and `Origin` the door answers, JSON bodies only, size limits read before the body is,
//! and the security headers of every reply.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aftersales::jobs::{self, Jobs};
use aftersales::{api, people::settings, Desk};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tower_http::services::ServeDir;

use crate::guard::{self, Guard};

pub(crate) struct Door {
    pub(crate) desk: Mutex<Desk>,
    lan: settings::Lan,
    /// 来电弹屏: the rings pushed to this door's desks (crate::cti).
    pub(crate) rings: crate::cti::Rings,
}

pub fn run(mut desk: Desk, port: u16) -> std::io::Result<()> {
    let mut lan = settings::lan(&desk).map_err(|e| std::io::Error::other(e.to_string()))?;
    // No ranges set by the administrator: the subnets this PC is on, not every private range.
    let own_subnets = lan.open && lan.allow.is_empty();
    if own_subnets {
        lan.allow = guard::own_subnets();
    }
    let ui = ui_dir()?;
    // An empty desk: the first run's one-time code, for the console only.
    let setup_code = aftersales::people::users::setup_code(&mut desk)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    // The LAN door's certificate, made on the first start in LAN mode and kept.
    let identity = if lan.open && !lan.plain_http {
        let data_dir = desk.path().parent().unwrap_or(std::path::Path::new("."));
        Some(crate::tls::load_or_create(data_dir, desk.now().into())?)
    } else {
        None
    };
    let (ip, port) = if lan.open {
        (IpAddr::from(Ipv4Addr::UNSPECIFIED), lan.port)
    } else {
        (IpAddr::from(Ipv4Addr::LOCALHOST), port)
    };
    let door = Arc::new(Door {
        desk: Mutex::new(desk),
        lan,
        rings: crate::cti::Rings::default(),
    });
    let rings_from = crate::cti::prepare(&door)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        crate::cti::start(door.clone(), rings_from);
        // The core's background jobs (the daily backup) on a timer; nothing to notify.
        let ticker = door.clone();
        tokio::spawn(async move {
            let memory = Arc::new(Mutex::new(Jobs::backups_only()));
            let mut timer = tokio::time::interval(jobs::EVERY);
            loop {
                timer.tick().await;
                let (door, memory) = (ticker.clone(), memory.clone());
                let ticked = tokio::task::spawn_blocking(move || {
                    let mut desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
                    let mut memory = memory.lock().unwrap_or_else(|p| p.into_inner());
                    jobs::tick(&mut desk, &mut memory)
                })
                .await;
                for error in ticked.map(|t| t.errors).unwrap_or_default() {
                    eprintln!("{error}");
                }
            }
        });
        let listener = std::net::TcpListener::bind(SocketAddr::from((ip, port)))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let scheme = if identity.is_some() { "https" } else { "http" };
        let own = if door.lan.open {
            guard::own_addresses()
        } else {
            Vec::new()
        };
        let guard = Arc::new(Guard::new(scheme, port, &door.lan, &own));
        let app = app(door.clone(), guard.clone(), ui);
        let mut out = std::io::stdout().lock();
        if let Some(code) = &setup_code {
            // Before the UI line: whoever reads up to it has seen the code.
            writeln!(
                out,
                "首次设置码: {}  {scheme}://127.0.0.1:{port}/#setup={code}",
                aftersales::people::users::setup_code_shown(code)
            )?;
        }
        writeln!(out, "UI: {scheme}://127.0.0.1:{port}/")?;
        if door.lan.open {
            let first = crate::tls::interface_addresses()
                .first()
                .map(Ipv4Addr::to_string)
                .unwrap_or_else(|| "127.0.0.1".into());
            writeln!(out, "LAN: {scheme}://{first}:{port}/")?;
            match &identity {
                Some(identity) => {
                    writeln!(out, "TLS fingerprint (SHA-256): {}", identity.fingerprint)?
                }
                None => writeln!(
                    out,
                    "LAN: 未加密 (lan_plain_http): passwords and data cross the network in clear"
                )?,
            }
            writeln!(
                out,
                "LAN allowed: {}{}",
                door.lan
                    .allow
                    .iter()
                    .map(|(net, bits)| format!("{net}/{bits}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if own_subnets {
                    " (this PC's own subnets)"
                } else {
                    ""
                }
            )?;
            writeln!(out, "LAN: answers as {}", guard.hosts().join(", "))?;
        }
        out.flush()?;
        drop(out);
        // One listener for loopback and the LAN alike: over TLS in LAN mode (the local
        // browser too), else plain HTTP on 127.0.0.1 only.
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        match &identity {
            Some(identity) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(
                    crate::tls::server_config(identity)?,
                ));
                // TCP_NODELAY: after the handshake the server writes its session tickets
                // and then the reply; with Nagle the reply waited for the client's delayed
                // ACK, 40 ms on every new connection (measured: PERFORMANCE.md, tls-door).
                let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                    .acceptor(axum_server::accept::NoDelayAcceptor::new());
                axum_server::from_tcp(listener)?
                    .acceptor(acceptor)
                    .handle(handle)
                    .serve(service)
                    .await?
            }
            None => {
                axum_server::from_tcp(listener)?
                    .handle(handle)
                    .serve(service)
                    .await?
            }
        }
        // Stopped with Ctrl+C: leave a backup behind, as the desktop does when closed.
        let desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(err) = jobs::on_close(&desk) {
            eprintln!("{err}");
        }
        Ok(())
    })
}

/// The door's routes inside its guards: the peer's address first, then the names and the
/// origin, and the security headers around every reply, refusals included.
fn app(door: Arc<Door>, guard: Arc<Guard>, ui: PathBuf) -> Router {
    Router::new()
        .route("/api/{command}", post(api_call))
        .route("/api/events", get(crate::cti::events))
        .route("/cti/ring", post(crate::cti::webhook))
        // The customer's status page (issue 20): no session; anything under /s/.
        .route("/s/", get(crate::status_page::page))
        .route("/s/{*rest}", get(crate::status_page::page))
        .fallback_service(ServeDir::new(ui))
        .layer(middleware::from_fn_with_state(guard, guard::check))
        .layer(middleware::from_fn_with_state(door.clone(), only_allowed))
        .layer(middleware::from_fn(guard::headers))
        .with_state(door)
}

/// Answers only loopback and the LAN ranges the settings allow.
async fn only_allowed(
    State(door): State<Arc<Door>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if !door.lan.allows(peer.ip()) {
        let body = json!({
            "code": "forbidden",
            "message": format!("此电脑（{}）不在允许访问的地址范围内，请联系管理员", peer.ip())
        });
        return reply(StatusCode::FORBIDDEN, body.to_string());
    }
    next.run(request).await
}

/// `AFTERSALES_UI_DIR`, else ui/ beside the executable (an installed copy); never a folder
/// named at compile time (a build's source tree is no place to serve pages from: whoever
/// can write there would plant the UI). Neither holding index.html is an error naming both.
fn ui_dir() -> std::io::Result<PathBuf> {
    let dir = match std::env::var_os("AFTERSALES_UI_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("ui"))
            .ok_or_else(|| std::io::Error::other("no folder beside the executable"))?,
    };
    if !dir.join("index.html").is_file() {
        return Err(std::io::Error::other(format!(
            "找不到界面文件 {}（请把 ui 文件夹放在程序旁边，或用环境变量 AFTERSALES_UI_DIR 指定）",
            dir.join("index.html").display()
        )));
    }
    Ok(dir)
}

async fn api_call(
    State(door): State<Arc<Door>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(command): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let token = headers
        .get("x-desk-session")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // The limit is known before the body is read: a small body needs no session check, a
    // larger one a live session (looked up without touching its idle clock).
    let small =
        guard::declared_length(&headers).is_some_and(|n| n <= guard::PRE_SESSION_LIMIT as u64);
    let alive = match &token {
        Some(token) if !small => {
            let (door, token) = (door.clone(), token.clone());
            tokio::task::spawn_blocking(move || {
                let desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
                api::session_alive(&desk, &token)
            })
            .await
            .unwrap_or(false)
        }
        _ => false,
    };
    let limit = guard::body_limit(&command, alive);
    let body = match guard::read_body(body, &headers, limit, alive).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let caller = api::Caller {
        session: token,
        peer: Some(peer.ip()),
        // The UI marks its own polling so that it does not keep an idle session alive.
        background: headers.contains_key("x-desk-background"),
    };
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
        let result = api::call_in_session(&mut desk, &caller, &command, args);
        if result.is_ok() {
            crate::cti::after_command(&door, &command);
        }
        result
    })
    .await;
    match result {
        // The core's reply is JSON text already: it goes out as it is.
        Ok(Ok(text)) => reply(StatusCode::OK, text.into_string()),
        Ok(Err(e)) => error_reply(e),
        // A panic in a use case is a bug, not the clerk's doing; the core words it.
        Err(e) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            api::internal_error(e).to_string(),
        ),
    }
}

pub(crate) fn error_reply(e: aftersales::Error) -> Response {
    let status = match e.code() {
        "invalid" | "bad_request" => StatusCode::BAD_REQUEST,
        "not_found" | "unknown_command" => StatusCode::NOT_FOUND,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    reply(status, e.to_json().to_string())
}

/// A JSON body.
fn reply(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
