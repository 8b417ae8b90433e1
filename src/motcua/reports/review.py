"""Procedure review (seed item 1b): for each procedure, how long dossiers really take against the
legal limit, how often the applicant is asked for more, and at which step the time goes — so units
can propose cutting or simplifying procedures.

Read from the control slips of dossiers whose processing ended in the period. Working time is
counted with the working calendar; steps without a deadline (the applicant's time after a
supplement request) are not the office's time and are left out."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from motcua.core.replica import figures_read
from motcua.dossiers.models import Dossier, DossierStep
from motcua.indicators import rules
from motcua.units.models import Unit
from motcua.workcalendar.selectors import calendar_get

HOUR = Decimal(3600)


def _hours(seconds: float) -> float:
    return float((Decimal(seconds) / HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _share(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class _StepTally:
    name: str
    role: str
    count: int = 0
    seconds: int = 0
    allotted: int = 0
    late: int = 0


@dataclass
class _ProcedureTally:
    code: str
    name: str
    limit_seconds: int
    dossiers: int = 0
    office_seconds: int = 0
    late: int = 0
    supplemented: int = 0
    steps: dict = field(default_factory=dict)


@figures_read
def procedure_review(*, unit: Unit, start: date, end: date) -> list[dict]:
    """One row per procedure with ended dossiers in the subtree and period, slowest (against its
    limit) first."""
    dossiers = (
        Dossier.objects.filter(
            rules.counted_q(), rules.ended_in_q(start, end), unit__path__startswith=unit.path
        )
        .select_related("procedure")
        .only("pk", "procedure", "due_at", "ended_at", "supplement_count", "unit_id")
    )
    calendar = calendar_get(unit=unit)
    tallies: dict[int, _ProcedureTally] = {}
    ids = []
    for dossier in dossiers.iterator(chunk_size=2000):
        procedure = dossier.procedure
        tally = tallies.setdefault(
            procedure.pk,
            _ProcedureTally(
                code=procedure.code, name=procedure.name, limit_seconds=procedure.time_limit_seconds
            ),
        )
        tally.dossiers += 1
        tally.supplemented += dossier.supplement_count > 0
        tally.late += rules.is_late(dossier)
        ids.append((dossier.pk, procedure.pk))
    by_dossier = dict(ids)
    steps = (
        DossierStep.objects.filter(
            dossier_id__in=list(by_dossier), due_at__isnull=False, finished_at__isnull=False
        )
        .values_list(
            "dossier_id", "name", "role", "started_at", "finished_at", "allotted_seconds", "on_time"
        )
        .iterator(chunk_size=5000)
    )
    for dossier_id, name, role, started, finished, allotted, on_time in steps:
        tally = tallies[by_dossier[dossier_id]]
        spent = calendar.working_seconds_between(started, finished)
        tally.office_seconds += spent
        step = tally.steps.setdefault((name, role), _StepTally(name=name, role=role))
        step.count += 1
        step.seconds += spent
        step.allotted += allotted
        step.late += on_time is False
    rows = []
    for tally in tallies.values():
        average = tally.office_seconds / tally.dossiers if tally.dossiers else 0
        step_rows = [
            {
                "name": s.name,
                "role": s.role,
                "count": s.count,
                "average_hours": _hours(s.seconds / s.count),
                "allotted_hours": _hours(s.allotted / s.count),
                "late_percent": _share(s.late, s.count),
                "share_of_time_percent": _share(s.seconds, tally.office_seconds),
                "seconds": s.seconds,
            }
            for s in tally.steps.values()
        ]
        # Where the time goes: the steps that take the largest share of the office's time first.
        step_rows.sort(key=lambda s: s.pop("seconds"), reverse=True)
        rows.append(
            {
                "procedure": {"code": tally.code, "name": tally.name},
                "dossiers": tally.dossiers,
                "legal_limit_hours": _hours(tally.limit_seconds),
                "average_hours": _hours(average),
                "percent_of_limit": _share(int(average), tally.limit_seconds),
                "late_percent": _share(tally.late, tally.dossiers),
                "supplement_percent": _share(tally.supplemented, tally.dossiers),
                "steps": step_rows,
                "slowest_step": step_rows[0]["name"] if step_rows else None,
            }
        )
    rows.sort(key=lambda r: r["percent_of_limit"] or 0, reverse=True)
    return rows
