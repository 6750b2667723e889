//! Customer import (客户导入): customers and their machines from the spreadsheets desks
//! already keep — .xlsx, .xls, and .csv in UTF-8, UTF-8 with BOM or GBK/GB18030 (what a
//! Chinese Excel writes when it saves CSV).
//!
//! The file is read into a plain grid of text, the header row (the first non-blank row) is
//! matched to our fields (common Chinese headers are recognised; the clerk may override
//! the mapping), and every row is checked with the same rules as the forms. A bad row is
//! not an error: it goes into `rejected` with its row number as the spreadsheet shows it
//! (the header is row 1 when it is the first row) and a reason naming the column. A file
//! that cannot be read at all is an error (`invalid`, field `file`).
//!
//! Preview and commit run the same planning code, so what the preview promises is what the
//! commit does. Commit writes every valid row in ONE transaction. Import is idempotent:
//! a customer already in the archive (same name and a same phone) is reused, a machine
//! already registered to that customer (same model and serial) is counted as
//! `already_present`, so importing the same file twice adds nothing the second time.
//! Within one file, rows of the same customer are merged into one customer with several
//! machines; a row with neither name nor phone but a machine belongs to the customer of
//! the row above (what merged cells in Excel look like once read).

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::archive::customers::{self, CustomerInput};
use crate::archive::words::{CustomerClass, CustomerKind};
use crate::platform::error::{Error, Result};
use crate::platform::sheet::{self, Row, Sheet};
use crate::platform::time::Stamp;
use crate::{archive::equipment, archive::models, people::audit, Desk};

/// `import.preview` / `import.commit` arguments.
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportArgs {
    /// What is imported; only `customers` (customers with their machines) for now.
    #[serde(default = "default_kind")]
    pub kind: String,
    pub file_name: String,
    pub content_base64: String,
    /// Header → field (or `null` to ignore the column); overrides the recognised mapping.
    #[serde(default)]
    pub mapping: Option<BTreeMap<String, Option<String>>>,
    /// Models to add to the catalogue in the same transaction as the rows: the preview's
    /// unknown models as the clerk filled them in. One not used by any row is not added.
    #[serde(default)]
    pub new_models: Vec<NewModel>,
}

/// A model the clerk adds from the preview's list of unknown models.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewModel {
    pub code: String,
    /// Empty: the code.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: String,
    /// Whole-machine warranty, months from the purchase date.
    #[serde(default = "default_months")]
    pub months: u32,
}

/// The whole-machine warranty a new model is offered with: a year, the term of the
/// national 三包 rules for most household machines and the one most catalogues start from.
pub const DEFAULT_WARRANTY_MONTHS: u32 = 12;

fn default_months() -> u32 {
    DEFAULT_WARRANTY_MONTHS
}

/// The most models one import may add (a real first import has a few dozen).
pub const MAX_NEW_MODELS: usize = 500;

/// A model code of the file that is not in the catalogue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnknownModel {
    pub code: String,
    /// Rows of the file that name it.
    pub rows: usize,
    /// Whether this import adds it (it is among `new_models`).
    pub added: bool,
}

fn default_kind() -> String {
    "customers".into()
}

/// One column of the file and the field it feeds (`None`: ignored).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub field: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejected {
    pub row: usize,
    /// Every reason, joined with "；".
    pub reason: String,
    /// Every problem of the row, in the order of its columns' checks.
    pub reasons: Vec<String>,
}

impl Rejected {
    fn new(row: usize, reasons: Vec<String>) -> Rejected {
        Rejected {
            row,
            reason: reasons.join("；"),
            reasons,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub customers: usize,
    pub equipment: usize,
}

/// What an import would do.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub columns: Vec<Column>,
    /// Data rows in the file (blank rows not counted).
    pub rows: usize,
    /// The first rows as text, one entry per column.
    pub sample: Vec<Vec<String>>,
    pub rejected: Vec<Rejected>,
    pub to_add: Counts,
    /// Rows that add nothing: their customer (and machine) is already in the archive or
    /// earlier in the same file.
    pub already_present: usize,
    /// Model codes of the file that are not in the catalogue, in the order met.
    pub unknown_models: Vec<UnknownModel>,
    /// Whether the user may add models (`models.save`); if not, the list is shown only.
    pub can_create_models: bool,
    pub default_warranty_months: u32,
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct Report {
    pub rows: usize,
    pub added: Counts,
    pub already_present: usize,
    pub rejected: Vec<Rejected>,
    /// Codes of the models added to the catalogue.
    pub models_added: Vec<String>,
}

/// The fields a column can feed, with the Chinese label used in reasons.
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "客户名称"),
    ("kind", "客户类型"),
    ("phones", "联系电话"),
    ("phone2", "其他电话"),
    ("address", "地址"),
    ("region", "地区"),
    ("class", "客户级别"),
    ("source", "客户来源"),
    ("notes", "备注"),
    ("model_code", "型号"),
    ("serial", "序列号"),
    ("purchase_date", "购买日期"),
    ("install_date", "安装日期"),
    ("site", "安装位置"),
];

