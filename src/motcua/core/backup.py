"""Backup and restore of a deployment: its database and its stored files, in one archive.

The archive is a tar file: `manifest.json` (format, database vendor, time, every table's row count,
the event log's digest, a SHA-256 of each member), the database (`database.sqlite3`: SQLite's online
backup API; `database.pgdump`: `pg_dump --format=custom`, one snapshot) and `media/…` (the stored
files). Consistent: the database is copied first, in one snapshot; files are only ever added
(`documents sweep` removes only files no row refers to), so every file the snapshot refers to
exists when the files are copied next.

Restore checks every member against the manifest before it touches anything, replaces the database
(SQLite: the backup API into the live connection; PostgreSQL: `pg_restore --clean
--single-transaction`, as the tables' owner) and the files, then verifies: row counts and the event
log's digest equal the manifest's, and every hash chain is intact (`dossiers.audit`)."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.core.errors import DomainError

FORMAT = "motcua-backup-1"


class BackupFailed(DomainError):
    code = "backup_failed"


@dataclass
class BackupReport:
    tables: dict[str, int]
    files: int
    events_digest: str


def _tables() -> list[str]:
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def table_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def events_digest() -> str:
    """SHA-256 over every event's id and hash in id order: equal digests, identical logs."""
    from motcua.dossiers.models import DossierEvent

    rolling = hashlib.sha256()
    for event_id, value in (
        DossierEvent.objects.order_by("id").values_list("id", "hash").iterator(chunk_size=10_000)
    ):
        rolling.update(f"{event_id}:{value}\n".encode())
    return rolling.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGHOST": s["HOST"] or "", "PGPORT": str(s["PORT"] or "")}
    env.update(PGUSER=s["USER"] or "", PGDATABASE=s["NAME"])
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupFailed(f"Không tìm thấy {command[0]} (cài gói postgresql-client).") from error
    if result.returncode != 0:
        raise BackupFailed(f"{command[0]} thất bại: {result.stderr.strip()[:500]}")


def _dump_database(into: Path) -> tuple[str, dict[str, int], str]:
    """Copy the database into `into`; returns the file's name and the row counts and event digest
    of exactly what it holds."""
    if connection.vendor == "sqlite":
        target = into / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target.name, *_counts_of_sqlite(target)
    if connection.vendor == "postgresql":
        target = into / "database.pgdump"
        # pg_dump reads the snapshot this transaction exports, and the counts are taken in it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ]
            )
            return target.name, table_counts(), events_digest()
    raise BackupFailed(f"Chưa hỗ trợ sao lưu CSDL {connection.vendor}.")


def backup_create(*, path: Path) -> BackupReport:
    """Write the archive to `path` (through a temporary file: a failed backup leaves nothing)."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="motcua-backup-") as work:
        work = Path(work)
        database, restored_counts, digest = _dump_database(work)
        members = {database: _sha256(work / database)}
        files = 0
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work / database, arcname=database)
            if media.is_dir():
                for file in sorted(media.rglob("*")):
                    if file.is_file():
                        name = "media/" + file.relative_to(media).as_posix()
                        members[name] = _sha256(file)
                        archive.add(file, arcname=name)
                        files += 1
            manifest = {
                "format": FORMAT,
                "vendor": connection.vendor,
                "created_at": timezone.now().isoformat(),
                "tables": restored_counts,
                "events_digest": digest,
                "members": members,
            }
            (work / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            archive.add(work / "manifest.json", arcname="manifest.json")
        partial.replace(path)
    return BackupReport(tables=restored_counts, files=files, events_digest=digest)


def _counts_of_sqlite(path: Path) -> tuple[dict[str, int], str]:
    copy = sqlite3.connect(path)
    try:
        counts = {}
        for table in _tables():
            counts[table] = copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        rolling = hashlib.sha256()
        for event_id, value in copy.execute(
            "SELECT id, hash FROM dossiers_dossierevent ORDER BY id"
        ):
            rolling.update(f"{event_id}:{value}\n".encode())
        return counts, rolling.hexdigest()
    finally:
        copy.close()


def _members_check(archive: tarfile.TarFile, manifest: dict, into: Path) -> None:
    """Extract every member into `into`, refusing the archive when one differs from the manifest,
    is missing, is extra, or would land outside `into`."""
    names = {m.name for m in archive.getmembers() if m.isfile()} - {"manifest.json"}
    if names != set(manifest["members"]):
        raise BackupFailed("Tệp sao lưu không khớp bảng kê (thiếu hoặc thừa tệp).")
    archive.extractall(into, filter="data")
    for name, expected in manifest["members"].items():
        if _sha256(into / name) != expected:
            raise BackupFailed(f"Tệp sao lưu bị hỏng: {name} khác mã băm trong bảng kê.")


def restore_from(*, path: Path) -> BackupReport:
    """Replace the database and the stored files by the archive's, after checking it whole; then
    verify the result against its manifest."""
    from motcua.dossiers.audit import AuditReport, chains_verify

    with tempfile.TemporaryDirectory(prefix="motcua-restore-") as work:
        work = Path(work)
        try:
            archive = tarfile.open(path, "r")  # noqa: SIM115 (closed by the with below)
        except (OSError, tarfile.TarError) as error:
            raise BackupFailed(f"Không đọc được tệp sao lưu: {error}") from error
        with archive:
            try:
                manifest = json.loads(archive.extractfile("manifest.json").read())
            except (KeyError, ValueError) as error:
                raise BackupFailed("Tệp sao lưu không có bảng kê hợp lệ.") from error
            if manifest.get("format") != FORMAT:
                raise BackupFailed("Không phải tệp sao lưu của Một Cửa (định dạng lạ).")
            if manifest["vendor"] != connection.vendor:
                raise BackupFailed(
                    f"Bản sao lưu của CSDL {manifest['vendor']}, đang dùng {connection.vendor}."
                )
            _members_check(archive, manifest, work)
        if connection.vendor == "sqlite":
            source = sqlite3.connect(work / "database.sqlite3")
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(work / "database.pgdump"),
                ]
            )
        media = Path(settings.MEDIA_ROOT)
        incoming = work / "media"
        if media.exists():
            shutil.rmtree(media)
        if incoming.exists():
            shutil.copytree(incoming, media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    counts, digest = table_counts(), events_digest()
    if counts != manifest["tables"] or digest != manifest["events_digest"]:
        differing = sorted(
            t
            for t in counts.keys() | manifest["tables"].keys()
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupFailed(
            "Dữ liệu sau khi phục hồi không khớp bảng kê"
            + (f" (bảng: {', '.join(differing[:5])})" if differing else " (nhật ký sự kiện)")
        )
    chains = chains_verify(report=AuditReport())
    if chains.breaks:
        raise BackupFailed(f"Nhật ký sự kiện sau khi phục hồi bị hỏng: {chains.breaks[0]}")
    return BackupReport(tables=counts, files=len(manifest["members"]) - 1, events_digest=digest)
