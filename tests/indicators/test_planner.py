"""The target planner against a case computed by hand (docs/targets.md works it through).

Tiên Động, target 30 % online payment for 2026 (every commune of the district), planned on Friday
27/11/2026 for 31/12/2026:
- so far (1/1–27/11): 15 dossiers with a fee, 2 paid online → 13,33 %, below 30 %;
- trend, the last 28 days (31/10–27/11: 19 working days, 24/11 Vietnam Culture Day is off): 5 with
  a fee, 1 paid online;
- to come: 24 working days (30/11 and 1–31/12), so 5 × 24 / 19 = 6,3 → 6 more with a fee, and at the
  trend's 1 in 5, round(6 / 5) = 1 more paid online;
- by 31/12: 15 + 6 = 21 with a fee, 30 % of 21 = 6,3 → 7 paid online needed; 7 − 2 = 5 more;
  the trend brings 1, so 4 short; ⌈5 / 24⌉ = 1 a working day; projected 3 / 21 = 14,29 %.
Cộng Lạc paid both of its fees online (100 %): no plan."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.models import Target
from motcua.indicators.planner import plan_arithmetic, targets_plan
from motcua.indicators.selectors import Rate
from tests.conftest import handed_in, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(db):
    procedure, _ = procedure_upsert(
        code="1.004873",
        name="Cấp bản sao trích lục hộ tịch",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="full",
        fees=[{"name": "Phí cấp bản sao", "amount": 50000}],
        components=[],
    )
    return procedure


def dossier(actor, unit, procedure, at, *, online_paid: bool):
    d = services.dossier_receive(
        actor=actor,
        unit=unit,
        procedure=procedure,
        applicant=Applicant(name="Nguyễn Văn A"),
        components=handed_in(procedure, otherwise="Tờ khai"),
        at=at,
    )
    if online_paid:
        services.dossier_record_payment(
            actor=None,
            dossier=d,
            amount=d.fee_amount,
            online=True,
            reference=f"province:TX-{d.code}",
            at=at.replace(hour=at.hour + 1),
        )
    return d


@pytest.fixture
def case(staff, tree, birth_registration, certificate):
    Target.objects.create(
        metric="online_payment",
        percent=Decimal(30),
        unit=tree.district,
        level="commune",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    desk, td = staff.desk, tree.tien_dong
    # March: 7 birth registrations (1 paid online), 3 certificates (none).
    for i in range(7):
        dossier(desk, td, birth_registration, local(2026, 3, 2 + i, 9), online_paid=i == 0)
    for i in range(3):
        dossier(desk, td, certificate, local(2026, 3, 16 + i, 9), online_paid=False)
    # November, inside the trend's window: 3 birth registrations, 2 certificates (1 paid online).
    for i in range(3):
        dossier(desk, td, birth_registration, local(2026, 11, 9 + i, 9), online_paid=False)
    for i in range(2):
        dossier(desk, td, certificate, local(2026, 11, 16 + i, 9), online_paid=i == 0)
    # Cộng Lạc, in October (before the window): both paid online.
    for i in range(2):
        dossier(
            staff.other_desk,
            tree.cong_lac,
            birth_registration,
            local(2026, 10, 1 + i, 9),
            online_paid=True,
        )
    return tree


def test_the_hand_computed_case(case):
    plans = targets_plan(unit=case.district, by=date(2026, 12, 31), as_of=date(2026, 11, 27))
    assert [p.unit.code for p in plans] == ["11143"]
    plan = plans[0]
    assert (plan.so_far.numerator, plan.so_far.denominator) == (2, 15)
    assert plan.so_far.percent == Decimal("13.33")
    assert (plan.trend.numerator, plan.trend.denominator) == (1, 5)
    assert plan.trend_from == date(2026, 10, 31)
    assert (plan.trend_working_days, plan.remaining_working_days) == (19, 24)
    assert plan.expected_denominator == 21
    assert plan.required_numerator == 7
    assert plan.needed == 5
    assert plan.expected_at_trend == 1
    assert plan.shortfall == 4
    assert plan.per_working_day == 1
    assert plan.projected.percent == Decimal("14.29")
    # The unpaid-online fees: 9 birth registrations (72 000 đồng), then 4 certificates (200 000).
    assert [(g.code, g.dossiers, g.amount) for g in plan.procedures] == [
        ("1.001193", 9, 72000),
        ("1.004873", 4, 200000),
    ]


def test_the_arithmetic_alone():
    numbers = plan_arithmetic(
        percent=Decimal(30),
        so_far=Rate(2, 15),
        trend=Rate(1, 5),
        trend_working_days=20,
        remaining=24,
    )
    assert numbers == {
        "expected_denominator": 21,
        "required_numerator": 7,
        "needed": 5,
        "expected_at_trend": 1,
        "shortfall": 4,
        "per_working_day": 1,
    }
    # Already enough by the date: nothing needed; no day left: no daily figure.
    assert plan_arithmetic(
        percent=Decimal(30), so_far=Rate(5, 10), trend=Rate(0, 0), trend_working_days=0, remaining=0
    ) == {
        "expected_denominator": 10,
        "required_numerator": 3,
        "needed": 0,
        "expected_at_trend": 0,
        "shortfall": 0,
        "per_working_day": None,
    }


def test_the_command_json_shape(case):
    out = io.StringIO()
    call_command(
        "targets",
        "plan",
        "--unit",
        "298",
        "--by",
        "2026-12-31",
        "--as-of",
        "2026-11-27",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["unit"] == "298" and data["by"] == "2026-12-31"
    (plan,) = data["plans"]
    assert plan == {
        "unit": "11143",
        "unit_name": "UBND xã Tiên Động",
        "metric": "online_payment",
        "target": 30.0,
        "period": {"from": "2026-01-01", "to": "2026-12-31"},
        "by": "2026-12-31",
        "as_of": "2026-11-27",
        "so_far": {"numerator": 2, "denominator": 15, "percent": 13.33},
        "trend": {
            "from": "2026-10-31",
            "to": "2026-11-27",
            "working_days": 19,
            "numerator": 1,
            "denominator": 5,
            "percent": 20.0,
        },
        "remaining_working_days": 24,
        "expected_denominator": 21,
        "required_numerator": 7,
        "needed": 5,
        "expected_at_trend": 1,
        "shortfall": 4,
        "per_working_day": 1,
        "projected_percent": 14.29,
        "procedures": [
            {"code": "1.001193", "name": "Đăng ký khai sinh", "dossiers": 9, "amount": 72000},
            {
                "code": "1.004873",
                "name": "Cấp bản sao trích lục hộ tịch",
                "dossiers": 4,
                "amount": 200000,
            },
        ],
    }
    text = io.StringIO()
    call_command(
        "targets",
        "plan",
        "--unit",
        "298",
        "--by",
        "2026-12-31",
        "--as-of",
        "2026-11-27",
        stdout=text,
    )
    assert "Cần thêm 5 lượt thanh toán trực tuyến đến 31/12/2026" in text.getvalue()


def test_unknown_unit_and_bad_date_exit_2(case):
    with pytest.raises(CommandError) as error:
        call_command("targets", "plan", "--unit", "999", "--by", "2026-12-31")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("targets", "plan", "--unit", "298", "--by", "31/12/2026")
    assert error.value.returncode == 2
