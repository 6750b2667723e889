//! The one command table. Every use case is listed here once, with the roles allowed to
//! run it and the action it is for a person (收款, 派工…); every door (desktop, browser,
//! command line) calls [`call`] and gets the reply's JSON text back, made once.
//! A test lists the whole table, so no command can be added unseen.
//!
//! The roles are enforced here, for every command, whoever calls: [`call`] runs a command
//! as the desk's acting user ([`Desk::act_as`]) and refuses it when none of the user's
//! roles is listed, naming the action in Chinese. The doors go through
//! [`call_in_session`], which first makes the desk act as the request's session user (or
//! as nobody). A handful of commands are open to nobody too: logging in, the first-run
//! wizard, the login screen's status.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::platform::error::{Error, Result};
use crate::{
    archive, archive::customers, archive::equipment, archive::export, archive::import,
    archive::models, archive::phones, calls, claims, followup::callbacks, followup::campaigns,
    followup::complaints, followup::dayboard, notify, orders, orders::engineers, people::audit,
    people::backup, people::calendar, people::settings, people::users, reports, search, slips,
    stock::ledger, stock::parts, stock::stocktake, Actor, Desk, Role,
};

type Handler = fn(&mut Desk, Value) -> Result<Reply>;

pub struct Command {
    pub name: &'static str,
    /// The action as a person names it (收款, 盘点过账): what a refusal says, never `name`.
    pub label: &'static str,
    pub roles: &'static [Role],
    handler: Handler,
}

impl Command {
    /// Whether `actor` may run this command.
    pub fn allows(&self, actor: &Actor) -> bool {
        self.roles == PUBLIC || actor.holds_any(self.roles)
    }
}

/// A command's answer as JSON text, serialized once, straight from the use case's typed
/// result (no `serde_json::Value` in between): the doors send it as it is. An in-process
/// caller that wants to look inside parses it back with [`Reply::value`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply(String);

