"""Writes of mentoring: mentor profiles, mentorships (one by one and the bulk acceptance of the
matching suggestions), and mentoring sessions.

Who may: the keepers of the mentor's commune (commune officers, national admins) make mentors
and mentorships; a mentor records sessions for their own active mentees only. Everyone else gets
not-found, as everywhere in hocvuso.

**Sessions are idempotent** on their client-made UUID v7: the same session sent again returns
the stored one (``replayed``); the same id with other content is ``session_conflict``. Each
gained skill becomes a skill event (channel ``mentoring``, helped by the mentor's user) whose id
is derived from the session id and the skill code (:func:`session_event_id`), so a replay — even
one that reaches the skills service a second time — records each gain once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.mentoring import can_keep_mentors, may_mentor
from hocvuso.access.scope import forget_scope
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound, ensure
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.core.text import clean
from hocvuso.geo.models import Commune
from hocvuso.mentoring.errors import MentoringError
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship, MentorshipStatus
from hocvuso.registry.ethnicity import ETHNICITY_NAMES
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.roles.services import role_grant
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import skill_event_record

ACTIVE = MentorshipStatus.ACTIVE
_EVENT_NAMESPACE = uuid.UUID("6d3b1c2e-5a0f-4f57-9a51-6b0c8e2f7a10")


def _ensure_keeper(actor: Any, commune_code: str) -> None:
    ensure(can_keep_mentors(actor, commune_code))


def _keep_reach(mentors: Iterable[Mentor]) -> None:
    """A mentor's reach (their active mentees) is kept on their mentor role assignment, where the
    access policy reads it: one query for the mentees, one ``set`` per mentor."""
    mentors = list(mentors)
    if not mentors:
        return
    by_mentor: dict[UUID, list[UUID]] = {m.pk: [] for m in mentors}
    for mentor_id, mentee_id in Mentorship.objects.filter(
        mentor__in=mentors, status=ACTIVE
    ).values_list("mentor_id", "mentee_id"):
        by_mentor[mentor_id].append(mentee_id)
    for mentor in mentors:
        reach = by_mentor[mentor.pk] if mentor.active else []
        for assignment in RoleAssignment.objects.filter(
            user_id=mentor.user_id, role=Role.MENTOR, revoked_at__isnull=True
        ):
            assignment.mentees.set(Person.objects.filter(pk__in=reach))
        forget_scope(mentor.user)


def session_event_id(session_id: UUID, skill_code: str) -> UUID:
    """The skill event of a session's gained skill: the same session and skill, the same id."""
    return derived_id(IdScheme.UUID5, session_id, skill_code, namespace=_EVENT_NAMESPACE)


def _languages(values: Iterable[str]) -> list[str]:
    codes = sorted({v.strip() for v in values if v and v.strip()})
    unknown = [c for c in codes if c not in ETHNICITY_NAMES]
    if unknown:
        raise DomainError(
            MentoringError.INVALID_LANGUAGE, _("Choose languages from the list."), "languages"
        )
    return codes


@transaction.atomic
def mentor_create(
    *,
    actor: Any,
    person: Person,
    user: User,
    capacity: int = 5,
    languages: Iterable[str] | None = None,
) -> Mentor:
    """Make ``person`` (who signs in as ``user``) a digital ambassador of their commune and give
    the user the mentor role there. Languages are only what is said (never inferred from the
    person's ethnicity, which is sensitive data). The same person and user again returns the
    existing profile (re-activated if it was inactive)."""
    _ensure_keeper(actor, person.commune_id)
    processing_check(person, Purpose.SKILLS)
    if capacity < 1 or capacity > 50:
        raise DomainError(CoreError.INVALID, _("Capacity is between 1 and 50."), "capacity")
    langs = _languages(languages or ())
    existing = (
        Mentor.objects.filter(person=person).first() or Mentor.objects.filter(user=user).first()
    )
    if existing is not None:
        if existing.person_id != person.pk or existing.user_id != user.pk:
            raise DomainError(
                MentoringError.ALREADY_MENTOR,
                _("This person or this account already has a mentor profile."),
                "person",
            )
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active", "updated_at"])
            audit_record(actor=actor, action=AuditAction.MENTOR_ACTIVATE, obj=existing)
            _keep_reach([existing])
        hooks.network_changed.send(communes=[existing.commune_id])
        return existing
    mentor = Mentor.objects.create(
        person=person,
        user=user,
        commune_id=person.commune_id,
        capacity=capacity,
        languages=langs,
        created_by=user_or_none(actor),
    )
    role_grant(actor=actor, user=user, role=Role.MENTOR, commune=person.commune)
    _keep_reach([mentor])
    audit_record(
        actor=actor,
        action=AuditAction.MENTOR_CREATE,
        obj=mentor,
        changes={"person": str(person.pk), "capacity": capacity, "languages": langs},
    )
    hooks.network_changed.send(communes=[mentor.commune_id])
    return mentor


