"""Decision 766 indicators as the national portal's formula description defines them (version
`qd766`; the rules in words: docs/scorecard.md, "qd766").

Each formula returns the *sets* behind its figure — querysets of dossiers, procedures, publications
or feedback for the numerator and the denominator — so the figure is their count and the
drill-down is the same sets: the two cannot disagree. The arithmetic that is not a plain ratio
(3.3's sync factor, 5.4's subtraction) and the 2.1 verdict on one dossier are pure functions, tested
on hand-made facts. Facts come only through `sources`."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import F, Q, QuerySet

from motcua.catalog.models import Procedure
from motcua.core.timeutil import local_datetime
from motcua.scorecard import sources
from motcua.units.models import Unit, UnitLevel

PUBLICATION_WORKING_DAYS = 5  # province and commune; ministries 20 (no ministry units here)
NO_SYNC = "Chưa có hồ sơ nào được đồng bộ lên Cổng Dịch vụ công quốc gia: chưa tính được."


@dataclass(frozen=True)
class Scope:
    unit: Unit
    start: date
    end: date
    # The unit with the history of the units it succeeded (docs/units.md): their dossiers count too.
    with_predecessors: bool = False
    # The one procedure 2.2 (mean resolution time) is shown for; the portal shows 2.2 only then.
    procedure: Procedure | None = None

    @property
    def begin(self) -> datetime:
        return local_datetime(self.start)

    @property
    def after(self) -> datetime:
        return local_datetime(self.end + timedelta(days=1))


@dataclass
class Sets:
    """What one indicator counts. `reason` set: unavailable. `factor`: a multiplier of the rate
    (3.3's sync rate). `subtracted`: 5.4's sets subtracted from the denominator. `durations`: a
    mean, not a ratio (2.2) — each dossier's time in `measure` (the procedure's time-limit unit);
    numerator and denominator are then the same dossiers."""

    kind: str = "dossier"  # dossier | procedure | publication | feedback
    numerator: QuerySet | None = None
    denominator: QuerySet | None = None
    reason: str | None = None
    factor: tuple[int, int] | None = None
    subtracted: dict[str, QuerySet] = field(default_factory=dict)
    durations: dict[int, Fraction] | None = None
    measure: str | None = None


def unavailable(reason: str, kind: str = "dossier") -> Sets:
    return Sets(kind=kind, reason=reason)


# --- pure arithmetic ----------------------------------------------------------------------------


def rate_with_factor(
    numerator: int, denominator: int, factor: tuple[int, int] | None
) -> Fraction | None:
    """numerator ÷ denominator, times factor's ratio (a factor with a zero denominator counts 0:
    nothing received, nothing synced). None when `denominator` is 0 (no data)."""
    if not denominator:
        return None
    rate = Fraction(numerator, denominator)
    if factor is not None:
        top, bottom = factor
        rate *= Fraction(top, bottom) if bottom else 0
    return rate


def satisfaction_rate(*, dossiers: int, late: int, feedback_or_dislike: int) -> Fraction | None:
    """5.4: 100 % − (late rate + feedback-or-dislike rate), each over the same dossiers; a dossier
    both late and complained about is subtracted twice, as the formula sums two rates. Not below 0."""
    if not dossiers:
        return None
    return max(Fraction(0), 1 - Fraction(late, dossiers) - Fraction(feedback_or_dislike, dossiers))


def satisfaction_numerator(*, dossiers: int, late: int, feedback_or_dislike: int) -> int:
    """The count shown as 5.4's numerator: the dossiers left after both subtractions."""
    return max(0, dossiers - late - feedback_or_dislike)


def resolution_seconds(
    *,
    received_at: datetime,
    end: datetime,
    supplements: Sequence[dict],
    working_seconds: Callable[[datetime, datetime], int],
) -> int:
    """2.2's time of one resolved dossier, as 2.1 measures it: working time from receipt to the
    end of processing, less the working time spent waiting for each supplement (request to
    receipt of the supplement, or to the end if never received)."""
    waited = sum(
        working_seconds(s["requested"], min(s["received"] or end, end))
        for s in supplements
        if s["requested"] is not None and s["requested"] < end
    )
    return max(0, working_seconds(received_at, end) - waited)


def in_measure(seconds: int, *, measure: str, working_day_seconds: int) -> Fraction:
    """Working seconds in the procedure's time-limit unit (working days or working hours)."""
    if measure == "working_hours":
        return Fraction(seconds, 3600)
    return Fraction(seconds, working_day_seconds)


