"""Feedback through the API: another system (the national portal's PAKN system, a hotline) hands in
what citizens sent it; the feedback service's rules answer, as at the desk."""

import json

import pytest
from django.test import Client

from motcua.feedback.models import Feedback, FeedbackChannel

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Nguyễn Văn An",
    "content": "Cán bộ hướng dẫn chưa đầy đủ thành phần hồ sơ.",
    "phone": "0912345678",
    "unit": "11143",
    "sent_at": "2026-11-20T09:00:00+07:00",
}


def _post(client, body):
    return client.post("/api/v1/feedback", json.dumps(body), content_type="application/json")


def test_an_officer_of_the_unit_hands_in_feedback_and_reads_it_back(staff, tree):
    client = Client()
    client.force_login(staff.desk)
    answer = _post(client, {**BODY, "category": "conduct"})
    assert answer.status_code == 201, answer.content
    item = Feedback.objects.get()
    assert answer.json()["code"] == item.reference and item.reference.startswith("PAKN-")
    assert item.channel == FeedbackChannel.API and item.unit == tree.tien_dong
    # The deadlines run from the citizen's sending, not from the API call.
    assert answer.json()["sent_at"].startswith("2026-11-20T")
    again = client.get(f"/api/v1/feedback/{item.reference}")
    assert again.status_code == 200 and again.json()["category"] == "conduct"


def test_refusals_have_a_code_and_write_nothing(staff, tree):
    client = Client()
    client.force_login(staff.desk)
    elsewhere = _post(client, {**BODY, "unit": "11140"})
    assert elsewhere.status_code == 403
    no_contact = _post(client, {**BODY, "phone": ""})
    assert no_contact.status_code == 400
    assert no_contact.json()["code"] == "feedback_contact_required"
    future = _post(client, {**BODY, "sent_at": "2099-01-01T08:00:00+07:00"})
    assert future.status_code == 400 and future.json()["code"] == "feedback_sent_in_future"
    unknown_unit = _post(client, {**BODY, "unit": "99999"})
    assert unknown_unit.status_code == 404 and unknown_unit.json()["code"] == "unit_not_found"
    bad_category = _post(client, {**BODY, "category": "other"})
    assert bad_category.status_code == 400
    assert not Feedback.objects.exists()
    missing = client.get("/api/v1/feedback/PAKN-999999")
    assert missing.status_code == 404 and missing.json()["code"] == "feedback_not_found"


def test_another_units_officer_does_not_see_it(staff, tree):
    client = Client()
    client.force_login(staff.desk)
    code = _post(client, BODY).json()["code"]
    other = Client()
    other.force_login(staff.other_desk)
    assert other.get(f"/api/v1/feedback/{code}").status_code == 404