impl Reply {
    /// The JSON text of `out`.
    pub fn of<T: Serialize + ?Sized>(out: &T) -> Result<Reply> {
        serde_json::to_string(out)
            .map(Reply)
            .map_err(|e| Error::BadRequest(e.to_string()))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON text, for a door's response body.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The reply parsed back into a `Value` (tests, the command line).
    pub fn value(&self) -> Value {
        // The text is what serde_json itself wrote from a typed value: always valid JSON.
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl From<Reply> for Value {
    fn from(reply: Reply) -> Value {
        reply.value()
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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

/// Turns a typed use case `fn(&mut Desk, Args) -> Result<Out>` into a table entry: its
/// name, the action in Chinese, the roles allowed.
macro_rules! command {
    ($name:literal, $label:literal, $roles:expr, $f:path) => {
        Command {
            name: $name,
            label: $label,
            roles: $roles,
            handler: |desk, args| Reply::of(&$f(desk, parse(args)?)?),
        }
    };
}

static COMMANDS: &[Command] = &[
    command!("app.info", "查看程序信息", EVERYONE, app_info),
    command!("audit.list", "查看操作日志", MANAGER_ADMIN, audit::list),
    command!("auth.login", "登录", PUBLIC, users::login),
    command!("auth.logout", "退出登录", PUBLIC, users::logout),
    command!(
        "auth.password",
        "修改密码",
        EVERYONE,
        users::change_password
    ),
    command!("auth.setup", "首次设置", PUBLIC, users::setup),
    command!("auth.status", "查看登录状态", PUBLIC, status),
    command!(
        "backup.list",
        "查看备份",
        MANAGER_ADMIN,
        backup::list_command
    ),
    command!("backup.now", "立即备份", MANAGER_ADMIN, backup::now),
    command!("backup.restore", "恢复数据", ADMIN, backup::restore_command),
    command!("calendar.list", "查看工作日历", EVERYONE, calendar::list),
    command!(
        "calendar.notice.load",
        "载入节假日通知",
        MANAGER,
        calendar::load_notice
    ),
    command!(
        "calendar.notice.preview",
        "预览节假日通知",
        MANAGER,
        calendar::preview_notice
    ),
    command!("calendar.save", "保存工作日历", MANAGER, calendar::save_day),
    command!("callbacks.get", "查看回访", EVERYONE, callbacks::get),
    command!("callbacks.queue", "查看回访队列", DESK, callbacks::queue),
    command!("callbacks.record", "记录回访", DESK, callbacks::record),
    command!("calls.ring", "来电", DESK_AND_DISPATCH, calls::ring),
    command!("calls.settings", "查看来电设置", MANAGER, calls::cti::get),
    command!(
        "calls.settings.save",
        "保存来电设置",
        MANAGER,
        calls::cti::save
    ),
    command!(
        "campaigns.create",
        "新建主动服务",
        MANAGER_DESK,
        campaigns::create
    ),
    command!("campaigns.get", "查看主动服务", EVERYONE, campaigns::get),
    command!(
        "campaigns.list",
        "查看主动服务列表",
        EVERYONE,
        campaigns::list
    ),
    command!(
        "campaigns.preview",
        "预览主动服务名单",
        MANAGER_DESK,
        campaigns::preview
    ),
    command!(
        "campaigns.record",
        "记录主动服务结果",
        FIELD,
        campaigns::record
    ),
    command!(
        "campaigns.report",
        "打印服务报告",
        MANAGER_DESK,
        campaigns::report
    ),
    command!(
        "claims.brand_save",
        "保存厂家",
        MANAGER,
        claims::brands::save
    ),
    command!("claims.brands", "查看厂家", STORE, claims::brands::list),
    command!("claims.create", "建索赔", STORE, claims::create),
    command!("claims.export", "导出索赔表", STORE, claims::export::export),
    command!("claims.list", "查看厂家索赔", STORE, claims::list),
    command!("claims.settle", "登记厂家结算", MANAGER, claims::settle),
    command!("claims.submit", "提交索赔批次", STORE, claims::submit),
    command!(
        "complaints.causes",
        "查看投诉原因",
        EVERYONE,
        complaints::causes
    ),
    command!("complaints.create", "登记投诉", DESK, complaints::create),
    command!("complaints.get", "查看投诉", EVERYONE, complaints::get),
    command!("complaints.list", "查看投诉列表", DESK, complaints::list),
    command!("complaints.update", "处理投诉", DESK, complaints::update),
    command!("customers.create", "新建客户", DESK, customers::create),
    command!(
        "customers.duplicates",
        "查找重复客户",
        DESK,
        customers::duplicates
    ),
    command!("customers.export", "导出客户档案", DESK, export::customers),
    command!("customers.get", "查看客户档案", EVERYONE, customers::get),
    command!("customers.merge", "合并客户", DESK, customers::merge),
    command!("customers.search", "查找客户", EVERYONE, customers::search),
    command!(
        "customers.timeline",
        "查看客户往来记录",
        EVERYONE,
        orders::history::timeline
    ),
    command!("customers.update", "修改客户档案", DESK, customers::update),
    command!("day.alerts", "查看时限提醒", EVERYONE, dayboard::alerts),
    command!("day.board", "查看今日看板", EVERYONE, dayboard::board),
    command!("engineers.list", "查看工程师", EVERYONE, engineers::list),
    command!(
        "engineers.save",
        "保存工程师",
        MANAGER_DISPATCH,
        engineers::save
    ),
    command!("equipment.create", "登记设备", DESK, equipment::create),
    command!("equipment.get", "查看设备档案", EVERYONE, equipment::get),
    command!("equipment.list", "查看设备列表", EVERYONE, equipment::list),
    command!(
        "equipment.override_warranty",
        "保修特批",
        MANAGER_DESK,
        equipment::override_warranty
    ),
    command!("equipment.update", "修改设备档案", DESK, equipment::update),
    command!("import.commit", "导入客户档案", DESK, import::commit),
    command!("import.preview", "预览导入", DESK, import::preview),
    command!(
        "import.report",
        "下载导入报告",
        DESK,
        archive::import_report::report
    ),
    command!("loaners.lend", "借出备用机", DESK, orders::loaners::lend),
    command!(
        "loaners.list",
        "查看备用机",
        EVERYONE,
        orders::loaners::list
    ),
    command!(
        "loaners.return",
        "归还备用机",
        DESK,
        orders::loaners::return_loaner
    ),
    command!("loaners.save", "保存备用机", MANAGER, orders::loaners::save),
    command!("models.list", "查看型号", EVERYONE, models::list),
    command!("models.save", "保存型号", MANAGER_DESK, models::save),
    command!(
        "notify.customer",
        "查看客户通知设置",
        EVERYONE,
        notify::customer
    ),
    command!("notify.log", "查看通知记录", EVERYONE, notify::log),
    command!("notify.preview", "预览通知", MANAGER, notify::preview),
    command!(
        "notify.save_customer",
        "修改客户通知设置",
        DESK,
        notify::save_customer
    ),
    command!(
        "notify.save_settings",
        "保存通知设置",
        MANAGER,
        notify::save_settings
    ),
    command!(
        "notify.save_template",
        "保存通知模板",
        MANAGER,
        notify::save_template
    ),
    command!("notify.settings", "查看通知设置", MANAGER, notify::settings),
    command!(
        "notify.templates",
        "查看通知模板",
        MANAGER,
        notify::templates
    ),
    command!("notify.test", "发送测试通知", MANAGER, notify::test),
    command!("orders.assign", "派工", DISPATCH, orders::flow::assign),
    command!(
        "orders.attach",
        "添加工单附件",
        FIELD_AND_DISPATCH,
        orders::attachments::attach
    ),
    command!(
        "orders.attachment_download",
        "下载工单附件",
        EVERYONE,
        orders::attachments::download
    ),
    command!(
        "orders.attachment_void",
        "作废工单附件",
        FIELD_AND_DISPATCH,
        orders::attachments::void
    ),
    command!(
        "orders.attachments",
        "查看工单附件",
        EVERYONE,
        orders::attachments::list
    ),
    command!(
        "orders.board",
        "查看派工看板",
        EVERYONE,
        orders::board::board
    ),
    command!(
        "orders.caller",
        "来电查询",
        DESK_AND_DISPATCH,
        orders::caller
    ),
    command!("orders.complete", "完工", FIELD, callbacks::complete),
    command!(
        "orders.confirm",
        "回电确认",
        DESK_AND_DISPATCH,
        orders::flow::confirm
    ),
    command!(
        "orders.create",
        "登记工单",
        DESK_AND_DISPATCH,
        orders::create
    ),
    command!("orders.faults", "查看常见故障", EVERYONE, orders::faults),
    command!("orders.get", "查看工单", EVERYONE, orders::get),
    command!(
        "orders.intake",
        "来电登记",
        DESK_AND_DISPATCH,
        orders::intake
    ),
    command!("orders.list", "查看工单列表", EVERYONE, orders::list),
    command!(
        "orders.move",
        "变更工单状态",
        FIELD_AND_DISPATCH,
        orders::flow::move_to
    ),
    command!(
        "orders.pause",
        "暂停计时",
        FIELD_AND_DISPATCH,
        orders::pauses::pause
    ),
    command!("orders.pay", "收款", DESK, orders::flow::pay),
    command!("orders.quote", "报价", FIELD, orders::quotes::quote),
    command!(
        "orders.quote_pdf",
        "打印报价单",
        FIELD,
        orders::quote_print::print
    ),
    command!(
        "orders.quote_decision",
        "报价确认",
        DESK,
        orders::quotes::decide
    ),
    command!(
        "orders.receivables",
        "查看应收款",
        DESK,
        orders::board::receivables
    ),
    command!(
        "orders.set_contact",
        "修改联系人",
        DESK_AND_DISPATCH,
        orders::contact::set_contact
    ),
    command!(
        "orders.status_code_revoke",
        "作废进度查询链接",
        DESK,
        orders::status_page::revoke
    ),
    command!(
        "orders.suggest",
        "推荐派工工程师",
        DISPATCH,
        orders::board::suggest
    ),
    command!(
        "orders.unpause",
        "恢复计时",
        FIELD_AND_DISPATCH,
        orders::pauses::unpause
    ),
    command!("parts.get", "查看备件", EVERYONE, parts::get),
    command!(
        "parts.labels",
        "打印备件标签",
        STORE,
        crate::stock::labels::print
    ),
    command!("parts.list", "查看备件列表", EVERYONE, parts::list),
    command!("parts.save", "保存备件", STORE, parts::save),
    command!("phones.review", "查看待核对号码", DESK, phones::review),
    command!("plans.list", "查看保养计划", EVERYONE, orders::plans::list),
    command!(
        "plans.machine",
        "查看设备的定期保养",
        EVERYONE,
        orders::plans::machine
    ),
    command!(
        "plans.reading",
        "记录设备读数",
        FIELD_AND_DISPATCH,
        orders::plans::reading
    ),
    command!(
        "plans.run",
        "生成到期保养工单",
        MANAGER_DISPATCH,
        orders::plans::run
    ),
    command!(
        "plans.save",
        "保存保养计划",
        DESK_AND_DISPATCH,
        orders::plans::save
    ),
    command!(
        "reports.commission",
        "查看提成明细",
        MANAGER,
        reports::commission::detail
    ),
    command!(
        "reports.commission_rules",
        "查看提成规则",
        MANAGER,
        reports::commission::rules
    ),
    command!(
        "reports.commission_rules.save",
        "保存提成规则",
        MANAGER,
        reports::commission::save_rules
    ),
    command!("reports.export", "导出报表", MANAGER, reports::export),
    command!("reports.get", "查看报表", MANAGER, reports::get),
    command!("reports.orders", "查看报表明细", MANAGER, reports::orders),
    command!("search.global", "搜索", EVERYONE, search::global),
    command!("settings.get", "查看设置", EVERYONE, settings::get),
    command!("settings.save", "保存设置", MANAGER_ADMIN, settings::save),
    command!(
        "slips.calibration",
        "打印校准页",
        MANAGER_DESK,
        slips::template::calibration
    ),
    command!(
        "slips.continuity",
        "查看服务单连号",
        DESK,
        slips::continuity
    ),
    command!("slips.list", "查看服务单", EVERYONE, slips::list),
    command!("slips.opinion", "记录客户意见", FIELD, slips::opinion),
    command!("slips.preview", "预览服务单", FIELD, slips::preview),
    command!("slips.print", "打印服务单", FIELD, slips::print),
    command!("slips.record", "记录服务单打印", FIELD, slips::record),
    command!(
        "slips.render",
        "准备打印服务单",
        FIELD,
        slips::render_for_print
    ),
    command!(
        "slips.template",
        "查看套打模板",
        EVERYONE,
        slips::template::get
    ),
    command!(
        "slips.template_save",
        "保存套打模板",
        MANAGER_DESK,
        slips::template::save
    ),
    command!("slips.void", "作废服务单", MANAGER_DESK, slips::void),
    command!("stock.claim", "更新索赔状态", STORE, ledger::claim),
    command!("stock.defective", "坏件返厂", STORE, ledger::defective),
    command!("stock.issue", "领料", STORE_AND_ENGINEER, ledger::issue),
    command!("stock.ledger", "查看库存流水", EVERYONE, ledger::ledger),
    command!("stock.low", "查看低库存", EVERYONE, ledger::low),
    command!(
        "stock.purchase_request",
        "生成采购申请",
        STORE,
        ledger::purchase_request
    ),
    command!("stock.receive", "入库", STORE, ledger::receive),
    command!("stock.report", "查看库存报表", EVERYONE, ledger::report),
    command!(
        "stock.return",
        "退料",
        STORE_AND_ENGINEER,
        ledger::return_from_order
    ),
    command!("stock.reverse", "冲销", STORE, ledger::reverse),
    command!("stock.slow", "查看呆滞备件", EVERYONE, ledger::slow),
    command!("stock.transfer", "调拨", STORE, ledger::transfer),
    command!("stocktake.count", "录入盘点数", STORE, stocktake::count),
    command!(
        "stocktake.count_file",
        "导入盘点表",
        STORE,
        stocktake::count_file
    ),
    command!("stocktake.get", "查看盘点", EVERYONE, stocktake::get),
    command!("stocktake.post", "盘点过账", MANAGER, stocktake::post),
    command!("stocktake.start", "开始盘点", STORE, stocktake::start),
    command!("stores.list", "查看仓库", EVERYONE, parts::stores),
    command!("stores.save", "保存仓库", STORE, parts::save_store),
    command!("users.list", "查看用户", ADMIN, users::list),
    command!("users.save", "保存用户", ADMIN, users::save),
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
/// acting user, if one of their roles allows it, and answers the reply's JSON text. A
/// refusal names the action (“收款”), the user, their roles and the roles that may.
pub fn call(desk: &mut Desk, name: &str, args: Value) -> Result<Reply> {
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
            "没有权限：{}（{}）不能“{}”，需要以下角色之一：{}",
            desk.actor().name,
            desk.actor()
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("、"),
            command.label,
            needed.join("、")
        )));
    }
    desk.tell_store_who_acts()?;
    // On PostgreSQL a command whose transaction met another desk's at the same rows is
    // rolled back whole by the server (SERIALIZABLE); it runs again, a few times, before
    // the clerk is told. SQLite's single writer never answers this.
    if desk.engine() == crate::platform::db::Engine::Sqlite {
        return (command.handler)(desk, args);
    }
    let mut tries = 0;
    loop {
        match (command.handler)(desk, args.clone()) {
            Err(Error::Contended) if tries < CONTENDED_TRIES => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(2 << tries));
            }
            result => return result,
        }
    }
}

