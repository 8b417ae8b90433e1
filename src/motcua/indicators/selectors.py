"""Reading the counters: the four rates of the seed directive, form-06 figures and targets, for any
unit subtree and period (local dates, both ends inclusive)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from motcua.indicators.models import (
    COUNTER_COLUMNS,
    DailyCounter,
    Metric,
    ProcedureUse,
    RollupCounter,
    Target,
)
from motcua.indicators.rollups import USE_COLUMNS, period_spans, prefix_spans
from motcua.units.models import Unit
from motcua.units.selectors import unit_ancestors_q, unit_history_roots

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


def _spans_q(spans: list[tuple[str, date, date]]) -> Q | None:
    """The rollup rows of the spans; None when the spans are empty (an empty Q would match all)."""
    if not spans:
        return None
    q = Q()
    for span, first, last in spans:
        q |= Q(span=span, day__gte=first, day__lte=last)
    return q


def _rollup_sums(
    *,
    unit_ids: Iterable[int],
    spans,
    columns: tuple[str, ...],
    by: tuple[str, ...] = (),
    model=RollupCounter,
) -> dict[tuple, dict[str, int]]:
    """Column sums of a rollup's rows (RollupCounter or ProcedureUse) of the units' subtrees over
    the spans, per (unit, *by)."""
    where = _spans_q(spans)
    if where is None:
        return {}
    rows = (
        model.objects.filter(where, unit_id__in=set(unit_ids))
        .values("unit_id", *by)
        .annotate(**{c: Sum(c) for c in columns})
    )
    return {
        (row["unit_id"], *(row[b] for b in by)): {c: row[c] or 0 for c in columns} for row in rows
    }


def subtree_flows(*, unit_ids: Iterable[int], start: date, end: date) -> dict[int, dict[str, int]]:
    """Each unit's flow counters for the period, over its whole subtree (one small query)."""
    sums = _rollup_sums(
        unit_ids=unit_ids, spans=period_spans(start=start, end=end), columns=FLOW_COLUMNS
    )
    return {key[0]: values for key, values in sums.items()}


def subtree_class_flows(
    *, unit_ids: Iterable[int], start: date, end: date
) -> dict[int, dict[tuple[str, str], dict[str, int]]]:
    """Like subtree_flows, split by procedure class (online level, result kind)."""
    out: dict[int, dict] = defaultdict(dict)
    for (unit_id, online_level, result_kind), values in _rollup_sums(
        unit_ids=unit_ids,
        spans=period_spans(start=start, end=end),
        columns=FLOW_COLUMNS,
        by=("online_level", "result_kind"),
    ).items():
        out[unit_id][(online_level, result_kind)] = values
    return out


def subtree_stocks(*, unit_ids: Iterable[int], before: date) -> dict[int, dict[str, int]]:
    """Each subtree's open and overdue dossiers at the start of `before` (the sum of every change
    before it): {"open_delta", "overdue_delta"}."""
    sums = _rollup_sums(
        unit_ids=unit_ids,
        spans=prefix_spans(before=before),
        columns=("open_delta", "overdue_delta"),
    )
    return {key[0]: values for key, values in sums.items()}


def procedures_used(
    *, unit_ids: Iterable[int], start: date, end: date
) -> dict[int, dict[int, dict[str, int]]]:
    """{unit: {procedure: {"received", "received_paid_online"}}} over each unit's subtree."""
    out: dict[int, dict] = defaultdict(dict)
    for (unit_id, procedure_id), values in _rollup_sums(
        unit_ids=unit_ids,
        spans=period_spans(start=start, end=end),
        columns=USE_COLUMNS,
        by=("procedure_id",),
        model=ProcedureUse,
    ).items():
        out[unit_id][procedure_id] = values
    return out


def rates_from_flows(flows: dict[str, int]) -> dict[str, Rate]:
    return {
        metric: Rate(flows.get(n, 0), flows.get(d, 0)) for metric, (n, d) in RATE_COLUMNS.items()
    }