def due_in_force(due_at: datetime | None, supplements: Sequence[dict], moment: datetime):
    """The promised moment as it stood at `moment`: a resume after `moment` moved `due_at`, and
    the supplement history keeps the date it replaced."""
    for s in supplements:
        if s["received"] is not None and s["received"] > moment and s.get("due_before"):
            return s["due_before"]
    return due_at


def judged_on_time(
    *,
    received_at: datetime,
    end: datetime | None,
    due_at: datetime | None,
    supplements: Sequence[dict],
    budget_seconds: int,
    after: datetime,
    working_seconds: Callable[[datetime, datetime], int],
) -> bool:
    """2.1's verdict on one dossier of its denominator (period ending just before `after`):
    - more than one supplement request: late;
    - open at the period's end while waiting for its one supplement: judged at the moment the
      supplement was requested, against the promised moment then in force;
    - ended in the period: end ≤ promised moment (which resumes moved by the waits);
    - open otherwise: the promised moment not past at the period's end;
    - no promised moment: working time elapsed, less supplement waits, ≤ the legal time limit."""
    if len(supplements) > 1:
        return False
    open_at_end = end is None or end >= after
    moment = after if open_at_end else end
    if open_at_end:
        for s in supplements:
            if s["requested"] < after and (s["received"] is None or s["received"] >= after):
                moment = s["requested"]  # waiting at the period's end: judged at the request
    due = due_in_force(due_at, supplements, moment)
    if due is not None:
        return moment <= due
    waited = sum(
        working_seconds(s["requested"], min(s["received"] or moment, moment))
        for s in supplements
        if s["requested"] < moment
    )
    return working_seconds(received_at, moment) - waited <= budget_seconds


# --- the indicators -----------------------------------------------------------------------------


def _received(scope: Scope) -> QuerySet:
    return sources.dossiers_766(scope.unit, with_predecessors=scope.with_predecessors).filter(
        sources.received_in_q(scope.start, scope.end)
    )


def _ids(queryset: QuerySet, ids) -> QuerySet:
    return queryset.filter(pk__in=list(ids))


def _working_days(calendar, first: date, stop: date) -> int:
    """Whole working days in [first, stop)."""
    if stop <= first:
        return 0
    seconds = calendar.working_seconds_between(local_datetime(first), local_datetime(stop))
    return seconds // calendar.working_day_seconds


def _nth_working_day_after(calendar, day: date, n: int) -> date:
    count = 0
    while count < n:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return day


def _offered(scope: Scope) -> QuerySet:
    return sources.procedures_in_remit(scope.unit)


def published_on_time(scope: Scope) -> Sets:
    """1.1: procedures in publication decisions dated in the period; one counts once, late if any
    of its decisions was signed less than 5 working days before the effective date."""
    calendar = sources.calendar()
    offered = _offered(scope)
    late, seen = set(), set()
    for p in sources.publications().filter(
        procedure__in=offered, decision_date__gte=scope.start, decision_date__lte=scope.end
    ):
        seen.add(p.procedure_id)
        if _working_days(calendar, p.decision_date, p.effective_date) < PUBLICATION_WORKING_DAYS:
            late.add(p.procedure_id)
    denominator = _ids(offered, seen)
    return Sets("procedure", _ids(offered, seen - late), denominator)


def _province_of(unit: Unit) -> Unit:
    """The province whose figure 1.2 is (it is measured at province level only)."""
    ancestors = [
        u for u in Unit.objects.filter(level=UnitLevel.PROVINCE) if unit.path.startswith(u.path)
    ]
    return max(ancestors, key=lambda u: len(u.path)) if ancestors else unit


def made_public_on_time(scope: Scope) -> Sets:
    """1.2: publications made public in the national database at most 5 working days after the
    decision ÷ those made public in the period plus those due to be (deadline in the period, not
    made public by its end). Measured over the province containing the unit."""
    calendar = sources.calendar()
    offered = sources.procedures_in_remit(_province_of(scope.unit))
    one = timedelta(days=1)
    den, num = set(), set()
    # Only decisions signed by the period's end and not made public before its start can count.
    candidates = (
        sources.publications()
        .filter(procedure__in=offered, decision_date__lte=scope.end)
        .filter(Q(made_public_date__isnull=True) | Q(made_public_date__gte=scope.start))
    )
    for p in candidates:
        made = p.made_public_date
        in_period = made is not None and scope.start <= made <= scope.end
        if not in_period:
            # Due to be: its deadline falls in the period and it was not public by the period's end.
            deadline = _nth_working_day_after(calendar, p.decision_date, PUBLICATION_WORKING_DAYS)
            if not (scope.start <= deadline <= scope.end) or (
                made is not None and made <= scope.end
            ):
                continue
        den.add(p.pk)
        if (
            made is not None
            and _working_days(calendar, p.decision_date + one, made + one)
            <= PUBLICATION_WORKING_DAYS
        ):
            num.add(p.pk)
    publications = sources.publications()
    return Sets("publication", _ids(publications, num), _ids(publications, den))


