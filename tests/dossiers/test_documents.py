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


def _component(code: str, birth_registration, name: str, file) -> ReceivedComponent:
    return ReceivedComponent(
        name, component=birth_registration.components.get(code=code), file=file
    )


def _files(storage, root: str) -> list[str]:
    if not storage.exists(root):
        return []
    return [
        f"{directory}/{name}"
        for directory, files in documents._directories(storage, root)
        for name in files
    ]


@pytest.fixture
def kept_and_orphaned(staff, tree, birth_registration):
    """One dossier whose document has a file; and a file in the final place that no document
    refers to — what a rolled-back approval leaves of its signed result (written before the
    commit, not staged)."""
    dossier = receive(
        staff,
        tree,
        birth_registration,
        components=[_component("TP1", birth_registration, "Tờ khai", _scan("a.pdf"))],
        missing_components_reason=LATER,
    )
    kept = dossier.documents.get().file.name
    storage = DossierDocument._meta.get_field("file").storage
    orphan = storage.save("dossiers/2026/01/ket-qua.pdf", _scan("b.pdf"))
    assert sorted(_files(storage, "dossiers")) == sorted([kept, orphan])
    return storage, kept, orphan


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


# --- staging: an upload reaches its final place only when its transaction commits -----------------


@pytest.fixture
def real_commits(monkeypatch):
    # Undo tests/conftest.py's shortcut: the move waits for the (captured) commit.
    from django.db import transaction

    monkeypatch.setattr(documents, "_on_commit", transaction.on_commit)


def test_a_refused_intake_leaves_nothing_in_the_final_place(
    real_commits, staff, tree, birth_registration, django_capture_on_commit_callbacks
):
    storage = DossierDocument._meta.get_field("file").storage
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive(
            staff,
            tree,
            birth_registration,
            components=[_component("TP1", birth_registration, "Tờ khai", _scan("a.pdf"))],
            missing_components_reason=LATER,
        )
    kept = dossier.documents.get().file.name
    assert storage.exists(kept) and _files(storage, documents.STAGING_ROOT) == []
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        receive(
            staff,
            tree,
            birth_registration,
            components=[
                _component("TP2", birth_registration, "Giấy chứng sinh", _scan("b.pdf")),
                ReceivedComponent(""),
            ],
            missing_components_reason=LATER,
        )
    # The refused intake's scan waits in the staging folder, never where documents live.
    assert _files(storage, "dossiers") == [kept]
    staged = _files(storage, documents.STAGING_ROOT)
    assert len(staged) == 1
    # Younger than the longest request: it may belong to a transaction still running.
    assert documents.staged_files_recover() == {"moved": [], "deleted": []}
    _age(staged[0], 1)
    assert documents.staged_files_recover() == {"moved": [], "deleted": staged}
    assert _files(storage, documents.STAGING_ROOT) == [] and storage.exists(kept)


def test_a_kill_between_commit_and_move_is_rolled_forward(
    real_commits, staff, tree, birth_registration, django_capture_on_commit_callbacks
):
    storage = DossierDocument._meta.get_field("file").storage
    # The commit happened (the document is there) but the process died before the move ran.
    with django_capture_on_commit_callbacks(execute=False):
        dossier = receive(
            staff,
            tree,
            birth_registration,
            components=[_component("TP1", birth_registration, "Tờ khai", _scan("a.pdf"))],
            missing_components_reason=LATER,
        )
    document = dossier.documents.get()
    assert not storage.exists(document.file.name)
    assert len(_files(storage, documents.STAGING_ROOT)) == 1
    # Whatever its age, a staged file a committed document waits for is moved into place.
    assert documents.staged_files_recover() == {"moved": [document.file.name], "deleted": []}
    assert storage.exists(document.file.name)
    assert _files(storage, documents.STAGING_ROOT) == []
    import hashlib

    assert hashlib.sha256(document.file.open("rb").read()).hexdigest() == document.sha256


def test_the_sweep_command_clears_the_staging_folder(
    real_commits, staff, tree, birth_registration, django_capture_on_commit_callbacks
):
    storage = DossierDocument._meta.get_field("file").storage
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        receive(
            staff,
            tree,
            birth_registration,
            components=[
                _component("TP2", birth_registration, "Giấy chứng sinh", _scan("b.pdf")),
                ReceivedComponent(""),
            ],
            missing_components_reason=LATER,
        )
    (staged,) = _files(storage, documents.STAGING_ROOT)
    _age(staged, 1)
    out = StringIO()
    call_command("documents", "sweep", stdout=out)
    assert "xóa 1 tệp của thao tác không hoàn tất" in out.getvalue()
    assert _files(storage, documents.STAGING_ROOT) == []
