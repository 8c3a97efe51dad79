"""Requests for help ("Nhờ hỗ trợ"): a citizen asks, the commune's helpers answer.

- ask: a citizen, for their own record (the person their account is linked to);
- read: the asker (their own requests); the commune's desk staff and commune officers (every
  request of the commune); the members of a team whose villages include the person's village
  (those requests); province officers over the province and national admins (read only);
- work (take, answer, close): the commune's desk staff and commune officers, the team members
  of the request's village, national admins;
- withdraw (before it is answered): the asker.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.scope import nothing_q, scope_of
from hocvuso.access.units import is_officer


def can_ask_help(actor: Any, person: Any) -> bool:
    """Ask for help for ``person``: their own citizen account only."""
    return person.pk in scope_of(actor).persons


def may_withdraw_help_request(actor: Any, request: Any) -> bool:
    """Withdraw ``request`` (the person managed, or no longer needs it): the asker's own
    citizen account."""
    return request.person_id in scope_of(actor).persons


def may_work_help_request(actor: Any, request: Any) -> bool:
    """Take, answer and close ``request``."""
    s = scope_of(actor)
    if s.national or request.commune_id in s.communes | s.desk_communes:
        return True
    return request.village_id is not None and request.village_id in s.villages


def can_read_help_requests(actor: Any, commune_code: str) -> bool:
    """The commune's worklist of requests: its desk staff and officers, and members of one of
    its teams (who see their villages' requests on it)."""
    s = scope_of(actor)
    return (
        commune_code in s.desk_communes
        or commune_code in s.village_communes
        or is_officer(actor, commune_code)
    )


def help_request_q(actor: Any, prefix: str = "") -> Q:
    """Requests the actor may read (``prefix``: the path to the request)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = nothing_q()
    if s.persons:
        q |= Q(**{f"{prefix}person_id__in": s.persons})
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    if s.villages:
        q |= Q(**{f"{prefix}village_id__in": s.villages})
    return q


def help_worker_q(actor: Any, prefix: str = "") -> Q:
    """Requests on the actor's worklist (those they may work, not their own asks)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = nothing_q()
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    if s.villages:
        q |= Q(**{f"{prefix}village_id__in": s.villages})
    return q


def help_worklist_communes(actor: Any) -> frozenset[str]:
    """The communes whose requests the actor answers (their home's worklists): desk staff and
    commune officers of the commune, members of a team with villages there."""
    s = scope_of(actor)
    return s.desk_communes | s.village_communes | s.communes
