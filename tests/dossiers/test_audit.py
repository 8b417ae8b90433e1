"""The event log is tamper-evident: `motcua audit verify` names the first broken event when a stored
event is altered, deleted or truncated behind the application's back, and the signed checkpoints
catch a log rewritten whole. `events rebuild --fix` refuses to copy a forgery into the dossiers."""

import contextlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from motcua.dossiers import services
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.chain import GENESIS, event_hash_of
from motcua.dossiers.models import AuditCheckpoint, Dossier, DossierEvent, State
from tests.conftest import is_postgres, local
from tests.dossiers.test_lifecycle import receive

EVENTS = "dossiers_dossierevent"


@pytest.fixture(autouse=True)
def _audit_key(settings):
    settings.MOTCUA_AUDIT_KEY = "khoa-kiem-toan-thu-nghiem"


@pytest.fixture
def history(staff, tree, birth_registration):
    """Two dossiers, the first with four events."""
    first = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=first, at=local(2024, 2, 7, 10, 30))
    second = receive(staff, tree, birth_registration, at=local(2024, 2, 7, 11, 0))
    services.dossier_request_supplement(
        actor=staff.processor,
        dossier=first,
        at=local(2024, 2, 8, 9, 0),
        content="Thiếu bản sao giấy chứng sinh",
    )
    services.dossier_receive_supplement(actor=staff.desk, dossier=first, at=local(2024, 2, 9, 9, 0))
    first.refresh_from_db()
    assert first.last_event_seq == 4
    return first, second


@contextlib.contextmanager
def behind_the_application():
    """A cursor with the powers the application's role lacks (docs/operations.md): on PostgreSQL
    a superuser's `session_replication_role = replica` (no triggers, no foreign-key checks) or,
    for the tables' owner, the append-only trigger disabled."""
    with connection.cursor() as cursor:
        if not is_postgres():
            yield cursor
            return
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        # The test's own inserts are checked now: TRUNCATE and ALTER refuse pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if superuser:
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER USER")
        try:
            yield cursor
        finally:
            if superuser:
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                cursor.execute(f"ALTER TABLE {EVENTS} ENABLE TRIGGER USER")


def verify_fails() -> str:
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return str(error.value)


def event(dossier, seq) -> DossierEvent:
    return DossierEvent.objects.get(dossier=dossier, seq=seq)


def test_an_intact_log_verifies(history, capsys):
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Đã kiểm tra 2 hồ sơ, 5 sự kiện" in out and "Nhật ký nguyên vẹn." in out


def test_an_update_with_triggers_off_is_named(history):
    first, _ = history
    target = event(first, 2)
    with behind_the_application() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET actor_name = %s WHERE id = %s", ["Người khác", target.pk]
        )
    assert event(first, 2).actor_name == "Người khác"  # the update went through
    message = verify_fails()
    assert f"{first.code} sự kiện #2" in message and "không khớp" in message


def test_an_update_that_recomputes_its_own_hash_breaks_the_next_event(history):
    first, _ = history
    target = event(first, 2)
    target.payload = {**target.payload, "note": "sửa lén"}
    forged = event_hash_of(target, code=first.code, previous=event(first, 1).hash)
    with behind_the_application() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET payload = %s, hash = %s WHERE id = %s",
            [json.dumps(target.payload), forged, target.pk],
        )
    assert f"{first.code} sự kiện #3" in verify_fails()


def test_a_deleted_event_is_named(history):
    first, _ = history
    with behind_the_application() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [event(first, 3).pk])
    message = verify_fails()
    assert f"{first.code} sự kiện #3: thiếu sự kiện" in message


def test_a_cut_off_tail_is_named(history):
    first, _ = history
    with behind_the_application() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE dossier_id = %s AND seq >= 3", [first.pk])
    message = verify_fails()
    assert f"{first.code} sự kiện #3" in message and "phần cuối đã bị xóa" in message


def test_a_truncated_log_is_named(history):
    first, _ = history
    with behind_the_application() as cursor:
        if is_postgres():
            cursor.execute(f"TRUNCATE {EVENTS} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {EVENTS}")
    assert DossierEvent.objects.count() == 0
    assert f"{first.code} sự kiện #1" in verify_fails()


