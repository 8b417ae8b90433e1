"""Personal data removed before a feedback and its answer are published on the portal: the
sender's name, phone numbers, e-mail addresses and ID numbers (9 or 12 digits), each replaced by
a mark. The officer may shorten the text further; the service redacts whatever is published."""

import re

MARK = "[đã ẩn]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers and ID numbers: runs of 9 digits or more, spaces, dots and dashes allowed inside.
_DIGITS = re.compile(r"(?<!\w)\+?\d(?:[ .-]?\d){8,}(?!\w)")


def redact(text: str, *, names: list[str] = ()) -> str:
    text = _EMAIL.sub(MARK, text or "")
    text = _DIGITS.sub(MARK, text)
    for name in names:
        name = " ".join((name or "").split())
        if len(name) >= 2:
            pattern = r"\s+".join(re.escape(part) for part in name.split())
            text = re.sub(pattern, MARK, text, flags=re.IGNORECASE)
    return text.strip()
