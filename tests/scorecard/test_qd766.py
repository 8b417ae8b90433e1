"""The qd766 formulas on hand-made data, each where a naive reading of the indicator gives another
answer (the naive answer is stated next to the expected one).

March 2024 has no holidays; birth registration (1.001193) has a 1-working-day limit, an 8 000 đ
fee, a paper result and a full online service."""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import Q

from motcua.catalog.models import Publication
from motcua.catalog.services import procedure_upsert
from motcua.dossiers import services
from motcua.dossiers.models import ApplicantKind, Dossier, DossierDocument
from motcua.indicators.selectors import form06_figures
from motcua.scorecard import qd766, sources
from motcua.scorecard.definitions import scorecard_definition_get
from motcua.scorecard.formulas import points_for
from motcua.scorecard.selectors import (
    DRILLDOWNS_766,
    scorecard_compute,
    scorecard_drilldown,
    scorecard_report,
    scorecard_sets,
)
from tests.conftest import local
from tests.scorecard.conftest import ALL_PARTS, MARCH, receive, receive_online, resolve


def item(card: dict, number: str) -> dict:
    return next(i for g in card["groups"] for i in g["indicators"] if i["id"] == number)


def card_of(unit, start=MARCH[0], end=MARCH[1]) -> dict:
    return scorecard_compute(unit=unit, start=start, end=end)


def facts(dossier, **values) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(**values)


# --- pure arithmetic -----------------------------------------------------------------------------


def at(day, hour=8):
    return local(2024, 3, day, hour, 0)


END = local(2024, 4, 1, 0, 0)  # the moment after March


def hours(start: datetime, end: datetime) -> int:
    """A stand-in calendar: every hour counts (enough for the verdict's arithmetic)."""
    return int((end - start).total_seconds())


def test_waiting_for_its_one_supplement_is_judged_at_the_request():
    # Requested on 4/3 before the due moment 5/3; still waiting at the end of March.
    # Naive (judged at the period's end): overdue.
    supplements = [{"requested": at(4, 10), "received": None, "due_before": None}]
    kwargs = dict(
        received_at=at(4), end=None, due_at=at(5), budget_seconds=0, working_seconds=hours
    )
    assert qd766.judged_on_time(supplements=supplements, after=END, **kwargs)
    # Requested after the due moment had passed: late.
    late = [{"requested": at(6), "received": None, "due_before": None}]
    assert not qd766.judged_on_time(supplements=late, after=END, **kwargs)


def test_more_than_one_supplement_is_late_even_if_ended_in_time():
    two = [
        {"requested": at(4, 9), "received": at(4, 10), "due_before": at(5)},
        {"requested": at(4, 11), "received": at(4, 12), "due_before": at(5)},
    ]
    assert not qd766.judged_on_time(
        received_at=at(4),
        end=at(4, 13),
        due_at=at(5),
        supplements=two,
        budget_seconds=0,
        after=END,
        working_seconds=hours,
    )


def test_no_promised_date_subtracts_the_supplement_wait_from_the_elapsed_time():
    # Received 4/3 08:00, ended 4/3 20:00 (12 h), waited 6 h for a supplement; limit 8 h.
    # Naive (elapsed against the limit): 12 h > 8 h, late.
    wait = [{"requested": at(4, 10), "received": at(4, 16), "due_before": None}]
    assert qd766.judged_on_time(
        received_at=at(4),
        end=at(4, 20),
        due_at=None,
        supplements=wait,
        budget_seconds=8 * 3600,
        after=END,
        working_seconds=hours,
    )
    assert not qd766.judged_on_time(
        received_at=at(4),
        end=at(4, 20),
        due_at=None,
        supplements=[],
        budget_seconds=8 * 3600,
        after=END,
        working_seconds=hours,
    )


