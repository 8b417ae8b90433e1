"""Writing the daily counters and their rollups: per event (inside its transaction) and in bulk
(rebuild, import)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from motcua.catalog.models import Procedure
from motcua.core.bulk import copy_line_plain, rows_copy
from motcua.dossiers.models import Dossier
from motcua.indicators.contributions import FACT_FIELDS, Contribution, contribution
from motcua.indicators.models import COUNTER_COLUMNS, DailyCounter, ProcedureUse, RollupCounter
from motcua.indicators.rollups import USE_COLUMNS, ProcedureClass, rollup_deltas
from motcua.units.models import Unit

# Above this many rows an upsert on PostgreSQL goes through COPY into a temporary table.
COPY_THRESHOLD = 2000


def _upsert_add(
    model, *, keys: tuple[str, ...], values: tuple[str, ...], rows: list[tuple] | list[str]
) -> None:
    """Add `rows` (keys then values; or, on PostgreSQL, lines of COPY text: `_copy_ready`) to
    `model`'s table, one upsert per row: concurrent events of other dossiers adding to the same row
    add up instead of overwriting each other. Rows are given sorted, so concurrent transactions lock
    shared rows in the same order."""
    if not rows:
        return
    table = model._meta.db_table
    names = ", ".join((*keys, *values))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in values)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        copy_text = isinstance(rows[0], str)  # counter_rows made them COPY-ready
        if connection.vendor != "postgresql" or (len(rows) < COPY_THRESHOLD and not copy_text):
            marks = ", ".join(["%s"] * (len(keys) + len(values)))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)
            return
        staging = f"staging_{table}"
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        rows_copy(cursor=cursor, table=staging, names=names, rows=rows)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {conflict}")
        cursor.execute(f"DROP TABLE {staging}")


def _rows(delta: dict, columns: tuple[str, ...]) -> list[tuple]:
    return [(*key, *(counts.get(c, 0) for c in columns)) for key, counts in sorted(delta.items())]


def _vector_rows(rows: dict[tuple, list[int]]) -> list[tuple]:
    return [(*key, *values) for key, values in sorted(rows.items())]


def _procedure_classes(ids: Iterable[int]) -> dict[int, ProcedureClass]:
    return {
        pk: (online_level, result_kind)
        for pk, online_level, result_kind in Procedure.objects.filter(pk__in=set(ids)).values_list(
            "pk", "online_level", "result_kind"
        )
    }


def _unit_ancestors(ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Each unit with the units on its path (itself included): one query on the materialized
    paths, as it runs with every event."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Unit._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    out: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, a.id FROM {table} u JOIN {table} a "
            f"ON substr(u.path, 1, length(a.path)) = a.path WHERE u.id IN ({marks})",
            ids,
        )
        for unit_id, ancestor_id in cursor.fetchall():
            out[unit_id].append(ancestor_id)
    return {unit_id: tuple(ancestors) for unit_id, ancestors in out.items()}


@dataclass(frozen=True)
class CounterRows:
    """A counter delta as the rows it adds to each table (keys then COUNTER_COLUMNS or
    USE_COLUMNS), sorted: computing them reads two small tables, writing them is
    `counter_rows_add` — apart, so that an import can compute a batch's rows while another
    connection writes the previous batch's."""

    daily: list[tuple] | list[str]
    rollup: list[tuple] | list[str]
    use: list[tuple] | list[str]


def _rollup_rows(
    delta: Contribution, *, classes: dict[int, ProcedureClass] | None = None
) -> tuple[list[tuple], list[tuple]]:
    if classes is None:
        classes = _procedure_classes(procedure for _, procedure, _ in delta)
    rollup, use = rollup_deltas(
        delta, classes=classes, ancestors=_unit_ancestors(unit for unit, _, _ in delta)
    )
    return _vector_rows(rollup), _vector_rows(use)


def counter_rows(delta: Contribution) -> CounterRows:
    """The rows `delta` adds to the daily counters and their rollups (reads, writes nothing). On
    PostgreSQL, tables getting COPY_THRESHOLD rows or more get them as lines of COPY text, ready to
    send (core.bulk.copy_line)."""
    rollup, use = _rollup_rows(delta) if delta else ([], [])
    return CounterRows(
        daily=_copy_ready(_rows(delta, COUNTER_COLUMNS)),
        rollup=_copy_ready(rollup),
        use=_copy_ready(use),
    )


