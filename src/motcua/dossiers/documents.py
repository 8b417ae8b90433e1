"""Stored files that no document refers to, and their removal; and the staging that keeps uploads
out of their final place until the transaction that refers to them commits.

Storage cannot take part in a database transaction. An upload checked inside an action's
transaction is therefore first written to the **staging folder** (`staging/`, same storage, so the
move is one rename) and moved to its final, content-addressed name by `transaction.on_commit`: a
transaction that rolls back — or a process killed before it commits — leaves nothing in the final
place, only a staged file. Staged files are cleared by `documents sweep` and at `motcua serve`'s
start (`staged_files_recover`): one whose final name a committed document refers to but which is
not in place yet (a kill between the commit and the move) is moved into place; any other is
deleted once older than the longest request (younger ones may belong to a transaction still
running in another process).

Files written in the final place by other paths (the signed result at the approval) can still be
left without a document by a rolled-back transaction; those are swept afterwards, once older than a
grace period."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import DossierDocument

audit = logging.getLogger("motcua.audit")
FILES_ROOT = "dossiers"  # DossierDocument.file's upload_to starts here
GRACE = timedelta(hours=24)
STAGING_ROOT = "staging"  # not under FILES_ROOT: nothing staged is ever a document's file
# Longer than any request lives (gunicorn's timeout, `motcua serve --timeout`, is 60 s by default):
# a staged file older than this belongs to no transaction still running.
STAGING_GRACE = timedelta(minutes=10)


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


# --- staging: into the final place only on commit ----------------------------------------------


def _staged_name(final_name: str, token: str) -> str:
    # The final name is kept, flattened, so the recovery knows where a staged file belongs.
    return f"{STAGING_ROOT}/{token}--{final_name.replace('/', '--')}"


def _final_name(staged_name: str) -> str | None:
    _, _, flat = staged_name.rpartition("/")
    _, separator, final = flat.partition("--")
    return final.replace("--", "/") if separator and final.startswith(FILES_ROOT) else None


def _move(storage, staged: str, final: str) -> None:
    """Put the staged file at `final` (atomically where the storage is a local folder)."""
    if not storage.exists(staged):
        if not storage.exists(final):  # swept while its transaction ran past STAGING_GRACE
            audit.error("staged file missing at commit, document without its file: %s", final)
        return  # moved already (the recovery, or another transaction with the same content)
    if storage.exists(final):
        storage.delete(staged)  # content-addressed: the same bytes are in place
        return
    try:
        source, target = storage.path(staged), storage.path(final)
    except NotImplementedError:  # a remote storage: copy, then drop the staged copy
        with storage.open(staged, "rb") as handle:
            storage.save(final, handle)
        storage.delete(staged)
        return
    import os

    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)


def _on_commit(callback) -> None:
    # One name for the tests to replace: their transaction never commits (tests/conftest.py).
    transaction.on_commit(callback)


def staged_store(*, storage, name: str, content: bytes) -> str:
    """Store `content` under `name` once the current transaction commits (at once outside one);
    returns `name`. Until the commit the bytes wait in the staging folder, so a rollback or a kill
    leaves no file in the final place."""
    import secrets

    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return storage.save(name, ContentFile(content))
    staged = storage.save(_staged_name(name, secrets.token_hex(8)), ContentFile(content))
    _on_commit(lambda: _move(storage, staged, name))
    return name


def staged_files_recover(
    *, older_than: timedelta = STAGING_GRACE, now: datetime | None = None
) -> dict[str, list[str]]:
    """Clear the staging folder: a staged file a committed document is waiting for is moved into
    place (whatever its age); any other older than `older_than` is deleted. Returns the names
    `{"moved": [...], "deleted": [...]}`; each is in the audit log (names only)."""
    storage = _storage()
    done: dict[str, list[str]] = {"moved": [], "deleted": []}
    if not storage.exists(STAGING_ROOT):
        return done
    cutoff = (now or timezone.now()) - older_than
    for directory, files in _directories(storage, STAGING_ROOT):
        for name in files:
            staged = f"{directory}/{name}"
            final = _final_name(staged)
            if (
                final is not None
                and not storage.exists(final)
                and DossierDocument.objects.filter(file=final).exists()
            ):
                _move(storage, staged, final)
                audit.info("staged file moved into place after an interrupted commit: %s", final)
                done["moved"].append(final)
            elif storage.get_modified_time(staged) < cutoff:
                storage.delete(staged)
                audit.info("staged file deleted, its transaction did not commit: %s", staged)
                done["deleted"].append(staged)
    return done
