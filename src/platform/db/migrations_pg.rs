//! The PostgreSQL migrations, with SQLite's version numbers: after entry `i`, a database
//! of either engine has the same tables, columns, keys and rules (tests/platform/pg_schema.rs
//! compares them). PostgreSQL came with issue 19, when SQLite's list had 18 entries: no
//! PostgreSQL database was ever at an earlier version, so entries 1–17 are empty and entry
//! 18 creates the whole schema of version 18. From 19 on, every migration is written for
//! both lists at once.

pub const PG_MIGRATIONS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    // 18: the whole schema of version 18.
    concat!(
        include_str!("pg_compat.sql"),
        include_str!("pg_schema.sql"),
        include_str!("pg_search.sql")
    ),
    // issue 19 (concurrency): an order's version, as in SQLite's list (an AFTER UPDATE
    // trigger with SQLite's guard, so that both engines count the same changes).
    r#"
    ALTER TABLE work_order ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
    CREATE FUNCTION work_order_version() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
    BEGIN
        UPDATE work_order SET version = OLD.version + 1 WHERE id = NEW.id;
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER work_order_version AFTER UPDATE ON work_order
        FOR EACH ROW WHEN (NEW.version = OLD.version)
        EXECUTE FUNCTION work_order_version();
    "#,
];

#[cfg(test)]
mod tests {
    #[test]
    fn both_engines_have_the_same_version_numbers() {
        assert_eq!(super::PG_MIGRATIONS.len(), super::super::MIGRATIONS.len());
    }
}
