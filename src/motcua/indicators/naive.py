"""The same figures computed straight from the dossiers with plain aggregate queries.

This is the baseline the benchmarks compare against and the oracle the tests check the counters
with; it restates the rules of contributions.py as SQL, deliberately independently."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q

from motcua.core.timeutil import LOCAL_TZ
from motcua.dossiers.models import Dossier
from motcua.indicators.contributions import count_withdrawn
from motcua.units.models import Unit


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ)


def _after(day: date) -> datetime:
    return _start(day + timedelta(days=1))


def counted(unit: Unit):
    queryset = Dossier.objects.filter(
        unit__path__startswith=unit.path, received_at__isnull=False
    ).exclude(state__in=[1, 3])
    if not count_withdrawn():
        queryset = queryset.exclude(state=7)
    return queryset


def rate_queryset(*, unit: Unit, start: date, end: date, metric: str, numerator: bool = False):
    """Dossiers in a rate's denominator (or, with `numerator`, in its numerator)."""
    s, e = _start(start), _after(end)
    if metric == "result_digitization":
        queryset = counted(unit).filter(ended_at__gte=s, ended_at__lt=e, state__in=[9, 10])
        return queryset.filter(has_result_file=True) if numerator else queryset
    queryset = counted(unit).filter(received_at__gte=s, received_at__lt=e)
    if metric == "online_payment":
        queryset = queryset.filter(fee_amount__gt=0)
    if not numerator:
        return queryset
    condition = {
        "online_dossiers": Q(channel=2),
        "full_digitization": Q(components_digitized=True),
        "online_payment": Q(paid_online=True),
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
    s, e = _start(start), _after(end)
    received = base.filter(received_at__gte=s, received_at__lt=e)
    carried = (
        base.filter(received_at__lt=s).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=s)).count()
    )
    ended = list(
        base.filter(ended_at__gte=s, ended_at__lt=e).values(
            "ended_at", "due_at", "supplement_count"
        )
    )
    early = on_time = late = 0
    for d in ended:
        if d["supplement_count"] > 1 or (d["due_at"] is not None and d["ended_at"] > d["due_at"]):
            late += 1
        elif (
            d["due_at"] is not None
            and d["ended_at"].astimezone(LOCAL_TZ).date() < d["due_at"].astimezone(LOCAL_TZ).date()
        ):
            early += 1
        else:
            on_time += 1
    open_at_end = base.filter(received_at__lt=e).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=e)
    )
    overdue = open_at_end.filter(due_at__lt=e).count()
    online = received.filter(channel=2).count()
    total_received = received.count()
    return {
        "received_total": total_received + carried,
        "received_online": online,
        "received_direct_or_postal": total_received - online,
        "carried_over": carried,
        "resolved_total": early + on_time + late,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "in_progress_total": open_at_end.count(),
        "in_progress_within_deadline": open_at_end.count() - overdue,
        "in_progress_overdue": overdue,
    }
