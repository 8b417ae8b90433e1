"""The rules of feedback handling, stated once: which action is allowed from which state and to
whom, the time limits and how a feedback counts (on time, late, classified, satisfied). Services,
pages, the admin, the indicators and the demo all read them from here.

Time limits (Decision 766, indicator 5.2; working days on the unit's calendar): refuse within 2,
ask for more information within 5, handle within 15 — each counted from the citizen's sending or
the latest forwarding (information supplied or the feedback raised again start the clock too:
both are a new sending) — and publish the answer within 2 of its handling (the leader's
approval)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q

from motcua.feedback.models import FeedbackStatus as S
from motcua.units.models import Role
from motcua.workcalendar.calendar import WorkCalendar

REFUSE_DAYS = 2
INFO_DAYS = 5
HANDLE_DAYS = 15
PUBLISH_DAYS = 2
# Flagged "sắp đến hạn" in the officers' inbox when this many working days or fewer remain.
SOON_DAYS = 3

CITIZEN = "citizen"  # the sender acts without an account (proved by code and phone)


@dataclass(frozen=True)
class FeedbackAction:
    name: str
    label: str  # Vietnamese, for buttons and the history
    from_states: frozenset[str]
    to_state: str | None  # None: the state does not change
    roles: tuple[str, ...]  # staff roles in the feedback's unit (or above), or CITIZEN


_OPEN = frozenset({S.RECEIVED, S.INFO_REQUESTED})
_STAFF = (Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER)

ACTIONS: dict[str, FeedbackAction] = {
    a.name: a
    for a in (
        FeedbackAction("received", "Tiếp nhận phản ánh, kiến nghị", frozenset(), S.RECEIVED, ()),
        FeedbackAction("classified", "Phân loại", _OPEN | {S.ANSWERED}, None, _STAFF),
        FeedbackAction("assigned", "Giao cán bộ xử lý", _OPEN, None, (Role.LEADER,)),
        FeedbackAction("forwarded", "Chuyển cơ quan khác xử lý", _OPEN, S.RECEIVED, _STAFF),
        FeedbackAction("refused", "Từ chối tiếp nhận", frozenset({S.RECEIVED}), S.REFUSED, _STAFF),
        FeedbackAction(
            "info_requested",
            "Đề nghị bổ sung thông tin",
            frozenset({S.RECEIVED}),
            S.INFO_REQUESTED,
            _STAFF,
        ),
        FeedbackAction(
            "info_supplied",
            "Người gửi bổ sung thông tin",
            frozenset({S.INFO_REQUESTED}),
            S.RECEIVED,
            (CITIZEN,),
        ),
        FeedbackAction(
            "answered",
            "Dự thảo trả lời",
            frozenset({S.RECEIVED}),
            S.ANSWERED,
            (Role.PROCESSOR, Role.LEADER),
        ),
        FeedbackAction(
            "returned",
            "Trả lại dự thảo để sửa",
            frozenset({S.ANSWERED}),
            S.RECEIVED,
            (Role.LEADER,),
        ),
        FeedbackAction(
            "approved",
            "Lãnh đạo duyệt câu trả lời",
            frozenset({S.ANSWERED}),
            S.APPROVED,
            (Role.LEADER,),
        ),
        FeedbackAction(
            "published",
            "Công khai câu trả lời",
            frozenset({S.APPROVED}),
            S.PUBLISHED,
            (Role.PROCESSOR, Role.LEADER),
        ),
        FeedbackAction(
            "verdict",
            "Người gửi đánh giá kết quả",
            frozenset({S.APPROVED, S.PUBLISHED}),
            None,
            (CITIZEN,),
        ),
        FeedbackAction(
            "raised_again",
            "Người gửi phản ánh lại",
            frozenset({S.REFUSED, S.APPROVED, S.PUBLISHED}),
            S.RECEIVED,
            (CITIZEN,),
        ),
    )
}


def action_allows(*, action: str, status: str) -> bool:
    return status in ACTIONS[action].from_states


# --- deadlines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    refuse: datetime
    info: datetime
    handle: datetime


def deadlines_from(*, calendar: WorkCalendar, start: datetime) -> Deadlines:
    """The three due dates of a clock started at `start` (a sending or a forwarding)."""
    return Deadlines(
        refuse=calendar.add_working_days(start, REFUSE_DAYS),
        info=calendar.add_working_days(start, INFO_DAYS),
        handle=calendar.add_working_days(start, HANDLE_DAYS),
    )


def publish_due(*, calendar: WorkCalendar, handled_at: datetime) -> datetime:
    return calendar.add_working_days(handled_at, PUBLISH_DAYS)


# The step each action is judged by, and the due date it is judged against.
STEP_DUE = {
    "refused": "refuse_due_at",
    "info_requested": "info_due_at",
    "approved": "handle_due_at",
    "published": "publish_due_at",
}


def step_is_late(*, action: str, at: datetime, facts: Any) -> bool:
    """Whether taking `action` at `at` misses its limit (False for actions without one)."""
    due_field = STEP_DUE.get(action)
    if due_field is None:
        return False
    due = getattr(facts, due_field)
    return due is not None and at > due


# --- how a feedback counts: each rule as a predicate and, beside it, as a query --------------------

# A clock runs against the handling limit while the feedback is with the agency (not waiting for
# the sender), against the publication limit once handled and not yet published.
_HANDLE_RUNNING = (S.RECEIVED, S.ANSWERED)


def is_late_at(facts: Any, moment: datetime) -> bool:
    """Late as judged at `moment`: a step was taken late, or a running limit has passed."""
    if facts.late:
        return True
    if facts.status in _HANDLE_RUNNING:
        return facts.handle_due_at < moment
    if facts.status == S.APPROVED:
        return facts.publish_due_at is not None and facts.publish_due_at < moment
    return False


def late_at_q(moment: datetime) -> Q:
    return (
        Q(late=True)
        | Q(status__in=_HANDLE_RUNNING, handle_due_at__lt=moment)
        | Q(status=S.APPROVED, publish_due_at__lt=moment)
    )


def is_soon_due(facts: Any, moment: datetime, calendar: WorkCalendar) -> bool:
    """Not late yet, and the running limit falls within SOON_DAYS working days of `moment`."""
    if is_late_at(facts, moment):
        return False
    due = running_due(facts)
    if due is None:
        return False
    return calendar.working_seconds_between(moment, due) <= SOON_DAYS * calendar.working_day_seconds


def running_due(facts: Any) -> datetime | None:
    """The due date the agency is working against now, if any."""
    if facts.status in _HANDLE_RUNNING:
        return facts.handle_due_at
    if facts.status == S.APPROVED:
        return facts.publish_due_at
    return None


def is_classified(facts: Any) -> bool:
    return bool(facts.category)


def classified_q() -> Q:
    return ~Q(category="")


def is_unsatisfied(facts: Any) -> bool:
    """Indicator 5.3's "unsatisfied": more dislikes than likes, or the sender said so."""
    return facts.dislikes > facts.likes or facts.satisfied is False


def unsatisfied_q() -> Q:
    return Q(dislikes__gt=F("likes")) | Q(satisfied=False)


def is_raised_again(facts: Any) -> bool:
    return facts.raised_again > 0


def raised_again_q() -> Q:
    return Q(raised_again__gt=0)


# --- ratings -------------------------------------------------------------------------------------

# A rating of 1 or 2 ("không hài lòng", "rất không hài lòng") is a dislike of the dossier's
# handling: with feedback about the dossier it lowers indicator 5.4.
DISLIKE_MAX_SCORE = 2


def rating_is_dislike(score: int) -> bool:
    return score <= DISLIKE_MAX_SCORE
