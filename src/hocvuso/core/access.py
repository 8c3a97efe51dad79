"""Who may see and change what. Every read and write goes through these checks.

A user's *scope* is computed once per request from their active role assignments
(``accounts.RoleAssignment``) and cached on the user object:

| role | sees (registry) | keeps the registry | sensitive data, full CCCD |
|---|---|---|---|
| national admin | everything | everything | yes |
| province officer | the province's communes | — (oversees) | yes, in the province |
| commune officer | the commune | the commune | yes, in the commune |
| support-desk staff | the commune | — | no |
| team leader / member | their team's villages | — | no |
| youth volunteer | — (their classes come with that feature) | — | no |
| mentor (active profile) | their active mentees (read; record their skills) | — | no |
| citizen | themself | — | their own |

Selectors filter with :func:`household_q` / :func:`person_q` / :func:`commune_q`; access helpers
call :func:`ensure_commune` and raise not-found (never "forbidden": no hint that it exists).
Management commands and scheduled jobs act as :data:`SYSTEM`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import NotFound

# Roles that must sign in with a second factor (TOTP).
OFFICER_ROLES = frozenset({"national_admin", "province_officer", "commune_officer"})
# How wide a role is: nobody grants a role wider than their own.
ROLE_RANK = {
    "national_admin": 100,
    "province_officer": 80,
    "commune_officer": 60,
    "desk_staff": 40,
    "team_leader": 40,
    "team_member": 30,
    "youth_volunteer": 30,
    "mentor": 30,
    "citizen": 10,
}


@dataclass(frozen=True)
class Scope:
    national: bool = False
    provinces: frozenset[str] = frozenset()  # province officers
    communes: frozenset[str] = frozenset()  # commune officers: see and keep
    desk_communes: frozenset[str] = frozenset()  # support-desk staff: see
    villages: frozenset[UUID] = frozenset()  # community tech teams: see
    village_communes: frozenset[str] = frozenset()  # the communes of those villages
    persons: frozenset[UUID] = frozenset()  # a citizen: themself
    mentees: frozenset[UUID] = frozenset()  # a mentor: their active mentees (not sensitive data)
    youth_communes: frozenset[str] = frozenset()  # youth volunteers: classes for the commune
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
_EVERYTHING = Scope(national=True, roles=frozenset({"national_admin"}))


def scope_of(actor: Any) -> Scope:
    """The actor's scope (cached on the actor for the rest of the request)."""
    if actor is SYSTEM:
        return _EVERYTHING
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return _EMPTY
    cached = getattr(actor, "_hocvuso_scope", None)
    if cached is not None:
        return cached
    from hocvuso.accounts.models import RoleAssignment

    national = False
    provinces: set[str] = set()
    communes: set[str] = set()
    desk: set[str] = set()
    villages: set[UUID] = set()
    village_communes: set[str] = set()
    persons: set[UUID] = set()
    youth: set[str] = set()
    roles: set[str] = set()
    assignments = RoleAssignment.objects.filter(user=actor, revoked_at__isnull=True)
    for a in assignments.prefetch_related("villages"):
        roles.add(a.role)
        if a.role == "national_admin":
            national = True
        elif a.role == "province_officer" and a.province_id:
            provinces.add(a.province_id)
        elif a.role == "commune_officer" and a.commune_id:
            communes.add(a.commune_id)
        elif a.role == "desk_staff" and a.commune_id:
            desk.add(a.commune_id)
        elif a.role in {"team_leader", "team_member"}:
            for v in a.villages.all():
                villages.add(v.pk)
                village_communes.add(v.commune_id)
        elif a.role == "citizen" and a.person_id:
            persons.add(a.person_id)
        elif a.role == "youth_volunteer" and a.commune_id:
            youth.add(a.commune_id)
    mentees: frozenset[UUID] = frozenset()
    if "mentor" in roles:
        from hocvuso.mentoring.selectors import active_mentee_ids

        mentees = active_mentee_ids(actor)
    scope = Scope(
        national=national,
        provinces=frozenset(provinces),
        communes=frozenset(communes),
        desk_communes=frozenset(desk),
        villages=frozenset(villages),
        village_communes=frozenset(village_communes),
        persons=frozenset(persons),
        mentees=mentees,
        youth_communes=frozenset(youth),
        roles=frozenset(roles),
    )
    actor._hocvuso_scope = scope
    return scope


def forget_scope(actor: Any) -> None:
    """Drop the cached scope (after the actor's roles changed)."""
    if hasattr(actor, "_hocvuso_scope"):
        del actor._hocvuso_scope


def _nothing() -> Q:
    return Q(pk__in=[])


