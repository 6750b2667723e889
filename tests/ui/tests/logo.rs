//! 公司标志 in headless Chromium against the real browser door: chosen on the settings page
//! (a file typed into the file input, as a person picks it), previewed, saved, printed on
//! the A4 slip (the PDF made through the CLI door, its image listed by `pdfimages`);
//! a file that is not a picture refused under the field; removed again. And the first-run
//! wizard takes a logo with the company.

use std::path::Path;
use std::process::Command;

use fantoccini::error::CmdError;
use fantoccini::Client;
use serde_json::{json, Value};
use ui_tests::*;

/// A 96 × 48 PNG (16-bit RGB, as ImageMagick writes it): blue with a white circle.
const LOGO_PNG: &str = concat!(
    "iVBORw0KGgoAAAANSUhEUgAAAGAAAAAwEAIAAAAx5DTbAAAABGdBTUEAALGPC/xhBQAAACBjSFJNAAB6JgAAgIQA",
    "APoAAACA6AAAdTAAAOpgAAA6mAAAF3CculE8AAAABmJLR0T///////8JWPfcAAAAB3RJTUUH6gsWCw8beAGR1AAA",
    "BOxJREFUeNrt3P1PG3UcB/CbPHRKacvohLZrsP2B1gY7jIUUUmCbI2zUh4nGUZmoJMCIaTcfRqPLuq26TXBGQ+Mc",
    "ZEYFRyVkxBi7wLKkTop0WUmgEdbOpAzO0kKKtDyZZhj9oT/MJUu2u2v7ocf39QfcvT/X9w+9+973NvH5xcWtrRiC",
    "kPIIdAAksaECIZSgAiGUoAIhlKACIZSgAiGUoAIhlCTH/5RMb1o249z2Kqkrq1e1T4HnjBV9n39FGJR8IX6UW8gS",
    "MaWMosXby66w3X3EsxZwDL8+WoFzbBcdW6dkTosrb1azlL0yEz4IfekQDMOwTfF5kCiflxiz9c1rDSdUe3auKQdF",
    "l6kczcq0Pzv5QivWccx22cl2H/Wfid8FQ+4VwwIJy3hSdsgUMNSrMwquyJWC92JxlhvlzmHvWW2Gsd3yFz7k+yOU",
    "EdsLhtwrJgWqaqzAZXyTwTCtronnMNpTRpGlu+/cAH/CG8/zbmRJ6elCYXl5FI70DJaH8fXvNP5SknpSq5vd9Ub8",
    "h6ksLTuc+1QKP6U56dbQ/MiOaQ7mw+awpfgn2Tiidhemr2m8VHJHV1O7oKyDHUmnqZ1XvqV/tbGnJAybZCOIQoGq",
    "3q7wybbp9tcGlG9Cj3OX7kBtUFlX1VAxLeNBZ6EzSgUSqni57AXThwaPWgM9yP2Zjhtw9QFhCU/CDkJnoSdKBTLN",
    "G+rVW6BHeIicQcNBdSZ0CnoiWSD5ouRM9gcFV+XFgvehR3iwgn55oeBdeUBizNZDZ6EbkgVq/qfhuGoPdHjCmU8k",
    "Wub1j3CB0n1pPMb5natKq+hn6PDERJ6ARxZSoLPQB+ECyZ+TjmeZoWOTt/1lqTurFzoFfRAukEqjmMsZh45NnupF",
    "xXTOGHQK+iBcoCJz/lXhInRs8oq68geEC9Ap6INwgSSfipO5CujY5Ek+F2/mFkKnoA/CBWKJmFKGEjo2eaw85tOM",
    "UugU9EG4QIueZVfYDh2bvETPv94QLpD7sOfvwHXo2OS5dZ7VACpQ1BAu0PBro+U4Gzo2ecPVo7twFnQK+iBcIFuf",
    "QzAlh45Nnq3XwZvKg05BH4QLNPaj68nZ/dCxyXP+5JLNVkOnoA/CBVoWrPjDTdYUe8lkJXR4Yqyp9tJJ9RJ/xR9u",
    "gs5CHyQXU1uTO07a+qHDE8yc0mFMtMzrH8kCObe4j/lbIjsioEd4sBu7nb95zzo57qP+T6Cz0A2lF8q0W41fW4LQ",
    "IzxETq7xggUtX8QEpQLh13w3Q2ztR8Ycy0XoQe5Pe9ootpjxQZ87xIHOQk9ReKm+7/zAtomZNnNnpv0b6HHuauvt",
    "fNz+Xd+XA7yJP6Gz0FnUtvW0mNtfGUyN/GywI7X1dHLt37Z0tb80CLDzf6OJ3sZCHzaHLQ31j2ROr9y+4z0dxCtV",
    "ZYdy4/rITvux8QlL94VTPaIRP9pSGB+x3Buv4uWyg6Z5Q706I3av30fusCJ/5/Fffa5QAi+zJKIYfh8It/luhTj7",
    "bjYd6f53L7PuWleydbN9x6Sa+pGtKfbSycq9j9VZu5Iix0fVgRKnz7v8X/pMGo/xlfx56XjWD6pqhT/n96KefKtw",
    "WfKZOJWrYImYEoYy8tKF+5BnNXB9WDO6G2fZLjkEU/LIQkrkaTj0pUMwDKRACJ2gT9whlKACIZSgAiGUoAIhlKAC",
    "IZSgAiGU/Ad66aS13jVK4gAAACV0RVh0ZGF0ZTpjcmVhdGUAMjAyNi0xMS0yMlQxMToxNToyNyswMDowMH/IJ0wA",
    "AAAldEVYdGRhdGU6bW9kaWZ5ADIwMjYtMTEtMjJUMTE6MTU6MjcrMDA6MDAOlZ/wAAAAAElFTkSuQmCC",
);
/// Base64 by hand: the UI tests need no crate for one small picture.
fn unbase64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A customer and an order to print a slip of, through the CLI door.
fn order(door: &Door) -> i64 {
    let customer = door.call(
        "customers.create",
        json!({"name": "王喆玥", "phones": ["13812345678"], "address": "宁波市海曙区中山西路1号"}),
    )["id"]
        .as_i64()
        .expect("customer id");
    door.call(
        "orders.create",
        json!({"customer_id": customer, "fault": "不点火，显示E1", "confirmed": true}),
    )["id"]
        .as_i64()
        .expect("order id")
}

