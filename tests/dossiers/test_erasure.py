"""Erasure inside the event log: a data subject's recorded erasure removes their values from every
scheme-2 event while `audit verify` still passes; any other change to a stored event — a value, a
digest, a salt, the order, a deletion, an erasure without a record — is still found; `events
rebuild --fix` brings nothing back; replayed figures are unchanged."""

import copy
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.dossiers import services
from motcua.dossiers.audit import _EVENT_VALUES, audit_verify, dossier_chain_break
from motcua.dossiers.chain import (
    ERASED,
    ERASURE_KIND,
    GENESIS,
    event_hash,
    event_hash_of,
    personal_erased,
)
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import PROJECTED_FIELDS, state_fold
from motcua.dossiers.services import Applicant
from motcua.indicators.contributions import contribution
from motcua.portal.services import portal_dossier_submit
from motcua.privacy.models import RequestKind, RequestStatus
from motcua.privacy.services import data_subject_request_answer, data_subject_request_receive
from tests.conftest import is_postgres
from tests.core.test_dbrole import probe  # noqa: F401 (a fixture)
from tests.dossiers.test_audit import EVENTS, behind_the_application, verify_fails
from tests.dossiers.test_lifecycle import receive
from tests.e2e.helpers import tiny_pdf

pytestmark = pytest.mark.django_db

NAME, ID, PHONE, EMAIL = "Trần Thị Bình", "030090001234", "0987654321", "binh.tran@example.vn"
ADDRESS = "Số 5 ngõ Hoa Sữa, Tiền Đồng"
PERSONAL = (NAME, ID, PHONE, EMAIL, ADDRESS)


@pytest.fixture(autouse=True)
def _audit_key(settings):
    settings.MOTCUA_AUDIT_KEY = "khoa-kiem-toan-thu-nghiem"


@pytest.fixture
def online(tree, birth_registration):
    """An online submission, withdrawn before acceptance: its data may be erased on request."""
    files = {
        c: ContentFile(tiny_pdf("Can cuoc"), name=f"{c.code}.pdf")
        for c in birth_registration.components.all()
    }
    dossier = portal_dossier_submit(
        procedure=birth_registration,
        unit=tree.tien_dong,
        applicant=Applicant(name=NAME, id_number=ID, phone=PHONE, email=EMAIL, address=ADDRESS),
        summary=f"Khai sinh cho con của {NAME}",
        files=files,
    )
    services.dossier_withdraw(
        actor=None, dossier=dossier, reason=f"{NAME} không nộp nữa, gọi {PHONE}"
    )
    return Dossier.objects.get(pk=dossier.pk)


def erase_on_request(staff, dossier) -> None:
    request = data_subject_request_receive(
        actor=staff.desk,
        unit=dossier.unit,
        kind=RequestKind.DELETE,
        subject_name=NAME,
        contact=PHONE,
        content="Xin xóa dữ liệu của tôi",
        dossier=dossier,
    )
    answered = data_subject_request_answer(actor=staff.desk, request=request)
    assert answered.status == RequestStatus.ANSWERED, answered.answer


def stored_text(dossier) -> str:
    """Every stored event of the dossier as the database holds it (text of the JSON columns, the
    escapes SQLite's JSON text keeps undone)."""
    column = "payload::text || personal::text" if is_postgres() else "payload || personal"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {EVENTS} WHERE dossier_id = %s", [dossier.pk])
        raw = "\n".join(row[0] for row in cursor.fetchall())
    if is_postgres():
        return raw
    return raw.encode("ascii", "backslashreplace").decode("unicode_escape")  # \\uXXXX escapes


def rows_of(dossier) -> list[dict]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq").values(*_EVENT_VALUES))


# --- end to end ---------------------------------------------------------------------------------


