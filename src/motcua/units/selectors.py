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


def unit_get_by_code(*, code: str, on: date | None = None) -> Unit | None:
    """The one lookup of a unit by its code, for every door (commands, API, dashboard, import).

    A code names one unit on a given day (codes are reused after a reorganisation): the unit
    bearing `code` on `on` (default today); when none bears it that day, the one that bore it
    last before `on` (a district abolished in 2025 is still found for its 2023 report), else the
    first to bear it after. "CODE@YYYY-MM-DD" names the day in the code itself
    ("11074@2025-06-30": the old commune Tứ Kỳ)."""
    code = (code or "").strip()
    if "@" in code:
        code, _, day = code.partition("@")
        try:
            on = date.fromisoformat(day.strip())
        except ValueError:
            return None
    on = on or timeutil.now().date()
    units = Unit.objects.filter(code=code.strip())
    current = units.filter(unit_current_q(on=on)).first()
    if current is not None:
        return current
    before = units.filter(valid_to__lt=on).order_by("-valid_to").first()
    return before or units.filter(valid_from__gt=on).order_by("valid_from").first()


def unit_ancestors_q(*, unit: Unit, field: str = "") -> Q:
    """The unit and every unit above it, as a filter (by path: a path names one unit, a code
    may name several over time)."""
    prefix = f"{field}__" if field else ""
    segments = [s for s in unit.path.split("/") if s]
    paths = ["/" + "/".join(segments[: n + 1]) + "/" for n in range(len(segments))]
    return Q(**{f"{prefix}path__in": paths})


# --- history: who succeeded whom -------------------------------------------------------------


def unit_predecessors(*, unit: Unit) -> list[Unit]:
    """Every unit whose tasks passed to `unit` through mergers and splits, directly or through
    earlier reorganisations (Lạc Phượng ← Cộng Lạc ← …), oldest path first. A split unit counts
    whole under each of its successors."""
    from motcua.units.models import UnitSuccession

    found: dict[int, Unit] = {}
    frontier = [unit.pk]
    while frontier:
        rows = UnitSuccession.objects.filter(successor_id__in=frontier).select_related(
            "predecessor"
        )
        # Older data recorded a merger only on Unit.successor; read both.
        legacy = Unit.objects.filter(successor_id__in=frontier)
        frontier = []
        for candidate in [r.predecessor for r in rows] + list(legacy):
            if candidate.pk not in found and candidate.pk != unit.pk:
                found[candidate.pk] = candidate
                frontier.append(candidate.pk)
    return sorted(found.values(), key=lambda u: u.path)


def unit_successors(*, unit: Unit) -> list[Unit]:
    """The units that took over `unit`'s tasks (one in a merger, several in a split)."""
    from motcua.units.models import UnitSuccession

    rows = UnitSuccession.objects.filter(predecessor=unit).select_related("successor")
    units = {r.successor.pk: r.successor for r in rows}
    if unit.successor_id and unit.successor_id not in units:
        units[unit.successor_id] = unit.successor
    return sorted(units.values(), key=lambda u: u.path)


def unit_history_roots(*, unit: Unit, with_predecessors: bool = False) -> list[Unit]:
    """The subtrees whose figures are `unit`'s: its own, plus (`with_predecessors`) each
    predecessor's not already inside another one — disjoint, so summing their per-subtree
    counters counts every dossier once, over a period before, after or across a reorganisation."""
    roots = [unit, *(unit_predecessors(unit=unit) if with_predecessors else [])]
    return [r for r in roots if not any(o.pk != r.pk and r.path.startswith(o.path) for o in roots)]


def unit_scope_q(*, unit: Unit, field: str = "unit", with_predecessors: bool = False) -> Q:
    """Which dossiers' figures count for `unit`: those whose processing agency (`field`) is the
    unit or below it; `with_predecessors` adds its predecessors' subtrees (history shown under
    the successor). A dossier matches once however many subtrees hold its agency."""
    roots = unit_history_roots(unit=unit, with_predecessors=with_predecessors)
    query = Q(pk__in=[])
    for root in roots:
        query |= Q(**{f"{field}__path__startswith": root.path})
    return query


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


def user_may_hand_over(*, user, from_unit: Unit, to_unit: Unit) -> bool:
    """Whether `user` may hand the open dossiers of `from_unit` (a unit a reorganisation ended) to
    `to_unit`: an administrator of the receiving unit whose remit — with its units' history, the
    units merged or split into them — covers `from_unit`. After a reorganisation the old
    administrators' roles usually end with their units, so the old unit's own roles cannot be
    the test."""
    if not user_has_role(user=user, role=Role.ADMINISTRATOR, unit=to_unit):
        return False
    for unit in user_units(user=user, roles=(Role.ADMINISTRATOR,)):
        roots = unit_history_roots(unit=unit, with_predecessors=True)
        if any(from_unit.path.startswith(root.path) for root in roots):
            return True
    return False
