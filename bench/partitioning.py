"""Monthly partitioning of dossiers and events against the present plain tables, in one run.

    python bench/partitioning.py [--dossiers 1000000] [--months 36] [--reps 30] \
        [--server postgres://postgres@127.0.0.1:5432/postgres] [--json] [--keep]

One scratch database (`motcua_bench_partition`, dropped at the end unless --keep): `migrate` makes
the real schema — its `dossiers_dossier` and `dossiers_dossierevent` are the baseline (a) —, the
catalogue of bench/generate.py is imported (150 units, 1,500 procedures), bench/partition_data.py
generates the rows, and the same rows are loaded into (a) and into (b), schema `part`: the two
tables `PARTITION BY RANGE` by month of the dossier's filing time `submitted_at`, the events
co-located with their dossier (they carry `dossier_submitted_at`), every index of (a) kept and each
primary key / unique constraint widened by the partition key, as PostgreSQL requires.

Measured on both, answers compared before timing (any difference aborts):

- `inbox`: the busiest commune's open dossiers, first page of 50 by due date and their count;
- `month_counts`: one month's received / online / on-time / paid-online counts of every unit of the
  province (what a form-06 or scorecard drill-down counts when it reads dossiers, not counters);
- `timeline`: a dossier's events by its code (30 random codes);
- `archive_month`: removing the oldest month (three years back) — DELETE (+ VACUUM) on (a),
  DETACH + DROP PARTITION on (b); once each;
- `insert`: dossiers written as the application writes them, one transaction each (a dossier row and
  three events), and the bulk load of the whole data set (`INSERT … SELECT`).

Ratios are baseline ÷ partitioned: above 1 the partitioned tables are faster. Prints a markdown
summary, or with --json one JSON object (machine, load, every timing).
"""

import argparse
import itertools
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import partition_data  # bench/ is not a package

OPEN_STATES = (1, 2, 4, 5, 6)
SCRATCH = "motcua_bench_partition"
VN = timedelta(hours=7)


def months_back(end: date, months: int) -> list[date]:
    """The first day of each of the `months` months that end with `end`'s month's predecessor."""
    first = []
    year, month = end.year, end.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        first.append(date(year, month, 1))
    return sorted(first)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def stamp(day: date) -> datetime:
    """Midnight of `day`, Vietnam time (the months are local months)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - VN


# --- the partitioned schema ------------------------------------------------------------------


def partitioned_ddl(months: list[date]) -> list[str]:
    """Schema `part`: the two tables partitioned by month, with (a)'s indexes and constraints."""
    sql = [
        "CREATE SCHEMA part",
        "CREATE SEQUENCE part.dossier_id_seq",
        "CREATE SEQUENCE part.event_id_seq",
        # INCLUDING CONSTRAINTS copies the CHECKs; identity becomes a sequence default (an identity
        # column on a partitioned table is PostgreSQL 17+).
        "CREATE TABLE part.dossier (LIKE public.dossiers_dossier INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS) PARTITION BY RANGE (submitted_at)",
        "ALTER TABLE part.dossier ALTER COLUMN id SET DEFAULT nextval('part.dossier_id_seq'),"
        " ALTER COLUMN submitted_at SET NOT NULL",
        "CREATE TABLE part.event (LIKE public.dossiers_dossierevent INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS, dossier_submitted_at timestamptz NOT NULL)"
        " PARTITION BY RANGE (dossier_submitted_at)",
        "ALTER TABLE part.event ALTER COLUMN id SET DEFAULT nextval('part.event_id_seq')",
    ]
    bounds = [*months, next_month(months[-1]), next_month(next_month(months[-1]))]
    for low, high in itertools.pairwise(bounds):
        for table in ("dossier", "event"):
            sql.append(
                f"CREATE TABLE part.{table}_{low:%Y%m} PARTITION OF part.{table}"
                f" FOR VALUES FROM ('{stamp(low).isoformat()}') TO ('{stamp(high).isoformat()}')"
            )
    return sql


