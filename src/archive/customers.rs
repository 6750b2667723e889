//! The customer archive (客户档案): people and companies, their phones, address, region
//! and class. Owns the tables `customer`, `customer_phone` and the full-text index
//! `customer_name_text` / `customer_address_text`, which every write keeps in step
//! inside the same transaction.
//!
//! Search takes what a clerk types into one box: digits (4 or more) are a phone — whole,
//! its start, or its last digits; anything else is a fragment of a name, company or
//! address, one or more characters at any position.
//!
//! A chain (hotel or restaurant chain) is a head-office customer with branches
//! (`parent_id`, one level). Customers are never deleted: merging marks one as
//! `merged_into` the other, takes it out of search and moves its machines and branches.
//!
//! Reads are bounded by role (issue 16): the archive is kept by the roles that may export
//! it (clerk, manager). Everyone else (engineer, storekeeper, dispatcher, an administrator
//! without a desk role) finds a customer by what they know of them: no empty-query
//! listing, at most [`GLANCE_PAGE_SIZE`] customers a page and [`GLANCE_PAGES`] pages. A
//! bulk read (a page of more than [`BULK_READ`] customers, or a page beyond the first of
//! a role that does not keep the archive) is recorded in the audit trail: who, what was
//! searched, how many customers. The file's owner acting in-process (command line,
//! benchmarks) is neither bounded nor recorded: whoever can open the file holds all of it.

use crate::platform::db::{Both, Db, Optional};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::words::{CustomerClass, CustomerKind};
use crate::people::audit;
use crate::platform::error::{Error, Problems, Result};
use crate::platform::phone::Phone;
use crate::platform::text::{self, index_form, phrase_query};
use crate::Desk;

crate::ids! {
    /// A customer's id.
    pub struct CustomerId;
}

/// What a form sends to create or update a customer. Missing optional fields are empty.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CustomerInput {
    pub kind: Option<String>,
    pub name: String,
    pub phones: Vec<String>,
    pub address: String,
    pub region: String,
    pub class: Option<String>,
    pub notes: String,
    pub source: String,
    pub parent_id: Option<CustomerId>,
}

#[derive(Debug, Deserialize)]
pub struct UpdateArgs {
    pub id: CustomerId,
    #[serde(flatten)]
    pub input: CustomerInput,
}

