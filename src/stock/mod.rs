//! Spare parts (备件): the catalogue and stores (parts), the append-only movement ledger
//! with its balances, value and reports (ledger), stocktakes, and part and bin labels; the words
//! of all of them (words).
//! Depends on people and the platform.

pub mod labels;
pub mod ledger;
pub mod parts;
pub mod print;
pub mod stocktake;
pub mod words;
