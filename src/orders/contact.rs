//! 修改联系人和电话: the contact and phone an order copied from its customer when it was
//! registered, corrected on the order itself. Allowed in every status, a completed or
//! closed order included: it corrects what the paper says (the slip prints the order's
//! contact), not the money, which does not change. Each change is kept in the order's
//! timeline: what it was, what it is now, who, when.

use crate::platform::db::Optional;
use serde::Deserialize;

use super::{event, load, not_found, EventKind, Order, OrderId};
use crate::platform::error::{Error, Result};
use crate::platform::phone::Phone;
use crate::platform::text;
use crate::platform::time::stamp;
use crate::Desk;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactArgs {
    pub order_id: OrderId,
    /// Who to ask for: required, at most 40 characters.
    pub contact: String,
    /// The phone to call back, any way a clerk types it (read by the desk's one phone
    /// normaliser); empty: none.
    pub phone: String,
    /// The order's `version` the clerk saw (see `check_version`); None: as it stands.
    pub version: Option<i64>,
}

/// A phone as the timeline shows it; `（空）` for none.
fn shown(phone: &str) -> String {
    if phone.is_empty() {
        "（空）".to_string()
    } else {
        Phone::from_stored(phone).display()
    }
}

/// Sets the order's contact and phone; an unchanged pair records nothing.
pub fn set_contact(desk: &mut Desk, a: ContactArgs) -> Result<Order> {
    let contact = text::field("contact", "联系人", &a.contact, 40, true)?;
    let typed = text::field("phone", "联系电话", &a.phone, 40, false)?;
    let phone = if typed.is_empty() {
        String::new()
    } else {
        Phone::parse(&typed)
            .map(|p| p.number())
            .map_err(|m| Error::invalid("phone", format!("联系电话：{m}")))?
    };
    let at = stamp(desk.now());
    let tx = desk.write()?;
    let (old_contact, old_phone, number, version): (String, String, String, i64) = tx
        .prepare_cached("SELECT contact, phone, number, version FROM work_order WHERE id = ?1")?
        .query_row([a.order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?
        .ok_or_else(|| not_found(a.order_id))?;
    super::check_version(&number, a.version, version)?;
    let mut changes = Vec::new();
    if old_contact != contact {
        changes.push(format!("联系人：{old_contact} → {contact}"));
    }
    if old_phone != phone {
        changes.push(format!(
            "联系电话：{} → {}",
            shown(&old_phone),
            shown(&phone)
        ));
    }
    if !changes.is_empty() {
        tx.prepare_cached("UPDATE work_order SET contact = ?2, phone = ?3 WHERE id = ?1")?
            .execute(rusqlite::params![a.order_id, contact, phone])?;
        event(
            &tx,
            a.order_id,
            &at,
            EventKind::Contact,
            (None, None),
            &changes.join("；"),
        )?;
    }
    tx.commit()?;
    let now = desk.now();
    load(desk.conn(), desk.actor(), a.order_id, now)
}