def rewrite_every_chain(actor_name: str) -> None:
    """What someone who knows the algorithm does: change events and recompute every hash, so each
    chain is consistent again."""
    codes = dict(Dossier.objects.values_list("pk", "code"))
    previous: dict[int, str] = {}
    with behind_the_application() as cursor:
        for row in DossierEvent.objects.order_by("dossier_id", "seq"):
            row.actor_name = actor_name
            row.hash = event_hash_of(
                row, code=codes[row.dossier_id], previous=previous.get(row.dossier_id, GENESIS)
            )
            previous[row.dossier_id] = row.hash
            cursor.execute(
                f"UPDATE {EVENTS} SET actor_name = %s, hash = %s WHERE id = %s",
                [row.actor_name, row.hash, row.pk],
            )


def test_a_log_rewritten_whole_fails_the_signed_checkpoint(history, capsys):
    call_command("audit", "checkpoint")
    assert "5 sự kiện" in capsys.readouterr().out
    call_command("audit", "verify")
    rewrite_every_chain("Kẻ giả mạo")
    report = audit_verify()
    assert report.breaks == []  # every chain is consistent again…
    assert "nhật ký không còn khớp" in verify_fails()  # …but not with what was signed


def test_a_dossier_deleted_with_its_events_fails_the_checkpoint(history):
    _, second = history
    call_command("audit", "checkpoint")
    with behind_the_application() as cursor:
        for table in (
            "payments_feeline",
            "dossiers_dossierdocument",
            "dossiers_dossierstep",
            EVENTS,
        ):
            cursor.execute(f"DELETE FROM {table} WHERE dossier_id = %s", [second.pk])
        cursor.execute("DELETE FROM dossiers_dossier WHERE id = %s", [second.pk])
    assert audit_verify().breaks == []
    assert "đã ký 5 sự kiện, nay còn 4" in verify_fails()


def test_checkpoints_chain_and_later_events_are_covered_by_the_next(
    history, staff, birth_registration, tree
):
    call_command("audit", "checkpoint")
    receive(staff, tree, birth_registration, at=local(2024, 2, 10, 9, 0))
    second = call_command("audit", "checkpoint") or AuditCheckpoint.objects.last()
    assert second.event_count == 6
    assert second.previous_digest == AuditCheckpoint.objects.first().digest
    call_command("audit", "verify")
    with behind_the_application() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET kind = 'x' WHERE id = %s", [second.last_event_id])
    assert "sự kiện #1" in verify_fails()


def test_a_forged_signature_or_deleted_checkpoint_is_found(history, tmp_path):
    copies = tmp_path / "moc.jsonl"
    call_command("audit", "checkpoint", "--out", str(copies))
    call_command("audit", "checkpoint", "--out", str(copies))
    assert len(copies.read_text().splitlines()) == 2
    call_command("audit", "verify", "--checkpoints", str(copies))
    AuditCheckpoint.objects.order_by("id").last().delete()
    with pytest.raises(CommandError, match="đã bị xóa khỏi cơ sở dữ liệu"):
        call_command("audit", "verify", "--checkpoints", str(copies))
    AuditCheckpoint.objects.update(event_count=99)
    assert "chữ ký không hợp lệ" in verify_fails()


def test_a_checkpoint_needs_the_key(history, settings):
    settings.MOTCUA_AUDIT_KEY = ""
    with pytest.raises(CommandError, match="MOTCUA_AUDIT_KEY"):
        call_command("audit", "checkpoint")


def test_rebuild_fix_refuses_a_broken_chain(history):
    first, _ = history
    with behind_the_application() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS} WHERE dossier_id = %s AND seq >= 3", [first.pk])
    with pytest.raises(CommandError, match="không còn nguyên vẹn"):
        call_command("events", "rebuild", "--fix")
    first.refresh_from_db()
    assert (
        first.last_event_seq == 4 and first.state == State.PROCESSING
    )  # not "fixed" to the forgery
