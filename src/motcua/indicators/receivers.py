"""Keep the counters current: every dossier event adds its contribution delta in its own transaction;
the rollups follow a procedure that changes class and a unit that moves in the tree."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import event_recorded
from motcua.indicators.contributions import difference, facts_of
from motcua.indicators.counters import counters_add, rollups_procedure_reclassify, rollups_rebuild
from motcua.units.signals import unit_moved


@receiver(event_recorded, sender=Dossier, dispatch_uid="indicators.counters")
def on_event_recorded(*, dossier: Dossier, event, before: dict, **kwargs) -> None:
    previous = facts_of(before) if before.get("state") is not None else None
    counters_add(difference(previous, facts_of(dossier)))


def _procedure_class(procedure: Procedure) -> tuple[str, str]:
    return (procedure.online_level, procedure.result_kind)


# Saving through procedure_upsert or the admin alike: read the stored class before the save.
@receiver(pre_save, sender=Procedure, dispatch_uid="indicators.procedure_class_before")
def on_procedure_saving(*, instance: Procedure, raw: bool = False, **kwargs) -> None:
    stored = None
    if instance.pk is not None and not raw:
        stored = (
            Procedure.objects.filter(pk=instance.pk)
            .values_list("online_level", "result_kind")
            .first()
        )
    instance._class_before = stored


@receiver(post_save, sender=Procedure, dispatch_uid="indicators.procedure_reclassified")
def on_procedure_saved(*, instance: Procedure, created: bool, **kwargs) -> None:
    before = getattr(instance, "_class_before", None)
    if not created and before is not None and tuple(before) != _procedure_class(instance):
        rollups_procedure_reclassify(
            procedure_id=instance.pk, before=tuple(before), after=_procedure_class(instance)
        )


@receiver(unit_moved, dispatch_uid="indicators.unit_moved")
def on_unit_moved(**kwargs) -> None:
    # Rare (a reorganisation): recompute every subtree's rollup rather than patch the paths.
    rollups_rebuild()
