"""The portal's public pages served as rendered (core.pagecache): what is kept, for how long, and
what is never kept."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from motcua.catalog.models import Procedure
from motcua.core.pagecache import public_page_cached

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.MOTCUA_PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def renamed(procedure, name: str) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(name=name)


def test_a_procedure_page_is_served_as_rendered_until_it_expires(
    client, birth_registration, kept, settings
):
    url = f"/cong-dich-vu/thu-tuc/{birth_registration.code}/"
    first = client.get(url)
    assert first.status_code == 200 and birth_registration.name in first.content.decode()
    assert "private" in first["Cache-Control"]
    renamed(birth_registration, "Thủ tục đã đổi tên")
    again = client.get(url)
    assert again.content == first.content  # the rendered page, not the new name
    # Switched off (or expired): the page as it is now.
    settings.MOTCUA_PUBLIC_PAGE_CACHE_SECONDS = 0
    assert "Thủ tục đã đổi tên" in client.get(url).content.decode()


def test_the_catalogue_is_kept_per_filter_but_a_text_search_is_always_fresh(
    client, birth_registration, kept
):
    listing = client.get("/cong-dich-vu/thu-tuc/").content.decode()
    assert birth_registration.name in listing
    renamed(birth_registration, "Thủ tục đã đổi tên")
    assert birth_registration.name in client.get("/cong-dich-vu/thu-tuc/").content.decode()
    # Another page of the list is another key; a text search and an unknown parameter bypass it.
    assert "Thủ tục đã đổi tên" in client.get("/cong-dich-vu/thu-tuc/?trang=1").content.decode()
    searched = client.get("/cong-dich-vu/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert "Thủ tục đã đổi tên" in searched
    other = client.get("/cong-dich-vu/thu-tuc/", {"x": "1"}).content.decode()
    assert "Thủ tục đã đổi tên" in other


def test_an_answer_other_than_200_is_not_kept(client, kept):
    assert client.get("/cong-dich-vu/thu-tuc/9.999999/").status_code == 404
    assert client.get("/cong-dich-vu/thu-tuc/9.999999/").status_code == 404
    assert not any(True for _ in _page_keys())


def _page_keys():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM motcua_cache WHERE cache_key LIKE %s", ["%page:%"])
        return [row[0] for row in cursor.fetchall()]


def test_a_request_with_a_message_to_show_is_rendered_for_its_reader(kept):
    rendered = []

    @public_page_cached()
    def page(request):
        shown = [str(m) for m in get_messages(request)]
        rendered.append(shown)
        return HttpResponse(" ".join(shown) or "trang")

    factory = RequestFactory()
    plain = factory.get("/trang/")
    plain.session = {}
    plain._messages = FallbackStorage(plain)
    assert page(plain).content == b"trang"
    assert page(plain).content == b"trang" and len(rendered) == 1  # the second from the cache

    flashed = factory.get("/trang/")
    flashed.session = {}
    flashed._messages = FallbackStorage(flashed)
    flashed._messages.add(20, "Đã gửi phản ánh.")
    assert page(flashed).content.decode() == "Đã gửi phản ánh."
    assert len(rendered) == 2
    # …and the page kept for everyone else is still the plain one.
    assert page(plain).content == b"trang"


def test_a_post_is_never_served_from_the_cache(kept):
    calls = []

    @public_page_cached()
    def page(request):
        calls.append(request.method)
        return HttpResponse("trang")

    factory = RequestFactory()
    for request in (factory.get("/p/"), factory.post("/p/"), factory.post("/p/")):
        request.session = {}
        request._messages = FallbackStorage(request)
        page(request)
    assert calls == ["GET", "POST", "POST"]
