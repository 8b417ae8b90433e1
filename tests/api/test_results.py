"""Results through the API: the metadata of a dossier's result, the signed PDF (a logged access to
personal data) and the verification of an uploaded PDF — the same answer as `motcua result verify`."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings

from motcua.api.services import system_token_create
from motcua.digitization.services import demo_signing_certificates_ensure
from motcua.dossiers import services
from motcua.privacy.models import PersonalDataAccess
from motcua.units.models import Role
from tests.portal.conftest import processing

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates(tree):
    return demo_signing_certificates_ensure(
        units=[(tree.tien_dong.code, tree.tien_dong.name)], default_unit=tree.tien_dong.code
    )


@pytest.fixture
def signed(staff, tree, birth_registration, certificates):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    dossier = services.dossier_forward(actor=staff.processor, dossier=dossier)
    return services.dossier_perform(
        actor=staff.leader,
        dossier=dossier,
        slug="resolve",
        expected_version=dossier.last_event_seq,
        inputs={"result_summary": "Cấp Giấy khai sinh bản chính", "electronic": True},
    )


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_metadata_names_the_signer_unit_and_delivery(staff, signed):
    client = Client()
    client.force_login(staff.desk)
    answer = client.get(f"/api/v1/dossiers/{signed.code}/result")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    document = signed.documents.get(kind="result")
    assert body["signed"] and body["electronic"] and body["resolved"] and body["download"]
    assert body["signer"] == "lanhdao.tiendong" and body["unit"]["code"] == "11143"
    assert body["sha256"] == document.sha256 and body["document_code"] == f"KQ.{signed.code}"
    assert body["delivery"] == signed.result_delivery and body["tracking_number"] == ""
    assert body["signed_at"] is not None and body["returned_at"] is None


def test_an_open_dossier_has_no_result_yet(staff, tree, birth_registration):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    client = Client()
    client.force_login(staff.desk)
    body = client.get(f"/api/v1/dossiers/{dossier.code}/result").json()
    assert not body["resolved"] and not body["signed"] and body["signer"] is None
    missing = client.get(f"/api/v1/dossiers/{dossier.code}/result/file")
    assert missing.status_code == 404 and missing.json()["code"] == "result_file_missing"


def test_download_is_the_stored_pdf_and_is_logged(staff, signed):
    client = Client()
    client.force_login(staff.desk)
    answer = client.get(f"/api/v1/dossiers/{signed.code}/result/file")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Cache-Control"] == "private, no-store"
    content = b"".join(answer.streaming_content)
    document = signed.documents.get(kind="result")
    assert content == document.file.open("rb").read()
    access = PersonalDataAccess.objects.get()
    assert access.user == staff.desk and access.dossier_code == signed.code
    assert access.document_id == document.pk


def test_another_communes_officer_reads_neither(staff, signed):
    client = Client()
    client.force_login(staff.other_desk)
    assert client.get(f"/api/v1/dossiers/{signed.code}/result").status_code == 403
    assert client.get(f"/api/v1/dossiers/{signed.code}/result/file").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def _verify(client, content: bytes, **extra):
    upload = SimpleUploadedFile("ket-qua.pdf", content, content_type="application/pdf")
    return client.post("/api/v1/results/verify", {"file": upload}, **extra)


def _command_answer(path) -> dict:
    out = StringIO()
    try:
        call_command("result", "verify", str(path), "--json", stdout=out)
    except SystemExit:
        pass
    return json.loads(out.getvalue())


def _api_answer(answer) -> dict:
    # The API always has `notice` (null unless a demo certificate signed); the command omits it.
    body = answer.json()
    if body.get("notice") is None:
        body.pop("notice", None)
    return body


def test_verify_answers_what_the_command_answers(tree, signed, tmp_path):
    _, raw = system_token_create(name="Cổng tỉnh", unit=tree.district, scope="read")
    content = signed.documents.get(kind="result").file.open("rb").read()
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(content)
    answer = _verify(Client(), content, **bearer(raw))
    # A read token may verify: the POST changes nothing.
    assert answer.status_code == 200, answer.content
    assert _api_answer(answer) == _command_answer(genuine)
    assert answer.json()["valid"] and answer.json()["dossier_code"] == signed.code

    tampered = bytearray(content)
    at = tampered.index(b"Cap") if b"Cap" in tampered else len(tampered) // 3
    tampered[at] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(tampered))
    refused = _verify(Client(), bytes(tampered), **bearer(raw))
    assert refused.status_code == 200 and not refused.json()["valid"]
    assert _api_answer(refused) == _command_answer(changed)

    garbage = _verify(Client(), b"MZ not a pdf", **bearer(raw))
    assert garbage.status_code == 200 and garbage.json()["code"] == "not_pdf"


def test_verify_refuses_a_file_over_the_limit_while_it_streams(tree):
    _, raw = system_token_create(name="Cổng tỉnh", unit=tree.district, scope="read")
    with override_settings(MOTCUA_VERIFY_MAX_BYTES=1000):
        answer = _verify(Client(), b"%PDF-1.7\n" + b"0" * 5000, **bearer(raw))
    assert answer.status_code == 413 and answer.json()["code"] == "file_too_large"
    assert answer.json()["field"] == "file"
    missing = Client().post("/api/v1/results/verify", {}, **bearer(raw))
    assert missing.status_code == 422 and missing.json()["field"] == "file"


def test_verify_needs_a_caller():
    answer = _verify(Client(), b"%PDF-1.7\n")
    assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"


def test_a_token_with_the_desk_role_downloads(tree, signed):
    _, raw = system_token_create(
        name="Một cửa tỉnh", unit=tree.district, scope="write", roles=[Role.DESK_OFFICER]
    )
    answer = Client().get(f"/api/v1/dossiers/{signed.code}/result/file", **bearer(raw))
    assert answer.status_code == 200
    assert PersonalDataAccess.objects.get().user.username.startswith("system.")
