"""A reorganisation decision as data (docs/units.md, "Reorganisation file"), read from its file;
`units.services.unit_reorganise` applies it.

Codes in the file are read against two days: the units that end (`merge[].units`, `split[].unit`,
`end`) are those bearing the code the day before `effective_on`; successors and parents (`into`,
`create[].parent`) are those bearing it on `effective_on` — so "merge 11140 into 11140" reads "old
Cộng Lạc into the new Lạc Phượng"."""

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.units.models import UnitLevel


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    level: str
    parent: str | None = None
    short_name: str = ""
    agency_id: str = ""


@dataclass(frozen=True)
class Reorganisation:
    effective_on: date
    decision: str = ""
    create: list[NewUnit] = field(default_factory=list)
    merge: list[tuple[list[str], str]] = field(default_factory=list)  # (units, into)
    split: list[tuple[str, list[str]]] = field(default_factory=list)  # (unit, into)
    end: list[str] = field(default_factory=list)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="reorganisation_file_invalid")


def _codes(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        raise _invalid(f"{where}: cần một danh sách mã đơn vị.")
    return [c.strip() for c in value]


def reorganisation_parse(*, text: str) -> Reorganisation:
    """Read a decision file (JSON); errors name the entry at fault, in Vietnamese."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(f"Tệp không phải JSON hợp lệ (dòng {error.lineno}).") from None
    if not isinstance(data, dict):
        raise _invalid("Tệp phải là một đối tượng JSON.")
    unknown = set(data) - {"decision", "effective_on", "create", "merge", "split", "end"}
    if unknown:
        raise _invalid(f"Khóa không được hỗ trợ: {', '.join(sorted(unknown))}.")
    try:
        effective_on = date.fromisoformat(str(data.get("effective_on", "")))
    except ValueError:
        raise _invalid("effective_on: cần ngày có hiệu lực (YYYY-MM-DD).") from None
    creates = []
    for n, item in enumerate(data.get("create", []), start=1):
        if not isinstance(item, dict) or not {"code", "name", "level"} <= set(item):
            raise _invalid(f"create[{n}]: cần code, name, level.")
        extra = set(item) - {"code", "name", "level", "parent", "short_name", "agency_id"}
        if extra:
            raise _invalid(f"create[{n}]: khóa không được hỗ trợ: {', '.join(sorted(extra))}.")
        if item["level"] not in UnitLevel.values:
            raise _invalid(f"create[{n}]: cấp “{item['level']}” không hợp lệ.")
        creates.append(
            NewUnit(**{k: (v.strip() if isinstance(v, str) else v) for k, v in item.items()})
        )
    merges = []
    for n, item in enumerate(data.get("merge", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("into"), str):
            raise _invalid(f"merge[{n}]: cần units và into.")
        merges.append((_codes(item.get("units"), f"merge[{n}].units"), item["into"].strip()))
    splits = []
    for n, item in enumerate(data.get("split", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("unit"), str):
            raise _invalid(f"split[{n}]: cần unit và into.")
        splits.append((item["unit"].strip(), _codes(item.get("into"), f"split[{n}].into")))
    ends = _codes(data["end"], "end") if data.get("end") else []
    return Reorganisation(
        effective_on=effective_on,
        decision=str(data.get("decision", "")).strip(),
        create=creates,
        merge=merges,
        split=splits,
        end=ends,
    )
