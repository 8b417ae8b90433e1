"""Writes to the unit tree and staff assignments."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q

from motcua.core.audit import change_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.units.models import (
    Membership,
    Role,
    SuccessionKind,
    Unit,
    UnitLevel,
    UnitSuccession,
)
from motcua.units.reorganisation import Reorganisation
from motcua.units.selectors import unit_get_by_code, unit_is_current, unit_predecessors
from motcua.units.signals import unit_moved

ADMINISTRATIVE_PREFIXES = (
    "UBND",
    "Ủy ban nhân dân",
    "thị trấn",
    "phường",
    "xã",
    "huyện",
    "quận",
    "thị xã",
    "thành phố",
    "tỉnh",
    "đặc khu",
)


UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "level",
    "agency_id",
    "parent",
    "valid_from",
    "valid_to",
    "successor",
)


def unit_derive_short_name(*, name: str) -> str:
    """Drop administrative prefixes: "UBND xã Tiên Động" → "Tiên Động"."""
    remaining = name.strip()
    changed = True
    while changed:
        changed = False
        for prefix in ADMINISTRATIVE_PREFIXES:
            if remaining.lower().startswith(prefix.lower() + " "):
                remaining = remaining[len(prefix) + 1 :].strip()
                changed = True
    return remaining or name


def _path_for(*, code: str, parent: Unit | None, valid_from: date | None, pk: int | None) -> str:
    """The unit's materialized path. A code reused under the same parent (a commune re-created
    with its old statistics code) gets a dated segment, so every unit keeps a path of its own."""
    base = parent.path if parent is not None else "/"
    path = f"{base}{code}/"
    if Unit.objects.filter(path=path).exclude(pk=pk).exists():
        if valid_from is None:
            raise ValidationFailed(
                f"Mã {code} đã có đơn vị cùng cấp trên; đơn vị mới phải có ngày hiệu lực.",
                code="unit_code_validity_overlap",
            )
        path = f"{base}{code}~{valid_from:%Y%m%d}/"
    return path


def _overlapping_q(*, valid_from: date | None, valid_to: date | None) -> Q:
    """Units whose validity shares a day with [valid_from, valid_to] (None = unbounded)."""
    query = Q()
    if valid_from is not None:
        query &= Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        query &= Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to)
    return query


def _refuse_overlap(*, code: str, valid_from, valid_to, pk: int | None) -> None:
    clash = (
        Unit.objects.filter(code=code)
        .filter(_overlapping_q(valid_from=valid_from, valid_to=valid_to))
        .exclude(pk=pk)
        .first()
    )
    if clash is not None:
        raise ValidationFailed(
            f"Mã đơn vị {code} đã dùng cho «{clash.name}» trong thời gian hiệu lực này "
            f"({_validity_text(clash)}); một mã chỉ thuộc một đơn vị tại mỗi ngày.",
            code="unit_code_validity_overlap",
        )


def _validity_text(unit: Unit) -> str:
    start = f"{unit.valid_from:%d/%m/%Y}" if unit.valid_from else "…"
    end = f"{unit.valid_to:%d/%m/%Y}" if unit.valid_to else "nay"
    return f"{start} – {end}"


def _unit_with_code(*, code: str, valid_from, valid_to) -> Unit | None:
    """The unit an upsert addresses: the one with this code whose validity meets the one given.
    Two candidates means the caller must say which (dates) — never guess."""
    candidates = list(
        Unit.objects.select_for_update()
        .filter(code=code)
        .filter(_overlapping_q(valid_from=valid_from, valid_to=valid_to))
        .order_by("pk")[:2]
    )
    if len(candidates) > 1:
        raise ValidationFailed(
            f"Mã đơn vị {code} thuộc nhiều đơn vị ở các thời kỳ khác nhau; hãy ghi rõ ngày hiệu lực.",
            code="unit_code_ambiguous",
        )
    return candidates[0] if candidates else None


@transaction.atomic
def unit_upsert(
    *,
    code: str,
    name: str,
    level: str,
    parent: Unit | None = None,
    short_name: str = "",
    agency_id: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    actor=None,
) -> tuple[Unit, bool]:
    """Create or update a unit by code and validity; returns (unit, created). The unit addressed
    is the one bearing `code` during [valid_from, valid_to]; none → a new unit. Moving a unit
    re-paths its subtree. The change is recorded (who, when, before and after)."""
    if level not in UnitLevel.values:
        raise ValidationFailed(f"Cấp đơn vị không hợp lệ: {level!r}.", code="unit_level_invalid")
    if not code or "/" in code or "~" in code or "@" in code:
        raise ValidationFailed(
            "Mã đơn vị không được trống và không chứa các ký tự '/', '~', '@'.",
            code="unit_code_invalid",
        )
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", code="unit_validity_invalid"
        )
    unit = _unit_with_code(code=code, valid_from=valid_from, valid_to=valid_to)
    if parent is not None and unit is not None and parent.path.startswith(unit.path):
        raise ValidationFailed("Đơn vị không thể là cấp trên của chính nó.", code="unit_cycle")
    pk = unit.pk if unit is not None else None
    _refuse_overlap(code=code, valid_from=valid_from, valid_to=valid_to, pk=pk)
    path = _path_for(code=code, parent=parent, valid_from=valid_from, pk=pk)
    values = {
        "name": name,
        "level": level,
        "parent": parent,
        # The column holds 128 characters; a long official name must not fail on PostgreSQL and be
        # silently kept whole by SQLite.
        "short_name": (short_name or unit_derive_short_name(name=name))[:128],
        "agency_id": agency_id,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "path": path,
        "depth": path.count("/") - 2,
    }
    if unit is None:
        unit = Unit.objects.create(code=code, **values)
        change_record(actor=actor, instance=unit, before={}, after=snapshot(unit, UNIT_FIELDS))
        return unit, True
    before = snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    for field, value in values.items():
        setattr(unit, field, value)
    unit.save()
    if old_path != path:
        for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            descendant.path = path + descendant.path[len(old_path) :]
            descendant.depth = descendant.path.count("/") - 2
            descendant.save(update_fields=["path", "depth"])
        unit_moved.send(sender=Unit, unit=unit, old_path=old_path)
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit, False


def _end_validity(*, unit: Unit, on: date) -> None:
    """End `unit` the day before `on` (the day its successor takes over)."""
    last_day = on - timedelta(days=1)
    if unit.valid_from is not None and unit.valid_from > last_day:
        raise ValidationFailed(
            f"«{unit.name}» bắt đầu hiệu lực từ {unit.valid_from:%d/%m/%Y}, "
            f"không thể kết thúc trước ngày {on:%d/%m/%Y}.",
            code="unit_reorganisation_date_invalid",
        )
    if unit.valid_to is not None and unit.valid_to < last_day:
        raise ValidationFailed(
            f"«{unit.name}» đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}.",
            code="unit_not_current",
        )
    unit.valid_to = last_day


def _refuse_successor(*, unit: Unit, successor: Unit, on: date) -> None:
    if successor.pk == unit.pk:
        raise ValidationFailed(
            "Đơn vị kế thừa phải khác đơn vị bị sáp nhập.", code="unit_merge_self"
        )
    # A cycle: the successor itself once passed its tasks (directly or not) to this unit.
    if successor.pk in {u.pk for u in unit_predecessors(unit=unit)}:
        raise ValidationFailed(
            "Đơn vị kế thừa đã được sáp nhập vào chính đơn vị này.", code="unit_merge_cycle"
        )
    if successor.valid_to is not None and successor.valid_to < on:
        raise ValidationFailed(
            f"Đơn vị kế thừa «{successor.name}» đã hết hiệu lực trước ngày {on:%d/%m/%Y}.",
            code="unit_successor_not_current",
        )


@transaction.atomic
def unit_merge(*, unit: Unit, successor: Unit, on: date, decision: str = "", actor=None) -> Unit:
    """Record that `unit` was merged into `successor`, which takes over on `on`: the unit's last
    day is the day before. Its dossiers keep pointing at it; its figures can be shown with the
    successor's (`unit_predecessors`)."""
    # Lock the row; the caller's instance is updated in place (it may be holding it).
    stored = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.valid_from, unit.valid_to = stored.valid_from, stored.valid_to
    _refuse_successor(unit=unit, successor=successor, on=on)
    before = snapshot(unit, UNIT_FIELDS)
    _end_validity(unit=unit, on=on)
    unit.successor = successor
    unit.save(update_fields=["successor", "valid_to"])
    UnitSuccession.objects.create(
        predecessor=unit,
        successor=successor,
        effective_on=on,
        kind=SuccessionKind.MERGE,
        decision=decision,
    )
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_split(
    *, unit: Unit, successors: list[Unit], on: date, decision: str = "", actor=None
) -> Unit:
    """Record that `unit` was divided among `successors` (two or more), which take over on `on`.
    Its whole history is the predecessor history of each successor."""
    # Lock the row; the caller's instance is updated in place (it may be holding it).
    stored = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.valid_from, unit.valid_to = stored.valid_from, stored.valid_to
    if len({s.pk for s in successors}) < 2:
        raise ValidationFailed(
            "Chia tách cần ít nhất hai đơn vị kế thừa.", code="unit_split_successors"
        )
    for successor in successors:
        _refuse_successor(unit=unit, successor=successor, on=on)
    before = snapshot(unit, UNIT_FIELDS)
    _end_validity(unit=unit, on=on)
    unit.successor = None  # no single successor: the succession rows name them all
    unit.save(update_fields=["successor", "valid_to"])
    for successor in successors:
        UnitSuccession.objects.create(
            predecessor=unit,
            successor=successor,
            effective_on=on,
            kind=SuccessionKind.SPLIT,
            decision=decision,
        )
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_end(*, unit: Unit, on: date, decision: str = "", actor=None) -> Unit:
    """End a unit without a successor (a district abolished, its tasks spread over the province
    and its communes): its last day is the day before `on`."""
    # Lock the row; the caller's instance is updated in place (it may be holding it).
    stored = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.valid_from, unit.valid_to = stored.valid_from, stored.valid_to
    before = snapshot(unit, UNIT_FIELDS)
    _end_validity(unit=unit, on=on)
    unit.save(update_fields=["valid_to"])
    change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


