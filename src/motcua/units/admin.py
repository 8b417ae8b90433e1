from django.contrib import admin

from motcua.units.models import Membership, Unit
from motcua.units.services import unit_upsert


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "agency_id", "parent", "valid_to", "successor")
    list_filter = ("level",)
    search_fields = ("code", "name", "short_name", "agency_id")
    autocomplete_fields = ("parent", "successor")
    readonly_fields = ("path", "depth")

    def save_model(self, request, obj, form, change):
        # Through the service, so the materialized path of the unit and its subtree stays right.
        unit, _ = unit_upsert(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            short_name=obj.short_name,
            agency_id=obj.agency_id,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )
        if obj.successor_id != unit.successor_id:
            unit.successor_id = obj.successor_id
            unit.save(update_fields=["successor"])
        obj.pk = unit.pk


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "title", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("unit",)
