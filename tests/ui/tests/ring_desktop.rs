//! 来电弹屏 in the real desktop window (Tauri on WebKitGTK through tauri-driver, under
//! `xvfb-run -a`): a ring recorded on the window's data by another door (here the CLI,
//! as a browser door's webhook or caller-ID box records it) reaches the logged-in window
//! through its `rings` command and channel, and shows as the pop-up with the caller's open
//! order; Enter takes it into 来电登记 with the number filled.

use fantoccini::key::Key;
use serde_json::json;
use ui_tests::*;

#[tokio::test]
async fn desktop_a_ring_from_another_door_pops_up_in_the_window() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    let wang = cli_call(
        d,
        "customers.create",
        json!({"name": "王芳", "phones": ["13512340000"], "address": "杭州市西湖区文三路 90 号"}),
    );
    cli_call(
        d,
        "orders.create",
        json!({"customer_id": wang["id"], "kind": "repair", "channel": "phone",
               "mode": "on_site", "fault": "冰箱不制冷", "confirmed": true}),
    );

    let session = Session::desktop(d).await;
    let c = &session.client;
    find(c, "#day").await;
    wait_until("the window's ring channel", || async move {
        let state = c
            .execute("return document.body.dataset.rings ?? ''", vec![])
            .await?;
        let state = state.as_str().unwrap_or_default().to_string();
        Ok(if state == "ready" { Ok(()) } else { Err(state) })
    })
    .await;

    // Another door on the same data records the ring (what its webhook or box does).
    let screen = cli_call(d, "calls.ring", json!({"phone": "135-1234-0000"}));
    assert_eq!(screen["customers"][0]["customer"]["name"], "王芳");
    let text = wait_inner(c, "#ring-popup", &["王芳", "135 1234 0000"]).await;
    assert!(text.contains("冰箱不制冷"), "{text}");
    screenshot(c, "desktop-ring-popup").await;

    wait_focus(c, "ring-take").await;
    press_key(c, Key::Enter).await;
    wait_hash(c, "the intake with the number", |h| {
        h.starts_with("#/orders/new") && h.contains("13512340000")
    })
    .await;
    wait_until("the caller's number in 来电登记", || async move {
        let v = find(c, "#caller-phone")
            .await
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(if v == "13512340000" { Ok(()) } else { Err(v) })
    })
    .await;
    session.close().await;
}
