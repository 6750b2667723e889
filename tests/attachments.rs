//! 接机拍照 (issue 20): files attached to an order. Each kind taken by its first bytes, a
//! renamed program refused, an oversize text refused before it is decoded, a PNG bomb
//! refused before it allocates, thumbnails drawn anew from the pixels, voids with a reason,
//! the roles, and the photos in a backup and back from a restore (SQLite's file with the
//! photos inside it; PostgreSQL's pg_dump with its rows checked).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::util::{desk, on_postgres, TestDesk};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    let data = text.split_once(',').map_or(text, |(_, d)| d);
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap()
}

/// A customer and an order for them; the order's id.
fn order(t: &mut TestDesk) -> i64 {
    let customer = t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    )["id"]
        .as_i64()
        .unwrap();
    t.ok(
        "orders.create",
        json!({"customer_id": customer, "kind": "repair", "fault": "外壳有裂痕", "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// A 640×480 JPEG with an EXIF segment carrying a "GPS" secret after its start and bytes
/// after its end: neither may reach the thumbnail.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&img)
        .unwrap();
    let payload = b"Exif\0\0GPS-SECRET-39.9042N-116.4074E";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out.extend_from_slice(b"TRAILING-SECRET");
    out
}

/// A 300×200 PNG with transparency and bytes after its end.
fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(300, 200, |x, _| image::Rgba([0, 0, 200, (x % 256) as u8]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&img, 300, 200, image::ExtendedColorType::Rgba8)
        .unwrap();
    out.extend_from_slice(b"TRAILING-SECRET");
    out
}

use image::ImageEncoder as _;

/// A small valid PDF, made by hand.
fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A decompression bomb: a 2000×2000 all-black grey PNG (a few KB of IDAT), its header
/// then made to say 40000×40000 (1.6 billion pixels) with a correct CRC.
fn png_bomb() -> Vec<u8> {
    let img = image::GrayImage::new(2000, 2000);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&img, 2000, 2000, image::ExtendedColorType::L8)
        .unwrap();
    out[16..20].copy_from_slice(&40_000u32.to_be_bytes());
    out[20..24].copy_from_slice(&40_000u32.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

fn attach(t: &mut TestDesk, order: i64, name: &str, bytes: &[u8]) -> Value {
    t.ok(
        "orders.attach",
        json!({"order_id": order, "file_name": name, "content_base64": b64(bytes)}),
    )
}

fn refused(t: &mut TestDesk, order: i64, name: &str, content: &str) -> Value {
    t.err(
        "orders.attach",
        json!({"order_id": order, "file_name": name, "content_base64": content}),
    )
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn data_dir(t: &TestDesk) -> PathBuf {
    if on_postgres() {
        t.desk.path().to_path_buf()
    } else {
        t.desk.path().parent().unwrap().to_path_buf()
    }
}

#[test]
fn each_kind_is_taken_by_its_bytes_and_pictures_get_a_thumbnail_drawn_anew() {
    let mut t = desk();
    let id = order(&mut t);
    let photo = jpeg();
    let a = attach(&mut t, id, "C:\\Users\\前台\\Desktop\\外壳.jpg", &photo);
    assert_eq!(a["kind"], "jpeg");
    assert_eq!(a["file_name"], "外壳.jpg");
    assert_eq!(a["size"], photo.len());
    assert_eq!(
        (a["width"].as_i64(), a["height"].as_i64()),
        (Some(640), Some(480))
    );
    assert_eq!(a["voided"], false);
    let thumb = unb64(a["thumbnail"].as_str().unwrap());
    assert!(a["thumbnail"]
        .as_str()
        .unwrap()
        .starts_with("data:image/jpeg;base64,"));
    assert_ne!(thumb, photo);
    let small = image::load_from_memory(&thumb).unwrap();
    assert_eq!((small.width(), small.height()), (320, 240));
    assert!(!contains(&thumb, b"SECRET") && !contains(&thumb, b"Exif"));

    // A PNG named .jpg is a PNG: the bytes decide.
    let p = attach(&mut t, id, "scan.jpg", &png());
    assert_eq!(p["kind"], "png");
    let thumb = unb64(p["thumbnail"].as_str().unwrap());
    assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]), "re-encoded as JPEG");
    assert!(!contains(&thumb, b"SECRET"));
    let small = image::load_from_memory(&thumb).unwrap();
    assert_eq!((small.width(), small.height()), (300, 200), "not enlarged");

    let d = attach(&mut t, id, "发票.pdf", &pdf());
    assert_eq!(d["kind"], "pdf");
    assert_eq!(d["thumbnail"], Value::Null);
    assert_eq!(d["width"], Value::Null);

    // Listed in order, downloaded byte for byte (EXIF and all: the original is kept).
    let list = t.ok("orders.attachments", json!({"order_id": id}));
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["外壳.jpg", "scan.jpg", "发票.pdf"]);
    let got = t.ok("orders.attachment_download", json!({"id": a["id"]}));
    assert_eq!(got["file_name"], "外壳.jpg");
    assert_eq!(unb64(got["content_base64"].as_str().unwrap()), photo);
    // A camera picture comes as a data: address.
    let cam = t.ok(
        "orders.attach",
        json!({"order_id": id, "file_name": "",
               "content_base64": format!("data:image/jpeg;base64,{}", b64(&photo))}),
    );
    assert_eq!(cam["file_name"], "照片");
    // The same bytes twice are kept once.
    let stored: i64 = t.sql("SELECT count(*) FROM stored_file");
    assert_eq!(stored, 3);
    // On the order's timeline.
    let o = t.ok("orders.get", json!({"id": id}));
    let kinds: Vec<&str> = o["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "attached").count(), 4);

    if !on_postgres() {
        // Beside the database, named by the hash, owner-only.
        let sha = a["sha256"].as_str().unwrap();
        let file = data_dir(&t).join("files").join(sha);
        assert_eq!(std::fs::read(&file).unwrap(), photo);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dir = std::fs::metadata(data_dir(&t).join("files")).unwrap();
            assert_eq!(dir.permissions().mode() & 0o777, 0o700);
        }
        // A file altered on the disk is not handed out.
        std::fs::write(&file, b"changed").unwrap();
        let e = t.err("orders.attachment_download", json!({"id": a["id"]}));
        assert!(e["message"].as_str().unwrap().contains("改动"), "{e}");
    }
}

