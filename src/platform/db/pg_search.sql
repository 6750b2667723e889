-- The search index's rows on PostgreSQL: the same two tables the SQLite migrations make
-- as FTS5 tables, keyed by the customer's id (SQLite's rowid), holding the index form
-- (one token per character, platform::text::index_form).
CREATE TABLE customer_name_text (
    rowid   BIGINT PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL
);
CREATE TABLE customer_address_text (
    rowid   BIGINT PRIMARY KEY,
    address TEXT COLLATE "C" NOT NULL
);
