//! The PostgreSQL engine of the store (issue 19): a synchronous `postgres` client, its
//! statements prepared once per text, values carried in rusqlite's value model both ways
//! and converted to whatever type PostgreSQL gave the column or parameter.
//!
//! A connection lost between transactions (the server restarted) is opened again at the
//! next statement; one lost inside a transaction fails that transaction, which leaves
//! nothing half-written (PostgreSQL rolls it back), and the next one reconnects.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;

use postgres::error::SqlState;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use rusqlite::types::{Value, ValueRef};

use super::pg_tls::{self, Tls};
use super::store::{DbError, DbResult};
use crate::platform::error::{Error, Result};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A failure on PostgreSQL, with what kind it was.
#[derive(Debug)]
pub struct PgError {
    message: String,
    /// The transaction met another one it could not be serialised with (SQLSTATE 40001)
    /// or a deadlock (40P01): running it again is the answer.
    pub retry: bool,
    /// The connection to the server is gone.
    pub lost: bool,
}

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        let code = e.code();
        let retry = code == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
            || code == Some(&SqlState::T_R_DEADLOCK_DETECTED);
        // The socket failed under the client (the server crashed or was stopped while a
        // statement was on its way): the crate says "error communicating with the server"
        // with the I/O error as its source, not "connection closed".
        let io = e.source().is_some_and(|s| s.is::<std::io::Error>());
        let lost = e.is_closed()
            || io
            || code.is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"));
        let message = match e.as_db_error() {
            // A trigger's RAISE: its own words, as SQLite shows them.
            Some(db) if db.code() == &SqlState::RAISE_EXCEPTION => db.message().to_string(),
            Some(db) => match db.detail() {
                Some(d) => format!("{}（{}）", db.message(), d),
                None => db.message().to_string(),
            },
            None => e.to_string(),
        };
        // Lost: the clerk's sentence alone; what the client or the server said about it
        // is in English and tells a clerk nothing more.
        let message = if lost { LOST.to_string() } else { message };
        DbError::Postgres(PgError {
            message,
            retry,
            lost,
        })
    }
}

/// One row, its values converted on arrival.
pub struct PgRow {
    values: Vec<Value>,
    names: Arc<[String]>,
}

impl PgRow {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn value(&self, i: usize) -> ValueRef<'_> {
        ValueRef::from(&self.values[i])
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// A statement prepared on the server, with its column names.
#[derive(Clone)]
pub struct Prepared {
    statement: postgres::Statement,
    names: Arc<[String]>,
    /// The text it was prepared from, to prepare it again on a new connection.
    sql: Arc<str>,
    /// Which connection it was prepared on (see [`Pg::generation`]).
    generation: u64,
}

impl Prepared {
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One connection to a PostgreSQL database.
pub struct Pg {
    config: postgres::Config,
    /// TLS as the URL's sslmode and sslrootcert ask (pg_tls.rs).
    tls: Tls,
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, Prepared>>,
    in_tx: Cell<bool>,
    /// Who acts, as `desk_user()` reads it on this connection.
    user: RefCell<String>,
    /// How many times the connection was opened again: a statement prepared on an
    /// earlier one does not exist on the server any more.
    generation: Cell<u64>,
}

/// Where a URL points, for a message: `host:port/database`, never the password.
fn place(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{}",
        config.get_dbname().or(config.get_user()).unwrap_or("")
    )
}

/// The clerk's sentence for a connection that failed, naming the server and what was
/// wrong, without the password.
fn refused(config: &postgres::Config, tls: &Tls, e: &postgres::Error) -> Error {
    Error::Storage(refusal(config, tls, e))
}

fn refusal(config: &postgres::Config, tls: &Tls, e: &postgres::Error) -> String {
    let at = place(config);
    let user = config.get_user().unwrap_or("");
    let host = at.rsplit_once(':').map_or(at.as_str(), |(h, _)| h);
    if let Some(why) = pg_tls::explain(e, tls, host) {
        return format!("无法打开数据库 {at}：{why}");
    }
    let why = match e.code() {
        Some(c) if c == &SqlState::INVALID_PASSWORD => format!("用户 {user} 的密码不正确"),
        Some(c) if c == &SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            let plain = if tls.options.mode == pg_tls::SslMode::Disable {
                "；本连接没有加密（sslmode=disable），服务器可能只允许加密连接"
            } else {
                ""
            };
            let said = e
                .as_db_error()
                .map_or_else(String::new, |d| format!("（服务器说：{}）", d.message()));
            format!("数据库服务器不认识用户 {user}，或不允许它从这里登录{plain}{said}")
        }
        Some(c) if c == &SqlState::INVALID_CATALOG_NAME => {
            format!("数据库 {} 不存在", config.get_dbname().unwrap_or(""))
        }
        Some(c) if c == &SqlState::CANNOT_CONNECT_NOW => "数据库服务器正在启动或关闭".into(),
        Some(_) => e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string()),
        None => match e.source().and_then(|s| s.downcast_ref::<std::io::Error>()) {
            Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "连不上服务器（连接被拒绝：服务器没有运行，或端口不对）".into()
            }
            Some(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                "连不上服务器（等待应答超时）".into()
            }
            _ => format!(
                "连不上服务器（{}）",
                e.source().map_or_else(|| e.to_string(), |s| s.to_string())
            ),
        },
    };
    format!("无法打开数据库 {at}：{why}")
}

