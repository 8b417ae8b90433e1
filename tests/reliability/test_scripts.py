"""The reliability scripts in scripts/reliability/, run small: kill -9 of the server during online
filings loses nothing acknowledged; a database outage gives 503s with Retry-After, no 500, and the
server recovers unattended; parallel conflicting actions on one dossier leave exactly one winner;
a small mixed load (locust) gets no error. The full runs and their figures: docs/reliability.md."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "reliability"


def _run(script: str, *args: str) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stdout + result.stderr
    return result.returncode, json.loads(lines[-1])


def test_kill_9_during_filings_loses_nothing_acknowledged():
    code, summary = _run(
        "crash.py", "--requests", "24", "--kills", "2", "--concurrency", "4", "--workers", "2"
    )
    assert summary["kills"] == 2
    assert summary["acknowledged"] > 0
    assert summary["lost"] == 0 and summary["incomplete"] == 0
    assert summary["code_gaps_or_duplicates"] == 0 and summary["duplicate_acknowledged"] == 0
    assert summary["chains_intact"] and summary["rows_differing_from_log"] == 0
    assert summary["dossiers"] >= summary["acknowledged"]
    # A killed intake's uploads waited in the staging folder: none lies in the documents' place,
    # and once the folder is cleared every document has its file and nothing stays staged.
    assert summary["orphan_files"] == 0 and summary["staged_left"] == 0
    assert summary["documents_without_file"] == 0
    assert code == 0


def test_parallel_conflicting_actions_one_wins_through_api_and_pages():
    code, summary = _run("concurrency.py", "--parallel", "6", "--workers", "2")
    assert set(summary["rounds"]) == {
        "api/same_version",
        "api/fresh_read",
        "pages/same_version",
        "pages/fresh_read",
    }
    for name, outcome in summary["rounds"].items():
        assert outcome["won"] == 1 and outcome["other"] == [], (name, outcome)
    assert summary["rounds"]["api/same_version"]["codes_409"] == ["stale_version"]
    assert summary["rounds"]["api/same_version"]["conflict_409"] == 5
    assert summary["rounds"]["pages/same_version"]["someone_else_acted"] == 5
    assert set(summary["events_appended"].values()) == {1}
    assert summary["chains_intact"] and summary["rows_differing_from_log"] == 0
    assert summary["failures"] == [] and code == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_database_outage_is_503_then_recovered():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    server = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    name = f"motcua_restart_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            code, summary = _run(
                "db_restart.py",
                "--database-url",
                f"{server}/{name}",
                "--seconds",
                "12",
                "--outage",
                "3",
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert summary["by_status"].get("500", 0) == 0
    assert summary["during_outage"].get("503", 0) > 0
    assert summary["503_without_retry_after"] == 0
    assert set(summary["after_recovery"]) == {"200"}
    assert code == 0


def test_a_small_mixed_load_runs_without_errors():
    code, summary = _run(
        "load.py",
        "--users",
        "6",
        "--seconds",
        "6",
        "--workers",
        "2",
        "--dossiers",
        "30",
        "--spawn-rate",
        "10",
    )
    assert summary["errors"] == 0, summary["failures"]
    assert summary["requests"] > 0 and summary["requests_per_second"] > 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]
    # Every kind of the mixed scenario was driven, the lifecycle action included.
    kinds = set(summary["by_kind"])
    assert {"desk_intake", "inbox", "dossier_page", "dashboard", "portal_catalogue"} <= kinds
    assert {"portal_procedure", "portal_lookup", "api_list"} <= kinds
    for kind in summary["by_kind"].values():
        assert set(kind) == {"requests", "errors", "p50_ms", "p95_ms", "p99_ms"}
    assert sum(k["requests"] for k in summary["by_kind"].values()) == summary["requests"]
    assert code == 0
