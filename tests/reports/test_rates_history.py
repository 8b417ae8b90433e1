"""Figures across the reorganisation of 1/7/2025: a period before it reads the tree as it was, one
after it today's, a spanning one counts every dossier once; a successor can be shown with its
predecessors' history; figures count against the processing agency, not the centre that received
the dossier. Runs on SQLite and (DATABASE_URL=postgres://…) PostgreSQL alike."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from motcua.catalog.services import filing_anywhere_set
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.selectors import rates_for, rates_with_children
from motcua.reports.selectors import rates_report
from motcua.units.models import Role
from motcua.units.reorganisation import NewUnit, Reorganisation
from motcua.units.selectors import unit_get_by_code
from motcua.units.services import unit_reorganise
from tests.conftest import handed_in, local, make_user
from tests.reports.conftest import receive

pytestmark = pytest.mark.django_db

YEAR = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}
FIRST_HALF = {"start": date(2025, 1, 1), "end": date(2025, 6, 30)}
SECOND_HALF = {"start": date(2025, 7, 1), "end": date(2025, 12, 31)}


@pytest.fixture
def history(tree, crew, procedures):
    """Before: Cộng Lạc 2 dossiers (1 online), Tiên Động 1. Then both merge into the new Lạc
    Phượng (11140, reusing Cộng Lạc's code) of Hải Phòng (31). After: Lạc Phượng 3 (1 online,
    1 of them handed in at the provincial centre)."""
    receive(crew, tree.cong_lac, procedures.birth, local(2025, 5, 5, 8, 0), online=True)
    receive(crew, tree.cong_lac, procedures.birth, local(2025, 5, 6, 8, 0))
    receive(crew, tree.tien_dong, procedures.birth, local(2025, 6, 30, 15, 0))
    unit_reorganise(
        reorganisation=Reorganisation(
            effective_on=date(2025, 7, 1),
            decision="Nghị quyết 1669/NQ-UBTVQH15",
            create=[
                NewUnit(code="31", name="UBND thành phố Hải Phòng", level="province"),
                NewUnit(
                    code="31-TTHCC",
                    name="Trung tâm Phục vụ hành chính công thành phố Hải Phòng",
                    level="centre",
                    parent="31",
                ),
                NewUnit(code="11140", name="UBND xã Lạc Phượng", level="commune", parent="31"),
            ],
            merge=[(["11140", "11143"], "11140"), (["30"], "31")],
            end=["298", "298-TP"],
        ),
        apply=True,
    )
    hai_phong = unit_get_by_code(code="31")
    lac_phuong = unit_get_by_code(code="11140")
    centre = unit_get_by_code(code="31-TTHCC")
    new_crew = type(crew)(
        desk=make_user("tn.lacphuong", unit=lac_phuong, role=Role.DESK_OFFICER),
        processor=make_user("cv.lacphuong", unit=lac_phuong, role=Role.PROCESSOR),
        leader=make_user("ld.lacphuong", unit=lac_phuong, role=Role.LEADER),
    )
    receive(new_crew, lac_phuong, procedures.birth, local(2025, 7, 1, 8, 0), online=True)
    receive(new_crew, lac_phuong, procedures.birth, local(2025, 8, 4, 8, 0))
    # Filed anywhere: handed in at the city's centre, processed by Lạc Phượng.
    filing_anywhere_set(
        province=hai_phong,
        procedure=procedures.birth,
        decision_number="12/QĐ-UBND",
        decision_date=date(2025, 6, 20),
        valid_from=date(2025, 7, 1),
    )
    centre_desk = make_user("tn.trungtam", unit=centre, role=Role.DESK_OFFICER)
    filed = services.dossier_receive(
        actor=centre_desk,
        unit=centre,
        procedure=procedures.birth,
        applicant=Applicant(name="Đinh Thị Lan"),
        components=handed_in(procedures.birth, otherwise="Tờ khai"),
        processing_unit=lac_phuong,
        at=local(2025, 9, 1, 9, 0),
    )
    assert filed.unit == lac_phuong and filed.received_by == centre
    return type(crew)(
        hai_phong=hai_phong,
        lac_phuong=lac_phuong,
        centre=centre,
        cong_lac=tree.cong_lac,
        tien_dong=tree.tien_dong,
        district=tree.district,
        province=tree.province,
    )


def received(rates) -> tuple[int, int]:
    online = rates["online_dossiers"]
    return online.numerator, online.denominator


def test_a_period_before_reads_the_tree_as_it_was(history):
    assert received(rates_for(unit=history.district, **FIRST_HALF)) == (1, 3)
    data = rates_with_children(unit=history.district, **FIRST_HALF)
    assert {c["unit"] for c in data["children"]} >= {history.cong_lac, history.tien_dong}
    assert received(rates_for(unit=history.cong_lac, **FIRST_HALF)) == (1, 2)
    # After the reorganisation the old district holds nothing new.
    assert received(rates_for(unit=history.district, **SECOND_HALF)) == (0, 0)


def test_a_period_after_reads_todays_tree(history):
    assert received(rates_for(unit=history.hai_phong, **SECOND_HALF)) == (1, 3)
    data = rates_with_children(unit=history.hai_phong, **SECOND_HALF)
    children = {c["unit"]: received(c["rates"]) for c in data["children"]}
    # The processing agency counts the dossier handed in at the centre; the centre counts none.
    assert children == {history.lac_phuong: (1, 3), history.centre: (0, 0)}


def test_a_spanning_period_counts_each_dossier_once(history):
    assert received(rates_for(unit=history.lac_phuong, **YEAR)) == (1, 3)
    assert received(rates_for(unit=history.lac_phuong, **YEAR, with_predecessors=True)) == (2, 6)
    # The city's predecessors include Hải Dương and, inside it, the old communes: still 6.
    assert received(rates_for(unit=history.hai_phong, **YEAR, with_predecessors=True)) == (2, 6)
    data = rates_with_children(unit=history.hai_phong, **YEAR, with_predecessors=True)
    children = {c["unit"]: received(c["rates"]) for c in data["children"]}
    assert children[history.lac_phuong] == (2, 6)
    assert received(data["rates"]) == (2, 6)


def test_the_rates_command_with_predecessors(history):
    out = io.StringIO()
    call_command(
        "rates",
        "--unit",
        "11140",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--with-predecessors",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["unit"]["name"] == "UBND xã Lạc Phượng"
    assert report["rates"]["online_dossiers"]["denominator"] == 6
    assert {u["name"] for u in report["with_predecessors"]} == {
        "UBND xã Cộng Lạc",
        "UBND xã Tiên Động",
    }
    assert report == rates_report(unit=history.lac_phuong, **YEAR, with_predecessors=True)
    # A period that ends before 1/7/2025 finds the code's unit of that time: old Cộng Lạc.
    out = io.StringIO()
    call_command(
        "rates", "--unit", "11140", "--from", "2025-01-01", "--to", "2025-06-30", "--json",
        stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["unit"]["name"] == "UBND xã Cộng Lạc"
    assert report["rates"]["online_dossiers"]["denominator"] == 2
    text = io.StringIO()
    call_command(
        "rates", "--unit", "11140", "--from", "2025-01-01", "--to", "2025-12-31",
        "--with-predecessors", stdout=text,
    )  # fmt: skip
    assert "Gồm số liệu của các đơn vị tiền thân: UBND xã Cộng Lạc, UBND xã Tiên Động" in (
        text.getvalue()
    )


def test_the_dashboard_shows_a_successor_with_its_history(history, client):
    supervisor = make_user("gs.haiphong", unit=history.hai_phong, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    url = "/giam-sat/?unit=11140&from=2025-01-01&to=2025-12-31"
    plain = client.get(url)
    assert plain.status_code == 200 and "Gồm số liệu của đơn vị tiền thân" in plain.text
    both = client.get(url + "&with_predecessors=1")
    assert both.status_code == 200
    assert "Gồm số liệu của các đơn vị tiền thân:" in both.text and "UBND xã Cộng Lạc" in both.text


def test_an_ended_unit_is_linked_by_its_last_day(history):
    history.cong_lac.refresh_from_db()
    assert history.cong_lac.reference == "11140@2025-06-30"
    assert unit_get_by_code(code=history.cong_lac.reference) == history.cong_lac
    assert history.lac_phuong.reference == "11140"


def _indicators(card: dict) -> dict[str, dict]:
    return {i["formula"]: i for g in card["groups"] for i in g["indicators"]}


@pytest.mark.parametrize(
    "version,keys",
    [
        ("qd766", ("766_on_time", "766_digitized", "766_reused")),
        ("portal-2024", ("dossiers_on_time", "dossiers_digitized")),
    ],
)
def test_the_scorecard_with_predecessors_sums_disjoint_histories(history, version, keys):
    from motcua.scorecard.selectors import scorecard_compute

    whole = scorecard_compute(
        unit=history.lac_phuong, **YEAR, version=version, with_predecessors=True
    )
    parts = [
        scorecard_compute(unit=u, **YEAR, version=version)
        for u in (history.lac_phuong, history.cong_lac, history.tien_dong)
    ]
    assert {u["name"] for u in whole["with_predecessors"]} == {
        "UBND xã Cộng Lạc",
        "UBND xã Tiên Động",
    }
    # Dossier-counted indicators add up across the disjoint subtrees: each dossier once.
    assert _indicators(whole)[keys[0]]["denominator"] == 6
    for key in keys:
        total = _indicators(whole)[key]
        assert total["denominator"] == sum(_indicators(p)[key]["denominator"] for p in parts)
        assert total["numerator"] == sum(_indicators(p)[key]["numerator"] for p in parts)
    out = io.StringIO()
    call_command(
        "scorecard", "--unit", "11140", "--from", "2025-01-01", "--to", "2025-12-31",
        "--with-predecessors", stdout=out,
    )  # fmt: skip
    assert "Gồm số liệu của các đơn vị tiền thân: UBND xã Cộng Lạc, UBND xã Tiên Động" in (
        out.getvalue()
    )
