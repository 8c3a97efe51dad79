"""Keeping the summary tables true.

Two ways in, one truth:

- :func:`status_changed` — the hot path. ``skills.services`` calls it in the transaction that
  rewrites people's status rows, with each changed person's old and new flags; the deltas are
  added to the cohort, village, commune and month rows with one statement per table per batch, so
  the cost follows the size of the batch, not of the population.
- :func:`refresh` — recount named communes from the raw records (a few set-based queries per
  batch of communes) and replace their rows. Services whose writes are rarer and touch one commune
  (registering or moving people and households, erasure, visits) wrap themselves in
  :func:`tracking`; an import recounts its commune with :func:`refresh`; mentors, desks, classes
  and desk-staff roles call :func:`touch_network` (only the network counts can have moved).

:func:`roll_forward` re-derives the age-based columns from the cohorts when the year changes
(and snapshots the month rows); :func:`rebuild` recounts everything; :func:`check` recounts
everything and reports each difference without writing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from hocvuso.kpi.measures import (
    AGE_COLUMNS,
    COMMUNE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    NETWORK_COLUMNS,
    PERSON_COLUMNS,
    PLAIN_PERSON_COLUMNS,
    age_counts,
    commune_counts,
)
from hocvuso.kpi.models import (
    NO_VILLAGE,
    CohortSummary,
    CommuneSummary,
    MonthSummary,
    ProvinceMonthSummary,
    VillageSummary,
)

T4_OCCUPATIONS = ("trader", "farmer")
BATCH_COMMUNES = 100
CHUNK = 500

CohortKey = tuple[str, UUID, int]  # commune, village (NO_VILLAGE), birth year (0: unknown)
VillageKey = tuple[str, UUID]


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before ``month``'s."""
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- Recount from the raw records -------------------------------------------------------------


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


def _birth_year() -> Any:
    return Coalesce(
        F("birth_year"), ExtractYear("birth_date"), Value(0), output_field=IntegerField()
    )


def recount_people(communes: Sequence[str]) -> dict[CohortKey, tuple[int, ...]]:
    """Cohort counts of ``communes``: one grouped query."""
    from hocvuso.registry.models import Person
    from hocvuso.teams.models import VisitPerson

    trader = Q(occupation__in=T4_OCCUPATIONS)
    qs = (
        Person.objects.filter(commune_id__in=communes)
        .annotate(
            by=_birth_year(),
            mask=Coalesce(F("skill_status__t4_mask"), Value(0)),
            was_guided=Exists(VisitPerson.objects.filter(person=OuterRef("pk"), was_guided=True)),
        )
        .annotate(
            b1=F("mask").bitand(1),
            b2=F("mask").bitand(2),
            b3=F("mask").bitand(4),
            b4=F("mask").bitand(8),
        )
        .values("commune_id", "household__village_id", "by")
        .annotate(
            persons=Count("pk"),
            vneid2=Count("pk", filter=Q(skill_status__vneid_level__gte=2)),
            bank=Count("pk", filter=Q(skill_status__has_bank_account=True)),
            basic=Count("pk", filter=Q(skill_status__basic_complete=True)),
            guided=Count("pk", filter=Q(was_guided=True)),
            traders=Count("pk", filter=trader),
            t1=Count("pk", filter=trader & Q(b1__gt=0)),
            t2=Count("pk", filter=trader & Q(b2__gt=0)),
            t3=Count("pk", filter=trader & Q(b3__gt=0)),
            t4=Count("pk", filter=trader & Q(b4__gt=0)),
            t_all=Count("pk", filter=trader & Q(mask=15)),
        )
        .order_by()
    )
    out: dict[CohortKey, tuple[int, ...]] = {}
    for row in qs:
        key = (row["commune_id"], row["household__village_id"] or NO_VILLAGE, int(row["by"]))
        out[key] = tuple(row[c] for c in PERSON_COLUMNS)
    return out


def recount_households(communes: Sequence[str]) -> dict[VillageKey, tuple[int, ...]]:
    from hocvuso.registry.models import Household, Person
    from hocvuso.teams.models import Visit

    qs = (
        Household.objects.filter(commune_id__in=communes)
        .annotate(
            trained=Exists(
                Person.objects.filter(household=OuterRef("pk"), skill_status__basic_complete=True)
            ),
            visited=Exists(Visit.objects.filter(household=OuterRef("pk"))),
        )
        .values("commune_id", "village_id")
        .annotate(
            households=Count("pk"),
            households_trained=Count("pk", filter=Q(trained=True)),
            households_visited=Count("pk", filter=Q(visited=True)),
        )
        .order_by()
    )
    return {
        (r["commune_id"], r["village_id"] or NO_VILLAGE): tuple(r[c] for c in HOUSEHOLD_COLUMNS)
        for r in qs
    }


