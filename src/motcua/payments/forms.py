from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.payments.models import PaymentMethod
from motcua.payments.services import DESK_METHODS


class DeskPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(m.value, m.label) for m in DESK_METHODS],
        initial=PaymentMethod.CASH,
    )
    # Integer đồng: the field refuses decimals.
    amount = forms.IntegerField(
        label=_("Số tiền (đồng)"),
        min_value=1,
        error_messages={"invalid": _("Số tiền phải là số nguyên đồng (không có phần thập phân).")},
    )
    reference = forms.CharField(
        label=_("Mã giao dịch ngân hàng hoặc số hóa đơn máy POS"), max_length=64, required=False
    )

    def __init__(self, *args, owed: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].initial = owed
        self.fields["amount"].max_value = owed or None
