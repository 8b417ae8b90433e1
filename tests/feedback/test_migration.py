"""The feedback the portal stored before the feedback app existed moves with its id (PAKN numbers
stay), gets its unit's clock and one history row; new feedback continues after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.feedback import services
from motcua.feedback.models import Feedback
from tests.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)


def test_portal_feedback_moves_with_its_id(tree):
    executor = MigrationExecutor(connection)
    before = [("portal", "0001_initial"), ("feedback", None)]
    executor.migrate(before)
    old_apps = executor.loader.project_state([("portal", "0001_initial")]).apps
    OldFeedback = old_apps.get_model("portal", "Feedback")
    sent = local(2026, 3, 2, 8, 0)
    old = OldFeedback.objects.create(
        pk=41, name="Lê Thị Mai", phone="0912000111", content="Cũ", unit_id=tree.cong_lac.pk
    )
    OldFeedback.objects.filter(pk=old.pk).update(created_at=sent)
    OldFeedback.objects.create(pk=42, name="Trần B", email="b@example.vn", content="Không đơn vị")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Feedback.objects.get(pk=41)
    assert (moved.reference, moved.unit_id, moved.sent_at, moved.status) == (
        "PAKN-000041",
        tree.cong_lac.pk,
        sent,
        "received",
    )
    assert moved.handle_due_at == local(2026, 3, 23, 8, 0)  # 15 working days
    assert list(moved.events.values_list("kind", flat=True)) == ["received"]
    assert Feedback.objects.get(pk=42).unit == tree.province  # the top of the tree
    new = services.feedback_receive(
        name="Mới", phone="0912000111", content="Mới", unit=tree.tien_dong
    )
    assert new.pk > 42