def test_a_resume_after_the_period_is_judged_with_the_date_then_in_force():
    # Open at the period's end, resumed after it: the due moment has since moved to 10/4, but at
    # the end of March it was 5/3 — overdue. Naive (today's due date): within the deadline.
    resumed = [
        {
            "requested": local(2024, 4, 1, 9, 0),
            "received": local(2024, 4, 3, 9, 0),
            "due_before": at(5),
        }
    ]
    assert not qd766.judged_on_time(
        received_at=at(4),
        end=None,
        due_at=local(2024, 4, 10, 8, 0),
        supplements=resumed,
        budget_seconds=0,
        after=END,
        working_seconds=hours,
    )


def test_service_satisfaction_sums_the_two_rates():
    # 10 dossiers, 1 late and also complained about. Naive (dossiers neither late nor complained
    # about): 9/10. The formula subtracts both rates: 80 %.
    assert qd766.satisfaction_rate(dossiers=10, late=1, feedback_or_dislike=1) == Fraction(4, 5)
    assert qd766.satisfaction_numerator(dossiers=10, late=1, feedback_or_dislike=1) == 8
    assert qd766.satisfaction_rate(dossiers=2, late=2, feedback_or_dislike=1) == 0
    assert qd766.satisfaction_rate(dossiers=0, late=0, feedback_or_dislike=0) is None
    # Threshold 90 %: 80 % earns 6 × 80/90.
    assert points_for(
        maximum=Decimal(6), threshold=Decimal(90), fraction=Fraction(4, 5)
    ) == Decimal("5.33")


def test_filed_online_is_multiplied_by_the_sync_rate():
    # 6 of 10 online, 5 of 10 synced: 30 % (naive: 60 %), against the 50 % threshold.
    rate = qd766.rate_with_factor(6, 10, (5, 10))
    assert rate == Fraction(3, 10)
    assert points_for(maximum=Decimal(10), threshold=Decimal(50), fraction=rate) == Decimal("6.00")
    assert qd766.rate_with_factor(6, 10, (0, 0)) == 0
    assert qd766.rate_with_factor(0, 0, (5, 10)) is None


def test_paid_online_counts_the_province_gateway_too():
    # Flag 2 (the province's own gateway) is paid online; naive ("1" only) would not count it.
    assert sources.paid_online_flag_counts(paid_online=True, owed=0, provider="province")
    assert sources.paid_online_flag_counts(paid_online=True, owed=0, provider="national")
    assert not sources.paid_online_flag_counts(paid_online=False, owed=8000, provider=None)
    assert not sources.paid_online_flag_counts(paid_online=False, owed=0, provider=None)


# --- on real dossiers ----------------------------------------------------------------------------


@pytest.fixture
def processing(tree, staff, birth_registration):
    """Tiên Động, March 2024:
    R  resolved 04/03 10:00 (due 05/03 08:00), returned to the applicant 12/03 — on time
    W  withdrawn 05/03 — counted, ended before its due moment: on time
    S  supplement requested 04/03 10:00 (before its due moment), still waiting — on time
    T  two supplement requests, resolved before its due moment — late
    O  open, overdue — late"""
    birth = birth_registration
    r = receive(staff, tree.tien_dong, birth, at(4))
    r = resolve(staff, r, at(4, 10))
    r = services.dossier_return_result(actor=staff.desk, dossier=r, at=at(12))
    w = receive(staff, tree.tien_dong, birth, at(5))
    w = services.dossier_withdraw(actor=staff.desk, dossier=w, reason="Rút", at=at(5, 9))
    s = receive(staff, tree.tien_dong, birth, at(4))
    s = services.dossier_request_supplement(
        actor=staff.desk, dossier=s, content="Bổ sung giấy chứng sinh", at=at(4, 10)
    )
    t = receive(staff, tree.tien_dong, birth, at(6))
    t = services.dossier_request_supplement(
        actor=staff.desk, dossier=t, content="Bổ sung lần 1", at=at(6, 9)
    )
    t = services.dossier_receive_supplement(actor=staff.desk, dossier=t, at=at(6, 10))
    t = services.dossier_request_supplement(
        actor=staff.desk, dossier=t, content="Bổ sung lần 2", at=at(6, 11)
    )
    t = services.dossier_receive_supplement(actor=staff.desk, dossier=t, at=at(6, 12))
    t = resolve(staff, t, at(6, 14))
    o = receive(staff, tree.tien_dong, birth, at(7))
    return dict(r=r, w=w, s=s, t=t, o=o)