PARTITIONED_INDEXES = [
    # Every key and unique constraint must contain the partition key.
    "ALTER TABLE part.dossier ADD PRIMARY KEY (id, submitted_at)",
    "ALTER TABLE part.dossier ADD UNIQUE (code, submitted_at)",
    "CREATE INDEX ON part.dossier (code varchar_pattern_ops)",
    "CREATE INDEX ON part.dossier (current_unit_id, state, due_at)",
    "CREATE INDEX ON part.dossier (state, due_at)",
    "CREATE INDEX ON part.dossier (unit_id, received_at)",
    "CREATE INDEX ON part.dossier (applicant_id_number)",
    "CREATE INDEX ON part.dossier (current_assignee_id)",
    "CREATE INDEX ON part.dossier (procedure_id)",
    "ALTER TABLE part.dossier ADD FOREIGN KEY (unit_id) REFERENCES units_unit (id)"
    " DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE part.dossier ADD FOREIGN KEY (current_unit_id) REFERENCES units_unit (id)"
    " DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE part.dossier ADD FOREIGN KEY (procedure_id) REFERENCES catalog_procedure (id)"
    " DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE part.event ADD PRIMARY KEY (id, dossier_submitted_at)",
    "ALTER TABLE part.event ADD UNIQUE (dossier_id, seq, dossier_submitted_at)",
    "CREATE INDEX ON part.event (at)",
    "CREATE INDEX ON part.event (actor_id)",
    "CREATE INDEX ON part.event (actor_unit_id)",
    # The event's dossier, by the composite key (id alone is no longer unique on the parent).
    "ALTER TABLE part.event ADD FOREIGN KEY (dossier_id, dossier_submitted_at)"
    " REFERENCES part.dossier (id, submitted_at) DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE part.event ADD FOREIGN KEY (actor_unit_id) REFERENCES units_unit (id)"
    " DEFERRABLE INITIALLY DEFERRED",
    # The same append-only trigger; PostgreSQL 13+ clones it onto every partition.
    "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON part.event"
    " FOR EACH ROW EXECUTE FUNCTION motcua_event_log_append_only()",
]


# --- timing ------------------------------------------------------------------------------------


def timed(cursor, sql: str, params=None) -> float:
    t = time.perf_counter()
    cursor.execute(sql, params)
    return time.perf_counter() - t


def series(fn, *, reps: int, warmup: int = 1) -> tuple[dict, object]:
    from motcua.bench.measure import summary

    answer = None
    for _ in range(warmup):
        answer = fn(0)
    samples = []
    for i in range(reps):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    return summary(samples), answer


class Tables:
    """The SQL of one variant: the plain tables or the partitioned ones."""

    def __init__(self, partitioned: bool) -> None:
        self.partitioned = partitioned
        self.dossier = "part.dossier" if partitioned else "public.dossiers_dossier"
        self.event = "part.event" if partitioned else "public.dossiers_dossierevent"


def inbox(cursor, t: Tables, unit_id: int) -> list:
    cursor.execute(
        f"SELECT id, code, applicant_name, state, due_at FROM {t.dossier}"
        " WHERE current_unit_id = %s AND state = ANY(%s) ORDER BY due_at, id LIMIT 50",
        [unit_id, list(OPEN_STATES)],
    )
    page = cursor.fetchall()
    cursor.execute(
        f"SELECT count(*) FROM {t.dossier} WHERE current_unit_id = %s AND state = ANY(%s)",
        [unit_id, list(OPEN_STATES)],
    )
    return [cursor.fetchone()[0], [row[0] for row in page]]


