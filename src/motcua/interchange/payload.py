"""The interchange lines (docs/interchange.md): the national portal's dossier payload (docs/domain.md §10)
↔ the Dossier projection, and the unit, procedure and target lines.

No database access here: callers resolve codes to rows and hand in the calendar, so the mapping can
be read (and tested) as a table of rules."""

import contextlib
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.timeutil import LOCAL_TZ, to_local
from motcua.dossiers.lifecycle import amount_owed
from motcua.indicators import rules
from motcua.payments.selectors import FLAG_NONE, online_payment_flag, online_payment_provider

# --- reading values --------------------------------------------------------------------------------

# "8.000" / "1,500,000": VND amounts have no decimals, so a separator before 3-digit groups is one of
# thousands, as Vietnamese systems write them.
THOUSANDS_RE = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def fail(message: str, *, code: str = "interchange_invalid") -> None:
    raise ValidationFailed(message, code=code)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(obj: dict, key: str, *, required: bool = False, limit: int = 0, where: str = "") -> str:
    value = obj.get(key)
    if isinstance(value, str):  # the usual case first: ~10 texts a dossier line
        value = value.strip()
    elif value is not None:
        if isinstance(value, bool | dict | list):
            fail(f"{where}{key} phải là chuỗi ký tự.", code="text_invalid")
        value = str(value).strip()
    if not value:
        if required:
            fail(f"Thiếu trường bắt buộc: {where}{key}.", code="field_required")
        return ""
    if "\x00" in value:
        # PostgreSQL refuses NUL even in a lookup, which would poison the whole batch.
        fail(f"{where}{key} chứa ký tự không hợp lệ (NUL).", code="text_invalid")
    if limit and len(value) > limit:
        fail(f"{where}{key} quá dài (tối đa {limit} ký tự).", code="text_too_long")
    return value


def _decimal(value: Any, *, key: str, where: str) -> Decimal:
    bad = f"{where}{key} không phải số hợp lệ: {value!r}."
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(bad, code="number_invalid")
    if isinstance(value, str):
        value = value.strip().replace(" ", "")
        if THOUSANDS_RE.match(value):
            value = value.replace(".", "").replace(",", "")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        fail(bad, code="number_invalid")
    if not number.is_finite():
        fail(bad, code="number_invalid")
    return number


def integer(obj: dict, key: str, *, where: str = "") -> int | None:
    """An integer that may arrive as a string ("8000", "8.000") or as 8000.0."""
    value = obj.get(key)
    if type(value) is int:  # not bool; JSON integers need no Decimal round trip
        return value
    if _missing(value):
        return None
    number = _decimal(value, key=key, where=where)
    if number != number.to_integral_value():
        fail(f"{where}{key} phải là số nguyên: {value!r}.", code="number_invalid")
    return int(number)


def decimal(obj: dict, key: str, *, where: str = "") -> Decimal | None:
    value = obj.get(key)
    return None if _missing(value) else _decimal(value, key=key, where=where)


