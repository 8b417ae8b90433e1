import pytest

from motcua.core.errors import ValidationFailed
from motcua.units.models import Role
from motcua.units.selectors import unit_subtree, user_has_role, user_roles_in, user_unit_filter
from motcua.units.services import membership_grant, unit_derive_short_name, unit_merge, unit_upsert
from tests.conftest import make_user


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("UBND xã Tiên Động", "Tiên Động"),
        ("UBND huyện Tứ Kỳ", "Tứ Kỳ"),
        ("Ủy ban nhân dân thị trấn Tứ Kỳ", "Tứ Kỳ"),
        ("UBND tỉnh Hải Dương", "Hải Dương"),
        ("Phòng Tư pháp", "Phòng Tư pháp"),
    ],
)
def test_short_name_drops_administrative_prefixes(name, short):
    assert unit_derive_short_name(name=name) == short


def test_tree_paths_and_subtree(tree):
    assert tree.tien_dong.path == "/30/298/11143/"
    assert tree.tien_dong.depth == 2
    assert tree.tien_dong.short_name == "Tiên Động"
    assert set(unit_subtree(unit=tree.district).values_list("code", flat=True)) == {
        "298",
        "298-TP",
        "11143",
        "11140",
    }


def test_moving_a_unit_repaths_its_subtree(tree):
    other, _ = unit_upsert(code="31", name="UBND thành phố Hải Phòng", level="province")
    unit_upsert(code="298", name="UBND huyện Tứ Kỳ", level="district", parent=other)
    tree.tien_dong.refresh_from_db()
    assert tree.tien_dong.path == "/31/298/11143/"


def test_a_unit_cannot_become_its_own_ancestor(tree):
    with pytest.raises(ValidationFailed) as error:
        unit_upsert(code="298", name="UBND huyện Tứ Kỳ", level="district", parent=tree.tien_dong)
    assert error.value.code == "unit_cycle"


def test_merge_keeps_history(tree):
    from datetime import date

    successor, _ = unit_upsert(
        code="11140-new", name="UBND xã Lạc Phượng", level="commune", parent=tree.district
    )
    unit_merge(unit=tree.cong_lac, successor=successor, on=date(2025, 7, 1))
    tree.cong_lac.refresh_from_db()
    assert tree.cong_lac.successor == successor and tree.cong_lac.valid_to == date(2025, 6, 30)


def test_roles_reach_the_subtree_only(tree):
    district_leader = make_user("ld", unit=tree.district, role=Role.LEADER)
    commune_desk = make_user("tn", unit=tree.tien_dong, role=Role.DESK_OFFICER)
    assert user_has_role(user=district_leader, role=Role.LEADER, unit=tree.tien_dong)
    assert not user_has_role(user=district_leader, role=Role.DESK_OFFICER, unit=tree.tien_dong)
    assert user_has_role(user=commune_desk, role=Role.DESK_OFFICER, unit=tree.tien_dong)
    assert not user_has_role(user=commune_desk, role=Role.DESK_OFFICER, unit=tree.cong_lac)
    assert not user_has_role(user=commune_desk, role=Role.DESK_OFFICER, unit=tree.district)
    assert user_roles_in(user=commune_desk, unit=tree.tien_dong) == {Role.DESK_OFFICER}


def test_inactive_membership_and_inactive_user_grant_nothing(tree):
    user = make_user("x", unit=tree.tien_dong, role=Role.PROCESSOR)
    user.memberships.update(active=False)
    user = type(user).objects.get(pk=user.pk)
    assert not user_has_role(user=user, role=Role.PROCESSOR, unit=tree.tien_dong)
    membership_grant(user=user, unit=tree.tien_dong, role=Role.PROCESSOR)
    user = type(user).objects.get(pk=user.pk)
    user.is_active = False
    assert not user_has_role(user=user, role=Role.PROCESSOR, unit=tree.tien_dong)


def test_unit_filter_matches_the_remit(tree):
    from motcua.units.models import Unit

    district_processor = make_user("y", unit=tree.district, role=Role.PROCESSOR)
    # Units whose parent lies in the remit: everything below the district.
    below = Unit.objects.filter(user_unit_filter(user=district_processor, field="parent"))
    assert set(below.values_list("code", flat=True)) == {"298-TP", "11143", "11140"}
    nobody = make_user("z", unit=tree.tien_dong, role=Role.PROCESSOR)
    nobody.memberships.all().delete()
    nobody = type(nobody).objects.get(pk=nobody.pk)
    assert Unit.objects.filter(user_unit_filter(user=nobody, field="parent")).count() == 0


def test_membership_role_is_validated(tree):
    user = make_user("w", unit=tree.tien_dong, role=Role.PROCESSOR)
    with pytest.raises(ValidationFailed):
        membership_grant(user=user, unit=tree.tien_dong, role="king")


def test_a_long_name_gives_a_short_name_that_fits(db):
    unit, _ = unit_upsert(code="X1", name="UBND xã " + "Rất Dài " * 30, level="commune")
    assert len(unit.short_name) == 128