def month_counts(cursor, t: Tables, units: list[int], month: date, *, bounded: bool) -> list:
    start, end = stamp(month), stamp(next_month(month))
    # Filed no later than received: an exact bound on the partition key, so later months are pruned.
    # `bounded` adds the lower bound a rule would allow (received within 31 days of filing).
    extra = ""
    params = [units, start, end]
    if t.partitioned:
        extra = " AND submitted_at < %s"
        params.append(end)
        if bounded:
            extra += " AND submitted_at >= %s"
            params.append(start - timedelta(days=31))
    cursor.execute(
        "SELECT unit_id, count(*), count(*) FILTER (WHERE channel = 2),"
        " count(*) FILTER (WHERE ended_at <= due_at),"
        " count(*) FILTER (WHERE fee_amount > 0 AND paid_online)"
        f" FROM {t.dossier} WHERE unit_id = ANY(%s) AND received_at >= %s AND received_at < %s"
        f"{extra} GROUP BY unit_id ORDER BY unit_id",
        params,
    )
    return cursor.fetchall()


def timeline(cursor, t: Tables, code: str, *, use_code_day: bool = True) -> list:
    if not t.partitioned:
        cursor.execute(f"SELECT id FROM {t.dossier} WHERE code = %s", [code])
        (dossier_id,) = cursor.fetchone()
        cursor.execute(
            f"SELECT seq, kind, at, payload FROM {t.event} WHERE dossier_id = %s ORDER BY seq",
            [dossier_id],
        )
        return cursor.fetchall()
    if use_code_day:
        # The code carries the filing day (`<unit>-<yyMMdd>-<n>`): one partition to look in.
        day = datetime.strptime(code.split("-")[-2], "%y%m%d").date()
        cursor.execute(
            f"SELECT id, submitted_at FROM {t.dossier} WHERE code = %s"
            " AND submitted_at >= %s AND submitted_at < %s",
            [code, stamp(day), stamp(day + timedelta(days=1))],
        )
    else:
        cursor.execute(f"SELECT id, submitted_at FROM {t.dossier} WHERE code = %s", [code])
    dossier_id, filed = cursor.fetchone()
    cursor.execute(
        f"SELECT seq, kind, at, payload FROM {t.event}"
        " WHERE dossier_id = %s AND dossier_submitted_at = %s ORDER BY seq",
        [dossier_id, filed],
    )
    return cursor.fetchall()


DOSSIER_INSERT = """INSERT INTO {table} (code, "current_role", channel, state, outcome,
    applicant_name, applicant_id_number, applicant_phone, applicant_email, applicant_address,
    summary, submitted_at, received_at, due_at, budget_seconds, remaining_seconds,
    supplement_count, apology_count, fee_amount, fee_paid_amount, paid_online, result_summary,
    result_electronic, last_event_seq, current_unit_id, procedure_id, unit_id,
    components_digitized, data_reused, has_result_file, synced_to_portal, obligation_amount,
    applicant_code, applicant_kind, databases_consulted, filing_place, result_delivery,
    result_tracking_number, vneid_verified)
VALUES (%s, 'desk_officer', 1, 2, '', 'Trần Thị Mai', '001203004005', '0912345678', '', 'Xã',
    'Hồ sơ mới', %s, %s, %s, 28800, 28800, 0, 0, 0, 0, false, '', false, 3, %s, %s, %s,
    false, false, false, false, 0, '', 1, '', 'Bộ phận một cửa', 'desk', '', false)
RETURNING id"""


def insert_rate(
    connection, t: Tables, *, n: int, unit_id: int, procedure_id: int, now: datetime, tag: str
):
    """n dossiers, each in its own transaction with three events: the application's write shape."""
    event_cols = "(seq, kind, at, recorded_at, actor_name, to_state, payload, dossier_id, hash"
    event_cols += ", dossier_submitted_at)" if t.partitioned else ")"
    marks = "%s, %s, %s, %s, %s, %s, %s, %s, %s" + (", %s" if t.partitioned else "")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(n):
            at = now + timedelta(seconds=i)
            code = f"N{unit_id}-{(at + VN):%y%m%d}-{tag}{'p' if t.partitioned else 'a'}{i:06d}"
            with connection.transaction():
                cursor.execute(
                    DOSSIER_INSERT.format(table=t.dossier),
                    [code, at, at, at + timedelta(days=5), unit_id, procedure_id, unit_id],
                )
                (dossier_id,) = cursor.fetchone()
                rows = []
                for seq, kind in ((1, "received"), (2, "forwarded"), (3, "assigned")):
                    row = [seq, kind, at, at, "Cán bộ", 2, '{"note": "bước"}', dossier_id]
                    row.append(f"{dossier_id:064d}")
                    if t.partitioned:
                        row.append(at)
                    rows.append(row)
                cursor.executemany(f"INSERT INTO {t.event} {event_cols} VALUES ({marks})", rows)
    seconds = time.perf_counter() - start
    return {"dossiers": n, "seconds": round(seconds, 2), "per_s": round(n / seconds)}


