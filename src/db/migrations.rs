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
    // 2: chains, merges, machine files, warranty policies, the audit trail.
    r#"
    ALTER TABLE customer ADD COLUMN source TEXT NOT NULL DEFAULT '';
    ALTER TABLE customer ADD COLUMN parent_id INTEGER REFERENCES customer (id);
    ALTER TABLE customer ADD COLUMN merged_into INTEGER REFERENCES customer (id);
    CREATE INDEX customer_parent ON customer (parent_id) WHERE parent_id IS NOT NULL;
    CREATE INDEX customer_name ON customer (name);

    CREATE TABLE product_model (
        id          INTEGER PRIMARY KEY,
        code        TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        category    TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL
    );
    -- component '' is the whole machine.
    CREATE TABLE warranty_policy (
        model_id    INTEGER NOT NULL REFERENCES product_model (id),
        component   TEXT NOT NULL,
        months      INTEGER NOT NULL CHECK (months BETWEEN 1 AND 240),
        basis       TEXT NOT NULL CHECK (basis IN ('purchase', 'install')),
        PRIMARY KEY (model_id, component)
    ) WITHOUT ROWID;

    -- serial_rev: the serial reversed, so a tail of any length is an index range.
    CREATE TABLE equipment (
        id                  INTEGER PRIMARY KEY,
        customer_id         INTEGER NOT NULL REFERENCES customer (id),
        model_id            INTEGER NOT NULL REFERENCES product_model (id),
        serial              TEXT NOT NULL,
        serial_rev          TEXT NOT NULL,
        purchase_date       TEXT,
        install_date        TEXT,
        site                TEXT NOT NULL DEFAULT '',
        warranty_end        TEXT,
        warranty_reason     TEXT NOT NULL DEFAULT '',
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL,
        UNIQUE (model_id, serial)
    );
    CREATE INDEX equipment_customer ON equipment (customer_id);
    CREATE INDEX equipment_serial ON equipment (serial);
    CREATE INDEX equipment_serial_rev ON equipment (serial_rev);

    -- Append-only: who did what to which record, in a sentence.
    CREATE TABLE audit_entry (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        user        TEXT NOT NULL,
        action      TEXT NOT NULL,
        entity      TEXT NOT NULL,
        entity_id   INTEGER NOT NULL,
        detail      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_entry_entity ON audit_entry (entity, entity_id);
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
    "#,
    // 3: the number of active customers, kept by triggers: the customer list shows it and
    // counting a million rows costs 100 ms.
    r#"
    CREATE TABLE customer_count (n INTEGER NOT NULL);
    INSERT INTO customer_count SELECT count(*) FROM customer WHERE merged_into IS NULL;
    CREATE TRIGGER customer_count_insert AFTER INSERT ON customer WHEN NEW.merged_into IS NULL
        BEGIN UPDATE customer_count SET n = n + 1; END;
    CREATE TRIGGER customer_count_merge AFTER UPDATE OF merged_into ON customer
        WHEN OLD.merged_into IS NULL AND NEW.merged_into IS NOT NULL
        BEGIN UPDATE customer_count SET n = n - 1; END;
    "#,
    // 4: names and addresses in separate full-text tables. In one table a phrase limited
    // to the name column still walks the address postings of its characters (区, 路 are in
    // every address), which made name searches cost 10–60 ms at a million customers.
    r#"
    CREATE VIRTUAL TABLE customer_name_text USING fts5 (
        name, content = '', contentless_delete = 1, tokenize = 'unicode61'
    );
    CREATE VIRTUAL TABLE customer_address_text USING fts5 (
        address, content = '', contentless_delete = 1, tokenize = 'unicode61'
    );
    INSERT INTO customer_name_text (rowid, name)
        SELECT id, aftersales_index_form(name) FROM customer WHERE merged_into IS NULL;
    INSERT INTO customer_address_text (rowid, address)
        SELECT id, aftersales_index_form(address) FROM customer WHERE merged_into IS NULL;
    DROP TABLE customer_text;
    "#,
    // 5: the count of new customers is added by the code once per transaction
    // (customers::count_added), not by a trigger per row: a trigger makes every INSERT a
    // statement with its own savepoint, on which FTS5 flushes its pending terms, and that
    // made a 100,000-row import 50 % slower.
    r#"
    DROP TRIGGER customer_count_insert;
    "#,
];
