"""The commune support desk.

- log visits (write): the commune's desk staff, its commune officers, national admins;
- read the log and the figures: those, and province officers over the commune's province.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.scope import nothing_q, scope_of
from hocvuso.access.units import is_officer
from hocvuso.core.errors import NotFound


def can_log_visits(actor: Any, commune_code: str) -> bool:
    s = scope_of(actor)
    return s.national or commune_code in s.communes | s.desk_communes


def can_read_visits(actor: Any, commune_code: str) -> bool:
    return commune_code in scope_of(actor).desk_communes or is_officer(actor, commune_code)


def ensure_desk(actor: Any, commune_code: str, *, write: bool = False) -> None:
    allowed = can_log_visits if write else can_read_visits
    if not allowed(actor, commune_code):
        raise NotFound()


def desk_visit_q(actor: Any, prefix: str = "") -> Q:
    """Desk visits the actor may read (``prefix`` is the path to the visit)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = nothing_q()
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    return q


def desk_commune_q(actor: Any, prefix: str = "") -> Q:
    """Communes whose desk log and figures the actor may read (``prefix``: path to the commune)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = Q(**{f"{prefix}code__in": s.communes | s.desk_communes})
    if s.provinces:
        q |= Q(**{f"{prefix}province_id__in": s.provinces})
    return q
