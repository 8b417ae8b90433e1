"""`motcua demo`: load the demo district, its catalogue and staff, and a year of dossiers.

Dossiers are made by driving the real dossier services with simulated moments (`at=`), so every
row of the demo went through the same checks, clock and event log as a real one."""

import random
import time as wallclock
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Count, Q

from motcua.catalog.models import Component, Procedure, Publication
from motcua.catalog.services import procedure_upsert
from motcua.core import timeutil
from motcua.core.errors import DomainError
from motcua.demo import data, haiphong
from motcua.demo.feedback import demo_feedback_generate
from motcua.demo.payments import demo_payment, demo_payment_lines
from motcua.demo.staff import StaffSpec, demo_accounts_upsert, weighted_choice
from motcua.digitization.certificates import DEMO_NOTICE
from motcua.digitization.services import demo_signing_certificates_ensure
from motcua.dossiers import services as ds
from motcua.dossiers.models import Channel, Dossier, DossierStep, State
from motcua.indicators.models import Target
from motcua.notifications.services import notifications_paused
from motcua.units.models import Membership, Role, Unit
from motcua.units.services import unit_upsert
from motcua.workcalendar.selectors import calendar_get

# Each dossier costs about 70 ms on SQLite on a 2-core machine (some 30 queries through the real
# services), so 600 keeps `motcua demo` under a minute; ask for more with --dossiers.
DEFAULT_DOSSIERS = 600
# Electronic results resolved in the demo's last days that are issued as real signed files.
SIGNED_RESULTS = 8
SIGNED_SPAN = timedelta(days=21)
BATCH = 200

# Share of dossiers per storyline; the rest go through without incident. Each storyline gets at
# least one dossier, so even a small demo (tests) shows every case.
STORYLINES = {
    "not_accepted": 0.03,
    "withdrawn": 0.015,
    "stopped": 0.01,
    "rejected": 0.015,
    "supplement": 0.07,
    "supplement_twice": 0.015,
    "transfer": 0.04,
    "late": 0.03,
    "apology": 0.02,
    "stuck": 0.012,
    "recent": 0.03,
    "unclaimed": 0.01,
}


# --- reference data -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    """ASCII, lower case, no spaces: "Tiên Động" → "tiendong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def commune_slug(*, unit: Unit) -> str:
    return data.COMMUNE_SLUGS.get(unit.code) or _slug(unit.short_name)


def demo_units_load() -> tuple[dict[str, Unit], int]:
    """Upsert the unit tree; returns units by code and how many were new."""
    created = 0
    units: dict[str, Unit] = {}

    def put(code: str, name: str, level: str, parent: str | None, **extra) -> None:
        nonlocal created
        # The Hải Dương/Tứ Kỳ tree is history: it ends the day before 1/7/2025 (demo/haiphong.py).
        unit, new = unit_upsert(
            code=code,
            name=name,
            level=level,
            parent=units.get(parent) if parent else None,
            valid_to=haiphong.HISTORY_ENDS,
            **extra,
        )
        units[code] = unit
        created += int(new)

    province = data.PROVINCE
    put(
        province["code"],
        province["name"],
        "province",
        None,
        agency_id=province["agency_id"],
        short_name="Hải Dương",
        valid_from=data.PROVINCE_VALID_FROM,
    )
    for code, name, agency_id in data.PROVINCE_DEPARTMENTS:
        put(code, name, "department", province["code"], agency_id=agency_id)
    district = data.DISTRICT
    put(
        district["code"],
        district["name"],
        "district",
        province["code"],
        agency_id=district["agency_id"],
        short_name="Tứ Kỳ",
    )
    for code, name, short_name, agency_id in data.DISTRICT_DEPARTMENTS:
        put(code, name, "department", district["code"], agency_id=agency_id, short_name=short_name)
    centre = data.CENTRE
    put(
        centre["code"],
        centre["name"],
        "centre",
        centre["parent"],
        agency_id=centre["agency_id"],
        short_name=centre["short_name"],
    )
    for index, (code, name) in enumerate(data.COMMUNES, start=1):
        put(code, name, "commune", district["code"], agency_id=data.commune_agency_id(index))
    return units, created


def _same_components(procedure: Procedure, components: list[dict]) -> bool:
    existing = [
        (c.code, c.name, c.required)
        for c in Component.objects.filter(procedure=procedure).order_by("position")
    ]
    return existing == [(c["code"], c["name"], c["required"]) for c in components]


def demo_procedures_load(*, units: dict[str, Unit]) -> tuple[list[Procedure], int]:
    """Upsert the demo catalogue. Components are rewritten only when they changed: the catalogue
    replaces them wholesale, and documents filed against the old rows would lose their link."""
    procedures, created = [], 0
    for spec in data.PROCEDURES:
        values = {k: v for k, v in spec.items() if k not in data.DEMO_KEYS}
        values["steps"] = [
            {**step, "unit": units[step["unit"]] if step["unit"] else None}
            for step in spec.get("steps", [])
        ]
        existing = Procedure.objects.filter(code=spec["code"]).first()
        if existing is not None and _same_components(existing, spec["components"]):
            values["components"] = None
        procedure, new = procedure_upsert(**values)
        procedures.append(procedure)
        created += int(new)
    return procedures, created


