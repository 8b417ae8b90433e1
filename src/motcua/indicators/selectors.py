"""Reading the counters: the four rates of the seed directive, form-06 figures and targets, for any
unit subtree and period (local dates, both ends inclusive)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from motcua.indicators.models import COUNTER_COLUMNS, DailyCounter, Metric, Target
from motcua.units.models import Unit

# metric → (numerator column, denominator column)
RATE_COLUMNS: dict[str, tuple[str, str]] = {
    Metric.ONLINE_DOSSIERS: ("received_online", "received"),
    Metric.FULL_DIGITIZATION: ("received_digitized", "received"),
    Metric.RESULT_DIGITIZATION: ("resolved_with_result_file", "resolved_with_result"),
    Metric.ONLINE_PAYMENT: ("received_paid_online", "received_with_fee"),
}
FLOW_COLUMNS = tuple(c for c in COUNTER_COLUMNS if not c.endswith("_delta"))


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """Rounded half-up to two decimals; None ("no data") when nothing was counted."""
        if not self.denominator:
            return None
        value = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict:
        percent = self.percent
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "percent": float(percent) if percent is not None else None,
        }


def _subtree(unit: Unit) -> Q:
    return Q(unit__path__startswith=unit.path)


def flows_by_unit(*, unit: Unit, start: date, end: date) -> dict[int, dict[str, int]]:
    """Flow counters of the period summed per filed-with unit of the subtree (one small query)."""
    rows = (
        DailyCounter.objects.filter(_subtree(unit), day__gte=start, day__lte=end)
        .values("unit_id")
        .annotate(**{c: Sum(c) for c in FLOW_COLUMNS})
    )
    return {row["unit_id"]: {c: row[c] or 0 for c in FLOW_COLUMNS} for row in rows}


def _fold(units: list[Unit], per_unit: dict[int, dict[str, int]]) -> dict[str, int]:
    total = defaultdict(int)
    for u in units:
        for column, value in per_unit.get(u.pk, {}).items():
            total[column] += value
    return total


def rates_from_flows(flows: dict[str, int]) -> dict[str, Rate]:
    return {
        metric: Rate(flows.get(n, 0), flows.get(d, 0)) for metric, (n, d) in RATE_COLUMNS.items()
    }


def rates_for(*, unit: Unit, start: date, end: date) -> dict[str, Rate]:
    per_unit = flows_by_unit(unit=unit, start=start, end=end)
    return rates_from_flows(_fold(list(Unit.objects.filter(path__startswith=unit.path)), per_unit))


def rates_with_children(*, unit: Unit, start: date, end: date) -> dict:
    """The unit's rates and each direct child's (its whole subtree), from one counter query."""
    per_unit = flows_by_unit(unit=unit, start=start, end=end)
    subtree = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    children = [u for u in subtree if u.parent_id == unit.pk]
    return {
        "unit": unit,
        "rates": rates_from_flows(_fold(subtree, per_unit)),
        "children": [
            {
                "unit": child,
                "rates": rates_from_flows(
                    _fold([u for u in subtree if u.path.startswith(child.path)], per_unit)
                ),
            }
            for child in children
        ],
        "subtree": subtree,
        "per_unit": per_unit,
    }


def targets_applicable(*, unit: Unit, start: date, end: date) -> list[Target]:
    """Targets overlapping the period that were set by the unit, an ancestor or a unit inside it."""
    ancestors = [code for code in unit.path.split("/") if code]
    return list(
        Target.objects.filter(valid_from__lte=end, valid_to__gte=start)
        .filter(Q(unit__code__in=ancestors) | Q(unit__path__startswith=unit.path))
        .select_related("unit")
        .order_by("metric", "unit__path")
    )


def below_target(*, unit: Unit, start: date, end: date, subtree=None, per_unit=None) -> list[dict]:
    """Every unit in the subtree bound by a target that its rate for the period misses."""
    if subtree is None or per_unit is None:
        subtree = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
        per_unit = flows_by_unit(unit=unit, start=start, end=end)
    misses = []
    for target in targets_applicable(unit=unit, start=start, end=end):
        if target.metric not in RATE_COLUMNS:
            continue  # scorecard indicators are judged by the scorecard
        bound = [
            u
            for u in subtree
            if (
                u.pk == target.unit_id
                if not target.level
                else u.level == target.level and u.path.startswith(target.unit.path)
            )
        ]
        for bound_unit in bound:
            rate = rates_from_flows(
                _fold([u for u in subtree if u.path.startswith(bound_unit.path)], per_unit)
            )[target.metric]
            if rate.percent is not None and rate.percent < target.percent:
                misses.append(
                    {
                        "unit": bound_unit,
                        "metric": target.metric,
                        "percent": rate.percent,
                        "target": target.percent,
                    }
                )
    misses.sort(key=lambda m: (m["metric"], m["percent"]))
    return misses


@dataclass(frozen=True)
class Form06Figures:
    received_online: int
    received_direct_or_postal: int
    carried_over: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_total: int
    in_progress_overdue: int

    @property
    def received_total(self) -> int:
        return self.received_online + self.received_direct_or_postal + self.carried_over

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress_within_deadline(self) -> int:
        return self.in_progress_total - self.in_progress_overdue

    def as_dict(self) -> dict[str, int]:
        return {
            "received_total": self.received_total,
            "received_online": self.received_online,
            "received_direct_or_postal": self.received_direct_or_postal,
            "carried_over": self.carried_over,
            "resolved_total": self.resolved_total,
            "resolved_early": self.resolved_early,
            "resolved_on_time": self.resolved_on_time,
            "resolved_late": self.resolved_late,
            "in_progress_total": self.in_progress_total,
            "in_progress_within_deadline": self.in_progress_within_deadline,
            "in_progress_overdue": self.in_progress_overdue,
        }


def form06_figures(
    *, unit: Unit, start: date, end: date, group_by: tuple[str, ...] = ()
) -> dict[tuple, Form06Figures]:
    """Form 06 figures for the subtree, optionally grouped (e.g. ("unit__level", "procedure__field_id")).
    Stocks come from the difference columns summed up to the period's edges."""
    base = DailyCounter.objects.filter(_subtree(unit))
    flows = (
        base.filter(day__gte=start, day__lte=end)
        .values(*group_by)
        .annotate(
            online=Sum("received_online"),
            received=Sum("received"),
            early=Sum("ended_early"),
            on_time=Sum("ended_on_time"),
            late=Sum("ended_late"),
        )
    )
    carried = base.filter(day__lt=start).values(*group_by).annotate(open=Sum("open_delta"))
    at_end = (
        base.filter(day__lte=end)
        .values(*group_by)
        .annotate(open=Sum("open_delta"), overdue=Sum("overdue_delta"))
    )
    table: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in flows:
        key = tuple(row[g] for g in group_by)
        table[key]["online"] += row["online"] or 0
        table[key]["direct"] += (row["received"] or 0) - (row["online"] or 0)
        for name in ("early", "on_time", "late"):
            table[key][name] += row[name] or 0
    for row in carried:
        table[tuple(row[g] for g in group_by)]["carried"] += row["open"] or 0
    for row in at_end:
        key = tuple(row[g] for g in group_by)
        table[key]["open"] += row["open"] or 0
        table[key]["overdue"] += row["overdue"] or 0
    return {
        key: Form06Figures(
            received_online=v["online"],
            received_direct_or_postal=v["direct"],
            carried_over=v["carried"],
            resolved_early=v["early"],
            resolved_on_time=v["on_time"],
            resolved_late=v["late"],
            in_progress_total=v["open"],
            in_progress_overdue=v["overdue"],
        )
        for key, v in table.items()
        if any(v.values())
    }


def rate_dossiers(*, unit: Unit, start: date, end: date, metric: str, part: str = "denominator"):
    """The dossiers behind a rate (drill-down): its denominator, or only its numerator. The same
    rules as the counters, stated as a query over dossiers (indicators.naive)."""
    from motcua.indicators import naive

    if metric not in RATE_COLUMNS:
        raise ValueError(metric)
    return naive.rate_queryset(
        unit=unit, start=start, end=end, metric=metric, numerator=part == "numerator"
    )
