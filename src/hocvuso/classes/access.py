"""Who may organise, see and check what (on top of :mod:`hocvuso.core.access`).

Classes:
- organise (create a class in a commune): its commune officers, its youth volunteers, community
  tech team members whose villages lie in it, national admins;
- work a class (register, attendance, gains): its organiser, its volunteers, the commune's
  officers, national admins;
- read classes (and the attendee list): those, province officers and desk staff over the commune.

Back-checks are for officers: commune officers (and national admins) draw, assign and record;
province officers read; the user a check is assigned to records its outcome.
Everyone else gets not-found, as everywhere in hocvuso.

A youth volunteer's communes come from :class:`~hocvuso.core.access.Scope`; they may register
walk-ins and record skills for the commune's people, but do not see its registry.
"""

from __future__ import annotations

from typing import Any

from hocvuso.core.access import can_access_commune, can_edit_commune, is_officer, scope_of
from hocvuso.core.errors import NotFound


def youth_communes(actor: Any) -> frozenset[str]:
    """The communes where ``actor`` is a youth volunteer."""
    return scope_of(actor).youth_communes


def can_organise(actor: Any, commune_code: str) -> bool:
    s = scope_of(actor)
    return (
        s.national
        or commune_code in s.communes
        or commune_code in s.village_communes
        or commune_code in youth_communes(actor)
    )


def can_read_classes(actor: Any, commune_code: str) -> bool:
    return can_organise(actor, commune_code) or can_access_commune(actor, commune_code)


def can_work_class(actor: Any, klass: Any) -> bool:
    if can_edit_commune(actor, klass.commune_id):
        return True
    pk = getattr(actor, "pk", None)
    if pk is None:
        return False
    if klass.organiser_id == pk:
        return can_organise(actor, klass.commune_id)
    return any(u.pk == pk for u in klass.volunteers.all())


def ensure_classes(actor: Any, commune_code: str, *, write: bool = False) -> None:
    allowed = can_organise if write else can_read_classes
    if not allowed(actor, commune_code):
        raise NotFound()


def can_draw_checks(actor: Any, commune_code: str) -> bool:
    return can_edit_commune(actor, commune_code)


def can_read_checks(actor: Any, commune_code: str) -> bool:
    return is_officer(actor, commune_code)


def ensure_checks(actor: Any, commune_code: str, *, write: bool = False) -> None:
    allowed = can_draw_checks if write else can_read_checks
    if not allowed(actor, commune_code):
        raise NotFound()
