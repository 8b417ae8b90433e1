"""Small helpers shared by the browser tests: logging in, tiny real files to upload, the
accessibility check and reading the supervisors' dashboard."""

import re
import zlib
from pathlib import Path
from struct import pack

from motcua.bench.files import tiny_pdf  # noqa: F401 (the tests import it from here)

PASSWORD = "mat-khau-thu-nghiem"

# WCAG 2.0/2.1, levels A and AA: the tags axe-core gives those success criteria.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def new_page(browser, *, width: int = 1280, height: int = 900):
    """A page in its own browser context (its own cookies): one per person in a journey."""
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/ho-so/")


# --- files ---------------------------------------------------------------------------------------


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def tiny_jpeg(width: int = 8, height: int = 8) -> bytes:
    """A valid white JPEG image."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "JPEG")
    return out.getvalue()


def write(directory: Path, name: str, data: bytes) -> str:
    path = directory / name
    path.write_bytes(data)
    return str(path)


# --- accessibility -------------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.0/2.1 A/AA violations on the page, as short dicts."""
    import pytest

    axe = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="pip install axe-playwright-python (ships axe-core; no network needed)",
    )
    results = axe.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [" ".join(map(str, node["target"])) for node in violation["nodes"]],
        }
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


# --- dashboard -----------------------------------------------------------------------------------


def dashboard_figure(page, metric_label: str) -> tuple[int, int]:
    """(numerator, denominator) shown under a rate card of the dashboard, e.g. "1 / 1 hồ sơ"."""
    card = page.locator(".cards .card").filter(has=page.get_by_role("heading", name=metric_label))
    text = " ".join(card.locator("p.muted").inner_text().split())
    match = re.search(r"([\d.]+) / ([\d.]+) hồ sơ", text)
    assert match, f"không đọc được số liệu trong thẻ “{metric_label}”: {text!r}"
    return int(match[1].replace(".", "")), int(match[2].replace(".", ""))
