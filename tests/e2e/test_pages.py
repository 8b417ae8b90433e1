"""Every page in a real browser: a crawl from the home page for each role, unknown codes, permissions,
bad input, phone width and an automated WCAG 2.1 AA check (axe-core)."""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.e2e.helpers import axe_violations, login, tiny_png, write

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "0912345678"
CRAWL_LIMIT = 60
# Logging out is a POST; PDFs, the admin, the API, static and media files are not pages.
NOT_PAGES = re.compile(r"^/(admin|api|static|media)/|/dang-xuat/|\.pdf$")
DOWNLOAD = "(tệp tải về)"


# Linked from the dashboard's "Bộ chỉ số 766" table but answered with 404: indicators computed on
# publications or procedures have no dossier list (test_scorecard_links_lead_to_dossier_lists).
@pytest.fixture
def seeded(staff, tree, birth_registration):
    """Dossiers in every hand: at the desk, the processor, the leader, returned, filed online,
    and one of another commune; a second procedure that is not offered online."""
    procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
        online_level="none",
    )

    def receive(name: str, *, actor=staff.desk, unit=tree.tien_dong, id_number="001199001234"):
        return services.dossier_receive(
            actor=actor,
            unit=unit,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name=name, id_number=id_number, phone=PHONE),
        )

    at_desk = receive("Nguyễn Thị Hoa")
    at_processor = receive("Phạm Văn Đức")
    services.dossier_forward(actor=staff.desk, dossier=at_processor)
    at_leader = receive("Lê Thị Mai")
    services.dossier_forward(actor=staff.desk, dossier=at_leader)
    services.dossier_forward(actor=staff.processor, dossier=at_leader)
    returned = receive("Hoàng Văn Nam")
    services.dossier_forward(actor=staff.desk, dossier=returned)
    services.dossier_forward(actor=staff.processor, dossier=returned)
    services.dossier_resolve(
        actor=staff.leader, dossier=returned, result_summary="Cấp giấy khai sinh."
    )
    services.dossier_return_result(actor=staff.desk, dossier=returned)
    online = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Vũ Thị Lan", id_number="030190004321", phone=PHONE),
        components=handed_in(birth_registration, digitized=True),
    )
    other = receive(
        "Đỗ Văn Cường", actor=staff.other_desk, unit=tree.cong_lac, id_number="034088009876"
    )
    return SimpleNamespace(
        at_desk=at_desk,
        at_processor=at_processor,
        at_leader=at_leader,
        returned=returned,
        online=online,
        other=other,
    )


def html_lang(page) -> str | None:
    return page.locator("html").get_attribute("lang")


class _Links(HTMLParser):
    """The <html lang> and every <a href> of a page."""

    def __init__(self):
        super().__init__()
        self.lang, self.hrefs = None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def crawl(page, base: str, starts: list[str], *, limit: int = CRAWL_LIMIT) -> dict[str, tuple]:
    """Breadth-first over same-origin links with the browser context's session (its cookies):
    {path: (final status, <html lang>, final path)}. At most two query strings per path (the
    dashboard links every figure with its filters), so the bound buys breadth. Downloads (xlsx,
    docx…) are fetched and must answer below 500 too, but are not parsed; PDFs are left to
    test_desk.py (rendering them costs seconds)."""
    origin = urlsplit(base).netloc
    queue, seen, visited = deque(starts), set(starts), {}
    variants = Counter(urlsplit(start).path for start in starts)
    while queue and len(visited) < limit:
        path = queue.popleft()
        response = page.context.request.get(base + path)
        final = urlsplit(response.url).path
        parser = _Links()
        if response.headers.get("content-type", "").startswith("text/html"):
            parser.feed(response.text())
        else:
            parser.lang = DOWNLOAD
        visited[path] = (response.status, parser.lang, final)
        for href in parser.hrefs:
            parts = urlsplit(urljoin(base + final, href))
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc != origin or NOT_PAGES.search(parts.path) or link in seen:
                continue
            seen.add(link)
            if variants[parts.path] < 2:
                variants[parts.path] += 1
                queue.append(link)
    return visited


# --- every reachable page, for every role --------------------------------------------------------

