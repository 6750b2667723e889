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
    // 6: the spare-parts ledger. stock_movement is append-only (triggers); stock_balance
    // is kept by the code in the same transaction as each movement, and a property test
    // holds it equal to the sum of the movements.
    r#"
    CREATE TABLE store (
        id          INTEGER PRIMARY KEY,
        code        TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('main', 'van')),
        engineer    TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL
    );
    INSERT INTO store (code, name, kind, created_at)
        VALUES ('MAIN', '主仓库', 'main', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
    CREATE TABLE part (
        id          INTEGER PRIMARY KEY,
        code        TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        spec        TEXT NOT NULL DEFAULT '',
        unit        TEXT NOT NULL DEFAULT '个',
        models      TEXT NOT NULL DEFAULT '',
        cost_fen    INTEGER NOT NULL DEFAULT 0 CHECK (cost_fen >= 0),
        price_fen   INTEGER NOT NULL DEFAULT 0 CHECK (price_fen >= 0),
        barcode     TEXT,
        bin         TEXT NOT NULL DEFAULT '',
        min_stock   INTEGER NOT NULL DEFAULT 0 CHECK (min_stock >= 0),
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX part_barcode ON part (barcode) WHERE barcode IS NOT NULL;
    CREATE TABLE stock_movement (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        user        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'issue', 'return', 'transfer_out',
                        'transfer_in', 'defective', 'adjustment', 'reversal')),
        part_id     INTEGER NOT NULL REFERENCES part (id),
        store_id    INTEGER NOT NULL REFERENCES store (id),
        quantity    INTEGER NOT NULL CHECK (quantity <> 0),
        value_fen   INTEGER NOT NULL,
        reference   TEXT NOT NULL DEFAULT '',
        note        TEXT NOT NULL DEFAULT '',
        pair_id     INTEGER REFERENCES stock_movement (id),
        reverses    INTEGER REFERENCES stock_movement (id),
        stocktake_id INTEGER
    );
    CREATE INDEX stock_movement_part_store ON stock_movement (part_id, store_id, id);
    CREATE UNIQUE INDEX stock_movement_reverses ON stock_movement (reverses) WHERE reverses IS NOT NULL;
    CREATE TRIGGER stock_movement_no_update BEFORE UPDATE ON stock_movement
        BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
    CREATE TRIGGER stock_movement_no_delete BEFORE DELETE ON stock_movement
        BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
    CREATE TABLE stock_balance (
        part_id       INTEGER NOT NULL REFERENCES part (id),
        store_id      INTEGER NOT NULL REFERENCES store (id),
        quantity      INTEGER NOT NULL CHECK (quantity >= 0),
        value_fen     INTEGER NOT NULL,
        last_issue_at TEXT,
        PRIMARY KEY (part_id, store_id)
    ) WITHOUT ROWID;
    CREATE TABLE defective_claim (
        movement_id INTEGER PRIMARY KEY REFERENCES stock_movement (id),
        form_no     TEXT NOT NULL,
        reason      TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'settled')),
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE stocktake (
        id          INTEGER PRIMARY KEY,
        store_id    INTEGER NOT NULL REFERENCES store (id),
        status      TEXT NOT NULL CHECK (status IN ('open', 'posted')),
        user        TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        posted_at   TEXT
    );
    CREATE UNIQUE INDEX stocktake_open ON stocktake (store_id) WHERE status = 'open';
    CREATE TABLE stocktake_line (
        stocktake_id INTEGER NOT NULL REFERENCES stocktake (id),
        part_id      INTEGER NOT NULL REFERENCES part (id),
        expected     INTEGER NOT NULL,
        counted      INTEGER CHECK (counted >= 0),
        PRIMARY KEY (stocktake_id, part_id)
    ) WITHOUT ROWID;
    "#,
];
