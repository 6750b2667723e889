//! The one command table. Every use case is listed here once, with the roles allowed to
//! run it; every door (desktop, browser, command line) calls [`call`] and gets JSON back.
//! A test lists the whole table, so no command can be added unseen.
//!
//! The roles are enforced here, for every command, whoever calls: [`call`] runs a command
//! as the desk's acting user ([`Desk::act_as`]) and refuses it when none of the user's
//! roles is listed. The doors go through [`call_in_session`], which first makes the desk
//! act as the request's session user (or as nobody). A handful of commands are open to
//! nobody too: logging in, the first-run wizard, the login screen's status.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::platform::error::{Error, Result};
use crate::{
    archive::customers, archive::equipment, archive::export, archive::import, archive::models,
    followup::callbacks, followup::campaigns, followup::complaints, followup::dayboard, orders,
    orders::engineers, people::audit, people::backup, people::calendar, people::settings,
    people::users, reports, search, slips, stock::ledger, stock::parts, stock::stocktake, Actor,
    Desk, Role,
};

type Handler = fn(&mut Desk, Value) -> Result<Value>;

pub struct Command {
    pub name: &'static str,
    pub roles: &'static [Role],
    handler: Handler,
}

impl Command {
    /// Whether `actor` may run this command.
    pub fn allows(&self, actor: &Actor) -> bool {
        self.roles == PUBLIC || actor.holds_any(self.roles)
    }
}

use Role::*;

/// Open without logging in: the login screen and the first-run wizard.
const PUBLIC: &[Role] = &[];
const EVERYONE: &[Role] = &[Clerk, Dispatcher, Engineer, Storekeeper, Manager, Admin];
/// Users, backups: the administrator.
const ADMIN: &[Role] = &[Admin];
/// The audit trail and backups: the manager reads them, the administrator keeps them.
const MANAGER_ADMIN: &[Role] = &[Manager, Admin];
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
    command!("audit.list", MANAGER_ADMIN, audit::list),
    command!("auth.login", PUBLIC, users::login),
    command!("auth.logout", PUBLIC, users::logout),
    command!("auth.password", EVERYONE, users::change_password),
    command!("auth.setup", PUBLIC, users::setup),
    command!("auth.status", PUBLIC, status),
    command!("backup.list", MANAGER_ADMIN, backup::list_command),
    command!("backup.now", MANAGER_ADMIN, backup::now),
    command!("backup.restore", ADMIN, backup::restore_command),
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
    command!("customers.timeline", EVERYONE, orders::history::timeline),
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
    command!("orders.complete", FIELD, callbacks::complete),
    command!("orders.confirm", DESK_AND_DISPATCH, orders::flow::confirm),
    command!("orders.create", DESK_AND_DISPATCH, orders::create),
    command!("orders.faults", EVERYONE, orders::faults),
    command!("orders.get", EVERYONE, orders::get),
    command!("orders.intake", DESK_AND_DISPATCH, orders::intake),
    command!("orders.list", EVERYONE, orders::list),
    command!("orders.move", FIELD_AND_DISPATCH, orders::flow::move_to),
    command!("orders.pay", DESK, orders::flow::pay),
    command!("orders.receivables", DESK, orders::board::receivables),
    command!("orders.suggest", DISPATCH, orders::board::suggest),
    command!("parts.get", EVERYONE, parts::get),
    command!("parts.labels", STORE, crate::stock::labels::print),
    command!("parts.list", EVERYONE, parts::list),
    command!("parts.save", STORE, parts::save),
    command!("reports.export", MANAGER, reports::export),
    command!("reports.get", MANAGER, reports::get),
    command!("reports.orders", MANAGER, reports::orders),
    command!("search.global", EVERYONE, search::global),
    command!("settings.get", EVERYONE, settings::get),
    command!("settings.save", MANAGER_ADMIN, settings::save),
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
    command!("stock.claim", STORE, ledger::claim),
    command!("stock.defective", STORE, ledger::defective),
    command!("stock.issue", STORE_AND_ENGINEER, ledger::issue),
    command!("stock.ledger", EVERYONE, ledger::ledger),
    command!("stock.low", EVERYONE, ledger::low),
    command!("stock.purchase_request", STORE, ledger::purchase_request),
    command!("stock.receive", STORE, ledger::receive),
    command!("stock.report", EVERYONE, ledger::report),
    command!(
        "stock.return",
        STORE_AND_ENGINEER,
        ledger::return_from_order
    ),
    command!("stock.reverse", STORE, ledger::reverse),
    command!("stock.slow", EVERYONE, ledger::slow),
    command!("stock.transfer", STORE, ledger::transfer),
    command!("stocktake.count", STORE, stocktake::count),
    command!("stocktake.count_file", STORE, stocktake::count_file),
    command!("stocktake.get", EVERYONE, stocktake::get),
    command!("stocktake.post", MANAGER, stocktake::post),
    command!("stocktake.start", STORE, stocktake::start),
    command!("stores.list", EVERYONE, parts::stores),
    command!("stores.save", STORE, parts::save_store),
    command!("users.list", ADMIN, users::list),
    command!("users.save", ADMIN, users::save),
];

