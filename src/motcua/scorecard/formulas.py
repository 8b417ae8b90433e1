"""The computations a scorecard indicator can name in its `formula`, and the scoring rule.

Pure: `selectors` loads the figures of one unit subtree and period; each formula here turns them into
(numerator, denominator), or None when the system cannot know the answer yet — the indicator is then
"unavailable" and scores nothing, rather than an invented number (docs/domain.md §7)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from motcua.indicators.selectors import Form06Figures

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ProcedureFacts:
    id: int
    level: str
    online_level: str
    result_kind: str
    active: bool
    has_fee: bool
    # Paths of the units the procedure is assigned to; empty: every unit of its level.
    assigned_paths: tuple[str, ...]


@dataclass(frozen=True)
class PublicationFacts:
    procedure_id: int
    decided_on_time: bool
    made_public: bool
    made_public_on_time: bool
    full_content: bool


@dataclass(frozen=True)
class Figures:
    """Everything the formulas read, for one unit's subtree and one period."""

    # (online level, result kind) → flow counters of the subtree summed over the period
    counters: Mapping[tuple[str, str], Mapping[str, int]]
    # procedure id → {"received", "received_paid_online"} of the subtree over the period
    used: Mapping[int, Mapping[str, int]]
    form06: Form06Figures
    procedures: Mapping[int, ProcedureFacts]  # the whole catalogue, inactive procedures included
    offered: frozenset[int]  # procedures offered in the subtree (procedure_offered)
    publications: Sequence[PublicationFacts]  # decided in the period, of offered procedures
    sync_exists: bool  # whether any dossier was ever synced to the national portal


Ratio = tuple[int, int]


def procedure_offered(
    procedure: ProcedureFacts, *, unit_path: str, subtree_levels: frozenset[str]
) -> bool:
    """The one rule for "procedures offered in a subtree": an active procedure assigned to a unit of
    the subtree, or — assigned to no unit — whose level (province, district, commune) is the level of
    a unit of the subtree. Departments and centres offer only the procedures assigned to them."""
    if not procedure.active:
        return False
    if procedure.assigned_paths:
        return any(path.startswith(unit_path) for path in procedure.assigned_paths)
    return procedure.level in subtree_levels


def _sum(figures: Figures, column: str, where: Callable[[str, str], bool] | None = None) -> int:
    """A column summed over the procedure classes `where(online_level, result_kind)` accepts."""
    return sum(
        values.get(column, 0)
        for (online_level, result_kind), values in figures.counters.items()
        if where is None or where(online_level, result_kind)
    )


def _offered_with_fee(figures: Figures) -> set[int]:
    return {pid for pid in figures.offered if figures.procedures[pid].has_fee}


def dossiers_on_time(figures: Figures) -> Ratio:
    f = figures.form06
    numerator = f.resolved_early + f.resolved_on_time + f.in_progress_within_deadline
    return numerator, f.received_total


def dossiers_full_online(figures: Figures) -> Ratio:
    def full(online_level: str, result_kind: str) -> bool:
        return online_level == "full"

    return _sum(figures, "received_online", full), _sum(figures, "received", full)


def payment_dossiers(figures: Figures) -> Ratio:
    return _sum(figures, "received_paid_online"), _sum(figures, "received_with_fee")


def payment_procedures_used(figures: Figures) -> Ratio:
    fee = _offered_with_fee(figures)
    used = {pid for pid in fee if figures.used.get(pid, {}).get("received_paid_online", 0)}
    return len(used), len(fee)


def payment_procedures_with_dossiers(figures: Figures) -> Ratio:
    fee = _offered_with_fee(figures)
    with_dossiers = {pid for pid in fee if figures.used.get(pid, {}).get("received", 0)}
    return len(with_dossiers), len(fee)


def results_electronic(figures: Figures) -> Ratio:
    # Approximation: a result file counts as an electronic result; only procedures that yield a
    # paper result are measured (an electronic-only result is electronic by nature).
    def paper(online_level: str, result_kind: str) -> bool:
        return result_kind == "paper"

    return (
        _sum(figures, "resolved_with_result_file", paper),
        _sum(figures, "resolved_with_result", paper),
    )


def dossiers_digitized(figures: Figures) -> Ratio:
    return _sum(figures, "received_digitized"), _sum(figures, "received")


def data_reused(figures: Figures) -> Ratio:
    return _sum(figures, "received_reused"), _sum(figures, "received")


def dossiers_synced(figures: Figures) -> Ratio | None:
    # Until the portal sync exists every dossier would count as unsynced: that is unknown, not 0 %.
    if not figures.sync_exists:
        return None
    return _sum(figures, "received_synced"), _sum(figures, "received")


def publications_decided_on_time(figures: Figures) -> Ratio:
    return sum(p.decided_on_time for p in figures.publications), len(figures.publications)


def publications_made_public_on_time(figures: Figures) -> Ratio:
    return sum(p.made_public_on_time for p in figures.publications), len(figures.publications)


