"""The result's delivery, as the applicant chose at filing: online (download the signed result
from the tracking page, after verifying themselves), at the desk, or by post with the BCCI
tracking number the officer records at the hand-over."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.digitization.services import demo_signing_certificates_ensure, result_pdf_verify
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in
from tests.portal.conftest import PHONE, look_up

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificates(tree):
    demo_signing_certificates_ensure(units=[("11143", tree.tien_dong.name)], default_unit="11143")


def resolved(staff, tree, procedure, *, delivery: str, electronic: bool = True):
    dossier = services.dossier_submit_online(
        unit=tree.tien_dong,
        procedure=procedure,
        components=handed_in(procedure),
        applicant=Applicant(name="Nguyễn Thị Hoa", phone=PHONE),
        result_delivery=delivery,
    )
    dossier = services.dossier_accept(actor=staff.desk, dossier=dossier)
    dossier = services.dossier_forward(actor=staff.desk, dossier=dossier)
    dossier = services.dossier_forward(actor=staff.processor, dossier=dossier)
    return services.dossier_perform(
        actor=staff.leader,
        dossier=dossier,
        slug="resolve",
        expected_version=None,
        inputs={"result_summary": "Giấy khai sinh", "electronic": electronic},
    )


def test_online_delivery_download_from_the_tracking_page(client, staff, tree, birth_registration):
    dossier = resolved(staff, tree, birth_registration, delivery="online")
    url = f"/cong-dich-vu/ho-so/{dossier.code}/ket-qua.pdf"
    # Without the applicant's verification the file is not served: back to the lookup.
    assert client.get(url).status_code == 302
    look_up(client, dossier)
    page = client.get(f"/cong-dich-vu/ho-so/{dossier.code}/").content.decode()
    assert "Tải kết quả điện tử" in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    verdict = result_pdf_verify(pdf=b"".join(response.streaming_content))
    assert verdict.valid and verdict.dossier_code == dossier.code
    # The officer records the hand-over: made available online.
    returned = services.dossier_return_result(actor=staff.desk, dossier=dossier)
    assert returned.state == 10
    assert returned.events.get(kind="result_returned").payload["delivery"] == "online"


def test_online_delivery_needs_a_result_file(staff, tree, birth_registration):
    # The leader's approval asks for the electronic result the applicant will download…
    with pytest.raises(ValidationFailed) as refused:
        resolved(staff, tree, birth_registration, delivery="online", electronic=False)
    assert refused.value.code == "result_electronic_required"
    # … and the hand-over, reached another way (the service called directly), for its file.
    dossier = Dossier.objects.get()
    dossier = services.dossier_resolve(actor=staff.leader, dossier=dossier, result_summary="KQ")
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_return_result(actor=staff.desk, dossier=dossier)
    assert refused.value.code == "result_file_missing"


def test_desk_delivery_downloads_only_after_the_hand_over(client, staff, tree, birth_registration):
    dossier = resolved(staff, tree, birth_registration, delivery="desk")
    look_up(client, dossier)
    url = f"/cong-dich-vu/ho-so/{dossier.code}/ket-qua.pdf"
    assert client.get(url).status_code == 404
    services.dossier_return_result(actor=staff.desk, dossier=dossier)
    assert client.get(url).status_code == 200


def test_post_delivery_records_the_tracking_number(client, staff, tree, birth_registration):
    dossier = resolved(staff, tree, birth_registration, delivery="post")
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_return_result(actor=staff.desk, dossier=dossier)
    assert refused.value.code == "result_tracking_number_required"
    # Through the officer's page, the lifecycle's input.
    client.force_login(staff.desk)
    client.post(
        f"/ho-so/{dossier.code}/thao-tac/tra-ket-qua/",
        {
            "expected_version": Dossier.objects.get(pk=dossier.pk).last_event_seq,
            "tracking_number": " ee 123456789 vn ",
        },
    )
    dossier.refresh_from_db()
    assert dossier.state == 10 and dossier.result_tracking_number == "EE123456789VN"
    assert dossier.events.get(kind="result_returned").payload["delivery"] == "post"


def test_a_tracking_number_without_post_is_refused(staff, tree, birth_registration):
    dossier = resolved(staff, tree, birth_registration, delivery="desk")
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_return_result(actor=staff.desk, dossier=dossier, tracking_number="EE1VN")
    assert refused.value.code == "result_tracking_number_unexpected"


def test_the_choice_is_made_at_filing_and_checked(tree, birth_registration):
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_submit_online(
            unit=tree.tien_dong,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name="A", phone=PHONE),
            result_delivery="pigeon",
        )
    assert refused.value.code == "result_delivery_invalid"
    assert not Dossier.objects.exists()


def test_the_portal_and_the_desk_forms_record_the_choice(client, staff, tree, birth_registration):
    from tests.desk.test_intake import intake_url, valid_post
    from tests.portal.test_submit import URL, form_data

    assert (
        client.post(URL, form_data(tree, birth_registration, result_delivery="post")).status_code
        == 302
    )
    assert Dossier.objects.get().result_delivery == "post"
    client.force_login(staff.desk)
    response = client.post(
        intake_url(birth_registration), valid_post(birth_registration, result_delivery="online")
    )
    assert response.status_code == 302
    assert Dossier.objects.latest("pk").result_delivery == "online"
