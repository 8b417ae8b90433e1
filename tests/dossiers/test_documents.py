"""Files left in storage by a rolled-back action are swept; files of documents never are."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.dossiers import documents
from motcua.dossiers.models import DossierDocument
from motcua.dossiers.services import ReceivedComponent
from tests.dossiers.test_lifecycle import receive
from tests.e2e.helpers import tiny_pdf

pytestmark = pytest.mark.django_db

LATER = "Thành phần còn lại nộp bổ sung sau"  # one document is enough for these tests


def _scan(name: str) -> ContentFile:
    return ContentFile(tiny_pdf(name.encode("ascii", "replace").decode()), name=name)


def _age(path: str, hours: int) -> None:
    full = DossierDocument._meta.get_field("file").storage.path(path)
    then = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(full, (then, then))


@pytest.fixture
def kept_and_orphaned(staff, tree, birth_registration):
    """One dossier whose document has a file; one intake refused after its first file was stored
    (the second component has no name), which leaves that file behind."""
    dossier = receive(
        staff,
        tree,
        birth_registration,
        components=[
            ReceivedComponent(
                "Tờ khai",
                component=birth_registration.components.get(code="TP1"),
                file=_scan("a.pdf"),
            )
        ],
        missing_components_reason=LATER,
    )
    kept = dossier.documents.get().file.name
    with pytest.raises(ValidationFailed):
        receive(
            staff,
            tree,
            birth_registration,
            components=[
                ReceivedComponent(
                    "Giấy chứng sinh",
                    component=birth_registration.components.get(code="TP2"),
                    file=_scan("b.pdf"),
                ),
                ReceivedComponent(""),
            ],
            missing_components_reason=LATER,
        )
    storage = DossierDocument._meta.get_field("file").storage
    # Scans are stored by content address, each under its own folder of the hash's first bytes.
    stored = [
        path
        for _directory, files in documents._directories(storage, "dossiers")
        for path in (f"{_directory}/{name}" for name in files)
    ]
    orphaned = [path for path in stored if path != kept]
    assert len(orphaned) == 1  # the rolled-back intake's scan is still on disk
    return storage, kept, orphaned[0]


def test_only_unreferenced_files_past_the_grace_period_are_found(kept_and_orphaned):
    _, kept, orphaned = kept_and_orphaned
    assert documents.document_files_orphaned() == []  # both are younger than a day
    _age(kept, 48)
    _age(orphaned, 48)
    assert documents.document_files_orphaned() == [orphaned]
    assert documents.document_files_orphaned(older_than=timedelta(hours=72)) == []


def test_sweep_deletes_the_orphan_and_keeps_the_documents_file(kept_and_orphaned, caplog):
    storage, kept, orphaned = kept_and_orphaned
    _age(kept, 48)
    _age(orphaned, 48)
    with caplog.at_level("INFO", logger="motcua.audit"):
        assert documents.document_files_orphaned_delete() == [orphaned]
    assert not storage.exists(orphaned) and storage.exists(kept)
    assert orphaned in caplog.text
    assert documents.document_files_orphaned_delete() == []


def test_command_dry_run_lists_and_keeps(kept_and_orphaned):
    storage, _, orphaned = kept_and_orphaned
    _age(orphaned, 30)
    out = StringIO()
    call_command("documents", "sweep", "--dry-run", stdout=out)
    assert orphaned in out.getvalue() and "chưa xóa" in out.getvalue()
    assert storage.exists(orphaned)
    out = StringIO()
    call_command("documents", "sweep", stdout=out)
    assert "Đã xóa 1 tệp" in out.getvalue()
    assert not storage.exists(orphaned)


def test_command_refuses_a_grace_period_under_an_hour():
    with pytest.raises(CommandError, match="--older-than-hours"):
        call_command("documents", "sweep", "--older-than-hours", "0")


def test_nothing_stored_yet_is_nothing_orphaned():
    assert documents.document_files_orphaned() == []
