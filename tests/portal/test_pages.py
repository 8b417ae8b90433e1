"""Every portal page: Vietnamese, accessible basics, never a 500, no personal data in any address."""

import pytest

from motcua.dossiers.models import Dossier
from tests.portal.conftest import ID_NUMBER, PDF, PHONE, PNG, look_up, returned, upload

pytestmark = pytest.mark.django_db


def assert_page(response):
    assert response.status_code < 500
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert 'href="#main"' in content and 'id="main"' in content


def test_every_page_is_vietnamese_and_never_fails(client, staff, tree, birth_registration):
    dossier = returned(staff=staff, tree=tree, procedure=birth_registration)
    urls = [
        "/cong-dich-vu/",
        "/cong-dich-vu/thu-tuc/",
        "/cong-dich-vu/thu-tuc/?q=khai+sinh&field=1&level=commune&trang=99",
        "/cong-dich-vu/thu-tuc/1.001193/",
        "/cong-dich-vu/thu-tuc/khong-co/",
        "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/",
        "/cong-dich-vu/thu-tuc/khong-co/nop-ho-so/",
        "/cong-dich-vu/tra-cuu/",
        "/cong-dich-vu/tra-cuu/?ma=<script>",
        "/cong-dich-vu/phan-anh-kien-nghi/",
    ]
    for url in urls:
        assert_page(client.get(url, follow=True))
    look_up(client, dossier)
    assert_page(client.get(f"/cong-dich-vu/ho-so/{dossier.code}/"))
    for url in ("/cong-dich-vu/tra-cuu/", "/cong-dich-vu/phan-anh-kien-nghi/"):
        assert_page(client.post(url, {}))


def test_every_input_has_a_label(client, staff, tree, birth_registration):
    import re

    for url in (
        "/cong-dich-vu/",
        "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/",
        "/cong-dich-vu/tra-cuu/",
        "/cong-dich-vu/phan-anh-kien-nghi/",
    ):
        content = client.get(url).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', content)
        assert ids, url
        for element_id in ids:
            assert f'for="{element_id}"' in content, (url, element_id)


def test_no_personal_data_in_any_address(client, staff, tree, birth_registration):
    """Walk the whole citizen journey and collect every redirect target."""
    tp1, tp2 = birth_registration.components.order_by("code")
    locations = []
    response = client.post(
        "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/",
        {
            f"component_{tp1.pk}": upload("a.pdf", PDF),
            f"component_{tp2.pk}": upload("b.png", PNG),
            "unit": tree.tien_dong.pk,
            "applicant_name": "Nguyễn Thị Hoa",
            "applicant_id_number": ID_NUMBER,
            "applicant_phone": PHONE,
            "consent": "on",
        },
    )
    locations.append(response["Location"])
    dossier = Dossier.objects.get()
    client.cookies.clear()
    locations.append(client.get(f"/cong-dich-vu/ho-so/{dossier.code}/")["Location"])
    locations.append(look_up(client, dossier)["Location"])
    locations.append(look_up(client, dossier, ID_NUMBER[-4:])["Location"])
    locations.append(
        client.post(f"/cong-dich-vu/ho-so/{dossier.code}/rut-ho-so/", {"reason": "Nộp nhầm"})[
            "Location"
        ]
    )
    page = client.get(f"/cong-dich-vu/ho-so/{dossier.code}/").content.decode()
    for location in locations:
        for secret in (PHONE, ID_NUMBER, ID_NUMBER[-4:], "Hoa", "Nguy"):
            assert secret not in location, location
    # Links on the pages carry no personal data either.
    import re

    for href in re.findall(r'(?:href|action)="([^"]+)"', page):
        assert PHONE not in href and ID_NUMBER[-4:] not in href
