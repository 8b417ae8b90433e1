"""Counting failed attempts per subject, exactly, across every worker process.

Django's database cache increments by reading then writing, so a burst of parallel failures was
counted as one: a guesser firing requests in parallel got many more tries than the limit. Here
each failure is one upsert (`INSERT … ON CONFLICT … DO UPDATE`) whose row lock, or SQLite's write
lock, orders concurrent failures; the count read back in the same transaction is exact. The
window is fixed from the first failure; a failure after it ends starts a new one."""

import time

from django.db import connection, transaction

from motcua.core.models import FailureCount

# Rows idle this long after their window and lock ended are deleted by the next failure.
KEEP_SECONDS = 24 * 60 * 60


def _now() -> int:
    return int(time.time())


def failure_count_add(*, key: str, window_seconds: int) -> int:
    """Record one failure of `key`; returns the failures in its current window, this one
    included."""
    now = _now()
    q = connection.ops.quote_name
    table, key_, failures_, ends = (
        q(name) for name in (FailureCount._meta.db_table, "key", "failures", "window_ends")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {failures_}, {ends}, {q('blocked_until')}) "
            f"VALUES (%s, 1, %s, 0) ON CONFLICT ({key_}) DO UPDATE SET "
            f"{failures_} = CASE WHEN {table}.{ends} <= %s THEN 1 "
            f"ELSE {table}.{failures_} + 1 END, "
            f"{ends} = CASE WHEN {table}.{ends} <= %s THEN excluded.{ends} ELSE {table}.{ends} END",
            [key, now + window_seconds, now, now],
        )
        cursor.execute(f"SELECT {failures_} FROM {table} WHERE {key_} = %s", [key])
        (failures,) = cursor.fetchone()
        FailureCount.objects.filter(
            window_ends__lt=now - KEEP_SECONDS, blocked_until__lt=now - KEEP_SECONDS
        ).delete()
    return failures


def failure_counts(*, keys: list[str]) -> dict[str, int]:
    """The failures of each key in its current window (keys without any are left out)."""
    rows = FailureCount.objects.filter(key__in=keys, window_ends__gt=_now(), failures__gt=0)
    return dict(rows.values_list("key", "failures"))


def failure_block(*, key: str, seconds: int) -> None:
    """Lock `key` for `seconds` and start its count afresh."""
    FailureCount.objects.update_or_create(
        key=key,
        defaults={"failures": 0, "window_ends": _now(), "blocked_until": _now() + seconds},
    )


def failure_blocked(*, keys: list[str]) -> bool:
    return FailureCount.objects.filter(key__in=keys, blocked_until__gt=_now()).exists()


def failure_blocked_seconds(*, keys: list[str]) -> int:
    """Seconds until the last lock among `keys` ends (0: none is locked) — a Retry-After."""
    now = _now()
    ends = (
        FailureCount.objects.filter(key__in=keys, blocked_until__gt=now)
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )
    return max(0, ends - now) if ends else 0


def failure_count_clear(*, keys: list[str]) -> None:
    """Forget the failures of `keys` (not their locks)."""
    FailureCount.objects.filter(key__in=keys).update(failures=0)