ROLES = {
    # username (None: anonymous) and pages the crawl must reach, {code} for seeded dossiers
    "anonymous": (None, ["/dang-nhap/", "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/"]),
    "desk": ("tiepnhan.tiendong", ["/tiep-nhan/", "/ho-so/{at_desk}/", "/ho-so/{online}/"]),
    "processor": ("chuyenvien.tiendong", ["/ho-so/{at_processor}/"]),
    "leader": ("lanhdao.tiendong", ["/ho-so/{at_leader}/"]),
    "supervisor": ("giamsat.tuky", ["/giam-sat/", "/giam-sat/chi-so/online_dossiers/"]),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reachable_from_home_answers_in_vietnamese(page, live_server, seeded, role):
    username, must_reach = ROLES[role]
    if username:
        login(page, live_server, username)
    visited = crawl(page, live_server.url, ["/", "/cong-dich-vu/"])

    errors = {path: v for path, v in visited.items() if v[0] >= 500}
    not_vietnamese = {path: v for path, v in visited.items() if v[1] not in ("vi", DOWNLOAD)}
    broken = {path: v for path, v in visited.items() if v[0] >= 400}
    assert not errors, errors
    assert not not_vietnamese, not_vietnamese
    assert not broken, f"liên kết hỏng: {broken}"
    codes = {key: getattr(seeded, key).code for key in vars(seeded)}
    reached = {final for _status, _lang, final in visited.values()} | set(visited)
    for path in must_reach:
        assert path.format(**codes) in reached, sorted(visited)
    assert len(visited) >= 8


def test_scorecard_links_lead_to_dossier_lists(page, live_server, seeded):
    login(page, live_server, "giamsat.tuky")
    page.goto(f"{live_server.url}/giam-sat/")
    links = page.locator("a[href*='/giam-sat/chi-so-766/']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert hrefs
    statuses = {href: page.context.request.get(live_server.url + href).status for href in hrefs}
    assert {href: s for href, s in statuses.items() if s != 200} == {}


# --- unknown codes -------------------------------------------------------------------------------


def test_unknown_dossier_code_gets_a_friendly_vietnamese_page(page, live_server, seeded):
    login(page, live_server, "tiepnhan.tiendong")
    response = page.goto(f"{live_server.url}/ho-so/11143-990101-9999/")
    assert response.status == 404
    assert html_lang(page) == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy"
    assert "Vui lòng kiểm tra lại mã hồ sơ" in page.locator("#main").inner_text()
    page.get_by_role("link", name="Về trang danh sách hồ sơ").click()
    page.wait_for_url("**/ho-so/")

    # Forms of an unknown dossier and unknown addresses get the same kind of page, not a 500.
    for path in ("/bieu-mau/11143-990101-9999/giay-tiep-nhan.pdf", "/khong-co-trang-nay/"):
        response = page.goto(live_server.url + path)
        assert response.status == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert html_lang(page) == "vi"
        assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy"


def test_unknown_codes_on_the_portal(page, live_server, seeded):
    url = live_server.url
    response = page.goto(f"{url}/cong-dich-vu/thu-tuc/9.999999/")
    assert response.status == 404
    assert html_lang(page) == "vi"
    assert "Không tìm thấy thủ tục hành chính này." in page.locator("#main").inner_text()

    # A dossier page without a lookup leads to the lookup, the code kept; no data shown.
    page.goto(f"{url}/cong-dich-vu/ho-so/11143-990101-9999/")
    assert urlsplit(page.url).path == "/cong-dich-vu/tra-cuu/"
    assert page.get_by_label("Mã hồ sơ").input_value() == "11143-990101-9999"

    # An unknown code and a known code with a wrong phone get the same Vietnamese message.
    messages = []
    for code, contact in (("11143-990101-9999", PHONE), (seeded.at_desk.code, "0900000000")):
        page.get_by_label("Mã hồ sơ").fill(code)
        page.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(contact)
        page.get_by_role("button", name="Tra cứu").click()
        page.wait_for_load_state()
        messages.append(page.get_by_role("alert").inner_text())
        assert page.get_by_label("Số điện thoại hoặc 4 ký tự cuối").input_value() == ""
    assert messages[0] == messages[1]
    assert messages[0].startswith("Không tìm thấy hồ sơ với thông tin đã nhập.")
    assert "Nguyễn Thị Hoa" not in page.content()


# --- permissions ---------------------------------------------------------------------------------


def test_another_communes_officer_gets_the_vietnamese_403_page(page, live_server, seeded):
    url, code = live_server.url, seeded.at_desk.code
    login(page, live_server, "tiepnhan.conglac")
    assert page.get_by_role("link", name=seeded.other.code).is_visible()
    assert page.get_by_role("link", name=code).count() == 0

    for path in (f"/ho-so/{code}/", f"/bieu-mau/{code}/giay-tiep-nhan.pdf"):
        response = page.goto(url + path)
        assert response.status == 403, path
        assert html_lang(page) == "vi"
        assert page.get_by_role("heading", level=1).inner_text() == "Không có quyền truy cập"
        assert "Nguyễn Thị Hoa" not in page.content()
        assert "001199001234" not in page.content() and "********1234" not in page.content()


def test_roles_without_the_desk_or_the_dashboard_are_refused(page, live_server, seeded):
    url = live_server.url
    login(page, live_server, "chuyenvien.tiendong")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert nav.get_by_role("link", name="Tiếp nhận hồ sơ").count() == 0
    assert nav.get_by_role("link", name="Bảng điều hành").count() == 0
    for path in ("/tiep-nhan/", "/tiep-nhan/11143/1.001193/", "/giam-sat/"):
        response = page.goto(url + path)
        assert response.status == 403, path
        assert html_lang(page) == "vi"
        assert page.get_by_role("heading", level=1).inner_text() == "Không có quyền truy cập"


def test_anonymous_visitors_are_sent_to_the_login_page(page, live_server, seeded):
    page.goto(f"{live_server.url}/ho-so/{seeded.at_desk.code}/")
    assert urlsplit(page.url).path == "/dang-nhap/"
    assert "Nguyễn Thị Hoa" not in page.content()
    page.get_by_label("Tên đăng nhập").fill("tiepnhan.tiendong")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert urlsplit(page.url).path == "/dang-nhap/"
    assert page.get_by_role("alert").inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert page.get_by_label("Tên đăng nhập").input_value() == "tiepnhan.tiendong"


# --- bad input -----------------------------------------------------------------------------------


def test_portal_refuses_files_whose_content_is_not_what_their_name_says(
    page, live_server, seeded, tmp_path
):
    png_named_pdf = write(tmp_path, "to-khai.pdf", tiny_png())
    exe_named_pdf = write(tmp_path, "giay-chung-sinh.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    before = Dossier.objects.count()

    page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")
    page.get_by_label("Nơi nộp hồ sơ").select_option(label="UBND xã Tiên Động")
    page.get_by_label("Họ và tên người nộp").fill("Bùi Thị Hường")
    page.get_by_label("Số CCCD, CMND hoặc hộ chiếu").fill("030190004321")
    page.get_by_label("Số điện thoại").fill("09x")
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(png_named_pdf)
    page.get_by_label("Giấy chứng sinh").set_input_files(exe_named_pdf)
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path.endswith("/nop-ho-so/")
    alert = page.get_by_role("alert").inner_text()
    assert "Thông tin chưa hợp lệ" in alert
    assert "vui lòng đính kèm lại các tệp" in alert
    for label, name in (
        ("Tờ khai đăng ký khai sinh", "to-khai.pdf"),
        ("Giấy chứng sinh", "giay-chung-sinh.pdf"),
    ):
        upload = page.get_by_label(label)
        assert upload.get_attribute("aria-invalid") == "true"
        error = page.locator(f"#{upload.get_attribute('aria-describedby').split()[-1]}")
        assert f"Tệp “{name}” không phải tệp PDF, JPG hoặc PNG hợp lệ" in error.inner_text()
    phone = page.get_by_label("Số điện thoại")
    assert phone.get_attribute("aria-invalid") == "true"
    assert "Số điện thoại không hợp lệ." in page.locator(".field", has=phone).inner_text()
    # Everything typed is still there.
    assert page.get_by_label("Họ và tên người nộp").input_value() == "Bùi Thị Hường"
    assert page.get_by_label("Số CCCD, CMND hoặc hộ chiếu").input_value() == "030190004321"
    assert page.get_by_label("Tôi cam đoan").is_checked()
    assert Dossier.objects.count() == before


def test_desk_refuses_a_scan_that_is_not_a_pdf_jpeg_or_png(page, live_server, seeded, tmp_path):
    exe_named_pdf = write(tmp_path, "scan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    before = Dossier.objects.count()
    login(page, live_server, "tiepnhan.tiendong")
    page.goto(f"{live_server.url}/tiep-nhan/11143/1.001193/")
    page.get_by_label("Tờ khai đăng ký khai sinh", exact=True).check()
    page.locator("input[type=file]").first.set_input_files(exe_named_pdf)
    page.get_by_label("Họ và tên chủ hồ sơ").fill("Ngô Thị Thu")
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_load_state()
    assert "chỉ nhận bản quét dạng PDF, JPEG hoặc PNG." in page.locator("#main").inner_text()
    assert "vui lòng chọn lại bản quét" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Họ và tên chủ hồ sơ").input_value() == "Ngô Thị Thu"
    assert page.get_by_label("Tờ khai đăng ký khai sinh", exact=True).is_checked()
    assert Dossier.objects.count() == before


# --- phone width ---------------------------------------------------------------------------------


def open_tracking(page, live_server, code: str) -> None:
    page.goto(f"{live_server.url}/cong-dich-vu/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label("Số điện thoại hoặc 4 ký tự cuối").fill(PHONE)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"**/cong-dich-vu/ho-so/{code}/")


PORTAL_PAGES = [
    "/cong-dich-vu/",
    "/cong-dich-vu/thu-tuc/?q=dang+ky+khai+sinh",
    "/cong-dich-vu/thu-tuc/1.001193/",
    "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/",
    "/cong-dich-vu/tra-cuu/",
    "/cong-dich-vu/phan-anh-kien-nghi/",
    "/cong-dich-vu/thu-tuc/9.999999/",
]


def test_portal_fits_a_phone_screen(phone_page, live_server, seeded):
    too_wide = {}

    def measure(name: str) -> None:
        width, viewport = phone_page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert viewport == 390
        if width > viewport:
            too_wide[name] = width

    for path in [*PORTAL_PAGES, "/dang-nhap/"]:
        phone_page.goto(live_server.url + path)
        measure(path)
    # The filing form with its errors, and a tracked dossier with its rating form.
    phone_page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")
    phone_page.get_by_role("button", name="Nộp hồ sơ").click()
    phone_page.get_by_role("alert").wait_for()
    measure("nop-ho-so (báo lỗi)")
    open_tracking(phone_page, live_server, seeded.returned.code)
    assert phone_page.get_by_role("button", name="Gửi đánh giá").is_visible()
    measure("ho-so (đánh giá)")
    assert not too_wide, f"trang rộng hơn màn hình 390 px: {too_wide}"


# --- keyboard and focus --------------------------------------------------------------------------


def test_keyboard_skip_link_focus_ring_and_form_order(page, live_server, seeded):
    page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")
    page.keyboard.press("Tab")
    skip = page.evaluate_handle("document.activeElement")
    assert skip.evaluate("e => e.textContent") == "Bỏ qua, đến nội dung chính"
    assert skip.evaluate("e => e.getBoundingClientRect().top") >= 0  # shown once focused
    outline = skip.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)] }"
    )
    assert outline[0] != "none" and outline[1] >= 2  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # From the main content, Tab walks the form in reading order.
    order = []
    for _ in range(15):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "(e => e.tagName.toLowerCase() + ' ' + (e.name || e.textContent.trim()))"
                "(document.activeElement)"
            )
        )
    assert [re.sub(r"_\d+$", "", item) for item in order] == [
        "a Đăng ký khai sinh",  # the breadcrumb
        "input id_number",  # the optional store step comes first (docs/portal.md)
        "button action",  # "Gửi mã xác thực" (name="action")
        "select unit",
        "input applicant_name",
        "input applicant_id_number",
        "input applicant_phone",
        "input applicant_email",
        "input applicant_address",
        "textarea summary",
        "input result_delivery",  # one stop for the radio group
        "input component",
        "input component",
        "input consent",
        "button Nộp hồ sơ",
    ]


