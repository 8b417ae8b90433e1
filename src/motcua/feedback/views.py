"""Officers' feedback pages: the inbox with its overdue and soon-due flags, one feedback with its
history and the actions the user may take. Thin: selectors to read, services to act."""

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.core import timeutil
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.feedback import rules, services
from motcua.feedback.forms import ClassifyForm, DeskFeedbackForm, ForwardForm, PublishForm, TextForm
from motcua.feedback.models import FeedbackChannel, FeedbackStatus
from motcua.feedback.redaction import redact
from motcua.feedback.selectors import (
    STAFF_ROLES,
    feedback_available_actions,
    feedback_get_for_user,
    feedback_history,
    feedback_inbox,
    feedback_notifications,
)
from motcua.units.models import Membership, Role, Unit
from motcua.units.selectors import user_units

audit = logging.getLogger("motcua.audit")


@login_required
@require_safe
def inbox(request):
    status = request.GET.get("trang_thai", "")
    if status not in FeedbackStatus.values:
        status = ""
    flag = request.GET.get("loc", "")
    rows, counts = feedback_inbox(user=request.user, status=status, flag=flag)
    return render(
        request,
        "feedback/inbox.html",
        {
            "rows": rows,
            "counts": counts,
            "status": status,
            "flag": flag,
            "statuses": FeedbackStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request):
    """Record feedback given at the desk; the service checks the officer's role in the unit."""
    remit = Q(pk__in=[])
    for top in user_units(user=request.user, roles=STAFF_ROLES):
        remit |= Q(path__startswith=top.path)
    units = Unit.objects.filter(remit).order_by("path")
    form = DeskFeedbackForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = None
        if data["dossier_code"].strip():
            dossier = Dossier.objects.filter(code=data["dossier_code"].strip()).first()
            if dossier is None:
                form.add_error("dossier_code", _("Không có hồ sơ với mã này."))
        if not form.errors:
            try:
                item = services.feedback_receive(
                    channel=FeedbackChannel.DESK,
                    actor=request.user,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    content=data["content"],
                    unit=data["unit"],
                    dossier=dossier,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Đã tiếp nhận phản ánh %(ref)s.") % {"ref": item.reference}
                )
                return redirect("feedback:detail", reference=item.reference)
    return render(request, "feedback/desk_new.html", {"form": form})


def _handlers(feedback):
    """Processors and leaders who may be given the feedback (its unit or above)."""
    paths = [feedback.unit.path[: i + 1] for i, c in enumerate(feedback.unit.path) if c == "/"]
    ids = Membership.objects.filter(
        active=True, role__in=(Role.PROCESSOR, Role.LEADER), unit__path__in=paths
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


@login_required
@require_safe
def detail(request, reference: str):
    feedback = feedback_get_for_user(user=request.user, reference=reference)
    if feedback is None:
        return render(request, "feedback/not_found.html", status=404)
    audit.info("officer view feedback=%s user=%s", feedback.reference, request.user.pk)
    return _detail_page(request, feedback)


def _detail_page(request, feedback, *, status: int = 200, **forms):
    available = feedback_available_actions(user=request.user, feedback=feedback)
    now = timeutil.now()
    context = {
        "feedback": feedback,
        "history": feedback_history(feedback=feedback),
        "notifications": feedback_notifications(feedback=feedback),
        "available": available,
        "late": rules.is_late_at(feedback, now),
        "due_at": rules.running_due(feedback),
        "classify_form": forms.get("classified")
        or ClassifyForm(
            initial={
                "category": feedback.category,
                "dossier_code": feedback.dossier.code if feedback.dossier else "",
            }
        ),
        "forward_form": forms.get("forwarded") or ForwardForm(),
        "publish_form": forms.get("published")
        or PublishForm(
            initial={
                "content": redact(feedback.content, names=[feedback.name]),
                "answer": redact(feedback.answer, names=[feedback.name]),
            }
        ),
        "text_form": TextForm(initial={"text": feedback.answer} if feedback.answer else None),
        "handlers": _handlers(feedback) if "assigned" in available else [],
        "labels": {name: row.label for name, row in rules.ACTIONS.items()},
    }
    return render(request, "feedback/detail.html", context, status=status)


def _perform(request, feedback, action: str):
    """Call the action's service with the posted form; (form with errors) or None when done."""
    user, post = request.user, request.POST
    if action == "classified":
        form = ClassifyForm(post)
        if not form.is_valid():
            return form
        dossier = None
        code = form.cleaned_data["dossier_code"].strip()
        if code:
            dossier = Dossier.objects.filter(code=code).first()
            if dossier is None:
                form.add_error("dossier_code", _("Không có hồ sơ với mã này."))
                return form
        services.feedback_classify(
            actor=user, feedback=feedback, category=form.cleaned_data["category"], dossier=dossier
        )
    elif action == "forwarded":
        form = ForwardForm(post)
        if not form.is_valid():
            return form
        services.feedback_forward(
            actor=user,
            feedback=feedback,
            unit=form.cleaned_data["unit"],
            note=form.cleaned_data["text"],
        )
    elif action == "published":
        form = PublishForm(post)
        if not form.is_valid():
            return form
        services.feedback_publish(
            actor=user,
            feedback=feedback,
            content=form.cleaned_data["content"],
            answer=form.cleaned_data["answer"],
        )
    elif action == "assigned":
        handler = _handlers(feedback).filter(pk=post.get("handler") or 0).first()
        if handler is None:
            raise DomainError(_("Hãy chọn cán bộ được giao."), code="feedback_handler_invalid")
        services.feedback_assign(actor=user, feedback=feedback, handler=handler)
    elif action == "approved":
        services.feedback_approve(actor=user, feedback=feedback)
    else:
        text = post.get("text", "")
        call = {
            "refused": lambda: services.feedback_refuse(actor=user, feedback=feedback, reason=text),
            "info_requested": lambda: services.feedback_request_info(
                actor=user, feedback=feedback, question=text
            ),
            "answered": lambda: services.feedback_answer(
                actor=user, feedback=feedback, answer=text
            ),
            "returned": lambda: services.feedback_return(actor=user, feedback=feedback, note=text),
        }.get(action)
        if call is None:
            raise DomainError(_("Thao tác không hợp lệ."), code="feedback_action_unknown")
        call()
    return None


@login_required
@require_POST
def act(request, reference: str, action: str):
    feedback = feedback_get_for_user(user=request.user, reference=reference)
    if feedback is None:
        return render(request, "feedback/not_found.html", status=404)
    try:
        form = _perform(request, feedback, action)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("feedback:detail", reference=feedback.reference)
    if form is not None:
        return _detail_page(request, feedback, status=400, **{action: form})
    messages.success(
        request, _("Đã thực hiện: %(label)s.") % {"label": rules.ACTIONS[action].label}
    )
    return redirect("feedback:detail", reference=feedback.reference)
