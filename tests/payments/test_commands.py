"""`motcua payments order | show | reconcile`: the JSON shapes of the contract, the exit codes, and
reconciliation of a stand-in's statement with every kind of difference."""

import csv
import io
import json
import urllib.request
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.timeutil import LOCAL_TZ
from motcua.dossiers.models import Dossier
from motcua.payments.protocol import ProviderReport
from motcua.payments.services import payment_order_open, payment_report_apply
from tests.payments.conftest import receive, visit_pay_url


def run(*args) -> str:
    out = io.StringIO()
    call_command("payments", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_order_prints_the_contract_and_returns_the_open_order(dossier, settings):
    settings.MOTCUA_PAYMENT_GATEWAY_URL = "http://127.0.0.1:8765"
    data = json.loads(run("order", "--dossier", dossier.code, "--json"))
    assert set(data) == {"order_id", "dossier", "amount", "currency", "status", "pay_url"}
    assert data["dossier"] == dossier.code
    assert (data["amount"], data["currency"], data["status"]) == (8000, "VND", "pending")
    assert data["pay_url"].startswith("http://127.0.0.1:8765/pay?")
    again = json.loads(run("order", "--dossier", dossier.code, "--json"))
    assert again["order_id"] == data["order_id"]


@pytest.mark.django_db
def test_nothing_to_pay_and_unknown_dossier_exit_2(dossier, staff):
    from motcua.payments.services import payment_desk_record

    with pytest.raises(CommandError) as error:
        run("order", "--dossier", "KHONG-CO", "--json")
    assert error.value.returncode == 2 and "Không tìm thấy" in str(error.value)
    payment_desk_record(actor=staff.desk, dossier=dossier, method="cash")
    with pytest.raises(CommandError) as error:
        run("order", "--dossier", dossier.code, "--json")
    assert error.value.returncode == 2 and "nothing_to_pay" in str(error.value)


@pytest.mark.django_db
def test_show_prints_the_order_and_its_transactions(dossier):
    order = payment_order_open(dossier=dossier)
    payment_report_apply(
        provider="province",
        report=ProviderReport(
            order_id=order.order_id,
            transaction_id="TX1",
            amount=8000,
            currency="VND",
            status="paid",
            occurred_at=datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL_TZ),
        ),
    )
    data = json.loads(run("show", "--order", order.order_id, "--json"))
    assert data == {
        "order_id": order.order_id,
        "dossier": dossier.code,
        "status": "paid",
        "amount": 8000,
        "paid_amount": 8000,
        "transactions": [
            {
                "transaction_id": "TX1",
                "status": "paid",
                "amount": 8000,
                "occurred_at": "2026-12-02T10:00:00+07:00",
            }
        ],
    }
    with pytest.raises(CommandError) as error:
        run("show", "--order", "DHKHONGCO")
    assert error.value.returncode == 2


# --- reconciliation ------------------------------------------------------------------------------


def reconcile_json(path, *extra) -> tuple[int, dict]:
    out = io.StringIO()
    code = 0
    try:
        call_command("payments", "reconcile", str(path), "--json", *extra, stdout=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_reconcile_lists_every_kind_of_difference_and_apply_records_the_missed(
    standin, staff, tree, birth_registration, tmp_path
):
    def new_order(name):
        dossier = receive(staff=staff, tree=tree, procedure=birth_registration, name=name)
        order = payment_order_open(dossier=dossier)
        visit_pay_url(order)
        return order

    matching, missed, pending_here, amount_off, not_listed = (
        new_order(n) for n in ("A", "B", "C", "D", "E")
    )
    for order in (matching, amount_off, not_listed):
        standin.complete(order_id=order.order_id, outcome="paid")
    standin.behaviour.drop = True  # the callbacks of these two never arrive
    standin.complete(order_id=missed.order_id, outcome="paid")
    standin.complete(order_id=pending_here.order_id, outcome="paid")
    [txn] = standin.orders[pending_here.order_id]["transactions"]
    payment_report_apply(  # we only heard "pending" for this one
        provider="province",
        report=ProviderReport(
            order_id=pending_here.order_id,
            transaction_id=txn["transaction_id"],
            amount=8000,
            currency="VND",
            status="pending",
            occurred_at=txn["occurred_at"],
        ),
    )

    with urllib.request.urlopen(f"{standin.url}/_standin/statement.csv", timeout=10) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode())))
    rows = [r for r in rows if r["order_id"] != not_listed.order_id]
    for r in rows:
        if r["order_id"] == amount_off.order_id:
            r["amount"] = "9000"
    rows.append({**rows[0], "order_id": "DHKHONGCO", "transaction_id": "TXLA", "amount": "5000"})
    path = tmp_path / "bang-ke.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["order_id", "transaction_id", "amount", "status", "date"]
        )
        writer.writeheader()
        writer.writerows(rows)

    code, report = reconcile_json(path)
    assert code == 1
    kinds = {(d["kind"], d["order_id"]) for d in report["differences"]}
    assert kinds == {
        ("missing_here", missed.order_id),
        ("status_differs", pending_here.order_id),
        ("amount_differs", amount_off.order_id),
        ("missing_there", not_listed.order_id),
        ("unknown_order", "DHKHONGCO"),
    }
    assert report["checked"] == 5 and report["applied"] == 0
    assert Dossier.objects.get(pk=missed.dossier_id).fee_paid_amount == 0

    code, report = reconcile_json(path, "--apply")
    assert code == 1  # three differences no statement line can settle
    applied = {d["order_id"]: d["applied"] for d in report["differences"] if d["applied"]}
    assert applied == {missed.order_id: "recorded", pending_here.order_id: "recorded"}
    for order in (missed, pending_here):
        dossier = Dossier.objects.get(pk=order.dossier_id)
        assert dossier.fee_paid_amount == 8000
        assert dossier.events.filter(kind="payment_recorded").count() == 1
    # The amount that differs is never recorded from the statement.
    assert Dossier.objects.get(pk=amount_off.dossier_id).fee_paid_amount == 8000

    code, report = reconcile_json(path, "--apply")
    assert {d["kind"] for d in report["differences"]} == {
        "amount_differs",
        "missing_there",
        "unknown_order",
    }
    for order in (missed, pending_here):
        assert (
            Dossier.objects.get(pk=order.dossier_id).events.filter(kind="payment_recorded").count()
            == 1
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("order_id,amount\nX,1\n", "thiếu cột"),
        ("order_id,transaction_id,amount,status,date\nX,T,8000.5,paid,2026-12-02\n", "số nguyên"),
        ("order_id,transaction_id,amount,status,date\nX,T,8000,ok,2026-12-02\n", "trạng thái"),
        ("order_id,transaction_id,amount,status,date\nX,T,8000,paid,hôm qua\n", "ngày"),
    ],
)
def test_a_bad_statement_is_refused_whole_with_exit_2(tmp_path, content, message):
    path = tmp_path / "bang-ke.csv"
    path.write_text(content)
    with pytest.raises(CommandError) as error:
        run("reconcile", str(path))
    assert error.value.returncode == 2 and message in str(error.value)


