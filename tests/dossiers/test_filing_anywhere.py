"""Filing anywhere in the province (Decree 118/2025/NĐ-CP): a centre receives a listed procedure
for another agency; the dossier is filed with, processed by and counted against that agency, while
the desk work stays at the centre. And an online dossier waits at the desk that serves its agency."""

from datetime import date

import pytest
from django.test import Client

from motcua.catalog.services import filing_anywhere_set, procedure_upsert
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import State
from motcua.dossiers.selectors import dossier_inbox
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.indicators.selectors import rates_for
from motcua.units.models import Role
from motcua.units.services import unit_upsert
from tests.conftest import make_user

TODAY = date.today()


@pytest.fixture
def centre(tree):
    unit, _ = unit_upsert(
        code="30-TTHCC",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        level="centre",
        parent=tree.province,
        agency_id="000.00.99.H23",
    )
    return unit


@pytest.fixture
def centre_desk(centre):
    return make_user("tiepnhan.ttphvhcc", unit=centre, role=Role.DESK_OFFICER)


def _listed(tree, procedure):
    filing_anywhere_set(
        province=tree.province,
        procedure=procedure,
        decision_number="12/QĐ-UBND",
        decision_date=date(2025, 6, 20),
        valid_from=date(2025, 7, 1),
    )


def _receive(officer, centre, procedure, **extra):
    return services.dossier_receive(
        actor=officer,
        unit=centre,
        procedure=procedure,
        applicant=Applicant(name="Hoàng Thị Mai", phone="0912000111"),
        components=[
            ReceivedComponent(name=c.name, component=c, digitized=True)
            for c in procedure.components.all()
        ],
        **extra,
    )


def test_a_centre_receives_a_listed_procedure_for_the_commune(
    staff, tree, centre, centre_desk, birth_registration
):
    with pytest.raises(ValidationFailed) as refused:
        _receive(centre_desk, centre, birth_registration, processing_unit=tree.tien_dong)
    assert refused.value.code == "procedure_not_offered"  # not on the province's list yet
    _listed(tree, birth_registration)
    with pytest.raises(ValidationFailed) as refused:
        _receive(centre_desk, centre, birth_registration)
    assert refused.value.code == "processing_unit_required"
    with pytest.raises(ValidationFailed) as refused:
        _receive(centre_desk, centre, birth_registration, processing_unit=tree.district)
    assert refused.value.code == "processing_unit_invalid"  # the district does not resolve it

    dossier = _receive(centre_desk, centre, birth_registration, processing_unit=tree.tien_dong)
    assert dossier.unit == tree.tien_dong and dossier.received_by == centre
    assert dossier.code.startswith("000.00.99.H23-")  # numbered by the desk that received it
    assert dossier.current_unit == centre
    assert list(dossier_inbox(user=centre_desk)) == [dossier]
    # The centre hands it over; the commune processes and resolves; the centre returns the result.
    dossier = services.dossier_forward(actor=centre_desk, dossier=dossier)
    assert dossier.current_unit == tree.tien_dong
    assert dossier in list(dossier_inbox(user=staff.processor))
    dossier = services.dossier_forward(actor=staff.processor, dossier=dossier)
    dossier = services.dossier_resolve(actor=staff.leader, dossier=dossier, result_summary="Cấp")
    assert dossier.current_unit == centre  # the result goes back where it was handed in
    with pytest.raises(PermissionDenied):
        services.dossier_return_result(actor=staff.desk, dossier=dossier)  # not the commune's desk
    dossier = services.dossier_return_result(actor=centre_desk, dossier=dossier)
    assert dossier.state == State.RETURNED
    steps = [(s.unit.code, s.role) for s in dossier.steps.order_by("seq")]
    assert steps[0] == ("30-TTHCC", "desk_officer") and ("11143", "processor") in steps
    assert steps[-1] == ("30-TTHCC", "desk_officer")
    # Counted against the agency that processed it, not the centre.
    rates = rates_for(unit=tree.tien_dong, start=TODAY, end=TODAY)
    assert rates["online_dossiers"].denominator == 1
    assert rates_for(unit=centre, start=TODAY, end=TODAY)["online_dossiers"].denominator == 0


def test_the_centre_desk_names_the_agency_on_the_intake_page(
    tree, centre, centre_desk, birth_registration
):
    _listed(tree, birth_registration)
    client = Client()
    client.force_login(centre_desk)
    page = client.get(f"/tiep-nhan/{centre.code}/{birth_registration.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="processing_unit"' in html and tree.tien_dong.name in html
    assert tree.district.name not in html.split('name="processing_unit"')[1].split("</select>")[0]


def test_an_online_dossier_waits_at_the_desk_serving_its_agency(tree, db):
    """A district procedure filed online with the district: its one-stop desk accepts it."""
    office, _ = unit_upsert(
        code="298-VP", name="Văn phòng HĐND và UBND huyện", level="department", parent=tree.district
    )
    desk_unit, _ = unit_upsert(
        code="298-MC", name="Bộ phận Một cửa huyện Tứ Kỳ", level="centre", parent=office
    )
    desk = make_user("tiepnhan.tuky", unit=desk_unit, role=Role.DESK_OFFICER)
    procedure, _ = procedure_upsert(
        code="2.000046", name="Đăng ký hộ kinh doanh", field_name="Hộ kinh doanh",
        level="district", time_limit_value=3, online_level="full",
    )  # fmt: skip
    dossier = services.dossier_submit_online(
        unit=tree.district, procedure=procedure, applicant=Applicant(name="Lý Văn Đức")
    )
    assert dossier.unit == tree.district and dossier.received_by == desk_unit
    assert dossier in list(dossier_inbox(user=desk, state=State.SUBMITTED_ONLINE))
    client = Client()
    client.force_login(desk)
    detail = client.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert "accept" in detail["available_actions"]
    dossier = services.dossier_accept(actor=desk, dossier=dossier)
    assert dossier.state == State.RECEIVED and dossier.current_unit == desk_unit
