"""The filing page's optional step "Dùng giấy tờ đã có trong kho dữ liệu": ask for a code, enter
it, tick a held document instead of uploading, file — and every way of getting around it refused
in Vietnamese without writing anything."""

import io
import json
import time

import pytest

from motcua.core import timeutil
from motcua.digitization.models import HeldDocumentAccess
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.interchange.services import interchange_export
from motcua.notifications.models import MessageKind, Notification
from motcua.portal import access
from motcua.portal.models import StoreCode
from tests.portal.conftest import ID_NUMBER, code_sent_in
from tests.portal.test_submit import form_data

pytestmark = pytest.mark.django_db

URL = "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/"
STORE = URL + "kho-du-lieu/"
OTHER = "001088000111"


@pytest.fixture(autouse=True)
def _channels(settings):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email", "sms"]
    settings.MOTCUA_SMS_BACKEND = "log"


def ask_code(client, number=ID_NUMBER):
    return client.post(STORE, {"action": "send", "id_number": number})


def latest_code() -> str:
    return code_sent_in(Notification.objects.filter(kind=MessageKind.STORE_CODE).latest("pk"))


def verified(client, number=ID_NUMBER):
    assert ask_code(client, number).status_code == 302
    response = client.post(STORE, {"action": "verify", "code": latest_code()})
    assert response.status_code == 302
    return response


def reuse_data(tree, procedure, held, **overrides):
    tp2 = procedure.components.get(code="TP2")
    return form_data(
        tree,
        procedure,
        **{f"component_{tp2.pk}": None, f"reuse_{tp2.pk}": str(held.pk), **overrides},
    )


def test_the_step_is_offered_and_nothing_held_shows_before_the_code(
    client, tree, birth_registration, held_certificate
):
    content = client.get(URL).content.decode()
    assert "Dùng giấy tờ đã có trong kho dữ liệu" in content
    assert "Gửi mã xác thực" in content
    assert "reuse_" not in content and "Dùng giấy tờ đã có:" not in content
    assert not HeldDocumentAccess.objects.filter(action="offered").exists()


def test_code_then_offer_then_filing_with_reuse(client, tree, birth_registration, held_certificate):
    sent = ask_code(client)
    assert sent.status_code == 302 and sent["Location"] == URL
    page = client.get(URL).content.decode()
    assert "mã xác thực đã được gửi" in page and "********2345" in page
    assert "Xác nhận mã" in page
    # The code went to the phone on record, not to anything typed here.
    assert Notification.objects.get(kind=MessageKind.STORE_CODE).address == "0987654321"

    assert client.post(STORE, {"action": "verify", "code": latest_code()}).status_code == 302
    page = client.get(URL).content.decode()
    tp2 = birth_registration.components.get(code="TP2")
    assert "không phải tài khoản VNeID" in page
    assert f'name="reuse_{tp2.pk}"' in page and f'value="{held_certificate.pk}"' in page
    assert "Dùng giấy tờ đã có: Giấy chứng sinh" in page and "********2345" in page
    assert f'value="{ID_NUMBER}"' in page  # the verified number fills the applicant's
    assert HeldDocumentAccess.objects.filter(action="offered", owner_id_number=ID_NUMBER).exists()

    response = client.post(URL, reuse_data(tree, birth_registration, held_certificate))
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.filter(channel=2).get()
    document = dossier.documents.get(component=tp2)
    assert document.reused and document.digitization_source == "reused"
    assert document.file.name == held_certificate.file.name
    assert dossier.data_reused and not dossier.vneid_verified
    assert HeldDocumentAccess.objects.filter(action="reused", dossier_code=dossier.code).exists()
    # The verification served this filing only.
    assert access.STORE_VERIFIED_KEY not in client.session

    # Once the desk accepts it, the export says the component was reused.
    services.dossier_accept(actor=staff_desk(), dossier=dossier)
    out = io.StringIO()
    today = timeutil.local_date(timeutil.now())
    interchange_export(unit=tree.district, start=today, end=today, out=out)
    record = next(
        r for r in map(json.loads, out.getvalue().splitlines()) if r.get("MaHoSo") == dossier.code
    )
    flags = {d["MaThanhPhanHoSo"]: d["DuocTaiSuDung"] for d in record["TaiLieuNop"]}
    assert flags == {"TP1": "0", "TP2": "1"}


def staff_desk():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="tiepnhan.tiendong")


# --- refusals --------------------------------------------------------------------------------