def commune_q(actor: Any, prefix: str = "") -> Q:
    """Communes the actor may open (``prefix`` is the path to the commune, e.g. ``"commune__"``)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    codes = s.communes | s.desk_communes | s.village_communes
    q = _nothing()
    if s.provinces:
        q |= Q(**{f"{prefix}province_id__in": s.provinces})
    if codes:
        q |= Q(**{f"{prefix}code__in": codes})
    return q


def household_q(actor: Any, prefix: str = "") -> Q:
    """Households the actor may see (``prefix`` is the path to the household)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = _nothing()
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    if s.villages:
        q |= Q(**{f"{prefix}village_id__in": s.villages})
    return q


def person_q(actor: Any) -> Q:
    """People the actor may see: those of the households they see, and themself."""
    s = scope_of(actor)
    q = household_q(actor, prefix="household__")
    if s.persons:
        q |= Q(pk__in=s.persons)
    if s.mentees:
        q |= Q(pk__in=s.mentees)
    return q


def _province_of(commune_code: str) -> str | None:
    from hocvuso.geo.models import Commune

    return Commune.objects.filter(code=commune_code).values_list("province_id", flat=True).first()


def can_access_commune(actor: Any, commune_code: str) -> bool:
    """May open the commune's pages (what is listed there is filtered further)."""
    s = scope_of(actor)
    if s.national:
        return True
    if commune_code in s.communes | s.desk_communes | s.village_communes:
        return True
    return bool(s.provinces) and _province_of(commune_code) in s.provinces


def can_edit_commune(actor: Any, commune_code: str) -> bool:
    """May keep the commune's registry (villages, households, people, imports)."""
    s = scope_of(actor)
    return s.national or commune_code in s.communes


def can_register_people(actor: Any, commune_code: str) -> bool:
    """May add households and people to the commune's registry: its keepers, its support-desk
    staff and its youth volunteers (a citizen who walks in at the desk or a class's door and is
    not on the lists is registered on the spot)."""
    s = scope_of(actor)
    return (
        can_edit_commune(actor, commune_code) or commune_code in s.desk_communes | s.youth_communes
    )


def ensure_commune(actor: Any, commune_code: str, *, write: bool = False) -> None:
    """Raise not-found (never "forbidden": no hint that it exists) when out of scope."""
    allowed = can_edit_commune if write else can_access_commune
    if not allowed(actor, commune_code):
        raise NotFound()


def is_officer(actor: Any, commune_code: str | None = None) -> bool:
    """A commune officer or above (over ``commune_code`` when given)."""
    s = scope_of(actor)
    if s.national:
        return True
    if commune_code is None:
        return bool(s.provinces or s.communes)
    return commune_code in s.communes or (
        bool(s.provinces) and _province_of(commune_code) in s.provinces
    )


def can_see_sensitive(actor: Any, commune_code: str, person_id: Any = None) -> bool:
    """Ethnicity and special-needs notes: commune officers and above, and the person themself."""
    if person_id is not None and person_id in scope_of(actor).persons:
        return True
    return is_officer(actor, commune_code)


def can_reveal_cccd(actor: Any, commune_code: str) -> bool:
    """Showing a full CCCD: commune officers and above; every reveal is audited."""
    return is_officer(actor, commune_code)


def requires_two_factor(actor: Any) -> bool:
    return bool(scope_of(actor).roles & OFFICER_ROLES)


def can_grant(
    actor: Any,
    role: str,
    *,
    province: str | None = None,
    commune: str | None = None,
    village_communes: frozenset[str] = frozenset(),
) -> bool:
    """Officers appoint inside their own scope only, and never to a role wider than their own."""
    s = scope_of(actor)
    if s.national:
        return True
    own_rank = max((ROLE_RANK[r] for r in s.roles if r in OFFICER_ROLES), default=0)
    if ROLE_RANK.get(role, 1000) >= own_rank:
        return False
    targets = set(village_communes)
    if commune:
        targets.add(commune)
    if province and not targets:
        return province in s.provinces
    if not targets:
        return False
    return all(
        code in s.communes or (bool(s.provinces) and _province_of(code) in s.provinces)
        for code in targets
    )


def can_record_skills(actor: Any, person: Any) -> bool:
    """May record (and reverse) skill events for ``person``: commune officers and support-desk
    staff of the person's commune, team members whose villages cover the person's household,
    mentors for their active mentees, and national admins — everyone who sees the person except
    the citizen themself and province officers (who oversee)."""
    s = scope_of(actor)
    if s.national:
        return True
    if person.commune_id in s.communes | s.desk_communes | s.youth_communes:
        return True  # youth volunteers record what the commune's people gained at their classes
    if person.pk in s.mentees:  # a mentor, for their active mentees
        return True
    return bool(s.villages) and person.household.village_id in s.villages
