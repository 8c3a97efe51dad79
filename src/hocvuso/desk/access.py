"""Who may use a commune's support desk (on top of :mod:`hocvuso.core.access`).

- log visits (write): the commune's desk staff, its commune officers, national admins;
- read the log and the figures: those, and province officers over the commune's province.
Everyone else gets not-found, as everywhere in hocvuso.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.core.access import is_officer, scope_of
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


def visit_q(actor: Any, prefix: str = "") -> Q:
    """Desk visits the actor may read (``prefix`` is the path to the visit)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = Q(pk__in=[])
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    return q
