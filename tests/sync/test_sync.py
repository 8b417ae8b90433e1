"""The national-portal sync against the stand-in portal: outbox in the event's transaction, add /
update / trail in chunks of 10 with compact dates, retries with back-off through failures,
timeouts, error_code 3 and −3 and a lost answer, the dead-letter list and its replay, the state on
the dossier page and in the API."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from motcua.core import timeutil
from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Applicant
from motcua.sync import protocol
from motcua.sync.models import Delivery, OutboxEntry, OutboxStatus
from motcua.sync.selectors import dossier_sync_state
from motcua.sync.services import sync_push, sync_push_due
from motcua.sync.standin import StandinPortal
from tests.conftest import handed_in, local

COMPACT = re.compile(r"^\d{14}$")


@pytest.fixture
def portal(settings):
    standin = StandinPortal(token="khoa-cong").start()
    settings.MOTCUA_PORTAL_SYNC_URL = standin.url
    settings.MOTCUA_PORTAL_SYNC_TOKEN = "khoa-cong"
    settings.MOTCUA_PORTAL_SYNC_TIMEOUT = 0.5
    settings.MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS = 3
    settings.MOTCUA_PORTAL_SYNC_BACKOFF_SECONDS = 30
    yield standin
    standin.stop()


def receive(staff, tree, procedure, name="Ngô Văn K"):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name=name, id_number="001099012345"),
        at=local(2024, 3, 4, 8),
    )


def later(minutes: int):
    return timeutil.now() + timedelta(minutes=minutes)


def test_the_outbox_row_is_written_with_the_event_or_not_at_all(
    portal, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    assert list(OutboxEntry.objects.values_list("event__kind", flat=True)) == ["received"]
    with pytest.raises(DomainError), transaction.atomic():
        services.dossier_forward(actor=staff.desk, dossier=dossier, expected_version=1)
        raise DomainError("hủy")  # the action's transaction rolls back: its row goes with it
    assert OutboxEntry.objects.count() == 1


def test_no_outbox_when_the_sync_is_off(staff, tree, birth_registration, settings):
    settings.MOTCUA_PORTAL_SYNC_URL = ""
    receive(staff, tree, birth_registration)
    assert OutboxEntry.objects.count() == 0


def test_add_then_update_with_compact_dates_and_the_trail(portal, staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    assert sync_push_due() == {"delivered": 1}
    held = portal.dossiers[dossier.code]
    assert COMPACT.match(held["NgayTiepNhan"]) and COMPACT.match(held["NgayHenTra"])
    assert held["NgayTiepNhan"] == "20240304080000"
    assert "QuaTrinhXuLy" not in held and held["MaHoSo"] == dossier.code
    trail = portal.trails[dossier.code]
    assert [e["MaHoSo"] for e in trail] == [dossier.code] and COMPACT.match(
        trail[0]["ThoiDiemXuLy"]
    )
    dossier.refresh_from_db()
    assert dossier.synced_to_portal
    assert dossier.events.filter(kind="portal_synced").count() == 1
    assert dossier_sync_state(dossier=dossier).state == "synced"

    services.dossier_forward(actor=staff.desk, dossier=dossier)
    assert sync_push_due() == {"delivered": 1}
    operations = [r["operation"] for r in portal.requests]
    assert operations == ["add", "trail", "update", "trail"]
    # Only the new entry the second time (the portal_synced event is not news to the portal).
    assert len(portal.requests[-1]["body"]["QuaTrinhXuLy"]) == 1
    assert len(portal.trails[dossier.code]) == 2
    assert dossier.events.filter(kind="portal_synced").count() == 1


def test_trail_goes_in_chunks_of_ten():
    entries = [{"NoiDungXuLy": str(i)} for i in range(23)]
    chunks = protocol.trail_chunks("H1", entries)
    assert [len(c) for c in chunks] == [10, 10, 3]
    assert all(e["MaHoSo"] == "H1" for c in chunks for e in c)
    assert protocol.compact_dates({"NgayHenTra": "2024-03-04T01:00:00+00:00", "Ten": "2024"}) == {
        "NgayHenTra": "20240304080000",
        "Ten": "2024",
    }


@pytest.mark.parametrize(
    "fault",
    [
        {"fail": 1},
        {"timeout": 1, "delay": 1.5},
        {"error_count": 1, "error_code": 3},
        {"error_count": 1, "error_code": -3},
    ],
    ids=["http-500", "timeout", "error-code-3", "error-code-minus-3"],
)
def test_a_fault_is_retried_after_the_backoff(portal, staff, tree, birth_registration, fault):
    portal.behaviour.update(fault)
    dossier = receive(staff, tree, birth_registration)
    assert sync_push(dossier_id=dossier.pk) == "retry"
    entry = OutboxEntry.objects.get()
    assert entry.attempts == 1 and entry.status == OutboxStatus.PENDING and entry.last_error
    assert entry.next_attempt_at >= timeutil.now() + timedelta(seconds=25)
    assert sync_push_due() == {}  # not due yet
    assert sync_push_due(now=later(1)) == {"delivered": 1}
    dossier.refresh_from_db()
    assert dossier.synced_to_portal
    failed = Delivery.objects.filter(ok=False).get()
    if "error_code" in fault:
        assert failed.error_code == fault["error_code"]


def test_a_lost_answer_sends_twice_and_syncs_once(portal, staff, tree, birth_registration):
    portal.behaviour.update({"twice": 1})
    dossier = receive(staff, tree, birth_registration)
    assert sync_push(dossier_id=dossier.pk) == "retry"
    assert dossier.code in portal.dossiers  # the portal kept it; we never heard
    assert sync_push_due(now=later(1)) == {"delivered": 1}
    assert [r["operation"] for r in portal.requests] == ["add", "add", "trail"]
    assert list(portal.dossiers) == [dossier.code]
    assert DossierEvent.objects.filter(dossier=dossier, kind="portal_synced").count() == 1


def test_a_lost_trail_answer_keeps_each_entry_once(portal, staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=dossier)
    portal.behaviour.update({"twice": 2})  # add lost, then trail lost
    sync_push(dossier_id=dossier.pk)
    sync_push_due(now=later(1))
    sync_push_due(now=later(5))
    assert len(portal.trails[dossier.code]) == 2
    assert OutboxEntry.objects.filter(status=OutboxStatus.DELIVERED).count() == 2


def test_dead_letters_are_listed_and_replayed(portal, staff, tree, birth_registration):
    portal.behaviour.update({"fail": 10})
    dossier = receive(staff, tree, birth_registration)
    for minutes in (0, 10, 60):
        sync_push_due(now=later(minutes))
    assert OutboxEntry.objects.get().status == OutboxStatus.DEAD
    out = StringIO()
    call_command("sync", "status", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["counts"]["dead"] == 1 and status["dead"][0]["dossier"] == dossier.code
    assert dossier_sync_state(dossier=dossier).state == "failed"
    portal.behaviour.update({"fail": 0})
    sync_push_due(now=later(600))  # a dead row is not retried by itself
    assert OutboxEntry.objects.get().status == OutboxStatus.DEAD
    # A replay while the portal still fails exits non-zero and leaves the row retrying.
    portal.behaviour.update({"fail": 1})
    with pytest.raises(CommandError):
        call_command("sync", "replay", "--dossier", dossier.code, stdout=StringIO())
    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.PENDING and entry.attempts == 1
    portal.behaviour.update({"fail": 3})
    for minutes in (700, 800):
        sync_push_due(now=later(minutes))
    assert OutboxEntry.objects.get().status == OutboxStatus.DEAD
    portal.behaviour.update({"fail": 0})
    out = StringIO()
    call_command("sync", "replay", "--all", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {dossier.code: "delivered"}
    assert Dossier.objects.get(pk=dossier.pk).synced_to_portal
    assert OutboxEntry.objects.get().status == OutboxStatus.DELIVERED


def test_an_import_writes_no_outbox_rows(portal, tree, birth_registration):
    from motcua.interchange.services import interchange_import

    line = {
        "kind": "dossier",
        "MaHoSo": "000.00.30.H23-240304-9999",
        "MaTTHC": birth_registration.code,
        "DonViXuLy": "11143",
        "KenhThucHien": 1,
        "TrangThaiHoSo": 2,
        "ChuHoSo": "Lê Văn C",
        "NgayTiepNhan": "20240304080000",
        "NgayHenTra": "20240305080000",
    }
    report = interchange_import(stream=[json.dumps(line, ensure_ascii=False)], strict=True)
    assert Dossier.objects.filter(code=line["MaHoSo"]).exists(), report
    assert OutboxEntry.objects.count() == 0


def test_the_state_shows_on_the_dossier_page_and_in_the_api(
    portal, staff, tree, birth_registration, client
):
    portal.behaviour.update({"error_count": 1, "error_code": -3})
    dossier = receive(staff, tree, birth_registration)
    sync_push(dossier_id=dossier.pk)
    client.force_login(staff.desk)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'data-state="pending"' in page and "lỗi -3" in page
    body = client.get(f"/api/v1/dossiers/{dossier.code}/sync").json()
    assert body["state"] == "pending" and body["attempts"] == 1 and not body["synced_to_portal"]
    sync_push_due(now=later(1))
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'data-state="synced"' in page and "Đã đồng bộ" in page


def test_the_admin_replays_dead_letters(portal, staff, tree, birth_registration, admin_client):
    portal.behaviour.update({"fail": 3})
    dossier = receive(staff, tree, birth_registration)
    for minutes in (0, 10, 60):
        sync_push_due(now=later(minutes))
    entry = OutboxEntry.objects.get()
    assert entry.status == OutboxStatus.DEAD
    listing = admin_client.get("/admin/sync/outboxentry/?status=dead")
    assert listing.status_code == 200 and dossier.code in listing.content.decode()
    admin_client.post(
        "/admin/sync/outboxentry/",
        {"action": "replay", "_selected_action": [entry.pk]},
    )
    assert OutboxEntry.objects.get().status == OutboxStatus.DELIVERED
    assert Dossier.objects.get(pk=dossier.pk).synced_to_portal


def test_a_confirmed_result_link_is_recorded_once_for_indicator_4_4(
    portal, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    assert sync_push_due() == {"delivered": 1}
    dossier.refresh_from_db()
    assert dossier.result_store_synced_at is None  # no result yet: nothing for 4.4
    for actor in (staff.desk, staff.processor):
        dossier = services.dossier_forward(actor=actor, dossier=dossier)
    services.dossier_resolve(
        actor=staff.leader, dossier=dossier, result_summary="Giấy khai sinh", electronic=True
    )
    assert sync_push_due() == {"delivered": 1}
    held = portal.dossiers[dossier.code]
    assert any(r.get("DuongDanTepTinKetQua") for r in held["DanhSachGiayToKetQua"])
    assert "NgayDongBoKetQuaKhoDMQG" not in held  # our extension stays home
    dossier.refresh_from_db()
    assert dossier.result_store_synced_at is not None
    assert dossier.events.filter(kind="result_link_synced").count() == 1
    # The confirmation is no news to the portal: no outbox row, no trail entry.
    assert not OutboxEntry.objects.filter(event__kind="result_link_synced").exists()
    services.dossier_return_result(actor=staff.desk, dossier=dossier)
    assert sync_push_due() == {"delivered": 1}
    assert dossier.events.filter(kind="result_link_synced").count() == 1
    trail = portal.trails[dossier.code]
    assert not any("liên kết kết quả" in e.get("NoiDungXuLy", "") for e in trail)
