"""Demo accounts: one upsert for every demo login, the old tree's and the live tree's — a stable
Vietnamese name per login, the shared demo password, the role in its unit."""

import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from motcua.demo import data
from motcua.units.models import Unit
from motcua.units.services import membership_grant


@dataclass(frozen=True)
class StaffSpec:
    username: str
    unit_code: str
    role: str
    title: str
    superuser: bool = False


def weighted_choice(rng: random.Random, pairs):
    """One item of (item, weight) pairs."""
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def demo_staff_name(username: str, *, taken: set[tuple[str, str]]) -> tuple[str, str]:
    """A stable Vietnamese name per login, (family + middle name, given name), unlike the others."""
    rng = random.Random(f"demo-staff:{username}")
    while True:
        family = weighted_choice(rng, data.FAMILY_NAMES)
        if rng.random() < 0.5:
            name = f"{family} {rng.choice(data.MIDDLE_MALE)}", rng.choice(data.GIVEN_MALE)
        else:
            name = f"{family} {rng.choice(data.MIDDLE_FEMALE)}", rng.choice(data.GIVEN_FEMALE)
        if name not in taken:
            taken.add(name)
            return name


def demo_accounts_upsert(
    *,
    specs: Iterable[StaffSpec],
    units: dict[str, Unit],
    taken: set[tuple[str, str]] | None = None,
) -> int:
    """Upsert each login and its role; returns how many accounts were new. `taken`: names already
    given (so the two trees' staff do not share one)."""
    user_model = get_user_model()
    # Hash once and share it: one PBKDF2 round per user would cost a second each.
    template = user_model()
    template.set_password(data.DEMO_PASSWORD)
    taken = set() if taken is None else taken
    created = 0
    for spec in specs:
        first_name, last_name = demo_staff_name(spec.username, taken=taken)
        user, new = user_model.objects.update_or_create(
            username=spec.username,
            defaults={
                # Django prints first + last: "Nguyễn Văn" + "An" reads in Vietnamese order.
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{spec.username}@demo.motcua.local",
                "is_active": True,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
                "password": template.password,
            },
        )
        created += int(new)
        membership_grant(user=user, unit=units[spec.unit_code], role=spec.role, title=spec.title)
    return created
