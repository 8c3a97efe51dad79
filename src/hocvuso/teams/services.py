"""Writes of the community tech teams: teams and members (commune keepers, audited), taking a
household from the plan, and the visit log (idempotent on the client's UUID).

A member's access is a role assignment *for the team*: adding a member grants ``team_leader``
(the leader) or ``team_member`` (deputies and members) with the team and its villages through
:func:`hocvuso.roles.services.role_grant`, one assignment per membership; changing the team's
villages changes every member's assignment; removing a member revokes it. The other way round,
revoking a team role anywhere (the appointments page) ends its membership
(:func:`member_role_revoked`, on ``core.hooks.role_revoked``), and an invitation to a team makes
the membership when it is accepted (:func:`member_invitation_accepted`). The access policy
decides scope from role assignments alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.teams import may_release_claim, may_work_team
from hocvuso.access.units import ensure_commune
from hocvuso.accounts.models import Role, User
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.core.text import clean
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.models import Household, Person
from hocvuso.roles.services import invitation_create, role_grant, role_revoke
from hocvuso.roles.services.grants import role_villages_set
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import EventInput, skill_events_record_batch
from hocvuso.teams.errors import TeamsError
from hocvuso.teams.models import (
    Claim,
    MemberRole,
    Organisation,
    ReleaseReason,
    Team,
    TeamMember,
    Visit,
    VisitIssue,
    VisitPerson,
)
from hocvuso.teams.selectors import claim_cutoff, membership


def _check_villages(commune: Commune, villages: Sequence[Village]) -> list[Village]:
    villages = list(dict.fromkeys(villages))
    if not villages:
        raise DomainError(CoreError.REQUIRED, _("Choose the team's villages."), "villages")
    if any(v.commune_id != commune.code for v in villages):
        raise DomainError(
            GeoError.VILLAGE_OTHER_COMMUNE, _("All villages must be in one commune."), "villages"
        )
    return villages


def _system_role(role: str) -> str:
    return Role.TEAM_LEADER if role == MemberRole.LEADER else Role.TEAM_MEMBER


def _grant(actor: Any, team: Team, member: TeamMember, villages: list[Village]) -> None:
    member.assignment = role_grant(
        actor=actor,
        user=member.user,
        role=_system_role(member.role),
        team=team,
        villages=villages,
    )


@transaction.atomic
def team_create(
    *, actor: Any, commune: Commune, name: str, villages: Sequence[Village], id: Any = None
) -> Team:
    ensure_commune(actor, commune.code, write=True)
    name = clean(name)
    if not name:
        raise DomainError(CoreError.REQUIRED, _("Give the team a name."), "name")
    villages = _check_villages(commune, villages)
    team = Team(commune=commune, name=name, created_by=user_or_none(actor))
    if id is not None:
        team.id = id
    team.save(force_insert=True)
    team.villages.set(villages)
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_CREATE,
        obj=team,
        changes={"name": name, "villages": sorted(str(v.pk) for v in villages)},
    )
    return team


@transaction.atomic
def team_update(*, actor: Any, team: Team, name: str, villages: Sequence[Village]) -> Team:
    """Rename the team and set its villages; every active member's access follows the villages."""
    ensure_commune(actor, team.commune_id, write=True)
    name = clean(name)
    if not name:
        raise DomainError(CoreError.REQUIRED, _("Give the team a name."), "name")
    villages = _check_villages(team.commune, villages)
    before = sorted(str(pk) for pk in team.villages.values_list("pk", flat=True))
    after = sorted(str(v.pk) for v in villages)
    changes: dict[str, Any] = {}
    if team.name != name:
        changes["name"] = [team.name, name]
        team.name = name
        team.save(update_fields=["name", "updated_at"])
    if before != after:
        changes["villages"] = [before, after]
        team.villages.set(villages)
        for m in team.members.filter(removed_at__isnull=True).select_related("user", "assignment"):
            if m.assignment is None or m.assignment.revoked_at is not None:
                _grant(actor, team, m, villages)
                m.save(update_fields=["assignment", "updated_at"])
            else:
                role_villages_set(actor=actor, assignment=m.assignment, villages=villages)
    if changes:
        audit_record(actor=actor, action=AuditAction.TEAM_UPDATE, obj=team, changes=changes)
    return team


