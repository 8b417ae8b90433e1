"""Satisfaction ratings: after the result, per criterion, once per dossier and changeable within
the window; from the tracking page, the desk kiosk (code or receipt QR) and the notification's
link; and the officials' ranking that reads them."""

from datetime import date, timedelta

import pytest

from motcua.core import timeutil
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.feedback import services
from motcua.feedback.models import Rating, RatingChannel, RatingCriterion
from motcua.feedback.selectors import kiosk_dossier_code, rating_link, rating_link_dossier
from motcua.portal.selectors import dossier_tracking_url
from motcua.scorecard.rankings import officials_rank
from tests.portal.conftest import processing, returned

pytestmark = pytest.mark.django_db


def scores(value: int) -> dict[str, int]:
    return {c.code: value for c in RatingCriterion.objects.filter(active=True)}


def form(value: int, **extra) -> dict:
    return {f"score_{code}": v for code, v in scores(value).items()} | extra


@pytest.fixture
def done(staff, tree, birth_registration):
    return returned(staff=staff, tree=tree, procedure=birth_registration)


def test_shipped_criteria():
    assert RatingCriterion.objects.filter(active=True).count() == 4


def test_rating_needs_the_result_and_every_criterion(staff, tree, birth_registration, done):
    open_dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    with pytest.raises(InvalidTransition):
        services.rating_submit(dossier=open_dossier, scores=scores(5))
    partial = scores(5)
    partial.pop(next(iter(partial)))
    with pytest.raises(ValidationFailed) as error:
        services.rating_submit(dossier=done, scores=partial)
    assert error.value.code == "rating_score_missing"
    assert Rating.objects.count() == 0


def test_overall_is_the_rounded_mean_and_changes_within_the_window(done, settings):
    settings.MOTCUA_RATING_CHANGE_DAYS = 7
    mixed = dict(zip(scores(0), (5, 4, 4, 2), strict=True))
    now = timeutil.now()
    rating = services.rating_submit(dossier=done, scores=mixed, at=now)
    assert rating.score == 4 and rating.scores.count() == 4  # 15 / 4 = 3.75
    rating = services.rating_submit(dossier=done, scores=scores(1), at=now + timedelta(days=6))
    assert (Rating.objects.count(), rating.score, rating.changes) == (1, 1, 1)
    with pytest.raises(InvalidTransition) as error:
        services.rating_submit(dossier=done, scores=scores(5), at=now + timedelta(days=8))
    assert error.value.code == "rating_exists"
    assert Rating.objects.get().score == 1


def test_the_kiosk_by_code_or_receipt_qr(client, done):
    assert kiosk_dossier_code(dossier_tracking_url(code=done.code)) == done.code
    assert kiosk_dossier_code(f"  {done.code} ") == done.code
    page = client.get("/cong-dich-vu/danh-gia-tai-quay/")
    assert page.status_code == 200 and "kiosk-input" in page.content.decode()
    wrong = client.post("/cong-dich-vu/danh-gia-tai-quay/", {"code": "KHONG-CO"})
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()
    found = client.post(
        "/cong-dich-vu/danh-gia-tai-quay/", {"code": dossier_tracking_url(code=done.code)}
    )
    assert found["Location"] == "/cong-dich-vu/danh-gia-tai-quay/danh-gia/"
    rate_page = client.get(found["Location"]).content.decode()
    assert done.code in rate_page and "kiosk-button" in rate_page
    # The kiosk shows no personal data of the applicant.
    assert done.applicant_name not in rate_page
    thanks = client.post(found["Location"], form(5))
    assert "Cảm ơn" in thanks.content.decode()
    rating = Rating.objects.get()
    assert (rating.score, rating.channel) == (5, RatingChannel.KIOSK)
    # The next person starts afresh.
    assert client.get(found["Location"])["Location"] == "/cong-dich-vu/danh-gia-tai-quay/"


def test_the_kiosk_refuses_a_dossier_without_result(client, staff, tree, birth_registration):
    open_dossier = processing(staff=staff, tree=tree, procedure=birth_registration)
    page = client.post("/cong-dich-vu/danh-gia-tai-quay/", {"code": open_dossier.code})
    assert "chưa có kết quả" in page.content.decode()


def test_the_notification_link(client, done, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"
    link = rating_link(dossier=done)
    assert link.startswith("https://dichvucong.example.vn/cong-dich-vu/danh-gia/")
    path = link.removeprefix("https://dichvucong.example.vn")
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert rating_link_dossier(token=token) == done
    assert rating_link_dossier(token=token[:-2] + "xx") is None
    assert client.post(path, form(4))["Location"] == path
    assert Rating.objects.get().channel == RatingChannel.LINK
    assert client.get(path[:-5] + "abcd/").status_code == 404


def test_ratings_feed_the_officials_ranking(staff, tree, birth_registration, done):
    other = returned(staff=staff, tree=tree, procedure=birth_registration)
    services.rating_submit(dossier=done, scores=scores(5))
    services.rating_submit(dossier=other, scores=scores(2))
    today = timeutil.local_date(timeutil.now())
    rows = officials_rank(unit=tree.province, start=date(today.year, 1, 1), end=today)
    by_name = {row["user"]["username"]: row for row in rows}
    # The desk, the processor and the leader each worked on both dossiers: (5 + 2) / 2.
    for username in ("tiepnhan.tiendong", "chuyenvien.tiendong", "lanhdao.tiendong"):
        assert by_name[username]["ratings"] == 2
        assert by_name[username]["rating_average"] == pytest.approx(3.5)
