//! The order's words: its status and the flow between them, its kind, channel, mode,
//! priority, the customer's opinion, fee kinds and payment methods, and the steps a user may take on it now
//! ([`Step`], [`actions`]). The stored and JSON words are these enums' words; nothing else
//! in the core spells them.

use super::clocks::{self, ClockState};
use super::Order;
use crate::Actor;

crate::words! {
    /// 工单状态, in flow order.
    pub enum OrderStatus("工单状态") {
        Registered = "registered", "已登记";
        Dispatched = "dispatched", "已派工";
        InProgress = "in_progress", "处理中";
        WaitingParts = "waiting_parts", "待料";
        Completed = "completed", "已完工";
        CalledBack = "called_back", "已回访";
        Closed = "closed", "已关闭";
        Cancelled = "cancelled", "已取消";
    }
}

use OrderStatus::*;

impl OrderStatus {
    /// The work is not done yet (the board's orders).
    pub const OPEN: &'static [OrderStatus] = &[Registered, Dispatched, InProgress, WaitingParts];
    /// An engineer holds the order (改派 possible).
    pub const ACTIVE: &'static [OrderStatus] = &[Dispatched, InProgress, WaitingParts];
    /// The work was done: payment may be taken, the order counts as served.
    pub const DONE: &'static [OrderStatus] = &[Completed, CalledBack, Closed];

    pub fn is_open(self) -> bool {
        OrderStatus::OPEN.contains(&self)
    }

    /// Where this status may go by `orders.move` (assign and complete have their own
    /// rules: dispatching names an engineer, completing records the work).
    pub fn moves(self) -> &'static [OrderStatus] {
        match self {
            Registered => &[Dispatched, Cancelled],
            Dispatched => &[InProgress, Cancelled],
            InProgress => &[WaitingParts, Completed, Cancelled],
            WaitingParts => &[InProgress, Cancelled],
            Completed => &[CalledBack, InProgress],
            CalledBack => &[Closed, InProgress],
            Closed | Cancelled => &[],
        }
    }

    pub fn may_move_to(self, to: OrderStatus) -> bool {
        self.moves().contains(&to)
    }

    /// Whether an order of `mode` in this status may be completed: from in progress, or a
    /// phone-help order (电话服务) straight from registered — solved on the phone.
    pub fn may_complete(self, mode: Mode) -> bool {
        self == InProgress || (self == Registered && mode == Mode::PhoneHelp)
    }

    /// The statuses as an SQL list for `IN (…)`: `('registered', 'dispatched')`.
    pub fn sql_list(statuses: &[OrderStatus]) -> String {
        let words: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", words.join(", "))
    }
}

crate::words! {
    /// 服务类型.
    pub enum OrderKind("服务类型") {
        Repair = "repair", "维修";
        Maintenance = "maintenance", "维护保养";
        Installation = "installation", "安装";
        Inspection = "inspection", "巡检";
        Consultation = "consultation", "咨询";
    }
}

crate::words! {
    /// 来源渠道: how the request came in.
    pub enum Channel("来源渠道") {
        Phone = "phone", "电话";
        WalkIn = "walk_in", "来访";
        OnSite = "on_site", "现场发现";
        Proactive = "proactive", "主动服务";
    }
}

crate::words! {
    /// 服务方式. The first is the default: most requests are served at the customer's.
    pub enum Mode("服务方式") {
        OnSite = "on_site", "上门";
        PhoneHelp = "phone_help", "电话服务";
        CarryIn = "carry_in", "送修";
    }
}

crate::words! {
    /// 优先级.
    pub enum Priority("优先级") {
        Normal = "normal", "普通";
        Urgent = "urgent", "加急";
    }
}

crate::words! {
    /// 客户意见 on the slip, and the satisfaction a callback records.
    pub enum Opinion("客户意见") {
        Satisfied = "satisfied", "满意";
        Basically = "basically", "基本满意";
        Unsatisfied = "unsatisfied", "不满意";
    }
}

impl Opinion {
    /// A stored or typed opinion that may be "" (not given): `None` for "", else the word,
    /// else `invalid` naming `field`.
    pub fn parse_optional(word: &str, field: &'static str) -> crate::Result<Option<Opinion>> {
        if word.is_empty() {
            Ok(None)
        } else {
            Opinion::parse(word, field).map(Some)
        }
    }
}

