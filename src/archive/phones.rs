//! 待核对号码: phone numbers an earlier version accepted that libphonenumber's rules
//! (issue 17, `platform::phone`) do not. The migration that re-read every stored number
//! kept these exactly as written and listed them in `phone_review` with the reason; this
//! is the clerk's list of them. A row shows only while the number is still the one stored
//! (a customer's phone, an order's contact phone, an engineer's phone), so correcting the
//! number anywhere takes it off the list. Owns the table `phone_review`.

use rusqlite::params;
use serde::Serialize;

use crate::people::users::NoArgs;
use crate::platform::error::Result;
use crate::Desk;

/// The most rows the list shows; `total` counts them all.
const SHOWN: i64 = 500;

/// One number to check.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewItem {
    /// Whose number it is: `customer`, `order` or `engineer`.
    pub owner: String,
    pub owner_id: i64,
    /// The customer's name, the order's number or the engineer's name.
    pub name: String,
    /// The number exactly as stored.
    pub number: String,
    /// Why it no longer parses, in the clerk's words.
    pub problem: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub total: i64,
    pub items: Vec<ReviewItem>,
}

/// The numbers still waiting for the clerk.
const STILL_STORED: &str = "
    SELECT 'customer' AS owner, r.owner_id, c.name, r.number, r.problem FROM phone_review r
      JOIN customer c ON c.id = r.owner_id
     WHERE r.owner = 'customer' AND c.merged_into IS NULL
       AND EXISTS (SELECT 1 FROM customer_phone p WHERE p.customer_id = r.owner_id AND p.number = r.number)
    UNION ALL
    SELECT 'order', r.owner_id, o.number, r.number, r.problem FROM phone_review r
      JOIN work_order o ON o.id = r.owner_id AND o.phone = r.number
     WHERE r.owner = 'order'
    UNION ALL
    SELECT 'engineer', r.owner_id, e.name, r.number, r.problem FROM phone_review r
      JOIN engineer e ON e.id = r.owner_id AND e.phone = r.number
     WHERE r.owner = 'engineer'";

/// 待核对号码: the stored numbers that no longer parse, customers first.
pub fn review(desk: &mut Desk, _: NoArgs) -> Result<Review> {
    let conn = desk.conn();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({STILL_STORED})"))?
        .query_row([], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT * FROM ({STILL_STORED}) ORDER BY owner = 'customer' DESC, owner, owner_id, number LIMIT ?1"
    ))?;
    let items = stmt
        .query_map(params![SHOWN], |r| {
            Ok(ReviewItem {
                owner: r.get(0)?,
                owner_id: r.get(1)?,
                name: r.get(2)?,
                number: r.get(3)?,
                problem: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Review { total, items })
}
