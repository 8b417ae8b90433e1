"""Officer pages for personal data: data subjects' requests (list, receive, answer) and the record
of processing. Thin: reads through privacy.selectors, writes through privacy.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from motcua.core import errors, timeutil
from motcua.dossiers.models import Dossier
from motcua.privacy import selectors, services
from motcua.privacy.forms import AnswerForm, RequestForm
from motcua.privacy.models import RequestKind
from motcua.units.selectors import user_units


def _require_handler(user) -> list:
    units = user_units(user=user, roles=selectors.REQUEST_ROLES)
    if not units:
        raise PermissionDenied(
            _("Chỉ cán bộ tiếp nhận và lãnh đạo đơn vị mới dùng được chức năng này.")
        )
    return units


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def requests(request):
    units = _require_handler(request.user)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = None
        if data["dossier_code"]:
            dossier = Dossier.objects.filter(code=data["dossier_code"].strip()).first()
            if dossier is None:
                form.add_error("dossier_code", _("Không tìm thấy hồ sơ có mã này."))
        if not form.errors:
            try:
                created = services.data_subject_request_receive(
                    actor=request.user,
                    unit=units[0],
                    kind=data["kind"],
                    subject_name=data["subject_name"],
                    subject_id_number=data["subject_id_number"],
                    contact=data["contact"],
                    content=data["content"],
                    dossier=dossier,
                )
            except errors.DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Đã tiếp nhận yêu cầu; hạn trả lời được tính tự động."))
                return redirect("privacy:request", pk=created.pk)
    now = timeutil.now()
    listed = list(selectors.data_subject_requests_for(user=request.user)[:200])
    return render(
        request,
        "privacy/requests.html",
        {"form": form, "requests": listed, "now": now},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request, pk: int):
    try:
        item = selectors.data_subject_request_get(user=request.user, pk=pk)
    except errors.NotFound as error:
        return render(request, "404.html", {"message": error.message}, status=404)
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from error
    correct = item.kind == RequestKind.CORRECT
    form = AnswerForm(request.POST or None, correct=correct)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_subject_request_answer(
                actor=request.user,
                request=item,
                answer=form.cleaned_data["answer"],
                refuse_reason=form.cleaned_data["refuse_reason"],
                corrections=form.corrections() if correct else None,
            )
        except errors.DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã trả lời yêu cầu."))
            return redirect("privacy:request", pk=item.pk)
    return render(
        request,
        "privacy/request.html",
        {"item": item, "form": form, "now": timeutil.now()},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def processing_record(request):
    _require_handler(request.user)
    return render(request, "privacy/processing.html", {"activities": selectors.PROCESSING_RECORD})
