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
    // 19, issue 19 (concurrency): an order's version, as in SQLite's list (an AFTER UPDATE
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
    // 20, issue 19 (stateless): sessions (the SHA-256 of each token), failed password tries,
    // the first run's setup code and the clock alerts already notified, in the database
    // so that any door serves any desk; as SQLite's entry 20 (job_turn stays empty here:
    // the jobs take an advisory lock on PostgreSQL).
    r#"
    CREATE TABLE login_session (
        hash        TEXT COLLATE "C" PRIMARY KEY,
        user_id     BIGINT NOT NULL REFERENCES app_user (id),
        started_at  TEXT COLLATE "C" NOT NULL,
        last_seen   TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX login_session_user ON login_session (user_id);
    CREATE TABLE login_failure (
        kind      TEXT COLLATE "C" NOT NULL CHECK (kind IN ('peer', 'login')),
        key       TEXT COLLATE "C" NOT NULL,
        failures  BIGINT NOT NULL,
        last_at   TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kind, key)
    );
    CREATE TABLE setup_code (
        id       BIGINT PRIMARY KEY CHECK (id = 1),
        code     TEXT COLLATE "C" NOT NULL,
        made_at  TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE alert_notified (
        key  TEXT COLLATE "C" PRIMARY KEY,
        at   TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE job_turn (
        id      BIGINT PRIMARY KEY CHECK (id = 1),
        holder  TEXT COLLATE "C" NOT NULL,
        until   TEXT COLLATE "C" NOT NULL
    );
    "#,
    // 21, issue 20 (the status page): as SQLite's entry 21. Orders made before get their
    // code from gen_random_uuid() (the server's strong random source): the first 12 hex
    // digits of a version-4 UUID are all random (the version digit comes after them), two
    // of them make 96 bits, the shape Rust gives new orders.
    r#"
    CREATE TABLE order_status_code (
        order_id  BIGINT PRIMARY KEY REFERENCES work_order (id),
        code      TEXT COLLATE "C" NOT NULL UNIQUE
    );
    INSERT INTO order_status_code (order_id, code)
        SELECT id, substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)
                   || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)
          FROM work_order;
    CREATE TABLE status_page_hit (
        peer    TEXT COLLATE "C" NOT NULL,
        minute  TEXT COLLATE "C" NOT NULL,
        hits    BIGINT NOT NULL,
        PRIMARY KEY (peer, minute)
    );
    "#,
];

#[cfg(test)]
mod tests {
    #[test]
    fn both_engines_have_the_same_version_numbers() {
        assert_eq!(super::PG_MIGRATIONS.len(), super::super::MIGRATIONS.len());
    }
}
