"""The citizen's document store end to end through the intake services, at the desk and online:
what a dossier brought is kept for its applicant's number, offered again for a matching
component, reused (recorded as reuse, nothing copied), refused for someone else's document,
logged at every access, and sensitive documents expire."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from motcua.core import timeutil
from motcua.core.errors import ValidationFailed
from motcua.digitization.models import HeldDocument, HeldDocumentAccess
from motcua.digitization.services import demo_signing_certificates_ensure
from motcua.digitization.store import held_documents_expire, held_documents_offered
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant, ReceivedComponent
from tests.e2e.helpers import tiny_pdf

pytestmark = pytest.mark.django_db

ID_NUMBER = "001099012345"
OTHER = "001088000111"


def desk_intake(staff, tree, procedure, *, components, id_number=ID_NUMBER):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number=id_number),
        components=components,
        missing_components_reason="Tờ khai nộp sau",
    )


@pytest.fixture
def kept(staff, tree, birth_registration, django_capture_on_commit_callbacks):
    """A first dossier whose scanned birth certificate (sensitive) is kept in the store."""
    tp2 = birth_registration.components.get(code="TP2")
    with django_capture_on_commit_callbacks(execute=True):
        first = desk_intake(
            staff,
            tree,
            birth_registration,
            components=[
                ReceivedComponent(
                    "Giấy chứng sinh",
                    component=tp2,
                    file=ContentFile(tiny_pdf("chung sinh"), name="cs.pdf"),
                    sensitive=True,
                )
            ],
        )
    held = HeldDocument.objects.get()
    assert (held.owner_id_number, held.component_code, held.sensitive) == (ID_NUMBER, "TP2", True)
    assert held.file.name == first.documents.get().file.name  # the same stored content
    assert held.masked_owner == "********2345"
    return first, held, tp2


def test_offered_and_reused_at_the_desk(staff, tree, birth_registration, kept):
    _first, held, tp2 = kept
    offered = held_documents_offered(
        actor=staff.desk, id_number=ID_NUMBER, procedure=birth_registration
    )
    assert offered == {tp2.pk: [held]}
    assert (
        held_documents_offered(actor=staff.desk, id_number=OTHER, procedure=birth_registration)
        == {}
    )
    second = desk_intake(
        staff,
        tree,
        birth_registration,
        components=[ReceivedComponent("", component=tp2, held_id=held.pk)],
    )
    document = second.documents.get()
    assert document.reused and document.digitized and document.digitization_source == "reused"
    assert document.file.name == held.file.name and document.sha256 == held.sha256
    assert document.sensitive
    assert second.data_reused and second.components_digitized
    event = second.events.get(kind="received")
    assert event.payload["components"][0]["held_document_id"] == held.pk
    actions = list(
        HeldDocumentAccess.objects.order_by("pk").values_list("action", "user", "dossier_code")
    )
    assert actions == [("offered", staff.desk.pk, ""), ("reused", staff.desk.pk, second.code)]


def test_someone_elses_document_is_refused(staff, tree, birth_registration, kept):
    _first, held, tp2 = kept
    with pytest.raises(ValidationFailed) as refused:
        desk_intake(
            staff,
            tree,
            birth_registration,
            id_number=OTHER,
            components=[ReceivedComponent("", component=tp2, held_id=held.pk)],
        )
    assert refused.value.code == "held_document_invalid"
    assert Dossier.objects.count() == 1


def test_reused_online(tree, birth_registration, kept):
    _first, held, tp2 = kept
    assert held_documents_offered(actor=None, id_number=ID_NUMBER, procedure=birth_registration)
    tp1 = birth_registration.components.get(code="TP1")
    online = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=birth_registration,
        applicant=Applicant(name="Nguyễn Thị Hoa", id_number=ID_NUMBER, phone="0912345678"),
        components=[
            ReceivedComponent(
                "Tờ khai", component=tp1, file=ContentFile(tiny_pdf("to khai"), name="tk.pdf")
            ),
            ReceivedComponent("", component=tp2, held_id=held.pk),
        ],
    )
    sources = dict(online.documents.values_list("component__code", "digitization_source"))
    assert sources == {"TP1": "online", "TP2": "reused"}
    assert online.data_reused and online.components_digitized


def test_the_signed_result_is_kept_too(
    staff, tree, birth_registration, kept, django_capture_on_commit_callbacks
):
    first, _held, _tp2 = kept
    demo_signing_certificates_ensure(units=[("11143", tree.tien_dong.name)], default_unit="11143")
    first = services.dossier_forward(actor=staff.desk, dossier=first)
    first = services.dossier_forward(actor=staff.processor, dossier=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_perform(
            actor=staff.leader,
            dossier=first,
            slug="resolve",
            expected_version=None,
            inputs={"result_summary": "Giấy khai sinh", "electronic": True},
        )
    result = HeldDocument.objects.get(kind="result")
    assert result.owner_id_number == ID_NUMBER
    assert result.file.name == first.documents.get(kind=DossierDocument.Kind.RESULT).file.name


def test_sensitive_documents_expire(settings, kept):
    _first, held, _tp2 = kept
    settings.MOTCUA_STORE_SENSITIVE_RETENTION_DAYS = 30
    assert held_documents_expire(now=timeutil.now() + timedelta(days=29)) == 0
    assert held_documents_expire(now=timeutil.now() + timedelta(days=31)) == 1
    assert not HeldDocument.objects.exists()
    # The dossier still refers to the content: it stays.
    assert DossierDocument.objects.get().file.storage.exists(held.file.name)
    assert HeldDocumentAccess.objects.filter(action="deleted").count() == 1


def test_the_desk_page_offers_and_reuses(client, staff, birth_registration, kept):
    from tests.desk.test_intake import intake_url, valid_post

    _first, held, tp2 = kept
    client.force_login(staff.desk)
    # The officer looks the applicant up: the store's matching document is offered.
    looked_up = client.post(
        intake_url(birth_registration),
        valid_post(birth_registration, action="lookup", **{f"c{tp2.pk}_file": None}),
    ).content.decode()
    assert "Kho dữ liệu của công dân có 1 giấy tờ" in looked_up
    assert f'name="c{tp2.pk}_held" value="{held.pk}"' in looked_up
    response = client.post(
        intake_url(birth_registration),
        valid_post(
            birth_registration,
            **{f"c{tp2.pk}_file": None, f"c{tp2.pk}_received": None, f"c{tp2.pk}_held": held.pk},
        ),
    )
    assert response.status_code == 302
    dossier = Dossier.objects.latest("pk")
    reused = dossier.documents.get(component=tp2)
    assert reused.reused and reused.file.name == held.file.name
    assert dossier.data_reused


def test_the_expire_command_counts_then_deletes(settings, kept, caplog):
    from io import StringIO

    from django.core.management import call_command

    _first, held, _tp2 = kept
    settings.MOTCUA_STORE_SENSITIVE_RETENTION_DAYS = 30
    HeldDocument.objects.filter(pk=held.pk).update(added_at=timeutil.now() - timedelta(days=31))
    out = StringIO()
    call_command("documents", "expire", "--dry-run", stdout=out)
    assert out.getvalue().strip() == (
        "1 giấy tờ nhạy cảm trong kho dữ liệu đã lưu quá 30 ngày (chưa xóa: --dry-run)."
    )
    assert HeldDocument.objects.filter(pk=held.pk).exists()
    out = StringIO()
    with caplog.at_level("INFO", logger="motcua.audit"):
        call_command("documents", "expire", stdout=out)
    assert out.getvalue().strip() == (
        "Đã xóa 1 giấy tờ nhạy cảm trong kho dữ liệu đã lưu quá 30 ngày."
    )
    assert not HeldDocument.objects.exists()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "action=store_expire owner=********2345" in logged and ID_NUMBER not in logged