/// Every command, in name order.
pub fn commands() -> &'static [Command] {
    COMMANDS
}

/// Whether `actor` may run command `name` (an unknown command: no one). The one role
/// check, for the table and for what the core offers a user (an order's `actions`).
pub fn allows(actor: &Actor, name: &str) -> bool {
    COMMANDS
        .iter()
        .find(|c| c.name == name)
        .is_some_and(|c| c.allows(actor))
}

/// Runs command `name` with JSON `args` (an object; `null` counts as `{}`) as the desk's
/// acting user, if one of their roles allows it.
pub fn call(desk: &mut Desk, name: &str, args: Value) -> Result<Value> {
    let command = COMMANDS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::UnknownCommand(name.to_string()))?;
    if !command.allows(desk.actor()) {
        if desk.actor().is_nobody() {
            return Err(Error::Unauthorized);
        }
        let needed: Vec<&str> = command.roles.iter().map(|r| r.label()).collect();
        return Err(Error::Forbidden(format!(
            "没有权限：{}（{}）不能使用“{}”，需要以下角色之一：{}",
            desk.actor().name,
            desk.actor()
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("、"),
            name,
            needed.join("、")
        )));
    }
    (command.handler)(desk, args)
}

/// What a door calls for every request: the desk acts as the user of `session` (nobody
/// without a live one), then runs the command as [`call`] does.
pub fn call_in_session(
    desk: &mut Desk,
    session: Option<&str>,
    name: &str,
    args: Value,
) -> Result<Value> {
    let actor = match session.filter(|s| !s.is_empty()) {
        Some(token) => users::resume(desk, token)?.unwrap_or_else(Actor::nobody),
        None => Actor::nobody(),
    };
    desk.act_as(actor);
    let result = call(desk, name, args);
    // Between requests the shared desk acts as nobody, whatever happened.
    desk.act_as(Actor::nobody());
    result
}

/// The error JSON a door returns for a call that did not come back at all (the worker
/// thread running it panicked). The core promises not to panic on user input, so this is
/// a bug, not the clerk's mistake; every door answers it alike.
pub fn internal_error(detail: impl std::fmt::Display) -> Value {
    serde_json::json!({
        "code": "internal",
        "message": format!("程序内部错误，请重试或联系管理员（{detail}）"),
    })
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
    user: Actor,
    customers: u64,
}

/// What the status bar shows: version, data file, who is at the desk.
fn app_info(desk: &mut Desk, _: NoArgs) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_file: desk.path().display().to_string(),
        user: desk.actor().clone(),
        customers: customers::count(desk)?,
    })
}

/// What the UI needs before and after login.
#[derive(Debug, Serialize)]
pub struct Status {
    /// No user exists yet: the first-run wizard must run.
    pub needs_setup: bool,
    /// The logged-in user, if any.
    pub user: Option<Actor>,
    /// The commands this user may run (the UI hides the rest).
    pub commands: Vec<&'static str>,
}

/// 登录状态: whether the first-run wizard is due, and who is logged in with what rights.
pub fn status(desk: &mut Desk, _: users::NoArgs) -> Result<Status> {
    let actor = desk.actor().clone();
    let commands = commands()
        .iter()
        .filter(|c| c.allows(&actor))
        .map(|c| c.name)
        .collect();
    Ok(Status {
        needs_setup: !users::any_user(desk.conn())?,
        user: (!actor.is_nobody()).then_some(actor),
        commands,
    })
}
