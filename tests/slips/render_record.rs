//! Issue 18 (print where the clerk is): printing split into `slips.render` (the paper as
//! it will print, its number and 补打 decided, a print token issued, nothing recorded) and
//! `slips.record` (the print recorded once the printer on the clerk's PC accepted the job,
//! the token consumed). Real SQLite files; the rendered PDFs read back with pdftotext.

use aftersales::api::{self, Caller};
use aftersales::{Actor, Role};
use serde_json::{json, Value};

use super::{clock, completed_order, MONDAY_10};
use crate::platform::pdf::{save_pdf, squeezed, text};
use crate::util::{desk, TestDesk};

fn render(t: &mut TestDesk, order: i64, format: &str) -> Value {
    t.ok("slips.render", json!({"order_id": order, "format": format}))
}

fn counts(t: &TestDesk) -> (i64, i64, i64) {
    (
        t.sql("SELECT count(*) FROM slip_print"),
        t.sql("SELECT count(*) FROM order_event WHERE detail LIKE '%服务单%'"),
        t.sql("SELECT count(*) FROM slip"),
    )
}

#[test]
fn a_render_records_no_print_and_the_record_consumes_its_token_once() {
    let mut t = desk();
    let order = completed_order(&mut t, "张伟", "北京市海淀区中关村大街1号", 1);
    let r = render(&mut t, order, "a4");
    // The paper as it prints: its number given, the original, no 预览.
    assert_eq!(r["number"], "FW2026000001");
    assert_eq!(r["reprint"], 0);
    assert_eq!(r["paper"], "a4");
    assert_eq!(r["title"], "服务单-FW2026000001");
    let (path, _) = save_pdf(&r, "slip-rendered-for-print");
    let words = squeezed(&text(&path, None));
    assert!(
        words.contains("FW2026000001") && !words.contains("补打") && !words.contains("预览"),
        "{words}"
    );
    // Nothing recorded: no print, nothing on the timeline; the slip holds its number.
    assert_eq!(counts(&t), (0, 0, 1));
    let slips = t.ok("slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 0, "{slips}");
    let token = r["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 32);
    // The database keeps only the token's hash.
    let kept: i64 = t.sql(&format!(
        "SELECT count(*) FROM slip_print_token WHERE hash = '{token}'"
    ));
    assert_eq!(kept, 0);

    let recorded = t.ok("slips.record", json!({"token": token}));
    assert_eq!(recorded["slip"]["number"], "FW2026000001");
    assert_eq!(recorded["slip"]["prints"], 1);
    assert_eq!(recorded["reprint"], 0);
    assert_eq!(counts(&t), (1, 1, 1));
    let timeline: String = t.sql("SELECT group_concat(detail, '|') FROM order_event");
    assert!(timeline.contains("打印服务单 FW2026000001"), "{timeline}");

    // Replayed: refused in Chinese on the token, nothing more recorded.
    let e = t.err("slips.record", json!({"token": token}));
    assert_eq!(e["code"], "invalid");
    assert_eq!(e["field"], "token");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("这张打印凭据已经用过") && message.contains("FW2026000001"),
        "{message}"
    );
    assert_eq!(counts(&t), (1, 1, 1));

    // The next render is the first 补打.
    let again = render(&mut t, order, "thermal");
    assert_eq!(again["number"], "FW2026000001");
    assert_eq!(again["reprint"], 1);
    let recorded = t.ok("slips.record", json!({"token": again["token"]}));
    assert_eq!(recorded["reprint"], 1);
    assert_eq!(recorded["slip"]["prints"], 2);
    let timeline: String = t.sql("SELECT group_concat(detail, '|') FROM order_event");
    assert!(
        timeline.contains("补打服务单 FW2026000001（第1次补打）"),
        "{timeline}"
    );
}

#[test]
fn a_render_for_a_desktop_carries_the_drawing_that_makes_the_same_paper() {
    let mut t = desk();
    let order = completed_order(&mut t, "郑爽", "南京", 1);
    let r = t.ok(
        "slips.render",
        json!({"order_id": order, "format": "a5", "drawing": true}),
    );
    assert_eq!(
        r["content_base64"], "",
        "no PDF when the drawing is asked for"
    );
    let drawing: aftersales::platform::pdf::Drawing =
        serde_json::from_value(r["drawing"].clone()).expect("a drawing");
    assert_eq!(drawing.pages.len() as u64, r["pages"].as_u64().unwrap());
    // The drawing as the LAN client turns it into its printer's PDF.
    use base64::Engine as _;
    let pdf = drawing.to_pdf().expect("the drawing's PDF");
    let shown = json!({"file_name": r["file_name"], "content_base64": base64::engine::general_purpose::STANDARD.encode(pdf)});
    let (path, _) = save_pdf(&shown, "slip-rendered-drawing");
    let words = squeezed(&text(&path, None));
    assert!(
        words.contains("FW2026000001") && words.contains("郑爽"),
        "{words}"
    );
    // Recorded like any render.
    assert_eq!(
        t.ok("slips.record", json!({"token": r["token"]}))["reprint"],
        0
    );
}

#[test]
fn a_forged_token_or_another_users_token_is_refused_in_chinese() {
    let mut t = desk();
    let order = completed_order(&mut t, "李娜", "北京市朝阳区建国路88号", 0);
    let r = render(&mut t, order, "a5");
    let real = r["token"].as_str().unwrap().to_string();
    // Well formed, never handed out.
    let forged: String = real
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    let e = t.err("slips.record", json!({"token": forged}));
    assert_eq!(e["field"], "token");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("打印凭据无效：这张服务单没有在本系统准备打印"),
        "{e}"
    );
    // Not a token at all: refused before anything is looked up.
    for bad in ["", "abc", "'; DELETE FROM slip; --", &"f".repeat(10_000)] {
        let e = t.err("slips.record", json!({"token": bad}));
        assert_eq!(e["field"], "token", "{bad}");
        assert!(e["message"].as_str().unwrap().contains("32 位凭据"), "{e}");
    }
    // Issued to the script's user, presented by a clerk who logged in: refused.
    t.desk.act_as(Actor {
        id: Some(99),
        login: "clerk2".into(),
        name: "王芳".into(),
        roles: vec![Role::Clerk],
        engineer_id: None,
    });
    let e = api::call(&mut t.desk, "slips.record", json!({"token": real}))
        .unwrap_err()
        .to_json();
    assert_eq!(e["field"], "token", "{e}");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("不是为当前用户准备的"));
    assert_eq!(counts(&t), (0, 0, 1));
    // Its owner still can, once.
    t.ok("slips.record", json!({"token": real}));
    assert_eq!(counts(&t), (1, 1, 1));
}

