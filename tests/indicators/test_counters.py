"""Counters kept by events == counters rebuilt from dossiers == a naive query over dossiers."""

import contextlib
from datetime import date, timedelta

from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.counters import counters_rebuild, counters_snapshot
from motcua.indicators.naive import naive_form06, naive_rates
from motcua.indicators.selectors import form06_figures, rates_for, subtree_form06
from tests.conftest import handed_in, local
from tests.indicators.test_rollups import assert_rollups_match_daily, scorecard_matches_drilldown

ACTIONS = (
    "forward",
    "supplement",
    "receive_supplement",
    "resolve",
    "return",
    "reject",
    "stop",
    "withdraw",
    "pay_online",
    "apologise",
)


def act(staff, dossier, kind, at):
    if kind == "forward":
        return services.dossier_forward(
            actor=staff.leader,
            dossier=dossier,
            at=at,
            to_role="leader" if dossier.current_role == "leader" else None,
        )
    if kind == "supplement":
        return services.dossier_request_supplement(
            actor=staff.leader, dossier=dossier, content="Thiếu", at=at
        )
    if kind == "receive_supplement":
        return services.dossier_receive_supplement(actor=staff.desk, dossier=dossier, at=at)
    if kind == "resolve":
        return services.dossier_resolve(
            actor=staff.leader,
            dossier=dossier,
            result_summary="KQ",
            electronic=at.day % 2 == 0,
            at=at,
        )
    if kind == "return":
        return services.dossier_return_result(actor=staff.desk, dossier=dossier, at=at)
    if kind == "reject":
        return services.dossier_reject(
            actor=staff.leader, dossier=dossier, reason="Không đủ", at=at
        )
    if kind == "stop":
        return services.dossier_stop(actor=staff.leader, dossier=dossier, reason="Dừng", at=at)
    if kind == "withdraw":
        return services.dossier_withdraw(actor=staff.desk, dossier=dossier, reason="Rút", at=at)
    if kind == "pay_online":
        return services.dossier_record_payment(
            actor=None, dossier=dossier, amount=8000, online=True, reference=f"R{dossier.pk}", at=at
        )
    return services.dossier_apologise(
        actor=staff.leader,
        dossier=dossier,
        new_due_at=at + timedelta(days=21),
        reason="Chậm",
        at=at,
    )


dossier_plans = st.lists(
    st.tuples(
        st.integers(0, 20),  # receipt day offset
        st.booleans(),  # online
        st.booleans(),  # digitized
        st.sampled_from(["tien_dong", "cong_lac"]),
        st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(30, 60 * 24 * 4)), max_size=6),
    ),
    min_size=1,
    max_size=6,
)


def leader_and_desk(tree):
    from types import SimpleNamespace

    from motcua.units.models import Role
    from tests.conftest import make_user

    return SimpleNamespace(
        leader=make_user("ld.huyen", unit=tree.district, role=Role.LEADER),
        desk=make_user("tn.huyen", unit=tree.district, role=Role.DESK_OFFICER),
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Periods from January to May: days, whole months and the edges of each are all exercised.
@given(plans=dossier_plans, period=st.tuples(st.integers(-70, 80), st.integers(-70, 80)))
def test_counters_equal_rebuild_equal_naive(tree, birth_registration, plans, period):
    # Each example runs in its own rolled-back transaction: the database starts empty every time.
    with transaction.atomic():
        check_counters(tree, birth_registration, plans, period)
        transaction.set_rollback(True)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=dossier_plans, period=st.tuples(st.integers(-70, 80), st.integers(-70, 80)))
def test_counters_equal_naive_under_the_other_form06_policies(
    tree, birth_registration, plans, period
):
    # Waiting for a supplement and stopped kept within the deadline, lateness by date: the live
    # counters, a rebuild and the dossier-by-dossier oracle still agree.
    with (
        override_settings(
            MOTCUA_FORM06_SUPPLEMENT_WAITING="within_deadline",
            MOTCUA_FORM06_STOPPED="in_progress",
            MOTCUA_FORM06_LATENESS="date",
        ),
        transaction.atomic(),
    ):
        check_counters(tree, birth_registration, plans, period)
        transaction.set_rollback(True)


