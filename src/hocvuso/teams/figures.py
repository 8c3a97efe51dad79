"""The door-to-door figures, defined once: a household is *visited* once a team has recorded a
visit there; a person is *guided* once they were at home at a visit and were shown or gained a
skill. The coverage page and the dashboards' summary tables count with these same filters, over
every household and every person of the village (an erased person's row stays, anonymised, so
that figures never move backwards)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from hocvuso.teams.models import Visit, VisitPerson


def visited_q() -> Exists:
    """The household (outer row) was visited by a team."""
    return Exists(Visit.objects.filter(household=OuterRef("pk")))


def guided_q() -> Exists:
    """The person (outer row) was guided on a home visit."""
    return Exists(VisitPerson.objects.filter(person=OuterRef("pk"), was_guided=True))
