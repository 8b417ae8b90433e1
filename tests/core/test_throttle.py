"""Failure counts: a fixed window from the first failure, locks, and exact counts when many
workers fail at once."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core import throttle
from motcua.core.models import FailureCount
from tests.conftest import is_postgres
from tests.dossiers.test_concurrency import run_in_threads

WINDOW = 60


@pytest.fixture
def clock(monkeypatch):
    now = [1_700_000_000]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


@pytest.mark.django_db
def test_a_window_counts_from_its_first_failure(clock):
    assert [throttle.failure_count_add(key="a", window_seconds=WINDOW) for _ in range(3)] == [
        1,
        2,
        3,
    ]
    clock[0] += WINDOW - 1
    assert throttle.failure_counts(keys=["a", "b"]) == {"a": 3}
    clock[0] += 1  # the window has ended: the next failure starts a new one
    assert throttle.failure_counts(keys=["a"]) == {}
    assert throttle.failure_count_add(key="a", window_seconds=WINDOW) == 1


@pytest.mark.django_db
def test_a_lock_holds_for_its_time_and_starts_the_count_afresh(clock):
    for _ in range(4):
        throttle.failure_count_add(key="a", window_seconds=WINDOW)
    throttle.failure_block(key="a", seconds=30)
    assert throttle.failure_blocked(keys=["a"]) and not throttle.failure_blocked(keys=["b"])
    assert throttle.failure_counts(keys=["a"]) == {}
    clock[0] += 30
    assert not throttle.failure_blocked(keys=["a"])


@pytest.mark.django_db
def test_clearing_forgets_the_failures_not_the_lock(clock):
    throttle.failure_count_add(key="a", window_seconds=WINDOW)
    throttle.failure_block(key="b", seconds=30)
    throttle.failure_count_clear(keys=["a", "b"])
    assert throttle.failure_counts(keys=["a"]) == {}
    assert throttle.failure_blocked(keys=["b"])


@pytest.mark.django_db
def test_old_rows_are_deleted_by_a_later_failure(clock):
    throttle.failure_count_add(key="old", window_seconds=WINDOW)
    clock[0] += WINDOW + throttle.KEEP_SECONDS + 1
    throttle.failure_count_add(key="new", window_seconds=WINDOW)
    assert set(FailureCount.objects.values_list("key", flat=True)) == {"new"}


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("fail"), st.sampled_from("ab")),
            st.tuples(st.just("wait"), st.integers(min_value=0, max_value=2 * WINDOW)),
            st.tuples(st.just("clear"), st.sampled_from("ab")),
        ),
        max_size=40,
    )
)
def test_counts_equal_a_model_of_fixed_windows(steps):
    # A plain model: per key, the end of its window and the failures in it.
    FailureCount.objects.all().delete()
    now, model = 1_700_000_000, {}
    original = throttle._now
    throttle._now = lambda: now
    try:
        for action, value in steps:
            if action == "wait":
                now += value
            elif action == "clear":
                if value in model:
                    model[value] = (model[value][0], 0)
                throttle.failure_count_clear(keys=[value])
            else:
                ends, failures = model.get(value, (0, 0))
                model[value] = (ends, failures + 1) if ends > now else (now + WINDOW, 1)
                assert (
                    throttle.failure_count_add(key=value, window_seconds=WINDOW) == model[value][1]
                )
            expected = {k: f for k, (ends, f) in model.items() if ends > now and f}
            assert throttle.failure_counts(keys=["a", "b"]) == expected
    finally:
        throttle._now = original


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_failures_at_the_same_instant_are_each_counted():
    # As gunicorn workers would: twelve connections failing at once, three times each. Django's
    # database cache (read, then write) lost most of these.
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    results = run_in_threads(
        12,
        lambda i: [
            throttle.failure_count_add(key="burst", window_seconds=WINDOW) for _ in range(3)
        ],
    )
    seen = sorted(n for result in results for n in result)
    assert seen == list(range(1, 37))  # every failure got its own number: none lost
    assert throttle.failure_counts(keys=["burst"]) == {"burst": 36}
