"""Decision 766 scorecard of a unit subtree over a period (local dates, both ends inclusive).

Figures come from the subtree rollups of the counters (a handful of small queries, whatever the
number of dossiers, procedures or units scored at once), the catalogue and the publication records; `formulas` turns them into
rates and points. `scorecard_drilldown` lists the dossiers behind a figure with the rules of
indicators/naive.py, so each number can be checked dossier by dossier."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from motcua.catalog.models import Fee, OnlineLevel, Procedure, Publication, ResultKind
from motcua.core.errors import ValidationFailed
from motcua.core.replica import figures_read
from motcua.core.timeutil import local_datetime
from motcua.dossiers.models import Dossier
from motcua.indicators import rules
from motcua.indicators.naive import counted
from motcua.indicators.rollups import ProcedureClass
from motcua.indicators.rules import period_bounds
from motcua.indicators.selectors import (
    Form06Figures,
    procedures_used,
    subtree_class_flows,
    subtree_form06,
)
from motcua.scorecard.definitions import (
    DEFAULT_VERSION,
    ScorecardDefinition,
    scorecard_definition_get,
)
from motcua.scorecard.formulas import (
    FORMULAS,
    TWO_PLACES,
    Figures,
    ProcedureFacts,
    PublicationFacts,
    fraction_score,
    indicator_score,
    mean_score,
    procedure_offered,
)
from motcua.scorecard.qd766 import FORMULAS_766, Scope, Sets, figure_of
from motcua.units.models import Unit
from motcua.units.selectors import unit_history_roots, unit_predecessors
from motcua.workcalendar.selectors import calendar_get

PUBLICATION_WORKING_DAYS = (
    5  # docs/domain.md §7: decide ≥ 5 working days ahead, make public within 5
)


def period_validate(*, start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(
            "Ngày kết thúc kỳ phải bằng hoặc sau ngày bắt đầu.", code="period_invalid"
        )


# --- loading the figures ------------------------------------------------------------------------


@dataclass
class _Context:
    """Figures of the units to score (each over its whole subtree), from which each is scored
    without further queries."""

    units: list[Unit]  # the root's subtree, for the levels of units inside each scored unit
    class_flows: dict[int, dict[ProcedureClass, dict[str, int]]]  # scored unit → class → sums
    used: dict[int, dict[int, dict[str, int]]]  # scored unit → procedure → received, paid online
    form06: dict[int, Form06Figures]  # per scored unit
    procedures: dict[int, ProcedureFacts]
    publications: list[PublicationFacts]
    sync_exists: bool


def _procedure_facts() -> dict[int, ProcedureFacts]:
    assigned: dict[int, list[str]] = defaultdict(list)
    for procedure_id, path in Procedure.units.through.objects.values_list(
        "procedure_id", "unit__path"
    ):
        assigned[procedure_id].append(path)
    rows = Procedure.objects.annotate(
        has_fee=Exists(Fee.objects.filter(procedure=OuterRef("pk"), amount__gt=0))
    ).values("id", "level", "online_level", "result_kind", "active", "has_fee")
    return {
        row["id"]: ProcedureFacts(**row, assigned_paths=tuple(assigned.get(row["id"], ())))
        for row in rows
    }


def _working_days(calendar, first: date, stop: date) -> int:
    """Whole working days in [first, stop)."""
    seconds = calendar.working_seconds_between(local_datetime(first), local_datetime(stop))
    return seconds // calendar.working_day_seconds


def _publication_facts(*, start: date, end: date) -> list[PublicationFacts]:
    calendar = calendar_get()
    one_day = timedelta(days=1)
    out = []
    for p in Publication.objects.filter(decision_date__gte=start, decision_date__lte=end).only(
        "procedure_id", "decision_date", "effective_date", "made_public_date", "content_parts"
    ):
        made_public = p.made_public_date is not None
        out.append(
            PublicationFacts(
                procedure_id=p.procedure_id,
                decided_on_time=_working_days(calendar, p.decision_date, p.effective_date)
                >= PUBLICATION_WORKING_DAYS,
                made_public=made_public,
                # Working days after the decision day up to and including the day made public.
                made_public_on_time=made_public
                and _working_days(calendar, p.decision_date + one_day, p.made_public_date + one_day)
                <= PUBLICATION_WORKING_DAYS,
                full_content=p.has_full_content,
            )
        )
    return out


def _context_load(*, root: Unit, scored: list[Unit], start: date, end: date) -> _Context:
    ids = [u.pk for u in scored]
    return _Context(
        units=list(Unit.objects.filter(path__startswith=root.path).order_by("path")),
        class_flows=subtree_class_flows(unit_ids=ids, start=start, end=end),
        used=procedures_used(unit_ids=ids, start=start, end=end),
        form06=subtree_form06(unit_ids=ids, start=start, end=end),
        procedures=_procedure_facts(),
        publications=_publication_facts(start=start, end=end),
        sync_exists=Dossier.objects.filter(synced_to_portal=True).exists(),
    )


def _offered_ids(ctx: _Context, unit: Unit) -> frozenset[int]:
    levels = frozenset(u.level for u in ctx.units if u.path.startswith(unit.path))
    return frozenset(
        p.id
        for p in ctx.procedures.values()
        if procedure_offered(p, unit_path=unit.path, subtree_levels=levels)
    )


def _figures(ctx: _Context, unit: Unit) -> Figures:
    offered = _offered_ids(ctx, unit)
    return Figures(
        counters=ctx.class_flows.get(unit.pk, {}),
        used=ctx.used.get(unit.pk, {}),
        form06=ctx.form06[unit.pk],
        procedures=ctx.procedures,
        offered=offered,
        publications=[p for p in ctx.publications if p.procedure_id in offered],
        sync_exists=ctx.sync_exists,
    )


def procedures_offered(*, unit: Unit) -> QuerySet[Procedure]:
    """Active procedures offered in the unit's subtree (rule: formulas.procedure_offered)."""
    levels = frozenset(
        Unit.objects.filter(path__startswith=unit.path).values_list("level", flat=True)
    )
    ids = [
        p.id
        for p in _procedure_facts().values()
        if procedure_offered(p, unit_path=unit.path, subtree_levels=levels)
    ]
    return Procedure.objects.filter(pk__in=ids)


