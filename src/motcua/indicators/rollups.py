"""Rollups of the daily counters: pure functions from a counter delta to the rows it adds to the
subtree rollups (RollupCounter, ProcedureUse), and the spans that cover a period.

A counter row of (unit, procedure, day) adds to the rollup of every unit on the unit's path (its
subtree contains it), for the day, its month and its year, under the procedure's class. Reading a
subtree's period is then summing the few spans that tile it: the days up to the first whole month,
the whole months up to the first whole year, the whole years, and back down."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache

from motcua.indicators.contributions import Contribution
from motcua.indicators.models import COUNTER_COLUMNS, Span

ProcedureClass = tuple[
    str, str
]  # (online_level, result_kind): what the formulas ask of a procedure
RollupKey = tuple[int, str, date, str, str]  # (subtree unit, span, first day, online_level, kind)
UseKey = tuple[int, str, date, int]  # (subtree unit, span, first day, procedure)
USE_COLUMNS = ("received", "received_paid_online")
FIRST_DAY = date(1, 1, 1)
# Plain strings: database drivers need not know the choices class.
DAY, MONTH, YEAR = Span.DAY.value, Span.MONTH.value, Span.YEAR.value


@cache
def span_starts(day: date) -> tuple[tuple[str, date], ...]:
    """The rollup spans containing `day`, each named by its first day (cached: an import batch asks
    for the same few hundred days thousands of times)."""
    return (
        (DAY, day),
        (MONTH, day.replace(day=1)),
        (YEAR, day.replace(month=1, day=1)),
    )


_POSITION = {column: i for i, column in enumerate(COUNTER_COLUMNS)}
_USE_POSITION = {column: i for i, column in enumerate(USE_COLUMNS)}


def rollup_deltas(
    delta: Contribution,
    *,
    classes: Mapping[int, ProcedureClass],
    ancestors: Mapping[int, Iterable[int]],
) -> tuple[dict[RollupKey, list[int]], dict[UseKey, list[int]]]:
    """What a counter delta adds to the rollups, as {key: [value per column]} (COUNTER_COLUMNS,
    USE_COLUMNS), all-zero rows left out. `ancestors[unit]` lists the unit and every unit above it;
    `classes[procedure]` its class. Plain lists, and only a row's non-zero columns added (two or
    three of sixteen): an import batch adds a few hundred thousand of them."""
    rollup: dict[RollupKey, list[int]] = {}
    use: dict[UseKey, list[int]] = {}
    width, use_width = len(COUNTER_COLUMNS), len(USE_COLUMNS)
    for (unit, procedure, day), counts in delta.items():
        added = [(_POSITION[c], v) for c, v in counts.items() if v]
        if not added:
            continue
        used = [(_USE_POSITION[c], v) for c, v in counts.items() if v and c in _USE_POSITION]
        online_level, result_kind = classes[procedure]
        spans = span_starts(day)
        for subtree in ancestors[unit]:
            for span, first in spans:
                key = (subtree, span, first, online_level, result_kind)
                total = rollup.get(key)
                if total is None:
                    rollup[key] = total = [0] * width
                for i, v in added:
                    total[i] += v
                if used:
                    use_key = (subtree, span, first, procedure)
                    total = use.get(use_key)
                    if total is None:
                        use[use_key] = total = [0] * use_width
                    for i, v in used:
                        total[i] += v
    return _nonzero(rollup), _nonzero(use)


def _nonzero(rows: dict) -> dict:
    return {key: values for key, values in rows.items() if any(values)}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _last_start(span: str, stop: date) -> date:
    """The start of the last span of kind `span` before `stop` (a span boundary)."""
    if span == DAY:
        return stop - timedelta(days=1)
    if span == MONTH:
        return date(stop.year - (stop.month == 1), (stop.month - 2) % 12 + 1, 1)
    return date(stop.year - 1, 1, 1)


def period_spans(*, start: date, end: date) -> list[tuple[str, date, date]]:
    """The fewest rollup spans that tile [start, end] exactly, as (span, first start, last start)
    ranges: at most five, whatever the period's length."""
    stop = end + timedelta(days=1)
    whole_months_from = start if start.day == 1 else _next_month(start)
    whole_months_to = stop.replace(day=1)
    if whole_months_from >= whole_months_to:
        pieces = [(DAY, start, stop)]
    else:
        whole_years_from = (
            whole_months_from
            if whole_months_from.month == 1
            else date(whole_months_from.year + 1, 1, 1)
        )
        whole_years_to = whole_months_to.replace(month=1)
        if whole_years_from >= whole_years_to:
            middle = [(MONTH, whole_months_from, whole_months_to)]
        else:
            middle = [
                (MONTH, whole_months_from, whole_years_from),
                (YEAR, whole_years_from, whole_years_to),
                (MONTH, whole_years_to, whole_months_to),
            ]
        pieces = [
            (DAY, start, whole_months_from),
            *middle,
            (DAY, whole_months_to, stop),
        ]
    # Half-open [from, to) pieces → ranges of span starts, empty pieces dropped.
    return [(span, a, _last_start(span, b)) for span, a, b in pieces if a < b]


def prefix_spans(*, before: date) -> list[tuple[str, date, date]]:
    """Spans tiling every day before `before` (the stocks: everything added up to a moment)."""
    if before <= FIRST_DAY:
        return []
    return period_spans(start=FIRST_DAY, end=before - timedelta(days=1))
