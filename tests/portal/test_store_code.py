"""The one-time code that opens a citizen's document store on the filing page: where it goes (the
contact on record, never one typed now), what is kept (a hash), how long it works, how often one
may ask or guess, and the filing that reuses a held document."""

from datetime import timedelta

import hypothesis
import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult
from hypothesis import strategies as st

from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.core.models import FailureCount
from motcua.digitization.models import HeldDocument
from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.notifications import services as notify
from motcua.notifications.models import MessageKind, Notification, NotificationStatus
from motcua.portal.models import StoreCode
from motcua.portal.selectors import store_contact_on_record
from motcua.portal.services import (
    portal_dossier_submit,
    store_code_send,
    store_code_verify,
    store_codes_sweep,
)
from tests.portal.conftest import ID_NUMBER, PDF, RECORDED_PHONE, code_sent_in

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _channels(settings):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email", "sms"]
    settings.MOTCUA_SMS_BACKEND = "log"


def send(number=ID_NUMBER, ip=IP):
    return store_code_send(id_number=number, ip=ip)


def the_code(sent) -> str:
    return code_sent_in(Notification.objects.get(reference=f"store-code:{sent.code_id}"))


# --- where the code goes ---------------------------------------------------------------------


def test_the_contact_is_the_one_on_the_dossier_the_desk_took(held_certificate):
    contact = store_contact_on_record(id_number=ID_NUMBER)
    assert (contact.channel, contact.address) == ("sms", RECORDED_PHONE)
    assert store_contact_on_record(id_number="001088000111") is None


def test_an_unaccepted_online_dossier_never_gives_the_contact(
    tree, birth_registration, held_certificate
):
    tp1, tp2 = birth_registration.components.order_by("code")
    intruder = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Kẻ mạo danh", id_number=ID_NUMBER, phone="0900000001"),
        components=[
            services.ReceivedComponent(
                "Tờ khai", component=tp1, file=ContentFile(PDF, name="a.pdf")
            ),
            services.ReceivedComponent("", component=tp2, held_id=held_certificate.pk),
        ],
    )
    assert intruder.received_at is None
    # Even pointing the held document's source at it changes nothing: not taken by the desk.
    HeldDocument.objects.filter(pk=held_certificate.pk).update(
        source_document=intruder.documents.first()
    )
    assert store_contact_on_record(id_number=ID_NUMBER) is None


def test_email_when_text_messages_are_off(settings, held_certificate):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email"]
    contact = store_contact_on_record(id_number=ID_NUMBER)
    assert (contact.channel, contact.address) == ("email", "hoa.cu@example.vn")


# --- sending ---------------------------------------------------------------------------------


def test_a_code_is_sent_to_the_recorded_phone_and_only_its_hash_kept(
    held_certificate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        sent = send()
    row = StoreCode.objects.get(pk=sent.code_id)
    message = Notification.objects.get(kind=MessageKind.STORE_CODE)
    code = code_sent_in(message)
    assert message.address == RECORDED_PHONE and message.channel == "sms"
    assert (row.channel, row.address_masked) == ("sms", message.address_masked)
    assert code not in (row.code_hash, row.salt) and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    # Queued for the worker in the code's own transaction (the database queue), nothing on commit.
    assert queued == []
    task = DBTaskResult.objects.get(task_path__endswith=".notification_send")
    assert task.args_kwargs["kwargs"] == {"notification_id": message.pk}
    # Handed over: the code is blanked from the message.
    notify.notification_send(notification_id=message.pk)
    message.refresh_from_db()
    assert message.status == NotificationStatus.SENT and code not in message.body


def test_an_unknown_number_gets_the_same_answer_and_no_message(tree):
    sent = send("001088000111")
    assert StoreCode.objects.filter(pk=sent.code_id, channel="").exists()
    assert not Notification.objects.exists()


def test_a_bad_number_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        send("12!")
    assert refused.value.code == "store_id_number_invalid"
    assert not StoreCode.objects.exists()


def test_sends_are_throttled_per_number_and_per_client(held_certificate):
    for n in range(3):
        send(ip=f"198.51.100.{n}")
    with pytest.raises(ValidationFailed) as refused:
        send(ip="198.51.100.99")  # a fourth for the number, from anywhere
    assert refused.value.code == "store_code_throttled"
    for n in range(3):
        send(f"00109901000{n}", ip="192.0.2.1")
    with pytest.raises(ValidationFailed):
        send("001099010009", ip="192.0.2.1")  # a fourth from one client, any number


# --- checking --------------------------------------------------------------------------------


def test_the_right_code_verifies_once(held_certificate):
    sent = send()
    code = the_code(sent)
    assert store_code_verify(code_id=sent.code_id, id_number=ID_NUMBER, code=code, ip=IP) == (
        ID_NUMBER
    )
    assert not StoreCode.objects.exists()
    with pytest.raises(ValidationFailed) as again:
        store_code_verify(code_id=sent.code_id, id_number=ID_NUMBER, code=code, ip=IP)
    assert again.value.code == "store_code_invalid"


def test_a_code_is_for_its_number_only(held_certificate):
    sent = send()
    with pytest.raises(ValidationFailed):
        store_code_verify(
            code_id=sent.code_id, id_number="001088000111", code=the_code(sent), ip=IP
        )


def test_wrong_codes_use_up_the_code(settings, held_certificate):
    sent = send()
    code = the_code(sent)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationFailed) as refused:
            store_code_verify(code_id=sent.code_id, id_number=ID_NUMBER, code=wrong, ip=IP)
        assert refused.value.code == "store_code_invalid"
    assert StoreCode.objects.get(pk=sent.code_id).attempts == 5
    with pytest.raises(ValidationFailed):  # the right one, too late
        store_code_verify(code_id=sent.code_id, id_number=ID_NUMBER, code=code, ip=IP)


