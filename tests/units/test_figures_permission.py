"""Who may see the figures: one answer (units.selectors.user_may_view_figures) that the
dashboard, the API and the menu all give, for every role."""

from django.test import Client

from motcua.units.models import Role
from motcua.units.selectors import user_may_view_figures
from tests.conftest import make_user


def test_dashboard_api_and_rule_agree_for_every_role(staff, tree):
    people = [
        staff.desk,
        staff.processor,
        staff.leader,
        staff.supervisor,
        make_user("quantri.tuky", unit=tree.district, role=Role.ADMINISTRATOR),
    ]
    for user in people:
        client = Client()
        client.force_login(user)
        for unit in (tree.province, tree.district, tree.tien_dong, tree.cong_lac):
            allowed = user_may_view_figures(user=user, unit=unit)
            dashboard = client.get("/giam-sat/", {"unit": unit.code})
            api = client.get(
                "/api/v1/indicators/rates",
                {"unit": unit.code, "start": "2024-01-01", "end": "2024-12-31"},
            )
            where = (user.username, unit.code)
            assert dashboard.status_code == (200 if allowed else 403), where
            assert api.status_code == (200 if allowed else 403), where
            if not allowed:
                assert api.json()["code"] == "permission_denied"
        menu = client.get("/ho-so/").content.decode()
        assert ('href="/giam-sat/"' in menu) == any(
            user_may_view_figures(user=user, unit=u)
            for u in (tree.province, tree.district, tree.tien_dong)
        ), user.username
    # The case the issue found: a desk officer is refused by both doors alike.
    assert not user_may_view_figures(user=staff.desk, unit=tree.tien_dong)
    assert user_may_view_figures(user=staff.leader, unit=tree.tien_dong)