const SAMPLE_ROWS: usize = 20;

// ---- the use cases ------------------------------------------------------------------

/// 导入预览: reads the file, maps the columns and checks every row by doing the whole
/// import in a transaction that is then rolled back, so the preview cannot promise
/// anything the commit would not do.
pub fn preview(desk: &mut Desk, args: ImportArgs) -> Result<Preview> {
    let (sheet, columns) = open(&args)?;
    let creating = new_models(desk, &args.new_models)?;
    let outcome = attempt(desk, &sheet, &columns, &creating, |tx, _, outcome| {
        tx.rollback()?;
        Ok(outcome)
    })?;
    big_cache(desk, false)?;
    Ok(Preview {
        sample: sheet
            .rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(|r| r.cells.clone())
            .collect(),
        columns,
        rows: sheet.rows.len(),
        to_add: outcome.added,
        already_present: outcome.already_present,
        rejected: outcome.rejected,
        unknown_models: outcome.unknown,
        can_create_models: crate::may(desk.actor(), "models.save"),
        default_warranty_months: DEFAULT_WARRANTY_MONTHS,
    })
}

/// 导入: adds every valid row in one transaction and reports the rest.
pub fn commit(desk: &mut Desk, args: ImportArgs) -> Result<Report> {
    let (sheet, columns) = open(&args)?;
    let creating = new_models(desk, &args.new_models)?;
    let outcome = attempt(desk, &sheet, &columns, &creating, |tx, at, outcome| {
        customers::count_added(&tx, outcome.added.customers)?;
        let models = if outcome.created.is_empty() {
            String::new()
        } else {
            format!(
                "，新建型号 {} 个（{}）",
                outcome.created.len(),
                outcome.created.join("、")
            )
        };
        audit::record(
            &tx,
            at,
            "import",
            "customer",
            0,
            &format!(
                "导入“{}”：新增客户 {} 个、设备 {} 台{models}，已存在 {} 行，未导入 {} 行",
                args.file_name,
                outcome.added.customers,
                outcome.added.equipment,
                outcome.already_present,
                outcome.rejected.len()
            ),
        )?;
        tx.commit()?;
        Ok(outcome)
    })?;
    big_cache(desk, false)?;
    Ok(Report {
        rows: sheet.rows.len(),
        added: outcome.added,
        already_present: outcome.already_present,
        rejected: outcome.rejected,
        models_added: outcome.created,
    })
}

/// The rows an import leaves out, for the import's report (`import.report`): the plan
/// run as by the preview (and rolled back), the rows as the file has them.
pub(crate) fn plan(
    desk: &mut Desk,
    args: &ImportArgs,
) -> Result<(Sheet, Vec<Column>, Vec<Rejected>)> {
    let (sheet, columns) = open(args)?;
    let creating = new_models(desk, &args.new_models)?;
    let rejected = attempt(desk, &sheet, &columns, &creating, |tx, _, outcome| {
        tx.rollback()?;
        Ok(outcome.rejected)
    })?;
    big_cache(desk, false)?;
    Ok((sheet, columns, rejected))
}

/// A new model as it will be added: checked fields and its one whole-machine policy.
struct Creating {
    name: String,
    category: String,
    policies: Vec<crate::archive::warranty::Policy>,
}

/// The clerk's new models, checked (each problem names the model), by code. Adding models
/// is `models.save`'s right: a user without it is refused here, before anything is read.
fn new_models(desk: &Desk, given: &[NewModel]) -> Result<HashMap<String, Creating>> {
    if given.is_empty() {
        return Ok(HashMap::new());
    }
    if !crate::may(desk.actor(), "models.save") {
        return Err(Error::Forbidden(
            "您没有维护型号目录的权限，不能在导入时新建型号：请让经理先在“设置 → 型号与保修”中添加这些型号，或不勾选新建型号后导入其余的行"
                .into(),
        ));
    }
    if given.len() > MAX_NEW_MODELS {
        return Err(Error::invalid(
            "new_models",
            format!("一次导入最多新建 {MAX_NEW_MODELS} 个型号"),
        ));
    }
    let mut out = HashMap::new();
    for m in given {
        let code = crate::platform::text::field("new_models", "型号", &m.code, 40, true)?;
        let named = |e: Error| match e {
            Error::Invalid { message, .. } => {
                Error::invalid("new_models", format!("新建型号 {code}：{message}"))
            }
            e => e,
        };
        let name = if m.name.trim().is_empty() {
            code.clone()
        } else {
            crate::platform::text::field("new_models", "型号名称", &m.name, 60, true)
                .map_err(named)?
        };
        let category = crate::platform::text::field("new_models", "类别", &m.category, 40, false)
            .map_err(named)?;
        let policies = models::check_policies(&[crate::archive::warranty::Policy {
            component: String::new(),
            months: m.months,
            basis: crate::archive::warranty::Basis::Purchase,
        }])
        .map_err(named)?;
        if out.contains_key(&code) {
            return Err(Error::invalid(
                "new_models",
                format!("新建型号 {code} 重复了"),
            ));
        }
        out.insert(
            code,
            Creating {
                name,
                category,
                policies,
            },
        );
    }
    Ok(out)
}

