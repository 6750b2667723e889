//! The warranty verdict (保内 / 保外) of one machine, with the reason in a sentence.
//!
//! A model has a whole-machine policy (component "") and may have per-component terms
//! (压缩机 3 years while the machine has 1). Each runs for `months` from the purchase date,
//! or from the install date when its basis says so (the purchase date stands in until the
//! machine is installed). The last covered day is start + months − 1 day: bought
//! 2024-03-15 with 12 months, covered through 2025-03-14. A per-machine override replaces
//! the whole-machine end and must carry a reason.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::platform::dates::show;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Purchase,
    Install,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// "" for the whole machine.
    #[serde(default)]
    pub component: String,
    pub months: u32,
    pub basis: Basis,
}

crate::words! {
    /// 保修状态: the verdict on a machine or a part, copied onto an order at intake.
    pub enum Status("保修状态") {
        In = "in", "保内";
        Out = "out", "保外";
        Unknown = "unknown", "未知";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentTerm {
    pub component: String,
    pub end: Option<String>,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub end: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warranty {
    pub status: Status,
    pub end: Option<String>,
    pub reason: String,
    pub components: Vec<ComponentTerm>,
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    /// The 三包 verdict, for a machine of a model covered by 三包 (issue 21); absent
    /// otherwise. See [`crate::archive::sanbao`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanbao: Option<crate::archive::sanbao::Sanbao>,
}

/// The machine's dates as the verdict needs them.
pub struct Dates {
    pub purchase: Option<NaiveDate>,
    pub install: Option<NaiveDate>,
}

/// Start date and a phrase naming it, or why there is none.
fn start(policy: &Policy, d: &Dates) -> Result<(NaiveDate, String), String> {
    match (policy.basis, d.install, d.purchase) {
        (Basis::Install, Some(i), _) => Ok((i, format!("安装日期 {}", show(i)))),
        (Basis::Install, None, Some(p)) => Ok((p, format!("购买日期 {}（尚未安装）", show(p)))),
        (Basis::Purchase, _, Some(p)) => Ok((p, format!("购买日期 {}", show(p)))),
        (Basis::Install, None, None) => Err("缺少安装日期和购买日期，无法判断保修".into()),
        (Basis::Purchase, _, None) => Err("缺少购买日期，无法判断保修".into()),
    }
}

/// Last covered day.
pub fn end_of(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.pred_opt()
}

fn status_on(end: NaiveDate, today: NaiveDate) -> Status {
    if today <= end {
        Status::In
    } else {
        Status::Out
    }
}

/// The verdict on `today`.
pub fn verdict(
    policies: &[Policy],
    d: &Dates,
    override_: Option<Override>,
    today: NaiveDate,
) -> Warranty {
    let components = policies
        .iter()
        .filter(|p| !p.component.is_empty())
        .map(|p| {
            let end = start(p, d).ok().and_then(|(s, _)| end_of(s, p.months));
            ComponentTerm {
                component: p.component.clone(),
                end: end.map(show),
                status: end.map_or(Status::Unknown, |e| status_on(e, today)),
            }
        })
        .collect();
    let (status, end, reason) = if let Some(o) = &override_ {
        match crate::platform::dates::parse(&o.end) {
            Some(e) if today <= e => (
                Status::In,
                Some(e),
                format!("保内：特批保修至 {}（{}）", o.end, o.reason),
            ),
            Some(e) => (
                Status::Out,
                Some(e),
                format!("保外：特批保修已于 {} 到期（{}）", o.end, o.reason),
            ),
            None => (
                Status::Unknown,
                None,
                format!("特批保修日期无效：{}", o.end),
            ),
        }
    } else {
        match policies.iter().find(|p| p.component.is_empty()) {
            None => (
                Status::Unknown,
                None,
                "该型号未设置整机保修政策".to_string(),
            ),
            Some(p) => match start(p, d) {
                Err(why) => (Status::Unknown, None, why),
                Ok((s, from)) => match end_of(s, p.months) {
                    None => (
                        Status::Unknown,
                        None,
                        "保修期超出可计算的日期范围".to_string(),
                    ),
                    Some(e) => {
                        let status = status_on(e, today);
                        let reason = if status == Status::In {
                            format!(
                                "保内：整机保修自{from} 起 {} 个月，至 {}",
                                p.months,
                                show(e)
                            )
                        } else {
                            format!(
                                "保外：整机保修自{from} 起 {} 个月，已于 {} 到期",
                                p.months,
                                show(e)
                            )
                        };
                        (status, Some(e), reason)
                    }
                },
            },
        }
    };
    Warranty {
        status,
        end: end.map(show),
        reason,
        components,
        override_,
        sanbao: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::platform::dates::parse(s).unwrap()
    }

    fn policies() -> Vec<Policy> {
        vec![
            Policy {
                component: String::new(),
                months: 12,
                basis: Basis::Purchase,
            },
            Policy {
                component: "压缩机".into(),
                months: 36,
                basis: Basis::Install,
            },
        ]
    }

    #[test]
    fn whole_machine_and_component_terms() {
        let dates = Dates {
            purchase: Some(d("2024-03-15")),
            install: Some(d("2024-03-20")),
        };
        let w = verdict(&policies(), &dates, None, d("2025-03-14"));
        assert_eq!(w.status, Status::In);
        assert_eq!(
            w.reason,
            "保内：整机保修自购买日期 2024-03-15 起 12 个月，至 2025-03-14"
        );
        let w = verdict(&policies(), &dates, None, d("2025-03-15"));
        assert_eq!(w.status, Status::Out);
        assert_eq!(
            w.reason,
            "保外：整机保修自购买日期 2024-03-15 起 12 个月，已于 2025-03-14 到期"
        );
        assert_eq!(
            w.components,
            [ComponentTerm {
                component: "压缩机".into(),
                end: Some("2027-03-19".into()),
                status: Status::In
            }]
        );
    }

    #[test]
    fn install_basis_falls_back_to_purchase_and_missing_dates_are_unknown() {
        let p = [Policy {
            component: String::new(),
            months: 24,
            basis: Basis::Install,
        }];
        let w = verdict(
            &p,
            &Dates {
                purchase: Some(d("2024-01-31")),
                install: None,
            },
            None,
            d("2024-06-01"),
        );
        assert_eq!(w.end.as_deref(), Some("2026-01-30"));
        assert!(w.reason.contains("尚未安装"), "{}", w.reason);
        let w = verdict(
            &p,
            &Dates {
                purchase: None,
                install: None,
            },
            None,
            d("2024-06-01"),
        );
        assert_eq!(w.status, Status::Unknown);
        let w = verdict(
            &[],
            &Dates {
                purchase: Some(d("2024-01-31")),
                install: None,
            },
            None,
            d("2024-06-01"),
        );
        assert_eq!(w.reason, "该型号未设置整机保修政策");
    }

    #[test]
    fn an_override_replaces_the_whole_machine_end() {
        let dates = Dates {
            purchase: Some(d("2020-01-01")),
            install: None,
        };
        let o = Override {
            end: "2026-12-31".into(),
            reason: "经理特批延保".into(),
        };
        let w = verdict(&policies(), &dates, Some(o), d("2026-06-01"));
        assert_eq!(w.status, Status::In);
        assert_eq!(w.reason, "保内：特批保修至 2026-12-31（经理特批延保）");
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(end_of(d("2024-01-31"), 1), Some(d("2024-02-28")));
        assert_eq!(end_of(d("2024-02-29"), 12), Some(d("2025-02-27")));
    }
}
