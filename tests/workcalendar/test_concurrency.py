"""Two administrators declaring the same day at once (real PostgreSQL): one row, no error."""

import threading
from datetime import date

import pytest
from django.db import connections

from motcua.units.services import unit_upsert
from motcua.workcalendar.models import CalendarOverride, OverrideKind
from motcua.workcalendar.services import calendar_override_set
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.mark.parametrize("layer", ["national", "province"])
def test_concurrent_sets_of_one_day_leave_one_row(layer) -> None:
    unit = None
    if layer == "province":
        unit, _ = unit_upsert(code="31", name="UBND thành phố Hải Phòng", level="province")
    day, count = date(2027, 3, 5), 6
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        try:
            barrier.wait()
            kind = OverrideKind.DAY_OFF if index % 2 else OverrideKind.WORKING_DAY
            results[index] = calendar_override_set(day=day, kind=kind, name=f"#{index}", unit=unit)
        except Exception as error:  # collected and asserted below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(isinstance(r, CalendarOverride) for r in results), results
    rows = CalendarOverride.objects.filter(date=day, unit=unit)
    assert rows.count() == 1
    assert rows.get().name in {f"#{i}" for i in range(count)}
