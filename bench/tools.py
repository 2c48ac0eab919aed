#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  tools.py json-field FILE KEY[.KEY…]        print one value from a JSON file
  tools.py load-sql META.json SCHEMA ROWS     the one INSERT … SELECT generate_series that loads ROWS rows
  tools.py capture PGLOG OFFSET SCHEMA OUTDIR ROWS_IN_IDS
                                              turn the SQL the server ran (logged by PostgreSQL with
                                              log_statement=all) into pgbench scripts + -D variables
  tools.py summary RESULTS.env                the summary table
"""
import json
import re
import sys

# ---------------------------------------------------------------- json-field


def json_field(path, keys):
    with open(path, encoding="utf-8") as f:
        value = json.load(f)
    for key in keys.split("."):
        value = value[key]
    print(value if not isinstance(value, (dict, list)) else json.dumps(value))


# ---------------------------------------------------------------- load-sql

# A UUIDv7 from a timestamp (48-bit Unix ms, version 7, 74 random bits): the server makes
# UUIDv7 ids too, so the loaded rows sit in the same index order as the server's own.
def uuid_v7(ts_sql):
    return ("encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
            f"substring(int8send(floor(extract(epoch from {ts_sql}) * 1000)::bigint) from 3) "
            "from 1 for 6), 52, 1), 53, 1), 'hex')::uuid")


def q(name):
    return '"' + name.replace('"', '""') + '"'


def lit(text):
    return "'" + text.replace("'", "''") + "'"


def pick(options):
    """One option key, uniformly at random."""
    arr = "ARRAY[" + ", ".join(lit(o) for o in options) + "]"
    return f"({arr})[1 + floor(random() * {len(options)})::int]"


def value_sql(field):
    """A SQL expression over s.i (1…N) and s.ts for one field, or None to leave it NULL/DEFAULT."""
    name, kind = field["name"], field["type"]
    max_len = field.get("max_length")

    def text(expr):
        return f"left({expr}, {max_len})" if max_len else expr

    options = [o["key"] for o in field.get("options") or []]
    if kind in ("text", "long_text"):
        words = {"company": "'Bench Co ' || s.i", "contact_name": "'Contact ' || s.i"}
        if name in words:
            return text(words[name])
        if max_len and max_len < len(name) + 8:
            return f"lpad((s.i % 1000000)::text, {min(max_len, 6)}, '0')"  # short codes
        return text(f"{lit(name.replace('_', ' ') + ' ')} || s.i")
    if kind == "phone":
        return "'13' || lpad((s.i % 1000000000)::text, 9, '0')"
    if kind == "email":
        return "'lead' || s.i || '@example.com'"
    if kind == "url":
        return "'https://example.com/' || s.i"
    if kind == "select" and options:
        return pick(options)
    if kind == "multi_select" and options:
        n = len(options)
        arr = "ARRAY[" + ", ".join(lit(o) for o in options) + "]"
        if (field.get("max_selections") or n) >= 2 and n >= 2:
            # Two different keys that vary with the row.
            k = f"(s.i % {n})"
            j = f"(({k} + 1 + (s.i / {n}) % {n - 1}) % {n})"
            return f"ARRAY[({arr})[1 + {k}], ({arr})[1 + {j}]]"
        return f"ARRAY[{pick(options)}]"
    if kind in ("money", "decimal"):
        lo = float(field.get("min") or 0)
        return f"round(({lo} + random() * 1000000)::numeric, 2)"
    if kind == "number":
        return "(s.i % 1000)"
    if kind == "percent":
        return "(s.i % 100)"
    if kind == "boolean":
        return "(s.i % 10 = 0)"
    if kind == "datetime":
        return "s.ts + make_interval(hours => (s.i % 96) - 48)"
    if kind == "date":
        return "(s.ts + make_interval(days => s.i % 30))::date"
    # auto_number (sequence default), relation, user, location, attachment, formula: left alone.
    return None


def load_sql(meta_path, schema, rows, owners_table=None):
    """`owners_table`, if given, is a table (n int, id uuid) numbered from 1: row i is owned by
    owner 1 + i % count, so each of N owners holds 1/N of the rows, spread over time."""
    with open(meta_path, encoding="utf-8") as f:
        entity = json.load(f)
    rows = int(rows)
    columns, values = ["id", "created_at", "updated_at"], [uuid_v7("s.ts"), "s.ts", "s.ts"]
    if owners_table:
        columns.append("owner_id")
        values.append(f"(SELECT o.id FROM {owners_table} o WHERE o.n = 1 + s.i % (SELECT count(*) FROM {owners_table}))")
    for field in entity["fields"]:
        expr = value_sql(field)
        if expr is not None:
            columns.append(q(field["name"]))
            values.append(expr)
    # One row a second, ending now: ids are time-ordered and unique (one millisecond each).
    return (f"INSERT INTO {q(schema)}.{q(entity['name'])} ({', '.join(columns)})\n"
            f"SELECT {', '.join(values)}\n"
            f"FROM (SELECT i, now() - make_interval(secs => {rows} - i) AS ts FROM generate_series(1, {rows}) AS i) AS s(i, ts);")


# ---------------------------------------------------------------- autonumber-fix

# PostgreSQL's lpad() truncates: lpad('10000', 4, '0') = '1000'. An auto_number counter
# rendered as lpad(nextval(…)::text, W, '0') therefore repeats earlier numbers from the
# 10^W-th record on, and a unique auto_number field then rejects every new record.
LPAD = re.compile(r"lpad\(\((nextval\('(?:[^']|'')*'::regclass\))\)::text, (\d+), '0'::text\)")


def autonumber_fix(table):
    """Reads `column|default expression` lines; prints ALTERs that pad without truncating."""
    for line in sys.stdin:
        column, _, expr = line.rstrip("\n").partition("|")
        if not LPAD.search(expr):
            continue
        fixed = LPAD.sub(lambda m: f"regexp_replace({lit('0' * (int(m.group(2)) - 1))} || ({m.group(1)})::text, "
                                   f"'^0*([0-9]{{{m.group(2)},}})$', '\\1')", expr)
        print(f"ALTER TABLE {table} ALTER COLUMN {q(column)} SET DEFAULT {fixed};")


# ---------------------------------------------------------------- capture

LINE = re.compile(r"\[(\d+)\] (LOG|DETAIL|ERROR|STATEMENT):\s+(.*)$")
EXEC = re.compile(r"^execute [^:]*: (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')")
BIND = re.compile(r"\$(\d+)(?!\d)")


def capture(log_path, offset, schema, outdir, id_rows):
    table = re.compile(r'(?:FROM|INTO)\s+"?' + re.escape(schema) + r'"?\."?lead"?[\s(]')
    with open(log_path, "rb") as f:
        f.seek(int(offset))
        lines = f.read().decode("utf-8", "replace").splitlines()
    statements = []  # [pid, sql, params]
    last_by_pid = {}
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        pid, level, text = m.groups()
        if level == "LOG":
            e = EXEC.match(text)
            if e:
                entry = [pid, e.group(1).rstrip().rstrip(";"), {}]
                statements.append(entry)
                last_by_pid[pid] = entry
        elif level == "DETAIL" and text.startswith("parameters:") and pid in last_by_pid:
            for n, raw, inner in PARAM.findall(text):
                last_by_pid[pid][2][int(n)] = None if raw == "NULL" else inner.replace("''", "'")

    def find(pred, what):
        for _, sql, params in statements:
            if table.search(sql) and pred(sql):
                return sql, params
        sys.exit(f"capture: no {what} statement on {schema}.lead in {log_path} (is log_statement=all working?)")

    def select(s):
        return s.upper().startswith("SELECT") and "count(*)" not in s

    kinds = {
        "list": find(lambda s: select(s) and " ORDER BY " in s and " LIMIT " in s and "estimated_amount" not in s, "list"),
        # The where= list (run.sh filters on estimated_amount only there).
        "where": find(lambda s: select(s) and " ORDER BY " in s and " LIMIT " in s and "estimated_amount" in s, "where= list"),
        "get": find(lambda s: select(s) and " ORDER BY " not in s and re.search(r"\bid = \$1::uuid", s), "get-by-id"),
        "create": find(lambda s: re.search(r"\bINSERT INTO\b", s) and re.search(r"\(id, ", s), "create"),
        # count=exact: the list's page, then its count (run.sh's count request filters like the list).
        "count": find(lambda s: s.upper().startswith("SELECT") and "count(*)" in s and "estimated_amount" not in s, "count"),
    }
    # The create's first bind must be the new record's id (replaced by a fresh UUIDv7 per row).
    if not re.search(r"\(id, [^)]*\) VALUES \(\$1::uuid", kinds["create"][0]):
        sys.exit("capture: the create statement does not start its VALUES with the id ($1::uuid); update bench/tools.py")
    # A create runs inside a transaction when the entity has rules (the pack's duplicate-lead rule:
    # an advisory lock and a lookup before the INSERT). The floor replays the whole transaction.
    create_steps = [kinds["create"]]
    for i, (pid, sql, params) in enumerate(statements):
        if params is kinds["create"][1]:
            begin = next((j for j in range(i - 1, -1, -1) if statements[j][0] == pid and statements[j][1].upper() == "BEGIN"), None)
            end = next((j for j in range(i + 1, len(statements)) if statements[j][0] == pid and statements[j][1].upper() == "COMMIT"), None)
            if begin is not None and end is not None:
                create_steps = [(statements[j][1], statements[j][2]) for j in range(begin + 1, end) if statements[j][0] == pid]
            break
    phone = "13800138000"  # the create body's phone: varied per transaction, as wrk varies it
    report, explain = [], []
    for kind, (sql, params) in kinds.items():
        defs = []
        steps = create_steps if kind == "create" else ([kinds["list"], (sql, params)] if kind == "count" else [(sql, params)])

        def render(step_index, step_sql, step_params):
            def sub(m):
                n = int(m.group(1))
                if kind == "get" and n == 1:
                    # pgbench cannot hold a uuid in a \set variable: the id comes from a lookup table.
                    return f"(SELECT id FROM tessera_bench.bench_ids WHERE n = :n)"
                if kind == "create" and n == 1 and step_sql == sql:
                    # A fresh UUIDv7 for every row, as the server makes (it makes it in Swift).
                    return "(" + uuid_v7("clock_timestamp()") + ")"
                value = step_params.get(n)
                if value is None:
                    return "NULL"
                if kind == "create" and value == phone:
                    return "('139' || lpad(:r::text, 8, '0'))"
                name = f"p{n}" if len(steps) == 1 else f"s{step_index}p{n}"
                defs.append(f"{name}={value}")
                return f":{name}"
            return BIND.sub(sub, step_sql)

        body = "".join(render(i, step_sql, step_params) + ";\n" for i, (step_sql, step_params) in enumerate(steps))
        if kind == "create" and len(steps) > 1:
            body = "BEGIN;\n" + body + "COMMIT;\n"
        prefix = f"\\set n random(1, {int(id_rows)})\n" if kind == "get" else ("\\set r random(0, 99999999)\n" if kind == "create" else "")
        script = prefix + body
        with open(f"{outdir}/{kind}.sql", "w", encoding="utf-8") as f:
            f.write(script)
        with open(f"{outdir}/{kind}.defs", "w", encoding="utf-8") as f:
            f.write("".join(d + "\n" for d in defs))
        def literal(m):
            n = int(m.group(1))
            if kind == "create" and n == 1:
                return uuid_v7("clock_timestamp()")
            return "NULL" if params.get(n) is None else lit(params[n])

        plan = f"EXPLAIN (ANALYZE, BUFFERS) {BIND.sub(literal, sql)};"
        explain.append(f"\\echo == {kind}\n" + (f"BEGIN;\n{plan}\nROLLBACK;\n" if kind == "create" else plan + "\n"))
        shown = ", ".join(f"${n} = {'NULL' if v is None else repr(v)}" for n, v in sorted(params.items()))
        report.append(f"== {kind}: the server's SQL ==\n{sql}\n-- parameters: {shown}\n"
                      f"== {kind}: the pgbench script (-M prepared) ==\n{script}"
                      + (f"-- with -D {' -D '.join(defs)}\n" if defs else ""))
    with open(f"{outdir}/floor-sql.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(report))
    with open(f"{outdir}/explain.sql", "w", encoding="utf-8") as f:
        f.write("".join(explain))


# ---------------------------------------------------------------- summary


def summary(env_path):
    r = {}
    with open(env_path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                r[k] = v

    def num(key):
        try:
            return float(r[key])
        except (KeyError, ValueError):
            return None

    def fmt(v, digits=0):
        return "n/a" if v is None or v != v or v in (float("inf"), float("-inf")) else f"{v:,.{digits}f}"

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "MISS")

    out = []
    out.append(f"Tessera benchmark — {r.get('date', '?')} — {r.get('host', '?')}")
    out.append(f"{r.get('cpus', '?')} CPUs shared by wrk/pgbench, the server and PostgreSQL; "
               f"{r.get('rows', '?')} leads; wrk -t{r.get('threads')} -c{r.get('conns')} / pgbench -c{r.get('conns')} -j{r.get('threads')}, "
               f"{r.get('duration')} s per run after a {r.get('warmup')} s warm-up")
    out.append(f"server {r.get('bin', '?')}")
    if r.get("autonumber_patched"):
        out.append(f"NOTE: lead.lead_no auto_number default truncates after 9,999 (lpad); patched in the bench DB: {r['autonumber_patched']}")
    out.append("")
    rows = [
        ("pack install (sales, CLI)", fmt(num("pack_install_ms"), 1) + " ms", "< 1000 ms",
         verdict(None if num("pack_install_ms") is None else num("pack_install_ms") < 1000)),
        ("load 1M leads (one INSERT)", fmt(num("load_s"), 1) + " s", "", ""),
        ("VACUUM ANALYZE after load", fmt(num("vacuum_s"), 1) + " s", "", ""),
        ("add field to 1M-row lead (API)", fmt(num("add_field_ms"), 1) + " ms", "< 200 ms",
         verdict(None if num("add_field_ms") is None else num("add_field_ms") < 200)),
        ("server RSS idle", fmt(num("rss_idle_mb"), 1) + " MB", "< 150 MB",
         verdict(None if num("rss_idle_mb") is None else num("rss_idle_mb") < 150)),
        ("server RSS under load (max)", fmt(num("rss_load_mb"), 1) + " MB", "", ""),
    ]
    w = max(len(x[0]) for x in rows)
    out.append(f"{'measure':<{w}}  {'value':>14}  {'target':>10}  result")
    for name, value, target, res in rows:
        out.append(f"{name:<{w}}  {value:>14}  {target:>10}  {res}")
    out.append("")
    head = (f"{'operation':<28} {'HTTP req/s':>11} {'floor req/s':>12} {'ratio':>6} {'target':>7} {'result':>6}"
            f"  {'HTTP p50/p99 ms':>16} {'non-2xx':>8} {'floor -M extended':>18}")
    out.append(head)
    targets = {"list": 0.4, "count": 0.8, "get": 0.3, "create": 0.3, "where": 0.9}
    names = {"list": "list 50, filter select", "count": "list 50 + count=exact", "get": "get by id", "create": "create one lead",
             "where": "list 50, where= (vs hand SQL)"}
    # where=: the floor is the same query written by hand (bench/where-hand.sql), not the captured SQL.
    r["where_floor_rps"], r["where_generated_rps"] = r.get("where_hand_floor_rps", ""), r.get("where_floor_rps", "")
    for op in ("list", "count", "get", "create", "where"):
        if num(f"{op}_http_rps") is None and op == "count":
            continue  # a run of an older run.sh, or BENCH_OPS without count
        http, floor, ext = num(f"{op}_http_rps"), num(f"{op}_floor_rps"), num(f"{op}_floor_ext_rps")
        ratio = http / floor if http is not None and floor else None
        lat = f"{r.get(op + '_http_p50_ms', '?')}/{r.get(op + '_http_p99_ms', '?')}"
        if r.get(op + "_http_requests") == "0":
            lat = "none completed"
        out.append(f"{names[op]:<28} {fmt(http):>11} {fmt(floor):>12} {fmt(ratio, 2):>6} {'>= ' + str(targets[op]):>7} "
                   f"{verdict(None if ratio is None else ratio >= targets[op]):>6}  {lat:>16} {r.get(op + '_http_non2xx', '?'):>8} {fmt(ext):>18}")
    livez, ceiling, get = num("livez_http_rps"), num("healthz_http_rps"), num("get_http_rps")
    if ceiling and get is not None:
        # Three ceilings side by side: HTTP alone, plus one trivial query, plus the data API's get.
        out.append("ceilings (req/s, server CPU µs per request): "
                   f"GET /livez (no database) {fmt(livez)} / {fmt(num('livez_http_server_us'))}; "
                   f"GET /healthz (SELECT 1 through the pool) {fmt(ceiling)} / {fmt(num('healthz_http_server_us'))}; "
                   f"get by id {fmt(get)} / {fmt(num('get_http_server_us'))}")
        if livez:
            out.append(f"  SELECT 1 route / no-database route = {fmt(ceiling / livez, 2)} (target >= 0.5: {verdict(ceiling / livez >= 0.5)}); "
                       f"get by id reaches {fmt(get / ceiling * 100)} % of the SELECT 1 route")
    gen, hand = num("where_generated_rps"), num("where_floor_rps")
    if gen is not None and hand:
        out.append(f"where= SQL as generated vs written by hand, both through pgbench -M prepared: {fmt(gen)} vs {fmt(hand)} tps "
                   f"= {fmt(gen / hand, 2)} (target >= 0.9: {verdict(gen / hand >= 0.9)})")
    out.append("")
    out.append("CPU per request during the HTTP runs (µs of CPU time per request; 2 cores × run time is the budget):")
    out.append(f"{'operation':<28} {'server':>8} {'postgres':>9} {'wrk':>8} {'other%':>7}   {'floor: postgres':>15} {'pgbench':>8} {'other%':>7}")
    for op in ("list", "count", "get", "create"):
        out.append(f"{names[op]:<28} {fmt(num(op + '_http_server_us')):>8} {fmt(num(op + '_http_pg_us')):>9} {fmt(num(op + '_http_loadgen_us')):>8}"
                   f" {fmt(num(op + '_http_other_pct')):>7}   {fmt(num(op + '_floor_pg_us')):>15} {fmt(num(op + '_floor_loadgen_us')):>8}"
                   f" {fmt(num(op + '_floor_other_pct')):>7}")
    out.append("(other% = share of the machine's CPU taken by processes that are none of these during the run; "
               "above ~10 % the run was disturbed and its numbers are low)")
    for op in ("list", "get", "create"):
        if r.get(op + "_http_requests") == "0":
            out.append(f"  {names[op]}: no HTTP request completed within the {r.get('duration')} s run (each took longer than that)")
    errs = [f"  {op}: {r[op + '_http_codes']} — {r.get(op + '_http_sample', '')}" for op in ("list", "get", "create")
            if r.get(op + "_http_non2xx", "0") not in ("0", "")]
    if errs:
        out.append("")
        out.append("Non-2xx responses under load:")
        out.extend(errs)
    for op in ("list", "get", "create"):
        sock = r.get(op + "_http_socket_errors", "")
        if sock and sock != "connect:0,read:0,write:0,timeout:0":
            out.append(f"  {op}: socket errors {sock}")
        fails = r.get(op + "_floor_failed", "0")
        if fails not in ("0", ""):
            out.append(f"  {op}: pgbench failed transactions {fails}")
    print("\n".join(out))


def requests(base, path, count, key):
    """COUNT GETs of PATH on one keep-alive connection; fails on any answer but 200 (bench/profile.sh)."""
    import http.client
    import urllib.parse
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    headers = {"Authorization": "Bearer " + key} if key else {}
    for n in range(int(count)):
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        if answer.status != 200:
            sys.exit(f"GET {path} answered {answer.status} at request {n + 1}: {body[:300]!r}")
    conn.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "json-field":
        json_field(*args)
    elif cmd == "load-sql":
        print(load_sql(*args))
    elif cmd == "autonumber-fix":
        autonumber_fix(*args)
    elif cmd == "capture":
        capture(*args)
    elif cmd == "summary":
        summary(*args)
    elif cmd == "requests":
        requests(*args)
    else:
        sys.exit(f"unknown command {cmd}")