#[test]
fn what_is_not_a_picture_or_a_pdf_is_refused_and_nothing_is_kept() {
    let mut t = desk();
    let id = order(&mut t);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    exe.extend_from_slice(&[0u8; 200]);
    let e = refused(&mut t, id, "照片.jpg", &b64(&exe));
    assert_eq!(e["field"], "content_base64");
    assert!(e["message"].as_str().unwrap().contains("只能上传"), "{e}");
    // A PDF cut short, a JPEG cut short.
    let cut = &pdf()[..100];
    let e = refused(&mut t, id, "a.pdf", &b64(cut));
    assert!(e["message"].as_str().unwrap().contains("PDF"), "{e}");
    let photo = jpeg();
    let e = refused(&mut t, id, "a.jpg", &b64(&photo[..600]));
    assert!(e["message"].as_str().unwrap().contains("无法读取"), "{e}");
    let e = refused(&mut t, id, "a.jpg", "这不是base64");
    assert!(e["message"].as_str().unwrap().contains("base64"), "{e}");
    let e = refused(&mut t, id, "a.jpg", "");
    assert!(e["message"].as_str().unwrap().contains("空"), "{e}");
    // No such order.
    let e = refused(&mut t, 999, "a.jpg", &b64(&photo));
    assert_eq!(e["code"], "not_found");
    let rows: i64 = t.sql("SELECT count(*) FROM order_attachment");
    let files: i64 = t.sql("SELECT count(*) FROM stored_file");
    assert_eq!((rows, files), (0, 0));
}

