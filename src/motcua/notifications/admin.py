"""Administrators edit the message templates here; every write goes through
notifications.services (placeholders checked, who changed it recorded). Templates are neither
added nor deleted: there is one per kind and channel, and "reset" restores the shipped text."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError
from motcua.notifications import services
from motcua.notifications.defaults import PLACEHOLDERS
from motcua.notifications.models import MessageTemplate, Notification, NotificationAttempt


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("subject", "body", "enabled")

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["subject"], cleaned["body"] = services.message_template_validate(
                channel=self.instance.channel,
                kind=self.instance.kind,
                subject=cleaned.get("subject") or "",
                body=cleaned.get("body") or "",
            )
        except DomainError as exc:
            field = "subject" if exc.code.startswith("template_subject") else "body"
            self.add_error(field, exc.message)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("kind", "channel", "enabled", "updated_at", "updated_by")
    list_filter = ("channel", "enabled")
    readonly_fields = ("kind", "channel", "placeholders", "updated_at", "updated_by")
    fields = ("kind", "channel", "subject", "body", "enabled", "placeholders")
    actions = ["reset_to_default"]

    @admin.display(description=_("trường dữ liệu dùng được"))
    def placeholders(self, obj):
        return "; ".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS.items())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.message_template_save(
            kind=obj.kind,
            channel=obj.channel,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            enabled=form.cleaned_data["enabled"],
            actor=request.user,
        )

    @admin.action(description=_("Khôi phục nội dung mặc định"), permissions=["change"])
    def reset_to_default(self, request, queryset):
        count = services.message_templates_reset(templates=list(queryset), actor=request.user)
        self.message_user(request, f"Đã khôi phục {count} mẫu thông báo.", messages.SUCCESS)


class NotificationAttemptInline(admin.TabularInline):
    model = NotificationAttempt
    fields = ("number", "at", "outcome", "error", "provider_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom (masked) and how each attempt went."""

    list_display = ("created_at", "dossier", "kind", "channel", "address_masked", "status")
    list_filter = ("status", "channel", "kind")
    search_fields = ("dossier__code", "reference")
    fields = (
        "dossier",
        "reference",
        "kind",
        "channel",
        "address_masked",
        "subject",
        "body",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    inlines = [NotificationAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
