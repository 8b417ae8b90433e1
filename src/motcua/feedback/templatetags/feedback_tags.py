from django import template

from motcua.feedback.selectors import feedback_late_count

register = template.Library()


@register.simple_tag
def feedback_late(user) -> int:
    """Overdue feedback of the user's units, for the badge in the officers' menu."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return feedback_late_count(user=user)
