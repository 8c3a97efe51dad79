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
from collections import defaultdict
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
from hocvuso.core.batch import Outcome
from hocvuso.core.bulk import insert_rows
from hocvuso.core.context import current_request_id
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.core.text import clean
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.models import Household, Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.roles.services import invitation_create, role_grant, role_revoke
from hocvuso.roles.services.grants import role_villages_set
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import EventInput, person_refs, skill_events_record_batch
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
    """The skill event of a visit: derived from the visit id, so a replay records nothing new
    (:func:`hocvuso.core.ids.derived_id`'s ``UUID5`` scheme: ``uuid5(visit id, "person/code")``,
    written out here for a batch's thousands)."""
    return uuid.uuid5(visit_id, f"{person_id}/{code}")


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


# --- Batches from a field device (set-based) ----------------------------------------------------
#
# The same rules as :func:`claim_take` and :func:`visit_record`, for many records at once with a
# fixed number of queries whatever the batch's length (pinned in tests/sync): each input gets its
# own :class:`~hocvuso.core.batch.Outcome`, and a refused record never stops the others. Should a
# concurrent writer insert one of the same ids between the read and the write, the batch's write
# is rolled back to its savepoint and the records go one by one through the single services.


def _teams_by_village(village_ids: Iterable[Any]) -> dict[Any, list[Team]]:
    out: dict[Any, list[Team]] = defaultdict(list)
    through = Team.villages.through
    for row in (
        through.objects.filter(village_id__any=list(set(village_ids)))
        .select_related("team")
        .order_by("team_id")
    ):
        out[row.village_id].append(row.team)
    return out


def _team_for(
    actor: Any,
    household: Household | None,
    teams: dict[Any, list[Team]],
    team_id: Any,
    works: dict[Any, bool] | None = None,
) -> Team:
    """The team the record is for: the one named, else the first team over the household's
    village the actor works for; not-found when there is none (out of the actor's scope).
    ``works``: the answers of :func:`may_work_team` already given in this batch, by team."""
    if household is None or household.village_id is None:
        raise NotFound(field="household")
    works = {} if works is None else works
    for team in teams.get(household.village_id, ()):
        if team_id is not None and team.pk != team_id:
            continue
        may = works.get(team.pk)
        if may is None:
            may = works[team.pk] = may_work_team(actor, team)
        if may:
            return team
    raise NotFound(field="household")


@dataclass(frozen=True)
class ClaimIn:
    """A household taken on the phone (``claimed_at``: when, on the phone)."""

    id: uuid.UUID
    household_id: uuid.UUID
    claimed_at: dt.datetime | None = None
    team_id: uuid.UUID | None = None


def _taken() -> DomainError:
    return DomainError(
        TeamsError.HOUSEHOLD_TAKEN, _("Another member has already taken this household.")
    )


@transaction.atomic
def claims_take_batch(
    *, actor: Any, claims: Sequence[ClaimIn], now: dt.datetime | None = None
) -> list[Outcome]:
    """Take many households at once (the phone's offline claims, in the order they were made).
    The rule of :func:`claim_take`: the first claim to reach the server wins, a later one on the
    same household by someone else is refused with ``household_taken``; one's own open claim is
    returned again (replayed). Idempotent on each claim's id."""
    now = now or timezone.now()
    out: list[Outcome] = [Outcome() for _ in claims]
    if not getattr(actor, "pk", None):
        return [Outcome.refused(NotFound()) for _ in claims]
    household_ids = list({c.household_id for c in claims})
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__any=household_ids).only(
            "pk", "commune_id", "village_id"
        )
    }
    teams = _teams_by_village(h.village_id for h in households.values() if h.village_id)
    Claim.objects.filter(
        household_id__any=household_ids, released_at__isnull=True, claimed_at__lte=claim_cutoff(now)
    ).update(released_at=now, release_reason=ReleaseReason.EXPIRED, updated_at=now)
    stored = {c.pk: c for c in Claim.objects.filter(pk__any=[c.id for c in claims])}
    open_by_household = {
        c.household_id: c
        for c in Claim.objects.filter(household_id__any=household_ids, released_at__isnull=True)
    }
    new: list[tuple[int, Claim]] = []
    for i, c in enumerate(claims):
        try:
            team = _team_for(actor, households.get(c.household_id), teams, c.team_id)
            at = min(c.claimed_at or now, now)
            if timezone.is_naive(at):
                raise DomainError(CoreError.INVALID, _("Give the time with its time zone."), "at")
            same = stored.get(c.id)
            if same is not None:
                if same.household_id != c.household_id or same.claimed_by_id != actor.pk:
                    raise _conflict()
                out[i] = Outcome(obj=same, replayed=True)
                continue
            held = open_by_household.get(c.household_id)
            if held is not None:
                if held.claimed_by_id == actor.pk and held.team_id == team.pk:
                    out[i] = Outcome(obj=held, replayed=True)
                    continue
                raise _taken()
        except DomainError as exc:
            out[i] = Outcome.refused(exc)
            continue
        claim = Claim(id=c.id, team=team, household_id=c.household_id, claimed_by=actor)
        claim.claimed_at = at
        open_by_household[c.household_id] = claim
        stored[c.id] = claim
        new.append((i, claim))
    if not new:
        return out
    try:
        with transaction.atomic():
            Claim.objects.bulk_create([claim for _, claim in new])
    except IntegrityError:
        # Someone else's claim reached the server in between: one by one, the rule decides.
        for i, claim in new:
            try:
                with transaction.atomic():
                    household = Household.objects.get(pk=claim.household_id)
                    out[i] = Outcome(
                        obj=claim_take(actor=actor, team=claim.team, household=household, now=now)
                    )
            except DomainError as exc:
                out[i] = Outcome.refused(exc)
        return out
    request_id = current_request_id() or ""
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=actor,
                action=AuditAction.TEAM_CLAIM_TAKE,
                object_type=Claim._meta.label_lower,
                object_id=str(claim.pk),
                changes={"team": str(claim.team_id), "household": str(claim.household_id)},
                request_id=request_id,
            )
            for _, claim in new
        ]
    )
    for i, claim in new:
        out[i] = Outcome(obj=claim)
    return out


