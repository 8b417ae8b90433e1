"""Writes to the unit tree and staff assignments."""

from datetime import date

from django.db import transaction

from motcua.core.audit import change_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.units.models import Membership, Role, Unit, UnitLevel
from motcua.units.signals import unit_moved

ADMINISTRATIVE_PREFIXES = (
    "UBND",
    "Ủy ban nhân dân",
    "thị trấn",
    "phường",
    "xã",
    "huyện",
    "quận",
    "thị xã",
    "thành phố",
    "tỉnh",
    "đặc khu",
)


UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "level",
    "agency_id",
    "parent",
    "valid_from",
    "valid_to",
    "successor",
)


def unit_derive_short_name(*, name: str) -> str:
    """Drop administrative prefixes: "UBND xã Tiên Động" → "Tiên Động"."""
    remaining = name.strip()
    changed = True
    while changed:
        changed = False
        for prefix in ADMINISTRATIVE_PREFIXES:
            if remaining.lower().startswith(prefix.lower() + " "):
                remaining = remaining[len(prefix) + 1 :].strip()
                changed = True
    return remaining or name


def _path_for(*, code: str, parent: Unit | None) -> tuple[str, int]:
    if parent is None:
        return f"/{code}/", 0
    return f"{parent.path}{code}/", parent.depth + 1


@transaction.atomic
def unit_upsert(
    *,
    code: str,
    name: str,
    level: str,
    parent: Unit | None = None,
    short_name: str = "",
    agency_id: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    actor=None,
) -> tuple[Unit, bool]:
    """Create or update a unit by code; returns (unit, created). Moving a unit re-paths its subtree.
    The change is recorded (who, when, before and after)."""
    if level not in UnitLevel.values:
        raise ValidationFailed(f"Cấp đơn vị không hợp lệ: {level!r}.", code="unit_level_invalid")
    if not code or "/" in code:
        raise ValidationFailed(
            "Mã đơn vị không được trống và không chứa dấu '/'.", code="unit_code_invalid"
        )
    if parent is not None and (parent.code == code or parent.path.find(f"/{code}/") >= 0):
        raise ValidationFailed("Đơn vị không thể là cấp trên của chính nó.", code="unit_cycle")
    path, depth = _path_for(code=code, parent=parent)
    values = {
        "name": name,
        "level": level,
        "parent": parent,
        # The column holds 128 characters; a long official name must not fail on PostgreSQL and be
        # silently kept whole by SQLite.
        "short_name": (short_name or unit_derive_short_name(name=name))[:128],
        "agency_id": agency_id,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "path": path,
        "depth": depth,
    }
    unit = Unit.objects.select_for_update().filter(code=code).first()
    if unit is None:
        unit = Unit.objects.create(code=code, **values)
        change_record(actor=actor, instance=unit, before={}, after=snapshot(unit, UNIT_FIELDS))
        return unit, True
    before = snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    for field, value in values.items():
        setattr(unit, field, value)
    unit.save()
    if old_path != path:
        for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            descendant.path = path + descendant.path[len(old_path) :]
            descendant.depth = descendant.path.count("/") - 2
            descendant.save(update_fields=["path", "depth"])
        unit_moved.send(sender=Unit, unit=unit, old_path=old_path)
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit, False


@transaction.atomic
def unit_merge(*, unit: Unit, successor: Unit, on: date, actor=None) -> Unit:
    """Record that `unit` was merged into `successor` on `on`. Its dossiers keep pointing at it."""
    if successor.pk == unit.pk:
        raise ValidationFailed(
            "Đơn vị kế thừa phải khác đơn vị bị sáp nhập.", code="unit_merge_self"
        )
    if successor.successor_id == unit.pk:
        raise ValidationFailed(
            "Đơn vị kế thừa đã được sáp nhập vào chính đơn vị này.", code="unit_merge_cycle"
        )
    before = snapshot(unit, UNIT_FIELDS)
    unit.successor = successor
    unit.valid_to = on
    unit.save(update_fields=["successor", "valid_to"])
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


MEMBERSHIP_FIELDS = ("user", "unit", "role", "title", "active")


@transaction.atomic
def membership_grant(*, user, unit: Unit, role: str, title: str = "", actor=None) -> Membership:
    if role not in Role.values:
        raise ValidationFailed(f"Vai trò không hợp lệ: {role!r}.", code="role_invalid")
    stored = Membership.objects.filter(user=user, unit=unit, role=role).first()
    before = snapshot(stored, MEMBERSHIP_FIELDS)
    membership, _ = Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"title": title, "active": True}
    )
    change_record(
        actor=actor,
        instance=membership,
        before=before,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, title: str, active: bool, actor=None
) -> Membership:
    """Change a role's title, or suspend it (an inactive role grants nothing) or give it back."""
    before = snapshot(Membership.objects.get(pk=membership.pk), MEMBERSHIP_FIELDS)
    membership.title, membership.active = title, active
    membership.save(update_fields=["title", "active"])
    change_record(
        actor=actor,
        instance=membership,
        before=before,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    change_record(
        actor=actor,
        instance=membership,
        before=snapshot(membership, MEMBERSHIP_FIELDS),
        after={},
        action="deleted",
    )
    membership.delete()


ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


@transaction.atomic
def staff_account_save(*, user, actor=None):
    """Save a staff account (the admin's door), recording what changed — never the password itself,
    only that it changed."""
    model = type(user)
    stored = model.objects.filter(pk=user.pk).first() if user.pk else None
    before = snapshot(stored, ACCOUNT_FIELDS)
    if stored is not None:
        before["password"] = "…"
    user.save()
    after = snapshot(user, ACCOUNT_FIELDS)
    if stored is not None:
        after["password"] = "…" if stored.password == user.password else "đã đổi"
    change_record(actor=actor, instance=user, before=before, after=after)
    return user
