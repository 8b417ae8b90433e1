"""Refuse NUL characters at the door, on every page and API call.

PostgreSQL cannot store U+0000 in text, so a NUL that reaches a query or a save fails deep inside
as a server error. No field of this system has a use for it: a request carrying one (in the path,
the query string, a form or a JSON body) is answered 400 before any view runs. Multipart bodies
(uploads) are not read here: parsing them is the view's (its upload handlers and size caps), and
their text fields go through forms, whose text fields refuse NUL themselves."""

from django.http import HttpResponse, JsonResponse

MESSAGE = "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL)."


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in value for values in request.GET.lists() for value in values[1]):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        return False
    if content_type == "application/x-www-form-urlencoded":
        return any("\x00" in value for _, values in request.POST.lists() for value in values)
    body = request.body
    return b"\x00" in body or b"\\u0000" in body


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            hostile = _has_nul(request)
        except Exception:  # an unreadable body: leave it to the view's own refusal
            hostile = False
        if hostile:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "nul_character", "message": MESSAGE, "field": None},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
