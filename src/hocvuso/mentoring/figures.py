"""Mentoring's figures, defined once: the mentoring pages show them, the dashboards' summary
tables count them (the live rows and the rebuilt history alike).

Each figure takes communes and a day: the count as it stood at the end of that day, or now
(``day=None``). Every date they read is never later than the write that made it, so "now" needs
no refresh as days pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet

from hocvuso.core.dates import day_end
from hocvuso.mentoring.models import GOAL_MENTEES, Mentor, Mentorship, MentorshipStatus


def _mentors(communes: Sequence[str], day: dt.date | None) -> QuerySet[Mentor]:
    """Active mentor profiles (made on or before ``day``)."""
    qs = Mentor.objects.filter(commune_id__in=communes, active=True)
    return qs if day is None else qs.filter(created_at__lt=day_end(day))


def running_q(day: dt.date | None, prefix: str = "") -> Q:
    """Mentorships running at the end of ``day`` (now: active)."""
    if day is None:
        return Q(**{f"{prefix}status": MentorshipStatus.ACTIVE})
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


def mentors(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    rows = _mentors(communes, day).values("commune_id").annotate(n=Count("pk")).order_by()
    return {r["commune_id"]: r["n"] for r in rows}


def mentees(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """People with a running mentorship with an active mentor of the commune."""
    rows = (
        Mentorship.objects.filter(running_q(day), mentor__in=_mentors(communes, day))
        .values("mentor__commune_id")
        .annotate(n=Count("mentee_id", distinct=True))
        .order_by()
    )
    return {r["mentor__commune_id"]: r["n"] for r in rows}


def mentors_at_goal(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """Active mentors guiding at least :data:`GOAL_MENTEES` people."""
    qs = (
        _mentors(communes, day)
        .annotate(n=Count("mentorships", filter=running_q(day, "mentorships__")))
        .filter(n__gte=GOAL_MENTEES)
        .values_list("commune_id", flat=True)
    )
    out: dict[str, int] = {}
    for commune in qs:
        out[commune] = out.get(commune, 0) + 1
    return out
