from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.scorecard.rankings import _ranked, officials_rank, ranking_bands, units_rank
from tests.conftest import local
from tests.scorecard.conftest import MARCH, receive

OLD = "portal-2024"  # the counter-based version these tests pin (qd766 has its own tests)


def codes(rows):
    return [(r["rank"], r["unit"]["code"]) for r in rows]


def test_communes_ranked_by_total_with_bands(tree, march):
    rows = units_rank(
        version=OLD, parent=tree.district, level="commune", start=MARCH[0], end=MARCH[1]
    )
    assert codes(rows) == [(1, "11140"), (2, "11143")]
    cong_lac, tien_dong = rows
    # Cộng Lạc: 6 (publications) + 20 + 12 + 6 + 2 × 0,83 + 6 + 4 + 0 = 55,66 of 66 scorable points.
    assert cong_lac["points"] == Decimal("55.66")
    assert cong_lac["percent_of_available"] == Decimal("84.33")
    assert cong_lac["band"] == "Tốt"
    assert tien_dong["points"] == Decimal("31.83")
    assert tien_dong["band"] == "Yếu"  # 48,23 %
    assert tien_dong["groups"]["online_payment"] == Decimal("4.00")


def test_ranked_by_one_group(tree, march):
    rows = units_rank(
        version=OLD,
        parent=tree.district,
        level="commune",
        start=MARCH[0],
        end=MARCH[1],
        by="online_payment",
    )
    assert [(r["unit"]["code"], r["points"], r["max_available"]) for r in rows] == [
        ("11140", Decimal("7.66"), 10),
        ("11143", Decimal("4.00"), 10),
    ]


def test_a_unit_without_dossiers_is_listed_apart_never_ranked_above_the_others(tree, march):
    rows = units_rank(version=OLD, parent=tree.district, start=MARCH[0], end=MARCH[1])
    # The justice office has no dossiers: full points for every zero denominator (66/66) would make
    # it "Xuất sắc" and first. It comes last, unranked, marked.
    assert codes(rows) == [(1, "11140"), (2, "11143"), (None, "298-TP")]
    justice = rows[-1]
    assert justice["no_data"] is True and justice["band"] is None and justice["dossiers"] == 0
    assert justice["points"] == justice["no_data_points"] == 66
    assert [r["no_data"] for r in rows[:2]] == [False, False]
    assert all(r["dossiers"] > 0 for r in rows[:2])


def test_configured_bands(tree, march, settings):
    settings.MOTCUA_RANKING_BANDS = [["Đạt", 50], ["Chưa đạt", 0]]
    rows = units_rank(
        version=OLD, parent=tree.district, level="commune", start=MARCH[0], end=MARCH[1]
    )
    assert [r["band"] for r in rows] == ["Đạt", "Chưa đạt"]
    settings.MOTCUA_RANKING_BANDS = [["Đạt", 50], ["Chưa đạt", 10]]
    with pytest.raises(ImproperlyConfigured):
        ranking_bands()
    settings.MOTCUA_RANKING_BANDS = [["Thấp", 0], ["Cao", 50]]
    with pytest.raises(ImproperlyConfigured):
        ranking_bands()


def test_bad_criteria_are_refused(tree):
    with pytest.raises(ValidationFailed):
        units_rank(version=OLD, parent=tree.district, start=MARCH[0], end=MARCH[1], by="bogus")
    with pytest.raises(ValidationFailed):
        units_rank(version=OLD, parent=tree.district, start=MARCH[0], end=MARCH[1], level="village")


def test_ties_share_a_rank():
    rows = [{"p": 5, "n": "a"}, {"p": 7, "n": "b"}, {"p": 5, "n": "c"}, {"p": 1, "n": "d"}]
    ranked = _ranked(rows, key=lambda r: (-r["p"], r["n"]))
    assert [(r["rank"], r["n"]) for r in ranked] == [(1, "b"), (2, "a"), (2, "c"), (4, "d")]


@pytest.fixture
def control_slip(tree, staff, birth_registration):
    """One dossier of 04/03/2024 (Mon) through the default template of a 1-working-day procedure:
    desk 1 h, processor 5 h, leader 1 h, return 1 h."""
    dossier = receive(staff, tree.tien_dong, birth_registration, local(2024, 3, 4, 8, 0))
    # Desk step due 09:00: on time.
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 3, 4, 8, 30)
    )
    # Processor step due 15:00 (08:30 + 5 working hours): late.
    dossier = services.dossier_forward(
        actor=staff.processor, dossier=dossier, at=local(2024, 3, 4, 16, 0)
    )
    # Leader step due 17:00: on time.
    dossier = services.dossier_resolve(
        actor=staff.leader, dossier=dossier, result_summary="KQ", at=local(2024, 3, 4, 16, 30)
    )
    # Return step due 08:30 next morning: on time.
    return services.dossier_return_result(
        actor=staff.desk, dossier=dossier, at=local(2024, 3, 4, 16, 45)
    )


def test_officials_ranked_by_on_time_share_then_volume(tree, control_slip):
    day = date(2024, 3, 4)
    rows = officials_rank(unit=tree.district, start=day, end=day)
    assert [
        (r["rank"], r["user"]["username"], r["on_time"], r["timed"], r["rate"], r["band"])
        for r in rows
    ] == [
        (1, "tiepnhan.tiendong", 2, 2, Decimal("100.00"), "Xuất sắc"),
        (2, "lanhdao.tiendong", 1, 1, Decimal("100.00"), "Xuất sắc"),
        (3, "chuyenvien.tiendong", 0, 1, Decimal("0.00"), "Yếu"),
    ]
    assert rows[2]["late"] == 1
    assert officials_rank(unit=tree.cong_lac, start=day, end=day) == []
    assert officials_rank(unit=tree.district, start=date(2024, 3, 5), end=date(2024, 3, 5)) == []


def test_an_official_with_no_timed_step_is_not_ranked():
    rows = [
        {"rate": None, "no_data": True, "band": None, "finished": 3, "name": "a"},
        {"rate": 50, "no_data": False, "band": "Trung bình", "finished": 1, "name": "b"},
    ]
    ranked = _ranked(rows, key=lambda r: (-r["rate"], r["name"]), rest_key=lambda r: r["name"])
    assert [(r["rank"], r["name"], r["band"]) for r in ranked] == [
        (1, "b", "Trung bình"),
        (None, "a", None),
    ]
