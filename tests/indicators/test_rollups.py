"""Rollups: the spans tile any period exactly, and the stored rollups always equal the daily
counters summed by hand — after events, a rebuild, a procedure changing class and a unit moving."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.models import Procedure
from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.counters import counters_rebuild, rollups_rebuild
from motcua.indicators.models import COUNTER_COLUMNS, DailyCounter, ProcedureUse, RollupCounter
from motcua.indicators.naive import naive_form06, naive_rates
from motcua.indicators.rollups import USE_COLUMNS, period_spans, prefix_spans, rollup_deltas
from motcua.indicators.selectors import rates_for, subtree_form06
from motcua.scorecard.selectors import DRILLDOWNS, scorecard_compute, scorecard_drilldown
from motcua.units.models import Unit
from motcua.units.services import unit_upsert
from tests.conftest import handed_in, local

OLD = "portal-2024"  # the counter-based version these tests pin (qd766 has its own tests)

days = st.dates(min_value=date(1999, 1, 1), max_value=date(2031, 12, 31))


def span_stop(span: str, first: date) -> date:
    if span == "d":
        return first + timedelta(days=1)
    if span == "m":
        return date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date(first.year + 1, 1, 1)


def tiles(ranges) -> list[tuple[date, date]]:
    """The half-open intervals of days the span ranges cover, in order."""
    out = []
    for span, first, last in ranges:
        start = first
        while start <= last:
            stop = span_stop(span, start)
            out.append((start, stop))
            start = stop
    return out


@given(a=days, b=days)
def test_period_spans_tile_the_period_exactly(a, b):
    start, end = min(a, b), max(a, b)
    ranges = period_spans(start=start, end=end)
    assert len(ranges) <= 5
    intervals = tiles(ranges)
    assert intervals[0][0] == start
    assert intervals[-1][1] == end + timedelta(days=1)
    for (_, stop), (next_start, _) in pairwise(intervals):
        assert stop == next_start  # contiguous, no gap and no overlap
    # Few rows whatever the length: at most 30 days, 11 months and the years at each edge.
    assert len(intervals) <= 2 * (30 + 11) + (end.year - start.year + 1)


@given(before=days)
def test_prefix_spans_cover_everything_before(before):
    ranges = prefix_spans(before=before)
    assert ranges[0][1] == date(1, 1, 1)
    last_span, _, last_first = ranges[-1]
    assert span_stop(last_span, last_first) == before
    # Every range ends where the next begins.
    for (span, _, last), (_, first, _) in pairwise(ranges):
        assert span_stop(span, last) == first


def expected_rollups() -> tuple[dict, dict]:
    """The rollups recomputed from the daily counters by hand: every unit whose path contains the
    counter's unit, for its day, month and year."""
    units = list(Unit.objects.all())
    classes = {p.pk: (p.online_level, p.result_kind) for p in Procedure.objects.all()}
    rollup: dict = defaultdict(Counter)
    use: dict = defaultdict(Counter)
    for row in DailyCounter.objects.values("unit__path", "procedure_id", "day", *COUNTER_COLUMNS):
        counts = Counter({c: row[c] for c in COUNTER_COLUMNS if row[c]})
        for holder in units:
            if not row["unit__path"].startswith(holder.path):
                continue
            for span, first in (
                ("d", row["day"]),
                ("m", date(row["day"].year, row["day"].month, 1)),
                ("y", date(row["day"].year, 1, 1)),
            ):
                rollup[(holder.pk, span, first, *classes[row["procedure_id"]])].update(counts)
                use[(holder.pk, span, first, row["procedure_id"])].update(
                    {c: counts[c] for c in ("received", "received_paid_online") if counts[c]}
                )
    return _nonzero(rollup), _nonzero(use)


def _nonzero(rows: dict) -> dict:
    out = {}
    for key, counts in rows.items():
        kept = {c: v for c, v in counts.items() if v}
        if kept:
            out[key] = kept
    return out


def stored_rollups() -> tuple[dict, dict]:
    rollup = {
        (r["unit_id"], r["span"], r["day"], r["online_level"], r["result_kind"]): {
            c: r[c] for c in COUNTER_COLUMNS if r[c]
        }
        for r in RollupCounter.objects.values(
            "unit_id", "span", "day", "online_level", "result_kind", *COUNTER_COLUMNS
        )
    }
    use = {
        (r["unit_id"], r["span"], r["day"], r["procedure_id"]): {
            c: r[c] for c in ("received", "received_paid_online") if r[c]
        }
        for r in ProcedureUse.objects.values(
            "unit_id", "span", "day", "procedure_id", "received", "received_paid_online"
        )
    }
    return _nonzero(rollup), _nonzero(use)