def full_content(scope: Scope) -> Sets:
    """1.3: public procedures (made public by the period's end) whose latest public decision has
    all seven content parts ÷ public procedures — a state, not a flow of the period."""
    offered = _offered(scope)
    latest: dict[int, object] = {}
    for p in (
        sources.publications()
        .filter(procedure__in=offered, made_public_date__lte=scope.end)
        .order_by("made_public_date", "decision_date", "pk")
    ):
        latest[p.procedure_id] = p
    full = {pid for pid, p in latest.items() if p.has_full_content}
    return Sets("procedure", _ids(offered, full), _ids(offered, latest))


def _sync(scope: Scope) -> tuple[int, int] | None:
    if not sources.any_synced():
        return None
    received = _received(scope)
    return received.filter(synced_to_portal=True).count(), received.count()


def dossiers_synced(scope: Scope) -> Sets:
    """1.4: dossiers received in the period and synced ÷ dossiers received in the period."""
    if not sources.any_synced():
        return unavailable(NO_SYNC)
    received = _received(scope)
    return Sets("dossier", received.filter(synced_to_portal=True), received)


def on_time(scope: Scope) -> Sets:
    """2.1: (ended on time + still open within the deadline) ÷ received or processed in the
    period; the verdict on each dossier is `judged_on_time`. Plain cases are filtered in SQL, the
    rest (one supplement and still open, or no promised date) judged in Python."""
    base = sources.with_end(
        sources.dossiers_766(scope.unit, with_predecessors=scope.with_predecessors)
    )
    begin, after = scope.begin, scope.after
    denominator = base.filter(
        sources.received_in_q(scope.start, scope.end) | sources.open_at_q(begin)
    )
    ended_in = Q(end_766__gte=begin, end_766__lt=after)
    plain = (
        ended_in & Q(supplement_count__lte=1, due_at__isnull=False, end_766__lte=F("due_at"))
    ) | (sources.open_at_q(after) & Q(supplement_count=0, due_at__gte=after))
    judged = denominator.filter(supplement_count__lte=1).filter(
        Q(due_at__isnull=True) | (sources.open_at_q(after) & Q(supplement_count=1))
    )
    rows = list(
        judged.values(
            "pk",
            "received_at",
            "end_766",
            "due_at",
            "state",
            "clock_paused_at",
            "budget_seconds",
            "procedure__time_limit_value",
            "procedure__time_limit_unit",
        )
    )
    history = sources.supplement_history(r["pk"] for r in rows)
    calendar = sources.calendar()
    passed = set()
    for row in rows:
        supplements = history.get(row["pk"]) or (
            # An import carries no supplement events: a dossier waiting now waits since the pause.
            [{"requested": row["clock_paused_at"], "received": None, "due_before": None}]
            if row["state"] == 5 and row["clock_paused_at"] is not None
            else []
        )
        budget = row["budget_seconds"] or _limit_seconds(row)
        if judged_on_time(
            received_at=row["received_at"],
            end=row["end_766"],
            due_at=row["due_at"],
            supplements=supplements,
            budget_seconds=budget,
            after=after,
            working_seconds=calendar.working_seconds_between,
        ):
            passed.add(row["pk"])
    numerator = denominator.filter(plain | Q(pk__in=list(passed)))
    return Sets("dossier", numerator, denominator)


PICK_PROCEDURE = (
    "Chỉ số 2.2 chỉ hiển thị cho một thủ tục cụ thể: chọn thủ tục (--procedure MÃ) để tính."
)


def resolution_time(scope: Scope) -> Sets:
    """2.2 (display): mean resolution time of one procedure's dossiers resolved (state 9 or 10)
    whose processing started (receipt) in the period — the end may fall in a later period — in the
    procedure's time-limit unit; each dossier's time measured as 2.1 measures it (working time,
    supplement waits subtracted). Only for one procedure (`scope.procedure`), as the portal."""
    if scope.procedure is None:
        return unavailable(PICK_PROCEDURE)
    resolved = (
        sources.with_end(_received(scope))
        .filter(sources.ended_with_result_q(), procedure=scope.procedure)
        .filter(end_766__isnull=False)
    )
    rows = list(resolved.values("pk", "received_at", "end_766"))
    history = sources.supplement_waits(r["pk"] for r in rows)
    calendar = sources.calendar()
    measure = scope.procedure.time_limit_unit
    durations = {
        row["pk"]: in_measure(
            resolution_seconds(
                received_at=row["received_at"],
                end=row["end_766"],
                supplements=history.get(row["pk"], []),
                working_seconds=calendar.working_seconds_between,
            ),
            measure=measure,
            working_day_seconds=calendar.working_day_seconds,
        )
        for row in rows
    }
    return Sets("dossier", resolved, resolved, durations=durations, measure=measure)


