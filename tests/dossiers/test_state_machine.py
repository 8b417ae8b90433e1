"""Property: whatever officers try, in whatever order, a dossier only moves along the lawful
transitions, a refused action writes nothing, and the rows always equal the fold of the log."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import DomainError
from motcua.dossiers import lifecycle, services
from motcua.dossiers.models import ENDED_STATES, Dossier, State
from motcua.dossiers.projection import state_differences, state_fold, state_from_rows
from tests.conftest import handed_in, local

ACTIONS = {
    "forwarded": lambda s, d, at: services.dossier_forward(
        actor=s.leader,
        dossier=d,
        at=at,
        to_role="processor" if d.current_role == "leader" else None,
    ),
    "transferred": lambda s, d, at: services.dossier_transfer(
        actor=s.leader, dossier=d, to_unit=s.justice_unit, at=at
    ),
    "supplement_requested": lambda s, d, at: services.dossier_request_supplement(
        actor=s.leader, dossier=d, content="Bổ sung", at=at
    ),
    "supplement_received": lambda s, d, at: services.dossier_receive_supplement(
        actor=s.desk, dossier=d, at=at
    ),
    "financial_obligation_requested": lambda s, d, at: (
        services.dossier_request_financial_obligation(
            actor=s.leader, dossier=d, content="Thuế", at=at
        )
    ),
    "financial_obligation_fulfilled": lambda s, d, at: services.dossier_fulfil_financial_obligation(
        actor=s.desk, dossier=d, at=at
    ),
    "apologised": lambda s, d, at: services.dossier_apologise(
        actor=s.leader, dossier=d, new_due_at=local(2030, 1, 2, 9, 0), reason="Chậm", at=at
    ),
    "stopped": lambda s, d, at: services.dossier_stop(
        actor=s.leader, dossier=d, reason="Dừng", at=at
    ),
    "rejected": lambda s, d, at: services.dossier_reject(
        actor=s.leader, dossier=d, reason="Không đủ điều kiện", at=at
    ),
    "withdrawn": lambda s, d, at: services.dossier_withdraw(
        actor=s.desk, dossier=d, reason="Rút", at=at
    ),
    "resolved": lambda s, d, at: services.dossier_resolve(
        actor=s.leader, dossier=d, result_summary="Kết quả", at=at
    ),
    "result_returned": lambda s, d, at: services.dossier_return_result(
        actor=s.desk, dossier=d, at=at
    ),
    "accepted": lambda s, d, at: services.dossier_accept(actor=s.desk, dossier=d, at=at),
    "not_accepted": lambda s, d, at: services.dossier_not_accept(
        actor=s.desk, dossier=d, reason="Sai", at=at
    ),
}


@pytest.fixture
def actors(staff, tree):
    # Leaders of the district reach every unit below it, the justice office included.
    from motcua.units.models import Role
    from tests.conftest import make_user

    staff.leader = make_user("lanhdao.tuky", unit=tree.district, role=Role.LEADER)
    staff.desk = make_user("tiepnhan.tuky", unit=tree.district, role=Role.DESK_OFFICER)
    staff.justice_unit = tree.justice
    return staff


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    online=st.booleans(),
    steps=st.lists(st.tuples(st.sampled_from(sorted(ACTIONS)), st.integers(1, 600)), max_size=12),
)
def test_random_action_streams_keep_the_lifecycle_lawful(
    actors, tree, birth_registration, online, steps
):
    applicant = services.Applicant(name="Trần Thị Bình")
    at = local(2024, 3, 4, 8, 0)
    if online:
        dossier = services.dossier_submit_online(
            unit=tree.tien_dong,
            procedure=birth_registration,
            applicant=applicant,
            at=at,
            components=handed_in(birth_registration),
        )
    else:
        dossier = services.dossier_receive(
            actor=actors.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=applicant,
            at=at,
        )
    supplements = 0
    for kind, minutes in steps:
        at = at + timedelta(minutes=minutes)
        before = Dossier.objects.get(pk=dossier.pk)
        action = lifecycle.BY_KIND[kind]
        allowed, target = action.from_states, action.to_state
        try:
            dossier = ACTIONS[kind](actors, before, at)
        except DomainError:
            after = Dossier.objects.get(pk=dossier.pk)
            assert after.last_event_seq == before.last_event_seq
            assert after.state == before.state
            continue
        assert before.state in allowed
        assert dossier.state == (before.state if target is None else target)
        assert dossier.last_event_seq == before.last_event_seq + 1
        supplements += kind == "supplement_requested"
        if dossier.state in ENDED_STATES and dossier.state != State.NOT_ACCEPTED:
            assert dossier.ended_at is not None
        assert (dossier.clock_paused_at is not None) == (
            dossier.state in {State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION}
        )
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.supplement_count == supplements
    assert fresh.events.count() == fresh.last_event_seq
    assert (
        state_differences(
            state_fold(list(fresh.events.order_by("seq"))),
            state_from_rows(fresh, list(fresh.steps.all())),
        )
        == []
    )
    # At most one step of the control slip is open, and only while the dossier is in someone's hands.
    open_steps = fresh.steps.filter(finished_at__isnull=True).count()
    assert open_steps <= 1