def publications_full_content(figures: Figures) -> Ratio:
    public = [p for p in figures.publications if p.made_public]
    return sum(p.full_content for p in public), len(public)


def unavailable(figures: Figures) -> None:
    return None


FORMULAS: dict[str, Callable[[Figures], Ratio | None]] = {
    "publications_decided_on_time": publications_decided_on_time,
    "publications_made_public_on_time": publications_made_public_on_time,
    "publications_full_content": publications_full_content,
    "dossiers_synced": dossiers_synced,
    "dossiers_on_time": dossiers_on_time,
    "dossiers_full_online": dossiers_full_online,
    "payment_dossiers": payment_dossiers,
    "payment_procedures_used": payment_procedures_used,
    "payment_procedures_with_dossiers": payment_procedures_with_dossiers,
    "results_electronic": results_electronic,
    "dossiers_digitized": dossiers_digitized,
    "data_reused": data_reused,
    # Not knowable until the workflows or connections behind them exist.
    "certified_copies_electronic": unavailable,
    "citizen_store_synced": unavailable,
    "population_data_dossiers": unavailable,
    "population_data_procedures": unavailable,
    "feedback_on_time": unavailable,
    "feedback_satisfaction": unavailable,
    "service_satisfaction": unavailable,
}


NO_DATA_REASON = "Mẫu số bằng 0: không có dữ liệu trong kỳ (tính đủ điểm, không hiển thị tỷ lệ)."


def points_for(*, maximum: Decimal, threshold: Decimal | None, fraction: Fraction) -> Decimal:
    """The scoring rule (docs/scorecard.md): with threshold T points = max × min(1, rate ÷ T), else
    max × rate; rounded half-up to 2 decimals."""
    value = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    if threshold is not None:
        value = min(Decimal(1), value * 100 / threshold)
    return (maximum * value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def percent_of(fraction: Fraction) -> Decimal:
    value = Decimal(fraction.numerator) * 100 / Decimal(fraction.denominator)
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fraction_score(
    *,
    maximum: Decimal,
    threshold: Decimal | None,
    numerator: int | None,
    denominator: int | None,
    fraction: Fraction | None,
    reason: str | None = None,
) -> dict:
    """Score of one indicator from its counts and rate (a fraction, which may differ from
    numerator ÷ denominator: 3.3's sync factor, 5.4's subtraction). `reason` set: unavailable."""
    if reason is not None:
        return {
            "status": "unavailable",
            "reason": reason,
            "no_data": False,
            "numerator": None,
            "denominator": None,
            "rate": None,
            "points": None,
        }
    if fraction is None:
        return {
            "status": "no_data",
            "reason": NO_DATA_REASON,
            "no_data": True,
            "numerator": numerator,
            "denominator": denominator,
            "rate": None,
            "points": maximum.quantize(TWO_PLACES),
        }
    return {
        "status": "ok",
        "reason": None,
        "no_data": False,
        "numerator": numerator,
        "denominator": denominator,
        "rate": percent_of(fraction),
        "points": points_for(maximum=maximum, threshold=threshold, fraction=fraction),
    }


def mean_score(*, count: int | None, total: Fraction | None, reason: str | None = None) -> dict:
    """A display indicator that is a mean of durations (2.2), in the contract's shape: numerator
    the durations' sum, denominator the dossiers, rate their mean (both in the procedure's
    time-limit unit, 2 decimals, not a percent); never points."""
    if reason is not None:
        return fraction_score(
            maximum=Decimal(0),
            threshold=None,
            numerator=None,
            denominator=None,
            fraction=None,
            reason=reason,
        )
    zero = Decimal(0).quantize(TWO_PLACES)
    if not count:
        return {
            "status": "no_data",
            "reason": NO_DATA_REASON,
            "no_data": True,
            "numerator": zero,
            "denominator": 0,
            "rate": None,
            "points": zero,
        }

    def two(value: Fraction) -> Decimal:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    return {
        "status": "ok",
        "reason": None,
        "no_data": False,
        "numerator": two(total),
        "denominator": count,
        "rate": two(total / count),
        "points": zero,
    }


def indicator_score(
    *, maximum: Decimal, threshold: Decimal | None, ratio: Ratio | None, reason: str = ""
) -> dict:
    """Rate and points of one counter-based indicator (docs/domain.md §7): a zero denominator
    scores full points but shows "no data"; None is unavailable."""
    if ratio is None:
        return fraction_score(
            maximum=maximum,
            threshold=threshold,
            numerator=None,
            denominator=None,
            fraction=None,
            reason=reason or "Chưa có dữ liệu nguồn: chưa tính được.",
        )
    numerator, denominator = ratio
    return fraction_score(
        maximum=maximum,
        threshold=threshold,
        numerator=numerator,
        denominator=denominator,
        fraction=Fraction(numerator, denominator) if denominator else None,
    )