/// The order's A4 slip through the CLI door (`--out FILE`), and the images `pdfimages
/// -list` finds in it: (width, height) of each drawn.
fn print_a4(door: &Door, order: i64, file: &Path) -> Vec<(u32, u32)> {
    let out = aftersales_on(door.data_dir.path())
        .args([
            "call",
            "slips.print",
            &json!({"order_id": order, "format": "a4"}).to_string(),
        ])
        .arg("--out")
        .arg(door_path(file))
        .output()
        .expect("run aftersales call slips.print");
    assert!(
        out.status.success(),
        "slips.print: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let list = Command::new("pdfimages")
        .arg("-list")
        .arg(file)
        .output()
        .expect("pdfimages (poppler-utils)");
    assert!(list.status.success(), "pdfimages -list {}", file.display());
    String::from_utf8_lossy(&list.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            Some((cols.get(3)?.parse().ok()?, cols.get(4)?.parse().ok()?))
        })
        .collect()
}

/// The preview's picture (its `src`), or "" when no preview shows.
async fn preview_src(c: &Client, css: &str) -> Result<String, CmdError> {
    let src: Value = c
        .execute(
            "const img = document.querySelector(arguments[0]);
             return img && getComputedStyle(img).display !== 'none' ? img.getAttribute('src') || '' : '';",
            vec![json!(css)],
        )
        .await?;
    Ok(src.as_str().unwrap_or_default().to_string())
}

async fn wait_preview(c: &Client, css: &str, what: &str, pred: impl Fn(&str) -> bool) {
    let pred = &pred;
    wait_until(what, || async move {
        let src = preview_src(c, css).await?;
        Ok(if pred(&src) {
            Ok(())
        } else {
            Err(src.chars().take(60).collect())
        })
    })
    .await
}

async fn open_settings(door: &Door, c: &Client) {
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#view > section").await;
    wait_hash(c, "the token to leave the address bar", |h| {
        h.starts_with("#/") && !h.contains("token")
    })
    .await;
    go(c, "#/settings?section=slips").await;
    find(c, "#settings-slips").await;
}