def test_new_events_seal_personal_values_by_salted_digests(online):
    first = DossierEvent.objects.get(dossier=online, seq=1)
    assert first.scheme == 2
    paths = [tuple(e["path"]) for e in first.personal]
    assert ("set", "applicant_name") in paths and ("set", "applicant_id_number") in paths
    assert ("set", "applicant_email") in paths and ("set", "summary") in paths
    assert all(e["salt"] and len(e["digest"]) == 64 for e in first.personal)
    # Same value, another event or dossier: another salt, so digests do not link people.
    assert len({e["salt"] for e in first.personal}) == len(first.personal)
    withdrawn = DossierEvent.objects.get(dossier=online, seq=2)
    assert [e["path"] for e in withdrawn.personal] == [["reason"]]
    call_command("audit", "verify", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_an_answered_deletion_request_erases_the_values_from_the_log(
    client, staff, online, django_capture_on_commit_callbacks
):
    assert all(value in stored_text(online) for value in PERSONAL)
    call_command("audit", "checkpoint")
    before = state_fold(list(online.events.order_by("seq")))
    request = data_subject_request_receive(
        actor=staff.desk,
        unit=online.unit,
        kind=RequestKind.DELETE,
        subject_name=NAME,
        contact=PHONE,
        content="Xin xóa dữ liệu của tôi",
        dossier=online,
    )
    client.force_login(staff.desk)  # answered on the officer page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/du-lieu-ca-nhan/{request.pk}/", {"answer": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED

    text = stored_text(online)
    assert not any(value in text for value in PERSONAL), "a personal value survived in the log"
    record = DossierEvent.objects.filter(dossier=online).order_by("-seq").first()
    assert record.kind == ERASURE_KIND and record.actor == staff.desk
    assert record.payload["request"] == request.pk
    assert record.payload["erased_events"] == [1, 2] and record.payload["kept_events"] == []
    first = DossierEvent.objects.get(dossier=online, seq=1)
    assert first.payload["set"]["applicant_name"] == ERASED
    assert all(entry["salt"] is None for entry in first.personal)
    # The chain and the signed checkpoint still verify: hashes did not change.
    report = audit_verify()
    assert report.intact, (report.breaks, report.checkpoint_breaks)
    call_command("audit", "checkpoint")
    assert audit_verify().intact

    # The replayed figures are those of before; only the personal fields differ.
    after = state_fold(list(online.events.order_by("seq")))
    assert contribution(after.fields) == contribution(before.fields)
    personal_columns = {
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "applicant_code",
        "summary",
        "last_event_seq",
        "state",
    }
    for name in set(PROJECTED_FIELDS) - personal_columns:
        assert after.fields[name] == before.fields[name], name
    assert after.fields["applicant_name"] == ERASED and after.fields["applicant_phone"] == ""


def test_rebuild_fix_after_erasure_does_not_bring_values_back(staff, online):
    erase_on_request(staff, online)
    # The row altered behind the application's back (a restored backup, a hand-typed UPDATE).
    Dossier.objects.filter(pk=online.pk).update(applicant_name=NAME, applicant_phone=PHONE)
    call_command("events", "rebuild", "--fix", stdout=open("/dev/null", "w"))  # noqa: SIM115
    online.refresh_from_db()
    assert (online.applicant_name, online.applicant_phone, online.applicant_email) == (
        ERASED,
        "",
        "",
    )
    folded = state_fold(list(online.events.order_by("seq")))
    assert not any(value in json.dumps(folded.fields, default=str) for value in PERSONAL)


def test_a_value_changed_after_erasure_without_a_record_is_found(staff, online, tree):
    erase_on_request(staff, online)
    other = receive(staff, tree, online.procedure)  # a live dossier, values sealed
    event = DossierEvent.objects.get(dossier=other, seq=1)
    payload = copy.deepcopy(event.payload)
    payload["set"]["applicant_name"] = "Người khác"
    with behind_the_application() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET payload = %s WHERE id = %s", [json.dumps(payload), event.pk]
        )
    message = verify_fails()
    assert f"{other.code} sự kiện #1" in message and "không khớp mã niêm phong" in message


def test_an_erasure_without_a_record_is_found(staff, tree, birth_registration):
    live = receive(staff, tree, birth_registration)
    event = DossierEvent.objects.get(dossier=live, seq=1)
    payload, personal = personal_erased(payload=event.payload, personal=event.personal)
    with behind_the_application() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET payload = %s, personal = %s WHERE id = %s",
            [json.dumps(payload), json.dumps(personal), event.pk],
        )
    assert "không có bản ghi xóa" in verify_fails()


def test_events_sealed_before_erasure_existed_are_kept_and_said_so(staff, online):
    """A scheme-1 event's hash seals its values: erasing them would break the chain, and
    re-hashing would rewrite it silently; the erasure record lists it as kept."""
    first = DossierEvent.objects.get(dossier=online, seq=1)
    first.scheme, first.personal = 1, []
    sealed = event_hash_of(first, code=online.code, previous=GENESIS)
    second = DossierEvent.objects.get(dossier=online, seq=2)
    second_hash = event_hash_of(second, code=online.code, previous=sealed)
    with behind_the_application() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET scheme = 1, personal = %s, hash = %s WHERE id = %s",
            ["[]", sealed, first.pk],
        )
        cursor.execute(f"UPDATE {EVENTS} SET hash = %s WHERE id = %s", [second_hash, second.pk])
    assert audit_verify().intact
    erase_on_request(staff, online)
    record = DossierEvent.objects.filter(dossier=online).order_by("-seq").first()
    assert record.payload["erased_events"] == [2] and record.payload["kept_events"] == [1]
    assert NAME in json.dumps(DossierEvent.objects.get(pk=first.pk).payload, ensure_ascii=False)
    assert audit_verify().intact


