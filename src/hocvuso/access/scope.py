"""A user's scope: what their active role assignments cover, computed once per request.

| role | sees (registry) | keeps the registry | sensitive data, full CCCD |
|---|---|---|---|
| national admin | everything | everything | yes |
| province officer | the province's communes | — (oversees) | yes, in the province |
| commune officer | the commune | the commune | yes, in the commune |
| support-desk staff | the commune | — | no |
| team leader / member | their team's villages | — | no |
| youth volunteer | — (walk-ins at their classes) | — | no |
| mentor | their active mentees (read; record their skills) | — | no |
| citizen | themself | — | their own |
| content editor | — (the courses' content only, nationally) | — | no |

Everything is read from ``accounts.RoleAssignment``: a team role carries its team and villages,
a mentor's carries their active mentees (both kept by their apps' services), so the policy never
imports a programme app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q

from hocvuso.accounts.models import TEAM_ROLES, Role, RoleAssignment
from hocvuso.core.actors import SYSTEM


@dataclass(frozen=True)
class Scope:
    national: bool = False
    provinces: frozenset[str] = frozenset()  # province officers
    communes: frozenset[str] = frozenset()  # commune officers: see and keep
    desk_communes: frozenset[str] = frozenset()  # support-desk staff: see
    teams: frozenset[UUID] = frozenset()  # community tech teams they belong to
    villages: frozenset[UUID] = frozenset()  # those teams' villages: see
    village_communes: frozenset[str] = frozenset()  # the communes of those villages
    persons: frozenset[UUID] = frozenset()  # a citizen: themself
    mentees: frozenset[UUID] = frozenset()  # a mentor: their active mentees (not sensitive data)
    mentor_communes: frozenset[str] = frozenset()  # where they are a mentor
    youth_communes: frozenset[str] = frozenset()  # youth volunteers: classes for the commune
    content_editor: bool = False  # national content editors: the courses (no registry)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def nothing(self) -> bool:
        return not (
            self.national
            or self.provinces
            or self.communes
            or self.desk_communes
            or self.villages
            or self.persons
            or self.mentees
        )


_EMPTY = Scope()
_EVERYTHING = Scope(national=True, roles=frozenset({Role.NATIONAL_ADMIN}))


def scope_of(actor: Any) -> Scope:
    """The actor's scope (cached on the actor for the rest of the request): one query for the
    assignments, and one more only for a team role's villages or a mentor's mentees."""
    if actor is SYSTEM:
        return _EVERYTHING
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return _EMPTY
    cached = getattr(actor, "_hocvuso_scope", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[Any]] = {}
    teams: set[UUID] = set()
    team_assignments: list[UUID] = []
    mentor_assignments: list[UUID] = []
    roles: set[str] = set()
    for pk, role, province, commune, team, person in RoleAssignment.objects.filter(
        user=actor, revoked_at__isnull=True
    ).values_list("pk", "role", "province_id", "commune_id", "team_id", "person_id"):
        roles.add(role)
        key: Any = {
            Role.PROVINCE_OFFICER: province,
            Role.COMMUNE_OFFICER: commune,
            Role.DESK_STAFF: commune,
            Role.YOUTH_VOLUNTEER: commune,
            Role.MENTOR: commune,
            Role.CITIZEN: person,
        }.get(Role(role))
        if key:
            by_role.setdefault(role, set()).add(key)
        if role in TEAM_ROLES:
            team_assignments.append(pk)
            if team:
                teams.add(team)
        elif role == Role.MENTOR:
            mentor_assignments.append(pk)
    villages: set[UUID] = set()
    village_communes: set[str] = set()
    if team_assignments:
        for village, commune in RoleAssignment.villages.through.objects.filter(
            roleassignment_id__in=team_assignments
        ).values_list("village_id", "village__commune_id"):
            villages.add(village)
            village_communes.add(commune)
    mentees: frozenset[UUID] = frozenset()
    if mentor_assignments:
        mentees = frozenset(
            RoleAssignment.mentees.through.objects.filter(
                roleassignment_id__in=mentor_assignments
            ).values_list("person_id", flat=True)
        )
    scope = Scope(
        national=Role.NATIONAL_ADMIN in roles,
        provinces=frozenset(by_role.get(Role.PROVINCE_OFFICER, ())),
        communes=frozenset(by_role.get(Role.COMMUNE_OFFICER, ())),
        desk_communes=frozenset(by_role.get(Role.DESK_STAFF, ())),
        teams=frozenset(teams),
        villages=frozenset(villages),
        village_communes=frozenset(village_communes),
        persons=frozenset(by_role.get(Role.CITIZEN, ())),
        mentees=mentees,
        mentor_communes=frozenset(by_role.get(Role.MENTOR, ())),
        youth_communes=frozenset(by_role.get(Role.YOUTH_VOLUNTEER, ())),
        content_editor=Role.CONTENT_EDITOR in roles,
        roles=frozenset(roles),
    )
    actor._hocvuso_scope = scope
    actor._hocvuso_roles = scope.roles
    return scope


def own_persons(actor: Any) -> frozenset[UUID]:
    """The registry persons the actor's citizen account is linked to (their own record)."""
    return scope_of(actor).persons


def own_teams(actor: Any) -> frozenset[UUID]:
    """The community tech teams the actor belongs to."""
    return scope_of(actor).teams


def desk_communes(actor: Any) -> frozenset[str]:
    """The communes whose support desk the actor staffs."""
    return scope_of(actor).desk_communes


def is_mentor(actor: Any) -> bool:
    """The actor is a digital ambassador somewhere."""
    return bool(scope_of(actor).mentor_communes)


def youth_communes(actor: Any) -> frozenset[str]:
    """The communes where the actor organises youth classes."""
    return scope_of(actor).youth_communes


def forget_scope(actor: Any) -> None:
    """Drop the cached scope (after the actor's roles changed)."""
    if hasattr(actor, "_hocvuso_scope"):
        del actor._hocvuso_scope
    if hasattr(actor, "_hocvuso_roles"):
        del actor._hocvuso_roles


def nothing_q() -> Q:
    """A filter that matches nothing."""
    return Q(pk__in=[])