def relation_mb(cursor, table: str) -> float:
    cursor.execute(
        "SELECT coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size(%s))"
        " FROM pg_partition_tree(%s) WHERE isleaf",
        [table, table],
    )
    return round(cursor.fetchone()[0] / 2**20, 1)


class Recorder:
    """A cursor that remembers what it was asked to execute, to EXPLAIN it afterwards."""

    def __init__(self, cursor) -> None:
        self.cursor, self.statements = cursor, []

    def execute(self, sql, params=None):
        self.statements.append((sql, params))
        return self.cursor.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self.cursor, name)


def planning(cursor, fn) -> dict:
    """Planning and execution time (ms, EXPLAIN ANALYZE) of the statements one call of `fn` makes:
    with 38 partitions × 9 indexes, planning is where partitioning costs."""
    recorder = Recorder(cursor)
    fn(recorder)
    plan = execution = 0.0
    for sql, params in recorder.statements:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        (doc,) = cursor.fetchone()
        plan += doc[0]["Planning Time"]
        execution += doc[0]["Execution Time"]
    return {"planning_ms": round(plan, 2), "execution_ms": round(execution, 2)}


# --- the run -----------------------------------------------------------------------------------


def ratio(base: dict, new: dict) -> float:
    return round(base["p95_ms"] / new["p95_ms"], 2) if new["p95_ms"] else float("inf")