# --- scoring ------------------------------------------------------------------------------------


def _score(
    *,
    definition: ScorecardDefinition,
    figures: Callable[[], Figures],
    unit: Unit,
    start: date,
    end: date,
    with_predecessors: bool = False,
    procedure: Procedure | None = None,
) -> dict:
    """Score every indicator: counter formulas read `figures()` (loaded once, on first need), the
    qd766 formulas count their own sets (`qd766.figure_of`). `procedure`: the one 2.2 is shown
    for."""
    loaded: list[Figures] = []
    scope = Scope(
        unit=unit,
        start=start,
        end=end,
        with_predecessors=with_predecessors,
        procedure=procedure,
    )
    groups = []
    for group in definition.groups:
        indicators = []
        for item in group.indicators:
            measure = None
            if item.formula in FORMULAS_766:
                figure = figure_of(FORMULAS_766[item.formula](scope))
                measure = figure.measure
                if measure is not None:  # a mean of durations (2.2), not a ratio
                    score = mean_score(
                        count=figure.denominator, total=figure.total, reason=figure.reason
                    )
                else:
                    score = fraction_score(
                        maximum=item.max,
                        threshold=item.threshold,
                        numerator=figure.numerator,
                        denominator=figure.denominator,
                        fraction=figure.rate,
                        reason=figure.reason,
                    )
            else:
                if not loaded:
                    loaded.append(figures())
                score = indicator_score(
                    maximum=item.max,
                    threshold=item.threshold,
                    ratio=FORMULAS[item.formula](loaded[0]),
                    reason=item.note,
                )
            if item.display and score["points"] is not None:
                score["points"] = Decimal(0).quantize(TWO_PLACES)
            indicators.append(
                {
                    "id": item.id,
                    "key": item.key,
                    "name": item.name,
                    "formula": item.formula,
                    "max": item.max,
                    "threshold": item.threshold,
                    "unconfirmed": item.unconfirmed,
                    "points_unconfirmed": item.points_unconfirmed,
                    "display": item.display,
                    "note": item.note,
                    "measure": measure,
                    **score,
                }
            )
        groups.append(
            {
                "key": group.key,
                "name": group.name,
                "max": group.max,
                **_group_totals(indicators),
                "indicators": indicators,
            }
        )
    total = _totals(
        *(
            sum((g[name] for g in groups), Decimal(0))
            for name in ("points", "max_available", "unavailable_points", "no_data_points")
        )
    )
    return {
        "version": definition.key,
        "title": definition.title,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "start": start,
        "end": end,
        "groups": groups,
        "total": {"max": definition.max, **total},
    }


