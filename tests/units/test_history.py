"""Units with history: a code reused after a reorganisation names two units, never on the same day
(the service and the database both refuse an overlap); one lookup by code on a date; mergers and
splits recorded with successors; a reorganisation decision applied from a file."""

import itertools
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.units.models import SuccessionKind, Unit, UnitSuccession
from motcua.units.reorganisation import reorganisation_parse
from motcua.units.selectors import (
    unit_get_by_code,
    unit_is_current,
    unit_predecessors,
    unit_successors,
)
from motcua.units.services import unit_merge, unit_reorganise, unit_split, unit_upsert

JUNE_30 = date(2025, 6, 30)
_RUNS = itertools.count()
JULY_1 = date(2025, 7, 1)


def _old_and_new_tu_ky(tree):
    old, _ = unit_upsert(
        code="11074",
        name="UBND thị trấn Tứ Kỳ",
        level="commune",
        parent=tree.district,
        valid_to=JUNE_30,
    )
    hai_phong, _ = unit_upsert(
        code="31", name="UBND thành phố Hải Phòng", level="province", valid_from=JULY_1
    )
    new, _ = unit_upsert(
        code="11074",
        name="UBND xã Tứ Kỳ",
        level="commune",
        parent=hai_phong,
        valid_from=JULY_1,
    )
    return old, new


def test_a_reused_code_names_two_units_found_by_date(tree):
    old, new = _old_and_new_tu_ky(tree)
    assert old.pk != new.pk
    assert unit_get_by_code(code="11074", on=date(2023, 5, 1)) == old
    assert unit_get_by_code(code="11074", on=JUNE_30) == old
    assert unit_get_by_code(code="11074", on=JULY_1) == new
    assert unit_get_by_code(code="11074@2025-06-30") == old
    # Today: the new commune; a code whose unit has ended is still found (its history).
    assert unit_get_by_code(code="11074") == new
    unit_upsert(code="298", name="UBND huyện Tứ Kỳ", level="district", parent=tree.province)
    assert unit_get_by_code(code="nope") is None
    assert unit_get_by_code(code="11074@not-a-date") is None


def test_updating_a_reused_code_addresses_the_unit_of_its_period(tree):
    old, new = _old_and_new_tu_ky(tree)
    renamed, created = unit_upsert(
        code="11074",
        name="UBND xã Tứ Kỳ (mới)",
        level="commune",
        parent=new.parent,
        valid_from=JULY_1,
    )
    assert not created and renamed.pk == new.pk
    old.refresh_from_db()
    assert old.name == "UBND thị trấn Tứ Kỳ"
    with pytest.raises(ValidationFailed) as error:
        unit_upsert(code="11074", name="?", level="commune")  # both periods: say which
    assert error.value.code == "unit_code_ambiguous"


def test_the_service_refuses_overlapping_validity(tree):
    _old, new = _old_and_new_tu_ky(tree)
    with pytest.raises(ValidationFailed) as error:
        unit_upsert(
            code="11074",
            name="UBND xã Tứ Kỳ",
            level="commune",
            parent=new.parent,
            valid_from=date(2025, 6, 1),
        )
    assert error.value.code in {"unit_code_validity_overlap", "unit_code_ambiguous"}
    assert Unit.objects.filter(code="11074").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlapping_validity(tree):
    old, new = _old_and_new_tu_ky(tree)
    # Past the service: a raw insert and a raw update must fail too, on SQLite and PostgreSQL.
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(
            code="11074",
            name="x",
            level="commune",
            path="/x/11074/",
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 8, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=old.pk).update(valid_to=JULY_1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=new.pk).update(valid_to=date(2025, 1, 1))  # ends before it starts
    # Adjacent periods are fine.
    Unit.objects.filter(pk=old.pk).update(valid_to=JUNE_30 - timedelta(days=1))
    assert Unit.objects.filter(code="11074").count() == 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=5, unique=True),
    probe=st.integers(min_value=0, max_value=3200),
)
def test_the_lookup_by_date_finds_the_unit_of_that_day(tree, cuts, probe):
    """Consecutive units bearing one code: the lookup on any day returns the one valid that day."""
    Unit.objects.filter(code="9999").delete()
    start = date(2020, 1, 1)
    bounds = [None, *sorted(start + timedelta(days=c) for c in cuts), None]
    units = []
    for n in range(len(bounds) - 1):
        begin, end = bounds[n], bounds[n + 1]
        unit, _ = unit_upsert(
            code="9999",
            name=f"Đơn vị {n}",
            level="commune",
            parent=tree.district,
            valid_from=begin,
            valid_to=end - timedelta(days=1) if end else None,
        )
        units.append(unit)
    day = start + timedelta(days=probe)
    expected = [u for u in units if unit_is_current(unit=u, on=day)]
    assert len(expected) == 1
    assert unit_get_by_code(code="9999", on=day) == expected[0]


