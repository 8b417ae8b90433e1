import json
from datetime import date
from io import StringIO

from django.core.management import call_command

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.reports.review import procedure_review
from tests.conftest import handed_in, local


def test_review_measures_office_time_supplements_and_the_slow_step(staff, tree, birth_registration):
    def receive(at):
        return services.dossier_receive(
            actor=staff.desk,
            unit=tree.tien_dong,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name="R"),
            at=at,
        )

    # A: desk 30 min, processor 1 h, leader 30 min → 2 working hours; ends on time.
    a = receive(local(2024, 3, 4, 8))
    a = services.dossier_forward(actor=staff.desk, dossier=a, at=local(2024, 3, 4, 8, 30))
    a = services.dossier_forward(actor=staff.processor, dossier=a, at=local(2024, 3, 4, 9, 30))
    services.dossier_resolve(
        actor=staff.leader, dossier=a, result_summary="KQ", at=local(2024, 3, 4, 10)
    )
    # B: a supplement request (the applicant's week is not office time), then the processor takes
    # 8:00–13:00 after it, lunch excluded: 3.5 h; the desk 30 min, the processor 30 min before it,
    # the leader 1 h → 5.5 h.
    b = receive(local(2024, 3, 5, 8))
    b = services.dossier_forward(actor=staff.desk, dossier=b, at=local(2024, 3, 5, 8, 30))
    b = services.dossier_request_supplement(
        actor=staff.processor, dossier=b, content="Thiếu", at=local(2024, 3, 5, 9)
    )
    b = services.dossier_receive_supplement(actor=staff.desk, dossier=b, at=local(2024, 3, 12, 8))
    b = services.dossier_forward(actor=staff.processor, dossier=b, at=local(2024, 3, 12, 13))
    services.dossier_resolve(
        actor=staff.leader, dossier=b, result_summary="KQ", at=local(2024, 3, 12, 14)
    )

    [row] = procedure_review(unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 31))
    assert row["procedure"]["code"] == "1.001193"
    assert row["dossiers"] == 2
    assert row["legal_limit_hours"] == 8.0
    assert row["average_hours"] == 3.75  # (2 h + 5.5 h) / 2
    assert row["percent_of_limit"] == 46.88
    assert row["supplement_percent"] == 50.0
    assert row["slowest_step"] == "Thẩm định, xử lý hồ sơ"
    processing = next(s for s in row["steps"] if s["role"] == "processor")
    assert processing["count"] == 3  # A's, B's before and after the supplement
    out = StringIO()
    call_command(
        "report",
        "review",
        "--unit",
        "298",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())[0]["dossiers"] == 2
    text = StringIO()
    call_command(
        "report",
        "review",
        "--unit",
        "298",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        stdout=text,
    )
    assert "bình quân 3,75 giờ làm việc (46,88% thời hạn 8 giờ)" in text.getvalue()
    assert processing["share_of_time_percent"] == 66.67  # 5 of the 7.5 office hours


def test_review_counts_withdrawn_dossiers_only_by_the_policy(
    settings, staff, tree, birth_registration
):
    """The counting rules' policy (MOTCUA_COUNT_WITHDRAWN) binds the review as it binds every
    figure: a withdrawn dossier is reviewed only when the province counts withdrawals."""
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="R"),
        at=local(2024, 3, 4, 8),
    )
    services.dossier_withdraw(
        actor=staff.desk, dossier=dossier, reason="Rút", at=local(2024, 3, 4, 9)
    )
    period = {"unit": tree.district, "start": date(2024, 3, 1), "end": date(2024, 3, 31)}
    settings.MOTCUA_COUNT_WITHDRAWN = False
    assert procedure_review(**period) == []
    settings.MOTCUA_COUNT_WITHDRAWN = True
    [row] = procedure_review(**period)
    assert row["dossiers"] == 1
