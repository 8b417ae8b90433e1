#!/bin/bash
# The runs behind docs/benchmarks.md, one after another (never in parallel: they would time each
# other). Results: one JSON file per run in $OUT. PostgreSQL: set PG to a server URL; the scratch
# database motcua_bench is created and dropped by the command.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/benchruns}
PG=${PG:-postgres://postgres@127.0.0.1:5432/motcua_bench}
M=".venv/bin/motcua bench"
mkdir -p "$OUT"
log() { echo "$1 $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/progress.log"; }

for n in 100000 1000000; do
  [ -f "$OUT/d$n.jsonl" ] || .venv/bin/python bench/generate.py --dossiers $n --out "$OUT/d$n.jsonl"
done
log start
$M scorecard --dossiers 100000 --data "$OUT/d100000.jsonl" --database-url "sqlite:///$OUT/s100k.sqlite3" --json > "$OUT/sqlite-100k.json"; log sqlite-100k
$M scorecard --dossiers 100000 --data "$OUT/d100000.jsonl" --database-url "$PG" --json > "$OUT/pg-100k.json"; log pg-100k
# 1 M: keep the database for the pages benchmark, then drop it.
$M scorecard --dossiers 1000000 --data "$OUT/d1000000.jsonl" --database-url "$PG" --keep --json > "$OUT/pg-1m.json"; log pg-1m
$M pages --dossiers 1000000 --database-url "$PG" --reuse --json > "$OUT/pg-1m-pages.json"; log pg-1m-pages
psql "${PG%/*}/postgres" -c "DROP DATABASE IF EXISTS motcua_bench"
$M scorecard --dossiers 1000000 --data "$OUT/d1000000.jsonl" --database-url "sqlite:///$OUT/s1m.sqlite3" --keep --json > "$OUT/sqlite-1m.json"; log sqlite-1m
$M pages --dossiers 1000000 --database-url "sqlite:///$OUT/s1m.sqlite3" --reuse --json > "$OUT/sqlite-1m-pages.json"; log sqlite-1m-pages
rm -f "$OUT"/s1m.sqlite3*