def _totals(
    points: Decimal, max_available: Decimal, unavailable: Decimal, no_data: Decimal
) -> dict:
    """`unavailable_points` are left out of `max_available`; `no_data_points` are inside `points`
    (full points for a zero denominator) and shown so a unit with no dossiers is not mistaken for a
    perfect one."""
    return {
        "points": points,
        "max_available": max_available,
        "unavailable_points": unavailable,
        "no_data_points": no_data,
        "percent_of_available": (
            (points * 100 / max_available).quantize(TWO_PLACES) if max_available else None
        ),
    }


def _group_totals(indicators: list[dict]) -> dict:
    def total(name: str, status: str | None = None, exclude: str | None = None) -> Decimal:
        return sum(
            (
                i[name]
                for i in indicators
                if (status is None or i["status"] == status) and i["status"] != exclude
            ),
            Decimal(0),
        )

    return _totals(
        total("points", exclude="unavailable"),
        total("max", exclude="unavailable"),
        total("max", status="unavailable"),
        total("points", status="no_data"),
    )


@figures_read
def scorecards_compute(
    *,
    root: Unit,
    units: Iterable[Unit],
    start: date,
    end: date,
    version: str = DEFAULT_VERSION,
    procedure: Procedure | None = None,
) -> dict[int, dict]:
    """Scorecards of several units of `root`'s subtree (root included) from one load of figures.
    `procedure`: the one indicator 2.2 is shown for (without it 2.2 is unavailable)."""
    period_validate(start=start, end=end)
    definition = scorecard_definition_get(version=version)
    units = list(units)
    for unit in units:
        if not unit.path.startswith(root.path):
            raise ValidationFailed(
                f"Đơn vị {unit.code} không thuộc {root.code}.", code="unit_outside_subtree"
            )
    # Counter figures for every scored unit in one load, when the version names a counter formula.
    context: list[_Context] = []

    def figures_of(unit: Unit) -> Callable[[], Figures]:
        def load() -> Figures:
            if not context:
                context.append(_context_load(root=root, scored=units, start=start, end=end))
            return _figures(context[0], unit)

        return load

    return {
        unit.pk: _score(
            definition=definition,
            figures=figures_of(unit),
            unit=unit,
            start=start,
            end=end,
            procedure=procedure,
        )
        for unit in units
    }


@figures_read
def scorecard_compute(
    *,
    unit: Unit,
    start: date,
    end: date,
    version: str = DEFAULT_VERSION,
    with_predecessors: bool = False,
    procedure: Procedure | None = None,
) -> dict:
    """Every group and indicator of the version with numerator, denominator, rate (percent), points
    and max, and the total with the points that could not be scored (see docs/scorecard.md).
    `with_predecessors`: the unit with the history of the units it succeeded (docs/units.md).
    `procedure`: the one procedure indicator 2.2 (mean resolution time) is shown for."""
    if with_predecessors:
        return _scorecard_with_predecessors(
            unit=unit, start=start, end=end, version=version, procedure=procedure
        )
    return scorecards_compute(
        root=unit, units=[unit], start=start, end=end, version=version, procedure=procedure
    )[unit.pk]