# --- accessibility (axe-core, WCAG 2.0/2.1 A and AA) ---------------------------------------------


def test_the_accessibility_checker_finds_a_missing_label_and_low_contrast(page):
    """Guards the checks below: axe runs and reports what it must."""
    page.set_content(
        '<html lang="vi"><head><title>Thử</title></head><body><main><h1>Thử</h1>'
        '<input type="text" name="x"><p style="color:#bbb;background:#fff">Chữ mờ</p>'
        "</main></body></html>"
    )
    rules = {v["rule"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= rules


def check_pages(page, live_server, pages: dict[str, str]) -> dict[str, list[str]]:
    """Serious/critical WCAG A/AA violations by page name, every <details> opened first (closed
    ones hide the officers' action forms from the checker)."""
    found = {}
    for name, path in pages.items():
        if path:
            page.goto(live_server.url + path)
        assert html_lang(page) == "vi", name
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        violations = axe_violations(page)
        if violations:
            found[name] = [
                f"{v['rule']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}"
                for v in violations
            ]
    return found


def test_portal_pages_meet_wcag_21_aa(page, live_server, seeded):
    found = check_pages(
        page,
        live_server,
        {
            "portal-home": "/cong-dich-vu/",
            "catalogue": "/cong-dich-vu/thu-tuc/?q=dang+ky+khai+sinh",
            "procedure": "/cong-dich-vu/thu-tuc/1.001193/",
            "filing-form": "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/",
            "lookup": "/cong-dich-vu/tra-cuu/",
            "feedback": "/cong-dich-vu/phan-anh-kien-nghi/",
            "not-found": "/cong-dich-vu/thu-tuc/9.999999/",
        },
    )
    page.goto(f"{live_server.url}/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.get_by_role("alert").wait_for()
    found |= check_pages(page, live_server, {"filing-form-errors": ""})
    open_tracking(page, live_server, seeded.online.code)
    found |= check_pages(page, live_server, {"tracking-withdraw": ""})
    open_tracking(page, live_server, seeded.returned.code)
    found |= check_pages(page, live_server, {"tracking-rating": ""})
    assert not found, found


def test_supplement_request_page_meets_wcag_21_aa(page, live_server, seeded, staff):
    services.dossier_request_supplement(
        actor=staff.processor, dossier=seeded.at_processor, content="Nộp bản sao giấy chứng sinh."
    )
    open_tracking(page, live_server, seeded.at_processor.code)
    assert page.get_by_role("button", name="Gửi bổ sung").is_visible()
    found = check_pages(page, live_server, {"tracking-supplement": ""})
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.get_by_role("alert").wait_for()
    found |= check_pages(page, live_server, {"tracking-supplement-errors": ""})
    assert not found, found


def test_officer_pages_meet_wcag_21_aa(page, live_server, seeded):
    found = check_pages(page, live_server, {"login": "/dang-nhap/"})
    login(page, live_server, "tiepnhan.tiendong")
    found |= check_pages(
        page,
        live_server,
        {
            "inbox": "/ho-so/",
            "dossier-online": f"/ho-so/{seeded.online.code}/",
            "dossier-received": f"/ho-so/{seeded.at_desk.code}/",
            "desk-start": "/tiep-nhan/?q=khai+sinh",
            "desk-done": f"/tiep-nhan/da-tiep-nhan/{seeded.at_desk.code}/",
            "not-found": "/ho-so/11143-990101-9999/",
        },
    )
    assert not found, found


def test_dashboard_pages_meet_wcag_21_aa(page, live_server, seeded):
    login(page, live_server, "giamsat.tuky")
    found = check_pages(
        page,
        live_server,
        {
            "dashboard": "/giam-sat/",
            "dashboard-commune": "/giam-sat/?unit=11143",
            "drilldown": "/giam-sat/chi-so/online_dossiers/",
            "scorecard-dossiers": "/giam-sat/chi-so-766/on_time/",
        },
    )
    assert not found, found


def test_desk_intake_form_meets_wcag_21_aa(page, live_server, seeded):
    login(page, live_server, "tiepnhan.tiendong")
    found = check_pages(page, live_server, {"desk-intake": "/tiep-nhan/11143/1.001193/"})
    assert not found, found
