"""Households and people: who sees them, who registers walk-ins, who sees sensitive data and
full ID numbers, and in which capacity a helper meets a person."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.scope import nothing_q, scope_of
from hocvuso.access.units import can_edit_commune, is_officer, province_of


def household_q(actor: Any, prefix: str = "") -> Q:
    """Households the actor may see (``prefix`` is the path to the household)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    q = nothing_q()
    if s.provinces:
        q |= Q(**{f"{prefix}commune__province_id__in": s.provinces})
    if s.communes or s.desk_communes:
        q |= Q(**{f"{prefix}commune_id__in": s.communes | s.desk_communes})
    if s.villages:
        q |= Q(**{f"{prefix}village_id__in": s.villages})
    return q


def person_q(actor: Any, prefix: str = "") -> Q:
    """People the actor may see: those of the households they see, their mentees, themself."""
    s = scope_of(actor)
    q = household_q(actor, prefix=f"{prefix}household__")
    if s.persons:
        q |= Q(**{f"{prefix}pk__in": s.persons})
    if s.mentees:
        q |= Q(**{f"{prefix}pk__in": s.mentees})
    return q


def sees_whole_commune(actor: Any, commune_code: str) -> bool:
    """The actor's :func:`household_q` covers every household of the commune (national,
    province, commune or desk scope over it), so its counts are the commune's own (the
    summaries'), not a count of what a village scope shows."""
    s = scope_of(actor)
    if s.national or commune_code in s.communes | s.desk_communes:
        return True
    return bool(s.provinces) and province_of(commune_code) in s.provinces


def can_see_household(actor: Any, household: Any) -> bool:
    """The same rule as :func:`household_q`, for a household already fetched (no query)."""
    s = scope_of(actor)
    if s.national or household.commune_id in s.communes | s.desk_communes:
        return True
    if s.villages and household.village_id in s.villages:
        return True
    return bool(s.provinces) and province_of(household.commune_id) in s.provinces


def can_see_person(actor: Any, person: Any) -> bool:
    """The same rule as :func:`person_q`, for a person already fetched (``household`` loaded)."""
    s = scope_of(actor)
    if s.national or person.pk in s.persons | s.mentees:
        return True
    if person.commune_id in s.communes | s.desk_communes:
        return True
    if s.villages and person.household.village_id in s.villages:
        return True
    return bool(s.provinces) and person.commune.province_id in s.provinces


def is_self(actor: Any, person: Any) -> bool:
    """The actor is the person (a citizen account linked to them)."""
    return person.pk in scope_of(actor).persons


def can_register_people(actor: Any, commune_code: str) -> bool:
    """May add households and people to the commune's registry: its keepers, its support-desk
    staff, its youth volunteers and the members of its community tech teams (a citizen who walks
    in at the desk or a class's door, or a newcomer met on a home visit, is registered on the
    spot)."""
    s = scope_of(actor)
    return can_edit_commune(actor, commune_code) or commune_code in (
        s.desk_communes | s.youth_communes | s.village_communes
    )


def can_see_sensitive(actor: Any, commune_code: str, person_id: Any = None) -> bool:
    """Ethnicity and special-needs notes: commune officers and above, and the person themself."""
    if person_id is not None and person_id in scope_of(actor).persons:
        return True
    return is_officer(actor, commune_code)


def can_reveal_cccd(actor: Any, commune_code: str) -> bool:
    """Showing a full CCCD: commune officers and above; every reveal is audited."""
    return is_officer(actor, commune_code)


def helper_capacity(actor: Any, person: Any) -> str:
    """In which capacity the actor meets ``person``: ``"team"`` (their villages cover the
    household: they knock on doors), ``"desk"`` (desk staff of the person's commune) or
    ``"officer"`` (anyone else allowed to record)."""
    s = scope_of(actor)
    if s.villages and person.household.village_id in s.villages:
        return "team"
    if person.commune_id in s.desk_communes:
        return "desk"
    return "officer"


def self_q(actor: Any, prefix: str = "") -> Q:
    """The person the actor is (a citizen account linked to them)."""
    return Q(**{f"{prefix}pk__in": scope_of(actor).persons})


def can_rotate_id_keys(actor: Any) -> bool:
    """Re-protect every stored ID number with the current key: the operators' command (the
    system), or a national administrator — never anyone narrower."""
    return scope_of(actor).national


def can_merge_people(actor: Any, commune_code: str) -> bool:
    """Merge two records of one person of the commune, or split a merge again, and read the
    commune's duplicates worklist: the commune's keepers (officers)."""
    return can_edit_commune(actor, commune_code)


def can_move_out(actor: Any, from_commune: str, to_commune: str) -> bool:
    """Move a person or a household of ``from_commune`` to another commune (or province): whoever
    keeps the commune they leave. Once moved, they belong to the new commune's keepers alone."""
    return from_commune != to_commune and can_edit_commune(actor, from_commune)


def move_destinations_q(actor: Any, from_commune: str) -> Q:
    """The communes offered when moving someone out of ``from_commune``: every commune still in
    use but that one, to whoever may move them out (:func:`can_move_out`); none to anyone else."""
    if not can_edit_commune(actor, from_commune):
        return nothing_q()
    return Q(retired_at__isnull=True) & ~Q(code=from_commune)


def walk_in_match_q(actor: Any, commune_code: str) -> Q:
    """The people a walk-in is looked for among before anyone is created: the commune's, for
    whoever may register people there (a youth volunteer at a class's door too). What they are
    shown of each match is what a class's attendee list shows: name, year of birth, village."""
    if not can_register_people(actor, commune_code):
        return nothing_q()
    return Q(commune_id=commune_code)
