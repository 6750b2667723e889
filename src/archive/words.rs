//! The archive's words: a customer's kind and class. The stored and JSON words are these
//! enums' words (the warranty verdict is [`crate::archive::warranty::Status`]).

crate::words! {
    /// 客户类型: a person or an organisation; only a company can be a chain's head office.
    /// The first is the default.
    pub enum CustomerKind("客户类型") {
        Person = "person", "个人";
        Company = "company", "单位";
    }
}

crate::words! {
    /// 客户级别. The first is the default.
    pub enum CustomerClass("客户级别") {
        Normal = "normal", "普通";
        Vip = "vip", "VIP";
        Key = "key", "大客户";
    }
}
