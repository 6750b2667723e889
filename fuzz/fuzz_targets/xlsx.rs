//! Fuzz target `xlsx`: see fuzz/entry.rs.
#![no_main]

#[path = "../entry.rs"]
mod entry;

use std::cell::RefCell;

thread_local! {
    static HARNESS: RefCell<entry::Harness> = RefCell::new(entry::Harness::new());
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    HARNESS.with(|h| h.borrow_mut().xlsx(data));
});
