"""A procedure's required components are enforced by the service for every channel; only a desk
officer may take a dossier without some of them, with a reason that stays on the record."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_timeline
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.forms.selectors import form_context
from motcua.portal.services import portal_dossier_submit
from tests.conftest import local

pytestmark = pytest.mark.django_db

APPLICANT = Applicant(name="Nguyễn Văn An", id_number="001099012345")
REASON = "Giấy chứng sinh bản chính bệnh viện chưa cấp, công dân nộp bổ sung sau"


def only_the_form(procedure) -> list[ReceivedComponent]:
    tk = procedure.components.get(code="TP1")
    return [ReceivedComponent(name=tk.name, component=tk, digitized=True)]


def test_desk_refuses_a_dossier_without_a_required_component(staff, tree, birth_registration):
    with pytest.raises(ValidationFailed) as error:
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=APPLICANT,
            components=only_the_form(birth_registration),
        )
    assert error.value.code == "component_required"
    assert error.value.message == "Chưa có thành phần hồ sơ bắt buộc: Giấy chứng sinh."
    assert error.value.details == {"missing": [{"code": "TP2", "name": "Giấy chứng sinh"}]}
    assert Dossier.objects.count() == 0


def test_a_document_named_like_a_component_is_not_that_component(staff, tree, birth_registration):
    # Only the catalogue entry counts: a free-text "Giấy chứng sinh" could be anything.
    with pytest.raises(ValidationFailed) as error:
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=APPLICANT,
            components=[
                ReceivedComponent(name="Tờ khai"),
                ReceivedComponent(name="Giấy chứng sinh"),
            ],
        )
    assert "Tờ khai đăng ký khai sinh; Giấy chứng sinh" in error.value.message


def test_online_filing_is_refused_without_a_required_component(tree, birth_registration):
    with pytest.raises(ValidationFailed) as error:
        services.dossier_submit_online(
            unit=tree.tien_dong, procedure=birth_registration, applicant=APPLICANT, components=[]
        )
    assert error.value.code == "component_required"
    assert "Tờ khai đăng ký khai sinh" in error.value.message
    assert Dossier.objects.count() == 0


def test_portal_refusal_comes_from_the_service(tree, birth_registration):
    with pytest.raises(ValidationFailed) as error:
        portal_dossier_submit(
            procedure=birth_registration,
            unit=tree.tien_dong,
            applicant=APPLICANT,
            summary="",
            files={},
        )
    assert error.value.code == "component_required"
    assert error.value.details["missing"][0]["code"] == "TP1"


def test_optional_components_may_be_left_out(staff, tree, birth_registration):
    for component in birth_registration.components.all():
        component.required = component.code == "TP1"
        component.save()
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=APPLICANT,
        components=only_the_form(birth_registration),
    )
    assert "missing_components" not in dossier.events.get().payload


def test_a_blank_reason_is_no_reason(staff, tree, birth_registration):
    with pytest.raises(ValidationFailed) as error:
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=APPLICANT,
            components=only_the_form(birth_registration),
            missing_components_reason="   ",
        )
    assert error.value.code == "component_required"


def test_officer_overrides_with_a_reason_recorded_on_timeline_and_control_slip(
    staff, tree, birth_registration
):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=APPLICANT,
        components=only_the_form(birth_registration),
        missing_components_reason=f"  {REASON} ",
        at=local(2024, 3, 4, 8, 0),
    )
    payload = dossier.events.get().payload
    assert payload["missing_components"] == [{"code": "TP2", "name": "Giấy chứng sinh"}]
    assert payload["missing_components_reason"] == REASON
    details = dict(dossier_timeline(dossier=dossier)[0].details)
    assert details["Tiếp nhận khi còn thiếu thành phần"] == "Giấy chứng sinh"
    assert details["Lý do tiếp nhận khi còn thiếu thành phần"] == REASON
    slip = form_context(kind="control_slip", dossier=dossier)
    assert slip["missing_components"] == ["Giấy chứng sinh"]
    assert slip["missing_components_reason"] == REASON
