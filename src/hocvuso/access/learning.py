"""Online learning.

- learn: every signed-in account takes courses for itself (its own enrolments only);
- follow a learner's progress: whoever may see the learner's registry person (officers over
  the commune, its desk staff, the team of the village, the mentor of a mentee, national
  admins) — :func:`enrollment_q`;
- confirm a practical step: whoever may record skills for the person (the helpers);
- the skills a passed course grants are recorded in the learner's own name, for themself
  only (:func:`may_record_course_skills`): the citizen's own account, linked to the person;
- load or publish course files: national admins (and the system's command); edit them on the
  content page: the national content editors (:func:`can_edit_content`);
- learning figures of a commune: its officers, the province's, national admins;
- verify a certificate: anyone, with no sign-in (the public page shows name and birth year).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.registry import person_q
from hocvuso.access.scope import scope_of
from hocvuso.access.skills import can_record_skills
from hocvuso.access.units import is_officer


def learner_person_id(actor: Any) -> Any:
    """The registry person the learner's account is linked to (a citizen role), or None."""
    persons = sorted(scope_of(actor).persons)
    return persons[0] if persons else None


def may_learn(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def can_load_courses(actor: Any) -> bool:
    return scope_of(actor).national


def can_edit_content(actor: Any) -> bool:
    """The content page (submit a course file as a draft, publish a draft): the national
    content editors (a role given by national admins) and national admins."""
    s = scope_of(actor)
    return s.national or s.content_editor


def own_enrollment_q(actor: Any, prefix: str = "") -> Q:
    """The actor's own enrolments."""
    return Q(**{f"{prefix}user_id": getattr(actor, "pk", None)})


def enrollment_q(actor: Any, prefix: str = "") -> Q:
    """Enrolments the actor may read: their own, and those of the people they may see."""
    return own_enrollment_q(actor, prefix) | (
        Q(**{f"{prefix}person__isnull": False}) & person_q(actor, prefix=f"{prefix}person__")
    )


def may_record_course_skills(actor: Any, person: Any) -> bool:
    """The learner's own account records what its passed course grants — for its person only."""
    return person.pk in scope_of(actor).persons


def can_confirm_practical(actor: Any, person: Any) -> bool:
    """A helper of the person confirms a practical step they did (not the learner)."""
    return person is not None and can_record_skills(actor, person)


def can_read_learning_figures(actor: Any, commune_code: str) -> bool:
    return is_officer(actor, commune_code)