/// Serialises an optional opinion as its word, "" when not given (the JSON contract).
pub(crate) fn opinion_or_empty<S: serde::Serializer>(
    o: &Option<Opinion>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(o.map(Opinion::as_str).unwrap_or(""))
}

crate::words! {
    /// 费用类型 of a fee line: parts are billed from the parts used, the others are typed.
    pub enum FeeKind("费用类型") {
        Labour = "labour", "工时费";
        Parts = "parts", "备件费";
        Callout = "callout", "上门费";
        Other = "other", "其他";
    }
}

impl FeeKind {
    /// The kinds an engineer types on completion (the parts fee never is).
    pub const TYPED: &'static [FeeKind] = &[FeeKind::Labour, FeeKind::Callout, FeeKind::Other];
}

crate::words! {
    /// 付款方式 of a payment; on account (挂账) records what is still owed as a receivable.
    pub enum Method("付款方式") {
        Cash = "cash", "现金";
        Transfer = "transfer", "银行转账";
        Wechat = "wechat", "微信";
        Alipay = "alipay", "支付宝";
        OnAccount = "on_account", "挂账";
    }
}

crate::words! {
    /// A step a user may take on an order now: a button of the order file.
    pub enum Step("操作") {
        Confirm = "confirm", "回电确认";
        Assign = "assign", "派工";
        Reassign = "reassign", "改派";
        Start = "start", "开始处理";
        Resume = "resume", "继续处理";
        Reopen = "reopen", "重新处理";
        Wait = "wait", "待料";
        Complete = "complete", "完工";
        Pay = "pay", "收款";
        CalledBack = "called_back", "已回访";
        Close = "close", "关闭工单";
        Cancel = "cancel", "取消工单";
        Contact = "contact", "修改联系人";
        Pause = "pause", "暂停计时";
        Unpause = "unpause", "恢复计时";
        Quote = "quote", "报价";
        QuoteDecision = "quote_decision", "报价确认";
    }
}

crate::words! {
    /// 暂停原因 (issue 21): what a paused order waits for. Parts, or the customer: not
    /// answering, not at home, a quote not yet approved.
    pub enum PauseReason("暂停原因") {
        Parts = "parts", "待料";
        CustomerUnreachable = "customer_unreachable", "待客户：联系不上";
        CustomerAway = "customer_away", "待客户：不在家";
        QuotePending = "quote_pending", "待客户：报价待确认";
    }
}

impl Step {
    /// The command of the table (src/api.rs) the step calls; its roles decide who sees it.
    pub fn command(self) -> &'static str {
        match self {
            Step::Confirm => "orders.confirm",
            Step::Assign | Step::Reassign => "orders.assign",
            Step::Complete => "orders.complete",
            Step::Pay => "orders.pay",
            Step::Contact => "orders.set_contact",
            Step::Pause => "orders.pause",
            Step::Unpause => "orders.unpause",
            Step::Quote => "orders.quote",
            Step::QuoteDecision => "orders.quote_decision",
            Step::Start
            | Step::Resume
            | Step::Reopen
            | Step::Wait
            | Step::CalledBack
            | Step::Close
            | Step::Cancel => "orders.move",
        }
    }
}

/// One step offered on the order: `{"name": "assign", "main": true}`; `main` marks the step
/// the order waits for (the primary button).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Action {
    pub name: Step,
    pub main: bool,
}

/// Whether the 3-minute confirmation call is still to be made on this open order.
pub fn confirm_pending(o: &Order) -> bool {
    o.status.is_open()
        && o.clocks.iter().any(|c| {
            c.kind == clocks::Kind::Confirm
                && c.done_at.is_none()
                && matches!(
                    c.state,
                    ClockState::Running | ClockState::Warning | ClockState::Broken
                )
        })
}

