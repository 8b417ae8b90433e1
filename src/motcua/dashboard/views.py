"""Supervisors' dashboard: thin views over dashboard.selectors and indicators.selectors."""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motcua.core import timeutil
from motcua.core.errors import DomainError
from motcua.core.figures import figures_cached
from motcua.core.formatting import date_vi
from motcua.core.forms import page_number, plausible_date
from motcua.core.replica import primary_reads
from motcua.core.text import vi_sorted
from motcua.dashboard import charts
from motcua.dashboard.selectors import dashboard_overview, dashboard_trend
from motcua.indicators.models import Metric
from motcua.indicators.planner import NUMERATOR_TEXT
from motcua.indicators.selectors import RATE_COLUMNS, rate_dossiers, rates_for
from motcua.reports.brief import brief_docx
from motcua.reports.form06 import form06_pdf, form06_xlsx
from motcua.reports.rankings import rankings_xlsx
from motcua.reports.selectors import form06_report, rates_report
from motcua.scorecard.rankings import officials_rank, units_rank
from motcua.scorecard.selectors import (
    DRILLDOWNS,
    DRILLDOWNS_766,
    ITEM_DRILLDOWNS_766,
    scorecard_compute,
    scorecard_drilldown,
    scorecard_sets,
)
from motcua.units.models import Unit
from motcua.units.selectors import (
    unit_get_by_code,
    unit_predecessors,
    user_figure_units,
    user_may_view_figures,
)

PAGE_SIZE = 50


def _period(request) -> tuple[date, date, list[str]]:
    """From the query string; default: the year to date. Bad dates fall back with a message."""
    today = timeutil.now().date()
    errors = []
    try:
        start = date.fromisoformat(request.GET.get("from") or f"{today.year}-01-01")
        end = date.fromisoformat(request.GET.get("to") or today.isoformat())
        plausible_date(start)
        plausible_date(end)
    except (ValueError, ValidationError):
        errors.append(
            _("Ngày không hợp lệ (định dạng YYYY-MM-DD); đang hiển thị từ đầu năm đến nay.")
        )
        start, end = date(today.year, 1, 1), today
    if start > end:
        errors.append(_("Ngày bắt đầu sau ngày kết thúc; đã đổi chỗ hai ngày."))
        start, end = end, start
    return start, end, errors


def _unit(request) -> Unit:
    units = user_figure_units(user=request.user)
    if not units:
        raise PermissionDenied
    code = request.GET.get("unit")
    if not code:
        return units[0]
    unit = unit_get_by_code(code=code)
    if unit is None:
        raise Http404
    if not user_may_view_figures(user=request.user, unit=unit):
        raise PermissionDenied
    return unit


@login_required
@require_safe
def overview(request):
    unit = _unit(request)
    start, end, errors = _period(request)
    predecessors = unit_predecessors(unit=unit)
    with_predecessors = bool(predecessors) and request.GET.get("with_predecessors") == "1"
    # The page's figures, reused for a while by every supervisor of the unit (core/figures.py).
    data, trend, scorecard = figures_cached(
        "dashboard.overview",
        (unit.pk, start, end, with_predecessors),
        lambda: (
            dashboard_overview(
                unit=unit, start=start, end=end, with_predecessors=with_predecessors
            ),
            dashboard_trend(unit=unit, end=end),
            scorecard_compute(unit=unit, start=start, end=end),
        ),
    )
    labels = [f"{first.month:02d}/{first.year % 100:02d}" for first, _last in trend["periods"]]
    series = [
        charts.Series(label=str(Metric(m).label), values=trend["values"][m]) for m in Metric.values
    ]
    metrics = [
        {"key": m, "label": Metric(m).label, "rate": data["rates"][m]} for m in Metric.values
    ]
    children = [
        {
            "unit": child["unit"],
            "cells": [
                {
                    "metric": m,
                    "rate": child["rates"][m],
                    "miss": data["missed"].get((child["unit"].pk, m)),
                }
                for m in Metric.values
            ],
        }
        # Vietnamese order of names, sorted here: SQLite orders by bytes ("Đông Kỳ" after "Văn Tố").
        for child in vi_sorted(data["children"], key=lambda child: child["unit"].display_short_name)
    ]
    return render(
        request,
        "dashboard/overview.html",
        {
            "unit": unit,
            "units": vi_sorted(user_figure_units(user=request.user)),
            "start": start,
            "end": end,
            "period_text": f"{date_vi(start)} – {date_vi(end)}",
            "errors": errors,
            "metrics": metrics,
            "metric_labels": [Metric(m).label for m in Metric.values],
            "children": children,
            "below_target": data["below_target"],
            "plans": [
                {"plan": p, "label": Metric(p.metric).label, "what": NUMERATOR_TEXT[p.metric]}
                for p in data["plans"]
            ],
            "chart": charts.line_chart(
                title=_("Xu hướng các tỷ lệ theo tháng"), labels=labels, series=series
            ),
            "legend": charts.legend(series),
            "trend_labels": labels,
            "trend_rows": list(
                zip([s.label for s in series], charts.percent_cells(series), strict=True)
            ),
            "scorecard": scorecard,
            # Indicators counted in dossiers link to them; publication and procedure-level ones
            # (B, C) have no dossier list.
            "drillable": set(DRILLDOWNS) | DRILLDOWNS_766 | ITEM_DRILLDOWNS_766,
            "query": urlencode({"unit": unit.reference, "from": start, "to": end}),
            "predecessors": vi_sorted(predecessors),
            "with_predecessors": with_predecessors,
        },
    )


