//! Fuzz target `logo`: see fuzz/entry.rs.
#![no_main]

#[path = "../entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    entry::logo(data);
});
