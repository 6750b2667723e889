//! A customer's work orders on their timeline (客户时间线). The archive tells the story
//! of the customer and the machines ([`customers::timeline`]); the orders are added here,
//! because the archive sits below the orders and never reads their table.

use crate::platform::db::Db;

use crate::archive::customers::{self, GetArgs, Timeline, TimelineItem};
use crate::platform::error::Result;
use crate::Desk;

/// 客户时间线 (the command `customers.timeline`): the archive's timeline with the
/// customer's newest 200 work orders interleaved by time.
pub fn timeline(desk: &mut Desk, args: GetArgs) -> Result<Timeline> {
    let items = orders_of(desk.conn(), args.id)?;
    customers::timeline(desk, args, items)
}

fn orders_of(conn: &Db, customer_id: customers::CustomerId) -> Result<Vec<TimelineItem>> {
    let mut items = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT created_at, number, kind, status, fault, id FROM work_order
         WHERE customer_id = ?1 ORDER BY id DESC LIMIT 200",
    )?;
    let orders = stmt.query_map([customer_id], |r| {
        let kind: super::OrderKind = r.get(2)?;
        let status: super::OrderStatus = r.get(3)?;
        let fault: String = r.get(4)?;
        Ok(TimelineItem {
            at: r.get(0)?,
            order_id: Some(r.get::<_, i64>(5)?),
            kind: "order".into(),
            title: format!("工单 {} {}", r.get::<_, String>(1)?, kind.label()),
            detail: if fault.is_empty() {
                status.label().to_string()
            } else {
                format!("{} · {fault}", status.label())
            },
        })
    })?;
    for o in orders {
        items.push(o?);
    }
    Ok(items)
}