def _summed(flows: dict[int, dict[str, int]], roots: list[Unit]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for root in roots:
        for column, value in flows.get(root.pk, {}).items():
            total[column] += value
    return dict(total)


def rates_for(
    *, unit: Unit, start: date, end: date, with_predecessors: bool = False
) -> dict[str, Rate]:
    roots = unit_history_roots(unit=unit, with_predecessors=with_predecessors)
    flows = subtree_flows(unit_ids=[r.pk for r in roots], start=start, end=end)
    return rates_from_flows(_summed(flows, roots))


def rates_with_children(
    *, unit: Unit, start: date, end: date, with_predecessors: bool = False
) -> dict:
    """The unit's rates and each direct child's (its whole subtree), from one rollup query.
    Children are those that existed during the period (the tree as it was then; a spanning period
    lists the old and the new). `with_predecessors`: each unit's figures include those of the units
    it succeeded (unit_history_roots: disjoint subtrees, so a dossier counts once).
    `flows` holds the figures read per subtree, for below_target to reuse."""
    children = list(
        Unit.objects.filter(parent=unit)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("path")
    )
    roots = {
        u.pk: unit_history_roots(unit=u, with_predecessors=with_predecessors)
        for u in [unit, *children]
    }
    flows = subtree_flows(
        unit_ids={r.pk for group in roots.values() for r in group}, start=start, end=end
    )
    return {
        "unit": unit,
        "rates": rates_from_flows(_summed(flows, roots[unit.pk])),
        "children": [
            {"unit": child, "rates": rates_from_flows(_summed(flows, roots[child.pk]))}
            for child in children
        ],
        "flows": flows,
    }


def targets_applicable(*, unit: Unit, start: date, end: date) -> list[Target]:
    """Targets overlapping the period that were set by the unit, an ancestor or a unit inside it."""
    return list(
        Target.objects.filter(valid_from__lte=end, valid_to__gte=start)
        .filter(unit_ancestors_q(unit=unit, field="unit") | Q(unit__path__startswith=unit.path))
        .select_related("unit")
        .order_by("metric", "unit__path")
    )


def target_bound_units(
    *, target: Target, unit: Unit | None = None, subtree: list[Unit] | None = None
) -> list[Unit]:
    """The units of a subtree (`unit`'s, or the list given) a target binds: the unit that set it,
    or, with a level, every unit of that level below it."""
    if subtree is None:
        subtree = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    return [
        u
        for u in subtree
        if (
            u.pk == target.unit_id
            if not target.level
            else u.level == target.level and u.path.startswith(target.unit.path)
        )
    ]


def below_target(
    *, unit: Unit, start: date, end: date, flows: dict[int, dict[str, int]] | None = None
) -> list[dict]:
    """Every unit in the subtree bound by a target that its rate for the period misses. `flows`:
    subtree figures already read for some units (rates_with_children)."""
    targets = [
        t
        for t in targets_applicable(unit=unit, start=start, end=end)
        if t.metric in RATE_COLUMNS  # scorecard indicators are judged by the scorecard
    ]
    if not targets:
        return []
    subtree = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    bound_by = {target.pk: target_bound_units(target=target, subtree=subtree) for target in targets}
    flows = dict(flows or {})
    missing = {u.pk for bound in bound_by.values() for u in bound} - flows.keys()
    if missing:
        flows.update(subtree_flows(unit_ids=missing, start=start, end=end))
    misses = []
    for target in targets:
        for bound_unit in bound_by[target.pk]:
            rate = rates_from_flows(flows.get(bound_unit.pk, {}))[target.metric]
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


def subtree_form06(*, unit_ids: Iterable[int], start: date, end: date) -> dict[int, Form06Figures]:
    """Form 06 figures of each unit's whole subtree, from the rollups (three small queries)."""
    ids = set(unit_ids)
    flows = subtree_flows(unit_ids=ids, start=start, end=end)
    carried = subtree_stocks(unit_ids=ids, before=start)
    at_end = subtree_stocks(unit_ids=ids, before=end + timedelta(days=1))
    zero: dict[str, int] = {}
    out = {}
    for unit_id in ids:
        f, c, e = flows.get(unit_id, zero), carried.get(unit_id, zero), at_end.get(unit_id, zero)
        out[unit_id] = Form06Figures(
            received_online=f.get("received_online", 0),
            received_direct_or_postal=f.get("received", 0) - f.get("received_online", 0),
            carried_over=c.get("open_delta", 0),
            resolved_early=f.get("ended_early", 0),
            resolved_on_time=f.get("ended_on_time", 0),
            resolved_late=f.get("ended_late", 0),
            in_progress_total=e.get("open_delta", 0),
            in_progress_overdue=e.get("overdue_delta", 0),
        )
    return out


def rate_dossiers(*, unit: Unit, start: date, end: date, metric: str, part: str = "denominator"):
    """The dossiers behind a rate (drill-down): its denominator, or only its numerator. The same
    rules as the counters, stated as a query over dossiers (indicators.naive)."""
    from motcua.indicators import naive

    if metric not in RATE_COLUMNS:
        raise ValueError(metric)
    return naive.rate_queryset(
        unit=unit, start=start, end=end, metric=metric, numerator=part == "numerator"
    )
