"""The lifecycle table is the one statement of the actions: every row with a door is performed
through the REST API and through the officer's page, and the doors offer exactly what the table and
the services allow."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from motcua.backoffice import actions as web_actions
from motcua.core import timeutil
from motcua.dossiers import lifecycle, services
from motcua.dossiers.models import Dossier, State
from motcua.dossiers.services import Applicant
from motcua.workcalendar.selectors import calendar_get
from tests.conftest import handed_in


def _received(staff, tree, procedure) -> Dossier:
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Lê Thị Hoa", phone="0912345678"),
    )


def _processing(staff, tree, procedure) -> Dossier:
    return services.dossier_forward(actor=staff.desk, dossier=_received(staff, tree, procedure))


# How to bring a fresh dossier into each state an action may start from.
REACH = {
    State.SUBMITTED_ONLINE: lambda staff, tree, procedure: services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Lê Thị Hoa", phone="0912345678"),
    ),
    State.RECEIVED: _received,
    State.PROCESSING: _processing,
    State.SUPPLEMENT_REQUESTED: lambda staff, tree, procedure: services.dossier_request_supplement(
        actor=staff.desk, dossier=_received(staff, tree, procedure), content="Giấy chứng sinh"
    ),
    State.FINANCIAL_OBLIGATION: lambda staff, tree, procedure: (
        services.dossier_request_financial_obligation(
            actor=staff.processor,
            dossier=_processing(staff, tree, procedure),
            content="Lệ phí trước bạ",
            amount=50000,
        )
    ),
    State.RESOLVED: lambda staff, tree, procedure: services.dossier_resolve(
        actor=staff.leader, dossier=_processing(staff, tree, procedure), result_summary="Cấp"
    ),
}


def _setting(action: lifecycle.Action, staff, tree, procedure):
    """(dossier, officer) where the action is possible: its first reachable from-state, and an
    officer of Tiên Động holding one of its roles in the unit where they are checked."""
    state = next(s for s in sorted(action.from_states) if s in REACH)
    dossier = Dossier.objects.get(pk=REACH[state](staff, tree, procedure).pk)
    officers = {"desk_officer": staff.desk, "processor": staff.processor, "leader": staff.leader}
    roles = action.roles_for(dossier)
    officer = next(officers[role] for role in roles if role in officers)
    return dossier, officer


def _inputs(action: lifecycle.Action, dossier: Dossier, tree) -> dict:
    calendar = calendar_get(unit=dossier.unit)
    later = calendar.add_working_seconds(
        max(dossier.due_at or timeutil.now(), timeutil.now()), 3600
    )
    values = {
        "reason": "Lý do kiểm thử",
        "content": "Nội dung kiểm thử",
        "note": "Ghi chú",
        "result_summary": "Cấp giấy khai sinh",
        "electronic": False,
        "new_due_at": later,
        "to_unit": tree.justice.code,
        "amount": max(dossier.fee_amount - dossier.fee_paid_amount, 1),
        "method": "cash",
        "reference": "BL-0001",
        "tracking_number": "",
    }
    return {name: values[name] for name in action.inputs}


def _web_value(value):
    if hasattr(value, "tzinfo"):
        return timeutil.to_local(value).strftime("%Y-%m-%dT%H:%M")
    if value is False:
        return ""
    return value


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_row_has_one_meaning():
    kinds = [action.kind for action in lifecycle.ACTIONS]
    assert len(kinds) == len(set(kinds))
    slugs = [action.slug for action in lifecycle.DOOR_ACTIONS]
    assert len(slugs) == len(set(slugs)) == len(lifecycle.BY_WEB_SLUG)
    for action in lifecycle.DOOR_ACTIONS:
        assert action.from_states, action.kind
        assert action.label and action.done and action.web_slug, action.kind
        # Every door: a service, and a page form with exactly the row's inputs.
        assert action.kind in services.PERFORMERS
        form_fields = set(web_actions.FORMS[action.kind].base_fields) - {"expected_version"}
        assert form_fields == set(action.inputs), action.kind
    assert set(services.PERFORMERS) == {action.kind for action in lifecycle.DOOR_ACTIONS}


@pytest.mark.parametrize("action", lifecycle.DOOR_ACTIONS, ids=lambda action: action.slug)
def test_each_action_through_the_api(action, staff, tree, birth_registration):
    dossier, officer = _setting(action, staff, tree, birth_registration)
    client = _client(officer)
    detail = client.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert action.slug in detail["available_actions"]
    body = {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in _inputs(action, dossier, tree).items()
    }
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/{action.slug}",
        {"expected_version": dossier.last_event_seq, **body},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.last_event_seq == dossier.last_event_seq + 1
    assert after.events.order_by("-seq").first().kind == action.kind
    assert after.state == lifecycle.action_target_state(action, dossier.state)
    assert response.json()["version"] == after.last_event_seq


@pytest.mark.parametrize("action", lifecycle.DOOR_ACTIONS, ids=lambda action: action.slug)
def test_each_action_through_the_page(action, staff, tree, birth_registration):
    dossier, officer = _setting(action, staff, tree, birth_registration)
    client = _client(officer)
    url = f"/ho-so/{dossier.code}/thao-tac/{action.web_slug}/"
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert f'action="{url}"' in page
    data = {name: _web_value(value) for name, value in _inputs(action, dossier, tree).items()}
    response = client.post(url, {"expected_version": dossier.last_event_seq, **data}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [str(action.done)], shown
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.events.order_by("-seq").first().kind == action.kind
    assert after.state == lifecycle.action_target_state(action, dossier.state)


def test_unknown_action_is_404_with_a_code(staff, tree, birth_registration):
    dossier = _received(staff, tree, birth_registration)
    response = _client(staff.desk).post(
        f"/api/v1/dossiers/{dossier.code}/actions/forwarded",
        {"expected_version": dossier.last_event_seq},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "action_unknown"


def test_still_possible_rules_bind_every_door(staff, tree, birth_registration):
    """Apologise once; pay only what is owed — refused by the service, hidden by page and API."""
    dossier = _received(staff, tree, birth_registration)
    calendar = calendar_get(unit=dossier.unit)
    later = calendar.add_working_seconds(dossier.due_at, 3600)
    dossier = services.dossier_apologise(
        actor=staff.desk, dossier=dossier, new_due_at=later, reason="Chậm"
    )
    dossier = services.dossier_record_payment(actor=staff.desk, dossier=dossier, amount=8000)
    client = _client(staff.desk)
    offered = client.get(f"/api/v1/dossiers/{dossier.code}").json()["available_actions"]
    assert "apologise" not in offered and "record_payment" not in offered
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "/thao-tac/xin-loi-hen-lai/" not in page and "/thao-tac/nop-phi/" not in page
    refused = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/apologise",
        {
            "expected_version": dossier.last_event_seq,
            "new_due_at": (later + timedelta(days=2)).isoformat(),
            "reason": "Chậm nữa",
        },
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "apology_once"
    refused = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/record_payment",
        {"expected_version": dossier.last_event_seq, "amount": 1000},
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "fee_nothing_owed"
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == dossier.last_event_seq


ACTION_URL = re.compile(r'action="/ho-so/[^/]+/thao-tac/([a-z-]+)/"')


def test_page_and_api_offer_the_same_actions_to_every_role(staff, tree, birth_registration):
    dossiers = [REACH[state](staff, tree, birth_registration) for state in REACH]
    users = [
        staff.desk,
        staff.processor,
        staff.leader,
        staff.other_desk,
        staff.justice_processor,
        staff.supervisor,
    ]
    for user in users:
        client = _client(user)
        for dossier in dossiers:
            api = client.get(f"/api/v1/dossiers/{dossier.code}")
            page = client.get(f"/ho-so/{dossier.code}/")
            assert api.status_code == page.status_code, (user.username, dossier.state)
            if api.status_code != 200:
                continue
            by_api = {lifecycle.BY_SLUG[s].kind for s in api.json()["available_actions"]}
            by_page = {
                lifecycle.BY_WEB_SLUG[s].kind for s in ACTION_URL.findall(page.content.decode())
            }
            assert by_api == by_page, (user.username, State(dossier.state).label)


def test_a_financial_obligation_is_owed_like_a_fee(staff, tree, birth_registration):
    """What is owed is one rule (lifecycle.amount_owed): the fees and the obligations asked for, less
    what was paid — the desk may take the obligation's money after the fee was paid."""
    dossier = services.dossier_record_payment(
        actor=staff.desk, dossier=_processing(staff, tree, birth_registration), amount=8000
    )
    assert lifecycle.amount_owed(dossier) == 0
    dossier = services.dossier_request_financial_obligation(
        actor=staff.processor, dossier=dossier, content="Thuế", amount=50000
    )
    assert lifecycle.amount_owed(dossier) == 50000
    offered = _client(staff.desk).get(f"/api/v1/dossiers/{dossier.code}").json()
    assert "record_payment" in offered["available_actions"]
    dossier = services.dossier_record_payment(actor=staff.desk, dossier=dossier, amount=50000)
    assert lifecycle.amount_owed(dossier) == 0
    assert dossier.fee_amount == 8000  # an obligation is not a phí or lệ phí of the procedure