#[test]
fn an_expired_token_is_refused_and_stops_holding_a_reprint_count() {
    let mut t = desk();
    clock(&mut t, MONDAY_10);
    let order = completed_order(&mut t, "赵磊", "天津", 0);
    let late = render(&mut t, order, "a4");
    assert_eq!(late["expires_at"], "2026-11-23T02:15:00Z");
    clock(&mut t, "2026-11-23T10:15:00+08:00");
    let e = t.err("slips.record", json!({"token": late["token"]}));
    assert_eq!(e["field"], "token");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("打印凭据已过期（准备打印后超过 15 分钟）"),
        "{e}"
    );
    // The abandoned paper holds nothing: the next one is the original again.
    let next = render(&mut t, order, "a4");
    assert_eq!(next["number"], late["number"]);
    assert_eq!(next["reprint"], 0);
}

#[test]
fn two_desks_rendering_the_same_slip_at_once_never_print_the_same_reprint_count() {
    let mut t = desk();
    let order = completed_order(&mut t, "孙丽", "上海", 0);
    t.ok("slips.print", json!({"order_id": order, "format": "a4"}));
    // Desk A and desk B both render the slip before either records.
    let a = render(&mut t, order, "a4");
    let b = render(&mut t, order, "a4");
    assert_eq!(
        (a["reprint"].as_i64(), b["reprint"].as_i64()),
        (Some(1), Some(2))
    );
    // B's printer is quicker: each print is recorded as the paper says.
    assert_eq!(
        t.ok("slips.record", json!({"token": b["token"]}))["reprint"],
        2
    );
    assert_eq!(
        t.ok("slips.record", json!({"token": a["token"]}))["reprint"],
        1
    );
    let slips = t.ok("slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 3);
    let timeline: String = t.sql("SELECT group_concat(detail, '|') FROM order_event");
    assert!(timeline.contains("第1次补打") && timeline.contains("第2次补打"));
}

#[test]
fn a_refused_job_is_recorded_unsent_and_a_void_since_rendering_is_refused() {
    let mut t = desk();
    let order = completed_order(&mut t, "周强", "广州", 0);
    let r = render(&mut t, order, "a4");
    let e = t.err(
        "slips.record",
        json!({"token": r["token"], "refused": "打印机缺纸"}),
    );
    assert_eq!(e["field"], "printer");
    assert_eq!(
        e["message"],
        "服务单 FW2026000001 已记录，但没有打印出来：打印机缺纸。请检查打印机后重新打印，或下载 PDF 打印"
    );
    let slips = t.ok("slips.list", json!({"order_id": order}));
    assert_eq!(slips["items"][0]["prints"], 0);
    let unsent: String = t.sql("SELECT reason FROM slip_print_unsent");
    assert_eq!(unsent, "打印机缺纸");
    // Voided after rendering: the paper does not count.
    let r = render(&mut t, order, "a4");
    assert_eq!(r["reprint"], 0);
    t.ok(
        "slips.void",
        json!({"number": "FW2026000001", "reason": "客户姓名写错"}),
    );
    let e = t.err("slips.record", json!({"token": r["token"]}));
    assert_eq!(e["field"], "token");
    assert!(e["message"].as_str().unwrap().contains("已作废"), "{e}");
}

#[test]
fn a_browser_on_another_pc_cannot_send_to_this_pcs_printer() {
    let mut t = desk();
    let order = completed_order(&mut t, "吴敏", "深圳", 0);
    t.ok(
        "users.save",
        json!({"login": "boss", "name": "老板", "roles": [Role::Manager], "password": "pass-1234"}),
    );
    let session = api::call_in_session(
        &mut t.desk,
        &Caller::default(),
        "auth.login",
        json!({"login": "boss", "password": "pass-1234"}),
    )
    .unwrap()
    .value()["session"]
        .as_str()
        .unwrap()
        .to_string();
    let from = |peer: &str| Caller {
        session: Some(session.clone()),
        peer: Some(peer.parse().unwrap()),
        background: false,
    };
    let args = json!({"order_id": order, "format": "a4", "send": true});
    let e = api::call_in_session(&mut t.desk, &from("192.0.2.9"), "slips.print", args.clone())
        .unwrap_err()
        .to_json();
    assert_eq!(e["field"], "printer", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("这台电脑（192.0.2.9）不能用服务器的打印机打印"),
        "{e}"
    );
    // Refused before anything was made: no number given.
    assert_eq!(counts(&t), (0, 0, 0));
    let info = api::call_in_session(&mut t.desk, &from("192.0.2.9"), "app.info", json!({}))
        .unwrap()
        .value();
    assert_eq!(info["prints_here"], false);
    for here in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
        let info = api::call_in_session(&mut t.desk, &from(here), "app.info", json!({}))
            .unwrap()
            .value();
        assert_eq!(info["prints_here"], true, "{here}");
    }
}

#[test]
fn two_doors_on_one_file_rendering_at_the_same_time_take_turns_and_never_share_a_count() {
    let mut t = desk();
    let order = completed_order(&mut t, "钱进", "杭州", 0);
    t.ok("slips.print", json!({"order_id": order, "format": "a4"}));
    // Two doors (serve and the server PC's own desktop) on the same database file, each
    // rendering the same slip ten times, at once.
    let counts: Vec<i64> = std::thread::scope(|s| {
        let door = |_| {
            let mut desk = t.second_desk();
            s.spawn(move || {
                desk.act_as(Actor::script());
                (0..10)
                    .map(|_| {
                        api::call(
                            &mut desk,
                            "slips.render",
                            json!({"order_id": order, "format": "a4", "drawing": true}),
                        )
                        .unwrap()
                        .value()["reprint"]
                            .as_i64()
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        };
        let (a, b) = (door(0), door(1));
        let mut all = a.join().unwrap();
        all.extend(b.join().unwrap());
        all
    });
    let mut sorted = counts.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=20).collect::<Vec<i64>>(), "{counts:?}");
}
