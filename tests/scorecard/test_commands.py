import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


PERIOD = ("--from", "2024-03-01", "--to", "2024-03-31")


def test_scorecard_json_shape(tree, march):
    data = json.loads(run("scorecard", "--unit", "11143", *PERIOD, "--json"))
    assert set(data) == {"version", "title", "unit", "start", "end", "groups", "total"}
    assert (data["version"], data["start"], data["end"]) == (
        "portal-2024",
        "2024-03-01",
        "2024-03-31",
    )
    assert data["total"] == {
        "points": 31.83,
        "max_available": 66,
        "max": 100,
        "unavailable_points": 34,
        "no_data_points": 0,
        "percent_of_available": 48.23,
    }
    assert [g["key"] for g in data["groups"]][:2] == ["publicity", "progress"]
    on_time = data["groups"][1]["indicators"][0]
    assert on_time == {
        "key": "dossiers_on_time",
        "name": "Hồ sơ giải quyết trước và đúng hạn",
        "formula": "dossiers_on_time",
        "max": 20,
        "threshold": None,
        "unconfirmed": False,
        "note": on_time["note"],
        "status": "ok",
        "no_data": False,
        "numerator": 4,
        "denominator": 6,
        "rate": 66.67,
        "points": 13.33,
    }
    synced = data["groups"][0]["indicators"][3]
    assert synced["status"] == "unavailable" and synced["points"] is None


def test_scorecard_version_option(tree, march):
    data = json.loads(
        run("scorecard", "--unit", "11143", *PERIOD, "--version", "qd766-2022", "--json")
    )
    assert data["version"] == "qd766-2022" and len(data["groups"]) == 5


def test_scorecard_text_is_vietnamese(tree, march):
    text = run("scorecard", "--unit", "11143", *PERIOD)
    assert "Tổng: 31,83/66 điểm tính được (48,23%)" in text
    assert "Hồ sơ giải quyết trước và đúng hạn: 66,67% (4/6) — 13,33/20 điểm" in text
    assert "chưa tính được" in text
    assert "01/03/2024 – 31/03/2024" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (("--unit", "999", *PERIOD), "Không tìm thấy đơn vị"),
        (("--unit", "11143", "--from", "01/03/2024", "--to", "2024-03-31"), "không hợp lệ"),
        (("--unit", "11143", "--from", "2024-03-31", "--to", "2024-03-01"), "Ngày cuối kỳ"),
        (("--unit", "11143", *PERIOD, "--version", "qd999"), "Không có phiên bản"),
    ],
)
def test_scorecard_bad_input(tree, args, message):
    with pytest.raises(CommandError, match=message):
        run("scorecard", *args)


def test_rank_units_and_officials_json(tree, march):
    units = json.loads(
        run("rank", "units", "--unit", "298", "--level", "commune", *PERIOD, "--json")
    )
    assert [r["unit"]["code"] for r in units["rows"]] == ["11140", "11143"]
    assert units["rows"][0]["points"] == 55.66 and units["rows"][0]["band"] == "Tốt"
    assert units["bands"][0] == ["Xuất sắc", 90]
    officials = json.loads(run("rank", "officials", "--unit", "298", *PERIOD, "--json"))
    assert officials["rows"] and {"rank", "user", "rate", "band"} <= set(officials["rows"][0])
    text = run("rank", "units", "--unit", "298", "--level", "commune", *PERIOD)
    assert "1. UBND xã Cộng Lạc (11140): 55,66/66 điểm tính được (84,33%) — Tốt" in text


def test_rank_lists_units_without_data_apart(tree, march):
    data = json.loads(run("rank", "units", "--unit", "298", *PERIOD, "--json"))
    last = data["rows"][-1]
    assert (last["unit"]["code"], last["rank"], last["band"], last["no_data"]) == (
        "298-TP",
        None,
        None,
        True,
    )
    assert [r["rank"] for r in data["rows"][:2]] == [1, 2]
    text = run("rank", "units", "--unit", "298", *PERIOD)
    ranked, _, apart = text.partition("Chưa có dữ liệu (không xếp hạng):")
    assert "Phòng Tư pháp" not in ranked and "Xuất sắc" not in text
    assert "Phòng Tư pháp huyện Tứ Kỳ (298-TP): không có hồ sơ trong kỳ" in apart


def test_rank_bad_group(tree):
    with pytest.raises(CommandError, match="Tiêu chí xếp hạng"):
        run("rank", "units", "--unit", "298", *PERIOD, "--by", "bogus")
