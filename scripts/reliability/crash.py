#!/usr/bin/env python3
"""Crash test: kill -9 the web server while citizens file dossiers online, then check that nothing
acknowledged was lost.

    .venv/bin/python scripts/reliability/crash.py --requests 1000 --kills 4 [--database-url URL]

A fresh database (SQLite in a temporary folder unless --database-url names an empty PostgreSQL
database) gets two communes and one procedure; `motcua serve` runs with several workers; client
threads file dossiers through the portal's real form (two image files each) and count a dossier as
acknowledged when the "đã nộp" page shows its code. Meanwhile the whole server (master and
workers) is killed with SIGKILL `--kills` times and started again. At the end, in the database:
every acknowledged code is a dossier with its events and both documents, whose files are on disk;
each unit-day's codes run 1..N without gaps or duplicates; the hash chains verify and the rows
equal the replayed log; no file in the documents' place that no document refers to (uploads wait
in the staging folder until their transaction commits), and once the staging folder is cleared —
as the next start would — every document's file is in place and nothing is left staged. Prints a
JSON summary; exits 1 when anything acknowledged was lost or a check failed (an orphan file
included). docs/reliability.md has the method and the figures."""

import argparse
import http.client
import http.cookiejar
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOTCUA = str(Path(sys.executable).with_name("motcua"))
PROCEDURE = "1.001193"
CODE = re.compile(r"\b\d{5}-\d{6}-\d{4,}\b")

SEED = """
from motcua.catalog.services import procedure_upsert
from motcua.units.services import unit_upsert
province, _ = unit_upsert(code="30", name="UBND tỉnh Hải Dương", level="province",
                          agency_id="000.00.00.H23")
district, _ = unit_upsert(code="298", name="UBND huyện Tứ Kỳ", level="district", parent=province,
                          agency_id="000.00.30.H23")
unit_upsert(code="11143", name="UBND xã Tiên Động", level="commune", parent=district)
unit_upsert(code="11140", name="UBND xã Cộng Lạc", level="commune", parent=district)
procedure_upsert(code="1.001193", name="Đăng ký khai sinh", field_name="Hộ tịch", level="commune",
                 time_limit_value=1, online_level="full",
                 components=[{"code": "TP1", "name": "Tờ khai đăng ký khai sinh"},
                             {"code": "TP2", "name": "Giấy chứng sinh"}])
"""

CHECK = """
import json, os
from collections import defaultdict
from pathlib import Path
from django.conf import settings
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.replay import dossiers_projection_rebuild
acknowledged = json.load(open(os.environ["CRASH_ACKNOWLEDGED"]))
found = {d.code: d for d in Dossier.objects.filter(code__in=acknowledged).prefetch_related("documents", "events")}
lost = sorted(set(acknowledged) - set(found))
incomplete = []
for code, d in found.items():
    docs = list(d.documents.all())
    if not d.events.exists() or len(docs) != 2 or not all(
        doc.file and Path(doc.file.path).is_file() for doc in docs
    ):
        incomplete.append(code)
runs = defaultdict(list)
for code in Dossier.objects.values_list("code", flat=True):
    head, number = code.rsplit("-", 1)
    runs[head].append(int(number))
gaps = {h: n for h, n in runs.items() if sorted(n) != list(range(1, len(n) + 1))}
from motcua.dossiers.documents import STAGING_ROOT, staged_files_recover
from datetime import timedelta
names = [n for n in DossierDocument.objects.values_list("file", flat=True) if n]
referenced = {Path(settings.MEDIA_ROOT, n).resolve() for n in names}
stored = [p.resolve() for p in Path(settings.MEDIA_ROOT, "dossiers").rglob("*") if p.is_file()]
orphans = [str(p) for p in stored if p not in referenced]
staging = Path(settings.MEDIA_ROOT, STAGING_ROOT)
staged = [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []
# No server runs any more: what the last kill left in the staging folder is cleared at once, as
# the next server start (or `documents sweep`) would — moved into place when committed.
recovered = staged_files_recover(older_than=timedelta(0))
missing = [n for n in names if not Path(settings.MEDIA_ROOT, n).is_file()]
left = [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []
audit = audit_verify()
rebuild = dossiers_projection_rebuild()
print(json.dumps({"dossiers": Dossier.objects.count(), "lost": lost, "incomplete": incomplete,
                  "code_gaps_or_duplicates": gaps, "orphan_files": len(orphans),
                  "staged_after_last_kill": len(staged),
                  "staged_moved_into_place": len(recovered["moved"]),
                  "staged_deleted": len(recovered["deleted"]), "staged_left": len(left),
                  "documents_without_file": len(missing),
                  "chains_intact": audit.intact, "rows_differing_from_log": len(rebuild.differing)}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def png(seed: int) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(f"motcua-crash-{seed}").save(out, kind="png", scale=4)
    return out.getvalue()


class Server:
    def __init__(self, env: dict, port: int, workers: int, log, extra: tuple[str, ...] = ()):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.extra = list(extra)  # more `motcua serve` options (the load run's --threads)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                MOTCUA,
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *self.extra,
            ],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # its own process group: one killpg reaches every worker
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def file_one(base: str, unit_id: int, components: list[str], seed: int) -> str | None:
    """One citizen filing through the portal's form; the code shown on the receipt page, or None
    when the request failed (the server died under it, or refused)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"{base}/cong-dich-vu/thu-tuc/{PROCEDURE}/nop-ho-so/"
    try:
        opener.open(url, timeout=30).read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        boundary = uuid.uuid4().hex
        parts = []
        for field in components:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{field}.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                + png(seed)
                + b"\r\n"
            )
        fields = {
            "csrfmiddlewaretoken": token,
            "unit": str(unit_id),
            "applicant_name": f"Nguyễn Văn Thử {seed}",
            "applicant_id_number": f"{1099000000 + seed:012d}",
            "applicant_phone": f"09{seed % 100000000:08d}",
            "applicant_address": "Thôn Đông, xã Tiên Động",
            "summary": "Đăng ký khai sinh",
            "consent": "on",
        }
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url},
        )
        page = opener.open(request, timeout=60).read().decode()
    except (OSError, http.client.HTTPException, StopIteration):  # the server died under it
        return None
    found = CODE.search(page)
    return found.group(0) if found else None


