"""Read-only views for the people who answer for the money: orders, transactions (refunds due),
every callback received with its verdict, receipts. Changes go through the services only."""

from django.contrib import admin

from motcua.payments.models import PaymentOrder, PaymentTransaction, Receipt, ReceivedCallback


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnly):
    list_display = ["order_id", "dossier", "provider", "amount", "status", "created_at"]
    list_filter = ["provider", "status"]
    search_fields = ["order_id", "dossier__code"]


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnly):
    list_display = ["transaction_id", "order", "status", "amount", "recorded", "refund_due"]
    list_filter = ["provider", "status", "recorded", "refund_due"]
    search_fields = ["transaction_id", "order__order_id"]


@admin.register(ReceivedCallback)
class ReceivedCallbackAdmin(ReadOnly):
    list_display = [
        "received_at",
        "provider",
        "order_id",
        "transaction_id",
        "verdict",
        "http_status",
    ]
    list_filter = ["provider", "verdict"]
    search_fields = ["order_id", "transaction_id"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["number", "dossier", "method", "amount", "issued_at"]
    list_filter = ["method"]
    search_fields = ["number", "dossier__code"]