@dataclass(frozen=True)
class VisitIn:
    """A visit recorded on the phone: ``present`` is (person id, guided on, can now do)."""

    id: uuid.UUID
    household_id: uuid.UUID
    visited_at: dt.datetime
    present: Sequence[tuple[uuid.UUID, Sequence[str], Sequence[str]]] = ()
    team_id: uuid.UUID | None = None
    issues: Sequence[str] = ()
    issues_note: str = ""
    follow_up_on: dt.date | None = None
    note: str = ""


def _visit_checked(
    actor: Any,
    v: VisitIn,
    *,
    households: dict[Any, Household],
    teams: dict[Any, list[Team]],
    persons: dict[Any, Any],
    skills: dict[str, Skill],
    now: dt.datetime,
    works: dict[Any, bool] | None = None,
) -> tuple[Team, dict[str, Any]]:
    """The rules of :func:`visit_record` for one visit of a batch: its team and its content."""
    household = households.get(v.household_id)
    team = _team_for(actor, household, teams, v.team_id, works)
    assert household is not None
    if timezone.is_naive(v.visited_at):
        raise DomainError(CoreError.INVALID, _("Give the time with its time zone."), "visited_at")
    if v.visited_at > now + dt.timedelta(minutes=10):
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "visited_at")
    issues = sorted(set(v.issues))
    if any(i not in VisitIssue.values for i in issues):
        raise DomainError(TeamsError.UNKNOWN_ISSUE, _("Unknown issue."), "issues")
    seen: set[Any] = set()
    for person_id, guided, gained in v.present:
        person = persons.get(person_id)
        if person is None or person.household_id != household.pk or person.erased_at is not None:
            raise DomainError(
                TeamsError.NOT_HOUSEHOLD_MEMBER,
                _("Only members of the household can be marked at home."),
                "present",
            )
        if person_id in seen:
            raise DomainError(CoreError.INVALID, _("A person is listed twice."), "present")
        seen.add(person_id)
        if any(code not in skills for code in (*guided, *gained)):
            raise DomainError(SkillsError.UNKNOWN_SKILL, _("Unknown skill."), "present")
    content = _content(
        team_id=team.pk,
        household_id=household.pk,
        visited_at=v.visited_at,
        visited_by=actor.pk,
        present=[(p, set(g), set(c)) for p, g, c in v.present],
        issues=issues,
        issues_note=clean(v.issues_note)[:255],
        follow_up_on=v.follow_up_on,
        note=clean(v.note),
    )
    return team, content


VISIT_COLUMNS = (
    "id",
    "team_id",
    "household_id",
    "visited_at",
    "visited_by_id",
    "issues",
    "issues_note",
    "follow_up_on",
    "note",
)
PRESENT_COLUMNS = ("visit_id", "person_id", "guided", "gained", "was_guided")
AUDIT_COLUMNS = ("actor_id", "action", "object_type", "object_id", "changes", "request_id")