def test_on_time_as_the_portal_counts_it(tree, processing, settings):
    settings.MOTCUA_COUNT_WITHDRAWN = False  # form 06 drops withdrawn dossiers; 766 does not
    r = Dossier.objects.get(pk=processing["r"].pk)
    assert r.returned_at > r.due_at >= r.ended_at  # naive "returned" end: late
    figure = item(card_of(tree.tien_dong), "2.1")
    assert (figure["numerator"], figure["denominator"]) == (3, 5)  # R, W, S of all five
    form06 = form06_figures(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    assert form06[()].received_total == 4  # the withdrawn one dropped out there
    sets = scorecard_sets(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="2.1")
    assert set(sets.numerator.values_list("pk", flat=True)) == {
        processing[k].pk for k in ("r", "w", "s")
    }


def test_scope_is_the_processing_agency_not_the_receiving_centre(tree, processing):
    facts(processing["o"], received_by=tree.cong_lac)
    assert item(card_of(tree.tien_dong), "2.1")["denominator"] == 5
    assert item(card_of(tree.cong_lac), "2.1")["status"] == "no_data"
    assert item(card_of(tree.district), "2.1")["denominator"] == 5  # the subtree


@pytest.fixture
def catalogue766(tree):
    copy, _ = procedure_upsert(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        field_name="Chứng thực",
        level="commune",
        time_limit_value=1,
        online_level="partial",
        result_kind="electronic",
    )
    offline, _ = procedure_upsert(
        code="1.000001",
        name="Thủ tục không trực tuyến",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=1,
        online_level="none",
    )
    return dict(copy=copy, offline=offline)


def test_online_services_offered_count_partial_ones(tree, birth_registration, catalogue766):
    # Full (birth) and partial (copy) of three: 66,67 % (naive "full only": 33,33 %).
    figure = item(card_of(tree.tien_dong), "3.1")
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (
        2,
        3,
        Decimal("66.67"),
    )
    assert figure["points"] == Decimal("1.67")  # 2 × min(1, 66,67 ÷ 80)


def test_filed_online_needs_an_electronic_result_for_paper_results(
    tree, staff, birth_registration, catalogue766
):
    birth, copy = birth_registration, catalogue766["copy"]
    paper_without = receive_online(staff, tree.tien_dong, birth, at(4))
    paper_with = resolve(staff, receive_online(staff, tree.tien_dong, birth, at(5)), at(5, 10))
    facts(paper_with, result_electronic=True, has_result_file=True)
    electronic = receive_online(staff, tree.tien_dong, copy, at(6))
    receive(staff, tree.tien_dong, birth, at(7))
    for d in (paper_without, paper_with, electronic):
        facts(d, synced_to_portal=True)  # 3 of 4 synced
    figure = item(card_of(tree.tien_dong), "3.3")
    # Naive (online ÷ received): 3/4. As written: 2/4 × 3/4 = 37,5 %.
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (
        2,
        4,
        Decimal("37.50"),
    )
    assert item(card_of(tree.tien_dong), "1.4")["numerator"] == 3


def test_without_any_sync_the_sync_indicators_are_unavailable(tree, staff, birth_registration):
    receive_online(staff, tree.tien_dong, birth_registration, at(4))
    card = card_of(tree.tien_dong)
    for number in ("1.4", "3.3", "3.5"):
        assert item(card, number)["status"] == "unavailable"
        assert "đồng bộ" in item(card, number)["reason"]


def test_paid_online_counts_flag_1_or_2_over_dossiers_of_fee_procedures_with_a_fee(
    tree, staff, birth_registration, catalogue766
):
    birth, copy = birth_registration, catalogue766["copy"]
    national = receive_online(staff, tree.tien_dong, birth, at(4))
    services.dossier_record_payment(
        actor=None, dossier=national, amount=8000, online=True, reference="national:N1", at=at(4, 9)
    )
    gateway = receive_online(staff, tree.tien_dong, birth, at(5))
    services.dossier_record_payment(
        actor=None, dossier=gateway, amount=8000, online=True, reference="province:P1", at=at(5, 9)
    )
    exempt = receive(staff, tree.tien_dong, birth, at(6))
    facts(exempt, fee_amount=0)  # every fee 0 (exempted): left out
    receive(staff, tree.tien_dong, birth, at(7))  # unpaid
    charged = receive(staff, tree.tien_dong, copy, at(8))
    facts(charged, fee_amount=5000)  # a fee on a dossier of a procedure with none in the catalogue
    figure = item(card_of(tree.tien_dong), "3.6")
    # Naive (fee > 0 and flag 1): 1/4. As written: 2/3.
    assert (figure["numerator"], figure["denominator"]) == (2, 3)


def test_payment_integrated_counts_procedures_with_a_synced_non_zero_fee(
    tree, staff, birth_registration
):
    marriage, _ = procedure_upsert(
        code="1.000894",
        name="Đăng ký kết hôn",
        field_name="Hộ tịch",
        level="commune",
        time_limit_value=3,
        fees=[{"name": "Lệ phí", "amount": 10000}],
    )
    synced = receive(staff, tree.tien_dong, birth_registration, at(4))
    facts(synced, synced_to_portal=True)
    unsynced = receive(staff, tree.tien_dong, marriage, at(5))
    assert unsynced.fee_amount > 0
    figure = item(card_of(tree.tien_dong), "3.5")
    # Naive (fee procedures with a dossier): 2/2. As written: 1/2 → 2 × 50/80.
    assert (figure["numerator"], figure["denominator"], figure["points"]) == (
        1,
        2,
        Decimal("1.25"),
    )


def test_digitized_needs_an_electronic_result_for_paper_results(
    tree, staff, birth_registration, catalogue766
):
    scanned = receive(staff, tree.tien_dong, birth_registration, at(4), digitized=True)
    done = receive(staff, tree.tien_dong, birth_registration, at(5), digitized=True)
    facts(done, result_electronic=True, has_result_file=True)
    receive(staff, tree.tien_dong, catalogue766["copy"], at(6), digitized=True)
    receive(staff, tree.tien_dong, birth_registration, at(7))
    assert Dossier.objects.get(pk=scanned.pk).components_digitized
    figure = item(card_of(tree.tien_dong), "4.2")
    # Naive (components digitized): 3/4. As written: done and the copy, 2/4.
    assert (figure["numerator"], figure["denominator"]) == (2, 4)
    assert figure["points"] == Decimal("2.50")  # 4 × 50/80


def test_citizen_store_and_population_data(tree, staff, birth_registration):
    store = receive(staff, tree.tien_dong, birth_registration, at(4))
    DossierDocument.objects.filter(dossier=store).update(from_national_store=True)
    DossierDocument.objects.filter(dossier=store).exclude(
        pk=DossierDocument.objects.filter(dossier=store).first().pk
    ).update(from_national_store=False)
    vneid = receive(staff, tree.tien_dong, birth_registration, at(5))
    facts(vneid, vneid_verified=True)
    population = receive(staff, tree.tien_dong, birth_registration, at(6))
    facts(population, databases_consulted="CSDLDD,CSDLQGDC")
    other_database = receive(staff, tree.tien_dong, birth_registration, at(7))
    facts(other_database, databases_consulted="CSDLDD")
    business = receive(staff, tree.tien_dong, birth_registration, at(8))
    facts(business, applicant_kind=ApplicantKind.BUSINESS, vneid_verified=True)
    card = card_of(tree.tien_dong)
    assert (item(card, "4.4")["numerator"], item(card, "4.4")["denominator"]) == (1, 5)
    # The other half of 4.4: a result link the portal confirmed it holds in the citizen's store —
    # on a dossier with no component from the store (naive, components only: still 1) and on the
    # one already counted (a dossier counts once: naive sum of both halves 3).
    facts(vneid, result_store_synced_at=at(9))
    facts(store, result_store_synced_at=at(9))
    card = card_of(tree.tien_dong)
    assert (item(card, "4.4")["numerator"], item(card, "4.4")["denominator"]) == (2, 5)
    sets = scorecard_sets(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="4.4")
    assert set(sets.numerator.values_list("pk", flat=True)) == {store.pk, vneid.pk}
    # Citizens' dossiers only; another database is not the population one (naive: any database).
    dossiers = item(card, "4.5b")
    assert (dossiers["numerator"], dossiers["denominator"]) == (2, 4)
    procedures = item(card, "4.5a")
    assert (procedures["numerator"], procedures["denominator"]) == (1, 1)


def test_publication_counts_a_procedure_once_late_if_any_decision_is(
    tree, birth_registration, catalogue766
):
    birth, copy = birth_registration, catalogue766["copy"]
    Publication.objects.create(
        procedure=birth,
        decision_number="A",
        decision_date=date(2024, 3, 1),
        effective_date=date(2024, 3, 8),  # 5 working days ahead: on time
        made_public_date=date(2024, 3, 8),
        content_parts=ALL_PARTS,
    )
    Publication.objects.create(
        procedure=birth,
        decision_number="B",
        decision_date=date(2024, 3, 11),
        effective_date=date(2024, 3, 12),  # late
        made_public_date=date(2024, 3, 12),
        content_parts=ALL_PARTS[:3],
    )
    Publication.objects.create(
        procedure=copy,
        decision_number="C",
        decision_date=date(2024, 3, 4),
        effective_date=date(2024, 3, 15),
        made_public_date=date(2024, 3, 5),
        content_parts=ALL_PARTS,
    )
    # Decided in February, made public in March: counts in March's 1.2 (naive: decided in March).
    Publication.objects.create(
        procedure=copy,
        decision_number="D",
        decision_date=date(2024, 2, 27),
        effective_date=date(2024, 3, 15),
        made_public_date=date(2024, 3, 6),  # the 6th working day after: late
        content_parts=ALL_PARTS,
    )
    card = card_of(tree.tien_dong)
    # Naive (publications): 2 on time of 3. Procedures: birth late (B), copy on time: 1/2.
    assert (item(card, "1.1")["numerator"], item(card, "1.1")["denominator"]) == (1, 2)
    assert (item(card, "1.2")["numerator"], item(card, "1.2")["denominator"]) == (3, 4)
    # Latest public decision: birth's B lacks parts, copy's D is full.
    assert (item(card, "1.3")["numerator"], item(card, "1.3")["denominator"]) == (1, 2)


def test_satisfaction_is_unavailable_without_the_feedback_app(tree, processing, monkeypatch):
    # Whether or not this deployment installs it: the adapter is the one place that asks.
    monkeypatch.setattr(sources, "feedback_installed", lambda: False)
    card = card_of(tree.tien_dong)
    for number in ("5.1", "5.2", "5.3", "5.4"):
        assert item(card, number)["status"] == "unavailable"
        assert "phản ánh" in item(card, number)["reason"]
    group = next(g for g in card["groups"] if g["key"] == "satisfaction")
    assert group["unavailable_points"] == 18


def test_service_satisfaction_over_2_1s_dossiers(tree, processing, monkeypatch):
    # A stand-in for the feedback app: a dislike on R (on time) and on O (late).
    complained = [processing["r"].pk, processing["o"].pk]
    monkeypatch.setattr(sources, "feedback_installed", lambda: True)
    monkeypatch.setattr(
        sources, "dossiers_with_feedback_or_dislike_q", lambda: Q(pk__in=complained)
    )
    monkeypatch.setattr(
        sources,
        "feedback_indicator_sets",
        lambda **kw: {
            k: (Dossier.objects.none(), Dossier.objects.none()) for k in ("5.1", "5.2", "5.3")
        },
    )
    figure = item(card_of(tree.tien_dong), "5.4")
    # 5 dossiers, 2 late, 2 with a dislike: 100 % − 40 % − 40 % = 20 % (naive, dossiers with
    # neither: 2/5 = 40 %).
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (1, 5, Decimal("20"))
    sets = scorecard_sets(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1], indicator="5.4")
    assert sets.denominator.count() == 5
    assert sets.subtracted["late"].count() == 2
    assert sets.subtracted["feedback_or_dislike"].count() == 2
    assert item(card_of(tree.tien_dong), "5.2")["status"] == "no_data"


