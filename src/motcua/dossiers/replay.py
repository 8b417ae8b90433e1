"""Replaying the event log: fold each dossier's events again and compare with its rows.

The log is the truth and the dossier row a projection of it (`projection`); `motcua events rebuild`
reports rows that differ and, with `--fix`, rewrites them from the fold."""

from dataclasses import dataclass, field

from django.db import transaction

from motcua.dossiers.audit import audit_require_intact
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.projection import (
    state_differences,
    state_fold,
    state_from_rows,
    state_write,
    steps_write,
)


@dataclass
class RebuildReport:
    checked: int = 0
    differing: dict[str, list[str]] = field(default_factory=dict)
    fixed: int = 0


def dossier_projection_rebuild(*, dossier: Dossier, fix: bool = False) -> list[str]:
    """Fold the dossier's events again and compare with its rows; with `fix`, rewrite the rows."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        expected = state_fold(list(DossierEvent.objects.filter(dossier=locked).order_by("seq")))
        actual = state_from_rows(locked, list(DossierStep.objects.filter(dossier=locked)))
        differences = state_differences(expected, actual)
        if differences and fix:
            state_write(locked, expected)
            locked.save()
            steps_write(locked, expected)
    return differences


def dossiers_projection_rebuild(
    *, fix: bool = False, codes: list[str] | None = None, batch: int = 500
) -> RebuildReport:
    """Replay every dossier (or the given codes) in primary-key batches, so memory stays flat. With
    `fix`, refuses (ChainBroken) when the log fails `audit verify`: rows are never rewritten from
    a forged log."""
    if fix:
        audit_require_intact(codes=codes)
    report = RebuildReport()
    queryset = Dossier.objects.order_by("pk")
    if codes:
        queryset = queryset.filter(code__in=codes)
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            break
        for dossier in chunk:
            report.checked += 1
            differences = dossier_projection_rebuild(dossier=dossier, fix=fix)
            if differences:
                report.differing[dossier.code] = differences
                report.fixed += int(fix)
        last_pk = chunk[-1].pk
    return report
