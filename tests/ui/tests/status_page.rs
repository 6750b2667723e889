//! 进度查询 (issue 20) in headless Chromium against the real browser door: the clerk sees
//! the order's status link on the order screen (1366×768), copies it, and revokes it from
//! the keyboard; the customer opens the link on a phone-sized window without logging in
//! and sees the order's number, status, engineer's surname, appointment and amount due,
//! and nothing private; the revoked link shows the neutral page.

use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn desk(door: &Door, command: &str, args: Value) -> Value {
    door.call_with_env(&[(CLOCK, MONDAY_10)], command, args)
}

/// An order dispatched to 王磊 with an appointment, completed with ¥80 labour, ¥30 paid.
fn seed(door: &Door) -> i64 {
    desk(
        door,
        "settings.save",
        json!({"company_name": "宁波家电售后", "company_hotline": "400-800-1234"}),
    );
    let customer = id(&desk(
        door,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "宁波市海曙区中山西路1号"}),
    ));
    let engineer = id(&desk(
        door,
        "engineers.save",
        json!({"name": "王磊", "phone": "13900002222", "region": "海曙"}),
    ));
    let order = id(&desk(
        door,
        "orders.create",
        json!({"customer_id": customer, "fault": "不点火，显示E1", "confirmed": true}),
    ));
    desk(
        door,
        "orders.assign",
        json!({"id": order, "engineer_id": engineer, "appointment_from": "2026-11-23 14:00",
               "appointment_to": "2026-11-23 16:00"}),
    );
    desk(
        door,
        "orders.move",
        json!({"id": order, "to": "in_progress"}),
    );
    desk(
        door,
        "orders.complete",
        json!({"id": order, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 8000}]}),
    );
    desk(
        door,
        "orders.pay",
        json!({"id": order, "method": "cash", "amount_fen": 3000}),
    );
    order
}

async fn field(c: &Client, name: &str) -> String {
    inner_text(c, &format!("[data-field={name}]"))
        .await
        .unwrap_or_else(|e| panic!("[data-field={name}]: {e}"))
}

#[tokio::test]
async fn the_clerk_copies_and_revokes_the_link_and_the_customer_reads_it_on_a_phone() {
    let door = Door::start_with_env(&[(CLOCK, MONDAY_10)]);
    let order = seed(&door);
    let base = door
        .url
        .split('#')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let path = desk(&door, "orders.get", json!({"id": order}))["status_path"]
        .as_str()
        .expect("status_path")
        .to_string();

    // ---- the clerk: the order screen at 1366×768 ------------------------------------------
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#view > section").await;
    go(c, &format!("#/orders/{order}")).await;
    find(c, "#order-status-link").await;
    let shown = find(c, "#order-status-link")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(shown, format!("{base}{path}"));
    // Without a public address the clerk is told this is the desk's own address.
    wait_text(c, "#order-status-link-hint", "设置").await;
    screenshot(c, "status-link-order").await;
    // 复制链接: what lands on the clipboard is the link (read back in the page).
    c.execute(
        "window.__copied = null; navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); };",
        vec![],
    )
    .await
    .unwrap();
    click(c, "#order-status-link-copy").await;
    let copied: String = wait_until("the copy", || async {
        Ok(match c.execute("return window.__copied", vec![]).await? {
            Value::String(s) => Ok(s),
            other => Err(other.to_string()),
        })
    })
    .await;
    assert_eq!(copied, format!("{base}{path}"));
    wait_text(c, "#toast", "链接已复制").await;
    // 作废并换新 from the keyboard: the button, Enter, the dialog's 取消 first (Esc), then
    // the dialog again and its 作废并换新.
    c.execute(
        "document.getElementById('order-status-link-revoke').focus()",
        vec![],
    )
    .await
    .unwrap();
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-status-link-revoke-no").await;
    screenshot(c, "status-link-revoke-dialog").await;
    press_key(c, Key::Escape).await;
    wait_focus(c, "order-status-link-revoke").await;
    assert_eq!(
        desk(&door, "orders.get", json!({"id": order}))["status_path"],
        json!(path),
        "Esc revoked the link"
    );
    press_key(c, Key::Enter).await;
    wait_focus(c, "order-status-link-revoke-no").await;
    // Shift+Tab: from 取消 back to 作废并换新.
    press(c, &[Key::Shift.into()], Key::Tab.into()).await;
    wait_focus(c, "order-status-link-revoke-yes").await;
    press_key(c, Key::Enter).await;
    wait_text(c, "#toast", "已作废").await;
    let new_path = desk(&door, "orders.get", json!({"id": order}))["status_path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_path, path);
    let want = format!("{base}{new_path}");
    let shown: String = wait_until("the new link on screen", || async {
        let v = find(c, "#order-status-link")
            .await
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(if v == want { Ok(v) } else { Err(v) })
    })
    .await;
    assert!(shown.ends_with(&new_path));
    let audit = desk(&door, "audit.list", json!({}));
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "status_link_revoked" && e["entity_id"] == order),
        "{audit}"
    );
    session.close().await;

    // ---- the customer: a phone, no login ---------------------------------------------------
    let phone = Session::chromium_scaled(1170, 2532, 3.0).await;
    let p = &phone.client;
    p.goto(&format!("{base}{new_path}"))
        .await
        .expect("open the status page");
    find(p, "[data-field=number]").await;
    assert_eq!(field(p, "number").await, "WO2026000001");
    assert_eq!(field(p, "company").await, "宁波家电售后");
    assert_eq!(field(p, "status").await, "已完工");
    assert_eq!(field(p, "engineer").await, "王师傅");
    assert_eq!(field(p, "customer").await, "张**");
    assert_eq!(field(p, "appointment").await, "2026-11-23 14:00 – 16:00");
    assert_eq!(field(p, "due").await, "¥50.00");
    assert_eq!(field(p, "hotline").await, "400-800-1234");
    let all = inner_text(p, "body").await.unwrap();
    for private in [
        "13812345678",
        "中山西路",
        "张伟",
        "王磊",
        "不点火",
        "更换点火针",
    ] {
        assert!(!all.contains(private), "{private} on the page: {all}");
    }
    // Laid out for the phone: nothing wider than its screen, the text not shrunk.
    let fits = p
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             parseFloat(getComputedStyle(document.body).fontSize)]",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner, font) = (
        fits[0].as_f64().unwrap(),
        fits[1].as_f64().unwrap(),
        fits[2].as_f64().unwrap(),
    );
    // Headless Chromium keeps a window at least 500 CSS pixels wide: the narrowest it gives.
    assert!(inner <= 500.0, "{fits}");
    assert!(scroll <= inner, "wider than the phone: {fits}");
    assert!(font >= 16.0, "{fits}");
    // No script on the page, and the policy would refuse one.
    let scripts = p
        .execute("return document.scripts.length", vec![])
        .await
        .unwrap();
    assert_eq!(scripts, json!(0));
    screenshot(p, "status-page-phone").await;
    // The revoked link: the neutral page.
    p.goto(&format!("{base}{path}")).await.unwrap();
    wait_text(p, "[data-field=message]", "此查询链接无效或已失效").await;
    let gone = inner_text(p, "body").await.unwrap();
    assert!(!gone.contains("WO2026"), "{gone}");
    screenshot(p, "status-page-phone-404").await;
    phone.close().await;
}
