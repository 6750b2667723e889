//! Machine files (设备档案): one machine, one file. Owns `equipment`. A machine belongs to
//! one customer (a branch's machines roll up to its head office in lists), has a model, a
//! serial number unique per model, purchase and install dates, a site, and a warranty
//! verdict computed from its model's policies (see [`crate::archive::warranty`]) unless overridden
//! with a reason. Every change lands in the audit trail, which is the machine's history.

use crate::platform::db::{Db, Optional};
use chrono::NaiveDate;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::models::{self, ModelId};
use crate::archive::sanbao;
use crate::archive::warranty::{self, Override, Warranty};
use crate::people::audit;
use crate::platform::dates::{self, show};
use crate::platform::error::{Error, Problems, Result};
use crate::platform::text::{self, char_len};
use crate::Desk;

crate::ids! {
    /// A machine's id (设备档案).
    pub struct EquipmentId;
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EquipmentInput {
    pub customer_id: crate::archive::customers::CustomerId,
    pub model_id: ModelId,
    pub serial: String,
    pub purchase_date: Option<String>,
    pub install_date: Option<String>,
    pub site: String,
}

#[derive(Debug, Deserialize)]
pub struct UpdateArgs {
    pub id: EquipmentId,
    pub model_id: ModelId,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub purchase_date: Option<String>,
    #[serde(default)]
    pub install_date: Option<String>,
    #[serde(default)]
    pub site: String,
}

#[derive(Debug, Deserialize)]
pub struct GetArgs {
    pub id: EquipmentId,
}

#[derive(Debug, Deserialize)]
pub struct ListArgs {
    pub customer_id: crate::archive::customers::CustomerId,
}

#[derive(Debug, Deserialize)]
pub struct OverrideArgs {
    pub id: EquipmentId,
    pub warranty_end: Option<String>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ModelRef {
    pub id: ModelId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryItem {
    pub at: String,
    pub user: String,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Equipment {
    pub id: EquipmentId,
    pub customer_id: crate::archive::customers::CustomerId,
    pub customer_name: String,
    pub model: ModelRef,
    pub serial: String,
    pub purchase_date: Option<String>,
    pub install_date: Option<String>,
    pub site: String,
    pub warranty: Warranty,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryItem>>,
}

#[derive(Debug, Serialize)]
pub struct EquipmentList {
    pub items: Vec<Equipment>,
}

/// A machine that passed validation.
pub struct ValidEquipment {
    customer_id: crate::archive::customers::CustomerId,
    model_id: ModelId,
    serial: String,
    purchase_date: Option<NaiveDate>,
    install_date: Option<NaiveDate>,
    site: String,
}

impl ValidEquipment {
    /// A generated machine (demo data), valid by construction.
    pub(crate) fn generated(
        customer_id: crate::archive::customers::CustomerId,
        model_id: ModelId,
        serial: String,
        purchase: NaiveDate,
        install: Option<NaiveDate>,
    ) -> ValidEquipment {
        ValidEquipment {
            customer_id,
            model_id,
            serial,
            purchase_date: Some(purchase),
            install_date: install,
            site: String::new(),
        }
    }
}

/// Serial numbers are compared upper-case without spaces: `sn 2024 001` is `SN2024001`.
pub fn normalise_serial(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks a machine form against the rules and the database (owner exists, model exists,
/// serial free for this model, dates not after the desk's `today`), every problem at once.
/// `except` is the machine being edited.
fn check(
    conn: &Db,
    input: &EquipmentInput,
    except: Option<EquipmentId>,
    today: NaiveDate,
) -> Result<ValidEquipment> {
    let mut p = Problems::new();
    p.keep_opt(check_owner(conn, input.customer_id))?;
    let valid = check_fields(conn, input, except, today, &mut p)?;
    p.finish(valid)
}

/// The owner of a new or edited machine: an existing customer, not merged away.
fn check_owner(conn: &Db, customer_id: crate::archive::customers::CustomerId) -> Result<()> {
    let owner: Option<Option<i64>> = conn
        .prepare_cached("SELECT merged_into FROM customer WHERE id = ?1")?
        .query_row([customer_id], |r| r.get(0))
        .optional()?;
    match owner {
        None => Err(Error::invalid(
            "customer_id",
            format!("客户不存在（编号 {customer_id}）"),
        )),
        Some(Some(into)) => Err(Error::invalid(
            "customer_id",
            format!("该客户已合并到编号 {into}，请在合并后的档案中登记"),
        )),
        Some(None) => Ok(()),
    }
}

/// The machine's own fields (the owner aside), each problem noted in `p`; the value
/// returned stands in for a refused field until `p` refuses the form.
pub(crate) fn check_fields(
    conn: &Db,
    input: &EquipmentInput,
    except: Option<EquipmentId>,
    today: NaiveDate,
    p: &mut Problems,
) -> Result<ValidEquipment> {
    let model_exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM product_model WHERE id = ?1)")?
        .query_row([input.model_id], |r| r.get(0))?;
    if !model_exists {
        p.note(Error::invalid("model_id", "请选择型号"))?;
    }
    let serial = p.keep(check_serial(conn, input, except, model_exists))?;
    // In the order the eye reads: each date whole (readable, not in the future), then
    // the two together.
    let mut date = |field: &'static str, label: &str, text: Option<&str>| {
        let d = p.keep(dates::field(field, label, text))?;
        if d.is_some_and(|d| d > today) {
            p.note(Error::invalid(field, format!("{label}不能晚于今天")))?;
        }
        Ok::<_, Error>(d)
    };
    let purchase_date = date("purchase_date", "购买日期", input.purchase_date.as_deref())?;
    let install_date = date("install_date", "安装日期", input.install_date.as_deref())?;
    if let (Some(b), Some(i)) = (purchase_date, install_date) {
        if i < b {
            p.note(Error::invalid("install_date", "安装日期不能早于购买日期"))?;
        }
    }
    let site = p.keep(text::field("site", "安装位置", &input.site, 100, false))?;
    Ok(ValidEquipment {
        customer_id: input.customer_id,
        model_id: input.model_id,
        serial,
        purchase_date,
        install_date,
        site,
    })
}

/// The serial, normalised: present, short, of the allowed characters, and (when the
/// model is known) not on another machine of the model.
fn check_serial(
    conn: &Db,
    input: &EquipmentInput,
    except: Option<EquipmentId>,
    model_known: bool,
) -> Result<String> {
    let serial = normalise_serial(&input.serial);
    if serial.is_empty() {
        return Err(Error::invalid("serial", "序列号不能为空"));
    }
    if char_len(&serial) > 40 {
        return Err(Error::invalid("serial", "序列号不能超过40个字符"));
    }
    if let Some(c) = serial
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_/.".contains(*c)))
    {
        return Err(Error::invalid(
            "serial",
            format!("序列号只能包含字母、数字和 - _ / .（有“{c}”）"),
        ));
    }
    if model_known {
        if let Some((id, owner_id)) = find(conn, input.model_id, &serial)? {
            if Some(id) != except {
                let owner_name: String =
                    conn.query_row("SELECT name FROM customer WHERE id = ?1", [owner_id], |r| {
                        r.get(0)
                    })?;
                return Err(Error::invalid(
                    "serial",
                    format!(
                        "该型号的序列号 {serial} 已登记在客户“{owner_name}”（编号 {owner_id}）名下"
                    ),
                ));
            }
        }
    }
    Ok(serial)
}

/// Validates a new machine (for forms and imports) on the desk's `today`.
pub fn validate(conn: &Db, input: &EquipmentInput, today: NaiveDate) -> Result<ValidEquipment> {
    check(conn, input, None, today)
}

/// The machine with this model and serial, and its owner.
pub fn find(
    conn: &Db,
    model_id: ModelId,
    serial: &str,
) -> Result<Option<(EquipmentId, crate::archive::customers::CustomerId)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, customer_id FROM equipment WHERE model_id = ?1 AND serial = ?2",
        )?
        .query_row(params![model_id, normalise_serial(serial)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

/// Writes a new machine inside the caller's transaction (no audit entry: callers decide).
pub fn insert(tx: &Db, e: &ValidEquipment, at: &str) -> Result<EquipmentId> {
    tx.prepare_cached(
        "INSERT INTO equipment (customer_id, model_id, serial, serial_rev, purchase_date, install_date, site,
                                created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        e.customer_id,
        e.model_id,
        e.serial,
        reversed(&e.serial),
        e.purchase_date.map(show),
        e.install_date.map(show),
        e.site,
        at
    ])?;
    Ok(EquipmentId(tx.last_insert_rowid()?))
}

fn describe(conn: &Db, e: &ValidEquipment) -> Result<String> {
    let code: String = conn.query_row(
        "SELECT code FROM product_model WHERE id = ?1",
        [e.model_id],
        |r| r.get(0),
    )?;
    let mut s = format!("{code} 序列号 {}", e.serial);
    if let Some(d) = e.purchase_date {
        s.push_str(&format!("，购买 {}", show(d)));
    }
    if let Some(d) = e.install_date {
        s.push_str(&format!("，安装 {}", show(d)));
    }
    if !e.site.is_empty() {
        s.push_str(&format!("，位置 {}", e.site));
    }
    Ok(s)
}

/// 登记设备.
pub fn create(desk: &mut Desk, input: EquipmentInput) -> Result<Equipment> {
    let valid = check(desk.conn(), &input, None, desk.today())?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let id = add(&tx, &valid, &at)?;
    tx.commit()?;
    get(desk, GetArgs { id })
}

/// Writes a checked new machine with its audit entry (its history's first line), in the
/// caller's transaction.
pub(crate) fn add(
    tx: &Db,
    valid: &ValidEquipment,
    at: &crate::platform::time::Stamp,
) -> Result<EquipmentId> {
    let detail = describe(tx, valid)?;
    let id = insert(tx, valid, at)?;
    audit::record(tx, at, "equipment_added", "equipment", id, &detail)?;
    Ok(id)
}

/// One machine with its warranty verdict as of `today`, without its history.
pub(crate) fn load(conn: &Db, today: NaiveDate, id: EquipmentId) -> Result<Equipment> {
    read(conn, today, &format!("{SELECT} WHERE e.id = ?1"), [id])?
        .pop()
        .ok_or_else(|| not_found(id))
}

/// 修改设备档案.
pub fn update(desk: &mut Desk, args: UpdateArgs) -> Result<Equipment> {
    let customer_id: crate::archive::customers::CustomerId = desk
        .conn()
        .query_row(
            "SELECT customer_id FROM equipment WHERE id = ?1",
            [args.id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| not_found(args.id))?;
    let input = EquipmentInput {
        customer_id,
        model_id: args.model_id,
        serial: args.serial,
        purchase_date: args.purchase_date,
        install_date: args.install_date,
        site: args.site,
    };
    let valid = check(desk.conn(), &input, Some(args.id), desk.today())?;
    let now = describe(desk.conn(), &valid)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let before = audit::snapshot(&tx, "equipment", args.id)?;
    tx.execute(
        "UPDATE equipment SET model_id = ?2, serial = ?3, serial_rev = ?4, purchase_date = ?5, install_date = ?6,
                site = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            args.id,
            valid.model_id,
            valid.serial,
            reversed(&valid.serial),
            valid.purchase_date.map(show),
            valid.install_date.map(show),
            valid.site,
            at
        ],
    )?;
    let after = audit::snapshot(&tx, "equipment", args.id)?;
    let labels = [
        ("model_id", "型号"),
        ("serial", "序列号"),
        ("purchase_date", "购买日期"),
        ("install_date", "安装日期"),
        ("site", "安装地点"),
    ];
    let changed = audit::changes(&before, &after, &labels);
    // Before → after per field (the model by its number), then the whole file as it is now.
    let detail = if changed.is_empty() {
        format!("未改动（{now}）")
    } else {
        format!("{changed}；现为：{now}")
    };
    audit::record(&tx, &at, "equipment_updated", "equipment", args.id, &detail)?;
    tx.commit()?;
    get(desk, GetArgs { id: args.id })
}

/// 保修特批: sets or removes the whole-machine warranty end, with a reason, kept in history.
pub fn override_warranty(desk: &mut Desk, args: OverrideArgs) -> Result<Equipment> {
    let end = dates::field("warranty_end", "保修截止日期", args.warranty_end.as_deref())?;
    let reason = text::field("reason", "调整保修的原因", &args.reason, 200, true)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let n = tx.execute(
        "UPDATE equipment SET warranty_end = ?2, warranty_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![args.id, end.map(show), if end.is_some() { reason.as_str() } else { "" }, at],
    )?;
    if n == 0 {
        return Err(not_found(args.id));
    }
    let detail = match end {
        Some(e) => format!("保修截止日期改为 {}，原因：{reason}", show(e)),
        None => format!("取消特批保修，恢复按政策计算，原因：{reason}"),
    };
    audit::record(&tx, &at, "warranty_override", "equipment", args.id, &detail)?;
    tx.commit()?;
    get(desk, GetArgs { id: args.id })
}

fn not_found(id: EquipmentId) -> Error {
    Error::NotFound(format!("设备不存在（编号 {id}）"))
}

const SELECT: &str = "SELECT e.id, e.customer_id, c.name, m.id, m.code, m.name, e.serial, e.purchase_date, e.install_date,
        e.site, e.warranty_end, e.warranty_reason, e.created_at
     FROM equipment e JOIN customer c ON c.id = e.customer_id JOIN product_model m ON m.id = e.model_id";

/// Machines with their warranty verdict as of `today` (the desk's day).
fn read(
    conn: &Db,
    today: chrono::NaiveDate,
    sql: &str,
    p: impl crate::platform::db::Args,
) -> Result<Vec<Equipment>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| {
        Ok((
            Equipment {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                customer_name: r.get(2)?,
                model: ModelRef {
                    id: r.get(3)?,
                    code: r.get(4)?,
                    name: r.get(5)?,
                },
                serial: r.get(6)?,
                purchase_date: r.get(7)?,
                install_date: r.get(8)?,
                site: r.get(9)?,
                warranty: warranty::verdict(
                    &[],
                    &warranty::Dates {
                        purchase: None,
                        install: None,
                    },
                    None,
                    today,
                ),
                created_at: r.get(12)?,
                history: None,
            },
            r.get::<_, Option<String>>(10)?,
            r.get::<_, String>(11)?,
        ))
    })?;
    let mut out = Vec::new();
    // The calendar and the repairs' own warranty, read once and only for a covered model.
    let mut sanbao_ctx = None;
    for row in rows {
        let (mut e, end, reason) = row?;
        let policies = models::policies(conn, e.model.id)?;
        let d = warranty::Dates {
            purchase: e.purchase_date.as_deref().and_then(dates::parse),
            install: e.install_date.as_deref().and_then(dates::parse),
        };
        let o = end.map(|end| Override { end, reason });
        e.warranty = warranty::verdict(&policies, &d, o, today);
        if models::sanbao(conn, e.model.id)? {
            if sanbao_ctx.is_none() {
                sanbao_ctx = Some(sanbao::Context::load(conn)?);
            }
            if let Some(ctx) = &sanbao_ctx {
                e.warranty.sanbao = Some(sanbao::of(
                    conn,
                    ctx,
                    (e.id, d.purchase),
                    &policies,
                    today,
                    None,
                )?);
            }
        }
        out.push(e);
    }
    Ok(out)
}

pub(crate) fn title(action: &str) -> &'static str {
    match action {
        "equipment_added" => "登记设备",
        "equipment_updated" => "修改设备档案",
        "warranty_override" => "调整保修",
        "equipment_moved" => "设备转到其他客户",
        // 定期保养 (issue 21): a counter reading (orders/plans.rs).
        "counter_read" => "记录读数",
        _ => "记录",
    }
}

/// 设备档案: one machine with its warranty and history.
pub fn get(desk: &mut Desk, args: GetArgs) -> Result<Equipment> {
    let conn = desk.conn();
    let mut e = read(
        conn,
        desk.today(),
        &format!("{SELECT} WHERE e.id = ?1"),
        [args.id],
    )?
    .pop()
    .ok_or_else(|| not_found(args.id))?;
    let history = audit::of(conn, "equipment", e.id)?
        .into_iter()
        .map(|a| HistoryItem {
            at: a.at,
            user: a.user,
            title: title(&a.action).to_string(),
            detail: a.detail,
        })
        .collect();
    e.history = Some(history);
    Ok(e)
}

/// 客户的设备: the customer's machines and, for a head office, its branches' machines.
pub fn list(desk: &mut Desk, args: ListArgs) -> Result<EquipmentList> {
    let items = read(
        desk.conn(),
        desk.today(),
        &format!(
            // One IN over the customer and its branches, not an OR: PostgreSQL answered
            // the OR with a scan of every machine (676 ms at 3M), the IN from the two
            // indexes; SQLite reads both the same way.
            "{SELECT} WHERE e.customer_id IN
                 (SELECT CAST(?1 AS BIGINT) UNION ALL SELECT id FROM customer WHERE parent_id = ?1)
             ORDER BY e.customer_id <> ?1, c.name, e.id DESC"
        ),
        [args.customer_id],
    )?;
    Ok(EquipmentList { items })
}
