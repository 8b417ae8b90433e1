"""Writes of the API app: system tokens (create, revoke, authenticate and log each use)."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.api.models import IdempotentRequest, SystemToken, TokenScope, TokenUse
from motcua.core import timeutil
from motcua.core.errors import NotFound, ValidationFailed
from motcua.units.models import Membership, Role, Unit
from motcua.units.services import membership_grant, membership_update

audit = logging.getLogger("motcua.audit")

TOKEN_PREFIX = "mc_"
# Roles a read token holds: a supervisor sees the subtree's dossiers and figures and takes no action.
READ_ROLES = (Role.SUPERVISOR,)
WRITE_DEFAULT_ROLES = (Role.DESK_OFFICER,)


def _hash(raw: str) -> str:
    # The key is 32 random bytes: a plain SHA-256 cannot be searched backwards, and is fast to check.
    return hashlib.sha256(raw.encode()).hexdigest()


def system_token_create(
    *,
    name: str,
    unit: Unit,
    scope: str,
    roles: list[str] | None = None,
    actor=None,
) -> tuple[SystemToken, str]:
    """A token for the system `name` in `unit`'s subtree; returns it with the key, shown only once.

    A read token holds the supervisor role (it reads dossiers and figures, takes no action); a write
    token holds `roles` (the desk officer's by default), which decide its actions as an officer's
    do."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed(
            "Tên hệ thống bắt buộc, tối đa 100 ký tự.", code="token_name_invalid"
        )
    if scope not in TokenScope.values:
        raise ValidationFailed(
            "Phạm vi phải là read (chỉ đọc) hoặc write (đọc và ghi).", code="token_scope_invalid"
        )
    if scope == TokenScope.READ:
        if roles and set(roles) - set(READ_ROLES):
            raise ValidationFailed(
                "Khóa chỉ đọc không mang vai trò xử lý.", code="token_roles_read_only"
            )
        roles = list(READ_ROLES)
    else:
        roles = list(dict.fromkeys(roles or WRITE_DEFAULT_ROLES))
    for role in roles:
        if role not in Role.values:
            raise ValidationFailed(f"Vai trò không hợp lệ: {role!r}.", code="role_invalid")
    if SystemToken.objects.filter(name=name).exists():
        raise ValidationFailed(f"Đã có khóa của hệ thống “{name}”.", code="token_name_taken")
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secret}"
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=f"system.{prefix}", first_name=f"Hệ thống {name}"[:150]
        )  # no password: the account cannot log in to the pages
        for role in roles:
            membership_grant(user=user, unit=unit, role=role, title="Hệ thống", actor=actor)
        token = SystemToken.objects.create(
            name=name,
            user=user,
            unit=unit,
            scope=scope,
            roles=",".join(roles),
            prefix=prefix,
            key_hash=_hash(raw),
        )
    audit.info("action=token_create token=%s unit=%s scope=%s", token.pk, unit.code, scope)
    return token, raw


def system_token_revoke(*, token: SystemToken, actor=None) -> SystemToken:
    """The key stops working at once: its account and roles are switched off, nothing deleted (the
    events it wrote keep their actor)."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        for membership in Membership.objects.filter(user=token.user, active=True):
            membership_update(
                membership=membership, title=membership.title, active=False, actor=actor
            )
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
        token.revoked_at = timeutil.now()
        token.save(update_fields=["revoked_at"])
    audit.info("action=token_revoke token=%s", token.pk)
    return token


def system_token_get(*, ref: str) -> SystemToken:
    """A token by its id or its system's name."""
    query = SystemToken.objects.select_related("unit", "user")
    token = (query.filter(pk=int(ref)).first() if ref.isdigit() else None) or query.filter(
        name=ref
    ).first()
    if token is None:
        raise NotFound(f"Không có khóa hệ thống “{ref}”.", code="token_not_found")
    return token


def system_token_find(*, raw: str) -> SystemToken | None:
    """The active token of key `raw`, or None (unknown, wrong or revoked key)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        SystemToken.objects.select_related("user", "unit")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)):
        return None
    return token


def system_token_authenticate(
    *, raw: str, method: str, path: str, remote_addr: str = ""
) -> SystemToken | None:
    """The active token of key `raw`, with this use recorded; None for an unknown or revoked key."""
    token = system_token_find(raw=raw)
    if token is None:
        audit.warning("action=token_refused path=%s", path[:255])
        return None
    now = timeutil.now()
    TokenUse.objects.create(
        token=token, method=method[:8], path=path[:255], remote_addr=remote_addr[:45]
    )
    # One hot row per token: refresh "last used" at most once a minute (each use is in TokenUse).
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        SystemToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit.info("action=token_use token=%s method=%s path=%s", token.pk, method, path[:255])
    return token


def idempotent_requests_sweep(*, now=None) -> int:
    """Forget the first answers to Idempotency-Keys older than MOTCUA_IDEMPOTENCY_KEEP_DAYS (a
    daily job): a client retries within minutes, not weeks, and each kept answer holds a body.
    Returns how many were forgotten. 0 days keeps them all."""
    from django.conf import settings

    days = settings.MOTCUA_IDEMPOTENCY_KEEP_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timeutil.now()) - timedelta(days=days)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
