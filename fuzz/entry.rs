//! The fuzz targets' entry points (issue 16), shared by the cargo-fuzz targets in
//! `fuzz_targets/` and by `tests/fuzz.rs`, which runs every file kept in `fuzz/corpus/`
//! through them, so an input that once crashed stays a regression test.
//!
//! Each entry point takes the fuzzer's bytes, calls the core as a door would, and panics
//! (which libFuzzer reports as a crash) only when the core breaks its contract: an error
//! must carry a readable message. Aborts and allocations over the limit are caught by
//! libFuzzer itself (`-rss_limit_mb`, `-malloc_limit_mb`).

// Each target uses one entry point of this file.
#![allow(dead_code)]

use aftersales::{api, archive::import, people::settings, Actor, Desk};
use base64::Engine as _;
use serde_json::{json, Value};

/// The commands `api::call` is fuzzed with: everything that only reads or writes the
/// database. Left out: what touches the file system or a printer (backup.*, slips.print,
/// settings.save with its folders, exports), the password hashes (auth.*, users.save:
/// each call is tens of milliseconds of argon2), and the imports (their own targets).
pub const COMMANDS: &[&str] = &[
    "app.info",
    "audit.list",
    "calendar.list",
    "calendar.save",
    "callbacks.get",
    "callbacks.queue",
    "callbacks.record",
    "campaigns.get",
    "complaints.create",
    "complaints.get",
    "complaints.list",
    "complaints.update",
    "customers.create",
    "customers.get",
    "customers.merge",
    "customers.search",
    "customers.update",
    "day.alerts",
    "day.board",
    "engineers.list",
    "equipment.create",
    "equipment.get",
    "equipment.list",
    "equipment.update",
    "models.list",
    "models.save",
    "orders.assign",
    "orders.complete",
    "orders.faults",
    "orders.get",
    "orders.list",
    "orders.pay",
    "parts.get",
    "parts.list",
    "parts.save",
    "reports.get",
    "reports.orders",
    "search.global",
    "settings.get",
    "slips.list",
    "slips.opinion",
    "slips.void",
    "stock.claim",
    "stock.defective",
    "stock.issue",
    "stock.ledger",
    "stock.low",
    "stock.receive",
    "stock.report",
    "stock.reverse",
    "stock.slow",
    "stock.transfer",
    "stocktake.count",
    "stocktake.get",
    "stocktake.post",
    "stocktake.start",
    "stores.list",
    "stores.save",
];

/// A desk in a temporary folder, acting as the file's owner (every role, as an admin
/// and more), with a little demo data so that small ids name real records.
pub struct Harness {
    desk: Desk,
    stocktake: Value,
    _dir: tempfile::TempDir,
}

/// A panic inside calamine is caught by the core (`sheet::read` runs it under
/// `catch_unwind` and answers `invalid` on `file`); in a fuzz build with debug assertions
/// calamine's arithmetic may panic where a release build wraps. libFuzzer's panic hook would
/// abort on it before the core's guard is reached, so those panics (and only those: the
/// panic's location is in calamine's source) pass on to the guard; every other panic still
/// aborts and is reported as a crash.
fn contain_calamine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                abort(info);
            }
        }));
    });
}

fn clear<T>(what: &str, result: aftersales::Result<T>) {
    if let Err(e) = result {
        assert!(
            !e.to_string().trim().is_empty(),
            "{what}: an error without a message ({})",
            e.code()
        );
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Harness {
    pub fn new() -> Harness {
        contain_calamine_panics();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut desk = Desk::open_dir(dir.path()).expect("a desk");
        desk.act_as(Actor::script());
        aftersales::demo::fill(&mut desk, 20).expect("demo customers");
        aftersales::demo::fill_stock(&mut desk, 4, 20).expect("demo parts");
        aftersales::demo::fill_orders(&mut desk, 20, 5).expect("demo orders");
        let stocktake = api::call(&mut desk, "stocktake.start", json!({"store_id": 1}))
            .expect("a stocktake")
            .value()["id"]
            .clone();
        Harness {
            desk,
            stocktake,
            _dir: dir,
        }
    }

    /// The customer import's preview (it runs the whole import, then rolls it back).
    pub fn import(&mut self, file_name: &str, data: &[u8]) {
        self.desk.act_as(Actor::script());
        let args = import::args_for_file(file_name, data);
        clear("import.preview", import::preview(&mut self.desk, args));
    }

    pub fn csv(&mut self, data: &[u8]) {
        self.import("客户.csv", data);
    }

    pub fn xlsx(&mut self, data: &[u8]) {
        self.import("客户.xlsx", data);
    }

    pub fn xls(&mut self, data: &[u8]) {
        self.import("客户.xls", data);
    }

    /// A storekeeper's count sheet; the first byte picks the name it arrives under.
    pub fn count_sheet(&mut self, data: &[u8]) {
        self.desk.act_as(Actor::script());
        let Some((&pick, file)) = data.split_first() else {
            return;
        };
        let name = ["盘点表.csv", "盘点表.xlsx", "盘点表.xls", "盘点表"][usize::from(pick % 4)];
        let args = json!({"id": self.stocktake, "file_name": name, "content_base64": b64(file)});
        clear(
            "stocktake.count_file",
            api::call(&mut self.desk, "stocktake.count_file", args),
        );
    }

    /// `api::call` with arbitrary JSON: the first byte picks the command, the rest must
    /// be JSON (anything else is not an input for this target).
    pub fn command(&mut self, data: &[u8]) {
        let Some((&pick, json)) = data.split_first() else {
            return;
        };
        let Ok(args) = serde_json::from_slice::<Value>(json) else {
            return;
        };
        let name = COMMANDS[usize::from(pick) % COMMANDS.len()];
        self.desk.act_as(Actor::script());
        clear(name, api::call(&mut self.desk, name, args));
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

/// The logo check of `settings.save`: the bytes as a file (base64, as the UI sends it),
/// and as the text of the setting itself (a `data:` URL or anything else).
pub fn logo(data: &[u8]) {
    clear("logo", settings::logo(&b64(data)));
    if let Ok(text) = std::str::from_utf8(data) {
        clear("logo text", settings::logo(text));
    }
}
