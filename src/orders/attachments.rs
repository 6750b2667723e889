//! 接机拍照 (issue 20): photos and documents attached to a work order — the machine as it
//! came in, a damaged case, the customer's purchase invoice.
//!
//! A file arrives as base64 text with the name the sender gave it. Before anything is
//! decoded the text's length is bounded ([`MAX_BYTES`] of file, 10 MB); the kind is
//! decided by the file's first bytes (JPEG `FF D8 FF`, PNG's eight-byte signature, PDF
//! `%PDF-`), never by its name, so a renamed program is refused. A picture is decoded
//! whole under limits (sides, pixels, memory: a decompression bomb is refused before it
//! allocates), and its thumbnail is drawn again from the decoded pixels and encoded anew as
//! a JPEG: nothing of the sender's file but its pixels (no metadata, EXIF, comments,
//! trailing bytes) reaches the thumbnail every screen shows. A PDF must begin as a PDF and
//! end with its `%%EOF` marker; it gets no thumbnail, because drawing one means running a
//! PDF interpreter over a stranger's file on the desk's PC (docs/DECISIONS.md).
//!
//! The original is kept byte for byte (platform/stored.rs, under its SHA-256: the
//! customer's name for it never becomes a path) and handed back only to logged-in users
//! through [`download`]. Attachments are never removed: [`void`] marks one void with a
//! reason, on the order's timeline and in the audit trail; it stays listed, struck out.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{event, not_found, AttachmentKind, EventKind, OrderId};
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::files::Exported;
use crate::platform::{stored, text};
use crate::Desk;

crate::ids! {
    /// An order attachment's id.
    pub struct AttachmentId;
}

/// The largest file taken, bytes (10 MB: a 12-megapixel camera's JPEG is 3–6 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest side of a picture, pixels.
pub const MAX_SIDE: u32 = 12_000;
/// The most pixels a picture may have (a 48-megapixel phone's 8000×6000).
pub const MAX_PIXELS: u64 = 48_000_000;
/// What decoding one picture may allocate, bytes (48 megapixels × 4 bytes, and room).
pub const MAX_DECODED_BYTES: u64 = 200 * 1024 * 1024;
/// The thumbnail's longest side, pixels.
pub const THUMB_SIDE: u32 = 320;

/// One attachment as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub order_id: OrderId,
    /// The name the file came with (only shown; files are kept by their hash).
    pub file_name: String,
    pub kind: AttachmentKind,
    pub kind_label: &'static str,
    /// Bytes of the original.
    pub size: i64,
    /// Pixels, for a picture.
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// The SHA-256 of the original, hex.
    pub sha256: String,
    /// Who attached it and when (UTC as stored).
    pub user: String,
    pub at: String,
    pub voided: bool,
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
    /// The thumbnail as a `data:image/jpeg;base64,…` address; None for a PDF.
    pub thumbnail: Option<String>,
}

/// What a file turned out to be once checked.
struct Checked {
    kind: AttachmentKind,
    size: Option<(u32, u32)>,
    thumbnail: Option<Vec<u8>>,
}

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const PDF_MAGIC: &[u8] = b"%PDF-";

fn bad(message: impl Into<String>) -> Error {
    Error::invalid("content_base64", message)
}

fn too_big(bytes: usize) -> Error {
    bad(format!(
        "文件太大（{:.1} MB），附件最多 {} MB",
        bytes as f64 / (1024.0 * 1024.0),
        MAX_BYTES / (1024 * 1024)
    ))
}

