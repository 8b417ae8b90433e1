"""Properties of feedback deadlines and lifecycle, over random calendars and random orders of
events: each limit is exactly its working days on the calendar; whatever is tried in whatever
order, refused actions write nothing, the row's due dates and lateness equal what an independent
replay of its history gives, and the lateness predicate and its query pick the same rows."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import DomainError
from motcua.core.timeutil import LOCAL_TZ
from motcua.feedback import rules, services
from motcua.feedback.models import Feedback, FeedbackCategory
from motcua.workcalendar.calendar import WorkCalendar
from tests.conftest import local, make_user
from tests.feedback.conftest import send

pytestmark = pytest.mark.django_db

days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 30))


@st.composite
def calendars(draw) -> WorkCalendar:
    """A calendar with random days off, random make-up days and, sometimes, Saturday working."""
    weekdays = frozenset(range(6)) if draw(st.booleans()) else frozenset(range(5))
    off = draw(st.sets(days, max_size=25))
    working = draw(st.sets(days, max_size=6)) - off
    return WorkCalendar(
        weekdays=weekdays,
        days_off={d: "Nghỉ" for d in off},
        working_days={d: "Làm bù" for d in working},
    )


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 5, 1), timezones=st.just(LOCAL_TZ)
)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=moments)
def test_each_limit_is_its_working_days_on_the_calendar(calendar, start):
    due = rules.deadlines_from(calendar=calendar, start=start)
    day = calendar.working_day_seconds
    for limit, days_allowed in ((due.refuse, 2), (due.info, 5), (due.handle, 15)):
        assert calendar.working_seconds_between(start, limit) == days_allowed * day
    assert start <= due.refuse <= due.info <= due.handle
    published = rules.publish_due(calendar=calendar, handled_at=due.handle)
    assert calendar.working_seconds_between(due.handle, published) == 2 * day


ACTIONS = {
    "classified": lambda s, f, at: services.feedback_classify(
        actor=s.processor, feedback=f, category=FeedbackCategory.RULES, at=at
    ),
    "forwarded": lambda s, f, at: services.feedback_forward(
        actor=s.district_leader,
        feedback=f,
        unit=s.units[0] if f.unit_id != s.units[0].pk else s.units[1],
        at=at,
    ),
    "refused": lambda s, f, at: services.feedback_refuse(
        actor=s.district_leader, feedback=f, reason="Trùng", at=at
    ),
    "info_requested": lambda s, f, at: services.feedback_request_info(
        actor=s.district_leader, feedback=f, question="Thêm gì?", at=at
    ),
    "info_supplied": lambda s, f, at: services.feedback_supply_info(feedback=f, text="Đây", at=at),
    "answered": lambda s, f, at: services.feedback_answer(
        actor=s.district_leader, feedback=f, answer="Trả lời", at=at
    ),
    "returned": lambda s, f, at: services.feedback_return(
        actor=s.district_leader, feedback=f, note="Sửa", at=at
    ),
    "approved": lambda s, f, at: services.feedback_approve(
        actor=s.district_leader, feedback=f, at=at
    ),
    "published": lambda s, f, at: services.feedback_publish(
        actor=s.district_leader, feedback=f, at=at
    ),
    "verdict": lambda s, f, at: services.feedback_verdict(feedback=f, satisfied=False, at=at),
    "raised_again": lambda s, f, at: services.feedback_raise_again(
        feedback=f, reason="Chưa thỏa đáng", at=at
    ),
}

CLOCK_STARTS = {"received", "forwarded", "info_supplied", "raised_again"}


def replay(events, calendar) -> tuple[bool, rules.Deadlines, datetime | None]:
    """Lateness and due dates from the history alone, by the rules' limits."""
    late, due, publish = False, None, None
    for event in events:
        if event.kind in CLOCK_STARTS:
            due, publish = rules.deadlines_from(calendar=calendar, start=event.at), None
        limit = {
            "refused": due.refuse,
            "info_requested": due.info,
            "approved": due.handle,
            "published": publish,
        }.get(event.kind)
        if limit is not None and event.at > limit:
            late = True
        if event.kind == "approved":
            publish = rules.publish_due(calendar=calendar, handled_at=event.at)
    return late, due, publish


@pytest.fixture
def actors(staff, tree):
    from motcua.units.models import Role

    staff.district_leader = make_user("lanhdao.tuky", unit=tree.district, role=Role.LEADER)
    staff.units = [tree.tien_dong, tree.cong_lac]
    return staff


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    calendar=calendars(),
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(ACTIONS)), st.integers(1, 6 * 24 * 60)), max_size=10
    ),
    probe=st.integers(0, 60 * 24 * 60),
)
def test_random_event_orders(monkeypatch, actors, tree, calendar, steps, probe):
    monkeypatch.setattr(services, "calendar_get", lambda unit=None: calendar)
    at = local(2026, 1, 5, 9, 0)
    item = send(unit=tree.tien_dong, at=at)
    for kind, minutes in steps:
        at = at + timedelta(minutes=minutes)
        before = Feedback.objects.get(pk=item.pk)
        row = rules.ACTIONS[kind]
        try:
            item = ACTIONS[kind](actors, before, at)
        except DomainError:
            after = Feedback.objects.get(pk=item.pk)
            assert (after.last_seq, after.status) == (before.last_seq, before.status)
            continue
        assert before.status in row.from_states
        assert item.status == (before.status if row.to_state is None else row.to_state)
    fresh = Feedback.objects.get(pk=item.pk)
    events = list(fresh.events.order_by("seq"))
    assert len(events) == fresh.last_seq
    late, due, publish = replay(events, calendar)
    assert fresh.late == late
    assert (fresh.refuse_due_at, fresh.info_due_at, fresh.handle_due_at) == (
        due.refuse,
        due.info,
        due.handle,
    )
    if fresh.status == "approved" or fresh.status == "published":
        assert fresh.publish_due_at == publish
    moment = at + timedelta(minutes=probe)
    by_query = Feedback.objects.filter(rules.late_at_q(moment), pk=fresh.pk).exists()
    assert by_query == rules.is_late_at(fresh, moment)
    for predicate, query in (
        (rules.is_classified, rules.classified_q()),
        (rules.is_unsatisfied, rules.unsatisfied_q()),
        (rules.is_raised_again, rules.raised_again_q()),
    ):
        assert Feedback.objects.filter(query, pk=fresh.pk).exists() == predicate(fresh)
