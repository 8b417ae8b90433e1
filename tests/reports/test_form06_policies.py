"""Form 06's counting policies (docs/reports.md, "Counting policies"): each setting changes exactly
the dossiers it names, in the counters (after a rebuild) and in the dossier-by-dossier oracle alike.

Tiên Động, March 2024 (birth registration: 1 working day):
  W  received 04/03 08:00 (due 05/03 08:00), supplement requested 04/03 10:00, still waiting
  S  received 05/03 08:00, stopped 05/03 10:00
  L  received 06/03 08:00 (due 07/03 08:00), resolved 07/03 10:00 — later moment, same date
  X  received 08/03 08:00, withdrawn 08/03 09:00"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.dossiers import services
from motcua.indicators import rules
from motcua.indicators.counters import counters_rebuild
from motcua.indicators.naive import naive_form06
from motcua.indicators.selectors import form06_figures
from tests.conftest import local
from tests.scorecard.conftest import MARCH, receive, resolve


@pytest.fixture
def dossiers(tree, staff, birth_registration):
    birth = birth_registration
    w = receive(staff, tree.tien_dong, birth, local(2024, 3, 4, 8, 0))
    services.dossier_request_supplement(
        actor=staff.desk, dossier=w, content="Bổ sung", at=local(2024, 3, 4, 10, 0)
    )
    s = receive(staff, tree.tien_dong, birth, local(2024, 3, 5, 8, 0))
    s = services.dossier_forward(actor=staff.desk, dossier=s, at=local(2024, 3, 5, 9, 0))
    services.dossier_stop(
        actor=staff.processor, dossier=s, reason="Dừng", at=local(2024, 3, 5, 10, 0)
    )
    lt = receive(staff, tree.tien_dong, birth, local(2024, 3, 6, 8, 0))
    resolve(staff, lt, local(2024, 3, 7, 10, 0))
    x = receive(staff, tree.tien_dong, birth, local(2024, 3, 8, 8, 0))
    services.dossier_withdraw(actor=staff.desk, dossier=x, reason="Rút", at=local(2024, 3, 8, 9, 0))


def figures(tree) -> dict:
    """Counters rebuilt under the current policy, checked against the oracle."""
    counters_rebuild()
    counted = form06_figures(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])[()].as_dict()
    assert counted == naive_form06(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    return counted


def test_defaults(tree, dossiers):
    assert rules.form06_policy() == rules.Form06Policy(
        supplement_waiting="by_deadline", stopped="resolved", lateness="moment"
    )
    f = figures(tree)
    assert f["received_total"] == 3  # X dropped out
    # S stopped early (before its due date), L late by 2 hours.
    assert (f["resolved_total"], f["resolved_early"], f["resolved_late"]) == (2, 1, 1)
    assert (f["in_progress_total"], f["in_progress_overdue"]) == (1, 1)  # W


def test_supplement_waiting_within_deadline(tree, dossiers, settings):
    settings.MOTCUA_FORM06_SUPPLEMENT_WAITING = "within_deadline"
    f = figures(tree)
    assert (f["in_progress_total"], f["in_progress_within_deadline"]) == (1, 1)


def test_stopped_in_progress(tree, dossiers, settings):
    settings.MOTCUA_FORM06_STOPPED = "in_progress"
    f = figures(tree)
    assert f["resolved_total"] == 1  # L only
    assert (f["in_progress_total"], f["in_progress_within_deadline"]) == (2, 1)  # S within, W not


def test_withdrawn_as_resolved(tree, dossiers, settings):
    settings.MOTCUA_COUNT_WITHDRAWN = True
    f = figures(tree)
    assert (f["received_total"], f["resolved_total"]) == (4, 3)


def test_lateness_by_date(tree, dossiers, settings):
    settings.MOTCUA_FORM06_LATENESS = "date"
    f = figures(tree)
    assert (f["resolved_on_time"], f["resolved_late"]) == (1, 0)  # L ended on its due date
    # W is due 05/03: by date it is overdue from the 6th; at the end of March still overdue.
    assert f["in_progress_overdue"] == 1


def test_lateness_by_date_leaves_a_dossier_due_today_within(
    tree, staff, birth_registration, settings
):
    settings.MOTCUA_FORM06_LATENESS = "date"
    receive(staff, tree.tien_dong, birth_registration, local(2024, 3, 28, 8, 0))  # due 29/03 08:00
    counters_rebuild()
    last_day = local(2024, 3, 29, 0, 0).date()
    f = form06_figures(unit=tree.tien_dong, start=MARCH[0], end=last_day)[()]
    assert (f.in_progress_total, f.in_progress_overdue) == (1, 0)
    settings.MOTCUA_FORM06_LATENESS = "moment"
    counters_rebuild()
    f = form06_figures(unit=tree.tien_dong, start=MARCH[0], end=last_day)[()]
    assert f.in_progress_overdue == 1


def test_every_policy_combination_agrees_with_the_oracle(tree, dossiers, settings):
    for waiting in ("by_deadline", "within_deadline"):
        for stopped in ("resolved", "in_progress"):
            for lateness in ("moment", "date"):
                settings.MOTCUA_FORM06_SUPPLEMENT_WAITING = waiting
                settings.MOTCUA_FORM06_STOPPED = stopped
                settings.MOTCUA_FORM06_LATENESS = lateness
                f = figures(tree)
                assert f["received_total"] == f["resolved_total"] + f["in_progress_total"]


def test_an_unknown_policy_value_is_a_configuration_error(settings):
    settings.MOTCUA_FORM06_STOPPED = "maybe"
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_FORM06_STOPPED"):
        rules.form06_policy()


def test_the_printed_form_says_how_it_was_counted_when_not_by_default(tree, dossiers, settings):
    from io import BytesIO

    from openpyxl import load_workbook

    from motcua.reports.form06 import form06_html, form06_policy_note, form06_xlsx
    from motcua.reports.selectors import form06_report

    assert form06_policy_note() == ""
    settings.MOTCUA_FORM06_STOPPED = "in_progress"
    settings.MOTCUA_FORM06_LATENESS = "date"
    note = form06_policy_note()
    assert note == (
        "Ghi chú cách tính: hồ sơ dừng xử lý tính là đang giải quyết trong hạn; "
        "đúng hạn, quá hạn so theo ngày."
    )
    counters_rebuild()
    report = form06_report(unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
    workbook = load_workbook(
        BytesIO(form06_xlsx(report=report, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1]))
    )
    cells = [c.value for row in workbook.active.iter_rows() for c in row]
    assert note in cells
    assert note in form06_html(report=report, unit=tree.tien_dong, start=MARCH[0], end=MARCH[1])