def demo_staff_specs(*, units: dict[str, Unit]) -> list[StaffSpec]:
    specs = [
        StaffSpec(username, unit, role, title, superuser=username == "quantri")
        for username, unit, role, title in data.DISTRICT_STAFF
    ]
    for code, _name in data.COMMUNES:
        unit = units[code]
        slug = commune_slug(unit=unit)
        specs += [
            StaffSpec(
                f"tiepnhan.{slug}",
                code,
                Role.DESK_OFFICER,
                data.TITLES[("commune", "desk_officer")],
            ),
            StaffSpec(
                f"chuyenvien.{slug}", code, Role.PROCESSOR, data.TITLES[("commune", "processor")]
            ),
            StaffSpec(f"lanhdao.{slug}", code, Role.LEADER, f"Chủ tịch {unit.name}"),
        ]
        if code in data.FEATURED_COMMUNES:
            specs.append(
                StaffSpec(
                    f"chuyenvien2.{slug}",
                    code,
                    Role.PROCESSOR,
                    data.TITLES[("commune", "processor2")],
                )
            )
    return specs


def demo_staff_load(*, units: dict[str, Unit]) -> tuple[list[StaffSpec], int]:
    """Upsert staff and their memberships; everyone gets the shared demo password."""
    specs = demo_staff_specs(units=units)
    return specs, demo_accounts_upsert(specs=specs, units=units)


# --- simulated history ----------------------------------------------------------------------------


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Plan:
    start: datetime
    unit: Unit
    procedure: Procedure
    channel: int
    storyline: str
    applicant: ds.Applicant
    components: list[ds.ReceivedComponent]
    pay_online: bool
    electronic: bool
    rng: random.Random
    fee: int = 0
    transfer_to: str | None = None  # district office consulted (liên thông ad hoc)
    obligation: bool = False  # taxes owed before the result
    processing_unit: Unit | None = None  # the agency, when a centre receives for it
    vneid_verified: bool = False  # filed online from an account verified with VNeID (4.5)


@dataclass
class _Tally:
    created: int = 0
    errors: list[str] = field(default_factory=list)