def _limit_seconds(row: dict) -> int:
    hours = row["procedure__time_limit_value"] or 0
    if row["procedure__time_limit_unit"] != "working_hours":
        hours *= 8
    return int(hours * 3600)


def offered_online(scope: Scope) -> Sets:
    """3.1: procedures with an online service, full or partial ÷ procedures in the remit."""
    offered = _offered(scope)
    return Sets("procedure", offered.filter(online_level__in=sources.online_levels()), offered)


def online_services_used(scope: Scope) -> Sets:
    """3.2: online services with at least one dossier received online in the period ÷ online
    services of the unit."""
    services = _offered(scope).filter(online_level__in=sources.online_levels())
    used = _received(scope).filter(sources.online_q()).values("procedure_id")
    return Sets("procedure", services.filter(pk__in=used), services)


def filed_online(scope: Scope) -> Sets:
    """3.3: received online and — for a procedure whose result is on paper — issued an electronic
    result ÷ received; the rate is then multiplied by the sync rate (1.4)."""
    sync = _sync(scope)
    if sync is None:
        return unavailable(NO_SYNC)
    received = _received(scope)
    numerator = received.filter(sources.online_q()).filter(
        ~sources.paper_result_q() | sources.electronic_result_q()
    )
    return Sets("dossier", numerator, received, factor=sync)


def payment_integrated(scope: Scope) -> Sets:
    """3.5: procedures with a fee in the catalogue having at least one dossier received in the
    period and synced with a non-zero fee ÷ procedures with a fee in the catalogue."""
    if not sources.any_synced():
        return unavailable(NO_SYNC, "procedure")
    fee_procedures = _offered(scope).filter(pk__in=sources.procedures_with_fee().values("pk"))
    used = _received(scope).filter(synced_to_portal=True, fee_amount__gt=0).values("procedure_id")
    return Sets("procedure", fee_procedures.filter(pk__in=used), fee_procedures)


def paid_online(scope: Scope) -> Sets:
    """3.6: dossiers received in the period with DuocThanhToanTrucTuyen 1 or 2 ÷ dossiers of
    procedures with a fee in the catalogue, less those whose every fee is 0."""
    denominator = _received(scope).filter(
        procedure__in=sources.procedures_with_fee(), fee_amount__gt=0
    )
    return Sets("dossier", denominator.filter(sources.paid_online_q()), denominator)


def electronic_results(scope: Scope) -> Sets:
    """4.1: dossiers of paper-result procedures that ended with a result in the period and carry a
    result file ÷ those dossiers."""
    base = sources.with_end(
        sources.dossiers_766(scope.unit, with_predecessors=scope.with_predecessors)
    )
    denominator = base.filter(
        sources.paper_result_q(),
        sources.ended_with_result_q(),
        end_766__gte=scope.begin,
        end_766__lt=scope.after,
    )
    return Sets("dossier", denominator.filter(has_result_file=True), denominator)


def digitized(scope: Scope) -> Sets:
    """4.2: dossiers received with their component files digitized and — for paper-result
    procedures — an electronic result issued ÷ dossiers received."""
    received = _received(scope)
    numerator = received.filter(components_digitized=True).filter(
        ~sources.paper_result_q() | sources.electronic_result_q()
    )
    return Sets("dossier", numerator, received)


def reused(scope: Scope) -> Sets:
    """4.3: dossiers received with at least one component marked reused ÷ dossiers received."""
    received = _received(scope)
    return Sets("dossier", received.filter(data_reused=True), received)


def citizen_store(scope: Scope) -> Sets:
    """4.4: dossiers received with a component taken from the citizen's store on the national
    portal, or whose electronic result's link was synced to it ÷ dossiers received."""
    received = _received(scope)
    connected = sources.component_from_national_store_q() | sources.result_link_synced_q()
    return Sets("dossier", received.filter(connected), received)


