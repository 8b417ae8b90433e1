"""`motcua demo`: the demo district, its catalogue, staff and a small simulated year of dossiers."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from motcua.catalog.models import Component, Procedure
from motcua.demo import data
from motcua.demo.services import demo_load
from motcua.dossiers.models import OPEN_STATES, Dossier, DossierEvent, DossierStep, State
from motcua.dossiers.projection import state_differences, state_fold, state_from_rows
from motcua.units.models import Membership, Role, Unit

# A Friday before the 2025 reorganisation, so the result does not depend on the day tests run.
TODAY = date(2025, 6, 27)


def fast_hasher() -> override_settings:
    # One PBKDF2 hash per load is a second; tests need no strong hash.
    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "procedures": Procedure.objects.count(),
        "components": Component.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module (twice, to check the second run), then roll back."""
    with django_db_blocker.unblock(), fast_hasher(), transaction.atomic():
        out = StringIO()
        first = demo_load(dossiers=60, seed=7, today=TODAY, stdout=out)
        after_first = counts()
        second = demo_load(dossiers=60, seed=7, today=TODAY)
        yield {
            "first": first,
            "second": second,
            "after_first": after_first,
            "after_second": counts(),
            "output": out.getvalue(),
        }
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_reference_data_is_created(demo):
    first = demo["first"]
    assert first["errors"] == []
    assert first["dossiers_created"] == 60
    codes = set(Unit.objects.values_list("code", flat=True))
    assert {"30", "298", "11143", "11140", "11110", "298-MC"} <= codes
    assert {code for code, _ in data.COMMUNES} <= codes
    assert len(data.COMMUNES) == 27
    assert Unit.objects.get(code="11143").path == "/30/298/11143/"
    assert Unit.objects.get(code="298-MC").level == "centre"
    assert Procedure.objects.count() >= 20
    roles = set(Membership.objects.values_list("role", flat=True))
    assert set(Role.values) <= roles
    admin = get_user_model().objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    desk = get_user_model().objects.get(username="tiepnhan.tiendong")
    assert desk.check_password(data.DEMO_PASSWORD)
    assert desk.get_full_name().split()[0] in {name for name, _ in data.FAMILY_NAMES}
    assert "tiepnhan.tiendong" in demo["output"] and data.DEMO_PASSWORD in demo["output"]


def test_second_run_adds_nothing(demo):
    second = demo["second"]
    assert demo["after_second"] == demo["after_first"]
    assert second["units_created"] == second["procedures_created"] == second["users_created"] == 0
    assert second["dossiers_created"] == 0 and second["dossiers_skipped"]


def test_dossiers_cover_every_storyline(demo):
    dossiers = Dossier.objects.all()
    states = set(dossiers.values_list("state", flat=True))
    assert {
        State.NOT_ACCEPTED,
        State.WITHDRAWN,
        State.STOPPED,
        State.RESOLVED,
        State.RETURNED,
    } <= states
    assert dossiers.filter(state__in=OPEN_STATES).exists()
    assert dossiers.filter(supplement_count__gte=1).exists()
    assert dossiers.filter(supplement_count__gte=2).exists()
    assert dossiers.filter(apology_count__gte=1).exists()
    assert dossiers.filter(outcome="rejected").exists()
    assert DossierEvent.objects.filter(kind="transferred").count() >= 2  # there and back
    late = [
        d for d in dossiers.exclude(ended_at=None).exclude(due_at=None) if d.ended_at > d.due_at
    ]
    assert late
    assert dossiers.filter(channel=2).exists() and dossiers.filter(channel=1).exists()
    assert dossiers.filter(paid_online=True).exists()
    assert dossiers.filter(result_electronic=True).exists()
    # Codes carry the receiving unit's agency identifier (docs/domain.md §6).
    for dossier in dossiers.select_related("unit")[:10]:
        assert dossier.code.startswith(dossier.unit.agency_id + "-")


def test_projection_equals_the_fold_of_events(demo):
    for dossier in Dossier.objects.all():
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
        steps = list(DossierStep.objects.filter(dossier=dossier))
        differences = state_differences(state_fold(events), state_from_rows(dossier, steps))
        assert differences == [], dossier.code


def test_events_never_go_back_in_time(demo):
    previous: dict[int, object] = {}
    for event in DossierEvent.objects.order_by("dossier_id", "seq"):
        if event.dossier_id in previous:
            assert event.at >= previous[event.dossier_id]
        previous[event.dossier_id] = event.at


def test_process_templates_spend_exactly_the_time_limit(demo):
    with_steps = 0
    for procedure in Procedure.objects.prefetch_related("process_steps"):
        steps = list(procedure.process_steps.all())
        if steps:
            with_steps += 1
            assert sum(s.working_hours for s in steps) == procedure.time_limit_hours, procedure.code
    assert with_steps >= 5
    # At least one commune procedure hands over to a district office (liên thông).
    assert Procedure.objects.filter(
        level="commune", process_steps__unit__code="298-LDTBXH"
    ).exists()


