"""Scorecard figures against the hand-computed March 2024 data set (see conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import ValidationFailed
from motcua.dossiers.services import dossier_import_upsert
from motcua.scorecard.selectors import (
    DRILLDOWNS,
    procedures_offered,
    scorecard_compute,
    scorecard_drilldown,
)
from tests.conftest import local
from tests.scorecard.conftest import MARCH

OLD = "portal-2024"  # the counter-based version these tests pin (qd766 has its own tests)

UNAVAILABLE = {
    "dossiers_synced",
    "certified_copies_electronic",
    "citizen_store_synced",
    "population_data_dossiers",
    "population_data_procedures",
    "feedback_on_time",
    "feedback_satisfaction",
    "service_satisfaction",
}


def indicators(card) -> dict[str, dict]:
    return {i["key"]: i for g in card["groups"] for i in g["indicators"]}


def figures(item) -> tuple:
    return item["numerator"], item["denominator"], item["rate"], item["points"]


def D(text: str) -> Decimal:
    return Decimal(text)


def test_hand_computed_commune(tree, march):
    card = scorecard_compute(version=OLD, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    got = indicators(card)
    # Received 5 in March + D6 carried over; D1, D5, D6 resolved in time, D4 open within deadline.
    assert figures(got["dossiers_on_time"]) == (4, 6, D("66.67"), D("13.33"))
    # Birth registration is the only fully online procedure: D1–D4, of which D2 online.
    assert figures(got["dossiers_full_online"]) == (1, 4, D("25.00"), D("3.00"))
    # Fee dossiers D1–D4, D2 paid online.
    assert figures(got["payment_dossiers"]) == (1, 4, D("25.00"), D("1.50"))
    # Fee procedures offered: birth registration and marriage (the district's and Cộng Lạc's are
    # not offered here); only birth registration was paid online and had dossiers. 2 × 0,5 ÷ 0,8.
    assert figures(got["payment_procedures_used"]) == (1, 2, D("50.00"), D("1.25"))
    assert figures(got["payment_procedures_with_dossiers"]) == (1, 2, D("50.00"), D("1.25"))
    assert got["payment_procedures_used"]["unconfirmed"] is True
    # Paper-result procedures resolved: D1, D2, D6; D2 has the electronic result (D5 is excluded).
    assert figures(got["results_electronic"]) == (1, 3, D("33.33"), D("2.00"))
    # D1, D2, D5 digitized of 5 received; threshold 80 %: 4 × 0,6 ÷ 0,8.
    assert figures(got["dossiers_digitized"]) == (3, 5, D("60.00"), D("3.00"))
    assert figures(got["data_reused"]) == (1, 5, D("20.00"), D("0.50"))
    # Publications decided in March of offered procedures: P1 (on time), P2 (late).
    assert figures(got["published_on_time"]) == (1, 2, D("50.00"), D("3.00"))
    assert figures(got["made_public_on_time"]) == (1, 2, D("50.00"), D("2.00"))
    assert figures(got["public_full_content"]) == (1, 2, D("50.00"), D("1.00"))

    total = card["total"]
    assert total["max"] == 100
    assert total["unavailable_points"] == 34
    assert total["max_available"] == 66
    assert total["no_data_points"] == 0
    assert total["points"] == D("31.83")
    assert total["points"] == sum(g["points"] for g in card["groups"])
    assert card["start"] == MARCH[0] and card["unit"]["code"] == "11143"


def test_district_subtree_adds_its_units_and_procedures(tree, march):
    got = indicators(
        scorecard_compute(version=OLD, unit=tree.district, start=MARCH[0], end=MARCH[1])
    )
    assert figures(got["payment_dossiers"])[:2] == (2, 5)
    # Four fee procedures offered in the district's subtree, one paid online: 2 × 0,25 ÷ 0,8.
    assert figures(got["payment_procedures_used"]) == (1, 4, D("25.00"), D("0.63"))
    # P4 (district procedure, decided one day ahead, never made public) joins.
    assert figures(got["published_on_time"])[:2] == (1, 3)
    assert figures(got["made_public_on_time"])[:2] == (1, 3)
    assert figures(got["public_full_content"])[:2] == (1, 2)


def test_procedures_offered(tree, catalogue):
    def codes(unit):
        return set(procedures_offered(unit=unit).values_list("code", flat=True))

    commune = {"1.001193", "2.000815", "1.000894"}
    assert codes(tree.tien_dong) == commune
    assert codes(tree.cong_lac) == commune | {"1.003583"}
    assert codes(tree.district) == commune | {"1.003583", "1.001766"}
    assert codes(tree.justice) == set()  # a department offers only what is assigned to it


def test_zero_denominator_is_no_data_with_full_points(tree, march):
    card = scorecard_compute(
        version=OLD, unit=tree.cong_lac, start=date(2024, 5, 1), end=date(2024, 5, 31)
    )
    on_time = indicators(card)["dossiers_on_time"]
    assert on_time["status"] == "no_data" and on_time["no_data"] is True
    assert on_time["rate"] is None
    assert on_time["points"] == on_time["max"] == 20
    assert (on_time["numerator"], on_time["denominator"]) == (0, 0)
    assert card["total"]["no_data_points"] >= 20


def test_unavailable_indicators_are_null_and_left_out(tree, march):
    card = scorecard_compute(version=OLD, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    got = indicators(card)
    for key in UNAVAILABLE:
        item = got[key]
        assert item["status"] == "unavailable"
        assert figures(item) == (None, None, None, None)
    satisfaction = next(g for g in card["groups"] if g["key"] == "satisfaction")
    assert satisfaction["max_available"] == 0 and satisfaction["unavailable_points"] == 18
    assert satisfaction["percent_of_available"] is None


def test_portal_sync_is_scored_once_any_dossier_was_synced(tree, march, catalogue):
    dossier_import_upsert(
        fields={
            "code": "000.00.00.H23-240312-9001",
            "unit_id": tree.tien_dong.pk,
            "procedure_id": catalogue.certified_copy.pk,
            "channel": 1,
            "state": 2,
            "received_at": local(2024, 3, 12, 8, 0),
            "synced_to_portal": True,
        }
    )
    card = scorecard_compute(version=OLD, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    synced = indicators(card)["dossiers_synced"]
    assert figures(synced) == (1, 6, D("16.67"), D("1.00"))
    assert card["total"]["unavailable_points"] == 28


def test_drilldown_matches_numerator_and_denominator(tree, march):
    for unit in (tree.tien_dong, tree.district, tree.cong_lac):
        card = scorecard_compute(version=OLD, unit=unit, start=MARCH[0], end=MARCH[1])
        for item in indicators(card).values():
            if item["formula"] not in DRILLDOWNS or item["status"] == "unavailable":
                continue
            rows = scorecard_drilldown(
                version=OLD, unit=unit, start=MARCH[0], end=MARCH[1], indicator=item["key"]
            )
            assert rows.count() == item["denominator"], item["key"]
            assert rows.filter(in_numerator=True).count() == item["numerator"], item["key"]


def test_drilldown_names_the_dossiers(tree, march):
    rows = scorecard_drilldown(
        version=OLD, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="dossiers_on_time"
    )
    flags = {d.pk: d.in_numerator for d in rows}
    assert flags == {
        march.d1.pk: True,
        march.d2.pk: False,
        march.d3.pk: False,
        march.d4.pk: True,
        march.d5.pk: True,
        march.d6.pk: True,
    }


def test_drilldown_refuses_indicators_not_counted_in_dossiers(tree, march):
    for key in ("published_on_time", "payment_procedures_used", "feedback_on_time"):
        with pytest.raises(ValidationFailed) as excinfo:
            scorecard_drilldown(
                version=OLD, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator=key
            )
        assert excinfo.value.code == "scorecard_drilldown_unavailable"


def test_a_few_queries_whatever_the_volume(tree, march):
    with CaptureQueriesContext(connection) as queries:
        scorecard_compute(version=OLD, unit=tree.district, start=MARCH[0], end=MARCH[1])
    assert len(queries) <= 16


def test_reversed_period_is_refused(tree):
    with pytest.raises(ValidationFailed):
        scorecard_compute(
            version=OLD, unit=tree.district, start=date(2024, 3, 2), end=date(2024, 3, 1)
        )
