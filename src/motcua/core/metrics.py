"""Prometheus metrics at `/metrics` (prometheus_client, the reference client).

Per request: a counter by method, route pattern (never the raw path: dossier codes would make one
series each) and status, and a latency histogram by method and route. Under `motcua serve`'s
several gunicorn workers, each worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR
(the serve command sets it) and a scrape sums them all. At each scrape, read from the database:
whether it answers, the tasks waiting for the worker, and the age of the newest signed audit
checkpoint (an alert when the daily one is missing).

Scraping is allowed from MOTCUA_METRICS_ALLOWED_IPS (default the machine itself) or with the bearer
token MOTCUA_METRICS_TOKEN."""

import hmac
import os
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("motcua_http_requests_total", "Requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer a request",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown")


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        route = _route(request)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
        return response


class _DatabaseCollector:
    """Figures read from the database at each scrape (a few cheap queries)."""

    def collect(self):
        up = GaugeMetricFamily("motcua_database_up", "1 when the database answers")
        try:
            from django_tasks_db.models import DBTaskResult

            from motcua.dossiers.models import AuditCheckpoint

            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            up.add_metric([], 1)
            yield up
            queued = GaugeMetricFamily("motcua_tasks_ready", "Background tasks waiting to run")
            queued.add_metric([], DBTaskResult.objects.filter(status="READY").count())
            yield queued
            newest = AuditCheckpoint.objects.order_by("-at").values_list("at", flat=True).first()
            age = GaugeMetricFamily(
                "motcua_audit_checkpoint_age_seconds",
                "Seconds since the newest signed audit checkpoint (-1: none yet)",
            )
            age.add_metric([], (timezone.now() - newest).total_seconds() if newest else -1)
            yield age
        except DatabaseError:
            up.add_metric([], 0)
            yield up


def _allowed(request) -> bool:
    token = settings.MOTCUA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given, f"Bearer {token}"):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.MOTCUA_METRICS_ALLOWED_IPS


def metrics(request):
    if not _allowed(request):
        return HttpResponseForbidden("Không được phép xem số liệu giám sát.")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(_DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
