"""Reads of the unit tree, and the one place that answers "may this person do this here?"."""

from django.db.models import Q, QuerySet

from motcua.units.models import Membership, Unit


def unit_subtree(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


def unit_get_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def user_memberships(*, user) -> list[Membership]:
    """The user's active memberships, read once per user object (i.e. per request)."""
    return _active_memberships(user)


def _active_memberships(user) -> list[Membership]:
    # Cached on the user object for the request: permission checks run many times per page.
    cached = getattr(user, "_motcua_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, active=True).select_related("unit"))
        user._motcua_memberships = cached
    return cached


def user_has_role(*, user, role: str | tuple[str, ...], unit: Unit) -> bool:
    """True when the user holds one of the roles in `unit` or in any unit above it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = (role,) if isinstance(role, str) else role
    return any(
        m.role in roles and unit.path.startswith(m.unit.path) for m in _active_memberships(user)
    )


def user_roles_in(*, user, unit: Unit) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {m.role for m in _active_memberships(user) if unit.path.startswith(m.unit.path)}


def user_units(*, user, roles: tuple[str, ...] | None = None) -> list[Unit]:
    """Top units where the user holds any (or one of `roles`) role; their subtrees are the user's remit."""
    units = [m.unit for m in _active_memberships(user) if roles is None or m.role in roles]
    # Drop units already covered by another one's subtree.
    return [
        u
        for u in units
        if not any(o is not u and u.path.startswith(o.path) and o.path != u.path for o in units)
    ]


def user_unit_filter(*, user, field: str = "unit", roles: tuple[str, ...] | None = None) -> Q:
    """A Q restricting `<field>` to the user's remit; matches nothing when the user has none."""
    units = user_units(user=user, roles=roles)
    if not units:
        return Q(pk__in=[])
    query = Q()
    for unit in units:
        query |= Q(**{f"{field}__path__startswith": unit.path})
    return query
