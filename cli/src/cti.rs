//! 来电弹屏 on the browser door (issue 20): the rings' event stream to the logged-in desks,
//! the call centre's webhook and the caller-ID box on a serial port.
//!
//! - `GET /api/events`: server-sent events, behind the same session as `/api` (header
//!   `X-Desk-Session`; the UI reads the stream with `fetch`, which can send it). Only a
//!   desk whose user may take calls (`calls.ring`) is answered; its session is checked
//!   again before every ring is sent and on every heartbeat, without keeping it alive, so a
//!   desk logged out or idled out is sent nothing more and its stream ends.
//! - `POST /cti/ring`: a ring from a cloud call centre, with the manager's secret in
//!   `X-Cti-Secret` (the core checks it: `calls::cti::webhook`); a browser never sends one
//!   (a request with an `Origin` is refused), the body is JSON of at most 4 KB, and the
//!   door takes at most [`BURST`] rings at once and [`PER_SECOND`] a second after that.
//! - A caller-ID box: when the settings name a serial port, a thread reads its lines and
//!   rings each number found by the settings' pattern (`calls::cti::serial_line`).
//!
//! The door keeps no ring: every ring is recorded by the core in `call_ring`, and one
//! poller per door reads the rings after the last it pushed — at once when a ring came
//! through this door, else every [`POLL`] — so a ring at one door of a chain reaches the
//! desks of every other door on the same PostgreSQL (docs/DECISIONS.md, issue 20).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aftersales::{api, calls, Desk};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::{broadcast, mpsc, Notify};

use crate::serve::Door;

/// How often a door looks for rings that came through another door.
pub const POLL: Duration = Duration::from_millis(200);
/// A heartbeat comment on every stream this often (proxies keep it open; the session is
/// checked again).
const HEARTBEAT: Duration = Duration::from_secs(15);
/// Rings the webhook takes at once, and how many a second after that.
pub const BURST: f64 = 20.0;
pub const PER_SECOND: f64 = 5.0;
/// A ring's id below the highest pushed that is still looked at again: on PostgreSQL a
/// ring with a lower id may commit after one with a higher id (two doors at once).
const LOOK_BACK: i64 = 32;
/// The command whose roles take calls.
const TAKES_CALLS: &str = "calls.ring";

/// The door's rings: the screens pushed to its streams and the poller's wake-up.
pub struct Rings {
    screens: broadcast::Sender<Arc<calls::Pushed>>,
    wake: Notify,
    bucket: Mutex<(f64, Instant)>,
}

impl Default for Rings {
    fn default() -> Rings {
        Rings {
            screens: broadcast::channel(64).0,
            wake: Notify::new(),
            bucket: Mutex::new((BURST, Instant::now())),
        }
    }
}

impl Rings {
    /// A ring was recorded through this door: the poller reads it now, not at its next turn.
    pub fn rang(&self) {
        self.wake.notify_one();
    }

    /// Whether the webhook may take one more ring now (a token bucket).
    fn take(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let (tokens, since) = *bucket;
        let tokens = (tokens + now.duration_since(since).as_secs_f64() * PER_SECOND).min(BURST);
        if tokens >= 1.0 {
            *bucket = (tokens - 1.0, now);
            true
        } else {
            *bucket = (tokens, now);
            false
        }
    }
}

/// Where the door's poller starts: its own connection, the newest ring at start and the
/// rings it must not push again, and the sources' settings. Read before the door's
/// runtime runs: the PostgreSQL client blocks on a runtime of its own, which tokio refuses
/// to start on a thread that drives async tasks (the door on PostgreSQL did not start).
pub struct Start {
    conn: aftersales::platform::db::Db,
    last: i64,
    pushed: VecDeque<i64>,
    settings: calls::cti::CtiSettings,
}

/// Reads where the poller starts (see [`Start`]); outside the door's runtime.
pub fn prepare(door: &Door) -> std::io::Result<Start> {
    let (conn, settings) = {
        let desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
        let conn = desk
            .another_connection()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let settings = calls::cti::load(&conn).map_err(|e| std::io::Error::other(e.to_string()))?;
        (conn, settings)
    };
    let last = calls::last_ring(&conn).map_err(|e| std::io::Error::other(e.to_string()))?;
    // The rings of before the start, those the first polls look back at included, are
    // the call log's, not this door's to push.
    let pushed: VecDeque<i64> = calls::ring_ids_after(&conn, (last - LOOK_BACK).max(0), 100)
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .into();
    Ok(Start {
        conn,
        last,
        pushed,
        settings,
    })
}

