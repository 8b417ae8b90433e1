"""Queries per page stay bounded and do not grow with the rows shown: an N+1 (one more query for
each dossier, event, document or procedure on the page) fails here. The load run
(scripts/reliability/load.py) drives these pages; docs/reliability.md, "Load", has the counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local

pytestmark = pytest.mark.django_db


def _file(staff, tree, procedure, n: int):
    dossiers = []
    for i in range(n):
        dossier = services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=procedure,
            components=handed_in(procedure),
            applicant=Applicant(name=f"Người {i}", phone=f"091234{i:04d}"),
            at=local(2024, 3, 4, 8, i),
        )
        dossiers.append(services.dossier_forward(actor=staff.desk, dossier=dossier))
    return dossiers


def _procedures(n: int):
    for i in range(n):
        procedure_upsert(
            code=f"9.{i:06d}",
            name=f"Thủ tục thử {i}",
            field_name="Hộ tịch",
            level="commune",
            time_limit_value=3,
            online_level="full",
            fees=[{"name": "Lệ phí", "amount": 1000 * (i + 1)}],
            components=[{"code": "TP1", "name": "Tờ khai"}, {"code": "TP2", "name": "Bản sao"}],
        )


# Room for the calendar's periodic freshness check (workcalendar.selectors), which a slow run may
# meet in one look and not the other; an N+1 over the added rows adds at least six.
SLACK = 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# (page, user in `staff`, bound): the bound is today's count with a little room, not a target.
OFFICER_PAGES = [
    ("/ho-so/", "processor", 8),
    ("/giam-sat/?unit=298&from=2024-01-01&to=2024-12-31", "supervisor", 100),
    ("/api/v1/dossiers?limit=50", "supervisor", 6),
]


@pytest.mark.parametrize(("url", "who", "bound"), OFFICER_PAGES)
def test_officer_pages_do_not_grow_with_their_dossiers(
    url, who, bound, staff, tree, birth_registration
):
    _file(staff, tree, birth_registration, 2)
    client = _client(getattr(staff, who))
    _queries(client, url)  # the first look warms per-process caches (calendar, content types)
    few = _queries(client, url)
    _file(staff, tree, birth_registration, 6)
    many = _queries(client, url)
    assert many <= few + SLACK, f"{url}: {few} queries with 2 dossiers, {many} with 8"
    assert many <= bound, f"{url}: {many} queries"


def test_the_dossier_page_does_not_grow_with_its_history(staff, tree, birth_registration):
    (dossier,) = _file(staff, tree, birth_registration, 1)
    client = _client(staff.processor)
    url = f"/ho-so/{dossier.code}/"
    _queries(client, url)
    short = _queries(client, url)
    for _ in range(3):  # more events and documents: a supplement asked and received, twice
        dossier = services.dossier_request_supplement(
            actor=staff.processor, dossier=dossier.pk, content="Thiếu bản sao"
        )
        dossier = services.dossier_receive_supplement(
            actor=staff.desk, dossier=dossier.pk, components=handed_in(birth_registration)
        )
    long = _queries(client, url)
    assert long <= short + SLACK, f"{short} queries with 2 events, {long} with 8"
    assert long <= 18


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/cong-dich-vu/", 2),
        ("/cong-dich-vu/thu-tuc/", 3),
        ("/cong-dich-vu/thu-tuc/9.000001/", 8),
        ("/api/v1/procedures", 4),
    ],
)
def test_portal_and_catalogue_pages_do_not_grow_with_the_catalogue(url, bound, staff, tree):
    _procedures(3)
    client = _client(staff.supervisor if url.startswith("/api/") else None)
    _queries(client, url)
    few = _queries(client, url)
    _procedures(12)
    many = _queries(client, url)
    assert many <= few + SLACK, f"{url}: {few} queries with 3 procedures, {many} with 12"
    assert many <= bound, f"{url}: {many} queries"


def test_the_portal_lookup_and_dossier_page_are_bounded(staff, tree, birth_registration):
    (dossier,) = _file(staff, tree, birth_registration, 1)
    client = _client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/cong-dich-vu/tra-cuu/",
            {"code": dossier.code, "contact": dossier.applicant_phone},
            follow=True,
        )
    assert response.status_code == 200 and dossier.code in response.content.decode()
    assert len(queries) <= 24, len(queries)  # the lookup, its grant, the redirect, the page
