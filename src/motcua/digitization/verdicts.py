"""The answer of a verification: reason codes (stable, for machines), their Vietnamese messages and
the `Verification` record. Kept apart from pyHanko (services.py), which costs over a second to
import: the page and the URLconf load this module, and pyHanko only when a file is checked."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from motcua.digitization.certificates import DEMO_NOTICE

# Reason codes: stable, for machines (the JSON output, tests, the page's styling).
VALID = "valid"
UNSIGNED = "unsigned"
MODIFIED = "modified"
MODIFIED_AFTER_SIGNING = "modified_after_signing"
UNTRUSTED = "untrusted"
CERTIFICATE_EXPIRED = "certificate_expired"
SIGNATURE_BROKEN = "signature_broken"
NOT_PDF = "not_pdf"
BROKEN = "broken"


def messages() -> dict[str, str]:
    return {
        VALID: _("Chữ ký số hợp lệ, tệp không bị thay đổi sau khi ký."),
        UNSIGNED: _("Tệp không có chữ ký số."),
        MODIFIED: _("Tệp đã bị thay đổi sau khi ký: nội dung không còn khớp với chữ ký số."),
        MODIFIED_AFTER_SIGNING: _(
            "Tệp đã bị sửa hoặc thêm nội dung sau khi ký (phần sau chữ ký không được ký)."
        ),
        UNTRUSTED: _(
            "Chữ ký số đúng về kỹ thuật nhưng chứng thư số của người ký không thuộc các đơn vị "
            "được tin cậy: đây không phải chứng thư số của đơn vị đã cấu hình."
        ),
        CERTIFICATE_EXPIRED: _(
            "Chứng thư số của người ký đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm kiểm "
            "tra; chữ ký không có dấu thời gian nên không chứng minh được đã ký khi chứng thư "
            "còn hiệu lực."
        ),
        SIGNATURE_BROKEN: _("Chữ ký số trong tệp bị hỏng, không kiểm tra được."),
        NOT_PDF: _("Tệp không phải PDF."),
        BROKEN: _("Tệp PDF bị hỏng, không đọc được."),
    }


@dataclass(frozen=True)
class Verification:
    valid: bool
    code: str
    message: str
    signer: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    signed_at: datetime | None = None
    dossier_code: str | None = None
    certificate_subject: str | None = None
    certificate_fingerprint: str | None = None
    signatures: int = 0
    demo: bool = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["signed_at"] = self.signed_at.isoformat() if self.signed_at else None
        if self.demo:
            data["notice"] = DEMO_NOTICE
        return data
