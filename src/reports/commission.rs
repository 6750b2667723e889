//! 工程师提成 (issue 21): the commission rules and what they pay each engineer in a period.
//!
//! **Rules** are kept as sets, each with the local day it takes effect from
//! (`commission_rule_set.effective_from`) and one row per order kind and service mode
//! (`commission_rule`): an amount per visit, a share of the labour fee (工时费) and of the
//! parts sold (备件费) in basis points (1/100 of a percent), a bonus when the order was fixed
//! on the first visit, and deductions for a justified complaint and for a repeat repair
//! within 30 days. A kind and mode without a row pays and deducts nothing.
//!
//! **The past stays as computed** because a set never changes once its day has come: a new
//! set takes effect from today or later, and only a set not yet in force on an earlier day
//! (today's or a future one) is replaced by saving another with the same day. Commission is
//! not stored: it is recomputed from the records and the sets in force on each item's day,
//! which therefore gives every past period the figures it had (docs/DECISIONS.md says what
//! else can still move a past figure: a record changed after, e.g. an order reopened).
//!
//! **Items**, each dated by the local (UTC+8) day it belongs to and paid by the set in force
//! that day, for the order's kind and mode:
//! - an order completed in the period (cancelled ones left out) pays `visit_fen` for each
//!   visit to the engineer who made it (`order_visit`; an order without recorded visits —
//!   phone help completed without a start, or completed before migration 32 — one visit to
//!   its engineer), and to the engineer who completed it the shares of its labour and parts
//!   fee lines (rounded half up to the fen) and the first-visit bonus (started at most once,
//!   never waiting for parts, never reopened: the engineers report's first-visit fix; not
//!   for an order closed on a refused quote, nothing was repaired);
//! - a complaint judged justified (属实) in the period, naming an order and not against the
//!   company, deducts `complaint_fen` from the engineer it names, else the order's engineer,
//!   dated by its reply (the day it was judged);
//! - a repair order registered in the period (not cancelled) on a machine whose previous
//!   repair (completed, not cancelled, not a refused quote) was completed at most 30
//!   calendar days before, with no other repair registered in between, deducts
//!   `repeat_fen` from that earlier order's engineer, dated by the new order's day.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Line, Period, PeriodArgs};
use crate::orders::words::{FeeKind, Mode, OrderKind, OrderStatus};
use crate::platform::db::{Db, Optional};
use crate::platform::error::{Error, Result};
use crate::platform::time;
use crate::platform::{dates, money::yuan, text};
use crate::Desk;

crate::words! {
    /// What a commission item is for.
    pub enum Item("提成项目") {
        Visit = "visit", "按次提成";
        Labour = "labour", "工时提成";
        Parts = "parts", "配件提成";
        FirstFix = "first_fix", "一次修复奖";
        Complaint = "complaint", "投诉扣减";
        Repeat = "repeat", "返修扣减";
    }
}

/// The most per visit, bonus or deduction: ¥1,000 (a typing slip of zeros must not pay).
pub const MAX_AMOUNT_FEN: i64 = 100_000;
/// 100 %, in basis points.
pub const MAX_BP: i64 = 10_000;
/// A repair this many calendar days or fewer after the last one is a repeat repair.
pub const REPEAT_DAYS: i64 = 30;
/// How far ahead a set may be dated.
const MAX_AHEAD_DAYS: i64 = 366;

/// One kind and mode's rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Rule {
    pub kind: String,
    pub mode: String,
    pub visit_fen: i64,
    pub labour_bp: i64,
    pub parts_bp: i64,
    pub first_fix_fen: i64,
    pub complaint_fen: i64,
    pub repeat_fen: i64,
}

impl Rule {
    fn is_zero(&self) -> bool {
        [
            self.visit_fen,
            self.labour_bp,
            self.parts_bp,
            self.first_fix_fen,
            self.complaint_fen,
            self.repeat_fen,
        ]
        .iter()
        .all(|v| *v == 0)
    }
}

/// A rule set with the day it takes effect from.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub id: i64,
    pub effective_from: String,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    /// In force today (the latest set whose day has come).
    pub in_force: bool,
    /// Its day has not come yet: it may still be replaced.
    pub future: bool,
    /// Every kind and mode, in the desk's order (zeros where the set has no row).
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
pub struct RuleSets {
    pub today: String,
    /// Newest first.
    pub sets: Vec<RuleSet>,
    pub kinds: Vec<Word>,
    pub modes: Vec<Word>,
}

