"""Every error the API answers has its one shape, including those made before or around the
handlers (Django's CSRF refusal, ninja's "method not allowed", a body too large to read): an
error answer under /api/ without `code` and `message` is rewritten to them, status kept."""

import json

from django.http import JsonResponse

# The API's one upload (multipart): a result PDF to verify.
VERIFY_PATH = "/api/v1/results/verify"

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
        if request.method == "POST" and request.path == VERIFY_PATH:
            # The verification page's streaming cap, in place before anything parses the body.
            from motcua.digitization.views import VerifyUploadHandler

            request.upload_handlers.insert(0, VerifyUploadHandler(request))
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
