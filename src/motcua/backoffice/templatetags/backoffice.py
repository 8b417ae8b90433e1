from django import template

from motcua.privacy.selectors import REQUEST_ROLES
from motcua.units.models import Role
from motcua.units.selectors import (
    user_figure_units,
    user_memberships,
    user_roles_in,
    user_units,
)

register = template.Library()


@register.simple_tag
def officer_assignments(user) -> list[dict]:
    """[{"unit": Unit, "roles": "Cán bộ tiếp nhận, Lãnh đạo"}] for the page header."""
    if not getattr(user, "is_authenticated", False):
        return []
    labels = dict(Role.choices)
    return [
        {
            "unit": unit,
            "roles": ", ".join(
                str(labels[r]) for r in Role.values if r in user_roles_in(user=user, unit=unit)
            ),
        }
        for unit in user_units(user=user)
    ]


@register.simple_tag
def officer_nav(user) -> dict:
    """Which sections the header offers: the dashboard to those who supervise, the intake desk to
    desk officers."""
    if not getattr(user, "is_authenticated", False):
        return {}
    roles = {m.role for m in user_memberships(user=user)}
    return {
        "dashboard": bool(user_figure_units(user=user)),
        "desk": Role.DESK_OFFICER in roles,
        # Data subjects' requests: the roles privacy.selectors.REQUEST_ROLES names.
        "privacy": bool(roles & set(REQUEST_ROLES)),
    }
