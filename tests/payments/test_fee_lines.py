"""Fee lines: from the fee schedule at receipt (every door), from a financial obligation's
amount; what is owed; the export's DuocThanhToanTrucTuyen flag."""

import pytest

from motcua.catalog.models import Fee
from motcua.catalog.services import procedure_upsert
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.payments.models import FeeLine
from motcua.payments.selectors import (
    dossier_amount_owed,
    dossier_fee_total,
    dossier_online_payment_flag,
    fee_lines,
)
from motcua.payments.services import (
    fee_kind_of,
    fee_lines_create_for_dossier,
    payment_desk_record,
    payment_order_open,
)
from tests.conftest import handed_in
from tests.payments.conftest import receive
from tests.portal.conftest import submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def land_procedure(db):
    procedure, _ = procedure_upsert(
        code="1.004227",
        name="Đăng ký biến động đất đai",
        field_name="Đất đai",
        level="commune",
        time_limit_value=10,
        online_level="full",
        fees=[
            {"code": "LP01", "name": "Lệ phí cấp giấy chứng nhận", "amount": 100000},
            {"code": "P02", "name": "Phí thẩm định hồ sơ", "amount": 250000},
        ],
        components=[{"code": "TP1", "name": "Đơn đăng ký"}],
    )
    return procedure


def test_the_desk_receipt_copies_the_schedule(staff, tree, land_procedure):
    dossier = receive(staff=staff, tree=tree, procedure=land_procedure)
    lines = fee_lines(dossier=dossier)
    assert [(x.code, x.name, x.amount, x.kind) for x in lines] == [
        ("LP01", "Lệ phí cấp giấy chứng nhận", 100000, "le_phi"),
        ("P02", "Phí thẩm định hồ sơ", 250000, "phi"),
    ]
    assert dossier_amount_owed(dossier=dossier) == 350000


def test_an_online_dossier_gets_its_lines_when_accepted(staff, tree, land_procedure):
    dossier = submit_online(unit=tree.tien_dong, procedure=land_procedure)
    assert fee_lines(dossier=dossier) == []
    services.dossier_accept(actor=staff.desk, dossier=dossier)
    assert sum(x.amount for x in fee_lines(dossier=dossier)) == 350000


def test_creating_twice_adds_nothing_and_later_schedule_edits_do_not_reach_it(
    staff, tree, land_procedure
):
    dossier = receive(staff=staff, tree=tree, procedure=land_procedure)
    Fee.objects.filter(code="P02").update(amount=999999)
    fee_lines_create_for_dossier(dossier=dossier)
    assert FeeLine.objects.filter(dossier=dossier).count() == 2
    assert dossier_fee_total(dossier=dossier) == 350000


def test_a_schedule_that_no_longer_adds_up_leaves_one_line_of_the_recorded_fee(
    staff, tree, land_procedure
):
    dossier = receive(staff=staff, tree=tree, procedure=land_procedure)
    FeeLine.objects.filter(dossier=dossier).delete()
    Fee.objects.filter(code="P02").update(amount=1)
    [line] = fee_lines_create_for_dossier(dossier=dossier)
    assert line.amount == Dossier.objects.get(pk=dossier.pk).fee_amount == 350000


def test_a_financial_obligation_adds_a_line_to_pay(staff, tree, birth_registration):
    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    dossier = services.dossier_forward(actor=staff.desk, dossier=dossier)
    services.dossier_request_financial_obligation(
        actor=staff.processor, dossier=dossier, content="Nộp tiền sử dụng đất", amount=1500000
    )
    lines = fee_lines(dossier=dossier)
    assert [(x.source, x.name, x.amount) for x in lines] == [
        ("schedule", "Lệ phí đăng ký khai sinh", 8000),
        ("obligation", "Nộp tiền sử dụng đất", 1500000),
    ]
    assert dossier_amount_owed(dossier=Dossier.objects.get(pk=dossier.pk)) == 1508000
    order = payment_order_open(dossier=dossier)
    assert order.amount == 1508000