def test_merge_and_split_record_successors_and_history(tree):
    lac_phuong, _ = unit_upsert(
        code="11140-LP", name="UBND xã Lạc Phượng", level="commune", valid_from=JULY_1
    )
    unit_merge(unit=tree.cong_lac, successor=lac_phuong, on=JULY_1, decision="1669/NQ-UBTVQH15")
    unit_merge(unit=tree.tien_dong, successor=lac_phuong, on=JULY_1)
    assert tree.cong_lac.valid_to == JUNE_30 and tree.cong_lac.successor == lac_phuong
    assert set(unit_predecessors(unit=lac_phuong)) == {tree.cong_lac, tree.tien_dong}
    assert unit_successors(unit=tree.cong_lac) == [lac_phuong]
    row = UnitSuccession.objects.get(predecessor=tree.cong_lac)
    assert row.kind == SuccessionKind.MERGE and row.decision == "1669/NQ-UBTVQH15"

    # A later split: each part carries the whole history, through both reorganisations.
    north, _ = unit_upsert(
        code="N", name="UBND xã Bắc", level="commune", valid_from=date(2027, 1, 1)
    )
    south, _ = unit_upsert(
        code="S", name="UBND xã Nam", level="commune", valid_from=date(2027, 1, 1)
    )
    unit_split(unit=lac_phuong, successors=[north, south], on=date(2027, 1, 1))
    assert set(unit_predecessors(unit=south)) == {lac_phuong, tree.cong_lac, tree.tien_dong}
    assert set(unit_successors(unit=lac_phuong)) == {north, south}
    with pytest.raises(ValidationFailed) as error:
        unit_merge(unit=north, successor=tree.cong_lac, on=date(2028, 1, 1))
    assert error.value.code in {"unit_merge_cycle", "unit_successor_not_current"}
    with pytest.raises(ValidationFailed) as error:
        unit_split(unit=north, successors=[south], on=date(2028, 1, 1))
    assert error.value.code == "unit_split_successors"


def _decision(tree) -> dict:
    return {
        "decision": "Nghị quyết 1669/NQ-UBTVQH15 ngày 16/6/2025",
        "effective_on": "2025-07-01",
        "create": [
            {"code": "31", "name": "UBND thành phố Hải Phòng", "level": "province"},
            {"code": "11140", "name": "UBND xã Lạc Phượng", "level": "commune", "parent": "31"},
            {"code": "11143", "name": "UBND xã Tiên Hòa", "level": "commune", "parent": "31"},
        ],
        "merge": [
            {"units": ["11140"], "into": "11140"},
            {"units": ["30"], "into": "31"},
        ],
        "split": [{"unit": "11143", "into": ["11140", "11143"]}],
        "end": ["298", "298-TP"],
    }


def test_a_dry_run_reports_and_changes_nothing(tree):
    before = list(Unit.objects.values_list("pk", "code", "valid_to").order_by("pk"))
    result = unit_reorganise(reorganisation=reorganisation_parse(text=json.dumps(_decision(tree))))
    assert not result.applied
    assert any(
        "Sáp nhập: 11140 UBND xã Cộng Lạc → 11140 UBND xã Lạc Phượng" in c for c in result.changes
    )
    assert any(c.startswith("Chia tách: 11143 UBND xã Tiên Động") for c in result.changes)
    assert list(Unit.objects.values_list("pk", "code", "valid_to").order_by("pk")) == before
    assert not UnitSuccession.objects.exists()