class _Simulator:
    """Plays each planned dossier through the dossier services, one moment after another."""

    def __init__(
        self, *, units: dict[str, Unit], end: datetime, staff: dict[tuple[str, str], list]
    ):
        self.units = units
        self.units_by_pk = {u.pk: u for u in units.values()}
        self.end = end
        self.staff = staff
        self.calendar = calendar_get(
            unit=units.get(data.DISTRICT["code"]) or next(iter(units.values()))
        )
        self.templates: dict[int, int] = {}  # procedure → last forwardable position
        self.signed_results = 0  # electronic results issued as signed files (the latest few)

    # -- helpers --

    def actor(self, unit_id: int, *roles: str, rng: random.Random):
        """Someone holding one of `roles` in the unit or the nearest unit above it."""
        unit = self.units_by_pk[unit_id]
        for code in reversed([c for c in unit.path.split("/") if c]):
            for role in roles:
                people = self.staff.get((code, role))
                if people:
                    return rng.choice(people)
        raise LookupError(f"Không có cán bộ {roles} tại {unit.name}")

    def after(self, moment: datetime, hours: float) -> datetime:
        return self.calendar.add_working_seconds(moment, max(120, int(hours * 3600)))

    def left(self, moment: datetime, due: datetime | None) -> float:
        """Working hours from `moment` to `due` (0 when past)."""
        if due is None:
            return 8.0
        return self.calendar.working_seconds_between(moment, due) / 3600

    def has_next_step(self, procedure: Procedure, position: int | None) -> bool:
        """Whether a plain forward has a template step to go to: one after `position`, other than
        the final hand-back (which follows approval). The default template is desk → processor →
        leader → desk."""
        if procedure.pk not in self.templates:
            roles = list(
                procedure.process_steps.order_by("position").values_list("role", flat=True)
            ) or [Role.DESK_OFFICER, Role.PROCESSOR, Role.LEADER, Role.DESK_OFFICER]
            if len(roles) > 1 and roles[-1] == Role.DESK_OFFICER:
                roles = roles[:-1]
            self.templates[procedure.pk] = len(roles)
        return position is not None and position < self.templates[procedure.pk]

    # -- one dossier --

    def play(self, plan: _Plan) -> Dossier | None:
        rng, t = plan.rng, plan.start
        fee = plan.fee
        desk = self.actor(plan.unit.pk, Role.DESK_OFFICER, rng=rng)
        summary = data_summary(plan)
        paid = False
        if plan.channel == Channel.ONLINE:
            d = ds.dossier_submit_online(
                unit=plan.unit,
                procedure=plan.procedure,
                applicant=plan.applicant,
                summary=summary,
                components=plan.components,
                vneid_verified=plan.vneid_verified,
                at=t,
            )
            if fee and plan.pay_online and plan.storyline != "not_accepted":
                t += timedelta(minutes=rng.randint(2, 15))
                d = demo_payment(dossier=d, actor=None, online=True, at=t)
                paid = True
            t = self.after(t, rng.uniform(0.2, 4))
            if t > self.end:
                return d
            if plan.storyline == "not_accepted":
                return ds.dossier_not_accept(
                    actor=desk, dossier=d, reason=rng.choice(data.NOT_ACCEPTED_REASONS), at=t
                )
            d = ds.dossier_accept(actor=desk, dossier=d, at=t)
        else:
            d = ds.dossier_receive(
                actor=desk,
                unit=plan.unit,
                procedure=plan.procedure,
                applicant=plan.applicant,
                channel=plan.channel,
                summary=summary,
                components=plan.components,
                processing_unit=plan.processing_unit,
                at=t,
            )
        if fee and not paid:
            t += timedelta(minutes=rng.randint(2, 10))
            d = demo_payment(dossier=d, actor=desk, online=plan.pay_online, at=t)
        return self.process(d, plan, t)

    def process(self, d: Dossier, plan: _Plan, t: datetime) -> Dossier:
        rng, procedure = plan.rng, plan.procedure
        incidents_done = False
        for _ in range(20):
            if d.state not in (State.RECEIVED, State.PROCESSING):
                return d
            position = (
                DossierStep.objects.filter(dossier=d, finished_at__isnull=True)
                .order_by("-seq")
                .values_list("position", flat=True)
                .first()
            )
            role, unit_id = d.current_role, d.current_unit_id
            left = self.left(t, d.due_at)
            if role == Role.PROCESSOR and not incidents_done:
                incidents_done = True
                d, t = self.incidents(d, plan, t)
                if t is None or t > self.end:
                    return d
                continue
            if role == Role.DESK_OFFICER:
                t = self.after(t, min(rng.uniform(0.05, 0.6), 0.1 * left))
            elif role == Role.PROCESSOR:
                if plan.storyline == "stuck":
                    return d
                t = self.processor_done(d, plan, t, left)
            else:
                t = self.after(t, rng.uniform(0.05, 0.4) * left)
            if t > self.end:
                return d
            actor = self.actor(unit_id, role or Role.PROCESSOR, rng=rng)
            if role != Role.LEADER or self.has_next_step(procedure, position):
                if self.has_next_step(procedure, position):
                    d = ds.dossier_forward(actor=actor, dossier=d, at=t)
                else:
                    # After a transfer the step is outside the template: name the next role.
                    d = ds.dossier_forward(actor=actor, dossier=d, to_role=Role.LEADER, at=t)
                continue
            if plan.storyline == "rejected":
                d = ds.dossier_reject(
                    actor=actor, dossier=d, reason=rng.choice(data.REJECT_REASONS), at=t
                )
            else:
                summary = procedure.result_name or procedure.name
                d = ds.dossier_resolve(
                    actor=actor,
                    dossier=d,
                    result_summary=summary,
                    electronic=plan.electronic,
                    result_file=self.signed_result(d, plan, actor, summary, t),
                    at=t,
                )
            return self.hand_back(d, plan, t)
        return d

    def signed_result(self, d: Dossier, plan: _Plan, actor, summary: str, t: datetime):
        """The latest few electronic results are real signed files (rendering and signing each
        takes a moment; the demo's year would take minutes): the tracking page offers them for
        download and the verification page accepts them."""
        if (
            not plan.electronic
            or self.signed_results >= SIGNED_RESULTS
            or t < self.end - SIGNED_SPAN
        ):
            return None
        from motcua.core.errors import DomainError
        from motcua.digitization.results import result_pdf_issue

        try:
            signed = result_pdf_issue(
                dossier=d, result_summary=summary, signer_name=ds.actor_name(actor), at=t
            )
        except DomainError:
            return None  # a unit without a demo certificate: the fact only
        self.signed_results += 1
        return signed

    def processor_done(self, d: Dossier, plan: _Plan, t: datetime, left: float) -> datetime:
        """When the processor finishes: well within the deadline, unless the storyline says late."""
        rng = plan.rng
        if plan.storyline == "late" or (plan.storyline == "apology" and rng.random() < 0.25):
            return self.after(max(t, d.due_at), rng.uniform(2, 60))
        return self.after(t, rng.uniform(0.15, 0.7) * left)

    def incidents(self, d: Dossier, plan: _Plan, t: datetime) -> tuple[Dossier, datetime | None]:
        """What happens while the processor holds the dossier; returns (dossier, moment) or a None
        moment when the story ends here."""
        rng, story = plan.rng, plan.storyline
        processor = self.actor(d.current_unit_id, Role.PROCESSOR, rng=rng)
        if story in ("supplement", "supplement_twice", "stopped"):
            rounds = 2 if story == "supplement_twice" else 1
            for i in range(rounds):
                t = self.after(t, rng.uniform(0.1, 0.4) * max(self.left(t, d.due_at), 1))
                if t > self.end:
                    return d, None
                reasons = data.SUPPLEMENT_REASONS if i == 0 else data.SECOND_SUPPLEMENT_REASONS
                d = ds.dossier_request_supplement(
                    actor=self.actor(d.current_unit_id, Role.PROCESSOR, rng=rng),
                    dossier=d,
                    content=rng.choice(reasons),
                    at=t,
                )
                if story == "stopped":
                    t = self.after(t, rng.uniform(80, 160))
                    if t > self.end:
                        return d, None
                    actor = self.actor(d.current_unit_id, Role.PROCESSOR, Role.LEADER, rng=rng)
                    d = ds.dossier_stop(actor=actor, dossier=d, reason=data.STOP_REASONS[0], at=t)
                    return d, None
                t = self.after(t, rng.uniform(4, 40))  # the applicant gathers the papers
                if t > self.end:
                    return d, None
                online = plan.channel == Channel.ONLINE
                d = ds.dossier_receive_supplement(
                    actor=None
                    if online
                    else self.actor(d.received_by_id or d.unit_id, Role.DESK_OFFICER, rng=rng),
                    dossier=d,
                    components=[
                        ds.ReceivedComponent(name="Giấy tờ bổ sung theo yêu cầu", digitized=True)
                    ],
                    at=t,
                )
        elif story == "transfer":
            office = self.units[plan.transfer_to]
            t = self.after(t, rng.uniform(0.2, 2))
            if t > self.end:
                return d, None
            d = ds.dossier_transfer(
                actor=processor,
                dossier=d,
                to_unit=office,
                to_role=Role.PROCESSOR,
                working_hours=max(1, round(self.left(t, d.due_at) * 0.4)),
                note="Đề nghị phòng chuyên môn cho ý kiến về hồ sơ.",
                at=t,
            )
            t = self.after(t, rng.uniform(0.1, 0.4) * max(self.left(t, d.due_at), 1))
            if t > self.end:
                return d, None
            d = ds.dossier_transfer(
                actor=self.actor(office.pk, Role.PROCESSOR, rng=rng),
                dossier=d,
                to_unit=plan.unit,
                to_role=Role.PROCESSOR,
                working_hours=max(1, round(self.left(t, d.due_at) * 0.6)),
                note="Đã có ý kiến, chuyển trả xã tiếp tục giải quyết.",
                at=t,
            )
        elif story == "withdrawn":
            t = self.after(t, rng.uniform(1, 16))
            if t > self.end:
                return d, None
            online = plan.channel == Channel.ONLINE
            d = ds.dossier_withdraw(
                actor=None
                if online
                else self.actor(d.received_by_id or d.unit_id, Role.DESK_OFFICER, rng=rng),
                dossier=d,
                reason=rng.choice(data.WITHDRAW_REASONS),
                at=t,
            )
            return d, None
        elif story == "apology":
            t = self.after(t, rng.uniform(0.1, 1))
            if t > self.end:
                return d, None
            if d.due_at > t:
                new_due = self.calendar.add_working_hours(d.due_at, 8 * rng.randint(2, 6))
                d = ds.dossier_apologise(
                    actor=processor,
                    dossier=d,
                    new_due_at=new_due,
                    reason=rng.choice(data.APOLOGY_REASONS),
                    at=t,
                )
        if plan.obligation and d.state == State.PROCESSING:
            t = self.after(t, rng.uniform(0.1, 0.3) * max(self.left(t, d.due_at), 1))
            if t > self.end:
                return d, None
            d = ds.dossier_request_financial_obligation(
                actor=self.actor(d.current_unit_id, Role.PROCESSOR, rng=rng),
                dossier=d,
                content=data.OBLIGATION_CONTENT,
                amount=rng.randrange(2, 60) * 500_000,
                at=t,
            )
            t = self.after(t, rng.uniform(8, 60))
            if t > self.end:
                return d, None
            online = plan.channel == Channel.ONLINE
            d = ds.dossier_fulfil_financial_obligation(
                actor=None
                if online
                else self.actor(d.received_by_id or d.unit_id, Role.DESK_OFFICER, rng=rng),
                dossier=d,
                note="Đã nộp chứng từ hoàn thành nghĩa vụ tài chính.",
                at=t,
            )
        return d, t

    def hand_back(self, d: Dossier, plan: _Plan, t: datetime) -> Dossier:
        """The desk returns the result when the applicant comes (or at once, online)."""
        rng = plan.rng
        if plan.storyline == "unclaimed":
            return d
        if plan.channel == Channel.ONLINE and plan.electronic:
            t = self.after(t, rng.uniform(0.05, 0.5))
        else:
            t = self.after(t, rng.expovariate(1 / 8))
        if t > self.end:
            return d
        desk = self.actor(d.received_by_id or d.unit_id, Role.DESK_OFFICER, rng=rng)
        return ds.dossier_return_result(actor=desk, dossier=d, at=t)


