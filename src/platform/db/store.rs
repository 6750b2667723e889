//! The store interface: one way for every area to speak SQL, whichever engine holds the
//! desk (issue 19). [`Db`] is an open connection, to a SQLite file (one desk, an office)
//! or to a PostgreSQL database (a chain); [`Tx`] is a transaction on it and reads through
//! it like the connection (it derefs to [`Db`]).
//!
//! The shape is rusqlite's, so the areas read as before: `execute`, `query_row`,
//! `prepare_cached(..)?.query_map(..)`, [`Optional::optional`]. Values cross in rusqlite's
//! value model on both engines (Null, Integer, Real, Text, Blob: `ToSql`/`FromSql`), so a
//! word, an id or a stamp is converted by one impl whatever the engine.
//!
//! SQL is written once, with `?1`-style placeholders, and runs on both engines where it
//! can (it can almost everywhere: `ON CONFLICT`, `RETURNING`, `||`, `coalesce`…); the
//! store rewrites the placeholders to `$1` for PostgreSQL. Where the engines differ (the
//! full-text index, a few functions), the statement is a [`Both`], chosen here and nowhere
//! else: no area asks which engine it runs on.

use std::cell::RefCell;
use std::ops::Deref;

use rusqlite::types::{FromSql, ToSql, ValueRef};

use super::postgres::{Pg, PgRow};

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A statement's text: the same for both engines (`&str`), or one per engine ([`Both`]).
pub trait Sql {
    fn text(&self, engine: Engine) -> &str;
}

impl Sql for str {
    fn text(&self, _: Engine) -> &str {
        self
    }
}

impl<T: Sql + ?Sized> Sql for &T {
    fn text(&self, engine: Engine) -> &str {
        (**self).text(engine)
    }
}

impl Sql for String {
    fn text(&self, _: Engine) -> &str {
        self
    }
}

/// A statement that must be written differently for each engine (its two texts fixed, or
/// built for the call).
#[derive(Debug, Clone, Copy)]
pub struct Both<S = &'static str> {
    pub sqlite: S,
    pub postgres: S,
}

impl<S: AsRef<str>> Sql for Both<S> {
    fn text(&self, engine: Engine) -> &str {
        match engine {
            Engine::Sqlite => self.sqlite.as_ref(),
            Engine::Postgres => self.postgres.as_ref(),
        }
    }
}

/// A statement's bound values, in placeholder order.
pub trait Args {
    fn values(&self) -> Vec<&dyn ToSql>;
}

impl Args for [&dyn ToSql; 0] {
    fn values(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

impl<T: ToSql> Args for &[T] {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

impl<T: ToSql> Args for Vec<T> {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

macro_rules! array_args {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Args for [T; $n] {
            fn values(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|v| v as &dyn ToSql).collect()
            }
        }
    )*};
}
array_args!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// A failure of the store. It becomes [`crate::Error::Storage`] (or, for a transaction
/// PostgreSQL could not serialise, the error that makes the command run again).
#[derive(Debug)]
pub enum DbError {
    /// A query that must return a row returned none ([`Optional::optional`] makes it `None`).
    NoRows,
    Sqlite(rusqlite::Error),
    Postgres(super::postgres::PgError),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::NoRows => f.write_str("查询没有结果"),
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Postgres(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        match e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRows,
            e => DbError::Sqlite(e),
        }
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// `None` for a query that returned no row, as rusqlite's `OptionalExtension` does.
pub trait Optional<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> Optional<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One row of a result, read by column index (or name) into any `FromSql` type.
pub enum Row<'a, 'b> {
    Sqlite(&'a rusqlite::Row<'b>),
    Postgres(&'a PgRow),
}

/// A column of a [`Row`]: its position, or its name.
pub trait Column: Copy {
    fn position(self, row: &Row<'_, '_>) -> rusqlite::Result<usize>;
}

impl Column for usize {
    fn position(self, row: &Row<'_, '_>) -> rusqlite::Result<usize> {
        match row {
            Row::Sqlite(r) if self >= r.as_ref().column_count() => {
                Err(rusqlite::Error::InvalidColumnIndex(self))
            }
            Row::Postgres(r) if self >= r.len() => Err(rusqlite::Error::InvalidColumnIndex(self)),
            _ => Ok(self),
        }
    }
}

impl Column for &str {
    fn position(self, row: &Row<'_, '_>) -> rusqlite::Result<usize> {
        match row {
            Row::Sqlite(r) => r.as_ref().column_index(self),
            Row::Postgres(r) => r
                .position(self)
                .ok_or_else(|| rusqlite::Error::InvalidColumnName(self.to_string())),
        }
    }
}

impl Row<'_, '_> {
    /// Column `i` as a `T`, with rusqlite's conversion rules on both engines.
    pub fn get<I: Column, T: FromSql>(&self, i: I) -> rusqlite::Result<T> {
        let i = i.position(self)?;
        match self {
            Row::Sqlite(r) => r.get(i),
            Row::Postgres(r) => {
                let value = r.value(i);
                T::column_result(value).map_err(|e| conversion(i, value, e))
            }
        }
    }

