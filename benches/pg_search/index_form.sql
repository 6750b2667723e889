-- platform::text::index_form in SQL, for loading the benchmark's generated rows only: a
-- space around every character beyond ASCII that is a letter or digit, every other
-- character but ASCII letters and digits a space, lower case. It agrees with the Rust
-- function on what demo.rs writes (Chinese, ASCII letters and digits, punctuation), not
-- on every text (Latin letters with accents stay inside a word in Rust); the desk itself
-- fills its index with the Rust function.
CREATE FUNCTION bench_index_form(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(regexp_replace(regexp_replace(s, '[^[:alnum:]]', ' ', 'g'),
                            '([^\x01-\x7f])', ' \1 ', 'g'));
