//! 三包 (issue 21): what a machine of a covered model is entitled to on a given day —
//! 退货 (return), 换货 (exchange), 修理 (repair) or nothing — with the rule and its dates
//! in a sentence. The rules and their sources are in docs/DECISIONS.md ("三包"); in short:
//!
//! - the 三包 period (三包有效期) runs from the purchase (invoice) date for the model's
//!   whole-machine warranty months, whatever the policy's basis, and is extended by every
//!   day the machine spent in a repair registered within it (修理占用和无零配件待修的时间);
//! - within 7 days of the purchase a performance fault may be returned (第九条), within 15
//!   days exchanged (第十条); the 7th and 15th days are moved to the next working day of
//!   the desk's calendar when they fall on a rest day (民法典 第二百零三条);
//! - within the period: a repair still open past 30 days of the repairer's own time, or
//!   past 90 days from 送修 while it waited for parts, entitles an exchange; so does a fault
//!   category already repaired twice (第十一条); otherwise the machine is repaired free;
//! - after the period, a repair carries its own warranty of the desk's
//!   `repair_warranty_days` (90 by default) from the day it was completed.
//!
//! The verdict is computed, never stored on the machine: it changes with the day and the
//! machine's orders. An order keeps the verdict it had at intake (work_order.sanbao_*).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::equipment::{Equipment, EquipmentId};
use super::warranty::end_of;
use super::warranty::Policy;
use crate::people::calendar::Calendar;
use crate::platform::dates::show;
use crate::platform::db::Db;
use crate::platform::error::Result;
use crate::platform::time;

crate::words! {
    /// 三包处理: what the customer may ask for on the day of the verdict.
    pub enum Remedy("三包处理") {
        Return = "return", "退货";
        Exchange = "exchange", "换货";
        Repair = "repair", "修理";
        None = "none", "不适用";
    }
}

/// The 三包 part of a warranty verdict (`warranty.sanbao`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sanbao {
    pub remedy: Remedy,
    /// The last day the remedy may be asked for (`YYYY-MM-DD`); none with `none`.
    pub until: Option<String>,
    /// The rule and the dates, as the clerk reads it out.
    pub reason: String,
    /// The 三包 period's last day with the days in repair added; none when it cannot be
    /// computed (no purchase date, no whole-machine policy).
    pub end: Option<String>,
}

/// One repair order of the machine, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub number: String,
    /// Local day the order was registered (送修).
    pub registered: NaiveDate,
    /// Local day it was completed; none while it is open.
    pub completed: Option<NaiveDate>,
    /// The order's fault category (故障分类); "" when it was not classified.
    pub fault_category: String,
    /// Days the order stood paused waiting for parts (whole local days, all pauses).
    pub parts_days: i64,
}

/// What the rules need to know of a machine.
pub struct Facts<'a> {
    pub purchase: Option<NaiveDate>,
    /// The model's whole-machine warranty months; none: no policy.
    pub months: Option<u32>,
    /// The machine's repair orders (cancelled ones left out), any order.
    pub repairs: &'a [Repair],
    /// The warranty of a repair, in days from its completion (setting `repair_warranty_days`).
    pub part_days: u32,
    /// The fault category reported now (a new order's), when known: the same-fault rule
    /// then looks at that category only; none: at any category.
    pub fault: Option<&'a str>,
}

/// What every machine's verdict reads the same: the desk's calendar and the repairs' own
/// warranty.
pub(crate) struct Context {
    cal: Calendar,
    part_days: u32,
}

impl Context {
    pub(crate) fn load(conn: &Db) -> Result<Context> {
        Ok(Context {
            cal: Calendar::load(conn)?,
            part_days: crate::people::settings::load(conn)?.repair_warranty_days,
        })
    }
}

/// The verdict of machine `id` of a covered model with these `policies`.
pub(crate) fn of(
    conn: &Db,
    ctx: &Context,
    (id, purchase): (EquipmentId, Option<NaiveDate>),
    policies: &[Policy],
    today: NaiveDate,
    fault: Option<&str>,
) -> Result<Sanbao> {
    let repairs = repairs(conn, id, today)?;
    let facts = Facts {
        purchase,
        months: policies
            .iter()
            .find(|p| p.component.is_empty())
            .map(|p| p.months),
        repairs: &repairs,
        part_days: ctx.part_days,
        fault,
    };
    Ok(verdict(&facts, &ctx.cal, today))
}

