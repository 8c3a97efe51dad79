"""The history (month rows rebuilt from the dated records) is counted in the database; it must
equal a count person by person — the row-by-row history it replaced, kept here as the
reference — month by month, over events, reversals and visits spread over the months, with a
province whose basic set is its own."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from django.utils import timezone

from hocvuso.core.dates import month_end, month_of, previous_month
from hocvuso.kpi import summaries
from hocvuso.kpi.measures import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from hocvuso.kpi.models import NO_VILLAGE
from hocvuso.kpi.summaries.network import network_counts
from hocvuso.kpi.summaries.recount import CohortKey, Recount, VillageKey
from hocvuso.registry.ages import birth_year_expr
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import (
    T4_CODES,
    Flags,
    HouseholdFacts,
    PersonFacts,
    is_trader,
    skill_sets,
    status_compute,
)
from hocvuso.skills.models import Skill, SkillEvent, SkillSet
from hocvuso.teams.models import Team, Visit, VisitPerson


def _history_by_hand(
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


def _months(n: int) -> list[dt.date]:
    m = month_of(timezone.localdate())
    out = [m]
    for _ in range(n - 1):
        m = previous_month(m)
        out.append(m)
    return out


def _spread_over_months(seed: int) -> None:
    """Move each event, and each visit, to a day of the last eight months (as a campaign
    spread over the year would have left them); a reversal may come before or after its
    gain."""
    rng = random.Random(seed)
    today = timezone.localdate()
    for pk in SkillEvent.objects.order_by("pk").values_list("pk", flat=True):
        day = today - dt.timedelta(days=rng.randrange(0, 240))
        SkillEvent.objects.filter(pk=pk).update(happened_on=day)
    for visit in Visit.objects.order_by("pk"):
        when = timezone.now() - dt.timedelta(days=rng.randrange(0, 240), hours=rng.randrange(24))
        Visit.objects.filter(pk=visit.pk).update(visited_at=when)


def _visits(commune, officer, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Home visits to half the households of ``commune``, some members guided (data written as
    the sync would leave it; the history reads only these rows)."""
    team = Team.objects.create(name="Tổ 1", commune=commune)
    for household in Household.objects.filter(commune=commune).order_by("pk")[::2]:
        visit = Visit.objects.create(
            team=team, household=household, visited_at=timezone.now(), visited_by=officer
        )
        for person in Person.objects.filter(household=household).order_by("pk"):
            VisitPerson.objects.create(visit=visit, person=person, was_guided=rng.random() < 0.6)


def test_the_history_counted_in_the_database_equals_the_count_person_by_person(kpi_world, officer):
    w = kpi_world
    codes = [w.lungcu.code, w.neighbour.code, w.hanoi.code]
    rng = random.Random(5)
    _visits(w.lungcu, officer, rng)
    _visits(w.hanoi, officer, rng)
    # Hà Nội's basic set is its own: one skill more than the nation's.
    basic = [s.code for s in SkillSet.objects.get(code="basic", province=None).skills.all()]
    stricter = SkillSet.objects.create(
        code="basic", province=w.hanoi.province, name_vi="Cơ bản (tỉnh)", name_en="Basic"
    )
    # A skill the synthetic world never records (not basic, not identity, bank or 4T).
    extra = (
        Skill.objects.exclude(code__in=[*basic, *T4_CODES, "vneid.level2", "vneid.install"])
        .exclude(code="bank.account")
        .order_by("code")
        .first()
    )
    assert extra is not None
    stricter.skills.set(Skill.objects.filter(code__in=[*basic, extra.code]))
    _spread_over_months(seed=7)
    # Three adults of Hà Nội gain the whole stricter set on the last day of the month before
    # last; everyone else there that skill too.
    day = month_end(previous_month(previous_month(month_of(timezone.localdate()))))
    adults = Person.objects.filter(commune=w.hanoi, birth_year__lte=day.year - 20)
    trained = set(adults.order_by("pk").values_list("pk", flat=True)[:3])
    assert len(trained) == 3
    for person in Person.objects.filter(commune=w.hanoi).order_by("pk"):
        for code in [*basic, extra.code] if person.pk in trained else [extra.code]:
            SkillEvent.objects.create(
                person=person,
                skill=Skill.objects.get(code=code),
                happened_on=day,
                channel="class",
                recorded_by=officer,
            )
    assert SkillEvent.objects.filter(reverses__isnull=False).exists()  # reversals, too
    months = _months(9)
    want = _history_by_hand(codes, months)
    assert summaries.history(codes, months) == want
    # Over every commune at once (the whole-table form): the same rows.
    assert summaries.history(codes, months, whole=True) == want
    # The months differ, in each kind of column: the test sees what it compares.
    from hocvuso.kpi.measures import COMMUNE_COLUMNS

    for column in ("vneid2_16", "basic_adults", "guided", "households_visited", "t1"):
        i = COMMUNE_COLUMNS.index(column)
        assert len({want[(w.lungcu.code, m)][i] for m in months}) > 1, column
    # Hà Nội's basic set counts from the month its extra skill was gained, not before.
    i = COMMUNE_COLUMNS.index("basic_adults")
    assert want[(w.hanoi.code, months[2])][i] >= 3
    assert want[(w.hanoi.code, months[3])][i] == 0
