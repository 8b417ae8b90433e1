"""Import rate alone: the first N dossier lines of a data file (bench/generate.py) through
`interchange_import` into a fresh scratch database, after its catalogue lines (not timed).

    python bench/import_rate.py --data /tmp/d100k.jsonl --dossiers 40000 [--database-url URL]

Prints one JSON line. To compare two commits in the same conditions (the machine's speed varies
from hour to hour), run this script alternately against each checkout, as bench/import_ab.sh does.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--dossiers", type=int, default=40_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()

    from motcua.bench import dataset
    from motcua.bench.database import Scratch
    from motcua.interchange.services import interchange_import

    with Scratch(args.database_url) as scratch:
        lines = dataset.import_start(args.data, dossiers=args.dossiers)
        start = time.perf_counter()
        report = interchange_import(stream=iter(lines))
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "database": scratch.label,
                    "dossiers": report.created,
                    "rejected": report.rejected,
                    "seconds": round(seconds, 2),
                    "per_s": round(report.created / seconds),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