def run(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.bench.database import Scratch
    from motcua.bench.generate import Options, lines
    from motcua.bench.measure import load_average, machine
    from motcua.interchange.services import interchange_import

    url = args.server.rsplit("/", 1)[0] + f"/{SCRATCH}"
    log = (lambda m: None) if args.quiet else (lambda m: print(f"# {m}", file=sys.stderr))
    out: dict = {"dossiers": args.dossiers, "months": args.months, "reps": args.reps}
    with Scratch(url, keep=args.keep) as scratch:
        out["database"] = scratch.label
        log("migrate, catalogue")
        call_command("migrate", verbosity=0, interactive=False)
        catalogue = (
            json.dumps(line, ensure_ascii=False)
            for line in lines(Options(dossiers=0, seed=args.seed))
            if line["kind"] in ("unit", "procedure")
        )
        interchange_import(stream=catalogue)
        out["machine"] = machine()
        out["load_average"] = {"start": load_average()}
        connection.ensure_connection()
        raw = connection.connection  # psycopg 3
        raw.autocommit = True
        cur = raw.cursor()
        cur.execute("SELECT id FROM units_unit ORDER BY id")
        units = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT id FROM catalog_procedure ORDER BY id")
        procedures = [r[0] for r in cur.fetchall()]

        end_day = date(args.end_year, 1, 1)
        months = months_back(end_day, args.months)
        start, end = stamp(months[0]), stamp(end_day)
        params = partition_data.parameters(
            dossiers=args.dossiers, start=start, end=end, units=units, procedures=procedures
        )

        log(f"generating {args.dossiers:,} dossiers over {args.months} months")
        cur.execute("SET max_parallel_workers_per_gather = 0")
        cur.execute("SELECT setseed(%s)", [args.seed % 1000 / 1000])
        t = time.perf_counter()
        for statement in partition_data.statements(params):
            cur.execute(statement, params if "%(" in statement else None)
        out["generate_s"] = round(time.perf_counter() - t, 1)
        cur.execute("RESET max_parallel_workers_per_gather")
        cur.execute("SELECT count(*) FROM stage_event")
        events = cur.fetchone()[0]
        out["events"] = events
        for statement in partitioned_ddl(months):
            cur.execute(statement)
        for statement in PARTITIONED_INDEXES:
            cur.execute(statement)

        # The same rows into both, indexes in place (as a live system or an import writes them).
        load = {}
        plain, part = Tables(False), Tables(True)
        event_cols = (
            "id, seq, kind, at, recorded_at, actor_name, from_state, to_state, payload, actor_id,"
            " actor_unit_id, dossier_id, hash"
        )
        for tables in (plain, part):
            name = "partitioned" if tables.partitioned else "plain"
            log(f"loading {name}")
            # Each table in its own transaction, timed with its commit (the deferred key checks).
            t0 = time.perf_counter()
            with raw.transaction():
                cur.execute(f"INSERT INTO {tables.dossier} SELECT * FROM stage_dossier")
            seconds = time.perf_counter() - t0
            cols = event_cols + (", dossier_submitted_at" if tables.partitioned else "")
            t0 = time.perf_counter()
            with raw.transaction():
                cur.execute(f"INSERT INTO {tables.event} ({cols}) SELECT {cols} FROM stage_event")
            seconds_e = time.perf_counter() - t0
            load[name] = {
                "dossiers_s": round(seconds, 1),
                "events_s": round(seconds_e, 1),
                "rows_per_s": round((args.dossiers + events) / (seconds + seconds_e)),
            }
        cur.execute("SELECT setval('part.dossier_id_seq', (SELECT max(id) FROM part.dossier))")
        cur.execute("SELECT setval('part.event_id_seq', (SELECT max(id) FROM part.event))")
        for table in ("dossiers_dossier", "dossiers_dossierevent"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("DROP TABLE stage_event, stage_dossier")
        log("vacuum analyze")
        cur.execute("VACUUM ANALYZE")
        out["load"] = load
        out["sizes_mb"] = {
            "plain": {
                "dossiers": relation_mb(cur, "public.dossiers_dossier"),
                "events": relation_mb(cur, "public.dossiers_dossierevent"),
            },
            "partitioned": {
                "dossiers": relation_mb(cur, "part.dossier"),
                "events": relation_mb(cur, "part.event"),
            },
        }

        # What is asked for.
        cur.execute(
            "SELECT d.current_unit_id FROM dossiers_dossier d JOIN units_unit u"
            " ON u.id = d.current_unit_id WHERE u.level = 'commune' AND d.state = ANY(%s)"
            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [list(OPEN_STATES)],
        )
        commune = cur.fetchone()[0]
        month = months[-3]  # a recent, complete month
        rng = random.Random(args.seed)
        cur.execute("SELECT max(id) FROM dossiers_dossier")
        top = cur.fetchone()[0]
        codes = []
        while len(codes) < args.reps + 1:
            cur.execute("SELECT code FROM dossiers_dossier WHERE id = %s", [rng.randint(1, top)])
            row = cur.fetchone()
            if row:
                codes.append(row[0])

        checks = {
            "inbox": lambda tb: inbox(cur, tb, commune),
            "month_counts": lambda tb: month_counts(cur, tb, units, month, bounded=False),
            "month_counts_bounded": lambda tb: month_counts(cur, tb, units, month, bounded=True),
            "timeline": lambda tb: [timeline(cur, tb, c) for c in codes[:5]],
            "timeline_without_code_day": lambda tb: [
                timeline(cur, tb, c, use_code_day=False) for c in codes[:5]
            ],
        }
        for name, fn in checks.items():
            if fn(plain) != fn(part):
                raise AssertionError(f"{name}: partitioned answer ≠ plain answer")
        out["checked"] = sorted(checks)

        log("queries")
        queries = {}
        queries["inbox"] = [
            series(lambda i, tb=tb: inbox(cur, tb, commune), reps=args.reps)[0]
            for tb in (plain, part)
        ]
        queries["month_counts"] = [
            series(
                lambda i, tb=tb: month_counts(cur, tb, units, month, bounded=False), reps=args.reps
            )[0]
            for tb in (plain, part)
        ]
        queries["month_counts_bounded"] = [
            queries["month_counts"][0],
            series(lambda i: month_counts(cur, part, units, month, bounded=True), reps=args.reps)[
                0
            ],
        ]
        queries["timeline"] = [
            series(lambda i, tb=tb: timeline(cur, tb, codes[i + 1]), reps=args.reps)[0]
            for tb in (plain, part)
        ]
        queries["timeline_without_code_day"] = [
            queries["timeline"][0],
            series(lambda i: timeline(cur, part, codes[i + 1], use_code_day=False), reps=args.reps)[
                0
            ],
        ]
        out["queries"] = {
            name: {"plain": a, "partitioned": b, "ratio": ratio(a, b)}
            for name, (a, b) in queries.items()
        }
        explained = {
            "inbox": lambda c, tb: inbox(c, tb, commune),
            "month_counts": lambda c, tb: month_counts(c, tb, units, month, bounded=False),
            "month_counts_bounded": lambda c, tb: month_counts(c, tb, units, month, bounded=True),
            "timeline": lambda c, tb: timeline(c, tb, codes[0]),
            "timeline_without_code_day": lambda c, tb: timeline(
                c, tb, codes[0], use_code_day=False
            ),
        }
        for name, fn in explained.items():
            out["queries"][name]["explain"] = {
                "plain": planning(cur, lambda c, fn=fn: fn(c, plain)),
                "partitioned": planning(cur, lambda c, fn=fn: fn(c, part)),
            }
        out["inbox_commune"] = {"unit_id": commune, "open": inbox(cur, plain, commune)[0]}
        out["month"] = month.isoformat()

        log("inserts")
        now = end + timedelta(days=3)
        # Alternately, two rounds each, so that both see the same machine.
        rates = {"plain": [], "partitioned": []}
        for round_ in range(2):
            for name, tb in (("plain", plain), ("partitioned", part)):
                rates[name].append(
                    insert_rate(
                        raw,
                        tb,
                        n=args.inserts // 2,
                        unit_id=commune,
                        procedure_id=procedures[0],
                        now=now + timedelta(hours=round_),
                        tag=str(round_),
                    )
                )
        out["insert"] = {
            name: {
                "dossiers": sum(r["dossiers"] for r in runs),
                "seconds": round(sum(r["seconds"] for r in runs), 2),
                "per_s": round(sum(r["dossiers"] for r in runs) / sum(r["seconds"] for r in runs)),
            }
            for name, runs in rates.items()
        }
        out["insert"]["ratio"] = round(
            out["insert"]["partitioned"]["per_s"] / out["insert"]["plain"]["per_s"], 2
        )

        log("archiving the oldest month")
        oldest = months[0]
        lo, hi = stamp(oldest), stamp(next_month(oldest))
        cur.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE submitted_at >= %s AND submitted_at < %s",
            [lo, hi],
        )
        archived = cur.fetchone()[0]
        t0 = time.perf_counter()
        with raw.transaction():
            # The log refuses DELETE: only its owner, switching the trigger off, can archive it.
            cur.execute(
                "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER dossierevent_append_only"
            )
            cur.execute(
                "DELETE FROM dossiers_dossierevent WHERE dossier_id IN (SELECT id FROM"
                " dossiers_dossier WHERE submitted_at >= %s AND submitted_at < %s)",
                [lo, hi],
            )
            deleted_events = cur.rowcount
            cur.execute(
                "DELETE FROM dossiers_dossier WHERE submitted_at >= %s AND submitted_at < %s",
                [lo, hi],
            )
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks, now
            cur.execute("ALTER TABLE dossiers_dossierevent ENABLE TRIGGER dossierevent_append_only")
        delete_s = time.perf_counter() - t0
        vacuum = timed(cur, "VACUUM dossiers_dossierevent, dossiers_dossier")
        event_part, dossier_part = f"part.event_{oldest:%Y%m}", f"part.dossier_{oldest:%Y%m}"
        t0 = time.perf_counter()
        with raw.transaction():
            cur.execute(f"ALTER TABLE part.event DETACH PARTITION {event_part}")
            # A detached partition keeps its foreign key to the parent: dropped here, or the
            # dossiers' partition could not leave while its events point at it.
            cur.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"
                " AND confrelid = 'part.dossier'::regclass",
                [event_part],
            )
            for (name,) in cur.fetchall():
                cur.execute(f'ALTER TABLE {event_part} DROP CONSTRAINT "{name}"')
            cur.execute(f"ALTER TABLE part.dossier DETACH PARTITION {dossier_part}")
        detach = time.perf_counter() - t0
        drop = timed(cur, f"DROP TABLE {event_part}, {dossier_part}")
        out["archive_month"] = {
            "month": oldest.isoformat(),
            "dossiers": archived,
            "events": deleted_events,
            "plain": {
                "delete_s": round(delete_s, 3),
                "vacuum_s": round(vacuum, 3),
            },
            "partitioned": {"detach_s": round(detach, 4), "drop_s": round(drop, 4)},
            "ratio": round(delete_s / detach, 1) if detach else None,
            "ratio_with_vacuum_and_drop": round((delete_s + vacuum) / (detach + drop), 1),
        }
        out["load_average"]["end"] = load_average()
        cur.close()
    return out


