"""Ratings through the API: a desk's kiosk or counter system records a citizen's rating per
criterion; who may, when and how long it may change are the rating service's rules."""

import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings

from motcua.api.services import system_token_create
from motcua.feedback.models import Rating, RatingChannel
from motcua.feedback.selectors import rating_criteria
from motcua.units.models import Role
from tests.portal.conftest import processing, returned

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, code, body, **extra):
    return client.post(
        f"/api/v1/dossiers/{code}/rating",
        json.dumps(body),
        content_type="application/json",
        **extra,
    )


def _scores(value: int) -> dict[str, int]:
    return {c.code: value for c in rating_criteria()}


@pytest.fixture
def kiosk(tree):
    _, raw = system_token_create(
        name="Máy đánh giá Tiên Động", unit=tree.tien_dong, scope="write", roles=[Role.DESK_OFFICER]
    )
    return bearer(raw)


@pytest.fixture
def done(staff, tree, birth_registration):
    return returned(staff=staff, tree=tree, procedure=birth_registration)


def test_the_kiosk_rates_then_changes_within_the_window(done, kiosk):
    client = Client()
    first = _post(client, done.code, {"scores": _scores(4), "comment": "Nhanh"}, **kiosk)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["rating"]["score"] == 4 and body["rating"]["channel"] == RatingChannel.KIOSK
    assert {c["score"] for c in body["criteria"]} == {4} and body["may_change"]
    scores = _scores(5)
    scores[next(iter(scores))] = 2
    again = _post(client, done.code, {"scores": scores}, **kiosk)
    assert again.status_code == 200
    rating = Rating.objects.get(dossier=done)
    assert rating.changes == 1
    assert rating.score == round(sum(scores.values()) / len(scores) + 1e-9)
    read = client.get(f"/api/v1/dossiers/{done.code}/rating", **kiosk).json()
    assert read["rating"]["score"] == rating.score
    assert {c["code"]: c["score"] for c in read["criteria"]} == scores


def test_refusals_carry_the_services_codes(staff, tree, birth_registration, done, kiosk):
    client = Client()
    open_dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    early = _post(client, open_dossier.code, {"scores": _scores(5)}, **kiosk)
    assert early.status_code == 409 and early.json()["code"] == "rating_not_returned"
    partial = dict(list(_scores(5).items())[:1])
    missing = _post(client, done.code, {"scores": partial}, **kiosk)
    assert missing.status_code == 400 and missing.json()["code"] == "rating_score_missing"
    out_of_range = _post(client, done.code, {"scores": _scores(9)}, **kiosk)
    assert out_of_range.status_code == 400
    assert out_of_range.json()["code"] == "rating_score_invalid"
    no_version = _post(client, done.code, {"comment": "x"}, **kiosk)
    assert no_version.status_code == 422 and no_version.json()["field"] == "scores"
    assert not Rating.objects.exists()


def test_the_window_closes(done, kiosk):
    client = Client()
    assert _post(client, done.code, {"scores": _scores(3)}, **kiosk).status_code == 201
    rating = Rating.objects.get()
    Rating.objects.filter(pk=rating.pk).update(created_at=rating.created_at - timedelta(days=8))
    with override_settings(MOTCUA_RATING_CHANGE_DAYS=7):
        late = _post(client, done.code, {"scores": _scores(1)}, **kiosk)
        assert late.status_code == 409 and late.json()["code"] == "rating_exists"
        assert not client.get(f"/api/v1/dossiers/{done.code}/rating", **kiosk).json()["may_change"]
    assert Rating.objects.get().score == 3


def test_only_the_desk_of_the_dossier_records(tree, staff, done):
    # A processor sees the dossier but is no desk; another commune's desk does not see it.
    processor = Client()
    processor.force_login(staff.processor)
    assert processor.get(f"/api/v1/dossiers/{done.code}/rating").status_code == 200
    refused = _post(processor, done.code, {"scores": _scores(5)})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    other = Client()
    other.force_login(staff.other_desk)
    assert _post(other, done.code, {"scores": _scores(5)}).status_code == 403
    _, reader = system_token_create(name="Đọc", unit=tree.district, scope="read")
    read_only = _post(Client(), done.code, {"scores": _scores(5)}, **bearer(reader))
    assert read_only.status_code == 403 and read_only.json()["code"] == "token_read_only"
    assert not Rating.objects.exists()


def test_a_replayed_key_rates_once(done, kiosk):
    client = Client()
    key = {"HTTP_IDEMPOTENCY_KEY": "kiosk-42"}
    first = _post(client, done.code, {"scores": _scores(5)}, **kiosk, **key)
    replay = _post(client, done.code, {"scores": _scores(5)}, **kiosk, **key)
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert Rating.objects.get().changes == 0
