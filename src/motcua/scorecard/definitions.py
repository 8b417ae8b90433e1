"""Scorecard versions as data: `versions/<key>.json` lists the groups, indicators, points, thresholds
and the formula each indicator names. A new revision of Decision 766 is a new file, not new code
(unless it names a new formula)."""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.scorecard.formulas import FORMULAS
from motcua.scorecard.qd766 import FORMULAS_766

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"
DEFAULT_VERSION = "qd766"
TOTAL_POINTS = Decimal(100)


class DefinitionError(ValueError):
    """A version file that breaks the rules: a deployment error, not a user's."""


@dataclass(frozen=True)
class IndicatorDefinition:
    key: str
    name: str
    max: Decimal
    threshold: Decimal | None  # percent
    formula: str
    note: str = ""
    unconfirmed: bool = False
    # The portal's number ("2.1"); the key when a version has none.
    id: str = ""
    # No source confirms the points this version gives the indicator.
    points_unconfirmed: bool = False
    # Shown, not scored (max 0).
    display: bool = False
    # Where the rule comes from and how sure it is (docs/scorecard.md's table).
    source: str = ""
    confidence: str = ""


@dataclass(frozen=True)
class GroupDefinition:
    key: str
    name: str
    max: Decimal
    indicators: tuple[IndicatorDefinition, ...]


@dataclass(frozen=True)
class ScorecardDefinition:
    key: str
    title: str
    note: str
    groups: tuple[GroupDefinition, ...]

    @property
    def max(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))

    def indicators(self) -> list[IndicatorDefinition]:
        return [i for g in self.groups for i in g.indicators]

    def indicator(self, key: str) -> IndicatorDefinition:
        for item in self.indicators():
            if key in (item.key, item.id):
                return item
        raise ValidationFailed(
            f"Bộ chỉ số {self.key} không có chỉ số “{key}”.", code="scorecard_indicator_unknown"
        )


def _number(value: Any, where: str, *, zero: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DefinitionError(f"{where}: “{value}” không phải là số.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(f"{where}: “{value}” không phải là số.") from None
    if not number.is_finite() or number < 0 or (number == 0 and not zero):
        raise DefinitionError(f"{where}: phải là số dương (nhận được {value}).")
    return number


def _text(item: dict, name: str, where: str, *, required: bool = True) -> str:
    value = item.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise DefinitionError(f"{where}: thiếu “{name}”.")
    return value.strip()


def _indicator_parse(item: Any, where: str) -> IndicatorDefinition:
    if not isinstance(item, dict):
        raise DefinitionError(f"{where}: mỗi chỉ số phải là một đối tượng.")
    key = _text(item, "key", where)
    where = f"{where}, chỉ số {key}"
    formula = _text(item, "formula", where)
    if formula not in FORMULAS and formula not in FORMULAS_766:
        raise DefinitionError(f"{where}: không có công thức “{formula}”.")
    threshold = item.get("threshold")
    if threshold is not None:
        threshold = _number(threshold, f"{where}, ngưỡng")
        if threshold > 100:
            raise DefinitionError(f"{where}: ngưỡng là phần trăm, tối đa 100.")
    flags = {}
    for name in ("unconfirmed", "points_unconfirmed", "display"):
        flags[name] = item.get(name, False)
        if not isinstance(flags[name], bool):
            raise DefinitionError(f"{where}: “{name}” phải là true hoặc false.")
    maximum = _number(item.get("max"), f"{where}, điểm tối đa", zero=flags["display"])
    if flags["display"] and maximum:
        raise DefinitionError(f"{where}: chỉ số chỉ hiển thị có điểm tối đa 0.")
    return IndicatorDefinition(
        key=key,
        name=_text(item, "name", where),
        max=maximum,
        threshold=threshold,
        formula=formula,
        note=_text(item, "note", where, required=False),
        id=_text(item, "id", where, required=False) or key,
        source=_text(item, "source", where, required=False),
        confidence=_text(item, "confidence", where, required=False),
        **flags,
    )


def scorecard_definition_parse(*, data: Any) -> ScorecardDefinition:
    """Validate a version document: unique keys, known formulas, each group's max equal to the sum of
    its indicators' max, and 100 points in all."""
    if not isinstance(data, dict):
        raise DefinitionError("Bộ chỉ số phải là một đối tượng JSON.")
    key = _text(data, "key", "Bộ chỉ số")
    where = f"Bộ chỉ số {key}"
    groups_data = data.get("groups")
    if not isinstance(groups_data, list) or not groups_data:
        raise DefinitionError(f"{where}: thiếu danh sách nhóm.")
    groups: list[GroupDefinition] = []
    seen: set[str] = set()
    for item in groups_data:
        if not isinstance(item, dict):
            raise DefinitionError(f"{where}: mỗi nhóm phải là một đối tượng.")
        group_key = _text(item, "key", where)
        group_where = f"{where}, nhóm {group_key}"
        indicators_data = item.get("indicators")
        if not isinstance(indicators_data, list) or not indicators_data:
            raise DefinitionError(f"{group_where}: thiếu danh sách chỉ số.")
        indicators = tuple(_indicator_parse(i, group_where) for i in indicators_data)
        for k in (group_key, *(i.key for i in indicators), *(f"#{i.id}" for i in indicators)):
            if k in seen:
                raise DefinitionError(f"{where}: khóa “{k}” bị trùng.")
            seen.add(k)
        group_max = _number(item.get("max"), f"{group_where}, điểm tối đa")
        summed = sum((i.max for i in indicators), Decimal(0))
        if summed != group_max:
            raise DefinitionError(
                f"{group_where}: tối đa {group_max} điểm nhưng các chỉ số cộng lại {summed}."
            )
        groups.append(
            GroupDefinition(
                key=group_key,
                name=_text(item, "name", group_where),
                max=group_max,
                indicators=indicators,
            )
        )
    definition = ScorecardDefinition(
        key=key,
        title=_text(data, "title", where),
        note=_text(data, "note", where, required=False),
        groups=tuple(groups),
    )
    if definition.max != TOTAL_POINTS:
        raise DefinitionError(f"{where}: tổng {definition.max} điểm, phải là {TOTAL_POINTS}.")
    return definition


def scorecard_versions_list() -> list[str]:
    return sorted(p.stem for p in VERSIONS_DIR.glob("*.json"))


@cache
def _load(version: str) -> ScorecardDefinition:
    path = VERSIONS_DIR / f"{version}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"Tệp {path.name} không phải JSON hợp lệ: {exc}") from None
    definition = scorecard_definition_parse(data=data)
    if definition.key != version:
        raise DefinitionError(f"Tệp {path.name} khai báo khóa “{definition.key}”.")
    return definition


def scorecard_definition_get(*, version: str = DEFAULT_VERSION) -> ScorecardDefinition:
    if version not in scorecard_versions_list():
        raise ValidationFailed(
            f"Không có phiên bản bộ chỉ số “{version}”; có: {', '.join(scorecard_versions_list())}.",
            code="scorecard_version_unknown",
        )
    return _load(version)
