"""What an export of a unit's subtree and period contains (docs/interchange.md)."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet

from motcua.catalog.models import Procedure
from motcua.core.timeutil import LOCAL_TZ
from motcua.dossiers.lifecycle import action_phrases
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.indicators.models import Target
from motcua.interchange.payload import EXPORT_FIELDS, dossier_payload
from motcua.units.models import Unit
from motcua.units.selectors import unit_ancestors_q


def export_units(*, unit: Unit) -> QuerySet:
    """The subtree and its ancestors (parents of the subtree's root); a parent's path is a prefix of
    its children's, so path order writes parents first."""
    return (
        Unit.objects.filter(Q(path__startswith=unit.path) | unit_ancestors_q(unit=unit))
        .order_by("path")
        .values(
            "code",
            "name",
            "short_name",
            "level",
            "parent__code",
            "agency_id",
            "valid_from",
            "valid_to",
        )
    )


def export_dossiers(*, unit: Unit, start: date, end: date) -> QuerySet[Dossier]:
    """Dossiers filed with the subtree that the period's figures read: received before the period
    ends and not ended before it starts. That is every dossier received or ended in the period and
    every one open during it (carried over), so rates, form 06 and scorecards of the period — or of
    any period and sub-unit inside it — come out the same after export and import. Dossiers never
    received (states 1 and 3 without NgayTiepNhan) count nowhere and are left out."""
    first = datetime.combine(start, time(0, 0), tzinfo=LOCAL_TZ)
    after = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=LOCAL_TZ)
    return Dossier.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=first),
        unit__path__startswith=unit.path,
        received_at__isnull=False,
        received_at__lt=after,
    )


def export_procedures(*, dossiers: QuerySet[Dossier]) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(pk__in=dossiers.values("procedure_id"))
        .select_related("field")
        .prefetch_related("fees", "components")
        .order_by("code")
    )


def export_targets(*, unit: Unit, start: date, end: date) -> QuerySet:
    """Targets overlapping the period set by the unit, an ancestor, or a unit inside it."""
    return (
        Target.objects.filter(valid_from__lte=end, valid_to__gte=start)
        .filter(unit_ancestors_q(unit=unit, field="unit") | Q(unit__path__startswith=unit.path))
        .order_by("unit__path", "metric", "level", "valid_from", "pk")
        .values("metric", "percent", "unit__code", "level", "valid_from", "valid_to")
    )


def procedure_description(procedure: Procedure) -> dict:
    """What a dossier's payload says of its procedure (payload.dossier_payload's `procedure`)."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field_code": procedure.field.code,
        "field_name": procedure.field.name,
        "fees": [(f.code, f.name, f.amount) for f in procedure.fees.all()],
    }


EVENT_FIELDS = ("dossier_id", "kind", "at", "actor_name", "actor_unit__name", "to_state", "payload")
# Events the payload leaves out: the portal's own confirmations (the dossier, the result's link)
# are no processing steps.
NOT_IN_PAYLOAD = ("portal_synced", "result_link_synced")


def dossier_payload_get(*, dossier: Dossier | int, for_portal: bool = False) -> dict:
    """One dossier's payload, as `motcua export` writes it (or, `for_portal`, as the national
    portal takes it: without our extensions). The door for pushing one dossier to the portal."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    row = Dossier.objects.filter(pk=pk).values(*EXPORT_FIELDS).get()
    procedure = (
        Procedure.objects.select_related("field")
        .prefetch_related("fees")
        .get(pk=row["procedure_id"])
    )
    events = list(
        DossierEvent.objects.filter(dossier_id=pk)
        .exclude(kind__in=NOT_IN_PAYLOAD)
        .order_by("seq")
        .values(*EVENT_FIELDS)
    )
    return dossier_payload(
        row,
        procedure=procedure_description(procedure),
        events=events,
        action_names=action_phrases(),
        for_portal=for_portal,
    )


def export_dossier_chunks(
    *, dossiers: QuerySet[Dossier], chunk_size: int = 500
) -> Iterator[list[tuple[dict, list[dict]]]]:
    """(dossier row, its events in order) in primary-key chunks: two queries a chunk, memory bounded
    by the chunk whatever the number of dossiers."""
    last_pk = 0
    while True:
        rows = list(
            dossiers.filter(pk__gt=last_pk).order_by("pk").values(*EXPORT_FIELDS)[:chunk_size]
        )
        if not rows:
            return
        events: dict[int, list[dict]] = {row["pk"]: [] for row in rows}
        for event in (
            DossierEvent.objects.filter(dossier_id__in=list(events))
            .exclude(kind__in=NOT_IN_PAYLOAD)
            .order_by("dossier_id", "seq")
            .values(*EVENT_FIELDS)
        ):
            events[event["dossier_id"]].append(event)
        yield [(row, events[row["pk"]]) for row in rows]
        last_pk = rows[-1]["pk"]