    /// Column `i` as it is stored, borrowed.
    pub fn get_ref(&self, i: usize) -> rusqlite::Result<ValueRef<'_>> {
        match self {
            Row::Sqlite(r) => r.get_ref(i),
            Row::Postgres(r) if i < r.len() => Ok(r.value(i)),
            Row::Postgres(_) => Err(rusqlite::Error::InvalidColumnIndex(i)),
        }
    }
}

/// rusqlite's error for a value `FromSql` refused, so both engines fail alike.
fn conversion(i: usize, value: ValueRef<'_>, e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    use rusqlite::types::FromSqlError;
    match e {
        FromSqlError::InvalidType => {
            rusqlite::Error::InvalidColumnType(i, i.to_string(), value.data_type())
        }
        FromSqlError::OutOfRange(n) => rusqlite::Error::IntegralValueOutOfRange(i, n),
        other => rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(other)),
    }
}

/// An open connection to the desk's store.
pub struct Db {
    conn: Conn,
}

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

impl Db {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Db {
        Db {
            conn: Conn::Sqlite(conn),
        }
    }

    pub(crate) fn postgres(pg: Pg) -> Db {
        Db {
            conn: Conn::Postgres(Box::new(pg)),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.conn {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection underneath (backups, pragmas, the file's own tools), or `None`
    /// on PostgreSQL.
    pub fn sqlite_conn(&self) -> Option<&rusqlite::Connection> {
        match &self.conn {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    pub(crate) fn sqlite_conn_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.conn {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    pub(crate) fn pg(&self) -> Option<&Pg> {
        match &self.conn {
            Conn::Sqlite(_) => None,
            Conn::Postgres(p) => Some(p),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute<S: Sql + ?Sized, A: Args>(&self, sql: &S, args: A) -> DbResult<usize> {
        self.prepare_cached(sql)?.execute(args)
    }

    /// Runs statements separated by `;` that take no values (schema, pragmas).
    pub fn execute_batch<S: Sql + ?Sized>(&self, sql: &S) -> DbResult<()> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql.text(Engine::Sqlite))?),
            Conn::Postgres(p) => p.batch(sql.text(Engine::Postgres)),
        }
    }

    /// The first row of a query, read by `f`; [`DbError::NoRows`] when there is none.
    pub fn query_row<S, A, T, F>(&self, sql: &S, args: A, f: F) -> DbResult<T>
    where
        S: Sql + ?Sized,
        A: Args,
        F: FnOnce(&Row<'_, '_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(args, f)
    }

    /// A statement kept prepared for the next call with the same text.
    pub fn prepare_cached<S: Sql + ?Sized>(&self, sql: &S) -> DbResult<Stmt<'_>> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare_cached(sql.text(Engine::Sqlite))?)),
            Conn::Postgres(p) => Ok(Stmt::Postgres(p, p.prepare(sql.text(Engine::Postgres))?)),
        }
    }

    /// A statement prepared once (a text built for this call).
    pub fn prepare<S: Sql + ?Sized>(&self, sql: &S) -> DbResult<Stmt<'_>> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare_cached(sql.text(Engine::Sqlite))?)),
            Conn::Postgres(p) => Ok(Stmt::Postgres(p, p.prepare(sql.text(Engine::Postgres))?)),
        }
    }

    /// The id the last `INSERT` on this connection gave its row: SQLite's
    /// `last_insert_rowid()`, PostgreSQL's `lastval()` (the identity sequence that insert
    /// drew from; no trigger of ours inserts into another table with an identity, so it is
    /// the row's own).
    pub fn last_insert_rowid(&self) -> DbResult<i64> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(c.last_insert_rowid()),
            Conn::Postgres(_) => self.query_row("SELECT lastval()", [], |r| r.get(0)),
        }
    }

