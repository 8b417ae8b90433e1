"""The officer pages lead to the other parts: printable forms, the intake desk, the dashboard, the
citizens' portal."""

from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local


def test_dossier_page_links_the_forms_that_apply(staff, tree, birth_registration):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Q"),
        at=local(2024, 3, 4, 8),
    )
    client = Client()
    client.force_login(staff.desk)
    html = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert f"/bieu-mau/{dossier.code}/giay-tiep-nhan.pdf" in html
    assert f"/bieu-mau/{dossier.code}/phieu-kiem-soat.pdf" in html
    assert "phieu-yeu-cau-bo-sung" not in html  # no supplement was requested
    assert 'href="/tiep-nhan/"' in html  # desk officers get the intake desk
    assert 'href="/giam-sat/"' not in html  # … but not the dashboard


def test_supervisor_sees_the_dashboard_link_and_login_links_the_portal(staff):
    client = Client()
    assert 'href="/cong-dich-vu/"' in client.get("/dang-nhap/").content.decode()
    client.force_login(staff.supervisor)
    assert 'href="/giam-sat/"' in client.get("/ho-so/").content.decode()
