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


def test_both_versions_load_with_100_points():
    assert {"portal-2024", "qd766-2022"} <= set(scorecard_versions_list())
    for version in scorecard_versions_list():
        definition = scorecard_definition_get(version=version)
        assert definition.key == version
        assert definition.max == 100
        for group in definition.groups:
            assert group.max == sum(i.max for i in group.indicators)
        assert {i.formula for i in definition.indicators()} <= set(FORMULAS)


def test_portal_version_has_six_groups_and_2022_five_with_the_same_indicators():
    portal = scorecard_definition_get(version="portal-2024")
    signed = scorecard_definition_get(version="qd766-2022")
    assert [(g.key, g.max) for g in portal.groups] == [
        ("publicity", 18),
        ("progress", 20),
        ("online_services", 12),
        ("online_payment", 10),
        ("digitization", 22),
        ("satisfaction", 18),
    ]
    assert [g.max for g in signed.groups] == [18, 20, 22, 22, 18]

    def points(d):
        return sorted((i.key, i.max, i.threshold, i.formula) for i in d.indicators())

    assert points(portal) == points(signed)
    assert portal.indicator("dossiers_digitized").threshold == Decimal(80)
    assert portal.indicator("payment_procedures_used").unconfirmed


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
