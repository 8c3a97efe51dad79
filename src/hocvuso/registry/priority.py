"""Which households come first: the one priority rule of the Digital Family worklist and the
door-to-door plan (lowest first, deterministic):

0. the household's village or commune is flagged remote / difficult or ethnic-minority;
1. elderly-only households: every (non-erased) member is aged 60+ (unknown age is not elderly);
2. households with a member whose special-needs note is not empty;
3. the rest.

A household counts at the first rule it meets.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from hocvuso.registry.ages import ELDERLY_AGE, aged_q
from hocvuso.registry.models import Person

PRIORITY_AREA = 0
PRIORITY_ELDERLY = 1
PRIORITY_SPECIAL_NEEDS = 2
PRIORITY_OTHER = 3


def members_of_outer() -> QuerySet[Person]:
    """The (non-erased) members of the outer household row."""
    return Person.objects.filter(household=OuterRef("pk"), erased_at__isnull=True)


def area_q(prefix: str = "") -> Q:
    """The household's village or commune is remote / difficult or ethnic-minority."""
    return (
        Q(**{f"{prefix}village__is_remote": True})
        | Q(**{f"{prefix}village__is_ethnic_minority": True})
        | Q(**{f"{prefix}commune__is_remote": True})
        | Q(**{f"{prefix}commune__is_ethnic_minority": True})
    )


def family_priority(today: dt.date) -> Case:
    """The priority (0-3) of the outer household row on ``today``."""
    members = members_of_outer()
    return Case(
        When(area_q(), then=Value(PRIORITY_AREA)),
        When(
            ~Exists(members.exclude(aged_q(ELDERLY_AGE, today.year))),
            then=Value(PRIORITY_ELDERLY),
        ),
        When(Exists(members.exclude(special_needs="")), then=Value(PRIORITY_SPECIAL_NEEDS)),
        default=Value(PRIORITY_OTHER),
        output_field=IntegerField(),
    )