def _copy_ready(rows: list[tuple]) -> list[tuple] | list[str]:
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        return [copy_line_plain(row) for row in rows]
    return rows


def _rollup_rows_add(*, rollup: list[tuple], use: list[tuple]) -> None:
    _upsert_add(
        RollupCounter,
        keys=("unit_id", "span", "day", "online_level", "result_kind"),
        values=COUNTER_COLUMNS,
        rows=rollup,
    )
    _upsert_add(
        ProcedureUse,
        keys=("unit_id", "span", "day", "procedure_id"),
        values=USE_COLUMNS,
        rows=use,
    )


def counter_rows_add(rows: CounterRows) -> None:
    """Add `rows` (counter_rows) to their tables, in the caller's transaction."""
    with transaction.atomic():
        _upsert_add(
            DailyCounter,
            keys=("unit_id", "procedure_id", "day"),
            values=COUNTER_COLUMNS,
            rows=rows.daily,
        )
        _rollup_rows_add(rollup=rows.rollup, use=rows.use)


def _rollups_add(delta: Contribution, *, classes: dict[int, ProcedureClass] | None = None) -> None:
    rollup, use = _rollup_rows(delta, classes=classes)
    _rollup_rows_add(rollup=rollup, use=use)


def counters_add(delta: Contribution) -> None:
    """Add `delta` to the daily counters and to their rollups, in the caller's transaction."""
    if delta:
        counter_rows_add(counter_rows(delta))


def _daily_chunks(*, batch: int, **filters):
    """DailyCounter rows as contribution dicts, `batch` rows at a time."""
    last_pk = 0
    while True:
        chunk = list(
            DailyCounter.objects.filter(pk__gt=last_pk, **filters)
            .order_by("pk")
            .values("pk", "unit_id", "procedure_id", "day", *COUNTER_COLUMNS)[:batch]
        )
        if not chunk:
            return
        last_pk = chunk[-1]["pk"]
        yield {
            (row["unit_id"], row["procedure_id"], row["day"]): Counter(
                {c: row[c] for c in COUNTER_COLUMNS if row[c]}
            )
            for row in chunk
        }


def rollups_rebuild(*, batch: int = 20_000) -> None:
    """Recompute the rollups from the daily counters (after a unit moved in the tree)."""
    with transaction.atomic():
        RollupCounter.objects.all().delete()
        ProcedureUse.objects.all().delete()
        for delta in _daily_chunks(batch=batch):
            _rollups_add(delta)


def rollups_procedure_reclassify(
    *, procedure_id: int, before: ProcedureClass, after: ProcedureClass, batch: int = 20_000
) -> None:
    """Move a procedure's counts from its old class to its new one in the rollups."""
    with transaction.atomic():
        for delta in _daily_chunks(batch=batch, procedure_id=procedure_id):
            negated = {
                key: Counter({c: -v for c, v in counts.items()}) for key, counts in delta.items()
            }
            _rollups_add(negated, classes={procedure_id: before})
            _rollups_add(delta, classes={procedure_id: after})


def _merge(into: dict, part: Contribution) -> None:
    for key, counts in part.items():
        into[key].update(counts)


def counters_rebuild(*, batch: int = 5000) -> int:
    """Recompute every counter from the dossiers (the projection of the event log). Returns the number
    of dossiers read. Memory stays bounded by the number of counter rows, not of dossiers."""
    with transaction.atomic():
        DailyCounter.objects.all().delete()
        RollupCounter.objects.all().delete()
        ProcedureUse.objects.all().delete()
        total: dict = defaultdict(Counter)
        last_pk = 0
        read = 0
        while True:
            chunk = list(
                Dossier.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values("pk", *FACT_FIELDS)[:batch]
            )
            if not chunk:
                break
            for facts in chunk:
                _merge(total, contribution(facts))
            read += len(chunk)
            last_pk = chunk[-1]["pk"]
            if len(total) > 200_000:  # flush to keep memory flat on very large databases
                counters_add(dict(total))
                total.clear()
        counters_add({k: v for k, v in total.items() if any(v.values())})
    return read


def counters_snapshot() -> dict:
    """All counters as {(unit, procedure, day): {column: value}} without zero rows or columns."""
    out = {}
    for row in DailyCounter.objects.values("unit_id", "procedure_id", "day", *COUNTER_COLUMNS):
        values = {c: row[c] for c in COUNTER_COLUMNS if row[c]}
        if values:
            out[(row["unit_id"], row["procedure_id"], row["day"])] = values
    return out