def test_every_drill_down_lists_exactly_the_figures(
    tree, staff, processing, catalogue766, march_extra
):
    definition = scorecard_definition_get()
    for unit in (tree.tien_dong, tree.district, tree.province):
        card = card_of(unit)
        for indicator in definition.indicators():
            figure = item(card, indicator.id)
            if figure["status"] == "unavailable":
                continue
            sets = scorecard_sets(unit=unit, start=MARCH[0], end=MARCH[1], indicator=indicator.id)
            assert sets.denominator.count() == figure["denominator"], indicator.id
            if sets.numerator is not None:
                assert sets.numerator.count() == figure["numerator"], indicator.id
                assert not sets.numerator.exclude(pk__in=sets.denominator.values("pk")).exists()
            if indicator.formula in DRILLDOWNS_766:
                rows = scorecard_drilldown(
                    unit=unit, start=MARCH[0], end=MARCH[1], indicator=indicator.key
                )
                assert rows.count() == figure["denominator"]
                assert rows.filter(in_numerator=True).count() == figure["numerator"]


@pytest.fixture
def march_extra(tree, staff, birth_registration):
    """A synced, digitized, online dossier resolved with an electronic result (so every dossier
    indicator has something in its numerator)."""
    d = receive_online(staff, tree.tien_dong, birth_registration, at(11), digitized=True)
    d = resolve(staff, d, at(11, 10), electronic=True)
    facts(d, synced_to_portal=True, data_reused=True, vneid_verified=True, has_result_file=True)
    return d