/// Starts the door's poller (and the caller-ID box's reader when a port is set) inside its
/// runtime: from the newest ring at start, every ring recorded after it is sent to the
/// door's streams.
pub fn start(door: Arc<Door>, from: Start) {
    let Start {
        conn,
        mut last,
        mut pushed,
        settings,
    } = from;
    let conn = Arc::new(Mutex::new(conn));
    let poller = door.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = poller.rings.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            let conn = conn.clone();
            let from = (last - LOOK_BACK).max(0);
            let seen: Vec<i64> = pushed.iter().copied().collect();
            let found = tokio::task::spawn_blocking(move || {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let mut rings = Vec::new();
                for id in calls::ring_ids_after(&conn, from, 100)? {
                    if !seen.contains(&id) {
                        rings.extend(calls::pushed(&conn, id)?);
                    }
                }
                Ok::<_, aftersales::Error>(rings)
            })
            .await;
            let rings = match found {
                Ok(Ok(rings)) => rings,
                Ok(Err(e)) => {
                    eprintln!("来电：读取来电记录失败：{e}");
                    continue;
                }
                Err(e) => {
                    eprintln!("来电：{e}");
                    continue;
                }
            };
            for ring in rings {
                last = last.max(ring.id);
                pushed.push_back(ring.id);
                if pushed.len() > 2 * LOOK_BACK as usize {
                    pushed.pop_front();
                }
                // No stream listening is not an error: the ring is in the call log.
                let _ = poller.rings.screens.send(Arc::new(ring));
            }
        }
    });
    if !settings.serial_port.is_empty() {
        serial::start(door, settings.serial_port, settings.serial_baud);
    }
}

/// A live session of a user who takes calls: `Ok`, else the error the stream answers with.
async fn may_take_calls(door: &Arc<Door>, token: &str) -> Result<(), aftersales::Error> {
    let (door, token) = (door.clone(), token.to_string());
    tokio::task::spawn_blocking(move || {
        let mut desk = door.desk.lock().unwrap_or_else(|p| p.into_inner());
        let result = api::session_may(&mut desk, &token, TAKES_CALLS);
        desk.act_as(aftersales::Actor::nobody());
        result
    })
    .await
    .unwrap_or(Err(aftersales::Error::Unauthorized))
}

/// `GET /api/events`: the rings, as server-sent events (`event: ring`, `id:` the ring's,
/// `data:` the caller's screen), to a desk whose user takes calls.
pub async fn events(State(door): State<Arc<Door>>, headers: HeaderMap) -> Response {
    let token = headers
        .get("x-desk-session")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if token.is_empty() {
        return crate::serve::error_reply(aftersales::Error::Unauthorized);
    }
    if let Err(e) = may_take_calls(&door, &token).await {
        return crate::serve::error_reply(e);
    }
    let mut screens = door.rings.screens.subscribe();
    let (out, body) = mpsc::channel::<Bytes>(16);
    // Said at once, so that the desk knows it is connected (the UI waits for it in tests).
    let _ = out.try_send(Bytes::from_static(
        b"retry: 2000\nevent: ready\ndata: {}\n\n",
    ));
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(HEARTBEAT);
        beat.tick().await;
        loop {
            let chunk = tokio::select! {
                ring = screens.recv() => match ring {
                    Ok(ring) => {
                        if may_take_calls(&door, &token).await.is_err() {
                            break;
                        }
                        Bytes::from(format!("id: {}\nevent: ring\ndata: {}\n\n", ring.id, ring.screen))
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = beat.tick() => {
                    if may_take_calls(&door, &token).await.is_err() {
                        let _ = out.send(Bytes::from_static(b"event: signed_out\ndata: {}\n\n")).await;
                        break;
                    }
                    Bytes::from_static(b": \n\n")
                },
                _ = out.closed() => break,
            };
            if out.send(chunk).await.is_err() {
                break;
            }
        }
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream; charset=utf-8"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::new(Stream(body)),
    )
        .into_response()
}

/// The event stream's body: each chunk as it comes, the end when the sender is gone.
struct Stream(mpsc::Receiver<Bytes>);

impl http_body::Body for Stream {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(http_body::Frame::data(b))))
    }
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({"code": code, "message": message}).to_string(),
    )
        .into_response()
}