def test_an_obligation_without_amount_adds_nothing(staff, tree, birth_registration):
    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    dossier = services.dossier_forward(actor=staff.desk, dossier=dossier)
    services.dossier_request_financial_obligation(
        actor=staff.processor, dossier=dossier, content="Nộp thuế thu nhập"
    )
    assert FeeLine.objects.filter(dossier=dossier).count() == 1


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Lệ phí đăng ký khai sinh", "le_phi"),
        ("Phí thẩm định", "phi"),
        ("PHÍ khai thác dữ liệu", "phi"),
        ("Tiền sử dụng đất", "le_phi"),
        ("Phíthẩm", "le_phi"),
    ],
)
def test_fee_kind_from_name(name, kind):
    assert fee_kind_of(name=name) == kind


def test_nothing_to_pay_is_a_clear_error(staff, tree, birth_registration):
    free, _ = procedure_upsert(
        code="2.000001",
        name="Chứng thực bản sao",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
        online_level="full",
        fees=[],
        components=[],
    )
    dossier = receive(staff=staff, tree=tree, procedure=free)
    with pytest.raises(ValidationFailed) as error:
        payment_order_open(dossier=dossier)
    assert error.value.code == "nothing_to_pay"
    assert dossier_online_payment_flag(dossier=dossier) == "0"


def test_desk_payments_need_a_transfer_reference_and_the_desk_role(staff, tree, birth_registration):
    from motcua.core.errors import InvalidTransition, PermissionDenied

    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    with pytest.raises(ValidationFailed) as error:
        payment_desk_record(actor=staff.desk, dossier=dossier, method="transfer")
    assert error.value.code == "transfer_reference_required"
    with pytest.raises(ValidationFailed):
        payment_desk_record(actor=staff.desk, dossier=dossier, method="cash", amount=9000)
    with pytest.raises(PermissionDenied):
        payment_desk_record(actor=staff.processor, dossier=dossier, method="cash")
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 0

    first = payment_desk_record(
        actor=staff.desk, dossier=dossier, method="transfer", reference="VCB123"
    )
    again = payment_desk_record(
        actor=staff.desk, dossier=dossier, method="transfer", reference="VCB123"
    )
    assert first.pk == again.pk and first.amount == 8000
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.fee_paid_amount == 8000 and not dossier.paid_online
    assert dossier.events.filter(kind="payment_recorded").count() == 1
    assert dossier_online_payment_flag(dossier=dossier) == "0"
    # Pay only what is owed: the lifecycle's rule, as every door refuses it.
    with pytest.raises(InvalidTransition) as error:
        payment_desk_record(actor=staff.desk, dossier=dossier, method="cash")
    assert error.value.code == "fee_nothing_owed"


def test_partial_desk_payment_leaves_the_rest_owed(staff, tree, birth_registration):
    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    payment_desk_record(actor=staff.desk, dossier=dossier, method="card", amount=3000)
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier_amount_owed(dossier=dossier) == 5000
    assert dossier_online_payment_flag(dossier=dossier) == "3"
    assert payment_order_open(dossier=dossier).amount == 5000


def test_the_desk_intake_fee_counts_too(staff, tree, birth_registration):
    from motcua.desk.services import desk_intake
    from motcua.dossiers.services import Applicant

    dossier = desk_intake(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Lê C"),
        components=handed_in(birth_registration),
        fee_collected=True,
    )
    assert dossier_amount_owed(dossier=dossier) == 0
    with pytest.raises(ValidationFailed):
        payment_order_open(dossier=dossier)


def test_an_open_order_is_returned_again_and_replaced_when_the_amount_changes(
    staff, tree, birth_registration
):
    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    first = payment_order_open(dossier=dossier)
    assert payment_order_open(dossier=dossier).pk == first.pk
    payment_desk_record(actor=staff.desk, dossier=dossier, method="cash", amount=2000)
    second = payment_order_open(dossier=Dossier.objects.get(pk=dossier.pk))
    first.refresh_from_db()
    assert second.pk != first.pk and second.amount == 6000
    assert first.status == "expired"


def test_an_imported_dossier_paid_online_without_orders_flags_the_national_platform(
    staff, tree, birth_registration
):
    dossier = receive(staff=staff, tree=tree, procedure=birth_registration)
    Dossier.objects.filter(pk=dossier.pk).update(fee_paid_amount=8000, paid_online=True)
    assert dossier_online_payment_flag(dossier=Dossier.objects.get(pk=dossier.pk)) == "1"
