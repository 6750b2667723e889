//! The customer archive (客户档案): people and companies, their phones, address, region
//! and class. Owns the tables `customer`, `customer_phone` and the full-text index
//! `customer_text`, which every write keeps in step inside the same transaction.
//!
//! Search takes what a clerk types into one box: digits (4 or more) are a phone — whole,
//! its start, or its last digits; anything else is a fragment of a name, company or
//! address, one or more characters at any position.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::phone::Phone;
use crate::text::{char_len, index_form, phrase_query};
use crate::Desk;

pub type CustomerId = i64;

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
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub kind: String,
    pub name: String,
    pub phones: Vec<PhoneView>,
    pub address: String,
    pub region: String,
    pub class: String,
    pub notes: String,
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
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

/// A customer that passed validation, ready to be written.
pub(crate) struct Valid {
    kind: &'static str,
    name: String,
    phones: Vec<Phone>,
    address: String,
    region: String,
    class: &'static str,
    notes: String,
}

fn limited(field: &'static str, label: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if char_len(value) > max {
        return Err(Error::invalid(field, format!("{label}不能超过{max}个字")));
    }
    Ok(value.to_string())
}

/// Checks a form in the order the eye reads it and returns the first problem.
pub(crate) fn validate(input: &CustomerInput) -> Result<Valid> {
    let kind = match input.kind.as_deref().unwrap_or("person") {
        "person" => "person",
        "company" => "company",
        _ => return Err(Error::invalid("kind", "客户类型只能是“个人”或“单位”")),
    };
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "客户名称不能为空"));
    }
    let name = limited("name", "客户名称", name, 50)?;
    let typed: Vec<&str> = input
        .phones
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
    let address = limited("address", "地址", &input.address, 200)?;
    let region = limited("region", "地区", &input.region, 20)?;
    let class = match input.class.as_deref().unwrap_or("normal") {
        "normal" => "normal",
        "vip" => "vip",
        "key" => "key",
        _ => {
            return Err(Error::invalid(
                "class",
                "客户级别只能是“普通”“VIP”或“大客户”",
            ))
        }
    };
    let notes = limited("notes", "备注", &input.notes, 2000)?;
    Ok(Valid {
        kind,
        name,
        phones,
        address,
        region,
        class,
        notes,
    })
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Writes a new customer inside the caller's transaction.
pub(crate) fn insert(tx: &Transaction, c: &Valid, at: &str) -> Result<CustomerId> {
    tx.prepare_cached(
        "INSERT INTO customer (kind, name, address, region, class, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        c.kind, c.name, c.address, c.region, c.class, c.notes, at
    ])?;
    let id = tx.last_insert_rowid();
    write_children(tx, id, c)?;
    Ok(id)
}

fn write_children(tx: &Transaction, id: CustomerId, c: &Valid) -> Result<()> {
    let mut phone = tx.prepare_cached(
        "INSERT INTO customer_phone (customer_id, position, number, digits) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, p) in c.phones.iter().enumerate() {
        phone.execute(params![id, i as i64, p.number(), p.digits])?;
    }
    tx.prepare_cached("INSERT INTO customer_text (rowid, name, address) VALUES (?1, ?2, ?3)")?
        .execute(params![id, index_form(&c.name), index_form(&c.address)])?;
    Ok(())
}

/// 新建客户.
pub fn create(desk: &mut Desk, input: CustomerInput) -> Result<Customer> {
    let valid = validate(&input)?;
    let tx = desk.conn_mut().transaction()?;
    let id = insert(&tx, &valid, &now())?;
    tx.commit()?;
    get(desk, GetArgs { id })
}

/// 修改客户: replaces every field; phones keep the order typed.
pub fn update(desk: &mut Desk, args: UpdateArgs) -> Result<Customer> {
    let valid = validate(&args.input)?;
    let id = args.id;
    let tx = desk.conn_mut().transaction()?;
    let changed = tx
        .prepare_cached(
            "UPDATE customer SET kind = ?2, name = ?3, address = ?4, region = ?5, class = ?6, notes = ?7,
             updated_at = ?8 WHERE id = ?1",
        )?
        .execute(params![
            id,
            valid.kind,
            valid.name,
            valid.address,
            valid.region,
            valid.class,
            valid.notes,
            now()
        ])?;
    if changed == 0 {
        return Err(not_found(id));
    }
    tx.execute("DELETE FROM customer_phone WHERE customer_id = ?1", [id])?;
    tx.execute("DELETE FROM customer_text WHERE rowid = ?1", [id])?;
    write_children(&tx, id, &valid)?;
    tx.commit()?;
    get(desk, GetArgs { id })
}

fn not_found(id: CustomerId) -> Error {
    Error::NotFound(format!("客户不存在（编号 {id}）"))
}

