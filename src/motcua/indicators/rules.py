"""The counting rules (docs/domain.md §8–9 — carried into docs/reports.md), each stated once, twice over:
as a predicate on one dossier's facts, which the counters add up (`contributions`), and right beside
it as the equivalent query filter over dossiers, which the drill-downs, the naive oracle, the
procedure review and the benchmarks' baseline select with. tests/indicators/test_rules.py checks
every pair agrees on random dossiers; change one side, change the other in the same place.

Facts are a dossier's projected fields: a Dossier row or a projection-fields dict."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q
from django.db.models.functions import TruncDate

from motcua.core.timeutil import LOCAL_TZ, local_date, local_datetime
from motcua.dossiers.models import Channel, State

Facts = Mapping[str, Any]

# Submitted online and not (yet) accepted, or refused at intake: counted nowhere.
NEVER_COUNTED_STATES = frozenset({State.SUBMITTED_ONLINE, State.NOT_ACCEPTED})
# Ended with a result (a refusal after acceptance is one too: state 9, outcome rejected).
RESULT_STATES = frozenset({State.RESOLVED, State.RETURNED})


def count_withdrawn() -> bool:
    """Local policy (form 06): by default withdrawn dossiers drop out of every count; counted, they
    are resolved (they carry an end of processing)."""
    return getattr(settings, "MOTCUA_COUNT_WITHDRAWN", False)


# --- form 06's local policies (docs/reports.md, "Counting policies") -------------------------------

# name → (setting, allowed values, default). Provinces count these differently; changing one
# changes what the counters hold, so it needs `motcua indicators rebuild`.
POLICIES = {
    "supplement_waiting": (
        "MOTCUA_FORM06_SUPPLEMENT_WAITING",
        ("by_deadline", "within_deadline"),
        "by_deadline",
    ),
    "stopped": ("MOTCUA_FORM06_STOPPED", ("resolved", "in_progress"), "resolved"),
    "lateness": ("MOTCUA_FORM06_LATENESS", ("moment", "date"), "moment"),
}


@dataclass(frozen=True)
class Form06Policy:
    # Waiting for a supplement: in progress, overdue by its promised moment ("by_deadline") or
    # always within the deadline ("within_deadline").
    supplement_waiting: str
    # Stopped: resolved at the stop ("resolved") or still in progress within the deadline.
    stopped: str
    # Late: ended after the promised moment ("moment") or on a later local date ("date").
    lateness: str


def form06_policy() -> Form06Policy:
    values = {}
    for name, (setting, allowed, default) in POLICIES.items():
        value = getattr(settings, setting, default)
        if value not in allowed:
            raise ImproperlyConfigured(f"{setting} phải là một trong: {', '.join(allowed)}.")
        values[name] = value
    return Form06Policy(**values)


def _stopped_in_progress() -> bool:
    return form06_policy().stopped == "in_progress"


def form06_end(facts: Facts) -> datetime | None:
    """The end of processing form 06 counts: none for a stopped dossier kept in progress."""
    if _get(facts, "state") == State.STOPPED and _stopped_in_progress():
        return None
    return _get(facts, "ended_at")


def _not_stopped_q() -> Q:
    return ~Q(state=State.STOPPED) if _stopped_in_progress() else Q()


def never_overdue(facts: Facts) -> bool:
    """Kept within the deadline whatever the date: waiting for a supplement or stopped, when the
    policy says so."""
    policy = form06_policy()
    state = _get(facts, "state")
    return (
        state == State.SUPPLEMENT_REQUESTED and policy.supplement_waiting == "within_deadline"
    ) or (state == State.STOPPED and policy.stopped == "in_progress")


def _never_overdue_q() -> Q:
    policy = form06_policy()
    states = []
    if policy.supplement_waiting == "within_deadline":
        states.append(State.SUPPLEMENT_REQUESTED)
    if policy.stopped == "in_progress":
        states.append(State.STOPPED)
    return Q(state__in=states) if states else Q(pk__in=[])


def by_date() -> bool:
    return form06_policy().lateness == "date"


def overdue_from_day(due_at: datetime) -> date:
    """The first local day at whose end an open dossier due at `due_at` is overdue: the promised
    day itself (by moment), or the day after it (by date)."""
    day = local_date(due_at)
    return day + timedelta(days=1) if by_date() else day


def _get(facts: Facts | Any, name: str) -> Any:
    return facts[name] if isinstance(facts, Mapping) else getattr(facts, name)


# --- which dossiers count at all ------------------------------------------------------------------


def is_counted(facts: Facts) -> bool:
    state = _get(facts, "state")
    if state is None or state in NEVER_COUNTED_STATES or _get(facts, "received_at") is None:
        return False
    return state != State.WITHDRAWN or count_withdrawn()


def counted_q() -> Q:
    query = Q(received_at__isnull=False) & ~Q(state__in=NEVER_COUNTED_STATES)
    if not count_withdrawn():
        query &= ~Q(state=State.WITHDRAWN)
    return query


# --- periods: a range of local dates, both ends inclusive -----------------------------------------


def period_bounds(*, start: date, end: date) -> tuple[datetime, datetime]:
    """[first moment of `start`, first moment after `end`) in local time."""
    return local_datetime(start), local_datetime(end + timedelta(days=1))


def is_received_in(facts: Facts, start: date, end: date) -> bool:
    received_at = _get(facts, "received_at")
    return received_at is not None and start <= local_date(received_at) <= end


def received_in_q(start: date, end: date) -> Q:
    begin, after = period_bounds(start=start, end=end)
    return Q(received_at__gte=begin, received_at__lt=after)


def is_ended_in(facts: Facts, start: date, end: date) -> bool:
    ended_at = form06_end(facts)
    return ended_at is not None and start <= local_date(ended_at) <= end


def ended_in_q(start: date, end: date) -> Q:
    begin, after = period_bounds(start=start, end=end)
    return Q(ended_at__gte=begin, ended_at__lt=after) & _not_stopped_q()


# --- what a counted dossier is -------------------------------------------------------------------


def is_online(facts: Facts) -> bool:
    return _get(facts, "channel") == Channel.ONLINE


def online_q() -> Q:
    return Q(channel=Channel.ONLINE)


def has_fee(facts: Facts) -> bool:
    return _get(facts, "fee_amount") > 0


def with_fee_q() -> Q:
    return Q(fee_amount__gt=0)


def is_paid_online(facts: Facts) -> bool:
    return bool(_get(facts, "paid_online"))


def paid_online_q() -> Q:
    return Q(paid_online=True)


def is_ended_with_result(facts: Facts) -> bool:
    return _get(facts, "state") in RESULT_STATES and _get(facts, "ended_at") is not None


def ended_with_result_q() -> Q:
    return Q(state__in=RESULT_STATES, ended_at__isnull=False)


# --- lateness ------------------------------------------------------------------------------------


def is_late(facts: Facts) -> bool:
    """Ended after the promised moment (or, by the date policy, on a later local date), or asked
    more than once for a supplement (guidance must be given once, in full)."""
    due_at = _get(facts, "due_at")
    if _get(facts, "supplement_count") > 1:
        return True
    if due_at is None:
        return False
    ended_at = _get(facts, "ended_at")
    if by_date():
        return local_date(ended_at) > local_date(due_at)
    return ended_at > due_at


def _ended_after_due_q() -> Q:
    if by_date():
        return Q(
            due_at__isnull=False,
            ended_at__date__gt=TruncDate("due_at", tzinfo=LOCAL_TZ),
        )
    return Q(due_at__isnull=False, ended_at__gt=F("due_at"))


def late_q() -> Q:
    return Q(supplement_count__gt=1) | _ended_after_due_q()


def not_late_q() -> Q:
    return Q(supplement_count__lte=1) & ~_ended_after_due_q()


def lateness(facts: Facts) -> str:
    """ "late" | "early" | "on_time" for a dossier whose processing ended: early when not late and
    ended on an earlier local date than the promised one. (By local date, so no query filter: the
    split is counted, and drill-downs list ended dossiers with their verdict.)"""
    if is_late(facts):
        return "late"
    due_at = _get(facts, "due_at")
    if due_at is not None and local_date(_get(facts, "ended_at")) < local_date(due_at):
        return "early"
    return "on_time"


def is_open_at(facts: Facts, moment: datetime) -> bool:
    """Received before `moment` and not ended by then."""
    ended_at = form06_end(facts)
    return _get(facts, "received_at") < moment and (ended_at is None or ended_at >= moment)


def open_at_q(moment: datetime) -> Q:
    still = Q(ended_at__isnull=True) | Q(ended_at__gte=moment)
    if _stopped_in_progress():
        still |= Q(state=State.STOPPED)
    return Q(received_at__lt=moment) & still


def _overdue_limit(moment: datetime) -> datetime:
    """Overdue at `moment` when due before this: `moment` itself, or — by date — the start of the
    local day of the last instant before `moment` (due on that day is not late yet)."""
    if by_date():
        return local_datetime(local_date(moment - timedelta(microseconds=1)))
    return moment


def is_overdue_at(facts: Facts, moment: datetime) -> bool:
    """Open at `moment` with its promised moment (or date) already past."""
    due_at = _get(facts, "due_at")
    return (
        is_open_at(facts, moment)
        and due_at is not None
        and due_at < _overdue_limit(moment)
        and not never_overdue(facts)
    )


def overdue_at_q(moment: datetime) -> Q:
    return open_at_q(moment) & Q(due_at__lt=_overdue_limit(moment)) & ~_never_overdue_q()
