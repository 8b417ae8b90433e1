"""The writer process (interchange/writer.py): an import that hands its new dossiers to a second
process leaves the database exactly as one that writes them itself — rows, event log, counters —
and reports the same; what the writer cannot write is written record by record."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.indicators.counters import counters_rebuild, counters_snapshot
from motcua.interchange import payload as p
from motcua.interchange import services as interchange
from motcua.interchange.rows import dossiers_import_rows
from motcua.interchange.writer import ImportWriter, WriterCrashed
from motcua.units.models import Unit
from tests.conftest import is_postgres
from tests.interchange.generate import lines

ROOT = Path(__file__).resolve().parents[2]
BATCH = 40


def _source() -> list[str]:
    """Dossier batches with what makes the writer wait or step aside: a bad line, the same dossier
    again (changed) three batches later, a catalogue line, a line that is not JSON."""
    source = list(lines(240, seed=11))
    again = json.loads(source[60])
    assert again["kind"] == "dossier"
    again["ChuHoSo"] += " (sửa)"
    renamed = {"kind": "unit", "code": "11077", "name": "UBND xã Mới", "level": "commune"}
    renamed["parent"] = "298"
    source.insert(110, '{"kind": "dossier", "MaHoSo": "THIEU-TRUONG"}\n')
    source.insert(190, json.dumps(again, ensure_ascii=False) + "\n")
    source.insert(230, json.dumps(renamed, ensure_ascii=False) + "\n")
    source.insert(250, "{không phải JSON\n")
    return source


def _run(tmp_path: Path, mode: str) -> dict:
    path = tmp_path / "source.jsonl"
    if not path.exists():
        path.write_text("".join(_source()), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / (mode + '.sqlite3')}",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.interchange.writer_run", str(path), str(BATCH), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_import_through_the_writer_equals_writing_in_process(tmp_path):
    background = _run(tmp_path, "background")
    serial = _run(tmp_path, "serial")
    assert background["writers"] == 1 and serial["writers"] == 0
    assert background["counts"]["dossier"] == {"created": 240, "updated": 1, "unchanged": 0}
    assert background["counts"]["unit"]["updated"] == 1
    assert [number for number, _ in background["errors"]] == [111, 251]
    for key in ("counts", "errors", "rows", "events", "counters"):
        assert background[key] == serial[key], key
    assert len(background["rows"]) == 240 and background["counters"]


# On PostgreSQL the test database is a real one that a forked writer can connect to.


@pytest.fixture
def postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writer_on_postgresql_agrees_with_replay_and_rebuild(postgres_only, monkeypatch):
    started = []
    original = ImportWriter.__init__

    def counted(self) -> None:
        started.append(1)
        original(self)

    monkeypatch.setattr(ImportWriter, "__init__", counted)
    report = interchange.interchange_import(stream=_source(), batch_size=BATCH)
    assert started == [1]
    assert report.counts["dossier"] == Counter(created=240, updated=1)
    assert [number for number, _ in report.errors] == [111, 251]
    assert Dossier.objects.count() == 240 and DossierEvent.objects.count() == 241
    live = counters_snapshot()
    counters_rebuild()
    assert counters_snapshot() == live


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writer_rolls_back_a_batch_it_cannot_write(postgres_only):
    source = list(lines(30, seed=12))
    interchange.interchange_import(stream=source, background=False)
    unit = Unit.objects.get(code="11074")
    dossier = Dossier.objects.filter(unit=unit).first()
    # Rows for a dossier the database already holds: the unique code refuses the whole batch.
    obj = next(json.loads(t) for t in source if dossier.code in t)
    fields, record, at = p.dossier_fields(
        obj, code=dossier.code, unit=unit, procedure=dossier.procedure, calendar=lambda: None
    )
    before = (Dossier.objects.count(), DossierEvent.objects.count(), counters_snapshot())
    writer = ImportWriter()
    try:
        writer.submit(dossiers_import_rows(items=[(fields, record, at)]), entries="the batch")
        answer = writer.wait()
    finally:
        writer.close()
    assert answer.entries == "the batch" and answer.written == 0
    assert "code" in answer.error or "duplicate" in answer.error
    assert (Dossier.objects.count(), DossierEvent.objects.count(), counters_snapshot()) == before
    assert writer.wait() is None


def test_no_writer_inside_a_transaction(db, monkeypatch):
    """A caller's transaction must see (and may roll back) everything the import writes."""
    monkeypatch.setattr(interchange, "ImportWriter", None)  # would fail if it were started
    report = interchange.interchange_import(stream=list(lines(100, seed=13)), batch_size=20)
    assert report.counts["dossier"]["created"] == 100
    assert connection.in_atomic_block


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_that_dies_stops_the_import_with_a_reason(postgres_only):
    source = list(lines(10, seed=14))
    interchange.interchange_import(stream=source, background=False)
    writer = ImportWriter()
    writer._process.kill()
    writer._process.join()
    with pytest.raises(WriterCrashed):
        writer.submit(dossiers_import_rows(items=[]), entries=None)
        writer.wait()
    writer.close()
