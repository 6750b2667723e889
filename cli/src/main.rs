//! `aftersales`, the headless door: the browser door (`serve`), scripted calls of the
//! command table (`call`, `commands`), demo data (`demo`), import/export and
//! backup/restore for admins' scripts. No domain rule lives here: import, export, backup
//! and restore go through the command table (`aftersales::api::call`, as the file's
//! owner), automatic backups through the core's jobs (`aftersales::jobs`); only `demo`
//! calls the core's modules directly (see there why).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aftersales::{api, jobs, Desk};
use clap::{Parser, Subcommand};
use serde_json::json;

mod cti;
mod exercise;
mod guard;
mod serve;
mod status_page;
mod tls;

#[derive(Parser)]
#[command(name = "aftersales", version, about = "售后服务台 — headless door")]
struct Cli {
    /// Folder holding desk.db [default: the OS app-data folder]
    #[arg(long, global = true, env = "AFTERSALES_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The PostgreSQL database of a chain of service centres,
    /// postgres://USER@HOST:PORT/DATABASE (the password in the URL, in PGPASSWORD, or the
    /// whole URL in --database-url-file) [default: desk.db in the data folder]
    #[arg(
        long,
        global = true,
        env = "AFTERSALES_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,
    /// A file readable by its owner only that holds the database URL (so no password is
    /// on a command line or in the environment)
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "database_url"
    )]
    database_url_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the desk's data is: the data folder (the SQLite file, or this door's own files
