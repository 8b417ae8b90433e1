"""Indicator 2.2 — mean resolution time of one procedure (display) — on hand-made data where each
naive reading gives another answer: calendar days instead of working days, supplement waits
counted, unresolved dossiers counted, dossiers received before the period counted.

March 2024 has no holidays; working hours 07:30–11:30, 13:00–17:00 (8 h a working day). The
procedure "Cấp giấy phép thử" has a 5-working-day limit:

  A received Tue 05/03 07:30, resolved Mon 11/03 07:30          4 working days (6 calendar days)
  B received Mon 04/03 07:30, supplement asked Tue 05/03 07:30,
    handed in Thu 07/03 07:30, resolved Fri 08/03 07:30          4 − 2 waiting = 2 working days
  E received Thu 28/03 07:30, resolved Tue 02/04 07:30          3 working days (ends in April)
  C received Wed 20/03 07:30, still open                        not resolved: not counted
  D received Mon 26/02 07:30, resolved Mon 04/03 07:30          started before March: not counted
  F birth registration, received and resolved in March          another procedure: not counted

Mean = (4 + 2 + 3) ÷ 3 = 3 working days."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.interchange.services import interchange_import
from motcua.scorecard import qd766
from motcua.scorecard.selectors import scorecard_drilldown, scorecard_report, scorecard_sets
from tests.conftest import local
from tests.scorecard.conftest import MARCH, receive, resolve


def row(report: dict, number: str) -> dict:
    return next(i for g in report["groups"] for i in g["indicators"] if i["id"] == number)


@pytest.fixture
def licence(tree):
    procedure, _ = procedure_upsert(
        code="9.900001",
        name="Cấp giấy phép thử",
        field_name="Thử nghiệm",
        level="commune",
        time_limit_value=5,
    )
    return procedure


@pytest.fixture
def resolved_set(tree, staff, licence, birth_registration):
    unit = tree.tien_dong
    a = resolve(
        staff, receive(staff, unit, licence, local(2024, 3, 5, 7, 30)), local(2024, 3, 11, 7, 30)
    )
    b = receive(staff, unit, licence, local(2024, 3, 4, 7, 30))
    services.dossier_request_supplement(
        actor=staff.desk, dossier=b, content="Thiếu tờ khai", at=local(2024, 3, 5, 7, 30)
    )
    b = services.dossier_receive_supplement(
        actor=staff.desk, dossier=b, at=local(2024, 3, 7, 7, 30)
    )
    b = resolve(staff, b, local(2024, 3, 8, 7, 30))
    e = resolve(
        staff, receive(staff, unit, licence, local(2024, 3, 28, 7, 30)), local(2024, 4, 2, 7, 30)
    )
    c = receive(staff, unit, licence, local(2024, 3, 20, 7, 30))
    d = resolve(
        staff, receive(staff, unit, licence, local(2024, 2, 26, 7, 30)), local(2024, 3, 4, 7, 30)
    )
    f = resolve(
        staff,
        receive(staff, unit, birth_registration, local(2024, 3, 12, 7, 30)),
        local(2024, 3, 12, 9, 30),
    )
    return {"A": a, "B": b, "E": e, "C": c, "D": d, "F": f}


def test_a_dossier_s_time_is_working_time_less_its_supplement_waits():
    def hours(start, end):  # a stand-in calendar: every hour counts
        return int((end - start).total_seconds())

    start = local(2024, 3, 4, 8, 0)
    waits = [{"requested": start + timedelta(hours=2), "received": start + timedelta(hours=5)}]
    seconds = qd766.resolution_seconds(
        received_at=start, end=start + timedelta(hours=10), supplements=waits, working_seconds=hours
    )
    assert seconds == 7 * 3600  # naive (supplement counted): 10 h
    # A supplement never handed in waits until the end of processing.
    open_wait = [{"requested": start + timedelta(hours=6), "received": None}]
    assert (
        qd766.resolution_seconds(
            received_at=start,
            end=start + timedelta(hours=10),
            supplements=open_wait,
            working_seconds=hours,
        )
        == 6 * 3600
    )
    # In the procedure's unit: 12 working hours are 1.5 working days, or 12 working hours.
    assert qd766.in_measure(12 * 3600, measure="working_days", working_day_seconds=8 * 3600) == (
        Fraction(3, 2)
    )
    assert qd766.in_measure(12 * 3600, measure="working_hours", working_day_seconds=8 * 3600) == 12


@pytest.mark.django_db
def test_mean_in_working_days_of_resolved_dossiers_started_in_the_period(
    tree, licence, resolved_set
):
    report = scorecard_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], procedure=licence)
    item = row(report, "2.2")
    assert list(item) == [
        "id", "key", "name", "max", "threshold", "numerator", "denominator", "rate", "points",
        "status", "reason",
    ]  # fmt: skip
    assert item["status"] == "ok" and item["reason"] is None
    assert item["denominator"] == 3
    assert item["numerator"] == Decimal("9.00")  # working days in all
    assert item["rate"] == Decimal("3.00")  # the mean, in working days (not a percent)
    assert item["points"] == Decimal("0.00") and item["max"] == 0  # display only
    # Naive readings, each another answer:
    calendar_days = (6 + 4 + 5) / 3  # A 5→11, B 4→8, E 28/3→2/4
    supplement_counted = (4 + 4 + 3) / 3
    unresolved_counted = (4 + 2 + 3 + 8) / 4  # C open 20/3 → end of March: 8 working days
    started_before_counted = (4 + 2 + 3 + 5) / 4  # D 26/2 → 4/3: 5 working days
    for naive in (calendar_days, supplement_counted, unresolved_counted, started_before_counted):
        assert Decimal(str(round(naive, 2))) != item["rate"]
    # The points of the scored indicators do not move: 2.2 is shown, never scored.
    without = scorecard_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    assert report["points"] == without["points"]


@pytest.mark.django_db
def test_drilldown_lists_exactly_the_dossiers_behind_the_mean(tree, licence, resolved_set):
    listed = scorecard_drilldown(
        unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="2.2", procedure=licence
    )
    expected = {resolved_set[k].pk for k in "ABE"}
    assert {d.pk for d in listed} == expected
    assert all(d.in_numerator for d in listed)
    sets = scorecard_sets(
        unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="2.2", procedure=licence
    )
    assert set(sets.durations) == expected and sets.measure == "working_days"
    assert sets.durations[resolved_set["B"].pk] == 2
    assert sum(sets.durations.values()) / len(sets.durations) == 3


@pytest.mark.django_db
def test_without_a_procedure_it_is_unavailable_and_with_none_resolved_no_data(
    tree, licence, resolved_set
):
    item = row(scorecard_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1]), "2.2")
    assert item["status"] == "unavailable" and "một thủ tục" in item["reason"]
    assert item["numerator"] is None and item["rate"] is None and item["points"] is None
    empty = row(
        scorecard_report(
            unit=tree.tien_dong, start=date(2024, 5, 1), end=date(2024, 5, 31), procedure=licence
        ),
        "2.2",
    )
    assert empty["status"] == "no_data" and empty["rate"] is None and empty["denominator"] == 0
    # Cộng Lạc resolved none of them: the scope is the processing agency.
    other = row(
        scorecard_report(unit=tree.cong_lac, start=MARCH[0], end=MARCH[1], procedure=licence),
        "2.2",
    )
    assert other["status"] == "no_data"


@pytest.mark.django_db
def test_an_imported_dossier_s_supplement_wait_is_subtracted_too(tree, licence):
    line = {
        "kind": "dossier",
        "MaHoSo": "11143-240304-9001",
        "MaTTHC": licence.code,
        "DonViXuLy": tree.tien_dong.code,
        "NgayTiepNhan": "20240304073000",
        "NgayHenTra": "20240315073000",
        "NgayKetThucXuLy": "20240308073000",
        "TrangThaiHoSo": "9",
        "DanhSachHoSoBoSung": [
            {"NgayBoSung": "20240305073000", "NgayTiepNhanBoSung": "20240307073000"}
        ],
    }
    report = interchange_import(stream=[json.dumps(line) + "\n"], strict=True)
    assert report.rejected == 0, report.errors
    item = row(
        scorecard_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], procedure=licence),
        "2.2",
    )
    assert (item["denominator"], item["rate"]) == (1, Decimal("2.00"))  # naive: 4.00


@pytest.mark.django_db
def test_command_takes_the_procedure_and_refuses_an_unknown_one(tree, licence, resolved_set):
    out = io.StringIO()
    arguments = ["--unit", tree.tien_dong.code, "--from", "2024-03-01", "--to", "2024-03-31"]
    call_command("scorecard", *arguments, "--json", "--procedure", licence.code, stdout=out)
    item = row(json.loads(out.getvalue()), "2.2")
    assert (item["numerator"], item["denominator"], item["rate"]) == (9.0, 3, 3.0)
    text = io.StringIO()
    call_command("scorecard", *arguments, "--procedure", licence.code, stdout=text)
    assert "trung bình 3 ngày làm việc" in text.getvalue()
    with pytest.raises(CommandError, match="Không tìm thấy thủ tục"):
        call_command("scorecard", *arguments, "--procedure", "0.000000", stdout=io.StringIO())