#[derive(Debug, Deserialize)]
pub struct GetArgs {
    pub id: CustomerId,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PhoneView {
    pub number: String,
    pub display: String,
    /// The country or region of a number outside the mainland (`香港`), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CustomerRef {
    pub id: CustomerId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub kind: CustomerKind,
    pub name: String,
    pub phones: Vec<PhoneView>,
    pub address: String,
    pub region: String,
    pub class: CustomerClass,
    pub notes: String,
    pub source: String,
    pub parent: Option<CustomerRef>,
    pub branches: Vec<CustomerRef>,
    pub merged_into: Option<CustomerId>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct SearchArgs {
    pub query: String,
    pub page: u32,
    pub page_size: u32,
}

impl Default for SearchArgs {
    fn default() -> Self {
        SearchArgs {
            query: String::new(),
            page: 1,
            page_size: 50,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SearchPage {
    pub items: Vec<Customer>,
    /// Exact for the whole list; for a search, capped at [`COUNT_CAP`] with `more` set.
    pub total: u64,
    /// True when a search matched more than `total` customers.
    pub more: bool,
    pub page: u32,
    pub page_size: u32,
}

/// Searches count their matches up to this many: a clerk who sees "1000+" types more,
/// and counting 15,000 address matches would cost more than finding the page.
pub const COUNT_CAP: i64 = 1000;

/// Customers per page for a role that does not keep the archive.
pub const GLANCE_PAGE_SIZE: u32 = 20;
/// Pages of one search such a role may see.
pub const GLANCE_PAGES: u32 = 3;
/// A page of more customers than this is a bulk read, recorded in the audit trail.
pub const BULK_READ: usize = 20;

/// Whether `actor` keeps the archive: may export it (clerk, manager), and so read it
/// without bounds.
pub(crate) fn keeps_archive(actor: &crate::Actor) -> bool {
    crate::may(actor, "customers.export")
}

/// The file's owner acting in-process (no account): not recorded as reading in bulk.
fn in_process(actor: &crate::Actor) -> bool {
    actor.id.is_none() && !actor.is_nobody()
}

/// Records a bulk read of `count` customers (`what`: the search as a person reads it) in
/// the audit trail, in a transaction of its own.
pub(crate) fn record_bulk_read(desk: &mut Desk, what: &str, count: usize) -> Result<()> {
    if in_process(desk.actor()) {
        return Ok(());
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    audit::record(
        &tx,
        &at,
        "bulk_read",
        "customer",
        0,
        &format!("{what}：读取 {count} 位客户"),
    )?;
    tx.commit()?;
    Ok(())
}

/// A customer that passed validation, ready to be written.
pub(crate) struct Valid {
    kind: CustomerKind,
    name: String,
    phones: Vec<Phone>,
    address: String,
    region: String,
    class: CustomerClass,
    notes: String,
    source: String,
    parent_id: Option<CustomerId>,
}

/// Checks a form in the order the eye reads it; refuses with every problem at once
/// (the first one is the error's `field`/`message`).
pub(crate) fn validate(input: &CustomerInput) -> Result<Valid> {
    let mut p = Problems::new();
    let kind = p.keep_opt(match input.kind.as_deref() {
        None => Ok(CustomerKind::Person),
        Some(word) => CustomerKind::from_word(word)
            .ok_or_else(|| Error::invalid("kind", "客户类型只能是“个人”或“单位”")),
    })?;
    let name = p.keep(if input.name.trim().is_empty() {
        Err(Error::invalid("name", "客户名称不能为空"))
    } else {
        text::field("name", "客户名称", &input.name, 50, false)
    })?;
    let phones = p.keep(valid_phones(&input.phones))?;
    let address = p.keep(text::field("address", "地址", &input.address, 200, false))?;
    let region = p.keep(text::field("region", "地区", &input.region, 20, false))?;
    let class = p.keep_opt(match input.class.as_deref() {
        None => Ok(CustomerClass::Normal),
        Some(word) => CustomerClass::from_word(word)
            .ok_or_else(|| Error::invalid("class", "客户级别只能是“普通”“VIP”或“大客户”")),
    })?;
    let notes = p.keep(text::field("notes", "备注", &input.notes, 2000, false))?;
    let source = p.keep(text::field("source", "来源", &input.source, 20, false))?;
    // A refused kind or class has a stand-in: `finish` refuses the form anyway.
    p.finish(Valid {
        kind: kind.unwrap_or(CustomerKind::Person),
        name,
        phones,
        address,
        region,
        class: class.unwrap_or(CustomerClass::Normal),
        notes,
        source,
        parent_id: input.parent_id,
    })
}

/// The typed phones, normalised, without repeats: at least one, at most ten, each valid
/// (the first bad one is named with its position).
fn valid_phones(raw: &[String]) -> Result<Vec<Phone>> {
    let typed: Vec<&str> = raw
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if typed.is_empty() {
        return Err(Error::invalid("phones", "请至少填写一个联系电话"));
    }
    if typed.len() > 10 {
        return Err(Error::invalid("phones", "联系电话最多10个"));
    }
    let mut phones: Vec<Phone> = Vec::with_capacity(typed.len());
    for (i, raw) in typed.iter().enumerate() {
        let phone = Phone::parse(raw).map_err(|problem| {
            Error::invalid("phones", format!("{problem}（第{}个电话：{raw}）", i + 1))
        })?;
        if !phones.contains(&phone) {
            phones.push(phone);
        }
    }
    Ok(phones)
}

/// The whole form checked, the head office included: every problem at once. `id` is the
/// customer being edited.
pub(crate) fn checked(conn: &Db, input: &CustomerInput, id: Option<CustomerId>) -> Result<Valid> {
    let mut p = Problems::new();
    let valid = p.keep_opt(validate(input))?;
    p.keep_opt(check_parent(conn, input.parent_id, id))?;
    // `validate` refused means a problem was noted, so `finish` refuses before this.
    p.finish(valid)?
        .ok_or_else(|| Error::invalid("name", "客户资料未通过检查"))
}

/// A chain is one level deep: the head office must be an active company that is not
/// itself a branch, and a customer cannot be its own head office.
fn check_parent(conn: &Db, parent_id: Option<CustomerId>, id: Option<CustomerId>) -> Result<()> {
    let Some(parent_id) = parent_id else {
        return Ok(());
    };
    if Some(parent_id) == id {
        return Err(Error::invalid("parent_id", "总店不能是客户自己"));
    }
    let parent = conn
        .prepare_cached("SELECT kind, parent_id, merged_into, name FROM customer WHERE id = ?1")?
        .query_row([parent_id], |r| {
            Ok((
                r.get::<_, CustomerKind>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    match parent {
        None => Err(Error::invalid(
            "parent_id",
            format!("总店不存在（编号 {parent_id}）"),
        )),
        Some((kind, _, _, name)) if kind != CustomerKind::Company => Err(Error::invalid(
            "parent_id",
            format!("“{name}”是个人客户，不能作为总店"),
        )),
        Some((_, Some(_), _, name)) => Err(Error::invalid(
            "parent_id",
            format!("“{name}”本身是分店，不能再作为总店"),
        )),
        Some((_, _, Some(_), name)) => Err(Error::invalid(
            "parent_id",
            format!("“{name}”已被合并，不能作为总店"),
        )),
        Some(_) => {
            if let Some(id) = id {
                let has_branches: bool = conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM customer WHERE parent_id = ?1)")?
                    .query_row([id], |r| r.get(0))?;
                if has_branches {
                    return Err(Error::invalid(
                        "parent_id",
                        "该客户自己有分店，不能再隶属于总店",
                    ));
                }
            }
            Ok(())
        }
    }
}

/// The active customer with the same name and at least one same phone, if any: what an
/// import treats as "already present".
pub(crate) fn find_existing(conn: &Db, c: &Valid) -> Result<Option<CustomerId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM customer_phone p JOIN customer c ON c.id = p.customer_id
         WHERE p.number = ?1 AND c.name = ?2 AND c.merged_into IS NULL LIMIT 1",
    )?;
    for phone in &c.phones {
        if let Some(id) = stmt
            .query_row(params![phone.number(), c.name], |r| r.get(0))
            .optional()?
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Writes a new customer inside the caller's transaction; the caller adds the number it
/// inserted to the kept count with [`count_added`].
pub(crate) fn insert(tx: &Db, c: &Valid, at: &str) -> Result<CustomerId> {
    tx.prepare_cached(
        "INSERT INTO customer (kind, name, address, region, class, notes, source, parent_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        c.kind, c.name, c.address, c.region, c.class, c.notes, c.source, c.parent_id, at
    ])?;
    let id = CustomerId(tx.last_insert_rowid()?);
    write_children(tx, id, c)?;
    Ok(id)
}

fn write_children(tx: &Db, id: CustomerId, c: &Valid) -> Result<()> {
    let mut phone = tx.prepare_cached(
        "INSERT INTO customer_phone (customer_id, position, number, digits) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, p) in c.phones.iter().enumerate() {
        phone.execute(params![id, i as i64, p.number(), p.digits])?;
    }
    index_text(tx, id, &c.name, &c.address)?;
    Ok(())
}

/// Adds `n` new customers to the kept count of active customers; called once per
/// transaction by whoever inserted them (a trigger per row slows bulk inserts, see
/// migration 5). Merges subtract through a trigger.
pub(crate) fn count_added(tx: &Db, n: usize) -> Result<()> {
    if n > 0 {
        tx.prepare_cached("UPDATE customer_count SET n = n + ?1")?
            .execute([n as i64])?;
    }
    Ok(())
}

/// Puts a customer's name and address into the full-text tables.
fn index_text(tx: &Db, id: CustomerId, name: &str, address: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO customer_name_text (rowid, name) VALUES (?1, ?2)")?
        .execute(params![id, index_form(name)])?;
    tx.prepare_cached("INSERT INTO customer_address_text (rowid, address) VALUES (?1, ?2)")?
        .execute(params![id, index_form(address)])?;
    Ok(())
}

/// Takes a customer out of the full-text tables (before re-indexing, or when merged away).
fn unindex_text(tx: &Db, id: CustomerId) -> Result<()> {
    tx.prepare_cached("DELETE FROM customer_name_text WHERE rowid = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM customer_address_text WHERE rowid = ?1")?
        .execute([id])?;
    Ok(())
}

/// 新建客户.
pub fn create(desk: &mut Desk, input: CustomerInput) -> Result<Customer> {
    let valid = checked(desk.conn(), &input, None)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let id = add(&tx, &valid, &at)?;
    tx.commit()?;
    load(desk.conn(), id)?.ok_or_else(|| not_found(id))
}

/// Writes a checked new customer, its audit entry and the kept count, in the caller's
/// transaction.
pub(crate) fn add(tx: &Db, valid: &Valid, at: &crate::platform::time::Stamp) -> Result<CustomerId> {
    let id = insert(tx, valid, at)?;
    audit::record(
        tx,
        at,
        "created",
        "customer",
        id,
        &format!("建立客户档案 {}", valid.name),
    )?;
    count_added(tx, 1)?;
    Ok(id)
}

/// 修改客户: replaces every field; phones keep the order typed.
pub fn update(desk: &mut Desk, args: UpdateArgs) -> Result<Customer> {
    let id = args.id;
    let before = load(desk.conn(), id)?.ok_or_else(|| not_found(id))?;
    if let Some(into) = before.merged_into {
        return Err(Error::invalid(
            "id",
            format!("该客户已合并到编号 {into}，请修改合并后的档案"),
        ));
    }
    let valid = checked(desk.conn(), &args.input, Some(id))?;
    let at = desk.stamp();
    let tx = desk.write()?;
    tx.prepare_cached(
        "UPDATE customer SET kind = ?2, name = ?3, address = ?4, region = ?5, class = ?6, notes = ?7,
         source = ?8, parent_id = ?9, updated_at = ?10 WHERE id = ?1",
    )?
    .execute(params![
        id,
        valid.kind,
        valid.name,
        valid.address,
        valid.region,
        valid.class,
        valid.notes,
        valid.source,
        valid.parent_id,
        at
    ])?;
    tx.execute("DELETE FROM customer_phone WHERE customer_id = ?1", [id])?;
    unindex_text(&tx, id)?;
    write_children(&tx, id, &valid)?;
    let after = load(&tx, id)?.ok_or_else(|| not_found(id))?;
    let changed = changes(&before, &after);
    if !changed.is_empty() {
        audit::record(
            &tx,
            &at,
            "updated",
            "customer",
            id,
            &format!("修改了{}", changed.join("、")),
        )?;
    }
    tx.commit()?;
    Ok(after)
}

/// Names of the fields that differ, as the form labels them.
fn changes(a: &Customer, b: &Customer) -> Vec<&'static str> {
    let mut out = Vec::new();
    let pairs: [(&str, bool); 9] = [
        ("类型", a.kind != b.kind),
        ("名称", a.name != b.name),
        ("电话", a.phones != b.phones),
        ("地址", a.address != b.address),
        ("区域", a.region != b.region),
        ("等级", a.class != b.class),
        ("备注", a.notes != b.notes),
        ("来源", a.source != b.source),
        ("总店", a.parent != b.parent),
    ];
    for (label, differs) in pairs {
        if differs {
            out.push(label);
        }
    }
    out
}

fn not_found(id: CustomerId) -> Error {
    Error::NotFound(format!("客户不存在（编号 {id}）"))
}

/// 客户档案: one customer with all phones.
/// Opens a customer file. Customer data is confidential: who opened which file, and
/// when, goes into the audit trail.
pub fn get(desk: &mut Desk, args: GetArgs) -> Result<Customer> {
    let customer = load(desk.conn(), args.id)?.ok_or_else(|| not_found(args.id))?;
    let at = desk.stamp();
    let tx = desk.write()?;
    audit::record(
        &tx,
        &at,
        "opened",
        "customer",
        args.id,
        &format!("查看客户档案 {}", customer.name),
    )?;
    tx.commit()?;
    Ok(customer)
}

pub(crate) fn load(conn: &Db, id: CustomerId) -> Result<Option<Customer>> {
    Ok(load_many(conn, &[id])?.pop())
}

/// Customers by id, in the order asked, those that exist. Three queries whatever the
/// number (rows, branches, phones): a page of 50 read one by one took 150 statements.
pub(crate) fn load_many(conn: &Db, ids: &[CustomerId]) -> Result<Vec<Customer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).map_err(|e| Error::BadRequest(e.to_string()))?;
    let mut found: std::collections::HashMap<CustomerId, Customer> =
        std::collections::HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.kind, c.name, c.address, c.region, c.class, c.notes, c.created_at, c.updated_at,
                c.source, c.parent_id, p.name, c.merged_into
         FROM customer c LEFT JOIN customer p ON p.id = c.parent_id
         WHERE c.id IN (SELECT CAST(value AS BIGINT) FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([&list], |r| {
        let parent_id: Option<CustomerId> = r.get(10)?;
        Ok(Customer {
            id: r.get(0)?,
            kind: r.get(1)?,
            name: r.get(2)?,
            phones: Vec::new(),
            address: r.get(3)?,
            region: r.get(4)?,
            class: r.get(5)?,
            notes: r.get(6)?,
            source: r.get(9)?,
            parent: match parent_id {
                Some(id) => Some(CustomerRef {
                    id,
                    name: r.get(11)?,
                }),
                None => None,
            },
            branches: Vec::new(),
            merged_into: r.get(12)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    })?;
    for row in rows {
        let c = row?;
        found.insert(c.id, c);
    }
    // Only a company can be a head office (check_parent), so only they have branches.
    if found.values().any(|c| c.kind == CustomerKind::Company) {
        let mut stmt = conn.prepare_cached(
            "SELECT parent_id, id, name FROM customer
             WHERE parent_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?1)) AND merged_into IS NULL ORDER BY name",
        )?;
        let rows = stmt.query_map([&list], |r| {
            Ok((
                r.get::<_, CustomerId>(0)?,
                CustomerRef {
                    id: r.get(1)?,
                    name: r.get(2)?,
                },
            ))
        })?;
        for row in rows {
            let (parent, branch) = row?;
            if let Some(c) = found.get_mut(&parent) {
                c.branches.push(branch);
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, number FROM customer_phone
         WHERE customer_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?1)) ORDER BY customer_id, position",
    )?;
    let rows = stmt.query_map([&list], |r| {
        Ok((r.get::<_, CustomerId>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, number) = row?;
        if let Some(c) = found.get_mut(&id) {
            let phone = Phone::from_stored(&number);
            let display = phone.display();
            let country = phone.country();
            c.phones.push(PhoneView {
                number,
                display,
                country,
            });
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Active customers whose phone starts with, equals or ends with `?1` (4+ digits): each
/// half of the union is one index range (the number; the last four digits), newest first,
/// at most one more than the count cap.
/// (The tail index is on `substr(digits, -4)` in SQLite, `right(digits, 4)` in
/// PostgreSQL, whose `substr` counts a negative start differently.)
const PHONE_MATCHES: Both = Both {
    sqlite: "SELECT p.id FROM (
         SELECT customer_id AS id FROM customer_phone WHERE number >= ?1 AND number < ?1 || ':'
         UNION
         SELECT customer_id FROM customer_phone
          WHERE substr(digits, -4) = substr(?1, -4) AND digits LIKE '%' || ?1) p
       JOIN customer c ON c.id = p.id
     WHERE c.merged_into IS NULL ORDER BY p.id DESC LIMIT ?2",
    postgres: "SELECT p.id FROM (
         SELECT customer_id AS id FROM customer_phone WHERE number >= ?1 AND number < ?1 || ':'
         UNION
         SELECT customer_id FROM customer_phone
          WHERE right(digits, 4) = right(?1, 4) AND digits LIKE '%' || ?1) p
       JOIN customer c ON c.id = p.id
     WHERE c.merged_into IS NULL ORDER BY p.id DESC LIMIT ?2",
};

/// Customer ids whose phone matches, newest first (at most the count cap + 1).
pub(crate) fn by_phone(conn: &Db, digits: &str) -> Result<Vec<CustomerId>> {
    collect_ids(conn, &PHONE_MATCHES, params![digits, COUNT_CAP + 1])
}

/// The least text above every text that starts with `prefix`: the prefix and the last
/// code point (U+10FFFF), bound as a value so both engines range over one index.
pub(crate) fn past_every_start(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Customer ids matching a name/company/address fragment, ranked in tiers: the exact
/// name, names starting with the fragment, names containing it, then address-only
/// matches. The first two come from the name's B-tree (an equality and a range), the
/// others from the full-text tables, newest first; each tier reads at most one more id
/// than the count cap, so nothing reads or sorts all matches of a broad fragment. Merged
/// customers are not in the text tables. The names starting with the fragment are the
/// first in (name, id) order, which SQLite's index on name gives by itself; PostgreSQL
/// must be told (without the ORDER BY it took any 1,001 of the 10,770 names starting
/// with 王: the search bench's "same" column found it).
pub(crate) fn by_text(conn: &Db, fragment: &str) -> Result<Vec<CustomerId>> {
    let Some(phrase) = phrase_query(fragment) else {
        return Ok(Vec::new());
    };
    let cap = COUNT_CAP + 1;
    let mut ids = collect_ids(
        conn,
        "SELECT id FROM customer WHERE name = ?1 AND merged_into IS NULL ORDER BY id DESC LIMIT 100",
        [fragment],
    )?;
    let mut starts = collect_ids(
        conn,
        "SELECT id FROM customer WHERE name > ?1 AND name < ?3 AND merged_into IS NULL ORDER BY name, id LIMIT ?2",
        params![fragment, cap, past_every_start(fragment)],
    )?;
    starts.sort_unstable_by(|a, b| b.cmp(a));
    ids.extend(starts);
    let mut seen: std::collections::HashSet<CustomerId> = ids.iter().copied().collect();
    // FTS5's MATCH on SQLite; on PostgreSQL the same phrase read from the list of its
    // rarest pair of tokens, or for one token from the GIN index of one token per
    // character (desk_text_matches, PostgreSQL migration 29).
    let tiers = [
        Both {
            sqlite: "SELECT rowid FROM customer_name_text WHERE customer_name_text MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            postgres: "SELECT desk_text_matches('name', ?1, ?2)",
        },
        Both {
            sqlite: "SELECT rowid FROM customer_address_text WHERE customer_address_text MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            postgres: "SELECT desk_text_matches('address', ?1, ?2)",
        },
    ];
    for sql in tiers {
        if ids.len() as i64 >= cap {
            break;
        }
        for id in collect_ids(conn, &sql, params![phrase, cap])? {
            if seen.insert(id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// What to look for when a query is a phone number or a piece of one (4+ digits):
/// [`crate::platform::phone::lookup_digits`], the folding the stored numbers went through
/// (`+86 176…`, `0086`, full-width digits, spaces, dashes).
pub(crate) fn phone_digits(query: &str) -> Option<String> {
    crate::platform::phone::lookup_digits(query)
}

/// One to three digits and nothing else (half- or full-width): a phone number being
/// typed, which finds no one until its fourth digit makes it a phone lookup. Read as
/// text it would list every address with a house number starting so (617,484 of
/// 1,000,000 for "1"); docs/DECISIONS.md "Issue 19: search on PostgreSQL, phase 3".
pub(crate) fn number_being_typed(query: &str) -> bool {
    let n = query.chars().count();
    (1..=3).contains(&n)
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// 查找客户: one box for phones and name/company/address fragments, paged.
pub fn search(desk: &mut Desk, args: SearchArgs) -> Result<SearchPage> {
    if args.page_size == 0 || args.page_size > 200 {
        return Err(Error::invalid("page_size", "每页条数应在1到200之间"));
    }
    let page = args.page.max(1);
    let query = args.query.trim();
    let keeps = keeps_archive(desk.actor());
    let mut page_size = args.page_size;
    if !keeps {
        if query.is_empty() {
            return Err(Error::invalid(
                "query",
                "请输入客户的电话、姓名、公司或地址查找：只有前台和主管可以浏览全部客户档案",
            ));
        }
        if page > GLANCE_PAGES {
            return Err(Error::invalid(
                "page",
                format!("最多查看前 {GLANCE_PAGES} 页，请输入更完整的电话、姓名或地址缩小范围"),
            ));
        }
        page_size = page_size.min(GLANCE_PAGE_SIZE);
    }
    let limit = i64::from(page_size);
    let offset = i64::from(page - 1) * limit;
    let conn = desk.conn();
    let (total, ids) = if query.is_empty() {
        // Kept by triggers (migration 3): counting a million rows takes 100 ms.
        let total = conn
            .prepare_cached("SELECT n FROM customer_count")?
            .query_row([], |r| r.get(0))?;
        let ids = collect_ids(
            conn,
            "SELECT id FROM customer WHERE merged_into IS NULL ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            params![limit, offset],
        )?;
        (total, ids)
    } else {
        let all = match phone_digits(query) {
            Some(digits) => by_phone(conn, &digits)?,
            None if number_being_typed(query) => Vec::new(),
            None => by_text(conn, query)?,
        };
        let page = all
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .copied()
            .collect();
        (all.len() as i64, page)
    };
    let items = load_many(conn, &ids)?;
    let more = !query.is_empty() && total > COUNT_CAP;
    if items.len() > BULK_READ || (!keeps && page > 1 && !items.is_empty()) {
        let what = if query.is_empty() {
            format!("浏览客户列表第 {page} 页")
        } else {
            format!("查找客户“{query}”第 {page} 页")
        };
        record_bulk_read(desk, &what, items.len())?;
    }
    Ok(SearchPage {
        items,
        total: if more { COUNT_CAP as u64 } else { total as u64 },
        more,
        page,
        page_size,
    })
}

fn collect_ids(
    conn: &Db,
    sql: &(impl crate::platform::db::Sql + ?Sized),
    params: impl crate::platform::db::Args,
) -> Result<Vec<CustomerId>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of customers in the archive.
pub fn count(desk: &Desk) -> Result<u64> {
    let n: i64 = desk
        .conn()
        .query_row("SELECT count(*) FROM customer", [], |r| r.get(0))?;
    Ok(n as u64)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DuplicatesArgs {
    pub name: String,
    pub phones: Vec<String>,
    pub address: String,
    pub exclude_id: Option<CustomerId>,
}

#[derive(Debug, Serialize)]
pub struct Duplicate {
    pub customer: Customer,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Duplicates {
    pub items: Vec<Duplicate>,
}

/// Length of the longest run of characters two texts share.
fn longest_common(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// Words every company name has; sharing them says nothing.
const NAME_NOISE: &[&str] = &[
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "分店",
    "店",
];

fn core_name(name: &str) -> String {
    let mut s = name.to_string();
    for w in NAME_NOISE {
        s = s.replace(w, "");
    }
    s
}

/// 查重: customers that may be the one being typed. A same phone is a sure duplicate; a
/// same name, or a similar name (2+ characters in common, company suffixes aside) with a
/// similar address (4+ characters in common), a likely one. Most likely first, at most 5.
pub fn duplicates(desk: &mut Desk, args: DuplicatesArgs) -> Result<Duplicates> {
    let conn = desk.conn();
    let mut found: Vec<(u32, CustomerId, Vec<String>)> = Vec::new();
    let mut note = |id: CustomerId, score: u32, reason: String| {
        if Some(id) == args.exclude_id {
            return;
        }
        match found.iter_mut().find(|f| f.1 == id) {
            Some(f) => {
                f.0 += score;
                if !f.2.contains(&reason) {
                    f.2.push(reason);
                }
            }
            None => found.push((score, id, vec![reason])),
        }
    };
    for raw in &args.phones {
        let Ok(phone) = Phone::parse(raw) else {
            continue;
        };
        let ids = collect_ids(
            conn,
            "SELECT DISTINCT p.customer_id FROM customer_phone p JOIN customer c ON c.id = p.customer_id
             WHERE p.digits = ?1 AND c.merged_into IS NULL LIMIT 5",
            [&phone.digits],
        )?;
        for id in ids {
            note(id, 100, format!("电话相同：{}", phone.display()));
        }
    }
    let name = args.name.trim();
    let address = args.address.trim();
    if !name.is_empty() {
        for id in collect_ids(
            conn,
            "SELECT id FROM customer WHERE name = ?1 AND merged_into IS NULL ORDER BY id DESC LIMIT 5",
            [name],
        )? {
            note(id, 20, "名称相同".into());
        }
        let core = core_name(name);
        if address.chars().count() >= 4 && core.chars().count() >= 2 {
            // Candidates share some 2-character piece of the name; then both name and
            // address must be alike.
            let chars: Vec<char> = core.chars().collect();
            let pieces: Vec<String> = chars
                .windows(2)
                .filter_map(|w| phrase_query(&w.iter().collect::<String>()))
                .collect();
            if !pieces.is_empty() {
                let candidates = collect_ids(
                    conn,
                    &Both {
                        sqlite: "SELECT rowid FROM customer_name_text WHERE customer_name_text MATCH ?1
                     ORDER BY rowid DESC LIMIT 200",
                        postgres: "SELECT rowid FROM customer_name_text WHERE tokens @@ desk_phrase_query(?1)
                     ORDER BY rowid DESC LIMIT 200",
                    },
                    [pieces.join(" OR ")],
                )?;
                for id in candidates {
                    let (other_name, other_address): (String, String) = conn
                        .prepare_cached("SELECT name, address FROM customer WHERE id = ?1")?
                        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    if other_name != name
                        && longest_common(&core, &core_name(&other_name)) >= 2
                        && longest_common(address, &other_address) >= 4
                    {
                        note(id, 10, "名称相似".into());
                        note(id, 10, "地址相似".into());
                    }
                }
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut items = Vec::new();
    for (_, id, reasons) in found.into_iter().take(5) {
        if let Some(customer) = load(conn, id)? {
            items.push(Duplicate { customer, reasons });
        }
    }
    Ok(Duplicates { items })
}

#[derive(Debug, Deserialize)]
pub struct MergeArgs {
    pub keep_id: CustomerId,
    pub merge_id: CustomerId,
}

/// 合并客户: `merge_id` goes into `keep_id` — machines, branches and missing phones move,
/// empty fields are filled, and `merge_id` stays as a record marked merged, out of search.
pub fn merge(desk: &mut Desk, args: MergeArgs) -> Result<Customer> {
    let MergeArgs { keep_id, merge_id } = args;
    if keep_id == merge_id {
        return Err(Error::invalid("merge_id", "不能把客户合并到自己"));
    }
    let conn = desk.conn();
    let keep = load(conn, keep_id)?.ok_or_else(|| not_found(keep_id))?;
    let gone = load(conn, merge_id)?.ok_or_else(|| not_found(merge_id))?;
    if keep.merged_into.is_some() {
        return Err(Error::invalid(
            "keep_id",
            format!("“{}”已被合并，请选择合并后的档案", keep.name),
        ));
    }
    if gone.merged_into.is_some() {
        return Err(Error::invalid(
            "merge_id",
            format!("“{}”已经合并过了", gone.name),
        ));
    }
    if keep.parent.as_ref().is_some_and(|p| p.id == merge_id) {
        return Err(Error::invalid("merge_id", "不能把总店合并到它自己的分店"));
    }
    if !gone.branches.is_empty() && keep.parent.is_some() {
        return Err(Error::invalid(
            "merge_id",
            format!("“{}”有分店，不能合并到一个分店里", gone.name),
        ));
    }
    let at = desk.stamp();
    let tx = desk.write()?;
    let machines = tx.execute(
        "UPDATE equipment SET customer_id = ?1, updated_at = ?3 WHERE customer_id = ?2",
        params![keep_id, merge_id, at],
    )?;
    let branches = tx.execute(
        "UPDATE customer SET parent_id = ?1 WHERE parent_id = ?2 AND id <> ?1",
        params![keep_id, merge_id],
    )?;
    let mut next: i64 = tx.query_row(
        "SELECT count(*) FROM customer_phone WHERE customer_id = ?1",
        [keep_id],
        |r| r.get(0),
    )?;
    let mut moved_phones = Vec::new();
    for p in &gone.phones {
        if !keep.phones.iter().any(|k| k.number == p.number) {
            let digits = Phone::from_stored(&p.number).digits;
            tx.execute(
                "INSERT INTO customer_phone (customer_id, position, number, digits) VALUES (?1, ?2, ?3, ?4)",
                params![keep_id, next, p.number, digits],
            )?;
            next += 1;
            moved_phones.push(p.display.clone());
        }
    }
    let pick = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            a.to_string()
        }
    };
    let address = pick(&keep.address, &gone.address);
    tx.execute(
        "UPDATE customer SET address = ?2, region = ?3, source = ?4, notes = ?5, updated_at = ?6 WHERE id = ?1",
        params![
            keep_id,
            address,
            pick(&keep.region, &gone.region),
            pick(&keep.source, &gone.source),
            pick(&keep.notes, &gone.notes),
            at
        ],
    )?;
    if address != keep.address {
        unindex_text(&tx, keep_id)?;
        index_text(&tx, keep_id, &keep.name, &address)?;
    }
    tx.execute(
        "UPDATE customer SET merged_into = ?1, updated_at = ?3 WHERE id = ?2",
        params![keep_id, merge_id, at],
    )?;
    unindex_text(&tx, merge_id)?;
    let mut detail = format!(
        "并入“{}”（编号 {merge_id}）：设备 {machines} 台，分店 {branches} 家",
        gone.name
    );
    if !moved_phones.is_empty() {
        detail.push_str(&format!("，电话 {}", moved_phones.join("、")));
    }
    audit::record(&tx, &at, "merged", "customer", keep_id, &detail)?;
    audit::record(
        &tx,
        &at,
        "merged_away",
        "customer",
        merge_id,
        &format!("已合并到“{}”（编号 {keep_id}）", keep.name),
    )?;
    tx.commit()?;
    load(desk.conn(), keep_id)?.ok_or_else(|| not_found(keep_id))
}

#[derive(Debug, Serialize)]
pub struct TimelineItem {
    pub at: String,
    /// The work order an `order` item is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct Timeline {
    pub items: Vec<TimelineItem>,
}

/// 客户时间线: what happened to the customer and their machines, newest first, with the
/// `more` items the areas above the archive add (their work orders: the command
/// `customers.timeline` is [`crate::orders::history::timeline`]).
pub fn timeline(desk: &mut Desk, args: GetArgs, more: Vec<TimelineItem>) -> Result<Timeline> {
    let conn = desk.conn();
    let c = load(conn, args.id)?.ok_or_else(|| not_found(args.id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, action, detail, entity FROM audit_entry
         WHERE ((entity = 'customer' AND entity_id = ?1)
            OR (entity = 'equipment' AND entity_id IN (SELECT id FROM equipment WHERE customer_id = ?1)))
           -- Who looked at the file is for the audit trail, not the customer's story; the
           -- creation is told once, from the record itself (below).
           AND NOT (entity = 'customer' AND action IN ('opened', 'created'))
         ORDER BY at DESC, id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([args.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (at, action, detail, entity) = row?;
        let title = if entity == "equipment" {
            crate::archive::equipment::title(&action)
        } else {
            match action.as_str() {
                "updated" => "修改客户资料",
                "merged" => "合并客户",
                "merged_away" => "已被合并",
                "exported" => "导出",
                _ => "记录",
            }
        };
        items.push(TimelineItem {
            at,
            order_id: None,
            kind: action,
            title: title.to_string(),
            detail,
        });
    }
    // What the areas above the archive add (the customer's work orders), by time.
    items.extend(more);
    items.sort_by(|a, b| b.at.cmp(&a.at));
    items.push(TimelineItem {
        at: c.created_at.clone(),
        order_id: None,
        kind: "created".into(),
        title: "建立档案".into(),
        detail: c.name.clone(),
    });
    Ok(Timeline { items })
}
