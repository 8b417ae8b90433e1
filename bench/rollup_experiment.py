"""What a monthly rollup of the daily counters would save: an experiment on a kept benchmark database
(PostgreSQL), not a change to the application.

    motcua bench scorecard --dossiers 1000000 --keep ...
    python bench/rollup_experiment.py postgres://postgres@127.0.0.1:5432/motcua_bench

Times, in the same run, the two counter queries that dominate `scorecard_compute` for a province
year — the period's flows per (unit, procedure) and the form-06 stocks summed over every day up to
the period's end — against the same figures read from (a) monthly flow rows and (b) month-end stock
snapshots. Prints JSON: row counts and p50/p95 in ms."""

import json
import os
import statistics
import sys
import time

import psycopg

FLOWS = (
    "received, received_online, received_digitized, received_reused, received_with_fee, "
    "received_paid_online, received_synced, received_multi_supplement, ended, ended_early, "
    "ended_on_time, ended_late, resolved_with_result, resolved_with_result_file"
)
SUMS = ", ".join(f"SUM({c.strip()})" for c in FLOWS.split(","))
SUBTREE = "JOIN units_unit u ON u.id = c.unit_id AND u.path LIKE '/30/%'"

DAILY = {
    "flows_by_unit_procedure": f"SELECT c.unit_id, c.procedure_id, {SUMS} FROM indicators_dailycounter c "
    f"{SUBTREE} WHERE c.day BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY 1, 2",
    "stocks_at_end": "SELECT c.unit_id, SUM(open_delta), SUM(overdue_delta) "
    f"FROM indicators_dailycounter c {SUBTREE} WHERE c.day <= '2024-12-31' GROUP BY 1",
}
MONTHLY = {
    "flows_by_unit_procedure": f"SELECT c.unit_id, c.procedure_id, {SUMS} FROM bench_monthly c "
    f"{SUBTREE} WHERE c.month BETWEEN '2024-01-01' AND '2024-12-01' GROUP BY 1, 2",
    "stocks_at_end": "SELECT c.unit_id, SUM(open_end), SUM(overdue_end) FROM bench_stock c "
    f"{SUBTREE} WHERE c.month = '2024-12-01' GROUP BY 1",
}

BUILD = [
    "DROP TABLE IF EXISTS bench_monthly",
    "DROP TABLE IF EXISTS bench_stock",
    f"CREATE TABLE bench_monthly AS SELECT unit_id, procedure_id, "
    f"date_trunc('month', day)::date AS month, {', '.join(f'SUM({c.strip()}) AS {c.strip()}' for c in FLOWS.split(','))} "
    "FROM indicators_dailycounter GROUP BY 1, 2, 3",
    "CREATE INDEX ON bench_monthly (month, unit_id)",
    # Stock at each month's end, per (unit, procedure), only where it is not zero.
    "CREATE TABLE bench_stock AS SELECT * FROM ("
    " SELECT unit_id, procedure_id, month,"
    "  SUM(open_d) OVER w AS open_end, SUM(overdue_d) OVER w AS overdue_end FROM ("
    "   SELECT unit_id, procedure_id, date_trunc('month', day)::date AS month,"
    "    SUM(open_delta) AS open_d, SUM(overdue_delta) AS overdue_d"
    "   FROM indicators_dailycounter GROUP BY 1, 2, 3) m"
    " WINDOW w AS (PARTITION BY unit_id, procedure_id ORDER BY month)) s"
    " WHERE open_end <> 0 OR overdue_end <> 0",
    "CREATE INDEX ON bench_stock (month, unit_id)",
    "ANALYZE bench_monthly",
    "ANALYZE bench_stock",
]


def timed(conn, sql: str, reps: int) -> dict:
    conn.execute(sql).fetchall()  # warm-up
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "rows": len(rows),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(0.95 * len(samples) + 0.999) - 1)], 1),
    }


def main(url: str, reps: int = 20) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in BUILD:
            conn.execute(sql)
        count = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("dossiers_dossier", "indicators_dailycounter", "bench_monthly", "bench_stock")
        }
        out = {"rows": count, "daily": {}, "monthly": {}}
        for name in DAILY:
            out["daily"][name] = timed(conn, DAILY[name], reps)
            out["monthly"][name] = timed(conn, MONTHLY[name], reps)
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
        for table in ("bench_monthly", "bench_stock"):
            conn.execute(f"DROP TABLE {table}")
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), indent=2))
