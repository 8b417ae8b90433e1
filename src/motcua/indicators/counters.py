"""Writing the daily counters: per event (inside its transaction) and in bulk (rebuild, import)."""

from collections import Counter, defaultdict

from django.db import connection, transaction

from motcua.dossiers.models import Dossier
from motcua.indicators.contributions import FACT_FIELDS, Contribution, contribution
from motcua.indicators.models import COUNTER_COLUMNS, DailyCounter


def counters_add(delta: Contribution) -> None:
    """Add `delta` to the counters with one upsert per row: concurrent events on other dossiers of the
    same unit and day add up instead of overwriting each other."""
    if not delta:
        return
    table = DailyCounter._meta.db_table
    columns = ", ".join(COUNTER_COLUMNS)
    placeholders = ", ".join(["%s"] * (3 + len(COUNTER_COLUMNS)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTER_COLUMNS)
    sql = (
        f"INSERT INTO {table} (unit_id, procedure_id, day, {columns}) VALUES ({placeholders}) "
        f"ON CONFLICT (unit_id, procedure_id, day) DO UPDATE SET {updates}"
    )
    rows = [
        (unit, procedure, day, *(counts.get(c, 0) for c in COUNTER_COLUMNS))
        for (unit, procedure, day), counts in sorted(delta.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _merge(into: dict, part: Contribution) -> None:
    for key, counts in part.items():
        into[key].update(counts)


def counters_rebuild(*, batch: int = 5000) -> int:
    """Recompute every counter from the dossiers (the projection of the event log). Returns the number
    of dossiers read. Memory stays bounded by the number of counter rows, not of dossiers."""
    with transaction.atomic():
        DailyCounter.objects.all().delete()
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
