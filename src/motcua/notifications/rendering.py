"""Templates with `{placeholder}` fields: checked when an administrator saves one, filled when a
message is made. Only plain names from defaults.PLACEHOLDERS are allowed — no attribute or index
access, no format specs — so a template can neither reach into Python objects nor fail later."""

from string import Formatter

from motcua.core.errors import ValidationFailed
from motcua.notifications.defaults import PLACEHOLDERS


def template_fields(text: str) -> list[str]:
    """The placeholders `text` uses, in order; a clear Vietnamese error for anything else."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise ValidationFailed(
            "Mẫu thông báo có dấu ngoặc nhọn không khớp. Dùng {ten_truong} cho trường dữ liệu, "
            "{{ hoặc }} cho dấu ngoặc nhọn thường.",
            code="template_braces",
            details={"error": str(exc)},
        ) from exc
    fields = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = (
                "{"
                + name
                + ("!" + conversion if conversion else "")
                + (":" + spec if spec else "")
                + "}"
            )
            raise ValidationFailed(
                f"Trường {shown} không có trong danh sách trường dữ liệu được dùng: "
                + ", ".join("{" + key + "}" for key in PLACEHOLDERS)
                + ".",
                code="template_unknown_field",
                details={"field": name},
            )
        fields.append(name)
    return fields


def template_render(text: str, values: dict[str, str]) -> str:
    template_fields(text)
    return text.format_map({key: values.get(key, "") for key in PLACEHOLDERS})


def phone_mask(phone: str) -> str:
    """0912345678 → 091****678."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:]


def email_mask(email: str) -> str:
    """an.nguyen@example.vn → a********@example.vn."""
    local, at, domain = email.partition("@")
    if not at:
        return "*" * len(email)
    return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain


def phone_international(phone: str) -> str | None:
    """A Vietnamese phone number in the gateway's form (84 and the national number, digits only),
    or None when it is not one."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84") and (phone.strip().startswith("+") or len(digits) == 11):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if len(national) != 9:
        return None
    return "84" + national
