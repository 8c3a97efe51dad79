"""Appointing people to roles: officers appoint inside their own scope only, never to a role as
wide as their own, and never revoke their own role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_edit_commune, is_officer, province_of
from hocvuso.accounts.models import OFFICER_ROLES, ROLE_RANK, Role


def _own_rank(actor: Any) -> int:
    s = scope_of(actor)
    if s.national:
        return ROLE_RANK[Role.NATIONAL_ADMIN] + 1
    return max((ROLE_RANK[Role(r)] for r in s.roles if r in OFFICER_ROLES), default=0)


def can_grant(
    actor: Any,
    role: str,
    *,
    province: str | None = None,
    commune: str | None = None,
    village_communes: frozenset[str] = frozenset(),
) -> bool:
    """May give ``role`` over that scope."""
    s = scope_of(actor)
    if s.national:
        return True
    if role not in ROLE_RANK or ROLE_RANK[Role(role)] >= _own_rank(actor):
        return False
    targets = set(village_communes)
    if commune:
        targets.add(commune)
    if province and not targets:
        return province in s.provinces
    if not targets:
        return False
    return all(
        code in s.communes or (bool(s.provinces) and province_of(code) in s.provinces)
        for code in targets
    )


def can_revoke(actor: Any, assignment: Any) -> bool:
    """May end this assignment: whoever could grant it — but nobody ends their own."""
    if getattr(actor, "pk", None) is not None and assignment.user_id == actor.pk:
        return False
    return can_grant(
        actor, assignment.role, province=assignment.province_id, commune=assignment.commune_id
    )


def grantable_roles(actor: Any, roles: Iterable[str]) -> list[str]:
    """Of ``roles``, those narrower than the actor's own widest officer role."""
    own = _own_rank(actor)
    return [r for r in roles if ROLE_RANK[Role(r)] < own]


def can_see_assignments(actor: Any, commune_code: str) -> bool:
    """The commune's appointments page: officers over the commune."""
    return is_officer(actor, commune_code)


def can_link_citizen(actor: Any, person: Any) -> bool:
    """Link a citizen's account to their person: the keepers of the person's commune."""
    return can_edit_commune(actor, person.commune_id)


def may_be_linked_as_citizen(roles: Iterable[str]) -> bool:
    """Only an account with no other role may be linked as a citizen (an officer's account
    never becomes someone's own record)."""
    return not (set(roles) - {Role.CITIZEN})
