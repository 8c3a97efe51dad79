"""Which households come first: the one priority rule of the Digital Family worklist and the
door-to-door plan (lowest first, deterministic):

0. the household's village or commune is flagged remote / difficult or ethnic-minority;
1. elderly-only households: every (non-erased) member is aged 60+ (unknown age is not elderly);
2. households with a member whose special-needs note is not empty;
3. the rest.

A household counts at the first rule it meets.

The priority is stored on each household (``Household.priority``), so that a list orders its
households through an index (kpi.summaries.households keeps it current: every write that
changes a member, their age, their special needs or the area's flags, and every new year). The
rule is written twice, side by side, from the same four counts: :func:`priority_of` in Python
(a bulk import counts its new households' members as it reads them) and :func:`priority_case`
in SQL (a recount of many households at once, in the database); a test runs both over every
combination.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Value, When

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


def area_q(prefix: str = "") -> Q:
    """The household's (``prefix``: the path to it) village or commune is flagged."""
    return (
        Q(**{f"{prefix}village__is_remote": True})
        | Q(**{f"{prefix}village__is_ethnic_minority": True})
        | Q(**{f"{prefix}commune__is_remote": True})
        | Q(**{f"{prefix}commune__is_ethnic_minority": True})
    )


def priority_case(*, members: str, elderly: str, special: str) -> Case:
    """:func:`priority_of` as an SQL expression of the outer household row, given the names of
    three annotations of it: its members, those aged 60+, those with special needs."""
    return Case(
        When(area_q(), then=Value(PRIORITY_AREA)),
        When(Q(**{elderly: F(members)}), then=Value(PRIORITY_ELDERLY)),
        When(Q(**{f"{special}__gt": 0}), then=Value(PRIORITY_SPECIAL_NEEDS)),
        default=Value(PRIORITY_OTHER),
        output_field=IntegerField(),
    )