def test_applying_a_decision_file_through_the_command(tree, tmp_path):
    path = tmp_path / "1669.json"
    path.write_text(json.dumps(_decision(tree), ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("units", "reorganise", str(path), stdout=out)
    assert "Chạy thử" in out.getvalue() and Unit.objects.filter(code="31").count() == 0

    out = StringIO()
    call_command("units", "reorganise", str(path), "--apply", stdout=out)
    assert "Đã áp dụng" in out.getvalue()
    lac_phuong = unit_get_by_code(code="11140", on=JULY_1)
    old_cong_lac = unit_get_by_code(code="11140", on=JUNE_30)
    assert lac_phuong.name == "UBND xã Lạc Phượng" and old_cong_lac == tree.cong_lac
    assert lac_phuong.parent.code == "31" and lac_phuong.valid_from == JULY_1
    assert set(unit_predecessors(unit=lac_phuong)) == {tree.cong_lac, tree.tien_dong}
    old_province = unit_get_by_code(code="30")
    assert old_province.valid_to == JUNE_30 and old_province.successor.code == "31"
    assert not unit_is_current(unit=unit_get_by_code(code="298"), on=JULY_1)
    # Applying again fails whole: the new units already exist.
    with pytest.raises(CommandError) as error:
        call_command("units", "reorganise", str(path), "--apply", stdout=StringIO())
    assert "unit_code_validity_overlap" in str(error.value)
    # A decision merging only, applied twice: the succession is already recorded.
    again = {"effective_on": "2025-07-01", "merge": [{"units": ["11140"], "into": "11140"}]}
    with pytest.raises(ValidationFailed) as error:
        unit_reorganise(reorganisation=reorganisation_parse(text=json.dumps(again)), apply=True)
    assert error.value.code == "unit_succession_exists"
    # A unit that ended earlier than the day before cannot be ended by the decision.
    stale = {"effective_on": "2025-08-01", "end": ["11140@2025-06-30"]}
    with pytest.raises(ValidationFailed) as error:
        unit_reorganise(reorganisation=reorganisation_parse(text=json.dumps(stale)), apply=True)
    assert error.value.code == "unit_not_found"


def test_a_decision_that_orphans_units_is_refused_whole(tree):
    decision = {"effective_on": "2025-07-01", "end": ["298"]}  # its communes would stay current
    with pytest.raises(ValidationFailed) as error:
        unit_reorganise(reorganisation=reorganisation_parse(text=json.dumps(decision)), apply=True)
    assert error.value.code == "unit_parent_ended"
    assert unit_is_current(unit=Unit.objects.get(pk=tree.district.pk), on=JULY_1)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"effective_on": "1/7/2025"}),
        json.dumps({"effective_on": "2025-07-01", "merge": [{"units": [], "into": "x"}]}),
        json.dumps({"effective_on": "2025-07-01", "create": [{"code": "x"}]}),
        json.dumps({"effective_on": "2025-07-01", "rename": []}),
    ],
)
def test_a_malformed_file_is_refused_in_vietnamese(text):
    with pytest.raises(ValidationFailed) as error:
        reorganisation_parse(text=text)
    assert error.value.code == "reorganisation_file_invalid"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    merges=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 2)),
        min_size=1,
        max_size=6,
        unique_by=lambda m: m[0],
    ),
    province_too=st.booleans(),
    pick=st.integers(0, 3),
)
def test_history_roots_are_disjoint_and_cover_every_predecessor(db, merges, province_too, pick):
    """Whatever merged into whatever: the subtrees summed for a unit with its predecessors never
    nest (a dossier counts once) and hold every predecessor (none is lost)."""
    from motcua.units.selectors import unit_history_roots

    run = next(_RUNS)  # fresh codes each example (units cannot be deleted: PROTECT)

    def commune(n: str, parent: Unit, **validity) -> Unit:
        return unit_upsert(
            code=f"{run}-{n}", name=f"Xã {n}", level="commune", parent=parent, **validity
        )[0]

    old, _ = unit_upsert(code=f"P{run}", name="Tỉnh cũ", level="province", valid_to=JUNE_30)
    olds = [commune(f"1{n}", old, valid_to=JUNE_30) for n in range(5)]
    new, _ = unit_upsert(code=f"Q{run}", name="Thành phố", level="province", valid_from=JULY_1)
    news = [commune(f"2{n}", new, valid_from=JULY_1) for n in range(3)]
    for source, target in merges:
        unit_merge(unit=olds[source], successor=news[target], on=JULY_1)
    if province_too:
        unit_merge(unit=old, successor=new, on=JULY_1)
    unit = [new, *news][pick]
    roots = unit_history_roots(unit=unit, with_predecessors=True)
    for a in roots:
        for b in roots:
            assert a.pk == b.pk or not a.path.startswith(b.path)
    for predecessor in [unit, *unit_predecessors(unit=unit)]:
        assert any(predecessor.path.startswith(r.path) for r in roots)
