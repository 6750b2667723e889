//! Stock: the append-only ledger of movements (`stock_movement`) and the balance per part
//! and store (`stock_balance`) that every movement updates in the same transaction.
//!
//! Invariants (held by a property test over random movement sequences): for every part
//! and store, the balance equals the sum of its movements' quantities and its value the
//! sum of their values; no balance is ever negative; a balance of zero units is worth zero.
//! Value is moving-average cost in fen: what goes out leaves at the average (all of the
//! value when all of the units leave), what comes in adds its own value.
//!
//! Writes take the database lock at BEGIN (IMMEDIATE), so two desks issuing the last unit
//! at once are serialised and the second finds nothing left. A store with an open
//! stocktake takes no movements but the stocktake's own adjustments.

use crate::platform::db::{Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::platform::error::{Error, Result};
use crate::platform::text;
use crate::stock::parts::{self, PartId, StoreId};
use crate::stock::print;
use crate::stock::words::{ClaimStatus, MovementKind, StocktakeStatus};
use crate::Desk;

crate::ids! {
    /// A stock movement's id (a ledger row).
    pub struct MovementId;
}

/// One row to add to the ledger.
pub(crate) struct Post<'a> {
    pub kind: MovementKind,
    pub part_id: PartId,
    pub store_id: StoreId,
    pub quantity: i64,
    pub value_fen: i64,
    pub reference: &'a str,
    pub note: &'a str,
    pub pair_id: Option<MovementId>,
    pub reverses: Option<MovementId>,
    pub stocktake_id: Option<i64>,
}

