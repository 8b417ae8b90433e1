"""A database that goes away during a run (restart, fail-over): requests get 503 with a retry hint,
not 500 — pages, the API and readiness alike — and the next request after it is back is served
again without anyone restarting the application."""

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client


# Transactional: the broken connection is closed, which a test's enclosing transaction would not
# survive (a request in production has none around it).
@pytest.mark.django_db(transaction=True)
def test_a_lost_database_is_a_503_with_retry_after_on_pages_and_api(staff, monkeypatch):
    # As in production: an error becomes the error handler's answer, not an exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(staff.desk)

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # Every query that reads rows fails, as when the server is gone.
    monkeypatch.setattr("django.db.models.query.QuerySet._fetch_all", lost)
    page = client.get("/cong-dich-vu/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "tạm gián đoạn" in page.content.decode()
    api = client.get("/api/v1/dossiers")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert api.json()["code"] == "database_unavailable"
    monkeypatch.undo()
    assert client.get("/cong-dich-vu/").status_code == 200
    assert client.get("/api/v1/dossiers").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_restarted_server_gives_503_then_recovers_unattended(staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    client = Client(raise_request_exception=False)
    client.force_login(staff.desk)
    assert client.get("/api/v1/dossiers").status_code == 200
    # What a restart does to the application: the server ends its connections.
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    lost = client.get("/api/v1/dossiers")
    assert lost.status_code == 503, lost.content
    assert lost["Retry-After"] == "5" and lost.json()["code"] == "database_unavailable"
    assert client.get("/api/v1/dossiers").status_code == 200  # reconnected by itself
    assert client.get("/cong-dich-vu/").status_code == 200
