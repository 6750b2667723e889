//! Proactive campaigns (主动服务), DOMAIN.md "Proactive campaign": choose installed
//! machines by customer or chain, model, age or time since their last service; one task
//! per machine (a callback or an inspection); record each result (a fault found can open a
//! work order, channel 主动服务, in the same step); and give each account a service report
//! (PDF) of what was checked, what was found, and what is still open. Reporting that
//! honestly to a chain's head office is what wins its next order.

use crate::platform::db::{Db, Optional};
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::{customers::CustomerId, equipment::EquipmentId};
use crate::followup::print;
use crate::followup::words::{CampaignKind, TaskStatus};
use crate::orders::{self, Channel, Mode, OrderKind};
use crate::platform::error::{Error, Result};
use crate::platform::time::stamp;
use crate::{platform::text, Desk};

crate::ids! {
    /// A campaign's id.
    pub struct CampaignId;
}

/// Most machines one campaign takes.
const MAX_TASKS: i64 = 5000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Criteria {
    /// A customer; a head office takes its branches' machines too.
    pub customer_id: Option<crate::archive::customers::CustomerId>,
    pub model_id: Option<crate::archive::models::ModelId>,
    /// Machines bought at least this many months ago.
    pub min_age_months: Option<u32>,
    /// Machines with no work order for at least this many months (or never).
    pub no_service_months: Option<u32>,
}

/// The date `months` months before `now` (local), as machines' dates are written.
fn cutoff(now: DateTime<Utc>, months: u32) -> String {
    let today = now
        .with_timezone(&crate::platform::time::zone())
        .date_naive();
    today
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(today)
        .format("%Y-%m-%d")
        .to_string()
}

