"""Liveness and readiness for load balancers and orchestrators: `/healthz` says the process
answers; `/readyz` says it can serve, i.e. the database answers too (503 with a retry hint when it
does not, so a balancer waits instead of showing errors)."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse(
            {
                "status": "unavailable",
                "code": "database_unavailable",
                "message": "Cơ sở dữ liệu chưa sẵn sàng; vui lòng thử lại sau ít phút.",
            },
            status=503,
        )
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ready"})
