"""Which households come first: the one priority rule of the Digital Family worklist and the
door-to-door plan (lowest first, deterministic):

0. the household's village or commune is flagged remote / difficult or ethnic-minority;
1. elderly-only households: every (non-erased) member is aged 60+ (unknown age is not elderly);
2. households with a member whose special-needs note is not empty;
3. the rest.

A household counts at the first rule it meets.

The priority is stored on each household (``Household.priority``) with the facts it is worked
out from, so that a list orders its households through an index (kpi.summaries.households
keeps it current: every write that changes a member, their age, their special needs or the
area's flags, and every new year). :func:`priority_of` is the rule; the recount hands it what
it counts per household.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet

from hocvuso.registry.models import Person

PRIORITY_AREA = 0
PRIORITY_ELDERLY = 1
PRIORITY_SPECIAL_NEEDS = 2
PRIORITY_OTHER = 3


def members_of_outer() -> QuerySet[Person]:
    """The (non-erased) members of the outer household row."""
    return Person.objects.filter(household=OuterRef("pk"), erased_at__isnull=True)


def priority_of(*, area: bool, members: int, elderly: int, special: int) -> int:
    """The priority (0-3) of a household: ``area`` — its village or commune is flagged;
    ``members`` — its (non-erased) members; ``elderly`` — how many of them are aged 60+ this year
    (``registry.ages``); ``special`` — how many have a special-needs note. A household with no
    member counts as elderly-only (no member is younger), as the rule reads; no list shows it."""
    if area:
        return PRIORITY_AREA
    if elderly == members:
        return PRIORITY_ELDERLY
    if special:
        return PRIORITY_SPECIAL_NEEDS
    return PRIORITY_OTHER
