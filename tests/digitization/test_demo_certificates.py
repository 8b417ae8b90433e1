"""The demo's self-signed certificates: made by `motcua demo`, kept across runs, labelled as demo
certificates wherever they show, and never written over a real configuration."""

import json
import stat
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.demo import data
from motcua.digitization.certificates import DEMO_NOTICE, signing_config_get
from motcua.digitization.services import (
    demo_signing_certificates_ensure,
    result_pdf_sign,
    result_pdf_verify,
)


@pytest.mark.django_db
def test_demo_command_makes_and_configures_certificates(settings, plain_pdf):
    out = StringIO()
    call_command("demo", "--no-dossiers", stdout=out)
    assert DEMO_NOTICE in out.getvalue()
    assert str(settings.MOTCUA_SIGNING_CERTIFICATES) in out.getvalue()
    config = signing_config_get()
    assert config.demo
    assert config.default_unit == data.DISTRICT["code"]
    assert set(config.units) == set(data.SIGNING_UNITS)
    assert len(config.units) >= 2
    commune = data.COMMUNES[1][0]
    verification = result_pdf_verify(pdf=result_pdf_sign(pdf=plain_pdf, unit_code=commune))
    assert verification.valid
    assert verification.demo
    assert verification.unit_code == commune
    assert verification.unit_name == data.COMMUNES[1][1]
    assert verification.as_dict()["notice"] == DEMO_NOTICE


def test_kept_across_runs(settings, tmp_path, plain_pdf):
    path = settings.MOTCUA_SIGNING_CERTIFICATES
    first = demo_signing_certificates_ensure(
        units=[("298", "UBND huyện Tứ Kỳ"), ("11074", "UBND thị trấn Tứ Kỳ")], default_unit="298"
    )
    assert first["created"] == 2 and not first["skipped"]
    key_file = path.parent / "298.p12"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    signed = result_pdf_sign(pdf=plain_pdf, unit_code="298")
    again = demo_signing_certificates_ensure(
        units=[("298", "UBND huyện Tứ Kỳ"), ("11077", "UBND xã Ngọc Sơn")], default_unit="298"
    )
    assert again["created"] == 1  # only the new unit
    assert again["units"] == ["11074", "11077", "298"]
    assert result_pdf_verify(pdf=signed).valid  # yesterday's results still verify


def test_a_real_configuration_is_never_touched(signing):
    before = signing.path.read_text(encoding="utf-8")
    outcome = demo_signing_certificates_ensure(
        units=[("298", "UBND huyện Tứ Kỳ")], default_unit="298"
    )
    assert outcome["skipped"]
    assert signing.path.read_text(encoding="utf-8") == before
    assert json.loads(before).get("demo") is None