/// Arguments for a file read from disk (the command line) rather than sent as base64.
pub fn args_for_file(file_name: &str, bytes: &[u8]) -> ImportArgs {
    ImportArgs {
        kind: default_kind(),
        file_name: file_name.to_string(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        mapping: None,
        new_models: Vec::new(),
    }
}

fn open(args: &ImportArgs) -> Result<(Sheet, Vec<Column>)> {
    if args.kind != "customers" {
        return Err(Error::invalid(
            "kind",
            format!("不支持导入“{}”，目前只能导入客户", args.kind),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(args.content_base64.trim())
        .map_err(|_| {
            Error::invalid(
                "file",
                "文件内容没有正确上传（不是 base64），请重新选择文件",
            )
        })?;
    let sheet = sheet::read(&args.file_name, &bytes, &|cell| {
        recognise(cell) == Some("name")
    })?;
    let columns = map_columns(&sheet.headers, args.mapping.as_ref())?;
    Ok((sheet, columns))
}

// ---- columns ----------------------------------------------------------------------------

/// Headers as Chinese desks write them, in their compact form (see [`compact`]). Exact
/// matches first; then the `CONTAINS` list in order, so that 购买日期 is a date before
/// anything else and 客户联系电话 is a phone.
const HEADERS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "客户名称",
            "客户姓名",
            "客户名",
            "姓名",
            "名称",
            "客户",
            "用户名称",
            "用户姓名",
            "用户",
            "单位名称",
            "公司名称",
            "单位",
            "公司",
            "name",
            "customer",
            "customername",
        ],
    ),
    (
        "kind",
        &["客户类型", "类型", "个人单位", "客户性质", "kind", "type"],
    ),
    (
        "phones",
        &[
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话号码",
            "联系方式",
            "移动电话",
            "客户电话",
            "phone",
            "phones",
            "mobile",
            "tel",
            "telephone",
        ],
    ),
    (
        "phone2",
        &[
            "电话2",
            "其他电话",
            "备用电话",
            "第二电话",
            "固定电话",
            "座机",
            "办公电话",
            "固话",
            "phone2",
        ],
    ),
    (
        "address",
        &[
            "地址",
            "详细地址",
            "联系地址",
            "通讯地址",
            "客户地址",
            "安装地址",
            "住址",
            "address",
        ],
    ),
    (
        "region",
        &[
            "地区",
            "省份",
            "省",
            "区域",
            "大区",
            "所属地区",
            "所在地区",
            "城市",
            "region",
        ],
    ),
    (
        "class",
        &["客户级别", "级别", "客户等级", "等级", "客户分类", "class"],
    ),
    ("source", &["客户来源", "来源", "渠道", "source"]),
    (
        "notes",
        &["备注", "说明", "notes", "note", "remark", "remarks"],
    ),
    (
        "model_code",
        &[
            "型号",
            "产品型号",
            "设备型号",
            "机型",
            "规格型号",
            "型号编码",
            "model",
            "modelcode",
        ],
    ),
    (
        "serial",
        &[
            "序列号",
            "机身编码",
            "机身号",
            "机身编号",
            "出厂编号",
            "机器编号",
            "设备编号",
            "产品编号",
            "条码",
            "sn",
            "s/n",
            "serial",
            "serialnumber",
        ],
    ),
    (
        "purchase_date",
        &[
            "购买日期",
            "购机日期",
            "购买时间",
            "购机时间",
            "销售日期",
            "purchasedate",
        ],
    ),
    ("install_date", &["安装日期", "安装时间", "installdate"]),
    (
        "site",
        &[
            "安装位置",
            "位置",
            "安装地点",
            "使用地点",
            "分店",
            "网点",
            "site",
        ],
    ),
];

const CONTAINS: &[(&str, &str)] = &[
    ("购买", "purchase_date"),
    ("购机", "purchase_date"),
    ("安装日期", "install_date"),
    ("安装时间", "install_date"),
    ("序列号", "serial"),
    ("型号", "model_code"),
    ("手机", "phones"),
    ("电话", "phones"),
    ("地址", "address"),
    ("地区", "region"),
    ("省份", "region"),
    ("级别", "class"),
    ("等级", "class"),
    ("来源", "source"),
    ("备注", "notes"),
    ("位置", "site"),
    ("类型", "kind"),
    ("姓名", "name"),
];

/// A header without spaces, marks of required fields and bracketed hints:
/// ` 手机号码(必填)* ` → `手机号码`, `SN` → `sn`.
fn compact(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in header.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '*' | '＊' | ':' | '：' | '_' | '-') => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The field a header feeds, if we recognise it.
pub fn recognise(header: &str) -> Option<&'static str> {
    recognise_exactly(header).or_else(|| recognise_loosely(header))
}

