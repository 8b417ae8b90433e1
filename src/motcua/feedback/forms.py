"""Forms of the feedback pages (portal, kiosk, officers). Input checks only; the rules are the
services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.feedback.models import FeedbackCategory, RatingCriterion
from motcua.units.models import Unit

SCORE_CHOICES = [
    (5, _("Rất hài lòng")),
    (4, _("Hài lòng")),
    (3, _("Bình thường")),
    (2, _("Không hài lòng")),
    (1, _("Rất không hài lòng")),
]


class RatingForm(forms.Form):
    """One 1–5 choice per active criterion, and a comment."""

    comment = forms.CharField(
        label=_("Ý kiến khác (không bắt buộc)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria: list[RatingCriterion], initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        comment = self.fields.pop("comment")
        for criterion in criteria:
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.name,
                coerce=int,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                initial=(initial_scores or {}).get(criterion.code),
                error_messages={
                    "required": _("Vui lòng chọn mức độ hài lòng."),
                    "invalid_choice": _("Vui lòng chọn mức độ hài lòng từ 1 đến 5."),
                },
            )
        self.fields["comment"] = comment

    def score_fields(self):
        return [self[f"score_{c.code}"] for c in self.criteria]

    def scores(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"score_{c.code}"] for c in self.criteria}


def rating_form_for(*, criteria: list[RatingCriterion], rating=None) -> RatingForm:
    """An unbound rating form, filled in with the dossier's rating when there is one."""
    if rating is None:
        return RatingForm(criteria=criteria)
    return RatingForm(
        criteria=criteria,
        initial_scores={score.criterion.code: score.score for score in rating.scores.all()},
        initial={"comment": rating.comment},
    )


class KioskCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ (hoặc quét mã QR trên giấy tiếp nhận)"),
        max_length=300,
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )


class FeedbackLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Số phản ánh (PAKN-…)"),
        max_length=32,
        error_messages={"required": _("Vui lòng nhập số phản ánh.")},
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử đã để lại"),
        max_length=254,
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc thư điện tử.")},
    )


class VerdictForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Bạn có hài lòng với kết quả xử lý?"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Hài lòng")), ("0", _("Không hài lòng"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn.")},
    )


class TextForm(forms.Form):
    """One text box: an answer, a reason, information supplied."""

    text = forms.CharField(
        label=_("Nội dung"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng nhập nội dung.")},
    )


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Phân loại"),
        choices=FeedbackCategory.choices,
        error_messages={"required": _("Vui lòng chọn phân loại.")},
    )
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), required=False)


class ForwardForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Vui lòng chọn cơ quan.")},
    )
    text = forms.CharField(
        label=_("Lý do chuyển"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("path")


class PublishForm(forms.Form):
    content = forms.CharField(
        label=_("Nội dung phản ánh được công khai"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    answer = forms.CharField(
        label=_("Câu trả lời được công khai"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class DeskFeedbackForm(forms.Form):
    """Feedback a citizen gives at the desk (or by phone), typed in by the officer."""

    name = forms.CharField(label=_("Họ và tên người phản ánh"), max_length=255)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    unit = forms.ModelChoiceField(label=_("Cơ quan xử lý"), queryset=Unit.objects.none())
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), required=False)
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
