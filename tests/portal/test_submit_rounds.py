"""The online filing form over several rounds: every error shown at once, and the valid files of a
failed round kept (per session, capped, expiring) so the citizen does not attach them again."""

import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.portal import held
from tests.e2e.helpers import tiny_pdf
from tests.portal.conftest import ELF, PDF, PNG, upload
from tests.portal.test_submit import URL, components, form_data

pytestmark = pytest.mark.django_db


def held_paths() -> list[str]:
    try:
        folders, _ = default_storage.listdir(held.ROOT)
    except FileNotFoundError:
        return []
    return [
        f"{held.ROOT}/{folder}/{name}"
        for folder in folders
        for name in default_storage.listdir(f"{held.ROOT}/{folder}")[1]
    ]


def text_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("component_")}


def test_every_error_is_shown_at_once(client, tree, birth_registration):
    data = form_data(
        tree,
        birth_registration,
        applicant_id_number="12!",
        applicant_phone="abc",
        applicant_email="khong-phai-thu",
        consent=None,
    )
    form = client.post(URL, data).context["form"]
    assert "Số giấy tờ tùy thân không hợp lệ" in form.errors["applicant_id_number"][0]
    assert form.errors["applicant_phone"] == ["Số điện thoại không hợp lệ."]
    assert form.errors["applicant_email"] == ["Địa chỉ thư điện tử không hợp lệ."]
    assert form.errors["consent"] == ["Vui lòng đánh dấu xác nhận cam đoan để nộp hồ sơ."]


def test_valid_files_are_kept_for_the_next_round_and_filed_with_it(
    client, tree, birth_registration
):
    tp1, tp2 = components(birth_registration)
    data = form_data(tree, birth_registration, consent=None)
    page = client.post(URL, data).content.decode()
    assert "Đã đính kèm: <strong>to-khai.pdf</strong>" in page
    assert "Đã đính kèm: <strong>giay-chung-sinh.png</strong>" in page
    assert "không cần đính kèm lại" in page
    assert held.ROOT not in page  # where the files are stays on the server
    assert len(held_paths()) == 2

    # The second round sends no file at all.
    response = client.post(URL, text_fields(form_data(tree, birth_registration)))
    assert response.status_code == 302, response.context["form"].errors
    dossier = Dossier.objects.get()
    stored = {d.component.code: d.file.read() for d in dossier.documents.all()}
    assert stored == {"TP1": PDF, "TP2": PNG}
    assert held_paths() == []  # filed: the kept copies are gone
    assert tp1 and tp2


def test_a_new_file_replaces_the_kept_one(client, tree, birth_registration):
    tp1, _tp2 = components(birth_registration)
    client.post(URL, form_data(tree, birth_registration, consent=None))
    other_pdf = PDF + b"% ban moi\n"
    data = text_fields(form_data(tree, birth_registration))
    data[tp1] = upload("to-khai-moi.pdf", other_pdf)
    assert client.post(URL, data).status_code == 302
    document = Dossier.objects.get().documents.get(component__code="TP1")
    assert document.file.read() == other_pdf


def test_an_invalid_new_file_drops_the_kept_one(client, tree, birth_registration):
    tp1, tp2 = components(birth_registration)
    client.post(URL, form_data(tree, birth_registration, consent=None))
    data = text_fields(form_data(tree, birth_registration))
    data[tp1] = upload("to-khai.pdf", ELF)
    form = client.post(URL, data).context["form"]
    assert tp1 in form.errors and tp2 not in form.errors  # TP2 is still kept
    response = client.post(URL, text_fields(form_data(tree, birth_registration)))
    assert response.context["form"].errors[tp1] == ["Vui lòng đính kèm tệp cho thành phần này."]


def test_kept_files_belong_to_their_session_only(client, tree, birth_registration):
    client.post(URL, form_data(tree, birth_registration, consent=None))
    stranger = Client()
    response = stranger.post(URL, text_fields(form_data(tree, birth_registration)))
    tp1, tp2 = components(birth_registration)
    assert set(response.context["form"].errors) >= {tp1, tp2}
    assert "Đã đính kèm" not in response.content.decode()
    assert not Dossier.objects.exists()


def test_kept_files_expire_and_are_swept(client, settings, tree, birth_registration):
    client.post(URL, form_data(tree, birth_registration, consent=None))
    assert len(held_paths()) == 2
    assert held.held_sweep(now=time.time() + 30) == 0  # still fresh
    settings.MOTCUA_PORTAL_HELD_SECONDS = 60
    assert held.held_sweep(now=time.time() + 120) == 2
    assert held_paths() == []
    # The session's list no longer finds them: the files must be attached again.
    response = client.post(URL, text_fields(form_data(tree, birth_registration)))
    assert response.status_code == 200 and not Dossier.objects.exists()


def test_expired_entries_are_not_used(client, settings, tree, birth_registration):
    client.post(URL, form_data(tree, birth_registration, consent=None))
    settings.MOTCUA_PORTAL_HELD_SECONDS = 0
    time.sleep(0.01)
    response = client.post(URL, text_fields(form_data(tree, birth_registration)))
    assert response.status_code == 200 and not Dossier.objects.exists()
    assert held_paths() == []  # deleted when found expired


def test_kept_files_stay_within_the_dossier_size_cap(client, settings, tree, birth_registration):
    settings.MOTCUA_PORTAL_MAX_FILE_BYTES = 4000
    settings.MOTCUA_PORTAL_MAX_DOSSIER_BYTES = 5000
    tp1, tp2 = components(birth_registration)
    data = form_data(
        tree,
        birth_registration,
        **{tp1: upload("a.pdf", tiny_pdf("x" * 3000)), tp2: upload("b.png", PNG + b"x" * 3000)},
    )
    page = client.post(URL, data).content.decode()
    # Each file is valid but together they pass the cap: the first is kept, the second is not.
    assert len(held_paths()) == 1
    assert "Đã đính kèm: <strong>a.pdf</strong>" in page and "b.png</strong>" not in page
    assert "Vui lòng chọn lại các tệp bị báo lỗi." in page


def test_a_reload_shows_the_kept_files(client, tree, birth_registration):
    client.post(URL, form_data(tree, birth_registration, consent=None))
    page = client.get(URL).content.decode()
    assert "Đã đính kèm: <strong>to-khai.pdf</strong>" in page
