"""The facts a household's lists filter and sort on — its live members, how many of them hold
the basic set, its Digital Family priority, its village's place in the order, its last team
visit — stored on the household row (``Household.members_live``, ``members_trained``,
``priority``, ``village_key``, ``last_visit_at``) and kept true here, on the summaries' write
path, in the writer's transaction:

- a write around which ``facts_change`` is announced (a person registered, edited, moved or
  erased; a household edited; a visit) recounts the households of the people and households it
  tracked, before and after (:class:`~.deltas.Tracker`);
- people whose basic set flipped recount their households (:func:`~.deltas.status_changed`);
- a commune rewritten (a merge, a bulk import) recounts its households, or only those the
  writer names (an import writes its new households' facts itself, in the same COPY);
- the year changing, or an area's flags, re-derive the priorities (elderly is by year); a
  village renamed, its households' place in the order.

:func:`differing_facts` recounts a set of households in one grouped query that compares in the
database and returns only the households that differ (none, normally: the check);
:func:`recount_facts` writes those (one ``UPDATE … FROM`` that recount, whatever the number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from hocvuso.registry.ages import ELDERLY_AGE, aged_q
from hocvuso.registry.models import Household, Person, village_sort_key
from hocvuso.registry.priority import priority_case
from hocvuso.teams.models import Visit

FACTS = ("members_live", "members_trained", "priority", "village_key", "last_visit_at")
COUNTED = ("n", "trained", "counted_priority", "counted_key", "counted_visit")
_NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # no visit is that old
BATCH = 2000
Facts = tuple[int, int, int, str, dt.datetime | None]


def _grouped(qs: QuerySet[Household], year: int) -> QuerySet[Any]:
    """The households of ``qs`` whose stored facts differ from what the recount counts of
    their live, non-erased members — one grouped query, counted and compared in the database
    (the comparison is its ``HAVING``): nothing comes back when everything agrees."""
    live = Q(members__erased_at__isnull=True, members__merged_into__isnull=True)
    counted = (
        qs.order_by()
        .values("pk", *FACTS)
        .annotate(
            n=Count("members", filter=live),
            trained=Count("members", filter=live & Q(members__skill_status__basic_complete=True)),
            elderly=Count("members", filter=live & aged_q(ELDERLY_AGE, year, "members__")),
            special=Count("members", filter=live & Q(members__special_needs__gt="")),
        )
    )
    counted = counted.annotate(
        counted_priority=priority_case(members="n", elderly="elderly", special="special"),
        counted_key=Case(
            When(village__isnull=True, then=Value(village_sort_key(None))),
            default=Concat(Value(village_sort_key("")), F("village__name")),
            output_field=CharField(),
        ),
        # a subquery, not a join: joined, the visits would multiply the members counted
        counted_visit=Subquery(
            Visit.objects.filter(household=OuterRef("pk"))
            .order_by()
            .values("household")
            .annotate(last=Max("visited_at"))
            .values("last")
        ),
    )
    # "Is distinct from" for the one nullable fact (never visited): both sides compared through
    # a date no visit has, so that two nulls agree and a null and a date differ.
    counted = counted.annotate(
        stored_visit_key=Coalesce(F("last_visit_at"), Value(_NEVER)),
        counted_visit_key=Coalesce(F("counted_visit"), Value(_NEVER)),
    )
    differs = Q()
    for stored, recounted in zip(FACTS, COUNTED, strict=True):
        if stored == "last_visit_at":
            differs |= ~Q(stored_visit_key=F("counted_visit_key"))
        else:
            differs |= ~Q(**{stored: F(recounted)})
    return counted.filter(differs)


def differing_facts(qs: QuerySet[Household], *, year: int) -> list[tuple[Any, Facts, Facts]]:
    """The households of ``qs`` whose stored facts differ from a recount: (id, stored,
    counted)."""
    out: list[tuple[Any, Facts, Facts]] = []
    for row in _grouped(qs, year):
        stored = tuple(row[f] for f in FACTS)
        counted = tuple(row[f] for f in COUNTED)
        out.append((row["pk"], stored, counted))
    return out


def recount_facts(qs: QuerySet[Household], *, year: int) -> int:
    """Recount the facts of the households of ``qs`` (a filter of ``Household.all_objects``)
    for ``year`` and write those that differ: one statement, ``UPDATE … FROM`` the grouped
    recount of :func:`_grouped` (PostgreSQL; SQLite since 3.33), whatever the number of rows
    that differ — none, normally; every household of a database loaded by other means. Returns
    the rows written."""
    q = connection.ops.quote_name
    # The household's id under a name of its own: a derived table's plain columns are not
    # named alike by every database.
    grouped = _grouped(qs, year).annotate(household_key=F("pk"))
    inner, params = grouped.query.sql_with_params()
    table = q(Household._meta.db_table)
    sets = ", ".join(
        f"{q(stored)} = r.{q(counted)}" for stored, counted in zip(FACTS, COUNTED, strict=True)
    )
    pk = q(Household._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM ({inner}) r "  # noqa: S608
            f"WHERE {table}.{pk} = r.{q('household_key')}",
            params,
        )
        return int(cursor.rowcount)


def recount_communes(communes: Sequence[str], *, year: int) -> int:
    """Recount the facts of every household of ``communes`` (one statement)."""
    codes = sorted(set(communes))
    if not codes:
        return 0
    return recount_facts(Household.all_objects.filter(commune_id__in=codes), year=year)


def households_rewritten(
    communes: Sequence[str], households: Iterable[UUID] | None, *, today: dt.date | None = None
) -> int:
    """``communes`` were rewritten: recount their households' facts, or only ``households``
    when the writer names them (it wrote the others' facts itself)."""
    year = (today or timezone.localdate()).year
    if households is None:
        return recount_communes(communes, year=year)
    ids = list(households)
    written = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        written += recount_facts(Household.all_objects.filter(pk__any=part), year=year)
    return written


def priorities_changed(
    *, communes: Sequence[str] = (), villages: Sequence[UUID] = (), today: dt.date | None = None
) -> int:
    """The area flags of ``communes`` or ``villages`` changed, or the villages' names: their
    households' priorities and places in the order."""
    year = (today or timezone.localdate()).year
    written = recount_communes(communes, year=year)
    if villages:
        written += recount_facts(
            Household.all_objects.filter(village_id__in=list(villages)), year=year
        )
    return written


def roll_priorities(communes: Sequence[str], *, since: int, year: int) -> int:
    """The year turned from ``since`` to ``year`` in ``communes``: the households with a member
    who has turned 60 in between may have become elderly-only (the one fact of the priority
    that changes with time alone); recount theirs."""
    if year <= since or not communes:
        return 0
    first, last = since + 1 - ELDERLY_AGE, year - ELDERLY_AGE
    dates = (dt.date(first, 1, 1), dt.date(last, 12, 31))
    turned = Person.all_objects.filter(
        Q(birth_year__range=(first, last)) | Q(birth_year__isnull=True, birth_date__range=dates)
    )
    households = Household.all_objects.filter(
        commune_id__in=list(communes),
        pk__in=turned.filter(commune_id__in=list(communes)).values("household_id"),
    )
    return recount_facts(households, year=year)
