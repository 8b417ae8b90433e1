"""The same figures computed straight from the dossiers with plain aggregate queries.

This is the baseline the benchmarks compare against and the oracle the tests check the counters
with: where the counters add `rules`' predicates event by event, this selects with the same rules'
query filters over all dossiers at once — two computations, one statement of each rule."""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Q

from motcua.core.timeutil import local_datetime
from motcua.dossiers.models import Dossier
from motcua.indicators import rules
from motcua.units.models import Unit


def counted(unit: Unit):
    return Dossier.objects.filter(rules.counted_q(), unit__path__startswith=unit.path)


def rate_queryset(*, unit: Unit, start: date, end: date, metric: str, numerator: bool = False):
    """Dossiers in a rate's denominator (or, with `numerator`, in its numerator)."""
    if metric == "result_digitization":
        queryset = counted(unit).filter(rules.ended_in_q(start, end), rules.ended_with_result_q())
        return queryset.filter(has_result_file=True) if numerator else queryset
    queryset = counted(unit).filter(rules.received_in_q(start, end))
    if metric == "online_payment":
        queryset = queryset.filter(rules.with_fee_q())
    if not numerator:
        return queryset
    condition = {
        "online_dossiers": rules.online_q(),
        "full_digitization": Q(components_digitized=True),
        "online_payment": rules.paid_online_q(),
    }[metric]
    return queryset.filter(condition)


def naive_rates(*, unit: Unit, start: date, end: date) -> dict[str, tuple[int, int]]:
    metrics = ("online_dossiers", "full_digitization", "result_digitization", "online_payment")
    return {
        metric: (
            rate_queryset(unit=unit, start=start, end=end, metric=metric, numerator=True).count(),
            rate_queryset(unit=unit, start=start, end=end, metric=metric).count(),
        )
        for metric in metrics
    }


def naive_form06(*, unit: Unit, start: date, end: date) -> dict[str, int]:
    base = counted(unit)
    period_start, period_after = local_datetime(start), local_datetime(end + timedelta(days=1))
    received = base.filter(rules.received_in_q(start, end))
    carried = base.filter(rules.open_at_q(period_start)).count()
    ended = list(
        base.filter(rules.ended_in_q(start, end)).values("ended_at", "due_at", "supplement_count")
    )
    verdicts = Counter(rules.lateness(d) for d in ended)
    open_at_end = base.filter(rules.open_at_q(period_after))
    overdue = base.filter(rules.overdue_at_q(period_after)).count()
    online = received.filter(rules.online_q()).count()
    total_received = received.count()
    return {
        "received_total": total_received + carried,
        "received_online": online,
        "received_direct_or_postal": total_received - online,
        "carried_over": carried,
        "resolved_total": len(ended),
        "resolved_early": verdicts["early"],
        "resolved_on_time": verdicts["on_time"],
        "resolved_late": verdicts["late"],
        "in_progress_total": open_at_end.count(),
        "in_progress_within_deadline": open_at_end.count() - overdue,
        "in_progress_overdue": overdue,
    }
