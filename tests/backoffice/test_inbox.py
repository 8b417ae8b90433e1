"""The officer inbox page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.backoffice import views
from motcua.dossiers.models import State
from tests.backoffice.factories import ID_NUMBER

pytestmark = pytest.mark.django_db

INBOX = "/ho-so/"


def listed_codes(response) -> list[str]:
    return re.findall(r'href="/ho-so/([^/"]+)/"', response.content.decode())


def test_inbox_lists_own_units_dossiers_overdue_first(client, staff, dossiers):
    client.force_login(staff.desk)
    response = client.get(INBOX)
    assert response.status_code == 200
    d = dossiers
    assert listed_codes(response) == [d.overdue.code, d.soon.code, d.later.code, d.paused.code]


def test_inbox_row_content(client, staff, dossiers):
    client.force_login(staff.processor)
    html = client.get(INBOX).content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng ký khai sinh" in html and "Nguyễn Văn An" in html
    # The ID number only masked.
    assert ID_NUMBER not in html
    assert "********2345" in html
    assert "Trực tiếp" in html and "Đã tiếp nhận" in html
    assert "04/03/2024 08:00" in html and "05/03/2024 08:00" in html
    # Overdue is said in words, not only in colour.
    overdue_row = re.search(r"<tr class=\"overdue\">.*?</tr>", html, re.S).group(0)
    assert dossiers.overdue.code in overdue_row
    assert "Quá hạn" in overdue_row
    assert re.search(r"quá hạn \d+ ngày( \d+ giờ)? làm việc", overdue_row)
    assert "tạm dừng chờ bổ sung" in html
    assert re.search(r"còn \d+ (ngày|giờ|phút)", html)


def test_header_shows_officer_roles_unit_and_logout(client, staff, dossiers):
    client.force_login(staff.desk)
    html = client.get(INBOX).content.decode()
    assert staff.desk.username in html
    assert "Cán bộ tiếp nhận — UBND xã Tiên Động" in html
    assert 'action="/dang-xuat/"' in html and 'method="post"' in html


def test_officer_of_another_commune_sees_none_of_them(client, staff, dossiers):
    client.force_login(staff.other_desk)
    codes = listed_codes(client.get(INBOX))
    assert codes == [dossiers.other.code]


def test_empty_inbox_says_so(client, staff, dossiers):
    client.force_login(staff.justice_processor)
    response = client.get(INBOX)
    assert listed_codes(response) == []
    assert "Không có hồ sơ nào đang chờ đơn vị của bạn xử lý." in response.content.decode()


def test_filters_by_get(client, staff, dossiers):
    client.force_login(staff.desk)
    assert listed_codes(client.get(INBOX, {"overdue": "1"})) == [dossiers.overdue.code]
    assert listed_codes(client.get(INBOX, {"state": State.SUPPLEMENT_REQUESTED})) == [
        dossiers.paused.code
    ]
    assert listed_codes(client.get(INBOX, {"procedure": "1.000001"})) == [dossiers.later.code]
    response = client.get(INBOX, {"channel": 3})
    assert listed_codes(response) == []
    assert "Không có hồ sơ nào khớp với điều kiện lọc." in response.content.decode()
    # A bad value is ignored, not a 500.
    assert client.get(INBOX, {"state": "abc"}).status_code == 200


def test_search_is_posted_and_kept_out_of_the_url(client, staff, dossiers):
    client.force_login(staff.desk)
    response = client.post(INBOX, {"q": ID_NUMBER, "overdue": ""})
    assert response.status_code == 302
    assert ID_NUMBER not in response["Location"]
    assert listed_codes(client.get(response["Location"])) == [dossiers.overdue.code]
    response = client.post(INBOX, {"q": "Thị", "state": State.RECEIVED})
    assert response["Location"] == f"{INBOX}?state={State.RECEIVED}"
    assert "Thị" not in response["Location"]
    assert listed_codes(client.get(response["Location"])) == [dossiers.soon.code]
    # "Bỏ lọc" clears both.
    response = client.post(INBOX, {"q": "Thị", "clear": "1"})
    assert response["Location"] == INBOX
    assert len(listed_codes(client.get(INBOX))) == 4


def test_pages_without_counting(client, staff, dossiers, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(staff.desk)
    first = client.get(INBOX)
    html = first.content.decode()
    assert len(listed_codes(first)) == 3
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = client.get(INBOX, {"page": 2})
    assert listed_codes(second) == [dossiers.paused.code]
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()
    assert client.get(INBOX, {"page": "x"}).status_code == 200
    # No COUNT(*) anywhere on the page.
    with CaptureQueriesContext(connection) as queries:
        client.get(INBOX)
    assert not any("COUNT(" in q["sql"].upper() and "dossiers_dossier" in q["sql"] for q in queries)


def test_inbox_by_role_field_and_dates(client, staff, dossiers):
    client.force_login(staff.processor)
    whole = client.get(INBOX).content.decode()
    mine = client.get(INBOX + "?scope=toi").content.decode()
    # Freshly received dossiers wait for the desk, not for the processor.
    assert dossiers.soon.code in whole
    assert dossiers.soon.code not in mine
    field_id = dossiers.soon.procedure.field_id
    assert dossiers.soon.code in client.get(INBOX + f"?field={field_id}").content.decode()
    assert (
        dossiers.soon.code not in client.get(INBOX + "?received_from=2030-01-01").content.decode()
    )
    backwards = client.get(INBOX + "?received_from=2024-03-05&received_to=2024-03-01")
    assert backwards.status_code == 200
    assert "Ngày kết thúc phải sau" in backwards.content.decode()
