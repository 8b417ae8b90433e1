"""Keep the counters current: every dossier event adds its contribution delta in its own transaction;
the rollups follow a procedure that changes class (catalog.signals) and a unit that moves in the
tree (units.signals)."""

from django.dispatch import receiver

from motcua.catalog.models import Procedure
from motcua.catalog.signals import procedure_changed
from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import event_recorded
from motcua.indicators.contributions import difference, facts_of
from motcua.indicators.counters import counters_add, rollups_procedure_reclassify, rollups_rebuild
from motcua.units.signals import unit_moved


@receiver(event_recorded, sender=Dossier, dispatch_uid="indicators.counters")
def on_event_recorded(*, dossier: Dossier, event, before: dict, **kwargs) -> None:
    previous = facts_of(before) if before.get("state") is not None else None
    counters_add(difference(previous, facts_of(dossier)))


@receiver(procedure_changed, dispatch_uid="indicators.procedure_reclassified")
def on_procedure_changed(*, procedure: Procedure, class_before, **kwargs) -> None:
    after = (procedure.online_level, procedure.result_kind)
    if class_before is not None and tuple(class_before) != after:
        rollups_procedure_reclassify(
            procedure_id=procedure.pk, before=tuple(class_before), after=after
        )


@receiver(unit_moved, dispatch_uid="indicators.unit_moved")
def on_unit_moved(**kwargs) -> None:
    # Rare (a reorganisation): recompute every subtree's rollup rather than patch the paths.
    rollups_rebuild()