def scratch_environment(
    *, prefix: str, database_url: str | None, **extra: str
) -> tuple[Path, dict]:
    """A temporary folder for the run's files and the environment every process of the run gets:
    that folder, the database given (else SQLite inside it), the database task queue, and no
    metrics folder inherited from a server around us."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "MOTCUA_VAR_DIR": str(work), "MOTCUA_TASKS_BACKEND": "database", **extra}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return work, env


def manage(env: dict, code: str) -> str:
    out = subprocess.run(
        [MOTCUA, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout
    return out.strip().splitlines()[-1] if out.strip() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()

    work, env = scratch_environment(prefix="motcua-crash-", database_url=args.database_url)
    subprocess.run([MOTCUA, "migrate", "-v0"], env=env, check=True)
    manage(env, SEED)
    ids = json.loads(
        manage(
            env,
            "import json; from motcua.units.models import Unit; from motcua.catalog.models import "
            "Procedure; p = Procedure.objects.get(code='1.001193'); print(json.dumps({'unit': "
            "Unit.objects.get(code='11143').pk, 'components': [f'component_{c.pk}' for c in "
            "p.components.order_by('code')]}))",
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port, args.workers, open(work / "server.log", "ab"))  # noqa: SIM115
    server.start()

    acknowledged: list[str] = []
    failed = 0
    lock = threading.Lock()
    counter = iter(range(args.requests))
    kill_every = max(1, args.requests // (args.kills + 1))
    kills = 0
    started = time.monotonic()

    def client() -> None:
        nonlocal failed
        for seed in counter:
            # While the server is down nothing listens: wait for it, as a citizen would retry.
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            code = file_one(base, ids["unit"], ids["components"], seed)
            with lock:
                if code:
                    acknowledged.append(code)
                else:
                    failed += 1

    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.05)
        with lock:
            done = len(acknowledged) + failed
        if kills < args.kills and done >= kill_every * (kills + 1):
            server.kill()  # mid-flight: other threads' requests are in the server right now
            kills += 1
            time.sleep(0.5)
            server.start()
    elapsed = time.monotonic() - started
    server.kill()

    (work / "acknowledged.json").write_text(json.dumps(acknowledged))
    result = json.loads(
        manage({**env, "CRASH_ACKNOWLEDGED": str(work / "acknowledged.json")}, CHECK)
    )
    summary = {
        "requests": args.requests,
        "kills": kills,
        "acknowledged": len(acknowledged),
        "not_acknowledged": failed,
        "duplicate_acknowledged": len(acknowledged) - len(set(acknowledged)),
        "seconds": round(elapsed, 1),
        "database": "postgresql" if args.database_url else "sqlite",
        **{k: (len(v) if isinstance(v, list | dict) else v) for k, v in result.items()},
    }
    print(json.dumps(summary, ensure_ascii=False))
    ok = (
        not result["lost"]
        and not result["incomplete"]
        and not result["code_gaps_or_duplicates"]
        and summary["duplicate_acknowledged"] == 0
        and result["chains_intact"]
        and result["rows_differing_from_log"] == 0
        and result["orphan_files"] == 0
        and result["staged_left"] == 0
        and result["documents_without_file"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
