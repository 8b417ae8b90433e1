"""Who may see and do what: pages × roles × own or other unit."""

import pytest
from django.contrib.auth import get_user_model

from motcua.dossiers.models import Dossier, State

pytestmark = pytest.mark.django_db

# user fixture attribute → (listed in the inbox, dossier page status, may request a supplement)
MATRIX = {
    "desk": (True, 200, True),
    "processor": (True, 200, True),
    "leader": (True, 200, True),
    "supervisor": (False, 200, False),  # reads from above, does not act
    "other_desk": (False, 403, False),
    "other_processor": (False, 403, False),
    "justice_processor": (False, 403, False),
    "nobody": (False, 403, False),
}


@pytest.fixture
def users(staff):
    nobody = get_user_model().objects.create_user("khongvaitro")
    return {name: nobody if name == "nobody" else getattr(staff, name) for name in MATRIX}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client, users, dossiers, who):
    listed, page_status, may_act = MATRIX[who]
    client.force_login(users[who])
    code = dossiers.soon.code

    inbox = client.get("/ho-so/")
    assert inbox.status_code == 200
    assert (f'href="/ho-so/{code}/"' in inbox.content.decode()) is listed

    detail = client.get(f"/ho-so/{code}/")
    assert detail.status_code == page_status
    html = detail.content.decode()
    assert '<html lang="vi">' in html
    assert ("Trần Thị Bình" in html) is (page_status == 200)
    assert ("/thao-tac/yeu-cau-bo-sung/" in html) is may_act

    response = client.post(
        f"/ho-so/{code}/thao-tac/yeu-cau-bo-sung/",
        {"expected_version": 1, "content": "Thiếu giấy chứng sinh"},
    )
    after = Dossier.objects.get(code=code)
    if may_act:
        assert response.status_code == 302
        assert after.state == State.SUPPLEMENT_REQUESTED
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:  # may see it, may not act: the service said why
            followed = client.get(response["Location"])
            messages = [str(m) for m in followed.context["messages"]]
            assert messages and messages[0].startswith("Bạn không có quyền")
        assert (after.state, after.last_event_seq) == (State.RECEIVED, 1)


def test_the_other_commune_is_symmetric(client, staff, dossiers):
    client.force_login(staff.desk)
    assert client.get(f"/ho-so/{dossiers.other.code}/").status_code == 403
    client.force_login(staff.other_desk)
    assert client.get(f"/ho-so/{dossiers.other.code}/").status_code == 200
