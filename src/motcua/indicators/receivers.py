"""Keep the counters current: every dossier event adds its contribution delta in its own transaction."""

from django.dispatch import receiver

from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import event_recorded
from motcua.indicators.contributions import difference, facts_of
from motcua.indicators.counters import counters_add


@receiver(event_recorded, sender=Dossier, dispatch_uid="indicators.counters")
def on_event_recorded(*, dossier: Dossier, event, before: dict, **kwargs) -> None:
    previous = facts_of(before) if before.get("state") is not None else None
    counters_add(difference(previous, facts_of(dossier)))
