"""Change records of reference data: the services that change a procedure, a unit, a calendar day
or a staff role call `change_record` with the values before and after, so the admin, the import,
the demo and any later door leave the same trail (core.models.ChangeRecord)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from motcua.core import timeutil
from motcua.core.models import ChangeRecord


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model | None, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of `instance` as JSON-ready values (foreign keys by id); {} for None."""
    if instance is None:
        return {}
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname) if field.is_relation else getattr(instance, name)
        out[name] = _plain(value)
    return out


def change_record(
    *,
    actor,
    instance: models.Model,
    before: dict[str, Any],
    after: dict[str, Any],
    action: str | None = None,
) -> ChangeRecord | None:
    """Record a change of `instance`, unless nothing changed. `action` defaults to created (no
    values before) or updated."""
    before, after = _plain(before), _plain(after)
    if action is None:
        action = ChangeRecord.Action.CREATED if not before else ChangeRecord.Action.UPDATED
    if action == ChangeRecord.Action.UPDATED:
        changed = {k for k in {*before, *after} if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return ChangeRecord.objects.create(
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        action=action,
        actor=actor if authenticated else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if authenticated else "Hệ thống",
        at=timeutil.now(),
        before=before,
        after=after,
    )


def changes_of(instance: models.Model):
    """The change records of one object, newest first."""
    return ChangeRecord.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("-at", "-pk")
