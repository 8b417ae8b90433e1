"""A dossier that needed an apology is late against its first promised date: the inbox and the
dossier page say so, with the countdown to the new date after it."""

import pytest

from motcua.core import timeutil
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local

pytestmark = pytest.mark.django_db

LATE = "Đã hẹn lại — trễ so với hẹn ban đầu 05/03/2024; còn "


@pytest.fixture
def apologised(staff, tree, birth_registration, monkeypatch):
    # Received Mon 04/03 08:00, promised Tue 05/03 08:00 (one working day); late, so the agency
    # apologised on 05/03 and promised Mon 11/03 16:00. Seen on Wed 06/03 10:00.
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Nguyễn Văn An"),
        at=local(2024, 3, 4, 8, 0),
    )
    dossier = services.dossier_apologise(
        actor=staff.desk,
        dossier=dossier,
        new_due_at=local(2024, 3, 11, 16, 0),
        reason="Cần xác minh nơi sinh",
        at=local(2024, 3, 5, 9, 0),
    )
    monkeypatch.setattr(timeutil, "now", lambda: local(2024, 3, 6, 10, 0))
    return dossier


def test_inbox_shows_the_rescheduled_dossier_late_against_its_first_date(client, staff, apologised):
    client.force_login(staff.desk)
    html = client.get("/ho-so/").content.decode()
    assert LATE in html
    assert LATE + "3 ngày 4 giờ làm việc đến hẹn mới" in html
    assert "Trễ hẹn ban đầu" in html


def test_dossier_page_shows_it_too(client, staff, apologised):
    client.force_login(staff.desk)
    html = client.get(f"/ho-so/{apologised.code}/").content.decode()
    assert LATE in html
    assert "Trễ hẹn ban đầu" in html


def test_a_dossier_on_time_reads_as_before(client, staff, tree, birth_registration, monkeypatch):
    services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Trần Thị Bình"),
        at=local(2024, 3, 4, 8, 0),
    )
    monkeypatch.setattr(timeutil, "now", lambda: local(2024, 3, 4, 9, 0))
    client.force_login(staff.desk)
    html = client.get("/ho-so/").content.decode()
    assert "còn 7 giờ" in html
    assert "Đã hẹn lại" not in html and "Trễ hẹn ban đầu" not in html
