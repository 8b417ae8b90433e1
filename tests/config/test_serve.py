"""`motcua serve` runs the app under gunicorn."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MOTCUA_DEBUG"}}
    env["MOTCUA_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"
    return env


@contextlib.contextmanager
def serving(env, *options):
    """`motcua serve` on a free port with `options`; yields its base URL once it answers."""
    motcua = [sys.executable, "-m", "motcua"]
    subprocess.run(
        [*motcua, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [*motcua, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: the worker imports the whole app on its first request, and a loaded 2-core
        # machine (CI beside other work) can take many seconds for it.
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=30):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output = server.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0].decode()
    assert server.returncode == 0, output
    assert "gunicorn" in output.lower() or "Listening" in output


def test_serve_answers_the_login_page(env):
    with serving(env, "--workers", "1") as base:
        with urllib.request.urlopen(f"{base}/dang-nhap/", timeout=30) as response:
            status, body = response.status, response.read().decode()
        assert status == 200
        assert '<html lang="vi">' in body
        with urllib.request.urlopen(f"{base}/static/backoffice/backoffice.css", timeout=30) as css:
            assert css.status == 200


def test_threads_keep_connections_alive_unless_told_not_to(env):
    def connection_header(base: str) -> str:
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            return (response.getheader("Connection") or "").lower()
        finally:
            connection.close()

    with serving(env, "--workers", "1", "--threads", "2") as base:
        assert connection_header(base) != "close"
    with serving(env, "--workers", "1", "--threads", "2", "--keepalive", "0") as base:
        assert connection_header(base) == "close"


def test_a_negative_keepalive_is_refused_in_vietnamese(env):
    done = subprocess.run(
        [sys.executable, "-m", "motcua", "serve", "--keepalive", "-1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Số giây giữ kết nối không được âm." in done.stderr
