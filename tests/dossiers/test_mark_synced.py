"""The portal's confirmation recorded outside any caller's transaction (the demo loader does so):
on PostgreSQL the row lock of the action frame needs the service's own transaction."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local

pytestmark = pytest.mark.django_db(transaction=True)


def test_mark_synced_outside_a_transaction_records_it_once(staff, tree, birth_registration):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Trần Văn Đồng Bộ"),
        at=local(2024, 5, 6, 9),
    )
    synced = services.dossier_mark_synced(dossier=dossier.pk, receipt="OK")
    again = services.dossier_mark_synced(dossier=dossier.pk, receipt="OK")
    assert synced.synced_to_portal and again.synced_to_portal
    assert dossier.events.filter(kind="portal_synced").count() == 1
    # The result link's confirmation too (every action's frame is its own transaction).
    linked = services.dossier_mark_result_synced(dossier=dossier.pk)
    assert services.dossier_mark_result_synced(dossier=dossier.pk).result_store_synced_at == (
        linked.result_store_synced_at
    )
    assert dossier.events.filter(kind="result_link_synced").count() == 1
