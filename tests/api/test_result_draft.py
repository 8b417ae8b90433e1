"""The API's door to the drafted result: a multipart upload with `expected_version`, the same
service (and refusals) as the dossier page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.services import system_token_create
from motcua.digitization.selectors import dossier_result_draft
from motcua.units.models import Role
from tests.digitization.conftest import render_result_pdf
from tests.portal.conftest import processing

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return processing(staff=staff, tree=tree, procedure=birth_registration)


def token(tree, roles):
    name = "Xã " + "+".join(roles)
    _, raw = system_token_create(name=name, unit=tree.tien_dong, scope="write", roles=roles)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def upload(dossier, headers, content, *, version=None, name="du-thao.pdf"):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    data["expected_version"] = dossier.last_event_seq if version is None else version
    return Client().post(f"/api/v1/dossiers/{dossier.code}/result-draft", data, **headers)


def test_a_processor_uploads_a_draft(tree, dossier):
    response = upload(dossier, token(tree, [Role.PROCESSOR]), render_result_pdf())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["events"][-1]["kind"] == "result_drafted"
    assert body["events"][-1]["label"] == "Đính kèm dự thảo kết quả"
    assert dossier_result_draft(dossier=dossier) is not None


def test_refusals_carry_stable_codes(tree, dossier):
    processor = token(tree, [Role.PROCESSOR])
    bad = upload(dossier, processor, b"GIF89a not a pdf")
    assert bad.status_code == 400 and bad.json()["code"] == "scan_type_invalid"
    assert "PDF" in bad.json()["message"]
    stale = upload(dossier, processor, render_result_pdf(), version=0)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    desk = upload(dossier, token(tree, [Role.DESK_OFFICER]), render_result_pdf())
    assert desk.status_code == 403
    missing = Client().post(
        f"/api/v1/dossiers/{dossier.code}/result-draft",
        {"expected_version": dossier.last_event_seq},
        **processor,
    )
    assert missing.status_code in (400, 422) and "code" in missing.json()
    assert dossier_result_draft(dossier=dossier) is None


def test_a_draft_over_the_limit_is_cut_off_while_it_streams(tree, dossier, settings):
    """Like the page's upload: the handler swallows what passes the scans' limit, so a huge body
    is never held, and the answer is 413 with the field at fault."""
    settings.MOTCUA_SCAN_MAX_BYTES = 2000
    response = upload(dossier, token(tree, [Role.PROCESSOR]), b"%PDF-1.7\n" + b"0" * 50_000)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large" and response.json()["field"] == "file"
    assert dossier_result_draft(dossier=dossier) is None