def assert_rollups_match_daily():
    assert stored_rollups() == expected_rollups()


def file_across_months(staff, tree, procedure):
    """Dossiers received from December 2023 to April 2024 in two communes, some resolved."""
    dossiers = []
    for i, (unit, at) in enumerate(
        [
            (tree.tien_dong, local(2023, 12, 28, 9)),
            (tree.cong_lac, local(2024, 1, 3, 9)),
            (tree.tien_dong, local(2024, 2, 27, 9)),
            (tree.tien_dong, local(2024, 3, 1, 9)),
            (tree.cong_lac, local(2024, 4, 2, 9)),
        ]
    ):
        d = services.dossier_receive(
            actor=staff.desk if unit == tree.tien_dong else staff.other_desk,
            unit=unit,
            procedure=procedure,
            components=handed_in(procedure),
            applicant=Applicant(name=f"Người {i}"),
            at=at,
        )
        if i % 2 == 0:
            services.dossier_record_payment(
                actor=None, dossier=d, amount=8000, online=True, reference=f"P{i}", at=at
            )
        if i % 2 == 0 and unit == tree.tien_dong:
            d = services.dossier_forward(actor=staff.desk, dossier=d, at=at + timedelta(hours=1))
            d = services.dossier_forward(
                actor=staff.processor, dossier=d, at=at + timedelta(hours=2)
            )
            services.dossier_resolve(
                actor=staff.leader, dossier=d, result_summary="KQ", at=at + timedelta(days=2)
            )
        dossiers.append(d)
    return dossiers


def test_rollups_follow_events_and_rebuilds(staff, tree, birth_registration):
    file_across_months(staff, tree, birth_registration)
    assert RollupCounter.objects.exists()
    assert_rollups_match_daily()
    rollups_rebuild()
    assert_rollups_match_daily()
    counters_rebuild()
    assert_rollups_match_daily()


def test_figures_over_spans_equal_the_naive_query(staff, tree, birth_registration):
    file_across_months(staff, tree, birth_registration)
    periods = [
        (date(2023, 12, 1), date(2024, 4, 30)),  # months and days across a year boundary
        (date(2023, 12, 29), date(2024, 3, 1)),
        (date(2024, 1, 1), date(2024, 12, 31)),  # a whole year
        (date(2023, 1, 1), date(2024, 2, 27)),
        (date(2024, 3, 2), date(2024, 3, 31)),  # carried over from the earlier months
    ]
    for start, end in periods:
        for unit in (tree.province, tree.district, tree.tien_dong, tree.cong_lac):
            rates = rates_for(unit=unit, start=start, end=end)
            assert {m: (r.numerator, r.denominator) for m, r in rates.items()} == naive_rates(
                unit=unit, start=start, end=end
            )
            figures = subtree_form06(unit_ids=[unit.pk], start=start, end=end)[unit.pk]
            assert figures.as_dict() == naive_form06(unit=unit, start=start, end=end)


def scorecard_matches_drilldown(unit, start, end):
    card = scorecard_compute(version=OLD, unit=unit, start=start, end=end)
    checked = 0
    for group in card["groups"]:
        for item in group["indicators"]:
            if item["formula"] not in DRILLDOWNS or item["status"] == "unavailable":
                continue
            rows = scorecard_drilldown(
                version=OLD, unit=unit, start=start, end=end, indicator=item["key"]
            )
            assert rows.count() == item["denominator"], item["key"]
            assert rows.filter(in_numerator=True).count() == item["numerator"], item["key"]
            checked += 1
    assert checked
    return {i["key"]: i for g in card["groups"] for i in g["indicators"]}


def test_procedure_changing_class_moves_its_counts(staff, tree, birth_registration):
    file_across_months(staff, tree, birth_registration)
    period = (date(2023, 12, 1), date(2024, 4, 30))
    before = scorecard_matches_drilldown(tree.district, *period)
    assert birth_registration.online_level == "full"
    assert before["dossiers_full_online"]["denominator"] == 5
    procedure_upsert(
        code=birth_registration.code,
        name=birth_registration.name,
        field_name=birth_registration.field.name,
        level=birth_registration.level,
        time_limit_value=birth_registration.time_limit_value,
        time_limit_unit=birth_registration.time_limit_unit,
        online_level="partial",
        result_kind="electronic",
    )
    assert_rollups_match_daily()
    after = scorecard_matches_drilldown(tree.district, *period)
    assert after["dossiers_full_online"]["denominator"] == 0
    assert after["results_electronic"]["denominator"] == 0


