"""Files kept between rounds of the online filing form.

Browsers never re-send a chosen file, so a form sent back for one mistake would make the citizen
attach every paper again. Valid uploads of a failed round are kept instead: behind Django's default
storage, under `portal-held/<random folder of this session>/<random name>`, listed only in the
session itself (the folder and names come from `secrets`, never from the request), so no other
session can name them; the media folder is not served over HTTP. They are capped at the dossier's
size limit, expire after MOTCUA_PORTAL_HELD_SECONDS (default one hour), are deleted when the dossier
is filed, and every store sweeps expired files of all sessions (a session that never comes back
leaves nothing behind for long)."""

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from motcua.portal import uploads

SESSION_KEY = "portal:held-uploads"
ROOT = "portal-held"


def held_seconds() -> int:
    return int(getattr(settings, "MOTCUA_PORTAL_HELD_SECONDS", 60 * 60))


@dataclass(frozen=True)
class HeldFile:
    field: str
    name: str  # as the citizen chose it, shown back as "đã đính kèm: <name>"
    path: str  # in the default storage
    size: int
    at: float


def _state(request, *, procedure_code: str) -> dict:
    """This session's held files for this procedure; another procedure's are dropped."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("procedure") != procedure_code:
        if isinstance(state, dict):
            _delete(state.get("files", {}).values())
        state = {"procedure": procedure_code, "folder": secrets.token_hex(16), "files": {}}
    return state


def _delete(entries) -> None:
    for entry in entries:
        default_storage.delete(entry["path"])


def held_files(*, request, procedure_code: str) -> dict[str, HeldFile]:
    """The session's unexpired held files by form field."""
    state = _state(request, procedure_code=procedure_code)
    fresh_after = time.time() - held_seconds()
    expired = [e for e in state["files"].values() if e["at"] < fresh_after]
    if expired:
        _delete(expired)
        state["files"] = {f: e for f, e in state["files"].items() if e["at"] >= fresh_after}
        request.session[SESSION_KEY] = state
    return {
        field: HeldFile(field=field, **entry)
        for field, entry in state["files"].items()
        if default_storage.exists(entry["path"])
    }


def held_open(*, request, procedure_code: str) -> dict[str, File]:
    """The held files, opened, to stand for uploads the browser did not send again."""
    opened = {}
    for field, held in held_files(request=request, procedure_code=procedure_code).items():
        file = File(default_storage.open(held.path, "rb"), name=held.name)
        file.size = held.size
        opened[field] = file
    return opened


def held_store(*, request, procedure_code: str, field: str, upload) -> bool:
    """Keep `upload` for `field` (replacing an earlier one); False when it would pass the cap."""
    held_sweep()
    state = _state(request, procedure_code=procedure_code)
    previous = state["files"].pop(field, None)
    if previous:
        _delete([previous])
    total = sum(e["size"] for e in state["files"].values()) + upload.size
    if total > uploads.max_dossier_bytes() or upload.size > uploads.max_file_bytes():
        request.session[SESSION_KEY] = state
        return False
    upload.seek(0)
    path = default_storage.save(f"{ROOT}/{state['folder']}/{secrets.token_hex(16)}", upload)
    state["files"][field] = {
        "name": (upload.name or "tep")[:200],
        "path": path,
        "size": upload.size,
        "at": time.time(),
    }
    request.session[SESSION_KEY] = state
    return True


def held_drop(*, request, procedure_code: str, fields) -> None:
    state = _state(request, procedure_code=procedure_code)
    _delete([state["files"].pop(f) for f in list(fields) if f in state["files"]])
    request.session[SESSION_KEY] = state


def held_clear(*, request) -> None:
    state = request.session.pop(SESSION_KEY, None)
    if isinstance(state, dict):
        _delete(state.get("files", {}).values())


def held_sweep(*, now: float | None = None) -> int:
    """Delete held files older than the expiry, of every session; returns how many."""
    cutoff = (now or time.time()) - held_seconds()
    removed = 0
    try:
        folders, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return 0
    for folder in folders:
        for name in default_storage.listdir(f"{ROOT}/{folder}")[1]:
            path = f"{ROOT}/{folder}/{name}"
            if default_storage.get_modified_time(path).timestamp() < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
