"""The role the application connects as cannot rewrite the event log behind its back: no replica
mode, no TRUNCATE, no ALTER TABLE; `motcua dbrole check` passes for it and fails for the owner.

Made as in production: the tables belong to the role that ran the migrations (here the test
run's own), `motcua dbrole grant` gives a fresh role its privileges. Creating that role needs a
role with CREATEROLE: the test run's own if it may, else MOTCUA_TEST_DBA_URL (.ci/run sets it)."""

import os
import subprocess
import sys
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from django.db import connection

from motcua.core.dbrole import dbrole_grant
from motcua.dossiers.models import DossierEvent
from tests.dossiers.test_lifecycle import receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROBE, PASSWORD = "motcua_probe_app", "mat-khau-vai-tro-thu"


def _url(user: str, password: str | None, database: str) -> str:
    settings = connection.settings_dict
    auth = quote(user) + (f":{quote(password)}" if password else "")
    return (
        f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{database}"
    )


def _dba_url(database: str) -> str:
    given = os.environ.get("MOTCUA_TEST_DBA_URL")
    if given:
        return urlsplit(given)._replace(path="/" + database).geturl()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("needs MOTCUA_TEST_DBA_URL (a role that may create roles)")
    settings = connection.settings_dict
    return _url(settings["USER"], settings["PASSWORD"], database)


@pytest.fixture
def probe():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    database = connection.settings_dict["NAME"]
    with psycopg.connect(_dba_url(database), autocommit=True) as dba:
        dba.execute(f"DROP ROLE IF EXISTS {PROBE}")
        dba.execute(f"CREATE ROLE {PROBE} LOGIN PASSWORD '{PASSWORD}'")
        try:
            dbrole_grant(role=PROBE)  # by the tables' owner, as in production
            yield _url(PROBE, PASSWORD, database)
        finally:
            dba.execute(f"DROP OWNED BY {PROBE}")
            dba.execute(f"DROP ROLE {PROBE}")


def _check(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", "dbrole", "check"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_application_role_cannot_disable_triggers_or_truncate(
    probe, staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    event_id = DossierEvent.objects.get(dossier=dossier, seq=1).pk
    with psycopg.connect(probe, autocommit=True) as app:
        # Reads and appends as usual.
        assert app.execute("SELECT count(*) FROM dossiers_dossierevent").fetchone()[0] == 1
        for forbidden, error in (
            ("SET session_replication_role = replica", psycopg.errors.InsufficientPrivilege),
            ("TRUNCATE dossiers_dossierevent CASCADE", psycopg.errors.InsufficientPrivilege),
            (
                "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER USER",
                psycopg.errors.InsufficientPrivilege,
            ),
            (f"UPDATE dossiers_dossierevent SET kind = 'x' WHERE id = {event_id}", psycopg.Error),
            (f"DELETE FROM dossiers_dossierevent WHERE id = {event_id}", psycopg.Error),
        ):
            with pytest.raises(error):
                app.execute(forbidden)
    assert DossierEvent.objects.get(pk=event_id).kind == "received"

    result = _check(probe)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KHÔNG ĐẠT" not in result.stdout and "đạt yêu cầu" in result.stdout


def test_check_refuses_the_tables_owner():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    settings = connection.settings_dict
    result = _check(_url(settings["USER"], settings["PASSWORD"], settings["NAME"]))
    assert result.returncode != 0
    assert "[KHÔNG ĐẠT] không sở hữu bảng nào" in result.stdout