def recount_network(communes: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Network counts per commune (NETWORK_COLUMNS order), a handful of grouped queries."""
    from hocvuso.accounts.models import Role, RoleAssignment
    from hocvuso.classes.models import ClassEvent, ClassRegistration
    from hocvuso.desk.models import DeskVisit
    from hocvuso.mentoring.models import Mentor, Mentorship, MentorshipStatus

    values: dict[str, dict[str, int]] = defaultdict(dict)

    def put(name: str, rows: Iterable[tuple[str, int]]) -> None:
        for commune, n in rows:
            values[commune][name] = n

    active = Mentorship.objects.filter(status=MentorshipStatus.ACTIVE)
    mentors = (
        Mentor.objects.filter(commune_id__in=communes, active=True)
        .annotate(n=Count("mentorships", filter=Q(mentorships__status=MentorshipStatus.ACTIVE)))
        .values_list("commune_id", "n")
    )
    count_m: dict[str, int] = defaultdict(int)
    count_5: dict[str, int] = defaultdict(int)
    for commune, n in mentors:
        count_m[commune] += 1
        count_5[commune] += n >= 5
    put("mentors", count_m.items())
    put("mentors_5", count_5.items())
    put(
        "mentees",
        active.filter(mentor__commune_id__in=communes, mentor__active=True)
        .values("mentor__commune_id")
        .annotate(n=Count("mentee_id", distinct=True))
        .values_list("mentor__commune_id", "n")
        .order_by(),
    )
    put(
        "desk_staff",
        RoleAssignment.objects.filter(
            role=Role.DESK_STAFF,
            commune_id__in=communes,
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .values("commune_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("commune_id", "n")
        .order_by(),
    )
    put(
        "desk_helped",
        DeskVisit.objects.filter(commune_id__in=communes)
        .values("commune_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("commune_id", "n")
        .order_by(),
    )
    put(
        "classes",
        ClassEvent.objects.filter(commune_id__in=communes)
        .values("commune_id")
        .annotate(n=Count("pk"))
        .values_list("commune_id", "n")
        .order_by(),
    )
    put(
        "class_participants",
        ClassRegistration.objects.filter(klass__commune_id__in=communes, attended=True)
        .values("klass__commune_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("klass__commune_id", "n")
        .order_by(),
    )
    put(
        "class_volunteers",
        ClassEvent.volunteers.through.objects.filter(classevent__commune_id__in=communes)
        .values("classevent__commune_id")
        .annotate(n=Count("user_id", distinct=True))  # type: ignore[misc]
        .values_list("classevent__commune_id", "n")
        .order_by(),
    )
    return {c: tuple(values[c].get(n, 0) for n in NETWORK_COLUMNS) for c in communes}


def recount(communes: Sequence[str]) -> Recount:
    return Recount(
        cohorts=recount_people(communes),
        villages=recount_households(communes),
        network=recount_network(communes),
    )


# --- Writing ----------------------------------------------------------------------------------


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _upsert_add(model: Any, keys: Sequence[str], columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c: on PostgreSQL one
    statement of unnested arrays, on SQLite (≥ 3.24) one per ``CHUNK`` rows."""
    if not rows:
        return
    table = connection.ops.quote_name(_table(model))
    names = [*keys, *columns]
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in columns)
    conflict = f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {sets}"
    if connection.vendor == "postgresql":
        # One statement whatever the batch: one typed array per column, unnested.
        arrays = ", ".join(f"%s::{t}[]" for t in _pg_types(model, names))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) {conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} {conflict}"
            )
            cursor.execute(sql, [v for row in chunk for v in row])


def _pg_types(model: Any, names: Sequence[str]) -> list[str]:
    """The PostgreSQL column types of ``names`` (``commune_id`` → the commune key's type)."""
    out = []
    for name in names:
        f = model._meta.get_field(
            name[:-3] if name.endswith("_id") and name != "village_id" else name
        )
        out.append(str(f.db_type(connection)))
    return out


