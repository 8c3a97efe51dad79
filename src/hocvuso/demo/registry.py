"""The demo commune: villages, households and people from the synthetic generator, demo accounts.

Idempotent: a second run finds what exists and adds nothing. Everything is written through the
same services the web pages use, so the demo also exercises validation and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import OFFICER_ROLES
from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.geo.models import Commune, Village
from hocvuso.geo.services import units_load
from hocvuso.registry.models import Household
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.registry.synthetic import Population
from hocvuso.roles.services import role_grant

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
    ("doan.lungcu", DEMO_PASSWORD, "Đoàn thanh niên xã Lũng Cú (demo)", "youth_volunteer"),
]


@dataclass
class DemoResult:
    commune: Commune
    villages_created: int
    households_created: int
    persons_created: int
    accounts: list[tuple[str, str, str]]
    events_recorded: int = 0


def demo_totp_device(user: Any) -> None:
    """Officers sign in with a second factor. The demo gives each demo officer an authenticator
    with a secret derived from their username, so `hocvuso demo_code USER` can print the current
    code for someone trying the platform without a phone app (development only)."""
    from hocvuso.accounts.models import Authenticator

    if not Authenticator.objects.filter(user=user, confirmed=True).exists():
        Authenticator.objects.create(
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
    role_grant(actor=SYSTEM, user=users["youth_volunteer"], role="youth_volunteer", commune=commune)
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
    # The teams and their members first (their visits come with the networks, below): the demo
    # team member helps at home visits from the start.
    from hocvuso.demo.teams import demo_teams

    demo_teams(
        commune=commune,
        officer=users["commune_officer"],
        team_member_user=users["team_member"],
        seed=seed,
        visits_per_team=0,
    )

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
    events = demo_skill_activity(commune=commune, users=users, seed=seed)
    demo_desk_visits(commune=commune, desk=users["desk_staff"], seed=seed)
    demo_networks(commune=commune, users=users, seed=seed)
    demo_family_guides(commune=commune, actor=users["commune_officer"])  # after every skill
    demo_contact_consents(commune=commune, actor=users["commune_officer"], seed=seed)
    from hocvuso.demo.assistance import demo_citizen_and_editor

    accounts += demo_citizen_and_editor(commune=commune, password=DEMO_PASSWORD)
    return DemoResult(
        commune, villages_created, households_created, persons_created, accounts, events
    )


# Who learns what, in the demo: (skill, probability among people 16+, prerequisite skill).
_DEMO_SKILLS = [
    ("vneid.install", 0.8, None),
    ("vneid.level2", 0.8, "vneid.install"),
    ("bank.account", 0.55, None),
    ("pay.qr", 0.7, "bank.account"),
    ("dvc.online", 0.3, "vneid.level2"),
    ("safety.scams", 0.35, None),
    ("safety.data", 0.25, None),
    ("0.1", 0.6, None),
    ("1.1", 0.45, "0.1"),
    ("2.1", 0.5, "0.1"),
    ("4.2", 0.3, "0.1"),
]
_DEMO_4T = [("trade.profile", 0.5), ("sell.online", 0.35), ("save.digital", 0.25)]
_DEMO_CHANNELS = (
    ["home_visit"] * 8 + ["class"] * 4 + ["support_desk"] * 3 + ["mentoring"] * 2
    + ["online_course", "self_declared"]
)  # fmt: skip


def demo_uuid(*parts: str) -> uuid.UUID:
    """A stable UUID (version 7 bits) for a demo record, so a second `hocvuso demo` replays the
    same records and the idempotent services store nothing twice."""
    return derived_id(IdScheme.HASHED, *parts)


def demo_skill_activity(*, commune: Commune, users: dict[str, Any], seed: int) -> int:
    """Skill events over the last six months through every channel, helped by the demo team
    member, desk staff and officer, written through the skills service (idempotent)."""
    from hocvuso.registry.models import Person
    from hocvuso.skills.models import Skill, SkillEvent
    from hocvuso.skills.services import EventInput, skill_events_record_batch

    rng = random.Random(seed)
    skills = {s.code: s for s in Skill.objects.all()}
    today = timezone.localdate()
    helper_for = {
        "home_visit": users["team_member"],
        "support_desk": users["desk_staff"],
        "class": users["commune_officer"],
        "mentoring": users["commune_officer"],
    }
    events: list[EventInput] = []
    # The demo's own households only: people added later (at a class's door) are not replayed.
    people = Person.objects.filter(
        commune=commune, erased_at__isnull=True, household__code__startswith="LC-"
    ).order_by("pk")
    for person in people:
        year = person.birth_year or today.year
        if today.year - year < 16:
            continue
        held: set[str] = set()
        # About a third of adults under 55 took the whole basic course: the family's guides.
        engaged = today.year - year < 55 and rng.random() < 0.35
        wanted = [(code, 0.95 if engaged else p, pre) for code, p, pre in _DEMO_SKILLS]
        if person.occupation in {"trader", "farmer"}:
            wanted += [
                (code, p, "pay.qr" if code != "trade.profile" else None) for code, p in _DEMO_4T
            ]
        for code, probability, prerequisite in wanted:
            if (prerequisite and prerequisite not in held) or rng.random() > probability:
                continue
            held.add(code)
            channel = rng.choice(_DEMO_CHANNELS)
            events.append(
                EventInput(
                    id=demo_uuid("demo-skill", str(person.pk), code),
                    person=person,
                    skill=skills[code],
                    happened_on=today - dt.timedelta(days=rng.randrange(1, 180)),
                    channel=channel,
                    helped_by=helper_for.get(channel),
                )
            )
    # Dates are relative to today: a replay on another day would differ, so replay only new ids.
    stored = set(
        SkillEvent.objects.filter(pk__in=[e.id for e in events]).values_list("pk", flat=True)
    )
    events = [e for e in events if e.id not in stored]
    for start in range(0, len(events), 1000):
        skill_events_record_batch(
            actor=users["commune_officer"], events=events[start : start + 1000]
        )
    return len(events) + len(stored)


def demo_family_guides(*, commune: Commune, actor: Any) -> int:
    """Each household with a member holding the basic set names its youngest such adult as the
    family's digital guide (naming the same guide again changes nothing)."""
    from hocvuso.outreach.services import family_guide_set
    from hocvuso.registry.models import Person

    trained = (
        Person.objects.filter(
            commune=commune, skill_status__basic_complete=True, erased_at__isnull=True
        )
        .select_related("household")
        .order_by("household_id", "-birth_year", "pk")
    )
    named = 0
    seen: set[Any] = set()
    for person in trained:
        if person.household_id in seen:
            continue
        seen.add(person.household_id)
        family_guide_set(actor=actor, household=person.household, person=person)
        named += 1
    return named


