"""The scratch database a benchmark runs in: never the configured one, whose data it would mix with
millions of generated dossiers. PostgreSQL: a fresh database on the same server (dropped afterwards
unless kept); SQLite: a new file."""

import contextlib
import tempfile
from pathlib import Path

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connections

SCRATCH_NAME = "motcua_bench"
SQLITE_OPTIONS = {  # as config/settings.py sets them for the application
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


class Scratch:
    """`url`: a PostgreSQL URL names the server (its database name is used only when it starts with
    motcua_bench); a SQLite URL names the file. None: the configured server, or a temporary file."""

    def __init__(self, url: str | None, *, keep: bool = False, reuse: bool = False) -> None:
        self.keep = keep or reuse
        self.reuse = reuse
        configured = settings.DATABASES["default"]
        if url is None:
            if configured["ENGINE"].endswith("postgresql"):
                url = _pg_url(configured, SCRATCH_NAME)
            else:
                url = "sqlite:///" + str(
                    Path(tempfile.mkdtemp(prefix="motcua-bench-")) / "bench.sqlite3"
                )
        self.config = dj_database_url.parse(url)
        self.vendor = "postgresql" if self.config["ENGINE"].endswith("postgresql") else "sqlite"
        if self.vendor == "postgresql" and not self.config["NAME"].startswith(SCRATCH_NAME):
            self.config["NAME"] = SCRATCH_NAME
        if self.vendor == "sqlite":
            self.config["OPTIONS"] = dict(SQLITE_OPTIONS)
        self.previous = dict(configured)

    @property
    def label(self) -> str:
        return f"{self.vendor}:{self.config['NAME']}"

    def __enter__(self) -> "Scratch":
        if not self.reuse:
            if self.vendor == "postgresql":
                self._admin(f'DROP DATABASE IF EXISTS "{self.config["NAME"]}"')
                self._admin(f'CREATE DATABASE "{self.config["NAME"]}"')
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(self.config["NAME"] + suffix).unlink(missing_ok=True)
        _switch(self.config)
        # The figures must read the scratch database too, never a configured read replica.
        self.previous_figures = getattr(settings, "MOTCUA_FIGURES_DATABASE", "default")
        settings.MOTCUA_FIGURES_DATABASE = "default"
        return self

    def __exit__(self, *exc) -> None:
        _switch(self.previous)
        settings.MOTCUA_FIGURES_DATABASE = self.previous_figures
        if self.keep:
            return
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.config["NAME"]}"')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(self.config["NAME"] + suffix).unlink(missing_ok=True)

    def _admin(self, sql: str) -> None:
        c = self.config
        with psycopg.connect(
            host=c.get("HOST") or None,
            port=c.get("PORT") or None,
            user=c.get("USER") or None,
            password=c.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql)


def _pg_url(config: dict, name: str) -> str:
    auth = config.get("USER") or ""
    if config.get("PASSWORD"):
        auth += f":{config['PASSWORD']}"
    host = config.get("HOST") or "localhost"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{name}"


def _switch(config: dict) -> None:
    """Point the default connection at `config` for the rest of the process."""
    connections["default"].close()
    settings.DATABASES["default"] = config
    # ConnectionHandler caches the configured settings and the connection object.
    connections._settings = None
    connections.__dict__.pop("settings", None)
    with contextlib.suppress(AttributeError):  # no connection was opened in this thread yet
        del connections["default"]
