"""The baseline: the benchmark's answers computed straight from the dossiers with plain aggregate
queries (the rules of indicators/naive.py and the scorecard's drill-down filters), and the same
answers read from what the counters-based code returned, so the two can be compared for equality.

Only indicators computed from dossiers are compared; catalogue and publication indicators read the
same tables either way."""

from datetime import date

from django.db.models import Count, Q

from motcua.catalog.models import Fee
from motcua.indicators import rules
from motcua.indicators.naive import counted
from motcua.scorecard.selectors import DRILLDOWNS, procedures_offered
from motcua.units.models import Unit

PAYMENT_PROCEDURE_FORMULAS = ("payment_procedures_used", "payment_procedures_with_dossiers")
DOSSIER_FORMULAS = (*DRILLDOWNS, *PAYMENT_PROCEDURE_FORMULAS)


def scorecard_answers(card: dict) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each dossier-based indicator of a computed scorecard."""
    return {
        i["key"]: (i["numerator"], i["denominator"])
        for g in card["groups"]
        for i in g["indicators"]
        if i["formula"] in DOSSIER_FORMULAS and i["status"] != "unavailable"
    }


def baseline_scorecard(*, unit: Unit, start: date, end: date, formulas: dict[str, str]) -> dict:
    """`formulas`: indicator key → formula, for the keys `scorecard_answers` returned. One aggregate
    query over the dossiers per indicator, as a report written without counters would do."""
    out = {}
    fee_offered = None
    for key, formula in formulas.items():
        if formula in DRILLDOWNS:
            denominator, numerator = DRILLDOWNS[formula](start, end)
            row = (
                counted(unit)
                .filter(denominator)
                .aggregate(n=Count("pk", filter=numerator), d=Count("pk"))
            )
            out[key] = (row["n"], row["d"])
            continue
        if fee_offered is None:
            fee_offered = set(
                procedures_offered(unit=unit)
                .filter(pk__in=Fee.objects.filter(amount__gt=0).values("procedure_id"))
                .values_list("pk", flat=True)
            )
        received = counted(unit).filter(rules.received_in_q(start, end))
        if formula == "payment_procedures_used":
            received = received.filter(rules.with_fee_q(), rules.paid_online_q())
        used = set(received.order_by().values_list("procedure_id", flat=True).distinct())
        out[key] = (len(used & fee_offered), len(fee_offered))
    return out


# --- rates with children ------------------------------------------------------------------------

RATE_KEYS = ("online_dossiers", "full_digitization", "result_digitization", "online_payment")


def rates_answers(result: dict) -> dict[str, dict[str, tuple[int, int]]]:
    """{unit code: {metric: (numerator, denominator)}} of `rates_with_children`'s result."""

    def pairs(rates) -> dict[str, tuple[int, int]]:
        return {str(m): (r.numerator, r.denominator) for m, r in rates.items()}

    out = {result["unit"].code: pairs(result["rates"])}
    for child in result["children"]:
        out[child["unit"].code] = pairs(child["rates"])
    return out


def baseline_rates_with_children(*, unit: Unit, start: date, end: date) -> dict:
    """The four rates of the unit and of each direct child, from one aggregate query over the
    dossiers grouped by filed-with unit (the naive.py rules as conditional counts)."""
    received = rules.received_in_q(start, end)
    resolved = rules.ended_in_q(start, end) & rules.ended_with_result_q()
    with_fee = received & rules.with_fee_q()
    rows = (
        counted(unit)
        .filter(received | resolved)
        .values("unit_id")
        .annotate(
            received=Count("pk", filter=received),
            online=Count("pk", filter=received & rules.online_q()),
            digitized=Count("pk", filter=received & Q(components_digitized=True)),
            with_fee=Count("pk", filter=with_fee),
            paid=Count("pk", filter=with_fee & rules.paid_online_q()),
            resolved=Count("pk", filter=resolved),
            result_file=Count("pk", filter=resolved & Q(has_result_file=True)),
        )
        .order_by()
    )
    per_unit = {row["unit_id"]: row for row in rows}
    subtree = list(Unit.objects.filter(path__startswith=unit.path))

    def fold(root: Unit) -> dict[str, tuple[int, int]]:
        total = dict.fromkeys(
            ("received", "online", "digitized", "with_fee", "paid", "resolved", "result_file"), 0
        )
        for u in subtree:
            if u.path.startswith(root.path) and u.pk in per_unit:
                for name in total:
                    total[name] += per_unit[u.pk][name]
        return {
            "online_dossiers": (total["online"], total["received"]),
            "full_digitization": (total["digitized"], total["received"]),
            "result_digitization": (total["result_file"], total["resolved"]),
            "online_payment": (total["paid"], total["with_fee"]),
        }

    out = {unit.code: fold(unit)}
    for child in subtree:
        if child.parent_id == unit.pk:
            out[child.code] = fold(child)
    return out