#[test]
fn an_oversize_text_is_refused_before_it_is_decoded() {
    let mut t = desk();
    let id = order(&mut t);
    // 14.5 million characters that are not even base64: refused for the size, which is
    // only possible when the length is judged before decoding.
    let huge = "!".repeat(14_500_000);
    let started = std::time::Instant::now();
    let e = refused(&mut t, id, "a.jpg", &huge);
    assert!(e["message"].as_str().unwrap().contains("太大"), "{e}");
    assert!(e["message"].as_str().unwrap().contains("10 MB"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Just over 10 MB of real bytes (a JPEG's start): also too big.
    let mut big = jpeg();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let e = refused(&mut t, id, "a.jpg", &b64(&big));
    assert!(e["message"].as_str().unwrap().contains("太大"), "{e}");
}

#[test]
fn a_decompression_bomb_is_refused_before_it_allocates() {
    let mut t = desk();
    let id = order(&mut t);
    let bomb = png_bomb();
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let started = std::time::Instant::now();
    let e = refused(&mut t, id, "bomb.png", &b64(&bomb));
    assert_eq!(e["field"], "content_base64");
    assert!(e["message"].as_str().unwrap().contains("像素"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let rows: i64 = t.sql("SELECT count(*) FROM order_attachment");
    assert_eq!(rows, 0);
}

fn person(name: &str, roles: &[aftersales::Role]) -> aftersales::Actor {
    aftersales::Actor {
        id: Some(900),
        login: name.into(),
        name: name.into(),
        roles: roles.to_vec(),
        engineer_id: None,
    }
}

fn call_as(
    t: &mut TestDesk,
    who: &aftersales::Actor,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    t.desk.act_as(who.clone());
    let out = aftersales::api::call(&mut t.desk, command, args)
        .map(|r| r.value())
        .map_err(|e| e.to_json());
    t.desk.act_as(aftersales::Actor::script());
    out
}

#[test]
fn attachments_are_voided_with_a_reason_never_removed() {
    let mut t = desk();
    let id = order(&mut t);
    let a = attach(&mut t, id, "外壳.jpg", &jpeg());
    let e = t.err(
        "orders.attachment_void",
        json!({"id": a["id"], "reason": "  "}),
    );
    assert_eq!(e["field"], "reason");
    let v = t.ok(
        "orders.attachment_void",
        json!({"id": a["id"], "reason": "拍错了工单"}),
    );
    assert_eq!(v["voided"], true);
    assert_eq!(v["void_reason"], "拍错了工单");
    assert!(v["voided_at"].is_string() && v["voided_by"].is_string());
    let e = t.err(
        "orders.attachment_void",
        json!({"id": a["id"], "reason": "再来一次"}),
    );
    assert!(e["message"].as_str().unwrap().contains("已经作废"), "{e}");
    // Still listed, still downloadable; on the timeline and in the audit trail.
    let list = t.ok("orders.attachments", json!({"order_id": id}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["voided"], true);
    t.ok("orders.attachment_download", json!({"id": a["id"]}));
    let o = t.ok("orders.get", json!({"id": id}));
    let void = o["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "attachment_void")
        .expect("the void on the timeline")
        .clone();
    assert!(
        void["detail"].as_str().unwrap().contains("拍错了工单"),
        "{void}"
    );
    let audit: String = t.sql("SELECT detail FROM audit_entry WHERE action = 'attachment_void'");
    assert!(
        audit.contains("外壳.jpg") && audit.contains("拍错了工单"),
        "{audit}"
    );
    // The store refuses a removal whoever asks.
    assert!(t.db().execute("DELETE FROM order_attachment", []).is_err());
    assert!(t.db().execute("DELETE FROM stored_file", []).is_err());
}

#[test]
fn intake_and_field_work_attach_everyone_looks() {
    use aftersales::Role::*;
    let mut t = desk();
    let id = order(&mut t);
    let photo = b64(&jpeg());
    let args = json!({"order_id": id, "file_name": "a.jpg", "content_base64": photo});
    for role in [Clerk, Dispatcher, Engineer, Manager] {
        let who = person("某人", &[role]);
        call_as(&mut t, &who, "orders.attach", args.clone())
            .unwrap_or_else(|e| panic!("{role:?}: {e}"));
    }
    for role in [Storekeeper, Admin] {
        let who = person("某人", &[role]);
        let e = call_as(&mut t, &who, "orders.attach", args.clone()).unwrap_err();
        assert_eq!(e["code"], "forbidden", "{role:?}");
        let e = call_as(
            &mut t,
            &who,
            "orders.attachment_void",
            json!({"id": 1, "reason": "x"}),
        )
        .unwrap_err();
        assert_eq!(e["code"], "forbidden", "{role:?}");
        let list = call_as(&mut t, &who, "orders.attachments", json!({"order_id": id})).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 4);
        call_as(&mut t, &who, "orders.attachment_download", json!({"id": 1})).unwrap();
    }
}

/// The table of the backup file `path` (a SQLite backup) changed by `sql`.
fn tamper(path: &Path, sql: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn a_photo_survives_a_backup_and_a_restore() {
    if on_postgres() {
        // A PostgreSQL desk's backup is pg_dump's: see the test below.
        return;
    }
    let mut t = desk();
    let id = order(&mut t);
    let photo = jpeg();
    let a = attach(&mut t, id, "外壳.jpg", &photo);
    let sha = a["sha256"].as_str().unwrap().to_string();
    let out = tempfile::tempdir().unwrap();
    let made = aftersales::people::backup::backup_to(&t.desk, out.path()).unwrap();
    // The backup is one file holding the photo.
    let c = rusqlite::Connection::open(&made.file).unwrap();
    let inside: Vec<u8> = c
        .query_row(
            "SELECT content FROM stored_file WHERE sha256 = ?1",
            [&sha],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(inside, photo);
    drop(c);
    // A photo attached after the backup; then the photo's file is lost from the folder.
    let later = attach(&mut t, id, "后来.png", &png());
    let file = data_dir(&t).join("files").join(&sha);
    std::fs::remove_file(&file).unwrap();
    // A backup now refuses (it would not hold the photo)…
    let e = aftersales::people::backup::backup_to(&t.desk, out.path()).unwrap_err();
    assert!(e.to_string().contains("缺少附件文件"), "{e}");

    // …and the restore brings it back.
    aftersales::people::backup::restore(&mut t.desk, Path::new(&made.file)).unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), photo);
    let list = t.ok("orders.attachments", json!({"order_id": id}));
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the later one is not in the backup"
    );
    let got = t.ok("orders.attachment_download", json!({"id": a["id"]}));
    assert_eq!(unb64(got["content_base64"].as_str().unwrap()), photo);
    // The restored database holds rows, the bytes are files again.
    let held: Option<Vec<u8>> = t.sql("SELECT content FROM stored_file");
    assert_eq!(held, None);
    let _ = later;

    // A backup whose photo was altered, or taken out, is refused and changes nothing.
    for (sql, words) in [
        ("UPDATE stored_file SET content = x'FFD8FF00'", "已被改动"),
        ("UPDATE stored_file SET content = NULL", "缺少附件文件"),
    ] {
        let copy = out.path().join("tampered.db");
        std::fs::copy(&made.file, &copy).unwrap();
        tamper(&copy, sql);
        std::fs::remove_file(&file).unwrap();
        let e = aftersales::people::backup::restore(&mut t.desk, &copy).unwrap_err();
        let m = e.to_json()["message"].as_str().unwrap().to_string();
        assert!(m.contains(words) && m.contains("未做任何改动"), "{m}");
        assert!(!file.exists(), "nothing written back");
        std::fs::remove_file(&copy).unwrap();
        std::fs::write(&file, &photo).unwrap();
    }
}

#[test]
fn a_photo_survives_a_pg_dump_and_an_altered_one_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pg) = crate::people::migrate::pg_database("attachments_pg_backup") else {
        return;
    };
    let mut t_desk = aftersales::Desk::open_postgres(&pg.url, dir.path()).unwrap();
    let call = |d: &mut aftersales::Desk, c: &str, a: Value| {
        aftersales::api::call(d, c, a.clone())
            .unwrap_or_else(|e| panic!("{c} {a}: {}", e.to_json()))
            .value()
    };
    let customer = call(
        &mut t_desk,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"]}),
    )["id"]
        .clone();
    let id = call(
        &mut t_desk,
        "orders.create",
        json!({"customer_id": customer, "kind": "repair", "fault": "外壳有裂痕", "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .clone();
    let photo = jpeg();
    let a = call(
        &mut t_desk,
        "orders.attach",
        json!({"order_id": id, "file_name": "外壳.jpg", "content_base64": b64(&photo)}),
    );
    // Nothing beside the database: the bytes are in it.
    assert!(!dir.path().join("files").exists());
    let made = call(&mut t_desk, "backup.now", json!({}));
    call(
        &mut t_desk,
        "orders.attach",
        json!({"order_id": id, "file_name": "后来.png", "content_base64": b64(&png())}),
    );
    call(&mut t_desk, "backup.restore", json!({"name": made["name"]}));
    let list = call(&mut t_desk, "orders.attachments", json!({"order_id": id}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let got = call(
        &mut t_desk,
        "orders.attachment_download",
        json!({"id": a["id"]}),
    );
    assert_eq!(unb64(got["content_base64"].as_str().unwrap()), photo);

    // Bytes altered in the database: the download refuses them, and a backup read back
    // through pg_restore catches them before it is kept.
    let mut admin = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    admin
        .batch_execute("UPDATE stored_file SET content = '\\xffd8ff00'::bytea")
        .unwrap();
    let e = aftersales::api::call(
        &mut t_desk,
        "orders.attachment_download",
        json!({"id": a["id"]}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("改动"), "{e}");
    let e = aftersales::api::call(&mut t_desk, "backup.now", json!({})).unwrap_err();
    assert!(e.to_string().contains("已被改动"), "{e}");
}
