import pytest

from motcua.core.formatting import datetime_vi
from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument, State
from motcua.feedback.models import Rating
from motcua.workcalendar.selectors import calendar_get
from tests.portal.conftest import (
    ID_NUMBER,
    PDF,
    PHONE,
    look_up,
    processing,
    returned,
    submit_online,
    supplement_requested,
    upload,
)

pytestmark = pytest.mark.django_db

LOOKUP = "/cong-dich-vu/tra-cuu/"
NOT_FOUND = "Không tìm thấy hồ sơ với thông tin đã nhập."


def page(dossier) -> str:
    return f"/cong-dich-vu/ho-so/{dossier.code}/"


@pytest.fixture
def dossier(tree, birth_registration):
    return submit_online(unit=tree.tien_dong, procedure=birth_registration)


@pytest.mark.parametrize("contact", [PHONE, "091 234 5678", "+84912345678", "2345"])
def test_lookup_with_phone_or_id_tail_opens_the_dossier(client, dossier, contact):
    response = look_up(client, dossier, contact)
    assert response.status_code == 302
    assert response["Location"] == page(dossier)
    content = client.get(page(dossier)).content.decode()
    assert "Đã nộp trực tuyến, đang chờ cán bộ một cửa kiểm tra" in content
    assert "Chưa tiếp nhận" in content
    assert "********2345" in content
    assert ID_NUMBER not in content and PHONE not in content


def test_lookup_accepts_a_lower_case_code(client, dossier):
    response = client.post(LOOKUP, {"code": dossier.code.lower(), "contact": PHONE})
    assert response["Location"] == page(dossier)


@pytest.mark.parametrize(
    ("code", "contact"),
    [
        ("real", "0987654321"),  # right code, wrong phone
        ("real", "9999"),  # right code, wrong ID tail
        ("real", ID_NUMBER),  # the whole ID is not a phone number
        ("000.00.00.H23-240101-0001", PHONE),  # unknown code, right phone
        ("real", " "),
    ],
)
def test_wrong_details_get_one_generic_message(client, dossier, code, contact):
    code = dossier.code if code == "real" else code
    response = client.post(LOOKUP, {"code": code, "contact": contact})
    assert response.status_code == 200
    content = response.content.decode()
    if contact.strip():
        assert NOT_FOUND in content
        assert 'role="alert"' in content
    assert client.get(page(dossier)).status_code == 302


def test_unknown_code_and_wrong_phone_read_the_same(client, dossier):
    wrong_phone = client.post(LOOKUP, {"code": dossier.code, "contact": "0987654321"})
    unknown = client.post(LOOKUP, {"code": "X-1", "contact": PHONE})

    def alert(response):
        text = response.content.decode()
        start = text.index('role="alert"')
        return text[start : text.index("</div>", start)]

    assert alert(wrong_phone) == alert(unknown)


def test_dossier_without_phone_or_long_id_cannot_be_opened_by_guessing(
    client, tree, birth_registration
):
    dossier = submit_online(
        unit=tree.tien_dong, procedure=birth_registration, phone="", id_number=""
    )
    assert client.post(LOOKUP, {"code": dossier.code, "contact": "    "}).status_code == 200
    assert look_up(client, dossier, "").status_code == 200
    assert client.get(page(dossier)).status_code == 302


def test_lookup_is_throttled(client, settings, dossier):
    settings.MOTCUA_PORTAL_LOOKUP_MAX_FAILURES = 3
    for _ in range(3):
        look_up(client, dossier, "0987654321")
    response = look_up(client, dossier, PHONE)  # even the right answer waits now
    assert response.status_code == 429
    assert "Bạn đã tra cứu sai quá nhiều lần" in response.content.decode()
    assert client.get(page(dossier)).status_code == 302


def test_throttle_counts_per_address_across_codes(client, settings, tree, birth_registration):
    settings.MOTCUA_PORTAL_LOOKUP_MAX_FAILURES = 3
    for number in range(3):
        client.post(LOOKUP, {"code": f"X-{number}", "contact": PHONE})
    other = submit_online(unit=tree.tien_dong, procedure=birth_registration)
    assert look_up(client, other).status_code == 429


