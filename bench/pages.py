"""What one request of each page of the load run costs, in-process: wall time, queries, and where
the CPU goes.

    DATABASE_URL=postgres://…/a_demo_database MOTCUA_TWO_FACTOR=false \\
        python bench/pages.py [--reps 30] [--profile PAGE] [--top 25] [--json]

The database must hold the demo data set (`motcua demo --dossiers 600`, as the load run makes).
Each page of scripts/reliability/load.py's mix is asked `--reps` times through Django's full
request handler (every middleware, sessions, templates — not the network) as the demo user of its
kind; the first answer is a warm-up and not counted. The portal's public pages are rendered each
time (core.pagecache off) unless `--page-cache` is given. `/healthz` is the baseline: every figure is
also given as a multiple of it, so runs on machines of different speed compare. With `--profile
PAGE` one page is run under cProfile and its `--top` functions by own time are printed.

Only pages that read are measured here (nothing is filed or forwarded): the load run covers writes.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")


def pages() -> dict:
    """Each page: (username or None for a citizen, or "token" for the API; URL)."""
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure
    from motcua.desk.selectors import desk_procedures, desk_units
    from motcua.dossiers.models import Dossier

    users = get_user_model().objects
    officer = users.filter(username__startswith="chuyenvien.").order_by("username").first()
    supervisor = users.filter(username__startswith="giamsat.").order_by("username").first()
    dossier = Dossier.objects.filter(current_unit__memberships__user=officer).first()
    procedure = Procedure.objects.order_by("code").first()

    # The first desk officer with a procedure that has components (the intake form's full shape).
    desk, unit, desk_procedure = next(
        (user, unit, offered)
        for user in users.filter(username__startswith="tiepnhan.").order_by("username")
        for unit in desk_units(user=user)[:1]
        for offered in desk_procedures(unit=unit)
        if offered.components.exists()
    )
    return {
        "healthz": (None, "/healthz"),
        "portal_home": (None, "/cong-dich-vu/"),
        "portal_catalogue": (None, "/cong-dich-vu/thu-tuc/"),
        "portal_procedure": (None, f"/cong-dich-vu/thu-tuc/{procedure.code}/"),
        "portal_lookup_form": (None, "/cong-dich-vu/tra-cuu/"),
        "inbox": (officer.username, "/ho-so/"),
        "dossier_page": (officer.username, f"/ho-so/{dossier.code}/"),
        "desk_form": (desk.username, f"/tiep-nhan/{unit.code}/{desk_procedure.code}/"),
        "dashboard": (supervisor.username, "/giam-sat/"),
        "rankings": (supervisor.username, "/giam-sat/xep-hang/"),
        "api_list": ("token", "/api/v1/dossiers?limit=20"),
        "api_procedures": ("token", "/api/v1/procedures"),
    }


def client_for(who, token: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    if who == "token":
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client = Client()
    if who:
        client.force_login(get_user_model().objects.get(username=who))
    return client


def measure(client, url: str, reps: int) -> dict:
    from django.db import connection

    response = client.get(url)  # warm-up: caches, compiled templates
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    times, cpu = [], []
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "queries": len(queries),
        "median_ms": round(statistics.median(times), 2),
        "cpu_ms": round(statistics.median(cpu), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--profile", help="a page's name: run it under cProfile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="serve the portal's public pages from the page cache (default: measure rendering)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not args.page_cache:
        settings.MOTCUA_PUBLIC_PAGE_CACHE_SECONDS = 0  # the work of a page, not a cache read
    from motcua.units.models import Unit

    token = token_for(unit=Unit.objects.get(code="31"))
    table = pages()
    # One of the token's own dossiers: the first of its list.
    listed = client_for("token", token).get("/api/v1/dossiers?limit=1").json()["items"]
    table["api_dossier"] = ("token", f"/api/v1/dossiers/{listed[0]['code']}")
    if args.profile:
        who, url = table[args.profile]
        client = client_for(who, token)
        measure(client, url, 1)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.reps):
            client.get(url)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        return 0
    results = {
        name: measure(client_for(who, token), url, args.reps) for name, (who, url) in table.items()
    }
    base = results["healthz"]["cpu_ms"] or 0.01
    for entry in results.values():
        entry["cpu_x_healthz"] = round(entry["cpu_ms"] / base, 1)
    if args.json:
        print(json.dumps({"reps": args.reps, "cpus": os.cpu_count(), "pages": results}))
        return 0
    print("| page | queries | median ms | CPU ms | CPU × /healthz |\n|---|---|---|---|---|")
    for name, entry in results.items():
        print(
            f"| {name} | {entry['queries']} | {entry['median_ms']} | {entry['cpu_ms']} "
            f"| {entry['cpu_x_healthz']} |"
        )
    return 0


def token_for(*, unit) -> str:
    """A fresh read token of the unit's subtree, made by the same service as `motcua tokens`."""
    from motcua.api.services import system_token_create

    return system_token_create(name=f"bench-pages-{os.urandom(4).hex()}", unit=unit, scope="read")[
        1
    ]


if __name__ == "__main__":
    sys.exit(main())