# --- reorganisation: one decision, applied whole -----------------------------------------


@dataclass
class ReorganisationResult:
    applied: bool
    changes: list[str] = dataclass_field(default_factory=list)


def unit_reorganise(
    *, reorganisation: Reorganisation, apply: bool = False, actor=None
) -> ReorganisationResult:
    """Apply a reorganisation: every change or none. Without `apply`, the same checks and writes
    run and are rolled back, so a dry run reports exactly what applying would do."""
    result = ReorganisationResult(applied=apply)
    with transaction.atomic():
        _apply(reorganisation, result.changes, actor)
        if not apply:
            transaction.set_rollback(True)
    return result


def _apply(plan: Reorganisation, changes: list[str], actor) -> None:
    on = plan.effective_on
    last_day = on - timedelta(days=1)

    def ending(code: str, *, ended_here: bool = False) -> Unit:
        unit = unit_get_by_code(code=code, on=last_day)
        if unit is None or not unit_is_current(unit=unit, on=last_day):
            raise ValidationFailed(
                f"Không có đơn vị mã {code} còn hiệu lực ngày {last_day:%d/%m/%Y}.",
                code="unit_not_found",
            )
        # Still current on `on`, or already ending the day before (its end recorded ahead of the
        # decision, e.g. a tree loaded as history): both are ended by this decision.
        if not ended_here and not unit_is_current(unit=unit, on=on) and unit.valid_to != last_day:
            raise ValidationFailed(
                f"«{unit.name}» (mã {code}) đã kết thúc hiệu lực ngày {unit.valid_to:%d/%m/%Y}.",
                code="unit_not_current",
            )
        return unit

    def taking_over(code: str) -> Unit:
        unit = unit_get_by_code(code=code, on=on)
        if unit is None or not unit_is_current(unit=unit, on=on):
            raise ValidationFailed(
                f"Không có đơn vị mã {code} có hiệu lực ngày {on:%d/%m/%Y}.",
                code="unit_not_found",
            )
        return unit

    # 1. Resolve every unit that ends before anything changes, then end them: a reused code is
    #    free for its new unit only once the old one has ended.
    ended: dict[int, Unit] = {}
    for units, _into in plan.merge:
        for code in units:
            unit = ending(code)
            ended[unit.pk] = unit
    for code, _into in plan.split:
        unit = ending(code)
        ended[unit.pk] = unit
    for code in plan.end:
        unit = ending(code)
        ended[unit.pk] = unit
    for unit in ended.values():
        before = snapshot(unit, UNIT_FIELDS)
        _end_validity(unit=unit, on=on)
        unit.save(update_fields=["valid_to"])
        change_record(actor=actor, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
        changes.append(f"Kết thúc hiệu lực ngày {last_day:%d/%m/%Y}: {unit.code} {unit.name}")

    # 2. New units, in the file's order (a parent may be created just above its children).
    for spec in plan.create:
        parent = taking_over(spec.parent) if spec.parent else None
        unit, created = unit_upsert(
            code=spec.code,
            name=spec.name,
            level=spec.level,
            parent=parent,
            short_name=spec.short_name,
            agency_id=spec.agency_id,
            valid_from=on,
            actor=actor,
        )
        if not created:
            raise ValidationFailed(
                f"Đơn vị mã {spec.code} đã có hiệu lực ngày {on:%d/%m/%Y}: «{unit.name}».",
                code="unit_code_validity_overlap",
            )
        under = f" (thuộc {parent.code} {parent.name})" if parent else ""
        changes.append(f"Thành lập từ ngày {on:%d/%m/%Y}: {unit.code} {unit.name}{under}")

    # 3. Who took over from whom.
    def succeed(unit: Unit, successors: list[Unit], kind: str) -> None:
        for successor in successors:
            _refuse_successor(unit=unit, successor=successor, on=on)
            if UnitSuccession.objects.filter(predecessor=unit, successor=successor).exists():
                raise ValidationFailed(
                    f"Đã ghi nhận «{successor.name}» kế thừa «{unit.name}»; "
                    "quyết định này có thể đã được áp dụng.",
                    code="unit_succession_exists",
                )
            UnitSuccession.objects.create(
                predecessor=unit,
                successor=successor,
                effective_on=on,
                kind=kind,
                decision=plan.decision,
            )
        unit.successor = successors[0] if kind == SuccessionKind.MERGE else None
        unit.save(update_fields=["successor"])

    for units, into in plan.merge:
        successor = taking_over(into)
        for code in units:
            unit = ending(code, ended_here=True)
            succeed(unit, [successor], SuccessionKind.MERGE)
            changes.append(f"Sáp nhập: {unit.code} {unit.name} → {successor.code} {successor.name}")
    for code, into in plan.split:
        unit = ending(code, ended_here=True)
        successors = [taking_over(c) for c in into]
        if len({s.pk for s in successors}) < 2:
            raise ValidationFailed(
                f"Chia tách {code}: cần ít nhất hai đơn vị kế thừa.", code="unit_split_successors"
            )
        succeed(unit, successors, SuccessionKind.SPLIT)
        names = ", ".join(f"{s.code} {s.name}" for s in successors)
        changes.append(f"Chia tách: {unit.code} {unit.name} → {names}")

    # 4. No unit may outlive its parent: a current unit under an ended one would be unreachable.
    orphans = [
        u.name
        for u in Unit.objects.filter(parent_id__in=list(ended)).select_related("parent")
        if unit_is_current(unit=u, on=on)
    ]
    if orphans:
        raise ValidationFailed(
            "Các đơn vị sau vẫn còn hiệu lực nhưng đơn vị cấp trên đã kết thúc: "
            + ", ".join(sorted(orphans))
            + ". Hãy sáp nhập, kết thúc hoặc chuyển chúng trong cùng quyết định.",
            code="unit_parent_ended",
        )


MEMBERSHIP_FIELDS = ("user", "unit", "role", "title", "active")


@transaction.atomic
def membership_grant(*, user, unit: Unit, role: str, title: str = "", actor=None) -> Membership:
    if role not in Role.values:
        raise ValidationFailed(f"Vai trò không hợp lệ: {role!r}.", code="role_invalid")
    stored = Membership.objects.filter(user=user, unit=unit, role=role).first()
    before = snapshot(stored, MEMBERSHIP_FIELDS)
    membership, _ = Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"title": title, "active": True}
    )
    change_record(
        actor=actor,
        instance=membership,
        before=before,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, title: str, active: bool, actor=None
) -> Membership:
    """Change a role's title, or suspend it (an inactive role grants nothing) or give it back."""
    before = snapshot(Membership.objects.get(pk=membership.pk), MEMBERSHIP_FIELDS)
    membership.title, membership.active = title, active
    membership.save(update_fields=["title", "active"])
    change_record(
        actor=actor,
        instance=membership,
        before=before,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    change_record(
        actor=actor,
        instance=membership,
        before=snapshot(membership, MEMBERSHIP_FIELDS),
        after={},
        action="deleted",
    )
    membership.delete()


ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


@transaction.atomic
def staff_account_save(*, user, actor=None):
    """Save a staff account (the admin's door), recording what changed — never the password itself,
    only that it changed."""
    model = user._meta.model  # a request's user is a lazy object: its type is not the model
    stored = model.objects.filter(pk=user.pk).first() if user.pk else None
    before = snapshot(stored, ACCOUNT_FIELDS)
    if stored is not None:
        before["password"] = "…"
    user.save()
    after = snapshot(user, ACCOUNT_FIELDS)
    if stored is not None:
        after["password"] = "…" if stored.password == user.password else "đã đổi"
    change_record(actor=actor, instance=user, before=before, after=after)
    return user


@transaction.atomic
def staff_password_change(
    *, user, current_password: str, new_password: str, new_password_again: str
):
    """An officer changes their own password: the current one first (the page counts a wrong one
    as a failed login of the account, so it is no way around the login's lock), then the new one
    twice, under the deployment's password rules (AUTH_PASSWORD_VALIDATORS). Recorded like any
    account change — that it changed, never what."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    if not user.check_password(current_password or ""):
        raise ValidationFailed(
            "Mật khẩu hiện tại không đúng.",
            code="password_current_wrong",
            details={"field": "current_password"},
        )
    if not new_password:
        raise ValidationFailed(
            "Chưa nhập mật khẩu mới.", code="password_required", details={"field": "new_password"}
        )
    if new_password != new_password_again:
        raise ValidationFailed(
            "Hai lần nhập mật khẩu mới không khớp.",
            code="password_mismatch",
            details={"field": "new_password_again"},
        )
    if new_password == current_password:
        raise ValidationFailed(
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            code="password_unchanged",
            details={"field": "new_password"},
        )
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as error:
        raise ValidationFailed(
            " ".join(error.messages), code="password_weak", details={"field": "new_password"}
        ) from None
    user.set_password(new_password)
    return staff_account_save(user=user, actor=user)
