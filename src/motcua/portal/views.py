"""Citizens' pages. Thin: read through portal/catalog selectors, write through portal services.
Nothing here needs a login; a dossier is shown only to a session that proved it knows the code and
the applicant's phone or ID tail (see access.py)."""

import logging
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.catalog.models import OnlineLevel
from motcua.catalog.selectors import procedure_search, procedure_steps, units_resolving
from motcua.core.errors import DomainError, InvalidTransition
from motcua.core.text import vi_sort_key, vi_sorted
from motcua.dossiers.models import State
from motcua.feedback.forms import RatingForm, rating_form_for
from motcua.feedback.models import FeedbackChannel, RatingChannel
from motcua.feedback.selectors import (
    dossier_rateable,
    rating_criteria,
    rating_get,
    rating_may_change,
)
from motcua.feedback.services import feedback_receive, rating_submit
from motcua.portal import access, held
from motcua.portal.forms import (
    APPLICANT_FIELD_ERRORS,
    CatalogueSearchForm,
    FeedbackForm,
    LookupForm,
    SubmitForm,
    SupplementForm,
    WithdrawForm,
)
from motcua.portal.selectors import (
    dossier_public_documents,
    dossier_public_get,
    dossier_public_history,
    dossier_public_lookup,
    dossier_public_status,
    field_list_with_counts,
    procedure_get_public,
)
from motcua.portal.services import (
    portal_dossier_submit,
    portal_dossier_withdraw,
    portal_supplement_submit,
)
from motcua.portal.uploads import SizeCappedUploadHandler, max_dossier_bytes, max_file_bytes

# Law 91/2025/QH15: every look at a dossier is logged — which dossier, never the personal data.
audit = logging.getLogger("motcua.audit")

PAGE_SIZE = 20
SUBMITTED_KEY = "portal:submitted"
FEEDBACK_KEY = "portal:feedback"


def _not_found(request, message: str = ""):
    return render(request, "portal/not_found.html", {"message": message}, status=404)


