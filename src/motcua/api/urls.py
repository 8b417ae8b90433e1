from django.http import JsonResponse
from django.urls import path, re_path

from motcua.api.views import api


def not_found(request, rest: str = ""):
    # Outside ninja's routes the API still answers in its one error shape, never Django's HTML.
    return JsonResponse(
        {"code": "not_found", "message": "Không có địa chỉ này trong API.", "field": None},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [path("", api.urls), re_path(r"^(?P<rest>.*)$", not_found)]
