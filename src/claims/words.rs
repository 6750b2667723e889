//! The claims' words: where a claim to a brand stands, what a claim line is for, and the
//! fields a brand's claim workbook may have as columns. The stored and JSON words are
//! these enums' words; nothing else in the core spells them.

crate::words! {
    /// 索赔状态: draft → submitted → approved / partly / rejected; approved and partly →
    /// paid. Forward only.
    pub enum ClaimStatus("索赔状态") {
        Draft = "draft", "草稿";
        Submitted = "submitted", "已提交";
        Approved = "approved", "已核准";
        Partly = "partly", "部分核准";
        Rejected = "rejected", "已驳回";
        Paid = "paid", "已回款";
    }
}

impl ClaimStatus {
    /// Where a claim in this status may go by `claims.settle` (submitting has its own
    /// command: it moves a whole batch).
    pub fn settles_to(self) -> &'static [ClaimStatus] {
        match self {
            ClaimStatus::Submitted => &[
                ClaimStatus::Approved,
                ClaimStatus::Partly,
                ClaimStatus::Rejected,
            ],
            ClaimStatus::Approved | ClaimStatus::Partly => &[ClaimStatus::Paid],
            ClaimStatus::Draft | ClaimStatus::Rejected | ClaimStatus::Paid => &[],
        }
    }

    /// The brand owes this claim's approved amount (approved or partly, not yet paid).
    pub const OWED: &'static [ClaimStatus] = &[ClaimStatus::Approved, ClaimStatus::Partly];

    /// The statuses as an SQL list for `IN (…)`.
    pub fn sql_list(statuses: &[ClaimStatus]) -> String {
        let words: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", words.join(", "))
    }
}

crate::words! {
    /// 索赔项目: the labour of the order by the brand's rate card, or a part used on it.
    pub enum LineKind("索赔项目") {
        Labour = "labour", "工时费";
        Part = "part", "备件费";
    }
}

crate::words! {
    /// 索赔表字段: what a column of a brand's claim workbook holds. A brand's layout is an
    /// ordered list of these, each with the brand's own header text.
    pub enum ClaimField("索赔表字段") {
        ClaimNo = "claim_no", "索赔单号";
        OrderNo = "order_no", "工单号";
        CompletedOn = "completed_on", "完工日期";
        Customer = "customer", "用户姓名";
        Phone = "phone", "用户电话";
        Address = "address", "用户地址";
        Model = "model", "型号";
        ModelName = "model_name", "型号名称";
        Serial = "serial", "机身编号";
        PurchaseDate = "purchase_date", "购机日期";
        Kind = "kind", "服务类型";
        FaultCategory = "fault_category", "故障类别";
        Fault = "fault", "故障现象";
        WorkDone = "work_done", "处理结果";
        Engineer = "engineer", "维修工程师";
        Parts = "parts", "更换备件";
        DefectiveForms = "defective_forms", "旧件返厂单号";
        LabourFen = "labour_fen", "工时费";
        PartsFen = "parts_fen", "备件费";
        ClaimedFen = "claimed_fen", "索赔金额";
        Status = "status", "索赔状态";
        ApprovedFen = "approved_fen", "核准金额";
        Reason = "reason", "核减原因";
    }
}

impl ClaimField {
    /// The layout of a brand that has not set its own.
    pub const DEFAULT_LAYOUT: &'static [ClaimField] = &[
        ClaimField::ClaimNo,
        ClaimField::OrderNo,
        ClaimField::CompletedOn,
        ClaimField::Customer,
        ClaimField::Phone,
        ClaimField::Model,
        ClaimField::Serial,
        ClaimField::PurchaseDate,
        ClaimField::Fault,
        ClaimField::WorkDone,
        ClaimField::Parts,
        ClaimField::DefectiveForms,
        ClaimField::LabourFen,
        ClaimField::PartsFen,
        ClaimField::ClaimedFen,
    ];

    /// Whether the column is money (yuan with fen in the workbook).
    pub fn is_money(self) -> bool {
        matches!(
            self,
            ClaimField::LabourFen
                | ClaimField::PartsFen
                | ClaimField::ClaimedFen
                | ClaimField::ApprovedFen
        )
    }
}