#[derive(Debug, Serialize)]
pub struct Word {
    pub word: &'static str,
    pub label: &'static str,
}

fn every_pair() -> impl Iterator<Item = (OrderKind, Mode)> {
    OrderKind::ALL
        .iter()
        .flat_map(|k| Mode::ALL.iter().map(move |m| (*k, *m)))
}

/// Every set with its rules, oldest first.
fn load_sets(conn: &Db) -> Result<Vec<(NaiveDate, RuleSet)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, effective_from, note, created_at, created_by FROM commission_rule_set
         ORDER BY effective_from",
    )?;
    let heads = stmt
        .query_map([], |r| {
            Ok(RuleSet {
                id: r.get(0)?,
                effective_from: r.get(1)?,
                note: r.get(2)?,
                created_at: r.get(3)?,
                created_by: r.get(4)?,
                in_force: false,
                future: false,
                rules: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut rows: HashMap<i64, Vec<Rule>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT set_id, kind, mode, visit_fen, labour_bp, parts_bp, first_fix_fen, complaint_fen,
                repeat_fen
         FROM commission_rule ORDER BY set_id, id",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            Rule {
                kind: r.get(1)?,
                mode: r.get(2)?,
                visit_fen: r.get(3)?,
                labour_bp: r.get(4)?,
                parts_bp: r.get(5)?,
                first_fix_fen: r.get(6)?,
                complaint_fen: r.get(7)?,
                repeat_fen: r.get(8)?,
            },
        ))
    })? {
        let (set, rule) = row?;
        rows.entry(set).or_default().push(rule);
    }
    let mut out = Vec::new();
    for mut set in heads {
        let day = dates::parse(&set.effective_from).ok_or_else(|| {
            Error::Storage(format!(
                "提成规则 {} 的生效日期不是日期：{}",
                set.id, set.effective_from
            ))
        })?;
        let stored = rows.remove(&set.id).unwrap_or_default();
        set.rules = every_pair()
            .map(|(k, m)| {
                stored
                    .iter()
                    .find(|r| r.kind == k.as_str() && r.mode == m.as_str())
                    .cloned()
                    .unwrap_or(Rule {
                        kind: k.as_str().into(),
                        mode: m.as_str().into(),
                        ..Rule::default()
                    })
            })
            .collect();
        out.push((day, set));
    }
    Ok(out)
}

/// The sets in force over time (the one for a day is the latest taking effect by then),
/// and the engineers' names by id, read once (a handful of rows: a join per order cost a
/// lookup each).
struct Book {
    sets: Vec<(NaiveDate, RuleSet)>,
    engineers: HashMap<i64, String>,
}

impl Book {
    fn load(conn: &Db) -> Result<Book> {
        let mut stmt = conn.prepare_cached("SELECT id, name FROM engineer")?;
        let engineers = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<i64, String>>>()?;
        Ok(Book {
            sets: load_sets(conn)?,
            engineers,
        })
    }

