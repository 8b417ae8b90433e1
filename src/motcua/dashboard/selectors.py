"""What a supervisor sees: the rates of a subtree, its children against targets, monthly trends."""

from calendar import monthrange
from datetime import date

from motcua.core.replica import figures_read
from motcua.core.timeutil import now as local_now
from motcua.indicators.models import Metric
from motcua.indicators.planner import targets_plan
from motcua.indicators.selectors import (
    below_target,
    rates_from_flows,
    rates_with_children,
    subtree_flows,
)
from motcua.units.models import Unit


def months_back(*, end: date, count: int) -> list[tuple[date, date]]:
    """The `count` calendar months ending with `end`'s month, oldest first (the last one cut at `end`)."""
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        first = date(year, month, 1)
        last = min(date(year, month, monthrange(year, month)[1]), end)
        months.append((first, last))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


@figures_read
def dashboard_overview(
    *, unit: Unit, start: date, end: date, with_predecessors: bool = False
) -> dict:
    figures = rates_with_children(
        unit=unit, start=start, end=end, with_predecessors=with_predecessors
    )
    misses = below_target(unit=unit, start=start, end=end, flows=figures["flows"])
    missed = {(m["unit"].pk, m["metric"]): m for m in misses}
    # What each unit below a target still needs by the target's end, as of the period's end.
    plans = targets_plan(unit=unit, as_of=min(end, local_now().date()))
    return {
        "unit": unit,
        "rates": figures["rates"],
        "children": figures["children"],
        "below_target": misses,
        "missed": missed,
        "plans": plans,
    }


@figures_read
def dashboard_trend(*, unit: Unit, end: date, months: int = 12) -> dict:
    """Each metric's percent per month: one small rollup query per month."""
    periods = months_back(end=end, count=months)
    values: dict[str, list] = {metric: [] for metric in Metric.values}
    for first, last in periods:
        flows = subtree_flows(unit_ids=[unit.pk], start=first, end=last).get(unit.pk, {})
        for metric, rate in rates_from_flows(flows).items():
            values[metric].append(rate.percent)
    return {"periods": periods, "values": values}
