//! The one error type of the core. Each variant has a stable English `code` that the UI
//! may branch on and a Chinese `message` a clerk understands; `field` names the input
//! that is wrong so the UI can put the message under it. A test pins the exact JSON.
//!
//! Add a variant only when a caller needs to tell it apart from the others.

use std::path::Path;

use serde::ser::{Serialize, SerializeMap, Serializer};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input a person typed is not acceptable; `field` is the API field name.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
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
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
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
        }
    }

    /// The input field the error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
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
        let mut map = s.serialize_map(Some(if field.is_some() { 3 } else { 2 }))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        if let Some(field) = field {
            map.serialize_entry("field", field)?;
        }
        map.end()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Storage(e.to_string())
    }
}
