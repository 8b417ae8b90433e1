"""Personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): identity-document images are sensitive
and every look is logged; data subjects' requests are received with a working-day deadline and
answered — seen, corrected through a dossier event, deleted only where the law allows; the
portal's consent is recorded with the text shown."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import state_fold
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.portal.services import portal_dossier_submit
from motcua.privacy import selectors
from motcua.privacy.models import (
    AccessAction,
    Consent,
    PersonalDataAccess,
    RequestKind,
    RequestStatus,
)
from motcua.privacy.services import (
    data_subject_request_answer,
    data_subject_request_receive,
    personal_data_access_record,
)
from motcua.units.selectors import unit_intake_desk
from motcua.workcalendar.selectors import calendar_get
from tests.conftest import local
from tests.e2e.helpers import tiny_pdf

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("Can cuoc cong dan")  # a real one-page PDF: scans are parsed, not sniffed
ID = "030090001234"


@pytest.fixture
def dossier(staff, tree, birth_registration):
    components = [
        ReceivedComponent(name=c.name, component=c) for c in birth_registration.components.all()
    ]
    components.append(
        ReceivedComponent(name="Bản chụp Căn cước công dân", file=ContentFile(PDF, name="x.pdf"))
    )
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Văn An", id_number=ID, phone="0912345678"),
        components=components,
        at=local(2026, 1, 8, 9),  # Thursday
    )


def receive(staff, dossier, kind, **kwargs):
    return data_subject_request_receive(
        actor=staff.desk,
        unit=dossier.unit,
        kind=kind,
        subject_name="Nguyễn Văn An",
        contact="0912345678",
        content="Yêu cầu",
        dossier=dossier,
        at=kwargs.pop("at", local(2026, 1, 8, 10)),
        **kwargs,
    )


# --- sensitive documents and the access log ---------------------------------------------------


def test_identity_document_images_are_sensitive(dossier):
    documents = {d.name: d.sensitive for d in dossier.documents.all()}
    assert documents["Bản chụp Căn cước công dân"] is True
    assert documents["Tờ khai đăng ký khai sinh"] is False
    assert selectors.document_is_sensitive(name="Hộ chiếu (bản sao)")
    assert selectors.document_is_sensitive(name="CMND")
    assert selectors.document_is_sensitive(name="Giấy chứng sinh", marked=True)
    assert not selectors.document_is_sensitive(name="Giấy chứng sinh")


def test_opening_a_sensitive_scan_is_logged_as_such(client, staff, dossier):
    scan = dossier.documents.get(sensitive=True)
    client.force_login(staff.processor)
    response = client.get(f"/ho-so/{dossier.code}/giay-to/{scan.pk}/")
    assert response.status_code == 200
    (entry,) = PersonalDataAccess.objects.all()
    assert (entry.user, entry.dossier_code, entry.document_id) == (
        staff.processor,
        dossier.code,
        scan.pk,
    )
    assert entry.action == AccessAction.VIEW_SENSITIVE_DOCUMENT and entry.sensitive


def test_an_ordinary_document_look_is_logged_without_the_sensitive_mark(staff, dossier):
    plain = dossier.documents.filter(sensitive=False).first()
    entry = personal_data_access_record(
        user=staff.processor, action=AccessAction.VIEW_DOCUMENT, dossier=dossier, document=plain
    )
    assert entry.action == AccessAction.VIEW_DOCUMENT and not entry.sensitive


# --- requests: deadline and who ------------------------------------------------------------


def test_a_request_is_due_two_working_days_later_on_the_units_calendar(staff, dossier):
    # Friday 9/1/2026 10:00 → Saturday 10/1 is the worked make-up day (2026 swap), Monday 12/1.
    request = receive(staff, dossier, RequestKind.ACCESS, at=local(2026, 1, 9, 10))
    expected = calendar_get(unit=dossier.unit).add_working_days(local(2026, 1, 9, 10), 2)
    assert request.due_at == expected
    assert request.due_at.date() > date(2026, 1, 9)
    assert request.status == RequestStatus.RECEIVED and request.unit == dossier.unit


def test_only_the_units_desk_and_leaders_handle_requests(staff, dossier):
    with pytest.raises(PermissionDenied):
        data_subject_request_receive(
            actor=staff.other_desk,
            unit=dossier.unit,
            kind=RequestKind.ACCESS,
            subject_name="A",
            contact="a@example.vn",
            content="Xem",
            dossier=dossier,
        )
    request = receive(staff, dossier, RequestKind.ACCESS)
    with pytest.raises(PermissionDenied):
        data_subject_request_answer(actor=staff.processor, request=request)
    mine = list(selectors.data_subject_requests_for(user=staff.leader))
    assert mine == [request]
    assert list(selectors.data_subject_requests_for(user=staff.other_desk)) == []


def test_see_and_correct_requests_need_a_dossier(staff, tree):
    with pytest.raises(ValidationFailed) as caught:
        data_subject_request_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            kind=RequestKind.CORRECT,
            subject_name="A",
            contact="a",
            content="Sửa",
        )
    assert caught.value.code == "request_dossier_required"


# --- answers ------------------------------------------------------------------------------------


def test_a_request_to_see_lists_what_is_held_and_is_logged(staff, dossier):
    request = receive(staff, dossier, RequestKind.ACCESS)
    answered = data_subject_request_answer(
        actor=staff.leader, request=request, answer="Gửi kèm.", at=local(2026, 1, 8, 15)
    )
    assert answered.status == RequestStatus.ANSWERED and answered.answered_by == staff.leader
    assert ID in answered.answer and "0912345678" in answered.answer
    assert "Bản chụp Căn cước công dân (dữ liệu nhạy cảm)" in answered.answer
    assert answered.answer.endswith("Gửi kèm.")
    assert PersonalDataAccess.objects.filter(action=AccessAction.ANSWER_REQUEST).count() == 1
    with pytest.raises(InvalidTransition):
        data_subject_request_answer(actor=staff.leader, request=request)


def test_a_correction_is_a_dossier_event_and_replays(staff, dossier):
    request = receive(staff, dossier, RequestKind.CORRECT)
    data_subject_request_answer(
        actor=staff.desk, request=request, corrections={"name": "Nguyễn Văn Ân", "phone": ""}
    )
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Văn Ân" and dossier.applicant_phone == ""
    event = dossier.events.order_by("-seq").first()
    assert event.kind == "applicant_corrected"
    assert event.payload["corrected"] == ["applicant_name", "applicant_phone"]
    # The log is still the truth: folding it gives the corrected row.
    folded = state_fold(list(dossier.events.order_by("seq")))
    assert folded.fields["applicant_name"] == "Nguyễn Văn Ân"


def test_a_correction_follows_the_intake_rules(staff, dossier):
    request = receive(staff, dossier, RequestKind.CORRECT)
    with pytest.raises(ValidationFailed) as caught:
        data_subject_request_answer(
            actor=staff.desk, request=request, corrections={"id_number": "12"}
        )
    assert caught.value.code == "applicant_id_number_invalid"
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED  # nothing written


def test_deleting_a_received_dossiers_data_is_refused_with_the_reason(staff, dossier):
    request = receive(staff, dossier, RequestKind.DELETE)
    answered = data_subject_request_answer(actor=staff.desk, request=request)
    assert answered.status == RequestStatus.REFUSED
    assert "lưu trữ" in answered.answer
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Văn An"


def test_a_never_received_dossier_is_erased_on_request(
    staff, tree, birth_registration, django_capture_on_commit_callbacks
):
    files = {c: ContentFile(PDF, name=f"{c.code}.pdf") for c in birth_registration.components.all()}
    online = portal_dossier_submit(
        procedure=birth_registration,
        unit=tree.tien_dong,
        applicant=Applicant(name="Trần Thị Bình", id_number=ID, phone="0987654321"),
        summary="Khai sinh",
        files=files,
    )
    request = receive(staff, online, RequestKind.DELETE)
    pending = data_subject_request_answer(actor=staff.desk, request=request)
    assert pending.status == RequestStatus.REFUSED  # still waiting: withdraw first
    services.dossier_withdraw(actor=None, dossier=online, reason="Không nộp nữa")
    request = receive(staff, online, RequestKind.DELETE)
    stored = [d.file for d in online.documents.all()]
    with django_capture_on_commit_callbacks(execute=True):
        answered = data_subject_request_answer(actor=staff.desk, request=request)
    assert answered.status == RequestStatus.ANSWERED
    assert stored and not any(f.storage.exists(f.name) for f in stored)
    online = Dossier.objects.get(pk=online.pk)
    assert (online.applicant_name, online.applicant_id_number, online.applicant_phone) == (
        "(đã xóa)",
        "",
        "",
    )
    assert not online.documents.exists()
    last = DossierEvent.objects.filter(dossier=online).order_by("-seq").first()
    assert last.kind == "personal_data_erased" and last.payload["documents_removed"] == 2
    folded = state_fold(list(online.events.order_by("seq")))
    assert folded.fields["applicant_name"] == "(đã xóa)"


def test_any_request_may_be_refused_with_a_reason(staff, dossier):
    request = receive(staff, dossier, RequestKind.ACCESS)
    answered = data_subject_request_answer(
        actor=staff.desk, request=request, refuse_reason="Người yêu cầu không phải chủ hồ sơ."
    )
    assert answered.status == RequestStatus.REFUSED
    assert answered.answer == "Người yêu cầu không phải chủ hồ sơ."


# --- consent ------------------------------------------------------------------------------------


def test_the_portal_records_the_consent_text_it_showed(tree, birth_registration):
    files = {c: ContentFile(PDF, name=f"{c.code}.pdf") for c in birth_registration.components.all()}
    online = portal_dossier_submit(
        procedure=birth_registration,
        unit=tree.tien_dong,
        applicant=Applicant(name="Lê Văn C", id_number=ID, phone="0987654321"),
        summary="",
        files=files,
    )
    (consent,) = Consent.objects.filter(dossier=online)
    shown = selectors.consent_text_get(purpose="dossier_filing")
    assert (consent.text, consent.text_version) == (shown.text, shown.version)
    assert "91/2025/QH15" in consent.text
    assert consent.given_at == online.submitted_at
    # The portal door's payload facts: where it waits for acceptance, no VNeID check made.
    assert online.filing_place == unit_intake_desk(unit=tree.tien_dong).name
    assert online.vneid_verified is False and online.applicant_kind == 1


def test_the_processing_record_names_identity_documents_as_sensitive():
    sensitive = [a for a in selectors.PROCESSING_RECORD if a.sensitive]
    assert [a.key for a in sensitive] == ["identity_documents"]
    assert all(a.purpose and a.retention and a.recipients for a in selectors.PROCESSING_RECORD)


# --- the officer pages ----------------------------------------------------------------------------


def test_officer_pages_receive_list_and_answer_a_request(client, staff, dossier):
    client.force_login(staff.desk)
    response = client.post(
        "/du-lieu-ca-nhan/",
        {
            "kind": "correct",
            "dossier_code": dossier.code,
            "subject_name": "Nguyễn Văn An",
            "contact": "0912345678",
            "content": "Tên đúng là Nguyễn Văn Ân",
        },
    )
    assert response.status_code == 302
    request = dossier.data_subject_requests.get()
    page = client.get("/du-lieu-ca-nhan/").content.decode()
    assert "Chỉnh sửa dữ liệu cá nhân" in page and request.due_at.strftime("%d/%m/%Y") in page
    detail = client.get(f"/du-lieu-ca-nhan/{request.pk}/").content.decode()
    assert "Họ và tên (mới)" in detail
    response = client.post(f"/du-lieu-ca-nhan/{request.pk}/", {"new_name": "Nguyễn Văn Ân"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Văn Ân"
    assert "Đã đáp ứng" in client.get(f"/du-lieu-ca-nhan/{request.pk}/").content.decode()


def test_officer_pages_refuse_other_roles_and_show_errors_in_vietnamese(client, staff, dossier):
    client.force_login(staff.processor)
    assert client.get("/du-lieu-ca-nhan/").status_code == 403
    client.force_login(staff.desk)
    response = client.post(
        "/du-lieu-ca-nhan/",
        {
            "kind": "access",
            "dossier_code": "KHONG-CO",
            "subject_name": "A",
            "contact": "a",
            "content": "x",
        },
    )
    assert response.status_code == 400
    assert "Không tìm thấy hồ sơ có mã này." in response.content.decode()
    record = client.get("/du-lieu-ca-nhan/hoat-dong-xu-ly/").content.decode()
    assert "dữ liệu cá nhân nhạy cảm" in record and "91/2025/QH15" in record