@transaction.atomic
def mentor_update(
    *, actor: Any, mentor: Mentor, capacity: int, languages: Iterable[str], active: bool
) -> Mentor:
    """Change a mentor's capacity, languages, or stop/resume them (their mentorships stay)."""
    _ensure_keeper(actor, mentor.commune_id)
    if capacity < 1 or capacity > 50:
        raise DomainError(CoreError.INVALID, _("Capacity is between 1 and 50."), "capacity")
    langs = _languages(languages)
    before = {"capacity": mentor.capacity, "languages": mentor.languages, "active": mentor.active}
    mentor.capacity, mentor.languages, mentor.active = capacity, langs, active
    mentor.save(update_fields=["capacity", "languages", "active", "updated_at"])
    after = {"capacity": capacity, "languages": langs, "active": active}
    audit_record(
        actor=actor,
        action=AuditAction.MENTOR_UPDATE,
        obj=mentor,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    if before["active"] != active:
        _keep_reach([mentor])
    hooks.network_changed.send(communes=[mentor.commune_id])
    return mentor


def _check_pair(mentor: Mentor, mentee: Person, taken: int) -> None:
    if not mentor.active:
        raise DomainError(MentoringError.MENTOR_INACTIVE, _("This mentor is not active."))
    if mentee.pk == mentor.person_id:
        raise DomainError(MentoringError.SELF_MENTORING, _("A mentor cannot mentor themself."))
    if mentee.commune_id != mentor.commune_id or mentee.erased_at is not None:
        raise NotFound()
    if taken >= mentor.capacity:
        raise DomainError(MentoringError.MENTOR_FULL, _("This mentor has no free place."))


@transaction.atomic
def mentorship_start(
    *, actor: Any, mentor: Mentor, mentee: Person, started_on: dt.date | None = None
) -> Mentorship:
    """``mentor`` starts guiding ``mentee`` (same commune; within capacity; one active mentor per
    mentee: ``has_mentor`` otherwise, unless it is this mentor — then the same row)."""
    _ensure_keeper(actor, mentor.commune_id)
    list(Mentor.objects.select_for_update().filter(pk=mentor.pk).values_list("pk"))
    current = Mentorship.objects.filter(mentee=mentee, status=ACTIVE).first()
    if current is not None:
        if current.mentor_id == mentor.pk:
            return current
        raise DomainError(MentoringError.HAS_MENTOR, _("This person already has a mentor."))
    taken = Mentorship.objects.filter(mentor=mentor, status=ACTIVE).count()
    _check_pair(mentor, mentee, taken)
    try:
        with transaction.atomic():
            ship = Mentorship.objects.create(
                mentor=mentor,
                mentee=mentee,
                started_on=started_on or timezone.localdate(),
                created_by=user_or_none(actor),
            )
    except IntegrityError:
        raise DomainError(
            MentoringError.HAS_MENTOR, _("This person already has a mentor.")
        ) from None
    _keep_reach([mentor])
    audit_record(
        actor=actor,
        action=AuditAction.MENTORSHIP_START,
        obj=ship,
        changes={"mentor": str(mentor.pk), "mentee": str(mentee.pk)},
    )
    hooks.network_changed.send(communes=[mentor.commune_id])
    return ship


@transaction.atomic
def mentorship_end(
    *, actor: Any, mentorship: Mentorship, ended_on: dt.date | None = None
) -> Mentorship:
    """End an active mentorship (the row stays: the cascade keeps its history)."""
    _ensure_keeper(actor, mentorship.mentor.commune_id)
    if mentorship.status != ACTIVE:
        return mentorship
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_on = ended_on or timezone.localdate()
    mentorship.save(update_fields=["status", "ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.MENTORSHIP_END,
        obj=mentorship,
        changes={"ended_on": mentorship.ended_on.isoformat()},
    )
    _keep_reach([mentorship.mentor])
    hooks.network_changed.send(communes=[mentorship.mentor.commune_id])
    return mentorship


@transaction.atomic
def mentorships_accept(
    *, actor: Any, commune: Commune, pairs: Sequence[tuple[UUID, UUID]]
) -> list[Mentorship]:
    """Accept matching suggestions in bulk: ``pairs`` of (person id, mentor id). Every pair is
    checked again (both in the commune, the mentor active with a free place, the person without
    an active mentor, nobody twice in one call); pairs that no longer hold are skipped. The
    mentorships are written with one bulk insert and each is audited."""
    _ensure_keeper(actor, commune.code)
    person_ids = {p for p, _m in pairs}
    mentor_ids = {m for _p, m in pairs}
    mentors = {
        m.pk: m
        for m in Mentor.objects.select_for_update().filter(
            pk__in=mentor_ids, commune=commune, active=True
        )
    }
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=person_ids, commune=commune, erased_at__isnull=True)
    }
    busy = set(
        Mentorship.objects.filter(mentee_id__in=person_ids, status=ACTIVE).values_list(
            "mentee_id", flat=True
        )
    )
    taken: dict[UUID, int] = dict.fromkeys(mentors, 0)
    for mentor_id in Mentorship.objects.filter(mentor_id__in=mentors, status=ACTIVE).values_list(
        "mentor_id", flat=True
    ):
        taken[mentor_id] += 1
    today = timezone.localdate()
    rows: list[Mentorship] = []
    for person_id, mentor_id in pairs:
        mentor, person = mentors.get(mentor_id), people.get(person_id)
        if mentor is None or person is None or person_id in busy:
            continue
        if person_id == mentor.person_id or taken[mentor_id] >= mentor.capacity:
            continue
        busy.add(person_id)
        taken[mentor_id] += 1
        rows.append(
            Mentorship(
                mentor=mentor, mentee=person, started_on=today, created_by=user_or_none(actor)
            )
        )
    Mentorship.objects.bulk_create(rows)
    for ship in rows:
        audit_record(
            actor=actor,
            action=AuditAction.MENTORSHIP_START,
            obj=ship,
            changes={
                "mentor": str(ship.mentor_id),
                "mentee": str(ship.mentee_id),
                "via": "matching",
            },
        )
    _keep_reach({s.mentor.pk: s.mentor for s in rows}.values())
    hooks.network_changed.send(communes={s.mentor.commune_id for s in rows})
    return rows


