"""Feedback fixtures: feedback sent at known moments through the real services."""

from datetime import datetime

import pytest

from motcua.feedback import services
from motcua.feedback.models import FeedbackChannel
from tests.conftest import local

# The notification fixtures (settings, immediate tasks, the stand-in SMS gateway) for the answer's
# messages.
from tests.notifications.conftest import (  # noqa: F401
    _notification_settings,
    immediate_tasks,
    standin_gateway,
)

PHONE = "0912000111"

# Monday 2 March 2026, 08:00: a plain working week (no holiday until 30 April).
MONDAY = local(2026, 3, 2, 8, 0)


def send(*, unit, at: datetime = MONDAY, dossier=None, channel=FeedbackChannel.PORTAL, actor=None):
    return services.feedback_receive(
        name="Lê Thị Mai",
        phone=PHONE,
        email="mai@example.vn",
        content="Cán bộ Lê Văn B hẹn lại nhiều lần; gọi 0987 654 321 không ai nghe.",
        unit=unit,
        dossier=dossier,
        channel=channel,
        actor=actor,
        at=at,
    )


@pytest.fixture
def sent(tree, staff):
    return send(unit=tree.tien_dong)
