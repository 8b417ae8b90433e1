#!/bin/bash
# The runs behind docs/benchmarks.md, one after another (never in parallel: they would time each
# other). Results: one JSON file per run in $OUT. PostgreSQL: set PG to a server URL; the scratch
# database motcua_bench is created by the command and dropped here.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/benchruns}
PG=${PG:-postgres://postgres@127.0.0.1:5432/motcua_bench}
M=".venv/bin/motcua bench"
mkdir -p "$OUT"
log() { echo "$1 $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/progress.log"; }

for n in 1000000 5000000; do
  [ -f "$OUT/d$n.jsonl" ] || .venv/bin/python bench/generate.py --dossiers $n --out "$OUT/d$n.jsonl"
done
log start
# 1 M on PostgreSQL, then 5 M on both; each database kept for its pages benchmark, then dropped.
$M scorecard --dossiers 1000000 --data "$OUT/d1000000.jsonl" --database-url "$PG" --keep --json > "$OUT/pg-1m.json"; log pg-1m
$M pages --dossiers 1000000 --database-url "$PG" --reuse --json > "$OUT/pg-1m-pages.json"; log pg-1m-pages
psql "${PG%/*}/postgres" -c "DROP DATABASE IF EXISTS motcua_bench"
$M scorecard --dossiers 5000000 --data "$OUT/d5000000.jsonl" --database-url "$PG" --keep --json > "$OUT/pg-5m.json"; log pg-5m
$M pages --dossiers 5000000 --database-url "$PG" --reuse --json > "$OUT/pg-5m-pages.json"; log pg-5m-pages
psql "${PG%/*}/postgres" -c "DROP DATABASE IF EXISTS motcua_bench"
$M scorecard --dossiers 5000000 --data "$OUT/d5000000.jsonl" --database-url "sqlite:///$OUT/s5m.sqlite3" --keep --json > "$OUT/sqlite-5m.json"; log sqlite-5m
$M pages --dossiers 5000000 --database-url "sqlite:///$OUT/s5m.sqlite3" --reuse --json > "$OUT/sqlite-5m-pages.json"; log sqlite-5m-pages
rm -f "$OUT"/s5m.sqlite3*
# Monthly partitioning against the plain tables (docs/benchmarks.md, "Partitioning"): its own
# scratch database motcua_bench_partition, dropped by the script.
.venv/bin/python bench/partitioning.py --dossiers 1000000 --reps 20 --server "${PG%/*}/postgres" --json > "$OUT/pg-partitioning-1m.json"; log pg-partitioning-1m
