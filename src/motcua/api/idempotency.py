"""`Idempotency-Key` on every POST of the API: a client that lost the answer sends the request again
with the same key and gets the first answer (status and body), without the action happening twice;
the same key with another body, or for another path, is refused (422 `idempotency_key_reused`).

A middleware, so every POST handler has it without opting in. The key belongs to the caller (the
officer's account or the system token's), and the first answer is stored in the same transaction
as the handler's writes: either both are kept or neither. Two requests with one key at once: the
second waits on the key's unique index and then replays the first's answer."""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from motcua.api.auth import READ_ONLY_POSTS
from motcua.api.models import IdempotentRequest
from motcua.api.services import system_token_find

HEADER = "Idempotency-Key"
# Answers not worth keeping: the caller was not recognised or the server failed; a retry with the
# same key must then really run.
NOT_KEPT = {401, 403}
# POSTs that change nothing (READ_ONLY_POSTS, a file sent to be checked): a repeat simply runs
# again and answers the same, so their key is accepted and not recorded — nor their body read
# whole into memory.


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "field": HEADER},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _caller(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = system_token_find(raw=header[7:].strip())
        return token.user if token is not None else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if (
            request.method != "POST"
            or key is None
            or not request.path.startswith("/api/")
            or request.path in READ_ONLY_POSTS
        ):
            return self.get_response(request)
        if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
            return _error(
                400, "idempotency_key_invalid", "Idempotency-Key phải là 1–255 ký tự ASCII."
            )
        user = _caller(request)
        if user is None:
            return self.get_response(request)  # the API answers 401 itself
        body_hash = hashlib.sha256(request.body).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path[:255],
                        body_hash=body_hash,
                        status=0,
                        content_type="",
                        body=b"",
                    )
            except IntegrityError:
                row = IdempotentRequest.objects.get(user=user, key=key)
                if row.body_hash != body_hash or row.path != request.path[:255]:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        "Idempotency-Key này đã dùng cho một yêu cầu khác.",
                    )
                return _replay(row)
            response = self.get_response(request)
            if (
                response.status_code >= 500
                or response.status_code in NOT_KEPT
                or response.streaming
            ):
                transaction.set_rollback(True)
                return response
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "application/json")
            row.body = response.content
            row.save(update_fields=["status", "content_type", "body"])
            return response
