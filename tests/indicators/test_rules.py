"""Each counting rule is stated once as a predicate and once as a query filter, side by side in
indicators.rules: on random dossiers, both sides pick exactly the same ones."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ
from motcua.dossiers.models import Channel, Dossier, State
from motcua.indicators import rules

START = date(2024, 3, 1)
END = date(2024, 3, 31)
FIRST = datetime(2024, 2, 1, tzinfo=LOCAL_TZ)

moments = st.integers(0, 90 * 24 * 4).map(
    lambda quarter_hours: FIRST + timedelta(minutes=15 * quarter_hours)
)
dossier_facts = st.fixed_dictionaries(
    {
        "state": st.sampled_from(State.values),
        "channel": st.sampled_from(Channel.values),
        "received_at": st.none() | moments,
        "ended_after": st.none() | st.integers(0, 40 * 24 * 4),
        "due_after": st.none() | st.integers(-10, 40 * 24 * 4),
        "supplement_count": st.integers(0, 3),
        "fee_amount": st.sampled_from([0, 8000]),
        "paid_online": st.booleans(),
    }
)


def _dossier(i: int, facts: dict, *, tree, procedure) -> Dossier:
    received_at = facts["received_at"]
    ended_at = due_at = None
    if received_at is not None:
        if facts["ended_after"] is not None:
            ended_at = received_at + timedelta(minutes=15 * facts["ended_after"])
        if facts["due_after"] is not None:
            due_at = received_at + timedelta(minutes=15 * facts["due_after"])
    return Dossier(
        code=f"R-{i:04d}",
        procedure=procedure,
        unit=tree.tien_dong,
        current_unit=tree.tien_dong,
        state=facts["state"],
        channel=facts["channel"],
        applicant_name="Người kiểm thử",
        received_at=received_at,
        ended_at=ended_at,
        due_at=due_at,
        supplement_count=facts["supplement_count"],
        fee_amount=facts["fee_amount"],
        paid_online=facts["paid_online"],
    )


MOMENT = datetime(2024, 3, 15, 17, 0, tzinfo=LOCAL_TZ)
PAIRS = {
    "counted": (rules.is_counted, rules.counted_q),
    "received_in": (lambda d: rules.is_received_in(d, START, END), lambda: rules.received_in_q(START, END)),
    "ended_in": (lambda d: rules.is_ended_in(d, START, END), lambda: rules.ended_in_q(START, END)),
    "online": (rules.is_online, rules.online_q),
    "with_fee": (rules.has_fee, rules.with_fee_q),
    "paid_online": (rules.is_paid_online, rules.paid_online_q),
    "ended_with_result": (rules.is_ended_with_result, rules.ended_with_result_q),
    "open_at": (lambda d: d.received_at is not None and rules.is_open_at(d, MOMENT), lambda: rules.open_at_q(MOMENT)),
    "overdue_at": (lambda d: d.received_at is not None and rules.is_overdue_at(d, MOMENT), lambda: rules.overdue_at_q(MOMENT)),
}  # fmt: skip
ENDED_PAIRS = {
    "late": (rules.is_late, rules.late_q),
    "not_late": (lambda d: not rules.is_late(d), rules.not_late_q),
}


# Form 06's policies (rules.POLICIES): the defaults, and every other value at once.
POLICY_SETS = [
    {},
    {
        "MOTCUA_FORM06_SUPPLEMENT_WAITING": "within_deadline",
        "MOTCUA_FORM06_STOPPED": "in_progress",
        "MOTCUA_FORM06_LATENESS": "date",
    },
    {"MOTCUA_FORM06_LATENESS": "date"},
]


@pytest.mark.parametrize("policies", POLICY_SETS)
@pytest.mark.parametrize("withdrawn_count", [False, True])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(dossier_facts, min_size=1, max_size=25))
def test_each_rule_and_its_filter_agree(
    tree, birth_registration, settings, withdrawn_count, policies, batch
):
    settings.MOTCUA_COUNT_WITHDRAWN = withdrawn_count
    for name, value in policies.items():
        setattr(settings, name, value)
    Dossier.objects.all().delete()
    rows = Dossier.objects.bulk_create(
        _dossier(i, facts, tree=tree, procedure=birth_registration) for i, facts in enumerate(batch)
    )
    dossiers = list(Dossier.objects.order_by("pk"))
    assert len(dossiers) == len(rows)
    for name, (predicate, query) in PAIRS.items():
        by_python = {d.pk for d in dossiers if predicate(d)}
        by_query = set(Dossier.objects.filter(query()).values_list("pk", flat=True))
        assert by_python == by_query, name
    ended = [d for d in dossiers if d.ended_at is not None]
    for name, (predicate, query) in ENDED_PAIRS.items():
        by_python = {d.pk for d in ended if predicate(d)}
        by_query = set(
            Dossier.objects.filter(ended_at__isnull=False)
            .filter(query())
            .values_list("pk", flat=True)
        )
        assert by_python == by_query, name


def test_withdrawn_follows_the_policy(settings):
    facts = {"state": State.WITHDRAWN, "received_at": FIRST}
    settings.MOTCUA_COUNT_WITHDRAWN = False
    assert not rules.is_counted(facts)
    settings.MOTCUA_COUNT_WITHDRAWN = True
    assert rules.is_counted(facts)
    assert not rules.is_counted({"state": State.SUBMITTED_ONLINE, "received_at": FIRST})
