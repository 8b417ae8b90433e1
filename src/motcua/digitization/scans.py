"""The one check every uploaded scan passes — at the desk, on the portal, through the API — before
anything is stored, and where it is stored.

A scan is a PDF, a JPEG or a PNG, told by its content (an extension or a declared type proves
nothing). Refused, each with a Vietnamese message and a stable code: too large (also cut off while
the request streams in: `portal.uploads.SizeCappedUploadHandler` in front of both doors), another
type, a PDF that cannot be read, is encrypted, has too many pages, or carries active content
(JavaScript, launch or import actions, embedded files, rich media), an image whose dimensions pass
the bound (a decompression bomb: a small file that expands to gigabytes of pixels) or that is
broken.

Accepted files are stored under their content's SHA-256 (`dossiers/scans/ab/abcd….pdf`): the name
never comes from the uploader (no path tricks, no overwrites), and the same paper scanned twice is
stored once."""

import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO

from django.conf import settings

from motcua.core.errors import ValidationFailed

MB = 1024 * 1024

# Magic numbers of the accepted types → (kind, stored extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "pdf", "pdf"),
    (b"\xff\xd8\xff", "jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png", "png"),
)
STORE_ROOT = "dossiers/scans"  # under DossierDocument.file's root, so `documents sweep` sees them

# Names whose presence anywhere in a PDF's object graph makes it active content.
_ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
)
_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/GoToE", "/SubmitForm"}
)
# The same names in the raw bytes (long enough never to occur by chance in compressed data).
_ACTIVE_RAW = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia|ImportData)(?![A-Za-z])")
_MAX_PDF_OBJECTS = 200_000


class ScanRefused(ValidationFailed):
    code = "scan_refused"


def max_scan_bytes() -> int:
    return int(getattr(settings, "MOTCUA_SCAN_MAX_BYTES", 10 * MB))


def max_scan_pages() -> int:
    return int(getattr(settings, "MOTCUA_SCAN_MAX_PAGES", 200))


def max_scan_pixels() -> int:
    # 60 megapixels: an A4 page at 600 dpi is 35.
    return int(getattr(settings, "MOTCUA_SCAN_MAX_PIXELS", 60_000_000))


MAX_IMAGE_SIDE = 20_000


@dataclass(frozen=True)
class ScanFacts:
    kind: str  # "pdf", "jpeg", "png"
    extension: str  # "pdf", "jpg", "png"
    size: int
    sha256: str
    page_count: int
    content: bytes = field(repr=False)

    @property
    def store_name(self) -> str:
        return f"{STORE_ROOT}/{self.sha256[:2]}/{self.sha256}.{self.extension}"


def scan_kind(head: bytes) -> tuple[str, str] | None:
    for magic, kind, extension in SIGNATURES:
        if head.startswith(magic):
            return kind, extension
    return None


def _refuse(message: str, code: str, *, name: str = "") -> ScanRefused:
    prefix = f"Tệp “{name[:80]}”: " if name else ""
    return ScanRefused(prefix + message, code=code, details={"file": name[:200]})


