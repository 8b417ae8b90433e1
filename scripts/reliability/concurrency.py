#!/usr/bin/env python3
"""Concurrency run: 50 parallel conflicting actions on one dossier, through the API (system token)
and through the officers' pages, with the version all of them saw and with a version each read
just before acting; exactly one wins each time.

    .venv/bin/python scripts/reliability/concurrency.py [--parallel 50] [--workers 4] \
        [--database-url postgres://…/empty_database]

A fresh database (SQLite in a temporary folder unless --database-url names an empty PostgreSQL
database) gets two communes, one procedure, an officer (desk and processing roles, password login)
and a write token with the same roles; `motcua serve` runs with `--workers` gunicorn workers. Four
rounds, each on a dossier of its own:

- `api/same_version`: `--parallel` clients POST `forward` or `request_supplement` (half each) with
  the `expected_version` they all read: one 200, every other 409 `stale_version`;
- `api/fresh_read`: each client GETs the dossier and at once POSTs `withdraw` or `stop` (half
  each: both end it) with the version it just read — no client holds a version of its own; the
  row lock decides: one 200, every other 409 (`stale_version` when it read before the winner
  committed, the state's refusal `invalid_transition` when after);
- `pages/same_version` and `pages/fresh_read`: the same through the officer pages (logged in,
  CSRF, the action forms with the hidden version): one "done" message; every other page shows the
  Vietnamese "Hồ sơ vừa được người khác cập nhật…" (or, having loaded after the winner, the
  state's refusal "Không thể … khi hồ sơ ở trạng thái …").

Then in the database: each dossier has exactly one event more than before the round; every row
equals its replayed log (`events rebuild`) and the hash chains verify (`audit verify`). Prints one
JSON summary line; exits 1 when a check fails. docs/reliability.md "Concurrency" has the figures."""

import argparse
import html
import http.cookiejar
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash import MOTCUA, SEED, Server, free_port, manage, scratch_environment

PASSWORD = "mat-khau-tranh-chap-2026"
STALE = "Hồ sơ vừa được người khác cập nhật"
REFUSED_BY_STATE = "Không thể "

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from motcua.api.services import system_token_create
from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.dossiers.services import Applicant, ReceivedComponent
from motcua.units.models import Role, Unit
from motcua.units.services import membership_grant
unit = Unit.objects.get(code="11143")
officer = get_user_model().objects.create_user("canbo.tiendong", password="{PASSWORD}")
for role in (Role.DESK_OFFICER, Role.PROCESSOR):
    membership_grant(user=officer, unit=unit, role=role)
_, token = system_token_create(name="Thử tranh chấp", unit=unit, scope="write",
                               roles=[Role.DESK_OFFICER, Role.PROCESSOR])
procedure = Procedure.objects.get(code="1.001193")
components = [ReceivedComponent(c.name, component=c) for c in procedure.components.all()]
rounds = {{}}
for door in ("api", "pages"):
    for mode in ("same_version", "fresh_read"):
        d = services.dossier_receive(actor=officer, unit=unit, procedure=procedure,
                                     applicant=Applicant(name="Trần Thị Tranh Chấp"),
                                     components=components)
        if mode == "fresh_read":  # processing (state 4): withdraw and stop both end it
            d = services.dossier_forward(actor=officer, dossier=d)
        rounds[f"{{door}}/{{mode}}"] = {{"code": d.code, "events": d.last_event_seq}}
print(json.dumps({{"token": token, "officer": officer.username, "rounds": rounds}}))
"""

CHECK = """
import json, os
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import dossiers_projection_rebuild
rounds = json.loads(os.environ["CONCURRENCY_ROUNDS"])
events = {name: Dossier.objects.get(code=r["code"]).events.count() for name, r in rounds.items()}
rebuild = dossiers_projection_rebuild()
audit = audit_verify()
print(json.dumps({"events": events, "rows_differing_from_log": len(rebuild.differing),
                  "chains_intact": audit.intact}))
"""

# Conflicting actions per mode: (API slug, page slug, inputs).
ACTIONS = {
    "same_version": [
        ("forward", "chuyen-xu-ly", {"note": "Chuyển xử lý"}),
        ("request_supplement", "yeu-cau-bo-sung", {"content": "Thiếu giấy chứng sinh bản chính"}),
    ],
    "fresh_read": [
        ("withdraw", "rut-ho-so", {"reason": "Công dân xin rút hồ sơ"}),
        ("stop", "dung-xu-ly", {"reason": "Dừng xử lý theo đề nghị"}),
    ],
}
VERSION_FIELD = re.compile(r'name="expected_version" value="(\d+)"')
MESSAGE = re.compile(r'<p class="message message-(\w+)"[^>]*>(.*?)</p>', re.S)


def _json(response) -> dict:
    try:
        return json.loads(response.read() or b"{}")
    except ValueError:
        return {}


def api_call(base: str, token: str, code: str, mode: str, index: int, version: int, gate):
    action, _, inputs = ACTIONS[mode][index % 2]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    gate.wait()
    if mode == "fresh_read":  # no version of its own: read it now, act at once
        read = urllib.request.Request(f"{base}/api/v1/dossiers/{code}", headers=headers)
        version = _json(urllib.request.urlopen(read, timeout=60))["version"]
    body = json.dumps({"expected_version": version, **inputs}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/dossiers/{code}/actions/{action}", data=body, headers=headers
    )
    try:
        response = urllib.request.urlopen(request, timeout=60)
        return {"status": response.status, "code": ""}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "code": _json(error).get("code", "")}


class Officer:
    """One browser: a session of its own (cookies, CSRF token)."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.get("/dang-nhap/")
        page = self.post("/dang-nhap/", {"username": username, "password": PASSWORD})
        if "dang-xuat" not in page:
            raise SystemExit("the officer could not log in")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path: str, fields: dict) -> str:
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **fields}).encode()
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        return self.opener.open(request, timeout=60).read().decode()  # follows the redirect