def check_counters(tree, birth_registration, plans, period):
    staff = leader_and_desk(tree)
    base = local(2024, 3, 1, 8, 0)
    for offset, online, digitized, unit_name, actions in plans:
        at = base + timedelta(days=offset, hours=offset % 7)
        unit = getattr(tree, unit_name)
        components = handed_in(birth_registration, digitized=digitized)
        if online:
            dossier = services.dossier_submit_online(
                unit=unit,
                procedure=birth_registration,
                applicant=Applicant(name="A"),
                components=components,
                at=at,
            )
            dossier = services.dossier_accept(
                actor=staff.desk, dossier=dossier, at=at + timedelta(minutes=5)
            )
        else:
            dossier = services.dossier_receive(
                actor=staff.desk,
                unit=unit,
                procedure=birth_registration,
                applicant=Applicant(name="B"),
                components=components,
                at=at,
            )
        for kind, minutes in actions:
            at = at + timedelta(minutes=minutes)
            with contextlib.suppress(DomainError):
                dossier = act(staff, dossier, kind, at + timedelta(minutes=10))
    live = counters_snapshot()
    assert_rollups_match_daily()
    counters_rebuild()
    assert counters_snapshot() == live
    assert_rollups_match_daily()
    start = date(2024, 3, 1) + timedelta(days=min(period))
    end = date(2024, 3, 1) + timedelta(days=max(period))
    for unit in (tree.district, tree.tien_dong, tree.province):
        rates = rates_for(unit=unit, start=start, end=end)
        assert {m: (r.numerator, r.denominator) for m, r in rates.items()} == naive_rates(
            unit=unit, start=start, end=end
        )
        figures = form06_figures(unit=unit, start=start, end=end).get((), None)
        expected = naive_form06(unit=unit, start=start, end=end)
        assert (figures.as_dict() if figures else dict.fromkeys(expected, 0)) == expected
        if figures:
            assert figures.received_total == figures.resolved_total + figures.in_progress_total
        from_rollups = subtree_form06(unit_ids=[unit.pk], start=start, end=end)[unit.pk]
        assert from_rollups.as_dict() == expected
    scorecard_matches_drilldown(tree.district, start, end)


def test_hand_computed_rates_and_form06(staff, tree, birth_registration):
    """Four dossiers in Tiên Động, March 2024, computed by hand."""
    desk, leader = staff.desk, staff.leader
    # 1: direct, digitized, received 1/3, resolved early 1/3 with a file, paid at the desk.
    d1 = services.dossier_receive(
        actor=desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="A"),
        components=handed_in(birth_registration, digitized=True),
        at=local(2024, 2, 29, 8),
    )
    d1 = services.dossier_forward(actor=desk, dossier=d1, at=local(2024, 2, 29, 8, 30))
    d1 = services.dossier_forward(actor=staff.processor, dossier=d1, at=local(2024, 2, 29, 9))
    d1 = services.dossier_resolve(
        actor=leader, dossier=d1, result_summary="KQ", electronic=True, at=local(2024, 2, 29, 10)
    )
    # 2: online, paid online, not digitized, received 4/3, still open and overdue by 8/3.
    d2 = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="B"),
        at=local(2024, 3, 3, 20),
    )
    d2 = services.dossier_accept(actor=desk, dossier=d2, at=local(2024, 3, 4, 8))
    services.dossier_record_payment(
        actor=None, dossier=d2, amount=8000, online=True, reference="X", at=local(2024, 3, 4, 8, 1)
    )
    # 3: direct, received 5/3, resolved late 7/3 without a file.
    d3 = services.dossier_receive(
        actor=desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="C"),
        at=local(2024, 3, 5, 8),
    )
    d3 = services.dossier_forward(actor=desk, dossier=d3, at=local(2024, 3, 5, 9))
    d3 = services.dossier_forward(actor=staff.processor, dossier=d3, at=local(2024, 3, 6, 9))
    services.dossier_resolve(actor=leader, dossier=d3, result_summary="KQ", at=local(2024, 3, 7, 9))
    # 4: online submission never accepted: counts nowhere.
    services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="D"),
        at=local(2024, 3, 5, 9),
    )

    rates = rates_for(unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 8))
    assert (rates["online_dossiers"].numerator, rates["online_dossiers"].denominator) == (1, 2)
    assert rates["online_dossiers"].percent == 50
    assert (rates["full_digitization"].numerator, rates["full_digitization"].denominator) == (0, 2)
    assert (rates["result_digitization"].numerator, rates["result_digitization"].denominator) == (
        0,
        1,
    )
    assert (rates["online_payment"].numerator, rates["online_payment"].denominator) == (1, 2)
    figures = form06_figures(unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 8))[()]
    assert figures.as_dict() == {
        "received_total": 2,
        "received_online": 1,
        "received_direct_or_postal": 1,
        "carried_over": 0,
        "resolved_total": 1,
        "resolved_early": 0,
        "resolved_on_time": 0,
        "resolved_late": 1,
        "in_progress_total": 1,
        "in_progress_within_deadline": 0,
        "in_progress_overdue": 1,
    }
    february = rates_for(unit=tree.tien_dong, start=date(2024, 2, 1), end=date(2024, 2, 29))
    assert (
        february["result_digitization"].numerator,
        february["result_digitization"].denominator,
    ) == (1, 1)
    assert february["full_digitization"].percent == 100
    # Nothing received in a quiet period: "no data", not 0 %.
    assert (
        rates_for(unit=tree.cong_lac, start=date(2024, 3, 1), end=date(2024, 3, 8))[
            "online_dossiers"
        ].percent
        is None
    )
