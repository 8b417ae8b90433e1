"""Stored files that no document refers to, and their removal.

A document's file is written to storage when the document is created, inside the action's
transaction; if the transaction then rolls back (a later component refused, a concurrent action
won), the row is gone but the file stays — often a scan of a citizen's papers. Storage cannot take
part in the transaction, so files are swept afterwards instead: only those older than a grace
period, since a file younger than that may belong to a transaction still running."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils import timezone

from motcua.dossiers.models import DossierDocument

audit = logging.getLogger("motcua.audit")
FILES_ROOT = "dossiers"  # DossierDocument.file's upload_to starts here
GRACE = timedelta(hours=24)


def _storage():
    return DossierDocument._meta.get_field("file").storage


def _directories(storage, directory: str) -> Iterator[tuple[str, list[str]]]:
    """(directory, its files) for `directory` and every directory below it."""
    subdirectories, files = storage.listdir(directory)
    yield directory, files
    for name in subdirectories:
        yield from _directories(storage, f"{directory}/{name}")


def document_files_orphaned(
    *, older_than: timedelta = GRACE, now: datetime | None = None
) -> list[str]:
    """Stored files under FILES_ROOT that no document refers to, last written before
    `now - older_than`. One query per directory (a month of uploads), not one per file."""
    storage = _storage()
    if not storage.exists(FILES_ROOT):
        return []
    cutoff = (now or timezone.now()) - older_than
    orphaned = []
    for directory, files in _directories(storage, FILES_ROOT):
        if not files:
            continue
        referenced = set(
            DossierDocument.objects.filter(file__startswith=f"{directory}/").values_list(
                "file", flat=True
            )
        )
        for name in files:
            path = f"{directory}/{name}"
            if path not in referenced and storage.get_modified_time(path) < cutoff:
                orphaned.append(path)
    return sorted(orphaned)


def document_files_orphaned_delete(
    *, older_than: timedelta = GRACE, now: datetime | None = None
) -> list[str]:
    """Delete the files `document_files_orphaned` finds; returns their names. Each deletion is in
    the audit log (the name only: the file may hold personal data, its name does not)."""
    storage = _storage()
    deleted = []
    for path in document_files_orphaned(older_than=older_than, now=now):
        # Referred to since it was listed (an action that committed meanwhile): keep it.
        if DossierDocument.objects.filter(file=path).exists():
            continue
        storage.delete(path)
        audit.info("document file deleted, no document refers to it: %s", path)
        deleted.append(path)
    return deleted
