"""Skill events and the catalogue."""

from __future__ import annotations

from typing import Any

from hocvuso.access.scope import scope_of


def can_record_skills(actor: Any, person: Any) -> bool:
    """May record (and reverse) skill events for ``person``: commune officers, support-desk
    staff and youth volunteers of the person's commune, team members whose villages cover the
    person's household, mentors for their active mentees, and national admins — everyone who
    helps the person, but not the citizen themself nor province officers (who oversee)."""
    s = scope_of(actor)
    if s.national:
        return True
    if person.commune_id in s.communes | s.desk_communes | s.youth_communes:
        return True  # youth volunteers record what the commune's people gained at their classes
    if person.pk in s.mentees:  # a mentor, for their active mentees
        return True
    return bool(s.villages) and person.household.village_id in s.villages


def can_edit_catalogue(actor: Any) -> bool:
    """Skills and skill sets are national: national admins."""
    return scope_of(actor).national
