"""`motcua backup FILE` and `motcua restore FILE`: a round trip gives back the same rows, event log
and stored files (SQLite and PostgreSQL), and a damaged archive is refused before anything is
replaced."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.backup import events_digest, table_counts
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import Dossier, DossierEvent
from tests.conftest import local
from tests.dossiers.test_lifecycle import receive

pytestmark = pytest.mark.django_db(transaction=True)


def _files() -> dict[str, bytes]:
    media = Path(settings.MEDIA_ROOT)
    return {
        p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()
    }


def _state() -> dict:
    return {
        "counts": table_counts(),
        "events": list(DossierEvent.objects.order_by("id").values_list("id", "hash")),
        "dossiers": list(Dossier.objects.order_by("id").values_list("code", "state")),
        "files": _files(),
        "digest": events_digest(),
    }


@pytest.fixture
def deployment(staff, tree, birth_registration):
    receive(staff, tree, birth_registration)
    receive(staff, tree, birth_registration, at=local(2024, 2, 7, 11, 0))
    scan = Path(settings.MEDIA_ROOT) / "dossiers" / "2024" / "02" / "to-khai.pdf"
    scan.parent.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(b"%PDF-1.7 to khai cua Nguyen Van An")
    return staff, tree, birth_registration


def test_backup_and_restore_round_trip(deployment, tmp_path, capsys):
    staff, tree, procedure = deployment
    before = _state()
    archive = tmp_path / "motcua.tar"
    call_command("backup", str(archive))
    assert "1 tệp vào" in capsys.readouterr().out
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["tables"]["dossiers_dossier"] == 2
    assert "media/dossiers/2024/02/to-khai.pdf" in manifest["members"]

    # Life goes on after the backup: another dossier, a file gone, a file added.
    receive(staff, tree, procedure, at=local(2024, 2, 8, 9, 0))
    (Path(settings.MEDIA_ROOT) / "dossiers" / "2024" / "02" / "to-khai.pdf").unlink()
    (Path(settings.MEDIA_ROOT) / "moi.txt").write_text("sau sao luu")
    assert _state() != before

    call_command("restore", str(archive), "--yes")
    assert "khớp bảng kê" in capsys.readouterr().out
    assert _state() == before
    assert audit_verify().intact


def test_a_damaged_archive_is_refused_and_nothing_replaced(deployment, tmp_path):
    archive = tmp_path / "motcua.tar"
    call_command("backup", str(archive))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data.replace(b"Nguyen", b"Tran")
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    staff, tree, procedure = deployment
    receive(staff, tree, procedure, at=local(2024, 2, 8, 9, 0))
    now = _state()
    with pytest.raises(CommandError, match="bị hỏng"):
        call_command("restore", str(damaged), "--yes")
    assert _state() == now
    with pytest.raises(CommandError, match=r"Không đọc được|bảng kê"):
        (tmp_path / "rac.tar").write_bytes(b"khong phai tar")
        call_command("restore", str(tmp_path / "rac.tar"), "--yes")
