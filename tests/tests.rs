//! The core's integration tests: one binary, one module per area, each on a real SQLite
//! file in a temporary folder.

// Shared helpers: a fresh desk in a temp dir, calling commands by name.
mod util;

// Opening, pragmas, migrations and the schema snapshot.
mod db;
// The command table and the error JSON that crosses every door.
mod api;
// Users, logins, sessions, roles checked for every command, who is recorded.
mod users;
// The customer archive: validation, phones, search, chains, duplicates, merge.
mod customers;
// Machine files, models and warranty policies, the warranty verdict.
mod equipment;
// The one search box across customers and machines.
mod search;
// Import of customers and machines from xlsx/xls/csv files; export to xlsx.
mod import;
// The spare-parts ledger: movements, value, stocktake, the invariant, the last-unit race.
mod stock;
// Work orders: intake, numbers, the status flow, clocks on the working calendar,
// completion through the ledger, payment, the dispatch board.
mod orders;
// PDFs read back: labels and the purchase request (pdftotext, pdftoppm, zbarimg).
mod pdf;
// Service slips: numbering, reprints, voids, continuity, opinion and signature, the PDFs.
mod slips;
// After the repair: callbacks, complaints, proactive campaigns, the day board.
mod followup;
// The monthly numbers, checked against a month worked out by hand; export.
mod reports;
// Windows-proofing: Chinese paths, files in use, Excel's CSV; also run under Wine.
mod windows;
// Backups made while the desk runs; restore, and every way a restore must fail harmlessly.
mod backup;
// The background jobs the doors tick: the daily backup, the clock alerts.
mod jobs;
// Random input for the import parsers and every command: no panic, only clear errors.
mod fuzz;
