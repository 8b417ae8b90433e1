"""Who calls the API: an officer's session (pages' login, CSRF checked) or a system token."""

from ninja.security import HttpBearer

from motcua.api.models import TokenScope
from motcua.api.services import system_token_authenticate
from motcua.core.errors import PermissionDenied

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# POSTs that change nothing (a file sent to be checked): a read token may make them.
READ_ONLY_POSTS = frozenset({"/api/v1/results/verify"})


class SystemTokenAuth(HttpBearer):
    """`Authorization: Bearer mc_…`. The request then acts as the token's account, so every check
    downstream is the one the pages make for an officer with the same roles."""

    openapi_description = "Khóa hệ thống (motcua tokens create)."

    def authenticate(self, request, token: str):
        system_token = system_token_authenticate(
            raw=token,
            method=request.method,
            path=request.path,
            remote_addr=request.META.get("REMOTE_ADDR", ""),
        )
        if system_token is None:
            return None
        if (
            system_token.scope == TokenScope.READ
            and request.method not in SAFE_METHODS
            and request.path not in READ_ONLY_POSTS
        ):
            raise PermissionDenied("Khóa hệ thống này chỉ được đọc.", code="token_read_only")
        request.user = system_token.user
        return system_token
