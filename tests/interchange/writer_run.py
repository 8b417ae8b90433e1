"""Run by test_writer.py in a subprocess of its own, so that a forked writer process can meet a
database file (pytest-django's SQLite test database lives in memory): migrate a fresh database,
import FILE with or without the writer process, and print as JSON what the import reported and
what the database holds, by codes (test_bulk._snapshot).

    DATABASE_URL=sqlite:///… python -m tests.interchange.writer_run FILE BATCH_SIZE background|serial
"""

import json
import os
import sys


def main() -> int:
    path, batch_size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.interchange import services, writer
    from tests.interchange.test_bulk import _snapshot

    call_command("migrate", verbosity=0, interactive=False)
    started = []
    original = writer.ImportWriter.__init__

    def counted(self) -> None:
        started.append(1)
        original(self)

    services.ImportWriter.__init__ = counted
    with open(path, encoding="utf-8") as stream:
        report = services.interchange_import(
            stream=stream, batch_size=batch_size, background=mode == "background"
        )
    snapshot = _snapshot()
    print(
        json.dumps(
            {
                "writers": len(started),
                "counts": {kind: dict(counts) for kind, counts in report.counts.items()},
                "errors": report.errors,
                "rows": snapshot["rows"],
                "events": snapshot["events"],
                "counters": {"|".join(map(str, key)): v for key, v in snapshot["counters"].items()},
            },
            default=str,
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