def data_summary(plan: _Plan) -> str:
    for spec in data.PROCEDURES:
        if spec["code"] == plan.procedure.code:
            return spec["summary"].format(name=plan.applicant.name)
    return plan.procedure.name


class _Planner:
    """Draws who files what, where, when and through which storyline."""

    def __init__(
        self,
        *,
        rng: random.Random,
        units: dict[str, Unit],
        procedures: list[Procedure],
        end: datetime,
    ):
        self.rng = rng
        self.units = units
        self.end = end
        self.calendar = calendar_get(unit=units[data.DISTRICT["code"]])
        specs = {spec["code"]: spec for spec in data.PROCEDURES}
        self.specs = specs
        self.by_level: dict[str, list[tuple[Procedure, float]]] = {"commune": [], "district": []}
        for p in procedures:
            weight = specs[p.code]["weight"]
            if weight and p.level in self.by_level:
                self.by_level[p.level].append((p, weight))
        communes = [units[code] for code, _ in data.COMMUNES]
        # Receiving units: the district desk takes about a fifth; the town more than a village.
        self.desks = [(units[data.CENTRE["code"]], 6.0)] + [
            (u, (2.0 if u.code == "11074" else 1.0) * rng.uniform(0.6, 1.4)) for u in communes
        ]
        # Each unit has its own habits: share filed online and share paid online. Six communes are
        # below the province's 30 % online-payment target, as in the seed directive.
        laggards = set(rng.sample([u.code for u in communes], 6))
        self.online_share = {u.pk: rng.uniform(0.45, 0.8) for u, _ in self.desks}
        self.pay_share = {
            u.pk: rng.uniform(0.1, 0.25) if u.code in laggards else rng.uniform(0.45, 0.85)
            for u, _ in self.desks
        }
        first = (end - timedelta(days=364)).date()
        self.days = [
            first + timedelta(days=i)
            for i in range((end.date() - first).days + 1)
            if self.calendar.is_working_day(first + timedelta(days=i))
        ]

    def storylines(self, count: int) -> list[str]:
        lines: list[str] = []
        for name, share in STORYLINES.items():
            lines += [name] * max(1, round(share * count))
        lines = lines[:count]
        lines += ["normal"] * (count - len(lines))
        self.rng.shuffle(lines)
        return lines

    def moment(self, day: date, *, anytime: bool = False) -> datetime:
        rng = self.rng
        if anytime:
            # Citizens file online at night and at weekends too.
            moment = timeutil.local_datetime(day, time(rng.randint(6, 22), rng.randint(0, 59)))
        else:
            start = timeutil.local_datetime(day, time(0, 0))
            moment = self.calendar.add_working_seconds(
                start, rng.randint(60, self.calendar.working_day_seconds - 600)
            )
        return moment

    def start(self, storyline: str, *, anytime: bool) -> datetime:
        rng = self.rng
        days = self.days
        if storyline == "recent":
            day = rng.choice(days[-3:])
        elif storyline == "stuck":
            day = days[-rng.randint(20, 70)]
        elif storyline == "normal":
            day = rng.choice(days)
        else:
            # Early enough for the whole story to play out before the end of the year.
            day = rng.choice(days[:-45])
        moment = self.moment(day, anytime=anytime)
        while moment > self.end:
            moment = self.moment(days[days.index(day) - 1], anytime=anytime)
            day = days[days.index(day) - 1]
        return moment

    def applicant(self, commune: Unit) -> ds.Applicant:
        rng = self.rng
        male = rng.random() < 0.5
        family = weighted_choice(rng, data.FAMILY_NAMES)
        middle = rng.choice(data.MIDDLE_MALE if male else data.MIDDLE_FEMALE)
        given = rng.choice(data.GIVEN_MALE if male else data.GIVEN_FEMALE)
        born = rng.randint(1950, 2006)
        # Citizen identity number: province of birth, sex-and-century digit, year, 6 random digits.
        century_sex = (0 if born < 2000 else 2) + (0 if male else 1)
        province = rng.choice(data.ID_PROVINCE_PREFIXES)
        id_number = f"{province}{century_sex}{born % 100:02d}{rng.randrange(10**6):06d}"
        return ds.Applicant(
            name=f"{family} {middle} {given}",
            id_number=id_number,
            phone=f"{rng.choice(data.PHONE_PREFIXES)}{rng.randrange(10**7):07d}",
            address=f"{_capitalized(rng.choice(data.VILLAGES))}, "
            f"{commune.name.removeprefix('UBND ')}, huyện Tứ Kỳ, tỉnh Hải Dương",
        )

    def components(self, procedure: Procedure) -> list[ds.ReceivedComponent]:
        rng = self.rng
        chosen = [c for c in procedure.components.all() if c.required or rng.random() < 0.4]
        # Most dossiers are fully digitized at intake (seed: 96 %); the rest miss one scan.
        missing = rng.choice(chosen) if chosen and rng.random() < 0.05 else None
        return [
            ds.ReceivedComponent(
                name=c.name,
                component=c,
                digitized=c is not missing,
                reused=c.name == data.ID_PAPER and rng.random() < 0.5,
            )
            for c in chosen
        ]

    def plan(self, storyline: str) -> _Plan:
        rng = self.rng
        if storyline == "transfer":
            desk = rng.choice([u for u, _ in self.desks if u.level == "commune"])
            candidates = [
                (p, w) for p, w in self.by_level["commune"] if self.specs[p.code].get("transfer_to")
            ]
        else:
            desk = weighted_choice(rng, self.desks)
            candidates = self.by_level["district" if desk.level == "centre" else "commune"]
        if storyline == "not_accepted":
            candidates = [(p, w) for p, w in candidates if p.online_level != "none"]
        procedure = weighted_choice(rng, candidates)
        if storyline == "not_accepted" or (
            procedure.online_level != "none" and rng.random() < self.online_share[desk.pk]
        ):
            channel = Channel.ONLINE
        else:
            channel = Channel.POSTAL if rng.random() < 0.12 else Channel.DIRECT
        commune = desk if desk.level == "commune" else self.units[rng.choice(data.COMMUNES)[0]]
        pay_share = self.pay_share[desk.pk]
        spec = self.specs[procedure.code]
        plan = _Plan(
            start=self.start(storyline, anytime=channel == Channel.ONLINE and rng.random() < 0.3),
            unit=desk,
            procedure=procedure,
            channel=channel,
            storyline=storyline,
            applicant=self.applicant(commune),
            components=self.components(procedure),
            # Paying online is far more common for those who also filed online.
            pay_online=rng.random() < (pay_share if channel == Channel.ONLINE else pay_share * 0.6),
            electronic=procedure.result_kind == "electronic" or rng.random() < 0.93,
            rng=random.Random(rng.random()),
            fee=sum(f.amount for f in procedure.fees.all()),
            transfer_to=spec.get("transfer_to"),
            obligation=bool(spec.get("obligation")) and rng.random() < 0.7,
        )
        return plan