/// How many times a command that met another desk's transaction runs again.
const CONTENDED_TRIES: u32 = 8;

/// Who a request comes from, as its door saw it.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The session token (`X-Desk-Session` on the browser door, the window's login on the
    /// desktop); None before logging in.
    pub session: Option<String>,
    /// The peer's address on the browser door; None for the desktop window's own calls
    /// and the command line.
    pub peer: Option<std::net::IpAddr>,
    /// The screen refreshing itself (a board's polling), not a person acting: such a call
    /// does not keep an idle session alive.
    pub background: bool,
}

impl Caller {
    /// Whether the request came through the browser door from another PC (a peer that is
    /// not loopback; IPv4-mapped loopback is loopback): this PC's printers are not that
    /// clerk's (issue 18).
    pub fn is_another_pc(&self) -> bool {
        self.peer.is_some_and(|p| !p.to_canonical().is_loopback())
    }

    /// A person's request with this session (or none), from no particular address.
    pub fn with(session: Option<&str>) -> Caller {
        Caller {
            session: session.map(str::to_string),
            ..Caller::default()
        }
    }
}

/// What a door calls for every request: the desk acts as the user of the caller's session
/// (nobody without a live one), then runs the command as [`call`] does.
pub fn call_in_session(desk: &mut Desk, caller: &Caller, name: &str, args: Value) -> Result<Reply> {
    let actor = match caller.session.as_deref().filter(|s| !s.is_empty()) {
        Some(token) => {
            users::resume(desk, token, !caller.background)?.unwrap_or_else(Actor::nobody)
        }
        None => Actor::nobody(),
    };
    desk.act_as(actor);
    desk.caller = caller.clone();
    let result = call(desk, name, args);
    // Between requests the shared desk acts as nobody, whatever happened.
    desk.act_as(Actor::nobody());
    desk.caller = Caller::default();
    result
}