def markdown(r: dict) -> str:
    m = r["machine"]
    rows = [
        f"{r['dossiers']:,} dossiers, {r['events']:,} events over {r['months']} months;"
        f" {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GiB, PostgreSQL {m.get('postgresql')};"
        f" load {r['load_average']['start']} → {r['load_average']['end']}",
        "",
        "| query | plain p50 / p95 ms | partitioned p50 / p95 ms | ratio (plain ÷ partitioned,"
        " p95) | planning + execution ms, plain → partitioned |",
        "|---|---:|---:|---:|---|",
    ]
    for name, q in r["queries"].items():
        a, b = q["plain"], q["partitioned"]
        ea, eb = q["explain"]["plain"], q["explain"]["partitioned"]
        rows.append(
            f"| {name} | {a['p50_ms']} / {a['p95_ms']} | {b['p50_ms']} / {b['p95_ms']}"
            f" | {q['ratio']} | {ea['planning_ms']} + {ea['execution_ms']}"
            f" → {eb['planning_ms']} + {eb['execution_ms']} |"
        )
    ins, arc = r["insert"], r["archive_month"]
    rows += [
        f"| insert (one transaction a dossier + 3 events), /s | {ins['plain']['per_s']}"
        f" | {ins['partitioned']['per_s']} | {ins['ratio']} (partitioned ÷ plain) | |",
        f"| archive {arc['month']} ({arc['dossiers']:,} dossiers, {arc['events']:,} events), s"
        f" | DELETE {arc['plain']['delete_s']} + VACUUM {arc['plain']['vacuum_s']}"
        f" | DETACH {arc['partitioned']['detach_s']} + DROP {arc['partitioned']['drop_s']}"
        f" | {arc['ratio']} ({arc['ratio_with_vacuum_and_drop']} with VACUUM and DROP) | |",
        f"| bulk load, rows/s | {r['load']['plain']['rows_per_s']}"
        f" | {r['load']['partitioned']['rows_per_s']} | | |",
        f"| size MB (dossiers + events) | {r['sizes_mb']['plain']['dossiers']}"
        f" + {r['sizes_mb']['plain']['events']}"
        f" | {r['sizes_mb']['partitioned']['dossiers']} + {r['sizes_mb']['partitioned']['events']}"
        " | | |",
    ]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--end-year", type=int, default=2025, help="months end on 1 Jan of it")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--inserts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {SCRATCH}")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, ensure_ascii=False, default=str) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
