#!/usr/bin/env python3
"""Database restart during a run: requests get 503 with Retry-After (never 500) while PostgreSQL is
away, and the server recovers by itself when it is back.

    .venv/bin/python scripts/reliability/db_restart.py --database-url postgres://…/motcua_x \\
        [--admin-url postgres://postgres@127.0.0.1/postgres] [--outage 5] [--restart-command CMD]

`motcua serve` runs on a fresh database (migrated, one procedure); client threads read pages that
query the database (the portal's catalogue and a procedure page) and /readyz without pause. After a
few seconds the database goes away: with `--restart-command` (e.g. `pg_ctlcluster 15 main
restart`, on a machine of your own) the server really restarts; by default, so that a shared
server keeps serving others, the database refuses new connections (`ALLOW_CONNECTIONS false`) and
every open one is ended for `--outage` seconds — what the application sees of a restart. Counts
every answer by status; checks no 500, a 503 always with Retry-After, and only 200s once the
database is back (after the first second). Prints a JSON summary; exits 1 on failure."""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

MOTCUA = str(Path(sys.executable).with_name("motcua"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash import SEED, Server, free_port, manage  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--admin-url", help="a role that may alter the database (default: same)")
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--restart-command")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    import psycopg

    work = Path(tempfile.mkdtemp(prefix="motcua-restart-"))
    env = {**os.environ, "MOTCUA_VAR_DIR": str(work), "DATABASE_URL": args.database_url}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([MOTCUA, "migrate", "-v0"], env=env, check=True)
    manage(env, SEED)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port, 2, open(work / "server.log", "ab"))  # noqa: SIM115
    server.start()

    database = urlsplit(args.database_url).path.lstrip("/")
    admin_url = args.admin_url or urlsplit(args.database_url)._replace(path="/postgres").geturl()
    answers: list[tuple[float, int, bool]] = []  # (time, status, has Retry-After)
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds
    paths = ["/cong-dich-vu/thu-tuc/", "/cong-dich-vu/thu-tuc/1.001193/", "/readyz"]

    def client(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            i += 1
            try:
                with urllib.request.urlopen(base + paths[i % len(paths)], timeout=30) as r:
                    status, retry = r.status, "Retry-After" in r.headers
            except urllib.error.HTTPError as error:
                status, retry = error.code, "Retry-After" in error.headers
            except OSError:
                status, retry = 0, False
            with lock:
                answers.append((time.monotonic(), status, retry))
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    down_at = time.monotonic()
    if args.restart_command:
        subprocess.run(args.restart_command, shell=True, check=True)
    else:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
            time.sleep(args.outage)
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    back_at = time.monotonic()
    for thread in threads:
        thread.join()
    server.kill()

    by_status = collections.Counter(status for _, status, _ in answers)
    during = [a for a in answers if down_at <= a[0] <= back_at]
    after = [a for a in answers if a[0] > back_at + 1]
    summary = {
        "answers": len(answers),
        "by_status": dict(sorted(by_status.items())),
        "during_outage": dict(collections.Counter(s for _, s, _ in during)),
        "after_recovery": dict(collections.Counter(s for _, s, _ in after)),
        "503_without_retry_after": sum(1 for _, s, r in answers if s == 503 and not r),
        "outage_seconds": round(back_at - down_at, 1),
    }
    print(json.dumps(summary))
    ok = (
        by_status.get(500, 0) == 0
        and summary["503_without_retry_after"] == 0
        and by_status.get(503, 0) > 0
        and after
        and all(s == 200 for _, s, _ in after)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
