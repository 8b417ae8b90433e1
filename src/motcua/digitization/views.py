"""The public verification page: upload a result PDF and learn whether it is authentic, who signed
it, when, and for which dossier; or open the link of a result's QR code. Thin: the answer comes
from `services.result_pdf_verify` and `selectors.dossier_result_facts`."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.digitization.certificates import DEMO_NOTICE
from motcua.digitization.forms import VerifyUploadForm
from motcua.digitization.selectors import (
    CODE_PARAM,
    KEY_PARAM,
    MAX_CODE_LENGTH,
    dossier_result_facts,
    result_check_key_valid,
)
from motcua.digitization.verdicts import BROKEN, NOT_PDF
from motcua.portal.templatetags.portal_tags import megabytes
from motcua.portal.uploads import capped_upload, one_limit_handler

log = logging.getLogger(__name__)


def max_bytes() -> int:
    return int(settings.MOTCUA_VERIFY_MAX_BYTES)


VerifyUploadHandler = one_limit_handler(
    max_bytes,
    "The portal's streaming cap, with this page's limit: one file, at most MOTCUA_VERIFY_MAX_BYTES.",
)


@require_http_methods(["GET", "HEAD", "POST"])
@capped_upload(VerifyUploadHandler)
def verify(request):
    limit = megabytes(max_bytes())
    context: dict = {"demo_notice": DEMO_NOTICE}
    code = request.GET.get(CODE_PARAM, "").strip()[:MAX_CODE_LENGTH]
    if code:
        # From a result's QR code: what the system knows, only with the link's check key.
        context["qr_code"] = code
        if result_check_key_valid(dossier_code=code, key=request.GET.get(KEY_PARAM, "")):
            context["qr_checked"] = True
            context["qr_facts"] = dossier_result_facts(code=code)
    if request.method != "POST":
        context["form"] = VerifyUploadForm(limit=limit)
        return render(request, "digitization/verify.html", context)
    form = VerifyUploadForm(request.POST, request.FILES, limit=limit)
    context["form"] = form
    if not form.is_valid():
        return render(request, "digitization/verify.html", context, status=400)
    upload = form.cleaned_data["file"]
    if getattr(upload, "discarded", False):
        form.add_error(
            "file",
            _("Tệp quá lớn (%(size)s); chỉ nhận tệp đến %(limit)s.")
            % {"size": megabytes(upload.size), "limit": limit},
        )
        return render(request, "digitization/verify.html", context, status=413)
    # pyHanko takes over a second to import: loaded with the first file checked, not with the
    # URLconf every worker loads on its first request.
    from motcua.digitization.services import result_pdf_verify

    upload.seek(0)
    verification = result_pdf_verify(pdf=upload.read())
    log.info(
        "result verification: %s, dossier %s", verification.code, verification.dossier_code or "-"
    )
    if verification.code in (NOT_PDF, BROKEN):
        form.add_error("file", verification.message)
        return render(request, "digitization/verify.html", context, status=400)
    context["verification"] = verification
    if verification.valid and verification.dossier_code:
        context["facts"] = dossier_result_facts(code=verification.dossier_code)
    return render(request, "digitization/verify.html", context)


def _matching_line(text: str, term: str) -> str:
    """The first line of the recognised text that holds the folded term, for the officer's eye."""
    from motcua.core.text import fold

    for line in text.splitlines():
        if term in fold(line):
            return line.strip()[:300]
    return text.strip()[:300]


@login_required
@require_http_methods(["GET", "POST"])
def document_search(request):
    """Officers search the recognised text of scans (typed with or without diacritics). POST:
    the words searched may be a person's name, kept out of URLs and logs."""
    from motcua.core.text import fold
    from motcua.digitization.selectors import document_text_search

    query = request.POST.get("q", "").strip()[:200] if request.method == "POST" else ""
    rows = []
    if query:
        term = fold(query)
        log.info("action=document_text_search user_id=%s", request.user.pk)
        rows = [
            {"document": document, "line": _matching_line(document.ocr.text, term)}
            for document in document_text_search(user=request.user, query=query)
        ]
    return render(
        request,
        "digitization/document_search.html",
        {"query": query, "rows": rows, "searched": bool(query)},
    )
