"""Units' signing certificates, read from the file `MOTCUA_SIGNING_CERTIFICATES` names (JSON):

    {
      "default_unit": "298",
      "ca_bundle": "ca-bundle.pem",
      "units": {
        "298": {"pkcs12": "298.p12", "passphrase_env": "MOTCUA_SIGNING_PASSPHRASE_298",
                "certificates": ["298-2023.pem"]}
      }
    }

Relative paths are relative to the file. Passphrases come only from the environment variable an
entry names; the file holds none, so it can sit beside the keys without being a secret itself. A
unit's `certificates` are trusted for verification only (its previous certificates after a
renewal, or a unit that signs on another server). `"demo": true` marks a file written by
`motcua demo`: its PKCS#12 files are self-signed and unencrypted, and everything that shows them
says so. Nothing here touches the database."""

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

DEMO_NOTICE = "chứng thư số thử nghiệm tự ký, không có giá trị pháp lý"


class SigningNotConfigured(DomainError):
    code = "signing_not_configured"


class SigningConfigInvalid(DomainError):
    code = "signing_config_invalid"


class SigningUnitUnknown(DomainError):
    code = "signing_unit_unknown"


class SigningUnitRequired(DomainError):
    code = "signing_unit_required"


class SigningKeyUnavailable(DomainError):
    code = "signing_key_unavailable"


@dataclass(frozen=True)
class UnitCertificates:
    unit_code: str
    pkcs12: Path | None
    passphrase_env: str | None
    trusted_pem: tuple[Path, ...] = ()
    demo: bool = False

    def passphrase(self) -> bytes | None:
        if self.passphrase_env is None:
            return None
        value = os.environ.get(self.passphrase_env)
        if value is None:
            raise SigningKeyUnavailable(
                _("Chưa đặt biến môi trường %(env)s chứa mật khẩu tệp khóa ký của đơn vị %(unit)s.")
                % {"env": self.passphrase_env, "unit": self.unit_code}
            )
        return value.encode()

    def key_and_certificate(self):
        """(private key, certificate, other certificates of the chain) from the PKCS#12 file."""
        if self.pkcs12 is None:
            raise SigningKeyUnavailable(
                _("Đơn vị %(unit)s chỉ có chứng thư để xác thực, không có khóa ký ở máy này.")
                % {"unit": self.unit_code}
            )
        try:
            data = self.pkcs12.read_bytes()
        except OSError as error:
            raise SigningKeyUnavailable(
                _("Không đọc được tệp khóa ký %(path)s của đơn vị %(unit)s: %(error)s")
                % {"path": self.pkcs12, "unit": self.unit_code, "error": error.strerror or error}
            ) from None
        try:
            key, certificate, others = pkcs12.load_key_and_certificates(data, self.passphrase())
        except ValueError:
            raise SigningKeyUnavailable(
                _(
                    "Không mở được tệp khóa ký %(path)s của đơn vị %(unit)s "
                    "(sai mật khẩu hoặc tệp hỏng)."
                )
                % {"path": self.pkcs12, "unit": self.unit_code}
            ) from None
        if key is None or certificate is None:
            raise SigningKeyUnavailable(
                _("Tệp %(path)s của đơn vị %(unit)s không chứa khóa ký và chứng thư số.")
                % {"path": self.pkcs12, "unit": self.unit_code}
            )
        return key, certificate, list(others)

    def trusted_certificates(self) -> list[x509.Certificate]:
        """Every certificate of this unit that verification accepts: the signing one and the
        listed PEM files."""
        found = []
        if self.pkcs12 is not None:
            found.append(self.key_and_certificate()[1])
        for path in self.trusted_pem:
            found.extend(_read_pem(path, owner=self.unit_code))
        return found


@dataclass(frozen=True)
class SigningConfig:
    path: Path | None
    units: dict[str, UnitCertificates] = field(default_factory=dict)
    default_unit: str | None = None
    ca_bundle: Path | None = None
    demo: bool = False

    def unit(self, code: str | None) -> UnitCertificates:
        if not code:
            if not self.default_unit:
                raise SigningUnitRequired(
                    _(
                        "Chưa chọn đơn vị ký (--unit) và cấu hình chứng thư số không có đơn vị "
                        "mặc định (default_unit)."
                    )
                )
            code = self.default_unit
        entry = self.units.get(code)
        if entry is None:
            raise SigningUnitUnknown(
                _("Đơn vị %(unit)s chưa được cấu hình chứng thư số để ký kết quả.") % {"unit": code}
            )
        return entry

    @cached_property
    def trust(self) -> "TrustRoots":
        roots: list[tuple[str | None, x509.Certificate]] = []
        for code, entry in self.units.items():
            roots.extend((code, cert) for cert in entry.trusted_certificates())
        if self.ca_bundle is not None:
            roots.extend((None, cert) for cert in _read_pem(self.ca_bundle, owner="ca_bundle"))
        return TrustRoots(roots=tuple(roots), demo=self.demo)


