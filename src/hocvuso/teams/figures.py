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


def visited_households(communes: Sequence[str] | None) -> QuerySet[Any]:
    """The households of ``communes`` a team has visited (ids): :func:`visited_q`, set-wise;
    ``None``: of every commune (no join to the households at all)."""
    visits = Visit.objects.all()
    if communes is not None:
        visits = visits.filter(household__commune_id__in=communes)
    return visits.values("household_id")


def guided_people(communes: Sequence[str] | None) -> QuerySet[Any]:
    """The people of ``communes`` guided on a home visit (ids): :func:`guided_q`, set-wise;
    ``None``: of every commune."""
    guided = VisitPerson.objects.filter(was_guided=True)
    if communes is not None:
        guided = guided.filter(person__commune_id__in=communes)
    return guided.values("person_id")
