"""Payment fixtures: dossiers that owe a fee, made through the real services, and the stand-in
gateway on a free 127.0.0.1 port, wired to Django's live server (real HTTP both ways)."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.payments.standin import StandinBehaviour, StandinGateway
from tests.conftest import handed_in

GATEWAY_SECRET = "bi-mat-cong-thanh-toan-thu-nghiem"
NATIONAL_SECRET = "bi-mat-nen-tang-thu-nghiem"
PHONE = "0912345678"


def receive(*, staff, tree, procedure, name: str = "Nguyễn Thị Hoa"):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=Applicant(name=name, phone=PHONE, id_number="001099012345"),
        components=handed_in(procedure),
    )


@pytest.fixture
def dossier(staff, tree, birth_registration):
    """Received at the desk: owes the 8 000 đồng birth registration charge."""
    return receive(staff=staff, tree=tree, procedure=birth_registration)


@pytest.fixture
def secrets_set(settings):
    settings.MOTCUA_PAYMENT_GATEWAY_SECRET = GATEWAY_SECRET
    settings.MOTCUA_PAYMENT_NATIONAL_SECRET = NATIONAL_SECRET
    return settings


@pytest.fixture
def standin(secrets_set, live_server):
    gateway = StandinGateway(
        gateway_secret=GATEWAY_SECRET,
        national_secret=NATIONAL_SECRET,
        behaviour=StandinBehaviour(),
    ).start()
    secrets_set.MOTCUA_PAYMENT_GATEWAY_URL = gateway.url
    secrets_set.MOTCUA_PAYMENT_NATIONAL_URL = gateway.url
    secrets_set.MOTCUA_PUBLIC_URL = live_server.url
    yield gateway
    gateway.stop()


def visit_pay_url(order) -> None:
    """What the citizen's browser does first: open the pay URL (the stand-in learns the order)."""
    import urllib.request

    with urllib.request.urlopen(order.pay_url, timeout=10) as response:
        assert response.status == 200
