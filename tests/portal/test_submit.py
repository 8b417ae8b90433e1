import pytest

from motcua.catalog.services import procedure_upsert
from motcua.dossiers.models import Channel, Dossier, DossierDocument, State
from tests.portal.conftest import ELF, JPEG, PDF, PNG, upload

pytestmark = pytest.mark.django_db

URL = "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/"


def components(procedure):
    tp1, tp2 = procedure.components.order_by("code")
    return f"component_{tp1.pk}", f"component_{tp2.pk}"


def form_data(tree, procedure, **overrides):
    tp1, tp2 = components(procedure)
    data = {
        # Files first: the text fields come after them in the request body.
        tp1: upload("to-khai.pdf", PDF),
        tp2: upload("giay-chung-sinh.png", PNG),
        "unit": tree.tien_dong.pk,
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_id_number": "001099012345",
        "applicant_phone": "0912 345 678",
        "applicant_email": "hoa@example.vn",
        "applicant_address": "Thôn Đông, xã Tiên Động",
        "summary": "Đăng ký khai sinh cho con gái",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_get_shows_the_form(client, tree, birth_registration):
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "UBND xã Tiên Động" in content and "UBND xã Cộng Lạc" in content
    assert "UBND huyện Tứ Kỳ" not in content  # not of the procedure's level
    assert "Tờ khai đăng ký khai sinh" in content and "Giấy chứng sinh" in content
    assert 'enctype="multipart/form-data"' in content


def test_valid_filing_creates_a_submitted_dossier(client, tree, birth_registration):
    response = client.post(URL, form_data(tree, birth_registration))
    assert response.status_code == 302
    assert response["Location"] == "/cong-dich-vu/nop-ho-so/da-nop/"
    dossier = Dossier.objects.get()
    assert dossier.state == State.SUBMITTED_ONLINE
    assert dossier.channel == Channel.ONLINE
    assert dossier.unit == tree.tien_dong
    assert dossier.applicant_phone == "0912345678"
    assert dossier.components_digitized
    documents = list(dossier.documents.order_by("name"))
    assert [d.name for d in documents] == ["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]
    assert all(d.digitized and d.file for d in documents)
    assert documents[0].file.name.endswith(".png")
    assert documents[0].file.read().startswith(b"\x89PNG")
    page = client.get(response["Location"])
    content = page.content.decode()
    assert dossier.code in content
    assert f"/cong-dich-vu/tra-cuu/?ma={dossier.code}" in content
    assert "Các bước tiếp theo" in content
    # The filer may follow the dossier straight away.
    assert client.get(f"/cong-dich-vu/ho-so/{dossier.code}/").status_code == 200


def test_optional_component_may_be_left_out(client, tree, db):
    procedure_upsert(
        code="1.000002",
        name="Cấp bản sao trích lục hộ tịch",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="partial",
        components=[
            {"code": "TK", "name": "Tờ khai"},
            {"code": "UQ", "name": "Văn bản ủy quyền", "required": False},
        ],
    )
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.get(code="1.000002")
    tk = procedure.components.get(code="TK")
    data = {
        f"component_{tk.pk}": upload("to-khai.JPG", JPEG),
        "unit": tree.cong_lac.pk,
        "applicant_name": "Trần Văn Nam",
        "applicant_id_number": "001099000111",
        "applicant_phone": "+84912000111",
        "consent": "on",
    }
    response = client.post("/cong-dich-vu/thu-tuc/1.000002/nop-ho-so/", data)
    assert response.status_code == 302
    assert Dossier.objects.get().documents.count() == 1


def assert_refused(
    response, *, message: str, kept=("Nguyễn Thị Hoa", "Đăng ký khai sinh cho con gái")
):
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content, content
    assert 'role="alert"' in content
    for value in kept:
        assert value in content
    assert Dossier.objects.count() == 0
    assert DossierDocument.objects.count() == 0


def test_empty_post_writes_nothing(client, tree, birth_registration):
    response = client.post(URL, {})
    assert_refused(response, message="Vui lòng nhập thông tin này.", kept=())
    content = response.content.decode()
    assert "Vui lòng chọn cơ quan tiếp nhận." in content
    assert "Vui lòng đính kèm tệp cho thành phần này." in content
    assert "Vui lòng đánh dấu xác nhận cam đoan" in content


def test_oversized_file_keeps_the_typed_text(client, settings, tree, birth_registration):
    settings.MOTCUA_PORTAL_MAX_FILE_BYTES = 1000
    tp1, _ = components(birth_registration)
    data = form_data(tree, birth_registration, **{tp1: upload("to-khai.pdf", PDF + b"x" * 5000)})
    response = client.post(URL, data)
    assert_refused(response, message="quá lớn")
    # The file over the limit must be chosen again; the valid one is kept for the next round.
    assert "Vui lòng chọn lại các tệp bị báo lỗi." in response.content.decode()
    assert "Đã đính kèm: <strong>giay-chung-sinh.png</strong>" in response.content.decode()


def test_dossier_over_the_total_limit(client, settings, tree, birth_registration):
    settings.MOTCUA_PORTAL_MAX_FILE_BYTES = 4000
    settings.MOTCUA_PORTAL_MAX_DOSSIER_BYTES = 5000
    tp1, tp2 = components(birth_registration)
    data = form_data(
        tree,
        birth_registration,
        **{tp1: upload("a.pdf", PDF + b"x" * 3000), tp2: upload("b.png", PNG + b"x" * 3000)},
    )
    assert_refused(client.post(URL, data), message="cho một hồ sơ")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("to-khai.pdf", ELF),  # an executable dressed as a PDF
        ("to-khai.pdf", PNG),  # a real image, but not what the name says
        ("to-khai.png", PDF),
        ("to-khai", PDF),  # no ending at all
        ("to-khai.pdf", b"<html><script>alert(1)</script>"),
    ],
)
def test_wrong_file_type_is_refused(client, tree, birth_registration, name, content):
    tp1, _ = components(birth_registration)
    data = form_data(tree, birth_registration, **{tp1: upload(name, content)})
    assert_refused(client.post(URL, data), message="không phải tệp PDF, JPG hoặc PNG hợp lệ")