def test_report_is_the_contract_and_scores_sum(tree, processing):
    report = scorecard_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    assert report["unit"] == "11143" and report["from"] == MARCH[0] and report["to"] == MARCH[1]
    assert report["points"] == sum(g["points"] for g in report["groups"])
    for group in report["groups"]:
        scored = [i["points"] for i in group["indicators"] if i["points"] is not None]
        assert group["points"] == sum(scored, Decimal(0))


def test_a_period_with_nothing_is_no_data_never_zero(tree, birth_registration):
    card = card_of(tree.tien_dong, date(2024, 5, 1), date(2024, 5, 31))
    on_time = item(card, "2.1")
    assert on_time["status"] == "no_data" and on_time["rate"] is None
    assert on_time["reason"]


def test_service_satisfaction_reads_the_feedback_apps_dislikes(tree, processing):
    # With the feedback app installed (it is in this deployment's settings), through the adapter.
    from motcua.feedback.models import Rating

    assert sources.feedback_installed()
    Rating.objects.create(
        dossier=processing["r"], score=1, created_at=at(13), updated_at=at(13)
    )  # a dislike of R (resolved on time)
    card = card_of(tree.tien_dong)
    figure = item(card, "5.4")
    # 5 dossiers, 2 late (T, O), 1 disliked: 100 % − 40 % − 20 % = 40 % → 6 × 40/90.
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (2, 5, Decimal("40"))
    assert figure["points"] == Decimal("2.67")
    for number in ("5.1", "5.2", "5.3"):
        assert item(card, number)["status"] == "no_data"  # no feedback sent in March
