"""A supervisor opens the rankings from the dashboard in a real browser: units with dossiers are
ranked, units without any are listed apart under "no data" — never above them — and officials
are ranked by their control slips."""

import pytest

from tests.conftest import local
from tests.e2e.test_officer_pages import login
from tests.scorecard.conftest import receive, resolve

pytestmark = pytest.mark.django_db(transaction=True)


def test_rankings_page_lists_units_without_data_apart(
    page, live_server, staff, tree, birth_registration
):
    # Only Tiên Động works in March 2024; Cộng Lạc and the justice office have nothing.
    d = receive(staff, tree.tien_dong, birth_registration, local(2024, 3, 4, 8, 0))
    resolve(staff, d, local(2024, 3, 4, 10, 0))
    login(page, live_server, "giamsat.tuky")
    page.goto(f"{live_server.url}/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31")
    page.get_by_role("link", name="Xếp hạng đơn vị và cán bộ").click()
    page.wait_for_url("**/giam-sat/xep-hang/**")
    units = page.locator("section", has=page.locator("#units-heading"))
    ranked = units.locator("table tbody tr")
    assert ranked.count() == 1
    first = ranked.first.inner_text()
    assert "Tiên Động" in first and first.strip().startswith("1")
    apart = units.locator("ul.no-data").inner_text()
    assert "Cộng Lạc" in apart and "Phòng Tư pháp" in apart
    assert "Cộng Lạc" not in units.locator("table").inner_text()
    assert "Xuất sắc" not in apart  # no band for a unit without data
    officials = page.locator("section", has=page.locator("#officials-heading"))
    assert officials.locator("table tbody tr").count() >= 1
    assert officials.locator("table tbody tr").first.inner_text().strip().startswith("1")
