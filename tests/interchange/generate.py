"""Synthetic interchange files: realistic national-portal payloads in every state, for the memory
test and the throughput benchmark (`python -m tests.interchange.generate N > file.jsonl`)."""

import json
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

from motcua.core.timeutil import LOCAL_TZ

UNITS = [
    {"kind": "unit", "code": "30", "name": "UBND tỉnh Hải Dương", "level": "province"},
    {
        "kind": "unit",
        "code": "298",
        "name": "UBND huyện Tứ Kỳ",
        "level": "district",
        "parent": "30",
    },
    *(
        {
            "kind": "unit",
            "code": str(code),
            "name": f"UBND xã {code}",
            "level": "commune",
            "parent": "298",
        }
        for code in range(11074, 11153, 3)
    ),
]
PROCEDURES = [
    {
        "kind": "procedure",
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "time_limit": {"working_days": 1},
        "fee": 8000,
        "online": "full",
        "result": "paper",
        "components": [
            {"code": "TP1", "name": "Tờ khai"},
            {"code": "TP2", "name": "Giấy chứng sinh"},
        ],
    },
    {
        "kind": "procedure",
        "code": "2.000635",
        "name": "Cấp bản sao trích lục hộ tịch",
        "field": "Hộ tịch",
        "time_limit": {"working_hours": 4},
        "fee": 0,
        "online": "partial",
        "result": "electronic",
    },
]


def _compact(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def dossier_payload(i: int, rng: random.Random) -> dict:
    commune = UNITS[2 + i % (len(UNITS) - 2)]["code"]
    received = datetime(2023, 1, 2, 8, tzinfo=LOCAL_TZ) + timedelta(
        days=rng.randrange(300), minutes=rng.randrange(480)
    )
    state = rng.choice([2, 4, 5, 8, 9, 10, 10, 10, 10])
    with_fee = i % 2 == 0
    payload = {
        "kind": "dossier",
        "MaHoSo": f"{commune}-{received:%y%m%d}-{i:06d}",
        "MaTTHC": "1.001193" if with_fee else "2.000635",
        "DonViXuLy": commune,
        "KenhThucHien": str(rng.choice([1, 2, 2, 3])),
        "ChuHoSo": f"Công dân số {i}",
        "SoGiayToChuHoSo": f"0300{i:08d}",
        "TrichYeuHoSo": "Hồ sơ thử nghiệm",
        "NgayNopHoSo": _compact(received - timedelta(hours=2)),
        "NgayTiepNhan": received.isoformat() if i % 2 else _compact(received),
        "NgayHenTra": _compact(received + timedelta(days=1)),
        "TrangThaiHoSo": str(state),
        "DuocThanhToanTrucTuyen": rng.choice(["0", "1"]),
        "TaiLieuNop": [
            {"TenTepDinhKem": "to-khai.pdf", "MaThanhPhanHoSo": "TP1", "DuocSoHoa": "1"},
            {
                "TenTepDinhKem": "giay-to.pdf",
                "MaThanhPhanHoSo": "TP2",
                "DuocSoHoa": rng.choice(["0", "1", "1"]),
                "DuocTaiSuDung": rng.choice(["0", "1"]),
            },
        ],
        "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "8000"}] if with_fee else [],
        "QuaTrinhXuLy": [
            {"NguoiXuLy": "Cán bộ", "ThoiDiemXuLy": _compact(received), "NoiDungXuLy": "Tiếp nhận"}
        ],
    }
    if state == 5:
        payload["DanhSachHoSoBoSung"] = [
            {"NgayBoSung": _compact(received + timedelta(hours=1)), "NoiDungBoSung": "Bổ sung"}
        ]
    if state in (8, 9, 10):
        ended = received + timedelta(hours=rng.randrange(1, 60))
        payload["NgayKetThucXuLy"] = _compact(ended)
        if state in (9, 10):
            payload["DanhSachGiayToKetQua"] = [
                {"TenGiayTo": "Kết quả", "DuongDanTepTinKetQua": rng.choice(["", "/kq/a.pdf"])}
            ]
        if state == 10:
            payload["NgayTra"] = _compact(ended + timedelta(hours=2))
    return payload


def lines(dossiers: int, *, seed: int = 1) -> Iterator[str]:
    rng = random.Random(seed)
    for obj in UNITS + PROCEDURES:
        yield json.dumps(obj, ensure_ascii=False) + "\n"
    for i in range(dossiers):
        yield json.dumps(dossier_payload(i, rng), ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.writelines(lines(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
