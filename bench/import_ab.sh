#!/bin/bash
# Import rate of the working tree against a baseline commit, measured alternately in the same run so
# that both see the same machine: bench/import_ab.sh [BASE_REF] [DOSSIERS] [ROUNDS]
# Needs .venv (./dev test installs it). The baseline runs from a temporary worktree of BASE_REF,
# put first on PYTHONPATH; its results are the ratio's denominator.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-HEAD}
N=${2:-40000}
ROUNDS=${3:-2}
DATA=${DATA:-/tmp/motcua-import-ab.jsonl}
PG=${PG:-postgres://postgres@127.0.0.1:5432/motcua_bench}
[ -f "$DATA" ] || .venv/bin/python bench/generate.py --dossiers "$N" --out "$DATA" >/dev/null
tree=$(mktemp -d)
git worktree add -q --detach "$tree" "$BASE"
trap 'git worktree remove --force "$tree"' EXIT
for _ in $(seq 1 "$ROUNDS"); do
  for db in sqlite "$PG"; do
    url=()
    [ "$db" = sqlite ] || url=(--database-url "$db")
    echo "base $(PYTHONPATH="$tree/src" .venv/bin/python bench/import_rate.py --data "$DATA" --dossiers "$N" "${url[@]}")"
    echo "new  $(.venv/bin/python bench/import_rate.py --data "$DATA" --dossiers "$N" "${url[@]}")"
  done
done
