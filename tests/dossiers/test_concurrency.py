"""Concurrency on a real PostgreSQL: intake from many desks at once, two officers on one dossier."""

import threading

import pytest
from django.db import connections

from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from tests.conftest import handed_in, is_postgres, local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # collected and asserted by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(autouse=True)
def _postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


def test_concurrent_intake_gives_unique_gap_free_codes(staff, tree, birth_registration):
    count = 12
    at = local(2024, 5, 6, 9, 0)
    codes = run_in_threads(
        count,
        lambda i: (
            services.dossier_receive(
                actor=staff.desk,
                unit=tree.tien_dong,
                procedure=birth_registration,
                components=handed_in(birth_registration),
                applicant=Applicant(name=f"Người {i}"),
                at=at,
            ).code
        ),
    )
    assert all(isinstance(code, str) for code in codes), codes
    assert sorted(codes) == [f"11143-240506-{n:04d}" for n in range(1, count + 1)]


def test_two_officers_acting_at_once_exactly_one_wins(staff, tree, birth_registration):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Phạm D"),
        at=local(2024, 5, 6, 8),
    )
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 5, 6, 8, 30)
    )
    seen = dossier.last_event_seq
    actions = [
        lambda: services.dossier_forward(
            actor=staff.processor,
            dossier=dossier.pk,
            expected_version=seen,
            at=local(2024, 5, 6, 9),
        ),
        lambda: services.dossier_request_supplement(
            actor=staff.processor,
            dossier=dossier.pk,
            content="Thiếu",
            expected_version=seen,
            at=local(2024, 5, 6, 9),
        ),
    ]
    results = run_in_threads(2, lambda i: actions[i]())
    winners = [r for r in results if isinstance(r, Dossier)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "stale_version"
    assert Dossier.objects.get(pk=dossier.pk).last_event_seq == seen + 1


def test_same_action_twice_without_version_applies_once_when_state_changes(
    staff, tree, birth_registration
):
    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Vũ E"),
        at=local(2024, 5, 6, 8),
    )
    dossier = services.dossier_forward(
        actor=staff.desk, dossier=dossier, at=local(2024, 5, 6, 8, 30)
    )
    results = run_in_threads(
        2,
        lambda i: services.dossier_request_supplement(
            actor=staff.processor, dossier=dossier.pk, content="Thiếu", at=local(2024, 5, 6, 9)
        ),
    )
    assert sum(isinstance(r, Dossier) for r in results) == 1, results
    assert sum(getattr(r, "code", None) == "invalid_transition" for r in results) == 1
    assert Dossier.objects.get(pk=dossier.pk).supplement_count == 1


def test_database_refuses_to_rewrite_the_event_log(staff, tree, birth_registration):
    from django.db import DatabaseError, transaction

    from motcua.dossiers.models import DossierEvent

    dossier = services.dossier_receive(
        actor=staff.desk,
        unit=tree.tien_dong,
        procedure=birth_registration,
        components=handed_in(birth_registration),
        applicant=Applicant(name="Hồ H"),
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier).update(kind="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier).delete()
    assert dossier.events.get().kind == "received"


def test_concurrent_events_in_two_communes_keep_counters_and_rollups_exact(
    staff, tree, birth_registration
):
    """Officers of two communes act at once on different dossiers: every action adds to the same
    district and province rollup rows. None may deadlock or lose a count."""
    from motcua.indicators.counters import counters_rebuild, counters_snapshot
    from tests.indicators.test_rollups import assert_rollups_match_daily

    count = 10

    def work(i: int):
        tien_dong = i % 2 == 0
        at = local(2024, 5, 6 + i % 3, 9, 0)
        dossier = services.dossier_receive(
            actor=staff.desk if tien_dong else staff.other_desk,
            unit=tree.tien_dong if tien_dong else tree.cong_lac,
            procedure=birth_registration,
            components=handed_in(birth_registration),
            applicant=Applicant(name=f"Người {i}"),
            at=at,
        )
        services.dossier_record_payment(
            actor=None, dossier=dossier, amount=8000, online=True, reference=f"C{i}", at=at
        )
        return dossier.pk

    results = run_in_threads(count, work)
    assert all(isinstance(pk, int) for pk in results), results
    live = counters_snapshot()
    assert sum(v.get("received", 0) for v in live.values()) == count
    assert sum(v.get("received_paid_online", 0) for v in live.values()) == count
    assert_rollups_match_daily()
    counters_rebuild()
    assert counters_snapshot() == live
