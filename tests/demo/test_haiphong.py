"""`motcua demo` on a day after 1/7/2025: today's Hải Phòng structure is the live tree, the Hải
Dương/Tứ Kỳ tree is history (ended 30/6/2025, its last year of dossiers kept), the six communes
that replaced Tứ Kỳ succeed the old communes, some dossiers are handed in at another centre, and
every demo login finds its pages working."""

import re
from datetime import date
from io import StringIO

import pytest
from django.db import transaction
from django.test import Client

from motcua.demo import data, haiphong
from motcua.demo.services import demo_load
from motcua.dossiers.models import Dossier
from motcua.units.models import Membership, Role, Unit
from motcua.units.selectors import unit_get_by_code, unit_is_current, unit_predecessors
from tests.demo.test_demo import fast_hasher

# A Friday a year after the reorganisation: the live year lies wholly on the new tree.
TODAY = date(2026, 6, 26)
JULY_1 = date(2025, 7, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def live_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), fast_hasher(), transaction.atomic():
        result = demo_load(dossiers=40, seed=11, today=TODAY, stdout=StringIO())
        again = demo_load(dossiers=40, seed=11, today=TODAY)
        yield {"first": result, "second": again}
        transaction.set_rollback(True)


def test_the_live_tree_is_hai_phong_and_the_old_one_is_history(live_demo):
    assert live_demo["first"]["errors"] == []
    assert live_demo["second"]["dossiers_created"] == 0
    city = unit_get_by_code(code="31")
    assert city.valid_from == JULY_1 and unit_is_current(unit=city, on=TODAY)
    communes = {u.code: u.name for u in Unit.objects.filter(parent=city, level="commune")}
    assert communes == {code: name for code, name, *_ in haiphong.COMMUNES}
    old_town = unit_get_by_code(code="11074", on=date(2025, 6, 30))
    assert old_town.name == "UBND thị trấn Tứ Kỳ" and old_town.valid_to == date(2025, 6, 30)
    assert unit_get_by_code(code="11074").name == "UBND xã Tứ Kỳ"
    assert not unit_is_current(unit=unit_get_by_code(code="298"), on=TODAY)
    lac_phuong = unit_get_by_code(code="11140")
    assert {u.name for u in unit_predecessors(unit=lac_phuong)} == {
        "UBND xã Phượng Kỳ",
        "UBND xã Cộng Lạc",
        "UBND xã Tiên Động",
    }
    # Every old commune has a successor among the six.
    old_communes = Unit.objects.filter(parent__code=data.DISTRICT["code"], level="commune")
    assert old_communes.count() == len(data.COMMUNES)
    assert all(u.successor is not None and u.successor.parent == city for u in old_communes)


def test_dossiers_sit_on_the_tree_of_their_day(live_demo):
    city = unit_get_by_code(code="31")
    old_province = unit_get_by_code(code="30")
    live = Dossier.objects.filter(unit__path__startswith=city.path)
    history = Dossier.objects.filter(unit__path__startswith=old_province.path)
    assert live.exists() and history.exists()
    assert not live.filter(received_at__date__lt=JULY_1).exists()
    assert not history.filter(received_at__date__gte=JULY_1).exists()
    # Filed anywhere: handed in at a centre other than the agency's own, with the hand-over.
    elsewhere = [d for d in live.select_related("received_by") if d.received_by_id]
    elsewhere = [d for d in elsewhere if d.received_by.parent_id != d.unit_id]
    assert elsewhere, "no dossier was handed in at another centre"
    assert all(d.unit.level == "commune" for d in elsewhere)


def test_no_open_dossier_is_left_with_an_ended_unit(live_demo):
    """The old tree's open work was handed over on 1/7/2025 (`haiphong.demo_hand_over`)."""
    from motcua.dossiers.models import DossierEvent
    from motcua.dossiers.services import OPEN_STATES

    open_dossiers = Dossier.objects.filter(state__in=OPEN_STATES).select_related(
        "current_unit", "received_by", "unit"
    )
    stuck = [
        d.code
        for d in open_dossiers
        if not unit_is_current(unit=d.receiving_unit, on=TODAY)
        or (d.current_unit and not unit_is_current(unit=d.current_unit, on=TODAY))
    ]
    assert stuck == []
    handed = DossierEvent.objects.filter(kind="handed_over")
    assert handed.exists()
    assert {e.actor.username for e in handed} == {"quantri.haiphong"}


