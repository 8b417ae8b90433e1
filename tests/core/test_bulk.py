"""Row tuples written by `core.bulk` read back through the ORM exactly as saved models do."""

import gc
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from motcua.core.bulk import (
    collections_deferred,
    copy_line,
    copy_line_plain,
    ids_reserve,
    rows_insert,
)
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import PROJECTED_FIELDS
from tests.conftest import local

pytestmark = pytest.mark.django_db


def _dossier_values(tree, birth_registration, code: str) -> dict:
    return {
        "code": code,
        "procedure_id": birth_registration.pk,
        "unit_id": tree.tien_dong.pk,
        "received_by_id": None,
        "current_unit_id": tree.tien_dong.pk,
        "current_role": "",
        "current_assignee_id": None,
        "channel": 2,
        "state": 9,
        "outcome": "granted",
        "applicant_name": "Nguyễn Văn Ánh",
        "applicant_id_number": "036214578854",
        "applicant_phone": "",
        "applicant_email": "",
        "applicant_address": "Thôn 1\tXóm 2\nTầng \\3\r",  # COPY's special characters
        "summary": "",
        "submitted_at": local(2023, 1, 4, 20, 15, 30, 123456),
        "received_at": local(2023, 1, 5, 8),
        "due_at": local(2023, 1, 5, 17),
        "first_due_at": local(2023, 1, 5, 17),
        "ended_at": local(2023, 1, 5, 15),
        "returned_at": None,
        "rejected_at": None,
        "budget_seconds": 28800,
        "remaining_seconds": -3600,
        "clock_started_at": None,
        "clock_paused_at": None,
        "supplement_count": 0,
        "apology_count": 0,
        "fee_amount": 8000,
        "fee_paid_amount": 0,
        "obligation_amount": 0,
        "paid_online": True,
        "paid_at": None,
        "result_summary": "Giấy khai sinh",
        "result_electronic": False,
        "has_result_file": True,
        "components_digitized": False,
        "data_reused": True,
        "synced_to_portal": True,
        "applicant_kind": 2,
        "applicant_code": "0801234567",
        "filing_place": "Trung tâm Phục vụ hành chính công xã Tứ Kỳ",
        "vneid_verified": True,
        "databases_consulted": "CSDLQGDC",
        "result_store_synced_at": local(2023, 1, 6, 10, 30),
        "result_delivery": "post",
        "result_tracking_number": "EB123456789VN",
        "last_event_seq": 1,
    }


def test_rows_read_back_as_written(tree, birth_registration):
    values = _dossier_values(tree, birth_registration, "B-1")
    payload = {"set": {"state": 9}, "record": {"TaiLieuNop": [{"TenTepDinhKem": "Tờ khai"}]}}
    [dossier_id] = ids_reserve(model=Dossier, count=1)
    columns = ("id", *PROJECTED_FIELDS)
    assert (
        rows_insert(
            model=Dossier,
            columns=columns,
            rows=[(dossier_id, *(values[c] for c in PROJECTED_FIELDS))],
        )
        == 1
    )
    at = local(2023, 1, 6, 9)
    rows_insert(
        model=DossierEvent,
        columns=(
            "dossier_id",
            "seq",
            "kind",
            "at",
            "recorded_at",
            "actor_name",
            "to_state",
            "payload",
            "hash",  # every column without a database default (the chain's own test seals it)
        ),
        rows=[(dossier_id, 1, "imported", at, at, "Người nộp hồ sơ", 9, payload, "0" * 64)],
    )
    stored = Dossier.objects.values(*PROJECTED_FIELDS).get(pk=dossier_id)
    assert stored == values
    event = DossierEvent.objects.get(dossier_id=dossier_id)
    assert (event.seq, event.kind, event.at, event.from_state, event.actor_id) == (
        1,
        "imported",
        at,
        None,
        None,
    )
    assert event.payload == payload


def test_reserved_ids_are_not_reused(tree, birth_registration):
    first = ids_reserve(model=Dossier, count=3)
    assert len(set(first)) == 3
    values = _dossier_values(tree, birth_registration, "B-2")
    rows_insert(
        model=Dossier,
        columns=("id", *PROJECTED_FIELDS),
        rows=[(first[0], *(values[c] for c in PROJECTED_FIELDS))],
    )
    # The next ids (reserved or drawn by an ordinary insert) come after the ones handed out.
    later = ids_reserve(model=Dossier, count=2)
    assert min(later) > first[0]
    created = Dossier.objects.create(**{**values, "code": "B-3"})
    assert created.pk > first[0]


def test_a_failing_insert_writes_nothing(tree, birth_registration):
    values = _dossier_values(tree, birth_registration, "B-4")
    ids = ids_reserve(model=Dossier, count=2)
    rows = [(pk, *(values[c] for c in PROJECTED_FIELDS)) for pk in ids]  # the same code twice
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(model=Dossier, columns=("id", *PROJECTED_FIELDS), rows=rows)
    assert not Dossier.objects.exists()


def test_collections_deferred_raises_the_threshold_and_restores_it():
    before = gc.get_threshold()
    with collections_deferred(threshold=50_000):
        assert gc.get_threshold() == (50_000, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError), collections_deferred():
        1 / 0  # noqa: B018
    assert gc.get_threshold() == before


def test_copy_line_writes_postgresql_copy_text():
    line = copy_line(
        (None, True, False, 42, "a\tb\nc\\d\re", local(2023, 1, 5, 8), date(2023, 1, 5))
    )
    assert line == "\\N\tt\tf\t42\ta\\tb\\nc\\\\d\\re\t2023-01-05T08:00:00+07:00\t2023-01-05\n"
    assert copy_line_plain((3, date(2023, 1, 5), "full", -2)) == "3\t2023-01-05\tfull\t-2\n"