def test_reuse_without_a_verified_code_is_refused(
    client, tree, birth_registration, held_certificate
):
    response = client.post(URL, reuse_data(tree, birth_registration, held_certificate))
    assert response.status_code == 200
    assert "Chưa xác thực mã một lần" in response.content.decode()
    assert not Dossier.objects.filter(channel=2).exists()


def test_reuse_after_the_verification_ran_out_is_refused(
    client, tree, birth_registration, held_certificate
):
    verified(client)
    session = client.session
    session[access.STORE_VERIFIED_KEY] = {"number": ID_NUMBER, "until": time.time() - 1}
    session.save()
    response = client.post(URL, reuse_data(tree, birth_registration, held_certificate))
    assert "Chưa xác thực mã một lần" in response.content.decode()
    assert not Dossier.objects.filter(channel=2).exists()


def test_someone_elses_document_is_refused(
    client, staff, tree, birth_registration, held_certificate, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from motcua.digitization.models import HeldDocument
    from motcua.dossiers.services import Applicant, ReceivedComponent
    from tests.e2e.helpers import tiny_pdf

    tp2 = birth_registration.components.get(code="TP2")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=Applicant(name="Trần Văn Khác", id_number=OTHER, phone="0911111111"),
            components=[
                ReceivedComponent(
                    "Giấy chứng sinh",
                    component=tp2,
                    file=ContentFile(tiny_pdf("khac"), name="k.pdf"),
                )
            ],
            missing_components_reason="Tờ khai nộp sau",
        )
    theirs = HeldDocument.objects.get(owner_id_number=OTHER)
    verified(client)  # the citizen's own number
    response = client.post(URL, reuse_data(tree, birth_registration, theirs))
    assert response.status_code == 200
    assert "không thuộc người nộp" in response.content.decode()
    assert not Dossier.objects.filter(channel=2).exists()
    assert not HeldDocumentAccess.objects.filter(held=theirs, action="reused").exists()


def test_an_applicant_number_other_than_the_verified_one_is_refused(
    client, tree, birth_registration, held_certificate
):
    verified(client)
    response = client.post(
        URL,
        reuse_data(tree, birth_registration, held_certificate, applicant_id_number=OTHER),
    )
    assert "khác số định danh đã xác thực" in response.content.decode()
    assert not Dossier.objects.filter(channel=2).exists()


def test_a_wrong_code_is_refused(client, birth_registration, held_certificate):
    ask_code(client)
    wrong = "000000" if latest_code() != "000000" else "111111"
    response = client.post(STORE, {"action": "verify", "code": wrong})
    assert response.status_code == 400
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.content.decode()
    assert access.store_verified_number(request=_request(client)) is None


def test_a_code_without_asking_first_is_refused(client, birth_registration):
    response = client.post(STORE, {"action": "verify", "code": "123456"})
    assert response.status_code == 400
    assert "Chưa yêu cầu mã xác thực" in response.content.decode()


def test_a_code_asked_in_another_session_does_not_count(
    client, birth_registration, held_certificate
):
    from django.test import Client

    other = Client()
    ask_code(other)
    ask_code(client)
    # The citizen's session enters the other session's code: it is not this session's code.
    codes = [code_sent_in(n) for n in Notification.objects.order_by("pk")]
    if codes[0] == codes[1]:
        pytest.skip("both codes drawn alike (1 in a million)")
    response = client.post(STORE, {"action": "verify", "code": codes[0]})
    assert response.status_code == 400


def test_a_bad_number_is_refused(client, birth_registration):
    response = ask_code(client, "12!")
    assert response.status_code == 400
    assert "Số định danh cá nhân không hợp lệ" in response.content.decode()
    assert not StoreCode.objects.exists()


def test_too_many_codes_are_throttled(client, birth_registration, held_certificate):
    for _ in range(3):
        assert ask_code(client).status_code == 302
    response = ask_code(client)
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()
    assert StoreCode.objects.count() == 3


def test_too_many_wrong_codes_are_throttled(settings, client, birth_registration, held_certificate):
    settings.MOTCUA_PORTAL_STORE_MAX_FAILURES = 2
    ask_code(client)
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(STORE, {"action": "verify", "code": wrong}).status_code == 400
    assert client.post(STORE, {"action": "verify", "code": wrong}).status_code == 400
    # Blocked now, even the right code.
    response = client.post(STORE, {"action": "verify", "code": code})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


def test_stop_using_the_store(client, birth_registration, held_certificate):
    verified(client)
    assert client.post(STORE, {"action": "forget"}).status_code == 302
    assert "reuse_" not in client.get(URL).content.decode()


def _request(client):
    from types import SimpleNamespace

    return SimpleNamespace(session=client.session)
