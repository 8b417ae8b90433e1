"""Verifying the event log against its hash chains and signed checkpoints (`motcua audit`).

Two checks, both from what is stored:

- **chains** (`dossiers.chain`): per dossier, seqs 1…`last_event_seq` without gaps, each event's
  hash recomputed from its content and the previous event's hash; in scheme 2, each personal value
  checked against its salted digest, or accepted as erased when an erasure record of the chain
  names the event (`dossiers.erasure`). An altered event, a deleted one, a cut-off tail, a value
  erased without a record are named by dossier code and seq.
- **checkpoints**: `audit_checkpoint_create` (daily) signs a rolling digest of every event hash in id
  order up to the last event then committed, chained to the previous checkpoint. Verification folds
  the stored hashes the same way: an event deleted together with its dossier, a TRUNCATE, or every
  chain rewritten consistently (someone who recomputed the hashes) no longer matches a signature
  they cannot make without MOTCUA_AUDIT_KEY. A copy of each checkpoint kept outside the database
  (`--out`, an append-only file on another machine) also catches checkpoints deleted from it."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.dossiers.chain import (
    ERASED,
    ERASURE_KIND,
    GENESIS,
    event_hash,
    path_found,
    path_get,
    personal_digest,
)
from motcua.dossiers.models import AuditCheckpoint, Dossier, DossierEvent


class AuditKeyMissing(DomainError):
    code = "audit_key_missing"


class ChainBroken(DomainError):
    code = "event_chain_broken"


@dataclass(frozen=True)
class Break:
    """The first broken point of one dossier's chain (or of the checkpoints)."""

    code: str
    seq: int | None
    reason: str
    event_id: int | None = None

    def __str__(self) -> str:
        where = f"{self.code} sự kiện #{self.seq}" if self.seq is not None else self.code
        return f"{where}: {self.reason}"


@dataclass
class AuditReport:
    dossiers: int = 0
    events: int = 0
    checkpoints: int = 0
    breaks: list[Break] = field(default_factory=list)
    checkpoint_breaks: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks and not self.checkpoint_breaks


_EVENT_VALUES = (
    "id",
    "dossier_id",
    "seq",
    "kind",
    "at",
    "recorded_at",
    "actor_id",
    "actor_name",
    "actor_unit_id",
    "from_state",
    "to_state",
    "payload",
    "scheme",
    "personal",
    "hash",
)


def _recorded_erasures(events: list[dict]) -> set[int]:
    """Seqs an erasure record of this chain names. Each record is itself an event of the chain,
    checked in its turn: a forged one breaks the chain there."""
    named: set[int] = set()
    for row in events:
        if row["kind"] == ERASURE_KIND and isinstance(row["payload"], dict):
            for seq in row["payload"].get("erased_events") or []:
                if isinstance(seq, int) and seq < row["seq"]:
                    named.add(seq)
    return named


def _personal_break(row: dict, *, erased: set[int]) -> str | None:
    """Why a scheme-2 event's personal values fail their seals, or None: each value with its salt
    matches its digest; each without one reads ERASED and is named by an erasure record."""
    personal = row["personal"]
    if not isinstance(personal, list):
        return "danh sách dữ liệu cá nhân đã bị sửa"
    for entry in personal:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), list):
            return "danh sách dữ liệu cá nhân đã bị sửa"
        value = path_get(row["payload"], entry["path"])
        where = ".".join(map(str, entry["path"]))
        salt = entry.get("salt")
        if salt:
            if not path_found(value) or personal_digest(salt=salt, value=value) != entry.get(
                "digest"
            ):
                return f"dữ liệu cá nhân ({where}) không khớp mã niêm phong (đã bị sửa)"
        elif value != ERASED or row["seq"] not in erased:
            return f"dữ liệu cá nhân ({where}) đã bị xóa mà không có bản ghi xóa"
    return None


