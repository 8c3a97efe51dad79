"""The worklists' lengths from the summary tables (``core.counts``): the people the cohort rows
count as lacking what the list shows, less the few the list leaves off (erased or restricted
people, whom the dashboards still count). Exact, or ``None`` when the summaries cannot tell
(a search term; an actor who sees only some villages). Tested equal to a count of the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, Sum

from hocvuso.access.registry import sees_whole_commune
from hocvuso.core import counts
from hocvuso.geo.models import Commune, Village
from hocvuso.kpi.measures import NETWORK_COLUMNS
from hocvuso.kpi.models import CohortSummary, CommuneSummary, VillageSummary
from hocvuso.outreach import selectors as outreach
from hocvuso.registry.ages import AGE_16, latest_birth_year
from hocvuso.skills.facts import T4_CODES


def _cohorts(commune: Commune, village: Village | None) -> Any:
    rows = CohortSummary.objects.filter(commune_id=commune.code)
    return rows.filter(village_id=village.pk) if village is not None else rows


def _summed(rows: Any, total: str, held: str) -> int:
    got = rows.aggregate(n=Sum(F(total) - F(held)))["n"]
    return int(got or 0)


def identity_count(
    *,
    actor: Any,
    commune: Commune,
    need: str,
    village: Village | None,
    q: str,
    today: dt.date,
) -> int | None:
    if q or need not in outreach.NEEDS or not sees_whole_commune(actor, commune.code):
        return None
    # Aged 16+ this year: a known year of birth (0 is unknown) up to this year minus 16.
    aged = Q(birth_year__gte=1, birth_year__lte=latest_birth_year(AGE_16, today.year))
    held = "vneid2" if need == "vneid" else "bank"
    summed = _summed(_cohorts(commune, village).filter(aged), "persons", held)
    return summed - outreach.identity_kept_off(
        commune=commune, need=need, village=village, today=today
    )


def t4_count(
    *, actor: Any, commune: Commune, missing: str, village: Village | None, q: str
) -> int | None:
    if q or missing not in {"", "any", *T4_CODES} or not sees_whole_commune(actor, commune.code):
        return None
    rows = _cohorts(commune, village)
    if missing == "":
        summed = int(rows.aggregate(n=Sum("traders"))["n"] or 0)
    elif missing == "any":
        summed = _summed(rows, "traders", "t_all")
    else:
        summed = _summed(rows, "traders", f"t{T4_CODES.index(missing) + 1}")
    return summed - outreach.t4_kept_off(commune=commune, missing=missing, village=village)


def family_count(*, actor: Any, commune: Commune, village: Village | None, q: str) -> int | None:
    """The family worklist's length: the village summaries' households with no trained member,
    corrected by what the list shows differently (:func:`outreach.families_kept_off`)."""
    if q or not sees_whole_commune(actor, commune.code):
        return None
    rows = VillageSummary.objects.filter(commune_id=commune.code)
    if village is not None:
        rows = rows.filter(village_id=village.pk)
    summed = _summed(rows, "households", "households_trained")
    return summed - outreach.families_kept_off(commune=commune, village=village)


def commune_count(*, actor: Any, commune: Commune) -> dict[str, int] | None:
    """The commune page's households and people, from the commune's summary row (the registry's
    live rows, tested equal to a count), for an actor who sees the whole commune."""
    if not sees_whole_commune(actor, commune.code):
        return None
    row = (
        CommuneSummary.objects.filter(commune_id=commune.code)
        .values("households", "persons")
        .first()
    )
    return None if row is None else {"households": row["households"], "persons": row["persons"]}


def network_figures(*, commune: str) -> dict[str, int] | None:
    """A commune's network columns (mentors, learners… :data:`NETWORK_COLUMNS`) from its
    summary row, kept current by ``network_changed`` on every write that moves them: what the
    mentoring and learning pages show beside their lists, read in one query however long the
    lists grow. ``None`` when the commune has no row yet."""
    return CommuneSummary.objects.filter(commune_id=commune).values(*NETWORK_COLUMNS).first()


def connect() -> None:
    counts.provide("kpi.network", network_figures)
    counts.provide("registry.commune", commune_count)
    counts.provide("outreach.identity", identity_count)
    counts.provide("outreach.t4", t4_count)
    counts.provide("outreach.families", family_count)