@transaction.atomic
def team_member_add(
    *,
    actor: Any,
    team: Team,
    user: User,
    role: str = MemberRole.MEMBER,
    organisation: str = Organisation.OTHER,
) -> TeamMember:
    """Add ``user`` to the team and grant their access over the team's villages."""
    ensure_commune(actor, team.commune_id, write=True)
    if role not in MemberRole.values:
        raise DomainError(CoreError.INVALID, _("Choose the role in the team."), "role")
    if organisation not in Organisation.values:
        raise DomainError(CoreError.INVALID, _("Choose the organisation."), "organisation")
    if not user.is_active:
        raise DomainError(TeamsError.UNKNOWN_USER, _("No active account has this name."), "user")
    if membership(user, team) is not None:
        raise DomainError(
            TeamsError.ALREADY_MEMBER, _("This person is already in the team."), "user"
        )
    member = TeamMember(
        team=team, user=user, role=role, organisation=organisation, added_by=user_or_none(actor)
    )
    _grant(actor, team, member, list(team.villages.all()))
    member.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_MEMBER_ADD,
        obj=member,
        changes={
            "team": str(team.pk),
            "user": str(user.pk),
            "role": role,
            "organisation": organisation,
        },
    )
    return member


def _end_membership(actor: Any, member: TeamMember) -> None:
    """Mark the membership ended and give its open claims back to the list (audited)."""
    now = timezone.now()
    member.removed_at = now
    member.removed_by = user_or_none(actor)
    member.save(update_fields=["removed_at", "removed_by", "updated_at"])
    Claim.objects.filter(team=member.team, claimed_by=member.user, released_at__isnull=True).update(
        released_at=now, release_reason=ReleaseReason.RELEASED, updated_at=now
    )
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_MEMBER_REMOVE,
        obj=member,
        changes={"team": str(member.team_id), "user": str(member.user_id)},
    )


@transaction.atomic
def team_member_remove(*, actor: Any, member: TeamMember) -> TeamMember:
    """Remove the member (idempotent) and revoke their access; their open claims are released."""
    ensure_commune(actor, member.team.commune_id, write=True)
    if member.removed_at is not None:
        return member
    _end_membership(actor, member)
    if member.assignment is not None and member.assignment.revoked_at is None:
        role_revoke(actor=actor, assignment=member.assignment)
    return member


def member_role_revoked(*, actor: Any, assignment: Any) -> None:
    """A team role was revoked (from anywhere): its membership ends with it."""
    for member in TeamMember.objects.filter(
        assignment=assignment, removed_at__isnull=True
    ).select_related("team", "user"):
        _end_membership(actor, member)


@transaction.atomic
def team_invite(
    *,
    actor: Any,
    team: Team,
    role: str = MemberRole.MEMBER,
    organisation: str = Organisation.OTHER,
    username: str = "",
    display_name: str = "",
) -> tuple[Any, str]:
    """Invite someone without an account into the team: a one-time link (see
    :mod:`hocvuso.roles.services.invitations`); the membership is made when it is accepted."""
    ensure_commune(actor, team.commune_id, write=True)
    if role not in MemberRole.values:
        raise DomainError(CoreError.INVALID, _("Choose the role in the team."), "role")
    if organisation not in Organisation.values:
        raise DomainError(CoreError.INVALID, _("Choose the organisation."), "organisation")
    return invitation_create(
        actor=actor,
        role=_system_role(role),
        team=team,
        details={"member_role": role, "organisation": organisation},
        username=username,
        display_name=display_name,
    )


def member_invitation_accepted(*, invitation: Any, user: Any, assignment: Any) -> None:
    """An invitation to a team was accepted: the invitee joins it, with the role given."""
    if invitation.team_id is None:
        return
    details = invitation.details or {}
    member = TeamMember.objects.create(
        team_id=invitation.team_id,
        user=user,
        role=details.get("member_role", MemberRole.MEMBER),
        organisation=details.get("organisation", Organisation.OTHER),
        assignment=assignment,
        added_by=invitation.invited_by,
    )
    audit_record(
        actor=invitation.invited_by,
        action=AuditAction.TEAM_MEMBER_ADD,
        obj=member,
        changes={
            "team": str(invitation.team_id),
            "user": str(user.pk),
            "role": member.role,
            "organisation": member.organisation,
        },
    )


