"""Signals every dossier action sends (the Zulip pattern: one write path, one event out).

`event_recorded` fires inside the action's transaction: receivers that keep derived data (indicator
counters) update it atomically with the event. `event_committed` fires after commit: receivers that talk
to the outside world (notifications, portal sync) run only for events that really happened."""

from django.dispatch import Signal

event_recorded = Signal()  # kwargs: dossier, event, before (DossierState fields before the event)
event_committed = Signal()  # kwargs: dossier_id, event_id, kind