fn recognise_exactly(header: &str) -> Option<&'static str> {
    let h = compact(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(field, _)| *field)
}

fn recognise_loosely(header: &str) -> Option<&'static str> {
    let h = compact(header);
    CONTAINS
        .iter()
        .find(|(part, _)| h.contains(part))
        .map(|(_, field)| *field)
}

fn field_name(field: &str) -> Option<&'static str> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(f, _)| *f)
}

fn label(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// Each field from at most one column: the clerk's mapping wins, then recognised headers
/// left to right; a second phone column becomes `phone2`.
fn map_columns(
    headers: &[String],
    mapping: Option<&BTreeMap<String, Option<String>>>,
) -> Result<Vec<Column>> {
    let mut columns: Vec<Column> = headers
        .iter()
        .map(|h| Column {
            header: h.clone(),
            field: None,
        })
        .collect();
    let mut taken: Vec<&'static str> = Vec::new();
    let mut chosen = vec![false; headers.len()];
    if let Some(mapping) = mapping {
        for (header, field) in mapping {
            let Some(i) = headers.iter().position(|h| h == header) else {
                continue; // a mapping made for another file: ignore what does not fit
            };
            chosen[i] = true;
            let Some(field) = field.as_deref().filter(|f| !f.is_empty()) else {
                continue;
            };
            let field = field_name(field).ok_or_else(|| {
                Error::invalid("mapping", format!("没有“{field}”这个字段（列“{header}”）"))
            })?;
            if let Some(other) = columns.iter().find(|c| c.field == Some(field)) {
                return Err(Error::invalid(
                    "mapping",
                    format!(
                        "列“{}”和列“{header}”不能都对应“{}”",
                        other.header,
                        label(field)
                    ),
                ));
            }
            columns[i].field = Some(field);
            taken.push(field);
        }
    }
    // Exact names first, so that a loose match (客户电话备注 …) cannot take a field
    // from a column named exactly for it further right.
    for recognise in [recognise_exactly, recognise_loosely] {
        for (i, column) in columns.iter_mut().enumerate() {
            if chosen[i] || column.field.is_some() {
                continue;
            }
            let field = match recognise(&column.header) {
                Some("phones") if taken.contains(&"phones") => "phone2",
                Some(f) => f,
                None => continue,
            };
            if !taken.contains(&field) {
                column.field = Some(field);
                taken.push(field);
            }
        }
    }
    if !taken.contains(&"name") {
        return Err(Error::invalid(
            "file",
            format!(
                "找不到客户名称列：第一行应是表头，并有“客户名称”或“姓名”一列（现在的表头：{}）",
                preview_headers(headers)
            ),
        ));
    }
    Ok(columns)
}

fn preview_headers(headers: &[String]) -> String {
    let shown: Vec<&str> = headers.iter().take(8).map(String::as_str).collect();
    let more = if headers.len() > 8 { "…" } else { "" };
    format!("{}{more}", shown.join("、"))
}

// ---- checking and writing rows -------------------------------------------------------------

/// What running the rows did (inside a transaction the caller commits or drops).
struct Outcome {
    rejected: Vec<Rejected>,
    added: Counts,
    already_present: usize,
    /// Rows whose new customer was written before its machine turned out bad: the
    /// transaction must be run again without them.
    again: Vec<Rejected>,
    /// The file's model codes missing from the catalogue, with their rows.
    unknown: Vec<UnknownModel>,
    /// Codes of the models added (from the clerk's new models), in the order met.
    created: Vec<String>,
}

/// Runs the rows in a transaction, and again without the rows that left a customer
/// behind (see [`Outcome::again`]) until none do — in practice once, seldom twice. This
/// keeps a row whole without a savepoint per row, which costs FTS5 a flush each time
/// (100,000 rows took over 30 s that way). `finish` gets the last run's transaction (to
/// commit or roll back), the desk's now the rows were stamped with, and the outcome.
fn attempt<T>(
    desk: &mut Desk,
    sheet: &Sheet,
    columns: &[Column],
    creating: &HashMap<String, Creating>,
    finish: impl FnOnce(crate::platform::db::Tx<'_>, &Stamp, Outcome) -> Result<T>,
) -> Result<T> {
    let mut skip: HashMap<usize, Vec<String>> = HashMap::new();
    let (at, today) = (desk.stamp(), desk.today());
    // A big import touches every index of several tables; with SQLite's default 2 MB
    // page cache it spends its time writing pages out and reading them back.
    big_cache(desk, true)?;
    loop {
        // A preview writes too (then rolls back): the writer's transaction either way.
        let tx = desk.write()?;
        let mut outcome = run(&tx, (&at, today), sheet, columns, creating, &skip)?;
        if outcome.again.is_empty() {
            // Back in row order with the rows skipped this time.
            outcome.rejected.sort_by_key(|r| r.row);
            return finish(tx, &at, outcome);
        }
        skip.extend(outcome.again.drain(..).map(|r| (r.row, r.reasons)));
        tx.rollback()?;
    }
}

/// Raises the page and statement caches for an import (64 MB) and puts the defaults back
/// afterwards (an import that fails half-way leaves them raised: harmless, memory only).
fn big_cache(desk: &Desk, on: bool) -> Result<()> {
    // SQLite only: PostgreSQL keeps its cache in the server and every statement prepared.
    let Some(conn) = desk.conn().sqlite_conn() else {
        return Ok(());
    };
    let kib: i64 = if on { 65_536 } else { 2_000 };
    conn.pragma_update(None, "cache_size", -kib)?;
    // One row runs more distinct statements (customer, phones, text index, machine,
    // model, audit …) than rusqlite's default statement cache of 16 holds: re-preparing
    // them every row cost a tenth of the time.
    conn.set_prepared_statement_cache_capacity(if on { 64 } else { 16 });
    Ok(())
}

/// Where each field is in a row.
struct Layout<'a> {
    columns: &'a [Column],
    index: HashMap<&'static str, usize>,
}

impl<'a> Layout<'a> {
    fn new(columns: &'a [Column]) -> Layout<'a> {
        let index = columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.field.map(|f| (f, i)))
            .collect();
        Layout { columns, index }
    }

    fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }

    fn cell<'r>(&self, row: &'r Row, field: &str) -> &'r str {
        self.index
            .get(field)
            .map(|&i| row.cells[i].as_str())
            .unwrap_or("")
    }

    /// `列“手机”` — the column(s) a field came from, for reasons.
    fn column(&self, field: &str) -> String {
        let fields: &[&str] = if field == "phones" {
            &["phones", "phone2"]
        } else {
            std::slice::from_ref(&field)
        };
        let headers: Vec<String> = fields
            .iter()
            .filter_map(|f| self.index.get(f))
            .map(|&i| format!("“{}”", self.columns[i].header))
            .collect();
        if headers.is_empty() {
            format!("“{}”", label(field))
        } else {
            headers.join("、")
        }
    }
}