def dossier_chain_break(*, code: str, last_event_seq: int, events: list[dict]) -> Break | None:
    """The first break of one dossier's chain (`events`: its rows as dicts of _EVENT_VALUES in seq
    order), or None when intact."""
    previous = GENESIS
    expected = 1
    erased = _recorded_erasures(events)
    for row in events:
        if row["seq"] != expected:
            return Break(code, expected, "thiếu sự kiện (đã bị xóa)", row["id"])
        if row["scheme"] != 1:
            reason = _personal_break(row, erased=erased)
            if reason is not None:
                return Break(code, row["seq"], reason, row["id"])
        recomputed = event_hash(
            previous=previous,
            code=code,
            seq=row["seq"],
            kind=row["kind"],
            at=row["at"],
            recorded_at=row["recorded_at"],
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            actor_unit_id=row["actor_unit_id"],
            from_state=row["from_state"],
            to_state=row["to_state"],
            payload=row["payload"],
            scheme=row["scheme"],
            personal=row["personal"] if isinstance(row["personal"], list) else None,
        )
        if recomputed != row["hash"]:
            return Break(
                code,
                row["seq"],
                "nội dung hoặc mã băm không khớp chuỗi (sự kiện này hoặc sự kiện trước đã bị sửa)",
                row["id"],
            )
        previous = row["hash"]
        expected += 1
    if expected - 1 < last_event_seq:
        return Break(
            code,
            expected,
            f"nhật ký dừng ở sự kiện #{expected - 1}, hồ sơ ghi {last_event_seq} sự kiện "
            "(phần cuối đã bị xóa)",
        )
    if expected - 1 > last_event_seq:
        return Break(
            code,
            last_event_seq + 1,
            f"hồ sơ ghi {last_event_seq} sự kiện, nhật ký có {expected - 1}",
        )
    return None


def chains_verify(
    *, report: AuditReport, codes: list[str] | None = None, batch: int = 500
) -> AuditReport:
    """Every dossier's chain (or the given codes'), in primary-key batches: memory stays flat."""
    dossiers = Dossier.objects.order_by("pk")
    if codes:
        dossiers = dossiers.filter(code__in=codes)
    last_pk = 0
    while True:
        chunk = list(
            dossiers.filter(pk__gt=last_pk).values_list("pk", "code", "last_event_seq")[:batch]
        )
        if not chunk:
            break
        by_dossier: dict[int, list[dict]] = {pk: [] for pk, _, _ in chunk}
        for row in (
            DossierEvent.objects.filter(dossier_id__in=by_dossier)
            .order_by("dossier_id", "seq")
            .values(*_EVENT_VALUES)
        ):
            by_dossier[row["dossier_id"]].append(row)
        for pk, code, last_event_seq in chunk:
            report.dossiers += 1
            report.events += len(by_dossier[pk])
            found = dossier_chain_break(
                code=code, last_event_seq=last_event_seq, events=by_dossier[pk]
            )
            if found is not None:
                report.breaks.append(found)
        last_pk = chunk[-1][0]
    if not codes:
        orphans = DossierEvent.objects.exclude(dossier_id__in=Dossier.objects.values("pk"))
        for event_id, dossier_id, seq in orphans.values_list("id", "dossier_id", "seq")[:100]:
            report.breaks.append(
                Break(f"hồ sơ id {dossier_id}", seq, "hồ sơ của sự kiện đã bị xóa", event_id)
            )
    report.breaks.sort(key=lambda b: (b.event_id is None, b.event_id or 0))
    return report


# --- checkpoints ---


def _audit_key() -> bytes:
    key = getattr(settings, "MOTCUA_AUDIT_KEY", "")
    if not key:
        raise AuditKeyMissing(
            "Chưa đặt khóa ký mốc kiểm toán (biến môi trường MOTCUA_AUDIT_KEY).",
        )
    return key.encode()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"motcua-audit-key-id:" + key).hexdigest()[:16]


def _signed_text(
    *, at: datetime, last_event_id: int, event_count: int, digest: str, previous: str
) -> bytes:
    return f"motcua-audit-v1|{at.isoformat()}|{last_event_id}|{event_count}|{digest}|{previous}".encode()


