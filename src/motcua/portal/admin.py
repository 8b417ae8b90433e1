from django.contrib import admin

from motcua.portal.models import Feedback, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "score", "created_at")
    list_filter = ("score",)
    raw_id_fields = ("dossier",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("reference", "name", "unit", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "content")
