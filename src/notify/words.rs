//! The words of status messages: the channels, the state of a message in the outbox and
//! of one attempt in the log.

crate::words! {
    /// 通知渠道.
    pub enum NotifyChannel("通知渠道") {
        Sms = "sms", "短信";
        Wecom = "wecom", "企业微信群";
        Wechat = "wechat", "微信公众号";
    }
}

impl NotifyChannel {
    /// Whether the message goes to the customer (SMS, WeChat), so that a customer's opt-out
    /// stops it; the 企业微信 group robot tells the service team.
    pub fn to_customer(self) -> bool {
        self != NotifyChannel::Wecom
    }

    /// Whether the provider sends only templates it approved beforehand (SMS templates and
    /// signatures, WeChat template messages): such a template is sent only once marked
    /// approved with the provider's template code.
    pub fn needs_approval(self) -> bool {
        self != NotifyChannel::Wecom
    }
}

crate::words! {
    /// 一次发送的结果 (the log).
    pub enum AttemptStatus("发送结果") {
        Sent = "sent", "已发送";
        Failed = "failed", "发送失败";
        Refused = "refused", "未发送";
        Skipped = "skipped", "客户已退订";
    }
}

crate::words! {
    /// 消息状态 in the outbox.
    pub enum OutboxState("消息状态") {
        Pending = "pending", "待发送";
        Sent = "sent", "已发送";
        Failed = "failed", "发送失败";
        Refused = "refused", "未发送";
    }
}
