import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


PERIOD = ("--from", "2024-03-01", "--to", "2024-03-31")
OLD = ("--version", "portal-2024")


def test_scorecard_json_is_the_contract(tree, march):
    data = json.loads(run("scorecard", "--unit", "11143", *PERIOD, "--json"))
    assert list(data) == ["version", "unit", "from", "to", "points", "max", "groups"]
    assert (data["version"], data["unit"], data["from"], data["to"], data["max"]) == (
        "qd766",
        "11143",
        "2024-03-01",
        "2024-03-31",
        100,
    )
    assert [(g["key"], g["max"]) for g in data["groups"]] == [
        ("publicity", 18),
        ("progress", 20),
        ("online_services", 22),
        ("digitization", 22),
        ("satisfaction", 18),
    ]
    for group in data["groups"]:
        assert list(group) == ["key", "name", "max", "points", "indicators"]
        for item in group["indicators"]:
            assert list(item) == [
                "id",
                "key",
                "name",
                "max",
                "threshold",
                "numerator",
                "denominator",
                "rate",
                "points",
                "status",
                "reason",
            ]
            assert item["status"] in {"ok", "no_data", "unavailable"}
            assert (item["reason"] is None) == (item["status"] == "ok")
    ids = [i["id"] for g in data["groups"] for i in g["indicators"]]
    assert ids[:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"] and ids[-1] == "5.4"
    on_time = data["groups"][1]["indicators"][0]
    # D1, D5, D6 ended on time; D4 open within its deadline; D2 late; D3 open and overdue.
    assert (on_time["numerator"], on_time["denominator"], on_time["rate"]) == (4, 6, 66.67)
    assert on_time["points"] == 13.33
    synced = data["groups"][0]["indicators"][3]
    assert synced["status"] == "unavailable" and synced["points"] is None and synced["reason"]
    summed = sum(g["points"] for g in data["groups"])
    assert abs(data["points"] - summed) < 0.001


def test_scorecard_version_option_keeps_the_portal_2024_layout(tree, march):
    data = json.loads(
        run("scorecard", "--unit", "11143", *PERIOD, "--version", "portal-2024", "--json")
    )
    assert data["version"] == "portal-2024" and len(data["groups"]) == 6
    assert data["groups"][1]["indicators"][0]["id"] == "dossiers_on_time"


def test_scorecard_text_is_vietnamese(tree, march):
    text = run("scorecard", "--unit", "11143", *PERIOD, "--version", "portal-2024")
    assert "Tổng: 31,83/66 điểm tính được (48,23%)" in text
    assert (
        "dossiers_on_time Hồ sơ giải quyết trước và đúng hạn: 66,67% (4/6) — 13,33/20 điểm" in text
    )
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
        run("rank", "units", "--unit", "298", "--level", "commune", *PERIOD, *OLD, "--json")
    )
    assert [r["unit"]["code"] for r in units["rows"]] == ["11140", "11143"]
    assert units["rows"][0]["points"] == 55.66 and units["rows"][0]["band"] == "Tốt"
    assert units["bands"][0] == ["Xuất sắc", 90]
    officials = json.loads(run("rank", "officials", "--unit", "298", *PERIOD, "--json"))
    assert officials["rows"] and {"rank", "user", "rate", "band"} <= set(officials["rows"][0])
    text = run("rank", "units", "--unit", "298", "--level", "commune", *PERIOD, *OLD)
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


def test_scorecard_text_for_qd766_numbers_indicators_and_says_why_not(tree, march, monkeypatch):
    from motcua.scorecard import sources

    monkeypatch.setattr(sources, "feedback_installed", lambda: False)
    text = run("scorecard", "--unit", "11143", *PERIOD)
    assert "2.1 Hồ sơ giải quyết trước và đúng hạn: 66,67% (4/6) — 13,33/20 điểm" in text
    assert "5.4 " in text and "Chưa cài đặt phân hệ phản ánh" in text
    assert "số điểm chưa xác nhận" in text
