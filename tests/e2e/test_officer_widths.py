"""The officer pages fit the screen: no sideways scrolling of the whole page on a phone (390 px) or
a desk monitor (1,280 px). Wide tables scroll inside their own box instead."""

import pytest

from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (390, 1280)


def too_wide(page, width: int) -> dict:
    """The page's width against the viewport's, and the first elements past the screen's edge."""
    return page.evaluate(
        """(screen) => {
        const width = document.documentElement.scrollWidth, viewport = window.innerWidth;
        const culprits = [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > screen + 0.5)
          .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
        return {width, viewport, culprits};
    }""",
        width,
    )


def long_procedure():
    """A procedure whose papers have long names, as real ones do."""
    procedure, _ = procedure_upsert(
        code="1.004746",
        name="Cấp bản sao trích lục hộ tịch, bản sao giấy khai sinh và các giấy tờ hộ tịch khác",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=3,
        fees=[{"name": "Phí cấp bản sao trích lục", "amount": 8000}],
        components=[
            {
                "code": f"TP{n}",
                "name": "Tờ khai theo mẫu quy định kèm bản chụp giấy tờ tùy thân của người yêu "
                f"cầu cấp bản sao trích lục hộ tịch (mẫu số {n})",
            }
            for n in range(1, 5)
        ],
    )
    return procedure


@pytest.mark.parametrize("width", WIDTHS)
def test_officer_pages_fit_the_screen(browser, live_server, staff, tree, birth_registration, width):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number="001199001234"),
        summary="Đăng ký khai sinh cho con thứ hai, sinh tại Bệnh viện Phụ sản tỉnh Hải Dương",
        components=handed_in(birth_registration, digitized=True),
    )
    pages = {
        "tiepnhan.tiendong": [
            "/tiep-nhan/",
            f"/tiep-nhan/{tree.tien_dong.code}/{birth_registration.code}/",
            f"/tiep-nhan/{tree.tien_dong.code}/{long_procedure().code}/",
            "/ho-so/",
            f"/ho-so/{dossier.code}/",
        ],
        "giamsat.tuky": ["/giam-sat/"],
    }
    wide = {}
    for username, paths in pages.items():
        context = browser.new_context(
            locale="vi-VN", viewport={"width": width, "height": 900}, is_mobile=width < 600
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, live_server, username)
        for path in paths:
            page.goto(live_server.url + path)
            measured = too_wide(page, width)
            # A phone widens its layout viewport to fit an overflowing page: compare with both.
            if measured["width"] > measured["viewport"] or measured["viewport"] != width:
                wide[path] = measured
        context.close()
    assert wide == {}
