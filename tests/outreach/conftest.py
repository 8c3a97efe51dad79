"""Fixtures of the outreach tests: a synthetic commune with a seeded random set of skill events."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Commune, Village
from hocvuso.geo.services import village_create
from hocvuso.outreach.selectors import T4_CODES
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.models import Person
from hocvuso.registry.synthetic import Population, clean_csv
from hocvuso.skills.models import Skill, SkillEvent, SkillSet
from hocvuso.skills.services import EventInput, skill_event_reverse, skill_events_record_batch

VILLAGES = ["Thôn Đông", "Thôn Tây", "Bản Nà Lìu"]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def basic_codes() -> list[str]:
    return list(
        SkillSet.objects.get(code="basic", province__isnull=True).skills.values_list(
            "code", flat=True
        )
    )


@dataclass
class Synthetic:
    commune: Commune
    today: dt.date


def build_commune(commune: Commune, *, households: int, seed: int) -> Synthetic:
    """``households`` synthetic households imported into ``commune`` (one remote village), and
    a seeded random set of skill events: identity milestones, 4T, the whole basic set for some,
    and a few reversals."""
    today = timezone.localdate()
    village_create(actor=SYSTEM, commune=commune, name="Bản Nà Lìu", is_remote=True)
    pop = Population(seed=seed, today=today)
    outcome = registry_import(
        actor=SYSTEM,
        commune=commune,
        data=clean_csv(list(pop.households(households, VILLAGES))),
        filename="dan.csv",
        create_villages=True,
    )
    assert outcome.rejected == 0
    assert Village.objects.filter(commune=commune).count() == 3
    rng = random.Random(seed)
    skills = {s.code: s for s in Skill.objects.all()}
    basic = basic_codes()
    day = today - dt.timedelta(days=3)
    events: list[EventInput] = []
    people = list(Person.objects.filter(commune=commune).select_related("household").order_by("pk"))
    for p in people:
        codes: set[str] = set()
        for code in ["vneid.level2", "bank.account", "vneid.install", *T4_CODES]:
            if rng.random() < 0.4:
                codes.add(code)
        if rng.random() < 0.2:
            codes.update(basic)
        elif rng.random() < 0.2:
            codes.update(basic[:-1])  # all but one: not trained
        events += [
            EventInput(uuid7(), p, skills[c], day, rng.choice(["class", "home_visit"]))
            for c in sorted(codes)
        ]
    skill_events_record_batch(actor=SYSTEM, events=events)
    # Reverse a few gains: they no longer count.
    gains = list(
        SkillEvent.objects.filter(
            person__commune=commune, skill__code__in=["vneid.level2", "pay.qr", basic[0]]
        ).order_by("pk")
    )
    for e in rng.sample(gains, min(8, len(gains))):
        skill_event_reverse(actor=SYSTEM, event=e, reason="Nhầm", id=uuid7())
    return Synthetic(commune=commune, today=today)


@pytest.fixture
def synthetic(commune) -> Synthetic:  # type: ignore[no-untyped-def]
    return build_commune(commune, households=60, seed=11)


@pytest.fixture
def member(household, officer, head):  # type: ignore[no-untyped-def]
    """A second member of ``household``: Giàng Thị Mỷ, born 1995."""
    from hocvuso.registry.services import person_register

    return person_register(
        actor=officer,
        household=household,
        full_name="Giàng Thị Mỷ",
        sex="F",
        birth_year=1995,
        relationship="child",
    )
