from django import template

from motcua.notifications.selectors import notification_attempts_for_dossier

register = template.Library()


@register.inclusion_tag("notifications/_attempts.html")
def notification_attempts(dossier):
    """The dossier page's list of messages sent to the applicant, attempt by attempt."""
    return {"attempts": list(notification_attempts_for_dossier(dossier=dossier))}
