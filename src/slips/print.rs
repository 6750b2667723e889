//! Printing a slip, in two steps bound by a print token (issue 18: print where the clerk is).
//!
//! 1. [`render_for_print`] (`slips.render`): the paper as it will be printed. The order's
//!    live slip is found, or made with the next number (a number is given when the slip is
//!    first rendered for a print, and never given again); its 补打 count is decided; the
//!    PDF is drawn; and a print token is issued. No print is recorded, nothing goes on the
//!    order's timeline. The token is 128 random bits from the OS; the database keeps only
//!    its SHA-256, with the slip, the paper, the 补打 count the paper shows, the user it was
//!    issued to and when it expires ([`TOKEN_LIFETIME_MINUTES`]).
//! 2. The paper goes to a printer on whichever PC the clerk sits at: this PC (the local
//!    one-call [`print`]), the LAN client desktop's own printers, or the browser's print
//!    dialog.
//! 3. [`record`] (`slips.record`): the print recorded once that PC's printer accepted the
//!    job (or recorded as unsent, with the reason, when it refused). It takes the token,
//!    which must have been issued to the same user, be unused and not expired; it is
//!    consumed in the same transaction that records the print (`UPDATE … WHERE used_at IS
//!    NULL`), so a token records one print at most, and a record cannot be made for a
//!    paper that was never rendered.
//!
//! Two desks printing the same slip at once: the 补打 count a paper shows is the slip's
//! recorded prints plus the live (unused, unexpired) tokens of the slip, decided inside
//! the rendering write transaction (`BEGIN IMMEDIATE`: renders take turns), so two papers
//! rendered at the same time never show the same count (see docs/DECISIONS.md, issue 18).
//!
//! A browser desk on another PC never reaches this PC's printer: [`print`] with `send`
//! is refused for a caller the browser door saw coming from another address.

use crate::platform::db::{Db, Optional};
use base64::Engine as _;
use chrono::Datelike;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::render::{self, Copies, Format};
use super::{data, of_order, printable_order, Slip};
use crate::orders::{self, OrderId};
use crate::people::settings;
use crate::platform::error::{Error, Result};
use crate::platform::pdf::Drawing;
use crate::platform::printing::PrintJob;
use crate::platform::time::{self, stamp};
use crate::Desk;

/// How long a print token may wait for its print to be recorded: long enough for a clerk
/// to go through the browser's print dialog and answer 已打印, short enough that a token
/// left behind stops holding a 补打 count.
pub const TOKEN_LIFETIME_MINUTES: i64 = 15;

/// A token as handed out: 32 hexadecimal digits.
const TOKEN_LEN: usize = 32;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrintArgs {
    pub order_id: OrderId,
    /// `a4` (default), `a5`, `continuous` (241 mm, three-part paper), `thermal` (80 mm),
    /// `overlay` (套打: the data only, onto the pre-printed form).
    pub format: String,
    /// `three` (存根 / 客户联 / 财务联 as three labelled pages, laser printers) or `one`
    /// (default; three-part carbonless paper makes its own copies).
    pub copies: String,
    /// Also send it to the printer set for this format (or the default printer) of the PC
    /// this core runs on. Refused for a browser on another PC (it prints through
    /// `slips.render` and `slips.record`).
    pub send: bool,
}