def _capped_uploads(view):
    """Uploads must be capped before the body is parsed, and CSRF checking parses it: so the
    handler goes in first, then CSRF is checked (Django's documented pattern)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, SizeCappedUploadHandler(request))
        return protected(request, *args, **kwargs)

    return wrapper


# --- catalogue -----------------------------------------------------------------------------------


@require_safe
def home(request):
    fields = field_list_with_counts()
    return render(
        request,
        "portal/home.html",
        {"search_form": CatalogueSearchForm(fields=fields), "fields": fields},
    )


@require_safe
def catalogue(request):
    fields = field_list_with_counts()
    form = CatalogueSearchForm(request.GET or None, fields=fields)
    criteria = form.cleaned_data if form.is_valid() else {}
    procedures = procedure_search(
        query=criteria.get("q") or "",
        field_id=criteria.get("field"),
        level=criteria.get("level") or "",
    )
    # Vietnamese order (field, then name) is sorted here, not in SQL: see core.text.vi_sort_key.
    procedures = sorted(
        procedures.select_related("field"),
        key=lambda p: (vi_sort_key(p.field.name if p.field else ""), vi_sort_key(p.name)),
    )
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    # Keep the search when paging.
    kept = urlencode({k: v for k, v in criteria.items() if v not in (None, "")})
    return render(
        request,
        "portal/catalogue.html",
        {"search_form": form, "page": page, "kept_query": kept, "searched": bool(criteria)},
    )


@require_safe
def procedure_detail(request, code: str):
    procedure = procedure_get_public(code=code)
    if procedure is None:
        return _not_found(request, _("Không tìm thấy thủ tục hành chính này."))
    return render(
        request,
        "portal/procedure.html",
        {
            "procedure": procedure,
            "process_steps": procedure_steps(procedure=procedure),
            "units": vi_sorted(units_resolving(procedure=procedure)),
            "online": procedure.online_level != OnlineLevel.NONE,
        },
    )


# --- filing online -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@_capped_uploads
def submit(request, code: str):
    procedure = procedure_get_public(code=code)
    if procedure is None:
        return _not_found(request, _("Không tìm thấy thủ tục hành chính này."))
    if procedure.online_level == OnlineLevel.NONE:
        return render(request, "portal/not_online.html", {"procedure": procedure}, status=404)
    units = units_resolving(procedure=procedure)
    posted = request.method == "POST"
    if not posted:
        # Files kept from an earlier round are shown on a reload too: the next round uses them.
        form = SubmitForm(procedure=procedure, units=units)
        kept = held.held_files(request=request, procedure_code=procedure.code)
        return _submit_page(request, procedure, form, kept=kept)
    # Files kept from an earlier round stand in for the ones the browser does not send again; a
    # newly chosen file replaces the kept one, and "bỏ tệp" drops it.
    held.held_drop(
        request=request, procedure_code=procedure.code, fields=request.POST.getlist("held_drop")
    )
    opened = held.held_open(request=request, procedure_code=procedure.code)
    files = request.FILES.copy()
    for field, file in opened.items():
        if field not in files:
            files[field] = file
    form = SubmitForm(request.POST, files, procedure=procedure, units=units)
    try:
        if form.is_valid():
            try:
                dossier = portal_dossier_submit(
                    procedure=procedure,
                    unit=form.cleaned_data["unit"],
                    applicant=form.applicant,
                    summary=form.cleaned_data["summary"],
                    files=form.uploaded_files(),
                )
            except DomainError as error:
                form.add_error(APPLICANT_FIELD_ERRORS.get(error.code), error.message)
            else:
                held.held_clear(request=request)
                access.dossier_grant(request=request, dossier=dossier)
                request.session[SUBMITTED_KEY] = dossier.pk
                audit.info("portal submitted dossier=%s", dossier.code)
                return redirect("portal:submitted")
    finally:
        for file in opened.values():
            file.close()
    # Keep this round's valid new files for the next; a new file that failed drops the kept one.
    for name, upload in request.FILES.items():
        if name not in form.fields or not name.startswith("component_"):
            continue
        if name in form.errors or getattr(upload, "discarded", False):
            held.held_drop(request=request, procedure_code=procedure.code, fields=[name])
        else:
            held.held_store(
                request=request, procedure_code=procedure.code, field=name, upload=upload
            )
    kept = held.held_files(request=request, procedure_code=procedure.code)
    return _submit_page(request, procedure, form, kept=kept)


def _submit_page(request, procedure, form, *, kept: dict):
    return render(
        request,
        "portal/submit.html",
        {
            "procedure": procedure,
            "form": form,
            "component_rows": [(field, kept.get(field.name)) for field in form.component_fields()],
            "kept": bool(kept),
            "kept_minutes": held.held_seconds() // 60,
            # Files that were not kept (a file with an error) must be chosen again.
            "reattach": form.is_bound
            and any(
                f.name not in kept and f.name in request.FILES for f in form.component_fields()
            ),
            "max_file": max_file_bytes(),
            "max_dossier": max_dossier_bytes(),
        },
    )


@require_safe
def submitted(request):
    pk = request.session.get(SUBMITTED_KEY)
    dossier = dossier_public_get(pk=pk) if isinstance(pk, int) else None
    if dossier is None or not access.dossier_granted(request=request, dossier=dossier):
        return redirect("portal:lookup")
    return render(request, "portal/submitted.html", {"dossier": dossier})


# --- tracking ------------------------------------------------------------------------------------


def _lookup_page(request, *, code: str, error: str, status: int = 200):
    # The contact field is not echoed back: only the code stays filled in.
    form = LookupForm(initial={"code": code})
    return render(request, "portal/lookup.html", {"form": form, "error": error}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    if request.method != "POST":
        # Only the dossier code may come in the address (the confirmation page links with it).
        form = LookupForm(initial={"code": request.GET.get("ma", "")[:64]})
        return render(request, "portal/lookup.html", {"form": form})
    form = LookupForm(request.POST)
    ip = access.client_ip(request)
    code = request.POST.get("code", "")[:64]
    if access.lookup_blocked(ip=ip, code=code):
        error = _(
            "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút hoặc liên "
            "hệ cơ quan tiếp nhận hồ sơ."
        ) % {"minutes": access.window_seconds() // 60}
        return _lookup_page(request, code=code, error=error, status=429)
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form})
    dossier = dossier_public_lookup(
        code=form.cleaned_data["code"], contact=form.cleaned_data["contact"]
    )
    if dossier is None:
        access.lookup_failure_record(ip=ip, code=code)
        # One message whatever was wrong: the page must not tell whether the code exists.
        error = _(
            "Không tìm thấy hồ sơ với thông tin đã nhập. Vui lòng kiểm tra lại mã hồ sơ và số "
            "điện thoại hoặc 4 ký tự cuối số giấy tờ tùy thân."
        )
        return _lookup_page(request, code=form.cleaned_data["code"], error=error)
    access.dossier_grant(request=request, dossier=dossier)
    return redirect("portal:dossier", code=dossier.code)


def _granted(request, code: str):
    """(dossier, None) for a session holding a grant; otherwise (None, redirect to the lookup)."""
    dossier = dossier_public_get(code=code)
    if dossier is None or not access.dossier_granted(request=request, dossier=dossier):
        target = reverse("portal:lookup") + "?" + urlencode({"ma": code[:64]})
        return None, HttpResponseRedirect(target)
    return dossier, None


def _dossier_page(request, dossier, *, status: int = 200, **forms):
    audit.info("portal view dossier=%s", dossier.code)
    components = list(dossier.procedure.components.all())
    rating = rating_get(dossier=dossier)
    context = {
        "dossier": dossier,
        "status": dossier_public_status(dossier=dossier),
        "documents": dossier_public_documents(dossier=dossier),
        "history": dossier_public_history(dossier=dossier),
        "rating": rating,
        "rating_action_url": reverse("portal:dossier_rate", args=[dossier.code]),
        "can_supplement": dossier.state == State.SUPPLEMENT_REQUESTED,
        "can_withdraw": dossier.is_open,
        # Rated once the result is out; the rating may be changed for a while (feedback app).
        "can_rate": dossier_rateable(dossier=dossier) and rating_may_change(rating=rating),
        "supplement_form": forms.get("supplement_form") or SupplementForm(components=components),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "rating_form": forms.get("rating_form")
        or rating_form_for(criteria=rating_criteria(), rating=rating),
        "max_file": max_file_bytes(),
        "max_dossier": max_dossier_bytes(),
    }
    return render(request, "portal/dossier.html", context, status=status)


@require_safe
def dossier_detail(request, code: str):
    dossier, refusal = _granted(request, code)
    if refusal:
        return refusal
    return _dossier_page(request, dossier)


@require_POST
@_capped_uploads
def dossier_supplement(request, code: str):
    dossier, refusal = _granted(request, code)
    if refusal:
        return refusal
    form = SupplementForm(
        request.POST, request.FILES, components=dossier.procedure.components.all()
    )
    if form.is_valid():
        try:
            portal_supplement_submit(
                dossier=dossier, note=form.cleaned_data["note"], files=form.uploaded_files()
            )
        except InvalidTransition as error:
            # The dossier moved on (an officer acted meanwhile): its page now says what applies.
            messages.error(request, error.message)
            return redirect("portal:dossier", code=dossier.code)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Đã gửi hồ sơ bổ sung. Cơ quan tiếp tục giải quyết hồ sơ của bạn.")
            )
            return redirect("portal:dossier", code=dossier.code)
    return _dossier_page(request, dossier, supplement_form=form)


@require_POST
def dossier_withdraw(request, code: str):
    dossier, refusal = _granted(request, code)
    if refusal:
        return refusal
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            portal_dossier_withdraw(dossier=dossier, reason=form.cleaned_data["reason"])
        except InvalidTransition as error:
            # The dossier moved on (an officer acted meanwhile): its page now says what applies.
            messages.error(request, error.message)
            return redirect("portal:dossier", code=dossier.code)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã rút hồ sơ."))
            return redirect("portal:dossier", code=dossier.code)
    return _dossier_page(request, dossier, withdraw_form=form)


@require_POST
def dossier_rate(request, code: str):
    dossier, refusal = _granted(request, code)
    if refusal:
        return refusal
    form = RatingForm(request.POST, criteria=rating_criteria())
    if form.is_valid():
        try:
            rating_submit(
                dossier=dossier,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                channel=RatingChannel.PORTAL,
            )
        except InvalidTransition as error:
            # The dossier moved on (an officer acted meanwhile): its page now says what applies.
            messages.error(request, error.message)
            return redirect("portal:dossier", code=dossier.code)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá mức độ hài lòng."))
            return redirect("portal:dossier", code=dossier.code)
    return _dossier_page(request, dossier, rating_form=form)


# --- feedback ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request):
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = feedback_receive(
                channel=FeedbackChannel.PORTAL,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                content=form.cleaned_data["content"],
                unit=form.cleaned_data["unit"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session[FEEDBACK_KEY] = item.reference
            return redirect("portal:feedback_sent")
    return render(request, "portal/feedback.html", {"form": form})


@require_safe
def feedback_sent(request):
    reference = request.session.get(FEEDBACK_KEY)
    if not reference:
        return redirect("portal:feedback")
    return render(request, "portal/feedback_sent.html", {"reference": reference})
