"""The login throttle holds across processes: every gunicorn worker sees the same counters."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from motcua.backoffice.throttle import _subjects, login_failure_record, login_is_blocked

# The database cache is cleared around each test (tests/conftest.py: fresh_cache).
pytestmark = pytest.mark.django_db

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
from motcua.backoffice.throttle import _subjects, login_failure_record, login_is_blocked
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
    }
    env.pop("MOTCUA_CACHE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, step],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_default_cache_is_shared_by_worker_processes(tmp_path):
    # Two processes, as two gunicorn workers: failures counted by one lock the login in the other.
    assert run_worker(tmp_path, "fail") == "blocked"
    assert run_worker(tmp_path, "check") == "blocked"


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis at 127.0.0.1:6379")
def test_redis_cache_is_shared_by_connections():
    prefix = f"motcua-test-{uuid.uuid4().hex}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=redis_cache):
        try:
            for _ in range(4):
                login_failure_record(username="canbo", ip="10.0.0.9")
            assert not login_is_blocked(username="canbo", ip="10.0.0.9")
            login_failure_record(username="canbo", ip="10.0.0.9")
            # A second client, as another worker holds, sees the lock.
            other = caches.create_connection("default")
            blocks = [f"motcua:login-block:{s}" for s in _subjects(username="canbo", ip="10.0.0.9")]
            assert other.get_many(blocks)
            assert login_is_blocked(username="canbo", ip="10.0.0.9")
        finally:
            client = caches["default"]._cache.get_client()
            for key in client.keys(f"{prefix}:*"):
                client.delete(key)