/// On hand and value of a part in a store.
pub fn balance(conn: &Db, part_id: PartId, store_id: StoreId) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT quantity, value_fen FROM stock_balance WHERE part_id = ?1 AND store_id = ?2",
        )?
        .query_row(params![part_id, store_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

/// Value of `quantity` units leaving a balance at moving-average cost.
pub(crate) fn out_value((on_hand, value): (i64, i64), quantity: i64) -> i64 {
    if quantity >= on_hand || on_hand == 0 {
        value
    } else {
        // Rounded half up; i128 so that large values cannot overflow.
        ((value as i128 * quantity as i128 * 2 + on_hand as i128) / (on_hand as i128 * 2)) as i64
    }
}

/// Unit cost for units coming back in: the average on hand, else the catalogue cost.
pub(crate) fn in_unit_cost(
    conn: &Db,
    part_id: PartId,
    (on_hand, value): (i64, i64),
) -> Result<i64> {
    if on_hand > 0 {
        return Ok(value / on_hand);
    }
    Ok(
        conn.query_row("SELECT cost_fen FROM part WHERE id = ?1", [part_id], |r| {
            r.get(0)
        })?,
    )
}

fn shortage(
    conn: &Db,
    part_id: PartId,
    store_id: StoreId,
    on_hand: i64,
    wanted: i64,
) -> Result<Error> {
    let (code, name, unit): (String, String, String) = conn.query_row(
        "SELECT code, name, unit FROM part WHERE id = ?1",
        [part_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let store = parts::store(conn, store_id)?.name;
    Ok(Error::invalid(
        "quantity",
        format!(
            "库存不足：备件 {code} {name} 在 {store} 现有 {on_hand} {unit}，要出 {wanted} {unit}"
        ),
    ))
}

/// Adds one movement and moves the balance with it; refuses to go below zero.
pub(crate) fn post(tx: &Db, m: &Post, at: &crate::platform::time::Stamp) -> Result<MovementId> {
    if m.stocktake_id.is_none() {
        let frozen: Option<i64> = tx
            .prepare_cached(&format!(
                "SELECT id FROM stocktake WHERE store_id = ?1 AND status = '{}'",
                StocktakeStatus::Open
            ))?
            .query_row([m.store_id], |r| r.get(0))
            .optional()?;
        if let Some(id) = frozen {
            let store = parts::store(tx, m.store_id)?.name;
            return Err(Error::invalid(
                "store_id",
                format!("{store} 正在盘点（盘点单 {id}），盘点过账前不能出入库"),
            ));
        }
    }
    let (on_hand, _) = balance(tx, m.part_id, m.store_id)?;
    if on_hand + m.quantity < 0 {
        return Err(shortage(tx, m.part_id, m.store_id, on_hand, -m.quantity)?);
    }
    tx.prepare_cached(
        "INSERT INTO stock_movement (at, \"user\", kind, part_id, store_id, quantity, value_fen, reference, note,
                                     pair_id, reverses, stocktake_id)
         VALUES (?1, desk_user(), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        at,
        m.kind,
        m.part_id,
        m.store_id,
        m.quantity,
        m.value_fen,
        m.reference,
        m.note,
        m.pair_id,
        m.reverses,
        m.stocktake_id
    ])?;
    let id = MovementId(tx.last_insert_rowid()?);
    let issued = if m.kind == MovementKind::Issue {
        Some(at)
    } else {
        None
    };
    // Update first: an upsert would check the new row's CHECK (quantity >= 0) against the
    // negative delta before resolving the conflict.
    let changed = tx
        .prepare_cached(
            "UPDATE stock_balance SET quantity = quantity + ?3, value_fen = value_fen + ?4,
                    last_issue_at = coalesce(?5, last_issue_at)
             WHERE part_id = ?1 AND store_id = ?2",
        )?
        .execute(params![
            m.part_id,
            m.store_id,
            m.quantity,
            m.value_fen,
            issued
        ])?;
    if changed == 0 {
        tx.prepare_cached(
            "INSERT INTO stock_balance (part_id, store_id, quantity, value_fen, last_issue_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![m.part_id, m.store_id, m.quantity, m.value_fen, issued])?;
    }
    Ok(id)
}

fn positive(quantity: i64) -> Result<i64> {
    if quantity <= 0 || quantity > 1_000_000 {
        return Err(Error::invalid("quantity", "数量应为1到1000000之间的整数"));
    }
    Ok(quantity)
}

fn check_part(conn: &Db, part_id: PartId) -> Result<()> {
    if parts::load(conn, part_id)?.is_none() {
        return Err(Error::invalid(
            "part_id",
            format!("备件不存在（编号 {part_id}）"),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Claim {
    pub form_no: String,
    pub reason: String,
    pub status: ClaimStatus,
    /// The work order whose in-warranty part this defective unit was ('' = none): what
    /// the brand's claim of that order counts as returned (厂家索赔, issue 21).
    pub work_order: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Movement {
    pub id: MovementId,
    pub at: String,
    pub user: String,
    pub kind: MovementKind,
    pub part_id: PartId,
    pub store_id: StoreId,
    pub store_name: String,
    pub quantity: i64,
    pub value_fen: i64,
    pub reference: String,
    pub note: String,
    pub reverses: Option<MovementId>,
    pub reversed_by: Option<MovementId>,
    /// Running balance (in the ledger), or the balance right after it (when posted).
    pub balance: i64,
    pub claim: Option<Claim>,
}

#[derive(Debug, Serialize)]
pub struct Posted {
    pub movements: Vec<Movement>,
}

const MOVEMENT: &str =
    "SELECT m.id, m.at, m.\"user\", m.kind, m.part_id, m.store_id, s.name, m.quantity, m.value_fen,
        m.reference, m.note, m.reverses, r.id, c.form_no, c.reason, c.status, c.work_order
     FROM stock_movement m JOIN store s ON s.id = m.store_id
     LEFT JOIN stock_movement r ON r.reverses = m.id
     LEFT JOIN defective_claim c ON c.movement_id = m.id";

fn movements(conn: &Db, sql: &str, p: impl crate::platform::db::Args) -> Result<Vec<Movement>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| {
        let form_no: Option<String> = r.get(13)?;
        Ok(Movement {
            id: r.get(0)?,
            at: r.get(1)?,
            user: r.get(2)?,
            kind: r.get(3)?,
            part_id: r.get(4)?,
            store_id: r.get(5)?,
            store_name: r.get(6)?,
            quantity: r.get(7)?,
            value_fen: r.get(8)?,
            reference: r.get(9)?,
            note: r.get(10)?,
            reverses: r.get(11)?,
            reversed_by: r.get(12)?,
            balance: 0,
            claim: match form_no {
                Some(form_no) => Some(Claim {
                    form_no,
                    reason: r.get(14)?,
                    status: r.get(15)?,
                    work_order: r.get(16)?,
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The movements just posted, each with the balance of its part and store now.
fn posted(desk: &Desk, ids: &[MovementId]) -> Result<Posted> {
    let conn = desk.conn();
    let mut out = Vec::new();
    for id in ids {
        let mut m = movements(conn, &format!("{MOVEMENT} WHERE m.id = ?1"), [id])?;
        if let Some(mut m) = m.pop() {
            m.balance = balance(conn, m.part_id, m.store_id)?.0;
            out.push(m);
        }
    }
    Ok(Posted { movements: out })
}

/// What the single-movement use cases check before anything is written: the part and the
/// store exist and the quantity is a whole number in range.
fn checked(desk: &Desk, part_id: PartId, store_id: StoreId, quantity: i64) -> Result<i64> {
    check_part(desk.conn(), part_id)?;
    parts::store(desk.conn(), store_id)?;
    positive(quantity)
}

/// Posts one movement in its own transaction. `signed` is +1 for units in, -1 for units
/// out; `value` gets the balance as it is inside the transaction and the quantity.
fn post_one(
    desk: &mut Desk,
    kind: MovementKind,
    (part_id, store_id, quantity): (PartId, StoreId, i64),
    signed: i64,
    value: impl FnOnce(&Db, (i64, i64), i64) -> Result<i64>,
    reference: &str,
    note: &str,
) -> Result<Posted> {
    let at = desk.stamp();
    let tx = desk.write()?;
    let value_fen = signed * value(&tx, balance(&tx, part_id, store_id)?, quantity)?;
    let m = Post {
        kind,
        part_id,
        store_id,
        quantity: signed * quantity,
        value_fen,
        reference,
        note,
        pair_id: None,
        reverses: None,
        stocktake_id: None,
    };
    let id = post(&tx, &m, &at)?;
    tx.commit()?;
    posted(desk, &[id])
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReceiveArgs {
    pub part_id: PartId,
    pub store_id: StoreId,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub supplier: String,
    pub note: String,
}

/// 入库: units in from a supplier at their cost.
pub fn receive(desk: &mut Desk, a: ReceiveArgs) -> Result<Posted> {
    let quantity = checked(desk, a.part_id, a.store_id, a.quantity)?;
    if !(0..=parts::MAX_MONEY_FEN).contains(&a.unit_cost_fen) {
        return Err(Error::invalid("unit_cost_fen", "单价应在0到1亿元之间"));
    }
    let supplier = text::field("supplier", "供应商", &a.supplier, 60, false)?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let cost = a.unit_cost_fen;
    let what = (a.part_id, a.store_id, quantity);
    post_one(
        desk,
        MovementKind::Receipt,
        what,
        1,
        |_, _, q| Ok(q * cost),
        &supplier,
        &note,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrderArgs {
    pub part_id: PartId,
    pub store_id: StoreId,
    pub quantity: i64,
    pub work_order: String,
    pub note: String,
}

/// 领料出库: units out to a work order at average cost.
pub fn issue(desk: &mut Desk, a: OrderArgs) -> Result<Posted> {
    let quantity = checked(desk, a.part_id, a.store_id, a.quantity)?;
    let work_order = text::field("work_order", "工单号", &a.work_order, 40, true)?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let what = (a.part_id, a.store_id, quantity);
    post_one(
        desk,
        MovementKind::Issue,
        what,
        -1,
        |_, bal, q| Ok(out_value(bal, q)),
        &work_order,
        &note,
    )
}

/// 退料: unused units back from a work order, at the average cost.
pub fn return_from_order(desk: &mut Desk, a: OrderArgs) -> Result<Posted> {
    let quantity = checked(desk, a.part_id, a.store_id, a.quantity)?;
    let work_order = text::field("work_order", "工单号", &a.work_order, 40, true)?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let (part_id, what) = (a.part_id, (a.part_id, a.store_id, quantity));
    let value = |tx: &Db, bal, q| Ok(q * in_unit_cost(tx, part_id, bal)?);
    post_one(
        desk,
        MovementKind::Return,
        what,
        1,
        value,
        &work_order,
        &note,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferArgs {
    pub part_id: PartId,
    pub from_store_id: StoreId,
    pub to_store_id: StoreId,
    pub quantity: i64,
    pub note: String,
}

/// 调拨: units from one store to another (e.g. loading a van), value and all.
pub fn transfer(desk: &mut Desk, a: TransferArgs) -> Result<Posted> {
    check_part(desk.conn(), a.part_id)?;
    // A missing store is named by its field; a database error stays one.
    let chosen = |id: StoreId, field: &'static str, message: &str| {
        parts::store(desk.conn(), id).map_err(|e| match e {
            Error::Invalid { .. } => Error::invalid(field, message),
            other => other,
        })
    };
    let from = chosen(a.from_store_id, "from_store_id", "请选择调出仓库")?;
    let to = chosen(a.to_store_id, "to_store_id", "请选择调入仓库")?;
    if from.id == to.id {
        return Err(Error::invalid("to_store_id", "调入仓库不能与调出仓库相同"));
    }
    let quantity = positive(a.quantity)?;
    let note = text::field("note", "备注", &a.note, 200, false)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let value = out_value(balance(&tx, a.part_id, from.id)?, quantity);
    let reference = format!("{} → {}", from.name, to.name);
    let mut m = Post {
        kind: MovementKind::TransferOut,
        part_id: a.part_id,
        store_id: from.id,
        quantity: -quantity,
        value_fen: -value,
        reference: &reference,
        note: &note,
        pair_id: None,
        reverses: None,
        stocktake_id: None,
    };
    let out = post(&tx, &m, &at)?;
    m.kind = MovementKind::TransferIn;
    m.store_id = to.id;
    m.quantity = quantity;
    m.value_fen = value;
    m.pair_id = Some(out);
    let into = post(&tx, &m, &at)?;
    tx.commit()?;
    posted(desk, &[out, into])
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DefectiveArgs {
    pub part_id: PartId,
    pub store_id: StoreId,
    pub quantity: i64,
    pub form_no: String,
    pub reason: String,
    /// The work order the defective unit came off (its number), for the brand's claim of
    /// that order; empty: none.
    pub work_order: String,
}

/// 返厂: defective units out to the factory with their nonconformity form; a claim opens.
/// Naming a work order ties the units to the in-warranty part used on it: no more units
/// than the order used of that part, less those already returned for it.
pub fn defective(desk: &mut Desk, a: DefectiveArgs) -> Result<Posted> {
    let quantity = checked(desk, a.part_id, a.store_id, a.quantity)?;
    let form_no = text::field("form_no", "不合格处理单号", &a.form_no, 40, true)?;
    let reason = text::field("reason", "不合格原因", &a.reason, 200, true)?;
    let work_order = text::field("work_order", "工单号", &a.work_order, 40, false)?;
    // The movement and its claim land together: not through post_one, which commits alone.
    let at = desk.stamp();
    let tx = desk.write()?;
    if !work_order.is_empty() {
        check_defective_of_order(&tx, &work_order, a.part_id, quantity)?;
    }
    let value = out_value(balance(&tx, a.part_id, a.store_id)?, quantity);
    let m = Post {
        kind: MovementKind::Defective,
        part_id: a.part_id,
        store_id: a.store_id,
        quantity: -quantity,
        value_fen: -value,
        reference: &form_no,
        note: &reason,
        pair_id: None,
        reverses: None,
        stocktake_id: None,
    };
    let id = post(&tx, &m, &at)?;
    tx.execute(
        "INSERT INTO defective_claim (movement_id, form_no, reason, status, updated_at, work_order)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, form_no, reason, ClaimStatus::Pending, at, work_order],
    )?;
    tx.commit()?;
    posted(desk, &[id])
}

/// A defective return naming `work_order`: the order exists and used at least `quantity`
/// more in-warranty units of the part than were already returned for it (reversed returns
/// left out). Read by SQL: the stock area stands below the orders area.
fn check_defective_of_order(
    tx: &Db,
    work_order: &str,
    part_id: PartId,
    quantity: i64,
) -> Result<()> {
    let order: Option<i64> = tx
        .query_row(
            "SELECT id FROM work_order WHERE number = ?1",
            [work_order],
            |r| r.get(0),
        )
        .optional()?;
    let Some(order) = order else {
        return Err(Error::invalid(
            "work_order",
            format!("没有工单号为 {work_order} 的工单"),
        ));
    };
    let used: i64 = tx.query_row(
        "SELECT coalesce(sum(quantity), 0) FROM order_part
         WHERE order_id = ?1 AND part_id = ?2 AND in_warranty = 1",
        params![order, part_id],
        |r| r.get(0),
    )?;
    let returned: i64 = tx.query_row(
        "SELECT coalesce(-sum(m.quantity), 0) FROM defective_claim c
         JOIN stock_movement m ON m.id = c.movement_id
         WHERE c.work_order = ?1 AND m.part_id = ?2
           AND NOT EXISTS (SELECT 1 FROM stock_movement r WHERE r.reverses = m.id)",
        params![work_order, part_id],
        |r| r.get(0),
    )?;
    if used == 0 {
        return Err(Error::invalid(
            "work_order",
            format!("工单 {work_order} 没有保内使用这个备件"),
        ));
    }
    if quantity > used - returned {
        return Err(Error::invalid(
            "quantity",
            format!(
                "工单 {work_order} 保内用了这个备件{used}件，已返厂{returned}件，最多还能返厂{}件",
                used - returned
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct ClaimArgs {
    pub movement_id: MovementId,
    pub status: String,
}

/// 索赔状态: pending → sent → settled, forward only; kept in the audit trail.
pub fn claim(desk: &mut Desk, a: ClaimArgs) -> Result<Claim> {
    let at = desk.stamp();
    let tx = desk.write()?;
    let current: Option<(String, String, ClaimStatus)> = tx
        .query_row(
            "SELECT form_no, reason, status FROM defective_claim WHERE movement_id = ?1",
            [a.movement_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((form_no, reason, status)) = current else {
        return Err(Error::NotFound(format!(
            "没有这条返厂记录（编号 {}）",
            a.movement_id
        )));
    };
    let to = match ClaimStatus::from_word(&a.status) {
        Some(to) if status.next() == Some(to) => to,
        None => return Err(Error::invalid("status", "索赔状态只能是“已寄出”或“已结算”")),
        Some(_) => {
            return Err(Error::invalid(
                "status",
                format!("索赔状态不能从“{status}”改为“{}”", a.status),
            ))
        }
    };
    tx.execute(
        "UPDATE defective_claim SET status = ?2, updated_at = ?3 WHERE movement_id = ?1",
        params![a.movement_id, to, at],
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "claim",
        "stock_movement",
        a.movement_id,
        &format!("不合格处理单 {form_no}：{status} → {}", a.status),
    )?;
    let work_order: String = tx.query_row(
        "SELECT work_order FROM defective_claim WHERE movement_id = ?1",
        [a.movement_id],
        |r| r.get(0),
    )?;
    tx.commit()?;
    Ok(Claim {
        form_no,
        reason,
        status: to,
        work_order,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReverseArgs {
    pub movement_id: MovementId,
    pub reason: String,
}

/// 冲销: puts a mistake right with the opposite movement (both halves of a transfer).
/// Units that went out come back at the value they left with; units that came in leave
/// at the average cost, so no balance is left with value but no units.
pub fn reverse(desk: &mut Desk, a: ReverseArgs) -> Result<Posted> {
    let reason = text::field("reason", "冲销原因", &a.reason, 200, true)?;
    let conn = desk.conn();
    let original = movements(
        conn,
        &format!("{MOVEMENT} WHERE m.id = ?1"),
        [a.movement_id],
    )?
    .pop()
    .ok_or_else(|| {
        Error::invalid(
            "movement_id",
            format!("没有这条出入库记录（编号 {}）", a.movement_id),
        )
    })?;
    if original.reverses.is_some() {
        return Err(Error::invalid("movement_id", "冲销记录不能再冲销"));
    }
    if original.kind == MovementKind::Adjustment {
        return Err(Error::invalid(
            "movement_id",
            "盘点调整不能冲销，请重新盘点",
        ));
    }
    // Both halves of a transfer, the incoming one first (it is the one that may be gone).
    let pair: Option<MovementId> = conn
        .query_row(
            "SELECT id FROM stock_movement WHERE pair_id = ?1 UNION SELECT pair_id FROM stock_movement WHERE id = ?1 AND pair_id IS NOT NULL",
            [a.movement_id],
            |r| r.get(0),
        )
        .optional()?;
    let mut targets = vec![original];
    if let Some(p) = pair {
        targets.extend(movements(
            conn,
            &format!("{MOVEMENT} WHERE m.id = ?1"),
            [p],
        )?);
    }
    targets.sort_by_key(|m| -m.quantity);
    if let Some(done) = targets.iter().find(|m| m.reversed_by.is_some()) {
        return Err(Error::invalid(
            "movement_id",
            format!(
                "这条记录已经冲销过了（冲销记录 {}）",
                done.reversed_by.map_or(0, MovementId::get)
            ),
        ));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    let mut ids = Vec::new();
    for m in &targets {
        let value = if m.quantity > 0 {
            -out_value(balance(&tx, m.part_id, m.store_id)?, m.quantity)
        } else {
            -m.value_fen
        };
        let note = format!("冲销 #{}：{reason}", m.id);
        ids.push(post(
            &tx,
            &Post {
                kind: MovementKind::Reversal,
                part_id: m.part_id,
                store_id: m.store_id,
                quantity: -m.quantity,
                value_fen: value,
                reference: &m.reference,
                note: &note,
                pair_id: None,
                reverses: Some(m.id),
                stocktake_id: None,
            },
            &at,
        )?);
    }
    tx.commit()?;
    posted(desk, &ids)
}

#[derive(Debug, Deserialize)]
pub struct LedgerArgs {
    pub part_id: PartId,
    #[serde(default)]
    pub store_id: Option<StoreId>,
}

#[derive(Debug, Serialize)]
pub struct Ledger {
    pub items: Vec<Movement>,
}

/// 备件台账: every movement of a part (in one store or all), oldest first, with the
/// running balance.
pub fn ledger(desk: &mut Desk, a: LedgerArgs) -> Result<Ledger> {
    let mut items = match a.store_id {
        Some(s) => movements(
            desk.conn(),
            &format!("{MOVEMENT} WHERE m.part_id = ?1 AND m.store_id = ?2 ORDER BY m.id"),
            params![a.part_id, s],
        )?,
        None => movements(
            desk.conn(),
            &format!("{MOVEMENT} WHERE m.part_id = ?1 ORDER BY m.id"),
            [a.part_id],
        )?,
    };
    let mut running = 0;
    for m in &mut items {
        running += m.quantity;
        m.balance = running;
    }
    Ok(Ledger { items })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportArgs {
    pub store_id: Option<StoreId>,
}

/// One part in the stock report: totals, and `[store_id, on_hand, value_fen]` per store
/// (compact arrays: the whole report of 10,000 parts in 6 stores is 60,000 of them).
#[derive(Debug, Serialize)]
pub struct ReportLine {
    pub part_id: PartId,
    pub code: String,
    pub name: String,
    pub on_hand: i64,
    pub avg_cost_fen: i64,
    pub value_fen: i64,
    pub stores: Vec<[i64; 3]>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub stores: Vec<parts::Store>,
    pub items: Vec<ReportLine>,
    pub total_value_fen: i64,
}

/// 库存报表: what is on hand per part (by code) and store, at moving-average value.
pub fn report(desk: &mut Desk, a: ReportArgs) -> Result<Report> {
    let stores = parts::stores(desk, parts::NoArgs {})?.items;
    let conn = desk.conn();
    // Read in code order from the part's code index, so nothing is sorted.
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.code, p.name, b.store_id, b.quantity, b.value_fen
         FROM part p JOIN stock_balance b ON b.part_id = p.id
         WHERE b.quantity > 0 AND (CAST(?1 AS BIGINT) IS NULL OR b.store_id = ?1) ORDER BY p.code, b.store_id",
    )?;
    let rows = stmt.query_map([a.store_id], |r| {
        Ok((
            r.get::<_, PartId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            (
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ),
        ))
    })?;
    let mut items: Vec<ReportLine> = Vec::new();
    for r in rows {
        let (part_id, code, name, (store_id, on_hand, value)) = r?;
        if items.last().map(|l| l.part_id) != Some(part_id) {
            items.push(ReportLine {
                part_id,
                code,
                name,
                on_hand: 0,
                avg_cost_fen: 0,
                value_fen: 0,
                stores: Vec::new(),
            });
        }
        if let Some(line) = items.last_mut() {
            line.on_hand += on_hand;
            line.value_fen += value;
            line.stores.push([store_id, on_hand, value]);
        }
    }
    for line in &mut items {
        line.avg_cost_fen = if line.on_hand > 0 {
            line.value_fen / line.on_hand
        } else {
            0
        };
    }
    let total_value_fen = items.iter().map(|l| l.value_fen).sum();
    Ok(Report {
        stores,
        items,
        total_value_fen,
    })
}

#[derive(Debug, Serialize)]
pub struct LowLine {
    pub part_id: PartId,
    pub code: String,
    pub name: String,
    pub on_hand: i64,
    pub min_stock: i64,
    pub shortage: i64,
}

#[derive(Debug, Serialize)]
pub struct LowList {
    pub items: Vec<LowLine>,
}

/// 低库存: parts whose stock over all stores is under their minimum.
pub fn low(desk: &mut Desk, _: parts::NoArgs) -> Result<LowList> {
    let mut stmt = desk.conn().prepare_cached(
        "SELECT p.id, p.code, p.name, coalesce(sum(b.quantity), 0) AS on_hand, p.min_stock
         FROM part p LEFT JOIN stock_balance b ON b.part_id = p.id
         WHERE p.min_stock > 0 GROUP BY p.id HAVING coalesce(sum(b.quantity), 0) < p.min_stock ORDER BY p.code",
    )?;
    let rows = stmt.query_map([], |r| {
        let on_hand: i64 = r.get(3)?;
        let min_stock: i64 = r.get(4)?;
        Ok(LowLine {
            part_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            on_hand,
            min_stock,
            shortage: min_stock - on_hand,
        })
    })?;
    Ok(LowList {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct SlowArgs {
    pub days: i64,
}

impl Default for SlowArgs {
    fn default() -> Self {
        SlowArgs { days: 180 }
    }
}

#[derive(Debug, Serialize)]
pub struct SlowLine {
    pub part_id: PartId,
    pub code: String,
    pub name: String,
    pub on_hand: i64,
    pub value_fen: i64,
    pub last_issue_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SlowList {
    pub items: Vec<SlowLine>,
}

/// 呆滞件: parts on hand that have not been issued for `days` days (or never).
pub fn slow(desk: &mut Desk, a: SlowArgs) -> Result<SlowList> {
    if !(1..=3650).contains(&a.days) {
        return Err(Error::invalid("days", "天数应在1到3650之间"));
    }
    let since = crate::platform::time::stamp(desk.now() - chrono::Duration::days(a.days));
    let mut stmt = desk.conn().prepare_cached(
        "SELECT p.id, p.code, p.name, sum(b.quantity) AS on_hand, sum(b.value_fen), max(b.last_issue_at) AS last
         FROM part p JOIN stock_balance b ON b.part_id = p.id
         GROUP BY p.id
         HAVING sum(b.quantity) > 0 AND (max(b.last_issue_at) IS NULL OR max(b.last_issue_at) < ?1)
         ORDER BY sum(b.value_fen) DESC",
    )?;
    let rows = stmt.query_map([since], |r| {
        Ok(SlowLine {
            part_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            on_hand: r.get(3)?,
            value_fen: r.get(4)?,
            last_issue_at: r.get(5)?,
        })
    })?;
    Ok(SlowList {
        items: rows.collect::<rusqlite::Result<_>>()?,
    })
}

/// `stock.purchase_request` arguments: `format` is `xlsx` (the default) or `pdf`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PurchaseRequestArgs {
    pub format: String,
}

/// One line of the purchase request: a part below its minimum and what to buy.
#[derive(Debug)]
pub struct PurchaseLine {
    pub part: parts::Part,
    pub on_hand: i64,
    pub min_stock: i64,
    /// Brings the stock back to twice the minimum (at least the shortage).
    pub suggested: i64,
    /// `suggested` × the catalogue cost.
    pub amount_fen: i64,
}

/// The purchase request's lines, from the low-stock list; computed once, written as a
/// workbook or a PDF.
pub fn purchase_lines(desk: &mut Desk) -> Result<Vec<PurchaseLine>> {
    let low = low(desk, parts::NoArgs {})?.items;
    let mut lines = Vec::with_capacity(low.len());
    for line in low {
        let part = parts::load(desk.conn(), line.part_id)?
            .ok_or_else(|| Error::NotFound(line.code.clone()))?;
        let suggested = (2 * line.min_stock - line.on_hand).max(line.shortage);
        lines.push(PurchaseLine {
            amount_fen: suggested * part.cost_fen,
            part,
            on_hand: line.on_hand,
            min_stock: line.min_stock,
            suggested,
        });
    }
    Ok(lines)
}

/// 采购申请: the low-stock list as a purchase request, an .xlsx workbook or an A4 PDF
/// to sign. Recorded in the audit trail.
pub fn purchase_request(
    desk: &mut Desk,
    a: PurchaseRequestArgs,
) -> Result<crate::platform::files::Exported> {
    use base64::Engine as _;
    let pdf = match a.format.as_str() {
        "" | "xlsx" => false,
        "pdf" => true,
        _ => {
            return Err(Error::invalid(
                "format",
                "采购申请只能生成 Excel（xlsx）或 PDF 文件",
            ))
        }
    };
    let lines = purchase_lines(desk)?;
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let today = crate::platform::dates::show(desk.today());
    let (bytes, unprintable) = if pdf {
        print::purchase_pdf(&lines, &today, desk.now())?
    } else {
        (print::purchase_xlsx(&lines, &today)?, Vec::new())
    };
    let ext = if pdf { "pdf" } else { "xlsx" };
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(
        &tx,
        &at,
        "purchase_request",
        "part",
        0,
        &format!(
            "生成采购申请（{}）：{} 种备件，约 {:.2} 元",
            ext.to_uppercase(),
            lines.len(),
            total as f64 / 100.0
        ),
    )?;
    tx.commit()?;
    Ok(crate::platform::files::Exported {
        file_name: format!("采购申请-{}.{ext}", today.replace('-', "")),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: lines.len(),
        unprintable,
    })
}