@pytest.mark.django_db
def test_a_clean_statement_exits_0(tmp_path, dossier):
    order = payment_order_open(dossier=dossier)
    payment_report_apply(
        provider="province",
        report=ProviderReport(
            order_id=order.order_id,
            transaction_id="TX9",
            amount=8000,
            currency="VND",
            status="paid",
            occurred_at=datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL_TZ),
        ),
    )
    path = tmp_path / "bang-ke.csv"
    path.write_text(
        f"order_id,transaction_id,amount,status,date\n{order.order_id},TX9,8000,paid,2026-12-02T10:00:00+07:00\n"
    )
    out = run("reconcile", str(path))
    assert "0 khác biệt" in out


def test_the_standin_command_serves_with_the_behaviour_asked_for(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua", "payments", "standin", "--port", str(port),
         "--duplicates", "2", "--fail-then-succeed", "--delay", "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        assert "stand-in" in first and f"127.0.0.1:{port}" in first
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/_standin/behaviour", data=b"{}", method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            behaviour = json.loads(response.read())
        assert behaviour["duplicates"] == 2 and behaviour["fail_then_succeed"] is True
        assert behaviour["delay"] == 0.5 and behaviour["bad_signature"] is False
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


@pytest.mark.django_db
def test_refunds_list_the_second_capture_until_it_is_returned(dossier):
    order = payment_order_open(dossier=dossier)
    for txn in ("TX-1", "TX-2"):
        payment_report_apply(
            provider="province",
            report=ProviderReport(
                order_id=order.order_id,
                transaction_id=txn,
                amount=8000,
                currency="VND",
                status="paid",
                occurred_at=datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL_TZ),
            ),
        )
    [due] = json.loads(run("refunds", "--json"))
    assert (due["transaction_id"], due["amount"], due["dossier"]) == ("TX-2", 8000, dossier.code)
    assert "hoàn trả" in due["reason"]

    assert "TX-2" in run("refunded", "--transaction", "TX-2", "--reference", "HT-2")
    assert "TX-2" in run("refunded", "--transaction", "TX-2", "--reference", "HT-2")  # again: same
    assert json.loads(run("refunds", "--json")) == []
    # The second capture was never counted: the dossier keeps its one payment.
    assert Dossier.objects.get(pk=dossier.pk).fee_paid_amount == 8000
    order.refresh_from_db()
    assert order.status == "paid"

    # The counted capture returned too (say the dossier was withdrawn): the dossier's event takes
    # it back and the order is refunded; again, nothing more.
    for _ in range(2):
        assert "TX-1" in run("refunded", "--transaction", "TX-1", "--reference", "HT-1")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert (dossier.fee_paid_amount, dossier.paid_online) == (0, False)
    [event] = dossier.events.filter(kind="payment_refunded")
    assert event.payload["amount"] == 8000 and event.payload["online"] is True
    order.refresh_from_db()
    assert (order.status, order.paid_amount) == ("refunded", 0)
    with pytest.raises(CommandError) as error:  # a transaction that captured nothing
        run("refunded", "--transaction", "TX-404", "--reference", "HT-9")
    assert error.value.returncode == 2
