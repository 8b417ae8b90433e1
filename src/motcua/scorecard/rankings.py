"""Ranking units by their scorecard and officials by their control slips.

No official rating bands exist (docs/domain.md §7): the bands are local policy, read from the setting
`MOTCUA_RANKING_BANDS` — [[label, minimum percent], …] from the best band down, the last at 0.

A unit or an official without data for the period is not ranked: an indicator with a zero
denominator scores full points, so a unit with no dossiers would otherwise top the list. Such rows
come after the ranked ones with `no_data: true`, `rank` and `band` null ("chưa có dữ liệu")."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q

from motcua.core.errors import ValidationFailed
from motcua.core.replica import figures_read
from motcua.core.text import vi_sort_key
from motcua.dossiers.models import DossierStep
from motcua.indicators.rules import period_bounds
from motcua.indicators.selectors import Rate, subtree_form06
from motcua.scorecard.definitions import DEFAULT_VERSION, scorecard_definition_get
from motcua.scorecard.selectors import period_validate, scorecards_compute
from motcua.units.models import Unit, UnitLevel

DEFAULT_BANDS = (
    ("Xuất sắc", 90),
    ("Tốt", 80),
    ("Khá", 65),
    ("Trung bình", 50),
    ("Yếu", 0),
)


def ranking_bands() -> list[tuple[str, Decimal]]:
    raw = getattr(settings, "MOTCUA_RANKING_BANDS", DEFAULT_BANDS)
    try:
        bands = [(str(label), Decimal(str(minimum))) for label, minimum in raw]
    except (TypeError, ValueError, ArithmeticError):
        raise ImproperlyConfigured(
            "MOTCUA_RANKING_BANDS phải là danh sách [tên mức, điểm phần trăm tối thiểu]."
        ) from None
    minimums = [m for _, m in bands]
    if not bands or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
        raise ImproperlyConfigured(
            "MOTCUA_RANKING_BANDS: các mức xếp từ cao xuống thấp, mức cuối có tối thiểu 0."
        )
    return bands


def band_for(percent: Decimal | None, bands: list[tuple[str, Decimal]]) -> str | None:
    if percent is None:
        return None
    return next(label for label, minimum in bands if percent >= minimum)


NO_DATA_LABEL = "Chưa có dữ liệu"


def _ranked(rows: list[dict], key, rest_key=None) -> list[dict]:
    """Sort best first and number them; equal keys share a rank (1, 2, 2, 4). Rows with
    `no_data` are not ranked: they follow, ordered by `rest_key`, with `rank` and `band` None."""
    unranked = [row for row in rows if row.get("no_data")]
    if rest_key is not None:
        unranked.sort(key=rest_key)
    for row in unranked:
        row["rank"] = row["band"] = None
    rows[:] = [row for row in rows if not row.get("no_data")]
    rows.sort(key=key)
    previous = None
    for position, row in enumerate(rows, start=1):
        current = key(row)[:-1]  # the last element only breaks ties for a stable order
        if current != previous:
            row["rank"] = position
            previous = current
        else:
            row["rank"] = rows[position - 2]["rank"]
    rows.extend(unranked)
    return rows


def _units_to_rank(*, parent: Unit, level: str | None, start: date, end: date) -> list[Unit]:
    if level is None:
        units = Unit.objects.filter(parent=parent)
    else:
        if level not in UnitLevel.values:
            raise ValidationFailed(
                f"Cấp đơn vị không hợp lệ: “{level}”; có: {', '.join(UnitLevel.values)}.",
                code="unit_level_invalid",
            )
        units = Unit.objects.filter(path__startswith=parent.path, level=level).exclude(pk=parent.pk)
    # Units merged away before the period (or created after it) have nothing to rank.
    return list(
        units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("path")
    )


@figures_read
def units_rank(
    *,
    parent: Unit,
    start: date,
    end: date,
    level: str | None = None,
    version: str = DEFAULT_VERSION,
    by: str = "total",
) -> list[dict]:
    """The units under `parent` (its children, or every unit of `level` in its subtree), each scored
    over its own subtree, ranked by total points or by one group's points. Bands apply to the share of
    the points that could be scored (unavailable indicators would otherwise cap every unit)."""
    definition = scorecard_definition_get(version=version)
    group_keys = [g.key for g in definition.groups]
    if by != "total" and by not in group_keys:
        raise ValidationFailed(
            f"Tiêu chí xếp hạng không hợp lệ: “{by}”; có: total, {', '.join(group_keys)}.",
            code="ranking_by_invalid",
        )
    units = _units_to_rank(parent=parent, level=level, start=start, end=end)
    cards = scorecards_compute(root=parent, units=units, start=start, end=end, version=version)
    # Dossiers to process in the period (form 06 col 3: received in it or carried over into it).
    form06 = subtree_form06(unit_ids=[u.pk for u in units], start=start, end=end)
    bands = ranking_bands()
    rows = []
    for unit in units:
        card = cards[unit.pk]
        scored = (
            card["total"] if by == "total" else next(g for g in card["groups"] if g["key"] == by)
        )
        rows.append(
            {
                "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
                "points": scored["points"],
                "max_available": scored["max_available"],
                "unavailable_points": scored["unavailable_points"],
                "no_data_points": scored["no_data_points"],
                "percent_of_available": scored["percent_of_available"],
                "band": band_for(scored["percent_of_available"], bands),
                "groups": {g["key"]: g["points"] for g in card["groups"]},
                "dossiers": form06[unit.pk].received_total,
                "no_data": form06[unit.pk].received_total == 0,
                "path": unit.path,
            }
        )
    # Ties in Vietnamese order of names (the last element of the key only orders, see _ranked).
    _ranked(
        rows,
        key=lambda r: (-r["points"], (vi_sort_key(r["unit"]["name"]), r["path"])),
        rest_key=lambda r: (vi_sort_key(r["unit"]["name"]), r["path"]),
    )
    for row in rows:
        del row["path"]
    return rows


@figures_read
def officials_rank(*, unit: Unit, start: date, end: date) -> list[dict]:
    """Staff who finished control-slip steps in the unit's subtree during the period, ranked by the
    share finished on time (steps without a deadline do not count in it), then by the citizens'
    mean rating of the dossiers they worked on (feedback.selectors.official_ratings), then by
    volume."""
    from motcua.feedback.selectors import official_ratings

    period_validate(start=start, end=end)
    ratings = official_ratings(unit=unit, start=start, end=end)
    s, e = period_bounds(start=start, end=end)
    rows = (
        DossierStep.objects.filter(
            unit__path__startswith=unit.path,
            finished_at__gte=s,
            finished_at__lt=e,
            finished_by__isnull=False,
        )
        .values(
            "finished_by_id",
            "finished_by__username",
            "finished_by__first_name",
            "finished_by__last_name",
        )
        .annotate(
            finished=Count("pk"),
            timed=Count("pk", filter=Q(on_time__isnull=False)),
            on_time=Count("pk", filter=Q(on_time=True)),
        )
    )
    bands = ranking_bands()
    out = []
    for row in rows:
        full_name = f"{row['finished_by__first_name']} {row['finished_by__last_name']}".strip()
        percent = Rate(row["on_time"], row["timed"]).percent
        rated, mean = ratings.get(row["finished_by_id"], (0, None))
        out.append(
            {
                "user": {
                    "username": row["finished_by__username"],
                    "name": full_name or row["finished_by__username"],
                },
                "finished": row["finished"],
                "timed": row["timed"],
                "on_time": row["on_time"],
                "late": row["timed"] - row["on_time"],
                "rate": percent,
                "band": band_for(percent, bands),
                "ratings": rated,
                "rating_average": round(Decimal(str(mean)), 2) if mean is not None else None,
                # Only steps without a deadline: nothing to be on time against.
                "no_data": percent is None,
            }
        )
    return _ranked(
        out,
        key=lambda r: (
            -r["rate"],
            -(r["rating_average"] or 0),
            -r["on_time"],
            -r["finished"],
            r["user"]["username"],
        ),
        rest_key=lambda r: (-r["finished"], r["user"]["username"]),
    )
