#!/usr/bin/env python3
"""The search box's kinds on PostgreSQL at 1,000,000 customers: the statements the Rust
side runs for each kind (docs/DECISIONS.md, "Issue 19: search on PostgreSQL"), timed with
pgbench as prepared statements, and their answers held against the SQLite desk's (through
its command table, by examples/search_answers.rs).

    benches/pg_search/measure.py DESK_DIR 'host=127.0.0.1 port=55432 user=postgres dbname=desk' [RUNS]
"""
import json, os, statistics, subprocess, sys, tempfile

desk, conninfo = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 200
here = os.path.dirname(os.path.abspath(__file__))
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "..", "target"))
CAP = 1001  # customers::COUNT_CAP + 1


def psql(sql, *params):
    """Rows of one statement, its $n bound by psql's variables (as text)."""
    args = ["psql", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
    for i, p in enumerate(params, 1):
        args += ["-v", f"p{i}={p}"]
    text = sql
    for i in range(len(params), 0, -1):
        text = text.replace(f"${i}", f":'p{i}'")
    out = subprocess.run(args, input=text, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


# platform::text::index_form and phrase_query, for PostgreSQL's tsquery
def is_cjk(c):
    return c.isalpha() and ord(c) >= 0x2E80


def index_form(s):
    out = []
    for c in s:
        if is_cjk(c):
            out.append(f" {c} ")
        elif c.isalnum():
            out.append(c.lower())
        else:
            out.append(" ")
    return "".join(out)


def phrase_tsquery(fragment):
    tokens = index_form(fragment).split()
    if not tokens:
        return None
    q = " <-> ".join(f"'{t}'" for t in tokens)
    if not any(is_cjk(c) for c in tokens[-1]):
        q += ":*"
    return q


EXACT = "SELECT id FROM customer WHERE name = $1 AND merged_into IS NULL ORDER BY id DESC LIMIT 100"
STARTS = ("SELECT id FROM customer WHERE name > $1 AND name < $1 || chr(1114111) AND merged_into IS NULL "
          "ORDER BY name, id LIMIT $2")
NAME_TEXT = "SELECT rowid FROM customer_name_text WHERE tokens @@ $1::tsquery ORDER BY rowid DESC LIMIT $2"
ADDRESS_TEXT = "SELECT rowid FROM customer_address_text WHERE tokens @@ $1::tsquery ORDER BY rowid DESC LIMIT $2"
PHONE = """SELECT p.id FROM (
         SELECT customer_id AS id FROM customer_phone WHERE number >= $1 AND number < $1 || ':'
         UNION
         SELECT customer_id FROM customer_phone
          WHERE right(digits, 4) = right($1, 4) AND digits LIKE '%' || $1) p
       JOIN customer c ON c.id = p.id
     WHERE c.merged_into IS NULL ORDER BY p.id DESC LIMIT $2"""
SERIAL = """SELECT e.id, e.customer_id, e.serial, m.code, c.name FROM equipment e
           JOIN product_model m ON m.id = e.model_id JOIN customer c ON c.id = e.customer_id
         WHERE e.id IN (
             SELECT id FROM (SELECT id FROM equipment WHERE serial >= $1 AND serial < $1 || chr(1114111)
                              ORDER BY serial, id LIMIT $3) a
             UNION
             SELECT id FROM (SELECT id FROM equipment WHERE serial_rev >= $2 AND serial_rev < $2 || chr(1114111)
                              ORDER BY serial_rev, id LIMIT $3) b)
         ORDER BY e.serial <> $1, e.id DESC LIMIT $3"""
ORDER = "SELECT id FROM work_order WHERE number = $1"
LOAD = """SELECT c.id, c.kind, c.name, c.address, c.region, c.class, c.notes, c.created_at, c.updated_at,
                c.source, c.parent_id, p.name, c.merged_into
         FROM customer c LEFT JOIN customer p ON p.id = c.parent_id
         WHERE c.id = ANY($1::bigint[])"""
BRANCHES = """SELECT parent_id, id, name FROM customer
             WHERE parent_id = ANY($1::bigint[]) AND merged_into IS NULL ORDER BY name"""
PHONES = """SELECT customer_id, number FROM customer_phone
         WHERE customer_id = ANY($1::bigint[]) ORDER BY customer_id, position"""


class Trace:
    """The statements one search runs, with their parameters, and what they answered."""

    def __init__(self):
        self.steps = []

    def run(self, sql, *params):
        rows = psql(sql, *params)
        self.steps.append((sql, params))
        return rows


def by_text(t, fragment):
    phrase = phrase_tsquery(fragment)
    if phrase is None:
        return []
    ids = [int(r[0]) for r in t.run(EXACT, fragment)]
    starts = sorted((int(r[0]) for r in t.run(STARTS, fragment, CAP)), reverse=True)
    ids += starts
    seen = set(ids)
    for sql in (NAME_TEXT, ADDRESS_TEXT):
        if len(ids) >= CAP:
            break
        for r in t.run(sql, phrase, CAP):
            if int(r[0]) not in seen:
                seen.add(int(r[0]))
                ids.append(int(r[0]))
    return ids


def load(t, ids):
    if not ids:
        return
    arr = "{" + ",".join(map(str, ids)) + "}"
    rows = t.run(LOAD, arr)
    if any(r[1] == "company" for r in rows):
        t.run(BRANCHES, arr)
    t.run(PHONES, arr)


def customers_search(t, query, digits):
    ids = [int(r[0]) for r in t.run(PHONE, digits, CAP)] if digits else by_text(t, query)
    load(t, ids[:50])
    return ids


def global_search(t, query, serial, number):
    hits = []
    if number:
        hits += [["order", int(r[0])] for r in t.run(ORDER, number)]
    if serial:
        hits += [["equipment", int(r[0])] for r in t.run(SERIAL, serial, serial[::-1], 20)]
    ids = by_text(t, query)[:20]
    load(t, ids)
    hits += [["customer", i] for i in ids]
    return hits[:20]


def pgbench(steps, label):
    """p50 and p95 (ms) of the steps run as one transaction, as prepared statements."""
    script, defs = [], []
    n = 0
    for sql, params in steps:
        text = sql
        for i in range(len(params), 0, -1):
            n += 1
            text = text.replace(f"${i}", f":v{n}")
            defs += ["-D", f"v{n}={params[i - 1]}"]
        script.append(" ".join(text.split()) + ";")
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "kind.sql")
        open(f, "w").write("\n".join(script) + "\n")
        base = ["pgbench", "-n", "-M", "prepared", "-c", "1", "-f", f] + defs
        subprocess.run(base + ["-t", "20", conninfo], capture_output=True, check=True)
        subprocess.run(base + ["-t", str(runs), "-l", "--log-prefix", os.path.join(d, "log"), conninfo],
                       capture_output=True, check=True, cwd=d)
        log = [x for x in os.listdir(d) if x.startswith("log")][0]
        lat = sorted(int(line.split()[2]) / 1000 for line in open(os.path.join(d, log)))
    return lat[len(lat) // 2], lat[int(len(lat) * 0.95)]


# The same sample as benches/search.rs: a customer near the middle, a machine halfway.
mid = psql("SELECT c.id, c.name, p.number FROM customer c JOIN customer_phone p ON p.customer_id = c.id "
           "AND p.position = 0 WHERE c.merged_into IS NULL ORDER BY c.id DESC OFFSET 499900 LIMIT 1")[0]
name, mobile = mid[1], mid[2]
two = name[:2]
serial = psql("SELECT serial FROM equipment WHERE id = (SELECT max(id) / 2 FROM equipment)")[0][0]
tail = serial[-6:]
number = psql("SELECT number FROM work_order WHERE id = (SELECT max(id) / 2 FROM work_order)")[0][0]

# (label, box, query, phone digits, serial, order number)
kinds = [
    (f"name, 2 characters ({two})", "customers", two, None, None, None),
    ("name, 1 character (王)", "customers", "王", None, None, None),
    ("name, 1 character inside names (华)", "customers", "华", None, None, None),
    ("company fragment (恒泰商贸)", "customers", "恒泰商贸", None, None, None),
    ("address fragment (浦东新区)", "customers", "浦东新区", None, None, None),
    ("address fragment, narrow (解放路8)", "customers", "解放路8", None, None, None),
    ("whole mobile", "customers", mobile, mobile, None, None),
    ("mobile, first 7 digits", "customers", mobile[:7], mobile[:7], None, None),
    ("phone, last 4 digits", "customers", mobile[7:], mobile[7:], None, None),
    (f"serial, whole ({serial})", "global", serial, None, serial, None),
    (f"serial, last 6 ({tail})", "global", tail, None, tail, None),
    (f"order number ({number})", "global", number, None, None, number),
    (f"one box: name fragment ({two})", "global", two, None, None, None),
]

answers = {}
if os.path.exists(os.path.join(target, "debug", "examples", "search_answers")):
    queries = "\n".join(k[2] for k in kinds) + "\n"
    out = subprocess.run([os.path.join(target, "debug", "examples", "search_answers"), desk],
                         input=queries, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        a = json.loads(line)
        answers[a["query"]] = a

load_avg = os.getloadavg()[0]
print(f"load average before: {load_avg:.2f}")
print("| search | matches | p50 ms | p95 ms | ≤ 10 ms | same as SQLite |")
print("|---|---:|---:|---:|:-:|:-:|")
for label, box, query, digits, ser, num in kinds:
    t = Trace()
    if box == "customers":
        got = customers_search(t, query, digits)
        matches = f"{min(len(got), 1000)}{'+' if len(got) > 1000 else ''}"
        sqlite = answers.get(query, {}).get("customers")
    else:
        got = global_search(t, query, ser, num)
        matches = str(len(got))
        sqlite = answers.get(query, {}).get("global")
        # The SQLite answer came with the customers' order-number rule (this year's
        # sequence); PostgreSQL's bench has no settings: compare what both have.
        if num and sqlite is not None:
            sqlite = [h for h in sqlite if h[0] != "order"]
            got = [h for h in got if h[0] != "order"]
    same = "–" if sqlite is None else ("yes" if sqlite == got else "NO")
    p50, p95 = pgbench(t.steps, label)
    print(f"| {label} | {matches} | {p50:.2f} | {p95:.2f} | {'yes' if p95 <= 10 else 'no'} | {same} |",
          flush=True)
print(f"load average after: {os.getloadavg()[0]:.2f}")
