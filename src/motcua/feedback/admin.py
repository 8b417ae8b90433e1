"""Feedback is handled on the officers' pages (through feedback.services); the admin shows it and
its history read-only. Rating criteria are edited here."""

from django.contrib import admin

from motcua.feedback.models import Feedback, FeedbackEvent, Rating, RatingCriterion, RatingScore


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FeedbackEventInline(ReadOnly, admin.TabularInline):
    model = FeedbackEvent
    fields = ("seq", "kind", "at", "actor", "from_status", "to_status", "from_unit", "to_unit")
    readonly_fields = fields
    extra = 0


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("reference", "unit", "category", "status", "sent_at", "handle_due_at", "late")
    list_filter = ("status", "category", "channel", "late")
    # Search by reference number or content; the sender's contact data is not searchable here.
    search_fields = ("content",)
    # Contact data is shown only on the officers' page of the feedback (who may see it is checked).
    exclude = ("phone", "email")
    inlines = [FeedbackEventInline]


class RatingScoreInline(ReadOnly, admin.TabularInline):
    model = RatingScore
    fields = ("criterion", "score")
    readonly_fields = fields
    extra = 0


@admin.register(Rating)
class RatingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("dossier", "score", "channel", "created_at", "changes")
    list_filter = ("score", "channel")
    raw_id_fields = ("dossier",)
    inlines = [RatingScoreInline]


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "active")
    list_editable = ("position", "active")
    ordering = ("position", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # ratings keep their scores: turn a criterion off instead