impl Pg {
    /// Connects to `url` (`postgres://user:password@host:port/database`), refusing in
    /// Chinese with the server named and the password never shown.
    pub fn connect(url: &str) -> Result<Pg> {
        // sslmode's verify- values and sslrootcert are ours to read (pg_tls.rs).
        let (url, tls_options) = pg_tls::split(url)?;
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            Error::invalid(
                "database_url",
                format!("数据库地址格式不正确：{e}（应为 postgres://用户@主机:端口/数据库）"),
            )
        })?;
        // libpq's convention: a URL without a password takes PGPASSWORD's.
        if config.get_password().is_none() {
            if let Some(password) = std::env::var_os("PGPASSWORD") {
                config.password(password.to_string_lossy().as_bytes());
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name("aftersales");
        let tls = Tls::new(tls_options, &mut config)?;
        let client = tls
            .connect(&config)
            .map_err(|e| refused(&config, &tls, &e))?;
        Ok(Pg {
            config,
            tls,
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_tx: Cell::new(false),
            user: RefCell::new(String::new()),
            generation: Cell::new(0),
        })
    }

    /// Where this connection goes (`host:port/database`), for messages.
    pub fn place(&self) -> String {
        place(&self.config)
    }

    /// The connection's settings (host, port, user, database, password): what the
    /// server's own tools (pg_dump, pg_restore) are told through their environment.
    pub(crate) fn config(&self) -> &postgres::Config {
        &self.config
    }

    /// The same TLS in libpq's environment (PGSSLMODE, PGSSLROOTCERT) for those tools.
    pub(crate) fn libpq_tls_env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        self.tls.libpq_env()
    }

    /// A new connection with the same settings (another door, a test's second look).
    pub fn reopen(&self) -> Result<Pg> {
        let client = self
            .tls
            .connect(&self.config)
            .map_err(|e| refused(&self.config, &self.tls, &e))?;
        Ok(Pg {
            config: self.config.clone(),
            tls: self.tls.clone(),
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_tx: Cell::new(false),
            user: RefCell::new(String::new()),
            generation: Cell::new(0),
        })
    }

    /// The client, opened again first when the server dropped it between transactions.
    fn client(&self) -> DbResult<std::cell::RefMut<'_, postgres::Client>> {
        let closed = self.client.borrow().is_closed();
        if closed && !self.in_tx.get() {
            let fresh = self.tls.connect(&self.config).map_err(|e| {
                DbError::Postgres(PgError {
                    message: refusal(&self.config, &self.tls, &e),
                    retry: false,
                    lost: true,
                })
            })?;
            *self.client.borrow_mut() = fresh;
            self.prepared.borrow_mut().clear();
            self.generation.set(self.generation.get() + 1);
            let user = self.user.borrow().clone();
            if !user.is_empty() {
                self.user.borrow_mut().clear();
                self.set_user(&user)?;
            }
        }
        Ok(self.client.borrow_mut())
    }

    pub fn prepare(&self, sql: &str) -> DbResult<Prepared> {
        if let Some(p) = self.prepared.borrow().get(sql) {
            return Ok(p.clone());
        }
        let statement = self
            .client()?
            .prepare(&placeholders(sql))
            .inspect_err(|e| {
                if std::env::var_os("AFTERSALES_SQL_DEBUG").is_some() {
                    eprintln!("SQL refused by PostgreSQL: {e}\n{sql}\n");
                }
            })?;
        let names: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let p = Prepared {
            statement,
            names,
            sql: Arc::from(sql),
            generation: self.generation.get(),
        };
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), p.clone());
        Ok(p)
    }

    /// `p`, prepared again when the connection it was prepared on has been replaced
    /// (the server restarted between its preparing and its use).
    fn current(&self, p: &Prepared) -> DbResult<Prepared> {
        // Opens the connection again first when the server dropped it.
        drop(self.client()?);
        if p.generation == self.generation.get() {
            Ok(p.clone())
        } else {
            self.prepare(&p.sql)
        }
    }

    pub fn execute(&self, p: &Prepared, args: &[&dyn rusqlite::ToSql]) -> DbResult<usize> {
        let p = &self.current(p)?;
        let values = arguments(args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        Ok(self.client()?.execute(&p.statement, &refs)? as usize)
    }

    pub fn query(&self, p: &Prepared, args: &[&dyn rusqlite::ToSql]) -> DbResult<Vec<PgRow>> {
        let p = &self.current(p)?;
        let values = arguments(args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let rows = self.client()?.query(&p.statement, &refs)?;
        rows.iter().map(|r| self.row(p, r)).collect()
    }

    pub fn query_first(
        &self,
        p: &Prepared,
        args: &[&dyn rusqlite::ToSql],
    ) -> DbResult<Option<PgRow>> {
        let p = &self.current(p)?;
        let values = arguments(args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let mut client = self.client()?;
        let mut rows = client.query_raw(&p.statement, refs)?;
        use postgres::fallible_iterator::FallibleIterator;
        let first = rows.next()?;
        let row = first.map(|r| self.row(p, &r)).transpose()?;
        Ok(row)
    }

    fn row(&self, p: &Prepared, r: &postgres::Row) -> DbResult<PgRow> {
        let values = (0..r.len())
            .map(|i| r.try_get::<_, Cell0>(i).map(|c| c.0))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(PgRow {
            values,
            names: Arc::clone(&p.names),
        })
    }

    pub fn batch(&self, sql: &str) -> DbResult<()> {
        Ok(self.client()?.batch_execute(sql)?)
    }

    /// `BEGIN`: serialisable for a transaction that writes, a read-only snapshot otherwise.
    pub fn begin(&self, write: bool) -> DbResult<()> {
        let sql = if write {
            "BEGIN ISOLATION LEVEL SERIALIZABLE"
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
        };
        self.client()?.batch_execute(sql)?;
        self.in_tx.set(true);
        Ok(())
    }

    /// `COMMIT` or `ROLLBACK`.
    pub fn end(&self, sql: &str) -> DbResult<()> {
        self.in_tx.set(false);
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            return match sql {
                "ROLLBACK" => Ok(()),
                _ => Err(postgres_lost()),
            };
        }
        client
            .batch_execute(sql)
            .map_err(|e| match DbError::from(e) {
                // The COMMIT went out and the connection died before its answer came: the
                // server may have committed it or not, and nobody here can know which.
                DbError::Postgres(PgError { lost: true, .. }) if sql == "COMMIT" => {
                    DbError::Postgres(PgError {
                        message: IN_DOUBT.into(),
                        retry: false,
                        lost: true,
                    })
                }
                other => other,
            })
    }

    /// Who acts from now on, as `desk_user()` reads it (set only when it changes).
    pub fn set_user(&self, name: &str) -> DbResult<()> {
        if *self.user.borrow() == name {
            return Ok(());
        }
        self.client()?
            .execute("SELECT set_config('aftersales.user', $1, false)", &[&name])?;
        *self.user.borrow_mut() = name.to_string();
        Ok(())
    }
}

/// What a clerk is told when the connection to the server was lost in a command.
const LOST: &str = "与数据库服务器的连接已断开，本次操作没有保存，请稍后再试";

/// What a clerk is told when the connection was lost while the server committed.
const IN_DOUBT: &str =
    "保存时与数据库服务器的连接断开了，无法确认是否已保存，请稍后刷新查看后再决定是否重做";

fn postgres_lost() -> DbError {
    DbError::Postgres(PgError {
        message: LOST.into(),
        retry: false,
        lost: true,
    })
}

/// SQLite's `?1` and `?` placeholders as PostgreSQL's `$1`, outside quotes and comments.
pub fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut highest = 0u32;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = match digits.parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => highest + 1,
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

/// The bound values, owned, in the engine-neutral model.
fn arguments(args: &[&dyn rusqlite::ToSql]) -> DbResult<Vec<Arg>> {
    args.iter()
        .map(|a| {
            let out = a.to_sql()?;
            let value = match out {
                rusqlite::types::ToSqlOutput::Borrowed(v) => owned(v)?,
                rusqlite::types::ToSqlOutput::Owned(v) => v,
                _ => {
                    return Err(DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(
                        "这种值不能存入 PostgreSQL".into(),
                    )))
                }
            };
            Ok(Arg(value))
        })
        .collect()
}

