"""A seeded, province-sized data set as interchange JSON Lines (/work/shared/interchange.md).

Streams: each line is written as soon as it is made, so memory does not grow with the number of
dossiers. The same seed and flags always give the same file. Pure Python (no Django), so it also
runs as `python bench/generate.py`.

Shape (defaults): one province with departments and districts under it and communes under the
districts (150 units); 1,500 procedures of the three levels; dossiers over two calendar years ending
on 31 December of `end_year`. Popularity is skewed as in real offices (a few procedures such as
certification and civil status take most dossiers; some communes are much busier than others).
Dossiers still being processed at the end of the period are open (states 2, 4, 5, 6), the rest
ended (mostly returned), with supplements, fees, online payment, digitization and result files."""

import argparse
import bisect
import itertools
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

PROVINCE_CODE = "30"
TZ = "+07:00"

FIELDS = (
    "Hộ tịch",
    "Chứng thực",
    "Đất đai",
    "Xây dựng",
    "Đăng ký kinh doanh",
    "Lao động - Thương binh và Xã hội",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Giao thông vận tải",
    "Tài nguyên và Môi trường",
    "Tư pháp",
    "Văn hóa",
    "Nông nghiệp",
    "Công thương",
    "Nội vụ",
    "Tài chính",
    "Kế hoạch và Đầu tư",
    "Thông tin và Truyền thông",
    "Khoa học và Công nghệ",
    "Ngoại vụ",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long")
GIVEN += ("Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến")
DAYS = (1, 2, 3, 5, 7, 10, 15, 20, 30)
DAY_WEIGHTS = (10, 6, 14, 14, 10, 12, 14, 10, 10)
FEES = (8_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)


@dataclass(frozen=True)
class Options:
    dossiers: int = 5_000_000
    units: int = 150
    procedures: int = 1_500
    years: int = 2
    end_year: int = 2024
    seed: int = 20240101


@dataclass(frozen=True)
class _Unit:
    code: str
    agency_id: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class _Procedure:
    code: str
    level: str
    working_days: int  # 0: the limit is in hours (`hours`)
    hours: int
    fee: int
    online: str
    result: str
    department: int  # index of the department that files it (province level)
    name: str


def period(options: Options) -> tuple[date, date]:
    """First and last day the data set covers."""
    return date(options.end_year - options.years + 1, 1, 1), date(options.end_year, 12, 31)


def _cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, items: list, cum: list[float]):
    return items[bisect.bisect_left(cum, rng.random() * cum[-1])]


def _units(n: int) -> list[_Unit]:
    """1 province; about 12 % departments and 8 % districts under it; communes under districts."""
    n = max(n, 4)
    departments = max(1, round(n * 0.12))
    districts = max(1, round(n * 0.08))
    communes = n - 1 - departments - districts
    out = [_Unit(PROVINCE_CODE, "000.00.00.H23", "UBND tỉnh Hải Dương", "province", None)]
    for i in range(1, departments + 1):
        out.append(
            _Unit(
                f"{PROVINCE_CODE}S{i:02d}", f"000.00.{i:02d}.H23", f"Sở số {i}", "department", "30"
            )
        )
    for i in range(1, districts + 1):
        out.append(
            _Unit(
                f"{PROVINCE_CODE}{200 + i}",
                f"000.{i:02d}.00.H23",
                f"UBND huyện Số {i}",
                "district",
                "30",
            )
        )
    for i in range(communes):
        district = 1 + i % districts
        out.append(
            _Unit(
                f"{10000 + i}",
                f"{district:03d}.{i // districts + 1:02d}.{district:02d}.H23",
                f"UBND xã Số {i + 1}",
                "commune",
                f"{PROVINCE_CODE}{200 + district}",
            )
        )
    return out


def _procedures(n: int, departments: int, rng: random.Random) -> list[_Procedure]:
    """60 % province level (filed with a department), 27 % district, 13 % commune."""
    out = []
    for i in range(n):
        share = i / n
        level = "province" if share < 0.60 else "district" if share < 0.87 else "commune"
        hourly = rng.random() < 0.05
        online = rng.choices(("full", "partial", "none"), (45, 40, 15))[0]
        out.append(
            _Procedure(
                code=f"{1 + i // 100_000}.{i % 1_000_000:06d}",
                level=level,
                working_days=0 if hourly else rng.choices(DAYS, DAY_WEIGHTS)[0],
                hours=rng.choice((4, 8)) if hourly else 0,
                fee=rng.choice(FEES) if rng.random() < 0.35 else 0,
                online=online,
                result="electronic" if rng.random() < 0.2 else "paper",
                department=i % departments,
                name=f"Thủ tục {FIELDS[i % len(FIELDS)].lower()} số {i + 1}",
            )
        )
    return out


