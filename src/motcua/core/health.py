"""Liveness and readiness for load balancers and orchestrators: `/healthz` says the process
answers; `/readyz` says it can serve, i.e. the database answers too (503 with a retry hint when it
does not, so a balancer waits instead of showing errors).

`DatabaseUnavailableMiddleware` does the same for every request that meets a lost database (a
restart, a fail-over): 503 with `Retry-After` instead of a 500, JSON with the API's error shape
under /api/ and a Vietnamese page elsewhere; the broken connection is dropped, so the next request
reconnects by itself."""

import contextlib
import logging

from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
)
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from motcua.core.replica import figures_database

logger = logging.getLogger("motcua.health")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = {
    "code": "database_unavailable",
    "message": "Cơ sở dữ liệu chưa sẵn sàng; vui lòng thử lại sau ít phút.",
}


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def _answers(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[alias].close()  # broken: the next request opens a new one
        return False
    return True


@require_safe
def readyz(request):
    if not _answers(DEFAULT_DB_ALIAS):
        response = JsonResponse({"status": "unavailable", **UNAVAILABLE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    figures = figures_database()
    if figures == DEFAULT_DB_ALIAS:
        return JsonResponse({"status": "ready"})
    # A lost replica stops only the figures' pages (503 there); everything else is served, so
    # the process stays in the balancer — "degraded" tells the monitoring.
    if _answers(figures):
        return JsonResponse({"status": "ready", "replica": "ok"})
    logger.warning("replica unavailable: the figures' pages answer 503")
    return JsonResponse({"status": "degraded", "replica": "unavailable"})


def database_lost(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached (not a query the database refused)."""
    # Django's OperationalError covers a lost server, a refused connection and SQLite's "database
    # is locked": all pass once the database is back, and none is the request's fault.
    return isinstance(error, OperationalError | InterfaceError)


def unavailable_response(request, error: BaseException | None = None) -> HttpResponse:
    """503 + Retry-After for a request that met a lost database; drops the broken connection (it
    stays broken: the next request opens a new one)."""
    if error is not None:
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, error)
        with contextlib.suppress(DatabaseError):
            connection.close()
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(UNAVAILABLE, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=vi><meta charset=utf-8><title>Tạm gián đoạn</title>"
            f"<h1>Hệ thống tạm gián đoạn</h1><p>{UNAVAILABLE['message']}</p></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database into 503 + Retry-After (views, templates rendered late, and the
    middleware below this one: session and user loads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as error:  # raised past Django's own handling
            return unavailable_response(request, error)

    def process_exception(self, request, exception):
        if database_lost(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request):
    """Django's handler500: a lost database met outside a view (the session or user loaded by a
    middleware) is a 503 too; anything else Django's own 500 page."""
    import sys

    from django.views import defaults

    error = sys.exc_info()[1]
    if error is not None and database_lost(error):
        return unavailable_response(request, error)
    return defaults.server_error(request)
