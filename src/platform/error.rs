//! The one error type of the core. Each variant has a stable English `code` that the UI
//! may branch on and a Chinese `message` a clerk understands; `field` names the input
//! that is wrong so the UI can put the message under it. A test pins the exact JSON.
//!
//! A form checked as a whole refuses with every problem at once: [`Problems`] collects
//! them (one per field, in the order the eye reads the form) and becomes one `Invalid`
//! whose `field`/`message` are the first and whose JSON adds `fields`, the whole list.
//!
//! Add a variant only when a caller needs to tell it apart from the others.

use std::borrow::Cow;
use std::path::Path;

use serde::ser::{Serialize, SerializeMap, Serializer};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input a person typed is not acceptable; `field` is the API field name.
    #[error("{message}")]
    Invalid {
        field: Cow<'static, str>,
        message: String,
        /// Further fields refused with it (a form checked as a whole), after the first.
        more: Vec<FieldError>,
    },
    /// The record asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No command of that name in the table.
    #[error("没有这个功能：{0}")]
    UnknownCommand(String),
    /// The arguments are not of the command's shape (a program's mistake, not a clerk's).
    #[error("请求参数格式不正确：{0}")]
    BadRequest(String),
    /// The database file could not be read or written.
    #[error("数据文件读写出错：{0}")]
    Storage(String),
    /// No one is logged in, or the session has ended.
    #[error("请先登录（登录已过期或尚未登录）")]
    Unauthorized,
    /// The user is logged in but none of their roles may run this command.
    #[error("{0}")]
    Forbidden(String),
    /// Another desk changed the same records at the same moment (PostgreSQL could not
    /// serialise the two transactions). The command table runs the command again; a clerk
    /// sees this only when that kept failing.
    #[error("其他服务台正在同时修改相同的记录，请稍后再试")]
    Contended,
}

/// One refused field of a form: what `fields` lists in the error JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub message: String,
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: Cow::Borrowed(field),
            message: message.into(),
            more: Vec::new(),
        }
    }

    /// Every refused field, first one first (empty for the other kinds of error).
    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            Error::Invalid {
                field,
                message,
                more,
            } => std::iter::once(FieldError {
                field: field.clone(),
                message: message.clone(),
            })
            .chain(more.iter().cloned())
            .collect(),
            _ => Vec::new(),
        }
    }

    /// The same error with every field named inside a part of a larger form:
    /// `name` becomes `customer.name`. Other kinds of error pass unchanged.
    pub fn within(self, part: &str) -> Error {
        match self {
            Error::Invalid {
                field,
                message,
                more,
            } => Error::Invalid {
                field: Cow::Owned(format!("{part}.{field}")),
                message,
                more: more
                    .into_iter()
                    .map(|f| FieldError {
                        field: Cow::Owned(format!("{part}.{}", f.field)),
                        message: f.message,
                    })
                    .collect(),
            },
            e => e,
        }
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> Error {
        Error::Storage(format!("{}（{}）", e, path.display()))
    }

    /// Stable English code for programs to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::NotFound(_) => "not_found",
            Error::UnknownCommand(_) => "unknown_command",
            Error::BadRequest(_) => "bad_request",
            Error::Storage(_) => "storage",
            Error::Unauthorized => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Contended => "contended",
        }
    }

    /// The input field the error is about (the first, when several), if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// `{"code": …, "message": …, "field"?: …}` as it crosses a door.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({"code": self.code()}))
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let field = self.field();
        let several = matches!(self, Error::Invalid { more, .. } if !more.is_empty());
        let len = 2 + usize::from(field.is_some()) + usize::from(several);
        let mut map = s.serialize_map(Some(len))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        if let Some(field) = field {
            map.serialize_entry("field", field)?;
        }
        if several {
            map.serialize_entry("fields", &self.fields())?;
        }
        map.end()
    }
}

/// The problems of a form checked as a whole: every field is looked at, each refused
/// field noted once (the first problem found for it), and the form refused at the end
/// with all of them. Errors that are not about input (storage…) stop at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Notes an `Invalid` error (each of its fields); any other error is handed back.
    pub fn note(&mut self, e: Error) -> Result<()> {
        match e {
            Error::Invalid { .. } => {
                for f in e.fields() {
                    if !self.has(&f.field) {
                        self.0.push(f);
                    }
                }
                Ok(())
            }
            e => Err(e),
        }
    }

    /// The value, or `None` with its problems noted.
    pub fn keep_opt<T>(&mut self, r: Result<T>) -> Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.note(e).map(|()| None),
        }
    }

    /// The value, or a stand-in (`T::default()`) with its problems noted: the form is
    /// refused by [`Problems::finish`], so the stand-in is never used.
    pub fn keep<T: Default>(&mut self, r: Result<T>) -> Result<T> {
        Ok(self.keep_opt(r)?.unwrap_or_default())
    }

    /// Whether `field` was refused already.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|f| f.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was refused, else one `Invalid` with every problem.
    pub fn finish<T>(self, value: T) -> Result<T> {
        let mut all = self.0.into_iter();
        match all.next() {
            None => Ok(value),
            Some(first) => Err(Error::Invalid {
                field: first.field,
                message: first.message,
                more: all.collect(),
            }),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Storage(e.to_string())
    }
}

impl From<crate::platform::db::DbError> for Error {
    fn from(e: crate::platform::db::DbError) -> Error {
        match e {
            crate::platform::db::DbError::Postgres(p) if p.retry => Error::Contended,
            e => Error::Storage(e.to_string()),
        }
    }
}
