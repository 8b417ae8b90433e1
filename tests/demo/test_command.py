"""The thin `motcua demo` command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from motcua.dossiers.models import Dossier
from motcua.units.models import Unit

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_command_without_dossiers():
    out = StringIO()
    call_command("demo", "--no-dossiers", stdout=out)
    assert Dossier.objects.count() == 0
    assert Unit.objects.filter(code="11143").exists()
    assert "quantri" in out.getvalue()
    assert "motcua-demo-2024" in out.getvalue()


def test_command_rejects_a_bad_date():
    with pytest.raises(CommandError):
        call_command("demo", "--today", "27/06/2025")