def test_data_steps_add_up():
    for spec in data.PROCEDURES:
        if spec.get("steps"):
            hours = Decimal(str(spec["time_limit_value"]))
            if spec.get("time_limit_unit", "working_days") == "working_days":
                hours *= 8
            assert sum(Decimal(str(s["working_hours"])) for s in spec["steps"]) == hours


def test_demo_publishes_procedures_and_sets_the_target(demo):
    from motcua.catalog.models import Publication
    from motcua.indicators.models import Target

    assert Publication.objects.count() == Procedure.objects.count()
    assert not Publication.objects.filter(made_public_date__isnull=True).exists()
    target = Target.objects.get(metric="online_payment", level="commune", valid_to__year=TODAY.year)
    assert target.percent == 30 and target.unit.code == "298"


def test_every_demo_role_gets_one_answer_from_every_door(demo):
    """For a demo login of each role: the dashboard, the API and the rule agree on whose figures
    they may see; the dossier page and the API offer the same actions; the desk lists exactly the
    procedures its units receive."""
    from django.test import Client

    from motcua.catalog.selectors import procedures_received_by
    from motcua.desk.selectors import desk_procedures, desk_units
    from motcua.dossiers import lifecycle
    from motcua.units.selectors import user_may_view_figures
    from tests.dossiers.test_lifecycle_table import ACTION_URL

    logins = {}
    for membership in Membership.objects.select_related("user").order_by("pk"):
        logins.setdefault(membership.role, membership.user)
    assert set(logins) == set(Role.values)
    # The tree live on TODAY (before 1/7/2025): Hải Dương; Hải Phòng's begins later.
    units = [Unit.objects.get(code="30"), *Unit.objects.filter(level="commune")[:2]]
    units.append(Unit.objects.filter(level="department").first())
    dossiers = [Dossier.objects.filter(state=state).first() for state in State.values]
    for role, user in logins.items():
        client = Client()
        client.force_login(user)
        for unit in units:
            allowed = user_may_view_figures(user=user, unit=unit)
            # `reference`: a code reused by a later unit names this one by its last day.
            dashboard = client.get("/giam-sat/", {"unit": unit.reference}).status_code
            api = client.get(
                "/api/v1/indicators/rates",
                {"unit": unit.reference, "start": "2025-01-01", "end": "2025-06-27"},
            ).status_code
            assert dashboard == api == (200 if allowed else 403), (role, unit.code)
        for dossier in filter(None, dossiers):
            api = client.get(f"/api/v1/dossiers/{dossier.code}")
            page = client.get(f"/ho-so/{dossier.code}/")
            assert api.status_code == page.status_code, (role, dossier.code)
            if api.status_code == 200:
                by_api = {lifecycle.BY_SLUG[s].kind for s in api.json()["available_actions"]}
                by_page = {
                    lifecycle.BY_WEB_SLUG[s].kind for s in ACTION_URL.findall(page.content.decode())
                }
                assert by_api == by_page, (role, dossier.code)
        for unit in desk_units(user=user)[:3]:
            listed = {p.pk for p in desk_procedures(unit=unit)}
            received = set(procedures_received_by(unit=unit).values_list("pk", flat=True))
            # The desk shows the first 50 matches; every one it shows is received there.
            assert listed <= received and (len(listed) == min(50, len(received))), unit.code


def test_demo_payments_are_orders_paid_through_the_protocol_with_receipts(demo, settings):
    from motcua.payments.models import PaymentOrder, Receipt

    paid_online = Dossier.objects.filter(paid_online=True)
    assert paid_online.exists()
    for dossier in paid_online:
        (order,) = PaymentOrder.objects.filter(dossier=dossier, status="paid")
        (txn,) = order.transactions.all()
        assert txn.recorded and txn.transaction_id.startswith("DEMO-")  # generated, and says so
        assert Receipt.objects.filter(transaction=txn, method="online").exists()
    providers = set(PaymentOrder.objects.values_list("provider", flat=True))
    assert providers <= {"national", "province"} and providers
    # Every payment event has its receipt (desk payments too).
    payments = DossierEvent.objects.filter(kind="payment_recorded").count()
    assert payments == Receipt.objects.count()
    assert settings.MOTCUA_PAYMENT_GATEWAY_SECRET in demo["output"]
    assert "stand-in" in demo["output"]


def test_the_latest_electronic_results_are_signed_files(demo):
    from motcua.dossiers.models import DossierDocument

    # The module's demo (its files are under the first test's media folder): the latest few
    # electronic results are stored signed files (tests/digitization verifies such files).
    results = DossierDocument.objects.filter(kind=DossierDocument.Kind.RESULT).exclude(file="")
    assert 0 < results.count() <= 8
    assert all(d.sha256 and d.page_count == 1 and d.dossier.has_result_file for d in results)
    assert all(d.file.name.endswith("-ket-qua.pdf") for d in results)
