-- draft v1: GIN over single-character tsvectors
CREATE FUNCTION desk_index_vector(form text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce((SELECT string_agg(quote_literal(t) || ':' || n, ' ')
                   FROM regexp_split_to_table(btrim(form), ' +') WITH ORDINALITY AS x(t, n)
                  WHERE t <> '')::tsvector, ''::tsvector);
CREATE TABLE customer_name_text (
    customer_id BIGINT PRIMARY KEY REFERENCES customer (id),
    name        tsvector NOT NULL
);
CREATE TABLE customer_address_text (
    customer_id BIGINT PRIMARY KEY REFERENCES customer (id),
    address     tsvector NOT NULL
);
CREATE INDEX customer_name_text_gin ON customer_name_text USING gin (name);
CREATE INDEX customer_address_text_gin ON customer_address_text USING gin (address);
CREATE INDEX customer_name ON customer (name, id);
CREATE INDEX customer_phone_number ON customer_phone (number);
CREATE INDEX customer_phone_tail ON customer_phone (right(digits, 4));
CREATE INDEX equipment_serial ON equipment (serial);
CREATE INDEX equipment_serial_rev ON equipment (serial_rev);
