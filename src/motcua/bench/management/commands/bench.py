"""`motcua bench scorecard|pages`: reproducible benchmarks on a scratch database (docs/benchmarks.md).

scorecard: generate → migrate → import every line through `interchange_import` (measured) → p50/p95 of the province scorecard and rates with children for a year against the
naive aggregate over the dossiers, after checking both give the same answers.
pages: the same data set, then server time of the inbox and dossier pages of a busy commune."""

import json
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.bench import generate
from motcua.bench.database import Scratch
from motcua.bench.dataset import prepare
from motcua.bench.runs import pages_bench, report, scorecard_bench


class Command(BaseCommand):
    help = "Đo hiệu năng trên cơ sở dữ liệu tạm (xem docs/benchmarks.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        for name in ("scorecard", "pages"):
            p = sub.add_parser(name)
            generate.add_arguments(p)
            p.add_argument("--database-url", default=None, help="default: the configured server")
            p.add_argument("--json", action="store_true", help="print only the JSON result")
            p.add_argument("--keep", action="store_true", help="keep the scratch database")
            p.add_argument(
                "--reuse", action="store_true", help="the database is already filled (kept run)"
            )
            p.add_argument("--reps", type=int, default=30)
            p.add_argument("--data", default=None, help="JSON Lines file (made when absent)")
            if name == "scorecard":
                p.add_argument("--baseline-reps", type=int, default=None)

    def handle(self, *args, **opts):
        options = generate.options_from(_Args(opts))
        log = (lambda msg: None) if opts["json"] else (lambda msg: self.stderr.write(msg))
        data = Path(opts["data"]) if opts["data"] else None
        with tempfile.TemporaryDirectory(prefix="motcua-bench-data-") as tmp:
            path = data or Path(tmp) / f"bench-{options.dossiers}-{options.seed}.jsonl"
            with Scratch(opts["database_url"], keep=opts["keep"], reuse=opts["reuse"]) as db:
                log(f"database {db.label}")
                prepared = {} if opts["reuse"] else prepare(options=options, path=path, log=log)
                log("measuring")
                if opts["which"] == "scorecard":
                    baseline_reps = opts["baseline_reps"] or (
                        5 if options.dossiers > 200_000 else 30
                    )
                    results = scorecard_bench(
                        options=options, reps=opts["reps"], baseline_reps=baseline_reps
                    )
                else:
                    results = pages_bench(reps=opts["reps"])
                out = report(
                    options=options,
                    database=db.vendor,
                    prepared=prepared,
                    results=results,
                    kind=opts["which"],
                )
        if opts["which"] == "scorecard":
            imported = prepared.get("import", {})
            scorecard_p95 = results["scorecard"]["p95_ms"]
            baseline_p95 = results["baseline_scorecard"]["p95_ms"]
            out = {
                "dossiers": out["dossiers"],
                "database": out["database"],
                "import_per_s": imported.get("per_s"),
                "scorecard_p95_ms": scorecard_p95,
                "baseline_p95_ms": baseline_p95,
                "ratio": round(baseline_p95 / scorecard_p95, 1),
                "details": out["details"],
            }
        text = json.dumps(out, ensure_ascii=False, indent=None if opts["json"] else 2, default=str)
        sys.stdout.write(text + "\n")


class _Args:
    def __init__(self, opts: dict) -> None:
        for name in ("dossiers", "units", "procedures", "years", "end_year", "seed"):
            setattr(self, name, opts[name])
