"""Supervisors' figures read from a streaming replica, everything else from the primary.

`MOTCUA_REPLICA_DATABASE_URL` adds the `replica` database alias (config/settings.py). The figures'
selectors — dashboard, scorecard, rates and form-06 reports, rankings, procedure review — are
decorated with `figures_read`: while one runs, `FiguresRouter` sends its reads to the replica.
Nothing else is: a write always goes to the primary, and so does any read made inside a
transaction of the primary (a service's reads belong with its writes) or outside a figures
selector — the inbox, a dossier's page, and the drill-down lists behind a figure, which an officer
opens to act on a dossier and must see as it is now (docs/operations.md, "Read replicas").

Without the setting the router sends nothing anywhere (None: Django's default, the primary)."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"
F = TypeVar("F", bound=Callable)

_figures: ContextVar[bool] = ContextVar("motcua_figures_read", default=False)
_pinned: ContextVar[bool] = ContextVar("motcua_primary_pinned", default=False)


def figures_database() -> str:
    """The alias the figures read from: the replica when configured, else the primary."""
    return getattr(settings, "MOTCUA_FIGURES_DATABASE", DEFAULT_DB_ALIAS)


@contextmanager
def figures_reads() -> Iterator[None]:
    """Reads inside go to the figures' database (a context variable: per thread and task)."""
    token = _figures.set(True)
    try:
        yield
    finally:
        _figures.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Every read inside from the primary, figures too: a page that shows a figure beside the
    list of dossiers behind it reads both from the same database, so that they agree."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def figures_read(fn: F) -> F:
    """Marks a selector whose reads may be a few seconds old: aggregates a supervisor looks at."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with figures_reads():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class FiguresRouter:
    def db_for_read(self, model, **hints) -> str | None:
        alias = figures_database()
        if alias == DEFAULT_DB_ALIAS or not _figures.get() or _pinned.get():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # inside a transaction of the primary: read what it has written
        return alias

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # A unit read from the replica and a dossier from the primary are the same database.
        databases = {DEFAULT_DB_ALIAS, REPLICA_ALIAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary's WAL: nothing is ever migrated on it directly.
        return False if db == REPLICA_ALIAS else None