# --- Taking households from the plan ------------------------------------------------------------


def _household_in_team(team: Team, household: Household) -> None:
    if household.village_id is None or not team.villages.filter(pk=household.village_id).exists():
        raise NotFound()


@transaction.atomic
def claim_take(
    *, actor: Any, team: Team, household: Household, now: dt.datetime | None = None
) -> Claim:
    """Take ``household`` so no other member walks to the same door. Taking one's own open claim
    again returns it; someone else's open claim refuses with ``household_taken``. Claims older
    than the claim period are released (``expired``) first."""
    if not may_work_team(actor, team) or not getattr(actor, "pk", None):
        raise NotFound()
    _household_in_team(team, household)
    now = now or timezone.now()
    Claim.objects.filter(
        household=household, released_at__isnull=True, claimed_at__lte=claim_cutoff(now)
    ).update(released_at=now, release_reason=ReleaseReason.EXPIRED, updated_at=now)
    open_claim = Claim.objects.filter(household=household, released_at__isnull=True).first()
    if open_claim is not None:
        if open_claim.claimed_by_id == actor.pk and open_claim.team_id == team.pk:
            return open_claim
        raise DomainError(
            TeamsError.HOUSEHOLD_TAKEN, _("Another member has already taken this household.")
        )
    claim = Claim(team=team, household=household, claimed_by=actor, claimed_at=now)
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError:
        raise DomainError(
            TeamsError.HOUSEHOLD_TAKEN, _("Another member has already taken this household.")
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_CLAIM_TAKE,
        obj=claim,
        changes={"team": str(team.pk), "household": str(household.pk)},
    )
    return claim


@transaction.atomic
def claim_release(*, actor: Any, claim: Claim) -> Claim:
    """Give the household back to the list (idempotent): the member who took it, the team's
    leader or deputy, or a keeper of the commune."""
    m = membership(actor, claim.team)
    if not may_release_claim(actor, claim, m.role if m is not None else None):
        raise NotFound()
    if claim.released_at is None:
        now = timezone.now()
        claim.released_at = now
        claim.release_reason = ReleaseReason.RELEASED
        claim.save(update_fields=["released_at", "release_reason", "updated_at"])
        audit_record(actor=actor, action=AuditAction.TEAM_CLAIM_RELEASE, obj=claim, changes={})
    return claim


# --- Visits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Present:
    """A person at home: what they were guided on, and what they can now do (skill codes)."""

    person: Person
    guided: Sequence[str] = ()
    gained: Sequence[str] = ()


def visit_event_id(visit_id: uuid.UUID, person_id: Any, code: str) -> uuid.UUID:
    """The skill event of a visit: derived from the visit id, so a replay records nothing new."""
    return derived_id(IdScheme.UUID5, person_id, code, namespace=visit_id)


def _content(
    *,
    team_id: Any,
    household_id: Any,
    visited_at: dt.datetime,
    visited_by: Any,
    present: Iterable[tuple[Any, Iterable[str], Iterable[str]]],
    issues: Iterable[str],
    issues_note: str,
    follow_up_on: dt.date | None,
    note: str,
) -> dict[str, Any]:
    return {
        "team": str(team_id),
        "household": str(household_id),
        "visited_at": visited_at.astimezone(dt.UTC).replace(microsecond=0),
        "visited_by": str(visited_by),
        "present": sorted((str(p), sorted(g), sorted(c)) for p, g, c in present),
        "issues": sorted(issues),
        "issues_note": issues_note,
        "follow_up_on": follow_up_on,
        "note": note,
    }


def _stored_content(visit: Visit) -> dict[str, Any]:
    return _content(
        team_id=visit.team_id,
        household_id=visit.household_id,
        visited_at=visit.visited_at,
        visited_by=visit.visited_by_id,
        present=[(p.person_id, p.guided, p.gained) for p in visit.present.all()],
        issues=visit.issues,
        issues_note=visit.issues_note,
        follow_up_on=visit.follow_up_on,
        note=visit.note,
    )