    /// The rule for an order of this kind and mode on `day`, with the day its set took
    /// effect from.
    fn rule(&self, day: NaiveDate, kind: &str, mode: &str) -> Option<(NaiveDate, &Rule)> {
        let (from, set) = self.sets.iter().rev().find(|(from, _)| *from <= day)?;
        set.rules
            .iter()
            .find(|r| r.kind == kind && r.mode == mode && !r.is_zero())
            .map(|r| (*from, r))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoArgs {}

/// 提成规则: every set, newest first, with the words of the kinds and modes.
pub fn rules(desk: &mut Desk, _a: NoArgs) -> Result<RuleSets> {
    let today = desk.today();
    let mut sets = load_sets(desk.conn())?;
    let in_force = sets
        .iter()
        .rev()
        .find(|(d, _)| *d <= today)
        .map(|(_, s)| s.id);
    for (day, s) in &mut sets {
        s.in_force = Some(s.id) == in_force;
        s.future = *day > today;
    }
    Ok(RuleSets {
        today: dates::show(today),
        sets: sets.into_iter().rev().map(|(_, s)| s).collect(),
        kinds: OrderKind::ALL
            .iter()
            .map(|k| Word {
                word: k.as_str(),
                label: k.label(),
            })
            .collect(),
        modes: Mode::ALL
            .iter()
            .map(|m| Word {
                word: m.as_str(),
                label: m.label(),
            })
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveArgs {
    /// `YYYY-MM-DD`: from today (the desk's day) to a year on.
    pub effective_from: String,
    pub note: String,
    pub rules: Vec<Rule>,
}

/// The rules as typed, checked: every refusal names `rules` and the row.
fn checked(typed: &[Rule]) -> Result<Vec<(OrderKind, Mode, Rule)>> {
    let max = OrderKind::ALL.len() * Mode::ALL.len();
    if typed.len() > max {
        return Err(Error::invalid(
            "rules",
            format!("提成规则最多 {max} 行（每种服务类型和服务方式一行）"),
        ));
    }
    let mut out: Vec<(OrderKind, Mode, Rule)> = Vec::new();
    for (i, r) in typed.iter().enumerate() {
        let n = i + 1;
        let kind = OrderKind::from_word(&r.kind).ok_or_else(|| {
            Error::invalid(
                "rules",
                format!(
                    "第{n}行服务类型只能是：{}",
                    OrderKind::labels(OrderKind::ALL)
                ),
            )
        })?;
        let mode = Mode::from_word(&r.mode).ok_or_else(|| {
            Error::invalid(
                "rules",
                format!("第{n}行服务方式只能是：{}", Mode::labels(Mode::ALL)),
            )
        })?;
        let row = format!("第{n}行（{}·{}）", kind.label(), mode.label());
        if out.iter().any(|(k, m, _)| *k == kind && *m == mode) {
            return Err(Error::invalid(
                "rules",
                format!("{row}重复：每种服务类型和服务方式只能有一行"),
            ));
        }
        for (label, fen) in [
            ("按次提成", r.visit_fen),
            ("一次修复奖", r.first_fix_fen),
            ("投诉扣减", r.complaint_fen),
            ("返修扣减", r.repeat_fen),
        ] {
            if !(0..=MAX_AMOUNT_FEN).contains(&fen) {
                return Err(Error::invalid(
                    "rules",
                    format!("{row}{label}应在 ¥0.00 到 {} 之间", yuan(MAX_AMOUNT_FEN)),
                ));
            }
        }
        for (label, bp) in [
            ("工时费提成比例", r.labour_bp),
            ("配件提成比例", r.parts_bp),
        ] {
            if !(0..=MAX_BP).contains(&bp) {
                return Err(Error::invalid(
                    "rules",
                    format!("{row}{label}应在 0% 到 100% 之间"),
                ));
            }
        }
        let rule = Rule {
            kind: kind.as_str().into(),
            mode: mode.as_str().into(),
            ..r.clone()
        };
        out.push((kind, mode, rule));
    }
    Ok(out)
}

/// 保存提成规则: a new set from its day on (today or later). A set with the same day
/// whose day has not passed is replaced; one in force on an earlier day never is, so what
/// was paid by it stays as it was.
pub fn save_rules(desk: &mut Desk, a: SaveArgs) -> Result<RuleSets> {
    let today = desk.today();
    let day = dates::field("effective_from", "生效日期", Some(&a.effective_from))?
        .ok_or_else(|| Error::invalid("effective_from", "请填写生效日期"))?;
    if day < today {
        return Err(Error::invalid(
            "effective_from",
            format!(
                "生效日期不能早于今天（{}）：已经算出的提成按当时的规则，不再改变",
                dates::show(today)
            ),
        ));
    }
    if day > today + Duration::days(MAX_AHEAD_DAYS) {
        return Err(Error::invalid("effective_from", "生效日期最多在一年之后"));
    }
    let note = text::field("note", "说明", &a.note, 200, false)?;
    let rules = checked(&a.rules)?;
    let at = desk.stamp();
    let from = dates::show(day);
    let tx = desk.write()?;
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM commission_rule_set WHERE effective_from = ?1")?
        .query_row([&from], |r| r.get(0))
        .optional()?;
    let set_id = match existing {
        Some(id) => {
            tx.prepare_cached("DELETE FROM commission_rule WHERE set_id = ?1")?
                .execute([id])?;
            tx.prepare_cached(
                "UPDATE commission_rule_set SET note = ?2, created_at = ?3, created_by = desk_user()
                 WHERE id = ?1",
            )?
            .execute(params![id, note, at])?;
            id
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO commission_rule_set (effective_from, note, created_at, created_by)
                 VALUES (?1, ?2, ?3, desk_user())",
            )?
            .execute(params![from, note, at])?;
            tx.last_insert_rowid()?
        }
    };
    let mut described = Vec::new();
    for (kind, mode, r) in rules.iter().filter(|(_, _, r)| !r.is_zero()) {
        tx.prepare_cached(
            "INSERT INTO commission_rule (set_id, kind, mode, visit_fen, labour_bp, parts_bp,
                 first_fix_fen, complaint_fen, repeat_fen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            set_id,
            kind,
            mode,
            r.visit_fen,
            r.labour_bp,
            r.parts_bp,
            r.first_fix_fen,
            r.complaint_fen,
            r.repeat_fen
        ])?;
        described.push(format!(
            "{}·{}：每次{}，工时{}，配件{}，一次修复{}，投诉-{}，返修-{}",
            kind.label(),
            mode.label(),
            yuan(r.visit_fen),
            percent(r.labour_bp),
            percent(r.parts_bp),
            yuan(r.first_fix_fen),
            yuan(r.complaint_fen),
            yuan(r.repeat_fen)
        ));
    }
    let verb = if existing.is_some() {
        "替换"
    } else {
        "新增"
    };
    let detail = if described.is_empty() {
        format!("{verb}提成规则，{from}起生效：不计提成")
    } else {
        format!("{verb}提成规则，{from}起生效：{}", described.join("；"))
    };
    crate::people::audit::record(
        &tx,
        &at,
        "commission_rules_saved",
        "commission_rule_set",
        set_id,
        &detail,
    )?;
    tx.commit()?;
    rules_of(desk)
}

fn rules_of(desk: &mut Desk) -> Result<RuleSets> {
    rules(desk, NoArgs {})
}

/// Basis points as a percent for people: 550 → 5.5%.
fn percent(bp: i64) -> String {
    let whole = bp / 100;
    let rest = bp % 100;
    match rest {
        0 => format!("{whole}%"),
        r if r % 10 == 0 => format!("{whole}.{}%", r / 10),
        r => format!("{whole}.{r:02}%"),
    }
}

/// `fen × bp / 10000`, half up (amounts are never negative).
fn share(fen: i64, bp: i64) -> i64 {
    (fen * bp + MAX_BP / 2) / MAX_BP
}

/// One item of commission.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    pub engineer_id: i64,
    pub engineer: String,
    pub order_id: i64,
    pub number: String,
    /// The local day it belongs to (`YYYY-MM-DD` in JSON).
    pub day: NaiveDate,
    pub item: Item,
    pub item_label: &'static str,
    /// Negative for a deduction.
    pub amount_fen: i64,
    /// The day the set that paid it took effect from (`YYYY-MM-DD` in JSON).
    pub rule_from: NaiveDate,
    /// What it was paid for: visits, the fee and share, the complaint or the new order.
    pub note: String,
}

fn local_day(utc: &str) -> Option<NaiveDate> {
    time::parse(utc).map(|t| t.with_timezone(&time::zone()).date_naive())
}

/// Every item of the period; `notes`: with the orders' numbers and how each was worked out,
/// sorted by day, engineer and order (the items' list shows them; the report's sums need
/// neither, and without them every read below is answered by an index alone: migration 33).
pub(crate) fn entries(conn: &Db, p: &Period, notes: bool) -> Result<Vec<Entry>> {
    let book = Book::load(conn)?;
    let mut out = Vec::new();
    if book.sets.is_empty() {
        return Ok(out);
    }
    earned(conn, p, &book, notes, &mut out)?;
    complained(conn, p, &book, &mut out)?;
    repeated(conn, p, &book, notes, &mut out)?;
    if notes {
        // The items' list reads by day; the report's sums need no order.
        out.sort_by(|a, b| {
            (&a.day, &a.engineer, a.order_id, a.item as u8).cmp(&(
                &b.day,
                &b.engineer,
                b.order_id,
                b.item as u8,
            ))
        });
    }
    Ok(out)
}

/// The orders closed on a refused quote never approved (保外报价): nothing was repaired.
/// Quotes are few beside orders: the whole table is read once.
fn refused_only(conn: &Db) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT q.order_id FROM quote q WHERE q.decision = 'refused'
           AND NOT EXISTS (SELECT 1 FROM quote a WHERE a.order_id = q.order_id AND a.decision = 'approved')",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<HashSet<_>>>()?;
    Ok(ids)
}

fn earned(conn: &Db, p: &Period, book: &Book, notes: bool, out: &mut Vec<Entry>) -> Result<()> {
    let cancelled = OrderStatus::Cancelled;
    let (labour, parts) = (FeeKind::Labour, FeeKind::Parts);
    // Each read is one pass over the period's completed orders (through the completion
    // index), never a query per order: a month of a chain's orders is tens of thousands.
    let number = if notes { "o.number" } else { "''" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.id, {number}, o.kind, o.mode, o.engineer_id, o.completed_at,
                CASE WHEN o.starts <= 1 AND o.setbacks = 0 THEN 1 ELSE 0 END
         FROM work_order o
         WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.status <> '{cancelled}'
           AND o.engineer_id IS NOT NULL
         ORDER BY o.id"
    ))?;
    struct Done {
        id: i64,
        number: String,
        kind: String,
        mode: String,
        engineer_id: i64,
        engineer: String,
        completed_at: String,
        first_fix: bool,
        labour_fen: i64,
        parts_fen: i64,
    }
    let mut done = Vec::new();
    for row in stmt.query_map(params![p.start, p.end], |r| {
        Ok(Done {
            id: r.get(0)?,
            number: r.get(1)?,
            kind: r.get(2)?,
            mode: r.get(3)?,
            engineer_id: r.get(4)?,
            engineer: String::new(),
            completed_at: r.get(5)?,
            first_fix: r.get::<_, i64>(6)? == 1,
            labour_fen: 0,
            parts_fen: 0,
        })
    })? {
        let mut o = row?;
        // An order whose engineer row is gone pays no one (as the join it replaces).
        let Some(name) = book.engineers.get(&o.engineer_id) else {
            continue;
        };
        // Names for the items' list; the report's lines name engineers by id.
        if notes {
            o.engineer.clone_from(name);
        }
        done.push(o);
    }
    let mut fees: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT f.order_id, f.kind, sum(f.amount_fen)
         FROM fee_line f JOIN work_order o ON o.id = f.order_id
         WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.status <> '{cancelled}'
           AND f.kind IN ('{labour}', '{parts}')
         GROUP BY f.order_id, f.kind"
    ))?;
    for row in stmt.query_map(params![p.start, p.end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (order, kind, fen) = row?;
        let sums = fees.entry(order).or_default();
        if kind == labour.as_str() {
            sums.0 += fen;
        } else {
            sums.1 += fen;
        }
    }
    let refused = refused_only(conn)?;
    for o in &mut done {
        if let Some((l, parts)) = fees.get(&o.id) {
            o.labour_fen = *l;
            o.parts_fen = *parts;
        }
        if refused.contains(&o.id) {
            o.first_fix = false;
        }
    }
    // The visits of those orders, by who made them.
    let mut visits: HashMap<i64, Vec<(i64, String, i64)>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT v.order_id, v.engineer_id, g.name, count(*)
         FROM order_visit v JOIN work_order o ON o.id = v.order_id JOIN engineer g ON g.id = v.engineer_id
         WHERE o.completed_at >= ?1 AND o.completed_at < ?2 AND o.status <> '{cancelled}'
         GROUP BY v.order_id, v.engineer_id, g.name ORDER BY v.order_id, min(v.id)"
    ))?;
    for row in stmt.query_map(params![p.start, p.end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })? {
        let (order, engineer, name, n) = row?;
        visits.entry(order).or_default().push((engineer, name, n));
    }
    for o in done {
        let Some(day) = local_day(&o.completed_at) else {
            continue;
        };
        let Some((from, rule)) = book.rule(day, &o.kind, &o.mode) else {
            continue;
        };
        let entry = |engineer_id: i64, engineer: &str, item: Item, fen: i64, note: String| Entry {
            engineer_id,
            engineer: if notes {
                engineer.to_string()
            } else {
                String::new()
            },
            order_id: o.id,
            number: o.number.clone(),
            day,
            item,
            item_label: item.label(),
            amount_fen: fen,
            rule_from: from,
            note,
        };
        let made = visits
            .remove(&o.id)
            .unwrap_or_else(|| vec![(o.engineer_id, o.engineer.clone(), 1)]);
        if rule.visit_fen > 0 {
            for (engineer_id, name, n) in made {
                out.push(entry(
                    engineer_id,
                    &name,
                    Item::Visit,
                    rule.visit_fen * n,
                    if notes {
                        format!("{n} 次 × {}", yuan(rule.visit_fen))
                    } else {
                        String::new()
                    },
                ));
            }
        }
        for (item, fen, bp, what) in [
            (Item::Labour, o.labour_fen, rule.labour_bp, "工时费"),
            (Item::Parts, o.parts_fen, rule.parts_bp, "备件费"),
        ] {
            let amount = share(fen, bp);
            if amount > 0 {
                out.push(entry(
                    o.engineer_id,
                    &o.engineer,
                    item,
                    amount,
                    if notes {
                        format!("{what} {} × {}", yuan(fen), percent(bp))
                    } else {
                        String::new()
                    },
                ));
            }
        }
        if o.first_fix && rule.first_fix_fen > 0 {
            out.push(entry(
                o.engineer_id,
                &o.engineer,
                Item::FirstFix,
                rule.first_fix_fen,
                if notes {
                    "一次上门修复".into()
                } else {
                    String::new()
                },
            ));
        }
    }
    Ok(())
}

