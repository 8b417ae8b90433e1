"""Every error the API answers has its one shape, including those made before or around the
handlers (Django's CSRF refusal, ninja's "method not allowed", a body too large to read): an
error answer under /api/ without `code` and `message` is rewritten to them, status kept."""

import json
import re

from django.http import JsonResponse


def _upload_handler(path: str):
    """The streaming cap of the API's uploads (multipart), by path — the same handlers as the
    pages': a result PDF to verify, a drafted result. None for every other path."""
    if path == "/api/v1/results/verify":
        from motcua.digitization.views import VerifyUploadHandler

        return VerifyUploadHandler
    if DRAFT_PATH.fullmatch(path):
        from motcua.backoffice.views import DraftUploadHandler

        return DraftUploadHandler
    return None


DRAFT_PATH = re.compile(r"/api/v1/dossiers/[^/]+/result-draft")

BY_STATUS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("not_authenticated", "Vui lòng đăng nhập."),
    403: ("permission_denied", "Bạn không có quyền thực hiện yêu cầu này."),
    404: ("not_found", "Không có địa chỉ này trong API."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn."),
    429: ("too_many_requests", "Quá nhiều yêu cầu; vui lòng thử lại sau."),
}


def _has_shape(response) -> bool:
    if "json" not in response.get("Content-Type", "") or response.streaming:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body and "message" in body


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = _upload_handler(request.path) if request.method == "POST" else None
        if handler is not None:
            # The pages' streaming cap, in place before anything parses the body.
            request.upload_handlers.insert(0, handler(request))
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if _has_shape(response):
            return response
        status = response.status_code
        code, message = BY_STATUS.get(
            status,
            ("server_error", "Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau.")
            if status >= 500
            else ("bad_request", "Yêu cầu không hợp lệ."),
        )
        shaped = JsonResponse(
            {"code": code, "message": message, "field": None},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped
