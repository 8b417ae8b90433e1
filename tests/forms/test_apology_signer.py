"""The apology letter (form 04) is the agency's: signed by the unit's leader, not by the
specialist who entered it."""

import shutil

import pytest

from motcua.forms.selectors import form_context
from motcua.forms.services import form_render_pdf
from motcua.units.models import Membership, Role
from motcua.units.services import membership_grant
from tests.conftest import make_user
from tests.forms.test_pdfs import pdf_text

pytestmark = pytest.mark.django_db


def test_the_units_leader_signs_with_their_title(shapes, staff, tree):
    staff.leader.first_name, staff.leader.last_name = "Phạm Văn", "Lãnh"
    staff.leader.save()
    membership_grant(user=staff.leader, unit=tree.tien_dong, role=Role.LEADER, title="Chủ tịch")
    context = form_context(kind="apology", dossier=shapes.full)
    assert (context["sign_title"], context["officer_name"]) == ("CHỦ TỊCH", "Phạm Văn Lãnh")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_printed_letter_names_the_leader_not_the_specialist(shapes, staff, tree):
    membership_grant(user=staff.leader, unit=tree.tien_dong, role=Role.LEADER, title="Chủ tịch")
    text = pdf_text(form_render_pdf(kind="apology", dossier=shapes.full))
    assert "CHỦ TỊCH" in text and staff.leader.username in text
    # The processor typed the apology in; the letter is not theirs to sign.
    assert staff.processor.username not in text


def test_the_nearest_leader_above_signs_when_the_unit_has_none(shapes, staff, tree):
    Membership.objects.filter(unit=tree.tien_dong, role=Role.LEADER).update(active=False)
    chair = make_user("chutich.tuky", unit=tree.district, role=Role.LEADER, first_name="Đỗ")
    Membership.objects.filter(user=chair).update(title="Chủ tịch UBND huyện")
    context = form_context(kind="apology", dossier=shapes.full)
    assert (context["sign_title"], context["officer_name"]) == ("CHỦ TỊCH UBND HUYỆN", "Đỗ")


def test_without_a_known_leader_a_blank_block_under_the_heads_title(shapes, staff, tree):
    Membership.objects.filter(role=Role.LEADER).update(active=False)
    context = form_context(kind="apology", dossier=shapes.full)
    assert (context["sign_title"], context["officer_name"]) == ("THỦ TRƯỞNG CƠ QUAN", "")
