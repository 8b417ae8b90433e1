"""System tokens: scoped to a unit subtree and to read or write, hashed at rest, every use logged,
checked by the pages' own permission code; `motcua tokens create|list|revoke`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.api.models import SystemToken, TokenUse
from motcua.api.services import system_token_create, system_token_revoke
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from tests.conftest import handed_in, local


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Ngô Văn K", id_number="001099012345"),
        at=local(2024, 3, 4, 8),
    )


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_key_is_stored_only_as_a_hash(tree):
    token, raw = system_token_create(name="Một cửa điện tử", unit=tree.district, scope="read")
    stored = SystemToken.objects.get(pk=token.pk)
    assert raw not in json.dumps(
        {f.name: str(getattr(stored, f.attname)) for f in SystemToken._meta.fields}
    )
    assert len(stored.key_hash) == 64 and raw.startswith("mc_" + stored.prefix)
    # The token's account cannot log in to the pages.
    assert not stored.user.has_usable_password()


def test_read_token_sees_its_subtree_only_and_cannot_act(tree, staff, dossier):
    _, district = system_token_create(name="Huyện", unit=tree.district, scope="read")
    _, neighbour = system_token_create(name="Xã bên", unit=tree.cong_lac, scope="read")
    client = Client()
    ok = client.get(f"/api/v1/dossiers/{dossier.code}", **bearer(district))
    assert ok.status_code == 200 and ok.json()["code"] == dossier.code
    refused = client.get(f"/api/v1/dossiers/{dossier.code}", **bearer(neighbour))
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    listed = client.get("/api/v1/dossiers", **bearer(neighbour)).json()
    assert listed["items"] == []
    act = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/forward",
        {"expected_version": 1},
        content_type="application/json",
        **bearer(district),
    )
    assert act.status_code == 403 and act.json()["code"] == "token_read_only"
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 1


def test_write_token_acts_with_its_roles_without_csrf(tree, dossier):
    _, raw = system_token_create(
        name="Phần mềm xã", unit=tree.tien_dong, scope="write", roles=[Role.DESK_OFFICER]
    )
    client = Client(enforce_csrf_checks=True)
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    forward = client.post(
        f"{url}/forward",
        {"expected_version": 1},
        content_type="application/json",
        **bearer(raw),
    )
    assert forward.status_code == 200, forward.content
    assert forward.json()["state"] == State.PROCESSING
    # A desk officer does not resolve: the lifecycle row's role check, the same as on the pages.
    resolve = client.post(
        f"{url}/resolve",
        {"expected_version": 2, "result_summary": "Giấy khai sinh"},
        content_type="application/json",
        **bearer(raw),
    )
    assert resolve.status_code in (403, 409)
    event = Dossier.objects.get(pk=dossier.pk).events.order_by("-seq").first()
    assert "Phần mềm xã" in event.actor_name


def test_every_use_is_logged_and_a_revoked_or_wrong_key_is_refused(tree, dossier):
    token, raw = system_token_create(name="Cổng tỉnh", unit=tree.district, scope="read")
    client = Client()
    client.get("/api/v1/dossiers", **bearer(raw))
    client.get(f"/api/v1/dossiers/{dossier.code}", **bearer(raw))
    uses = list(TokenUse.objects.filter(token=token).order_by("pk"))
    assert [u.path for u in uses] == ["/api/v1/dossiers", f"/api/v1/dossiers/{dossier.code}"]
    assert SystemToken.objects.get(pk=token.pk).last_used_at is not None
    wrong = raw[:-2] + ("aa" if not raw.endswith("aa") else "bb")
    assert client.get("/api/v1/dossiers", **bearer(wrong)).status_code == 401
    system_token_revoke(token=token)
    response = client.get("/api/v1/dossiers", **bearer(raw))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert TokenUse.objects.filter(token=token).count() == 2


def test_a_read_token_takes_no_roles_that_act(tree):
    with pytest.raises(ValidationFailed) as refused:
        system_token_create(name="X", unit=tree.district, scope="read", roles=[Role.LEADER])
    assert refused.value.code == "token_roles_read_only"


def test_tokens_command_create_list_revoke(tree):
    out = StringIO()
    call_command(
        "tokens",
        "create",
        "--name",
        "Hệ thống A",
        "--unit",
        "298",
        "--scope",
        "write",
        "--role",
        "desk_officer",
        "--role",
        "processor",
        "--json",
        stdout=out,
    )
    created = json.loads(out.getvalue())
    assert created["token"].startswith("mc_") and created["roles"] == ["desk_officer", "processor"]
    assert created["scope"] == "write" and created["unit"] == "298"
    out = StringIO()
    call_command("tokens", "list", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert [t["name"] for t in listed] == ["Hệ thống A"]
    assert "token" not in listed[0] and listed[0]["revoked_at"] is None
    out = StringIO()
    call_command("tokens", "revoke", "Hệ thống A", stdout=out)
    assert "Đã thu hồi" in out.getvalue()
    out = StringIO()
    call_command("tokens", "list", "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["revoked_at"] is not None
    assert Client().get("/api/v1/dossiers", **bearer(created["token"])).status_code == 401
