from django import template

from motcua.core.figures import figures_cached
from motcua.feedback.selectors import feedback_late_count

register = template.Library()


@register.simple_tag
def feedback_late(user) -> int:
    """Overdue feedback of the user's units, for the badge in the officers' menu: on every
    officer's page, so kept as the dashboard's figures are (a minute; the feedback inbox itself is
    always exact)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return figures_cached("feedback_late", (user.pk,), lambda: feedback_late_count(user=user))
