"""Demo data for the dashboards: more communes with people and skills at different stages (six
in the demo province, a few elsewhere), desk staff in some, targets at every level, and the
months of history rebuilt from the events' dates. Idempotent: a commune that already has people
is left alone; targets are set to the same values; the history is rebuilt the same way."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Commune, Province
from hocvuso.kpi import summaries
from hocvuso.kpi.models import Indicator
from hocvuso.kpi.services import target_set
from hocvuso.roles.services import role_grant

DEMO_PROVINCE = "08"  # Tuyên Quang
# Communes outside the demo province, by (province code, how far along they are).
ELSEWHERE = [("01", 0.9), ("48", 0.75), ("92", 0.55), ("11", 0.3)]
# How far along each extra commune of the demo province is (0: nothing yet, 1: nearly there).
PROGRESS = [0.95, 0.7, 0.5, 0.35, 0.2, 0.05]
HISTORY_MONTHS = 6

# (skill, probability among people 16+ for a commune at progress 1, prerequisite)
SKILLS = [
    ("vneid.install", 0.95, None),
    ("vneid.level2", 0.95, "vneid.install"),
    ("bank.account", 0.8, None),
    ("pay.qr", 0.8, "bank.account"),
    ("trade.profile", 0.6, None),
    ("sell.online", 0.5, "trade.profile"),
    ("save.digital", 0.4, "bank.account"),
]
CHANNELS = ["home_visit", "class", "support_desk", "mentoring", "online_course", "self_declared"]


@dataclass
class DashboardDemo:
    communes: list[str]
    households: int
    events: int
    targets: int
    month_rows: int


def _communes() -> list[tuple[Commune, float, bool]]:
    """(commune, progress, remote) — deterministic picks."""
    out: list[tuple[Commune, float, bool]] = []
    nearby = list(
        Commune.objects.filter(province_id=DEMO_PROVINCE).exclude(code="00715").order_by("code")[:6]
    )
    for i, (c, p) in enumerate(zip(nearby, PROGRESS, strict=False)):
        out.append((c, p, i % 2 == 1))
    for province, p in ELSEWHERE:
        found = Commune.objects.filter(province_id=province).order_by("code").first()
        if found is not None:
            out.append((found, p, province == "11"))
    return out


def _populate(commune: Commune, progress: float, seed: int) -> tuple[int, int]:
    """Import a synthetic population and record its skills (through the services)."""
    from hocvuso.registry.importing.service import registry_import
    from hocvuso.registry.models import Person
    from hocvuso.registry.synthetic import VILLAGE_NAMES, clean_csv, population_for
    from hocvuso.skills.models import Skill
    from hocvuso.skills.services import EventInput, skill_events_record_batch

    rng = random.Random(seed)
    population = population_for(commune.province_id, seed=seed)
    villages = VILLAGE_NAMES[: 3 + seed % 3]
    households = list(population.households(24 + seed % 17, villages, prefix=f"D{commune.code}"))
    registry_import(
        actor=SYSTEM,
        commune=commune,
        data=clean_csv(households),
        filename="demo.csv",
        create_villages=True,
    )
    skills = {s.code: s for s in Skill.objects.all()}
    basic = list(skills[c] for c in _basic_codes())
    today = timezone.localdate()
    events: list[EventInput] = []
    for person in Person.objects.filter(commune=commune).order_by("pk"):
        year = person.birth_year or (person.birth_date.year if person.birth_date else today.year)
        if today.year - year < 16:
            continue
        held: set[str] = set()
        wanted = [(code, p, pre) for code, p, pre in SKILLS]
        if rng.random() < 0.6 * progress:
            wanted += [(s.code, 1.0, None) for s in basic]
        for code, probability, prerequisite in wanted:
            if code in held or (prerequisite and prerequisite not in held):
                continue
            if rng.random() > probability * (progress if probability < 1 else 1):
                continue
            held.add(code)
            # Communes further along started earlier: their events spread over more months.
            days = rng.randrange(1, 30 + int(150 * progress))
            events.append(
                EventInput(
                    id=summaries_uuid(commune.code, str(person.pk), code),
                    person=person,
                    skill=skills[code],
                    happened_on=today - dt.timedelta(days=days),
                    channel=rng.choice(CHANNELS),
                )
            )
    for start in range(0, len(events), 1000):
        skill_events_record_batch(actor=SYSTEM, events=events[start : start + 1000])
    return len(households), len(events)


def _basic_codes() -> list[str]:
    from hocvuso.skills.facts import BASIC_SET, skill_sets

    return list(skill_sets().of(BASIC_SET, None))


def summaries_uuid(*parts: str) -> Any:
    from hocvuso.demo.registry import demo_uuid

    return demo_uuid("demo-kpi", *parts)


def _desk_staff(commune: Commune) -> None:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"motcua.{commune.code}",
        defaults={"display_name": f"Một cửa {commune.name} (demo)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    role_grant(actor=SYSTEM, user=user, role="desk_staff", commune=commune)


def _targets(year: int) -> int:
    ind = {i.code: i for i in Indicator.objects.all()}
    province = Province.objects.get(code=DEMO_PROVINCE)
    lungcu = Commune.objects.get(code="00715")
    rows: list[dict[str, Any]] = [
        # The nation's targets for the year.
        {"indicator": ind["bank_account"], "value": "80"},
        {"indicator": ind["adults_basic"], "value": "70"},
        {"indicator": ind["t4_all"], "value": "40"},
        {"indicator": ind["t4_qr"], "value": "70"},
        {"indicator": ind["desk_helped"], "value": "20"},
        # The demo province's, set by the nation.
        {"indicator": ind["adults_basic"], "value": "60", "province": province},
        # The province's remote / ethnic-minority communes (set by the province).
        {
            "indicator": ind["identity_level2"],
            "value": "90",
            "province": province,
            "remote_only": True,
        },
        {
            "indicator": ind["adults_basic"],
            "value": "45",
            "province": province,
            "remote_only": True,
        },
        # One commune's own.
        {"indicator": ind["bank_account"], "value": "60", "commune": lungcu},
    ]
    for row in rows:
        target_set(actor=SYSTEM, year=year, **row)
    return len(rows)


def demo_dashboards(*, seed: int = 2025) -> DashboardDemo:
    from hocvuso.registry.models import Person

    picked = _communes()
    households = events = 0
    for i, (commune, progress, remote) in enumerate(picked):
        if remote and not commune.is_remote:
            commune.is_remote = commune.is_ethnic_minority = True
            commune.save(update_fields=["is_remote", "is_ethnic_minority"])
        if not Person.objects.filter(commune=commune).exists():
            h, e = _populate(commune, progress, seed + i)
            households += h
            events += e
        if progress >= 0.5:
            _desk_staff(commune)
    codes = ["00715", *[c.code for c, _p, _r in picked]]
    summaries.refresh(codes)  # the remote flags changed above
    targets = _targets(timezone.localdate().year)
    month_rows = summaries.backfill(codes, months=HISTORY_MONTHS)
    return DashboardDemo(codes, households, events, targets, month_rows)
