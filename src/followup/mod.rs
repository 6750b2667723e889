//! After the repair (回访与投诉): callbacks, complaints with their reply clock, proactive
//! campaigns, and the day board with the alerts the desktop notifies; their printouts (print) and
//! words (words). Depends on orders,
//! slips and everything below them.

pub mod callbacks;
pub mod campaigns;
pub mod complaints;
pub mod dayboard;
pub mod print;
pub mod words;
