"""The intake desk: choose the unit and the procedure, fill the intake form, print the receipt.
Thin: reads through desk.selectors, the write through desk.services."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from motcua.core import errors
from motcua.core.formatting import date_vi
from motcua.core.text import vi_sorted
from motcua.desk.forms import ERROR_FIELDS, IntakeForm, ProcedureSearchForm
from motcua.desk.selectors import (
    applicant_lookup,
    desk_procedure_get,
    desk_procedures,
    desk_processing_units,
    desk_units,
)
from motcua.desk.services import desk_intake
from motcua.dossiers.selectors import dossier_get_for_user

# Law 91/2025/QH15: looking a citizen up by ID number is an access to personal data — log who looked
# and whether anything was found, never the number itself.
audit = logging.getLogger("motcua.audit")

LOOKUP_FIELDS = ("applicant_name", "applicant_phone", "applicant_email", "applicant_address")


def _require_desk_units(user) -> list:
    units = desk_units(user=user)
    if not units:
        # Django's handler renders the Vietnamese 403.html page.
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận hồ sơ mới dùng được chức năng này."))
    return units


@login_required
@require_safe
def start(request):
    units = _require_desk_units(request.user)
    form = ProcedureSearchForm(request.GET or None, units=units)
    unit, query = units[0], ""
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["unit"]
        unit = next((u for u in units if u.code == code), unit)
        query = form.cleaned_data["q"]
    return render(
        request,
        "desk/start.html",
        {
            "form": form if form.is_bound else ProcedureSearchForm(units=units),
            "units": vi_sorted(units),  # the default stays the officer's own (first) unit
            "unit": unit,
            "query": query,
            "procedures": desk_procedures(unit=unit, query=query),
        },
    )


def _unit_and_procedure(request, unit_code: str, procedure_code: str):
    """(unit, procedure, None) or (None, None, a refusal response)."""
    units = _require_desk_units(request.user)
    unit = next((u for u in units if u.code == unit_code), None)
    if unit is None:
        raise PermissionDenied(_("Bạn không được phân công tiếp nhận hồ sơ tại đơn vị này."))
    procedure = desk_procedure_get(unit=unit, code=procedure_code)
    if procedure is None:
        message = _("Đơn vị %(unit)s không tiếp nhận thủ tục có mã %(code)s.") % {
            "unit": unit.name,
            "code": procedure_code,
        }
        return None, None, render(request, "404.html", {"message": message}, status=404)
    return unit, procedure, None


def _redisplayed(data, *, procedure, processing_units) -> IntakeForm:
    """An unbound form showing what was typed and ticked, without error marks."""
    typed = IntakeForm(data, procedure=procedure, processing_units=processing_units)
    initial = {
        name: typed[name].value()
        for name, field in typed.fields.items()
        if not name.endswith("_file")
    }
    return IntakeForm(initial=initial, procedure=procedure, processing_units=processing_units)


@login_required
@require_http_methods(["GET", "POST"])
def intake(request, unit_code: str, procedure_code: str):
    unit, procedure, refusal = _unit_and_procedure(request, unit_code, procedure_code)
    if refusal is not None:
        return refusal
    processing_units = desk_processing_units(unit=unit, procedure=procedure)
    context = {"unit": unit, "procedure": procedure}
    if request.method == "GET":
        return render(
            request,
            "desk/intake.html",
            {**context, "form": IntakeForm(procedure=procedure, processing_units=processing_units)},
        )

    if request.POST.get("action") == "lookup":
        # The ID number arrives in the body of a POST: never in a URL, a log line or history.
        data = request.POST.copy()
        known = applicant_lookup(user=request.user, id_number=data.get("applicant_id_number", ""))
        audit.info(
            "action=applicant_lookup user_id=%s unit=%s found=%s source=%s",
            request.user.pk,
            unit.code,
            known is not None,
            known.dossier_code if known else "-",
        )
        if known is None:
            messages.info(
                request,
                _(
                    "Không tìm thấy hồ sơ trước đây của số giấy tờ này trong phạm vi đơn vị của bạn."
                ),
            )
        else:
            for name in LOOKUP_FIELDS:
                if not data.get(name, "").strip():
                    data[name] = getattr(known, name.removeprefix("applicant_"))
            messages.success(
                request,
                _(
                    "Đã điền thông tin còn trống từ hồ sơ %(code)s (tiếp nhận ngày %(date)s). "
                    "Vui lòng đối chiếu với giấy tờ của người nộp."
                )
                % {"code": known.dossier_code, "date": date_vi(known.received_at)},
            )
        form = _redisplayed(data, procedure=procedure, processing_units=processing_units)
        return render(request, "desk/intake.html", {**context, "form": form, "looked_up": True})

    form = IntakeForm(
        request.POST, request.FILES, procedure=procedure, processing_units=processing_units
    )
    if form.is_valid():
        try:
            dossier = desk_intake(
                actor=request.user,
                unit=unit,
                procedure=procedure,
                applicant=form.applicant(),
                channel=form.cleaned_data["channel"],
                summary=form.cleaned_data["summary"],
                components=form.received_components(),
                fee_collected=form.cleaned_data.get("fee_collected", False),
                processing_unit=form.cleaned_data.get("processing_unit"),
                missing_components_reason=form.cleaned_data["missing_components_reason"],
            )
        except errors.DomainError as error:
            # Refusals (role, inactive procedure, bad ID number…) go back to the officer, typed
            # values kept; nothing was written.
            field = ERROR_FIELDS.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
            if error.code == "component_required":
                # Now, and only now, the officer may take it anyway, with a reason.
                context["missing_components"] = error.details.get("missing", [])
        else:
            audit.info("action=intake user_id=%s dossier=%s", request.user.pk, dossier.code)
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("desk:done", code=dossier.code)
    return render(
        request, "desk/intake.html", {**context, "form": form, "had_files": bool(request.FILES)}
    )


@login_required
@require_safe
def done(request, code: str):
    _require_desk_units(request.user)
    try:
        dossier = dossier_get_for_user(user=request.user, code=code)
    except errors.NotFound as error:
        return render(request, "404.html", {"message": error.message}, status=404)
    except errors.PermissionDenied as error:
        return render(request, "403.html", {"message": error.message}, status=403)
    return render(
        request,
        "desk/done.html",
        {
            "dossier": dossier,
            "documents": dossier.documents.order_by("added_at", "pk"),
        },
    )
