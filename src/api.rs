//! The one command table. Every use case is listed here once, with the roles allowed to
//! run it; every door (desktop, browser, command line) calls [`call`] and gets JSON back.
//! A test lists the whole table, so no command can be added unseen.
//!
//! Roles are recorded now and enforced once users and logins exist.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{
    audit, customers, equipment, export, import, models, parts, search, stock, stocktake, Desk,
};

/// The jobs at the desk (DOMAIN.md, "The people at the desk").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Clerk,
    Dispatcher,
    Engineer,
    Storekeeper,
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Dispatcher => "dispatcher",
            Role::Engineer => "engineer",
            Role::Storekeeper => "storekeeper",
            Role::Manager => "manager",
        }
    }
}

type Handler = fn(&mut Desk, Value) -> Result<Value>;

pub struct Command {
    pub name: &'static str,
    pub roles: &'static [Role],
    handler: Handler,
}

use Role::*;

const EVERYONE: &[Role] = &[Clerk, Dispatcher, Engineer, Storekeeper, Manager];
const DESK: &[Role] = &[Clerk, Manager];
const MANAGER: &[Role] = &[Manager];
const STORE: &[Role] = &[Storekeeper, Manager];
/// Engineers take parts for their orders and bring back what they did not use.
const STORE_AND_ENGINEER: &[Role] = &[Storekeeper, Engineer, Manager];
/// Warranty overrides and policies: the manager approves; at a small desk the clerk is
/// often the manager too, so both may record it (enforced per user once logins exist).
const MANAGER_DESK: &[Role] = &[Manager, Clerk];

/// Turns a typed use case `fn(&mut Desk, Args) -> Result<Out>` into a table entry.
macro_rules! command {
    ($name:literal, $roles:expr, $f:path) => {
        Command {
            name: $name,
            roles: $roles,
            handler: |desk, args| respond($f(desk, parse(args)?)?),
        }
    };
}

static COMMANDS: &[Command] = &[
    command!("app.info", EVERYONE, app_info),
    command!("audit.list", MANAGER, audit::list),
    command!("customers.create", DESK, customers::create),
    command!("customers.duplicates", DESK, customers::duplicates),
    command!("customers.export", DESK, export::customers),
    command!("customers.get", EVERYONE, customers::get),
    command!("customers.merge", DESK, customers::merge),
    command!("customers.search", EVERYONE, customers::search),
    command!("customers.timeline", EVERYONE, customers::timeline),
    command!("customers.update", DESK, customers::update),
    command!("equipment.create", DESK, equipment::create),
    command!("equipment.get", EVERYONE, equipment::get),
    command!("equipment.list", EVERYONE, equipment::list),
    command!(
        "equipment.override_warranty",
        MANAGER_DESK,
        equipment::override_warranty
    ),
    command!("equipment.update", DESK, equipment::update),
    command!("import.commit", DESK, import::commit),
    command!("import.preview", DESK, import::preview),
    command!("models.list", EVERYONE, models::list),
    command!("models.save", MANAGER_DESK, models::save),
    command!("parts.get", EVERYONE, parts::get),
    command!("parts.list", EVERYONE, parts::list),
    command!("parts.save", STORE, parts::save),
    command!("search.global", EVERYONE, search::global),
    command!("stock.claim", STORE, stock::claim),
    command!("stock.defective", STORE, stock::defective),
    command!("stock.issue", STORE_AND_ENGINEER, stock::issue),
    command!("stock.ledger", EVERYONE, stock::ledger),
    command!("stock.low", EVERYONE, stock::low),
    command!("stock.purchase_request", STORE, stock::purchase_request),
    command!("stock.receive", STORE, stock::receive),
    command!("stock.report", EVERYONE, stock::report),
    command!("stock.return", STORE_AND_ENGINEER, stock::return_from_order),
    command!("stock.reverse", STORE, stock::reverse),
    command!("stock.slow", EVERYONE, stock::slow),
    command!("stock.transfer", STORE, stock::transfer),
    command!("stocktake.count", STORE, stocktake::count),
    command!("stocktake.count_file", STORE, stocktake::count_file),
    command!("stocktake.get", EVERYONE, stocktake::get),
    command!("stocktake.post", MANAGER, stocktake::post),
    command!("stocktake.start", STORE, stocktake::start),
    command!("stores.list", EVERYONE, parts::stores),
    command!("stores.save", STORE, parts::save_store),
];

/// Every command, in name order.
pub fn commands() -> &'static [Command] {
    COMMANDS
}

/// Runs command `name` with JSON `args` (an object; `null` counts as `{}`).
pub fn call(desk: &mut Desk, name: &str, args: Value) -> Result<Value> {
    let command = COMMANDS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::UnknownCommand(name.to_string()))?;
    (command.handler)(desk, args)
}

fn parse<A: DeserializeOwned>(args: Value) -> Result<A> {
    let args = match args {
        Value::Null => Value::Object(Default::default()),
        Value::Object(_) => args,
        _ => return Err(Error::BadRequest("参数应为一个 JSON 对象".into())),
    };
    serde_json::from_value(args).map_err(|e| Error::BadRequest(e.to_string()))
}

fn respond<T: Serialize>(out: T) -> Result<Value> {
    serde_json::to_value(out).map_err(|e| Error::BadRequest(e.to_string()))
}

#[derive(Debug, serde::Deserialize)]
struct NoArgs {}

#[derive(Debug, Serialize)]
struct AppInfo {
    version: &'static str,
    data_file: String,
    user: User,
    customers: u64,
}

#[derive(Debug, Serialize)]
struct User {
    name: &'static str,
    roles: &'static [Role],
}

/// What the status bar shows: version, data file, who is at the desk.
fn app_info(desk: &mut Desk, _: NoArgs) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_file: desk.path().display().to_string(),
        // One desk user until logins exist (see the roles issue).
        user: User {
            name: crate::DESK_USER,
            roles: &[Clerk],
        },
        customers: customers::count(desk)?,
    })
}
