"""History: month rows rebuilt from the dated raw records (for backfills and the demo)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from hocvuso.core.dates import month_end, month_of, previous_month
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import COMMUNE_COLUMNS, HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from hocvuso.kpi.models import NO_VILLAGE, MonthSummary
from hocvuso.kpi.summaries.network import network_counts
from hocvuso.kpi.summaries.periods import close_months
from hocvuso.kpi.summaries.recount import CohortKey, Recount, VillageKey
from hocvuso.kpi.summaries.write import CHUNK
from hocvuso.registry.ages import birth_year_expr
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import (
    Flags,
    HouseholdFacts,
    PersonFacts,
    is_trader,
    skill_sets,
    status_compute,
)
from hocvuso.skills.models import SkillEvent
from hocvuso.teams.models import Visit, VisitPerson


def history(
    communes: Sequence[str], months: Sequence[dt.date]
) -> dict[tuple[str, dt.date], tuple[int, ...]]:
    """Each commune's row as it stood at the end of each month (COMMUNE_COLUMNS order), rebuilt
    from the dated records: skills held by then (gains on or before the day, not reversed by
    then), home visits, and the network figures of each app as of that day. The people are
    today's registry (the denominators); ages are those of each month's year. For the current
    month it equals the live row (tested), which is what makes the rebuilt history believable.
    People and households go through the same :class:`PersonFacts` and :class:`HouseholdFacts`
    as the live rows; the network through the same figures (one grouped query each per month)."""
    sets = skill_sets()
    tz = timezone.get_current_timezone()

    def day(value: dt.datetime) -> dt.date:
        return timezone.localtime(value, tz).date()

    people = list(
        Person.objects.filter(commune_id__in=communes)
        .annotate(by=birth_year_expr())
        .values_list(
            "pk", "commune_id", "household_id", "household__village_id", "by", "occupation",
            "commune__province_id",
        )
    )  # fmt: skip
    gains: dict[UUID, list[tuple[UUID, str, dt.date]]] = defaultdict(list)
    reversed_on: dict[UUID, dt.date] = {}
    for eid, pid, code, on, reverses in SkillEvent.objects.filter(
        person__commune_id__in=communes
    ).values_list("pk", "person_id", "skill__code", "happened_on", "reverses_id"):
        if reverses is None:
            gains[pid].append((eid, code, on))
        else:
            reversed_on[reverses] = on
    guided: dict[UUID, dt.date] = {}
    for pid, at in VisitPerson.objects.filter(
        person__commune_id__in=communes, was_guided=True
    ).values_list("person_id", "visit__visited_at"):
        guided[pid] = min(day(at), guided.get(pid, day(at)))
    visited: dict[UUID, dt.date] = {}
    for hid, at in Visit.objects.filter(household__commune_id__in=communes).values_list(
        "household_id", "visited_at"
    ):
        visited[hid] = min(day(at), visited.get(hid, day(at)))
    households = list(
        Household.objects.filter(commune_id__in=communes).values_list(
            "pk", "commune_id", "village_id"
        )
    )
    out: dict[tuple[str, dt.date], tuple[int, ...]] = {}
    for month in months:
        end = month_end(month)
        cohorts: dict[CohortKey, list[int]] = defaultdict(lambda: [0] * len(PERSON_COLUMNS))
        basic_households: set[UUID] = set()
        for pid, commune, hid, village, by, occupation, province in people:
            held = [
                (code, on)
                for eid, code, on in gains.get(pid, [])
                if on <= end and not (eid in reversed_on and reversed_on[eid] <= end)
            ]
            flags = Flags.of(status_compute(held, province, sets) if held else None)
            facts = PersonFacts(
                commune,
                village or NO_VILLAGE,
                int(by),
                is_trader(occupation),
                flags,
                pid in guided and guided[pid] <= end,
            )
            row = cohorts[(commune, facts.village, facts.birth_year)]
            for i, v in enumerate(facts.counts()):
                row[i] += v
            if flags.basic:
                basic_households.add(hid)
        villages: dict[VillageKey, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COLUMNS))
        for hid, commune, village in households:
            house = HouseholdFacts(
                commune,
                village or NO_VILLAGE,
                trained=hid in basic_households,
                visited=hid in visited and visited[hid] <= end,
            )
            h = villages[(commune, house.village)]
            for i, v in enumerate(house.counts()):
                h[i] += v
        counted = Recount(
            cohorts={k: tuple(v) for k, v in cohorts.items()},
            villages={k: tuple(v) for k, v in villages.items()},
            network=network_counts(communes, end),
        )
        for commune, counts in counted.commune_rows(communes, end.year).items():
            out[(commune, month)] = counts
    return out


def backfill(communes: Sequence[str], *, months: int, today: dt.date | None = None) -> int:
    """Rebuild the month rows of the ``months`` months before this one from the dated records
    (this month's row is live). Returns the number of rows written."""
    day = today or timezone.localdate()
    wanted: list[dt.date] = []
    m = month_of(day)
    for _ in range(months):
        m = previous_month(m)
        wanted.append(m)
    provinces = dict(Commune.objects.filter(code__in=communes).values_list("code", "province_id"))
    rows = history(communes, wanted)
    with transaction.atomic():
        MonthSummary.objects.bulk_create(
            [
                MonthSummary(
                    commune_id=c,
                    province_id=provinces[c],
                    month=month,
                    **dict(zip(COMMUNE_COLUMNS, row, strict=True)),
                )
                for (c, month), row in rows.items()
            ],
            update_conflicts=True,
            unique_fields=["commune", "month"],
            update_fields=list(COMMUNE_COLUMNS),
            batch_size=CHUNK,
        )
        close_months(wanted)
    return len(rows)
