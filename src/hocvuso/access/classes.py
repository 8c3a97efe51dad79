"""Youth-campaign classes.

- organise (create a class in a commune): its commune officers, its youth volunteers, community
  tech team members whose villages lie in it, national admins;
- work a class (register, attendance, gains): its organiser, its volunteers, the commune's
  officers, national admins;
- read classes: those, province officers and desk staff over the commune; the attendee list of a
  class shows each reader only the people they may see (see :func:`can_see_attendee`);
- sign up: a citizen, for themself, to a class of their own commune.

Whoever may work a class may register walk-ins at its door and record what its attendees gained
there, under their own name, without seeing the registry (:func:`may_act_for_attendees`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.helpers import helper_q
from hocvuso.access.registry import person_q
from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_access_commune, can_edit_commune
from hocvuso.core.errors import NotFound


def can_organise(actor: Any, commune_code: str) -> bool:
    s = scope_of(actor)
    return (
        s.national
        or commune_code in s.communes
        or commune_code in s.village_communes
        or commune_code in s.youth_communes
    )


def can_read_classes(actor: Any, commune_code: str) -> bool:
    return can_organise(actor, commune_code) or can_access_commune(actor, commune_code)


def can_work_class(actor: Any, klass: Any) -> bool:
    """Register, take attendance, mark gains (``klass.volunteers`` prefetched or queried)."""
    if can_edit_commune(actor, klass.commune_id):
        return True
    pk = getattr(actor, "pk", None)
    if pk is None:
        return False
    if klass.organiser_id == pk:
        return can_organise(actor, klass.commune_id)
    return any(u.pk == pk for u in klass.volunteers.all())


def may_act_for_attendees(actor: Any, klass: Any) -> bool:
    """Register walk-ins and record the skills gained at this class, as the actor themself, for
    its registered people — whether or not the actor otherwise sees them."""
    return can_work_class(actor, klass)


def volunteer_q(commune_code: str) -> Q:
    """Users who may volunteer at a class of the commune (and so work it): its helpers
    (:func:`hocvuso.access.helpers.helper_q`), never a citizen's own account."""
    return helper_q(commune_code)


def may_sign_up(actor: Any, klass: Any, person: Any) -> bool:
    """A citizen signs themself up for a class of their commune."""
    return person.pk in scope_of(actor).persons and person.commune_id == klass.commune_id


def ensure_classes(actor: Any, commune_code: str, *, write: bool = False) -> None:
    allowed = can_organise if write else can_read_classes
    if not allowed(actor, commune_code):
        raise NotFound()


def roster_q(actor: Any, klass: Any, prefix: str = "") -> Q:
    """Which of a class's registrations the actor sees: all of them when they work the class
    (they take the attendance); otherwise only people they may see anyway — a reader of the
    commune's classes never learns who of another village attended."""
    if can_work_class(actor, klass):
        return Q()
    return person_q(actor, prefix=f"{prefix}person__")
