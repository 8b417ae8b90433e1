"""PDF downloads of the official forms. Thin: permission through dossiers.selectors and
units.selectors, content through forms.services."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.forms.forms import LogbookForm
from motcua.forms.selectors import BY_SLUG
from motcua.forms.services import form_render_pdf, logbook_render_pdf
from motcua.units.models import Role
from motcua.units.selectors import unit_subtree, user_units

# Law 91/2025/QH15: every printed form carries personal data — log who printed what, never the data.
audit = logging.getLogger("motcua.audit")

# Who may print a unit's log book: its officers and the supervisors above it.
LOGBOOK_ROLES = (Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER, Role.SUPERVISOR)


def _pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def form_pdf(request, code: str, slug: str):
    form = BY_SLUG.get(slug)
    if form is None:
        raise Http404(_("Không có biểu mẫu này."))
    try:
        dossier = dossier_get_for_user(user=request.user, code=code)
    except NotFound as error:
        return render(request, "404.html", {"message": error.message}, status=404)
    except PermissionDenied as error:
        audit.warning(
            "action=form_denied user_id=%s dossier=%s form=%s", request.user.pk, code, form.kind
        )
        return render(request, "403.html", {"message": error.message}, status=403)
    try:
        content = form_render_pdf(kind=form.kind, dossier=dossier)
    except ValidationFailed as error:
        # A form that does not apply: back to the dossier, with the reason in Vietnamese.
        messages.error(request, error.message)
        return redirect("backoffice:dossier", code=dossier.code)
    audit.info("action=form_pdf user_id=%s dossier=%s form=%s", request.user.pk, code, form.kind)
    return _pdf_response(content, filename=f"{form.slug}-{dossier.code}.pdf")


def _logbook_units(user) -> list:
    units = []
    for top in user_units(user=user, roles=LOGBOOK_ROLES):
        units.extend(unit_subtree(unit=top))
    return units


@login_required
@require_safe
def logbook_page(request):
    units = _logbook_units(request.user)
    if not units:
        return render(
            request,
            "403.html",
            {"message": _("Bạn chưa được phân công tại đơn vị nào nên không in được sổ theo dõi.")},
            status=403,
        )
    form = LogbookForm(units=units, initial={"unit": units[0].code})
    return render(request, "officialforms/logbook_page.html", {"form": form})


@login_required
@require_safe
def logbook_pdf(request):
    units = _logbook_units(request.user)
    requested = request.GET.get("unit", "")
    if not units or (requested and requested not in {u.code for u in units}):
        audit.warning("action=logbook_denied user_id=%s unit=%s", request.user.pk, requested)
        return render(
            request,
            "403.html",
            {"message": _("Bạn không có quyền in sổ theo dõi hồ sơ của đơn vị này.")},
            status=403,
        )
    form = LogbookForm(
        {
            "unit": request.GET.get("unit", ""),
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
        },
        units=units,
    )
    if not form.is_valid():
        return render(request, "officialforms/logbook_page.html", {"form": form}, status=400)
    unit = next(u for u in units if u.code == form.cleaned_data["unit"])
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        content = logbook_render_pdf(unit=unit, start=start, end=end)
    except ValidationFailed as error:
        form.add_error(None, error.message)
        return render(request, "officialforms/logbook_page.html", {"form": form}, status=400)
    audit.info(
        "action=logbook_pdf user_id=%s unit=%s from=%s to=%s",
        request.user.pk,
        unit.code,
        start.isoformat(),
        end.isoformat(),
    )
    return _pdf_response(
        content, filename=f"so-theo-doi-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    )
