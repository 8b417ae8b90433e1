"""`/healthz` and `/readyz`: the process answers; the database answers too, or 503 with a retry
hint that a load balancer can wait on; a lost replica shows as "degraded"."""

import pytest
from django.db import DatabaseError, connections

from motcua.core import health
from motcua.core.replica import REPLICA_ALIAS


class Unreachable:  # a database server restarting
    closed = False

    def cursor(self):
        raise DatabaseError("connection refused")

    def close(self):
        self.closed = True


def unreachable(monkeypatch, *aliases: str) -> dict:
    down = {alias: Unreachable() for alias in aliases}
    monkeypatch.setattr(
        health,
        "connections",
        {alias: down.get(alias) or connections[alias] for alias in connections},
    )
    return down


def test_healthz_and_readyz_answer_without_login(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_readyz_says_503_when_the_database_does_not_answer(client, db, monkeypatch):
    down = unreachable(monkeypatch, "default")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert down["default"].closed  # the next request reconnects


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_ALIAS])
def test_readyz_checks_the_replica_when_the_figures_read_there(client, settings, monkeypatch):
    settings.MOTCUA_FIGURES_DATABASE = REPLICA_ALIAS
    assert client.get("/readyz").json() == {"status": "ready", "replica": "ok"}
    down = unreachable(monkeypatch, REPLICA_ALIAS)
    response = client.get("/readyz")
    # Still 200: everything but the figures' pages is served, so the balancer keeps the process.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "replica": "unavailable"}
    assert down[REPLICA_ALIAS].closed
