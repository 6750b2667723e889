//! 来电弹屏 in the desktop window (issue 20): the IPC command `rings`, which the window calls
//! after login with its session and a channel (`tauri::ipc::Channel`); the caller's screen
//! of every ring recorded after that moment (by this window's F8, or by a browser door on
//! the same data) is sent down the channel as its JSON text.
//!
//! As on the browser door: only a live session whose user may take calls (`calls.ring`) is
//! answered, checked again before each ring and every [`CHECK`] without keeping it alive;
//! logged out or idled out, the poller ends. Rings are read from the core's `call_ring` on
//! a connection of the poller's own every [`POLL`], so the window keeps no ring either.
//! A window that is a client of another PC's door (`--server`) is refused: there, the
//! rings are that door's (its browser event stream).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aftersales::{api, calls, Desk};
use serde_json::{json, Value};
use tauri::ipc::Channel;

use crate::DeskState;

/// How often the window's poller looks for rings.
pub const POLL: Duration = Duration::from_millis(200);
/// The session is checked at least this often while nothing rings.
const CHECK: Duration = Duration::from_secs(15);
/// Ids below the highest pushed still looked at (see cli/src/cti.rs).
const LOOK_BACK: i64 = 32;

fn may_take_calls(desk: &Mutex<Desk>, token: &str) -> Result<(), Value> {
    let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
    let result = api::session_may(&mut desk, token, "calls.ring");
    desk.act_as(aftersales::Actor::nobody());
    result.map_err(|e| e.to_json())
}

/// `invoke('rings', {session, onRing})`: starts sending the rings to `on_ring`; refuses
/// (the core's error JSON) a session that may not take calls.
#[tauri::command]
pub async fn rings(
    state: tauri::State<'_, DeskState>,
    session: Option<String>,
    on_ring: Channel<String>,
) -> Result<(), Value> {
    let DeskState::Local(desk) = state.inner() else {
        return Err(json!({
            "code": "unsupported",
            "message": "这个窗口连接的是其他电脑的服务台：来电弹屏请在浏览器中打开那台电脑的服务台"
        }));
    };
    let desk = Arc::clone(desk);
    let token = session.unwrap_or_default();
    let (first, poller_token) = (Arc::clone(&desk), token.clone());
    let start = tauri::async_runtime::spawn_blocking(move || {
        may_take_calls(&first, &token)?;
        let desk = first.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = desk.another_connection().map_err(|e| e.to_json())?;
        let last = calls::last_ring(&conn).map_err(|e| e.to_json())?;
        let before: VecDeque<i64> = calls::ring_ids_after(&conn, (last - LOOK_BACK).max(0), 100)
            .map_err(|e| e.to_json())?
            .into();
        Ok::<_, Value>((conn, last, before))
    })
    .await
    .map_err(aftersales::api::internal_error)??;
    let (conn, mut last, mut pushed) = start;
    let token = poller_token;
    tauri::async_runtime::spawn_blocking(move || {
        let mut checked = Instant::now();
        loop {
            std::thread::sleep(POLL);
            if checked.elapsed() >= CHECK {
                if may_take_calls(&desk, &token).is_err() {
                    return;
                }
                checked = Instant::now();
            }
            let Ok(ids) = calls::ring_ids_after(&conn, (last - LOOK_BACK).max(0), 100) else {
                continue;
            };
            for id in ids {
                if pushed.contains(&id) {
                    continue;
                }
                let Ok(Some(ring)) = calls::pushed(&conn, id) else {
                    continue;
                };
                if may_take_calls(&desk, &token).is_err() {
                    return;
                }
                last = last.max(ring.id);
                pushed.push_back(ring.id);
                if pushed.len() > 2 * LOOK_BACK as usize {
                    pushed.pop_front();
                }
                // The window is gone: so is the poller.
                if on_ring.send(ring.screen).is_err() {
                    return;
                }
            }
        }
    });
    Ok(())
}
