"""The lawful lifecycle of a dossier, action by action, as officers drive it."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from motcua.core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Channel, Dossier, DossierEvent, Outcome, State
from motcua.dossiers.projection import state_differences, state_fold, state_from_rows
from motcua.dossiers.services import Applicant, ReceivedComponent
from tests.conftest import handed_in, local

APPLICANT = Applicant(name="  Nguyễn   Văn An ", id_number="001099012345", phone="0912 345 678")


def assert_projection_matches_log(dossier: Dossier) -> None:
    fresh = Dossier.objects.get(pk=dossier.pk)
    folded = state_fold(list(fresh.events.order_by("seq")))
    assert state_differences(folded, state_from_rows(fresh, list(fresh.steps.all()))) == []


def receive(staff, tree, procedure, at=None, **kwargs):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=APPLICANT,
        at=at or local(2024, 2, 7, 10, 0),
        **{"components": handed_in(procedure), **kwargs},
    )


def test_receive_sets_code_promised_date_fee_and_first_step(staff, tree, birth_registration):
    dossier = receive(
        staff,
        tree,
        birth_registration,
        components=[
            ReceivedComponent(
                name="Tờ khai", component=birth_registration.components.first(), digitized=True
            )
        ],
        # The birth certificate is not there: the officer takes the dossier anyway, saying why.
        missing_components_reason="Bệnh viện chưa cấp giấy chứng sinh bản chính",
    )
    assert dossier.code == "11143-240207-0001"
    assert dossier.state == State.RECEIVED
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_phone == "0912345678"
    # 1 working day from Wed 7/2/2024 10:00 crosses Tết 2024 (8–14/2): Thu 15/2 10:00.
    assert dossier.due_at == local(2024, 2, 15, 10, 0)
    assert dossier.fee_amount == 8000
    assert dossier.current_role == "desk_officer"
    event = dossier.events.get()
    assert (event.kind, event.from_state, event.to_state, event.actor_id) == (
        "received",
        None,
        2,
        staff.desk.pk,
    )
    assert event.payload["components"][0]["digitized"] is True
    assert dossier.documents.count() == 1
    step = dossier.steps.get()
    assert step.due_at == local(2024, 2, 7, 11, 0)  # default template: 1/8 of the limit at the desk
    assert_projection_matches_log(dossier)


def test_full_journey_with_supplement_pauses_the_clock(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    assert (dossier.state, dossier.current_role) == (State.PROCESSING, "processor")
    dossier = services.dossier_request_supplement(
        actor=staff.processor,
        dossier=dossier,
        content="Thiếu giấy chứng sinh",
        at=local(2024, 2, 7, 11, 0),
    )
    assert dossier.state == State.SUPPLEMENT_REQUESTED
    assert dossier.supplement_count == 1
    assert dossier.remaining_seconds == 7 * 3600  # one hour of the 8 was used
    assert dossier.clock_paused_at == local(2024, 2, 7, 11, 0)
    # The applicant takes a week (Tết included): none of it counts.
    dossier = services.dossier_receive_supplement(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 15, 8, 0)
    )
    assert dossier.state == State.PROCESSING
    assert dossier.due_at == local(2024, 2, 15, 16, 30)
    assert dossier.clock_paused_at is None
    assert dossier.current_role == "processor"
    event = dossier.events.get(kind="supplement_received")
    assert event.payload["previous_due_at"].startswith("2024-02-15T10:00")
    assert event.payload["new_due_at"].startswith("2024-02-15T16:30")
    dossier = services.dossier_forward(
        actor=staff.processor, dossier=dossier, at=local(2024, 2, 15, 9, 0)
    )
    assert dossier.current_role == "leader"
    dossier = services.dossier_resolve(
        actor=staff.leader,
        dossier=dossier,
        result_summary="Giấy khai sinh",
        at=local(2024, 2, 15, 10, 0),
    )
    assert (dossier.state, dossier.outcome) == (State.RESOLVED, Outcome.GRANTED)
    assert dossier.ended_at == local(2024, 2, 15, 10, 0)
    assert dossier.current_role == "desk_officer"
    dossier = services.dossier_return_result(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 15, 11, 0)
    )
    assert dossier.state == State.RETURNED
    assert dossier.returned_at == local(2024, 2, 15, 11, 0)
    kinds = list(dossier.events.order_by("seq").values_list("kind", flat=True))
    assert kinds == [
        "received",
        "forwarded",
        "supplement_requested",
        "supplement_received",
        "forwarded",
        "resolved",
        "result_returned",
    ]
    steps = list(dossier.steps.order_by("seq"))
    assert [s.role for s in steps] == [
        "desk_officer",
        "processor",
        "desk_officer",
        "processor",
        "leader",
        "desk_officer",
    ]
    assert (
        steps[2].due_at is None and steps[2].on_time is None
    )  # the applicant's time has no deadline
    assert all(s.finished_at is not None for s in steps)
    assert_projection_matches_log(dossier)


def test_late_step_is_recorded_on_the_control_slip(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 13, 30)
    )
    first = dossier.steps.get(seq=1)
    assert first.finished_at == local(2024, 2, 7, 13, 30)
    assert first.on_time is False
    assert first.finished_by_id == staff.desk.pk


def test_online_submission_waits_for_acceptance(staff, tree, birth_registration):
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=APPLICANT,
        at=local(2024, 3, 1, 20, 0),
    )
    assert dossier.state == State.SUBMITTED_ONLINE
    assert dossier.channel == Channel.ONLINE
    assert dossier.received_at is None and dossier.due_at is None
    assert dossier.events.get().actor is None
    dossier = services.dossier_accept(actor=staff.desk, dossier=dossier, at=local(2024, 3, 4, 8, 0))
    assert dossier.state == State.RECEIVED
    assert dossier.received_at == local(2024, 3, 4, 8, 0)
    assert dossier.due_at == local(2024, 3, 5, 8, 0)


def test_not_accepting_an_online_submission_needs_a_reason(staff, tree, birth_registration):
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=APPLICANT,
        components=handed_in(birth_registration),
    )
    with pytest.raises(ValidationFailed) as error:
        services.dossier_not_accept(actor=staff.desk, dossier=dossier, reason="   ")
    assert error.value.code == "reason_required"
    assert "lý do" in error.value.message
    dossier = services.dossier_not_accept(actor=staff.desk, dossier=dossier, reason="Sai thủ tục")
    assert (dossier.state, dossier.outcome) == (State.NOT_ACCEPTED, Outcome.NOT_ACCEPTED)
    assert dossier.events.get(kind="not_accepted").payload["reason"] == "Sai thủ tục"


def test_illegal_transition_is_refused_in_vietnamese_and_writes_nothing(
    staff, tree, birth_registration
):
    dossier = receive(staff, tree, birth_registration)
    with pytest.raises(InvalidTransition) as error:
        services.dossier_return_result(
            actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 11, 0)
        )
    assert error.value.code == "invalid_transition"
    assert "Không thể trả kết quả" in error.value.message
    assert "Đã tiếp nhận" in error.value.message
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED


def test_officer_of_another_commune_cannot_act(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    with pytest.raises(PermissionDenied) as error:
        services.dossier_forward(
            actor=staff.other_desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
        )
    assert "không có quyền" in error.value.message
    with pytest.raises(PermissionDenied):
        services.dossier_receive(
            actor=staff.desk, unit=tree.cong_lac, procedure=birth_registration, applicant=APPLICANT
        )
    # A supervisor sees the district's figures but does not act on dossiers.
    with pytest.raises(PermissionDenied):
        services.dossier_forward(
            actor=staff.supervisor, dossier=dossier, at=local(2024, 2, 7, 10, 30)
        )
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == 1


def test_only_a_leader_resolves(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    with pytest.raises(PermissionDenied):
        services.dossier_resolve(
            actor=staff.processor, dossier=dossier, result_summary="x", at=local(2024, 2, 7, 11)
        )


def test_stale_form_is_refused(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    seen = dossier.last_event_seq
    services.dossier_forward(
        actor=staff.desk, dossier=dossier, expected_version=seen, at=local(2024, 2, 7, 10, 30)
    )
    with pytest.raises(StaleVersion) as error:
        services.dossier_request_supplement(
            actor=staff.processor,
            dossier=dossier,
            content="x",
            expected_version=seen,
            at=local(2024, 2, 7, 11),
        )
    assert "người khác cập nhật" in error.value.message
    assert Dossier.objects.get(pk=dossier.pk).state == State.PROCESSING


def test_the_portals_confirmation_does_not_make_an_open_form_stale(staff, tree, birth_registration):
    """The sync worker's `portal_synced` arrives while the desk officer still has the page open:
    the form stays good; any other event after it still makes it stale."""
    dossier = receive(staff, tree, birth_registration)
    seen = dossier.last_event_seq
    services.dossier_mark_synced(dossier=dossier, at=local(2024, 2, 7, 10, 1), receipt="R-1")
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == seen + 1
    forwarded = services.dossier_forward(
        actor=staff.desk, dossier=dossier, expected_version=seen, at=local(2024, 2, 7, 10, 30)
    )
    assert forwarded.state == State.PROCESSING
    for stale in (seen, seen + 1):  # the forward is a real change; a version from the future too
        with pytest.raises(StaleVersion):
            services.dossier_request_supplement(
                actor=staff.processor,
                dossier=dossier,
                content="x",
                expected_version=stale,
                at=local(2024, 2, 7, 11),
            )
    with pytest.raises(StaleVersion):
        services.dossier_request_supplement(
            actor=staff.processor,
            dossier=dossier,
            content="x",
            expected_version=forwarded.last_event_seq + 1,
            at=local(2024, 2, 7, 11),
        )


def test_event_time_cannot_go_backwards(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    with pytest.raises(ValidationFailed) as error:
        services.dossier_forward(actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 9, 0))
    assert error.value.code == "event_time_before_last"


def test_second_supplement_request_is_counted(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    for day in (15, 19):
        dossier = services.dossier_request_supplement(
            actor=staff.processor,
            dossier=dossier,
            content="Thiếu giấy tờ",
            at=local(2024, 2, day, 8, 0),
        )
        dossier = services.dossier_receive_supplement(
            actor=None, dossier=dossier, at=local(2024, 2, day, 9, 0)
        )
    assert dossier.supplement_count == 2
    second = dossier.events.filter(kind="supplement_requested").order_by("seq").last()
    assert second.payload["repeated"] is True
    assert_projection_matches_log(dossier)


def test_apology_moves_the_date_once(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    with pytest.raises(ValidationFailed) as error:
        services.dossier_apologise(
            actor=staff.processor,
            dossier=dossier,
            new_due_at=local(2024, 2, 15, 9, 0),
            reason="Chậm",
            at=local(2024, 2, 7, 11),
        )
    assert error.value.code == "new_due_invalid"
    with pytest.raises(ValidationFailed) as error:
        services.dossier_apologise(
            actor=staff.processor,
            dossier=dossier,
            new_due_at=local(2024, 2, 17, 9, 0),
            reason="Chậm",
            at=local(2024, 2, 7, 11),
        )
    assert error.value.code == "new_due_not_working_time"  # a Saturday
    dossier = services.dossier_apologise(
        actor=staff.processor,
        dossier=dossier,
        new_due_at=local(2024, 2, 20, 17, 0),
        reason="Chờ xác minh",
        at=local(2024, 2, 7, 11),
    )
    assert dossier.due_at == local(2024, 2, 20, 17, 0)
    assert dossier.first_due_at == local(2024, 2, 15, 10, 0)
    assert dossier.apology_count == 1
    with pytest.raises(InvalidTransition) as error:
        services.dossier_apologise(
            actor=staff.processor,
            dossier=dossier,
            new_due_at=local(2024, 2, 22, 9, 0),
            reason="Lần nữa",
            at=local(2024, 2, 7, 11, 5),
        )
    assert error.value.code == "apology_once"
    assert_projection_matches_log(dossier)


def test_transfer_to_another_unit_and_back(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = services.dossier_transfer(
        actor=staff.processor,
        dossier=dossier,
        to_unit=tree.justice,
        working_hours=4,
        at=local(2024, 2, 7, 11, 0),
    )
    assert dossier.current_unit == tree.justice
    assert dossier.unit == tree.tien_dong  # the dossier keeps the unit it was filed with
    step = dossier.steps.order_by("seq").last()
    assert step.unit == tree.justice and step.due_at == local(2024, 2, 7, 16, 30)
    dossier = services.dossier_transfer(
        actor=staff.justice_processor,
        dossier=dossier,
        to_unit=tree.tien_dong,
        at=local(2024, 2, 7, 15, 0),
    )
    assert dossier.current_unit == tree.tien_dong
    assert_projection_matches_log(dossier)


@pytest.mark.parametrize(
    ("action", "actor_name", "outcome", "state"),
    [
        (services.dossier_stop, "processor", Outcome.STOPPED, State.STOPPED),
        (services.dossier_reject, "leader", Outcome.REJECTED, State.RESOLVED),
        (services.dossier_withdraw, "desk", Outcome.WITHDRAWN, State.WITHDRAWN),
    ],
)
def test_ending_actions(staff, tree, birth_registration, action, actor_name, outcome, state):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = action(
        actor=getattr(staff, actor_name),
        dossier=dossier,
        reason="Lý do cụ thể",
        at=local(2024, 2, 7, 11),
    )
    assert (dossier.state, dossier.outcome) == (state, outcome)
    assert dossier.ended_at == local(2024, 2, 7, 11)
    if outcome == Outcome.REJECTED:
        assert dossier.rejected_at == local(2024, 2, 7, 11)
        assert (
            dossier.current_role == "desk_officer"
        )  # the refusal letter goes back through the desk
    with pytest.raises(InvalidTransition):
        services.dossier_forward(actor=staff.leader, dossier=dossier, at=local(2024, 2, 7, 11, 30))
    assert_projection_matches_log(dossier)


def test_applicant_may_withdraw_online(staff, tree, birth_registration):
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=APPLICANT,
        components=handed_in(birth_registration),
    )
    dossier = services.dossier_withdraw(actor=None, dossier=dossier, reason="Nộp nhầm")
    assert dossier.state == State.WITHDRAWN
    assert dossier.events.order_by("seq").last().actor_name == "Người nộp hồ sơ"


def test_financial_obligation_pauses_like_a_supplement(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = services.dossier_request_financial_obligation(
        actor=staff.processor,
        dossier=dossier,
        content="Nộp thuế",
        amount=50000,
        at=local(2024, 2, 7, 11),
    )
    assert dossier.state == State.FINANCIAL_OBLIGATION and dossier.clock_paused_at is not None
    dossier = services.dossier_fulfil_financial_obligation(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 16, 8)
    )
    assert dossier.state == State.PROCESSING
    assert dossier.due_at == local(2024, 2, 16, 16, 30)
    assert dossier.supplement_count == 0


def test_payment_callback_twice_counts_once(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    for _ in range(2):
        dossier = services.dossier_record_payment(
            actor=None,
            dossier=dossier,
            amount=8000,
            online=True,
            reference="VNPT-123",
            at=local(2024, 2, 7, 10, 5),
        )
    assert dossier.fee_paid_amount == 8000
    assert dossier.paid_online is True
    assert dossier.events.filter(kind="payment_recorded").count() == 1
    # A payment at the desk is not something a caller without an officer may record.
    with pytest.raises(PermissionDenied):
        services.dossier_record_payment(actor=None, dossier=dossier, amount=1000, online=False)


@pytest.mark.parametrize(
    ("applicant", "code"),
    [
        (Applicant(name=""), "applicant_name_required"),
        (Applicant(name="A", id_number="12/34"), "applicant_id_number_invalid"),
        (Applicant(name="A", phone="abc"), "applicant_phone_invalid"),
        (Applicant(name="A", email="a@"), "applicant_email_invalid"),
    ],
)
def test_bad_applicant_data_is_refused_and_nothing_is_written(
    staff, tree, birth_registration, applicant, code
):
    with pytest.raises(ValidationFailed) as error:
        services.dossier_receive(
            actor=staff.desk, unit=tree.tien_dong, procedure=birth_registration, applicant=applicant
        )
    assert error.value.code == code
    assert Dossier.objects.count() == 0
    # The number the failed intake drew is given back: the next dossier is still 0001.
    dossier = receive(staff, tree, birth_registration, at=local(2024, 2, 7, 10, 0))
    assert dossier.code.endswith("-0001")


def test_events_are_append_only(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    event = dossier.events.get()
    event.kind = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_events_rebuild_reports_and_fixes_a_tampered_row(staff, tree, birth_registration, capsys):
    dossier = receive(staff, tree, birth_registration)
    services.dossier_forward(actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30))
    call_command("events", "rebuild")
    assert "0 hồ sơ sai khác" in capsys.readouterr().out
    Dossier.objects.filter(pk=dossier.pk).update(state=State.RETURNED, due_at=local(2030, 1, 1, 8))
    with pytest.raises(Exception) as error:
        call_command("events", "rebuild")
    assert "không khớp" in str(error.value)
    out = capsys.readouterr().out
    assert "state: nhật ký=4 bảng=10" in out
    call_command("events", "rebuild", "--fix")
    fixed = Dossier.objects.get(pk=dossier.pk)
    assert fixed.state == State.PROCESSING and fixed.due_at == local(2024, 2, 15, 10, 0)
    assert_projection_matches_log(fixed)


def test_received_after_hours_starts_next_working_morning(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration, at=local(2024, 4, 26, 18, 0))
    # Fri 26/4 evening → Mon 29/4 (swapped day off), Tue 30/4, Wed 1/5 holidays → Thu 2/5.
    assert dossier.due_at == local(2024, 5, 2, 17, 0) - timedelta(0)


def test_import_upsert_is_idempotent_and_logged(tree, birth_registration):
    fields = {
        "code": "000.00.30.H23-230105-0001",
        "unit_id": tree.tien_dong.pk,
        "procedure_id": birth_registration.pk,
        "channel": Channel.ONLINE,
        "state": State.RETURNED,
        "applicant_name": "Đỗ Thị G",
        "received_at": local(2023, 1, 5, 8),
        "due_at": local(2023, 1, 6, 8),
        "ended_at": local(2023, 1, 5, 15),
        "fee_amount": 8000,
        "paid_online": True,
    }
    dossier, outcome = services.dossier_import_upsert(
        fields=fields, record={"DanhSachLePhi": [{"Gia": 8000}]}
    )
    assert outcome == "created"
    assert dossier.current_unit == tree.tien_dong
    assert (
        services.dossier_import_upsert(fields=fields, record={"DanhSachLePhi": [{"Gia": 8000}]})[1]
        == "unchanged"
    )
    dossier, outcome = services.dossier_import_upsert(fields={**fields, "paid_online": False})
    assert outcome == "updated"
    assert dossier.paid_online is False
    assert list(dossier.events.values_list("kind", "from_state", "to_state")) == [
        ("imported", None, 10),
        ("imported", 10, 10),
    ]
    assert_projection_matches_log(dossier)
    with pytest.raises(ValidationFailed) as error:
        services.dossier_import_upsert(fields={**fields, "ended_at": local(2023, 1, 4, 8)})
    assert error.value.code == "import_end_before_receipt"


def test_stop_while_waiting_for_the_applicant_is_not_late(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = services.dossier_request_supplement(
        actor=staff.processor, dossier=dossier, content="Thiếu", at=local(2024, 2, 7, 11)
    )
    dossier = services.dossier_stop(
        actor=staff.processor, dossier=dossier, reason="Không bổ sung", at=local(2024, 3, 15, 9)
    )
    # Seven working hours were left when the clock stopped; they count from the stop:
    # Fri 15/3 9:00–11:30 and 13:00–17:00 (6.5 h), then Mon 18/3 7:30–8:00.
    assert dossier.due_at == local(2024, 3, 18, 8, 0)
    assert dossier.ended_at <= dossier.due_at
    assert_projection_matches_log(dossier)


def test_forward_after_a_transfer_resumes_the_template(staff, tree, birth_registration):
    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    dossier = services.dossier_transfer(
        actor=staff.processor, dossier=dossier, to_unit=tree.justice, at=local(2024, 2, 7, 11)
    )
    dossier = services.dossier_forward(
        actor=staff.justice_processor, dossier=dossier, at=local(2024, 2, 7, 14)
    )
    # The next template step is the leader's, back in the commune that received the dossier.
    assert (dossier.current_role, dossier.current_unit) == ("leader", tree.tien_dong)


def test_a_dossier_is_not_transferred_or_forwarded_to_a_unit_that_has_ended(
    staff, tree, birth_registration
):
    from datetime import date

    from motcua.core.errors import ValidationFailed
    from motcua.units.models import Unit

    dossier = receive(staff, tree, birth_registration)
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 2, 7, 10, 30)
    )
    Unit.objects.filter(pk=tree.justice.pk).update(valid_to=date(2024, 2, 6))
    tree.justice.refresh_from_db()
    version = dossier.last_event_seq
    for act in (
        lambda: services.dossier_transfer(
            actor=staff.processor,
            dossier=dossier,
            to_unit=tree.justice,
            at=local(2024, 2, 7, 11, 0),
        ),
        lambda: services.dossier_forward(
            actor=staff.processor,
            dossier=dossier,
            to_unit=tree.justice,
            at=local(2024, 2, 7, 11, 0),
        ),
    ):
        with pytest.raises(ValidationFailed) as error:
            act()
        assert error.value.code == "unit_not_current"
        assert "không có hiệu lực vào ngày 07/02/2024" in str(error.value)
    dossier.refresh_from_db()
    assert dossier.last_event_seq == version  # nothing written
    # In force through that day: the same transfer is taken.
    Unit.objects.filter(pk=tree.justice.pk).update(valid_to=date(2024, 2, 7))
    tree.justice.refresh_from_db()
    moved = services.dossier_transfer(
        actor=staff.processor, dossier=dossier, to_unit=tree.justice, at=local(2024, 2, 7, 11, 0)
    )
    assert moved.current_unit == tree.justice
