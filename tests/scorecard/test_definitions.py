import copy
import json
from decimal import Decimal

import pytest

from motcua.core.errors import ValidationFailed
from motcua.scorecard.definitions import (
    VERSIONS_DIR,
    DefinitionError,
    scorecard_definition_get,
    scorecard_definition_parse,
    scorecard_versions_list,
)
from motcua.scorecard.formulas import FORMULAS
from motcua.scorecard.qd766 import FORMULAS_766


def test_both_versions_load_with_100_points():
    assert {"portal-2024", "qd766"} <= set(scorecard_versions_list())
    for version in scorecard_versions_list():
        definition = scorecard_definition_get(version=version)
        assert definition.key == version
        assert definition.max == 100
        for group in definition.groups:
            assert group.max == sum(i.max for i in group.indicators)
        assert {i.formula for i in definition.indicators()} <= set(FORMULAS) | set(FORMULAS_766)


def test_qd766_is_the_default_with_five_groups_numbered_as_the_portal(settings):
    default = scorecard_definition_get()
    assert default.key == "qd766"
    assert [(g.key, g.max) for g in default.groups] == [
        ("publicity", 18),
        ("progress", 20),
        ("online_services", 22),
        ("digitization", 22),
        ("satisfaction", 18),
    ]
    thresholds = {i.id: i.threshold for i in default.indicators() if i.threshold is not None}
    assert thresholds == {
        "3.1": 80,
        "3.3": 50,
        "3.5": 80,
        "4.2": 80,
        "4.3": 80,
        "5.4": 90,
    }
    # Only the points a source confirms (2.1 20, 1.2 4, 5.4 6) and the display-only 2.2 and 5.1
    # are not marked unconfirmed.
    confirmed = {i.id for i in default.indicators() if not i.points_unconfirmed}
    assert confirmed == {"1.2", "2.1", "2.2", "5.1", "5.4"}
    assert default.indicator("2.1") is default.indicator("on_time")
    assert default.indicator("5.1").display and default.indicator("5.1").max == 0
    assert default.indicator("2.2").display and default.indicator("2.2").max == 0


def test_portal_version_keeps_its_six_groups():
    portal = scorecard_definition_get(version="portal-2024")
    assert [(g.key, g.max) for g in portal.groups] == [
        ("publicity", 18),
        ("progress", 20),
        ("online_services", 12),
        ("online_payment", 10),
        ("digitization", 22),
        ("satisfaction", 18),
    ]
    assert portal.indicator("dossiers_digitized").threshold == Decimal(80)
    assert portal.indicator("payment_procedures_used").unconfirmed


def test_a_scored_indicator_needs_points_and_a_display_one_none():
    data = json.loads((VERSIONS_DIR / "qd766.json").read_text(encoding="utf-8"))
    data["groups"][4]["indicators"][0]["max"] = 1
    data["groups"][4]["max"] = 19
    with pytest.raises(DefinitionError, match="chỉ hiển thị"):
        scorecard_definition_parse(data=data)
    data = json.loads((VERSIONS_DIR / "qd766.json").read_text(encoding="utf-8"))
    data["groups"][0]["indicators"][0]["max"] = 0
    with pytest.raises(DefinitionError, match="số dương"):
        scorecard_definition_parse(data=data)


def _portal_data() -> dict:
    return json.loads((VERSIONS_DIR / "portal-2024.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda d: d["groups"][0].update(max=17), "cộng lại"),
        (lambda d: d["groups"][1]["indicators"][0].update(max=19), "cộng lại"),
        (lambda d: d["groups"].pop(), "tổng"),
        (lambda d: d["groups"][0]["indicators"][0].update(formula="bogus"), "công thức"),
        (lambda d: d["groups"][0]["indicators"][0].update(threshold=120), "ngưỡng"),
        (lambda d: d["groups"][0]["indicators"][1].update(key="published_on_time"), "trùng"),
        (lambda d: d["groups"][0]["indicators"][0].update(name=""), "name"),
    ],
)
def test_invalid_definitions_are_refused(breakage, message):
    data = copy.deepcopy(_portal_data())
    breakage(data)
    with pytest.raises(DefinitionError, match=message):
        scorecard_definition_parse(data=data)


def test_unknown_version_and_indicator_are_domain_errors():
    with pytest.raises(ValidationFailed) as excinfo:
        scorecard_definition_get(version="qd999")
    assert excinfo.value.code == "scorecard_version_unknown"
    with pytest.raises(ValidationFailed):
        scorecard_definition_get().indicator("nope")