def moment(obj: dict, key: str, *, where: str = "") -> datetime | None:
    """ISO 8601 (no offset = UTC+7) or compact yyyyMMddHHmmss (UTC+7)."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # compact dates sometimes arrive as JSON numbers
    try:
        if not isinstance(value, str):
            raise ValueError
        value = value.strip()
        if not value:
            return None
        if len(value) == 14 and value.isdigit():
            # parse_aware's strptime is the costliest step of a dossier line; same result.
            return datetime(
                int(value[:4]),
                int(value[4:6]),
                int(value[6:8]),
                int(value[8:10]),
                int(value[10:12]),
                int(value[12:]),
                tzinfo=LOCAL_TZ,
            )
        return to_local(datetime.fromisoformat(value))  # parse_aware less its repeated checks
    except ValueError:
        fail(
            f"{where}{key} không đúng định dạng ngày giờ (ISO 8601 hoặc yyyyMMddHHmmss): {value!r}.",
            code="date_invalid",
        )


def dossier_day(obj: dict) -> date | None:
    """The local day a dossier line belongs to (received, else submitted): the day on which its
    unit code is read. None when neither date is readable (the line's checks report it)."""
    for key in ("NgayTiepNhan", "NgayNopHoSo"):
        try:
            at = moment(obj, key)
        except ValidationFailed:
            continue
        if at is not None:
            return to_local(at).date()
    return None


def day(obj: dict, key: str, *, required: bool = False, where: str = "") -> date | None:
    value = obj.get(key)
    if _missing(value):
        if required:
            fail(f"Thiếu trường bắt buộc: {where}{key}.", code="field_required")
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        fail(
            f"{where}{key} không đúng định dạng ngày (YYYY-MM-DD): {value!r}.", code="date_invalid"
        )


def flag(value: Any) -> bool:
    """The portal's "1"/"0" flags; true, 1 and "true" are read as "1" too."""
    return value is not None and str(value).strip().lower() in {"1", "true"}


# DuocThanhToanTrucTuyen: "1" paid on the national portal, "2" paid through the province's own
# gateway — both are paid online (Decision 766 indicator 3.6, the directive's rate); "3" is a fee
# not paid, "0" no online payment.
PAID_ONLINE_VALUES = frozenset({"1", "2", "true"})


def paid_online_flag(value: Any) -> bool:
    return value is not None and str(value).strip().lower() in PAID_ONLINE_VALUES


# TaiLieuNop[].DuocTaiSuDung: "1" reused as it was, "2" reused in place of a result named by
# MaKetQuaThayThe (the portal's sync code); both are reuse of digital data.
REUSED_VALUES = frozenset({"1", "2", "true"})


def reused_flag(value: Any) -> bool:
    return value is not None and str(value).strip().lower() in REUSED_VALUES


def entries(obj: dict, key: str) -> list[dict]:
    value = obj.get(key)
    if _missing(value):
        return []
    if not isinstance(value, list):
        fail(f"{key} phải là một danh sách.", code="list_invalid")
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            fail(f"{key}[{i}] phải là một đối tượng JSON.", code="list_invalid")
    return value


def iso(value: datetime | None) -> str | None:
    return None if value is None else to_local(value).isoformat()


def _compact(obj: dict) -> dict:
    """Drop absent optional values so the file stays small and readable."""
    return {k: v for k, v in obj.items() if v is not None and v != "" and v != []}


# --- unit, procedure, target -----------------------------------------------------------------------


def unit_values(obj: dict) -> dict[str, Any]:
    return {
        "code": text(obj, "code", required=True, limit=32),
        "name": text(obj, "name", required=True, limit=255),
        "level": text(obj, "level", required=True, limit=16),
        "parent": text(obj, "parent", limit=32) or None,
        "short_name": text(obj, "short_name", limit=128),
        "agency_id": text(obj, "agency_id", limit=32),
        "valid_from": day(obj, "valid_from"),
        "valid_to": day(obj, "valid_to"),
    }


def unit_line(unit: dict) -> dict:
    """`unit`: a values() row with parent__code."""
    return _compact(
        {
            "kind": "unit",
            "code": unit["code"],
            "name": unit["name"],
            "short_name": unit["short_name"],
            "level": unit["level"],
            "parent": unit["parent__code"],
            "agency_id": unit["agency_id"],
            "valid_from": unit["valid_from"].isoformat() if unit["valid_from"] else None,
            "valid_to": unit["valid_to"].isoformat() if unit["valid_to"] else None,
        }
    )


ONLINE_LEVELS = ("full", "partial", "none")
RESULT_KINDS = ("paper", "electronic")
PROCEDURE_LEVELS = ("province", "district", "commune")


def procedure_values(obj: dict) -> dict[str, Any]:
    limit = obj.get("time_limit")
    if _missing(limit):
        fail("Thiếu trường bắt buộc: time_limit.", code="field_required")
    if (
        not isinstance(limit, dict)
        or len(limit) != 1
        or not {"working_days", "working_hours"} & set(limit)
    ):
        fail(
            'time_limit phải có dạng {"working_days": N} hoặc {"working_hours": N}.',
            code="time_limit_invalid",
        )
    unit_name = next(iter(limit))
    value = decimal(limit, unit_name, where="time_limit.")
    if value is None or value <= 0:
        fail("Thời hạn giải quyết (time_limit) phải lớn hơn 0.", code="time_limit_invalid")
    online = text(obj, "online") or "partial"
    if online not in ONLINE_LEVELS:
        fail(f"online phải là full, partial hoặc none: {online!r}.", code="online_level_invalid")
    result = text(obj, "result") or "paper"
    if result not in RESULT_KINDS:
        fail(f"result phải là paper hoặc electronic: {result!r}.", code="result_kind_invalid")
    level = text(obj, "level")
    if level and level not in PROCEDURE_LEVELS:
        fail(f"level phải là province, district hoặc commune: {level!r}.", code="level_invalid")
    fees = None
    if "fees" in obj:  # extension: the fee items; wins over the plain total `fee`
        fees = []
        for i, item in enumerate(entries(obj, "fees"), start=1):
            where = f"fees[{i}]."
            amount = integer(item, "amount", where=where)
            if amount is None or amount < 0:
                fail(f"{where}amount phải là số không âm.", code="number_invalid")
            fees.append(
                {
                    "code": text(item, "code", limit=32, where=where),
                    "name": text(item, "name", limit=255, where=where) or "Phí, lệ phí",
                    "amount": amount,
                }
            )
    elif "fee" in obj:
        amount = integer(obj, "fee") or 0
        if amount < 0:
            fail("fee phải là số không âm.", code="number_invalid")
        fees = [{"code": "", "name": "Phí, lệ phí", "amount": amount}] if amount else []
    components = None
    if "components" in obj:
        components = [
            {
                "code": text(item, "code", limit=32, where=f"components[{i}]."),
                "name": text(item, "name", required=True, limit=500, where=f"components[{i}]."),
            }
            for i, item in enumerate(entries(obj, "components"), start=1)
        ]
    return {
        "code": text(obj, "code", required=True, limit=64),
        "name": text(obj, "name", required=True, limit=500),
        "field_name": text(obj, "field", required=True, limit=255),
        "level": level,
        "time_limit_value": value,
        "time_limit_unit": unit_name,
        "online_level": online,
        "result_kind": result,
        "national_code": text(obj, "national_code", limit=16),
        "fees": fees,
        "components": components,
    }


def _number(value: Decimal | int) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def procedure_line(procedure, *, fees: list, components: list) -> dict:
    return _compact(
        {
            "kind": "procedure",
            "code": procedure.code,
            "national_code": procedure.national_code,
            "name": procedure.name,
            "field": procedure.field.name,
            "level": procedure.level,
            "time_limit": {procedure.time_limit_unit: _number(procedure.time_limit_value)},
            "fee": sum(f.amount for f in fees),
            "fees": [_compact({"code": f.code, "name": f.name, "amount": f.amount}) for f in fees],
            "online": procedure.online_level,
            "result": procedure.result_kind,
            "components": [_compact({"code": c.code, "name": c.name}) for c in components],
        }
    )


def target_values(obj: dict) -> dict[str, Any]:
    percent = decimal(obj, "percent")
    if percent is None:
        fail("Thiếu trường bắt buộc: percent.", code="field_required")
    if not 0 <= percent <= 100:
        fail("percent phải từ 0 đến 100.", code="percent_invalid")
    level = text(obj, "level", limit=16)
    values = {
        "metric": text(obj, "metric", required=True, limit=64),
        "percent": percent.quantize(Decimal("0.01")),
        "unit": text(obj, "unit", required=True, limit=32),
        "level": level,
        "valid_from": day(obj, "from", required=True),
        "valid_to": day(obj, "to", required=True),
    }
    if values["valid_to"] < values["valid_from"]:
        fail("Ngày kết thúc (to) sớm hơn ngày bắt đầu (from).", code="period_invalid")
    return values


def target_line(target: dict) -> dict:
    """`target`: a values() row with unit__code."""
    return _compact(
        {
            "kind": "target",
            "metric": target["metric"],
            "percent": _number(target["percent"]),
            "unit": target["unit__code"],
            "level": target["level"],
            "from": target["valid_from"].isoformat(),
            "to": target["valid_to"].isoformat(),
        }
    )


# --- dossier: payload → projection -----------------------------------------------------------------

# KenhThucHien is not required: the portal counts a dossier without it as filed directly.
DOSSIER_REQUIRED = (
    "MaHoSo",
    "MaTTHC",
    "DonViXuLy",
    "NgayTiepNhan",
    "TrangThaiHoSo",
)
DATE_KEYS = {
    "NgayNopHoSo": "submitted_at",
    "NgayTiepNhan": "received_at",
    "NgayHenTra": "due_at",
    "NgayKetThucXuLy": "ended_at",
    "NgayTra": "returned_at",
    "NgayTuChoi": "rejected_at",
}
TEXT_KEYS = {  # payload key → (field, column length)
    "ChuHoSo": ("applicant_name", 255),
    "SoGiayToChuHoSo": ("applicant_id_number", 32),
    "SoDienThoai": ("applicant_phone", 32),
    "Email": ("applicant_email", 254),
    "DiaChiChuHoSo": ("applicant_address", 500),  # extension: not in the portal's list
    "TrichYeuHoSo": ("summary", 1000),
    "MaDoiTuong": ("applicant_code", 64),
    "NoiNopHoSo": ("filing_place", 255),
}
# Kept verbatim in the `imported` event (audit, and export of the same lists later).
# The scalars among them keep the sender's spelling ("1" or 1); ThongTinTra, DinhDanhCHS and
# DanhSachTepDinhKemKhac have no column of ours and travel only this way.
RECORD_KEYS = (
    "LoaiDoiTuong",
    "HinhThuc",
    "ThongTinTra",
    "HoSoCoThanhPhanSoHoa",
    "DuocThanhToanTrucTuyen",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DongBoCongDVCQG",
    "DinhDanhCHS",
    "DSKetNoiCSDL",
    "TaiLieuNop",
    "DanhSachTepDinhKemKhac",
    "DanhSachLePhi",
    "DanhSachGiayToKetQua",
    "DanhSachHoSoBoSung",
    "QuaTrinhXuLy",
)
# Our extensions (not in the portal's payload): left out of what is sent to the portal itself.
# NgayDongBoKetQuaKhoDMQG: when the portal confirmed the result's link (`result_store_synced_at`).
RESULT_STORE_SYNCED = "NgayDongBoKetQuaKhoDMQG"
EXTENSION_KEYS = ("kind", "DiaChiChuHoSo", "DongBoCongDVCQG", RESULT_STORE_SYNCED)
# HinhThuc (how the result is delivered) ↔ Dossier.result_delivery. The portal's code list was not
# found (docs/interchange.md): these codes follow KenhThucHien's (1 direct, 2 online, 3 postal) and
# are *unconfirmed*; one table, read and written both ways.
DELIVERY = "HinhThuc"
DELIVERY_CODES = {1: "desk", 2: "online", 3: "post"}
DELIVERY_OF = {value: code for code, value in DELIVERY_CODES.items()}
APPLICANT_KINDS = (1, 2, 3, 4)  # LoaiDoiTuong: citizen, business, state agency, other organisation
# TrangThaiHoSo 0: the portal's "interoperating" / "posting" sub-states of a dossier in processing.
PORTAL_SUBSTATE = 0
PROCESSING = 4
DATABASES = "DSKetNoiCSDL"
DATABASES_LIMIT = 255  # Dossier.databases_consulted

OPEN_STATES = frozenset({1, 2, 4, 5, 6})
# A fee line's ceiling, in VND: a thousand billion, far above any fee, far below the 64-bit columns.
MAX_AMOUNT = 10**15
# States whose processing has ended and must have an end (docs/domain.md §4); 3 (never accepted) counts
# nowhere, so a missing end there is no error.
ENDED_STATES = frozenset({7, 8, 9, 10})
OUTCOMES = {3: "not_accepted", 7: "withdrawn", 8: "stopped", 9: "granted", 10: "granted"}
SUPPLEMENTS = "DanhSachHoSoBoSung"


def databases_read(payload: dict) -> list[str]:
    """DSKetNoiCSDL[].MaCSDL: the national databases consulted, each once, in the order given."""
    codes: list[str] = []
    for i, item in enumerate(entries(payload, DATABASES), start=1):
        code = text(item, "MaCSDL", required=True, limit=32, where=f"{DATABASES}[{i}].")
        if "," in code:
            fail(f"{DATABASES}[{i}].MaCSDL không được chứa dấu phẩy.", code="text_invalid")
        if code not in codes:
            codes.append(code)
    if len(",".join(codes)) > DATABASES_LIMIT:
        fail(
            f"{DATABASES} quá dài (tối đa {DATABASES_LIMIT} ký tự khi ghép các mã).",
            code="text_too_long",
        )
    return codes


def delivery_read(payload: dict) -> str:
    """HinhThuc → result_delivery ("" when absent); any other code is refused."""
    if _missing(payload.get(DELIVERY)):
        return ""
    code = integer(payload, DELIVERY)
    if code not in DELIVERY_CODES:
        fail(
            f"{DELIVERY} (hình thức nhận kết quả) phải là 1 (trực tiếp tại bộ phận một cửa), "
            f"2 (trực tuyến) hoặc 3 (bưu chính công ích): {payload[DELIVERY]!r}.",
            code="result_delivery_invalid",
        )
    return DELIVERY_CODES[code]


def _delivery_out(record: dict, delivery: str) -> Any:
    """HinhThuc: the record's spelling while it still says the same delivery; else the code of
    `result_delivery`, nothing when none was chosen."""
    if DELIVERY in record:
        with contextlib.suppress(ValidationFailed):
            if delivery_read(record) == delivery:
                return record[DELIVERY]
    return str(DELIVERY_OF[delivery]) if delivery in DELIVERY_OF else None


def dossier_refs(payload: dict) -> tuple[str, str, str]:
    """(MaHoSo, DonViXuLy, MaTTHC) after checking every required key is present."""
    missing = [key for key in DOSSIER_REQUIRED if _missing(payload.get(key))]
    if missing:
        fail(f"Thiếu trường bắt buộc: {', '.join(missing)}.", code="field_required")
    return (
        text(payload, "MaHoSo", limit=64),
        text(payload, "DonViXuLy", limit=64),
        text(payload, "MaTTHC", limit=64),
    )


def _signed_seconds(calendar, start: datetime, end: datetime) -> int:
    if end >= start:
        return calendar.working_seconds_between(start, end)
    return -calendar.working_seconds_between(end, start)


def _supplement_dates(supplements: list[dict]) -> list[dict[str, datetime | None]]:
    out = []
    for i, item in enumerate(supplements, start=1):
        where = f"{SUPPLEMENTS}[{i}]."
        out.append(
            {
                key: moment(item, key, where=where)
                for key in ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi")
            }
        )
    return out


def _derived_due(*, received: datetime, budget: int, supplements: list[dict], calendar) -> datetime:
    """Receipt + the procedure's time limit in working time, each completed supplement wait added
    (the clock stops while the applicant holds the dossier)."""
    due = calendar.add_working_seconds(received, budget)
    started, remaining = received, budget
    for s in supplements:
        requested, resumed = s["NgayBoSung"], s["NgayTiepNhanBoSung"]
        if requested is None or resumed is None or requested < started or resumed < requested:
            break  # still waiting (or unusable dates): the promised date stays
        remaining -= calendar.working_seconds_between(started, requested)
        started = resumed
        if remaining > 0:  # already overdue: the promised date does not move
            due = calendar.add_working_seconds(resumed, remaining)
    return due


def _derived_end(
    payload: dict, *, state: int, returned: datetime | None, rejected: datetime | None
) -> datetime:
    """End of processing when NgayKetThucXuLy is missing (docs/domain.md §4): the first of return and
    refusal; without either, the last moment of the processing trail."""
    known = [d for d in (returned, rejected) if d is not None]
    if known:
        return min(known)
    trail = [
        moment(item, "ThoiDiemXuLy", where=f"QuaTrinhXuLy[{i}].")
        for i, item in enumerate(entries(payload, "QuaTrinhXuLy"), start=1)
    ]
    trail = [d for d in trail if d is not None]
    if trail:
        return max(trail)
    fail(
        f"Hồ sơ đã kết thúc (TrangThaiHoSo {state}) nhưng thiếu NgayKetThucXuLy và không có "
        "NgayTra, NgayTuChoi hay QuaTrinhXuLy để suy ra.",
        code="end_missing",
    )


def dossier_fields(
    payload: dict, *, code: str, unit, procedure, calendar: Callable[[], Any]
) -> tuple[dict[str, Any], dict | None, datetime]:
    """Projected fields, the record kept with the import event, and the event's moment (the latest
    past moment the payload states). `calendar()` is called only when a date must be computed."""
    channel = integer(payload, "KenhThucHien")
    if channel is None:
        channel = 1  # as the portal counts it: no channel stated means filed directly
    if channel not in (1, 2, 3):
        fail(
            f"KenhThucHien phải là 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu chính): {channel}.",
            code="channel_invalid",
        )
    portal_state = integer(payload, "TrangThaiHoSo")
    if not 0 <= portal_state <= 10:
        fail(f"TrangThaiHoSo phải từ 0 đến 10: {portal_state}.", code="state_invalid")
    # A sub-state 0 (interoperating, posting) is processing to us; the record keeps the 0.
    state = PROCESSING if portal_state == PORTAL_SUBSTATE else portal_state
    applicant_kind = integer(payload, "LoaiDoiTuong")
    if applicant_kind is None:
        applicant_kind = 1
    if applicant_kind not in APPLICANT_KINDS:
        fail(
            "LoaiDoiTuong phải là 1 (công dân), 2 (doanh nghiệp), 3 (cơ quan nhà nước) hoặc "
            f"4 (tổ chức khác): {applicant_kind}.",
            code="applicant_kind_invalid",
        )
    databases = databases_read(payload)
    for key in ("DinhDanhCHS", "DanhSachTepDinhKemKhac"):
        entries(payload, key)  # only checked: kept as they are in the record
    text(payload, "ThongTinTra", limit=1000)
    delivery = delivery_read(payload)
    dates = {field: moment(payload, key) for key, field in DATE_KEYS.items()}
    received, rejected = dates["received_at"], dates["rejected_at"]

    documents = entries(payload, "TaiLieuNop")
    fees = entries(payload, "DanhSachLePhi")
    results = entries(payload, "DanhSachGiayToKetQua")
    supplements = _supplement_dates(entries(payload, SUPPLEMENTS))
    entries(payload, "QuaTrinhXuLy")  # only checked: kept as it is in the record

    fee_amount = 0
    for i, item in enumerate(fees, start=1):
        price = integer(item, "Gia", where=f"DanhSachLePhi[{i}].") or 0
        if price < 0:
            fail(f"DanhSachLePhi[{i}].Gia phải là số không âm.", code="number_invalid")
        if price > MAX_AMOUNT:
            fail(
                f"DanhSachLePhi[{i}].Gia quá lớn (tối đa {MAX_AMOUNT:,} đồng).".replace(",", "."),
                code="number_too_large",
            )
        fee_amount += price

    outcome = OUTCOMES.get(state, "")
    if state in (9, 10) and rejected is not None:
        outcome = "rejected"
    ended = dates["ended_at"]
    if ended is None and state in ENDED_STATES:
        ended = _derived_end(payload, state=state, returned=dates["returned_at"], rejected=rejected)
    elif ended is None and state == 3:
        ended = rejected
    if ended is not None and state in OPEN_STATES:
        fail(
            f"Hồ sơ đang xử lý (TrangThaiHoSo {state}) không được có NgayKetThucXuLy.",
            code="end_on_open",
        )
    if ended is not None and ended < received:
        fail(
            "Ngày kết thúc xử lý (NgayKetThucXuLy) sớm hơn ngày tiếp nhận (NgayTiepNhan).",
            code="end_before_receipt",
        )

    budget = procedure.time_limit_seconds
    due = dates["due_at"]
    if due is None:
        promised = [s["NgayHenTraMoi"] for s in supplements if s["NgayHenTraMoi"] is not None]
        due = promised[-1] if promised else None
    if due is None:
        due = _derived_due(
            received=received, budget=budget, supplements=supplements, calendar=calendar()
        )
    first_due = supplements[0]["NgayHenTraTruoc"] if supplements else None

    result_names = [text(r, "TenGiayTo") for r in results]
    fields: dict[str, Any] = {
        "code": code,
        "unit_id": unit.pk,
        "procedure_id": procedure.pk,
        "channel": channel,
        "state": state,
        "outcome": outcome,
        **{field: text(payload, key, limit=limit) for key, (field, limit) in TEXT_KEYS.items()},
        "submitted_at": dates["submitted_at"] or received,
        "received_at": received,
        "due_at": due,
        "first_due_at": first_due or due,
        "ended_at": ended,
        "returned_at": dates["returned_at"],
        "rejected_at": rejected,
        "budget_seconds": budget,
        "supplement_count": len(supplements),
        "fee_amount": fee_amount,
        "paid_online": paid_online_flag(payload.get("DuocThanhToanTrucTuyen")),
        "result_summary": next((n for n in result_names if n), "")[:1000],
        "has_result_file": any(text(r, "DuongDanTepTinKetQua") for r in results),
        "components_digitized": (
            all(flag(d.get("DuocSoHoa")) for d in documents)
            if documents
            else flag(payload.get("HoSoCoThanhPhanSoHoa"))
        ),
        "data_reused": any(reused_flag(d.get("DuocTaiSuDung")) for d in documents),
        "synced_to_portal": flag(payload.get("DongBoCongDVCQG")),
        "applicant_kind": applicant_kind,
        "vneid_verified": flag(payload.get("TaiKhoanDuocXacThucVoiVNeID")),
        "databases_consulted": ",".join(databases),
        "result_store_synced_at": moment(payload, RESULT_STORE_SYNCED),
        "result_delivery": delivery,
    }
    if state in OPEN_STATES - {1}:
        # So that officers can carry on with an imported open dossier: the clock as the live
        # services keep it (started at receipt or the last supplement, paused while one is awaited).
        cal = calendar()
        last = supplements[-1] if supplements else None
        started = received
        for s in supplements:
            started = s["NgayTiepNhanBoSung"] or started
        paused = (
            last["NgayBoSung"] if state == 5 and last and not last["NgayTiepNhanBoSung"] else None
        )
        fields.update(
            clock_started_at=started,
            clock_paused_at=paused,
            remaining_seconds=_signed_seconds(cal, paused or started, due),
        )
    record = {
        k: payload[k] for k in RECORD_KEYS if not _missing(payload.get(k)) and payload[k] != []
    }
    if portal_state == PORTAL_SUBSTATE:
        record["TrangThaiHoSo"] = payload["TrangThaiHoSo"]
    past = [dates[k] for k in ("submitted_at", "received_at", "returned_at", "rejected_at")]
    past += [ended] + [s[k] for s in supplements for k in ("NgayBoSung", "NgayTiepNhanBoSung")]
    at = max(d for d in past if d is not None)
    return fields, record or None, at


# --- dossier: projection (+ its log) → payload -----------------------------------------------------

EXPORT_FIELDS = (
    "pk",
    "code",
    "unit__code",
    "procedure_id",
    "channel",
    "state",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "summary",
    "submitted_at",
    "received_at",
    "due_at",
    "ended_at",
    "returned_at",
    "rejected_at",
    "fee_amount",
    "fee_paid_amount",
    "obligation_amount",
    "paid_online",
    "result_summary",
    "has_result_file",
    "components_digitized",
    "synced_to_portal",
    "applicant_kind",
    "applicant_code",
    "filing_place",
    "vneid_verified",
    "databases_consulted",
    "result_store_synced_at",
    "result_delivery",
)
ELECTRONIC_RESULT_PATH = "ket-qua-dien-tu/{code}"


def _flag_out(
    record: dict, key: str, value: bool, *, needed: bool, read=flag, always: bool = False
) -> str | None:
    """Keep the record's own spelling of a flag when it still holds (read as `read` reads it: "2"
    stays "2"); otherwise write "1"/"0", and only when the flag carries a fact (or was there
    before, or `always`), so an untouched record exports as it was imported."""
    if key in record and read(record[key]) == value:
        return record[key]
    if key in record or always or (needed and value):
        return "1" if value else "0"
    return None


def _applicant_kind_read(value: Any) -> int | None:
    try:
        return integer({"v": value}, "v")
    except ValidationFailed:
        return None


def _applicant_kind_out(record: dict, kind: int, *, live: bool) -> Any:
    """LoaiDoiTuong: the record's spelling while it still says the same kind; else "1"–"4" (the
    portal's own code writes strings), for an imported dossier only when it says something."""
    key = "LoaiDoiTuong"
    if key in record and _applicant_kind_read(record[key]) == kind:
        return record[key]
    return str(kind) if key in record or live or kind != 1 else None


def _databases_out(record: dict, consulted: str) -> list[dict]:
    codes = [c for c in consulted.split(",") if c]
    kept = record.get(DATABASES) or []
    with contextlib.suppress(ValidationFailed):
        if databases_read({DATABASES: kept}) == codes:
            return kept
    return [{"MaCSDL": c} for c in codes]


# DinhDanhCHS[].LoaiDinhDanh 1: a 12-digit personal identification number (the citizen ID card).
PERSONAL_ID_RE = re.compile(r"^\d{12}$")


def _identifiers_out(record: dict, id_number: str, *, live: bool) -> list[dict] | None:
    """DinhDanhCHS: the record's list while it still names the applicant's ID number (a corrected
    number replaces it); else, for a 12-digit ID, one entry of type 1."""
    kept = record.get("DinhDanhCHS")
    if kept is not None and (
        not id_number or any(str(i.get("SoDinhDanh", "")).strip() == id_number for i in kept)
    ):
        return kept
    if (live or kept is not None) and PERSONAL_ID_RE.match(id_number or ""):
        return [{"LoaiDinhDanh": "1", "SoDinhDanh": id_number}]
    return None


def _state_out(record: dict, state: int) -> Any:
    """TrangThaiHoSo: a sub-state 0 the portal sent comes back as 0 while the dossier is still in
    processing."""
    kept = record.get("TrangThaiHoSo")
    if kept is not None and state == PROCESSING:
        with contextlib.suppress(ValidationFailed):
            if integer(record, "TrangThaiHoSo") == PORTAL_SUBSTATE:
                return kept
    return state


def _payment_flag_out(record: dict, row: dict, events: list[dict]) -> str | None:
    """DuocThanhToanTrucTuyen: the record's own value while it still says what the dossier counts
    as (an untouched record exports as imported); else the payments app's flag — "1" national
    platform, "2" the province's gateway, "3" a fee owed and unpaid, "0" a fee paid otherwise —
    omitted when there is no fee (and was no value before)."""
    paid = rules.is_paid_online(row)
    key = "DuocThanhToanTrucTuyen"
    if key in record and paid_online_flag(record[key]) == paid:
        return record[key]
    value = online_payment_flag(
        paid_online=paid,
        owed=amount_owed(row),
        provider=online_payment_provider(events=events),
    )
    # A fee paid at the desk says "0" (the import keeps that value: it has no paid amount to tell
    # it from "3"); without any fee there is nothing to say.
    has_fee = row["fee_amount"] + row["obligation_amount"] > 0
    return value if value != FLAG_NONE or has_fee or key in record else None


def _fee_total(items: Iterable[dict]) -> int:
    total = 0
    for item in items:
        with contextlib.suppress(ValidationFailed):  # unreadable prices count as none
            total += max(integer(item, "Gia") or 0, 0)
    return total


def _trail_entry(event: dict, action_names: dict[str, str]) -> dict:
    payload = event["payload"]
    step = payload.get("step_open") or {}
    content = action_names.get(event["kind"], event["kind"])
    if payload.get("reason") or payload.get("content"):
        content = f"{content}: {payload.get('reason') or payload.get('content')}"
    return _compact(
        {
            "NguoiXuLy": event["actor_name"],
            "PhongBanXuLy": event["actor_unit__name"],
            "ThoiDiemXuLy": iso(event["at"]),
            "NoiDungXuLy": content,
            "TrangThai": event["to_state"],
            "NgayBatDau": step.get("started_at"),
            "NgayKetThucTheoQuyDinh": step.get("due_at"),
        }
    )


def dossier_payload(
    row: dict,
    *,
    procedure: dict,
    events: list[dict],
    action_names: dict[str, str],
    for_portal: bool = False,
) -> dict:
    """The payload of one dossier: the projection's facts, with the lists of its last imported record
    extended by what happened here since (documents, supplements, results, the trail). The one
    builder of a dossier's payload, for files (`motcua export`) and for the portal (`for_portal`:
    without our extensions, EXTENSION_KEYS, and every date as compact yyyyMMddHHmmss).
    `procedure`: {"code", "name", "field_code", "field_name", "fees": [(code, name, amount)]}."""
    last_import = max((i for i, e in enumerate(events) if e["kind"] == "imported"), default=None)
    record = {}
    if last_import is not None:
        record = events[last_import]["payload"].get("record") or {}
    # Made here (never imported): every portal field is written, defaults included; an imported
    # dossier writes a default only where its record had the key, so it exports as imported.
    made_here = last_import is None
    live = events if last_import is None else events[last_import + 1 :]

    documents = list(record.get("TaiLieuNop") or [])
    supplements = [dict(s) for s in record.get(SUPPLEMENTS) or []]
    results = list(record.get("DanhSachGiayToKetQua") or [])
    trail = list(record.get("QuaTrinhXuLy") or [])
    for event in live:
        payload, kind = event["payload"], event["kind"]
        for doc in payload.get("components") or []:
            documents.append(
                _compact(
                    {
                        "TepDinhKemId": (
                            str(doc["document_id"]) if doc.get("document_id") else None
                        ),
                        "TenTepDinhKem": doc.get("name"),
                        "MaThanhPhanHoSo": doc.get("component_code"),
                        "DuongDanTaiTepTin": doc.get("file"),
                        "DuocSoHoa": "1" if doc.get("digitized") else "0",
                        "DuocTaiSuDung": "1" if doc.get("reused") else "0",
                        "DuocLayTuKhoDMQG": "1" if doc.get("from_national_store") else "0",
                    }
                )
            )
        if kind == "supplement_requested":
            supplements.append(
                _compact(
                    {
                        "NgayBoSung": iso(event["at"]),
                        "NoiDungBoSung": payload.get("content"),
                        "NguoiYeuCauBoSung": event["actor_name"],
                        "TrangThaiBoSung": False,  # a bool in the portal's sync code
                    }
                )
            )
        elif kind == "supplement_received":
            waiting = [s for s in supplements if not s.get("NgayTiepNhanBoSung")]
            if waiting:
                waiting[-1].update(
                    _compact(
                        {
                            "NgayTiepNhanBoSung": iso(event["at"]),
                            "NgayHenTraTruoc": payload.get("previous_due_at"),
                            "NgayHenTraMoi": payload.get("new_due_at"),
                        }
                    )
                )
                if "TrangThaiBoSung" in waiting[-1]:
                    waiting[-1]["TrangThaiBoSung"] = True
        elif kind == "resolved":
            path = payload.get("result_file") or (
                ELECTRONIC_RESULT_PATH.format(code=row["code"]) if payload.get("electronic") else ""
            )
            results.append(
                _compact(
                    {
                        "TenGiayTo": payload.get("result"),
                        "MaGiayToKetQua": payload.get("result_document_code"),
                        "DuongDanTepTinKetQua": path,
                    }
                )
            )
        trail.append(_trail_entry(event, action_names))
    if row["has_result_file"] and not any(r.get("DuongDanTepTinKetQua") for r in results):
        # The fact wins over a list that cannot show it (e.g. an electronic result, no upload).
        results.append(
            _compact(
                {
                    "TenGiayTo": row["result_summary"],
                    "DuongDanTepTinKetQua": ELECTRONIC_RESULT_PATH.format(code=row["code"]),
                }
            )
        )

    fee_amount = row["fee_amount"]
    fees = list(record.get("DanhSachLePhi") or [])
    if _fee_total(fees) != fee_amount:
        catalogue = procedure["fees"]
        if sum(amount for _, _, amount in catalogue) == fee_amount:
            fees = [
                _compact({"MaPhiLePhi": c, "TenPhiLePhi": n, "Gia": a}) for c, n, a in catalogue
            ]
        else:
            fees = [{"TenPhiLePhi": "Phí, lệ phí", "Gia": fee_amount}] if fee_amount else []

    out = {
        "kind": "dossier",
        "MaHoSo": row["code"],
        "MaTTHC": procedure["code"],
        "TenTTHC": procedure["name"],
        "MaLinhVuc": procedure["field_code"],
        "TenLinhVuc": procedure["field_name"],
        "DonViXuLy": row["unit__code"],
        "KenhThucHien": row["channel"],
        "TrangThaiHoSo": _state_out(record, row["state"]),
        "LoaiDoiTuong": _applicant_kind_out(record, row["applicant_kind"], live=made_here),
        **{key: row[field] for key, (field, _) in TEXT_KEYS.items()},
        "DinhDanhCHS": _identifiers_out(record, row["applicant_id_number"], live=made_here),
        **{key: iso(row[field]) for key, field in DATE_KEYS.items()},
        DELIVERY: _delivery_out(record, row["result_delivery"]),
        "ThongTinTra": record.get("ThongTinTra"),
        "HoSoCoThanhPhanSoHoa": _flag_out(
            record, "HoSoCoThanhPhanSoHoa", row["components_digitized"], needed=not documents
        ),
        "DuocThanhToanTrucTuyen": _payment_flag_out(record, row, events),
        "TaiKhoanDuocXacThucVoiVNeID": _flag_out(
            record,
            "TaiKhoanDuocXacThucVoiVNeID",
            row["vneid_verified"],
            needed=True,
            always=made_here,
        ),
        "DongBoCongDVCQG": _flag_out(
            record, "DongBoCongDVCQG", row["synced_to_portal"], needed=True
        ),
        RESULT_STORE_SYNCED: iso(row["result_store_synced_at"]),
        DATABASES: _databases_out(record, row["databases_consulted"]),
        "TaiLieuNop": documents,
        "DanhSachTepDinhKemKhac": record.get("DanhSachTepDinhKemKhac"),
        "DanhSachLePhi": fees,
        "DanhSachGiayToKetQua": results,
        SUPPLEMENTS: supplements,
        "QuaTrinhXuLy": trail,
    }
    if for_portal:
        for key in EXTENSION_KEYS:
            out.pop(key, None)
        out = _compact_dates(_compact(out))
    return _compact(out)


# The date keys of the lists; the portal takes every date as compact local yyyyMMddHHmmss.
LIST_DATE_KEYS = {
    SUPPLEMENTS: ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi"),
    "QuaTrinhXuLy": ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"),
}


def compact_moment(value: Any) -> Any:
    """An ISO or compact moment as the portal's yyyyMMddHHmmss (UTC+7); anything unreadable as
    it is (a kept record's value is sent as received)."""
    try:
        parsed = moment({"v": value}, "v")
    except ValidationFailed:
        return value
    return value if parsed is None else to_local(parsed).strftime("%Y%m%d%H%M%S")


def _compact_dates(out: dict) -> dict:
    for key in DATE_KEYS:
        if key in out:
            out[key] = compact_moment(out[key])
    for key, date_keys in LIST_DATE_KEYS.items():
        if key in out:
            out[key] = [
                {k: compact_moment(v) if k in date_keys else v for k, v in item.items()}
                for item in out[key]
            ]
    return out
