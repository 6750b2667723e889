//! 工作日历 with the State Council's days (issue 17), in headless Chromium against the real
//! browser door, the desk's clock at 2026-12-04 (AFTERSALES_CLOCK): the day board warns
//! that 2027 is not loaded and links to the calendar; the calendar shows where 2026's days
//! come from and which are the notice's and which the manager's; a notice is pasted,
//! previewed and loaded; an unreadable paragraph is named and nothing loads; a notice
//! opened as a .txt file is previewed the same way.

use fantoccini::Locator;
use serde_json::json;
use ui_tests::*;

const CLOCK: &str = "AFTERSALES_CLOCK";
/// Friday 2026-12-04 10:00 in Beijing: December, and 2027 has no official days yet.
const DECEMBER: &str = "2026-12-04T10:00:00+08:00";

/// Made up for the test (no 2027 notice is in any reference here), in the standard shape
/// with weekdays right for 2027.
const NOTICE_2027: &str = "国务院办公厅关于2027年部分节假日安排的通知\n\
一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n\
二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月14日（周日）上班。\n";

async fn paste(c: &fantoccini::Client, text: &str) {
    let area = find(c, "#calendar-notice-text").await;
    c.execute(
        "arguments[0].value = arguments[1]; arguments[0].focus();",
        vec![
            serde_json::to_value(&area).unwrap(),
            serde_json::Value::String(text.into()),
        ],
    )
    .await
    .expect("paste the notice");
}

#[tokio::test]
async fn the_calendar_shows_the_notices_days_and_loads_next_years_notice() {
    let door = Door::start_with_env(&[(CLOCK, DECEMBER)]);
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");

    // The day board: 2027 is missing; the manager gets the link to fix it.
    let warning = wait_inner(
        c,
        "#day-calendar-warning",
        &["2027 年的法定节假日还没有载入"],
    )
    .await;
    assert!(warning.contains("打开工作日历"), "{warning}");
    screenshot(c, "calendar-day-board-warning").await;
    click(c, "#day-calendar-link").await;
    wait_hash(c, "the calendar settings", |h| {
        h.contains("section=calendar")
    })
    .await;

    // 2026: the notice's days, with their source.
    find(c, "#calendar-year").await;
    c.execute(
        "const s = document.querySelector('#calendar-year'); s.value = '2026'; s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await
    .unwrap();
    wait_inner(
        c,
        "#calendar-source",
        &["国办发明电〔2025〕7号", "随软件提供"],
    )
    .await;
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2026-10-01\"]",
        &["休息日", "国庆节", "国务院通知"],
    )
    .await;
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2026-02-14\"]",
        &["调休上班", "周六", "国务院通知"],
    )
    .await;
    // The notice's own rows have no "back to normal": only the manager's entries do.
    let buttons = c
        .find_all(Locator::Css(
            "#calendar-days tr[data-source=\"official\"] button",
        ))
        .await
        .unwrap();
    assert!(buttons.is_empty());
    // The manager works on 10-10's make-up Saturday anyway… and rests on it instead.
    type_into(c, "#calendar-day", "2026-10-10").await;
    type_into(c, "#calendar-name", "店休").await;
    click(c, "#calendar-save").await;
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2026-10-10\"]",
        &["休息日", "本店设置", "通知为调休上班", "按通知"],
    )
    .await;
    c.execute(
        "document.querySelector('#settings-calendar').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "calendar-2026-sources").await;

    // A paragraph that cannot be read is named; nothing is loaded.
    paste(c, &NOTICE_2027.replace("2月5日（周五）", "2月5日（周四）")).await;
    click(c, "#calendar-notice-preview").await;
    let message = wait_nonempty(c, "#calendar-notice-form .field-error[data-for=\"text\"]").await;
    assert_eq!(
        message,
        "第二段“春节”读不懂：2月5日写的是周四，但那天是周五"
    );
    assert_eq!(
        door.call("calendar.list", json!({"year": 2027}))["items"],
        json!([])
    );

    // Pasted, previewed (nothing written yet), confirmed.
    paste(c, NOTICE_2027).await;
    click(c, "#calendar-notice-preview").await;
    wait_inner(
        c,
        "#calendar-notice-summary",
        &["2027 年：找到 11 天放假、1 天调休上班"],
    )
    .await;
    wait_inner(
        c,
        "#calendar-notice-items",
        &[
            "元旦",
            "1月1日 – 1月3日",
            "春节",
            "2月5日 – 2月12日",
            "2月14日",
        ],
    )
    .await;
    let shown = inner_text(c, "#calendar-notice-result").await.unwrap();
    assert!(!shown.contains("null"), "{shown}");
    assert_eq!(
        door.call("calendar.list", json!({"year": 2027}))["items"],
        json!([])
    );
    c.execute(
        "document.querySelector('#calendar-notice-result').scrollIntoView({block: 'end'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "calendar-notice-preview").await;
    click(c, "#calendar-notice-load").await;
    wait_text(c, "#toast", "2027 年的法定节假日已载入").await;
    wait_inner(
        c,
        "#calendar-source",
        &["国务院办公厅关于2027年部分节假日安排的通知", "载入"],
    )
    .await;
    wait_inner(
        c,
        "#calendar-days tr[data-day=\"2027-02-14\"]",
        &["调休上班", "春节调休上班", "国务院通知"],
    )
    .await;
    let listed = door.call("calendar.list", json!({"year": 2027}));
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(12),
        "{listed}"
    );
    assert_eq!(listed["official"]["origin"], "loaded");
    c.execute(
        "document.querySelector('#settings-calendar').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(c, "calendar-2027-loaded").await;

    // A notice opened as a file: previewed the same way, and it says what it replaces.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/calendar/notice-2026.txt");
    upload(c, "#calendar-notice-file", &fixture).await;
    wait_inner(
        c,
        "#calendar-notice-summary",
        &["2026 年：找到 33 天放假、6 天调休上班"],
    )
    .await;
    wait_inner(
        c,
        "#calendar-notice-result",
        &["将替换现有的", "国办发明电〔2025〕7号", "2026-10-10"],
    )
    .await;
    click(c, "#calendar-notice-cancel").await;

    // Back on the day board: the warning is gone.
    go(c, "#/day").await;
    find(c, "#day").await;
    wait_until("the calendar warning to go", || async move {
        let hidden = c
            .find(Locator::Css("#day-calendar-warning"))
            .await?
            .attr("hidden")
            .await?;
        Ok(if hidden.is_some() {
            Ok(())
        } else {
            Err("still shown".to_string())
        })
    })
    .await;
    session.close().await;
}
