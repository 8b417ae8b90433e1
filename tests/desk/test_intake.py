"""The intake desk end to end with the test client: search, tick, upload, submit, print."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.desk import forms as desk_forms
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from tests.conftest import handed_in, make_user

pytestmark = pytest.mark.django_db

ID_NUMBER = "001099012345"
PDF_SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def intake_url(procedure, unit_code="11143") -> str:
    return f"/tiep-nhan/{unit_code}/{procedure.code}/"


def component_ids(procedure) -> dict[str, int]:
    return {c.code: c.pk for c in procedure.components.all()}


def valid_post(procedure, **overrides) -> dict:
    ids = component_ids(procedure)
    data = {
        "action": "submit",
        f"c{ids['TP1']}_received": "on",
        f"c{ids['TP1']}_digitized": "on",
        f"c{ids['TP2']}_received": "on",
        f"c{ids['TP2']}_file": SimpleUploadedFile(
            "Giay chung sinh Nguyen Van An.pdf", PDF_SCAN, content_type="application/pdf"
        ),
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "0912 345 678",
        "applicant_address": "Thôn Đông, xã Tiên Động",
        "channel": "1",
        "summary": "Khai sinh cho con thứ hai",
        "fee_collected": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- who may use the desk --------------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    response = client.get("/tiep-nhan/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


@pytest.mark.parametrize("who", ["processor", "leader", "supervisor"])
def test_only_desk_officers(client, staff, birth_registration, who):
    client.force_login(getattr(staff, who))
    response = client.get("/tiep-nhan/")
    assert response.status_code == 403
    assert '<html lang="vi">' in response.content.decode()
    assert "Không có quyền truy cập" in response.content.decode()
    assert client.get(intake_url(birth_registration)).status_code == 403


def test_desk_officer_of_another_commune_cannot_receive_here(client, staff, birth_registration):
    client.force_login(staff.other_desk)
    assert client.get(intake_url(birth_registration)).status_code == 403
    response = client.post(intake_url(birth_registration), valid_post(birth_registration))
    assert response.status_code == 403
    assert not Dossier.objects.exists()


# --- choosing the procedure --------------------------------------------------------------------------


def test_search_without_diacritics_finds_the_procedure(client, staff, birth_registration):
    client.force_login(staff.desk)
    response = client.get("/tiep-nhan/", {"q": "dang ky khai sinh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html
    assert f'href="{intake_url(birth_registration)}"' in html
    missing = client.get("/tiep-nhan/", {"q": "chung thuc ban sao"}).content.decode()
    assert f'href="{intake_url(birth_registration)}"' not in missing
    assert "Không tìm thấy thủ tục nào" in missing


def test_officer_of_several_units_picks_one(client, staff, tree, birth_registration):
    user = make_user("tiepnhan.hai", unit=tree.tien_dong, role=Role.DESK_OFFICER)
    from motcua.units.services import membership_grant

    membership_grant(user=user, unit=tree.cong_lac, role=Role.DESK_OFFICER)
    client.force_login(user)
    html = client.get("/tiep-nhan/").content.decode()
    assert '<select name="unit"' in html and "UBND xã Cộng Lạc" in html
    html = client.get("/tiep-nhan/", {"unit": "11140", "q": "khai sinh"}).content.decode()
    assert 'href="/tiep-nhan/11140/1.001193/"' in html
    # A unit outside the remit is ignored, never trusted.
    html = client.get("/tiep-nhan/", {"unit": "298", "q": ""}).content.decode()
    assert "/tiep-nhan/298/" not in html


# --- receiving ---------------------------------------------------------------------------------------


def test_intake_end_to_end(client, staff, birth_registration, caplog):
    client.force_login(staff.desk)
    form = client.get(intake_url(birth_registration))
    html = form.content.decode()
    assert form.status_code == 200
    assert "Tờ khai đăng ký khai sinh" in html and "Giấy chứng sinh" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'enctype="multipart/form-data"' in html

    with caplog.at_level(logging.INFO, logger="motcua.audit"):
        response = client.post(intake_url(birth_registration), valid_post(birth_registration))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/tiep-nhan/da-tiep-nhan/{dossier.code}/"
    assert dossier.unit.code == "11143" and dossier.procedure == birth_registration
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_id_number == ID_NUMBER
    assert dossier.applicant_phone == "0912345678"
    assert dossier.channel == 1 and dossier.summary == "Khai sinh cho con thứ hai"
    # Both components, both digitized (the second by its scan), the scan stored under a safe name.
    documents = list(dossier.documents.order_by("pk"))
    assert [(d.name, d.digitized, bool(d.file)) for d in documents] == [
        ("Tờ khai đăng ký khai sinh", True, False),
        ("Giấy chứng sinh", True, True),
    ]
    assert documents[1].file.name.endswith("TP2.pdf")
    assert documents[1].file.read() == PDF_SCAN
    assert dossier.components_digitized is True
    # The fee taken at the counter.
    assert (dossier.fee_amount, dossier.fee_paid_amount, dossier.paid_online) == (8000, 8000, False)
    assert list(dossier.events.values_list("kind", flat=True)) == ["received", "payment_recorded"]

    done = client.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert dossier.code in html and "In giấy tiếp nhận" in html
    assert f'href="/bieu-mau/{dossier.code}/giay-tiep-nhan.pdf"' in html
    assert f'href="/ho-so/{dossier.code}/"' in html
    assert ID_NUMBER not in html
    receipt = client.get(f"/bieu-mau/{dossier.code}/giay-tiep-nhan.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert any("action=intake" in r.getMessage() for r in caplog.records)


def test_postal_intake_without_fee_and_an_extra_paper(client, staff, birth_registration):
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    data = valid_post(
        birth_registration,
        channel="3",
        fee_collected=None,
        **{f"c{ids['TP2']}_received": None, f"c{ids['TP2']}_file": None},
        extra_name="Giấy ủy quyền",
        extra_file=SimpleUploadedFile("scan.png", PNG_SCAN, content_type="image/png"),
        # The birth certificate comes by post later: the officer takes the dossier with a reason.
        missing_components_reason="Giấy chứng sinh bản chính gửi sau qua bưu điện",
    )
    response = client.post(intake_url(birth_registration), data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.channel == 3
    assert (dossier.fee_paid_amount, dossier.paid_online) == (0, False)
    names = list(dossier.documents.values_list("name", "digitized"))
    assert names == [("Tờ khai đăng ký khai sinh", True), ("Giấy ủy quyền", True)]
    assert dossier.documents.get(name="Giấy ủy quyền").file.name.endswith("khac.png")


# --- bad input keeps the values and writes nothing ---------------------------------------------------


def assert_refused(response, *messages_expected):
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages_expected:
        assert message in html, message
    # What was typed is still there.
    assert 'value="Thôn Đông, xã Tiên Động"' in html
    assert not Dossier.objects.exists()
    assert not DossierDocument.objects.exists()
    return html


def test_a_file_that_is_not_a_scan_is_refused(client, staff, birth_registration):
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    fake = SimpleUploadedFile(
        "to-khai.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        intake_url(birth_registration),
        valid_post(birth_registration, **{f"c{ids['TP2']}_file": fake}),
    )
    html = assert_refused(response, "Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG.")
    assert 'value="Nguyễn Văn An"' in html
    assert "vui lòng chọn lại bản quét" in html


def test_a_scan_over_the_size_limit_is_refused(client, staff, birth_registration, monkeypatch):
    monkeypatch.setattr(desk_forms, "SCAN_MAX_BYTES", 16)
    client.force_login(staff.desk)
    assert_refused(
        client.post(intake_url(birth_registration), valid_post(birth_registration)),
        "Tệp quá lớn",
    )


def test_nothing_ticked_and_no_name(client, staff, birth_registration):
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    data = valid_post(
        birth_registration,
        applicant_name="",
        **{
            f"c{ids['TP1']}_received": None,
            f"c{ids['TP2']}_received": None,
            f"c{ids['TP2']}_file": None,
        },
    )
    assert_refused(
        client.post(intake_url(birth_registration), data),
        "Chưa đánh dấu thành phần hồ sơ nào đã nhận.",
        "Chưa nhập họ và tên chủ hồ sơ.",
    )


def test_a_scan_for_an_unticked_component(client, staff, birth_registration):
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    data = valid_post(birth_registration, **{f"c{ids['TP2']}_received": None})
    assert_refused(
        client.post(intake_url(birth_registration), data),
        "Hãy đánh dấu “Đã nhận” cho thành phần này trước khi tải bản quét.",
    )


def test_service_refusal_is_shown_next_to_the_field(client, staff, birth_registration):
    client.force_login(staff.desk)
    data = valid_post(birth_registration, applicant_id_number="12!")
    html = assert_refused(
        client.post(intake_url(birth_registration), data),
        "Số giấy tờ tùy thân không hợp lệ",
    )
    assert 'value="12!"' in html


def test_a_bad_channel_is_refused(client, staff, birth_registration):
    client.force_login(staff.desk)
    data = valid_post(birth_registration, channel="2")  # online is not a desk channel
    assert_refused(client.post(intake_url(birth_registration), data), "Hình thức nộp không hợp lệ.")


def test_csrf_is_enforced(staff, birth_registration):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.desk)
    response = client.post(intake_url(birth_registration), valid_post(birth_registration))
    assert response.status_code == 403
    assert not Dossier.objects.exists()


def test_procedure_not_offered_by_the_unit_is_404(client, staff, tree, birth_registration):
    client.force_login(staff.desk)
    response = client.get("/tiep-nhan/11143/9.999999/")
    assert response.status_code == 404
    assert "không tiếp nhận thủ tục có mã 9.999999" in response.content.decode()


# --- reusing earlier applicant data ---------------------------------------------------------------


@pytest.fixture
def earlier(staff, tree, birth_registration):
    mine = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(
            name="Nguyễn Văn An",
            id_number=ID_NUMBER,
            phone="0912345678",
            address="Thôn Đông, xã Tiên Động",
        ),
    )
    theirs = services.dossier_receive(
        actor=staff.other_desk,
        unit=tree.cong_lac,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(
            name="Hoàng Văn Em", id_number="001077000222", phone="0988000111", address="Cộng Lạc"
        ),
    )
    return mine, theirs


def lookup(client, procedure, **fields):
    ids = component_ids(procedure)
    data = {"action": "lookup", f"c{ids['TP1']}_received": "on", **fields}
    return client.post(intake_url(procedure), data)


def test_lookup_fills_earlier_data_and_is_audited(
    client, staff, birth_registration, earlier, caplog
):
    mine, _ = earlier
    client.force_login(staff.desk)
    with caplog.at_level(logging.INFO, logger="motcua.audit"):
        response = lookup(
            client, birth_registration, applicant_id_number=f" {ID_NUMBER} ", summary="Khai sinh"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Nguyễn Văn An"' in html and 'value="0912345678"' in html
    assert 'value="Thôn Đông, xã Tiên Động"' in html
    assert mine.code in html
    # Ticks and typed text survive the lookup; nothing is created by it.
    ids = component_ids(birth_registration)
    assert f'name="c{ids["TP1"]}_received" id="id_c{ids["TP1"]}_received" checked' in html
    assert "Khai sinh</textarea>" in html
    assert Dossier.objects.count() == 2
    audit = [r.getMessage() for r in caplog.records if r.name == "motcua.audit"]
    assert any("action=applicant_lookup" in m and "found=True" in m for m in audit)
    assert not any(ID_NUMBER in m for m in audit)


def test_lookup_keeps_what_the_officer_typed(client, staff, birth_registration, earlier):
    client.force_login(staff.desk)
    html = lookup(
        client, birth_registration, applicant_id_number=ID_NUMBER, applicant_phone="0977000000"
    ).content.decode()
    assert 'value="0977000000"' in html and 'value="0912345678"' not in html
    assert 'value="Nguyễn Văn An"' in html


def test_lookup_never_reaches_outside_the_remit(client, staff, birth_registration, earlier):
    client.force_login(staff.desk)
    html = lookup(client, birth_registration, applicant_id_number="001077000222").content.decode()
    assert "Hoàng Văn Em" not in html and "0988000111" not in html
    assert "Không tìm thấy hồ sơ trước đây" in html


def test_lookup_is_a_post_and_never_a_get(client, staff, birth_registration, earlier):
    client.force_login(staff.desk)
    # A GET with the number in the address does nothing with it.
    html = client.get(
        intake_url(birth_registration), {"applicant_id_number": ID_NUMBER}
    ).content.decode()
    assert "Nguyễn Văn An" not in html


def test_no_role_user_gets_403(client, db, birth_registration):
    client.force_login(get_user_model().objects.create_user("khongvaitro"))
    assert client.get("/tiep-nhan/").status_code == 403


def test_every_error_is_shown_at_once(client, staff, birth_registration):
    """The form's own errors and the service's applicant rules in one round, each by its field."""
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    data = valid_post(
        birth_registration,
        applicant_id_number="12!",
        applicant_phone="abc",
        applicant_email="khong-phai-thu",
        **{
            f"c{ids['TP1']}_received": None,
            f"c{ids['TP2']}_received": None,
            f"c{ids['TP2']}_file": None,
        },
    )
    response = client.post(intake_url(birth_registration), data)
    form = response.context["form"]
    assert form.non_field_errors() == ["Chưa đánh dấu thành phần hồ sơ nào đã nhận."]
    assert "Số giấy tờ tùy thân không hợp lệ" in form.errors["applicant_id_number"][0]
    assert form.errors["applicant_phone"] == ["Số điện thoại không hợp lệ."]
    assert form.errors["applicant_email"] == ["Địa chỉ thư điện tử không hợp lệ."]
    assert not Dossier.objects.exists()


# --- required components ---------------------------------------------------------------------------


def test_missing_required_component_warns_then_offers_the_override(
    client, staff, birth_registration
):
    client.force_login(staff.desk)
    ids = component_ids(birth_registration)
    assert (
        "missing_components_reason"
        not in client.get(intake_url(birth_registration)).content.decode()
    )
    without = {f"c{ids['TP2']}_received": None, f"c{ids['TP2']}_file": None}
    response = client.post(
        intake_url(birth_registration), valid_post(birth_registration, **without)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có thành phần hồ sơ bắt buộc: Giấy chứng sinh." in html
    assert 'name="missing_components_reason"' in html
    assert Dossier.objects.count() == 0
    reason = "Công dân nộp giấy chứng sinh bản chính vào ngày mai"
    response = client.post(
        intake_url(birth_registration),
        valid_post(birth_registration, **without, missing_components_reason=reason),
    )
    assert response.status_code == 302
    event = Dossier.objects.get().events.get(kind="received")
    assert event.payload["missing_components_reason"] == reason
    assert [c["code"] for c in event.payload["missing_components"]] == ["TP2"]


# --- the portal payload's facts the desk knows -----------------------------------------------------


def test_the_desk_records_applicant_kind_and_code_and_where_it_was_handed_in(
    client, staff, tree, birth_registration
):
    client.force_login(staff.desk)
    page = client.get(intake_url(birth_registration)).content.decode()
    assert "Loại đối tượng" in page and "Doanh nghiệp" in page
    response = client.post(
        intake_url(birth_registration),
        valid_post(birth_registration, applicant_kind="2", applicant_code="0101234567"),
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_kind, dossier.applicant_code) == (2, "0101234567")
    assert dossier.filing_place == tree.tien_dong.name
    assert dossier.vneid_verified is False  # the desk checks no VNeID account


def test_without_a_kind_the_applicant_is_a_citizen(client, staff, birth_registration):
    client.force_login(staff.desk)
    client.post(intake_url(birth_registration), valid_post(birth_registration))
    assert Dossier.objects.get().applicant_kind == 1


def test_a_bad_applicant_kind_is_refused_next_to_its_field(client, staff, birth_registration):
    client.force_login(staff.desk)
    response = client.post(
        intake_url(birth_registration), valid_post(birth_registration, applicant_kind="9")
    )
    assert "Loại đối tượng không hợp lệ." in response.content.decode()
    assert not Dossier.objects.exists()
