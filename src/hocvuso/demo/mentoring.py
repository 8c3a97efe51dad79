"""Demo digital ambassadors: ~8 mentors with mentees (some under the goal of 5), a two-generation
cascade (mentees who completed the basic set became mentors), and sessions over recent months.

Idempotent: accounts, profiles and mentorships are found again by their stable keys, sessions
carry ids from :func:`hocvuso.demo.registry.demo_uuid`, so a replay adds nothing. Everything goes
through the services (scope checks, audit rows, skill events).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from hocvuso.demo.registry import DEMO_PASSWORD, demo_uuid
from hocvuso.geo.models import Commune
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship
from hocvuso.mentoring.services import mentor_create, mentorship_start, session_record
from hocvuso.registry.ages import AGE_16, aged_q
from hocvuso.registry.models import Person
from hocvuso.skills.facts import BASIC_SET, skill_sets

ROOTS = 5  # generation 1
MENTEES = [6, 5, 3, 2, 1]  # mentees of each root; the first two reach the goal


def _account(username: str, name: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(
            username=username, password=DEMO_PASSWORD, display_name=name
        )
    return user


def demo_mentoring(*, commune: Commune, officer: Any, seed: int) -> dict[str, int]:
    """Mentors, mentorships and sessions in ``commune``, made by ``officer`` (its keeper)."""
    rng = random.Random(seed + 6)
    today = timezone.localdate()
    adults = list(
        Person.objects.filter(commune=commune, erased_at__isnull=True)
        .filter(aged_q(AGE_16, today.year))
        .select_related("skill_status")
        .order_by("pk")
    )
    trained = [
        p for p in adults if getattr(p, "skill_status", None) and p.skill_status.basic_complete
    ]
    # Enough people for the whole picture (roots, their first trained mentees, everyone's
    # mentees, the second generation's), else no mentoring demo: a tiny demo commune skips it.
    needed_untrained = sum(MENTEES) + sum(2 + j for j in range(3))
    if len(trained) < ROOTS + 3 or len(adults) - len(trained) < needed_untrained:
        return {"mentors": 0, "mentorships": 0, "sessions": 0}
    taken = set(Mentor.objects.values_list("person_id", flat=True)) | set(
        Mentorship.objects.values_list("mentee_id", flat=True)
    )
    pool = [p for p in trained if p.pk not in taken]
    untrained = [p for p in adults if p.pk not in taken and p not in trained]
    mentors: list[Mentor] = []
    ships = 0

    def mentees_for(mentor: Mentor, count: int, first_trained: bool, days: int) -> Person | None:
        nonlocal ships
        made = Mentorship.objects.filter(mentor=mentor).count()
        ships += max(made, count)
        if made:  # a replay: this mentor's mentees were made before
            return None
        first = None
        for k in range(count):
            source = pool if (k == 0 and first_trained and pool) else untrained
            person = source.pop(0)
            mentorship_start(
                actor=officer,
                mentor=mentor,
                mentee=person,
                started_on=today - dt.timedelta(days=days - 10 * k),
            )
            first = first or person
        return first

    def profile(username: str, name: str, capacity: int) -> Mentor:
        user = _account(username, name)
        existing = Mentor.objects.filter(user=user).first()
        if existing is not None:
            return existing
        person = pool.pop(0)
        # As the ambassador would say it when signed up: the language of their own group.
        spoken = [person.ethnicity] if person.ethnicity else []
        return mentor_create(
            actor=officer, person=person, user=user, capacity=capacity, languages=spoken
        )

    second: list[tuple[int, Person | None]] = []
    for i, count in enumerate(MENTEES):
        mentor = profile(
            f"daisu.{commune.code}.{i + 1}", f"Đại sứ số {i + 1} (demo)", max(5, count)
        )
        mentors.append(mentor)
        first = mentees_for(mentor, count, i < 3, 150)
        if i < 3:
            second.append((i, first))
    # Generation 2: the first mentee of each of the first three roots (they hold the basic set).
    for j, first in second:
        user = _account(f"daisu.{commune.code}.g2.{j + 1}", f"Đại sứ số thế hệ 2 — {j + 1} (demo)")
        child = Mentor.objects.filter(user=user).first()
        if child is None and first is not None:
            child = mentor_create(actor=officer, person=first, user=user)
        if child is None:
            continue
        mentors.append(child)
        mentees_for(child, 2 + j, False, 60)
    # Sessions: two or three per active mentee over the last months, some gains.
    basic = skill_sets().of(BASIC_SET, commune.province_id)
    sessions = 0
    for mentor in mentors:
        mentees = (
            Mentorship.objects.filter(mentor=mentor, status="active")
            .select_related("mentee")
            .order_by("mentee_id")
        )
        for ship in mentees:
            for n in range(2 + rng.randrange(2)):
                id = demo_uuid("demo-mentoring", str(mentor.pk), str(ship.mentee_id), str(n))
                sessions += 1
                day = max(ship.started_on, today - dt.timedelta(days=rng.randrange(1, 120)))
                practised = rng.sample(basic, k=min(2, len(basic))) if basic else []
                gained = practised[:1] if rng.random() < 0.6 else []
                if MentoringSession.objects.filter(pk=id).exists():
                    continue  # dates are relative to today: replay only what is new
                session_record(
                    actor=mentor.user,
                    id=id,
                    mentor=mentor,
                    mentee=ship.mentee,
                    happened_on=day,
                    practised=practised,
                    gained=gained,
                )
    return {"mentors": len(mentors), "mentorships": ships, "sessions": sessions}
