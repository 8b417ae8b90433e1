"""50 parallel conflicting actions on one dossier through the API, on a real PostgreSQL: exactly
one wins, with the version the clients saw or without any (the row lock decides)."""

import json

import pytest
from django.test import Client

from motcua.api.services import system_token_create
from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, State
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from tests.conftest import handed_in, is_postgres, local
from tests.dossiers.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 50


@pytest.fixture(autouse=True)
def _postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture
def dossier(staff, tree, birth_registration):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Ngô Văn K"),
        at=local(2024, 3, 4, 8),
    )


def test_fifty_api_calls_with_the_same_version_one_wins(tree, dossier):
    _, raw = system_token_create(
        name="Xã", unit=tree.tien_dong, scope="write", roles=[Role.DESK_OFFICER, Role.PROCESSOR]
    )
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    # Half hand the dossier on, half ask for a supplement: conflicting actions on one version.
    bodies = [
        ("forward", {"expected_version": 1}),
        ("request_supplement", {"expected_version": 1, "content": "Thiếu giấy chứng sinh"}),
    ]

    def call(index: int) -> tuple[int, str]:
        action, body = bodies[index % 2]
        response = Client().post(
            f"{url}/{action}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        return response.status_code, response.json()["code"] if response.status_code != 200 else ""

    results = run_in_threads(COUNT, call)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(status for status, _ in results) == [200] + [409] * (COUNT - 1)
    assert {code for status, code in results if status == 409} == {"stale_version"}
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 2


def test_fifty_services_calls_without_a_version_one_wins(staff, dossier):
    def forward(index: int):
        return services.dossier_forward(actor=staff.desk, dossier=dossier.pk)

    results = run_in_threads(COUNT, forward)
    won = [r for r in results if isinstance(r, Dossier)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(refused) == COUNT - 1, results
    assert Dossier.objects.get(pk=dossier.pk).state == State.PROCESSING
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2
