"""Open dossiers of a unit a reorganisation ended pass to the unit that took over: the open step
continues there with its due time, the desk work moves to the successor's desk, the processing
agency (and so the history's figures) stays; only an administrator on the receiving side whose
history holds the ended unit may do it; a dry run changes nothing."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import DossierEvent, State
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from motcua.units.reorganisation import reorganisation_parse
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_reorganise
from tests.conftest import handed_in, local, make_user
from tests.dossiers.test_lifecycle import assert_projection_matches_log

JULY_1 = date(2025, 7, 1)
DECISION = {
    "decision": "Nghị quyết 1669/NQ-UBTVQH15 ngày 16/6/2025",
    "effective_on": "2025-07-01",
    "create": [
        {"code": "31", "name": "UBND thành phố Hải Phòng", "level": "province"},
        {"code": "31-STP", "name": "Sở Tư pháp", "level": "department", "parent": "31"},
        {"code": "11140", "name": "UBND xã Lạc Phượng", "level": "commune", "parent": "31"},
        {"code": "11143", "name": "UBND xã Tiên Hòa", "level": "commune", "parent": "31"},
    ],
    "merge": [{"units": ["11140"], "into": "11140"}, {"units": ["30"], "into": "31"}],
    "split": [{"unit": "11143", "into": ["11140", "11143"]}],
    "end": ["298", "298-TP"],
}


def _receive(desk, unit, procedure, *, at):
    return services.dossier_receive(
        actor=desk,
        unit=unit,
        procedure=procedure,
        applicant=Applicant(name="Trần Thị Bình", id_number="001099012345"),
        components=handed_in(procedure),
        at=at,
    )


@pytest.fixture
def before_and_after(staff, tree, birth_registration):
    """Before 1/7/2025: at Cộng Lạc one dossier being processed, one waiting for papers, one
    returned; at Tiên Động one transferred to the district's justice office. Then the decision."""
    processing = _receive(
        staff.other_desk, tree.cong_lac, birth_registration, at=local(2025, 6, 24, 9)
    )
    processing = services.dossier_forward(
        actor=staff.other_desk, dossier=processing, at=local(2025, 6, 24, 10)
    )
    waiting = _receive(
        staff.other_desk, tree.cong_lac, birth_registration, at=local(2025, 6, 25, 9)
    )
    waiting = services.dossier_forward(
        actor=staff.other_desk, dossier=waiting, at=local(2025, 6, 25, 10)
    )
    waiting = services.dossier_request_supplement(
        actor=staff.other_processor,
        dossier=waiting,
        content="Bản sao giấy chứng sinh",
        at=local(2025, 6, 25, 11),
    )
    returned = _receive(
        staff.other_desk, tree.cong_lac, birth_registration, at=local(2025, 6, 26, 9)
    )
    returned = services.dossier_withdraw(
        actor=staff.other_desk,
        dossier=returned,
        reason="Người nộp đề nghị",
        at=local(2025, 6, 26, 10),
    )
    at_district = _receive(staff.desk, tree.tien_dong, birth_registration, at=local(2025, 6, 27, 9))
    at_district = services.dossier_forward(
        actor=staff.desk, dossier=at_district, at=local(2025, 6, 27, 9, 30)
    )
    at_district = services.dossier_transfer(
        actor=staff.processor, dossier=at_district, to_unit=tree.justice, at=local(2025, 6, 27, 10)
    )
    unit_reorganise(reorganisation=reorganisation_parse(text=json.dumps(DECISION)), apply=True)
    lac_phuong = unit_get_by_code(code="11140", on=JULY_1)
    city = unit_get_by_code(code="31", on=JULY_1)
    admin = make_user("quantri.haiphong", unit=city, role=Role.ADMINISTRATOR)
    return {
        "processing": processing,
        "waiting": waiting,
        "withdrawn": returned,
        "at_district": at_district,
        "lac_phuong": lac_phuong,
        "justice_31": unit_get_by_code(code="31-STP", on=JULY_1),
        "admin": admin,
    }


def _fresh(dossier):
    return type(dossier).objects.select_related("current_unit", "received_by").get(pk=dossier.pk)


