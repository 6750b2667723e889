//! The append-only list of schema migrations. Entry `i` moves `user_version` from `i` to
//! `i + 1`. Never edit or remove an entry once it has shipped; add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the customer archive.
    r#"
    CREATE TABLE customer (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('person', 'company')),
        name        TEXT NOT NULL,
        address     TEXT NOT NULL DEFAULT '',
        region      TEXT NOT NULL DEFAULT '',
        class       TEXT NOT NULL DEFAULT 'normal' CHECK (class IN ('normal', 'vip', 'key')),
        notes       TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    -- number: normalised (digits; a landline extension after '-');
    -- digits: the number without extension, indexed on its last four for tail search.
    CREATE TABLE customer_phone (
        customer_id INTEGER NOT NULL REFERENCES customer (id),
        position    INTEGER NOT NULL,
        number      TEXT NOT NULL,
        digits      TEXT NOT NULL,
        PRIMARY KEY (customer_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX customer_phone_number ON customer_phone (number);
    CREATE INDEX customer_phone_tail ON customer_phone (substr(digits, -4));
    -- Names and addresses with one token per Chinese character, so that any fragment of
    -- one or more characters is a phrase query (trigram cannot find 2-character names).
    CREATE VIRTUAL TABLE customer_text USING fts5 (
        name, address, content = '', contentless_delete = 1, tokenize = 'unicode61'
    );
    "#,
];
