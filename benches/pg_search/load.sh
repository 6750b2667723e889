#!/bin/sh
# Copies the search benchmark's SQLite desk (examples/search_data.rs makes it) into a
# PostgreSQL database: the tables the search box reads (tables.sql, a stand-in for
# pg_schema.sql), then src/platform/db/pg_search.sql. The text index's forms are made
# here by index_form.sql, the SQL twin of platform::text::index_form for the characters
# the demo data has; measure.py checks that both engines answer every query alike.
#
#   benches/pg_search/load.sh DESK.db 'host=127.0.0.1 port=55432 user=postgres dbname=desk'
set -eu
db=$1
pg=$2
here=$(dirname "$0")
root=$here/../..
psql="psql -X -q -v ON_ERROR_STOP=1 -d"
copy() { # table, columns, select
    sqlite3 -csv "$db" "$3" | $psql "$pg" -c "\\copy $1 ($2) FROM STDIN WITH (FORMAT csv)"
}
$psql "$pg" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
$psql "$pg" -f "$here/tables.sql"
start=$(date +%s)
copy product_model 'id, code, name, category, created_at' \
    'SELECT id, code, name, category, created_at FROM product_model'
copy customer 'id, kind, name, address, region, class, notes, created_at, updated_at, source, parent_id, merged_into' \
    'SELECT id, kind, name, address, region, class, notes, created_at, updated_at, source, parent_id, merged_into FROM customer'
copy customer_phone 'customer_id, position, number, digits' \
    'SELECT customer_id, position, number, digits FROM customer_phone'
copy equipment 'id, customer_id, model_id, serial, serial_rev, purchase_date, install_date, site, warranty_end, warranty_reason, created_at, updated_at' \
    'SELECT id, customer_id, model_id, serial, serial_rev, purchase_date, install_date, site, warranty_end, warranty_reason, created_at, updated_at FROM equipment'
# 3,000,000 work orders numbered as orders::next_number does (prefix, year, 6 digits),
# 1,000,000 a year over 2024–2026, each for a customer and one of its machines or none.
$psql "$pg" -c "
INSERT INTO work_order (id, number, customer_id, equipment_id, created_at)
SELECT n, 'WO' || (2024 + (n - 1) / 1000000) || lpad((1 + (n - 1) % 1000000)::text, greatest(6, length((1 + (n - 1) % 1000000)::text)), '0'),
       1 + (n::bigint * 7919) % (SELECT max(id) FROM customer), NULL,
       (2024 + (n - 1) / 1000000) || '-06-01T02:00:00Z'
  FROM generate_series(1, 3000000) AS n;
UPDATE work_order o SET equipment_id = e.id
  FROM (SELECT DISTINCT ON (customer_id) customer_id, id FROM equipment ORDER BY customer_id, id) e
 WHERE e.customer_id = o.customer_id AND o.id % 3 <> 0;
SELECT setval(pg_get_serial_sequence('customer', 'id'), (SELECT max(id) FROM customer));
SELECT setval(pg_get_serial_sequence('equipment', 'id'), (SELECT max(id) FROM equipment));
SELECT setval(pg_get_serial_sequence('product_model', 'id'), (SELECT max(id) FROM product_model));
SELECT setval(pg_get_serial_sequence('work_order', 'id'), (SELECT max(id) FROM work_order));
"
$psql "$pg" -f "$root/src/platform/db/pg_search.sql"
$psql "$pg" -f "$here/index_form.sql"
$psql "$pg" -c "
INSERT INTO customer_name_text (rowid, name)
SELECT id, bench_index_form(name) FROM customer WHERE merged_into IS NULL ORDER BY id;
INSERT INTO customer_address_text (rowid, address)
SELECT id, bench_index_form(address) FROM customer WHERE merged_into IS NULL ORDER BY id;
"
$psql "$pg" -c 'VACUUM (ANALYZE)'
echo "loaded in $(( $(date +%s) - start )) s"