# --- the property ------------------------------------------------------------------------------


def _chain_events(rows: list[dict], code: str) -> list[dict]:
    """`rows` with their hashes recomputed in order (what an honest writer would have stored)."""
    previous = GENESIS
    for row in rows:
        row["hash"] = event_hash(
            previous=previous,
            code=code,
            **{
                k: row[k]
                for k in (
                    "seq",
                    "kind",
                    "at",
                    "recorded_at",
                    "actor_id",
                    "actor_name",
                    "actor_unit_id",
                    "from_state",
                    "to_state",
                    "payload",
                    "scheme",
                    "personal",
                )
            },
        )
        previous = row["hash"]
    return rows


def _alter(rows: list[dict], how: str, index: int, text: str) -> list[dict] | None:
    """One alteration of the stored rows, or None when it does not apply to this event."""
    rows = copy.deepcopy(rows)
    row = rows[index % len(rows)]
    sealed = [e for e in row["personal"] if e.get("salt")]
    erased = [e for e in row["personal"] if not e.get("salt")]
    if how == "value" and sealed:
        entry = sealed[len(text) % len(sealed)]
        target = row["payload"]
        for step in entry["path"][:-1]:
            target = target[step]
        if target[entry["path"][-1]] == text:
            return None
        target[entry["path"][-1]] = text
    elif how == "erase_unrecorded" and sealed:
        sealed[0]["salt"] = None
        row["payload"], _ = personal_erased(payload=row["payload"], personal=[sealed[0]])
        # Even erased wholly and honestly, without a record naming it the event is a break.
        if any(r["kind"] == ERASURE_KIND for r in rows):
            return None
    elif how == "digest" and row["personal"]:
        entry = row["personal"][0]
        entry["digest"] = ("0" if entry["digest"][0] != "0" else "1") + entry["digest"][1:]
    elif how == "salt" and sealed:
        sealed[0]["salt"] = sealed[0]["salt"][::-1] + "0"
    elif how == "drop_entry" and row["personal"]:
        row["personal"].pop(0)
    elif how == "restore_erased" and erased:
        erased[0]["salt"] = "00" * 16  # a value put back with a made-up salt
        target = row["payload"]
        for step in erased[0]["path"][:-1]:
            target = target[step]
        target[erased[0]["path"][-1]] = text
    elif how == "unrecord" and row["kind"] == ERASURE_KIND and row["payload"]["erased_events"]:
        row["payload"]["erased_events"] = row["payload"]["erased_events"][1:]
    elif how == "other_field":
        row["actor_name"] = row["actor_name"] + text
    elif how == "order" and len(rows) > 1:
        j = (index + 1) % len(rows)
        rows[index % len(rows)], rows[j] = rows[j], rows[index % len(rows)]
        rows[index % len(rows)]["seq"], rows[j]["seq"] = (
            rows[j]["seq"],
            rows[index % len(rows)]["seq"],
        )
    elif how == "delete":
        rows.pop(index % len(rows))
    else:
        return None
    return rows


ALTERATIONS = (
    "value",
    "erase_unrecorded",
    "digest",
    "salt",
    "drop_entry",
    "restore_erased",
    "unrecord",
    "other_field",
    "order",
    "delete",
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(("erased", "live")),
    how=st.sampled_from(ALTERATIONS),
    index=st.integers(min_value=0, max_value=20),
    text=st.text(min_size=1, max_size=12),
)
def test_any_alteration_is_found_and_a_recorded_erasure_is_not(
    erased_and_live, which, how, index, text
):
    chains = erased_and_live
    code, last_seq, rows = chains[which]
    assert dossier_chain_break(code=code, last_event_seq=last_seq, events=rows) is None
    altered = _alter(rows, how, index, text)
    event(f"{which} {how}: {'applies' if altered is not None else 'does not apply'}")
    if altered is None:
        return
    found = dossier_chain_break(code=code, last_event_seq=last_seq, events=altered)
    assert found is not None, (which, how)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.sets(st.integers(min_value=0, max_value=10)))
