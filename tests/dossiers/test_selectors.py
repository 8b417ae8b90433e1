"""Officer reads: the inbox, access to one dossier, its timeline, next actions and countdown."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.core import timeutil
from motcua.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from motcua.dossiers import lifecycle, selectors, services
from motcua.dossiers.models import Channel, State
from motcua.units.models import Role
from motcua.units.services import membership_grant
from motcua.workcalendar.selectors import calendar_get
from tests.backoffice.factories import ID_NUMBER, inbox_dossiers
from tests.conftest import handed_in, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(staff, tree, birth_registration):
    return inbox_dossiers(staff=staff, tree=tree, birth_registration=birth_registration)


def codes(queryset) -> list[str]:
    return [dossier.code for dossier in queryset]


# --- inbox ---------------------------------------------------------------------------------------


def test_inbox_orders_overdue_first_then_due_date_then_paused(staff, d):
    assert codes(selectors.dossier_inbox(user=staff.desk)) == [
        d.overdue.code,
        d.soon.code,
        d.later.code,
        d.paused.code,
    ]


def test_inbox_is_limited_to_the_units_remit(staff, d):
    assert codes(selectors.dossier_inbox(user=staff.other_desk)) == [d.other.code]
    assert codes(selectors.dossier_inbox(user=staff.other_processor)) == [d.other.code]
    # Neither an officer of another unit nor a supervisor has dossiers in hand.
    assert codes(selectors.dossier_inbox(user=staff.justice_processor)) == []
    assert codes(selectors.dossier_inbox(user=staff.supervisor)) == []
    nobody = get_user_model().objects.create_user("khongvaitro")
    assert codes(selectors.dossier_inbox(user=nobody)) == []


def test_inbox_of_a_district_officer_covers_its_communes(staff, tree, d):
    officer = get_user_model().objects.create_user("lanhdao.huyen")
    membership_grant(user=officer, unit=tree.district, role=Role.LEADER)
    assert set(codes(selectors.dossier_inbox(user=officer))) == {
        d.overdue.code,
        d.soon.code,
        d.later.code,
        d.paused.code,
        d.other.code,
    }


def test_inbox_follows_the_dossier_to_the_unit_holding_it(staff, tree, d):
    services.dossier_transfer(actor=staff.desk, dossier=d.soon, to_unit=tree.justice)
    assert d.soon.code not in codes(selectors.dossier_inbox(user=staff.desk))
    assert codes(selectors.dossier_inbox(user=staff.justice_processor)) == [d.soon.code]


def test_inbox_shows_open_dossiers_unless_a_state_is_asked_for(staff, d):
    services.dossier_withdraw(actor=staff.desk, dossier=d.soon, reason="Công dân xin rút")
    assert d.soon.code not in codes(selectors.dossier_inbox(user=staff.desk))
    assert codes(selectors.dossier_inbox(user=staff.desk, state=State.WITHDRAWN)) == [d.soon.code]
    assert codes(selectors.dossier_inbox(user=staff.desk, state=State.SUPPLEMENT_REQUESTED)) == [
        d.paused.code
    ]


def test_inbox_filters(staff, d, birth_registration):
    inbox = selectors.dossier_inbox
    assert codes(inbox(user=staff.desk, overdue_only=True)) == [d.overdue.code]
    assert codes(inbox(user=staff.desk, procedure_code="1.000001")) == [d.later.code]
    assert len(codes(inbox(user=staff.desk, procedure_code=birth_registration.code))) == 3
    assert len(codes(inbox(user=staff.desk, channel=Channel.DIRECT))) == 4
    assert codes(inbox(user=staff.desk, channel=Channel.POSTAL)) == []


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("overdue-code", ["overdue"]),  # exact code
        ("11143-240304", ["overdue"]),  # code prefix
        ("nguyễn văn", ["overdue"]),  # name, any case
        ("Thị", ["soon", "paused"]),
        (ID_NUMBER, ["overdue"]),  # ID number, exact only
        (ID_NUMBER[:-1], []),
        ("không có ai", []),
    ],
)
def test_inbox_search(staff, d, term, expected):
    if term == "overdue-code":
        term = d.overdue.code
    found = codes(selectors.dossier_inbox(user=staff.desk, search=term))
    assert found == [getattr(d, name).code for name in expected]


def test_inbox_reads_a_page_in_constant_queries(staff, d, django_assert_max_num_queries):
    user = get_user_model().objects.get(pk=staff.desk.pk)  # no cached memberships
    with django_assert_max_num_queries(2):  # memberships, then the page with its relations
        rows = list(selectors.dossier_inbox(user=user)[:50])
        names = [(r.procedure.name, r.unit.name, r.current_unit.name) for r in rows]
    assert len(names) == 4


# --- one dossier ---------------------------------------------------------------------------------


def test_get_for_user_finds_own_units_dossier(staff, d):
    assert selectors.dossier_get_for_user(user=staff.processor, code=d.soon.code) == d.soon


def test_get_for_user_unknown_code_is_not_found(staff, d):
    with pytest.raises(NotFound) as error:
        selectors.dossier_get_for_user(user=staff.desk, code="khong-co")
    assert "Không tìm thấy" in error.value.message


def test_get_for_user_refuses_other_units(staff, d, nobody_user):
    for user in (staff.other_desk, staff.justice_processor, nobody_user):
        with pytest.raises(PermissionDenied):
            selectors.dossier_get_for_user(user=user, code=d.soon.code)


@pytest.fixture
def nobody_user(db):
    return get_user_model().objects.create_user("khongvaitro")


def test_supervisor_above_may_view(staff, d):
    assert selectors.dossier_get_for_user(user=staff.supervisor, code=d.other.code) == d.other


def test_units_that_handled_a_dossier_keep_access(staff, tree, d):
    dossier = services.dossier_transfer(actor=staff.desk, dossier=d.soon, to_unit=tree.justice)
    assert selectors.dossier_can_view(user=staff.justice_processor, dossier=dossier)
    dossier = services.dossier_transfer(
        actor=staff.justice_processor, dossier=dossier, to_unit=tree.tien_dong
    )
    assert dossier.current_unit == tree.tien_dong
    # No longer held by the justice office, but it handled a step: it may still look.
    assert selectors.dossier_can_view(user=staff.justice_processor, dossier=dossier)
    assert not selectors.dossier_can_view(user=staff.other_processor, dossier=dossier)


# --- timeline ------------------------------------------------------------------------------------


def test_timeline_labels_and_details_without_personal_data(staff, d):
    timeline = selectors.dossier_timeline(dossier=d.paused)
    assert [e.label for e in timeline] == ["Tiếp nhận hồ sơ", "Yêu cầu bổ sung hồ sơ"]
    received, supplement = timeline
    assert (received.from_state, received.to_state) == ("", "Đã tiếp nhận")
    assert (supplement.from_state, supplement.to_state) == ("Đã tiếp nhận", "Yêu cầu bổ sung")
    assert supplement.actor_name == staff.desk.get_username()
    assert supplement.unit_name == "UBND xã Tiên Động"
    assert supplement.details == [("Nội dung", "Thiếu giấy chứng sinh bản chính")]
    everything = repr(selectors.dossier_timeline(dossier=d.overdue))
    assert ID_NUMBER not in everything


def test_timeline_shows_reasons_and_new_dates(staff, d):
    calendar = calendar_get(unit=d.soon.unit)
    new_due = calendar.add_working_seconds(d.soon.due_at, 8 * 3600)
    services.dossier_apologise(
        actor=staff.desk, dossier=d.soon, new_due_at=new_due, reason="Chờ xác minh"
    )
    entry = selectors.dossier_timeline(dossier=d.soon)[-1]
    assert entry.label == "Xin lỗi và hẹn lại ngày trả"
    assert dict(entry.details) == {"Lý do": "Chờ xác minh", "Ngày hẹn trả mới": new_due}


def test_the_events_are_read_once_per_instance_and_again_after_a_new_event(staff, d):
    dossier = selectors.dossier_get_for_user(user=staff.desk, code=d.soon.code)
    with CaptureQueriesContext(connection) as first:
        kinds = [e.kind for e in selectors.dossier_events(dossier=dossier)]
    with CaptureQueriesContext(connection) as again:
        selectors.dossier_timeline(dossier=dossier)
        selectors.dossier_documents(dossier=dossier)
    assert len(first.captured_queries) == 1
    # The timeline reads no events of its own (the documents still read the documents).
    assert not any("dossierevent" in q["sql"] for q in again.captured_queries)
    calendar = calendar_get(unit=dossier.unit)
    services.dossier_apologise(
        actor=staff.desk,
        dossier=dossier,
        new_due_at=calendar.add_working_seconds(dossier.due_at, 8 * 3600),
        reason="Chờ xác minh",
    )
    dossier.refresh_from_db()
    after = [e.kind for e in selectors.dossier_events(dossier=dossier)]
    assert after == [*kinds, "apologised"]


# --- available actions ---------------------------------------------------------------------------


def test_available_actions_follow_state_and_role(staff, d):
    def available(user, dossier):
        return selectors.dossier_available_actions(user=user, dossier=dossier)

    # Received, held by the desk: the desk forwards, the leader may step in or refuse.
    assert available(staff.desk, d.soon) == [
        "forwarded",
        "transferred",
        "supplement_requested",
        "apologised",
        "payment_recorded",
        "withdrawn",
    ]
    assert "forwarded" not in available(staff.processor, d.soon)
    assert {"forwarded", "rejected"} <= set(available(staff.leader, d.soon))
    assert "resolved" not in available(staff.leader, d.soon)  # not processing yet
    assert available(staff.other_desk, d.soon) == []
    assert available(staff.supervisor, d.soon) == []
    assert "supplement_received" in available(staff.desk, d.paused)
    assert "supplement_requested" not in available(staff.desk, d.paused)


def _attempt(kind: str, *, user, dossier, justice):
    """Call the service of `kind` with minimal valid input; returns the error or None."""
    calendar = calendar_get(unit=dossier.unit)
    later = calendar.add_working_seconds(
        max(dossier.due_at or timeutil.now(), timeutil.now()), 3600
    )
    calls = {
        "accepted": lambda: services.dossier_accept(actor=user, dossier=dossier),
        "not_accepted": lambda: services.dossier_not_accept(
            actor=user, dossier=dossier, reason="x"
        ),
        "forwarded": lambda: services.dossier_forward(actor=user, dossier=dossier),
        "transferred": lambda: services.dossier_transfer(
            actor=user, dossier=dossier, to_unit=justice
        ),
        "supplement_requested": lambda: services.dossier_request_supplement(
            actor=user, dossier=dossier, content="x"
        ),
        "supplement_received": lambda: services.dossier_receive_supplement(
            actor=user, dossier=dossier
        ),
        "financial_obligation_requested": lambda: services.dossier_request_financial_obligation(
            actor=user, dossier=dossier, content="x"
        ),
        "financial_obligation_fulfilled": lambda: services.dossier_fulfil_financial_obligation(
            actor=user, dossier=dossier
        ),
        "apologised": lambda: services.dossier_apologise(
            actor=user, dossier=dossier, new_due_at=later, reason="x"
        ),
        "stopped": lambda: services.dossier_stop(actor=user, dossier=dossier, reason="x"),
        "rejected": lambda: services.dossier_reject(actor=user, dossier=dossier, reason="x"),
        "withdrawn": lambda: services.dossier_withdraw(actor=user, dossier=dossier, reason="x"),
        "resolved": lambda: services.dossier_resolve(
            actor=user, dossier=dossier, result_summary="x"
        ),
        "result_returned": lambda: services.dossier_return_result(actor=user, dossier=dossier),
        "payment_recorded": lambda: services.dossier_record_payment(
            actor=user, dossier=dossier, amount=8000, online=False
        ),
    }

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            calls[kind]()
            raise Undo
    except Undo:
        return None
    except DomainError as error:
        return error


def test_available_actions_agree_with_the_services(staff, tree, d):
    """What the page offers, the service accepts (role and state); what it hides, the service
    refuses. Guards the role table in selectors against drift from services."""
    processing = services.dossier_forward(actor=staff.desk, dossier=d.later)
    at_leader = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=d.soon.procedure,
        components=handed_in(d.soon.procedure),
        applicant=services.Applicant(name="Võ Thị Giang"),
    )
    at_leader = services.dossier_forward(actor=staff.desk, dossier=at_leader)
    at_leader = services.dossier_forward(actor=staff.processor, dossier=at_leader)
    resolved = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=d.soon.procedure,
        components=handed_in(d.soon.procedure),
        applicant=services.Applicant(name="Đặng Văn Hùng"),
    )
    resolved = services.dossier_forward(actor=staff.desk, dossier=resolved)
    resolved = services.dossier_resolve(actor=staff.leader, dossier=resolved, result_summary="Cấp")
    users = [staff.desk, staff.processor, staff.leader, staff.other_desk, staff.supervisor]
    for dossier in (d.soon, d.paused, processing, at_leader, resolved):
        for user in users:
            offered = selectors.dossier_available_actions(user=user, dossier=dossier)
            for kind in (action.kind for action in lifecycle.DOOR_ACTIONS):
                error = _attempt(kind, user=user, dossier=dossier, justice=tree.justice)
                where = f"{kind} by {user.username} on {State(dossier.state).label}"
                if kind in offered:
                    assert not isinstance(error, PermissionDenied | InvalidTransition), where
                else:
                    assert isinstance(error, PermissionDenied | InvalidTransition), where


# --- the clock -----------------------------------------------------------------------------------


def test_time_left_counts_working_time(d):
    # Working periods 07:30–11:30 and 13:00–17:00; due 1 working day after Mon 4/3/2024 08:00.
    assert d.overdue.due_at == local(2024, 3, 5, 8, 0)
    left = selectors.dossier_time_left
    assert left(dossier=d.overdue, now=local(2024, 3, 4, 16, 0)) == 90 * 60
    assert left(dossier=d.overdue, now=local(2024, 3, 4, 20, 0)) == 30 * 60
    assert left(dossier=d.overdue, now=local(2024, 3, 5, 8, 0)) == 0
    assert left(dossier=d.overdue, now=local(2024, 3, 5, 10, 0)) == -2 * 3600


def test_time_left_past_due_out_of_working_hours_is_still_overdue(d):
    dossier = d.overdue
    dossier.due_at = local(2024, 3, 5, 17, 0)  # in memory only: due at the end of the day
    assert selectors.dossier_time_left(dossier=dossier, now=local(2024, 3, 5, 17, 0)) == 0
    # That evening no working time has passed since, yet the promise is broken.
    assert selectors.dossier_time_left(dossier=dossier, now=local(2024, 3, 5, 19, 0)) == -1


def test_time_left_is_none_when_paused_or_ended(staff, d):
    assert selectors.dossier_time_left(dossier=d.paused) is None
    ended = services.dossier_withdraw(actor=staff.desk, dossier=d.soon, reason="Công dân xin rút")
    assert selectors.dossier_time_left(dossier=ended) is None


def test_time_left_for_a_page_builds_each_calendar_once(d, django_assert_max_num_queries):
    now = local(2024, 3, 4, 16, 0)
    with CaptureQueriesContext(connection) as one:
        selectors.dossiers_time_left(dossiers=[d.overdue], now=now)
    rows = [d.overdue, d.soon, d.later, d.paused]
    with django_assert_max_num_queries(len(one)):  # the same cost for four rows as for one
        result = selectors.dossiers_time_left(dossiers=rows, now=now)
    assert result[d.overdue.pk] == 90 * 60
    assert result[d.paused.pk] is None
    assert set(result) == {r.pk for r in rows}
