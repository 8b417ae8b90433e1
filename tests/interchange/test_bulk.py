"""New dossiers in an import are written together: they must be exactly what one-by-one upserts
would have written — rows, event log, counters."""

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from motcua.catalog.models import Procedure
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.indicators.counters import counters_rebuild, counters_snapshot
from motcua.interchange import services as interchange
from motcua.units.models import Unit
from tests.interchange.generate import lines

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    """Rows, events and counters with database ids replaced by codes: ids differ between two
    rolled-back runs on PostgreSQL, whose sequences do not roll back."""
    units = dict(Unit.objects.values_list("pk", "code"))
    procedures = dict(Procedure.objects.values_list("pk", "code"))
    named = {"unit_id": units, "current_unit_id": units, "procedure_id": procedures}

    def by_code(row: dict) -> dict:
        return {k: named[k].get(v) if k in named else v for k, v in row.items() if k != "id"}

    rows = {d["code"]: by_code(d) for d in Dossier.objects.values()}
    events = {
        e["dossier__code"]: (
            e["seq"],
            e["kind"],
            e["from_state"],
            e["to_state"],
            _payload(e["payload"], units, procedures),
            e["actor_name"],
        )
        for e in DossierEvent.objects.values(
            "dossier__code", "seq", "kind", "from_state", "to_state", "payload", "actor_name"
        )
    }
    counters = {
        (units[unit], procedures[procedure], day): values
        for (unit, procedure, day), values in counters_snapshot().items()
    }
    return {"rows": rows, "events": events, "counters": counters}


def _payload(payload: dict, units: dict, procedures: dict) -> dict:
    values = dict(payload["set"])
    for key, table in (
        ("unit_id", units),
        ("current_unit_id", units),
        ("procedure_id", procedures),
    ):
        if key in values:
            values[key] = table[values[key]]
    return {**payload, "set": values}


def _import(monkeypatch, *, bulk: bool) -> dict:
    if not bulk:

        def refuse(**kwargs):
            raise DatabaseError("bulk path disabled for the comparison")

        monkeypatch.setattr(interchange, "dossiers_import_rows_write", refuse)
    with transaction.atomic():
        report = interchange.interchange_import(stream=list(lines(150, seed=3)), batch_size=40)
        assert report.rejected == 0 and report.counts["dossier"]["created"] == 150
        snapshot = _snapshot()
        transaction.set_rollback(True)
    monkeypatch.undo()
    return snapshot


def test_bulk_written_dossiers_equal_one_by_one_upserts(monkeypatch):
    bulk = _import(monkeypatch, bulk=True)
    one_by_one = _import(monkeypatch, bulk=False)
    assert bulk["rows"] == one_by_one["rows"]
    assert bulk["events"] == one_by_one["events"]
    assert bulk["counters"] == one_by_one["counters"]


def test_bulk_import_agrees_with_replay_and_rebuild():
    interchange.interchange_import(stream=list(lines(150, seed=4)), batch_size=40)
    live = counters_snapshot()
    counters_rebuild()
    assert counters_snapshot() == live
    out = io.StringIO()
    call_command("events", "rebuild", stdout=out)
    assert "0 hồ sơ sai khác" in out.getvalue()
    again = interchange.interchange_import(stream=list(lines(150, seed=4)), batch_size=40)
    assert again.counts["dossier"]["created"] == 0 and again.rejected == 0
    assert DossierEvent.objects.count() == 150  # nothing appended the second time
    # The bulk rows are sealed as the services seal events: the hash chains verify.
    report = audit_verify()
    assert report.intact and report.events == 150, report.breaks[:3]


def test_new_dossiers_are_written_in_bulk_without_falling_back(monkeypatch):
    """A batch whose insert fails falls back to one upsert a record with the same outcome, so only
    this catches rows that no longer fit the table (an event column added without adding it to
    interchange/rows.py made every batch fall back: 8 times the memory of test_memory.py)."""

    def refuse(self, entries):
        raise AssertionError(f"fell back to one upsert a record for {len(entries)} records")

    monkeypatch.setattr(interchange._Importer, "_upsert_each", refuse)
    report = interchange.interchange_import(stream=list(lines(60, seed=5)), batch_size=25)
    assert report.counts["dossier"]["created"] == 60


def _edited(source: list[str]) -> list[str]:
    """The same file with some dossiers changed (a field, or only the kept record), some new."""
    out = []
    for i, text in enumerate(source):
        obj = json.loads(text)
        if obj["kind"] == "dossier" and i % 7 == 0:
            obj["ChuHoSo"] += " (sửa)"
        elif obj["kind"] == "dossier" and i % 7 == 1:
            obj["QuaTrinhXuLy"].append({"NguoiXuLy": "Lãnh đạo", "NoiDungXuLy": "Ký"})
        elif obj["kind"] == "dossier" and i % 7 == 2:
            obj["MaHoSo"] = "N-" + obj["MaHoSo"]
        out.append(json.dumps(obj, ensure_ascii=False) + "\n")
    return out


def _reimport(monkeypatch, *, bulk: bool) -> tuple[dict, dict]:
    if not bulk:  # every dossier through dossier_import_upsert, as before the bulk path

        def one_by_one(*, items):
            return ["changed"] * len(items)

        monkeypatch.setattr(interchange, "dossiers_import_classify", one_by_one)
    with transaction.atomic():
        source = list(lines(120, seed=5))
        interchange.interchange_import(stream=source, batch_size=40)
        report = interchange.interchange_import(stream=_edited(source), batch_size=40)
        assert report.rejected == 0, report.errors
        outcome = dict(report.counts["dossier"])
        snapshot = _snapshot()
        snapshot["events"] = sorted(
            DossierEvent.objects.values_list("dossier__code", "seq", "kind", "to_state")
        )
        transaction.set_rollback(True)
    monkeypatch.undo()
    return outcome, snapshot


def test_reimport_sorts_new_unchanged_and_changed_as_one_by_one_upserts(monkeypatch):
    outcome, snapshot = _reimport(monkeypatch, bulk=True)
    assert outcome == _reimport(monkeypatch, bulk=False)[0]
    assert outcome["created"] and outcome["updated"] and outcome["unchanged"]
    expected = _reimport(monkeypatch, bulk=False)[1]
    assert snapshot["rows"] == expected["rows"]
    assert snapshot["events"] == expected["events"]
    assert snapshot["counters"] == expected["counters"]


def test_a_code_taken_meanwhile_falls_back_to_one_by_one(monkeypatch):
    """The bulk insert fails as a whole (unique code) and each record is upserted on its own."""
    source = list(lines(60, seed=6))
    interchange.interchange_import(stream=source)
    events = DossierEvent.objects.count()

    def all_new(*, items):  # as if another writer had inserted them after the check
        return ["new"] * len(items)

    monkeypatch.setattr(interchange, "dossiers_import_classify", all_new)
    report = interchange.interchange_import(stream=source, batch_size=25)
    assert report.rejected == 0, report.errors
    assert report.counts["dossier"] == Counter(unchanged=60)
    assert DossierEvent.objects.count() == events


def test_strict_rolls_back_earlier_batches():
    source = list(lines(30, seed=7))
    source.append('{"kind": "dossier", "MaHoSo": "X"}\n')
    report = interchange.interchange_import(stream=source, strict=True, batch_size=10)
    assert report.aborted and report.errors[0][0] == len(source)
    assert not Dossier.objects.exists() and not Unit.objects.exists()