def checkpoint_signature(checkpoint: AuditCheckpoint, *, key: bytes) -> str:
    text = _signed_text(
        at=checkpoint.at,
        last_event_id=checkpoint.last_event_id,
        event_count=checkpoint.event_count,
        digest=checkpoint.digest,
        previous=checkpoint.previous_digest,
    )
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _watermark() -> int:
    """The largest event id such that every event with a smaller or equal id is committed and no
    later one can get one: on PostgreSQL ids are drawn before commit, so a SHARE lock waits for the
    writers in flight (and holds new ones for the instant of one max()); SQLite's write lock does
    the same."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(DossierEvent._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        last = DossierEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _fold(start: str, hashes) -> tuple[str, int]:
    rolling = hashlib.sha256(start.encode())
    count = 0
    for value in hashes:
        rolling.update(value.encode())
        count += 1
    return rolling.hexdigest(), count


def _hashes(after: int, upto: int):
    return (
        DossierEvent.objects.filter(id__gt=after, id__lte=upto)
        .order_by("id")
        .values_list("hash", flat=True)
        .iterator(chunk_size=10_000)
    )


def audit_checkpoint_create(*, out: Path | None = None, at: datetime | None = None):
    """Anchor the log's current head: the digest of the hashes written since the last checkpoint,
    chained to it, signed. With `out`, the checkpoint is also appended to that file as a JSON line
    (keep it off the database server)."""
    key = _audit_key()
    upto = _watermark()
    previous = AuditCheckpoint.objects.order_by("-last_event_id", "-id").first()
    start = previous.digest if previous else GENESIS
    after = previous.last_event_id if previous else 0
    digest, count = _fold(start, _hashes(after, upto))
    checkpoint = AuditCheckpoint(
        at=(at or timezone.now()).replace(microsecond=0),
        last_event_id=upto,
        event_count=(previous.event_count if previous else 0) + count,
        digest=digest,
        previous_digest=start,
        key_id=_key_id(key),
    )
    checkpoint.signature = checkpoint_signature(checkpoint, key=key)
    checkpoint.save()
    if out is not None:
        with open(out, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(checkpoint_as_dict(checkpoint), ensure_ascii=False) + "\n")
    return checkpoint


def checkpoint_as_dict(checkpoint: AuditCheckpoint) -> dict:
    return {
        "at": checkpoint.at.isoformat(),
        "last_event_id": checkpoint.last_event_id,
        "event_count": checkpoint.event_count,
        "digest": checkpoint.digest,
        "previous_digest": checkpoint.previous_digest,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def _checkpoints_from_file(path: Path) -> list[AuditCheckpoint]:
    found = []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                value = json.loads(line)
                value["at"] = datetime.fromisoformat(value["at"])
                found.append(AuditCheckpoint(**value))
    return found


def checkpoints_verify(*, report: AuditReport, copies: Path | None = None) -> AuditReport:
    """Each checkpoint's signature, its link to the one before, and the log folded again up to it.
    Checkpoints from `copies` (the file `--out` appends to) count as well as the stored ones; one
    missing from the database is a break."""
    stored = list(AuditCheckpoint.objects.order_by("last_event_id", "id"))
    checkpoints = stored
    if copies is not None:
        have = {c.signature for c in stored}
        external = _checkpoints_from_file(copies)
        for copy in external:
            if copy.signature not in have:
                report.checkpoint_breaks.append(
                    f"mốc {copy.at:%d/%m/%Y %H:%M} (đến sự kiện {copy.last_event_id}) "
                    "có trong bản sao nhưng đã bị xóa khỏi cơ sở dữ liệu"
                )
        checkpoints = sorted(
            {c.signature: c for c in [*stored, *external]}.values(),
            key=lambda c: (c.last_event_id, c.event_count, c.at),
        )
    if not checkpoints:
        return report
    key = _audit_key()
    start, after, count = GENESIS, 0, 0
    for checkpoint in checkpoints:
        report.checkpoints += 1
        label = f"mốc {checkpoint.at:%d/%m/%Y %H:%M} (đến sự kiện {checkpoint.last_event_id})"
        if checkpoint.key_id != _key_id(key) or not hmac.compare_digest(
            checkpoint.signature, checkpoint_signature(checkpoint, key=key)
        ):
            report.checkpoint_breaks.append(f"{label}: chữ ký không hợp lệ")
            return report
        if checkpoint.previous_digest != start:
            report.checkpoint_breaks.append(f"{label}: không nối tiếp mốc trước (mốc bị xóa)")
            return report
        digest, added = _fold(start, _hashes(after, checkpoint.last_event_id))
        count += added
        if digest != checkpoint.digest or count != checkpoint.event_count:
            report.checkpoint_breaks.append(
                f"{label}: nhật ký không còn khớp — đã ký {checkpoint.event_count} sự kiện, "
                f"nay còn {count}; sự kiện đã bị sửa, xóa hoặc ghi lại toàn bộ"
            )
            return report
        start, after = digest, checkpoint.last_event_id
    return report


def audit_verify(*, codes: list[str] | None = None, copies: Path | None = None) -> AuditReport:
    """Chains of every dossier (or the given ones) and, for the whole log, the checkpoints."""
    report = chains_verify(report=AuditReport(), codes=codes)
    if not codes:
        checkpoints_verify(report=report, copies=copies)
    return report


def audit_require_intact(*, codes: list[str] | None = None) -> None:
    """Refuse (ChainBroken) when the log is broken: nothing may be rebuilt from a forged log."""
    report = audit_verify(codes=codes)
    if not report.intact:
        first = str(report.breaks[0]) if report.breaks else report.checkpoint_breaks[0]
        raise ChainBroken(
            f"Nhật ký sự kiện không còn nguyên vẹn ({first}); không dựng lại từ nhật ký này.",
            details={"first": first},
        )
