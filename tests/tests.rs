//! The core's integration tests: one binary, one module per area of `src/` with the same
//! name (a folder where the area has several files), each on a real SQLite file in a
//! temporary folder.

// Shared helpers: a fresh desk in a temp dir, calling commands by name.
mod util;
// The Linux programs that read our files back (poppler, zbar, python3), on Linux directly
// and under Wine through the xtask's bridge.
mod tools;
// Several desks (threads, each its own connection) calling at the same moment, a barrier
// per round; the checks every concurrency test shares (issue 19).
mod at_once;

// The platform: opening, pragmas, migrations and the schema snapshot (db); PDFs read back,
// labels and the purchase request (pdftotext, pdftoppm, zbarimg), with the helpers the
// slip and campaign tests share (pdf); power cuts at every sync point, after which every
// acknowledged number and payment is still there (durability); one clock: a fixed desk
// clock stamps every row and PDF, dates are checked on the desk's day (clock); the
// PostgreSQL schema script against the migrated SQLite schema on a real server (pg_schema).
mod platform {
    pub mod at_rest;
    pub mod clock;
    pub mod db;
    pub mod drawing;
    pub mod durability;
    pub mod escpos;
    pub mod fonts;
    #[cfg(windows)]
    pub mod gdi;
    pub mod pdf;
    pub mod pg_schema;
    pub mod pg_store;
    pub mod phone;
    pub mod printing;
}
// People: users, logins, sessions, roles checked for every command, who is recorded
// (users); issue 16's first run, throttled logins, password rules, sessions that end
// (auth); backups made while the desk runs, restore and every way it must fail (backup);
// the official calendar against chinesecalendar and holidays, notices read and loaded,
// deadlines across holidays (calendar); a desk's file moved onto PostgreSQL, counted and
// checksummed (migrate); backups on PostgreSQL with pg_dump and pg_restore (pg_backup).
mod people {
    pub mod auth;
    pub mod backup;
    pub mod calendar;
    pub mod migrate;
    pub mod pg_backup;
    pub mod users;
}
// The archive: customers (validation, phones, chains, duplicates, merge), machines,
// models and warranty (equipment), import from xlsx/xls/csv and export (import).
mod archive {
    pub mod customers;
    pub mod equipment;
    pub mod import;
}
// The house's rules, read off the source: areas depend one way, one clock, thin doors.
mod architecture;
// The command table and the error JSON that crosses every door.
mod api;
// 来电弹屏: the caller's screen, the rings the doors push, the webhook's secret and the
// caller-ID box's lines (issue 20).
mod calls;
// The one search box across customers and machines.
mod search;
// The spare-parts ledger: movements, value, stocktake, the invariant, the last-unit race.
mod stock;
// Work orders: intake, numbers, the status flow, clocks on the working calendar,
// completion through the ledger, payment, the dispatch board; clocks that pause
// (orders/pauses.rs, issue 21).
mod orders;
// 备用机 (issue 21): the register, lending once, deposits and refunds, overdue, the slip.
mod loaners;
// 三包 (issue 21): the model's mark, the verdict's windows on the official calendar, the
// period extended by repairs, exchanges, the repair's own days, the order's copy.
mod sanbao;
// 定期保养 (issue 21): plans per model or machine, due dates across month ends, leap years
// and holidays, counters, orders made ahead once across doors, the reminder, the week.
mod plans;
// 保外报价 (issue 21): quotes, the customer's answer, the approved total, deposits, the
// diagnostic fee of a refusal, the clocks paused while a quote waits.
mod quotes;
// 厂家索赔 (issue 21): brands' rate cards and layouts, a claim per in-warranty order, parts
// claimed once their defective units went back, the monthly batch and its due day on the
// official calendar, the brand's answer and payment, the workbook, the reports.
mod claims;
// 工程师提成 (issue 21): rule sets by effective day, every item and deduction, across month
// ends, holidays and a leap February; an order handed over; the report and its items.
mod commission;
// 接机拍照: attachments checked by their bytes, thumbnails, voids, backups (issue 20).
mod attachments;
// Service slips: numbering, reprints, voids, continuity, opinion and signature, the PDFs.
mod slips;
// After the repair: callbacks, complaints, proactive campaigns, the day board.
mod followup;
// Status messages to the customer: outbox, jobs, providers' fakes (issue 20).
mod notify;
// The monthly numbers, checked against a month worked out by hand; export.
mod reports;
// Windows-proofing: Chinese paths, files in use, Excel's CSV; also run under Wine.
mod windows;
// The background jobs the doors tick: the daily backup, the clock alerts.
mod jobs;
// The demo database: categories that fit, prices, a year at working times, full reports.
mod demo;
// Random input for the import parsers and every command: no panic, only clear errors.
mod fuzz;