#[derive(Debug, Serialize)]
pub struct Printed {
    pub slip: Slip,
    /// 0: first print; n: the n-th reprint (补打).
    pub reprint: i64,
    pub pages: usize,
    pub file_name: String,
    pub content_base64: String,
    /// What the print system said, when it was sent to a printer.
    pub sent: Option<String>,
    /// Codes (`U+2A6D7`) of the characters no font has, printed as the code in a box.
    pub unprintable: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenderArgs {
    pub order_id: OrderId,
    /// As [`PrintArgs::format`].
    pub format: String,
    /// As [`PrintArgs::copies`].
    pub copies: String,
    /// The paper as our own drawing ([`Drawing`], for a desktop that prints it on its own
    /// printers) instead of the PDF (for a browser's print dialog).
    pub drawing: bool,
}

/// A slip rendered for a print, not recorded yet.
#[derive(Debug, Serialize)]
pub struct Rendered {
    /// What [`record`] takes once the printer accepted the job; good once.
    pub token: String,
    /// When the token expires (UTC stamp).
    pub expires_at: String,
    pub number: String,
    /// 0: the paper is the original; n: it says 补打 (the n-th).
    pub reprint: i64,
    /// The paper format's name and the paper whose printer it uses (`a4`, `a5`,
    /// `continuous`, `thermal`).
    pub format: &'static str,
    pub paper: &'static str,
    /// The print job's title (`服务单-FW2026000001`).
    pub title: String,
    pub pages: usize,
    pub file_name: String,
    /// The PDF; empty when the drawing was asked for.
    pub content_base64: String,
    /// The drawing, when asked for ([`RenderArgs::drawing`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawing: Option<Drawing>,
    /// As [`Printed::unprintable`].
    pub unprintable: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecordArgs {
    /// The token [`render_for_print`] handed out.
    pub token: String,
    /// The printer refused the job: why (the print is recorded as unsent, with this; empty:
    /// the clerk said it did not print, with no reason from a print system).
    pub refused: Option<String>,
}

/// The longest refusal reason kept, characters.
const REASON_MAX: usize = 500;

/// 准备打印服务单 (`slips.render`): the order's slip as it will print, with its number and
/// its 补打 count decided and a print token to record the print with; no print recorded.
/// One transaction: if the slip cannot be drawn no number is used and no token issued.
pub fn render_for_print(desk: &mut Desk, a: RenderArgs) -> Result<Rendered> {
    let format = Format::parse(&a.format)?;
    let copies = Copies::parse(&a.copies)?;
    let (mut rendered, drawing, _) = prepare(desk, a.order_id, format, copies, !a.drawing)?;
    if a.drawing {
        rendered.drawing = Some(drawing);
    }
    Ok(rendered)
}

/// Renders (the PDF too, with `pdf`) and issues the token; also hands back the drawing,
/// for a printer.
fn prepare(
    desk: &mut Desk,
    order_id: OrderId,
    format: Format,
    copies: Copies,
    pdf: bool,
) -> Result<(Rendered, Drawing, super::SlipData)> {
    let now = desk.now();
    let at = stamp(now);
    let expires_at = stamp(now + chrono::Duration::minutes(TOKEN_LIFETIME_MINUTES));
    let prefix = settings::load(desk.conn())?.slip_prefix;
    let mut secret = [0u8; TOKEN_LEN / 2];
    getrandom::fill(&mut secret).map_err(|e| Error::Storage(format!("无法生成随机数：{e}")))?;
    let token: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let tx = desk.write()?;
    printable_order(&tx, order_id)?;
    let live: Option<(i64, String)> = tx
        .prepare_cached(
            "SELECT s.id, s.number FROM slip s WHERE s.order_id = ?1
               AND NOT EXISTS (SELECT 1 FROM slip_void v WHERE v.slip_id = s.id)",
        )?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (slip_id, number) = match live {
        Some(s) => s,
        None => {
            let year = now.with_timezone(&time::zone()).year();
            let (number, seq) = next_number(&tx, &prefix, year)?;
            tx.prepare_cached(
                "INSERT INTO slip (number, year, seq, order_id, created_at, \"user\") VALUES (?1, ?2, ?3, ?4, ?5, desk_user())",
            )?
            .execute(params![number, year, seq, order_id, at])?;
            (tx.last_insert_rowid()?, number)
        }
    };
    // The prints the paper follows: those recorded (and sent), and those rendered on
    // another desk a moment ago and not recorded yet (their tokens still live).
    let reprint: i64 = tx
        .prepare_cached(
            "SELECT (SELECT count(*) FROM slip_print p WHERE p.slip_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM slip_print_unsent u WHERE u.print_id = p.id))
                  + (SELECT count(*) FROM slip_print_token k WHERE k.slip_id = ?1
                       AND k.used_at IS NULL AND k.expires_at > ?2)",
        )?
        .query_row(params![slip_id, at], |r| r.get(0))?;
    let data = data(&tx, order_id, &number, reprint, now)?;
    let (drawing, pages, unprintable) = render::render(&data, format, copies)?;
    // Made before the commit: a paper that cannot be made uses no number.
    let bytes = if pdf { drawing.to_pdf()? } else { Vec::new() };
    tx.prepare_cached(
        "INSERT INTO slip_print_token (hash, slip_id, format, reprint, \"user\", issued_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, desk_user(), ?5, ?6)",
    )?
    .execute(params![
        hash(&token),
        slip_id,
        format.name(),
        reprint,
        at,
        expires_at
    ])?;
    tx.commit()?;
    let rendered = Rendered {
        token,
        expires_at: expires_at.to_string(),
        reprint,
        format: format.name(),
        paper: format.paper(),
        title: format!("服务单-{number}"),
        pages,
        file_name: format!("服务单-{number}.pdf"),
        content_base64: if pdf {
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        } else {
            String::new()
        },
        drawing: None,
        unprintable,
        number,
    };
    Ok((rendered, drawing, data))
}

fn hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn next_number(tx: &Db, prefix: &str, year: i32) -> Result<(String, i64)> {
    let n = crate::platform::db::next_in_year(tx, crate::platform::db::Counter::Slip, year)?;
    Ok((format!("{prefix}{year}{n:06}"), n))
}

/// A print token as issued, with its slip.
struct Issued {
    slip_id: i64,
    format: String,
    reprint: i64,
    expires_at: String,
    used_at: Option<String>,
    number: String,
    order_id: OrderId,
    voided: bool,
}

/// The print as recorded.
#[derive(Debug, Serialize)]
pub struct Recorded {
    pub slip: Slip,
    /// As the paper shows it: 0 the original, n the n-th 补打.
    pub reprint: i64,
}

/// 记录服务单打印 (`slips.record`): the print of a rendered slip, recorded once the printer
/// accepted the job, on the order's timeline too; the token is consumed. With `refused`,
/// the print is recorded as unsent with that reason and the answer is the error saying
/// the slip was not printed (as the local path says it).
///
/// Refused, in Chinese on the field `token`: a token never handed out (or issued to
/// another user), one already used, one expired, a slip voided since it was rendered.
pub fn record(desk: &mut Desk, a: RecordArgs) -> Result<Recorded> {
    let token = a.token.trim();
    if token.len() != TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            "token",
            "打印凭据无效：应为准备打印时发给本机的 32 位凭据",
        ));
    }
    let refused = match a.refused.as_deref().map(str::trim) {
        None => None,
        // The browser desk's 没有打印出来: the clerk's answer, in the core's words.
        Some("") => Some("打印的电脑告知没有打印出来（打印机没有接受或已取消）".to_string()),
        Some(reason) => Some(reason.chars().take(REASON_MAX).collect::<String>()),
    };
    let now = desk.now();
    let at = stamp(now);
    let tx = desk.write()?;
    let found: Option<Issued> = tx
        .prepare_cached(
            "SELECT k.slip_id, k.format, k.reprint, k.expires_at, k.used_at, s.number, s.order_id,
                    EXISTS (SELECT 1 FROM slip_void v WHERE v.slip_id = s.id)
               FROM slip_print_token k JOIN slip s ON s.id = k.slip_id
              WHERE k.hash = ?1 AND k.\"user\" = desk_user()",
        )?
        .query_row([hash(token)], |r| {
            Ok(Issued {
                slip_id: r.get(0)?,
                format: r.get(1)?,
                reprint: r.get(2)?,
                expires_at: r.get(3)?,
                used_at: r.get(4)?,
                number: r.get(5)?,
                order_id: r.get(6)?,
                voided: r.get(7)?,
            })
        })
        .optional()?;
    let Some(Issued {
        slip_id,
        format,
        reprint,
        expires_at,
        used_at,
        number,
        order_id,
        voided,
    }) = found
    else {
        return Err(Error::invalid(
            "token",
            "打印凭据无效：这张服务单没有在本系统准备打印（或不是为当前用户准备的），不能记为已打印",
        ));
    };
    if let Some(used) = used_at {
        return Err(Error::invalid(
            "token",
            format!(
                "这张打印凭据已经用过（{}）：服务单 {number} 的这次打印已经记录，不能再记一次",
                time::local_text(&used)
            ),
        ));
    }
    if expires_at.as_str() <= at.as_str() {
        return Err(Error::invalid(
            "token",
            format!(
                "打印凭据已过期（准备打印后超过 {TOKEN_LIFETIME_MINUTES} 分钟）：服务单 {number} 的这次打印没有记录，请重新打印"
            ),
        ));
    }
    if voided {
        return Err(Error::invalid(
            "token",
            format!("服务单 {number} 在准备打印后已作废：这张纸不算打印，请重新打印（会用新编号）"),
        ));
    }
    tx.prepare_cached(
        "INSERT INTO slip_print (slip_id, at, \"user\", format, reprint) VALUES (?1, ?2, desk_user(), ?3, ?4)",
    )?
    .execute(params![slip_id, at, format, (reprint > 0) as i64])?;
    let print_id = tx.last_insert_rowid()?;
    let consumed = tx
        .prepare_cached(
            "UPDATE slip_print_token SET used_at = ?2, print_id = ?3 WHERE hash = ?1 AND used_at IS NULL",
        )?
        .execute(params![hash(token), at, print_id])?;
    if consumed != 1 {
        // Not reachable while writes take turns (BEGIN IMMEDIATE); refused all the same.
        return Err(Error::invalid(
            "token",
            "这张打印凭据已经用过，不能再记一次",
        ));
    }
    let what = if reprint > 0 {
        format!("补打服务单 {number}（第{reprint}次补打）")
    } else {
        format!("打印服务单 {number}")
    };
    orders::event(
        &tx,
        order_id,
        &at,
        orders::EventKind::Slip,
        (None, None),
        &what,
    )?;
    if let Some(reason) = &refused {
        tx.prepare_cached(
            "INSERT INTO slip_print_unsent (print_id, at, reason) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![print_id, at, reason])?;
        let what = format!("服务单 {number} 未送到打印机：{reason}");
        orders::event(
            &tx,
            order_id,
            &at,
            orders::EventKind::Slip,
            (None, None),
            &what,
        )?;
    }
    tx.commit()?;
    if let Some(reason) = refused {
        return Err(not_printed(&number, &reason));
    }
    let slip = of_order(desk.conn(), order_id)?
        .into_iter()
        .find(|s| s.id == slip_id)
        .ok_or_else(|| Error::NotFound(number.clone()))?;
    Ok(Recorded { slip, reprint })
}

