//! The people and the office: accounts, roles and sessions (users), the append-only audit
//! trail, the desk's settings and its working calendar and backups, and moving a desk's
//! file onto PostgreSQL (migrate).
//! Depends on the platform only.

pub mod audit;
pub mod backup;
pub mod calendar;
pub mod migrate;
pub mod settings;
pub mod users;