    /// Opens a transaction that will write: SQLite `BEGIN IMMEDIATE` (the write lock
    /// first, so a second door waits its turn), PostgreSQL `SERIALIZABLE` (a conflict with
    /// another desk fails the transaction, and the command runs again: see `api`).
    pub fn write(&mut self) -> DbResult<Tx<'_>> {
        match &self.conn {
            Conn::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Conn::Postgres(p) => p.begin(true)?,
        }
        Ok(Tx {
            db: self,
            open: RefCell::new(true),
        })
    }

    /// Opens a transaction that only reads, for a consistent view of several queries.
    pub fn read(&mut self) -> DbResult<Tx<'_>> {
        match &self.conn {
            Conn::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
            Conn::Postgres(p) => p.begin(false)?,
        }
        Ok(Tx {
            db: self,
            open: RefCell::new(true),
        })
    }
}

/// An open transaction; it reads and writes like its [`Db`]. Dropped without
/// [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    db: &'a Db,
    open: RefCell<bool>,
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    pub fn commit(self) -> DbResult<()> {
        self.open.replace(false);
        match &self.db.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch("COMMIT")?),
            Conn::Postgres(p) => p.end("COMMIT"),
        }
    }

    pub fn rollback(self) -> DbResult<()> {
        self.open.replace(false);
        self.end_rollback()
    }

    fn end_rollback(&self) -> DbResult<()> {
        match &self.db.conn {
            Conn::Sqlite(c) => {
                if !c.is_autocommit() {
                    c.execute_batch("ROLLBACK")?;
                }
                Ok(())
            }
            Conn::Postgres(p) => p.end("ROLLBACK"),
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open.replace(false) {
            // Nothing to report from a drop: a failed rollback leaves the connection to
            // be reset by the next transaction's BEGIN.
            let _ = self.end_rollback();
        }
    }
}

/// A prepared statement.
pub enum Stmt<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Postgres(&'c Pg, super::postgres::Prepared),
}

/// The rows a query returned, each read by the caller's function.
pub type Rows<'s, T> = Box<dyn Iterator<Item = rusqlite::Result<T>> + 's>;

impl Stmt<'_> {
    pub fn execute<A: Args>(&mut self, args: A) -> DbResult<usize> {
        match self {
            Stmt::Sqlite(s) => Ok(s.execute(rusqlite::params_from_iter(args.values()))?),
            Stmt::Postgres(p, s) => p.execute(s, &args.values()),
        }
    }

    /// Every row, each read by `f` as the iterator reaches it.
    pub fn query_map<'s, A, T, F>(&'s mut self, args: A, mut f: F) -> DbResult<Rows<'s, T>>
    where
        A: Args,
        F: FnMut(&Row<'_, '_>) -> rusqlite::Result<T> + 's,
        T: 's,
    {
        match self {
            Stmt::Sqlite(s) => {
                let rows = s.query_map(rusqlite::params_from_iter(args.values()), move |r| {
                    f(&Row::Sqlite(r))
                })?;
                Ok(Box::new(rows))
            }
            Stmt::Postgres(p, s) => {
                let rows = p.query(s, &args.values())?;
                Ok(Box::new(
                    rows.into_iter().map(move |r| f(&Row::Postgres(&r))),
                ))
            }
        }
    }

    pub fn query_row<A, T, F>(&mut self, args: A, f: F) -> DbResult<T>
    where
        A: Args,
        F: FnOnce(&Row<'_, '_>) -> rusqlite::Result<T>,
    {
        match self {
            Stmt::Sqlite(s) => Ok(s.query_row(rusqlite::params_from_iter(args.values()), |r| {
                f(&Row::Sqlite(r))
            })?),
            Stmt::Postgres(p, s) => {
                let row = p.query_first(s, &args.values())?.ok_or(DbError::NoRows)?;
                Ok(f(&Row::Postgres(&row))?)
            }
        }
    }

    /// The names of the columns the statement returns.
    pub fn column_names(&self) -> Vec<String> {
        match self {
            Stmt::Sqlite(s) => s.column_names().map(String::from).collect(),
            Stmt::Postgres(_, p) => p.names().to_vec(),
        }
    }

    pub fn column_count(&self) -> usize {
        match self {
            Stmt::Sqlite(s) => s.column_count(),
            Stmt::Postgres(_, p) => p.names().len(),
        }
    }

    /// Whether the query returns a row.
    pub fn exists<A: Args>(&mut self, args: A) -> DbResult<bool> {
        match self {
            Stmt::Sqlite(s) => Ok(s.exists(rusqlite::params_from_iter(args.values()))?),
            Stmt::Postgres(p, s) => Ok(p.query_first(s, &args.values())?.is_some()),
        }
    }
}