/// The bytes of `content` (base64, or a `data:…;base64,` address as a browser's camera
/// picture comes), its length bounded before it is decoded.
fn decode(content: &str) -> Result<Vec<u8>> {
    let content = content.trim();
    let data = match content.strip_prefix("data:") {
        Some(url) => {
            url.split_once(',')
                .filter(|(head, _)| head.ends_with(";base64"))
                .ok_or_else(|| bad("文件内容应是 base64 编码"))?
                .1
        }
        None => content,
    };
    // Base64 is 4 characters for 3 bytes: a text longer than that of MAX_BYTES (and a
    // little room for line breaks) is refused without decoding it.
    let limit = MAX_BYTES.div_ceil(3) * 4;
    if data.len() > limit + limit / 32 + 4 {
        return Err(too_big(data.len() / 4 * 3));
    }
    let data: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if data.is_empty() {
        return Err(bad("文件是空的"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(data.as_bytes()))
        .map_err(|_| bad("文件内容不是有效的 base64 编码"))?;
    if bytes.len() > MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    if bytes.is_empty() {
        return Err(bad("文件是空的"));
    }
    Ok(bytes)
}

/// The kind by the first bytes, the picture decoded and its thumbnail drawn, or the PDF's
/// frame checked.
fn check(bytes: &[u8]) -> Result<Checked> {
    let kind = if bytes.starts_with(JPEG_MAGIC) {
        AttachmentKind::Jpeg
    } else if bytes.starts_with(PNG_MAGIC) {
        AttachmentKind::Png
    } else if bytes.starts_with(PDF_MAGIC) {
        AttachmentKind::Pdf
    } else {
        return Err(bad(
            "只能上传 JPEG 或 PNG 照片、PDF 文件（按文件内容判断，不看扩展名），这个文件不是",
        ));
    };
    if kind == AttachmentKind::Pdf {
        // A PDF ends with `%%EOF` (ISO 32000-1 §7.5.5), perhaps followed by line ends;
        // the last kilobyte is where readers look for it.
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        let ends = tail.windows(5).any(|w| w == b"%%EOF");
        let has_xref = tail.windows(9).any(|w| w == b"startxref");
        if !ends || !has_xref {
            return Err(bad(
                "PDF 文件不完整或已损坏（找不到文件结尾），请重新导出后再上传",
            ));
        }
        return Ok(Checked {
            kind,
            size: None,
            thumbnail: None,
        });
    }
    let (image, w, h) = picture(bytes, kind)?;
    Ok(Checked {
        kind,
        size: Some((w, h)),
        thumbnail: Some(thumbnail(&image)?),
    })
}

/// Decodes a picture under the limits; its sides as stored (before turning it upright).
fn picture(bytes: &[u8], kind: AttachmentKind) -> Result<(image::DynamicImage, u32, u32)> {
    use image::ImageDecoder as _;
    let format = match kind {
        AttachmentKind::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    let what = kind.label();
    let unreadable = || bad(format!("{what}无法读取（文件不完整或已损坏）"));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits.clone());
    // The header first: sides and pixels judged before a byte of the picture is decoded.
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| refusal(e, what, &unreadable))?;
    if w == 0 || h == 0 {
        return Err(unreadable());
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(bad(format!(
            "{what}为 {w}×{h} 像素，太大：最多 {} 百万像素",
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| refusal(e, what, &unreadable))?;
    // A phone stores a photo as its sensor saw it and says how to turn it (EXIF
    // orientation): the thumbnail is drawn upright.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        image::DynamicImage::from_decoder(decoder).map_err(|e| refusal(e, what, &unreadable))?;
    if (image.width(), image.height()) != (w, h) {
        return Err(unreadable());
    }
    image.apply_orientation(orientation);
    Ok((image, w, h))
}

/// A decoder's refusal in words: over a limit, or unreadable.
fn refusal(e: image::ImageError, what: &str, unreadable: &dyn Fn() -> Error) -> Error {
    match e {
        image::ImageError::Limits(_) => bad(format!(
            "{what}太大：每边最多 {MAX_SIDE} 像素、共 {} 百万像素",
            MAX_PIXELS / 1_000_000
        )),
        _ => unreadable(),
    }
}

/// The thumbnail: the picture scaled down to [`THUMB_SIDE`] (a smaller one as it is), laid
/// on white (a PNG's transparency), encoded anew as a JPEG.
fn thumbnail(image: &image::DynamicImage) -> Result<Vec<u8>> {
    let small = if image.width().max(image.height()) > THUMB_SIDE {
        image.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgba8()
    } else {
        image.to_rgba8()
    };
    let mut rgb = image::RgbImage::new(small.width(), small.height());
    for (x, y, p) in small.enumerate_pixels() {
        let [r, g, b, a] = p.0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        rgb.put_pixel(x, y, image::Rgb([over(r), over(g), over(b)]));
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&rgb)
        .map_err(|e| Error::Storage(format!("无法生成缩略图：{e}")))?;
    Ok(out)
}

/// Only the last part of a name a browser or a script sent (whatever separators), without
/// control characters; `field` checks its length.
fn clean_name(name: &str) -> Result<String> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let last = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let last = text::field("file_name", "文件名", &last, 120, false)?;
    Ok(if last.is_empty() {
        "照片".to_string()
    } else {
        last
    })
}

fn sizes(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

// ---- commands ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttachArgs {
    pub order_id: OrderId,
    /// The file's own name (shown only).
    pub file_name: String,
    /// The file, base64 (or a `data:…;base64,` address).
    pub content_base64: String,
}

/// `orders.attach`: checks the file and keeps it on the order, on its timeline.
pub fn attach(desk: &mut Desk, a: AttachArgs) -> Result<Attachment> {
    let file_name = clean_name(&a.file_name)?;
    let bytes = decode(&a.content_base64)?;
    let checked = check(&bytes)?;
    let data = crate::people::backup::data_dir(desk);
    let at = desk.stamp();
    let tx = desk.write()?;
    if !tx
        .prepare_cached("SELECT 1 FROM work_order WHERE id = ?1")?
        .exists([a.order_id])?
    {
        return Err(not_found(a.order_id));
    }
    let sha = stored::put(&tx, &data, &bytes)?;
    let (w, h) = checked.size.map_or((None, None), |(w, h)| {
        (Some(i64::from(w)), Some(i64::from(h)))
    });
    tx.prepare_cached(
        "INSERT INTO order_attachment
             (order_id, sha256, file_name, kind, size, width, height, thumbnail, at, \"user\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, desk_user())",
    )?
    .execute(rusqlite::params![
        a.order_id,
        sha,
        file_name,
        checked.kind,
        bytes.len() as i64,
        w,
        h,
        checked.thumbnail,
        at.as_str(),
    ])?;
    let id = AttachmentId(tx.last_insert_rowid()?);
    event(
        &tx,
        a.order_id,
        at.as_str(),
        EventKind::Attached,
        (None, None),
        &format!(
            "{}：{file_name}（{}）",
            checked.kind.label(),
            sizes(bytes.len())
        ),
    )?;
    tx.commit()?;
    one(desk.conn(), id)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListArgs {
    pub order_id: OrderId,
}

const COLUMNS: &str = "id, order_id, file_name, kind, size, width, height, sha256, \"user\", at,
     voided_at, voided_by, void_reason, thumbnail FROM order_attachment";

fn row(r: &crate::platform::db::Row<'_, '_>) -> rusqlite::Result<Attachment> {
    let kind: AttachmentKind = r.get(3)?;
    let voided_at: Option<String> = r.get(10)?;
    let thumbnail: Option<Vec<u8>> = r.get(13)?;
    Ok(Attachment {
        id: r.get(0)?,
        order_id: r.get(1)?,
        file_name: r.get(2)?,
        kind,
        kind_label: kind.label(),
        size: r.get(4)?,
        width: r.get(5)?,
        height: r.get(6)?,
        sha256: r.get(7)?,
        user: r.get(8)?,
        at: r.get(9)?,
        voided: voided_at.is_some(),
        voided_at,
        voided_by: r.get(11)?,
        void_reason: r.get(12)?,
        thumbnail: thumbnail.map(|t| {
            format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(t)
            )
        }),
    })
}

fn one(conn: &Db, id: AttachmentId) -> Result<Attachment> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("附件不存在（编号 {id}）")))
}

/// `orders.attachments`: the order's attachments, oldest first, voided ones included.
pub fn list(desk: &mut Desk, a: ListArgs) -> Result<Vec<Attachment>> {
    let conn = desk.conn();
    let exists = conn
        .prepare_cached("SELECT 1 FROM work_order WHERE id = ?1")?
        .exists([a.order_id])?;
    if !exists {
        return Err(not_found(a.order_id));
    }
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} WHERE order_id = ?1 ORDER BY id"))?;
    let out = stmt
        .query_map([a.order_id], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OneArgs {
    pub id: AttachmentId,
}

/// `orders.attachment_download`: the original as it was attached (name + base64), its
/// bytes checked against their hash first.
pub fn download(desk: &mut Desk, a: OneArgs) -> Result<Exported> {
    let att = one(desk.conn(), a.id)?;
    let data = crate::people::backup::data_dir(desk);
    let bytes = stored::get(desk.conn(), &data, &att.sha256)?;
    Ok(Exported {
        file_name: att.file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: 1,
        unprintable: Vec::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoidArgs {
    pub id: AttachmentId,
    /// Why: required, at most 200 characters.
    pub reason: String,
}

/// `orders.attachment_void`: marks the attachment void with the reason (kept, listed as
/// void), on the order's timeline and in the audit trail.
pub fn void(desk: &mut Desk, a: VoidArgs) -> Result<Attachment> {
    let reason = text::field("reason", "作废原因", &a.reason, 200, true)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let att = one(&tx, a.id)?;
    if att.voided {
        return Err(Error::invalid(
            "id",
            format!("附件“{}”已经作废，不能再次作废", att.file_name),
        ));
    }
    tx.prepare_cached(
        "UPDATE order_attachment SET voided_at = ?2, voided_by = desk_user(), void_reason = ?3
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![a.id, at.as_str(), reason])?;
    let detail = format!("{}：{}；原因：{reason}", att.kind_label, att.file_name);
    event(
        &tx,
        att.order_id,
        at.as_str(),
        EventKind::AttachmentVoid,
        (None, None),
        &detail,
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "attachment_void",
        "order_attachment",
        a.id,
        &detail,
    )?;
    tx.commit()?;
    one(desk.conn(), a.id)
}