/// The steps the flow allows on `o` now, in the order the clerk reads them.
pub fn steps(o: &Order) -> Vec<Step> {
    let s = o.status;
    let mut list = Vec::new();
    if confirm_pending(o) {
        list.push(Step::Confirm);
    }
    if s.may_move_to(Dispatched) {
        list.push(Step::Assign);
    } else if OrderStatus::ACTIVE.contains(&s) {
        list.push(Step::Reassign);
    }
    if s.may_move_to(InProgress) {
        list.push(match s {
            Dispatched => Step::Start,
            WaitingParts => Step::Resume,
            _ => Step::Reopen,
        });
    }
    if s.may_move_to(WaitingParts) {
        list.push(Step::Wait);
    }
    // 暂停 / 恢复: the clocks of an open order (pauses.rs).
    if o.pause.is_some() {
        list.push(Step::Unpause);
    } else if s.is_open() {
        list.push(Step::Pause);
    }
    // 保外报价: an open order out of warranty is quoted; a waiting quote is answered.
    if o.quote_waiting && s.is_open() {
        list.push(Step::QuoteDecision);
    }
    if s.is_open()
        && o.mode != Mode::PhoneHelp
        && o.warranty != crate::archive::warranty::Status::In
    {
        list.push(Step::Quote);
    }
    if s.may_move_to(Completed) || s.may_complete(o.mode) {
        list.push(Step::Complete);
    }
    // A cancelled order still holding money (a deposit, issue 21) is refunded through 收款.
    if (OrderStatus::DONE.contains(&s) && (o.outstanding_fen > 0 || o.paid_fen > 0))
        || (s == Cancelled && o.paid_fen > 0)
    {
        list.push(Step::Pay);
    }
    if s.may_move_to(CalledBack) {
        list.push(Step::CalledBack);
    }
    if s.may_move_to(Closed) {
        list.push(Step::Close);
    }
    if s.may_move_to(Cancelled) {
        list.push(Step::Cancel);
    }
    // In every status: it corrects the paper, not the money.
    list.push(Step::Contact);
    list
}

/// The step the order waits for.
pub fn main_step(o: &Order) -> Option<Step> {
    if o.quote_waiting && o.status.is_open() {
        return Some(Step::QuoteDecision);
    }
    match o.status {
        Registered if o.mode == Mode::PhoneHelp => Some(Step::Complete),
        Registered => Some(Step::Assign),
        Dispatched => Some(Step::Start),
        InProgress => Some(Step::Complete),
        WaitingParts => Some(Step::Resume),
        Completed if o.outstanding_fen > 0 => Some(Step::Pay),
        Completed => Some(Step::CalledBack),
        CalledBack => Some(Step::Close),
        Closed | Cancelled => None,
    }
}

/// The steps whose command `actor`'s roles may run (the command table decides): asked once
/// per read, not once per order and step.
pub fn allowed_steps(actor: &Actor) -> Vec<Step> {
    Step::ALL
        .iter()
        .copied()
        .filter(|step| crate::may(actor, step.command()))
        .collect()
}

/// What a user may do on `o` now: the flow's steps among `allowed` (see [`allowed_steps`]),
/// the awaited one marked `main`.
pub fn actions(o: &Order, allowed: &[Step]) -> Vec<Action> {
    let main = main_step(o);
    steps(o)
        .into_iter()
        .filter(|step| allowed.contains(step))
        .map(|name| Action {
            name,
            main: Some(name) == main,
        })
        .collect()
}

crate::words! {
    /// What an entry of the order's timeline (`order_event`) records; the label is its
    /// title (a status change is titled with the new status, see `flow::event_title`).
    pub enum EventKind("工单记录") {
        Created = "created", "登记工单";
        Confirmed = "confirmed", "已回电确认";
        Assigned = "assigned", "派工";
        Reassigned = "reassigned", "改派";
        Completed = "completed", "完工";
        Payment = "payment", "收款";
        Refund = "refund", "退款";
        OnAccount = "on_account", "挂账";
        Reopened = "reopened", "重新处理";
        Status = "status", "状态改变";
        Opinion = "opinion", "记录";
        Slip = "slip", "记录";
        SlipVoid = "slip_void", "记录";
        Callback = "callback", "记录";
        Complaint = "complaint", "记录";
        Contact = "contact", "修改联系人";
        Attached = "attached", "添加附件";
        AttachmentVoid = "attachment_void", "作废附件";
        Paused = "paused", "暂停计时";
        Resumed = "resumed", "恢复计时";
        LoanerLent = "loaner_lent", "借出备用机";
        LoanerReturned = "loaner_returned", "归还备用机";
        Quoted = "quoted", "报价";
        QuoteDecided = "quote_decided", "报价确认";
        Deposit = "deposit", "收定金";
    }
}

