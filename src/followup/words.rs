//! The follow-up's words: a complaint's status, what it is against, how it came in and its
//! cause; a campaign's kind and where each of its tasks stands. The stored and JSON words
//! are these enums' words; nothing else in the core spells them.

crate::words! {
    /// Where a complaint stands: open (to be answered), replied, closed with the customer's
    /// feedback.
    pub enum ComplaintStatus("投诉状态") {
        Open = "open", "待答复";
        Replied = "replied", "已答复";
        Closed = "closed", "已关闭";
    }
}

crate::words! {
    /// 投诉对象: what the customer complains about.
    pub enum Against("投诉对象") {
        Order = "order", "工单";
        Engineer = "engineer", "工程师";
        Company = "company", "公司";
    }
}

crate::words! {
    /// 投诉渠道: how the complaint came in (a callback opens one itself).
    pub enum ComplaintChannel("投诉渠道") {
        Phone = "phone", "电话";
        Letter = "letter", "信函";
        Visit = "visit", "来访";
        Callback = "callback", "回访";
    }
}

crate::words! {
    /// 投诉原因, as the monthly numbers count them; a complaint given none is "other".
    pub enum Cause("投诉原因") {
        Attitude = "attitude", "服务态度";
        Quality = "quality", "维修质量";
        Timeliness = "timeliness", "上门不及时";
        Fees = "fees", "收费问题";
        Parts = "parts", "备件问题";
        Product = "product", "产品质量";
        Other = "other", "其他";
    }
}

crate::words! {
    /// 任务类型 of a proactive campaign: a phone call or a visit to every machine. The
    /// first is the default.
    pub enum CampaignKind("任务类型") {
        Callback = "callback", "电话回访";
        Inspection = "inspection", "上门巡检";
    }
}

crate::words! {
    /// Where one machine of a campaign stands: not recorded yet, or its result.
    pub enum TaskStatus("检查结果") {
        Open = "open", "未检查";
        Ok = "ok", "正常";
        Fault = "fault", "发现故障";
        Unreachable = "unreachable", "联系不上";
    }
}

impl TaskStatus {
    /// The results a task may be recorded with.
    pub const RECORDED: &'static [TaskStatus] =
        &[TaskStatus::Ok, TaskStatus::Fault, TaskStatus::Unreachable];
}
