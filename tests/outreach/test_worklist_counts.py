"""The identity, 4T and family worklists count their entries from the summary tables
(``core.counts``, ``kpi.counters``): the count equals a count of the list's own rows and a count
by hand, for every need, every T and every village, with erased and restricted people (counted by
the dashboards, left off the lists), people of unknown age and people turning 16 this year, and
for the families with households left empty and trained members erased; a search term or an actor
who sees only some villages gets no count from the summaries (the list counts itself)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.geo.models import Village
from hocvuso.outreach import selectors
from hocvuso.privacy.services import data_request_complete, data_request_create, person_erase
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.facts import T4_ALL, T4_CODES, T4_OCCUPATIONS
from tests.factories import basic_codes, build_commune, login, make_user, record

pytestmark = pytest.mark.django_db


def _erase(officer: Any, person: Person) -> None:
    request = data_request_create(actor=officer, person=person, kind="erasure", channel="office")
    person_erase(actor=officer, person=person, request=request)


def _train(officer: Any, person: Person) -> None:
    for code in basic_codes():
        record(officer, person, code)


def _counting(officer: Any, name: str, commune: Any, table: str) -> list[str]:
    """The counts over ``table`` that the page ``name`` runs (its second request: warm)."""
    client = login(officer)
    url = reverse(name, args=[commune.code])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT COUNT(") and f'"{table}"' in q["sql"]
    ]


@pytest.fixture
def world(commune, officer):  # type: ignore[no-untyped-def]
    build_commune(commune, households=30, seed=21)
    year = timezone.localdate().year
    people = list(Person.objects.filter(commune=commune).select_related("household").order_by("pk"))
    household = people[0].household
    # turning 16 this year, and of unknown age: on the list, and not
    person_register(
        actor=officer,
        household=household,
        full_name="Lò Văn Mười Sáu",
        sex="M",
        birth_year=year - 16,
        occupation="farmer",
    )
    person_register(
        actor=officer,
        household=household,
        full_name="Lò Thị Không Rõ",
        sex="F",
        occupation="trader",
    )
    # one erased, one restricted: counted by the dashboards, off the lists
    erased, restricted = people[1], people[2]
    _erase(officer, erased)
    request = data_request_create(
        actor=officer, person=restricted, kind="restriction", channel="office"
    )
    data_request_complete(actor=officer, request=request)
    return commune


def _by_hand_identity(commune: Any, need: str, village: Village | None) -> int:
    year = timezone.localdate().year
    n = 0
    for p in Person.objects.filter(commune=commune).select_related("household", "skill_status"):
        if p.erased_at or p.restricted_at:
            continue
        if village is not None and p.household.village_id != village.pk:
            continue
        born = p.birth_year or (p.birth_date.year if p.birth_date else 0)
        if not born or year - born < 16:
            continue
        status = getattr(p, "skill_status", None)
        if need == "vneid":
            n += status is None or status.vneid_level < 2
        else:
            n += status is None or not status.has_bank_account
    return n


def _by_hand_t4(commune: Any, missing: str, village: Village | None) -> int:
    n = 0
    for p in Person.objects.filter(commune=commune).select_related("household", "skill_status"):
        if p.erased_at or p.restricted_at or p.occupation not in T4_OCCUPATIONS:
            continue
        if village is not None and p.household.village_id != village.pk:
            continue
        status = getattr(p, "skill_status", None)
        mask = status.t4_mask if status is not None else 0
        if missing == "any":
            n += mask != T4_ALL
        elif missing:
            n += not mask & (1 << T4_CODES.index(missing))
        else:
            n += 1
    return n


def test_counts_from_the_summaries_equal_the_lists(world, officer):
    commune = world
    villages = [None, *Village.objects.filter(commune=commune).order_by("name")]
    today = timezone.localdate()
    for village in villages:
        for need in selectors.NEEDS:
            got = selectors.identity_count(
                actor=officer, commune=commune, need=need, village=village, today=today
            )
            listed = selectors.identity_worklist(
                actor=officer, commune=commune, need=need, village=village, today=today
            ).count()
            assert got == listed == _by_hand_identity(commune, need, village), (need, village)
        for missing in ("", "any", *T4_CODES):
            got = selectors.t4_count(
                actor=officer, commune=commune, missing=missing, village=village
            )
            listed = selectors.t4_worklist(
                actor=officer, commune=commune, missing=missing, village=village
            ).count()
            assert got == listed == _by_hand_t4(commune, missing, village), (missing, village)
    assert selectors.identity_count(actor=officer, commune=commune, need="vneid", today=today) > 0


def test_no_count_from_the_summaries_for_a_search_or_a_village_scope(world, officer):
    commune = world
    village = Village.objects.filter(commune=commune).order_by("name").first()
    member = make_user("to.vien", "team_member", villages=[village])
    assert selectors.identity_count(actor=officer, commune=commune, need="vneid", q="lò") is None
    assert selectors.t4_count(actor=officer, commune=commune, q="lò") is None
    assert selectors.identity_count(actor=member, commune=commune, need="vneid") is None
    assert selectors.t4_count(actor=member, commune=commune) is None
    # the commune page's figures: from the summary row for the officer, counted for the member
    from hocvuso.core import counts
    from hocvuso.registry.models import Household
    from hocvuso.registry.selectors import commune_counts

    assert counts.count("registry.commune", actor=member, commune=commune) is None
    assert counts.count("registry.commune", actor=officer, commune=commune) == {
        "households": Household.objects.filter(commune=commune).count(),
        "persons": Person.objects.filter(commune=commune).count(),
    }
    seen = commune_counts(actor=member, commune=commune)
    assert seen["households"] == Household.objects.filter(village=village).count()
    assert 0 < seen["persons"] < Person.objects.filter(commune=commune).count()


@pytest.mark.parametrize("name", ["outreach:identity", "outreach:t4", "api:outreach_identity"])
def test_the_pages_show_the_count_without_counting_the_people(name, world, officer):
    """No query of the page counts the commune's people: the count comes from the cohorts."""
    counting = _counting(officer, name, world, "registry_person")
    # only the small count of the people left off the list (erased or restricted)
    assert len(counting) == 1, counting
    assert '"registry_person"."erased_at" IS NOT NULL' in counting[0]


