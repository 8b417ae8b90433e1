#!/usr/bin/env python3
"""Load run: a mixed crowd of officers, citizens and one other system against `motcua serve`.

    .venv/bin/python scripts/reliability/load.py --database-url postgres://…/empty_database \\
        [--users 50] [--seconds 60] [--workers 4] [--threads 1] [--spawn-rate 20] [--think 0]
        [--dossiers 600]

A fresh database (the empty PostgreSQL database given, or SQLite in a temporary folder for a
small development run) is migrated and filled with the demo data set (`motcua demo`: today's and
the old tree, 102 staff, `--dossiers` dossiers played through the real services); a read token is
made for the API (`motcua tokens create`). `motcua serve` runs with `--workers` (and `--threads`)
in its own process group. Locust (headless, through its Python API) starts `--users` users at
`--spawn-rate` a second, each logging in once as a demo officer of its kind, and counts requests
only once every user is running (logins are not the load). The users, by weight:

- desk officers: open the intake form, file a dossier with a PDF per component, see the receipt,
  open the new dossier and forward it to processing (a lifecycle action through the page);
- processors and leaders: the inbox, then one dossier of it;
- supervisors: the dashboard (rates, trend, Decision 766 scorecard) and the rankings;
- citizens: the portal's home, catalogue, a procedure's page, and a tracking lookup of a real
  dossier (code + phone) that leads to its page;
- a system with a token: the API's dossier list, a dossier, the procedures.

Each user waits a random 0…2×`--think` seconds between tasks. Any answer other than the expected
one (a 4xx/5xx, a refused action, a form sent back with errors) counts as an error. Prints one JSON
line — requests, errors, requests/s, p50/p95/p99 in ms, overall and per kind — and exits 1 when a
request failed. docs/reliability.md ("Load") has the method and figures."""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