@transaction.atomic
def visits_record_batch(*, actor: Any, visits: Sequence[VisitIn]) -> list[Outcome]:
    """Record many door-to-door visits at once, set-based, with the rules and idempotency of
    :func:`visit_record`: the households, people, skills, teams and stored visits read with one
    query each (the people as plain tuples, :func:`~hocvuso.skills.services.person_refs`); the
    visits, the people at home, their skill events (through
    :func:`hocvuso.skills.services.skill_events_record_batch`), the released claims and the
    audit rows written with one ``COPY`` each on PostgreSQL, from tuples — no model instance per
    row; the dashboards' facts tracked once for the whole batch."""
    now = timezone.now()
    out: list[Outcome] = [Outcome() for _ in visits]
    if not getattr(actor, "pk", None):
        return [Outcome.refused(NotFound()) for _ in visits]
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__any=list({v.household_id for v in visits})).only(
            "pk", "commune_id", "village_id"
        )
    }
    teams = _teams_by_village(h.village_id for h in households.values() if h.village_id)
    persons = person_refs({p for v in visits for p, _g, _c in v.present})
    codes = {code for v in visits for _p, g, gn in v.present for code in (*g, *gn)}
    skills = {s.code: s for s in Skill.objects.filter(code__in=codes, is_active=True)}
    stored = {
        x.pk: x
        for x in Visit.objects.filter(pk__any=[v.id for v in visits]).prefetch_related("present")
    }
    new: list[tuple[int, VisitIn, Visit]] = []
    works: dict[Any, bool] = {}
    for i, v in enumerate(visits):
        try:
            team, wanted = _visit_checked(
                actor, v, households=households, teams=teams, persons=persons, skills=skills,
                now=now, works=works,
            )  # fmt: skip
            existing = stored.get(v.id)
            if existing is not None:
                if _stored_content(existing) != wanted:
                    raise _conflict()
                out[i] = Outcome(obj=existing, replayed=True)
                continue
            for p, _g, gained in v.present:
                if gained:  # the events' own rules, checked before anything is written
                    processing_check(persons[p], Purpose.SKILLS)
        except DomainError as exc:
            out[i] = Outcome.refused(exc)
            continue
        visit = Visit(
            id=v.id,
            team_id=team.pk,
            household_id=v.household_id,
            visited_at=v.visited_at.replace(microsecond=0),
            visited_by_id=actor.pk,
            issues=wanted["issues"],
            issues_note=wanted["issues_note"],
            follow_up_on=v.follow_up_on,
            note=wanted["note"],
        )
        stored[v.id] = visit  # the same id twice in one batch: the second is a replay
        new.append((i, v, visit))
    if not new:
        return out
    present = [
        (visit, p, sorted(set(g)), sorted(set(c))) for _i, v, visit in new for p, g, c in v.present
    ]
    try:
        with (
            transaction.atomic(),
            hooks.facts_change(
                persons=[p for _visit, p, _g, _c in present],
                households=[visit.household_id for _i, _v, visit in new],
            ),
        ):
            insert_rows(
                Visit,
                VISIT_COLUMNS,
                [tuple(getattr(visit, name) for name in VISIT_COLUMNS) for _i, _v, visit in new],
            )
            insert_rows(
                VisitPerson,
                PRESENT_COLUMNS,
                [(visit.pk, p, g, c, bool(g or c)) for visit, p, g, c in present],
            )
    except IntegrityError:
        return _visits_one_by_one(actor, visits, [(i, v, visit, {}) for i, v, visit in new], out)
    days: dict[Any, dt.date] = {}
    events: list[EventInput] = []
    for visit, p, _g, gained in present:
        if not gained:
            continue
        day = days.get(visit.pk)
        if day is None:
            day = days[visit.pk] = timezone.localdate(visit.visited_at)
        events.extend(
            EventInput(
                id=visit_event_id(visit.pk, p, code),
                person=persons[p],
                skill=skills[code],
                happened_on=day,
                channel=Channel.HOME_VISIT,
                helped_by=actor,
            )
            for code in gained
        )
    if events:
        skill_events_record_batch(actor=actor, events=events, returning=False)
    Claim.objects.filter(
        household_id__any=list({visit.household_id for _i, _v, visit in new}),
        released_at__isnull=True,
    ).update(released_at=now, release_reason=ReleaseReason.VISITED, updated_at=now)
    gains: dict[Any, int] = defaultdict(int)
    for visit, _p, _g, gained in present:
        gains[visit.pk] += len(gained)
    request_id = current_request_id() or ""
    label = Visit._meta.label_lower
    action = str(AuditAction.TEAM_VISIT_RECORD)
    insert_rows(
        AuditLog,
        AUDIT_COLUMNS,
        [
            (
                actor.pk,
                action,
                label,
                str(visit.pk),
                {
                    "team": str(visit.team_id),
                    "household": str(visit.household_id),
                    "present": len(v.present),
                    "skills": gains[visit.pk],
                    "issues": visit.issues,
                },
                request_id,
            )
            for _i, v, visit in new
        ],
    )
    for i, _v, visit in new:
        visit._state.adding = False
        out[i] = Outcome(obj=visit)
    return out


def _visits_one_by_one(
    actor: Any,
    visits: Sequence[VisitIn],
    new: list[tuple[int, VisitIn, Visit, dict[str, Any]]],
    out: list[Outcome],
) -> list[Outcome]:
    """A concurrent writer stored one of the ids in between: each new visit through
    :func:`visit_record` (idempotent, race-safe), in its own savepoint."""
    for i, v, visit, _w in new:
        try:
            with transaction.atomic():
                household = Household.objects.get(pk=v.household_id)
                stored = visit_record(
                    actor=actor,
                    team=visit.team,
                    id=v.id,
                    household=household,
                    visited_at=v.visited_at,
                    present=[
                        Present(person=Person.objects.get(pk=p), guided=g, gained=c)
                        for p, g, c in v.present
                    ],
                    issues=v.issues,
                    issues_note=v.issues_note,
                    follow_up_on=v.follow_up_on,
                    note=v.note,
                )
                out[i] = Outcome(obj=stored, replayed=stored.replayed)
        except DomainError as exc:
            out[i] = Outcome.refused(exc)
    return out
