"""Idempotency-Key replays, the one error shape, hostile values (4xx never 5xx), cursor pages,
intake through the API."""

import json

import pytest
from django.test import Client

from motcua.api.models import IdempotentRequest
from motcua.api.services import system_token_create
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from tests.conftest import handed_in, local


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Ngô Văn K", id_number="001099012345"),
        at=local(2024, 3, 4, 8),
    )


@pytest.fixture
def writer(tree):
    _, raw = system_token_create(
        name="Xã",
        unit=tree.tien_dong,
        scope="write",
        roles=[Role.DESK_OFFICER, Role.PROCESSOR],
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, headers, key=None):
    extra = dict(headers)
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_a_replay_returns_the_first_answer_and_acts_once(dossier, writer):
    client = Client()
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    first = post(client, url, {"expected_version": 1, "note": "Chuyển"}, writer, key="k-1")
    again = post(client, url, {"expected_version": 1, "note": "Chuyển"}, writer, key="k-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2
    other = post(client, url, {"expected_version": 1, "note": "Khác"}, writer, key="k-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # Without a key the same body is a new request: stale now.
    stale = post(client, url, {"expected_version": 1, "note": "Chuyển"}, writer)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"


def test_kept_answers_are_forgotten_after_the_days_set(dossier, writer, settings):
    from datetime import timedelta

    from motcua.api.services import idempotent_requests_sweep
    from motcua.core import timeutil

    settings.MOTCUA_IDEMPOTENCY_KEEP_DAYS = 7
    client = Client()
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    post(client, url, {"expected_version": 1, "note": "Chuyển"}, writer, key="k-old")
    IdempotentRequest.objects.filter(key="k-old").update(
        created_at=timeutil.now() - timedelta(days=8)
    )
    post(client, url, {"expected_version": 2, "note": "Lại"}, writer, key="k-new")
    assert idempotent_requests_sweep() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["k-new"]
    settings.MOTCUA_IDEMPOTENCY_KEEP_DAYS = 0  # keep them all
    assert idempotent_requests_sweep(now=timeutil.now() + timedelta(days=365)) == 0


def test_a_refusal_is_replayed_too_and_a_server_failure_is_not_kept(dossier, writer, monkeypatch):
    client = Client()
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    refused = post(client, url, {"expected_version": 7}, writer, key="k-2")
    assert refused.status_code == 409
    assert post(client, url, {"expected_version": 7}, writer, key="k-2").json() == refused.json()

    from motcua.api import views

    real = views.services.dossier_perform

    def boom(**kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(views.services, "dossier_perform", boom)
    assert post(client, url, {"expected_version": 1}, writer, key="k-3").status_code == 500
    assert not IdempotentRequest.objects.filter(key="k-3").exists()
    monkeypatch.setattr(views.services, "dossier_perform", real)
    assert post(client, url, {"expected_version": 1}, writer, key="k-3").status_code == 200


def test_keys_belong_to_their_caller(dossier, writer, staff):
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    assert post(Client(), url, {"expected_version": 1}, writer, key="same").status_code == 200
    session = Client()
    session.force_login(staff.processor)
    answer = post(session, url, {"expected_version": 1}, {}, key="same")
    assert answer.status_code == 409  # not the token's kept answer


HOSTILE_GETS = [
    "/api/v1/dossiers?cursor=" + "9" * 40,
    "/api/v1/dossiers?cursor=%00",
    "/api/v1/dossiers?limit=18446744073709551617",
    "/api/v1/dossiers?state=99999999999999999999999",
    "/api/v1/dossiers?received_from=0001-01-01",
    "/api/v1/dossiers?received_to=9999-12-31",
    "/api/v1/inbox?page=18446744073709551617",
    "/api/v1/inbox?page=-1",
    "/api/v1/dossiers/A%00B",
    "/api/v1/indicators/rates?unit=298&start=0001-01-01&end=9999-12-31",
    "/api/v1/indicators/rates/online_dossiers/dossiers?unit=298&start=2024-01-01&end=2024-02-01&page=99999999999999999999",
    "/api/v1/procedures?q=" + "x" * 5000,
    "/api/v1/units?under=%00",
    "/api/v1/nowhere",
    "/api/v1/reports/form06?unit=298&start=9999-12-31&end=9999-12-31",
]


@pytest.mark.parametrize("url", HOSTILE_GETS)
def test_hostile_values_get_4xx_in_the_error_shape(url, tree, staff):
    client = Client()
    client.force_login(staff.supervisor)
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.content[:300])
    body = response.json()
    assert {"code", "message"} <= set(body) and "field" in body


def test_hostile_bodies_get_4xx(dossier, writer):
    client = Client()
    url = f"/api/v1/dossiers/{dossier.code}/actions/request_supplement"
    for body in (
        {"expected_version": 1, "content": "a\u0000b"},
        {"expected_version": 1, "content": "x" * 100_000},
        {"expected_version": 2**70},
        {"expected_version": 1, "new_due_at": "0001-01-01T00:00:00"},
    ):
        response = post(client, url, body, writer)
        assert 400 <= response.status_code < 500, (body, response.content[:200])
        assert response.json()["code"]
    response = client.post(url, b"\xff\xfe{", content_type="application/json", **writer)
    assert 400 <= response.status_code < 500
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 1


def test_the_validation_error_names_the_field(dossier, writer):
    response = post(Client(), f"/api/v1/dossiers/{dossier.code}/actions/forward", {}, writer)
    assert response.status_code == 422
    assert response.json()["field"] == "expected_version"


def test_hostile_values_on_pages_get_4xx(staff, client):
    client.force_login(staff.desk)
    for url in (
        "/ho-so/?q=%00",
        "/ho-so/?page=99999999999999999999999",
        "/ho-so/?received_from=0001-01-01&received_to=9999-12-31",
        "/ho-so/A%00B/",
        "/cong-dich-vu/?q=%00",
    ):
        response = client.get(url)
        assert 200 <= response.status_code < 500, (url, response.status_code)
    client.force_login(staff.supervisor)
    response = client.get("/giam-sat/?unit=298&from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200


def test_cursor_pages_walk_every_dossier_once(staff, tree, birth_registration):
    codes = {
        services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name=f"Người {i}"),
            at=local(2024, 3, 4, 8, i),
        ).code
        for i in range(7)
    }
    client = Client()
    client.force_login(staff.supervisor)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/dossiers?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [item["code"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 7 and set(seen) == codes
    filtered = client.get("/api/v1/dossiers?unit=11140").json()
    assert filtered["items"] == []


def test_intake_through_the_api_every_channel(tree, writer, birth_registration):
    client = Client()
    body = {
        "channel": 1,
        "unit": "11143",
        "procedure": birth_registration.code,
        "applicant": {"name": "Trần Thị B", "id_number": "001099012346"},
        "components": ["TP1", "TP2"],
    }
    desk = post(client, "/api/v1/dossiers", body, writer, key="intake-1")
    assert desk.status_code == 201, desk.content
    assert desk.json()["state"] == 2 and desk.json()["channel"] == 1
    replay = post(client, "/api/v1/dossiers", body, writer, key="intake-1")
    assert replay.status_code == 201 and replay.json()["code"] == desk.json()["code"]
    assert Dossier.objects.count() == 1
    online = post(client, "/api/v1/dossiers", {**body, "channel": 2}, writer)
    assert online.status_code == 201 and online.json()["state"] == 1
    postal = post(client, "/api/v1/dossiers", {**body, "channel": 3}, writer)
    assert postal.status_code == 201 and postal.json()["channel"] == 3
    missing = post(client, "/api/v1/dossiers", {**body, "components": ["TP1"]}, writer)
    assert missing.status_code == 400 and missing.json()["code"] == "component_required"
    unknown = post(client, "/api/v1/dossiers", {**body, "components": ["ZZ"]}, writer)
    assert unknown.status_code == 400 and unknown.json()["field"] == "components"
    elsewhere = post(client, "/api/v1/dossiers", {**body, "unit": "11140"}, writer)
    assert elsewhere.status_code == 403


def test_documents_payments_procedures_units_reports(staff, tree, dossier, birth_registration):
    client = Client()
    client.force_login(staff.supervisor)
    documents = client.get(f"/api/v1/dossiers/{dossier.code}/documents").json()
    assert {d["component_code"] for d in documents} == {"TP1", "TP2"}
    payments = client.get(f"/api/v1/dossiers/{dossier.code}/payments").json()
    assert payments["fee_total"] == 8000
    procedures = client.get("/api/v1/procedures?q=khai sinh").json()
    assert [p["code"] for p in procedures["items"]] == [birth_registration.code]
    detail = client.get(f"/api/v1/procedures/{birth_registration.code}").json()
    assert [c["code"] for c in detail["components"]] == ["TP1", "TP2"]
    units = client.get("/api/v1/units?under=298").json()
    assert {u["code"] for u in units} == {"298", "298-TP", "11143", "11140"}
    rates = client.get("/api/v1/reports/rates?unit=298&start=2024-03-01&end=2024-03-31")
    assert rates.status_code == 200 and rates.json()["unit"]["code"] == "298"
    form06 = client.get("/api/v1/reports/form06?unit=298&start=2024-03-01&end=2024-03-31")
    assert form06.status_code == 200


def test_every_operation_documents_the_error_shape(staff):
    client = Client()
    client.force_login(staff.desk)
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422", "500"):
                assert status in operation["responses"], (method, path, status)
    error = document["components"]["schemas"]["Error"]
    assert {"code", "message", "field", "details"} <= set(error["properties"])
    assert "BearerAuth" in json.dumps(document["components"]["securitySchemes"]) or (
        "SystemTokenAuth" in json.dumps(document["components"]["securitySchemes"])
    )


def test_errors_made_around_the_handlers_have_the_shape_too(staff, dossier):
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.desk)
    csrf = client.post(url, {"expected_version": 1}, content_type="application/json")
    assert csrf.status_code == 403 and csrf.json()["code"] and csrf.json()["message"]
    wrong_method = client.delete(f"/api/v1/dossiers/{dossier.code}")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed" and "Allow" in wrong_method
    too_big = client.post(
        url, b'{"note": "' + b"x" * 3_000_000 + b'"}', content_type="application/json"
    )
    assert 400 <= too_big.status_code < 500 and too_big.json()["code"]


def test_the_scorecard_endpoint_prints_what_the_command_prints(staff, tree, dossier):
    from io import StringIO

    from django.core.management import call_command

    client = Client()
    client.force_login(staff.supervisor)
    answer = client.get("/api/v1/reports/scorecard?unit=298&start=2024-03-01&end=2024-03-31")
    assert answer.status_code == 200
    out = StringIO()
    call_command(
        "scorecard",
        "--unit",
        "298",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--json",
        stdout=out,
    )
    assert answer.json() == json.loads(out.getvalue())
    assert answer.json()["version"] == "qd766"
    older = client.get(
        "/api/v1/reports/scorecard?unit=298&start=2024-03-01&end=2024-03-31&version=portal-2024"
    )
    assert older.status_code == 200 and older.json()["version"] == "portal-2024"
    unknown = client.get(
        "/api/v1/reports/scorecard?unit=298&start=2024-03-01&end=2024-03-31&version=nope"
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "scorecard_version_unknown"
    assert unknown.json()["field"] == "version"
