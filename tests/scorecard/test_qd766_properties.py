"""2.1 on random dossiers: the SQL shortcut for plain cases plus the one-by-one verdict give exactly
the dossiers `judged_on_time` passes when applied to every dossier of the denominator."""

from datetime import date, datetime, timedelta

from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.timeutil import LOCAL_TZ, local_datetime
from motcua.dossiers.models import Channel, Dossier, State
from motcua.scorecard import qd766, sources
from motcua.workcalendar.selectors import calendar_get

START, END = date(2024, 3, 1), date(2024, 3, 31)
FIRST = datetime(2024, 2, 1, tzinfo=LOCAL_TZ)
quarter_hours = st.integers(0, 80 * 24 * 4)
facts = st.fixed_dictionaries(
    {
        "state": st.sampled_from(State.values),
        "received": quarter_hours,
        "ended_after": st.none() | st.integers(0, 40 * 24 * 4),
        "returned_after": st.none() | st.integers(0, 40 * 24 * 4),
        "due_after": st.none() | st.integers(-10, 40 * 24 * 4),
        "paused_after": st.none() | st.integers(0, 20 * 24 * 4),
        "supplement_count": st.integers(0, 3),
    }
)


def _row(i, f, *, tree, procedure) -> Dossier:
    received = FIRST + timedelta(minutes=15 * f["received"])

    def after(key):
        return None if f[key] is None else received + timedelta(minutes=15 * f[key])

    return Dossier(
        code=f"P-{i:04d}",
        procedure=procedure,
        unit=tree.tien_dong,
        current_unit=tree.tien_dong,
        state=f["state"],
        channel=Channel.DIRECT,
        applicant_name="Người kiểm thử",
        received_at=received,
        ended_at=after("ended_after"),
        returned_at=after("returned_after"),
        due_at=after("due_after"),
        clock_paused_at=after("paused_after"),
        # Waiting for a supplement means at least one was requested.
        supplement_count=max(1, f["supplement_count"])
        if f["state"] == State.SUPPLEMENT_REQUESTED
        else f["supplement_count"],
        budget_seconds=8 * 3600,
    )


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(facts, min_size=1, max_size=25))
def test_on_time_sets_equal_the_verdict_on_every_dossier(tree, birth_registration, batch):
    Dossier.objects.all().delete()
    Dossier.objects.bulk_create(
        _row(i, f, tree=tree, procedure=birth_registration) for i, f in enumerate(batch)
    )
    scope = qd766.Scope(unit=tree.tien_dong, start=START, end=END)
    sets = qd766.on_time(scope)
    begin, after = local_datetime(START), local_datetime(END + timedelta(days=1))
    calendar = calendar_get()
    expected_denominator, expected_numerator = set(), set()
    for d in sources.dossiers_766(tree.tien_dong):
        end = d.ended_at or d.returned_at or d.rejected_at
        if not (
            begin <= d.received_at < after
            or (d.received_at < begin and (end is None or end >= begin))
        ):
            continue
        expected_denominator.add(d.pk)
        waiting = d.state == State.SUPPLEMENT_REQUESTED and d.clock_paused_at is not None
        supplements = (
            [{"requested": d.clock_paused_at, "received": None, "due_before": None}]
            if waiting
            else []
        )
        if d.supplement_count <= 1 and qd766.judged_on_time(
            received_at=d.received_at,
            end=end,
            due_at=d.due_at,
            supplements=supplements,
            budget_seconds=d.budget_seconds,
            after=after,
            working_seconds=calendar.working_seconds_between,
        ):
            expected_numerator.add(d.pk)
    assert set(sets.denominator.values_list("pk", flat=True)) == expected_denominator
    assert set(sets.numerator.values_list("pk", flat=True)) == expected_numerator


@given(
    paid_online=st.booleans(),
    owed=st.integers(0, 100_000),
    provider=st.sampled_from([None, "national", "province", "other"]),
)
def test_the_paid_online_filter_is_the_payment_flag_rule(paid_online, owed, provider):
    # 3.6 filters on `paid_online` (sources.paid_online_q): exactly the dossiers whose
    # DuocThanhToanTrucTuyen, by payments.selectors.online_payment_flag, is 1 or 2.
    assert (
        sources.paid_online_flag_counts(paid_online=paid_online, owed=owed, provider=provider)
        == paid_online
    )
    assert sources.paid_online_q() == Q(paid_online=True)


def _hours(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


@given(
    elapsed=st.integers(1, 200),
    wait_start=st.integers(0, 200),
    wait=st.integers(0, 200),
    limit=st.integers(0, 200),
)
def test_a_supplement_wait_never_makes_a_dossier_without_a_promised_date_late(
    elapsed, wait_start, wait, limit
):
    # Waiting for the applicant is subtracted: with the wait inside the processing time, the
    # verdict is elapsed − wait ≤ limit, so never worse than without the wait.
    received = FIRST
    end = received + timedelta(hours=elapsed)
    requested = received + timedelta(hours=min(wait_start, elapsed))
    supplement = {
        "requested": requested,
        "received": min(requested + timedelta(hours=wait), end),
        "due_before": None,
    }
    common = dict(
        received_at=received,
        end=end,
        due_at=None,
        budget_seconds=limit * 3600,
        after=end + timedelta(days=1),
        working_seconds=_hours,
    )
    with_wait = qd766.judged_on_time(supplements=[supplement], **common)
    without = qd766.judged_on_time(supplements=[], **common)
    assert with_wait >= without
    waited = (supplement["received"] - requested).total_seconds() / 3600
    assert with_wait == (elapsed - waited <= limit)