def _read_capped(upload, limit: int) -> bytes:
    """The upload's bytes, refusing as soon as they pass `limit` (never read whole beyond it)."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks, total = [], 0
    reader = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(MB), b"")
    for chunk in reader:
        total += len(chunk)
        if total > limit:
            raise OverflowError
        chunks.append(chunk)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return b"".join(chunks)


def scan_check(*, upload, name: str | None = None) -> ScanFacts:
    """Check an uploaded file (a Django File, UploadedFile or anything with read/chunks); returns
    its facts and bytes, or raises ScanRefused (Vietnamese message, stable code)."""
    name = name if name is not None else str(getattr(upload, "name", "") or "")
    limit = max_scan_bytes()
    too_large = _refuse(
        f"tệp quá lớn: tối đa {limit // MB} MB mỗi tệp.", "scan_too_large", name=name
    )
    if getattr(upload, "discarded", False) or (getattr(upload, "size", 0) or 0) > limit:
        raise too_large
    try:
        content = _read_capped(upload, limit)
    except OverflowError:
        raise too_large from None
    if not content:
        raise _refuse("tệp rỗng.", "scan_empty", name=name)
    found = scan_kind(content[:8])
    if found is None:
        raise _refuse("chỉ nhận bản quét dạng PDF, JPEG hoặc PNG.", "scan_type_invalid", name=name)
    kind, extension = found
    if kind == "pdf":
        pages = _pdf_check(content, name=name)
    else:
        pages = _image_check(content, kind=kind, name=name)
    return ScanFacts(
        kind=kind,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=pages,
        content=content,
    )


def _pdf_reader(content: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(content), strict=False)


def _pdf_check(content: bytes, *, name: str) -> int:
    from pyhanko.pdf_utils import generic

    active = _refuse(
        "tệp PDF có mã chạy (JavaScript), lệnh mở chương trình hoặc tệp đính kèm bên trong; "
        "hãy quét hoặc in lại ra PDF thường.",
        "scan_pdf_active_content",
        name=name,
    )
    if _ACTIVE_RAW.search(content):
        raise active
    unreadable = _refuse("không đọc được tệp PDF (tệp hỏng).", "scan_pdf_invalid", name=name)
    try:
        reader = _pdf_reader(content)
        if reader.encrypted:
            raise _refuse("tệp PDF có mật khẩu hoặc bị mã hóa.", "scan_pdf_encrypted", name=name)
        pages = int(reader.root["/Pages"]["/Count"])
        seen: set[tuple[int, int]] = set()
        stack = [reader.trailer.raw_get(key) for key in reader.trailer]
        visited = 0
        while stack:
            item = stack.pop()
            if isinstance(item, generic.IndirectObject):
                reference = (item.idnum, item.generation)
                if reference in seen:
                    continue
                seen.add(reference)
                item = item.get_object()
            visited += 1
            if visited > _MAX_PDF_OBJECTS:
                raise _refuse("tệp PDF quá phức tạp.", "scan_pdf_too_complex", name=name)
            if isinstance(item, generic.DictionaryObject):
                if _ACTIVE_KEYS.intersection(item.keys()):
                    raise active
                action = item.raw_get("/S") if "/S" in item else None
                if isinstance(action, generic.NameObject) and action in _ACTIVE_ACTIONS:
                    raise active
                stack.extend(item.raw_get(key) for key in item)
            elif isinstance(item, generic.ArrayObject):
                stack.extend(item.raw_get(index) for index in range(len(item)))
    except ScanRefused:
        raise
    except Exception:  # pyhanko raises many kinds on malformed input; each means "unreadable"
        raise unreadable from None
    if pages < 1:
        raise _refuse("tệp PDF không có trang nào.", "scan_pdf_empty", name=name)
    if pages > max_scan_pages():
        raise _refuse(
            f"tệp PDF có {pages} trang, vượt quá giới hạn {max_scan_pages()} trang.",
            "scan_too_many_pages",
            name=name,
        )
    return pages


def _image_check(content: bytes, *, kind: str, name: str) -> int:
    from PIL import Image

    broken = _refuse("ảnh bị hỏng hoặc không đọc được.", "scan_image_invalid", name=name)
    too_big = _refuse(
        "ảnh có kích thước điểm ảnh quá lớn (nghi tệp nén bất thường); hãy quét lại ở độ phân "
        "giải thấp hơn (tối đa 600 dpi).",
        "scan_image_too_large",
        name=name,
    )
    try:
        # Opening reads only the header: the dimensions are checked before any pixel is decoded.
        with Image.open(BytesIO(content)) as image:
            width, height = image.size
            if image.format not in ({"jpeg": "JPEG", "png": "PNG"}[kind],):
                raise broken
            if (
                width > MAX_IMAGE_SIDE
                or height > MAX_IMAGE_SIDE
                or width * height > max_scan_pixels()
            ):
                raise too_big
            image.verify()
    except ScanRefused:
        raise
    except Image.DecompressionBombError:
        raise too_big from None
    except Exception:
        raise broken from None
    return 1


def pdf_page_count(content: bytes) -> int | None:
    """Pages of a PDF, None when the bytes are not a readable PDF."""
    if not content.startswith(b"%PDF-"):
        return None
    try:
        return int(_pdf_reader(content).root["/Pages"]["/Count"])
    except Exception:
        return None


def scan_store(*, facts: ScanFacts, storage) -> str:
    """Store the checked bytes under their content address; returns the stored name. The same
    content already stored is not written again. Inside a transaction the bytes reach that name
    only when it commits (`dossiers.documents.staged_store`): a rolled-back or killed intake
    leaves no file there."""
    from motcua.dossiers.documents import staged_store

    name = facts.store_name
    if storage.exists(name):
        return name
    return staged_store(storage=storage, name=name, content=facts.content)
