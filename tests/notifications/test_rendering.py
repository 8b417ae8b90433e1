"""Templates, masks and phone numbers: pure functions, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.notifications.defaults import DEFAULT_TEMPLATES, PLACEHOLDERS
from motcua.notifications.models import MessageChannel, MessageKind
from motcua.notifications.rendering import (
    email_mask,
    phone_international,
    phone_mask,
    template_fields,
    template_render,
)
from motcua.notifications.sms import unaccent


def test_placeholders_are_filled_and_braces_can_be_escaped():
    text = "Hồ sơ {ma_ho_so} ({{mã}}) hẹn trả {ngay_hen_tra}"
    assert template_fields(text) == ["ma_ho_so", "ngay_hen_tra"]
    assert (
        template_render(text, {"ma_ho_so": "11143-240207-0001", "ngay_hen_tra": "15/02/2024 10:00"})
        == "Hồ sơ 11143-240207-0001 ({mã}) hẹn trả 15/02/2024 10:00"
    )


@pytest.mark.parametrize(
    "text",
    [
        "{ho_ten}",  # not offered: no names in messages
        "{so_giay_to}",
        "{ma_ho_so.__class__}",  # no attribute access
        "{ma_ho_so[0]}",
        "{ma_ho_so:>20}",  # no format specs
        "{ma_ho_so!r}",
    ],
)
def test_unknown_or_clever_fields_are_refused_in_vietnamese(text):
    with pytest.raises(ValidationFailed) as error:
        template_fields(text)
    assert error.value.code == "template_unknown_field"
    assert "không có trong danh sách" in error.value.message


@pytest.mark.parametrize("text", ["Hồ sơ {ma_ho_so", "Hồ sơ }"])
def test_unbalanced_braces_are_refused(text):
    with pytest.raises(ValidationFailed) as error:
        template_fields(text)
    assert error.value.code == "template_braces"


def test_every_kind_and_channel_has_a_valid_default():
    assert set(DEFAULT_TEMPLATES) == {(k, c) for k in MessageKind for c in MessageChannel}
    for (_kind, channel), (subject, body) in DEFAULT_TEMPLATES.items():
        used = template_fields(subject) + template_fields(body)
        assert set(used) <= set(PLACEHOLDERS)
        assert bool(subject) == (channel == MessageChannel.EMAIL)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0912345678", "84912345678"),
        ("+84 912 345 678", "84912345678"),
        ("84912345678", "84912345678"),
        ("091234567", None),  # too short
        ("12345", None),
        ("", None),
    ],
)
def test_phone_numbers_in_the_gateways_form(phone, expected):
    assert phone_international(phone) == expected


def test_masks_hide_all_but_the_ends():
    assert phone_mask("0912345678") == "091****678"
    assert email_mask("an.nguyen@example.vn") == "a********@example.vn"
    assert email_mask("a@b.vn") == "a*@b.vn"


@given(st.text(alphabet="0123456789", min_size=7, max_size=15))
def test_a_masked_phone_never_shows_its_middle(phone):
    masked = phone_mask(phone)
    assert len(masked) == len(phone)
    assert masked[3:-3] == "*" * (len(phone) - 6)


def test_unaccent_keeps_case_and_drops_marks():
    assert unaccent("Đã tiếp nhận hồ sơ. Hẹn trả") == "Da tiep nhan ho so. Hen tra"
