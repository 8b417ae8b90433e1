from datetime import date

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.services import Applicant
from motcua.indicators.models import Target
from tests.conftest import handed_in, local


@pytest.fixture
def figures(staff, tree, birth_registration):
    # Tiên Động: one dossier, paid online. Cộng Lạc: one dossier, paid at the desk (0 % < 30 %).
    for unit, desk, online in (
        (tree.tien_dong, staff.desk, True),
        (tree.cong_lac, staff.other_desk, False),
    ):
        dossier = services.dossier_receive(
            actor=desk,
            unit=unit,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name="P"),
            at=local(2024, 3, 4, 8),
        )
        services.dossier_record_payment(
            actor=None if online else desk,
            dossier=dossier,
            amount=8000,
            online=online,
            reference="R" if online else "",
            at=local(2024, 3, 4, 9),
        )
    Target.objects.create(
        metric="online_payment",
        percent=30,
        unit=tree.district,
        level="commune",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )


def supervisor_client(staff) -> Client:
    client = Client()
    client.force_login(staff.supervisor)
    return client


def test_overview_shows_rates_children_targets_and_chart(staff, tree, figures):
    response = supervisor_client(staff).get("/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Tỷ lệ thanh toán trực tuyến" in html
    assert "50%" in html  # one of two fee dossiers paid online
    assert "⚠ Cộng Lạc: 0% (chỉ tiêu 30%)" in html
    assert "<svg" in html and "Xu hướng các tỷ lệ theo tháng" in html
    assert "/giam-sat/chi-so/online_payment/?unit=11140" in html


def test_drilldown_lists_the_dossiers_behind_the_number(staff, tree, figures):
    client = supervisor_client(staff)
    everything = client.get(
        "/giam-sat/chi-so/online_payment/?unit=298&from=2024-03-01&to=2024-03-31"
    )
    numerator = client.get(
        "/giam-sat/chi-so/online_payment/?unit=298&from=2024-03-01&to=2024-03-31&part=numerator"
    )
    assert everything.status_code == numerator.status_code == 200
    assert everything.content.decode().count("/ho-so/1114") == 2
    assert numerator.content.decode().count("/ho-so/1114") == 1
    assert "/ho-so/11143-" in numerator.content.decode()


def test_only_supervising_roles_see_the_dashboard(staff, tree, figures):
    desk = Client()
    desk.force_login(staff.desk)
    assert desk.get("/giam-sat/").status_code == 403
    client = supervisor_client(staff)
    assert (
        client.get("/giam-sat/?unit=30").status_code == 403
    )  # the province is above the supervisor
    assert client.get("/giam-sat/?unit=KHONG-CO").status_code == 404
    assert client.get("/giam-sat/chi-so/khong-co/").status_code == 404
    assert Client().get("/giam-sat/").status_code == 302


def test_bad_dates_fall_back_with_a_message(staff, figures):
    response = supervisor_client(staff).get("/giam-sat/?from=hom-qua&to=2024-13-40")
    assert response.status_code == 200
    assert "Ngày không hợp lệ" in response.content.decode()


def test_scorecard_on_the_dashboard_drills_down(staff, tree, figures):
    client = supervisor_client(staff)
    html = client.get("/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31").content.decode()
    assert "Bộ chỉ số 766" in html
    assert "chưa đo được" in html  # unavailable indicators are said, not invented
    assert (
        "/giam-sat/chi-so-766/online_payment_dossiers/" in html or "/giam-sat/chi-so-766/" in html
    )
    response = client.get("/giam-sat/chi-so-766/on_time/?unit=298&from=2024-03-01&to=2024-03-31")
    assert response.status_code == 200
    assert response.content.decode().count("/ho-so/1114") == 2
    assert client.get("/giam-sat/chi-so-766/khong-co/?unit=298").status_code == 404


def test_downloads_open_as_real_files(staff, tree, figures):
    import io

    from docx import Document
    from openpyxl import load_workbook

    client = supervisor_client(staff)
    query = "?unit=298&from=2024-03-01&to=2024-03-31"
    xlsx = client.get("/giam-sat/tai-ve/bieu-06.xlsx" + query)
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row > 5
    pdf = client.get("/giam-sat/tai-ve/bieu-06.pdf" + query)
    assert pdf.content.startswith(b"%PDF")
    brief = client.get("/giam-sat/tai-ve/bao-cao-tom-tat.docx" + query)
    text = "\n".join(p.text for p in Document(io.BytesIO(brief.content)).paragraphs)
    assert "Cộng Lạc 0%" in text
    ranking = load_workbook(
        io.BytesIO(client.get("/giam-sat/tai-ve/xep-hang.xlsx" + query).content)
    ).active
    assert ranking["A2"].value == "Hạng"
    assert {ranking.cell(row=r, column=2).value for r in range(3, ranking.max_row + 1)} >= {
        "11143",
        "11140",
    }
    desk = Client()
    desk.force_login(staff.desk)
    assert desk.get("/giam-sat/tai-ve/bieu-06.xlsx" + query).status_code == 403


def test_rankings_page_ranks_units_with_data_and_lists_the_rest_apart(staff, tree, figures):
    client = supervisor_client(staff)
    overview = client.get("/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31").content.decode()
    assert 'href="/giam-sat/xep-hang/?unit=298&amp;from=2024-03-01&amp;to=2024-03-31"' in overview
    response = client.get("/giam-sat/xep-hang/?unit=298&from=2024-03-01&to=2024-03-31")
    assert response.status_code == 200
    html = response.content.decode()
    ranked = response.context["ranked_units"]
    assert sorted(r["unit"]["code"] for r in ranked) == ["11140", "11143"]
    assert [r["unit"]["code"] for r in response.context["unranked_units"]] == ["298-TP"]
    apart = html.index("Chưa có dữ liệu (không xếp hạng)")
    assert html.index("UBND xã Tiên Động") < apart < html.index("Phòng Tư pháp huyện Tứ Kỳ")
    assert "Cán bộ theo tỷ lệ bước xử lý đúng hạn" in html


def test_rankings_page_has_the_dashboards_permission(staff, tree, figures):
    desk = Client()
    desk.force_login(staff.desk)
    assert desk.get("/giam-sat/xep-hang/").status_code == 403
    assert supervisor_client(staff).get("/giam-sat/xep-hang/?unit=30").status_code == 403
    assert Client().get("/giam-sat/xep-hang/").status_code == 302


def test_overview_shows_the_target_plan_next_to_the_rates(staff, tree, figures):
    from motcua.indicators.planner import targets_plan

    (plan,) = targets_plan(unit=tree.district, as_of=date(2024, 3, 31))
    assert plan.unit == tree.cong_lac and plan.by == date(2024, 12, 31) and plan.needed > 0
    response = supervisor_client(staff).get("/giam-sat/?unit=298&from=2024-03-01&to=2024-03-31")
    html = response.content.decode()
    assert "Kế hoạch đạt chỉ tiêu" in html
    assert f"<strong>{plan.needed}</strong> lượt thanh toán trực tuyến đến 31/12/2024" in html
    assert "Đăng ký khai sinh: 1 hồ sơ (8.000 đồng)" in html


def test_scorecard_procedure_indicators_list_their_procedures(staff, tree, figures):
    from motcua.scorecard.selectors import scorecard_compute

    client = supervisor_client(staff)
    query = "?unit=298&from=2024-03-01&to=2024-03-31"
    overview = client.get("/giam-sat/" + query).content.decode()
    assert "/giam-sat/chi-so-766/offered_online/" in overview
    card = scorecard_compute(unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 31))
    figure = next(i for g in card["groups"] for i in g["indicators"] if i["id"] == "3.1")
    page = client.get("/giam-sat/chi-so-766/offered_online/" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Danh sách thủ tục" in html
    assert html.count("<tr><td>1.") == figure["denominator"]  # one row per procedure
    numerator = client.get("/giam-sat/chi-so-766/offered_online/" + query + "&part=numerator")
    assert numerator.content.decode().count("<tr><td>1.") == figure["numerator"]