def _links(html: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}[^"#?]*)"', html)))


def test_every_demo_login_opens_its_pages(live_demo):
    """Log in with each documented login (the shared password) and open that role's pages."""
    logins = live_demo["first"]["logins"]
    live_names = {login.username for login in haiphong.live_logins()}
    assert live_names <= {row["username"] for row in logins}
    for row in logins:
        client = Client()
        assert client.login(username=row["username"], password=data.DEMO_PASSWORD), row
        roles = set(
            Membership.objects.filter(user__username=row["username"]).values_list("role", flat=True)
        )
        pages = ["/ho-so/"]
        if Role.DESK_OFFICER in roles:
            pages.append("/tiep-nhan/")
        if roles & {Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR}:
            pages.append("/giam-sat/")
        home = client.get("/", follow=True)  # the home page sends each role to its start
        assert home.status_code == 200, (row["username"], home.redirect_chain)
        pages += _links(home.content.decode(), "/")
        opened = set()
        for url in pages:
            if url in opened or url == "/" or url.startswith(("/dang-xuat", "/static", "/admin")):
                continue
            opened.add(url)
            response = client.get(url)
            assert response.status_code == 200, (row["username"], url, response.status_code)
        inbox = client.get("/ho-so/").content.decode()
        for url in _links(inbox, "/ho-so/")[:2]:
            assert client.get(url).status_code == 200, (row["username"], url)
        if Role.DESK_OFFICER in roles and row["username"] in live_names:
            start = client.get("/tiep-nhan/").content.decode()
            intake = _links(start, "/tiep-nhan/")
            intake = [u for u in intake if u.count("/") >= 4]  # /tiep-nhan/<unit>/<procedure>/
            assert intake, (row["username"], "no procedure offered")
            assert client.get(intake[0]).status_code == 200, (row["username"], intake[0])


def test_the_live_province_scorecard_computes_every_satisfaction_indicator(live_demo):
    from motcua.demo import haiphong
    from motcua.scorecard.selectors import scorecard_report
    from motcua.units.selectors import unit_get_by_code

    province = unit_get_by_code(code=haiphong.PROVINCE["code"], on=TODAY)
    report = scorecard_report(unit=province, start=date(TODAY.year, 1, 1), end=TODAY)
    [satisfaction] = [g for g in report["groups"] if g["key"] == "satisfaction"]
    for indicator in satisfaction["indicators"]:
        assert indicator["status"] == "ok", indicator
        assert indicator["denominator"] > 0
        assert 0 <= indicator["numerator"] <= indicator["denominator"]
    # The demo records the portal's confirmation for most received dossiers (indicator 1.4).
    [synced] = [i for g in report["groups"] for i in g["indicators"] if i["id"] == "1.4"]
    assert synced["status"] == "ok" and synced["numerator"] < synced["denominator"]


def test_the_live_demo_carries_the_portal_facts_behind_4_4_and_4_5(live_demo):
    from motcua.demo import haiphong
    from motcua.dossiers.models import Dossier
    from motcua.scorecard.selectors import scorecard_report, scorecard_sets
    from motcua.units.selectors import unit_get_by_code

    province = unit_get_by_code(code=haiphong.PROVINCE["code"], on=TODAY)
    start = date(TODAY.year, 1, 1)
    report = scorecard_report(unit=province, start=start, end=TODAY)
    rows = {i["id"]: i for g in report["groups"] for i in g["indicators"]}
    for number in ("4.4", "4.5a", "4.5b"):
        row = rows[number]
        assert row["status"] == "ok", row
        # Some, not all: a share of the dossiers carries each fact.
        assert 0 < row["numerator"] <= row["denominator"], row
    assert rows["4.4"]["numerator"] < rows["4.4"]["denominator"]
    # Both halves of 4.4 occur: a component from the citizen's store, a result link synced.
    sets = scorecard_sets(unit=province, start=start, end=TODAY, indicator="4.4")
    counted = Dossier.objects.filter(pk__in=sets.numerator.values("pk"))
    assert counted.filter(documents__from_national_store=True).exists()
    assert counted.filter(result_store_synced_at__isnull=False).exists()
    # VNeID only on citizens' online filings, and each synced result link has its event.
    assert not Dossier.objects.filter(vneid_verified=True).exclude(channel=2).exists()
    linked = Dossier.objects.filter(result_store_synced_at__isnull=False)
    assert all(d.events.filter(kind="result_link_synced").count() == 1 for d in linked)
