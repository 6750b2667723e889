//! The desktop as a LAN client prints on its own PC (issue 18: print where the clerk is).
//!
//! 打印 (`slips.print` with `send`) is not forwarded as "print on the server": the slip is
//! rendered on the server (`slips.render`: its number and 补打 decided, a print token, no
//! print recorded) as our own drawing (`platform::pdf::Drawing`, checked here before it is
//! used), printed here on this PC's printer for that paper, and the print then
//! recorded on the server (`slips.record` with the token), or recorded as not printed
//! with this printer's refusal. The window gets the same answer as from its own database.
//!
//! This PC's printers are this PC's: the printer per paper lives in this desk's own data
//! folder ([`PRINTERS_FILE`]), not in the server's settings (whose printers are the
//! server PC's). `settings.get` answers with them in place of the server's, and
//! `settings.save` keeps them here and sends the rest to the server; a name is checked
//! as the core checks it, and nothing is saved anywhere unless all of it is taken.

use std::collections::BTreeMap;
use std::path::Path;

use aftersales::api::Caller;
use aftersales::people::settings::PRINTER_FORMATS;
use aftersales::platform::pdf::Drawing;
use aftersales::platform::printing::{self, PrintJob};
use serde_json::{json, Map, Value};

use super::{error, forward, Remote};

/// This desk's printers, in its data folder: `{"a4": "Front-Desk-A4", …}`.
pub const PRINTERS_FILE: &str = "printers.json";

/// The calls a LAN client answers (partly) on its own PC; None: forwarded as they are.
pub async fn handle(
    remote: &Remote,
    caller: &Caller,
    command: &str,
    args: &Value,
) -> Option<Result<String, Value>> {
    match command {
        "slips.print" if args["send"] == Value::Bool(true) => {
            Some(print_here(remote, caller, args).await)
        }
        "settings.get" => Some(settings_get(remote, caller, args).await),
        "settings.save" if args.get("printers").is_some() => {
            Some(settings_save(remote, caller, args).await)
        }
        _ => None,
    }
}

/// This desk's printers (an unreadable file: none, i.e. the default printer).
pub fn printers(data_dir: &Path) -> BTreeMap<String, String> {
    std::fs::read(data_dir.join(PRINTERS_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<BTreeMap<String, String>>(&bytes).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(paper, name)| PRINTER_FORMATS.contains(&paper.as_str()) && !name.is_empty())
        .collect()
}

fn parse(text: &str) -> Result<Value, Value> {
    serde_json::from_str(text).map_err(|e| error("http", format!("服务器的答复不是 JSON：{e}")))
}

async fn print_here(remote: &Remote, caller: &Caller, args: &Value) -> Result<String, Value> {
    let render_args = json!({
        "order_id": args["order_id"],
        "format": args["format"],
        "copies": args["copies"],
        "drawing": true,
    });
    let mut rendered = parse(&forward(remote, caller, "slips.render", &render_args).await?)?;
    let token = rendered["token"].as_str().unwrap_or_default().to_string();
    let number = rendered["number"].as_str().unwrap_or_default().to_string();
    // The server's drawing is checked (sizes, counts, fonts, images) before it is printed:
    // `printing::send` refuses one out of bounds on `drawing`, in Chinese.
    let drawing: Drawing = serde_json::from_value(rendered["drawing"].take()).map_err(|e| {
        error(
            "http",
            format!("服务器发来的服务单 {number} 读不出（不是服务单的图形）：{e}"),
        )
    })?;
    let paper = rendered["paper"].as_str().unwrap_or("a4").to_string();
    let job = PrintJob {
        printer: printers(&remote.data_dir).remove(&paper),
        copies: 1,
    };
    let title = rendered["title"].as_str().unwrap_or("服务单").to_string();
    let dir = remote.data_dir.clone();
    let sent = tokio::task::spawn_blocking(move || printing::send(&dir, &title, &drawing, &job))
        .await
        .unwrap_or_else(|e| Err(aftersales::platform::error::Error::Storage(e.to_string())));
    let said = match sent {
        Ok(said) => said,
        Err(refused) => {
            // Recorded on the server as not printed, with this printer's words; the
            // server's answer is the error the window shows (on 打印).
            let args = json!({"token": token, "refused": refused.to_string()});
            return Err(match forward(remote, caller, "slips.record", &args).await {
                Err(e) if e["field"] == "printer" => e,
                Err(e) => error_on_printer(format!(
                    "服务单 {number} 没有打印出来：{refused}（也没能记到服务器：{}）",
                    e["message"].as_str().unwrap_or_default()
                )),
                Ok(_) => error_on_printer(format!("服务单 {number} 没有打印出来：{refused}")),
            });
        }
    };
    let recorded = match forward(remote, caller, "slips.record", &json!({"token": token})).await {
        Ok(text) => parse(&text)?,
        Err(e) => {
            return Err(error_on_printer(format!(
                "服务单 {number} 已在本机打印（{said}），但没能记到服务器：{}。请不要重复打印，联系管理员补记",
                e["message"].as_str().unwrap_or_default()
            )))
        }
    };
    Ok(json!({
        "slip": recorded["slip"],
        "reprint": recorded["reprint"],
        "pages": rendered["pages"],
        "file_name": rendered["file_name"],
        "content_base64": rendered["content_base64"],
        "sent": said,
        "unprintable": rendered["unprintable"],
    })
    .to_string())
}

fn error_on_printer(message: String) -> Value {
    json!({"code": "invalid", "message": message, "field": "printer"})
}

/// The server's settings with this desk's printers in place of the server PC's.
async fn settings_get(remote: &Remote, caller: &Caller, args: &Value) -> Result<String, Value> {
    let mut settings = parse(&forward(remote, caller, "settings.get", args).await?)?;
    settings["printers"] = json!(printers(&remote.data_dir));
    Ok(settings.to_string())
}

/// The printers kept here, everything else sent to the server; the printers are written
/// only once they all passed and the server took the rest.
async fn settings_save(remote: &Remote, caller: &Caller, args: &Value) -> Result<String, Value> {
    let mut rest: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
    let asked = rest.remove("printers").unwrap_or(Value::Null);
    let Some(asked) = asked.as_object() else {
        return Err(
            json!({"code": "invalid", "field": "printers", "message": "打印机设置应为“纸张: 打印机名称”的列表"}),
        );
    };
    let mut kept = printers(&remote.data_dir);
    for (paper, name) in asked {
        if !PRINTER_FORMATS.contains(&paper.as_str()) {
            return Err(
                json!({"code": "invalid", "field": "printers", "message": format!("没有“{paper}”这种纸张格式")}),
            );
        }
        let name = printing::printer_name("本机打印机", name.as_str().unwrap_or_default())
            .map_err(|e| e.to_json())?;
        if name.is_empty() {
            kept.remove(paper);
        } else {
            kept.insert(paper.clone(), name);
        }
    }
    let mut settings = if rest.is_empty() {
        parse(&forward(remote, caller, "settings.get", &json!({})).await?)?
    } else {
        parse(&forward(remote, caller, "settings.save", &Value::Object(rest)).await?)?
    };
    let file = remote.data_dir.join(PRINTERS_FILE);
    let text = serde_json::to_string_pretty(&kept).unwrap_or_default();
    let temporary = file.with_extension("json.tmp");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, &file))
        .map_err(|e| {
            error(
                "io",
                format!("本机打印机设置没有保存（{}）：{e}", file.display()),
            )
        })?;
    settings["printers"] = json!(kept);
    Ok(settings.to_string())
}