def demo_contact_consents(*, commune: Commune, actor: Any, seed: int) -> int:
    """Two in three people with a phone signed the paper form agreeing to be called by the
    helpers (the worklists show a number only then); recording it again changes nothing."""
    from hocvuso.privacy.services import consent_record
    from hocvuso.registry.models import Person

    rng = random.Random(seed + 7)
    people = Person.objects.filter(commune=commune, erased_at__isnull=True).exclude(phone="")
    given = 0
    for person in people.order_by("pk"):
        if rng.random() < 2 / 3:
            consent_record(actor=actor, person=person, purpose="contact_phone", method="paper")
            given += 1
    return given


def demo_desk_visits(*, commune: Commune, desk: Any, seed: int, count: int = 40) -> int:
    """Citizens helped at the commune's desk over the last three months."""
    from hocvuso.desk.models import DeskVisit
    from hocvuso.desk.procedures import PROCEDURES
    from hocvuso.desk.services import desk_visit_record
    from hocvuso.registry.models import Person

    rng = random.Random(seed + 1)
    people = list(Person.objects.filter(commune=commune, birth_year__lte=2008).order_by("pk"))
    if not people:
        return 0
    now = timezone.now()
    ids = [demo_uuid("demo-desk", commune.code, str(i)) for i in range(count)]
    stored = set(DeskVisit.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for i in range(count):
        outcome = rng.choice(["done_with_help"] * 3 + ["done_alone", "not_done"])
        procedure = rng.choice(PROCEDURES).code
        person = rng.choice(people)
        can_do_alone = outcome != "not_done" and rng.random() < 0.4
        days, minutes = rng.randrange(1, 90), rng.randrange(600)
        if ids[i] in stored:  # dates are relative to today: replay only what is new
            continue
        desk_visit_record(
            actor=desk,
            id=ids[i],
            commune=commune,
            procedure=procedure,
            outcome=outcome,
            person=person,
            can_do_alone=can_do_alone,
            happened_at=(now - dt.timedelta(days=days, minutes=minutes)).replace(microsecond=0),
        )
    return count


def demo_networks(*, commune: Commune, users: dict[str, Any], seed: int) -> None:
    """The helpers at work: mentors and their mentees (a cascade, some under five), community
    tech teams with their door-to-door visits, youth classes and a back-check round."""
    from hocvuso.demo.classes import demo_classes
    from hocvuso.demo.mentoring import demo_mentoring
    from hocvuso.demo.teams import demo_teams

    officer = users["commune_officer"]
    demo_mentoring(commune=commune, officer=officer, seed=seed)
    demo_teams(commune=commune, officer=officer, team_member_user=users["team_member"], seed=seed)
    demo_classes(commune=commune, organiser=users["youth_volunteer"], officer=officer, seed=seed)