def test_unit_moving_in_the_tree_moves_its_figures(staff, tree, birth_registration):
    file_across_months(staff, tree, birth_registration)
    period = (date(2023, 12, 1), date(2024, 4, 30))
    other = unit_upsert(code="H2", name="Huyện Khác", level="district", parent=tree.province)[0]
    assert rates_for(unit=other, start=period[0], end=period[1])["online_payment"].denominator == 0
    district_before = rates_for(unit=tree.district, start=period[0], end=period[1])
    moved = unit_upsert(
        code=tree.cong_lac.code, name=tree.cong_lac.name, level="commune", parent=other
    )[0]
    assert moved.path.startswith(other.path)
    assert_rollups_match_daily()
    for unit in (other, tree.district, tree.province):
        unit.refresh_from_db()
        rates = rates_for(unit=unit, start=period[0], end=period[1])
        assert {m: (r.numerator, r.denominator) for m, r in rates.items()} == naive_rates(
            unit=unit, start=period[0], end=period[1]
        )
    moved_away = rates_for(unit=tree.district, start=period[0], end=period[1])
    assert moved_away["online_payment"].denominator < district_before["online_payment"].denominator


def test_copy_path_adds_the_same_as_row_upserts(monkeypatch, staff, tree, birth_registration):
    # On PostgreSQL every upsert now goes through COPY into a staging table (large deltas do).
    from motcua.indicators import counters

    monkeypatch.setattr(counters, "COPY_THRESHOLD", 1)
    file_across_months(staff, tree, birth_registration)
    assert_rollups_match_daily()
    live = counters.counters_snapshot()
    counters_rebuild()
    assert counters.counters_snapshot() == live
    assert_rollups_match_daily()


def test_upgrading_a_database_with_counters_fills_its_rollups(staff, tree, birth_registration):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    fill = importlib.import_module("motcua.indicators.migrations.0003_rollups_fill")
    # The models as they were at that migration, not today's: the step must not need today's code.
    apps = MigrationLoader(connection).project_state(("indicators", "0002_rollups")).apps
    file_across_months(staff, tree, birth_registration)
    RollupCounter.objects.all().delete()
    ProcedureUse.objects.all().delete()  # as before the upgrade: counters, no rollups
    fill.rollups_fill(apps, None)
    assert RollupCounter.objects.exists()
    assert_rollups_match_daily()


def _rollup_deltas_by_hand(delta, *, classes, ancestors):
    """The rule stated plainly: every daily row adds to each subtree × span containing it."""
    rollup, use = defaultdict(Counter), defaultdict(Counter)
    for (unit, procedure, day), counts in delta.items():
        starts = [("d", day), ("m", day.replace(day=1)), ("y", day.replace(month=1, day=1))]
        for subtree in ancestors[unit]:
            for span, first in starts:
                rollup[(subtree, span, first, *classes[procedure])].update(counts)
                use[(subtree, span, first, procedure)].update(
                    {c: v for c, v in counts.items() if c in USE_COLUMNS}
                )

    def vectors(rows, columns):
        out = {key: [counts[c] for c in columns] for key, counts in rows.items()}
        return {key: values for key, values in out.items() if any(values)}

    return vectors(rollup, COUNTER_COLUMNS), vectors(use, USE_COLUMNS)


@given(
    rows=st.dictionaries(
        st.tuples(
            st.sampled_from([11, 12, 21]),
            st.sampled_from([1, 2, 3]),
            st.dates(min_value=date(2023, 12, 25), max_value=date(2024, 2, 5)),
        ),
        st.dictionaries(st.sampled_from(COUNTER_COLUMNS), st.integers(-3, 3), max_size=5),
        max_size=30,
    )
)
def test_rollup_deltas_equal_the_rule_stated_plainly(rows):
    classes = {1: ("full", "paper"), 2: ("full", "paper"), 3: ("none", "electronic")}
    ancestors = {11: (1, 10, 11), 12: (1, 10, 12), 21: (1, 20, 21)}
    delta = {key: Counter(counts) for key, counts in rows.items()}
    assert rollup_deltas(delta, classes=classes, ancestors=ancestors) == _rollup_deltas_by_hand(
        delta, classes=classes, ancestors=ancestors
    )