def _add_working_days(day: date, n: int) -> date:
    """Working days Monday–Friday (holidays ignored: the due date is given in the file)."""
    day += timedelta(days=7 * (n // 5))
    for _ in range(n % 5):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def _stamp(day: date, minutes: int) -> str:
    """Local ISO moment `minutes` after 07:30 of `day`, skipping the lunch break."""
    if minutes >= 240:
        minutes += 90
    h, m = divmod(450 + minutes, 60)
    return f"{day.isoformat()}T{h:02d}:{m:02d}:00{TZ}"


def lines(options: Options) -> Iterator[dict]:
    """Every object of the file in order: units, procedures, targets, then dossiers by receipt day."""
    rng = random.Random(options.seed)
    units = _units(options.units)
    departments = [u for u in units if u.level == "department"]
    procedures = _procedures(options.procedures, len(departments), rng)
    for u in units:
        yield {
            "kind": "unit",
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent": u.parent,
            "agency_id": u.agency_id,
        }
    for i, p in enumerate(procedures):
        line = {
            "kind": "procedure",
            "code": p.code,
            "name": p.name,
            "field": FIELDS[i % len(FIELDS)],
            "level": p.level,
            "time_limit": {"working_days": p.working_days}
            if p.working_days
            else {"working_hours": p.hours},
            "fee": p.fee,
            "online": p.online,
            "result": p.result,
        }
        yield line
    first, last = period(options)
    for year in range(first.year, last.year + 1):
        for metric, percent, level in (
            ("online_payment", 30, "commune"),
            ("online_dossiers", 50, "district"),
            ("full_digitization", 60, ""),
        ):
            yield {
                "kind": "target",
                "metric": metric,
                "percent": percent,
                "unit": PROVINCE_CODE,
                **({"level": level} if level else {}),
                "from": f"{year}-01-01",
                "to": f"{year}-12-31",
            }
    yield from _dossiers(options, rng, units, procedures, last)


def _dossiers(options, rng, units, procedures, last_day) -> Iterator[dict]:
    by_level = {lvl: [u for u in units if u.level == lvl] for lvl in ("department", "district")}
    by_level["commune"] = [u for u in units if u.level == "commune"]
    # Zipf-like popularity: rank r weighs 1/r^s.
    unit_cum = {
        lvl: _cumulative(1 / (r + 1) ** 0.8 for r in range(len(us))) for lvl, us in by_level.items()
    }
    filed_at = {"province": "department", "district": "district", "commune": "commune"}
    proc_by_level = {lvl: [p for p in procedures if p.level == lvl] for lvl in filed_at}
    proc_cum = {
        lvl: _cumulative(1 / (r + 1) ** 1.1 for r in range(len(ps)))
        for lvl, ps in proc_by_level.items()
        if ps
    }
    level_cum = _cumulative((25, 30, 45))
    levels = [lvl for lvl in ("province", "district", "commune") if lvl in proc_cum]
    level_cum = _cumulative({"province": 25, "district": 30, "commune": 45}[lvl] for lvl in levels)

    first_day, _ = period(options)
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    # Weekdays carry the load; a few offices open on Saturday morning.
    day_weight = [1.0 if d.weekday() < 5 else 0.15 if d.weekday() == 5 else 0.0 for d in days]
    total_weight = sum(day_weight)
    sequence: dict[tuple[str, date], int] = {}
    made = 0
    carry = 0.0
    for index, day in enumerate(days):
        carry += options.dossiers * day_weight[index] / total_weight
        count = int(carry) if index < len(days) - 1 else options.dossiers - made
        carry -= count
        sequence.clear()  # codes restart every day: the map never outgrows one day's units
        for _ in range(count):
            level = _pick(rng, levels, level_cum)
            procedure = _pick(rng, proc_by_level[level], proc_cum[level])
            if level == "province":
                unit = by_level["department"][procedure.department % len(by_level["department"])]
            else:
                lvl = filed_at[level]
                unit = _pick(rng, by_level[lvl], unit_cum[lvl])
            key = (unit.agency_id, day)
            sequence[key] = sequence.get(key, 0) + 1
            yield _dossier(rng, unit, procedure, day, sequence[key], last_day)
        made += count


def _dossier(rng, unit: _Unit, procedure: _Procedure, day: date, seq: int, last_day: date) -> dict:
    r = rng.random
    code = f"{unit.agency_id}-{day:%y%m%d}-{seq:04d}"
    online_share = {"full": 0.65, "partial": 0.30, "none": 0.0}[procedure.online]
    channel = 2 if r() < online_share else 3 if r() < 0.05 else 1
    received_minute = rng.randrange(480)
    received = _stamp(day, received_minute)
    limit_days = procedure.working_days or 1
    due_day = _add_working_days(day, limit_days)
    due = f"{due_day.isoformat()}T17:00:00{TZ}"
    payload: dict = {
        "kind": "dossier",
        "MaHoSo": code,
        "MaTTHC": procedure.code,
        "DonViXuLy": unit.code,
        "KenhThucHien": channel,
        "NgayTiepNhan": received,
        "NgayHenTra": due,
        "ChuHoSo": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "SoGiayToChuHoSo": f"0{rng.randrange(10**10, 10**11)}",
        "SoDienThoai": f"09{rng.randrange(10**7, 10**8)}",
        "DiaChiChuHoSo": f"Thôn {rng.randrange(1, 20)}, {unit.name.removeprefix('UBND ')}",
        "TrichYeuHoSo": procedure.name,
        "HoSoCoThanhPhanSoHoa": "1" if r() < (0.9 if channel == 2 else 0.45) else "0",
        "DongBoCongDVCQG": "1" if r() < 0.8 else "0",
    }
    if procedure.fee:
        payload["DanhSachLePhi"] = [{"TenPhiLePhi": "Lệ phí", "Gia": procedure.fee}]
        paid = r() < (0.55 if channel == 2 else 0.05)
        payload["DuocThanhToanTrucTuyen"] = "1" if paid else "0"
    if r() < 0.15:
        reused = r() < 0.5
        payload["TaiLieuNop"] = [
            {
                "TenTepDinhKem": "Tờ khai",
                "DuocSoHoa": "1",
                "DuocTaiSuDung": "1" if reused else "0",
            },
            {"TenTepDinhKem": "Giấy tờ tùy thân", "DuocSoHoa": "1" if r() < 0.8 else "0"},
        ]

    # How long processing takes, as a share of the time limit: most end early or on the due day.
    x = r()
    share = rng.uniform(0.1, 0.95) if x < 0.45 else 1.0 if x < 0.87 else rng.uniform(1.1, 2.5)
    supplements = 2 if r() < 0.015 else 1 if r() < 0.08 else 0
    end_day = _add_working_days(day, max(0, round(limit_days * share)) + 3 * supplements)
    stuck = r() < 0.004  # forgotten dossiers: the overdue stock that never drains
    if channel == 2 and r() < 0.02:
        state = 3  # refused at intake: counts nowhere
        payload["NgayTuChoi"] = _stamp(day, 479)
        payload["NgayKetThucXuLy"] = payload["NgayTuChoi"]
    elif end_day > last_day or stuck:
        state = rng.choices((2, 4, 5, 6), (10, 72, 12, 6))[0]
        if state == 2 and channel == 2 and r() < 0.3:
            state = 1
    else:
        x = r()
        state = 10 if x < 0.88 else 9 if x < 0.95 else 8 if x < 0.975 else 7
        # Never before receipt on the same day, and returned no earlier than ended.
        end_minute = rng.randrange(received_minute if end_day == day else 0, 480)
        ended = _stamp(end_day, end_minute)
        payload["NgayKetThucXuLy"] = ended
        if state == 9 and r() < 0.15:
            payload["NgayTuChoi"] = ended
        if state == 10:
            return_day = _add_working_days(end_day, rng.choice((0, 0, 1, 2)))
            minute = rng.randrange(end_minute if return_day == end_day else 0, 480)
            payload["NgayTra"] = _stamp(return_day, minute)
        if state in (9, 10):
            with_file = r() < (0.95 if procedure.result == "electronic" else 0.5)
            result = {"TenGiayTo": f"Kết quả {procedure.name.lower()}"}
            if with_file:
                result["DuongDanTepTinKetQua"] = f"ket-qua/{code}.pdf"
            payload["DanhSachGiayToKetQua"] = [result]
    payload["TrangThaiHoSo"] = state
    if supplements or state == 5:
        entries = []
        for i in range(max(supplements, 1)):
            asked = _add_working_days(day, 1 + 3 * i)
            entry = {"NgayBoSung": _stamp(asked, 60), "NoiDungBoSung": "Bổ sung giấy tờ"}
            waiting = state == 5 and i == max(supplements, 1) - 1
            if not waiting:
                entry["NgayTiepNhanBoSung"] = _stamp(_add_working_days(asked, 2), 120)
            entries.append(entry)
        payload["DanhSachHoSoBoSung"] = entries
    return payload


def write(options: Options, out: TextIO) -> dict[str, int]:
    """Write the file; returns how many lines of each kind were written."""
    counts = {"unit": 0, "procedure": 0, "target": 0, "dossier": 0}
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    buffer: list[str] = []
    for obj in lines(options):
        counts[obj["kind"]] += 1
        buffer.append(dumps(obj))
        if len(buffer) >= 10_000:
            out.write("\n".join(buffer) + "\n")
            buffer.clear()
    if buffer:
        out.write("\n".join(buffer) + "\n")
    return counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Options()
    parser.add_argument("--dossiers", type=int, default=defaults.dossiers)
    parser.add_argument("--units", type=int, default=defaults.units)
    parser.add_argument("--procedures", type=int, default=defaults.procedures)
    parser.add_argument("--years", type=int, default=defaults.years)
    parser.add_argument("--end-year", type=int, default=defaults.end_year)
    parser.add_argument("--seed", type=int, default=defaults.seed)


def options_from(args) -> Options:
    return Options(
        dossiers=args.dossiers,
        units=args.units,
        procedures=args.procedures,
        years=args.years,
        end_year=args.end_year,
        seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--out", default="-", help="file to write; - for standard output")
    args = parser.parse_args(argv)
    options = options_from(args)
    if args.out == "-":
        counts = write(options, sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            counts = write(options, out)
    print(json.dumps(counts), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
