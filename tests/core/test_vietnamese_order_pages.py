"""Every page that lists units (or fields, procedures) lists them in Vietnamese alphabetical order
(core.text.vi_sort_key), not in byte order, where "Đông Kỳ" and "Ân Thi" would follow "Văn Tố"."""

import re
from datetime import date

import pytest

from motcua.backoffice.forms import InboxFilterForm, TransferForm
from motcua.catalog.services import procedure_upsert
from motcua.scorecard.rankings import units_rank
from motcua.units.models import Role
from motcua.units.services import unit_upsert
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# Byte order: Cộng Lạc, Tiên Động, Văn Tố, Ân Thi, Đông Kỳ. Vietnamese: Ân, Cộng, Đông, Tiên, Văn.
COMMUNES = [
    "UBND xã Ân Thi",
    "UBND xã Cộng Lạc",
    "UBND xã Đông Kỳ",
    "UBND xã Tiên Động",
    "UBND xã Văn Tố",
]


@pytest.fixture
def communes(tree):
    for code, name in (
        ("11150", "UBND xã Văn Tố"),
        ("11151", "UBND xã Đông Kỳ"),
        ("11152", "UBND xã Ân Thi"),
    ):
        unit_upsert(code=code, name=name, level="commune", parent=tree.district)
    return tree


def in_page_order(html: str, names) -> list[str]:
    """`names` in the order they first appear in `html`."""
    found = {name: html.find(name) for name in names}
    assert all(at >= 0 for at in found.values()), found
    return sorted(names, key=found.get)


def options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def communes_in(labels) -> list[str]:
    return [label for label in labels if label in COMMUNES]


def test_desk_unit_choices(client, communes):
    officer = make_user("tiepnhan.huyen", unit=communes.district, role=Role.DESK_OFFICER)
    client.force_login(officer)
    html = client.get("/tiep-nhan/").content.decode()
    assert communes_in(options(html, "unit")) == COMMUNES
    # The default is still the officer's own unit, not the first name in the list.
    assert re.search(r'<option value="298" selected>', html)


def test_portal_receiving_units_on_the_procedure_and_submit_pages(
    client, communes, birth_registration
):
    html = client.get(f"/cong-dich-vu/thu-tuc/{birth_registration.code}/").content.decode()
    assert in_page_order(html, COMMUNES) == COMMUNES
    html = client.get(
        f"/cong-dich-vu/thu-tuc/{birth_registration.code}/nop-ho-so/"
    ).content.decode()
    assert communes_in(options(html, "unit")) == COMMUNES


def test_feedback_unit_list(client, communes):
    html = client.get("/cong-dich-vu/phan-anh-kien-nghi/").content.decode()
    assert communes_in(options(html, "unit")) == COMMUNES


def test_transfer_form_and_inbox_fields(communes):
    labels = [str(label) for _value, label in TransferForm().fields["to_unit"].choices]
    assert communes_in(labels) == COMMUNES
    for code, field in (("1", "Đất đai"), ("2", "Ân xá"), ("3", "Văn hóa"), ("4", "Chứng thực")):
        procedure_upsert(
            code=f"9.00000{code}",
            name=f"Thủ tục {code}",
            field_name=field,
            level="commune",
            time_limit_value=1,
        )
    labels = [str(label) for _value, label in InboxFilterForm().fields["field"].choices][1:]
    assert labels == ["Ân xá", "Chứng thực", "Đất đai", "Văn hóa"]


def test_portal_fields_and_catalogue(client, db):
    for code, field in (("1", "Đất đai"), ("2", "Ân xá"), ("3", "Văn hóa")):
        procedure_upsert(
            code=f"9.00000{code}",
            name=f"Thủ tục {field}",
            field_name=field,
            level="commune",
            time_limit_value=1,
        )
    html = client.get("/cong-dich-vu/").content.decode()
    assert in_page_order(html, ["Ân xá", "Đất đai", "Văn hóa"]) == ["Ân xá", "Đất đai", "Văn hóa"]
    html = client.get("/cong-dich-vu/thu-tuc/").content.decode()
    names = ["Thủ tục Ân xá", "Thủ tục Đất đai", "Thủ tục Văn hóa"]
    assert in_page_order(html, names) == names


def test_dashboard_children(client, communes):
    supervisor = make_user("giamsat.huyen", unit=communes.district, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    html = client.get("/giam-sat/?unit=298&start=2024-03-01&end=2024-03-31").content.decode()
    table = html[html.find("<table") :]
    short_names = [name.removeprefix("UBND xã ") for name in COMMUNES]  # the table's labels
    assert in_page_order(table, short_names) == short_names


def test_rankings_break_ties_in_vietnamese_order(communes):
    rows = units_rank(
        parent=communes.district, level="commune", start=date(2024, 3, 1), end=date(2024, 3, 31)
    )
    # Nothing filed: none is ranked (no data), and they are listed in Vietnamese order.
    assert all(row["no_data"] for row in rows)
    assert [row["unit"]["name"] for row in rows] == COMMUNES
    assert {row["rank"] for row in rows} == {None}