def test_a_sweep_deletes_only_expired_codes(held_certificate):
    live = send()
    StoreCode.objects.create(
        id_number=ID_NUMBER,
        salt="s",
        code_hash="h" * 64,
        created_at=timeutil.now() - timedelta(minutes=20),
        expires_at=timeutil.now() - timedelta(minutes=10),
    )
    assert store_codes_sweep() == 1
    assert list(StoreCode.objects.values_list("pk", flat=True)) == [live.code_id]


def test_an_expired_code_is_refused_and_swept(held_certificate):
    sent = send()
    code = the_code(sent)
    StoreCode.objects.update(expires_at=timeutil.now() - timedelta(seconds=1))
    with pytest.raises(ValidationFailed):
        store_code_verify(code_id=sent.code_id, id_number=ID_NUMBER, code=code, ip=IP)
    # The check swept it (as the next request for a code would).
    assert not StoreCode.objects.exists() and store_codes_sweep() == 0
    message = Notification.objects.get(kind=MessageKind.STORE_CODE)
    # Never handed over: given up, and the code is no longer in the table.
    assert message.status == NotificationStatus.FAILED and code not in message.body


def test_wrong_codes_are_throttled_per_number_across_clients(settings, held_certificate):
    settings.MOTCUA_PORTAL_STORE_MAX_SENDS = 100
    for n in range(10):
        sent = send(ip=f"198.51.100.{n}")
        wrong = "000000" if the_code(sent) != "000000" else "111111"
        with pytest.raises(ValidationFailed):
            store_code_verify(
                code_id=sent.code_id, id_number=ID_NUMBER, code=wrong, ip=f"198.51.100.{n}"
            )
    with pytest.raises(ValidationFailed) as refused:
        send(ip="198.51.100.200")
    assert refused.value.code == "store_code_throttled"


def test_the_code_template_must_keep_its_code(db):
    with pytest.raises(ValidationFailed) as refused:
        notify.message_template_save(
            kind=MessageKind.STORE_CODE, channel="sms", subject="", body="Mã của bạn đã được gửi."
        )
    assert refused.value.code == "template_field_required"
    saved = notify.message_template_save(
        kind=MessageKind.STORE_CODE, channel="sms", subject="", body="UBND xã: mã {ma_xac_thuc}"
    )
    assert saved.body.endswith("{ma_xac_thuc}")


# --- filing with a held document -------------------------------------------------------------


def test_filing_online_with_a_held_document_records_reuse(
    tree, birth_registration, held_certificate
):
    tp1, tp2 = birth_registration.components.order_by("code")
    dossier = portal_dossier_submit(
        procedure=birth_registration,
        unit=tree.tien_dong,
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number=ID_NUMBER, phone="0912345678"),
        summary="",
        files={tp1: ContentFile(PDF, name="tk.pdf"), tp2: ContentFile(PDF, name="ignored.pdf")},
        reused={tp2: held_certificate.pk},
    )
    documents = {d.component.code: d for d in dossier.documents.all()}
    assert documents["TP2"].reused and documents["TP2"].digitization_source == "reused"
    assert documents["TP2"].file.name == held_certificate.file.name
    assert documents["TP1"].digitization_source == "online" and not documents["TP1"].reused
    assert dossier.data_reused and not dossier.vneid_verified


# --- property: a code opens the store at most once, only within its tries ---------------------


@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(entries=st.lists(st.booleans(), max_size=8))
def test_a_code_verifies_once_and_only_within_its_tries(held_certificate, entries):
    FailureCount.objects.all().delete()
    StoreCode.objects.all().delete()
    sent = send()
    code = the_code(sent)
    wrong = "000000" if code != "000000" else "111111"
    outcomes = []
    for right in entries:
        try:
            store_code_verify(
                code_id=sent.code_id, id_number=ID_NUMBER, code=code if right else wrong, ip=IP
            )
            outcomes.append(True)
        except ValidationFailed:
            outcomes.append(False)
    # The model: the first right entry among the first 5 tries succeeds; nothing else does.
    expected, done = [], False
    for n, right in enumerate(entries):
        ok = right and not done and n < 5
        done = done or ok
        expected.append(ok)
    assert outcomes == expected