def page_call(officer: Officer, code: str, mode: str, index: int, version: int, gate):
    _, slug, inputs = ACTIONS[mode][index % 2]
    gate.wait()
    if mode == "fresh_read":
        found = VERSION_FIELD.search(officer.get(f"/ho-so/{code}/"))
        # No action form on the page any more (the winner ended it): post what was known.
        version = int(found.group(1)) if found else version
    page = officer.post(f"/ho-so/{code}/thao-tac/{slug}/", {"expected_version": version, **inputs})
    shown = [(level, html.unescape(text).strip()) for level, text in MESSAGE.findall(page)]
    if any(level == "success" for level, _ in shown):
        return {"status": "won", "message": ""}
    errors = [text for level, text in shown if level == "error"]
    if any(STALE in text for text in errors):
        return {"status": "stale", "message": ""}
    if any(text.startswith(REFUSED_BY_STATE) for text in errors):
        return {"status": "refused_by_state", "message": ""}
    return {"status": "other", "message": " | ".join(errors)[:200]}


def run_parallel(count: int, call) -> list[dict]:
    results: list[dict] = [{} for _ in range(count)]

    def one(index: int) -> None:
        try:
            results[index] = call(index)
        except Exception as error:  # a dropped connection, a 5xx page: counted as a failure
            results[index] = {"status": "error", "code": f"{type(error).__name__}: {error}"[:200]}

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parallel", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()

    work, env = scratch_environment(prefix="motcua-concurrency-", database_url=args.database_url)
    subprocess.run([MOTCUA, "migrate", "-v0"], env=env, check=True)
    manage(env, SEED)
    setup = json.loads(manage(env, SETUP))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port, args.workers, open(work / "server.log", "ab"))  # noqa: SIM115
    server.start()
    started = time.monotonic()
    rounds: dict[str, dict] = {}
    try:
        for name, dossier in setup["rounds"].items():
            door, mode = name.split("/")
            code, version = dossier["code"], dossier["events"]
            gate = threading.Barrier(args.parallel, timeout=300)
            if door == "api":
                results = run_parallel(
                    args.parallel,
                    lambda i, c=code, m=mode, v=version, g=gate: api_call(
                        base, setup["token"], c, m, i, v, g
                    ),
                )
                outcome = {
                    "won": sum(r["status"] == 200 for r in results),
                    "conflict_409": sum(r["status"] == 409 for r in results),
                    "codes_409": sorted({r["code"] for r in results if r["status"] == 409}),
                    "other": [r for r in results if r["status"] not in (200, 409)][:5],
                }
            else:
                officers = [Officer(base, setup["officer"]) for _ in range(args.parallel)]
                results = run_parallel(
                    args.parallel,
                    lambda i, c=code, m=mode, v=version, g=gate, o=officers: page_call(
                        o[i], c, m, i, v, g
                    ),
                )
                outcome = {
                    "won": sum(r["status"] == "won" for r in results),
                    "someone_else_acted": sum(r["status"] == "stale" for r in results),
                    "refused_by_state": sum(r["status"] == "refused_by_state" for r in results),
                    "other": [
                        r
                        for r in results
                        if r["status"] not in ("won", "stale", "refused_by_state")
                    ][:5],
                }
            rounds[name] = outcome
    finally:
        server.kill()
    elapsed = time.monotonic() - started

    check = json.loads(manage({**env, "CONCURRENCY_ROUNDS": json.dumps(setup["rounds"])}, CHECK))
    one_event_each = {
        name: check["events"][name] - dossier["events"] for name, dossier in setup["rounds"].items()
    }
    failures = []
    for name, outcome in rounds.items():
        losers = args.parallel - 1
        if outcome["won"] != 1:
            failures.append(f"{name}: {outcome['won']} won")
        if outcome["other"]:
            failures.append(f"{name}: unexpected answers")
        if name == "api/same_version" and outcome["codes_409"] != ["stale_version"]:
            failures.append(f"{name}: 409 codes {outcome['codes_409']}")
        if name.startswith("api/") and outcome["conflict_409"] != losers:
            failures.append(f"{name}: {outcome['conflict_409']} × 409 of {losers}")
        if name == "api/fresh_read" and not set(outcome["codes_409"]) <= {
            "stale_version",
            "invalid_transition",
        }:
            failures.append(f"{name}: 409 codes {outcome['codes_409']}")
        if name == "pages/same_version" and outcome["someone_else_acted"] != losers:
            failures.append(f"{name}: {outcome['someone_else_acted']} stale messages")
        if name == "pages/fresh_read" and (
            outcome["someone_else_acted"] + outcome["refused_by_state"] != losers
        ):
            failures.append(f"{name}: refusals do not add up")
        if one_event_each[name] != 1:
            failures.append(f"{name}: {one_event_each[name]} events appended")
    if check["rows_differing_from_log"]:
        failures.append("rows differ from their log")
    if not check["chains_intact"]:
        failures.append("a hash chain is broken")
    summary = {
        "parallel": args.parallel,
        "workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "rounds": rounds,
        "events_appended": one_event_each,
        "rows_differing_from_log": check["rows_differing_from_log"],
        "chains_intact": check["chains_intact"],
        "seconds": round(elapsed, 1),
        "failures": failures,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
