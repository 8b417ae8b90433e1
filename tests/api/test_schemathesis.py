"""Property-based probing of the API from its own OpenAPI document (schemathesis): with a real
dossier code, unit codes and a system token, no example gets a 5xx and every answer matches the
documented status codes, content type and schema. The example budget is bounded per operation."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.api.services import system_token_create
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.units.models import Role
from tests.conftest import handed_in, local

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    # The WSGI calls run in the test's transaction; like Django's test client, keep the end of a
    # request from closing the connection that transaction lives on.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(staff, tree, birth_registration, _keep_the_test_connection):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Ngô Văn K", id_number="001099012345"),
        at=local(2024, 3, 4, 8),
    )
    _, raw = system_token_create(
        name="Kiểm thử",
        unit=tree.district,
        scope="write",
        roles=[Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER, Role.SUPERVISOR],
    )
    return {"code": dossier.code, "procedure": birth_registration.code, "token": raw}


# Real values for the parameters that name things, so the probes reach past "not found".
REAL = {"unit": "298", "under": "298", "metric": "online_dossiers"}


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_from_its_openapi_document(case, world):
    if case.path_parameters:
        for name in case.path_parameters:
            if name == "code":
                case.path_parameters[name] = (
                    world["procedure"]
                    if case.path.startswith("/api/v1/procedures")
                    else world["code"]
                )
            elif name in REAL:
                case.path_parameters[name] = REAL[name]
    if case.query:
        for name in ("unit", "under"):
            if case.query.get(name):
                case.query[name] = REAL[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS)
