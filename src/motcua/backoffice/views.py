"""Officer pages. Thin: read through dossiers.selectors, act through dossiers.services."""

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.backoffice import actions, throttle
from motcua.backoffice.formatting import time_left_text
from motcua.backoffice.forms import (
    InboxFilterForm,
    InboxSearchForm,
    PasswordChangeForm,
    ResultDraftGenerateForm,
    ResultDraftUploadForm,
    ThrottledAuthenticationForm,
)
from motcua.core import timeutil, twofactor
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.forms import page_number
from motcua.desk.forms import scan_kind
from motcua.digitization.results import result_draft_generate
from motcua.digitization.scans import max_scan_bytes
from motcua.digitization.selectors import dossier_result_draft
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    dossier_action_allowed,
    dossier_available_actions,
    dossier_document_get,
    dossier_documents,
    dossier_get_for_user,
    dossier_inbox,
    dossier_steps,
    dossier_time_left,
    dossier_timeline,
    dossiers_time_left,
)
from motcua.forms.selectors import forms_available
from motcua.portal.uploads import capped_upload, one_limit_handler
from motcua.privacy.models import AccessAction
from motcua.privacy.services import personal_data_access_record
from motcua.sync.selectors import dossier_sync_state
from motcua.sync.services import sync_enabled
from motcua.units.services import staff_password_change
from motcua.workcalendar.selectors import calendar_get

# Law 91/2025/QH15: every look at a dossier (personal data) is logged — who and which, never the data.
audit = logging.getLogger("motcua.audit")

PAGE_SIZE = 50
SEARCH_SESSION_KEY = "backoffice:inbox:q"


def home(request):
    return redirect("backoffice:inbox" if request.user.is_authenticated else "backoffice:login")


class LoginView(auth_views.LoginView):
    """Password first; a user with a confirmed authenticator is logged in only after its code
    (two_factor_verify). Whoever must use two-factor and has none enrols right after login
    (core.twofactor.TwoFactorMiddleware)."""

    template_name = "backoffice/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.two_factor_required(user) and twofactor.device_confirmed(user):
            self.request.session[twofactor.SESSION_PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
            }
            return redirect("backoffice:two_factor")
        return super().form_valid(form)


login_view = LoginView.as_view()

WRONG_CODE = (
    "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Vui lòng nhập mã mới trên ứng dụng."
)


def _code_attempt(request, device) -> tuple[bool, str, int]:
    """(accepted, the error to show, seconds to wait) for the code posted, behind the throttle."""
    try:
        ip = throttle.client_ip(request)
        if twofactor.code_attempt(device=device, code=request.POST.get("code", ""), ip=ip):
            return True, "", 0
    except twofactor.CodeThrottled as refused:
        return False, refused.message, refused.retry_after
    return False, WRONG_CODE, 0