def test_a_recorded_erasure_of_any_events_verifies(erased_and_live, chosen):
    code, last_seq, rows = erased_and_live["live"]
    rows = copy.deepcopy(rows)
    seqs = sorted({rows[i % len(rows)]["seq"] for i in chosen if rows[i % len(rows)]["personal"]})
    last = rows[-1]
    rows.append(
        {
            **last,
            "id": last["id"] + 1,
            "seq": last["seq"] + 1,
            "kind": ERASURE_KIND,
            "payload": {"set": {"applicant_name": ERASED}, "erased_events": seqs},
            "personal": [],
        }
    )
    rows = _chain_events(rows, code)
    for row in rows:
        if row["seq"] in seqs:
            row["payload"], row["personal"] = personal_erased(
                payload=row["payload"], personal=row["personal"]
            )
    assert dossier_chain_break(code=code, last_event_seq=last_seq + 1, events=rows) is None


@pytest.fixture
def erased_and_live(staff, online, tree, birth_registration):
    erase_on_request(staff, online)
    live = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=live)
    services.dossier_correct_applicant(
        actor=staff.desk,
        dossier=live,
        changes={"phone": "0911222333", "email": "moi@example.vn"},
        reason="Người nộp báo sai số điện thoại",
    )
    out = {}
    for key, dossier in (("erased", online), ("live", live)):
        dossier.refresh_from_db()
        out[key] = (dossier.code, dossier.last_event_seq, rows_of(dossier))
    return out


# --- PostgreSQL: the one narrow path -------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_refuses_any_update_but_a_recorded_erasure(staff, online):
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    first = DossierEvent.objects.get(dossier=online, seq=1)
    with transaction.atomic(), connection.cursor() as cursor:
        # No erasure record names it yet: the function refuses.
        with pytest.raises(Exception, match="không có bản ghi xóa"), transaction.atomic():
            cursor.execute("SELECT motcua_event_personal_erase(%s, %s)", [first.pk, first.pk])
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            cursor.execute(f"UPDATE {EVENTS} SET payload = '{{}}' WHERE id = %s", [first.pk])
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [first.pk])
    erase_on_request(staff, online)
    assert not any(value in stored_text(online) for value in PERSONAL)
    assert audit_verify().intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_application_role_erases_only_through_the_recorded_path(
    probe,  # noqa: F811 (the fixture imported above)
    staff,
    online,
    monkeypatch,
):
    """Connected as the application's role: no UPDATE of an event, even with the function's
    setting forged; the function refuses an event no record names, and erases one that is."""
    import psycopg

    from motcua.dossiers import erasure

    first = DossierEvent.objects.get(dossier=online, seq=1)
    with psycopg.connect(probe, autocommit=True) as app:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"), app.transaction():
            app.execute("SELECT set_config('motcua.erasing_event', %s, true)", [str(first.pk)])
            app.execute(f"UPDATE {EVENTS} SET payload = '{{}}' WHERE id = %s", [first.pk])
        with pytest.raises(psycopg.errors.RaiseException, match="không có bản ghi xóa"):
            app.execute("SELECT motcua_event_personal_erase(%s, %s)", [first.pk, first.pk])
    # The record written, the values left for the application's role to erase.
    monkeypatch.setattr(erasure, "events_personal_erase", lambda *, erasure: 0)
    services.dossier_erase_personal_data(actor=staff.desk, dossier=online, reason="Yêu cầu số 1")
    record = DossierEvent.objects.filter(dossier=online).order_by("-seq").first()
    assert NAME in stored_text(online)
    with psycopg.connect(probe, autocommit=True) as app:
        for seq in record.payload["erased_events"]:
            target = DossierEvent.objects.get(dossier=online, seq=seq)
            app.execute("SELECT motcua_event_personal_erase(%s, %s)", [target.pk, record.pk])
    assert not any(value in stored_text(online) for value in PERSONAL)
    assert audit_verify().intact


@pytest.mark.django_db(transaction=True)
def test_events_stored_before_the_migration_keep_scheme_1_and_verify(
    staff, tree, birth_registration
):
    """Migrating does not re-hash anything: the events 0009 sealed stay scheme 1 and verify, the
    ones written next are scheme 2."""
    import importlib

    from django.db.migrations.executor import MigrationExecutor

    dossier = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=dossier)
    before = ("dossiers", "0009_audit_ops_event_hash_chain")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    sealing = importlib.import_module(f"motcua.dossiers.migrations.{before[1]}")
    with connection.schema_editor() as editor:
        sealing.seal_existing(old_apps, editor)  # the chains as 0009 left them
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(DossierEvent.objects.values_list("scheme", flat=True)) == {1}
    assert audit_verify().intact
    services.dossier_correct_applicant(
        actor=staff.desk, dossier=dossier, changes={"phone": "0911222333"}, reason="Sai số"
    )
    assert DossierEvent.objects.get(dossier=dossier, seq=3).scheme == 2
    assert audit_verify().intact
