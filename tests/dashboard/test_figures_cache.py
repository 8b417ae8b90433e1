"""The dashboard's and the rankings' figures are reused for MOTCUA_FIGURES_CACHE_SECONDS by every
supervisor of the unit (core/figures.py); who may see them is still checked on each request."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local
from tests.dashboard.test_dashboard import figures, supervisor_client  # noqa: F401  (fixture)

OVERVIEW = "/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31"
RANKINGS = "/giam-sat/xep-hang/?unit=298&from=2024-03-01&to=2024-03-31"


@pytest.fixture
def cached(settings, db):
    settings.MOTCUA_FIGURES_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The page without its CSRF token (masked afresh for each answer).
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html, len(queries)


def _file_one(staff, tree, birth_registration):
    services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Q"),
        at=local(2024, 3, 5, 8),
    )


@pytest.mark.parametrize("url", [OVERVIEW, RANKINGS])
def test_a_second_look_reuses_the_figures_until_they_expire(
    url,
    cached,
    staff,
    tree,
    birth_registration,
    figures,  # noqa: F811
):
    client = supervisor_client(staff)
    first, computed = _get(client, url)
    again, reused = _get(client, url)
    assert again == first
    assert reused < computed / 2
    # A new dossier is not in the kept figures; once they expire it is.
    _file_one(staff, tree, birth_registration)
    assert _get(client, url)[0] == first
    cache.clear()
    fresh, recomputed = _get(client, url)
    assert fresh != first and recomputed > reused


def test_another_period_or_unit_has_its_own_figures(cached, staff, tree, figures):  # noqa: F811
    client = supervisor_client(staff)
    march, _ = _get(client, OVERVIEW)
    april, _ = _get(client, OVERVIEW.replace("2024-03-31", "2024-04-30"))
    commune, _ = _get(client, OVERVIEW.replace("unit=298", "unit=11140"))
    assert len({march, april, commune}) == 3


def test_kept_figures_are_shown_only_to_those_who_may_see_them(
    cached,
    staff,
    tree,
    figures,  # noqa: F811
):
    _get(supervisor_client(staff), OVERVIEW)
    desk = Client()
    desk.force_login(staff.desk)
    assert desk.get(OVERVIEW).status_code == 403
    assert desk.get(RANKINGS).status_code == 403


def test_zero_seconds_computes_every_time(settings, staff, tree, figures):  # noqa: F811
    settings.MOTCUA_FIGURES_CACHE_SECONDS = 0
    client = supervisor_client(staff)
    _, first = _get(client, OVERVIEW)
    _, second = _get(client, OVERVIEW)
    assert second > first * 0.9  # as many queries again (the first also warms the calendar)
