from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, local

ID_NUMBER = "001099012345"
APPLICANT = Applicant(
    name="Nguyễn Văn An",
    id_number=ID_NUMBER,
    phone="0912 345 678",
    email="an.nguyen@example.vn",
    address="Thôn Đông, xã Tiên Động",
)


def receive(staff, tree, procedure, *, applicant=APPLICANT, at=None):
    return services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=applicant,
        at=at or local(2024, 2, 7, 10, 0),
    )
