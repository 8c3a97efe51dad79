"""Deltas: the hot path (people's status changed) and the rarer writes (facts before and
after), added to every summary table in the writer's transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.db.models import Count
from django.utils import timezone

from hocvuso.kpi.measures import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from hocvuso.kpi.models import NO_VILLAGE
from hocvuso.kpi.summaries.households import recount_facts
from hocvuso.kpi.summaries.recount import CohortKey, VillageKey, trained_q
from hocvuso.kpi.summaries.write import apply_deltas
from hocvuso.registry.ages import birth_year_expr
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import Flags, HouseholdFacts, PersonFacts, is_trader
from hocvuso.teams.figures import guided_q, visited_q


def status_changed(
    changes: Sequence[tuple[UUID, Flags, Flags]],
    *,
    known: dict[UUID, dict[str, Any]] | None = None,
    today: dt.date | None = None,
) -> None:
    """Add the deltas of people's changed status rows to every summary table. Call after the
    status rows are written, in the same transaction. Queries: the people not in ``known``,
    their households' trained members (when the basic set flipped), the rows present, one
    upsert per table."""
    changes = [(pid, old, new) for pid, old, new in changes if old != new]
    if not changes:
        return
    # ``known``: the people's facts the caller already read (commune, household, village, year
    # of birth, occupation); the others are fetched in one query.
    people = {pid: known[pid] for pid, _o, _n in changes if known and pid in known}
    missing = [pid for pid, _o, _n in changes if pid not in people]
    if missing:
        people.update(
            (p["pk"], p)
            for p in Person.objects.filter(pk__any=missing)
            .annotate(by=birth_year_expr())
            .values("pk", "commune_id", "household_id", "household__village_id", "by", "occupation")
        )
    cohort: dict[CohortKey, list[int]] = defaultdict(lambda: [0] * len(PERSON_COLUMNS))
    flips: dict[UUID, int] = defaultdict(int)
    household_key: dict[UUID, VillageKey] = {}
    for pid, old, new in changes:
        p = people[pid]
        village = p["household__village_id"] or NO_VILLAGE
        key = (p["commune_id"], village, int(p["by"]))
        trader = is_trader(p["occupation"])
        # The same person before and after: only the status flags differ (guided is unchanged).
        before = PersonFacts(*key, trader=trader, flags=old, guided=False).counts()
        after = PersonFacts(*key, trader=trader, flags=new, guided=False).counts()
        row = cohort[key]
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            row[i] += int(b) - int(a)
        if new.basic != old.basic:
            flips[p["household_id"]] += new.basic - old.basic
            household_key[p["household_id"]] = (p["commune_id"], village)
    villages: dict[VillageKey, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COLUMNS))
    if flips:
        trained_now = dict(
            Person.objects.filter(household_id__any=list(flips), skill_status__basic_complete=True)
            .values("household_id")
            .annotate(n=Count("pk"))
            .values_list("household_id", "n")
            .order_by()
        )
        for hid, net in flips.items():
            after = trained_now.get(hid, 0)
            delta = (after > 0) - (after - net > 0)
            if delta:
                villages[household_key[hid]][1] += delta
    day = today or timezone.localdate()
    apply_deltas(cohort, villages, day)
    if flips:
        recount_facts(Household.all_objects.filter(pk__any=list(flips)), year=day.year)


def people_facts(
    ids: Iterable[UUID], households: set[UUID] | None = None
) -> dict[UUID, PersonFacts]:
    """The counted facts of the people ``ids``; their households' ids are added to
    ``households`` when given."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Person.objects.filter(pk__any=ids)
        .annotate(
            by=birth_year_expr(),
            was_guided=guided_q(),
        )
        .values(
            "pk",
            "commune_id",
            "household_id",
            "household__village_id",
            "by",
            "occupation",
            "was_guided",
            "skill_status__vneid_level",
            "skill_status__has_bank_account",
            "skill_status__basic_complete",
            "skill_status__t4_mask",
        )
    )
    if households is not None:
        households.update(r["household_id"] for r in rows)
    return {
        r["pk"]: PersonFacts(
            commune=r["commune_id"],
            village=r["household__village_id"] or NO_VILLAGE,
            birth_year=int(r["by"]),
            trader=is_trader(r["occupation"]),
            flags=Flags(
                vneid2=(r["skill_status__vneid_level"] or 0) >= 2,
                bank=bool(r["skill_status__has_bank_account"]),
                basic=bool(r["skill_status__basic_complete"]),
                mask=int(r["skill_status__t4_mask"] or 0),
            ),
            guided=bool(r["was_guided"]),
        )
        for r in rows
    }


def households_facts(ids: Iterable[UUID]) -> dict[UUID, HouseholdFacts]:
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Household.objects.filter(pk__any=ids)
        .annotate(
            trained=trained_q(),
            visited=visited_q(),
        )
        .values("pk", "commune_id", "village_id", "trained", "visited")
    )
    return {
        r["pk"]: HouseholdFacts(
            r["commune_id"], r["village_id"] or NO_VILLAGE, bool(r["trained"]), bool(r["visited"])
        )
        for r in rows
    }


class Tracker:
    """Facts of the tracked people and households before a write; on :meth:`close`, the facts
    after it, and the difference added to the summary tables. People or households created by the
    write are added with :meth:`add` (they had no facts before)."""

    def __init__(self, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        self.persons = set(persons)
        self.households = set(households)
        # Every household whose list facts (members, trained, priority) the write may change:
        # the tracked ones and those of the tracked people, before and after.
        self.listed: set[UUID] = set()
        self.before_p = people_facts(self.persons, self.listed)
        self.before_h = households_facts(self.households)

    def add(self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        self.persons.update(persons)
        self.households.update(households)

    def close(self) -> None:
        after_p = people_facts(self.persons, self.listed)
        after_h = households_facts(self.households)
        cohort: dict[CohortKey, list[int]] = defaultdict(lambda: [0] * len(PERSON_COLUMNS))
        for facts, sign in _pairs(self.before_p, after_p):
            row = cohort[(facts.commune, facts.village, facts.birth_year)]
            for i, v in enumerate(facts.counts()):
                row[i] += sign * int(v)
        villages: dict[VillageKey, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COLUMNS))
        for hfacts, sign in _pairs(self.before_h, after_h):
            hrow = villages[(hfacts.commune, hfacts.village)]
            for i, v in enumerate(hfacts.counts()):
                hrow[i] += sign * int(v)
        day = timezone.localdate()
        apply_deltas(cohort, villages, day)
        listed = self.listed | self.households
        if listed:
            recount_facts(Household.all_objects.filter(pk__any=list(listed)), year=day.year)


def _pairs(before: dict[UUID, Any], after: dict[UUID, Any]) -> Iterator[tuple[Any, int]]:
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is not None:
            yield old, -1
        if new is not None:
            yield new, 1


@contextmanager
def tracking(persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> Iterator[Tracker]:
    """``with tracking(persons=…, households=…) as t:`` around a write (inside its transaction)."""
    tracker = Tracker(persons, households)
    yield tracker
    tracker.close()
