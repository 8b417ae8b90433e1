"""Providers' callbacks, the citizen's payment pages, receipts, the desk's payment form. Thin: reads
through selectors, writes through services; a citizen proves the dossier as the portal's tracking
does (portal.access), an officer through dossiers.selectors."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.core.errors import DomainError
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.payments.forms import DeskPaymentForm
from motcua.payments.models import OrderStatus, Provider
from motcua.payments.receipts import receipt_render_pdf
from motcua.payments.selectors import (
    dossier_amount_owed,
    dossier_receipts,
    fee_lines,
    order_receipt,
    payment_order_get,
    receipt_get,
)
from motcua.payments.services import (
    payment_callback_handle,
    payment_desk_record,
    payment_order_open,
    receipt_provider_bill_fetch,
)
from motcua.portal import access
from motcua.portal.selectors import dossier_public_get

audit = logging.getLogger("motcua.audit")


def _callback(request, provider: str):
    status, body = payment_callback_handle(
        provider=provider,
        headers=request.headers,
        body=request.body,
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def callback_province(request):
    return _callback(request, Provider.PROVINCE)


@csrf_exempt
@require_POST
def callback_national(request):
    return _callback(request, Provider.NATIONAL)


# --- the citizen ---------------------------------------------------------------------------------


def _to_lookup(code: str):
    return HttpResponseRedirect(reverse("portal:lookup") + "?" + urlencode({"ma": code[:64]}))


def _citizen_dossier(request, code: str):
    dossier = dossier_public_get(code=code)
    if dossier is None or not access.dossier_granted(request=request, dossier=dossier):
        return None
    return dossier


@require_POST
def pay_start(request, code: str):
    dossier = _citizen_dossier(request, code)
    if dossier is None:
        return _to_lookup(code)
    provider = request.POST.get("provider", Provider.PROVINCE)
    try:
        order = payment_order_open(dossier=dossier, provider=provider)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:dossier", code=dossier.code)
    audit.info("portal payment start dossier=%s order=%s", dossier.code, order.order_id)
    return HttpResponseRedirect(order.pay_url)


@require_safe
def pay_return(request, order_id: str):
    """Where the provider sends the citizen back. The browser's arrival proves nothing: the page
    says "paid" only once the provider's callback has been recorded."""
    order = payment_order_get(order_id=order_id)
    if order is None:
        return render(
            request,
            "portal/not_found.html",
            {"message": _("Không có đơn thanh toán này.")},
            status=404,
        )
    if not access.dossier_granted(request=request, dossier=order.dossier):
        return _to_lookup(order.dossier.code)
    paid = order.status == OrderStatus.PAID
    receipt = order_receipt(order=order) if paid else None
    return render(
        request,
        "payments/return.html",
        {
            "order": order,
            "dossier": order.dossier,
            "receipt": receipt,
            "paid": paid,
        },
    )


# --- receipts ------------------------------------------------------------------------------------


def _pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def receipt_pdf(request, number: str):
    receipt = receipt_get(number=number)
    if receipt is None:
        return render(
            request, "portal/not_found.html", {"message": _("Không có biên lai này.")}, status=404
        )
    dossier = receipt.dossier
    if access.dossier_granted(request=request, dossier=dossier):
        who = "citizen"
    elif request.user.is_authenticated:
        try:
            dossier_get_for_user(user=request.user, code=dossier.code)
        except DomainError as error:
            audit.warning(
                "action=receipt_denied user_id=%s dossier=%s", request.user.pk, dossier.code
            )
            return render(request, "403.html", {"message": error.message}, status=403)
        who = f"user_id={request.user.pk}"
    else:
        return _to_lookup(dossier.code)
    receipt = receipt_provider_bill_fetch(receipt=receipt)
    audit.info("action=receipt_pdf %s dossier=%s receipt=%s", who, dossier.code, receipt.number)
    return _pdf_response(
        receipt_render_pdf(receipt=receipt),
        filename=f"bien-lai-{receipt.number.replace('/', '-')}.pdf",
    )


# --- the desk ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def desk_payment(request, code: str):
    try:
        dossier = dossier_get_for_user(user=request.user, code=code)
    except DomainError as error:
        return render(request, "403.html", {"message": error.message}, status=403)
    form = DeskPaymentForm(request.POST or None, owed=dossier_amount_owed(dossier=dossier))
    if request.method == "POST" and form.is_valid():
        try:
            receipt = payment_desk_record(
                actor=request.user,
                dossier=dossier,
                method=form.cleaned_data["method"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Đã ghi nhận nộp phí, lệ phí. Biên lai số %(n)s.") % {"n": receipt.number},
            )
            return redirect("payments:desk", code=dossier.code)
    return render(
        request,
        "payments/desk.html",
        {
            "dossier": dossier,
            "form": form,
            "lines": fee_lines(dossier=dossier),
            "owed": dossier_amount_owed(dossier=dossier),
            "receipts": dossier_receipts(dossier=dossier),
        },
    )
