import pytest

from motcua.catalog.services import procedure_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified_copy(tree):
    procedure, _ = procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
        online_level="none",
        result_kind="paper",
        result_name="Bản sao được chứng thực",
        legal_basis="Nghị định 23/2015/NĐ-CP",
        where_to_file="Bộ phận Một cửa UBND cấp xã",
        steps_description="Người yêu cầu nộp hồ sơ; cán bộ kiểm tra và chứng thực.",
        applicant_requirements="Cá nhân, tổ chức có yêu cầu chứng thực",
        components=[
            {"code": "BC", "name": "Bản chính giấy tờ", "copies": "01 bản chính"},
            {"code": "BS", "name": "Bản sao cần chứng thực", "required": False},
        ],
        steps=[
            {"name": "Tiếp nhận hồ sơ", "role": "desk_officer", "working_hours": 2},
            {"name": "Chứng thực bản sao", "role": "processor", "working_hours": "5.5"},
            {"name": "Trả kết quả", "role": "desk_officer", "working_hours": "0.5"},
        ],
    )
    return procedure


def test_search_ignores_diacritics(client, birth_registration, certified_copy):
    response = client.get("/cong-dich-vu/thu-tuc/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Đăng ký khai sinh" in content
    assert "Chứng thực bản sao" not in content


def test_browse_by_field_and_level(client, birth_registration, certified_copy):
    field_id = certified_copy.field_id
    content = client.get("/cong-dich-vu/thu-tuc/", {"field": field_id}).content.decode()
    assert "Chứng thực bản sao" in content and "Đăng ký khai sinh" not in content
    content = client.get("/cong-dich-vu/thu-tuc/", {"level": "province"}).content.decode()
    assert "Chứng thực bản sao" not in content and "Đăng ký khai sinh" not in content


@pytest.mark.parametrize(
    "params",
    [{"field": "abc"}, {"level": "galaxy"}, {"trang": "-1"}, {"trang": "x"}, {"q": "z" * 500}],
)
def test_bad_catalogue_parameters_do_not_fail(client, birth_registration, params):
    assert client.get("/cong-dich-vu/thu-tuc/", params).status_code == 200


def test_pagination_keeps_the_search(client, birth_registration):
    for number in range(25):
        procedure_upsert(
            code=f"9.{number:06d}",
            name=f"Thủ tục hộ tịch số {number}",
            field_name="Hộ tịch",
            level="commune",
            time_limit_value=1,
        )
    content = client.get("/cong-dich-vu/thu-tuc/", {"q": "ho tich"}).content.decode()
    assert "trang=2" in content and "q=ho+tich" in content
    second = client.get("/cong-dich-vu/thu-tuc/", {"q": "ho tich", "trang": 2})
    assert second.status_code == 200


def test_procedure_page_shows_every_content_part(client, certified_copy):
    response = client.get("/cong-dich-vu/thu-tuc/2.000815/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Trình tự thực hiện",
        "Người yêu cầu nộp hồ sơ; cán bộ kiểm tra",  # steps description
        "Chứng thực bản sao",  # process step
        "5,5 giờ làm việc",  # the step's working time
        "Bộ phận Một cửa UBND cấp xã",  # where to file
        "Bản chính giấy tờ",
        "01 bản chính",
        "Không bắt buộc",
        "1 ngày làm việc",
        "Không thu phí",
        "Cá nhân, tổ chức có yêu cầu chứng thực",
        "Bản sao được chứng thực",
        "bản giấy",
        "Nghị định 23/2015/NĐ-CP",
        "UBND xã Tiên Động",  # receiving units
    ):
        assert text in content, text
    # Not offered online: no button.
    assert "/nop-ho-so/" not in content


def test_procedure_page_fees_and_online_button(client, birth_registration):
    content = client.get("/cong-dich-vu/thu-tuc/1.001193/").content.decode()
    assert "8.000 đồng" in content
    assert "Nộp hồ sơ trực tuyến" in content
    assert "/cong-dich-vu/thu-tuc/1.001193/nop-ho-so/" in content


def test_unknown_procedure_is_404(client, db):
    response = client.get("/cong-dich-vu/thu-tuc/0.000000/")
    assert response.status_code == 404
    assert "Không tìm thấy thủ tục" in response.content.decode()


def test_home_lists_fields_and_links(client, birth_registration, certified_copy):
    content = client.get("/cong-dich-vu/").content.decode()
    assert "Hộ tịch" in content and "Chứng thực" in content
    assert "/cong-dich-vu/tra-cuu/" in content
    assert "/cong-dich-vu/phan-anh-kien-nghi/" in content
    assert 'role="search"' in content
