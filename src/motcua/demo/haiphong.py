"""The demo's live structure since 1/7/2025: Hải Phòng city (Hải Dương merged into it), its public
administrative service centre, and the six communes that replaced Tứ Kỳ district, each with its
own commune centre. Loaded as a reorganisation decision through `unit_reorganise` (the same service
`motcua units reorganise` uses), so the Hải Dương/Tứ Kỳ tree stays as history and each new unit
records the units it succeeded.

What is real and what is illustrative:
- Real (docs/units.md): Hải Phòng's statistics code 31, the six communes and their codes (Tứ Kỳ
  11074, Đại Sơn 11086, Tân Kỳ 11113, Chí Minh 11131, Lạc Phượng 11140, Nguyên Giáp 11146), the
  date 1/7/2025 and the abolition of districts.
- Illustrative: which old communes went into which new one (grouped by neighbouring codes and the
  new names), the department list, every agency identifier and the filing-anywhere decision.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model

from motcua.catalog.models import FilingAnywhere, Procedure, ProcessStep
from motcua.catalog.services import filing_anywhere_set
from motcua.core import timeutil
from motcua.demo import data
from motcua.demo.staff import StaffSpec, demo_accounts_upsert
from motcua.dossiers.models import Channel
from motcua.dossiers.services import dossiers_hand_over
from motcua.units.models import Role, Unit
from motcua.units.reorganisation import NewUnit, Reorganisation
from motcua.units.selectors import unit_get_by_code, unit_is_current
from motcua.units.services import unit_reorganise

EFFECTIVE_ON = date(2025, 7, 1)
HISTORY_ENDS = EFFECTIVE_ON - timedelta(days=1)
DECISION = "Nghị quyết 1669/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã của thành phố Hải Phòng"

PROVINCE = {"code": "31", "name": "UBND thành phố Hải Phòng", "agency_id": "000.00.00.H31"}
CENTRE = {
    "code": "31-TTHCC",
    "name": "Trung tâm Phục vụ hành chính công thành phố Hải Phòng",
    "short_name": "Trung tâm PVHCC thành phố",
    "agency_id": "000.00.99.H31",
}
# (code, name, agency id, old departments it took over)
DEPARTMENTS = [
    ("31-STP", "Sở Tư pháp thành phố Hải Phòng", "000.00.11.H31", ["30-STP"]),
    (
        "31-SNNMT",
        "Sở Nông nghiệp và Môi trường thành phố Hải Phòng",
        "000.00.12.H31",
        ["30-STNMT"],
    ),
    ("31-SXD", "Sở Xây dựng thành phố Hải Phòng", "000.00.13.H31", ["30-SXD"]),
    ("31-SNV", "Sở Nội vụ thành phố Hải Phòng", "000.00.15.H31", ["30-SNV", "30-SLDTBXH"]),
]
# (code, name, slug for logins, old communes merged into it — illustrative grouping)
COMMUNES = [
    ("11074", "UBND xã Tứ Kỳ", "xatuky", ["11074", "11077", "11089", "11092", "11095"]),
    ("11086", "UBND xã Đại Sơn", "xadaison", ["11080", "11083", "11086", "11098", "11101"]),
    ("11113", "UBND xã Tân Kỳ", "xatanky", ["11104", "11107", "11110", "11113"]),
    (
        "11131",
        "UBND xã Chí Minh",
        "xachiminh",
        ["11116", "11119", "11122", "11125", "11128", "11131", "11134"],
    ),
    ("11140", "UBND xã Lạc Phượng", "xalacphuong", ["11137", "11140", "11143"]),
    ("11146", "UBND xã Nguyên Giáp", "xanguyengiap", ["11146", "11149", "11152"]),
]
FILING_ANYWHERE_DECISION = ("25/QĐ-UBND (minh họa)", date(2025, 6, 25))


def commune_centre_code(code: str) -> str:
    return f"{code}-TTHCC"


def reorganisation() -> Reorganisation:
    """The decision, as `motcua units reorganise` reads it (docs/units.md)."""
    create = [
        NewUnit(
            code=PROVINCE["code"],
            name=PROVINCE["name"],
            level="province",
            short_name="Hải Phòng",
            agency_id=PROVINCE["agency_id"],
        ),
        NewUnit(
            code=CENTRE["code"],
            name=CENTRE["name"],
            level="centre",
            parent=PROVINCE["code"],
            short_name=CENTRE["short_name"],
            agency_id=CENTRE["agency_id"],
        ),
    ]
    for code, name, agency_id, _old in DEPARTMENTS:
        create.append(
            NewUnit(code=code, name=name, level="department", parent="31", agency_id=agency_id)
        )
    for index, (code, name, _slug, _old) in enumerate(COMMUNES, start=1):
        create.append(
            NewUnit(
                code=code,
                name=name,
                level="commune",
                parent="31",
                agency_id=f"{index:03d}.31.00.H31",
            )
        )
        short = name.removeprefix("UBND xã ")
        create.append(
            NewUnit(
                code=commune_centre_code(code),
                name=f"Trung tâm Phục vụ hành chính công xã {short}",
                level="centre",
                parent=code,
                short_name=f"Trung tâm PVHCC {short}",
                agency_id=f"{index:03d}.31.99.H31",
            )
        )
    merge = [([data.PROVINCE["code"]], PROVINCE["code"])]
    merge += [(old, code) for code, _name, _agency, old in DEPARTMENTS]
    merge += [(old, code) for code, _name, _slug, old in COMMUNES]
    # The district, its offices and its one-stop desk end without a successor.
    ended = [data.DISTRICT["code"], data.CENTRE["code"]]
    ended += [code for code, *_ in data.DISTRICT_DEPARTMENTS]
    return Reorganisation(
        effective_on=EFFECTIVE_ON, decision=DECISION, create=create, merge=merge, end=ended
    )


def demo_haiphong_units_load() -> dict[str, Unit]:
    """Apply the decision once (a later run finds Hải Phòng and leaves it); returns the live
    units by code."""
    province = unit_get_by_code(code=PROVINCE["code"], on=EFFECTIVE_ON)
    if province is None or not unit_is_current(unit=province, on=EFFECTIVE_ON):
        unit_reorganise(reorganisation=reorganisation(), apply=True)
    codes = [PROVINCE["code"], CENTRE["code"], *(c for c, *_ in DEPARTMENTS)]
    for code, *_ in COMMUNES:
        codes += [code, commune_centre_code(code)]
    return {code: unit_get_by_code(code=code, on=EFFECTIVE_ON) for code in codes}


def demo_hand_over(*, units: dict[str, Unit], live_units: dict[str, Unit]) -> int:
    """On 1/7/2025 the city's administrator hands the old tree's open dossiers over, as
    `motcua units hand-over` does: each old commune's to the commune it merged into; the
    district offices' to the commune of the old district seat (illustrative: most district-level
    procedures passed to communes) and the district desk's to that commune's centre."""
    admin = get_user_model().objects.get(username="quantri.haiphong")
    at = timeutil.local_datetime(EFFECTIVE_ON, time(7, 30))
    seat = live_units["11074"]
    targets: list[tuple[Unit, Unit | None]] = [(units[code], None) for code, _name in data.COMMUNES]
    targets += [(units[code], seat) for code, *_ in data.DISTRICT_DEPARTMENTS]
    targets.append((units[data.CENTRE["code"]], live_units[commune_centre_code("11074")]))
    handed = 0
    for from_unit, to_unit in targets:
        handed += dossiers_hand_over(
            actor=admin, from_unit=from_unit, to_unit=to_unit, decision=DECISION, apply=True, at=at
        ).count
    return handed


def demo_filing_anywhere_load(*, units: dict[str, Unit]) -> list[Procedure]:
    """The city lets citizens file its commune procedures at any centre (illustrative list)."""
    number, decided = FILING_ANYWHERE_DECISION
    procedures = list(
        Procedure.objects.filter(
            level="commune", active=True, online_level__in=("full", "partial")
        ).order_by("code")
    )
    for procedure in procedures:
        filing_anywhere_set(
            province=units[PROVINCE["code"]],
            procedure=procedure,
            decision_number=number,
            decision_date=decided,
            valid_from=EFFECTIVE_ON,
        )
    return procedures


def live_logins() -> list[StaffSpec]:
    """Logins for each role on the live tree (docs/demo.md). Desk officers hold their role in the
    commune (it reaches the commune's centre below it): they receive at the centre and accept the
    commune's online dossiers there."""
    logins = [
        StaffSpec("quantri.haiphong", "31", Role.ADMINISTRATOR, "Quản trị hệ thống", True),
        StaffSpec(
            "giamsat.haiphong", "31", Role.SUPERVISOR, "Chuyên viên Văn phòng UBND thành phố"
        ),
        StaffSpec("lanhdao.haiphong", "31", Role.LEADER, "Phó Chủ tịch UBND thành phố"),
        StaffSpec(
            "tiepnhan.tthcc", CENTRE["code"], Role.DESK_OFFICER, "Chuyên viên Trung tâm PVHCC"
        ),
        StaffSpec("chuyenvien.sotuphap", "31-STP", Role.PROCESSOR, "Chuyên viên Sở Tư pháp"),
        StaffSpec("lanhdao.sotuphap", "31-STP", Role.LEADER, "Giám đốc Sở Tư pháp"),
    ]
    for code, name, slug, _old in COMMUNES:
        short = name.removeprefix("UBND xã ")
        logins += [
            StaffSpec(f"tiepnhan.{slug}", code, Role.DESK_OFFICER, "Công chức Trung tâm PVHCC xã"),
            StaffSpec(f"chuyenvien.{slug}", code, Role.PROCESSOR, "Công chức chuyên môn"),
            StaffSpec(f"lanhdao.{slug}", code, Role.LEADER, f"Chủ tịch UBND xã {short}"),
            StaffSpec(f"giamsat.{slug}", code, Role.SUPERVISOR, "Công chức Văn phòng HĐND-UBND"),
        ]
    return logins


def demo_haiphong_staff_load(*, units: dict[str, Unit]) -> int:
    """Upsert the live tree's logins with the shared demo password; returns how many were new."""
    return demo_accounts_upsert(specs=live_logins(), units=units)


def demo_haiphong_logins(*, units: dict[str, Unit]) -> list[dict[str, str]]:
    return [
        {
            "username": login.username,
            "role": str(Role(login.role).label),
            "unit": units[login.unit_code].name,
            "password": data.DEMO_PASSWORD,
        }
        for login in live_logins()
    ]


# --- the live year's dossiers -----------------------------------------------------------------

# Storylines the live tree plays (no district offices to consult: no transfers).
LIVE_STORYLINES = {
    "not_accepted": 0.03,
    "withdrawn": 0.015,
    "stopped": 0.01,
    "rejected": 0.015,
    "supplement": 0.07,
    "late": 0.03,
    "apology": 0.02,
    "stuck": 0.012,
    "recent": 0.03,
}
# Share of desk dossiers handed in at another centre than the commune's own (filing anywhere).
ELSEWHERE_SHARE = 0.15


def live_plans(
    *, rng: random.Random, units: dict[str, Unit], procedures: list[Procedure], count: int,
    first: date, end: datetime, calendar, plan_type, applicant, components,
):  # fmt: skip
    """`count` plans over the working days from `first` to `end` on the live tree: most dossiers
    at the commune's own centre, some online, some handed in at another centre of the city (the
    city's centre or another commune's) for the commune's procedure."""
    communes = [units[code] for code, *_ in COMMUNES]
    centres = [units[commune_centre_code(code)] for code, *_ in COMMUNES] + [units[CENTRE["code"]]]
    anywhere = set(
        FilingAnywhere.objects.filter(province=units[PROVINCE["code"]]).values_list(
            "procedure_id", flat=True
        )
    )
    candidates = [p for p in procedures if p.level == "commune" and p.active]
    weights = {spec["code"]: spec["weight"] for spec in data.PROCEDURES}
    candidates = [p for p in candidates if weights.get(p.code)]
    # Templates routed through the old district's offices (liên thông) have no live equivalent.
    live_ids = {u.pk for u in units.values()}
    routed = set(
        ProcessStep.objects.filter(unit__isnull=False)
        .exclude(unit_id__in=live_ids)
        .values_list("procedure_id", flat=True)
    )
    candidates = [p for p in candidates if p.pk not in routed]
    days = [
        first + timedelta(days=i)
        for i in range((end.date() - first).days + 1)
        if calendar.is_working_day(first + timedelta(days=i))
    ]
    if not days or not candidates:
        return []
    lines: list[str] = []
    for name, share in LIVE_STORYLINES.items():
        lines += [name] * max(1, round(share * count))
    lines = lines[:count] + ["normal"] * max(0, count - len(lines))
    rng.shuffle(lines)
    plans = []
    for storyline in lines:
        commune = rng.choice(communes)
        procedure = rng.choices(candidates, weights=[weights[p.code] for p in candidates])[0]
        online = storyline == "not_accepted" or (
            procedure.online_level != "none" and rng.random() < 0.55
        )
        if storyline == "not_accepted" and procedure.online_level == "none":
            storyline = "normal"
            online = False
        if storyline == "recent":
            day = rng.choice(days[-3:])
        elif storyline in ("normal", "stuck"):
            day = rng.choice(days)
        else:
            day = rng.choice(days[:-45] or days)
        moment = calendar.add_working_seconds(
            timeutil.local_datetime(day, time(0, 0)),
            rng.randint(60, calendar.working_day_seconds - 600),
        )
        if moment > end:
            moment = end - timedelta(hours=1)
        desk, processing = commune, None
        if not online:
            desk = units[commune_centre_code(commune.code)]
            processing = commune
            if procedure.pk in anywhere and rng.random() < ELSEWHERE_SHARE:
                desk = rng.choice([c for c in centres if c.parent_id != commune.pk])
        fee = sum(f.amount for f in procedure.fees.all())
        plans.append(
            plan_type(
                start=moment,
                unit=desk,
                procedure=procedure,
                channel=Channel.ONLINE if online else Channel.DIRECT,
                storyline=storyline,
                applicant=applicant(commune),
                components=components(procedure),
                pay_online=rng.random() < (0.6 if online else 0.35),
                electronic=procedure.result_kind == "electronic" or rng.random() < 0.93,
                rng=random.Random(rng.random()),
                fee=fee,
                processing_unit=processing,
            )
        )
    return sorted(plans, key=lambda p: p.start)


def live_first_day(*, end: datetime) -> date:
    """The live year starts a year before the end, never before the reorganisation."""
    return max((end - timedelta(days=364)).date(), EFFECTIVE_ON)


def history_end(*, end: datetime) -> datetime:
    """The old tree's year ends on the last day it existed (or at `end`, if earlier)."""
    last = timeutil.local_datetime(EFFECTIVE_ON) - timedelta(seconds=1)
    return min(end, last)


def applicant_address(commune: Unit, village: str) -> str:
    return f"{village}, {commune.name.removeprefix('UBND ')}, thành phố Hải Phòng"


def is_live(*, end: datetime) -> bool:
    return end.date() >= EFFECTIVE_ON


def _portal_facts_draw(plans: list, *, seed: int) -> None:
    """The facts a citizen's online filing brings from the national portal (indicators 4.4 and
    4.5): an account verified with VNeID for most citizens filing online, and for some the ID
    paper taken from their store on the portal (DuocLayTuKhoDMQG). Drawn from their own generator,
    so the rest of the demo stays as it was."""
    from dataclasses import replace

    rng = random.Random(seed + 2026)
    for plan in plans:
        if plan.channel != Channel.ONLINE or plan.applicant.kind != 1:
            continue
        plan.vneid_verified = rng.random() < 0.7
        if plan.components and rng.random() < 0.3:
            plan.components = [
                replace(c, from_national_store=True) if i == 0 else c
                for i, c in enumerate(plan.components)
            ]


def demo_live_dossiers_generate(
    *,
    units: dict[str, Unit],
    history_units: dict[str, Unit],
    procedures: list[Procedure],
    count: int,
    seed: int,
    end: datetime,
    progress=None,
):
    """Plan `count` dossiers over the live year and play them through the same simulator as the
    history year (the real dossier services, simulated moments)."""
    from dataclasses import replace

    from django.db import transaction

    from motcua.core.errors import DomainError
    from motcua.demo import services as demo

    rng = random.Random(seed + 2025)
    procedures = list(
        Procedure.objects.filter(pk__in=[p.pk for p in procedures])
        .order_by("code")
        .prefetch_related("fees", "components")
    )
    # The history planner lends its applicants and components; the address is the city's now.
    helper = demo._Planner(rng=rng, units=history_units, procedures=procedures, end=end)

    def applicant(commune: Unit):
        person = helper.applicant(commune)
        village = person.address.split(",")[0]
        return replace(person, address=applicant_address(commune, village))

    simulator = demo._Simulator(units=units, end=end, staff=demo._demo_staff_index(units))
    plans = live_plans(
        rng=rng,
        units=units,
        procedures=procedures,
        count=count,
        first=live_first_day(end=end),
        end=end,
        calendar=simulator.calendar,
        plan_type=demo._Plan,
        applicant=applicant,
        components=helper.components,
    )
    _portal_facts_draw(plans, seed=seed)
    tally = demo._Tally()
    for first in range(0, len(plans), demo.BATCH):
        with transaction.atomic():
            for plan in plans[first : first + demo.BATCH]:
                try:
                    simulator.play(plan)
                    tally.created += 1
                except DomainError as error:
                    tally.errors.append(f"{plan.procedure.code} {plan.storyline}: {error.message}")
        if progress is not None:
            progress(min(first + demo.BATCH, len(plans)), len(plans))
    return tally
