"""Citizens' feedback and rating pages (no login): tracking a feedback by its code and phone, the
published answers with like/dislike, the desk kiosk and the rating link sent in the result
notification. Thin: selectors to read, services to act."""

import logging
import time

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.core.errors import DomainError
from motcua.core.throttle import failure_count_add
from motcua.feedback import services
from motcua.feedback.forms import (
    FeedbackLookupForm,
    KioskCodeForm,
    RatingForm,
    TextForm,
    VerdictForm,
    rating_form_for,
)
from motcua.feedback.models import Feedback, FeedbackStatus, RatingChannel
from motcua.feedback.selectors import (
    dossier_rateable,
    feedback_public_lookup,
    feedback_published,
    feedback_published_get,
    feedback_reference_pk,
    kiosk_dossier_code,
    rating_criteria,
    rating_get,
    rating_link_dossier,
    rating_may_change,
)
from motcua.portal import access
from motcua.portal.selectors import dossier_public_get

audit = logging.getLogger("motcua.audit")

GRANT_KEY = "feedback:grants"
REACTED_KEY = "feedback:reacted"
KIOSK_KEY = "feedback:kiosk"
REACTS_PER_IP = 5
KIOSK_SECONDS = 5 * 60  # a kiosk session rates one dossier, then forgets it


# --- tracking a feedback -------------------------------------------------------------------------


def _grant(request, feedback) -> None:
    grants = {k: v for k, v in request.session.get(GRANT_KEY, {}).items() if v > time.time()}
    grants[str(feedback.pk)] = time.time() + access.grant_seconds()
    request.session[GRANT_KEY] = grants


def _granted(request, reference: str):
    """The feedback, for a session that proved its code and contact; None otherwise."""
    pk = feedback_reference_pk(reference)
    if pk is None or request.session.get(GRANT_KEY, {}).get(str(pk), 0) <= time.time():
        return None
    return Feedback.objects.filter(pk=pk).select_related("unit").first()


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    if request.method != "POST":
        form = FeedbackLookupForm(initial={"reference": request.GET.get("ma", "")[:32]})
        return render(request, "feedback/portal_lookup.html", {"form": form})
    form = FeedbackLookupForm(request.POST)
    ip, code = access.client_ip(request), request.POST.get("reference", "")[:32]
    if access.lookup_blocked(ip=ip, code=code):
        error = _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau.")
        return render(
            request, "feedback/portal_lookup.html", {"form": form, "error": error}, status=429
        )
    if not form.is_valid():
        return render(request, "feedback/portal_lookup.html", {"form": form})
    item = feedback_public_lookup(
        reference=form.cleaned_data["reference"], contact=form.cleaned_data["contact"]
    )
    if item is None:
        access.lookup_failure_record(ip=ip, code=code)
        error = _(
            "Không tìm thấy phản ánh với thông tin đã nhập. Vui lòng kiểm tra số phản ánh và số "
            "điện thoại hoặc thư điện tử đã để lại."
        )
        form = FeedbackLookupForm(initial={"reference": code})
        return render(request, "feedback/portal_lookup.html", {"form": form, "error": error})
    _grant(request, item)
    return redirect("feedback_portal:track", reference=item.reference)


def _track_page(request, item, *, status=200, **forms):
    audit.info("portal view feedback=%s", item.reference)
    return render(
        request,
        "feedback/portal_track.html",
        {
            "item": item,
            "history": item.events.order_by("seq"),
            "can_verdict": item.status in (FeedbackStatus.APPROVED, FeedbackStatus.PUBLISHED),
            "can_raise": item.status
            in (FeedbackStatus.REFUSED, FeedbackStatus.APPROVED, FeedbackStatus.PUBLISHED),
            "can_supply": item.status == FeedbackStatus.INFO_REQUESTED,
            "verdict_form": forms.get("verdict_form") or VerdictForm(),
            "text_form": forms.get("text_form") or TextForm(),
        },
        status=status,
    )


@require_safe
def track(request, reference: str):
    item = _granted(request, reference)
    if item is None:
        return redirect(reverse("feedback_portal:lookup") + f"?ma={reference[:32]}")
    return _track_page(request, item)


@require_POST
def track_act(request, reference: str, action: str):
    item = _granted(request, reference)
    if item is None:
        return redirect(reverse("feedback_portal:lookup") + f"?ma={reference[:32]}")
    try:
        if action == "danh-gia":
            form = VerdictForm(request.POST)
            if not form.is_valid():
                return _track_page(request, item, status=400, verdict_form=form)
            services.feedback_verdict(feedback=item, satisfied=form.cleaned_data["satisfied"])
            messages.success(request, _("Cảm ơn bạn đã đánh giá kết quả xử lý."))
        elif action in ("phan-anh-lai", "bo-sung"):
            form = TextForm(request.POST)
            if not form.is_valid():
                return _track_page(request, item, status=400, text_form=form)
            if action == "bo-sung":
                services.feedback_supply_info(feedback=item, text=form.cleaned_data["text"])
                messages.success(request, _("Đã gửi thông tin bổ sung."))
            else:
                services.feedback_raise_again(feedback=item, reason=form.cleaned_data["text"])
                messages.success(request, _("Đã gửi phản ánh lại. Cơ quan sẽ xem xét lại."))
        else:
            return render(request, "portal/not_found.html", status=404)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("feedback_portal:track", reference=item.reference)


