"""The door-to-door figures, defined once: a household is *visited* once a team has recorded a
visit there; a person is *guided* once they were at home at a visit and were shown or gained a
skill. The coverage page and the dashboards' summary tables count with these same filters, over
every household and every person of the village (an erased person's row stays, anonymised, so
that figures never move backwards)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from hocvuso.teams.models import Visit, VisitPerson


def visited_q() -> Exists:
    """The household (outer row) was visited by a team."""
    return Exists(Visit.objects.filter(household=OuterRef("pk")))


def guided_q() -> Exists:
    """The person (outer row) was guided on a home visit."""
    return Exists(VisitPerson.objects.filter(person=OuterRef("pk"), was_guided=True))


# The same two filters for a whole set of communes at once (a recount): the households visited
# and the people guided, as one subquery each, which the database reads once and hashes instead
# of probing it for every row.


def visited_households(communes: Sequence[str]) -> QuerySet[Any]:
    """The households of ``communes`` a team has visited (ids): :func:`visited_q`, set-wise."""
    return Visit.objects.filter(household__commune_id__in=communes).values("household_id")


def guided_people(communes: Sequence[str]) -> QuerySet[Any]:
    """The people of ``communes`` guided on a home visit (ids): :func:`guided_q`, set-wise."""
    return VisitPerson.objects.filter(person__commune_id__in=communes, was_guided=True).values(
        "person_id"
    )