/// 客户档案: one customer with all phones.
pub fn get(desk: &mut Desk, args: GetArgs) -> Result<Customer> {
    load(desk.conn(), args.id)?.ok_or_else(|| not_found(args.id))
}

fn load(conn: &rusqlite::Connection, id: CustomerId) -> Result<Option<Customer>> {
    let customer = conn
        .prepare_cached(
            "SELECT id, kind, name, address, region, class, notes, created_at, updated_at
             FROM customer WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Customer {
                id: r.get(0)?,
                kind: r.get(1)?,
                name: r.get(2)?,
                phones: Vec::new(),
                address: r.get(3)?,
                region: r.get(4)?,
                class: r.get(5)?,
                notes: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })
        .optional()?;
    let Some(mut customer) = customer else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT number FROM customer_phone WHERE customer_id = ?1 ORDER BY position",
    )?;
    let numbers = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    for number in numbers {
        let number = number?;
        let display = Phone::from_stored(&number).display();
        customer.phones.push(PhoneView { number, display });
    }
    Ok(Some(customer))
}

/// 查找客户: one box for phones and name/company/address fragments, paged.
pub fn search(desk: &mut Desk, args: SearchArgs) -> Result<SearchPage> {
    if args.page_size == 0 || args.page_size > 200 {
        return Err(Error::invalid("page_size", "每页条数应在1到200之间"));
    }
    let page = args.page.max(1);
    let limit = i64::from(args.page_size);
    let offset = i64::from(page - 1) * limit;
    let conn = desk.conn();
    let query = args.query.trim();
    let digits: String = query
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let (total, ids): (i64, Vec<CustomerId>) = if query.is_empty() {
        let total = conn.query_row("SELECT count(*) FROM customer", [], |r| r.get(0))?;
        let ids = collect_ids(
            conn,
            "SELECT id FROM customer ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            params![limit, offset],
        )?;
        (total, ids)
    } else if digits.len() >= 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        // Whole number or its start (index range), or its last digits (tail index).
        const MATCHES: &str = "SELECT customer_id FROM customer_phone
                 WHERE number >= ?1 AND number < ?1 || ':'
               UNION
               SELECT customer_id FROM customer_phone
                 WHERE substr(digits, -4) = substr(?1, -4) AND digits LIKE '%' || ?1";
        let total = conn.query_row(
            &format!("SELECT count(*) FROM ({MATCHES})"),
            [&digits],
            |r| r.get(0),
        )?;
        let ids = collect_ids(
            conn,
            &format!(
                "SELECT customer_id FROM ({MATCHES}) ORDER BY customer_id DESC LIMIT ?2 OFFSET ?3"
            ),
            params![digits, limit, offset],
        )?;
        (total, ids)
    } else {
        let Some(phrase) = phrase_query(query) else {
            return Ok(SearchPage {
                items: Vec::new(),
                total: 0,
                page,
                page_size: args.page_size,
            });
        };
        // Name matches come first, ranked: exact name, name starting with the fragment,
        // name containing it; newest first within each. Address-only matches follow,
        // newest first, which the index returns in order without sorting.
        let in_name = format!("name : {phrase}");
        let address_only = format!("address : {phrase} NOT name : {phrase}");
        let count = |q: &str| -> Result<i64> {
            Ok(conn
                .prepare_cached("SELECT count(*) FROM customer_text WHERE customer_text MATCH ?1")?
                .query_row([q], |r| r.get(0))?)
        };
        let named = count(&in_name)?;
        let total = named + count(&address_only)?;
        let mut ids = if offset < named {
            collect_ids(
                conn,
                "SELECT c.id FROM customer_text t JOIN customer c ON c.id = t.rowid
                 WHERE customer_text MATCH ?1
                 ORDER BY CASE WHEN c.name = ?2 THEN 0
                               WHEN substr(c.name, 1, length(?2)) = ?2 THEN 1 ELSE 2 END, c.id DESC
                 LIMIT ?3 OFFSET ?4",
                params![in_name, query, limit, offset],
            )?
        } else {
            Vec::new()
        };
        let rest = limit - ids.len() as i64;
        if rest > 0 && total > named {
            ids.extend(collect_ids(
                conn,
                "SELECT rowid FROM customer_text WHERE customer_text MATCH ?1
                 ORDER BY rowid DESC LIMIT ?2 OFFSET ?3",
                params![address_only, rest, (offset - named).max(0)],
            )?);
        }
        (total, ids)
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(c) = load(conn, id)? {
            items.push(c);
        }
    }
    Ok(SearchPage {
        items,
        total: total as u64,
        page,
        page_size: args.page_size,
    })
}

fn collect_ids(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
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
