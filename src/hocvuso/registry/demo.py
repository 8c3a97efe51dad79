"""The demo commune: villages, households and people from the synthetic generator, demo accounts.

Idempotent: a second run finds what exists and adds nothing. Everything is written through the
same services the web pages use, so the demo also exercises validation and the audit trail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from hocvuso.accounts.services import role_grant
from hocvuso.core.access import OFFICER_ROLES, SYSTEM
from hocvuso.geo.models import Commune, Village
from hocvuso.geo.services import units_load, village_create
from hocvuso.registry.models import Household
from hocvuso.registry.services import household_create, person_register
from hocvuso.registry.synthetic import Population

DEMO_COMMUNE = "00715"  # Xã Lũng Cú, Tuyên Quang: remote, ethnic-minority, on the northern border
DEMO_CCCD_PROVINCE = "002"  # births there were registered in the former Hà Giang province
DEMO_VILLAGES = [
    "Thôn Lũng Cú",
    "Thôn Thèn Pả",
    "Thôn Séo Lủng",
    "Thôn Lô Lô Chải",
    "Thôn Đoàn Kết",
    "Thôn Lũng Thầu",
]
DEMO_PASSWORD = "hocvuso-demo-2026"  # noqa: S105 — development demo only, refused in production
DEMO_ACCOUNTS = [
    # username, password, display name, role (scope follows the role)
    ("admin", "hocvuso-admin-2026", "Quản trị quốc gia (demo)", "national_admin"),
    ("canbo.tuyenquang", DEMO_PASSWORD, "Cán bộ tỉnh Tuyên Quang (demo)", "province_officer"),
    ("canbo.lungcu", DEMO_PASSWORD, "Cán bộ xã Lũng Cú (demo)", "commune_officer"),
    ("motcua.lungcu", DEMO_PASSWORD, "Bộ phận một cửa xã Lũng Cú (demo)", "desk_staff"),
    ("to.thenpa", DEMO_PASSWORD, "Tổ công nghệ số Thôn Thèn Pả (demo)", "team_member"),
]


@dataclass
class DemoResult:
    commune: Commune
    villages_created: int
    households_created: int
    persons_created: int
    accounts: list[tuple[str, str, str]]


def demo_totp_device(user: Any) -> None:
    """Officers sign in with a second factor. The demo gives each demo officer an authenticator
    with a secret derived from their username, so `hocvuso demo_code USER` can print the current
    code for someone trying the platform without a phone app (development only)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(
            user=user, name="demo", key=demo_totp_key(user.username), confirmed=True
        )


def demo_totp_key(username: str) -> str:
    return hashlib.sha256(f"hocvuso-demo-totp/{username}".encode()).hexdigest()[:40]


def demo_build(*, households: int = 150, seed: int = 2025) -> DemoResult:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("the demo data set is never built in production")
    if not Commune.objects.filter(code=DEMO_COMMUNE).exists():
        units_load()
    commune = Commune.objects.get(code=DEMO_COMMUNE)
    if not (commune.is_remote and commune.is_ethnic_minority):
        commune.is_remote = commune.is_ethnic_minority = True
        commune.save(update_fields=["is_remote", "is_ethnic_minority"])

    User = get_user_model()
    users = {}
    accounts = []
    for username, password, display_name, role in DEMO_ACCOUNTS:
        national = role == "national_admin"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "is_staff": national, "is_superuser": national},
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        users[role] = user
        accounts.append((username, password, role))

    # The commune officer keeps the commune's registry; the demo writes as them.
    role_grant(actor=SYSTEM, user=users["national_admin"], role="national_admin")
    role_grant(
        actor=SYSTEM, user=users["province_officer"], role="province_officer",
        province=commune.province,
    )  # fmt: skip
    role_grant(actor=SYSTEM, user=users["commune_officer"], role="commune_officer", commune=commune)
    role_grant(actor=SYSTEM, user=users["desk_staff"], role="desk_staff", commune=commune)
    actor = users["commune_officer"]
    for role in OFFICER_ROLES:
        demo_totp_device(users[role])

    villages = {v.name: v for v in Village.objects.filter(commune=commune)}
    villages_created = 0
    for name in DEMO_VILLAGES:
        if name not in villages:
            villages[name] = village_create(
                actor=actor, commune=commune, name=name, is_remote=True, is_ethnic_minority=True
            )
            villages_created += 1
    role_grant(
        actor=actor, user=users["team_member"], role="team_member",
        villages=[villages["Thôn Thèn Pả"]],
    )  # fmt: skip

    existing = set(Household.objects.filter(commune=commune).values_list("code", flat=True))
    population = Population(
        seed=seed, ethnic_minority=True, highlands=False, cccd_province=DEMO_CCCD_PROVINCE
    )

    households_created = persons_created = 0
    for synth in population.households(households, DEMO_VILLAGES, prefix="LC"):
        if synth.code in existing:
            continue
        with transaction.atomic():
            household = household_create(
                actor=actor,
                commune=commune,
                code=synth.code,
                village=villages[synth.village_name],
                address=synth.address,
            )
            for p in synth.members:
                person_register(
                    actor=actor,
                    household=household,
                    full_name=p.full_name,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    birth_year=p.birth_year,
                    ethnicity=p.ethnicity,
                    cccd=p.cccd,
                    phone=p.phone,
                    occupation=p.occupation,
                    relationship=p.relationship,
                    special_needs=p.special_needs,
                )
                persons_created += 1
        households_created += 1
    return DemoResult(commune, villages_created, households_created, persons_created, accounts)
