"""What one dossier adds to the daily counters, by the counting rules of `rules` (each stated there
once, as a predicate and as a query filter). Pure: the same dossier facts always give the same
contribution, so an event's effect on the counters is contribution(after) − contribution(before)."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from motcua.core.timeutil import local_date
from motcua.indicators import rules

Key = tuple[int, int, date]  # (unit_id, procedure_id, local day)
Contribution = dict[Key, Counter]

# The projected dossier fields the rules read.
FACT_FIELDS = (
    "unit_id",
    "procedure_id",
    "state",
    "channel",
    "received_at",
    "ended_at",
    "due_at",
    "supplement_count",
    "fee_amount",
    "paid_online",
    "components_digitized",
    "data_reused",
    "synced_to_portal",
    "has_result_file",
)


def contribution(facts: Mapping[str, Any]) -> Contribution:
    out: Contribution = defaultdict(Counter)
    if not rules.is_counted(facts):
        return out
    unit, procedure = facts["unit_id"], facts["procedure_id"]
    received_day = local_date(facts["received_at"])
    on_receipt = out[(unit, procedure, received_day)]
    on_receipt["received"] += 1
    on_receipt["open_delta"] += 1
    if rules.is_online(facts):
        on_receipt["received_online"] += 1
    if facts["components_digitized"]:
        on_receipt["received_digitized"] += 1
    if facts["data_reused"]:
        on_receipt["received_reused"] += 1
    if facts["synced_to_portal"]:
        on_receipt["received_synced"] += 1
    if facts["supplement_count"] > 1:
        on_receipt["received_multi_supplement"] += 1
    if rules.has_fee(facts):
        on_receipt["received_with_fee"] += 1
        if rules.is_paid_online(facts):
            on_receipt["received_paid_online"] += 1

    ended_at = rules.form06_end(facts)
    end_day = local_date(ended_at) if ended_at is not None else None
    if end_day is not None:
        on_end = out[(unit, procedure, end_day)]
        on_end["ended"] += 1
        on_end["open_delta"] -= 1
        on_end[f"ended_{rules.lateness(facts)}"] += 1
        if rules.is_ended_with_result(facts):
            on_end["resolved_with_result"] += 1
            if facts["has_result_file"]:
                on_end["resolved_with_result_file"] += 1

    due_at = facts["due_at"]
    if due_at is not None and not rules.never_overdue(facts):
        # Open at the end of day E counts as overdue when its promised moment is past by then, i.e.
        # from the promised local day on (by date: the day after; never before receipt) until the
        # day it ends.
        overdue_from = max(rules.overdue_from_day(due_at), received_day)
        if end_day is None or end_day > overdue_from:
            out[(unit, procedure, overdue_from)]["overdue_delta"] += 1
            if end_day is not None:
                out[(unit, procedure, end_day)]["overdue_delta"] -= 1
    return out


def difference(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> Contribution:
    """after − before, without rows whose every column nets to zero."""
    delta: Contribution = defaultdict(Counter)
    for key, counts in contribution(after).items():
        delta[key].update(counts)
    if before is not None:
        for key, counts in contribution(before).items():
            delta[key].subtract(counts)
    return {
        key: Counter({c: v for c, v in counts.items() if v})
        for key, counts in delta.items()
        if any(counts.values())
    }


def facts_of(source: Any) -> dict[str, Any]:
    """The rule inputs from a Dossier row or a projection-fields dict."""
    if isinstance(source, Mapping):
        return {name: source.get(name) for name in FACT_FIELDS}
    return {name: getattr(source, name) for name in FACT_FIELDS}