/// `sn1，sn2` — several numbers in one cell, as clerks type them.
fn split_phones(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', '，', '、', ';', '；', '/', '／', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn parse_kind(text: &str, name: &str) -> Option<Option<CustomerKind>> {
    let kind = match compact(text).as_str() {
        "" => {
            // Not given: a name that reads like an organisation is a company.
            const ORGANISATIONS: &[&str] = &[
                "公司",
                "集团",
                "酒店",
                "宾馆",
                "饭店",
                "餐厅",
                "学校",
                "医院",
                "工厂",
                "研究所",
                "事务所",
                "委员会",
                "有限",
            ];
            return Some(
                ORGANISATIONS
                    .iter()
                    .any(|o| name.contains(o))
                    .then_some(CustomerKind::Company),
            );
        }
        "个人" | "私人" | "个体" => CustomerKind::Person,
        "单位" | "公司" | "企业" | "机构" | "集团" => CustomerKind::Company,
        word => CustomerKind::from_word(word)?,
    };
    Some(Some(kind))
}

fn parse_class(text: &str) -> Option<Option<CustomerClass>> {
    let class = match compact(text).as_str() {
        "" => return Some(None),
        "普通" | "普通客户" | "一般" => CustomerClass::Normal,
        "vip客户" | "贵宾" => CustomerClass::Vip,
        "大客户" | "重点客户" | "重点" | "ka" => CustomerClass::Key,
        word => CustomerClass::from_word(word)?,
    };
    Some(Some(class))
}

/// A rule's message with the column it is about, and the value when the message does not
/// already repeat it.
fn reason(layout: &Layout, field: &str, value: &str, message: &str) -> String {
    let column = layout.column(field);
    if value.is_empty() || message.contains(value) || value.chars().count() > 30 {
        format!("列{column}：{message}")
    } else {
        format!("列{column}“{value}”：{message}")
    }
}

/// The catalogue as the rows meet it: codes looked up once, the clerk's new models added
/// at their first row, codes missing from the catalogue counted.
struct Catalogue<'c> {
    ids: HashMap<String, Option<models::ModelId>>,
    creating: &'c HashMap<String, Creating>,
    /// Index into `unknown` of each code missing from the catalogue before the import.
    missing: HashMap<String, usize>,
    unknown: Vec<UnknownModel>,
    created: Vec<String>,
}

impl Catalogue<'_> {
    /// The model with this code, adding it when the clerk asked for it; counts the row
    /// when the code was not in the catalogue.
    fn model(
        &mut self,
        tx: &crate::platform::db::Db,
        at: &Stamp,
        code: &str,
    ) -> Result<Option<models::ModelId>> {
        if let Some(&i) = self.missing.get(code) {
            self.unknown[i].rows += 1;
        }
        if let Some(id) = self.ids.get(code) {
            return Ok(*id);
        }
        let mut id = models::id_by_code(tx, code)?;
        if id.is_none() {
            let added = self.creating.get(code);
            self.missing.insert(code.to_string(), self.unknown.len());
            self.unknown.push(UnknownModel {
                code: code.to_string(),
                rows: 1,
                added: added.is_some(),
            });
            if let Some(m) = added {
                // An imported model is not covered by 三包 until the manager says so.
                id = Some(models::insert(
                    tx,
                    (code, &m.name, &m.category),
                    false,
                    &m.policies,
                    at,
                )?);
                self.created.push(code.to_string());
            }
        }
        self.ids.insert(code.to_string(), id);
        Ok(id)
    }
}