/// Whether `token` is a live session, without touching its idle clock: a door asks this
/// before it reads a large body, so that only a logged-in user can send one.
pub fn session_alive(desk: &Desk, token: &str) -> bool {
    users::alive(desk, token)
}

/// Whether `token` is a live session whose user may run `command`, without touching its
/// idle clock: a door's event stream (the rings of issue 20) asks this when a desk
/// subscribes and before each event, so that a logged-out desk, or one whose user may not
/// take calls, is sent nothing. `Unauthorized` without a live session; `Forbidden` when
/// its user's roles do not allow the command.
pub fn session_may(desk: &mut Desk, token: &str, command: &str) -> Result<()> {
    let actor = users::resume(desk, token, false)?.ok_or(Error::Unauthorized)?;
    if allows(&actor, command) {
        Ok(())
    } else {
        let label = COMMANDS
            .iter()
            .find(|c| c.name == command)
            .map_or(command, |c| c.label);
        Err(Error::Forbidden(format!(
            "没有权限：{}不能“{label}”",
            actor.name
        )))
    }
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

#[derive(Debug, serde::Deserialize)]
struct NoArgs {}

#[derive(Debug, Serialize)]
struct AppInfo {
    version: &'static str,
    data_file: String,
    user: Actor,
    customers: u64,
    /// Whether this PC's printers are the clerk's: true for the desktop window and for a
    /// browser on this PC (loopback); false for a browser on another PC, which then prints
    /// through its own print dialog (`slips.render`, then `slips.record`).
    prints_here: bool,
}

/// What the status bar shows: version, data file, who is at the desk.
fn app_info(desk: &mut Desk, _: NoArgs) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_file: desk.store_name(),
        user: desk.actor().clone(),
        customers: customers::count(desk)?,
        prints_here: !desk.caller().is_another_pc(),
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
    /// Whether the UI may take a session handed over in its address (`#session=`): only
    /// in a test build ([`session_handover`]).
    pub session_handover: bool,
}

/// The variable that turns on the UI tests' hooks (`#session=` in the address) in a
/// debug build; a release build ignores it.
pub const TEST_HOOKS_VAR: &str = "AFTERSALES_TEST_HOOKS";

/// Whether a session handed over in the UI's address is honoured: only in a build with
/// debug assertions (never a release) and with [`TEST_HOOKS_VAR`] set to `1`. Elsewhere a
/// link carrying someone's session cannot log a desk in as them.
pub fn session_handover() -> bool {
    cfg!(debug_assertions) && std::env::var(TEST_HOOKS_VAR).is_ok_and(|v| v == "1")
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
        session_handover: session_handover(),
    })
}