def _figures_summed(*, unit: Unit, start: date, end: date) -> Figures:
    """The counter figures of the unit's subtree and its predecessors', summed (disjoint roots)."""
    parts = []
    for root in unit_history_roots(unit=unit, with_predecessors=True):
        ctx = _context_load(root=root, scored=[root], start=start, end=end)
        parts.append(_figures(ctx, root))
    counters: dict = defaultdict(lambda: defaultdict(int))
    used: dict = defaultdict(lambda: defaultdict(int))
    form06: dict[str, int] = defaultdict(int)
    for part in parts:
        for key, values in part.counters.items():
            for column, value in values.items():
                counters[key][column] += value
        for procedure_id, values in part.used.items():
            for column, value in values.items():
                used[procedure_id][column] += value
        for name in Form06Figures.__dataclass_fields__:
            form06[name] += getattr(part.form06, name)
    offered = frozenset().union(*(part.offered for part in parts))
    return Figures(
        counters={k: dict(v) for k, v in counters.items()},
        used={k: dict(v) for k, v in used.items()},
        form06=Form06Figures(**form06),
        procedures=parts[0].procedures,
        offered=offered,
        publications=[
            p for p in _publication_facts(start=start, end=end) if p.procedure_id in offered
        ],
        sync_exists=parts[0].sync_exists,
    )


def _scorecard_with_predecessors(
    *, unit: Unit, start: date, end: date, version: str, procedure: Procedure | None = None
) -> dict:
    """One scorecard over the unit's subtree and its predecessors' (disjoint history roots, so a
    dossier counts once): the figures of each root, summed."""
    period_validate(start=start, end=end)
    definition = scorecard_definition_get(version=version)
    card = _score(
        definition=definition,
        # Loaded only if the version names a counter formula (qd766 counts its own sets).
        figures=lambda: _figures_summed(unit=unit, start=start, end=end),
        unit=unit,
        start=start,
        end=end,
        with_predecessors=True,
        procedure=procedure,
    )
    card["with_predecessors"] = [
        {"code": u.code, "name": u.name} for u in unit_predecessors(unit=unit)
    ]
    return card


# --- drilldown ----------------------------------------------------------------------------------


def _on_time(start: date, end: date) -> tuple[Q, Q]:
    # Received in the period or still open at its start (form 06 col 3); in the numerator, ended in
    # the period and not late, or still open at its end with the promised moment not yet past.
    begin, after = period_bounds(start=start, end=end)
    denominator = rules.received_in_q(start, end) | rules.open_at_q(begin)
    within = rules.open_at_q(after) & ~rules.overdue_at_q(after)
    return denominator, (rules.ended_in_q(start, end) & rules.not_late_q()) | within


# formula → (start, end) → (denominator filter, numerator condition): the counters' rules as
# query filters (indicators.rules).
DRILLDOWNS = {
    "dossiers_on_time": _on_time,
    "dossiers_full_online": lambda start, end: (
        rules.received_in_q(start, end) & Q(procedure__online_level=OnlineLevel.FULL),
        rules.online_q(),
    ),
    "payment_dossiers": lambda start, end: (
        rules.received_in_q(start, end) & rules.with_fee_q(),
        rules.paid_online_q(),
    ),
    "results_electronic": lambda start, end: (
        rules.ended_in_q(start, end)
        & rules.ended_with_result_q()
        & Q(procedure__result_kind=ResultKind.PAPER),
        Q(has_result_file=True),
    ),
    "dossiers_digitized": lambda start, end: (
        rules.received_in_q(start, end),
        Q(components_digitized=True),
    ),
    "data_reused": lambda start, end: (rules.received_in_q(start, end), Q(data_reused=True)),
    "dossiers_synced": lambda start, end: (
        rules.received_in_q(start, end),
        Q(synced_to_portal=True),
    ),
}


# qd766 formulas whose numerator and denominator are dossier sets (the dashboard links them).
DRILLDOWNS_766 = frozenset(
    {
        "766_dossiers_synced",
        "766_on_time",
        "766_resolution_time",
        "766_filed_online",
        "766_paid_online",
        "766_electronic_results",
        "766_digitized",
        "766_reused",
        "766_citizen_store",
        "766_population_dossiers",
    }
)


