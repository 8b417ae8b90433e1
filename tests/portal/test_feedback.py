import pytest

from motcua.feedback.models import Feedback, FeedbackStatus

pytestmark = pytest.mark.django_db

URL = "/cong-dich-vu/phan-anh-kien-nghi/"


def test_feedback_is_saved_and_confirmed(client, tree):
    response = client.post(
        URL,
        {
            "name": "Lê Thị Mai",
            "phone": "0912 000 111",
            "email": "",
            "unit": tree.tien_dong.pk,
            "content": "Bộ phận Một cửa đóng cửa sớm hơn giờ niêm yết.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/cong-dich-vu/phan-anh-kien-nghi/da-gui/"
    item = Feedback.objects.get()
    assert (item.name, item.phone, item.unit, item.status) == (
        "Lê Thị Mai",
        "0912000111",
        tree.tien_dong,
        FeedbackStatus.RECEIVED,
    )
    content = client.get(response["Location"]).content.decode()
    assert item.reference in content


def test_confirmation_without_feedback_goes_back_to_the_form(client, db):
    assert client.get(f"{URL}da-gui/")["Location"] == URL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Vui lòng nhập thông tin này."),
        (
            {"name": "Lê Thị Mai", "content": "Nội dung"},
            "Hãy để lại số điện thoại hoặc thư điện tử",
        ),
        (
            {"name": "Lê Thị Mai", "content": "Nội dung", "phone": "abc"},
            "Số điện thoại không hợp lệ.",
        ),
        (
            {"name": "Lê Thị Mai", "content": "Nội dung", "email": "mai@"},
            "Địa chỉ thư điện tử không hợp lệ.",
        ),
        (
            {"name": "Lê Thị Mai", "content": "Nội dung", "phone": "0912000111", "unit": "999999"},
            "Cơ quan được chọn không hợp lệ.",
        ),
        ({"name": "Lê Thị Mai", "content": "x" * 5001, "phone": "0912000111"}, "5000"),
    ],
)
def test_bad_feedback_is_refused_and_kept(client, tree, data, message):
    response = client.post(URL, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'role="alert"' in content
    if "name" in data:
        assert "Lê Thị Mai" in content
    assert Feedback.objects.count() == 0