crate::words! {
    /// The customer's answer to a quote (保外报价, issue 21); `superseded`: replaced by a
    /// newer quote before it was answered; `withdrawn`: the order was cancelled while it
    /// waited.
    pub enum QuoteDecision("报价结果") {
        Approved = "approved", "客户同意";
        Refused = "refused", "客户不同意";
        Superseded = "superseded", "已被新报价替代";
        Withdrawn = "withdrawn", "已撤回（工单取消）";
    }
}

crate::words! {
    /// How the customer answered a quote.
    pub enum QuoteHow("确认方式") {
        Phone = "phone", "电话确认";
        Signature = "signature", "签字确认";
        InPerson = "in_person", "当面确认";
    }
}

crate::words! {
    /// 款项类型 of a payment: paid towards the bill after the work, or a deposit (定金)
    /// before it, on an approved quote.
    pub enum PaymentKind("款项类型") {
        Payment = "payment", "收款";
        Deposit = "deposit", "定金";
    }
}

crate::words! {
    /// 备用机状况: of a loaner in the register, when lent and when it comes back.
    pub enum LoanerCondition("备用机状况") {
        Good = "good", "完好";
        Worn = "worn", "有使用痕迹";
        Damaged = "damaged", "损坏";
    }
}

crate::words! {
    /// What an attachment of an order is (`order_attachment.kind`), decided by the file's
    /// first bytes, never its name (orders/attachments.rs).
    pub enum AttachmentKind("附件类型") {
        Jpeg = "jpeg", "JPEG 照片";
        Png = "png", "PNG 图片";
        Pdf = "pdf", "PDF 文件";
    }
}

crate::words! {
    /// 保养周期 of a maintenance plan (定期保养, issue 21): every N calendar months, or
    /// every N on the machine's counter (copies, hours, cycles) read at the visits.
    pub enum PlanBasis("保养周期") {
        Months = "months", "按月";
        Counter = "counter", "按计数";
    }
}

crate::words! {
    /// 计划状态 of a maintenance plan: only an active plan makes orders.
    pub enum PlanState("计划状态") {
        Active = "active", "执行中";
        Paused = "paused", "已暂停";
        Ended = "ended", "已结束";
    }
}

crate::words! {
    /// What puts a message to the customer in the outbox (issue 20, 通知): an order
    /// reaching one of these statuses, or (issue 21, 定期保养) a maintenance order the desk
    /// made ahead of a plan's due date: the customer did not call, so its first message is
    /// the reminder, not 您的报修已登记. The words of the statuses are the statuses' own.
    pub enum Notice("通知时机") {
        Registered = "registered", "已登记";
        Dispatched = "dispatched", "已派工";
        WaitingParts = "waiting_parts", "待料";
        Completed = "completed", "已完工";
        CalledBack = "called_back", "已回访";
        MaintenanceDue = "maintenance_due", "保养到期提醒";
    }
}

impl Notice {
    /// The message an order reaching `status` sends, if any.
    pub fn of_status(status: OrderStatus) -> Option<Notice> {
        match status {
            Registered => Some(Notice::Registered),
            Dispatched => Some(Notice::Dispatched),
            WaitingParts => Some(Notice::WaitingParts),
            Completed => Some(Notice::Completed),
            CalledBack => Some(Notice::CalledBack),
            InProgress | Closed | Cancelled => None,
        }
    }
}

crate::words! {
    /// Where a machine stands against its maintenance plan today (定期保养).
    pub enum DueState("保养状态") {
        Upcoming = "upcoming", "未到期";
        Soon = "soon", "即将到期";
        Overdue = "overdue", "已到期";
        NoReading = "no_reading", "尚无读数";
        Stopped = "stopped", "计划未执行";
    }
}
