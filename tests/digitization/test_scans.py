"""The one upload check of scans (desk, portal, API): real files accepted with their facts,
hostile ones refused in Vietnamese with a stable code, accepted ones stored by content address."""

import hashlib
from io import BytesIO
from struct import pack

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from motcua.bench.files import pdf_from_objects
from motcua.digitization.scans import ScanRefused, pdf_page_count, scan_check, scan_store
from tests.e2e.helpers import tiny_jpeg, tiny_pdf, tiny_png


def pdf_with(catalog_extra: bytes = b"", pages: int = 1, extra_objects=()) -> bytes:
    """A correct PDF (cross-reference table and all) with `pages` pages and extra catalog
    entries / objects, uncompressed, so hostile entries are real PDF structure."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    objects += list(extra_objects)
    return pdf_from_objects(objects, version=b"1.7")


def refused(content: bytes, name: str = "giay-to.pdf") -> ScanRefused:
    with pytest.raises(ScanRefused) as caught:
        scan_check(upload=ContentFile(content, name=name))
    assert caught.value.message  # Vietnamese, for the person who uploaded
    return caught.value


@pytest.mark.parametrize(
    ("content", "kind", "pages"),
    [(tiny_pdf(), "pdf", 1), (pdf_with(pages=3), "pdf", 3), (tiny_png(), "png", 1)],
)
def test_real_scans_pass_with_their_facts(content, kind, pages):
    facts = scan_check(upload=ContentFile(content, name="x"))
    assert (facts.kind, facts.page_count, facts.size) == (kind, pages, len(content))
    assert facts.sha256 == hashlib.sha256(content).hexdigest()


def test_a_jpeg_is_told_by_its_content_not_its_name():
    facts = scan_check(upload=ContentFile(tiny_jpeg(), name="anh.pdf"))
    assert facts.kind == "jpeg" and facts.extension == "jpg"


def test_an_executable_named_pdf_is_refused():
    error = refused(b"MZ\x90\x00" + b"\x00" * 200, name="to-khai.pdf")
    assert error.code == "scan_type_invalid"
    assert "PDF, JPEG hoặc PNG" in error.message and "to-khai.pdf" in error.message


def test_size_and_pages_are_bounded(settings):
    settings.MOTCUA_SCAN_MAX_BYTES = 100
    assert refused(tiny_pdf()).code == "scan_too_large"
    settings.MOTCUA_SCAN_MAX_BYTES = 10 * 2**20
    settings.MOTCUA_SCAN_MAX_PAGES = 2
    error = refused(pdf_with(pages=3))
    assert error.code == "scan_too_many_pages" and "3 trang" in error.message


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 10 0 R] >> >>",
        b"/AA << /O << /S /ImportData /F (x.fdf) >> >>",
    ],
)
def test_pdfs_with_active_content_or_embedded_files_are_refused(catalog_extra):
    assert refused(pdf_with(catalog_extra)).code == "scan_pdf_active_content"


def test_javascript_behind_an_escaped_name_is_found():
    # "/Java#53cript" is /JavaScript written with a hex escape: not in the raw bytes, only the
    # parsed object graph shows it.
    content = pdf_with(
        b"/OpenAction 4 0 R", extra_objects=[b"<< /S /Java#53cript /J#53 (app.alert(1)) >>"]
    )
    assert b"/JavaScript" not in content
    assert refused(content).code == "scan_pdf_active_content"


def test_a_broken_pdf_is_refused():
    assert refused(b"%PDF-1.7\n garbage \x00\xff" * 20).code == "scan_pdf_invalid"


def test_a_decompression_bomb_is_refused_before_decoding(settings):
    # 30 000 × 30 000 one-bit pixels: ~100 kB on disk, gigabytes once decoded.
    out = BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    assert refused(out.getvalue(), name="bom.png").code == "scan_image_too_large"


def test_a_broken_image_is_refused():
    header = b"\x89PNG\r\n\x1a\n" + pack(">I", 13) + b"IHDR" + b"\x00" * 17
    assert refused(header + b"\x00" * 50, name="hong.png").code == "scan_image_invalid"


def test_stored_by_content_address_once_whatever_the_name():
    content = tiny_pdf("Giay khai sinh")
    first = scan_check(upload=ContentFile(content, name="../../etc/passwd.pdf"))
    name = scan_store(facts=first, storage=default_storage)
    digest = hashlib.sha256(content).hexdigest()
    assert name == f"dossiers/scans/{digest[:2]}/{digest}.pdf"
    again = scan_check(upload=ContentFile(content, name="khac.pdf"))
    assert scan_store(facts=again, storage=default_storage) == name
    assert default_storage.open(name).read() == content


def test_page_count_of_a_result():
    assert pdf_page_count(pdf_with(pages=2)) == 2
    assert pdf_page_count(b"not a pdf") is None