MOTCUA = str(Path(sys.executable).with_name("motcua"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash import Server, free_port, manage, scratch_environment  # noqa: E402

PASSWORD = "motcua-demo-2024"
CODE = re.compile(r"\b\d{3}\.[0-9A-Z.]+-\d{6}-\d{4,}\b")  # agency id-YYMMDD-number
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# What the users need to know of the data set, read once before the run.
FACTS = """
import json
from django.contrib.auth import get_user_model
from motcua.catalog.models import Procedure
from motcua.desk.selectors import desk_procedures, desk_units
from motcua.dossiers.models import Dossier
from motcua.units.models import Membership
User = get_user_model()
def holders(role, prefix):
    return sorted(set(Membership.objects.filter(role=role, active=True, unit__valid_to__isnull=True,
        user__username__startswith=prefix).values_list("user__username", flat=True)))
desk = []
for name in holders("desk_officer", "tiepnhan."):
    user = User.objects.get(username=name)
    for unit in desk_units(user=user)[:1]:
        procedures = [p.code for p in desk_procedures(unit=unit) if p.components.exists()][:6]
        if procedures:
            desk.append({"username": name, "unit": unit.code, "procedures": procedures})
lookups = list(Dossier.objects.exclude(applicant_phone="").order_by("-id")
               .values_list("code", "applicant_phone")[:300])
print(json.dumps({
    "desk": desk,
    "officers": holders("processor", "chuyenvien."),  # leaders: an empty inbox
    "supervisors": holders("supervisor", "giamsat."),
    "procedures": list(Procedure.objects.order_by("code").values_list("code", flat=True)),
    "lookups": lookups,
}))
"""


def pdf(text: str) -> bytes:
    from motcua.bench.files import tiny_pdf

    return tiny_pdf(text)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "motcua" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def user_classes(facts: dict, token: str, think: float, ready: list):
    """The locust users (imported here: locust patches the standard library with gevent)."""
    from locust import FastHttpUser, between, task

    scan = pdf("Giay to")
    wait = between(0, 2 * think) if think > 0 else (lambda self: 0)

    class Base(FastHttpUser):
        abstract = True
        wait_time = wait
        insecure = True

        def expect(self, response, kind: str, *, text: str | None = None, status=200):
            """Mark the answer failed unless it has the status (and the text) expected."""
            if response.status_code != status:
                response.failure(f"{kind}: HTTP {response.status_code}")
            elif text is not None and text not in (response.text or ""):
                response.failure(f"{kind}: unexpected page")
                if os.environ.get("MOTCUA_LOAD_DUMP"):  # the page, to see why
                    Path(os.environ["MOTCUA_LOAD_DUMP"], f"{kind}.html").write_text(
                        response.text or ""
                    )
            elif "message-error" in (response.text or ""):
                response.failure(f"{kind}: refused")
            else:
                response.success()

        def csrf(self, page: str) -> str:
            found = CSRF.search(page or "")
            return found.group(1) if found else ""

        def on_start(self):
            ready.append(self)  # counted: this user is logged in and about to run its tasks

        def login(self, username: str) -> None:
            page = self.client.get("/dang-nhap/", name="login").text
            with self.client.post(
                "/dang-nhap/",
                data={
                    "csrfmiddlewaretoken": self.csrf(page),
                    "username": username,
                    "password": PASSWORD,
                },
                headers={"Referer": self.host + "/dang-nhap/"},
                name="login",
                catch_response=True,
            ) as r:
                # A good login ends on the officer's home page, not the form again.
                self.expect(r, "login")
                if 'name="password"' in (r.text or ""):
                    r.failure(f"login refused for {username}")

    class DeskOfficer(Base):
        weight = 2

        def on_start(self):
            self.me = random.choice(facts["desk"])
            self.login(self.me["username"])
            super().on_start()

        @task
        def intake_and_forward(self):
            procedure = random.choice(self.me["procedures"])
            url = f"/tiep-nhan/{self.me['unit']}/{procedure}/"
            with self.client.get(url, name="desk_form", catch_response=True) as r:
                self.expect(r, "desk_form")
                page = r.text or ""
            if not self.csrf(page):
                return  # the form did not come (counted above): nothing to send
            components = sorted(set(re.findall(r'name="c(\d+)_received"', page)))
            fields = {
                "csrfmiddlewaretoken": self.csrf(page),
                "action": "submit",
                "applicant_name": "Nguyễn Văn Tải",
                "applicant_id_number": f"0010{random.randrange(10**8):08d}",
                "applicant_phone": f"09{random.randrange(10**8):08d}",
                "applicant_address": "Thôn Đông",
                "channel": "1",
                "summary": "Hồ sơ của lượt chạy tải",
                "missing_components_reason": "Lượt chạy tải",
            }
            processing = re.search(
                r'name="processing_unit"[^>]*>.*?<option value="([^"]+)"[^>]*selected', page, re.S
            ) or re.search(r'name="processing_unit"[^>]*>.*?<option value="([^"]+)"', page, re.S)
            if processing:
                fields["processing_unit"] = processing.group(1)
            if 'name="fee_collected"' in page:
                fields["fee_collected"] = "on"
            files = {}
            for pk in components:
                fields[f"c{pk}_received"] = "on"
                files[f"c{pk}_file"] = (f"thanh-phan-{pk}.pdf", scan)
            body, boundary = multipart(fields, files)
            with self.client.post(
                url,
                data=body,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Referer": self.host + url,
                },
                name="desk_intake",
                catch_response=True,
            ) as r:
                self.expect(r, "desk_intake", text="Đã tiếp nhận hồ sơ")
                found = CODE.search(r.text or "")
            if not found:
                return
            code = found.group(0)
            with self.client.get(f"/ho-so/{code}/", name="dossier_page", catch_response=True) as r:
                self.expect(r, "dossier_page")
                page = r.text or ""
            action = f"/ho-so/{code}/thao-tac/chuyen-xu-ly/"
            if action not in page:
                return  # this procedure's first step is not the desk's to forward
            at = page.index(action)
            version = re.search(r'name="expected_version" value="(\d+)"', page[at:])
            with self.client.post(
                action,
                data={
                    "csrfmiddlewaretoken": self.csrf(page[at:]),
                    "expected_version": version.group(1) if version else "0",
                    "note": "Chuyển xử lý (lượt chạy tải)",
                },
                headers={"Referer": self.host + f"/ho-so/{code}/"},
                name="action_forward",
                catch_response=True,
            ) as r:
                self.expect(r, "action_forward", text="Đã chuyển hồ sơ")

    class Officer(Base):
        weight = 3

        def on_start(self):
            self.login(random.choice(facts["officers"]))
            super().on_start()

        @task
        def inbox_and_dossier(self):
            with self.client.get("/ho-so/", name="inbox", catch_response=True) as r:
                self.expect(r, "inbox")
                codes = CODE.findall(r.text or "")
            if codes:
                code = random.choice(codes)
                with self.client.get(
                    f"/ho-so/{code}/", name="dossier_page", catch_response=True
                ) as r:
                    self.expect(r, "dossier_page")

    class Supervisor(Base):
        weight = 1

        def on_start(self):
            self.login(random.choice(facts["supervisors"]))
            super().on_start()

        @task(3)
        def dashboard(self):
            with self.client.get("/giam-sat/", name="dashboard", catch_response=True) as r:
                self.expect(r, "dashboard")

        @task(1)
        def rankings(self):
            with self.client.get("/giam-sat/xep-hang/", name="rankings", catch_response=True) as r:
                self.expect(r, "rankings")

    class Citizen(Base):
        weight = 4

        @task(1)
        def home(self):
            with self.client.get("/cong-dich-vu/", name="portal_home", catch_response=True) as r:
                self.expect(r, "portal_home")

        @task(2)
        def catalogue(self):
            with self.client.get(
                "/cong-dich-vu/thu-tuc/", name="portal_catalogue", catch_response=True
            ) as r:
                self.expect(r, "portal_catalogue")

        @task(3)
        def procedure(self):
            code = random.choice(facts["procedures"])
            with self.client.get(
                f"/cong-dich-vu/thu-tuc/{code}/", name="portal_procedure", catch_response=True
            ) as r:
                self.expect(r, "portal_procedure")

        @task(2)
        def lookup(self):
            code, phone = random.choice(facts["lookups"])
            page = self.client.get("/cong-dich-vu/tra-cuu/", name="portal_lookup_form").text
            if not self.csrf(page):
                return  # the form did not come (counted as that request's error)
            with self.client.post(
                "/cong-dich-vu/tra-cuu/",
                data={"csrfmiddlewaretoken": self.csrf(page), "code": code, "contact": phone},
                headers={"Referer": self.host + "/cong-dich-vu/tra-cuu/"},
                name="portal_lookup",
                catch_response=True,
            ) as r:
                # Found: redirected to the dossier's page, which shows its code.
                self.expect(r, "portal_lookup", text=code)

    class System(Base):
        weight = 2

        def on_start(self):
            self.headers = {"Authorization": f"Bearer {token}"}
            super().on_start()

        @task(3)
        def dossiers(self):
            with self.client.get(
                "/api/v1/dossiers?limit=20",
                headers=self.headers,
                name="api_list",
                catch_response=True,
            ) as r:
                self.expect(r, "api_list")
                try:
                    items = r.json()["items"]
                except (ValueError, KeyError, TypeError):
                    items = []
            if items:
                code = random.choice(items)["code"]
                with self.client.get(
                    f"/api/v1/dossiers/{code}",
                    headers=self.headers,
                    name="api_dossier",
                    catch_response=True,
                ) as r:
                    self.expect(r, "api_dossier")

        @task(1)
        def procedures(self):
            with self.client.get(
                "/api/v1/procedures",
                headers=self.headers,
                name="api_procedures",
                catch_response=True,
            ) as r:
                self.expect(r, "api_procedures")

    return [DeskOfficer, Officer, Supervisor, Citizen, System]


def percentiles(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "p50_ms": round(entry.get_response_time_percentile(0.50) or 0),
        "p95_ms": round(entry.get_response_time_percentile(0.95) or 0),
        "p99_ms": round(entry.get_response_time_percentile(0.99) or 0),
    }


def run_load(base: str, facts: dict, token: str, args) -> dict:
    import gevent
    from locust.env import Environment

    ready: list = []
    classes = user_classes(facts, token, args.think, ready)
    environment = Environment(user_classes=classes, host=base)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    # Logins hash a password (about 0.3 s of CPU each): they are the start, not the load.
    deadline = time.monotonic() + args.users / args.spawn_rate + 300
    while len(ready) < args.users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    environment.stats.reset_all()  # what is measured: every user running, logged in
    started = time.monotonic()
    gevent.sleep(args.seconds)
    elapsed = time.monotonic() - started
    total = environment.stats.total
    summary = {**percentiles(total), "seconds": round(elapsed, 1)}
    summary["requests_per_second"] = round(total.num_requests / elapsed, 1)
    summary["by_kind"] = {
        name: percentiles(entry)
        for (name, _method), entry in sorted(environment.stats.entries.items())
        if entry.num_requests
    }
    summary["failures"] = {
        f"{e.name}: {e.error}": e.occurrences for e in environment.stats.errors.values()
    }
    runner.quit()
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (gthread)")
    parser.add_argument("--keepalive", type=int, help="motcua serve --keepalive (seconds)")
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="users started a second")
    parser.add_argument("--think", type=float, default=0.0, help="mean wait between tasks, s")
    parser.add_argument("--dossiers", type=int, default=600, help="dossiers of the demo data")
    parser.add_argument("--cache-url", help="MOTCUA_CACHE_URL for the server (default: its own)")
    args = parser.parse_args()

    work, env = scratch_environment(
        prefix="motcua-load-",
        database_url=args.database_url,
        # Demo officers log in with their password alone (./dev demo does the same).
        MOTCUA_TWO_FACTOR="false",
        # Nothing may leave this machine: messages go to the log, payments to nobody.
        MOTCUA_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    if args.cache_url:
        env["MOTCUA_CACHE_URL"] = args.cache_url
    started = time.monotonic()
    subprocess.run(
        [MOTCUA, "demo", "--dossiers", str(args.dossiers)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    facts = json.loads(manage(env, FACTS))
    token = json.loads(
        subprocess.run(
            [
                MOTCUA,
                "tokens",
                "create",
                "--name",
                f"load-{os.urandom(4).hex()}",  # a database may serve several runs
                "--unit",
                "31",
                "--scope",
                "read",
                "--json",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["token"]
    setup_seconds = time.monotonic() - started
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = ("--threads", str(args.threads)) if args.threads else ()
    if args.keepalive is not None:
        extra = (*extra, "--keepalive", str(args.keepalive))
    log = open(work / "server.log", "ab")  # noqa: SIM115
    server = Server(env, port, args.workers, log, extra)
    server.start()
    try:
        summary = run_load(base, facts, token, args)
    finally:
        server.kill()
    summary = {
        "users": args.users,
        "workers": args.workers,
        "threads": args.threads,
        "keepalive": args.keepalive,
        "think_seconds": args.think,
        "database": "postgresql" if args.database_url else "sqlite",
        "dossiers_loaded": args.dossiers,
        "setup_seconds": round(setup_seconds, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        **summary,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["requests"] > 0 and summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