def _village_param(v: UUID) -> Any:
    """UUIDs as the backend stores them (char(32) hex on SQLite, uuid on PostgreSQL)."""
    return v if connection.vendor == "postgresql" else v.hex


def snapshot_months(communes: Sequence[str] | None, day: dt.date) -> None:
    """Copy the commune rows into their month row (one statement per chunk of communes)."""
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in COMMUNE_COLUMNS)
    sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COMMUNE_COLUMNS)
    base = (
        f"INSERT INTO {q(_table(MonthSummary))} (commune_id, province_id, month, {cols}) "  # noqa: S608
        f"SELECT commune_id, province_id, %s, {cols} FROM {q(_table(CommuneSummary))} "
    )
    tail = f" ON CONFLICT (commune_id, month) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        if communes is None:
            cursor.execute(base + "WHERE 1 = 1" + tail, [month_of(day)])
            return
        if connection.vendor == "postgresql":
            cursor.execute(
                base + "WHERE commune_id = ANY(%s)" + tail, [month_of(day), list(communes)]
            )
            return
        for start in range(0, len(communes), CHUNK):
            chunk = list(communes[start : start + CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(base + f"WHERE commune_id IN ({marks})" + tail, [month_of(day), *chunk])


def _write(communes: Sequence[str], counted: Recount, year: int) -> None:
    from hocvuso.geo.models import Commune

    CohortSummary.objects.filter(commune_id__in=communes).delete()
    VillageSummary.objects.filter(commune_id__in=communes).delete()
    CohortSummary.objects.bulk_create(
        [
            CohortSummary(
                commune_id=c,
                village_id=v,
                birth_year=by,
                **dict(zip(PERSON_COLUMNS, n, strict=True)),
            )
            for (c, v, by), n in counted.cohorts.items()
        ],
        batch_size=CHUNK,
    )
    VillageSummary.objects.bulk_create(
        [
            VillageSummary(
                commune_id=c, village_id=v, **dict(zip(HOUSEHOLD_COLUMNS, n, strict=True))
            )
            for (c, v), n in counted.villages.items()
        ],
        batch_size=CHUNK,
    )
    provinces = dict(Commune.objects.filter(code__in=communes).values_list("code", "province_id"))
    rows = counted.commune_rows(communes, year)
    CommuneSummary.objects.bulk_create(
        [
            CommuneSummary(
                commune_id=c,
                province_id=provinces[c],
                year=year,
                **dict(zip(COMMUNE_COLUMNS, n, strict=True)),
            )
            for c, n in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["commune"],
        update_fields=["province", "year", *COMMUNE_COLUMNS, "updated_at"],
        batch_size=CHUNK,
    )


def refresh(communes: Iterable[str], *, today: dt.date | None = None) -> None:
    """Recount ``communes`` from the raw records and replace their summary rows."""
    day = _today(today)
    codes = sorted(set(communes))
    for start in range(0, len(codes), BATCH_COMMUNES):
        batch = codes[start : start + BATCH_COMMUNES]
        with transaction.atomic():
            _write(batch, recount(batch), day.year)
            snapshot_months(batch, day)


def touch_network(*communes: str | None) -> None:
    """A service changed mentors, desks or classes of these communes: recount those columns."""
    codes = sorted({c for c in communes if c})
    if not codes:
        return
    if CommuneSummary.objects.filter(commune_id__in=codes).count() < len(codes):
        refresh(codes)
        return
    counts = recount_network(codes)
    rows = [
        CommuneSummary(commune_id=c, **dict(zip(NETWORK_COLUMNS, n, strict=True)))
        for c, n in counts.items()
    ]
    with transaction.atomic():
        CommuneSummary.objects.bulk_update(rows, list(NETWORK_COLUMNS))
        snapshot_months(codes, timezone.localdate())


# --- The hot path: status deltas --------------------------------------------------------------


_FLAG_FIELDS = ("vneid_level", "has_bank_account", "basic_complete", "t4_mask")


@dataclass(frozen=True)
class Flags:
    """What a person's status row contributes to the counts."""

    vneid2: bool = False
    bank: bool = False
    basic: bool = False
    mask: int = 0

    @classmethod
    def of(cls, row: Any) -> Flags:
        if row is None:
            return cls()
        values: dict[str, Any] = (
            row if isinstance(row, dict) else {n: getattr(row, n) for n in _FLAG_FIELDS}
        )
        return cls(
            vneid2=int(values["vneid_level"] or 0) >= 2,
            bank=bool(values["has_bank_account"]),
            basic=bool(values["basic_complete"]),
            mask=int(values["t4_mask"] or 0),
        )


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
    from hocvuso.registry.models import Person

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
            .annotate(by=_birth_year())
            .values("pk", "commune_id", "household_id", "household__village_id", "by", "occupation")
        )
    cohort: dict[CohortKey, list[int]] = defaultdict(lambda: [0] * len(PERSON_COLUMNS))
    flips: dict[UUID, int] = defaultdict(int)
    household_key: dict[UUID, VillageKey] = {}
    for pid, old, new in changes:
        p = people[pid]
        village = p["household__village_id"] or NO_VILLAGE
        key = (p["commune_id"], village, int(p["by"]))
        trader = p["occupation"] in T4_OCCUPATIONS
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
    _apply(cohort, villages, _today(today))


# --- Tracking the rarer writes: facts before and after ----------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """What one person contributes to the cohort rows."""

    commune: str
    village: UUID
    birth_year: int
    trader: bool
    flags: Flags
    guided: bool

    def counts(self) -> list[int]:
        f, t = self.flags, self.trader
        bits = [t and bool(f.mask & (1 << i)) for i in range(4)]
        return [1, f.vneid2, f.bank, f.basic, self.guided, t, *bits, t and f.mask == 15]


@dataclass(frozen=True)
class HouseholdFacts:
    commune: str
    village: UUID
    trained: bool
    visited: bool

    def counts(self) -> list[int]:
        return [1, self.trained, self.visited]


def people_facts(ids: Iterable[UUID]) -> dict[UUID, PersonFacts]:
    from hocvuso.registry.models import Person
    from hocvuso.teams.models import VisitPerson

    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Person.objects.filter(pk__any=ids)
        .annotate(
            by=_birth_year(),
            was_guided=Exists(VisitPerson.objects.filter(person=OuterRef("pk"), was_guided=True)),
        )
        .values(
            "pk",
            "commune_id",
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
    return {
        r["pk"]: PersonFacts(
            commune=r["commune_id"],
            village=r["household__village_id"] or NO_VILLAGE,
            birth_year=int(r["by"]),
            trader=r["occupation"] in T4_OCCUPATIONS,
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
    from hocvuso.registry.models import Household, Person
    from hocvuso.teams.models import Visit

    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Household.objects.filter(pk__any=ids)
        .annotate(
            trained=Exists(
                Person.objects.filter(household=OuterRef("pk"), skill_status__basic_complete=True)
            ),
            visited=Exists(Visit.objects.filter(household=OuterRef("pk"))),
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
        self.before_p = people_facts(self.persons)
        self.before_h = households_facts(self.households)

    def add(self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        self.persons.update(persons)
        self.households.update(households)

    def close(self) -> None:
        after_p = people_facts(self.persons)
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
        _apply(cohort, villages, timezone.localdate())


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


def _apply(
    cohort: dict[CohortKey, list[int]], villages: dict[VillageKey, list[int]], day: dt.date
) -> None:
    """Add cohort and village deltas to their tables, to the commune rows (age-based columns
    for the rows' year) and to this month's rows."""
    cohort = {k: d for k, d in cohort.items() if any(d)}
    villages = {k: d for k, d in villages.items() if any(d)}
    communes = sorted({k[0] for k in cohort} | {k[0] for k in villages})
    if not communes:
        return
    stored = dict(
        CommuneSummary.objects.filter(commune_id__in=communes).values_list("commune_id", "year")
    )
    present = [c for c in communes if stored.get(c) == day.year]
    missing = [c for c in communes if stored.get(c) != day.year]
    commune_delta: dict[str, list[int]] = defaultdict(lambda: [0] * len(COMMUNE_COLUMNS))
    plain = [(COMMUNE_COLUMNS.index(c), PERSON_COLUMNS.index(c)) for c in PLAIN_PERSON_COLUMNS]
    ages = [COMMUNE_COLUMNS.index(c) for c in AGE_COLUMNS]
    houses = [COMMUNE_COLUMNS.index(c) for c in HOUSEHOLD_COLUMNS]
    for (commune, _v, by), d in cohort.items():
        row = commune_delta[commune]
        for i, j in plain:
            row[i] += d[j]
        for i, v in zip(ages, age_counts(by, d, day.year), strict=True):
            row[i] += v
    for (commune, _v), d in villages.items():
        row = commune_delta[commune]
        for i, v in zip(houses, d, strict=True):
            row[i] += v
    _upsert_add(
        CohortSummary,
        ["commune_id", "village_id", "birth_year"],
        PERSON_COLUMNS,
        # In key order: neighbouring index entries, fewer pages touched.
        [(c, _village_param(v), by, *d) for (c, v, by), d in sorted(cohort.items())],
    )
    _upsert_add(
        VillageSummary,
        ["commune_id", "village_id"],
        HOUSEHOLD_COLUMNS,
        [(c, _village_param(v), *d) for (c, v), d in villages.items()],
    )
    _drop_empty(
        [k for k, d in cohort.items() if d[0] < 0], [k for k, d in villages.items() if d[0] < 0]
    )
    if present:
        _update_add(present, [commune_delta[c] for c in present])
        snapshot_months(present, day)
    if missing:
        # Never counted (or counted for another year): recount them whole, deltas included.
        refresh(missing, today=day)


def _drop_empty(cohorts: Iterable[CohortKey], villages: Iterable[VillageKey]) -> None:
    """Rows left with nothing (everyone moved out of a cohort) go, as a recount has none; only
    the rows a delta lowered are looked at."""
    for commune, village, by in cohorts:
        CohortSummary.objects.filter(
            commune_id=commune, village_id=village, birth_year=by, persons=0
        ).delete()
    for commune, village in villages:
        VillageSummary.objects.filter(commune_id=commune, village_id=village, households=0).delete()


def _update_add(communes: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
    """Add ``rows`` to the commune rows: on PostgreSQL one UPDATE … FROM unnest(arrays); on
    SQLite one UPDATE … FROM (VALUES …) per chunk."""
    q = connection.ops.quote_name
    table = q(_table(CommuneSummary))
    cols = ["commune_id", *COMMUNE_COLUMNS]
    sets = ", ".join(f"{q(c)} = {table}.{q(c)} + v.{q(c)}" for c in COMMUNE_COLUMNS)
    if connection.vendor == "postgresql":
        arrays = ", ".join(["%s::varchar[]"] + ["%s::integer[]"] * len(COMMUNE_COLUMNS))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets}, updated_at = %s "  # noqa: S608
                f"FROM unnest({arrays}) AS v({', '.join(q(c) for c in cols)}) "
                f"WHERE {table}.commune_id = v.commune_id",
                [timezone.now(), list(communes), *[list(c) for c in zip(*rows, strict=True)]],
            )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(communes), CHUNK):
            part = list(
                zip(communes[start : start + CHUNK], rows[start : start + CHUNK], strict=True)
            )
            one = "(" + ", ".join(["%s"] * len(cols)) + ")"
            inner = ", ".join([one] * len(part))
            names = ", ".join(f"column{i + 1} AS {q(c)}" for i, c in enumerate(cols))
            values = f"(SELECT {names} FROM (VALUES {inner})) AS v"  # noqa: S608
            sql = (
                f"UPDATE {table} SET {sets}, updated_at = %s FROM {values} "  # noqa: S608
                f"WHERE {table}.commune_id = v.commune_id"
            )
            params: list[Any] = [timezone.now()]
            for commune, row in part:
                params.extend([commune, *row])
            cursor.execute(sql, params)


# --- Time, rebuild and check ------------------------------------------------------------------


def roll_forward(*, today: dt.date | None = None) -> int:
    """Re-derive the age-based columns of every commune row not yet derived for this year (from
    the cohorts, one grouped query), and make sure every commune has its row for this month.
    Returns the number of commune rows rolled forward. Run daily (``hocvuso roll_summaries``);
    dashboards call it too when they read a row of an earlier year."""
    day = _today(today)
    stale = list(CommuneSummary.objects.exclude(year=day.year).values_list("commune_id", flat=True))
    if not stale and MonthSummary.objects.filter(month=month_of(day)).exists():
        return 0
    with transaction.atomic():
        for start in range(0, len(stale), BATCH_COMMUNES * 10):
            _reage(stale[start : start + BATCH_COMMUNES * 10], day.year)
        snapshot_months(None, day)
        # The months before this one are closed: add them up per province for the trends.
        closed = set(
            MonthSummary.objects.filter(month__lt=month_of(day))
            .values_list("month", flat=True)
            .distinct()
        )
        done = set(ProvinceMonthSummary.objects.values_list("month", flat=True).distinct())
        close_months(sorted(closed - done))
    return len(stale)


def close_months(months: Sequence[dt.date]) -> None:
    """Add up the communes' month rows of ``months`` per province and area into
    ``ProvinceMonthSummary`` (one grouped INSERT … SELECT per month, replacing what was there)."""
    from hocvuso.geo.models import Commune

    q = connection.ops.quote_name
    cols = [*COMMUNE_COLUMNS]
    target = q(ProvinceMonthSummary._meta.db_table)
    g = q(Commune._meta.db_table)
    remote = f"(g.{q('is_remote')} = %s OR g.{q('is_ethnic_minority')} = %s)"
    sql = (
        f"INSERT INTO {target} ({q('province_id')}, {q('month')}, {q('remote')}, "  # noqa: S608
        f"{', '.join(q(c) for c in cols)}, {q('communes')}, {q('communes_with_desk')}) "
        f"SELECT s.{q('province_id')}, s.{q('month')}, CASE WHEN {remote} THEN %s ELSE %s END, "
        f"{', '.join(f'SUM(s.{q(c)})' for c in cols)}, COUNT(*), "
        f"SUM(CASE WHEN s.{q('desk_staff')} > 0 THEN 1 ELSE 0 END) "
        f"FROM {q(MonthSummary._meta.db_table)} s "
        f"JOIN {g} g ON g.{q('code')} = s.{q('commune_id')} "
        f"WHERE s.{q('month')} = %s "
        f"GROUP BY s.{q('province_id')}, s.{q('month')}, CASE WHEN {remote} THEN %s ELSE %s END"
    )
    with transaction.atomic():
        for month in months:
            ProvinceMonthSummary.objects.filter(month=month).delete()
            with connection.cursor() as cursor:
                cursor.execute(sql, [True, True, True, False, month, True, True, True, False])


def _reage(communes: Sequence[str], year: int) -> None:
    rows: dict[str, list[int]] = {c: [0] * len(AGE_COLUMNS) for c in communes}
    for commune, by, *counts in CohortSummary.objects.filter(commune_id__in=communes).values_list(
        "commune_id", "birth_year", *PERSON_COLUMNS
    ):
        for i, v in enumerate(age_counts(by, counts, year)):
            rows[commune][i] += v
    CommuneSummary.objects.bulk_update(
        [
            CommuneSummary(commune_id=c, year=year, **dict(zip(AGE_COLUMNS, v, strict=True)))
            for c, v in rows.items()
        ],
        ["year", *AGE_COLUMNS],
        batch_size=CHUNK,
    )


def _all_communes() -> list[str]:
    from hocvuso.geo.models import Commune

    return list(Commune.objects.order_by("code").values_list("code", flat=True))


def rebuild(*, today: dt.date | None = None, progress: Any = None) -> int:
    """Recount every commune; returns how many."""
    codes = _all_communes()
    for start in range(0, len(codes), BATCH_COMMUNES):
        refresh(codes[start : start + BATCH_COMMUNES], today=today)
        if progress:
            progress(min(start + BATCH_COMMUNES, len(codes)), len(codes))
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses a few hundred rows and sorts on disk.
        with connection.cursor() as cursor:
            for model in (CohortSummary, VillageSummary, CommuneSummary, MonthSummary):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(_table(model))}")
    return len(codes)


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    column: str
    stored: int
    counted: int

    def __str__(self) -> str:
        return (
            f"{self.table} {self.key} {self.column}: stored {self.stored}, counted {self.counted}"
        )


def _diff(
    table: str,
    stored: Mapping[Any, Sequence[int]],
    counted: Mapping[Any, Sequence[int]],
    columns: Sequence[str],
) -> Iterator[Difference]:
    zero = (0,) * len(columns)
    for key in sorted(set(stored) | set(counted), key=str):
        a, b = stored.get(key, zero), counted.get(key, zero)
        for name, x, y in zip(columns, a, b, strict=True):
            if x != y:
                yield Difference(
                    table,
                    "/".join(str(k) for k in (key if isinstance(key, tuple) else (key,))),
                    name,
                    x,
                    y,
                )


def _province_months() -> dict[tuple[str, str, bool], tuple[int, ...]]:
    names = [*COMMUNE_COLUMNS, "communes", "communes_with_desk"]
    return {
        (p, str(m), r): tuple(n)
        for p, m, r, *n in ProvinceMonthSummary.objects.values_list(
            "province_id", "month", "remote", *names
        )
    }


def check_closed_months() -> list[Difference]:
    """Closed months per province must equal their communes' month rows added up."""
    stored = _province_months()
    months = sorted({dt.date.fromisoformat(m) for _p, m, _r in stored})
    if not months:
        return []
    with transaction.atomic():
        sid = transaction.savepoint()
        close_months(months)
        counted = _province_months()
        transaction.savepoint_rollback(sid)
    names = [*COMMUNE_COLUMNS, "communes", "communes_with_desk"]
    return list(_diff("province_month", stored, counted, names))


def check(*, today: dt.date | None = None) -> list[Difference]:
    """Recount every commune from the raw records and compare with the stored rows."""
    day = _today(today)
    out: list[Difference] = check_closed_months()
    codes = _all_communes()
    for start in range(0, len(codes), BATCH_COMMUNES):
        batch = codes[start : start + BATCH_COMMUNES]
        counted = recount(batch)
        cohorts = {
            (c, v, by): tuple(n)
            for c, v, by, *n in CohortSummary.objects.filter(commune_id__in=batch).values_list(
                "commune_id", "village_id", "birth_year", *PERSON_COLUMNS
            )
        }
        villages = {
            (c, v): tuple(n)
            for c, v, *n in VillageSummary.objects.filter(commune_id__in=batch).values_list(
                "commune_id", "village_id", *HOUSEHOLD_COLUMNS
            )
        }
        communes: dict[str, tuple[int, ...]] = {}
        years: dict[str, int] = {}
        for c, year, *n in CommuneSummary.objects.filter(commune_id__in=batch).values_list(
            "commune_id", "year", *COMMUNE_COLUMNS
        ):
            communes[c] = tuple(n)
            years[c] = year
        month = {
            c: tuple(n)
            for c, *n in MonthSummary.objects.filter(
                commune_id__in=batch, month=month_of(day)
            ).values_list("commune_id", *COMMUNE_COLUMNS)
        }
        want = counted.commune_rows(batch, day.year)
        # A commune with nothing at all may have no row; one with anything must have one.
        want = {c: n for c, n in want.items() if any(n) or c in communes}
        out.extend(_diff("cohort", cohorts, counted.cohorts, PERSON_COLUMNS))
        out.extend(_diff("village", villages, counted.villages, HOUSEHOLD_COLUMNS))
        out.extend(_diff("commune", communes, want, COMMUNE_COLUMNS))
        out.extend(
            _diff(
                "month",
                {c: n for c, n in month.items()},
                {c: n for c, n in want.items() if c in communes},
                COMMUNE_COLUMNS,
            )
        )
        for c, year in years.items():
            if year != day.year:
                out.append(Difference("commune", c, "year", year, day.year))
    return out


# --- History: month rows rebuilt from the dated raw records -----------------------------------


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def history(
    communes: Sequence[str], months: Sequence[dt.date]
) -> dict[tuple[str, dt.date], tuple[int, ...]]:
    """Each commune's row as it stood at the end of each month (COMMUNE_COLUMNS order), rebuilt
    from the dated records: skills held by then (gains on or before the day, not reversed by
    then), visits, mentorships, desk visits and staff, classes by their dates. The people are
    today's registry (the denominators); ages are those of each month's year. For the current
    month it equals the live row (tested), which is what makes the rebuilt history believable.
    Python over the communes' records: for backfills and the demo, not for request time."""
    from hocvuso.accounts.models import Role, RoleAssignment
    from hocvuso.classes.models import ClassEvent, ClassRegistration
    from hocvuso.desk.models import DeskVisit
    from hocvuso.mentoring.models import Mentor, Mentorship
    from hocvuso.registry.models import Household, Person
    from hocvuso.skills.facts import skill_sets, status_compute
    from hocvuso.skills.models import SkillEvent
    from hocvuso.teams.models import Visit, VisitPerson

    sets = skill_sets()
    tz = timezone.get_current_timezone()

    def day(value: dt.datetime) -> dt.date:
        return timezone.localtime(value, tz).date()

    people = list(
        Person.objects.filter(commune_id__in=communes)
        .annotate(by=_birth_year())
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
    mentors = list(
        Mentor.objects.filter(commune_id__in=communes, active=True).values_list(
            "pk", "commune_id", "created_at"
        )
    )
    ships = list(
        Mentorship.objects.filter(mentor__commune_id__in=communes, mentor__active=True).values_list(
            "mentor_id", "mentor__commune_id", "mentee_id", "started_on", "ended_on"
        )
    )
    staff = list(
        RoleAssignment.objects.filter(
            role=Role.DESK_STAFF, commune_id__in=communes, user__is_active=True
        ).values_list("commune_id", "user_id", "created_at", "revoked_at")
    )
    desk = list(
        DeskVisit.objects.filter(commune_id__in=communes).values_list(
            "commune_id", "person_id", "happened_at"
        )
    )
    classes = list(
        ClassEvent.objects.filter(commune_id__in=communes).values_list(
            "pk", "commune_id", "starts_at"
        )
    )
    attended = list(
        ClassRegistration.objects.filter(klass__commune_id__in=communes, attended=True).values_list(
            "klass__commune_id", "person_id", "klass__starts_at"
        )
    )
    volunteers = list(
        ClassEvent.volunteers.through.objects.filter(
            classevent__commune_id__in=communes
        ).values_list("classevent__commune_id", "user_id", "classevent__starts_at")
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
            status = status_compute(held, province, sets) if held else None
            flags = Flags.of(status)
            facts = PersonFacts(
                commune,
                village or NO_VILLAGE,
                int(by),
                occupation in T4_OCCUPATIONS,
                flags,
                pid in guided and guided[pid] <= end,
            )
            row = cohorts[(commune, village or NO_VILLAGE, int(by))]
            for i, v in enumerate(facts.counts()):
                row[i] += int(v)
            if flags.basic:
                basic_households.add(hid)
        villages: dict[VillageKey, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COLUMNS))
        for hid, commune, village in households:
            h = villages[(commune, village or NO_VILLAGE)]
            h[0] += 1
            h[1] += hid in basic_households
            h[2] += hid in visited and visited[hid] <= end
        network: dict[str, list[int]] = defaultdict(lambda: [0] * len(NETWORK_COLUMNS))
        mentees: dict[str, set[UUID]] = defaultdict(set)
        per_mentor: dict[UUID, int] = defaultdict(int)
        for mid, commune, mentee, started, ended in ships:
            if started <= end and (ended is None or ended > end):
                per_mentor[mid] += 1
                mentees[commune].add(mentee)
        for mid, commune, created in mentors:
            if day(created) <= end:
                network[commune][0] += 1
                network[commune][2] += per_mentor.get(mid, 0) >= 5
        for commune, ids in mentees.items():
            network[commune][1] = len(ids)
        staff_then = [
            (c, u, created) for c, u, created, gone in staff if gone is None or day(gone) > end
        ]
        for column, rows in ((3, staff_then), (4, desk), (6, attended), (7, volunteers)):
            for commune, n in _distinct_by(rows, end, day).items():
                network[commune][column] = n
        for commune, n in _distinct_by([(c, pk, at) for pk, c, at in classes], end, day).items():
            network[commune][5] = n
        counted = Recount(
            cohorts={k: tuple(v) for k, v in cohorts.items()},
            villages={k: tuple(v) for k, v in villages.items()},
            network={k: tuple(v) for k, v in network.items()},
        )
        for commune, counts in counted.commune_rows(communes, end.year).items():
            out[(commune, month)] = counts
    return out


def _distinct_by(rows: Iterable[tuple[str, Any, Any]], end: dt.date, day: Any) -> dict[str, int]:
    """Distinct keys per commune among (commune, key, when) rows dated on or before ``end``."""
    seen: dict[str, set[Any]] = defaultdict(set)
    for commune, key, at in rows:
        if day(at) <= end:
            seen[commune].add(key)
    return {c: len(keys) for c, keys in seen.items()}


def backfill(communes: Sequence[str], *, months: int, today: dt.date | None = None) -> int:
    """Rebuild the month rows of the ``months`` months before this one from the dated records
    (this month's row is live). Returns the number of rows written."""
    from hocvuso.geo.models import Commune

    day = _today(today)
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
