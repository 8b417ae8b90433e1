from contextvars import ContextVar

from django.conf import settings
from django.db.models import QuerySet

from motcua.notifications.defaults import DEFAULT_TEMPLATES
from motcua.notifications.models import MessageChannel, MessageTemplate, NotificationAttempt

# Set by services.notifications_paused() (generated demo history must not message anyone).
PAUSED: ContextVar[bool] = ContextVar("motcua_notifications_paused", default=False)


def notifications_paused_now() -> bool:
    return PAUSED.get()


def notification_channels_enabled() -> list[str]:
    return [c for c in settings.MOTCUA_NOTIFY_CHANNELS if c in MessageChannel.values]


def message_template_effective(*, kind: str, channel: str) -> tuple[str, str] | None:
    """(subject, body) to send for `kind` on `channel`: the administrator's template, or the
    shipped default where there is no row; None when the administrator turned it off."""
    row = MessageTemplate.objects.filter(kind=kind, channel=channel).first()
    if row is None:
        return DEFAULT_TEMPLATES.get((kind, channel))
    if not row.enabled:
        return None
    return row.subject, row.body


def notification_attempts_for_dossier(*, dossier) -> QuerySet[NotificationAttempt]:
    return (
        NotificationAttempt.objects.filter(dossier=dossier)
        .select_related("notification")
        .order_by("at", "pk")
    )
