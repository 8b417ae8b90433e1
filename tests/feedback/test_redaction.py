"""What is published carries no phone number, e-mail, ID number or the sender's name, however
they are written inside the text."""

from hypothesis import given
from hypothesis import strategies as st

from motcua.feedback.redaction import MARK, redact

words = st.sampled_from(["Cán bộ", "hẹn", "ngày 12/3", "hồ sơ", "xã", "không nghe máy", "."])
separators = st.sampled_from(["", " ", ".", "-"])


@st.composite
def phones(draw) -> str:
    digits = "0" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=11)))
    sep = draw(separators)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return sep.join(groups)


@given(before=st.lists(words, max_size=4), after=st.lists(words, max_size=4), phone=phones())
def test_phone_and_id_numbers_never_survive(before, after, phone):
    text = " ".join([*before, phone, *after])
    published = redact(text)
    digits = "".join(c for c in phone if c.isdigit())
    assert digits not in "".join(c for c in published if c.isdigit())
    assert MARK in published


@given(user=st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,5})?", fullmatch=True))
def test_emails_and_the_senders_name(user):
    text = f"Tôi là Lê Thị Mai, thư {user}@example.vn, gọi lại giúp. LÊ THỊ MAI"
    published = redact(text, names=["Lê  Thị Mai"])
    assert f"{user}@example.vn" not in published
    assert "Mai" not in published and "MAI" not in published
    assert "ngày 12/3" in redact("hẹn ngày 12/3 lúc 8 giờ")  # dates and short numbers stay