def _skills(codes: Iterable[str], field: str) -> list[Skill]:
    wanted = sorted(set(codes))
    found = {s.code: s for s in Skill.objects.filter(code__in=wanted, is_active=True)}
    if len(found) != len(wanted):
        raise DomainError(SkillsError.UNKNOWN_SKILL, _("Choose skills from the list."), field)
    return [found[c] for c in wanted]


@transaction.atomic
def session_record(
    *,
    actor: Any,
    id: UUID,
    mentor: Mentor,
    mentee: Person,
    happened_on: dt.date,
    practised: Iterable[str] = (),
    gained: Iterable[str] = (),
    note: str = "",
) -> MentoringSession:
    """A mentor met ``mentee`` on ``happened_on``: skills practised and gained (module docstring).
    Only the mentor themself, for an active mentee of theirs: not-found otherwise."""
    ensure(may_mentor(actor, mentor, mentee))
    practised_skills = _skills(practised, "practised")
    gained_skills = _skills(gained, "gained")
    if happened_on > timezone.localdate():
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "happened_on")
    values = {
        "mentor_id": mentor.pk,
        "mentee_id": mentee.pk,
        "happened_on": happened_on,
        "practised": [s.code for s in practised_skills],
        "gained": [s.code for s in gained_skills],
        "note": clean(note),
    }
    existing = MentoringSession.objects.filter(pk=id).first()
    if existing is not None:
        if any(getattr(existing, k) != v for k, v in values.items()):
            raise DomainError(
                MentoringError.SESSION_CONFLICT,
                _("This session was already recorded with other content."),
            )
        existing.replayed = True
        return existing
    try:
        with transaction.atomic():
            session = MentoringSession.objects.create(id=id, recorded_by=actor, **values)
    except IntegrityError:
        stored = MentoringSession.objects.get(pk=id)
        stored.replayed = True
        return stored
    for skill in gained_skills:
        skill_event_record(
            actor=actor,
            id=session_event_id(session.pk, skill.code),
            person=mentee,
            skill=skill,
            happened_on=happened_on,
            channel=Channel.MENTORING,
            helped_by=actor,
        )
    audit_record(
        actor=actor,
        action=AuditAction.MENTORING_SESSION_RECORD,
        obj=session,
        changes={
            "mentee": str(mentee.pk),
            "happened_on": happened_on.isoformat(),
            "gained": values["gained"],
        },
    )
    return session
