"""The rows a bulk import writes: new dossiers, each with its one `imported` event and its counter
contribution, made without writing (so the writer process can write one batch while the importer
makes the next) and written in four statements.

Each new dossier's rows are exactly what `dossiers.services.dossier_import_upsert` would write for it
— the same validation, the same first event, the same projection folded from it — and its counters
come from the one statement of the counting rules (`indicators.contributions`) through the same
counter writer as live events (`indicators.counters`); only summed per batch, since a batch has no
per-event signal. tests/interchange/test_bulk.py compares both paths."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from motcua.core import timeutil
from motcua.core.bulk import ids_reserve, json_text, rows_insert, rows_prepare
from motcua.dossiers.chain import CURRENT_SCHEME, GENESIS, event_hash, personal_seal
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import PROJECTED_FIELDS, DossierState, encode
from motcua.dossiers.services import (
    actor_name,
    event_moment,
    import_fields_changed,
    import_fields_validate,
)
from motcua.indicators.contributions import contribution
from motcua.indicators.counters import CounterRows, counter_rows, counter_rows_add


def _codes_existing(codes: set[str]) -> set[str]:
    """Which of `codes` a dossier has: one plain query (the ORM prepares each of an import batch's
    thousands of parameters, which cost more than the query), so that only those are read whole."""
    if not codes:
        return set()
    table = connection.ops.quote_name(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s)", [list(codes)])
        else:
            marks = ", ".join(["%s"] * len(codes))
            cursor.execute(f"SELECT code FROM {table} WHERE code IN ({marks})", list(codes))
        return {code for (code,) in cursor.fetchall()}


def dossiers_import_classify(
    *, items: list[tuple[dict[str, Any], dict[str, Any] | None, datetime | None]]
) -> list[str]:
    """For each (fields, record, at) of an import, in order: "new" when no dossier has its code,
    "unchanged" when `dossier_import_upsert` would append nothing (same fields; same record as the
    last import, or none given), else "changed". Two reads for the lot, so re-importing a file
    costs no statement per dossier. Fields must have passed `import_fields_validate`."""
    codes = _codes_existing({fields["code"] for fields, _, _ in items})
    rows = {
        row["code"]: row
        for row in Dossier.objects.filter(code__in=codes).values("id", *PROJECTED_FIELDS)
    }
    statuses: list[str] = []
    compare_record: dict[int, int] = {}  # item index → dossier id
    for i, (fields, record, _) in enumerate(items):
        row = rows.get(fields["code"])
        if row is None:
            statuses.append("new")
        elif import_fields_changed(current=row, fields=fields):
            statuses.append("changed")
        else:
            statuses.append("unchanged")
            if record is not None:
                compare_record[i] = row["id"]
    if compare_record:
        last_record = {}
        for dossier_id, payload in (
            DossierEvent.objects.filter(
                dossier_id__in=set(compare_record.values()), kind="imported"
            )
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "payload")
        ):
            last_record[dossier_id] = payload.get("record")  # the last one wins
        for i, dossier_id in compare_record.items():
            if items[i][1] != last_record.get(dossier_id):
                statuses[i] = "changed"
    return statuses


# The projection of a dossier before its first event, and the columns a bulk import writes.
_EMPTY = DossierState().fields
_DOSSIER_COLUMNS = ("id", *PROJECTED_FIELDS)
_EVENT_COLUMNS = (
    "dossier_id",
    "seq",
    "kind",
    "at",
    "recorded_at",
    "actor_name",
    "from_state",
    "to_state",
    "payload",
    "scheme",
    "personal",
    # Every column without a database default must be here: a missing one makes each batch's
    # insert fail and the import fall back, silently, to one upsert a record (slower and ~8 times
    # the memory; tests/interchange/test_memory.py). tests/interchange/test_bulk.py checks.
    "hash",
)


def _import_first_event(
    fields: dict[str, Any], *, record: dict | None, source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(projection, event payload) of a dossier created by its `imported` event: the payload as
    `dossier_import_upsert` writes it, and the projection `apply_event` would fold from it, computed
    directly — folding a first event onto the empty state only sets the payload's fields, and
    decoding them again would give the same instants (tests/interchange/test_bulk.py compares)."""
    fields = {"current_unit_id": fields["unit_id"], **fields}
    # The empty state holds no datetimes, so `comparable` reduces to plain inequality here, and
    # `_Change.payload` to encoding the values. Local datetimes are left to json_text (orjson
    # writes them as isoformat does, but for the seconds of offsets before 1976).
    changed = {}
    for name, value in fields.items():
        if _EMPTY.get(name) != value:
            if value.__class__ is datetime and (
                value.tzinfo is not timeutil.LOCAL_TZ or value.year < 1976
            ):
                value = encode(value)
            changed[name] = value
    payload: dict[str, Any] = {"set": changed, "source": source}
    if record:
        payload["record"] = record
    return {**_EMPTY, **fields, "last_event_seq": 1}, payload


