"""The REST API: same rules as the pages, stable machine codes, Vietnamese messages."""

import json

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
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


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_gets_a_machine_code(dossier):
    response = Client().get(f"/api/v1/dossiers/{dossier.code}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_detail_masks_the_id_number_and_lists_actions(staff, dossier):
    response = client_for(staff.desk).get(f"/api/v1/dossiers/{dossier.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["applicant_id_masked"] == "********2345"
    assert "001099012345" not in response.content.decode()
    assert body["version"] == 1 and body["state"] == 2
    assert "forward" in body["available_actions"]
    assert body["events"][0]["kind"] == "received"
    assert body["steps"][0]["unit"]["code"] == "11143"


def test_other_commune_is_refused_and_unknown_is_not_found(staff, dossier):
    response = client_for(staff.other_desk).get(f"/api/v1/dossiers/{dossier.code}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "Ngô Văn K" not in response.content.decode()
    response = client_for(staff.desk).get("/api/v1/dossiers/KHONG-CO")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_actions_with_version_conflict_and_illegal_transition(staff, dossier):
    client = client_for(staff.desk)
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    response = client.post(
        f"{url}/forward", json.dumps({"expected_version": 1}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.PROCESSING
    stale = client_for(staff.processor).post(
        f"{url}/request_supplement",
        json.dumps({"expected_version": 1, "content": "Thiếu"}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    illegal = client.post(
        f"{url}/return_result",
        json.dumps({"expected_version": 2}),
        content_type="application/json",
    )
    assert illegal.status_code in (403, 409)
    missing = client_for(staff.processor).post(
        f"{url}/request_supplement",
        json.dumps({"expected_version": 2, "content": " "}),
        content_type="application/json",
    )
    assert missing.status_code == 400 and missing.json()["code"] == "supplement_content_required"
    unknown = client.post(
        f"{url}/fly", json.dumps({"expected_version": 2}), content_type="application/json"
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "action_unknown"
    bad_json = client.post(f"{url}/forward", "{", content_type="application/json")
    assert bad_json.status_code in (400, 422)
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 2


def test_actions_need_the_csrf_token(staff, dossier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.desk)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/forward", "{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED


def test_rates_and_drilldown_agree(staff, tree, birth_registration, dossier):
    services.dossier_submit_online(
        unit=tree.cong_lac,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="L"),
        at=local(2024, 3, 4, 9),
    )
    online = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="M"),
        at=local(2024, 3, 4, 9),
    )
    services.dossier_accept(actor=staff.desk, dossier=online, at=local(2024, 3, 4, 10))
    client = client_for(staff.supervisor)
    query = "unit=298&start=2024-03-01&end=2024-03-31"
    rates = client.get(f"/api/v1/indicators/rates?{query}").json()
    assert rates["online_dossiers"] == {"numerator": 1, "denominator": 2, "percent": 50.0}
    page = client.get(f"/api/v1/indicators/rates/online_dossiers/dossiers?{query}").json()
    assert page["denominator"] == len(page["items"]) == 2
    assert sum(item["in_numerator"] for item in page["items"]) == page["numerator"] == 1
    assert {item["code"] for item in page["items"] if item["in_numerator"]} == {online.code}
    # A commune officer may not read the district's figures; a bad period is explained.
    assert client_for(staff.other_desk).get(f"/api/v1/indicators/rates?{query}").status_code == 403
    bad = client.get("/api/v1/indicators/rates?unit=298&start=2024-03-31&end=2024-03-01")
    assert bad.status_code == 400 and bad.json()["code"] == "period_invalid"
    assert (
        client.get("/api/v1/indicators/rates?unit=298&start=xx&end=2024-03-01").status_code == 422
    )


def test_openapi_document_is_served(staff):
    response = client_for(staff.desk).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/dossiers/{code}" in paths
    assert "/api/v1/indicators/rates/{metric}/dossiers" in paths


def test_every_action_needs_the_version_seen(staff, dossier):
    """Without `expected_version` an action could overwrite a change its caller never saw."""
    client = client_for(staff.desk)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/forward", "{}", content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed" and "expected_version" in json.dumps(body)
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == dossier.last_event_seq


def test_two_racing_forwards_one_wins(staff, dossier):
    client = client_for(staff.desk)
    url = f"/api/v1/dossiers/{dossier.code}/actions/forward"
    first = client.post(url, {"expected_version": 1}, content_type="application/json")
    second = client.post(url, {"expected_version": 1}, content_type="application/json")
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["code"] == "stale_version"
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 2


def test_an_unexpected_failure_has_the_same_error_shape(staff, dossier, monkeypatch):
    from motcua.api import views

    def boom(**kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(views.services, "dossier_perform", boom)
    response = client_for(staff.desk).post(
        f"/api/v1/dossiers/{dossier.code}/actions/forward",
        {"expected_version": 1},
        content_type="application/json",
    )
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "RuntimeError" not in response.content.decode()


def test_the_openapi_document_lists_the_validation_error(staff):
    document = client_for(staff.desk).get("/api/v1/openapi.json").json()
    action = document["paths"]["/api/v1/dossiers/{code}/actions/{action}"]["post"]
    assert "422" in action["responses"]