/// Every refused field of `e` as a reason naming its column (the value too, unless
/// `quiet` says the message repeats it in its own form).
fn reasons_of(layout: &Layout, row: &Row, e: &Error, quiet: &[&str]) -> Vec<String> {
    e.fields()
        .iter()
        .map(|f| {
            let field = f.field.as_ref();
            let value = if quiet.contains(&field) {
                ""
            } else {
                layout.cell(row, field)
            };
            reason(layout, field, value, &f.message)
        })
        .collect()
}

/// Checks and writes every row inside `tx`. New customers are written as their first row
/// is met, so later rows (and the serial checks) see them exactly as they would see a
/// customer already in the archive: that is what merges rows of one customer. A row is
/// checked whole: every problem of its customer and of its machine is reported.
/// `now` is the desk's: the rows' stamp and the day dates are checked against.
fn run(
    tx: &crate::platform::db::Db,
    now: (&Stamp, NaiveDate),
    sheet: &Sheet,
    columns: &[Column],
    creating: &HashMap<String, Creating>,
    skip: &HashMap<usize, Vec<String>>,
) -> Result<Outcome> {
    let layout = Layout::new(columns);
    let (at, today) = now;
    let mut out = Outcome {
        rejected: Vec::new(),
        added: Counts::default(),
        already_present: 0,
        again: Vec::new(),
        unknown: Vec::new(),
        created: Vec::new(),
    };
    let mut catalogue = Catalogue {
        ids: HashMap::new(),
        creating,
        missing: HashMap::new(),
        unknown: Vec::new(),
        created: Vec::new(),
    };
    // (model, serial) → row and customer name of the row in this file that registered it.
    let mut file_serials: HashMap<(models::ModelId, String), (usize, String)> = HashMap::new();
    // The customer of the row above, for rows that only carry a machine (merged cells).
    let mut above: Option<(customers::CustomerId, String)> = None;
    for row in &sheet.rows {
        let cell = |f: &str| layout.cell(row, f);
        let machine_given = !cell("model_code").is_empty() || !cell("serial").is_empty();
        if let Some(reasons) = skip.get(&row.number) {
            // Still met, so that its model is counted as in the other runs.
            if !cell("model_code").is_empty() {
                catalogue.model(tx, at, cell("model_code"))?;
            }
            out.rejected
                .push(Rejected::new(row.number, reasons.clone()));
            continue;
        }
        let phones: Vec<String> = split_phones(cell("phones"))
            .chain(split_phones(cell("phone2")))
            .map(str::to_string)
            .collect();

        let (owner, mut reasons) =
            match owner_of(tx, &layout, row, phones, above.as_ref(), machine_given)? {
                Ok(owner) => (Some(owner), Vec::new()),
                Err(why) => (None, why),
            };
        let machine = match machine_of(
            tx,
            at,
            &layout,
            row,
            owner.as_ref(),
            &mut catalogue,
            &file_serials,
            today,
        )? {
            Ok(machine) => machine,
            Err(why) => {
                reasons.extend(why);
                None
            }
        };
        let Some(owner) = owner.filter(|_| reasons.is_empty()) else {
            out.rejected.push(Rejected::new(row.number, reasons));
            continue;
        };

        // Write: a new customer and its machine land together or not at all.
        let new_customer = matches!(owner, Owner::New(..));
        let (owner_id, owner_name) = match owner {
            Owner::Known(id, name) => (id, name),
            Owner::New(valid, name) => (customers::insert(tx, &valid, at)?, name),
        };
        if let Some(mut input) = machine {
            input.customer_id = owner_id;
            let valid = match equipment::validate(tx, &input, today) {
                Ok(v) => v,
                Err(e) if matches!(e, Error::Invalid { .. }) => {
                    // The serial's message repeats it normalised (upper case).
                    let why = reasons_of(&layout, row, &e, &["serial"]);
                    let refused = Rejected::new(row.number, why);
                    if new_customer {
                        out.again.push(refused);
                    } else {
                        out.rejected.push(refused);
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            // No audit entry per machine: the import's one entry (file, counts) is the
            // record, and 100,000 entries cost a fifth of the import's time.
            equipment::insert(tx, &valid, at)?;
            file_serials.insert(
                (input.model_id, input.serial),
                (row.number, owner_name.clone()),
            );
            out.added.equipment += 1;
        } else if !new_customer {
            out.already_present += 1;
        }
        if new_customer {
            out.added.customers += 1;
        }
        above = Some((owner_id, owner_name));
    }
    out.unknown = catalogue.unknown;
    out.created = catalogue.created;
    Ok(out)
}

/// Whose a row is: a customer already written (in the archive, or by an earlier row of this
/// file) or a new one, with the name the row gives.
enum Owner {
    Known(customers::CustomerId, String),
    New(customers::Valid, String),
}

/// Whose row it is: a row without name or phone but with a machine belongs to the customer
/// of the row above (merged cells); else a customer already in the archive (same name and a
/// same phone) or a new one. `Ok(Err(reasons))`: the row is refused, for all of these.
fn owner_of(
    tx: &crate::platform::db::Db,
    layout: &Layout,
    row: &Row,
    phones: Vec<String>,
    above: Option<&(customers::CustomerId, String)>,
    machine_given: bool,
) -> Result<std::result::Result<Owner, Vec<String>>> {
    let cell = |f: &str| layout.cell(row, f);
    if cell("name").is_empty() && phones.is_empty() && machine_given && above.is_some() {
        let (id, name) = above.cloned().unwrap_or_default();
        return Ok(Ok(Owner::Known(id, name)));
    }
    let mut reasons = Vec::new();
    let kind = parse_kind(cell("kind"), cell("name"));
    if kind.is_none() {
        reasons.push(reason(
            layout,
            "kind",
            cell("kind"),
            "客户类型应为“个人”或“单位”",
        ));
    }
    let class = parse_class(cell("class"));
    if class.is_none() {
        reasons.push(reason(
            layout,
            "class",
            cell("class"),
            "客户级别应为“普通”“VIP”或“大客户”",
        ));
    }
    let no_phone_column = phones.is_empty() && !layout.has("phones") && !layout.has("phone2");
    if no_phone_column {
        reasons.push("文件中没有电话列：每个客户至少要有一个联系电话".into());
    }
    let input = CustomerInput {
        kind: kind.flatten().map(|k| k.to_string()),
        name: cell("name").to_string(),
        phones,
        address: cell("address").to_string(),
        region: cell("region").to_string(),
        class: class.flatten().map(|c| c.to_string()),
        notes: cell("notes").to_string(),
        source: cell("source").to_string(),
        ..CustomerInput::default()
    };
    let valid = match customers::validate(&input) {
        Ok(v) => Some(v),
        Err(e) if matches!(e, Error::Invalid { .. }) => {
            let mut all = reasons_of(layout, row, &e, &["phones"]);
            if no_phone_column {
                // Said above, once.
                all.retain(|r| !r.contains("电话"));
            }
            reasons.extend(all);
            None
        }
        Err(e) => return Err(e),
    };
    let Some(valid) = valid.filter(|_| reasons.is_empty()) else {
        return Ok(Err(reasons));
    };
    let name = input.name.trim().to_string();
    Ok(Ok(match customers::find_existing(tx, &valid)? {
        Some(id) => Owner::Known(id, name),
        None => Owner::New(valid, name),
    }))
}

/// The row's machine, if it has one: its model known, its serial not registered to another
/// customer (in the archive or earlier in this file). `owner` is `None` when the row's
/// customer was refused: the machine is then only checked, for its own problems.
/// `Ok(Err(reasons))`: the row is refused, for all of these.
#[allow(clippy::too_many_arguments)]
fn machine_of(
    tx: &crate::platform::db::Db,
    at: &Stamp,
    layout: &Layout,
    row: &Row,
    owner: Option<&Owner>,
    catalogue: &mut Catalogue,
    file_serials: &HashMap<(models::ModelId, String), (usize, String)>,
    today: NaiveDate,
) -> Result<std::result::Result<Option<equipment::EquipmentInput>, Vec<String>>> {
    let cell = |f: &str| layout.cell(row, f);
    let (code, serial) = (cell("model_code"), cell("serial"));
    if code.is_empty() && serial.is_empty() {
        if let Some(field) = ["purchase_date", "install_date", "site"]
            .into_iter()
            .find(|f| !cell(f).is_empty())
        {
            return Ok(Err(vec![reason(
                layout,
                field,
                cell(field),
                "填写了设备信息，但缺少型号和序列号",
            )]));
        }
        return Ok(Ok(None));
    }
    let mut reasons = Vec::new();
    if code.is_empty() {
        let hint = if layout.has("model_code") {
            ""
        } else {
            "（文件中没有型号列）"
        };
        reasons.push(format!(
            "有序列号 {serial} 但缺少型号{hint}：序列号按型号登记"
        ));
    } else if serial.is_empty() {
        reasons.push(reason(
            layout,
            "serial",
            "",
            &format!("型号 {code} 缺少序列号"),
        ));
    }
    let model_id = if code.is_empty() {
        None
    } else {
        catalogue.model(tx, at, code)?
    };
    if model_id.is_none() && !code.is_empty() {
        reasons.push(reason(
            layout,
            "model_code",
            code,
            "型号目录中没有这个型号：可在导入预览中新建，或先在“设置 → 型号与保修”中添加",
        ));
    }
    let input = equipment::EquipmentInput {
        customer_id: customers::CustomerId::default(),
        model_id: model_id.unwrap_or_default(),
        serial: equipment::normalise_serial(serial),
        purchase_date: Some(cell("purchase_date").to_string()),
        install_date: Some(cell("install_date").to_string()),
        site: cell("site").to_string(),
    };
    let (Some(model_id), Some(owner)) = (model_id.filter(|_| reasons.is_empty()), owner) else {
        // Refused already (or its customer is): its own fields are still looked at, so
        // that the clerk mends the row once. Without a model (its problem is said above)
        // and without an owner, no clash of serials is looked for.
        let mut p = crate::platform::error::Problems::new();
        let alone = equipment::EquipmentInput {
            model_id: models::ModelId::default(),
            ..input
        };
        equipment::check_fields(tx, &alone, None, today, &mut p)?;
        if let Err(e) = p.finish(()) {
            let said_serial = serial.is_empty();
            reasons.extend(
                reasons_of(layout, row, &e, &["serial"])
                    .into_iter()
                    .zip(e.fields())
                    .filter(|(_, f)| f.field != "model_id" && !(f.field == "serial" && said_serial))
                    .map(|(r, _)| r),
            );
        }
        if reasons.is_empty() {
            return Ok(Ok(None));
        }
        return Ok(Err(reasons));
    };
    let serial = input.serial.clone();
    let key = (model_id, serial.clone());
    let holder = match (owner, file_serials.get(&key)) {
        (Owner::Known(..), _) => equipment::find(tx, model_id, &serial)?.map(|(_, h)| h),
        // A customer not written yet owns nothing: a machine of an earlier row is
        // a clash, and one in the archive is refused (naming its owner) when the
        // machine is validated below — one query fewer per new row.
        (Owner::New(..), Some(_)) => Some(customers::CustomerId::default()),
        (Owner::New(..), None) => None,
    };
    let Some(holder) = holder else {
        return Ok(Ok(Some(input)));
    };
    if matches!(owner, Owner::Known(id, _) if *id == holder) {
        // Already registered to this very customer: nothing to add.
        return Ok(Ok(None));
    }
    let why = match file_serials.get(&key) {
        Some((first, name)) => {
            format!("型号 {code} 的序列号 {serial} 在本文件第 {first} 行已登记给客户“{name}”")
        }
        None => {
            let probe = equipment::EquipmentInput {
                customer_id: holder,
                model_id,
                serial: serial.clone(),
                ..Default::default()
            };
            match equipment::validate(tx, &probe, today) {
                Err(e) => e.to_string(),
                Ok(_) => format!("型号 {code} 的序列号 {serial} 已登记在其他客户名下"),
            }
        }
    };
    Ok(Err(vec![reason(layout, "serial", "", &why)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_chinese_headers_are_recognised() {
        for (header, field) in [
            ("客户名称*", Some("name")),
            ("姓名", Some("name")),
            ("单位名称", Some("name")),
            ("联系电话（必填）", Some("phones")),
            ("手机号码", Some("phones")),
            ("固定电话", Some("phone2")),
            ("详细地址", Some("address")),
            ("省份", Some("region")),
            ("型号", Some("model_code")),
            ("机身编码", Some("serial")),
            ("SN", Some("serial")),
            ("S/N", Some("serial")),
            ("购买日期", Some("purchase_date")),
            ("购机日期(年/月/日)", Some("purchase_date")),
            ("安装日期", Some("install_date")),
            ("客户来源", Some("source")),
            ("客户联系电话", Some("phones")),
            ("产品名称", None),
            ("客户编号", None),
            ("保修", None),
        ] {
            assert_eq!(recognise(header), field, "{header}");
        }
    }

    #[test]
    fn mapping_takes_each_field_once_and_the_clerks_choice_wins() {
        let headers: Vec<String> = ["产品名称", "客户", "手机", "电话", "地址"]
            .map(String::from)
            .to_vec();
        let columns = map_columns(&headers, None).unwrap();
        let fields: Vec<_> = columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                None,
                Some("name"),
                Some("phones"),
                Some("phone2"),
                Some("address")
            ]
        );
        let mapping = BTreeMap::from([
            ("产品名称".to_string(), Some("name".to_string())),
            ("客户".to_string(), None),
        ]);
        let columns = map_columns(&headers, Some(&mapping)).unwrap();
        assert_eq!(columns[0].field, Some("name"));
        assert_eq!(columns[1].field, None);
        let bad = BTreeMap::from([("地址".to_string(), Some("colour".to_string()))]);
        assert_eq!(
            map_columns(&headers, Some(&bad)).unwrap_err().field(),
            Some("mapping")
        );
        let e = map_columns(&["电话".to_string()], None).unwrap_err();
        assert_eq!(e.field(), Some("file"));
        assert!(e.to_string().contains("找不到客户名称列"), "{e}");
    }
}
