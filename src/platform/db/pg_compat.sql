-- SQLite's functions that the areas' SQL uses, given to PostgreSQL with SQLite's meaning
-- (issue 19), so one statement text serves both engines. Each one is small, immutable and
-- named for what SQLite calls it.

-- instr(haystack, needle): the 1-based position of needle, 0 when absent.
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT strpos(haystack, needle) $$;

-- julianday(stamp): days since noon of 24 November 4714 BC, as a fraction; our stamps are
-- UTC text (2026-11-23T02:00:00Z).
CREATE FUNCTION julianday(stamp TEXT) RETURNS DOUBLE PRECISION
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT extract(epoch FROM CAST(stamp AS TIMESTAMPTZ))::DOUBLE PRECISION / 86400.0
                 + 2440587.5 $$;

-- round(x, digits) on a double, as SQLite rounds a real.
CREATE FUNCTION round(x DOUBLE PRECISION, digits INTEGER) RETURNS DOUBLE PRECISION
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT round(CAST(x AS NUMERIC), digits)::DOUBLE PRECISION $$;

-- json_each(list): the elements of a JSON array bound as one text value, as SQLite's
-- table-valued json_each gives them (key = index from 0, value as text).
CREATE FUNCTION json_each(list TEXT) RETURNS TABLE (key BIGINT, value TEXT)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ordinality - 1, element
            FROM json_array_elements_text(CAST(list AS JSON)) WITH ORDINALITY AS e(element, ordinality) $$;

-- sum(condition): how many rows the condition holds for (SQLite counts a true comparison
-- as 1); NULL for no row or only NULLs, as SQLite's sum.
CREATE FUNCTION aftersales_count_true(total BIGINT, holds BOOLEAN) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN holds IS NULL THEN total
                      ELSE coalesce(total, 0) + CASE WHEN holds THEN 1 ELSE 0 END END $$;
CREATE AGGREGATE sum(BOOLEAN) (SFUNC = aftersales_count_true, STYPE = BIGINT);

-- max(a, b) and min(a, b) of two integers (SQLite's scalar forms; PostgreSQL says GREATEST
-- and LEAST). Beside the one-argument aggregates of the same names.
CREATE FUNCTION max(a BIGINT, b BIGINT) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT GREATEST(a, b) $$;
CREATE FUNCTION min(a BIGINT, b BIGINT) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT LEAST(a, b) $$;
-- (A sum of integers is NUMERIC on PostgreSQL.)
CREATE FUNCTION max(a NUMERIC, b NUMERIC) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT GREATEST(a, b) $$;
CREATE FUNCTION min(a NUMERIC, b NUMERIC) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT LEAST(a, b) $$;

-- group_concat(text, separator): the values joined in the order they come, NULLs left out.
CREATE FUNCTION aftersales_join(joined TEXT, item TEXT, separator TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN item IS NULL THEN joined
                      WHEN joined IS NULL THEN item
                      ELSE joined || separator || item END $$;
CREATE AGGREGATE group_concat(TEXT, TEXT) (SFUNC = aftersales_join, STYPE = TEXT);

-- date(day, modifier…): the day (YYYY-MM-DD) moved by '+N months', '-N days', '+N years'…,
-- as SQLite's date() with modifiers. One difference, PostgreSQL's: a month added to the
-- 31st lands on the month's last day (SQLite runs on into the next month).
CREATE FUNCTION date(day TEXT, VARIADIC modifiers TEXT[]) RETURNS TEXT
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    moved DATE := CAST(substr(day, 1, 10) AS DATE);
    modifier TEXT;
BEGIN
    FOREACH modifier IN ARRAY modifiers LOOP
        moved := moved + CAST(trim(modifier) AS INTERVAL);
    END LOOP;
    RETURN to_char(moved, 'YYYY-MM-DD');
END $$;
