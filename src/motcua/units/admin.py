"""Units and staff roles in Django's admin: a door like the others — saves go through
units.services (the tree's paths, mergers, change records)."""

from contextvars import ContextVar
from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

from motcua.core import timeutil
from motcua.core.admin import ChangeHistoryMixin
from motcua.units.models import Membership, Unit, UnitSuccession
from motcua.units.services import (
    membership_grant,
    membership_revoke,
    membership_update,
    staff_account_save,
    unit_merge,
    unit_upsert,
)


@admin.register(Unit)
class UnitAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "agency_id",
        "parent",
        "valid_from",
        "valid_to",
        "successor",
    )
    list_filter = ("level",)
    search_fields = ("code", "name", "short_name", "agency_id")
    autocomplete_fields = ("parent", "successor")
    readonly_fields = ("path", "depth")

    def save_model(self, request, obj, form, change):
        stored_successor = (
            Unit.objects.filter(pk=obj.pk).values_list("successor", flat=True).first()
        )
        unit, _ = unit_upsert(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            short_name=obj.short_name,
            agency_id=obj.agency_id,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            actor=request.user,
        )
        if obj.successor_id and obj.successor_id != stored_successor:
            # A successor is a merger: the unit's last day is the "valid to" given (or today);
            # the successor takes over the next day.
            last_day = obj.valid_to or timeutil.now().date()
            unit_merge(
                unit=unit,
                successor=obj.successor,
                on=last_day + timedelta(days=1),
                actor=request.user,
            )
        obj.pk = unit.pk

    def has_delete_permission(self, request, obj=None):
        return False  # dossiers and history refer to it: merge it or end its validity


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    """Read-only: successions are written by unit_merge, unit_split and unit_reorganise."""

    list_display = ("predecessor", "successor", "effective_on", "kind", "decision")
    list_filter = ("kind", "effective_on")
    search_fields = ("predecessor__name", "successor__name", "predecessor__code", "decision")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = ("user", "unit", "role", "title", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("unit",)

    def get_readonly_fields(self, request, obj=None):
        # A role is granted anew rather than moved: who held what, where, stays in the records.
        fixed = ("user", "unit", "role") if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change):
        if change:
            membership_update(
                membership=obj, title=obj.title, active=obj.active, actor=request.user
            )
        else:
            obj.pk = membership_grant(
                user=obj.user, unit=obj.unit, role=obj.role, title=obj.title, actor=request.user
            ).pk

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, actor=request.user)


admin.site.unregister(get_user_model())


# Who is changing a password on the admin's password page: Django's view builds the form without
# the request, so the admin sets this around it (a context variable: one per thread or task).
_password_actor: ContextVar = ContextVar("motcua_admin_password_actor", default=None)


class StaffPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" page, saving through the service that records the change
    (that it changed, never the value)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        if commit:
            staff_account_save(user=user, actor=_password_actor.get())
        return user


@admin.register(get_user_model())
class StaffAccountAdmin(ChangeHistoryMixin, UserAdmin):
    """Django's account pages (passwords hashed as usual), saving through the service that records
    the change — the password page too."""

    change_password_form = StaffPasswordForm

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def save_model(self, request, obj, form, change):
        staff_account_save(user=obj, actor=request.user)