def _demo_staff_index(units: dict[str, Unit]) -> dict[tuple[str, str], list]:
    index: dict[tuple[str, str], list] = {}
    # By unit, not code: the live tree reuses codes of the old one.
    for m in Membership.objects.filter(active=True, unit__in=list(units.values())).select_related(
        "user", "unit"
    ):
        index.setdefault((m.unit.code, m.role), []).append(m.user)
    for people in index.values():
        people.sort(key=lambda u: u.username)
    return index


def demo_dossiers_generate(
    *,
    units: dict[str, Unit],
    procedures: list[Procedure],
    count: int,
    seed: int,
    end: datetime,
    progress=None,
) -> _Tally:
    """Plan `count` dossiers over the year before `end`, then play them in time order."""
    rng = random.Random(seed)
    procedures = list(
        Procedure.objects.filter(pk__in=[p.pk for p in procedures])
        .order_by("code")
        .prefetch_related("fees", "components")
    )
    planner = _Planner(rng=rng, units=units, procedures=procedures, end=end)
    plans = sorted((planner.plan(s) for s in planner.storylines(count)), key=lambda p: p.start)
    simulator = _Simulator(units=units, end=end, staff=_demo_staff_index(units))
    tally = _Tally()
    for first in range(0, len(plans), BATCH):
        # One transaction per batch: SQLite commits are the slow part.
        with transaction.atomic():
            for plan in plans[first : first + BATCH]:
                try:
                    simulator.play(plan)
                    tally.created += 1
                except DomainError as error:
                    tally.errors.append(f"{plan.procedure.code} {plan.storyline}: {error.message}")
        if progress is not None:
            progress(min(first + BATCH, len(plans)), len(plans))
    return tally


