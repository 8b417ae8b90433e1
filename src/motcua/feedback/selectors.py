"""Reads: the officers' feedback inbox (with overdue and soon-due flags), the citizen's tracking,
the published answers, ratings, and the sets behind indicators 5.1–5.4 (Decision 766)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse

from motcua.core import timeutil
from motcua.dossiers.models import Dossier, DossierStep
from motcua.feedback import rules
from motcua.feedback.defaults import CRITERIA
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    Rating,
    RatingCriterion,
)
from motcua.indicators.rules import period_bounds
from motcua.notifications.models import Notification
from motcua.units.models import Role, Unit
from motcua.units.selectors import user_has_role, user_unit_filter
from motcua.workcalendar.selectors import calendar_get

STAFF_ROLES = (Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER)
OPEN_STATES = (FeedbackStatus.RECEIVED, FeedbackStatus.INFO_REQUESTED, FeedbackStatus.ANSWERED)

# --- indicators (Decision 766 group 5) ------------------------------------------------------------


def feedback_in_period(*, units, start: date, end: date) -> QuerySet[Feedback]:
    """Feedback first sent in the period (local dates, both ends included) to a unit in `units`
    (the processing agency's subtree). Raising a feedback again keeps its first sending."""
    s, e = period_bounds(start=start, end=end)
    return Feedback.objects.filter(unit__in=units, sent_at__gte=s, sent_at__lt=e)


def feedback_indicator_sets(
    *, units, start: date, end: date
) -> dict[str, tuple[QuerySet[Feedback], QuerySet[Feedback]]]:
    """(numerator, denominator) per indicator; open feedback is judged at the period's end.

    5.1 classified (about rules and procedures or about officials' conduct) ÷ feedback;
    5.2 handled on time (no step late, no running limit passed) ÷ feedback;
    5.3 feedback less the unsatisfied, the raised again and the late ÷ feedback."""
    denominator = feedback_in_period(units=units, start=start, end=end)
    _s, moment = period_bounds(start=start, end=end)
    late = rules.late_at_q(moment)
    return {
        "5.1": (denominator.filter(rules.classified_q()), denominator),
        "5.2": (denominator.exclude(late), denominator),
        "5.3": (
            denominator.exclude(late | rules.unsatisfied_q() | rules.raised_again_q()),
            denominator,
        ),
    }


def dossiers_with_feedback_or_dislike_q() -> Q:
    """Dossiers someone gave feedback about, or whose rating is a dislike (indicator 5.4)."""
    return Q(pk__in=Feedback.objects.filter(dossier__isnull=False).values("dossier_id")) | Q(
        pk__in=Rating.objects.filter(score__lte=rules.DISLIKE_MAX_SCORE).values("dossier_id")
    )


# --- the officers' inbox -------------------------------------------------------------------------


@dataclass
class InboxRow:
    feedback: Feedback
    due_at: datetime | None
    late: bool
    soon_due: bool


def feedback_visible_q(*, user) -> Q:
    """Feedback held by a unit in the user's remit."""
    return user_unit_filter(user=user, field="unit", roles=STAFF_ROLES)


def feedback_inbox(
    *, user, status: str = "", flag: str = "", now: datetime | None = None, limit: int = 200
) -> tuple[list[InboxRow], dict[str, int]]:
    """Open feedback of the user's units (or of one status), soonest due first, each flagged late
    or soon due; with the counts of both flags over the open ones."""
    now = now or timeutil.now()
    queryset = Feedback.objects.filter(feedback_visible_q(user=user)).select_related(
        "unit", "handler"
    )
    queryset = queryset.filter(status=status) if status else queryset.filter(status__in=OPEN_STATES)
    rows = []
    for item in queryset.order_by("handle_due_at", "pk")[:limit]:
        late = rules.is_late_at(item, now)
        soon = rules.is_soon_due(item, now, calendar_get(unit=item.unit))
        rows.append(InboxRow(item, rules.running_due(item), late, soon))
    counts = {"late": sum(r.late for r in rows), "soon_due": sum(r.soon_due for r in rows)}
    if flag == "late":
        rows = [r for r in rows if r.late]
    elif flag == "soon_due":
        rows = [r for r in rows if r.soon_due]
    return rows, counts


def feedback_late_count(*, user, now: datetime | None = None) -> int:
    """Open feedback of the user's units that is late now: one count query (the menu's badge)."""
    return (
        Feedback.objects.filter(feedback_visible_q(user=user), status__in=OPEN_STATES)
        .filter(rules.late_at_q(now or timeutil.now()))
        .count()
    )


def feedback_get_for_user(*, user, reference: str) -> Feedback | None:
    pk = feedback_reference_pk(reference)
    if pk is None:
        return None
    return (
        Feedback.objects.filter(feedback_visible_q(user=user), pk=pk)
        .select_related("unit", "handler", "dossier", "procedure")
        .first()
    )


def feedback_history(*, feedback: Feedback) -> list[FeedbackEvent]:
    return list(feedback.events.select_related("actor", "from_unit", "to_unit").order_by("seq"))


def feedback_notifications(*, feedback: Feedback) -> list:
    """The messages sent to the sender about this feedback, with their attempts (addresses
    masked), for the officers' page: the feedback's own record of what was sent, as a dossier's."""
    return list(
        Notification.objects.filter(reference__startswith=f"{feedback.reference}#")
        .prefetch_related("attempt_rows")
        .order_by("created_at", "pk")
    )


def feedback_available_actions(*, user, feedback: Feedback) -> list[str]:
    """Officer actions the user may take on the feedback now (from rules.ACTIONS)."""
    return [
        row.name
        for row in rules.ACTIONS.values()
        if rules.CITIZEN not in row.roles
        and row.roles
        and feedback.status in row.from_states
        and user_has_role(user=user, role=row.roles, unit=feedback.unit)
    ]


# --- the citizen's tracking and the published answers --------------------------------------------

_REFERENCE = re.compile(r"^\s*(?:PAKN)?[-\s]*0*(\d{1,12})\s*$", re.IGNORECASE)


def feedback_reference_pk(reference: str) -> int | None:
    match = _REFERENCE.match(reference or "")
    return int(match.group(1)) if match else None


def _same_phone(a: str, b: str) -> bool:
    a, b = ("".join(c for c in x if c.isdigit()) for x in (a, b))
    # 0912345678 and 84912345678 are the same number: compare the national part.
    return len(a) >= 9 and len(b) >= 9 and a[-9:] == b[-9:]


def feedback_public_lookup(*, reference: str, contact: str) -> Feedback | None:
    """The feedback with this code whose sender gave this phone (or e-mail); None otherwise."""
    pk = feedback_reference_pk(reference)
    contact = (contact or "").strip()
    if pk is None or not contact:
        return None
    item = Feedback.objects.filter(pk=pk).select_related("unit").first()
    if item is None:
        return None
    if _same_phone(item.phone, contact) or (item.email and item.email.lower() == contact.lower()):
        return item
    return None


def feedback_published(*, limit: int = 50) -> QuerySet[Feedback]:
    return (
        Feedback.objects.filter(status=FeedbackStatus.PUBLISHED)
        .select_related("unit")
        .order_by("-published_at", "-pk")[:limit]
    )


def feedback_published_get(*, reference: str) -> Feedback | None:
    pk = feedback_reference_pk(reference)
    if pk is None:
        return None
    return (
        Feedback.objects.filter(pk=pk, status=FeedbackStatus.PUBLISHED)
        .select_related("unit")
        .first()
    )


# --- ratings -------------------------------------------------------------------------------------

RATING_SALT = "motcua.feedback.rating-link"


def rating_criteria() -> list[RatingCriterion]:
    """The active criteria. An empty table (a database flushed after migrating) gets the shipped
    ones back, as the message templates fall back to theirs: rating never lacks its criteria."""
    if not RatingCriterion.objects.exists():
        for code, name, position in CRITERIA:
            RatingCriterion.objects.get_or_create(
                code=code, defaults={"name": name, "position": position}
            )
    return list(RatingCriterion.objects.filter(active=True))


def rating_get(*, dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).prefetch_related("scores__criterion").first()


def rating_may_change(*, rating: Rating | None, now: datetime | None = None) -> bool:
    from motcua.feedback.services import rating_change_window

    if rating is None:
        return True
    return (now or timeutil.now()) <= rating.created_at + rating_change_window()


def rating_may_record(*, user, dossier: Dossier) -> bool:
    """Whether an officer or a system may record a citizen's rating on their behalf — a kiosk or
    a counter of the desk where the dossier was handed in: the desk officer's role there."""
    return user_has_role(user=user, role=Role.DESK_OFFICER, unit=dossier.receiving_unit)


def dossier_rateable(*, dossier: Dossier) -> bool:
    from motcua.feedback.services import RATEABLE_STATES

    return dossier.state in RATEABLE_STATES


def rating_link(*, dossier: Dossier) -> str:
    """The address sent in the result notification: opens the rating form for this dossier
    without a lookup (the signed token carries the dossier's id, nothing personal)."""
    token = signing.dumps(dossier.pk, salt=RATING_SALT, compress=True)
    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return f"{base}{reverse('feedback_portal:rating_link', kwargs={'token': token})}"


def rating_link_dossier(*, token: str) -> Dossier | None:
    max_age = int(getattr(settings, "MOTCUA_RATING_LINK_DAYS", 90)) * 86400
    try:
        pk = signing.loads(token, salt=RATING_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Dossier.objects.filter(pk=pk).select_related("procedure", "unit").first()


def kiosk_dossier_code(text: str) -> str:
    """The dossier code from what the kiosk's field received: typed, or the receipt's QR code
    (the tracking address `…/tra-cuu/?ma=<code>`)."""
    text = (text or "").strip()
    match = re.search(r"[?&]ma=([^&#\s]+)", text)
    if match:
        from urllib.parse import unquote

        return unquote(match.group(1)).strip()
    return text


def official_ratings(*, unit: Unit, start: date, end: date) -> dict[int, tuple[int, float]]:
    """Per official: (ratings, mean score) of the dossiers rated in the period on which they
    finished a control-slip step in the unit's subtree (for the officials' ranking)."""
    s, e = period_bounds(start=start, end=end)
    pairs = (
        DossierStep.objects.filter(
            unit__path__startswith=unit.path,
            finished_by__isnull=False,
            dossier__rating__updated_at__gte=s,
            dossier__rating__updated_at__lt=e,
        )
        # No ordering: the model's default would join the DISTINCT and repeat rows.
        .order_by()
        .values_list("finished_by_id", "dossier__rating__id", "dossier__rating__score")
        .distinct()
    )
    scores: dict[int, list[int]] = defaultdict(list)
    for user_id, _rating_id, score in pairs:
        scores[user_id].append(score)
    return {user_id: (len(v), sum(v) / len(v)) for user_id, v in scores.items()}