def test_throttle_counts_per_code_across_addresses(client, settings, dossier):
    settings.MOTCUA_PORTAL_LOOKUP_MAX_FAILURES = 3
    for number in range(3):
        client.post(
            LOOKUP,
            {"code": dossier.code, "contact": f"{number:04d}"},
            REMOTE_ADDR=f"10.0.0.{number}",
        )
    assert look_up(client, dossier).status_code == 429


def test_dossier_page_needs_the_session_grant(client, dossier):
    response = client.get(page(dossier))
    assert response.status_code == 302
    assert response["Location"] == f"{LOOKUP}?ma={dossier.code}"
    form = client.get(response["Location"]).content.decode()
    assert f'value="{dossier.code}"' in form


def test_grant_expires(client, settings, dossier):
    settings.MOTCUA_PORTAL_GRANT_SECONDS = 0
    look_up(client, dossier)
    assert client.get(page(dossier)).status_code == 302


def test_grant_is_for_one_dossier(client, tree, birth_registration, dossier):
    other = submit_online(unit=tree.tien_dong, procedure=birth_registration, phone="0900000000")
    look_up(client, dossier)
    assert client.get(page(dossier)).status_code == 200
    assert client.get(page(other)).status_code == 302
    for action in ("bo-sung", "rut-ho-so", "danh-gia"):
        response = client.post(f"{page(other)}{action}/", {"reason": "x", "score": 5})
        assert response.status_code == 302
    other.refresh_from_db()
    assert other.state == State.SUBMITTED_ONLINE


def test_unknown_dossier_page_redirects_to_lookup(client, db):
    response = client.get("/cong-dich-vu/ho-so/KHONG-CO/")
    assert response.status_code == 302


# --- supplement --------------------------------------------------------------------------------


