"""DuocThanhToanTrucTuyen in the export: "1" paid through the national platform, "2" through the
province's gateway, "3" a fee owed and unpaid; desk payments are not online. Read back, the rates
count exactly the dossiers flagged 1 or 2, and a second export gives the same lines."""

import io
import json
from datetime import timedelta

import pytest

from motcua.catalog.services import procedure_upsert
from motcua.core.timeutil import now as local_now
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.indicators.selectors import rates_for
from motcua.interchange.services import interchange_export, interchange_import
from motcua.payments.protocol import ProviderReport
from motcua.payments.selectors import (
    dossier_online_payment_flag,
    online_payment_flag,
    payment_reference,
)
from motcua.payments.services import payment_desk_record, payment_order_open, payment_report_apply
from motcua.scorecard.selectors import scorecard_drilldown, scorecard_sets
from motcua.units.models import Unit
from tests.interchange.test_roundtrip import empty_database
from tests.payments.conftest import receive

pytestmark = pytest.mark.django_db

TODAY = local_now().date()
START, END = TODAY - timedelta(days=30), TODAY + timedelta(days=1)


def flags(text: str) -> dict[str, str | None]:
    return {
        line["MaHoSo"]: line.get("DuocThanhToanTrucTuyen")
        for line in map(json.loads, text.splitlines())
        if line["kind"] == "dossier"
    }


def export(unit) -> str:
    out = io.StringIO()
    interchange_export(unit=unit, start=START, end=END, out=out)
    return out.getvalue()


@pytest.fixture
def dossiers(staff, tree, birth_registration, settings):
    settings.MOTCUA_PAYMENT_GATEWAY_SECRET = "bi-mat"
    made = {}
    made["province"] = receive(staff=staff, tree=tree, procedure=birth_registration)
    order = payment_order_open(dossier=made["province"])  # the province's start is offline
    payment_report_apply(
        provider="province",
        report=ProviderReport(
            order_id=order.order_id,
            transaction_id="TX-TINH-1",
            amount=order.amount,
            currency="VND",
            status="paid",
            occurred_at=local_now(),
        ),
    )
    made["national"] = receive(staff=staff, tree=tree, procedure=birth_registration)
    services.dossier_record_payment(
        actor=None,
        dossier=made["national"],
        amount=8000,
        online=True,
        reference=payment_reference(provider="national", transaction_id="GD-QG-1"),
    )
    made["unpaid"] = receive(staff=staff, tree=tree, procedure=birth_registration)
    made["desk"] = receive(staff=staff, tree=tree, procedure=birth_registration)
    payment_desk_record(actor=staff.desk, dossier=made["desk"], method="cash")
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
    made["free"] = receive(staff=staff, tree=tree, procedure=free)
    return {key: Dossier.objects.get(pk=d.pk) for key, d in made.items()}


def test_the_flag_rule():
    assert online_payment_flag(paid_online=True, owed=0, provider="province") == "2"
    assert online_payment_flag(paid_online=True, owed=0, provider="national") == "1"
    # Paid online before we knew the provider (an import): the national platform.
    assert online_payment_flag(paid_online=True, owed=0, provider=None) == "1"
    assert online_payment_flag(paid_online=False, owed=5000, provider=None) == "3"
    assert online_payment_flag(paid_online=False, owed=0, provider=None) == "0"


def test_export_writes_1_2_3_and_reads_back_exactly(dossiers, tree):
    expected = {"province": "2", "national": "1", "unpaid": "3", "desk": "0", "free": None}
    for key, value in expected.items():
        assert dossier_online_payment_flag(dossier=dossiers[key]) == (value or "0")
    district = tree.district
    rates_before = rates_for(unit=district, start=START, end=END)["online_payment"]
    # Paid online: the gateway's and the platform's; the desk's is not online; the free one has no fee.
    assert (rates_before.numerator, rates_before.denominator) == (2, 4)
    # The scorecard's indicator (Decision 766, 3.6) reads the same rule.
    behind = scorecard_drilldown(
        unit=district, start=START, end=END, indicator="payment_dossiers", version="portal-2024"
    )
    assert {d.code for d in behind if d.in_numerator} == {
        dossiers["province"].code,
        dossiers["national"].code,
    }
    # …and so does qd766's (flag 1 or 2).
    sets = scorecard_sets(unit=district, start=START, end=END, indicator="3.6")
    assert {d.code for d in sets.numerator} == {
        dossiers["province"].code,
        dossiers["national"].code,
    }

    text = export(district)
    assert flags(text) == {dossiers[key].code: value for key, value in expected.items()}

    empty_database()
    report = interchange_import(stream=io.StringIO(text), strict=True)
    assert report.rejected == 0, report.errors
    paid = dict(Dossier.objects.values_list("code", "paid_online"))
    assert {code for code, value in paid.items() if value} == {
        dossiers["province"].code,
        dossiers["national"].code,
    }
    district = Unit.objects.get(code=district.code)
    rates_after = rates_for(unit=district, start=START, end=END)["online_payment"]
    assert (rates_after.numerator, rates_after.denominator) == (2, 4)
    assert flags(export(district)) == flags(text)
