"""`motcua import` / `motcua export`: JSON Lines of units, procedures, targets and dossiers
(/work/shared/interchange.md, docs/interchange.md).

Import streams in batches of lines, each batch one transaction: the batch is parsed first, its unit
and procedure codes resolved with one query each (per-run caches), then each line is handled in
order. Dossier lines only map and validate; at the end of the batch the new ones are written
together as row tuples, the unchanged ones are recognised with two reads, and the changed ones go
through `dossier_import_upsert`, each in its own savepoint so a bad record never takes good ones
with it."""

import contextlib
import json
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, TextIO

import orjson
from django.db import DatabaseError, connection, transaction

from motcua.catalog.models import Procedure
from motcua.catalog.services import procedure_upsert
from motcua.core.bulk import collections_deferred
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.lifecycle import action_phrases
from motcua.dossiers.services import dossier_import_upsert, import_fields_validate
from motcua.indicators.models import Target
from motcua.interchange import payload as p
from motcua.interchange import selectors
from motcua.interchange.rows import (
    dossiers_import_classify,
    dossiers_import_rows,
    dossiers_import_rows_write,
)
from motcua.interchange.writer import ImportWriter
from motcua.units.models import Unit
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_derive_short_name, unit_upsert
from motcua.workcalendar.selectors import calendar_get