# qd766 formulas counted in procedures, publications or feedback (listed as such, not as dossiers).
ITEM_DRILLDOWNS_766 = frozenset(
    {
        "766_published_on_time",
        "766_made_public_on_time",
        "766_full_content",
        "766_offered_online",
        "766_online_services_used",
        "766_payment_integrated",
        "766_population_procedures",
        "766_feedback_classified",
        "766_feedback_on_time",
        "766_feedback_satisfaction",
    }
)


def scorecard_sets(
    *,
    unit: Unit,
    start: date,
    end: date,
    indicator: str,
    version: str = DEFAULT_VERSION,
    procedure: Procedure | None = None,
) -> Sets:
    """The sets behind one qd766 indicator (`indicator` is its key or its number, "2.1"): the
    dossiers, procedures, publications or feedback of its numerator and denominator (5.4: its
    denominator and the two sets subtracted; 2.2, for `procedure`: the resolved dossiers and each
    one's time, `durations`). Their counts are the scorecard's figures."""
    period_validate(start=start, end=end)
    item = scorecard_definition_get(version=version).indicator(indicator)
    if item.formula not in FORMULAS_766:
        raise ValidationFailed(
            f"Chỉ số “{item.name}” của bộ {version} không tính theo danh sách.",
            code="scorecard_drilldown_unavailable",
        )
    return FORMULAS_766[item.formula](Scope(unit=unit, start=start, end=end, procedure=procedure))


def scorecard_drilldown(
    *,
    unit: Unit,
    start: date,
    end: date,
    indicator: str,
    version: str = DEFAULT_VERSION,
    procedure: Procedure | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind the indicator's denominator, each annotated `in_numerator`."""
    period_validate(start=start, end=end)
    item = scorecard_definition_get(version=version).indicator(indicator)
    if item.formula in DRILLDOWNS_766:
        sets = scorecard_sets(
            unit=unit,
            start=start,
            end=end,
            indicator=item.key,
            version=version,
            procedure=procedure,
        )
        if sets.reason is not None:
            raise ValidationFailed(sets.reason, code="scorecard_drilldown_unavailable")
        numerator = Q(pk__in=sets.numerator.values("pk"))
        return sets.denominator.annotate(
            in_numerator=Case(
                When(numerator, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        ).order_by("received_at", "pk")
    rule = DRILLDOWNS.get(item.formula)
    if rule is None:
        raise ValidationFailed(
            f"Chỉ số “{item.name}” không tính trên hồ sơ nên không có danh sách hồ sơ.",
            code="scorecard_drilldown_unavailable",
        )
    denominator, numerator = rule(start, end)
    return (
        counted(unit)
        .filter(denominator)
        # Case, not a bare condition: NULL dates would otherwise make the flag NULL instead of false.
        .annotate(
            in_numerator=Case(
                When(numerator, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("received_at", "pk")
    )


# --- the contract ----------------------------------------------------------------------------------

INDICATOR_KEYS = (
    "id",
    "key",
    "name",
    "max",
    "threshold",
    "numerator",
    "denominator",
    "rate",
    "points",
    "status",
    "reason",
)


@figures_read
def scorecard_report(
    *,
    unit: Unit,
    start: date,
    end: date,
    version: str = DEFAULT_VERSION,
    with_predecessors: bool = False,
    procedure: Procedure | None = None,
) -> dict:
    """The scorecard in the shape `motcua scorecard --json` prints (a contract: docs/scorecard.md),
    for the command and the API alike: {"version", "unit", "from", "to", "points", "max",
    "groups": [{"key", "name", "max", "points", "indicators": [{"id", "key", "name", "max",
    "threshold", "numerator", "denominator", "rate", "points", "status", "reason"}]}]}."""
    card = scorecard_compute(
        unit=unit,
        start=start,
        end=end,
        version=version,
        with_predecessors=with_predecessors,
        procedure=procedure,
    )
    return {
        "version": card["version"],
        "unit": unit.code,
        "from": start,
        "to": end,
        "points": card["total"]["points"],
        "max": card["total"]["max"],
        "groups": [
            {
                "key": group["key"],
                "name": group["name"],
                "max": group["max"],
                "points": group["points"],
                "indicators": [
                    {key: item[key] for key in INDICATOR_KEYS} for item in group["indicators"]
                ],
            }
            for group in card["groups"]
        ],
    }
