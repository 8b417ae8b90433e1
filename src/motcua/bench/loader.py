"""The bulk loader: a benchmark-only way to put millions of generated dossiers in a database fast.

It is NOT the import. `motcua import` (interchange_import) upserts one record at a time in its own
savepoint, locks, compares and appends an event through the dossier services — the right behaviour
for real files, too slow to fill a 5-million-dossier benchmark database in minutes. This loader
assumes an empty database and a file that is new to it (generated), and writes the same rows the
import would for a new dossier — the projection from `payload.dossier_fields`, one `imported`
event built as the import builds it, and the counters from `contributions.contribution` — in
batches of plain row tuples: `executemany` on SQLite, COPY on PostgreSQL (model instances and
per-field preparation cost more than the insert itself). The benchmark then checks the counters against
the naive queries over the dossiers, so a loader that drifted from the rules would fail loudly."""

import io
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection, transaction

from motcua.catalog.models import Procedure
from motcua.core.timeutil import to_local
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import DossierState, apply_event, encode_dict
from motcua.indicators.contributions import contribution
from motcua.indicators.counters import counters_add
from motcua.interchange import payload as p
from motcua.units.models import Unit
from motcua.workcalendar.selectors import calendar_get

ACTOR_NAME = "Người nộp hồ sơ"  # what dossier services write for an event without an actor
DOSSIER_COLUMNS = [f.attname for f in Dossier._meta.concrete_fields]  # "id" first
EVENT_COLUMNS = [f.attname for f in DossierEvent._meta.concrete_fields]


class BulkLoader:
    def __init__(self, *, batch: int = 5000) -> None:
        self.batch = batch
        self.units = {u.code: u for u in Unit.objects.all()}
        self.procedures = {pr.code: pr for pr in Procedure.objects.all()}
        self.calendars: dict[int, object] = {}
        self.counters: dict = defaultdict(Counter)
        self.loaded = 0
        self.seconds = {"build": 0.0, "insert": 0.0, "counters": 0.0}  # where the time goes
        self.postgres = connection.vendor == "postgresql"
        # Explicit ids, so event rows can point at their dossier without a round trip.
        self.next_dossier = (
            Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        self.next_event = (
            DossierEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        self.recorded_at = datetime.now(UTC)
        missing = set(DOSSIER_COLUMNS) - set(DossierState().fields) - {"id"}
        if missing:  # a new Dossier column the projection does not know: the rows would be wrong
            raise RuntimeError(f"bulk loader: columns outside the projection: {missing}")

    def _calendar(self, unit: Unit):
        if unit.pk not in self.calendars:
            self.calendars[unit.pk] = calendar_get(unit=unit)
        return self.calendars[unit.pk]

    def _build(self, obj: dict) -> tuple[tuple, tuple]:
        """The rows `dossier_import_upsert` writes for a dossier new to the database."""
        code, unit_ref, procedure_ref = p.dossier_refs(obj)
        unit, procedure = self.units[unit_ref], self.procedures[procedure_ref]
        fields, record, at = p.dossier_fields(
            obj, code=code, unit=unit, procedure=procedure, calendar=lambda: self._calendar(unit)
        )
        fields = {"current_unit_id": unit.pk, **fields}
        state = DossierState()
        changes = {k: v for k, v in fields.items() if state.fields.get(k) != v}
        payload = {"set": encode_dict(changes), "source": "interchange"}
        if record:
            payload["record"] = record
        apply_event(state, seq=1, to_state=fields["state"], payload=payload)
        for key, counts in contribution(state.fields).items():
            self.counters[key].update(counts)
        dossier_id, self.next_dossier = self.next_dossier, self.next_dossier + 1
        values = state.fields
        dossier = tuple(
            self._value(dossier_id if name == "id" else values[name]) for name in DOSSIER_COLUMNS
        )
        event = {
            "id": self.next_event,
            "dossier_id": dossier_id,
            "seq": 1,
            "kind": "imported",
            "at": to_local(at),
            "recorded_at": self.recorded_at,
            "actor_id": None,
            "actor_name": ACTOR_NAME,
            "actor_unit_id": None,
            "from_state": None,
            "to_state": fields["state"],
            "payload": payload,
        }
        self.next_event += 1
        return dossier, tuple(self._value(event[name]) for name in EVENT_COLUMNS)

    def _value(self, value):
        """A Python value as the database driver (SQLite) or COPY (PostgreSQL) wants it."""
        if isinstance(value, datetime):
            if self.postgres:
                return value.isoformat()
            # Django's SQLite format: naive UTC text.
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool) and self.postgres:
            return "t" if value else "f"
        return value

    def load(self, lines: Iterable[str]) -> int:
        """Load dossier lines (other kinds must already be imported). Returns the number loaded."""
        chunk: list[tuple[tuple, tuple]] = []
        for text in lines:
            t = time.perf_counter()
            chunk.append(self._build(json.loads(text)))
            self.seconds["build"] += time.perf_counter() - t
            if len(chunk) >= self.batch:
                self._flush(chunk)
                chunk = []
        if chunk:
            self._flush(chunk)
        self._flush_counters()
        if self.postgres:
            with connection.cursor() as cursor:
                for model in (Dossier, DossierEvent):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))",
                        [table],
                    )
        return self.loaded

    def _flush(self, chunk: list[tuple[tuple, tuple]]) -> None:
        t = time.perf_counter()
        with transaction.atomic():
            self._insert(Dossier, DOSSIER_COLUMNS, [d for d, _ in chunk])
            self._insert(DossierEvent, EVENT_COLUMNS, [e for _, e in chunk])
        self.seconds["insert"] += time.perf_counter() - t
        self.loaded += len(chunk)
        # Counter rows grow with unit × procedure × day, not with dossiers: flush only when large.
        if len(self.counters) > 100_000:
            self._flush_counters()

    def _flush_counters(self) -> None:
        if not self.counters:
            return
        t = time.perf_counter()
        with transaction.atomic():
            counters_add(dict(self.counters))  # COPY on PostgreSQL for a delta this size
        self.counters.clear()
        self.seconds["counters"] += time.perf_counter() - t

    def _insert(self, model, columns: list[str], rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            if not self.postgres:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
                return
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(v) for v in row))
                buffer.write("\n")
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