def _families_by_hand(commune: Any, village: Village | None) -> int:
    """Households with a live (not erased) member and no live member holding the basic set."""
    n = 0
    for h in Household.objects.filter(commune=commune).prefetch_related("members__skill_status"):
        if village is not None and h.village_id != village.pk:
            continue
        live = [p for p in h.members.all() if p.erased_at is None and p.merged_into_id is None]
        trained = [
            p for p in live if getattr(p, "skill_status", None) and p.skill_status.basic_complete
        ]
        n += bool(live) and not trained
    return n


@pytest.fixture
def families_world(world, officer):  # type: ignore[no-untyped-def]
    """Besides ``world``: two households whose only member was erased (no live member: off the
    list); one whose only trained member was erased (the dashboards count it trained: on the
    list); one with a trained member (off the list); one whose trained member was erased and
    whose other members were erased too (off both)."""
    commune = world
    first, second = Village.objects.filter(commune=commune).order_by("name")[:2]

    def household(code: str, names: list[str], village: Village = first) -> list[Person]:
        h = household_create(actor=officer, commune=commune, code=code, village=village)
        return [
            person_register(actor=officer, household=h, full_name=n, sex="F", birth_year=1980 + i)
            for i, n in enumerate(names)
        ]

    (alone,) = household("TRỐNG-1", ["Hà Thị Một Mình"])
    _erase(officer, alone)
    (alone,) = household("TRỐNG-2", ["Hà Văn Một Mình"], second)
    _erase(officer, alone)
    trained, _untrained = household("XOÁ-HỌC-1", ["Đinh Thị Đã Học", "Đinh Văn Chưa Học"], second)
    _train(officer, trained)
    _erase(officer, trained)
    (kept,) = household("ĐÃ-HỌC-1", ["Mai Thị Biết"])
    _train(officer, kept)
    both, other = household("XOÁ-HẾT-1", ["Vi Thị Đã Học", "Vi Văn Khác"])
    _train(officer, both)
    _erase(officer, both)
    _erase(officer, other)
    return commune


def test_the_family_count_from_the_summaries_equals_the_list(families_world, officer):
    commune = families_world
    codes = {
        h.code: h
        for h in Household.objects.filter(commune=commune, code__in=["TRỐNG-1", "XOÁ-HỌC-1"])
    }
    listed_codes = set(
        selectors.family_worklist(actor=officer, commune=commune).values_list("code", flat=True)
    )
    assert "XOÁ-HỌC-1" in listed_codes
    assert "TRỐNG-1" not in listed_codes
    assert {"ĐÃ-HỌC-1", "XOÁ-HẾT-1"}.isdisjoint(listed_codes)
    assert codes["TRỐNG-1"].members_live == 0
    for village in [None, *Village.objects.filter(commune=commune).order_by("name")]:
        got = selectors.family_count(actor=officer, commune=commune, village=village)
        listed = selectors.family_worklist(actor=officer, commune=commune, village=village).count()
        assert got == listed == _families_by_hand(commune, village), village
    assert selectors.family_count(actor=officer, commune=commune) > 0
    # a search term, or an actor who sees some villages only: the list counts itself
    village = Village.objects.filter(commune=commune).order_by("name").first()
    member = make_user("to.vien.gd", "team_member", villages=[village])
    assert selectors.family_count(actor=officer, commune=commune, q="đinh") is None
    assert selectors.family_count(actor=member, commune=commune) is None


@pytest.mark.parametrize("name", ["outreach:families", "api:outreach_families"])
def test_the_family_pages_count_no_households(name, families_world, officer):
    """No query of the page counts the commune's households: the count comes from the village
    summaries and two small counts (households left empty, trained members erased)."""
    counting = _counting(officer, name, families_world, "registry_household")
    assert len(counting) == 2, counting
    assert all(
        '"members_live" = 0' in sql or '"erased_at" IS NOT NULL' in sql for sql in counting
    ), counting
