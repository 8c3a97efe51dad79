"""What the raw records say, recounted with a few grouped queries per batch of communes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, UUIDField, Value
from django.db.models.functions import Coalesce

from hocvuso.kpi.measures import (
    HOUSEHOLD_COLUMNS,
    NETWORK_COLUMNS,
    PERSON_COLUMNS,
    commune_counts,
)
from hocvuso.kpi.models import NO_VILLAGE
from hocvuso.kpi.summaries.network import network_counts
from hocvuso.registry.ages import birth_year_expr
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import T4_ALL, T4_CODES, T4_OCCUPATIONS
from hocvuso.teams.figures import guided_people, visited_households

BATCH_COMMUNES = 100
CohortKey = tuple[str, UUID, int]  # commune, village (NO_VILLAGE), birth year (0: unknown)
VillageKey = tuple[str, UUID]


@dataclass
class Recount:
    """What the raw records say, for a set of communes."""

    cohorts: dict[CohortKey, tuple[int, ...]] = field(default_factory=dict)
    villages: dict[VillageKey, tuple[int, ...]] = field(default_factory=dict)
    network: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def commune_rows(self, communes: Iterable[str], year: int) -> dict[str, tuple[int, ...]]:
        by_commune_c: dict[str, list[tuple[int, Sequence[int]]]] = defaultdict(list)
        for (commune, _v, by), counts in self.cohorts.items():
            by_commune_c[commune].append((by, counts))
        by_commune_h: dict[str, list[Sequence[int]]] = defaultdict(list)
        for (commune, _v), counts in self.villages.items():
            by_commune_h[commune].append(counts)
        zero_net = (0,) * len(NETWORK_COLUMNS)
        return {
            c: commune_counts(
                by_commune_c.get(c, []),
                by_commune_h.get(c, []),
                self.network.get(c, zero_net),
                year,
            )
            for c in communes
        }


def trained_q() -> Exists:
    """The household (outer row) has a member holding the basic set."""
    return Exists(
        Person.objects.filter(household=OuterRef("pk"), skill_status__basic_complete=True)
    )


def trained_households(communes: Sequence[str] | None) -> QuerySet[Any]:
    """The households of ``communes`` with a member holding the basic set (ids): :func:`trained_q`
    set-wise, for a recount; ``None``: of every commune."""
    people = Person.objects.filter(skill_status__basic_complete=True)
    if communes is not None:
        people = people.filter(household__commune_id__in=communes)
    return people.values("household_id")


def _of(qs: QuerySet[Any], communes: Sequence[str] | None) -> QuerySet[Any]:
    """``qs`` (people or households) of ``communes``; ``None``: all of them, with no filter (the
    whole-table recount of PostgreSQL: one pass over each table)."""
    return qs if communes is None else qs.filter(commune_id__in=communes)


def people_counts(communes: Sequence[str] | None) -> QuerySet[Any]:
    """The cohort counts of ``communes`` (``None``: every commune) as one grouped query, one row
    per key: ``k_commune``, ``k_village`` (:data:`NO_VILLAGE` when the household has none),
    ``k_by`` (year of birth, 0 when unknown), then PERSON_COLUMNS. Read as rows by
    :func:`recount_people`, and inserted as they are by the set-based rebuild (``INSERT …
    SELECT``) and compared by the check."""
    trader = Q(occupation__in=T4_OCCUPATIONS)
    bits = {f"b{i}": F("mask").bitand(1 << i) for i in range(len(T4_CODES))}
    ts = {
        f"t{i + 1}": Count("pk", filter=trader & Q(**{f"b{i}__gt": 0}))
        for i in range(len(T4_CODES))
    }
    return (
        _of(Person.objects.all(), communes)
        .annotate(
            k_commune=F("commune_id"),
            k_village=Coalesce(
                F("household__village_id"),
                Value(NO_VILLAGE, output_field=UUIDField()),
                output_field=UUIDField(),
            ),
            k_by=birth_year_expr(),
            mask=Coalesce(F("skill_status__t4_mask"), Value(0)),
        )
        .annotate(**bits)
        .values("k_commune", "k_village", "k_by")
        .annotate(
            persons=Count("pk"),
            vneid2=Count("pk", filter=Q(skill_status__vneid_level__gte=2)),
            bank=Count("pk", filter=Q(skill_status__has_bank_account=True)),
            basic=Count("pk", filter=Q(skill_status__basic_complete=True)),
            guided=Count("pk", filter=Q(pk__in=guided_people(communes))),
            traders=Count("pk", filter=trader),
            **ts,
            t_all=Count("pk", filter=trader & Q(mask=T4_ALL)),
        )
        .order_by()
    )


def households_counts(communes: Sequence[str] | None) -> QuerySet[Any]:
    """The village counts of ``communes`` (``None``: every commune) as one grouped query:
    ``k_commune``, ``k_village``, then HOUSEHOLD_COLUMNS (read by :func:`recount_households`,
    inserted by the rebuild)."""
    return (
        _of(Household.objects.all(), communes)
        .annotate(
            k_commune=F("commune_id"),
            k_village=Coalesce(
                F("village_id"),
                Value(NO_VILLAGE, output_field=UUIDField()),
                output_field=UUIDField(),
            ),
        )
        .values("k_commune", "k_village")
        .annotate(
            households=Count("pk"),
            households_trained=Count("pk", filter=Q(pk__in=trained_households(communes))),
            households_visited=Count("pk", filter=Q(pk__in=visited_households(communes))),
        )
        .order_by()
    )


def recount_people(communes: Sequence[str]) -> dict[CohortKey, tuple[int, ...]]:
    """Cohort counts of ``communes`` (PERSON_COLUMNS order): one grouped query."""
    return {
        (r["k_commune"], r["k_village"], int(r["k_by"])): tuple(r[c] for c in PERSON_COLUMNS)
        for r in people_counts(communes)
    }


def recount_households(communes: Sequence[str]) -> dict[VillageKey, tuple[int, ...]]:
    """Village counts of ``communes`` (HOUSEHOLD_COLUMNS order): one grouped query."""
    return {
        (r["k_commune"], r["k_village"]): tuple(r[c] for c in HOUSEHOLD_COLUMNS)
        for r in households_counts(communes)
    }


def recount_network(communes: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Network counts per commune now (NETWORK_COLUMNS order)."""
    return network_counts(communes)


def recount(communes: Sequence[str]) -> Recount:
    return Recount(
        cohorts=recount_people(communes),
        villages=recount_households(communes),
        network=recount_network(communes),
    )
