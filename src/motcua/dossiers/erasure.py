"""Erasing a data subject's personal values from the event log itself, without breaking its chain.

A scheme-2 event (dossiers.chain) seals each personal value by a salted digest. Erasure replaces
the value by chain.ERASED and drops the salt, keeping the digest: the event's hash still verifies,
`audit verify` accepts the value as erased because an erasure record — the dossier's own
`personal_data_erased` event, later in the same chain, naming the event's seq in `erased_events` —
exists, and refuses any other change (a value altered while its salt stays no longer matches its
digest; a salt dropped without a record is a break).

This is the one update an event may undergo. On PostgreSQL it goes through the SECURITY DEFINER
function `motcua_event_personal_erase` (migration dossiers 0010), which checks the record itself;
the append-only trigger refuses every other update and every delete, even to the application's
role. SQLite has no trigger; the same rewrite is done here (chain.personal_erased)."""

from django.db import connection

from motcua.dossiers.chain import ERASURE_KIND, personal_erased, personal_paths
from motcua.dossiers.models import DossierEvent


def erasable_events(*, dossier_id: int) -> tuple[list[int], list[int]]:
    """(seqs of scheme-2 events holding personal values not yet erased, seqs of scheme-1 events
    holding personal values — kept: their hashes seal the values themselves)."""
    erasable, kept = [], []
    for seq, kind, scheme, payload, personal in (
        DossierEvent.objects.filter(dossier_id=dossier_id)
        .order_by("seq")
        .values_list("seq", "kind", "scheme", "payload", "personal")
    ):
        if scheme >= 2:
            if any(entry.get("salt") for entry in personal or []):
                erasable.append(seq)
        elif personal_paths(kind=kind, payload=payload):
            kept.append(seq)
    return erasable, kept


def events_personal_erase(*, erasure: DossierEvent) -> int:
    """Erase the personal values of every event `erasure` (a personal_data_erased event) names in
    its `erased_events`. Returns the number of values erased. Runs in the caller's transaction."""
    if erasure.kind != ERASURE_KIND:
        raise ValueError("not an erasure record")
    seqs = list(erasure.payload.get("erased_events") or [])
    targets = list(
        DossierEvent.objects.filter(
            dossier_id=erasure.dossier_id, seq__in=seqs, seq__lt=erasure.seq
        )
        .order_by("seq")
        .values_list("id", "payload", "personal")
    )
    erased = 0
    for event_id, payload, personal in targets:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT motcua_event_personal_erase(%s, %s)", [event_id, erasure.pk])
                erased += cursor.fetchone()[0]
            continue
        new_payload, new_personal = personal_erased(payload=payload, personal=personal or [])
        # QuerySet.update: the model's save() refuses every update of an event, on purpose.
        DossierEvent.objects.filter(pk=event_id).update(payload=new_payload, personal=new_personal)
        erased += len(new_personal)
    return erased
