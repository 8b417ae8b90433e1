"""Filling the scratch database: migrate, generate the file, import every line through
`interchange_import` — the real import, measured — then ANALYZE."""

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from motcua.bench import generate
from motcua.bench.measure import rss_mb
from motcua.interchange.services import interchange_import

DOSSIER_PREFIX = '{"kind":"dossier"'  # the generator writes `kind` first


def _dossier_lines(path: Path) -> tuple[list[str], Iterator[str]]:
    """(the header lines: units, procedures, targets; an iterator over the dossier lines)."""
    handle = path.open(encoding="utf-8")
    header = []
    for text in handle:
        if text.startswith(DOSSIER_PREFIX):
            return header, itertools.chain([text], handle)
        header.append(text)
    return header, iter(())


def import_start(path: Path, *, dossiers: int) -> list[str]:
    """The starting point of an import benchmark, in the scratch database: migrated, the file's
    catalogue lines (units, procedures, targets) imported, not timed. Returns the file's first
    `dossiers` dossier lines, read into memory so that reading the file is not timed either."""
    call_command("migrate", verbosity=0, interactive=False)
    header, lines = _dossier_lines(path)
    interchange_import(stream=header)
    return list(itertools.islice(lines, dossiers))


def prepare(
    *,
    options: generate.Options,
    path: Path,
    log: Callable[[str], None],
) -> dict:
    """Returns the timings and counts of each phase."""
    out: dict = {"rss_mb": {}}
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    out["migrate_s"] = round(time.perf_counter() - t, 2)

    if not path.exists():
        log(f"generating {options.dossiers:,} dossiers → {path}")
        t = time.perf_counter()
        with path.open("w", encoding="utf-8") as handle:
            generate.write(options, handle)
        out["generate_s"] = round(time.perf_counter() - t, 2)
    out["file_mb"] = round(path.stat().st_size / 2**20, 1)
    out["rss_mb"]["after_generate"] = rss_mb()

    header, dossiers = _dossier_lines(path)
    report = interchange_import(stream=header)
    if report.rejected:
        raise RuntimeError(f"header lines rejected: {report.errors[:5]}")

    log(f"interchange_import of {options.dossiers:,} dossiers")
    t = time.perf_counter()
    report = interchange_import(stream=dossiers)
    seconds = time.perf_counter() - t
    if report.rejected or report.created != options.dossiers:
        raise RuntimeError(f"import rejected lines: {report.errors[:5]}")
    out["import"] = {
        "dossiers": report.created,
        "seconds": round(seconds, 2),
        "per_s": round(report.created / seconds) if report.created else None,
    }
    out["rss_mb"]["after_import"] = rss_mb()

    t = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would do on a live server.
        cursor.execute("ANALYZE")
    out["analyze_s"] = round(time.perf_counter() - t, 2)
    return out