# --- published answers ---------------------------------------------------------------------------


@require_safe
def published(request):
    return render(request, "feedback/portal_published.html", {"items": feedback_published()})


@require_POST
def react(request, reference: str):
    item = feedback_published_get(reference=reference)
    if item is None:
        return render(request, "portal/not_found.html", status=404)
    reacted = request.session.get(REACTED_KEY, [])
    # Reactions count in indicator 5.3: one per browser session and, for clients that drop their
    # cookies, a handful per address and day (a household or an office shares one address).
    key = f"feedback-react:{item.pk}:{access.client_ip(request)}"
    if item.pk not in reacted and failure_count_add(key=key, window_seconds=86400) > REACTS_PER_IP:
        messages.info(request, _("Đã ghi nhận đủ ý kiến từ địa chỉ mạng này hôm nay."))
        return redirect(reverse("feedback_portal:published") + f"#{item.reference}")
    if item.pk in reacted:
        messages.info(request, _("Bạn đã bày tỏ ý kiến về câu trả lời này."))
    else:
        try:
            services.feedback_react(feedback=item, like=request.POST.get("y_kien") == "thich")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            request.session[REACTED_KEY] = [*reacted, item.pk][-200:]
            messages.success(request, _("Cảm ơn ý kiến của bạn."))
    return redirect(reverse("feedback_portal:published") + f"#{item.reference}")


# --- ratings: the kiosk and the notification's link ----------------------------------------------


def _rating_page(request, dossier, *, template, channel, action_url, status=200, form=None):
    rating = rating_get(dossier=dossier)
    if form is None:
        form = rating_form_for(criteria=rating_criteria(), rating=rating)
    return render(
        request,
        template,
        {
            "dossier": dossier,
            "rating": rating,
            "rating_form": form,
            "can_rate": dossier_rateable(dossier=dossier) and rating_may_change(rating=rating),
            "rateable": dossier_rateable(dossier=dossier),
            "rating_action_url": action_url,
            "kiosk": channel == RatingChannel.KIOSK,
        },
        status=status,
    )


def _rating_post(request, dossier, *, channel):
    form = RatingForm(request.POST, criteria=rating_criteria())
    if not form.is_valid():
        return form, False
    try:
        services.rating_submit(
            dossier=dossier,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            channel=channel,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return form, False
    return form, True


@require_http_methods(["GET", "HEAD", "POST"])
def kiosk(request):
    """A tablet at the counter: enter the dossier's code or scan the receipt's QR code."""
    form = KioskCodeForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        ip = access.client_ip(request)
        code = kiosk_dossier_code(form.cleaned_data["code"])
        dossier = dossier_public_get(code=code) if code else None
        if access.lookup_blocked(ip=ip, code=code):
            error = _("Đã nhập sai quá nhiều lần. Vui lòng hỏi cán bộ tại quầy.")
        elif dossier is None:
            access.lookup_failure_record(ip=ip, code=code)
            error = _("Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại.")
        elif not dossier_rateable(dossier=dossier):
            error = _("Hồ sơ này chưa có kết quả nên chưa đánh giá được.")
        else:
            request.session[KIOSK_KEY] = {"id": dossier.pk, "until": time.time() + KIOSK_SECONDS}
            return redirect("feedback_portal:kiosk_rate")
    return render(request, "feedback/kiosk.html", {"form": form, "error": error})


def _kiosk_dossier(request):
    held = request.session.get(KIOSK_KEY) or {}
    if held.get("until", 0) < time.time():
        return None
    return dossier_public_get(pk=held.get("id"))


@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_rate(request):
    dossier = _kiosk_dossier(request)
    if dossier is None:
        return redirect("feedback_portal:kiosk")
    form, status = None, 200
    if request.method == "POST":
        form, done = _rating_post(request, dossier, channel=RatingChannel.KIOSK)
        if done:
            request.session.pop(KIOSK_KEY, None)  # the next person starts afresh
            return render(request, "feedback/kiosk_thanks.html")
        status = 400
    return _rating_page(
        request,
        dossier,
        template="feedback/kiosk_rate.html",
        channel=RatingChannel.KIOSK,
        action_url=reverse("feedback_portal:kiosk_rate"),
        status=status,
        form=form,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def rating_link(request, token: str):
    dossier = rating_link_dossier(token=token)
    if dossier is None:
        return render(
            request,
            "portal/not_found.html",
            {"message": _("Đường dẫn đánh giá không hợp lệ hoặc đã hết hạn.")},
            status=404,
        )
    url = reverse("feedback_portal:rating_link", kwargs={"token": token})
    form = None
    if request.method == "POST":
        form, done = _rating_post(request, dossier, channel=RatingChannel.LINK)
        if done:
            messages.success(request, _("Cảm ơn bạn đã đánh giá mức độ hài lòng."))
            return redirect(url)
    return _rating_page(
        request,
        dossier,
        template="feedback/rating_link.html",
        channel=RatingChannel.LINK,
        action_url=url,
        status=400 if form is not None else 200,
        form=form,
    )
