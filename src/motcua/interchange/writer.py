"""A second process that writes an import's new dossiers while the importing process reads and maps
the next batch.

Mapping a dossier line is Python (one core); writing its rows is mostly the database engine. One
process does both one after the other; with the writer the two overlap, each on its own core. The
writer is a forked child with its own database connection: it receives a batch's rows
(`dossiers_import_rows`), writes them in one transaction (`dossiers_import_rows_write`) and answers
how it went. One batch is in flight at a time, so at most two batches' rows are in memory.

What the writer cannot write (a code that another writer took since the batch was classified, any
database error) it rolls back and reports; the importer then writes that batch one record at a time,
as it does without the writer, so only the real culprit is rejected."""

import contextlib
import multiprocessing
import traceback
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import DatabaseError, connection, connections, transaction

from motcua.indicators.counters import CounterRows
from motcua.interchange.rows import ImportRows, dossiers_import_rows_write


@dataclass(frozen=True)
class Answer:
    """How the writer's batch went: `written` dossiers, or the database's `error` (nothing
    written). `entries` is what the importer handed in with the batch."""

    entries: Any
    written: int = 0
    error: str | None = None


class WriterCrashed(RuntimeError):
    """The writer process ended, or failed other than by a database error: the import stops."""


# SQLite, for the writer's connection only. The page cache (KiB) is a fixed bound, so memory stays
# flat, and large enough that the indexes are updated in memory rather than read back from the file
# (the default 2 MB is outgrown after ~100,000 dossiers). Checkpoints every 20,000 pages (80 MB of
# write-ahead log) instead of 1,000: an index page written by many batches is copied back once.
# At 300,000 dossiers: 4,853 /s → 5,215 /s with the cache → 5,939 /s with both.
SQLITE_PRAGMAS = ("PRAGMA cache_size = -262144", "PRAGMA wal_autocheckpoint = 20000")


def _encode(rows: ImportRows) -> bytes:
    """A batch's rows as JSON for the pipe: a few times cheaper than pickling them at both ends.
    The rows are already as the database takes them (rows_prepare: COPY text on PostgreSQL, tuples
    with datetimes as text on SQLite); what JSON changes the database reads the same — tuples
    become lists, the counters' dates ISO 8601 text, the payload's JSON text a plain string."""
    counters = rows.counters
    return orjson.dumps([rows.dossiers, rows.events, counters.daily, counters.rollup, counters.use])


def _decode(data: bytes) -> ImportRows:
    dossiers, events, daily, rollup, use = orjson.loads(data)
    return ImportRows(
        dossiers=dossiers,
        events=events,
        counters=CounterRows(daily=daily, rollup=rollup, use=use),
    )


def _serve(pipe) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
    try:
        while data := pipe.recv_bytes():  # b"": stop; EOFError: the importer is gone
            rows = _decode(data)
            try:
                with transaction.atomic():
                    written = dossiers_import_rows_write(rows=rows)
            except DatabaseError as error:
                pipe.send(("failed", str(error)))
            else:
                pipe.send(("written", written))
    except EOFError:
        pass
    except Exception:
        pipe.send(("crashed", traceback.format_exc()))
    finally:
        connections.close_all()
        pipe.close()


class ImportWriter:
    """The writer process, seen from the importer: `submit` a batch, `wait` for its answer."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        # The child must not share the parent's database sockets: close them (the parent reopens
        # on its next query; the child opens its own).
        connections.close_all()
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child,), name="motcua-import-writer", daemon=True
        )
        self._process.start()
        child.close()
        self._in_flight: Any = None
        self._busy = False

    def submit(self, rows: ImportRows, *, entries: Any) -> None:
        """Hand over a batch; the previous one must have been waited for. Raises TypeError for
        rows JSON cannot carry (an integer beyond 64 bits): the caller writes those itself."""
        if self._busy:
            raise RuntimeError("the writer still has a batch: wait() first")
        data = _encode(rows)
        try:
            self._pipe.send_bytes(data)
        except OSError as error:  # the writer is gone (killed, out of memory)
            self.close()
            raise WriterCrashed(f"the writer process ended: {error}") from error
        self._in_flight, self._busy = entries, True

    def wait(self) -> Answer | None:
        """The answer for the batch in flight (None when there is none)."""
        if not self._busy:
            return None
        try:
            outcome, value = self._pipe.recv()
        except EOFError:
            outcome, value = "crashed", "the writer process ended without answering"
        entries, self._in_flight, self._busy = self._in_flight, None, False
        if outcome == "crashed":
            self.close()
            raise WriterCrashed(value)
        if outcome == "failed":
            return Answer(entries=entries, error=value)
        return Answer(entries=entries, written=value)

    def close(self) -> None:
        """Stop the writer once it has answered (or at once if it is stuck or gone)."""
        if self._process.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                self._pipe.send_bytes(b"")
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._pipe.close()
