"""The login throttle holds across processes: every gunicorn worker sees the same counters (in the
database, core.throttle), whatever cache is configured."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
from motcua.backoffice.throttle import login_failure_record, login_is_blocked
if sys.argv[1] == "fail":
    call_command("migrate", verbosity=0)
    for _ in range(5):
        login_failure_record(username="canbo", ip="")
print("blocked" if login_is_blocked(username="canbo", ip="") else "open")
"""


def run_worker(tmp_path, step: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "MOTCUA_CACHE_URL": "locmem",  # a cache of each process's own: the counts must not need it
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, step],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_failures_are_shared_by_worker_processes(tmp_path):
    # Two processes, as two gunicorn workers: failures counted by one lock the login in the other.
    assert run_worker(tmp_path, "fail") == "blocked"
    assert run_worker(tmp_path, "check") == "blocked"
