//! The platform every area stands on, knowing no domain word: the database file and its
//! migrations, the one error type, text fields and the search index's tokens, the PDF
//! drawing layer, money, phone numbers, dates as people write them, the desk's clock and
//! zone (time), handing a file to the printer, and ESC/POS jobs for thermal printers
//! (escpos). Nothing here depends on another area.

pub mod dates;
pub mod db;
pub mod error;
pub mod escpos;
pub mod files;
#[cfg(windows)]
pub mod gdi;
pub mod money;
pub mod pdf;
pub mod phone;
pub mod printing;
pub mod sheet;
pub mod stored;
pub mod text;
pub mod time;
pub mod tls;
pub mod words;