# --- entry point ----------------------------------------------------------------------------------


def _end_of(today: date | None) -> datetime:
    now = timeutil.now()
    if today is None:
        return now
    return min(now, timeutil.local_datetime(today + timedelta(days=1)) - timedelta(seconds=1))


def demo_logins(*, units: dict[str, Unit]) -> list[dict[str, str]]:
    """The documented logins: district, featured communes and supervisors (the others follow the
    same pattern)."""
    featured_units = (
        {data.DISTRICT["code"], "30"}
        | {code for code, *_ in data.DISTRICT_DEPARTMENTS}
        | {data.CENTRE["code"], *data.FEATURED_COMMUNES}
    )
    rows = []
    for spec in demo_staff_specs(units=units):
        if spec.unit_code in featured_units:
            rows.append(
                {
                    "username": spec.username,
                    "role": str(Role(spec.role).label),
                    "unit": units[spec.unit_code].name,
                    "password": data.DEMO_PASSWORD,
                }
            )
    return rows


def _write(stdout: TextIO | None, text: str = "") -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def demo_publications_load(*, procedures: list[Procedure], end: datetime, seed: int) -> None:
    """A publication decision per procedure in the demo year, so the scorecard's publicity group has
    something to score: most decided well ahead of the effective date and made public within days,
    a few late or with content parts missing. Decision numbers are illustrative."""
    rng = random.Random(seed + 766)
    for index, procedure in enumerate(procedures, start=1):
        decided = (end - timedelta(days=rng.randint(30, 330))).date()
        ahead = rng.choice((2, 10, 15, 20, 30))  # calendar days before taking effect
        public_after = rng.choice((1, 2, 3, 4, 12))
        parts = list(Publication.CONTENT_PARTS)
        if rng.random() < 0.2:
            parts.remove(rng.choice(parts))
        Publication.objects.update_or_create(
            procedure=procedure,
            decision_number=f"{index:02d}/QĐ-UBND (minh họa)",
            defaults={
                "decision_date": decided,
                "effective_date": decided + timedelta(days=ahead),
                "made_public_date": decided + timedelta(days=public_after),
                "content_parts": parts,
            },
        )


