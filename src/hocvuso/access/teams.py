"""Community tech teams: who keeps them, who reads them, who works their door-to-door plan.

A member's teams and villages come from their role assignment (``Scope.teams``,
``Scope.villages``), which the teams services grant and revoke with the membership."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_access_commune, can_edit_commune, is_officer


def is_member(actor: Any, team: Any) -> bool:
    return team.pk in scope_of(actor).teams


def can_keep_teams(actor: Any, commune_code: str) -> bool:
    """Create teams, add and remove members: the commune's keepers."""
    return can_edit_commune(actor, commune_code)


def may_read_team(actor: Any, team: Any) -> bool:
    return is_officer(actor, team.commune_id) or is_member(actor, team)


def may_work_team(actor: Any, team: Any) -> bool:
    """May take households and record visits for the team: its members and the keepers."""
    return can_edit_commune(actor, team.commune_id) or is_member(actor, team)


def may_see_team(actor: Any, team: Any, *, manage: bool = False, work: bool = False) -> bool:
    """``manage``: keep it; ``work``: take and visit; else read."""
    if manage:
        return can_keep_teams(actor, team.commune_id)
    if work:
        return may_work_team(actor, team)
    return may_read_team(actor, team)


def can_read_teams(actor: Any, commune_code: str) -> bool:
    """The commune's teams page: officers over the commune and members of one of its teams."""
    if not can_access_commune(actor, commune_code):
        return False
    return is_officer(actor, commune_code) or commune_code in scope_of(actor).village_communes


def team_q(actor: Any, prefix: str = "") -> Q:
    """Teams the actor may read."""

    s = scope_of(actor)
    if s.national:
        return Q()
    q = Q(**{f"{prefix}pk__in": s.teams})
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes})
    return q


def may_release_claim(actor: Any, claim: Any, member_role: str | None) -> bool:
    """Give a household back to the list: the member who took it, the team's leader or deputy
    (``member_role`` of the actor in the claim's team), or a keeper of the commune."""
    if can_keep_teams(actor, claim.team.commune_id):
        return True
    if not is_member(actor, claim.team):
        return False
    return claim.claimed_by_id == getattr(actor, "pk", None) or member_role in LEADS


LEADS = frozenset({"leader", "deputy"})


def coverage_village_q(actor: Any, commune_code: str) -> Q:
    """Villages of the commune whose coverage the actor reads: all for officers over it, their
    own team's villages for members."""
    if is_officer(actor, commune_code):
        return Q()
    return Q(pk__in=scope_of(actor).villages)
