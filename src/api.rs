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
    audit, calendar, callbacks, campaigns, complaints, customers, dayboard, engineers, equipment,
    export, import, models, orders, parts, reports, search, settings, slips, stock, stocktake,
    Desk,
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
/// Intake: the clerk on the phone, the dispatcher too at a small desk.
const DESK_AND_DISPATCH: &[Role] = &[Clerk, Dispatcher, Manager];
const DISPATCH: &[Role] = &[Dispatcher, Manager];
const MANAGER_DISPATCH: &[Role] = &[Manager, Dispatcher];
/// Completion: the engineer records it, or the clerk types in the paper slip.
const FIELD: &[Role] = &[Engineer, Clerk, Manager];
const FIELD_AND_DISPATCH: &[Role] = &[Engineer, Clerk, Dispatcher, Manager];

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
    command!("calendar.list", EVERYONE, calendar::list),
    command!("calendar.save", MANAGER, calendar::save_day),
    command!("callbacks.get", EVERYONE, callbacks::get),
    command!("callbacks.queue", DESK, callbacks::queue),
    command!("callbacks.record", DESK, callbacks::record),
    command!("campaigns.create", MANAGER_DESK, campaigns::create),
    command!("campaigns.get", EVERYONE, campaigns::get),
    command!("campaigns.list", EVERYONE, campaigns::list),
    command!("campaigns.preview", MANAGER_DESK, campaigns::preview),
    command!("campaigns.record", FIELD, campaigns::record),
    command!("campaigns.report", MANAGER_DESK, campaigns::report),
    command!("complaints.causes", EVERYONE, complaints::causes),
    command!("complaints.create", DESK, complaints::create),
    command!("complaints.get", EVERYONE, complaints::get),
    command!("complaints.list", DESK, complaints::list),
    command!("complaints.update", DESK, complaints::update),
    command!("customers.create", DESK, customers::create),
    command!("customers.duplicates", DESK, customers::duplicates),
    command!("customers.export", DESK, export::customers),
    command!("customers.get", EVERYONE, customers::get),
    command!("customers.merge", DESK, customers::merge),
    command!("customers.search", EVERYONE, customers::search),
    command!("customers.timeline", EVERYONE, customers::timeline),
    command!("customers.update", DESK, customers::update),
    command!("day.alerts", EVERYONE, dayboard::alerts),
    command!("day.board", EVERYONE, dayboard::board),
    command!("engineers.list", EVERYONE, engineers::list),
    command!("engineers.save", MANAGER_DISPATCH, engineers::save),
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
    command!("orders.assign", DISPATCH, orders::flow::assign),
    command!("orders.board", EVERYONE, orders::board::board),
    command!("orders.caller", DESK_AND_DISPATCH, orders::caller),
    command!("orders.complete", FIELD, orders::flow::complete),
    command!("orders.confirm", DESK_AND_DISPATCH, orders::flow::confirm),
    command!("orders.create", DESK_AND_DISPATCH, orders::create),
    command!("orders.faults", EVERYONE, orders::faults),
    command!("orders.get", EVERYONE, orders::get),
    command!("orders.list", EVERYONE, orders::list),
    command!("orders.move", FIELD_AND_DISPATCH, orders::flow::move_to),
    command!("orders.pay", DESK, orders::flow::pay),
    command!("orders.receivables", DESK, orders::board::receivables),
    command!("orders.suggest", DISPATCH, orders::board::suggest),
    command!("parts.get", EVERYONE, parts::get),
    command!("parts.labels", STORE, crate::labels::print),
    command!("parts.list", EVERYONE, parts::list),
    command!("parts.save", STORE, parts::save),
    command!("reports.export", MANAGER, reports::export),
    command!("reports.get", MANAGER, reports::get),
    command!("reports.orders", MANAGER, reports::orders),
    command!("search.global", EVERYONE, search::global),
    command!("settings.get", EVERYONE, settings::get),
    command!("settings.save", MANAGER, settings::save),
    command!(
        "slips.calibration",
        MANAGER_DESK,
        slips::template::calibration
    ),
    command!("slips.continuity", DESK, slips::continuity),
    command!("slips.list", EVERYONE, slips::list),
    command!("slips.opinion", FIELD, slips::opinion),
    command!("slips.print", FIELD, slips::print),
    command!("slips.template", EVERYONE, slips::template::get),
    command!("slips.template_save", MANAGER_DESK, slips::template::save),
    command!("slips.void", MANAGER_DESK, slips::void),
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