def _two_factor_page(request, template: str, context: dict, wait: int):
    status = 429 if wait else 400 if context.get("error") else 200
    response = render(request, template, context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    pending = request.session.get(twofactor.SESSION_PENDING)
    user = get_user_model().objects.filter(pk=(pending or {}).get("user"), is_active=True).first()
    device = twofactor.device_confirmed(user) if user else None
    if device is None:
        return redirect("backoffice:login")
    error, wait = "", 0
    if request.method == "POST":
        accepted, error, wait = _code_attempt(request, device)
        if accepted:
            del request.session[twofactor.SESSION_PENDING]
            auth_login(request, user, backend=pending["backend"])
            request.session[twofactor.SESSION_PASSED] = True
            audit.info("two-factor login user=%s", user.pk)
            return redirect(pending["next"])
        audit.warning("two-factor code refused user=%s", user.pk)
    return _two_factor_page(request, "backoffice/two_factor.html", {"error": error}, wait)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Set up the authenticator (or, for one already confirmed, ask its code)."""
    if request.session.get(twofactor.SESSION_PASSED) or not twofactor.two_factor_required(
        request.user
    ):
        return redirect("backoffice:inbox")
    device = twofactor.device_confirmed(request.user) or twofactor.device_enrolment(
        user=request.user
    )
    error, wait = "", 0
    if request.method == "POST":
        accepted, error, wait = _code_attempt(request, device)
        if accepted:
            request.session[twofactor.SESSION_PASSED] = True
            messages.success(request, _("Đã bật xác thực hai bước cho tài khoản."))
            return redirect("backoffice:inbox")
    context = {
        "error": error,
        "enrolling": device.confirmed_at is None,
        "secret": device.secret if device.confirmed_at is None else "",
        "qr": twofactor.provisioning_qr_svg(device) if device.confirmed_at is None else "",
    }
    return _two_factor_page(request, "backoffice/two_factor_enrol.html", context, wait)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """The officer's own password. A wrong current password counts as a failed login of the
    account (and the page refuses while the login is locked), so it cannot be guessed here."""
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        username, ip = request.user.get_username(), throttle.client_ip(request)
        if throttle.login_is_blocked(username=username, ip=ip):
            form.add_error(
                None,
                _(
                    "Nhập sai mật khẩu quá nhiều lần. Vì an toàn, vui lòng thử lại sau %(minutes)d phút."
                )
                % {"minutes": max(1, throttle.lockout_seconds() // 60)},
            )
        elif form.is_valid():
            try:
                staff_password_change(user=request.user, **form.cleaned_data)
            except DomainError as error:
                if error.code == "password_current_wrong":
                    throttle.login_failure_record(username=username, ip=ip)
                form.add_error(error.details.get("field"), error.message)
            else:
                # Keep this session; every other session of the account ends with the old hash.
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Đã đổi mật khẩu."))
                return redirect("backoffice:inbox")
        status = 400
    context = {"form": form, "password_rules": password_validators_help_texts()}
    return render(request, "backoffice/password_change.html", context, status=status)


# Django's LogoutView accepts POST only, so a link or an image cannot log anyone out.
logout_view = auth_views.LogoutView.as_view()


# --- inbox ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlicePage:
    """A page found by slicing one row past its end: no COUNT(*) over a unit's whole history, so
    the page costs the same at ten rows or ten million. The price is "next/previous" instead of a
    page total."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @classmethod
    def of(cls, queryset, *, number: str | int | None, per_page: int) -> "SlicePage":
        number = page_number(number)
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        return cls(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


@dataclass(frozen=True)
class InboxRow:
    dossier: Dossier
    time_left: str
    overdue: bool


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    filter_form = InboxFilterForm(request.GET or request.POST or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    if request.method == "POST":
        # The search term may be a name or an ID number: keep it in the session, out of the URL
        # (and so out of browser history and server logs); the other filters stay linkable.
        search_form = InboxSearchForm(request.POST)
        term = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
        request.session[SEARCH_SESSION_KEY] = "" if "clear" in request.POST else term
        query = "" if "clear" in request.POST else _filters_query(filters)
        return redirect(reverse("backoffice:inbox") + (f"?{query}" if query else ""))

    search = request.session.get(SEARCH_SESSION_KEY, "")
    now = timeutil.now()
    queryset = dossier_inbox(
        user=request.user,
        state=filters.get("state"),
        procedure_code=filters.get("procedure") or "",
        channel=filters.get("channel"),
        overdue_only=bool(filters.get("overdue")),
        search=search,
        mine=bool(filters.get("scope")),
        field_id=filters["field"].pk if filters.get("field") else None,
        received_from=filters.get("received_from"),
        received_to=filters.get("received_to"),
        now=now,
    )
    page = SlicePage.of(queryset, number=request.GET.get("page"), per_page=PAGE_SIZE)
    seconds = dossiers_time_left(dossiers=page.items, now=now)
    day_seconds = calendar_get().working_day_seconds
    rows = [
        InboxRow(
            dossier=d,
            time_left=time_left_text(dossier=d, seconds=seconds[d.pk], day_seconds=day_seconds),
            overdue=seconds[d.pk] is not None and seconds[d.pk] < 0,
        )
        for d in page.items
    ]
    base_query = _filters_query(filters)
    return render(
        request,
        "backoffice/inbox.html",
        {
            "filter_form": filter_form,
            "search_form": InboxSearchForm(initial={"q": search}),
            "search": search,
            "filtered": bool(base_query or search),
            "rows": rows,
            "page": page,
            "previous_query": _page_query(base_query, page.number - 1),
            "next_query": _page_query(base_query, page.number + 1),
        },
    )


def _filters_query(filters: dict) -> str:
    params = {}
    for name in ("state", "procedure", "channel"):
        if filters.get(name) not in (None, ""):
            params[name] = filters[name]
    if filters.get("overdue"):
        params["overdue"] = "1"
    if filters.get("scope"):
        params["scope"] = "toi"
    if filters.get("field"):
        params["field"] = filters["field"].pk
    for name in ("received_from", "received_to"):
        if filters.get(name):
            params[name] = filters[name].isoformat()
    return urlencode(params)


def _page_query(base: str, number: int) -> str:
    page = "" if number <= 1 else urlencode({"page": number})
    return "&".join(part for part in (base, page) if part)


# --- one dossier ---------------------------------------------------------------------------------


def _dossier_or_refusal(request, code: str):
    """(dossier, None), or (None, a friendly 404/403 response). Refusals say nothing about the
    dossier beyond what the officer typed."""
    try:
        return dossier_get_for_user(user=request.user, code=code), None
    except NotFound as error:
        return None, render(request, "404.html", {"message": error.message}, status=404)
    except PermissionDenied as error:
        audit.warning("action=view_denied user_id=%s dossier=%s", request.user.pk, code)
        return None, render(request, "403.html", {"message": error.message}, status=403)


@login_required
@require_safe
def dossier_detail(request, code: str):
    dossier, refusal = _dossier_or_refusal(request, code)
    if refusal is not None:
        return refusal
    audit.info("action=view user_id=%s dossier=%s", request.user.pk, dossier.code)
    calendar = calendar_get(unit=dossier.unit)
    seconds = dossier_time_left(dossier=dossier, calendar=calendar)
    available = dossier_available_actions(user=request.user, dossier=dossier)
    version = {"expected_version": dossier.last_event_seq}
    action_forms = [
        (
            action,
            action.form_class(
                initial={"expected_version": dossier.last_event_seq},
                auto_id=f"id_{action.slug}_%s",
            ),
        )
        for action in actions.WEB_ACTIONS
        if action.kind in available
    ]
    return render(
        request,
        "backoffice/dossier.html",
        {
            "dossier": dossier,
            "time_left": time_left_text(
                dossier=dossier, seconds=seconds, day_seconds=calendar.working_day_seconds
            ),
            "overdue": seconds is not None and seconds < 0,
            "timeline": dossier_timeline(dossier=dossier),
            "steps": dossier_steps(dossier=dossier),
            "documents": dossier_documents(dossier=dossier),
            "action_forms": action_forms,
            "result_draft": dossier_result_draft(dossier=dossier),
            "draft_forms": (
                (
                    ResultDraftUploadForm(initial=version, auto_id="id_draft_%s"),
                    ResultDraftGenerateForm(initial=version, auto_id="id_draft_generate_%s"),
                )
                if dossier_action_allowed(user=request.user, dossier=dossier, kind="result_drafted")
                else None
            ),
            "printable_forms": forms_available(dossier=dossier),
            # Shown once the sync is configured, or when the dossier was ever queued.
            "portal_sync": (
                dossier_sync_state(dossier=dossier)
                if sync_enabled() or dossier.synced_to_portal
                else None
            ),
        },
    )


# Files are served with the type read from their first bytes (what intake accepted), never the
# stored name's; anything else is a download, so a browser never renders it as a page.
SERVED_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


@login_required
@require_safe
def dossier_document(request, code: str, document_id: int):
    dossier, refusal = _dossier_or_refusal(request, code)
    if refusal is not None:
        return refusal
    try:
        document = dossier_document_get(dossier=dossier, document_id=document_id)
    except NotFound as error:
        return render(request, "404.html", {"message": error.message}, status=404)
    # Opening a scan is an access to personal data: who, which dossier, which document (and
    # whether it is sensitive, e.g. an identity-document image) — logged and kept.
    personal_data_access_record(
        user=request.user, action=AccessAction.VIEW_DOCUMENT, dossier=dossier, document=document
    )
    handle = document.file.open("rb")
    kind = scan_kind(handle)
    content_type = SERVED_TYPES.get(kind, "application/octet-stream")
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=kind is None,
        filename=f"{dossier.code}-{document.pk}.{kind or 'bin'}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    web_action = actions.BY_SLUG.get(action)
    if web_action is None:
        raise Http404(_("Không có thao tác này."))
    dossier, refusal = _dossier_or_refusal(request, code)
    if refusal is not None:
        return refusal
    form = web_action.form_class(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("backoffice:dossier", code=dossier.code)
    data = dict(form.cleaned_data)
    version = data.pop("expected_version")
    try:
        services.dossier_perform(
            actor=request.user,
            dossier=dossier,
            slug=web_action.action.slug,
            expected_version=version,
            inputs=data,
        )
    except DomainError as error:
        # Refusals (role, state, stale form, bad input) are the officer's to read, not a 500.
        messages.error(request, error.message)
    else:
        messages.success(request, str(web_action.done))
    return redirect("backoffice:dossier", code=dossier.code)


DraftUploadHandler = one_limit_handler(
    max_scan_bytes,
    "A drafted result is cut off past the scans' limit while the request streams in.",
)


@capped_upload(DraftUploadHandler)
@login_required
@require_POST
def dossier_result_draft_attach(request, code: str):
    """The processing officer attaches a drafted result (an uploaded PDF) or generates one from
    the default template (the "generate" button); the service checks role, state and file."""
    dossier, refusal = _dossier_or_refusal(request, code)
    if refusal is not None:
        return refusal
    generate = "generate" in request.POST
    form = (
        ResultDraftGenerateForm(request.POST)
        if generate
        else ResultDraftUploadForm(request.POST, request.FILES)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("backoffice:dossier", code=dossier.code)
    version = form.cleaned_data["expected_version"]
    try:
        if generate:
            result_draft_generate(
                actor=request.user,
                dossier=dossier,
                result_summary=form.cleaned_data["result_summary"],
                expected_version=version,
            )
        else:
            upload = form.cleaned_data["draft"]
            services.dossier_attach_result_draft(
                actor=request.user,
                dossier=dossier,
                draft=upload,
                name=upload.name,
                expected_version=version,
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã đính kèm dự thảo kết quả; lãnh đạo ký số khi phê duyệt."))
    return redirect("backoffice:dossier", code=dossier.code)
