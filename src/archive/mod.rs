//! The archive (档案): customers, their machines, the model catalogue with its warranty
//! policies and the warranty verdict, import from spreadsheets and export to them, and
//! the customer's words.
//! Depends on people and the platform.

pub mod customers;
pub mod equipment;
pub mod export;
pub mod import;
pub mod import_report;
pub mod models;
pub mod phones;
pub mod sanbao;
pub mod warranty;
pub mod words;
