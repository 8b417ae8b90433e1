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


def _copy_escaped(value: str) -> str:
    # Most values need no escape: four scans are cheaper than a translation table.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


# By exact type: one lookup a value (an import formats ~50 of them a dossier).
_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: int.__str__,
    str: _copy_escaped,
    JSONText: _copy_escaped,
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def _copy_text(value: Any) -> str:
    return _copy_escaped(str(value))


def copy_line(row: Sequence[Any]) -> str:
    """One row in PostgreSQL's COPY text format: tab-separated, \\N for NULL, backslash escapes,
    ISO 8601 dates and times, ended by a newline."""
    get = _COPY_TEXT.get
    return "\t".join([get(value.__class__, _copy_text)(value) for value in row]) + "\n"


def copy_line_plain(row: Sequence[int | str | date]) -> str:
    """`copy_line` for rows of integers, dates and plain codes only (no NULL, no boolean, nothing
    to escape), as the counter tables have: several times faster."""
    return "\t".join(map(str, row)) + "\n"


def rows_prepare(
    *, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[Sequence[Any] | str]:
    """`rows` as the database takes them, for `rows_insert(prepared=True)`: done apart so that
    another process can insert them. The values the driver cannot take as they are converted (JSON
    encoded; on SQLite, datetimes and dates as Django writes them); on PostgreSQL each row becomes
    its line of COPY text (`copy_line`), so the inserting process only sends text."""
    converters = _converters(model, columns)
    postgres = connection.vendor == "postgresql"
    for row in rows:
        if converters:
            row = list(row)
            for i, convert in converters:
                value = row[i]
                if value is not None:
                    row[i] = convert(value)
        yield copy_line(row) if postgres else row


def rows_insert(
    *,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any] | str],
    prepared: bool = False,
    keys: Sequence[int] | None = None,
) -> int:
    """Insert `rows` into `model`'s table in one statement (SQLite: one prepared statement run per
    row; PostgreSQL: one COPY). Returns the number of rows. A constraint violation fails the whole
    call: run it inside a transaction (or savepoint) so nothing is half-written. `prepared`: the
    rows have been through `rows_prepare` already; `keys`: the values of the first column, put in
    front of each (prepared) row."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    postgres = connection.vendor == "postgresql"
    if not prepared:
        rows = rows_prepare(model=model, columns=columns, rows=rows)
    if keys is not None:
        if postgres:
            rows = [f"{key}\t{line}" for key, line in zip(keys, rows, strict=True)]
        else:
            rows = [(key, *row) for key, row in zip(keys, rows, strict=True)]
    with connection.cursor() as cursor:
        if postgres:
            return rows_copy(cursor=cursor, table=table, names=names, rows=rows)
        marks = ", ".join(["%s"] * len(columns))
        batch = list(rows)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
        return len(batch)


def rows_copy(*, cursor, table: str, names: str, rows: Iterable[Sequence[Any] | str]) -> int:
    """PostgreSQL: COPY `rows` into `table` (`names`: its quoted column list): tuples, or lines of
    COPY text (`copy_line`). Returns the count."""
    count = 0
    # The driver's own cursor: its errors must become Django's (IntegrityError, …) for callers that
    # catch DatabaseError, as they would from cursor.execute.
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        lines: list[str] = []
        for row in rows:
            if isinstance(row, str):
                lines.append(row)
                if len(lines) >= 1000:  # a few hundred kB a write
                    copy.write("".join(lines))
                    lines.clear()
            else:
                copy.write_row(row)
            count += 1
        if lines:
            copy.write("".join(lines))
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
