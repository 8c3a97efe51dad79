"""Reads of the skill framework, always through the actor's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from hocvuso.access.registry import person_q
from hocvuso.core.errors import NotFound
from hocvuso.registry.models import Person
from hocvuso.skills.models import PersonSkillStatus, Skill, SkillArea, SkillEvent, SkillSet


def catalogue() -> QuerySet[SkillArea]:
    """The areas with their active skills (two queries). Reference data: no scope."""
    return SkillArea.objects.prefetch_related(
        Prefetch("skills", queryset=Skill.objects.filter(is_active=True).order_by("order", "code"))
    ).order_by("order", "code")


def skill_set_list() -> QuerySet[SkillSet]:
    return (
        SkillSet.objects.select_related("province")
        .prefetch_related("skills")
        .order_by("code", "province_id")
    )


def active_skills(*, codes: Iterable[str] | None = None) -> QuerySet[Skill]:
    """The skills still recorded, in catalogue order (``codes``: only those)."""
    qs = Skill.objects.filter(is_active=True)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return qs.order_by("area__order", "order", "code")


def skill_names() -> dict[str, str]:
    """Every skill's name (in the page's language) by its code."""
    return {s.code: s.name for s in Skill.objects.only("code", "name_vi", "name_en")}


def skill_get(*, code: str) -> Skill:
    try:
        return Skill.objects.get(code=code, is_active=True)
    except Skill.DoesNotExist:
        raise NotFound() from None


def event_get(actor: Any, event_id: Any) -> SkillEvent:
    """The event if the actor sees its person; not-found otherwise (no hint it exists)."""
    try:
        pk = event_id if isinstance(event_id, UUID) else UUID(str(event_id))
    except (TypeError, ValueError):
        raise NotFound() from None
    visible = Person.objects.filter(person_q(actor)).values("pk")
    event = (
        SkillEvent.objects.select_related("person__household", "skill")
        .filter(pk=pk, person_id__in=visible)
        .first()
    )
    if event is None:
        raise NotFound()
    return event


@dataclass
class PersonSkills:
    """A person's status row (``None`` before their first event) and every event, newest first;
    each gain carries ``reversal`` (the event withdrawing it, or ``None``)."""

    status: PersonSkillStatus | None
    events: list[SkillEvent] = field(default_factory=list)

    @property
    def held(self) -> list[SkillEvent]:
        """The events that count, newest first (one per skill: the latest)."""
        seen: set[str] = set()
        out = []
        for e in self.events:
            if e.reverses_id is None and e.reversal is None and e.skill.code not in seen:
                seen.add(e.skill.code)
                out.append(e)
        return out


def person_skills(*, actor: Any, person: Person) -> PersonSkills:
    """The person's status and history in three queries, however many events they have."""
    if not Person.objects.filter(person_q(actor), pk=person.pk).exists():
        raise NotFound()
    status = PersonSkillStatus.objects.filter(person=person).first()
    events = list(
        SkillEvent.objects.filter(person=person)
        .select_related("skill__area", "helped_by", "verified_by", "recorded_by")
        .order_by("-happened_on", "-id")
    )
    reversals = {e.reverses_id: e for e in events if e.reverses_id is not None}
    by_id = {e.pk: e for e in events}
    for e in events:
        e.reversal = reversals.get(e.pk)
        e.reversed_event = by_id.get(e.reverses_id) if e.reverses_id else None
    return PersonSkills(status=status, events=events)