def test_supplement_online_resumes_processing(client, staff, tree, birth_registration):
    dossier = supplement_requested(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    content = client.get(page(dossier)).content.decode()
    assert "Thiếu giấy chứng sinh bản chính" in content
    assert "Tạm dừng — chờ bổ sung" in content
    tp2 = birth_registration.components.get(code="TP2")
    before = dossier.documents.count()
    response = client.post(
        f"{page(dossier)}bo-sung/",
        {f"component_{tp2.pk}": upload("chung-sinh.pdf", PDF), "note": "Gửi bản chụp bản chính"},
    )
    assert response.status_code == 302
    assert response["Location"] == page(dossier)
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING
    assert dossier.clock_paused_at is None
    assert dossier.documents.count() == before + 1
    event = dossier.events.get(kind="supplement_received")
    assert event.actor is None
    assert event.payload["note"] == "Gửi bản chụp bản chính"
    assert event.payload["components"][0]["digitized"] is True
    assert "Đã gửi hồ sơ bổ sung" in client.get(page(dossier)).content.decode()


def test_bad_supplement_keeps_the_note_and_writes_nothing(client, staff, tree, birth_registration):
    dossier = supplement_requested(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    tp2 = birth_registration.components.get(code="TP2")
    documents = DossierDocument.objects.count()
    response = client.post(
        f"{page(dossier)}bo-sung/",
        {f"component_{tp2.pk}": upload("chung-sinh.pdf", b"MZ\x90\x00"), "note": "Ghi chú của tôi"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "không phải tệp PDF, JPG hoặc PNG hợp lệ" in content
    assert "Ghi chú của tôi" in content
    assert 'role="alert"' in content
    dossier.refresh_from_db()
    assert dossier.state == State.SUPPLEMENT_REQUESTED
    assert DossierDocument.objects.count() == documents
    empty = client.post(f"{page(dossier)}bo-sung/", {})
    assert "Hãy đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung." in empty.content.decode()


def test_supplement_when_none_was_asked_is_refused(client, staff, tree, birth_registration):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    response = client.post(f"{page(dossier)}bo-sung/", {"note": "Bổ sung thêm"}, follow=True)
    assert response.status_code == 200
    assert "Không thể nhận hồ sơ bổ sung" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING


# --- withdraw ----------------------------------------------------------------------------------


def test_withdraw_with_a_reason(client, dossier):
    look_up(client, dossier)
    refused = client.post(f"{page(dossier)}rut-ho-so/", {"reason": "  "})
    assert "Vui lòng nêu lý do rút hồ sơ." in refused.content.decode()
    response = client.post(f"{page(dossier)}rut-ho-so/", {"reason": "Đã nộp nhầm thủ tục"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.WITHDRAWN
    content = client.get(page(dossier)).content.decode()
    assert "Bạn đã rút hồ sơ." in content and "Đã nộp nhầm thủ tục" in content
    assert "Xác nhận rút hồ sơ" not in content
    again = client.post(f"{page(dossier)}rut-ho-so/", {"reason": "Lần nữa"}, follow=True)
    assert again.status_code == 200
    assert "Không thể rút hồ sơ" in again.content.decode()


# --- rating ------------------------------------------------------------------------------------


def test_rating_only_after_the_result(client, staff, tree, birth_registration):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    assert "Gửi đánh giá" not in client.get(page(dossier)).content.decode()
    response = client.post(f"{page(dossier)}danh-gia/", all_scores(5), follow=True)
    assert "Chỉ đánh giá được sau khi hồ sơ đã có kết quả." in response.content.decode()
    assert Rating.objects.count() == 0


def all_scores(value: int, **extra) -> dict:
    from motcua.feedback.models import RatingCriterion

    return {f"score_{c.code}": value for c in RatingCriterion.objects.filter(active=True)} | extra


def test_rating_a_returned_dossier(client, staff, tree, birth_registration):
    dossier = returned(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    content = client.get(page(dossier)).content.decode()
    assert "Đã trả kết quả." in content and "Giấy khai sinh bản chính" in content
    assert "Đánh giá mức độ hài lòng" in content
    bad = client.post(f"{page(dossier)}danh-gia/", all_scores(9, comment="Rất nhanh"))
    assert "Vui lòng chọn mức độ hài lòng từ 1 đến 5." in bad.content.decode()
    assert "Rất nhanh" in bad.content.decode()
    response = client.post(f"{page(dossier)}danh-gia/", all_scores(4, comment="Rất nhanh"))
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.dossier_id, rating.score, rating.comment) == (dossier.pk, 4, "Rất nhanh")
    assert "Bạn đã đánh giá hồ sơ này: 4/5" in client.get(page(dossier)).content.decode()
    # Within the window the rating is changed, not added.
    client.post(f"{page(dossier)}danh-gia/", all_scores(2))
    assert Rating.objects.get().score == 2


def test_states_in_plain_vietnamese(client, staff, tree, birth_registration):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    look_up(client, dossier)
    content = client.get(page(dossier)).content.decode()
    assert "Đang được giải quyết." in content
    dossier.refresh_from_db()
    assert dossier.due_at is not None
    from motcua.core.formatting import datetime_vi

    assert datetime_vi(dossier.due_at) in content


def test_not_accepted_shows_the_reason(client, staff, dossier):
    services.dossier_not_accept(actor=staff.desk, dossier=dossier, reason="Sai thủ tục")
    look_up(client, dossier)
    content = client.get(page(dossier)).content.decode()
    assert "Hồ sơ không được tiếp nhận." in content and "Sai thủ tục" in content


def test_tracking_page_tells_of_the_apology_and_the_history_in_plain_words(
    client, staff, tree, birth_registration
):
    dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    first_due = dossier.due_at
    calendar = calendar_get(unit=dossier.unit)
    new_due = calendar.add_working_seconds(first_due, 3 * calendar.working_day_seconds)
    services.dossier_apologise(
        actor=staff.processor,
        dossier=dossier,
        new_due_at=new_due,
        reason="Cần xác minh nơi sinh với bệnh viện huyện",
    )
    look_up(client, dossier)
    html = client.get(page(dossier)).content.decode()
    assert "Cơ quan xin lỗi và hẹn lại ngày trả kết quả" in html
    assert f"hẹn ban đầu ({datetime_vi(first_due)})" in html
    assert datetime_vi(new_due) in html
    assert "Cần xác minh nơi sinh với bệnh viện huyện" in html
    # The history: what, when, which office — from the lifecycle's labels.
    history = html[html.index("Quá trình xử lý") :]
    for label in ("Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ trực tuyến", "Chuyển xử lý"):
        assert label in history
    assert "Xin lỗi và hẹn lại ngày trả" in history
    assert "UBND xã Tiên Động" in history
    # Never the officers' names.
    for officer in (staff.desk, staff.processor):
        assert officer.username not in html