@dataclass(frozen=True)
class TrustRoots:
    """Trust anchors: each configured unit's certificates (with the unit they belong to) and the
    CA bundle's (unit None)."""

    roots: tuple[tuple[str | None, x509.Certificate], ...]
    demo: bool = False

    def asn1(self) -> list[asn1_x509.Certificate]:
        return [
            asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for _, cert in self.roots
        ]

    def contains(self, *, der: bytes) -> bool:
        return any(cert.public_bytes(Encoding.DER) == der for _, cert in self.roots)

    def unit_of(self, *, der: bytes) -> str | None:
        """The configured unit whose certificate this is, if any."""
        for code, cert in self.roots:
            if code is not None and cert.public_bytes(Encoding.DER) == der:
                return code
        return None


def fingerprint(*, der: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex(":").upper()


def _read_pem(path: Path, *, owner: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        raise SigningConfigInvalid(
            _("Không đọc được chứng thư số %(path)s (%(owner)s): cần tệp PEM.")
            % {"path": path, "owner": owner}
        ) from None


def config_path() -> Path:
    return Path(settings.MOTCUA_SIGNING_CERTIFICATES)


def signing_config_parse(*, text: str, base: Path, path: Path | None = None) -> SigningConfig:
    """The JSON above, checked: unknown keys and missing passphrases are refused, so a typo never
    silently signs with nothing."""

    def invalid(message: str) -> SigningConfigInvalid:
        where = str(path) if path else _("cấu hình")
        return SigningConfigInvalid(
            _("Cấu hình chứng thư số %(path)s không hợp lệ: %(message)s")
            % {"path": where, "message": message}
        )

    try:
        raw = json.loads(text)
    except ValueError as error:
        raise invalid(_("không phải JSON (%(error)s).") % {"error": error}) from None
    if not isinstance(raw, dict):
        raise invalid(_("cần một đối tượng JSON."))
    unknown = set(raw) - {"default_unit", "ca_bundle", "units", "demo"}
    if unknown:
        raise invalid(_("khóa lạ: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    demo = raw.get("demo", False) is True
    units_raw = raw.get("units", {})
    if not isinstance(units_raw, dict):
        raise invalid(_("“units” phải là đối tượng mã đơn vị → chứng thư."))

    def resolve(value, what: str) -> Path:
        if not isinstance(value, str) or not value:
            raise invalid(_("%(what)s phải là đường dẫn tệp.") % {"what": what})
        candidate = Path(value)
        return candidate if candidate.is_absolute() else base / candidate

    units: dict[str, UnitCertificates] = {}
    for code, entry in units_raw.items():
        if not isinstance(entry, dict):
            raise invalid(_("đơn vị %(unit)s: cần một đối tượng.") % {"unit": code})
        unknown = set(entry) - {"pkcs12", "passphrase_env", "certificates"}
        if unknown:
            raise invalid(
                _("đơn vị %(unit)s: khóa lạ %(keys)s.")
                % {"unit": code, "keys": ", ".join(sorted(unknown))}
            )
        pkcs12_path = resolve(entry["pkcs12"], "pkcs12") if "pkcs12" in entry else None
        passphrase_env = entry.get("passphrase_env")
        if passphrase_env is not None and not (isinstance(passphrase_env, str) and passphrase_env):
            raise invalid(_("đơn vị %(unit)s: passphrase_env phải là tên biến.") % {"unit": code})
        if pkcs12_path is not None and passphrase_env is None and not demo:
            # Only the demo's throw-away keys may sit unencrypted on disk.
            raise invalid(
                _("đơn vị %(unit)s: thiếu passphrase_env (tệp khóa ký phải có mật khẩu).")
                % {"unit": code}
            )
        pems = entry.get("certificates", [])
        if not isinstance(pems, list):
            raise invalid(_("đơn vị %(unit)s: certificates phải là danh sách.") % {"unit": code})
        trusted = tuple(resolve(p, "certificates") for p in pems)
        if pkcs12_path is None and not trusted:
            raise invalid(_("đơn vị %(unit)s: cần pkcs12 hoặc certificates.") % {"unit": code})
        units[str(code)] = UnitCertificates(
            unit_code=str(code),
            pkcs12=pkcs12_path,
            passphrase_env=passphrase_env,
            trusted_pem=trusted,
            demo=demo,
        )
    default_unit = raw.get("default_unit")
    if default_unit is not None and default_unit not in units:
        raise invalid(_("default_unit %(unit)s không có trong “units”.") % {"unit": default_unit})
    ca_bundle = resolve(raw["ca_bundle"], "ca_bundle") if raw.get("ca_bundle") else None
    return SigningConfig(
        path=path, units=units, default_unit=default_unit, ca_bundle=ca_bundle, demo=demo
    )


def signing_config_get(*, required: bool = True) -> SigningConfig:
    """The configuration in force. Without the file: SigningNotConfigured, or (required=False,
    for verification) an empty configuration that trusts nothing."""
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not required:
            return SigningConfig(path=None)
        raise SigningNotConfigured(
            _(
                "Chưa cấu hình chứng thư số ký kết quả: không có tệp %(path)s "
                "(đặt MOTCUA_SIGNING_CERTIFICATES, hoặc chạy “motcua demo” để có chứng thư "
                "thử nghiệm)."
            )
            % {"path": path}
        ) from None
    except OSError as error:
        raise SigningConfigInvalid(
            _("Không đọc được cấu hình chứng thư số %(path)s: %(error)s")
            % {"path": path, "error": error.strerror or error}
        ) from None
    return signing_config_parse(text=text, base=path.parent, path=path)
