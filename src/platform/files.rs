//! Files going out through a door: a download (spreadsheet, PDF) travels as JSON with its
//! name and its bytes in base64, and the UI saves it under that name.

use serde::Serialize;

/// A file for the user to save: an export, a report sheet, a purchase request.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub file_name: String,
    pub content_base64: String,
    /// Data rows in the file (a customer export: one per machine, one for a customer
    /// without machines).
    pub rows: usize,
}
