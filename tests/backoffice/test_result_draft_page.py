"""The dossier page's drafted result: the processing officer attaches (or generates) it, bad files
get a Vietnamese message and change nothing, others see no form and are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.digitization.selectors import dossier_result_draft
from motcua.dossiers.models import Dossier
from tests.digitization.conftest import render_result_pdf
from tests.portal.conftest import processing

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return processing(staff=staff, tree=tree, procedure=birth_registration)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, dossier, **data):
    return client.post(
        f"/ho-so/{dossier.code}/du-thao-ket-qua/",
        {"expected_version": dossier.last_event_seq, **data},
        follow=True,
    )


def messages_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_processor_attaches_a_draft_and_sees_it(staff, dossier):
    client = client_for(staff.processor)
    page = client.get(f"/ho-so/{dossier.code}/")
    assert (
        'id="result-draft"' in page.content.decode() and "Đính kèm dự thảo" in page.content.decode()
    )
    pdf = SimpleUploadedFile("du-thao.pdf", render_result_pdf(), content_type="application/pdf")
    response = post(client, dossier, draft=pdf)
    assert any("Đã đính kèm dự thảo kết quả" in m for m in messages_in(response))
    draft = dossier_result_draft(dossier=dossier)
    assert draft is not None
    html = response.content.decode()
    assert f'data-draft-id="{draft.pk}"' in html and "Thay dự thảo kết quả" in html
    assert "Đính kèm dự thảo kết quả" in html  # the timeline's label
    opened = client.get(f"/ho-so/{dossier.code}/giay-to/{draft.pk}/")
    assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ket-qua.pdf", b"MZ\x90\x00 not a pdf", "chỉ nhận bản quét dạng PDF, JPEG hoặc PNG"),
        ("ket-qua.pdf", b"%PDF-1.7 broken", "không đọc được"),
    ],
)
def test_a_bad_file_is_explained_and_nothing_recorded(staff, dossier, name, content, message):
    client = client_for(staff.processor)
    response = post(client, dossier, draft=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert any(message in m for m in messages_in(response)), messages_in(response)
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == dossier.last_event_seq
    assert dossier_result_draft(dossier=dossier) is None


def test_no_file_chosen_is_explained(staff, dossier):
    response = post(client_for(staff.processor), dossier)
    assert "Chưa chọn tệp dự thảo kết quả (PDF)." in messages_in(response)


def test_a_stale_form_is_refused(staff, dossier):
    client = client_for(staff.processor)
    response = client.post(
        f"/ho-so/{dossier.code}/du-thao-ket-qua/",
        {
            "expected_version": dossier.last_event_seq - 1,
            "draft": SimpleUploadedFile("a.pdf", render_result_pdf()),
        },
        follow=True,
    )
    assert any("vừa được người khác cập nhật" in m for m in messages_in(response))
    assert dossier_result_draft(dossier=dossier) is None


def test_the_desk_sees_no_form_and_is_refused(staff, dossier):
    client = client_for(staff.desk)
    assert 'id="result-draft"' not in client.get(f"/ho-so/{dossier.code}/").content.decode()
    response = post(client, dossier, draft=SimpleUploadedFile("a.pdf", render_result_pdf()))
    assert any("Bạn không có quyền" in m for m in messages_in(response))
    assert dossier_result_draft(dossier=dossier) is None


def test_generating_from_the_default_template(staff, dossier):
    client = client_for(staff.processor)
    response = post(client, dossier, generate="1", result_summary="Cấp giấy khai sinh")
    assert any("Đã đính kèm dự thảo kết quả" in m for m in messages_in(response))
    draft = dossier_result_draft(dossier=dossier)
    assert draft is not None and draft.file.read().startswith(b"%PDF-")
    empty = post(client, Dossier.objects.get(pk=dossier.pk), generate="1", result_summary="")
    assert "Chưa nhập nội dung kết quả." in messages_in(empty)