/// What the clerk reads when the printer refused a recorded print: on the print button's
/// line (`printer`), never on a field of the form.
fn not_printed(number: &str, reason: &str) -> Error {
    Error::invalid(
        "printer",
        format!(
            "服务单 {number} 已记录，但没有打印出来：{reason}。请检查打印机后重新打印，或下载 PDF 打印"
        ),
    )
}

/// 打印服务单 on the PC this core runs on, in one call: rendered, sent to this PC's
/// printer for the paper (with `send`; else handed back as a PDF to print from a viewer),
/// then recorded. A printer that refuses leaves the print recorded as unsent (not counted
/// as a print: the next one is the original again, not a 补打), and the answer is an error
/// on `printer` saying so. Nothing slow or external runs inside a transaction.
pub fn print(desk: &mut Desk, a: PrintArgs) -> Result<Printed> {
    let format = Format::parse(&a.format)?;
    let copies = Copies::parse(&a.copies)?;
    if a.send {
        if let Some(peer) = desk.caller().peer.filter(|_| desk.caller().is_another_pc()) {
            return Err(Error::invalid(
                "printer",
                format!(
                    "这台电脑（{peer}）不能用服务器的打印机打印：请在本机的打印对话框中打印服务单"
                ),
            ));
        }
    }
    let (mut rendered, drawing, data) = prepare(desk, a.order_id, format, copies, true)?;
    // Sent to an ESC/POS thermal printer: the receipt in the printer's own commands.
    let escpos = match (a.send, format) {
        (true, Format::Thermal) => match data.settings.escpos_printer(format.paper())? {
            Some(target) => Some((target, super::receipt::encode(&data, copies)?)),
            None => None,
        },
        _ => None,
    };
    if let Some((_, (_, missing))) = &escpos {
        rendered.unprintable.extend(missing.iter().cloned());
        rendered.unprintable.sort();
        rendered.unprintable.dedup();
    }
    let sent = if a.send {
        let job = PrintJob {
            printer: settings::load(desk.conn())?
                .printers
                .get(format.paper())
                .cloned(),
            copies: 1,
        };
        let data_dir = desk
            .path()
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf();
        let said = match &escpos {
            Some((target, (bytes, _))) => {
                crate::platform::escpos::send(target, &rendered.title, bytes)
            }
            None => crate::platform::printing::send(&data_dir, &rendered.title, &drawing, &job),
        };
        match said {
            Ok(said) => Some(said),
            Err(refused) => {
                let reason = refused.to_string();
                let err = record(
                    desk,
                    RecordArgs {
                        token: rendered.token,
                        refused: Some(reason.clone()),
                    },
                );
                return Err(match err {
                    Err(e) if e.field() == Some("printer") => e,
                    Err(e) => Error::invalid(
                        "printer",
                        format!(
                            "服务单 {} 没有打印出来：{reason}（未能记下未打印：{e}）",
                            rendered.number
                        ),
                    ),
                    Ok(_) => not_printed(&rendered.number, &reason),
                });
            }
        }
    } else {
        None
    };
    let recorded = record(
        desk,
        RecordArgs {
            token: rendered.token,
            refused: None,
        },
    )?;
    Ok(Printed {
        slip: recorded.slip,
        reprint: recorded.reprint,
        pages: rendered.pages,
        file_name: rendered.file_name,
        content_base64: rendered.content_base64,
        sent,
        unprintable: rendered.unprintable,
    })
}