#[tokio::test]
async fn a_logo_chosen_in_settings_prints_on_the_slip_and_can_be_removed() {
    let door = Door::start();
    let tmp = tempfile::tempdir().expect("temp folder");
    let logo = tmp.path().join("公司标志.png");
    std::fs::write(&logo, unbase64(LOGO_PNG)).expect("write the logo");
    let not_a_logo = tmp.path().join("简介.png");
    std::fs::write(&not_a_logo, "公司简介：这不是图片").expect("write the text file");
    let order = order(&door);
    let plain = tmp.path().join("plain.pdf");
    assert_eq!(print_a4(&door, order, &plain), vec![]);

    let session = Session::chromium().await;
    let c = &session.client;
    open_settings(&door, c).await;
    find(c, "#settings-logo-none").await;
    wait_preview(c, "#settings-logo-preview", "no preview", str::is_empty).await;

    // A text file named .png: the browser calls it a PNG; the core decodes it and says no.
    upload(c, "#settings-company_logo", &not_a_logo).await;
    wait_preview(c, "#settings-logo-preview", "the file read", |s| {
        s.starts_with("data:")
    })
    .await;
    click(c, "#slip-settings-save").await;
    wait_inner(c, ".field-error[data-for=\"company_logo\"]", &["公司标志"]).await;
    assert_eq!(door.call("settings.get", json!({}))["company_logo"], "");

    // The real logo: previewed, saved, kept as the file was.
    upload(c, "#settings-company_logo", &logo).await;
    let url = format!("data:image/png;base64,{LOGO_PNG}");
    wait_preview(c, "#settings-logo-preview", "the logo's preview", |s| {
        s == url
    })
    .await;
    screenshot(c, "logo-settings").await;
    click(c, "#slip-settings-save").await;
    wait_text(c, "#toast", "已保存").await;
    assert_eq!(door.call("settings.get", json!({}))["company_logo"], url);
    let with_logo = tmp.path().join("logo.pdf");
    assert_eq!(print_a4(&door, order, &with_logo), vec![(96, 48)]);
    let (before, after) = (
        std::fs::metadata(&plain).unwrap().len(),
        std::fs::metadata(&with_logo).unwrap().len(),
    );
    assert!(after < before + 16 * 1024, "{before} → {after} bytes");

    // Shown again when the page opens; removed with one click and a save.
    go(c, "#/day").await;
    find(c, "#day").await;
    go(c, "#/settings?section=slips").await;
    find(c, "#settings-slips").await;
    wait_preview(c, "#settings-logo-preview", "the saved logo", |s| s == url).await;
    click(c, "#settings-logo-remove").await;
    wait_preview(c, "#settings-logo-preview", "no preview", str::is_empty).await;
    find(c, "#settings-logo-none").await;
    click(c, "#slip-settings-save").await;
    wait_text(c, "#toast", "已保存").await;
    assert_eq!(door.call("settings.get", json!({}))["company_logo"], "");
    let removed = tmp.path().join("removed.pdf");
    assert_eq!(print_a4(&door, order, &removed), vec![]);
    session.close().await;
}

#[tokio::test]
async fn the_first_run_wizard_takes_a_logo_with_the_company() {
    let door = Door::start_empty();
    let tmp = tempfile::tempdir().expect("temp folder");
    let logo = tmp.path().join("logo.png");
    std::fs::write(&logo, unbase64(LOGO_PNG)).expect("write the logo");
    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#setup").await;
    type_into(c, "#setup-name", "李经理").await;
    type_into(c, "#setup-password", "s3cret-pw").await;
    type_into(c, "#setup-password_again", "s3cret-pw").await;
    type_into(c, "#setup-company_name", "华东制冷售后服务部").await;
    upload(c, "#setup-company_logo", &logo).await;
    wait_preview(c, "#setup-logo-preview", "the logo's preview", |s| {
        s.starts_with("data:image/png;base64,")
    })
    .await;
    screenshot(c, "logo-setup").await;
    click(c, "#setup-submit").await;
    find(c, "#day").await;
    let settings = door.call("settings.get", json!({}));
    assert_eq!(settings["company_name"], "华东制冷售后服务部");
    assert_eq!(
        settings["company_logo"],
        format!("data:image/png;base64,{LOGO_PNG}")
    );
    session.close().await;
}