fn complained(conn: &Db, p: &Period, book: &Book, out: &mut Vec<Entry>) -> Result<()> {
    use crate::followup::words::Against;
    let company = Against::Company;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.id, o.number, o.kind, o.mode, g.id, g.name, k.replied_at, k.number
         FROM complaint k JOIN work_order o ON o.id = k.order_id
              JOIN engineer g ON g.id = coalesce(k.engineer_id, o.engineer_id)
         WHERE k.replied_at >= ?1 AND k.replied_at < ?2 AND k.justified = 1
           AND k.against <> '{company}'
         ORDER BY k.id"
    ))?;
    let rows = stmt
        .query_map(params![p.start, p.end], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (order_id, number, kind, mode, engineer_id, engineer, replied, complaint) in rows {
        let Some(day) = local_day(&replied) else {
            continue;
        };
        let Some((from, rule)) = book.rule(day, &kind, &mode) else {
            continue;
        };
        if rule.complaint_fen > 0 {
            out.push(Entry {
                engineer_id,
                engineer,
                order_id,
                number,
                day,
                item: Item::Complaint,
                item_label: Item::Complaint.label(),
                amount_fen: -rule.complaint_fen,
                rule_from: from,
                note: format!("投诉 {complaint} 属实"),
            });
        }
    }
    Ok(())
}