/// The verdict of a machine as read by `equipment`, for the fault reported now.
pub(crate) fn for_machine(
    conn: &Db,
    e: &Equipment,
    today: NaiveDate,
    fault: Option<&str>,
) -> Result<Sanbao> {
    let ctx = Context::load(conn)?;
    let policies = super::models::policies(conn, e.model.id)?;
    let purchase = e
        .purchase_date
        .as_deref()
        .and_then(crate::platform::dates::parse);
    of(conn, &ctx, (e.id, purchase), &policies, today, fault)
}

fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&time::zone()).date_naive()
}

/// The machine's repair orders as the rules read them: every repair (not cancelled), its
/// local days of registration and completion, its fault category, and the whole days it
/// stood paused waiting for parts (an open pause counts up to `today`).
pub(crate) fn repairs(conn: &Db, id: EquipmentId, today: NaiveDate) -> Result<Vec<Repair>> {
    let rows: Vec<(i64, String, String, Option<String>, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, number, created_at, completed_at, fault_category FROM work_order
             WHERE equipment_id = ?1 AND kind = 'repair' AND status <> 'cancelled'
             ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let end_of_today = time::midnight(today + Duration::days(1));
    let mut out = Vec::with_capacity(rows.len());
    for (order_id, number, created, completed, fault_category) in rows {
        let Some(created) = time::parse(&created) else {
            continue;
        };
        let pauses: Vec<(String, Option<String>)> = {
            let mut stmt = conn.prepare_cached(
                "SELECT started_at, ended_at FROM order_pause WHERE order_id = ?1 AND reason = 'parts'",
            )?;
            let rows = stmt.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let waited: Duration = pauses
            .iter()
            .filter_map(|(from, to)| {
                let from = time::parse(from)?;
                let to = to.as_deref().and_then(time::parse).unwrap_or(end_of_today);
                Some((to.min(end_of_today) - from).max(Duration::zero()))
            })
            .sum();
        out.push(Repair {
            number,
            registered: local_day(created),
            completed: completed.as_deref().and_then(time::parse).map(local_day),
            fault_category,
            parts_days: waited.num_days(),
        });
    }
    Ok(out)
}

/// The legal limit on the repairer's own time (days from 送修).
pub const REPAIR_LIMIT_DAYS: i64 = 30;
/// The limit while the repair waits for parts the maker did not supply.
pub const PARTS_LIMIT_DAYS: i64 = 90;

/// The day `n` days after `from` (the day itself not counted), moved on to the next
/// working day when it is a rest day; and whether it was moved.
fn window_end(cal: &Calendar, from: NaiveDate, n: i64) -> (NaiveDate, NaiveDate) {
    let nominal = from + Duration::days(n);
    let mut day = nominal;
    // A calendar without a working day would loop: a year is the limit.
    for _ in 0..366 {
        if cal.is_working_day(day) {
            break;
        }
        day += Duration::days(1);
    }
    (nominal, day)
}

fn moved(nominal: NaiveDate, end: NaiveDate, n: i64) -> String {
    if nominal == end {
        String::new()
    } else {
        format!(
            "（第 {n} 日 {} 为休息日，顺延至 {}）",
            show(nominal),
            show(end)
        )
    }
}

fn none(reason: impl Into<String>, end: Option<NaiveDate>) -> Sanbao {
    Sanbao {
        remedy: Remedy::None,
        until: None,
        reason: reason.into(),
        end: end.map(show),
    }
}

/// The 三包 verdict on `today`.
pub fn verdict(f: &Facts, cal: &Calendar, today: NaiveDate) -> Sanbao {
    let Some(purchase) = f.purchase else {
        return none("三包：缺少购买日期（以发票日期为准），无法判断", None);
    };
    let Some(months) = f.months else {
        return none("三包：该型号未设置整机保修政策，无法计算三包有效期", None);
    };
    if today < purchase {
        return none(
            format!("三包：购买日期 {} 晚于今天，请核对", show(purchase)),
            None,
        );
    }
    let Some(base_end) = end_of(purchase, months) else {
        return none("三包：三包有效期超出可计算的日期范围", None);
    };
    // The machine as it stood on `today`: a later order is not seen, a completion after
    // `today` not yet made (the demo data writes orders with their future; a verdict asked
    // for a past day reads the same).
    let seen: Vec<Repair> = f
        .repairs
        .iter()
        .filter(|r| r.registered <= today)
        .map(|r| Repair {
            completed: r.completed.filter(|c| *c <= today),
            ..r.clone()
        })
        .collect();
    // The period grows by the days of each repair registered within it (as grown so far),
    // oldest first: a repair begun after the period ended extends nothing.
    let mut repairs: Vec<&Repair> = seen.iter().collect();
    repairs.sort_by_key(|r| (r.registered, r.number.clone()));
    let mut end = base_end;
    let mut repair_days = 0;
    let mut within: Vec<&Repair> = Vec::new();
    for r in repairs {
        if r.registered > end || r.registered < purchase {
            continue;
        }
        let stop = r.completed.unwrap_or(today).min(today);
        let days = (stop - r.registered).num_days().max(0);
        end += Duration::days(days);
        repair_days += days;
        within.push(r);
    }
    let period = if repair_days > 0 {
        format!(
            "三包有效期自购买日期 {} 起 {months} 个月至 {}，加修理占用 {repair_days} 日顺延至 {}",
            show(purchase),
            show(base_end),
            show(end)
        )
    } else {
        format!(
            "三包有效期自购买日期 {} 起 {months} 个月至 {}",
            show(purchase),
            show(end)
        )
    };
    let with_end = |remedy, until: NaiveDate, reason: String| Sanbao {
        remedy,
        until: Some(show(until)),
        reason,
        end: Some(show(end)),
    };

    let (n7, d7) = window_end(cal, purchase, 7);
    if today <= d7 {
        return with_end(
            Remedy::Return,
            d7,
            format!(
                "退货：购买日期 {} 起 7 日内（至 {}{}）出现性能故障，可选择退货、换货或修理；{period}",
                show(purchase),
                show(d7),
                moved(n7, d7, 7)
            ),
        );
    }
    let (n15, d15) = window_end(cal, purchase, 15);
    if today <= d15 {
        return with_end(
            Remedy::Exchange,
            d15,
            format!(
                "换货：购买日期 {} 起 15 日内（至 {}{}）出现性能故障，可选择换货或修理；{period}",
                show(purchase),
                show(d15),
                moved(n15, d15, 15)
            ),
        );
    }
    if today <= end {
        // A repair still open past the legal limits.
        for r in within.iter().filter(|r| r.completed.is_none()) {
            let span = (today - r.registered).num_days();
            if r.parts_days > 0 && span > PARTS_LIMIT_DAYS {
                return with_end(
                    Remedy::Exchange,
                    end,
                    format!(
                        "换货：工单 {} 自送修之日 {} 起已 {span} 日（超过 {PARTS_LIMIT_DAYS} 日）因缺零配件未修好；{period}",
                        r.number,
                        show(r.registered)
                    ),
                );
            }
            let own = span - r.parts_days;
            if own > REPAIR_LIMIT_DAYS {
                return with_end(
                    Remedy::Exchange,
                    end,
                    format!(
                        "换货：工单 {} 自送修之日 {} 起修理已占用 {own} 日（待料时间除外，超过 {REPAIR_LIMIT_DAYS} 日）未修好；{period}",
                        r.number,
                        show(r.registered)
                    ),
                );
            }
        }
        // The same fault repaired twice within the period.
        let mut done: Vec<&&Repair> = within
            .iter()
            .filter(|r| r.completed.is_some() && !r.fault_category.is_empty())
            .filter(|r| f.fault.is_none_or(|now| now == r.fault_category))
            .collect();
        done.sort_by_key(|r| (r.completed, r.number.clone()));
        for (i, first) in done.iter().enumerate() {
            if let Some(second) = done[i + 1..]
                .iter()
                .find(|r| r.fault_category == first.fault_category)
            {
                return with_end(
                    Remedy::Exchange,
                    end,
                    format!(
                        "换货：同一故障（{}）已修理两次（工单 {} 于 {}、工单 {} 于 {} 修好），仍不能正常使用的可换货（无同型号同规格产品时退货）；{period}",
                        first.fault_category,
                        first.number,
                        show(first.completed.unwrap_or(first.registered)),
                        second.number,
                        show(second.completed.unwrap_or(second.registered))
                    ),
                );
            }
        }
        return with_end(Remedy::Repair, end, format!("修理：{period}"));
    }
    // After the period: the latest repair's own warranty.
    let part = seen
        .iter()
        .filter_map(|r| r.completed.map(|c| (c, r)))
        .max_by_key(|(c, r)| (*c, r.number.clone()));
    if let Some((done, r)) = part {
        let until = done + Duration::days(i64::from(f.part_days));
        if today <= until {
            return with_end(
                Remedy::Repair,
                until,
                format!(
                    "修理：{period}，已届满；工单 {} 于 {} 修好，修理部分自修好之日起 {} 日内保修至 {}",
                    r.number,
                    show(done),
                    f.part_days,
                    show(until)
                ),
            );
        }
    }
    none(format!("三包不适用：{period}，已届满"), Some(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn d(s: &str) -> NaiveDate {
        crate::platform::dates::parse(s).unwrap()
    }

    /// Monday to Friday, with the days given (true = working) over it.
    fn cal(days: &[(&str, bool)]) -> Calendar {
        Calendar {
            start: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            end: chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            days: days
                .iter()
                .map(|(s, w)| (d(s), *w))
                .collect::<HashMap<_, _>>(),
        }
    }

    fn repair(number: &str, from: &str, to: Option<&str>, fault: &str, parts: i64) -> Repair {
        Repair {
            number: number.into(),
            registered: d(from),
            completed: to.map(d),
            fault_category: fault.into(),
            parts_days: parts,
        }
    }

    fn at(purchase: &str, repairs: &[Repair], today: &str) -> Sanbao {
        verdict(
            &Facts {
                purchase: Some(d(purchase)),
                months: Some(12),
                repairs,
                part_days: 90,
                fault: None,
            },
            &cal(&[]),
            d(today),
        )
    }

    #[test]
    fn return_within_seven_days_then_exchange_within_fifteen_across_a_month_end() {
        // Bought Thursday 2026-01-29: the 7th day is Thursday 2026-02-05, the 15th
        // Friday 2026-02-13.
        let s = at("2026-01-29", &[], "2026-02-05");
        assert_eq!(s.remedy, Remedy::Return);
        assert_eq!(s.until.as_deref(), Some("2026-02-05"));
        assert_eq!(
            s.reason,
            "退货：购买日期 2026-01-29 起 7 日内（至 2026-02-05）出现性能故障，可选择退货、换货或修理；三包有效期自购买日期 2026-01-29 起 12 个月至 2027-01-28"
        );
        let s = at("2026-01-29", &[], "2026-02-06");
        assert_eq!(s.remedy, Remedy::Exchange);
        assert_eq!(s.until.as_deref(), Some("2026-02-13"));
        let s = at("2026-01-29", &[], "2026-02-14");
        assert_eq!(s.remedy, Remedy::Repair);
        assert_eq!(s.until.as_deref(), Some("2027-01-28"));
        assert_eq!(
            s.reason,
            "修理：三包有效期自购买日期 2026-01-29 起 12 个月至 2027-01-28"
        );
    }

    #[test]
    fn the_seventh_day_on_a_holiday_moves_to_the_next_working_day() {
        // Bought 2026-09-27 (Sunday): the 7th day is 2026-10-04, inside the National Day
        // holiday (10-01..10-08 off), so the return window runs to Friday 10-09.
        let c = cal(&[
            ("2026-10-01", false),
            ("2026-10-02", false),
            ("2026-10-05", false),
            ("2026-10-06", false),
            ("2026-10-07", false),
            ("2026-10-08", false),
        ]);
        let f = Facts {
            purchase: Some(d("2026-09-27")),
            months: Some(12),
            repairs: &[],
            part_days: 90,
            fault: None,
        };
        let s = verdict(&f, &c, d("2026-10-09"));
        assert_eq!(s.remedy, Remedy::Return);
        assert_eq!(
            s.reason,
            "退货：购买日期 2026-09-27 起 7 日内（至 2026-10-09（第 7 日 2026-10-04 为休息日，顺延至 2026-10-09））出现性能故障，可选择退货、换货或修理；三包有效期自购买日期 2026-09-27 起 12 个月至 2027-09-26"
        );
        // The 15th day, 10-12, is a Monday: not moved; the 10th is a make-up working
        // Saturday and changes nothing.
        let s = verdict(&f, &c, d("2026-10-10"));
        assert_eq!(s.remedy, Remedy::Exchange);
        assert_eq!(s.until.as_deref(), Some("2026-10-12"));
        // Without the holidays, Sunday 10-04 still moves to Monday 10-05.
        let s = verdict(&f, &cal(&[]), d("2026-10-05"));
        assert_eq!(s.remedy, Remedy::Return);
        assert_eq!(s.until.as_deref(), Some("2026-10-05"));
        let s = verdict(&f, &cal(&[]), d("2026-10-06"));
        assert_eq!(s.remedy, Remedy::Exchange);
    }

    #[test]
    fn leap_day_purchase_and_the_period_extended_by_days_in_repair() {
        // Bought 2024-02-29, 12 months: through 2025-02-27 (the desk's month arithmetic).
        // A repair from 2024-05-30 to 2024-06-03 (4 days) and one from 2025-02-25 to
        // 2025-03-03 (6 days, registered within the period as grown) add 10 days.
        let r = [
            repair("WO1", "2024-05-30", Some("2024-06-03"), "不制冷", 0),
            repair("WO2", "2025-02-25", Some("2025-03-03"), "漏水", 0),
        ];
        let s = at("2024-02-29", &r, "2025-03-09");
        assert_eq!(s.remedy, Remedy::Repair);
        assert_eq!(s.end.as_deref(), Some("2025-03-09"));
        assert_eq!(
            s.reason,
            "修理：三包有效期自购买日期 2024-02-29 起 12 个月至 2025-02-27，加修理占用 10 日顺延至 2025-03-09"
        );
        // The day after, only the latest repair's 90 days remain.
        let s = at("2024-02-29", &r, "2025-03-10");
        assert_eq!(s.remedy, Remedy::Repair);
        assert_eq!(s.until.as_deref(), Some("2025-06-01"));
        assert!(
            s.reason.contains(
                "工单 WO2 于 2025-03-03 修好，修理部分自修好之日起 90 日内保修至 2025-06-01"
            ),
            "{}",
            s.reason
        );
        let s = at("2024-02-29", &r, "2025-06-02");
        assert_eq!(s.remedy, Remedy::None);
        assert_eq!(s.until, None);
        assert_eq!(
            s.reason,
            "三包不适用：三包有效期自购买日期 2024-02-29 起 12 个月至 2025-02-27，加修理占用 10 日顺延至 2025-03-09，已届满"
        );
    }

    #[test]
    fn a_repair_begun_after_the_period_extends_nothing() {
        let r = [repair("WO9", "2025-02-01", Some("2025-02-20"), "不制冷", 0)];
        let s = at("2024-01-15", &r, "2025-02-21");
        assert_eq!(s.end.as_deref(), Some("2025-01-14"));
        assert_eq!(s.remedy, Remedy::Repair);
        assert_eq!(s.until.as_deref(), Some("2025-05-21"));
    }

    #[test]
    fn the_same_fault_repaired_twice_entitles_an_exchange() {
        let r = [
            repair("WO1", "2025-03-01", Some("2025-03-03"), "不制冷", 0),
            repair("WO2", "2025-04-10", Some("2025-04-11"), "漏水", 0),
            repair("WO3", "2025-05-31", Some("2025-06-02"), "不制冷", 0),
        ];
        let s = at("2025-01-31", &r, "2025-07-01");
        assert_eq!(s.remedy, Remedy::Exchange);
        assert_eq!(s.until.as_deref(), Some("2026-02-04"));
        assert_eq!(
            s.reason,
            "换货：同一故障（不制冷）已修理两次（工单 WO1 于 2025-03-03、工单 WO3 于 2025-06-02 修好），仍不能正常使用的可换货（无同型号同规格产品时退货）；三包有效期自购买日期 2025-01-31 起 12 个月至 2026-01-30，加修理占用 5 日顺延至 2026-02-04"
        );
        // Reported now as another fault, the two 不制冷 repairs do not count.
        let other = Facts {
            purchase: Some(d("2025-01-31")),
            months: Some(12),
            repairs: &r,
            part_days: 90,
            fault: Some("漏水"),
        };
        assert_eq!(
            verdict(&other, &cal(&[]), d("2025-07-01")).remedy,
            Remedy::Repair
        );
        let same = Facts {
            fault: Some("不制冷"),
            ..other
        };
        assert_eq!(
            verdict(&same, &cal(&[]), d("2025-07-01")).remedy,
            Remedy::Exchange
        );
        // Two different faults, or unclassified ones, are not the same fault.
        let r = [
            repair("WO1", "2025-03-01", Some("2025-03-03"), "不制冷", 0),
            repair("WO2", "2025-04-10", Some("2025-04-11"), "", 0),
            repair("WO3", "2025-05-31", Some("2025-06-02"), "", 0),
        ];
        assert_eq!(at("2025-01-31", &r, "2025-07-01").remedy, Remedy::Repair);
    }

    #[test]
    fn an_open_repair_past_thirty_days_or_ninety_waiting_for_parts_entitles_an_exchange() {
        // Registered 2024-01-31; 30 days of the repairer's time end 2024-03-01 (leap year).
        let r = [repair("WO5", "2024-01-31", None, "不开机", 0)];
        assert_eq!(at("2023-12-01", &r, "2024-03-01").remedy, Remedy::Repair);
        let s = at("2023-12-01", &r, "2024-03-02");
        assert_eq!(s.remedy, Remedy::Exchange);
        assert!(
            s.reason
                .starts_with("换货：工单 WO5 自送修之日 2024-01-31 起修理已占用 31 日"),
            "{}",
            s.reason
        );
        // 60 days waiting for parts: the 30 days are the repairer's own, the 90 from 送修.
        let r = [repair("WO6", "2024-01-31", None, "不开机", 60)];
        assert_eq!(at("2023-12-01", &r, "2024-04-30").remedy, Remedy::Repair);
        let s = at("2023-12-01", &r, "2024-05-01");
        assert_eq!(s.remedy, Remedy::Exchange);
        assert!(
            s.reason.contains("已 91 日（超过 90 日）因缺零配件未修好"),
            "{}",
            s.reason
        );
        // Once completed, the overrun is history: the repair was taken.
        let r = [repair(
            "WO6",
            "2024-01-31",
            Some("2024-05-10"),
            "不开机",
            80,
        )];
        assert_eq!(at("2023-12-01", &r, "2024-05-11").remedy, Remedy::Repair);
    }

    #[test]
    fn a_verdict_of_a_past_day_does_not_see_later_orders_or_completions() {
        let r = [
            repair("WO1", "2025-03-01", Some("2025-03-03"), "不制冷", 0),
            repair("WO2", "2025-04-10", Some("2025-04-20"), "不制冷", 0),
        ];
        // On 04-15 the second repair is open (5 days so far), not a second completed one.
        let s = at("2025-01-31", &r, "2025-04-15");
        assert_eq!(s.remedy, Remedy::Repair, "{}", s.reason);
        assert_eq!(s.end.as_deref(), Some("2026-02-06"));
        // On 02-28 neither is seen.
        assert_eq!(
            at("2025-01-31", &r, "2025-02-28").end.as_deref(),
            Some("2026-01-30")
        );
    }

    #[test]
    fn missing_dates_and_policies_give_none_with_a_reason() {
        let f = Facts {
            purchase: None,
            months: Some(12),
            repairs: &[],
            part_days: 90,
            fault: None,
        };
        let s = verdict(&f, &cal(&[]), d("2025-01-01"));
        assert_eq!(s.remedy, Remedy::None);
        assert_eq!(s.reason, "三包：缺少购买日期（以发票日期为准），无法判断");
        let f = Facts {
            purchase: Some(d("2024-12-31")),
            months: None,
            repairs: &[],
            part_days: 90,
            fault: None,
        };
        assert_eq!(
            verdict(&f, &cal(&[]), d("2025-01-01")).reason,
            "三包：该型号未设置整机保修政策，无法计算三包有效期"
        );
    }
}