def test_empty_file_is_refused(client, tree, birth_registration):
    tp1, _ = components(birth_registration)
    data = form_data(tree, birth_registration, **{tp1: upload("to-khai.pdf", b"")})
    assert_refused(client.post(URL, data), message="rỗng")


def test_missing_required_component(client, tree, birth_registration):
    _, tp2 = components(birth_registration)
    data = form_data(tree, birth_registration, **{tp2: None})
    assert_refused(client.post(URL, data), message="Vui lòng đính kèm tệp cho thành phần này.")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit": "999999"}, "Cơ quan được chọn không giải quyết thủ tục này."),
        ({"unit": "abc"}, "Cơ quan được chọn không giải quyết thủ tục này."),
        ({"applicant_phone": "12ab"}, "Số điện thoại không hợp lệ."),
        ({"applicant_id_number": "số ??"}, "Số giấy tờ tùy thân không hợp lệ"),
        ({"applicant_email": "hoa@"}, "Địa chỉ thư điện tử không hợp lệ."),
        ({"applicant_phone": ""}, "Vui lòng nhập thông tin này."),
        ({"applicant_id_number": ""}, "Vui lòng nhập thông tin này."),
        ({"consent": None}, "Vui lòng đánh dấu xác nhận cam đoan"),
        ({"summary": "x" * 1001}, "1000"),
    ],
)
def test_bad_fields_keep_everything_typed(client, tree, birth_registration, overrides, message):
    data = form_data(tree, birth_registration, **overrides)
    kept = ["Nguyễn Thị Hoa", "Thôn Đông, xã Tiên Động"]
    if "summary" not in overrides:
        kept.append("Đăng ký khai sinh cho con gái")
    assert_refused(client.post(URL, data), message=message, kept=kept)


def test_unit_of_another_level_is_refused(client, tree, birth_registration):
    data = form_data(tree, birth_registration, unit=tree.district.pk)
    assert_refused(client.post(URL, data), message="không giải quyết thủ tục này")


def test_unknown_procedure(client, tree, db):
    response = client.post("/cong-dich-vu/thu-tuc/9.999999/nop-ho-so/", {"unit": tree.tien_dong.pk})
    assert response.status_code == 404
    assert Dossier.objects.count() == 0


def test_procedure_not_online(client, tree, db):
    procedure_upsert(
        code="2.000001",
        name="Đăng ký kết hôn",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="none",
    )
    url = "/cong-dich-vu/thu-tuc/2.000001/nop-ho-so/"
    assert "chưa cung cấp dịch vụ công trực tuyến" in client.get(url).content.decode()
    response = client.post(
        url,
        {"unit": tree.tien_dong.pk, "applicant_name": "A", "applicant_phone": "0912345678"},
    )
    assert response.status_code == 404
    assert Dossier.objects.count() == 0


def test_post_without_csrf_token_is_refused(tree, birth_registration):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, form_data(tree, birth_registration))
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


def test_post_with_csrf_token_goes_through(tree, birth_registration):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    data = form_data(tree, birth_registration, csrfmiddlewaretoken=token)
    assert client.post(URL, data).status_code == 302
    assert Dossier.objects.count() == 1


def test_confirmation_page_needs_a_filing(client, db):
    response = client.get("/cong-dich-vu/nop-ho-so/da-nop/")
    assert response.status_code == 302
    assert response["Location"] == "/cong-dich-vu/tra-cuu/"


def test_default_limit_streams_a_large_file_without_losing_fields(client, tree, birth_registration):
    """11 MB against the default 10 MB: the file is dropped while streaming, the text stays."""
    tp1, _ = components(birth_registration)
    big = upload("to-khai.pdf", PDF + b"\0" * (11 * 1024 * 1024))
    response = client.post(URL, form_data(tree, birth_registration, **{tp1: big}))
    assert_refused(response, message="mỗi tệp tối đa 10 MB")
