"""Citizens' pages. Thin: read through portal/catalog selectors, write through portal services.
Nothing here needs a login; a dossier is shown only to a session that proved it knows the code and
the applicant's phone or ID tail (see access.py)."""

import logging
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.catalog.models import OnlineLevel
from motcua.catalog.selectors import procedure_search, procedure_steps, units_resolving
from motcua.core.errors import DomainError, InvalidTransition, ValidationFailed
from motcua.core.pagecache import public_page_cached
from motcua.core.text import vi_sort_key, vi_sorted
from motcua.digitization.selectors import dossier_result_document
from motcua.digitization.store import held_documents_offered
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
    StoreCodeForm,
    StoreNumberForm,
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
    store_offers_newest,
)
from motcua.portal.services import (
    portal_dossier_submit,
    portal_dossier_withdraw,
    portal_supplement_submit,
    store_code_send,
    store_code_verify,
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
@public_page_cached()
def home(request):
    fields = field_list_with_counts()
    return render(
        request,
        "portal/home.html",
        {"search_form": CatalogueSearchForm(fields=fields), "fields": fields},
    )


@require_safe
@public_page_cached(params=("field", "level", "trang"))
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
@public_page_cached()
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


def _masked(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]


def _filing_procedure(request, code: str):
    """(procedure, None) when it may be filed online; otherwise (None, the refusal page)."""
    procedure = procedure_get_public(code=code)
    if procedure is None:
        return None, _not_found(request, _("Không tìm thấy thủ tục hành chính này."))
    if procedure.online_level == OnlineLevel.NONE:
        page = render(request, "portal/not_online.html", {"procedure": procedure}, status=404)
        return None, page
    return procedure, None


def _store_offers(request, procedure) -> tuple[str | None, dict]:
    """The number this session verified with a one-time code and, for it, the newest held
    document per component valid today (each offer logged by digitization.store)."""
    verified = access.store_verified_number(request=request)
    if verified is None:
        return None, {}
    offered = held_documents_offered(actor=None, id_number=verified, procedure=procedure)
    return verified, store_offers_newest(offered=offered)


@require_http_methods(["GET", "HEAD", "POST"])
@_capped_uploads
def submit(request, code: str):
    procedure, refusal = _filing_procedure(request, code)
    if refusal is not None:
        return refusal
    units = units_resolving(procedure=procedure)
    verified, offers = _store_offers(request, procedure)
    posted = request.method == "POST"
    if not posted:
        # Files kept from an earlier round are shown on a reload too: the next round uses them.
        form = SubmitForm(
            procedure=procedure,
            units=units,
            held_offers=offers,
            verified_number=verified,
            initial={"applicant_id_number": verified} if verified else None,
        )
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
    form = SubmitForm(
        request.POST,
        files,
        procedure=procedure,
        units=units,
        held_offers=offers,
        verified_number=verified,
    )
    try:
        if form.is_valid():
            try:
                dossier = portal_dossier_submit(
                    procedure=procedure,
                    unit=form.cleaned_data["unit"],
                    applicant=form.applicant,
                    summary=form.cleaned_data["summary"],
                    result_delivery=form.cleaned_data["result_delivery"],
                    files=form.uploaded_files(),
                    reused=form.reused,
                )
            except DomainError as error:
                form.add_error(APPLICANT_FIELD_ERRORS.get(error.code), error.message)
            else:
                held.held_clear(request=request)
                access.dossier_grant(request=request, dossier=dossier)
                # The store's verification served this filing; another one verifies again.
                access.store_forget(request=request)
                request.session[SUBMITTED_KEY] = dossier.pk
                audit.info("portal submitted dossier=%s reused=%d", dossier.code, len(form.reused))
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


def _submit_page(request, procedure, form, *, kept: dict, status: int = 200, **store_forms):
    verified = form.verified_number
    pending = None if verified else access.store_code_pending(request=request)
    reuse = form.reuse_rows()
    return render(
        request,
        "portal/submit.html",
        {
            "procedure": procedure,
            "form": form,
            "component_rows": [
                (field, kept.get(field.name), reuse.get(component.pk))
                for field, component in zip(form.component_fields(), form.components, strict=True)
            ],
            "kept": bool(kept),
            "kept_minutes": held.held_seconds() // 60,
            # Files that were not kept (a file with an error) must be chosen again.
            "reattach": form.is_bound
            and any(
                f.name not in kept and f.name in request.FILES for f in form.component_fields()
            ),
            "max_file": max_file_bytes(),
            "max_dossier": max_dossier_bytes(),
            # The optional step "Dùng giấy tờ đã có trong kho dữ liệu".
            "store_verified": _masked(verified) if verified else "",
            "store_offered": len(reuse),
            "store_pending": _masked(pending["number"]) if pending else "",
            "store_number_form": store_forms.get("store_number_form") or StoreNumberForm(),
            "store_code_form": store_forms.get("store_code_form") or StoreCodeForm(),
            "store_code_minutes": access.store_code_seconds() // 60,
        },
        status=status,
    )


@require_POST
def submit_store(request, code: str):
    """The optional step of the filing page: send a one-time code to the contact on record for a
    number, check it, or stop using the store. Answers by a redirect to the filing page (its
    typed values are not in this form: the step comes first on the page)."""
    procedure, refusal = _filing_procedure(request, code)
    if refusal is not None:
        return refusal
    action = request.POST.get("action", "")
    ip = access.client_ip(request)
    back = redirect("portal:submit", code=procedure.code)

    def page(status: int, **store_forms):
        form = SubmitForm(procedure=procedure, units=units_resolving(procedure=procedure))
        kept = held.held_files(request=request, procedure_code=procedure.code)
        return _submit_page(request, procedure, form, kept=kept, status=status, **store_forms)

    if action == "forget":
        access.store_forget(request=request)
        messages.info(request, _("Đã thôi dùng giấy tờ trong kho dữ liệu cho lần nộp này."))
        return back
    if action == "send":
        form = StoreNumberForm(request.POST)
        if not form.is_valid():
            return page(400, store_number_form=form)
        try:
            sent = store_code_send(id_number=form.cleaned_data["id_number"], ip=ip)
        except ValidationFailed as error:
            form.add_error("id_number", error.message)
            return page(
                429 if error.code == "store_code_throttled" else 400, store_number_form=form
            )
        access.store_code_pending_set(request=request, code_id=sent.code_id, number=sent.number)
        # The same words whether the number is known or not: the page tells nobody who is.
        messages.info(
            request,
            _(
                "Nếu số định danh %(masked)s có giấy tờ trong kho dữ liệu, mã xác thực đã được gửi "
                "tới số điện thoại hoặc thư điện tử ghi trong hồ sơ trước đây (hiệu lực "
                "%(minutes)d phút). Nhập mã vào ô bên dưới."
            )
            % {"masked": _masked(sent.number), "minutes": access.store_code_seconds() // 60},
        )
        return back
    if action == "verify":
        pending = access.store_code_pending(request=request)
        form = StoreCodeForm(request.POST)
        if pending is None:
            # The page shows the number's box again: the message says why.
            messages.error(
                request,
                _(
                    "Chưa yêu cầu mã xác thực, hoặc mã đã hết hạn. Vui lòng nhập số định danh "
                    "để nhận mã."
                ),
            )
            return page(400)
        if not form.is_valid():
            return page(400, store_code_form=form)
        try:
            number = store_code_verify(
                code_id=pending["id"],
                id_number=pending["number"],
                code=form.cleaned_data["code"],
                ip=ip,
            )
        except ValidationFailed as error:
            form.add_error("code", error.message)
            return page(429 if error.code == "store_code_throttled" else 400, store_code_form=form)
        access.store_verified_grant(request=request, number=number)
        messages.success(
            request,
            _(
                "Đã xác thực bằng mã một lần gửi tới liên hệ đã ghi nhận cho số định danh "
                "%(masked)s. Các giấy tờ dùng được cho thủ tục này hiện ở phần Thành phần hồ sơ."
            )
            % {"masked": _masked(number)},
        )
        return back
    return back


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
        "result_document": dossier_result_document(dossier=dossier),
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
def dossier_result(request, code: str):
    """The signed electronic result, for the session that verified itself for this dossier."""
    dossier, refusal = _granted(request, code)
    if refusal:
        return refusal
    document = dossier_result_document(dossier=dossier)
    if document is None:
        return _not_found(request, _("Hồ sơ chưa có kết quả điện tử để tải về."))
    audit.info("portal download result dossier=%s document=%s", dossier.code, document.pk)
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"ket-qua-{dossier.code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


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