/// An order's number (the repeat items name two; the scans leave numbers out so that the
/// indexes answer them alone).
fn number_of(conn: &Db, id: i64) -> Result<String> {
    let mut stmt = conn.prepare_cached("SELECT number FROM work_order WHERE id = ?1")?;
    Ok(stmt.query_row(params![id], |r| r.get(0))?)
}

/// A repair order on a machine, as the repeat rule reads it.
struct Repair {
    id: i64,
    equipment: i64,
    kind: String,
    mode: String,
    engineer: Option<(i64, String)>,
    created_at: String,
    completed_at: Option<String>,
}

fn repeated(conn: &Db, p: &Period, book: &Book, notes: bool, out: &mut Vec<Entry>) -> Result<()> {
    let (repair, cancelled) = (OrderKind::Repair, OrderStatus::Cancelled);
    // Everything the rule can look at is within the period and the 30 days before it: the
    // earlier repair was completed at most 30 local days before the new one, and a repair
    // registered between the two was registered after that completion. So the repairs
    // registered or completed since then are read once (through the creation and the
    // completion indexes), and matched here.
    let (from, _) = p.dates();
    let since = String::from(time::stamp(time::midnight(
        from - Duration::days(REPEAT_DAYS + 1),
    )));
    let mut repairs: BTreeMap<i64, Repair> = BTreeMap::new();
    // Registered in the window; then completed in it but registered before (the rest of
    // those completed in it were read by the first).
    for window in [
        "o.created_at >= ?1 AND o.created_at < ?2",
        "o.completed_at >= ?1 AND o.completed_at < ?2 AND o.created_at < ?1",
    ] {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT o.id, o.equipment_id, o.kind, o.mode, o.engineer_id,
                    o.created_at, o.completed_at
             FROM work_order o
             WHERE {window} AND o.kind = '{repair}'
               AND o.status <> '{cancelled}' AND o.equipment_id IS NOT NULL"
        ))?;
        for row in stmt.query_map(params![since, p.end], |r| {
            let engineer = r
                .get::<_, Option<i64>>(4)?
                .and_then(|id| book.engineers.get(&id).map(|name| (id, name.clone())));
            Ok(Repair {
                id: r.get(0)?,
                equipment: r.get(1)?,
                kind: r.get(2)?,
                mode: r.get(3)?,
                engineer,
                created_at: r.get(5)?,
                completed_at: r.get(6)?,
            })
        })? {
            let r = row?;
            repairs.entry(r.id).or_insert(r);
        }
    }
    let mut by_machine: HashMap<i64, Vec<&Repair>> = HashMap::new();
    for r in repairs.values() {
        by_machine.entry(r.equipment).or_default().push(r);
    }
    let refused = refused_only(conn)?;
    for new in repairs.values() {
        if new.created_at.as_str() < p.start.as_str() || new.created_at.as_str() >= p.end.as_str() {
            continue;
        }
        let same = &by_machine[&new.equipment];
        // The machine's repair completed last before the new order was registered.
        let earlier = same
            .iter()
            .filter(|a| a.id != new.id && a.engineer.is_some() && !refused.contains(&a.id))
            .filter_map(|a| {
                a.completed_at
                    .as_deref()
                    .filter(|c| *c < new.created_at.as_str())
                    .map(|c| (c, a))
            })
            .max_by(|x, y| x.0.cmp(y.0).then(x.1.id.cmp(&y.1.id)));
        let Some((completed, a)) = earlier else {
            continue;
        };
        // Another repair registered between the two was the repeat, not this one.
        if same.iter().any(|m| {
            m.id != new.id
                && m.created_at.as_str() > completed
                && m.created_at.as_str() < new.created_at.as_str()
        }) {
            continue;
        }
        let (Some(done), Some(day)) = (local_day(completed), local_day(&new.created_at)) else {
            continue;
        };
        if (day - done).num_days() > REPEAT_DAYS {
            continue;
        }
        let Some((from, rule)) = book.rule(day, &a.kind, &a.mode) else {
            continue;
        };
        let Some((engineer_id, engineer)) = a.engineer.clone() else {
            continue;
        };
        if rule.repeat_fen > 0 {
            let (number, note) = if notes {
                (
                    number_of(conn, a.id)?,
                    format!(
                        "{} 完工后第 {} 天同一设备再报修（{}）",
                        dates::show(done),
                        (day - done).num_days(),
                        number_of(conn, new.id)?
                    ),
                )
            } else {
                (String::new(), String::new())
            };
            out.push(Entry {
                engineer_id,
                engineer,
                order_id: a.id,
                number,
                day,
                item: Item::Repeat,
                item_label: Item::Repeat.label(),
                amount_fen: -rule.repeat_fen,
                rule_from: from,
                note,
            });
        }
    }
    Ok(())
}

