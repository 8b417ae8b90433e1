"""`/healthz` and `/readyz`: the process answers; the database answers too, or 503 with a retry
hint that a load balancer can wait on."""

from django.db import DatabaseError


def test_healthz_and_readyz_answer_without_login(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_readyz_says_503_when_the_database_does_not_answer(client, db, monkeypatch):
    from motcua.core import health

    class Unreachable:  # the database server restarting
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
