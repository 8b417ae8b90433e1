"""The two benchmarks: `scorecard` (Issue 3) and `pages` (Issue 4). Each returns a JSON-ready dict."""

import random
import time
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client

from motcua.bench import baseline
from motcua.bench.generate import PROVINCE_CODE, Options
from motcua.bench.measure import (
    load_average,
    machine,
    peak_child_rss_mb,
    peak_rss_mb,
    rss_mb,
    summary,
    timings,
)
from motcua.dossiers.models import OPEN_STATES, Dossier
from motcua.indicators.selectors import rates_with_children
from motcua.scorecard.selectors import scorecard_compute
from motcua.units.models import Role, Unit
from motcua.units.services import membership_grant

COUNTER_VERSION = "portal-2024"


class AnswersDiffer(AssertionError):
    """The counters and the naive queries disagree: a bug, never a benchmark result."""


def _check(name: str, counters: dict, naive: dict) -> None:
    if counters != naive:
        wrong = {k: (counters.get(k), naive.get(k)) for k in set(counters) | set(naive)}
        wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
        raise AnswersDiffer(f"{name}: counters ≠ naive for {wrong}")


def scorecard_bench(*, options: Options, reps: int, baseline_reps: int) -> dict:
    province = Unit.objects.get(code=PROVINCE_CODE)
    start, end = date(options.end_year, 1, 1), date(options.end_year, 12, 31)

    def card():
        # The counter-based version: the benchmark measures the counters against plain queries
        # (qd766 counts querysets itself, docs/scorecard.md "Cost").
        return scorecard_compute(unit=province, start=start, end=end, version=COUNTER_VERSION)

    def rates():
        return rates_with_children(unit=province, start=start, end=end)

    answers = baseline.scorecard_answers(card())
    formulas = {
        i["key"]: i["formula"]
        for g in card()["groups"]
        for i in g["indicators"]
        if i["key"] in answers
    }

    def naive_card():
        return baseline.baseline_scorecard(unit=province, start=start, end=end, formulas=formulas)

    def naive_rates():
        return baseline.baseline_rates_with_children(unit=province, start=start, end=end)

    # Equal answers first: a fast wrong answer is no result.
    _check("scorecard", answers, naive_card())
    _check("rates_with_children", baseline.rates_answers(rates()), naive_rates())

    load_before = load_average()
    scorecard = timings(card, reps=reps)
    rates_t = timings(rates, reps=reps)
    naive_scorecard = timings(naive_card, reps=baseline_reps, warmup=0)
    naive_rates_t = timings(naive_rates, reps=baseline_reps, warmup=0)
    return {
        "period": [start.isoformat(), end.isoformat()],
        "checked_indicators": sorted(answers),
        "scorecard": scorecard,
        "baseline_scorecard": naive_scorecard,
        "rates_with_children": rates_t,
        "baseline_rates_with_children": naive_rates_t,
        "rates_ratio": round(naive_rates_t["p95_ms"] / rates_t["p95_ms"], 1),
        "load_average": {"before": load_before, "after": load_average()},
    }


def table_sizes() -> dict:
    from motcua.dossiers.models import DossierEvent
    from motcua.indicators.models import DailyCounter, ProcedureUse, RollupCounter

    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "daily_counters": DailyCounter.objects.count(),
        "rollup_counters": RollupCounter.objects.count(),
        "procedure_use": ProcedureUse.objects.count(),
    }


def pages_bench(*, reps: int, seed: int = 1) -> dict:
    """Server time of the officer pages through Django's test client (no network, no browser)."""
    busiest = (
        Dossier.objects.filter(state__in=OPEN_STATES, current_unit__level="commune")
        .values("current_unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    commune = Unit.objects.get(pk=busiest["current_unit_id"])
    user, _ = get_user_model().objects.get_or_create(
        username="bench_desk", defaults={"first_name": "Cán bộ", "last_name": "một cửa"}
    )
    membership_grant(user=user, unit=commune, role=Role.DESK_OFFICER)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def get(url: str):
        def call():
            response = client.get(url)
            if response.status_code != 200:
                raise AssertionError(f"GET {url} → {response.status_code}")
            return response

        return call

    def search(term: str) -> dict:
        client.post("/ho-so/", {"q": term})  # kept in the session, out of the URL
        result = timings(get("/ho-so/"), reps=reps)
        client.post("/ho-so/", {"clear": "1"})
        return result

    rng = random.Random(seed)
    open_ids = list(
        Dossier.objects.filter(current_unit=commune, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = Dossier.objects.get(pk=rng.choice(open_ids))
    filed = Dossier.objects.filter(unit=commune).order_by("pk").values_list("code", flat=True)
    total = filed.count()
    codes = [filed[rng.randrange(total)] for _ in range(reps)]
    client.get(f"/ho-so/{codes[0]}/")  # warm-up
    detail = []
    for code in codes:
        t = time.perf_counter()
        response = client.get(f"/ho-so/{code}/")
        detail.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"GET dossier {code} → {response.status_code}")
    return {
        "commune": {"code": commune.code, "open_dossiers": len(open_ids), "filed_dossiers": total},
        "inbox_first_page": timings(get("/ho-so/"), reps=reps),
        "inbox_second_page": timings(get("/ho-so/?page=2"), reps=reps),
        "inbox_filtered_state_channel": timings(get("/ho-so/?state=4&channel=1"), reps=reps),
        "inbox_filtered_overdue": timings(get("/ho-so/?overdue=1"), reps=reps),
        "inbox_search_code": search(sample.code[:-2]),
        "inbox_search_name": search(sample.applicant_name),
        "dossier_page": summary(detail),
        "rss_mb": rss_mb(),
    }


def report(*, options: Options, database: str, prepared: dict, results: dict, kind: str) -> dict:
    details = {
        "kind": kind,
        "options": options.__dict__,
        "prepare": prepared,
        "results": results,
        "tables": table_sizes(),
        "peak_rss_mb": peak_rss_mb(),
        "peak_writer_rss_mb": peak_child_rss_mb(),
        "machine": machine(),
        "vendor": connection.vendor,
    }
    return {"dossiers": options.dossiers, "database": database, "details": details}
