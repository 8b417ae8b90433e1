"""Writing many rows at once as plain tuples: `executemany` on SQLite, COPY on PostgreSQL.

Model instances and Django's per-field preparation in `bulk_create` cost more than the insert
itself (≈ 0,5 ms for a 45-column dossier). Here a row is a tuple of Python values in the order of
`columns` (attribute names: `unit_id`, not `unit`); only the values the driver cannot take as they
are are converted, once per column kind. No signals, no `auto_now`, no defaults: the caller gives
every column it writes."""

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
from django.db import connection, models


@contextlib.contextmanager
def collections_deferred(threshold: int = 100_000) -> Iterator[None]:
    """Run less of Python's cycle collector while bulk work allocates millions of short-lived
    containers (parsed lines, rows) that reference counting frees anyway: the youngest generation
    is collected after `threshold` allocations instead of 700, so far fewer full collections walk
    every live object. Memory stays bounded; the thresholds are restored afterwards. (An import of
    200,000 dossiers on SQLite: 6,700 → 8,500–9,200 /s.)"""
    before = gc.get_threshold()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class JSONText(str):
    """A JSON column's value already encoded (json_text): `rows_insert` writes it as it is."""

    __slots__ = ()


def json_text(value: Any) -> JSONText:
    # The same JSON as JSONField's json.dumps, in compact UTF-8, in a tenth of the time (an import
    # writes one event payload a dossier). PostgreSQL stores jsonb, no text; SQLite's JSONField
    # reads either form.
    return JSONText(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode())


def _json_column(value: Any) -> str:
    return value if isinstance(value, JSONText) else json_text(value)


def _sqlite_datetime(value: datetime) -> str:
    # Django's SQLite format: naive UTC text (USE_TZ), as adapt_datetimefield_value writes it.
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _sqlite_date(value: date) -> str:
    return value.isoformat()


def _converters(model: type[models.Model], columns: Sequence[str]) -> list[tuple[int, Callable]]:
    """(position, converter) for the columns whose values the driver cannot take as they are."""
    postgres = connection.vendor == "postgresql"
    out = []
    for i, name in enumerate(columns):
        field = model._meta.get_field(name)
        kind = field.get_internal_type()
        if kind == "JSONField":
            out.append((i, _json_column))
        elif postgres:
            continue  # psycopg dumps datetimes, dates, booleans and text itself
        elif kind == "DateTimeField":
            out.append((i, _sqlite_datetime))
        elif kind == "DateField":
            out.append((i, _sqlite_date))
    return out


def rows_prepare(
    *, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[Sequence[Any]]:
    """`rows` with the values the driver cannot take as they are converted (JSON encoded; on
    SQLite, datetimes and dates as Django writes them), for `rows_insert(prepared=True)`: done
    apart so that another process can insert them."""
    converters = _converters(model, columns)
    if not converters:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, convert in converters:
            value = row[i]
            if value is not None:
                row[i] = convert(value)
        yield row


def rows_insert(
    *,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    prepared: bool = False,
) -> int:
    """Insert `rows` into `model`'s table in one statement (SQLite: one prepared statement run per
    row; PostgreSQL: one COPY). Returns the number of rows. A constraint violation fails the whole
    call: run it inside a transaction (or savepoint) so nothing is half-written. `prepared`: the
    rows have been through `rows_prepare` already."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    if not prepared:
        rows = rows_prepare(model=model, columns=columns, rows=rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return rows_copy(cursor=cursor, table=table, names=names, rows=rows)
        marks = ", ".join(["%s"] * len(columns))
        batch = list(rows)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
        return len(batch)


def rows_copy(*, cursor, table: str, names: str, rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL: COPY `rows` into `table` (`names`: its quoted column list). Returns the count."""
    count = 0
    # The driver's own cursor: its errors must become Django's (IntegrityError, …) for callers that
    # catch DatabaseError, as they would from cursor.execute.
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def ids_reserve(*, model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for rows the caller is about to insert with explicit ids (so that rows
    of another table can point at them without reading them back).

    PostgreSQL draws them from the table's sequence: concurrent writers never get the same ids.
    SQLite has no sequence to draw from: the ids follow the largest one ever issued, which is safe
    only while this transaction holds the write lock (`IMMEDIATE` transactions take it at BEGIN; an
    insert that lost the race fails on the primary key instead of writing twice)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("ids_reserve needs a transaction on SQLite (it is the write lock)")
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")
        last = cursor.fetchone()[0]
        # AUTOINCREMENT tables never reuse an id, even of a deleted row.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        last = max(last, row[0] if row else 0)
    return list(range(last + 1, last + 1 + count))