@dataclass(frozen=True)
class ImportRows:
    """New dossiers of an import as the rows they add, before ids are drawn: `dossiers` in
    PROJECTED_FIELDS order and `events` in _EVENT_COLUMNS order, each without its id column and
    through `rows_prepare`, and the batch's summed counter rows."""

    dossiers: list[Sequence[Any] | str]
    events: list[Sequence[Any] | str]
    counters: CounterRows


def dossiers_import_rows(
    *,
    items: list[tuple[dict[str, Any], dict[str, Any] | None, datetime | None]],
    source: str = "interchange",
) -> ImportRows:
    """The rows that create dossiers new to the database — each exactly as `dossier_import_upsert`
    would (one `imported` event, the projection folded from it, its counter contribution). Reads
    the procedures' classes and the units' paths for the counters; writes nothing."""
    recorded_at = timezone.now()
    nameless_actor = actor_name(None)
    dossiers, events = [], []
    delta: dict = defaultdict(Counter)
    for fields, record, at in items:
        import_fields_validate(fields=fields)
        projection, payload = _import_first_event(fields, record=record, source=source)
        dossiers.append(tuple(map(projection.__getitem__, PROJECTED_FIELDS)))
        moment = event_moment(at)
        personal = personal_seal(kind="imported", payload=payload)
        seal = event_hash(
            previous=GENESIS,
            code=fields["code"],
            seq=1,
            kind="imported",
            at=moment,
            recorded_at=recorded_at,
            actor_id=None,
            actor_name=nameless_actor,
            actor_unit_id=None,
            from_state=None,
            to_state=projection["state"],
            payload=payload,
            scheme=CURRENT_SCHEME,
            personal=personal,
        )
        events.append(
            (
                1,
                "imported",
                moment,
                recorded_at,
                nameless_actor,
                None,
                projection["state"],
                json_text(payload),
                CURRENT_SCHEME,
                json_text(personal),
                seal,
            )
        )
        for key, counts in contribution(projection).items():
            into = delta[key]
            for column, value in counts.items():
                into[column] += value
    counters = counter_rows({key: counts for key, counts in delta.items() if any(counts.values())})
    return ImportRows(
        dossiers=list(rows_prepare(model=Dossier, columns=_DOSSIER_COLUMNS[1:], rows=dossiers)),
        events=list(rows_prepare(model=DossierEvent, columns=_EVENT_COLUMNS[1:], rows=events)),
        counters=counters,
    )


def dossiers_import_rows_write(*, rows: ImportRows) -> int:
    """Write `rows` (dossiers_import_rows) in four statements: ids drawn, dossiers, events,
    counters (`core.bulk`). Returns the number of dossiers. The caller runs this in a transaction
    and guarantees the codes were new when the rows were made; a code taken since makes the
    insert fail as a whole (unique constraint), nothing half-written. No `event_recorded` signal:
    the counters, its only in-transaction listener, get the batch's summed rows."""
    ids = ids_reserve(model=Dossier, count=len(rows.dossiers))
    for model, columns, table_rows in (
        (Dossier, _DOSSIER_COLUMNS, rows.dossiers),
        (DossierEvent, _EVENT_COLUMNS, rows.events),  # an event's first column: its dossier
    ):
        rows_insert(model=model, columns=columns, rows=table_rows, prepared=True, keys=ids)
    counter_rows_add(rows.counters)
    return len(ids)
