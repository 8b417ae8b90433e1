"""Computed figures kept for a short while in Django's cache (`MOTCUA_FIGURES_CACHE_SECONDS`).

The dashboard's rates, trend and Decision 766 scorecard, and the rankings, are dozens to hundreds
of aggregate queries over a year of dossiers, asked again by every supervisor who opens the page;
the figures move with each event, but a supervisor reading them a minute old loses nothing. The
cache is Django's (`MOTCUA_CACHE_URL`: the database table by default, Redis where configured), so
every gunicorn worker shares one copy. A key names the figures and everything they depend on (the
unit, the period, the options, today's date); who may see them is checked before, by the caller,
as for uncached figures. 0 seconds switches the cache off."""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from motcua.core import timeutil

T = TypeVar("T")

_MISSING = object()


def figures_cached(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its answer of less than MOTCUA_FIGURES_CACHE_SECONDS ago for the same
    `name` and `parts` (plain values: codes, ids, dates, flags)."""
    seconds = settings.MOTCUA_FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    # Today's date is part of every key: "open", "overdue" and periods ending today move at midnight.
    text = repr((name, timeutil.now().date(), *parts))
    key = "figures:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    cache.set(key, value, seconds)
    return value
