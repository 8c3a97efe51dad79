"""Digital ambassadors: who keeps the commune's mentors, who reads them, what a mentor reaches.

A mentor's reach (their active mentees) is on their role assignment (``Scope.mentees``), kept by
the mentoring services whenever a mentorship starts or ends or the mentor stops or resumes."""

from __future__ import annotations

from typing import Any

from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_edit_commune, is_officer


def can_keep_mentors(actor: Any, commune_code: str) -> bool:
    """Appoint mentors, pair them with mentees, end mentorships: the commune's keepers."""
    return can_edit_commune(actor, commune_code)


def can_read_mentors(actor: Any, commune_code: str) -> bool:
    """The commune's mentoring page: officers over the commune."""
    return is_officer(actor, commune_code)


def is_the_mentor(actor: Any, mentor: Any) -> bool:
    return getattr(actor, "pk", None) is not None and mentor.user_id == actor.pk


def may_open_mentor(actor: Any, mentor: Any) -> bool:
    """A mentor's page: officers over the mentor's commune, and the mentor themself."""
    return is_the_mentor(actor, mentor) or is_officer(actor, mentor.commune_id)


def may_mentor(actor: Any, mentor: Any, mentee: Any) -> bool:
    """Record a session: the mentor themself (an active profile), for an active mentee."""
    return is_the_mentor(actor, mentor) and mentor.active and mentee.pk in scope_of(actor).mentees
