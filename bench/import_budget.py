"""Where an import's CPU goes, per dossier, and the import rate the machine's cores allow.

    python bench/import_budget.py --data /tmp/d200k.jsonl --dossiers 200000 [--database-url URL]

Imports the first N dossier lines through `interchange_import` into a fresh scratch database (its
catalogue lines first, not counted) and measures, in the same run:

- the CPU microseconds per dossier of the importer (this process), of the writer process (its
  child) and of everything else on the machine — on PostgreSQL, that is the database server;
- on PostgreSQL, the database floor: the server's time to load exactly the rows this import wrote
  (dossiers, events, daily counters, rollups), as plain COPY into the emptied tables with all their
  indexes and constraints, in a transaction that is rolled back. No way of writing those rows costs
  the server less;
- the ceiling: cores × 10⁶ / (CPU µs a dossier needs), for the CPU as measured and for the
  importer and writer as measured with the database at its floor.

Prints one JSON object. Run on a quiet machine: the "everything else" share counts any other load.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

# The tables an import writes, parents first (events refer to dossiers).
TABLES = (
    "dossiers_dossier",
    "dossiers_dossierevent",
    "indicators_dailycounter",
    "indicators_rollupcounter",
    "indicators_procedureuse",
)


def _database_floor(connection) -> dict:
    """Seconds the server takes to COPY back the rows now in TABLES (wall time of the client, who
    only waits) and the machine's CPU seconds meanwhile."""
    from motcua.bench.measure import cpu_times

    raw = connection.connection  # psycopg
    dumps = {}
    with raw.cursor() as cursor:
        for table in TABLES:
            chunks = []
            with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            dumps[table] = b"".join(chunks)
    with raw.transaction(force_rollback=True), raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        cpu_before, start = cpu_times(), time.perf_counter()
        for table in TABLES:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                data = dumps[table]
                for offset in range(0, len(data), 1 << 20):
                    copy.write(data[offset : offset + (1 << 20)])
        seconds = time.perf_counter() - start
        cpu = cpu_times().since(cpu_before)
    return {"seconds": seconds, "server_cpu": cpu.machine - cpu.own}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()
    from django.db import connection

    from motcua.bench import dataset
    from motcua.bench.database import Scratch
    from motcua.bench.measure import cpu_times, machine
    from motcua.interchange.services import interchange_import

    cores = os.cpu_count() or 1
    with Scratch(args.database_url) as scratch:
        lines = dataset.import_start(args.data, dossiers=args.dossiers)
        before, start = cpu_times(), time.perf_counter()
        report = interchange_import(stream=iter(lines))
        seconds = time.perf_counter() - start
        cpu = cpu_times().since(before)
        n = report.created

        def per_dossier(value: float) -> float:
            return round(value / n * 1e6, 1)

        split = {
            "importer": per_dossier(cpu.own),
            "writer": per_dossier(cpu.children),
            "database_and_other": per_dossier(cpu.machine - cpu.own - cpu.children),
        }
        total = sum(split.values())
        result = {
            "database": scratch.label,
            "dossiers": n,
            "rejected": report.rejected,
            "cores": cores,
            "import_per_s": round(n / seconds),
            "wall_us_per_dossier": per_dossier(seconds),
            "cpu_us_per_dossier": split,
            "cpu_us_per_dossier_total": round(total, 1),
            "cores_busy": round(total / per_dossier(seconds), 2),
            "ceiling_per_s": round(cores * 1e6 / total),
        }
        if connection.vendor == "postgresql":
            floor = _database_floor(connection)
            floor_us = per_dossier(floor["seconds"])
            python_us = split["importer"] + split["writer"]
            result["database_floor"] = {
                "copy_us_per_dossier": floor_us,
                "server_cpu_us_per_dossier": per_dossier(floor["server_cpu"]),
                "ceiling_per_s": round(cores * 1e6 / (python_us + floor_us)),
                "ceiling_with_no_database_per_s": round(cores * 1e6 / python_us),
            }
        result["machine"] = machine()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
