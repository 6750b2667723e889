-- The search index's rows on PostgreSQL (issue 19), applied after pg_schema.sql: the same
-- two tables the SQLite migrations make as FTS5 tables, keyed by the customer's id
-- (SQLite's rowid), holding the index form (platform::text::index_form: a space around
-- every Chinese character, other words lower-cased, punctuation a space). The Rust side
-- writes and deletes their rows with the same statements on both engines; only the
-- search reads them differently. docs/DECISIONS.md "Issue 19: search on PostgreSQL" has
-- the queries and their figures at 1,000,000 customers.
--
-- The other indexes the search box reads are pg_schema.sql's, as SQLite's are in its
-- migrations: customer (name) for the exact name and names starting with the fragment,
-- customer_phone (number) and (right(digits, 4)) for phones, equipment (serial) and
-- (serial_rev) for serials, work_order's UNIQUE number, customer (parent_id) for the
-- branches on a page of results.

-- Token n of an index form as lexeme 'token' at position n, without PostgreSQL's parser
-- or dictionaries (which split, fold or drop words their own way): one token per Chinese
-- character, so that a fragment is the phrase '张' <-> '伟'.
CREATE FUNCTION desk_index_vector(form TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce((SELECT string_agg(quote_literal(t) || ':' || n, ' ')
                   FROM regexp_split_to_table(btrim(form), ' +') WITH ORDINALITY AS x(t, n)
                  WHERE t <> '')::tsvector, ''::tsvector);

-- The tokens are kept beside the form (stored, not an index expression) because GIN
-- keeps no positions: a phrase is found by the lists of its characters, then rechecked
-- on each candidate row, which then reads the stored tsvector instead of re-splitting.
CREATE TABLE customer_name_text (
    rowid   BIGINT PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL,
    tokens  tsvector GENERATED ALWAYS AS (desk_index_vector(name)) STORED
);
CREATE TABLE customer_address_text (
    rowid   BIGINT PRIMARY KEY,
    address TEXT COLLATE "C" NOT NULL,
    tokens  tsvector GENERATED ALWAYS AS (desk_index_vector(address)) STORED
);
CREATE INDEX customer_name_text_tokens ON customer_name_text USING gin (tokens);
CREATE INDEX customer_address_text_tokens ON customer_address_text USING gin (tokens);

-- With the default 100 buckets the histogram put the names starting with 王 at 353 rows
-- (10,770 are), and the planner sorted all of them instead of reading the first 1,001 in
-- the name index's order (186 ms against about 3 ms). 1,000 place a one-character prefix.
ALTER TABLE customer ALTER COLUMN name SET STATISTICS 1000;

-- The search box's query as the areas bind it for SQLite's FTS5 (platform::text::
-- phrase_query: quoted phrases of letter-and-digit tokens, a `*` after a phrase whose last
-- token is a prefix, phrases joined by ` OR `) as a tsquery: the tokens of a phrase
-- FOLLOWED BY one another (<->), the prefix `:*`, phrases joined by `|`. So one bound
-- value serves both engines and only the statement's text differs.
CREATE FUNCTION desk_phrase_query(q TEXT) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT string_agg(
            '(' || (SELECT string_agg(quote_literal(t), ' <-> ' ORDER BY n)
                      FROM regexp_split_to_table(btrim(translate(p, '"*', '  ')), ' +')
                           WITH ORDINALITY AS w(t, n)
                     WHERE t <> '')
                || CASE WHEN right(btrim(p), 1) = '*' THEN ':*' ELSE '' END || ')',
            ' | ' ORDER BY k)
          FROM regexp_split_to_table(q, ' OR ') WITH ORDINALITY AS ph(p, k))::tsquery;
