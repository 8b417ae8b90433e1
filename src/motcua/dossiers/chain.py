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
the two states and the payload as canonical JSON (sorted keys). Pure: no database access here."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = ""


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
) -> str:
    """SHA-256 (hex) of the previous event's hash and this event's content."""
    head = orjson.dumps(
        [
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
    )
    return hashlib.sha256(head + b"\n" + canonical_payload(payload)).hexdigest()


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
    )
