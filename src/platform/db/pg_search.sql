-- The search box's indexes on PostgreSQL (issue 19). Applied after pg_schema.sql (the
-- tables customer, customer_phone, equipment, work_order in the issue's conventions:
-- BIGINT ids, TEXT COLLATE "C"). Each statement below has its SQLite twin in the
-- migrations; docs/DECISIONS.md "Issue 19: search on PostgreSQL" has the queries that
-- read them and their figures at 1,000,000 customers.

-- Names and addresses as SQLite's FTS5 tables hold them: the text in
-- platform::text::index_form (a space around every Chinese character, other words
-- lower-cased, punctuation a space), one token per character, each at its position.
-- The Rust side makes the form, as for SQLite; this function only turns it into a
-- tsvector without PostgreSQL's parser or dictionaries (which would split, fold or drop
-- tokens in their own way): token n of the form is lexeme 'token' at position n.
CREATE FUNCTION desk_index_vector(form text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce((SELECT string_agg(quote_literal(t) || ':' || n, ' ')
                   FROM regexp_split_to_table(btrim(form), ' +') WITH ORDINALITY AS x(t, n)
                  WHERE t <> '')::tsvector, ''::tsvector);

-- One row per active customer (merged ones are taken out, as from the FTS5 tables); a
-- table of its own per field, narrow, so that the phrase recheck reads little.
CREATE TABLE customer_name_text (
    customer_id BIGINT PRIMARY KEY REFERENCES customer (id),
    name        tsvector NOT NULL
);
CREATE TABLE customer_address_text (
    customer_id BIGINT PRIMARY KEY REFERENCES customer (id),
    address     tsvector NOT NULL
);
-- GIN keeps no positions: a phrase ('张' <-> '伟') is answered by the lists of its
-- characters, then rechecked on the row's tsvector.
CREATE INDEX customer_name_text_gin ON customer_name_text USING gin (name);
CREATE INDEX customer_address_text_gin ON customer_address_text USING gin (address);

-- The exact name and names starting with the fragment: a range in byte order (COLLATE
-- "C", as SQLite compares), newest first among equal names as SQLite's (name, rowid).
CREATE INDEX customer_name ON customer (name, id);
-- With the default 100 the histogram put names starting with 王 at 353 rows (10,770 are),
-- and the planner sorted all of them instead of reading the first 1,001 in index order
-- (186 ms against about 3 ms). 1,000 buckets place a one-character prefix right.
ALTER TABLE customer ALTER COLUMN name SET STATISTICS 1000;

-- Phones: the whole number or its start (a range on the number), the last four digits
-- (SQLite's substr(digits, -4); PostgreSQL's substr counts a negative start otherwise).
CREATE INDEX customer_phone_number ON customer_phone (number);
CREATE INDEX customer_phone_tail ON customer_phone (right(digits, 4));

-- Serials: whole or start on the serial, tail on the reversed serial (filled by the Rust
-- side, as for SQLite).
CREATE INDEX equipment_serial ON equipment (serial, id);
CREATE INDEX equipment_serial_rev ON equipment (serial_rev, id);

-- Work-order numbers need nothing more: work_order.number is UNIQUE in pg_schema.sql.
