"""Hostile values in the pages' query strings (NUL, numbers past 64 bits, years 0001 and 9999,
oversized text, broken UTF-8) are answered 4xx or a page with a message, never a server error —
for an officer, a supervisor and an anonymous visitor."""

import pytest
from django.test import Client

HOSTILE = ["%00", "9" * 30, "0001-01-01", "9999-12-31", "x" * 20000, "-1", "%F0%28%8C%28"]
URLS = [
    "/cong-dich-vu/thu-tuc/?q={v}&page={v}&field={v}&level={v}",
    "/cong-dich-vu/tra-cuu/?code={v}&contact={v}",
    "/cong-dich-vu/thu-tuc/{v}/",
    "/giam-sat/?unit={v}",
    "/giam-sat/?unit=298&from={v}&to={v}&page={v}",
    "/giam-sat/xep-hang/?unit=298&from={v}&to={v}&page={v}",
    "/giam-sat/chi-so/online_dossiers/?unit=298&from={v}&page={v}",
    "/giam-sat/chi-so-766/1.4/?unit=298&from={v}&page={v}",
    "/giam-sat/tai-ve/bieu-06.xlsx?unit=298&from={v}&to={v}",
    "/ho-so/?page={v}&state={v}&channel={v}&procedure={v}&field={v}",
    "/ho-so/?received_from={v}&received_to={v}",
    "/tiep-nhan/?q={v}",
    "/tiep-nhan/11143/{v}/",
    "/xac-thuc-ket-qua/?ma={v}&khoa={v}",
]


@pytest.mark.parametrize("url", URLS)
def test_hostile_query_values_never_get_a_server_error(url, staff, tree, birth_registration):
    supervisor, desk = Client(), Client()
    supervisor.force_login(staff.supervisor)
    desk.force_login(staff.desk)
    failures = []
    for value in HOSTILE:
        for client in (supervisor, desk, Client()):
            response = client.get(url.format(v=value))
            if response.status_code >= 500:
                failures.append((url.format(v=value)[:100], response.status_code))
    assert not failures, failures


def test_nul_in_a_form_post_is_refused(staff, client):
    client.force_login(staff.desk)
    response = client.post("/ho-so/", "q=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    # Multipart forms are the views' to parse (upload caps first); their text fields refuse NUL.
    response = client.post("/ho-so/", {"q": "a\x00b"})
    assert response.status_code < 500