/// beside a PostgreSQL database) and the database URL when there is one.
struct Place {
    dir: Option<PathBuf>,
    url: Option<String>,
    url_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the UI and the API on 127.0.0.1 (the browser door)
    Serve {
        /// Port to listen on; 0 picks a free one
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Run one command of the table and print its JSON result
    Call {
        /// Command name, e.g. customers.search
        command: String,
        /// Arguments as a JSON object
        #[arg(default_value = "{}")]
        json: String,
        /// For a command that makes a file (a slip, labels, an export): write the file
        /// here instead of printing it as base64
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the command table with the roles allowed
    Commands,
    /// Fill the database with generated demo customers
    Demo {
        #[arg(long, default_value_t = 300)]
        customers: usize,
        /// Spare parts, each with a few dozen stock movements
        #[arg(long, default_value_t = 60)]
        parts: usize,
        /// Work orders over the past three years (the newest dozen still open), and the
        /// demo engineers
        #[arg(long, default_value_t = 400)]
        orders: usize,
    },
    /// Import from a spreadsheet (.xlsx, .xls, .csv) and print the report
    #[command(subcommand)]
    Import(Import),
    /// Export to a spreadsheet (.xlsx); every export is recorded
    #[command(subcommand)]
    Export(Export),
    /// Back the database up (online, while the desk runs) and check the copy
    Backup {
        /// Folder for the backup [default: the backup folder of the settings]
        dir: Option<PathBuf>,
        /// An automatic backup instead (rotated: only the newest N are kept); `daily`
        /// makes one only when none exists for today — for a scheduled task
        #[arg(long, value_enum, conflicts_with = "dir")]
        auto: Option<Auto>,
    },
    /// Replace the data with a backup, after checking it; the current data is backed up
    /// first
    Restore { file: PathBuf },
    /// Copy a desk's whole history from its SQLite file (desk.db) into the empty
    /// PostgreSQL database of --database-url, check every table and print the counts
    MigrateFrom { file: PathBuf },
    /// The crash test's child: real user actions in a loop, one line per committed action
    #[command(hide = true)]
    Exercise {
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Auto {
    Close,
    Daily,
}

#[derive(Subcommand)]
enum Import {
    /// Customers and their machines; rows already in the archive are not added again
    Customers {
        file: PathBuf,
        /// Check every row and print the report without writing anything
        #[arg(long)]
        dry_run: bool,
        /// Add the file's models that are not in the catalogue (named by their code, with
        /// the default whole-machine warranty) in the same transaction as the rows
        #[arg(long)]
        create_models: bool,
        /// Also write the rows not imported, with a 原因 column, to this .xlsx
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Export {
    /// The customer archive, or what a search finds, one row per machine
    Customers {
        file: PathBuf,
        /// Search text as in the customer list (name, phone, address …); empty: all
        #[arg(long, default_value = "")]
        query: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`aftersales … | head -1`): it has all it wanted. Quietly,
        // as `cat` or `ls` do, with success: the work itself was done.
        Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(e) => {
            use std::io::Write as _;
            // Not `eprintln!`: it panics should stderr be closed too.
            let _ = writeln!(std::io::stderr(), "aftersales: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Why the command line stops: the desk refused or failed, or its output could not be
/// written (the reader closed the pipe: not a failure of ours).
enum Failure {
    Desk(aftersales::Error),
    ClosedPipe,
    Output(std::io::Error),
}

impl From<aftersales::Error> for Failure {
    fn from(e: aftersales::Error) -> Failure {
        Failure::Desk(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Desk(e) => e.fmt(f),
            Failure::ClosedPipe => f.write_str("输出管道已关闭"),
            Failure::Output(e) => write!(f, "无法输出结果：{e}"),
        }
    }
}

/// One line to stdout. Unlike `println!`, a closed pipe is an answer
/// ([`Failure::ClosedPipe`]), not a panic with a backtrace.
fn say(line: std::fmt::Arguments) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_fmt(line)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::ClosedPipe,
            _ => Failure::Output(e),
        })
}

macro_rules! say {
    ($($arg:tt)*) => {
        say(format_args!($($arg)*))?
    };
}

fn open(place: &Place) -> Result<Desk, aftersales::Error> {
    let dir = place
        .dir
        .clone()
        .or_else(aftersales::default_data_dir)
        .ok_or_else(|| {
            aftersales::Error::Storage("找不到数据文件夹，请用 --data-dir 指定".into())
        })?;
    let url = match (&place.url, &place.url_file) {
        (Some(url), _) => Some(url.clone()),
        (None, Some(file)) => Some(aftersales::platform::files::read_secret(
            file,
            "database_url_file",
        )?),
        (None, None) => None,
    };
    match url {
        Some(url) => Desk::open_postgres(&url, &dir),
        None => Desk::open_dir(&dir),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let place = Place {
        dir: cli.data_dir,
        url: cli.database_url,
        url_file: cli.database_url_file,
    };
    match cli.command {
        Command::Commands => {
            for c in api::commands() {
                let roles: Vec<&str> = c.roles.iter().map(|r| r.as_str()).collect();
                say!("{}\t{}\t{}", c.name, roles.join(","), c.label);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Call { command, json, out } => {
            let result = serde_json::from_str(&json)
                .map_err(|e| aftersales::Error::BadRequest(e.to_string()))
                .and_then(|args| api::call(&mut open(&place)?, &command, args))
                .map(|reply| reply.value())
                .and_then(|value| match &out {
                    Some(path) => save_file(value, path),
                    None => Ok(value),
                });
            let (value, code) = match result {
                Ok(v) => (v, ExitCode::SUCCESS),
                Err(e) => (e.to_json(), ExitCode::FAILURE),
            };
            say!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            Ok(code)
        }
        // Not a command of the table, on purpose: demo data is generated (up to millions
        // of rows, for the benchmarks) straight into a file, and no door should let a
        // user fill a live desk with invented customers.
        Command::Demo {
            customers,
            parts,
            orders,
        } => {
            let mut desk = open(&place)?;
            // Never into a real desk: its customers, or the demo's admin with a known
            // password added to it.
            aftersales::demo::refuse_real_data(&desk)?;
            let added = aftersales::demo::fill(&mut desk, customers)?;
            let moves = aftersales::demo::fill_stock(&mut desk, parts, parts * 30)?;
            let orders = aftersales::demo::fill_orders(&mut desk, orders, 12.min(orders))?;
            aftersales::demo::fill_users(&mut desk)?;
            aftersales::demo::mark_demo(&mut desk)?;
            say!(
                "{added} demo customers, {parts} parts, {moves} stock movements and {orders} work orders added to {}",
                desk.path().display()
            );
            let logins: Vec<&str> = aftersales::demo::DEMO_USERS.iter().map(|u| u.0).collect();
            say!(
                "Demo logins (password {}): {}",
                aftersales::demo::DEMO_PASSWORD,
                logins.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Customers {
            file,
            dry_run,
            create_models,
            report,
        }) => {
            use base64::Engine as _;
            let bytes = std::fs::read(&file).map_err(|e| {
                aftersales::Error::invalid("file", format!("无法读取 {}：{e}", file.display()))
            })?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut args = json!({
                "file_name": name,
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            });
            let mut desk = open(&place)?;
            if create_models {
                // The preview names the unknown models; each is added as its code says.
                let seen = api::call(&mut desk, "import.preview", args.clone())?.value();
                let unknown = seen["unknown_models"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                args["new_models"] = unknown
                    .iter()
                    .map(|m| json!({"code": m["code"], "months": seen["default_warranty_months"]}))
                    .collect();
            }
            let (verb, r) = if dry_run {
                let mut r = api::call(&mut desk, "import.preview", args.clone())?.value();
                r["added"] = r["to_add"].take();
                ("预览（未写入）：将新增", r)
            } else {
                (
                    "已导入：新增",
                    api::call(&mut desk, "import.commit", args.clone())?.value(),
                )
            };
            let rejected = r["rejected"].as_array().cloned().unwrap_or_default();
            say!(
                "{verb}客户 {} 个、设备 {} 台；已存在 {} 行；未导入 {} 行",
                r["added"]["customers"],
                r["added"]["equipment"],
                r["already_present"],
                rejected.len()
            );
            if let Some(models) = r["models_added"].as_array().filter(|m| !m.is_empty()) {
                let codes: Vec<&str> = models.iter().filter_map(|m| m.as_str()).collect();
                say!("新建型号 {} 个：{}", codes.len(), codes.join("、"));
            } else if let Some(unknown) = r["unknown_models"].as_array().filter(|m| !m.is_empty()) {
                let codes: Vec<String> = unknown
                    .iter()
                    .map(|m| {
                        format!(
                            "{}（{} 行）",
                            m["code"].as_str().unwrap_or_default(),
                            m["rows"]
                        )
                    })
                    .collect();
                say!(
                    "型号目录中没有的型号：{}（加 --create-models 可在导入时新建）",
                    codes.join("、")
                );
            }
            for row in &rejected {
                say!(
                    "第{}行\t{}",
                    row["row"],
                    row["reason"].as_str().unwrap_or_default()
                );
            }
            if let Some(path) = report {
                let made = api::call(&mut desk, "import.report", args)?.value();
                let saved = save_file(made, &path)?;
                say!(
                    "导入报告（{} 行）已保存到 {}",
                    saved["rows"],
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(Export::Customers { file, query }) => {
            let mut desk = open(&place)?;
            let book = api::call(&mut desk, "customers.export", json!({"query": query}))?.value();
            let saved = save_file(book, &file)?;
            say!("已导出 {} 行到 {}", saved["rows"], file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { dir, auto } => {
            let mut desk = open(&place)?;
            let made = match (dir, auto) {
                // The automatic backups are not a command of the table (a person's backup
                // is `backup.now`, never rotated away): a scheduled task runs the same job
                // the doors' timers run, from `aftersales::jobs`.
                (_, Some(Auto::Daily)) => {
                    let ticked = jobs::tick(&mut desk, &mut jobs::Jobs::backups_only());
                    if let Some(error) = ticked.errors.into_iter().next() {
                        return Err(aftersales::Error::Storage(error).into());
                    }
                    ticked.backup.map(|b| json!(b))
                }
                (_, Some(Auto::Close)) => Some(json!(
                    jobs::on_close(&desk).map_err(aftersales::Error::Storage)?
                )),
                (dir, None) => {
                    let dir = dir.as_deref().map(absolute).transpose()?;
                    let dir = dir.map(|d| d.display().to_string());
                    Some(api::call(&mut desk, "backup.now", json!({"dir": dir}))?.value())
                }
            };
            match made {
                Some(f) => say!(
                    "已备份到 {}（{} 字节，完整性检查通过）",
                    f["file"].as_str().unwrap_or_default(),
                    f["size"]
                ),
                None => say!("今天已有自动备份，未再备份"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let mut desk = open(&place)?;
            let file = absolute(&file)?.display().to_string();
            let done = api::call(&mut desk, "backup.restore", json!({"file": file}))?.value();
            say!(
                "已从 {} 恢复数据；恢复前的数据已备份到 {}",
                done["restored_from"].as_str().unwrap_or_default(),
                done["safety"]["file"].as_str().unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateFrom { file } => {
            if place.url.is_none() && place.url_file.is_none() {
                return Err(aftersales::Error::invalid(
                    "database_url",
                    "请用 --database-url 或 --database-url-file 指定要迁入的 PostgreSQL 数据库",
                )
                .into());
            }
            let mut desk = open(&place)?;
            let file = absolute(&file)?;
            let done = aftersales::people::migrate::from_sqlite(&mut desk, &file)?;
            say!("表\t行数\tSHA-256");
            for t in &done.tables {
                say!("{}\t{}\t{}", t.table, t.rows, t.checksum);
            }
            for (table, rows) in &done.rebuilt {
                say!("{table}\t{rows}\t（搜索索引，按客户重建）");
            }
            let total: u64 = done.tables.iter().map(|t| t.rows).sum();
            say!(
                "已从 {} 迁移 {} 张表共 {total} 行到 PostgreSQL（数据版本 {}），逐表核对行数与校验和一致",
                file.display(),
                done.tables.len(),
                done.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Exercise { seed } => {
            exercise::run(open(&place)?, seed)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { port } => {
            let desk = open(&place)?;
            serve::run(desk, port)
                .map_err(|e| aftersales::Error::Storage(format!("无法启动网页服务：{e}")))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A path given on the command line, made absolute against the current folder (what a
/// message shows and what the core records should not depend on where the script ran).
fn absolute(path: &Path) -> aftersales::Result<PathBuf> {
    std::path::absolute(path).map_err(|e| {
        aftersales::Error::invalid("file", format!("路径 {} 不可用：{e}", path.display()))
    })
}

/// Writes the file in a command's result (`content_base64`) to `path`; the printed result
/// says where instead of carrying the bytes.
fn save_file(
    mut value: serde_json::Value,
    path: &std::path::Path,
) -> aftersales::Result<serde_json::Value> {
    use base64::Engine as _;
    let Some(content) = value.get("content_base64").and_then(|c| c.as_str()) else {
        return Err(aftersales::Error::BadRequest(
            "这个功能不生成文件，不能用 --out".into(),
        ));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content)
        .map_err(|e| aftersales::Error::BadRequest(e.to_string()))?;
    std::fs::write(path, bytes).map_err(|e| {
        aftersales::Error::invalid("out", format!("无法写入 {}：{e}", path.display()))
    })?;
    value["content_base64"] = serde_json::Value::Null;
    value["saved_to"] = serde_json::Value::String(path.display().to_string());
    Ok(value)
}