def demo_targets_load(*, units: dict[str, Unit], end: datetime) -> None:
    """The seed directive's target: every commune of the district pays at least 30 % online, for
    the calendar years the demo covers."""
    district = units[data.DISTRICT["code"]]
    for year in (end.year - 1, end.year):
        Target.objects.update_or_create(
            metric="online_payment",
            unit=district,
            level="commune",
            valid_from=date(year, 1, 1),
            valid_to=date(year, 12, 31),
            defaults={"percent": 30},
        )


def demo_load(
    *,
    dossiers: int = DEFAULT_DOSSIERS,
    seed: int = 2024,
    today: date | None = None,
    stdout: TextIO | None = None,
) -> dict[str, Any]:
    """Load (or refresh) the demo. Reference data is upserted every time; dossiers are generated
    only when the demo province has none yet, so a second run adds nothing."""
    started = wallclock.monotonic()
    end = _end_of(today)
    with transaction.atomic():
        units, units_created = demo_units_load()
        procedures, procedures_created = demo_procedures_load(units=units)
        _specs, users_created = demo_staff_load(units=units)
        demo_targets_load(units=units, end=end)
        demo_publications_load(procedures=procedures, end=end, seed=seed)
        # Today's structure (Hải Phòng since 1/7/2025), its staff and its filing-anywhere list.
        live_units = haiphong.demo_haiphong_units_load()
        haiphong.demo_filing_anywhere_load(units=live_units)
        users_created += haiphong.demo_haiphong_staff_load(units=live_units)
    # The units that issue results (the district and its communes) sign them with demo
    # certificates; verification trusts exactly these.
    certificates = demo_signing_certificates_ensure(
        units=[(code, units[code].name) for code in data.SIGNING_UNITS],
        default_unit=data.DISTRICT["code"],
    )
    province = units[data.PROVINCE["code"]]
    live_province = live_units[haiphong.PROVINCE["code"]]
    existing = Dossier.objects.filter(
        Q(unit__path__startswith=province.path) | Q(unit__path__startswith=live_province.path)
    ).exists()
    tally = _Tally()
    if dossiers > 0 and not existing:
        # The year ending today: on the old tree up to 30/6/2025, on Hải Phòng's from 1/7/2025.
        history_end = haiphong.history_end(end=end)
        live = haiphong.is_live(end=end)
        _write(stdout, f"Đang tạo {dossiers} hồ sơ mẫu trong một năm đến {end:%d/%m/%Y}…")
        # A year of generated history messages no applicant.
        with notifications_paused():
            # Once the live tree runs, the old tree's last year is history: half as many.
            tally = demo_dossiers_generate(
                units=units,
                procedures=procedures,
                count=max(1, dossiers // 2) if live else dossiers,
                seed=seed,
                end=history_end,
                progress=lambda done, total: _write(stdout, f"  {done}/{total} hồ sơ"),
            )
            if live:
                live_tally = haiphong.demo_live_dossiers_generate(
                    units=live_units,
                    history_units=units,
                    procedures=procedures,
                    count=dossiers,
                    seed=seed,
                    end=end,
                    progress=lambda done, total: _write(
                        stdout, f"  {done}/{total} hồ sơ (Hải Phòng)"
                    ),
                )
                tally.created += live_tally.created
                tally.errors += live_tally.errors
    # Feedback about the communes and ratings of their dossiers (skipped when already there):
    # the old tree's up to its last day, today's communes' over the live year.
    live = haiphong.is_live(end=end)
    with transaction.atomic():
        feedback = demo_feedback_generate(
            units=units,
            communes=[code for code, _name in data.COMMUNES],
            department="298-TP",
            end=haiphong.history_end(end=end),
            seed=seed,
        )
        if live:
            live_feedback = demo_feedback_generate(
                units=live_units,
                communes=[commune[0] for commune in haiphong.COMMUNES],
                department=haiphong.DEPARTMENTS[0][0],
                end=end,
                seed=seed + 1,
            )
            feedback = {key: feedback[key] + live_feedback[key] for key in feedback}
    if live and tally.created:
        with transaction.atomic(), notifications_paused():
            haiphong.demo_hand_over(units=units, live_units=live_units)
        _demo_sync_confirm(province=live_province, seed=seed)
        _demo_result_links_confirm(province=live_province, seed=seed)
    demo_dossiers = Dossier.objects.filter(
        Q(unit__path__startswith=province.path) | Q(unit__path__startswith=live_province.path)
    )
    by_state = dict(demo_dossiers.values_list("state").annotate(n=Count("id")).order_by("state"))
    result = {
        "units_created": units_created,
        "procedures_created": procedures_created,
        "users_created": users_created,
        "dossiers_created": tally.created,
        "dossiers_skipped": existing,
        "errors": tally.errors,
        "dossiers_total": sum(by_state.values()),
        "by_state": {int(k): v for k, v in by_state.items()},
        "units": len(units),
        "procedures": len(procedures),
        "seconds": round(wallclock.monotonic() - started, 1),
        "logins": haiphong.demo_haiphong_logins(units=live_units) + demo_logins(units=units),
        "certificates": certificates,
        "feedback_created": feedback["feedback"],
        "ratings_created": feedback["ratings"],
    }
    _report(stdout, result)
    return result


def _report(stdout: TextIO | None, result: dict[str, Any]) -> None:
    if stdout is None:
        return
    _write(stdout)
    _write(stdout, "Dữ liệu mẫu đã sẵn sàng.")
    _write(
        stdout,
        f"- Đơn vị: {result['units']} (mới {result['units_created']}); "
        f"thủ tục: {result['procedures']} (mới {result['procedures_created']}); "
        f"tài khoản mới: {result['users_created']}.",
    )
    if result["dossiers_skipped"]:
        _write(stdout, "- Hồ sơ mẫu đã có từ lần chạy trước: không tạo thêm.")
    else:
        _write(stdout, f"- Hồ sơ mới tạo: {result['dossiers_created']}.")
    states = ", ".join(
        f"{State(code).label}: {count}" for code, count in sorted(result["by_state"].items())
    )
    _write(stdout, f"- Tổng số hồ sơ: {result['dossiers_total']} ({states}).")
    _write(
        stdout,
        f"- Phản ánh, kiến nghị mới tạo: {result['feedback_created']}; "
        f"đánh giá mức độ hài lòng: {result['ratings_created']}.",
    )
    if result["errors"]:
        _write(stdout, f"- Cảnh báo: {len(result['errors'])} hồ sơ dừng giữa chừng do lỗi, ví dụ:")
        for line in result["errors"][:5]:
            _write(stdout, f"    {line}")
    certificates = result["certificates"]
    if certificates["skipped"]:
        _write(
            stdout,
            f"- Chứng thư số ký kết quả: giữ nguyên cấu hình {certificates['path']} "
            "(không phải của bản mẫu), không tạo chứng thư thử nghiệm.",
        )
    else:
        _write(
            stdout,
            f"- Chứng thư số ký kết quả: {len(certificates['units'])} đơn vị "
            f"(mới {certificates['created']}), {DEMO_NOTICE}; cấu hình: {certificates['path']}.",
        )
    for line in demo_payment_lines():
        _write(stdout, line)
    _write(stdout, f"- Thời gian: {str(result['seconds']).replace('.', ',')} giây.")
    _write(stdout)
    _write(stdout, f"Tài khoản dùng thử (mật khẩu chung: {data.DEMO_PASSWORD}):")
    rows = [("Tên đăng nhập", "Vai trò", "Đơn vị", "Mật khẩu")] + [
        (r["username"], r["role"], r["unit"], r["password"]) for r in result["logins"]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        _write(
            stdout, "  " + "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip()
        )
        if i == 0:
            _write(stdout, "  " + "  ".join("-" * w for w in widths))
    _write(
        stdout,
        "Các xã khác theo cùng quy tắc: tiepnhan.<tên xã không dấu>, chuyenvien.<…>, lanhdao.<…> "
        "(ví dụ tiepnhan.hathanh). Tài khoản quantri vào được trang quản trị /admin/.",
    )


def _demo_result_links_confirm(*, province: Unit, seed: int) -> int:
    """The portal's confirmation that it holds the electronic result's link in the applicant's
    catalogue, for most synced dossiers with an electronic result (the other half of indicator
    4.4), recorded as the sync worker records it (`dossiers.services.dossier_mark_result_synced`)."""
    rng = random.Random(seed + 16)
    confirmed = 0
    results = Dossier.objects.filter(
        unit__path__startswith=province.path,
        synced_to_portal=True,
        result_electronic=True,
        has_result_file=True,
        result_store_synced_at__isnull=True,
    ).values_list("pk", flat=True)
    for dossier_id in results.order_by("pk"):
        if rng.random() < 0.85:
            ds.dossier_mark_result_synced(dossier=dossier_id)
            confirmed += 1
    return confirmed


def _demo_sync_confirm(*, province: Unit, seed: int) -> int:
    """The national portal's confirmation for most of the live year's received dossiers (about
    3 % left unsynced, as a real province has), so indicators 1.4, 3.3 and 3.5 are computed. The
    demo has no portal to push to: the confirmation is recorded as the sync worker records one
    (`dossiers.services.dossier_mark_synced`), at the moment the demo is loaded."""
    rng = random.Random(seed + 14)
    confirmed = 0
    received = Dossier.objects.filter(
        unit__path__startswith=province.path, received_at__isnull=False, synced_to_portal=False
    ).values_list("pk", flat=True)
    for dossier_id in received.order_by("pk"):
        if rng.random() < 0.97:
            ds.dossier_mark_synced(dossier=dossier_id, receipt="DEMO")
            confirmed += 1
    return confirmed