/// The report's lines: one per engineer (orders paid, then each item in yuan, the total),
/// most paid first, and 合计.
pub(crate) fn report(conn: &Db, p: &Period) -> Result<Vec<Line>> {
    let all = entries(conn, p, false)?;
    // The orders paid as sets: a month of a chain is tens of thousands of orders (a list
    // searched per item made the report quadratic: 2.3 s at 3,000,000 orders).
    let names = Book::load(conn)?.engineers;
    let mut by: BTreeMap<i64, (String, HashSet<i64>, [i64; 6])> = BTreeMap::new();
    for e in &all {
        let (_, orders, sums) = by.entry(e.engineer_id).or_insert_with(|| {
            let name = names.get(&e.engineer_id).cloned();
            (name.unwrap_or_default(), HashSet::new(), [0; 6])
        });
        if e.amount_fen > 0 {
            orders.insert(e.order_id);
        }
        sums[e.item as usize] += e.amount_fen;
    }
    let line = |key: String, label: String, orders: usize, sums: &[i64; 6]| {
        let mut values = vec![orders as f64];
        values.extend(sums.iter().map(|f| *f as f64 / 100.0));
        values.push(sums.iter().sum::<i64>() as f64 / 100.0);
        Line { key, label, values }
    };
    let mut lines: Vec<(i64, Line)> = by
        .iter()
        .map(|(id, (name, orders, sums))| {
            (
                sums.iter().sum::<i64>(),
                line(id.to_string(), name.clone(), orders.len(), sums),
            )
        })
        .collect();
    lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.label.cmp(&b.1.label)));
    let mut out: Vec<Line> = lines.into_iter().map(|(_, l)| l).collect();
    if !out.is_empty() {
        let mut sums = [0i64; 6];
        let mut orders: HashSet<i64> = HashSet::new();
        for e in &all {
            sums[e.item as usize] += e.amount_fen;
            if e.amount_fen > 0 {
                orders.insert(e.order_id);
            }
        }
        out.push(line("total".into(), "合计".into(), orders.len(), &sums));
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailArgs {
    /// An engineer's id; absent or 0: every engineer.
    pub engineer_id: i64,
    #[serde(flatten)]
    pub period: PeriodArgs,
}

/// The most items a list carries (a screen's worth; the sums cover them all).
pub const MAX_ITEMS: usize = 2000;

#[derive(Debug, Serialize)]
pub struct Detail {
    pub period: Period,
    /// The first [`MAX_ITEMS`], by day.
    pub items: Vec<Entry>,
    /// How many there are in all.
    pub count: usize,
    /// Over all of them, not only those listed.
    pub total_fen: i64,
    /// Some were left out of `items`.
    pub more: bool,
}

/// 提成明细: the items of a period behind an engineer's figure (or everyone's), each naming
/// its order, what it is for and the set that paid it.
pub fn detail(desk: &mut Desk, a: DetailArgs) -> Result<Detail> {
    let p = super::period(desk, &a.period)?;
    if a.engineer_id != 0
        && crate::orders::engineers::load(
            desk.conn(),
            crate::orders::engineers::EngineerId(a.engineer_id),
        )?
        .is_none()
    {
        return Err(Error::invalid("engineer_id", "没有这位工程师"));
    }
    let mut items = entries(desk.conn(), &p, true)?;
    if a.engineer_id != 0 {
        items.retain(|e| e.engineer_id == a.engineer_id);
    }
    let (count, total_fen) = (items.len(), items.iter().map(|e| e.amount_fen).sum());
    items.truncate(MAX_ITEMS);
    Ok(Detail {
        more: count > items.len(),
        count,
        total_fen,
        items,
        period: p,
    })
}

/// The orders behind an engineer's commission in the period (`key`: engineer id or
/// `total`), as an SQL condition on `o` listing their ids.
pub(crate) fn orders_of(conn: &Db, p: &Period, key: &str) -> Result<String> {
    let engineer: Option<i64> = match key {
        "total" => None,
        k => Some(
            k.parse()
                .map_err(|_| Error::invalid("key", "没有这位工程师"))?,
        ),
    };
    let mut ids: Vec<i64> = entries(conn, p, false)?
        .into_iter()
        .filter(|e| engineer.is_none_or(|g| g == e.engineer_id))
        .map(|e| e.order_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok("WHERE 1 = 0".into());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    Ok(format!("WHERE o.id IN ({})", list.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_to_the_fen() {
        assert_eq!(share(12_345, 550), 679); // 678.975
        assert_eq!(share(100, 50), 1); // 0.5 fen
        assert_eq!(share(100, 49), 0);
        assert_eq!(share(0, 10_000), 0);
        assert_eq!(share(10_000, 10_000), 10_000);
    }

    #[test]
    fn percents_read_as_people_write_them() {
        assert_eq!(percent(550), "5.5%");
        assert_eq!(percent(1000), "10%");
        assert_eq!(percent(1234), "12.34%");
        assert_eq!(percent(5), "0.05%");
    }

    #[test]
    fn every_item_has_its_column() {
        // The report's columns follow `Item`'s order (sums indexed by `item as usize`).
        assert_eq!(Item::ALL.len(), 6);
        for (i, item) in Item::ALL.iter().enumerate() {
            assert_eq!(*item as usize, i);
        }
    }
}
