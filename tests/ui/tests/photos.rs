//! 接机拍照 (issue 20) in headless Chromium through the browser door: Chromium's fake
//! camera (`--use-fake-device-for-media-stream`, the permission granted by
//! `--use-fake-ui-for-media-stream`) takes a picture at 来电登记, which is on the order's
//! page once the order is registered, its thumbnail opening the original; a file chosen
//! on the order's page is added, a renamed program is refused with the core's message,
//! and an attachment is voided with a reason, all from the keyboard where the clerk works.
//!
//! The desk's clock is fixed (Monday 2026-11-23 10:00 in Beijing); data is made through
//! the CLI door on the same folder.

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

/// 张伟 with a machine; his id.
fn seed(s: &Screen) -> i64 {
    let model = id(&s.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    ));
    let zhang = id(&s.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    ));
    s.call(
        "equipment.create",
        json!({"customer_id": zhang, "model_id": model, "serial": "SN-ZW-0001", "purchase_date": "2026-10-01"}),
    );
    zhang
}

/// Waits until `js` (a function body returning a value) returns true.
async fn wait_js(c: &Client, what: &str, js: &str) {
    wait_until(what, || async move {
        let v = c.execute(js, vec![]).await?;
        Ok(if v == json!(true) {
            Ok(())
        } else {
            Err(v.to_string())
        })
    })
    .await
}

/// Puts the file `path` into the (hidden) file input `css`, as choosing it in the dialog.
async fn choose_file(c: &Client, css: &str, path: &std::path::Path) {
    c.execute(
        "document.querySelector(arguments[0]).hidden = false",
        vec![json!(css)],
    )
    .await
    .expect("show the file input");
    find(c, css)
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choose {}: {e}", path.display()));
    c.execute(
        "document.querySelector(arguments[0]).hidden = true",
        vec![json!(css)],
    )
    .await
    .expect("hide the file input again");
}

#[tokio::test]
async fn a_camera_picture_taken_at_intake_is_on_the_orders_page_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let zhang = seed(&s);
    click(c, "a[data-view=\"intake\"]").await;
    find(c, "#intake").await;
    type_into(c, "#caller-phone", "13812345678").await;
    find(
        c,
        &format!(
            "#caller-results li[role=option][data-type=\"machine\"][data-customer-id=\"{zhang}\"]"
        ),
    )
    .await;
    press_key(c, Key::Enter).await;
    wait_inner(c, "#caller-chosen", &["张伟"]).await;
    find(c, "#intake-fault")
        .await
        .send_keys("外壳摔裂，接机时拍照")
        .await
        .expect("type the fault");

    // 拍照: the camera's preview in a dialog, the focus on its 拍照, Enter takes it.
    click(c, "#intake-photo-camera").await;
    wait_js(
        c,
        "the camera's preview to play",
        "const v = document.getElementById('intake-photo-video');
         return document.getElementById('intake-photo-dialog').open && v.videoWidth > 0
             && !document.getElementById('intake-photo-snap').disabled;",
    )
    .await;
    wait_focus(c, "intake-photo-snap").await;
    s.screenshot("photos-intake-camera").await;
    press_key(c, Key::Enter).await;
    wait_js(
        c,
        "the picture to wait beside the form",
        "return !document.getElementById('intake-photo-dialog').open
             && document.querySelectorAll('#intake-photo-list li img').length === 1;",
    )
    .await;
    s.screenshot("photos-intake-waiting").await;

    // Registered: the picture goes to the new order.
    ctrl(c, 's').await;
    let hash = wait_hash(c, "the order file", |h| {
        h.starts_with("#/orders/") && h != "#/orders/new" && !h.contains('?')
    })
    .await;
    let order_id: i64 = hash.trim_start_matches("#/orders/").parse().unwrap();
    let list = s.call("orders.attachments", json!({"order_id": order_id}));
    let list = list.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "jpeg");
    assert!(list[0]["file_name"].as_str().unwrap().starts_with("拍照-"));
    assert!(list[0]["width"].as_i64().unwrap() > 0);
    find(
        c,
        "#order-photo-list li[data-kind=\"jpeg\"] img.photo-thumb",
    )
    .await;
    wait_inner(c, "#order-timeline", &["添加附件", "拍照-"]).await;
    into_view(c, "#order-photos").await;
    s.screenshot("photos-order-after-intake").await;

    // The thumbnail opens the original; Esc closes it and stays on the order.
    click(c, "#order-photo-list li .photo-open").await;
    wait_js(
        c,
        "the original to show",
        "const img = document.getElementById('photo-view-img');
         return document.getElementById('photo-view').open && img.complete && img.naturalWidth > 0;",
    )
    .await;
    let natural = c
        .execute(
            "return document.getElementById('photo-view-img').naturalWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(natural, list[0]["width"]);
    s.screenshot("photos-original").await;
    press_key(c, Key::Escape).await;
    wait_js(
        c,
        "the viewer to close",
        "return !document.getElementById('photo-view').open;",
    )
    .await;
    assert_eq!(
        c.current_url().await.unwrap().fragment(),
        Some(hash.trim_start_matches('#'))
    );
    s.close().await;
}