KINDS = ("unit", "procedure", "target", "dossier")
OUTCOMES = ("created", "updated", "unchanged")
# Lines a batch (one transaction) holds: larger batches merge more of their counter rows, and the
# writer process has one batch in flight (PostgreSQL, 40,000 dossiers: 5,824 /s with 2,000 lines,
# 6,967 /s with 5,000; SQLite, 200,000 dossiers: 7,305 /s with 5,000, 8,765 /s with 10,000).
BATCH_SIZE = 10_000
# Bad lines kept in the report; the command also hears each one as it happens (`on_error`).
MAX_KEPT_ERRORS = 1000


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    aborted: bool = False  # --strict met a bad line: nothing was written

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def created(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    def summary(self) -> str:
        if self.aborted:
            return (
                f"Dừng ở dòng lỗi đầu tiên (--strict): không ghi bản ghi nào; "
                f"{self.rejected} dòng bị từ chối."
            )
        parts = []
        for kind, label in (
            ("unit", "đơn vị"),
            ("procedure", "thủ tục"),
            ("target", "chỉ tiêu"),
            ("dossier", "hồ sơ"),
        ):
            c = self.counts[kind]
            if sum(c.values()):
                parts.append(
                    f"{label}: {c['created']} mới, {c['updated']} cập nhật, "
                    f"{c['unchanged']} không đổi"
                )
        return (
            f"Nhập mới {self.created}, cập nhật {self.updated}, không đổi {self.unchanged}, "
            f"bị từ chối {self.rejected}" + (f" ({'; '.join(parts)})." if parts else ".")
        )


class _Abort(Exception):
    pass


class _Catalog:
    """Per-run caches of code lookups and calendars: a dossier line touches the database only to
    write. Entries are refreshed when a unit or procedure line of the same run changes them."""

    def __init__(self) -> None:
        self.units: dict[str, Unit | None] = {}
        self.units_on: dict[tuple[str, date | None], Unit | None] = {}
        self.units_by_agency: dict[str, Unit | None] = {}
        self.procedures: dict[str, Procedure | None] = {}
        self.procedures_by_national: dict[str, Procedure | None] = {}
        self.calendars: dict[int, Any] = {}

    def prefetch(self, *, units: set[str], procedures: set[str]) -> None:
        """Resolve a batch's references with one query per kind instead of one per new code. What
        stays unknown (or ambiguous) is looked up, and reported, line by line as before."""
        self._prefetch(Unit, units, self.units, "agency_id", self.units_by_agency)
        self._prefetch(
            Procedure, procedures, self.procedures, "national_code", self.procedures_by_national
        )

    @classmethod
    def _prefetch(cls, model, refs: set[str], by_code: dict, other_key: str, by_other: dict):
        """By code first; what no code matches, by the model's other identifier."""
        refs = {ref for ref in refs if ref not in by_code}
        if not refs:
            return
        found: dict[str, list] = {}
        for row in model.objects.filter(code__in=refs):
            found.setdefault(row.code, []).append(row)
        for ref in refs:
            rows = found.get(ref, [])
            if len(rows) <= 1:  # a reused code stays out: each line's day picks its bearer
                by_code[ref] = rows[0] if rows else None
        cls._prefetch_by(
            model,
            other_key,
            {ref for ref in refs if ref not in found and ref not in by_other},
            by_other,
        )

    @staticmethod
    def _prefetch_by(model, key: str, refs: set[str], cache: dict) -> None:
        # Ambiguous references are left out: the line-by-line lookup reports them.
        if not refs:
            return
        matches: dict[str, list] = {ref: [] for ref in refs}
        for row in model.objects.filter(**{f"{key}__in": refs}):
            matches[getattr(row, key)].append(row)
        for ref, rows in matches.items():
            if len(rows) <= 1:
                cache[ref] = rows[0] if rows else None

    def unit_by_code(self, code: str, *, on: date | None = None) -> Unit | None:
        # A code reused after a reorganisation names another unit on another day: ask for the
        # day's bearer (units.selectors.unit_get_by_code) unless the code names one unit only.
        if code in self.units:  # a code that names one unit only (or none), whatever the day
            return self.units[code]
        key = (code, on)
        if key not in self.units_on:
            self.units_on[key] = unit_get_by_code(code=code, on=on)
        return self.units_on[key]

    def unit(self, ref: str, *, on: date | None = None) -> Unit | None:
        """By statistics code (the unit bearing it on `on`, the dossier's day), else by electronic
        identifier (QCVN 102)."""
        unit = self.unit_by_code(ref, on=on)
        if unit is None:
            if ref not in self.units_by_agency:
                found = list(Unit.objects.filter(agency_id=ref)[:2])
                if len(found) > 1:
                    p.fail(
                        f"Mã định danh {ref!r} ứng với nhiều đơn vị; hãy dùng mã đơn vị.",
                        code="unit_ambiguous",
                    )
                self.units_by_agency[ref] = found[0] if found else None
            unit = self.units_by_agency[ref]
        return unit

    def unit_saved(self, unit: Unit, *, moved: bool) -> None:
        if moved:  # the subtree's cached paths are stale now
            self.units.clear()
            self.calendars.clear()
        # Looked up again (by day, if the code is reused) rather than assumed to be this unit.
        self.units.pop(unit.code, None)
        self.units_on.clear()
        self.units_by_agency.clear()

    def procedure(self, ref: str) -> Procedure | None:
        """By code, else by national code (n.nnnnnn)."""
        if ref not in self.procedures:
            self.procedures[ref] = Procedure.objects.filter(code=ref).first()
        procedure = self.procedures[ref]
        if procedure is None:
            if ref not in self.procedures_by_national:
                found = list(Procedure.objects.filter(national_code=ref)[:2])
                if len(found) > 1:
                    p.fail(
                        f"Mã thủ tục quốc gia {ref!r} ứng với nhiều thủ tục địa phương; hãy dùng "
                        "mã thủ tục đầy đủ.",
                        code="procedure_ambiguous",
                    )
                self.procedures_by_national[ref] = found[0] if found else None
            procedure = self.procedures_by_national[ref]
        return procedure

    def procedure_saved(self, procedure: Procedure) -> None:
        self.procedures[procedure.code] = procedure
        self.procedures_by_national.clear()

    def calendar(self, unit: Unit):
        # calendar_get checks freshness with two queries a call: once a run is enough.
        if unit.pk not in self.calendars:
            self.calendars[unit.pk] = calendar_get(unit=unit)
        return self.calendars[unit.pk]


PENDING = object()  # a dossier waiting for the end of its batch


def _reference(value: Any) -> str | None:
    """A code as `payload.text` will read it, or None when it cannot be one (the line is then
    rejected by its own handler). NUL is left out: PostgreSQL refuses it even in a lookup."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = str(value).strip()
        if value and len(value) <= 64 and "\x00" not in value:
            return value
    return None


def _parse(text: str) -> tuple[Any, str | None]:
    """(object, None) or (None, reason)."""
    try:
        return orjson.loads(text), None  # a quarter of json.loads' time on a dossier line
    except ValueError as error:  # orjson.JSONDecodeError
        return None, f"Dòng không phải JSON hợp lệ ({error})."


class _Importer:
    def __init__(
        self,
        report: ImportReport,
        on_error: Callable[[int, str], None] | None,
        *,
        strict: bool = False,
        background: bool = False,
    ) -> None:
        self.report = report
        self.on_error = on_error
        self.strict = strict
        self.background = background  # may hand new dossiers' rows to a writer process
        self.writer: ImportWriter | None = None
        self.catalog = _Catalog()
        # Dossier lines wait here until the end of their batch (see `flush`).
        self.pending: list[tuple[int, tuple]] = []
        self.pending_codes: set[str] = set()
        self.number = 0
        self.handlers = {
            "unit": self.unit,
            "procedure": self.procedure,
            "target": self.target,
            "dossier": self.dossier,
        }

    def batch(self, lines: list[tuple[int, str]], *, full: bool = False) -> None:
        """Import a batch of numbered lines and write its dossiers (`full`: the batch has as many
        lines as a batch may, so the file is larger than one). With `strict`, raises _Abort at the
        first bad line."""
        parsed = []
        units, procedures = set(), set()
        catalogue = False  # a unit, procedure or target line: written in this batch's transaction
        for number, text in lines:
            text = text.strip()
            if not text:
                continue
            obj, error = _parse(text)
            parsed.append((number, obj, error))
            if not isinstance(obj, dict):
                continue
            if obj.get("kind") == "dossier":
                if (ref := _reference(obj.get("DonViXuLy"))) is not None:
                    units.add(ref)
                if (ref := _reference(obj.get("MaTTHC"))) is not None:
                    procedures.add(ref)
            elif obj.get("kind") in KINDS:
                catalogue = True
        self.catalog.prefetch(units=units, procedures=procedures)
        if self.background and not catalogue:
            # Dossier lines only map here; their rows go to the writer process (see `flush`).
            if self.writer is None and full:
                self.writer = ImportWriter()
            if self.writer is not None:
                self._records(parsed)
                self.flush()
                return
        self.drain()  # what this batch writes must come after what the writer has
        with transaction.atomic():
            rejected = self.report.rejected
            self._records(parsed)
            self.flush()
            if self.strict and self.report.rejected > rejected:
                raise _Abort

    def _records(self, parsed: list[tuple[int, Any, str | None]]) -> None:
        for number, obj, error in parsed:
            ok = self.reject(number, error) if error is not None else self.record(number, obj)
            if not ok and self.strict:
                raise _Abort
        parsed.clear()  # what the dossiers need is in `pending` now

    def record(self, number: int, obj: Any) -> bool:
        """Import one parsed line; False when it was rejected."""
        self.number = number
        if not isinstance(obj, dict):
            return self.reject(number, "Mỗi dòng phải là một đối tượng JSON.")
        kind = obj.get("kind")
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            if kind is None:
                return self.reject(number, "Thiếu trường bắt buộc: kind.")
            return self.reject(
                number,
                f"Loại bản ghi không hợp lệ: {kind!r} (phải là unit, procedure, target hoặc "
                "dossier).",
            )
        try:
            outcome = handler(obj)
        except DomainError as error:
            return self.reject(number, error.message)
        except DatabaseError as error:
            # Raised inside the record's savepoint, so only this record was rolled back.
            return self.reject(number, f"Lỗi ghi cơ sở dữ liệu: {error}".strip())
        if outcome is not PENDING:
            self.report.counts[kind][outcome] += 1
        return True

    def flush(self) -> None:
        """Write the waiting dossiers: those new to the database together (rows, events, counters
        in a few statements), those the database already holds with the same values not at all,
        the changed ones one by one. If the bulk write fails (a code taken meanwhile by another
        writer), fall back to one upsert per record so only the real culprit is rejected.

        With the writer process, the new ones' rows are made here and written there, while this
        process goes on to the next batch; the changed ones wait until the writer is idle."""
        if not self.pending:
            return
        pending = self.pending
        self.pending, self.pending_codes = [], set()
        statuses = dossiers_import_classify(items=[item for _, item in pending])
        fresh = [entry for entry, status in zip(pending, statuses, strict=True) if status == "new"]
        changed = [
            entry for entry, status in zip(pending, statuses, strict=True) if status == "changed"
        ]
        self.report.counts["dossier"]["unchanged"] += statuses.count("unchanged")
        rows = dossiers_import_rows(items=[item for _, item in fresh]) if fresh else None
        if rows is not None and self.writer is not None:
            self.drain()
            with contextlib.suppress(TypeError):  # a value the pipe cannot carry: written here
                self.writer.submit(rows, entries=fresh)
                fresh = []
        if fresh:
            try:
                with transaction.atomic():
                    dossiers_import_rows_write(rows=rows)
            except DatabaseError:
                changed = sorted(fresh + changed, key=lambda entry: entry[0])
            else:
                self.report.counts["dossier"]["created"] += len(fresh)
        if changed:
            self.drain()
            self._upsert_each(changed)

    def drain(self) -> None:
        """Wait for the writer's batch and settle it: count it, or write it record by record."""
        if self.writer is None or (answer := self.writer.wait()) is None:
            return
        if answer.error is None:
            self.report.counts["dossier"]["created"] += answer.written
        else:
            self._upsert_each(answer.entries)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _upsert_each(self, entries: list[tuple[int, tuple]]) -> None:
        for number, (fields, record, at) in entries:
            try:
                with transaction.atomic():
                    _, outcome = dossier_import_upsert(fields=fields, record=record, at=at)
            except DomainError as error:
                self.reject(number, error.message)
            except DatabaseError as error:
                self.reject(number, f"Lỗi ghi cơ sở dữ liệu: {error}".strip())
            else:
                self.report.counts["dossier"][outcome] += 1

    def reject(self, number: int, reason: str) -> bool:
        self.report.rejected += 1
        if len(self.report.errors) < MAX_KEPT_ERRORS:
            self.report.errors.append((number, reason))
        if self.on_error is not None:
            self.on_error(number, reason)
        return False

    # --- kinds ---

    def unit(self, obj: dict) -> str:
        v = p.unit_values(obj)
        parent = None
        if v["parent"]:
            parent = self.catalog.unit_by_code(v["parent"])
            if parent is None:
                p.fail(
                    f"Không tìm thấy đơn vị cấp trên {v['parent']!r}: đơn vị cấp trên phải có sẵn "
                    "trong cơ sở dữ liệu hoặc ở một dòng phía trước.",
                    code="parent_unknown",
                )
        existing = self.catalog.unit_by_code(v["code"])
        # Derived here, cut to its column: unit_upsert's own derivation can overflow it.
        short_name = v["short_name"] or unit_derive_short_name(name=v["name"])[:128].strip()
        wanted = (
            v["name"],
            v["level"],
            parent.pk if parent else None,
            short_name,
            v["agency_id"],
            v["valid_from"],
            v["valid_to"],
        )
        if existing is not None and wanted == (
            existing.name,
            existing.level,
            existing.parent_id,
            existing.short_name,
            existing.agency_id,
            existing.valid_from,
            existing.valid_to,
        ):
            return "unchanged"
        old_path = existing.path if existing else None
        unit, created = unit_upsert(
            code=v["code"],
            name=v["name"],
            level=v["level"],
            parent=parent,
            short_name=short_name,
            agency_id=v["agency_id"],
            valid_from=v["valid_from"],
            valid_to=v["valid_to"],
        )
        self.catalog.unit_saved(unit, moved=old_path is not None and old_path != unit.path)
        return "created" if created else "updated"

    def procedure(self, obj: dict) -> str:
        v = p.procedure_values(obj)
        existing = self.catalog.procedure(v["code"])
        if existing is not None and existing.code != v["code"]:
            existing = None  # found by national code: a different (local) procedure
        level = v["level"] or (existing.level if existing else "commune")
        if existing is not None and self._procedure_unchanged(existing, v, level):
            return "unchanged"
        procedure, created = procedure_upsert(
            code=v["code"],
            name=v["name"],
            field_name=v["field_name"],
            level=level,
            time_limit_value=v["time_limit_value"],
            time_limit_unit=v["time_limit_unit"],
            online_level=v["online_level"],
            result_kind=v["result_kind"],
            national_code=v["national_code"],
            fees=v["fees"],
            components=v["components"],
        )
        self.catalog.procedure_saved(procedure)
        return "created" if created else "updated"

    @staticmethod
    def _procedure_unchanged(existing: Procedure, v: dict, level: str) -> bool:
        # procedure_upsert always rewrites fees and components (new rows): skip it when nothing
        # differs, so re-importing a file leaves the catalogue (and documents' links) alone.
        national = v["national_code"] or existing.national_code
        if (
            existing.name,
            existing.field.name,
            existing.level,
            existing.time_limit_value,
            existing.time_limit_unit,
            existing.online_level,
            existing.result_kind,
            existing.national_code,
        ) != (
            v["name"],
            v["field_name"],
            level,
            v["time_limit_value"],
            v["time_limit_unit"],
            v["online_level"],
            v["result_kind"],
            national,
        ):
            return False
        if v["fees"] is not None:
            have = sorted((f.code, f.name, f.amount) for f in existing.fees.all())
            if have != sorted((f["code"], f["name"], f["amount"]) for f in v["fees"]):
                return False
        if v["components"] is not None:
            have = [(c.code, c.name) for c in existing.components.order_by("position", "pk")]
            wanted = [
                (c["code"] or f"TP{i}", c["name"]) for i, c in enumerate(v["components"], start=1)
            ]
            if have != wanted:
                return False
        return True

    def target(self, obj: dict) -> str:
        v = p.target_values(obj)
        unit = self.catalog.unit_by_code(v["unit"])
        if unit is None:
            p.fail(f"Không tìm thấy đơn vị giao chỉ tiêu {v['unit']!r}.", code="unit_unknown")
        key = {
            "metric": v["metric"],
            "unit": unit,
            "level": v["level"],
            "valid_from": v["valid_from"],
            "valid_to": v["valid_to"],
        }
        with transaction.atomic():
            target = Target.objects.filter(**key).first()
            if target is None:
                Target.objects.create(percent=v["percent"], **key)
                return "created"
            if target.percent == v["percent"]:
                return "unchanged"
            target.percent = v["percent"]
            target.save(update_fields=["percent"])
            return "updated"

    def dossier(self, obj: dict) -> str:
        code, unit_ref, procedure_ref = p.dossier_refs(obj)
        # The processing agency as it was on the dossier's day: a 2023 file names old Cộng Lạc
        # (11140 to 30/6/2025), not today's Lạc Phượng that reuses the code.
        unit = self.catalog.unit(unit_ref, on=p.dossier_day(obj))
        if unit is None:
            p.fail(
                f"Không tìm thấy đơn vị xử lý {unit_ref!r} (theo mã đơn vị hoặc mã định danh).",
                code="unit_unknown",
            )
        procedure = self.catalog.procedure(procedure_ref)
        if procedure is None:
            p.fail(f"Không tìm thấy thủ tục {procedure_ref!r}.", code="procedure_unknown")
        fields, record, at = p.dossier_fields(
            obj,
            code=code,
            unit=unit,
            procedure=procedure,
            calendar=lambda: self.catalog.calendar(unit),
        )
        code = fields["code"]
        if code in self.pending_codes:
            # The same dossier twice in one batch: the first must be written first.
            self.flush()
            self.drain()
        import_fields_validate(fields=fields)  # a bad record is reported at its own line
        self.pending.append((self.number, (fields, record, at)))
        self.pending_codes.add(code)
        return PENDING


def _writer_possible() -> bool:
    """A writer process needs its own connection to see what this one committed and to commit what
    this one will read: not inside a caller's transaction, not on an in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def interchange_import(
    *,
    stream: Iterable[str],
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[int, str], None] | None = None,
    background: bool = True,
) -> ImportReport:
    """Import JSON Lines. Without `strict`, bad lines are reported and skipped and the rest is
    committed in batches of `batch_size` lines; with `strict`, the first bad line stops the import
    and nothing is written (one transaction, rolled back). With `background` (and a file of more
    than one batch, outside any transaction), new dossiers are written by a second process while
    this one maps the next batch (interchange/writer.py); the outcome is the same."""
    report = ImportReport()
    importer = _Importer(
        report, on_error, strict=strict, background=background and not strict and _writer_possible()
    )
    lines = enumerate(stream, start=1)
    with collections_deferred():
        return _import_lines(importer, lines, strict=strict, batch_size=batch_size)


def _import_lines(importer: _Importer, lines, *, strict: bool, batch_size: int) -> ImportReport:
    report = importer.report
    try:
        if strict:
            try:
                with transaction.atomic():
                    while batch := list(islice(lines, batch_size)):
                        importer.batch(batch)
            except _Abort:
                report.aborted = True
                report.counts = {k: Counter() for k in KINDS}
            return report
        while batch := list(islice(lines, batch_size)):
            importer.batch(batch, full=len(batch) == batch_size)
        importer.drain()
    finally:
        importer.close()
    return report


@dataclass
class ExportReport:
    units: int = 0
    procedures: int = 0
    targets: int = 0
    dossiers: int = 0

    def summary(self) -> str:
        return (
            f"Đã xuất {self.units} đơn vị, {self.procedures} thủ tục, {self.targets} chỉ tiêu, "
            f"{self.dossiers} hồ sơ."
        )


def _write(out: TextIO, obj: dict) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def interchange_export(
    *, unit: Unit, start: date, end: date, out: TextIO, chunk_size: int = 500
) -> ExportReport:
    """Write the subtree's units (ancestors first), the procedures its dossiers use, the targets of
    the period, then the dossiers the period's figures read (see selectors.export_dossiers)."""
    if end < start:
        raise ValidationFailed("Ngày kết thúc sớm hơn ngày bắt đầu.", code="period_invalid")
    report = ExportReport()
    for row in selectors.export_units(unit=unit).iterator(chunk_size=chunk_size):
        _write(out, p.unit_line(row))
        report.units += 1
    dossiers = selectors.export_dossiers(unit=unit, start=start, end=end)
    procedures = {}
    for procedure in selectors.export_procedures(dossiers=dossiers):
        fees = list(procedure.fees.all())
        components = sorted(procedure.components.all(), key=lambda c: (c.position, c.pk))
        _write(out, p.procedure_line(procedure, fees=fees, components=components))
        report.procedures += 1
        procedures[procedure.pk] = selectors.procedure_description(procedure)
    for row in selectors.export_targets(unit=unit, start=start, end=end):
        _write(out, p.target_line(row))
        report.targets += 1
    for chunk in selectors.export_dossier_chunks(dossiers=dossiers, chunk_size=chunk_size):
        for row, events in chunk:
            line = p.dossier_payload(
                row,
                procedure=procedures[row["procedure_id"]],
                events=events,
                action_names=action_phrases(),
            )
            _write(out, line)
            report.dossiers += 1
    return report
