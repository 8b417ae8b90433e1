"""Reads of the unit tree, and the one place that answers "may this person do this here?"."""

from datetime import date

from django.db.models import Q, QuerySet

from motcua.core import timeutil
from motcua.units.models import Membership, Role, Unit, UnitLevel


def unit_subtree(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


# A unit is current on a day within its validity; merging it away (`unit_merge`) ends its validity.
def unit_is_current(*, unit: Unit, on: date | None = None) -> bool:
    on = on or timeutil.now().date()
    return (unit.valid_from is None or unit.valid_from <= on) and (
        unit.valid_to is None or unit.valid_to >= on
    )


def unit_current_q(*, on: date | None = None, field: str = "") -> Q:
    """`unit_is_current` as a filter on units (or on the unit at `field__`)."""
    on = on or timeutil.now().date()
    prefix = f"{field}__" if field else ""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def unit_list_current(*, on: date | None = None) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_current_q(on=on)).order_by("path")


GOVERNMENT_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


def unit_government(*, unit: Unit) -> Unit | None:
    """The government a unit belongs to: itself, or the nearest province, district or commune
    above a department or centre."""
    node = unit
    while node is not None and node.level not in GOVERNMENT_LEVELS:
        node = node.parent
    return node


def unit_province(*, unit: Unit) -> Unit | None:
    node = unit
    while node is not None and node.level != UnitLevel.PROVINCE:
        node = node.parent
    return node


def unit_intake_desk(*, unit: Unit) -> Unit:
    """The desk that receives for `unit`: the service centre or one-stop desk working for the
    government `unit` is (the nearest in its subtree), else `unit` itself. An online dossier waits
    for acceptance there, where desk officers are."""
    if unit.level not in GOVERNMENT_LEVELS:
        return unit
    centres = Unit.objects.filter(
        unit_current_q(), level=UnitLevel.CENTRE, path__startswith=unit.path
    ).order_by("depth", "path")
    for centre in centres:
        if unit_government(unit=centre) == unit:
            return centre
    return unit


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


def unit_leader(*, unit: Unit) -> Membership | None:
    """The active `leader` of the unit, or of the nearest unit above it that has one (a department
    without a leader of its own is led from its parent). The earliest granted when several."""
    current = unit
    while current is not None:
        membership = (
            Membership.objects.filter(
                unit=current, role=Role.LEADER, active=True, user__is_active=True
            )
            .select_related("user", "unit")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            return membership
        current = current.parent
    return None


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


# --- who may see the figures (rates, scorecard, reports, rankings): one answer for every door ----

FIGURE_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)


def user_may_view_figures(*, user, unit: Unit) -> bool:
    """Supervisors, leaders and administrators see the figures of their units' subtrees."""
    return user_has_role(user=user, role=FIGURE_ROLES, unit=unit)


def user_figure_units(*, user) -> list[Unit]:
    """Top units whose figures the user may see (`user_may_view_figures`)."""
    return user_units(user=user, roles=FIGURE_ROLES)