#[tokio::test]
async fn a_file_is_added_on_the_order_a_program_refused_and_a_photo_voided_chromium() {
    let s = Screen::open_with(Engine::Chromium, &[(CLOCK, MONDAY_10)], |_| {}).await;
    let c = s.client();
    let zhang = seed(&s);
    let order = id(&s.call(
        "orders.create",
        json!({"customer_id": zhang, "kind": "repair", "fault": "面板不亮", "address": "北京市海淀区中关村大街1号"}),
    ));
    go(c, &format!("#/orders/{order}")).await;
    wait_text(c, "#order-photo-empty", "还没有照片").await;

    // A PNG chosen from the disk (the project's own screenshot).
    let png = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/screenshot.png")
        .canonicalize()
        .expect("docs/screenshot.png");
    choose_file(c, "#order-photo-file", &png).await;
    find(c, "#order-photo-list li[data-kind=\"png\"] img.photo-thumb").await;
    wait_inner(c, "#order-photos", &["screenshot.png", "1366×768"]).await;
    wait_inner(c, "#order-timeline", &["添加附件", "screenshot.png"]).await;

    // A program renamed .jpg: the core refuses it by its bytes; nothing is added.
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("照片.jpg");
    let mut bytes = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    bytes.extend_from_slice(&[0u8; 512]);
    std::fs::write(&exe, bytes).unwrap();
    choose_file(c, "#order-photo-file", &exe).await;
    wait_text(c, "#order-photo-error", "只能上传").await;
    assert_eq!(
        s.call("orders.attachments", json!({"order_id": order}))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    into_view(c, "#order-photos").await;
    s.screenshot("photos-order-refused").await;

    // 作废 with a reason, typed: Enter sends it; the photo stays, struck out.
    click(c, "#order-photo-list li .photo-void-button").await;
    let reason = find(c, "#order-photo-list input[id^=\"photo-void-reason-\"]").await;
    wait_js(
        c,
        "the reason box to have the focus",
        "return document.activeElement && document.activeElement.id.startsWith('photo-void-reason-');",
    )
    .await;
    reason
        .send_keys("拍错了工单")
        .await
        .expect("type the reason");
    press_key(c, Key::Enter).await;
    wait_inner(
        c,
        "#order-photo-list li.is-voided",
        &["已作废", "拍错了工单"],
    )
    .await;
    wait_inner(c, "#order-timeline", &["作废附件", "拍错了工单"]).await;
    let list = s.call("orders.attachments", json!({"order_id": order}));
    assert_eq!(list[0]["voided"], true);
    assert_eq!(list[0]["void_reason"], "拍错了工单");
    wait_js(
        c,
        "the refusal to be cleared by the void",
        "return document.getElementById('order-photo-error').textContent === '';",
    )
    .await;
    into_view(c, "#order-photos").await;
    s.screenshot("photos-order-voided").await;
    s.close().await;
}
