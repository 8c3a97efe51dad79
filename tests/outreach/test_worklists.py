"""Each worklist against a recount in plain Python over every person of a synthetic commune,
the age rule, the family priority order, and query counts that do not grow with the lists."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Village
from hocvuso.outreach import selectors
from hocvuso.outreach.selectors import T4_CODES, family_worklist, identity_worklist, t4_worklist
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import SkillEvent
from tests.factories import basic_codes, login

pytestmark = pytest.mark.django_db


def _age(p: Person, today: dt.date) -> int | None:
    if p.birth_date:
        return (
            today.year
            - p.birth_date.year
            - ((today.month, today.day) < (p.birth_date.month, p.birth_date.day))
        )
    return today.year - p.birth_year if p.birth_year else None


def _held(commune: Any) -> dict[Any, set[str]]:
    """Skills held per person, recounted from the events (gains not reversed)."""
    held: dict[Any, set[str]] = defaultdict(set)
    events = list(SkillEvent.objects.filter(person__commune=commune).select_related("skill"))
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    for e in events:
        if e.reverses_id is None and e.pk not in reversed_ids:
            held[e.person_id].add(e.skill.code)
    return held


def _everyone(commune: Any) -> list[Person]:
    return list(
        Person.objects.filter(commune=commune, erased_at__isnull=True).select_related(
            "household__village", "household__commune"
        )
    )


def _ids(qs: Any) -> set[Any]:
    return {x.pk for x in qs}


def test_identity_worklists_match_a_recount(synthetic, officer):
    commune, today = synthetic.commune, synthetic.today
    held = _held(commune)
    people = _everyone(commune)
    adults = [p for p in people if (a := _age(p, today)) is not None and a >= 16]
    assert 0 < len(adults) < len(people)  # children are left out
    for need, code in (("vneid", "vneid.level2"), ("bank", "bank.account")):
        want = {p.pk for p in adults if code not in held[p.pk]}
        got = _ids(identity_worklist(actor=officer, commune=commune, need=need, today=today))
        assert got == want, need
        assert 0 < len(got) < len(adults)
    # By village and by name (diacritics ignored).
    village = Village.objects.get(commune=commune, name="Thôn Tây")
    want = {
        p.pk for p in adults if "bank.account" not in held[p.pk] and p.household.village == village
    }
    got = identity_worklist(
        actor=officer, commune=commune, need="bank", village=village, today=today
    )
    assert _ids(got) == want
    someone = Person.objects.get(pk=next(iter(want)))
    folded = someone.search_key.split()[-1]
    hits = identity_worklist(
        actor=officer, commune=commune, need="bank", q=folded.upper(), today=today
    )
    assert someone.pk in _ids(hits)
    assert all(folded in p.search_key for p in hits)


def test_t4_worklist_matches_a_recount(synthetic, officer):
    commune = synthetic.commune
    held = _held(commune)
    tagged = [p for p in _everyone(commune) if p.occupation in {"trader", "farmer"}]
    assert tagged
    assert _ids(t4_worklist(actor=officer, commune=commune)) == {p.pk for p in tagged}
    missing_any = {p.pk for p in tagged if not set(T4_CODES) <= held[p.pk]}
    assert _ids(t4_worklist(actor=officer, commune=commune, missing="any")) == missing_any
    for code in T4_CODES:
        want = {p.pk for p in tagged if code not in held[p.pk]}
        assert _ids(t4_worklist(actor=officer, commune=commune, missing=code)) == want, code
    # Each row's progress is what the person holds.
    for p in t4_worklist(actor=officer, commune=commune):
        assert selectors.t4_progress(p) == [(c, c in held[p.pk]) for c in T4_CODES]


def _priority(h: Household, members: list[Person], today: dt.date) -> int:
    v, c = h.village, h.commune
    if (v and (v.is_remote or v.is_ethnic_minority)) or c.is_remote or c.is_ethnic_minority:
        return 0
    if all((a := _age(p, today)) is not None and a >= 60 for p in members):
        return 1
    if any(p.special_needs for p in members):
        return 2
    return 3


def test_family_worklist_matches_a_recount(synthetic, officer):
    commune, today = synthetic.commune, synthetic.today
    held = _held(commune)
    basic = set(basic_codes())
    by_household: dict[Any, list[Person]] = defaultdict(list)
    for p in _everyone(commune):
        by_household[p.household_id].append(p)
    want: dict[Any, int] = {}
    for members in by_household.values():
        if not any(basic <= held[p.pk] for p in members):
            h = members[0].household
            want[h.pk] = _priority(h, members, today)
    got = list(family_worklist(actor=officer, commune=commune))
    assert {h.pk: h.priority for h in got} == want
    assert 0 < len(got) < len(by_household)  # some households have a trained member
    priorities = [h.priority for h in got]
    assert priorities == sorted(priorities)
    assert {0, 3} <= set(priorities)
    for h in got:
        assert h.members_live == len(by_household[h.pk])


def test_age_rule_is_the_year_one_turns_16(commune, village, officer):
    """The one rule of registry.ages: aged 16+ in 2026 = born in 2010 or before (the year of
    birth; a full date counts by its year), whatever the day; unknown = never."""
    today = dt.date(2026, 3, 10)
    h = household_create(actor=officer, commune=commune, code="AGE-1", village=village)

    def person(name: str, **birth: Any) -> Person:
        return person_register(actor=officer, household=h, full_name=name, sex="F", **birth)

    in_ = [
        person("Năm Mười Sáu", birth_year=2010),
        person("Đúng Ngày", birth_date=dt.date(2010, 3, 10)),
        person("Cuối Năm", birth_date=dt.date(2010, 12, 31)),  # turns 16 in December 2026
        person("Lớn Tuổi", birth_date=dt.date(1950, 1, 1)),
    ]
    out = [
        person("Mười Lăm", birth_year=2011),
        person("Đầu Năm Sau", birth_date=dt.date(2011, 1, 1)),
        person("Không Rõ"),
    ]
    got = _ids(identity_worklist(actor=officer, commune=commune, need="vneid", today=today))
    assert got == {p.pk for p in in_}
    assert not got & {p.pk for p in out}


def test_village_worklist_count_equals_the_dashboard_numerator(commune, officer):
    """A village's "16+ without VNeID level 2" list has exactly as many people as the village
    dashboard counts 16+ people minus those with level 2 (nobody erased here: an erased person
    still counts, anonymised, but is nobody's to reach)."""
    from hocvuso.kpi import selectors as kpi_selectors
    from hocvuso.registry.services import village_create
    from tests.factories import record

    today = timezone.localdate()
    v = village_create(actor=officer, commune=commune, name="Thôn Đếm")
    h = household_create(actor=officer, commune=commune, code="CNT-1", village=v)
    births: list[dict[str, Any]] = [
        {"birth_year": today.year - 16},
        {"birth_date": dt.date(today.year - 16, 12, 31)},
        {"birth_date": dt.date(today.year - 15, 1, 1)},
        {"birth_year": today.year - 40},
        {"birth_year": today.year - 70},
        {},
    ]
    people = [
        person_register(actor=officer, household=h, full_name=f"Người {i}", sex="M", **b)
        for i, b in enumerate(births)
    ]
    record(officer, people[3], "vneid.install")
    record(officer, people[3], "vneid.level2")
    record(officer, people[0], "vneid.install")
    listed = identity_worklist(actor=officer, commune=commune, need="vneid", village=v, today=today)
    unit = kpi_selectors.unit_get(actor=officer, level="village", code=str(v.pk))
    figures = kpi_selectors.figures(unit, today=today)
    assert listed.count() == figures["persons_16"] - figures["vneid2_16"] == 3


def test_family_priority_order(commune, officer):
    from hocvuso.registry.services import village_create
    from tests.factories import record

    today = timezone.localdate()
    plain = village_create(actor=officer, commune=commune, name="Thôn A")
    remote = village_create(actor=officer, commune=commune, name="Thôn B", is_ethnic_minority=True)

    def household(code: str, village: Village, *people: dict[str, Any]) -> Household:
        h = household_create(actor=officer, commune=commune, code=code, village=village)
        for i, kw in enumerate(people):
            person_register(actor=officer, household=h, full_name=f"{code} {i}", sex="M", **kw)
        return h

    old = {"birth_year": today.year - 70}
    young = {"birth_year": today.year - 30}
    rest2 = household("H-REST-2", plain, young)
    special = household("H-SPECIAL", plain, young, {**old, "special_needs": "Nghe kém"})
    rest1 = household("H-REST-1", plain, young, {"birth_year": None})
    elderly = household("H-ELDERLY", plain, old, old)
    area = household("H-AREA", remote, young)
    not_elderly = household("H-UNKNOWN", plain, old, {})  # unknown age: not "elderly only"
    household("H-EMPTY", plain)  # nobody to train: not listed
    trained = household("H-TRAINED", remote, young)
    for code in basic_codes():
        record(SYSTEM, trained.members.get(), code)
    got = [h.code for h in family_worklist(actor=officer, commune=commune)]
    assert got == [area.code, elderly.code, special.code, rest1.code, rest2.code, not_elderly.code]


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_entries(commune: Any, village: Village, officer: Any, start: int, count: int) -> None:
    """``count`` households of one adult farmer each, with no skill yet: one entry on every
    worklist."""
    for i in range(start, start + count):
        h = household_create(actor=officer, commune=commune, code=f"Q-{i:03d}", village=village)
        person_register(
            actor=officer,
            household=h,
            full_name=f"Lò Văn {i:03d}",
            sex="M",
            birth_year=1980,
            phone="0912345678",
            occupation="farmer",
            relationship="head",
        )


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # identity and 4T: the count from the cohorts + the few people left off (kpi.counters)
        ("outreach:identity", 9),
        # families: the village summaries' sum + the households left empty + those whose
        # trained members were erased (kpi.counters)
        ("outreach:families", 10),
        ("outreach:t4", 9),
        ("api:outreach_identity", 8),
        ("api:outreach_families", 9),
        ("api:outreach_t4", 8),
    ],
)
def test_query_count_does_not_grow_with_the_list(name, queries, commune, village, officer):
    """The same absolute number of queries with 5 entries and with 40 (more than a page)."""
    client = login(officer)
    url = reverse(name, args=[commune.code])
    _add_entries(commune, village, officer, 0, 5)
    small = _count_queries(client, url)
    _add_entries(commune, village, officer, 5, 35)
    assert identity_worklist(actor=officer, commune=commune, need="bank").count() == 40
    assert family_worklist(actor=officer, commune=commune).count() == 40
    assert t4_worklist(actor=officer, commune=commune, missing="any").count() == 40
    assert (small, _count_queries(client, url)) == (queries, queries)
