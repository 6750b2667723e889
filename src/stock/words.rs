//! The stock's words: what a ledger row records (its movement kind), where a stocktake
//! stands, and where a defective part's claim stands. The stored and JSON words are these
//! enums' words; nothing else in the core spells them.

crate::words! {
    /// 出入库类型: what a row of the ledger (`stock_movement.kind`) records.
    pub enum MovementKind("出入库类型") {
        Receipt = "receipt", "入库";
        Issue = "issue", "领料出库";
        Return = "return", "退料";
        TransferOut = "transfer_out", "调出";
        TransferIn = "transfer_in", "调入";
        Defective = "defective", "返厂";
        Adjustment = "adjustment", "盘点调整";
        Reversal = "reversal", "冲销";
    }
}

impl MovementKind {
    /// Units used on work orders (issued, less what came back): the parts figures count
    /// these.
    pub const USED_ON_ORDERS: &'static [MovementKind] =
        &[MovementKind::Issue, MovementKind::Return];

    /// The kinds as an SQL list for `IN (…)`: `('issue', 'return')`.
    pub fn sql_list(kinds: &[MovementKind]) -> String {
        let words: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
        format!("({})", words.join(", "))
    }
}

crate::words! {
    /// 盘点状态: open (the store is frozen, counts are taken), then posted.
    pub enum StocktakeStatus("盘点状态") {
        Open = "open", "盘点中";
        Posted = "posted", "已过账";
    }
}

crate::words! {
    /// 索赔状态 of a defective part sent back: pending → sent → settled, forward only.
    pub enum ClaimStatus("索赔状态") {
        Pending = "pending", "待寄出";
        Sent = "sent", "已寄出";
        Settled = "settled", "已结算";
    }
}

impl ClaimStatus {
    /// The status after this one, if any.
    pub fn next(self) -> Option<ClaimStatus> {
        match self {
            ClaimStatus::Pending => Some(ClaimStatus::Sent),
            ClaimStatus::Sent => Some(ClaimStatus::Settled),
            ClaimStatus::Settled => None,
        }
    }
}
