"""The target planner: for each unit below a target of the targets table, how many more dossiers
of the rate's numerator (for the online-payment rate: online payments) it needs by a date, given
its volume so far and its recent trend, and which procedures carry most of what is missing.
The directive's "phấn đấu đạt và vượt kế hoạch" as a number per commune.

Reads only: the figures come from the rollups (`selectors.subtree_flows`), the dossiers behind the
gap from the counting rules' query filters (`naive.rate_queryset`, i.e. `rules`); which units a
target binds and whether they miss it is `selectors.below_target`'s rule (`target_bound_units`).

The arithmetic, for a target of `percent` valid from `valid_from`, planned on `as_of` for `by`
(docs/targets.md has a worked case):

- so far: numerator N and denominator D over [valid_from, as_of];
- the trend: the last TREND_DAYS days to `as_of` (from valid_from at the latest), n and d in it, over
  its w working days; the volume to come: d_more = round(d × r / w) for the r working days after
  `as_of` up to `by`, and at the trend's own share, n_more = round(d_more × n / d);
- the denominator expected by `by`: D + d_more; the numerator it needs: ⌈percent × (D + d_more) /
  100⌉; needed = that − N (never below 0); shortfall = needed − n_more (what the trend does not
  bring by itself); per working day = ⌈needed / r⌉."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from motcua.core.timeutil import now as local_now
from motcua.indicators.models import Metric, Target
from motcua.indicators.naive import rate_queryset
from motcua.indicators.selectors import (
    RATE_COLUMNS,
    Rate,
    rates_from_flows,
    subtree_flows,
    target_bound_units,
    targets_applicable,
)
from motcua.units.models import Unit
from motcua.workcalendar.selectors import calendar_get

TREND_DAYS = 28  # four weeks: long enough to smooth a week, short enough to follow a change
TOP_PROCEDURES = 3

# What one more dossier of each rate's numerator is, for people (the command, the dashboard).
NUMERATOR_TEXT = {
    Metric.ONLINE_PAYMENT: "lượt thanh toán trực tuyến",
    Metric.ONLINE_DOSSIERS: "hồ sơ nộp trực tuyến",
    Metric.FULL_DIGITIZATION: "hồ sơ số hóa đầy đủ thành phần",
    Metric.RESULT_DIGITIZATION: "kết quả được số hóa",
}


@dataclass(frozen=True)
class ProcedureGap:
    code: str
    name: str
    dossiers: int  # in the denominator, not in the numerator (for payments: fee not paid online)
    amount: int  # their fees, integer đồng (the online-payment rate only; 0 otherwise)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "dossiers": self.dossiers,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class TargetPlan:
    unit: Unit
    metric: str
    target: Decimal
    valid_from: date
    valid_to: date
    by: date
    as_of: date
    so_far: Rate
    trend: Rate  # the trend window's figures
    trend_from: date
    trend_working_days: int
    remaining_working_days: int
    expected_denominator: int
    required_numerator: int
    needed: int
    expected_at_trend: int
    shortfall: int
    per_working_day: int | None
    procedures: list[ProcedureGap] = field(default_factory=list)

    @property
    def projected(self) -> Rate:
        """The rate by `by` if the trend holds."""
        return Rate(self.so_far.numerator + self.expected_at_trend, self.expected_denominator)

    def as_dict(self) -> dict:
        """One plan of `motcua targets plan --json` (a contract: docs/targets.md)."""
        return {
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "metric": self.metric,
            "target": float(self.target),
            "period": {"from": self.valid_from.isoformat(), "to": self.valid_to.isoformat()},
            "by": self.by.isoformat(),
            "as_of": self.as_of.isoformat(),
            "so_far": self.so_far.as_dict(),
            "trend": {
                "from": self.trend_from.isoformat(),
                "to": self.as_of.isoformat(),
                "working_days": self.trend_working_days,
                **self.trend.as_dict(),
            },
            "remaining_working_days": self.remaining_working_days,
            "expected_denominator": self.expected_denominator,
            "required_numerator": self.required_numerator,
            "needed": self.needed,
            "expected_at_trend": self.expected_at_trend,
            "shortfall": self.shortfall,
            "per_working_day": self.per_working_day,
            "projected_percent": (
                float(self.projected.percent) if self.projected.percent is not None else None
            ),
            "procedures": [p.as_dict() for p in self.procedures],
        }


def _working_days(calendar, first: date, last: date) -> int:
    """Working days in [first, last] (0 when last < first)."""
    days, day = 0, first
    while day <= last:
        days += calendar.is_working_day(day)
        day += timedelta(days=1)
    return days


def _round(value: Decimal, rounding=ROUND_HALF_UP) -> int:
    return int(value.quantize(Decimal(1), rounding=rounding))


def plan_arithmetic(
    *, percent: Decimal, so_far: Rate, trend: Rate, trend_working_days: int, remaining: int
) -> dict[str, int | None]:
    """The planner's numbers from the figures (pure; the module's docstring states the rule)."""
    more = Decimal(0)
    if trend_working_days and trend.denominator:
        more = Decimal(trend.denominator) * remaining / trend_working_days
    d_more = _round(more)
    n_more = (
        _round(Decimal(d_more) * trend.numerator / trend.denominator) if trend.denominator else 0
    )
    expected = so_far.denominator + d_more
    required = _round(Decimal(percent) * expected / 100, ROUND_CEILING)
    needed = max(0, required - so_far.numerator)
    return {
        "expected_denominator": expected,
        "required_numerator": required,
        "needed": needed,
        "expected_at_trend": n_more,
        "shortfall": max(0, needed - n_more),
        "per_working_day": _round(Decimal(needed) / remaining, ROUND_CEILING)
        if remaining
        else None,
    }


def _procedure_gaps(*, unit: Unit, metric: str, start: date, end: date) -> list[ProcedureGap]:
    """The procedures with the most dossiers in the rate's denominator and not in its numerator —
    for the online-payment rate, the fees not paid online, by the counting rules."""
    denominator = rate_queryset(unit=unit, start=start, end=end, metric=metric)
    numerator = rate_queryset(unit=unit, start=start, end=end, metric=metric, numerator=True)
    rows = (
        denominator.exclude(pk__in=numerator.values("pk"))
        .values("procedure__code", "procedure__name")
        .annotate(dossiers=Count("pk"), amount=Sum("fee_amount"))
        .order_by("-dossiers", "-amount", "procedure__code")[:TOP_PROCEDURES]
    )
    return [
        ProcedureGap(
            code=row["procedure__code"],
            name=row["procedure__name"],
            dossiers=row["dossiers"],
            amount=int(row["amount"] or 0) if metric == Metric.ONLINE_PAYMENT else 0,
        )
        for row in rows
    ]


def targets_plan(
    *, unit: Unit, by: date | None = None, as_of: date | None = None
) -> list[TargetPlan]:
    """A plan for every unit of `unit`'s subtree that a target of the table binds and whose rate
    so far misses it. `by`: the date to plan for (targets valid on it); None: each target's own
    end, for targets valid on `as_of`. `as_of`: today (local) unless given; never after `by`."""
    today = as_of or local_now().date()
    if by is not None and by < today:
        today = by
    day = by or today
    targets: list[Target] = [
        t
        for t in targets_applicable(unit=unit, start=day, end=day)
        if t.metric in RATE_COLUMNS and t.valid_from <= today
    ]
    plans: list[TargetPlan] = []
    for target in targets:
        goal = min(by or target.valid_to, target.valid_to)
        trend_from = max(target.valid_from, today - timedelta(days=TREND_DAYS - 1))
        bound = target_bound_units(target=target, unit=unit)
        if not bound:
            continue
        ids = [u.pk for u in bound]
        so_far_flows = subtree_flows(unit_ids=ids, start=target.valid_from, end=today)
        trend_flows = subtree_flows(unit_ids=ids, start=trend_from, end=today)
        for bound_unit in bound:
            so_far = rates_from_flows(so_far_flows.get(bound_unit.pk, {}))[target.metric]
            if so_far.percent is None or so_far.percent >= target.percent:
                continue
            trend = rates_from_flows(trend_flows.get(bound_unit.pk, {}))[target.metric]
            calendar = calendar_get(unit=bound_unit)
            trend_days = _working_days(calendar, trend_from, today)
            remaining = _working_days(calendar, today + timedelta(days=1), goal)
            numbers = plan_arithmetic(
                percent=target.percent,
                so_far=so_far,
                trend=trend,
                trend_working_days=trend_days,
                remaining=remaining,
            )
            plans.append(
                TargetPlan(
                    unit=bound_unit,
                    metric=target.metric,
                    target=target.percent,
                    valid_from=target.valid_from,
                    valid_to=target.valid_to,
                    by=goal,
                    as_of=today,
                    so_far=so_far,
                    trend=trend,
                    trend_from=trend_from,
                    trend_working_days=trend_days,
                    remaining_working_days=remaining,
                    procedures=_procedure_gaps(
                        unit=bound_unit, metric=target.metric, start=target.valid_from, end=today
                    ),
                    **numbers,
                )
            )
    plans.sort(key=lambda p: (p.metric, -p.needed, p.unit.path))
    return plans
