"""Files citizens upload: the real type is read from the first bytes (an extension proves nothing),
and size limits are enforced while the request streams in, so a huge file is never stored whole
and the text fields that follow it in the request still arrive (the form can keep them)."""

from functools import wraps
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

MB = 1024 * 1024

# Magic numbers of the accepted types, and the file-name endings each may carry.
SIGNATURES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "pdf": (b"%PDF-", (".pdf",)),
    "jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "png": (b"\x89PNG", (".png",)),
}


def max_file_bytes() -> int:
    return int(getattr(settings, "MOTCUA_PORTAL_MAX_FILE_BYTES", 10 * MB))


def max_dossier_bytes() -> int:
    return int(getattr(settings, "MOTCUA_PORTAL_MAX_DOSSIER_BYTES", 30 * MB))


def sniff(file) -> str | None:
    """ "pdf", "jpeg" or "png" from the file's first bytes; None for anything else."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    for kind, (magic, _endings) in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def extension_matches(*, name: str, kind: str) -> bool:
    return PurePath(name or "").suffix.lower() in SIGNATURES[kind][1]


def safe_name(*, name: str, kind: str, prefix: str = "") -> str:
    """A short stored name with the canonical ending of the sniffed type (the storage cleans the
    rest); the original stem is kept so officers recognise the paper."""
    stem = PurePath(name or "").stem.strip()[:50] or "tep"
    ending = SIGNATURES[kind][1][0]
    return f"{prefix}-{stem}{ending}" if prefix else f"{stem}{ending}"


class DiscardedUpload(InMemoryUploadedFile):
    """Stands for a file dropped for being over a limit: its true size, none of its bytes."""

    discarded = True


class SizeCappedUploadHandler(FileUploadHandler):
    """Put first in `request.upload_handlers`. Once a file passes the per-file limit, or all files
    together pass the per-dossier limit, its further chunks are swallowed (later handlers never see
    them) and the form receives a `DiscardedUpload` carrying the size, to report it."""

    def __init__(self, request=None):
        super().__init__(request)
        self.file_limit = max_file_bytes()
        self.total_limit = max_dossier_bytes()
        self.total = 0
        self.size = 0
        self.over = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.size = 0
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        self.total += len(raw_data)
        if self.size > self.file_limit or self.total > self.total_limit:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size):
        if not self.over:
            return None  # the next handler (memory or temporary file) holds the data
        return DiscardedUpload(
            BytesIO(), self.field_name, self.file_name, self.content_type, self.size, self.charset
        )


def one_limit_handler(limit, doc: str) -> type[SizeCappedUploadHandler]:
    """A handler with one limit (`limit()` bytes, read per request) for the file and the whole
    request: the verification page's, the drafted result's."""

    class OneLimitUploadHandler(SizeCappedUploadHandler):
        __doc__ = doc

        def __init__(self, request=None):
            super().__init__(request)
            self.file_limit = self.total_limit = limit()

    return OneLimitUploadHandler


def capped_upload(handler_class: type[FileUploadHandler]):
    """Decorate a view that takes an upload: the cap must be in place before the body is parsed,
    and the CSRF check parses it — so the handler goes in first and the check comes after."""

    def decorate(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.upload_handlers.insert(0, handler_class(request))
            return protected(request, *args, **kwargs)

        return wrapper

    return decorate