def _conflict() -> DomainError:
    return DomainError(
        CoreError.EVENT_CONFLICT, _("Another record with this identifier is already stored."), "id"
    )


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    team: Team,
    id: uuid.UUID,
    household: Household,
    visited_at: dt.datetime,
    present: Sequence[Present] = (),
    issues: Sequence[str] = (),
    issues_note: str = "",
    follow_up_on: dt.date | None = None,
    note: str = "",
) -> Visit:
    """Record a door-to-door visit by ``actor`` (a member of ``team`` or a keeper). Idempotent on
    ``id`` (the client's UUID v7): the same content returns the stored visit (``replayed``), other
    content raises ``event_conflict``. What each person can now do becomes skill events (channel
    ``home_visit``, ids derived from the visit id, helped by the actor); the household's open
    claim is released (``visited``)."""
    if not may_work_team(actor, team) or not getattr(actor, "pk", None):
        raise NotFound()
    _household_in_team(team, household)
    if timezone.is_naive(visited_at):
        raise DomainError(CoreError.INVALID, _("Give the time with its time zone."), "visited_at")
    if visited_at > timezone.now() + dt.timedelta(minutes=10):
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "visited_at")
    issues = sorted(set(issues))
    if any(i not in VisitIssue.values for i in issues):
        raise DomainError(TeamsError.UNKNOWN_ISSUE, _("Unknown issue."), "issues")
    issues_note, note = clean(issues_note)[:255], clean(note)
    seen: set[Any] = set()
    for p in present:
        if p.person.household_id != household.pk or p.person.erased_at is not None:
            raise DomainError(
                TeamsError.NOT_HOUSEHOLD_MEMBER,
                _("Only members of the household can be marked at home."),
                "present",
            )
        if p.person.pk in seen:
            raise DomainError(CoreError.INVALID, _("A person is listed twice."), "present")
        seen.add(p.person.pk)
    codes = {c for p in present for c in (*p.guided, *p.gained)}
    skills = {s.code: s for s in Skill.objects.filter(code__in=codes, is_active=True)}
    if codes - skills.keys():
        raise DomainError(SkillsError.UNKNOWN_SKILL, _("Unknown skill."), "present")
    wanted = _content(
        team_id=team.pk,
        household_id=household.pk,
        visited_at=visited_at,
        visited_by=actor.pk,
        present=[(p.person.pk, set(p.guided), set(p.gained)) for p in present],
        issues=issues,
        issues_note=issues_note,
        follow_up_on=follow_up_on,
        note=note,
    )
    existing = Visit.objects.filter(pk=id).first()
    if existing is not None:
        if _stored_content(existing) != wanted:
            raise _conflict()
        existing.replayed = True
        return existing
    visit = Visit(
        id=id,
        team=team,
        household=household,
        visited_at=visited_at.replace(microsecond=0),
        visited_by=actor,
        issues=issues,
        issues_note=issues_note,
        follow_up_on=follow_up_on,
        note=note,
    )
    # Visited / guided are counted on dashboards; the skill events below count themselves.
    with hooks.facts_change(
        persons=[p.person.pk for p in present], households=[household.pk]
    ) as change:
        try:
            with transaction.atomic():
                visit.save(force_insert=True)
        except IntegrityError:
            change.nothing_changed()
            stored = Visit.objects.get(pk=id)
            if _stored_content(stored) != wanted:
                raise _conflict() from None
            stored.replayed = True
            return stored
        VisitPerson.objects.bulk_create(
            [
                VisitPerson(
                    visit=visit,
                    person=p.person,
                    guided=sorted(set(p.guided)),
                    gained=sorted(set(p.gained)),
                    was_guided=bool(p.guided or p.gained),
                )
                for p in present
            ]
        )
    day = timezone.localdate(visited_at)
    events = [
        EventInput(
            id=visit_event_id(visit.pk, p.person.pk, code),
            person=p.person,
            skill=skills[code],
            happened_on=day,
            channel=Channel.HOME_VISIT,
            helped_by=actor,
        )
        for p in present
        for code in sorted(set(p.gained))
    ]
    if events:
        skill_events_record_batch(actor=actor, events=events)
    now = timezone.now()
    Claim.objects.filter(household=household, released_at__isnull=True).update(
        released_at=now, release_reason=ReleaseReason.VISITED, updated_at=now
    )
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_VISIT_RECORD,
        obj=visit,
        changes={
            "team": str(team.pk),
            "household": str(household.pk),
            "present": len(present),
            "skills": len(events),
            "issues": issues,
        },
    )
    return visit