/// The machines matching, newest customer first: (equipment, customer).
fn matching(conn: &Db, c: &Criteria, now: DateTime<Utc>, limit: i64) -> Result<Vec<(i64, i64)>> {
    let mut sql = String::from(
        "SELECT e.id, e.customer_id FROM equipment e JOIN customer c ON c.id = e.customer_id
         WHERE c.merged_into IS NULL",
    );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(id) = c.customer_id {
        args.push(id.get().into());
        sql.push_str(&format!(
            " AND (e.customer_id = ?{n} OR e.customer_id IN (SELECT id FROM customer WHERE parent_id = ?{n}))",
            n = args.len()
        ));
    }
    if let Some(id) = c.model_id {
        args.push(id.get().into());
        sql.push_str(&format!(" AND e.model_id = ?{}", args.len()));
    }
    if let Some(m) = c.min_age_months {
        args.push(cutoff(now, m).into());
        sql.push_str(&format!(" AND e.purchase_date <= ?{}", args.len()));
    }
    if let Some(m) = c.no_service_months {
        let since = stamp(now - Duration::days(i64::from(m) * 30));
        args.push(since.into());
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM work_order o WHERE o.equipment_id = e.id AND o.created_at >= ?{})",
            args.len()
        ));
    }
    args.push(limit.into());
    sql.push_str(&format!(
        " ORDER BY e.customer_id, e.id LIMIT ?{}",
        args.len()
    ));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn check(c: &Criteria) -> Result<()> {
    if c.customer_id.is_none()
        && c.model_id.is_none()
        && c.min_age_months.is_none()
        && c.no_service_months.is_none()
    {
        return Err(Error::invalid(
            "criteria",
            "请至少选择一个条件（客户、型号、机龄或未服务时间）",
        ));
    }
    for (v, field) in [
        (c.min_age_months, "min_age_months"),
        (c.no_service_months, "no_service_months"),
    ] {
        if v.is_some_and(|m| m > 600) {
            return Err(Error::invalid(field, "月数应在0到600之间"));
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct Preview {
    pub machines: usize,
    pub customers: usize,
    /// More than one campaign takes.
    pub too_many: bool,
}

/// How many machines (and customers) a choice takes, before creating the campaign.
pub fn preview(desk: &mut Desk, c: Criteria) -> Result<Preview> {
    check(&c)?;
    let found = matching(desk.conn(), &c, desk.now(), MAX_TASKS + 1)?;
    let mut customers: Vec<i64> = found.iter().map(|(_, c)| *c).collect();
    customers.dedup();
    Ok(Preview {
        too_many: found.len() as i64 > MAX_TASKS,
        machines: found.len().min(MAX_TASKS as usize),
        customers: customers.len(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateArgs {
    pub name: String,
    /// `callback` (a phone call) or `inspection` (a visit).
    pub kind: String,
    pub criteria: Criteria,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: i64,
    pub equipment_id: crate::archive::equipment::EquipmentId,
    pub customer_id: crate::archive::customers::CustomerId,
    pub customer: String,
    /// The account the report goes to: the head office of a branch, else the customer.
    pub account_id: i64,
    pub account: String,
    pub site: String,
    pub model: String,
    pub serial: String,
    pub status: TaskStatus,
    pub result: String,
    pub order_id: Option<crate::orders::OrderId>,
    pub order_number: Option<String>,
    pub order_status: Option<orders::OrderStatus>,
    pub done_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub kind: CampaignKind,
    pub criteria: Criteria,
    pub created_at: String,
    pub total: usize,
    pub done: usize,
    pub faults: usize,
    /// Faults whose order is not completed yet.
    pub still_open: usize,
    pub tasks: Vec<Task>,
}

const TASKS: &str =
    "SELECT t.id, t.equipment_id, t.customer_id, c.name, e.site, m.code || ' ' || m.name,
        e.serial, t.status, t.result, t.order_id, o.number, o.status, t.done_at,
        coalesce(h.id, c.id), coalesce(h.name, c.name)
    FROM campaign_task t JOIN equipment e ON e.id = t.equipment_id
    JOIN customer c ON c.id = t.customer_id JOIN product_model m ON m.id = e.model_id
    LEFT JOIN customer h ON h.id = c.parent_id
    LEFT JOIN work_order o ON o.id = t.order_id";

fn tasks(conn: &Db, tail: &str, p: impl crate::platform::db::Args) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!("{TASKS} {tail}"))?;
    let rows = stmt.query_map(p, |r| {
        Ok(Task {
            id: r.get(0)?,
            equipment_id: r.get(1)?,
            customer_id: r.get(2)?,
            customer: r.get(3)?,
            account_id: r.get(13)?,
            account: r.get(14)?,
            site: r.get(4)?,
            model: r.get(5)?,
            serial: r.get(6)?,
            status: r.get(7)?,
            result: r.get(8)?,
            order_id: r.get(9)?,
            order_number: r.get(10)?,
            order_status: r.get(11)?,
            done_at: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A fault found whose order is not done yet.
pub(crate) fn still_open(t: &Task) -> bool {
    t.status == TaskStatus::Fault
        && !t
            .order_status
            .is_some_and(|s| orders::OrderStatus::DONE.contains(&s))
}

fn load(conn: &Db, id: CampaignId, customer: Option<CustomerId>) -> Result<Campaign> {
    let (name, kind, criteria, created_at): (String, CampaignKind, String, String) = conn
        .prepare_cached("SELECT name, kind, criteria, created_at FROM campaign WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("主动服务活动不存在（编号 {id}）")))?;
    let list = match customer {
        Some(c) => tasks(
            conn,
            "WHERE t.campaign_id = ?1 AND (t.customer_id = ?2 OR c.parent_id = ?2) ORDER BY c.name, t.id",
            params![id, c],
        )?,
        None => tasks(conn, "WHERE t.campaign_id = ?1 ORDER BY c.name, t.id", [id])?,
    };
    Ok(Campaign {
        id,
        name,
        kind,
        criteria: serde_json::from_str(&criteria).unwrap_or_default(),
        created_at,
        total: list.len(),
        done: list.iter().filter(|t| t.status != TaskStatus::Open).count(),
        faults: list
            .iter()
            .filter(|t| t.status == TaskStatus::Fault)
            .count(),
        still_open: list.iter().filter(|t| still_open(t)).count(),
        tasks: list,
    })
}

/// 新建主动服务: one task per machine chosen.
pub fn create(desk: &mut Desk, a: CreateArgs) -> Result<Campaign> {
    let name = text::field("name", "活动名称", &a.name, 60, true)?;
    let kind = match a.kind.as_str() {
        "" => CampaignKind::Callback,
        word => CampaignKind::from_word(word)
            .ok_or_else(|| Error::invalid("kind", "任务类型只能是电话回访或上门巡检"))?,
    };
    check(&a.criteria)?;
    let found = matching(desk.conn(), &a.criteria, desk.now(), MAX_TASKS + 1)?;
    if found.is_empty() {
        return Err(Error::invalid("criteria", "没有符合条件的设备"));
    }
    if found.len() as i64 > MAX_TASKS {
        return Err(Error::invalid(
            "criteria",
            format!("符合条件的设备超过 {MAX_TASKS} 台，请缩小范围"),
        ));
    }
    let criteria =
        serde_json::to_string(&a.criteria).map_err(|e| Error::BadRequest(e.to_string()))?;
    let at = stamp(desk.now());
    let tx = desk.write()?;
    tx.execute(
        "INSERT INTO campaign (name, kind, criteria, created_at, \"user\") VALUES (?1, ?2, ?3, ?4, desk_user())",
        params![name, kind, criteria, at],
    )?;
    let id = CampaignId(tx.last_insert_rowid()?);
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO campaign_task (campaign_id, equipment_id, customer_id, status) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (equipment, customer) in &found {
            insert.execute(params![id, equipment, customer, TaskStatus::Open])?;
        }
    }
    crate::people::audit::record(
        &tx,
        &at,
        "campaign",
        "campaign",
        id,
        &format!("{name}：{} 台设备", found.len()),
    )?;
    tx.commit()?;
    load(desk.conn(), id, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GetArgs {
    pub id: CampaignId,
    /// Only this account's tasks (a head office: its branches too).
    pub customer_id: Option<crate::archive::customers::CustomerId>,
}

pub fn get(desk: &mut Desk, a: GetArgs) -> Result<Campaign> {
    load(desk.conn(), a.id, a.customer_id)
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub id: CampaignId,
    pub name: String,
    pub kind: CampaignKind,
    pub created_at: String,
    pub total: i64,
    pub done: i64,
    pub faults: i64,
}

#[derive(Debug, Serialize)]
pub struct CampaignList {
    pub items: Vec<Summary>,
}

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

/// 主动服务活动列表, newest first.
pub fn list(desk: &mut Desk, _: NoArgs) -> Result<CampaignList> {
    let mut stmt = desk.conn().prepare_cached(
        "SELECT p.id, p.name, p.kind, p.created_at, count(t.id), count(t.done_at),
                sum(t.status = ?1)
         FROM campaign p LEFT JOIN campaign_task t ON t.campaign_id = p.id
         GROUP BY p.id ORDER BY p.id DESC LIMIT 200",
    )?;
    let rows = stmt.query_map([TaskStatus::Fault], |r| {
        Ok(Summary {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            created_at: r.get(3)?,
            total: r.get(4)?,
            done: r.get(5)?,
            faults: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
        })
    })?;
    Ok(CampaignList {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecordArgs {
    pub task_id: i64,
    /// `ok` (checked, fine), `fault` (a fault found), `unreachable`.
    pub status: String,
    pub result: String,
    /// With a fault: open a work order for it now (channel 主动服务).
    pub open_order: bool,
}

/// 记录结果 of one task; a fault may open its work order in the same step.
pub fn record(desk: &mut Desk, a: RecordArgs) -> Result<Task> {
    let status = TaskStatus::from_word(&a.status)
        .filter(|s| TaskStatus::RECORDED.contains(s))
        .ok_or_else(|| Error::invalid("status", "结果只能是正常、发现故障或联系不上"))?;
    let fault = status == TaskStatus::Fault;
    let result = text::field("result", "检查结果", &a.result, 300, fault)?;
    if a.open_order && !fault {
        return Err(Error::invalid("open_order", "发现故障时才能转工单"));
    }
    let (equipment, customer, kind, done): (EquipmentId, CustomerId, CampaignKind, Option<String>) =
        desk.conn()
            .prepare_cached(
                "SELECT t.equipment_id, t.customer_id, p.kind, t.done_at FROM campaign_task t
             JOIN campaign p ON p.id = t.campaign_id WHERE t.id = ?1",
            )?
            .query_row([a.task_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("任务不存在（编号 {}）", a.task_id)))?;
    if done.is_some() {
        return Err(Error::invalid("task_id", "这台设备已经记录过结果"));
    }
    let intake = if a.open_order {
        // A branch without an address of its own is served at its head office's.
        let address: String = desk.conn().query_row(
            "SELECT CASE WHEN c.address <> '' THEN c.address ELSE coalesce(p.address, '') END
             FROM customer c LEFT JOIN customer p ON p.id = c.parent_id WHERE c.id = ?1",
            [customer],
            |r| r.get(0),
        )?;
        if address.is_empty() {
            return Err(Error::invalid(
                "open_order",
                "这个客户（及其总部）没有地址，请先在客户档案里填写地址再转工单",
            ));
        }
        Some(orders::prepare(
            desk,
            orders::CreateArgs {
                customer_id: customer,
                equipment_id: Some(equipment),
                kind: match kind {
                    CampaignKind::Inspection => OrderKind::Inspection,
                    CampaignKind::Callback => OrderKind::Repair,
                }
                .to_string(),
                channel: Channel::Proactive.to_string(),
                mode: Mode::OnSite.to_string(),
                fault: result.clone(),
                address,
                confirmed: true,
                ..Default::default()
            },
        )?)
    } else {
        None
    };
    let at = stamp(desk.now());
    // The order and the task's result: both, or neither.
    let tx = desk.write()?;
    let order_id = match &intake {
        Some(i) => Some(orders::insert(&tx, i)?),
        None => None,
    };
    tx.execute(
        "UPDATE campaign_task SET status = ?2, result = ?3, order_id = ?4, done_at = ?5 WHERE id = ?1",
        params![a.task_id, status, result, order_id, at],
    )?;
    tx.commit()?;
    tasks(desk.conn(), "WHERE t.id = ?1", [a.task_id])?
        .pop()
        .ok_or_else(|| Error::NotFound(a.task_id.to_string()))
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub file_name: String,
    pub content_base64: String,
    /// Codes (`U+2A6D7`) of the characters no font has, printed as the code in a box.
    pub unprintable: Vec<String>,
}

/// 服务报告 for one account (a head office includes its branches): machines checked,
/// faults found, still open, actions, as an A4 PDF.
pub fn report(desk: &mut Desk, a: GetArgs) -> Result<Report> {
    use base64::Engine as _;
    let customer = a
        .customer_id
        .ok_or_else(|| Error::invalid("customer_id", "请选择要出报告的客户"))?;
    let account = crate::archive::customers::load(desk.conn(), customer)?
        .ok_or_else(|| Error::invalid("customer_id", "客户不存在"))?;
    let c = load(desk.conn(), a.id, Some(customer))?;
    if c.tasks.is_empty() {
        return Err(Error::invalid(
            "customer_id",
            format!("“{}”不在这次活动里", account.name),
        ));
    }
    let company = crate::people::settings::load(desk.conn())?.company_name;
    let (bytes, unprintable) = print::campaign_report(&c, &account.name, &company, desk.now())?;
    Ok(Report {
        file_name: format!("服务报告-{}-{}.pdf", account.name, c.name),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        unprintable,
    })
}