def population_procedures(scope: Scope) -> Sets:
    """4.5 (procedures): procedures with a citizen's dossier received in the period ÷ of those, the
    ones with at least one such dossier authenticated by VNeID or checked against the population
    database."""
    citizens = _received(scope).filter(sources.citizen_q())
    procedures = _offered(scope)
    denominator = procedures.filter(pk__in=citizens.values("procedure_id"))
    used = citizens.filter(sources.population_data_q()).values("procedure_id")
    return Sets("procedure", denominator.filter(pk__in=used), denominator)


def population_dossiers(scope: Scope) -> Sets:
    """4.5 (dossiers): citizens' dossiers received in the period authenticated by VNeID or checked
    against the population database ÷ citizens' dossiers received."""
    citizens = _received(scope).filter(sources.citizen_q())
    return Sets("dossier", citizens.filter(sources.population_data_q()), citizens)


def _feedback(key: str) -> Callable[[Scope], Sets]:
    def formula(scope: Scope) -> Sets:
        if not sources.feedback_installed():
            return unavailable(sources.FEEDBACK_MISSING, "feedback")
        numerator, denominator = sources.feedback_indicator_sets(
            unit=scope.unit,
            start=scope.start,
            end=scope.end,
            with_predecessors=scope.with_predecessors,
        )[key]
        return Sets("feedback", numerator, denominator)

    formula.__doc__ = f"{key}: the feedback app's sets (motcua.feedback.selectors)."
    return formula


def service_satisfaction(scope: Scope) -> Sets:
    """5.4: 100 % − (late rate + rate of dossiers with feedback about them or a dislike), over
    2.1's dossiers; late = in 2.1's denominator and not in its numerator."""
    if not sources.feedback_installed():
        return unavailable(sources.FEEDBACK_MISSING)
    sets = on_time(scope)
    late = sets.denominator.exclude(pk__in=sets.numerator.values("pk"))
    complained = sets.denominator.filter(sources.dossiers_with_feedback_or_dislike_q())
    return Sets(
        "dossier",
        None,
        sets.denominator,
        subtracted={"late": late, "feedback_or_dislike": complained},
    )


def certified_copies(scope: Scope) -> Sets:
    return unavailable("Chưa có nghiệp vụ chứng thực bản sao điện tử: chưa tính được.")


FORMULAS_766: dict[str, Callable[[Scope], Sets]] = {
    "766_published_on_time": published_on_time,
    "766_made_public_on_time": made_public_on_time,
    "766_full_content": full_content,
    "766_dossiers_synced": dossiers_synced,
    "766_on_time": on_time,
    "766_resolution_time": resolution_time,
    "766_offered_online": offered_online,
    "766_online_services_used": online_services_used,
    "766_filed_online": filed_online,
    "766_payment_integrated": payment_integrated,
    "766_paid_online": paid_online,
    "766_electronic_results": electronic_results,
    "766_digitized": digitized,
    "766_reused": reused,
    "766_citizen_store": citizen_store,
    "766_population_procedures": population_procedures,
    "766_population_dossiers": population_dossiers,
    "766_certified_copies": certified_copies,
    "766_feedback_classified": _feedback("5.1"),
    "766_feedback_on_time": _feedback("5.2"),
    "766_feedback_satisfaction": _feedback("5.3"),
    "766_service_satisfaction": service_satisfaction,
}


@dataclass(frozen=True)
class Figure:
    numerator: int | None
    denominator: int | None
    rate: Fraction | None  # 0..1; for a mean (`measure` set), the mean itself
    reason: str | None
    measure: str | None = None  # a mean of durations in this unit (2.2), numerator their sum
    total: Fraction | None = None  # the exact sum of a mean's durations


def figure_of(sets: Sets) -> Figure:
    """Count the sets into a figure."""
    if sets.reason is not None:
        return Figure(None, None, None, sets.reason, measure=sets.measure)
    if sets.durations is not None:
        total = sum(sets.durations.values(), Fraction(0))
        count = len(sets.durations)
        return Figure(
            None,
            count,
            total / count if count else None,
            None,
            measure=sets.measure,
            total=total,
        )
    denominator = sets.denominator.count()
    if sets.subtracted:
        late = sets.subtracted["late"].count()
        complained = sets.subtracted["feedback_or_dislike"].count()
        return Figure(
            satisfaction_numerator(dossiers=denominator, late=late, feedback_or_dislike=complained),
            denominator,
            satisfaction_rate(dossiers=denominator, late=late, feedback_or_dislike=complained),
            None,
        )
    numerator = sets.numerator.count()
    return Figure(
        numerator, denominator, rate_with_factor(numerator, denominator, sets.factor), None
    )