def test_the_successor_takes_over_open_dossiers_and_the_step_keeps_its_due_time(
    staff, tree, before_and_after
):
    case = before_and_after
    step_before = case["processing"].steps.order_by("seq").last()
    dry = services.dossiers_hand_over(actor=case["admin"], from_unit=tree.cong_lac)
    assert not dry.applied and dry.count == 2 and dry.to_unit == case["lac_phuong"]
    assert not DossierEvent.objects.filter(kind="handed_over").exists()
    assert _fresh(case["processing"]).current_unit == tree.cong_lac

    result = services.dossiers_hand_over(
        actor=case["admin"], from_unit=tree.cong_lac, decision="1669/NQ-UBTVQH15", apply=True
    )
    assert result.count == 2
    processing = _fresh(case["processing"])
    assert processing.current_unit == case["lac_phuong"]
    assert processing.unit == tree.cong_lac  # the processing agency of its time: history stays
    assert processing.state == State.PROCESSING
    step = processing.steps.order_by("seq").last()
    assert step.unit == case["lac_phuong"] and step.finished_at is None
    assert (step.due_at, step.role) == (step_before.due_at, step_before.role)
    event = processing.events.order_by("seq").last()
    assert event.kind == "handed_over" and event.actor == case["admin"]
    assert event.payload["from_unit"] == "11140" and event.payload["decision"] == "1669/NQ-UBTVQH15"
    # Waiting for papers: the state and the paused clock stay; the desk work moves.
    waiting = _fresh(case["waiting"])
    assert waiting.state == State.SUPPLEMENT_REQUESTED
    assert waiting.clock_paused_at == case["waiting"].clock_paused_at
    assert waiting.receiving_unit == case["lac_phuong"]
    assert _fresh(case["withdrawn"]).events.filter(kind="handed_over").count() == 0
    for dossier in (processing, waiting):
        assert_projection_matches_log(dossier)
    assert audit_verify(codes=[processing.code, waiting.code]).intact
    # The new commune's officers act on it now; a second run finds nothing left.
    lac_phuong_leader = make_user("lanhdao.lacphuong", unit=case["lac_phuong"], role=Role.LEADER)
    forwarded = services.dossier_forward(actor=lac_phuong_leader, dossier=processing)
    # The template's next step belongs to the processing agency, which has ended: it stays with
    # the unit that took the dossier over.
    assert forwarded.current_unit == case["lac_phuong"]
    again = services.dossiers_hand_over(actor=case["admin"], from_unit=tree.cong_lac, apply=True)
    assert again.count == 0


def test_without_one_successor_the_receiving_unit_must_be_named(staff, tree, before_and_after):
    case = before_and_after
    with pytest.raises(ValidationFailed) as error:
        services.dossiers_hand_over(actor=case["admin"], from_unit=tree.justice)
    assert error.value.code == "hand_over_target_required"
    # The district itself holds nothing: its communes' dossiers are not swept along with it.
    assert (
        services.dossiers_hand_over(
            actor=case["admin"], from_unit=tree.district, to_unit=case["justice_31"]
        ).count
        == 0
    )
    result = services.dossiers_hand_over(
        actor=case["admin"], from_unit=tree.justice, to_unit=case["justice_31"], apply=True
    )
    # The step moves; the desk work stays with the commune that received it (Tiên Động was
    # split, so its own hand-over names which commune takes it).
    assert result.count == 1
    moved = _fresh(case["at_district"])
    assert moved.current_unit == case["justice_31"] and moved.received_by is None
    assert moved.receiving_unit == tree.tien_dong


def test_only_an_administrator_of_the_receiving_side_with_that_history(
    staff, tree, before_and_after
):
    case = before_and_after
    old_admin = make_user("quantri.haiduong", unit=tree.province, role=Role.ADMINISTRATOR)
    elsewhere, _ = __import__("motcua.units.services", fromlist=["unit_upsert"]).unit_upsert(
        code="01", name="UBND thành phố Hà Nội", level="province"
    )
    hanoi_admin = make_user("quantri.hanoi", unit=elsewhere, role=Role.ADMINISTRATOR)
    lac_phuong_leader = make_user("lanhdao.lp", unit=case["lac_phuong"], role=Role.LEADER)
    for actor in (old_admin, hanoi_admin, lac_phuong_leader, None):
        with pytest.raises(PermissionDenied):
            services.dossiers_hand_over(actor=actor, from_unit=tree.cong_lac, apply=True)
    # Hà Nội's administrator cannot pull Cộng Lạc's dossiers into Hà Nội either.
    with pytest.raises(PermissionDenied):
        services.dossiers_hand_over(
            actor=hanoi_admin, from_unit=tree.cong_lac, to_unit=elsewhere, apply=True
        )
    assert not DossierEvent.objects.filter(kind="handed_over").exists()


def test_a_current_unit_and_an_ended_target_are_refused(staff, tree, before_and_after):
    case = before_and_after
    with pytest.raises(ValidationFailed) as error:
        services.dossiers_hand_over(actor=case["admin"], from_unit=case["lac_phuong"])
    assert error.value.code == "hand_over_unit_current"
    with pytest.raises(ValidationFailed) as error:
        services.dossiers_hand_over(
            actor=case["admin"], from_unit=tree.cong_lac, to_unit=tree.tien_dong
        )
    assert error.value.code == "unit_not_current"


def test_the_command_dry_runs_applies_and_refuses_in_vietnamese(staff, tree, before_and_after):
    case = before_and_after
    out = StringIO()
    call_command(
        "units", "hand-over", "11140@2025-06-30", "--actor", "quantri.haiphong", stdout=out
    )
    text = out.getvalue()
    assert f"Bàn giao hồ sơ {case['processing'].code} (Đang xử lý)" in text
    assert "Chạy thử: 2 hồ sơ sẽ được bàn giao cho UBND xã Lạc Phượng" in text
    assert not DossierEvent.objects.filter(kind="handed_over").exists()
    out = StringIO()
    call_command(
        "units",
        "hand-over",
        "11140@2025-06-30",
        "--actor",
        "quantri.haiphong",
        "--apply",
        stdout=out,
    )
    assert "Đã bàn giao 2 hồ sơ cho UBND xã Lạc Phượng." in out.getvalue()
    with pytest.raises(CommandError) as error:
        call_command(
            "units", "hand-over", "298-TP", "--actor", "quantri.haiphong", stdout=StringIO()
        )
    assert "hand_over_target_required" in str(error.value) and error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("units", "hand-over", "298", "--actor", "khong.co", stdout=StringIO())
    assert "khong.co" in str(error.value)