/// `POST /cti/ring`: a call centre's ring. Refused before the body is read when it comes
/// from a web page (`Origin`), too often, not as JSON or larger than 4 KB; then the core
/// checks the secret and the number and records the ring, which the poller pushes at once.
pub async fn webhook(State(door): State<Arc<Door>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    if headers.contains_key(header::ORIGIN) {
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "来电接口只接受呼叫中心的服务器推送，不接受网页发来的请求",
        );
    }
    if !door.rings.take() {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many",
            "来电推送过于频繁，请稍后再试",
        );
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "来电推送应为 JSON（Content-Type: application/json）",
        );
    }
    let body =
        match crate::guard::read_body(body, &headers, calls::cti::WEBHOOK_MAX_BODY, true).await {
            Ok(body) => body,
            Err(refused) => return refused,
        };
    let secret = headers.get("x-cti-secret").map(|v| v.as_bytes().to_vec());
    let ringer = door.clone();
    let rung = tokio::task::spawn_blocking(move || {
        let mut desk = ringer.desk.lock().unwrap_or_else(|p| p.into_inner());
        calls::cti::webhook(&mut desk, secret.as_deref(), &body)
    })
    .await;
    match rung {
        Ok(Ok(screen)) => {
            door.rings.rang();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                json!({"ring_id": screen.ring_id, "customers": screen.customers.len()}).to_string(),
            )
                .into_response()
        }
        Ok(Err(e)) => crate::serve::error_reply(e),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            api::internal_error(e).to_string(),
        )
            .into_response(),
    }
}

/// A ring of the clerk's F-key through this door (`calls.ring`): pushed now, not at the
/// poller's next turn.
pub fn after_command(door: &Door, command: &str) {
    if command == TAKES_CALLS {
        door.rings.rang();
    }
}

/// Rings a line from the caller-ID box on `desk`; the number-less lines are ignored.
fn serial_line(desk: &Mutex<Desk>, line: &str) -> bool {
    let mut desk = desk.lock().unwrap_or_else(|p| p.into_inner());
    match calls::cti::serial_line(&mut desk, line) {
        Ok(rung) => rung.is_some(),
        Err(e) => {
            eprintln!("来电盒：{}", e.to_json());
            false
        }
    }
}

mod serial {
    //! The caller-ID box's reader: the port opened at the settings' speed (8N1), each line
    //! (ended by CR or LF, at most 256 characters kept) rung; a port that is missing or
    //! unplugged is opened again every 5 seconds, said once on the console.

    use std::io::Read;
    use std::sync::Arc;
    use std::time::Duration;

    use crate::serve::Door;

    const REOPEN: Duration = Duration::from_secs(5);

    pub fn start(door: Arc<Door>, port: String, baud: u32) {
        let spawned = std::thread::Builder::new()
            .name("caller-id".into())
            .spawn(move || {
                let mut said = false;
                loop {
                    match serialport::new(&port, baud)
                        .timeout(Duration::from_millis(500))
                        .open()
                    {
                        Ok(reader) => {
                            println!("来电盒：已连接 {port}");
                            said = false;
                            read(&door, reader, &port);
                        }
                        Err(e) if !said => {
                            eprintln!("来电盒：打不开串口 {port}：{e}（每5秒重试）");
                            said = true;
                        }
                        Err(_) => {}
                    }
                    std::thread::sleep(REOPEN);
                }
            });
        if let Err(e) = spawned {
            eprintln!("来电盒：{e}");
        }
    }

    fn read(door: &Arc<Door>, mut reader: Box<dyn serialport::SerialPort>, port: &str) {
        let mut line: Vec<u8> = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    for &b in &buf[..n] {
                        if b == b'\r' || b == b'\n' {
                            if !line.is_empty() {
                                let text = String::from_utf8_lossy(&line).into_owned();
                                line.clear();
                                if super::serial_line(&door.desk, &text) {
                                    door.rings.rang();
                                }
                            }
                        } else if line.len() < aftersales::calls::cti::SERIAL_MAX_LINE {
                            line.push(b);
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => {
                    eprintln!("来电盒：串口 {port} 断开：{e}");
                    return;
                }
            }
        }
    }
}
