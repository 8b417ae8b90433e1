from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.units.services import unit_upsert
from tests.conftest import handed_in, local


def test_codes_are_sequential_per_unit_and_day(staff, tree, birth_registration):
    def receive(unit, actor, at):
        return services.dossier_receive(
            actor=actor,
            unit=unit,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name="Lê Văn C"),
            at=at,
        ).code

    assert [receive(tree.tien_dong, staff.desk, local(2024, 5, 6, 8, m)) for m in range(3)] == [
        "11143-240506-0001",
        "11143-240506-0002",
        "11143-240506-0003",
    ]
    assert receive(tree.cong_lac, staff.other_desk, local(2024, 5, 6, 9)) == "11140-240506-0001"
    # A new local day starts again at 1 — 23:30 UTC on 6/5 is already 7/5 in Vietnam.
    assert receive(tree.tien_dong, staff.desk, local(2024, 5, 7, 6, 30)) == "11143-240507-0001"


def test_code_uses_the_agency_identifier_and_grows_past_four_digits(
    staff, tree, birth_registration
):
    unit_upsert(
        code="11143",
        name="UBND xã Tiên Động",
        level="commune",
        parent=tree.district,
        agency_id="000.21.30.H23",
    )
    tree.tien_dong.refresh_from_db()
    from motcua.dossiers.models import DossierCodeSequence

    DossierCodeSequence.objects.create(unit=tree.tien_dong, day=local(2024, 5, 6).date(), last=9999)
    code = services.dossier_code_next(unit=tree.tien_dong, day=local(2024, 5, 6).date())
    assert code == "000.21.30.H23-240506-10000"
