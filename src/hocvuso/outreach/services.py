"""Writes of the outreach models: the two-tap identity marks and the family guide.

**Channel of a two-tap mark** (:func:`identity_mark`): the helper's role over the person decides —
a team member/leader whose villages cover the household: ``home_visit`` (they knock on doors);
otherwise support-desk staff of the person's commune: ``support_desk``; anyone else allowed to
record (commune officers, national admins): ``verified_at_check`` (the officer checked it). The
event is dated today, helped by the actor, and goes through
:func:`hocvuso.skills.services.skill_event_record` with the UUID v7 made when the list was shown,
so a double tap (or a resent form) records once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.registry import helper_capacity, household_q
from hocvuso.access.skills import can_record_skills
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.outreach.errors import OutreachError
from hocvuso.outreach.models import FamilyGuide
from hocvuso.outreach.selectors import NEEDS
from hocvuso.registry.models import Household, Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.skills.models import Channel, PersonSkillStatus, Skill, SkillEvent
from hocvuso.skills.services import skill_event_record


def mark_channel(actor: Any, person: Person) -> str:
    """How a two-tap mark was gained, from the actor's role over the person (module docstring)."""
    capacity = helper_capacity(actor, person)
    if capacity == "team":
        return Channel.HOME_VISIT
    if capacity == "desk":
        return Channel.SUPPORT_DESK
    return Channel.VERIFIED_AT_CHECK


def identity_mark(*, actor: Any, person: Person, need: str, id: UUID) -> SkillEvent:
    """Record from the identity worklist that ``person`` now has ``need`` (``"vneid"``: VNeID
    level 2 activated; ``"bank"``: a digital bank account). Idempotent on ``id``."""
    if not can_record_skills(actor, person):
        raise NotFound()
    code = NEEDS.get(need)
    if code is None:
        raise DomainError(OutreachError.UNKNOWN_NEED, _("Choose what was done."), "need")
    return skill_event_record(
        actor=actor,
        id=id,
        person=person,
        skill=Skill.objects.get(code=code),
        happened_on=timezone.localdate(),
        channel=mark_channel(actor, person),
        helped_by=user_or_none(actor),
    )


@transaction.atomic
def family_guide_set(*, actor: Any, household: Household, person: Person) -> FamilyGuide:
    """Make ``person`` the digital guide of ``household``, ending the current guide's row (the
    history is kept). Only a member of the household (``guide_not_member`` otherwise); anyone
    may be chosen, but the pages offer members who hold the basic set first. Who may: those who
    may record skills for the person (commune officers and desk staff of the commune, team
    members over the village, national admins); everyone else gets not-found. Designating the
    current guide again changes nothing."""
    if not Household.objects.filter(household_q(actor), pk=household.pk).exists():
        raise NotFound()
    if person.household_id != household.pk:
        raise DomainError(
            OutreachError.GUIDE_NOT_MEMBER,
            _("The family guide must be a member of the household."),
            "person",
        )
    if not can_record_skills(actor, person):
        raise NotFound()
    processing_check(person, Purpose.SKILLS)
    # Serialise designations of one household.
    list(Household.objects.select_for_update().filter(pk=household.pk).values_list("pk"))
    current = FamilyGuide.objects.filter(household=household, ended_at__isnull=True).first()
    if current is not None and current.person_id == person.pk:
        return current
    user = user_or_none(actor)
    if current is not None:
        current.ended_at = timezone.now()
        current.ended_by = user
        current.save(update_fields=["ended_at", "ended_by", "updated_at"])
    guide = FamilyGuide.objects.create(household=household, person=person, designated_by=user)
    basic = PersonSkillStatus.objects.filter(person=person, basic_complete=True).exists()
    audit_record(
        actor=actor,
        action=AuditAction.FAMILY_GUIDE_SET,
        obj=guide,
        changes={
            "household": str(household.pk),
            "person": str(person.pk),
            "previous": str(current.person_id) if current is not None else None,
            "basic_complete": basic,
        },
    )
    return guide