@login_required
@require_safe
def drilldown(request, metric: str):
    """The dossiers behind one rate's figure; every row links to its dossier page."""
    if metric not in RATE_COLUMNS:
        raise Http404
    unit = _unit(request)
    start, end, errors = _period(request)
    part = "numerator" if request.GET.get("part") == "numerator" else "denominator"
    page = page_number(request.GET.get("page"))
    queryset = rate_dossiers(unit=unit, start=start, end=end, metric=metric, part=part)
    rows = list(
        queryset.select_related("procedure", "unit").order_by("received_at", "pk")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1
        ]
    )
    return render(
        request,
        "dashboard/drilldown.html",
        {
            "unit": unit,
            "metric": metric,
            "metric_label": Metric(metric).label,
            "part": part,
            "rate": rates_for(unit=unit, start=start, end=end)[metric],
            "start": start,
            "end": end,
            "period_text": f"{date_vi(start)} – {date_vi(end)}",
            "errors": errors,
            "rows": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
        },
    )


def _rows_page(request, queryset):
    page = page_number(request.GET.get("page"))
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE


@login_required
@require_safe
def scorecard_dossiers(request, indicator: str):
    """The dossiers behind one Decision 766 indicator, its numerator marked; for an indicator
    counted in procedures or publications, those (scorecard.selectors.scorecard_sets)."""
    unit = _unit(request)
    start, end, errors = _period(request)
    numerator_only = request.GET.get("part") == "numerator"
    with primary_reads():  # the figure and the list below it from the same database
        card = scorecard_compute(unit=unit, start=start, end=end)
    item = next((i for g in card["groups"] for i in g["indicators"] if i["key"] == indicator), None)
    if item is None:
        raise Http404
    context = {
        "unit": unit,
        "indicator": item,
        "start": start,
        "end": end,
        "period_text": f"{date_vi(start)} – {date_vi(end)}",
        "errors": errors,
        "part": request.GET.get("part", ""),
    }
    if item["formula"] in ITEM_DRILLDOWNS_766:
        try:
            sets = scorecard_sets(unit=unit, start=start, end=end, indicator=indicator)
        except DomainError:
            raise Http404 from None
        if sets.reason is not None or sets.numerator is None:
            raise Http404
        queryset = (sets.numerator if numerator_only else sets.denominator).order_by("pk")
        rows, page, has_next = _rows_page(request, queryset)
        context.update(rows=rows, page=page, has_next=has_next, kind=sets.kind)
        return render(request, "dashboard/scorecard_items.html", context)
    try:
        queryset = scorecard_drilldown(unit=unit, start=start, end=end, indicator=indicator)
    except (DomainError, KeyError, LookupError):
        raise Http404 from None
    if numerator_only:
        queryset = queryset.filter(in_numerator=True)
    rows, page, has_next = _rows_page(request, queryset.select_related("procedure", "unit"))
    context.update(rows=rows, page=page, has_next=has_next)
    return render(request, "dashboard/scorecard_dossiers.html", context)


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_safe
def download_form06(request, fmt: str):
    unit = _unit(request)
    start, end, _errors = _period(request)
    report = form06_report(unit=unit, start=start, end=end)
    render_file = form06_xlsx if fmt == "xlsx" else form06_pdf
    content = render_file(report=report, unit=unit, start=start, end=end)
    return _download(
        content,
        filename=f"bieu-06-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}",
        content_type=XLSX if fmt == "xlsx" else "application/pdf",
    )


@login_required
@require_safe
def download_brief(request):
    unit = _unit(request)
    start, end, _errors = _period(request)
    content = brief_docx(report=rates_report(unit=unit, start=start, end=end))
    return _download(
        content,
        filename=f"bao-cao-tom-tat-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.docx",
        content_type=DOCX,
    )


@login_required
@require_safe
def rankings(request):
    """Units under the selected one by the scorecard, and officials by their control slips; those
    without data are listed apart, never ranked above the others."""
    unit = _unit(request)
    start, end, errors = _period(request)
    units, officials = figures_cached(
        "dashboard.rankings",
        (unit.pk, start, end),
        lambda: (
            units_rank(parent=unit, start=start, end=end),
            officials_rank(unit=unit, start=start, end=end),
        ),
    )
    return render(
        request,
        "dashboard/rankings.html",
        {
            "unit": unit,
            "units": user_figure_units(user=request.user),
            "start": start,
            "end": end,
            "period_text": f"{date_vi(start)} – {date_vi(end)}",
            "errors": errors,
            "ranked_units": [r for r in units if not r["no_data"]],
            "unranked_units": [r for r in units if r["no_data"]],
            "ranked_officials": [r for r in officials if not r["no_data"]],
            "unranked_officials": [r for r in officials if r["no_data"]],
            "query": urlencode({"unit": unit.reference, "from": start, "to": end}),
        },
    )


@login_required
@require_safe
def download_rankings(request):
    """Units under the selected one, ranked by the scorecard, as a spreadsheet."""
    unit = _unit(request)
    start, end, _errors = _period(request)
    content = rankings_xlsx(
        unit=unit, start=start, end=end, rows=units_rank(parent=unit, start=start, end=end)
    )
    return _download(
        content,
        filename=f"xep-hang-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        content_type=XLSX,
    )
