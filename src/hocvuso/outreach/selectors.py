"""Reads of the outreach models: the three worklists and a household's family status.

Every worklist is one set-based query (plus the paginator's count): the filters, the priority and
the columns shown are computed by the database, and each row's village and digital status come
with it (``select_related``), so the number of queries does not grow with the list.

**Age.** A person is aged N+ when their birth date is at least N years ago; when only the year of
birth is known, when ``today.year - birth_year >= N`` (a year-only person born in 2010 counts as 16
from 1 January 2026). People with neither are left out of age-based lists (their age is unknown).

**Family worklist priority** (:func:`family_worklist`), deterministic, lowest first:

0. the household's village or commune is flagged remote/difficult or ethnic-minority;
1. elderly-only households: every (non-erased) member is aged 60+ (unknown age is not elderly);
2. households with a member whose special-needs note is not empty;
3. the rest.

A household counts at the first rule it meets; ties are broken by village name (none last),
household code, then id. Households with no (non-erased) member are not listed (nobody to train).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from hocvuso.core.access import ensure_commune, household_q, person_q
from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach.errors import OutreachError
from hocvuso.outreach.models import FamilyGuide
from hocvuso.registry.models import Household, Occupation, Person
from hocvuso.skills.facts import T4_CODES as SKILL_T4_CODES
from hocvuso.skills.models import PersonSkillStatus, SkillEvent

ADULT_AGE = 16  # "every citizen aged 16+ has a digital identity"
ELDERLY_AGE = 60
# The identity worklists: which need, and the milestone that meets it.
NEEDS = {"vneid": "vneid.level2", "bank": "bank.account"}
# The four T of "Chợ số – Nông thôn số", in order.
T4_CODES = SKILL_T4_CODES
T4_OCCUPATIONS = (Occupation.TRADER, Occupation.FARMER)

PRIORITY_AREA = 0
PRIORITY_ELDERLY = 1
PRIORITY_SPECIAL_NEEDS = 2
PRIORITY_OTHER = 3


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def aged_q(age: int, today: dt.date, prefix: str = "") -> Q:
    """People aged ``age`` or more on ``today`` (see the module docstring for year-only births)."""
    return Q(**{f"{prefix}birth_date__lte": years_before(today, age)}) | Q(
        **{f"{prefix}birth_date__isnull": True, f"{prefix}birth_year__lte": today.year - age}
    )


def age_of(person: Person, today: dt.date) -> int | None:
    """Age in whole years (year-only: ``today.year - birth_year``); ``None`` when unknown."""
    if person.birth_date is not None:
        b = person.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))
    if person.birth_year is not None:
        return today.year - person.birth_year
    return None


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _people(actor: Any, commune: Commune, village: Village | None, q: str) -> QuerySet[Person]:
    ensure_commune(actor, commune.code)
    qs = Person.objects.filter(person_q(actor), commune=commune, erased_at__isnull=True)
    if village is not None:
        qs = qs.filter(household__village=village)
    key = fold(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    return qs.select_related("household__village", "skill_status").order_by(
        F("household__village__name").asc(nulls_last=True), "household__code", "search_key", "pk"
    )


def identity_worklist(
    *,
    actor: Any,
    commune: Commune,
    need: str,
    village: Village | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Person]:
    """People aged 16+ the actor sees in ``commune`` who still lack ``need``: ``"vneid"`` (VNeID
    level 2 not activated) or ``"bank"`` (no digital bank account). No status row yet = lacking."""
    today = today or _today()
    if need == "vneid":
        lacking = Q(skill_status__isnull=True) | Q(skill_status__vneid_level__lt=2)
    elif need == "bank":
        lacking = Q(skill_status__isnull=True) | Q(skill_status__has_bank_account=False)
    else:
        raise DomainError(OutreachError.UNKNOWN_NEED, "Unknown need.", "need")
    return _people(actor, commune, village, q).filter(aged_q(ADULT_AGE, today)).filter(lacking)


def _held(code: str) -> Exists:
    """The person (outer row) holds ``code``: a gain of it that is not reversed."""
    return Exists(
        SkillEvent.objects.filter(
            person=OuterRef("pk"),
            skill__code=code,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
    )


def t4_worklist(
    *,
    actor: Any,
    commune: Commune,
    missing: str = "",
    village: Village | None = None,
    q: str = "",
) -> QuerySet[Person]:
    """Traders and farmers the actor sees in ``commune``. ``missing``: empty — all of them;
    ``"any"`` — those lacking at least one of the four T; a T code — those lacking that T.
    Held = a gain not reversed (the same rule as the status row's skills)."""
    qs = _people(actor, commune, village, q).filter(occupation__in=T4_OCCUPATIONS)
    if missing == "any":
        held_all = Q()
        for code in T4_CODES:
            held_all &= Q(_held(code))
        qs = qs.exclude(held_all)
    elif missing in T4_CODES:
        qs = qs.exclude(_held(missing))
    elif missing:
        raise DomainError(OutreachError.UNKNOWN_NEED, "Unknown T.", "missing")
    return qs


def status_of(person: Person) -> PersonSkillStatus | None:
    """The person's status row fetched with the list (``select_related``: no query); ``None``
    before their first skill event."""
    try:
        status: PersonSkillStatus = person.skill_status
    except PersonSkillStatus.DoesNotExist:
        return None
    return status


def t4_progress(person: Person) -> list[tuple[str, bool]]:
    """Each T with whether the person holds it (from the status row fetched with the list)."""
    status = status_of(person)
    held = set(status.skills) if status is not None else set()
    return [(code, code in held) for code in T4_CODES]


def _members() -> QuerySet[Person]:
    return Person.objects.filter(household=OuterRef("pk"), erased_at__isnull=True)


def family_worklist(
    *,
    actor: Any,
    commune: Commune,
    village: Village | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Household]:
    """Households the actor sees in ``commune`` with at least one member and no member holding
    the basic skill set, by priority (see the module docstring), each annotated with
    ``priority`` (0-3) and ``member_count``."""
    from django.db.models import Count

    today = today or _today()
    ensure_commune(actor, commune.code)
    members = _members()
    area = (
        Q(village__is_remote=True)
        | Q(village__is_ethnic_minority=True)
        | Q(commune__is_remote=True)
        | Q(commune__is_ethnic_minority=True)
    )
    qs = (
        Household.objects.filter(household_q(actor), commune=commune)
        .filter(Exists(members))
        .exclude(Exists(members.filter(skill_status__basic_complete=True)))
    )
    if village is not None:
        qs = qs.filter(village=village)
    key = fold(q)
    if key:
        member_hits = Person.objects.filter(commune=commune, search_key__contains=key).values(
            "household_id"
        )
        qs = qs.filter(Q(search_key__contains=key) | Q(pk__in=member_hits))
    young_or_unknown = members.exclude(aged_q(ELDERLY_AGE, today))
    special = members.exclude(special_needs="")
    priority = Case(
        When(area, then=Value(PRIORITY_AREA)),
        When(~Exists(young_or_unknown), then=Value(PRIORITY_ELDERLY)),
        When(Exists(special), then=Value(PRIORITY_SPECIAL_NEEDS)),
        default=Value(PRIORITY_OTHER),
        output_field=IntegerField(),
    )
    return (
        qs.select_related("village", "head")
        .annotate(
            priority=priority,
            member_count=Count("members", filter=Q(members__erased_at__isnull=True)),
        )
        .order_by("priority", F("village__name").asc(nulls_last=True), "code", "pk")
    )


@dataclass
class FamilyStatus:
    """A household's Digital Family status: its members (each with their status row, ``None``
    before their first skill), who holds the basic set, and the current guide."""

    household: Household
    members: list[Person]
    trained: list[Person]
    guide: FamilyGuide | None
    history: list[FamilyGuide]

    @property
    def has_trained_member(self) -> bool:
        return bool(self.trained)


def family_status(*, actor: Any, household: Household) -> FamilyStatus:
    """Three queries: the members with their status, the guides (current first, then history)."""
    members = list(
        household.members.filter(person_q(actor), erased_at__isnull=True)
        .select_related("skill_status")
        .order_by("birth_year", "full_name", "pk")
    )
    trained = [p for p in members if (s := status_of(p)) is not None and s.basic_complete]
    guides = list(
        FamilyGuide.objects.filter(household=household)
        .select_related("person", "designated_by")
        .order_by("-created_at", "-pk")
    )
    current = next((g for g in guides if g.ended_at is None), None)
    return FamilyStatus(
        household=household, members=members, trained=trained, guide=current, history=guides
    )
