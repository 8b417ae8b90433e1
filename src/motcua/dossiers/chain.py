"""The event log's hash chain: each event's `hash` seals its content and its predecessor's hash.

One chain **per dossier** (event seq 1 starts from the empty string). Why not one global chain:
every action already holds its dossier's row lock, so reading the previous hash costs one indexed
read and adds no contention, where a global chain head would queue every action of the province
behind one row; and the bulk import can seal a new dossier's first event while it makes the rows,
before any id exists. Completeness across dossiers (a dossier deleted with all its events, a
TRUNCATE, a whole chain rewritten) is the checkpoints' job (`dossiers.audit`): each one signs a
rolling digest of every event hash in id order.

The sealed content is what the database gives back: the dossier's code (not its id, which an
import draws only when it writes), seq, kind, both instants in UTC, actor, actor's name and unit,
the two states and the payload as canonical JSON (sorted keys). Pure: no database access here.

**Schemes.** Scheme 1 (events written before personal-data erasure existed) seals the payload as it
is. Scheme 2 (every event written since) seals each personal value (`personal_paths`: the
applicant's identity and contact fields, and free texts that may name people) by a salted digest
instead: the event's `personal` column lists, for each such value, its path in the payload, the
digest and the random salt. Erasure (`dossiers.erasure`) replaces the value by ERASED and drops the
salt; the digest stays, so the hash still verifies, and a value changed without dropping its salt
no longer matches its digest. Old events are never re-hashed (the chain is not rewritten silently):
a scheme-1 event keeps its values, and an erasure records it as kept (docs/privacy.md)."""

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = ""
CURRENT_SCHEME = 2
# What an erased personal value reads as, in the log and in the dossier row.
ERASED = "(đã xóa)"
ERASURE_KIND = "personal_data_erased"

# Projected fields (in `set`) that hold the applicant's personal data.
PERSONAL_SET_FIELDS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_code",
    "summary",
    "result_summary",
)
# Free texts of a payload that people type and that may name or reach someone; `record` is another
# system's whole record of an imported dossier (applicant included), sealed as one value.
PERSONAL_TEXTS = ("reason", "note", "content", "result", "missing_components_reason", "record")


def personal_paths(*, kind: str, payload: Any) -> list[list]:
    """Where a payload holds personal data, as JSON paths (keys and list indexes). Empty values
    carry nothing and are sealed as they are. The erasure record itself names no one."""
    if kind == ERASURE_KIND or not isinstance(payload, dict):
        return []
    paths: list[list] = []
    values = payload.get("set")
    if isinstance(values, dict):
        paths += [["set", n] for n in PERSONAL_SET_FIELDS if values.get(n) not in (None, "")]
    paths += [[n] for n in PERSONAL_TEXTS if payload.get(n) not in (None, "", [], {})]
    components = payload.get("components")
    if isinstance(components, list):
        # A document's name may name its holder; its SHA-256 fingerprints an identity image.
        paths += [
            ["components", i, key]
            for i, item in enumerate(components)
            if isinstance(item, dict)
            for key in ("name", "sha256")
            if item.get(key) not in (None, "")
        ]
    return paths


_MISSING = object()


def path_get(payload: Any, path: list) -> Any:
    """The value at `path`, or _MISSING."""
    value = payload
    for step in path:
        if (isinstance(value, dict) and isinstance(step, str) and step in value) or (
            isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        ):
            value = value[step]
        else:
            return _MISSING
    return value


def path_found(value: Any) -> bool:
    return value is not _MISSING


def _path_put(payload: Any, path: list, value: Any) -> None:
    """Replace the value at an existing `path` (a missing one is left missing: the seal differs)."""
    if not path:
        return
    parent = path_get(payload, path[:-1])
    last = path[-1]
    if (isinstance(parent, dict) and isinstance(last, str) and last in parent) or (
        isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent)
    ):
        parent[last] = value


def personal_digest(*, salt: str, value: Any) -> str:
    return hashlib.sha256(
        b"motcua-personal-v1|" + salt.encode() + b"|" + canonical_payload(value)
    ).hexdigest()


def personal_seal(*, kind: str, payload: Any) -> list[dict]:
    """The `personal` column of a new scheme-2 event: path, fresh random salt and digest of each
    personal value of its payload."""
    entries = []
    for path in personal_paths(kind=kind, payload=payload):
        salt = secrets.token_hex(16)
        digest = personal_digest(salt=salt, value=path_get(payload, path))
        entries.append({"path": path, "salt": salt, "digest": digest})
    return entries


def personal_erased(*, payload: Any, personal: list[dict]) -> tuple[Any, list[dict]]:
    """(payload, personal) of an event once erased: each personal value ERASED, each salt gone,
    each digest kept. The PostgreSQL function `motcua_event_personal_erase` does the same."""
    erased = orjson.loads(canonical_payload(payload))
    for entry in personal:
        _path_put(erased, entry["path"], ERASED)
    return erased, [{**entry, "salt": None} for entry in personal]


def canonical_payload(payload: Any) -> bytes:
    """The payload as the database will return it (JSON types only, string keys), with sorted keys:
    the same bytes for the dict a service wrote and the dict read back on SQLite or PostgreSQL."""
    try:
        plain = orjson.loads(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS))
        return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits: the standard library is slower but complete
        plain = json.loads(json.dumps(payload, default=str))
        return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def event_hash(
    *,
    previous: str,
    code: str,
    seq: int,
    kind: str,
    at: datetime,
    recorded_at: datetime,
    actor_id: int | None,
    actor_name: str,
    actor_unit_id: int | None,
    from_state: int | None,
    to_state: int,
    payload: Any,
    scheme: int = 1,
    personal: list[dict] | None = None,
) -> str:
    """SHA-256 (hex) of the previous event's hash and this event's content; in scheme 2 each
    personal value is replaced by its digest and the list of (path, digest) is sealed too, so that
    a value can be erased and an entry can be neither dropped nor moved."""
    head = [
        previous,
        code,
        seq,
        kind,
        _instant(at),
        _instant(recorded_at),
        actor_id,
        actor_name,
        actor_unit_id,
        from_state,
        to_state,
    ]
    if scheme == 1:
        return hashlib.sha256(orjson.dumps(head) + b"\n" + canonical_payload(payload)).hexdigest()
    if scheme != 2:
        return ""  # an unknown scheme verifies nothing
    sealed = orjson.loads(canonical_payload(payload))
    entries = personal or []
    for entry in entries:
        _path_put(sealed, entry.get("path") or [], {"$digest": entry.get("digest")})
    committed = orjson.dumps([[entry.get("path"), entry.get("digest")] for entry in entries])
    return hashlib.sha256(
        orjson.dumps([scheme, *head]) + b"\n" + canonical_payload(sealed) + b"\n" + committed
    ).hexdigest()


def event_hash_of(event, *, code: str, previous: str) -> str:
    """`event_hash` of a DossierEvent instance (or any object with its attributes)."""
    return event_hash(
        previous=previous,
        code=code,
        seq=event.seq,
        kind=event.kind,
        at=event.at,
        recorded_at=event.recorded_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        actor_unit_id=event.actor_unit_id,
        from_state=event.from_state,
        to_state=event.to_state,
        payload=event.payload,
        # Defaults for the historical model of migration 0009, before these columns existed.
        scheme=getattr(event, "scheme", 1),
        personal=getattr(event, "personal", None),
    )
