"""Shared fixtures: a small real unit tree, staff in every role, and a procedure — all made through
the services, as production data is; and headless LibreOffice to open the exports."""

import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.catalog.services import procedure_upsert
from motcua.core.timeutil import LOCAL_TZ
from motcua.units.models import Role
from motcua.units.services import membership_grant, unit_upsert
from motcua.workcalendar.selectors import calendar_cache_clear

# A second alias on the same test database, as a streaming replica would be (core.replica): the
# router sends reads there only where a test sets MOTCUA_FIGURES_DATABASE = "replica"
# (tests/core/test_replica.py), so every other test runs on the primary alone.
django_settings.DATABASES.setdefault(
    "replica", {**django_settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _staged_files_in_place_at_once(monkeypatch):
    """A test's transaction never commits, so an upload staged until the commit
    (dossiers.documents.staged_store) is moved into place at once, as a committed request's is.
    tests/dossiers/test_documents.py undoes this to test the staging itself."""
    from motcua.dossiers import documents

    monkeypatch.setattr(documents, "_on_commit", lambda callback: callback())


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Signing certificates (`motcua demo` writes its own there): never the developer's var/.
    settings.MOTCUA_SIGNING_CERTIFICATES = tmp_path / "signing" / "certificates.json"
    # Real password hashing costs ~0.3 s a user; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor login is tested on its own (tests/backoffice/test_two_factor.py, the e2e test);
    # elsewhere leaders and administrators log in with their password alone.
    settings.MOTCUA_TWO_FACTOR = False
    # OCR takes seconds a page: only the tests of OCR switch it on.
    settings.MOTCUA_OCR = False
    # Figures are computed afresh for each request unless a test of the cache asks otherwise.
    settings.MOTCUA_FIGURES_CACHE_SECONDS = 0
    settings.MOTCUA_PUBLIC_PAGE_CACHE_SECONDS = 0
    # A rolled-back test sends no signal: start every test with a calendar read from the database.
    calendar_cache_clear()


@pytest.fixture
def tree(db):
    province, _ = unit_upsert(
        code="30", name="UBND tỉnh Hải Dương", level="province", agency_id="000.00.00.H23"
    )
    district, _ = unit_upsert(
        code="298",
        name="UBND huyện Tứ Kỳ",
        level="district",
        parent=province,
        agency_id="000.00.30.H23",
    )
    justice, _ = unit_upsert(
        code="298-TP", name="Phòng Tư pháp huyện Tứ Kỳ", level="department", parent=district
    )
    tien_dong, _ = unit_upsert(
        code="11143", name="UBND xã Tiên Động", level="commune", parent=district
    )
    cong_lac, _ = unit_upsert(
        code="11140", name="UBND xã Cộng Lạc", level="commune", parent=district
    )
    return SimpleNamespace(
        province=province,
        district=district,
        justice=justice,
        tien_dong=tien_dong,
        cong_lac=cong_lac,
    )


def make_user(username: str, *, unit, role: str, first_name: str = ""):
    user = get_user_model().objects.create_user(
        username, password="mat-khau-thu-nghiem", first_name=first_name
    )
    membership_grant(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def staff(tree):
    return SimpleNamespace(
        desk=make_user("tiepnhan.tiendong", unit=tree.tien_dong, role=Role.DESK_OFFICER),
        processor=make_user("chuyenvien.tiendong", unit=tree.tien_dong, role=Role.PROCESSOR),
        leader=make_user("lanhdao.tiendong", unit=tree.tien_dong, role=Role.LEADER),
        other_desk=make_user("tiepnhan.conglac", unit=tree.cong_lac, role=Role.DESK_OFFICER),
        other_processor=make_user("chuyenvien.conglac", unit=tree.cong_lac, role=Role.PROCESSOR),
        justice_processor=make_user("chuyenvien.tuphap", unit=tree.justice, role=Role.PROCESSOR),
        supervisor=make_user("giamsat.tuky", unit=tree.district, role=Role.SUPERVISOR),
    )


@pytest.fixture
def birth_registration(db):
    procedure, _ = procedure_upsert(
        code="1.001193",
        name="Đăng ký khai sinh",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="full",
        fees=[{"name": "Lệ phí đăng ký khai sinh", "amount": 8000}],
        components=[
            {"code": "TP1", "name": "Tờ khai đăng ký khai sinh"},
            {"code": "TP2", "name": "Giấy chứng sinh"},
        ],
    )
    return procedure


def handed_in(
    procedure,
    *,
    digitized: bool = False,
    reused: bool = False,
    file=None,
    otherwise: str = "",
) -> list:
    """The procedure's required components, each handed in, as a complete dossier at the desk; for
    a procedure that requires none, one document named `otherwise` (none when it is empty)."""
    from motcua.dossiers.services import ReceivedComponent

    items = [
        ReceivedComponent(name=c.name, component=c, digitized=digitized, reused=reused, file=file)
        for c in procedure.components.order_by("position", "pk")
        if c.required
    ]
    if not items and otherwise:
        items = [ReceivedComponent(name=otherwise, digitized=digitized, reused=reused, file=file)]
    return items


# --- LibreOffice ----------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(
    not shutil.which("soffice"),
    reason="needs headless LibreOffice (soffice): apt-get install libreoffice-calc-nogui "
    "libreoffice-writer-nogui — .ci/run installs them",
)
SOFFICE_TIMEOUT = 120  # seconds; a start takes a few, the first with a new profile a little more


@pytest.fixture
def soffice(tmp_path) -> Callable[..., list[Path]]:
    """`soffice(paths, to="csv:…")`: open the files in headless LibreOffice and save each in the
    format `to` (`ext[:filter[:options]]`), all in one start of LibreOffice, with a profile of this
    test's own (a developer's running LibreOffice or its settings play no part). Returns the files
    written, in the order given. soffice exits 0 even when it cannot load a file, so a missing output
    is the failure."""
    if not shutil.which("soffice"):
        pytest.skip(needs_soffice.kwargs["reason"])
    profile = tmp_path / "libreoffice-profile"
    # The C locale: numbers "as shown" in a CSV do not depend on the machine's language.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def convert(paths: Sequence[Path], *, to: str, outdir: Path | None = None) -> list[Path]:
        outdir = outdir or tmp_path / "libreoffice-out"
        args = [
            "soffice", "--headless", "--norestore", "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", to, "--outdir", str(outdir), *map(str, paths),
        ]  # fmt: skip
        # soffice is a launcher that starts soffice.bin: a session of its own lets a timeout end both.
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"soffice took more than {SOFFICE_TIMEOUT} s: {' '.join(args)}")
        assert process.returncode == 0, f"soffice exited {process.returncode}: {out}{err}"
        extension = to.split(":")[0]
        written = [outdir / f"{Path(path).stem}.{extension}" for path in paths]
        missing = [path.name for path in written if not path.is_file()]
        assert not missing, f"LibreOffice wrote no {missing}: {out}{err}"
        return written

    return convert
