"""The supervisors' figures read from the replica alias, writes and everything else from the primary
(core.replica). The `replica` alias mirrors the test database (tests/conftest.py), so both see the
same rows; the tests commit (transaction=True) so that the second connection sees them."""

import pytest
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core.replica import REPLICA_ALIAS, figures_reads, primary_reads
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from motcua.indicators.models import RollupCounter
from motcua.units.models import Unit
from tests.conftest import handed_in, local

BOTH = ["default", REPLICA_ALIAS]
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica_on(settings):
    settings.MOTCUA_FIGURES_DATABASE = REPLICA_ALIAS


def _receive(staff, tree, procedure):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Nguyễn Văn An"),
        at=local(2024, 3, 4, 8),
    )


def _captured(alias: str, call):
    with CaptureQueriesContext(connections[alias]) as captured:
        result = call()
    return result, [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_router_sends_figures_reads_to_the_replica_and_nothing_else(replica_on):
    assert router.db_for_read(Unit) == "default"
    with figures_reads():
        assert router.db_for_read(Unit) == REPLICA_ALIAS
        assert router.db_for_write(Dossier) == "default"
        with transaction.atomic():
            # A transaction's reads belong with its writes.
            assert router.db_for_read(Dossier) == "default"
        with primary_reads():
            assert router.db_for_read(Unit) == "default"
    assert router.db_for_read(Unit) == "default"
    assert not router.allow_migrate(REPLICA_ALIAS, "dossiers")


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_a_replica_the_figures_read_the_primary():
    with figures_reads():
        assert router.db_for_read(RollupCounter) == "default"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_dashboard_figures_come_from_the_replica_and_writes_never_go_there(
    replica_on, staff, tree, birth_registration
):
    _receive(staff, tree, birth_registration)
    client = Client()
    client.force_login(staff.supervisor)
    url = "/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31"

    with CaptureQueriesContext(connections["default"]) as primary:
        response, on_replica = _captured(REPLICA_ALIAS, lambda: client.get(url))
    assert response.status_code == 200
    assert "Tỷ lệ thanh toán trực tuyến" in response.content.decode()
    # The rates, the children's rates and the monthly trend: rollups read on the replica.
    assert any("indicators_rollupcounter" in sql for sql in on_replica)
    assert not [sql for sql in on_replica if sql.lstrip().upper().startswith(WRITES)]
    on_primary = [q["sql"] for q in primary.captured_queries]
    assert not any("indicators_rollupcounter" in sql for sql in on_primary)
    assert any("django_session" in sql for sql in on_primary)  # the request itself: primary

    # A write while the replica is configured: nothing at all on the replica.
    dossier, on_replica = _captured(
        REPLICA_ALIAS, lambda: _receive(staff, tree, birth_registration)
    )
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert on_replica == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_drilldown_and_inbox_read_the_primary(replica_on, staff, tree, birth_registration):
    # The lists an officer acts from must show the dossier as it is now, not seconds ago.
    _receive(staff, tree, birth_registration)
    supervisor = Client()
    supervisor.force_login(staff.supervisor)
    desk = Client()
    desk.force_login(staff.desk)
    period = "unit=298&from=2024-03-01&to=2024-03-31"
    for client, url in (
        (supervisor, f"/giam-sat/chi-so/online_payment/?{period}"),
        (supervisor, f"/giam-sat/chi-so-766/on_time/?{period}"),
        (desk, "/ho-so/"),
    ):
        response, on_replica = _captured(REPLICA_ALIAS, lambda c=client, u=url: c.get(u))
        assert response.status_code == 200
        assert "/ho-so/11143-" in response.content.decode()
        # The list and the figure above it from the same database: they agree.
        assert on_replica == [], url


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_dashboard_reads_the_primary_when_no_replica_is_set(staff, tree, birth_registration):
    _receive(staff, tree, birth_registration)
    client = Client()
    client.force_login(staff.supervisor)
    response, on_replica = _captured(
        REPLICA_ALIAS, lambda: client.get("/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31")
    )
    assert response.status_code == 200
    assert on_replica == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize(
    "path", ["xep-hang/", "tai-ve/bieu-06.xlsx", "tai-ve/bao-cao-tom-tat.docx"]
)
def test_rankings_and_reports_read_their_figures_on_the_replica(
    replica_on, staff, tree, birth_registration, path
):
    _receive(staff, tree, birth_registration)
    client = Client()
    client.force_login(staff.supervisor)
    response, on_replica = _captured(
        REPLICA_ALIAS,
        lambda: client.get(f"/giam-sat/{path}?unit=298&from=2024-03-01&to=2024-03-31"),
    )
    assert response.status_code == 200
    assert any("indicators_" in sql for sql in on_replica)
    assert not [sql for sql in on_replica if sql.lstrip().upper().startswith(WRITES)]