fn owned(v: ValueRef<'_>) -> DbResult<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| DbError::Sqlite(rusqlite::Error::Utf8Error(0, e)))?
                .to_string(),
        ),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    })
}

/// A bound value, written as the type PostgreSQL inferred for its parameter.
#[derive(Debug)]
struct Arg(Value);

fn text_type(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

impl ToSql for Arg {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        match (&self.0, ty) {
            (Value::Null, _) => return Ok(IsNull::Yes),
            (Value::Integer(i), &Type::INT8) => out.extend_from_slice(&i.to_be_bytes()),
            (Value::Integer(i), &Type::INT4) => {
                out.extend_from_slice(&i32::try_from(*i)?.to_be_bytes())
            }
            (Value::Integer(i), &Type::INT2) => {
                out.extend_from_slice(&i16::try_from(*i)?.to_be_bytes())
            }
            (Value::Integer(i), &Type::BOOL) => out.extend_from_slice(&[u8::from(*i != 0)]),
            (Value::Integer(i), &Type::FLOAT8) => out.extend_from_slice(&(*i as f64).to_be_bytes()),
            (Value::Integer(i), &Type::NUMERIC) => numeric(*i, out),
            (Value::Integer(i), t) if text_type(t) => {
                out.extend_from_slice(i.to_string().as_bytes())
            }
            (Value::Real(f), &Type::FLOAT8) => out.extend_from_slice(&f.to_be_bytes()),
            (Value::Real(f), &Type::FLOAT4) => out.extend_from_slice(&(*f as f32).to_be_bytes()),
            (Value::Real(f), t) if text_type(t) => out.extend_from_slice(f.to_string().as_bytes()),
            (Value::Text(s), t) if text_type(t) => out.extend_from_slice(s.as_bytes()),
            // SQLite's column affinity: a text that reads as a number, bound where a
            // number is wanted, is that number.
            (Value::Text(s), &Type::INT8 | &Type::INT4 | &Type::INT2 | &Type::FLOAT8) => {
                let number = match s.trim().parse::<i64>() {
                    Ok(i) => Value::Integer(i),
                    Err(_) => Value::Real(s.trim().parse::<f64>()?),
                };
                return Arg(number).to_sql(ty, out);
            }
            (Value::Blob(b), &Type::BYTEA) => out.extend_from_slice(b),
            (v, t) => return Err(format!("值 {v:?} 不能作为 {t} 类型的参数").into()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        self.to_sql(ty, out)
    }
}

/// An integer in PostgreSQL's binary NUMERIC form (base-10000 digits).
fn numeric(i: i64, out: &mut bytes::BytesMut) {
    let mut n = i.unsigned_abs();
    let mut digits = Vec::new();
    while n > 0 {
        digits.push((n % 10_000) as u16);
        n /= 10_000;
    }
    digits.reverse();
    let weight = digits.len() as i16 - 1;
    out.extend_from_slice(&(digits.len() as u16).to_be_bytes());
    out.extend_from_slice(&weight.max(0).to_be_bytes());
    out.extend_from_slice(&(if i < 0 { 0x4000u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    for d in digits {
        out.extend_from_slice(&d.to_be_bytes());
    }
}

/// A column value of any type we store, read into the engine-neutral model.
struct Cell0(Value);

fn be<const N: usize>(raw: &[u8]) -> std::result::Result<[u8; N], BoxError> {
    raw.try_into()
        .map_err(|_| format!("数据库返回的值长度不对（{} 字节）", raw.len()).into())
}

impl<'a> FromSql<'a> for Cell0 {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Cell0, BoxError> {
        let v = match *ty {
            Type::INT8 => Value::Integer(i64::from_be_bytes(be(raw)?)),
            Type::INT4 => Value::Integer(i32::from_be_bytes(be(raw)?).into()),
            Type::INT2 => Value::Integer(i16::from_be_bytes(be(raw)?).into()),
            Type::OID => Value::Integer(u32::from_be_bytes(be(raw)?).into()),
            Type::BOOL => Value::Integer(i64::from(raw.first().is_some_and(|b| *b != 0))),
            Type::FLOAT8 => Value::Real(f64::from_be_bytes(be(raw)?)),
            Type::FLOAT4 => Value::Real(f32::from_be_bytes(be(raw)?).into()),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::NUMERIC => read_numeric(raw)?,
            Type::VOID => Value::Null,
            Type::JSONB => Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or(&[]))?.into()),
            _ => Value::Text(std::str::from_utf8(raw)?.to_string()),
        };
        Ok(Cell0(v))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Cell0, BoxError> {
        Ok(Cell0(Value::Null))
    }

    fn accepts(ty: &Type) -> bool {
        // Text-like types arrive as UTF-8 in the binary protocol; the rest are the ones
        // decoded above.
        !matches!(
            *ty,
            Type::TIMESTAMP | Type::TIMESTAMPTZ | Type::DATE | Type::TIME | Type::INTERVAL
        )
    }
}

/// PostgreSQL's binary NUMERIC: an integer when it has no fraction and fits, else a real.
fn read_numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        Ok(u16::from_be_bytes(be(raw.get(i..i + 2).unwrap_or(&[]))?))
    };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i16;
    let sign = word(4)?;
    let scale = word(6)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut whole: i128 = 0;
    let mut real = 0f64;
    for k in 0..ndigits {
        let d = word(8 + 2 * k)?;
        let power = weight as i32 - k as i32;
        real += f64::from(d) * 10_000f64.powi(power);
        if power >= 0 {
            whole = whole
                .checked_mul(10_000)
                .and_then(|w| w.checked_add(d.into()))
                .ok_or("数值太大")?;
        }
    }
    let last = weight as i32 - ndigits as i32 + 1;
    if last > 0 {
        whole = whole
            .checked_mul(10_000i128.checked_pow(last as u32).ok_or("数值太大")?)
            .ok_or("数值太大")?;
    }
    let negative = sign == 0x4000;
    if scale == 0 {
        let n = i64::try_from(if negative { -whole } else { whole })?;
        Ok(Value::Integer(n))
    } else {
        Ok(Value::Real(if negative { -real } else { real }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            placeholders("SELECT ?1, '?2', \"a?\" -- ?3\n FROM t WHERE a = ?2 AND b = ?"),
            "SELECT $1, '?2', \"a?\" -- ?3\n FROM t WHERE a = $2 AND b = $3"
        );
    }

    #[test]
    fn numerics_round_trip_through_the_binary_form() {
        for n in [
            0i64,
            1,
            -1,
            9_999,
            10_000,
            123_456_789,
            -98_765_432_100,
            i64::MAX,
        ] {
            let mut out = bytes::BytesMut::new();
            numeric(n, &mut out);
            assert_eq!(read_numeric(&out).unwrap(), Value::Integer(n), "{n}");
        }
    }
}
